"""The GitHub Action's run step: ``python -m iacgov.github_action``.

``action.yml`` passes its inputs as ``INPUT_*`` environment variables (never
pasted into a shell line, so an input cannot inject commands). This module
runs ``iacgov scan`` or ``iacgov review`` in-process, writes the step outputs
to ``$GITHUB_OUTPUT`` and a summary to ``$GITHUB_STEP_SUMMARY``, prints
annotations for the pull request's diff, and exits with iacgov's exit code.

In review mode the Action runs the whole review. It fetches the pull
request's reviews itself with urllib against ``GITHUB_API_URL`` (so GitHub
Enterprise Server works as github.com does), following ``Link: rel="next"``
through every page and merging them into the one array ``--approvals`` reads;
``gh`` is not needed, and ``gh api --paginate``'s arrays written back to back
are merged too when a workflow passes such a file. After the review it posts
the Markdown as one issue comment, found again on every push by the
``<!-- iacgov-review -->`` marker it starts with, and edited in place. Those
are its only requests; the SARIF file is written, never uploaded.

``fail-on`` applies to scan mode only. On ``pull_request`` the workflow file
comes from the pull request itself, so anything the workflow says is under
the provider's control: in review mode nothing the head commit writes may
turn a blocked verdict green. Only the base commit's policy can make a
review advisory (``review: {advisory: true}``), and iacgov review then exits
0 by itself.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

MODES = ("scan", "review")
FAIL_ON = ("error", "warning", "note", "never")
MARKER = "<!-- iacgov-review -->"
PER_PAGE = 100
MAX_PAGES = 100  # 10,000 reviews or comments: past that something is wrong, not a long discussion
MAX_RESPONSE = 16 * 1024 * 1024
TIMEOUT = 30  # seconds per request
NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class ActionError(Exception):
    """A misconfigured input: reported as a workflow error, exit 2."""


class GitHubError(ActionError):
    """A request to the GitHub API failed."""


def _input(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(f"INPUT_{name.upper().replace('-', '_')}", "").strip() or default


def _event(env: Mapping[str, str]) -> dict:
    path = env.get("GITHUB_EVENT_PATH")
    if not path or not Path(path).is_file():
        return {}
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ActionError(f"cannot read the event payload {path}: {exc}") from None


def build_command(env: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """The iacgov arguments for the inputs, and the step outputs to set."""
    mode = _input(env, "mode", "scan")
    if mode not in MODES:
        raise ActionError(f"input mode: expected one of {', '.join(MODES)}, got {mode!r}")
    fail_on = _input(env, "fail-on", "error")
    if fail_on not in FAIL_ON:
        raise ActionError(f"input fail-on: expected one of {', '.join(FAIL_ON)}, got {fail_on!r}")
    if _input(env, "comment", "true") not in ("true", "false"):
        raise ActionError(f"input comment: expected true or false, got {_input(env, 'comment')!r}")
    sarif = _input(env, "sarif-file", "iacgov.sarif")
    policy = _input(env, "policy")
    fmt = _input(env, "format", "github")
    outputs = {"sarif-file": sarif}

    if mode == "scan":
        summary = str(Path(env.get("RUNNER_TEMP") or tempfile.gettempdir()) / f"iacgov-summary-{uuid.uuid4().hex}.md")
        outputs["summary-file"] = summary
        args = ["scan", *(_input(env, "path", ".").split()), "--output", f"sarif:{sarif}",
                "--output", f"markdown:{summary}", "--output", fmt, "--fail-on", fail_on]
        if policy:
            args += ["--policy", policy]
        return args, outputs

    event = _event(env)
    pull = event.get("pull_request") or {}
    base = _input(env, "base-ref") or (pull.get("base") or {}).get("sha", "")
    if not base:
        raise ActionError("input base-ref is required in review mode outside a pull_request event")
    head = (pull.get("head") or {}).get("sha") or "HEAD"
    comment = _input(env, "comment-file", "iacgov-review.md")
    # What is posted and summarised is a copy written by this run outside the checkout: a comment file
    # the pull request commits itself must never be taken for the review when iacgov writes none.
    posted = str(Path(env.get("RUNNER_TEMP") or tempfile.gettempdir()) / f"iacgov-review-{uuid.uuid4().hex}.md")
    outputs["comment-file"], outputs["summary-file"] = comment, posted
    args = ["review", "--base", base, "--head", head, "--output", f"sarif:{sarif}",
            "--output", f"markdown:{comment}", "--output", f"markdown:{posted}", "--output", "text"]
    if policy:
        args += ["--policy", policy]
    return args, outputs


def pull_number(event: Mapping[str, Any]) -> int | None:
    """The pull request of a pull_request or pull_request_review event."""
    number = (event.get("pull_request") or {}).get("number", event.get("number"))
    return number if isinstance(number, int) and not isinstance(number, bool) else None


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    """Follow GitHub's redirects (a renamed repository) but never take the token to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 - urllib's signature
        if _origin(newurl) != _origin(req.full_url):
            raise GitHubError(f"{req.get_method()} {_path(req.full_url)}: redirected to another host, not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc


def _path(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class GitHub:
    """The few REST calls the review needs, with the workflow's token."""

    api: str  # GITHUB_API_URL: https://api.github.com, or https://HOST/api/v3 on Enterprise Server
    token: str
    repository: str  # owner/name

    def request(self, method: str, url: str, body: Mapping[str, Any] | None = None) -> tuple[Any, str]:
        """(decoded JSON, Link header) of one request; errors as GitHubError naming method, path and status."""
        if _origin(url) != _origin(self.api):
            raise GitHubError(f"{method} {url}: not on {self.api}, not requested")
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers={
            "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "iacgov-action", "Authorization": f"Bearer {self.token}",
            **({"Content-Type": "application/json"} if data is not None else {})})
        opener = urllib.request.build_opener(_SameOrigin)
        try:
            with opener.open(req, timeout=TIMEOUT) as resp:
                raw = resp.read(MAX_RESPONSE + 1)
                link = resp.headers.get("Link", "")
        except urllib.error.HTTPError as exc:
            raise GitHubError(f"{method} {_path(url)}: HTTP {exc.code} {_message(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise GitHubError(f"{method} {_path(url)}: cannot reach {self.api} ({reason})") from None
        if len(raw) > MAX_RESPONSE:
            raise GitHubError(f"{method} {_path(url)}: answer larger than {MAX_RESPONSE // (1024 * 1024)} MiB")
        try:
            return (json.loads(raw) if raw.strip() else None), link
        except ValueError:
            raise GitHubError(f"{method} {_path(url)}: the answer is not JSON") from None

    def url(self, path: str, **query: Any) -> str:
        return f"{self.api}/{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")

    def paginate(self, path: str) -> list[Any]:
        """Every page of a list, merged into one list (``Link: rel="next"`` followed)."""
        items: list[Any] = []
        url: str | None = self.url(path, per_page=PER_PAGE)
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            page, link = self.request("GET", url)
            if not isinstance(page, list):
                raise GitHubError(f"GET {_path(url)}: expected a JSON array, got {type(page).__name__}")
            items.extend(page)
            found = NEXT.search(link)
            url = found.group(1) if found else None
        if url is None:
            return items
        raise GitHubError(f"GET {path}: more than {MAX_PAGES} pages of {PER_PAGE}")

    def reviews(self, number: int) -> list[Any]:
        return self.paginate(f"repos/{self.repository}/pulls/{number}/reviews")

    def identity(self) -> str | None:
        """The token's login, or None for a workflow or app token (GET /user answers 403 to those)."""
        try:
            user, _ = self.request("GET", self.url("user"))
        except GitHubError:
            return None
        login = user.get("login") if isinstance(user, Mapping) else None
        return login if isinstance(login, str) else None

    def upsert_comment(self, number: int, body: str) -> tuple[str, Mapping[str, Any]]:
        """("created" | "updated", the comment): the marked comment of ours is edited, else one is created."""
        mine = own_comment(self.paginate(f"repos/{self.repository}/issues/{number}/comments"), self.identity())
        if mine is not None:
            done, _ = self.request("PATCH", self.url(f"repos/{self.repository}/issues/comments/{mine}"), {"body": body})
            return "updated", done if isinstance(done, Mapping) else {}
        done, _ = self.request("POST", self.url(f"repos/{self.repository}/issues/{number}/comments"), {"body": body})
        return "created", done if isinstance(done, Mapping) else {}


def own_comment(comments: Sequence[Any], login: str | None) -> int | None:
    """The id of the first comment that starts with the marker and was written by this token's account.

    With a workflow or app token the account is a bot; a marker a person
    pasted into their own comment is not ours to overwrite.
    """
    for comment in comments:
        if not isinstance(comment, Mapping) or not str(comment.get("body") or "").lstrip().startswith(MARKER):
            continue
        user = comment.get("user") if isinstance(comment.get("user"), Mapping) else {}
        ours = user.get("login") == login if login else user.get("type") == "Bot"
        if ours and isinstance(comment.get("id"), int):
            return comment["id"]
    return None


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        text = json.loads(exc.read(64 * 1024)).get("message", "")
    except (ValueError, AttributeError, OSError):
        text = ""
    hint = {401: "(the token is missing or expired)",
            403: "(the token lacks a permission: pull-requests: write, or a fork's read-only token)",
            404: "(no such pull request, or the token cannot see the repository)"}.get(exc.code, "")
    return " ".join(part for part in (str(text)[:200], hint) if part)


def merge_json_arrays(text: str) -> list[Any] | None:
    """The arrays of ``gh api --paginate`` (written back to back) as one, or None if the text is anything else."""
    decoder, pos, merged, count = json.JSONDecoder(), 0, [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return merged if count > 1 else None
        try:
            value, pos = decoder.raw_decode(text, pos)
        except ValueError:
            return None
        if not isinstance(value, list):
            return None
        merged.extend(value)
        count += 1


def github_client(env: Mapping[str, str]) -> GitHub:
    token, repository = _input(env, "github-token"), env.get("GITHUB_REPOSITORY", "")
    if not token:
        raise ActionError("input github-token is empty: the review reads the pull request's reviews with it")
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repository):
        raise ActionError(f"GITHUB_REPOSITORY is {repository!r}, expected owner/name")
    return GitHub((env.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"), token, repository)


def approvals_file(env: Mapping[str, str], number: int | None) -> str | None:
    """The reviews for ``--approvals``: the input's file (its arrays merged) or every page fetched; None without a pull request."""
    temp = Path(env.get("RUNNER_TEMP") or tempfile.gettempdir())
    given = _input(env, "approvals-file")
    if given:
        try:
            merged = merge_json_arrays(Path(given).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            merged = None  # iacgov review reports an unreadable file itself, naming it
        if merged is None:
            return given
        reviews = merged
    elif number is None:
        return None
    else:
        reviews = github_client(env).reviews(number)
    path = temp / f"iacgov-reviews-{uuid.uuid4().hex}.json"
    path.write_text(json.dumps(reviews), encoding="utf-8")
    return str(path)


def post_comment(env: Mapping[str, str], number: int | None, review: Path, code: int) -> str:
    """Create or edit the review comment; its address, or "" when there is none to post.

    When iacgov wrote no review (exit 2), the comment says so: the last push's verdict must not stand.
    """
    if number is None or _input(env, "comment", "true") != "true":
        return ""
    if review.is_file():
        body = review.read_text(encoding="utf-8")
    else:
        body = (f"{MARKER}\n### ⛔ iacgov review — failed\n\niacgov could not review this push "
                f"(exit code {code}); the job log says why.\n")
    if not body.lstrip().startswith(MARKER):
        body = f"{MARKER}\n{body}"
    how, done = github_client(env).upsert_comment(number, body)
    url = str(done.get("html_url") or "")
    print(f"iacgov: review comment {how}{': ' + url if url else ''}")
    return url


def run_iacgov(args: Sequence[str]) -> int:
    from iacgov.cli import main

    from click import ClickException

    try:
        # Not standalone: click returns ctx.exit()'s code instead of exiting.
        code = main.main(args=list(args), prog_name="iacgov", standalone_mode=False)
    except ClickException as exc:  # usage errors: the same one line as on the command line
        exc.show()
        return exc.exit_code
    return code if isinstance(code, int) else 0


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)


def _set_outputs(path: str | None, outputs: Mapping[str, str]) -> None:
    lines = []
    for key, value in outputs.items():
        delimiter = f"iacgov_{uuid.uuid4().hex}"  # GitHub's multi-line syntax: value cannot end it
        lines.append(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
    _append(path, "".join(lines))


def _summary(outputs: dict[str, str], code: int) -> str:
    """The Markdown report iacgov wrote, for the job summary."""
    path = Path(outputs.pop("summary-file"))
    if not path.is_file():
        return f"## iacgov\n\niacgov failed (exit code {code}); see the job log.\n"
    return path.read_text(encoding="utf-8") + "\n"


def main(env: Mapping[str, str] | None = None) -> int:
    if env is None:
        env = dict(os.environ)
        # Kept by this process only: git and anything else iacgov starts never see the token.
        os.environ.pop("INPUT_GITHUB_TOKEN", None)
    env = dict(env)
    mode = _input(env, "mode", "scan")
    try:
        args, outputs = build_command(env)
        number = pull_number(_event(env)) if mode == "review" else None
        if mode == "review":
            approvals = approvals_file(env, number)
            args += ["--approvals", approvals] if approvals else []
    except ActionError as exc:
        print(f"::error title=iacgov::{exc}")
        return 2
    code = run_iacgov(args)
    review = Path(outputs["summary-file"])
    _append(env.get("GITHUB_STEP_SUMMARY"), _summary(outputs, code))
    outputs["exit-code"] = str(code)
    if mode == "review":
        try:
            outputs["comment-url"] = post_comment(env, number, review, code)
        except ActionError as exc:
            # The verdict is the exit code and stands; the comment is its report.
            print(f"::warning title=iacgov::the review comment was not posted: {exc}")
    _set_outputs(env.get("GITHUB_OUTPUT"), outputs)
    if mode == "review" and _input(env, "fail-on", "error") != "error":
        print("::warning title=iacgov::fail-on applies to scan mode only: a blocked review fails the check "
              "(the base branch's policy may set review.advisory)")
    if mode == "scan" and code == 1 and _input(env, "fail-on", "error") == "never":
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
