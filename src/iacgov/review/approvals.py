"""Who approved: GitHub pull-request reviews (or ``--approved-by``) against the base policy's approvers.

``--approvals FILE`` is the JSON GitHub's "list reviews for a pull request"
API returns (``GET /repos/{owner}/{repo}/pulls/{n}/reviews``, every page
concatenated into one array), or GitLab's merge request approvals object
(``GET /projects/:id/merge_requests/:iid/approvals``, recognised by its
``approved_by``; read by :mod:`iacgov.review.approvals_gitlab`). As on GitHub, ``COMMENTED`` and ``PENDING``
reviews change nothing; for each user only the latest of their other
reviews counts (a ``CHANGES_REQUESTED`` or ``DISMISSED`` after an approval
withdraws it). An approval counts for an authority when its login is listed
in the base policy's ``approvers.<authority>`` (logins compare without case,
as GitHub's do; a leading ``@`` is ignored). Team entries (``@org/team``)
count through ``--teams FILE``: one JSON object, team slug -> its members as
GitHub's ``GET /orgs/{org}/teams/{team}/members`` returns them (a list of
``{"login": ...}``; plain login strings are accepted too), e.g.
``{"acme/platform-leads": [{"login": "alice"}]}``. Without it a team entry
matches no one (and the report says so). A login listed under
``approvers.provider`` (directly or through a team) is one of the provider's
people: their approval never counts for the company, even if they are also
listed under ``cto``. With ``approvals.require_head_commit``, an approval of
an older commit is stale and does not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from iacgov.userfiles import read_json
from iacgov.review.model import PROVIDER, ApprovalState

MAX_BYTES = 16 * 1024 * 1024
COUNTED_STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})


class ApprovalsError(Exception):
    """The approvals file cannot be used: one line, exit 2."""


@dataclass(frozen=True)
class ReviewRecord:
    login: str
    state: str
    commit_id: str | None
    submitted_at: str
    order: int  # position in the file, for equal timestamps


@dataclass(frozen=True)
class Approval:
    login: str
    commit_id: str | None
    stale: bool  # approved an older commit while the head commit is required
    source: str  # "github review" | "--approved-by"


def load_reviews(path: Path) -> list[ReviewRecord]:
    data = read_json(path, f"--approvals {path}", MAX_BYTES, f"larger than {MAX_BYTES // (1024 * 1024)} MiB",
                     ApprovalsError)
    from iacgov.review.approvals_gitlab import gitlab_records, is_gitlab_approvals  # it imports this module

    if is_gitlab_approvals(data):
        return gitlab_records(data, path)  # of no known commit: see approvals_gitlab
    if isinstance(data, Mapping) and isinstance(data.get("reviews"), list):
        data = data["reviews"]  # GraphQL-style or wrapped exports
    if not isinstance(data, list):
        raise ApprovalsError(f"--approvals {path}: expected a JSON array of reviews (GitHub's list reviews API)")
    records = []
    for i, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise ApprovalsError(f"--approvals {path}: review {i} is not an object")
        user = item.get("user")
        login = user.get("login") if isinstance(user, Mapping) else None
        state = item.get("state")
        if not isinstance(state, str):
            raise ApprovalsError(f"--approvals {path}: review {i} has no 'state'")
        if not isinstance(login, str) or not login:
            continue  # a deleted ("ghost") account approves nothing
        submitted = item.get("submitted_at")
        commit = item.get("commit_id")
        records.append(ReviewRecord(login, state.upper(), commit if isinstance(commit, str) else None,
                                    submitted if isinstance(submitted, str) else "", i))
    return records


def latest_approvals(records: Iterable[ReviewRecord], head_sha: str, require_head_commit: bool) -> dict[str, Approval]:
    """Login (lower case) -> approval, for users whose latest counted review approves."""
    latest: dict[str, ReviewRecord] = {}
    for record in sorted(records, key=lambda r: (r.submitted_at, r.order)):
        if record.state in COUNTED_STATES:
            latest[record.login.lower()] = record
    out = {}
    for login, record in latest.items():
        if record.state == "APPROVED":
            stale = require_head_commit and record.commit_id != head_sha
            out[login] = Approval(record.login, record.commit_id, stale, "github review")
    return out


def normalise_login(entry: str) -> str:
    return entry.strip().lstrip("@").lower()


Teams = Mapping[str, frozenset[str]]  # "org/team" (lower case) -> member logins (lower case)


def is_team(entry: str) -> bool:
    return "/" in normalise_login(entry)


def members(entry: str, teams: Teams) -> frozenset[str]:
    """The logins an ``approvers`` entry stands for (a team without --teams: nobody)."""
    name = normalise_login(entry)
    return teams.get(name, frozenset()) if "/" in name else frozenset({name})


def provider_people(policy: Any, teams: Teams = {}) -> frozenset[str]:
    """Logins listed under ``approvers.provider``: never a company approval."""
    return frozenset(login for x in (policy.get("approvers.provider") or ()) for login in members(str(x), teams))


def approval_states(authorities: Iterable[str], policy: Any, approvals: Mapping[str, Approval],
                    teams: Teams = {}) -> list[ApprovalState]:
    """For every authority that must approve (``provider`` never needs to), who may and who did."""
    out = []
    excluded = provider_people(policy, teams)
    for authority in sorted(set(authorities) - {PROVIDER}, key=lambda a: ("cto", "strategic").index(a)
                            if a in ("cto", "strategic") else 9):
        listed = tuple(str(x) for x in (policy.get(f"approvers.{authority}") or ()))
        logins = [login for x in listed for login in sorted(members(x, teams))]
        approved = tuple(approvals[login].login for login in logins
                         if login in approvals and not approvals[login].stale and login not in excluded)
        out.append(ApprovalState(authority, listed, tuple(dict.fromkeys(approved))))
    return out


def ignored_approvals(policy: Any, approvals: Mapping[str, Approval], teams: Teams = {}) -> list[str]:
    """Why some approvals do not count (stale, the provider's, approver not in the policy), for the report."""
    entries = [str(x) for authority, values in (policy.get("approvers") or {}).items() if authority != PROVIDER
               for x in values or ()]
    listed = {login for x in entries for login in members(x, teams)}
    excluded = provider_people(policy, teams)
    notes = []
    for login, approval in sorted(approvals.items()):
        if approval.stale:
            commit = (approval.commit_id or "unknown commit")[:12]
            notes.append(f"{approval.login}: approved {commit}, not the head commit (approvals.require_head_commit)")
        elif login in excluded:
            notes.append(f"{approval.login}: approved, but is one of the provider's people (approvers.provider): "
                         "never counted as the company's approval")
        elif login not in listed:
            notes.append(f"{approval.login}: approved, but is not listed in the base policy's approvers")
    unresolved = sorted({normalise_login(x) for x in entries if is_team(x) and normalise_login(x) not in teams})
    for team in unresolved:
        notes.append(f"@{team}: a team matches no one without its members (iacgov review --teams FILE)")
    return notes


def load_teams(path: Path) -> dict[str, frozenset[str]]:
    """``--teams FILE``: {"org/team": [{"login": ...}, ...]} (GitHub's team members API per team)."""
    data = read_json(path, f"--teams {path}", MAX_BYTES, f"larger than {MAX_BYTES // (1024 * 1024)} MiB",
                     ApprovalsError)
    if not isinstance(data, Mapping):
        raise ApprovalsError(f"--teams {path}: expected a JSON object, team slug (org/team) -> its members")
    out = {}
    for team, people in data.items():
        name = normalise_login(str(team))
        if name.count("/") != 1 or not all(name.split("/")):
            raise ApprovalsError(f"--teams {path}: {team!r} is not a team slug (org/team)")
        if not isinstance(people, list):
            raise ApprovalsError(f"--teams {path}: {team}: expected a list of members ({{\"login\": ...}})")
        logins = set()
        for i, person in enumerate(people):
            login = person.get("login") if isinstance(person, Mapping) else person
            if not isinstance(login, str) or not login.strip():
                raise ApprovalsError(f"--teams {path}: {team}: member {i} has no login")
            logins.add(normalise_login(login))
        out[name] = frozenset(logins)
    return out


def cli_approvals(logins: Sequence[str]) -> dict[str, Approval]:
    return {normalise_login(x): Approval(x.strip().lstrip("@"), None, False, "--approved-by") for x in logins if x.strip()}
