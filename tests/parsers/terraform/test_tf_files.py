"""A module's files as Terraform reads them: ignored names, symbolic links
confined to the scan root, modules downloaded by ``terraform init``, and a
file or module that breaks the parser isolated from the rest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from iacgov.discovery import discover
from iacgov.model import Location, Severity, SourceFile
from iacgov.parsers.terraform import loader
from iacgov.parsers.terraform.project import is_ignored_file

from tf_helpers import parse_dir, parse_files

needs_links = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
BUCKET = 'resource "aws_s3_bucket" "{name}" {{\n  bucket = "{name}"\n}}\n'


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _discovered(root: Path) -> list[SourceFile]:
    """What discovery hands the Terraform parser for a scan of ``root``."""
    return [f for f in discover([root], root).files if f.relpath.endswith((".tf", ".tf.json"))]


def test_terraform_ignore_rules():
    assert is_ignored_file(".sse.tf") and is_ignored_file("main.tf~") and is_ignored_file("#main.tf#")
    assert not is_ignored_file("main.tf") and not is_ignored_file("#main.tf") and not is_ignored_file("a.tf.json")


def test_a_hidden_file_of_a_called_module_is_not_read(tmp_path):
    _tree(tmp_path, {
        "main.tf": 'module "store" {\n  source = "./store"\n}\n',
        "store/main.tf": BUCKET.format(name="data"),
        "store/.sse.tf": 'resource "aws_s3_bucket_server_side_encryption_configuration" "sse" {\n'
                         '  bucket = aws_s3_bucket.data.id\n}\n',
        "store/#draft.tf#": "not even HCL {",
    })
    parsed = parse_files(_discovered(tmp_path), tmp_path)
    assert set(parsed.resources) == {"module.store.aws_s3_bucket.data"}
    assert parsed.notifications == []
    assert ".sse.tf" not in " ".join(parsed.files)


def test_a_hidden_file_handed_over_explicitly_is_skipped_with_a_note(tmp_path):
    _tree(tmp_path, {"main.tf": BUCKET.format(name="a"), ".extra.tf": BUCKET.format(name="b")})
    parsed = parse_files([SourceFile(tmp_path / "main.tf", "main.tf"), SourceFile(tmp_path / ".extra.tf", ".extra.tf")],
                         tmp_path)
    assert set(parsed.resources) == {"aws_s3_bucket.a"}
    [note] = parsed.notifications
    assert note.level == Severity.NOTE and note.location == Location(".extra.tf") and "Terraform ignores" in note.message


@needs_links
def test_a_link_inside_the_root_is_read_under_its_own_name_in_every_module(tmp_path):
    _tree(tmp_path, {"shared/common.tf": BUCKET.format(name="common"), "envs/prod/main.tf": BUCKET.format(name="p"),
                     "envs/staging/main.tf": BUCKET.format(name="s")})
    for env in ("prod", "staging"):
        (tmp_path / "envs" / env / "common.tf").symlink_to("../../shared/common.tf")
    parsed = parse_files(_discovered(tmp_path), tmp_path)
    by_root = {(r.meta["root_module"], r.address): r for res in parsed.results for r in res.resources}
    # (discovery hands over one path per file: shared/common.tf itself goes as envs/prod/common.tf)
    assert set(by_root) - {("shared", "aws_s3_bucket.common")} == {
        ("envs/prod", "aws_s3_bucket.p"), ("envs/prod", "aws_s3_bucket.common"),
        ("envs/staging", "aws_s3_bucket.s"), ("envs/staging", "aws_s3_bucket.common")}
    assert by_root[("envs/staging", "aws_s3_bucket.common")].location == Location("envs/staging/common.tf", 1)
    assert parsed.notifications == []


@needs_links
def test_links_out_of_the_root_are_not_read_and_counted_without_their_target(tmp_path):
    outside = _tree(tmp_path / "outside-the-root", {
        "secret.tf": BUCKET.format(name="stolen"), "vars.tfvars": 'name = "from-outside"\n'})
    root = _tree(tmp_path / "repo", {"main.tf": 'variable "name" {\n  default = "inside"\n}\n'
                                                'resource "aws_sqs_queue" "q" {\n  name = var.name\n}\n'})
    (root / "secret.tf").symlink_to(outside / "secret.tf")
    (root / "terraform.tfvars").symlink_to(outside / "vars.tfvars")
    (root / "x.auto.tfvars").symlink_to(outside / "vars.tfvars")
    parsed = parse_files(_discovered(root), root)
    assert set(parsed.resources) == {"aws_sqs_queue.q"}
    assert parsed.resources["aws_sqs_queue.q"].get("name") == "inside"  # the linked values are not read
    notes = sorted((n.subject, n.scope, n.level, n.message) for n in parsed.notifications)
    assert notes == [(name, "file", Severity.ERROR,
                      f"{name} is a symbolic link to a file outside the scanned directory: not read")
                     for name in ("secret.tf", "terraform.tfvars", "x.auto.tfvars")]
    assert "outside-the-root" not in repr(parsed.notifications)


@needs_links
def test_a_linked_policy_outside_the_repository_is_not_read(tmp_path):
    from iacgov.policy import PolicyError, find_policy

    (tmp_path / "elsewhere.yaml").write_text("version: 1\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "iacgov.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    with pytest.raises(PolicyError, match="symbolic link to a file outside the scanned repository"):
        find_policy([repo], repo)


# -- modules downloaded by terraform init ------------------------------------------------

def _manifest(root: Path, *modules: tuple[str, str, str]) -> None:
    path = root / ".terraform" / "modules" / "modules.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"Modules": [{"Key": "", "Source": "", "Dir": "."}] + [
        {"Key": k, "Source": s, "Version": "4.1.0", "Dir": d} for k, s, d in modules]}))


REMOTE_CALL = ('provider "aws" {\n  region = "us-east-1"\n}\n'
               'module "bucket" {\n  source = "terraform-aws-modules/s3-bucket/aws"\n  name = "logs"\n}\n')


def test_a_downloaded_registry_module_is_analysed_with_the_same_addresses_as_a_local_one(tmp_path):
    _tree(tmp_path, {
        "main.tf": REMOTE_CALL,
        ".terraform/modules/bucket/main.tf": 'variable "name" {}\nresource "aws_s3_bucket" "this" {\n'
                                            '  bucket = var.name\n}\nmodule "inner" {\n  source = "git::https://x/y"\n}\n',
        ".terraform/modules/bucket.inner/main.tf": 'resource "aws_sqs_queue" "q" {}\n',
    })
    _manifest(tmp_path, ("bucket", "registry.terraform.io/terraform-aws-modules/s3-bucket/aws",
                         ".terraform/modules/bucket"),
              ("bucket.inner", "git::https://x/y", ".terraform/modules/bucket.inner"))
    parsed = parse_files(_discovered(tmp_path), tmp_path)  # discovery skips .terraform: the parser reads it
    bucket = parsed.resources["module.bucket.aws_s3_bucket.this"]
    assert (bucket.get("bucket"), bucket.region) == ("logs", "us-east-1")
    assert bucket.location == Location(".terraform/modules/bucket/main.tf", 2)
    assert "module.bucket.module.inner.aws_sqs_queue.q" in parsed.resources
    assert parsed.notifications == []


def test_the_reported_case_a_remote_module_is_no_longer_a_green_run(tmp_path):
    """Not downloaded: COV001 says so; downloaded: its resources are checked (LOC001)."""
    _tree(tmp_path, {"main.tf": REMOTE_CALL})
    run = [sys.executable, "-m", "iacgov", "scan", str(tmp_path), "--no-cache", "--format", "json"]
    before = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert before.returncode == 0, before.stderr
    [finding] = json.loads(before.stdout)["findings"]
    assert (finding["code"], finding["address"], finding["file"], finding["line"]) == ("COV001", "module.bucket",
                                                                                     "main.tf", 4)
    _tree(tmp_path, {".terraform/modules/bucket/main.tf": 'variable "name" {}\nresource "aws_s3_bucket" "this" {\n'
                                                          '  bucket = var.name\n}\n'})
    _manifest(tmp_path, ("bucket", "registry.terraform.io/terraform-aws-modules/s3-bucket/aws",
                         ".terraform/modules/bucket"))
    after = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert after.returncode == 1, after.stderr
    codes = {(f["code"], f["address"]) for f in json.loads(after.stdout)["findings"]}
    assert ("LOC001", "module.bucket.aws_s3_bucket.this") in codes
    assert not any(code == "COV001" for code, _ in codes)


@needs_links
@pytest.mark.parametrize("escape", ["dotdot", "link"])
def test_a_recorded_dir_outside_the_root_is_not_read(tmp_path, escape):
    _tree(tmp_path / "outside-the-root" / "bucket", {"main.tf": BUCKET.format(name="stolen")})
    root = _tree(tmp_path / "repo", {"main.tf": REMOTE_CALL})
    if escape == "dotdot":
        _manifest(root, ("bucket", "registry.terraform.io/x/y/aws", "../outside-the-root/bucket"))
    else:
        (root / "cache").symlink_to(tmp_path / "outside-the-root")
        _manifest(root, ("bucket", "registry.terraform.io/x/y/aws", "cache/bucket"))
    parsed = parse_dir(root)
    assert parsed.resources == {}
    [note] = parsed.notifications
    assert (note.scope, note.subject, note.location) == ("module", "module.bucket", Location("main.tf", 4))
    assert "outside the scanned directory" in note.message and "outside-the-root" not in note.message


def test_module_calls_that_cannot_be_analysed_are_scoped_module_notifications(tmp_path):
    _tree(tmp_path, {
        "main.tf": 'module "remote" {\n  source = "hashicorp/consul/aws"\n}\n'
                   'module "missing" {\n  source = "./missing"\n}\n'
                   'module "computed" {\n  source = var.where\n}\n'
                   'module "submodule" {\n  source = "./vendor/empty"\n}\n'
                   'variable "where" {}\n',
        "vendor/empty/README.md": "a git submodule not checked out\n",
    })
    _manifest(tmp_path, ("other", "x", ".terraform/modules/other"))
    parsed = parse_dir(tmp_path)
    got = {n.subject: (n.scope, n.location.line, n.level) for n in parsed.notifications}
    assert got == {"module.remote": ("module", 1, Severity.WARNING), "module.missing": ("module", 4, Severity.WARNING),
                   "module.computed": ("module", 7, Severity.WARNING),
                   "module.submodule": ("module", 10, Severity.WARNING)}
    messages = {n.subject: n.message for n in parsed.notifications}
    assert "modules.json does not list this one (run terraform init again)" in messages["module.remote"]
    assert "an uninitialised git submodule" in messages["module.submodule"]


# -- isolation -----------------------------------------------------------------------------

def test_a_number_too_long_for_python_and_a_nul_in_a_source_leave_the_rest_analysed(tmp_path):
    _tree(tmp_path, {
        "a/main.tf": f'resource "aws_sqs_queue" "big" {{\n  delay_seconds = {"9" * 5000}\n}}\n',
        "b/main.tf": 'module "m" {\n  source = "./x\\u0000y"\n}\n' + BUCKET.format(name="b"),
        "c/main.tf": BUCKET.format(name="c"),
    })
    parsed = parse_dir(tmp_path)
    assert {(r.meta["root_module"], r.address) for res in parsed.results for r in res.resources} == {
        ("a", "aws_sqs_queue.big"), ("b", "aws_s3_bucket.b"), ("c", "aws_s3_bucket.c")}
    big = parsed.resources["aws_sqs_queue.big"].get("delay_seconds")
    assert "5,000 digits" in big.reason
    [note] = parsed.notifications
    assert note.subject == "module.m" and note.message == (
        'module.m (source "./x\\x00y") not analysed: its source holds a NUL character')


def test_the_cli_survives_both_and_exits_0(tmp_path):
    _tree(tmp_path, {"a/main.tf": f'locals {{\n  n = {"9" * 5000}\n}}\n',
                     "b/main.tf": 'module "m" {\n  source = "\\u0000"\n}\n'})
    proc = subprocess.run([sys.executable, "-m", "iacgov", "scan", str(tmp_path), "--no-cache", "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == [] and report["summary"]["files"] == 2


def test_a_file_that_breaks_the_parser_is_not_analysed_and_the_others_are(tmp_path, monkeypatch):
    _tree(tmp_path, {"a.tf": 'locals {\n  l = [1, 2]\n}\n', "b.tf": BUCKET.format(name="b")})
    real = loader._Compiler._tuple

    def broken(self, node):
        raise ValueError("a bug in the compiler")

    monkeypatch.setattr(loader._Compiler, "_tuple", broken)
    from iacgov.parsers.terraform import treesitter
    monkeypatch.setattr(treesitter._Compiler, "tuple", broken)  # the default front end's compiler too
    parsed = parse_dir(tmp_path, jobs=1)
    monkeypatch.setattr(loader._Compiler, "_tuple", real)
    assert set(parsed.resources) == {"aws_s3_bucket.b"}
    [note] = parsed.notifications
    assert (note.scope, note.subject, note.level) == ("file", "a.tf", Severity.ERROR)
    assert "the parser failed on this file (ValueError: a bug in the compiler); not analysed" in note.message


def test_a_root_module_that_breaks_the_evaluator_is_not_analysed_and_the_others_are(tmp_path, monkeypatch):
    from iacgov.parsers.terraform import project

    _tree(tmp_path, {"bad/main.tf": BUCKET.format(name="bad"), "good/main.tf": BUCKET.format(name="good")})
    real = project.Project.root_inputs

    def root_inputs(self, definition):
        if definition.relpath == "bad":
            raise OverflowError("a value iacgov cannot handle")
        return real(self, definition)

    monkeypatch.setattr(project.Project, "root_inputs", root_inputs)
    parsed = parse_dir(tmp_path)
    assert set(parsed.resources) == {"aws_s3_bucket.good"}
    [note] = parsed.notifications
    assert (note.scope, note.subject, note.location) == ("module", "bad", Location("bad/main.tf", 1))


def test_duplicate_keys_in_a_tfvars_json_are_an_error_naming_the_line(tmp_path):
    _tree(tmp_path, {"main.tf": 'variable "n" {\n  default = "d"\n}\nresource "aws_sqs_queue" "q" {\n  name = var.n\n}\n',
                     "terraform.tfvars.json": '{\n  "n": "one",\n  "n": "two"\n}\n'})
    parsed = parse_dir(tmp_path)
    assert parsed.resources["aws_sqs_queue.q"].get("name") == "d"  # neither value guessed
    [note] = parsed.notifications
    assert note.level == Severity.ERROR and (note.scope, note.subject) == ("file", "terraform.tfvars.json")
    assert note.location.line in (2, 3) and 'Duplicate found "n"' in note.message


@pytest.mark.skipif(sys.platform != "linux", reason="needs fork and /proc")
def test_parsing_workers_exit_when_the_scanning_process_is_killed(tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    script = tmp_path / "scan.py"
    script.write_text(f'''
import os, time
from pathlib import Path
from iacgov.limits import Limits
from iacgov.parsers.terraform import loader

def slow(path, relpath, limits, cache):
    Path({str(pids)!r}, str(os.getpid())).write_text("")
    time.sleep(600)

loader.load_file = slow
items = [(Path("x{{}}.tf".format(i)), "x{{}}.tf".format(i)) for i in range(60)]
list(loader._parse_files(items, Limits(), 2, None))
''')
    proc = subprocess.Popen([sys.executable, str(script)])
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = [int(p.name) for p in pids.iterdir()]
            time.sleep(0.1)
        assert len(workers) == 2, "the workers did not start"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_running(pid) for pid in workers), "a worker outlived the scanning process"
    finally:
        for pid in workers:  # only the workers this test started, if the assertion failed
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()


def _running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# -- the reported cases, end to end -------------------------------------------------------

def _scan(root: Path, *extra: str) -> tuple[int, dict]:
    proc = subprocess.run([sys.executable, "-m", "iacgov", "scan", str(root), "--no-cache", "--format", "json",
                           *extra], capture_output=True, text=True, timeout=120)
    assert proc.stderr == "" or proc.returncode != 2, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_the_reported_override_case_gives_findings_in_the_override_file(tmp_path):
    _tree(tmp_path, {
        "main.tf": 'provider "aws" {\n  region = "eu-west-3"\n}\n'
                   'resource "aws_db_instance" "db" {\n  engine = "postgres"\n  instance_class = "db.t3.micro"\n'
                   '  storage_encrypted = true\n  backup_retention_period = 7\n}\n',
        "main_override.tf": 'provider "aws" {\n  region = "us-east-1"\n}\n'
                            'resource "aws_db_instance" "db" {\n  storage_encrypted = false\n'
                            '  backup_retention_period = 0\n  instance_class = "db.r5.24xlarge"\n}\n'})
    code, report = _scan(tmp_path)
    assert code == 1
    found = {(f["code"], f["file"], f["line"]) for f in report["findings"]}
    assert ("ENC001", "main_override.tf", 5) in found  # storage_encrypted = false, where it is written
    assert ("LOC001", "main.tf", 4) in found  # the database is in us-east-1 (the overridden provider)
    assert not [n for n in report["notifications"] if "override" in n["message"]]


def test_the_reported_hidden_file_case_enc002_is_no_longer_silenced(tmp_path):
    _tree(tmp_path, {
        "iacgov.yaml": "version: 1\nencryption:\n  customer_managed_keys:\n    required_for: all\n",
        "main.tf": 'provider "aws" {\n  region = "eu-west-3"\n}\nmodule "store" {\n  source = "./store"\n}\n',
        "store/main.tf": BUCKET.format(name="data"),
        "store/.sse.tf": 'resource "aws_kms_key" "k" {}\n'
                         'resource "aws_s3_bucket_server_side_encryption_configuration" "sse" {\n'
                         '  bucket = aws_s3_bucket.data.id\n  rule {\n    apply_server_side_encryption_by_default {\n'
                         '      sse_algorithm = "aws:kms"\n      kms_master_key_id = aws_kms_key.k.arn\n    }\n  }\n}\n'})
    code, report = _scan(tmp_path)
    assert code == 1
    assert [(f["code"], f["address"]) for f in report["findings"]] == [("ENC002", "module.store.aws_s3_bucket.data")]
