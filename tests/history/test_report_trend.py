"""iacgov report --since: what changed since the last committee, the trend from the ledger, the register."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from historykit import months_of_history  # noqa: E402

BRIDGES = ("-p", "no:checkov", "-p", "no:cfn-lint")


def test_report_since_shows_the_ledger(tmp_path, cli, monkeypatch):
    repo, shas = months_of_history(tmp_path / "infra")
    db = tmp_path / "ledger.sqlite"
    assert cli(*BRIDGES, "history", "--repo", repo.path, "--db", db).exit_code == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796342400")  # 2026-12-04
    monkeypatch.chdir(tmp_path)
    result = cli(*BRIDGES, "report", repo.path, "--since", "2026-09-01", "--db", db, "-o", "page.html")
    assert result.exit_code in (0, 1), result.output
    page = (tmp_path / "page.html").read_text()
    assert "<script" not in page
    since = page[page.index('id="since"'):page.index('id="trend"')]
    assert "3 commit(s) on the branch since 2026-09-01" in since
    assert "suppression added" in since and "policy change" in since and "strategic" in since
    assert "extended" in since and "expired" in since and "2026-10-15 (was 2026-09-30)" in since
    trend = page[page.index('id="trend"'):page.index('id="register"')]
    assert trend.count('<svg class="trend-chart"') == 2 and "2026-07" in trend and "2026-11" in trend
    assert "<td>2026-09</td>" in trend
    register = page[page.index('id="register"'):]
    assert "state-expired" in register and "scratch space, no customer data" in register
    plain = cli(*BRIDGES, "report", repo.path, "-o", "plain.html")
    assert plain.exit_code in (0, 1) and 'id="trend"' not in (tmp_path / "plain.html").read_text()


def test_report_refuses_a_file_that_is_not_a_ledger(tmp_path, cli, monkeypatch):
    repo, _ = months_of_history(tmp_path / "infra")
    bad = tmp_path / "notes.sqlite"
    bad.write_text("minutes of the committee\n")
    monkeypatch.chdir(tmp_path)
    result = cli(*BRIDGES, "report", repo.path, "--since", "2026-09-01", "--db", bad, "-o", "page.html")
    assert result.exit_code == 2 and "not an iacgov ledger" in result.output
    assert bad.read_text() == "minutes of the committee\n"
