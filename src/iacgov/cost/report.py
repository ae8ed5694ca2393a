"""Render an :class:`~iacgov.cost.model.Estimate` as text, JSON or CSV.

JSON (keys fixed; more may be added)::

    {
      "version": 1,
      "currency": "USD",
      "hours_per_month": 730,
      "total_monthly": 869.77,
      "by_environment": {"prod": 756.28, ...},
      "by_application": {...},
      "by_resource_type": {...},
      "budgets": {"prod": {"budget": 3000.0, "monthly": 756.28, "over": false}},
      "resources": [
        {"address": ..., "type": ..., "file": ..., "line": ..., "region": ..., "count": 2,
         "environment": "prod", "environment_source": "tag env", "application": ..., "status": "partial",
         "monthly": 327.04,
         "components": [{"item": ..., "kind": "priced", "sku": ..., "quantity": 1460, "unit": "hour",
                         "unit_price": 0.224, "monthly": 327.04, "source": "aws_ec2.csv:3160 (...)"}],
         "unpriced": [{"item": ..., "reason": ...}],
         "usage_based": [{"item": ..., "unit": ..., "unit_price": ..., "source": ..., "reason": ...}]}
      ],
      "unpriced": [{"address": ..., "item": null, "reason": ..., "environment": ..., "file": ..., "line": ...}],
      "usage_based": [{"address": ..., "item": ..., "unit": ..., "unit_price": ..., "reason": ...}],
      "catalog": {...}, "usage_file": null, "warnings": [...]
    }

Amounts are rounded to the cent (half up) for display; totals are summed
before rounding. Unit prices and quantities are exact. Output is sorted, so
the same input always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any, Iterable

from iacgov.cost.model import (PRICED, PROVIDER_FEE, UNPRICED, USAGE_BASED, Component, Estimate, ResourceCost,
                               format_money, money)
from iacgov.jsonfast import dumps_indented

FORMATS = ("text", "json", "csv")


def _printable(text: str) -> str:
    from iacgov.reporters.text import printable

    return printable(text)


def _num(value: Decimal | None) -> float | int | None:
    """An exact Decimal as a JSON number (ints stay ints)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _amount(value: Decimal) -> float:
    return float(money(value))


def show_money(value: Decimal) -> str:
    return format_money(value)


def _component_json(c: Component) -> dict[str, Any]:
    out: dict[str, Any] = {"item": c.item, "kind": c.kind}
    if c.kind in (PRICED, PROVIDER_FEE):
        out.update(sku=c.sku, quantity=_num(c.quantity), unit=c.unit, unit_price=_num(c.unit_price),
                   monthly=_amount(c.monthly or Decimal(0)), source=c.source)
    elif c.kind == USAGE_BASED:
        out.update(sku=c.sku, unit=c.unit, unit_price=_num(c.unit_price), source=c.source, reason=c.reason)
    else:
        out.update(reason=c.reason)
    if c.attribute:
        out["attribute"] = c.attribute
    return out


def _resource_json(r: ResourceCost) -> dict[str, Any]:
    return {
        "address": r.address,
        "type": r.type,
        "cloud": r.cloud,
        "file": r.file,
        "line": r.line,
        "region": r.region,
        **({"region_source": r.region_source} if r.region_source else {}),  # a samconfig.toml line, for a template
        "count": r.count,
        "environment": r.environment,
        "environment_source": r.environment_source,
        "application": r.application,
        "status": r.status,
        "monthly": _amount(r.monthly),
        "components": [_component_json(c) for c in r.components if c.kind in (PRICED, PROVIDER_FEE)],
        "unpriced": [{"item": c.item, "reason": c.reason} for c in r.unpriced],
        "usage_based": [{k: v for k, v in _component_json(c).items() if k != "kind"} for c in r.usage_based],
    }


def to_json_data(estimate: Estimate, *, policy_source: str | None = None) -> dict[str, Any]:
    budgets = {
        env: {"budget": _num(budget), "monthly": _amount(estimate.by_environment.get(env, Decimal(0))),
              "over": estimate.by_environment.get(env, Decimal(0)) > budget}
        for env, budget in sorted(estimate.budgets.items())
    }
    usage_based = [
        {"address": r.address, "environment": r.environment, **{k: v for k, v in _component_json(c).items() if k != "kind"}}
        for r in estimate.resources for c in r.usage_based
    ]
    data: dict[str, Any] = {
        "version": 1,
        "currency": estimate.currency,
        "hours_per_month": estimate.hours_per_month,
        "total_monthly": _amount(estimate.total_monthly),
        "by_environment": {k: _amount(v) for k, v in estimate.by_environment.items()},
        "by_application": {k: _amount(v) for k, v in estimate.by_application.items()},
        "by_resource_type": {k: _amount(v) for k, v in estimate.by_resource_type.items()},
        "budgets": budgets,
        "resources": [_resource_json(r) for r in estimate.resources],
        "unpriced": [{"address": u.address, "item": u.item, "reason": u.reason, "environment": u.environment,
                      "file": u.file, "line": u.line} for u in estimate.unpriced],
        "usage_based": usage_based,
        "catalog": dict(estimate.catalog),
        "usage_file": estimate.usage_file,
        "warnings": list(estimate.warnings),
    }
    if policy_source is not None:
        data["policy"] = policy_source
    return data


def render_json(estimate: Estimate, *, policy_source: str | None = None) -> str:
    # json.dumps(..., indent=2, ensure_ascii=False)'s bytes, faster (iacgov.jsonfast)
    return dumps_indented(to_json_data(estimate, policy_source=policy_source), indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("environment", "application", "address", "type", "file", "line", "region", "count", "kind", "item",
               "sku", "quantity", "unit", "unit_price", "monthly", "currency", "source", "reason")


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def render_csv(estimate: Estimate) -> str:
    """One row per line of the bill (priced, provider fee, usage-based,
    unpriced), and one per free resource, for spreadsheets."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in estimate.resources:
        base = [r.environment, r.application, r.address, r.type, r.file, r.line, r.region or "",
                "" if r.count is None else r.count]
        if not r.components:
            writer.writerow(base + ["free" if r.status == "free" else r.status, "", "", "", "", "", "0.00",
                                    estimate.currency, "", ""])
        for c in r.components:
            monthly = c.monthly
            writer.writerow(base + [c.kind, c.item, c.sku or "", _plain(c.quantity), c.unit or "",
                                    _plain(c.unit_price), "" if monthly is None else f"{money(monthly):.2f}",
                                    estimate.currency, c.source or "", c.reason or ""])
    return buf.getvalue()


def _table(rows: list[tuple[str, ...]], aligns: str) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(aligns))]
    out = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if aligns[i] == "r" else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        out.append("  " + "  ".join(cells).rstrip())
    return out


def render_text(estimate: Estimate, *, top: int = 10, details: bool = False, policy_source: str | None = None,
                color: bool = False) -> str:
    def bold(text: str) -> str:
        return f"\x1b[1m{text}\x1b[0m" if color else text

    def red(text: str) -> str:
        return f"\x1b[31;1m{text}\x1b[0m" if color else text

    lines: list[str] = []
    files = estimate.catalog.get("files", {})
    dated = ", ".join(f"{name.removesuffix('.csv')} {meta['prices_dated']}"  # type: ignore[index]
                      for name, meta in files.items()) if isinstance(files, dict) else ""
    lines.append(bold(f"Monthly cost estimate — {estimate.currency}, {estimate.hours_per_month} hours a month, "
                      "list prices without tax or discount"))
    if dated:
        lines.append(f"Catalog: {dated}")
    extras = []
    if estimate.catalog.get("rate_card"):
        extras.append(f"rate card {_printable(str(estimate.catalog['rate_card']))}")
    if estimate.usage_file:
        extras.append(f"usage file {_printable(estimate.usage_file)}")
    if policy_source:
        extras.append(f"policy {_printable(policy_source)}")
    if extras:
        lines.append("With: " + "; ".join(extras))
    lines.append("")

    for env in estimate.environments():
        resources = estimate.environment(env)
        total = estimate.by_environment.get(env, Decimal(0))
        header = f"{_printable(env)} — {show_money(total)} a month"
        budget = estimate.budgets.get(env)
        if budget is not None:
            if total > budget:
                header += " " + red(f"(OVER budget {show_money(budget)} by {show_money(total - budget)})")
            else:
                share = f", {total / budget:.0%} used" if budget else ""
                header += f" (budget {show_money(budget)}{share})"
        lines.append(bold(header))
        shown = [r for r in resources if r.status != "free"][:top]
        rows = [("RESOURCE", "TYPE", "MONTHLY", "")]
        for r in shown:
            note = {"partial": "partly unpriced", "unpriced": "unpriced", "usage-based": "usage-based"}.get(r.status, "")
            count = f" x{r.count}" if r.count and r.count > 1 else ""
            rows.append((_printable(r.address) + count, _printable(r.type), show_money(r.monthly), note))
        if len(rows) > 1:
            lines.extend(_table(rows, "llrl"))
            if details:
                for r in shown:
                    lines.extend(_details(r))
        rest = [r for r in resources if r.status != "free"][top:]
        if rest:
            lines.append(f"  + {len(rest)} more resource{'s' if len(rest) > 1 else ''}: "
                         f"{show_money(sum((r.monthly for r in rest), Decimal(0)))}")
        free = sum(1 for r in resources if r.status == "free")
        if free:
            lines.append(f"  ({free} resource{'s' if free > 1 else ''} without charge of {'their' if free > 1 else 'its'} own)")
        lines.append("")

    lines.append(bold("Totals"))
    for title, mapping in (("environment", estimate.by_environment), ("application", estimate.by_application),
                           ("resource type", estimate.by_resource_type)):
        rows = [(title.upper(), "MONTHLY")]
        rows += [(_printable(k), show_money(v)) for k, v in sorted(mapping.items(), key=lambda kv: (-kv[1], kv[0]))]
        lines.extend(_table(rows, "lr"))
        lines.append("")
    lines.append(bold(f"TOTAL {show_money(estimate.total_monthly)} a month"))
    n_unpriced = sum(1 for c in estimate.resources if c.unpriced)  # not by address: it repeats across roots
    if n_unpriced:
        lines.append(f"  not included: {len(estimate.unpriced)} unpriced item{'s' if len(estimate.unpriced) > 1 else ''} "
                     f"on {n_unpriced} resource{'s' if n_unpriced > 1 else ''} (listed below), so the real cost is higher")
    lines.append("")

    if estimate.unpriced:
        lines.append(bold("Unpriced — never counted as zero, not in the totals"))
        for u in estimate.unpriced:
            what = f"{_printable(u.address)}: {_printable(u.item)}" if u.item else _printable(u.address)
            lines.append(f"  {what} — {_printable(u.reason)}")
        lines.append("")
    usage = [(r, c) for r in estimate.resources for c in r.usage_based]
    if usage:
        lines.append(bold("Usage-based — priced when the usage file gives the quantity"))
        for r, c in usage:
            price = f" at ${_plain(c.unit_price)} per {c.unit}" if c.unit_price is not None else ""
            lines.append(f"  {_printable(r.address)}: {c.item}{price} — {c.reason}")
        lines.append("")
    for warning in estimate.warnings:
        lines.append(f"warning: {_printable(warning)}")
    return "\n".join(lines).rstrip("\n") + "\n"


def _details(r: ResourceCost) -> Iterable[str]:
    where = f"{r.region} from {r.region_source}" if r.region and r.region_source else r.region or "no region"
    yield f"    {_printable(r.address)} ({r.environment_source}; {_printable(where)})"
    for c in r.components:
        if c.kind in (PRICED, PROVIDER_FEE):
            yield (f"      {c.item}: {_plain(c.quantity)} {c.unit} x ${_plain(c.unit_price)} = "
                   f"{show_money(c.monthly or Decimal(0))}  [{_printable(c.source or '')}]")
        elif c.kind == UNPRICED:
            yield f"      {c.item}: unpriced — {_printable(c.reason or '')}"
        else:
            yield f"      {c.item}: usage-based — {_printable(c.reason or '')}"


def render(estimate: Estimate, fmt: str, **options: Any) -> str:
    if fmt == "json":
        return render_json(estimate, policy_source=options.get("policy_source"))
    if fmt == "csv":
        return render_csv(estimate)
    return render_text(estimate, **options)
