"""Platform knowledge shared by the ENC, LOG, BCK and TAG rules.

The facts are the platform catalog's (``src/iacgov/platform/catalog/``, read
through :mod:`iacgov.api` ``platform``): which kinds of resource store data
and where each one says it is encrypted and with which key, which TLS versions
the providers' named security policies accept, which kinds are stateful
databases and where their backup, deletion-protection and redundancy settings
live, which kinds take tags. The names below keep the rules' imports; what is
left here is the behaviour only rules need (key owners, S3 default
encryption, member counts, tags).

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
from collections.abc import Mapping  # not typing.Mapping: isinstance() on it is several times slower
from typing import Any, Iterator

from iacgov.api import ReferenceIndex, Resource, Unknown, UnknownTemplate, attr, is_unknown, same_root
from iacgov.api import platform  # the catalog: one fact about a platform written once, as data

# --------------------------------------------------------------------------
# Reading values


# One value reader and one path walker, in the core (iacgov.platform.values).
written = platform.written
flag = platform.flag
number = platform.number
text = platform.text
Setting = platform.Setting
get_in = platform.get_path  # a dotted path inside a plain value (``ebs.0.encrypted``)


def each(resource: Resource, setting: Setting) -> Iterator[tuple[str, Any]]:
    """``(dotted path, item)`` for every item of a list setting (nested blocks)."""
    value, path = setting.read(resource)
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield f"{path}.{i}", item


def is_cloudformation(resource: Resource) -> bool:
    return resource.source_format == "cloudformation"


def setting_is(resource: Resource, name: str, value: str) -> str:
    """A setting and its value as the resource's own format writes them: ``name = value``
    in HCL, ``Name: value`` in a YAML template, ``"Name": value`` in a JSON one (a dotted
    CloudFormation property nests: ``SSESpecification: {SSEEnabled: true}``)."""
    if not is_cloudformation(resource):
        return f"{name} = {value}"
    *outer, last = name.split(".")
    if resource.location.path.lower().endswith(".json"):
        inner = f'"{last}": {value}'
        for key in reversed(outer):
            inner = f'"{key}": {{{inner}}}'
        return inner
    inner = f"{last}: {value}"
    for key in reversed(outer):
        inner = f"{key}: {{{inner}}}"
    return inner


def default_note(resource: Resource, path: str | None) -> str:
    """`` (the Default of parameter Encrypt ...)`` when the value at ``path`` is a
    CloudFormation parameter left at its Default, `` (the default of variable x ...)``
    when it is a Terraform argument written as a variable left at its default:
    the deployment, or the caller, may pass another value."""
    if not path:
        return ""
    if is_cloudformation(resource):
        defaults = resource.meta.get("parameter_defaults")
        name = defaults.get(path) if isinstance(defaults, Mapping) else None
        return f" (the Default of parameter {name}, unless the deployment passes another value)" if name else ""
    defaults = resource.meta.get("variable_defaults")
    name = defaults.get(path) if isinstance(defaults, Mapping) else None
    return f" (the default of variable {name}, unless a value is passed for it)" if name else ""


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

# Kinds whose resources are keys (or key wrappers) the company manages (catalog: customer_key).
CUSTOMER_KEY_KINDS = platform.kinds_with("customer_key")
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


# How each kind of storage is encrypted at rest: the catalog's ``encryption``
# entries (switch, platform default with its source, key, inherited settings).
AtRest = platform.AtRest
AT_REST = platform.at_rest_table()

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


def ebs_encrypted_by_default(policy: Any, scan: ReferenceIndex, resource: Resource) -> bool:
    """Whether new EBS volumes where ``resource`` lives are encrypted by default: the policy says so (the company
    enabled it in every account and region it uses), or ``resource``'s own root module enables it
    (``aws_ebs_encryption_by_default``, on unless ``enabled = false``) in ``resource``'s region.

    Only its own root module's, and only a known, equal region: the setting is per account and region, and
    root modules are often separate accounts (``envs/dev``, ``envs/prod``) — dev's setting must not clear
    prod's unencrypted volume. Unknown (a region not known statically, ``enabled`` not known): not encrypted."""
    if policy.get("encryption.ebs_encryption_by_default") is True:
        return True
    return any(in_same_account_scope(on, resource) for on in _ebs_defaults_on(scan))


def _ebs_defaults_on(scan: ReferenceIndex) -> tuple[Resource, ...]:
    """Every ``aws_ebs_encryption_by_default`` that is on (once per scan)."""
    return scan.memo("ebs_defaults_on", lambda index: tuple(
        r for r in index.of_kind("aws_ebs_encryption_by_default")
        if r.mode == "managed" and flag(r.get("enabled")) in (True, None)))


def same_deployment(a: Resource, b: Resource) -> bool:
    """Whether two resources are known to go to one account: the same Terraform root module (or plan), the
    same CloudFormation template. Root modules and templates are often separate accounts (``envs/dev``,
    ``envs/prod``), so an account-wide setting of one is not assumed to cover the other."""
    return same_root(a, b) and (not is_cloudformation(a) or a.location.path == b.location.path)


def in_same_account_scope(setting: Resource, resource: Resource) -> bool:
    """Whether an account-and-region-wide ``setting`` (``aws_ebs_default_kms_key``) is known to apply to
    ``resource``: declared in its root module, in its region (both known)."""
    return same_deployment(setting, resource) and isinstance(resource.region, str) and setting.region == resource.region


# CloudFormation types whose backup, protection and key settings are written
# per replica (``Replicas[]``), not where the table's own type has them: the
# DATABASES / AT_REST settings do not apply to them as a whole.
PER_REPLICA_TYPES = platform.per_replica_types()


# Azure: infrastructure (double) encryption.
AZURE_INFRASTRUCTURE_ENCRYPTION = Setting("infrastructure_encryption_enabled")
AZURE_DOUBLE_ENCRYPTION_TYPES = frozenset({"EncryptionAtRestWithPlatformAndCustomerKeys"})


# --------------------------------------------------------------------------
# Encryption in transit: TLS versions of named security policies

# The providers' named security policies and the lowest TLS version each
# accepts are catalog tables (with their sources); the readers are in the core.
TLSVersion = platform.TLSVersion
SSL3 = platform.SSL3
tls_version = platform.tls_version
show_tls = platform.show_tls
ELB_POLICIES = platform.tls_table("elasticloadbalancingv2.tls_policies")
elb_policy_version = platform.elb_policy_version
CLOUDFRONT_POLICIES = platform.tls_table("cloudfront.tls_policies")
# With the default *.cloudfront.net certificate the policy is always TLSv1;
# without minimum_protocol_version, a custom certificate gets TLSv1 (provider default).
CLOUDFRONT_DEFAULT_CERTIFICATE_POLICY = platform.table("cloudfront.tls_defaults")["default_certificate"]
CLOUDFRONT_DEFAULT_POLICY = platform.table("cloudfront.tls_defaults")["custom_certificate"]
cloudfront_policy_version = platform.cloudfront_policy_version
apigateway_policy_version = platform.apigateway_policy_version
written_tls_version = platform.written_tls_version


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


# Continuity settings of each kind of database (backup, deletion protection,
# redundancy, cluster members, replicas): the catalog's ``database`` entries.
Database = platform.Database
DATABASES = platform.database_table()

# Kinds whose destruction destroys data (BCK002's prevent_destroy / DeletionPolicy check): ``holds_data``.
STATEFUL: frozenset[str] = platform.kinds_with("holds_data")
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
# (``tags`` / ``labels`` / ``Tags``): (terraform, cloudformation); the catalog's ``tags``.
TAG_ATTRIBUTES = platform.tag_attributes()

# Kinds that take tags (AWS tags, Azure tags, Google labels): the catalog's
# ``taggable``. A resource of a kind not listed is checked only when it writes
# tags itself. Deliberately left out: kinds whose tags the AWS provider's
# default_tags do not reach (aws_autoscaling_group's tag blocks) and attachment-like kinds.
TAGGABLE: frozenset[str] = platform.kinds_with("taggable")


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
