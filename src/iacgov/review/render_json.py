"""The review as JSON (``--format json``): fixed keys, sorted lists.

::

    {
      "version": 1,
      "tool": {"name": "iacgov", "version": "0.1.0"},
      "base": {"ref": "origin/main", "sha": "..."}, "head": {"ref": "HEAD", "sha": "..."},
      "plan": null,                                  # or the plan file's name
      "policy": "iacgov.yaml",                       # read from the base commit
      "verdict": "blocked: needs approval from the CTO", "exit_code": 1,
      "advisory": false,                             # the base policy's review.advisory
      "changes": [{"address", "change_class", "authority", "file", "line", "detail", "side", "code"}],
      "required_approvals": [{"authority", "approvers", "approved_by", "satisfied"}],
      "approvals_satisfied": false,
      "approvals_not_counted": ["bob: approved 1234abcd, not the head commit ..."],
      "cost": {"currency": "USD", "envelope": "150.00",
               "by_environment": {"prod": {"base": "1200.00", "head": "1650.00", "delta": "450.00",
                                           "new_unpriced": 0, "unknown_because": []}}},
                                           # delta null when a resource priced in base cannot be priced in head
      "new_findings": [...], "resolved_findings": [...],   # as in iacgov scan --format json
      "suppressions_added": [...],                   # findings the head hides (each is a decision)
      "suppressions_refused": [...],                 # head suppressions the base policy refuses
      "resources": [{"action", "address", "previous_address", "stack", "type", "replaced_because",
                     "attributes": [{"path", "before", "after"}]}],
      "notifications": [{"level", "message", "file", "line"}],
      "errors": []
    }

Amounts are strings with two decimals (exact, no float rounding).
"""

from __future__ import annotations

from typing import Any

from iacgov import __version__
from iacgov.cost.model import money
from iacgov.model import Unknown
from iacgov.reporters.json_report import dumps, finding_dict
from iacgov.review.run import Review


def _value(value: Any) -> Any:
    if isinstance(value, Unknown):
        return {"unknown": value.reason}
    if isinstance(value, dict):
        return {str(k): _value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    return value


def build(review: Review) -> dict[str, Any]:
    return {
        "version": 1,
        "tool": {"name": "iacgov", "version": __version__},
        "base": {"ref": review.base_ref, "sha": review.base_sha},
        "head": {"ref": review.head_ref, "sha": review.head_sha},
        "plan": review.plan,
        "policy": review.policy_source,
        "verdict": review.verdict,
        "exit_code": review.exit_code,
        "advisory": review.advisory,
        "changes": [
            {"address": d.address, "change_class": d.change_class, "authority": d.authority, "file": d.file,
             "line": d.line, "detail": d.detail, "side": d.side, "code": d.code}
            for d in review.decisions
        ],
        "required_approvals": [
            {"authority": a.authority, "approvers": list(a.approvers), "approved_by": list(a.approved_by),
             "satisfied": a.satisfied}
            for a in review.approvals
        ],
        "approvals_satisfied": review.approvals_satisfied,
        "approvals_not_counted": list(review.approval_notes),
        "cost": {
            "currency": review.currency,
            "envelope": f"{money(review.envelope)}" if review.envelope is not None else None,
            "by_environment": {
                c.environment: {"base": f"{money(c.base)}", "head": f"{money(c.head)}",
                                "delta": f"{money(c.delta)}" if c.known else None,
                                "new_unpriced": c.new_unpriced, "unknown_because": list(c.unknown)}
                for c in review.costs
            },
        },
        "new_findings": [finding_dict(f) for f in review.new_findings],
        "resolved_findings": [finding_dict(f) for f in review.resolved_findings],
        "suppressions_added": [finding_dict(f) for f in review.suppressions_added],
        "suppressions_refused": [finding_dict(f) for f in review.suppressions_refused],
        "resources": [
            {"action": c.action, "address": c.address, "previous_address": c.previous_address, "stack": c.stack,
             "type": c.resource.type, "replaced_because": list(c.replaced_because),
             "attributes": [{"path": a.path, "before": _value(a.before), "after": _value(a.after)}
                            for a in c.attributes]}
            for c in review.changes
        ],
        "notifications": [{"level": n.level.value, "message": n.message, "file": n.location.path,
                           "line": n.location.line} for n in review.notifications],
        "skipped": list(review.skipped),
        "errors": list(review.errors),
    }


def render(review: Review, *, color: bool = False) -> str:
    return dumps(build(review))  # bidi controls, C1 and line separators escaped (docs/security.md §6)
