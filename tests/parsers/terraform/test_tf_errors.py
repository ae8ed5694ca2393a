"""Bad input never raises: it becomes a notification, and the rest of the
module and of the scan is still parsed."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tf_helpers import FIXTURES, parse_dir, parse_files, source_files

from iacgov.model import Location, Severity, SourceFile, Unknown


def test_unparseable_files_are_errors_naming_file_and_line():
    parsed = parse_dir(FIXTURES / "broken")
    assert parsed.resources["aws_s3_bucket.still_parsed"].get("bucket") == "still-parsed"
    errors = {n.location.path: n for n in parsed.notifications}
    assert set(errors) == {"syntax_error.tf", "latin1.tf", "binary.tf"}
    assert all(n.level == Severity.ERROR and n.source == "terraform" for n in errors.values())
    assert errors["syntax_error.tf"].message.startswith("cannot parse syntax_error.tf: syntax error at line 7")
    assert errors["syntax_error.tf"].location == Location("syntax_error.tf", 7)
    assert errors["latin1.tf"].message == "cannot parse latin1.tf: invalid UTF-8 (byte 0xe9)"
    assert errors["latin1.tf"].location == Location("latin1.tf", 2)
    assert "NUL" in errors["binary.tf"].message and errors["binary.tf"].location.line == 2


def test_a_module_cycle_is_an_error_not_an_endless_recursion():
    parsed = parse_dir(FIXTURES / "module_cycle")
    assert set(parsed.resources) == {"module.a.aws_sqs_queue.a"}
    [error] = parsed.notifications
    assert error.level == Severity.ERROR
    assert error.location == Location("b/main.tf", 1)
    assert "module.a.module.b.module.back_to_a" in error.message and "calls itself" in error.message


def test_a_module_calling_its_own_directory(tmp_path):
    (tmp_path / "main.tf").write_text('module "me" {\n  source = "./"\n}\n')
    [error] = parse_dir(tmp_path).notifications
    assert error.level == Severity.ERROR and "calls itself" in error.message


def test_modules_outside_the_root_missing_or_remote_are_warnings():
    notes = parse_dir(FIXTURES / "outside_root").notifications
    assert [(n.level, n.location.line) for n in notes] == [(Severity.WARNING, 1), (Severity.WARNING, 5),
                                                          (Severity.WARNING, 9)]
    assert "outside the scanned directory" in notes[0].message
    assert "does not exist" in notes[1].message
    assert "remote modules are never downloaded" in notes[2].message


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlinks_pointing_outside_the_root_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.tf").write_text('resource "aws_s3_bucket" "secret" {\n  bucket = "secret"\n}\n')
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text('module "linked" {\n  source = "./linked"\n}\n')
    (root / "linked").symlink_to(outside)
    (root / "stolen.tf").symlink_to(outside / "main.tf")
    parsed = parse_files([SourceFile(root / "main.tf", "main.tf"), SourceFile(root / "stolen.tf", "stolen.tf")], root)
    assert parsed.resources == {}
    messages = sorted(n.message for n in parsed.notifications)
    assert any("module.linked" in m and "outside the scanned directory" in m for m in messages)
    assert any("stolen.tf" in m and "symbolic link" in m for m in messages)


def test_bom_and_crlf_are_accepted_with_the_right_lines(tmp_path):
    text = ('\ufeff# comment\r\nresource "aws_s3_bucket" "b" {\r\n'
            '  bucket = <<-EOT\r\n    x\r\n  EOT\r\n  acl = "private"\r\n}\r\n')
    (tmp_path / "main.tf").write_bytes(text.encode())
    bucket = parse_dir(tmp_path).resources["aws_s3_bucket.b"]
    assert bucket.location.line == 2
    assert bucket.get("bucket") == "x\n"
    assert bucket.location_of("acl").line == 6


def test_self_references_and_long_chains_do_not_recurse_forever(tmp_path):
    chain = "\n".join(f"  l{i} = local.l{i + 1}" for i in range(400))
    (tmp_path / "main.tf").write_text(
        f'locals {{\n{chain}\n  l400 = "end"\n}}\n'
        'resource "aws_sqs_queue" "q" {\n  count = length(aws_sqs_queue.q)\n  name = local.l0\n}\n'
        'resource "aws_sqs_queue" "r" {\n  name = aws_sqs_queue.r.name\n  tags = { deep = local.l350 }\n}\n')
    parsed = parse_dir(tmp_path)
    assert isinstance(parsed.resources["aws_sqs_queue.q"].count, Unknown)
    assert parsed.resources["aws_sqs_queue.q"].get("name") == Unknown("expression nested too deeply to evaluate")
    assert "cycle" in parsed.resources["aws_sqs_queue.r"].get("name").reason
    assert parsed.resources["aws_sqs_queue.r"].get("tags.deep") == "end"  # 50 locals deep is fine


HCL_PIECES = st.sampled_from([
    'resource "aws_s3_bucket" "b" {', "}", "{", "count = ", "for_each = ", "${", "%{ if", "%{ endif }", '"',
    "<<EOT\n", "EOT\n", "var.x", "local.y", "[for x in var.l : x]", "module", "provider", "\n", " = ", "(", ")",
    "jsonencode(", "aws_s3_bucket.b[0].arn", "1 / 0", "-", "*", "[*]", "...", "\x00", "\xe9", "#", "/*",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(HCL_PIECES, max_size=30), st.binary(max_size=40))
def test_garbage_never_raises(tmp_path_factory, pieces, noise):
    root = tmp_path_factory.mktemp("fuzz")
    (root / "main.tf").write_bytes("".join(pieces).encode("utf-8", "surrogatepass") + noise)
    (root / "valid.tf").write_text('resource "aws_sqs_queue" "ok" {\n  name = "ok"\n}\n')
    parsed = parse_files(source_files(root, root), root)
    assert all(n.location.line >= 1 for n in parsed.notifications)
    assert "aws_sqs_queue.ok" in parsed.resources or any(n.level == Severity.ERROR for n in parsed.notifications)
