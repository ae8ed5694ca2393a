"""Run checkov on the scanned files and turn its JSON into iacgov findings.

How checkov is run, and why:

- ``-f FILE...`` with the files iacgov discovered (not ``-d``: that would
  scan files iacgov was not asked to scan). checkov's file mode checks each
  local module in its own files, so a resource in a module is named without
  the ``module.NAME.`` prefix (as checkov's own pre-commit hook reports it);
  iacgov gives it back its address (:func:`attribute_addresses`) when the
  block is instantiated once (a module called once, no ``count``).
- Offline: ``--skip-download`` (no platform metadata: no severities, and
  guideline links only for the checks that carry one),
  ``--download-external-modules false``, the package update check off, no
  API key or platform variable passed on.
- Nothing from the scanned repository configures it: it runs in an empty
  temporary directory with its own ``--config-file``, so a ``.checkov.yaml``
  in the repository (which could load checks from it: code execution) is
  never read, and the executable itself may not live inside the scan root.
- Not ``--quiet``: that would drop the skipped checks (``checkov:skip``
  comments, reported here as governed suppressions) and the parsing errors.

Codes are checkov's IDs (``CKV_AWS_16``, ``CKV2_AWS_6``); the family comes
from the check's categories in the catalog generated from checkov's
registries (``catalog.json``): encryption -> ENC, logging -> LOG, IAM -> ADM,
backup and recovery -> BCK, anything else -> XCKV.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from iacgov.api import (
    CheckResult,
    Finding,
    Location,
    Notification,
    Resource,
    RuleContext,
    RuleMeta,
    Severity,
    SourceFile,
    Suppression,
)

SOURCE = "checkov"
ENV_EXECUTABLE = "IACGOV_CHECKOV"
DEFAULT_TIMEOUT = 600
GENERAL_FAMILY = "XCKV"
# checkov category -> iacgov family, in order of precedence.
FAMILIES = {"ENCRYPTION": "ENC", "LOGGING": "LOG", "IAM": "ADM", "BACKUP_AND_RECOVERY": "BCK"}
# iacgov parser name -> checkov framework.
FRAMEWORKS = {"terraform": "terraform", "cloudformation": "cloudformation", "terraform-plan": "terraform_plan"}
POLICY_INDEX = "https://www.checkov.io/5.Policy%20Index/{}.html"
# Severities checkov reports when it has platform metadata (not offline).
SEVERITIES = {
    "CRITICAL": (Severity.ERROR, 9.0), "HIGH": (Severity.ERROR, 7.0), "MEDIUM": (Severity.WARNING, 5.0),
    "LOW": (Severity.NOTE, 3.0), "INFO": (Severity.NOTE, 1.0),
}
NO_REASON = "No comment provided"  # what checkov writes for checkov:skip=ID without a reason
MAX_ARGV_CHARS = 100_000  # files per checkov run, well below the system's argument limit
# Passed on to checkov: what a process needs, not the platform's keys or checkov settings.
_ENV_DROPPED = re.compile(r"^(BC_|PRISMA_|CKV_|CHECKOV_|DOWNLOAD_EXTERNAL_MODULES$|LOG_LEVEL$)")


class BridgeError(Exception):
    """checkov could not be run or did not answer: a one-line message, exit 2."""


# -- the catalog ---------------------------------------------------------------


@lru_cache(maxsize=1)
def catalog() -> Mapping[str, Mapping[str, Any]]:
    """checkov's checks (name, categories) of the version the catalog was generated from."""
    text = resources.files(__package__).joinpath("catalog.json").read_text(encoding="utf-8")
    return json.loads(text)["checks"]


def family_of_check(check_id: str) -> str:
    categories = catalog().get(check_id, {}).get("categories", ())
    for category, family in FAMILIES.items():
        if category in categories:
            return family
    return GENERAL_FAMILY


def rule_meta(check_id: str, name: str, severity: Severity, *, check_class: str = "", guideline: str | None = None,
              framework: str = "terraform", checkov_severity: str | None = None) -> RuleMeta:
    """The SARIF rule descriptor of one checkov check."""
    categories = [c.lower().replace("_", "-") for c in catalog().get(check_id, {}).get("categories", ())]
    family = family_of_check(check_id)
    security = SEVERITIES.get((checkov_severity or "").upper(), (severity, 5.0))[1]
    help_uri = guideline or POLICY_INDEX.format(framework)
    where = f" (categories: {', '.join(categories)})" if categories else ""
    help_markdown = (
        f"## What it flags\n\n{name}.\n\nchecked by checkov's `{check_id}`{where}, "
        f"reported as iacgov family {family}.\n\n"
        f"## How to fix\n\nSee checkov's documentation of the check: {help_uri}\n\n"
        "## Options\n\n`checkov.checks` and `checkov.skip_checks` select checkov's checks; "
        f"`rules.{check_id}.severity` / `enabled` override this one."
    )
    return RuleMeta(
        code=check_id,
        name=_kebab(check_class.rsplit(".", 1)[-1]) if _is_check_class(check_class) else check_id.lower().replace("_", "-"),
        summary=name.rstrip("."),
        description=f"{name.rstrip('.')} (checkov {check_id}).",
        severity=severity,
        help_markdown=help_markdown,
        security_severity=security,
        precision="medium",
        tags=tuple(sorted({"checkov", *categories})),
        help_uri=help_uri,
        family=family,
    )


def describe(code: str) -> RuleMeta | None:
    check = catalog().get(code)
    if check is None:
        return None
    return rule_meta(code, check["name"], Severity.ERROR)


def _is_check_class(check_class: str) -> bool:
    # Graph checks all report the same generic class.
    return bool(check_class) and ".graph." not in check_class and "." in check_class


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


# -- running checkov -----------------------------------------------------------


def find_executable(ctx: RuleContext) -> Path:
    """``$IACGOV_CHECKOV``, else ``checkov.executable`` in the policy, else ``checkov`` on PATH."""
    configured = os.environ.get(ENV_EXECUTABLE) or ctx.policy.get("checkov.executable")
    where = f"${ENV_EXECUTABLE}" if os.environ.get(ENV_EXECUTABLE) else "checkov.executable in the policy"
    if configured:
        found = shutil.which(str(configured))
        if found is None:
            raise BridgeError(f"{where} names {configured!r}, which is not an executable file")
    else:
        found = shutil.which("checkov")
        if found is None:
            raise BridgeError(
                "no checkov executable: install checkov in its own environment (pipx install checkov) and put it "
                f"on PATH, set ${ENV_EXECUTABLE} or checkov.executable in the policy, or disable the bridge "
                "with -p no:checkov")
    path = Path(found).absolute()
    if ctx.root is not None and _inside(path.resolve(), Path(ctx.root).resolve()):
        raise BridgeError(f"{where}: {path} is inside the scanned repository; iacgov never runs code from it")
    return path


def command(executable: Path, files: Sequence[Path], frameworks: Sequence[str], ctx: RuleContext,
            config_file: Path) -> list[str]:
    argv = [str(executable), "-o", "json", "--framework", *frameworks, "--skip-download",
            "--download-external-modules", "false", "--compact", "--config-file", str(config_file)]
    checks = ctx.policy.get("checkov.checks")
    if checks:
        argv += ["--check", ",".join(checks)]
    skipped = ctx.policy.get("checkov.skip_checks")
    if skipped:
        argv += ["--skip-check", ",".join(skipped)]
    if "terraform" in frameworks:
        for var_file in ctx.parse_options.var_files:
            argv += ["--var-file", str(var_file)]
    return argv + ["-f", *map(str, files)]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not _ENV_DROPPED.match(k)}
    env["CKV_SKIP_PACKAGE_UPDATE_CHECK"] = "true"  # no request to PyPI on start-up
    return env


def run_checkov(argv: list[str], cwd: Path, timeout: int) -> list[dict[str, Any]]:
    """checkov's reports, one per framework; raises :class:`BridgeError`."""
    try:
        proc = subprocess.run(argv, cwd=cwd, env=environment(), capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise BridgeError(f"checkov did not finish within {timeout} s (checkov.timeout)") from None
    except OSError as exc:
        raise BridgeError(f"cannot run {argv[0]}: {exc.strerror or exc}") from None
    if proc.returncode not in (0, 1):
        raise BridgeError(f"checkov failed (exit code {proc.returncode}): {_last_line(proc.stderr or proc.stdout)}")
    try:
        data = json.loads(proc.stdout.decode("utf-8", errors="replace"))
    except json.JSONDecodeError:
        raise BridgeError(f"checkov's output is not JSON: {_last_line(proc.stdout or proc.stderr)}") from None
    reports = data if isinstance(data, list) else [data]
    # Without any result checkov prints only a summary, without "results".
    return [r for r in reports if isinstance(r, dict) and isinstance(r.get("results"), dict)]


def _last_line(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _batches(files: Sequence[SourceFile]) -> Iterable[list[SourceFile]]:
    batch: list[SourceFile] = []
    size = 0
    for file in files:
        length = len(str(file.path)) + 1
        if batch and size + length > MAX_ARGV_CHARS:
            yield batch
            batch, size = [], 0
        batch.append(file)
        size += length
    if batch:
        yield batch


def run(ctx: RuleContext) -> CheckResult:
    """The bridge: checkov on ``ctx.files``; findings, notifications, rule metadata."""
    if ctx.policy.get("checkov.enabled", True) is False:
        return CheckResult()
    files = [f for parser in FRAMEWORKS for f in ctx.files.get(parser, ())]
    if not files:
        return CheckResult()
    frameworks = sorted({FRAMEWORKS[p] for p in FRAMEWORKS if ctx.files.get(p)})
    timeout = int(ctx.policy.get("checkov.timeout", DEFAULT_TIMEOUT))
    try:
        executable = find_executable(ctx)
        reports: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory(prefix="iacgov-checkov-") as tmp:
            config = Path(tmp) / "checkov.yaml"
            config.write_text("compact: true\n", encoding="utf-8")
            for batch in _batches(files):
                reports += run_checkov(command(executable, [f.path for f in batch], frameworks, ctx, config),
                                       Path(tmp), timeout)
    except BridgeError as exc:
        return CheckResult(errors=(f"checkov bridge: {exc}",))
    return convert(reports, ctx, files)


# -- checkov's JSON -> findings ------------------------------------------------


def convert(reports: Sequence[Mapping[str, Any]], ctx: RuleContext, files: Sequence[SourceFile]) -> CheckResult:
    root = Path(ctx.root or ".").resolve()
    known = {str(f.path.resolve()): f.relpath for f in files}
    default = Severity(ctx.policy.get("checkov.severity", "error"))
    findings: list[Finding] = []
    notifications: list[Notification] = []
    metas: dict[str, RuleMeta] = {}
    for report in reports:
        framework = str(report.get("check_type", "terraform"))
        results = report["results"]
        for record in results.get("failed_checks") or ():
            finding, meta = _finding(record, framework, root, known, default)
            findings.append(finding)
            metas.setdefault(meta.code, meta)
        for record in results.get("skipped_checks") or ():
            finding, meta = _finding(record, framework, root, known, default)
            findings.append(_suppressed(finding, record, root))
            metas.setdefault(meta.code, meta)
        for path in results.get("parsing_errors") or ():
            rel = _relpath(str(path), root, known)
            notifications.append(Notification(
                f"{rel}: checkov could not parse this file; its checks did not run on it",
                Location(rel), Severity.WARNING, SOURCE))
    return CheckResult(findings=tuple(attribute_addresses(findings, ctx.resources)),
                       notifications=tuple(notifications), rules=metas)


_PREFIX = re.compile(r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)+")
_INDEX = re.compile(r"\[[^\]]*\]$")


def attribute_addresses(findings: Iterable[Finding], resources: Sequence[Resource]) -> Iterator[Finding]:
    """checkov's names of Terraform resources in local modules
    (``aws_s3_bucket.logs``) as iacgov addresses them
    (``module.storage.aws_s3_bucket.logs``), found by the block's file and
    line; kept as checkov wrote them when the block stands for several
    instances (a module called twice, ``count``) or for none that iacgov knows."""
    blocks: dict[tuple[str, int], set[str]] = {}
    for r in resources:
        if r.source_format == "terraform":
            blocks.setdefault((r.location.path, r.location.line), set()).add(r.address)
    for finding in findings:
        addresses = blocks.get((finding.location.path, finding.location.line), set())
        named = {a for a in addresses if _INDEX.sub("", _PREFIX.sub("", a)) == finding.address}
        if len(named) == 1 and finding.address not in named:
            yield replace(finding, address=named.pop())
        else:
            yield finding


def _finding(record: Mapping[str, Any], framework: str, root: Path, known: Mapping[str, str],
             default: Severity) -> tuple[Finding, RuleMeta]:
    check_id = str(record["check_id"])
    name = str(record.get("check_name") or catalog().get(check_id, {}).get("name") or check_id)
    checkov_severity = record.get("severity")
    severity = SEVERITIES.get(str(checkov_severity).upper(), (default, 0))[0] if checkov_severity else default
    meta = rule_meta(check_id, name, severity, check_class=str(record.get("check_class") or ""),
                     guideline=record.get("guideline") or None, framework=framework,
                     checkov_severity=checkov_severity)
    path = _relpath(str(record.get("file_abs_path") or record.get("file_path") or ""), root, known)
    start, end = _lines(record.get("file_line_range"))
    finding = Finding(
        code=check_id,
        message=name.rstrip(".") + ".",
        severity=severity,
        address=_address(record),
        location=Location(path, start, end_line=end),
        properties={"tool": SOURCE},
        family=meta.family,
    )
    return finding, meta


def _suppressed(finding: Finding, record: Mapping[str, Any], root: Path) -> Finding:
    """A ``checkov:skip`` comment (or CloudFormation ``Metadata.checkov.skip``)
    as a suppression; the filter applies the policy's rules to it."""
    reason = str(record.get("check_result", {}).get("suppress_comment") or "").strip()
    if reason == NO_REASON:
        reason = ""
    line = _skip_comment_line(root / finding.location.path, finding.code, finding.location)
    kind = "inline" if line is not None else "metadata"
    where = Location(finding.location.path, line or finding.location.line)
    return Finding(
        code=finding.code, message=finding.message, severity=finding.severity, address=finding.address,
        location=finding.location, attribute=finding.attribute, properties=finding.properties,
        suppression=Suppression(kind=kind, reason=reason, source=SOURCE, location=where), family=finding.family,
    )


def _skip_comment_line(path: Path, check_id: str, block: Location) -> int | None:
    """The line of ``checkov:skip=CHECK_ID`` inside the resource block, if written as a comment."""
    pattern = re.compile(r"(#|//)\s*checkov:skip=" + re.escape(check_id) + r"\b")
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, 1):
                if number > (block.end_line or block.line):
                    break
                if number >= block.line and pattern.search(line):
                    return number
    except OSError:
        return None
    return None


def _relpath(path: str, root: Path, known: Mapping[str, str]) -> str:
    if not path:
        return "."
    absolute = Path(path) if Path(path).is_absolute() else (root / path.lstrip("/"))
    resolved = str(absolute.resolve())
    if resolved in known:
        return known[resolved]
    try:
        return Path(resolved).relative_to(root).as_posix()
    except ValueError:
        return Path(resolved).as_posix()


def _lines(value: Any) -> tuple[int, int | None]:
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) for v in value[:2]):
        start = max(1, value[0])
        end = value[1] if len(value) > 1 and value[1] >= start else None
        return start, end
    return 1, None


def _address(record: Mapping[str, Any]) -> str:
    """Terraform addresses as checkov writes them; CloudFormation ``AWS::S3::Bucket.Logs`` -> ``Logs``."""
    resource = str(record.get("resource_address") or record.get("resource") or "")
    if "::" in resource and "." in resource:
        return resource.split(".", 1)[1]
    return resource
