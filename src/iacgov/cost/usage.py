"""The usage file (``iacgov-usage.yaml``): quantities the code does not say.

::

    version: 1
    resource_usage:                   # by resource address (Terraform) or logical ID (CloudFormation)
      aws_s3_bucket.invoices:
        storage_gb: 2500
        monthly_get_requests: 4000000
    resource_type_default_usage:      # every resource of a type (or its CloudFormation counterpart)
      aws_nat_gateway:
        monthly_data_processed_gb: 300
    root_module_usage:                # one root module's resource (its folder, as findings name it)
      envs/prod:
        aws_s3_bucket.invoices:
          storage_gb: 40000

Values are numbers, per resource instance and per month. An address entry
overrides the type's defaults key by key, and a root module's entry the
address entry: ``resource_usage`` gives every resource of that address in
every root module (``envs/dev`` and ``envs/prod`` often declare the same
addresses), ``root_module_usage`` one root module's. An instance address
(``aws_instance.app[0]``) also takes the entry of its block (``aws_instance.app``).
The keys each resource kind reads are given by :func:`usage_keys_reference`
(from the price rules' table); a key no resource reads is reported as a
warning. ``monthly_internet_egress_gb`` (data transfer out to the internet,
first 10 TB tier) is read by every AWS kind that sends traffic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Mapping

from iacgov.cost.catalog import CostConfigError
from iacgov.limits import LimitExceeded, Limits, check_yaml, read_bounded

DEFAULT_NAME = "iacgov-usage.yaml"
_INSTANCE_KEY = re.compile(r"\[[^\]]*\]$")
SECTIONS = ("resource_usage", "resource_type_default_usage", "root_module_usage")


@dataclass(frozen=True)
class Usage:
    path: str | None = None
    by_address: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    by_type: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    by_root: Mapping[str, Mapping[str, Mapping[str, Decimal]]] = field(default_factory=dict)  # root -> address -> values

    def for_resource(self, address: str, types: tuple[str, ...], root: str = "") -> tuple[dict[str, Decimal], list[str]]:
        """The usage values of a resource (``root``: its root module, :func:`iacgov.fingerprint.stack_of`) and
        the usage-file entries they came from."""
        values: dict[str, Decimal] = {}
        used: list[str] = []
        for t in reversed(types):  # the resource's own type last, so it wins
            if t in self.by_type:
                values.update(self.by_type[t])
                used.append(f"resource_type_default_usage.{t}")
        block = _INSTANCE_KEY.sub("", address)
        keys = (block, address) if block != address else (address,)
        for section, entries in (("resource_usage", self.by_address),
                                 (f"root_module_usage.{root}", self.by_root.get(root, {}) if root else {})):
            for key in keys:
                if key in entries:
                    values.update(entries[key])
                    used.append(f"{section}.{key}")
        return values, used


def load_usage(path: Path, display: str | None = None) -> Usage:
    shown = display or str(path)
    try:
        text = read_bounded(path, Limits()).decode("utf-8-sig")  # a policy in the scanned tree names it
        check_yaml(text, Limits())
    except LimitExceeded as exc:
        raise CostConfigError(f"{shown}{f':{exc.line}' if exc.line else ''}: usage file {exc.reason}") from None
    except FileNotFoundError:
        raise CostConfigError(f"{shown}: usage file not found") from None
    except UnicodeDecodeError as exc:
        raise CostConfigError(f"{shown}: usage file is not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise CostConfigError(f"{shown}: cannot read usage file ({exc.strerror or exc})") from None
    return parse_usage(text, shown)


def parse_usage(text: str, shown: str) -> Usage:
    from iacgov.policy import PolicyError, read_yaml_document

    try:  # as strict as the policy: duplicate keys, huge integers and deep nesting are located errors
        data = read_yaml_document(text, shown)
    except PolicyError as exc:
        raise CostConfigError(str(exc)) from None
    if data is None:
        return Usage(shown)
    if not isinstance(data, dict):
        raise CostConfigError(f"{shown}: a usage file is a mapping with {' and '.join(SECTIONS)}")
    unknown = sorted(set(map(str, data)) - {"version", *SECTIONS})
    if unknown:
        raise CostConfigError(f"{shown}: unknown key {unknown[0]!r} (expected version, {', '.join(SECTIONS)})")
    if data.get("version", 1) != 1:
        raise CostConfigError(f"{shown}: version must be 1")
    by_address = _entries(data.get("resource_usage"), "resource_usage", "a resource address", shown)
    by_type = _entries(data.get("resource_type_default_usage"), "resource_type_default_usage", "a resource type", shown)
    roots = data.get("root_module_usage") or {}
    if not isinstance(roots, dict):
        raise CostConfigError(f"{shown}: root_module_usage must map a root module's folder to its resources' usage")
    by_root = {str(root).strip("/"): _entries(entries, f"root_module_usage.{root}", "a resource address", shown)
               for root, entries in roots.items()}
    return Usage(shown, by_address, by_type, by_root)


def _entries(entries: object, section: str, what: str, shown: str) -> dict[str, dict[str, Decimal]]:
    """One section's ``name -> {usage key: number}``, every value checked (a located, one-line error)."""
    entries = entries or {}
    if not isinstance(entries, dict):
        raise CostConfigError(f"{shown}: {section} must map {what} to its usage values")
    out: dict[str, dict[str, Decimal]] = {}
    for name, values in entries.items():
        if not isinstance(values, dict):
            raise CostConfigError(f"{shown}: {section}.{name} must be a mapping of usage keys to numbers")
        parsed: dict[str, Decimal] = {}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise CostConfigError(f"{shown}: {section}.{name}.{key} must be a number")
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise CostConfigError(f"{shown}: {section}.{name}.{key} must be a number, got {value!r}") from None
            if not number.is_finite() or number < 0:
                raise CostConfigError(f"{shown}: {section}.{name}.{key} must be zero or more")
            parsed[str(key)] = number
        out[str(name)] = parsed
    return out


def usage_keys_reference() -> dict[str, tuple[str, ...]]:
    """Resource type -> the usage keys its price rule reads (for docs and messages)."""
    from iacgov.cost.pricers import KINDS

    out: dict[str, tuple[str, ...]] = {}
    for kind in KINDS:
        if kind.usage_keys:
            for rtype in (*kind.terraform, *kind.cloudformation):
                out[rtype] = kind.usage_keys
    return out
