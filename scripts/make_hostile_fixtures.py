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

With ``round_two=True`` (:func:`make_round_two`, also alone: ``--round-two``),
the second round, one folder per case, each beside a good resource:

- ``blank_lines/``: unclaimed files of 40 blank lines (LF, CRLF, " \\n") and a
  character, which made the template sniffing backtrack for hours;
- ``regex_compile/``, ``setproduct/``, ``format_precision/``,
  ``flatten_bomb/``, ``yaml_laughs/``, ``nested_for/``, ``big_locals/``,
  ``template_loops/``: Terraform expressions that built gigabytes before
  they were sized; ``heredoc_5mb/``: an unterminated 5 MB heredoc;
  ``big_heredoc/``: a closed 6 MB one (python-hcl2 needs 1.5 GB for it);
- ``eval_errors/``: ``replace()`` with a bad group, ``yamldecode`` of invalid
  YAML and of dates, CloudFormation ``Fn::Cidr`` with huge counts;
- ``legit_100k/``: a valid 10 MB file of 100,000 resources (only with
  ``legit=True``: it takes a minute to scan).

Returns (and prints) ``DEST/repo``. Used by tests/test_hostile.py and
benchmarks/bench_hostile.py; nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "hostile"
DEPTH = 10_000
HUGE_BYTES = 50 * 1024 * 1024
RESOURCES = 10_000
SPARE_MODULES = 60


def make_hostile_tree(dest: Path, *, huge: bool = True, round_two: bool = False) -> Path:
    """Build the tree under ``dest`` (which must be empty or absent); returns the scan root."""
    dest = Path(dest)
    root = dest / "repo"
    shutil.copytree(FIXTURES, root)
    if round_two:
        make_round_two(root)
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


# -- round two: hangs and memory ---------------------------------------------------------------

GOOD = 'resource "aws_sqs_queue" "{name}" {{\n  name = "{name}"\n}}\n'
# Each case: folder -> (file name, text). A Terraform case also declares aws_sqs_queue.<folder>.
ROUND_TWO_TF = {
    "regex_compile": 'locals {\n  r = regex("a{1000000000}", "aaa")\n  s = regex("(a{1000}){1000}", "aaa")\n}\n',
    "setproduct": "locals {\n  n = length(setproduct(range(100000), range(300)))\n}\n",
    "format_precision": 'locals {\n  f = format("%.999999999f", 1)\n  g = format("%-1000.999999999f", 1)\n}\n',
    "flatten_bomb": "locals {\n  l0 = [" + ", ".join(['"xxxxxxxxxx"'] * 10) + "]\n"
                    + "".join(f"  l{i} = [" + ", ".join([f"local.l{i - 1}"] * 10) + "]\n" for i in range(1, 8))
                    + "  flat = length(flatten(local.l7))\n  json = length(jsonencode(local.l7))\n}\n",
    "yaml_laughs": "locals {\n  doc = yamldecode(<<EOT\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                   + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
                             for i in range(8))
                   + "EOT\n  )\n}\n",
    "nested_for": "locals {\n  grid = [for a in range(100000) : [for b in range(1000) : b]]\n  n = length(local.grid)\n}\n",
    "template_loops": 'locals {\n  t = "%{for a in range(100000)}%{for b in range(100000)}x%{endfor}%{endfor}"\n}\n',
    "big_locals": "locals {\n" + "".join(
        f'  s{i} = join("", [for i in range(100000) : "{i:03d}' + "x" * 79 + '"])\n' for i in range(200))
                  + "}\n\nresource \"aws_sqs_queue\" \"big_locals_join\" {\n  name = \"q${length(join(\"\", ["
                  + ", ".join(f"local.s{i}" for i in range(200)) + "]))}\"\n}\n",
    "eval_errors": 'locals {\n  bad_group = replace("abc", "/(b)/", "$2")\n  bad_yaml = yamldecode("a: [1, 2")\n'
                   '  dates = yamldecode("when: 2024-01-02")\n  two = yamldecode("a: 1\\n---\\nb: 2")\n}\n',
}
CIDR_TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  CidrQueue:
    Type: AWS::SQS::Queue
    Properties:
      Tags:
        - Key: huge
          Value: !Select [0, !Cidr ["10.0.0.0/16", 1000000000000000000000000, 8]]
        - Key: inf
          Value: !Select [0, !Cidr ["10.0.0.0/16", .inf, 8]]
        - Key: negative
          Value: !Select [0, !Cidr ["10.0.0.0/16", -3, 8]]
        - Key: bits
          Value: !Select [0, !Cidr ["10.0.0.0/16", 2, 99999999999999999999]]
        - Key: prefix
          Value: !Select [0, !Cidr ["10.0.0.0/16", 2, 0]]
"""


def make_round_two(root: Path, *, legit: bool = False) -> None:
    """The second round's cases under ``root`` (see the module docstring)."""
    for name, text in ROUND_TWO_TF.items():
        # locals are evaluated when used: a resource uses each of them
        used = "".join(f"    {local} = jsonencode(local.{local})\n" for local in re.findall(r"^  (\w+) =", text, re.M))
        user = f'resource "aws_sqs_queue" "{name}_user" {{\n  tags = {{\n{used}  }}\n}}\n'
        _write(root / name / "main.tf", text + "\n" + user + "\n" + GOOD.format(name=name))
    _write(root / "eval_errors" / "cidr.yaml", CIDR_TEMPLATE)
    blank = root / "blank_lines"
    blank.mkdir(parents=True, exist_ok=True)
    for name, line in (("NOTES", b"\n"), ("NOTES_CRLF", b"\r\n"), ("NOTES_SPACES", b" \n")):
        (blank / name).write_bytes(line * 40 + b"x")
    (blank / "HEAD_OF_NEWLINES").write_bytes(b"{" + b"\n" * 65535)
    _write(blank / "main.tf", GOOD.format(name="blank_lines"))
    body = "line of a never closed heredoc, padding padding padding\n"
    _write(root / "heredoc_5mb" / "main.tf", 'locals {\n  h = <<EOT\n' + body * (5 * 1024 * 1024 // len(body)) + "}\n")
    _write(root / "heredoc_5mb" / "queue.tf", GOOD.format(name="heredoc_5mb"))
    _write(root / "big_heredoc" / "main.tf", 'locals {\n  h = <<EOT\n' + body * (6 * 1024 * 1024 // len(body))
           + "EOT\n}\n")
    _write(root / "big_heredoc" / "queue.tf", GOOD.format(name="big_heredoc"))
    if legit:
        make_legit_estate(root / "legit_100k" / "main.tf")


def make_legit_estate(path: Path, resources: int = 100_000) -> None:  # just under 10 MiB
    """A valid file of ``resources`` queues, about 10 MB."""
    parts = [f'resource "aws_sqs_queue" "q{i:06d}" {{\n  name = "queue-{i:06d}"\n'
             f'  tags = {{ team = "platform" }}\n}}\n' for i in range(resources)]
    _write(path, "".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--small", action="store_true", help="leave out the 50 MB file")
    parser.add_argument("--round-two", action="store_true", help="add the second round's cases")
    args = parser.parse_args()
    print(make_hostile_tree(args.dest, huge=not args.small, round_two=args.round_two))


if __name__ == "__main__":
    main()
