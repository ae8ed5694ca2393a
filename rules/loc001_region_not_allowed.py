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

When the policy gives a data class its own, narrower list
(`data_location.data_classes`), a resource tagged with that class (tag
`data_class`, or the one `data_location.data_class_tag` names) must also be
in that list: a bucket tagged `data_class: sensitive` may be limited to
`eu-west-3` while the rest of the estate may also use `eu-west-1`.

A resource written in Azure's `global` location (Front Door, DNS zones,
diagnostic settings of a management group: the catalog's `global_locations`)
has no region of its own and is not reported, like AWS global services.

Google Cloud's `global` names no region for kinds that hold no data (GKE
Hub features and memberships, Network Connectivity spokes): they are not
reported; a GKE Hub membership without `location` is global, not in its
provider's region. Where `global` puts data or key material in any region
(a KMS key ring) it is checked like a region. A Pub/Sub topic has no
location of its own: its data is where `message_storage_policy.
allowed_persistence_regions` lets it be (each listed region is checked), and
anywhere without it (reported as `global`). Node pools, Cloud SQL databases
and users and Pub/Sub subscriptions are where their parent is, checked there.

CloudFront takes its certificate and its WAF web ACL from `us-east-1` only:
an ACM certificate that a CloudFront distribution of the scan uses
(`viewer_certificate.acm_certificate_arn`) and a WAFv2 web ACL of scope
`CLOUDFRONT` (the catalog's `edge_bound`) hold no customer data and are not
reported there, unless `data_location.edge_services` is `forbid`. A regional
web ACL, or a certificate no distribution of the scan uses, is checked like
any resource.

A location that cannot be determined (a variable without value, a provider
without region, a data class tag built dynamically) is never reported as a
violation by this rule: LOC003 reports it. A resource that is itself a copy
of another one's data (an RDS read replica, an automated-backup replica, a
DynamoDB global table replica) is reported by LOC002, which names the data it
copies, rather than here.

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
- `data_location.data_classes.<class>.<cloud>`: a narrower list for the
  resources of a data class (the class name matches the tag value, ignoring
  case).
- `data_location.data_class_tag`: the tag (label, for Google Cloud) naming a
  resource's data class; default `data_class`.
- `data_location.edge_services`: `allow` (default) or `forbid` CloudFront's
  edge configurations in `us-east-1` when that region is not allowed.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, platform, rule_meta_from_docstring

from iacgov_rules._location import (copy_source, data_regions, describe, is_global_location, location_attribute,
                                    region_origin, region_policy)
from iacgov_rules._platform import Setting, setting_is


class RegionNotAllowed(ResourceRule):
    root_local = True  # its findings on a resource depend on that resource's own root module only
    reads = ('location', 'data_regions', 'global_location_checked', 'edge_bound')  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="LOC001",
        name="region-not-allowed",
        severity=Severity.ERROR,
        security_severity=7.5,
        precision="very-high",
        tags=("data-location", "compliance", "governance", "security"),
    )

    def applies_to(self, resource):
        return resource.mode == "managed" and isinstance(resource.region, str)

    def check(self, resource, ctx: RuleContext):
        if is_unknown(resource.region) or copy_source(resource) is not None:
            return
        if is_global_location(resource.cloud, resource.region):
            return  # "global" is where non-regional resources are written, not a region to allow
        allowed = region_policy(resource, ctx.policy)
        restricted = data_regions(resource)
        if restricted is not None:  # the data stays in these regions, whatever the resource's own location
            yield from self._data_regions(resource, allowed, *restricted)
            return
        rejection = allowed.rejection(resource.region) if allowed.restricted else None
        if rejection is None:
            return
        edge = edge_bound(resource, ctx)
        if edge is not None:
            if ctx.policy.get("data_location.edge_services", "allow") != "forbid":
                return  # AWS requires it there and it holds no customer data: not a residency question
            rejection += f" (a CloudFront edge configuration, {edge}: data_location.edge_services forbids them)"
        attribute = location_attribute(resource)
        origin = region_origin(resource)
        yield self.finding(
            resource,
            f"{resource.address} is in {describe(resource.cloud, resource.region)} (from {origin}), {rejection}.",
            attribute=attribute,
            region=resource.region,
            allowed=list(allowed.general or ()),
            data_class=allowed.data_class,
        )

    def _data_regions(self, resource, allowed, setting: str, regions: tuple[str, ...]):
        for region in regions:
            rejection = allowed.rejection(region) if allowed.restricted else None
            if rejection is not None:
                yield self.finding(
                    resource,
                    f"{resource.address} keeps its data in {describe(resource.cloud, region)} (from {setting}), "
                    f"{rejection}.",
                    attribute=setting.split(".")[0], region=region, allowed=list(allowed.general or ()),
                    data_class=allowed.data_class)


def edge_bound(resource, ctx: RuleContext) -> str | None:
    """Why the resource is a CloudFront edge configuration in the one region AWS
    allows for it (the catalog's ``edge_bound``), or None when it is not one."""
    entry = platform.entry(resource.kind)
    spec = entry.get("edge_bound") if entry is not None else None
    if spec is None or resource.region != spec["region"]:
        return None
    when = spec.get("when")
    if when is not None:
        setting = Setting(when.get("terraform"), when.get("cloudformation"))
        value, _ = setting.read(resource)
        if isinstance(value, str) and value.upper() == when["equals"]:
            return setting_is(resource, setting.name(resource), f'"{when["equals"]}"')
    used = spec.get("used_by")
    if used is not None:
        users, _ = ctx.index.referring(resource, [used["kind"]], Setting(used.get("terraform"), used.get("cloudformation")))
        if users:
            return f"the certificate of {users[0][0].address}"
    return None


RULE = RegionNotAllowed()
