"""The ledger's commits per period (``--by month|week|commit``), and their renderings.

A period shows the *state* at its last commit (cost per environment,
application and category; active findings per family) and the *flow* of
all its commits (change classes with their authorities, suppressions
opened, extended and expired).

JSON (``--format json``; keys fixed, more may be added)::

    {"version": 1, "branch": "main", "by": "month", "currency": "USD",
     "ledger": {"path": "...", "evaluated": 3, "reused": 40},
     "periods": [{"period": "2026-11", "commits": 22, "last": {"sha", "date", "author", "subject"},
                  "total": "1233.69", "by_environment": {"prod": "1120.20"}, "by_application": {...},
                  "by_category": {...}, "findings": {"LOC": 5}, "suppressed": {"ENC": 1},
                  "changes": [{"change_class", "authority", "count"}],
                  "suppressions": {"opened": 1, "extended": 0, "expired": 0}, "complete": true}]}

CSV: one row per period, a column per environment (``env:prod``), family
(``findings:LOC``) and authority (``decisions:cto``). Amounts are exact,
rounded to the cent for display.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from iacgov.cost.model import format_money, money
from iacgov.history.ledger import CommitRecord

BY = ("month", "week", "commit")
FORMATS = ("text", "json", "csv", "markdown")


def day_of(record: CommitRecord) -> str:
    return datetime.fromtimestamp(record.committed_at, tz=timezone.utc).date().isoformat()


def period_of(record: CommitRecord, by: str) -> str:
    moment = datetime.fromtimestamp(record.committed_at, tz=timezone.utc)
    if by == "month":
        return f"{moment.year:04d}-{moment.month:02d}"
    if by == "week":
        year, week, _ = moment.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return record.sha[:12]


@dataclass(frozen=True)
class Period:
    name: str
    records: tuple[CommitRecord, ...]  # oldest first
    changes: Mapping[tuple[str, str], int] = field(default_factory=dict)
    events: Mapping[str, int] = field(default_factory=dict)

    @property
    def last(self) -> CommitRecord:
        return self.records[-1]

    def findings(self, suppressed: bool = False) -> dict[str, int]:
        out: Counter[str] = Counter()
        for (family, _), (active, hidden) in self.last.findings.items():
            out[family] += hidden if suppressed else active
        return {k: v for k, v in sorted(out.items()) if v}

    def authorities(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for (_, authority), n in self.changes.items():
            out[authority] += n
        return dict(sorted(out.items()))


def periods(records: Sequence[CommitRecord], by: str) -> list[Period]:
    groups: dict[str, list[CommitRecord]] = {}
    for record in records:
        groups.setdefault(period_of(record, by), []).append(record)
    out = []
    for name, members in groups.items():
        changes: Counter[tuple[str, str]] = Counter()
        events: Counter[str] = Counter()
        for r in members:
            for key, (n, _) in r.changes.items():
                changes[key] += n
            events.update(e.event for e in r.events)
        out.append(Period(name, tuple(members), dict(sorted(changes.items())),
                          {k: events.get(k, 0) for k in ("opened", "extended", "expired")}))
    return out


def _cents(value: Decimal) -> str:
    return f"{money(value):.2f}"




def to_json_data(ps: Sequence[Period], *, branch: str, by: str, ledger: Mapping[str, Any]) -> dict[str, Any]:
    currency = ps[-1].last.currency if ps else "USD"
    return {
        "version": 1, "branch": branch, "by": by, "currency": currency, "ledger": dict(ledger),
        "periods": [{
            "period": p.name, "commits": len(p.records),
            "last": {"sha": p.last.sha, "date": day_of(p.last), "author": p.last.author, "subject": p.last.subject},
            "total": _cents(p.last.total),
            "by_environment": {k: _cents(v) for k, v in p.last.cost("environment").items()},
            "by_application": {k: _cents(v) for k, v in p.last.cost("application").items()},
            "by_category": {k: _cents(v) for k, v in p.last.cost("category").items()},
            "findings": p.findings(), "suppressed": p.findings(suppressed=True),
            "changes": [{"change_class": c, "authority": a, "count": n} for (c, a), n in p.changes.items()],
            "suppressions": dict(p.events), "complete": all(r.complete for r in p.records),
        } for p in ps],
    }


def render_json(ps: Sequence[Period], **kw: Any) -> str:
    return json.dumps(to_json_data(ps, **kw), indent=2, ensure_ascii=False) + "\n"


def render_csv(ps: Sequence[Period]) -> str:
    envs = sorted({e for p in ps for e in p.last.cost("environment")})
    families = sorted({f for p in ps for f in p.findings()})
    authorities = sorted({a for p in ps for a in p.authorities()})
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["period", "commits", "last_commit", "date", "total", *(f"env:{e}" for e in envs),
                     *(f"findings:{f}" for f in families), *(f"decisions:{a}" for a in authorities),
                     "suppressions_opened", "suppressions_extended", "suppressions_expired", "complete"])
    for p in ps:
        costs = p.last.cost("environment")
        found = p.findings()
        auth = p.authorities()
        writer.writerow([p.name, len(p.records), p.last.sha[:12], day_of(p.last), _cents(p.last.total),
                         *(_cents(costs.get(e, Decimal(0))) for e in envs), *(found.get(f, 0) for f in families),
                         *(auth.get(a, 0) for a in authorities), p.events["opened"], p.events["extended"],
                         p.events["expired"], "yes" if all(r.complete for r in p.records) else "no"])
    return buf.getvalue()


def _rows(ps: Sequence[Period]) -> tuple[list[str], list[list[str]]]:
    envs = sorted({e for p in ps for e in p.last.cost("environment")})
    header = ["PERIOD", "COMMITS", "LAST", *(e.upper() for e in envs), "TOTAL", "FINDINGS", "DECISIONS",
              "SUPPRESSIONS +/>/x"]
    rows = []
    for p in ps:
        costs = p.last.cost("environment")
        found = ", ".join(f"{k} {v}" for k, v in p.findings().items()) or "none"
        decisions = ", ".join(f"{a} {n}" for a, n in p.authorities().items()) or "none"
        ev = p.events
        currency = p.last.currency
        rows.append([p.name, str(len(p.records)), p.last.sha[:12],
                     *(format_money(costs.get(e, Decimal(0)), currency) for e in envs),
                     format_money(p.last.total, currency), found, decisions,
                     f"{ev['opened']}/{ev['extended']}/{ev['expired']}"])
    return header, rows


def render_text(ps: Sequence[Period], *, branch: str, by: str, ledger: Mapping[str, Any]) -> str:
    from iacgov.reporters.text import printable

    lines = [f"Governance history of {printable(branch)} by {by} — monthly cost at the end of each period "
             f"(list prices, {ps[-1].last.currency if ps else 'USD'}), active findings, decisions taken, "
             "suppressions opened/extended/expired", ""]
    if not ps:
        lines.append("No commit in the range.")
    else:
        header, rows = _rows(ps)
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        numeric = {i for i, h in enumerate(header) if h not in ("PERIOD", "LAST", "FINDINGS", "DECISIONS")}
        for row in [header, *rows]:
            cells = [printable(c).rjust(widths[i]) if i in numeric else printable(c).ljust(widths[i])
                     for i, c in enumerate(row)]
            lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append(f"Ledger {ledger.get('path')}: {ledger.get('evaluated', 0)} commit(s) analysed now, "
                 f"{ledger.get('reused', 0)} already recorded.")
    incomplete = [p.name for p in ps if not all(r.complete for r in p.records)]
    if incomplete:
        lines.append(f"Not everything could be read in: {', '.join(incomplete)} (iacgov history --format json "
                     "names the commits; the figures miss what was not read).")
    return "\n".join(lines) + "\n"


def render_markdown(ps: Sequence[Period], *, branch: str, by: str, ledger: Mapping[str, Any]) -> str:
    from iacgov.markdown import text as escape

    header, rows = _rows(ps)
    lines = [f"### Governance history of `{branch}` by {by}", ""]
    if not rows:
        return "\n".join([*lines, "No commit in the range.", ""])
    lines.append("| " + " | ".join(escape(h) for h in header) + " |")
    lines.append("| " + " | ".join("---:" if h not in ("PERIOD", "LAST", "FINDINGS", "DECISIONS") else "---"
                                  for h in header) + " |")
    for row in rows:
        lines.append("| " + " | ".join(escape(c) for c in row) + " |")
    lines.append("")
    return "\n".join(lines)


def render(ps: Sequence[Period], fmt: str, **kw: Any) -> str:
    if fmt == "json":
        return render_json(ps, **kw)
    if fmt == "csv":
        return render_csv(ps)
    if fmt == "markdown":
        return render_markdown(ps, **kw)
    return render_text(ps, **kw)
