"""What every command shares: usage errors, the plugin host, the value options
(``--var``, ``--cfn-param``, ``--region``, ``--no-cache``...), output targets and
atomic writes, terminal colour and safe display of paths.

``iacgov.cli`` (scan, rules, init, cache) and the commands of their own
packages (cost, report, review, history, exit, evidence...) import these public
names from here, never a private helper of ``cli``.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import click

from iacgov.reporters.escape import encodable, printable

if TYPE_CHECKING:  # imported when a command runs: ``iacgov --version`` needs neither
    from iacgov.plugins import PluginHost

EXIT_USAGE = 2

# One click.Path per kind of path, shared by the options taking one: making a click.Path looks its name
# ('file', 'path') up in gettext's catalogs, a search of the locale folders each time.
FILE_PATH = click.Path(path_type=Path, dir_okay=False)
ANY_PATH = click.Path(path_type=Path)


class UserError(click.ClickException):
    """A one-line, actionable error; exit code 2."""

    exit_code = EXIT_USAGE

    def format_message(self) -> str:
        return self.message


def plugin_host(ctx: click.Context) -> PluginHost:
    """The plugins of this run, loaded once, without those ``-p no:NAME`` disabled
    (the root command says how: ``ctx.obj["load"]``)."""
    obj = ctx.find_root().obj
    if obj.get("host") is None:
        from iacgov.plugins import load_plugins

        obj["host"] = (obj.get("load") or load_plugins)(disabled=obj["disabled"])
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
    """``--var``, ``--var-file``, ``--cfn-param``, ``--cfn-params``,
    ``--region`` and ``--no-cache``, handed to the command as one
    :class:`ParseOptions` argument, ``parse_options`` (scan, cost, review and
    report take the same values the same way). A command with a ``regions``
    parameter (scan) also gets every ``--region``: it evaluates the templates
    once per region; the others take one."""
    import inspect

    several_regions = "regions" in inspect.signature(command).parameters

    @functools.wraps(command)
    def wrapper(*args: Any, variables: tuple[str, ...], var_files: tuple[Path, ...],
                cfn_params: tuple[str, ...], cfn_param_files: tuple[Path, ...], region: tuple[str, ...],
                no_cache: bool, **kwargs: Any) -> Any:
        for var_file in var_files:
            if not var_file.is_file():
                raise UserError(f"--var-file {var_file}: no such file")
        regions = tuple(dict.fromkeys(r.strip() for r in region if r.strip()))
        if several_regions:
            kwargs["regions"] = regions
        elif len(regions) > 1:
            raise UserError("--region: give one region here (several are for iacgov scan, which evaluates "
                            "CloudFormation templates once per region)")
        parameters: dict[str, str] = {}
        for file in cfn_param_files:
            parameters.update(read_cfn_parameters(file))
        parameters.update(_key_values(cfn_params, "--cfn-param"))  # a value on the command line wins
        from iacgov.model import ParseOptions

        kwargs["parse_options"] = ParseOptions(
            var_files=tuple(p.absolute() for p in var_files),
            variables=_key_values(variables, "--var"),
            cfn_parameters=parameters,
            region=regions[0] if regions else None,
            cache_dir=cache_dir(no_cache),
        )
        return command(*args, **kwargs)

    for option in reversed((
        click.option("--var", "variables", multiple=True, metavar="KEY=VALUE",
                     help="Terraform variable value (repeatable)."),
        click.option("--var-file", "var_files", multiple=True, type=FILE_PATH,
                     help="Terraform .tfvars file (repeatable)."),
        click.option("--cfn-param", "cfn_params", multiple=True, metavar="KEY=VALUE",
                     help="CloudFormation parameter value (repeatable; wins over --cfn-params)."),
        click.option("--cfn-params", "cfn_param_files", multiple=True, metavar="FILE",
                     type=FILE_PATH,
                     help="CloudFormation parameters file: the AWS CLI's [{\"ParameterKey\": .., \"ParameterValue\": ..}] "
                          "or {\"Parameters\": {KEY: VALUE}} (cfn-lint, CodePipeline). Repeatable; later files win."),
        click.option("--region", multiple=True, metavar="REGION",
                     help="Region CloudFormation templates are deployed to (scan: repeatable, each template is "
                          "evaluated once per region and its findings say which). Without it, a template's "
                          "samconfig.toml (or .yaml/.yml) beside it gives [default.deploy.parameters] region."),
        click.option("--no-cache", is_flag=True,
                     help="Neither read nor write the parse cache ($IACGOV_CACHE_DIR, else "
                          "$XDG_CACHE_HOME/iacgov, else ~/.cache/iacgov; see 'iacgov cache')."),
    )):
        wrapper = option(wrapper)
    return wrapper


MAX_PARAMETERS_BYTES = 1024 * 1024  # a parameters file is a few lines; more is not one


def read_cfn_parameters(path: Path) -> dict[str, str]:
    """``--cfn-params FILE``: the AWS CLI's ``--parameters file://`` list
    (``[{"ParameterKey": "Env", "ParameterValue": "prod"}]``; an entry with
    ``UsePreviousValue`` and no value sets nothing) or the ``{"Parameters":
    {"Env": "prod"}}`` object of cfn-lint and CodePipeline template
    configurations. Numbers and booleans are written as CloudFormation
    receives them (strings); a list is a ``CommaDelimitedList``."""
    from iacgov.userfiles import read_json

    where = f"--cfn-params {shown(path)}"
    data = read_json(path, where, MAX_PARAMETERS_BYTES,
                     f"larger than {MAX_PARAMETERS_BYTES // 1024} KiB: not a parameters file", UserError, "not JSON")
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        pairs = list(data["Parameters"].items())
    elif isinstance(data, list):
        pairs = []
        for i, entry in enumerate(data):
            if not isinstance(entry, dict) or not isinstance(entry.get("ParameterKey"), str):
                raise UserError(f"{where}: entry {i + 1}: expected {{\"ParameterKey\": ..., \"ParameterValue\": ...}}")
            if "ParameterValue" in entry:
                pairs.append((entry["ParameterKey"], entry["ParameterValue"]))
            elif entry.get("UsePreviousValue") is not True:
                raise UserError(f"{where}: {entry['ParameterKey']}: no ParameterValue")
    else:
        raise UserError(f"{where}: expected a list of {{\"ParameterKey\", \"ParameterValue\"}} (AWS CLI) or an "
                        f"object with \"Parameters\" (cfn-lint, CodePipeline)")
    out: dict[str, str] = {}
    for key, value in pairs:
        text = _parameter_text(value)
        if not key or text is None:
            raise UserError(f"{where}: {shown(key) or 'a parameter'}: expected a string, number, boolean or list "
                            f"of them, got {type(value).__name__}")
        out[key] = text
    return out


def _parameter_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return ",".join(str(v) for v in value)
    return None


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
    path = confined(path)
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


def confined(path: Path) -> Path:
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


def use_color(stream: Any, allowed: bool = True) -> bool:
    if not allowed or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def cache_dir(no_cache: bool) -> Path | None:
    """The parse cache folder for a command's ``--no-cache`` flag."""
    from iacgov.cache import default_dir

    if no_cache:
        return None
    try:
        return default_dir()
    except (RuntimeError, KeyError, OSError):  # no home directory to put it in: scan without it
        return None


def read_baseline(path: Path | None) -> Any:
    from iacgov.baseline import BaselineError, load_baseline

    if path is None:
        return None
    try:
        return load_baseline(path)
    except BaselineError as exc:
        raise UserError(str(exc)) from None


# A file's format from its extension, when --format is not given (-o results.sarif).
FORMAT_OF_SUFFIX = {".sarif": "sarif", ".json": "json", ".xml": "junit", ".md": "markdown", ".markdown": "markdown"}


def format_of(path: Path, default: str) -> str:
    """The format a file's extension names; ``.html`` is the report's, a usage error here."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        raise UserError(f"--output {shown(path)}: an HTML page is written by 'iacgov report PATH --output "
                        f"{shown(path)}'; iacgov scan writes text, json, sarif, junit, markdown, github or gitlab "
                        f"(name one: --format or --output FORMAT:FILE)")
    return FORMAT_OF_SUFFIX.get(suffix, default)


def output_targets(outputs: Sequence[str], fmt: str, reporters: dict[str, Any],
                    infer: bool = False) -> list[tuple[str, Path | None]]:
    """``--output`` values as (format, file or None for stdout); with ``infer``
    (no --format given), a bare FILE's format comes from its extension."""
    targets: list[tuple[str, Path | None]] = []
    for value in outputs:
        name, sep, rest = value.partition(":")
        if sep and name in reporters and rest:
            targets.append((name, Path(rest)))
        elif value in reporters:
            targets.append((value, None))
        else:
            chosen = format_of(Path(value), fmt) if infer else fmt
            targets.append((chosen if chosen in reporters else fmt, Path(value)))
    if not targets:
        targets.append((fmt, None))
    if sum(1 for _, path in targets if path is None) > 1:
        raise click.BadParameter("only one output can go to stdout", param_hint="--output")
    return targets


def emit(result: Any, targets: list[tuple[str, Path | None]], reporters: dict[str, Any], quiet: bool, *,
         color: bool = True, hide_existing: bool = False) -> None:
    """Render every output first, then write them: a failing reporter leaves no partial set of files.

    ``hide_existing`` leaves the baseline's findings out of every format but
    SARIF, which keeps them as suppressed (code scanning's record)."""
    shown_result = result
    if hide_existing:
        shown_result = replace(result, findings=tuple(
            f for f in result.findings if f.suppression is None or f.suppression.kind != "baseline"))
    rendered = [
        (path, reporters[name].render(result if name == "sarif" else shown_result,
                                      color=path is None and use_color(sys.stdout, color)))
        for name, path in targets if not (quiet and path is None)
    ]
    _warn_results_limit(text for (name, _), (_, text) in zip(
        [t for t in targets if not (quiet and t[1] is None)], rendered) if name == "sarif")
    for path, text in rendered:
        if path is None:
            click.echo(encodable(text), nl=False)
        else:
            write_output(path, text)
    for error in result.errors:
        click.echo(f"iacgov: error: {shown(error)}", err=True)


def _warn_results_limit(sarif_texts: Any) -> None:
    """On stderr, when a SARIF output has a run with more results than GitHub
    code scanning keeps (the SARIF says it too, as a toolExecutionNotification)."""
    import json

    from iacgov.reporters.sarif import results_limit_warning

    for text in sarif_texts:
        try:
            runs = json.loads(text).get("runs", [])
        except (ValueError, AttributeError):
            continue
        for run in runs:
            warning = results_limit_warning(len(run.get("results") or ()))
            if warning:
                click.echo(f"iacgov: warning: {warning}", err=True)
