"""The scan cache (iacgov.scancache): a warm scan reads the whole result back, byte for byte
what an uncached run writes, and any input the scan read that changed makes it a miss."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import iacgov.engine as engine
import iacgov.scancache as scancache
from iacgov.cli import main
from iacgov.engine import ScanRequest
from iacgov.model import ParseOptions
from iacgov.plugins import load_plugins

POLICY = """\
version: 1
data_location:
  allowed_regions:
    aws: [eu-west-3]
tags:
  required: [env, app]
cost:
  environment_tag: env
  budgets: {prod: 100, dev: 50}
"""

DB = """\
variable "env" {
  type = string
}

resource "aws_db_instance" "main" {
  engine            = "postgres"
  instance_class    = "db.m5.large"
  allocated_storage = 100
  storage_encrypted = false
  tags              = { env = var.env }
}
"""


def root(i: int, env: str) -> str:
    return f"""\
provider "aws" {{
  region = var.region
}}

variable "app" {{
  type = string
}}

variable "region" {{
  type = string
}}

module "db" {{
  source = "../../modules/db"
  env    = "{env}"
}}

resource "aws_s3_bucket" "logs" {{
  bucket = "logs-{i}"
  tags   = {{ env = "{env}", app = var.app }}
}}
"""


def estate(folder: Path) -> Path:
    files = {"iacgov.yaml": POLICY, "modules/db/main.tf": DB}
    for i, env in enumerate(("prod", "dev", "prod")):
        files[f"envs/r{i}/main.tf"] = root(i, env)
        files[f"envs/r{i}/terraform.tfvars"] = f'app    = "app{i}"\nregion = "eu-west-3"\n'
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    (folder / ".git").mkdir()
    return folder


@pytest.fixture
def parsed(monkeypatch):
    """How many scans parsed their files (a scan read back from the cache parses nothing)."""
    calls = []
    real = engine.parse_claimed

    def counting(step):
        calls.append(step.root)
        return real(step)

    monkeypatch.setattr(engine, "parse_claimed", counting)

    def take() -> int:
        n = len(calls)
        calls.clear()
        return n

    return take


def scan(target: Path, out: Path, cache: Path | None, *extra: str, top: tuple[str, ...] = (),
         code: int | None = None) -> tuple[bytes, bytes]:
    """JSON and SARIF of one CLI scan (``top``: arguments before ``scan``, such as ``-p no:NAME``)."""
    out.mkdir(parents=True, exist_ok=True)
    args = [*top, "scan", str(target), "-q", "--jobs", "1", "--output", f"json:{out / 'r.json'}",
            "--output", f"sarif:{out / 'r.sarif'}", *extra]
    env = {"IACGOV_CACHE_DIR": str(cache)} if cache is not None else {}
    result = CliRunner().invoke(main, [*args, "--no-cache"] if cache is None else args, env=env)
    assert result.exit_code in ((0, 1) if code is None else (code,)), (result.output, result.exception)
    return (out / "r.json").read_bytes(), (out / "r.sarif").read_bytes()


def results(cache: Path) -> list[Path]:
    return [p for p in (cache / "v1" / "scan-results").rglob("*") if p.is_file()]


def test_a_warm_run_writes_the_bytes_of_an_uncached_run_and_parses_nothing(tmp_path, parsed):
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    uncached = scan(tree, tmp_path / "o1", None)
    assert parsed() == 1
    cold = scan(tree, tmp_path / "o2", cache)
    assert parsed() == 1
    warm = scan(tree, tmp_path / "o3", cache)
    assert parsed() == 0
    assert cold == uncached and warm == uncached
    found = {(f["code"], f["address"]) for f in json.loads(warm[0])["findings"]}
    assert found == {(code, "module.db.aws_db_instance.main") for code in ("COST001", "ENC001", "TAG001")}
    assert len(results(cache)) == 1


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# Each changes one input of the scan of ``envs`` (the module is outside it, in ../modules) and gives
# the second run's arguments: (before ``scan``, after it).
CHANGES = {
    "a file's bytes": lambda t: _edit(t / "envs/r1/main.tf", ", app = var.app", ""),
    "a file added": lambda t: (t / "envs/r1/extra.tf").write_text(
        'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', encoding="utf-8"),
    "a file removed": lambda t: (t / "envs/r2/main.tf").unlink(),
    "a tfvars file": lambda t: _edit(t / "envs/r0/terraform.tfvars", "eu-west-3", "us-east-1"),
    "a module outside the scanned path": lambda t: _edit(t / "modules/db/main.tf", "= false", "= true"),
    "a module file added outside the scanned path": lambda t: (t / "modules/db/more.tf").write_text(
        'resource "aws_ebs_volume" "v" {\n  availability_zone = "eu-west-3a"\n  size = 10\n}\n',
        encoding="utf-8"),
    "the policy": lambda t: _edit(t / "iacgov.yaml", "[eu-west-3]", "[eu-west-1]"),
    "a usage file": lambda t: (t / "iacgov-usage.yaml").write_text(
        "version: 1\nresource_type_default_usage:\n  aws_s3_bucket:\n    storage_gb: 900000\n", encoding="utf-8"),
    "a --var": lambda t: ((), ("--var", "region=us-east-1")),
    "a plugin disabled": lambda t: (("-p", "no:builtin_rules"), ()),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_input_changed_gives_the_uncached_result(tmp_path, parsed, change):
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    before = scan(tree / "envs", tmp_path / "o1", cache)
    assert scan(tree / "envs", tmp_path / "o2", cache) == before and parsed() == 1
    arguments = CHANGES[change](tree)
    top, extra = arguments if isinstance(arguments, tuple) else ((), ())
    after = scan(tree / "envs", tmp_path / "o3", cache, *extra, top=top)
    assert parsed() == 1  # a miss
    assert after != before
    assert after == scan(tree / "envs", tmp_path / "o4", None, *extra, top=top)
    parsed()
    assert scan(tree / "envs", tmp_path / "o5", cache, *extra, top=top) == after and parsed() == 0  # read back


def test_a_module_created_where_a_call_pointed_at_nothing_is_a_miss(tmp_path, parsed):
    tree = estate(tmp_path / "tree")
    _edit(tree / "envs/r1/main.tf", "../../modules/db", "../../modules/dbx")
    cache = tmp_path / "cache"
    before = scan(tree / "envs", tmp_path / "o1", cache)
    assert b"the directory does not exist" in before[0]
    (tree / "modules/dbx").mkdir()
    (tree / "modules/dbx/main.tf").write_text(DB, encoding="utf-8")
    parsed()
    after = scan(tree / "envs", tmp_path / "o2", cache)
    assert parsed() == 1 and after != before and after == scan(tree / "envs", tmp_path / "o3", None)


def test_the_date_suppressions_expire_against_is_part_of_the_key(tmp_path):
    tree = estate(tmp_path / "tree")
    _edit(tree / "modules/db/main.tf", 'resource "aws_db_instance" "main" {',
          '# iacgov:ignore ENC reason="migrating" expires=2030-06-30\nresource "aws_db_instance" "main" {')
    host = load_plugins()
    options = ParseOptions(cache_dir=tmp_path / "cache", jobs=1)

    def run(day: date, cached: bool) -> tuple:
        request = ScanRequest(paths=(tree,), options=options if cached else ParseOptions(jobs=1), today=day)
        result = engine.scan(request, host)
        return tuple((f.code, f.address, f.suppression is None) for f in result.findings)

    early, late = date(2030, 6, 1), date(2030, 7, 1)
    first = run(early, True)
    assert first == run(early, False)
    second = run(late, True)
    assert second == run(late, False) and second != first
    assert run(early, True) == first


def test_a_corrupt_or_truncated_entry_is_a_miss(tmp_path, parsed):
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    reference = scan(tree, tmp_path / "o1", cache)
    for i, mangle in enumerate((lambda b: b[:-7], lambda b: b[:60] + bytes([b[60] ^ 1]) + b[61:])):
        (entry,) = results(cache)
        entry.write_bytes(mangle(entry.read_bytes()))
        parsed()
        assert scan(tree, tmp_path / f"o{i}", cache) == reference
        assert parsed() == 1
    assert scan(tree, tmp_path / "o9", cache) == reference and parsed() == 0  # written again


def test_a_run_with_errors_is_never_cached(tmp_path, monkeypatch, parsed):
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    real = engine.collect_rules

    class Crashing:
        def __init__(self, rule):
            self.meta = rule.meta

        def evaluate(self, resources, ctx):
            raise RuntimeError("boom")

    def with_a_crash(host):
        rules = real(host)
        return [Crashing(r) if r.meta.code == "TAG001" else r for r in rules]

    monkeypatch.setattr(engine, "collect_rules", with_a_crash)
    scan(tree, tmp_path / "o1", cache, code=2)
    scan(tree, tmp_path / "o2", cache, code=2)
    assert parsed() == 2 and results(cache) == []


def test_the_store_keeps_one_result_per_folder_and_at_most_max_results(tmp_path, monkeypatch, parsed):
    monkeypatch.setattr(scancache, "MAX_RESULTS", 2)
    cache = tmp_path / "cache"
    tree = estate(tmp_path / "tree")
    for i in range(3):  # one folder, three contents: the newest result replaces the previous one
        _edit(tree / "envs/r0/terraform.tfvars", '"app0"' if i == 0 else f'"v{i - 1}"', f'"v{i}"')
        scan(tree, tmp_path / f"o{i}", cache)
        assert len(results(cache)) == 1
    for i in range(3):  # other folders: at most MAX_RESULTS, the oldest deleted first
        scan(estate(tmp_path / f"tree{i}"), tmp_path / f"p{i}", cache)
        assert len(results(cache)) == 2
    parsed()
    scan(tmp_path / "tree2", tmp_path / "q2", cache)
    assert parsed() == 0  # among the newest
    scan(tree, tmp_path / "q0", cache)
    assert parsed() == 1  # the oldest went


def test_an_entry_whose_root_analyses_were_pruned_is_a_miss(tmp_path, parsed):
    """A result entry names the evaluation cache's analyses instead of holding the resources again."""
    import shutil

    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    reference = scan(tree, tmp_path / "o1", cache)
    (path,) = results(cache)
    store = scancache.ScanStore.__new__(scancache.ScanStore)
    store.results = scancache._store(cache, "scan-results")
    store.results.classes = frozenset(tuple(c.split(":", 1)) for c in scancache._CLASSES)
    entry = store._read(path, path.parent.name + path.name)
    assert isinstance(entry, scancache.Stored) and entry.result.resources == () and entry.others == ()
    assert [end - start for start, end, _ in entry.units] == [2, 2, 2] and entry.count == 6
    shutil.rmtree(cache / "v1" / "terraform-analysis")
    parsed()
    assert scan(tree, tmp_path / "o2", cache) == reference and parsed() == 1
    assert scan(tree, tmp_path / "o3", cache) == reference and parsed() == 0


def test_resources_read_back_are_the_uncached_ones_decoded_on_first_use(tmp_path):
    import pickle

    tree = estate(tmp_path / "tree")
    host = load_plugins()
    cached = ScanRequest(paths=(tree,), options=ParseOptions(cache_dir=tmp_path / "cache", jobs=1))
    uncached = engine.scan(ScanRequest(paths=(tree,), options=ParseOptions(jobs=1)), host)
    engine.scan(cached, host)
    warm = engine.scan(cached, host)
    resources = warm.resources
    assert isinstance(resources, scancache.StoredResources) and resources._items is None
    assert len(resources) == len(uncached.resources) == 6  # counted without decoding anything
    assert resources._items is None

    def same(a, b) -> bool:  # Resource compares by identity: by fields here
        return [[getattr(r, f.name) for f in fields(r)] for r in a] == [[getattr(r, f.name) for f in fields(r)] for r in b]

    assert same(resources, uncached.resources) and resources._items is not None
    assert same([resources[0]], uncached.resources[:1]) and same(resources[-2:], uncached.resources[-2:])
    assert resources == tuple(resources) and resources + () == tuple(resources)
    assert same(pickle.loads(pickle.dumps(resources)), uncached.resources)
    assert type(pickle.loads(pickle.dumps(resources))) is tuple
    assert replace(warm, resources=()) == replace(uncached, resources=())


def test_the_default_usage_file_is_the_cost_packages():
    from iacgov.cost.usage import DEFAULT_NAME

    assert scancache.USAGE_FILE == DEFAULT_NAME
