"""ENC001 — Storage not encrypted at rest.

## What it flags

A resource that stores data unencrypted at rest, because encryption is
switched off or because it is not switched on where the platform does not
encrypt by default:

- EBS volumes (`encrypted`), EC2 instances' block devices and launch
  templates (an explicit `encrypted = false`; for an instance's extra
  `ebs_block_device` created empty, also a missing `encrypted`);
- RDS instances and Aurora / RDS clusters, DocumentDB and Neptune clusters
  (`storage_encrypted`), EFS file systems (`encrypted`), ElastiCache
  replication groups (`at_rest_encryption_enabled`), OpenSearch /
  Elasticsearch domains (`encrypt_at_rest`), Kinesis streams
  (`encryption_type`);
- AppSync API caches (`at_rest_encryption_enabled`), DAX clusters
  (`server_side_encryption.enabled`), WorkSpaces (`user_volume_encryption_enabled`)
  and Kinesis Firehose delivery streams (`server_side_encryption.enabled`,
  Terraform), off unless asked; every kind whose platform catalog entry has
  an encryption switch is checked the same way (`docs/platform.md`);
- Redshift clusters and SQS queues only when encryption is explicitly off
  (`encrypted = false`; `sqs_managed_sse_enabled = false` without a KMS key);
- when the policy requires infrastructure (double) encryption on Azure:
  storage accounts without `infrastructure_encryption_enabled = true` and
  managed disks without a disk encryption set of type
  `EncryptionAtRestWithPlatformAndCustomerKeys`;
- the CloudFormation counterparts (`StorageEncrypted`, `Encrypted`,
  `AtRestEncryptionEnabled`, `EncryptionAtRestOptions`, `StreamEncryption`,
  `SqsManagedSseEnabled`, `BlockDeviceMappings[].Ebs.Encrypted`...).

Platform defaults it relies on (a resource that does not write the setting
gets them):

- S3 encrypts every new object with SSE-S3 since 5 January 2023, DynamoDB
  encrypts every table, Redshift encrypts new clusters, SQS encrypts new
  queues with SSE-SQS (since October 2022), Azure Storage, managed disks
  and Google Cloud encrypt everything: none of them is reported for a
  missing setting (ENC002 decides whether their key is acceptable).
- EBS volumes, RDS, DocumentDB, Neptune, EFS (through the API),
  ElastiCache for Redis OSS, OpenSearch and Kinesis are unencrypted unless
  asked (provider and CloudFormation documentation: "default is false" /
  `NONE`). ElastiCache for Valkey and Aurora Serverless v1 are encrypted by
  default.

Sources: "Amazon S3 now automatically encrypts all new objects" (AWS, 5
January 2023) and the S3 default-encryption FAQ; DynamoDB "Encryption at
rest"; Redshift "Database encryption" ("your database is encrypted by
default"); SQS "Encryption at rest" (SSE-SQS by default for new queues);
the Terraform AWS provider documentation (`storage_encrypted`: "The default
is false"; `at_rest_encryption_enabled`: false for `redis`, true for
`valkey`) and the CloudFormation resource reference.

Not reported, because the answer is not in the code: a resource restored
from a snapshot or created as a replica or a member of a global cluster
without the setting (it inherits its source's encryption), an instance's
root volume without `encrypted` (it inherits the AMI's snapshot), an
unknown value. EBS findings disappear when the account encrypts EBS by
default: an `aws_ebs_encryption_by_default` resource in the same root module
and the same region (the setting is per account and region, and another root
module may be another account; a region not known statically is not
assumed), or the policy key below.

## Why it matters

The company answers for the confidentiality of its data, whoever runs the
infrastructure. Storage written unencrypted stays readable on every disk,
snapshot and backup copy the provider or the cloud makes, and encryption
can rarely be added afterwards without recreating the resource.

## How to fix

Turn encryption on at creation (`storage_encrypted = true`,
`encrypted = true`, `at_rest_encryption_enabled = true`,
`encrypt_at_rest { enabled = true }`, `encryption_type = "KMS"`...),
ideally with a key the company controls (see ENC002). For EBS, consider
enabling EBS encryption by default in every account and region.

## Options

- `encryption.ebs_encryption_by_default` (boolean, default false): the
  company has enabled EBS encryption by default in every account and
  region it uses; EBS volumes and block devices are then not reported.
- `encryption.require_infrastructure_encryption` (boolean, default false):
  require Azure infrastructure (double) encryption on storage accounts and
  managed disks.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring

from iacgov_rules._platform import (
    AT_REST,
    AZURE_DOUBLE_ENCRYPTION_TYPES,
    AZURE_INFRASTRUCTURE_ENCRYPTION,
    Setting,
    default_note,
    each,
    setting_is,
    ebs_encrypted_by_default,
    flag,
    get_in,
    is_cloudformation,
    shown,
    written,
)

INSTANCE_ROOT = Setting("root_block_device", None)
INSTANCE_DEVICES = Setting("ebs_block_device", "BlockDeviceMappings")
TEMPLATE_DEVICES = Setting("block_device_mappings", "LaunchTemplateData.BlockDeviceMappings")
AZURE_KINDS = ("azurerm_storage_account", "azurerm_managed_disk")


class StorageNotEncrypted(ResourceRule):
    reads = ('encryption',)  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    root_local = True  # EBS encryption by default counts in the resource's own root module and region only
    meta = rule_meta_from_docstring(
        __doc__,
        code="ENC001",
        name="storage-not-encrypted",
        severity=Severity.ERROR,
        security_severity=7.0,
        precision="high",
        tags=("encryption", "security", "data-protection"),
    )

    def applies_to(self, resource):
        if resource.mode != "managed":
            return False
        spec = AT_REST.get(resource.kind)
        return (spec is not None and spec.switch is not None) or resource.kind in (
            "aws_instance", "aws_launch_template", *AZURE_KINDS)

    def check(self, resource, ctx: RuleContext):
        if resource.kind in ("aws_instance", "aws_launch_template"):
            if not ebs_encrypted_by_default(ctx.policy, ctx.index, resource):
                yield from self._block_devices(resource)
            return
        if resource.kind in AZURE_KINDS:
            if ctx.policy.get("encryption.require_infrastructure_encryption") is True:
                yield from self._azure_double_encryption(resource, ctx)
            return
        spec = AT_REST[resource.kind]
        encrypted, path, by_default = spec.encrypted(resource)
        if encrypted is not False:
            return
        if spec.ebs and ebs_encrypted_by_default(ctx.policy, ctx.index, resource):
            return
        name = spec.switch.name(resource)
        wanted = f'"{spec.on_value}"' if spec.on_value else "true"
        if by_default:
            message = (f"{resource.address} ({spec.label}) does not set {name}: {spec.default_source}, so its "
                       f"data is stored unencrypted. Set {setting_is(resource, name, wanted)} when creating it.")
        else:
            value = resource.get(path)
            value = flag(value) if isinstance(flag(value), bool) else value
            also = ""
            if spec.key_implies_encryption and spec.key is not None:
                also = f" and no {spec.key.name(resource)}"
            message = (f"{resource.address} ({spec.label}) has {setting_is(resource, name, shown(value))}"
                       f"{default_note(resource, path)}{also}: its data is "
                       f"stored unencrypted. Set {setting_is(resource, name, wanted)}.")
        yield self.finding(resource, message, attribute=path, setting=name)

    # -- EC2 block devices ---------------------------------------------------

    def _block_devices(self, resource):
        cfn = is_cloudformation(resource)
        if resource.kind == "aws_instance":
            devices = [(p, d, False) for p, d in each(resource, INSTANCE_ROOT)]
            devices += [(p, d, not cfn) for p, d in each(resource, INSTANCE_DEVICES)]
            encrypted_key = "Ebs.Encrypted" if cfn else "encrypted"
        else:
            devices = [(p, d, False) for p, d in each(resource, TEMPLATE_DEVICES)]
            encrypted_key = "Ebs.Encrypted" if cfn else "ebs.0.encrypted"
        for path, device, new_volume in devices:
            if not isinstance(device, dict):
                continue
            value = get_in(device, encrypted_key)
            state = flag(value)
            name = device.get("DeviceName" if cfn else "device_name") or path
            where = f"{path}.{encrypted_key}"
            if state is False:
                yield self.finding(
                    resource,
                    f"{resource.address} declares block device {name} with {encrypted_key.rsplit('.', 1)[-1]} = "
                    f"{shown(state)}: the volume is stored unencrypted. Set it to true (or enable EBS encryption "
                    f"by default in the account).",
                    attribute=where, setting=encrypted_key)
            elif state is None and new_volume and not written(device.get("snapshot_id")):
                yield self.finding(
                    resource,
                    f"{resource.address} declares block device {name} without encrypted = true: a new EBS "
                    f"volume is unencrypted unless the account enables EBS encryption by default. Add "
                    f"encrypted = true to the ebs_block_device block.",
                    attribute=path, setting="encrypted")

    # -- Azure infrastructure encryption -------------------------------------

    def _azure_double_encryption(self, resource, ctx: RuleContext):
        if resource.kind == "azurerm_storage_account":
            value, path = AZURE_INFRASTRUCTURE_ENCRYPTION.read(resource)
            state = flag(value)
            if state is True or is_unknown(state):
                return
            found = "is false" if state is False else "is not set (default false)"
            yield self.finding(
                resource,
                f"{resource.address} (storage account): infrastructure_encryption_enabled {found}, but the policy "
                f"requires infrastructure (double) encryption. Set infrastructure_encryption_enabled = true "
                f"(only possible when creating the account).",
                attribute=path, setting="infrastructure_encryption_enabled")
            return
        value, path = Setting("disk_encryption_set_id").read(resource)
        if value is None:
            yield self.finding(
                resource,
                f"{resource.address} (managed disk) has no disk_encryption_set_id: it is encrypted once, with a "
                f"platform-managed key, but the policy requires infrastructure (double) encryption. Attach a disk "
                f"encryption set with encryption_type = \"EncryptionAtRestWithPlatformAndCustomerKeys\".",
                setting="disk_encryption_set_id")
            return
        des = ctx.index.target(value, resource)
        if des is None or des.kind != "azurerm_disk_encryption_set":
            return
        kind = des.get("encryption_type") or "EncryptionAtRestWithCustomerKey"
        if isinstance(kind, str) and kind not in AZURE_DOUBLE_ENCRYPTION_TYPES:
            yield self.finding(
                resource,
                f"{resource.address} (managed disk) uses disk encryption set {des.address}, whose encryption_type "
                f"is \"{kind}\": single encryption, but the policy requires infrastructure (double) encryption. Use "
                f"encryption_type = \"EncryptionAtRestWithPlatformAndCustomerKeys\".",
                attribute=path, setting="disk_encryption_set_id")


RULE = StorageNotEncrypted()
