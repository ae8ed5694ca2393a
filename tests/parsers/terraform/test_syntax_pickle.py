"""Syntax trees pickled as constructor calls (syntax.Attribute/Body/Block.__reduce__): what a worker sends and
the parse cache keeps reads back equal, with the same slotted classes, through the cache's restricted unpickler."""

from __future__ import annotations

import pickle
from pathlib import Path

from iacgov.limits import Limits
from iacgov.parsers.terraform.loader import load_file, terraform_cache
from iacgov.parsers.terraform.syntax import Attribute, Block, Body

TF = """\
locals {
  names = [for n in var.names : upper(n) if n != ""]
  tags  = merge(var.tags, { env = "prod" })
}

resource "aws_security_group" "web" {
  name = "web-${var.env}"
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port = ingress.value
      to_port   = ingress.value
    }
  }
  egress {
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = local.tags
}
"""


def walk(node: object) -> list[object]:
    """Every Attribute, Body and Block of a tree."""
    if isinstance(node, Body):
        return [node, *(x for a in node.attributes.values() for x in walk(a)), *(x for b in node.blocks for x in walk(b))]
    if isinstance(node, Block):
        return [node, *walk(node.body)]
    return [node] if isinstance(node, Attribute) else []


def test_a_syntax_tree_reads_back_equal_from_a_pickle_and_from_the_parse_cache(tmp_path: Path) -> None:
    path = tmp_path / "main.tf"
    path.write_text(TF, encoding="utf-8")
    parsed = load_file(path, "main.tf", Limits())
    assert parsed.body is not None
    nodes = walk(parsed.body)
    assert {type(n) for n in nodes} == {Attribute, Body, Block} and len(nodes) > 12
    copy = pickle.loads(pickle.dumps(parsed.body, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy == parsed.body
    assert [type(n) for n in walk(copy)] == [type(n) for n in nodes]
    assert not any(hasattr(n, "__dict__") for n in walk(copy))  # still the slotted classes
    cache = terraform_cache(tmp_path / "cache", Limits())
    assert load_file(path, "main.tf", Limits(), cache).body == parsed.body  # parsed, then kept
    kept = cache.get(path.read_bytes())[1]  # read back through the restricted unpickler
    assert kept is not None and kept[2] == parsed.body
