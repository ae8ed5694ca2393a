"""ADM005 — Break-glass access weakened.

## What it flags

A break-glass principal declared in `admin_access.break_glass.aws` that the
scanned code manages or restricts in a way that takes its access away:

- its role (`aws_iam_role`, `AWS::IAM::Role`, matched by name and path) has a
  trust policy that no company principal can use — only provider accounts,
  services or other accounts may assume it;
- its role's managed policies are declared exclusively (`managed_policy_arns`,
  `aws_iam_role_policy_attachments_exclusive`, CloudFormation
  `ManagedPolicyArns`) and nothing in the code gives it administrator rights
  (`AdministratorAccess`, or `*` on `*`);
- its role or user has a permissions boundary (`permissions_boundary`,
  `PermissionsBoundary`) that is not an administrator policy — an AWS managed
  policy other than `AdministratorAccess`, or a policy of the code that does
  not allow `*` on `*`;
- a policy attached to it, or a service control policy
  (`aws_organizations_policy`, `AWS::Organizations::Policy` of type
  `SERVICE_CONTROL_POLICY`), has a `Deny` that applies to it — no
  `aws:PrincipalArn` exemption naming it — on the IAM administration it needs
  to restore access (`iam:AttachRolePolicy`, `iam:PutRolePolicy`,
  `iam:UpdateAssumeRolePolicy`, `iam:CreateRole`) on any role.

A `Deny` with conditions other than on the calling principal (region,
MFA...), a trust policy or boundary that cannot be known, or a role whose
name is not known is never reported.

## Why it matters

The break-glass role is the company's last way in when the provider is
unreachable, in dispute or compromised. It is only worth something if it
works on the day it is needed: a provider change that retargets its trust,
swaps its policy for read-only, or adds an SCP that denies it leaves the
company believing it has a key that no longer opens anything.

## How to fix

Keep the break-glass role trusted by the company's account (or identity
provider), with `AdministratorAccess` and no narrowing boundary, and exempt
it from SCPs with an `ArnNotLike` / `aws:PrincipalArn` condition listing its
ARN.

## Options

- `admin_access.break_glass.aws`: ARNs of the break-glass roles and users
  (`arn:aws:iam::111111111111:role/break-glass`). Without it the rule is
  silent.
- `admin_access.company_accounts.aws`: the company's accounts, which the
  break-glass trust must include (the break-glass role's own account always
  counts).
"""

from __future__ import annotations

from iacgov.api import RuleContext, Severity, rule_finding, rule_meta_from_docstring

from iacgov.api import iam as _iam

# What a break-glass principal needs to restore access.
ESSENTIAL_ACTIONS = ("iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:CreateRole")
_TRUST_OK = {_iam.COMPANY, _iam.COMPANY_ACCOUNT, _iam.BREAK_GLASS, _iam.SELF_ACCOUNT, _iam.SELF_MEMBER,
             _iam.UNKNOWN, _iam.ANY}


def _probe_resource(principal: _iam.Principal) -> str:
    """A resource a sweeping Deny would cover but one aimed at protecting the
    break-glass role itself would not."""
    account = principal.account if principal.account and principal.account != _iam.SELF else "123456789012"
    return f"arn:aws:iam::{account}:role/iacgov-any-role"


class BreakGlassWeakened:
    meta = rule_meta_from_docstring(
        __doc__,
        code="ADM005",
        name="break-glass-weakened",
        severity=Severity.ERROR,
        security_severity=8.0,
        precision="high",
        tags=("admin-access", "reversibility", "break-glass", "governance", "security"),
    )

    def evaluate(self, resources, ctx: RuleContext):
        who = _iam.parties(ctx.policy, "aws")
        if not who.break_glass:
            return
        managed = [r for r in resources if r.mode == "managed"]
        index = _iam.iam_index(managed)
        for entry in who.break_glass:
            principal = _iam.principal_from_text(entry)
            if principal.root or not principal.name:
                continue
            kind, _, rest = principal.name.partition("/")
            path, _, name = ("/" + rest).rpartition("/")
            path = path + "/"
            if kind == "role":
                for role in index.roles:
                    if index.role_name(role) == name and index.role_path(role) == path:
                        yield from self._role(role, entry, principal, index, who)
            elif kind == "user":
                for user in managed:
                    if user.type in ("aws_iam_user", "AWS::IAM::User") and user.attributes.get(
                            "UserName" if user.source_format == "cloudformation" else "name") == name:
                        yield from self._boundary(user, entry, index)
            yield from self._scps(managed, entry, principal)

    def _role(self, role, entry, principal, index, who):
        cfn = role.source_format == "cloudformation"
        trusted = index.trusted_principals(role)
        if trusted is not None:
            camps = {who.classify(p) for p in trusted}
            if not camps & _TRUST_OK:
                yield rule_finding(
                    self.meta,
                    role,
                    f"{role.address} is the break-glass role {entry}, but its trust policy lets only "
                    f"{_iam.describe(trusted, who)} assume it: no company principal can use it any more.",
                    "AssumeRolePolicyDocument" if cfn else "assume_role_policy", loses=[entry],
                    keeps=[str(p) for p in trusted])
        grants, exclusive = index.grants(role)
        if exclusive and grants is not None and not any(g.admin is not False for g in grants):
            held = "; ".join(g.source for g in grants) or "no policy"
            yield rule_finding(
                self.meta,
                role,
                f"{role.address} is the break-glass role {entry}, but the code declares its policies exclusively "
                f"and none gives administrator rights ({held}): it can no longer restore access.",
                "ManagedPolicyArns" if cfn else "managed_policy_arns", loses=[entry])
        yield from self._boundary(role, entry, index)
        for grant in grants:
            for statement in _iam.statements(grant.document):
                denied = self._denies(statement, principal)
                if denied:
                    yield rule_finding(
                        self.meta,
                        role,
                        f"{role.address} is the break-glass role {entry}, but {grant.source} denies it "
                        f"{', '.join(denied)} ({statement.label}): it can no longer restore access.",
                        None, loses=[entry])

    def _boundary(self, holder, entry, index):
        cfn = holder.source_format == "cloudformation"
        attribute = "PermissionsBoundary" if cfn else "permissions_boundary"
        boundary = holder.attributes.get(attribute)
        if boundary is None or boundary == "":
            return
        grant = index.policy_arn_grant(boundary, attribute, holder)
        if grant.admin is False:
            yield rule_finding(
                self.meta,
                holder,
                f"{holder.address} is the break-glass principal {entry}, but its permissions boundary "
                f"({grant.policy}) does not allow administrator rights: whatever its policies say, it can no longer "
                "restore access.",
                attribute, loses=[entry])

    @staticmethod
    def _denies(statement, principal) -> list[str]:
        if statement.effect != "Deny" or statement.applies_to(principal) is not True:
            return []
        if statement.covers_resource(_probe_resource(principal)) is not True:
            return []
        return [a for a in ESSENTIAL_ACTIONS if statement.covers_action(a) is True]

    def _scps(self, resources, entry, principal):
        for r in resources:
            if r.type == "aws_organizations_policy":
                kind, attribute = r.attributes.get("type", "SERVICE_CONTROL_POLICY"), "content"
            elif r.type == "AWS::Organizations::Policy":
                kind, attribute = r.attributes.get("Type"), "Content"
            else:
                continue
            if kind != "SERVICE_CONTROL_POLICY":
                continue
            for statement in _iam.statements(_iam.policy_document(r.attributes.get(attribute))):
                denied = self._denies(statement, principal)
                if denied:
                    yield rule_finding(
                        self.meta,
                        r,
                        f"Service control policy {r.address} denies {', '.join(denied)} ({statement.label}) to "
                        f"every principal it does not exempt, including the break-glass {entry}: it can no longer "
                        "restore access. Exempt it with an ArnNotLike condition on aws:PrincipalArn.",
                        attribute, loses=[entry])


RULE = BreakGlassWeakened()
