"""How unknown values are written inside strings that must stay strings.

A JSON document built by the configuration (``jsonencode(...)``, the ``json``
of a ``data "aws_iam_policy_document"``) is a string a rule parses, so an
unknown part of it cannot be an :class:`~iacgov.model.Unknown` object. It is
written as a placeholder instead:

* ``<unknown:REF>`` where ``REF`` is what the value comes from
  (``<unknown:data.aws_caller_identity.current.account_id>``,
  ``<unknown:aws_kms_key.k.arn>``), or ``<unknown>`` when there is no such
  reference;
* a string template with unknown parts keeps its known text around them:
  ``"arn:aws:iam::<unknown:data.aws_caller_identity.current.account_id>:root"``.

As a plain value (an attribute, a tag), such a template is an
:class:`UnknownTemplate`: an ``Unknown`` whose ``text`` is that rendering.
Rules call :func:`refs_in` to read the references out of a principal, and
:func:`render` to get the placeholder text of any value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from iacgov.model import Unknown

PATTERN = re.compile(r"<unknown(?::([^<>\s]+))?>")


@dataclass(frozen=True)
class UnknownTemplate(Unknown):
    """A string with unknown parts; ``text`` renders them as placeholders."""

    text: str = ""

    def __repr__(self) -> str:
        return f"UnknownTemplate({self.text!r})"


def placeholder(value: Unknown) -> str:
    """The placeholder text standing for an unknown value."""
    if isinstance(value, UnknownTemplate):
        return value.text
    return f"<unknown:{value.ref}>" if value.ref else "<unknown>"


def render(value: Any) -> Any:
    """``value`` with every unknown leaf replaced by its placeholder text."""
    if isinstance(value, Unknown):
        return placeholder(value)
    if isinstance(value, Mapping):
        return {k: render(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [render(v) for v in value]
    return value


def refs_in(text: str) -> list[str]:
    """The references of the placeholders in ``text`` (``<unknown>`` gives none)."""
    return [m.group(1) for m in PATTERN.finditer(text) if m.group(1)]


def has_placeholder(text: str) -> bool:
    return PATTERN.search(text) is not None


def restore(value: Any) -> Any:
    """Inverse of :func:`render`: strings carrying placeholders become unknown
    again, so that decoding a rendered document never yields them as facts."""
    if isinstance(value, str):
        if not has_placeholder(value):
            return value
        whole = PATTERN.fullmatch(value)
        if whole:
            return Unknown("decoded from a document with an unknown value", ref=whole.group(1))
        return UnknownTemplate("decoded from a document with an unknown part", text=value)
    if isinstance(value, Mapping):
        return {k: restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restore(v) for v in value]
    return value
