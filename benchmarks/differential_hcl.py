"""Both HCL front ends over a directory: every difference printed.

    python benchmarks/differential_hcl.py DIR [DIR...]

Each ``.tf`` / ``.tfvars`` file under the directories is read by python-hcl2's
Lark parser (the reference, ``IACGOV_HCL_FRONTEND=lark``) and by the
tree-sitter front end; the two results (the syntax tree with every value,
type and line, or the error with its reason and line) must be identical.
Prints one line per difference, then a summary: files, how many tree-sitter
compiled itself and how many it handed to the reference (with why), and the
time each front end took. Exits 1 if any file differs. Nothing from the
directories is run; they are only read.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

from iacgov.limits import Limits
from iacgov.parsers.terraform import loader, treesitter


def read(text: str, relpath: str, frontend: str) -> str:
    """What the loader gives for ``text`` with ``frontend``, as comparable text."""
    previous = os.environ.get(treesitter.FRONTEND_VARIABLE)
    os.environ[treesitter.FRONTEND_VARIABLE] = frontend
    try:
        return repr(loader.parse_text(text, relpath, Limits()))
    except loader.LoadError as exc:
        return f"LoadError({exc.reason!r}, {exc.line!r})"
    finally:
        if previous is None:
            del os.environ[treesitter.FRONTEND_VARIABLE]
        else:
            os.environ[treesitter.FRONTEND_VARIABLE] = previous


def handed_over(text: str, relpath: str) -> str | None:
    """Why tree-sitter hands this text to the reference, or None if it compiles it."""
    try:
        treesitter.parse_text(text, relpath, Limits())
    except treesitter.Fallback as exc:
        return str(exc).split(" at line ")[0]
    except loader.LoadError:
        return None
    return None


def first_difference(a: str, b: str) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"lark: ...{a[max(i - 60, 0):i + 80]!r}\n      tree-sitter: ...{b[max(i - 60, 0):i + 80]!r}"


def files(roots: list[Path]) -> list[Path]:
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".tf", ".tfvars") and path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    args = parser.parse_args(argv)
    paths = files(args.dirs)
    differences = 0
    reasons: Counter[str] = Counter()
    timing = {"lark": 0.0, "tree-sitter": 0.0}
    size = 0
    loader._grammar()  # built once, outside the timings
    for path in paths:
        try:
            text = loader.decode(path.read_bytes())
        except (OSError, loader.LoadError) as exc:
            print(f"skipped {path}: {exc}")
            continue
        size += len(text)
        relpath = path.name
        results = {}
        for frontend in ("lark", "tree-sitter"):
            started = time.perf_counter()
            results[frontend] = read(text, relpath, frontend)
            timing[frontend] += time.perf_counter() - started
        why = handed_over(text, relpath)
        if why is not None:
            reasons[why] += 1
        if results["lark"] != results["tree-sitter"]:
            differences += 1
            print(f"DIFFERENT {path}\n      {first_difference(results['lark'], results['tree-sitter'])}")
    compiled = len(paths) - sum(reasons.values())
    print(f"{len(paths)} files, {size / 1e6:.2f} MB: {differences} different; tree-sitter compiled {compiled}, "
          f"handed {sum(reasons.values())} to python-hcl2")
    for why, count in reasons.most_common():
        print(f"  {count:5d}  {why}")
    print(f"time: python-hcl2 {timing['lark']:.2f} s, tree-sitter front end {timing['tree-sitter']:.2f} s")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
