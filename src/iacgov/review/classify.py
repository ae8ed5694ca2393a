"""Change classification: what each change means for the company's control.

Each ``classify_*`` function looks at one idea and returns
:class:`~iacgov.review.model.Decision` objects routed to the authority the
base policy names. Platform knowledge comes from the core, as the rules'
does (:mod:`iacgov.platform`: stores that hold data, encryption switches,
database backup / protection / redundancy settings, TLS tables; ``iam`` and
``grants``: administrator rights), never from the rule pack and never copied:
the review classifies the same with ``-p no:builtin_rules``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import lru_cache
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping, Sequence

from iacgov.kinds import CFN_TO_TERRAFORM
from iacgov import platform
from iacgov.fingerprint import stack_of
from iacgov.model import Finding, Resource, is_unknown
from iacgov.review.diff import ADDED, CHANGED, MOVED, REMOVED, REPLACED, AttributeChange, ResourceChange, unknown_text
from iacgov.review.model import Decision, EnvironmentCost, authority_of

# --------------------------------------------------------------------------- helpers

_MAX_SHOWN = 80


def show(value: Any) -> str:
    """A value as a decision shows it (one line, at most 80 characters)."""
    if value is None:
        return "(not set)"
    if is_unknown(value):
        return unknown_text(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _decision(change_class: str, policy: Any, resource: Resource, detail: str, attribute: str | None = None,
              side: str = "head", **properties: Any) -> Decision:
    loc = resource.location_of(attribute)
    if attribute:
        properties = {"attribute": attribute, **properties}
    return Decision(change_class, authority_of(change_class, policy), resource.address, loc.path, loc.line, detail,
                    side, properties, stack_of(resource))


def _place(change: ResourceChange, attribute: str | None = None) -> tuple[Resource, str]:
    """Where a decision about ``change`` points: the head resource, else the base one."""
    if change.after is not None:
        return change.after, "head"
    return change.before, "base"  # type: ignore[return-value]


def forget_sorted() -> None:
    """Nothing kept any more (the classifiers of clouds, regions and services no longer sort the sides)."""


# --------------------------------------------------------------------------- clouds, regions, services

# Hosting providers: a Terraform provider (or CloudFormation) that runs the
# company's workloads or stores its data. Utility providers (random, null,
# tls, time, local, archive, http, external, kubernetes, helm...) are not
# new suppliers.
CLOUD_PROVIDERS = frozenset({
    "aws", "azure", "gcp", "oci", "alicloud", "ibm", "digitalocean", "scaleway", "ovh", "hcloud", "linode",
    "vultr", "exoscale", "outscale", "openstack", "vsphere", "cloudflare", "tencentcloud", "huaweicloud",
    "upcloud", "ionoscloud", "stackit", "akamai", "fastly", "heroku", "vercel", "snowflake", "mongodbatlas",
    "confluent", "databricks",
})
CLOUD_NAMES = platform.CLOUD_NAMES  # the catalog's clouds.yaml names


def _file_order(r: Resource) -> tuple[str, int, str]:
    return (r.location.path, r.location.line, r.address)


def _used(resources: Iterable[Resource], key: Callable[[Resource], Any]) -> set[Any]:
    """The key values of the managed resources (None among them when a key says None)."""
    return {key(r) for r in resources if r.mode == "managed"}


def _first_by(resources: Iterable[Resource], key: Callable[[Resource], Any],
              wanted: Callable[[Any], bool]) -> dict[Any, tuple[Resource, int]]:
    """First managed resource in file order (path, line, address; the scan's order among equals, as a stable
    sort gives) and count, per key value that is not None and ``wanted``: one pass, the side not sorted (a
    review asked this of every resource of both sides, sorted: 10,000 files, 0.9 s)."""
    out: dict[Any, tuple[Resource, int]] = {}
    for r in resources:
        if r.mode != "managed":
            continue
        k = key(r)
        if k is None or not wanted(k):
            continue
        got = out.get(k)
        if got is None:
            out[k] = (r, 1)
        else:
            first, n = got
            out[k] = (r if _file_order(r) < _file_order(first) else first, n + 1)
    return out


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def classify_clouds(base: Sequence[Resource], head: Sequence[Resource], policy: Any) -> list[Decision]:
    used = _used(base, lambda r: r.cloud)
    found = _first_by(head, lambda r: r.cloud if r.cloud in CLOUD_PROVIDERS else None, lambda c: c not in used)
    out = []
    for cloud, (first, n) in sorted(found.items()):
        if cloud not in used:
            name = CLOUD_NAMES.get(cloud, cloud)
            out.append(_decision("new_cloud_provider", policy, first,
                                 f"{name}: not used in base → {_count(n, 'resource')} in head", cloud=cloud))
    return out


def _region_key(r: Resource) -> tuple[str, str] | None:
    return (r.cloud, r.region) if isinstance(r.region, str) and r.region else None


def classify_regions(base: Sequence[Resource], head: Sequence[Resource], policy: Any) -> list[Decision]:
    used = {k for k in _used(base, _region_key) if k}
    base_clouds = _used(base, lambda r: r.cloud)
    found = _first_by(head, _region_key, lambda k: k not in used and k[0] in base_clouds)
    out = []
    for (cloud, region), (first, n) in sorted(found.items()):
        if (cloud, region) not in used and cloud in base_clouds:  # a new cloud is decided as such
            before = sorted(r for c, r in used if c == cloud)
            was = ", ".join(before) if before else "none"
            out.append(_decision("new_region", policy, first,
                                 f"{CLOUD_NAMES.get(cloud, cloud)} region {region}: base uses {was} → "
                                 f"{_count(n, 'resource')} in {region}", cloud=cloud, region=region))
    return out


_TERRAFORM_TO_CFN = {tf: cfn for cfn, tf in sorted(CFN_TO_TERRAFORM.items(), reverse=True)}
# First words of Terraform type names that do not name their service.
_SERVICE_ALIASES = {
    "aws": {"db": "RDS", "rds": "RDS", "instance": "EC2", "ebs": "EC2", "eip": "EC2", "security": "EC2",
            "vpc": "EC2", "subnet": "EC2", "route": "EC2", "internet": "EC2", "nat": "EC2", "network": "EC2",
            "launch": "EC2", "ami": "EC2", "key": "EC2", "default": "EC2", "ec2": "EC2", "placement": "EC2",
            "lb": "ElasticLoadBalancingV2", "alb": "ElasticLoadBalancingV2", "elb": "ElasticLoadBalancing",
            "api": "ApiGateway", "apigatewayv2": "ApiGatewayV2", "elasticsearch": "OpenSearchService",
            "opensearch": "OpenSearchService", "s3control": "S3", "cloudwatch_log": "Logs",
            "cloudwatch_event": "Events", "cloudwatch": "CloudWatch", "vpc_endpoint": "EC2", "acm": "CertificateManager",
            "sfn": "StepFunctions", "secretsmanager": "SecretsManager", "iam": "IAM", "kms": "KMS"},
    "azure": {"linux": "compute", "windows": "compute", "virtual_machine": "compute", "managed": "compute",
              "virtual_network": "network", "subnet": "network", "network": "network", "public": "network",
              "lb": "network", "private": "network", "application": "network", "mssql": "sql", "role": "authorization",
              "kubernetes": "kubernetes", "resource": "resources", "key": "keyvault", "log": "loganalytics",
              "service": "appservice", "app": "appservice", "function": "appservice"},
    "gcp": {"project": "resourcemanager", "folder": "resourcemanager", "organization": "resourcemanager",
            "service": "iam", "cloud_run": "run", "cloud_run_v2": "run", "secret": "secretmanager",
            "cloudfunctions2": "cloudfunctions", "sql": "sql"},
}
_CFN_SERVICE = re.compile(r"^([A-Za-z0-9]+)::([A-Za-z0-9]+)::")


def service_of(resource: Resource) -> str | None:
    """``aws:rds`` for ``aws_db_instance`` and ``AWS::RDS::DBInstance``; None for non-cloud types.

    One name per service, in lower case, from the platform catalog's
    ``service`` of the kind; a kind the catalog does not list takes the
    service of the longest catalog kind its name extends
    (``aws_s3_bucket_notification`` -> ``aws_s3_bucket`` -> ``s3``), so that a
    bucket and its companions are one service. Kinds of services the catalog
    does not know fall back to the CloudFormation table and the first word
    of the Terraform type, lower-cased as well.
    """
    if resource.cloud not in CLOUD_PROVIDERS:
        return None
    known = _catalog_service(resource.type)
    if known is not None:
        return known
    rtype = _TERRAFORM_TO_CFN.get(resource.type, resource.type)
    m = _CFN_SERVICE.match(rtype)
    if m:
        return f"{resource.cloud}:{m.group(2).lower()}"
    words = rtype.split("_")[1:]
    if not words:
        return None
    aliases = _SERVICE_ALIASES.get(resource.cloud, {})
    for n in (3, 2, 1):
        joined = "_".join(words[:n])
        if len(words) >= n and joined in aliases:
            return f"{resource.cloud}:{aliases[joined].lower()}"
    return f"{resource.cloud}:{words[0].lower()}"


@lru_cache(maxsize=4096)
def _catalog_service(rtype: str) -> str | None:
    from iacgov import platform

    found = platform.entry(rtype)
    if found is None and "::" not in rtype:
        kinds = platform.catalog().kinds
        parents = [k for k in kinds if rtype.startswith(k + "_")]
        found = kinds[max(parents, key=len)] if parents else None
    if found is None or not found.get("service") or not found.get("cloud"):
        return None
    return f"{found['cloud']}:{str(found['service']).lower()}"


# How a service is written for people: CloudFormation's spelling (S3, RDS, EC2) where one exists.
_SERVICE_LABELS = {m.group(2).lower(): m.group(2) for m in map(_CFN_SERVICE.match, CFN_TO_TERRAFORM) if m} | {
    v.lower(): v for v in _SERVICE_ALIASES["aws"].values()}


def service_label(service: str) -> str:
    """``S3`` for ``aws:s3``; other clouds keep the catalog's lower-case name."""
    cloud, _, name = service.partition(":")
    return _SERVICE_LABELS.get(name, name) if cloud == "aws" else name


def classify_services(base: Sequence[Resource], head: Sequence[Resource], policy: Any) -> list[Decision]:
    services: dict[tuple[str, str], str | None] = {}  # a resource's service is its cloud's and type's

    def kind_service(r: Resource) -> str | None:
        kind = (r.cloud, r.type)
        got = services.get(kind, False)
        if got is False:
            got = services[kind] = service_of(r)
        return got  # type: ignore[return-value]

    used = _used(base, kind_service)
    base_clouds = _used(base, lambda r: r.cloud)
    found = _first_by(head, kind_service, lambda s: s not in used and s.split(":", 1)[0] in base_clouds)
    out = []
    for service, (first, n) in sorted(found.items()):
        cloud = service.split(":", 1)[0]
        if service in used or cloud not in base_clouds:  # a new cloud is decided as such
            continue
        label = service_label(service)
        out.append(_decision("new_service", policy, first,
                             f"{CLOUD_NAMES.get(cloud, cloud)} {label}: not used in base → "
                             f"{_count(n, 'resource')} ({first.type})", service=service))
    return out


# --------------------------------------------------------------------------- storage class

# kind -> dotted paths (``*`` for any list index) that name a storage class or tier: the catalog's storage_class.
STORAGE_CLASS: dict[str, tuple[str, ...]] = {
    kind: tuple(e["storage_class"]) for kind, e in platform.catalog().kinds.items() if "storage_class" in e}


def _glob(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(path).replace(r"\*", r"\d+") + "$")


_STORAGE_PATTERNS = {kind: [_glob(p) for p in paths] for kind, paths in STORAGE_CLASS.items()}


def _storage_values(resource: Resource | None) -> dict[str, Any]:
    from iacgov.review.diff import flatten

    if resource is None:
        return {}
    patterns = _STORAGE_PATTERNS.get(resource.kind, ())
    return {p: v for p, v in flatten(dict(resource.attributes)).items() if any(x.match(p) for x in patterns)}


def classify_storage_class(changes: Sequence[ResourceChange], policy: Any) -> list[Decision]:
    out = []
    for change in changes:
        if change.action not in (CHANGED, MOVED, REPLACED) or change.kind not in STORAGE_CLASS:
            continue
        patterns = _STORAGE_PATTERNS[change.kind]
        moved = [c for c in change.attributes if any(p.match(c.path) for p in patterns)]
        if moved:
            first = moved[0]
            detail = "; ".join(f"{c.path}: {show(c.before)} → {show(c.after)}" for c in moved[:4])
            out.append(_decision("storage_class_change", policy, change.after, detail, first.path))
    return out


# --------------------------------------------------------------------------- stateful deletion


def _stateful() -> frozenset[str]:
    from iacgov.platform import kinds_with

    return kinds_with("holds_data")  # the catalog's stores: what BCK002 protects


def classify_stateful(changes: Sequence[ResourceChange], policy: Any) -> list[Decision]:
    stateful = _stateful()
    out = []
    for change in changes:
        if not change.destroys or change.kind not in stateful:
            continue
        r = change.before or change.after
        if change.action == REMOVED:
            why = f"; {change.move_refused}" if change.move_refused else ""
            out.append(_decision("stateful_delete", policy, r, f"{r.type} deleted (its data is destroyed){why}",
                                 side="base"))
        else:
            why = ", ".join(change.replaced_because) or "planned replacement"
            shown = [c for c in change.attributes if c.path.split(".", 1)[0] in change.replaced_because][:3]
            values = "; ".join(f"{c.path}: {show(c.before)} → {show(c.after)}" for c in shown)
            if "region" in change.replaced_because and change.before is not None and change.after is not None:
                values = "; ".join(filter(None, [f"region: {show(change.before.region)} → {show(change.after.region)}",
                                                 values]))
            attribute = shown[0].path if shown else None
            out.append(_decision("stateful_delete", policy, change.after, f"{r.type} replaced (destroyed and "
                                 f"re-created) because {why} changes" + (f": {values}" if values else ""), attribute))
    return out


# --------------------------------------------------------------------------- security downgrades

DOWNGRADE_FAMILIES = ("ENC", "LOG", "BCK", "LOC")
# Kinds whose deletion switches a protection off (logging, public access blocks, encryption settings):
# the catalog's protective entries.
PROTECTIVE_KINDS: dict[str, str] = {kind: e["protective"] for kind, e in platform.catalog().kinds.items() if "protective" in e}
# (kind or "*", attribute, what "worse" means): explicit comparisons that
# need no policy. "off": true -> false; "on": false -> true (exposure).
SWITCHES: tuple[tuple[str, str, str, str], ...] = (
    ("aws_cloudtrail", "enable_logging", "off", "logging turned off"),
    ("aws_cloudtrail", "is_multi_region_trail", "off", "multi-region trail turned off"),
    ("aws_cloudtrail", "enable_log_file_validation", "off", "log file validation turned off"),
    ("aws_cloudtrail", "IsLogging", "off", "logging turned off"),
    ("aws_cloudtrail", "IsMultiRegionTrail", "off", "multi-region trail turned off"),
    ("aws_cloudtrail", "EnableLogFileValidation", "off", "log file validation turned off"),
    ("aws_s3_bucket_public_access_block", "block_public_acls", "off", "public ACLs no longer blocked"),
    ("aws_s3_bucket_public_access_block", "block_public_policy", "off", "public bucket policies no longer blocked"),
    ("aws_s3_bucket_public_access_block", "ignore_public_acls", "off", "public ACLs no longer ignored"),
    ("aws_s3_bucket_public_access_block", "restrict_public_buckets", "off", "public buckets no longer restricted"),
    ("aws_s3_bucket", "PublicAccessBlockConfiguration.BlockPublicAcls", "off", "public ACLs no longer blocked"),
    ("aws_s3_bucket", "PublicAccessBlockConfiguration.BlockPublicPolicy", "off",
     "public bucket policies no longer blocked"),
    ("aws_s3_bucket", "PublicAccessBlockConfiguration.IgnorePublicAcls", "off", "public ACLs no longer ignored"),
    ("aws_s3_bucket", "PublicAccessBlockConfiguration.RestrictPublicBuckets", "off",
     "public buckets no longer restricted"),
    ("*", "publicly_accessible", "on", "made publicly accessible"),
    ("*", "PubliclyAccessible", "on", "made publicly accessible"),
    ("*", "public_network_access_enabled", "on", "public network access enabled"),
    ("*", "allow_nested_items_to_be_public", "on", "blobs may be made public"),
    ("*", "map_public_ip_on_launch", "on", "public IP addresses assigned on launch"),
    ("*", "associate_public_ip_address", "on", "public IP address assigned"),
    ("aws_elasticache_replication_group", "transit_encryption_enabled", "off", "encryption in transit turned off"),
    ("aws_elasticache_replication_group", "TransitEncryptionEnabled", "off", "encryption in transit turned off"),
    ("azurerm_storage_account", "https_traffic_only_enabled", "off", "plain HTTP allowed"),
    ("azurerm_storage_account", "enable_https_traffic_only", "off", "plain HTTP allowed"),
    ("aws_kms_key", "enable_key_rotation", "off", "key rotation turned off"),
    ("aws_kms_key", "EnableKeyRotation", "off", "key rotation turned off"),
    ("*", "lifecycle.0.prevent_destroy", "off", "prevent_destroy removed"),
    ("*", "lifecycle.prevent_destroy", "off", "prevent_destroy removed"),
)
PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read", "PublicRead", "PublicReadWrite",
                         "AuthenticatedRead"})
PUBLIC_CIDRS = frozenset({"0.0.0.0/0", "::/0"})
PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
# TLS settings: (kind, Terraform / CloudFormation path, reader name in iacgov.platform.knowledge).
TLS_SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("aws_lb_listener", "ssl_policy", "elb_policy_version"),
    ("aws_lb_listener", "SslPolicy", "elb_policy_version"),
    ("aws_cloudfront_distribution", "viewer_certificate.0.minimum_protocol_version", "cloudfront_policy_version"),
    ("aws_cloudfront_distribution", "DistributionConfig.ViewerCertificate.MinimumProtocolVersion",
     "cloudfront_policy_version"),
    ("aws_api_gateway_domain_name", "security_policy", "apigateway_policy_version"),
    ("aws_api_gateway_domain_name", "SecurityPolicy", "apigateway_policy_version"),
    ("azurerm_storage_account", "min_tls_version", "written_tls_version"),
    ("azurerm_mssql_server", "minimum_tls_version", "written_tls_version"),
    ("google_compute_ssl_policy", "min_tls_version", "written_tls_version"),
    # App Service and Functions: every kind the catalog gives a min_tls setting (ENC003 reads the same list)
    *((kind, path, "written_tls_version") for kind, path in sorted(platform.min_tls_settings().items())),
)


def _flag(value: Any) -> bool | None:
    from iacgov.platform.values import flag

    result = flag(value)
    return result if isinstance(result, bool) else None


def _number(value: Any) -> float | None:
    from iacgov.platform.values import number

    result = number(value)
    return float(result) if isinstance(result, (int, float)) and not is_unknown(result) else None


def _downgrades(change: ResourceChange) -> list[tuple[str | None, str]]:
    """(attribute, what got worse) for a resource that exists on both sides."""
    from iacgov.platform import knowledge as P

    before, after = change.before, change.after
    assert before is not None and after is not None
    found: list[tuple[str | None, str]] = []
    kind = after.kind

    at_rest = P.at_rest_table().get(kind)
    if at_rest is not None:
        was, _, _ = at_rest.encrypted(before)
        now, path, _ = at_rest.encrypted(after)
        if was is True and now is False:
            found.append((path, f"encryption at rest turned off ({path or 'default'}: {show(was)} → {show(now)})"))

    db = P.database_table().get(kind)
    if db is not None:
        if db.backup is not None:
            old = _number(db.backup.read(before)[0])
            new_value, path = db.backup.read(after)
            new = _number(new_value)
            old = db.backup_default if old is None and db.backup.read(before)[0] is None else old
            new = db.backup_default if new is None and new_value is None else new
            if old is not None and new is not None and new < old:
                found.append((path, f"backup retention shortened ({db.backup.name(after)}): {old:g} → {new:g} "
                                    f"{db.backup_unit}"))
        for switch, what in ((db.backup_switch, "automated backups"), (db.protection, "deletion protection")):
            if switch is None:
                continue
            was = _flag(switch.read(before)[0])
            value, path = switch.read(after)
            if was is True and _flag(value) in (False, None) and not is_unknown(value):
                found.append((path, f"{what} turned off ({switch.name(after)}: true → {show(value)})"))
        if db.redundancy is not None:
            old, _ = db.redundancy.read(before)
            new, path = db.redundancy.read(after)
            old = db.redundancy_default if old is None else old
            new = db.redundancy_default if new is None else new
            was = old in db.redundant_values or (isinstance(old, str) and old.lower() == "true" and True in
                                                 db.redundant_values)
            now = new in db.redundant_values or (isinstance(new, str) and new.lower() == "true" and True in
                                                 db.redundant_values)
            if was and not now and not is_unknown(new):
                found.append((path, f"zone redundancy turned off ({db.redundancy.name(after)}: {show(old)} → "
                                    f"{show(new)})"))

    for attribute in ("retention_in_days", "RetentionInDays"):  # log groups, Log Analytics: 0 / unset = forever
        if kind in ("aws_cloudwatch_log_group", "azurerm_log_analytics_workspace", "google_logging_project_bucket_config"):
            old, new = _number(before.get(attribute)), _number(after.get(attribute))
            forever_old = old in (None, 0) and kind == "aws_cloudwatch_log_group" and before.get(attribute) in (None, 0)
            if (new is not None and new > 0 and ((old is not None and old > 0 and new < old) or forever_old)):
                was = "never expire" if forever_old else f"{old:g} days"
                found.append((attribute, f"log retention shortened: {was} → {new:g} days"))

    for k, path, reader in TLS_SETTINGS:
        if kind != k:
            continue
        old, new = before.get(path), after.get(path)
        if isinstance(old, str) and isinstance(new, str) and old != new:
            read = getattr(P, reader)
            v_old, v_new = read(old), read(new)
            if v_old and v_new and v_new < v_old:
                found.append((path, f"minimum TLS lowered: {P.show_tls(v_old)} → {P.show_tls(v_new)} "
                                    f"({show(old)} → {show(new)})"))

    for k, path, worse, label in SWITCHES:
        if k not in ("*", kind):
            continue
        source = before.meta if path.startswith("lifecycle") else before.attributes
        target = after.meta if path.startswith("lifecycle") else after.attributes
        old = _flag(_get(source, path))
        new_raw = _get(target, path)
        new = _flag(new_raw)
        if worse == "off" and old is True and new is not True and not is_unknown(new_raw):
            found.append((None if path.startswith("lifecycle") else path, f"{label} ({path}: true → {show(new_raw)})"))
        if worse == "on" and old is not True and new is True:
            found.append((path, f"{label} ({path}: {show(_get(source, path))} → true)"))

    for path in ("acl", "AccessControl"):
        old, new = before.get(path), after.get(path)
        if new in PUBLIC_ACLS and old not in PUBLIC_ACLS:
            found.append((path, f"public ACL: {show(old)} → {show(new)}"))
    return found + _public_grants(before, after)


def _get(values: Mapping[str, Any], path: str) -> Any:
    return platform.get_path(values, path)  # the one path walker


def _public_sources(resource: Resource | None) -> set[str]:
    """Ingress rules open to the internet and grants to everyone, as ``path=value``."""
    from iacgov.review.diff import flatten

    if resource is None:
        return set()
    out = set()
    for path, value in flatten(dict(resource.attributes)).items():
        if not isinstance(value, str):  # flatten keeps empty lists and mappings as leaves: unhashable
            continue
        ingress = path.startswith(("ingress.", "SecurityGroupIngress.")) or (
            resource.kind in ("aws_security_group_rule",) and resource.get("type") == "ingress") or \
            resource.kind in ("aws_vpc_security_group_ingress_rule",) or resource.type == "AWS::EC2::SecurityGroupIngress"
        if ingress and value in PUBLIC_CIDRS:
            out.add(f"{re.sub(r'.[0-9]+$', '', path)}={value}")
        if value in PUBLIC_MEMBERS and re.search(r"(^|\.)(member|members)(\.|$)", path):
            out.add(f"{re.sub(r'.[0-9]+$', '', path)}={value}")
    return out


def _public_grants(before: Resource | None, after: Resource) -> list[tuple[str | None, str]]:
    new = sorted(_public_sources(after) - _public_sources(before))
    if not new:
        return []
    first = new[0].split("=", 1)[0]
    return [(first if first in after.attribute_locations else None,
             "public exposure added: " + ", ".join(new[:3]))]


def classify_security(changes: Sequence[ResourceChange], new_findings_on_existing: Sequence[tuple[Finding, Resource]],
                      policy: Any) -> list[Decision]:
    out = []
    for change in changes:
        if change.action in (CHANGED, MOVED, REPLACED) and change.before is not None and change.after is not None:
            for attribute, what in _downgrades(change):
                out.append(_decision("security_downgrade", policy, change.after, what, attribute))
        elif change.action == ADDED and change.after is not None:
            for attribute, what in _public_grants(None, change.after):
                out.append(_decision("security_downgrade", policy, change.after, what, attribute))
        elif change.action == REMOVED and change.before is not None and change.kind in PROTECTIVE_KINDS:
            out.append(_decision("security_downgrade", policy, change.before,
                                 f"{PROTECTIVE_KINDS[change.kind]} ({change.before.type} deleted)", side="base"))
    explicit = {(d.address, d.file, d.line) for d in out}
    for finding, resource in new_findings_on_existing:
        # A finding on a line an explicit comparison already reports says the same thing again.
        if finding.family in DOWNGRADE_FAMILIES and (finding.address, finding.location.path,
                                                    finding.location.line) not in explicit:
            loc = finding.location
            out.append(Decision("security_downgrade", authority_of("security_downgrade", policy), finding.address,
                                loc.path, loc.line, f"new {finding.code}: {finding.message}", "head",
                                {"finding": finding.code}, finding.stack or ""))
    return out


# --------------------------------------------------------------------------- administrator access

# kind -> (Terraform, CloudFormation) attribute of its key policy: the catalog's
# resource_policy entries that protect a key (the list ADM001 and ADM004 read).
KEY_POLICY_KINDS = {
    kind: (attribute, next((a for t, (a, _w) in platform.resource_policies().items() if "::" in t
                            and platform.kind_of(t) == kind), None))
    for kind, (attribute, what) in platform.resource_policies().items() if what == "key" and "::" not in kind}
AUTHORITATIVE = re.compile(r"^(google_(project|folder|organization)_iam_(binding|policy)|aws_iam_policy_attachment|"
                           r"aws_iam_group_membership|aws_iam_role_policy_attachments_exclusive|"
                           r"aws_iam_role_policies_exclusive|azuread_group)$")
_KEY_IAM = re.compile(r"^google_kms_(crypto_key|key_ring)_iam_|^azurerm_key_vault_access_policy$")
_TAGS_ONLY = ("tags", "Tags", "labels")


def _admin_reason(resource: Resource, resources: Sequence[Resource], policy: Any) -> str | None:
    """Why a resource touches administrator access, or None."""
    from iacgov.platform import grants as _grants, iam as _iam

    kind = resource.kind
    if kind in KEY_POLICY_KINDS:
        tf, cfn = KEY_POLICY_KINDS[kind]
        if resource.get(cfn if resource.source_format == "cloudformation" and cfn else tf) is not None:
            return "key policy"
    if _KEY_IAM.match(kind):
        return "key access policy"
    if AUTHORITATIVE.match(kind):
        if kind != "azuread_group" or resource.get("members") is not None:
            return "authoritative IAM"
    if kind == "azurerm_role_assignment" and _grants.azure_admin_role(resource):
        return "administrator role assignment"
    if re.match(r"^google_(project|folder|organization)_iam_member$", kind):
        role = resource.get("role")
        if isinstance(role, str) and role.lower() in _grants.GCP_ADMIN_ROLES:
            return "administrator role grant"
    if kind in ("aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"):
        name = _iam.managed_policy_name(resource.get("policy_arn"))
        if name in _iam.ADMIN_MANAGED_POLICIES:
            return f"administrator policy {name}"
    if kind in ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy",
                "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):  # CloudFormation types of their own (no tags)
        doc = _iam.policy_document(resource.get("PolicyDocument" if resource.source_format == "cloudformation"
                                                else "policy"))
        if _iam.document_is_admin(doc):
            return "administrator policy"
    if kind == "aws_iam_role":
        if _iam.iam_index(resources).is_admin(resource):
            return "administrator role"
    for entry in _break_glass(policy):
        if entry and entry in json.dumps(dict(resource.attributes), default=str):
            return f"break-glass principal {entry}"
    return None


def _break_glass(policy: Any) -> list[str]:
    entries = policy.get("admin_access.break_glass") or {} if policy is not None else {}
    out = []
    for values in entries.values() if isinstance(entries, Mapping) else ():
        for value in values or ():
            text = str(value)
            out.append(text)
            if ":role/" in text or ":user/" in text:  # the role is named by its name in its own block
                out.append(text.rsplit("/", 1)[-1])
    return out


def classify_admin(changes: Sequence[ResourceChange], base: Sequence[Resource], head: Sequence[Resource],
                   new_adm_findings: Sequence[Finding], policy: Any) -> list[Decision]:
    out: list[Decision] = []
    decided: set[tuple[str, str]] = set()  # (root, address): dev's decision is not prod's
    for change in changes:
        if change.action in (CHANGED, MOVED) and all(c.path.split(".")[0] in _TAGS_ONLY for c in change.attributes):
            continue
        reason = None
        if change.after is not None:
            reason = _admin_reason(change.after, head, policy)
        if reason is None and change.before is not None:
            reason = _admin_reason(change.before, base, policy)
        if reason is None:
            continue
        resource, side = _place(change)
        verb = {ADDED: "added", REMOVED: "deleted", REPLACED: "replaced", MOVED: "moved"}.get(change.action, "changed")
        touched = [c.path for c in change.attributes if c.path.split(".")[0] not in _TAGS_ONLY]
        what = f" ({', '.join(sorted({p.split('.')[0] for p in touched})[:4])})" if change.action == CHANGED and touched else ""
        attribute = touched[0].split(".")[0] if change.action == CHANGED and touched else None
        out.append(_decision("admin_access_change", policy, resource, f"{reason} {verb}{what}",
                             attribute if attribute in resource.attribute_locations else None, side))
        decided.add((stack_of(resource), resource.address))
    for finding in new_adm_findings:
        if (finding.stack, finding.address) not in decided:  # no stack (ambiguous root): decided again
            decided.add((finding.stack, finding.address))
            out.append(Decision("admin_access_change", authority_of("admin_access_change", policy), finding.address,
                                finding.location.path, finding.location.line, f"new {finding.code}: {finding.message}",
                                "head", {"finding": finding.code}, finding.stack or ""))
    return out


# --------------------------------------------------------------------------- cost

SIZING = frozenset({
    "instance_type", "instance_class", "allocated_storage", "max_allocated_storage", "size", "iops", "throughput",
    "node_type", "num_cache_nodes", "num_node_groups", "replicas_per_node_group", "sku_name", "sku", "vm_size",
    "machine_type", "tier", "desired_size", "min_size", "max_size", "desired_capacity", "scaling_config",
    "node_count", "instance_count", "capacity", "read_capacity", "write_capacity", "disk_size_gb", "storage_mb",
    "InstanceType", "DBInstanceClass", "AllocatedStorage", "Size", "Iops", "CacheNodeType", "NumCacheNodes",
    "DesiredCapacity", "MinSize", "MaxSize", "ScalingConfig", "ProvisionedThroughput", "settings",
})

Key = tuple[str, str]  # (root module, address): an address is unique only within its root


def _sizing_changes(change: ResourceChange) -> list[AttributeChange]:
    out = []
    for c in change.attributes:
        top = c.path.split(".")[0]
        if top == "settings" and not c.path.endswith(".tier"):
            continue
        if top in SIZING:
            out.append(c)
    return out


def _money(value: Decimal) -> str:
    from iacgov.cost.model import format_money

    return format_money(value)


def _signed(value: Decimal) -> str:
    from iacgov.cost.model import format_money

    return format_money(value, signed=True)


def classify_cost(costs: Sequence[EnvironmentCost], contributions: Mapping[str, Sequence[tuple[Key, Decimal]]],
                  changes: Sequence[ResourceChange], head_env: Mapping[Key, str], policy: Any,
                  months: Sequence[Any] = ()) -> list[Decision]:
    """``contributions``: per environment, ((root, address), monthly delta) most first;
    ``head_env``: head (root, address) -> environment; ``months``: the monthly
    envelopes (:class:`iacgov.review.envelope.MonthUse`) this change overruns or not."""
    from iacgov.review.envelope import envelope_for

    over = set()
    out = []
    by_key = {(c.stack, c.address): c for c in changes}  # addresses repeat across roots
    monthly = {m.environment: m for m in months}
    for row in costs:
        envelope = envelope_for(policy, row.environment, row.base).per_change  # "10%": of the base cost
        month = monthly.get(row.environment)
        if month is not None and row.known and month.over and (envelope is None or row.delta <= envelope):
            over.add(row.environment)
            out.append(_month_decision(row, month, contributions, by_key, policy))
            continue
        if envelope is None or (row.known and row.delta <= envelope):
            continue
        over.add(row.environment)
        if not row.known:
            out.append(_unknown_cost(row, envelope, changes, head_env, policy))
            continue
        top = [(a, d) for a, d in contributions.get(row.environment, ()) if d > 0]
        largest = ", ".join(f"{a} {_signed(d)}" for (_, a), d in top[:3])
        detail = (f"{row.environment}: {_money(row.base)} → {_money(row.head)} a month ({_signed(row.delta)}, "
                  f"envelope {_money(envelope)})" + (f"; largest: {largest}" if largest else ""))
        change = by_key.get(top[0][0]) if top else None
        resource = (change.after or change.before) if change else None
        if resource is not None:
            out.append(_decision("cost_over_envelope", policy, resource, detail, environment=row.environment,
                                 delta=str(row.delta)))
        else:
            out.append(Decision("cost_over_envelope", authority_of("cost_over_envelope", policy),
                                f"environment {row.environment}", "", 1, detail, "head",
                                {"environment": row.environment, "delta": str(row.delta)}))
    for change in changes:
        if change.action not in (CHANGED, MOVED) or change.after is None:
            continue
        sizing = _sizing_changes(change)
        if not sizing:
            continue
        env = head_env.get((change.stack, change.address))
        if env in over:
            continue
        detail = "; ".join(f"{c.path}: {show(c.before)} → {show(c.after)}" for c in sizing[:3])
        enveloped = env is not None and envelope_for(policy, env) != envelope_for(None, env)
        suffix = f" (within the {env} envelope)" if enveloped else ""
        out.append(_decision("resize_within_envelope", policy, change.after, detail + suffix, sizing[0].path))
    return out


def _month_decision(row: EnvironmentCost, month: Any, contributions: Mapping[str, Sequence[tuple[Key, Decimal]]],
                    by_key: Mapping[Key, ResourceChange], policy: Any) -> Decision:
    """Within the per-change envelope, over the monthly one: the merged changes of the month count."""
    n = month.changes
    detail = (f"{row.environment}: {_money(month.used)} of {_money(month.per_month)} used this month by "
              f"{n} change{'' if n == 1 else 's'} (since {month.since.isoformat()}); this change adds "
              f"{_money(row.delta)} → {_money(month.total)}, over the monthly envelope")
    top = [(a, d) for a, d in contributions.get(row.environment, ()) if d > 0]
    change = by_key.get(top[0][0]) if top else None
    resource = (change.after or change.before) if change else None
    props = {"environment": row.environment, "delta": str(row.delta), "month_used": str(month.used)}
    if resource is not None:
        return _decision("cost_over_envelope", policy, resource, detail, **props)
    return Decision("cost_over_envelope", authority_of("cost_over_envelope", policy), f"environment {row.environment}",
                    "", 1, detail, "head", props)


def _unknown_cost(row: EnvironmentCost, envelope: Decimal, changes: Sequence[ResourceChange],
                  head_env: Mapping[Key, str], policy: Any) -> Decision:
    """An environment whose monthly change cannot be known: over the envelope, saying why."""
    shown = "; ".join(row.unknown[:3]) + (f"; and {len(row.unknown) - 3} more" if len(row.unknown) > 3 else "")
    detail = (f"{row.environment}: the monthly change cannot be known — priced in base, not priceable in head: "
              f"{shown}. An unknown increase is treated as over the envelope ({_money(envelope)})")
    first = row.unknown[0].split(": ", 1)[0]
    # The change of that address in this environment's root (the address may repeat in other roots).
    change = next((c for c in changes if c.address == first and head_env.get((c.stack, c.address)) == row.environment),
                  None)
    resource = (change.after or change.before) if change is not None else None
    props = {"environment": row.environment, "delta": "unknown"}
    if resource is not None:
        return _decision("cost_over_envelope", policy, resource, detail, **props)
    return Decision("cost_over_envelope", authority_of("cost_over_envelope", policy), f"environment {row.environment}",
                    "", 1, detail, "head", props)


# --------------------------------------------------------------------------- files: policy and pipeline

PIPELINE_FILES = re.compile(
    r"^(\.github/workflows/[^/]+\.ya?ml|\.github/actions/.+|action\.ya?ml|\.pre-commit-config\.yaml|"
    r"\.pre-commit-hooks\.yaml|\.gitlab-ci\.yml|\.gitlab/ci/.+\.ya?ml|azure-pipelines\.ya?ml|\.azure-pipelines/.+|"
    r"bitbucket-pipelines\.yml|\.circleci/config\.yml|Jenkinsfile|\.buildkite/.+|\.drone\.yml|\.woodpecker\.ya?ml|"
    r"\.woodpecker/.+|\.ci/.+|atlantis\.ya?ml|\.spacelift/.+)$")
_MENTIONS = re.compile(rb"iacgov", re.IGNORECASE)
# Who must review the gate's own files: any change to it is a pipeline change, iacgov named or not.
CODEOWNERS_FILES = frozenset({"CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"})


def classify_files(changed: Mapping[str, tuple[bytes | None, bytes | None]], governance: Mapping[str, str],
                   policy: Any) -> list[Decision]:
    """``changed``: path -> (base bytes, head bytes), None where the file does
    not exist; ``governance``: path -> what it is (policy, rate card...)."""
    out = []
    for path in sorted(changed):
        old, new = changed[path]
        state = "added" if old is None else "deleted" if new is None else "modified"
        side = "base" if new is None else "head"
        if path in governance:
            out.append(Decision("policy_change", authority_of("policy_change", policy), path, path,
                                _first_changed_line(old, new), f"{governance[path]} {state}", side))
        elif path in CODEOWNERS_FILES:
            out.append(Decision("pipeline_change", authority_of("pipeline_change", policy), path, path,
                                _first_changed_line(old, new), f"CODEOWNERS {state} (who must approve the "
                                "policy and the workflows that run iacgov)", side))
        elif PIPELINE_FILES.match(path) and any(b is not None and _MENTIONS.search(b) for b in (old, new)):
            what = "stops mentioning iacgov" if new is not None and not _MENTIONS.search(new) else state
            out.append(Decision("pipeline_change", authority_of("pipeline_change", policy), path, path,
                                _first_changed_line(old, new), f"CI configuration running iacgov {what}", side))
    return out


def _first_changed_line(old: bytes | None, new: bytes | None) -> int:
    if old is None or new is None:
        return 1
    a, b = old.splitlines(), new.splitlines()
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i + 1
    return min(len(a), len(b)) + 1 if len(b) > len(a) else max(len(b), 1)


# --------------------------------------------------------------------------- suppressions


def classify_suppressions(added: Sequence[Finding], policy: Any) -> list[Decision]:
    """A finding the head hides with a suppression the base did not have."""
    out = []
    for finding in added:
        s = finding.suppression
        assert s is not None
        expiry = f", expires {s.expires}" if s.expires else ""
        where = s.location or finding.location  # the comment (or Metadata) that suppresses
        out.append(Decision("suppression_added", authority_of("suppression_added", policy), finding.address,
                            where.path, where.line,
                            f"{finding.code} suppressed ({s.kind}): {s.reason}{expiry}", "head",
                            {"finding": finding.code}, finding.stack or ""))
    return out


def group_contributions(base_costs: Iterable[tuple[Key, Any]], head_costs: Iterable[tuple[Key, Any]],
                        rename: Mapping[Key, str]) -> dict[str, list[tuple[Key, Decimal]]]:
    """Per environment, each head resource's monthly delta against its base (moves followed), largest first:
    lines keyed by (root, address), as addresses repeat across roots; ``rename``: base key -> head address."""
    old: dict[Key, Decimal] = defaultdict(Decimal)
    for (stack, address), c in base_costs:
        old[(stack, rename.get((stack, address), address))] += c.monthly
    deltas: dict[str, dict[Key, Decimal]] = defaultdict(dict)
    seen = set()
    for key, c in head_costs:
        deltas[c.environment][key] = deltas[c.environment].get(key, Decimal(0)) + c.monthly - (
            old.get(key, Decimal(0)) if key not in seen else 0)
        seen.add(key)
    return {env: sorted(d.items(), key=lambda x: (-x[1], x[0])) for env, d in deltas.items()}
