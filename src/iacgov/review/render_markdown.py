"""The review as a pull-request comment a CTO reads in thirty seconds.

Order: the verdict, the approvals still needed and who may give them, the
monthly cost per environment, the decisions by class, new and resolved
findings, suppressions added; everything else collapsed in ``<details>``.
The comment starts with :data:`MARKER` so that a CI job edits one comment in
place. Every string from the repository goes through :mod:`iacgov.markdown`.
"""

from __future__ import annotations

from collections import Counter

from iacgov.cost.model import money
from iacgov.markdown import code, html_text, text
from iacgov.model import Finding
from iacgov.review.model import CHANGE_CLASSES
from iacgov.review.run import Review

MARKER = "<!-- iacgov-review -->"
SHOWN = 10  # rows before "more" goes into <details>
_AUTHORITY_LABEL = {"provider": "Provider", "cto": "CTO", "strategic": "Strategic committee"}


def _label(authority: str) -> str:
    return _AUTHORITY_LABEL.get(authority, text(authority))


def _amount(value, currency: str) -> str:
    sign = "-" if money(value) < 0 else ""
    return f"{sign}{'$' if currency == 'USD' else ''}{abs(money(value)):,.2f}{'' if currency == 'USD' else ' ' + currency}"


def _delta(value, currency: str) -> str:
    rounded = money(value)
    if rounded == 0:
        return "0.00" if currency != "USD" else "$0.00"
    return ("+" if rounded > 0 else "") + _amount(value, currency)


def _where(path: str, line: int) -> str:
    return code(f"{path}:{line}") if path else "—"


def _finding_rows(findings: tuple[Finding, ...]) -> list[str]:
    rows = ["| Severity | Rule | Resource | Where | Message |", "| --- | --- | --- | --- | --- |"]
    for f in findings:
        rows.append(f"| {f.severity.value} | {f.code} | {code(f.address)} | {_where(f.location.path, f.location.line)} "
                    f"| {text(f.message)} |")
    return rows


def _details(summary: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>", ""]


def render(review: Review, *, color: bool = False) -> str:
    out = [MARKER]
    icon = "✅" if review.exit_code == 0 else "⛔"
    out.append(f"### {icon} iacgov review — {html_text(review.verdict)}")
    out.append("")
    plan = f" · plan {code(review.plan)}" if review.plan else ""
    out.append(f"{code(review.base_ref)} `{review.base_sha[:12]}` → {code(review.head_ref)} `{review.head_sha[:12]}`"
               f"{plan} · rules from the base branch's {code(review.policy_source)}")
    out.append("")

    if review.approvals:
        out += ["| Approval | Decisions | May approve | Approved by |", "| --- | --- | --- | --- |"]
        counts = Counter(d.authority for d in review.decisions)
        for a in review.approvals:
            may = ", ".join(code(x) for x in a.approvers) or f"nobody: add logins to {code('approvers.' + a.authority)}"
            done = ("✅ " + ", ".join(code(x) for x in a.approved_by)) if a.satisfied else "⏳ waiting"
            out.append(f"| **{_label(a.authority)}** | {counts[a.authority]} | {may} | {done} |")
        out.append("")
    elif review.decisions:
        out += ["Every decision in this change is the provider's to take alone.", ""]
    else:
        out += ["No decision in this change needs the company's approval.", ""]

    if review.costs:
        cur = review.currency
        envelope = f" (change envelope {_amount(review.envelope, cur)} per environment)" if review.envelope is not None else ""
        out += [f"**Monthly cost**{envelope}", "", "| Environment | Base | Head | Delta |", "| --- | ---: | ---: | ---: |"]
        for c in review.costs:
            over = review.envelope is not None and c.delta > review.envelope
            unpriced = f" (+{c.new_unpriced} unpriced)" if c.new_unpriced else ""
            delta = _delta(c.delta, cur)
            out.append(f"| {code(c.environment)} | {_amount(c.base, cur)} | {_amount(c.head, cur)} | "
                       f"{'**' + delta + '** ⚠️' if over else delta}{unpriced} |")
        out.append("")

    if review.decisions:
        out += ["**Decisions**", "", "| Change | Authority | Count | First |", "| --- | --- | ---: | --- |"]
        by_class: dict[str, list] = {}
        for d in review.decisions:
            by_class.setdefault(d.change_class, []).append(d)
        for name, items in by_class.items():
            first = items[0]
            out.append(f"| {CHANGE_CLASSES[name].title} | {_label(first.authority)} | {len(items)} | "
                       f"{code(first.address)}: {text(first.detail)} |")
        out.append("")

    new, resolved = review.new_findings, review.resolved_findings
    blocking = len(review.blocking_findings)
    out.append(f"**Findings:** {len(new)} new ({blocking} blocking) · {len(resolved)} resolved"
               + (f" · {len(review.suppressions_added)} suppression(s) added" if review.suppressions_added else ""))
    out.append("")
    if new:
        rows = _finding_rows(new)
        out += rows[: 2 + SHOWN] + [""]
        if len(new) > SHOWN:
            out += _details(f"{len(new) - SHOWN} more new findings", [*rows[:2], *rows[2 + SHOWN:]])
    if review.suppressions_added:
        out += ["**Suppressions added**", "", "| Rule | Resource | Where | Reason | Expires |", "| --- | --- | --- | --- | --- |"]
        for f in review.suppressions_added:
            s = f.suppression
            at = (s.location if s is not None and s.location is not None else f.location)
            out.append(f"| {f.code} | {code(f.address)} | {_where(at.path, at.line)} | "
                       f"{text(s.reason) if s else ''} | {code(s.expires) if s and s.expires else '—'} |")
        out.append("")
    if review.suppressions_refused:
        out += ["**Suppressions refused by the base policy** (the findings stay)", ""]
        for f in review.suppressions_refused:
            why = "; ".join(str(x) for x in f.properties.get("suppression_refused") or ())
            out.append(f"- {f.code} on {code(f.address)} at {_where(f.location.path, f.location.line)}: {text(why)}")
        out.append("")
    for n in review.notifications:
        out.append(f"- ⚠️ {code(n.location.path)}: {text(n.message)}")
    if review.notifications:
        out.append("")

    if review.decisions:
        body = ["| Code | Change | Authority | Resource | Where | What changed |", "| --- | --- | --- | --- | --- | --- |"]
        for d in review.decisions:
            where = _where(d.file, d.line) + (" (base)" if d.side == "base" else "")
            body.append(f"| {d.code} | {CHANGE_CLASSES[d.change_class].title} | {_label(d.authority)} | "
                        f"{code(d.address)} | {where} | {text(d.detail)} |")
        out += _details(f"All decisions ({len(review.decisions)})", body)
    if resolved:
        out += _details(f"Resolved findings ({len(resolved)})", _finding_rows(resolved))
    if review.changes:
        body = []
        for c in review.changes:
            moved = f" (from {code(c.previous_address)})" if c.previous_address else ""
            attrs = ", ".join(code(a.path) for a in c.attributes[:6]) + (" …" if len(c.attributes) > 6 else "")
            body.append(f"- {c.action} {code(c.address)}{moved}{': ' + attrs if attrs and c.action != 'added' else ''}")
        out += _details(f"Resource changes ({len(review.changes)})", body)
    if review.approval_notes:
        out += _details("Approvals that do not count", [f"- {text(n)}" for n in review.approval_notes])
    if review.errors:
        out += [f"- ❌ internal error: {text(e)}" for e in review.errors] + [""]
    out.append("<sub>Policy, suppressions and baseline are read from the base commit: this pull request cannot "
               "change the rules it is judged by. Generated by iacgov.</sub>")
    return "\n".join(out) + "\n"
