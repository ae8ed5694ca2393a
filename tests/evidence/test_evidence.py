"""iacgov evidence: a pack generated from a git repository whose policy two
people changed, verified, then refused by verify once one byte is altered."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacgov.cli import main

from conftest import FIXTURES


def _git(repo: Path, *args: str, who: str = "alice") -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME=who, GIT_AUTHOR_EMAIL=f"{who}@example.com", GIT_COMMITTER_NAME=who,
               GIT_COMMITTER_EMAIL=f"{who}@example.com", GIT_AUTHOR_DATE="2025-03-01T10:00:00+00:00",
               GIT_COMMITTER_DATE="2025-03-01T10:00:00+00:00", GIT_CONFIG_NOSYSTEM="1", HOME=str(repo))
    subprocess.run([shutil.which("git"), "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    repo = tmp_path / "estate"
    shutil.copytree(FIXTURES / "exit" / "provider_key", repo, ignore=shutil.ignore_patterns("golden.*"))
    policy = (repo / "iacgov.yaml").read_text()
    (repo / "iacgov.yaml").write_text(policy.replace("rto_hours: 4", "rto_hours: 8"))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first policy", who="alice")
    (repo / "iacgov.yaml").write_text(policy)
    _git(repo, "commit", "-q", "-am", "billing RTO down to 4 hours", who="bob")
    return repo


def _pack(estate: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["evidence", "--path", str(estate), "--root", str(estate), "--since",
                                     "2025-01-01", "-o", str(out), *extra])


def test_pack_lists_every_file_with_its_hash_and_verifies(estate, tmp_path):
    out = tmp_path / "pack"
    result = _pack(estate, out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {e["path"]: e["sha256"] for e in manifest["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(listed) == on_disk
    assert {"index.html", "policy/iacgov.yaml", "policy/history.json", "findings/scan.json",
            "findings/suppressions.json", "exit/exit.json", "exit/exit.md", "controls/mapping.json"} == on_disk
    for rel, digest in listed.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest
    assert manifest["frameworks"] == ["iso27001", "gdpr", "dora", "nis2"]

    history = json.loads((out / "policy" / "history.json").read_text())
    assert [(c["author"], c["subject"]) for c in history["commits"]] == [
        ("bob", "billing RTO down to 4 hours"), ("alice", "first policy")]
    assert (out / "policy" / "iacgov.yaml").read_bytes() == (estate / "iacgov.yaml").read_bytes()
    exit_report = json.loads((out / "exit" / "exit.json").read_text())
    assert exit_report["verdict"] == "blocked"
    mapping = json.loads((out / "controls" / "mapping.json").read_text())
    adm = next(m for m in mapping["iso27001"]["mappings"] if m["family"] == "ADM")
    assert adm["open_findings"] == 1 and adm["does_not_cover"]
    dora_exit = next(m for m in mapping["dora"]["mappings"] if m["family"] == "EXIT")
    assert dora_exit["controls"] == ["Art. 28(8)"]
    assert "bob" in (out / "index.html").read_text()

    verified = CliRunner().invoke(main, ["evidence", "verify", str(out)])
    assert verified.exit_code == 0, verified.output


def test_one_altered_byte_is_refused_naming_the_file(estate, tmp_path):
    out = tmp_path / "pack"
    assert _pack(estate, out).exit_code == 0
    target = out / "findings" / "scan.json"
    data = bytearray(target.read_bytes())
    data[10] ^= 0x01
    target.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["evidence", "verify", str(out)])
    assert result.exit_code == 1
    assert f"{target}: SHA-256 differs from the manifest" in result.output


def test_added_and_removed_files_are_refused(estate, tmp_path):
    out = tmp_path / "pack"
    assert _pack(estate, out).exit_code == 0
    (out / "exit" / "exit.md").unlink()
    (out / "extra.txt").write_text("slipped in")
    result = CliRunner().invoke(main, ["evidence", "verify", str(out)])
    assert result.exit_code == 1
    assert "exit.md: missing" in result.output and "extra.txt: not listed in the manifest" in result.output


def test_usage_errors(estate, tmp_path):
    result = _pack(estate, tmp_path / "p1", "--framework", "sox")
    assert result.exit_code == 2 and "--framework sox: unknown framework" in result.output
    result = CliRunner().invoke(main, ["evidence", "--path", str(estate), "--since", "last week", "-o",
                                       str(tmp_path / "p2")])
    assert result.exit_code == 2 and "--since last week: not a date" in result.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    result = _pack(estate, tmp_path / "full")
    assert result.exit_code == 2 and "not an empty directory" in result.output


def test_framework_files_cite_their_sources():
    from iacgov.evidence.pack import FRAMEWORKS, framework

    for name in FRAMEWORKS:
        spec = framework(name)
        assert spec["framework"] == name and spec["source"].startswith("https://")
        for m in spec["mappings"]:
            assert m["covers"] and m["does_not_cover"] and isinstance(m["controls"], list)
