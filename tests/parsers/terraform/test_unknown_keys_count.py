"""How many instances a for_each or count asks for is known wherever
Terraform's own rules fix it, even when the values inside carry an unknown
subscription ID (issue 25: CAF's hub mesh peerings were one instance of
unknown count). Where the number could depend on the unknown value it stays
unknown, with the reason naming where that value comes from.

The rule checked here: ``distinct()`` of a list whose elements hold unknown
parts keeps an element when it differs from every earlier one whatever those
parts are (a known attribute, the known text around a placeholder), drops it
only when it is wholly known and equal to an earlier one, and is otherwise
unknown. Terraform's object ``for`` without ``...`` refuses duplicate keys, so
its size is the number of elements that pass a known ``if``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tf_helpers import FIXTURES, parse_dir

from iacgov.model import Unknown
from iacgov.parsers.terraform.evaluate import LITERAL_SCOPE, value_of
from iacgov.parsers.terraform.loader import parse_expression
from iacgov.placeholders import UnknownTemplate

PLANNED = " is read from the provider when Terraform plans: scan a plan JSON to know it"
SUB_REF = "data.azurerm_client_config.current.subscription_id"
SUB = Unknown(SUB_REF + PLANNED, ref=SUB_REF)
OTHER = Unknown("var.other has no value", ref="var.other")
MESH = FIXTURES / "unknown_keys_mesh_peering"
HUB = "/subscriptions/<unknown:" + SUB_REF + ">/resourceGroups/rg-{0}/providers/Microsoft.Network/virtualNetworks/hub-{0}"
SPOKE = "/subscriptions/s1/resourceGroups/app/providers/Microsoft.Network/virtualNetworks/app"
SPOKE_PEERING = "peering-4c1bb56c-1866-536e-9d18-936fb5a6c961"  # uuidv5("url", SPOKE)


def ev(text: str):
    return value_of(parse_expression(text), LITERAL_SCOPE.bind({"sub": SUB, "other": OTHER}))


def texts(value):
    return [v.text if isinstance(v, UnknownTemplate) else v for v in value]


# --- distinct() of values with unknown parts -----------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # the known text after the placeholder differs: never equal, whatever the subscription
    ('distinct(["${sub}-a", "${sub}-b"])', [f"<unknown:{SUB_REF}>-a", f"<unknown:{SUB_REF}>-b"]),
    # the known text before it
    ('distinct(["a-${sub}", "b-${sub}"])', [f"a-<unknown:{SUB_REF}>", f"b-<unknown:{SUB_REF}>"]),
    # a wholly known duplicate is dropped; the element with an unknown part differs from it by its suffix
    ('distinct(["x", "x", "${sub}-y"])', ["x", f"<unknown:{SUB_REF}>-y"]),
    # null equals only null, and a string (even with unknown parts) is never null
    ('distinct([null, "${sub}-a", null])', [None, f"<unknown:{SUB_REF}>-a"]),
    # one element: nothing to merge with
    ("distinct([sub])", [SUB]),
])
def test_distinct_keeps_elements_that_differ_whatever_the_unknown_parts(text, expected):
    assert texts(ev(text)) == expected


def test_distinct_of_objects_differing_by_a_known_attribute():
    out = ev('distinct([{ rg = "rg-ne", id = "${sub}/p" }, { rg = "rg-we", id = "${sub}/p" }])')
    assert [o["rg"] for o in out] == ["rg-ne", "rg-we"]
    out = ev('distinct([{ zones = ["1"], id = "${sub}/a" }, { zones = ["1", "2"], id = "${sub}/a" }])')
    assert [o["zones"] for o in out] == [["1"], ["1", "2"]]  # wholly known lists that differ
    assert ev('length(distinct(["${sub}-a", "${sub}-b", "c"]))') == 3  # so its length is known


@pytest.mark.parametrize("text, origin", [
    # equal or not depends on the two unknown values
    ('distinct(["${sub}-a", "${other}-a"])', SUB.reason),
    # a wholly unknown element could be "a"
    ('distinct([sub, "a"])', SUB.reason),
    # the same element twice: Terraform would merge them, but only if its unknown parts are equal
    ('distinct([{ n = "a", id = sub }, { n = "b", id = sub }, { n = "a", id = sub }])', SUB.reason),
    ('distinct(["${sub}", "${sub}"])', SUB.reason),
    # "1" and 1 convert to one string type in Terraform's list: they are not told apart
    ('distinct(["1", 1, "${sub}"])', SUB.reason),
    # objects of different attributes: conversion could reconcile them
    ('distinct([{ a = "x-${sub}" }, { b = "y" }])', SUB.reason),
    # a number known as 1 and 1.0 is one value
    ("distinct([{ a = 1, b = other }, { a = 1.0, b = sub }])", OTHER.reason),
    # null against a value that could itself be null
    ("distinct([null, sub])", SUB.reason),
    # a set(string) with unknown elements is held as the list it came from: its length and order are not known
    ('distinct([["${sub}-1", "b"], ["b", "${sub}-1"]])', SUB.reason),
])
def test_distinct_stays_unknown_when_elements_could_merge(text, origin):
    assert ev(text) == Unknown(f"distinct() of a value with unknown parts ({origin})")


def test_count_of_a_distinct_list_with_unknown_parts_is_known(tmp_path):
    (tmp_path / "main.tf").write_text('''provider "azurerm" {
  features {}
}

data "azurerm_client_config" "current" {}

locals {
  names = distinct(["${data.azurerm_client_config.current.subscription_id}-logs",
                    "${data.azurerm_client_config.current.subscription_id}-audit"])
}

resource "azurerm_resource_group" "rg" {
  count    = length(local.names)
  name     = "rg-${count.index}"
  location = "francecentral"
}
''')
    parsed = parse_dir(tmp_path)
    found = {a: r.get("name") for a, r in parsed.resources.items() if a.startswith("azurerm_resource_group")}
    assert found == {"azurerm_resource_group.rg[0]": "rg-0", "azurerm_resource_group.rg[1]": "rg-1"}
    assert [n for n in parsed.notifications if n.scope is not None] == []


# --- for_each of CAF's mesh peerings (fixtures/terraform/unknown_keys_mesh_peering) ---------------

def mesh(tmp_path: Path, old: str = "", new: str = ""):
    """The fixture, with ``old`` replaced by ``new`` in its main.tf."""
    shutil.copytree(MESH, tmp_path / "mesh", dirs_exist_ok=True)
    main = tmp_path / "mesh" / "main.tf"
    text = main.read_text()
    assert old in text
    main.write_text(text.replace(old, new))
    return parse_dir(tmp_path / "mesh")


def peerings(parsed) -> dict[str, tuple]:
    return {a: (r.get("virtual_network_name"), r.get("remote_virtual_network_id"),
                r.location.line)
            for a, r in parsed.resources.items() if a.startswith("azurerm_virtual_network_peering")}


def test_mesh_peerings_are_one_instance_each(tmp_path):
    parsed = mesh(tmp_path)
    found = peerings(parsed)
    # keys in the collection's order: the two hub peerings, then the spoke's; uksouth has mesh = false
    assert list(found) == [
        f'azurerm_virtual_network_peering.mesh["{HUB.format("northeurope")}/virtualNetworkPeerings/peering-<unknown>"]',
        f'azurerm_virtual_network_peering.mesh["{HUB.format("westeurope")}/virtualNetworkPeerings/peering-<unknown>"]',
        f'azurerm_virtual_network_peering.mesh["{HUB.format("northeurope")}/virtualNetworkPeerings/{SPOKE_PEERING}"]',
    ]
    (ne, we, spoke) = found.values()
    assert (ne[0], ne[1].text, ne[2]) == ("hub-northeurope", HUB.format("westeurope"), 30)
    assert (we[0], we[1].text) == ("hub-westeurope", HUB.format("northeurope"))
    assert spoke == ("hub-northeurope", SPOKE, 30)
    assert [n for n in parsed.notifications if n.scope is not None] == []  # before: "instances not analysed"


def test_a_known_false_if_gives_no_instance(tmp_path):
    parsed = mesh(tmp_path, "deploy          = true", "deploy          = false")
    assert peerings(parsed) == {}
    assert [n for n in parsed.notifications if n.scope is not None] == []


def _not_analysed(parsed) -> str:
    assert list(peerings(parsed)) == ["azurerm_virtual_network_peering.mesh"]
    assert isinstance(parsed.resources["azurerm_virtual_network_peering.mesh"].count, Unknown)
    (note,) = [n for n in parsed.notifications if n.scope is not None]
    assert note.subject == "azurerm_virtual_network_peering.mesh"
    return note.message


def test_one_spoke_on_two_hubs_is_two_peerings(tmp_path):
    # the case distinct() is there for in CAF: the hub's resource group, known, tells the two apart
    parsed = mesh(tmp_path, "spokes = [] }\n    uksouth", f'spokes = ["{SPOKE}"] }}\n    uksouth')
    spokes = [a for a in peerings(parsed) if a.endswith(f'{SPOKE_PEERING}"]')]
    assert spokes == [f'azurerm_virtual_network_peering.mesh["{HUB.format(hub)}/virtualNetworkPeerings/{SPOKE_PEERING}"]'
                      for hub in ("northeurope", "westeurope")]
    assert len(peerings(parsed)) == 4


def test_a_peering_listed_twice_stays_unknown(tmp_path):
    # distinct() merges the two copies only if they are equal, which depends on the subscription ID inside
    # them: the number of instances is not known (the rule never guesses)
    parsed = mesh(tmp_path, f'spokes = ["{SPOKE}"]', f'spokes = ["{SPOKE}", "{SPOKE}"]')
    assert _not_analysed(parsed) == (
        "azurerm_virtual_network_peering.mesh: instances not analysed: for_each is unknown (a for expression of "
        f"an unknown value ({SUB_REF}{PLANNED})); only the arguments that do not depend on each.key and "
        "each.value are checked")


def test_an_unknown_if_stays_unknown(tmp_path):
    (tmp_path / "mesh").mkdir()
    (tmp_path / "mesh" / "variables.tf").write_text('variable "deploy" {\n  type = bool\n}\n')
    parsed = mesh(tmp_path, "deploy          = true", "deploy          = var.deploy")
    assert "for_each is unknown (a for condition of an unknown value (var.deploy has no value))" in _not_analysed(parsed)


def test_grouping_or_merging_keys_stays_unknown(tmp_path):
    # with ..., two elements of one unknown key would make one instance: the count depends on the key
    parsed = mesh(tmp_path / "group", "p.resource_id => p\n", "p.resource_id => p...\n")
    assert f"for_each is unknown (an object key of an unknown value ({SUB_REF}{PLANNED}))" in _not_analysed(parsed)
    # merge() of maps keyed by unknown strings: a key of one could replace a key of the other
    parsed = mesh(tmp_path / "merge", "for_each                  = local.peerings",
                  'for_each                  = merge(local.peerings, { (data.azurerm_client_config.current.'
                  'subscription_id) = module.peerings.peerings[0] })')
    assert f"for_each is unknown (merge() of an unknown value ({SUB_REF}{PLANNED}))" in _not_analysed(parsed)


def test_a_distinct_too_long_to_compare_pair_by_pair_stays_unknown():
    from iacgov.parsers.terraform.functions import MAX_DISTINCT_COMPARED, call

    items = [UnknownTemplate(SUB.reason, text=f"<unknown:{SUB_REF}>-{i}") for i in range(MAX_DISTINCT_COMPARED + 1)]
    assert call("distinct", [items]) == Unknown(f"distinct() of a value with unknown parts ({SUB.reason})")
    assert len(call("distinct", [items[:3]])) == 3
