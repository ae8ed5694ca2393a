"""The cost envelope: per change, and per month from the base branch's history.

``cost.change_envelope`` is a number (the monthly increase one change may add
to any environment without approval) or, per environment with an optional
``default``, a number or ``{per_change: N, per_month: M}``. ``per_month``
bounds what the provider adds alone over a calendar month: the increases of
the changes already merged on the base branch since the first day of the
month, plus this change's. Splitting an increase into small pull requests no
longer escapes the CTO.

The merged changes are the base's first-parent commits (each merge or
squash is one change), each priced against its first parent, read from git
objects like the review's two commits and under the same (base) policy,
offline. Only increases count: a change that lowers an environment's cost
gives nothing back to the envelope (a revert of an increase is itself an
increase of nothing). "Now" is ``--as-of`` or the base commit's committer
date — never the machine clock, so a review says the same thing whenever it
is run again.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Mapping

from iacgov.review.gitrepo import Commit, GitError, Repository

MAX_HISTORY = 200  # first-parent commits read back at most (a month of merges on a busy branch)


@dataclass(frozen=True)
class Envelope:
    per_change: Decimal | None
    per_month: Decimal | None


@dataclass(frozen=True)
class MonthUse:
    """What an environment's monthly envelope holds before and with this change."""

    environment: str
    per_month: Decimal
    used: Decimal  # increases merged on the base since the start of the month
    changes: int  # merged changes that increased this environment
    this_change: Decimal
    since: date
    complete: bool = True  # False: the history stops before the start of the month (a shallow clone)

    @property
    def total(self) -> Decimal:
        # In cents, as each amount is shown: $137.82 + $68.91 reads $206.73, whatever the fractions of a cent.
        from iacgov.cost.model import money

        return money(self.used) + money(max(self.this_change, Decimal(0)))

    @property
    def over(self) -> bool:
        return self.this_change > 0 and self.total > self.per_month


def _amount(value: Any, base: Decimal | None = None) -> Decimal | None:
    """A number, or ``"10%"`` of ``base`` (the environment's monthly cost before the change; None: not known)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return None if base is None else base * Decimal(value.strip()[:-1]) / 100
    return Decimal(str(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def envelope_for(policy: Any, environment: str, base: Decimal | None = None) -> Envelope:
    """The envelope of one environment (both parts None: no envelope); a percentage per change is of
    ``base``, the environment's monthly cost before the change."""
    value = policy.get("cost.change_envelope") if policy is not None else None
    if isinstance(value, Mapping):
        value = value.get(environment, value.get("default"))
    if isinstance(value, Mapping):
        return Envelope(_amount(value.get("per_change"), base), _amount(value.get("per_month")))
    return Envelope(_amount(value, base), None)


def uniform_envelope(policy: Any) -> Decimal | None:
    """The one per-change envelope of every environment, when the policy writes a number."""
    value = policy.get("cost.change_envelope") if policy is not None else None
    return _amount(value)


def has_monthly(policy: Any) -> bool:
    value = policy.get("cost.change_envelope") if policy is not None else None
    return isinstance(value, Mapping) and any(isinstance(v, Mapping) and v.get("per_month") is not None
                                              for v in value.values())


def parse_as_of(text: str) -> datetime:
    """``--as-of``: a date (YYYY-MM-DD) or an ISO 8601 time; UTC when no zone is written."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--as-of {text!r}: expected a date YYYY-MM-DD or an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


Totals = Callable[[Commit, Path], Mapping[str, Decimal]]


@dataclass(frozen=True)
class History:
    used: Mapping[str, tuple[Decimal, int]]  # environment -> (increases, changes)
    since: date
    complete: bool
    note: str = ""


def merged_this_month(repo: Repository, base_sha: str, as_of: datetime | None, totals: Totals,
                      base_totals: Mapping[str, Decimal], shallow: bool = False) -> History:
    """Increases per environment of the first-parent commits of the base since the
    start of ``as_of``'s month (UTC). ``totals(commit, folder)`` prices a commit;
    ``base_totals`` is the base commit's own estimate (already computed)."""
    log = repo.first_parent_log(base_sha, MAX_HISTORY + 1)
    now = as_of or datetime.fromtimestamp(log[0][1], tz=timezone.utc)
    start = datetime(now.year, now.month, 1, tzinfo=timezone.utc)
    in_month = [row for row in log if start.timestamp() <= row[1] <= now.timestamp()]
    complete = True
    note = ""
    if len(log) > MAX_HISTORY and in_month and in_month[-1] is log[-1]:
        complete, note = False, f"more than {MAX_HISTORY} commits this month: only the latest were counted"
    elif shallow and log and not log[-1][2] and log[-1][1] >= start.timestamp():
        # The history ends inside the month: what was merged before the clone's depth is not known.
        complete, note = False, ("the base branch's history stops inside the month (a shallow clone): the month's "
                                 "merged changes are not all counted; fetch the whole history "
                                 "(actions/checkout with fetch-depth: 0)")
    used: dict[str, tuple[Decimal, int]] = {}
    cache: dict[str, Mapping[str, Decimal]] = {base_sha: base_totals}
    with tempfile.TemporaryDirectory(prefix="iacgov-month-") as tmp:
        def priced(sha: str) -> Mapping[str, Decimal]:
            if sha not in cache:
                folder = Path(tmp, sha)
                folder.mkdir()
                cache[sha] = totals(repo.commit(sha, "--base history"), folder)
            return cache[sha]

        for sha, _, parents in in_month:
            if not parents:
                continue  # the first commit of the repository adds the estate, not a change
            try:
                after, before = priced(sha), priced(parents[0])
            except GitError:
                complete, note = False, (f"the history stops at {sha[:12]} (a shallow clone: fetch the whole "
                                         "history, actions/checkout's fetch-depth: 0)")
                break
            for env in set(after) | set(before):
                delta = after.get(env, Decimal(0)) - before.get(env, Decimal(0))
                if delta > 0:
                    amount, n = used.get(env, (Decimal(0), 0))
                    used[env] = (amount + delta, n + 1)
    return History(used, start.date(), complete, note)


def month_uses(policy: Any, environments: Mapping[str, Decimal], history: History | None) -> list[MonthUse]:
    """For each environment with a ``per_month`` envelope (``environments``: this change's delta per
    environment), what the month holds."""
    out = []
    if history is None:
        return out
    names = set(environments) | set(history.used)
    for env in sorted(names):
        envelope = envelope_for(policy, env)
        if envelope.per_month is None:
            continue
        used, n = history.used.get(env, (Decimal(0), 0))
        out.append(MonthUse(env, envelope.per_month, used, n, environments.get(env, Decimal(0)), history.since,
                            history.complete))
    return out
