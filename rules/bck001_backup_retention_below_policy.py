"""BCK001 — Backup retention below the policy.

## What it flags

A database whose automated backups are off, or kept fewer days than
`continuity.min_backup_retention_days` requires in its environment:

- RDS instances, Aurora / RDS clusters, DocumentDB and Neptune clusters
  (`backup_retention_period` / `BackupRetentionPeriod`, 1 day when not
  written, 0 meaning off), Redshift clusters
  (`automated_snapshot_retention_period`, default 1);
- DynamoDB tables without point-in-time recovery (`point_in_time_recovery`,
  `PointInTimeRecoverySpecification`, off by default), or with a
  `recovery_period_in_days` shorter than the minimum (35 by default);
- Azure PostgreSQL / MySQL flexible servers (`backup_retention_days`, 7 by
  default) and Azure SQL databases (`short_term_retention_policy`, 7 by
  default);
- Google Cloud SQL instances without automated backups
  (`settings.backup_configuration.enabled`, off by default) or keeping fewer
  daily backups than the minimum (`retained_backups`, 7 by default).

Read replicas and cluster members are skipped (their source or cluster holds
the backups), and so are CloudFormation `AWS::DynamoDB::GlobalTable`s, which
write point-in-time recovery per replica. A value at the service's own maximum (35 days for RDS,
DynamoDB, Redshift and Azure) is accepted: longer retention is AWS Backup's
or Azure Backup's job, which this rule does not read. The environment is
the resource's `cost.environment_tag` tag (else `cost.environment_paths`);
when it cannot be known, the least demanding minimum that could apply is
used. Unknown values are not reported.

Sources: RDS `CreateDBInstance` / `CreateDBCluster` (BackupRetentionPeriod,
default 1), DynamoDB point-in-time recovery (off by default, 35 days), the
Terraform AzureRM and Google provider documentation
(`backup_retention_days` default 7, `backup_configuration.enabled` default
false, `retained_backups` default 7).

## Why it matters

The recovery point objective (RPO) the company commits to depends on
backups existing and reaching back far enough: corruption or a deletion
noticed after the retention window cannot be undone. The retention per
environment is the company's continuity decision, not the provider's cost
optimisation.

## How to fix

Raise the retention setting to at least the policy's minimum
(`backup_retention_period`, `automated_snapshot_retention_period`,
`backup_retention_days`, `retention_days`, `retained_backups`), enable
DynamoDB point-in-time recovery or Cloud SQL automated backups.

## Options

- `continuity.min_backup_retention_days`: days for every environment, or per
  environment (`{prod: 14, staging: 3, default: 1}`). Not set: the rule is
  silent.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring

from iacgov_rules._platform import DATABASES, PER_REPLICA_TYPES, default_note, flag, number, setting_is
from iacgov_rules._thresholds import days, environment, show, threshold

# The longest automated retention each service offers (the catalog's database backup_maximum).
SERVICE_MAXIMUM = {kind: db.backup_maximum for kind, db in DATABASES.items() if db.backup_maximum is not None}


class BackupRetentionBelowPolicy(ResourceRule):
    root_local = True  # its findings on a resource depend on that resource's own root module only
    reads = ('database', 'per_replica_types')  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="BCK001",
        name="backup-retention-below-policy",
        severity=Severity.ERROR,
        security_severity=5.5,
        precision="high",
        tags=("continuity", "backup", "rpo", "security"),
    )

    def applies_to(self, resource):
        db = DATABASES.get(resource.kind)
        return resource.mode == "managed" and db is not None and (db.backup or db.backup_switch) is not None

    def check(self, resource, ctx: RuleContext):
        setting = ctx.policy.get("continuity.min_backup_retention_days")
        if setting is None:
            return
        minimum = threshold(setting, environment(resource, ctx.policy))
        if minimum is None or minimum.value <= 0:
            return
        db = DATABASES[resource.kind]
        if resource.type in PER_REPLICA_TYPES or any(s.read(resource)[0] is not None for s in db.replica_of):
            return
        wanted = f"the policy requires at least {days(minimum.value)} {minimum.scope}"
        label = f"{resource.address} ({db.label})"
        if db.backup_switch is not None:
            value, path = db.backup_switch.read(resource)
            state = flag(value)
            if is_unknown(state):
                return
            if state is not True:
                name = db.backup_switch.name(resource)
                found = setting_is(resource, name, "false") + default_note(resource, path) if state is False \
                    else f"{name} is not set (default false)"
                what = "point-in-time recovery" if resource.kind == "aws_dynamodb_table" else "automated backups"
                yield self.finding(
                    resource,
                    f"{label} has no {what}: {found}; {wanted}. Set {setting_is(resource, name, 'true')}.",
                    attribute=path, setting=name, minimum=minimum.value)
                return
        if db.backup is None:
            return
        value, path = db.backup.read(resource)
        kept = number(value)
        if is_unknown(kept):
            return
        name = db.backup.name(resource)
        found = setting_is(resource, name, show(kept)) if kept is not None \
            else f"{name} is not set (default {db.backup_default})"
        if kept is None:
            kept = db.backup_default
        if kept is None or kept >= minimum.value or kept >= SERVICE_MAXIMUM.get(resource.kind, float("inf")):
            return
        if kept == 0:
            message = f"{label} has automated backups turned off ({found}); {wanted}."
        else:
            plural = "" if kept == 1 else "s"
            what = (f"{show(kept)} daily backup{plural}" if db.backup_unit != "days"
                    else f"automated backups {days(kept)}")
            message = f"{label} keeps {what} ({found}); {wanted}."
        maximum = SERVICE_MAXIMUM.get(resource.kind)
        target = min(minimum.value, maximum) if maximum else minimum.value
        message += f" Set {name} to {show(target)} or more"
        if maximum and minimum.value > maximum:
            message += f" (the service keeps at most {maximum}; keep longer copies with a backup service)"
        yield self.finding(resource, message + ".", attribute=path, setting=name, days=kept, minimum=minimum.value)


RULE = BackupRetentionBelowPolicy()
