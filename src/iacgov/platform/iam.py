"""Reading IAM policies and principals, shared by the ADM rules and the review.

One reading of a policy document whatever it came from:

* a Terraform ``jsonencode(...)``, heredoc or ``data.aws_iam_policy_document``
  JSON string, in which unknown parts are placeholders (``<unknown:REF>``,
  see :mod:`iacgov.placeholders`);
* a CloudFormation ``KeyPolicy`` / ``PolicyDocument`` mapping (or JSON string),
  in which unknown values are :class:`~iacgov.model.Unknown` objects, strings
  built by ``Fn::Sub`` / ``Fn::Join`` being
  :class:`~iacgov.placeholders.UnknownTemplate` objects
  (``text="arn:aws:iam::<unknown:AWS::AccountId>:root"``), as Terraform's are;
* a plan JSON string with known values.

:func:`~iacgov.platform.arn.text_of` turns every such leaf into one text form, with unknown parts
written as placeholders, so a principal reads the same in every format:
``arn:aws:iam::<unknown:AWS::AccountId>:root`` and
``arn:aws:iam::<unknown:data.aws_caller_identity.current.account_id>:root``
are both *the account root of the account deploying the code* (:data:`SELF`).

Nothing here knows a rule: :class:`Parties` says who is the company, the
provider and the break-glass (``admin_access`` in the policy), :func:`classify`
puts a principal in one of those camps, and statements answer "does this
statement cover this action / apply to this principal" with ``True``,
``False`` or ``None`` (cannot be known: never a violation, never compliance).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from iacgov.model import Resource, is_unknown
from iacgov.placeholders import UnknownTemplate
# The ARN reading and the reference resolver are part of this module's
# vocabulary for its callers (``iam.parse_arn``, ``iam.referenced``).
from iacgov.platform.arn import (  # noqa: F401 - re-exported
    ACCOUNT_ID as _ACCOUNT_ID,
    SELF,
    TOKEN as _TOKEN,
    Arn,
    display,
    is_partly_unknown,
    is_self_account_ref,
    is_self_region_ref,
    parse_arn,
    refs_of,
    text_of,
    tokenise as _tokenise,
)
from iacgov.platform.references import ref_addresses, ref_target, referenced, root_of  # noqa: F401 - re-exported


# Camps a principal can be in (see classify()).
ANY = "anyone"
BREAK_GLASS = "break-glass"
COMPANY = "company"  # a company account (root) or a principal listed as the company's
COMPANY_ACCOUNT = "company-account"  # another principal inside a company account
PROVIDER = "provider"
SELF_ACCOUNT = "deploying-account"  # the account root of the deploying account
SELF_MEMBER = "deploying-account-member"  # another principal of the deploying account
SERVICE = "service"
OTHER = "other"
UNKNOWN = "unknown"

# AWS managed policies that make their holder an administrator (IAMFullAccess
# lets it grant itself anything else).
ADMIN_MANAGED_POLICIES = frozenset({"AdministratorAccess", "IAMFullAccess"})
_MANAGED_POLICY = re.compile(r"^arn:aws[\w-]*:iam::aws:policy/(?:.*/)?([^/]+)$")


# --------------------------------------------------------------------------
# Policy documents and statements
# --------------------------------------------------------------------------


def _render(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _render(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_render(v) for v in value]
    text = text_of(value)
    return text if text is not None else value


def policy_document(value: Any) -> dict | None:
    """A policy document as a plain mapping (unknown leaves as placeholders),
    from a JSON string or a mapping; None when it is unknown or not a document."""
    if isinstance(value, str) and not isinstance(value, UnknownTemplate):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    elif is_unknown(value):
        return None
    if not isinstance(value, Mapping):
        return None
    return _render(value)


def _strings(value: Any) -> tuple[str, ...] | None:
    """A policy element that is a string or list of strings; None when it is
    not written. A non-string item becomes a placeholder: it is not known."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    return tuple(item if isinstance(item, str) else "<unknown>" for item in items)


def _glob_segments(pattern: str) -> list[tuple[re.Pattern[str], int]]:
    """The IAM pattern split at its ``*`` (a placeholder matches anything
    too): each segment compiled (``?`` any one character) with its length."""
    tokenised, _ = _tokenise(pattern)
    text = "".join("*" if i % 2 else piece for i, piece in enumerate(_TOKEN.split(tokenised)))
    return [(re.compile("".join("." if c == "?" else re.escape(c) for c in segment), re.IGNORECASE | re.DOTALL),
             len(segment)) for segment in text.split("*")]


def _glob_fullmatch(segments: list[tuple[re.Pattern[str], int]], value: str) -> bool:
    """Whether ``value`` matches the segments joined by ``*``. Not one regular
    expression: ``.*a.*a.*a...`` backtracks polynomially (a policy's
    ``*a*a*a*a*a*a*`` against a long ARN took hours). A segment has a fixed
    length, so the first is a prefix, the last a suffix, and the others are
    found leftmost in turn (correct for ``*``), each search linear."""
    (first, first_width), *rest = segments
    if not rest:
        return first.fullmatch(value) is not None
    *middle, (last, last_width) = rest
    end = len(value) - last_width
    if end < first_width or first.match(value, 0, first_width) is None or last.fullmatch(value, end) is None:
        return False
    position = first_width
    for segment, _ in middle:
        found = segment.search(value, position, end)
        if found is None:
            return False
        position = found.end()
    return True


def glob_match(pattern: str, value: str) -> bool | None:
    """IAM wildcard matching (``*``, ``?``), case-insensitive; None when
    unknown parts decide the answer (the known text around a placeholder can
    still rule a match out)."""
    if pattern == "*":
        return True
    if is_partly_unknown(value):
        return None
    hit = _glob_fullmatch(_glob_segments(pattern), value)
    if is_partly_unknown(pattern):
        return None if hit else False
    return hit


def _leaves_iam_in(not_actions: Iterable[str]) -> bool | None:
    """Whether a ``NotAction`` list excludes no IAM action: True when none of its patterns can
    match an ``iam:`` action, False when one can, None when an unknown pattern decides. A
    pattern without a service (``*Get*``) can match one when its text before the first wildcard
    is the start of ``iam:``."""
    answer: bool | None = True
    for pattern in not_actions:
        if is_partly_unknown(pattern):
            answer = None
            continue
        if ":" in pattern:
            if glob_match(pattern.split(":", 1)[0], "iam"):
                return False
            continue
        cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=-1)
        if cut >= 0 and "iam:".startswith(pattern[:cut].lower()):
            return False
    return answer


def _any_match(patterns: Iterable[str], value: str) -> bool | None:
    """True if one pattern matches, False if none can, None otherwise."""
    answer: bool | None = False
    for pattern in patterns:
        m = glob_match(pattern, value)
        if m:
            return True
        if m is None:
            answer = None
    return answer


# Condition keys that name the calling principal, and the operators on them.
_PRINCIPAL_KEYS = {"aws:principalarn": "arn", "aws:principalaccount": "account", "kms:calleraccount": "account",
                   "aws:sourceaccount": None}
_POSITIVE = {"stringequals", "stringlike", "arnequals", "arnlike", "stringequalsignorecase"}
_NEGATIVE = {"stringnotequals", "stringnotlike", "arnnotequals", "arnnotlike", "stringnotequalsignorecase"}


@dataclass(frozen=True)
class PrincipalCondition:
    """A condition on who calls: ``aws:PrincipalArn`` / ``aws:PrincipalAccount``
    (``kms:CallerAccount``) with a positive (only these) or negative (all but
    these) operator."""

    what: str  # "arn" | "account"
    negated: bool
    values: tuple[str, ...]

    def matches(self, principal: "Principal") -> bool | None:
        if self.what == "account":
            if principal.account is None or principal.account == SELF:
                return None
            hit = _any_match(self.values, principal.account)
        else:
            text = principal.arn_for_conditions
            if is_partly_unknown(text):
                hit = False
                for pattern in self.values:
                    m = _pattern_may_match(pattern, principal)
                    if m:
                        hit = True
                        break
                    if m is None:
                        hit = None
            else:
                hit = _any_match(self.values, text)
        if hit is None:
            return None
        return (not hit) if self.negated else hit


def _pattern_may_match(pattern: str, principal: "Principal") -> bool | None:
    """Whether an ARN pattern matches a principal whose account is not known:
    False when the known part (``root`` against ``role/x``) rules it out."""
    if pattern == "*":
        return True
    arn = parse_arn(pattern)
    if arn is None or arn.resource is None:
        return None
    own = "root" if principal.root else principal.name
    if own and not is_partly_unknown(own) and not is_partly_unknown(arn.resource):
        if not glob_match(arn.resource, own):
            return False
    return None


@dataclass(frozen=True)
class Statement:
    index: int
    sid: str | None
    effect: str | None  # "Allow" | "Deny" | None (unknown)
    principals: tuple["Principal", ...] | None  # None: no Principal element
    not_principals: tuple["Principal", ...] | None
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principal_conditions: tuple[PrincipalCondition, ...] = ()
    # Conditions on anything else (source IP, MFA, tags...): whether the
    # statement applies to a given request cannot be known statically.
    other_conditions: bool = False

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"

    def covers_action(self, action: str) -> bool | None:
        if self.actions is not None:
            return _any_match(self.actions, action)
        if self.not_actions is not None:
            hit = _any_match(self.not_actions, action)
            return None if hit is None else not hit
        return False

    def grants_everything(self) -> bool | None:
        """``Action: "*"`` (or ``iam:*``, which grants the rest) on ``Resource: "*"``; or a
        ``NotAction`` that leaves every IAM action in (``NotAction: "s3:DeleteBucket"`` grants
        ``iam:*`` with the rest, so everything)."""
        action: bool | None = False  # every action known and none of those: not everything
        if self.actions is not None:
            for a in self.actions:
                if a in ("*", "*:*") or a.lower() == "iam:*":
                    action = True
                    break
                if is_partly_unknown(a):
                    action = None
        elif self.not_actions is not None:
            action = _leaves_iam_in(self.not_actions)
        if self.resources is None:
            return False
        if "*" in self.resources:
            return action
        if not any(is_partly_unknown(r) for r in self.resources):
            return False  # known resources, none "*": not everything, whatever the actions
        return action and None

    def covers_resource(self, resource: str) -> bool | None:
        """Whether the statement's ``Resource`` covers the ARN ``resource``."""
        if self.resources is not None:
            return _any_match(self.resources, resource)
        if self.not_resources is not None:
            hit = _any_match(self.not_resources, resource)
            return None if hit is None else not hit
        return True  # key policies may omit it... and then it is the key

    def applies_to(self, principal: "Principal") -> bool | None:
        """Whether a Deny (or Allow) of this resource policy statement applies
        to ``principal`` — the principal elements and the principal conditions;
        None when other conditions make it depend on the request."""
        if self.principals is not None:
            hit = _listed(self.principals, principal, resource_policy_semantics=True)
        elif self.not_principals is not None:
            exempt = exempted_by_not_principal(self.not_principals, principal)
            hit = None if exempt is None else not exempt
        else:
            hit = True  # identity policies and SCPs: the holder
        if hit is False:
            return False
        for condition in self.principal_conditions:
            m = condition.matches(principal)
            if m is False:
                return False
            if m is None:
                hit = None
        if self.other_conditions and hit:
            return None
        return hit

    def effective_principals(self) -> tuple["Principal", ...]:
        """The principals of an Allow, narrowed by positive principal conditions
        (``Principal: "*"`` with ``aws:PrincipalArn`` = X grants X)."""
        principals = self.principals or ()
        positives = [c for c in self.principal_conditions if not c.negated]
        if not positives:
            return principals
        narrowed: list[Principal] = []
        for condition in positives:
            for value in condition.values:
                narrowed.append(principal_from_text(value if condition.what == "arn" else value, "AWS"))
        if any(p.type == "*" for p in principals):
            return tuple(narrowed)
        return tuple(p for p in principals if all(c.matches(p) is not False for c in positives))


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(document: Mapping | None) -> list[Statement]:
    """The statements of a document (see :func:`policy_document`)."""
    if not isinstance(document, Mapping):
        return []
    out = []
    for index, raw in enumerate(_as_list(document.get("Statement"))):
        if not isinstance(raw, Mapping):
            # A statement that is not known (an unknown source document):
            # it may say anything.
            out.append(Statement(index, None, None, (Principal("<unknown>", "AWS", None),), None,
                                 ("<unknown>",), None, ("<unknown>",), None))
            continue
        effect = raw.get("Effect")
        effect = effect if effect in ("Allow", "Deny") else None
        conditions, other = _conditions(raw.get("Condition"))
        out.append(Statement(
            index=index,
            sid=raw.get("Sid") if isinstance(raw.get("Sid"), str) else None,
            effect=effect,
            principals=principals_of(raw["Principal"]) if "Principal" in raw else None,
            not_principals=principals_of(raw["NotPrincipal"]) if "NotPrincipal" in raw else None,
            actions=_strings(raw.get("Action")),
            not_actions=_strings(raw.get("NotAction")),
            resources=_strings(raw.get("Resource")),
            not_resources=_strings(raw.get("NotResource")),
            principal_conditions=conditions,
            other_conditions=other,
        ))
    return out


def _conditions(raw: Any) -> tuple[tuple[PrincipalCondition, ...], bool]:
    if raw is None:
        return (), False
    if not isinstance(raw, Mapping):
        return (), True
    found: list[PrincipalCondition] = []
    other = False
    for operator, block in raw.items():
        op = str(operator).lower()
        if not isinstance(block, Mapping):
            other = True
            continue
        for key, values in block.items():
            what = _PRINCIPAL_KEYS.get(str(key).lower())
            if what and (op in _POSITIVE or op in _NEGATIVE):
                found.append(PrincipalCondition(what, op in _NEGATIVE, _strings(values) or ()))
            else:
                other = True
    return tuple(found), other


# --------------------------------------------------------------------------
# Principals
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """One principal of a policy. ``type`` is ``AWS``, ``Service``,
    ``Federated``, ``CanonicalUser`` or ``*`` (anyone). For AWS principals,
    ``account`` is the 12-digit ID, :data:`SELF` or None (unknown), ``root``
    says it is the account itself (``arn:aws:iam::ID:root`` or a bare ID) and
    ``name`` is the rest (``role/break-glass``)."""

    text: str
    type: str
    account: str | None = None
    root: bool = False
    name: str | None = None

    @property
    def known(self) -> bool:
        return not is_partly_unknown(self.text)

    @property
    def arn_for_conditions(self) -> str:
        if self.root and self.account and self.account != SELF:
            return f"arn:aws:iam::{self.account}:root"
        return self.text

    def __str__(self) -> str:
        if self.type == "*":
            return "anyone (*)"
        if self.type == "AWS" and self.root and self.account == SELF:
            return "the deploying account's root"
        if self.type == "AWS" and self.root and self.account and _ACCOUNT_ID.match(self.account):
            return f"arn:aws:iam::{self.account}:root"
        return display(self.text)


def principal_from_text(text: str, type_: str = "AWS") -> Principal:
    if type_ != "AWS":
        return Principal(text, type_)
    if text == "*":
        return Principal(text, "*")
    tokenised, refs = _tokenise(text)
    whole = _TOKEN.fullmatch(tokenised)
    if whole:
        ref = refs[int(whole.group(1))]
        if is_self_account_ref(ref):
            return Principal(text, "AWS", SELF, root=True)
        return Principal(text, "AWS", None)
    if _ACCOUNT_ID.match(text):
        return Principal(text, "AWS", text, root=True)
    arn = parse_arn(text)
    if arn is None:
        return Principal(text, "AWS", None)
    resource = arn.resource or ""
    return Principal(text, "AWS", arn.account, root=resource == "root", name=None if resource == "root" else resource)


def principals_of(value: Any) -> tuple[Principal, ...]:
    """The principals of a ``Principal`` / ``NotPrincipal`` element."""
    if value == "*":
        return (Principal("*", "*"),)
    if isinstance(value, str):  # a placeholder standing for the whole element
        return (Principal(value, "AWS", None),)
    if not isinstance(value, Mapping):
        return (Principal("<unknown>", "AWS", None),)
    out: list[Principal] = []
    for type_, items in value.items():
        for item in _as_list(items):
            out.append(principal_from_text(item if isinstance(item, str) else "<unknown>", str(type_)))
    return tuple(out)


def same_principal(listed: Principal, principal: Principal) -> bool | None:
    if listed.type == "*":
        return True
    if listed.type != principal.type:
        return False
    if listed.type != "AWS":
        return listed.text.lower() == principal.text.lower() if listed.known and principal.known else None
    if listed.account is None or principal.account is None:
        return None
    if listed.root and principal.root:
        if listed.account == principal.account:
            return True
        return None if SELF in (listed.account, principal.account) else False
    if listed.root or principal.root:
        return None if SELF in (listed.account, principal.account) and listed.account != principal.account else False
    hit = glob_match(listed.text, principal.text)
    return hit


def _listed(principals: Sequence[Principal], principal: Principal, *, resource_policy_semantics: bool) -> bool | None:
    """Whether a statement with these principals applies to ``principal``.
    In a resource policy, an account principal stands for every principal of
    that account, so a Deny on ``arn:aws:iam::ID:root`` applies to its roles."""
    answer: bool | None = False
    for listed in principals:
        hit = same_principal(listed, principal)
        if not hit and resource_policy_semantics and listed.type == "AWS" and listed.root and principal.type == "AWS":
            if listed.account is None or principal.account is None:
                hit = None
            elif listed.account == principal.account:
                hit = True
            elif SELF in (listed.account, principal.account):
                hit = None
        if hit:
            return True
        if hit is None:
            answer = None
    return answer


def exempted_by_not_principal(not_principals: Sequence[Principal], principal: Principal) -> bool | None:
    """A Deny with ``NotPrincipal`` spares a role or user only if its account is
    listed too: AWS evaluates the account, then the role, then the session
    (IAM User Guide, "AWS JSON policy elements: NotPrincipal")."""
    named: bool | None = False
    for listed in not_principals:
        hit = same_principal(listed, principal)
        if hit:
            named = True
            break
        if hit is None:
            named = None
    if named is None:
        return None
    if not named:
        return False
    if principal.root or principal.type != "AWS":
        return True
    account_root = Principal(f"arn:aws:iam::{principal.account}:root", "AWS", principal.account, root=True)
    answer: bool | None = False
    for listed in not_principals:
        hit = same_principal(listed, account_root) if listed.root else False
        if hit:
            return True
        if hit is None:
            answer = None
    return answer


# --------------------------------------------------------------------------
# Who is who: admin_access in the policy
# --------------------------------------------------------------------------


def _norm(entries: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(e).strip() for e in entries or () if str(e).strip())


@dataclass(frozen=True)
class Parties:
    """``admin_access`` for one cloud: who is the company, the provider, the break-glass."""

    cloud: str
    company: tuple[str, ...] = ()
    provider: tuple[str, ...] = ()
    break_glass: tuple[str, ...] = ()

    @property
    def company_configured(self) -> bool:
        return bool(self.company or self.break_glass)

    @property
    def provider_configured(self) -> bool:
        return bool(self.provider)

    # -- AWS -------------------------------------------------------------

    def _accounts(self, entries: Iterable[str]) -> set[str]:
        out = set()
        for entry in entries:
            if _ACCOUNT_ID.match(entry):
                out.add(entry)
            else:
                arn = parse_arn(entry)
                if arn and arn.account and _ACCOUNT_ID.match(arn.account):
                    out.add(arn.account)
        return out

    @property
    def company_accounts(self) -> set[str]:
        """Company accounts: the IDs listed, the accounts of the ARNs listed and
        of the break-glass principals (a break-glass lives in a company account)."""
        return self._accounts(self.company) | self._accounts(self.break_glass)

    @property
    def provider_accounts(self) -> set[str]:
        """Provider accounts (an account listed on both sides is the company's)."""
        return self._accounts(self.provider) - self.company_accounts

    def company_principals(self) -> list[Principal]:
        """Who must keep administering: company account roots (the deploying
        account's when none is configured), listed ARNs, break-glass ARNs."""
        out: list[Principal] = []
        for account in sorted(self.company_accounts):
            out.append(Principal(f"arn:aws:iam::{account}:root", "AWS", account, root=True))
        if not out:
            out.append(Principal("arn:aws:iam::<unknown:AWS::AccountId>:root", "AWS", SELF, root=True))
        for entry in [*self.company, *self.break_glass]:
            if not _ACCOUNT_ID.match(entry):
                p = principal_from_text(entry)
                if not p.root and p not in out:
                    out.append(p)
        return out

    def classify(self, principal: Principal) -> str:
        """The camp of an AWS principal (see the module constants)."""
        if principal.type == "*":
            return ANY
        if principal.type == "Service":
            return SERVICE
        if principal.type == "CanonicalUser":
            return OTHER
        if principal.known and principal.type == "AWS":
            if any(glob_match(e, principal.text) for e in self.break_glass if not _ACCOUNT_ID.match(e)):
                return BREAK_GLASS
            if any(glob_match(e, principal.text) for e in self.company if not _ACCOUNT_ID.match(e)) and not principal.root:
                return COMPANY
            if any(glob_match(e, principal.text) for e in self.provider if not _ACCOUNT_ID.match(e)) and not principal.root:
                return PROVIDER
        account = principal.account
        if principal.type == "Federated":
            arn = parse_arn(principal.text)
            account = arn.account if arn else None
            if arn is None:  # accounts.google.com, cognito...: an identity provider, not an account
                return OTHER
        if account is None:
            return UNKNOWN
        if account == SELF:
            return SELF_ACCOUNT if principal.root and principal.type == "AWS" else SELF_MEMBER
        if account in self.company_accounts:
            return COMPANY if principal.root and principal.type == "AWS" else COMPANY_ACCOUNT
        if account in self.provider_accounts:
            return PROVIDER
        return OTHER

    # -- Azure and Google Cloud -----------------------------------------

    def member_camp(self, member: Any) -> str:
        """The camp of an Azure object ID or a Google Cloud member
        (``user:``, ``group:``, ``serviceAccount:``, ``domain:``)."""
        text = text_of(member)
        if text is None or is_partly_unknown(text):
            return UNKNOWN
        if any(_member_matches(e, text) for e in self.break_glass):
            return BREAK_GLASS
        if any(_member_matches(e, text) for e in self.company):
            return COMPANY
        if any(_member_matches(e, text) for e in self.provider):
            return PROVIDER
        return OTHER


def _member_matches(entry: str, member: str) -> bool:
    entry, member = entry.strip().lower(), member.strip().lower()
    if entry == member:
        return True
    if entry.startswith("domain:") and ":" in member:
        kind, _, email = member.partition(":")
        if kind in ("user", "group", "serviceaccount", "domain") and "@" in email:
            return email.rsplit("@", 1)[1] == entry[len("domain:"):]
        return kind == "domain" and email == entry[len("domain:"):]
    return False


def parties(policy: Any, cloud: str) -> Parties:
    return Parties(
        cloud=cloud,
        company=_norm(policy.get(f"admin_access.company_accounts.{cloud}") or ()),
        provider=_norm(policy.get(f"admin_access.provider_accounts.{cloud}") or ()),
        break_glass=_norm(policy.get(f"admin_access.break_glass.{cloud}") or ()),
    )


def plain(principals: Iterable[Principal]) -> str:
    """``arn:aws:iam::111111111111:root, ...`` for messages."""
    seen: list[str] = []
    for p in principals:
        if str(p) not in seen:
            seen.append(str(p))
    return ", ".join(seen) if seen else "no one"


def describe(principals: Iterable[Principal], who: Parties) -> str:
    """``arn:aws:iam::222222222222:role/ops (provider), ...`` for messages."""
    seen: list[str] = []
    for p in principals:
        camp = who.classify(p)
        label = {PROVIDER: "provider", COMPANY: "company", COMPANY_ACCOUNT: "company account",
                 BREAK_GLASS: "break-glass", SERVICE: "AWS service", SELF_ACCOUNT: "deploying account"}.get(camp)
        text = f"{p} ({label})" if label and camp != SELF_ACCOUNT else str(p)
        if text not in seen:
            seen.append(text)
    return ", ".join(seen) if seen else "no one"


# --------------------------------------------------------------------------
# Administrator rights of IAM roles (Terraform and CloudFormation)
# --------------------------------------------------------------------------


def managed_policy_name(arn: Any) -> str | None:
    """``AdministratorAccess`` for ``arn:aws:iam::aws:policy/AdministratorAccess``."""
    text = text_of(arn)
    m = _MANAGED_POLICY.match(text) if text else None
    return m.group(1) if m else None


@dataclass(frozen=True)
class Grant:
    """A permission set a principal gets: ``policy`` names it
    (``AdministratorAccess``, ``aws_iam_policy.ops``, ``inline policy x``),
    ``via`` where the code gives it (``aws_iam_role_policy_attachment.x``,
    ``managed_policy_arns[0]``); ``admin`` is True / False / None (unknown)."""

    policy: str
    via: str
    admin: bool | None
    document: dict | None = None  # the policy document, when known

    @property
    def source(self) -> str:
        return self.policy if self.policy == self.via else f"{self.policy} from {self.via}"


def document_is_admin(document: Mapping | None) -> bool | None:
    if document is None:
        return None
    answer: bool | None = False
    for statement in statements(document):
        if statement.effect == "Allow":
            hit = statement.grants_everything()
            if hit:
                return True
            if hit is None:
                answer = None
        elif statement.effect is None:
            answer = None
    return answer


@dataclass
class IamIndex:
    """The IAM resources of a scan, to answer "what does this role hold" once
    for every rule. Built with :func:`iam_index`."""

    resources: Sequence[Resource]
    roles: list[Resource] = field(default_factory=list)
    policies: list[Resource] = field(default_factory=list)  # managed policies (their own documents)
    attachments: list[Resource] = field(default_factory=list)

    def role_name(self, role: Resource) -> Any:
        if role.source_format == "cloudformation":
            return role.attributes.get("RoleName")
        return role.attributes.get("name")

    def role_path(self, role: Resource) -> str:
        path = role.attributes.get("Path" if role.source_format == "cloudformation" else "path")
        return path if isinstance(path, str) else "/"

    def names_role(self, value: Any, role: Resource, origin: Resource) -> bool | None:
        """Whether ``value``, written in ``origin`` (a role name, ARN or
        reference), designates ``role``; None when it cannot be known."""
        text = text_of(value)
        if text is None:
            return None
        if is_partly_unknown(text):
            if any(ref_target(ref, role, origin) is not None for ref in refs_of(value)):
                return True
            return None
        name = self.role_name(role)
        if not isinstance(name, str):
            return None
        return _literal_role_name(text) == name

    def trust(self, role: Resource) -> dict | None:
        value = role.attributes.get(
            "AssumeRolePolicyDocument" if role.source_format == "cloudformation" else "assume_role_policy")
        return policy_document(value)

    def trusted_principals(self, role: Resource) -> tuple[Principal, ...] | None:
        """Who may assume the role (Allow ``sts:AssumeRole*``); None if unknown."""
        document = self.trust(role)
        if document is None:
            return None
        out: list[Principal] = []
        for statement in statements(document):
            if statement.effect == "Deny":
                continue
            covers = any(statement.covers_action(a) is not False for a in
                         ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"))
            if statement.effect is None or covers:
                out.extend(statement.effective_principals() or (Principal("<unknown>", "AWS", None),))
        return tuple(out)

    def policy_by_arn(self, value: Any, origin: Resource) -> Resource | None:
        """The managed policy resource an ARN (or reference) written in ``origin`` designates."""
        lookup = self._lookup()
        for ref in refs_of(value):
            for address in ref_addresses(ref, origin):
                # ref_target designates only a policy of that address and of origin's root module
                for policy in lookup.policies.get((address, root_of(origin)), ()):
                    if ref_target(ref, policy, origin) is not None:
                        return policy
        text = text_of(value)
        arn = parse_arn(text) if text else None
        if arn is None or not arn.resource or not arn.resource.startswith("policy/"):
            return None
        return lookup.policy_names.get(arn.resource.split("/")[-1])

    def _lookup(self) -> "_Lookup":
        """The indexes of roles' attachments and of policies, built on first use
        (again if the lists grew since): looking each role's grants up in
        every attachment and policy of the scan is quadratic in the estate."""
        sizes = (len(self.policies), len(self.attachments))
        cached = self.__dict__.get("_lookup_cache")
        if cached is None or cached.sizes != sizes:
            cached = _Lookup.build(self, sizes)
            self.__dict__["_lookup_cache"] = cached
        return cached

    def _attachments_of(self, role: Resource) -> list[Resource]:
        """The attachments that may name ``role``, in their order: a superset of
        those :meth:`names_role` accepts, which :meth:`grants` still asks."""
        lookup = self._lookup()
        found = [*lookup.attachments.get(("root", root_of(role)), ()), *lookup.any_role]
        name = self.role_name(role)
        if isinstance(name, str):
            found += lookup.attachments.get(("name", name), ())
        return [self.attachments[i] for i in sorted(set(found))]

    def policy_arn_grant(self, arn: Any, via: str, origin: Resource) -> Grant:
        name = managed_policy_name(arn)
        if name is not None:
            return Grant(name, via, name in ADMIN_MANAGED_POLICIES)
        policy = self.policy_by_arn(arn, origin)
        if policy is not None:
            document = policy_document(policy.attributes.get(
                "PolicyDocument" if policy.source_format == "cloudformation" else "policy"))
            return Grant(policy.address, via, document_is_admin(document), document)
        return Grant(display(arn), via, None)

    def grants(self, role: Resource) -> tuple[list[Grant], bool]:
        """Every permission set the code gives ``role``, and whether the code
        declares its managed policies exclusively (so that nothing else is
        attached)."""
        out: list[Grant] = []
        a = role.attributes
        cfn = role.source_format == "cloudformation"
        managed = a.get("ManagedPolicyArns" if cfn else "managed_policy_arns")
        exclusive = isinstance(managed, list)
        for i, arn in enumerate(managed if isinstance(managed, list) else []):
            out.append(self.policy_arn_grant(arn, f"{'ManagedPolicyArns' if cfn else 'managed_policy_arns'}[{i}]", role))
        inline = a.get("Policies" if cfn else "inline_policy")
        for i, item in enumerate(inline if isinstance(inline, list) else []):
            if isinstance(item, Mapping):
                doc = policy_document(item.get("PolicyDocument" if cfn else "policy"))
                name = f"inline policy {item.get('PolicyName' if cfn else 'name') or i}"
                out.append(Grant(name, name, document_is_admin(doc), doc))
        for other in self._attachments_of(role):
            oa = other.attributes
            kind = other.type
            if kind == "aws_iam_role_policy_attachment" and self.names_role(oa.get("role"), role, other):
                out.append(self.policy_arn_grant(oa.get("policy_arn"), other.address, other))
            elif kind == "aws_iam_role_policy_attachments_exclusive" and self.names_role(oa.get("role_name"), role, other):
                exclusive = True
                for i, arn in enumerate(oa.get("policy_arns") or []):
                    out.append(self.policy_arn_grant(arn, f"{other.address} policy_arns[{i}]", other))
            elif kind == "aws_iam_policy_attachment" and any(self.names_role(r, role, other) for r in _as_list(oa.get("roles"))):
                out.append(self.policy_arn_grant(oa.get("policy_arn"), other.address, other))
            elif kind == "aws_iam_role_policy" and self.names_role(oa.get("role"), role, other):
                doc = policy_document(oa.get("policy"))
                out.append(Grant(other.address, other.address, document_is_admin(doc), doc))
            elif kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and any(
                    self.names_role(r, role, other) for r in _as_list(oa.get("Roles"))):
                doc = policy_document(oa.get("PolicyDocument"))
                out.append(Grant(other.address, other.address, document_is_admin(doc), doc))
            elif kind == "AWS::IAM::RolePolicy" and self.names_role(oa.get("RoleName"), role, other):
                doc = policy_document(oa.get("PolicyDocument"))
                out.append(Grant(other.address, other.address, document_is_admin(doc), doc))
        return out, exclusive

    def is_admin(self, role: Resource) -> bool | None:
        grants, _ = self.grants(role)
        answer: bool | None = False
        for grant in grants:
            if grant.admin:
                return True
            if grant.admin is None:
                answer = None
        return answer


def _literal_role_name(text: str) -> str | None:
    """The role name a known role name or ARN designates (None: an ARN of something else)."""
    arn = parse_arn(text)
    if arn is not None:
        resource = arn.resource or ""
        return resource.split("/")[-1] if resource.startswith("role/") else None
    return text


# Where each attachment type of IamIndex.grants names its roles (a list or one value).
_ROLE_SETTINGS = {
    "aws_iam_role_policy_attachment": "role", "aws_iam_role_policy_attachments_exclusive": "role_name",
    "aws_iam_policy_attachment": "roles", "aws_iam_role_policy": "role", "AWS::IAM::Policy": "Roles",
    "AWS::IAM::ManagedPolicy": "Roles", "AWS::IAM::RolePolicy": "RoleName",
}


class _Lookup(NamedTuple):  # not a dataclass: those need iacgov.fastdc's table regenerated
    """:class:`IamIndex`'s look-ups. ``attachments``: positions in
    ``IamIndex.attachments`` by ("root", root module) — a reference names a
    role of its own root module only — and by ("name", role name) for the
    names and ARNs written as text, which may name a role of any root;
    ``any_role``: attachments of a type whose roles are not known here.
    ``policies``: managed policies by (address, root module);
    ``policy_names``: the first managed policy of each name."""

    sizes: tuple[int, int]
    attachments: dict[tuple[str, Any], list[int]]
    any_role: tuple[int, ...]
    policies: dict[tuple[str, Any], list[Resource]]
    policy_names: dict[str, Resource]

    @staticmethod
    def build(index: "IamIndex", sizes: tuple[int, int]) -> "_Lookup":
        attachments: dict[tuple[str, Any], list[int]] = {}
        any_role: list[int] = []
        for i, other in enumerate(index.attachments):
            attachments.setdefault(("root", root_of(other)), []).append(i)
            setting = _ROLE_SETTINGS.get(other.type)
            if setting is None:
                any_role.append(i)
                continue
            for value in _as_list(other.attributes.get(setting)):
                text = text_of(value)
                name = _literal_role_name(text) if text is not None and not is_partly_unknown(text) else None
                if name is not None:
                    attachments.setdefault(("name", name), []).append(i)
        policies: dict[tuple[str, Any], list[Resource]] = {}
        policy_names: dict[str, Resource] = {}
        for policy in index.policies:
            policies.setdefault((policy.address, root_of(policy)), []).append(policy)
            own = policy.attributes.get("ManagedPolicyName" if policy.source_format == "cloudformation" else "name")
            if isinstance(own, str):
                policy_names.setdefault(own, policy)
        return _Lookup(sizes, attachments, tuple(any_role), policies, policy_names)


_ROLE_TYPES = {"aws_iam_role", "AWS::IAM::Role"}
_POLICY_TYPES = {"aws_iam_policy", "AWS::IAM::ManagedPolicy"}
_ATTACHMENT_TYPES = {
    "aws_iam_role_policy_attachment", "aws_iam_role_policy_attachments_exclusive", "aws_iam_policy_attachment",
    "aws_iam_role_policy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy",
}


def iam_index(resources: Sequence[Resource]) -> IamIndex:
    index = IamIndex(resources)
    for r in resources:
        if r.mode != "managed":
            continue
        if r.type in _ROLE_TYPES:
            index.roles.append(r)
        if r.type in _POLICY_TYPES:
            index.policies.append(r)
        if r.type in _ATTACHMENT_TYPES:
            index.attachments.append(r)
    return index
