"""The reports written with iacgov.jsonfast are the bytes json.dumps(indent=2) gave.

Each report is rendered twice from the same scan: as shipped, and with the module's
encoder swapped back for json.dumps; the texts must be equal. fixtures/hostile holds
controls, bidi characters and undecodable bytes (escaped after encoding); fixtures/demo
has findings whose properties repeat (the memo path) and nest lists.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacgov.cli import main
from iacgov.engine import ScanRequest, scan
from iacgov.plugins import load_plugins

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _stdlib(value, *, indent, ensure_ascii):
    return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)


@pytest.fixture(scope="module", params=["demo", "hostile"])
def scanned(request):
    root = FIXTURES / request.param
    return scan(ScanRequest(paths=(root,), root=root), load_plugins())


@pytest.mark.parametrize("name", ["json", "sarif", "gitlab"])
def test_report_bytes_equal_json_dumps(scanned, name, monkeypatch):
    reporter = {r.name: r for r in load_plugins().collect("iacgov_reporters")}[name]
    fast = reporter.render(scanned)
    monkeypatch.setattr("iacgov.reporters.json_report.dumps_indented", _stdlib)
    assert fast == reporter.render(scanned)
    json.loads(fast)  # and it is JSON


def test_demo_findings_exercise_nested_repeated_properties(scanned):
    data = json.loads({r.name: r for r in load_plugins().collect("iacgov_reporters")}["json"].render(scanned))
    props = [json.dumps(f["properties"]) for f in data["findings"] if f["properties"]]
    assert len(props) > len(set(props)), "no repeated properties: the memo path is not exercised"


def test_cost_json_bytes_equal_json_dumps(monkeypatch):
    args = ["cost", str(FIXTURES / "demo"), "--format", "json", "--no-cache"]
    fast = CliRunner().invoke(main, args)
    monkeypatch.setattr("iacgov.cost.report.dumps_indented", _stdlib)
    reference = CliRunner().invoke(main, args)
    assert (fast.exit_code, fast.output) == (reference.exit_code, reference.output)
    assert json.loads(fast.output)["resources"]


@pytest.mark.parametrize(("value", "expected"), [
    ({"m": "a\x7fb"}, '{\n  "m": "a\\u007fb"\n}\n'),  # DEL is ASCII yet escaped: no shortcut
    ({"m": "plain ascii", "n": [1, None]}, '{\n  "m": "plain ascii",\n  "n": [\n    1,\n    null\n  ]\n}\n'),
    ({"m": "caf\u00e9 \u202e \x85"}, '{\n  "m": "caf\u00e9 \\u202e \\u0085"\n}\n'),
])
def test_escaping_of_active_characters(value, expected):
    from iacgov.reporters.json_report import dumps
    assert dumps(value) == expected
