"""Run cfn-lint's rules on the CloudFormation templates iacgov discovered.

Through cfn-lint's Python API (``cfnlint.decode`` and the runner that
``cfnlint.api.lint`` uses), in process, once per template, with:

- its own empty config file, so no ``.cfnlintrc`` of the scanned repository
  or the working directory applies (a config file may load rules from
  directories: code execution);
- the regions of ``--region``, else ``cfn_lint.regions``, else cfn-lint's
  default (us-east-1);
- ``Metadata`` ``cfn-lint: config: ignore_checks`` of the template and of its
  resources taken out before the run and reported as suppressions (source
  ``cfn-lint``), so that the policy's ``suppressions`` settings govern them.
  They carry no reason, which the policy requires: such a finding stays
  active and says its suppression was refused; write ``iacgov:ignore
  XCFN_E3012 reason="..."`` instead.

Codes are ``XCFN_`` + cfn-lint's rule ID (``E3012`` -> ``XCFN_E3012``): cfn-lint's
IDs do not name their tool and could be read as some other pack's; the
family is XCFN.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Mapping, Sequence

from iacgov.api import (
    CheckResult,
    Finding,
    Location,
    RuleContext,
    RuleMeta,
    Severity,
    SourceFile,
    Suppression,
)

SOURCE = "cfn-lint"
PREFIX = "XCFN_"
FAMILY = "XCFN"
SEVERITIES = {"error": (Severity.ERROR, 4.0), "warning": (Severity.WARNING, 2.0), "informational": (Severity.NOTE, 1.0)}
DOCS = "https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md"


def code_of(rule_id: str) -> str:
    return PREFIX + rule_id


def rule_meta(rule: Any) -> RuleMeta:
    """The SARIF rule descriptor of one cfn-lint rule."""
    severity, security = SEVERITIES.get(str(rule.severity).lower(), (Severity.WARNING, 2.0))
    summary = str(rule.shortdesc or rule.id).rstrip(".")
    description = " ".join(str(rule.description or summary).split())
    help_uri = str(rule.source_url or "") or DOCS
    help_markdown = (
        f"## What it flags\n\n{description}\n\ncfn-lint rule `{rule.id}`, reported as `{code_of(rule.id)}`.\n\n"
        f"## How to fix\n\nSee cfn-lint's documentation of the rule: {help_uri}\n\n"
        "## Options\n\n`cfn_lint.ignore_checks` / `include_checks` select cfn-lint's rules, `cfn_lint.regions` "
        f"the regions (or `--region`); `rules.{code_of(rule.id)}.severity` / `enabled` override this one."
    )
    return RuleMeta(
        code=code_of(rule.id),
        name=re.sub(r"[^a-z0-9]+", "-", summary.lower()).strip("-") or rule.id.lower(),
        summary=summary,
        description=description,
        severity=severity,
        help_markdown=help_markdown,
        security_severity=security,
        precision="very-high" if severity is Severity.ERROR else "high",
        tags=tuple(sorted({"cfn-lint", *(str(t).lower() for t in getattr(rule, "tags", ()) or ())})),
        help_uri=help_uri,
        family=FAMILY,
    )


def describe(code: str) -> RuleMeta | None:
    if not code.startswith(PREFIX):
        return None
    rule = _all_rules().get(code[len(PREFIX):])
    return rule_meta(rule) if rule is not None else None


@lru_cache(maxsize=1)
def _all_rules() -> Mapping[str, Any]:
    from cfnlint.rules.errors import ParseError, RuleError, TransformError

    rules = {rule.id: rule for rule in _runner_rules((), ("I",), True).values()}
    for rule in (ParseError(), TransformError(), RuleError()):
        rules.setdefault(rule.id, rule)
    return rules


def _config_file() -> str:
    return str(resources.files(__package__).joinpath("cfnlintrc.yaml"))


def _config(regions: Sequence[str], ignore: Sequence[str], include: Sequence[str], experimental: bool) -> Any:
    from cfnlint.config import ConfigMixIn

    args: dict[str, Any] = {"config_file": _config_file(), "regions": list(regions)}
    if ignore:
        args["ignore_checks"] = list(ignore)
    if include:
        args["include_checks"] = list(include)
    if experimental:
        args["include_experimental"] = True
    return ConfigMixIn([], **args)


@lru_cache(maxsize=4)
def _runner_rules(ignore: tuple[str, ...], include: tuple[str, ...], experimental: bool) -> Any:
    """cfn-lint's rule collection (loading it takes about a second: once per process)."""
    from cfnlint.runner import Runner

    return Runner(_config(["us-east-1"], ignore, include, experimental)).rules


def run(ctx: RuleContext) -> CheckResult:
    from cfnlint.helpers import REGIONS

    regions = [ctx.parse_options.region] if ctx.parse_options.region else list(ctx.policy.get("cfn_lint.regions") or ())
    unknown = [r for r in regions if r not in REGIONS]
    if unknown:
        return CheckResult(errors=(f"cfn-lint bridge: {unknown[0]!r} is not a region cfn-lint knows",))
    ignore = tuple(ctx.policy.get("cfn_lint.ignore_checks") or ())
    include = tuple(ctx.policy.get("cfn_lint.include_checks") or ())
    experimental = bool(ctx.policy.get("cfn_lint.include_experimental", False))
    config = _config(regions or ["us-east-1"], ignore, include, experimental)
    rules = _runner_rules(ignore, include, experimental)

    findings: list[Finding] = []
    metas: dict[str, RuleMeta] = {}
    for file in ctx.files.get("cloudformation", ()):
        for match, suppression in lint(file, config, rules):
            meta = rule_meta(match.rule)
            metas.setdefault(meta.code, meta)
            findings.append(_finding(match, file, meta, suppression))
    return CheckResult(findings=tuple(findings), rules=metas)


def lint(file: SourceFile, config: Any, rules: Any) -> Iterable[tuple[Any, Suppression | None]]:
    """cfn-lint's matches for one template, each with the suppression its
    ``Metadata`` directives would have applied (None: not ignored)."""
    from cfnlint.decode import decode
    from cfnlint.runner import run_template_by_data

    template, matches = decode(str(file.path))
    if matches:  # the template cannot be read (E0000) - the decoder says where
        return [(m, None) for m in matches]
    if not isinstance(template, dict):
        return []
    template_ignores, resource_ignores = _take_directives(template, file.relpath)
    out = []
    for match in run_template_by_data(template, config, rules):
        out.append((match, _suppression(match, template_ignores, resource_ignores)))
    return out


def _take_directives(template: dict, relpath: str) -> tuple[tuple[tuple[str, ...], Location] | None,
                                                             dict[str, tuple[tuple[str, ...], Location]]]:
    """Remove and return the ``cfn-lint: config: ignore_checks`` of the template and of each resource."""
    template_ignores = None
    config = _path(template, "Metadata", "cfn-lint", "config")
    if isinstance(config, dict) and isinstance(config.get("ignore_checks"), list):
        template_ignores = (tuple(map(str, config["ignore_checks"])), _where(config["ignore_checks"], relpath))
        del config["ignore_checks"]
    resource_ignores = {}
    resources_ = template.get("Resources")
    for name, resource in (resources_.items() if isinstance(resources_, dict) else ()):
        config = _path(resource, "Metadata", "cfn-lint", "config")
        if isinstance(config, dict) and isinstance(config.get("ignore_checks"), list):
            resource_ignores[str(name)] = (tuple(map(str, config["ignore_checks"])),
                                           _where(config["ignore_checks"], relpath))
            del config["ignore_checks"]
    return template_ignores, resource_ignores


def _suppression(match: Any, template_ignores: Any, resource_ignores: Mapping[str, Any]) -> Suppression | None:
    rule_id = match.rule.id
    path = list(getattr(match, "path", None) or ())
    # cfn-lint's semantics: template-level IDs are prefixes, resource-level ones exact.
    if template_ignores and any(rule_id.startswith(i) for i in template_ignores[0]):
        return Suppression(kind="metadata", reason="", source=SOURCE, location=template_ignores[1])
    if len(path) >= 2 and path[0] == "Resources" and str(path[1]) in resource_ignores:
        ids, where = resource_ignores[str(path[1])]
        if rule_id in ids:
            return Suppression(kind="metadata", reason="", source=SOURCE, location=where)
    return None


def _finding(match: Any, file: SourceFile, meta: RuleMeta, suppression: Suppression | None) -> Finding:
    path = [str(p) for p in (getattr(match, "path", None) or ())]
    if len(path) >= 2 and path[0] == "Resources":
        address = path[1]
        rest = path[3:] if len(path) > 2 and path[2] == "Properties" else path[2:]
        attribute = ".".join(rest) or None
    else:
        address = ".".join(path[:2]) or "template"
        attribute = ".".join(path[2:]) or None
    line = max(1, int(match.linenumber or 1))
    end = int(match.linenumberend or 0)
    return Finding(
        code=meta.code,
        message=str(match.message).strip(),
        severity=meta.severity,
        address=address,
        location=Location(file.relpath, line, column=int(match.columnnumber or 0) or None,
                          end_line=end if end >= line else None),
        attribute=attribute,
        properties={"tool": SOURCE},
        suppression=suppression,
        family=FAMILY,
    )


def _path(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _where(node: Any, relpath: str) -> Location:
    mark = getattr(node, "start_mark", None)
    return Location(relpath, (mark.line + 1) if mark is not None else 1)
