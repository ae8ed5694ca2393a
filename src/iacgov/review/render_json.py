"""The review as JSON (``--format json``): fixed keys, sorted lists.

::

    {
      "version": 1,
      "tool": {"name": "iacgov", "version": "0.1.0"},
      "base": {"ref": "origin/main", "sha": "...", "branches": ["origin/main"]},
      "head": {"ref": "HEAD", "sha": "...", "branches": ["feature/x"]},   # branch names at each commit
      "plan": null,                                  # or the plan file's name
      "policy": "iacgov.yaml",                       # read from the base commit
      "verdict": "blocked: needs approval from the CTO", "exit_code": 1,
      "advisory": false,                             # the base policy's review.advisory
      "changes": [{"address", "change_class", "authority", "file", "line", "detail", "side", "code",
                   "environment"}],                  # the resource's environment (null: none), which
                                                     # picks decisions.<class>.<environment>
      "required_approvals": [{"authority", "approvers", "approved_by", "satisfied"}],
      "approvals_satisfied": false,
      "approvals_not_counted": ["bob: approved 1234abcd, not the head commit ..."],
      "cost": {"currency": "USD", "envelope": "150.00",
               "by_environment": {"prod": {"base": "1200.00", "head": "1650.00", "delta": "450.00",
                                           "new_unpriced": 0, "unknown_because": []}}},
                                           # delta null when a resource priced in base cannot be priced in head
               "months": {"prod": {"per_month": "400.00", "used": "320.00", "changes": 2, "this_change": "130.00",
                                   "since": "2026-01-01", "complete": true}}},
                                           # environments with a per_month envelope: increases merged on the
                                           # base since the start of the month, and this change's
      "history_notes": ["this clone is shallow: ... fetch-depth: 0"],
      "policy_diff": null or {               # when the change edits the policy file
          "loosened": [{"key": "data_location.allowed_regions.aws", "before": [...], "after": [...],
                        "words": "+ us-east-1"}],
          "tightened": [...], "changed": [...],     # changed: no direction (a tag name, a rate card path)
          "effect": {"disappear": [{"code", "address", "file", "line", "message"}], "appear": [...]},
          "error": null},                    # the head's policy cannot be read: why (nothing else is known)
      "access": {"granted": [{"cloud", "scope", "principal", "over", "via", "file", "line", "certain"}],
                 "revoked": [...]},          # how the access register (iacgov access) changes
      "drift": [{"address", "change_class", "authority", "file", "line", "detail", "code"}],
                                             # --plan's resource_drift: changes made outside the code
                                             # (also among "changes", each needing its authority)
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
        "base": {"ref": review.base_ref, "sha": review.base_sha, "branches": list(review.base_branches)},
        "head": {"ref": review.head_ref, "sha": review.head_sha, "branches": list(review.head_branches)},
        "plan": review.plan,
        "policy": review.policy_source,
        "verdict": review.verdict,
        "exit_code": review.exit_code,
        "advisory": review.advisory,
        "changes": [
            {"address": d.address, "change_class": d.change_class, "authority": d.authority, "file": d.file,
             "line": d.line, "detail": d.detail, "side": d.side, "code": d.code,
             "environment": d.properties.get("environment")}
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
            "months": {
                m.environment: {"per_month": f"{money(m.per_month)}", "used": f"{money(m.used)}",
                                "changes": m.changes, "this_change": f"{money(m.this_change)}",
                                "since": m.since.isoformat(), "complete": m.complete}
                for m in review.months
            },
        },
        "history_notes": list(review.history_notes),
        "policy_diff": review.policy_diff.as_dict() if review.policy_diff is not None else None,
        "access": review.access.as_dict() if review.access is not None else {"granted": [], "revoked": []},
        "drift": [
            {"address": d.address, "change_class": d.change_class, "authority": d.authority, "file": d.file,
             "line": d.line, "detail": d.detail, "code": d.code}
            for d in review.drift
        ],
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
