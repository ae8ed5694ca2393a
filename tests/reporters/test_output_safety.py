"""Repository-supplied strings come out inert in every output format.

A provider controls resource names (``for_each`` keys become part of
addresses), tag values, file names and file contents (quoted in parse
errors). Whatever they hold — Markdown, HTML, ``@team`` mentions, ANSI and
OSC terminal sequences, C1 controls, bidi overrides, workflow-command
injection — each reporter must render it as data. The test runs over every
reporter the plugin host knows, so a new reporter without a check here fails.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from iacgov.engine import ScanRequest, scan
from iacgov.plugins import load_plugins

# HCL escapes: \u001b is ESC, \u009b the C1 CSI, \u202e a right-to-left override.
HOSTILE_HCL = (
    r"<img src=x onerror=alert(1)> **bold** [link](https://evil.example) `tick` ``` | cell | @acme/team @alice "
    r"\u001b[31mRED\u001b[0m \u001b]8;;https://evil.example\u0007hyperlink\u001b]8;;\u0007 \u009b2J "
    r"\u202eevil ]]> & <!-- \n::error file=x::injected\r%0A"
)
HOSTILE = (
    "<img src=x onerror=alert(1)> **bold** [link](https://evil.example) `tick` ``` | cell | @acme/team @alice "
    "\x1b[31mRED\x1b[0m \x1b]8;;https://evil.example\x07hyperlink\x1b]8;;\x07 \x9b2J "
    "\u202eevil ]]> & <!-- \n::error file=x::injected\r%0A"
)
HOSTILE_NAME = "evil \x1b[31m<img src=x>@acme|team`\n::error::injected.tf"
BROKEN_NAME = "broken \x1b]0;title\x07 \u202e<b>@acme<b>.tf"  # named in a parse error
# Raw in an output, these act on a terminal, a browser, a diff view or a log.
ACTIVE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile_names")
    (root / "main.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n}\n\n'
        'resource "aws_s3_bucket" "b" {\n'
        f'  for_each = toset(["{HOSTILE_HCL}"])\n'
        '  bucket   = "b"\n'
        f'  tags     = {{ owner = "{HOSTILE_HCL}" }}\n'
        "}\n", encoding="utf-8")
    (root / HOSTILE_NAME).write_text(
        'provider "aws" {\n  region = "us-east-1"\n}\n\nresource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    (root / BROKEN_NAME).write_bytes(f"resource {HOSTILE} {{\n".encode())
    res = scan(ScanRequest(paths=(root,), root=root), load_plugins())
    assert not res.errors
    return res


def test_the_hostile_strings_reach_the_outputs(result):
    """The test means something only if the payload is in the findings and notifications."""
    addresses = {f.address for f in result.findings}
    assert f'aws_s3_bucket.b["{HOSTILE}"]' in addresses
    assert any(f.location.path == HOSTILE_NAME for f in result.findings)
    assert any(BROKEN_NAME in n.message and n.location.path == BROKEN_NAME for n in result.notifications)


def _reporters():
    return {r.name: r for r in load_plugins().collect("iacgov_reporters")}


def check_text(out: str, result) -> None:
    assert not ACTIVE.search(out)
    assert "\\x1b[31mRED" in out  # shown, not interpreted


def _check_json_text(out: str) -> None:
    assert not ACTIVE.search(out)  # C0 escaped by JSON itself; C1 and bidi escaped too


def check_json(out: str, result) -> None:
    _check_json_text(out)
    data = json.loads(out)
    assert f'aws_s3_bucket.b["{HOSTILE}"]' in {f["address"] for f in data["findings"]}  # the data round-trips
    assert HOSTILE_NAME in {f["file"] for f in data["findings"]}


def check_sarif(out: str, result) -> None:
    _check_json_text(out)
    (run,) = json.loads(out)["runs"]
    names = {loc["fullyQualifiedName"] for r in run["results"] for l in r["locations"]
             for loc in l["logicalLocations"]}
    assert f'aws_s3_bucket.b["{HOSTILE}"]' in names


def check_gitlab(out: str, result) -> None:
    _check_json_text(out)
    assert HOSTILE_NAME in {i["location"]["path"] for i in json.loads(out)}


def check_github(out: str, result) -> None:
    lines = out.splitlines()
    assert len(lines) == len(list(result.active_findings())) + len(result.notifications) + len(result.errors) + 1
    for line in lines[:-1]:  # one workflow command per line: nothing injected a second
        assert re.match(r"^::(error|warning|notice) file=[^:,\n]*,line=\d+,title=[^:\n]*::", line), line
        assert not ACTIVE.search(line)
    assert re.match(r"^::(notice|warning) title=iacgov coverage::Analysed \d+ files?, \d+ resources?", lines[-1])


def check_junit(out: str, result) -> None:
    assert not ACTIVE.search(out.replace("\n", ""))
    assert "<img" not in out and "]]>" not in out
    root = ET.fromstring(out)
    cases = root.findall(".//testcase")
    assert any(c.get("name", "").startswith('aws_s3_bucket.b["<img src=x') for c in cases)


CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def check_markdown(out: str, result) -> None:
    assert not ACTIVE.search(out.replace("\n", ""))
    prose = CODE_SPAN.sub("<code>", out)  # GitHub shows code spans literally: no HTML, mention or link there
    assert "<img" not in prose and "<b>" not in prose and "<!--" not in prose.replace("<!-- iacgov-scan -->", "")
    assert not re.search(r"@(?=acme|alice)", prose)  # no mention: a zero-width space follows every @
    assert "](https://evil" not in prose.replace("\\](", "")
    assert "```" not in prose  # no fence opened or closed
    for line in prose.splitlines():
        if line.startswith("| ") and "---" not in line:
            assert len(re.findall(r"(?<!\\)\|", line)) in (6, 5), line  # findings table: 5 columns; families: 4


CHECKS = {"text": check_text, "json": check_json, "sarif": check_sarif, "gitlab": check_gitlab,
          "github": check_github, "junit": check_junit, "markdown": check_markdown}


@pytest.mark.parametrize("name", sorted(_reporters()))
def test_every_reporter_renders_repository_strings_inert(result, name):
    if name not in CHECKS:
        pytest.fail(f"reporter {name!r} has no output-safety check: add one to CHECKS")
    reporter = _reporters()[name]
    CHECKS[name](reporter.render(result, color=False), result)
    if name != "text":  # colour is for terminals only; text is checked below
        CHECKS[name](reporter.render(result, color=True), result)


def test_colored_text_only_adds_its_own_sequences(result):
    out = _reporters()["text"].render(result, color=True)
    assert not ACTIVE.search(re.sub(r"\x1b\[[0-9;]*m", "", out))  # only SGR colours of iacgov's own


def test_html_report_escapes_repository_strings(result, tmp_path_factory):
    from click.testing import CliRunner

    from iacgov.cli import main

    root = result.root
    out = tmp_path_factory.mktemp("html") / "report.html"
    run = CliRunner().invoke(main, ["report", str(root), "--output", str(out)])
    assert run.exit_code in (0, 1), run.output
    html = out.read_text(encoding="utf-8")
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert not ACTIVE.search(html.replace("\n", "").replace("\t", ""))  # controls and bidi shown, not acted on


# ------------------------------------------------------------------ strings no UTF-8 can hold
# A lone surrogate (a "\ud800" escape in HCL or JSON) and an undecodable byte of a file
# name (os.fsdecode gives U+DCFF for byte 0xff) have no UTF-8 form: written as they are,
# they raise UnicodeEncodeError. Every format shows them as the same visible escape.
SURROGATE_CORPUS = ("key\ud800", "name\udcff.tf", "\udfff\ud800", "tag \udc80 \u202e \x1b[2J")
SURROGATE_SHOWN = ("key\\ud800", "name\\xff.tf", "\\udfff\\ud800", "tag \\x80")


@pytest.fixture(scope="module")
def surrogate_result():
    from iacgov.model import Finding, Location, Notification, RuleMeta, ScanResult, Severity, Suppression

    findings, notes = [], []
    for i, s in enumerate(SURROGATE_CORPUS):
        loc = Location(f"dir\udcff/{s}.tf", i + 1)
        findings.append(Finding("LOC001", f"{s} is outside the allowed regions", Severity.ERROR,
                                f'aws_s3_bucket.b["{s}"]', loc, attribute=f"tags.{s}",
                                properties={"tags": {s: s}, "region": s}))
        findings.append(Finding("ENC001", f"{s} not encrypted", Severity.WARNING, f"module.{s}.x", loc,
                                suppression=Suppression("inline", f"reason {s}", "2099-01-01", location=loc)))
        notes.append(Notification(f"cannot parse {s}", loc, Severity.ERROR, "terraform", scope="file"))
        notes.append(Notification(f"module.{s} not analysed", loc, Severity.WARNING, "terraform",
                                  scope="module", subject=f"module.{s}"))
    rules = {"LOC001": RuleMeta("LOC001", "region-not-allowed", "Outside.", "Outside.", Severity.ERROR, "## Fix"),
             "ENC001": RuleMeta("ENC001", "not-encrypted", "Plain.", "Plain.", Severity.ERROR, "## Fix")}
    return ScanResult(root=Path("/nonexistent"), findings=tuple(findings), notifications=tuple(notes),
                      rules=rules, resources=(), files=tuple(f"dir\udcff/{s}.tf" for s in SURROGATE_CORPUS),
                      policy_source=f"policy\udcff.yaml", errors=(f"rule X crashed on {SURROGATE_CORPUS[0]}",))


@pytest.mark.parametrize("name", sorted(_reporters()))
def test_every_reporter_escapes_lone_surrogates_the_same_way(surrogate_result, name):
    out = _reporters()[name].render(surrogate_result, color=False)
    out.encode("utf-8")  # strict: raises on any lone surrogate left
    visible = out.replace("\\\\", "\\")  # JSON doubles the backslash of the escape
    for shown in SURROGATE_SHOWN:
        assert shown in visible, (name, shown)
    if name in CHECKS and name != "github":  # github's line count is checked on the real scan above
        assert not ACTIVE.search(out.replace("\n", "").replace("\t", ""))


def test_html_report_of_surrogate_names_is_written(tmp_path, cli):
    (tmp_path / "repo").mkdir()
    root = _surrogate_tree(tmp_path / "repo")
    out = tmp_path / "report.html"
    assert cli("report", root, "--output", out).exit_code == 1
    html = out.read_text(encoding="utf-8").replace("<wbr>", "")  # identifiers wrap after separators
    assert "bad\\xffname.tf" in html and 'aws_s3_bucket.b[&#34;\\ud800x&#34;]' in html


def _surrogate_tree(root: Path) -> Path:
    import os

    aws = 'provider "aws" {\n  region = "us-east-1"\n}\n'
    (root / "main.tf").write_text(aws + 'resource "aws_s3_bucket" "b" {\n  for_each = toset(["\\ud800x"])\n'
                                  '  bucket = "b"\n}\n')
    (root / "labels.tf.json").write_text(json.dumps(
        {"resource": {"aws_sqs_queue": {"q\ud800": {"name": "q"}}}}, ensure_ascii=True))
    with open(os.path.join(os.fsencode(root), b"bad\xffname.tf"), "wb") as fh:
        fh.write(b'resource "aws_sqs_queue" "named" {\n  name = "n"\n}\n')
    (root / "plan.json").write_text(json.dumps({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [{
            "address": "aws_sqs_queue.p[\"\ud800\"]", "mode": "managed", "type": "aws_sqs_queue", "name": "p",
            "index": "\ud800", "provider_name": "registry.terraform.io/hashicorp/aws",
            "values": {"name": "p", "region": "us-east-1"}}]}},
        "configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {
            "region": {"constant_value": "us-east-1"}}}}},
    }, ensure_ascii=True))
    return root


@pytest.mark.parametrize("fmt", sorted(_reporters()))
def test_a_scan_of_surrogate_names_writes_every_format(tmp_path, fmt, cli):
    (tmp_path / "repo").mkdir()
    root = _surrogate_tree(tmp_path / "repo")
    out = tmp_path / f"out.{fmt}"
    result = cli("scan", root, "--output", f"{fmt}:{out}", "--output", "text")
    assert result.exit_code == 1, result.output
    written = out.read_text(encoding="utf-8")
    visible = written.replace("\\\\", "\\")
    assert "bad\\xffname.tf" in visible, fmt
    if fmt not in ("gitlab",):  # GitLab's report has no addresses
        assert 'aws_s3_bucket.b["\\ud800x"]' in visible.replace('\\"', '"').replace("&quot;", '"'), fmt
    assert "bad\\xffname.tf" in result.stdout
    assert "aws_sqs_queue.q\\ud800" in result.stdout  # the .tf.json label
    assert 'aws_sqs_queue.p["\\ud800"]' in result.stdout  # the plan address
