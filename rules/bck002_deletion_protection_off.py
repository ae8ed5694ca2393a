"""BCK002 — Deletion protection off on a stateful resource in a protected environment.

## What it flags

In an environment listed in `continuity.protected_environments`:

- a database without deletion protection: RDS instances, Aurora / RDS,
  DocumentDB and Neptune clusters (`deletion_protection` /
  `DeletionProtection`, default false), DynamoDB tables
  (`deletion_protection_enabled` / `DeletionProtectionEnabled`, default
  false), Google Cloud SQL instances whose Terraform `deletion_protection`
  (default true) is false while `settings.deletion_protection_enabled`
  (default false) is not true;
- when `continuity.require_prevent_destroy` is true, a stateful resource
  (databases, buckets, file systems, volumes, keys, vaults, queues...) that
  Terraform may destroy: no `lifecycle { prevent_destroy = true }`; in
  CloudFormation, a `DeletionPolicy` that deletes the data (`Delete`, the
  default for most types; RDS clusters and stand-alone instances default to
  `Snapshot`, which keeps it).

Read replicas and cluster members are skipped (protection belongs to their
source or cluster); CloudFormation `AWS::DynamoDB::GlobalTable`s write
deletion protection per replica and are checked for `DeletionPolicy` only. A plan JSON does not carry `lifecycle`, so
`prevent_destroy` is checked on HCL and CloudFormation only. A resource whose
environment cannot be known (a tag built from a variable without value) is
not reported unless the policy protects every environment (`*`): then the
most demanding requirement applies, and the finding says its environment
could not be determined. Unknown values are not reported.

## Why it matters

In a protected environment, losing a database is an outage and possibly
permanent data loss. Deletion protection turns a mistaken `terraform
destroy`, a renamed resource that forces replacement or a console click by
the provider into an error instead of a disaster.

## How to fix

Set `deletion_protection = true` (`DeletionProtection: true`,
`deletion_protection_enabled = true`, Cloud SQL
`settings { deletion_protection_enabled = true }`), and add
`lifecycle { prevent_destroy = true }` (CloudFormation: `DeletionPolicy:
Retain` or `Snapshot`, with the same `UpdateReplacePolicy`).

## Options

- `continuity.protected_environments`: the environments where stateful
  resources must be protected (`[prod]`; glob patterns, `*` for every
  environment). Not set: the rule is silent.
- `continuity.require_prevent_destroy` (boolean, default false): also require
  `prevent_destroy` / a keeping `DeletionPolicy`.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring

from iacgov_rules._platform import (
    AT_REST,
    CFN_KEEPING_POLICIES,
    DATABASES,
    PER_REPLICA_TYPES,
    STATEFUL,
    Setting,
    cfn_default_deletion_policy,
    default_note,
    flag,
    is_cloudformation,
    lifecycle,
    setting_is,
    text,
)
from iacgov_rules._thresholds import environment, in_environment, listed

CLOUD_SQL_API_PROTECTION = Setting("settings.0.deletion_protection_enabled")


class DeletionProtectionOff(ResourceRule):
    root_local = True  # its findings on a resource depend on that resource's own root module only
    reads = ('holds_data', 'database', 'per_replica_types')  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="BCK002",
        name="deletion-protection-off",
        severity=Severity.ERROR,
        security_severity=5.0,
        precision="high",
        tags=("continuity", "deletion-protection", "stateful", "security"),
    )

    def applies_to(self, resource):
        return resource.mode == "managed" and (resource.kind in STATEFUL or resource.kind in DATABASES)

    def check(self, resource, ctx: RuleContext):
        environments = ctx.policy.get("continuity.protected_environments")
        env = environment(resource, ctx.policy)
        if not listed(environments, env):
            return
        db = DATABASES.get(resource.kind)
        if db is not None and any(s.read(resource)[0] is not None for s in db.replica_of):
            return
        if db is not None and db.protection is not None and resource.type not in PER_REPLICA_TYPES:
            yield from self._protection(resource, db, env)
        elif resource.kind == "google_sql_database_instance":
            yield from self._cloud_sql(resource, env)
        if ctx.policy.get("continuity.require_prevent_destroy") is True:
            yield from self._prevent_destroy(resource, env)

    def _protection(self, resource, db, env):
        value, path = db.protection.read(resource)
        state = flag(value)
        if state is True or is_unknown(state) or (state is None and db.protection_default is not False):
            return
        name = db.protection.name(resource)
        found = setting_is(resource, name, "false") + default_note(resource, path) if state is False \
            else f"{name} is not set (default false)"
        yield self.finding(
            resource,
            f"{resource.address} ({db.label}) {in_environment(env, 'protected ')} has no deletion protection: "
            f"{found}. Set {setting_is(resource, name, 'true')}.",
            attribute=path, setting=name, environment=env)

    def _cloud_sql(self, resource, env):
        terraform_level = flag(Setting("deletion_protection").read(resource)[0])
        api_level, path = CLOUD_SQL_API_PROTECTION.read(resource)
        api_level = flag(api_level)
        if terraform_level is not False or api_level is True or is_unknown(api_level):
            return
        yield self.finding(
            resource,
            f"{resource.address} (Cloud SQL instance) {in_environment(env, 'protected ')} has no deletion protection: "
            f"deletion_protection = false and settings.deletion_protection_enabled is not true. Set "
            f"settings {{ deletion_protection_enabled = true }} (and keep deletion_protection = true).",
            attribute="deletion_protection", setting="deletion_protection", environment=env)

    def _prevent_destroy(self, resource, env):
        if is_cloudformation(resource):
            policy = resource.meta.get("DeletionPolicy")
            if is_unknown(policy):
                return
            written_policy = text(policy)
            effective = written_policy or cfn_default_deletion_policy(resource)
            if effective in CFN_KEEPING_POLICIES:
                return
            found = f"DeletionPolicy is {effective}" if written_policy else f"no DeletionPolicy (default {effective})"
            yield self.finding(
                resource,
                f"{resource.address} ({resource.type}) {in_environment(env, 'protected ')} is deleted with its data "
                f"when removed from the template or the stack is deleted: {found}. Set DeletionPolicy: Retain (or "
                f"Snapshot) and UpdateReplacePolicy: Retain.",
                setting="DeletionPolicy", environment=env)
            return
        if resource.source_format != "terraform":
            return  # plan JSON does not say whether prevent_destroy is set
        block = lifecycle(resource)
        value = flag(block.get("prevent_destroy")) if block else None
        if value is True or is_unknown(value):
            return
        found = "prevent_destroy = false" if value is False else "no lifecycle { prevent_destroy = true }"
        yield self.finding(
            resource,
            f"{resource.address} ({_label(resource)}) {in_environment(env, 'protected ')} can be destroyed by "
            f"Terraform: {found}. Add lifecycle {{ prevent_destroy = true }}.",
            setting="lifecycle.prevent_destroy", environment=env)


def _label(resource) -> str:
    for table in (DATABASES, AT_REST):
        if resource.kind in table:
            return table[resource.kind].label
    return resource.type


RULE = DeletionProtectionOff()
