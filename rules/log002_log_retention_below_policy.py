"""LOG002 — Log retention below the policy.

## What it flags

Logs kept for fewer days than `logging.min_retention_days` requires in the
resource's environment:

- CloudWatch log groups (`aws_cloudwatch_log_group`, `AWS::Logs::LogGroup`)
  whose `retention_in_days` / `RetentionInDays` is shorter (not set, or 0:
  kept forever, which satisfies any minimum);
- S3 lifecycle rules that expire objects sooner on a log bucket: a bucket
  the scan sends logs to (CloudTrail `s3_bucket_name`, S3 server access
  logging `target_bucket`, load balancer `access_logs`, CloudFront
  `logging_config`; CloudFormation `S3BucketName`,
  `LoggingConfiguration.DestinationBucketName`), with the expiration written
  on an `aws_s3_bucket_lifecycle_configuration`, in the bucket's
  `lifecycle_rule` or in `LifecycleConfiguration.Rules` (only enabled rules
  count);
- Azure Log Analytics workspaces (`retention_in_days`, default 30 days);
- Google Cloud Logging buckets (`google_logging_project_bucket_config`,
  folder / organization / billing account variants: `retention_days`,
  default 30 days).

The environment is the resource's `cost.environment_tag` tag (`env` by
default), else the first matching `cost.environment_paths` glob. A resource whose
environment cannot be known is checked against the least demanding minimum
that could apply; an unknown value is not reported.

## Why it matters

Logs are the evidence of what happened, and incidents are often discovered
months later; regulators and contracts set how long the company must be able
to answer. A short retention chosen to save storage deletes that evidence
before anyone needs it.

## How to fix

Raise the retention to at least the policy's minimum (`retention_in_days`,
`RetentionInDays`, `retention_days`, the lifecycle rule's `expiration`
days), or archive the logs elsewhere before they expire.

## Options

- `logging.min_retention_days`: a number of days for every environment, or
  per environment (`{prod: 365, staging: 30, default: 90}`; `default` for
  environments not listed). Not set: the rule is silent.
"""

from __future__ import annotations

from typing import Any

from iacgov.api import ReferenceIndex, ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring

from iacgov_rules._platform import Setting, each, get_in, is_cloudformation, number, setting_is
from iacgov_rules._thresholds import days as in_days, environment, show, threshold

RETENTION: dict[str, tuple[Setting, int | None, str]] = {
    # kind: (setting, value when not written (None: kept forever), label)
    "aws_cloudwatch_log_group": (Setting("retention_in_days", "RetentionInDays"), None, "CloudWatch log group"),
    "azurerm_log_analytics_workspace": (Setting("retention_in_days"), 30, "Log Analytics workspace"),
    "google_logging_project_bucket_config": (Setting("retention_days"), 30, "Cloud Logging bucket"),
    "google_logging_folder_bucket_config": (Setting("retention_days"), 30, "Cloud Logging bucket"),
    "google_logging_organization_bucket_config": (Setting("retention_days"), 30, "Cloud Logging bucket"),
    "google_logging_billing_account_bucket_config": (Setting("retention_days"), 30, "Cloud Logging bucket"),
}
LIFECYCLE = "aws_s3_bucket_lifecycle_configuration"

# Resources that send logs to a bucket, and the setting naming it.
LOG_WRITERS: tuple[tuple[str, Setting], ...] = (
    ("aws_cloudtrail", Setting("s3_bucket_name", "S3BucketName")),
    ("aws_s3_bucket_logging", Setting("target_bucket")),
    ("aws_s3_bucket", Setting("logging.0.target_bucket", "LoggingConfiguration.DestinationBucketName")),
    ("aws_lb", Setting("access_logs.0.bucket")),
    ("aws_elb", Setting("access_logs.0.bucket", "AccessLoggingPolicy.S3BucketName")),
    ("aws_cloudfront_distribution", Setting("logging_config.0.bucket", "DistributionConfig.Logging.Bucket")),
)


class LogRetentionBelowPolicy(ResourceRule):
    meta = rule_meta_from_docstring(
        __doc__,
        code="LOG002",
        name="log-retention-below-policy",
        severity=Severity.WARNING,
        security_severity=4.0,
        precision="high",
        tags=("logging", "audit", "traceability", "retention", "security"),
    )

    def applies_to(self, resource):
        return resource.mode == "managed" and (resource.kind in RETENTION or resource.kind in (LIFECYCLE, "aws_s3_bucket"))

    def check(self, resource, ctx: RuleContext):
        setting = ctx.policy.get("logging.min_retention_days")
        if setting is None:
            return
        if resource.kind in RETENTION:
            minimum = threshold(setting, environment(resource, ctx.policy))
            if minimum is not None:
                yield from self._retention(resource, minimum)
            return
        scan = ctx.index
        if resource.kind == "aws_s3_bucket":
            if is_log_bucket(resource, scan):
                minimum = threshold(setting, environment(resource, ctx.policy))
                if minimum is not None:
                    rules = Setting("lifecycle_rule", "LifecycleConfiguration.Rules")
                    yield from self._expirations(resource, resource, rules, minimum)
            return
        # aws_s3_bucket_lifecycle_configuration: on a log bucket of the scan
        for bucket in scan.referred(resource.get("bucket"), resource, "aws_s3_bucket", names=("bucket",)):
            if bucket.mode != "managed" or bucket.source_format != resource.source_format:
                continue
            if is_log_bucket(bucket, scan):
                minimum = threshold(setting, environment(bucket, ctx.policy))
                if minimum is not None:
                    yield from self._expirations(resource, bucket, Setting("rule"), minimum)
                return

    def _retention(self, resource, minimum):
        setting, default, label = RETENTION[resource.kind]
        value, path = setting.read(resource)
        days = number(value)
        if is_unknown(days):
            return
        if days is None:
            if default is None:
                return  # kept forever
            days, found = default, f"{setting.name(resource)} is not set (default {default} days)"
        else:
            if days == 0 and resource.kind == "aws_cloudwatch_log_group":
                return  # 0: never expire
            found = setting_is(resource, setting.name(resource), show(days))
        if days < minimum.value:
            yield self.finding(
                resource,
                f"{resource.address} ({label}) keeps logs {in_days(days)} ({found}); the policy requires at "
                f"least {in_days(minimum.value)} {minimum.scope}. Set {setting.name(resource)} to "
                f"{show(minimum.value)} or more.",
                attribute=path, setting=setting.name(resource), days=days, minimum=minimum.value)

    def _expirations(self, holder, bucket, rules: Setting, minimum):
        cfn = is_cloudformation(holder)
        for path, rule in each(holder, rules):
            if not isinstance(rule, dict):
                continue
            state = rule.get("Status" if cfn else ("status" if "status" in rule else "enabled"))
            if isinstance(state, str):
                state = state.lower() in ("enabled", "true")
            if state is not True:
                continue  # disabled, or unknown
            days, where = _expiration_days(rule, cfn)
            days = number(days)
            if days is None or is_unknown(days) or days >= minimum.value:
                continue
            name = rule.get("Id" if cfn else "id") or path
            on = "" if holder is bucket else f" on log bucket {bucket.address}"
            yield self.finding(
                holder,
                f"{holder.address}: lifecycle rule {name}{on} deletes log objects after {in_days(days)}; the "
                f"policy requires at least {in_days(minimum.value)} {minimum.scope}. Raise the expiration to "
                f"{show(minimum.value)} days or more.",
                attribute=f"{path}.{where}", setting="expiration", days=days, minimum=minimum.value)


def _expiration_days(rule: dict, cfn: bool) -> tuple[Any, str]:
    if cfn:
        return rule.get("ExpirationInDays"), "ExpirationInDays"
    return get_in(rule, "expiration.0.days"), "expiration.0.days"


def is_log_bucket(bucket, scan: ReferenceIndex) -> bool:
    """Whether a resource of the scan sends logs to ``bucket``."""
    return scan.position(bucket) in scan.memo("log002.log_buckets", _log_buckets)


def _log_buckets(scan: ReferenceIndex) -> set[int]:
    """The buckets some resource of the scan sends logs to (their positions in the scan): each
    writer's setting resolved once, not once per bucket."""
    found: set[int] = set()
    for kind, setting in LOG_WRITERS:
        for writer in scan.of_kind(kind):
            if writer.mode != "managed":
                continue
            value = setting.read(writer)[0]
            if isinstance(value, str) and kind == "aws_cloudfront_distribution":
                value = value.split(".s3.", 1)[0]  # "name.s3.amazonaws.com"
            if value is None:
                continue
            for bucket in scan.referred(value, writer, "aws_s3_bucket", names=("bucket", "BucketName")):
                if writer.source_format != bucket.source_format:
                    continue
                if is_cloudformation(writer) and writer.location.path != bucket.location.path:
                    continue
                found.add(scan.position(bucket))
    return found


RULE = LogRetentionBelowPolicy()
