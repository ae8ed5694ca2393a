"""ADM004 — Resource policy that shuts the company out.

## What it flags

A bucket, key or backup-vault policy whose `Deny` statements leave no company
principal able to administer the resource — to change or delete that very
policy:

- KMS key policies (`aws_kms_key`, `aws_kms_key_policy`, `aws_kms_replica_key`,
  `AWS::KMS::Key`, `AWS::KMS::ReplicaKey`): `kms:PutKeyPolicy` denied;
- S3 bucket policies (`aws_s3_bucket_policy`, the `policy` of `aws_s3_bucket`,
  `AWS::S3::BucketPolicy`): `s3:PutBucketPolicy` and `s3:DeleteBucketPolicy`
  denied on the bucket;
- AWS Backup vault access policies (`aws_backup_vault_policy`, the
  `AccessPolicy` of `AWS::Backup::BackupVault`):
  `backup:PutBackupVaultAccessPolicy` and `backup:DeleteBackupVaultAccessPolicy`
  denied.

A `Deny` applies to a company principal when its `Principal` is `*` or names
the principal or its account, when its `NotPrincipal` does not spare it — a
role is spared only if its account is listed as well, as AWS evaluates the
account first (IAM User Guide, "NotPrincipal") — and when its
`aws:PrincipalArn` / `aws:PrincipalAccount` conditions do not exempt it. A
`Deny` with any other condition (source IP, VPC endpoint, TLS...) depends on
the request and is not reported; nor is one whose principals or actions
cannot be known.

Company principals are the company's account roots (the resource's own
account root when `admin_access.company_accounts.aws` is not configured) and
the principals listed in `company_accounts` and `break_glass`. The finding
names who the policy still spares.

## Why it matters

"Deny everyone except the provider's role" is a common way to lock a bucket
or a key down, and it hands the provider the only key to the company's data.
For a KMS key, nothing overrides the key policy: recovering needs AWS
Support. For a bucket, S3 still lets the root principal of the bucket
owner's account get, put and delete the bucket policy whatever it denies
(Amazon S3 API Reference, DeleteBucketPolicy), so the company has to fall
back on its root credentials: bucket findings are warnings, key and vault
findings errors.

## How to fix

Exempt the company's break-glass role (and its account) from the `Deny`, for
example with `"ArnNotLike": {"aws:PrincipalArn": [...]}` listing it next to
the provider's role, or narrow the `Deny` to the actions it is meant to
block (object reads and writes, not policy administration).

## Options

- `admin_access.company_accounts.aws`, `admin_access.break_glass.aws`: who
  must keep access.
- `admin_access.provider_accounts.aws`: the provider's accounts, named as such
  in messages.
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, rule_meta_from_docstring
from iacgov.api import platform

from iacgov.api import iam as _iam

# type -> (policy attribute, what the resource is, the actions that administer it)
_KMS = ("kms:PutKeyPolicy",)
_S3 = ("s3:PutBucketPolicy", "s3:DeleteBucketPolicy")
_BACKUP = ("backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVaultAccessPolicy")
_ACTIONS = {"key": _KMS, "bucket": _S3, "vault": _BACKUP}
RESOURCE_POLICIES = {t: (attribute, what, _ACTIONS[what])  # the catalog's resource_policy entries
                     for t, (attribute, what) in platform.resource_policies().items()}


def covers_target(statement: _iam.Statement, what: str) -> bool | None:
    """Whether the statement's resources include the bucket / vault / key
    itself (not only its objects or recovery points)."""
    if what == "key":
        return True  # a key policy's Resource "*" is the key itself
    marker = "/" if what == "bucket" else ":recovery-point:"

    def itself(pattern: str) -> bool:
        return pattern == "*" or marker not in pattern

    if statement.resources is not None:
        return any(itself(r) for r in statement.resources)
    if statement.not_resources is not None:
        return not any(itself(r) for r in statement.not_resources)
    return True


def denied(statements, principal, action: str, what: str) -> tuple[bool | None, list]:
    """Whether some Deny certainly denies ``action`` to ``principal``, and which."""
    answer: bool | None = False
    hits = []
    for statement in statements:
        if statement.effect not in ("Deny", None):
            continue
        parts = [statement.covers_action(action), covers_target(statement, what), statement.applies_to(principal)]
        if statement.effect is None:
            parts.append(None)
        if all(p is True for p in parts):
            hits.append(statement)
            answer = True
        elif False not in parts and answer is False:
            answer = None
    return answer, hits


def spared(statements) -> list[str]:
    """Who the Deny statements name as exceptions (NotPrincipal, negated
    principal conditions), for messages."""
    out: list[str] = []
    for statement in statements:
        for p in statement.not_principals or ():
            if _iam.exempted_by_not_principal(statement.not_principals, p) and str(p) not in out:
                out.append(str(p))
        for condition in statement.principal_conditions:
            if condition.negated:
                for value in condition.values:
                    text = f"account {value}" if condition.what == "account" else _iam.display(value)
                    if text not in out:
                        out.append(text)
    return out


class ResourcePolicyDeniesCompany(ResourceRule):
    root_local = True  # its findings on a resource depend on that resource's own root module only
    reads = ('resource_policy',)  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="ADM004",
        name="resource-policy-denies-company",
        severity=Severity.ERROR,
        security_severity=8.0,
        precision="high",
        tags=("admin-access", "reversibility", "governance", "security"),
    )

    def applies_to(self, resource):
        return resource.mode == "managed" and resource.type in RESOURCE_POLICIES

    def check(self, resource, ctx: RuleContext):
        attribute, what, actions = RESOURCE_POLICIES[resource.type]
        document = _iam.policy_document(resource.attributes.get(attribute))
        if document is None:
            return
        statements = _iam.statements(document)
        if not any(s.effect in ("Deny", None) for s in statements):
            return
        who = _iam.parties(ctx.policy, "aws")
        company = who.company_principals()
        used: list = []
        for principal in company:
            for action in actions:
                answer, hits = denied(statements, principal, action, what)
                if answer is not True:
                    return  # someone of the company keeps a way in, or we cannot tell
                used.extend(h for h in hits if h not in used)
        keepers = spared(used)
        keep_text = (f"Only {', '.join(keepers)} can still do it" if keepers else "No principal can still do it")
        labels = ", ".join(s.label for s in used)
        wanted = _iam.plain(company) if who.company_configured else f"the {what}'s account"
        tail = {
            "key": " Nothing overrides a key policy: recovering needs AWS Support.",
            "bucket": " Only the account's root user can still delete the bucket policy.",
            "vault": "",
        }[what]
        for statement in used:
            for p in company:
                if not p.root and any(_iam.same_principal(n, p) for n in statement.not_principals or ()):
                    tail = (f" {p} is named in NotPrincipal, but without its account "
                            f"(arn:aws:iam::{p.account}:root) AWS still denies it.{tail}")
        yield self.finding(
            resource,
            f"The policy of {resource.address} denies {' and '.join(actions)} to every company principal "
            f"({wanted}) in {labels}. {keep_text}: the company loses the ability to administer the {what}.{tail}",
            attribute=attribute,
            severity=Severity.WARNING if what == "bucket" else None,
            keeps=keepers,
            loses=[str(p) for p in company],
        )


RULE = ResourcePolicyDeniesCompany()
