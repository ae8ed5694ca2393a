"""``iacgov evidence`` and ``iacgov evidence verify DIR``.

Exit codes: ``0`` the pack was written / verified; ``1`` ``verify`` found a
file changed, missing or added (each named on stderr); ``2`` a usage, policy
or plugin error — one line, no traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from iacgov.model import ParseOptions
from iacgov.progress import on_terminal


class _Group(click.Group):
    """``iacgov evidence [OPTIONS]`` builds a pack; ``iacgov evidence verify DIR`` checks one."""


@click.group("evidence", cls=_Group, invoke_without_command=True)
@click.option("--path", "paths", multiple=True, type=click.Path(path_type=Path), help="What to scan (default: .).")
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Policy file (default: iacgov.yaml or .iacgov.yaml at the scanned root).")
@click.option("--framework", "frameworks", default="iso27001,gdpr,dora,nis2", show_default=True,
              help="Comma-separated frameworks whose controls the pack maps: iso27001, gdpr, dora, nis2.")
@click.option("--since", metavar="YYYY-MM-DD", help="Start of the period (policy history).")
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False),
              help="Directory to write the pack into (new or empty).")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Directory file paths are relative to (default: the git work tree, else the scanned directory).")
@click.pass_context
def evidence(ctx: click.Context, paths: tuple[Path, ...], policy_path: Path | None, frameworks: str,
             since: str | None, output: Path | None, root: Path | None) -> None:
    """Write a self-contained evidence pack for auditors (see also: evidence verify DIR)."""
    if ctx.invoked_subcommand is not None:
        return
    from iacgov import __version__
    from iacgov.commands.common import UserError, plugin_host, check_paths
    from iacgov.evidence import pack
    from iacgov.exit.command import build_report
    from iacgov.exit.render import as_json as exit_json
    from iacgov.exit.render import markdown as exit_markdown
    from iacgov.plugins import PluginError
    from iacgov.policy import EMBEDDED, PolicyError

    if output is None:
        raise UserError("iacgov evidence: -o DIR is required (the directory to write the pack into)")
    try:
        start = date.fromisoformat(since) if since else None
    except ValueError:
        raise UserError(f"--since {since}: not a date (YYYY-MM-DD)") from None
    names = [n.strip() for n in frameworks.split(",") if n.strip()]
    targets = paths or (Path("."),)
    check_paths(targets)
    host = plugin_host(ctx)
    try:
        mapping_check = [pack.framework(n) for n in names]  # unknown names fail before the scan
        with on_terminal(sys.stderr):
            report, result = build_report(targets, policy_path, ParseOptions(), root, host)
    except (PolicyError, PluginError, pack.EvidenceError) as exc:
        raise UserError(str(exc)) from None
    del mapping_check
    if result.errors:
        for error in result.errors:
            click.echo(f"iacgov: error: {error}", err=True)
        ctx.exit(2)
    reporters = {r.name: r for r in host.collect("iacgov_reporters")}
    policy_file = None if result.policy_source == EMBEDDED else Path(result.root) / result.policy_source
    history = pack.policy_history(policy_file, result.root, start)
    supp = pack.suppressions(result.findings)
    mapping = pack.controls(names, result.findings)
    policy_bytes = policy_file.read_bytes() if policy_file else (
        Path(__file__).parent.parent / "data" / "default_policy.yaml").read_bytes()
    files = {
        "policy/iacgov.yaml": policy_bytes,
        "policy/history.json": (json.dumps(history, indent=2) + "\n").encode(),
        "findings/scan.json": reporters["json"].render(result).encode(),
        "findings/suppressions.json": (json.dumps(supp, indent=2) + "\n").encode(),
        "exit/exit.json": exit_json(report).encode(),
        "exit/exit.md": exit_markdown(report).encode(),
        "controls/mapping.json": (json.dumps(mapping, indent=2) + "\n").encode(),
    }
    meta = {"iacgov": __version__, "generated": pack.generated_at(), "since": start.isoformat() if start else None,
            "frameworks": names, "policy": history.get("file") or report.policy_source}
    files["index.html"] = pack.summary_html(meta, history, result.findings, supp, report, mapping,
                                            sorted([*files, pack.MANIFEST])).encode()
    try:
        manifest = pack.write_pack(output, files, meta)
    except (pack.EvidenceError, OSError) as exc:
        raise UserError(str(exc)) from None
    click.echo(f"iacgov: evidence pack written to {output} ({len(files)} files, manifest {manifest.name})")


@evidence.command("verify")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
def verify_command(folder: Path) -> None:
    """Re-check every file of a pack against its manifest's SHA-256."""
    from iacgov.evidence import pack

    problems = pack.verify(folder)
    for problem in problems:
        click.echo(f"iacgov: error: {folder / problem.path}: {problem.reason}", err=True)
    if problems:
        sys.exit(1)
    click.echo(f"iacgov: {folder}: every file matches the manifest")
