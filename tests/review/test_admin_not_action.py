"""A provider's pull request that grants everything through ``NotAction`` is an administrator
grant: strategic, as ``Action: "*"`` is (a NotAction that leaves ``iam:*`` in grants the rest)."""

from __future__ import annotations

from tests.review.gitkit import pr, rcli, repo, review_json  # noqa: F401 - fixtures

AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
ROLE = ('resource "aws_iam_role" "ops" {\n  name = "ops"\n  assume_role_policy = jsonencode({Version = "2012-10-17",'
        ' Statement = [{Effect = "Allow", Action = "sts:AssumeRole", Principal = {AWS = "arn:aws:iam::222222222222:root"}}]})\n}\n')
INLINE = ('resource "aws_iam_role_policy" "ops" {\n  name = "ops"\n  role = aws_iam_role.ops.id\n'
          '  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", NotAction = %s, Resource = "*"}]})\n}\n')


def _admin_changes(doc):
    return [(c["address"], c["authority"], c["detail"]) for c in doc["changes"]
            if c["change_class"] == "admin_access_change"]


def test_not_action_leaving_iam_in_is_an_administrator_policy(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + ROLE}, {"main.tf": AWS + ROLE + INLINE % '["account:CloseAccount"]'})
    code, doc = review_json(repo, base)
    assert ("aws_iam_role_policy.ops", "strategic", "administrator policy added") in _admin_changes(doc)
    assert doc["approvals_satisfied"] is False and code != 0


def test_not_action_excluding_iam_is_not(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + ROLE}, {"main.tf": AWS + ROLE + INLINE % '["iam:*"]'})
    _, doc = review_json(repo, base)
    assert [a for a in _admin_changes(doc) if a[0] == "aws_iam_role_policy.ops"] == []
