#!/usr/bin/env python3
"""Write ``src/iacgov/_regex_codes_<python>.py``: the compiled code of the regular expressions a scan
compiles (see iacgov.fastdc, "regular expressions"), for this Python.

    python scripts/build_regex_table.py

Records every pattern ``re`` compiles while every module of ``iacgov`` and ``iacgov_rules`` is
imported and while the repository's fixtures are scanned (the demo and each rule's fixture, with
their policies, in every output format), in this fresh interpreter. Run it again after adding a
pattern: until then that pattern is compiled as usual (slower, never different).
"""

from __future__ import annotations

import array
import contextlib
import io
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def regex_entry(p: str | bytes, flags: int) -> tuple | None:
    """What ``re._compiler.compile(p, flags)`` hands ``_sre.compile`` after ``p`` itself, or None when
    parsing it warns (a table entry would not) or fails."""
    import re._compiler as compiler
    import re._parser as parser
    import warnings

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parsed = parser.parse(p, flags)
            code = compiler._code(parsed, flags)
    except Exception:  # noqa: BLE001 - re reports it when the pattern is compiled
        return None
    if caught:
        return None
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    # the code as _sre's native words (_sre.CODESIZE bytes each), read back with memoryview.cast("I")
    words = array.array("I", [int(c) for c in code]).tobytes()
    return (int(flags | parsed.state.flags), words, parsed.state.groups - 1, groupindex, tuple(indexgroup))


def record() -> dict:
    import re._compiler as compiler

    entries: dict = {}
    original = compiler.compile

    def recorder(p, flags=0):  # noqa: ANN001, ANN202 - re._compiler.compile's signature
        if isinstance(p, (str, bytes)) and type(flags) is int and not flags & 128 and (p, flags) not in entries:
            entry = regex_entry(p, flags)
            if entry is not None:
                entries[(p, flags)] = entry
        return original(p, flags)

    compiler.compile = recorder  # before iacgov is imported: fastdc.install_regexes leaves it in place
    import importlib
    import pkgutil

    for package in ("iacgov", "iacgov_rules"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if info.name.endswith("__main__") or info.name.startswith("iacgov._regex_codes"):
                continue
            try:
                importlib.import_module(info.name)
            except Exception:  # noqa: BLE001 - an optional dependency missing
                continue
    from iacgov.cli import main

    targets = [REPO / "fixtures" / "demo", *sorted(p.parent for p in (REPO / "fixtures" / "rules").glob("*/iacgov.yaml"))]
    for target in targets:
        for fmt in ("text", "json", "sarif"):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                try:
                    main(["scan", str(target), "--no-cache", "-f", fmt, "--fail-on", "never"], standalone_mode=False)
                except SystemExit:
                    pass
    compiler.compile = original
    return entries


def main() -> None:
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    entries = record()
    from iacgov import fastdc

    target = REPO / "src" / "iacgov" / f"{fastdc.REGEX_TABLE.rpartition('.')[2]}.py"
    target.write_text(fastdc.render_regexes(entries), encoding="utf-8")
    import py_compile

    py_compile.compile(str(target), doraise=True)  # its .pyc now, even under PYTHONDONTWRITEBYTECODE
    print(f"{target}: {len(entries)} patterns (Python {sys.version_info[0]}.{sys.version_info[1]})")


if __name__ == "__main__":
    main()
