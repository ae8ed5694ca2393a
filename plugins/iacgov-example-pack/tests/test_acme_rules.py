"""The pack's rules on their fixtures: fixtures/<CODE>/pass_* give no finding
of that code, fail_* give exactly the (address, line) pairs in expected.json.

Adding a case is adding a file (and its expected lines): no test code.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import acme_iacgov_pack
from iacgov.engine import ScanRequest, collect_rules, scan
from iacgov.plugins import load_plugins

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CASES = sorted(p for p in FIXTURES.glob("XACME*/*") if p.name.startswith(("pass_", "fail_")))


def _pack_only():
    """The pack alone (whatever else is installed), from the source tree."""
    return load_plugins(disabled=[ep.name for ep in entry_points(group="iacgov")], extra=[acme_iacgov_pack])


def _findings(case: Path, code: str) -> list[list]:
    host = _pack_only()
    result = scan(ScanRequest(paths=(case,), policy_path=case.parent / "iacgov.yaml", root=case.parent), host)
    assert not result.errors
    return [[f.address, f.location.line] for f in result.findings if f.code == code]


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(case: Path):
    code = case.parent.name
    expected = json.loads((case.parent / "expected.json").read_text()).get(case.name, [])
    if case.name.startswith("fail_"):
        assert expected, f"{case.name}: a fail_ case needs its findings in expected.json"
    assert _findings(case, code) == expected


def test_every_rule_has_cases_and_documentation():
    for rule in acme_iacgov_pack.iacgov_rules():
        cases = {p.name.split("_", 1)[0] for p in (FIXTURES / rule.meta.code).iterdir()}
        assert {"pass", "fail"} <= cases, rule.meta.code
        assert rule.meta.code.startswith("XACME") and rule.meta.family == "XACME"
        for section in ("What it flags", "Why it matters", "How to fix", "Options"):
            assert f"## {section}" in rule.meta.help_markdown


def test_the_installed_pack_loads_through_the_entry_point_and_can_be_disabled():
    host = load_plugins()
    assert "acme" in host.names and not host.errors
    assert {"XACME001", "XACME002"} <= {r.meta.code for r in collect_rules(host)}
    assert not {r.meta.code for r in collect_rules(load_plugins(disabled=["acme"]))} & {"XACME001", "XACME002"}


def test_a_typo_in_the_packs_policy_key_is_an_error(tmp_path):
    from iacgov.policy import PolicyError

    (tmp_path / "main.tf").write_text('resource "aws_iam_user" "ci" {}\n')
    (tmp_path / "iacgov.yaml").write_text("version: 1\nacme:\n  forbiden_types: [aws_iam_user]\n")
    # the offending key's own line, with a did-you-mean from the pack's own schema
    with pytest.raises(PolicyError, match=r"iacgov.yaml:3: acme.forbiden_types: unknown key; did you mean 'forbidden_types'\?"):
        scan(ScanRequest(paths=(tmp_path,), root=tmp_path), _pack_only())
