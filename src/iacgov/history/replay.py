"""Replay a branch's first-parent history into the ledger.

Each commit is read from git objects (:class:`iacgov.review.gitrepo.Repository`,
never the working tree), copied into a temporary folder and analysed as
``iacgov report`` analyses a folder (:func:`iacgov.report.collect.collect`:
one parse, the rules and the cost estimate, under the commit's *own*
policy), with the parse cache, so an unchanged file is parsed once for the
whole history. Its change classes and their authorities come from the
provider review of the commit against its first parent
(:func:`iacgov.review.run.run_review`, the base policy deciding); the first
commit of the branch has none. "Today" for suppression expiry is the
commit's date, never the machine clock.

Incremental: a commit already in the ledger is not analysed again (the
figures of a commit never change: they depend on its tree and on iacgov's
rules, and an upgrade that changes them is a new ledger).
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from iacgov.history.ledger import CommitRecord, Event, Ledger, Suppressed
from iacgov.review.gitrepo import GitError, Repository

MAX_COMMITS = 20_000  # first-parent commits read back at most
_SEP = "\x1f"
_COMMENTED = (".tf", ".hcl", ".yaml", ".yml", ".template")


@dataclass(frozen=True)
class LogEntry:
    sha: str
    parents: tuple[str, ...]
    committed_at: int
    author: str
    subject: str

    @property
    def day(self) -> date:
        return datetime.fromtimestamp(self.committed_at, tz=timezone.utc).date()


def first_parent_history(repo: Repository, ref: str, *, since: date | None = None, until: date | None = None,
                         option: str = "--branch") -> list[LogEntry]:
    """The first-parent commits of ``ref``, oldest first, within [since, until] (UTC days of the committer date)."""
    sha = repo.resolve(ref, option)
    out = repo._git("log", "--first-parent", f"--max-count={MAX_COMMITS}",  # noqa: SLF001 - the review's reader
                    f"--format=%H{_SEP}%P{_SEP}%ct{_SEP}%an{_SEP}%s", sha, "--",
                    what=f"cannot read the history of {ref}")
    rows = []
    for line in out.decode("utf-8", "replace").splitlines():
        parts = line.split(_SEP)
        if len(parts) != 5 or not parts[2].isdigit():
            continue
        entry = LogEntry(parts[0], tuple(parts[1].split()), int(parts[2]), parts[3], parts[4])
        if (since is None or entry.day >= since) and (until is None or entry.day <= until):
            rows.append(entry)
    rows.reverse()
    return rows


@dataclass
class Replay:
    """What one replay did: the commits it analysed and those the ledger already had."""

    evaluated: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


Analyse = Callable[[Repository, LogEntry, "CommitRecord | None"], CommitRecord]


def replay(repo: Repository, entries: Sequence[LogEntry], ledger: Ledger, analyse: Analyse,
           progress: Callable[[str], None] | None = None) -> Replay:
    """Record every entry the ledger does not have yet, oldest first."""
    done = Replay()
    known = ledger.known(e.sha for e in entries)
    parents = {p for e in entries if e.parents for p in e.parents[:1]}
    known_parents = ledger.known(parents)
    for n, entry in enumerate(entries, 1):
        if entry.sha in known:
            done.reused.append(entry.sha)
            continue
        if progress is not None:
            progress(f"commit {n}/{len(entries)} {entry.sha[:12]}")
        parent = None
        if entry.parents and (entry.parents[0] in known or entry.parents[0] in known_parents):
            parent = ledger.commit(entry.parents[0])
        record = analyse(repo, entry, parent)
        ledger.record(record)
        known.add(entry.sha)
        done.evaluated.append(entry.sha)
        done.problems.extend(f"{entry.sha[:12]}: {p}" for p in record.problems)
    return done


# --------------------------------------------------------------------------- one commit


@dataclass(frozen=True)
class Analyser:
    """Analyses one commit (the callable :func:`replay` takes): ``host`` and
    ``options`` as for a scan (``options.cache_dir``: the parse cache)."""

    host: Any
    options: Any
    classify: bool = True  # the change classes against the first parent (a provider review per commit)

    def __call__(self, repo: Repository, entry: LogEntry, parent: CommitRecord | None) -> CommitRecord:
        from iacgov.cost.catalog import CostConfigError
        from iacgov.engine import ScanRequest
        from iacgov.policy import PolicyError
        from iacgov.report.collect import collect

        problems: list[str] = []
        with tempfile.TemporaryDirectory(prefix="iacgov-history-") as tmp:
            folder = Path(tmp, "tree")
            folder.mkdir()
            commit = repo.commit(entry.sha, "--branch")
            written = repo.materialise(commit, folder)
            problems += [str(s) for s in written.skipped]
            request = ScanRequest((folder,), self.options, None, folder, today=entry.day)
            try:
                data = collect(request, self.host)
            except (PolicyError, CostConfigError) as exc:
                problems.append(_strip(str(exc), folder))
                return _empty(entry, problems)
            texts = _texts(folder, written.written)
        sups = _suppressions(texts, data.result.resources)
        events = _events(sups, parent, entry) if parent is not None else tuple(Event("opened", s) for s in sups)
        changes: dict[tuple[str, str], tuple[int, str]] = {}
        if self.classify and entry.parents:
            changes = self._changes(repo, entry, problems)
        unread = [n for n in data.result.notifications if n.scope is not None]
        problems += [f"{n.location.path}: {n.message}" for n in unread][:20]
        problems += list(data.result.errors)
        est = data.estimate
        return CommitRecord(
            sha=entry.sha, parents=entry.parents, committed_at=entry.committed_at, author=entry.author,
            subject=entry.subject, policy=_strip(data.policy_source, folder), currency=est.currency,
            total=est.total_monthly, files=len(data.result.files), resources=len(data.result.resources),
            unpriced=len(est.unpriced), complete=data.result.coverage.complete and not data.result.errors,
            problems=tuple(problems), costs=costs_of(est, data.result.resources, data.policy),
            findings=findings_of(data.result.findings), changes=changes, suppressions=sups, events=events)

    def _changes(self, repo: Repository, entry: LogEntry, problems: list[str]) -> dict[tuple[str, str], tuple[int, str]]:
        from iacgov.review.run import ReviewError, ReviewRequest, run_review

        request = ReviewRequest(repo=repo.directory, base=entry.parents[0], head=entry.sha, options=self.options,
                                today=entry.day)
        try:
            review = run_review(request, self.host)
        except (ReviewError, GitError) as exc:
            problems.append(f"change classes not known: {exc}")
            return {}
        out: dict[tuple[str, str], tuple[int, str]] = {}
        for d in review.decisions:
            n, first = out.get((d.change_class, d.authority), (0, f"{d.address}: {d.detail}"))
            out[(d.change_class, d.authority)] = (n + 1, first)
        return out


def _empty(entry: LogEntry, problems: list[str]) -> CommitRecord:
    return CommitRecord(sha=entry.sha, parents=entry.parents, committed_at=entry.committed_at, author=entry.author,
                        subject=entry.subject, policy="", currency="USD", total=Decimal(0), files=0, resources=0,
                        unpriced=0, complete=False, problems=tuple(problems))


def _strip(text: str, folder: Path) -> str:
    for form in (str(folder.resolve()) + "/", str(folder) + "/", str(folder.resolve()), str(folder)):
        text = text.replace(form, "")
    return text


def costs_of(est: Any, resources: Sequence[Any], policy: Any) -> dict[tuple[str, str], Decimal]:
    """(dimension, name) -> monthly: environment, application, category and cloud."""
    from iacgov.cost.grouping import group

    out: dict[tuple[str, str], Decimal] = {}
    for dimension in ("environment", "application", "category", "cloud"):
        for (name,), amount in group(est, (dimension,), resources, policy).totals.items():
            out[(dimension, name)] = amount
    for env, amount in est.by_environment.items():  # environments with only free resources too
        out.setdefault(("environment", env), amount)
    return out


def findings_of(findings: Sequence[Any]) -> dict[tuple[str, str], tuple[int, int]]:
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for f in findings:
        counts[(f.family, f.severity.value)][0 if f.suppression is None else 1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(counts.items())}


def _texts(folder: Path, written: Mapping[str, str]) -> dict[str, str]:
    from iacgov.suppressions import MAX_SOURCE_CHARS

    out = {}
    for path in written:
        if PurePosixPath(path).suffix.lower() in _COMMENTED:
            try:
                data = (folder / path).read_bytes()[:MAX_SOURCE_CHARS + 1]
            except OSError:
                continue
            out[path] = data.decode("utf-8-sig", errors="replace")
    return out


def _suppressions(texts: Mapping[str, str], resources: Sequence[Any]) -> tuple[Suppressed, ...]:
    from iacgov.suppressions import collect_suppressions

    out = {}
    for s in collect_suppressions(texts, resources):
        item = Suppressed(s.code, s.file, s.line, s.address or s.target, s.kind, s.reason, s.expires, s.problem)
        out[(s.file, s.line, s.code, s.kind)] = item
    return tuple(out[k] for k in sorted(out))


def _events(now: Sequence[Suppressed], parent: CommitRecord, entry: LogEntry) -> tuple[Event, ...]:
    """Opened (not in the parent), extended (a later or no expiry), expired (its last day fell since the parent)."""
    before = {s.key: s for s in parent.suppressions}
    parent_day = datetime.fromtimestamp(parent.committed_at, tz=timezone.utc).date().isoformat()
    today = entry.day.isoformat()
    out = []
    for s in now:
        old = before.get(s.key)
        if old is None:
            out.append(Event("opened", s))
        elif old.expires is not None and (s.expires is None or s.expires > old.expires):
            out.append(Event("extended", s, old.expires))
        if s.expires is not None and parent_day <= s.expires < today:
            out.append(Event("expired", s))
    return tuple(sorted(out, key=lambda e: (e.event, e.suppression.file, e.suppression.line, e.suppression.code)))


def counts(records: Sequence[CommitRecord]) -> Counter[str]:
    """Suppression events of ``records`` by kind."""
    return Counter(e.event for r in records for e in r.events)
