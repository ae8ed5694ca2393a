"""iacgov suppressions: the register flags unused and expiring suppressions (dates relative to --today),
names who added each one and when (git blame), lists baseline entries."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from historykit import PROVIDER, DatedRepo  # noqa: E402

BRIDGES = ("-p", "no:checkov", "-p", "no:cfn-lint")


def _volume(name: str, comment: str, encrypted: bool = False) -> str:
    extra = "  encrypted         = true\n" if encrypted else ""
    return f"""
{comment}resource "aws_ebs_volume" "{name}" {{
  availability_zone = "eu-west-3a"
  size              = 20
{extra}  tags = {{ env = "prod", app = "batch" }}
}}
"""


POLICY = "version: 1\nsuppressions:\n  max_days: 3650\n"


def _ignore(expires: str, reason: str = "scratch space, no customer data") -> str:
    return f'# iacgov:ignore ENC001 reason="{reason}" expires={expires}\n'


def _estate(tmp_path: Path) -> DatedRepo:
    repo = DatedRepo(tmp_path / "infra")
    repo.write({"iacgov.yaml": POLICY, "main.tf": PROVIDER + _volume("scratch", _ignore("2027-06-30"))})
    repo.commit("scratch volume", "2026-03-02", author="Alice")
    repo.write({"storage.tf": _volume("expiring", _ignore("2026-12-20", "migrated in December"))
                + _volume("fixed", _ignore("2027-03-31", "legacy volume"), encrypted=True)
                + _volume("late", _ignore("2026-10-01", "temporary"))})
    repo.commit("more volumes", "2026-06-15", author="Bob")
    return repo


def test_register_states_reasons_and_authors(tmp_path, cli):
    repo = _estate(tmp_path)
    result = cli(*BRIDGES, "suppressions", repo.path, "--today", "2026-12-01", "--expiring-within", "30",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    got = {e["address"]: (e["state"], e["reason"], e["expires"], e["added_by"], e["added_on"], e["file"], e["line"])
           for e in doc["suppressions"]}
    assert got == {
        "aws_ebs_volume.scratch": ("active", "scratch space, no customer data", "2027-06-30", "Alice", "2026-03-02",
                                   "main.tf", 5),
        "aws_ebs_volume.expiring": ("expiring", "migrated in December", "2026-12-20", "Bob", "2026-06-15",
                                    "storage.tf", 2),
        "aws_ebs_volume.fixed": ("unused", "legacy volume", "2027-03-31", "Bob", "2026-06-15", "storage.tf", 9),
        "aws_ebs_volume.late": ("expired", "temporary", "2026-10-01", "Bob", "2026-06-15", "storage.tf", 17),
    }
    assert doc["counts"] == {"expired": 1, "refused": 0, "unused": 1, "expiring": 1, "active": 1}
    fixed = next(e for e in doc["suppressions"] if e["state"] == "unused")
    assert fixed["detail"] == "matches no finding any more" and len(fixed["commit"]) == 40
    # another day, another state: the same files on 2026-11-15 with a 7-day horizon
    earlier = json.loads(cli(*BRIDGES, "suppressions", repo.path, "--today", "2026-09-01", "--expiring-within", "7",
                             "--format", "json").stdout)
    assert {e["address"]: e["state"] for e in earlier["suppressions"]}["aws_ebs_volume.late"] == "active"
    assert {e["address"]: e["state"] for e in earlier["suppressions"]}["aws_ebs_volume.expiring"] == "active"


def test_register_text_and_uncommitted_lines(tmp_path, cli):
    repo = _estate(tmp_path)
    (repo.path / "new.tf").write_text(_volume("draft", _ignore("2026-12-05", "being written")), encoding="utf-8")
    text = cli(*BRIDGES, "suppressions", repo.path, "--today", "2026-12-01")
    assert text.exit_code == 0, text.output
    out = text.stdout
    assert out.startswith("Suppression register as of 2026-12-01 (expiring: within 30 days) — 1 expired, 0 refused, "
                          "1 unused, 2 expiring, 1 active")
    assert "UNUSED    ENC001 aws_ebs_volume.fixed — storage.tf:9 (inline)" in out
    assert "reason: being written; expires 2026-12-05; added: not committed" in out
    assert "added by Alice on 2026-03-02" in out
    assert cli(*BRIDGES, "suppressions", repo.path, "--today", "1 December").exit_code == 2


def test_baseline_entries_are_listed_used_or_not(tmp_path, cli):
    repo = _estate(tmp_path)
    (repo.path / "tags.tf").write_text(_volume("loose", ""), encoding="utf-8")
    written = cli(*BRIDGES, "scan", repo.path, "--write-baseline", repo.path / "baseline.json")
    assert written.exit_code in (0, 1), written.output
    doc = json.loads((repo.path / "baseline.json").read_text())
    assert doc["findings"]
    (repo.path / "tags.tf").unlink()  # its findings are gone: their baseline entries are stale
    result = json.loads(cli(*BRIDGES, "suppressions", repo.path, "--baseline", repo.path / "baseline.json",
                            "--today", "2026-12-01", "--format", "json").stdout)
    baseline = [e for e in result["suppressions"] if e["kind"] == "baseline"]
    states = {(e["address"], e["state"]) for e in baseline}
    # the expired suppression's finding was active when the baseline was written: still known, still there
    assert ("aws_ebs_volume.late (storage.tf)", "active") in states
    stale = {state for address, state in states if address.endswith("(tags.tf)")}
    assert stale == {"unused"}
    assert all(e["file"] == "baseline.json" and e["reason"] == "in baseline baseline.json" for e in baseline)
