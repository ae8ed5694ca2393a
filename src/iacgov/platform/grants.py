"""Administrator grants on Azure and Google Cloud, shared by ADM002, ADM003 and the review.

Azure: ``azurerm_role_assignment`` of an administrator role (Owner, User
Access Administrator, Role Based Access Control Administrator — the roles
that can grant access, by name or by built-in role definition ID) at a scope.
Google Cloud: project, folder and organization IAM (``_iam_member``,
``_iam_binding``, ``_iam_policy``) of an administrator role (owner and the
roles that set IAM policies).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from iacgov.model import Resource, is_unknown
from iacgov.platform.arn import is_partly_unknown, refs_of, text_of

# Built-in role definition IDs (Azure RBAC built-in roles reference).
AZURE_ADMIN_ROLES = {
    "owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "user access administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "role based access control administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
}
_AZURE_ADMIN_IDS = {v: k for k, v in AZURE_ADMIN_ROLES.items()}

GCP_ADMIN_ROLES = frozenset({
    "roles/owner",
    "roles/resourcemanager.projectiamadmin",
    "roles/resourcemanager.folderadmin",
    "roles/resourcemanager.folderiamadmin",
    "roles/resourcemanager.organizationadmin",
    "roles/iam.securityadmin",
})
_GCP_LEVEL = re.compile(r"^google_(project|folder|organization)_iam_(member|binding|policy)$")
_GCP_SCOPE_ATTRIBUTE = {"project": "project", "folder": "folder", "organization": "org_id"}


@dataclass(frozen=True)
class AdminGrant:
    """One principal holding an administrator role at a scope."""

    resource: Resource
    attribute: str | None
    cloud: str
    scope: tuple  # comparable key; contains None parts when not known
    scope_text: str
    role: str
    member: Any  # object ID / member, possibly Unknown
    authoritative: bool = False  # binding / policy: replaces the members of the role / all roles


def azure_admin_role(resource: Resource) -> str | None | bool:
    """The admin role name of a role assignment; False when it is not an
    admin role; None when it cannot be known."""
    name = resource.attributes.get("role_definition_name")
    if isinstance(name, str):
        return name if name.strip().lower() in AZURE_ADMIN_ROLES else False
    role_id = resource.attributes.get("role_definition_id")
    if isinstance(role_id, str):
        guid = role_id.rstrip("/").rsplit("/", 1)[-1].lower()
        return _AZURE_ADMIN_IDS.get(guid, False) and _AZURE_ADMIN_IDS[guid].title()
    return None


def _scope_key(value: Any) -> tuple[tuple, str]:
    text = text_of(value)
    if text is None:
        return (None,), "an unknown scope"
    if is_partly_unknown(text):
        refs = refs_of(value)
        return (("ref", tuple(refs)) if refs else (None,)), text
    return ("path", tuple(p for p in text.strip().lower().split("/") if p)), text


def scope_covers(parent: tuple, child: tuple) -> bool | None:
    """Whether an Azure scope contains another (same, or a parent path)."""
    if parent[0] is None or child[0] is None:
        return None
    if parent[0] == "path" and child[0] == "path":
        return child[1][: len(parent[1])] == parent[1]
    if parent == child:
        return True
    return None


def azure_grants(resources: Sequence[Resource]) -> Iterator[AdminGrant]:
    for r in resources:
        if r.mode != "managed" or r.type != "azurerm_role_assignment":
            continue
        role = azure_admin_role(r)
        if role is False:
            continue
        scope, text = _scope_key(r.attributes.get("scope"))
        yield AdminGrant(r, "principal_id", "azure", scope, text, role or "an unknown role",
                         r.attributes.get("principal_id"))


def _gcp_scope(resource: Resource, level: str) -> tuple[tuple, str]:
    value = resource.attributes.get(_GCP_SCOPE_ATTRIBUTE[level])
    if value is None and level == "project":
        return (level, "provider", resource.provider or "google"), f"the default project of provider {resource.provider or 'google'}"
    text = text_of(value)
    if text is None or is_partly_unknown(text):
        refs = refs_of(value)
        return ((level, "ref", tuple(refs)) if refs else (None,)), text or f"an unknown {level}"
    return (level, "id", text.strip().lower().removeprefix("projects/").removeprefix("folders/")
            .removeprefix("organizations/")), f"{level} {text}"


def gcp_policy_bindings(value: Any) -> list[Mapping] | None:
    """The bindings of a ``policy_data`` JSON string; None if unknown."""
    if not isinstance(value, str) or is_partly_unknown(value) and not value.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    bindings = data.get("bindings") if isinstance(data, Mapping) else None
    return [b for b in bindings if isinstance(b, Mapping)] if isinstance(bindings, list) else []


def gcp_grants(resources: Sequence[Resource]) -> Iterator[AdminGrant]:
    """Admin grants of GCP project / folder / organization IAM. A binding or
    policy whose role or members cannot be known yields a grant whose role or
    member is Unknown, so callers stay silent on it."""
    for r in resources:
        m = _GCP_LEVEL.match(r.type) if r.mode == "managed" else None
        if not m:
            continue
        level, kind = m.groups()
        scope, text = _gcp_scope(r, level)
        a = r.attributes
        if kind == "policy":
            bindings = gcp_policy_bindings(a.get("policy_data"))
            if bindings is None:
                yield AdminGrant(r, "policy_data", "gcp", scope, text, "unknown", a.get("policy_data"), True)
                continue
            for binding in bindings:
                role = binding.get("role")
                if isinstance(role, str) and not is_partly_unknown(role) and role.lower() not in GCP_ADMIN_ROLES:
                    continue
                for member in binding.get("members") or []:
                    yield AdminGrant(r, "policy_data", "gcp", scope, text, str(role), member, True)
            continue
        role = a.get("role")
        if isinstance(role, str) and role.lower() not in GCP_ADMIN_ROLES:
            continue
        role_text = role if isinstance(role, str) else "an unknown role"
        if kind == "member":
            yield AdminGrant(r, "member", "gcp", scope, text, role_text, a.get("member"))
        else:
            members = a.get("members")
            if is_unknown(members) or not isinstance(members, list):
                yield AdminGrant(r, "members", "gcp", scope, text, role_text, members, True)
            else:
                for member in members:
                    yield AdminGrant(r, "members", "gcp", scope, text, role_text, member, True)
