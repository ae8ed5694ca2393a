"""How a price rule reads a resource and prices a line: :class:`Spec` (a resource seen through its
field table, either format), :class:`PriceContext` (catalog, region, count, usage) and the value readers.

Shared by both price tables (:mod:`iacgov.cost.pricers` and :mod:`iacgov.cost.cloud_pricers`), so that
neither imports the other at load time (the first table includes the second).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from iacgov.cost.catalog import HOURS_PER_MONTH, Catalog
from iacgov.cost.model import PRICED, UNPRICED, USAGE_BASED, Component
from iacgov import platform
from iacgov.model import Resource, Unknown, is_unknown

# --------------------------------------------------------------------------- reading attributes


def _walk(value: Any, parts: Sequence[str]) -> Any:
    # the one path walker; an HCL / plan block is a list of one mapping: step into it
    for _path, found in platform.walk(value, parts, into_blocks=True):
        return found
    return None


def blocks(value: Any) -> list[Any]:
    """A repeated block or list property as a list (an Unknown stays one item)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


# Sizes, counts and rates beyond this are not real (10^12 GB is a zettabyte):
# taken as a number, 1e308 would also overflow the estimate's arithmetic.
MAX_NUMBER = Decimal(10) ** 12
# The quantity of one bill line (hours x instances, GB x instances...).
MAX_QUANTITY = Decimal(10) ** 15


def as_number(value: Any) -> Decimal | Unknown | None:
    """Decimal, None when absent, Unknown when not known or not a valid size:
    not a number, negative, or larger than :data:`MAX_NUMBER` (the reason
    names the value, so that the estimate lists it as an input error)."""
    if value is None:
        return None
    if is_unknown(value):
        return value
    if isinstance(value, bool):
        return Unknown(f"{value!r} is not a number")
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return Unknown(f"{value!r} is not a number")
    else:
        return Unknown(f"{type(value).__name__} is not a number")
    if not number.is_finite():
        return Unknown(f"{value!r} is not a number")
    if number < 0:
        return Unknown(f"{_shown_number(value)} is negative: not a valid size")
    if number > MAX_NUMBER:
        return Unknown(f"{_shown_number(value)} is larger than any real size (more than 10^12)")
    return number


def _shown_number(value: Any) -> str:
    text = repr(value) if isinstance(value, float) else str(value).strip()
    return text if len(text) <= 40 else text[:39] + "…"


def as_text(value: Any) -> str | Unknown | None:
    if value is None or is_unknown(value):
        return value
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        text = str(value).strip()
        return text or None
    return Unknown(f"{value!r} is not a string")


def as_flag(value: Any) -> bool | Unknown | None:
    if value is None or is_unknown(value):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return Unknown(f"{value!r} is not a boolean")


def why(value: Unknown) -> str:
    return value.reason if not value.ref else f"{value.reason} ({value.ref})"


@dataclass(frozen=True)
class Spec:
    """A resource seen through a kind's field table: ``spec.text("engine")``
    reads ``engine`` in Terraform and ``Engine`` in CloudFormation."""

    resource: Resource
    fields: Mapping[str, tuple[str | None, str | None]]

    @property
    def cfn(self) -> bool:
        return self.resource.source_format == "cloudformation"

    def path(self, name: str) -> str | None:
        tf, cfn = self.fields[name]
        return cfn if self.cfn else tf

    def raw(self, name: str) -> Any:
        path = self.path(name)
        return _walk(self.resource.attributes, path.split(".")) if path else None

    def text(self, name: str) -> str | Unknown | None:
        return as_text(self.raw(name))

    def number(self, name: str) -> Decimal | Unknown | None:
        return as_number(self.raw(name))

    def flag(self, name: str) -> bool | Unknown | None:
        return as_flag(self.raw(name))

    @property
    def type(self) -> str:
        return self.resource.type


# --------------------------------------------------------------------------- pricing context


@dataclass
class PriceContext:
    """What a price function needs: the catalog, where, how many, the usage."""

    catalog: Catalog
    cloud: str
    region: str | Unknown | None
    count: int
    usage: Mapping[str, Decimal] = field(default_factory=dict)
    used_usage_keys: set[str] = field(default_factory=set)
    # a reference written in the resource (``aws_launch_template.this[0].id``) -> the resource it names in the same
    # module, when the estimate has it (an Auto Scaling group's instance type is in its launch template)
    resolve: Callable[[str], Resource | None] | None = None

    # -- building components

    def unpriced(self, item: str, reason: str, attribute: str | None = None) -> Component:
        return Component(item=item, kind=UNPRICED, reason=reason, attribute=attribute)

    def charge(self, sku: str, item: str, quantity: Decimal, unit: str, attribute: str | None = None) -> Component:
        """``quantity`` (already for all instances) of ``sku`` at its unit price."""
        if quantity < 0 or quantity > MAX_QUANTITY:
            return self.unpriced(item, f"quantity {quantity:,} {unit} is not a valid amount (negative or more than "
                                 "10^15): check the sizes and counts", attribute)
        if self.region is None:
            return self.unpriced(item, "the resource has no region to price it in", attribute)
        if is_unknown(self.region):
            return self.unpriced(item, f"region is not known: {why(self.region)}", attribute)
        price = self.catalog.price(self.cloud, self.region, sku)
        if price is None:
            return self.unpriced(item, f"no price for {sku} in {self.region} in the catalog", attribute)
        if price.unit != unit:
            return self.unpriced(item, f"the price of {sku} is per {price.unit}, expected per {unit} ({price.source})",
                                 attribute)
        return Component(item=item, kind=PRICED, sku=sku, unit=unit, quantity=quantity, unit_price=price.usd,
                         source=price.source, attribute=attribute)

    def hourly(self, sku: str, item: str, attribute: str | None = None) -> Component:
        return self.charge(sku, item, HOURS_PER_MONTH * self.count, "hour", attribute)

    def monthly_fixed(self, sku: str, item: str, attribute: str | None = None) -> Component:
        return self.charge(sku, item, Decimal(self.count), "month", attribute)

    def usage_charge(self, sku: str, item: str, key: str, unit: str, *, per: Decimal = Decimal(1),
                     factor: Decimal = Decimal(1), attribute: str | None = None) -> Component:
        """A usage-based line: priced from the usage file's ``key`` (per
        instance, times ``factor``, divided by ``per``), else listed as
        usage-based with its unit price when the catalog has one."""
        self.used_usage_keys.add(key)
        value = self.usage.get(key)
        if value is not None:
            return self.charge(sku, item, value * factor / per * self.count, unit, attribute)
        return self.usage_based(sku, item, unit, f"depends on usage: set {key} in the usage file", attribute)

    def usage_based(self, sku: str, item: str, unit: str, reason: str, attribute: str | None = None) -> Component:
        """Listed with its unit price, to be priced from the usage file.

        Without a unit price (no region, an unknown one, no catalog row) the
        line is unpriced, not usage-based: setting the usage would not price
        it, so the resource must not look priceable (counted as unpriced)."""
        if self.region is None:
            return self.unpriced(item, f"the resource has no region to price it in; {reason}", attribute)
        if is_unknown(self.region):
            return self.unpriced(item, f"region is not known: {why(self.region)}; {reason}", attribute)
        price = self.catalog.price(self.cloud, self.region, sku)
        if price is None:
            return self.unpriced(item, f"no price for {sku} in {self.region} in the catalog; {reason}", attribute)
        if price.unit != unit:
            return self.unpriced(item, f"the price of {sku} is per {price.unit}, expected per {unit} "
                                 f"({price.source}); {reason}", attribute)
        return Component(item=item, kind=USAGE_BASED, sku=sku, unit=unit, unit_price=price.usd,
                         source=price.source, reason=reason, attribute=attribute)
