"""The estimator: resources + policy -> :class:`~iacgov.cost.model.Estimate`.

Pure functions of their inputs (the shipped catalog, the rate card and the
usage file the policy names are read once and cached). The public entry
points, used by ``iacgov cost``, the COST rules and the provider review:

- :func:`estimate` — the full estimate;
- :func:`environment_totals` — monthly total per environment (what review
  diffs between base and head);
- :func:`compare` — that diff, per environment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from iacgov.cost.catalog import (CURRENCY, HOURS_PER_MONTH, Catalog, CostConfigError, RateCard, keep_region_rows,
                                 load_rate_card)
from iacgov.cost.environments import application_of, environment_of
from iacgov.cost.model import (PRICED, PROVIDER_FEE, UNPRICED, USAGE_BASED, Component, Estimate, ResourceCost,
                               Unpriced)
from iacgov.cost.cloud_pricers import free_source
from iacgov.cost.kinds_azure import resource_group_location
from iacgov.cost.pricers import PriceContext, Spec, counterparts, kind_of
from iacgov.cost.usage import DEFAULT_NAME, Usage, load_usage
from iacgov.model import Resource, Unknown, is_unknown

def _last_key_start(address: str) -> int:
    """Where the instance key that ends ``address`` starts (``aws_instance.app[0]``
    -> 16), -1 when it ends with none: what ``re.search(r"\\[[^\\]]*\\]$")``
    finds, without its quadratic retries on a string of many "["."""
    if not address.endswith("]"):
        return -1
    previous = address.rfind("]", 0, len(address) - 1)
    return address.find("[", previous + 1, len(address) - 1)


def _without_last_key(address: str) -> str:
    start = _last_key_start(address)
    return address if start < 0 else address[:start]
MAX_COUNT = 10**9  # instances one resource may stand for; more is an input error, not a price
EMBEDDED = "<embedded default policy>"


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class ProviderFee:
    monthly: Decimal
    label: str
    key: str  # the policy key it was given under


@dataclass(frozen=True)
class CostSettings:
    """What the policy says about cost, resolved (files read, numbers parsed)."""

    rate_card: RateCard | None = None
    usage: Usage = field(default_factory=Usage)
    provider_fees: Mapping[str, ProviderFee] = field(default_factory=dict)
    budgets: Mapping[str, Decimal] = field(default_factory=dict)


def policy_dir(policy: Any, root: Path | None = None) -> Path:
    """Where relative paths in the policy are taken from: the policy file's
    folder, else the scanned root, else the working directory."""
    source = getattr(policy, "source", None)
    if source and source != EMBEDDED and Path(source).is_file():
        return Path(source).absolute().parent
    return (root or Path.cwd()).absolute()


def _decimal(value: Any, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise CostConfigError(f"policy {key}: expected a number, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise CostConfigError(f"policy {key}: expected a number, got {value!r}") from None
    if not number.is_finite() or number < 0:
        raise CostConfigError(f"policy {key}: expected a number >= 0, got {value!r}")
    return number


@lru_cache(maxsize=16)
def _rate_card_cached(path: str, mtime: int, size: int, shown: str) -> RateCard:
    return load_rate_card(Path(path), shown)


@lru_cache(maxsize=16)
def _usage_cached(path: str, mtime: int, size: int, shown: str) -> Usage:
    return load_usage(Path(path), shown)


def _stat_key(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
    except OSError:
        return str(path), -1, -1  # let the loader report it
    return str(path.resolve()), st.st_mtime_ns, st.st_size


def _shown(path: Path, base: Path) -> str:
    """A path for messages: relative to the policy's folder, else to the
    working directory, else as given."""
    for folder in (base, Path.cwd()):
        try:
            return path.resolve().relative_to(folder.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)


def resolve_settings(policy: Any, *, base_dir: Path | None = None, root: Path | None = None,
                     usage_path: Path | None = None) -> CostSettings:
    """Read the files and values of the policy's ``cost`` section.

    ``usage_path`` (``--usage-file``) wins over ``cost.usage_file``; without
    either, ``iacgov-usage.yaml`` beside the policy (or in the root) is used
    when it exists. Raises :class:`CostConfigError` (one line) on a bad value.
    """
    base = base_dir or policy_dir(policy, root)
    rate_card = None
    card = policy.get("cost.rate_card")
    if card:
        path = (base / card) if not Path(card).is_absolute() else Path(card)
        rate_card = _rate_card_cached(*_stat_key(path), _shown(path, base))
    usage = Usage()
    chosen = usage_path or (base / policy.get("cost.usage_file") if policy.get("cost.usage_file") else None)
    if chosen is None:
        for folder in dict.fromkeys([base, *([root.absolute()] if root else [])]):
            if (folder / DEFAULT_NAME).is_file():
                chosen = folder / DEFAULT_NAME
                break
    if chosen is not None:
        usage = _usage_cached(*_stat_key(chosen), _shown(chosen, base))
    fees: dict[str, ProviderFee] = {}
    for rtype, value in (policy.get("cost.provider_fees") or {}).items():
        key = f"cost.provider_fees.{rtype}"
        if isinstance(value, Mapping):
            fees[rtype] = ProviderFee(_decimal(value.get("monthly"), f"{key}.monthly"),
                                      str(value.get("label") or f"Provider fee ({rtype})"), key)
        else:
            fees[rtype] = ProviderFee(_decimal(value, key), f"Provider fee ({rtype})", key)
    budgets = {str(env): _decimal(amount, f"cost.budgets.{env}")
               for env, amount in (policy.get("cost.budgets") or {}).items()}
    return CostSettings(rate_card, usage, fees, budgets)


# --------------------------------------------------------------------------- per resource


def multiplicity(resource: Resource) -> int | Unknown:
    """How many instances a resource stands for: 1 for an instance address
    (``aws_instance.app[0]``: the parser expanded count / for_each), else its
    static ``count`` (Unknown when not known)."""
    if _last_key_start(resource.address) >= 0:
        return 1
    count = resource.count
    if is_unknown(count):
        return count
    try:
        number = int(count)
    except (TypeError, ValueError, OverflowError):
        return Unknown(f"count {count!r} is not a number")
    if number > MAX_COUNT:
        return Unknown(f"count {number:.3g} is larger than any real fleet (more than {MAX_COUNT:,})")
    return max(number, 0)


def counted(resource: Resource) -> bool:
    """Managed resources that exist after the change (a plan's deletions and
    data sources cost nothing)."""
    if resource.mode != "managed":
        return False
    return tuple(resource.change_actions) != ("delete",)


def _region(resource: Resource) -> str | Unknown | None:
    region = resource.region
    if isinstance(region, str) or is_unknown(region):
        return region
    return None


def _resolver(resource: Resource, index: Mapping[str, Resource] | None):  # noqa: ANN202
    """A reference written in ``resource`` (``aws_launch_template.this[0]``) -> that resource of the same module."""
    if not index:
        return None
    at = resource.address.rfind(f"{resource.type}.")
    prefix = resource.address[:at] if at >= 0 else ""

    def resolve(reference: str) -> Resource | None:
        return index.get(prefix + reference)
    return resolve


def price_resource(resource: Resource, policy: Any, catalog: Catalog, settings: CostSettings,
                   warnings: list[str] | None = None, index: Mapping[str, Resource] | None = None) -> ResourceCost:
    env = environment_of(resource, policy)
    app = application_of(resource, policy)
    region = _region(resource)
    if region is None and resource.cloud == "azure":  # a global Azure resource: where its resource group is
        region = resource_group_location(resource, index)
    count = multiplicity(resource)
    kind = kind_of(resource.type)
    components: list[Component] = []

    def result(status: str) -> ResourceCost:
        return ResourceCost(
            address=resource.address, type=resource.type, cloud=resource.cloud,
            source_format=resource.source_format, file=resource.location.path, line=resource.location.line,
            region=region if isinstance(region, str) else None,
            environment=env.name, environment_source=env.source, application=app.name, application_source=app.source,
            count=count if isinstance(count, int) else None, status=status, components=tuple(components),
            kind=kind.name if kind else None,
            region_source=resource.meta.get("region_source") if isinstance(region, str) else None,
        )

    if kind is None and free_source(resource.type) is not None:
        return result("free")  # free however many instances there are
    if is_unknown(count):
        components.append(Component(resource.type, UNPRICED, reason=f"number of instances is not known: {count.reason}"))
        return result("unpriced")
    types = counterparts(resource.type)
    values, entries = settings.usage.for_resource(resource.address, types, _root_name(resource) if settings.usage.by_root else "")
    ctx = PriceContext(catalog, resource.cloud, region, count, values, resolve=_resolver(resource, index))
    if kind is not None:
        try:
            components.extend(kind.price(Spec(resource, kind.fields), ctx))
        except Exception as exc:  # noqa: BLE001 - a pricing bug must not lose the whole estimate
            components.append(Component(resource.type, UNPRICED,
                                        reason=f"internal error while pricing: {type(exc).__name__}: {exc}"))
    fee = next((settings.provider_fees[t] for t in types if t in settings.provider_fees), None)
    if fee is not None:
        components.append(Component(fee.label, PROVIDER_FEE, sku=fee.key, unit="month", quantity=Decimal(count),
                                    unit_price=fee.monthly, source=f"policy {fee.key}"))
    if warnings is not None and entries:
        unused = sorted(set(values) - ctx.used_usage_keys)
        if unused:
            known = ", ".join(kind.usage_keys) if kind and kind.usage_keys else "none"
            warnings.append(f"usage file {', '.join(entries)}: {', '.join(unused)} not used by {resource.address} "
                            f"({resource.type} reads: {known})")
    if kind is not None and not components:
        return result("free")  # the rule found nothing to charge (a Basic virtual hub, an internal address)
    if kind is None:
        if free_source(resource.type) is not None:
            return result("free")
        if fee is None:
            components.append(Component(resource.type, UNPRICED, reason=_no_rule(resource)))
            return result("unpriced")
    return result(_status(components))


def _status(components: Sequence[Component]) -> str:
    kinds = {c.kind for c in components}
    priced = bool(kinds & {PRICED, PROVIDER_FEE})
    if UNPRICED in kinds:
        # a usage-based line carries its unit price: the resource is priceable in part
        priced = priced or USAGE_BASED in kinds
        return "partial" if priced else "unpriced"
    if not priced and USAGE_BASED in kinds:
        return "usage-based"
    return "priced"


# --------------------------------------------------------------------------- the estimate


class _Memo:
    """The policy with its look-ups remembered (the same few keys are read
    for every resource)."""

    def __init__(self, policy: Any) -> None:
        self._policy = policy
        self._seen: dict[tuple[str, Any], Any] = {}
        self.source = getattr(policy, "source", None)

    def get(self, path: str, default: Any = None) -> Any:
        key = (path, default)
        try:
            return self._seen[key]
        except (KeyError, TypeError):
            value = self._policy.get(path, default)
            try:
                self._seen[key] = value
            except TypeError:
                pass
            return value


def _sum_by(costs: Iterable[ResourceCost], key) -> Mapping[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for cost in costs:
        totals[key(cost)] += cost.monthly
    return MappingProxyType(dict(sorted(totals.items())))


def estimate(resources: Sequence[Resource], policy: Any, *, catalog: Catalog | None = None,
             settings: CostSettings | None = None, base_dir: Path | None = None, root: Path | None = None,
             usage_path: Path | None = None, units: Sequence[tuple[int, int, str]] = (),
             store: Any = None) -> Estimate:
    """The monthly estimate of ``resources`` under ``policy``.

    ``settings`` (see :func:`resolve_settings`) and ``catalog`` may be given to
    reuse them; by default they come from the policy's ``cost`` section.
    Raises :class:`~iacgov.cost.catalog.CostConfigError` for an unusable rate
    card, usage file or policy value; never for a resource.

    A resource's references (a launch template, a resource group) are resolved
    within its own root module (:func:`root_items`). ``units`` (``resources[start:end]``
    of each keyed Terraform root module, :mod:`iacgov.evalcache`) and ``store`` (an
    :class:`iacgov.evalcache.CostItemsCache`): each unit's items are read from the
    store, or priced and put there; the result is the same.
    """
    settings = settings or resolve_settings(policy, base_dir=base_dir, root=root, usage_path=usage_path)
    catalog = catalog or Catalog(settings.rate_card)
    memo = _Memo(policy)
    warnings: list[str] = []
    costs: list[ResourceCost] = []
    context = items_context(policy, settings) if store is not None and units else ""
    for part_costs, part_warnings in _items(resources, memo, catalog, settings, units, store, context):
        costs.extend(part_costs)
        warnings.extend(part_warnings)
    costs.sort(key=lambda c: (c.address, c.file, c.line))  # stable: equal keys keep the resources' order
    _warn_unmatched_usage(settings.usage, costs, warnings, resources)
    unpriced = []
    for cost in costs:
        for c in cost.unpriced:
            whole = c.item == cost.type and not any(x.kind != UNPRICED for x in cost.components)
            unpriced.append(Unpriced(cost.address, None if whole else c.item, c.reason or "", cost.environment,
                                     cost.file, cost.line))
    return Estimate(
        currency=CURRENCY,
        hours_per_month=int(HOURS_PER_MONTH),
        resources=tuple(costs),
        total_monthly=sum((c.monthly for c in costs), Decimal(0)),
        by_environment=_sum_by(costs, lambda c: c.environment),
        by_application=_sum_by(costs, lambda c: c.application),
        by_resource_type=_sum_by((c for c in costs if c.status != "free"), lambda c: c.type),
        unpriced=tuple(unpriced),
        budgets=MappingProxyType(dict(settings.budgets)),
        catalog=MappingProxyType(catalog.describe()),
        usage_file=settings.usage.path,
        warnings=tuple(dict.fromkeys(warnings)),
    )


Items = tuple[tuple[ResourceCost, ...], tuple[str, ...]]  # one root module's costs (resource order), warnings


def root_items(resources: Sequence[Resource], policy: Any, catalog: Catalog, settings: CostSettings,
               index: Mapping[str, Resource] | None = None) -> Items:
    """The costs of one root module's counted resources, in their order, and the warnings pricing them
    raised: what :func:`estimate` sums, and what the evaluation cache keeps per root module. References
    resolve within the root module (``index``: its managed resources by address; default: made from
    ``resources``): two roots declaring one address never see each other's resource."""
    if index is None:
        index = {r.address: r for r in resources if r.mode == "managed"}
    warnings: list[str] = []
    costs = tuple(price_resource(r, policy, catalog, settings, warnings, index) for r in resources if counted(r))
    for cost in costs:
        cost.monthly  # noqa: B018 - computed once here, so that a cached item carries it
    return costs, tuple(warnings)


def _root_indexes(resources: Iterable[Resource]) -> dict[Any, dict[str, Resource]]:
    """Managed resources by address within each root module (Terraform's ``meta["root_module"]``; one
    for the other formats, whose resources carry none)."""
    from iacgov.platform.references import root_of

    indexes: dict[Any, dict[str, Resource]] = defaultdict(dict)
    for r in resources:
        if r.mode == "managed":
            indexes[root_of(r)][r.address] = r
    return indexes


def _items(resources: Sequence[Resource], policy: Any, catalog: Catalog, settings: CostSettings,
           units: Sequence[tuple[int, int, str]], store: Any, context: str) -> Iterable[Items]:
    """:func:`root_items` of every root module, in the resources' order: a unit's read from ``store``
    (under the unit's key and everything else pricing reads: the policy's content and the resolved
    settings — rate card, usage, fees — :func:`items_context`) or priced and put there; the rest priced
    root by root. A unit holds a whole root module (the Terraform parser yields each root's resources
    together), so its own resources are its index; if another part named the same root, nothing is cached."""
    from iacgov.platform.references import root_of

    if store is None or not units:
        parts: list[tuple[int, int, str]] = [(0, len(resources), "")]
    else:
        from iacgov.evalcache import segments

        parts = segments(resources, units)
    rest = [r for start, end, unit in parts if not unit for r in resources[start:end]]
    indexes = _root_indexes(rest)
    # (a root module without resources is an empty unit: start == end, nothing to look at)
    if any(unit and start < end and root_of(resources[start]) in indexes for start, end, unit in parts):
        parts, indexes = [(0, len(resources), "")], _root_indexes(resources)  # not cut by root: price it whole
    for start, end, unit in parts:
        part = resources[start:end]
        if unit:
            cached = store.get(unit, context)
            if cached is None:
                cached = root_items(part, policy, catalog, settings)
                store.put(unit, context, cached)
            yield cached
            continue
        at = start
        while at < end:  # each root module of the part with its own index
            key = root_of(resources[at])
            stop = at + 1
            while stop < end and root_of(resources[stop]) == key:
                stop += 1
            yield root_items(resources[at:stop], policy, catalog, settings, indexes.get(key, {}))
            at = stop


def items_context(policy: Any, settings: CostSettings) -> str:
    """What a root module's items depend on besides its resources (and iacgov's code, in the store's
    namespace): the policy's content (environments, applications, fees) and the settings as resolved
    — the rate card's path and prices, the usage file's path and values, the provider fees."""
    from iacgov.digests import blake2b  # not hashlib: it loads OpenSSL's _hashlib for nothing used here
    from iacgov.evalcache import policy_digest

    card = settings.rate_card
    usage = settings.usage
    text = repr((
        policy_digest(policy),
        (card.path, sorted(card.prices.items())) if card is not None else None,
        (usage.path, sorted((k, sorted(v.items())) for k, v in usage.by_address.items()),
         sorted((k, sorted(v.items())) for k, v in usage.by_type.items()),
         sorted((root, sorted((k, sorted(v.items())) for k, v in entries.items()))
                for root, entries in usage.by_root.items())),
        sorted((k, (f.monthly, f.label, f.key)) for k, f in settings.provider_fees.items()),
    ))
    return blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _root_name(resource: Resource) -> str:
    """The root module a ``root_module_usage`` entry names: its folder as findings name it (``envs/prod``)."""
    from iacgov.fingerprint import stack_of

    return stack_of(resource) or ""


def _warn_unmatched_usage(usage: Usage, costs: Sequence[ResourceCost], warnings: list[str],
                          resources: Sequence[Resource] = ()) -> None:
    addresses = {c.address for c in costs} | {_without_last_key(c.address) for c in costs}
    types = {t for c in costs for t in counterparts(c.type)}
    for address in usage.by_address:
        if address not in addresses:
            warnings.append(f"usage file resource_usage.{address}: no such resource in the estimate")
    if usage.by_root:
        in_root = {(_root_name(r), a) for r in resources if counted(r) for a in (r.address, _without_last_key(r.address))}
        for root, entries in usage.by_root.items():
            for address in entries:
                if (root, address) not in in_root:
                    warnings.append(f"usage file root_module_usage.{root}.{address}: no such resource in root module "
                                    f"{root} in the estimate")
    for rtype in usage.by_type:
        if rtype not in types:
            warnings.append(f"usage file resource_type_default_usage.{rtype}: no resource of that type in the estimate")


# --------------------------------------------------------------------------- for review (COST003)


def environment_totals(resources: Sequence[Resource], policy: Any, **kwargs: Any) -> dict[str, Decimal]:
    """Monthly total per environment (unrounded Decimals), every environment
    that has a resource included. Same keyword arguments as :func:`estimate`."""
    return dict(estimate(resources, policy, **kwargs).by_environment)


@dataclass(frozen=True)
class EnvironmentChange:
    environment: str
    base: Decimal
    head: Decimal
    new_unpriced: tuple[Unpriced, ...] = ()  # unpriced in head and not in base: the delta may be larger

    @property
    def delta(self) -> Decimal:
        return self.head - self.base


def compare(base: Estimate, head: Estimate) -> tuple[EnvironmentChange, ...]:
    """Per environment, the monthly estimate before and after a change
    (every environment of either side, sorted by name)."""
    seen = {(u.address, u.item, u.reason) for u in base.unpriced}
    changes = []
    for env in sorted(set(base.by_environment) | set(head.by_environment)):
        new = tuple(u for u in head.unpriced if u.environment == env and (u.address, u.item, u.reason) not in seen)
        changes.append(EnvironmentChange(env, base.by_environment.get(env, Decimal(0)),
                                         head.by_environment.get(env, Decimal(0)), new))
    return tuple(changes)


# --------------------------------------------------------------------------- shared within a scan

_LAST: tuple[Any, Any, Estimate] | None = None


def scan_estimate(resources: Sequence[Resource], policy: Any) -> Estimate:
    """The estimate of a scan's resources, computed once for all COST rules
    (the rules of one scan share the same resources and policy objects)."""
    global _LAST
    if _LAST is not None and _LAST[0] is resources and _LAST[1] is policy:
        return _LAST[2]
    from iacgov.evalcache import offered_units

    units, store = offered_units(resources)  # a scan's root modules, their items kept (iacgov.evalcache)
    # the cache on and vetted: the catalog keeps each region's price rows there too (a scan without it: none)
    keep_region_rows(store.store.directory if store is not None else None)
    result = estimate(resources, policy, units=units, store=store)
    _LAST = (resources, policy, result)
    return result


def last_scan_estimate(resources: Sequence[Resource]) -> tuple[Any, Estimate] | None:
    """The policy and estimate :func:`scan_estimate` last made for this very ``resources`` object (a review
    reuses the estimate its head's scan made for the COST rules), else None."""
    if _LAST is not None and _LAST[0] is resources:
        return _LAST[1], _LAST[2]
    return None


_PRICED_CLOUDS = ("aws", "azure", "gcp")
_FEW_KINDS_PRICED = {"alicloud": "Alibaba Cloud", "oci": "Oracle Cloud"}  # cost/kinds_other.py, docs/cost.md


def _no_rule(resource: Resource) -> str:
    """Why a kind without a price rule is unpriced: a kind of a priced cloud iacgov has no rule for yet, or a
    provider outside the clouds the price catalog covers (Alibaba Cloud, Oracle Cloud...: named, never zero)."""
    if resource.cloud in _PRICED_CLOUDS:
        return f"iacgov has no price rule for {resource.type}"
    provider = resource.type.split("_", 1)[0]
    if resource.cloud in _FEW_KINDS_PRICED:
        return (f"iacgov has no price rule for {resource.type}: the price catalog covers AWS, Azure and Google Cloud, "
                f"and of {_FEW_KINDS_PRICED[resource.cloud]} only the kinds `iacgov catalog --cloud {resource.cloud} "
                "--free` and docs/cost.md list")
    return (f"iacgov has no price rule for {resource.type}: the price catalog covers AWS, Azure and Google Cloud, "
            f"not the '{provider}' provider")
