"""Exit readiness per application and environment, from a scan's resources,
its ADM findings and the state backends (see the package docstring)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources as package_files
from typing import Any

import jsonschema
import yaml

from iacgov.applications import Application, application_for, applications
from iacgov.environments import application_of, environment_of
from iacgov.exit.backends import Backend
from iacgov.fingerprint import stack_of
from iacgov.model import Finding, Resource, is_unknown
from iacgov.platform import continuity, kinds_with
from iacgov.platform.references import ReferenceIndex
from iacgov.platform.values import text

READY, BLOCKED, UNKNOWN = "ready", "blocked", "unknown"
COMPANY, PROVIDER = "company", "provider"
OK, BLOCKER, NOTE = "ok", "blocker", "note"
NO_APPLICATION = "(no application)"
UNDECIDED_APPLICATION = "(application unknown)"

# What lifts each ADM finding, as the rules' "How to fix" says it.
ADM_LIFT = {
    "ADM001": "add a company principal (admin_access.company_accounts) as an administrator in the key policy",
    "ADM002": "give a company principal administrator rights next to the provider's (a break-glass role) and "
              "declare it in admin_access.break_glass",
    "ADM003": "keep the company's principals in the authoritative IAM binding or policy",
    "ADM004": "let the company's principals through the resource policy's Deny",
    "ADM005": "restore the break-glass principal's trust, policies and permissions",
}


@lru_cache(maxsize=1)
def portability_facts() -> Mapping[str, Any]:
    folder = package_files.files("iacgov") / "data" / "platform"
    data = yaml.safe_load((folder / "portability.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((folder / "portability.schema.json").read_text(encoding="utf-8")))
    return data


@dataclass(frozen=True)
class Item:
    """One fact of a section: ``status`` is ok / company, provider, unknown, blocker or note."""

    status: str
    subject: str
    text: str
    lift: str = ""  # what would lift a blocker or decide an unknown
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("status", self.status), ("subject", self.subject), ("text", self.text),
                                  ("lift", self.lift), ("source", self.source)) if v}


@dataclass(frozen=True)
class Section:
    name: str
    items: tuple[Item, ...]

    @property
    def status(self) -> str:
        states = {i.status for i in self.items}
        if BLOCKER in states or PROVIDER in states:
            return BLOCKED
        if UNKNOWN in states or not self.items:
            return UNKNOWN
        return READY


@dataclass(frozen=True)
class Group:
    """One application in one environment."""

    application: str
    environment: str
    app: Application | None
    resources: tuple[Resource, ...]
    control: Section
    state: Section
    data: Section
    portability: Section
    monthly_cost: Decimal | None = None
    cost_partial: bool = False

    @property
    def sections(self) -> tuple[Section, ...]:
        return self.control, self.state, self.data, self.portability

    @property
    def blockers(self) -> tuple[Item, ...]:
        return tuple(i for s in (self.control, self.state, self.data) for i in s.items
                     if i.status in (BLOCKER, PROVIDER))

    @property
    def unknowns(self) -> tuple[Item, ...]:
        return tuple(i for s in (self.control, self.state, self.data) for i in s.items if i.status == UNKNOWN)

    @property
    def verdict(self) -> str:
        if self.blockers:
            return BLOCKED
        if self.unknowns or any(s.status == UNKNOWN for s in (self.control, self.state)):
            return UNKNOWN
        return READY


@dataclass(frozen=True)
class ExitReport:
    policy_source: str
    groups: tuple[Group, ...]
    not_analysed: tuple[str, ...] = ()  # what the scan could not read (it may hide blockers)
    currency: str = "USD"

    @property
    def verdict(self) -> str:
        verdicts = {g.verdict for g in self.groups}
        if BLOCKED in verdicts:
            return BLOCKED
        if UNKNOWN in verdicts or self.not_analysed or not self.groups:
            return UNKNOWN
        return READY


# --------------------------------------------------------------------------- grouping


def _app_name(resource: Resource, policy: Any, declared: bool) -> tuple[str, Application | None]:
    if not declared:
        return application_of(resource, policy), None
    app = application_for(resource, policy)
    if isinstance(app, Application):
        return app.name, app
    return (UNDECIDED_APPLICATION if is_unknown(app) else NO_APPLICATION), None


def analyse(resources: Sequence[Resource], findings: Sequence[Finding], policy: Any,
            backends: Mapping[str, Backend], costs: Mapping[int, Any] | None = None,
            not_analysed: Sequence[str] = (), currency: str = "USD") -> ExitReport:
    """The exit readiness of every application and environment of the scan."""
    declared = bool(applications(policy))
    managed = [r for r in resources if r.mode == "managed"]
    index = ReferenceIndex(tuple(resources))
    owner: dict[tuple[str, str], str] = {}  # (address, stack) -> application
    groups: dict[tuple[str, str], list[Resource]] = {}
    apps: dict[str, Application | None] = {}
    for r in managed:
        name, app = _app_name(r, policy, declared)
        apps[name] = app
        owner[(r.address, stack_of(r))] = name
        groups.setdefault((name, environment_of(r, policy)), []).append(r)
    out = []
    for (name, env), members in sorted(groups.items()):
        if name == NO_APPLICATION and declared:
            continue  # shared resources (IAM, keys without tag) are read through the groups' stacks
        stacks = sorted({stack_of(r) for r in members})
        monthly, partial = _cost(members, costs)
        out.append(Group(
            name, env, apps.get(name), tuple(members),
            _control(members, stacks, findings, owner, name, policy),
            _state(stacks, backends, policy, members),
            _data(members, index),
            _portability(members),
            monthly, partial))
    return ExitReport(getattr(policy, "source", ""), tuple(out), tuple(not_analysed), currency)


def _cost(members: Sequence[Resource], costs: Mapping[int, Any] | None) -> tuple[Decimal | None, bool]:
    """``costs``: each resource's estimate line by ``id(resource)`` (:func:`iacgov.cost.grouping.costed`)."""
    if costs is None:
        return None, False
    total, partial = Decimal(0), False
    for r in members:
        c = costs.get(id(r))
        if c is None:
            continue
        total += c.monthly
        partial = partial or c.status in ("partial", "unpriced")
    return total, partial


# --------------------------------------------------------------------------- control


def _control(members, stacks, findings, owner, name, policy) -> Section:
    items: list[Item] = []
    clouds = sorted({r.cloud for r in members if r.cloud in ("aws", "azure", "gcp")})
    for f in sorted(findings, key=lambda f: (f.code, f.address, f.location.path, f.location.line)):
        if not f.code.startswith("ADM"):
            continue
        belongs = owner.get((f.address, f.stack))
        if belongs == name or (belongs in (None, NO_APPLICATION) and f.stack in stacks):
            where = f"{f.location.path}:{f.location.line}"
            items.append(Item(BLOCKER, f.address, f"{f.code} at {where}: {f.message}", ADM_LIFT.get(f.code, "")))
    blocked = {i.subject for i in items}
    for cloud in clouds:
        provider = policy.get(f"admin_access.provider_accounts.{cloud}")
        company = policy.get(f"admin_access.company_accounts.{cloud}") or policy.get(
            f"admin_access.break_glass.{cloud}")
        if not provider:
            items.append(Item(UNKNOWN, cloud, f"admin_access.provider_accounts.{cloud} is not set: iacgov cannot tell "
                              "the provider's principals from the company's, so who holds administrator rights "
                              "and keys is unknown",
                              f"list the provider's principals in admin_access.provider_accounts.{cloud}"))
        elif not company:
            items.append(Item(UNKNOWN, cloud, f"admin_access.company_accounts.{cloud} (or break_glass) is not set: "
                              "the company's own administrators cannot be recognised",
                              f"list the company's accounts in admin_access.company_accounts.{cloud}"))
        elif not blocked:
            glass = policy.get(f"admin_access.break_glass.{cloud}")
            items.append(Item(COMPANY, cloud, "no ADM finding: no administrator right or key of the scanned code is "
                              "held by the provider alone" + (f"; break-glass: {', '.join(glass)}" if glass else "")))
    return Section("control", tuple(items))


# --------------------------------------------------------------------------- state

_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):")


def _owner_of(cloud: str, ids: Sequence[str], policy: Any) -> str | None:
    """COMPANY / PROVIDER when one of ``ids`` is listed in the policy, else None."""
    for camp, key in ((PROVIDER, "provider_accounts"), (COMPANY, "company_accounts")):
        listed = set()
        for entry in policy.get(f"admin_access.{key}.{cloud}") or ():
            listed.add(entry)
            m = _ACCOUNT.match(entry)
            if m:
                listed.add(m.group(1))
        if any(i in listed for i in ids):
            return camp
    return None


def _state(stacks, backends, policy, members) -> Section:
    items: list[Item] = []
    for stack in stacks:
        if not any(r.source_format == "terraform" and stack_of(r) == stack for r in members):
            items.append(Item(NOTE, stack, "not Terraform HCL (CloudFormation keeps its state in the provider's "
                              "stacks; a plan names no backend): the state question does not apply"))
            continue
        b = backends.get(stack) or Backend(stack, "")
        items.append(_backend_item(b, policy))
    return Section("state", tuple(items))


def _backend_item(b: Backend, policy: Any) -> Item:
    where = f" ({b.file}:{b.line})" if b.file else ""
    s = b.settings
    if not b.type:
        unread = f"; not read: {', '.join(b.unread)}" if b.unread else ""
        return Item(UNKNOWN, b.stack, f"no backend block{unread}: the state is local to whoever runs terraform "
                    "(the provider's machines or CI), or set at init time outside the code",
                    "declare a backend in a storage account the company owns")
    if b.type == "s3":
        role = s.get("role_arn") or s.get("assume_role.role_arn")
        ids = [m.group(1) for m in [_ACCOUNT.match(role)] if m] if isinstance(role, str) else []
        lock = ("DynamoDB table " + s["dynamodb_table"] if s.get("dynamodb_table")
                else "S3 lock file" if s.get("use_lockfile") is True else "no locking")
        desc = (f"S3 bucket {s.get('bucket') or '(set at init)'}, key {s.get('key') or '(set at init)'}, region "
                f"{s.get('region') or '(set at init)'}, {lock}" + (f", role {role}" if role else ""))
        return _owned(b, "aws", ids, desc + where, policy,
                      "the backend names no role_arn: the account owning the bucket cannot be read from the code")
    if b.type == "azurerm":
        ids = [s[k] for k in ("subscription_id", "tenant_id") if isinstance(s.get(k), str)]
        desc = (f"Azure storage account {s.get('storage_account_name') or '(set at init)'}, container "
                f"{s.get('container_name') or '(set at init)'}, blob lease locking")
        return _owned(b, "azure", ids, desc + where, policy,
                      "the backend names no subscription the policy lists: its owner cannot be read from the code")
    if b.type == "gcs":
        account = s.get("impersonate_service_account")
        ids = [f"serviceAccount:{account}", account] if isinstance(account, str) else []
        if isinstance(account, str) and "@" in account:
            ids.append("domain:" + account.split("@", 1)[1])
        desc = f"Cloud Storage bucket {s.get('bucket') or '(set at init)'}, prefix {s.get('prefix') or '/'}, locking"
        return _owned(b, "gcp", ids, desc + where, policy,
                      "the backend names no service account the policy lists: its owner cannot be read from the code")
    if b.type in ("remote", "cloud"):
        org = s.get("organization") or "(set at init)"
        return Item(UNKNOWN, b.stack, f"HCP Terraform / remote backend, organization {org}{where}: who owns the "
                    "organization is not in the code", "record the organization's owner; the company should own it")
    return Item(UNKNOWN, b.stack, f"backend {b.type}{where}: iacgov does not read its owner",
                "move the state to a backend the company owns and that iacgov reads (s3, azurerm, gcs)")


def _owned(b: Backend, cloud: str, ids: Sequence[str], desc: str, policy: Any, unknown_reason: str) -> Item:
    camp = _owner_of(cloud, ids, policy)
    if camp == COMPANY:
        return Item(COMPANY, b.stack, f"{desc}: held in a company account")
    if camp == PROVIDER:
        return Item(PROVIDER, b.stack, f"{desc}: held in the provider's account ({', '.join(ids)}); the company "
                    "cannot read or change its infrastructure's state without the provider",
                    "migrate the state to a bucket in a company account (terraform init -migrate-state) and give "
                    "the provider a role there")
    return Item(UNKNOWN, b.stack, f"{desc}: {unknown_reason}",
                "name the company account in the backend (role_arn / subscription_id / impersonate_service_account)")


# --------------------------------------------------------------------------- data and portability


def _portability_of(r: Resource) -> tuple[str, Mapping[str, Any]] | None:
    facts = portability_facts()
    spec = facts["kinds"].get(r.kind)
    if spec is None:
        return None
    klass = spec["class"]
    engine = text(r.get("Engine" if r.source_format == "cloudformation" else "engine"))
    if isinstance(engine, str) and engine.lower() in spec.get("by_engine", {}):
        klass = spec["by_engine"][engine.lower()]
    return klass, spec


def _data(members, index) -> Section:
    holds = kinds_with("holds_data")
    items: list[Item] = []
    for r in members:
        if r.kind not in holds:
            continue
        found = _portability_of(r)
        export = f"export: {found[1]['export']}" if found else "export path: not in iacgov's portability facts"
        backups = ""
        if continuity.judged(r):
            point = continuity.recovery_point(r, index)
            if isinstance(point, continuity.RecoveryPoint):
                if point.hours is None:
                    backups = f"no backup ({point.missing}); "
                else:
                    copies = ", ".join(f"{m.name} ({m.detail})" for m in point.mechanisms)
                    region = "a copy in another region" if point.other_region else "no copy in another region"
                    backups = f"backups: {copies}; {region}; "
            else:
                backups = "backups: cannot be known statically; "
        status = OK if found else UNKNOWN
        items.append(Item(status, r.address, backups + export,
                          "" if found else "document how this kind's data is exported",
                          found[1]["source"] if found else ""))
    return Section("data", tuple(items))


def _portability(members) -> Section:
    classes = portability_facts()["classes"]
    items = []
    for r in members:
        found = _portability_of(r)
        if found is None:
            continue
        klass, spec = found
        items.append(Item(NOTE, r.address, f"{classes[klass]['label']} ({klass}): {spec['export']}",
                          source=spec["source"]))
    return Section("portability", tuple(items))


def classes_of(group: Group) -> dict[str, int]:
    """How many resources of the group fall in each portability class."""
    counts: dict[str, int] = {}
    for r in group.resources:
        found = _portability_of(r)
        if found is not None:
            counts[found[0]] = counts.get(found[0], 0) + 1
    return counts


def portability_class(resource: Resource) -> str | None:
    found = _portability_of(resource)
    return found[0] if found else None


__all__ = ["BLOCKED", "ExitReport", "Group", "Item", "READY", "Section", "UNKNOWN", "analyse", "classes_of",
           "field", "portability_class", "portability_facts"]
