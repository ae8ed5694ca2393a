"""BCK003 — Database not redundant across zones.

## What it flags

In an environment listed in `continuity.redundant_environments`, a database
that does not survive the loss of one availability zone:

- RDS DB instances without Multi-AZ (`multi_az` / `MultiAZ`, default false);
- Aurora, DocumentDB and Neptune clusters with a single instance, counted
  from the `aws_rds_cluster_instance` / `aws_docdb_cluster_instance` /
  `aws_neptune_cluster_instance` resources (CloudFormation:
  `AWS::RDS::DBInstance` / `AWS::DocDB::DBInstance` /
  `AWS::Neptune::DBInstance` with `DBClusterIdentifier`) of the scan that
  belong to the cluster; a cluster whose instances are not in the scan is
  not reported;
- Azure PostgreSQL / MySQL flexible servers without a `high_availability`
  block in mode `ZoneRedundant` (`SameZone` keeps a standby in the same
  zone);
- Google Cloud SQL instances whose `settings.availability_type` is not
  `REGIONAL` (default `ZONAL`).

Read replicas, Aurora Serverless v1 and Multi-AZ DB clusters (redundant by
design) are skipped. A resource whose instance count cannot be known is not
reported, nor one whose environment cannot be known (a tag built from a
variable without value) unless the policy requires redundancy in every
environment (`*`): then the most demanding requirement applies, and the
finding says its environment could not be determined.

## Why it matters

A single-zone database turns a zone outage, a hardware failure or a
maintenance reboot into downtime for the whole application. Which
environments need to survive that is a continuity target (RTO) the company
sets; a provider choosing the cheaper single-zone option silently lowers it.

## How to fix

Set `multi_az = true` (`MultiAZ: true`), add a second instance to the
cluster (in another zone), declare `high_availability { mode =
"ZoneRedundant" }`, or `availability_type = "REGIONAL"`.

## Options

- `continuity.redundant_environments`: the environments whose databases
  must be zone-redundant (`[prod]`; glob patterns, `*` for every
  environment). Not set: the rule is silent.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring

from iacgov_rules._platform import DATABASES, Setting, default_note, flag, member_count, setting_is, text
from iacgov_rules._thresholds import environment, in_environment, listed

CLUSTER_KINDS = ("aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster")


class DatabaseNotRedundant(ResourceRule):
    root_local = True  # its findings on a resource depend on that resource's own root module only
    reads = ('database',)  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="BCK003",
        name="database-not-redundant",
        severity=Severity.WARNING,
        security_severity=4.0,
        precision="high",
        tags=("continuity", "availability", "rto", "security"),
    )

    def applies_to(self, resource):
        db = DATABASES.get(resource.kind)
        return resource.mode == "managed" and db is not None and (db.redundancy is not None or db.members)

    def check(self, resource, ctx: RuleContext):
        env = environment(resource, ctx.policy)
        if not listed(ctx.policy.get("continuity.redundant_environments"), env):
            return
        db = DATABASES[resource.kind]
        if any(s.read(resource)[0] is not None for s in db.replica_of):
            return
        if resource.kind in CLUSTER_KINDS:
            yield from self._cluster(resource, db, env, ctx)
            return
        value, path = db.redundancy.read(resource)
        if is_unknown(value):
            return
        name = db.redundancy.name(resource)
        if isinstance(db.redundancy_default, bool):
            state = flag(value)
            if state is True or is_unknown(state):
                return
            found = setting_is(resource, name, "false") + default_note(resource, path) if state is False \
                else f"{name} is not set (default false)"
            fix = f"Set {setting_is(resource, name, 'true')}."
        else:
            current = text(value)
            if is_unknown(current) or current in db.redundant_values:
                return
            found = setting_is(resource, name, f'"{current}"') if current is not None else db.redundancy_default
            if current is None and not db.redundancy_default.startswith("no "):
                found = f"{name} is not set (default {db.redundancy_default})"
            fix = f"Set {setting_is(resource, name, chr(34) + str(db.redundant_values[0]) + chr(34))}."
        yield self.finding(
            resource,
            f"{resource.address} ({db.label}) {in_environment(env)} runs in a single zone ({found}), but the policy "
            f"requires zone redundancy there. {fix}",
            attribute=path, setting=name, environment=env)

    def _cluster(self, resource, db, env, ctx):
        mode = text(Setting("engine_mode", "EngineMode").read(resource)[0])
        instance_class = Setting("db_cluster_instance_class", "DBClusterInstanceClass").read(resource)[0]
        if is_unknown(mode) or (isinstance(mode, str) and mode.lower() == "serverless") or instance_class is not None:
            return  # Aurora Serverless v1 and Multi-AZ DB clusters spread over zones by design
        count = member_count(resource, db, ctx.index)
        if count is None or is_unknown(count) or count >= 2:
            return
        yield self.finding(
            resource,
            f"{resource.address} ({db.label}) {in_environment(env)} has {count} instance in the scan: a zone "
            f"failure stops it, but the policy requires zone redundancy there. Add a second instance (a replica in "
            f"another availability zone).",
            environment=env, instances=count)


RULE = DatabaseNotRedundant()
