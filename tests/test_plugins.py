"""The plugin host: built-ins and the entry-point group, -p no:NAME, fail closed."""

from __future__ import annotations

import types

import pytest

from iacgov.api import ResourceRule, RuleContext, Severity, hookimpl, rule_meta_from_docstring
from iacgov.engine import ScanRequest, collect_rules, exit_code, scan
from iacgov.plugins import PluginError, load_plugins

DOC = """XTEST001 — Test rule.

## What it flags
Everything.

## Why it matters
Tests.

## How to fix
Nothing.

## Options
None.
"""


def _rule(code: str, check):
    class _Rule(ResourceRule):
        meta = rule_meta_from_docstring(DOC.replace("XTEST001", code), code=code, name="t",
                                        severity=Severity.ERROR, security_severity=1.0)

        def check(self, resource, ctx: RuleContext):
            return check(self, resource)

    return _Rule()


def _plugin(*rules, name="test_pack"):
    module = types.ModuleType(name)
    module.iacgov_rules = hookimpl(lambda: list(rules))
    return module


def test_builtin_rules_come_through_the_entry_point_group():
    host = load_plugins()
    assert "builtin_rules" in host.names
    assert "LOC001" in {r.meta.code for r in collect_rules(host)}


def test_disabling_a_plugin_by_name():
    host = load_plugins(disabled=["builtin_rules"])
    assert "builtin_rules" not in host.names
    assert collect_rules(host) == []


def test_duplicate_rule_codes_are_refused():
    host = load_plugins(extra=[_plugin(_rule("XTEST001", lambda s, r: []), _rule("XTEST001", lambda s, r: []))])
    with pytest.raises(PluginError, match="two plugins provide rule XTEST001"):
        collect_rules(host)


def test_a_rule_that_raises_fails_the_run_and_the_others_still_report(tmp_path):
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\nresource "aws_sqs_queue" "q" {}\n')

    def boom(self, resource):
        raise RuntimeError("kaput")

    def flag(self, resource):
        yield self.finding(resource, "flagged")

    host = load_plugins(extra=[_plugin(_rule("XBOOM001", boom), _rule("XFLAG001", flag))])
    result = scan(ScanRequest(paths=(tmp_path,)), host)
    assert any("rule XBOOM001 crashed: RuntimeError: kaput" in e for e in result.errors)
    assert {f.code for f in result.findings} >= {"XFLAG001", "LOC001"}
    assert exit_code(result) == 2


def _install_fake_distribution(path, entry_points: str, modules: dict[str, str]):
    """A distribution on sys.path with an ``iacgov`` entry point, as pip would leave it."""
    info = path / "acme_pack-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-pack\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)
    for name, source in modules.items():
        (path / f"{name}.py").write_text(source)


def test_third_party_pack_loads_from_the_entry_point_group(tmp_path, monkeypatch):
    _install_fake_distribution(tmp_path, "[iacgov]\nacme = acme_pack\n", {"acme_pack": PACK_SOURCE})
    monkeypatch.syspath_prepend(str(tmp_path))
    host = load_plugins()
    assert "acme" in host.names and not host.errors
    assert "XACME001" in {r.meta.code for r in collect_rules(host)}
    assert "XACME001" not in {r.meta.code for r in collect_rules(load_plugins(disabled=["acme"]))}


def test_a_plugin_that_fails_to_load_is_reported_and_fails_the_run(tmp_path, monkeypatch, cli):
    _install_fake_distribution(tmp_path, "[iacgov]\nacme = acme_pack_missing\n", {})
    monkeypatch.syspath_prepend(str(tmp_path))
    host = load_plugins()
    assert host.errors == [
        "plugin 'acme' (entry point 'acme_pack_missing') failed to load: "
        "ModuleNotFoundError: No module named 'acme_pack_missing'"
    ]
    (tmp_path / "scan").mkdir()
    result = cli("scan", tmp_path / "scan")
    assert result.exit_code == 2
    assert "plugin 'acme'" in result.stderr
    assert cli("-p", "no:acme", "scan", tmp_path / "scan").exit_code == 0


PACK_SOURCE = '''"""XACME001 — Name without the company prefix.

## What it flags
x
## Why it matters
x
## How to fix
x
## Options
x
"""
from iacgov.api import ResourceRule, Severity, hookimpl, rule_meta_from_docstring


class NamePrefix(ResourceRule):
    meta = rule_meta_from_docstring(__doc__, code="XACME001", name="name-prefix",
                                    severity=Severity.WARNING, security_severity=1.0)

    def check(self, resource, ctx):
        return []


@hookimpl
def iacgov_rules():
    return [NamePrefix()]
'''
