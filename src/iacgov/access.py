"""The access register: who holds administrator rights over what (``iacgov access``).

The article's regular review of rights ("revue régulière des droits"), read
from the code with the same IAM semantics as the ADM rules
(:mod:`iacgov.platform.iam` and :mod:`iacgov.platform.grants`):

* AWS: every role the code makes an administrator (AdministratorAccess or
  IAMFullAccess, a policy allowing ``*`` on ``*``), held by each principal
  its trust policy lets assume it; users and groups given an administrator
  policy.
* Azure: role assignments of Owner, User Access Administrator or RBAC
  Administrator, at their scope.
* Google Cloud: project, folder and organization IAM of owner and the
  IAM-admin roles.

Each holder is put in one scope against the policy's ``admin_access``:
``company`` (company accounts and principals, the deploying account),
``provider``, ``break-glass``, or ``unknown`` (a value not known before
apply, a third party, anyone). A role whose grants cannot be known is listed
with ``admin: unknown`` rather than left out. Exit codes: 0, or 2 for a
usage error or an invalid policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import click

from iacgov.fingerprint import stack_of
from iacgov.model import Resource
from iacgov.platform import grants as G
from iacgov.platform import iam as I
from iacgov.platform.arn import text_of

SCOPES = ("company", "provider", "break-glass", "unknown")
_CAMP_SCOPE = {I.COMPANY: "company", I.COMPANY_ACCOUNT: "company", I.SELF_ACCOUNT: "company",
               I.SELF_MEMBER: "company", I.PROVIDER: "provider", I.BREAK_GLASS: "break-glass"}
_USER_ATTACHMENTS = {"aws_iam_user_policy_attachment": ("user", "user"),
                     "aws_iam_group_policy_attachment": ("group", "group")}


@dataclass(frozen=True)
class Holder:
    """One principal holding administrator rights over something."""

    cloud: str
    scope: str  # company | provider | break-glass | unknown
    principal: str
    over: str  # what it administers
    via: str  # the resource that grants it
    file: str
    line: int
    certain: bool = True  # False: the grant may be administrator (not known before apply)
    stack: str = ""  # the root module of ``via``: addresses repeat across roots (envs/dev, envs/prod)

    def key(self) -> tuple:
        return (self.cloud, self.scope, self.principal, self.over, self.via, self.stack)

    def as_dict(self) -> dict[str, Any]:
        return {"cloud": self.cloud, "scope": self.scope, "principal": self.principal, "over": self.over,
                "via": self.via, "file": self.file, "line": self.line, "certain": self.certain}


def _scope(camp: str) -> str:
    return _CAMP_SCOPE.get(camp, "unknown")


def _aws(resources: Sequence[Resource], policy: Any) -> Iterable[Holder]:
    who = I.parties(policy, "aws")
    index = I.iam_index(resources)
    for role in index.roles:
        admin = index.is_admin(role)
        if admin is False:
            continue
        name = text_of(index.role_name(role)) or role.address
        principals = index.trusted_principals(role)
        for p in principals if principals is not None else (I.Principal("<unknown>", "AWS", None),):
            yield Holder("aws", _scope(who.classify(p)), str(p), f"AWS account, administrator role {name}",
                         role.address, role.location.path, role.location.line, admin is True, stack_of(role))
    for r in resources:
        if r.mode != "managed" or r.type not in _USER_ATTACHMENTS:
            continue
        name = I.managed_policy_name(r.attributes.get("policy_arn"))
        if name not in I.ADMIN_MANAGED_POLICIES:
            continue
        kind, attribute = _USER_ATTACHMENTS[r.type]
        member = text_of(r.attributes.get(attribute)) or "<unknown>"
        # A user or group the code names lives in the deploying account.
        p = I.principal_from_text(f"arn:aws:iam::<unknown:AWS::AccountId>:{kind}/{member}")
        yield Holder("aws", _scope(who.classify(p)), f"{kind} {member}", f"AWS account, {name}", r.address,
                     r.location.path, r.location.line, stack=stack_of(r))


def _members(cloud: str, grants: Iterable[G.AdminGrant], policy: Any) -> Iterable[Holder]:
    who = I.parties(policy, cloud)
    for g in grants:
        member = text_of(g.member) or "<unknown>"
        loc = g.resource.location_of(g.attribute)
        yield Holder(cloud, _scope(who.member_camp(g.member)), member, f"{g.scope_text}, {g.role}",
                     g.resource.address, loc.path, loc.line, g.role not in ("unknown", "an unknown role"),
                     stack_of(g.resource))


def register(resources: Sequence[Resource], policy: Any) -> list[Holder]:
    """Every administrator holder the code declares, sorted by cloud, scope, principal."""
    holders = [*_aws(resources, policy), *_members("azure", G.azure_grants(resources), policy),
               *_members("gcp", G.gcp_grants(resources), policy)]
    unique = {h.key(): h for h in holders}
    return sorted(unique.values(), key=lambda h: (h.cloud, SCOPES.index(h.scope), h.principal, h.over, h.via,
                                                  h.stack))


@dataclass(frozen=True)
class RegisterChange:
    granted: tuple[Holder, ...]
    revoked: tuple[Holder, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"granted": [h.as_dict() for h in self.granted], "revoked": [h.as_dict() for h in self.revoked]}


def compare(base: Sequence[Holder], head: Sequence[Holder]) -> RegisterChange:
    """Who gains and who loses administrator rights between two registers."""
    old, new = {h.key(): h for h in base}, {h.key(): h for h in head}
    return RegisterChange(tuple(h for k, h in new.items() if k not in old),
                          tuple(h for k, h in old.items() if k not in new))


def line(h: Holder, printable=str) -> str:
    maybe = "" if h.certain else " (may be administrator: not known before apply)"
    return (f"{h.scope:<11} {printable(h.principal)} over {printable(h.over)} via {printable(h.via)} "
            f"({printable(h.file)}:{h.line}){maybe}")


@click.command("access")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Policy naming the company, provider and break-glass principals (admin_access); default: "
                   "iacgov.yaml at the scanned root, else the embedded default.")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def access(ctx: click.Context, paths: tuple[Path, ...], policy_path: Path | None, fmt: str) -> None:
    """List who holds administrator rights over what, per cloud and scope (company,
    provider, break-glass, unknown): the register of rights to review regularly."""
    from iacgov.commands.common import UserError, plugin_host
    from iacgov.discovery import find_root
    from iacgov.engine import ScanRequest, _policy_schemas, scan
    from iacgov.model import ParseOptions
    from iacgov.policy import PolicyError, find_policy, load_policy
    from iacgov.reporters.json_report import dumps
    from iacgov.reporters.text import printable

    paths = paths or (Path("."),)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(f"{', '.join(missing)}: no such file or directory")
    absolute = [p.absolute() for p in paths]
    root = find_root(absolute)
    host = plugin_host(ctx)
    try:
        chosen = policy_path or find_policy(absolute, root)
        policy = load_policy(chosen, _policy_schemas(host))
        result = scan(ScanRequest(tuple(absolute), ParseOptions(), chosen, root), host)
    except PolicyError as exc:
        raise UserError(str(exc)) from None
    holders = register(result.resources, policy)
    if fmt == "json":
        click.echo(dumps({"holders": [h.as_dict() for h in holders],
                          "by_scope": {s: sum(1 for h in holders if h.scope == s) for s in SCOPES}}), nl=False)
    else:
        click.echo(f"iacgov access: {len(holders)} administrator holder(s)")
        for cloud in sorted({h.cloud for h in holders}):
            click.echo(f"{cloud}")
            for h in holders:
                if h.cloud == cloud:
                    click.echo(f"  {line(h, printable)}")
    ctx.exit(0)
