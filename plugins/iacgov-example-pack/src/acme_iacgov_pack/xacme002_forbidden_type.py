"""XACME002 — Forbidden resource type.

## What it flags

A resource whose type is listed in `acme.forbidden_types`: a Terraform type
(`aws_iam_user`) or a CloudFormation type (`AWS::IAM::User`); a Terraform
type also forbids the CloudFormation type of the same resource, and a
trailing `*` matches a prefix (`aws_lightsail_*`).

## Why it matters

Some services are outside what ACME has agreed to run (long-lived IAM users
instead of single sign-on, services its provider does not operate): they must
be discussed before they are used, not found on the bill.

## How to fix

Use the approved alternative (IAM Identity Center instead of IAM users), or
ask the CTO to remove the type from the list.

## Options

- `acme.forbidden_types`: the types. Not set or empty: the rule is silent.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, rule_meta_from_docstring


class ForbiddenType(ResourceRule):
    meta = rule_meta_from_docstring(
        __doc__,
        code="XACME002",
        name="forbidden-resource-type",
        severity=Severity.ERROR,
        security_severity=5.0,
        precision="very-high",
        tags=("services", "acme"),
    )

    def check(self, resource, ctx: RuleContext):
        for pattern in ctx.policy.get("acme.forbidden_types") or ():
            if any(_matches(pattern, t) for t in {resource.type, resource.kind}):
                yield self.finding(resource, f"{resource.address} is a {resource.type}, which ACME forbids "
                                             f"(acme.forbidden_types: {pattern})")
                return


def _matches(pattern: str, resource_type: str) -> bool:
    if pattern.endswith("*"):
        return resource_type.startswith(pattern[:-1])
    return resource_type == pattern


RULE = ForbiddenType()
