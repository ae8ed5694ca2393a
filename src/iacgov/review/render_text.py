"""The review for a terminal. Repository strings go through
:func:`iacgov.reporters.text.printable` (no escape sequences)."""

from __future__ import annotations

from iacgov.cost.model import format_money
from iacgov.reporters.text import printable as p
from iacgov.review.model import CHANGE_CLASSES
from iacgov.review.run import Review, authority_name


def _amount(value) -> str:
    return format_money(value, symbol=False)  # the table's header names the currency


def _signed(value) -> str:
    return format_money(value, signed=True, symbol=False)


def _branches(ref: str, branches: tuple[str, ...]) -> str:
    others = [b for b in branches if b != ref][:3]
    return f" [{', '.join(p(b) for b in others)}]" if others else ""


def render(review: Review, *, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    def _money(value) -> str:  # in a sentence: the currency is said with the amount
        return format_money(value, review.currency)

    ok = not review.blocked and not review.errors
    lines = [paint(f"iacgov review: {review.verdict}", "32;1" if ok else "31;1"),
             f"base {p(review.base_ref)}{_branches(review.base_ref, review.base_branches)} ({review.base_sha[:12]}) -> "
             f"head {p(review.head_ref)}{_branches(review.head_ref, review.head_branches)} ({review.head_sha[:12]})"
             f"{f', plan {p(review.plan)}' if review.plan else ''}; policy {p(review.policy_source)} from base",
             *(f"warning: {p(n)}" for n in review.history_notes), ""]
    if review.approvals:
        lines.append(paint("Approvals", "1"))
        for a in review.approvals:
            who = ", ".join(p(x) for x in a.approvers) or "nobody is listed in approvers." + a.authority
            state = f"approved by {', '.join(p(x) for x in a.approved_by)}" if a.satisfied else f"waiting ({who})"
            lines.append(f"  {authority_name(a.authority):<24} {state}")
        for note in review.approval_notes:
            lines.append(f"  not counted: {p(note)}")
        lines.append("")
    lines.append(paint(f"Decisions ({len(review.decisions)})", "1"))
    for d in review.decisions:
        where = f"{p(d.file)}:{d.line}" if d.file else "-"
        lines.append(f"  {d.code}  {d.authority:<9} {CHANGE_CLASSES[d.change_class].name:<22} {p(d.address)}  {where}")
        lines.append(f"         {p(d.detail)}")
    if not review.decisions:
        lines.append("  none: the provider may merge this change alone")
    lines.append("")
    if review.costs:
        lines.append(paint(f"Monthly cost ({review.currency})", "1"))
        width = max(12, *(len(p(c.environment)) for c in review.costs))
        lines.append(f"  {'environment':<{width}} {'base':>12} {'head':>12} {'delta':>12}")
        for c in review.costs:
            extra = f"  (+{c.new_unpriced} unpriced)" if c.new_unpriced else ""
            delta = _signed(c.delta) if c.known else "unknown"
            lines.append(f"  {p(c.environment):<{width}} {_amount(c.base):>12} {_amount(c.head):>12} "
                         f"{delta:>12}{extra}")
        if review.envelope is not None:
            lines.append(f"  change envelope: {_amount(review.envelope)} per environment")
        for m in review.months:
            lines.append(f"  {p(m.environment)}: {_money(m.used)} of {_money(m.per_month)} used this month by "
                         f"{m.changes} change{'' if m.changes == 1 else 's'} (since {m.since.isoformat()}); "
                         f"this change adds {_money(max(m.this_change, 0))}"
                         + (" — over the monthly envelope" if m.over else ""))
        lines.append("")
    if review.policy_diff is not None:
        lines.append(paint("Policy change (applies once merged)", "1"))
        lines += [f"  {line}" for line in review.policy_diff.lines(p)]
        lines.append("")
    if review.access is not None and (review.access.granted or review.access.revoked):
        from iacgov.access import line

        lines.append(paint("Administrator access register", "1"))
        lines += [f"  granted  {line(h, p)}" for h in review.access.granted]
        lines += [f"  revoked  {line(h, p)}" for h in review.access.revoked]
        lines.append("")
    if review.drift:
        lines.append(paint(f"Changed outside the code ({len(review.drift)})", "1"))
        lines += [f"  {d.code}  {p(d.address)}: {p(d.detail)}" for d in review.drift]
        lines.append("")
    for title, findings in (("New findings", review.new_findings), ("Resolved findings", review.resolved_findings),
                            ("Suppressions added", review.suppressions_added),
                            ("Suppressions refused by the base policy", review.suppressions_refused)):
        if not findings:
            continue
        lines.append(paint(f"{title} ({len(findings)})", "1"))
        for f in findings:
            extra = f" [{p(f.suppression.reason)}]" if f.suppression and title.startswith("Supp") else ""
            lines.append(f"  {f.severity.value:<7} {f.code:<8} {p(f.location.path)}:{f.location.line}  {p(f.message)}"
                         f"{extra}")
        lines.append("")
    for n in review.notifications:
        lines.append(f"  error   {p(n.location.path)}:{n.location.line}  {p(n.message)}")
    if review.errors:
        lines.append(paint(f"{len(review.errors)} internal error(s): the review failed (see stderr)", "31;1"))
    return "\n".join(lines).rstrip("\n") + "\n"
