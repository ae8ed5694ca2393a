"""A broken hcl2 install (another distribution's files over python-hcl2's) stops the scan, exit 2."""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

import pytest

from iacgov.parsers.terraform import install


def _fake_site(tmp_path: Path, installed: bytes, now: bytes) -> tuple[Path, metadata.Distribution]:
    """A site-packages with python-hcl2's RECORD for ``installed`` but ``now`` on disk."""
    site = tmp_path / "site"
    (site / "hcl2").mkdir(parents=True)
    (site / "hcl2" / "__init__.py").write_bytes(now)
    info = site / "python_hcl2-8.1.4.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: python-hcl2\nVersion: 8.1.4\n")
    digest = base64.urlsafe_b64encode(hashlib.sha256(installed).digest()).rstrip(b"=").decode()
    (info / "RECORD").write_text(f"hcl2/__init__.py,sha256={digest},{len(installed)}\n"
                                 "python_hcl2-8.1.4.dist-info/RECORD,,\n")
    return site / "hcl2" / "__init__.py", metadata.PathDistribution(info)


def test_the_real_install_is_python_hcl2s():
    assert install.hcl2_install_problem() is None


def test_files_overwritten_by_another_distribution_are_detected(tmp_path):
    origin, dist = _fake_site(tmp_path, b"# python-hcl2\n", b"# bc-python-hcl2\n")
    problem = install.hcl2_install_problem(origin, dist)
    assert problem is not None
    assert str(origin) in problem and "python-hcl2 8.1.4" in problem
    assert "pip install --force-reinstall python-hcl2" in problem and "without checkov" in problem
    origin, dist = _fake_site(tmp_path / "ok", b"# python-hcl2\n", b"# python-hcl2\n")
    assert install.hcl2_install_problem(origin, dist) is None


def test_hcl2_without_python_hcl2_is_detected(tmp_path, monkeypatch):
    origin, _ = _fake_site(tmp_path, b"x", b"x")

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(install.metadata, "distribution", missing)
    problem = install.hcl2_install_problem(origin)
    assert problem.startswith(f"the hcl2 package in {origin.parent} does not come from python-hcl2")


def test_the_scan_stops_with_exit_2_and_the_fix(tmp_path, monkeypatch, cli):
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {}\n')
    monkeypatch.setattr(install, "hcl2_install_problem", lambda **_: "hcl2 is bc-python-hcl2's; reinstall python-hcl2")
    monkeypatch.setattr(install, "_unchanged_since_checked", lambda cache_dir: False)  # its files changed since
    install.check_hcl2_install.cache_clear()
    try:
        result = cli("scan", tmp_path)
    finally:
        install.check_hcl2_install.cache_clear()
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: cannot parse Terraform: hcl2 is bc-python-hcl2's; reinstall python-hcl2"
    assert "Traceback" not in result.output + result.stderr


def test_the_other_owners_of_hcl2_are_named(monkeypatch):
    monkeypatch.setattr(install.metadata, "packages_distributions", lambda: {"hcl2": ["python-hcl2"]})
    assert install._owners() == ""
    monkeypatch.setattr(install.metadata, "packages_distributions", lambda: {"hcl2": ["python-hcl2", "bc-python-hcl2"]})
    assert install._owners() == " (also installed by: bc-python-hcl2)"


def _recorded_site(tmp_path: Path, monkeypatch, content: bytes) -> Path:
    """A site-packages holding python-hcl2's RECORD for hcl2/__init__.py = ``content``, made the only
    place ``import hcl2`` and the distribution are looked for."""
    site = tmp_path / "site"
    origin, _ = _fake_site(tmp_path, content, content)
    monkeypatch.setattr(sys, "path", [str(site)])
    monkeypatch.setattr(install.importlib.util, "find_spec",
                        lambda name: type("Spec", (), {"origin": str(origin)}) if name == "hcl2" else None)
    return origin


def test_an_install_found_intact_is_not_hashed_again_until_a_file_changes(tmp_path, monkeypatch):
    origin = _recorded_site(tmp_path, monkeypatch, b"# python-hcl2\n")
    cache = tmp_path / "cache"
    install.check_hcl2_install.cache_clear()
    try:
        install.check_hcl2_install(cache)  # hashed, and the verdict kept with what the file system says
        kept = [p for p in (cache / "v1" / "install-checks").rglob("*") if p.is_file()]
        assert len(kept) == 1 and len(kept[0].parent.name + kept[0].name) == 64
        hashed = []
        real = install.hcl2_install_problem
        monkeypatch.setattr(install, "hcl2_install_problem", lambda **kw: hashed.append(1) or real(**kw))
        install.check_hcl2_install.cache_clear()
        install.check_hcl2_install(cache)  # a new run: nothing changed, nothing hashed
        assert hashed == []
        origin.write_bytes(b"# bc-python-hcl2\n")  # another distribution's file over it: hashed again, refused
        install.check_hcl2_install.cache_clear()
        with pytest.raises(install.BrokenInstall, match="is not the file python-hcl2 8.1.4 installed"):
            install.check_hcl2_install(cache)
        assert hashed == [1]
        install.check_hcl2_install.cache_clear()
        with pytest.raises(install.BrokenInstall):  # and never kept as intact
            install.check_hcl2_install(cache)
        assert hashed == [1, 1]
    finally:
        install.check_hcl2_install.cache_clear()


@pytest.mark.parametrize("damage", ["garbage", "another interpreter", "a file less"])
def test_a_kept_verdict_that_does_not_match_is_hashed_again(tmp_path, monkeypatch, damage):
    _recorded_site(tmp_path, monkeypatch, b"# python-hcl2\n")
    cache = tmp_path / "cache"
    install.check_hcl2_install.cache_clear()
    try:
        install.check_hcl2_install(cache)
        (entry,) = [p for p in (cache / "v1" / "install-checks").rglob("*") if p.is_file()]
        kept = json.loads(entry.read_text())
        entry.write_bytes({"garbage": b"\x80not json",
                           "another interpreter": json.dumps({**kept, "identity": "/usr/bin/python9"}).encode(),
                           "a file less": json.dumps({**kept, "files": kept["files"][:1]}).encode()}[damage])
        hashed = []
        real = install.hcl2_install_problem
        monkeypatch.setattr(install, "hcl2_install_problem", lambda **kw: hashed.append(1) or real(**kw))
        install.check_hcl2_install.cache_clear()
        install.check_hcl2_install(cache)
        assert hashed == [1] and json.loads(entry.read_text()) == kept  # hashed, and kept again whole
    finally:
        install.check_hcl2_install.cache_clear()


def test_without_a_cache_folder_nothing_is_kept(tmp_path, monkeypatch):
    _recorded_site(tmp_path, monkeypatch, b"# python-hcl2\n")
    monkeypatch.chdir(tmp_path)
    install.check_hcl2_install.cache_clear()
    try:
        install.check_hcl2_install(None)
    finally:
        install.check_hcl2_install.cache_clear()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
