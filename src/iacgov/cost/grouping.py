"""Cost grouped by any dimension, and the budgets beyond environments.

``iacgov cost --group-by env,app,category,TAG`` sums the estimate's
resources by each key in turn (or by their combination with ``--group-by
env+category``):

- ``env`` / ``environment``: the resource's environment (``cost.environment_tag``,
  ``cost.environment_paths``);
- ``app`` / ``application``: the declared application (``applications:``, its
  ``match``) when the policy declares some, else the ``cost.application_tag``;
- ``category``: what the platform catalog says the kind is (compute, storage,
  database, network, security, managed services, other);
- ``cloud``, ``type``, ``region``;
- any other word: that tag's (label's) value, ``untagged`` when the resource
  has none, ``unknown`` when it is not known statically.

Budgets: ``cost.budgets`` per environment (COST001), ``applications.<name>.budget``
per application and ``cost.category_budgets`` per category. ``cost.warn_at``
(``80%`` or ``0.8``) is the share of a budget from which COST003 warns
before the overrun.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from iacgov.cost.model import Estimate, ResourceCost

UNTAGGED = "untagged"
UNKNOWN = "unknown"
OTHER = "other"
ALIASES = {"env": "environment", "environment": "environment", "app": "application", "application": "application",
           "category": "category", "cloud": "cloud", "type": "type", "region": "region"}


def category_of(resource_type: str) -> str:
    """The platform catalog's category of a kind (Terraform or CloudFormation type); ``other`` when it has none."""
    from iacgov.platform import entry

    found = entry(resource_type)
    category = found.get("category") if found is not None else None
    return category if isinstance(category, str) else OTHER


def parse_group_by(text: str) -> list[tuple[str, ...]]:
    """``"env,app+category,team"`` -> ``[("environment",), ("application", "category"), ("tag:team",)]``."""
    out: list[tuple[str, ...]] = []
    for group in text.split(","):
        keys = []
        for word in group.split("+"):
            word = word.strip()
            if not word:
                raise ValueError(f"--group-by {text!r}: empty key")
            keys.append(ALIASES.get(word.lower(), f"tag:{word}"))
        out.append(tuple(keys))
    return out


def key_name(key: str) -> str:
    return key.removeprefix("tag:")


@dataclass(frozen=True)
class Grouping:
    keys: tuple[str, ...]
    totals: Mapping[tuple[str, ...], Decimal]  # sorted, most expensive first
    resources: Mapping[tuple[str, ...], int]

    @property
    def title(self) -> str:
        return " + ".join(key_name(k) for k in self.keys)


def value_of(cost: ResourceCost, key: str, tags: Mapping[str, Any] | None, application: str | None = None) -> str:
    """One resource's value for one grouping key (``tags``: the resource's own; ``application``: its declared
    application, :func:`declared_application`; None: the ``cost.application_tag`` the estimate read)."""
    from iacgov.model import is_unknown

    if key == "environment":
        return cost.environment
    if key == "application":
        return cost.application if application is None else application
    if key == "category":
        return category_of(cost.type)
    if key == "cloud":
        return cost.cloud
    if key == "type":
        return cost.type
    if key == "region":
        return cost.region or UNKNOWN
    name = key_name(key)
    if tags is None or is_unknown(tags):
        return UNKNOWN
    value = tags.get(name) if isinstance(tags, Mapping) else None
    if value is None:
        return UNTAGGED
    if is_unknown(value) or not isinstance(value, (str, int, float)):
        return UNKNOWN
    return str(value)


def costed(estimate: Estimate, resources: Sequence[Any]) -> list[tuple[ResourceCost, Any]]:
    """Each of the estimate's lines with the resource it prices (None when ``resources`` do not hold it).

    Not by address: addresses repeat across root modules (``envs/dev`` and ``envs/prod`` each declaring
    ``aws_instance.web``), and a look-up by address gave one root's tags and declared application to every
    resource of that address — a budget per application or a grouping by tag counted a resource under
    another root's name. :func:`iacgov.cost.estimate.estimate` prices the counted resources in their order
    and sorts the lines stably by (address, file, line); so the lines of one (address, file, line) are in
    the order of its resources, and pairing each line with the next unpaired resource of that key is exact."""
    from collections import deque

    from iacgov.cost.estimate import counted

    waiting: dict[tuple[str, str, int], deque] = defaultdict(deque)
    for r in resources:
        if counted(r):
            waiting[(r.address, r.location.path, r.location.line)].append(r)
    out = []
    for cost in estimate.resources:
        queue = waiting.get((cost.address, cost.file, cost.line))
        out.append((cost, queue.popleft() if queue else None))
    return out


def line_stacks(estimate: Estimate, resources: Sequence[Any]) -> dict[int, str]:
    """The stack (root module) of each line's own resource, keyed by ``id(line)``: a cost finding placed on a
    line names the root it is about (two roots calling one module give lines of equal address, file and line)."""
    from iacgov.fingerprint import stack_of

    return {id(cost): stack_of(resource) for cost, resource in costed(estimate, resources) if resource is not None}


def declared_application(resource: Any, policy: Any) -> str | None:
    """The name of the application (``applications:``) ``resource`` belongs to, ``unassigned`` or ``unknown``;
    None when the policy declares no application (the ``cost.application_tag`` then names it)."""
    from iacgov.applications import application_for, applications
    from iacgov.model import is_unknown

    if resource is None or policy is None or not applications(policy):
        return None
    app = application_for(resource, policy)
    if app is None:
        return "unassigned"
    return UNKNOWN if is_unknown(app) else app.name


def members(estimate: Estimate, keys: Sequence[str], resources: Sequence[Any] = (), policy: Any = None
            ) -> Iterator[tuple[tuple[str, ...], ResourceCost]]:
    """Each line of the estimate that costs something, with its values for ``keys`` (``resources`` give the
    tags; ``policy`` the declared applications), in the estimate's order."""
    from iacgov.applications import applications

    declared = policy is not None and "application" in keys and bool(applications(policy))
    for cost, resource in costed(estimate, resources):
        if cost.status == "free":
            continue
        app = None
        if declared:  # a line whose resource is not among ``resources``: its application cannot be read
            app = UNKNOWN if resource is None else declared_application(resource, policy)
        yield tuple(value_of(cost, k, resource.tags if resource is not None else None, app) for k in keys), cost


def group(estimate: Estimate, keys: Sequence[str], resources: Sequence[Any] = (), policy: Any = None) -> Grouping:
    """The estimate summed by ``keys`` (``resources`` give the tags; ``policy`` the declared applications)."""
    totals: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for value, cost in members(estimate, keys, resources, policy):
        totals[value] += cost.monthly
        counts[value] += 1
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return Grouping(tuple(keys), dict(ordered), {k: counts[k] for k, _ in ordered})


def budget_members(estimate: Estimate, budget: "Budget", resources: Sequence[Any] = (), policy: Any = None
                   ) -> list[ResourceCost]:
    """The estimate's lines that count against ``budget`` (those that cost something), in the estimate's order."""
    return [cost for (value,), cost in members(estimate, (budget.scope,), resources, policy) if value == budget.name]


# --------------------------------------------------------------------------- budgets


@dataclass(frozen=True)
class Budget:
    scope: str  # environment | application | category
    name: str
    budget: Decimal
    monthly: Decimal
    key: str  # the policy key it is set under

    @property
    def over(self) -> bool:
        return self.monthly > self.budget

    @property
    def share(self) -> Decimal | None:
        return self.monthly / self.budget if self.budget else None


def warn_at(policy: Any) -> Decimal | None:
    """``cost.warn_at`` as a fraction (``80%`` and ``0.8`` are 0.8); None when not set."""
    return fraction(policy.get("cost.warn_at") if policy is not None else None)


def fraction(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            return Decimal(text[:-1].strip()) / 100
        return Decimal(text)
    return Decimal(str(value))


def budgets(estimate: Estimate, policy: Any, resources: Sequence[Any] = ()) -> list[Budget]:
    """Every budget the policy sets, with the estimate against it."""
    from iacgov.applications import applications

    out = [Budget("environment", env, amount, estimate.by_environment.get(env, Decimal(0)), f"cost.budgets.{env}")
           for env, amount in sorted(estimate.budgets.items())]
    declared = [a for a in applications(policy) if a.budget is not None]
    if declared:
        by_app = group(estimate, ("application",), resources, policy).totals
        for app in declared:
            out.append(Budget("application", app.name, Decimal(str(app.budget)), by_app.get((app.name,), Decimal(0)),
                              f"applications.{app.name}.budget"))
    categories = policy.get("cost.category_budgets") or {}
    if categories:
        by_category = group(estimate, ("category",)).totals
        for name, amount in sorted(categories.items()):
            out.append(Budget("category", name, Decimal(str(amount)), by_category.get((name,), Decimal(0)),
                              f"cost.category_budgets.{name}"))
    return out


# --------------------------------------------------------------------------- rendering (iacgov cost --group-by)


def _money(value: Decimal) -> str:
    from iacgov.cost.report import show_money

    return show_money(value)


def render_text(groupings: Sequence[Grouping], checked: Sequence[Budget], warn: Decimal | None) -> str:
    """The grouped totals and the application / category budgets, appended to the text estimate."""
    from iacgov.reporters.text import printable

    lines: list[str] = []
    for g in groupings:
        lines.append(f"By {g.title}")
        rows = [(" + ".join(printable(v) for v in key), _money(total), str(g.resources[key]))
                for key, total in g.totals.items()]
        width = max([len(r[0]) for r in rows] + [len(g.title)])
        money_width = max([len(r[1]) for r in rows] + [7])
        lines.append(f"  {g.title.upper().ljust(width)}  {'MONTHLY'.rjust(money_width)}  RESOURCES")
        for name, amount, n in rows:
            lines.append(f"  {name.ljust(width)}  {amount.rjust(money_width)}  {n.rjust(9)}")
        lines.append("")
    others = [b for b in checked if b.scope != "environment"]
    if others or (warn is not None and checked):
        lines.append("Budgets" + (f" (warning from {warn:.0%})" if warn is not None else ""))
        for b in checked:
            share = f"{b.share:.0%}" if b.share is not None else "-"
            state = "OVER" if b.over else ("warning" if warn is not None and b.share is not None and b.share >= warn
                                            else "ok")
            lines.append(f"  {b.scope} {printable(b.name)}: {_money(b.monthly)} of {_money(b.budget)} ({share}) {state}")
        lines.append("")
    return "\n".join(lines)


def to_json(groupings: Sequence[Grouping], checked: Sequence[Budget], warn: Decimal | None) -> dict[str, Any]:
    """``groups``: [{"keys": [...], "rows": [{"values": {...}, "monthly": 12.5, "resources": 2}]}];
    ``budget_checks``: [{"scope", "name", "budget", "monthly", "share", "over", "warning", "key"}]."""
    from iacgov.cost.model import money

    return {
        "groups": [{"keys": [key_name(k) for k in g.keys],
                    "rows": [{"values": {key_name(k): v for k, v in zip(g.keys, key)},
                              "monthly": float(money(total)), "resources": g.resources[key]}
                             for key, total in g.totals.items()]} for g in groupings],
        "budget_checks": [{"scope": b.scope, "name": b.name, "budget": float(b.budget), "monthly": float(money(b.monthly)),
                           "share": float(round(b.share, 4)) if b.share is not None else None, "over": b.over,
                           "warning": bool(warn is not None and b.share is not None and b.share >= warn and not b.over),
                           "key": b.key} for b in checked],
        "warn_at": float(warn) if warn is not None else None,
    }


def render_csv(groupings: Sequence[Grouping]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["group_by", "value", "monthly", "resources"])
    from iacgov.cost.model import money

    for g in groupings:
        for key, total in g.totals.items():
            writer.writerow(["+".join(key_name(k) for k in g.keys), " + ".join(key), f"{money(total):.2f}",
                             g.resources[key]])
    return buf.getvalue()
