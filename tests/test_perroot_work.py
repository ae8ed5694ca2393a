"""Per-root work done where the root module is analysed (issue 22): with worker processes, each worker puts
its roots' root-local findings and cost items in the evaluation cache, and the scanning process only replays
and sums them — writing the bytes an uncached run writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import iacgov.cost.estimate as estimate_module
import iacgov.evalcache as evalcache
from iacgov.cli import main

POLICY = """\
version: 1
data_location:
  allowed_regions:
    aws: [eu-west-3]
tags:
  required: [env, app]
continuity:
  min_backup_retention_days: {prod: 14, default: 1}
cost:
  environment_tag: env
  budgets: {prod: 10, dev: 10}
"""

ROOT = """\
provider "aws" {{
  region = "{region}"
}}

resource "aws_launch_template" "web" {{
  instance_type = "{size}"
}}

resource "aws_autoscaling_group" "web" {{
  desired_capacity = 2
  max_size         = 4
  min_size         = 1
  launch_template {{
    id = aws_launch_template.web.id
  }}
  tags = {{ env = "{env}" }}
}}

resource "aws_db_instance" "db" {{
  engine                  = "postgres"
  instance_class          = "db.m5.large"
  allocated_storage       = 50
  backup_retention_period = 1
  tags                    = {{ env = "{env}", app = "a{i}" }}
}}
"""


def write_estate(folder: Path) -> Path:
    for i in range(6):
        env, region, size = ("prod", "eu-west-3", "m5.xlarge") if i % 2 else ("dev", "us-east-1", "m5.large")
        (folder / "envs" / f"r{i}").mkdir(parents=True)
        (folder / "envs" / f"r{i}" / "main.tf").write_text(ROOT.format(i=i, env=env, region=region, size=size),
                                                            encoding="utf-8")
    (folder / "iacgov.yaml").write_text(POLICY, encoding="utf-8")
    (folder / ".git").mkdir()
    return folder


def scan(folder: Path, out: Path, cache: Path | None, *extra: str) -> tuple[bytes, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    args = ["scan", str(folder), "-q", "--output", f"json:{out / 'r.json'}", "--output", f"sarif:{out / 'r.sarif'}",
            *extra]
    env = {"IACGOV_CACHE_DIR": str(cache)} if cache is not None else {}
    result = CliRunner().invoke(main, [*args, "--no-cache"] if cache is None else args, env=env)
    assert result.exit_code == 1, (result.output, result.exception)
    return (out / "r.json").read_bytes(), (out / "r.sarif").read_bytes()


@pytest.fixture
def here(monkeypatch):
    """The root-local units evaluated and the root modules priced in this process (not in a worker)."""
    seen: dict[str, list[str]] = {"evaluated": [], "priced": []}
    real_local, real_items = evalcache.local_findings, estimate_module.root_items

    def local(*args, **kwargs):
        run = real_local(*args, **kwargs)
        seen["evaluated"].extend(run.evaluated)
        return run

    def root_items(resources, *args, **kwargs):
        seen["priced"].extend(sorted({r.location.path for r in resources}))
        return real_items(resources, *args, **kwargs)

    monkeypatch.setattr(evalcache, "local_findings", local)
    monkeypatch.setattr(estimate_module, "root_items", root_items)

    def take() -> dict[str, list[str]]:
        out = {k: sorted(v) for k, v in seen.items()}
        for v in seen.values():
            v.clear()
        return out

    return take


def test_workers_make_the_findings_and_cost_items_the_scanning_process_replays(tmp_path, here):
    tree = write_estate(tmp_path / "tree")
    uncached = scan(tree, tmp_path / "o1", None)
    assert b'"LOC001"' in uncached[0] and b'"TAG001"' in uncached[0] and b'"COST001"' in uncached[0]
    here()
    parallel = scan(tree, tmp_path / "o2", tmp_path / "cache", "--jobs", "2")
    assert here() == {"evaluated": [], "priced": []}  # all made on the workers, read back here
    assert parallel == uncached
    serial = scan(tree, tmp_path / "o3", tmp_path / "cache-serial", "--jobs", "1")
    assert len(here()["evaluated"]) == 6  # without workers: made here, as before
    assert serial == uncached


def test_a_root_work_offered_for_another_scan_is_not_used(tmp_path):
    from iacgov.model import ParseOptions
    from iacgov.plugins import load_plugins

    policy = {"cost": {"budgets": {"prod": 1}}}

    class Policy(dict):
        data = policy

        def get(self, path, default=None):
            value = policy
            for part in path.split("."):
                if not isinstance(value, dict) or part not in value:
                    return default
                value = value[part]
            return value

    options = ParseOptions(cache_dir=tmp_path / "cache")
    evalcache.offer_root_work(evalcache.RootWork(Policy(), load_plugins(), tmp_path / "cache", tmp_path, options))
    try:
        assert evalcache.root_work(tmp_path / "elsewhere", options) is None
        assert evalcache.root_work(tmp_path, ParseOptions(cache_dir=tmp_path / "other")) is None
        work = evalcache.root_work(tmp_path, options)
        assert work is not None and work.costs is not None and work.findings is not None
    finally:
        evalcache.offer_root_work(None)


def test_a_warm_scan_with_workers_reads_module_calls_only_but_for_what_it_analyses(tmp_path, monkeypatch):
    """After a one-file change, the scanning process reads each file's module calls from the parse cache's
    calls entries (loader.calls_cache), and whole only the files of the root module it analyses itself."""
    from iacgov.cache import ParseCache

    tree = write_estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    scan(tree, tmp_path / "o1", cache, "--jobs", "2")
    edited = tree / "envs/r3/main.tf"
    edited.write_text(edited.read_text(encoding="utf-8").replace("m5.xlarge", "m5.2xlarge"), encoding="utf-8")
    read: list[tuple[str, bytes]] = []
    real = ParseCache.get

    def get(self, data):
        read.append((self.folder.name, data))
        return real(self, data)

    monkeypatch.setattr(ParseCache, "get", get)
    warm = scan(tree, tmp_path / "o2", cache, "--jobs", "2")
    monkeypatch.undo()
    assert len([d for name, d in read if name == "terraform-calls"]) == 6  # every file's calls...
    whole = [d for name, d in read if name == "terraform"]
    assert whole and set(whole) == {edited.read_bytes()}  # ...and only the edited file whole (parsed again)
    assert warm == scan(tree, tmp_path / "o3", None)
    for i in range(6):  # six roots changed: analysed on the workers, from the files they read whole themselves
        main_tf = tree / f"envs/r{i}/main.tf"
        main_tf.write_text(main_tf.read_text(encoding="utf-8").replace("allocated_storage       = 50",
                                                                        "allocated_storage       = 80"),
                           encoding="utf-8")
    assert scan(tree, tmp_path / "o4", cache, "--jobs", "2") == scan(tree, tmp_path / "o5", None)


def test_workers_of_a_scan_without_the_cache_send_their_findings_and_cost_items_back(tmp_path, here):
    tree = write_estate(tmp_path / "tree")
    serial = scan(tree, tmp_path / "o1", None, "--jobs", "1")
    assert len(here()["priced"]) == 6  # one process: every root priced here
    parallel = scan(tree, tmp_path / "o2", None, "--jobs", "2")
    assert here() == {"evaluated": [], "priced": []}  # made on the workers, sent back with each analysis
    assert parallel == serial
    assert not list((tmp_path / "tree").rglob("*.pickle")) and not (tmp_path / "cache").exists()


def test_what_workers_made_is_used_only_for_the_very_resources_it_was_made_for():
    from dataclasses import replace as copy

    from iacgov.model import Location, Resource

    def resource(i: int) -> Resource:
        return Resource(address=f"aws_s3_bucket.b{i}", type="aws_s3_bucket", cloud="aws", source_format="terraform",
                        location=Location("main.tf", i + 1), attributes={})

    first, second = tuple(resource(i) for i in range(3)), tuple(resource(i) for i in range(3, 5))
    made = evalcache.Made({"TAG001": ()}, ((), ("a warning",)), "context")
    evalcache.forget_held()
    try:
        evalcache.hold(first, made)
        evalcache.hold(second, evalcache.Made(None, None, ""))
        stray = resource(9)
        units, findings, items = evalcache.held_work((stray, *first, *second))
        assert units == ((1, 4, "held:1"), (4, 6, "held:4"))
        assert findings.get("held:1") == {"TAG001": ()} and items.get("held:1", "context") == ((), ("a warning",))
        assert items.get("held:1", "another policy") is None  # priced under other settings: priced again
        assert findings.get("held:4") is None and items.get("held:4", "") is None  # nothing made: computed here
        # equal resources that are not the ones received (another scan's, a copy) are not those units
        assert evalcache.held_work(tuple(copy(r) for r in first))[0] == ()
        assert evalcache.held_work(first[:2])[0] == ()  # a root's resources cut short
        assert evalcache.held_work((first[0], stray, *first[1:]))[0] == ()  # or interleaved
    finally:
        evalcache.forget_held()
    assert evalcache.held_work(first)[0] == ()
