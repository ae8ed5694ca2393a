"""What ``iacgov report --since DATE`` (or ``--db FILE``) adds to the page: the ledger's sections
(:func:`iacgov.history.html.report_section`) and the suppression register of the scanned files."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any


def with_history(page: str, data: Any, *, since: date | None, db: Path | None, today: str) -> str:
    """``page`` with the history sections, when ``since`` or ``db`` is given (else unchanged).
    Raises :class:`iacgov.history.ledger.LedgerError` for a file that is not a ledger."""
    if since is None and db is None:
        return page
    from iacgov.history import register as R
    from iacgov.history.command import ledger_path
    from iacgov.history.html import attach, report_section
    from iacgov.history.ledger import open_reader
    from iacgov.history.replay import _texts, first_parent_history
    from iacgov.review.gitrepo import GitError, Repository

    root = Path(data.result.root)
    try:
        repo = Repository(root)
    except GitError:
        repo = None
    path = ledger_path(db, root)
    records: list[Any] = []
    reviews: list[Any] = []
    ledger = open_reader(path)
    if ledger is not None:
        with ledger:
            shas = None
            if repo is not None:
                try:
                    shas = [e.sha for e in first_parent_history(repo, "HEAD")]
                except GitError:
                    shas = None
            records = ledger.commits(shas)
            reviews = ledger.reviews()
    day = date.fromisoformat(today)
    texts = _texts(root, {p: "" for p in data.result.files})
    entries = R.with_authors(R.entries(data.result, texts, data.policy, day, 30), repo, root, None)
    return attach(page, report_section(records, reviews, since, entries, str(path)))
