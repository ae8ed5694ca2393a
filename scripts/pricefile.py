"""The end of every price-file builder in scripts/: ``--check`` compares, otherwise the file is written when
it changed (one place, so every builder reports and exits alike)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def check_or_write(out: Path, text: str, script: str, check: bool) -> int:
    """Exit status: with ``check``, 1 when ``out`` differs from ``text``; else write ``text`` if it changed."""
    current = out.read_text(encoding="utf-8") if out.exists() else None
    if check:
        if current != text:
            print(f"out of date: {out.relative_to(REPO)} (run {script})")
            return 1
        return 0
    if current != text:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out.relative_to(REPO)} ({text.count(chr(10)) - 1} rows)")
    return 0
