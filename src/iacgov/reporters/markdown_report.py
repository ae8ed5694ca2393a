"""Markdown scan report (``--format markdown``): a GitHub job summary or a
pull-request comment for ``iacgov scan``.

Every string from the scanned repository goes through :mod:`iacgov.markdown`,
so a resource name cannot break the table, inject HTML or mention people.
"""

from __future__ import annotations

from collections import Counter

from iacgov import markdown as md
from iacgov.api import hookimpl
from iacgov.model import ScanResult, Severity
from iacgov.reporters import coverage

MARKER = "<!-- iacgov-scan -->"
MAX_ROWS = 50
_ICON = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.NOTE: "🔵"}


class MarkdownReporter:
    name = "markdown"

    def render(self, result: ScanResult, *, color: bool = False) -> str:
        active = list(result.active_findings())
        blocking = [f for f in active if f.severity is Severity.ERROR]
        unread = [n for n in result.notifications if n.level is Severity.ERROR]
        if result.errors:
            verdict = "❌ **iacgov could not complete the scan** (internal error)"
        elif blocking or unread:
            verdict = f"❌ **{len(blocking)} blocking finding{'s' if len(blocking) != 1 else ''}**"
            if unread:
                verdict += f", {len(unread)} file{'s' if len(unread) != 1 else ''} could not be read"
        elif active:
            verdict = f"⚠️ **No blocking finding**, {len(active)} to look at"
        else:
            verdict = "✅ **No finding**"
        cov = result.coverage
        lines = [MARKER, "## iacgov scan", "", verdict, "",
                 f"{len(result.files)} files, {len(result.resources)} resources, "
                 f"policy {md.code(result.policy_source)}.", "",
                 f"**Coverage:** {md.text(coverage.sentence(cov))}", ""]

        by_family = Counter((f.family, f.severity) for f in active)
        if by_family:
            lines += ["| Family | Errors | Warnings | Notes |", "| --- | ---: | ---: | ---: |"]
            for family in sorted({fam for fam, _ in by_family}):
                counts = [by_family.get((family, s), 0) for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)]
                lines.append(f"| {md.text(family)} | " + " | ".join(map(str, counts)) + " |")
            lines.append("")
            lines += ["| | Rule | Resource | Where | Finding |", "| --- | --- | --- | --- | --- |"]
            for f in active[:MAX_ROWS]:
                lines.append(
                    f"| {_ICON[f.severity]} | {md.text(f.code)} | {md.code(f.address)} | "
                    f"{md.code(f'{f.location.path}:{f.location.line}')} | {md.text(f.message)} |"
                )
            if len(active) > MAX_ROWS:
                lines.append(f"\n… and {len(active) - MAX_ROWS} more (see the SARIF or JSON report).")
            lines.append("")
        suppressed = len(result.findings) - len(active)
        if suppressed:
            lines += [f"{suppressed} suppressed finding{'s' if suppressed != 1 else ''} not shown.", ""]
        if unread:
            lines += ["<details><summary>Files that could not be read</summary>", ""]
            lines += [f"- {md.code(n.location.path)}: {md.text(n.message)}" for n in unread]
            lines += ["", "</details>", ""]
        listed = coverage.entries(cov)
        if listed:
            lines += [f"<details><summary>Not analysed ({len(listed)})</summary>", ""]
            lines += [f"- {md.text(coverage.SCOPE_NAMES[scope][0])} {md.code(coverage.where(n))}: {md.text(n.message)}"
                      for scope, n in listed[:coverage.MAX_LINES]]
            if len(listed) > coverage.MAX_LINES:
                lines.append(f"- … and {len(listed) - coverage.MAX_LINES} more (see the SARIF or JSON report)")
            lines += ["", "</details>", ""]
        return "\n".join(lines)


@hookimpl
def iacgov_reporters():
    return [MarkdownReporter()]
