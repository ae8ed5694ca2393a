"""The GitLab CI template (templates/gitlab/iacgov.yml): valid for GitLab, and its jobs' scripts run for real.

The scripts run as a GitLab runner runs them (one bash shell, ``-e`` and
``pipefail``, the job's variables and GitLab's predefined ones) on real
repositories, with this environment's ``iacgov`` on PATH in place of the
``before_script`` install, and a stand-in for ``curl`` that answers what
GitLab's approvals API answers and records what it was asked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from junitparser import JUnitXml

from conftest import DEMO, REPO, SARIF_SCHEMA
from tests.review.gitkit import GIT_ENV, POLICY
from tests.test_workflow_schemas import schema_errors

TEMPLATE = REPO / "templates" / "gitlab" / "iacgov.yml"
TEMPLATE_README = REPO / "templates" / "gitlab" / "README.md"

AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
BUCKET = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n  tags = { env = "prod" }\n}\n'
QUEUE = 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n  tags = { env = "prod" }\n}\n'
TOKEN = "glpat-test-token"
API = "https://gitlab.example/api/v4"

FAKE_CURL = '''#!{python}
"""curl as the template calls it: records its arguments, writes GitLab's answer to --output."""
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_CURL_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\\n")
with open(args[args.index("--output") + 1], "w", encoding="utf-8") as out:
    out.write(os.environ["FAKE_GITLAB_APPROVALS"])
'''


def template() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))


def _merge(base: Any, override: Any) -> Any:
    """GitLab's ``extends``: hashes merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {**base, **{k: _merge(base.get(k), v) for k, v in override.items()}}
    return override


def resolve(doc: dict[str, Any], name: str) -> dict[str, Any]:
    job = doc[name]
    parents = job.get("extends", [])
    merged: dict[str, Any] = {}
    for parent in [parents] if isinstance(parents, str) else parents:
        merged = _merge(merged, resolve(doc, parent))
    return _merge(merged, {k: v for k, v in job.items() if k != "extends"})


def run_script(job: dict[str, Any], cwd: Path, ci: dict[str, str], tools: Path) -> subprocess.CompletedProcess:
    """The job's ``script`` in one bash shell, as a runner does, with iacgov and the fake curl on PATH."""
    env = {**GIT_ENV, **job.get("variables", {}), "CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": str(cwd),
           "NO_COLOR": "1", "PATH": os.pathsep.join([str(tools), os.path.dirname(sys.executable), os.environ["PATH"]]),
           **ci}
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", "\n".join(job["script"])], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    folder = tmp_path / "tools"
    folder.mkdir()
    curl = folder / "curl"
    curl.write_text(FAKE_CURL.format(python=sys.executable), encoding="utf-8")
    curl.chmod(0o755)
    return folder


# --- GitLab's schema ---------------------------------------------------------------------------

def unhidden(doc: dict[str, Any]) -> dict[str, Any]:
    """The jobs under visible names: GitLab's schema accepts anything under a hidden key
    (it may be a YAML anchor), so the hidden jobs are only checked once they are visible."""
    return {name.lstrip("."): job for name, job in doc.items()}


def test_the_template_is_valid_gitlab_ci():
    doc = template()
    assert schema_errors("gitlab-ci", doc) == []
    assert schema_errors("gitlab-ci", unhidden(doc)) == []
    # The jobs GitLab runs for a user who extends them, extends resolved.
    assert schema_errors("gitlab-ci", {name: resolve(doc, f".{name}") for name in ("iacgov-scan", "iacgov-review")}) == []


def test_the_include_example_is_valid_gitlab_ci_and_extends_the_templates_jobs():
    block = re.search(r"^```yaml\n(.*?)^```", TEMPLATE_README.read_text(encoding="utf-8"), flags=re.S | re.M)
    example = yaml.safe_load(block.group(1))
    assert schema_errors("gitlab-ci", example) == []
    assert example["include"][0]["file"] == "templates/gitlab/iacgov.yml"
    # The pipeline GitLab builds from both files is valid too, and every extends names a job of the template.
    pipeline = {**template(), **{k: v for k, v in example.items() if k != "include"}}
    assert schema_errors("gitlab-ci", pipeline) == []
    assert {pipeline[j]["extends"] for j in ("iacgov-scan", "iacgov-review")} <= set(template())


@pytest.mark.parametrize(("change", "where"), [
    (lambda t: t[".iacgov-scan"]["artifacts"]["reports"].update(codequality=5), "iacgov-scan"),
    (lambda t: t[".iacgov-review"].update(rule=[{"if": "$CI_PIPELINE_SOURCE"}]), "iacgov-review"),
    (lambda t: t[".iacgov"].update(image={"nmae": "python:3.12"}), "iacgov"),
])
def test_the_schema_refuses_what_gitlab_refuses(change, where):
    # The checks above pass because the template is right, not because anything passes.
    broken = template()
    change(broken)
    assert any(e.startswith(where) for e in schema_errors("gitlab-ci", unhidden(broken)))


def test_the_jobs_are_hidden_and_the_review_runs_on_merge_requests_with_the_whole_history():
    doc = template()
    assert all(name.startswith(".") for name in doc), "an include must not add jobs of its own"
    review = resolve(doc, ".iacgov-review")
    assert review["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert review["variables"]["GIT_DEPTH"] == "0"
    scan = resolve(doc, ".iacgov-scan")
    assert scan["artifacts"]["reports"] == {"codequality": "gl-code-quality-report.json", "junit": "iacgov-junit.xml"}
    assert "iacgov.sarif" in scan["artifacts"]["paths"] and scan["artifacts"]["when"] == "always"


def test_the_installed_iacgov_is_a_pinned_commit_that_has_what_the_review_job_runs():
    base = template()[".iacgov"]
    spec = base["variables"]["IACGOV_PIP_SPEC"]
    sha = re.fullmatch(r"iacgov @ git\+https://github\.com/iacgov/iacgov@([0-9a-f]{40})", spec).group(1)
    has = subprocess.run(["git", "cat-file", "-e", f"{sha}:src/iacgov/review/approvals_gitlab.py"], cwd=REPO)
    assert has.returncode == 0, f"{sha} is not a commit of this repository with the approvals converter"
    # Installed outside the checkout, in its own environment: nothing from the scanned repository runs.
    assert any('pip install' in line and '"$IACGOV_PIP_SPEC"' in line and "/tmp/" in line
               for line in base["before_script"])


# --- The scan job -------------------------------------------------------------------------------

def test_scan_job_writes_code_quality_junit_and_sarif_and_fails_on_blocking_findings(tmp_path, tools):
    project = tmp_path / "project"
    shutil.copytree(DEMO, project)
    proc = run_script(resolve(template(), ".iacgov-scan"), project, {}, tools)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "LOC001" in proc.stdout  # the text report in the job log

    quality = json.loads((project / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert quality and "LOC001" in {issue["check_name"] for issue in quality}
    for issue in quality:  # what GitLab's widget needs: a repository-relative path and a unique fingerprint
        assert (project / issue["location"]["path"]).is_file(), issue
        assert issue["location"]["lines"]["begin"] >= 1 and issue["severity"] in {"info", "minor", "major"}
    assert len({issue["fingerprint"] for issue in quality}) == len(quality)

    junit = JUnitXml.fromfile(str(project / "iacgov-junit.xml"))
    failed = {case.classname for suite in junit for case in suite if not case.is_passed and not case.is_skipped}
    assert {issue["check_name"] for issue in quality if issue["severity"] == "major"} <= failed

    sarif = json.loads((project / "iacgov.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    assert {issue["check_name"] for issue in quality} <= {r["ruleId"] for r in sarif["runs"][0]["results"]}


def test_scan_job_passes_a_compliant_project_and_reads_its_arguments(tmp_path, tools):
    project = tmp_path / "project"
    (project / "infra").mkdir(parents=True)
    (project / "iacgov.yaml").write_text("version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\n")
    (project / "infra" / "main.tf").write_text(AWS)
    (project / "elsewhere").mkdir()
    (project / "elsewhere" / "main.tf").write_text(AWS.replace("eu-west-3", "us-east-1") + BUCKET)
    job = resolve(template(), ".iacgov-scan")
    job["variables"]["IACGOV_SCAN_ARGS"] = "infra"  # as a user sets it on the extending job
    proc = run_script(job, project, {}, tools)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads((project / "gl-code-quality-report.json").read_text(encoding="utf-8")) == []


# --- The review job -----------------------------------------------------------------------------

def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def merge_request(tmp_path: Path):
    """``build(policy)`` -> (project checkout, base sha, head sha): GitLab's server repository,
    the target branch with the company's infrastructure, the provider's branch adding a queue
    (a new service: the CTO must approve), checked out detached at the head as a runner does."""

    def build(policy: str = POLICY) -> tuple[Path, str, str]:
        server = tmp_path / "server.git"
        _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(server))
        work = tmp_path / "provider"
        _git(tmp_path, "clone", "-q", str(server), str(work))
        (work / "iacgov.yaml").write_text(policy)
        (work / "main.tf").write_text(AWS + BUCKET)
        _git(work, "add", "-A")
        _git(work, "commit", "-q", "-m", "company infrastructure")
        base = _git(work, "rev-parse", "HEAD")
        _git(work, "push", "-q", "origin", "main")
        _git(work, "checkout", "-q", "-b", "provider/queue")
        (work / "queue.tf").write_text(QUEUE)
        _git(work, "add", "-A")
        _git(work, "commit", "-q", "-m", "a queue for the batch jobs")
        head = _git(work, "rev-parse", "HEAD")
        _git(work, "push", "-q", "origin", "provider/queue")
        project = tmp_path / "project"
        _git(tmp_path, "clone", "-q", "--no-checkout", str(server), str(project))
        _git(project, "checkout", "-q", "--detach", head)
        return project, base, head

    return build


def _ci(base: str, head: str, **extra: str) -> dict[str, str]:
    return {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
            "CI_COMMIT_SHA": head, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_MERGE_REQUEST_IID": "7",
            "CI_PROJECT_ID": "42", "CI_API_V4_URL": API, "IACGOV_GITLAB_TOKEN": TOKEN,
            "FAKE_GITLAB_APPROVALS": json.dumps({"iid": 7, "approved": True, "approvals_left": 0, "approved_by": [
                {"user": {"id": 3, "username": "alice", "name": "Alice", "state": "active"}}]}),
            **extra}


def _review(project: Path) -> dict[str, Any]:
    return json.loads((project / "iacgov-review.json").read_text(encoding="utf-8"))


def test_review_job_reads_gitlabs_approvals_and_passes_when_the_cto_approved(merge_request, tools, tmp_path):
    project, base, head = merge_request()
    log = tmp_path / "curl.log"
    proc = run_script(resolve(template(), ".iacgov-review"), project, _ci(base, head, FAKE_CURL_LOG=str(log)), tools)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = _review(project)
    assert (doc["base"]["sha"], doc["head"]["sha"]) == (base, head)
    assert [(c["change_class"], c["authority"]) for c in doc["changes"]] == [("new_service", "cto")]
    assert doc["required_approvals"] == [{"authority": "cto", "approvers": ["alice"], "approved_by": ["alice"],
                                          "satisfied": True}]
    (call,) = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert f"{API}/projects/42/merge_requests/7/approvals" in call and f"PRIVATE-TOKEN: {TOKEN}" in call
    assert "--fail" in call  # an API error fails the job instead of reviewing with no approvals
    assert (project / "iacgov-review.md").read_text(encoding="utf-8").startswith("<!-- iacgov-review -->")
    sarif = json.loads((project / "iacgov-review.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


def test_review_job_is_blocked_when_nobody_listed_approved(merge_request, tools, tmp_path):
    project, base, head = merge_request()
    ci = _ci(base, head, FAKE_CURL_LOG=str(tmp_path / "curl.log"), FAKE_GITLAB_APPROVALS=json.dumps(
        {"approved_by": [{"user": {"username": "mallory"}}]}))
    proc = run_script(resolve(template(), ".iacgov-review"), project, ci, tools)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert _review(project)["verdict"].startswith("blocked: needs approval from the CTO")


def test_review_job_without_a_token_reviews_with_no_approvals(merge_request, tools, tmp_path):
    project, base, head = merge_request()
    ci = _ci(base, head, FAKE_CURL_LOG=str(tmp_path / "curl.log"))
    del ci["IACGOV_GITLAB_TOKEN"]
    proc = run_script(resolve(template(), ".iacgov-review"), project, ci, tools)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "IACGOV_GITLAB_TOKEN is not set" in proc.stderr
    assert not (tmp_path / "curl.log").exists()  # the API was not called
    assert _review(project)["approvals_satisfied"] is False


@pytest.mark.parametrize(("of_head", "code"), [("false", 1), ("true", 0)])
def test_merged_results_pipeline_reviews_the_source_head_and_head_commit_approvals(
        merge_request, tools, tmp_path, of_head, code):
    project, base, head = merge_request(POLICY + "approvals:\n  require_head_commit: true\n")
    # A merged-results pipeline checks out GitLab's merge commit; the change is the source branch's head.
    _git(project, "checkout", "-q", "--detach", base)
    _git(project, "merge", "-q", "--no-ff", "-m", "merge", head)
    merge = _git(project, "rev-parse", "HEAD")
    ci = _ci(base, merge, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA=head, IACGOV_APPROVALS_OF_HEAD=of_head,
             FAKE_CURL_LOG=str(tmp_path / "curl.log"))
    job = resolve(template(), ".iacgov-review")
    job["variables"].pop("IACGOV_APPROVALS_OF_HEAD")  # set by the project, as a user would
    proc = run_script(job, project, ci, tools)
    assert proc.returncode == code, proc.stdout + proc.stderr
    doc = _review(project)
    assert doc["head"]["sha"] == head
    # GitLab does not say which commit was approved: only a project that resets approvals on push may say "the head".
    assert doc["required_approvals"][0]["approved_by"] == ([] if of_head == "false" else ["alice"])
