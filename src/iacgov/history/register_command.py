"""``iacgov suppressions [PATH]...`` — the suppression register (:mod:`iacgov.history.register`).

Exit codes: ``0`` the register was written; ``2`` a usage, policy or
baseline error — one line, no traceback.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from iacgov.commands.common import value_options
from iacgov.model import ParseOptions


@click.command("suppressions")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Policy file (default: iacgov.yaml or .iacgov.yaml at the scanned root, else the embedded default).")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Baseline whose entries are listed too (default: the policy's suppressions.baseline).")
@click.option("--today", metavar="DATE", help="The day states are computed for (YYYY-MM-DD; default: today).")
@click.option("--expiring-within", "within", type=click.IntRange(min=0), default=30, show_default=True,
              metavar="DAYS", help="A suppression whose last day is this close is 'expiring'.")
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False),
              help="The history ledger: who added a suppression when git blame cannot tell.")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@value_options
@click.option("--root", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Directory file paths are relative to (default: the git work tree, else the scanned directory).")
@click.pass_context
def suppressions(ctx: click.Context, paths: tuple[Path, ...], policy_path: Path | None, baseline_path: Path | None,
                 today: str | None, within: int, db: Path | None, fmt: str, output: Path | None,
                 parse_options: ParseOptions, root: Path | None) -> None:
    """List every accepted risk — inline, Metadata and baseline suppressions — with its reason, who added it
    and when, its expiry and its state: active, expiring, expired, refused or unused (stale)."""
    import json

    from iacgov.commands.common import UserError, read_baseline, plugin_host, check_paths, write_output
    from iacgov.engine import ScanRequest, parse_inventory, scan_inventory
    from iacgov.history import register as R
    from iacgov.history.command import parse_day
    from iacgov.history.ledger import LedgerError, open_reader
    from iacgov.history.replay import _texts
    from iacgov.plugins import PluginError
    from iacgov.policy import PolicyError
    from iacgov.progress import on_terminal
    from iacgov.review.gitrepo import GitError, Repository

    day = parse_day(today, "--today") or date.today()
    check_paths(paths or (Path("."),))
    host = plugin_host(ctx)
    request = ScanRequest(paths=paths or (Path("."),), options=parse_options, policy_path=policy_path, root=root,
                          baseline=read_baseline(baseline_path), today=day)
    try:
        with on_terminal(sys.stderr):
            inventory = parse_inventory(request, host)
            result = scan_inventory(inventory, request, host)
        first_seen = None
        if db is not None:
            ledger = open_reader(db)
            if ledger is None:
                raise UserError(f"--db {db}: no such ledger")
            with ledger:
                first_seen = ledger.first_seen()
    except (PolicyError, PluginError, LedgerError) as exc:
        raise UserError(str(exc)) from None
    texts = _texts(inventory.root, {p: "" for p in result.files})
    baseline_file = _baseline_source(baseline_path, inventory.policy, inventory.root)
    found = R.entries(result, texts, inventory.policy, day, within, baseline_file)
    try:
        repo = Repository(inventory.root)
    except GitError:
        repo = None
    found = R.with_authors(found, repo, inventory.root, first_seen)
    text = (json.dumps(R.to_json_data(found, day, within), indent=2, ensure_ascii=False) + "\n" if fmt == "json"
            else R.render_text(found, day, within))
    if output is not None:
        write_output(output, text)
    else:
        click.echo(text, nl=False)


def _baseline_source(given: Path | None, policy, root: Path) -> tuple[str, str] | None:
    """(as shown, text) of the baseline to list: --baseline, else the policy's suppressions.baseline."""
    from iacgov.policy import EMBEDDED

    path = given
    if path is None:
        value = policy.get("suppressions.baseline")
        if not isinstance(value, str) or policy.source == EMBEDDED:
            return None
        path = Path(policy.source).parent / value
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # the scan has already said why it could not be read
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = str(path)
    return shown, text
