"""Screenshot the governance report of the demo with headless Chromium.

    python scripts/screenshot_report.py                  # -> docs/report-demo.png
    python scripts/screenshot_report.py --height 2400 --output /tmp/report.png

Writes the real report of ``fixtures/demo`` (``iacgov report``) to a
temporary file and has Debian's ``chromium`` (``apt-get install chromium``)
render it. The helpers here are also what the report's browser test uses,
so the page is checked in the same browser, with the same flags, as the
picture in the README.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "fixtures" / "demo"
DEFAULT_OUTPUT = REPO / "docs" / "report-demo.png"

# Offline and quiet: no GPU, no network of its own (QUIC, component updates,
# sync, background requests), no first-run UI; the profile is a fresh empty
# folder each time. --no-sandbox: CI runs as root, where the sandbox refuses to start.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1",
)
TIMEOUT = 120  # seconds; a cold start on a busy two-core machine takes a few


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chromium(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``url`` with a fresh, empty profile."""
    binary = find_chromium()
    if binary is None:
        raise SystemExit("chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="iacgov-chromium-") as profile:
        return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *extra, url],
                              capture_output=True, text=True, timeout=TIMEOUT, check=False)


def dump_dom(html: Path) -> str:
    """The DOM after the page loaded (and ran its scripts, if it had any)."""
    proc = run_chromium(html.absolute().as_uri(), "--dump-dom")
    if proc.returncode != 0 or "<html" not in proc.stdout:
        raise RuntimeError(f"chromium --dump-dom failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


def screenshot(html: Path, png: Path, width: int, height: int) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    proc = run_chromium(html.absolute().as_uri(), f"--window-size={width},{height}", f"--screenshot={png.absolute()}")
    if proc.returncode != 0 or not png.is_file():
        raise RuntimeError(f"chromium --screenshot failed ({proc.returncode}): {proc.stderr[-2000:]}")


def write_demo_report(html: Path, *extra: str) -> int:
    """``iacgov report fixtures/demo --output HTML``, run from the repository root; its exit code."""
    proc = subprocess.run([sys.executable, "-c", "from iacgov.cli import main; main()", "report",
                           str(DEMO.relative_to(REPO)), "--output", str(html), *extra],
                          cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1) or not html.is_file():
        raise RuntimeError(f"iacgov report failed ({proc.returncode}): {proc.stderr}")
    return proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="PNG to write (default: %(default)s)")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1900, help="visible height: the top of the page")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="iacgov-report-") as tmp:
        html = Path(tmp, "report.html")
        write_demo_report(html)
        screenshot(html, args.output, args.width, args.height)
    shown = args.output.resolve()
    print(f"wrote {shown.relative_to(REPO) if REPO in shown.parents else shown}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    sys.exit(main())
