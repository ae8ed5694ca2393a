"""TAG001 — Required tags missing.

## What it flags

A resource of a kind that takes tags (AWS tags, Azure tags, Google Cloud
labels; a table of common kinds, plus any resource that writes tags itself)
that lacks one of the tags listed in `tags.required`, or has it empty.

The tags are the ones the resource ends up with: Terraform `tags` merged
with the AWS provider's `default_tags` (aliases and module providers
included; replaced by a resource's `override_provider { default_tags { tags
= ... } }`, which `tags = {}` empties), `merge()` of maps and locals evaluated; the plan's `tags_all` /
`terraform_labels`; CloudFormation `Tags` (or `FileSystemTags`,
`BackupVaultTags`...), plus the tags the company applies as CloudFormation
stack tags (`tags.cloudformation_stack_tags`), which CloudFormation
propagates to the resources. Cloud SQL labels are read from
`settings.user_labels`. Tag keys are case-sensitive, as in the clouds.

Not reported: data sources, kinds that take no tags, and resources whose
tags cannot be known statically (built from a variable without value, for
example). A tag whose value is unknown counts as present.

## Why it matters

Cost by application and by environment, and knowing who owns a resource,
depend on every resource carrying the company's tags. An untagged resource
is a cost nobody can allocate and a resource nobody answers for.

## How to fix

Add the missing tags to the resource's `tags` (`labels` on Google Cloud,
`Tags` in CloudFormation), or once for all AWS resources of a provider in its
`default_tags { tags = { ... } }` block, or as CloudFormation stack tags
(then list them in `tags.cloudformation_stack_tags`).

## Options

- `tags.required`: the tag keys every taggable resource must carry
  (`[env, app, owner, cost_center]`). Not set: the rule is silent.
- `tags.cloudformation_stack_tags`: tags the company's pipeline applies as
  stack tags to every CloudFormation stack; they count as present on
  CloudFormation resources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping  # not typing.Mapping: isinstance() on it is several times slower
from typing import Any

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring

from iacgov_rules._platform import is_cloudformation, tags_of, takes_tags


class RequiredTagsMissing(ResourceRule):
    root_local = True  # its findings on a resource depend on that resource's own root module only
    reads = ('taggable', 'tags')  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="TAG001",
        name="required-tags-missing",
        severity=Severity.WARNING,
        security_severity=1.0,
        precision="very-high",
        tags=("tags", "cost-allocation", "ownership"),
    )

    def applies_to(self, resource):
        return resource.mode == "managed" and takes_tags(resource)

    def check(self, resource, ctx: RuleContext):
        required = ctx.policy.get("tags.required")
        if not isinstance(required, list) or not required:
            return
        tags, attribute = tags_of(resource)
        if tags is None or is_unknown(tags) or not isinstance(tags, Mapping):
            return
        present = dict(tags)
        if is_cloudformation(resource):
            for key in ctx.policy.get("tags.cloudformation_stack_tags") or ():
                present.setdefault(key, "<stack tag>")
        missing = [k for k in required if not _has(present, k)]
        if not missing:
            return
        noun = ("label" if resource.cloud == "gcp" else "tag") + ("s" if len(missing) > 1 else "")
        empty = [k for k in missing if k in present]
        details = []
        if empty:
            details.append(f"empty: {', '.join(empty)}")
        near = [f"{k} (found {other!r}: keys are case-sensitive)" for k in missing
                for other in present if other.lower() == k.lower() and other != k]
        details += near
        has = ", ".join(sorted(present)) or "none"
        where = self._where(resource, attribute)
        extra = f" ({'; '.join(details)})" if details else ""
        yield self.finding(
            resource,
            f"{resource.address} lacks the required {noun} {', '.join(missing)}{extra}; it has: {has}. Add "
            f"{'them' if len(missing) > 1 else 'it'} {where}.",
            attribute=attribute if attribute in resource.attributes else None, missing=missing)

    @staticmethod
    def _where(resource, attribute: str) -> str:
        if is_cloudformation(resource):
            return f"to its {attribute} (or as stack tags listed in tags.cloudformation_stack_tags)"
        if resource.cloud == "aws" and attribute == "tags" and resource.get("override_provider.0.default_tags") is not None:
            return "to its tags (its override_provider block keeps the provider's default tags off it)"
        if resource.cloud == "aws" and attribute == "tags":
            provider = resource.provider or "aws"
            return f"to its tags, or to the default_tags of provider {provider}"
        return f"to its {re.sub(r'[.][0-9]+(?=[.]|$)', '', attribute)}"


def _has(tags: Mapping[str, Any], key: str) -> bool:
    if key not in tags:
        return False
    value = tags[key]
    return is_unknown(value) or (value is not None and str(value).strip() != "")


RULE = RequiredTagsMissing()
