"""iacgov-cfn-lint: cfn-lint's template validation as iacgov findings.

An invalid CloudFormation template in a provider's pull request then blocks
like any other finding, in the same report, SARIF, suppressions, baseline and
review. cfn-lint is already one of iacgov's dependencies (its decoder reads
the templates); its rules are imported only when a scan has CloudFormation
templates and the bridge is enabled (see :mod:`iacgov_cfn_lint.bridge`).
"""

from __future__ import annotations

from typing import Any

from iacgov.api import CheckResult, RuleContext, RuleMeta, hookimpl

POLICY_KEY = "cfn_lint"

_RULE_IDS = {"type": "array", "items": {"type": "string", "pattern": "^[EWI][0-9]{0,4}$"}, "uniqueItems": True}

POLICY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "The cfn-lint bridge (iacgov-cfn-lint): which of cfn-lint's rules run, for which regions.",
    "properties": {
        "enabled": {"type": "boolean", "description": "Run cfn-lint (default true while the plugin is installed)."},
        "regions": {
            "type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "uniqueItems": True,
            "description": "Regions templates are validated for when --region is not given (default: cfn-lint's, "
                           "us-east-1).",
        },
        "ignore_checks": dict(_RULE_IDS, description="cfn-lint rule IDs or prefixes never run (E3012, W)."),
        "include_checks": dict(_RULE_IDS, description="Also run these (I for informational rules)."),
        "include_experimental": {"type": "boolean", "description": "Also run cfn-lint's experimental rules."},
    },
}


class CfnLintCheck:
    """The bridge as iacgov sees it; the work is in :mod:`iacgov_cfn_lint.bridge`."""

    name = "cfn-lint"
    codes = "XCFN_*"
    summary = "cfn-lint's errors and warnings on CloudFormation templates (E3012 is reported as XCFN_E3012)"

    def run(self, ctx: RuleContext) -> CheckResult:
        if ctx.policy.get(f"{POLICY_KEY}.enabled", True) is False or not ctx.files.get("cloudformation"):
            return CheckResult()
        from iacgov_cfn_lint.bridge import run

        return run(ctx)

    def describe(self, code: str) -> RuleMeta | None:
        from iacgov_cfn_lint.bridge import describe

        return describe(code)


@hookimpl
def iacgov_file_checks() -> list[CfnLintCheck]:
    return [CfnLintCheck()]


@hookimpl
def iacgov_policy_schema() -> dict[str, Any]:
    return {POLICY_KEY: POLICY_SCHEMA}
