"""Find the programs iacgov runs (git, checkov...) without trusting the current directory.

``subprocess`` resolves a bare name through ``PATH``; an empty entry or a
relative one (``.``, ``bin``, ``node_modules/.bin``) is resolved against the
current directory, which is often the repository under review: a ``git``
planted there would run with the reviewer's rights. Only absolute ``PATH``
entries are searched here, and the program is run by its absolute path.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class ExecutableNotFound(Exception):
    """The program is not installed in any absolute ``PATH`` directory."""


def trusted_path(path: str | None = None) -> str:
    """``PATH`` (or ``path``) without its empty and relative entries."""
    raw = os.environ.get("PATH", os.defpath) if path is None else path
    return os.pathsep.join(entry for entry in raw.split(os.pathsep) if entry and os.path.isabs(entry))


def find_executable(name: str, path: str | None = None) -> str:
    """The absolute path of ``name`` found in an absolute ``PATH`` entry."""
    found = shutil.which(name, path=trusted_path(path))
    if found is None or not os.path.isabs(found):
        raise ExecutableNotFound(f"{name} is not installed (searched the absolute directories of PATH)")
    return str(Path(found))
