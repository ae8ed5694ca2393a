"""The same input gives byte-identical JSON and SARIF whatever the filesystem
order and the number of worker processes; fingerprints survive unrelated edits."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import iacgov.parsers.terraform.loader as loader
from iacgov.cli import main

REPO = Path(__file__).resolve().parents[1]
RUN = [sys.executable, "-c", "from iacgov.cli import main; main()"]
MODULES = 64  # more .tf files than loader.PARALLEL_FROM: the parallel path is taken


def corpus() -> dict[str, bytes]:
    """A tree with findings, notifications and unknowns in every format."""
    files: dict[str, bytes] = {}
    for folder in ("demo", "hostile", "terraform/multi_file_module", "cloudformation", "plan"):
        base = REPO / "fixtures" / folder
        for path in base.rglob("*"):
            if path.is_file():
                files[f"{folder}/{path.relative_to(base).as_posix()}"] = path.read_bytes()
    for i in range(MODULES):
        region = ("eu-west-3", "us-east-1", "ap-south-1")[i % 3]
        files[f"estate/m{i:02d}/main.tf"] = (
            f'provider "aws" {{\n  region = "{region}"\n}}\n\n'
            f'module "child" {{\n  source = "../../shared/child"\n  name   = "m{i}"\n}}\n\n'
            f'resource "aws_s3_bucket" "b" {{\n  for_each = toset(["z{i}", "a{i}", "m{i}"])\n'
            f'  bucket   = "b-${{each.key}}"\n  tags     = {{ env = "{("prod", "dev")[i % 2]}" }}\n}}\n').encode()
    files["shared/child/main.tf"] = (
        b'variable "name" {}\n\nresource "aws_db_instance" "db" {\n  identifier = var.name\n'
        b'  engine = "postgres"\n  instance_class = "db.t3.micro"\n  storage_encrypted = false\n}\n')
    return files


def lay_out(root: Path, files: dict[str, bytes], seed: int) -> Path:
    """Write the files (and create their folders) in a shuffled order."""
    order = sorted(files)
    random.Random(seed).shuffle(order)
    for name in order:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
    (root / ".git").mkdir()
    return root


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    files = corpus()
    return (lay_out(tmp_path_factory.mktemp("first"), files, 1),
            lay_out(tmp_path_factory.mktemp("second"), files, 2))


def outputs(root: Path, out: Path, *extra: str) -> tuple[bytes, bytes, int]:
    proc = subprocess.run([*RUN, "scan", ".", "-q", "--output", f"json:{out / 'r.json'}", "--output",
                           f"sarif:{out / 'r.sarif'}", *extra], cwd=root, capture_output=True, timeout=600)
    assert b"Traceback" not in proc.stderr
    return (out / "r.json").read_bytes(), (out / "r.sarif").read_bytes(), proc.returncode


def test_serial_and_parallel_runs_on_differently_ordered_trees_are_byte_identical(trees, tmp_path):
    first, second = trees
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    serial = outputs(first, tmp_path / "a", "--jobs", "1")
    parallel = outputs(second, tmp_path / "b", "--jobs", "2")
    assert serial == parallel
    report = json.loads(serial[0])
    assert report["summary"]["findings"] > 100 and report["notifications"]  # a test with something in it
    assert report["errors"] == []


def test_parallel_loading_is_used_and_changes_nothing_even_with_shuffled_directory_listings(
        trees, tmp_path, monkeypatch):
    first, _ = trees
    pools: list[int] = []
    real_pool = loader.ProcessPoolExecutor

    def counting_pool(workers, *args, **kwargs):
        pools.append(workers)
        return real_pool(workers, *args, **kwargs)

    def run(jobs: str) -> tuple[str, str]:
        out = tmp_path / jobs
        out.mkdir()
        result = CliRunner().invoke(main, ["scan", str(first), "-q", "--no-cache", "--jobs", jobs, "--output",
                                           f"json:{out / 'r.json'}", "--output", f"sarif:{out / 'r.sarif'}"])
        assert result.exit_code == 1, (result.output, result.exception)
        return (out / "r.json").read_text(), (out / "r.sarif").read_text()

    serial = run("1")
    assert pools == []
    real_scandir = os.scandir
    rng = random.Random(3)

    def shuffled_scandir(path="."):
        with real_scandir(path) as it:
            entries = list(it)
        rng.shuffle(entries)
        return _Listing(entries)

    monkeypatch.setattr(loader, "ProcessPoolExecutor", counting_pool)
    monkeypatch.setattr(os, "scandir", shuffled_scandir)
    assert run("2") == serial
    assert pools == [2]


class _Listing:
    """What os.scandir returns: an iterator that is also a context manager."""

    def __init__(self, entries: list) -> None:
        self._entries = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._entries)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass


def test_fingerprints_survive_unrelated_edits(tmp_path):
    body = ('provider "aws" {\n  region = "us-east-1"\n}\n\n'
            'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n')
    (tmp_path / "main.tf").write_text(body)

    def fingerprints() -> dict[str, str]:
        report = json.loads(CliRunner().invoke(main, ["scan", str(tmp_path), "-f", "json"]).stdout)
        return {f["address"]: (f["fingerprint"], f["line"]) for f in report["findings"]}

    before = fingerprints()
    (tmp_path / "main.tf").write_text("# a comment\n\n" + body.replace("bucket = ", "bucket  =  ") +
                                      'resource "aws_sqs_queue" "new" {\n  name = "new"\n}\n')
    (tmp_path / "other.tf").write_text('resource "aws_sqs_queue" "other" {\n  name = "o"\n}\n')
    after = fingerprints()
    assert after["aws_s3_bucket.logs"][0] == before["aws_s3_bucket.logs"][0]
    assert after["aws_s3_bucket.logs"][1] == before["aws_s3_bucket.logs"][1] + 2  # the line moved; not the hash
