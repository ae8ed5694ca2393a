"""Values Terraform knows at plan time must be known to iacgov too (issue 25),
and what stays unknown must say where it comes from: the variable, data
source or attribute a user can act on, not the chain of operations between
(``a for expression of an unknown value (a for expression of ...``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tf_helpers import parse_dir

from iacgov.model import Unknown
from iacgov.parsers.terraform.evaluate import LITERAL_SCOPE, value_of
from iacgov.parsers.terraform.loader import parse_expression
from iacgov.parsers.terraform.values import origin
from iacgov.placeholders import UnknownTemplate

PLANNED = " is read from the provider when Terraform plans: scan a plan JSON to know it"
IDS = Unknown("data.aws_subnets.all.ids" + PLANNED, ref="data.aws_subnets.all.ids")
PROVIDER = 'provider "aws" {\n  region = "eu-west-3"\n}\n\n'


def ev(text: str, **names):
    return value_of(parse_expression(text), LITERAL_SCOPE.bind(names))


def parse(tmp_path: Path, files: dict[str, str]):
    for name, body in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    return parse_dir(tmp_path)


# --- a module used as a value ------------------------------------------------

ZONES_MODULE = '''variable "name" {}

output "zones" {
  value = [for z in ["a", "b"] : { name = "${var.name}-${z}", size = 20 }]
}

output "tag" {
  value = upper(var.name)
}
'''


def test_a_module_used_whole_is_the_object_of_its_outputs(tmp_path):
    # https://developer.hashicorp.com/terraform/language/modules/syntax#accessing-module-output-values:
    # module.x is an object of its outputs; with for_each, a map of such objects.
    parsed = parse(tmp_path, {"modules/zones/main.tf": ZONES_MODULE, "main.tf": PROVIDER + '''module "zones" {
  for_each = toset(["web", "db"])
  source   = "./modules/zones"
  name     = each.key
}

locals {
  volumes = flatten([for m in values(module.zones) : m.zones])
}

resource "aws_ebs_volume" "v" {
  for_each          = { for v in local.volumes : v.name => v }
  availability_zone = "eu-west-3a"
  size              = each.value.size
}

resource "aws_ssm_parameter" "tags" {
  name  = "tags"
  type  = "String"
  value = join(",", [for m in values(module.zones) : m.tag])
}
'''})
    volumes = {a: r.get("size") for a, r in parsed.resources.items() if a.startswith("aws_ebs_volume")}
    assert volumes == {f'aws_ebs_volume.v["{n}"]': 20 for n in ("db-a", "db-b", "web-a", "web-b")}
    assert all(r.count == 1 for a, r in parsed.resources.items() if a.startswith("aws_ebs_volume"))
    assert parsed.resources["aws_ssm_parameter.tags"].get("value") == "DB,WEB"  # values() in key order
    assert [n for n in parsed.notifications if n.scope is not None] == []


def test_a_module_without_outputs_is_an_empty_object(tmp_path):
    parsed = parse(tmp_path, {"modules/none/main.tf": 'variable "x" {\n  default = 1\n}\n',
                              "main.tf": PROVIDER + '''module "none" {
  source = "./modules/none"
}

resource "aws_ssm_parameter" "p" {
  name  = "p"
  type  = "String"
  value = jsonencode(module.none)
}
'''})
    assert parsed.resources["aws_ssm_parameter.p"].get("value") == "{}"


def test_a_module_whose_output_is_unknown_keeps_it_unknown_inside(tmp_path):
    child = 'variable "id" {}\n\noutput "id" {\n  value = var.id\n}\n\noutput "fixed" {\n  value = "x"\n}\n'
    parsed = parse(tmp_path, {"modules/m/main.tf": child, "main.tf": PROVIDER + '''variable "vpc" {}

module "m" {
  source = "./modules/m"
  id     = var.vpc
}

resource "aws_ssm_parameter" "p" {
  for_each = module.m
  name     = each.key
  type     = "String"
  value    = "v"
}
'''})
    # known keys, one unknown value: the instances are known (Terraform plans them)
    assert sorted(a for a in parsed.resources if a.startswith("aws_ssm")) == [
        'aws_ssm_parameter.p["fixed"]', 'aws_ssm_parameter.p["id"]']


# --- functions as Terraform defines them ---------------------------------------

def test_transpose_and_setproduct_values():
    # https://developer.hashicorp.com/terraform/language/functions/transpose
    assert ev('transpose({a = ["1", "2"], b = ["2", "3"]})') == {"1": ["a"], "2": ["a", "b"], "3": ["b"]}
    # https://developer.hashicorp.com/terraform/language/functions/setproduct
    assert ev('setproduct(["development", "staging"], ["app1", "app2"])') == [
        ["development", "app1"], ["development", "app2"], ["staging", "app1"], ["staging", "app2"]]
    assert ev('setproduct(["a"], [])') == []


@pytest.mark.parametrize("text, expected", [
    # the examples of https://developer.hashicorp.com/terraform/language/functions/uuidv5
    ('uuidv5("dns", "www.terraform.io")', "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ('uuidv5("url", "https://www.terraform.io/")', "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"),
    ('uuidv5("oid", "1.3.6.1.4")', "af9d40a5-7a36-5c07-b23a-851cd99fbfa5"),
    ('uuidv5("x500", "CN=Example,C=GB")', "84e09961-4aa4-57f8-95b7-03edb1073253"),
    ('uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io")', "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
])
def test_uuidv5_is_name_based_so_known(text, expected):
    assert ev(text) == expected


def test_uuidv5_of_an_unknown_namespace_and_uuid_stay_unknown():
    assert ev('uuidv5("nope", "x")') == Unknown("uuidv5(): namespace 'nope' is neither dns, url, oid, x500 nor a UUID")
    assert ev("uuid()") == Unknown("uuid() is known only when applied")  # random: known only when applied
    assert ev('uuidv5("url", ids)', ids=IDS) == Unknown(f"uuidv5() of an unknown value ({IDS.reason})")


def test_flatten_needs_only_the_nested_lists_known():
    # https://developer.hashicorp.com/terraform/language/functions/flatten: it flattens lists;
    # a string with unknown parts is a leaf, so the result is known with that leaf unknown.
    out = ev('flatten([["net-${ids}"], ["b", ["c"]]])', ids=IDS)
    assert isinstance(out, list) and len(out) == 3 and out[1:] == ["b", "c"]
    assert isinstance(out[0], UnknownTemplate) and out[0].text == "net-<unknown:data.aws_subnets.all.ids>"
    # an unknown element may itself be a list: the result's length is not known
    assert ev('flatten([ids, ["b"]])', ids=IDS) == Unknown(
        f"flatten() of a value with unknown parts (data.aws_subnets.all.ids{PLANNED})")


@pytest.mark.parametrize("text, what", [
    ('distinct([ids, "a"])', "distinct() of a value with unknown parts"),
    ('transpose({a = ["1", ids]})', "transpose() of a value with unknown parts"),
    ("toset([ids])", "toset() of a value with unknown parts"),
    ('[for x in concat([for y in ids : y], ["a"]) : x]', "a for expression of an unknown value"),
    ('{for k, v in merge(ids, {}) : k => v}', "a for expression of an unknown value"),
    ('keys(lookup({a = ids}, "a"))', "keys() of an unknown value"),
    # one element and "a": whether they merge depends on ids (distinct([ids]) alone is a list of one)
    ('[for v in distinct([ids, "a"]) : v if v != ""][0]', "a for expression of an unknown value"),
])
def test_an_unknown_names_its_origin_not_the_chain_of_operations(text, what):
    assert ev(text, ids=IDS) == Unknown(f"{what} ({IDS.reason})")


def test_join_with_unknown_elements_names_them():
    out = ev('join(",", ["a", ids])', ids=IDS)
    assert isinstance(out, UnknownTemplate) and out.text == "a,<unknown:data.aws_subnets.all.ids>"
    assert out.reason == f"join() of a list with unknown elements ({IDS.reason})"


def test_origin_unwraps_only_reasons_that_wrap_another():
    assert origin("a for expression of an unknown value (concat() of an unknown value (var.x has no value))") == (
        "var.x has no value")
    assert origin("for_each is unknown (toset() of a value with unknown parts (var.p has no value))") == (
        "var.p has no value")
    assert origin("no element 'a (b' in map") == "no element 'a (b' in map"  # not a wrapper: unchanged
    cascade = "aws_x.a has an unknown number of instances (var.n has no value)"
    assert origin(f"keys() of an unknown value ({cascade})") == cascade  # the resource depended on is kept
    assert origin(cascade, through_resources=True) == "var.n has no value"


# --- what stays unknown, and says why ------------------------------------------------

def test_an_unknown_for_each_names_the_variable_to_set(tmp_path):
    parsed = parse(tmp_path, {"main.tf": PROVIDER + '''variable "networks" {}

locals {
  zones = distinct(flatten([for n in var.networks : [for z in n.zones : "${n.name}-${z}"]]))
}

resource "aws_ebs_volume" "v" {
  for_each          = toset([for z in local.zones : z if z != ""])
  availability_zone = "eu-west-3a"
  size              = 10
}

resource "aws_ebs_snapshot" "s" {
  for_each  = { for k, v in aws_ebs_volume.v : k => v.id }
  volume_id = each.value
}
'''})
    volume = parsed.resources["aws_ebs_volume.v"]
    assert volume.count == Unknown("for_each is unknown (toset() of an unknown value "
                                   "(var.networks has no value))")
    snapshot = parsed.resources["aws_ebs_snapshot.s"]  # depends on it: names both it and the origin
    assert snapshot.count == Unknown("for_each is unknown (a for expression of an unknown value (aws_ebs_volume.v "
                                     "has an unknown number of instances (var.networks has no value)))")


def test_a_set_with_unknown_elements_names_them(tmp_path):
    parsed = parse(tmp_path, {"main.tf": PROVIDER + '''data "aws_caller_identity" "me" {}

resource "aws_ssm_parameter" "p" {
  for_each = toset(["fixed", data.aws_caller_identity.me.account_id])
  name     = each.key
  type     = "String"
  value    = "v"
}
'''})
    assert parsed.resources["aws_ssm_parameter.p"].count == Unknown(
        "for_each is unknown (toset() of a value with unknown parts "
        f"(data.aws_caller_identity.me.account_id{PLANNED}))")


def test_known_keys_with_unknown_values_give_known_instances(tmp_path):
    # Terraform plans one instance per key when a for_each map's keys are known, whatever its values
    parsed = parse(tmp_path, {"main.tf": PROVIDER + '''variable "names" {
  default = ["a", "b"]
}

data "aws_caller_identity" "me" {}

resource "aws_ssm_parameter" "p" {
  for_each = merge({ for n in var.names : n => data.aws_caller_identity.me.account_id }, { c = null })
  name     = each.key
  type     = "String"
  value    = coalesce(each.value, "none")
}
'''})
    found = {a: r for a, r in parsed.resources.items() if a.startswith("aws_ssm")}
    assert sorted(found) == ['aws_ssm_parameter.p["a"]', 'aws_ssm_parameter.p["b"]', 'aws_ssm_parameter.p["c"]']
    assert found['aws_ssm_parameter.p["c"]'].get("value") == "none"
    assert isinstance(found['aws_ssm_parameter.p["a"]'].get("value"), Unknown)


def test_a_null_in_a_string_template_names_what_is_null():
    # https://developer.hashicorp.com/terraform/language/expressions/strings#interpolation: a null
    # value cannot be interpolated (Terraform: "Invalid template interpolation value")
    assert ev('"regions/${local.region}/subnets"', local={"region": None}) == Unknown(
        "local.region is null, and a string template cannot include null")
    assert ev('try("regions/${r}", "none")', r=None) == "none"  # still an error try() catches


def test_an_unknown_dynamic_block_names_its_origin(tmp_path):
    parsed = parse(tmp_path, {"main.tf": PROVIDER + '''variable "rules" {}

resource "aws_security_group" "sg" {
  name = "web"
  dynamic "ingress" {
    for_each = { for r in var.rules : r.name => r }
    content {
      from_port = ingress.value.port
    }
  }
}
'''})
    assert parsed.resources["aws_security_group.sg"].get("ingress") == Unknown(
        'dynamic "ingress" blocks depend on an unknown for_each (var.rules has no value)')


def test_count_of_a_list_with_unknown_elements_is_known(tmp_path):
    # length() needs the list, not its elements: Terraform plans two instances here
    parsed = parse(tmp_path, {"main.tf": PROVIDER + '''data "aws_caller_identity" "me" {}

locals {
  principals = [data.aws_caller_identity.me.account_id, "123456789012"]
}

resource "aws_ssm_parameter" "p" {
  count = length(local.principals)
  name  = "p-${count.index}"
  type  = "String"
  value = local.principals[count.index]
}
'''})
    found = {a: r for a, r in parsed.resources.items() if a.startswith("aws_ssm")}
    assert sorted(found) == ["aws_ssm_parameter.p[0]", "aws_ssm_parameter.p[1]"]
    assert found["aws_ssm_parameter.p[1]"].get("value") == "123456789012"
    assert isinstance(found["aws_ssm_parameter.p[0]"].get("value"), Unknown)


def test_a_resource_whose_keys_are_unknown_names_them_when_used_whole(tmp_path):
    parsed = parse(tmp_path, {"main.tf": PROVIDER + '''data "aws_caller_identity" "me" {}

resource "aws_ssm_parameter" "p" {
  for_each = { for n in ["a", "b"] : "${data.aws_caller_identity.me.account_id}-${n}" => n }
  name     = each.value
  type     = "String"
  value    = "v"
}

resource "aws_ssm_parameter" "count" {
  name  = "count"
  type  = "String"
  value = length(aws_ssm_parameter.p)
}
'''})
    assert parsed.resources["aws_ssm_parameter.count"].get("value") == Unknown(
        "length() of an unknown value (aws_ssm_parameter.p has instances whose keys are unknown "
        f"(data.aws_caller_identity.me.account_id{PLANNED}))")


def test_an_ephemeral_resource_is_unknown_and_says_so(tmp_path):
    # https://developer.hashicorp.com/terraform/language/resources/ephemeral: opened during a run, never stored
    parsed = parse(tmp_path, {"main.tf": PROVIDER + '''ephemeral "aws_secretsmanager_secret_version" "db" {
  secret_id = "db"
}

resource "aws_ssm_parameter" "p" {
  name     = "p"
  type     = "SecureString"
  value_wo = ephemeral.aws_secretsmanager_secret_version.db.secret_string
}
'''})
    value = parsed.resources["aws_ssm_parameter.p"].get("value_wo")
    assert value == Unknown("ephemeral.aws_secretsmanager_secret_version.db is an ephemeral resource: Terraform opens "
                            "it when it runs, a scan never knows it",
                            ref="ephemeral.aws_secretsmanager_secret_version.db.secret_string")
