"""GitLab merge-request approvals, read as the reviews ``iacgov review --approvals`` counts.

GitLab's ``GET /projects/:id/merge_requests/:iid/approvals`` answers one
object whose ``approved_by`` lists who approves the merge request now::

    {"iid": 5, "approved": false, "approvals_left": 1,
     "approved_by": [{"user": {"username": "alice", "id": 1, ...}}, ...]}

GitLab keeps no history in that list: withdrawing an approval removes the
entry, so every entry is one approval in force (state ``APPROVED``). An entry
without a user or username (a deleted account) approves nothing. The answer
does not say which commit was approved: ``commit`` is passed only by a caller
who knows approvals are of the head, i.e. a project set to remove approvals
when commits are added; otherwise the approvals carry no commit and
``approvals.require_head_commit`` counts none of them (blocked, never waved
through).

``iacgov review --approvals approvals.json`` reads this answer as it is (its
approvals then carry no commit). To say they are of the head commit, the GitLab
CI template (``templates/gitlab/iacgov.yml``) converts it to GitHub's reviews
shape with the commit::

    python -m iacgov.review.approvals_gitlab approvals.json reviews.json [--commit SHA]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence

from iacgov.review.approvals import MAX_BYTES, ApprovalsError, ReviewRecord


def is_gitlab_approvals(data: Any) -> bool:
    """GitLab's approvals object (GitHub's reviews are an array)."""
    return isinstance(data, Mapping) and "approved_by" in data


def gitlab_records(data: Any, path: Path, commit: str | None = None) -> list[ReviewRecord]:
    """One ``APPROVED`` record per user in ``approved_by``, in GitLab's order."""
    if not is_gitlab_approvals(data):
        raise ApprovalsError(f"--approvals {path}: expected GitLab's merge request approvals object "
                             "(GET /projects/:id/merge_requests/:iid/approvals) with 'approved_by'")
    entries = data["approved_by"]
    if not isinstance(entries, list):
        raise ApprovalsError(f"--approvals {path}: 'approved_by' is not a list")
    records = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise ApprovalsError(f"--approvals {path}: approved_by[{i}] is not an object")
        user = entry.get("user")
        username = user.get("username") if isinstance(user, Mapping) else None
        if not isinstance(username, str) or not username.strip():
            continue  # a deleted account approves nothing
        approved_at = entry.get("approved_at")  # newer GitLab versions only
        records.append(ReviewRecord(username.strip(), "APPROVED", commit,
                                    approved_at if isinstance(approved_at, str) else "", i))
    return records


def read_json(path: Path) -> Any:
    """The file's JSON, or an ApprovalsError naming the file (and line) and the reason."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ApprovalsError(f"--approvals {path}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise ApprovalsError(f"--approvals {path}: no such file") from None
    except OSError as exc:
        raise ApprovalsError(f"--approvals {path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ApprovalsError(f"--approvals {path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ApprovalsError(f"--approvals {path}:{exc.lineno}: invalid JSON: {exc.msg}") from None


def as_github_reviews(records: Sequence[ReviewRecord]) -> list[dict[str, Any]]:
    """GitHub's list-reviews shape, which ``--approvals`` reads."""
    return [{"user": {"login": r.login}, "state": r.state, "commit_id": r.commit_id, "submitted_at": r.submitted_at}
            for r in records]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m iacgov.review.approvals_gitlab",
        description="Convert GitLab's merge request approvals to the reviews file iacgov review --approvals reads.")
    parser.add_argument("source", type=Path, help="GitLab's answer to GET .../merge_requests/:iid/approvals")
    parser.add_argument("target", type=Path, help="where to write the reviews (GitHub's list-reviews shape)")
    parser.add_argument("--commit", metavar="SHA",
                        help="the commit the approvals are of; only when the project removes approvals "
                             "when commits are added (then they are of the head)")
    args = parser.parse_args(argv)
    try:
        records = gitlab_records(read_json(args.source), args.source, args.commit or None)
    except ApprovalsError as exc:
        print(f"iacgov: {exc}", file=sys.stderr)
        return 2
    args.target.write_text(json.dumps(as_github_reviews(records), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
