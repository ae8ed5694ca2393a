"""What a scan analysed and what it did not, said the same way by every reporter.

The counts are :meth:`iacgov.model.Coverage.as_dict`'s (JSON ``coverage``,
SARIF ``runs[0].properties.coverage``); the text, Markdown, GitHub and JUnit
reporters add the sentence and the list built here. Strings from the
repository are returned raw: each reporter escapes them its own way.
"""

from __future__ import annotations

from iacgov.model import Coverage, Notification, ScanResult, Severity

#: How a scope is named in a sentence: singular, plural.
SCOPE_NAMES = {"file": ("file", "files"), "module": ("module call", "module calls"),
               "resource": ("resource", "resources")}
MAX_LINES = 20  # entries listed in text and Markdown; the rest is a count


def plural(n: int, scope: str) -> str:
    one, many = SCOPE_NAMES[scope]
    return f"{n} {one if n == 1 else many}"


def sentence(coverage: Coverage) -> str:
    """``Analysed 12 files, 40 resources; not analysed: 1 file, 2 module calls.``"""
    done = f"Analysed {plural(coverage.files_analysed, 'file')}, {plural(coverage.resources_analysed, 'resource')}"
    if coverage.complete:
        return f"{done}; nothing left out."
    missing = ", ".join(plural(coverage.count(s), s) for s in SCOPE_NAMES if coverage.count(s))
    return f"{done}; not analysed: {missing}."


def entries(coverage: Coverage) -> list[tuple[str, Notification]]:
    """What was not analysed, grouped by scope (files, module calls, resources),
    one entry per subject and reason."""
    order = list(SCOPE_NAMES)
    return sorted(((n.scope or "file", n) for n in coverage.not_analysed),
                  key=lambda e: (order.index(e[0]), e[1].subject, e[1].message))


def where(n: Notification) -> str:
    """The subject, with its place when the place says more than the subject."""
    place = f"{n.location.path}:{n.location.line}"
    return n.subject if n.subject in (n.location.path, place) else f"{n.subject} ({place})"


def failed(result: ScanResult) -> bool:
    """Something was not checked: an internal error, a file that could not be
    read, or anything left out of the analysis. SARIF then says
    ``executionSuccessful: false``, so an upload is not mistaken for a clean
    bill of health of what it does not cover."""
    return bool(result.errors) or not result.coverage.complete or any(
        n.level is Severity.ERROR for n in result.notifications)
