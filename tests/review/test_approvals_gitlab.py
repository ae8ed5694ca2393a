"""GitLab's merge-request approvals, read directly or converted, and counted by ``iacgov review --approvals``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from iacgov.review.approvals import ApprovalsError
from iacgov.review.approvals_gitlab import gitlab_records, main
from tests.review.gitkit import POLICY, pr, rcli, repo, review_json  # noqa: F401 - fixtures

AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
BUCKET = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n  tags = { env = "prod" }\n}\n'
QUEUE = 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n  tags = { env = "prod" }\n}\n'


def gitlab_answer(*usernames: str | None) -> dict:
    """GitLab's answer to GET /projects/:id/merge_requests/:iid/approvals (fields as GitLab names them)."""
    return {"id": 5, "iid": 5, "project_id": 1, "title": "Queue for the jobs", "state": "opened",
            "approved": bool(usernames), "approvals_required": 1, "approvals_left": 0,
            "approved_by": [{"user": None if name is None else
                             {"name": name.title(), "username": name, "id": i, "state": "active",
                              "web_url": f"https://gitlab.example/{name}"}}
                            for i, name in enumerate(usernames, 1)]}


def as_file(tmp_path: Path, answer: object) -> Path:
    """GitLab's answer saved as it is, for ``--approvals`` to read directly."""
    path = tmp_path / "gitlab-approvals.json"
    path.write_text(json.dumps(answer, indent=2), encoding="utf-8")
    return path


def convert(tmp_path: Path, answer: object, *extra: str) -> Path:
    source, target = tmp_path / "approvals.json", tmp_path / "reviews.json"
    source.write_text(json.dumps(answer), encoding="utf-8")
    assert main([str(source), str(target), *extra]) == 0
    return target


@pytest.fixture
def new_service_pr(pr):
    """One CTO decision (a new service), nothing blocking: the CTO's approval decides."""
    return pr({"main.tf": AWS + BUCKET}, {"queue.tf": QUEUE})


def test_a_gitlab_approval_by_the_cto_satisfies_the_review(new_service_pr, review_json, tmp_path):
    repo, base, _ = new_service_pr
    code, doc = review_json(repo, base, "--approvals", str(convert(tmp_path, gitlab_answer("Alice", "carol"))))
    assert doc["required_approvals"] == [{"authority": "cto", "approvers": ["alice"], "approved_by": ["Alice"],
                                          "satisfied": True}]
    assert code == 0


def test_approvals_by_others_or_deleted_accounts_do_not_count(new_service_pr, review_json, tmp_path):
    repo, base, _ = new_service_pr
    code, doc = review_json(repo, base, "--approvals", str(convert(tmp_path, gitlab_answer("carol", None))))
    assert doc["required_approvals"][0]["approved_by"] == [] and code == 1


def test_head_commit_required_counts_only_approvals_said_to_be_of_the_head(pr, review_json, tmp_path):
    strict = POLICY + "approvals:\n  require_head_commit: true\n"
    repo, base, head = pr({"iacgov.yaml": strict, "main.tf": AWS + BUCKET}, {"queue.tf": QUEUE})
    # GitLab does not say which commit was approved: without --commit, nothing counts.
    code, doc = review_json(repo, base, "--approvals", str(convert(tmp_path, gitlab_answer("alice"))))
    assert doc["required_approvals"][0]["approved_by"] == [] and code == 1
    code, doc = review_json(repo, base, "--approvals", str(convert(tmp_path, gitlab_answer("alice"), "--commit", head)))
    assert doc["required_approvals"][0]["approved_by"] == ["alice"] and code == 0


def test_the_converter_writes_githubs_reviews_shape(tmp_path):
    reviews = json.loads(convert(tmp_path, gitlab_answer("alice", "bob"), "--commit", "a" * 40).read_text())
    assert reviews == [{"user": {"login": "alice"}, "state": "APPROVED", "commit_id": "a" * 40, "submitted_at": ""},
                       {"user": {"login": "bob"}, "state": "APPROVED", "commit_id": "a" * 40, "submitted_at": ""}]


@pytest.mark.parametrize(("content", "message"), [
    ("[]", "expected GitLab's merge request approvals object"),
    ('{"approved_by": {"user": "alice"}}', "'approved_by' is not a list"),
    ('{"approved_by": ["alice"]}', "approved_by[0] is not an object"),
    ('{\n"approved_by": [,]}', "approvals.json:2: invalid JSON"),
])
def test_a_file_that_is_not_gitlabs_answer_is_a_one_line_error(tmp_path, content, message):
    source = tmp_path / "approvals.json"
    source.write_text(content, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "iacgov.review.approvals_gitlab", str(source),
                           str(tmp_path / "reviews.json")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"iacgov: --approvals {source}") and message in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "reviews.json").exists()


def test_records_keep_gitlabs_order_and_approval_time():
    answer = gitlab_answer("alice", "bob")
    answer["approved_by"][1]["approved_at"] = "2026-01-05T11:00:00.000Z"
    records = gitlab_records(answer, Path("a.json"))
    assert [(r.login, r.state, r.submitted_at, r.order) for r in records] == [
        ("alice", "APPROVED", "", 0), ("bob", "APPROVED", "2026-01-05T11:00:00.000Z", 1)]
    with pytest.raises(ApprovalsError, match="a.json: expected GitLab"):
        gitlab_records([], Path("a.json"))


def test_review_reads_gitlabs_approvals_answer_directly(new_service_pr, review_json, tmp_path):
    repo, base, _ = new_service_pr
    code, doc = review_json(repo, base, "--approvals", str(as_file(tmp_path, gitlab_answer("Alice", None, "carol"))))
    assert doc["required_approvals"] == [{"authority": "cto", "approvers": ["alice"], "approved_by": ["Alice"],
                                          "satisfied": True}]
    assert code == 0
    code, doc = review_json(repo, base, "--approvals", str(as_file(tmp_path, gitlab_answer("carol"))))
    assert doc["required_approvals"][0]["approved_by"] == [] and code == 1


def test_gitlabs_answer_read_directly_approves_no_known_commit(pr, review_json, tmp_path):
    """Read as it is, GitLab's answer does not say the head was approved: with
    approvals.require_head_commit nothing counts (blocked, never waved through)."""
    strict = POLICY + "approvals:\n  require_head_commit: true\n"
    repo, base, _ = pr({"iacgov.yaml": strict, "main.tf": AWS + BUCKET}, {"queue.tf": QUEUE})
    code, doc = review_json(repo, base, "--approvals", str(as_file(tmp_path, gitlab_answer("alice"))))
    assert doc["required_approvals"][0]["approved_by"] == [] and code == 1


def test_a_broken_gitlab_answer_given_to_review_is_a_one_line_error(new_service_pr, rcli, tmp_path):
    repo, base, _ = new_service_pr
    bad = as_file(tmp_path, {"approved_by": [{"user": {"username": "alice"}}, "bob"]})
    result = rcli("--repo", repo.path, "--base", base, "--approvals", bad)
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: --approvals {bad}: approved_by[1] is not an object"
