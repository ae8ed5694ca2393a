"""The ``iacgov`` command line (click).

Exit codes (DESIGN §3.1): 0 nothing blocking; 1 blocking findings; 2 usage,
policy or configuration error — always a one-line message, never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

import click

from iacgov import __version__
from iacgov.api import docstring_sections
from iacgov.engine import FAIL_ON
from iacgov.model import ParseOptions
from iacgov.plugins import PluginError, PluginHost, load_plugins
from iacgov.progress import on_terminal
from iacgov.reporters.escape import encodable, printable

EXIT_USAGE = 2


class UserError(click.ClickException):
    """A one-line, actionable error; exit code 2."""

    exit_code = EXIT_USAGE

    def format_message(self) -> str:
        return self.message


def _host(ctx: click.Context) -> PluginHost:
    obj = ctx.find_root().obj
    if obj.get("host") is None:
        obj["host"] = load_plugins(disabled=obj["disabled"])
    return obj["host"]


def _key_values(values: Sequence[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint=option)
        out[key.strip()] = value
    return out


def value_options(command: Any) -> Any:
    """``--var``, ``--var-file``, ``--cfn-param``, ``--region`` and
    ``--no-cache``, handed to the command as one :class:`ParseOptions`
    argument, ``parse_options`` (scan, cost, review and report take the same
    values the same way)."""

    @functools.wraps(command)
    def wrapper(*args: Any, variables: tuple[str, ...], var_files: tuple[Path, ...],
                cfn_params: tuple[str, ...], region: str | None, no_cache: bool, **kwargs: Any) -> Any:
        for var_file in var_files:
            if not var_file.is_file():
                raise UserError(f"--var-file {var_file}: no such file")
        kwargs["parse_options"] = ParseOptions(
            var_files=tuple(p.absolute() for p in var_files),
            variables=_key_values(variables, "--var"),
            cfn_parameters=_key_values(cfn_params, "--cfn-param"),
            region=region,
            cache_dir=cache_dir(no_cache),
        )
        return command(*args, **kwargs)

    for option in reversed((
        click.option("--var", "variables", multiple=True, metavar="KEY=VALUE",
                     help="Terraform variable value (repeatable)."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
                     help="Terraform .tfvars file (repeatable)."),
        click.option("--cfn-param", "cfn_params", multiple=True, metavar="KEY=VALUE",
                     help="CloudFormation parameter value (repeatable)."),
        click.option("--region", help="Region CloudFormation templates are deployed to."),
        click.option("--no-cache", is_flag=True,
                     help="Neither read nor write the parse cache ($IACGOV_CACHE_DIR, else "
                          "$XDG_CACHE_HOME/iacgov, else ~/.cache/iacgov; see 'iacgov cache')."),
    )):
        wrapper = option(wrapper)
    return wrapper


def write_output(path: Path, text: str) -> None:
    """Write atomically: a failed run never leaves a truncated report behind.

    A regular file is replaced through a temporary file in its folder, keeping
    its permissions (a symbolic link is followed, so the link stays). Anything
    else that exists (``/dev/null``, ``/dev/stdout``, a FIFO) is written in
    place: replacing it would put a regular file where the device was.

    A path inside the working directory that a link leads out of it is
    refused (exit 2): a scanned repository can plant ``iacgov.sarif ->
    ~/.bashrc``, and a CI job writing its report would overwrite that file.
    A path the user names outside the working directory is taken as given.
    """
    import stat
    import tempfile

    text = encodable(text)  # a plugin's reporter that let a lone surrogate through still writes
    path = _confined(path)
    try:
        st = path.stat()
    except OSError:
        st = None  # does not exist yet (or a broken link): created below
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except OSError as exc:
            raise UserError(f"cannot write {shown(path)}: {exc.strerror or exc}") from None
        return
    path = path.resolve()  # through a link inside the working directory: its target, which stays inside
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UserError(f"cannot write {shown(path)}: {exc.strerror or exc}") from None
    try:
        # mkstemp makes the file 0600: give it the replaced file's mode, or what a new file gets.
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"cannot write {shown(path)}: {exc.strerror or exc}") from None


def _confined(path: Path) -> Path:
    """``path`` made absolute; refused when it is inside the working directory
    but resolves outside it (a link in the tree leading out)."""
    cwd = Path(os.getcwd())
    lexical = Path(os.path.normpath(os.path.abspath(path)))
    if not _within(lexical, cwd):
        return lexical  # named by the user outside the tree: no link of the tree involved
    real = lexical.resolve()
    if not _within(real, cwd.resolve()):
        raise UserError(f"{shown(path)}: not written: it is a link out of the working directory (to {shown(real)}); "
                        f"remove the link or choose another output path")
    return lexical


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def shown(value: object) -> str:
    """A path or message for the terminal: controls and undecodable bytes escaped."""
    return printable(str(value))


def check_paths(paths: Sequence[Path]) -> None:
    """A scan path that does not exist is a usage error (exit 2), named on one line."""
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise UserError(f"{', '.join(shown(p) for p in missing)}: no such file or directory")


def _use_color(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class _LazyGroup(click.Group):
    """A group whose commands in :data:`LAZY_COMMANDS` are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            import importlib

            module, _, name = LAZY_COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="iacgov")
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
    ctx.obj = {"disabled": disabled, "host": None}


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Policy file (default: iacgov.yaml or .iacgov.yaml at the scanned root, else the embedded default).")
@click.option("--format", "-f", "fmt", default="text", show_default=True,
              help="Output format: text, json, sarif, github, gitlab, junit (and any a plugin adds).")
@click.option("--output", "-o", "outputs", multiple=True, metavar="[FORMAT:]FILE|FORMAT",
              help="Where to write: FILE (in --format), FORMAT:FILE, or FORMAT alone for stdout. Repeatable: "
                   "--output sarif:results.sarif --output text.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Lowest severity that makes the exit code 1; 'never' reports without failing.")
@click.option("--quiet", "-q", is_flag=True, help="Write nothing to stdout (outputs to files are still written).")
@click.option("--verbose", "-v", is_flag=True, help="Also show notes (files skipped, values not resolved).")
@value_options
@click.option("--whole-modules", is_flag=True,
              help="For each Terraform file given, scan its whole module (directory), so variables and "
                   "module calls resolve (what the pre-commit hook does with staged files).")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Directory file URIs are relative to (default: the git work tree, else the scanned directory).")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Baseline file: findings recorded in it are reported as existing, not blocking "
                   "(default: the policy's suppressions.baseline, if set).")
@click.option("--write-baseline", type=click.Path(path_type=Path, dir_okay=False),
              help="Record the current findings (all but those suppressed inline) in this baseline file, "
                   "then report with it applied.")
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help="Worker processes for parsing (default: one per core; 1: serial). The output is the same.")
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
         file_timeout: float | None = None, sarif_omit_suppressed: bool = False) -> None:
    """Scan Terraform and CloudFormation files and directories (default: .)."""
    from iacgov.engine import ScanRequest, exit_code, scan as run_scan
    from iacgov.policy import PolicyError

    host = _host(ctx)
    reporters = {r.name: r for r in host.collect("iacgov_reporters")}
    if fmt not in reporters:
        raise click.BadParameter(f"unknown format {fmt!r}; choose from {', '.join(sorted(reporters))}",
                                 param_hint="--format")
    if sarif_omit_suppressed and "sarif" in reporters:
        reporters["sarif"] = omitting_suppressed(reporters["sarif"])
    targets = _output_targets(outputs, fmt, reporters)
    for _, target in targets:  # a link out of the tree is refused before the scan, not after
        if target is not None:
            _confined(target)
    options = replace(parse_options, jobs=jobs)
    paths = paths or (Path("."),)
    check_paths(paths)
    if whole_modules:
        from iacgov.discovery import with_whole_modules

        paths = with_whole_modules(paths)
    # --write-baseline replaces the policy's baseline: it need not exist yet
    request = ScanRequest(paths=paths, options=options, policy_path=policy_path, root=root,
                          baseline=_baseline(baseline_path), policy_baseline=write_baseline is None,
                          limit_overrides={"max_file_bytes": max_file_bytes, "file_timeout_seconds": file_timeout})
    try:
        with on_terminal(sys.stderr, enabled=not quiet):
            result = run_scan(request, host)
    except (PolicyError, PluginError) as exc:
        raise UserError(str(exc)) from None
    if write_baseline is not None:
        result = _write_baseline(result, write_baseline)
    if not verbose:
        result = without_notes(result)

    emit(result, targets, reporters, quiet)
    ctx.exit(exit_code(result, fail_on))


def omitting_suppressed(reporter: Any) -> Any:
    """The SARIF reporter, rendering without suppressed findings (``--sarif-omit-suppressed``)."""
    import copy

    reporter = copy.copy(reporter)
    reporter.include_suppressed = False
    return reporter


def cache_dir(no_cache: bool) -> Path | None:
    """The parse cache folder for a command's ``--no-cache`` flag."""
    from iacgov.cache import default_dir

    if no_cache:
        return None
    try:
        return default_dir()
    except (RuntimeError, KeyError, OSError):  # no home directory to put it in: scan without it
        return None


def _baseline(path: Path | None) -> Any:
    from iacgov.baseline import BaselineError, load_baseline

    if path is None:
        return None
    try:
        return load_baseline(path)
    except BaselineError as exc:
        raise UserError(str(exc)) from None


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


def _output_targets(outputs: Sequence[str], fmt: str, reporters: dict[str, Any]) -> list[tuple[str, Path | None]]:
    """``--output`` values as (format, file or None for stdout)."""
    targets: list[tuple[str, Path | None]] = []
    for value in outputs:
        name, sep, rest = value.partition(":")
        if sep and name in reporters and rest:
            targets.append((name, Path(rest)))
        elif value in reporters:
            targets.append((value, None))
        else:
            targets.append((fmt, Path(value)))
    if not targets:
        targets.append((fmt, None))
    if sum(1 for _, path in targets if path is None) > 1:
        raise click.BadParameter("only one output can go to stdout", param_hint="--output")
    return targets


def emit(result: Any, targets: list[tuple[str, Path | None]], reporters: dict[str, Any], quiet: bool) -> None:
    """Render every output first, then write them: a failing reporter leaves no partial set of files."""
    rendered = [
        (path, reporters[name].render(result, color=path is None and _use_color(sys.stdout)))
        for name, path in targets if not (quiet and path is None)
    ]
    for path, text in rendered:
        if path is None:
            click.echo(encodable(text), nl=False)
        else:
            write_output(path, text)
    for error in result.errors:
        click.echo(f"iacgov: error: {shown(error)}", err=True)


def without_notes(result: Any) -> Any:
    """Note-level notifications (skipped files) are shown with --verbose only."""
    from iacgov.model import Severity

    return replace(result, notifications=tuple(n for n in result.notifications if n.level is not Severity.NOTE))


@main.command("rules")
@click.pass_context
def rules_command(ctx: click.Context) -> None:
    """List the rule catalog."""
    from iacgov.engine import collect_file_checks, collect_rules

    try:
        rules = collect_rules(_host(ctx))
        checks = collect_file_checks(_host(ctx))
    except PluginError as exc:
        raise UserError(str(exc)) from None
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


@main.command("rule")
@click.argument("code")
@click.pass_context
def rule_command(ctx: click.Context, code: str) -> None:
    """Show the documentation of one rule."""
    from iacgov.engine import collect_rules

    try:
        rules = {r.meta.code: r for r in collect_rules(_host(ctx))}
    except PluginError as exc:
        raise UserError(str(exc)) from None
    rule = rules.get(code.upper())
    if rule is None:
        from iacgov.engine import collect_file_checks

        for check in collect_file_checks(_host(ctx)):
            meta = check.describe(code.upper())
            if meta is not None:
                click.echo(bridged_rule_documentation(meta, check))
                return
        raise UserError(f"unknown rule {code!r}; 'iacgov rules' lists them")
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
    host = _host(ctx)
    for error in host.errors:
        click.echo(f"iacgov: error: {error}", err=True)
    if host.errors:
        ctx.exit(EXIT_USAGE)


@main.command()
@click.option("--path", "target", type=click.Path(path_type=Path), default=Path("iacgov.yaml"), show_default=True,
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
    "report": "iacgov.report.command:report",
    "review": "iacgov.review.command:review",
}
