"""iacgov history: the ledger's figures against iacgov cost at each commit, incremental replay, the
ledger's lock, refusal of files that are not ledgers, migration, the outputs."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from historykit import DatedRepo, months_of_history  # noqa: E402

from conftest import DEMO  # noqa: E402

BRIDGES = ("-p", "no:checkov", "-p", "no:cfn-lint")


@pytest.fixture
def months(tmp_path):
    return months_of_history(tmp_path / "infra")


@pytest.fixture
def history(cli, tmp_path):
    def run(repo: DatedRepo, *args: str, db: Path | None = None):
        return cli(*BRIDGES, "history", "--repo", repo.path, "--db", db or tmp_path / "ledger.sqlite", *args)

    return run


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ledger_figures_equal_iacgov_cost_at_each_commit(months, history, cli, tmp_path):
    repo, shas = months
    doc = _json(history(repo, "--by", "commit", "--format", "json"))
    assert [p["last"]["sha"] for p in doc["periods"]] == shas
    for n, (period, sha) in enumerate(zip(doc["periods"], shas)):
        tree = repo.export(sha, tmp_path / f"tree{n}")
        cost = cli(*BRIDGES, "cost", tree, "--format", "json")
        assert cost.exit_code == 0, cost.output
        expected = json.loads(cost.stdout)
        assert {k: Decimal(v) for k, v in period["by_environment"].items()} == \
            {k: Decimal(str(v)).quantize(Decimal("0.01")) for k, v in expected["by_environment"].items()}
        assert Decimal(period["total"]) == Decimal(str(expected["total_monthly"])).quantize(Decimal("0.01"))
    # the resize is seen: prod went up between the first two commits, staging appeared with the volume
    assert Decimal(doc["periods"][1]["by_environment"]["prod"]) > Decimal(doc["periods"][0]["by_environment"]["prod"])
    assert "staging" not in doc["periods"][1]["by_environment"] and "staging" in doc["periods"][2]["by_environment"]
    assert doc["periods"][2]["by_category"]["storage"] == doc["periods"][2]["by_environment"]["staging"]
    assert doc["periods"][0]["by_application"] == {"shop": doc["periods"][0]["by_environment"]["prod"]}


def test_change_classes_and_suppression_events_per_commit(months, history):
    repo, shas = months
    periods = _json(history(repo, "--by", "commit", "--format", "json"))["periods"]
    classes = [{(c["change_class"], c["authority"]) for c in p["changes"]} for p in periods]
    assert classes[0] == set()  # the first commit is the estate, not a change
    assert ("cost_over_envelope", "cto") in classes[1]  # t3.medium -> m5.large is more than the $50 envelope
    assert ("suppression_added", "cto") in classes[2]
    assert ("policy_change", "strategic") in classes[4]
    assert [p["suppressions"] for p in periods[2:]] == [
        {"opened": 1, "extended": 0, "expired": 0},
        {"opened": 0, "extended": 1, "expired": 0},
        {"opened": 0, "extended": 0, "expired": 1},  # its last day, 2026-10-15, fell between the two commits
    ]
    # expired: ENC001 is active again on the last commit, suppressed before
    assert periods[3]["suppressed"] == {"ENC": 1} and "ENC" not in periods[3]["findings"]
    assert periods[4]["findings"]["ENC"] == 1 and periods[4]["suppressed"] == {}


def test_replaying_again_computes_nothing_new(months, history, monkeypatch):
    from iacgov.history import replay as R

    calls: list[str] = []
    original = R.Analyser.__call__

    def counting(self, repo, entry, parent):
        calls.append(entry.sha)
        return original(self, repo, entry, parent)

    monkeypatch.setattr(R.Analyser, "__call__", counting)
    repo, shas = months
    first = _json(history(repo, "--format", "json"))
    assert calls == shas and first["ledger"]["evaluated"] == 5
    calls.clear()
    again = _json(history(repo, "--format", "json"))
    assert calls == [] and again["ledger"] == {**first["ledger"], "evaluated": 0, "reused": 5}
    assert again["periods"] == first["periods"]
    # one more commit: only it is analysed
    repo.write({"notes.md": "hello\n"})
    new = repo.commit("docs", "2026-11-20")
    assert _json(history(repo, "--format", "json"))["ledger"]["evaluated"] == 1 and calls == [new]


def test_by_month_and_since_until(months, history):
    repo, shas = months
    doc = _json(history(repo, "--format", "json"))
    assert [(p["period"], p["commits"]) for p in doc["periods"]] == [
        ("2026-07", 1), ("2026-08", 1), ("2026-09", 2), ("2026-11", 1)]
    september = doc["periods"][2]
    assert september["last"]["sha"] == shas[3] and september["suppressions"]["opened"] == 1
    ranged = _json(history(repo, "--since", "2026-08-01", "--until", "2026-09-30", "--by", "commit",
                           "--format", "json", db=None))
    assert [p["last"]["sha"] for p in ranged["periods"]] == shas[1:4]
    assert history(repo, "--since", "2026-13-01").exit_code == 2


def test_text_and_csv_of_the_demo_history(tmp_path, history):
    """The shipped demo as a repository: its estate, then a prod resize and a new staging volume."""
    import shutil

    repo = DatedRepo(tmp_path / "demo")
    shutil.copytree(DEMO, repo.path, dirs_exist_ok=True)
    repo.commit("the demo estate", "2026-10-01")
    main = repo.path / "terraform" / "main.tf"
    assert "m5.xlarge" in main.read_text()
    main.write_text(main.read_text().replace("m5.xlarge", "m5.2xlarge"))
    repo.commit("prod app servers to m5.2xlarge", "2026-11-12")
    text = history(repo)
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    header = next(line for line in lines if line.startswith("PERIOD"))
    assert header.split()[:5] == ["PERIOD", "COMMITS", "LAST", "PROD", "UNASSIGNED"]
    october = next(line for line in lines if line.startswith("2026-10"))
    november = next(line for line in lines if line.startswith("2026-11"))
    assert "$793.16" in october and "$1,120.20" in november and "cto 1" in november
    assert "LOC 4" in october
    rows = list(csv.DictReader(io.StringIO(history(repo, "--format", "csv").stdout)))
    assert [(r["period"], r["env:prod"], r["findings:LOC"], r["decisions:cto"]) for r in rows] == [
        ("2026-10", "793.16", "4", "0"), ("2026-11", "1120.20", "4", "1")]
    md = history(repo, "--format", "markdown", "--no-replay").stdout
    assert md.startswith("### Governance history of `HEAD` by month") and "| 2026-11 | 1 |" in md


def test_reviews_fed_in_are_kept_with_their_approvals(months, history, cli, tmp_path):
    repo, shas = months
    folder = tmp_path / "reviews"
    folder.mkdir()
    review = cli(*BRIDGES, "review", "--repo", repo.path, "--base", shas[0], "--head", shas[1], "--format", "json",
                 "--approved-by", "alice")
    assert review.exit_code in (0, 1), review.output
    (folder / "pr-7.json").write_text(review.stdout, encoding="utf-8")
    assert history(repo, "--reviews", folder).exit_code == 0
    from iacgov.history.ledger import open_reader

    with open_reader(tmp_path / "ledger.sqlite") as ledger:
        (kept,) = ledger.reviews()
    assert kept.head_sha == shas[1] and kept.source == "pr-7.json"
    assert ("cost_over_envelope", "cto") in {(d[1], d[2]) for d in kept.decisions}
    assert ("cto", ("alice",), ("alice",), True) in kept.approvals
    (folder / "broken.json").write_text('{"version": 1, "base": {"sha": "x"}}', encoding="utf-8")
    bad = history(repo, "--reviews", folder)
    assert bad.exit_code == 2 and "broken.json" in bad.output and "not a commit ID" in bad.output


def _fill(path: Path, months) -> None:
    from iacgov.history.ledger import CommitRecord, open_writer

    with open_writer(path) as ledger:
        ledger.record(CommitRecord("a" * 40, (), 1_790_000_000, "Alice", "estate", "iacgov.yaml", "USD",
                                   Decimal("12.5"), 1, 1, 0, True, costs={("environment", "prod"): Decimal("12.5")}))


@pytest.mark.parametrize("content", [b"this is a spreadsheet, not a ledger\n", b"SQLite format 3\x00" + b"\x07" * 200])
def test_a_file_that_is_not_a_ledger_is_refused_and_left_alone(months, history, tmp_path, content):
    repo, _ = months
    path = tmp_path / "mine.db"
    path.write_bytes(content)
    result = history(repo, db=path)
    assert result.exit_code == 2 and "mine.db" in result.output and "left as it is" in result.output
    assert path.read_bytes() == content
    assert not (tmp_path / "mine.db.lock").exists() or content.startswith(b"SQLite")


def test_another_applications_database_and_a_damaged_ledger_are_refused(months, history, tmp_path):
    repo, _ = months
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO customers VALUES (1, 'ACME')")
    before = foreign.read_bytes()
    result = history(repo, db=foreign)
    assert result.exit_code == 2 and "another application" in result.output
    assert foreign.read_bytes() == before

    damaged = tmp_path / "damaged.sqlite"
    _fill(damaged, None)
    data = bytearray(damaged.read_bytes())
    page = 4096
    data[page * 2 + 8: page * 2 + 400] = b"\xff" * 392  # a b-tree page's cells overwritten
    damaged.write_bytes(bytes(data))
    result = history(repo, db=damaged)
    assert result.exit_code == 2 and "damaged" in result.output
    assert damaged.read_bytes() == bytes(data)


def test_a_ledger_from_a_newer_iacgov_is_refused(months, history, tmp_path):
    from iacgov.history.ledger import SCHEMA

    repo, _ = months
    path = tmp_path / "newer.sqlite"
    _fill(path, None)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={SCHEMA + 1}")
    result = history(repo, db=path)
    assert result.exit_code == 2 and f"schema {SCHEMA + 1}" in result.output


def test_a_schema_1_ledger_is_migrated_with_its_data(tmp_path):
    from iacgov.history import ledger as L

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(L.MIGRATIONS[0])
        db.execute("INSERT INTO meta VALUES ('application', 'iacgov-ledger')")
        db.execute("INSERT INTO commits VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   ("b" * 40, "", 1_790_000_000, "Alice", "estate", "iacgov.yaml", "USD", "99.10", 1, 1, 0, 1, "[]"))
        db.execute(f"PRAGMA application_id={L.APPLICATION_ID}")
        db.execute("PRAGMA user_version=1")
    with pytest.raises(L.LedgerError, match="older"):
        L.open_reader(path)  # a reader never writes: it asks for a migration
    with L.open_writer(path) as ledger:
        assert ledger.conn.execute("PRAGMA user_version").fetchone()[0] == L.SCHEMA
        assert ledger.commit("b" * 40).total == Decimal("99.10")
        assert ledger.reviews() == []  # the schema 2 tables exist
    with L.open_reader(path) as reader:
        assert reader.known(["b" * 40]) == {"b" * 40}


def test_a_second_writer_waits_and_readers_are_not_blocked(tmp_path):
    from iacgov.history.ledger import CommitRecord, LedgerError, open_reader, open_writer

    path = tmp_path / "shared.sqlite"
    first = open_writer(path)
    first.record(CommitRecord("c" * 40, (), 1_790_000_000, "Alice", "estate", "p", "USD", Decimal(1), 0, 0, 0, True))
    with pytest.raises(LedgerError, match="another iacgov history is writing it"):
        open_writer(path, wait=0)
    got: list = []

    def write_too() -> None:
        with open_writer(path, wait=60) as ledger:
            got.append(ledger.known(["c" * 40]))

    second = threading.Thread(target=write_too)
    second.start()
    second.join(timeout=0.5)
    assert second.is_alive() and not got  # waiting for the first writer
    with open_reader(path) as reader:  # meanwhile a reader reads what is committed
        assert reader.known(["c" * 40]) == {"c" * 40}
    first.close()
    second.join(timeout=30)
    assert not second.is_alive() and got == [{"c" * 40}]


def test_default_ledger_lives_in_the_cache_directory(months, cli, tmp_path, monkeypatch):
    repo, _ = months
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    result = cli(*BRIDGES, "history", "--repo", repo.path, "--format", "json")
    path = Path(json.loads(result.stdout)["ledger"]["path"])
    assert path.parent == tmp_path / "cache" / "ledger" and path.name.startswith("infra-") and path.is_file()
    assert not list(repo.path.glob("*.sqlite*"))  # nothing written in the repository
