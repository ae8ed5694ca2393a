"""``iacgov report``: a self-contained page, the figures of scan and cost, exit codes, errors."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from conftest import REPO
from htmlkit import money, read_page

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _report(cli, tmp_path, *args, name="report.html"):
    out = tmp_path / name
    result = cli("report", *args, "--output", out)
    return result, out


def _project(tmp_path, files: dict[str, str], policy: str | None = None):
    project = tmp_path / "project"
    project.mkdir()
    for name, text in files.items():
        (project / name).write_text(text, encoding="utf-8")
    if policy is not None:
        (project / "iacgov.yaml").write_text(policy, encoding="utf-8")
    return project


POLICY = """version: 1
data_location:
  allowed_regions:
    aws: [eu-west-3]
cost:
  budgets:
    prod: 100
decisions:
  new_region: strategic
approvers:
  cto: [alice]
  strategic: [alice, bob]
"""

INSTANCE = """provider "aws" {
  region = "eu-west-3"
}

resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "m5.xlarge"
  tags          = { env = "prod", app = "shop" }
}
"""


def test_demo_report_is_one_static_self_contained_page(cli, tmp_path):
    result = cli("report", "fixtures/demo", "--output", tmp_path / "r.html", cwd=REPO)
    assert result.exit_code == 1, result.output
    assert result.stdout == f"wrote {tmp_path / 'r.html'}: Action required: 9 blocking findings\n"
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in html  # the CSP meta: nothing can be loaded, no script can run
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!#)""", html), "only in-page links"
    assert "@media print" in html and "@page" in html
    assert "2026-01-01" in html


def test_same_input_same_bytes(cli, tmp_path):
    first = cli("report", "fixtures/demo", "--output", tmp_path / "a.html", cwd=REPO)
    second = cli("report", "fixtures/demo", "--output", tmp_path / "b.html", cwd=REPO)
    assert first.exit_code == second.exit_code == 1
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_without_output_the_page_goes_to_stdout(cli):
    result = cli("report", "fixtures/demo", cwd=REPO)
    assert result.exit_code == 1
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")


def test_demo_sections_data_location_and_domains(cli, tmp_path):
    cli("report", "fixtures/demo", "--output", tmp_path / "r.html", cwd=REPO)
    page = read_page((tmp_path / "r.html").read_text(encoding="utf-8"))
    regions = {}
    for row in page.tables["regions"][1:]:
        cells = row.cells if len(row.cells) == 3 else row.cells[1:]
        regions[cells[0]] = cells[2]
    # LOC001: the DR replica bucket in us-east-1, an Azure account in eastus2, a GCS bucket in the US multi-region
    assert regions["us-east-1"] == regions["eastus2"] == regions["us"] == "Not allowed"
    assert regions["eu-west-3"] == "Allowed" and regions["francecentral"] == "Allowed"
    assert "not determined" not in regions  # the CloudFormation stack is in its samconfig.toml's region, eu-west-3
    copies = page.tables["data-copies"][1:]
    assert len(copies) == 1 and copies[0].cells[1] == "LOC002"
    assert "us-east-1" in copies[0].cells[3]
    assert copies[0].cells[2] == "aws_s3_bucket_replication_configuration.invoices"
    raci = page.table("raci")
    assert set(raci) >= {"Cloud infrastructure architecture", "Data security and regulatory compliance",
                         "Access and identity management", "Cost management and optimisation",
                         "Business continuity and disaster recovery"}
    # LOC 4 + ENC 2 (ENC001, ENC003: Cloud SQL accepts unencrypted connections) + LOG 1; ADM 1; TAG 3; BCK 2
    assert [raci[d][4] for d in ("Data security and regulatory compliance", "Access and identity management",
                                 "Cost management and optimisation", "Business continuity and disaster recovery",
                                 "Cloud infrastructure architecture")] == ["7", "1", "3", "2", "0"]
    # accountable and the routes of the demo policy's decisions, with the approvers it names
    assert "CTO — approvers: alice" in page.text
    assert "new_cloud_provider → Strategic committee (alice, bob)" in page.text
    assert "new_region → CTO (alice)" in page.text


def test_over_budget_environment_and_routes_from_the_policy(cli, tmp_path):
    project = _project(tmp_path, {"main.tf": INSTANCE}, POLICY)
    cost = json.loads(cli("cost", project, "--format", "json").stdout)
    monthly = Decimal(str(cost["by_environment"]["prod"]))
    assert monthly >= Decimal("163.52")  # 730 h x 0.224 (m5.xlarge, eu-west-3), plus the root volume if priced
    result, out = _report(cli, tmp_path, project)
    assert result.exit_code == 0, result.output  # COST001 is a warning: nothing blocking
    page = read_page(out.read_text(encoding="utf-8"))
    row = page.rows_by("cost-by-environment", "data-environment")["prod"]
    assert row[1:4] == [money(float(monthly)), "$100.00", f"{monthly / 100:.0%}"]
    assert row[4] == f"Over budget by {money(float(monthly - 100))}"
    assert f"Environment prod is over budget: {money(float(monthly))} a month against $100.00." in page.text
    assert "No blocking finding; 1 warning to review" in page.text  # COST001
    assert page.rows_by("findings-by-family", "data-family")["COST"][3] == "1"
    assert "new_region → Strategic committee (alice, bob)" in page.text  # decisions.new_region: strategic
    # classes the policy does not route take the review's defaults
    assert "new_service → CTO (alice)" in page.text and "resize_within_envelope → Provider alone" in page.text


def test_clean_project_is_compliant_and_exits_0(cli, tmp_path):
    project = _project(tmp_path, {"main.tf": INSTANCE}, POLICY.replace("prod: 100", "prod: 5000"))
    result, out = _report(cli, tmp_path, project)
    assert result.exit_code == 0, result.output
    page = read_page(out.read_text(encoding="utf-8"))
    assert "No finding against the policy" in page.text and "Compliant" in page.text
    assert page.table("findings-by-family")["Total"][5] == "0"


def test_fail_on_decides_blocking(cli, tmp_path):
    result = cli("report", "fixtures/demo", "--fail-on", "never", "--output", tmp_path / "r.html", cwd=REPO)
    assert result.exit_code == 0
    page = read_page((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert "nothing is blocking (--fail-on never)" in page.text
    result = cli("report", "fixtures/demo", "--fail-on", "warning", "--output", tmp_path / "w.html", cwd=REPO)
    assert result.exit_code == 1 and "13 blocking findings" in result.stdout


def test_suppressed_findings_are_listed_with_their_reason(cli, tmp_path):
    project = _project(tmp_path, {"main.tf": INSTANCE.replace(
        'resource "aws_instance" "web" {',
        '# iacgov:ignore LOC001 reason="temporary US mirror for the launch" expires=2099-12-31\n'
        'resource "aws_instance" "web" {\n  provider = aws.us').replace(
        'provider "aws" {\n  region = "eu-west-3"\n}',
        'provider "aws" {\n  region = "eu-west-3"\n}\n\nprovider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}')},
        POLICY.replace("prod: 100", "prod: 5000"))
    result, out = _report(cli, tmp_path, project)
    assert result.exit_code == 0, result.output
    page = read_page(out.read_text(encoding="utf-8"))
    assert page.rows_by("findings-by-family", "data-family")["LOC"][6] == "1"  # suppressed column
    assert "temporary US mirror for the launch (until 2099-12-31)" in page.text
    assert "Not allowed; 1 exception accepted (suppressed)" in page.text


def test_configuration_errors_are_one_line_exit_2(cli, tmp_path):
    project = _project(tmp_path, {"main.tf": INSTANCE}, "version: 1\ncost:\n  budgets: {prod: cheap}\n")
    result = cli("report", project, "--output", tmp_path / "r.html")
    assert result.exit_code == 2
    assert "iacgov.yaml" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "r.html").exists()
    result = cli("report", project, "--var-file", tmp_path / "missing.tfvars")
    assert result.exit_code == 2 and "missing.tfvars: no such file" in result.output


def test_bad_source_date_epoch_is_a_usage_error(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = cli("report", "fixtures/demo", "--output", tmp_path / "r.html", cwd=REPO)
    assert result.exit_code == 2 and "SOURCE_DATE_EPOCH" in result.output


def test_readme_shows_the_screenshot_of_the_demo_report():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "![The governance report of the demo](docs/report-demo.png)" in readme
    assert (REPO / "docs" / "report-demo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_nothing_to_scan_is_not_called_compliant(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result, out = _report(cli, tmp_path, tmp_path / "empty")
    assert result.exit_code == 0  # as iacgov scan
    page = read_page(out.read_text(encoding="utf-8"))
    assert "No infrastructure file found" in page.text and "Compliant" not in page.text
