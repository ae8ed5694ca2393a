"""The report's location section when two root modules declare the same address in one region: dev's bucket
carries an accepted exception (a suppressed LOC001), prod's does not. Matched by address alone, prod's finding
counted for both buckets: "Not allowed" for the region instead of "Not allowed for 1 of 2"."""

from __future__ import annotations

from iacgov.engine import ScanRequest
from iacgov.plugins import load_plugins
from iacgov.report.collect import collect
from iacgov.report.view import build

POLICY = "version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\n"


def _bucket(env: str, ignore: str = "") -> str:
    return (f'provider "aws" {{\n  region = "us-east-1"\n}}\nresource "aws_s3_bucket" "data" {{{ignore}\n'
            f'  bucket = "acme-data-{env}"\n}}\n')


def test_a_region_is_not_allowed_for_prods_bucket_only(tmp_path):
    (tmp_path / "iacgov.yaml").write_text(POLICY)
    for env, ignore in (("dev", ' # iacgov:ignore LOC001 reason="dev sandbox, accepted"'), ("prod", "")):
        (tmp_path / "envs" / env).mkdir(parents=True)
        (tmp_path / "envs" / env / "main.tf").write_text(_bucket(env, ignore))
    host = load_plugins(disabled=["checkov", "cfn-lint"])
    data = collect(ScanRequest(paths=(tmp_path,), root=tmp_path), host)
    [aws] = build(data, title="t", generated="2026-01-01").location.clouds
    assert [(r.region, r.resources, r.outside, r.status, r.status_text) for r in aws.rows] == [
        ("us-east-1", 2, 1, "partly", "Not allowed for 1 of 2; 1 exception accepted (suppressed)")]
