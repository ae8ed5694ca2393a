"""Shared by the plugin test suites in this repository: the core's SARIF
validator and CLI runner (tests/conftest.py), loaded by path, not copied."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "iacgov_core_conftest", Path(__file__).resolve().parents[1] / "tests" / "conftest.py")
_core = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_core)

sarif_validator = _core.sarif_validator
validate_sarif = _core.validate_sarif
cli = _core.cli
private_parse_cache = _core.private_parse_cache  # autouse: the user's parse cache is never touched
REPO = _core.REPO
DEMO = _core.DEMO
