"""GitHub Actions workflow-command annotations (``--format github``).

One ``::error file=…,line=…,title=…::message`` line per finding, so findings
show on the right line of the pull request's diff even without code scanning;
the last line says what was analysed (a warning when something was not).
Escaping follows the runner's rules (``%``, CR, LF in data; also ``:`` and
``,`` in properties), so a resource name cannot start a new command.
"""

from __future__ import annotations

from iacgov.api import hookimpl
from iacgov.model import ScanResult, Severity
from iacgov.reporters import coverage
from iacgov.reporters.text import printable

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    """The runner's escapes, after terminal controls are made visible (the log
    renders ANSI sequences)."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter:
    name = "github"

    def render(self, result: ScanResult, *, color: bool = False) -> str:
        lines = []
        for f in result.active_findings():
            props = f"file={escape_property(f.location.path)},line={f.location.line},title={escape_property(f.code + ' ' + f.address)}"
            lines.append(f"::{_LEVEL[f.severity]} {props}::{escape_data(f.message)}")
        for n in result.notifications:
            props = f"file={escape_property(n.location.path)},line={n.location.line},title=iacgov"
            lines.append(f"::{_LEVEL[n.level]} {props}::{escape_data(n.message)}")
        for e in result.errors:
            lines.append(f"::error title=iacgov::{escape_data(e)}")
        # The summary: what was analysed; a warning when something was left out (listed above).
        cov = result.coverage
        lines.append(f"::{'notice' if cov.complete else 'warning'} title=iacgov coverage::"
                     f"{escape_data(coverage.sentence(cov))}")
        return "".join(line + "\n" for line in lines)


@hookimpl
def iacgov_reporters():
    return [GithubReporter()]
