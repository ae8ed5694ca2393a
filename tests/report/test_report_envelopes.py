"""``iacgov report --base`` with per-environment change envelopes (issue 18's
``change_envelope: {prod: {per_change: N, per_month: M}}``): each environment's
envelope, what the month holds, and whether the change is over it, as the review decides."""

from __future__ import annotations

from htmlkit import read_page
from tests.review.gitkit import POLICY, pr, repo  # noqa: F401 - fixtures
from tests.review.test_decision_grid import AWS, INSTANCE, month  # noqa: F401 - fixtures

BRIDGES = ("-p", "no:checkov", "-p", "no:cfn-lint")


def _report(cli, path, tmp_path, base, head):
    out = tmp_path / "pr.html"
    result = cli(*BRIDGES, "report", path, "--base", base, "--head", head, "--output", out)
    assert out.exists(), result.output
    return result, read_page(out.read_text(encoding="utf-8"))


def test_a_monthly_envelope_overrun_shows_with_the_environments_envelope(month, cli, tmp_path):
    result, page = _report(cli, month.path, tmp_path, "main", "provider")
    assert result.exit_code == 1  # the CTO must approve: over the monthly envelope
    prod = page.rows_by("pr-cost-delta", "data-environment")["prod"]
    assert prod[3] == "+$68.91"  # within per_change 100, but the month already holds $137.82 of $150
    assert prod[4].startswith("Over the envelope ")  # then the note on the instance's unpriced part
    assert prod[4].endswith(" Envelope: $100.00 per change; $150.00 a month, $137.82 used by 2 changes "
                            "since 2026-01-01")
    assert "each environment's change envelope in its note" in page.text
    assert "over the envelope in prod" in page.text and "Monthly cost: prod +$68.91 (over its envelope)." in page.text


def test_a_change_within_its_environments_envelope(pr, cli, tmp_path):
    policy = POLICY.replace("  change_envelope: 100\n", "  change_envelope:\n    prod: {per_change: 100}\n")
    assert policy != POLICY
    repo, base, head = pr({"iacgov.yaml": policy, "main.tf": AWS + INSTANCE % "a"}, {"b.tf": INSTANCE % "b"})
    result, page = _report(cli, repo.path, tmp_path, base, head)
    prod = page.rows_by("pr-cost-delta", "data-environment")["prod"]
    assert prod[3] == "+$68.91" and prod[4].endswith(" Envelope: $100.00 per change")
    assert "within each environment's envelope" in page.text and "Over the envelope" not in page.text
    assert result.exit_code == 0
