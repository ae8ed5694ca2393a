"""Discovery: which files are scanned, which are skipped, and never a link out of the root."""

from __future__ import annotations

import os

from iacgov.discovery import discover, find_root
from iacgov.model import Severity


def _tree(tmp_path):
    (tmp_path / "infra" / "modules" / "db").mkdir(parents=True)
    (tmp_path / "infra" / "main.tf").write_text('resource "a" "b" {}\n')
    (tmp_path / "infra" / "modules" / "db" / "main.tf").write_text("")
    for skipped in (".git", ".terraform/modules/x", "node_modules/pkg", ".hidden"):
        (tmp_path / skipped).mkdir(parents=True, exist_ok=True)
        (tmp_path / skipped / "main.tf").write_text("")
    (tmp_path / ".secret.tf").write_text("")
    return tmp_path


def test_walk_skips_vcs_tool_and_hidden_folders(tmp_path):
    root = _tree(tmp_path)
    found = discover([root], root)
    assert [f.relpath for f in found.files] == ["infra/main.tf", "infra/modules/db/main.tf"]
    assert found.notifications == []


def test_root_is_the_git_work_tree(tmp_path):
    root = _tree(tmp_path)
    assert find_root([root / "infra" / "modules"]) == root
    assert find_root([root / "infra" / "main.tf"]) == root


def test_root_without_git_is_the_scanned_directory(tmp_path):
    (tmp_path / "x").mkdir()
    assert find_root([tmp_path / "x"]) == tmp_path / "x"


def test_links_out_of_the_root_and_loops_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.tf").write_text("")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "ok.tf").write_text("")
    os.symlink(outside / "secret.tf", root / "link.tf")
    os.symlink(outside, root / "linkdir")
    os.symlink(root / "loop", root / "loop")
    found = discover([root], root)
    assert [f.relpath for f in found.files] == ["ok.tf"]
    messages = {n.location.path: n.message for n in found.notifications}
    assert "links outside the scanned root" in messages["link.tf"]
    assert "links outside the scanned root" in messages["linkdir"]
    assert "cannot be read" in messages["loop"]
    assert all(n.level is Severity.WARNING for n in found.notifications)


def test_fifo_is_skipped_not_blocked_on(tmp_path):
    os.mkfifo(tmp_path / "pipe.tf")
    (tmp_path / "ok.tf").write_text("")
    found = discover([tmp_path], tmp_path)
    assert [f.relpath for f in found.files] == ["ok.tf"]
    found = discover([tmp_path / "pipe.tf"], tmp_path)
    assert found.files == [] and "not a regular file" in found.notifications[0].message


def test_missing_path_is_an_error_notification(tmp_path):
    found = discover([tmp_path / "nope"], tmp_path)
    assert found.notifications[0].level is Severity.ERROR
    assert "no such file or directory" in found.notifications[0].message


def test_a_file_given_twice_is_scanned_once(tmp_path):
    (tmp_path / "a.tf").write_text("")
    found = discover([tmp_path, tmp_path / "a.tf"], tmp_path)
    assert [f.relpath for f in found.files] == ["a.tf"]


def _assigned(tmp_path, *paths):
    from iacgov.discovery import assign
    from iacgov.plugins import load_plugins

    found = discover([tmp_path / p for p in paths] or [tmp_path], tmp_path)
    notes = list(found.notifications)
    claimed = assign(found.files, load_plugins().collect("iacgov_parsers"), notes, found.explicit)
    return {name: [f.relpath for f in files] for name, files in claimed.items() if files}, notes


def test_a_template_under_an_unusual_name_is_reported_and_the_rest_scanned(tmp_path):
    template = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n'
    (tmp_path / "queue.cfn").write_text("# the queue\n---\n" + template)
    (tmp_path / "queue.json.txt").write_text('{\n  "AWSTemplateFormatVersion": "2010-09-09", "Resources": {}\n}\n')
    (tmp_path / "queue.yaml").write_text(template)
    (tmp_path / "README.md").write_text("# Queue\n\nThe template:\n\n```yaml\n" + template + "```\n")
    (tmp_path / "notes.txt").write_text("AWSTemplateFormatVersion: is the first key of a template\n")
    claimed, notes = _assigned(tmp_path)
    assert claimed == {"cloudformation": ["queue.yaml"]}
    assert [(n.location.path, n.level) for n in notes] == [("queue.cfn", Severity.WARNING),
                                                           ("queue.json.txt", Severity.WARNING)]
    assert notes[0].message == ("skipped queue.cfn: it looks like a CloudFormation template, but no parser reads "
                                "files named like this (*.yaml, *.yml, *.json, *.template): not scanned")


def test_a_file_named_on_the_command_line_that_no_parser_reads_is_a_note(tmp_path):
    (tmp_path / "package.json").write_text('{"name": "x"}\n')
    (tmp_path / "main.tf").write_text("")
    claimed, notes = _assigned(tmp_path, "package.json", "main.tf")
    assert claimed == {"terraform": ["main.tf"]}
    assert [(n.location.path, n.level, n.message) for n in notes] == [
        ("package.json", Severity.NOTE, "skipped package.json: not a Terraform, Terraform plan or CloudFormation file")]
    assert _assigned(tmp_path)[1] == []  # found by the walk: not worth a word
