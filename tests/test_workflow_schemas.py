"""action.yml and every GitHub workflow snippet in the README, validated against the published schemas.

The schemas are those check-jsonschema vendors (SchemaStore's github-action and
github-workflow, GitLab's own CI schema), read from the installed package:
no network, and a remote ``$ref`` would be an error rather than a download.
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import check_jsonschema
import jsonschema
import pytest
import yaml
from referencing import Registry
from referencing.exceptions import NoSuchResource

from conftest import REPO

VENDOR = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"
README = REPO / "README.md"


def _offline(uri: str):
    raise NoSuchResource(ref=uri)  # never fetched: the vendored schemas are self-contained


@cache
def vendored_validator(name: str) -> jsonschema.protocols.Validator:
    """A validator for ``vendor/<name>.json`` (e.g. ``gitlab-ci``, ``github-workflows``)."""
    schema = json.loads((VENDOR / f"{name}.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, registry=Registry(retrieve=_offline), format_checker=cls.FORMAT_CHECKER)


def schema_errors(name: str, document: Any) -> list[str]:
    """Every violation, as 'path: message', for an assertion message that says what is wrong."""
    errors = sorted(vendored_validator(name).iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]


def readme_yaml_blocks() -> list[tuple[int, str]]:
    """(line, text) of every ```yaml block in the README."""
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1))
            for m in re.finditer(r"^```ya?ml\n(.*?)^```", text, flags=re.S | re.M)]


def workflow_snippets() -> list[tuple[int, dict]]:
    """The README's GitHub workflows: the YAML blocks with ``on:`` and ``jobs:``."""
    out = []
    for line, block in readme_yaml_blocks():
        doc = yaml.safe_load(block)
        # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
        if isinstance(doc, dict) and "jobs" in doc:
            out.append((line, {("on" if k is True else k): v for k, v in doc.items()}))
    return out


def test_the_vendored_schemas_are_there_and_self_contained():
    for name in ("github-actions", "github-workflows", "gitlab-ci"):
        text = (VENDOR / f"{name}.json").read_text(encoding="utf-8")
        assert not re.search(r'"\$ref"\s*:\s*"(?!#)', text), f"{name}: a remote $ref would need the network"
        vendored_validator(name)


def test_action_yml_is_a_valid_github_action():
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert schema_errors("github-actions", action) == []


def test_the_readme_has_its_two_workflows():
    names = sorted(doc["name"] for _, doc in workflow_snippets())
    assert names == ["iacgov", "iacgov review"]


@pytest.mark.parametrize(("line", "workflow"), workflow_snippets(), ids=lambda v: f"README.md:{v}"
                         if isinstance(v, int) else "")
def test_every_readme_workflow_is_valid(line, workflow):
    assert schema_errors("github-workflows", workflow) == [], f"README.md:{line}"


@pytest.mark.parametrize(("document", "schema", "where"), [
    ({"on": "push", "jobs": {"scan": {"runs-on": "ubuntu-latest", "step": []}}}, "github-workflows", "jobs/scan"),
    ({"on": "push", "jobs": {"scan": {"runs-on": "ubuntu-latest", "permissions": {"security-events": "admin"}}}},
     "github-workflows", "jobs/scan"),
    ({"name": "x", "description": "y", "runs": {"using": "composite", "steps": [{"run": "true"}]}},
     "github-actions", "runs"),  # a composite step's run needs its shell
])
def test_the_schemas_refuse_what_github_refuses(document, schema, where):
    # The checks above pass only because the snippets are right, not because anything passes.
    errors = schema_errors(schema, document)
    assert errors and any(e.startswith(where) for e in errors), errors


def _pins() -> list[tuple[str, str]]:
    text = "\n".join(block for _, block in readme_yaml_blocks())
    return ([("rev", m) for m in re.findall(r"^\s*rev: (\S+)", text, flags=re.M)]
            + [("uses", m) for m in re.findall(r"uses: iacgov/iacgov@(\S+)", text)])


def test_readme_install_snippets_pin_a_commit_of_this_repository():
    pins = _pins()
    assert len(pins) == 3, pins  # pre-commit, the scan and the review workflows
    for kind, ref in pins:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{kind}: {ref} is not a full commit SHA (no release is tagged)"
        done = subprocess.run(["git", "cat-file", "-t", ref], cwd=REPO, capture_output=True, text=True)
        assert done.stdout.strip() == "commit", f"{kind}: {ref} is not a commit of this repository"


def test_the_pre_commit_hooks_file_pins_the_readmes_commit_and_its_hooks_exist_there():
    header = re.findall(r"^#\s+rev: (\S+)", (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"), flags=re.M)
    assert header == [ref for kind, ref in _pins() if kind == "rev"]  # the README's pin, not a tag that does not exist
    hooks = subprocess.run(["git", "show", f"{header[0]}:.pre-commit-hooks.yaml"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout
    assert [h["id"] for h in yaml.safe_load(hooks)] == ["iacgov", "iacgov-dir"]


def test_the_readme_links_the_gitlab_template_and_its_guide():
    section = README.read_text(encoding="utf-8").split("### GitLab CI\n", 1)[1].split("\n#", 1)[0]
    links = re.findall(r"\]\(([^)]+)\)", section)
    assert links == ["templates/gitlab/iacgov.yml", "templates/gitlab/README.md"]
    assert all((REPO / link).is_file() for link in links)
