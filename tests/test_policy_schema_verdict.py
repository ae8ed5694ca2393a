"""iacgov.policy.schema_verdict: the policy schema checked without importing
jsonschema, deciding exactly as jsonschema's Draft 2020-12 validator does, or
not at all (None: jsonschema decides, and words the problems)."""

from __future__ import annotations

import copy
import itertools
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from iacgov.policy import PolicyError, default_policy_text, parse_policy, policy_schema, schema_verdict

from conftest import REPO

SCHEMA = policy_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
# Values of every JSON type and the edge cases jsonschema's comparisons care about (1 / True / 1.0).
VALUES = (None, True, False, 0, 1, -1, 1.0, 2.5, "", "x", "eu-west-3", "ENC001", [], ["x"], ["x", "x"], [1, True],
          {}, {"x": 1})


def policies() -> list[tuple[str, object]]:
    """The shipped default and every policy in the fixtures, as read from YAML."""
    found = [("default", yaml.safe_load(default_policy_text()))]
    for path in sorted((REPO / "fixtures").rglob("*iacgov.yaml")):
        found.append((str(path.relative_to(REPO)), yaml.safe_load(path.read_text(encoding="utf-8"))))
    return found


def paths(data: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += paths(value, (*prefix, i))
    return out


def replaced(data: object, path: tuple, value: object) -> object:
    if not path:
        return value
    out = copy.deepcopy(data)
    target = out
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return out


def variants() -> list[object]:
    """Each policy, and each with one value replaced (every value it holds: in the shipped default by each of
    VALUES, in the fixtures by a few) or a key added."""
    out = []
    for name, data in policies():
        out.append(data)
        for path in paths(data):
            out += [replaced(data, path, value) for value in (VALUES if name == "default" else VALUES[::4])]
            target = data
            for part in path:
                target = target[part]
            if isinstance(target, dict):
                out.append(replaced(data, path, {**target, "zz_unknown": 1}))
    return out


def test_every_verdict_is_jsonschemas():
    """On thousands of policies, valid and not: a verdict given is jsonschema's, and nearly every one is given."""
    verdicts = {True: 0, False: 0, None: 0}
    for data in variants():
        verdict = schema_verdict(SCHEMA, data)
        verdicts[verdict] += 1
        if verdict is not None:
            assert verdict == (next(VALIDATOR.iter_errors(data), None) is None), json.dumps(data, default=str)
    decided = verdicts[True] + verdicts[False]
    assert verdicts[True] > 300 and verdicts[False] > 1000, verdicts
    assert verdicts[None] <= decided // 100, verdicts  # undecided only where jsonschema itself would fail


def test_the_combinators_and_comparisons_are_read_as_jsonschema_reads_them():
    cases = [
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, [1, 1.5, 1.0, True, "1"]),
        ({"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"minimum": 3}}, ["a", "ab", 2, 3, None]),
        ({"enum": [1, "a", [1, 2], {"k": True}]}, [1, True, 1.0, "a", [1, 2], [True, 2], {"k": True}, {"k": 1}]),
        ({"const": False}, [False, 0, None]),
        ({"uniqueItems": True}, [[1, True], [1, 1.0], ["a", "b", "a"], [[1], [True]], [{"a": 1}, {"a": 1}]]),
        ({"exclusiveMinimum": 0, "maximum": 2}, [0, 0.0001, 2, 2.5, float("nan"), True]),
        ({"type": "object", "patternProperties": {"^x": {"type": "string"}}, "additionalProperties": False},
         [{"x1": "a"}, {"x1": 1}, {"y": "a"}, {}]),
        ({"propertyNames": {"pattern": "^[A-Z]+$"}, "minProperties": 1}, [{"AB": 1}, {"ab": 1}, {}]),
        ({"items": {"$ref": "#/$defs/n"}, "$defs": {"n": {"type": "number"}}}, [[1, 2.5], [1, "x"], []]),
        ({"not": {"required": ["a"]}, "anyOf": [{"maxProperties": 1}, {"required": ["b"]}]},
         [{"a": 1}, {"b": 1}, {"c": 1, "d": 2}, {"b": 1, "c": 2}]),
    ]
    for schema, instances in cases:
        validator = jsonschema.Draft202012Validator(schema)
        for instance in instances:
            assert schema_verdict(schema, instance) == validator.is_valid(instance), (schema, instance)


@pytest.mark.parametrize("schema", [
    {"type": "object", "dependentRequired": {"a": ["b"]}},  # a keyword it does not read
    {"properties": {"a": {"$ref": "https://example.com/s.json"}}},  # a reference out of the schema
    {"properties": {"a": {"$id": "https://example.com/a", "$ref": "#/x"}}},  # another base URI
    {"type": "decimal"},  # jsonschema raises UnknownType
    {"patternProperties": {"^a": {}}},  # with a key that is not a string, jsonschema's re.search fails
])
def test_what_it_does_not_read_is_left_to_jsonschema(schema):
    assert schema_verdict(schema, {"a": 1, 2: 3}) is None


def test_a_valid_policy_is_read_without_jsonschema_and_an_invalid_one_worded_by_it(monkeypatch):
    text = default_policy_text().replace("version: 1", "version: 1\nexclude: [examples/]", 1)
    assert text != default_policy_text()
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # any import of it fails
    assert parse_policy(text, "p.yaml").get("exclude") == ["examples/"]
    with pytest.raises(ImportError):
        parse_policy(text.replace("version: 1", "version: 1\nversoin: 1", 1), "p.yaml")
    monkeypatch.delitem(sys.modules, "jsonschema")
    with pytest.raises(PolicyError, match=r"^p\.yaml:5: versoin: unknown key; did you mean 'version'\?$"):
        parse_policy(text.replace("version: 1", "version: 1\nversoin: 1", 1), "p.yaml")


def test_a_scan_with_a_valid_policy_file_imports_no_jsonschema(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    (repo / "iacgov.yaml").write_text("version: 1\ncost:\n  budgets: {prod: 100}\n")
    probe = ("import sys\nfrom iacgov.cli import main\nsys.argv = ['iacgov', 'scan', '.', '-q', '--no-cache']\n"
             "try:\n    main()\nexcept SystemExit as exc:\n    print(exc.code, 'jsonschema' in sys.modules, "
             "'yaml' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=repo, timeout=120)
    assert out.stdout.split() == ["0", "False", "True"], out.stderr  # read (PyYAML) and checked
    (repo / "iacgov.yaml").write_text("version: 1\ncost:\n  budgets: {prod: -1}\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=repo, timeout=120)
    assert out.stdout.split() == ["2", "True", "True"]
    assert "iacgov.yaml:3: cost.budgets.prod: -1 is less than the minimum of 0" in out.stderr
