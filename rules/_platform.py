"""Platform knowledge shared by the ENC, LOG, BCK and TAG rules.

Tables, not code paths: which kinds of resource store data and where each one
says it is encrypted and with which key, which TLS versions the providers'
named security policies accept, which kinds are stateful databases and where
their backup, deletion-protection and redundancy settings live, which kinds
take tags. Each rule reads these tables, so one fact about a platform is
written once, next to its source.

A setting is named for both formats with :class:`Setting` (the Terraform
argument and the CloudFormation property) and read with
:func:`iacgov.api.attr`, so plan JSON and HCL share the Terraform path.

Values are read with :func:`flag`, :func:`number` and :func:`text`, which
turn what the formats write (CloudFormation parameters are strings, Terraform
launch templates write ``"true"``) into Python values and keep
:class:`~iacgov.api.Unknown` as unknown: never a violation, never compliance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from iacgov.api import ReferenceIndex, Resource, Unknown, UnknownTemplate, attr, is_unknown

# --------------------------------------------------------------------------
# Reading values


def written(value: Any) -> bool:
    """Whether a setting is written: ``None``, ``""``, ``[]`` and ``{}`` are not
    (plan JSON writes ``null`` and ``[]`` for every argument left out)."""
    return not (value is None or value == "" or value == [] or value == {})


def flag(value: Any) -> bool | None | Unknown:
    """A boolean as the formats write it; ``None`` when not written."""
    if not written(value):
        return None
    if is_unknown(value):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return Unknown(f"{value!r} is not a boolean")


def number(value: Any) -> int | float | None | Unknown:
    """A number as the formats write it (CloudFormation parameters are strings)."""
    if not written(value):
        return None
    if is_unknown(value) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                return float(value.strip())
            except ValueError:
                pass
    return Unknown(f"{value!r} is not a number")


def text(value: Any) -> str | None | Unknown:
    if not written(value):
        return None
    if is_unknown(value) or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return Unknown(f"{value!r} is not a string")


@dataclass(frozen=True)
class Setting:
    """One setting, named in each format (``None``: the format has no such setting)."""

    terraform: str | None = None
    cloudformation: str | None = None

    def read(self, resource: Resource) -> tuple[Any, str | None]:
        """``(value, dotted path)``; ``(None, None)`` when not written."""
        value, path = attr(resource, terraform=self.terraform, cloudformation=self.cloudformation)
        return (value, path) if written(value) else (None, None)

    def name(self, resource: Resource) -> str:
        """The setting as a message names it (``encrypt_at_rest.enabled``: no block indexes)."""
        path = (self.cloudformation if resource.source_format == "cloudformation" else self.terraform) or "?"
        return re.sub(r"\.\d+(?=\.|$)", "", path)

    def applies(self, resource: Resource) -> bool:
        return (self.cloudformation if resource.source_format == "cloudformation" else self.terraform) is not None


def each(resource: Resource, setting: Setting) -> Iterator[tuple[str, Any]]:
    """``(dotted path, item)`` for every item of a list setting (nested blocks)."""
    value, path = setting.read(resource)
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield f"{path}.{i}", item


def get_in(item: Any, path: str) -> Any:
    """A dotted path inside a plain value (``ebs.0.encrypted``)."""
    for part in path.split("."):
        if isinstance(item, Mapping) and part in item:
            item = item[part]
        elif isinstance(item, list) and part.isdigit() and int(part) < len(item):
            item = item[int(part)]
        else:
            return None
    return item


def is_cloudformation(resource: Resource) -> bool:
    return resource.source_format == "cloudformation"


def shown(value: Any) -> str:
    """A value as a message shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


# --------------------------------------------------------------------------
# Keys: customer-managed or provider-managed


CUSTOMER = "customer"
PROVIDER = "provider"
NONE = "none"

# Kinds whose resources are keys (or key wrappers) the company manages.
CUSTOMER_KEY_KINDS = frozenset({
    "aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key", "aws_kms_replica_external_key",
    "google_kms_crypto_key", "azurerm_key_vault_key", "azurerm_key_vault_managed_hardware_security_module_key",
    "azurerm_disk_encryption_set",
})
_AWS_MANAGED_ALIAS = re.compile(r"(^|:)alias/aws/")
_AWS_CUSTOMER_KEY = re.compile(r"(^|:)(key/|alias/)|^[0-9a-f]{8}-[0-9a-f]{4}-|^mrk-")


def key_owner(value: Any, resource: Resource, scan: ReferenceIndex) -> str | Unknown:
    """Who manages the key a setting names: :data:`CUSTOMER`, :data:`PROVIDER`
    (an AWS managed key ``alias/aws/...``), :data:`NONE` (not written: the
    service's own key) or Unknown."""
    if not written(value):
        return NONE
    if isinstance(value, str):
        return PROVIDER if _AWS_MANAGED_ALIAS.search(value) else CUSTOMER
    if not is_unknown(value):
        return Unknown(f"{value!r} is not a key identifier")
    if isinstance(value, UnknownTemplate):
        if _AWS_MANAGED_ALIAS.search(value.text):
            return PROVIDER
        if ":kms:" in value.text and _AWS_CUSTOMER_KEY.search(value.text):
            return CUSTOMER
    target = scan.target(value, resource)
    if target is None:
        return value
    if target.mode == "data":  # data "aws_kms_alias" / "aws_kms_key": what it reads decides
        name = target.get("name") or target.get("key_id")
        return key_owner(name, target, scan) if isinstance(name, str) else value
    if target.kind in CUSTOMER_KEY_KINDS or target.kind in ("AWS::KMS::Key", "AWS::KMS::ReplicaKey"):
        return CUSTOMER
    if target.kind in ("aws_kms_alias", "AWS::KMS::Alias"):
        name = target.get("AliasName" if is_cloudformation(target) else "name")
        return key_owner(name, target, scan) if isinstance(name, str) else CUSTOMER
    return value


# --------------------------------------------------------------------------
# Encryption at rest: where each kind says it is encrypted, and with which key


@dataclass(frozen=True)
class AtRest:
    """How one kind of storage is encrypted at rest.

    ``switch`` turns encryption on (``None``: the service always encrypts, or
    has no switch); ``default`` is the platform's behaviour when the switch is
    not written, possibly changed by ``default_if`` (setting, value, default);
    ``inherits`` are settings that, when written, make the resource inherit
    its encryption from a snapshot, a source or a global cluster (then an
    unwritten switch says nothing); ``key`` names the KMS key, used only when
    ``key_needs`` (if any) is on.
    """

    label: str
    switch: Setting | None = None
    on_value: str | None = None  # the switch is a string naming the encryption ("KMS")
    default: bool | None = False
    default_if: tuple[tuple[Setting, str, bool], ...] = ()
    default_source: str = ""
    key: Setting | None = None
    key_needs: Setting | None = None
    key_needs_value: str | None = None
    key_implies_encryption: bool = False  # SQS: a KMS key is SSE-KMS whatever the switch says
    inherits: tuple[Setting, ...] = ()
    ebs: bool = False  # governed by the account's "EBS encryption by default"

    def encrypted(self, resource: Resource) -> tuple[bool | None | Unknown, str | None, bool]:
        """``(encrypted, path of the switch, whether the answer is the platform default)``.
        ``None``: it cannot be said (inherited from a source, or the kind has no switch)."""
        if self.switch is None:
            return (True if self.default else None), None, True
        value, path = self.switch.read(resource)
        if self.key_implies_encryption and self.key is not None:
            key, key_path = self.key.read(resource)
            if key is not None:  # a key, even one known only after apply, means SSE-KMS
                return True, key_path, False
        if value is not None:
            if is_unknown(value):
                return value, path, False
            if self.on_value is not None:
                state = text(value)
                return (state if is_unknown(state) else str(state).upper() == self.on_value), path, False
            return flag(value), path, False
        for setting in self.inherits:
            if setting.applies(resource) and setting.read(resource)[0] is not None:
                return None, None, True
        default: bool | None | Unknown = self.default
        for setting, wanted, outcome in self.default_if:
            current = text(setting.read(resource)[0])
            if is_unknown(current):
                return current, None, True
            if isinstance(current, str) and current.lower() == wanted:
                default = outcome
        return default, None, True


def _s(terraform: str | None, cloudformation: str | None = None) -> Setting:
    return Setting(terraform, cloudformation)


# Sources of the defaults are cited in the rules' documentation (ENC001, ENC002).
AT_REST: dict[str, AtRest] = {
    "aws_ebs_volume": AtRest(
        "EBS volume", _s("encrypted", "Encrypted"), default=False, ebs=True,
        key=_s("kms_key_id", "KmsKeyId"), inherits=(_s("snapshot_id", "SnapshotId"),),
        default_source="EBS volumes are unencrypted unless the account enables EBS encryption by default"),
    "aws_db_instance": AtRest(
        "RDS DB instance", _s("storage_encrypted", "StorageEncrypted"), default=False,
        key=_s("kms_key_id", "KmsKeyId"),
        inherits=(_s("replicate_source_db", "SourceDBInstanceIdentifier"),
                  _s("snapshot_identifier", "DBSnapshotIdentifier"),
                  _s("restore_to_point_in_time", "SourceDBInstanceAutomatedBackupsArn"),
                  _s(None, "SourceDbiResourceId"), _s(None, "SourceDBClusterIdentifier"),
                  _s(None, "DBClusterIdentifier")),
        default_source="RDS leaves a DB instance's storage unencrypted unless asked"),
    "aws_rds_cluster": AtRest(
        "RDS / Aurora DB cluster", _s("storage_encrypted", "StorageEncrypted"), default=False,
        default_if=((_s("engine_mode", "EngineMode"), "serverless", True),),
        key=_s("kms_key_id", "KmsKeyId"),
        inherits=(_s("snapshot_identifier", "SnapshotIdentifier"),
                  _s("replication_source_identifier", "ReplicationSourceIdentifier"),
                  _s("global_cluster_identifier", "GlobalClusterIdentifier"),
                  _s("restore_to_point_in_time", "SourceDBClusterIdentifier"),
                  _s(None, "SourceDbClusterResourceId")),
        default_source="RDS leaves a provisioned cluster's storage unencrypted unless asked"),
    "aws_docdb_cluster": AtRest(
        "DocumentDB cluster", _s("storage_encrypted", "StorageEncrypted"), default=False,
        key=_s("kms_key_id", "KmsKeyId"),
        inherits=(_s("snapshot_identifier", "SnapshotIdentifier"), _s("global_cluster_identifier", None),
                  _s("restore_to_point_in_time", "SourceDBClusterIdentifier")),
        default_source="DocumentDB leaves a cluster's storage unencrypted unless asked"),
    "aws_neptune_cluster": AtRest(
        "Neptune cluster", _s("storage_encrypted", "StorageEncrypted"), default=False,
        key=_s("kms_key_arn", "KmsKeyId"),
        inherits=(_s("snapshot_identifier", "SnapshotIdentifier"), _s("global_cluster_identifier", None),
                  _s("replication_source_identifier", "SourceDBClusterIdentifier")),
        default_source="Neptune leaves a cluster's storage unencrypted unless asked"),
    "aws_efs_file_system": AtRest(
        "EFS file system", _s("encrypted", "Encrypted"), default=False, key=_s("kms_key_id", "KmsKeyId"),
        default_source="EFS file systems created through the API are unencrypted unless asked"),
    "aws_elasticache_replication_group": AtRest(
        "ElastiCache replication group", _s("at_rest_encryption_enabled", "AtRestEncryptionEnabled"),
        default=False, default_if=((_s("engine", "Engine"), "valkey", True),),
        key=_s("kms_key_id", "KmsKeyId"),
        inherits=(_s("global_replication_group_id", "GlobalReplicationGroupId"),),
        default_source="ElastiCache encrypts Redis OSS at rest only when asked (Valkey by default)"),
    "aws_redshift_cluster": AtRest(
        "Redshift cluster", _s("encrypted", "Encrypted"), default=True, key=_s("kms_key_id", "KmsKeyId"),
        inherits=(_s("snapshot_identifier", "SnapshotIdentifier"),),
        default_source="Redshift encrypts new clusters by default"),
    "aws_opensearch_domain": AtRest(
        "OpenSearch domain", _s("encrypt_at_rest.0.enabled", "EncryptionAtRestOptions.Enabled"), default=False,
        key=_s("encrypt_at_rest.0.kms_key_id", "EncryptionAtRestOptions.KmsKeyId"),
        default_source="OpenSearch Service encrypts a domain at rest only when asked"),
    "aws_elasticsearch_domain": AtRest(
        "Elasticsearch domain", _s("encrypt_at_rest.0.enabled", "EncryptionAtRestOptions.Enabled"), default=False,
        key=_s("encrypt_at_rest.0.kms_key_id", "EncryptionAtRestOptions.KmsKeyId"),
        default_source="OpenSearch Service encrypts a domain at rest only when asked"),
    "aws_kinesis_stream": AtRest(
        "Kinesis data stream", _s("encryption_type", "StreamEncryption.EncryptionType"), on_value="KMS",
        default=False, key=_s("kms_key_id", "StreamEncryption.KeyId"),
        default_source="Kinesis Data Streams are not encrypted unless the encryption type is KMS (default NONE)"),
    "aws_sqs_queue": AtRest(
        "SQS queue", _s("sqs_managed_sse_enabled", "SqsManagedSseEnabled"), default=True,
        key=_s("kms_master_key_id", "KmsMasterKeyId"), key_implies_encryption=True,
        default_source="SQS encrypts new queues with SSE-SQS by default"),
    "aws_sns_topic": AtRest("SNS topic", key=_s("kms_master_key_id", "KmsMasterKeyId")),
    # S3: see s3_default_encryption below (the key may be written on another resource).
    "aws_s3_bucket": AtRest("S3 bucket", default=True),
    "aws_dynamodb_table": AtRest(
        "DynamoDB table", default=True,
        key=_s("server_side_encryption.0.kms_key_arn", "SSESpecification.KMSMasterKeyId"),
        key_needs=_s("server_side_encryption.0.enabled", "SSESpecification.SSEEnabled"),
        default_source="DynamoDB encrypts every table at rest (AWS owned key unless told otherwise)"),
    "aws_cloudwatch_log_group": AtRest("CloudWatch log group", default=True, key=_s("kms_key_id", "KmsKeyId")),
    "aws_secretsmanager_secret": AtRest("Secrets Manager secret", default=True, key=_s("kms_key_id", "KmsKeyId")),
    "aws_ecr_repository": AtRest(
        "ECR repository", default=True, key=_s("encryption_configuration.0.kms_key", "EncryptionConfiguration.KmsKey"),
        key_needs=_s("encryption_configuration.0.encryption_type", "EncryptionConfiguration.EncryptionType"),
        key_needs_value="KMS"),
    "aws_backup_vault": AtRest("AWS Backup vault", default=True, key=_s("kms_key_arn", "EncryptionKeyArn")),
    "google_storage_bucket": AtRest("Cloud Storage bucket", default=True, key=_s("encryption.0.default_kms_key_name")),
    "google_sql_database_instance": AtRest("Cloud SQL instance", default=True, key=_s("encryption_key_name")),
    "google_compute_disk": AtRest("Compute Engine disk", default=True,
                                  key=_s("disk_encryption_key.0.kms_key_self_link")),
    "google_bigquery_dataset": AtRest("BigQuery dataset", default=True,
                                      key=_s("default_encryption_configuration.0.kms_key_name")),
    "google_pubsub_topic": AtRest("Pub/Sub topic", default=True, key=_s("kms_key_name")),
    "google_redis_instance": AtRest("Memorystore instance", default=True, key=_s("customer_managed_key")),
    "azurerm_managed_disk": AtRest("managed disk", default=True, key=_s("disk_encryption_set_id")),
    "azurerm_storage_account": AtRest("storage account", default=True,
                                      key=_s("customer_managed_key.0.key_vault_key_id")),
}

# S3 has encrypted every new object (SSE-S3) since 5 January 2023: there is
# no "unencrypted" bucket, only a choice of key, written on the bucket
# (CloudFormation, the AWS provider before v4) or on a separate resource.
S3_BUCKET = "aws_s3_bucket"
S3_SSE_CONFIGURATION = "aws_s3_bucket_server_side_encryption_configuration"
S3_INLINE_SSE = Setting("server_side_encryption_configuration.0.rule.0.apply_server_side_encryption_by_default.0",
                        "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault")
AZURE_STORAGE_CMK = "azurerm_storage_account_customer_managed_key"


def s3_default_encryption(bucket: Resource, scan: ReferenceIndex) -> tuple[Any, Any, Resource, str | None] | Unknown:
    """``(algorithm, key, resource that says so, path)`` of a bucket's default
    encryption; ``(None, None, bucket, None)`` for the platform default (SSE-S3)."""
    value, path = S3_INLINE_SSE.read(bucket)
    if isinstance(value, Mapping):
        algo_key = ("SSEAlgorithm", "KMSMasterKeyID") if is_cloudformation(bucket) else ("sse_algorithm", "kms_master_key_id")
        return value.get(algo_key[0]), value.get(algo_key[1]), bucket, path
    if is_unknown(value):
        return value
    if is_cloudformation(bucket):
        return None, None, bucket, None
    configs, undecided = scan.referring(bucket, [S3_SSE_CONFIGURATION], Setting("bucket"), names=("bucket",))
    if configs:
        config = configs[0][0]
        for i, rule in enumerate(config.get("rule") or []):
            default = get_in(rule, "apply_server_side_encryption_by_default.0")
            if isinstance(default, Mapping):
                return (default.get("sse_algorithm"), default.get("kms_master_key_id"), config,
                        f"rule.{i}.apply_server_side_encryption_by_default.0")
        return Unknown("the encryption configuration has no default rule")
    if undecided:
        return Unknown("an encryption configuration in the scan may apply to this bucket")
    return None, None, bucket, None


def ebs_encrypted_by_default(policy: Any, scan: ReferenceIndex) -> bool:
    """Whether the account encrypts new EBS volumes by default: the policy says
    so, or the scan enables it (``aws_ebs_encryption_by_default``, enabled by default)."""
    if policy.get("encryption.ebs_encryption_by_default") is True:
        return True
    return any(r.mode == "managed" and flag(r.get("enabled")) in (True, None)
               for r in scan.of_kind("aws_ebs_encryption_by_default"))


# CloudFormation types whose backup, protection and key settings are written
# per replica (``Replicas[]``), not where the table's own type has them: the
# DATABASES / AT_REST settings do not apply to them as a whole.
PER_REPLICA_TYPES = frozenset({"AWS::DynamoDB::GlobalTable"})


# Azure: infrastructure (double) encryption.
AZURE_INFRASTRUCTURE_ENCRYPTION = Setting("infrastructure_encryption_enabled")
AZURE_DOUBLE_ENCRYPTION_TYPES = frozenset({"EncryptionAtRestWithPlatformAndCustomerKeys"})


# --------------------------------------------------------------------------
# Encryption in transit: TLS versions of named security policies

TLSVersion = tuple[int, int]
SSL3: TLSVersion = (0, 3)


def tls_version(value: str) -> TLSVersion | None:
    """``"1.2"`` / ``"TLS1_2"`` / ``"TLSv1.2"`` / ``"TLS_1_2"`` -> ``(1, 2)``."""
    m = re.fullmatch(r"(?i)\s*(?:tls\s*v?_?)?1[._](\d)\s*", value)
    if m:
        return 1, int(m.group(1))
    if re.fullmatch(r"(?i)\s*(?:tls\s*v?)?1(?:\.0)?\s*", value):
        return 1, 0
    if re.fullmatch(r"(?i)\s*sslv?3\s*", value):
        return SSL3
    return None


def show_tls(version: TLSVersion) -> str:
    return "SSLv3" if version == SSL3 else f"TLS {version[0]}.{version[1]}"


# Elastic Load Balancing predefined security policies (ALB, NLB, Classic):
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
ELB_POLICIES: dict[str, TLSVersion] = {
    "ELBSecurityPolicy-2016-08": (1, 0),
    "ELBSecurityPolicy-2015-05": (1, 0),
    "ELBSecurityPolicy-2015-03": (1, 0),
    "ELBSecurityPolicy-2015-02": (1, 0),
    "ELBSecurityPolicy-2014-10": (1, 0),
    "ELBSecurityPolicy-2014-01": (1, 0),
    "ELBSecurityPolicy-2011-08": (1, 0),
    "ELBSecurityPolicy-TLS-1-0-2015-04": (1, 0),
    "ELBSecurityPolicy-TLS-1-1-2017-01": (1, 1),
    "ELBSecurityPolicy-TLS-1-2-2017-01": (1, 2),
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": (1, 2),
    "ELBSecurityPolicy-FS-2018-06": (1, 0),
    "ELBSecurityPolicy-FS-1-1-2019-08": (1, 1),
    "ELBSecurityPolicy-FS-1-2-2019-08": (1, 2),
    "ELBSecurityPolicy-FS-1-2-Res-2019-08": (1, 2),
    "ELBSecurityPolicy-FS-1-2-Res-2020-10": (1, 2),
    "ELBSecurityPolicy-TLS13-1-0-2021-06": (1, 0),
    "ELBSecurityPolicy-TLS13-1-1-2021-06": (1, 1),
    "ELBSecurityPolicy-TLS13-1-2-2021-06": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06": (1, 2),
    "ELBSecurityPolicy-TLS13-1-3-2021-06": (1, 3),
}
# Families whose name carries the minimum version (FIPS and post-quantum
# variants, policies newer than the table).
_ELB_FAMILY = re.compile(r"^ELBSecurityPolicy-(?:TLS13|TLS|FS)-1-(\d)-")


def elb_policy_version(name: str) -> TLSVersion | None:
    if name in ELB_POLICIES:
        return ELB_POLICIES[name]
    m = _ELB_FAMILY.match(name)
    return (1, int(m.group(1))) if m else None


# CloudFront viewer security policies:
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html
CLOUDFRONT_POLICIES: dict[str, TLSVersion] = {
    "SSLv3": SSL3,
    "TLSv1": (1, 0),
    "TLSv1_2016": (1, 0),
    "TLSv1.1_2016": (1, 1),
    "TLSv1.2_2018": (1, 2),
    "TLSv1.2_2019": (1, 2),
    "TLSv1.2_2021": (1, 2),
    "TLSv1.2_2025": (1, 2),
    "TLSv1.3_2025": (1, 3),
}
# With the default *.cloudfront.net certificate the policy is always TLSv1.
CLOUDFRONT_DEFAULT_CERTIFICATE_POLICY = "TLSv1"
# Without minimum_protocol_version, a custom certificate gets TLSv1 (provider default).
CLOUDFRONT_DEFAULT_POLICY = "TLSv1"


def cloudfront_policy_version(name: str) -> TLSVersion | None:
    if name in CLOUDFRONT_POLICIES:
        return CLOUDFRONT_POLICIES[name]
    m = re.match(r"^TLSv1\.(\d)_\d{4}$", name)
    return (1, int(m.group(1))) if m else None


# API Gateway custom domain security policies (legacy TLS_1_0 / TLS_1_2 and
# the enhanced SecurityPolicy_* names):
# https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html
def apigateway_policy_version(name: str) -> TLSVersion | None:
    if name in ("TLS_1_0", "TLS_1_2"):
        return 1, int(name[-1])
    m = re.match(r"^SecurityPolicy_TLS13_1_(\d)_", name)
    if m:
        return 1, int(m.group(1))
    if re.match(r"^SecurityPolicy_TLS13_\d{4}_", name):
        return 1, 3
    if name.startswith("SecurityPolicy_TLS12_"):
        return 1, 2
    return None


# Azure and Google Cloud write a version, spelled in several ways
# ("TLS1_2", "1.2", "TLS_1_2"). Azure SQL accepts "Disabled": no minimum.
def written_tls_version(value: str) -> TLSVersion | None:
    if value.strip().lower() == "disabled":
        return 1, 0
    return tls_version(value)


# --------------------------------------------------------------------------
# Key rotation

_ISO_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T.*)?$")


def iso_duration_days(value: str) -> float | None:
    """``P90D`` -> 90, ``P1Y`` -> 365 (a month counts 30 days)."""
    m = _ISO_DURATION.match(value.strip().upper())
    if not m or not any(m.groups()[:4]):
        return None
    years, months, weeks, days = (int(g or 0) for g in m.groups()[:4])
    return years * 365 + months * 30 + weeks * 7 + days


def seconds_days(value: str) -> float | None:
    """Google's ``"7776000s"`` -> 90."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)s\s*", value)
    return float(m.group(1)) / 86400 if m else None


# --------------------------------------------------------------------------
# Stateful resources: databases and stores whose loss loses data


@dataclass(frozen=True)
class Database:
    """Continuity settings of one kind of database.

    ``backup`` is the retention in days (``backup_default`` when not written,
    0 meaning off); ``backup_switch`` turns automated backups on at all
    (DynamoDB PITR, Cloud SQL); ``protection`` is deletion protection
    (``protection_default`` when not written); ``redundancy`` says whether the
    database survives the loss of a zone; ``replica_of`` marks read replicas
    and cluster members, whose backups, protection and redundancy belong to
    their source or cluster.
    """

    label: str
    backup: Setting | None = None
    backup_default: int | None = None
    backup_switch: Setting | None = None
    backup_unit: str = "days"
    protection: Setting | None = None
    protection_default: bool | None = False
    redundancy: Setting | None = None
    redundant_values: tuple[Any, ...] = (True,)
    redundancy_default: Any = None
    members: tuple[str, ...] = ()  # kinds of the cluster's instances (redundancy = 2 or more)
    member_link: Setting | None = None
    replica_of: tuple[Setting, ...] = ()


_RDS_MEMBER = (_s("replicate_source_db", "SourceDBInstanceIdentifier"), _s(None, "DBClusterIdentifier"),
               _s(None, "SourceDBClusterIdentifier"))

DATABASES: dict[str, Database] = {
    # AWS: CreateDBInstance / CreateDBCluster keep automated backups 1 day by default.
    "aws_db_instance": Database(
        "RDS DB instance", backup=_s("backup_retention_period", "BackupRetentionPeriod"), backup_default=1,
        protection=_s("deletion_protection", "DeletionProtection"),
        redundancy=_s("multi_az", "MultiAZ"), redundancy_default=False, replica_of=_RDS_MEMBER),
    "aws_rds_cluster": Database(
        "RDS / Aurora DB cluster", backup=_s("backup_retention_period", "BackupRetentionPeriod"), backup_default=1,
        protection=_s("deletion_protection", "DeletionProtection"),
        members=("aws_rds_cluster_instance", "aws_db_instance"),
        member_link=_s("cluster_identifier", "DBClusterIdentifier"),
        replica_of=(_s("replication_source_identifier", "ReplicationSourceIdentifier"),)),
    "aws_docdb_cluster": Database(
        "DocumentDB cluster", backup=_s("backup_retention_period", "BackupRetentionPeriod"), backup_default=1,
        protection=_s("deletion_protection", "DeletionProtection"),
        members=("aws_docdb_cluster_instance",), member_link=_s("cluster_identifier", "DBClusterIdentifier")),
    "aws_neptune_cluster": Database(
        "Neptune cluster", backup=_s("backup_retention_period", "BackupRetentionPeriod"), backup_default=1,
        protection=_s("deletion_protection", "DeletionProtection"),
        members=("aws_neptune_cluster_instance",), member_link=_s("cluster_identifier", "DBClusterIdentifier"),
        replica_of=(_s("replication_source_identifier", None),)),
    "aws_redshift_cluster": Database(
        "Redshift cluster", backup=_s("automated_snapshot_retention_period", "AutomatedSnapshotRetentionPeriod"),
        backup_default=1),
    # DynamoDB: point-in-time recovery is off by default; when on, it keeps 35 days unless told otherwise.
    "aws_dynamodb_table": Database(
        "DynamoDB table", backup=_s("point_in_time_recovery.0.recovery_period_in_days",
                                    "PointInTimeRecoverySpecification.RecoveryPeriodInDays"),
        backup_default=35,
        backup_switch=_s("point_in_time_recovery.0.enabled", "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled"),
        protection=_s("deletion_protection_enabled", "DeletionProtectionEnabled")),
    # Azure: flexible servers and SQL databases keep 7 days of backups by default.
    "azurerm_postgresql_flexible_server": Database(
        "Azure Database for PostgreSQL flexible server", backup=_s("backup_retention_days"), backup_default=7,
        redundancy=_s("high_availability.0.mode"), redundant_values=("ZoneRedundant",),
        redundancy_default="no high_availability block"),
    "azurerm_mysql_flexible_server": Database(
        "Azure Database for MySQL flexible server", backup=_s("backup_retention_days"), backup_default=7,
        redundancy=_s("high_availability.0.mode"), redundant_values=("ZoneRedundant",),
        redundancy_default="no high_availability block"),
    "azurerm_mssql_database": Database(
        "Azure SQL database", backup=_s("short_term_retention_policy.0.retention_days"), backup_default=7),
    # Google Cloud SQL: automated backups are off unless enabled; 7 backups (one a day) are kept.
    "google_sql_database_instance": Database(
        "Cloud SQL instance",
        backup=_s("settings.0.backup_configuration.0.backup_retention_settings.0.retained_backups"),
        backup_default=7, backup_unit="daily backups",
        backup_switch=_s("settings.0.backup_configuration.0.enabled"),
        redundancy=_s("settings.0.availability_type"), redundant_values=("REGIONAL",), redundancy_default="ZONAL",
        replica_of=(_s("master_instance_name"),)),
}

# Kinds whose destruction destroys data (BCK002's prevent_destroy / DeletionPolicy check).
STATEFUL: frozenset[str] = frozenset({
    *DATABASES,
    "aws_s3_bucket", "aws_efs_file_system", "aws_ebs_volume", "aws_kms_key", "aws_backup_vault",
    "aws_elasticache_replication_group", "aws_opensearch_domain", "aws_elasticsearch_domain",
    "aws_secretsmanager_secret", "aws_ecr_repository", "aws_kinesis_stream", "aws_sqs_queue",
    "azurerm_storage_account", "azurerm_mssql_server", "azurerm_cosmosdb_account", "azurerm_key_vault",
    "azurerm_key_vault_key", "azurerm_managed_disk", "azurerm_recovery_services_vault",
    "google_storage_bucket", "google_spanner_instance", "google_spanner_database", "google_bigquery_dataset",
    "google_bigquery_table", "google_bigtable_instance", "google_bigtable_table", "google_kms_crypto_key",
    "google_compute_disk", "google_filestore_instance", "google_firestore_database", "google_redis_instance",
    "google_alloydb_cluster",
})
# CloudFormation keeps the data of a deleted resource with these DeletionPolicy values.
CFN_KEEPING_POLICIES = frozenset({"Retain", "RetainExceptOnCreate", "Snapshot"})


def cfn_default_deletion_policy(resource: Resource) -> str:
    """``Snapshot`` for RDS clusters and stand-alone instances, ``Delete`` otherwise:
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html"""
    if resource.type == "AWS::RDS::DBCluster":
        return "Snapshot"
    if resource.type == "AWS::RDS::DBInstance" and not written(resource.get("DBClusterIdentifier")):
        return "Snapshot"
    return "Delete"


def lifecycle(resource: Resource) -> Mapping[str, Any] | None:
    """The Terraform ``lifecycle`` block (a list of one mapping or a mapping)."""
    value = resource.meta.get("lifecycle")
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, Mapping) else None


def member_count(cluster: Resource, db: Database, scan: ReferenceIndex) -> int | Unknown | None:
    """How many instances of the scan belong to ``cluster`` (``None``: none
    found, the instances may be declared elsewhere)."""
    if db.member_link is None:
        return None
    members, undecided = scan.referring(cluster, db.members, db.member_link,
                                        names=("cluster_identifier", "DBClusterIdentifier"))
    if not members:
        return Unknown("instances may be declared elsewhere") if undecided else None
    total = 0
    for member, _ in members:
        if is_unknown(member.count):
            return member.count
        total += int(member.count)
    return Unknown("more instances may be declared elsewhere") if undecided and total < 2 else total


# --------------------------------------------------------------------------
# Tags

# Where a kind keeps its tags when it is not the format's usual place
# (``tags`` / ``labels`` / ``Tags``): (terraform, cloudformation).
TAG_ATTRIBUTES: dict[str, tuple[str | None, str | None]] = {
    "google_sql_database_instance": ("settings.0.user_labels", None),
    "aws_efs_file_system": ("tags", "FileSystemTags"),
    "aws_backup_vault": ("tags", "BackupVaultTags"),
    "aws_backup_plan": ("tags", "BackupPlanTags"),
}

# Kinds that take tags (AWS tags, Azure tags, Google labels). A resource of
# a kind not listed here is checked only when it writes tags itself.
# Deliberately left out: kinds whose tags the AWS provider's default_tags do
# not reach (aws_autoscaling_group's tag blocks) and attachment-like kinds.
TAGGABLE: frozenset[str] = frozenset("""
aws_acm_certificate aws_api_gateway_domain_name aws_api_gateway_rest_api aws_api_gateway_stage
aws_apigatewayv2_api aws_apigatewayv2_domain_name aws_apigatewayv2_stage aws_appautoscaling_target
aws_athena_workgroup aws_backup_plan aws_backup_vault aws_batch_compute_environment aws_batch_job_queue
aws_cloudformation_stack aws_cloudfront_distribution aws_cloudtrail aws_cloudwatch_event_bus
aws_cloudwatch_event_rule aws_cloudwatch_log_group aws_cloudwatch_metric_alarm aws_codebuild_project
aws_codepipeline aws_cognito_user_pool aws_customer_gateway aws_db_cluster_snapshot aws_db_instance
aws_db_parameter_group aws_db_snapshot aws_db_subnet_group aws_default_vpc aws_directory_service_directory
aws_dms_replication_instance aws_docdb_cluster aws_docdb_cluster_instance aws_dynamodb_table aws_ebs_snapshot
aws_ebs_volume aws_ec2_transit_gateway aws_ec2_transit_gateway_vpc_attachment aws_ecr_repository aws_ecs_cluster
aws_ecs_service aws_ecs_task_definition aws_efs_access_point aws_efs_file_system aws_egress_only_internet_gateway
aws_eip aws_eks_cluster aws_eks_node_group aws_elasticache_cluster aws_elasticache_replication_group
aws_elasticache_serverless_cache aws_elasticache_subnet_group aws_elasticsearch_domain aws_elb aws_emr_cluster
aws_fsx_lustre_file_system aws_fsx_ontap_file_system aws_fsx_windows_file_system aws_glue_crawler aws_glue_job
aws_iam_policy aws_iam_role aws_iam_user aws_instance aws_internet_gateway aws_kinesis_firehose_delivery_stream
aws_kinesis_stream aws_kms_key aws_kms_replica_key aws_lambda_function aws_launch_template aws_lb aws_alb
aws_lb_listener aws_alb_listener aws_lb_listener_rule aws_lb_target_group aws_alb_target_group aws_mq_broker
aws_msk_cluster aws_nat_gateway aws_neptune_cluster aws_neptune_cluster_instance aws_network_acl
aws_network_interface aws_opensearch_domain aws_rds_cluster aws_rds_cluster_instance aws_rds_cluster_parameter_group
aws_redshift_cluster aws_redshift_subnet_group aws_route53_health_check aws_route53_zone aws_route_table
aws_s3_bucket aws_sagemaker_endpoint aws_sagemaker_model aws_sagemaker_notebook_instance aws_secretsmanager_secret
aws_security_group aws_sfn_state_machine aws_sns_topic aws_sqs_queue aws_ssm_document aws_ssm_parameter
aws_subnet aws_transfer_server aws_vpc aws_vpc_endpoint aws_vpc_peering_connection aws_vpn_connection
aws_vpn_gateway aws_wafv2_web_acl
azurerm_application_gateway azurerm_app_service azurerm_app_service_plan azurerm_container_registry
azurerm_cosmosdb_account azurerm_data_factory azurerm_dns_zone azurerm_eventhub_namespace azurerm_function_app
azurerm_key_vault azurerm_kubernetes_cluster azurerm_linux_function_app azurerm_linux_virtual_machine
azurerm_linux_virtual_machine_scale_set azurerm_linux_web_app azurerm_lb azurerm_log_analytics_workspace
azurerm_managed_disk azurerm_mssql_database azurerm_mssql_server azurerm_mysql_flexible_server
azurerm_network_interface azurerm_network_security_group azurerm_postgresql_flexible_server
azurerm_private_endpoint azurerm_public_ip azurerm_recovery_services_vault azurerm_redis_cache
azurerm_resource_group azurerm_service_plan azurerm_servicebus_namespace azurerm_storage_account
azurerm_virtual_machine azurerm_virtual_network
azurerm_windows_function_app azurerm_windows_virtual_machine azurerm_windows_web_app
google_alloydb_cluster google_bigquery_dataset google_bigquery_table google_bigtable_instance
google_cloud_run_service google_cloud_run_v2_service google_cloudfunctions_function google_cloudfunctions2_function
google_compute_address google_compute_disk google_compute_forwarding_rule google_compute_image
google_compute_instance google_compute_instance_template google_compute_snapshot google_container_cluster
google_container_node_pool google_dataproc_cluster google_filestore_instance google_kms_crypto_key
google_pubsub_subscription google_pubsub_topic google_redis_instance google_secret_manager_secret
google_spanner_instance google_sql_database_instance google_storage_bucket
""".split())


def tags_of(resource: Resource) -> tuple[Mapping[str, Any] | Unknown | None, str]:
    """The tags of a resource and the attribute they are written in.

    ``None`` when the kind keeps its tags elsewhere and none are written."""
    override = TAG_ATTRIBUTES.get(resource.kind)
    if override is not None:
        tf_path, cfn_path = override
        path = cfn_path if is_cloudformation(resource) else tf_path
        if path and path not in ("tags", "Tags"):
            value = resource.get(path)
            if value is None:
                return {}, path
            if is_unknown(value):
                return value, path
            if isinstance(value, Mapping):
                return dict(value), path
            if isinstance(value, list):
                out: dict[str, Any] = {}
                for item in value:
                    if not (isinstance(item, Mapping) and isinstance(item.get("Key"), str)):
                        return Unknown("tags are built dynamically"), path
                    out[item["Key"]] = item.get("Value")
                return out, path
            return Unknown(f"{path} is not a mapping"), path
    if is_cloudformation(resource):
        return resource.tags, "Tags"
    return resource.tags, ("labels" if resource.cloud == "gcp" else "tags")


def takes_tags(resource: Resource) -> bool:
    """Whether the resource's kind takes tags: listed, or the resource writes some."""
    if resource.kind in TAGGABLE or resource.type in TAGGABLE:
        return True
    for path in ("Tags", "tags", "labels"):
        if written(resource.attributes.get(path)):
            return True
    return False
