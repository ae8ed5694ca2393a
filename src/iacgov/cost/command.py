"""``iacgov cost [PATH]...`` — the monthly estimate, per environment, application and type.

Reuses the scan pipeline's discovery, parsing and policy loading
(:func:`iacgov.engine.parse_inventory`); rules are not run.

Exit codes: ``0`` the estimate was made; ``1`` a file could not be read, so
the estimate misses its resources (they are named on stderr and in the
report); ``2`` a usage, policy or cost-configuration error (rate card, usage
file), a plugin that failed to load or a parser that crashed — one line, no
traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iacgov.commands.common import value_options
from iacgov.model import ParseOptions
from iacgov.progress import on_terminal

from iacgov.cost.report import FORMATS


@click.command("cost")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Policy file (default: iacgov.yaml or .iacgov.yaml at the scanned root, else the embedded default).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text (tables per environment), json, or csv (one row per line of the bill).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the estimate to FILE.")
@click.option("--usage-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Usage quantities (default: cost.usage_file, else iacgov-usage.yaml beside the policy or at the root).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Resources listed per environment in the text output.")
@click.option("--details", is_flag=True, help="Text output: show every priced line with its unit price and source.")
@click.option("--group-by", "group_by", metavar="KEYS",
              help="Totals by env, app, category, cloud, type, region or any TAG, comma-separated (env+category "
                   "combines two); CSV then gives one row per group.")
@click.option("--skip-path", "skip_paths", multiple=True, metavar="GLOB",
              help="Leave these paths out of the estimate (repeatable; added to the policy's exclude), as for "
                   "iacgov scan: examples/, test, '**/fixtures/**'.")
@click.option("--no-color", is_flag=True, help="No colour in the text output, even on a terminal (as NO_COLOR).")
@value_options
@click.option("--root", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Directory file paths are relative to (default: the git work tree, else the scanned directory).")
@click.pass_context
def cost(ctx: click.Context, paths: tuple[Path, ...], policy_path: Path | None, fmt: str, output: Path | None,
         usage_file: Path | None, top: int, details: bool, group_by: str | None,
         parse_options: ParseOptions, root: Path | None, skip_paths: tuple[str, ...] = (),
         no_color: bool = False) -> None:
    """Estimate what the infrastructure will cost per month, offline (default PATH: .)."""
    from iacgov.commands.common import UserError, plugin_host, use_color, check_paths, write_output
    from iacgov.cost.catalog import CostConfigError
    from iacgov.cost.estimate import estimate
    from iacgov.cost.report import render
    from iacgov.engine import ScanRequest, parse_inventory
    from iacgov.model import Severity
    from iacgov.plugins import PluginError
    from iacgov.policy import EMBEDDED, PolicyError
    if usage_file is not None and not usage_file.is_file():
        raise UserError(f"--usage-file {usage_file}: no such file")
    check_paths(paths or (Path("."),))
    host = plugin_host(ctx)
    request = ScanRequest(paths=paths or (Path("."),), options=parse_options, policy_path=policy_path, root=root,
                          skip_paths=tuple(skip_paths))
    try:
        with on_terminal(sys.stderr):
            inventory = parse_inventory(request, host)
        result = estimate(inventory.resources, inventory.policy, root=inventory.root,
                          usage_path=usage_file.absolute() if usage_file else None)
    except (PolicyError, PluginError, CostConfigError) as exc:
        raise UserError(str(exc)) from None
    if inventory.errors:
        for error in inventory.errors:
            click.echo(f"iacgov: error: {error}", err=True)
        ctx.exit(2)

    source = inventory.policy.source
    if source != EMBEDDED:
        try:
            source = Path(source).resolve().relative_to(inventory.root).as_posix()
        except ValueError:
            pass
    text = render(result, fmt, top=top, details=details, policy_source=source,
                  color=output is None and use_color(sys.stdout, not no_color))
    text = _grouped(text, fmt, group_by, result, inventory)
    if output is not None:
        write_output(output, text)
    else:
        click.echo(text, nl=False)
    unread = [n for n in inventory.notifications if n.level is Severity.ERROR]
    for note in sorted(set(unread), key=lambda n: (n.location, n.message)):
        click.echo(f"iacgov: error: {note.location.path}:{note.location.line}: {note.message} "
                   "(its resources are not in the estimate)", err=True)
    ctx.exit(1 if unread else 0)


def _grouped(text: str, fmt: str, group_by: str | None, result, inventory) -> str:
    """The estimate with its groupings (``--group-by``) and application / category budgets (iacgov.cost.grouping)."""
    import json

    from iacgov.commands.common import UserError
    from iacgov.cost import grouping as G

    try:
        keys = G.parse_group_by(group_by) if group_by else []
        warn = G.warn_at(inventory.policy)
    except (ValueError, ArithmeticError) as exc:
        raise UserError(str(exc)) from None
    groupings = [G.group(result, k, inventory.resources, inventory.policy) for k in keys]
    checked = G.budgets(result, inventory.policy, inventory.resources)
    if fmt == "csv":
        return G.render_csv(groupings) if groupings else text
    if fmt == "json":
        data = json.loads(text)
        data.update(G.to_json(groupings, checked, warn))
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    extra = G.render_text(groupings, checked, warn)
    return text + ("\n" + extra if extra else "")
