"""The Terraform plan JSON parser: instances, change actions, unknown values, providers and regions."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iacgov.model import ParseOptions, Severity, SourceFile, Unknown
from iacgov.parsers.terraform_plan import TerraformPlanParser

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plan"
PARSER = TerraformPlanParser()


def source(path: Path) -> SourceFile:
    return SourceFile(path=path, relpath=f"plans/{path.name}")


def parse(path: Path):
    (result,) = PARSER.parse([source(path)], ParseOptions(), path.parent)
    assert result.files == (f"plans/{path.name}",)
    return result


def write_plan(tmp_path: Path, plan: dict | str, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(plan if isinstance(plan, str) else json.dumps(plan), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def plan():
    result = parse(FIXTURES / "ledger.plan.json")
    assert result.notifications == ()
    return {r.address: r for r in result.resources}


# -- claims ----------------------------------------------------------------------

def test_claims_plans_only(tmp_path):
    path = FIXTURES / "ledger.plan.json"
    assert PARSER.claims(source(path), path.read_bytes()[:65536])
    others = {
        "state.json": '{"format_version": "1.0", "terraform_version": "1.9.8", "values": {}}',
        "template.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}',
        "plan.txt": '{"format_version": "1.2", "planned_values": {}}',
        "package.json": '{"name": "x", "resource_changes": []}',
    }
    for name, text in others.items():
        other = write_plan(tmp_path, text, name)
        assert not PARSER.claims(source(other), other.read_bytes()), name


# -- resources -----------------------------------------------------------------------

def test_addresses_as_terraform_writes_them(plan):
    assert list(plan) == [
        "aws_db_instance.legacy", "aws_iam_role.deployer", "aws_instance.web[0]", "aws_instance.web[1]",
        "aws_instance.web[2]", "aws_kms_key.main", 'aws_s3_bucket.b["data"]', 'aws_s3_bucket.b["logs"]',
        "module.archive.aws_dynamodb_table.index", 'module.logs["app"].aws_cloudwatch_log_group.this',
        "data.aws_caller_identity.current",
    ]


def test_identity_fields(plan):
    table = plan["module.archive.aws_dynamodb_table.index"]
    assert (table.type, table.cloud, table.source_format, table.mode) == \
        ("aws_dynamodb_table", "aws", "terraform-plan", "managed")
    assert (table.module, table.provider, table.name) == ("module.archive", "aws.us", "index")
    assert plan['module.logs["app"].aws_cloudwatch_log_group.this'].module == 'module.logs["app"]'
    assert plan["aws_instance.web[1]"].provider == "aws.paris"
    identity = plan["data.aws_caller_identity.current"]
    assert (identity.mode, identity.module, identity.provider, identity.tags) == ("data", "", "aws", {})
    for resource in plan.values():
        assert resource.location.path == "plans/ledger.plan.json" and resource.location.line == 1
        assert resource.attribute_locations == {} and resource.count == 1


def test_change_actions_and_meta(plan):
    actions = {address: r.change_actions for address, r in plan.items()}
    assert actions["aws_instance.web[0]"] == ("no-op",)
    assert actions["aws_instance.web[1]"] == ("create",)
    assert actions["aws_instance.web[2]"] == ("delete",)
    assert actions["aws_iam_role.deployer"] == ("update",)
    assert actions["aws_kms_key.main"] == ("delete", "create")
    assert actions["data.aws_caller_identity.current"] == ()
    assert plan["aws_kms_key.main"].meta == {"action_reason": "replace_because_cannot_update",
                                             "replace_paths": [["multi_region"]]}
    assert plan["aws_instance.web[2]"].meta == {"action_reason": "delete_because_count_index"}


def test_planned_values_with_unknowns_after_apply(plan):
    web = plan["aws_instance.web[1]"]
    assert web.attributes["instance_type"] == "t3.small"
    assert web.attributes["id"] == Unknown("known after apply", ref="aws_instance.web[1].id")
    assert web.get("root_block_device.0.volume_id") == Unknown("known after apply",
                                                               ref="aws_instance.web[1].root_block_device.0.volume_id")
    assert web.get("root_block_device.0.encrypted") is True
    table = plan["module.archive.aws_dynamodb_table.index"]
    assert table.get("replica.0.region_name") == "eu-west-3"
    assert table.get("replica.0.arn").ref == "module.archive.aws_dynamodb_table.index.replica.0.arn"
    assert table.attributes["server_side_encryption"] == []
    # A no-op resource keeps its known values.
    assert plan["aws_instance.web[0]"].attributes["id"] == "i-0123456789abcdef0"


def test_deleted_resources_carry_their_values_before(plan):
    assert plan["aws_instance.web[2]"].attributes["id"] == "i-0fedcba9876543210"
    legacy = plan["aws_db_instance.legacy"]
    assert legacy.attributes["storage_encrypted"] is False and legacy.tags == {"env": "prod", "managed-by": "terraform"}


def test_regions_from_provider_configurations(plan):
    region = {address: r.region for address, r in plan.items()}
    assert region["aws_instance.web[0]"] == region["aws_instance.web[2]"] == "eu-west-3"  # aws.paris
    assert region["module.archive.aws_dynamodb_table.index"] == "us-east-1"  # aws.us passed to the module
    # region = var.region in the root provider, the variable's value is in the plan.
    assert region["aws_kms_key.main"] == "eu-west-1"
    # A module that only lists aws in required_providers inherits the root provider.
    assert region['module.logs["app"].aws_cloudwatch_log_group.this'] == "eu-west-1"
    # AWS provider v5 computes region on S3 buckets: unknown at creation, the provider's region is used.
    assert region['aws_s3_bucket.b["logs"]'] == "eu-west-1"
    assert isinstance(plan['aws_s3_bucket.b["logs"]'].attributes["region"], Unknown)
    assert region["aws_iam_role.deployer"] is None  # global
    gone = region["aws_db_instance.legacy"]
    assert isinstance(gone, Unknown) and "not in the configuration" in gone.reason


def test_tags_all_from_the_plan(plan):
    assert plan['aws_s3_bucket.b["data"]'].tags == {"Name": "data", "env": "prod", "managed-by": "terraform"}
    assert plan["aws_kms_key.main"].tags == Unknown("known after apply", ref="aws_kms_key.main.tags_all")


def test_aws_v6_resource_region_wins():
    result = parse(FIXTURES / "aws-v6.plan.json")
    (queue,) = result.resources
    assert queue.region == "eu-central-1" and queue.tags == {}
    assert queue.attributes["url"] == Unknown("known after apply", ref="aws_sqs_queue.audit.url")


def minimal_plan(provider: dict, variables: dict | None = None, key: str = "aws", module: str = "") -> dict:
    address = f"{module + '.' if module else ''}aws_sqs_queue.q"
    resource = {"address": address, "mode": "managed", "type": "aws_sqs_queue", "name": "q", "values": {}}
    planned = {"resources": [resource]} if not module else {"child_modules": [{"address": module, "resources": [resource]}]}
    config_module = {"resources": [{"address": "aws_sqs_queue.q", "mode": "managed", "type": "aws_sqs_queue",
                                    "name": "q", "provider_config_key": key}]}
    if module:
        config_module = {"module_calls": {module.split(".")[1].split("[")[0]: {"module": config_module}}}
    return {
        "format_version": "1.2",
        "variables": variables or {},
        "planned_values": {"root_module": planned},
        "configuration": {"provider_config": provider, "root_module": config_module},
    }


@pytest.mark.parametrize("provider, variables, key, module, expected", [
    ({"aws": {"expressions": {"region": {"references": ["var.region"]}}}}, {"region": {"value": "sa-east-1"}},
     "aws", "", "sa-east-1"),
    # The value does not look like a region: the expression was not just the variable.
    ({"aws": {"expressions": {"region": {"references": ["var.suffix"]}}}}, {"suffix": {"value": "west"}},
     "aws", "", Unknown("provider aws sets region from var.suffix", ref="var.suffix")),
    ({"aws": {"expressions": {"region": {"references": ["var.a", "var.b"]}}}}, {"a": {"value": "eu-west-1"}},
     "aws", "", Unknown("provider aws sets region from var.a, var.b", ref="var.a")),
    ({"aws": {"expressions": {"region": {"references": ["local.region"]}}}}, {},
     "aws", "", Unknown("provider aws sets region from local.region", ref="local.region")),
    # A provider block in a module: its variables are not resolved.
    ({"module.m:aws": {"expressions": {"region": {"references": ["var.region"]}}}}, {"region": {"value": "eu-west-1"}},
     "module.m:aws", "module.m", Unknown("provider module.m:aws sets region from var.region", ref="var.region")),
    ({"module.m:aws": {"expressions": {"region": {"constant_value": "EU-WEST-3"}}}}, {},
     "module.m:aws", "module.m[0]", "eu-west-3"),
    # Implicit inheritance, with no entry at all for the module.
    ({"aws": {"expressions": {"region": {"constant_value": "eu-north-1"}}}}, {}, "module.m:aws", "module.m", "eu-north-1"),
    ({"aws": {"name": "aws"}}, {}, "aws", "", Unknown("provider aws sets no region")),
    ({}, {}, "aws", "", Unknown('no provider "aws" block sets a region')),
])
def test_provider_region_resolution(tmp_path, provider, variables, key, module, expected):
    (resource,) = parse(write_plan(tmp_path, minimal_plan(provider, variables, key, module))).resources
    assert resource.region == expected


def test_deposed_objects_are_not_duplicated(tmp_path):
    change = {"address": "aws_sqs_queue.q", "mode": "managed", "type": "aws_sqs_queue", "name": "q",
              "change": {"actions": ["create"], "after": {"name": "new"}, "after_unknown": {}}}
    deposed = {**change, "deposed": "00000001", "change": {"actions": ["delete"], "before": {"name": "old"}}}
    plan = {"format_version": "1.2", "resource_changes": [change, deposed]}
    (resource,) = parse(write_plan(tmp_path, plan)).resources
    assert resource.attributes == {"name": "new"} and resource.change_actions == ("create",)


# -- notifications ---------------------------------------------------------------------

def only_notification(result):
    assert result.resources == ()
    (note,) = result.notifications
    assert note.source == "terraform-plan"
    return note


def test_invalid_json_is_an_error_with_its_line(tmp_path):
    note = only_notification(parse(write_plan(tmp_path, '{"format_version": "1.2",\n "planned_values": {,}}')))
    assert note.level is Severity.ERROR and note.location.line == 2
    assert note.message.startswith("plans/plan.json: cannot parse plan JSON:")


def test_non_utf8_is_an_error(tmp_path):
    path = tmp_path / "plan.json"
    path.write_bytes(b'{"format_version": "1.2", "planned_values": {}, "x": "\xe9"}')
    note = only_notification(parse(path))
    assert note.level is Severity.ERROR and "not UTF-8" in note.message


@pytest.mark.parametrize("text", ['["format_version", "planned_values"]', '{"planned_values": {}}'])
def test_json_that_is_not_a_plan_is_a_note(tmp_path, text):
    note = only_notification(parse(write_plan(tmp_path, text)))
    assert note.level is Severity.NOTE and note.message == "plans/plan.json: skipped: not a Terraform plan"


def test_unsupported_or_errored_plans_are_warned(tmp_path):
    result = parse(write_plan(tmp_path, {"format_version": "2.0", "errored": True, "planned_values": {}}))
    assert [n.level for n in result.notifications] == [Severity.WARNING, Severity.WARNING]


@pytest.mark.parametrize("plan", [
    {"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "x"}, 3, None]}}},
    {"format_version": "1.2", "planned_values": [], "resource_changes": {"a": 1}, "configuration": "x"},
    {"format_version": "1.2", "resource_changes": [{"address": "a.b", "change": {"actions": "create",
                                                                                 "after_unknown": [True]}}]},
    {"format_version": "1.2", "resource_changes": [{"address": "a.b", "change": {"actions": ["create"],
                                                                                 "after": {"l": 1},
                                                                                 "after_unknown": {"l": [True]}}}]},
])
def test_odd_plans_do_not_crash(tmp_path, plan):
    result = parse(write_plan(tmp_path, plan))
    assert not any("internal error" in n.message for n in result.notifications)


# -- property-based: any JSON where a plan's keys are (docs/security.md) ------------------------

_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False),
              st.sampled_from(["", "aws_s3_bucket", "aws_s3_bucket.b", "module.m", "create", "delete", "aws",
                               "registry.terraform.io/hashicorp/aws", "eu-west-3", "region", "tags_all"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["address", "type", "name", "mode", "values", "change",
                                                             "actions", "after", "before", "after_unknown",
                                                             "resources", "child_modules", "provider_config_key",
                                                             "provider_name", "expressions", "region", "index",
                                                             "module_address", "deposed", "tags"]),
                                            inner, max_size=5)),
    max_leaves=20,
)


_RESOURCES = st.lists(st.fixed_dictionaries({
    "address": st.sampled_from(["aws_s3_bucket.b", 'module.m["k"].aws_s3_bucket.c[0]', "x", ""]),
    "type": st.sampled_from(["aws_s3_bucket", "aws_db_instance", "google_storage_bucket"]),
    "mode": st.sampled_from(["managed", "data"]), "name": st.just("b"), "values": _JSON,
    "provider_name": st.sampled_from(["registry.terraform.io/hashicorp/aws", "x"]),
}), max_size=3)
_CHANGES = st.lists(st.fixed_dictionaries({
    "address": st.sampled_from(["aws_s3_bucket.b", 'module.m["k"].aws_s3_bucket.c[0]']),
    "type": st.just("aws_s3_bucket"),
    "change": st.fixed_dictionaries({"actions": st.lists(st.sampled_from(["create", "delete", "update", "read"]),
                                                         max_size=2),
                                     "after": _JSON, "before": _JSON, "after_unknown": _JSON}),
}), max_size=3)


@given(_RESOURCES, _RESOURCES, _CHANGES, _JSON, _JSON)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_json_in_a_plan_never_raises(tmp_path, resources, children, changes, configuration, variables):
    """read_plan never raises for bad input, and no value shape makes an internal error."""
    plan = {"format_version": "1.2",
            "planned_values": {"root_module": {"resources": resources,
                                               "child_modules": [{"address": "module.m", "resources": children}]}},
            "resource_changes": changes, "configuration": configuration, "variables": variables}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    started = time.monotonic()
    results = list(TerraformPlanParser().parse([SourceFile(path, "plan.json")], ParseOptions(), tmp_path))
    assert time.monotonic() - started < 10
    assert not [n.message for r in results for n in r.notifications if "internal error" in n.message]


def test_a_key_written_twice_is_refused_not_resolved(tmp_path):
    """json.loads keeps the last of two equal keys, other tools may keep the
    first: a plan crafted that way is not read."""
    path = tmp_path / "plan.json"
    path.write_text('{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "a.b", '
                    '"type": "a", "name": "b", "values": {"x": 1, "x": 2}}]}}}')
    (result,) = TerraformPlanParser().parse([SourceFile(path, "plan.json")], ParseOptions(), tmp_path)
    assert result.resources == ()
    [note] = result.notifications
    assert note.level is Severity.ERROR and "the key 'x' is written twice in one object" in note.message
