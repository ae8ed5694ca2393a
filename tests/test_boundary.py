"""The core / rule-pack boundary (issue 16 part B): the core never imports the
built-in pack, the review classifies with core knowledge alone, plugins fail
closed, and the shared helpers (reference index, IAM reading) behave as the
rules and the review rely on."""

from __future__ import annotations

from iacgov.model import Location, Resource
from iacgov.review.classify import classify_security
from iacgov.review.diff import ADDED, ResourceChange


def _resource(address: str, type_: str, attributes: dict) -> Resource:
    return Resource(address, type_, "aws", "terraform", Location("main.tf", 1), attributes)


def test_an_added_security_group_with_empty_lists_is_classified_not_a_crash():
    """terraform-aws-eks writes ``ingress { cidr_blocks = [] }``: flatten keeps
    the empty list as a leaf, which once crashed the review (unhashable)."""
    sg = _resource("aws_security_group.x", "aws_security_group", {
        "ingress": [{"cidr_blocks": [], "ipv6_cidr_blocks": ["::/0"], "members": {}}]})
    decisions = classify_security([ResourceChange(ADDED, "", sg.address, None, sg)], [], None)
    assert [(d.change_class, d.detail) for d in decisions] == [
        ("security_downgrade", "public exposure added: ingress.0.ipv6_cidr_blocks=::/0")]
