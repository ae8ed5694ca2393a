"""LOC001 — Resource outside the allowed regions.

## What it flags

A resource that lives in a region the company has not allowed for its cloud:
an AWS resource through its provider's region (aliases included) or its own
`region` argument, an Azure resource through its `location` (also when it
takes the location of its resource group), a Google Cloud resource through its
`region`, `location` or `zone`, and a CloudFormation resource through the
region the template is deployed to (`--region`). Matching ignores case.
Google Cloud multi-regions (`US`, `EU`, `ASIA`) are accepted only when the
allow-list names them; a dual-region (`EUR4`, `NAM4`...) is accepted when
both of the regions it spans are allowed.

A location that cannot be determined (a variable without value, a provider
without region) is never reported as a violation by this rule.

## Why it matters

Where data lives is the company's decision, not its provider's: contracts,
the GDPR and sector regulators bind the company to its hosting regions. A
provider creating a resource elsewhere, even by copying a module with another
default, moves the company's data out of its control.

## How to fix

Set the resource's region or location (or its provider's `region`) to one of
the allowed regions. If the new region is a deliberate choice, the CTO adds it
to `data_location.allowed_regions` in `iacgov.yaml`.

## Options

- `data_location.allowed_regions.<cloud>`: the allowed regions for `aws`,
  `azure` and `gcp` (glob patterns such as `eu-*` accepted). A cloud that is
  not listed is not restricted.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring

from iacgov_rules._location import is_allowed, location_attribute

CLOUD_NAMES = {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud"}


class RegionNotAllowed(ResourceRule):
    meta = rule_meta_from_docstring(
        __doc__,
        code="LOC001",
        name="region-not-allowed",
        severity=Severity.ERROR,
        security_severity=7.5,
        precision="very-high",
        tags=("data-location", "compliance", "governance"),
    )

    def applies_to(self, resource):
        return resource.mode == "managed" and isinstance(resource.region, str)

    def check(self, resource, ctx: RuleContext):
        allowed = ctx.policy.get(f"data_location.allowed_regions.{resource.cloud}")
        if allowed is None or is_unknown(resource.region) or is_allowed(resource.cloud, resource.region, allowed):
            return
        attribute = location_attribute(resource)
        if attribute:
            origin = f"its {attribute}"
        elif resource.source_format == "cloudformation":
            origin = "the template's deployment region"
        else:
            origin = f"provider {resource.provider or resource.cloud}"
        cloud = CLOUD_NAMES.get(resource.cloud, resource.cloud)
        yield self.finding(
            resource,
            f"{resource.address} is in {resource.region} (from {origin}), outside the allowed "
            f"{cloud} regions: {', '.join(allowed) or 'none'}.",
            attribute=attribute,
            region=resource.region,
            allowed=list(allowed),
        )


RULE = RegionNotAllowed()
