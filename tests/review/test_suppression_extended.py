"""A suppression the base already has hides its finding in both commits: a
pull request that pushes its expiry back (or removes it) is still a decision."""

from __future__ import annotations

from tests.review.gitkit import pr, rcli, repo, review_json  # noqa: F401 - fixtures

AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
VOLUME = ('# iacgov:ignore ENC001 reason="scratch space, no data"%s\n'
          'resource "aws_ebs_volume" "scratch" {\n  availability_zone = "eu-west-3a"\n  size = 10\n}\n')


def suppressions(doc):
    return [(c["address"], c["authority"], c["file"], c["line"], c["detail"])
            for c in doc["changes"] if c["change_class"] == "suppression_added"]


def test_an_expiry_pushed_back_needs_the_cto(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + VOLUME % " expires=2027-01-31"},
                       {"main.tf": AWS + VOLUME % " expires=2099-01-01"})
    code, doc = review_json(repo, base)
    assert suppressions(doc) == [("aws_ebs_volume.scratch", "cto", "main.tf", 4,
                                  "ENC001 suppression extended: expires 2027-01-31 → 2099-01-01 (inline): "
                                  "scratch space, no data")]
    assert doc["new_findings"] == [] and code == 1


def test_an_expiry_removed_is_an_extension_to_never(pr, review_json):
    policy = "version: 1\ncost:\n  environment_tag: env\napprovers:\n  cto: [alice]\n"
    repo, base, _ = pr({"iacgov.yaml": policy, "main.tf": AWS + VOLUME % " expires=2027-01-31"},
                       {"main.tf": AWS + VOLUME % ""})
    _, doc = review_json(repo, base)
    assert [d for *_, d in suppressions(doc)] == [
        "ENC001 suppression extended: expires 2027-01-31 → never (inline): scratch space, no data"]


def test_an_expiry_brought_forward_or_a_reason_reworded_is_not_a_decision(pr, review_json):
    head = (VOLUME % " expires=2026-12-31").replace("scratch space, no data", "scratch space")
    repo, base, _ = pr({"main.tf": AWS + VOLUME % " expires=2027-01-31"}, {"main.tf": AWS + head})
    _, doc = review_json(repo, base)
    assert suppressions(doc) == []


def test_an_expired_suppression_renewed_is_reported_once(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + VOLUME % " expires=2020-01-31"},
                       {"main.tf": AWS + VOLUME % " expires=2099-01-01"})
    _, doc = review_json(repo, base)
    # the base's finding was active again (expired): the head suppresses it, reported as such, once
    assert [d for *_, d in suppressions(doc)] == [
        "ENC001 suppressed (inline): scratch space, no data, expires 2099-01-01"]


def test_prods_expiry_pushed_back_to_devs_is_an_extension(pr, review_json):
    # Addresses repeat across root modules: dev's later expiry on the same address is not prod's.
    def volume(env, expires):
        return AWS + (VOLUME % f" expires={expires}").replace("size = 10", f'size = 10\n  tags = {{ env = "{env}" }}')
    repo, base, _ = pr({"envs/a-prod/main.tf": volume("prod", "2027-01-31"),
                        "envs/b-dev/main.tf": volume("dev", "2027-12-31")},
                       {"envs/a-prod/main.tf": volume("prod", "2027-12-31"),
                        "envs/b-dev/main.tf": volume("dev", "2027-12-31").replace("size = 10", "size = 20")})
    code, doc = review_json(repo, base)
    assert suppressions(doc) == [("aws_ebs_volume.scratch", "cto", "envs/a-prod/main.tf", 4,
                                  "ENC001 suppression extended: expires 2027-01-31 → 2027-12-31 (inline): "
                                  "scratch space, no data")]
    assert code == 1
