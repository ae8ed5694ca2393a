"""A provider's pull request cannot fool the review: each trick is blocked
(exit 1) with the decision that says why, and the same repository without
the trick is reviewed as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.review.gitkit import GIT_ENV, POLICY, classes, pr, rcli, repo, review_json  # noqa: F401 - fixtures

AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
BUCKET = 'resource "aws_s3_bucket" "%s" {\n  bucket = "acme-%s"\n  tags = { env = "prod" }\n}\n'
# A public, unencrypted, huge database in a region the policy does not allow.
SHADOW_DB = """\
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}
resource "aws_db_instance" "shadow" {
  provider            = aws.us
  engine              = "postgres"
  instance_class      = "db.r5.24xlarge"
  allocated_storage   = 500
  publicly_accessible = true
  storage_encrypted   = false
  tags = { env = "prod" }
}
"""


def link(repo, path: str, target: str) -> None:
    """A symbolic link committed as git stores it (mode 120000, the target as its blob)."""
    full = repo.path / path
    full.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, full)


def decided(doc: dict, change_class: str) -> list[dict]:
    return [c for c in doc["changes"] if c["change_class"] == change_class]


# --------------------------------------------------------------------------- symbolic links


def test_a_link_to_a_text_file_is_read_as_terraform_reads_it(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")}, {"docs/notes.txt": SHADOW_DB})
    code, doc = review_json(repo, base)
    assert code == 0 and doc["changes"] == []  # a text file alone is not configuration

    link(repo, "shadow.tf", "docs/notes.txt")
    repo.commit("shadow")
    code, doc = review_json(repo, base)
    assert code == 1
    assert ("new_region", "cto", "aws_db_instance.shadow") in classes(doc)
    assert ("new_service", "cto", "aws_db_instance.shadow") in classes(doc)
    assert {f["code"] for f in doc["new_findings"] if f["address"] == "aws_db_instance.shadow"} >= {"LOC001", "ENC001"}
    region = decided(doc, "new_region")[0]
    assert region["file"] == "shadow.tf"  # the link's path, as Terraform names the file


def test_a_link_into_a_folder_above_it_resolves_inside_the_commit(pr, review_json):
    repo, base, _ = pr({"envs/prod/main.tf": AWS + BUCKET % ("data", "data")}, {"shared/db.txt": SHADOW_DB})
    link(repo, "envs/prod/db.tf", "../../shared/db.txt")
    repo.commit("shared db")
    code, doc = review_json(repo, base)
    assert code == 1 and ("new_region", "cto", "aws_db_instance.shadow") in classes(doc)


def test_a_linked_auto_tfvars_is_read(pr, review_json):
    main = AWS + ('variable "size" {\n  default = "db.t3.micro"\n}\n'
                  'resource "aws_db_instance" "app" {\n  engine = "postgres"\n  instance_class = var.size\n'
                  '  allocated_storage = 20\n  storage_encrypted = true\n  tags = { env = "prod" }\n}\n')
    repo, base, _ = pr({"main.tf": main}, {"docs/sizing.txt": 'size = "db.r5.24xlarge"\n'})
    code, doc = review_json(repo, base)
    assert code == 0 and doc["changes"] == []

    link(repo, "prod.auto.tfvars", "docs/sizing.txt")
    repo.commit("sizing")
    code, doc = review_json(repo, base)
    assert code == 1
    over = decided(doc, "cost_over_envelope")
    assert [c["address"] for c in over] == ["aws_db_instance.app"]
    assert doc["resources"][0]["attributes"] == [
        {"path": "instance_class", "before": "db.t3.micro", "after": "db.r5.24xlarge"}]


@pytest.mark.parametrize("target, reason", [
    ("../../outside.tf", "symbolic link to ../../outside.tf, outside the repository: not read"),
    ("/etc/passwd", "symbolic link to /etc/passwd, outside the repository: not read"),
    ("loop-b.tf", "symbolic link chain longer than 8 links (a cycle?): not read"),
    ("modules", "symbolic link to the directory modules: not followed, not read"),
])
def test_a_link_that_cannot_be_followed_is_an_unanalysed_change(pr, review_json, target, reason):
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data"), "modules/x/main.tf": BUCKET % ("x", "x")}, {})
    link(repo, "extra.tf", target)
    if target == "loop-b.tf":
        link(repo, "loop-b.tf", "extra.tf")
    repo.commit("link")
    code, doc = review_json(repo, base)
    assert code == 1
    unread = decided(doc, "unanalysed_change")
    assert ("unanalysed_change", "cto", "extra.tf") in classes(doc)
    assert next(c for c in unread if c["address"] == "extra.tf")["detail"] == (
        f"file not analysed, touched by the change: extra.tf: {reason}")
    assert f"extra.tf: {reason}" in doc["skipped"]


# --------------------------------------------------------------------------- moved blocks


def _moved(source: str, target: str) -> str:
    return f"moved {{\n  from = {source}\n  to   = {target}\n}}\n"


def test_a_move_onto_an_address_base_already_has_is_a_deletion(pr, review_json):
    base_files = {"main.tf": AWS + BUCKET % ("data", "data") + BUCKET % ("logs", "logs")}
    repo, base, _ = pr(base_files, {"main.tf": AWS + BUCKET % ("logs", "logs")
                                    + _moved("aws_s3_bucket.data", "aws_s3_bucket.logs")})
    code, doc = review_json(repo, base)
    assert code == 1
    deleted = decided(doc, "stateful_delete")
    assert [(c["address"], c["side"]) for c in deleted] == [("aws_s3_bucket.data", "base")]
    assert deleted[0]["detail"] == (
        "aws_s3_bucket deleted (its data is destroyed); moved block to aws_s3_bucket.logs not applied: "
        "aws_s3_bucket.logs already exists in base, so Terraform keeps it and destroys aws_s3_bucket.data")


def test_a_plain_rename_with_a_moved_block_stays_a_move(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")},
                       {"main.tf": AWS + BUCKET % ("logs", "data") + _moved("aws_s3_bucket.data", "aws_s3_bucket.logs")})
    code, doc = review_json(repo, base)
    assert code == 0 and doc["changes"] == []
    assert [(r["action"], r["address"], r["previous_address"]) for r in doc["resources"]] == [
        ("moved", "aws_s3_bucket.logs", "aws_s3_bucket.data")]


def test_a_move_across_resource_types_is_a_deletion(pr, review_json):
    table = 'resource "aws_dynamodb_table" "data" {\n  name = "data"\n  hash_key = "id"\n  tags = { env = "prod" }\n}\n'
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data") + table.replace('"data"', '"old"', 1)},
                       {"main.tf": AWS + table + table.replace('"data"', '"old"', 1)
                        + _moved("aws_s3_bucket.data", "aws_dynamodb_table.data")})
    code, doc = review_json(repo, base)
    assert code == 1
    deleted = decided(doc, "stateful_delete")
    assert [c["address"] for c in deleted] == ["aws_s3_bucket.data"]
    assert "moves a resource aws_s3_bucket to a resource aws_dynamodb_table: Terraform refuses" in deleted[0]["detail"]


def test_a_chain_of_moves_is_followed_and_a_cycle_is_refused(pr, review_json):
    chain = _moved("aws_s3_bucket.data", "aws_s3_bucket.tmp") + _moved("aws_s3_bucket.tmp", "aws_s3_bucket.logs")
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")}, {"main.tf": AWS + BUCKET % ("logs", "data") + chain})
    code, doc = review_json(repo, base)
    assert code == 0 and [r["action"] for r in doc["resources"]] == ["moved"]

    cycle = _moved("aws_s3_bucket.data", "aws_s3_bucket.logs") + _moved("aws_s3_bucket.logs", "aws_s3_bucket.data")
    repo.write({"main.tf": AWS + BUCKET % ("logs", "data") + cycle})
    repo.commit("cycle")
    code, doc = review_json(repo, base)
    assert code == 1
    deleted = decided(doc, "stateful_delete")
    assert [c["address"] for c in deleted] == ["aws_s3_bucket.data"]
    assert "the moved blocks form a cycle: Terraform refuses them" in deleted[0]["detail"]


@pytest.mark.parametrize("name", [".moves.tf", "#moves.tf", "moves.tf~"])
def test_a_moved_block_in_a_file_terraform_ignores_is_not_believed(pr, review_json, name):
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")},
                       {"main.tf": AWS + BUCKET % ("logs", "data"),
                        name: _moved("aws_s3_bucket.data", "aws_s3_bucket.logs")})
    code, doc = review_json(repo, base)
    assert code == 1
    deleted = decided(doc, "stateful_delete")
    assert [(c["address"], c["side"]) for c in deleted] == [("aws_s3_bucket.data", "base")]
    if name == ".moves.tf":
        assert "written in .moves.tf, a dotfile, which Terraform ignores" in deleted[0]["detail"]
    elif name == "#moves.tf":
        assert "an editor backup file, which Terraform ignores" in deleted[0]["detail"]


# --------------------------------------------------------------------------- coverage decides the verdict


def test_a_remote_module_added_is_an_unanalysed_change(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")}, {})
    code, doc = review_json(repo, base)
    assert code == 0
    repo.write({"db.tf": 'module "db" {\n  source  = "terraform-aws-modules/rds/aws"\n  version = "6.0.0"\n}\n'})
    repo.commit("remote module")
    code, doc = review_json(repo, base)
    assert code == 1
    unread = decided(doc, "unanalysed_change")
    assert [(c["address"], c["file"], c["line"]) for c in unread] == [("module.db", "db.tf", 1)]
    assert "remote modules are never downloaded" in unread[0]["detail"]


def test_a_missing_local_module_is_an_unanalysed_change(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")},
                       {"db.tf": 'module "db" {\n  source = "./modules/db"\n}\n'})
    code, doc = review_json(repo, base)
    assert code == 1
    assert [c["address"] for c in decided(doc, "unanalysed_change")] == ["module.db"]


def test_a_submodule_used_as_a_local_module_is_an_unanalysed_change(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")},
                       {"db.tf": 'module "db" {\n  source = "./modules/db"\n}\n'})
    sha = repo.git("rev-parse", "HEAD")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sha},modules/db")
    repo.git("commit", "-q", "-m", "db as a submodule")
    code, doc = review_json(repo, base)
    assert code == 1
    unread = {c["address"]: c["detail"] for c in decided(doc, "unanalysed_change")}
    assert "modules/db" in unread and "submodule" in unread["modules/db"]
    assert "module.db" in unread


@pytest.mark.parametrize("folder", ["vendor/prod", ".infra"])
def test_a_root_module_outside_discovery_is_an_unanalysed_change(pr, review_json, folder):
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")}, {f"{folder}/notes.md": "notes\n"})
    code, doc = review_json(repo, base)
    assert code == 0
    repo.write({f"{folder}/main.tf": SHADOW_DB})
    repo.commit("hidden root")
    code, doc = review_json(repo, base)
    assert code == 1
    unread = decided(doc, "unanalysed_change")
    assert [(c["address"], c["authority"]) for c in unread] == [(f"{folder}/main.tf", "cto")]
    assert "in a folder iacgov does not scan" in unread[0]["detail"]


def test_a_blob_over_the_file_limit_is_an_unanalysed_change(pr, review_json):
    big = BUCKET % ("big", "big") + "# padding\n" * 300
    small = BUCKET % ("big", "big")
    limited = POLICY + "limits:\n  max_file_bytes: 2048\n"
    repo, base, _ = pr({"iacgov.yaml": limited, "main.tf": AWS + BUCKET % ("data", "data")}, {"big.tf": big})
    code, doc = review_json(repo, base)
    assert code == 1
    unread = decided(doc, "unanalysed_change")
    assert [c["address"] for c in unread] == ["big.tf"]
    assert "larger than the 2,048-byte file limit" in unread[0]["detail"]
    repo.write({"big.tf": small})
    repo.commit("small")
    code, doc = review_json(repo, base)  # within the limit: read, a new bucket only
    assert code == 0 and [r["address"] for r in doc["resources"]] == ["aws_s3_bucket.big"]


def test_the_routing_of_unanalysed_changes_is_the_base_policy_s(pr, review_json):
    repo, base, _ = pr({"iacgov.yaml": POLICY + "decisions:\n  unanalysed_change: strategic\n",
                        "main.tf": AWS + BUCKET % ("data", "data")},
                       {"db.tf": 'module "db" {\n  source = "git::https://example.invalid/db.git"\n}\n'})
    code, doc = review_json(repo, base)
    assert ("unanalysed_change", "strategic", "module.db") in classes(doc)
    assert doc["verdict"] == "blocked: needs approval from the strategic committee"


def test_an_unchanged_remote_module_does_not_block_an_unrelated_change(pr, review_json):
    remote = 'module "db" {\n  source  = "terraform-aws-modules/rds/aws"\n}\n'
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data"), "db.tf": remote}, {"README.md": "docs\n"})
    code, doc = review_json(repo, base)
    assert code == 0 and doc["changes"] == []


# --------------------------------------------------------------------------- cost that cannot be known


DB = """\
resource "aws_db_instance" "app" {
  engine            = "postgres"
  instance_class    = %s
  allocated_storage = %s
  storage_encrypted = true
  tags = { env = "prod" }
}
"""


@pytest.mark.parametrize("klass, storage, why", [
    ('"db.zz9.huge"', "20", "no price for rds:postgres:single-az:db.zz9.huge in eu-west-3 in the catalog"),
    ('file("size.txt")', "20", "instance class is not known"),
    ('"db.t3.medium"', "-50", "allocated storage is not known: -50 is negative: not a valid size"),
    ('"db.t3.medium"', "1e308", "allocated storage is not known: 1e+308 is larger than any real size"),
])
def test_a_size_head_cannot_price_is_over_the_envelope(pr, review_json, klass, storage, why):
    repo, base, _ = pr({"main.tf": AWS + DB % ('"db.t3.medium"', "20"), "size.txt": "db.r5.24xlarge\n"},
                       {"main.tf": AWS + DB % (klass, storage)})
    code, doc = review_json(repo, base)
    assert code == 1
    assert decided(doc, "resize_within_envelope") == []
    over = decided(doc, "cost_over_envelope")
    assert [(c["address"], c["authority"]) for c in over] == [("aws_db_instance.app", "cto")]
    assert over[0]["detail"].startswith("prod: the monthly change cannot be known — priced in base, not priceable "
                                        "in head: aws_db_instance.app: ")
    assert why in over[0]["detail"] and over[0]["detail"].endswith("treated as over the envelope ($100.00)")
    prod = doc["cost"]["by_environment"]["prod"]
    assert prod["delta"] is None and prod["unknown_because"][0].startswith("aws_db_instance.app: ")


def test_a_priceable_resize_is_still_the_provider_s(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + DB % ('"db.t3.medium"', "20")}, {"main.tf": AWS + DB % ('"db.t3.large"', "20")})
    code, doc = review_json(repo, base)
    assert classes(doc) == [("resize_within_envelope", "provider", "aws_db_instance.app")]
    assert code == 0


def test_absurd_sizes_are_no_traceback_in_cost_and_report(cli, tmp_path):
    (tmp_path / "main.tf").write_text(AWS + DB % ('"db.t3.medium"', "1e308") + DB.replace('"app"', '"neg"')
                                      % ('"db.t3.medium"', "-5"))
    result = cli("cost", str(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    reasons = {u["address"]: u["reason"] for u in doc["unpriced"]}
    assert "1e+308 is larger than any real size" in reasons["aws_db_instance.app"]
    assert "-5 is negative: not a valid size" in reasons["aws_db_instance.neg"]
    report = cli("report", str(tmp_path), "--output", str(tmp_path / "r.html"))
    assert report.exit_code in (0, 1) and "Traceback" not in report.output, report.output


# --------------------------------------------------------------------------- the gate's own files


@pytest.mark.parametrize("path, text", [
    ("CODEOWNERS", "* @acme/platform\n"),
    (".github/CODEOWNERS", "/iacgov.yaml @acme/cto\n"),
    ("docs/CODEOWNERS", "/.github/ @acme/cto\n"),
    (".pre-commit-config.yaml", "repos:\n  - repo: https://github.com/acme/iacgov\n    rev: v0.1.0\n"
                                "    hooks: [{id: iacgov}]\n"),
    (".github/workflows/gov.yml", "on: pull_request\njobs:\n  r:\n    runs-on: ubuntu-latest\n    steps:\n"
                                  "      - uses: acme/iacgov@v0.1.0\n"),
    (".ci/review.sh", "#!/bin/sh\niacgov review --base origin/main\n"),
])
def test_changes_to_the_gate_are_pipeline_changes(pr, review_json, path, text):
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data"), path: text},
                       {path: text.replace("v0.1.0", "v0.0.1-fork").replace("@acme/", "@provider/")
                        .replace("--base", "--base HEAD #")})
    code, doc = review_json(repo, base)
    assert code == 1
    assert [(c["change_class"], c["authority"], c["address"]) for c in doc["changes"]] == [
        ("pipeline_change", "strategic", path)]


# --------------------------------------------------------------------------- hostile input


def test_a_relative_path_entry_cannot_plant_git(pr, rcli, tmp_path, monkeypatch):
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")}, {"README.md": "docs\n"})
    marker = tmp_path / "planted-git-ran"
    planted = repo.path / "bin"
    planted.mkdir()
    (planted / "git").write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    (planted / "git").chmod(0o755)
    monkeypatch.chdir(repo.path)
    monkeypatch.setenv("PATH", os.pathsep.join(["bin", "", os.environ["PATH"]]))
    result = rcli("--repo", ".", "--base", base, "--format", "json")
    assert result.exit_code == 0, result.output
    assert not marker.exists()


def test_find_executable_skips_relative_and_empty_entries(tmp_path, monkeypatch):
    from iacgov.executables import ExecutableNotFound, find_executable, trusted_path

    (tmp_path / "tool").write_text("#!/bin/sh\n")
    (tmp_path / "tool").chmod(0o755)
    monkeypatch.chdir(tmp_path)
    assert trusted_path(f".{os.pathsep}{os.pathsep}/usr/bin{os.pathsep}rel") == "/usr/bin"
    with pytest.raises(ExecutableNotFound):
        find_executable("tool", f".{os.pathsep}{os.pathsep}rel")
    assert find_executable("tool", str(tmp_path)) == str(tmp_path / "tool")


def test_blobs_are_streamed_and_the_commit_total_is_bounded(repo, tmp_path):
    from iacgov.review.gitrepo import Repository

    repo.write({"main.tf": BUCKET % ("data", "data"), **{f"pad{i}.txt": "x" * 5000 for i in range(6)}})
    repo.commit("base")
    git = Repository(repo.path)
    commit = git.commit("HEAD", "--head")
    target = tmp_path / "out"
    target.mkdir()
    done = git.materialise(commit, target, max_file_bytes=10_000, max_total_bytes=12_000)
    assert "main.tf" in done.written and (target / "main.tf").read_text() == BUCKET % ("data", "data")
    assert len([p for p in done.written if p.startswith("pad")]) == 2  # smallest first, then the budget
    assert [s.reason for s in done.skipped] == ["over the 12,000 bytes the review reads from one commit: not read"] * 4
    assert len(done.skipped) == 4 and not any((target / s.path).exists() for s in done.skipped)


def test_review_json_and_sarif_escape_bidi_controls(pr, rcli):
    sneaky = "acme\u202egnp\u2066\u2028x\u0085.tf"  # a file name that reads backwards in a terminal
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")}, {})
    link(repo, sneaky, "/etc/passwd")
    repo.commit("sneaky link")
    for fmt in ("json", "sarif"):
        result = rcli("--repo", repo.path, "--base", base, "--format", fmt)
        assert result.exit_code == 1, result.output
        for ch in "\u202e\u2066\u2028\u0085":
            assert ch not in result.output
        assert "acme\\u202egnp\\u2066\\u2028x\\u0085.tf" in result.output
        assert sneaky in json.dumps(json.loads(result.output), ensure_ascii=False)  # the data is unchanged


def test_sigterm_removes_the_temporary_trees(pr, tmp_path):
    """A cancelled CI job sends SIGTERM: the copies of both commits are removed."""
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")}, {"README.md": "docs\n"})
    ready = tmp_path / "ready"
    script = f"""
import pathlib, sys, tempfile, time
import iacgov.review.run as run
from iacgov.plugins import load_plugins
def slow_scan(request, host):
    pathlib.Path({str(ready)!r}).write_text(str(request.paths[0].parent))
    time.sleep(60)
run.scan = slow_scan
run.run_review(run.ReviewRequest(repo=pathlib.Path({str(repo.path)!r}), base={base!r}), load_plugins())
"""
    env = {**GIT_ENV, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        for _ in range(600):
            if ready.exists() and ready.read_text():
                break
            if proc.poll() is not None:
                break
            subprocess.run(["sleep", "0.05"])
        tmp = ready.read_text()
        assert os.path.isdir(tmp)
        proc.terminate()
        assert proc.wait(timeout=30) == 128 + 15
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not os.path.exists(tmp)


# --------------------------------------------------------------------------- override files (the parser applies them)

SAFE_DB = DB % ('"db.t3.medium"', "20")


def test_an_override_file_is_applied_as_terraform_applies_it(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + SAFE_DB}, {"notes_override.md": "not a Terraform file\n"})
    code, doc = review_json(repo, base)
    assert code == 0 and doc["changes"] == []
    repo.write({"db_override.tf": 'resource "aws_db_instance" "app" {\n  storage_encrypted = false\n}\n'})
    repo.commit("override")
    code, doc = review_json(repo, base)
    assert code == 1
    downgrades = decided(doc, "security_downgrade")
    assert [(c["address"], c["file"]) for c in downgrades][:1] == [("aws_db_instance.app", "db_override.tf")]


def test_a_file_that_cannot_be_read_is_an_unanalysed_change(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")}, {"db.tf": 'resource "aws_db_instance" "x" {\n'})
    code, doc = review_json(repo, base)
    assert code == 1
    unread = decided(doc, "unanalysed_change")
    assert [(c["address"], c["file"]) for c in unread] == [("db.tf", "db.tf")]
    assert doc["verdict"].startswith("blocked: needs approval from the CTO")


def test_review_sarif_carries_the_heads_coverage(pr, rcli, validate_sarif):
    """What the review read of the head is what its SARIF says was analysed,
    and a remote module the head adds is counted as a module call not analysed."""
    repo, base, _ = pr({"main.tf": AWS + BUCKET % ("data", "data")},
                       {"extra.tf": 'module "bucket" {\n  source = "terraform-aws-modules/s3-bucket/aws"\n}\n'})
    result = rcli("--repo", repo.path, "--base", base, "--format", "sarif")
    assert result.exit_code == 1, result.output
    log = json.loads(result.output)
    validate_sarif(log)
    coverage = log["runs"][0]["properties"]["coverage"]
    assert (coverage["files_analysed"], coverage["resources_analysed"], coverage["modules_not_analysed"]) == (2, 1, 1)
    assert coverage["not_analysed"][0]["subject"] == "module.bucket"
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False
