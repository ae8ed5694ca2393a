"""The evaluation cache (iacgov.evalcache): a warm run writes the bytes an
uncached run writes, and re-evaluates only the root modules whose inputs changed."""

from __future__ import annotations

import inspect
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import iacgov.evalcache as evalcache
from iacgov.cli import main
from iacgov.parsers.terraform.project import Project

POLICY = """\
version: 1
data_location:
  allowed_regions:
    aws: [eu-west-3, eu-west-1]
continuity:
  min_backup_retention_days: {prod: 14, default: 1}
  redundant_environments: [prod]
tags:
  required: [env, app]
cost:
  environment_tag: env
  application_tag: app
  budgets: {prod: 100, dev: 50}
logging:
  min_retention_days: 30
"""

DB = """\
variable "name" {
  type = string
}

variable "env" {
  type = string
}

resource "aws_db_instance" "main" {
  identifier              = var.name
  engine                  = "postgres"
  instance_class          = "db.m5.large"
  allocated_storage       = 100
  storage_encrypted       = false
  backup_retention_period = 1
  tags                    = { env = var.env }
}
"""


def root(i: int, env: str, region: str) -> str:
    return f"""\
provider "aws" {{
  region = "{region}"
}}

variable "app" {{
  type = string
}}

module "db" {{
  source = "../../modules/db"
  name   = "db{i}"
  env    = "{env}"
}}

resource "aws_ebs_volume" "data" {{
  availability_zone = "{region}a"
  size              = 200
  tags              = {{ env = "{env}", app = var.app }}
}}

resource "aws_s3_bucket" "logs" {{
  for_each = toset(["a", "b"])
  bucket   = "logs-{i}-${{each.key}}"
  tags     = {{ env = "{env}" }}
}}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {{
  bucket = aws_s3_bucket.logs["a"].id
  rule {{
    id     = "expire"
    status = "Enabled"
    expiration {{
      days = 7
    }}
  }}
}}
"""


def estate(folder: Path) -> Path:
    files = {"iacgov.yaml": POLICY, "modules/db/main.tf": DB}
    for i in range(5):
        env, region = ("prod", "eu-west-3") if i % 2 else ("dev", "us-east-1")
        files[f"envs/r{i}/main.tf"] = root(i, env, region)
        files[f"envs/r{i}/terraform.tfvars"] = f'app = "app{i}"\n'
    # LOG002 looks across root modules: a bucket is a log bucket when a writer in any root names it (S3
    # bucket names are global); the account's trail is turned on by the test below. (Its EBS encryption by
    # default counts for its own root module only: ENC001 findings elsewhere stay.)
    files["envs/account/main.tf"] = ('provider "aws" {\n  region = "eu-west-3"\n}\n\n'
                                     'resource "aws_ebs_encryption_by_default" "on" {\n  enabled = true\n}\n\n'
                                     'resource "aws_cloudtrail" "org" {\n  count          = 0\n  name           = "org"\n'
                                     '  s3_bucket_name = "logs-1-a"\n}\n')
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    (folder / ".git").mkdir()
    return folder


@pytest.fixture
def counted(monkeypatch):
    """Root modules analysed and root-local units evaluated, run by run (serial runs: --jobs 1)."""
    seen: dict[str, list[str]] = {"analysed": [], "evaluated": []}
    real_analyse, real_local = Project.analyse, evalcache.local_findings

    def analyse(self, directory):
        seen["analysed"].append(self.relpath(directory))
        return real_analyse(self, directory)

    def local(*args, **kwargs):
        run = real_local(*args, **kwargs)
        seen["evaluated"].extend(run.evaluated)
        return run

    monkeypatch.setattr(Project, "analyse", analyse)
    monkeypatch.setattr(evalcache, "local_findings", local)

    def take() -> dict[str, list[str]]:
        out = {k: sorted(v) for k, v in seen.items()}
        for v in seen.values():
            v.clear()
        return out

    return take


def scan(folder: Path, out: Path, cache: Path | None, *extra: str) -> tuple[bytes, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    args = ["scan", str(folder), "-q", "--jobs", "1", "--output", f"json:{out / 'r.json'}",
            "--output", f"sarif:{out / 'r.sarif'}", *extra]
    env = {"IACGOV_CACHE_DIR": str(cache)} if cache is not None else {}
    result = CliRunner().invoke(main, [*args, "--no-cache"] if cache is None else args, env=env)
    assert result.exit_code == 1, (result.output, result.exception)
    return (out / "r.json").read_bytes(), (out / "r.sarif").read_bytes()


def test_warm_runs_are_byte_identical_to_uncached_ones_and_evaluate_nothing(tmp_path, counted):
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    uncached = scan(tree, tmp_path / "o1", None)
    counted()
    cold = scan(tree, tmp_path / "o2", cache)
    seen = counted()
    assert seen["analysed"] == ["envs/account", *[f"envs/r{i}" for i in range(5)]]
    assert len(seen["evaluated"]) == 6  # one unit per root module with resources
    warm = scan(tree, tmp_path / "o3", cache)
    assert counted() == {"analysed": [], "evaluated": []}
    assert cold == uncached and warm == uncached
    for code in (b'"ENC001"', b'"LOC001"', b'"TAG001"', b'"BCK001"', b'"COST001"'):  # replayed and recomputed
        assert code in warm[0]


def test_a_changed_file_re_evaluates_the_root_modules_that_read_it_only(tmp_path, counted):
    """A root's file, its tfvars, a shared module's file, a file added and one removed."""
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    scan(tree, tmp_path / "o1", cache)
    assert len(counted()["analysed"]) == 6

    (tree / "envs/r2/main.tf").write_text(root(2, "dev", "eu-west-1"), encoding="utf-8")
    after_root = scan(tree, tmp_path / "o2", cache)
    seen = counted()
    assert seen["analysed"] == ["envs/r2"] and len(seen["evaluated"]) == 1
    assert after_root == scan(tree, tmp_path / "o2u", None)
    counted()

    (tree / "envs/r3/terraform.tfvars").write_text('app = "renamed"\n', encoding="utf-8")
    after_vars = scan(tree, tmp_path / "o3", cache)
    seen = counted()
    assert seen["analysed"] == ["envs/r3"] and len(seen["evaluated"]) == 1
    assert after_vars == scan(tree, tmp_path / "o3u", None)
    counted()

    (tree / "modules/db/main.tf").write_text(DB.replace("backup_retention_period = 1", "backup_retention_period = 30"),
                                              encoding="utf-8")
    after_module = scan(tree, tmp_path / "o4", cache)
    seen = counted()
    assert seen["analysed"] == [f"envs/r{i}" for i in range(5)]  # every caller, not envs/account
    assert after_module == scan(tree, tmp_path / "o4u", None)
    counted()

    (tree / "envs/r4/extra.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', encoding="utf-8")
    (tree / "envs/r1/terraform.tfvars").unlink()
    after_listing = scan(tree, tmp_path / "o5", cache)
    assert counted()["analysed"] == ["envs/r1", "envs/r4"]
    assert after_listing == scan(tree, tmp_path / "o5u", None)


def test_a_cross_root_rule_sees_a_change_in_another_root_module(tmp_path, counted):
    """LOG002 reads the writers of every root module: when envs/account's trail starts writing to r1's bucket
    logs-1-a, that bucket's 7-day expiry becomes a finding of the unchanged (cached) root r1, as without the
    cache; the root-local findings of the other roots are replayed."""
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    before = scan(tree, tmp_path / "o1", cache)
    counted()
    (tree / "envs/account/main.tf").write_text(
        (tree / "envs/account/main.tf").read_text().replace("count          = 0", "count          = 1"), encoding="utf-8")
    after = scan(tree, tmp_path / "o2", cache)
    assert counted()["analysed"] == ["envs/account"]
    assert after == scan(tree, tmp_path / "o3", None)
    assert b'"LOG002"' not in before[0] and after[0].count(b'"LOG002"') == 1
    assert after[0].count(b'aws_ebs_volume.data') == before[0].count(b'aws_ebs_volume.data')


def test_ebs_encryption_by_default_in_another_root_module_clears_nothing(tmp_path):
    """ENC001 counts EBS encryption by default in the volume's own root module and region only: envs/account's
    setting (another root module, often another account) leaves every root's unencrypted volume reported."""
    tree = estate(tmp_path / "tree")
    findings = json.loads(scan(tree, tmp_path / "o1", None)[0])["findings"]
    volumes = sorted(f["file"] for f in findings if f["code"] == "ENC001" and f["address"] == "aws_ebs_volume.data")
    assert volumes == [f"envs/r{i}/main.tf" for i in range(5)]


def test_a_policy_change_replays_no_finding(tmp_path, counted):
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    scan(tree, tmp_path / "o1", cache)
    counted()
    (tree / "iacgov.yaml").write_text(POLICY.replace("required: [env, app]", "required: [env]"), encoding="utf-8")
    after = scan(tree, tmp_path / "o2", cache)
    seen = counted()
    assert seen["analysed"] == [] and len(seen["evaluated"]) == 6  # same analyses, rules run again
    assert after == scan(tree, tmp_path / "o3", None)


def test_corrupt_or_foreign_entries_are_misses(tmp_path, counted):
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    reference = scan(tree, tmp_path / "o1", cache)
    entries = [p for name in ("terraform-analysis", "root-findings") for p in (cache / "v1" / name).rglob("*")
               if p.is_file()]
    assert len(entries) == 12
    for i, path in enumerate(entries):
        blob = path.read_bytes()
        path.write_bytes(blob[:-3] if i % 2 else blob[:50] + bytes([blob[50] ^ 1]) + blob[51:])
    shutil.rmtree(cache / "v1" / "scan-index")  # the whole scan's result (iacgov.scancache): not this test's
    counted()
    assert scan(tree, tmp_path / "o2", cache) == reference
    assert len(counted()["analysed"]) == 6
    shutil.rmtree(cache / "v1" / "scan-index")
    assert scan(tree, tmp_path / "o3", cache) == reference  # rewritten whole
    assert counted()["analysed"] == []


def test_no_cache_neither_reads_nor_writes_it(tmp_path, counted):
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    scan(tree, tmp_path / "o1", cache)
    counted()
    shutil.rmtree(cache / "v1" / "terraform", ignore_errors=True)
    scan(tree, tmp_path / "o2", None)
    assert len(counted()["analysed"]) == 6


def test_parallel_root_evaluation_gives_the_same_bytes(tmp_path, counted):
    tree = estate(tmp_path / "tree")
    serial = scan(tree, tmp_path / "o1", None)
    assert len(counted()["analysed"]) == 6
    parallel = scan(tree, tmp_path / "o2", None, "--jobs", "2")
    assert counted()["analysed"] == []  # the root modules were analysed on the worker processes
    assert parallel == serial


def test_roots_it_cannot_key_are_analysed_every_time(tmp_path, counted):
    tree = estate(tmp_path / "tree")
    manifest = tree / "envs/r0/.terraform/modules/modules.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text('{"Modules": []}', encoding="utf-8")
    (tree / "envs/r1/linked.tf").symlink_to(tree / "envs/account/main.tf")
    cache = tmp_path / "cache"
    first = scan(tree, tmp_path / "o1", cache)
    counted()
    assert scan(tree, tmp_path / "o2", cache) == first
    assert counted()["analysed"] == ["envs/r0", "envs/r1"]


# -- the audit of the root-local rules ------------------------------------------------------------

ACROSS_ROOTS = ("ctx.resources", "of_kind", "ctx.files", "ctx.not_analysed", "ctx.root", "scan_estimate",
                "_bucket_named", "by_root", "def evaluate")


def test_the_root_local_rules_are_built_in_resource_rules_reading_one_root():
    from iacgov.engine import collect_rules
    from iacgov.plugins import load_plugins

    rules = {r.meta.code: r for r in collect_rules(load_plugins())}
    local = {code for code, rule in rules.items() if evalcache.root_local(rule)}
    # the audited list: a rule added to it is read here first
    assert local == {"ADM001", "ADM004", "BCK001", "BCK002", "BCK003", "ENC001", "ENC003", "ENC004", "LOC001",
                     "TAG001"}
    for code in sorted(local):
        source = inspect.getsource(inspect.getmodule(rules[code]))
        assert not [word for word in ACROSS_ROOTS if word in source], code
    # and the rules known to look across root modules are not in the list
    assert not {"ENC002", "LOC002", "LOC003", "LOG001", "LOG002", "ADM002", "ADM003", "ADM005",
                "COST001", "COST002", "COST003", "COV001", "BCK004", "BCK005"} & local


def test_segments_cover_all_resources_in_order():
    assert evalcache.segments(list(range(10)), [(2, 4, "a"), (6, 9, "b")]) == [
        (0, 2, ""), (2, 4, "a"), (4, 6, ""), (6, 9, "b"), (9, 10, "")]
    assert evalcache.segments([], []) == []


def test_root_modules_analysed_on_worker_processes_are_cached_by_them(tmp_path, counted):
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    parallel = scan(tree, tmp_path / "o1", cache, "--jobs", "2")
    assert counted()["analysed"] == []  # not here: in the workers
    warm = scan(tree, tmp_path / "o2", cache)
    assert counted()["analysed"] == []  # what the workers wrote is read back
    assert warm == parallel == scan(tree, tmp_path / "o3", None)


def test_a_fifo_among_a_root_modules_files_is_never_opened_for_the_key(tmp_path, counted):
    tree = estate(tmp_path / "tree")
    os.mkfifo(tree / "envs/r0/pipe.tf")  # opening it would wait for a writer for ever
    cache = tmp_path / "cache"
    first = scan(tree, tmp_path / "o1", cache)
    counted()
    warm = scan(tree, tmp_path / "o2", cache)
    assert counted()["analysed"] == []  # keyed as "not a regular file", cached
    assert warm == first == scan(tree, tmp_path / "o3", None)


def test_a_module_created_where_a_call_pointed_at_nothing_re_analyses_its_caller(tmp_path, counted):
    tree = estate(tmp_path / "tree")
    main = tree / "envs/r1/main.tf"
    main.write_text(main.read_text(encoding="utf-8").replace("../../modules/db", "../../modules/dbx"), encoding="utf-8")
    cache = tmp_path / "cache"
    first = scan(tree, tmp_path / "o1", cache)
    assert b"the directory does not exist" in first[0]
    (tree / "modules/dbx").mkdir()
    (tree / "modules/dbx/main.tf").write_text(DB, encoding="utf-8")
    shutil.rmtree(cache / "v1" / "scan-index")  # the whole scan's result (it re-checks the directory itself)
    counted()
    second = scan(tree, tmp_path / "o2", cache)
    assert counted()["analysed"] == ["envs/r1"]
    assert second == scan(tree, tmp_path / "o3", None) and b"the directory does not exist" not in second[0]
