"""``iacgov history`` — replay a branch's first-parent history into the ledger, and show it per period.

Exit codes: ``0`` the history was shown; ``2`` a usage problem (not a git
repository, a bad reference or date, a ledger that is not one, another
writer holding the ledger past ``--wait``, a review file that is not a
review) — one line, no traceback.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from iacgov.commands.common import value_options
from iacgov.history.series import BY, FORMATS
from iacgov.model import ParseOptions


def parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        from iacgov.commands.common import UserError

        raise UserError(f"{option} {text!r}: expected a date YYYY-MM-DD") from None


def ledger_path(db: Path | None, repo: Path) -> Path:
    from iacgov.cache import default_dir
    from iacgov.history.ledger import default_path

    return db if db is not None else default_path(default_dir(), repo)


@click.command("history")
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True,
              help="The git repository.")
@click.option("--branch", default="HEAD", show_default=True, metavar="REF",
              help="The branch whose first-parent history is replayed.")
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False),
              help="The ledger (SQLite; default: a file per repository in the cache directory's ledger/ folder).")
@click.option("--since", metavar="DATE", help="First day shown and replayed (YYYY-MM-DD, committer date, UTC).")
@click.option("--until", metavar="DATE", help="Last day shown and replayed.")
@click.option("--by", type=click.Choice(BY), default="month", show_default=True, help="One row per period.")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@click.option("--reviews", "reviews_dir", type=click.Path(path_type=Path, file_okay=False),
              help="A folder of iacgov review --format json files (CI artifacts): their decisions and approvals "
                   "are recorded in the ledger.")
@click.option("--no-replay", is_flag=True, help="Show what the ledger holds; analyse no commit (never writes).")
@click.option("--wait", type=click.FloatRange(min=0), default=600, show_default=True,
              help="Seconds to wait for another iacgov history writing the same ledger.")
@value_options
@click.pass_context
def history(ctx: click.Context, repo: Path, branch: str, db: Path | None, since: str | None, until: str | None,
            by: str, fmt: str, output: Path | None, reviews_dir: Path | None, no_replay: bool, wait: float,
            parse_options: ParseOptions) -> None:
    """Replay the branch's history into the governance ledger (cost per environment, application and
    category, findings per family, decisions, suppressions), then show it per month, week or commit."""
    from iacgov import __version__
    from iacgov.commands.common import UserError, plugin_host, shown, write_output
    from iacgov.history.ledger import LedgerError, open_reader, open_writer
    from iacgov.history.replay import Analyser, first_parent_history, replay
    from iacgov.history.reviews import ReviewFileError, read_reviews
    from iacgov.history.series import periods, render
    from iacgov.plugins import PluginError
    from iacgov.progress import on_terminal, say
    from iacgov.review.gitrepo import GitError, Repository

    first, last = parse_day(since, "--since"), parse_day(until, "--until")
    if first and last and first > last:
        raise UserError(f"--since {first} is after --until {last}")
    path = ledger_path(db, repo)
    try:
        repository = Repository(repo)
        log = first_parent_history(repository, branch, until=last)
        shown_entries = [e for e in log if first is None or e.day >= first]
        start = log.index(shown_entries[0]) if shown_entries else len(log)
        to_replay = log[max(start - 1, 0):] if first is not None else log  # the parent too: events need it
        reviews = read_reviews(reviews_dir) if reviews_dir is not None else []
        evaluated = reused = 0
        if no_replay:
            ledger = open_reader(path)
            if ledger is None:
                raise UserError(f"ledger {path}: there is none yet (run iacgov history without --no-replay)")
        else:
            host = plugin_host(ctx)
            ledger = open_writer(path, wait=wait, created_by=f"iacgov {__version__}")
            with on_terminal(sys.stderr):
                done = replay(repository, to_replay, ledger, Analyser(host, parse_options), progress=say)
            evaluated, reused = len(done.evaluated), len(done.reused)
            for review in reviews:
                ledger.record_review(review)
        with ledger:
            records = ledger.commits([e.sha for e in shown_entries])
    except (GitError, LedgerError, ReviewFileError, PluginError) as exc:
        raise UserError(str(exc)) from None
    missing = len(shown_entries) - len(records)
    info = {"path": str(path), "evaluated": evaluated, "reused": reused}
    text = render(periods(records, by), fmt, branch=branch, by=by, ledger=info) if fmt != "csv" else \
        render(periods(records, by), fmt)
    if output is not None:
        write_output(output, text)
        click.echo(f"wrote {shown(output)}: {len(records)} commit(s), {evaluated} analysed now", err=True)
    else:
        click.echo(text, nl=False)
    if missing:
        click.echo(f"iacgov: warning: {missing} commit(s) of the range are not in the ledger (--no-replay)", err=True)
    if reviews:
        click.echo(f"iacgov: {len(reviews)} review(s) read from {shown(reviews_dir)}", err=True)
