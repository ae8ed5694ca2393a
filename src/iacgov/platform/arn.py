"""ARNs and the one text form of a value that may be partly unknown.

Shared by the IAM reading (:mod:`iacgov.platform.iam`), the review and the
rules (through :mod:`iacgov.api`). A value reaches a rule in one of three
shapes:

* a Terraform string in which unknown parts are placeholders
  (``<unknown:REF>``, see :mod:`iacgov.placeholders`);
* a CloudFormation :class:`~iacgov.model.Unknown` (``Ref``, ``GetAtt``) or
  :class:`~iacgov.placeholders.UnknownTemplate` (``Fn::Sub`` / ``Fn::Join``,
  ``text="arn:aws:iam::<unknown:AWS::AccountId>:root"``);
* a plain known string (plan JSON).

:func:`text_of` turns every such leaf into one text form, with unknown parts
written as placeholders, so that an ARN reads the same in every format:
``arn:aws:iam::<unknown:AWS::AccountId>:root`` and
``arn:aws:iam::<unknown:data.aws_caller_identity.current.account_id>:root``
both name the account deploying the code (:data:`SELF`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from iacgov.model import is_unknown
from iacgov.placeholders import PATTERN as PLACEHOLDER, UnknownTemplate

ACCOUNT_ID = re.compile(r"^\d{12}$")
# A placeholder replaced by an opaque token without ":" (see tokenise).
TOKEN = re.compile("\ue000(\\d+)\ue001")

# References that stand for the account deploying the code.
_SELF_ACCOUNT_REF = re.compile(
    r"^(?:AWS::AccountId|(?:module\.[^.]+\.)*data\.aws_caller_identity\.[^.]+\.account_id)$"
)
# References that stand for the region of the resource itself.
_SELF_REGION_REF = re.compile(
    r"^(?:AWS::Region|(?:module\.[^.]+\.)*data\.aws_region\.[^.]+\.(?:name|region|id))$"
)
_SELF_PARTITION_REF = re.compile(r"^(?:AWS::Partition|(?:module\.[^.]+\.)*data\.aws_partition\.[^.]+\.partition)$")

SELF = "<self>"  # the account deploying the code: known at deployment only


def text_of(value: Any) -> str | None:
    """A string leaf with unknown parts as ``<unknown:REF>`` placeholders;
    None for values that are not strings (numbers, booleans, mappings)."""
    if isinstance(value, str):
        return value
    if isinstance(value, UnknownTemplate):
        return value.text
    if is_unknown(value):
        return f"<unknown:{value.ref}>" if value.ref else "<unknown>"
    return None


def display(value: Any) -> str:
    """A value for messages: a reference as written (``aws_kms_key.k.arn``),
    a template with ``${REF}`` for its unknown parts."""
    text = text_of(value)
    if text is None:
        return str(value)
    whole = PLACEHOLDER.fullmatch(text)
    if whole:
        return whole.group(1) or "an unknown value"
    return PLACEHOLDER.sub(lambda m: "${" + (m.group(1) or "?") + "}", text)


def refs_of(value: Any) -> list[str]:
    """The references a value is built from (its placeholders' references)."""
    text = text_of(value)
    return [m.group(1) for m in PLACEHOLDER.finditer(text) if m.group(1)] if text else []


def is_partly_unknown(text: str) -> bool:
    return PLACEHOLDER.search(text) is not None


def is_self_account_ref(ref: str | None) -> bool:
    return bool(ref) and _SELF_ACCOUNT_REF.match(ref) is not None


def is_self_region_ref(ref: str | None) -> bool:
    return bool(ref) and _SELF_REGION_REF.match(ref) is not None


def tokenise(text: str) -> tuple[str, list[str | None]]:
    """Replace placeholders by opaque tokens without ``:`` (``AWS::AccountId``
    has two), so that an ARN template splits on its own colons."""
    refs: list[str | None] = []

    def sub(m: re.Match) -> str:
        refs.append(m.group(1))
        return f"\ue000{len(refs) - 1}\ue001"

    return PLACEHOLDER.sub(sub, text), refs


def untokenise(text: str, refs: list[str | None]) -> str:
    return TOKEN.sub(lambda m: f"<unknown:{refs[int(m.group(1))]}>" if refs[int(m.group(1))] else "<unknown>", text)


@dataclass(frozen=True)
class Arn:
    """An ARN, possibly with unknown parts. ``account`` is a 12-digit ID,
    :data:`SELF`, ``"aws"`` (AWS managed), ``"*"``, ``""`` or None (unknown);
    ``region`` likewise: a region, :data:`SELF` (the resource's own), ``""``
    (global) or None (unknown)."""

    text: str
    partition: str | None
    service: str | None
    region: str | None
    account: str | None
    resource: str | None  # may still carry placeholders


def parse_arn(value: Any) -> Arn | None:
    """The parts of an ARN (string, Unknown, Fn::Sub template); None if it is not one."""
    text = text_of(value)
    if text is None:
        return None
    tokenised, refs = tokenise(text)
    parts = tokenised.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None

    def part(raw: str, self_ref: re.Pattern | None = None) -> str | None:
        m = TOKEN.fullmatch(raw)
        if m:
            ref = refs[int(m.group(1))]
            return SELF if (self_ref is not None and ref and self_ref.match(ref)) else None
        return None if TOKEN.search(raw) else raw

    return Arn(
        text=text,
        partition=part(parts[1], _SELF_PARTITION_REF),
        service=part(parts[2]),
        region=part(parts[3], _SELF_REGION_REF),
        account=part(parts[4], _SELF_ACCOUNT_REF),
        resource=untokenise(parts[5], refs),
    )
