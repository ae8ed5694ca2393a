"""Every rule's cases, discovered from ``fixtures/rules/<CODE>/`` (adding a rule never edits this file).

A folder holds ``pass_*`` and ``fail_*`` cases — a file (``.tf``, ``.yaml``,
``.json``, ``.plan.json``) or a directory (a multi-file Terraform module) —
plus optionally ``iacgov.yaml`` (the policy for its cases) and
``options.yaml`` (per-case scan options: ``region``, ``variables``,
``cfn_parameters``, and ``policy``: another policy file of the folder for
that case, when a rule's behaviour depends on what the policy configures).
A pass case gives no finding of the folder's rule; a fail case gives at
least one; every case's findings must equal
``golden.json``, which ``pytest tests/rules --update-goldens`` rewrites for
review as a diff.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from iacgov.engine import ScanRequest, scan
from iacgov.model import ParseOptions, Severity
from iacgov.plugins import load_plugins

from conftest import FIXTURES

RULE_FIXTURES = FIXTURES / "rules"


def _cases():
    for folder in sorted(p for p in RULE_FIXTURES.iterdir() if p.is_dir()):
        for case in sorted(folder.iterdir()):
            if case.name.startswith(("pass_", "fail_")):
                yield pytest.param(folder.name, case, id=f"{folder.name}/{case.name}")


@lru_cache(maxsize=None)
def _host():
    return load_plugins()


def _findings(code: str, case: Path):
    folder = case.parent
    options_file = folder / "options.yaml"
    options = (yaml.safe_load(options_file.read_text()) or {}).get(case.name, {}) if options_file.exists() else {}
    policy = folder / options.get("policy", "iacgov.yaml")
    assert "policy" not in options or policy.is_file(), f"options.yaml names a missing policy: {policy}"
    request = ScanRequest(
        paths=(case,),
        policy_path=policy if policy.exists() else None,
        root=folder,
        options=ParseOptions(
            region=options.get("region"),
            variables=options.get("variables", {}),
            cfn_parameters=options.get("cfn_parameters", {}),
        ),
    )
    result = scan(request, _host())
    assert not result.errors, result.errors
    broken = [n.message for n in result.notifications if n.level is Severity.ERROR]
    assert not broken, f"the fixture itself does not parse: {broken}"
    return [
        {"address": f.address, "file": f.location.path, "line": f.location.line,
         "severity": f.severity.value, "message": f.message}
        for f in result.findings if f.code == code
    ]


@pytest.mark.parametrize("code, case", list(_cases()))
def test_rule_case(code, case, request):
    findings = _findings(code, case)
    if case.name.startswith("pass_"):
        assert findings == [], f"{case.name} must not trigger {code}"
    else:
        assert findings, f"{case.name} must trigger {code}"

    golden_path = case.parent / "golden.json"
    golden = json.loads(golden_path.read_text()) if golden_path.exists() else {}
    if request.config.getoption("--update-goldens"):
        golden[case.name] = findings
        golden_path.write_text(json.dumps(dict(sorted(golden.items())), indent=2) + "\n")
    assert golden.get(case.name) == findings, "findings differ from golden.json (pytest tests/rules --update-goldens)"


def test_every_rule_has_pass_and_fail_cases():
    from iacgov.engine import collect_rules

    codes = {r.meta.code for r in collect_rules(_host()) if not r.meta.code.startswith("X")}
    for code in sorted(codes):
        folder = RULE_FIXTURES / code
        names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        assert any(n.startswith("pass_") for n in names), f"{code} has no pass_* case in {folder}"
        assert any(n.startswith("fail_") for n in names), f"{code} has no fail_* case in {folder}"


def test_goldens_have_no_stale_cases():
    for golden_path in RULE_FIXTURES.glob("*/golden.json"):
        cases = {p.name for p in golden_path.parent.iterdir() if p.name.startswith(("pass_", "fail_"))}
        stale = set(json.loads(golden_path.read_text())) - cases
        assert not stale, f"{golden_path} lists cases that no longer exist: {sorted(stale)}"
