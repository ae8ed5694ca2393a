"""Bad input never raises: it becomes a notification, and the rest of the
module and of the scan is still parsed."""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tf_helpers import FIXTURES, parse_dir, parse_files, source_files

from iacgov.model import Location, Severity, SourceFile, Unknown
from iacgov.parsers.terraform.functions import FUNCTIONS
from iacgov.parsers.terraform.loader import LoadError, parse_text
from iacgov.reporters.json_report import _plain


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


# -- property-based: arbitrary text and generated expressions (docs/security.md) ----------------

@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_raises_only_the_documented_parse_error(text):
    """parse_text's contract: a Body or :class:`LoadError`, nothing else, quickly."""
    started = time.monotonic()
    try:
        parse_text(text, "fuzz.tf")
    except LoadError as exc:
        assert exc.reason and (exc.line is None or exc.line >= 1)
    assert time.monotonic() - started < 5


_FUNCTION_NAMES = sorted(FUNCTIONS)
_ATOMS = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.text(st.characters(codec="utf-8", exclude_characters='"\\$%'), max_size=12).map(lambda s: f'"{s}"'),
    st.sampled_from([
        "true", "false", "null", "var.x", "var.list", "var.map", "local.l", "local.m", "each.key", "each.value",
        "count.index", "aws_s3_bucket.b", "aws_s3_bucket.b[0].arn", "aws_s3_bucket.b.*.id", "module.m.out",
        "data.aws_caller_identity.current.account_id", "path.module", "terraform.workspace", "[]", "{}",
        '"${var.x}-${local.l}"', '"%{ for i in var.list }${i},%{ endfor }"', '"%{ if var.x != "" }y%{ else }n%{ endif }"',
        '"\\u00e9\\n\\t\\\\"', "1e308", "-0", '"*"', '"%s%d%v"', '"^(a|b)*$"', '"10.0.0.0/8"',
    ]),
)


def _expressions(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    two = st.tuples(inner, inner)
    return st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(st.sampled_from(["a", "b", '"c d"', "(var.x)"]), inner), max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}"),
        st.tuples(st.sampled_from(_FUNCTION_NAMES), st.lists(inner, max_size=3), st.booleans()).map(
            lambda t: f"{t[0]}({', '.join(t[1])}{'...' if t[2] and t[1] else ''})"),
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        two.map(lambda t: f"[for x in {t[0]} : {t[1]}]"),
        two.map(lambda t: f"{{for k, v in {t[0]} : k => {t[1]}...}}"),
        two.map(lambda t: f"{t[0]}[{t[1]}]"),
        inner.map(lambda x: f"{x}[*].id"),
        inner.map(lambda x: f'"pre-${{{x}}}-post"'),
        inner.map(lambda x: f"(!{x})"),
    )


EXPRESSIONS = st.recursive(_ATOMS, _expressions, max_leaves=12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(st.lists(EXPRESSIONS, min_size=6, max_size=6))
def test_generated_expressions_never_crash_the_evaluator(tmp_path_factory, exprs):
    """Any mix of references, built-in functions, loops and templates:
    values or unknowns, never an internal error, in bounded time."""
    root = tmp_path_factory.mktemp("expr")
    files = {  # one file each: a syntax error in one leaves the others to evaluate
        "x.tf": f'variable "x" {{\n  default = {exprs[0]}\n}}\n',
        "vars.tf": 'variable "list" {\n  default = [1, "a", null]\n}\nvariable "map" {\n  default = { a = 1 }\n}\n',
        "l.tf": f"locals {{\n  l = {exprs[1]}\n}}\n",
        "m.tf": f"locals {{\n  m = [local.l, {exprs[2]}]\n}}\n",
        "b.tf": f'resource "aws_s3_bucket" "b" {{\n  count  = 2\n  bucket = {exprs[3]}\n  tags   = {{ t = {exprs[4]} }}\n}}\n',
        "q.tf": f'resource "aws_sqs_queue" "q" {{\n  for_each = {exprs[5]}\n  name     = each.key\n}}\n'
                f'output "out" {{\n  value = {exprs[5]}\n}}\n',
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    started = time.monotonic()
    parsed = parse_files(source_files(root, root), root)
    assert time.monotonic() - started < 20
    internal = [n.message for n in parsed.notifications if "internal error" in n.message]
    assert not internal, internal
    for resource in parsed.resources.values():
        json.dumps(_plain(dict(resource.attributes)))  # what reporters do with values


def test_a_catastrophic_regular_expression_costs_one_unknown_not_the_module(tmp_path):
    """Terraform's RE2 matches in linear time; a pattern that makes a backtracking
    engine explode is stopped after REGEX_SECONDS, and only its value is unknown."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_sqs_queue" "q" {\n'
        f'  name = regex("^(a|aa)+$", "{"a" * 80}!")\n'
        f'  visibility_timeout_seconds = length(regexall("(a|aa)+b", "{"a" * 80}"))\n'
        '  tags = { ok = replace("a-b", "/-/", "_") }\n'
        "}\n")
    started = time.monotonic()
    queue = parse_dir(tmp_path).resources["aws_sqs_queue.q"]
    assert time.monotonic() - started < 10
    assert "takes longer than 1 s on this text" in queue.get("name").reason
    assert "takes longer than 1 s" in queue.get("visibility_timeout_seconds").reason
    assert queue.get("tags.ok") == "a_b"


def test_an_argument_written_twice_is_refused_as_terraform_refuses_it(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "eu"\n  bucket = "us"\n}\n')
    (tmp_path / "ok.tf").write_text('resource "aws_sqs_queue" "ok" {\n  name = "ok"\n}\n')
    parsed = parse_dir(tmp_path)
    assert set(parsed.resources) == {"aws_sqs_queue.ok"}  # no guess at which bucket name counts
    [error] = parsed.notifications
    assert error.location == Location("main.tf", 3) and error.level == Severity.ERROR
    assert error.message == ("cannot parse main.tf: argument 'bucket' is written twice in one block (first at "
                             "line 2); Terraform refuses such a file")


def test_override_files_are_merged_not_taken_for_second_declarations(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
                                      'locals {\n  env = "prod"\n}\n')
    (tmp_path / "a_override.tf").write_text('terraform {\n  required_version = ">= 1.5"\n}\n'
                                            'resource "aws_sqs_queue" "q" {\n  name = "q2"\n}\n'
                                            'locals {\n  env = "dev"\n}\n')
    (tmp_path / "override.tf").write_text('variable "region" {\n  default = "us-east-1"\n}\n')
    parsed = parse_dir(tmp_path)
    assert parsed.resources["aws_sqs_queue.q"].get("name") == "q2"  # merged, not a duplicate declaration
    [note] = parsed.notifications  # the variable override has nothing to override: Terraform's error
    assert (note.location, note.level, note.scope) == (Location("override.tf", 1), Severity.ERROR, "file")
    assert "var.region is not declared" in note.message