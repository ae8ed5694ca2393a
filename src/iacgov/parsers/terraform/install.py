"""Refuse to parse with someone else's ``hcl2``.

checkov depends on bc-python-hcl2, a fork that installs the same ``hcl2``
import package as python-hcl2 and silently overwrites its files (``pip
check`` reports nothing). iacgov would then parse Terraform with another
grammar and report wrong results. Before the first parse we compare the
files of the ``hcl2`` package that would be imported with the hashes
python-hcl2's install record (``RECORD``) lists for them: a few small files,
hashed once per process.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacgov.plugins import PluginError, recorded_files_intact

if TYPE_CHECKING:
    from importlib import metadata

DISTRIBUTION = "python-hcl2"
FIX = (f"reinstall it with 'pip install --force-reinstall {DISTRIBUTION}' in an environment without checkov "
       "(run checkov from its own environment, e.g. installed with pipx)")


class BrokenInstall(PluginError):
    """python-hcl2's files are missing or belong to another distribution: exit 2."""


def hcl2_install_problem(origin: Path | None = None, dist: metadata.Distribution | None = None) -> str | None:
    """Why the ``hcl2`` package at ``origin`` (default: the one ``import hcl2``
    would load) is not python-hcl2's as ``dist`` recorded it, or None."""
    if origin is None:
        spec = importlib.util.find_spec("hcl2")
        if spec is None or not spec.origin:
            return f"the {DISTRIBUTION} package is not installed; install it with 'pip install {DISTRIBUTION}'"
        origin = Path(spec.origin)
        if dist is None and recorded_files_intact(DISTRIBUTION, "hcl2", origin.resolve().parent):
            return None  # the usual answer, without importing importlib.metadata (20 ms of a pre-commit run)
    from importlib import metadata

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
            digest = hashlib.sha256(path.read_bytes()).digest()
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


@lru_cache(maxsize=1)
def check_hcl2_install() -> None:
    """Raise :class:`BrokenInstall` (exit 2, one line) when python-hcl2 is not what ``import hcl2`` loads."""
    problem = hcl2_install_problem()
    if problem:
        raise BrokenInstall(f"cannot parse Terraform: {problem}")


def __getattr__(name: str) -> Any:
    if name == "metadata":  # importlib.metadata, imported when first needed
        from importlib import metadata

        return metadata
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
