"""LOG001 — Audit trail weakened.

## What it flags

An AWS CloudTrail trail (`aws_cloudtrail`, `AWS::CloudTrail::Trail`) that
records less than the company's audit trail needs:

- logging is stopped (`enable_logging = false`, `IsLogging: false`);
- log file integrity validation is off (`enable_log_file_validation`,
  `EnableLogFileValidation`, default false), so tampered or deleted log
  files go unnoticed;
- the trail records a single region (`is_multi_region_trail`,
  `IsMultiRegionTrail`, default false) and no other trail of its account is
  multi-region and logging: activity in every other region, including
  regions the company does not use, leaves no trace. A single-region trail
  next to a multi-region one (for data events, say) is not reported. Its
  account is known to be another trail's when both are in the same root
  module (the same template); a trail of another root module counts only
  when it is the organization's (`is_organization_trail`,
  `IsOrganizationTrail`), which records every account.

Platform defaults it relies on (Terraform AWS provider and CloudFormation
documentation): a trail logs by default, validation and multi-region are off
by default. An unknown value is not reported.

## Why it matters

The audit trail is how the company knows what its provider did with its
accounts: who changed what, when, from where. A trail that can be stopped,
rewritten or that misses regions removes that evidence exactly when it is
needed, for an incident, an audit or a dispute with the provider.

## How to fix

Set `is_multi_region_trail = true`, `enable_log_file_validation = true` and
keep `enable_logging` true (CloudFormation: `IsMultiRegionTrail`,
`EnableLogFileValidation`, `IsLogging`). Deliver the logs to a bucket the
provider cannot delete from, ideally in a separate account.

## Options

- `logging.cloudtrail.multi_region` (boolean, default true): require
  multi-region trails.
- `logging.cloudtrail.log_file_validation` (boolean, default true): require
  log file validation.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring

from iacgov_rules._platform import Setting, flag, same_deployment, setting_is

LOGGING = Setting("enable_logging", "IsLogging")
ORGANIZATION = Setting("is_organization_trail", "IsOrganizationTrail")
VALIDATION = Setting("enable_log_file_validation", "EnableLogFileValidation")
MULTI_REGION = Setting("is_multi_region_trail", "IsMultiRegionTrail")


class AuditTrailWeakened(ResourceRule):
    meta = rule_meta_from_docstring(
        __doc__,
        code="LOG001",
        name="audit-trail-weakened",
        severity=Severity.ERROR,
        security_severity=6.0,
        precision="high",
        tags=("logging", "audit", "traceability", "security"),
    )

    def applies_to(self, resource):
        return resource.mode == "managed" and resource.kind == "aws_cloudtrail"

    def check(self, resource, ctx: RuleContext):
        logging, path = LOGGING.read(resource)
        if flag(logging) is False:
            yield self.finding(
                resource,
                f"{resource.address} (CloudTrail trail) does not log: {LOGGING.name(resource)} = false. Set it "
                f"to true.",
                attribute=path, setting=LOGGING.name(resource))
        if ctx.policy.get("logging.cloudtrail.log_file_validation", True) is not False:
            value, path = VALIDATION.read(resource)
            state = flag(value)
            if state is not True and not is_unknown(state):
                found = "= false" if state is False else "is not set (default false)"
                yield self.finding(
                    resource,
                    f"{resource.address} (CloudTrail trail) has no log file validation: "
                    f"{VALIDATION.name(resource)} {found}, so altered or deleted log files go unnoticed. Set it to "
                    f"true.",
                    attribute=path, setting=VALIDATION.name(resource))
        if ctx.policy.get("logging.cloudtrail.multi_region", True) is not False:
            value, path = MULTI_REGION.read(resource)
            state = flag(value)
            if state is not True and not is_unknown(state) and not self._other_multi_region_trail(resource, ctx):
                found = "= false" if state is False else "is not set (default false)"
                region = f" ({resource.region})" if isinstance(resource.region, str) else ""
                yield self.finding(
                    resource,
                    f"{resource.address} (CloudTrail trail) records one region only{region}: "
                    f"{MULTI_REGION.name(resource)} {found}, and no multi-region trail is declared, so activity "
                    f"in other regions is not recorded. Set {setting_is(resource, MULTI_REGION.name(resource), 'true')}.",
                    attribute=path, setting=MULTI_REGION.name(resource))

    @staticmethod
    def _other_multi_region_trail(resource, ctx: RuleContext) -> bool:
        for other in ctx.index.of_kind("aws_cloudtrail"):
            if other is resource or other.mode != "managed":
                continue
            # a trail records its own account only (unless it is the organization's): another root module
            # or template may be another account, so its trail does not cover this one
            if not same_deployment(other, resource) and flag(ORGANIZATION.read(other)[0]) is not True:
                continue
            multi = flag(MULTI_REGION.read(other)[0])
            logging = flag(LOGGING.read(other)[0])
            if multi is True and logging is not False:
                return True
            if is_unknown(multi):
                return True  # it may be: do not claim the region is uncovered
        return False


RULE = AuditTrailWeakened()
