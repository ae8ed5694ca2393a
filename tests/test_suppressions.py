"""Governed suppressions: iacgov:ignore comments (Terraform, YAML) and
CloudFormation Metadata, applied by the engine's filter stage with the real
rules, under the policy's suppressions section and an injected "today"."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iacgov.engine import ScanRequest, scan
from iacgov.model import ParseOptions, Severity
from iacgov.plugins import load_plugins
from iacgov.suppressions import (
    REFUSED_PROPERTY,
    collect_suppressions,
    parse_directive,
    scan_comments,
)

TODAY = date(2025, 3, 1)
POLICY = "version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\n"
PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n}\n'
DB = (
    'resource "aws_db_instance" "db" {{\n'
    '  engine            = "postgres"\n'
    '  instance_class    = "db.t3.micro"\n'
    "  storage_encrypted = false{trailing}\n"
    "}}\n"
)


@pytest.fixture(scope="module")
def host():
    return load_plugins()


@pytest.fixture
def run(tmp_path, host):
    """Write the files and the policy, scan them; findings by (code, address)."""

    def go(files: dict[str, str], policy: str = POLICY, today: date = TODAY, region: str | None = None):
        (tmp_path / "iacgov.yaml").write_text(policy)
        for name, text in files.items():
            (tmp_path / name).write_text(text)
        result = scan(ScanRequest(paths=(tmp_path,), root=tmp_path, today=today,
                                  options=ParseOptions(region=region)), host)
        assert not result.errors, result.errors
        return result

    return go


def by_key(result):
    return {(f.code, f.address): f for f in result.findings}


def suppression_notes(result):
    return [n for n in result.notifications if n.source == "suppressions"]


# -- Terraform -------------------------------------------------------------------


def test_comment_above_the_resource_block_suppresses_its_findings_of_that_code(run):
    tf = PROVIDER + '# iacgov:ignore LOC001 reason="ERP database, moves to Paris in Q3" expires=2025-06-30\n' \
        + DB.format(trailing="")
    found = by_key(run({"main.tf": tf}))
    loc = found[("LOC001", "aws_db_instance.db")]
    assert loc.suppression is not None
    assert (loc.suppression.kind, loc.suppression.source) == ("inline", "iacgov")
    assert loc.suppression.reason == "ERP database, moves to Paris in Q3"
    assert loc.suppression.expires == "2025-06-30"
    assert (loc.suppression.location.path, loc.suppression.location.line) == ("main.tf", 4)
    # another code on the same resource is not covered
    assert found[("ENC001", "aws_db_instance.db")].suppression is None


def test_slash_comment_directly_above_the_attribute(run):
    tf = PROVIDER + DB.format(trailing="").replace(
        "  storage_encrypted", '  // iacgov:ignore ENC001 reason="test copy of anonymised data"\n  storage_encrypted')
    found = by_key(run({"main.tf": tf}))
    assert found[("ENC001", "aws_db_instance.db")].suppression.reason == "test copy of anonymised data"
    assert found[("LOC001", "aws_db_instance.db")].suppression is None  # the attribute only


def test_trailing_comment_on_the_offending_line(run):
    tf = PROVIDER + DB.format(trailing='  # iacgov:ignore enc001 reason="scratch database"')
    found = by_key(run({"main.tf": tf}))
    assert found[("ENC001", "aws_db_instance.db")].suppression.location.line == 7
    assert found[("LOC001", "aws_db_instance.db")].suppression is None


def test_comment_opening_the_block_covers_the_whole_resource(run):
    tf = PROVIDER + DB.format(trailing="").replace(
        "{\n", '{\n  # iacgov:ignore LOC,ENC001 reason="sandbox account, deleted weekly"\n', 1)
    result = run({"main.tf": tf})
    assert all(f.suppression is not None for f in result.findings)
    assert list(result.active_findings()) == []


def test_family_code_and_code_lists(run):
    tf = (PROVIDER + '# iacgov:ignore LOC reason="US analytics pilot"\n'
          'resource "aws_s3_bucket" "pilot" {\n  bucket = "pilot"\n}\n')
    assert by_key(run({"main.tf": tf}))[("LOC001", "aws_s3_bucket.pilot")].suppression is not None


def test_a_blank_line_breaks_the_association_and_nothing_leaks_to_the_next_resource(run):
    tf = (PROVIDER + '# iacgov:ignore LOC001 reason="detached"\n\n'
          'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n'
          '# iacgov:ignore LOC001 reason="only b"\n'
          'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'
          'resource "aws_s3_bucket" "c" {\n  bucket = "c"\n}\n')
    found = by_key(run({"main.tf": tf}))
    assert found[("LOC001", "aws_s3_bucket.a")].suppression is None
    assert found[("LOC001", "aws_s3_bucket.b")].suppression.reason == "only b"
    assert found[("LOC001", "aws_s3_bucket.c")].suppression is None


def test_directives_inside_strings_heredocs_and_block_comments_are_not_comments(run):
    tf = (PROVIDER
          + 'resource "aws_s3_bucket" "a" {\n  bucket = "a # iacgov:ignore LOC001 reason=\\"in a string\\""\n}\n'
          + 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n  tags = {\n    note = <<EOT\n'
          + '# iacgov:ignore LOC001 reason="in a heredoc"\nEOT\n  }\n}\n'
          + '/*\n# iacgov:ignore LOC001 reason="in a block comment"\n*/\n'
          + 'resource "aws_s3_bucket" "c" {\n  bucket = "c"\n}\n')
    result = run({"main.tf": tf})
    assert [f.address for f in result.active_findings()] == ["aws_s3_bucket.a", "aws_s3_bucket.b", "aws_s3_bucket.c"]
    assert suppression_notes(result) == []


def test_lines_are_counted_as_the_parsers_count_them(run):
    # a form feed is a line break for str.splitlines, not for HCL; CRLF and a BOM change nothing
    tf = "\ufeff# notes\x0c more\r\n" + (PROVIDER + '# iacgov:ignore LOC001 reason="crlf"\n'
                                       + DB.format(trailing="")).replace("\n", "\r\n")
    result = run({"main.tf": tf})
    loc = by_key(result)[("LOC001", "aws_db_instance.db")]
    assert (loc.location.line, loc.suppression.location.line) == (6, 5)


def test_yaml_line_separators_count_as_pyyaml_counts_them(run):
    template = "Description: \"a\u2028b\"\nResources:\n  # iacgov:ignore LOC001 reason=\"sep\"\n" \
        "  Archive:\n    Type: AWS::S3::Bucket\n"
    loc = by_key(run({"stack.yaml": template}, region="us-east-1"))[("LOC001", "Archive")]
    assert (loc.location.line, loc.suppression.location.line) == (5, 4)


# -- CloudFormation ----------------------------------------------------------------

YAML_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: |
  # iacgov:ignore LOC001 reason="inside a block scalar"
Resources:
  # iacgov:ignore LOC001 reason="EU copy planned" expires=2025-12-31
  Archive:
    Type: AWS::S3::Bucket
  Ledger:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      StorageEncrypted: false  # iacgov:ignore ENC001 reason='test ledger, no customer data'
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: 'jobs # iacgov:ignore LOC001 reason="quoted"'
"""


def test_yaml_comments_above_the_logical_id_and_trailing_on_a_property(run):
    result = run({"stack.yaml": YAML_TEMPLATE}, region="us-east-1")
    found = by_key(result)
    archive = found[("LOC001", "Archive")].suppression
    assert (archive.kind, archive.reason, archive.expires, archive.location.line) == (
        "inline", "EU copy planned", "2025-12-31", 5)
    assert found[("ENC001", "Ledger")].suppression.reason == "test ledger, no customer data"
    # not comments: a block scalar's content and a quoted value
    assert found[("LOC001", "Ledger")].suppression is None
    assert found[("LOC001", "Queue")].suppression is None


def test_yaml_comment_opening_the_resource_covers_it(run):
    template = "Resources:\n  Ledger:\n    # iacgov:ignore LOC reason=\"US ledger until the migration\"\n" \
        "    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      StorageEncrypted: false\n"
    found = by_key(run({"stack.yaml": template}, region="us-east-1"))
    assert found[("LOC001", "Ledger")].suppression.location.line == 3
    assert found[("ENC001", "Ledger")].suppression is None


def test_one_comment_covers_every_instance_of_a_counted_block(run, tmp_path):
    tf = (PROVIDER + '# iacgov:ignore LOC001 reason="load test fleet"\n'
          'resource "aws_s3_bucket" "fleet" {\n  count  = 2\n  bucket = "fleet-${count.index}"\n}\n')
    result = run({"main.tf": tf})
    assert sorted(f.address for f in result.findings if f.suppression) == [
        "aws_s3_bucket.fleet[0]", "aws_s3_bucket.fleet[1]"]
    [entry] = collect_suppressions({"main.tf": tf}, result.resources)
    assert entry.address == "aws_s3_bucket.fleet"


METADATA_YAML = """\
Resources:
  Ledger:
    Type: AWS::RDS::DBInstance
    Metadata:
      iacgov:
        ignore:
          - code: LOC
            reason: ledger moves with the ERP
            expires: 2025-04-30
          - {code: ENC001, reason: "", expires: 2025-04-30}
    Properties:
      Engine: postgres
      StorageEncrypted: false
"""


def test_cloudformation_metadata_in_yaml(run):
    result = run({"stack.yaml": METADATA_YAML}, region="us-east-1")
    found = by_key(result)
    loc = found[("LOC001", "Ledger")].suppression
    assert (loc.kind, loc.reason, loc.expires, loc.location.line) == (
        "metadata", "ledger moves with the ERP", "2025-04-30", 2)
    enc = found[("ENC001", "Ledger")]
    assert enc.suppression is None
    assert enc.properties[REFUSED_PROPERTY] == ["stack.yaml:2: no reason given (reason: ...)"]
    [note] = suppression_notes(result)
    assert note.level is Severity.WARNING and note.location.line == 2
    assert "Metadata.iacgov of Ledger not applied: no reason given" in note.message


def test_cloudformation_metadata_in_json_the_only_form_there(run):
    template = {
        "Resources": {
            "Ledger": {
                "Type": "AWS::RDS::DBInstance",
                "Metadata": {"iacgov": {"ignore": [{"code": "ENC001", "reason": "restored from a snapshot"}]}},
                "Properties": {"Engine": "postgres", "StorageEncrypted": False,
                               "DBName": "x # iacgov:ignore LOC001 reason=\"not a comment\""},
            }
        }
    }
    found = by_key(run({"stack.json": json.dumps(template, indent=2)}, region="us-east-1"))
    assert found[("ENC001", "Ledger")].suppression.kind == "metadata"
    assert found[("LOC001", "Ledger")].suppression is None


def test_malformed_metadata_is_reported_not_applied(run):
    template = METADATA_YAML.replace("        ignore:\n", "        skip:\n")
    result = run({"stack.yaml": template}, region="us-east-1")
    assert all(f.suppression is None for f in result.findings)
    [note] = suppression_notes(result)
    assert "Metadata.iacgov must be {ignore: [{code, reason, expires}]}" in note.message


# -- governance --------------------------------------------------------------------


def test_a_suppression_without_reason_does_not_suppress_and_says_so(run):
    tf = PROVIDER + "# iacgov:ignore LOC001 expires=2025-06-30\n" + DB.format(trailing="")
    result = run({"main.tf": tf})
    loc = by_key(result)[("LOC001", "aws_db_instance.db")]
    assert loc.suppression is None
    assert loc.message.endswith('(suppression not applied — main.tf:4: no reason given (write reason="..."))')
    [note] = suppression_notes(result)
    assert (note.location.path, note.location.line, note.level) == ("main.tf", 4, Severity.WARNING)
    assert note.message == 'main.tf:4: iacgov:ignore not applied: no reason given (write reason="...")'


@pytest.mark.parametrize("today, suppressed", [
    (date(2025, 6, 29), True),
    (date(2025, 6, 30), True),  # the last day it applies
    (date(2025, 7, 1), False),
])
def test_expiry_is_the_last_day_and_an_expired_suppression_says_so(run, today, suppressed):
    tf = PROVIDER + '# iacgov:ignore LOC001 reason="migration" expires=2025-06-30\n' + DB.format(trailing="")
    loc = by_key(run({"main.tf": tf}, today=today))[("LOC001", "aws_db_instance.db")]
    assert (loc.suppression is not None) is suppressed
    if not suppressed:
        assert loc.properties[REFUSED_PROPERTY] == ["main.tf:4: expired on 2025-06-30"]
        assert "expired on 2025-06-30" in loc.message


@pytest.mark.parametrize("expiry, refusal", [
    (TODAY + timedelta(days=30), None),
    (TODAY + timedelta(days=31), "it expires 2025-04-01, more than 30 days away (at most 2025-03-31, suppressions.max_days)"),
    (None, "it has no expiry; the policy requires one at most 30 days away (expires=2025-03-31 or sooner, suppressions.max_days)"),
])
def test_max_days_refuses_far_or_missing_expiry(run, expiry, refusal):
    written = f" expires={expiry.isoformat()}" if expiry else ""
    tf = PROVIDER + f'# iacgov:ignore LOC001 reason="migration"{written}\n' + DB.format(trailing="")
    loc = by_key(run({"main.tf": tf}, policy=POLICY + "suppressions:\n  max_days: 30\n"))[
        ("LOC001", "aws_db_instance.db")]
    if refusal is None:
        assert loc.suppression is not None
    else:
        assert loc.suppression is None
        assert loc.properties[REFUSED_PROPERTY] == [f"main.tf:4: {refusal}"]


@pytest.mark.parametrize("locked, refused", [("[ENC001]", "ENC001"), ("[LOC]", "LOC001")])
def test_locked_codes_and_families_cannot_be_suppressed_inline(run, locked, refused):
    tf = PROVIDER + '# iacgov:ignore LOC001,ENC001 reason="please"\n' + DB.format(trailing="")
    result = run({"main.tf": tf}, policy=POLICY + f"suppressions:\n  locked: {locked}\n")
    found = by_key(result)
    for code in ("LOC001", "ENC001"):
        f = found[(code, "aws_db_instance.db")]
        if code == refused:
            assert f.suppression is None
            lock = refused if locked == "[ENC001]" else "LOC"
            assert f.properties[REFUSED_PROPERTY] == [
                f"main.tf:4: {lock} is locked against suppression by the policy (suppressions.locked)"]
            assert f in result.active_findings()
        else:
            assert f.suppression is not None


def test_locked_also_applies_to_cloudformation_metadata(run):
    result = run({"stack.yaml": METADATA_YAML}, region="us-east-1",
                 policy=POLICY + "suppressions:\n  locked: [LOC001]\n")
    assert by_key(result)[("LOC001", "Ledger")].suppression is None


def test_inline_false_forbids_every_inline_suppression(run):
    tf = PROVIDER + '# iacgov:ignore LOC001 reason="migration"\n' + DB.format(trailing="")
    result = run({"main.tf": tf, "stack.yaml": METADATA_YAML}, region="us-east-1",
                 policy=POLICY + "suppressions:\n  inline: false\n")
    loc = by_key(result)[("LOC001", "aws_db_instance.db")]
    assert loc.properties[REFUSED_PROPERTY] == [
        "main.tf:4: inline suppressions are disabled by the policy (suppressions.inline: false)"]
    assert by_key(result)[("LOC001", "Ledger")].suppression is None
    assert all(f.suppression is None for f in result.findings)


def test_wildcards_and_bad_codes_are_refused_with_a_notification(run):
    tf = (PROVIDER + '# iacgov:ignore * reason="everything"\n' + DB.format(trailing="")
          + '# iacgov:ignore LOC-1 reason="typo"\nresource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    result = run({"main.tf": tf})
    assert list(result.active_findings()) == list(result.findings)
    messages = [n.message for n in suppression_notes(result)]
    assert messages == [
        "main.tf:4: iacgov:ignore not applied: '*' is not accepted: name the rule codes or families to ignore",
        "main.tf:10: iacgov:ignore not applied: 'LOC-1' is not a rule code (ENC001) or family (ENC)",
    ]


def test_suppressed_findings_do_not_count_for_the_exit_code(cli, tmp_path):
    (tmp_path / "iacgov.yaml").write_text(POLICY)
    (tmp_path / "main.tf").write_text(
        PROVIDER + '# iacgov:ignore LOC001,ENC001 reason="sandbox" expires=2999-01-01\n' + DB.format(trailing=""))
    result = cli("scan", tmp_path)
    assert result.exit_code == 0, result.output
    assert "[suppressed until 2999-01-01: sandbox]" in result.stdout
    assert "0 findings (0 blocking), 2 suppressed" in result.stdout
    data = json.loads(cli("scan", tmp_path, "--format", "json").stdout)
    assert data["summary"]["suppressed"] == 2
    assert data["findings"][0]["suppression"] == {
        "kind": "inline", "source": "iacgov", "reason": "sandbox", "expires": "2999-01-01",
        "file": "main.tf", "line": 4}
    sarif = json.loads(cli("scan", tmp_path, "--format", "sarif").stdout)  # kept, marked suppressed
    assert [r["suppressions"][0]["kind"] for r in sarif["runs"][0]["results"]] == ["inSource", "inSource"]
    sarif = json.loads(cli("scan", tmp_path, "--format", "sarif", "--sarif-omit-suppressed").stdout)
    assert sarif["runs"][0]["results"] == []


# -- what review reads -------------------------------------------------------------


def test_collect_suppressions_lists_each_code_with_where_it_applies(run, tmp_path):
    tf = (PROVIDER + '# iacgov:ignore LOC001,ENC001 reason="sandbox" expires=2025-06-30\n' + DB.format(trailing="")
          + "# iacgov:ignore LOC001\n")
    result = run({"main.tf": tf, "stack.yaml": METADATA_YAML}, region="us-east-1")
    found = collect_suppressions(
        {"main.tf": tf, "stack.yaml": METADATA_YAML}, result.resources)
    rows = [(s.file, s.line, s.code, s.kind, s.address, s.reason, s.expires, s.problem) for s in found]
    assert rows == [
        ("main.tf", 4, "ENC001", "inline", "aws_db_instance.db", "sandbox", "2025-06-30", None),
        ("main.tf", 4, "LOC001", "inline", "aws_db_instance.db", "sandbox", "2025-06-30", None),
        ("main.tf", 10, "LOC001", "inline", None, None, None, 'no reason given (write reason="...")'),
        ("stack.yaml", 2, "ENC001", "metadata", "Ledger", None, "2025-04-30", "no reason given (reason: ...)"),
        ("stack.yaml", 2, "LOC", "metadata", "Ledger", "ledger moves with the ERP", "2025-04-30", None),
    ]
    assert found[0].target == 'resource "aws_db_instance" "db" {'


def test_collect_suppressions_keys_survive_lines_added_above():
    tf = PROVIDER + '# iacgov:ignore LOC001 reason="x"\n' + DB.format(trailing="")
    before = collect_suppressions({"main.tf": tf})
    after = collect_suppressions({"main.tf": "# header\n\n" + tf})
    assert [s.key for s in before] == [s.key for s in after] == [
        ("main.tf", 'resource "aws_db_instance" "db" {', "LOC001")]
    assert [s.line for s in after] == [6]


# -- the comment reader ------------------------------------------------------------


@pytest.mark.parametrize("body, expected", [
    (' iacgov:ignore ENC001 reason="legacy ERP" expires=2025-06-30',
     (("ENC001",), "legacy ERP", date(2025, 6, 30), None)),
    (" iacgov:ignore enc001, loc reason='two words'", (("ENC001", "LOC"), "two words", None, None)),
    (" iacgov:ignore CKV_AWS_20 reason=bridged", (("CKV_AWS_20",), "bridged", None, None)),
    (" iacgov:ignore ENC001", (("ENC001",), None, None, 'no reason given (write reason="...")')),
    (' iacgov:ignore ENC001 reason="  "', (("ENC001",), None, None, 'no reason given (write reason="...")')),
    (' iacgov:ignore reason="x"', ((), "x", None, "no rule code given (write the codes after iacgov:ignore)")),
    (' iacgov:ignore ENC001 reason="x" expires=2025-02-30',
     (("ENC001",), "x", None, "expires='2025-02-30' is not a date (YYYY-MM-DD)")),
    (' iacgov:ignore ENC001 reason="x" until=2025-01-01',
     ((), None, None, "unknown key 'until' (expected reason=\"...\" and expires=YYYY-MM-DD)")),
    (' iacgov:ignore ENC001 reason="x', ((), None, None, "reason= has an unterminated quote")),
    (' iacgov:ignore ENC001 reason="x" see JIRA-1', ((), None, None, "unexpected 'see' after the key=value pairs")),
    (" iacgov:ignroe ENC001", ((), None, None, "unknown directive 'iacgov:ignroe' (expected iacgov:ignore CODE reason=\"...\")")),
    (" TODO: fix the bucket", None),
    (" checkov:skip=CKV_AWS_20:reason", None),
])
def test_parse_directive(body, expected):
    assert parse_directive(body) == expected


def test_scan_comments_terraform():
    text = (
        '# one\n'
        'a = "x # not" // two\n'
        'b = "${join("#", ["//"])}" # three\n'
        'c = "$${literal} # not"\n'
        'd = <<-EOT\n  # not, heredoc\n  EOT\n'
        '/* block # not\n # not\n*/ e = 1 # four\n'
    )
    assert [(c.line, c.text, c.trailing) for c in scan_comments(text, "hcl")] == [
        (1, " one", False), (2, " two", True), (3, " three", True), (10, " four", True)]


def test_scan_comments_yaml():
    text = (
        "# one\n"
        "a: b#not\n"
        "c: 'd # not' # two\n"
        'e: "f \\" # not" # three\n'
        "g: |\n  # not, block scalar\n\n  text\n"
        "h: !Sub '# not ${x}'  # four\n"
        "- >-\n # not\n"
        "- key: |\n    # not\n  other: 1 # five\n"
    )
    assert [(c.line, c.text.strip(), c.trailing) for c in scan_comments(text, "yaml")] == [
        (1, "one", False), (3, "two", True), (4, "three", True), (9, "four", True), (14, "five", True)]


_ALPHABET = st.sampled_from(list("#/\"'*${}%<>-|: \t\n=,\\abcEOT") + ["iacgov:ignore ", "<<EOT\n", "\nEOT\n",
                                                                     "reason=\"", "expires=", "ENC001", "/*", "*/"])


@settings(max_examples=300, deadline=timedelta(milliseconds=500))
@given(st.lists(_ALPHABET, max_size=400).map("".join))
def test_the_comment_reader_never_raises_on_arbitrary_text(text):
    for syntax in ("hcl", "yaml", None):
        for comment in scan_comments(text, syntax):
            assert comment.line >= 1
            parse_directive(comment.text)
    for suppression in collect_suppressions({"main.tf": text, "stack.yaml": text, "t.template": text}):
        assert suppression.line >= 1 and suppression.file in ("main.tf", "stack.yaml", "t.template")


@settings(max_examples=200, deadline=timedelta(milliseconds=500))
@given(st.text(max_size=2000))
def test_the_comment_reader_never_raises_on_any_unicode(text):
    collect_suppressions({"main.tf": text, "stack.yaml": text})
    parse_directive("iacgov:ignore " + text)


@pytest.mark.parametrize("line", [
    '# iacgov:ignore ENC001 reason="' + 'a="' * 300,
    "# iacgov:ignore " + "A," * 600,
    'x = "' + "${" * 2000,
    "y: '" + "''" * 2000,
])
def test_the_comment_reader_stays_linear_on_large_adversarial_files(line):
    text = "\n".join([line] * 500)  # ~0.5-2 MB, every line a directive attempt, all in one run
    start = time.perf_counter()
    collect_suppressions({"main.tf": text, "stack.yaml": text})
    assert time.perf_counter() - start < 15  # linear: about a second; quadratic would take hours


_DIRECTIVE_PIECES = st.sampled_from([
    "iacgov:ignore", "IACGOV:IGNORE", "iacgov:skip", " ", "  ", ",", "ENC001", "LOC", "enc001", "CKV_AWS_20", "*",
    "all", "X", "reason=", 'reason="', '"', "'", "r\\\"", "archive", "expires=", "2025-06-30", "2025-02-30",
    "9999-99-99", "=", "reason=''", 'reason="a b"', "expires=2025-06-30", "\t", "#", "//", "\u200b", "é",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_DIRECTIVE_PIECES, max_size=25).map("".join))
def test_directive_parser_on_near_miss_directives(body):
    """Bodies built from the directive's own pieces (the likeliest malformed
    input): never raises, answers in bounded time, and suppresses only when
    it names codes and gives a reason."""
    started = time.monotonic()
    parsed = parse_directive(body)
    assert time.monotonic() - started < 1
    if parsed is None:
        assert not body.strip().lower().startswith("iacgov:")
        return
    codes, reason, expires, problem = parsed
    assert isinstance(codes, tuple) and all(isinstance(c, str) and c for c in codes)
    if problem is None:
        assert codes and reason and reason.strip() == reason
        assert expires is None or isinstance(expires, date)
