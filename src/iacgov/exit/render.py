"""``iacgov exit`` outputs: text, json, markdown (with the exit runbook skeleton) and html.

JSON keys: ``verdict``, ``policy``, ``not_analysed``, ``applications`` — a
list of ``{application, environment, owner, tier, rpo_hours, rto_hours,
budget, monthly_cost, cost_partial, verdict, blockers[], unknowns[],
sections: {control|state|data|portability: {status, items[]}}}`` where an
item is ``{status, subject, text, lift?, source?}``.
"""

from __future__ import annotations

import html
import json
from decimal import Decimal
from typing import Any

from iacgov.cost.model import format_money
from iacgov.exit.analysis import BLOCKED, READY, ExitReport, Group, Item, classes_of, portability_facts
from iacgov.markdown import code as md_code
from iacgov.markdown import text as md_escape

FORMATS = ("text", "json", "markdown", "html")
SYMBOL = {READY: "ready", BLOCKED: "BLOCKED", "unknown": "unknown"}


def _money(value: Decimal | None, currency: str, partial: bool = False) -> str:
    if value is None:
        return "not estimated"
    return f"{format_money(value, currency)}/month" + (" (partial: some items not priced)" if partial else "")


def _meta(g: Group, currency: str) -> str:
    app = g.app
    bits = []
    if app is not None:
        bits += [f"owner {app.owner}" if app.owner else "", f"tier {app.tier}" if app.tier else "",
                 f"RPO {app.rpo_hours:g} h" if app.rpo_hours is not None else "",
                 f"RTO {app.rto_hours:g} h" if app.rto_hours is not None else ""]
    bits.append(f"cost {_money(g.monthly_cost, currency, g.cost_partial)}")
    if app is not None and app.budget is not None:
        bits.append(f"budget {format_money(Decimal(str(app.budget)), currency)}/month")  # a number of the policy
    return ", ".join(b for b in bits if b)


def render(report: ExitReport, fmt: str) -> str:
    return {"text": text, "json": as_json, "markdown": markdown, "html": as_html}[fmt](report)


def text(report: ExitReport) -> str:
    lines = [f"iacgov exit — overall: {SYMBOL[report.verdict]} (policy {report.policy_source})", ""]
    for g in report.groups:
        lines.append(f"{g.application} / {g.environment}: {SYMBOL[g.verdict]} — {_meta(g, report.currency)}")
        for section in g.sections:
            lines.append(f"  {section.name}: {section.status}")
            for item in section.items:
                lines.append(f"    [{item.status}] {item.subject}: {item.text}")
                if item.lift:
                    lines.append(f"      to lift: {item.lift}")
        lines.append("")
    if report.not_analysed:
        lines.append("Not analysed (may hide blockers):")
        lines += [f"  {n}" for n in report.not_analysed]
    return "\n".join(lines).rstrip() + "\n"


def _group_dict(g: Group, currency: str) -> dict[str, Any]:
    app = g.app
    return {
        "application": g.application, "environment": g.environment,
        "owner": app.owner if app else None, "tier": app.tier if app else None,
        "rpo_hours": app.rpo_hours if app else None, "rto_hours": app.rto_hours if app else None,
        "budget": app.budget if app else None,
        "monthly_cost": None if g.monthly_cost is None else f"{g.monthly_cost:.2f}", "currency": currency,
        "cost_partial": g.cost_partial, "verdict": g.verdict,
        "blockers": [i.as_dict() for i in g.blockers], "unknowns": [i.as_dict() for i in g.unknowns],
        "portability_classes": classes_of(g),
        "sections": {s.name: {"status": s.status, "items": [i.as_dict() for i in s.items]} for s in g.sections},
    }


def as_json(report: ExitReport) -> str:
    data = {"verdict": report.verdict, "policy": report.policy_source, "not_analysed": list(report.not_analysed),
            "applications": [_group_dict(g, report.currency) for g in report.groups]}
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


def _md_item(item: Item) -> str:
    line = f"- **{item.status}** {md_code(item.subject)}: {md_escape(item.text)}"
    if item.lift:
        line += f" — *to lift:* {md_escape(item.lift)}"
    if item.source:
        line += f" ([source]({item.source}))"
    return line


def markdown(report: ExitReport) -> str:
    out = [f"# Exit readiness — {SYMBOL[report.verdict]}", "",
           f"Policy: {md_code(report.policy_source)}", "",
           "| Application | Environment | Verdict | Tier | Cost | Blockers |", "| --- | --- | --- | --- | --- | ---: |"]
    for g in report.groups:
        tier = g.app.tier if g.app and g.app.tier else ""
        out.append(f"| {md_escape(g.application)} | {md_escape(g.environment)} | {SYMBOL[g.verdict]} | "
                   f"{md_escape(tier)} | {_money(g.monthly_cost, report.currency, g.cost_partial)} | "
                   f"{len(g.blockers)} |")
    for g in report.groups:
        out += ["", f"## {md_escape(g.application)} / {md_escape(g.environment)}: {SYMBOL[g.verdict]}", "",
                md_escape(_meta(g, report.currency))]
        for section in g.sections:
            out += ["", f"### {section.name.capitalize()}: {section.status}", ""]
            out += [_md_item(i) for i in section.items] or ["- nothing to report"]
    if report.not_analysed:
        out += ["", "## Not analysed (may hide blockers)", ""] + [f"- {md_escape(n)}" for n in report.not_analysed]
    out += ["", runbook(report)]
    return "\n".join(out).rstrip() + "\n"


def runbook(report: ExitReport) -> str:
    """A skeleton the exit committee completes: one checklist per application and environment."""
    classes = portability_facts()["classes"]
    out = ["# Exit runbook (skeleton)", "",
           "Generated from the code by iacgov exit: complete the owners, dates and the steps the code cannot "
           "show (contracts, people, DNS, certificates).", ""]
    for g in report.groups:
        owner = g.app.owner if g.app and g.app.owner else "________"
        out += [f"## {md_escape(g.application)} / {md_escape(g.environment)}", "",
                f"Accountable: {md_escape(owner)} · Target date: ________ · Verdict today: {SYMBOL[g.verdict]}", "",
                "1. **Lift the blockers**"]
        out += [f"   - [ ] {md_escape(i.subject)}: {md_escape(i.lift or i.text)}" for i in g.blockers] or \
               ["   - [ ] none found in the code"]
        out += ["2. **Decide the unknowns**"]
        out += [f"   - [ ] {md_escape(i.subject)}: {md_escape(i.lift or i.text)}" for i in g.unknowns] or \
               ["   - [ ] none"]
        out += ["3. **Take back control**: confirm the company's administrators and key administrators "
                "(owner: ________)",
                "4. **Take back the state**: copy the Terraform state to the company's storage and re-initialise "
                "(owner: ________)",
                "5. **Export the data**"]
        out += [f"   - [ ] {md_code(i.subject)}: {md_escape(i.text)}" for i in g.data.items] or \
               ["   - [ ] no data-bearing resource in the code"]
        rebuild = [i for i in g.portability.items if "proprietary_no_equivalent" in i.text]
        out += ["6. **Rebuild what has no equivalent** "
                f"({classes['proprietary_no_equivalent']['label']})"]
        out += [f"   - [ ] {md_code(i.subject)}: {md_escape(i.text)}" for i in rebuild] or ["   - [ ] none"]
        out += ["7. **Cut over, verify the RPO / RTO targets, decommission** (owner: ________, date: ________)", ""]
    return "\n".join(out)


def as_html(report: ExitReport) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(g.application)}</td><td>{e(g.environment)}</td><td class='{g.verdict}'>{SYMBOL[g.verdict]}</td>"
        f"<td>{e(_meta(g, report.currency))}</td><td>{len(g.blockers)}</td></tr>" for g in report.groups)
    details = []
    for g in report.groups:
        details.append(f"<h2>{e(g.application)} / {e(g.environment)}: {SYMBOL[g.verdict]}</h2>")
        for s in g.sections:
            items = "".join(
                f"<li><b>{e(i.status)}</b> <code>{e(i.subject)}</code>: {e(i.text)}"
                + (f" — <i>to lift:</i> {e(i.lift)}" if i.lift else "")
                + (f" (<a href='{e(i.source)}'>source</a>)" if i.source else "") + "</li>" for i in s.items)
            details.append(f"<h3>{e(s.name)}: {e(s.status)}</h3><ul>{items or '<li>nothing to report</li>'}</ul>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>iacgov exit</title>"
            "<style>body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.3em}.blocked{color:#b00}.ready{color:#070}</style></head><body>"
            f"<h1>Exit readiness: {SYMBOL[report.verdict]}</h1><p>Policy: {e(report.policy_source)}</p>"
            "<table><tr><th>Application</th><th>Environment</th><th>Verdict</th><th>Details</th><th>Blockers</th></tr>"
            f"{rows}</table>{''.join(details)}</body></html>\n")
