"""The schemas the tests validate against are the published files, unmodified."""

from __future__ import annotations

import hashlib

import pytest

from conftest import REPO, SARIF_SCHEMA

OASIS_ERRATA01_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


def test_the_sarif_schema_is_the_oasis_errata01_file():
    assert hashlib.sha256(SARIF_SCHEMA.read_bytes()).hexdigest() == OASIS_ERRATA01_SHA256


def test_the_copy_matches_the_projects_shared_schema_when_it_is_there():
    shared = REPO.parent / "shared" / "schemas" / "sarif-2.1.0.json"
    if not shared.is_file():
        pytest.skip("no shared/schemas beside this clone (a user's fresh clone)")
    assert shared.read_bytes() == SARIF_SCHEMA.read_bytes()
