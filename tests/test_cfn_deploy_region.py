"""A CloudFormation template's deployment region from the AWS SAM CLI configuration file beside it
(iacgov.parsers.cloudformation.samconfig) when --region is not given: where it came from, and a file that
cannot be used is a warning naming it and its line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacgov.cli import main
from iacgov.model import ParseOptions, Severity, SourceFile, is_unknown
from iacgov.parsers.cloudformation import CloudFormationParser

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Ledger:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "ledger-${AWS::Region}"
      BillingMode: PAY_PER_REQUEST
      KeySchema:
        - AttributeName: id
          KeyType: HASH
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
"""
DEPLOY = """\
version = 0.1

[default.global.parameters]
stack_name = "ledger"

[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
region = "eu-west-3"
"""


def project(tmp_path: Path, **files: str) -> Path:
    """``app/template.yaml`` and the given files beside it (names with dots spelled with underscores)."""
    app = tmp_path / "app"
    app.mkdir(parents=True)
    (app / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    for name, text in files.items():
        (app / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return app


def parse(app: Path, region: str | None = None):
    template = app / "template.yaml"
    (result,) = CloudFormationParser().parse([SourceFile(template, "app/template.yaml")],
                                             ParseOptions(region=region), app.parent)
    return {r.address: r for r in result.resources}, result.notifications


def test_the_deploy_region_of_samconfig_toml_places_the_stack_and_says_where_it_came_from(tmp_path):
    found, notes = parse(project(tmp_path, samconfig_toml=DEPLOY))
    assert notes == ()
    ledger = found["Ledger"]
    assert ledger.region == "eu-west-3"
    assert ledger.meta["region_source"] == "app/samconfig.toml:8 [default.deploy.parameters] region"
    assert ledger.attributes["TableName"] == "ledger-eu-west-3"  # AWS::Region is the deployment region too
    assert found["Role"].region is None and "region_source" not in found["Role"].meta  # IAM is global


def test_global_parameters_when_deploy_sets_none_and_region_option_wins(tmp_path):
    app = project(tmp_path, samconfig_toml='version = 0.1\n[default.global.parameters]\nregion = "EU-West-1"\n')
    found, _ = parse(app)
    assert found["Ledger"].region == "eu-west-1"
    assert found["Ledger"].meta["region_source"] == "app/samconfig.toml:3 [default.global.parameters] region"
    found, _ = parse(app, region="eu-central-1")
    assert found["Ledger"].region == "eu-central-1" and "region_source" not in found["Ledger"].meta  # --region


def test_yaml_configuration_read_when_there_is_no_toml_and_toml_first_when_both(tmp_path):
    yml = "version: 0.1\ndefault:\n  deploy:\n    parameters:\n      region: eu-south-1\n"
    app = project(tmp_path, samconfig_yml=yml)
    found, notes = parse(app)
    assert notes == ()
    assert found["Ledger"].region == "eu-south-1"
    assert found["Ledger"].meta["region_source"] == "app/samconfig.yml:5 default.deploy.parameters.region"
    (app / "samconfig.toml").write_text(DEPLOY, encoding="utf-8")
    assert parse(app)[0]["Ledger"].region == "eu-west-3"


def test_without_a_configuration_file_the_region_stays_unknown(tmp_path):
    found, notes = parse(project(tmp_path))
    assert notes == () and is_unknown(found["Ledger"].region)
    assert found["Ledger"].region.reason == ("the deployment region of the template is not known (pass --region, or "
                                             "set region in a samconfig.toml beside it)")
    found, notes = parse(project(tmp_path / "other", samconfig_toml="version = 0.1\n[default.build.parameters]\n"))
    assert notes == () and is_unknown(found["Ledger"].region)  # a file without a region says nothing


@pytest.mark.parametrize("name, text, line, says", [
    ("samconfig_toml", 'version = 0.1\n[default.deploy.parameters]\nregion = "eu-west-3\n', 3, "is not valid TOML"),
    ("samconfig_toml", "version = 0.1\n[default.deploy.parameters]\nregion = 3\n", 3,
     "[default.deploy.parameters] region is 3, not a region name"),
    ("samconfig_toml", 'default = "prod"\n', 1, "[default] is not a mapping (str)"),
    ("samconfig_yaml", "default:\n  deploy:\n    parameters: [eu-west-3\n", 4, "is not valid YAML"),
    ("samconfig_yaml", "default:\n  deploy:\n    parameters: eu-west-3\n", 3,
     "default.deploy.parameters is not a mapping (str)"),
    ("samconfig_yaml", "- default\n", 1, "the file is not a mapping (list)"),
])
def test_a_malformed_file_is_a_warning_naming_file_and_line_and_the_region_stays_unknown(tmp_path, name, text,
                                                                                          line, says):
    found, notes = parse(project(tmp_path, **{name: text}))
    [note] = notes
    shown = "app/" + name.replace("_", ".")
    assert note.level is Severity.WARNING and note.location.path == shown and note.location.line == line
    assert note.message.startswith(f"{shown}: ") and says in note.message
    assert is_unknown(found["Ledger"].region)


def test_alias_bombs_and_links_are_refused_not_expanded_or_followed(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8))
    found, [note] = parse(project(tmp_path, samconfig_yaml=bomb))
    assert note.location.path == "app/samconfig.yaml" and "alias" in note.message
    assert is_unknown(found["Ledger"].region)
    outside = tmp_path / "outside.toml"
    outside.write_text(DEPLOY, encoding="utf-8")
    app = project(tmp_path / "linked")
    (app / "samconfig.toml").symlink_to(outside)
    found, [note] = parse(app)
    assert note.message == ("app/samconfig.toml: is a symbolic link: not followed, the deployment region is not "
                            "read from it")
    assert is_unknown(found["Ledger"].region)


def test_scan_and_cost_commands_use_it_and_the_scan_cache_sees_an_edited_file(tmp_path):
    app = project(tmp_path, samconfig_toml=DEPLOY,
                  iacgov_yaml="version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-1]\n")
    cache = tmp_path / "cache"
    runner = CliRunner()
    env = {"IACGOV_CACHE_DIR": str(cache)}
    out = runner.invoke(main, ["cost", str(app), "--format", "json"], env=env)
    assert out.exit_code == 0, out.output
    [ledger] = [r for r in json.loads(out.output)["resources"] if r["address"] == "Ledger"]
    assert ledger["region"] == "eu-west-3" and ledger["status"] == "usage-based"
    assert ledger["region_source"] == "samconfig.toml:8 [default.deploy.parameters] region"  # from the root scanned
    assert ledger["usage_based"][0]["unit_price"] == 0.1487  # extra_prices.csv, EU (Paris) read request units

    def outside_region() -> str:
        result = runner.invoke(main, ["scan", str(app), "--format", "json", "--soft-fail"], env=env)
        assert result.exit_code == 0, result.output
        [finding] = [f for f in json.loads(result.output)["findings"] if f["code"] == "LOC001"]
        return finding["message"]

    assert "eu-west-3" in outside_region()
    (app / "samconfig.toml").write_text(DEPLOY.replace("eu-west-3", "us-east-1"), encoding="utf-8")
    assert "us-east-1" in outside_region()  # not the cached result of the first scan
    (app / "samconfig.toml").write_text("region = [\n", encoding="utf-8")
    broken = runner.invoke(main, ["scan", str(app), "--soft-fail"], env=env)
    assert broken.exit_code == 0 and "Traceback" not in broken.output
    assert "samconfig.toml: is not valid TOML" in broken.output
