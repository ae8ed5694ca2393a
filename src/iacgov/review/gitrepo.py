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
that are absolute, climb out (``..``) or go through ``.git`` are refused, and
symbolic links and submodules are not materialised (a link can point out of
the tree), so nothing outside the directory can be read or written.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

GIT_TIMEOUT = 120  # seconds for one git command
MAX_BLOB_BYTES = 8 * 1024 * 1024  # larger files are not infrastructure code: not written

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


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP and not k.startswith("GIT_TRACE")}
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

    def _git(self, *args: str, what: str, stdin: bytes | None = None, check_repo: bool = False) -> bytes:
        command = ["git", "-C", str(self.directory), "-c", "core.fsmonitor=false", "-c", "core.quotePath=false", *args]
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

    def read_blobs(self, oids: list[str]) -> dict[str, bytes]:
        """Blob contents by object ID, in one ``git cat-file --batch``."""
        unique = list(dict.fromkeys(oids))
        if not unique:
            return {}
        out = self._git("cat-file", "--batch", what="cannot read objects", stdin="".join(f"{o}\n" for o in unique).encode())
        blobs: dict[str, bytes] = {}
        pos = 0
        for oid in unique:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) < 3:  # "<oid> missing"
                raise GitError(f"object {oid} is missing from the repository")
            size = int(header[2])
            blobs[oid] = out[pos:pos + size]
            pos += size + 1
        return blobs

    def materialise(self, commit: Commit, target: Path) -> list[str]:
        """Write the commit's regular files under ``target`` (an empty
        directory); returns what was left out and why."""
        skipped: list[str] = []
        wanted: list[TreeEntry] = []
        for entry in sorted(commit.entries.values(), key=lambda e: e.path):
            problem = unsafe_path(entry.path)
            if problem:
                skipped.append(f"{entry.path!r}: {problem}")
            elif entry.mode == "120000":
                skipped.append(f"{entry.path}: symbolic link (not followed)")
            elif entry.mode == "160000":
                skipped.append(f"{entry.path}: submodule (not read)")
            elif not entry.is_file:
                skipped.append(f"{entry.path}: unsupported tree entry mode {entry.mode}")
            elif entry.size is not None and entry.size > MAX_BLOB_BYTES:
                skipped.append(f"{entry.path}: larger than {MAX_BLOB_BYTES // (1024 * 1024)} MiB")
            else:
                wanted.append(entry)
        blobs = self.read_blobs([e.oid for e in wanted])
        root = target.resolve()
        for entry in wanted:
            write_inside(root, entry.path, blobs[entry.oid])
        return skipped


def unsafe_path(path: str) -> str | None:
    """Why a tree path must not be written, or None."""
    if not path or "\0" in path or "\\" in path:
        return "invalid path"
    pure = PurePosixPath(path)
    if pure.is_absolute():
        return "absolute path"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "path leaves the tree"
    if any(part.lower() == ".git" for part in pure.parts):
        return "path inside .git"
    return None


def write_inside(root: Path, relpath: str, data: bytes) -> None:
    """Create ``root/relpath`` exclusively, never through a link."""
    parts = relpath.split("/")
    folder = root
    for part in parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            raise GitError(f"refusing to write {relpath}: a parent is a link")
        folder.mkdir(exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(folder / parts[-1], flags, 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
