"""ENC002 — Customer-managed key required.

## What it flags

Where the policy requires customer-managed keys (for every resource, or for
the resources whose data-class tag names a listed class), a resource whose
data is encrypted with a key the cloud provider manages, or not encrypted at
all:

- AWS: S3 buckets (default encryption SSE-S3, or SSE-KMS with the AWS
  managed `aws/s3` key, written on the bucket or in an
  `aws_s3_bucket_server_side_encryption_configuration`), DynamoDB tables
  (AWS owned key unless `server_side_encryption` names a KMS key), RDS
  instances and clusters, DocumentDB, Neptune, EBS volumes, EFS,
  ElastiCache, Redshift, OpenSearch, Kinesis, SQS (SSE-SQS), SNS, CloudWatch
  log groups, Secrets Manager secrets, ECR repositories, Backup vaults (and
  every kind the platform catalog gives a key setting); an SNS topic without
  a key is reported as not encrypted at all; an EC2 instance's root and EBS
  volumes without `kms_key_id`, whose key follows the AMI and the account's
  EBS encryption by default (not a company key unless the scan sets
  `aws_ebs_default_kms_key` to one, with EBS encryption by default on, in
  the instance's own root module and region: both settings are per account
  and region, and another root module may be another account);
- Azure: storage accounts without a customer-managed key (inline
  `customer_managed_key` or an `azurerm_storage_account_customer_managed_key`
  in the scan) and managed disks without a disk encryption set;
- Google Cloud: Cloud Storage buckets, Cloud SQL instances, disks, BigQuery
  datasets, Pub/Sub topics and Memorystore instances without a Cloud KMS key;
- the CloudFormation counterparts (`KmsKeyId`, `KMSMasterKeyId`,
  `BucketEncryption`, `SSESpecification`...).

A key is customer-managed when it is a KMS key ARN, ID or alias other than
`alias/aws/...`, a reference to an `aws_kms_key` / `AWS::KMS::Key` (or
Cloud KMS key, Key Vault key, disk encryption set) of the scan, or a data
source reading such a key. An unknown key, a tag that cannot be known and a
resource that inherits its encryption from a snapshot or a source are not
reported, nor is an EBS volume without key in an account that encrypts EBS by
default (its key is the account's default EBS key, which the scan may not
show; by default as ENC001 reads it: the policy key, or the setting in the
volume's root module and region), nor a CloudFormation `AWS::DynamoDB::GlobalTable` (keys per replica).

Platform defaults it relies on: S3 encrypts with SSE-S3 (since January
2023) and DynamoDB with an AWS owned key when nothing is written; RDS,
EBS, EFS and the others use the AWS managed key (`aws/<service>`) when
encryption is on without a key; Azure and Google Cloud encrypt with
provider-managed keys by default.

## Why it matters

With a provider-managed key, the cloud provider decides who can decrypt:
the company cannot revoke access, audit each use of the key in its own
trail, or make the data unreadable by deleting the key. Keeping the keys is
part of keeping control over the data entrusted to a managed-services
provider.

## How to fix

Create a key the company controls (`aws_kms_key`, `google_kms_crypto_key`,
`azurerm_key_vault_key`) and name it in the resource's key setting
(`kms_key_id`, `kms_master_key_id`, `server_side_encryption { kms_key_arn }`,
`sse_algorithm = "aws:kms"` with `kms_master_key_id`,
`encryption { default_kms_key_name }`, `customer_managed_key`,
`disk_encryption_set_id`...). Several services only take a key at creation.

## Options

- `encryption.customer_managed_keys.required_for`: `all`, or a list of data
  classes (`[sensitive, secret]`). Not set: the rule is silent.
- `encryption.customer_managed_keys.data_class_tag`: the tag / label naming
  a resource's data class (default: `data_location.data_class_tag`, else
  `data_class`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from collections.abc import Mapping  # not typing.Mapping: isinstance() on it is several times slower
from typing import Any

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring
from iacgov.api import platform

from iacgov_rules._platform import (
    AT_REST,
    AZURE_STORAGE_CMK,
    CUSTOMER,
    NONE,
    PROVIDER,
    PER_REPLICA_TYPES,
    S3_BUCKET,
    Setting,
    ebs_encrypted_by_default,
    in_same_account_scope,
    flag,
    is_cloudformation,
    key_owner,
    s3_default_encryption,
    setting_is,
    shown,
    tags_of,
    text,
)

INSTANCE_VOLUMES = (Setting("root_block_device", None), Setting("ebs_block_device", "BlockDeviceMappings"))
PROVIDER_KEYS = {"aws": "an AWS managed key", "gcp": "a Google-managed key", "azure": "a Microsoft-managed key"}
SERVICE_KEYS = platform.service_keys()  # the catalog's encryption service_key entries


class CustomerManagedKeyRequired(ResourceRule):
    reads = ('encryption', 'customer_key', 'per_replica_types')  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="ENC002",
        name="customer-managed-key-required",
        severity=Severity.ERROR,
        security_severity=6.5,
        precision="high",
        tags=("encryption", "security", "key-management", "reversibility"),
    )

    def applies_to(self, resource):
        spec = AT_REST.get(resource.kind)
        return resource.mode == "managed" and (resource.kind in (S3_BUCKET, "aws_instance")
                                               or (spec is not None and spec.key is not None))

    def evaluate(self, resources, ctx: RuleContext):
        # The policy's requirement read once per scan, not three look-ups per resource (100,000 at 10,000 files).
        wanted = _Wanted.of(ctx.policy)
        if wanted.required is None:
            return
        for resource in resources:
            if self.applies_to(resource):
                yield from self._check(resource, ctx, wanted)

    def check(self, resource, ctx: RuleContext):
        yield from self._check(resource, ctx, _Wanted.of(ctx.policy))

    def _check(self, resource, ctx: RuleContext, wanted: "_Wanted"):
        scope = wanted.scope(resource)
        if scope is None:
            return
        if resource.kind == S3_BUCKET:
            yield from self._s3(resource, ctx, scope)
            return
        if resource.kind == "aws_instance":
            yield from self._instance_volumes(resource, ctx, scope)
            return
        spec = AT_REST[resource.kind]
        label = f"{resource.address} ({spec.label}{self._class_note(scope)})"
        wanted = f"the policy requires a customer-managed key for {scope}"
        if resource.type in PER_REPLICA_TYPES:
            return  # keys are written per replica
        if spec.switch is None and any(s.applies(resource) and s.read(resource)[0] is not None for s in spec.inherits):
            return  # made from an existing disk or source: its key is that one's, checked there
        if spec.switch is not None:
            encrypted, path, _ = spec.encrypted(resource)
            if encrypted is False and spec.ebs and ebs_encrypted_by_default(ctx.policy, ctx.index, resource):
                if spec.key.read(resource)[0] is None:
                    return  # encrypted with the account's default EBS key, which the scan may not show
                encrypted = True
            if encrypted is False:
                switch = spec.switch.name(resource)
                value = spec.switch.read(resource)[0]
                state = flag(value)
                how = f"{switch} is not set" if value is None \
                    else f"{switch} = {shown(state if isinstance(state, bool) else value)}"
                yield self.finding(
                    resource,
                    f"{label} is not encrypted at rest ({how}); {wanted}. Turn encryption on with "
                    f"{spec.key.name(resource)} set to a key the company controls.",
                    attribute=path, setting=spec.switch.name(resource))
                return
            if encrypted is None:
                return  # inherited from a snapshot or a source: so is the key
            if is_unknown(encrypted) and spec.key.read(resource)[0] is not None:
                return
        key, key_path = spec.key.read(resource)
        service_key = SERVICE_KEYS.get(resource.kind, PROVIDER_KEYS.get(resource.cloud, "a provider-managed key"))
        if spec.key_needs is not None:
            needed, needed_path = spec.key_needs.read(resource)
            if spec.key_needs_value is not None:
                state = text(needed)
                on = None if state is None else (state if is_unknown(state) else state.upper().startswith(spec.key_needs_value))
            else:
                on = flag(needed)
            if is_unknown(on):
                return
            if not on:
                found = "is not set" if needed is None else f"is {needed!r}".replace("'", '"')
                turn_on = "= true" if spec.key_needs_value is None else f'= "{spec.key_needs_value}"'
                yield self.finding(
                    resource,
                    f"{label} is encrypted with {service_key} ({spec.key_needs.name(resource)} {found}); {wanted}. "
                    f"Set {spec.key_needs.name(resource)} {turn_on} and {spec.key.name(resource)} to a key the "
                    f"company controls.",
                    attribute=needed_path, setting=spec.key.name(resource))
                return
            if resource.kind == "aws_dynamodb_table":
                service_key = "the AWS managed key aws/dynamodb"
        if resource.kind == "azurerm_storage_account" and key is None:
            cmks, undecided = ctx.index.referring(resource, [AZURE_STORAGE_CMK], Setting("storage_account_id"))
            if cmks or undecided or is_unknown(resource.get("customer_managed_key.0.managed_hsm_key_id")) \
                    or resource.get("customer_managed_key.0.managed_hsm_key_id"):
                return
        if key is None and any(Setting.of(other).read(resource)[0] is not None for other in _other_keys(resource)):
            return  # a key the company supplies itself (Compute Engine CSEK)
        scan = ctx.index
        owner = key_owner(key, resource, scan)
        if owner == CUSTOMER or is_unknown(owner):
            return
        name = spec.key.name(resource)
        if key is None and spec.switch is None and spec.default is False:
            # SNS: no key means no encryption at all, not a provider-managed key
            yield self.finding(
                resource,
                f"{label} is not encrypted at rest ({name} is not set, and the service encrypts only with a key); "
                f"{wanted}. Set {name} to a key the company controls.",
                attribute=key_path, setting=name)
            return
        if owner == PROVIDER:
            service_key = "an AWS managed key"
            why = f"{name} names {_key_name(key, resource, scan)}"
        else:
            why = f"{name} is not set"
        encrypted_with = f"is encrypted with {service_key}"
        if spec.switch is not None and is_unknown(spec.encrypted(resource)[0]):
            encrypted_with = f"is encrypted with {service_key}, or not at all"
        also = " (or attach an azurerm_storage_account_customer_managed_key)" \
            if resource.kind == "azurerm_storage_account" else ""
        yield self.finding(
            resource,
            f"{label} {encrypted_with} ({why}); {wanted}. Set {name} to a key the company controls{also}.",
            attribute=key_path, setting=name)

    def _instance_volumes(self, instance, ctx: RuleContext, scope: str):
        """An instance's root and EBS volumes: without a key of their own, their
        encryption is the AMI snapshot's or the account's EBS default — not known
        to be a company key, unless the scan sets the account's default key."""
        cfn = is_cloudformation(instance)
        scan = ctx.index
        label = f"{instance.address} (EC2 instance{self._class_note(scope)})"
        wanted = f"the policy requires a customer-managed key for {scope}"
        account_key = _account_default_key(ctx, instance)
        for setting in INSTANCE_VOLUMES:
            value, path = setting.read(instance)
            for i, device in enumerate(value if isinstance(value, list) else ()):
                if not isinstance(device, Mapping):
                    continue
                ebs = device.get("Ebs") if cfn else device
                if not isinstance(ebs, Mapping) or ebs.get("SnapshotId" if cfn else "snapshot_id") is not None:
                    continue  # a volume made from a snapshot has the snapshot's key
                device_name = device.get("DeviceName" if cfn else "device_name")
                name = f"volume {device_name}" if device_name else (
                    "its root volume" if path == "root_block_device" else f"volume {path}.{i}")
                encrypted = flag(ebs.get("Encrypted" if cfn else "encrypted"))
                key_name = "Ebs.KmsKeyId" if cfn else "kms_key_id"
                key = ebs.get("KmsKeyId" if cfn else "kms_key_id")
                where = f"{path}.{i}"
                if is_unknown(encrypted) or encrypted is False:
                    continue  # unknown, or ENC001's finding (stored unencrypted)
                if key is not None:
                    owner = key_owner(key, instance, scan)
                    if owner == CUSTOMER or is_unknown(owner):
                        continue
                    yield self.finding(
                        instance,
                        f"{label}: {name} names {_key_name(key, instance, scan)} ({key_name}); {wanted}. "
                        f"Set {key_name} to a key the company controls.",
                        attribute=f"{where}.{'Ebs.KmsKeyId' if cfn else 'kms_key_id'}", setting=key_name)
                    continue
                if account_key is True or is_unknown(account_key):
                    continue  # the account's default key is a company key (or may be)
                how = ("it follows the AMI's snapshot and the account's EBS encryption by default, so its key is "
                       "the AMI's, the account's default EBS key or none")
                if encrypted is True:
                    how = "it is encrypted with the account's default EBS key (the AWS managed key aws/ebs unless " \
                          "aws_ebs_default_kms_key names another)"
                yield self.finding(
                    instance,
                    f"{label}: {name} has no {key_name}: {how}; {wanted}. Set {key_name} (with "
                    f"{setting_is(instance, 'Ebs.Encrypted' if cfn else 'encrypted', 'true')}) to a key the company "
                    f"controls.",
                    attribute=where, setting=key_name)

    def _s3(self, bucket, ctx: RuleContext, scope: str):
        scan = ctx.index
        found = s3_default_encryption(bucket, scan)
        if is_unknown(found):
            return
        algorithm, key, holder, path = found
        label = f"{bucket.address} (S3 bucket{self._class_note(scope)})"
        wanted = f"the policy requires a customer-managed key for {scope}"
        where = ("BucketEncryption" if is_cloudformation(bucket)
                 else "an aws_s3_bucket_server_side_encryption_configuration")
        algo = text(algorithm)
        if is_unknown(algo):
            return
        if algo is None or algo.upper() == "AES256":
            how = "default encryption is SSE-S3, the platform default since January 2023" if algo is None \
                else 'its default encryption is "AES256" (SSE-S3)'
            finding = self.finding(
                bucket,
                f"{label}: {how}, with keys owned by S3; {wanted}. Set default encryption to \"aws:kms\" with a "
                f"KMS key the company controls (in {where}).",
                attribute=path if holder is bucket else None, setting="sse_algorithm")
        else:
            owner = key_owner(key, holder, scan)
            if owner == CUSTOMER or is_unknown(owner):
                return
            how = "without a key, so S3 uses the AWS managed key aws/s3" if owner == NONE \
                else f"with the AWS managed key {key}"
            finding = self.finding(
                bucket,
                f"{label}: default encryption is \"{algo}\" {how}; {wanted}. Name a KMS key the company controls "
                f"(kms_master_key_id / KMSMasterKeyID).",
                attribute=path if holder is bucket else None, setting="kms_master_key_id")
        if holder is not bucket:
            finding = replace(finding, location=holder.location_of(path))
        yield finding

    @staticmethod
    def _required(resource, policy) -> str | None:
        """Why the resource needs a customer-managed key, or None."""
        return _Wanted.of(policy).scope(resource)

    @staticmethod
    def _class_note(scope: str) -> str:
        return f", {scope}" if scope.startswith("data class") else ""


@dataclass(frozen=True)
class _Wanted:
    """What the policy requires: ``required`` is ``"all"``, a non-empty list of data classes, or None (the
    rule is silent); ``tag`` names a resource's data class."""

    required: Any
    tag: str

    @classmethod
    def of(cls, policy) -> "_Wanted":
        required = policy.get("encryption.customer_managed_keys.required_for")
        if required != "all" and (not isinstance(required, list) or not required):
            required = None
        tag = (policy.get("encryption.customer_managed_keys.data_class_tag")
               or policy.get("data_location.data_class_tag") or "data_class")
        return cls(required, tag)

    def scope(self, resource) -> str | None:
        """Why the resource needs a customer-managed key, or None."""
        if self.required == "all":
            return "every resource"
        if self.required is None:
            return None
        tags, _ = tags_of(resource)
        if not isinstance(tags, Mapping):
            return None
        value: Any = tags.get(self.tag)
        if isinstance(value, str) and value in self.required:
            return f"data class {value}"
        return None


def _other_keys(resource) -> list:
    """The catalog's other settings naming a company-supplied key for this kind."""
    found = platform.entry(resource.kind) or {}
    return list(found.get("encryption", {}).get("other_keys", ()))


def _account_default_key(ctx: RuleContext, resource: Any) -> Any:
    """Whether the account's default EBS key where ``resource`` lives is a company key (with EBS encryption by
    default on there): True, False, or unknown — set in ``resource``'s root module and region only (per account
    and region; another root module may be another account)."""
    if not ebs_encrypted_by_default(ctx.policy, ctx.index, resource):
        return False
    answer: Any = False
    for r in ctx.index.of_kind("aws_ebs_default_kms_key"):
        if not in_same_account_scope(r, resource):
            continue
        owner = key_owner(r.get("key_arn"), r, ctx.index)
        if owner == CUSTOMER:
            return True
        if is_unknown(owner):
            answer = owner
    return answer


def _key_name(key, resource, scan) -> str:
    """How a message names an AWS managed key: its alias, and the data source it came from."""
    if isinstance(key, str):
        return f"the AWS managed key {key}"
    source = scan.target(key, resource)
    name = source.get("name") if source is not None else None
    if isinstance(name, str):
        return f"the AWS managed key {name} (through {source.address})"
    return "an AWS managed key"


RULE = CustomerManagedKeyRequired()
