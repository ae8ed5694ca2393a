"""SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).

Written for what GitHub reads: repo-relative URIs under ``%SRCROOT%``,
``startLine >= 1``, rule metadata with ``help.markdown`` and
``properties["security-severity"]``, ``partialFingerprints``, the resource
address as a logical location, ``automationDetails.id`` as the analysis
category. Suppressed findings are kept with SARIF ``suppressions`` (``inSource``
for a comment or CloudFormation ``Metadata``, ``external`` for the baseline;
``status: accepted``, the reason as ``justification``), so code scanning shows
them as suppressed and the accepted risks stay on record;
``build_sarif(..., include_suppressed=False)`` (``--sarif-omit-suppressed``)
leaves them out. Parse problems and internal errors become
``toolExecutionNotifications``.

The run says what it covers: ``runs[0].properties.coverage`` holds the counts
of :meth:`iacgov.model.Coverage.as_dict` (files and resources analysed, and
every file, module call and resource that was not, with the reason), and
``invocations[0].executionSuccessful`` is false as soon as something was not
read or analysed, or the run failed: an upload that covers less than the
repository must not read as a clean bill of health. Output is deterministic:
no timestamps, no absolute paths.
"""

from __future__ import annotations

from typing import Any

from iacgov import __version__
from iacgov.api import hookimpl
from iacgov.fingerprint import FINGERPRINT_KEY, fingerprint
from iacgov.reporters.json_report import dumps
from iacgov.model import Finding, Location, RuleMeta, ScanResult, Severity, Suppression
from iacgov.reporters.coverage import failed

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/iacgov/iacgov"
SRCROOT = "%SRCROOT%"
# GitHub code scanning keeps the 5,000 results of highest severity of a run and
# rejects a run of more than 25,000 (docs.github.com, "SARIF results exceed limit").
GITHUB_RESULTS_KEPT = 5000
GITHUB_RESULTS_MAX = 25000


def results_limit_warning(count: int) -> str | None:
    """What to say when a run has more results than code scanning keeps."""
    if count <= GITHUB_RESULTS_KEPT:
        return None
    fate = (f"rejects a run of more than {GITHUB_RESULTS_MAX:,}" if count > GITHUB_RESULTS_MAX
            else f"keeps only the {GITHUB_RESULTS_KEPT:,} of highest severity")
    return (f"{count:,} results in one SARIF run: GitHub code scanning {fate}; narrow the scan "
            f"(--skip-path, --check, --skip-check) or split it into several uploads (categories)")


def _artifact(loc: Location) -> dict[str, Any]:
    return {"uri": loc.path, "uriBaseId": SRCROOT}


def _region(loc: Location) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": loc.line}
    if loc.column:
        region["startColumn"] = loc.column
    if loc.end_line and loc.end_line >= loc.line:
        region["endLine"] = loc.end_line
    return region


def _rule_descriptor(meta: RuleMeta) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": meta.code,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": meta.description},
        "help": {"text": _markdown_to_text(meta.help_markdown), "markdown": meta.help_markdown},
        "defaultConfiguration": {"level": meta.severity.value},
        "properties": {
            "tags": sorted({*meta.tags, meta.family.lower()}),
            "precision": meta.precision,
            "security-severity": f"{meta.security_severity:.1f}",
            "problem.severity": {"error": "error", "warning": "warning", "note": "recommendation"}[meta.severity.value],
        },
    }
    if meta.help_uri:
        descriptor["helpUri"] = meta.help_uri
    return descriptor


def _markdown_to_text(markdown: str) -> str:
    return "\n".join(line[3:] if line.startswith("## ") else line.replace("`", "") for line in markdown.splitlines())


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": finding.severity.value,
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": _artifact(finding.location), "region": _region(finding.location)},
                "logicalLocations": [{"fullyQualifiedName": finding.address, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if finding.attribute:
        result["properties"] = {"attribute": finding.attribute}
    if finding.suppression is not None:
        result["suppressions"] = [_suppression(finding.suppression)]
    return result


def _suppression(s: Suppression) -> dict[str, Any]:
    """A SARIF suppression: written in the source (a comment, CloudFormation
    ``Metadata``) or kept outside it (the baseline); accepted, with its reason."""
    out: dict[str, Any] = {
        "kind": "external" if s.kind == "baseline" else "inSource",
        "status": "accepted",
        "justification": s.reason,
        "properties": {"mechanism": s.kind, "source": s.source, "expires": s.expires},
    }
    if s.location is not None:
        out["location"] = {"physicalLocation": {"artifactLocation": _artifact(s.location),
                                                "region": _region(s.location)}}
    return out


def _notification(message: str, level: Severity, loc: Location | None, descriptor: str) -> dict[str, Any]:
    note: dict[str, Any] = {"message": {"text": message}, "level": level.value, "descriptor": {"id": descriptor}}
    if loc is not None:
        note["locations"] = [{"physicalLocation": {"artifactLocation": _artifact(loc), "region": _region(loc)}}]
    return note


def build_sarif(result: ScanResult, automation_id: str = "iacgov/scan/", *,
                include_suppressed: bool = True) -> dict[str, Any]:
    findings = list(result.findings if include_suppressed else result.active_findings())
    codes = sorted(set(result.rules) | {f.code for f in findings})
    rules = [
        _rule_descriptor(result.rules[code]) if code in result.rules else {"id": code, "shortDescription": {"text": code}}
        for code in codes
    ]
    rule_index = {code: i for i, code in enumerate(codes)}
    notifications = [
        _notification(n.message, n.level, n.location, f"{n.source}/parse") for n in result.notifications
    ] + [_notification(e, Severity.ERROR, None, "iacgov/internal-error") for e in result.errors]
    too_many = results_limit_warning(len(findings))
    if too_many:
        notifications.append(_notification(too_many, Severity.WARNING, None, "iacgov/results-limit"))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "iacgov",
                "informationUri": INFORMATION_URI,
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"id": automation_id},
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The root of the scanned repository."}}},
        "invocations": [
            {
                "executionSuccessful": not failed(result),
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": [_result(f, rule_index) for f in findings],
        "columnKind": "unicodeCodePoints",
        "properties": {"coverage": result.coverage.as_dict()},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


class SarifReporter:
    name = "sarif"
    include_suppressed = True  # the CLI's --sarif-omit-suppressed renders with a copy set to False

    def render(self, result: ScanResult, *, color: bool = False) -> str:
        return dumps(build_sarif(result, include_suppressed=self.include_suppressed))


@hookimpl
def iacgov_reporters():
    return [SarifReporter()]
