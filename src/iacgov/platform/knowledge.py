"""Behaviour over the catalog's facts: encryption at rest, database
continuity, tags, TLS policy versions. Each table is built once from
:func:`iacgov.platform.catalog.catalog` (one fact, written once, as data)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from iacgov.model import Unknown, is_unknown
from iacgov.platform.loader import catalog
from iacgov.platform.values import Setting, flag, text

# --------------------------------------------------------------------------- encryption at rest


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
    source: str = ""  # the provider documentation of the default

    def encrypted(self, resource: Any) -> tuple[bool | None | Unknown, str | None, bool]:
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


def _at_rest(label: str, spec: Mapping[str, Any]) -> AtRest:
    return AtRest(
        label, Setting.of(spec.get("switch")), spec.get("on_value"), spec["default"],
        tuple((Setting.of(d["setting"]), d["equals"], d["then"]) for d in spec.get("default_if", ())),
        spec.get("note", ""), Setting.of(spec.get("key")), Setting.of(spec.get("key_needs")),
        spec.get("key_needs_value"), bool(spec.get("key_implies_encryption")),
        tuple(Setting.of(s) for s in spec.get("inherits", ())), bool(spec.get("ebs")), spec["source"])


@lru_cache(maxsize=1)
def at_rest_table() -> Mapping[str, AtRest]:
    """Kind -> how it is encrypted at rest (the kinds whose entry has ``encryption`` with a default)."""
    return {kind: _at_rest(e["label"], e["encryption"]) for kind, e in catalog().kinds.items()
            if "default" in e.get("encryption", {})}


# --------------------------------------------------------------------------- databases


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
    backup_maximum: int | None = None  # the longest automated retention the service offers
    source: str = ""


def _database(label: str, spec: Mapping[str, Any]) -> Database:
    return Database(
        label, Setting.of(spec.get("backup")), spec.get("backup_default"), Setting.of(spec.get("backup_switch")),
        spec.get("backup_unit", "days"), Setting.of(spec.get("protection")), spec.get("protection_default", False),
        Setting.of(spec.get("redundancy")), tuple(spec.get("redundant_values", (True,))),
        spec.get("redundancy_default"), tuple(spec.get("members", ())), Setting.of(spec.get("member_link")),
        tuple(Setting.of(s) for s in spec.get("replica_of", ())), spec.get("backup_maximum"), spec["source"])


@lru_cache(maxsize=1)
def database_table() -> Mapping[str, Database]:
    """Kind -> its continuity settings (the kinds whose entry has ``database``)."""
    return {kind: _database(e["label"], e["database"]) for kind, e in catalog().kinds.items() if "database" in e}


@lru_cache(maxsize=1)
def per_replica_types() -> frozenset[str]:
    """CloudFormation types whose backup, protection and key settings are written per replica."""
    return frozenset(t for e in catalog().kinds.values() for t in e.get("per_replica_types", ()))


@lru_cache(maxsize=1)
def tag_attributes() -> Mapping[str, tuple[str | None, str | None]]:
    """Kind -> (Terraform, CloudFormation) attribute holding its tags, where not the usual one."""
    return {kind: (e["tags"].get("terraform"), e["tags"].get("cloudformation"))
            for kind, e in catalog().kinds.items() if "tags" in e}


# --------------------------------------------------------------------------- TLS policies

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


@lru_cache(maxsize=None)
def tls_table(name: str) -> Mapping[str, TLSVersion]:
    """A service's policy name -> lowest TLS version table (``elasticloadbalancingv2.tls_policies``)."""
    return {k: (int(v[0]), int(v[1])) for k, v in catalog().tables[name]["values"].items()}


# Families whose name carries the minimum version (FIPS and post-quantum
# variants, policies newer than the table).
_ELB_FAMILY = re.compile(r"^ELBSecurityPolicy-(?:TLS13|TLS|FS)-1-(\d)-")


def elb_policy_version(name: str) -> TLSVersion | None:
    table = tls_table("elasticloadbalancingv2.tls_policies")
    if name in table:
        return table[name]
    m = _ELB_FAMILY.match(name)
    return (1, int(m.group(1))) if m else None


def cloudfront_policy_version(name: str) -> TLSVersion | None:
    table = tls_table("cloudfront.tls_policies")
    if name in table:
        return table[name]
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


# --------------------------------------------------------------------------- replacement, copies, location


@lru_cache(maxsize=1)
def forces_new() -> Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Kind -> (Terraform arguments, CloudFormation properties) whose change replaces it (top-level names)."""
    return {kind: (tuple(e["forces_replacement"].get("terraform", ())),
                   tuple(e["forces_replacement"].get("cloudformation", ())))
            for kind, e in catalog().kinds.items() if "forces_replacement" in e}


@lru_cache(maxsize=1)
def copy_resources() -> Mapping[str, tuple[str, str]]:
    """Resource type (either format) -> (attribute naming the source, what it is), for
    resources that *are* a copy of another resource's data."""
    out: dict[str, tuple[str, str]] = {}
    for kind, e in catalog().kinds.items():
        spec = e.get("copy_of")
        if spec is None:
            continue
        if "terraform" in spec:
            out[kind] = (spec["terraform"], spec["what"])
        if "cloudformation" in spec:
            for cfn in e.get("cloudformation", ()):
                out[cfn] = (spec["cloudformation"], spec["what"])
    return out


@lru_cache(maxsize=1)
def copy_destinations() -> Mapping[str, tuple[str, str, str]]:
    """Resource type (either format) -> (what the copy is, ``*`` path of its
    destination, whether the value is a ``region`` or an ``arn`` to resolve)."""
    out: dict[str, tuple[str, str, str]] = {}
    for kind, e in catalog().kinds.items():
        for spec in e.get("copies_to", ()):
            if "terraform" in spec:
                out[kind] = (spec["what"], spec["terraform"], spec["value"])
            if "cloudformation" in spec:
                for cfn in ([spec["type"]] if "type" in spec else e.get("cloudformation", ())):
                    out[cfn] = (spec["what"], spec["cloudformation"], spec["value"])
    return out


def location_attributes() -> Mapping[str, tuple[str, ...]]:
    """Cloud -> the attributes a resource's own location is written in (Terraform)."""
    return {cloud: tuple(spec["location_attributes"]) for cloud, spec in catalog().clouds.items()}


def gcp_dual_regions() -> Mapping[str, tuple[str, ...]]:
    """Google Cloud's predefined dual-regions, as the regions they span."""
    return {name: tuple(regions) for name, regions in catalog().clouds["gcp"]["dual_regions"].items()}


def gcp_multi_regions() -> frozenset[str]:
    return frozenset(catalog().clouds["gcp"]["multi_regions"])


@lru_cache(maxsize=None)
def global_types(cloud: str, fmt: str = "terraform") -> re.Pattern[str] | None:
    """The types of ``cloud`` that have no region of their own, as one pattern (None: none)."""
    patterns = catalog().clouds.get(cloud, {}).get(f"global_{fmt}", ())
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


@lru_cache(maxsize=None)
def global_locations(cloud: str) -> frozenset[str]:
    """Location values of ``cloud`` that name no region (Azure's ``global``), lower case."""
    return frozenset(v.lower() for v in catalog().clouds.get(cloud, {}).get("global_locations", ()))


# --------------------------------------------------------------------------- policies, keys, TLS settings


@lru_cache(maxsize=1)
def resource_policies() -> Mapping[str, tuple[str, str]]:
    """Resource type (either format) -> (attribute holding its resource policy,
    what it protects: ``key``, ``bucket``, ``vault``). The key-policy kinds are
    those whose ``what`` is ``key`` (ADM001, ADM004 and review read this one list)."""
    out: dict[str, tuple[str, str]] = {}
    for kind, e in catalog().kinds.items():
        spec = e.get("resource_policy")
        if spec is None:
            continue
        if "terraform" in spec and not e.get("cloudformation_only"):
            out[kind] = (spec["terraform"], spec["what"])
        if "cloudformation" in spec:
            for cfn in e.get("cloudformation", ()) or ([kind] if e.get("cloudformation_only") else ()):
                out[cfn] = (spec["cloudformation"], spec["what"])
    return out


@lru_cache(maxsize=1)
def min_tls_settings() -> Mapping[str, str]:
    """Kind -> the Terraform path of its minimum TLS version setting (the catalog's ``min_tls``)."""
    return {kind: e["min_tls"]["terraform"] for kind, e in catalog().kinds.items() if "terraform" in e.get("min_tls", {})}


@dataclass(frozen=True)
class Transit:
    """How one kind takes connections (ENC003): ``plaintext`` is a setting under
    which it accepts unencrypted ones (at ``plaintext_values``, or when not
    written if ``plaintext_default``); ``tls_default`` the minimum TLS version
    when its ``min_tls`` setting is not written; ``tls_values`` its own
    spellings of versions (``Tls12``)."""

    label: str
    plaintext: Setting | None
    renamed_from: Setting | None  # the plaintext setting's name in earlier provider versions
    plaintext_values: tuple[str | bool, ...]
    plaintext_default: bool | None
    secure_value: str | bool | None
    min_tls: Setting | None
    tls_default: str | None
    tls_values: Mapping[str, str]
    source: str

    def accepts_plaintext(self, value: Any) -> bool | None | Unknown:
        """Whether the plaintext setting's value (None: not written) accepts unencrypted connections."""
        if value is None:
            return self.plaintext_default
        if is_unknown(value):
            return value
        # a setting and its older boolean form (Cloud SQL ssl_mode / require_ssl) may share the values:
        # a written name is then not read as a boolean
        bools = any(isinstance(v, bool) for v in self.plaintext_values)
        names = any(isinstance(v, str) for v in self.plaintext_values)
        boolean = isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in ("true", "false"))
        state = flag(value) if bools and (boolean or not names) else None
        if isinstance(state, bool):
            return state in self.plaintext_values
        if is_unknown(state):
            return state
        written_text = text(value)
        if is_unknown(written_text):
            return written_text
        return isinstance(written_text, str) and written_text.lower() in {
            v.lower() for v in self.plaintext_values if isinstance(v, str)}

    def version(self, value: str) -> TLSVersion | None:
        """A written minimum TLS value as a version, in this kind's own spelling or the usual ones."""
        own = {k.lower(): v for k, v in self.tls_values.items()}.get(value.strip().lower())
        return tls_version(own) if own is not None else written_tls_version(value)


@lru_cache(maxsize=1)
def transit_table() -> Mapping[str, Transit]:
    """Kind -> how it takes connections (the kinds whose entry has ``transit``)."""
    return {kind: Transit(e["label"], Setting.of(t.get("plaintext")), Setting.of(t.get("renamed_from")), tuple(t.get("plaintext_values", ())),
                          t.get("plaintext_default"), t.get("secure_value"), Setting.of(e.get("min_tls")),
                          t.get("tls_default"), dict(t.get("tls_values", {})), t["source"])
            for kind, e in catalog().kinds.items() if (t := e.get("transit")) is not None}


@lru_cache(maxsize=1)
def service_keys() -> Mapping[str, str]:
    """Kind -> how the key its service uses when none is written is named (``SSE-S3 (keys owned by S3)``)."""
    return {kind: e["encryption"]["service_key"] for kind, e in catalog().kinds.items()
            if "service_key" in e.get("encryption", {})}
