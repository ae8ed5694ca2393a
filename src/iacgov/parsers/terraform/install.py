"""Refuse to parse with someone else's ``hcl2``.

checkov depends on bc-python-hcl2, a fork that installs the same ``hcl2``
import package as python-hcl2 and silently overwrites its files (``pip
check`` reports nothing). iacgov would then parse Terraform with another
grammar and report wrong results. Before the first parse we compare the
files of the ``hcl2`` package that would be imported with the hashes
python-hcl2's install record (``RECORD``) lists for them: some fifty small
files, hashed once per process — or, with a cache folder, once per install:
the cache keeps which files were found intact with what the file system says
of each (device, inode, size, modification and change times), and a later
run that finds RECORD and every one of those files exactly so skips the hashing
(5 to 8 ms of a pre-commit run). Any write to one of them (pip overwriting it,
another distribution replacing it) changes its change time, so the files are
hashed again.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacgov.plugins import PluginError, recorded_distribution, recorded_files_intact

if TYPE_CHECKING:
    from importlib import metadata

DISTRIBUTION = "python-hcl2"
FIX = (f"reinstall it with 'pip install --force-reinstall {DISTRIBUTION}' in an environment without checkov "
       "(run checkov from its own environment, e.g. installed with pipx)")


class BrokenInstall(PluginError):
    """python-hcl2's files are missing or belong to another distribution: exit 2."""


def hcl2_install_problem(origin: Path | None = None, dist: metadata.Distribution | None = None,
                         seen: list[tuple[str, os.stat_result]] | None = None) -> str | None:
    """Why the ``hcl2`` package at ``origin`` (default: the one ``import hcl2``
    would load) is not python-hcl2's as ``dist`` recorded it, or None. ``seen``
    receives the files found intact when the answer came from reading RECORD
    directly, with what the file system said of each (left empty otherwise)."""
    if origin is None:
        spec = importlib.util.find_spec("hcl2")
        if spec is None or not spec.origin:
            return f"the {DISTRIBUTION} package is not installed; install it with 'pip install {DISTRIBUTION}'"
        origin = Path(spec.origin)
        found: list[tuple[str, os.stat_result]] = []
        if dist is None and recorded_files_intact(DISTRIBUTION, "hcl2", origin.resolve().parent, found):
            if seen is not None:
                seen.extend(found)
            return None  # the usual answer, without importing importlib.metadata (20 ms of a pre-commit run)
    from importlib import metadata

    from iacgov.digests import sha256  # not hashlib: it loads OpenSSL's _hashlib

    package = origin.resolve().parent
    if dist is None:
        try:
            dist = metadata.distribution(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            return f"the hcl2 package in {package} does not come from {DISTRIBUTION}{_owners()}; {FIX}"
    checked = 0
    for record in dist.files or ():
        if record.parts[0] != "hcl2" or record.hash is None or record.hash.mode != "sha256":
            continue
        path = Path(str(dist.locate_file(record))).resolve()
        if path.parent != package and package not in path.parents:
            continue
        try:
            digest = sha256(path.read_bytes()).digest()
        except OSError:
            return f"{path} of {DISTRIBUTION} {dist.version} is missing{_owners()}; {FIX}"
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != record.hash.value:
            return (f"{path} is not the file {DISTRIBUTION} {dist.version} installed: another distribution "
                    f"has overwritten its hcl2 package{_owners()}; {FIX}")
        checked += 1
    if checked == 0 and any(r.parts[0] == "hcl2" and r.hash for r in dist.files or ()):
        return (f"the hcl2 package in {package} is not the one {DISTRIBUTION} {dist.version} installed"
                f"{_owners()}; {FIX}")
    return None


def _owners() -> str:
    from importlib import metadata

    owners = sorted(set(metadata.packages_distributions().get("hcl2", ())) - {DISTRIBUTION})
    return f" (also installed by: {', '.join(owners)})" if owners else ""


@lru_cache(maxsize=None)
def check_hcl2_install(cache_dir: Path | None = None) -> None:
    """Raise :class:`BrokenInstall` (exit 2, one line) when python-hcl2 is not what ``import hcl2`` loads.
    With ``cache_dir`` (the run's cache folder), an install found intact before and unchanged since
    (:func:`_unchanged_since_checked`) is not hashed again."""
    if cache_dir is not None and _unchanged_since_checked(cache_dir):
        return
    seen: list[tuple[str, os.stat_result]] = []
    problem = hcl2_install_problem(seen=seen)
    if problem:
        raise BrokenInstall(f"cannot parse Terraform: {problem}")
    if cache_dir is not None and seen:
        _remember_checked(cache_dir, seen)


# -- the verdict kept in the cache folder ---------------------------------------------

_STAT_FIELDS = ("st_dev", "st_ino", "st_size", "st_mtime_ns", "st_ctime_ns")


def _checked_state() -> tuple[str, str] | None:
    """What decides the verdict besides the files' contents: this interpreter, the ``hcl2`` package
    ``import hcl2`` loads (its resolved folder) and python-hcl2's RECORD; and the entry's path in the
    cache (its name). None when they cannot be told without importlib.metadata (then nothing is kept)."""
    spec = importlib.util.find_spec("hcl2")
    folder = recorded_distribution(DISTRIBUTION)
    if spec is None or not spec.origin or folder is None:
        return None
    from iacgov.cache import DIGEST_SIZE
    from iacgov.digests import blake2b

    package = str(Path(spec.origin).resolve().parent)
    identity = "\0".join((sys.executable, sys.prefix, spec.origin, package, folder))
    name = blake2b(identity.encode("utf-8", "surrogateescape"), digest_size=DIGEST_SIZE).hexdigest()
    return identity, name


def _entry(cache_dir: Path, name: str) -> Path:
    """Laid out and named as the cache's entries are (``iacgov cache clear`` and the pruner see it)."""
    from iacgov.cache import FORMAT

    return Path(cache_dir) / FORMAT / "install-checks" / name[:2] / name[2:]


def _stat(path: str) -> list[int] | None:
    try:
        return _fields(os.stat(path))
    except OSError:
        return None


def _fields(st: os.stat_result) -> list[int]:
    return [getattr(st, field) for field in _STAT_FIELDS]


def _unchanged_since_checked(cache_dir: Path) -> bool:
    """Whether this cache holds a verdict "intact" for this interpreter's ``hcl2`` and python-hcl2's
    RECORD, and RECORD and every file then hashed are, by the file system, the very files hashed."""
    state = _checked_state()
    if state is None:
        return False
    identity, name = state
    try:
        with open(_entry(cache_dir, name), "rb") as fh:
            kept = json.loads(fh.read(1 << 20))
    except (OSError, ValueError):
        return False
    if not isinstance(kept, dict) or kept.get("identity") != identity:
        return False
    files = kept.get("files")
    if not isinstance(files, list) or len(files) < 2:  # RECORD and at least one file of the package
        return False
    return all(isinstance(f, list) and len(f) == 2 and isinstance(f[0], str) and _stat(f[0]) == f[1]
               for f in files)


def _remember_checked(cache_dir: Path, seen: list[tuple[str, os.stat_result]]) -> None:
    """Keep the verdict "intact" with the file system's view of each file as it was read (never raises:
    a cache that cannot be written only means hashing again)."""
    state = _checked_state()
    if state is None:
        return
    identity, name = state
    files = [[path, _fields(st)] for path, st in seen]
    from iacgov.cache import write_atomically

    write_atomically(_entry(cache_dir, name), json.dumps({"identity": identity, "files": files}).encode())


def __getattr__(name: str) -> Any:
    if name == "metadata":  # importlib.metadata, imported when first needed
        from importlib import metadata

        return metadata
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
