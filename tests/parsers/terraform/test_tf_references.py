"""References between resources, modules and providers, on small inline modules."""

from __future__ import annotations

import json
from pathlib import Path

from tf_helpers import parse_dir

from iacgov.model import Unknown


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_module_for_each_and_provider_blocks_inside_children(tmp_path):
    write(tmp_path, {
        "main.tf": """
provider "aws" {
  region = "eu-west-3"
}
provider "aws" {
  alias  = "dr"
  region = "eu-west-1"
}
module "site" {
  source   = "./site"
  for_each = { paris = "p", dublin = "d" }
  code     = each.value
  providers = {
    aws      = aws
    "aws.dr" = aws.dr
  }
}
module "own" {
  source = "./own"
}
""",
        "site/main.tf": """
variable "code" {}
resource "aws_s3_bucket" "b" {
  bucket = "site-${var.code}"
}
resource "aws_s3_bucket" "copy" {
  provider = aws.dr
  bucket   = "copy-${var.code}"
}
""",
        "own/main.tf": """
provider "aws" {
  region = "ap-south-1"
}
resource "aws_sqs_queue" "q" {
  name = "q"
}
""",
    })
    resources = parse_dir(tmp_path).resources
    paris = resources['module.site["paris"].aws_s3_bucket.b']
    assert (paris.get("bucket"), paris.region, paris.module) == ("site-p", "eu-west-3", 'module.site["paris"]')
    copy = resources['module.site["dublin"].aws_s3_bucket.copy']
    assert (copy.get("bucket"), copy.region, copy.provider) == ("copy-d", "eu-west-1", "aws.dr")
    own = resources["module.own.aws_sqs_queue.q"]
    assert (own.region, own.provider) == ("ap-south-1", "module.own.aws")


def test_references_splats_and_computed_values(tmp_path):
    write(tmp_path, {"main.tf": """
provider "aws" {
  region = "eu-west-3"
}
data "aws_region" "here" {}
data "aws_partition" "p" {}
resource "aws_subnet" "s" {
  count      = 2
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}
resource "aws_eks_cluster" "c" {
  name = "c"
  vpc_config {
    subnet_ids = aws_subnet.s[*].id
  }
  dynamic "kubernetes_network_config" {
    for_each = []
    content {}
  }
}
resource "aws_security_group" "sg" {
  name        = "sg-${data.aws_region.here.name}"
  description = join(",", [for s in aws_subnet.s : s.cidr_block])
  tags = {
    cluster_sg = aws_eks_cluster.c.vpc_config[0].cluster_security_group_id
    service    = aws_eks_cluster.c.kubernetes_network_config[0].service_ipv4_cidr
    arn        = "arn:${data.aws_partition.p.partition}:iam::aws:policy/X"
    first      = aws_subnet.s[0].cidr_block
  }
}
"""})
    resources = parse_dir(tmp_path).resources
    sg = resources["aws_security_group.sg"]
    assert sg.get("name") == "sg-eu-west-3"
    assert sg.get("description") == "10.0.0.0/24,10.0.1.0/24"
    assert sg.get("tags.first") == "10.0.0.0/24"
    assert sg.get("tags.arn") == "arn:aws:iam::aws:policy/X"
    computed = sg.get("tags.cluster_sg")
    assert isinstance(computed, Unknown) and "known only after apply" in computed.reason
    assert sg.get("tags.service") == Unknown(
        "aws_eks_cluster.c.kubernetes_network_config is known only after apply",
        ref="aws_eks_cluster.c.kubernetes_network_config[0].service_ipv4_cidr")
    ids = resources["aws_eks_cluster.c"].get("vpc_config.0.subnet_ids")
    assert [u.ref for u in ids] == ["aws_subnet.s[0].id", "aws_subnet.s[1].id"]


def test_policy_document_sources_overrides_and_principal_kinds(tmp_path):
    write(tmp_path, {"main.tf": """
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Shared"
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "final" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid       = "Shared"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
  statement {
    not_actions = ["iam:*"]
    resources   = ["*"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com", "lambda.amazonaws.com"]
    }
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.final.minified_json
}
"""})
    policy = json.loads(parse_dir(tmp_path).resources["aws_iam_policy.p"].get("policy"))
    shared, service = policy["Statement"]
    assert shared == {"Sid": "Shared", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Principal": "*"}
    assert service["NotAction"] == "iam:*"
    assert service["Principal"] == {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}


def test_object_type_defaults_fill_optional_attributes(tmp_path):
    write(tmp_path, {"main.tf": """
variable "settings" {
  type = object({
    name       = string
    versioning = optional(bool, true)
    retention  = optional(number)
    rules      = optional(list(object({ days = optional(number, 30) })), [{}])
  })
  default = { name = "logs", extra = "dropped" }
}
resource "aws_s3_bucket" "b" {
  bucket = var.settings.name
  tags = {
    versioning = var.settings.versioning
    retention  = var.settings.retention
    days       = var.settings.rules[0].days
    keys       = join(",", keys(var.settings))
  }
}
"""})
    tags = parse_dir(tmp_path).resources["aws_s3_bucket.b"].get("tags")
    assert tags == {"versioning": True, "retention": None, "days": 30, "keys": "name,retention,rules,versioning"}


def test_google_iam_policy_data_source_renders_policy_data(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "ops" {}\n'
        'data "google_iam_policy" "p" {\n'
        '  binding {\n    role    = "roles/viewer"\n    members = ["group:it@company.example"]\n  }\n'
        '  binding {\n    role    = "roles/owner"\n    members = ["user:a@company.example", var.ops]\n  }\n}\n'
        'resource "google_project_iam_policy" "p" {\n  project     = "x"\n'
        '  policy_data = data.google_iam_policy.p.policy_data\n}\n'
    )
    policy = json.loads(parse_dir(tmp_path).resources["google_project_iam_policy.p"].get("policy_data"))
    assert policy == {"bindings": [
        {"role": "roles/owner", "members": ["user:a@company.example", "<unknown:var.ops>"]},
        {"role": "roles/viewer", "members": ["group:it@company.example"]},
    ]}
