"""The end of every price-file builder in scripts/: ``--check`` compares, otherwise the file is written when
it changed (one place, so every builder reports and exits alike)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def check_or_write(out: Path, text: str, script: str, check: bool, what: str = "") -> int:
    """Exit status: with ``check``, 1 when ``out`` differs from ``text``; else write ``text`` if it changed
    (said with ``what`` it is, else its count of rows)."""
    current = out.read_text(encoding="utf-8") if out.exists() else None
    if check:
        if current != text:
            print(f"out of date: {out.relative_to(REPO)} (run {script})")
            return 1
        return 0
    if current != text:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out.relative_to(REPO)} ({what or f'{text.count(chr(10)) - 1} rows'})")
    return 0


def write_index(check: bool) -> int:
    """The price files' region index (scripts/build_price_index.py) brought up to date after a builder wrote
    its file, or with ``check`` compared: every builder ends with it."""
    import build_price_index

    return check_or_write(build_price_index.OUT, build_price_index.build(), "scripts/build_price_index.py", check,
                          "the price files' index")


def and_index(status: int) -> int:
    """A builder's exit status, after bringing the region index up to date when it wrote its files (not with
    ``--check``: CI checks the index with ``scripts/build_price_index.py --check``)."""
    import sys

    if status or "--check" in sys.argv[1:]:
        return status
    return write_index(False)
