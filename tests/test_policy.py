"""The policy file: found, validated against the shipped schema, errors name file, line and key."""

from __future__ import annotations

import sys

import pytest

from iacgov.policy import EMBEDDED, PolicyError, find_policy, load_policy, parse_policy, policy_schema

from conftest import DEMO, REPO


def test_embedded_default_policy_is_valid_and_restricts_regions():
    policy = load_policy(None)
    assert policy.source == EMBEDDED
    assert policy.get("version") == 1
    assert "eu-west-3" in policy.get("data_location.allowed_regions.aws")


def test_the_shipped_default_policy_validates_against_the_schema():
    """What lets load_policy skip the validator for the shipped default's bytes."""
    import jsonschema
    import yaml

    from iacgov.policy import default_policy_text

    data = yaml.safe_load(default_policy_text())
    assert list(jsonschema.Draft202012Validator(policy_schema()).iter_errors(data)) == []


def test_only_the_shipped_default_skips_the_validator(monkeypatch):
    """Without jsonschema importable, the shipped default still loads (it is
    known valid); one byte more and the schema is checked: without jsonschema
    when it is valid (iacgov.policy.schema_verdict), with it to word what is
    wrong; so is it when a plugin's schema replaces a key the default writes."""
    from iacgov.policy import default_policy_text

    monkeypatch.setitem(sys.modules, "jsonschema", None)  # any import of it fails
    assert load_policy(None).get("version") == 1
    assert parse_policy(default_policy_text(), "copy.yaml", [{"acme": {"type": "object"}}]).source == "copy.yaml"
    assert parse_policy(default_policy_text() + "\n", "p.yaml").source == "p.yaml"
    with pytest.raises(ImportError):
        parse_policy(default_policy_text() + "\nversoin: 1\n", "p.yaml")
    with pytest.raises(ImportError):
        parse_policy(default_policy_text(), "p.yaml", [{"version": {"const": 2}}])
    monkeypatch.delitem(sys.modules, "jsonschema")
    with pytest.raises(PolicyError, match=r"^<embedded default policy>:\d+: version: 2 was expected$"):
        load_policy(None, [{"version": {"const": 2}}])


def test_the_shipped_default_is_read_from_its_kept_reading_without_yaml(monkeypatch):
    """data/default_policy.json is the YAML's reading (regenerate it with
    iacgov.policy.default_reading() after editing default_policy.yaml); a
    scan without a policy file reads it instead of importing PyYAML, and a
    damaged copy is ignored."""
    import json

    from iacgov import policy as policy_module

    reading = policy_module.default_reading()
    kept = json.loads(policy_module._data_text(policy_module.DEFAULT_READING))
    assert kept == reading, "regenerate src/iacgov/data/default_policy.json from default_policy_text()"
    assert reading["data"]["data_location"]["allowed_regions"]["aws"][0] == "eu-west-3"
    monkeypatch.setitem(sys.modules, "yaml", None)  # any import of it fails
    assert load_policy(None).data == reading["data"]
    with pytest.raises(ImportError):
        parse_policy("version: 1\n", "p.yaml")
    monkeypatch.delitem(sys.modules, "yaml")
    real = policy_module._data_text
    monkeypatch.setattr(policy_module, "_data_text", lambda name: "{" if name == "default_policy.json" else real(name))
    assert load_policy(None).data == reading["data"]


def test_design_example_policy_validates():
    policy = load_policy(DEMO / "iacgov.yaml")
    assert policy.get("approvers.strategic") == ["alice", "bob"]
    assert policy.get("admin_access.company_accounts.aws") == ["111111111111"]


@pytest.mark.parametrize(
    "text, line, key, reason",
    [
        ("version: 1\ndata_location:\n  allowed_regions:\n    aws: eu-west-3\n", 4, "data_location.allowed_regions.aws", "is not of type 'array'"),
        ("version: 1\ndata_locaton:\n  allowed_regions: {}\n", 2, "data_locaton", "unknown key; did you mean 'data_location'?"),
        ("version: 2\n", 1, "version", "1 was expected"),
        ("data_location: {}\n", 1, "(top level)", "'version' is a required property"),
        ("version: 1\ndecisions:\n  new_region: ceo\n", 3, "decisions.new_region", "is not one of"),
        ("version: 1\nrules:\n  LOC001:\n    severity: fatal\n", 4, "rules.LOC001.severity", "is not one of"),
    ],
)
def test_invalid_policy_names_file_line_and_key(text, line, key, reason):
    with pytest.raises(PolicyError) as err:
        parse_policy(text, "company/iacgov.yaml")
    message = str(err.value)
    assert message.startswith(f"company/iacgov.yaml:{line}: {key}: "), message
    assert reason in message
    assert "\n" not in message


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "iacgov.yaml"
    path.write_text("version: 1\ndata_location:\n  allowed_regions: [eu-west-3\n")
    with pytest.raises(PolicyError, match=r"iacgov.yaml:\d+: invalid YAML"):
        load_policy(path)


@pytest.mark.parametrize("content, reason", [(b"", "empty"), (b"\xff\xfe\x00", "not valid UTF-8"), (b"- 1\n- 2\n", "mapping")])
def test_unusable_policy_files(tmp_path, content, reason):
    path = tmp_path / "iacgov.yaml"
    path.write_bytes(content)
    with pytest.raises(PolicyError, match=reason):
        load_policy(path)


def test_missing_policy_file(tmp_path):
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "nope.yaml")


def test_policy_is_found_in_the_scanned_directory_or_up_to_the_root(tmp_path):
    (tmp_path / "infra" / "prod").mkdir(parents=True)
    assert find_policy([tmp_path / "infra" / "prod"], tmp_path) is None
    (tmp_path / ".iacgov.yaml").write_text("version: 1\n")
    assert find_policy([tmp_path / "infra" / "prod"], tmp_path) == tmp_path / ".iacgov.yaml"
    (tmp_path / "infra" / "iacgov.yaml").write_text("version: 1\n")
    assert find_policy([tmp_path / "infra" / "prod"], tmp_path) == tmp_path / "infra" / "iacgov.yaml"
    # never above the root
    assert find_policy([tmp_path / "infra" / "prod"], tmp_path / "infra" / "prod") is None


def test_plugins_extend_the_schema():
    schema = policy_schema([{"acme": {"type": "object", "properties": {"prefix": {"type": "string"}}}}])
    assert "acme" in schema["properties"]
    parse_policy("version: 1\nacme:\n  prefix: acme-\n", "p.yaml", [schema["properties"] and {"acme": schema["properties"]["acme"]}])
    with pytest.raises(PolicyError, match=r"p.yaml:3: acme.prefix: 3 is not of type 'string'"):
        parse_policy("version: 1\nacme:\n  prefix: 3\n", "p.yaml", [{"acme": schema["properties"]["acme"]}])


def test_yaml_aliases_and_python_tags_are_not_executed():
    with pytest.raises(PolicyError, match="invalid YAML"):
        parse_policy("version: !!python/object/apply:os.system ['true']\n", "p.yaml")
