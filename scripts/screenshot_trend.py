"""Screenshot the report's history sections (trend, what changed since the committee, register).

    python scripts/screenshot_trend.py                 # -> docs/report-trend.png

Builds a git repository from ``fixtures/demo`` in a temporary folder with a
few months of provider changes (resizes, a new staging volume with a
suppression, a policy edit), replays it with ``iacgov history`` into a
temporary ledger, writes ``iacgov report --since 2026-11-01`` and has
headless Chromium (:mod:`screenshot_report`'s helpers) render the page. For
the picture only, the report's other sections are hidden with one injected
style rule, so the trend fits the image; the page itself is unchanged.
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
sys.path.insert(0, str(REPO / "scripts"))
from screenshot_report import screenshot  # noqa: E402

DEMO = REPO / "fixtures" / "demo"
OUTPUT = REPO / "docs" / "report-trend.png"
GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
HIDE = ("<style>section.card:not(#since):not(#trend):not(#register), .kpis, nav.toc "
        "{ display: none !important; }</style></head>")
SCRATCH = """
# iacgov:ignore ENC001 reason="scratch space for batch jobs, no customer data" expires=2026-12-15
resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-3a"
  size              = 500
  type              = "gp3"
  tags = { env = "staging", app = "batch" }
}
"""


def git(repo: Path, *args: str, day: str = "2026-01-01", who: str = "Provider") -> None:
    env = {**GIT_ENV, "GIT_AUTHOR_NAME": who, "GIT_AUTHOR_EMAIL": "ops@provider.example", "GIT_COMMITTER_NAME": who,
           "GIT_COMMITTER_EMAIL": "ops@provider.example", "GIT_AUTHOR_DATE": f"{day}T10:00:00Z",
           "GIT_COMMITTER_DATE": f"{day}T10:00:00Z"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def build_history(repo: Path) -> None:
    """The demo estate from June, then a change or two a month."""
    shutil.copytree(DEMO, repo)
    git(repo, "init", "-q", "-b", "main")
    main = repo / "terraform" / "main.tf"

    def commit(message: str, day: str, who: str = "Provider") -> None:
        git(repo, "add", "-A", day=day)
        git(repo, "commit", "-q", "--allow-empty", "-m", message, day=day, who=who)

    commit("the demo estate", "2026-06-03", "Alice")
    text = main.read_text()
    main.write_text(text.replace("m5.xlarge", "m5.large"))
    commit("right-size the app servers", "2026-07-08")
    (repo / "terraform" / "staging.tf").write_text(SCRATCH)
    commit("staging scratch volume for batch jobs", "2026-08-19")
    main.write_text(text)
    commit("app servers back to m5.xlarge for the season", "2026-09-22")
    main.write_text(text.replace("m5.xlarge", "m5.2xlarge"))
    commit("prod app servers to m5.2xlarge", "2026-11-04")
    (repo / "terraform" / "staging.tf").write_text(SCRATCH.replace("2026-12-15", "2027-01-31").replace("500", "800"))
    commit("bigger scratch volume, kept until January", "2026-11-20")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=2300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="iacgov-trend-") as tmp:
        repo, ledger, page = Path(tmp, "demo"), Path(tmp, "ledger.sqlite"), Path(tmp, "report.html")
        build_history(repo)
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1796342400", "IACGOV_CACHE_DIR": str(Path(tmp, "cache"))}
        iacgov = [sys.executable, "-m", "iacgov", "-p", "no:checkov", "-p", "no:cfn-lint"]
        subprocess.run([*iacgov, "history", "--repo", repo, "--db", ledger], env=env, check=True)
        done = subprocess.run([*iacgov, "report", repo, "--since", "2026-11-01", "--db", ledger, "-o", page],
                              env=env, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            raise SystemExit(done.stderr)
        shot = Path(tmp, "shot.html")
        shot.write_text(page.read_text().replace("</head>", HIDE, 1))
        screenshot(shot, args.output, args.width, args.height)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
