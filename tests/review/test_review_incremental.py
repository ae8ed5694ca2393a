"""Review: the head's root modules whose inputs the change leaves alone are not
evaluated again (iacgov.evalcache: the base scan's entries are keyed by content,
not by folder), and the review says exactly what a review without the cache says."""

from __future__ import annotations

import pytest

import iacgov.parsers.terraform.project as project
from iacgov.parsers.terraform.project import Project
from tests.review.gitkit import POLICY, pr, rcli, repo, review_json  # noqa: F401 - fixtures

MODULE = ('variable "name" {\n  type = string\n}\n\nresource "aws_db_instance" "main" {\n  identifier = var.name\n'
          '  engine            = "postgres"\n  instance_class    = "db.t3.micro"\n  storage_encrypted = false\n}\n')


def root(i: int, region: str = "eu-west-3", size: int = 20) -> str:
    return (f'provider "aws" {{\n  region = "{region}"\n}}\n\n'
            f'module "db" {{\n  source = "../../modules/db"\n  name   = "db{i}"\n}}\n\n'
            f'resource "aws_ebs_volume" "v" {{\n  availability_zone = "{region}a"\n  size = {size}\n'
            f'  tags = {{ env = "{("prod", "dev")[i % 2]}" }}\n}}\n')


BASE = {"modules/db/main.tf": MODULE, **{f"envs/r{i}/main.tf": root(i) for i in range(4)}}


@pytest.fixture
def analysed(monkeypatch):
    seen: list[str] = []
    real = Project.analyse

    def counting(self, directory):
        seen.append(self.relpath(directory))
        return real(self, directory)

    monkeypatch.setattr(Project, "analyse", counting)
    monkeypatch.setattr(project, "PARALLEL_ROOTS", 10**6)  # analysed in this process, where they are counted
    return seen


@pytest.mark.parametrize("head", [
    {"envs/r2/main.tf": root(2, "us-east-1", 500)},  # a root module's own file: that root
    {"envs/r3/extra.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'},  # a new file in a root
])
def test_a_one_file_change_re_evaluates_one_root_module(pr, review_json, analysed, tmp_path, monkeypatch, head):
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))  # empty: the base is analysed whole
    repo, base, _ = pr(BASE, head)
    code, doc = review_json(repo, base)
    changed = sorted({name.rsplit("/", 1)[0] for name in head})
    assert sorted(analysed) == sorted([*(f"envs/r{i}" for i in range(4)), *changed])  # base: 4, head: 1
    analysed.clear()
    again = review_json(repo, base)
    assert analysed == []  # both commits' root modules are in the cache now
    without = review_json(repo, base, "--no-cache")
    assert (code, doc) == again == without
    assert doc["changes"]  # the change is seen


def test_a_shared_module_change_re_evaluates_every_root_module_calling_it(pr, review_json, analysed, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    files = {**BASE, "envs/solo/main.tf": 'provider "aws" {\n  region = "eu-west-3"\n}\n\n'
                                          'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'}
    repo, base, _ = pr(files, {"modules/db/main.tf": MODULE.replace("postgres", "mysql")})
    result = review_json(repo, base)
    assert sorted(analysed) == sorted([*(f"envs/r{i}" for i in range(4)), "envs/solo", *(f"envs/r{i}" for i in range(4))])
    assert result == review_json(repo, base, "--no-cache")


def test_only_files_that_can_hold_a_moved_block_are_parsed_again_for_it(pr, review_json, monkeypatch):
    import iacgov.review.moved as moved

    parsed: list[str] = []
    real = moved.load_file

    def counting(path, relpath, *args, **kwargs):
        parsed.append(relpath)
        return real(path, relpath, *args, **kwargs)

    monkeypatch.setattr(moved, "load_file", counting)
    renamed = root(1).replace('"v"', '"volume"') + 'moved {\n  from = aws_ebs_volume.v\n  to   = aws_ebs_volume.volume\n}\n'
    repo, base, _ = pr(BASE, {"envs/r1/main.tf": renamed})
    _, doc = review_json(repo, base)
    assert parsed == ["envs/r1/main.tf"]  # not the four other files of the head
    moves = [(r["previous_address"], r["address"]) for r in doc["resources"] if r["action"] == "moved"]
    assert moves == [("aws_ebs_volume.v", "aws_ebs_volume.volume")]
