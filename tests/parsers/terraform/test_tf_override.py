"""Override files merged as Terraform merges them (its documented examples and rules:
developer.hashicorp.com/terraform/language/files/override)."""

from __future__ import annotations

import json

from iacgov.model import Location, Severity
from iacgov.parsers.terraform.module import ModuleDef
from iacgov.parsers.terraform.loader import LoadedFile, parse_text
from iacgov.parsers.terraform.override import merge_terraform

from tf_helpers import parse_dir


def _write(root, **files):
    for name, text in files.items():
        (root / name.replace("__", ".")).write_text(text)


def test_documented_example_the_override_replaces_one_argument_and_keeps_the_others(tmp_path):
    _write(tmp_path, example__tf='resource "aws_instance" "web" {\n  instance_type = "t2.micro"\n'
                                 '  ami           = "ami-408c7f28"\n}\n',
           override__tf='resource "aws_instance" "web" {\n  ami = "foo"\n}\n')
    parsed = parse_dir(tmp_path)
    web = parsed.resources["aws_instance.web"]
    assert (web.get("instance_type"), web.get("ami")) == ("t2.micro", "foo")
    assert web.location == Location("example.tf", 1)  # the block stays where it is declared
    assert web.location_of("ami") == Location("override.tf", 2)  # the argument is written in the override
    assert web.location_of("instance_type") == Location("example.tf", 2)
    assert parsed.notifications == []
    assert parsed.files == {"example.tf", "override.tf"}


def test_reported_case_provider_region_and_database_settings_from_an_override_file(tmp_path):
    _write(tmp_path,
           main__tf='provider "aws" {\n  region = "eu-west-3"\n}\n'
                    'resource "aws_db_instance" "db" {\n  instance_class = "db.t3.micro"\n'
                    '  storage_encrypted = true\n  backup_retention_period = 7\n}\n',
           main_override__tf='provider "aws" {\n  region = "us-east-1"\n}\n'
                             'resource "aws_db_instance" "db" {\n  storage_encrypted = false\n'
                             '  backup_retention_period = 0\n  instance_class = "db.r5.24xlarge"\n}\n')
    db = parse_dir(tmp_path).resources["aws_db_instance.db"]
    assert db.region == "us-east-1"
    assert (db.get("storage_encrypted"), db.get("backup_retention_period"), db.get("instance_class")) == (
        False, 0, "db.r5.24xlarge")
    assert db.location_of("storage_encrypted") == Location("main_override.tf", 5)


def test_provider_matched_by_name_and_alias(tmp_path):
    _write(tmp_path,
           main__tf='provider "aws" {\n  region = "eu-west-3"\n}\n'
                    'provider "aws" {\n  alias = "us"\n  region = "us-west-2"\n}\n'
                    'resource "aws_sqs_queue" "a" {}\n'
                    'resource "aws_sqs_queue" "b" {\n  provider = aws.us\n}\n',
           override__tf='provider "aws" {\n  alias = "us"\n  region = "us-east-1"\n}\n')
    resources = parse_dir(tmp_path).resources
    assert resources["aws_sqs_queue.a"].region == "eu-west-3"  # the default configuration is untouched
    assert resources["aws_sqs_queue.b"].region == "us-east-1"


def test_variable_default_overridden_and_converted_to_its_type(tmp_path):
    _write(tmp_path,
           main__tf='variable "retention" {\n  type = number\n  default = 30\n}\n'
                    'resource "aws_cloudwatch_log_group" "l" {\n  retention_in_days = var.retention\n}\n',
           override__tf='variable "retention" {\n  default = "1"\n}\n')
    assert parse_dir(tmp_path).resources["aws_cloudwatch_log_group.l"].get("retention_in_days") == 1


def test_locals_overridden_value_by_value_whatever_block_declares_them(tmp_path):
    _write(tmp_path,
           main__tf='locals {\n  region = "eu-west-3"\n}\nlocals {\n  env = "prod"\n}\n'
                    'provider "aws" {\n  region = local.region\n}\n'
                    'resource "aws_sqs_queue" "q" {\n  name = "${local.env}-q"\n}\n',
           x_override__tf='locals {\n  env = "dev"\n}\n')
    q = parse_dir(tmp_path).resources["aws_sqs_queue.q"]
    assert (q.get("name"), q.region) == ("dev-q", "eu-west-3")


def test_nested_blocks_of_a_type_replace_all_of_that_type_and_keep_other_types(tmp_path):
    _write(tmp_path,
           main__tf='resource "aws_security_group" "sg" {\n  name = "sg"\n'
                    '  ingress {\n    from_port = 22\n  }\n  ingress {\n    from_port = 80\n  }\n'
                    '  egress {\n    to_port = 0\n  }\n}\n',
           override__tf='resource "aws_security_group" "sg" {\n  ingress {\n    from_port = 443\n  }\n}\n')
    sg = parse_dir(tmp_path).resources["aws_security_group.sg"]
    assert sg.get("ingress") == [{"from_port": 443}]  # both original ingress blocks are gone, contents not merged
    assert sg.get("egress") == [{"to_port": 0}]
    assert sg.location_of("ingress.0.from_port") == Location("override.tf", 3)


def test_a_dynamic_block_replaces_the_static_blocks_it_generates(tmp_path):
    _write(tmp_path,
           main__tf='resource "aws_security_group" "sg" {\n  ingress {\n    from_port = 22\n  }\n}\n',
           override__tf='resource "aws_security_group" "sg" {\n  dynamic "ingress" {\n    for_each = [443, 8443]\n'
                        '    content {\n      from_port = ingress.value\n    }\n  }\n}\n')
    sg = parse_dir(tmp_path).resources["aws_security_group.sg"]
    assert sg.get("ingress") == [{"from_port": 443}, {"from_port": 8443}]


def test_lifecycle_is_merged_argument_by_argument(tmp_path):
    _write(tmp_path,
           main__tf='resource "aws_s3_bucket" "b" {\n  lifecycle {\n    ignore_changes = [tags]\n'
                    '    prevent_destroy = false\n  }\n}\n',
           override__tf='resource "aws_s3_bucket" "b" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n')
    b = parse_dir(tmp_path).resources["aws_s3_bucket.b"]
    assert b.meta["lifecycle"] == {"ignore_changes": ["tags"], "prevent_destroy": True}


def test_several_override_files_compound_in_name_order(tmp_path):
    _write(tmp_path, main__tf='resource "aws_sqs_queue" "q" {\n  name = "main"\n  delay_seconds = 1\n}\n',
           b_override__tf='resource "aws_sqs_queue" "q" {\n  name = "b"\n}\n',
           a_override__tf='resource "aws_sqs_queue" "q" {\n  name = "a"\n  delay_seconds = 2\n}\n')
    q = parse_dir(tmp_path).resources["aws_sqs_queue.q"]
    assert (q.get("name"), q.get("delay_seconds")) == ("b", 2)
    assert q.location_of("name") == Location("b_override.tf", 2)


def test_a_json_override_merges_into_an_hcl_declaration(tmp_path):
    _write(tmp_path, main__tf='resource "aws_s3_bucket" "b" {\n  bucket = "data"\n  tags = {\n    env = "prod"\n  }\n}\n')
    (tmp_path / "override.tf.json").write_text(json.dumps(
        {"resource": {"aws_s3_bucket": {"b": {"tags": {"env": "dev", "owner": "${upper(\"x\")}"}}}}}, indent=1))
    b = parse_dir(tmp_path).resources["aws_s3_bucket.b"]
    assert b.get("bucket") == "data" and b.get("tags") == {"env": "dev", "owner": "X"}
    assert b.location_of("tags").path == "override.tf.json"


def test_module_call_arguments_are_overridden(tmp_path):
    (tmp_path / "child").mkdir()
    (tmp_path / "child" / "main.tf").write_text('variable "n" {}\nresource "aws_sqs_queue" "q" {\n  name = var.n\n}\n')
    _write(tmp_path, main__tf='module "c" {\n  source = "./child"\n  n = "one"\n}\n',
           override__tf='module "c" {\n  n = "two"\n}\n')
    assert parse_dir(tmp_path).resources["module.c.aws_sqs_queue.q"].get("name") == "two"


def test_an_override_of_something_not_declared_is_an_error_and_not_applied(tmp_path):
    _write(tmp_path, main__tf='resource "aws_sqs_queue" "q" {}\nlocals {\n  a = 1\n}\n',
           override__tf='resource "aws_sqs_queue" "other" {\n  name = "x"\n}\n'
                        'locals {\n  b = 2\n}\n'
                        'variable "v" {\n  default = 1\n}\n'
                        'provider "aws" {\n  region = "us-east-1"\n}\n')
    parsed = parse_dir(tmp_path)
    assert set(parsed.resources) == {"aws_sqs_queue.q"}
    got = sorted((n.location.line, n.level, n.scope, n.subject, n.message) for n in parsed.notifications)
    tail = "is not declared in the module's other files (Terraform refuses it); not applied"
    assert got == [
        (1, Severity.ERROR, "file", "override.tf",
         f"override.tf: resource 'aws_sqs_queue' 'other' overrides nothing: aws_sqs_queue.other {tail}"),
        (5, Severity.ERROR, "file", "override.tf",
         "override.tf: local.b overrides nothing: it is not declared in the module's other files (Terraform "
         "refuses it); not applied"),
        (7, Severity.ERROR, "file", "override.tf", f"override.tf: variable 'v' overrides nothing: var.v {tail}"),
        (10, Severity.ERROR, "file", "override.tf",
         f"override.tf: provider 'aws' overrides nothing: provider aws {tail}"),
    ]


def test_depends_on_and_moved_blocks_in_override_files_are_errors(tmp_path):
    _write(tmp_path, main__tf='resource "aws_sqs_queue" "q" {\n  name = "a"\n}\nresource "aws_sqs_queue" "r" {}\n',
           override__tf='resource "aws_sqs_queue" "q" {\n  name = "b"\n  depends_on = [aws_sqs_queue.r]\n}\n'
                        'moved {\n  from = aws_sqs_queue.x\n  to = aws_sqs_queue.q\n}\n')
    parsed = parse_dir(tmp_path)
    q = parsed.resources["aws_sqs_queue.q"]
    assert q.get("name") == "b" and "depends_on" not in q.meta  # the rest of the block is applied
    got = sorted((n.location.line, n.level, n.scope, n.message) for n in parsed.notifications)
    assert got == [
        (3, Severity.ERROR, "file", "override.tf: depends_on cannot be written in an overriding resource block "
                                    "(Terraform refuses it); that argument is not applied"),
        (5, Severity.ERROR, "file", "override.tf: moved blocks cannot be written in an override file (Terraform "
                                    "refuses it); not applied"),
    ]


def test_terraform_block_required_providers_merged_per_provider_backend_replaced():
    base = parse_text('terraform {\n  required_version = ">= 1.0"\n  required_providers {\n'
                      '    aws = {\n      source = "hashicorp/aws"\n      version = "~> 4.0"\n    }\n'
                      '    google = {\n      source = "hashicorp/google"\n    }\n  }\n'
                      '  backend "s3" {\n    bucket = "state"\n  }\n}\n', "main.tf").blocks[0]
    over = parse_text('terraform {\n  required_providers {\n    aws = {\n      version = "~> 5.0"\n    }\n  }\n'
                      '  cloud {\n    organization = "acme"\n  }\n}\n', "override.tf").blocks[0]
    merged = merge_terraform(base, over)
    [providers] = [b for b in merged.body.blocks if b.type == "required_providers"]
    assert set(providers.body.attributes) == {"aws", "google"}  # google kept
    aws = providers.body.attributes["aws"].expr
    assert [k.value for k, _, _ in aws.items] == ["version"]  # the element is replaced, not merged
    assert [b.type for b in merged.body.blocks] == ["required_providers", "cloud"]  # the backend is replaced
    assert "required_version" in merged.body.attributes


def test_terraform_blocks_merge_in_the_module_definition(tmp_path):
    main = LoadedFile("main.tf", parse_text('terraform {\n  required_version = ">= 1.0"\n}\n', "main.tf"))
    over = LoadedFile("override.tf", parse_text('terraform {\n  required_version = ">= 1.9"\n}\n', "override.tf"))
    module = ModuleDef.from_files(tmp_path, ".", [over, main])
    [settings] = module.settings
    assert settings.body.attributes["required_version"].expr.value == ">= 1.9"
    assert module.notifications == []
