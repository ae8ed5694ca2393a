"""The ``iacgov`` command line (click).

Exit codes (DESIGN §3.1): 0 nothing blocking; 1 blocking findings; 2 usage,
policy or configuration error — always a one-line message, never a traceback.
"""

from __future__ import annotations

import os  # noqa: F401 - iacgov.cli.os stays what it was (tests patch os.replace through it)
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import click

from iacgov import __version__
from iacgov.commands.common import (ANY_PATH, EXIT_USAGE, FILE_PATH, UserError, check_paths, confined, emit,
                                    output_targets, plugin_host, read_baseline, shown, value_options, write_output)

# Only click and iacgov.commands.common are imported with this module: the engine, the model, the
# plugins and the API are imported by the command that runs (``iacgov --version`` or ``--help`` does
# not pay for them; tests/test_startup.py).
if TYPE_CHECKING:
    from iacgov.model import ParseOptions
    from iacgov.plugins import PluginHost

ENV_PREFIX = "IACGOV"
FAIL_ON = ("error", "warning", "note", "never")  # as iacgov.engine.FAIL_ON (tests/test_startup.py)
# Who approved is said on the command line only: an ambient variable (a CI
# setting, a step writing $GITHUB_ENV) must never count as an approval.
NEVER_FROM_ENV = frozenset({"--approved-by", "--approvals", "--teams"})


def name_env_vars(command: click.Command, prefix: str) -> None:
    """Each option of ``command`` (and of its subcommands) also read from
    ``<prefix>_<OPTION>``, named after its long option as users type it:
    ``iacgov scan --skip-path`` from ``IACGOV_SCAN_SKIP_PATH`` (click's own
    names follow the Python parameter: ``IACGOV_SCAN_SKIP_PATHS``, ``..._FMT``).
    A repeatable option takes several values separated by blanks."""
    for param in command.params:
        if isinstance(param, click.Option) and param.envvar is None:
            long = next((o for o in param.opts if o.startswith("--")), None)
            if long in NEVER_FROM_ENV:
                param.allow_from_autoenv = False
            elif long:
                param.envvar = f"{prefix}_{long[2:].upper().replace('-', '_')}"
                param.show_envvar = True
    for name, sub in getattr(command, "commands", {}).items():
        name_env_vars(sub, f"{prefix}_{name.upper().replace('-', '_')}")


class _LazyGroup(click.Group):
    """A group whose commands in :data:`LAZY_COMMANDS` are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            import importlib

            module, _, name = LAZY_COMMANDS[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), name)
            name_env_vars(command, f"{ENV_PREFIX}_{cmd_name.upper()}")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


# Every option can also come from the environment: IACGOV_<COMMAND>_<OPTION>
# (IACGOV_SCAN_SKIP_PATH="examples/ test/", IACGOV_SCAN_SOFT_FAIL=1; see
# name_env_vars, set for every command at the end of this module and for the
# lazy ones when loaded), with click's auto_envvar_prefix for the rest. No name
# meets the variables iacgov reads itself (IACGOV_CACHE_DIR, IACGOV_CACHE_MAX_MB,
# IACGOV_CHECKOV...): the 'cache' commands take no option.
@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                               "auto_envvar_prefix": ENV_PREFIX})
# click's own message, given: not looked up in gettext's catalogs at every start
@click.version_option(__version__, "--version", prog_name="iacgov", message="%(prog)s, version %(version)s")
@click.option(
    "-p", "plugin_options", multiple=True, metavar="no:NAME",
    help="Disable a plugin by name (repeatable), e.g. -p no:builtin_rules.",
)
@click.pass_context
def main(ctx: click.Context, plugin_options: tuple[str, ...]) -> None:
    """iacgov — Infrastructure-as-Code governance: data location, encryption,
    admin access, cost and change approval for the cloud your provider runs."""
    disabled = []
    for opt in plugin_options:
        if not opt.startswith("no:") or len(opt) == 3:
            raise click.BadParameter(f"expected no:NAME, got {opt!r}", param_hint="-p")
        disabled.append(opt[3:])
    ctx.obj = {"disabled": disabled, "host": None, "load": None}  # commands.common.plugin_host: load_plugins


@main.command()
@click.argument("paths", nargs=-1, type=ANY_PATH)
@click.option("--policy", "policy_path", type=FILE_PATH,
              help="Policy file (default: iacgov.yaml or .iacgov.yaml at the scanned root, else the embedded default).")
@click.option("--format", "-f", "fmt", default="text", show_default=True,
              help="Output format: text, json, sarif, github, gitlab, junit, markdown (and any a plugin adds).")
@click.option("--output", "-o", "outputs", multiple=True, metavar="[FORMAT:]FILE|FORMAT",
              help="Where to write: FILE, FORMAT:FILE, or FORMAT alone for stdout. Repeatable: "
                   "--output sarif:results.sarif --output text. Without --format, a FILE's format comes from "
                   "its extension: .sarif, .json, .xml (junit), .md (markdown), else text.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Lowest severity that makes the exit code 1; 'never' reports without failing.")
@click.option("--soft-fail", is_flag=True, help="Report without failing: --fail-on never.")
@click.option("--skip-path", "skip_paths", multiple=True, metavar="GLOB",
              help="Do not scan these paths (repeatable; added to the policy's exclude): globs on repository-"
                   "relative paths, gitignore-like: examples/, test, '**/fixtures/**', envs/dev/*.tf.")
@click.option("--check", "checks", multiple=True, metavar="CODES",
              help="Report only these rule codes or families (comma-separated, repeatable): --check LOC,ENC001.")
@click.option("--skip-check", "skip_checks", multiple=True, metavar="CODES",
              help="Do not report these rule codes or families (comma-separated, repeatable).")
@click.option("--framework", "frameworks", multiple=True, metavar="NAMES",
              help="Read only these inputs (comma-separated, repeatable): terraform, plan, cloudformation.")
@click.option("--compact", is_flag=True, help="Text output without the excerpt of each offending line.")
@click.option("--no-color", is_flag=True, help="No colour in the text output, even on a terminal (as NO_COLOR).")
@click.option("--hide-existing", is_flag=True,
              help="Leave the findings the baseline knows out of the output (SARIF keeps them, as suppressed).")
@click.option("--quiet", "-q", is_flag=True, help="Write nothing to stdout (outputs to files are still written).")
@click.option("--verbose", "-v", is_flag=True, help="Also show notes (files skipped, values not resolved).")
@value_options
@click.option("--whole-modules", is_flag=True,
              help="For each Terraform file given, scan its whole module (directory), so variables and "
                   "module calls resolve (what the pre-commit hook does with staged files).")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Directory file URIs are relative to (default: the git work tree, else the scanned directory).")
@click.option("--baseline", "baseline_path", type=FILE_PATH,
              help="Baseline file: findings recorded in it are reported as existing, not blocking "
                   "(default: the policy's suppressions.baseline, if set).")
@click.option("--write-baseline", type=FILE_PATH,
              help="Record the current findings (all but those suppressed inline) in this baseline file, "
                   "then report with it applied.")
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help="Worker processes for parsing and analysis (default: one per core from 200 Terraform files; "
                   "1: serial). The output is the same.")
@click.option("--max-file-bytes", type=click.IntRange(min=1024),
              help="Largest file read, in bytes (default: the policy's limits.max_file_bytes, else 10 MiB).")
@click.option("--file-timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Time to read one file or analyse one module (default: limits.file_timeout_seconds, else 30).")
@click.option("--sarif-omit-suppressed", is_flag=True,
              help="Leave suppressed findings out of SARIF (by default they are kept, marked as suppressed with "
                   "their reason, so code scanning records the accepted risks).")
@click.pass_context
def scan(ctx: click.Context, paths: tuple[Path, ...], policy_path: Path | None, fmt: str,
         outputs: tuple[str, ...], fail_on: str, quiet: bool, verbose: bool,
         parse_options: ParseOptions, whole_modules: bool, root: Path | None, baseline_path: Path | None,
         write_baseline: Path | None, jobs: int | None = None, max_file_bytes: int | None = None,
         file_timeout: float | None = None, sarif_omit_suppressed: bool = False, soft_fail: bool = False,
         skip_paths: tuple[str, ...] = (), checks: tuple[str, ...] = (), skip_checks: tuple[str, ...] = (),
         frameworks: tuple[str, ...] = (), compact: bool = False, no_color: bool = False,
         hide_existing: bool = False, regions: tuple[str, ...] = ()) -> None:
    """Scan Terraform and CloudFormation files and directories (default: .)."""
    from iacgov.engine import ScanRequest, exit_code
    from iacgov.plugins import PluginError
    from iacgov.policy import PolicyError
    from iacgov.progress import on_terminal

    if soft_fail:
        fail_on = "never"
    _restrict_frameworks(ctx, frameworks)
    host = plugin_host(ctx)
    reporters = {r.name: r for r in host.collect("iacgov_reporters")}
    if fmt not in reporters:
        raise click.BadParameter(f"unknown format {fmt!r}; choose from {', '.join(sorted(reporters))}",
                                 param_hint="--format")
    if sarif_omit_suppressed and "sarif" in reporters:
        reporters["sarif"] = omitting_suppressed(reporters["sarif"])
    if compact and "text" in reporters:
        reporters["text"] = _with_attribute(reporters["text"], compact=True)
    selection = _check_selection(host, checks, skip_checks)
    explicit_format = ctx.get_parameter_source("fmt") is not click.core.ParameterSource.DEFAULT
    targets = output_targets(outputs, fmt, reporters, infer=not explicit_format)
    for _, target in targets:  # a link out of the tree is refused before the scan, not after
        if target is not None:
            confined(target)
    options = replace(parse_options, jobs=jobs)
    paths = paths or (Path("."),)
    check_paths(paths)
    if whole_modules:
        from iacgov.discovery import with_whole_modules

        paths = with_whole_modules(paths)
    # --write-baseline replaces the policy's baseline: it need not exist yet
    request = ScanRequest(paths=paths, options=options, policy_path=policy_path, root=root,
                          baseline=read_baseline(baseline_path), policy_baseline=write_baseline is None,
                          limit_overrides={"max_file_bytes": max_file_bytes, "file_timeout_seconds": file_timeout},
                          skip_paths=tuple(skip_paths))
    try:
        with on_terminal(sys.stderr, enabled=not quiet):
            result = scan_regions(request, host, regions)
    except (PolicyError, PluginError) as exc:
        raise UserError(str(exc)) from None
    result = selection.apply(result)
    if write_baseline is not None:
        result = _write_baseline(result, write_baseline)
    if not verbose:
        result = without_notes(result)

    emit(result, targets, reporters, quiet, color=not no_color, hide_existing=hide_existing)
    ctx.exit(exit_code(result, fail_on))


FRAMEWORKS = {"terraform": "terraform", "plan": "terraform-plan", "cloudformation": "cloudformation"}


def _comma_list(values: Sequence[str]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _restrict_frameworks(ctx: click.Context, frameworks: Sequence[str]) -> None:
    """``--framework``: the built-in parsers not named are not loaded (as ``-p no:NAME``)."""
    names = _comma_list(frameworks)
    if not names:
        return
    unknown = [n for n in names if n.lower() not in FRAMEWORKS]
    if unknown:
        raise click.BadParameter(f"unknown framework {unknown[0]!r}; choose from {', '.join(FRAMEWORKS)}",
                                 param_hint="--framework")
    wanted = {FRAMEWORKS[n.lower()] for n in names}
    obj = ctx.find_root().obj
    obj["disabled"] = [*obj["disabled"], *(p for p in FRAMEWORKS.values() if p not in wanted)]
    obj["host"] = None


@dataclass(frozen=True)
class CheckSelection:
    """``--check`` / ``--skip-check``: which findings a scan reports, by code or family."""

    only: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset()

    def wanted(self, code: str, family: str) -> bool:
        from iacgov.model import family_of

        def hit(names: frozenset[str]) -> bool:
            return code in names or family in names or family_of(code) in names

        return (not self.only or hit(self.only)) and not hit(self.skip)

    def apply(self, result: Any) -> Any:
        if not self.only and not self.skip:
            return result
        return replace(result, findings=tuple(f for f in result.findings if self.wanted(f.code, f.family)),
                       rules={c: m for c, m in result.rules.items() if self.wanted(c, m.family)})


def _check_selection(host: PluginHost, checks: Sequence[str], skip_checks: Sequence[str]) -> CheckSelection:
    """The codes and families given, each checked against the loaded rules and
    bridges as the policy's are (a typo is a usage error with a did-you-mean)."""
    only, skip = _comma_list(checks), _comma_list(skip_checks)
    if not only and not skip:
        return CheckSelection()
    from iacgov.plugins import PluginError
    from iacgov.policy import _unknown_code, rule_vocabulary

    try:
        vocabulary = rule_vocabulary(host)
    except PluginError as exc:
        raise UserError(str(exc)) from None
    for option, names in (("--check", only), ("--skip-check", skip)):
        for name in names:
            code = name.upper()
            known = vocabulary.knows_code(code) if code[-1].isdigit() else vocabulary.knows_family(code)
            if not known:
                raise UserError(f"{option} {shown(name)}: {_unknown_code(code, vocabulary)}")
    return CheckSelection(frozenset(n.upper() for n in only), frozenset(n.upper() for n in skip))


def scan_regions(request: Any, host: PluginHost, regions: Sequence[str]) -> Any:
    """One scan, or with several ``--region`` one per region, merged: the
    CloudFormation templates are evaluated once per region, and each of their
    findings says in which regions it holds (``[regions eu-west-3, us-east-1]``);
    everything else (Terraform, plans) does not depend on it and is said once."""
    from iacgov.engine import scan as run_scan

    if len(regions) <= 1:
        return run_scan(request, host)
    runs = [(region, run_scan(replace(request, options=replace(request.options, region=region)), host))
            for region in regions]
    return merge_regions(runs)


def merge_regions(runs: Sequence[tuple[str, Any]]) -> Any:
    """The scans of one request in several regions, as one result (see :func:`scan_regions`).
    A template finding's fingerprint does not change: one problem of the template is one
    alert and one baseline entry, whichever regions it holds in."""
    first = runs[0][1]
    templates = {r.location.path for _, run in runs for r in run.resources if r.source_format == "cloudformation"}
    findings: dict[tuple, tuple[Any, list[str]]] = {}
    for f in first.findings:
        if f.location.path not in templates:
            findings[(id(f),)] = (f, [])
    notifications: dict[Any, None] = {}
    errors: dict[str, None] = {}
    rules: dict[str, Any] = {}
    for region, run in runs:
        for f in run.findings:
            if f.location.path in templates:
                key = (f.code, f.location, f.address, f.attribute, f.message, f.stack, f.suppression)
                findings.setdefault(key, (f, []))[1].append(region)
        notifications.update(dict.fromkeys(run.notifications))
        errors.update(dict.fromkeys(run.errors))
        rules.update(run.rules)
    merged = [replace(f, message=f"{f.message} [{'region' if len(rs) == 1 else 'regions'} {', '.join(rs)}]")
              if rs else f for f, rs in findings.values()]
    merged.sort(key=lambda f: (f.location.path, f.location.line, f.code, f.address, f.attribute or "", f.message))
    return replace(first, findings=tuple(merged), rules=rules, errors=tuple(errors),
                   notifications=tuple(sorted(notifications, key=lambda n: (n.location, n.message))),
                   files=tuple(sorted({p for _, run in runs for p in run.files})))


def _with_attribute(reporter: Any, **values: Any) -> Any:
    """A copy of a built-in reporter with a rendering switch set (``compact``)."""
    import copy

    reporter = copy.copy(reporter)
    for name, value in values.items():
        setattr(reporter, name, value)
    return reporter


def omitting_suppressed(reporter: Any) -> Any:
    """The SARIF reporter, rendering without suppressed findings (``--sarif-omit-suppressed``)."""
    import copy

    reporter = copy.copy(reporter)
    reporter.include_suppressed = False
    return reporter


def _write_baseline(result: Any, path: Path) -> Any:
    """Write the baseline, then mark the findings it records (as the next run with --baseline would)."""
    from iacgov.baseline import baseline_entries, baseline_text, parse_baseline

    if result.errors:
        for error in result.errors:
            click.echo(f"iacgov: error: {shown(error)}", err=True)
        raise UserError(f"{shown(path)}: baseline not written: the scan did not complete")
    text = baseline_text(result.findings)
    write_output(path, text)
    count = len(baseline_entries(result.findings))
    click.echo(f"iacgov: wrote {path} ({count} finding{'s' if count != 1 else ''})", err=True)
    baseline = parse_baseline(text, str(path))
    return replace(result, findings=tuple(baseline.mark(f) for f in result.findings))


def without_notes(result: Any) -> Any:
    """Note-level notifications (skipped files) are shown with --verbose only."""
    from iacgov.model import Severity

    return replace(result, notifications=tuple(n for n in result.notifications if n.level is not Severity.NOTE))


@main.command("rules")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per rule; json: every rule's metadata (and each bridge), for scripts.")
@click.pass_context
def rules_command(ctx: click.Context, fmt: str = "text") -> None:
    """List the rule catalog."""
    from iacgov.engine import collect_file_checks, collect_rules
    from iacgov.plugins import PluginError

    try:
        rules = collect_rules(plugin_host(ctx))
        checks = collect_file_checks(plugin_host(ctx))
    except PluginError as exc:
        raise UserError(str(exc)) from None
    if fmt == "json":
        from iacgov.reporters.json_report import dumps

        click.echo(dumps({"rules": [rule_record(r.meta) for r in rules],
                          "bridges": [{"name": c.name, "codes": c.codes, "summary": c.summary} for c in checks]}),
                   nl=False)
        _fail_on_plugin_errors(ctx)
        return
    # A bridge's codes are the tool's, too many to list: one line per bridge.
    # The third column says which rules are security-relevant (tagged ``security``).
    rows = [(r.meta.code, r.meta.severity.value, "security" if is_security(r.meta) else "-", r.meta.name,
             r.meta.summary) for r in rules]
    rows += [(c.codes, "bridge", "", c.name, c.summary) for c in checks]
    code_w = max((len(row[0]) for row in rows), default=4)
    name_w = max((len(row[3]) for row in rows), default=4)
    for code, severity, security, name, summary in rows:
        click.echo(f"{code:<{code_w}}  {severity:<7}  {security:<8}  {name:<{name_w}}  {summary}")
    _fail_on_plugin_errors(ctx)


def rule_record(meta: Any) -> dict[str, Any]:
    """One rule of ``iacgov rules --format json``."""
    return {"code": meta.code, "name": meta.name, "family": meta.family, "summary": meta.summary,
            "description": meta.description, "severity": meta.severity.value,
            "security_severity": meta.security_severity, "security": is_security(meta),
            "precision": meta.precision, "tags": list(meta.tags), "help_uri": meta.help_uri}


@main.command("rule")
@click.argument("code", metavar="CODE|NAME")
@click.pass_context
def rule_command(ctx: click.Context, code: str) -> None:
    """Show the documentation of one rule, by code (LOC001) or name (region-not-allowed)."""
    from iacgov.engine import collect_rules
    from iacgov.plugins import PluginError

    try:
        loaded = collect_rules(plugin_host(ctx))
    except PluginError as exc:
        raise UserError(str(exc)) from None
    rules = {r.meta.code: r for r in loaded}
    by_name = {r.meta.name.lower(): r for r in loaded}
    rule = rules.get(code.upper()) or by_name.get(code.strip().lower())
    if rule is None:
        from iacgov.engine import collect_file_checks

        for check in collect_file_checks(plugin_host(ctx)):
            meta = check.describe(code.upper())
            if meta is not None:
                click.echo(bridged_rule_documentation(meta, check))
                return
        from iacgov.regions import suggest

        hint = suggest(code.upper(), sorted(rules), cutoff=0.6) or suggest(code.lower(), sorted(by_name), cutoff=0.6)
        more = f"; did you mean {hint[0]!r}?" if hint else "; 'iacgov rules' lists them"
        raise UserError(f"unknown rule {code!r}{more}")
    click.echo(rule_documentation(rule))


def bridged_rule_documentation(meta: Any, check: Any) -> str:
    """The reference page of a code a bridge reports (its tool documents it)."""
    more = f"- Documentation: {meta.help_uri}\n" if meta.help_uri else ""
    return (
        f"# {meta.code} — {meta.summary}\n\n"
        f"- Reported by: the {check.name} bridge ({check.summary})\n- Family: {meta.family}\n"
        f"- Default severity: {meta.severity.value}\n- Tags: {', '.join(meta.tags) or '-'}\n{more}\n"
        f"{meta.help_markdown}\n"
    )


def rule_documentation(rule: Any) -> str:
    """A rule's reference page (Markdown), from its docstring."""
    from iacgov.api import docstring_sections

    m = rule.meta
    doc = sys.modules[type(rule).__module__].__doc__ or ""
    title, sections = docstring_sections(doc)
    body = "\n\n".join(f"## {name}\n\n{text}" for name, text in sections.items())
    return (
        f"# {m.code} — {m.summary}\n\n"
        f"- Name: `{m.name}`\n- Default severity: {m.severity.value}\n"
        f"- Security severity: {m.security_severity:.1f}{_security_note(m)}\n- Precision: {m.precision}\n"
        f"- Tags: {', '.join(m.tags) or '-'}\n\n{body}\n"
    )


def is_security(meta: Any) -> bool:
    """Tagged ``security``: GitHub code scanning reads ``security-severity`` only for such rules."""
    return "security" in meta.tags


def _security_note(meta: Any) -> str:
    if is_security(meta):
        return " (tagged `security`: code scanning ranks its findings by it)"
    return " (not tagged `security`: code scanning shows its findings by level only)"


def _fail_on_plugin_errors(ctx: click.Context) -> None:
    host = plugin_host(ctx)
    for error in host.errors:
        click.echo(f"iacgov: error: {error}", err=True)
    if host.errors:
        ctx.exit(EXIT_USAGE)


@main.command()
@click.option("--path", "target", type=ANY_PATH, default=Path("iacgov.yaml"), show_default=True,
              help="Where to write the policy.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(target: Path, force: bool) -> None:
    """Write a starter iacgov.yaml policy."""
    from iacgov.policy import default_policy_text

    if target.exists() and not force:
        raise UserError(f"{target} already exists; use --force to overwrite it")
    write_output(target, default_policy_text())
    click.echo(f"wrote {target}")


@main.group("cache")
def cache_group() -> None:
    """The parse cache: each file's parse, kept by content ($IACGOV_CACHE_DIR, else
    $XDG_CACHE_HOME/iacgov, else ~/.cache/iacgov; scans skip it with --no-cache)."""


@cache_group.command("dir")
def cache_dir_command() -> None:
    """Print the parse cache's folder."""
    from iacgov.cache import default_dir

    click.echo(str(default_dir()))


@cache_group.command("info")
def cache_info_command() -> None:
    """Print the parse cache's folder, size and size limit."""
    from iacgov.cache import ENV_MAX_MB, default_dir, max_bytes, usage

    folder = default_dir()
    used = usage(folder)
    click.echo(f"folder:  {folder}\nentries: {used.entries}\nsize:    {used.bytes / 1048576:.1f} MiB\n"
               f"limit:   {max_bytes() / 1048576:.0f} MiB (${ENV_MAX_MB}); the least recently used entries go first")


@cache_group.command("clear")
def cache_clear_command() -> None:
    """Delete every entry of the parse cache (nothing else in its folder)."""
    from iacgov.cache import clear, default_dir

    folder = default_dir()
    removed = clear(folder)
    click.echo(f"removed {removed} file{'s' if removed != 1 else ''} from {folder}")


# Commands defined in their own packages, imported only when run (or listed by --help):
# a scan does not pay for the cost estimate's, the report's or the review's imports.
LAZY_COMMANDS = {
    "cost": "iacgov.cost.command:cost",
    "catalog": "iacgov.cost.catalog_command:catalog",
    "evidence": "iacgov.evidence.command:evidence",
    "exit": "iacgov.exit.command:exit_command",
    "history": "iacgov.history.command:history",
    "kinds": "iacgov.commands.kinds:kinds",
    "report": "iacgov.report.command:report",
    "review": "iacgov.review.command:review",
    "rollup": "iacgov.history.rollup_command:rollup",
    "suppressions": "iacgov.history.register_command:suppressions",
    "policy": "iacgov.policy_diff:policy", "drift": "iacgov.review.drift:drift", "access": "iacgov.access:access",
}

for _command_name, _command in main.commands.items():
    name_env_vars(_command, f"{ENV_PREFIX}_{_command_name.upper()}")
