"""iacgov-checkov: checkov's checks under iacgov's governance.

checkov cannot share iacgov's Python environment (its bc-python-hcl2
overwrites python-hcl2's ``hcl2`` package), so this bridge runs a ``checkov``
executable from its own environment on the files iacgov discovered, offline,
reads its JSON and reports each failed check as an iacgov finding. Importing
this module costs nothing: the bridge's code loads when a scan has Terraform
or CloudFormation files (see :mod:`iacgov_checkov.bridge`).
"""

from __future__ import annotations

from typing import Any

from iacgov.api import CheckResult, RuleContext, RuleMeta, hookimpl

POLICY_KEY = "checkov"

POLICY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "The checkov bridge (iacgov-checkov): which checkov runs and which of its checks.",
    "properties": {
        "enabled": {"type": "boolean", "description": "Run checkov (default true while the plugin is installed)."},
        "executable": {
            "type": "string", "minLength": 1,
            "description": "The checkov executable, from its own environment (default: $IACGOV_CHECKOV, else "
                           "checkov on PATH). Never inside the scanned repository.",
        },
        "checks": {
            "type": "array", "items": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"}, "uniqueItems": True,
            "description": "Run only these checks (checkov --check).",
        },
        "skip_checks": {
            "type": "array", "items": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"}, "uniqueItems": True,
            "description": "Never run these checks (checkov --skip-check).",
        },
        "severity": {
            "enum": ["error", "warning", "note"],
            "description": "Severity of a failed check (default error: it blocks, as checkov's exit code does). "
                           "rules.CKV_AWS_16.severity overrides it per check.",
        },
        "timeout": {"type": "integer", "minimum": 1, "description": "Seconds checkov may run (default 600)."},
    },
}


class CheckovCheck:
    """The bridge as iacgov sees it; the work is in :mod:`iacgov_checkov.bridge`."""

    name = "checkov"
    codes = "CKV_*"
    summary = "checkov's Terraform and CloudFormation checks, run by a checkov executable in its own environment"

    def run(self, ctx: RuleContext) -> CheckResult:
        from iacgov_checkov.bridge import run

        return run(ctx)

    def describe(self, code: str) -> RuleMeta | None:
        from iacgov_checkov.bridge import describe

        return describe(code)


@hookimpl
def iacgov_file_checks() -> list[CheckovCheck]:
    return [CheckovCheck()]


@hookimpl
def iacgov_policy_schema() -> dict[str, Any]:
    return {POLICY_KEY: POLICY_SCHEMA}
