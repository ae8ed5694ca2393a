"""The warm scan's one pass over every resource for the policy's environment warnings
(iacgov.environments.environments_found) says what environment_of said resource by resource."""

from __future__ import annotations

from pathlib import Path

from iacgov.environments import UNASSIGNED, environment_of, environments_found
from iacgov.model import Location, Resource, Unknown
from iacgov.policy import Policy, environment_warnings


def _resource(path: str, tags: object) -> Resource:
    return Resource(address=f"aws_s3_bucket.b{abs(hash((path, repr(tags)))) % 1000}", type="aws_s3_bucket",
                    cloud="aws", source_format="terraform", location=Location(path, 1), tags=tags)


RESOURCES = [
    _resource("envs/prod/main.tf", {"stage": "prod"}),          # the tag wins over the path
    _resource("envs/prod/main.tf", {}),                          # the first matching glob
    _resource("envs/prod/other.tf", {"stage": ""}),              # empty: the path decides, not undetermined
    _resource("envs/qa/main.tf", {"stage": Unknown("var.env has no value")}),  # undetermined, then the path
    _resource("envs/qa/main.tf", Unknown("tags built dynamically")),
    _resource("lonely/main.tf", {"stage": 3}),                   # not a string: undetermined, unassigned
    _resource("lonely/main.tf", {"env": "dev"}),                 # another tag name: ignored
]
POLICY = Policy({"cost": {"environment_tag": "stage",
                          "environment_paths": {"envs/qa/*": "qa", "envs/*": "shared", "envs/prod/*": "never"},
                          "budgets": {"prod": 1, "qa": 1, "shared": 1, "prdo": 1}}}, "iacgov.yaml")


def test_the_one_pass_finds_the_environments_resource_by_resource_finds():
    found, undetermined = environments_found(RESOURCES, POLICY)
    assert found == {environment_of(r, POLICY) for r in RESOURCES} == {"prod", "shared", "qa", UNASSIGNED}
    assert undetermined == 2


def test_default_tag_and_no_paths():
    policy = Policy({}, "iacgov.yaml")
    found, undetermined = environments_found(RESOURCES, policy)
    assert found == {environment_of(r, policy) for r in RESOURCES} == {"dev", UNASSIGNED}
    assert undetermined == 0


def test_the_warning_names_the_missing_environment_and_counts_the_undetermined(tmp_path: Path):
    notes = environment_warnings(POLICY, RESOURCES, tmp_path)
    assert [n.message for n in notes] == [
        "cost.budgets.prdo: no scanned resource is in environment 'prdo' (environments found: prod, qa, "
        "shared, unassigned), so this setting applies to nothing; did you mean 'prod'? (2 resources with an "
        "environment tag not known statically)"]
