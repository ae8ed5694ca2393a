"""Review results CI kept as artifacts (``iacgov review --format json`` files), fed into the ledger.

``iacgov history --reviews DIR`` reads every ``*.json`` file of DIR (not its
subfolders), checks its shape (the keys documented in
:mod:`iacgov.review.render_json`, ``version`` 1) and records each review by
its head commit: the verdict, every decision with its authority, and who
approved. A file that is not a review is an error naming the file and what
is wrong; nothing is recorded then.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from iacgov.history.ledger import ReviewRecord

MAX_REVIEW_BYTES = 32 * 1024 * 1024
_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


class ReviewFileError(Exception):
    """A review file that cannot be read: one line naming it."""


def _need(doc: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(doc, dict) or key not in doc:
        raise ReviewFileError(f"{where}: no '{key}' key (is it iacgov review --format json?)")
    value = doc[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise ReviewFileError(f"{where}: '{key}' has the wrong type")
    return value


def read_review(path: Path) -> ReviewRecord:
    try:
        if path.stat().st_size > MAX_REVIEW_BYTES:
            raise ReviewFileError(f"{path}: larger than {MAX_REVIEW_BYTES // 2**20} MiB, not a review")
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReviewFileError(f"{path}: cannot be read ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ReviewFileError(f"{path}{f':{line}' if line else ''}: not JSON ({exc})") from None
    where = str(path)
    if _need(doc, "version", int, where) != 1:
        raise ReviewFileError(f"{where}: review JSON version {doc['version']}, this iacgov reads version 1")
    shas = []
    for side in ("base", "head"):
        sha = _need(_need(doc, side, dict, where), "sha", str, f"{where}: {side}")
        if not _SHA.fullmatch(sha):
            raise ReviewFileError(f"{where}: {side}.sha is not a commit ID: {sha[:50]!r}")
        shas.append(sha)
    verdict = _need(doc, "verdict", str, where)
    code = _need(doc, "exit_code", int, where)
    decisions = []
    for i, change in enumerate(_need(doc, "changes", list, where)):
        here = f"{where}: changes[{i}]"
        decisions.append(tuple(str(_need(change, k, str, here)) for k in
                               ("code", "change_class", "authority", "address", "detail")))
    approvals = []
    for i, item in enumerate(_need(doc, "required_approvals", list, where)):
        here = f"{where}: required_approvals[{i}]"
        approvals.append((_need(item, "authority", str, here),
                          tuple(str(x) for x in _need(item, "approvers", list, here)),
                          tuple(str(x) for x in _need(item, "approved_by", list, here)),
                          bool(_need(item, "satisfied", bool, here))))
    return ReviewRecord(shas[1], shas[0], verdict, code, path.name, tuple(sorted(decisions)),  # type: ignore[arg-type]
                        tuple(approvals))


def read_reviews(folder: Path) -> list[ReviewRecord]:
    if not folder.is_dir():
        raise ReviewFileError(f"--reviews {folder}: no such directory")
    return [read_review(p) for p in sorted(folder.glob("*.json")) if p.is_file()]
