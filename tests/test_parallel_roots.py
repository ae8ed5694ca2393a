"""Root modules analysed on worker processes started before the scan read anything
(iacgov.parsers.terraform.project.worker_pool): the report is byte for byte the one
a single process writes, the workers analyse from the files the parent sends them
(not parsing them again), and a broken pool leaves the rest to the scanning process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import iacgov.parsers.terraform.project as project_module
from iacgov.cli import main
from iacgov.limits import Limits
from iacgov.model import ParseOptions, SourceFile
from iacgov.parsers.terraform import loader
from iacgov.parsers.terraform.project import Project, _analyse_one, _analyse_task, _received, worker_pool

POLICY = """\
version: 1
data_location:
  allowed_regions:
    aws: [eu-west-3]
tags:
  required: [env]
"""

DB = """\
variable "name" {
  type = string
}

resource "aws_db_instance" "main" {
  identifier        = var.name
  engine            = "postgres"
  instance_class    = "db.m5.large"
  allocated_storage = 100
  storage_encrypted = false
}

module "keys" {
  source = "../keys"
}
"""

KEYS = 'resource "aws_kms_key" "k" {\n  description = "k"\n}\n'


def root(i: int) -> str:
    region = "eu-west-3" if i % 2 else "us-east-1"
    return f"""\
provider "aws" {{
  region = "{region}"
}}

variable "app" {{
  type = string
}}

module "db" {{
  source = "../../modules/db"
  name   = "db{i}-${{var.app}}"
}}

module "gone" {{
  source = "../../modules/none{i}"
}}

resource "aws_s3_bucket" "logs" {{
  for_each = toset(["a", "b"])
  bucket   = "logs-{i}-${{each.key}}"
  tags     = {{ env = "dev" }}
}}
"""


def estate(folder: Path, roots: int = 6) -> Path:
    files = {"iacgov.yaml": POLICY, "modules/db/main.tf": DB, "modules/keys/main.tf": KEYS,
             "modules/orphan/main.tf": 'resource "aws_sqs_queue" "q" {\n  name = \n}\n'}  # a parse error, no caller
    for i in range(roots):
        files[f"envs/r{i}/main.tf"] = root(i)
        files[f"envs/r{i}/extra.tf"] = f'resource "aws_sqs_queue" "q{i}" {{\n  name = "q{i}"\n}}\n'
        files[f"envs/r{i}/terraform.tfvars"] = f'app = "app{i}"\n'
    files["envs/r1/broken.tf"] = 'resource "aws_sqs_queue" "x" {\n'  # a root with a file that does not parse
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    (folder / ".git").mkdir()
    return folder


def scan(out: Path, jobs: int, *targets: Path, cache: Path | None = None) -> bytes:
    out.parent.mkdir(parents=True, exist_ok=True)
    args = ["scan", *map(str, targets), "-q", "--jobs", str(jobs), "--output", f"json:{out}"]
    env = {"IACGOV_CACHE_DIR": str(cache)} if cache is not None else {}
    result = CliRunner().invoke(main, [*args, "--no-cache"] if cache is None else args, env=env)
    assert result.exit_code == 1, (result.output, result.exception)
    return out.read_bytes()


@pytest.fixture
def analysed_here(monkeypatch):
    """Root modules analysed in this process (a forked worker's calls are counted in its own memory)."""
    seen: list[str] = []
    real = Project.analyse

    def counting(self, directory):
        seen.append(self.relpath(directory))
        return real(self, directory)

    monkeypatch.setattr(Project, "analyse", counting)
    return seen


@pytest.fixture(params=[48, 2], ids=["parsed-here", "parsed-on-workers"])
def parse_on_workers(request, monkeypatch):
    """Files parsed in this process (below loader.PARALLEL_FROM) or on the workers, which then send
    this process each file's module calls only."""
    monkeypatch.setattr(loader, "PARALLEL_FROM", request.param)
    return request.param


def test_workers_analyse_the_root_modules_and_the_report_is_the_single_process_one(tmp_path, analysed_here,
                                                                                  parse_on_workers):
    tree = estate(tmp_path / "tree")
    serial = scan(tmp_path / "o1.json", 1, tree)
    assert len(analysed_here) == 7  # six roots and modules/orphan, a directory no root calls
    analysed_here.clear()
    assert scan(tmp_path / "o2.json", 2, tree) == serial
    assert analysed_here == []  # all on the workers
    # and with the caches on: the workers' parse and analysis entries are read back
    assert scan(tmp_path / "o3.json", 2, tree, cache=tmp_path / "cache") == serial
    assert scan(tmp_path / "o4.json", 2, tree, cache=tmp_path / "cache") == serial
    for text in (b'"cannot parse envs/r1/broken.tf', b'"cannot parse modules/orphan/main.tf',
                 b'module.gone (source \\"../../modules/none3\\")', b'"module.db.aws_db_instance.main"',
                 b'"module.db.module.keys.aws_kms_key.k"'):
        assert text in serial, text


def test_root_modules_read_partly_are_analysed_alike_on_workers(tmp_path, analysed_here):
    tree = estate(tmp_path / "tree")
    # only main.tf of each root handed over (as pre-commit does): extra.tf is not part of the scan
    only = [tree / f"envs/r{i}/main.tf" for i in range(6)]
    serial = scan(tmp_path / "o1.json", 1, *only)
    assert b"aws_sqs_queue.q0" not in serial and b"module.db.aws_db_instance.main" in serial
    analysed_here.clear()
    assert scan(tmp_path / "o2.json", 2, *only) == serial
    assert analysed_here == []


def dying(directory: Path, closure: tuple, key: str) -> tuple:
    """A worker killed on envs/r5 (out of memory...); by name, so that it pickles."""
    if directory.name == "r5":
        os._exit(9)
    return _analyse_task(directory, closure, key)


def test_a_broken_pool_leaves_the_rest_to_this_process(tmp_path, analysed_here, monkeypatch, parse_on_workers):
    tree = estate(tmp_path / "tree")
    serial = scan(tmp_path / "o1.json", 1, tree)
    monkeypatch.setattr(project_module, "_analyse_task", dying)
    analysed_here.clear()
    assert scan(tmp_path / "o2.json", 2, tree) == serial
    # what the workers had not returned is analysed here, from modules read again where they were let go
    # (four tasks are in flight: envs/r5 was handed over once the first two had returned)
    assert "envs/r5" in analysed_here
    assert set(analysed_here) <= {"envs/r2", "envs/r3", "envs/r4", "envs/r5", "modules/orphan"}


def test_root_modules_too_few_for_the_workers_are_analysed_here_from_what_they_parsed(tmp_path, analysed_here,
                                                                                     monkeypatch):
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    scan(tmp_path / "o1.json", 2, tree, cache=cache)
    for i in (2, 4):  # two roots changed, four files: parsed on the workers, two roots analysed here
        for name in ("main.tf", "extra.tf"):
            path = tree / f"envs/r{i}/{name}"
            path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    monkeypatch.setattr(loader, "PARALLEL_FROM", 4)
    analysed_here.clear()
    warm = scan(tmp_path / "o2.json", 2, tree, cache=cache)
    assert sorted(analysed_here) == ["envs/r2", "envs/r4"]
    assert warm == scan(tmp_path / "o3.json", 1, tree)


def files_of(tree: Path) -> list[SourceFile]:
    return [SourceFile(p, p.relative_to(tree).as_posix()) for p in sorted(tree.rglob("*.tf"))]


@pytest.mark.parametrize("keeps", [64, 0])
def test_a_worker_analyses_from_the_files_it_is_sent_without_parsing_them(tmp_path, monkeypatch, keeps):
    tree = estate(tmp_path / "tree").resolve()
    monkeypatch.setattr(loader, "PARALLEL_FROM", 2)  # this small estate parsed on the pool
    monkeypatch.setattr(project_module, "WORKER_KEEPS", keeps)
    options = ParseOptions(limits=Limits(), jobs=2)
    parent = Project(tree, options)
    with worker_pool(parent, files_of(tree)) as parent.pool:
        assert parent.pool is not None
        roots = parent.root_dirs(parent.claim(files_of(tree)))
    serial = Project(tree, ParseOptions(limits=Limits(), jobs=1))
    serial_roots = serial.root_dirs(serial.claim(files_of(tree)))
    assert roots == serial_roots
    # here, as a worker would: no .tf file parsed, every one is among those sent (tfvars are read as here)
    real = loader.parse_text

    def parse_text(text: str, relpath: str, limits: Limits):
        assert not relpath.endswith(".tf"), f"{relpath} parsed again"
        return real(text, relpath, limits)

    monkeypatch.setattr(loader, "parse_text", parse_text)
    monkeypatch.setattr(project_module, "_WORKER_CONTEXT", (tree, options, None))
    monkeypatch.setattr(project_module, "_WORKER_STATE", None)
    sent = [d for d in roots if d.name.startswith("r")]
    for directory in sent:
        sent_back = _analyse_task(directory, parent.task(parent.closure(directory)), "")
        assert isinstance(sent_back, bytes)  # pickled on the worker, unpickled here with the collector paused
        result, reported, ok = _received(sent_back)
        assert repr((result, reported, ok)) == repr(_analyse_one(serial, directory))  # Resource: eq=False
        assert ok and result.resources
    worker = project_module._WORKER_STATE[0]
    # what the worker keeps: the last closure and at most WORKER_KEEPS directories besides
    assert len(worker.modules) <= len(parent.closure(sent[-1])) + keeps


@pytest.mark.parametrize("collecting", [True, False])
def test_an_outcome_a_worker_sends_is_unpickled_out_of_the_collectors_sight(tmp_path, collecting):
    """Without the cache a worker pickles its outcome itself (as it does a cache entry), so that the scanning
    process unpickles it with the cyclic collector paused and freezes what it built (kept to the scan's end)."""
    import gc
    import pickle

    tree = estate(tmp_path / "tree").resolve()
    serial = Project(tree, ParseOptions(limits=Limits(), jobs=1))
    directory = serial.root_dirs(serial.claim(files_of(tree)))[0]
    outcome = _analyse_one(serial, directory)
    payload = project_module._pickled(outcome)
    assert isinstance(payload, bytes) and repr(pickle.loads(payload)) == repr((outcome, None))
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    paused: list[bool] = []
    real = pickle.loads

    def loads(data: bytes):
        paused.append(gc.isenabled())
        return real(data)

    try:
        gc.enable() if collecting else gc.disable()
        pickle.loads = loads
        received = _received(payload)
        assert paused == [False] and gc.isenabled() is collecting
        assert (gc.get_freeze_count() > frozen) is collecting
    finally:
        pickle.loads = real
        gc.unfreeze()
        gc.enable() if enabled else gc.disable()
    assert repr(received) == repr(outcome)
    assert _received(outcome) is outcome  # an outcome that did not pickle is taken as sent
