"""A broken hcl2 install (another distribution's files over python-hcl2's) stops the scan, exit 2."""

from __future__ import annotations

import base64
import hashlib
from importlib import metadata
from pathlib import Path

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
    monkeypatch.setattr(install, "hcl2_install_problem", lambda: "hcl2 is bc-python-hcl2's; reinstall python-hcl2")
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
