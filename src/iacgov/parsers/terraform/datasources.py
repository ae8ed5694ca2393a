"""Data-source attributes iacgov computes without calling the provider.

``data.aws_iam_policy_document.X.json`` and
``data.google_iam_policy.X.policy_data`` are rendered from their blocks, as
the providers do, because key, bucket and project policies are built this way
and the ADM rules read principals from them; ``data.aws_region.current.name`` is the
region of the provider configuration the data source uses; an element of
``data.google_compute_zones.X.names`` is an unknown zone of a known region (:func:`zones_source`).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from iacgov.model import Unknown
from iacgov.parsers.terraform.values import to_json
from iacgov.placeholders import restore

Argument = Callable[[str], Any]  # a written argument of the data block, None if absent

_PARTITIONS = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-iso-", "aws-iso"), ("us-isob-", "aws-iso-b"))


def computed_attribute(resource_type: str, name: str, argument: Argument, region: Callable[[], Any]) -> Any:
    """The value of attribute ``name`` of a data source, or None when iacgov cannot compute it."""
    if resource_type == "aws_iam_policy_document" and name in ("json", "minified_json"):
        return policy_json(argument, indent=2 if name == "json" else None)
    if resource_type == "google_iam_policy" and name == "policy_data":
        return google_policy_data(argument)
    if resource_type == "aws_region" and name in ("name", "region", "id"):
        value = region()
        return value if isinstance(value, str) else None
    if resource_type == "aws_partition" and name == "partition":
        value = region()
        if not isinstance(value, str):
            return None
        return next((p for prefix, p in _PARTITIONS if value.startswith(prefix)), "aws")
    return None


# One element of a google_compute_zones data source's zone list, indexed as written: ``data.google_compute_zones.X.names[0]``
_ZONES_ELEMENT = re.compile(r"^data\.google_compute_zones\.(?P<name>[A-Za-z_][\w-]*)\.names\[[^\]]+\]$")


def zones_source(value: Any) -> str | None:
    """The name of the ``google_compute_zones`` data source an unknown zone is an element of, else None.

    Its zones are unknown until Terraform plans, but all of them are in ONE region: the data source lists only the
    zones whose region is its ``region`` argument, else the provider configuration's ``region``
    (hashicorp/terraform-provider-google@e03b762 google/services/compute/data_source_google_compute_zones.go:68-70
    ``region := config.Region; if r, ok := d.GetOk("region")``, then ``strings.HasSuffix(zoneRegion, "/"+region)``).
    Only a direct index is recognised (``element()``, a splat or a data source with count stays unknown).
    """
    ref = value.ref if isinstance(value, Unknown) else None
    found = _ZONES_ELEMENT.match(ref) if ref else None
    return found["name"] if found else None


def policy_json(argument: Argument, indent: int | None = 2) -> str:
    """The IAM policy JSON of an ``aws_iam_policy_document`` data source.

    Statements of ``source_policy_documents`` come first, then this
    document's own, then those of ``override_policy_documents``; a later
    statement replaces an earlier one with the same ``Sid``. Unknown values
    are placeholders (:mod:`iacgov.placeholders`); a source document that is
    unknown appears as one placeholder string in ``Statement``.
    """
    statements: list[Any] = []
    _add(statements, _documents(argument("source_policy_documents")))
    own = argument("statement")
    if isinstance(own, Unknown):
        statements.append(own)
    else:
        _add(statements, [_statement(s) for s in own or []])
    _add(statements, _documents(argument("override_policy_documents")))
    document: dict[str, Any] = {"Version": argument("version") or "2012-10-17", "Statement": statements}
    if argument("policy_id"):
        document["Id"] = argument("policy_id")
    return to_json(document, indent=indent)


def google_policy_data(argument: Argument) -> str:
    """The ``policy_data`` JSON of a ``google_iam_policy`` data source:
    ``{"bindings": [{"role", "members", "condition"?}], "auditConfigs"?}``,
    bindings sorted by role as the provider writes them. Unknown values are
    placeholders; unknown ``binding`` blocks make the whole bindings list one
    placeholder."""
    blocks = argument("binding")
    bindings: Any
    if isinstance(blocks, Unknown):
        bindings = blocks
    else:
        bindings = []
        for block in blocks or []:
            if not isinstance(block, dict):
                bindings.append(block)
                continue
            binding: dict[str, Any] = {"role": block.get("role"), "members": block.get("members") or []}
            condition = block.get("condition")
            if isinstance(condition, list) and condition:
                binding["condition"] = condition[0]
            bindings.append(binding)
        bindings.sort(key=lambda b: b.get("role") if isinstance(b, dict) and isinstance(b.get("role"), str) else "")
    document: dict[str, Any] = {"bindings": bindings}
    audit = argument("audit_config")
    if audit:
        document["auditConfigs"] = audit
    return to_json(document, indent=None)


def _add(statements: list[Any], new: list[Any]) -> None:
    for statement in new:
        sid = statement.get("Sid") if isinstance(statement, dict) else None
        if sid:
            statements[:] = [s for s in statements if not (isinstance(s, dict) and s.get("Sid") == sid)]
        statements.append(statement)


def _documents(value: Any) -> list[Any]:
    if isinstance(value, Unknown):
        return [value]
    out: list[Any] = []
    for doc in value or []:
        if not isinstance(doc, str):
            out.append(doc)  # an Unknown document, kept as its placeholder
            continue
        try:
            parsed = restore(json.loads(doc))
        except ValueError:
            out.append(Unknown("a policy document that is not valid JSON"))
            continue
        found = parsed.get("Statement", []) if isinstance(parsed, dict) else []
        out.extend(found if isinstance(found, list) else [found])
    return out


_LISTS = (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
          ("not_resources", "NotResource"))


def _statement(block: Any) -> Any:
    if not isinstance(block, dict):
        return block
    out: dict[str, Any] = {"Effect": block.get("effect") or "Allow"}
    if block.get("sid"):
        out["Sid"] = block["sid"]
    for arg, key in _LISTS:
        if block.get(arg) is not None:
            out[key] = _one_or_list(block[arg])
    for arg, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if block.get(arg):
            out[key] = _principals(block[arg])
    if block.get("condition"):
        out["Condition"] = _conditions(block["condition"])
    return out


def _one_or_list(value: Any) -> Any:
    """The provider writes a one-element set as a plain string."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def _principals(blocks: Any) -> Any:
    if isinstance(blocks, Unknown):
        return blocks
    merged: dict[str, list[Any]] = {}
    for block in blocks:
        kind, identifiers = block.get("type"), block.get("identifiers")
        if kind == "*" and identifiers == ["*"]:
            return "*"
        if isinstance(kind, Unknown) or isinstance(identifiers, Unknown):
            return Unknown("principals of unknown type or identifiers")
        merged.setdefault(kind, []).extend(identifiers or [])
    return {k: _one_or_list(v) for k, v in merged.items()}


def _conditions(blocks: Any) -> Any:
    if isinstance(blocks, Unknown):
        return blocks
    out: dict[str, Any] = {}
    for block in blocks:
        test, variable = block.get("test"), block.get("variable")
        if not isinstance(test, str) or not isinstance(variable, str):
            return Unknown("a condition with an unknown test or variable")
        out.setdefault(test, {})[variable] = _one_or_list(block.get("values"))
    return out
