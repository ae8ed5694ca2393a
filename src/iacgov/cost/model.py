"""The estimate's data: frozen dataclasses, amounts as :class:`~decimal.Decimal`.

A :class:`Component` is one line of a resource's bill. Its ``kind`` says what
it is:

- ``priced``: quantity x unit price from the catalog or the rate card;
- ``provider-fee``: the provider's monthly fee from ``cost.provider_fees``;
- ``usage-based``: a price that depends on usage the files do not say (S3 GB
  stored, requests...) and no usage file gave; it is listed, not invented;
- ``unpriced``: a part whose price is not known (a type or region the catalog
  does not have, an attribute whose value is not known statically); never
  counted as zero, always listed with its reason.

For every priced line ``quantity x unit_price == monthly`` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping

PRICED = "priced"
PROVIDER_FEE = "provider-fee"
USAGE_BASED = "usage-based"
UNPRICED = "unpriced"

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Rounded to the cent, half up (display and report values only)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal, currency: str = "USD", *, signed: bool = False, symbol: bool = True) -> str:
    """How every output writes an amount: rounded to the cent, thousands
    separated, the sign first (``-$1,234.50``); ``$`` for USD, another
    currency after the amount (``1,234.50 EUR``). ``signed``: a ``+`` before
    a positive or zero amount (a delta); ``symbol=False``: the number alone,
    for a column whose header names the currency."""
    rounded = money(value)
    sign = "-" if rounded < 0 else ("+" if signed else "")
    amount = f"{abs(rounded):,.2f}"
    if not symbol:
        return sign + amount
    return f"{sign}${amount}" if currency == "USD" else f"{sign}{amount} {currency}"


@dataclass(frozen=True)
class Component:
    item: str  # what is billed: "Instance usage (Linux, on-demand, m5.xlarge)"
    kind: str  # PRICED | PROVIDER_FEE | USAGE_BASED | UNPRICED
    sku: str | None = None  # the catalog / rate card SKU
    unit: str | None = None
    quantity: Decimal | None = None  # per month, all instances of the resource together
    unit_price: Decimal | None = None
    source: str | None = None  # file:line and provenance of the unit price
    reason: str | None = None  # why unpriced / what usage would price it
    attribute: str | None = None  # the attribute it comes from (dotted path)

    @cached_property
    def monthly(self) -> Decimal | None:
        if self.kind in (PRICED, PROVIDER_FEE) and self.quantity is not None and self.unit_price is not None:
            return self.quantity * self.unit_price
        return None


@dataclass(frozen=True)
class ResourceCost:
    address: str
    type: str
    cloud: str
    source_format: str
    file: str
    line: int
    region: str | None
    environment: str
    environment_source: str
    application: str
    application_source: str
    count: int | None  # instances; None when not known
    status: str  # "priced" | "partial" | "unpriced" | "usage-based" | "free"
    components: tuple[Component, ...] = ()
    kind: str | None = None  # the price rule used (its Terraform type name), None if none
    region_source: str | None = None  # where the region came from, when the parser says (CloudFormation)

    @cached_property
    def monthly(self) -> Decimal:
        """The priced part (catalog, rate card and provider fees)."""
        return sum((c.monthly for c in self.components if c.monthly is not None), Decimal(0))

    @property
    def unpriced(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.kind == UNPRICED)

    @property
    def usage_based(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.kind == USAGE_BASED)

    @property
    def per_instance_monthly(self) -> Decimal:
        return self.monthly / self.count if self.count else self.monthly


@dataclass(frozen=True)
class Unpriced:
    address: str
    item: str | None  # None: the whole resource
    reason: str
    environment: str
    file: str
    line: int


@dataclass(frozen=True)
class Estimate:
    currency: str
    hours_per_month: int
    resources: tuple[ResourceCost, ...]  # sorted by address
    total_monthly: Decimal
    by_environment: Mapping[str, Decimal]
    by_application: Mapping[str, Decimal]
    by_resource_type: Mapping[str, Decimal]
    unpriced: tuple[Unpriced, ...]
    budgets: Mapping[str, Decimal] = field(default_factory=dict)
    catalog: Mapping[str, object] = field(default_factory=dict)  # what the prices come from
    usage_file: str | None = None
    warnings: tuple[str, ...] = ()

    def environment(self, name: str) -> tuple[ResourceCost, ...]:
        """The environment's resources, most expensive first."""
        return tuple(sorted((r for r in self.resources if r.environment == name),
                            key=lambda r: (-r.monthly, r.address)))

    def environments(self) -> tuple[str, ...]:
        return tuple(sorted({r.environment for r in self.resources}))
