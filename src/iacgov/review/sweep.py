"""Deleting a side's copied Terraform files while the review goes on (issue 22: a review that costs what the diff costs).

A review copies a commit's files out of git only to scan them; once both scans
are made, the copies of the files the review reads nowhere else (the Terraform
files the change leaves alone) are dead weight, and deleting thousands of files
costs seconds of system calls — on the review's critical path when the
temporary folder is removed at the end. :class:`Sweeper` deletes them in a
child process (a fresh interpreter, ``-I -S``: no site, no user code, nothing
from the scanned repository), so the unlinks run beside the comparison and
the rendering instead of after them. Python threads would not do: the
deleting thread waits for the GIL between two unlinks while the review holds it.

Safe by construction: only paths under the temporary folder given are
deleted, relative paths without ``..`` as :meth:`Repository.materialise`
wrote them; the child is always waited for (or killed, then waited for) before
the temporary folder is removed, so the two never race; a path it cannot
delete is left for that removal.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Iterable

# Reads NUL-separated relative paths on stdin and unlinks each under argv[1]; errors are ignored (the temporary
# folder's removal deletes what is left).
_CHILD = ("import os,sys\n"
          "d=sys.argv[1]\n"
          "for p in sys.stdin.buffer.read().split(b'\\0'):\n"
          " if p:\n"
          "  try: os.unlink(os.path.join(os.fsencode(d),p))\n"
          "  except OSError: pass\n")

MIN_FILES = 200  # below this, starting an interpreter costs more than the unlinks it takes off the path


class Sweeper:
    """Background deletion of copied files; :meth:`wait` before the folder holding them is removed."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled  # False: nothing swept (the folder's removal deletes it all)
        self._children: list[subprocess.Popen] = []

    def sweep(self, folder: Path, paths: Iterable[str]) -> None:
        """Delete ``folder/path`` for each relative ``path`` (as materialised), in a child process."""
        chosen = [p for p in paths if p and not p.startswith("/") and ".." not in p.split("/")] if self.enabled else []
        if not chosen or len(chosen) < MIN_FILES:
            return
        try:
            child = subprocess.Popen([sys.executable, "-I", "-S", "-c", _CHILD, str(folder)],
                                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            return  # no child: the temporary folder's removal deletes them, as before
        self._children.append(child)
        try:
            assert child.stdin is not None
            child.stdin.write(b"\0".join(p.encode("utf-8", "surrogateescape") for p in chosen))
            child.stdin.close()
        except OSError:
            pass

    def wait(self, kill: bool = False) -> None:
        """Every child ended (killed first when ``kill``: the review is being stopped)."""
        for child in self._children:
            if kill:
                child.kill()
            child.wait()
        self._children.clear()

    def __enter__(self) -> "Sweeper":
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.wait(kill=kind is not None)
