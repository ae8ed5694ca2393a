"""GitLab Code Quality report (``--format gitlab``): the Code Climate subset GitLab reads.

Each issue has ``description``, ``check_name``, ``fingerprint`` (stable: the
same hash as SARIF's partialFingerprints), ``severity`` (info, minor, major,
critical, blocker) and ``location.path`` / ``location.lines.begin``.
"""

from __future__ import annotations


from iacgov.api import hookimpl
from iacgov.fingerprint import fingerprint
from iacgov.reporters.json_report import dumps
from iacgov.model import ScanResult, Severity

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTE: "info"}


class GitlabReporter:
    name = "gitlab"

    def render(self, result: ScanResult, *, color: bool = False) -> str:
        issues = [
            {
                "type": "issue",
                "check_name": f.code,
                "description": f"{f.code}: {f.message}",
                "categories": ["Security"],
                "fingerprint": fingerprint(f),
                "severity": _SEVERITY[f.severity],
                "location": {"path": f.location.path, "lines": {"begin": f.location.line}},
            }
            for f in result.active_findings()
        ]
        return dumps(issues)


@hookimpl
def iacgov_reporters():
    return [GitlabReporter()]
