"""Reading values out of a resource: one dotted-path walker and one value reader.

What the formats write is turned into Python values here (CloudFormation
parameters are strings, Terraform launch templates write ``"true"``), and
:class:`~iacgov.model.Unknown` stays unknown: never a violation, never
compliance. A setting is named for both formats with :class:`Setting` (the
Terraform argument and the CloudFormation property), so plan JSON and HCL
share the Terraform path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

def is_unknown(value: Any) -> bool:
    return _model.is_unknown(value)


def Unknown(reason: str) -> Any:  # noqa: N802 - the model's Unknown, resolved at call time
    return _model.Unknown(reason)

_MISSING = object()


def walk(value: Any, parts: Sequence[str], *, into_blocks: bool = False, skip_null: bool = False,
         path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """``(concrete dotted path, value)`` for every place ``parts`` reaches: the
    one path walker of rules, review, cost and location.

    A ``*`` part steps into every item of a list, a digit part into one item,
    a name into a mapping. ``skip_null``: a key written as null is not set.
    ``into_blocks`` (the cost reader): a name applied to a list of one item
    steps into that item (an HCL / plan block is a list of one mapping), an
    unknown value met on the way is the answer, and null ends the walk."""
    if into_blocks and is_unknown(value):
        yield ".".join(path), value
        return
    if not parts:
        yield ".".join(path), value
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, rest, into_blocks=into_blocks, skip_null=skip_null, path=(*path, str(i)))
        return
    if isinstance(value, (list, tuple) if into_blocks else list):
        if head.isdigit():
            i = int(head)
            if i < len(value) and not ((into_blocks or skip_null) and value[i] is None):
                yield from walk(value[i], rest, into_blocks=into_blocks, skip_null=skip_null, path=(*path, head))
            return
        if not (into_blocks and len(value) == 1):
            return
        value, path = value[0], (*path, "0")
    if isinstance(value, Mapping) and head in value:
        found = value[head]
        if found is None and (into_blocks or skip_null):
            return
        yield from walk(found, rest, into_blocks=into_blocks, skip_null=skip_null, path=(*path, head))


def get_path(value: Any, path: str, default: Any = None, *, into_blocks: bool = False) -> Any:
    """The value at a dotted path inside a plain value (``ebs.0.encrypted``), else ``default``."""
    for _where, found in walk(value, path.split("."), into_blocks=into_blocks):
        return found
    return default


def attr(resource: Any, *, terraform: str | None = None, cloudformation: str | None = None,
         default: Any = None) -> tuple[Any, str | None]:
    """The value of one setting and the dotted path it was read from.

    ``attr(db, terraform="storage_encrypted", cloudformation="StorageEncrypted")``
    returns ``(value, path)``; ``(default, None)`` when the resource does not
    write it (so the caller applies the platform's default, not ``False``).
    """
    path = cloudformation if resource.source_format == "cloudformation" else terraform
    if path is None:
        return default, None
    value = resource.get(path, _MISSING)
    if value is _MISSING:
        return default, None
    return value, path


def written(value: Any) -> bool:
    """Whether a setting is written: ``None``, ``""``, ``[]`` and ``{}`` are not
    (plan JSON writes ``null`` and ``[]`` for every argument left out)."""
    return not (value is None or value == "" or value == [] or value == {})


def flag(value: Any) -> bool | None | Any:
    """A boolean as the formats write it; ``None`` when not written."""
    if not written(value):
        return None
    if is_unknown(value):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return Unknown(f"{value!r} is not a boolean")


def number(value: Any) -> int | float | None | Any:
    """A number as the formats write it (CloudFormation parameters are strings)."""
    if not written(value):
        return None
    if is_unknown(value) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                return float(value.strip())
            except ValueError:
                pass
    return Unknown(f"{value!r} is not a number")


def text(value: Any) -> str | None | Any:
    """A string as the formats write it (numbers become their text)."""
    if not written(value):
        return None
    if is_unknown(value) or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return Unknown(f"{value!r} is not a string")


@dataclass(frozen=True)
class Setting:
    """One setting, named in each format (``None``: the format has no such setting)."""

    terraform: str | None = None
    cloudformation: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, str] | None) -> Setting | None:
        """A setting as the catalog writes it (``{terraform: ..., cloudformation: ...}``)."""
        return None if data is None else cls(data.get("terraform"), data.get("cloudformation"))

    def path(self, resource: Any) -> str | None:
        return self.cloudformation if resource.source_format == "cloudformation" else self.terraform

    def read(self, resource: Any) -> tuple[Any, str | None]:
        """``(value, dotted path)``; ``(None, None)`` when not written."""
        value, path = attr(resource, terraform=self.terraform, cloudformation=self.cloudformation)
        return (value, path) if written(value) else (None, None)

    def name(self, resource: Any) -> str:
        """The setting as a message names it (``encrypt_at_rest.enabled``: no block indexes)."""
        return re.sub(r"\.\d+(?=\.|$)", "", self.path(resource) or "?")

    def applies(self, resource: Any) -> bool:
        return self.path(resource) is not None


# Last, not first: iacgov.model imports kind_of and attr from here (through
# iacgov.kinds), so this module is whole before the model is imported.
from iacgov import model as _model  # noqa: E402
