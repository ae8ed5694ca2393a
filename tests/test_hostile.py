"""A scan of hostile input (fixtures/hostile and scripts/make_hostile_fixtures.py):
exit 0 or 1, never a traceback, every bad file named in a notification with
its reason, the good files still scanned — in text, JSON and SARIF."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from make_hostile_fixtures import make_hostile_tree  # noqa: E402

RUN = [sys.executable, "-c", "from iacgov.cli import main; main()"]

# file -> words its notification must hold (the reason)
BAD_FILES = {
    "billion_laughs/template.yaml": "YAML aliases expand to more than 100,000 nodes",
    "dangling_ref/template.yaml": "refers to NothingByThisName, which the template does not declare",
    "deep/block.yaml": "nested more than 100 levels deep",
    "deep/flow.yaml": "nested more than 100 levels deep",
    "deep/template.json": "nested more than 100 levels deep",
    "deep/plan.json": "nested more than 100 levels deep",
    "deep/brackets.tf": "nested more than about 100 levels deep",
    "deep/chain.tf": "nested more than about 100 levels deep",
    "duplicate_keys/template.json": "Duplicate found 'Twice'",
    "duplicate_keys/plan.json": "the key 'resource_changes' is written twice in one object",
    "duplicate_keys/main.tf": "argument 'bucket' is written twice in one block",
    "exponential_locals/main.tf": "local.l5 is too large to analyse",
    "huge/huge.tf": "file is 50.0 MiB, larger than the 10.0 MiB limit",
    "invalid_utf8/main.tf": "invalid UTF-8 (byte 0xe9)",
    "nul_bytes/main.tf": "NUL bytes",
    "unterminated_heredoc/main.tf": "syntax error at line 2",
    "locals_cycle/main.tf": "local.a is part of a reference cycle",
    "self_module/main.tf": "the module calls itself",
    "many_resources/template.yaml": "a mapping has more than 5,000 keys",
    "links/loop.tf": "a symbolic link loop",
    "links/outside.tf": "it links outside the scanned root",
    "links/outside_dir": "it links outside the scanned root",
    "links/main.tf": "outside the scanned directory",
    "special/pipe.tf": "not a regular file (a FIFO)",
    "dir_named/main.tf": "a directory, not a file",
    "odd_extension/queue.cfn": "it looks like a CloudFormation template, but no parser reads files named like this",
}
# resources that must still be read, next to (or inside) the bad files
GOOD_RESOURCES = {
    "aws_s3_bucket.good", "GoodQueue", "aws_sqs_queue.crlf", "aws_sqs_queue.cycle", "aws_sqs_queue.self",
    "aws_sqs_queue.laughing", "aws_sqs_queue.links", "aws_sqs_queue.beside_a_fifo",
    "aws_sqs_queue.in_a_directory_named_main_tf", "aws_sqs_queue.beside_main_tf_directory", "aws_sqs_queue.q59",
    "Dangling", "EvenQueue",
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return make_hostile_tree(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def scanned(tree, tmp_path_factory):
    """One CLI run in a subprocess (as CI runs it), every format written at once."""
    out = tmp_path_factory.mktemp("out")
    proc = subprocess.run(
        [*RUN, "scan", str(tree), "--verbose", "--output", f"json:{out / 'r.json'}", "--output",
         f"sarif:{out / 'r.sarif'}", "--output", f"text:{out / 'r.txt'}", "--output", "github"],
        capture_output=True, text=True, timeout=600, cwd=tree,
    )
    return proc, out


def test_exit_code_is_0_or_1_and_nothing_crashed(scanned):
    proc, out = scanned
    assert proc.returncode == 1, proc.stderr  # bad files are errors: part of the input was not checked
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr == ""
    report = json.loads((out / "r.json").read_text())
    assert report["errors"] == []
    assert not [n for n in report["notifications"] if "internal error" in n["message"]]


def test_every_bad_file_is_named_with_its_reason(scanned):
    _, out = scanned
    notes = json.loads((out / "r.json").read_text())["notifications"]
    for path, reason in BAD_FILES.items():
        mine = [n["message"] for n in notes if n["file"] == path]
        assert any(reason in m for m in mine), (path, mine)
    text = (out / "r.txt").read_text()
    for path in BAD_FILES:
        assert path in text


def test_sarif_names_them_as_tool_execution_notifications(scanned):
    _, out = scanned
    sarif = json.loads((out / "r.sarif").read_text())
    (run,) = sarif["runs"]
    notified = {loc["physicalLocation"]["artifactLocation"]["uri"]
                for n in run["invocations"][0]["toolExecutionNotifications"] for loc in n.get("locations", [])}
    assert set(BAD_FILES) <= notified
    # not everything was read: the upload must not read as a complete analysis (docs/security.md §12)
    assert run["invocations"][0]["executionSuccessful"] is False


def test_the_good_files_are_still_scanned(scanned, tree):
    proc, out = scanned
    report = json.loads((out / "r.json").read_text())
    assert report["summary"]["resources"] >= len(GOOD_RESOURCES)
    addresses = {f["address"] for f in report["findings"]}
    # LOC findings name every resource whose region is wrong or unknown
    assert GOOD_RESOURCES <= addresses, GOOD_RESOURCES - addresses
    assert not any(a.endswith(("secret", "stolen")) for a in addresses)  # nothing read through links out
    for output in ("r.txt", "r.json", "r.sarif"):  # not even a context line from a file outside the root
        assert "outside-the-root" not in (out / output).read_text()
    assert "aws_s3_bucket.good" in proc.stdout  # github annotations on stdout


def test_a_bom_and_crlf_file_is_read_as_terraform_reads_it(scanned):
    _, out = scanned
    notes = json.loads((out / "r.json").read_text())["notifications"]
    assert not [n for n in notes if n["file"].startswith(("bom_crlf/", "empty/", "good/"))]
    findings = json.loads((out / "r.json").read_text())["findings"]
    [crlf] = [f for f in findings if f["address"] == "aws_sqs_queue.crlf"]
    assert (crlf["code"], crlf["file"], crlf["line"]) == ("LOC001", "bom_crlf/main.tf", 5)
