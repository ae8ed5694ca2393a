"""ADM003 — Authoritative IAM that can remove the company.

## What it flags

IAM resources that do not *add* access but *replace* it — applying them
removes every grant they do not list — when what they keep does not include
the company:

- **Google Cloud**: `google_project_iam_policy` (and the folder /
  organization ones), which replace the whole IAM policy ("Authoritative.
  Sets the IAM policy for the project and replaces any existing policy"),
  when none of its administrator bindings (`roles/owner`,
  `roles/resourcemanager.projectIamAdmin` and the other roles that set IAM
  policies) includes a company member; and `google_project_iam_binding` (and
  folder / organization), authoritative for one role, for an administrator
  role whose `members` include no company member. Resource-level IAM (a
  bucket's, a key ring's) is not reported: project owners keep their
  inherited access.
- **AWS**: `aws_iam_policy_attachment` of an administrator policy
  (`AdministratorAccess`, `IAMFullAccess`, or a policy allowing `*` on `*`),
  which is exclusive across the account: "all of the users/roles/groups to
  which a single policy is attached must be declared by a single
  aws_iam_policy_attachment resource" — every other holder loses it (Terraform
  AWS provider documentation). Reported when none of the roles, users and
  groups it lists is the company's (a role trusted by a company account, a
  principal of `company_accounts` / `break_glass`); and
  `aws_iam_group_membership` (exclusive: users not listed are removed) of a
  group holding administrator rights in the code, when the company's IAM users
  declared in `company_accounts` / `break_glass` are not listed.
- **Azure**: an `azuread_group` whose `members` list (authoritative) does not
  include a company object ID while the group holds `Owner`, `User Access
  Administrator` or `Role Based Access Control Administrator` through an
  `azurerm_role_assignment` of the scanned code.

CloudFormation has no authoritative IAM resource (its attachments add to what
exists), so this rule does not apply to it. A member, role or policy that
cannot be known is never counted against the company; without
`company_accounts` or `break_glass` for a cloud, Google Cloud and Azure
resources are not reported (the rule cannot tell who the company is).

## Why it matters

An authoritative IAM resource written by the provider is a silent purge: the
day it is applied, the company's owners, break-glass accounts and
administrators added outside the code disappear, and the plan shows it as a
routine update.

## How to fix

Prefer additive resources (`google_project_iam_member`,
`aws_iam_role_policy_attachment`, `aws_iam_user_group_membership`,
`azuread_group_member`). If the authoritative form is wanted, list the
company's break-glass principal in it.

## Options

- `admin_access.company_accounts.<cloud>`, `admin_access.break_glass.<cloud>`:
  the company's principals (AWS account IDs and ARNs, Azure object IDs,
  Google Cloud members; `domain:` entries match every member of the domain).
- `admin_access.provider_accounts.<cloud>`: the provider's, named as such in
  messages.
"""

from __future__ import annotations

import re

from iacgov.api import RuleContext, Severity, rule_finding, rule_meta_from_docstring

from iacgov.api import iam as _iam
from iacgov.api import grants as _grants

_GCP_AUTHORITATIVE = re.compile(r"^google_(project|folder|organization)_iam_(binding|policy)$")
_COMPANY = (_iam.COMPANY, _iam.BREAK_GLASS)
_ROLE_COMPANY_CAMPS = {_iam.COMPANY, _iam.COMPANY_ACCOUNT, _iam.BREAK_GLASS, _iam.SELF_ACCOUNT, _iam.SELF_MEMBER}


def _members_text(members, who) -> str:
    labels = []
    for member in members:
        text = _iam.text_of(member) or str(member)
        camp = who.member_camp(member)
        labels.append(f"{text} (provider)" if camp == _iam.PROVIDER else text)
    return ", ".join(labels) if labels else "no one"


class AuthoritativeIamRemovesCompany:
    meta = rule_meta_from_docstring(
        __doc__,
        code="ADM003",
        name="authoritative-iam-removes-company",
        severity=Severity.ERROR,
        security_severity=7.5,
        precision="high",
        tags=("admin-access", "reversibility", "governance", "security"),
    )

    def evaluate(self, resources, ctx: RuleContext):
        managed = [r for r in resources if r.mode == "managed"]
        yield from self._gcp(managed, ctx)
        yield from self._aws_policy_attachments(managed, ctx)
        yield from self._aws_group_memberships(managed, ctx)
        yield from self._azure_groups(managed, ctx)

    # -- Google Cloud ----------------------------------------------------------

    def _gcp(self, resources, ctx):
        who = _iam.parties(ctx.policy, "gcp")
        if not who.company_configured:
            return
        company = ", ".join([*who.company, *who.break_glass])
        for r in resources:
            m = _GCP_AUTHORITATIVE.match(r.type)
            if not m:
                continue
            level, kind = m.groups()
            scope = _iam.text_of(r.attributes.get({"project": "project", "folder": "folder",
                                                    "organization": "org_id"}[level]))
            where = f"{level} {scope}" if scope else f"the provider's default {level}"
            if kind == "policy":
                bindings = _grants.gcp_policy_bindings(r.attributes.get("policy_data"))
                if bindings is None:
                    continue
                admins, uncertain = [], False
                for binding in bindings:
                    role = binding.get("role")
                    if not isinstance(role, str) or _iam.is_partly_unknown(role):
                        uncertain = True
                        continue
                    if role.lower() in _grants.GCP_ADMIN_ROLES:
                        members = binding.get("members")
                        if not isinstance(members, list):
                            uncertain = True
                            continue
                        admins.extend(members)
                camps = {who.member_camp(x) for x in admins}
                if uncertain or _iam.UNKNOWN in camps or camps & set(_COMPANY):
                    continue
                yield rule_finding(
                    self.meta,
                    r,
                    f"{r.address} replaces the whole IAM policy of {where}: applying it removes every grant it does "
                    f"not list, and no administrator binding in it includes a company principal ({company}). "
                    f"Administrators kept: {_members_text(admins, who)}; the company loses its administrator "
                    "access.",
                    "policy_data", keeps=[_iam.text_of(x) for x in admins])
            else:
                role = r.attributes.get("role")
                if not isinstance(role, str) or role.lower() not in _grants.GCP_ADMIN_ROLES:
                    continue
                members = r.attributes.get("members")
                if not isinstance(members, list):
                    continue
                camps = {who.member_camp(x) for x in members}
                if _iam.UNKNOWN in camps or camps & set(_COMPANY):
                    continue
                yield rule_finding(
                    self.meta,
                    r,
                    f"{r.address} is authoritative for {role} on {where}: applying it removes every member it does "
                    f"not list, and it lists no company principal ({company}). Only {_members_text(members, who)} "
                    f"{_keep(members)} {role}; the company loses it.",
                    "members", keeps=[_iam.text_of(x) for x in members])

    # -- AWS -------------------------------------------------------------------

    def _entity_is_company(self, kind, value, origin, index, who) -> bool | None:
        """Whether a role / user / group named in an attachment is the company's."""
        text = _iam.text_of(value)
        if text is None:
            return None
        wanted = f"{kind}/"
        for entry in [*who.company, *who.break_glass]:
            arn = _iam.parse_arn(entry)
            if arn and arn.resource and arn.resource.startswith(wanted) and arn.resource.split("/")[-1] == text:
                return True
        if kind != "role":
            return None  # users and groups are not classified from the code
        for role in index.roles:
            if index.names_role(value, role, origin):
                trusted = index.trusted_principals(role)
                if trusted is None:
                    return None
                camps = {who.classify(p) for p in trusted}
                if _iam.UNKNOWN in camps:
                    return None
                if camps & _ROLE_COMPANY_CAMPS or (_iam.OTHER in camps and not who.company_configured):
                    return True
                return False
        return None

    def _aws_policy_attachments(self, resources, ctx):
        who = _iam.parties(ctx.policy, "aws")
        index = _iam.iam_index(resources)
        for r in resources:
            if r.type != "aws_iam_policy_attachment":
                continue
            grant = index.policy_arn_grant(r.attributes.get("policy_arn"), r.address, r)
            if not grant.admin:
                continue
            listed, verdicts = [], []
            for kind, attribute in (("role", "roles"), ("user", "users"), ("group", "groups")):
                values = r.attributes.get(attribute)
                if values is None:
                    continue
                if not isinstance(values, list):
                    verdicts.append(None)  # unknown, or not a list Terraform would accept
                    continue
                for value in values:
                    verdicts.append(self._entity_is_company(kind, value, r, index, who))
                    listed.append(f"{kind} {_iam.text_of(value)}")
            if True in verdicts or None in verdicts:
                continue
            policy = grant.policy
            yield rule_finding(
                self.meta,
                r,
                f"{r.address} attaches {policy} exclusively: applying it detaches it from every user, role and "
                f"group of the account that it does not list. It lists {', '.join(listed) or 'nothing'}, none of "
                f"them the company's: the company's own administrators lose {policy}.",
                "policy_arn", keeps=listed)

    def _aws_group_memberships(self, resources, ctx):
        who = _iam.parties(ctx.policy, "aws")
        company_users = []
        for entry in [*who.company, *who.break_glass]:
            arn = _iam.parse_arn(entry)
            if arn and arn.resource and arn.resource.startswith("user/"):
                company_users.append((entry, arn.resource.split("/")[-1]))
        if not company_users:
            return
        index = _iam.iam_index(resources)
        for r in resources:
            if r.type != "aws_iam_group_membership":
                continue
            group = r.attributes.get("group")
            if self._group_is_admin(group, r, resources, index) is not True:
                continue
            users = r.attributes.get("users")
            if not isinstance(users, list) or any(_iam.text_of(u) is None or _iam.is_partly_unknown(_iam.text_of(u))
                                                   for u in users):
                continue
            missing = [arn for arn, name in company_users if name not in users]
            if len(missing) < len(company_users):
                continue
            yield rule_finding(
                self.meta,
                r,
                f"{r.address} sets the members of administrator group {_iam.text_of(group)} exclusively: applying "
                f"it removes every user it does not list, including the company's {', '.join(missing)}. "
                f"Only {', '.join(users) or 'no one'} {_keep(users)} the group's administrator rights.",
                "users", keeps=list(users), loses=missing)

    @staticmethod
    def _group_is_admin(group, membership, resources, index) -> bool | None:
        answer: bool | None = False
        for r in resources:
            a = r.attributes
            if r.type == "aws_iam_group_policy_attachment" and _same_name(a.get("group"), group):
                grant = index.policy_arn_grant(a.get("policy_arn"), r.address, r)
            elif r.type == "aws_iam_policy_attachment" and any(_same_name(g, group) for g in a.get("groups") or []):
                grant = index.policy_arn_grant(a.get("policy_arn"), r.address, r)
            elif r.type == "aws_iam_group_policy" and _same_name(a.get("group"), group):
                grant = _iam.Grant(r.address, r.address, _iam.document_is_admin(_iam.policy_document(a.get("policy"))))
            else:
                continue
            if grant.admin:
                return True
            if grant.admin is None:
                answer = None
        return answer

    # -- Azure -----------------------------------------------------------------

    def _azure_groups(self, resources, ctx):
        who = _iam.parties(ctx.policy, "azure")
        if not who.company_configured:
            return
        grants = list(_grants.azure_grants(resources))
        for r in resources:
            if r.type != "azuread_group" or "members" not in r.attributes:
                continue
            held = [g for g in grants if any(target is r for target, _ in
                                             _iam.referenced(g.resource, g.member, [r]))]
            held = [g for g in held if not g.role.startswith("an unknown")]
            members = r.attributes.get("members")
            if not held or not isinstance(members, list):
                continue
            camps = {who.member_camp(x) for x in members}
            if _iam.UNKNOWN in camps or camps & set(_COMPANY):
                continue
            roles = "; ".join(f"{g.role} at {g.scope_text} ({g.resource.address})" for g in held)
            yield rule_finding(
                self.meta,
                r,
                f"{r.address} sets its members authoritatively and the group holds {roles}: applying it removes "
                f"every member it does not list, and no company principal "
                f"({', '.join([*who.company, *who.break_glass])}) is listed. Only {_members_text(members, who)} "
                f"{_keep(members)} these rights.",
                "members", keeps=[_iam.text_of(x) for x in members])


def _keep(items) -> str:
    return "keeps" if len(items) == 1 else "keep"


def _same_name(value, group) -> bool:
    a, b = _iam.text_of(value), _iam.text_of(group)
    return a is not None and a == b


RULE = AuthoritativeIamRemovesCompany()
