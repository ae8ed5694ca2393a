"""for_each with keys known only after apply (an account or subscription ID)
but values from the inputs: one instance per value, so every argument that
does not depend on each.key is checked (issue 15). What cannot be expanded at
all (the whole collection, or count, unknown) is reported as not analysed."""

from __future__ import annotations

import json
from pathlib import Path

from tf_helpers import parse_dir

from iacgov.model import Location, Severity, Unknown
from iacgov.placeholders import UnknownTemplate

from conftest import FIXTURES

ACCOUNT = "<unknown:data.aws_caller_identity.current.account_id>"
PROVIDER = 'provider "aws" {\n  region = "eu-west-3"\n}\n\ndata "aws_caller_identity" "current" {}\n\n'
DATABASES = '''variable "databases" {
  default = {
    billing = { encrypted = false, class = "db.t3.micro" }
    ledger  = { encrypted = true, class = "db.t3.small" }
  }
}

'''


def parse(tmp_path: Path, text: str, files: dict[str, str] | None = None):
    (tmp_path / "main.tf").write_text(text)
    for name, body in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    return parse_dir(tmp_path)


def db(for_each: str, extra: str = "") -> str:
    return (f'resource "aws_db_instance" "db" {{\n  for_each          = {for_each}\n  engine            = "postgres"\n'
            f"  instance_class    = each.value.class\n  storage_encrypted = each.value.encrypted\n{extra}}}\n")


def test_unknown_keys_with_known_values_give_one_instance_per_value(tmp_path):
    parsed = parse(tmp_path, PROVIDER + DATABASES + db(
        '{ for name, d in var.databases : "${data.aws_caller_identity.current.account_id}-${name}" => d }',
        '  identifier        = "db-${each.key}"\n'))
    billing = parsed.resources[f'aws_db_instance.db["{ACCOUNT}-billing"]']
    ledger = parsed.resources[f'aws_db_instance.db["{ACCOUNT}-ledger"]']
    assert (billing.get("storage_encrypted"), billing.get("instance_class")) == (False, "db.t3.micro")
    assert (ledger.get("storage_encrypted"), ledger.get("instance_class")) == (True, "db.t3.small")
    assert billing.count == 1 and billing.region == "eu-west-3"
    key = billing.meta["index"]  # each.key is unknown, and so is what depends on it
    assert isinstance(key, UnknownTemplate) and key.text == f"{ACCOUNT}-billing"
    assert isinstance(billing.get("identifier"), Unknown)
    assert "aws_db_instance.db" not in parsed.resources  # before: one instance, every each.value unknown
    assert [n for n in parsed.notifications if n.scope is not None] == []


def test_keys_followed_through_locals_and_module_inputs(tmp_path):
    child = ('variable "databases" {}\n\n' + db("var.databases"))
    parsed = parse(tmp_path, PROVIDER + DATABASES + '''locals {
  by_account = { for name, d in var.databases : "${data.aws_caller_identity.current.account_id}-${name}" => d }
}

module "dbs" {
  source    = "./modules/dbs"
  databases = local.by_account
}
''', {"modules/dbs/main.tf": child})
    found = {a: r.get("storage_encrypted") for a, r in parsed.resources.items() if "aws_db_instance" in a}
    assert found == {f'module.dbs.aws_db_instance.db["{ACCOUNT}-billing"]': False,
                     f'module.dbs.aws_db_instance.db["{ACCOUNT}-ledger"]': True}


def test_module_for_each_with_unknown_keys_expands_per_value(tmp_path):
    child = ('variable "encrypted" {}\n\nresource "aws_db_instance" "db" {\n  engine = "postgres"\n'
             '  instance_class = "db.t3.micro"\n  storage_encrypted = var.encrypted\n}\n')
    parsed = parse(tmp_path, PROVIDER + DATABASES + '''module "db" {
  source    = "./modules/db"
  for_each  = { for name, d in var.databases : "${data.aws_caller_identity.current.account_id}-${name}" => d }
  encrypted = each.value.encrypted
}

output "ids" {
  value = module.db
}
''', {"modules/db/main.tf": child})
    found = {a: (r.get("storage_encrypted"), r.count) for a, r in parsed.resources.items() if "aws_db_instance" in a}
    assert found == {f'module.db["{ACCOUNT}-billing"].aws_db_instance.db': (False, 1),
                     f'module.db["{ACCOUNT}-ledger"].aws_db_instance.db': (True, 1)}


def test_mixed_literal_keys_and_labels_of_wholly_unknown_keys(tmp_path):
    parsed = parse(tmp_path, PROVIDER + db(
        '{ (data.aws_caller_identity.current.account_id) = { encrypted = false, class = "a" }, '
        'fixed = { encrypted = true, class = "b" } }'))
    assert sorted(parsed.resources) == [
        "aws_db_instance.db[\"<unknown:data.aws_caller_identity.current.account_id>\"]",
        'aws_db_instance.db["fixed"]', "data.aws_caller_identity.current"]
    # two keys of the same unknown value: labels stay distinct (and stable: the collection's order)
    again = parse(tmp_path, PROVIDER + '''variable "list" {
  default = [{ encrypted = false, class = "a" }, { encrypted = false, class = "b" }]
}

''' + db("{ for d in var.list : data.aws_caller_identity.current.account_id => d }"))
    assert [(a, r.get("instance_class")) for a, r in again.resources.items() if a.startswith("aws_db")] == [
        (f'aws_db_instance.db["{ACCOUNT}"]', "a"), (f'aws_db_instance.db["{ACCOUNT} #2"]', "b")]


def test_a_reference_to_the_whole_resource_stays_unknown(tmp_path):
    parsed = parse(tmp_path, PROVIDER + DATABASES + db(
        '{ for name, d in var.databases : "${data.aws_caller_identity.current.account_id}-${name}" => d }') + '''
resource "aws_ssm_parameter" "count" {
  name  = "dbs"
  type  = "String"
  value = length(aws_db_instance.db)
}
''')
    value = parsed.resources["aws_ssm_parameter.count"].get("value")
    assert isinstance(value, Unknown)


def test_known_keys_with_unknown_values_are_unchanged(tmp_path):
    parsed = parse(tmp_path, PROVIDER + db(
        '{ billing = data.aws_caller_identity.current, ledger = data.aws_caller_identity.current }'))
    assert sorted(a for a in parsed.resources if a.startswith("aws_db")) == [
        'aws_db_instance.db["billing"]', 'aws_db_instance.db["ledger"]']
    assert [n for n in parsed.notifications if n.scope is not None] == []


def test_a_wholly_unknown_for_each_is_a_resource_not_analysed(tmp_path):
    parsed = parse(tmp_path, PROVIDER + db("toset(data.aws_caller_identity.current.ids)"))
    resource = parsed.resources["aws_db_instance.db"]  # still one resource: what does not depend on each is checked
    assert resource.get("engine") == "postgres" and isinstance(resource.count, Unknown)
    (note,) = [n for n in parsed.notifications if n.scope is not None]
    assert (note.scope, note.subject, note.level, note.location) == (
        "resource", "aws_db_instance.db", Severity.WARNING, Location("main.tf", 7))
    assert note.message == (
        "aws_db_instance.db: instances not analysed: for_each is unknown (toset() of an unknown value "
        "(data.aws_caller_identity.current.ids is read from the provider when Terraform plans: scan a plan JSON "
        "to know it)); only the arguments that do not depend "
        "on each.key and each.value are checked")


def test_an_unknown_condition_or_no_known_value_is_not_expanded(tmp_path):
    for for_each in (
        '{ for name, d in var.databases : "${data.aws_caller_identity.current.account_id}-${name}" => d '
        "if data.aws_caller_identity.current.enabled }",
        '{ for name, d in var.databases : "${data.aws_caller_identity.current.account_id}-${name}" => '
        "data.aws_caller_identity.current }",
    ):
        parsed = parse(tmp_path, PROVIDER + DATABASES + db(for_each))
        assert [a for a in parsed.resources if a.startswith("aws_db")] == ["aws_db_instance.db"]
        assert [(n.scope, n.subject) for n in parsed.notifications if n.scope] == [("resource", "aws_db_instance.db")]


def test_a_wholly_unknown_module_for_each_is_a_module_not_analysed(tmp_path):
    child = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
    parsed = parse(tmp_path, PROVIDER + '''module "queues" {
  source   = "./modules/q"
  for_each = toset(data.aws_caller_identity.current.ids)
}
''', {"modules/q/main.tf": child})
    assert "module.queues.aws_sqs_queue.q" in parsed.resources
    (note,) = [n for n in parsed.notifications if n.scope is not None]
    assert (note.scope, note.subject, note.level) == ("module", "module.queues", Severity.WARNING)
    assert note.message.startswith("module.queues: module instances not analysed: for_each is unknown (")


def _scan(cli, case: Path, *args: str):
    return cli("scan", case, "--policy", case.parent / "iacgov.yaml", "--root", case.parent, "--no-cache",
               "--format", "json", *args)


def test_enc001_reported_on_each_value_of_unknown_keys(cli):
    case = FIXTURES / "rules" / "ENC001" / "fail_unknown_for_each_keys.tf"
    result = _scan(cli, case)
    assert result.exit_code == 1  # before: 0, storage_encrypted was unknown
    found = [(f["code"], f["address"], f["line"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("ENC001", f'aws_db_instance.db["{ACCOUNT}-billing"]', 20),
                     ("ENC001", f'aws_db_instance.db["{ACCOUNT}-ledger"]', 20)]


def test_log002_reported_on_the_per_value_instance(cli):
    case = FIXTURES / "rules" / "LOG002" / "fail_unknown_for_each_keys.tf"
    result = _scan(cli, case)
    assert result.exit_code == 0  # LOG002 is a warning
    found = [(f["code"], f["address"], f["line"], f["properties"].get("days"))
             for f in json.loads(result.stdout)["findings"] if f["code"] == "LOG002"]
    assert found == [("LOG002", 'azurerm_log_analytics_workspace.management["/subscriptions/<unknown:data.azurerm_'
                                'client_config.current.subscription_id>/resourceGroups/rg-management"]', 31, 60)]
