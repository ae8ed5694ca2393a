"""Read commits of a git repository without checking them out.

Why plumbing and not ``git archive`` or ``git worktree``: both honour the
repository's ``.gitattributes`` (``export-subst``, ``filter=`` drivers such as
git-lfs's smudge), which can run programs and reach the network. Here the
tree is listed with ``git ls-tree`` and every blob is copied byte for byte
from ``git cat-file --batch``: no attribute, filter, hook or textconv is ever
consulted, and nothing from the repository is executed.

git is run with a fixed argument list (never a shell), ``GIT_CONFIG_NOSYSTEM``,
no replace objects, no terminal prompt and no optional locks. Files are
written under a fresh temporary directory with exclusive creation; paths
that are absolute, climb out (``..``) or go through ``.git`` are refused.
A symbolic link is resolved inside the commit (relative to its folder,
chains bounded, never above the repository root) and written as a copy of
its target's blob, as Terraform would read it; a link that points outside,
at a directory or in a cycle, and a submodule, are listed as not read (the
review counts them not analysed). Blobs are streamed to disk, each within
the per-file limit and all within :data:`MAX_TREE_BYTES`. git is found by
:mod:`iacgov.executables` (absolute PATH entries only).
"""

from __future__ import annotations

import os
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator, Sequence

from iacgov.executables import ExecutableNotFound, find_executable, trusted_path

GIT_TIMEOUT = 120  # seconds for one git command
MIB = 1024 * 1024
MAX_BLOB_BYTES = 10 * MIB  # the scan's default per-file limit (iacgov.limits): larger blobs are not written
MAX_TREE_BYTES = 256 * MIB  # what one commit may write to the temporary directory, all files together
CHUNK = 1024 * 1024

_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
             "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_EXTERNAL_DIFF", "GIT_PAGER", "PAGER")


class GitError(Exception):
    """A usage problem (bad ref, not a repository, git missing): one line, exit 2."""


@dataclass(frozen=True)
class TreeEntry:
    path: str  # POSIX, relative to the repository root
    mode: str  # "100644", "100755", "120000" (link), "160000" (submodule)
    oid: str
    size: int | None = None

    @property
    def is_file(self) -> bool:
        return self.mode in ("100644", "100755")


@dataclass(frozen=True)
class Commit:
    ref: str  # as the user gave it
    sha: str
    entries: dict[str, TreeEntry] = field(default_factory=dict)  # path -> entry

    @property
    def short(self) -> str:
        return self.sha[:12]


@dataclass(frozen=True)
class Skipped:
    """A tree entry the review could not read, and why (counted not analysed)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Materialised:
    """What :meth:`Repository.materialise` wrote: path -> the object ID of its
    content (a link's: its target's), and what it left out."""

    written: dict[str, str]
    skipped: tuple[Skipped, ...]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP and not k.startswith("GIT_TRACE")}
    env["PATH"] = trusted_path()  # what git itself runs is not looked up in the repository either
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_NO_REPLACE_OBJECTS="1", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0",
               GIT_NO_LAZY_FETCH="1", LC_ALL="C")
    return env


class Repository:
    """A git repository read through plumbing commands only."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise GitError(f"--repo {directory}: no such directory")
        self._git("rev-parse", "--git-dir", what=f"--repo {directory}: not a git repository", check_repo=True)

    def command(self, *args: str) -> list[str]:
        """git by its absolute path (never a ``git`` planted in a relative PATH entry)."""
        try:
            git = find_executable("git")
        except ExecutableNotFound:
            raise GitError("git is not installed (iacgov review reads commits with git)") from None
        return [git, "-C", str(self.directory), "-c", "core.fsmonitor=false", "-c", "core.quotePath=false", *args]

    def _git(self, *args: str, what: str, stdin: bytes | None = None, check_repo: bool = False) -> bytes:
        command = self.command(*args)
        try:
            done = subprocess.run(command, input=stdin, capture_output=True, env=_env(), timeout=GIT_TIMEOUT,
                                  check=False, shell=False)
        except FileNotFoundError:
            raise GitError("git is not installed (iacgov review reads commits with git)") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took more than {GIT_TIMEOUT} s in {self.directory}") from None
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            if check_repo and detail and "not a git repository" in detail[-1].lower():
                raise GitError(what)
            reason = f" ({detail[-1].removeprefix('fatal: ')})" if detail else ""
            raise GitError(f"{what}{reason}")
        return done.stdout

    def resolve(self, ref: str, option: str) -> str:
        """The commit SHA ``ref`` names; a :class:`GitError` naming the option otherwise."""
        if not ref or not ref.strip() or "\n" in ref or "\0" in ref:
            raise GitError(f"{option}: empty or invalid reference {ref!r}")
        try:
            out = self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
                            what=f"{option} {ref}: not a commit in {self.directory}")
        except GitError as exc:
            raise GitError(f"{option} {ref}: not a commit in {self.directory}") from exc
        return out.decode().strip()

    def commit(self, ref: str, option: str) -> Commit:
        sha = self.resolve(ref, option)
        listing = self._git("ls-tree", "-r", "-z", "--full-tree", "--long", sha, what=f"cannot list {ref}")
        entries: dict[str, TreeEntry] = {}
        for record in listing.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            parts = meta.split()
            if len(parts) < 3:
                continue
            mode, _kind, oid = (p.decode() for p in parts[:3])
            size = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else None
            path = raw_path.decode("utf-8", "surrogateescape")
            entries[path] = TreeEntry(path, mode, oid, size)
        return Commit(ref, sha, entries)

    def first_parent_log(self, sha: str, limit: int) -> list[tuple[str, int, tuple[str, ...]]]:
        """(commit, committer time, parents) along ``sha``'s first parents, newest first, at most ``limit``."""
        out = self._git("rev-list", "--first-parent", "--timestamp", "--parents", f"--max-count={limit}", sha, "--",
                        what=f"cannot read the history of {sha[:12]}")
        rows = []
        for line in out.decode().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].isdigit():
                rows.append((parts[1], int(parts[0]), tuple(parts[2:])))
        return rows

    def is_shallow(self) -> bool:
        out = self._git("rev-parse", "--is-shallow-repository", what="cannot tell whether the clone is shallow")
        return out.decode().strip() == "true"

    def branches_at(self, sha: str) -> tuple[str, ...]:
        """Local and remote-tracking branch names pointing at ``sha`` (for people: SHAs say little)."""
        out = self._git("for-each-ref", f"--points-at={sha}", "--format=%(refname:short)", "refs/heads",
                        "refs/remotes", what=f"cannot list the branches at {sha[:12]}")
        return tuple(b for b in out.decode("utf-8", "replace").splitlines() if b and not b.endswith("/HEAD"))

    def read_blobs(self, oids: list[str]) -> dict[str, bytes]:
        """Blob contents by object ID (small files only: policy, CI configuration)."""
        out: dict[str, bytes] = {}
        with BlobReader(self) as reader:
            for oid in dict.fromkeys(oids):
                chunks: list[bytes] = []
                reader.copy(oid, chunks.append)
                out[oid] = b"".join(chunks)
        return out

    def tree_id(self, sha: str) -> str:
        """The object ID of a commit's tree: equal trees hold equal files (what a review's cache keys)."""
        out = self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{sha}^{{tree}}",
                        what=f"cannot read the tree of {sha[:12]}")
        return out.decode().strip()

    def materialise(self, commit: Commit, target: Path, max_file_bytes: int = MAX_BLOB_BYTES,
                    max_total_bytes: int = MAX_TREE_BYTES, only: Callable[[str], bool] | None = None
                    ) -> Materialised:
        """Write the commit's files under ``target`` (an empty directory), links
        resolved inside the commit; what was left out is listed with the reason.

        ``only``: write just the paths it accepts (a second call with the
        complement writes the rest). What is returned is always what a whole
        copy holds, decided over the whole commit (the size budget too), so
        that a partial copy is described exactly as a whole one."""
        skipped: list[Skipped] = []
        wanted: list[tuple[str, TreeEntry]] = []  # (path written, the blob's entry)
        links = self.read_blobs([e.oid for e in commit.entries.values()
                                 if e.mode == LINK_MODE and (e.size or 0) <= MAX_LINK_BYTES])
        for entry in sorted(commit.entries.values(), key=lambda e: e.path):
            problem = unsafe_path(entry.path)
            if problem:
                skipped.append(Skipped(entry.path, problem))
            elif entry.mode == "160000":
                skipped.append(Skipped(entry.path, "submodule (its commit is not in this repository: not read)"))
            elif entry.mode == LINK_MODE:
                resolved = resolve_link(commit, entry.path, links)
                if isinstance(resolved, str):
                    skipped.append(Skipped(entry.path, resolved))
                else:
                    wanted.append((entry.path, resolved))
            elif not entry.is_file:
                skipped.append(Skipped(entry.path, f"unsupported tree entry mode {entry.mode}"))
            else:
                wanted.append((entry.path, entry))
        # Smallest first, so that a few huge blobs cannot push the configuration out of the budget.
        total = 0
        written: dict[str, str] = {}
        keep: list[tuple[str, TreeEntry]] = []
        for path, entry in sorted(wanted, key=lambda w: (w[1].size or 0, w[0])):
            size = entry.size or 0
            if size > max_file_bytes:
                skipped.append(Skipped(path, f"larger than the {max_file_bytes:,}-byte file limit: not read"))
            elif total + size > max_total_bytes:
                skipped.append(Skipped(path, f"over the {max_total_bytes:,} bytes the review reads from one "
                                             "commit: not read"))
            else:
                total += size
                keep.append((path, entry))
        root = target.resolve()
        for path, entry in sorted(keep):
            written[path] = entry.oid
        jobs = [(path, entry) for path, entry in sorted(keep) if only is None or only(path)]
        made: set[str] = set()  # folders created (and checked) by this copy
        with BlobReader(self) as reader, reader.requested([entry.oid for _, entry in jobs]):
            for path, entry in jobs:
                with _create_inside(root, path, made) as fh:
                    reader.receive(entry.oid, fh.write, limit=max_file_bytes)
        return Materialised(written, tuple(sorted(skipped, key=lambda s: s.path)))


LINK_MODE = "120000"
MAX_LINK_HOPS = 8  # a chain of links longer than this is treated as a cycle
MAX_LINK_BYTES = 4096  # a link's target path (PATH_MAX); a larger "link" blob is not a path


def resolve_link(commit: Commit, path: str, targets: dict[str, bytes]) -> TreeEntry | str:
    """The file a symbolic link of the commit designates in the same commit,
    or why it cannot be read: a target outside the repository, absolute, a
    directory, missing, or a chain longer than :data:`MAX_LINK_HOPS` (a cycle)."""
    current = path
    for _ in range(MAX_LINK_HOPS):
        entry = commit.entries[current]
        raw = targets.get(entry.oid, b"")  # link blobs of the commit by object ID
        text = raw.decode("utf-8", "surrogateescape")
        if not text or "\0" in text:
            return "symbolic link with an empty or invalid target: not read"
        if text.startswith("/"):
            return f"symbolic link to {text}, outside the repository: not read"
        parts = list(PurePosixPath(current).parent.parts)
        for part in text.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    return f"symbolic link to {text}, outside the repository: not read"
                parts.pop()
            else:
                parts.append(part)
        resolved = "/".join(parts)
        if not resolved or unsafe_path(resolved):
            return f"symbolic link to {text}, outside the repository: not read"
        found = commit.entries.get(resolved)
        if found is None:
            prefix = resolved + "/"
            if any(p.startswith(prefix) for p in commit.entries):
                return f"symbolic link to the directory {resolved}: not followed, not read"
            return f"symbolic link to {resolved}, which is not in the commit: not read"
        if found.is_file:
            return found
        if found.mode != LINK_MODE:
            return f"symbolic link to {resolved} (mode {found.mode}): not read"
        current = resolved
    return f"symbolic link chain longer than {MAX_LINK_HOPS} links (a cycle?): not read"


class BlobReader:
    """One ``git cat-file --batch`` process, read blob by blob into a sink:
    a blob is never held whole in memory."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._process: subprocess.Popen | None = None
        self._timer: threading.Timer | None = None

    def __enter__(self) -> "BlobReader":
        command = self._repo.command("cat-file", "--batch")
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, env=_env(), shell=False)
        self._timer = threading.Timer(GIT_TIMEOUT * 10, self._process.kill)  # a hung git cannot hang the review
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._process is not None and self._timer is not None
        self._timer.cancel()
        for stream in (self._process.stdin, self._process.stdout):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass
        try:
            self._process.wait(timeout=GIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def copy(self, oid: str, sink, limit: int | None = None) -> int:
        """Write blob ``oid`` to ``sink`` in chunks; its size."""
        assert self._process is not None and self._process.stdin is not None and self._process.stdout is not None
        try:
            self._process.stdin.write(f"{oid}\n".encode())
            self._process.stdin.flush()  # cat-file answers (and flushes) object by object
        except OSError:
            raise GitError("cannot read objects (git cat-file stopped)") from None
        return self.receive(oid, sink, limit)

    @contextmanager
    def requested(self, oids: Sequence[str]) -> Iterator[None]:
        """Ask for every blob of ``oids`` at once, from a thread, while the caller receives them
        (:meth:`receive`) in that order: one round trip to git per blob cost more than copying it (thousands of files a review).
        No deadlock: the caller reads git's answers as git reads the requests; if the caller stops, git is
        killed, which ends the thread's writes."""
        assert self._process is not None and self._process.stdin is not None
        stdin = self._process.stdin

        def ask() -> None:
            try:
                for oid in oids:
                    stdin.write(f"{oid}\n".encode())
                stdin.flush()
            except (OSError, ValueError):  # git stopped or was killed: the reader reports it
                pass

        thread = threading.Thread(target=ask, name="iacgov-git-requests", daemon=True)
        thread.start()
        try:
            yield
        except BaseException:
            self._process.kill()
            raise
        finally:
            thread.join()

    def receive(self, oid: str, sink, limit: int | None = None) -> int:
        """Write the next answer, blob ``oid`` (asked for already), to ``sink`` in chunks; its size."""
        assert self._process is not None and self._process.stdout is not None
        out = self._process.stdout
        header = out.readline().split()
        if len(header) < 3 or not header[2].isdigit():  # "<oid> missing", or git died
            raise GitError(f"object {oid} is missing from the repository")
        size = int(header[2])
        if limit is not None and size > limit:
            raise GitError(f"object {oid} is larger than its tree listing said")
        left = size
        while left:
            chunk = out.read(min(left, CHUNK))
            if not chunk:
                raise GitError(f"object {oid}: git cat-file stopped")
            sink(chunk)
            left -= len(chunk)
        out.read(1)  # the newline after each object
        return size


def unsafe_path(path: str) -> str | None:
    """Why a tree path must not be written, or None."""
    if not path or "\0" in path or "\\" in path:
        return "invalid path"
    if path.startswith("/"):
        return "absolute path"
    # String operations: called for every entry of both commits (PurePosixPath: 0.27 s for 4,264 under cProfile).
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "path leaves the tree"
    if any(part.lower() == ".git" for part in parts):
        return "path inside .git"
    return None


def write_inside(root: Path, relpath: str, data: bytes) -> None:
    """Create ``root/relpath`` exclusively, never through a link."""
    with _create_inside(root, relpath) as fh:
        fh.write(data)


def _create_inside(root: Path, relpath: str, made: set[str] | None = None):
    """``root/relpath`` opened for writing: created exclusively, never through a link. ``made``: folders
    this copy already created and checked (a directory it made is not a link), not checked again."""
    parts = relpath.split("/")
    top = os.fspath(root)  # strings, not Path objects: thousands of files a review (pathlib was half the copy's CPU)
    for i in range(1, len(parts)):
        prefix = "/".join(parts[:i])
        if made is not None and prefix in made:
            continue
        folder = os.path.join(top, prefix)
        if os.path.islink(folder):
            raise GitError(f"refusing to write {relpath}: a parent is a link")
        try:
            os.mkdir(folder)
        except FileExistsError:
            if not os.path.isdir(folder):
                raise
        if made is not None:
            made.add(prefix)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(os.path.join(top, relpath), flags, 0o644)
    return os.fdopen(fd, "wb")
