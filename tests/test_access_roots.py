"""The access register when two root modules declare the same role (envs/dev, envs/prod): each root's holder is
its own. Keyed without the root, the register listed one holder (provider: 1), and a review adding prod's copy
of dev's role showed nothing granted."""

from __future__ import annotations

import json

from click.testing import CliRunner

from iacgov.cli import main
from tests.review.gitkit import pr, rcli, repo, review_json  # noqa: F401 - fixtures
from tests.review.test_decision_grid import ADMIN_POLICY, AWS, PROVIDER_ROOT, ROLE

PROD = "envs/prod/main.tf"


def test_each_root_holds_its_own_rights(tmp_path):
    (tmp_path / "iacgov.yaml").write_text(ADMIN_POLICY)
    for root in ("dev", "prod"):
        (tmp_path / "envs" / root).mkdir(parents=True)
        (tmp_path / "envs" / root / "main.tf").write_text(AWS + ROLE % PROVIDER_ROOT)
    result = CliRunner().invoke(main, ["access", str(tmp_path), "--format", "json"], catch_exceptions=False)
    holders = json.loads(result.output)["holders"]
    assert sorted((h["scope"], h["file"]) for h in holders) == [("provider", "envs/dev/main.tf"),
                                                                ("provider", PROD)]


def test_a_review_adding_prods_copy_of_devs_role_grants_it(pr, review_json):  # noqa: F811
    role = AWS + ROLE % PROVIDER_ROOT
    repo, base, _ = pr({"iacgov.yaml": ADMIN_POLICY, "envs/dev/main.tf": role}, {PROD: role})
    _, doc = review_json(repo, base)
    assert [(h["scope"], h["file"]) for h in doc["access"]["granted"]] == [("provider", PROD)]
    assert doc["access"]["revoked"] == []
