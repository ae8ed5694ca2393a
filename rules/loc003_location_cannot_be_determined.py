"""LOC003 — Location cannot be determined.

## What it flags

A resource whose location matters to the policy but cannot be read from the
code, so that neither LOC001 nor LOC002 can say whether it is allowed:

- a region or location that comes from a variable without value, a provider
  without `region`, a value known only after apply, or a CloudFormation
  template scanned without `--region`;
- a copy of data (replica, replication destination, backup copy) whose
  destination region cannot be determined — for example an S3 replication
  to a bucket that is not in the scanned code;
- a resource whose data class tag is built dynamically while a data class
  would narrow its allowed regions, and whose region is allowed in general
  but not for every such class.

Only clouds that `data_location.allowed_regions` restricts (or a data class
list) are considered. Resources whose location is unknown for the same reason
in the same file and root module are reported once, on the first of them, naming
the others, so a missing `--region` or an unset `var.region` gives one finding per
file (per root module calling a module's file) rather than one per resource.

A location that cannot be determined is never reported as compliant, and
never as a violation: it is reported as what it is.

## Why it matters

A residency policy that silently passes what it cannot see is not a policy.
A provider's module that reads the region from an unset variable may deploy
anywhere; the company should know that the check did not happen.

## How to fix

Give the value to the scan: a `terraform.tfvars` or `--var-file` with the
variable, `--var region=eu-west-3`, `--region` for CloudFormation templates,
or scan the plan JSON (`terraform show -json`), which carries resolved values.
For a replication destination outside the scanned code, scan the repository
that defines it with this one, or write its ARN with its region.

## Options

- `data_location.unknown`: `warn` (default) reports these as warnings;
  `deny` makes them errors that fail the run.
- `data_location.allowed_regions.<cloud>`, `data_location.data_classes`,
  `data_location.data_class_tag`: as for LOC001.
"""

from __future__ import annotations

from collections import defaultdict

from iacgov.api import RuleContext, Severity, is_unknown, rule_finding, rule_meta_from_docstring, stack_of

from iacgov_rules._location import (COPY_DESTINATIONS, copies, copy_source, is_allowed, location_attribute,
                                    region_policy, replicated_bucket)

_LISTED = 5  # other resources named in a grouped finding


class LocationCannotBeDetermined:
    reads = ('copies_to', 'copy_of')  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="LOC003",
        name="location-cannot-be-determined",
        severity=Severity.WARNING,
        security_severity=4.0,
        precision="high",
        tags=("data-location", "location-unknown", "governance", "security"),  # the report's location section
    )

    def evaluate(self, resources, ctx: RuleContext):
        severity = Severity.ERROR if ctx.policy.get("data_location.unknown") == "deny" else Severity.WARNING
        groups: dict[tuple, list] = defaultdict(list)
        for resource in resources:
            if resource.mode != "managed":
                continue
            allowed = region_policy(resource, ctx.policy)
            if is_unknown(resource.region):
                if allowed.restricted or allowed.unknown_class:
                    # by root too: the roots calling one module share its file and each set their own region
                    key = (stack_of(resource), resource.location.path, resource.region.reason, resource.region.ref)
                    groups[key].append(resource)
                continue
            if isinstance(resource.region, str) and copy_source(resource) is None and allowed.unknown_class:
                yield from self._unknown_class(resource, allowed, ctx, severity)
            # copies() finds none for a type without copy destinations: most resources, not looked at further
            if allowed.restricted and resource.type in COPY_DESTINATIONS and copy_source(resource) is None:
                bucket = replicated_bucket(resource, ctx.index)
                whose = f"the data of {bucket[0]}" if bucket else "its data"
                if bucket and bucket[1] is not None:
                    allowed = region_policy(resource, ctx.policy, inherit_from=bucket[1])
                for copy in copies(resource, ctx.index):
                    if is_unknown(copy.region):
                        target = f" {copy.target}" if copy.target else ""
                        yield rule_finding(
                            self.meta,
                            resource,
                            f"{resource.address} copies {whose} ({copy.what}{target}, set by {copy.attribute}) "
                            f"to a region that cannot be determined: {copy.region.reason}. Allowed: "
                            f"{allowed.allowed_text()}.",
                            copy.attribute, severity)
        for (_stack, _path, reason, _ref), members in groups.items():
            members.sort(key=lambda r: (r.location.line, r.address))
            first, others = members[0], members[1:]
            allowed = region_policy(first, ctx.policy)
            message = (f"The location of {first.address} cannot be determined: {reason}. It cannot be checked "
                       f"against the allowed regions ({allowed.allowed_text() or 'per data class'}).")
            if others:
                named = ", ".join(r.address for r in others[:_LISTED])
                more = f" and {len(others) - _LISTED} more" if len(others) > _LISTED else ""
                plural = "s" if len(others) > 1 else ""
                message += f" The same holds for {len(others)} other resource{plural} of this file: {named}{more}."
            yield rule_finding(self.meta, first, message, location_attribute(first), severity,
                               others=[r.address for r in others])

    def _unknown_class(self, resource, allowed, ctx, severity):
        classes = ctx.policy.get("data_location.data_classes") or {}
        narrowing = []
        for name in allowed.unknown_class:
            spec = next((v for k, v in classes.items() if str(k).strip().lower() == name), {})
            if not is_allowed(resource.cloud, resource.region, spec.get(resource.cloud) or []):
                narrowing.append(name)
        if narrowing and allowed.rejection(resource.region) is None:
            yield rule_finding(
                self.meta,
                resource,
                f"The data class of {resource.address} cannot be determined: {allowed.class_reason}. It is in "
                f"{resource.region}, which data class {', '.join(narrowing)} does not allow.",
                None, severity)



RULE = LocationCannotBeDetermined()
