"""The multi-file module fixture, parsed as a scan would: values, addresses,
regions, tags, lines, unknowns and notifications."""

from __future__ import annotations

import json

import pytest
from tf_helpers import FIXTURES, line_of, parse_dir, parse_files, source_files

from iacgov.model import Location, Severity, Unknown
from iacgov.placeholders import UnknownTemplate, refs_in

MODULE = FIXTURES / "multi_file_module"
MAIN = MODULE / "main.tf"
ARCHIVE = MODULE / "modules" / "archive" / "main.tf"


@pytest.fixture(scope="module")
def parsed():
    return parse_files(source_files(MODULE, MODULE), MODULE)


@pytest.fixture(scope="module")
def resources(parsed):
    return parsed.resources


def test_addresses_are_written_as_terraform_writes_them(resources):
    assert set(resources) == {
        "aws_s3_bucket.logs",
        "aws_s3_bucket.data[0]",
        "aws_s3_bucket.data[1]",
        'aws_s3_bucket.team["finance"]',
        'aws_s3_bucket.team["hr"]',
        "aws_s3_bucket.unknown_count",
        "aws_instance.us",
        "aws_kms_key.main",
        "data.aws_caller_identity.current",
        "data.aws_region.current",
        "data.aws_iam_policy_document.key",
        "aws_iam_policy.heredoc",
        "aws_iam_role.encoded",
        "aws_sns_topic.alerts",
        "aws_dynamodb_table.global",
        "azurerm_resource_group.main",
        "azurerm_storage_account.main",
        "google_compute_instance.vm",
        "aws_ssm_parameter.table",
        "module.archive.aws_dynamodb_table.index",
        "module.archive.module.queue.aws_sqs_queue.events",
        "module.us_archive[0].aws_dynamodb_table.index",
        "module.us_archive[0].module.queue.aws_sqs_queue.events",
    }


def test_called_directories_are_not_roots_of_their_own(parsed):
    # modules/archive and modules/queue were claimed too, but are analysed
    # through their callers only (Parsed.resources fails on duplicates).
    assert len(parsed.results) == 1
    assert not any(r.startswith(("aws_dynamodb_table.index", "aws_sqs_queue")) for r in parsed.resources)


def test_variables_follow_terraform_precedence(resources):
    # default "us-west-2" < terraform.tfvars "eu-west-3"; env: tfvars "staging" < x.auto.tfvars "prod"
    assert resources["aws_s3_bucket.logs"].get("bucket") == "prod-app-logs"
    assert resources["aws_s3_bucket.data[0]"].region == "eu-west-3"
    assert resources['aws_s3_bucket.team["hr"]'].get("bucket") == "people-hr"  # map from the auto file


def test_count_and_for_each_expand_into_instances(resources):
    assert resources["aws_s3_bucket.data[1]"].get("bucket") == "prod-app-data-1"
    assert resources["aws_s3_bucket.data[1]"].meta["index"] == 1
    team = resources['aws_s3_bucket.team["finance"]']
    assert team.get("bucket") == "fin-finance"
    assert team.get("tags") == {"team": "finance"}
    assert team.meta["index"] == "finance"
    assert team.count == 1
    assert not any(a.startswith("aws_s3_bucket.never") for a in resources)  # count = 0


def test_unknown_count_gives_one_resource_without_index(resources):
    bucket = resources["aws_s3_bucket.unknown_count"]
    assert isinstance(bucket.count, Unknown)
    assert "var.owner_account has no value" in bucket.count.reason
    assert bucket.get("bucket") == "depends-on-owner"
    assert "index" not in bucket.meta


def test_unknown_count_is_reported_as_a_resource_not_analysed(parsed):
    (note,) = [n for n in parsed.notifications if n.scope == "resource"]
    assert (note.subject, note.level, note.location) == (
        "aws_s3_bucket.unknown_count", Severity.WARNING, Location("main.tf", line_of(MAIN, '"unknown_count"')))
    assert note.message == ("aws_s3_bucket.unknown_count: instances not analysed: count is unknown (length() of an "
                            "unknown value (var.owner_account has no value)); only the arguments that do not depend "
                            "on count.index are checked")


def test_regions_come_from_the_provider_configuration_used(resources):
    assert resources["aws_s3_bucket.logs"].region == "eu-west-3"
    assert resources["aws_s3_bucket.logs"].provider == "aws"
    assert resources["aws_instance.us"].region == "us-east-1"
    assert resources["aws_instance.us"].provider == "aws.us"
    assert resources["aws_iam_role.encoded"].region is None  # IAM is global
    assert resources["google_compute_instance.vm"].region == "europe-west9"  # from its zone
    assert resources["data.aws_region.current"].region == "eu-west-3"


def test_child_modules_inherit_or_receive_providers(resources):
    inherited = resources["module.archive.aws_dynamodb_table.index"]
    assert (inherited.region, inherited.provider, inherited.module) == ("eu-west-3", "aws", "module.archive")
    passed = resources["module.us_archive[0].aws_dynamodb_table.index"]
    assert (passed.region, passed.provider, passed.module) == ("us-east-1", "aws.us", "module.us_archive[0]")
    # and the grandchild inherits what its parent received
    assert resources["module.us_archive[0].module.queue.aws_sqs_queue.events"].region == "us-east-1"


def test_reference_to_another_resource_resolves_its_written_value(resources):
    storage = resources["azurerm_storage_account.main"]
    assert storage.get("location") == "francecentral"
    assert storage.region == "francecentral"
    assert storage.get("resource_group_name") == "rg-main"
    assert storage.cloud == "azure"


def test_default_tags_are_merged_under_the_resource_tags(resources):
    assert resources["aws_s3_bucket.logs"].tags == {
        "managed_by": "terraform", "env": "prod-logs", "owner": "platform", "project": "prod-app", "Name": "logs",
    }
    assert resources["aws_instance.us"].tags == {}  # aws.us has no default_tags
    assert resources["google_compute_instance.vm"].tags == {"env": "prod"}  # GCP labels


def test_module_inputs_and_outputs(resources):
    table = resources["module.archive.aws_dynamodb_table.index"]
    assert table.get("name") == "prod-app-index"
    assert table.get("tags") == {"retention": 30}  # number input from the caller's variable
    assert resources["module.us_archive[0].aws_dynamodb_table.index"].get("tags") == {"retention": 7}  # default
    assert resources["module.archive.module.queue.aws_sqs_queue.events"].get("name") == "prod-app-index-events"
    assert resources["aws_ssm_parameter.table"].get("value") == "prod-app-index"  # module.archive.table_name


def test_computed_attributes_are_unknown_with_their_reference(resources):
    topic = resources["aws_sns_topic.alerts"]
    assert topic.get("kms_master_key_id") == Unknown(
        "aws_kms_key.main.arn is known only after apply", ref="aws_kms_key.main.arn")
    name = topic.get("name")
    assert isinstance(name, UnknownTemplate)
    assert name.text == "alerts-<unknown:aws_kms_key.main.arn>"
    cycle = topic.get("display_name")
    assert isinstance(cycle, Unknown) and "cycle" in cycle.reason


def test_iam_policy_document_renders_json_with_placeholders(resources):
    policy = json.loads(resources["aws_kms_key.main"].get("policy"))
    assert policy["Version"] == "2012-10-17"
    root, owner = policy["Statement"]
    assert root == {
        "Sid": "Root",
        "Effect": "Allow",
        "Action": "kms:*",
        "Resource": "*",
        "Principal": {"AWS": "arn:aws:iam::<unknown:data.aws_caller_identity.current.account_id>:root"},
    }
    assert refs_in(root["Principal"]["AWS"]) == ["data.aws_caller_identity.current.account_id"]
    assert owner["Action"] == ["kms:Decrypt", "kms:Encrypt"]
    assert owner["Principal"] == {"AWS": "<unknown:var.owner_account>"}
    assert owner["Condition"] == {"StringEquals": {"aws:RequestedRegion": "eu-west-3"}}  # data.aws_region


def test_jsonencode_and_heredoc_policies_are_real_json(resources):
    heredoc = json.loads(resources["aws_iam_policy.heredoc"].get("policy"))
    assert heredoc["Statement"][0]["Resource"] == "arn:aws:s3:::prod-app-logs/*"
    encoded = json.loads(resources["aws_iam_role.encoded"].get("assume_role_policy"))
    assert encoded["Statement"] == [{
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"AWS": "arn:aws:iam::<unknown:data.aws_caller_identity.current.account_id>:root"},
    }]


def test_nested_and_dynamic_blocks(resources):
    table = resources["aws_dynamodb_table.global"]
    assert table.get("replica") == [
        {"region_name": "eu-west-1"}, {"region_name": "eu-west-1"}, {"region_name": "eu-central-1"},
    ]
    assert table.meta["lifecycle"] == {"prevent_destroy": True, "ignore_changes": ["tags"]}
    assert table.meta["depends_on"] == ["aws_kms_key.main"]
    assert "lifecycle" not in table.attributes and "depends_on" not in table.attributes


def test_block_and_attribute_lines(resources):
    logs = resources["aws_s3_bucket.logs"]
    assert logs.location == Location("main.tf", line_of(MAIN, 'resource "aws_s3_bucket" "logs"'))
    assert logs.location_of("tags") == Location("main.tf", line_of(MAIN, "tags = merge(local.common_tags"))
    storage = resources["azurerm_storage_account.main"]
    assert storage.location_of("tags.env") == Location("main.tf", line_of(MAIN, "tags                = { env"))
    table = resources["aws_dynamodb_table.global"]
    assert table.location_of("replica.0.region_name").line == line_of(MAIN, 'region_name = "eu-west-1"')
    assert table.location_of("replica.2.region_name").line == line_of(MAIN, "region_name = replica.value")
    child = resources["module.archive.aws_dynamodb_table.index"]
    assert child.location == Location("modules/archive/main.tf", line_of(ARCHIVE, 'resource "aws_dynamodb_table"'))
    assert child.location_of("name").line == line_of(ARCHIVE, "name     = var.table_name")


def test_remote_module_is_a_warning_at_its_block(parsed):
    cycle, note = [n for n in parsed.notifications if n.scope != "resource"]  # unknown count: below
    assert cycle.level == Severity.WARNING and cycle.location == Location("locals.tf", 8)
    assert cycle.message == "local.loop_a is part of a reference cycle (it depends on itself): its value is unknown"
    assert note.level == Severity.WARNING
    assert note.message == ('module.vpc (source "terraform-aws-modules/vpc/aws") not analysed: remote modules are '
                            "never downloaded by iacgov, and terraform init has not downloaded this one (no "
                            ".terraform/modules/modules.json)")
    assert (note.scope, note.subject) == ("module", "module.vpc")
    assert note.location == Location("main.tf", line_of(MAIN, 'module "vpc"'))
    assert note.source == "terraform"


def test_result_covers_every_file_read(parsed):
    assert parsed.files == {
        "main.tf", "providers.tf", "variables.tf", "locals.tf", "terraform.tfvars", "x.auto.tfvars",
        "modules/archive/main.tf", "modules/queue/main.tf",
    }


def test_child_modules_are_read_from_disk_when_not_claimed():
    root_files = [f for f in source_files(MODULE, MODULE) if "/" not in f.relpath]
    resources = parse_files(root_files, MODULE).resources
    assert resources["module.archive.module.queue.aws_sqs_queue.events"].get("name") == "prod-app-index-events"
    assert resources["aws_s3_bucket.logs"].region == "eu-west-3"


def test_a_claimed_child_without_claimed_caller_is_a_root():
    queue = [f for f in source_files(MODULE, MODULE) if f.relpath.startswith("modules/queue/")]
    resources = parse_files(queue, MODULE).resources
    events = resources["aws_sqs_queue.events"]
    assert events.get("name") == Unknown("var.name has no value", ref="var.name")
    assert events.location.path == "modules/queue/main.tf"


def test_parallel_loading_gives_the_same_result(monkeypatch, parsed):
    from iacgov.parsers.terraform import loader

    monkeypatch.setattr(loader, "PARALLEL_FROM", 2)
    again = parse_files(source_files(MODULE, MODULE), MODULE)
    assert {a: r.attributes for a, r in again.resources.items()} == {
        a: r.attributes for a, r in parsed.resources.items()}
    assert again.notifications == parsed.notifications


def test_a_root_module_is_the_files_handed_over_and_a_called_module_is_read_whole(tmp_path):
    (tmp_path / "a.tf").write_text('module "q" {\n  source = "./q"\n}\nresource "aws_sqs_queue" "a" {}\n')
    (tmp_path / "b.tf").write_text('resource "aws_sqs_queue" "b" {}\n')
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "main.tf").write_text('resource "aws_sqs_queue" "main" {}\n')
    (tmp_path / "q" / "extra.tf").write_text('resource "aws_sqs_queue" "extra" {}\n')
    only_a = [f for f in source_files(tmp_path, tmp_path) if f.relpath in ("a.tf", "q/main.tf")]
    parsed = parse_files(only_a, tmp_path)
    assert set(parsed.resources) == {
        "aws_sqs_queue.a", "module.q.aws_sqs_queue.main", "module.q.aws_sqs_queue.extra",
    }
    assert set(parse_dir(tmp_path).resources) == {
        "aws_sqs_queue.a", "aws_sqs_queue.b", "module.q.aws_sqs_queue.main", "module.q.aws_sqs_queue.extra",
    }
