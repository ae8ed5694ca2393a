"""The governance ledger: what ``iacgov history`` learnt about each commit, in SQLite.

One file per repository (``<cache dir>/ledger/<repository>-<hash>.sqlite``,
or ``--db FILE``). The schema (``PRAGMA user_version`` = :data:`SCHEMA`,
``PRAGMA application_id`` = :data:`APPLICATION_ID`, "iacg")::

    meta(key TEXT PRIMARY KEY, value TEXT)
        -- 'application' = 'iacgov-ledger', 'created_by' = the iacgov version that created it
    commits(sha TEXT PRIMARY KEY, parents TEXT,          -- parents separated by spaces, first parent first
            committed_at INTEGER, author TEXT, subject TEXT, -- committer time (UTC seconds), author name
            policy TEXT, currency TEXT, total TEXT,      -- the commit's own policy; monthly total (decimal)
            files INTEGER, resources INTEGER, unpriced INTEGER, complete INTEGER,
            problems TEXT)                               -- JSON list: what could not be read or priced
    costs(sha, dimension, name, monthly TEXT)            -- dimension: environment | application | category | cloud
    findings(sha, family, severity, active INTEGER, suppressed INTEGER)
    changes(sha, change_class, authority, count INTEGER, first TEXT)   -- against the first parent (review)
    suppressions(sha, code, file, line, address, kind, reason, expires, problem)  -- as written in the commit
    suppression_events(sha, event, code, file, line, address, kind, reason, expires, previous)
        -- event: opened | extended | expired (against the first parent)
    reviews(head_sha TEXT PRIMARY KEY, base_sha, verdict, exit_code, source)   -- schema 2: review JSON fed in
    review_decisions(head_sha, code, change_class, authority, address, detail)
    review_approvals(head_sha, authority, approvers TEXT, approved_by TEXT, satisfied INTEGER)

Amounts are exact decimals written as text; every per-commit table has its
``sha`` in the primary key and references ``commits``. A commit is recorded
in one transaction, all its rows or none.

Concurrency: the database is in WAL mode, so readers (``iacgov report``,
``iacgov history`` answering from the ledger) are never blocked. Writers
take an exclusive lock on ``FILE.lock`` (``flock``) for the whole replay,
waiting up to ``wait`` seconds for another writer; each commit is then
written with ``BEGIN IMMEDIATE`` under a busy timeout.

Opening refuses — with a message, never touching the file — anything that
is not a ledger: a file that is not SQLite (or is damaged: ``quick_check``),
a SQLite database of another application, or one written by a newer iacgov.
An older schema is migrated in place by a writer (:data:`MIGRATIONS`), in
one transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from hashlib import blake2b
from pathlib import Path
from typing import Any

SCHEMA = 2
APPLICATION_ID = 0x69616367  # "iacg"
MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
LEDGER_FOLDER = "ledger"

_V1 = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE commits(
    sha TEXT PRIMARY KEY, parents TEXT NOT NULL, committed_at INTEGER NOT NULL, author TEXT NOT NULL,
    subject TEXT NOT NULL, policy TEXT NOT NULL, currency TEXT NOT NULL, total TEXT NOT NULL,
    files INTEGER NOT NULL, resources INTEGER NOT NULL, unpriced INTEGER NOT NULL, complete INTEGER NOT NULL,
    problems TEXT NOT NULL);
CREATE INDEX commits_time ON commits(committed_at);
CREATE TABLE costs(sha TEXT NOT NULL REFERENCES commits(sha), dimension TEXT NOT NULL, name TEXT NOT NULL,
    monthly TEXT NOT NULL, PRIMARY KEY(sha, dimension, name));
CREATE TABLE findings(sha TEXT NOT NULL REFERENCES commits(sha), family TEXT NOT NULL, severity TEXT NOT NULL,
    active INTEGER NOT NULL, suppressed INTEGER NOT NULL, PRIMARY KEY(sha, family, severity));
CREATE TABLE changes(sha TEXT NOT NULL REFERENCES commits(sha), change_class TEXT NOT NULL, authority TEXT NOT NULL,
    count INTEGER NOT NULL, first TEXT NOT NULL, PRIMARY KEY(sha, change_class, authority));
CREATE TABLE suppressions(sha TEXT NOT NULL REFERENCES commits(sha), code TEXT NOT NULL, file TEXT NOT NULL,
    line INTEGER NOT NULL, address TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT, expires TEXT, problem TEXT,
    PRIMARY KEY(sha, file, line, code, kind));
CREATE TABLE suppression_events(sha TEXT NOT NULL REFERENCES commits(sha), event TEXT NOT NULL, code TEXT NOT NULL,
    file TEXT NOT NULL, line INTEGER NOT NULL, address TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT,
    expires TEXT, previous TEXT, PRIMARY KEY(sha, event, file, line, code, kind));
"""

_V2 = """
CREATE TABLE reviews(head_sha TEXT PRIMARY KEY, base_sha TEXT NOT NULL, verdict TEXT NOT NULL,
    exit_code INTEGER NOT NULL, source TEXT NOT NULL);
CREATE TABLE review_decisions(head_sha TEXT NOT NULL REFERENCES reviews(head_sha), code TEXT NOT NULL,
    change_class TEXT NOT NULL, authority TEXT NOT NULL, address TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE review_approvals(head_sha TEXT NOT NULL REFERENCES reviews(head_sha), authority TEXT NOT NULL,
    approvers TEXT NOT NULL, approved_by TEXT NOT NULL, satisfied INTEGER NOT NULL,
    PRIMARY KEY(head_sha, authority));
"""

# From schema N to N+1: the statements to run. A new schema adds a step here, never edits an old one.
MIGRATIONS: Mapping[int, str] = {0: _V1, 1: _V2}


class LedgerError(Exception):
    """A ledger that cannot be used (foreign, corrupt, newer, locked): one line, exit 2."""


@dataclass(frozen=True)
class Suppressed:
    """One suppression as written in a commit (or an event about it)."""

    code: str
    file: str
    line: int
    address: str
    kind: str
    reason: str | None
    expires: str | None
    problem: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Stable across commits (the line moves when code is added above it)."""
        return (self.file, self.address, self.code, self.kind)


@dataclass(frozen=True)
class Event:
    event: str  # opened | extended | expired
    suppression: Suppressed
    previous: str | None = None  # extended: the expiry before


@dataclass(frozen=True)
class CommitRecord:
    """Everything the ledger keeps about one commit."""

    sha: str
    parents: tuple[str, ...]
    committed_at: int
    author: str
    subject: str
    policy: str
    currency: str
    total: Decimal
    files: int
    resources: int
    unpriced: int
    complete: bool
    problems: tuple[str, ...] = ()
    costs: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)  # (dimension, name) -> monthly
    findings: Mapping[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # (family, severity) -> n
    changes: Mapping[tuple[str, str], tuple[int, str]] = field(default_factory=dict)  # (class, authority) -> n, first
    suppressions: tuple[Suppressed, ...] = ()
    events: tuple[Event, ...] = ()

    def cost(self, dimension: str) -> dict[str, Decimal]:
        return {name: amount for (dim, name), amount in sorted(self.costs.items()) if dim == dimension}


@dataclass(frozen=True)
class ReviewRecord:
    head_sha: str
    base_sha: str
    verdict: str
    exit_code: int
    source: str
    decisions: tuple[tuple[str, str, str, str, str], ...] = ()  # code, class, authority, address, detail
    approvals: tuple[tuple[str, tuple[str, ...], tuple[str, ...], bool], ...] = ()  # authority, may, by, satisfied


def default_path(cache_dir: Path, repository: Path) -> Path:
    """``<cache>/ledger/<name>-<hash of the repository's real path>.sqlite``."""
    real = repository.resolve()
    digest = blake2b(os.fsencode(real), digest_size=8).hexdigest()
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in (real.name or "root"))[:40]
    return cache_dir / LEDGER_FOLDER / f"{name}-{digest}.sqlite"


def _refuse(path: Path, why: str) -> LedgerError:
    return LedgerError(f"ledger {path}: {why}; the file is left as it is (give another --db FILE)")


def _inspect(path: Path) -> bool:
    """Whether ``path`` holds data (False: missing or empty, a new ledger); raises if it is not ours."""
    if not path.exists() and not path.is_symlink():
        return False
    if path.is_symlink() or not path.is_file():
        raise _refuse(path, "not a regular file")
    try:
        with path.open("rb") as fh:
            head = fh.read(len(MAGIC))
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({exc.strerror})") from None
    if not head:
        return False
    if head != MAGIC:
        raise _refuse(path, "not an iacgov ledger (not a SQLite database)")
    return True


def _check(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of an existing database, after checking it is a ledger and intact."""
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        if app != APPLICATION_ID:
            if app == 0 and version == 0 and not tables:
                return 0  # an empty SQLite file: a new ledger
            raise _refuse(path, "a SQLite database of another application, not an iacgov ledger")
        status = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise _refuse(path, f"damaged or not a SQLite database ({exc})") from None
    if status != "ok":
        raise _refuse(path, f"damaged ({status})")
    if version > SCHEMA:
        raise _refuse(path, f"written by a newer iacgov (schema {version}, this one reads up to {SCHEMA})")
    return version


class Ledger:
    """An open ledger. Use :func:`open_reader` or :func:`open_writer`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, writable: bool, lock: Any = None) -> None:
        self.path = path
        self.conn = conn
        self.writable = writable
        self._lock = lock

    def close(self) -> None:
        self.conn.close()
        if self._lock is not None:
            self._lock.close()  # closing the descriptor releases the flock
            self._lock = None

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if not self.writable:
            raise LedgerError(f"ledger {self.path}: opened for reading")
        self.conn.execute("BEGIN IMMEDIATE")  # waits busy_timeout for another connection's write
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def record(self, rec: CommitRecord) -> None:
        """Write one commit, all its rows or none (a commit already there is left as it is)."""
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM commits WHERE sha=?", (rec.sha,)).fetchone():
                return
            db.execute("INSERT INTO commits VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", (
                rec.sha, " ".join(rec.parents), rec.committed_at, rec.author, rec.subject, rec.policy, rec.currency,
                str(rec.total), rec.files, rec.resources, rec.unpriced, int(rec.complete), json.dumps(rec.problems)))
            db.executemany("INSERT INTO costs VALUES (?,?,?,?)",
                           [(rec.sha, dim, name, str(v)) for (dim, name), v in sorted(rec.costs.items())])
            db.executemany("INSERT INTO findings VALUES (?,?,?,?,?)",
                           [(rec.sha, fam, sev, a, s) for (fam, sev), (a, s) in sorted(rec.findings.items())])
            db.executemany("INSERT INTO changes VALUES (?,?,?,?,?)",
                           [(rec.sha, cls, auth, n, first) for (cls, auth), (n, first) in sorted(rec.changes.items())])
            db.executemany("INSERT OR IGNORE INTO suppressions VALUES (?,?,?,?,?,?,?,?,?)",
                           [(rec.sha, s.code, s.file, s.line, s.address, s.kind, s.reason, s.expires, s.problem)
                            for s in rec.suppressions])
            db.executemany("INSERT OR IGNORE INTO suppression_events VALUES (?,?,?,?,?,?,?,?,?,?)",
                           [(rec.sha, e.event, e.suppression.code, e.suppression.file, e.suppression.line,
                             e.suppression.address, e.suppression.kind, e.suppression.reason, e.suppression.expires,
                             e.previous) for e in rec.events])

    def record_review(self, rev: ReviewRecord) -> bool:
        """Keep a review fed in (``--reviews``); False when that head was already recorded."""
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM reviews WHERE head_sha=?", (rev.head_sha,)).fetchone():
                return False
            db.execute("INSERT INTO reviews VALUES (?,?,?,?,?)",
                       (rev.head_sha, rev.base_sha, rev.verdict, rev.exit_code, rev.source))
            db.executemany("INSERT INTO review_decisions VALUES (?,?,?,?,?,?)",
                           [(rev.head_sha, *d) for d in rev.decisions])
            db.executemany("INSERT OR REPLACE INTO review_approvals VALUES (?,?,?,?,?)",
                           [(rev.head_sha, a, json.dumps(list(may)), json.dumps(list(by)), int(ok))
                            for a, may, by, ok in rev.approvals])
        return True

    # -- reading -------------------------------------------------------------------

    def known(self, shas: Iterable[str]) -> set[str]:
        wanted = list(shas)
        found: set[str] = set()
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            rows = self.conn.execute(f"SELECT sha FROM commits WHERE sha IN ({','.join('?' * len(chunk))})", chunk)
            found.update(r[0] for r in rows)
        return found

    def commit(self, sha: str) -> CommitRecord | None:
        found = self.commits([sha])
        return found[0] if found else None

    def commits(self, shas: Sequence[str] | None = None) -> list[CommitRecord]:
        """The recorded commits (``shas``: those, in that order; else all, oldest first)."""
        db = self.conn
        if shas is None:
            rows = db.execute("SELECT * FROM commits ORDER BY committed_at, rowid").fetchall()
        else:
            by_sha = {}
            for i in range(0, len(shas), 500):
                chunk = list(shas[i:i + 500])
                for row in db.execute(f"SELECT * FROM commits WHERE sha IN ({','.join('?' * len(chunk))})", chunk):
                    by_sha[row[0]] = row
            rows = [by_sha[s] for s in shas if s in by_sha]
        out = []
        for row in rows:
            sha = row[0]
            costs = {(d, n): Decimal(m) for d, n, m in
                     db.execute("SELECT dimension, name, monthly FROM costs WHERE sha=?", (sha,))}
            findings = {(f, s): (a, x) for f, s, a, x in
                        db.execute("SELECT family, severity, active, suppressed FROM findings WHERE sha=?", (sha,))}
            changes = {(c, a): (n, first) for c, a, n, first in
                       db.execute("SELECT change_class, authority, count, first FROM changes WHERE sha=?", (sha,))}
            sups = tuple(Suppressed(*r) for r in db.execute(
                "SELECT code, file, line, address, kind, reason, expires, problem FROM suppressions WHERE sha=? "
                "ORDER BY file, line, code", (sha,)))
            events = tuple(Event(r[0], Suppressed(*r[1:8]), r[8]) for r in db.execute(
                "SELECT event, code, file, line, address, kind, reason, expires, previous FROM suppression_events "
                "WHERE sha=? ORDER BY event, file, line, code", (sha,)))
            out.append(CommitRecord(
                sha=sha, parents=tuple(row[1].split()), committed_at=row[2], author=row[3], subject=row[4],
                policy=row[5], currency=row[6], total=Decimal(row[7]), files=row[8], resources=row[9],
                unpriced=row[10], complete=bool(row[11]), problems=tuple(json.loads(row[12])), costs=costs,
                findings=findings, changes=changes, suppressions=sups, events=events))
        return out

    def reviews(self) -> list[ReviewRecord]:
        out = []
        for head, base, verdict, code, source in self.conn.execute("SELECT * FROM reviews ORDER BY head_sha"):
            decisions = tuple(tuple(r) for r in self.conn.execute(
                "SELECT code, change_class, authority, address, detail FROM review_decisions WHERE head_sha=? "
                "ORDER BY code, address", (head,)))
            approvals = tuple((a, tuple(json.loads(may)), tuple(json.loads(by)), bool(ok)) for a, may, by, ok in
                              self.conn.execute("SELECT authority, approvers, approved_by, satisfied FROM "
                                                "review_approvals WHERE head_sha=? ORDER BY authority", (head,)))
            out.append(ReviewRecord(head, base, verdict, code, source, decisions, approvals))  # type: ignore[arg-type]
        return out

    def first_seen(self) -> dict[tuple[str, str, str, str], tuple[str, int, str]]:
        """Suppression key -> (sha, time, author) of the earliest recorded commit that has it written."""
        out: dict[tuple[str, str, str, str], tuple[str, int, str]] = {}
        rows = self.conn.execute(
            "SELECT s.file, s.address, s.code, s.kind, c.sha, c.committed_at, c.author FROM suppressions s "
            "JOIN commits c ON c.sha = s.sha ORDER BY c.committed_at, c.rowid")
        for file, address, code, kind, sha, when, author in rows:
            out.setdefault((file, address, code, kind), (sha, when, author))
        return out


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def open_reader(path: Path) -> Ledger | None:
    """The ledger at ``path`` for reading; None when there is none yet. Raises :class:`LedgerError`."""
    if not _inspect(path):
        return None
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None,
                               timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise _refuse(path, f"cannot be opened ({exc})") from None
    try:
        version = _check(conn, path)
    except LedgerError:
        conn.close()
        raise
    if version < SCHEMA:
        conn.close()
        raise LedgerError(f"ledger {path}: schema {version}, older than this iacgov's {SCHEMA}: run iacgov history "
                          "once to migrate it")
    return Ledger(path, conn, writable=False)


class _FileLock:
    """An exclusive ``flock`` on ``FILE.lock``: one writer at a time, across processes."""

    def __init__(self, path: Path, wait: float) -> None:
        import fcntl

        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(self._fd)
                    raise LedgerError(f"ledger {path.with_suffix('')}: another iacgov history is writing it "
                                      f"(waited {wait:g} s for {path.name}); try again when it has finished")
                time.sleep(0.05)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def open_writer(path: Path, *, wait: float = 600.0, created_by: str = "") -> Ledger:
    """The ledger at ``path`` for writing, created or migrated as needed, once
    no other writer holds it (waiting up to ``wait`` seconds)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = _inspect(path)  # refuse a foreign file before even taking the lock beside it
    lock = _FileLock(path.with_name(path.name + ".lock"), wait)
    try:
        conn = _connect(path)
        try:
            version = _check(conn, path) if existing else 0
            if version < SCHEMA:
                _migrate(conn, version, created_by)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            conn.close()
            raise
    except sqlite3.DatabaseError as exc:
        lock.close()
        raise _refuse(path, f"damaged or not a SQLite database ({exc})") from None
    except BaseException:
        lock.close()
        raise
    return Ledger(path, conn, writable=True, lock=lock)


def _migrate(conn: sqlite3.Connection, version: int, created_by: str) -> None:
    """From ``version`` to :data:`SCHEMA`, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for step in range(version, SCHEMA):
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    conn.execute(statement)
        if version == 0:
            conn.execute("INSERT INTO meta VALUES ('application', 'iacgov-ledger'), ('created_by', ?)", (created_by,))
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version={SCHEMA}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
