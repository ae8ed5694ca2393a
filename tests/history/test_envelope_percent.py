"""cost.change_envelope as a percentage of the environment's monthly cost before the change."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from historykit import PROVIDER, DatedRepo, instance  # noqa: E402

BRIDGES = ("-p", "no:checkov", "-p", "no:cfn-lint")


def _review(tmp_path: Path, cli, envelope: str) -> tuple[int, dict]:
    repo = DatedRepo(tmp_path / "infra")
    repo.write({"iacgov.yaml": f"version: 1\ncost:\n  environment_tag: env\n  change_envelope: {envelope}\n",
                "main.tf": PROVIDER + instance("web", "m5.large")})
    base = repo.commit("estate", "2026-10-01")
    repo.write({"main.tf": PROVIDER + instance("web", "m5.xlarge")})  # doubles prod: +100% of its base cost
    repo.commit("resize", "2026-10-02")
    result = cli(*BRIDGES, "review", "--repo", repo.path, "--base", base, "--format", "json")
    return result.exit_code, (json.loads(result.stdout) if result.exit_code in (0, 1) else result.output)


@pytest.mark.parametrize("envelope, expected", [
    ('"50%"', ("cost_over_envelope", "cto")),
    ('"150%"', ("resize_within_envelope", "provider")),
    ('{prod: {per_change: "120%"}}', ("resize_within_envelope", "provider")),
    ('{prod: "80%"}', ("cost_over_envelope", "cto")),
])
def test_percentage_envelope_is_of_the_base_cost(tmp_path, cli, envelope, expected):
    code, doc = _review(tmp_path, cli, envelope)
    assert expected in {(c["change_class"], c["authority"]) for c in doc["changes"]}


def test_a_percentage_that_is_not_one_is_a_policy_error(tmp_path, cli):
    code, output = _review(tmp_path, cli, '"ten percent"')
    assert code == 2 and "change_envelope" in output
