"""A strict policy: a typo in iacgov.yaml is an error naming the file, the line of
the offending key and what was probably meant — never a silently weaker policy.

Clouds are a closed set, regions come from a shipped catalog, rule codes and
families from the plugins actually loaded; every problem is reported at once,
exit code 2, one line each. Environment names are checked against the scan."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from iacgov.api import hookimpl
from iacgov.engine import ScanRequest, scan
from iacgov.limits import Limits
from iacgov.model import RuleMeta, Severity
from iacgov.plugins import load_plugins
from iacgov.policy import (
    PolicyError,
    default_policy_text,
    load_policy,
    parse_policy,
    read_yaml_document,
    rule_vocabulary,
)
from iacgov.regions import CLOUDS, catalog, region_problem

from conftest import REPO

GCS_US = """\
provider "google" {
  region = "europe-west9"
}

resource "google_storage_bucket" "data" {
  name     = "data"
  location = "US"
  labels   = { env = "prod" }
}
"""


def _scan_dir(tmp_path: Path, policy: str, tf: str = GCS_US) -> Path:
    (tmp_path / "main.tf").write_text(tf)
    (tmp_path / "iacgov.yaml").write_text(policy)
    return tmp_path


def _errors(result) -> list[str]:
    """The error lines of a CLI run (the first carries click's 'Error: ')."""
    return [line.removeprefix("Error: ") for line in result.output.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def builtin():
    return rule_vocabulary(load_plugins())


# --------------------------------------------------------------------------- the reproduced cases


def test_a_misspelt_cloud_key_is_an_error_not_an_unrestricted_cloud(tmp_path, cli):
    project = _scan_dir(tmp_path, "version: 1\ndata_location:\n  allowed_regions:\n    google: [europe-west9]\n")
    result = cli("scan", project, "--no-cache")
    assert result.exit_code == 2
    assert _errors(result) == [
        f"{project / 'iacgov.yaml'}:4: data_location.allowed_regions.google: 'google' is not a cloud iacgov knows "
        "(aws, azure, gcp); did you mean 'gcp'?"]
    # spelt right, the same policy stops the US bucket
    (project / "iacgov.yaml").write_text("version: 1\ndata_location:\n  allowed_regions:\n    gcp: [europe-west9]\n")
    fixed = cli("scan", project, "--no-cache")
    assert fixed.exit_code == 1 and "LOC001" in fixed.output


@pytest.mark.parametrize("section", ["company_accounts", "provider_accounts", "break_glass"])
def test_every_per_cloud_map_has_closed_cloud_keys(section):
    with pytest.raises(PolicyError) as err:
        parse_policy(f"version: 1\nadmin_access:\n  {section}:\n    amazon: ['111111111111']\n", "p.yaml")
    assert str(err.value) == (f"p.yaml:4: admin_access.{section}.amazon: 'amazon' is not a cloud iacgov knows "
                              "(aws, azure, gcp); did you mean 'aws'?")


def test_data_class_lists_have_closed_cloud_keys_and_checked_regions():
    text = "version: 1\ndata_location:\n  data_classes:\n    secret:\n      azurerm: [francecentral]\n      aws: [eu-west3]\n"
    with pytest.raises(PolicyError) as err:
        parse_policy(text, "p.yaml")
    assert str(err.value).splitlines() == [
        "p.yaml:5: data_location.data_classes.secret.azurerm: 'azurerm' is not a cloud iacgov knows (aws, azure, gcp); "
        "did you mean 'azure'?",
        "p.yaml:6: data_location.data_classes.secret.aws[0]: 'eu-west3' is not a region in iacgov's catalog of aws "
        f"regions (compiled {catalog('aws').compiled}); did you mean 'eu-west-3'?",
    ]


def test_a_misspelt_locked_family_is_an_error_so_suppressions_stay_locked(tmp_path, cli):
    project = _scan_dir(tmp_path, "version: 1\nsuppressions:\n  locked: [LCO, ADM001]\n")
    result = cli("scan", project, "--no-cache")
    assert result.exit_code == 2
    assert _errors(result) == [f"{project / 'iacgov.yaml'}:3: suppressions.locked[0]: 'LCO' is not a rule family "
                               "of the loaded rules and plugins; did you mean 'LOC'?"]


def test_a_misspelt_rule_code_is_an_error(tmp_path, cli):
    project = _scan_dir(tmp_path, "version: 1\nrules:\n  LCO001:\n    enabled: false\n")
    result = cli("scan", project, "--no-cache")
    assert result.exit_code == 2
    assert _errors(result) == [f"{project / 'iacgov.yaml'}:3: rules.LCO001: 'LCO001' is not a rule code of the "
                               "loaded rules and plugins; did you mean 'LOC001'?"]


def test_misspelt_regions_are_errors_all_reported_at_once(tmp_path, cli):
    policy = ("version: 1\ndata_location:\n  allowed_regions:\n    aws:\n      - eu-west3\n      - \"us-east-1 \"\n"
              "    gcp: [europe-west9]\nrules:\n  LCO001: {enabled: false}\n")
    project = _scan_dir(tmp_path, policy)
    result = cli("scan", project, "--no-cache")
    assert result.exit_code == 2
    compiled = catalog("aws").compiled
    path = project / "iacgov.yaml"
    assert _errors(result) == [
        f"{path}:5: data_location.allowed_regions.aws[0]: 'eu-west3' is not a region in iacgov's catalog of aws "
        f"regions (compiled {compiled}); did you mean 'eu-west-3'?",
        f"{path}:6: data_location.allowed_regions.aws[1]: 'us-east-1 ' has leading or trailing blanks; "
        "did you mean 'us-east-1'?",
        f"{path}:9: rules.LCO001: 'LCO001' is not a rule code of the loaded rules and plugins; did you mean 'LOC001'?",
    ]
    assert "Traceback" not in result.output


def test_a_budget_for_an_environment_no_resource_is_in_is_a_warning_at_its_line(tmp_path):
    policy = "version: 1\ncost:\n  budgets:\n    prod: 1000\n    prdo: 100\ncontinuity:\n  protected_environments: [prod, stagin]\n"
    project = _scan_dir(tmp_path, policy)
    result = scan(ScanRequest(paths=(project,), root=project), load_plugins())
    warnings = [n for n in result.notifications if n.location.path == "iacgov.yaml"]
    assert [(n.location.line, n.level, n.message) for n in warnings] == [
        (5, Severity.WARNING, "cost.budgets.prdo: no scanned resource is in environment 'prdo' (environments found: "
                              "prod), so this setting applies to nothing; did you mean 'prod'?"),
        (7, Severity.WARNING, "continuity.protected_environments[1]: no scanned resource is in environment 'stagin' "
                              "(environments found: prod), so this setting applies to nothing"),
    ]


def test_the_budget_warning_is_shown_and_does_not_change_the_exit_code(tmp_path, cli):
    project = _scan_dir(tmp_path, "version: 1\ncost:\n  budgets:\n    prdo: 100\n",
                        'resource "aws_sqs_queue" "q" {\n  tags = { env = "prod" }\n}\n'
                        'provider "aws" {\n  region = "eu-west-3"\n}\n')
    result = cli("scan", project, "--no-cache")
    assert result.exit_code == 0, result.output
    assert "cost.budgets.prdo: no scanned resource is in environment 'prdo'" in result.output


def test_environments_found_and_default_keys_give_no_warning(tmp_path):
    policy = ("version: 1\ncost:\n  budgets: {prod: 1000}\n  max_resource_monthly: {default: 10}\n"
              "logging:\n  min_retention_days: {prod: 365, default: 30}\n")
    project = _scan_dir(tmp_path, policy)
    result = scan(ScanRequest(paths=(project,), root=project), load_plugins())
    assert [n for n in result.notifications if n.location.path == "iacgov.yaml"] == []


# --------------------------------------------------------------------------- plugins' codes


def test_a_plugins_rule_codes_and_family_are_accepted(monkeypatch):
    pack_src = str(REPO / "plugins" / "iacgov-example-pack" / "src")
    monkeypatch.syspath_prepend(pack_src)
    pack = importlib.import_module("acme_iacgov_pack")
    text = "version: 1\nrules:\n  XACME001: {severity: error}\nsuppressions:\n  locked: [XACME, XACME002]\n"
    with_pack = rule_vocabulary(load_plugins(extra=[pack]))
    assert parse_policy(text, "p.yaml", vocabulary=with_pack).get("rules.XACME001.severity") == "error"
    # Without the pack: its folder off sys.path, so an egg-info left there by `pip install -e` of the
    # example pack (CI installs it after this suite) does not register it through its entry point.
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != pack_src])
    with pytest.raises(PolicyError) as err:
        parse_policy(text, "p.yaml", vocabulary=rule_vocabulary(load_plugins()))
    assert str(err.value).splitlines() == [
        "p.yaml:3: rules.XACME001: 'XACME001' is not a rule code of the loaded rules and plugins "
        "(iacgov rules lists them)",
        "p.yaml:5: suppressions.locked[0]: 'XACME' is not a rule family of the loaded rules and plugins "
        "(iacgov rules lists them)",
        "p.yaml:5: suppressions.locked[1]: 'XACME002' is not a rule code of the loaded rules and plugins "
        "(iacgov rules lists them)",
    ]


class _Bridge:
    """A file check as the checkov bridge declares itself: codes CKV_*, and
    metadata (describe) for codes outside the pattern (CKV2_...)."""

    name = "fakecheckov"
    codes = "CKV_*"
    summary = "test bridge"

    def run(self, ctx):  # pragma: no cover - never run here
        raise AssertionError

    def describe(self, code):
        if code.startswith("CKV2_"):
            return RuleMeta(code, "x", "x", "x", Severity.WARNING, "x", family="XCKV")
        return None


def test_codes_a_loaded_bridge_claims_are_accepted():
    plugin = types.ModuleType("fake_bridge")
    plugin.iacgov_file_checks = hookimpl(lambda: [_Bridge()])
    vocabulary = rule_vocabulary(load_plugins(extra=[plugin]))
    text = ("version: 1\nrules:\n  CKV_AWS_16: {enabled: false}\n  CKV2_AWS_6: {severity: note}\n"
            "suppressions:\n  locked: [XCKV, CKV_AWS_20, ENC]\n")
    assert parse_policy(text, "p.yaml", vocabulary=vocabulary).get("rules.CKV_AWS_16.enabled") is False
    with pytest.raises(PolicyError, match=r"p.yaml:3: rules.XCFN_E3012: 'XCFN_E3012' is not a rule code"):
        parse_policy("version: 1\nrules:\n  XCFN_E3012: {enabled: false}\n", "p.yaml", vocabulary=vocabulary)
    # the tool's own prefix is not a family: its findings are ENC, LOG... or XCKV
    with pytest.raises(PolicyError, match=r"p.yaml:3: suppressions.locked\[0\]: 'CKV' is not a rule family"):
        parse_policy("version: 1\nsuppressions:\n  locked: [CKV]\n", "p.yaml", vocabulary=vocabulary)


def test_every_shipped_policy_still_validates(builtin, monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "plugins" / "iacgov-example-pack" / "src"))
    pack = importlib.import_module("acme_iacgov_pack")
    host = load_plugins(extra=[pack])
    schemas = [s for s in host.hook.iacgov_policy_schema() if s]
    vocabulary = rule_vocabulary(host)
    found = sorted(p for base in (REPO / "fixtures", REPO / "plugins") for p in base.rglob("*iacgov*.yaml")
                   if "usage" not in p.name)
    assert len(found) >= 25
    for path in found:
        load_policy(path, schemas, vocabulary=vocabulary)  # raises PolicyError naming the file
    load_policy(None, vocabulary=builtin)
    assert parse_policy(default_policy_text(), "init.yaml", vocabulary=builtin).get("version") == 1


# --------------------------------------------------------------------------- regions


@pytest.mark.parametrize("cloud, value", [
    ("aws", "eu-west-3"), ("aws", "us-gov-west-1"), ("aws", "cn-north-1"), ("aws", "ap-southeast-7"),
    ("aws", "eu-*"), ("azure", "francecentral"), ("azure", "France Central"), ("azure", "usgovvirginia"),
    ("gcp", "europe-west9"), ("gcp", "US"), ("gcp", "eu"), ("gcp", "EUR4"), ("gcp", "nam4"), ("gcp", "europe-*"),
])
def test_region_forms_the_location_rules_understand_are_accepted(cloud, value):
    assert region_problem(cloud, value) is None


@pytest.mark.parametrize("cloud, value, reason", [
    ("aws", "EU-WEST-3", "'EU-WEST-3' is not written as aws writes it; did you mean 'eu-west-3'?"),
    ("aws", " eu-west-3", "' eu-west-3' has leading or trailing blanks; did you mean 'eu-west-3'?"),
    ("aws", "mars-*", "the pattern 'mars-*' matches no region of iacgov's catalog of aws regions"),
    ("azure", "FranceCentral", "'FranceCentral' is not written as azure writes it; did you mean 'francecentral'?"),
    ("azure", "westeurop", "did you mean 'westeurope'?"),
    ("gcp", "europe-west9-a", "'europe-west9-a' is a zone, not a region; did you mean 'europe-west9'?"),
    ("gcp", "Eu", "'Eu' is not written as gcp writes it; did you mean 'EU'?"),
    ("gcp", "atlantis9", "a newer region can be listed in data_location.additional_regions.gcp"),
])
def test_misspelt_regions_say_what_was_meant(cloud, value, reason):
    assert reason in region_problem(cloud, value)


def test_a_region_newer_than_the_catalog_can_be_listed_as_additional():
    text = ("version: 1\ndata_location:\n  additional_regions:\n    aws: [xx-new-1]\n"
            "  allowed_regions:\n    aws: [eu-west-3, xx-new-1]\n")
    assert parse_policy(text, "p.yaml").get("data_location.allowed_regions.aws") == ["eu-west-3", "xx-new-1"]


def test_region_catalogs_cite_their_sources():
    for cloud in CLOUDS:
        data = json.loads((REPO / "src" / "iacgov" / "data" / "regions" / f"{cloud}.json").read_text())
        assert data["cloud"] == cloud and data["compiled"] and data["sources"]
        assert all(s["url"].startswith("https://") for s in data["sources"])
        names = [r["name"] for r in data["regions"]]
        assert len(names) == len(set(names)) and all(n == n.strip().lower() for n in names)
    assert "europe-west9" in catalog("gcp").regions and "eu-west-3" in catalog("aws").regions


# --------------------------------------------------------------------------- the file itself


def test_every_problem_is_reported_each_at_its_own_key():
    text = "version: 1\ndata_locaton: {}\nencryption:\n  min_tls_versoin: '1.2'\ncost:\n  budgets: {prod: -1}\n"
    with pytest.raises(PolicyError) as err:
        parse_policy(text, "p.yaml")
    assert str(err.value).splitlines() == [
        "p.yaml:2: data_locaton: unknown key; did you mean 'data_location'?",
        "p.yaml:4: encryption.min_tls_versoin: unknown key; did you mean 'min_tls_version'?",
        "p.yaml:6: cost.budgets.prod: -1 is less than the minimum of 0",
    ]


def test_duplicate_keys_are_an_error_naming_both_lines():
    text = "version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\n    aws: [us-east-1]\n"
    with pytest.raises(PolicyError) as err:
        parse_policy(text, "p.yaml")
    assert str(err.value) == ("p.yaml:5: data_location.allowed_regions.aws: duplicate key (first at line 4, again at "
                              "line 5): YAML would keep only the last one")


@pytest.mark.parametrize("text, message", [
    ("version: 1\nrules: " + "[" * 5000 + "]" * 5000 + "\n", "p.yaml:2: invalid YAML: exceeded maximum nesting depth"),
    ("version: 1\nsuppressions:\n  max_days: " + "9" * 5000 + "\n",
     "p.yaml:3: suppressions.max_days: an integer of 5,000 digits: more than the 4,300 Python reads"),
])
def test_hostile_policies_are_clear_errors(text, message):
    with pytest.raises(PolicyError) as err:
        parse_policy(text, "p.yaml")
    assert str(err.value) == message


def test_hostile_policy_through_the_cli_is_exit_2_without_traceback(tmp_path, cli):
    project = _scan_dir(tmp_path, "version: 1\nrules: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n")
    result = cli("scan", project, "--no-cache")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert _errors(result) == [f"{project / 'iacgov.yaml'}:2: nested more than 100 levels deep "
                               "(limits.max_nesting_depth): not read"]


def test_usage_file_is_read_as_strictly(tmp_path):
    from iacgov.cost.catalog import CostConfigError
    from iacgov.cost.usage import load_usage

    cases = {
        "version: 1\nresource_usage:\n  aws_s3_bucket.x:\n    storage_gb: " + "9" * 5000 + "\n":
            ":4: resource_usage.aws_s3_bucket.x.storage_gb: an integer of 5,000 digits",
        "version: 1\nresource_usage: " + "[" * 3000 + "]" * 3000 + "\n": ":2: invalid YAML: exceeded maximum nesting",
        "version: 1\nresource_usage: {}\nresource_usage: {}\n": ":3: resource_usage: duplicate key (first at line 2",
    }
    for i, (text, message) in enumerate(cases.items()):
        path = tmp_path / f"usage{i}.yaml"
        path.write_text(text)
        with pytest.raises(CostConfigError) as err:
            load_usage(path)
        assert str(err.value).startswith(f"{path}{message}"), str(err.value)


@pytest.mark.parametrize("text, why", [
    ('{"version": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ('{"version": ' + "9" * 5000 + ', "findings": []}', "a number has too many digits"),
])
def test_hostile_baselines_are_clear_errors(tmp_path, text, why):
    from iacgov.baseline import BaselineError, load_baseline

    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(BaselineError) as err:
        load_baseline(path)
    assert str(err.value) == f"{path}: baseline file cannot be read: {why}"


def test_read_yaml_document_returns_the_data():
    assert read_yaml_document("a: [1, 2]\nb: {c: x}\n", "f.yaml") == {"a": [1, 2], "b": {"c": "x"}}


def test_max_memory_mb_is_a_policy_limit():
    assert Limits.from_policy(parse_policy("version: 1\nlimits:\n  max_memory_mb: 2048\n", "p.yaml")).max_memory_mb == 2048
    assert Limits().max_memory_mb == 1024
    with pytest.raises(PolicyError, match=r"p.yaml:3: limits.max_memory_mb: 32 is less than the minimum of 64"):
        parse_policy("version: 1\nlimits:\n  max_memory_mb: 32\n", "p.yaml")


def test_the_policy_cache_knows_the_plugins_codes(tmp_path, builtin):
    """A policy cached as valid with one set of plugins is checked again with another."""
    text = "version: 1\nrules:\n  XTEST001: {enabled: false}\n"
    bridge = types.ModuleType("fake_bridge2")
    check = _Bridge()
    check.codes = "XTEST*"
    bridge.iacgov_file_checks = hookimpl(lambda: [check])
    parse_policy(text, "p.yaml", cache_dir=tmp_path, vocabulary=rule_vocabulary(load_plugins(extra=[bridge])))
    with pytest.raises(PolicyError, match="XTEST001"):
        parse_policy(text, "p.yaml", cache_dir=tmp_path, vocabulary=builtin)


# --------------------------------------------------------------------------- review


def test_review_checks_the_base_policy_the_same_way(tmp_path, cli):
    from review.gitkit import Repo

    repo = Repo(tmp_path / "infra")
    repo.write({"iacgov.yaml": "version: 1\nsuppressions:\n  locked: [LCO]\n", "main.tf": GCS_US})
    base = repo.commit("base")
    repo.write({"main.tf": GCS_US.replace('"US"', '"EU"')})
    head = repo.commit("head")
    result = cli("review", "--base", base, "--head", head, cwd=repo.path)
    assert result.exit_code == 2
    assert "iacgov.yaml:3: suppressions.locked[0]: 'LCO' is not a rule family of the loaded rules and plugins; " \
           "did you mean 'LOC'?" in result.output
    assert "Traceback" not in result.output
    assert subprocess.run(["git", "status"], cwd=repo.path, capture_output=True).returncode == 0
