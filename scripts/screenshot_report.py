"""Screenshot the governance report of the demo with headless Chromium.

    python scripts/screenshot_report.py                  # -> docs/report-demo.png
    python scripts/screenshot_report.py --height 2400 --output /tmp/report.png
    python scripts/screenshot_report.py --responsive     # -> docs/report-400.png, docs/report-1366.png

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
# --responsive: a phone and a laptop, (width, height of the picture), -> docs/report-<width>.png
RESPONSIVE = ((400, 1800), (1366, 1500))

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
    """The top ``height`` px of the page in a ``width`` px window (narrower
    than Chromium's smallest window: through a frame of that width)."""
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="iacgov-shot-") as tmp:
        url = html.absolute().as_uri() if width >= MIN_WINDOW_WIDTH else _framed(html, Path(tmp), width, height).as_uri()
        proc = run_chromium(url, f"--window-size={width},{height}", f"--screenshot={png.absolute()}")
    if proc.returncode != 0 or not png.is_file():
        raise RuntimeError(f"chromium --screenshot failed ({proc.returncode}): {proc.stderr[-2000:]}")


# Headless Chromium lays a page out at least 500 px wide, whatever --window-size
# says; a narrower viewport is an iframe of that width, in a page of its own
# (the report's Content-Security-Policy governs what the report loads, not
# where it is shown).
MIN_WINDOW_WIDTH = 500

# A page showing the report in a ``width`` px viewport (an iframe) and, once
# loaded, writing what the layout measures into its own DOM for --dump-dom:
# the viewport's width, the document's scroll width and height (wider than the
# viewport: the page scrolls sideways) and the elements whose box ends right of
# the viewport. The report itself is not changed: it still runs no script.
_FRAME = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>html, body {{ margin: 0; padding: 0; overflow: hidden; }}
iframe {{ display: block; border: 0; width: {width}px; height: {height}px; }}</style></head>
<body><iframe id="report" src="{src}"></iframe>
<script>
window.addEventListener("load", () => {{
  const frame = document.getElementById("report"), win = frame.contentWindow, doc = frame.contentDocument;
  const width = win.innerWidth, offenders = [];
  for (const el of doc.body.querySelectorAll("*")) {{
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5 && offenders.length < 20) {{
      const css = typeof el.className === "string" && el.className ? "." + el.className.split(" ").join(".") : "";
      offenders.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + css + " right=" + Math.round(box.right));
    }}
  }}
  const out = {{innerWidth: width, scrollWidth: doc.scrollingElement.scrollWidth,
               scrollHeight: doc.scrollingElement.scrollHeight, offenders}};
  const pre = document.createElement("pre");
  pre.id = "iacgov-layout";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}});
</script></body></html>
"""


def _framed(html: Path, folder: Path, width: int, height: int) -> Path:
    page = folder / "framed.html"
    page.write_text(_FRAME.format(width=width, height=height, src=html.absolute().as_uri()), encoding="utf-8")
    return page


def measure_layout(html: Path, width: int, height: int = 900) -> dict:
    """The report laid out in a ``width`` x ``height`` viewport: ``innerWidth``,
    ``scrollWidth``, ``scrollHeight`` and the elements that stick out
    (``offenders``), as Chromium computes them."""
    import html as html_module
    import json
    import re

    with tempfile.TemporaryDirectory(prefix="iacgov-layout-") as tmp:
        page = _framed(html, Path(tmp), width, height)
        # file:// pages are each their own origin: let the frame's page read the report's layout
        proc = run_chromium(page.as_uri(), f"--window-size={max(width, MIN_WINDOW_WIDTH)},{height}",
                            "--allow-file-access-from-files", "--dump-dom")
    match = re.search(r'<pre id="iacgov-layout">(.*?)</pre>', proc.stdout, re.S)
    if proc.returncode != 0 or match is None:
        raise RuntimeError(f"chromium --dump-dom failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(html_module.unescape(match.group(1)))


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
    parser.add_argument("--responsive", action="store_true",
                        help="docs/report-400.png and docs/report-1366.png, after checking that the page has no "
                             "horizontal overflow at either width")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="iacgov-report-") as tmp:
        html = Path(tmp, "report.html")
        write_demo_report(html)
        shots = [(args.output, args.width, args.height)]
        if args.responsive:
            shots = [(REPO / "docs" / f"report-{w}.png", w, h) for w, h in RESPONSIVE]
            for _, width, height in shots:
                layout = measure_layout(html, width, height)
                if layout["scrollWidth"] > layout["innerWidth"]:
                    raise SystemExit(f"the report overflows at {width} px: {layout}")
        for png, width, height in shots:
            screenshot(html, png, width, height)
            shown = png.resolve()
            print(f"wrote {shown.relative_to(REPO) if REPO in shown.parents else shown}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    sys.exit(main())
