"""The review as SARIF 2.1.0: the head's new findings plus one ``CHG`` result per decision.

Built with the scan's SARIF builder (:func:`iacgov.reporters.sarif.build_sarif`)
so URIs, fingerprints, logical locations and rule metadata follow the same
contract; automation ID ``iacgov/review/`` keeps review alerts apart from
the scan's in code scanning. A decision still waiting for its approval is an
``error``; an approved one, or one the provider takes alone, a ``note``.
"""

from __future__ import annotations

from pathlib import Path

from iacgov.model import Finding, Location, RuleMeta, ScanResult, Severity
from iacgov.reporters.json_report import dumps
from iacgov.reporters.sarif import build_sarif
from iacgov.review.model import CHANGE_CLASSES, PROVIDER, ChangeClass
from iacgov.review.run import Review, authority_name

AUTOMATION_ID = "iacgov/review/"
# Change classes have no page of their own in docs/rules/: the README's review section describes them.
REVIEW_DOCS_URI = "https://github.com/iacgov/iacgov/blob/main/README.md#provider-pull-request-review"


def change_rule(cls: ChangeClass) -> RuleMeta:
    help_markdown = (
        f"## What it flags\n\n{cls.description}\n\n"
        f"## Who decides\n\nBy default {authority_name(cls.authority)} (`{cls.authority}`); the base branch's "
        f"policy can route it elsewhere with `decisions.{cls.name}: provider | cto | strategic`.\n\n"
        "## How to resolve\n\nA person listed in the base policy's `approvers.<authority>` approves the pull "
        "request (GitHub reviews read with `--approvals`, or `--approved-by LOGIN`). The change itself is not "
        "wrong: the company decides it."
    )
    return RuleMeta(
        code=cls.code, name=cls.name.replace("_", "-"), summary=cls.title, description=cls.description,
        severity=Severity.NOTE if cls.authority == PROVIDER else Severity.ERROR, help_markdown=help_markdown,
        security_severity=7.0 if cls.authority == "strategic" else 5.0 if cls.authority == "cto" else 1.0,
        precision="high", tags=("review", "governance", cls.name.replace("_", "-")),
        help_uri=REVIEW_DOCS_URI,
    )


CHANGE_RULES: dict[str, RuleMeta] = {cls.code: change_rule(cls) for cls in CHANGE_CLASSES.values()}


def as_scan_result(review: Review) -> ScanResult:
    pending = {a.authority for a in review.approvals if not a.satisfied}
    findings = list(review.new_findings)
    for d in review.decisions:
        waiting = d.authority in pending
        status = (f"needs approval from {authority_name(d.authority)}" if waiting else
                  "the provider decides" if d.authority == PROVIDER else f"approved by {authority_name(d.authority)}")
        findings.append(Finding(
            code=d.code, message=f"{CHANGE_CLASSES[d.change_class].title}: {d.detail} ({status})",
            severity=Severity.ERROR if waiting else Severity.NOTE, address=d.address,
            location=Location(d.file or review.policy_source, max(d.line, 1)),
            attribute=d.properties.get("attribute") or d.properties.get("finding") or d.properties.get("environment")
            or (d.detail if d.change_class in ("new_region", "new_service", "new_cloud_provider") else None),
        ))
    findings.sort(key=lambda f: (f.location.path, f.location.line, f.code, f.address, f.message))
    # The coverage SARIF carries is the head's, as the review read it: what was
    # analysed and what was not (the not-analysed notes are kept with the new problems).
    head = review.head_scan
    left_out = tuple(n for n in head.notifications if n.scope is not None) if head else ()
    return ScanResult(root=Path("."), findings=tuple(findings),
                      notifications=tuple(dict.fromkeys((*review.notifications, *left_out))),
                      rules={**review.rules, **CHANGE_RULES}, resources=head.resources if head else (),
                      files=head.files if head else (), policy_source=review.policy_source, errors=review.errors)


def render(review: Review, *, color: bool = False) -> str:
    log = build_sarif(as_scan_result(review), automation_id=AUTOMATION_ID)
    return dumps(log)  # bidi controls, C1 and line separators escaped (docs/security.md §6)
