"""HTML of the ledger for the governance report, and the estate page of ``iacgov rollup``.

Self-contained, like the report: inline SVG line charts (each next to a
table with the same figures, for screen readers and print), no script,
every string escaped. :func:`report_section` is what ``iacgov report
--since DATE`` inserts (:func:`attach`): what changed since the last
committee (cost then and now, decisions and who approved them, suppressions
opened, extended and expired), the trend (monthly cost per environment,
findings per family) and the suppression register.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from iacgov.cost.model import format_money
from iacgov.history.ledger import CommitRecord, ReviewRecord
from iacgov.history.series import Period, day_of, periods
from iacgov.report.view import money_tick

CSS = """
.trend-chart { width: 100%; height: auto; max-width: 960px; display: block; margin: 6px 0 10px; }
.trend-chart .axis { stroke: #9aa3ad; stroke-width: 1; }
.trend-chart .grid { stroke: #e4e7eb; stroke-width: 1; }
.trend-chart text { font-size: 12px; fill: #5b6470; }
.trend-chart polyline.line { fill: none; stroke-width: 2.5; }
.trend-chart .s0 { stroke: #2f5d8a; fill: #2f5d8a; } .trend-chart .s1 { stroke: #b25e09; fill: #b25e09; }
.trend-chart .s2 { stroke: #1e6b3a; fill: #1e6b3a; } .trend-chart .s3 { stroke: #b42318; fill: #b42318; }
.trend-chart .s4 { stroke: #6f4ea0; fill: #6f4ea0; } .trend-chart .s5 { stroke: #5b6470; fill: #5b6470; }
.trend-legend { font-size: 12.5px; color: #5b6470; margin: 0 0 8px; }
.trend-legend span { margin-right: 14px; white-space: nowrap; }
.trend-legend i { display: inline-block; width: 12px; height: 4px; margin-right: 5px; vertical-align: middle; }
.trend-legend .s0 { background: #2f5d8a; } .trend-legend .s1 { background: #b25e09; }
.trend-legend .s2 { background: #1e6b3a; } .trend-legend .s3 { background: #b42318; }
.trend-legend .s4 { background: #6f4ea0; } .trend-legend .s5 { background: #5b6470; }
table.trend { border-collapse: collapse; width: 100%; font-size: 13px; margin: 4px 0 12px; }
table.trend th, table.trend td { border-bottom: 1px solid #dde1e6; padding: 4px 8px; text-align: left; }
table.trend td.n, table.trend th.n { text-align: right; }
.state-expired, .state-unused, .over { color: #b42318; font-weight: 600; }
.state-expiring, .state-refused, .warn { color: #b25e09; font-weight: 600; }
.trend-wrap { overflow-x: auto; }
@media print { .trend-chart { max-width: 100%; } section.card { break-inside: avoid-page; } }
"""

W, H, LEFT, RIGHT, TOP, BOTTOM = 960, 260, 70, 44, 14, 40


def _m(value: Decimal, currency: str = "USD") -> str:
    return format_money(value, currency)


def _nice(top: float) -> float:
    if top <= 0:
        return 1.0
    import math

    step = 10 ** math.floor(math.log10(top))
    for k in (1, 2, 2.5, 5, 10):
        if top <= k * step:
            return k * step
    return 10 * step


def line_chart(chart_id: str, title: str, labels: Sequence[str], series: Mapping[str, Sequence[float]],
               fmt: Any = lambda v: f"{v:,.0f}") -> str:
    """An inline SVG line chart: one line per series over ``labels`` (periods)."""
    names = list(series)[:6]
    top = _nice(max([v for s in series.values() for v in s] + [0.0]))
    width = W - LEFT - RIGHT
    height = H - TOP - BOTTOM
    step = width / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(labels) > 1 else width / 2)

    def y(v: float) -> float:
        return TOP + height - (v / top) * height

    parts = [f'<svg class="trend-chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-t">{escape(title)}</title>'
             f'<desc id="{chart_id}-d">{escape(", ".join(names))} over {len(labels)} periods; the table below '
             'gives every figure.</desc>']
    for k in range(5):
        value = top * k / 4
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
                     f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{escape(fmt(value))}</text>')
    every = max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{H - BOTTOM + 18}" text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{W - RIGHT}" y1="{TOP + height}" y2="{TOP + height}"/>')
    for n, name in enumerate(names):
        values = series[name]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline class="line s{n}" points="{points}"><title>{escape(name)}</title></polyline>')
        for i, v in enumerate(values):
            parts.append(f'<circle class="s{n}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3">'
                         f'<title>{escape(name)} {escape(labels[i])}: {escape(fmt(v))}</title></circle>')
    parts.append("</svg>")
    legend = "".join(f'<span><i class="s{n}"></i>{escape(name)}</span>' for n, name in enumerate(names))
    return "".join(parts) + f'<p class="trend-legend">{legend}</p>'


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    head = "".join(f'<th{" class=n" if i in numeric else ""} scope="col">{escape(h)}</th>' for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{c}</td>' for i, c in enumerate(row))
                   + "</tr>" for row in rows)
    return f'<div class="trend-wrap"><table class="trend"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def trend_html(records: Sequence[CommitRecord]) -> str:
    """Monthly cost per environment and active findings per family, charts and tables."""
    ps = periods(records, "month")
    if not ps:
        return '<p class="muted">The ledger has no commit yet: run <code>iacgov history</code>.</p>'
    labels = [p.name for p in ps]
    currency = ps[-1].last.currency
    envs = sorted({e for p in ps for e in p.last.cost("environment")})
    cost = {e: [float(p.last.cost("environment").get(e, Decimal(0))) for p in ps] for e in envs}
    families = sorted({f for p in ps for f in p.findings()})
    found = {f: [float(p.findings().get(f, 0)) for p in ps] for f in families}
    out = ['<h3>Monthly cost per environment</h3>',
           line_chart("trend-cost", "Monthly cost per environment, at the end of each month", labels, cost,
                      lambda v: money_tick(v, currency)),
           _table(["Month", *envs, "Total"],
                  [[escape(p.name), *(_m(p.last.cost("environment").get(e, Decimal(0)), currency) for e in envs),
                    _m(p.last.total, currency)] for p in ps], set(range(1, len(envs) + 2))),
           '<h3>Active findings per family</h3>',
           line_chart("trend-findings", "Active findings per rule family, at the end of each month", labels, found),
           _table(["Month", *families], [[escape(p.name), *(str(p.findings().get(f, 0)) for f in families)]
                                         for p in ps], set(range(1, len(families) + 1)))]
    return "".join(out)


def since_html(records: Sequence[CommitRecord], since: date, reviews: Sequence[ReviewRecord]) -> str:
    """What changed since ``since``: cost before and now, decisions, approvals, suppressions."""
    before = [r for r in records if day_of(r) < since.isoformat()]
    after = [r for r in records if day_of(r) >= since.isoformat()]
    if not after:
        return f'<p class="muted">No commit since {since.isoformat()}.</p>'
    then = before[-1] if before else None
    now = after[-1]
    envs = sorted(set(now.cost("environment")) | set(then.cost("environment") if then else {}))
    rows = []
    for env in envs:
        old = then.cost("environment").get(env, Decimal(0)) if then else Decimal(0)
        new = now.cost("environment").get(env, Decimal(0))
        delta = new - old
        rows.append([escape(env), _m(old, now.currency), _m(new, now.currency),
                     format_money(delta, now.currency, signed=delta > 0)])
    out = [f'<p>{len(after)} commit(s) on the branch since {since.isoformat()} (last: <code>{now.sha[:12]}</code> '
           f'of {day_of(now)}, {escape(now.author)}: {escape(now.subject)}).</p>',
           _table(["Environment", f"Before {since.isoformat()}", f"Now ({day_of(now)})", "Change"], rows, {1, 2, 3})]
    by_review = {r.head_sha: r for r in reviews}
    decided = []
    for r in after:
        review = next((by_review[s] for s in (r.sha, *r.parents[1:]) if s in by_review), None)
        approvals = ""
        if review is not None:
            approvals = "; ".join(f"{escape(a)}: " + (escape(", ".join(by)) if by else "not approved")
                                  for a, _, by, _ in review.approvals) or "no approval needed"
        for (cls, authority), (n, first) in sorted(r.changes.items()):
            decided.append([day_of(r), f"<code>{r.sha[:12]}</code>", escape(cls.replace("_", " ")), escape(authority),
                            str(n), escape(first), approvals or '<span class="muted">no review fed in</span>'])
    out.append("<h3>Decisions taken</h3>")
    out.append(_table(["Date", "Commit", "Change", "Authority", "Count", "First", "Approved by"], decided, {4})
               if decided else '<p class="muted">No decision: every change was the provider\'s to make.</p>')
    events = [[day_of(r), escape(e.event), escape(e.suppression.code), escape(e.suppression.address),
               escape(e.suppression.reason or ""), escape(e.suppression.expires or "none")
               + (f" (was {escape(e.previous)})" if e.previous else "")]
              for r in after for e in r.events]
    out.append("<h3>Suppressions opened, extended and expired</h3>")
    out.append(_table(["Date", "Event", "Rule", "Resource", "Reason", "Expires"], events, set())
               if events else '<p class="muted">None.</p>')
    return "".join(out)


def register_html(entries: Sequence[Any]) -> str:
    if not entries:
        return '<p class="muted">No suppression is written in the scanned files.</p>'
    rows = [[f'<span class="state-{escape(e.state)}">{escape(e.state)}</span>', escape(e.code),
             escape(e.address), f"<code>{escape(e.file)}:{e.line}</code>", escape(e.reason),
             escape(e.expires or "none"),
             escape(f"{e.added_by}, {e.added_on}") if e.added_by else '<span class="muted">not committed</span>']
            for e in entries]
    return _table(["State", "Rule", "Resource", "Where", "Reason", "Expires", "Added by"], rows, set())


def report_section(records: Sequence[CommitRecord], reviews: Sequence[ReviewRecord], since: date | None,
                   register: Sequence[Any] | None, ledger_path: str) -> str:
    parts = []
    if since is not None:
        parts.append(f'<section class="card" id="since" aria-labelledby="since-title"><h2 id="since-title">'
                     f'Since the last committee ({since.isoformat()})</h2>{since_html(records, since, reviews)}'
                     '</section>')
    parts.append('<section class="card" id="trend" aria-labelledby="trend-title"><h2 id="trend-title">Trend</h2>'
                 f'<p class="muted small">From the ledger {escape(ledger_path)} (iacgov history): the state at the '
                 'last commit of each month.</p>' + trend_html(records) + "</section>")
    if register is not None:
        parts.append('<section class="card" id="register" aria-labelledby="register-title"><h2 id="register-title">'
                     f'Suppression register</h2>{register_html(register)}</section>')
    return "".join(parts)


def attach(page: str, section: str) -> str:
    """The report page with the section before its footer, and the section's styles in its head."""
    page = page.replace("</head>", f"<style>{CSS}</style>\n</head>", 1)
    marker = "<footer>" if "<footer>" in page else "</main>"
    head, sep, tail = page.rpartition(marker)
    return head + section + "\n" + sep + tail if sep else page + section


# --------------------------------------------------------------------------- iacgov rollup


def rollup_page(estate: Any, title: str, generated: str) -> str:
    from iacgov import __version__

    envs = estate.by_environment()
    rows = [[escape(k), _m(v, estate.currency)] for k, v in envs.items()]
    clouds = [[escape(k), _m(v, estate.currency)] for k, v in estate.by_cloud().items()]
    repos = [[escape(r.name), _m(sum(r.by_environment().values(), Decimal(0)), estate.currency) if r.cost else "—",
              ", ".join(f"{escape(k)} {_m(v, estate.currency)}" for k, v in sorted(r.by_environment().items()))
              or "—",
              str(sum(r.families().values())) if r.scan else "—", str(r.blocking()) if r.scan else "—"]
             for r in estate.repositories]
    names = [r.name for r in estate.repositories]
    fams = [[escape(f), *(str(per.get(n, 0)) for n in names), str(sum(per.values()))]
            for f, per in estate.families().items()]
    budgets = [[escape(b.scope), escape(b.name), _m(b.budget, estate.currency), _m(b.monthly, estate.currency),
                '<span class="over">over</span>' if b.over else "within",
                ", ".join(f"{escape(k)} {_m(v, estate.currency)}" for k, v in b.by_repository.items() if v) or "—"]
               for b in estate.budgets]
    cards = [
        ('Cost per environment', _table(["Environment", "Monthly"], rows, {1})),
        ('Cost per provider', _table(["Provider", "Monthly"], clouds, {1})),
        ('Budgets checked on the sum', _table(["Scope", "Name", "Budget", "Estate", "", "From"], budgets, {2, 3})
         if budgets else '<p class="muted">No budget given (--policy FILE).</p>'),
        ('Repositories', _table(["Repository", "Monthly", "Per environment", "Findings", "Blocking"], repos, {1, 3, 4})),
        ('Findings per family and repository', _table(["Family", *names, "Total"], fams,
                                                      set(range(1, len(names) + 2)))),
    ]
    body = "".join(f'<section class="card"><h2>{escape(t)}</h2>{c}</section>' for t, c in cards)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{escape(title)}</title><style>{_PAGE_CSS}{CSS}'
            f'</style></head><body><main><header class="top"><h1>{escape(title)}</h1><p class="sub">'
            f'{len(estate.repositories)} repositories — {_m(estate.total, estate.currency)} a month '
            f'({escape(estate.currency)}, '
            f'list prices)</p></header>{body}<footer>Generated by iacgov {__version__} on {escape(generated)}. '
            'Self-contained page: no script, nothing loaded from the network.</footer></main></body></html>\n')


_PAGE_CSS = """
body { margin: 0; background: #f4f5f7; color: #1b1f24; font: 14px/1.5 -apple-system, "Segoe UI", Roboto, Arial,
  "DejaVu Sans", sans-serif; font-variant-numeric: tabular-nums; }
main { max-width: 1080px; margin: 0 auto; padding: 24px; }
header.top { border-bottom: 3px solid #1b1f24; margin-bottom: 18px; } h1 { font-size: 24px; margin: 0; }
.sub, .muted, footer { color: #5b6470; } h2 { font-size: 18px; margin: 0 0 10px; }
section.card { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 16px 20px; margin: 0 0 16px; }
code { font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
"""
