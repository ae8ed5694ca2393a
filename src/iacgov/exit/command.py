"""``iacgov exit [PATH]...`` — exit readiness per application and environment.

Runs the scan (the ADM rules say who holds administrator rights and keys),
reads the Terraform backends and the portability facts, and renders the
report (:mod:`iacgov.exit.render`). Exit codes: ``0`` every application is
ready; ``1`` an application is blocked or unknown, or a file could not be
read; ``2`` a usage, policy or plugin error — one line, no traceback.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from iacgov.commands.common import value_options
from iacgov.exit.render import FORMATS
from iacgov.model import ParseOptions
from iacgov.progress import on_terminal


def build_report(paths: tuple[Path, ...], policy_path: Path | None, parse_options: ParseOptions,
                 root: Path | None, host: Any) -> tuple[Any, Any]:
    """``(ExitReport, ScanResult)`` for ``paths`` (raises PolicyError / PluginError)."""
    from iacgov.cost.estimate import estimate
    from iacgov.cost.grouping import costed
    from iacgov.engine import ScanRequest, parse_inventory, scan_inventory
    from iacgov.exit.analysis import analyse
    from iacgov.exit.backends import read_backends
    from iacgov.fingerprint import stack_of
    from iacgov.parsers.terraform.loader import terraform_cache

    request = ScanRequest(paths=paths or (Path("."),), options=parse_options, policy_path=policy_path, root=root)
    inventory = parse_inventory(request, host)
    result = scan_inventory(inventory, request, host)
    stacks = {stack_of(r) for r in inventory.resources if r.source_format == "terraform"}
    limits = inventory.options.limits
    backends = read_backends(inventory.claimed.get("terraform", ()), inventory.root, stacks, limits,
                             terraform_cache(inventory.options.cache_dir, limits))
    try:
        cost = estimate(inventory.resources, inventory.policy, root=inventory.root)
        # by the resource itself: addresses (and a shared module's file) repeat across root modules
        costs = {id(r): c for c, r in costed(cost, inventory.resources) if r is not None}
        currency = cost.currency
    except Exception:  # noqa: BLE001 - a cost configuration problem must not hide the exit report
        costs, currency = None, "USD"
    not_analysed = tuple(f"{n.subject}: {n.message}" for n in result.coverage.not_analysed)
    report = analyse(inventory.resources, result.findings, inventory.policy, backends, costs, not_analysed, currency)
    source = inventory.policy.source
    try:  # the policy as the repository names it, not this machine's absolute path
        source = Path(source).resolve().relative_to(inventory.root).as_posix()
    except (ValueError, OSError):
        pass
    return replace(report, policy_source=source), result


@click.command("exit")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Policy file (default: iacgov.yaml or .iacgov.yaml at the scanned root, else the embedded default).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text, json, markdown (with the exit runbook skeleton) or html.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to FILE.")
@value_options
@click.option("--root", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Directory file paths are relative to (default: the git work tree, else the scanned directory).")
@click.pass_context
def exit_command(ctx: click.Context, paths: tuple[Path, ...], policy_path: Path | None, fmt: str,
                 output: Path | None, parse_options: ParseOptions, root: Path | None) -> None:
    """Can the company part with its provider? Control, state, data and portability per application."""
    from iacgov.commands.common import UserError, plugin_host, check_paths, write_output
    from iacgov.exit.analysis import READY
    from iacgov.exit.render import render
    from iacgov.plugins import PluginError
    from iacgov.policy import PolicyError

    check_paths(paths or (Path("."),))
    try:
        with on_terminal(sys.stderr):
            report, result = build_report(paths, policy_path, parse_options, root, plugin_host(ctx))
    except (PolicyError, PluginError) as exc:
        raise UserError(str(exc)) from None
    if result.errors:
        for error in result.errors:
            click.echo(f"iacgov: error: {error}", err=True)
        ctx.exit(2)
    text = render(report, fmt)
    if output is not None:
        write_output(output, text)
    else:
        click.echo(text, nl=False)
    ctx.exit(0 if report.verdict == READY else 1)
