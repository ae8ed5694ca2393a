"""The composite GitHub Action, run step by step the way a runner would.

The harness reads action.yml, evaluates the ``${{ }}`` expressions it uses
(inputs, github.action_path, github.token, steps.*.outputs), runs each
``run:`` step with bash in a workspace, with GITHUB_OUTPUT, GITHUB_ENV,
GITHUB_PATH, GITHUB_STEP_SUMMARY and GITHUB_EVENT_PATH as the runner sets
them. The GitHub API is a stand-in on 127.0.0.1 (``StandIn``): never the real
one. Most tests use ``install: false`` with this interpreter (iacgov is
installed in it); the install step itself is tested offline (a closed port as
the index: the clear message) and, given a wheelhouse of the lock's files,
for real (``IACGOV_TEST_WHEELHOUSE``, see ``test_install_from_the_lock``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from packaging.requirements import Requirement

from conftest import REPO

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")
TOKEN = "ghs_standin0123456789"
REPOSITORY = "acme/infra"
LOCK = REPO / "action" / "requirements.lock"
INSTALLED = {"install": "false", "python": sys.executable}  # iacgov is installed in the interpreter running the tests


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def _read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT in both syntaxes: ``k=v`` and ``k<<DELIM ... DELIM``."""
    out, lines = {}, path.read_text().splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line:
            key, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            out[key] = "\n".join(lines[i + 1:j])
            i = j + 1
        else:
            key, _, value = line.partition("=")
            out[key] = value
            i += 1
    return out


class StandIn:
    """A stand-in for the GitHub REST API on 127.0.0.1, recording every request.

    Lists are served in pages of ``page_size`` (whatever per_page asks) with
    GitHub's ``Link`` header; ``GET /user`` answers 403 as it does to a
    workflow's token; ``fail`` maps "METHOD /path" to an HTTP status to answer.
    """

    def __init__(self, reviews: list[dict], comments: list[dict] | None = None, page_size: int = 2):
        self.reviews, self.comments, self.page_size = reviews, list(comments or []), page_size
        self.requests: list[dict] = []
        self.fail: dict[str, int] = {}
        self.next_id = 9000
        self.extra_headers: dict[str, str] = {}
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body, link: str = "") -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if link:
                    self.send_header("Link", link)
                for name, value in standin.extra_headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                standin.requests.append({"method": self.command, "path": parts.path, "query": parse_qs(parts.query),
                                         "authorization": self.headers.get("Authorization"), "body": body})
                status = standin.fail.get(f"{self.command} {parts.path}")
                if status:
                    return self._answer(status, {"message": "Resource not accessible by integration"})
                self._answer(*standin.route(self.command, parts.path, parse_qs(parts.query), body))

            do_GET = do_POST = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def page(self, path: str, items: list, query: dict) -> tuple[int, list, str]:
        number = int(query.get("page", ["1"])[0])
        chunk = items[(number - 1) * self.page_size:number * self.page_size]
        last = max(1, -(-len(items) // self.page_size))
        links = []
        if number < last:
            links.append(f'<{self.url}{path}?per_page=100&page={number + 1}>; rel="next"')
        links.append(f'<{self.url}{path}?per_page=100&page={last}>; rel="last"')
        return 200, chunk, ", ".join(links)

    def route(self, method: str, path: str, query: dict, body) -> tuple:
        base = f"/repos/{REPOSITORY}"
        if (method, path) == ("GET", "/user"):
            return 403, {"message": "Resource not accessible by integration"}
        if method == "GET" and path == f"{base}/pulls/7/reviews":
            return self.page(path, self.reviews, query)
        if method == "GET" and path == f"{base}/issues/7/comments":
            return self.page(path, self.comments, query)
        if method == "POST" and path == f"{base}/issues/7/comments":
            self.next_id += 1
            comment = {"id": self.next_id, "body": body["body"], "html_url": f"https://github.invalid/c/{self.next_id}",
                       "user": {"login": "github-actions[bot]", "type": "Bot"}}
            self.comments.append(comment)
            return 201, comment
        found = re.fullmatch(rf"{base}/issues/comments/(\d+)", path)
        if method == "PATCH" and found:
            for comment in self.comments:
                if comment["id"] == int(found.group(1)):
                    comment["body"] = body["body"]
                    return 200, comment
        return 404, {"message": "Not Found"}

    def calls(self) -> list[str]:
        return [f"{r['method']} {r['path']}" + (f"?page={r['query']['page'][0]}" if "page" in r["query"] else "")
                for r in self.requests]

    def __enter__(self) -> "StandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def run_action(workspace: Path, inputs: dict[str, str], event: dict, tmp: Path, api: str = "http://127.0.0.1:9",
               extra_env: dict[str, str] | None = None):
    """Run action.yml's steps; (exit codes, last step's process, the Action's outputs, job summary)."""
    action = yaml.safe_load((REPO / "action.yml").read_text())
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"inputs not declared by action.yml: {unknown}"
    values.update(inputs)
    tmp.mkdir(parents=True, exist_ok=True)
    event_path, output, summary = tmp / "event.json", tmp / "output", tmp / "summary.md"
    github_env, github_path = tmp / "github_env", tmp / "github_path"
    event_path.write_text(json.dumps(event))
    github_env.write_text("")
    github_path.write_text("")
    steps: dict[str, dict[str, str]] = {}

    def evaluate(text: str) -> str:
        def one(m: re.Match) -> str:
            expr = m.group(1)
            if expr.startswith("inputs."):
                return evaluate(str(values[expr[len("inputs."):]]))  # a default may be an expression
            if expr == "github.action_path":
                return str(REPO)
            if expr == "github.token":
                return TOKEN
            parts = expr.split(".")
            if parts[0] == "steps" and parts[2] == "outputs":
                return steps.get(parts[1], {}).get(parts[3], "")
            raise AssertionError(f"expression the harness does not know: {expr}")

        return EXPR.sub(one, text)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "VIRTUAL_ENV", "RUNNER_"))}
    env.update(GITHUB_EVENT_PATH=str(event_path), GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary),
               GITHUB_ENV=str(github_env), GITHUB_PATH=str(github_path), GITHUB_WORKSPACE=str(workspace),
               GITHUB_ACTIONS="true", GITHUB_API_URL=api, GITHUB_REPOSITORY=REPOSITORY, RUNNER_TEMP=str(tmp),
               CI="true", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", **(extra_env or {}))
    codes, proc = [], None
    for step in action["runs"]["steps"]:
        assert "uses" not in step, "the Action runs in its own environment: no setup-python or other action"
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], "inputs reach the shell through env:, never pasted into the script"
        step_env = {**env, **{k: evaluate(str(v)) for k, v in step.get("env", {}).items()}}
        output.write_text("")
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace, env=step_env,
                              capture_output=True, text=True, timeout=600)
        codes.append(proc.returncode)
        if "id" in step:
            steps[step["id"]] = _read_outputs(output)
        if proc.returncode != 0:
            break
    # The job's environment is left as it was: later steps get the runner's Python, not the Action's.
    assert github_env.read_text() == "" and github_path.read_text() == ""
    assert TOKEN not in proc.stdout + proc.stderr
    outputs = {name: evaluate(spec["value"]) for name, spec in action["outputs"].items()}
    return codes, proc, outputs, summary.read_text() if summary.exists() else ""


def _workspace(tmp_path: Path, regions: str = "eu-west-3") -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    _git(ws, "init", "-q", "-b", "main")
    _git(ws, "config", "user.email", "ci@example.invalid")
    _git(ws, "config", "user.name", "ci")
    (ws / "iacgov.yaml").write_text(
        f"version: 1\ndata_location:\n  allowed_regions:\n    aws: [{regions}]\n"
        "approvers:\n  cto: [alice]\n  strategic: [alice, bob]\n"
    )
    (ws / "main.tf").write_text('provider "aws" {\n  region = "eu-west-3"\n}\n\nresource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n')
    _git(ws, "add", ".")
    _git(ws, "commit", "-q", "-m", "base")
    return ws


def _pull_request(ws: Path, name: str = "copy") -> dict:
    """A provider's pull request #7 adding a queue in Ireland: a new region, the CTO's decision."""
    base = _git(ws, "rev-parse", "main")
    if _git(ws, "branch", "--show-current") == "main":
        _git(ws, "checkout", "-q", "-b", "provider/new-region")
    (ws / f"{name}.tf").write_text(f'provider "aws" {{\n  alias  = "ie_{name}"\n  region = "eu-west-1"\n}}\n\n'
                                   f'resource "aws_sqs_queue" "{name}" {{\n  provider = aws.ie_{name}\n  name = "{name}"\n}}\n')
    _git(ws, "add", ".")
    _git(ws, "commit", "-q", "-m", f"provider: queue {name} in Ireland")
    head = _git(ws, "rev-parse", "HEAD")
    return {"action": "synchronize", "number": 7,
            "pull_request": {"number": 7, "base": {"ref": "main", "sha": base},
                             "head": {"ref": "provider/new-region", "sha": head}}}


def _review(login: str, state: str, commit: str, at: str) -> dict:
    return {"id": abs(hash(at)) % 10**6, "user": {"login": login, "type": "User"}, "state": state,
            "commit_id": commit, "submitted_at": at, "body": ""}


def test_scan_mode_writes_sarif_outputs_annotations_and_summary_and_calls_no_api(tmp_path, validate_sarif):
    ws = _workspace(tmp_path)
    (ws / "dr.tf").write_text('provider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}\n\n'
                              'resource "aws_sqs_queue" "copy" {\n  provider = aws.us\n  name = "copy"\n}\n')
    with StandIn([]) as api:
        codes, proc, outputs, summary = run_action(ws, {"mode": "scan", **INSTALLED}, {}, tmp_path / "run", api.url)
    assert codes == [0, 1], proc.stderr  # found the installed iacgov, then failed on the blocking finding
    assert outputs["exit-code"] == "1"
    assert outputs["sarif-file"] == "iacgov.sarif"
    log = validate_sarif(json.loads((ws / "iacgov.sarif").read_text()))
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["LOC001"]
    assert "::error file=dr.tf,line=6," in proc.stdout  # annotation on the diff
    assert "<!-- iacgov-scan -->" in summary and "aws_sqs_queue.copy" in summary
    assert api.requests == []  # the SARIF is written, never uploaded: that is the workflow's upload-sarif step


def test_scan_mode_soft_fail(tmp_path):
    ws = _workspace(tmp_path)
    (ws / "main.tf").write_text((ws / "main.tf").read_text().replace("eu-west-3", "us-east-1"))
    codes, proc, outputs, _ = run_action(ws, {"mode": "scan", "fail-on": "never", **INSTALLED}, {}, tmp_path / "run")
    assert codes == [0, 0], proc.stderr
    assert outputs["exit-code"] == "0"


def test_review_counts_approvals_from_every_page_of_reviews(tmp_path):
    ws = _workspace(tmp_path, regions="eu-west-3, eu-west-1")  # allowed, but a new region still needs the CTO
    event = _pull_request(ws)
    head = event["pull_request"]["head"]["sha"]
    reviews = [_review("bob", "COMMENTED", head, "2026-11-26T09:00:00Z"),
               _review("carol", "APPROVED", head, "2026-11-26T09:10:00Z"),  # not an approver
               _review("dave", "COMMENTED", head, "2026-11-26T09:20:00Z"),
               _review("alice", "APPROVED", head, "2026-11-26T10:00:00Z")]  # the CTO, on the second page
    with StandIn(reviews) as api:
        codes, proc, outputs, summary = run_action(ws, {"mode": "review", "comment": "false", **INSTALLED}, event,
                                                   tmp_path / "run", api.url)
    assert codes == [0, 0], proc.stdout + proc.stderr
    assert outputs["exit-code"] == "0"
    assert api.calls() == [f"GET /repos/{REPOSITORY}/pulls/7/reviews", f"GET /repos/{REPOSITORY}/pulls/7/reviews?page=2"]
    assert all(r["authorization"] == f"Bearer {TOKEN}" for r in api.requests)
    comment = (ws / outputs["comment-file"]).read_text()
    assert "alice" in comment and outputs["comment-url"] == ""  # comment: false posts nothing

    # The same pull request with the CTO's approval left out: only page 1 would be this.
    with StandIn(reviews[:3]) as api:
        codes, proc, outputs, _ = run_action(ws, {"mode": "review", "comment": "false", **INSTALLED}, event,
                                             tmp_path / "run2", api.url)
    assert outputs["exit-code"] == "1" and codes == [0, 1]
    assert "cto" in (ws / outputs["comment-file"]).read_text().lower()


def test_the_review_comment_is_created_then_edited_on_the_next_push(tmp_path):
    ws = _workspace(tmp_path)
    event = _pull_request(ws)
    people = [{"id": 11, "body": "Looks fine to me", "user": {"login": "bob", "type": "User"}},
              {"id": 12, "body": "<!-- iacgov-review -->\nquoted by hand", "user": {"login": "mallory", "type": "User"}},
              {"id": 13, "body": "What about the DR plan?", "user": {"login": "alice", "type": "User"}}]
    with StandIn([], people) as api:
        codes, proc, outputs, summary = run_action(ws, {"mode": "review", **INSTALLED}, event, tmp_path / "run1", api.url)
        assert codes == [0, 1], proc.stdout + proc.stderr  # LOC001 blocks and the CTO has not approved
        created = api.comments[-1]
        assert api.calls()[-1] == f"POST /repos/{REPOSITORY}/issues/7/comments"
        assert created["body"] == (ws / "iacgov-review.md").read_text()
        assert created["body"].startswith("<!-- iacgov-review -->")
        assert outputs["comment-url"] == created["html_url"]
        # every page of the comments was read before deciding to create one
        assert f"GET /repos/{REPOSITORY}/issues/7/comments?page=2" in api.calls()

        event = _pull_request(ws, "second")  # the provider pushes again
        api.requests.clear()
        codes, proc, outputs, _ = run_action(ws, {"mode": "review", **INSTALLED}, event, tmp_path / "run2", api.url)
        assert codes == [0, 1], proc.stdout + proc.stderr
        assert api.calls() == [f"GET /repos/{REPOSITORY}/pulls/7/reviews",
                               f"GET /repos/{REPOSITORY}/issues/7/comments",
                               f"GET /repos/{REPOSITORY}/issues/7/comments?page=2",  # ours is on the second page
                               "GET /user",  # 403 to a workflow's token: ours is the bot's marked comment
                               f"PATCH /repos/{REPOSITORY}/issues/comments/{created['id']}"]
        assert [r["method"] for r in api.requests].count("POST") == 0
    assert [c["id"] for c in api.comments] == [11, 12, 13, created["id"]]  # still one comment of ours
    assert "aws_sqs_queue.second" in api.comments[-1]["body"]  # edited with the new push's review
    assert api.comments[1]["body"] == "<!-- iacgov-review -->\nquoted by hand"  # a person's marker is not ours


def test_a_token_of_a_person_edits_its_own_comment(tmp_path):
    """With a personal token GET /user names the account: its marked comment is the one edited."""
    ws = _workspace(tmp_path)
    event = _pull_request(ws)
    comments = [{"id": 21, "body": "<!-- iacgov-review -->\nold", "user": {"login": "some-bot[bot]", "type": "Bot"}},
                {"id": 22, "body": "<!-- iacgov-review -->\nold", "user": {"login": "ci-user", "type": "User"}}]
    with StandIn([], comments) as api:
        original = api.route

        def route(method, path, query, body):
            return (200, {"login": "ci-user"}) if path == "/user" else original(method, path, query, body)

        api.route = route
        codes, proc, _, _ = run_action(ws, {"mode": "review", **INSTALLED}, event, tmp_path / "run", api.url)
    assert api.calls()[-1] == f"PATCH /repos/{REPOSITORY}/issues/comments/22", proc.stdout
    assert api.comments[0]["body"] == "<!-- iacgov-review -->\nold"


def test_an_approvals_file_written_by_gh_paginate_is_merged(tmp_path):
    ws = _workspace(tmp_path, regions="eu-west-3, eu-west-1")
    event = _pull_request(ws)
    head = event["pull_request"]["head"]["sha"]
    pages = [[_review("bob", "COMMENTED", head, "2026-11-26T09:00:00Z")],
             [_review("alice", "APPROVED", head, "2026-11-26T10:00:00Z")]]
    approvals = tmp_path / "reviews.json"
    approvals.write_text("".join(json.dumps(page) for page in pages))  # gh api --paginate: arrays back to back
    with StandIn([]) as api:
        codes, proc, outputs, _ = run_action(ws, {"mode": "review", "approvals-file": str(approvals), "comment": "false",
                                                  **INSTALLED}, event, tmp_path / "run", api.url)
    assert outputs["exit-code"] == "0", proc.stdout + proc.stderr
    assert api.requests == []  # the file is used, nothing fetched


def test_reviews_that_cannot_be_fetched_are_a_workflow_error(tmp_path):
    ws = _workspace(tmp_path)
    event = _pull_request(ws)
    with StandIn([]) as api:
        api.fail[f"GET /repos/{REPOSITORY}/pulls/7/reviews"] = 403
        codes, proc, outputs, _ = run_action(ws, {"mode": "review", **INSTALLED}, event, tmp_path / "run", api.url)
    assert codes == [0, 2]
    assert f"::error title=iacgov::GET /repos/{REPOSITORY}/pulls/7/reviews?per_page=100: HTTP 403" in proc.stdout
    assert "pull-requests: write" in proc.stdout
    assert "POST" not in " ".join(api.calls())  # no comment for a review that did not run


def test_a_comment_file_in_the_pull_request_is_never_posted_as_the_review(tmp_path):
    """iacgov writes no review (exit 2): the comment says it failed, not what the provider committed."""
    ws = _workspace(tmp_path)
    (ws / "iacgov-review.md").write_text("<!-- iacgov-review -->\n### ✅ iacgov review — ready\n")
    event = _pull_request(ws)
    event["pull_request"]["base"]["sha"] = "0" * 40  # not a commit of the repository: iacgov review exits 2
    with StandIn([]) as api:
        codes, proc, outputs, summary = run_action(ws, {"mode": "review", **INSTALLED}, event, tmp_path / "run", api.url)
    assert codes == [0, 2], proc.stdout + proc.stderr
    posted = api.comments[-1]["body"]
    assert posted.startswith("<!-- iacgov-review -->\n### ⛔ iacgov review — failed")
    assert "ready" not in posted and "ready" not in summary


@pytest.mark.parametrize("how", ["link", "redirect"])
def test_the_token_is_never_sent_to_another_host(tmp_path, how):
    """A next page or a redirect that points off GITHUB_API_URL is refused, not followed with the token."""
    ws = _workspace(tmp_path)
    event = _pull_request(ws)
    with StandIn([]) as other, StandIn([_review("bob", "COMMENTED", "x", "2026-11-26T09:00:00Z")] * 3) as api:
        original = api.route
        elsewhere = f"{other.url}/repos/{REPOSITORY}/pulls/7/reviews?page=2"

        def route(method, path, query, body):
            status, answer, link = original(method, path, query, body) if path.endswith("/reviews") else (0, 0, "")
            if how == "link":
                return status, answer, f'<{elsewhere}>; rel="next"'
            return 302, {}, ""

        api.route = route
        if how == "redirect":
            api.extra_headers = {"Location": elsewhere}
        codes, proc, _, _ = run_action(ws, {"mode": "review", **INSTALLED}, event, tmp_path / "run", api.url)
    assert codes == [0, 2]
    assert other.requests == []
    assert "not requested" in proc.stdout or "redirected to another host, not followed" in proc.stdout


def test_a_comment_refused_leaves_the_verdict_as_it_is(tmp_path):
    """A fork's read-only token cannot comment: a warning, and the exit code is still the review's."""
    ws = _workspace(tmp_path)
    event = _pull_request(ws)
    with StandIn([]) as api:
        api.fail[f"POST /repos/{REPOSITORY}/issues/7/comments"] = 403
        codes, proc, outputs, summary = run_action(ws, {"mode": "review", **INSTALLED}, event, tmp_path / "run", api.url)
    assert codes == [0, 1] and outputs["exit-code"] == "1"
    assert "::warning title=iacgov::the review comment was not posted: POST" in proc.stdout
    assert "<!-- iacgov-review -->" in summary  # the job summary still has the review


def test_review_mode_ignores_fail_on(tmp_path):
    ws = _workspace(tmp_path)
    event = _pull_request(ws)
    with StandIn([]) as api:
        codes, proc, outputs, _ = run_action(ws, {"mode": "review", "fail-on": "never", "comment": "false",
                                                  **INSTALLED}, event, tmp_path / "run", api.url)
    assert codes == [0, 1] and outputs["exit-code"] == "1"
    assert "fail-on applies to scan mode only" in proc.stdout


@pytest.mark.parametrize(("inputs", "message"), [
    ({"mode": "audit"}, "::error title=iacgov::input mode"),
    ({"mode": "review", "comment": "yes"}, "::error title=iacgov::input comment: expected true or false"),
    ({"mode": "review", "github-token": ""}, "::error title=iacgov::input github-token is empty"),
])
def test_a_bad_input_is_a_workflow_error(tmp_path, inputs, message):
    ws = _workspace(tmp_path)
    event = _pull_request(ws)
    codes, proc, outputs, _ = run_action(ws, {**inputs, **INSTALLED}, event, tmp_path / "run")
    assert codes == [0, 2]
    assert message in proc.stdout


# --- the install step ---------------------------------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens there


def _pip_env(**extra: str) -> dict[str, str]:
    """pip with no configuration of this machine (its mirrors and wheel folders): only what the test gives."""
    return {"PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": "", "PIP_NO_INDEX": "", "PIP_EXTRA_INDEX_URL": "",
            "PIP_CONSTRAINT": "", "PIP_RETRIES": "0", "PIP_TIMEOUT": "5", **extra}


def test_a_runner_without_network_gets_a_clear_message(tmp_path):
    ws = _workspace(tmp_path)
    index = f"http://127.0.0.1:{_closed_port()}/simple"
    codes, proc, outputs, _ = run_action(ws, {"mode": "scan", "python": sys.executable}, {}, tmp_path / "run",
                                         extra_env=_pip_env(PIP_INDEX_URL=index))
    assert codes == [2], proc.stdout + proc.stderr  # the run step never started
    error = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    assert len(error) == 1, proc.stdout
    assert error[0].startswith(f"::error title=iacgov install::cannot download iacgov's pinned requirements from {index}"
                               ": this runner seems to have no network access to it (")
    assert "Connection refused" in error[0]
    assert "install: false" in error[0]
    assert "::group::pip's output" in proc.stdout  # pip's own words kept, folded
    assert outputs["exit-code"] == ""


def _plant(ws: Path, names: list[str]) -> Path:
    """Modules in the scanned repository's root that would record being imported."""
    witness = ws.parent / "imported-from-the-repository"
    for name in names:
        (ws / f"{name}.py").write_text(f"open({str(witness)!r}, 'a').write({name!r} + '\\n')\n")
    return witness


def test_nothing_in_the_scanned_repository_is_imported(tmp_path):
    """The steps run in the workspace, which is the scanned repository: python -m must not import from it."""
    ws = _workspace(tmp_path)
    witness = _plant(ws, ["json", "click", "yaml", "pluggy", "venv", "pip", "urllib", "tomllib"])
    (ws / "iacgov").mkdir()
    (ws / "iacgov" / "__init__.py").write_text(f"open({str(witness)!r}, 'a').write('iacgov\\n')\n")
    codes, proc, outputs, _ = run_action(ws, {"mode": "scan", **INSTALLED}, {}, tmp_path / "run")
    assert codes == [0, 0], proc.stdout + proc.stderr
    # The install step's own tools too (venv, pip), on the way to the offline message.
    index = f"http://127.0.0.1:{_closed_port()}/simple"
    codes, proc, _, _ = run_action(ws, {"mode": "scan", "python": sys.executable}, {}, tmp_path / "run2",
                                   extra_env=_pip_env(PIP_INDEX_URL=index))
    assert codes == [2] and "no network access" in proc.stdout, proc.stdout + proc.stderr
    assert not witness.exists(), witness.read_text()


def test_install_false_needs_an_interpreter_that_has_iacgov(tmp_path):
    ws = _workspace(tmp_path)
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    codes, proc, _, _ = run_action(ws, {"mode": "scan", "install": "false", "python": str(bare / "bin" / "python")},
                                   {}, tmp_path / "run")
    assert codes == [2]
    assert "::error title=iacgov install::install is false, but " in proc.stdout
    assert "cannot import iacgov" in proc.stdout

    codes, proc, _, _ = run_action(ws, {"mode": "scan", "python": "python3.99"}, {}, tmp_path / "run2")
    assert codes == [2]
    assert "::error title=iacgov install::input python: no command named 'python3.99' on this runner" in proc.stdout


def _locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of action/requirements.lock."""
    text = re.sub(r"\\\n", " ", LOCK.read_text())
    out = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *hashes = line.split("--hash=")
        name, _, version = spec.strip().partition("==")
        assert version and re.fullmatch(r"[\w.]+", version), f"action/requirements.lock: {line[:60]} is not pinned"
        out[name.lower().replace("_", "-")] = (version, [h.strip() for h in hashes])
    return out


def test_the_lock_pins_and_hashes_everything_pyproject_needs():
    locked = _locked()
    assert all(hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes)
               for _, hashes in locked.values())
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    needed = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    for line in needed:
        req = Requirement(line)
        name = req.name.lower().replace("_", "-")
        assert name in locked, f"{req.name} is not in action/requirements.lock: run scripts/lock_action_requirements.sh"
        assert req.specifier.contains(locked[name][0], prereleases=True), \
            f"{name}=={locked[name][0]} does not satisfy {line}: run scripts/lock_action_requirements.sh"
    # What a locked package needs is locked too (checked where this environment has the same release).
    env310 = {"python_version": "3.10", "python_full_version": "3.10.0", "extra": ""}
    for name, (version, _) in locked.items():
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if dist.version != version:
            continue
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate(env310):
                assert req.name.lower().replace("_", "-") in locked, f"{name} needs {req.name}, not locked"
    assert "Python 3.10" in LOCK.read_text()[:600]  # resolved for the oldest Python iacgov supports


WHEELHOUSE = os.environ.get("IACGOV_TEST_WHEELHOUSE")


@pytest.mark.skipif(not WHEELHOUSE, reason="needs IACGOV_TEST_WHEELHOUSE: a folder of the lock's files "
                    "(pip download --only-binary :all: --require-hashes -r action/requirements.lock -d DIR)")
def test_install_from_the_lock(tmp_path, validate_sarif):
    """The install step for real, offline: a fresh venv, the lock's files checked against their hashes, iacgov built."""
    ws = _workspace(tmp_path)
    (ws / "main.tf").write_text((ws / "main.tf").read_text().replace("eu-west-3", "us-east-1"))
    pip = _pip_env(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELHOUSE))
    run = tmp_path / "run"
    codes, proc, outputs, _ = run_action(ws, {"mode": "scan", "python": sys.executable}, {}, run, extra_env=pip)
    assert codes == [0, 1], proc.stdout + proc.stderr
    log = validate_sarif(json.loads((ws / "iacgov.sarif").read_text()))
    assert log["runs"][0]["results"][0]["ruleId"] == "LOC001"
    venv_python = run / "iacgov-venv" / "bin" / "python"
    assert subprocess.run([str(venv_python), "-c", "import iacgov, sys; assert 'iacgov-venv' in iacgov.__file__"],
                          check=False).returncode == 0

    # A second use in the same job reuses the environment.
    codes, proc2, _, _ = run_action(ws, {"mode": "scan", "python": sys.executable}, {}, run, extra_env=pip)
    assert codes == [0, 1]

    # A file that is not the one locked is refused, and nothing runs.
    tampered = tmp_path / "wheels"
    shutil.copytree(WHEELHOUSE, tampered)
    wheel = next(tampered.glob("click-*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    codes, proc, _, _ = run_action(ws, {"mode": "scan", "python": sys.executable}, {}, tmp_path / "run3",
                                   extra_env=_pip_env(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(tampered)))
    assert codes == [2]
    assert "does not match the hash in action/requirements.lock" in proc.stdout
