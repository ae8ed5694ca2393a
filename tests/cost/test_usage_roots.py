"""The usage file per root module (``root_module_usage``): envs/dev and envs/prod declaring one address get
their own quantities; an address entry still gives every root's resource its values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacgov.cli import main
from iacgov.cost.catalog import CostConfigError
from iacgov.cost.usage import parse_usage

BUCKET = ('provider "aws" {\n  region = "eu-west-3"\n}\n\n'
          'resource "aws_s3_bucket" "invoices" {\n  bucket = "acme-invoices-ENV"\n  tags   = { env = "ENV" }\n}\n')


def _estate(tmp_path: Path, usage: str) -> Path:
    for env in ("dev", "prod"):
        (tmp_path / "envs" / env).mkdir(parents=True)
        (tmp_path / "envs" / env / "main.tf").write_text(BUCKET.replace("ENV", env))
    (tmp_path / "iacgov.yaml").write_text("version: 1\ncost:\n  environment_tag: env\n")
    (tmp_path / "iacgov-usage.yaml").write_text(usage)
    return tmp_path


def _cost(folder: Path) -> dict:
    result = CliRunner().invoke(main, ["cost", str(folder), "--root", str(folder), "--no-cache", "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_root_modules_entry_overrides_the_address_entry_for_that_root_only(tmp_path):
    data = _cost(_estate(tmp_path, "version: 1\nresource_usage:\n  aws_s3_bucket.invoices:\n    storage_gb: 100\n"
                                   "root_module_usage:\n  envs/prod:\n    aws_s3_bucket.invoices:\n"
                                   "      storage_gb: 1000\n"))
    monthly = {r["file"]: r["monthly"] for r in data["resources"]}
    dev, prod = monthly["envs/dev/main.tf"], monthly["envs/prod/main.tf"]
    assert dev > 0 and prod == pytest.approx(10 * dev, rel=0.01)
    assert data["by_environment"]["prod"] == prod and data["by_environment"]["dev"] == dev
    assert not [w for w in data["warnings"] if "usage file" in w]


def test_an_entry_for_a_resource_the_root_module_does_not_hold_is_reported(tmp_path):
    data = _cost(_estate(tmp_path, "version: 1\nroot_module_usage:\n  envs/prod:\n    aws_s3_bucket.archive:\n"
                                   "      storage_gb: 5\n  envs/qa:\n    aws_s3_bucket.invoices:\n      storage_gb: 5\n"))
    assert sorted(w for w in data["warnings"] if "usage file" in w) == [
        "usage file root_module_usage.envs/prod.aws_s3_bucket.archive: no such resource in root module envs/prod in "
        "the estimate",
        "usage file root_module_usage.envs/qa.aws_s3_bucket.invoices: no such resource in root module envs/qa in "
        "the estimate"]


@pytest.mark.parametrize("text, message", [
    ("root_module_usage: [envs/prod]\n", "root_module_usage must map a root module's folder"),
    ("root_module_usage:\n  envs/prod: [1]\n", "root_module_usage.envs/prod must map a resource address"),
    ("root_module_usage:\n  envs/prod:\n    aws_s3_bucket.invoices:\n      storage_gb: -1\n",
     "root_module_usage.envs/prod.aws_s3_bucket.invoices.storage_gb must be zero or more"),
])
def test_a_malformed_root_module_section_is_a_one_line_error(text, message):
    with pytest.raises(CostConfigError, match=message.replace(".", r"\.")):
        parse_usage("version: 1\n" + text, "iacgov-usage.yaml")
