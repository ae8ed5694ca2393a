"""Shared test helpers: repository paths, the SARIF schema, running the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

# Property tests explore new examples on a developer's machine; in CI (CI=true)
# they replay the same derandomised examples, so a run is red only for what
# the change did (a new counter-example found locally is then kept as a test).
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
DEMO = FIXTURES / "demo"
# The official OASIS errata01 schema, kept in the repository (tests/schemas/SOURCES.md)
# so that a fresh clone passes with nothing beside it.
SARIF_SCHEMA = REPO / "tests" / "schemas" / "sarif-2.1.0.json"


def pytest_addoption(parser):
    parser.addoption(
        "--update-goldens", action="store_true", default=False,
        help="Rewrite fixtures/rules/<CODE>/golden.json from the current findings (review the diff).",
    )


@pytest.fixture(scope="session", autouse=True)
def private_parse_cache(tmp_path_factory):
    """The suite never reads or writes the user's parse cache: every scan, in
    process or in a subprocess (which inherits the environment), uses this
    session's folder. Tests about the cache itself set their own."""
    previous = os.environ.get("IACGOV_CACHE_DIR")
    folder = tmp_path_factory.mktemp("parse-cache")
    os.environ["IACGOV_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("IACGOV_CACHE_DIR", None)
    else:
        os.environ["IACGOV_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def sarif_validator():
    import jsonschema

    assert SARIF_SCHEMA.is_file(), f"the SARIF schema is missing: {SARIF_SCHEMA}"
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture
def validate_sarif(sarif_validator):
    def check(log: dict) -> dict:
        errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(map(str, e.absolute_path)))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
        return log

    return check


@pytest.fixture
def cli(monkeypatch):
    """Invoke the CLI in-process: ``cli("scan", path, cwd=dir)`` -> click Result."""
    from iacgov.cli import main

    def invoke(*args: str, cwd: Path | None = None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke
