"""One view across repositories: ``iacgov rollup [NAME=]FILE...``.

The scan JSON (``iacgov scan --format json``) carries no cost, so the
roll-up reads both kinds of result, told apart by their keys: scan results
(findings per family) and ``iacgov cost --format json`` estimates (cost
per environment and provider). A repository is named ``NAME=`` or, by
default, by the file's name without ``.json`` and a ``.scan`` / ``.cost``
(or ``-scan`` / ``-cost``) suffix: ``billing.scan.json`` and
``billing.cost.json`` are the repository ``billing``. A repository may give
one scan and one estimate; a second of either kind (the same repository
appearing twice under its name) is an error, as is a file of another version or shape, named with the reason.

Budgets (``cost.budgets`` per environment and ``cost.category_budgets`` of
``--policy FILE``, the estate's policy) are checked on the sum of all
repositories: each repository may stay within its own budget while the
estate exceeds it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

MAX_INPUT_BYTES = 256 * 1024 * 1024
_SUFFIXES = (".scan", "-scan", "_scan", ".cost", "-cost", "_cost")


class RollupError(Exception):
    """An input that cannot be rolled up: one line naming the file, exit 2."""


@dataclass
class Repo:
    name: str
    scan: Mapping[str, Any] | None = None
    scan_file: str | None = None
    cost: Mapping[str, Any] | None = None
    cost_file: str | None = None

    def families(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for f in (self.scan or {}).get("findings", []):
            if f.get("suppression") is None:
                found[f["family"]] += 1
        return found

    def blocking(self) -> int:
        return int((self.scan or {}).get("summary", {}).get("blocking", 0))

    def by_environment(self) -> dict[str, Decimal]:
        return {k: Decimal(str(v)) for k, v in (self.cost or {}).get("by_environment", {}).items()}

    def by_cloud(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for r in (self.cost or {}).get("resources", []):
            out[r.get("cloud") or "unknown"] += Decimal(str(r.get("monthly", 0)))
        return dict(out)

    def by_category(self) -> dict[str, Decimal]:
        from iacgov.cost.grouping import category_of

        out: dict[str, Decimal] = defaultdict(Decimal)
        for r in (self.cost or {}).get("resources", []):
            out[category_of(str(r.get("type", "")))] += Decimal(str(r.get("monthly", 0)))
        return dict(out)


@dataclass(frozen=True)
class BudgetCheck:
    scope: str
    name: str
    budget: Decimal
    monthly: Decimal
    by_repository: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def over(self) -> bool:
        return self.monthly > self.budget


@dataclass(frozen=True)
class Estate:
    repositories: tuple[Repo, ...]
    currency: str
    budgets: tuple[BudgetCheck, ...]

    def by_environment(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for r in self.repositories:
            for k, v in r.by_environment().items():
                out[k] += v
        return dict(sorted(out.items()))

    def by_cloud(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for r in self.repositories:
            for k, v in r.by_cloud().items():
                out[k] += v
        return dict(sorted(out.items()))

    def families(self) -> dict[str, dict[str, int]]:
        """family -> repository -> active findings."""
        out: dict[str, dict[str, int]] = defaultdict(dict)
        for r in self.repositories:
            for fam, n in r.families().items():
                out[fam][r.name] = n
        return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}

    @property
    def total(self) -> Decimal:
        return sum(self.by_environment().values(), Decimal(0))


def _kind(doc: Any, where: str) -> str:
    if not isinstance(doc, dict):
        raise RollupError(f"{where}: not a JSON object: expected iacgov scan --format json or iacgov cost --format json")
    if "findings" in doc and "summary" in doc:
        kind = "scan"
    elif "by_environment" in doc and "resources" in doc and "total_monthly" in doc:
        kind = "cost"
    else:
        raise RollupError(f"{where}: neither an iacgov scan result nor a cost estimate (keys: "
                          f"{', '.join(sorted(map(str, doc))[:8]) or 'none'})")
    if doc.get("version") != 1:
        raise RollupError(f"{where}: {kind} result version {doc.get('version')!r}, this iacgov reads version 1")
    if kind == "scan":
        tool = doc.get("tool")
        if not isinstance(tool, dict) or tool.get("name") != "iacgov":
            raise RollupError(f"{where}: not written by iacgov (tool.name)")
        findings = doc["findings"]
        if not isinstance(findings, list) or not all(isinstance(f, dict) and isinstance(f.get("family"), str)
                                                     and "suppression" in f for f in findings):
            raise RollupError(f"{where}: 'findings' is not a list of iacgov findings")
        if not isinstance(doc["summary"], dict):
            raise RollupError(f"{where}: 'summary' is not an object")
    else:
        if not isinstance(doc["by_environment"], dict) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in doc["by_environment"].values()):
            raise RollupError(f"{where}: 'by_environment' is not an object of amounts")
        if not isinstance(doc["resources"], list) or not all(isinstance(r, dict) for r in doc["resources"]):
            raise RollupError(f"{where}: 'resources' is not a list of objects")
    return kind


def default_name(path: Path) -> str:
    stem = path.name.removesuffix(".json")
    for suffix in _SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    return stem


def load(inputs: Sequence[str]) -> list[Repo]:
    repos: dict[str, Repo] = {}
    for given in inputs:
        name, sep, file = given.partition("=")
        if not sep or not name or "/" in name:
            name, file = "", given
        path = Path(file)
        try:
            if path.stat().st_size > MAX_INPUT_BYTES:
                raise RollupError(f"{file}: larger than {MAX_INPUT_BYTES // 2**20} MiB")
            data = path.read_bytes()
        except FileNotFoundError:
            raise RollupError(f"{file}: no such file") from None
        except OSError as exc:
            raise RollupError(f"{file}: cannot be read ({exc.strerror})") from None
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            raise RollupError(f"{file}{f':{line}' if line else ''}: not JSON ({exc})") from None
        kind = _kind(doc, file)
        name = name or default_name(path)
        repo = repos.setdefault(name, Repo(name))
        if getattr(repo, kind) is not None:
            raise RollupError(f"{file}: repository {name} appears twice ({kind} result also in "
                              f"{getattr(repo, kind + '_file')}); name each repository once (NAME=FILE)")
        setattr(repo, kind, doc)
        setattr(repo, kind + "_file", file)
    return [repos[k] for k in sorted(repos)]


def estate(repos: Sequence[Repo], policy: Any = None) -> Estate:
    currencies = {r.cost.get("currency") for r in repos if r.cost is not None}
    if len(currencies) > 1:
        raise RollupError(f"the estimates are in several currencies ({', '.join(sorted(map(str, currencies)))}): "
                          "they cannot be summed")
    checks: list[BudgetCheck] = []
    if policy is not None:
        for env, amount in sorted((policy.get("cost.budgets") or {}).items()):
            parts = {r.name: r.by_environment().get(env, Decimal(0)) for r in repos}
            checks.append(BudgetCheck("environment", env, Decimal(str(amount)), sum(parts.values(), Decimal(0)),
                                      parts))
        for cat, amount in sorted((policy.get("cost.category_budgets") or {}).items()):
            parts = {r.name: r.by_category().get(cat, Decimal(0)) for r in repos}
            checks.append(BudgetCheck("category", cat, Decimal(str(amount)), sum(parts.values(), Decimal(0)), parts))
    return Estate(tuple(repos), currencies.pop() if currencies else "USD", tuple(checks))


def _cents(value: Decimal) -> str:
    from iacgov.cost.model import money

    return f"{money(value):.2f}"


def to_json_data(e: Estate) -> dict[str, Any]:
    """``{"version": 1, "currency", "total", "by_environment", "by_cloud", "findings_by_family": {FAM: {repo: n}},
    "repositories": [{"name", "scan", "cost", "total", "by_environment", "findings", "blocking"}],
    "budgets": [{"scope", "name", "budget", "monthly", "over", "by_repository"}]}`` (amounts: strings, cents)."""
    return {
        "version": 1, "currency": e.currency, "total": _cents(e.total),
        "by_environment": {k: _cents(v) for k, v in e.by_environment().items()},
        "by_cloud": {k: _cents(v) for k, v in e.by_cloud().items()},
        "findings_by_family": e.families(),
        "repositories": [{"name": r.name, "scan": r.scan_file, "cost": r.cost_file,
                          "total": _cents(sum(r.by_environment().values(), Decimal(0))) if r.cost else None,
                          "by_environment": {k: _cents(v) for k, v in sorted(r.by_environment().items())},
                          "findings": dict(sorted(r.families().items())), "blocking": r.blocking()}
                         for r in e.repositories],
        "budgets": [{"scope": b.scope, "name": b.name, "budget": _cents(b.budget), "monthly": _cents(b.monthly),
                     "over": b.over, "by_repository": {k: _cents(v) for k, v in b.by_repository.items()}}
                    for b in e.budgets],
    }


def render_text(e: Estate) -> str:
    from iacgov.cost.report import show_money

    lines = [f"Estate of {len(e.repositories)} repositories — {show_money(e.total)} a month ({e.currency})", ""]
    lines.append("Cost per environment: " + ", ".join(f"{k} {show_money(v)}" for k, v in e.by_environment().items()))
    lines.append("Cost per provider: " + ", ".join(f"{k} {show_money(v)}" for k, v in e.by_cloud().items()))
    lines.append("")
    for b in e.budgets:
        state = "OVER" if b.over else "within"
        parts = ", ".join(f"{k} {show_money(v)}" for k, v in b.by_repository.items() if v)
        lines.append(f"Budget {b.scope} {b.name}: {show_money(b.monthly)} of {show_money(b.budget)} — {state} "
                     f"({parts or 'nothing'})")
    if e.budgets:
        lines.append("")
    lines.append("Findings per family and repository (active):")
    for fam, per in e.families().items():
        lines.append(f"  {fam}: " + ", ".join(f"{k} {v}" for k, v in per.items()))
    return "\n".join(lines) + "\n"
