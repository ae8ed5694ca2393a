"""Approvals, exit codes, git safety and the four output formats."""

from __future__ import annotations

import json
import re

import pytest

from tests.review.gitkit import POLICY, classes, pr, rcli, repo, review_json  # noqa: F401 - fixtures

AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
US = 'provider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}\n'
BUCKET = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n  tags = { env = "prod" }\n}\n'
QUEUE = 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n  tags = { env = "prod" }\n}\n'


def review(login: str, state: str, commit: str, at: str) -> dict:
    return {"id": abs(hash((login, at))) % 10**6, "user": {"login": login, "type": "User"}, "state": state,
            "commit_id": commit, "submitted_at": at, "body": ""}


@pytest.fixture
def new_service_pr(pr):
    """A change with one CTO decision (a new service) and nothing blocking."""
    return pr({"main.tf": AWS + BUCKET}, {"queue.tf": QUEUE})


def write_reviews(tmp_path, reviews) -> str:
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(reviews), encoding="utf-8")
    return str(path)


def test_cto_approval_on_github_satisfies_the_review(new_service_pr, review_json, tmp_path):
    repo, base, head = new_service_pr
    code, doc = review_json(repo, base, "--approvals", write_reviews(tmp_path, [
        review("Alice", "APPROVED", head, "2026-01-05T11:00:00Z")]))
    assert doc["required_approvals"] == [{"authority": "cto", "approvers": ["alice"], "approved_by": ["Alice"],
                                          "satisfied": True}]
    assert doc["approvals_satisfied"] is True and code == 0


def test_changed_mind_after_approval_and_comments_do_not_count(new_service_pr, review_json, tmp_path):
    repo, base, head = new_service_pr
    code, doc = review_json(repo, base, "--approvals", write_reviews(tmp_path, [
        review("alice", "APPROVED", head, "2026-01-05T11:00:00Z"),
        review("alice", "CHANGES_REQUESTED", head, "2026-01-05T12:00:00Z"),
        review("alice", "COMMENTED", head, "2026-01-05T13:00:00Z"),
    ]))
    assert doc["required_approvals"][0]["approved_by"] == [] and code == 1


def test_a_comment_after_an_approval_keeps_it(new_service_pr, review_json, tmp_path):
    repo, base, head = new_service_pr
    code, _ = review_json(repo, base, "--approvals", write_reviews(tmp_path, [
        review("alice", "APPROVED", head, "2026-01-05T11:00:00Z"),
        review("alice", "COMMENTED", head, "2026-01-05T13:00:00Z")]))
    assert code == 0


def test_approver_not_in_the_policy_does_not_count(new_service_pr, review_json, tmp_path):
    repo, base, head = new_service_pr
    code, doc = review_json(repo, base, "--approvals", write_reviews(tmp_path, [
        review("mallory", "APPROVED", head, "2026-01-05T11:00:00Z")]))
    assert code == 1 and doc["required_approvals"][0]["approved_by"] == []
    assert doc["approvals_not_counted"] == ["mallory: approved, but is not listed in the base policy's approvers"]


def test_stale_approval_with_require_head_commit(pr, review_json, tmp_path):
    policy = POLICY + "approvals:\n  require_head_commit: true\n"
    repo, base, head = pr({"iacgov.yaml": policy, "main.tf": AWS + BUCKET}, {"queue.tf": QUEUE})
    reviews = write_reviews(tmp_path, [review("alice", "APPROVED", base, "2026-01-05T11:00:00Z")])
    code, doc = review_json(repo, base, "--approvals", reviews)
    assert code == 1
    assert doc["approvals_not_counted"] == [
        f"alice: approved {base[:12]}, not the head commit (approvals.require_head_commit)"]
    # without the setting, the same approval counts
    repo.write({"iacgov.yaml": POLICY})
    repo.commit("base without require_head_commit")
    repo.git("checkout", "-q", "-b", "pr2")
    repo.write({"queue.tf": QUEUE.replace("jobs", "jobs2")})
    head2 = repo.commit("queue again")
    code, doc = review_json(repo, "main", "--approvals", write_reviews(tmp_path, [
        review("alice", "APPROVED", base, "2026-01-05T11:00:00Z")]), head=head2)
    assert doc["approvals_not_counted"] == []


def test_approved_by_for_other_forges(new_service_pr, review_json):
    repo, base, _ = new_service_pr
    code, doc = review_json(repo, base, "--approved-by", "@ALICE")
    assert code == 0 and doc["required_approvals"][0]["approved_by"] == ["ALICE"]


def test_strategic_needs_its_own_approver(pr, review_json):
    gcs = 'resource "google_storage_bucket" "eu" {\n  name = "acme-eu"\n  location = "europe-west9"\n}\n'
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"gcp.tf": gcs})
    code, doc = review_json(repo, base, "--approved-by", "bob")
    assert code == 0 and doc["required_approvals"] == [
        {"authority": "strategic", "approvers": ["alice", "bob"], "approved_by": ["bob"], "satisfied": True}]


def test_new_blocking_finding_fails_even_when_approved(pr, review_json):
    queue = 'resource "aws_sqs_queue" "jobs" {\n  provider = aws.us\n  name = "jobs"\n}\n'
    repo, base, _ = pr({"main.tf": AWS + US + BUCKET + QUEUE.replace("jobs", "x")}, {"jobs.tf": queue})
    code, doc = review_json(repo, base, "--approved-by", "alice", "--approved-by", "bob")
    assert doc["approvals_satisfied"] is True and code == 1
    assert doc["verdict"] == "blocked: 1 new blocking finding"


@pytest.mark.parametrize("args, message", [
    (("--base", "no-such-ref"), "--base no-such-ref: not a commit in"),
    (("--base", "HEAD", "--head", "--help-me"), "--head --help-me: not a commit in"),
    (("--base", "HEAD", "--policy", "missing.yaml"), "--policy missing.yaml: no such file in the base commit"),
])
def test_usage_errors_exit_2_with_one_line(new_service_pr, rcli, args, message):
    repo, _, _ = new_service_pr
    result = rcli("--repo", repo.path, *args)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_not_a_git_repository(rcli, tmp_path):
    result = rcli("--repo", tmp_path, "--base", "HEAD")
    assert result.exit_code == 2 and "not a git repository" in result.output


def test_bad_approvals_file(new_service_pr, rcli, tmp_path):
    repo, base, _ = new_service_pr
    bad = tmp_path / "r.json"
    bad.write_text("{not json", encoding="utf-8")
    result = rcli("--repo", repo.path, "--base", base, "--approvals", bad)
    assert result.exit_code == 2 and f"--approvals {bad}:1: invalid JSON" in result.output


def test_invalid_base_policy_is_a_usage_error(pr, rcli):
    repo, base, _ = pr({"iacgov.yaml": "version: 1\ndecisions:\n  new_regoin: cto\n"}, {"x.tf": QUEUE})
    result = rcli("--repo", repo.path, "--base", base)
    assert result.exit_code == 2 and "iacgov.yaml:3: decisions.new_regoin: " in result.output
    assert "did you mean 'new_region'?" in result.output


def test_trees_come_from_git_objects_not_the_working_tree(new_service_pr, review_json):
    repo, base, _ = new_service_pr
    (repo.path / "dirty.tf").write_text('resource "google_storage_bucket" "x" {\n  name = "x"\n}\n')
    (repo.path / "queue.tf").unlink()
    _, doc = review_json(repo, base)
    assert classes(doc) == [("new_service", "cto", "aws_sqs_queue.jobs")]
    assert (repo.path / "dirty.tf").exists()  # the working tree is untouched


def test_no_filter_driver_runs_and_links_are_not_followed(pr, review_json, tmp_path):
    marker = tmp_path / "filter-ran"
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {".gitattributes": "*.tf filter=evil\n", "queue.tf": QUEUE})
    repo.git("config", "filter.evil.smudge", f"touch {marker}; cat")
    repo.git("config", "filter.evil.clean", "cat")
    (repo.path / "link.tf").symlink_to(tmp_path / "secret.tf")
    (tmp_path / "secret.tf").write_text(QUEUE.replace("jobs", "secret"))
    repo.commit("link")
    code, doc = review_json(repo, base)
    assert not marker.exists()
    assert f"link.tf: symbolic link to {tmp_path / 'secret.tf'}, outside the repository: not read" in doc["skipped"]
    assert "aws_sqs_queue.secret" not in json.dumps(doc)
    assert ("unanalysed_change", "cto", "link.tf") in classes(doc) and code == 1


HOSTILE = ['<img src=x onerror=alert(1)>', '@org/team', 'a|b', '```', 'line\nbreak', '`tick`']


def _outside_code(line: str) -> str:
    """The parts of a Markdown line that are not code spans (CommonMark: a run
    of N backticks closes only with a run of exactly N)."""
    out, i = [], 0
    while i < len(line):
        m = re.compile(r"`+").search(line, i)
        if not m:
            out.append(line[i:])
            break
        out.append(line[i:m.start()])
        close = re.compile(r"(?<!`)" + m.group() + r"(?!`)").search(line, m.end())
        assert close, f"unclosed code span in {line!r}"
        i = close.end()
    return "".join(out)


def test_hostile_names_come_out_inert_in_markdown(pr, rcli):
    keys = ", ".join(json.dumps(k) for k in HOSTILE)
    hostile = ('resource "aws_s3_bucket" "h" {\n  for_each = toset([%s])\n  bucket = each.key\n'
               '  tags = { env = "@org/team <b>x</b> | `y`" }\n}\n' % keys)
    repo, base, _ = pr({"main.tf": AWS + QUEUE}, {"hostile.tf": hostile})
    out = rcli("--repo", repo.path, "--base", base, "--format", "markdown").output
    assert out.startswith("<!-- iacgov-review -->\n")
    assert "aws_s3_bucket.h" in out and "@org/team" in out  # the names are there...
    for line in out.splitlines():
        plain = _outside_code(line)  # ...and outside code spans nothing is live:
        assert "<img" not in plain and "<b>" not in plain, line
        assert re.search(r"@(?!\u200b)\w", plain) is None, line  # no mention
        if line.startswith("| "):  # every row has the cells of its table
            assert len(re.split(r"(?<!\\)\|", plain)) - 2 in (4, 5, 6), line
    assert "\nbreak" not in out  # the new line in a name does not end a row
    cost_rows = [line for line in out.splitlines() if line.startswith("| `` @org/team")]
    assert len(cost_rows) == 1 and cost_rows[0].count("$") == 3


def test_sarif_is_valid_and_has_one_chg_result_per_decision(new_service_pr, rcli, validate_sarif):
    repo, base, _ = new_service_pr
    result = rcli("--repo", repo.path, "--base", base, "--format", "sarif")
    log = validate_sarif(json.loads(result.output))
    run = log["runs"][0]
    assert run["automationDetails"]["id"] == "iacgov/review/"
    chg = [r for r in run["results"] if r["ruleId"].startswith("CHG")]
    assert [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in chg] == [
        ("CHG003", "error", "queue.tf", 1)]
    rule = next(d for d in run["tool"]["driver"]["rules"] if d["id"] == "CHG003")
    assert rule["name"] == "new-service" and "approvers.<authority>" in rule["help"]["markdown"]
    assert result.exit_code == 1


def test_outputs_to_files_and_text(new_service_pr, rcli, tmp_path):
    repo, base, _ = new_service_pr
    md, js = tmp_path / "review.md", tmp_path / "review.json"
    result = rcli("--repo", repo.path, "--base", base, "--output", f"markdown:{md}",
                 "--output", f"json:{js}", "--output", "text")
    assert result.output.startswith("iacgov review: blocked: needs approval from the CTO")
    assert md.read_text().startswith("<!-- iacgov-review -->")
    assert set(json.loads(js.read_text())) >= {"changes", "required_approvals", "approvals_satisfied", "cost",
                                               "new_findings", "resolved_findings"}
    # deterministic: the same review twice gives the same bytes
    again = rcli("--repo", repo.path, "--base", base, "--format", "markdown")
    assert again.output == md.read_text()
