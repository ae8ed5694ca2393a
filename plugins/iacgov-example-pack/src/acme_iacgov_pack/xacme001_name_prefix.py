"""XACME001 — Resource name without a company prefix.

## What it flags

A resource whose cloud-side name (an S3 bucket's `bucket` / `BucketName`, a
database's `identifier` / `DBInstanceIdentifier`, a queue's `name` /
`QueueName`... see `NAME_ATTRIBUTES`) does not start with one of the
prefixes listed in `acme.name_prefix`, in Terraform and CloudFormation alike.

Not reported: resources that do not set a name (the cloud generates one),
names that cannot be known statically (built from a variable without
value), data sources, and kinds the table does not list.

## Why it matters

ACME finds its resources in the consoles, the bills and the audit logs by
their prefix: a resource without one is a cost and a risk nobody claims.

## How to fix

Rename the resource with one of the prefixes (`acme-logs` rather than
`logs`). Renaming usually replaces the resource: plan it with the provider.

## Options

- `acme.name_prefix`: the allowed prefixes (`[acme-, acm_]`). Not set: the
  rule is silent.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, attr, is_unknown, rule_meta_from_docstring

# kind (the Terraform type, for every format) -> (Terraform argument, CloudFormation property)
NAME_ATTRIBUTES: dict[str, tuple[str, str]] = {
    "aws_s3_bucket": ("bucket", "BucketName"),
    "aws_db_instance": ("identifier", "DBInstanceIdentifier"),
    "aws_dynamodb_table": ("name", "TableName"),
    "aws_sqs_queue": ("name", "QueueName"),
    "aws_sns_topic": ("name", "TopicName"),
    "aws_lambda_function": ("function_name", "FunctionName"),
    "aws_cloudwatch_log_group": ("name", "LogGroupName"),
    "azurerm_storage_account": ("name", ""),
    "google_storage_bucket": ("name", ""),
}


class NamePrefix(ResourceRule):
    meta = rule_meta_from_docstring(
        __doc__,
        code="XACME001",
        name="name-without-company-prefix",
        severity=Severity.WARNING,
        security_severity=1.0,
        precision="very-high",
        tags=("naming", "acme"),
    )

    def applies_to(self, resource):
        return resource.mode == "managed" and resource.kind in NAME_ATTRIBUTES

    def check(self, resource, ctx: RuleContext):
        prefixes = ctx.policy.get("acme.name_prefix")
        if not prefixes:
            return
        terraform, cloudformation = NAME_ATTRIBUTES[resource.kind]
        name, path = attr(resource, terraform=terraform, cloudformation=cloudformation or None)
        if path is None or is_unknown(name) or not isinstance(name, str):
            return
        if not name.startswith(tuple(prefixes)):
            yield self.finding(
                resource,
                f"{resource.address} is named {name!r}, which does not start with "
                f"{' or '.join(repr(p) for p in prefixes)} (acme.name_prefix)",
                attribute=path,
            )


RULE = NamePrefix()
