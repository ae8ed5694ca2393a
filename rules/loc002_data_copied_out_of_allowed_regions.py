"""LOC002 — Data copied out of the allowed regions.

## What it flags

A copy of the company's data that lands in a region the policy does not
allow, even though the original may be in an allowed one:

- S3 replication destinations (`aws_s3_bucket_replication_configuration`, the
  older `replication_configuration` block of `aws_s3_bucket`, and the
  `ReplicationConfiguration` of `AWS::S3::Bucket`): the destination bucket's
  region, when the bucket is in the scanned code;
- DynamoDB `replica` blocks and `AWS::DynamoDB::GlobalTable` `Replicas`, and
  `aws_dynamodb_table_replica` resources;
- RDS cross-region read replicas (`replicate_source_db`,
  `SourceDBInstanceIdentifier`), Aurora replica clusters
  (`replication_source_identifier`, `ReplicationSourceIdentifier`) and
  automated-backup replication (`aws_db_instance_automated_backups_replication`,
  `AutomaticBackupReplicationRegion`);
- AWS Backup copy actions to vaults in other regions (the vault ARN's region,
  or the region of the vault resource it refers to);
- ECR registry replication rules and Secrets Manager secret replicas.

The finding names the region the data goes to and the setting that sends it
there. A copy inside the allowed regions is not reported; a destination that
cannot be determined (a bucket outside the scanned code, a variable without
value) is reported by LOC003, never here. When the original carries a data
class with a narrower list (`data_location.data_classes`), its copies must be
in that list too.

## Why it matters

Replication is the quiet way data leaves its region: the primary table stays
in Paris, the disaster-recovery replica or the backup copy lands in Virginia.
For a regulator or a customer contract, a copy is the data. The provider may
add a replica for resilience in good faith; where it goes is the company's
decision.

## How to fix

Point the replica, the replication destination or the backup copy at a
region the policy allows (for a disaster-recovery copy, a second allowed
region such as `eu-west-1` next to `eu-west-3`). If the destination is a
deliberate choice, the CTO adds it to `data_location.allowed_regions`.

## Options

- `data_location.allowed_regions.<cloud>`: the allowed regions (glob patterns
  accepted, case ignored).
- `data_location.data_classes` and `data_location.data_class_tag`: narrower
  lists per data class, as for LOC001.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring

from iacgov.api import iam as _iam
from iacgov_rules._location import (COPY_DESTINATIONS, COPY_RESOURCES, copies, copy_source, copy_source_resource,
                                    region_origin, region_policy, replicated_bucket)


class DataCopiedOutOfAllowedRegions(ResourceRule):
    reads = ('copies_to', 'copy_of')  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="LOC002",
        name="data-copied-out-of-allowed-regions",
        severity=Severity.ERROR,
        security_severity=7.5,
        precision="high",
        tags=("data-location", "replication", "compliance", "governance", "security"),
    )

    def applies_to(self, resource):
        # check() finds nothing for a type that is neither a copy nor copies its data (most of an estate)
        return (resource.mode == "managed" and resource.cloud == "aws"
                and (resource.type in COPY_RESOURCES or resource.type in COPY_DESTINATIONS))

    def check(self, resource, ctx: RuleContext):
        source = copy_source(resource)
        if source is not None:
            yield from self._copy_resource(resource, ctx)
            return
        found = copies(resource, ctx.index)
        if not found:
            return
        bucket = replicated_bucket(resource, ctx.index)
        allowed = region_policy(resource, ctx.policy, inherit_from=bucket[1] if bucket else None)
        if not allowed.restricted:
            return
        whose = f"the data of {bucket[0]}" if bucket else "its data"
        for copy in found:
            if is_unknown(copy.region):
                continue
            rejection = allowed.rejection(copy.region)
            if rejection is None:
                continue
            target = f" {copy.target}" if copy.target else ""
            yield self.finding(
                resource,
                f"{resource.address} copies {whose} to {copy.region} ({copy.what}{target}, set by "
                f"{copy.attribute}), {rejection}.",
                attribute=copy.attribute,
                region=copy.region,
                copy=copy.what,
            )

    def _copy_resource(self, resource, ctx: RuleContext):
        if not isinstance(resource.region, str):
            return  # no region, or LOC003's business
        attribute, source_name, source = copy_source_resource(resource, ctx.index)
        allowed = region_policy(resource, ctx.policy, inherit_from=source)
        rejection = allowed.rejection(resource.region) if allowed.restricted else None
        if rejection is None:
            return
        what = copy_source(resource)[2]
        from_region = ""
        if source is not None and isinstance(source.region, str):
            from_region = f" (in {source.region})"
        else:
            arn = _iam.parse_arn(copy_source(resource)[1])
            if arn is not None and arn.region and arn.region != _iam.SELF:
                from_region = f" (in {arn.region})"
        yield self.finding(
            resource,
            f"{resource.address} is {'an' if what[0] in 'aeiou' else 'a'} {what} of {source_name}{from_region}: it copies that data to "
            f"{resource.region} (from {region_origin(resource)}), {rejection}.",
            attribute=attribute,
            region=resource.region,
            copy=what,
        )


RULE = DataCopiedOutOfAllowedRegions()
