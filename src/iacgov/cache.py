"""The parse cache: what a parser makes of one file's bytes, kept across runs.

Parsing is most of a scan's time (python-hcl2's Lark parse of a ``.tf``
file, cfn-lint's decoding of a template); what it produces depends on the
file's bytes alone. So each parser stores that per file, under a key derived
from the content, and a run that finds the key skips the parse. Evaluation
(variables, modules, intrinsics, rules) depends on other files and on the
options: a Terraform root module's analysis and its root-local rules' findings
are kept by :mod:`iacgov.evalcache` (in this folder, with these stores), keyed
by every input they read; everything else is evaluated on every run.

Where: ``$IACGOV_CACHE_DIR``, else ``$XDG_CACHE_HOME/iacgov``, else
``~/.cache/iacgov``. ``--no-cache`` neither reads nor writes it; it is
never used when it lies inside the scanned tree (a scan writes nothing there
but the outputs asked for); ``iacgov cache clear`` empties it.

Key: BLAKE2b of a namespace, then the file's bytes. The namespace holds the
cache format, iacgov's version and a hash of the source of the modules that
produce entries (so an upgrade, or an edited checkout, never reads an old
shape), the versions of the libraries doing the parse (python-hcl2, Lark,
cfn-lint, PyYAML), the Python version, and the options that change what a
parse gives (the nesting limits). Files with equal bytes share one entry.

Safe under concurrent runs: an entry is written to a temporary file in its
final folder, then renamed over the final name (``os.replace``, atomic), so
a reader sees a whole entry or none. Readers never trust an entry: each
starts with a BLAKE2b digest of its key and payload, checked before
anything is decoded; an entry that is truncated, corrupt or for another key
is a miss, parsed again and rewritten.

What an entry holds is a pickle of plain data the parser itself built from
the file (tuples, dicts, strings, numbers and iacgov's own syntax classes),
read back by an unpickler that can construct only the classes the parser
lists (:class:`ParseCache` ``classes``): no other global can be named, so an
entry cannot run code even if someone could write one. The directory is
created private (0700); one that is not owned by the user or that others can
write to is not used (docs/security.md).

Size: the oldest entries (by last use, to the day) are deleted when the
cache grows past ``$IACGOV_CACHE_MAX_MB`` (default 512 MiB), checked at most
once a day.
"""

from __future__ import annotations

import os
import pickle
import re
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from iacgov.digests import blake2b  # hashlib's, without importing OpenSSL

FORMAT = "v1"  # the layout of the folder and of an entry; a new one starts afresh beside it
MAGIC = b"IACGOVPC"
DIGEST_SIZE = 32
DEFAULT_MAX_MB = 512
DAY = 24 * 3600
ENV_DIR = "IACGOV_CACHE_DIR"
ENV_MAX_MB = "IACGOV_CACHE_MAX_MB"
_FORMAT_NAME = re.compile(r"v\d+")
_ENTRY_NAME = re.compile(r"[0-9a-f]{%d}|\.tmp-.*|last-pruned" % (2 * DIGEST_SIZE - 2))


def default_dir() -> Path:
    """``$IACGOV_CACHE_DIR``, else ``$XDG_CACHE_HOME/iacgov``, else ``~/.cache/iacgov``."""
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return Path(explicit).expanduser().absolute()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec: a relative value is to be ignored
        return Path(xdg) / "iacgov"
    return Path.home() / ".cache" / "iacgov"


def check_dir(directory: Path, scanned_root: Path | None) -> str | None:
    """Why ``directory`` must not be used as the cache (None: it can be).
    Creates it (private) when missing."""
    directory = Path(os.path.realpath(directory))
    if scanned_root is not None:
        root = Path(os.path.realpath(scanned_root))
        if directory == root or root in directory.parents:
            return f"{directory} is inside the scanned directory {root}"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = directory.stat()
    except OSError as exc:
        return f"{directory} cannot be created ({exc.strerror or exc})"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"{directory} belongs to another user"
    if st.st_mode & 0o022:
        return f"{directory} can be written by other users (make it private: chmod 700)"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"{directory} is not writable"
    return None


@lru_cache(maxsize=None)
def source_hash(*modules: str) -> str:
    """A hash of the source files of ``modules`` (imported ones only): an edited
    checkout of the parser never reads entries an older version wrote."""
    digest = blake2b(digest_size=16)
    for name in modules:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        digest.update(name.encode() + b"\0")
        if path:
            try:
                digest.update(Path(path).read_bytes())
            except OSError:
                pass
    return digest.hexdigest()


@lru_cache(maxsize=None)
def package_hash(package: str, *files: str) -> str:
    """A hash of some files of an installed package (the ones that hold its
    version, or its grammar), found without importing it: what a library
    version is to a cache key, for the price of reading a few small files
    (``importlib.metadata`` scans every installed distribution, ~20 ms a name)."""
    import importlib.util

    digest = blake2b(digest_size=16)
    digest.update(package.encode() + b"\0")
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return f"{package}: not installed"
    folder = Path(spec.origin).parent
    for name in files:
        try:
            digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
        except OSError:
            digest.update(name.encode() + b"\0missing")
    return f"{package}:{digest.hexdigest()}"


class ParseCache:
    """One parser's entries. Picklable (a folder and two strings), so worker
    processes read and write the same cache.

    ``namespace`` is everything besides the file's bytes that changes the
    entry (see the module docstring); ``classes`` the ``module:name`` of every
    class an entry may contain besides Python's plain types."""

    def __init__(self, directory: Path, parser: str, namespace: Iterable[str], classes: Iterable[str]) -> None:
        from iacgov import __version__

        self.directory = Path(directory)
        self.folder = self.directory / FORMAT / parser
        parts = (FORMAT, __version__, f"{sys.version_info[0]}.{sys.version_info[1]}", parser, *namespace)
        self.namespace = "\0".join(parts).encode()
        self.classes = frozenset(tuple(c.split(":", 1)) for c in classes)

    def key(self, data: bytes) -> str:
        return blake2b(self.namespace + b"\0\0" + data, digest_size=DIGEST_SIZE).hexdigest()

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / key[2:]

    def get(self, data: bytes) -> tuple[str, Any]:
        """``(key, value)``; ``value`` is None on a miss (no entry, or an
        entry that fails its digest or cannot be read)."""
        key = self.key(data)
        path = self.path(key)
        try:
            with open(path, "rb") as fh:
                blob = fh.read()
                mtime = os.fstat(fh.fileno()).st_mtime
        except OSError:
            return key, None
        value = self._decode(key, blob)
        if value is not None and time.time() - mtime > DAY:
            try:  # last use, to the day: what eviction goes by
                os.utime(path)
            except OSError:
                pass
        return key, value

    def put(self, key: str, value: Any) -> None:
        """Store atomically; never raises (a cache that cannot be written is only slower)."""
        try:
            payload = self.dumps(value)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        digest = blake2b(key.encode() + payload, digest_size=DIGEST_SIZE).digest()
        write_atomically(self.path(key), MAGIC + digest + payload)

    def _decode(self, key: str, blob: bytes) -> Any:
        head = len(MAGIC) + DIGEST_SIZE
        if len(blob) <= head or not blob.startswith(MAGIC):
            return None
        expected = blake2b(key.encode(), digest_size=DIGEST_SIZE)
        expected.update(memoryview(blob)[head:])  # = blake2b(key + payload): without copying the payload to hash it
        if blob[len(MAGIC):head] != expected.digest():
            return None
        payload = blob[head:]
        try:
            return self.loads(payload)
        except Exception:  # noqa: BLE001 - a bad entry is a miss, whatever is wrong with it
            return None

    def dumps(self, value: Any) -> bytes:
        return pickle.dumps(value, protocol=5)

    def loads(self, payload: bytes) -> Any:
        return RestrictedUnpickler(payload, self.classes).load()


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file in ``path``'s folder (made private if missing), then rename it
    over ``path``: a reader sees the whole file or none. Never raises (a cache not written is only slower)."""
    tmp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = _create_temporary(str(path.parent))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _create_temporary(folder: str) -> tuple[int, str]:
    """A new 0600 file in folder, created exclusively (as tempfile.mkstemp does, without importing
    tempfile: it imports shutil, random, bz2 and lzma, ~12 ms of a pre-commit run)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        name = os.path.join(folder, ".tmp-" + os.urandom(8).hex())
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")


class RestrictedUnpickler(pickle.Unpickler):
    """Builds Python's plain types and the listed classes, nothing else."""

    def __init__(self, payload: bytes, classes: frozenset[tuple[str, str]]) -> None:
        import io

        super().__init__(io.BytesIO(payload))
        self._classes = classes

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._classes:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a parse cache entry")
        return super().find_class(module, name)


# -- size and clearing ---------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    entries: int
    bytes: int


def _entries(directory: Path) -> Iterator[os.DirEntry[str]]:
    """Every file below the cache's format folders (entries and stray temporary files)."""
    stack = [directory]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        yield entry
        except OSError:
            continue


def _own_files(directory: Path) -> Iterator[os.DirEntry[str]]:
    """The files iacgov wrote: entries, temporary files and stamps in the format folders (``v1``...)."""
    try:
        with os.scandir(directory) as it:
            formats = [Path(e.path) for e in it if e.is_dir(follow_symlinks=False) and _FORMAT_NAME.fullmatch(e.name)]
    except OSError:
        return
    for folder in sorted(formats):
        for entry in _entries(folder):
            if _ENTRY_NAME.fullmatch(entry.name):
                yield entry


def usage(directory: Path) -> Usage:
    count = size = 0
    for entry in _own_files(directory):
        try:
            size += entry.stat(follow_symlinks=False).st_size
            count += 1
        except OSError:
            pass
    return Usage(count, size)


def max_bytes() -> int:
    try:
        return max(1, int(os.environ.get(ENV_MAX_MB, DEFAULT_MAX_MB))) * 1024 * 1024
    except ValueError:
        return DEFAULT_MAX_MB * 1024 * 1024


def prune(directory: Path, limit: int | None = None, now: float | None = None) -> int:
    """Delete the least recently used entries until the cache is under 80 % of
    ``limit`` (when it is over it), and temporary files an interrupted run left
    (older than an hour). Returns the number of files deleted."""
    limit = max_bytes() if limit is None else limit
    now = time.time() if now is None else now
    files: list[tuple[float, int, str]] = []
    removed = 0
    total = 0
    for entry in _entries(directory / FORMAT):
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if entry.name.startswith(".tmp-"):
            if now - st.st_mtime > 3600:
                removed += _unlink(entry.path)
            continue
        files.append((st.st_mtime, st.st_size, entry.path))
        total += st.st_size
    if total > limit:
        for _, size, path in sorted(files):
            if total <= limit * 0.8:
                break
            if _unlink(path):
                removed += 1
                total -= size
    return removed


def maybe_prune(directory: Path) -> None:
    """:func:`prune` at most once a day (a stamp file records the last time)."""
    stamp = directory / FORMAT / "last-pruned"
    try:
        if time.time() - stamp.stat().st_mtime < DAY:
            return
    except OSError:
        pass
    try:
        stamp.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp.touch()
    except OSError:
        return
    prune(directory)


def clear(directory: Path) -> int:
    """Delete every entry iacgov wrote (in every format folder, ``v1``...),
    nothing else: a cache directory set by mistake to a folder holding other
    files keeps them. Returns how many files were deleted."""
    removed = 0
    for entry in _own_files(directory):
        removed += _unlink(entry.path)
    for folder in [p for p in directory.glob("v*") if p.is_dir() and _FORMAT_NAME.fullmatch(p.name)]:
        for dirpath, _, _ in sorted(os.walk(folder), key=lambda w: -len(w[0])):
            try:
                os.rmdir(dirpath)  # only empty folders go
            except OSError:
                pass
    return removed


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0
