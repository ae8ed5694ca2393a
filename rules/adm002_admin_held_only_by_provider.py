"""ADM002 — Administrator access held only by the provider.

## What it flags

Administrator rights that only the provider holds, with no company principal
holding them too:

- **AWS**: an IAM role (`aws_iam_role`, `AWS::IAM::Role`) that only provider
  accounts may assume (its trust policy names only principals of
  `admin_access.provider_accounts.aws`) and that holds administrator rights —
  `AdministratorAccess` or `IAMFullAccess`, or a policy allowing `Action: "*"`
  (or `iam:*`) on `Resource: "*"` — or a `NotAction` that leaves every IAM
  action in (`NotAction: "account:CloseAccount"` grants `iam:*`, hence the
  rest) —, attached through `managed_policy_arns`,
  inline policies, `aws_iam_role_policy_attachment`,
  `aws_iam_policy_attachment`, `aws_iam_role_policy` or the CloudFormation
  `ManagedPolicyArns`, `Policies`, `AWS::IAM::Policy` /
  `AWS::IAM::ManagedPolicy` `Roles` — when no role of the same root module
  (the same template) gives administrator rights to the company: another
  root module may be another account, so a company role there does not
  count (declare the company's way in as `admin_access.break_glass.aws`
  when it lives elsewhere);
- **Azure**: an `Owner`, `User Access Administrator` or `Role Based Access
  Control Administrator` assignment to a provider principal (object ID in
  `provider_accounts.azure`) at a scope where no company principal holds one
  of these roles (at that scope or a parent scope);
- **Google Cloud**: `roles/owner`, `roles/resourcemanager.projectIamAdmin`
  (and the folder / organization / security admin roles that set IAM
  policies) granted to a provider member (`provider_accounts.gcp`, e.g.
  `domain:msp.example`) on a project, folder or organization where no company
  member holds one.

A declared break-glass principal (`admin_access.break_glass.<cloud>`) is the
company's own way in: with one declared, this rule stays silent for that
cloud (ADM005 checks the code does not weaken it). A principal, role, scope
or policy that cannot be known is never counted against the company.

## Why it matters

Outsourcing operations is not outsourcing ownership. If the only
administrator of an account, subscription or project is the provider, the
company cannot audit, change provider or recover from a dispute without the
provider's goodwill — the reversibility the contract promises does not exist
in the infrastructure.

## How to fix

Give the company its own administrator next to the provider's: a break-glass
role trusted by a company account with `AdministratorAccess`, an `Owner`
assignment to a company group at the same scope, `roles/owner` for a company
group on the project — and declare it in `admin_access.break_glass`.

## Options

- `admin_access.provider_accounts.<cloud>`: the provider's AWS accounts (or
  principal ARNs), Azure object IDs, Google Cloud members (`domain:` entries
  match every member of the domain). Without it the rule is silent for that
  cloud.
- `admin_access.company_accounts.<cloud>`, `admin_access.break_glass.<cloud>`:
  the company's own principals.
"""

from __future__ import annotations

from collections import defaultdict

from iacgov.api import RuleContext, Severity, rule_finding, rule_meta_from_docstring

from iacgov.api import iam as _iam
from iacgov.api import grants as _grants
from iacgov_rules._platform import same_deployment

_COMPANY_CAMPS = (_iam.COMPANY, _iam.COMPANY_ACCOUNT, _iam.BREAK_GLASS, _iam.SELF_ACCOUNT, _iam.SELF_MEMBER,
                  _iam.UNKNOWN, _iam.ANY)


class AdminHeldOnlyByProvider:
    meta = rule_meta_from_docstring(
        __doc__,
        code="ADM002",
        name="admin-held-only-by-provider",
        severity=Severity.ERROR,
        security_severity=7.0,
        precision="high",
        tags=("admin-access", "reversibility", "governance", "security"),
    )

    def evaluate(self, resources, ctx: RuleContext):
        yield from self._aws(resources, ctx)
        yield from self._members(resources, ctx, "azure", _grants.azure_grants(resources), "at scope")
        yield from self._members(resources, ctx, "gcp", _grants.gcp_grants(resources), "on")

    # -- AWS ---------------------------------------------------------------

    def _aws(self, resources, ctx):
        who = _iam.parties(ctx.policy, "aws")
        if not who.provider_configured or who.break_glass:
            return
        index = _iam.iam_index(resources)
        # Without company_accounts, anyone who is not the provider may be the company.
        company_like = set(_COMPANY_CAMPS) | (set() if who.company_configured else {_iam.OTHER})
        provider_only, company_admin = [], []
        for role in index.roles:
            trusted = index.trusted_principals(role)
            if trusted is None:
                if index.is_admin(role) is not False:
                    company_admin.append(role)
                continue
            camps = {who.classify(p) for p in trusted}
            if trusted and camps == {_iam.PROVIDER}:
                if index.is_admin(role):
                    provider_only.append((role, trusted))
            elif camps & company_like and index.is_admin(role) is not False:
                company_admin.append(role)
        for role, trusted in provider_only:
            # the company's admin role must be in the provider role's account: known only within one root
            # module (template); another one may be another account
            if any(same_deployment(mine, role) for mine in company_admin):
                continue
            grants = [g.source for g in index.grants(role)[0] if g.admin]
            attribute = "AssumeRolePolicyDocument" if role.source_format == "cloudformation" else "assume_role_policy"
            unit = "template" if role.source_format == "cloudformation" else "root module"
            yield rule_finding(
                self.meta,
                role,
                f"{role.address} gives administrator rights ({'; '.join(grants)}) to the provider only: "
                f"{_iam.describe(trusted, who)} may assume it, and no role of its {unit} (its account, as far as the "
                "code shows) gives administrator rights to a company principal (admin_access.break_glass.aws is not "
                "set). The company keeps no administrator access of its own.",
                attribute, keeps=[str(p) for p in trusted])

    # -- Azure and Google Cloud ------------------------------------------

    def _members(self, resources, ctx, cloud, grants, preposition):
        who = _iam.parties(ctx.policy, cloud)
        if not who.provider_configured or who.break_glass:
            return
        grants = list(grants)
        # Without company_accounts, anyone who is not the provider may be the company.
        company = [g for g in grants if who.member_camp(g.member) != _iam.PROVIDER and
                   (who.member_camp(g.member) != _iam.OTHER or not who.company_configured)]
        by_scope = defaultdict(list)
        for grant in grants:
            if who.member_camp(grant.member) == _iam.PROVIDER and not grant.role.startswith("an unknown"):
                by_scope[grant.scope].append(grant)
        for scope, provider_grants in by_scope.items():
            if any(self._covers(cloud, c.scope, scope) is not False for c in company):
                continue
            for grant in provider_grants:
                yield rule_finding(
                    self.meta,
                    grant.resource,
                    f"{grant.resource.address} gives {grant.role} {preposition} {grant.scope_text} to "
                    f"{_iam.text_of(grant.member)} (provider), and no company principal holds an administrator "
                    f"role there in the scanned code (admin_access.break_glass.{cloud} is not set). The company "
                    "keeps no administrator access of its own.",
                    grant.attribute, keeps=[_iam.text_of(grant.member)])

    @staticmethod
    def _covers(cloud, company_scope, scope):
        if cloud == "azure":
            return _grants.scope_covers(company_scope, scope)
        if company_scope[0] is None or scope[0] is None:
            return None
        return True if company_scope == scope else (None if "ref" in company_scope or "ref" in scope else False)


RULE = AdminHeldOnlyByProvider()
