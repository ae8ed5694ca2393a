"""ADM001 — KMS key policy without a company administrator.

## What it flags

A KMS key policy in which no statement lets a company principal change the
key policy (`kms:PutKeyPolicy`, granted by `kms:*`, `kms:Put*`, `*` or a
`NotAction` that leaves it in). Company principals are the roots of the
company's accounts (`arn:aws:iam::<id>:root` or the bare account ID) and the
principals listed in `admin_access.company_accounts.aws` and
`admin_access.break_glass.aws`. When `company_accounts` is not configured,
the root of the key's own account counts: `${AWS::AccountId}` in
CloudFormation, `data.aws_caller_identity.<name>.account_id` in Terraform.

Read from `aws_kms_key`, `aws_kms_key_policy`, `aws_kms_replica_key`,
`aws_kms_external_key` and `aws_kms_replica_external_key` (`policy` as
`jsonencode`, heredoc or `data.aws_iam_policy_document`) and from
`AWS::KMS::Key` / `AWS::KMS::ReplicaKey` (`KeyPolicy`). Conditions that
name the caller (`aws:PrincipalArn`, `aws:PrincipalAccount`,
`kms:CallerAccount`) narrow a statement's principals. A key without a policy
is not reported: AWS then applies its default key policy, which gives the
key's account root `kms:*` (AWS KMS Developer Guide, "Default key policy").

A policy with a principal or action that cannot be known (a variable, an
unknown source document) is not reported: the unknown part may be the
company.

## Why it matters

A key policy is the only authority over a KMS key: IAM cannot override it.
If only the provider's role may change it, the company can read its own
encrypted data, rotate or schedule the deletion of its keys only through the
provider; if that role is deleted, the key becomes unmanageable and only AWS
Support can restore access. AWS's own lock-out check only protects the
principal that writes the policy — which is the provider's pipeline.

## How to fix

Keep the statement that gives the company's account root `kms:*` (the first
statement of AWS's default key policy), or give `kms:*` to the company's
break-glass role, next to the provider's administrators.

## Options

- `admin_access.company_accounts.aws`: the company's account IDs (and ARNs of
  principals that count as the company).
- `admin_access.break_glass.aws`: the break-glass roles' ARNs.
- `admin_access.provider_accounts.aws`: the provider's accounts, named as such
  in messages.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, rule_meta_from_docstring
from iacgov.api import platform

from iacgov.api import iam as _iam

# Type (either format) -> the attribute holding its key policy: the catalog's
# resource_policy entries that protect a key (one list with ADM004 and review).
KEY_POLICIES = {t: attribute for t, (attribute, what) in platform.resource_policies().items() if what == "key"}
ADMIN_ACTION = "kms:PutKeyPolicy"


def key_administrators(document, who: _iam.Parties) -> tuple[list, list, bool]:
    """(company administrators, other administrators, uncertain) of a key
    policy: who may call kms:PutKeyPolicy, and whether an unknown part of the
    policy may let the company do it."""
    company, others, uncertain = [], [], False
    for statement in _iam.statements(document):
        if statement.effect == "Deny":
            continue
        covers = statement.covers_action(ADMIN_ACTION)
        if covers is False:
            continue
        definite = statement.effect == "Allow" and covers is True
        for principal in statement.effective_principals():
            camp = who.classify(principal)
            if camp == _iam.UNKNOWN:
                uncertain = True
                continue
            capable = camp in (_iam.COMPANY, _iam.BREAK_GLASS, _iam.ANY, _iam.SELF_ACCOUNT) or (
                camp == _iam.OTHER and principal.root and not who.company_configured)
            if definite:
                (company if capable else others).append(principal)
            elif capable:
                uncertain = True
    return company, others, uncertain


class KeyPolicyLocksOutCompany(ResourceRule):
    root_local = True  # its findings on a resource depend on that resource's own root module only
    reads = ('resource_policy',)  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="ADM001",
        name="key-policy-locks-out-company",
        severity=Severity.ERROR,
        security_severity=8.0,
        precision="high",
        tags=("admin-access", "reversibility", "kms", "governance", "security"),
    )

    def applies_to(self, resource):
        return resource.mode == "managed" and resource.type in KEY_POLICIES

    def check(self, resource, ctx: RuleContext):
        attribute = KEY_POLICIES[resource.type]
        value = resource.attributes.get(attribute)
        if value is None:
            return  # AWS's default key policy: the account root holds kms:*
        document = _iam.policy_document(value)
        if document is None:
            return  # unknown, or not a document: nothing to say
        who = _iam.parties(ctx.policy, "aws")
        company, others, uncertain = key_administrators(document, who)
        if company or uncertain:
            return
        wanted = _iam.plain(who.company_principals()) if who.company_configured else "the key's account root"
        if others:
            message = (f"The key policy of {resource.address} lets only {_iam.describe(others, who)} change it "
                       f"({ADMIN_ACTION}), not the company ({wanted}): the company loses administrative control of "
                       "the key and depends on them to get it back.")
        else:
            message = (f"The key policy of {resource.address} lets no principal change it ({ADMIN_ACTION}), not even "
                       f"the company ({wanted}): the key becomes unmanageable and only AWS Support can restore "
                       "access.")
        yield self.finding(resource, message, attribute=attribute,
                           keeps=[str(p) for p in others], loses=[str(p) for p in who.company_principals()])


RULE = KeyPolicyLocksOutCompany()
