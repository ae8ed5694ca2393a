"""Human-readable terminal output, grouped by file.

Colour only when the CLI says so (a terminal, and ``NO_COLOR`` unset).
Every string that comes from the scanned repository goes through
:func:`printable`, so a resource name cannot send escape sequences to the
terminal.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from iacgov.api import hookimpl
from iacgov.limits import LimitExceeded, Limits, read_bounded
from iacgov.model import Finding, Notification, ScanResult, Severity
from iacgov.reporters import coverage
from iacgov.reporters.escape import ACTIVE, printable  # noqa: F401 - the escape's historical home, still imported from here

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTE: "36"}
MAX_SOURCE_BYTES = 8 * 1024 * 1024  # no context line from larger files
MAX_CONTEXT = 160  # characters of the offending line shown


class TextReporter:
    name = "text"
    compact = False  # --compact renders with a copy set to True: no excerpt of the offending line

    def render(self, result: ScanResult, *, color: bool = False) -> str:
        def paint(text: str, code: str) -> str:
            return f"\x1b[{code}m{text}\x1b[0m" if color else text

        by_file: dict[str, list[Finding | Notification]] = defaultdict(list)
        for finding in result.findings:
            by_file[finding.location.path].append(finding)
        for note in result.notifications:
            by_file[note.location.path].append(note)

        lines: list[str] = []
        scanned = set(result.files)
        for path in sorted(by_file):
            lines.append(paint(printable(path), "1"))
            source = _SourceLines(result.root, path, path in scanned)
            items = sorted(by_file[path], key=lambda i: (i.location.line, isinstance(i, Finding)))
            for i, item in enumerate(items):
                if isinstance(item, Finding):
                    sev, label = item.severity, paint(item.code, "1")
                    text = f"{printable(item.message)}{_suppression_status(item)}"
                else:
                    sev, label = item.level, paint(f"{item.source:<6}", "2")
                    text = printable(item.message)
                lines.append(f"  {item.location.line:>4}  {paint(f'{sev.value:<7}', _COLORS[sev])}  {label}  {text}")
                last_on_line = i + 1 == len(items) or items[i + 1].location.line != item.location.line
                context = source.line(item.location.line) if last_on_line else None
                if context and not self.compact:  # the offending line, once, under everything said about it
                    lines.append(paint(f"        │ {context}", "2"))
            lines.append("")

        if result.errors:  # the errors themselves go to stderr, once
            lines.append(paint(f"{len(result.errors)} internal error(s): the run failed (see stderr)", "31;1"))
        active = list(result.active_findings())
        blocking = sum(1 for f in active if f.severity is Severity.ERROR)
        families = ", ".join(f"{fam} {n}" for fam, n in sorted(Counter(f.family for f in active).items()))
        existing = sum(1 for f in result.findings if f.suppression is not None and f.suppression.kind == "baseline")
        suppressed = len(result.findings) - len(active) - existing
        summary = (
            f"{len(active)} finding{'s' if len(active) != 1 else ''} ({blocking} blocking)"
            f"{' — ' + families if families else ''}"
            f"{f', {suppressed} suppressed' if suppressed else ''}"
            f"{f', {existing} existing (baseline)' if existing else ''}"
            f" in {len(result.files)} file{'s' if len(result.files) != 1 else ''}, "
            f"{len(result.resources)} resource{'s' if len(result.resources) != 1 else ''}; "
            f"policy: {printable(result.policy_source)}"
        )
        lines.append(paint(summary, "1"))
        lines += coverage_lines(result, paint)
        return "\n".join(lines) + "\n"


def coverage_lines(result: ScanResult, paint) -> list[str]:
    """The last lines: what was analysed, and what was not with the reason,
    grouped by scope (files first), at most ``MAX_LINES`` then a count."""
    cov = result.coverage
    said = coverage.sentence(cov)
    if result.excluded:  # the user's decision, not a gap: said, but coverage stays complete
        n = len(result.excluded)
        said += f" {n} file{'s' if n != 1 else ''} excluded by --skip-path/exclude."
    out = [paint(said, "1" if cov.complete else "33;1")]
    listed = coverage.entries(cov)
    width = max((len(coverage.SCOPE_NAMES[scope][0]) for scope, _ in listed), default=0)
    for scope, n in listed[:coverage.MAX_LINES]:
        label = coverage.SCOPE_NAMES[scope][0]
        out.append(f"  {paint(f'{label:<{width}}', '2')}  {printable(coverage.where(n))}: {printable(n.message)}")
    if len(listed) > coverage.MAX_LINES:
        out.append(f"  … and {len(listed) - coverage.MAX_LINES} more (--format json or sarif lists them all)")
    return out


class _SourceLines:
    """The offending line of a scanned file, for context; nothing when the
    file is gone, too large, or the line is only punctuation (a plan's ``{``)."""

    def __init__(self, root: Path, relpath: str, scanned: bool = True) -> None:
        self._root = root
        self._path = root / relpath
        # Only a file the parsers read: a notification may name a FIFO (opening
        # it would block) or a link out of the root (its content must not leak).
        self._lines: list[str] | None = None if scanned else []

    def line(self, number: int) -> str | None:
        if self._lines is None:
            try:
                root = self._root.resolve()
                real = self._path.resolve(strict=True)
                if real != root and root not in real.parents:
                    raise OSError("outside the scanned root")
                data = read_bounded(real, Limits(max_file_bytes=MAX_SOURCE_BYTES))  # never blocks
                self._lines = data.decode("utf-8", errors="replace").split("\n")
            except (OSError, RuntimeError, LimitExceeded):
                self._lines = []
        if not 1 <= number <= len(self._lines):
            return None
        content = self._lines[number - 1].strip()
        if len(content.strip("{}[](),;")) == 0:
            return None
        if len(content) > MAX_CONTEXT:
            content = content[: MAX_CONTEXT - 1] + "…"
        return printable(content)


def _suppression_status(finding: Finding) -> str:
    """`` [suppressed until 2025-06-30: reason]``, or `` [existing: in baseline FILE]``."""
    s = finding.suppression
    if s is None:
        return ""
    if s.kind == "baseline":
        return f" [existing: {printable(s.reason)}]"
    until = f" until {s.expires}" if s.expires else ""
    return f" [suppressed{until}: {printable(s.reason)}]"


@hookimpl
def iacgov_reporters():
    return [TextReporter()]
