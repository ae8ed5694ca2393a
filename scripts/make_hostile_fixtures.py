#!/usr/bin/env python3
"""Lay out the hostile-input tree: fixtures/hostile plus what cannot be committed.

    python scripts/make_hostile_fixtures.py DEST            # DEST/repo is the tree to scan
    python scripts/make_hostile_fixtures.py DEST --small    # without the 50 MB file

Copies ``fixtures/hostile`` to ``DEST/repo`` and adds, generated:

- ``deep/``: 10,000 levels of nesting in HCL (brackets, and a chain of
  attribute accesses), in a Terraform plan, and in CloudFormation JSON, flow
  YAML and block YAML;
- ``huge/huge.tf``: a 50 MB Terraform file (over the default size limit);
- ``many_resources/template.yaml``: a CloudFormation template with 10,000
  resources (valid, just big: it is read);
- ``links/``: a symbolic link to itself, a link to a file and one to a
  directory outside ``DEST/repo``, a Terraform module whose file is a link out;
- ``special/pipe.tf``: a FIFO (never opened: opening would block);
- ``dir_named/main.tf/``: a directory named like a Terraform file, holding a
  valid module;
- ``many_files/``: 60 small modules, enough for the parallel loader.

Returns (and prints) ``DEST/repo``. Used by tests/test_hostile.py and
benchmarks/bench_hostile.py; nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "hostile"
DEPTH = 10_000
HUGE_BYTES = 50 * 1024 * 1024
RESOURCES = 10_000
SPARE_MODULES = 60


def make_hostile_tree(dest: Path, *, huge: bool = True) -> Path:
    """Build the tree under ``dest`` (which must be empty or absent); returns the scan root."""
    dest = Path(dest)
    root = dest / "repo"
    shutil.copytree(FIXTURES, root)
    _deep(root / "deep")
    if huge:
        _huge(root / "huge" / "huge.tf")
    _many_resources(root / "many_resources" / "template.yaml")
    _links(root / "links", dest / "outside")
    _special(root / "special")
    _dir_named(root / "dir_named")
    _many_files(root / "many_files")
    return root


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _deep(folder: Path) -> None:
    n = DEPTH
    _write(folder / "brackets.tf", "locals {\n  deep = " + "[" * n + "]" * n + "\n}\n")
    _write(folder / "chain.tf", "locals {\n  chain = a" + ".b" * n + "\n  sum = " + " + ".join(["1"] * n) + "\n}\n")
    _write(folder / "plan.json", '{"format_version": "1.2", "terraform_version": "1.9.0", '
           '"planned_values": {"root_module": {}}, "resource_changes": [], "variables": {"v": {"value": '
           + "[" * n + "]" * n + "}}}\n")
    _write(folder / "template.json", '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Deep": '
           '{"Type": "AWS::SQS::Queue", "Properties": {"Tags": ' + "[" * n + "]" * n + "}}}}\n")
    _write(folder / "flow.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Deep:\n    Type: AWS::SQS::Queue\n'
           "    Properties:\n      Tags: " + "[" * n + "]" * n + "\n")
    _write(folder / "block.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Deep:\n    Type: AWS::SQS::Queue\n'
           "    Properties:\n      Tags:\n        " + "- " * n + "x\n")


def _huge(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = b'# padding padding padding padding padding padding padding padding padding padding\n'
    block = line * (1024 * 1024 // len(line) + 1)
    with open(path, "wb") as fh:
        fh.write(b'resource "aws_sqs_queue" "huge" {\n  name = "huge"\n}\n')
        while fh.tell() < HUGE_BYTES:
            fh.write(block)


def _many_resources(path: Path) -> None:
    parts = ['AWSTemplateFormatVersion: "2010-09-09"\nResources:\n']
    for i in range(RESOURCES):
        parts.append(f"  Queue{i:05d}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: queue-{i}\n")
    _write(path, "".join(parts))


def _links(folder: Path, outside: Path) -> None:
    folder.mkdir(parents=True)
    _write(outside / "secret.tf", 'resource "aws_s3_bucket" "secret" {\n  bucket = "outside-the-root"\n}\n')
    _write(outside / "module" / "main.tf", 'resource "aws_s3_bucket" "stolen" {\n  bucket = "stolen"\n}\n')
    os.symlink("loop.tf", folder / "loop.tf")  # a link to itself
    os.symlink(outside / "secret.tf", folder / "outside.tf")
    os.symlink(outside / "module", folder / "outside_dir")
    _write(folder / "main.tf", 'module "outside" {\n  source = "./outside_dir"\n}\n\n'
           'resource "aws_sqs_queue" "links" {\n  name = "links"\n}\n')


def _special(folder: Path) -> None:
    folder.mkdir(parents=True)
    os.mkfifo(folder / "pipe.tf")
    _write(folder / "main.tf", 'resource "aws_sqs_queue" "beside_a_fifo" {\n  name = "fifo"\n}\n')


def _dir_named(folder: Path) -> None:
    _write(folder / "main.tf" / "inner.tf", 'resource "aws_sqs_queue" "in_a_directory_named_main_tf" {\n'
           '  name = "inner"\n}\n')
    _write(folder / "real.tf", 'resource "aws_sqs_queue" "beside_main_tf_directory" {\n  name = "real"\n}\n')


def _many_files(folder: Path) -> None:
    for i in range(SPARE_MODULES):
        _write(folder / f"m{i:02d}" / "main.tf", f'resource "aws_sqs_queue" "q{i:02d}" {{\n  name = "q{i}"\n}}\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--small", action="store_true", help="leave out the 50 MB file")
    args = parser.parse_args()
    print(make_hostile_tree(args.dest, huge=not args.small))


if __name__ == "__main__":
    main()
