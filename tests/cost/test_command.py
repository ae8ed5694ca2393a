"""``iacgov cost``: formats, a project with a rate card and provider fees, exit codes."""

from __future__ import annotations

import csv
import io
import json

import pytest

from costkit import COST_FIXTURES

RATE_CARD = COST_FIXTURES / "rate_card"


def test_rate_card_and_provider_fees_show_in_the_breakdown(cli):
    result = cli("cost", RATE_CARD, "--format", "json", "--root", COST_FIXTURES)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"currency", "total_monthly", "by_environment", "by_application", "by_resource_type", "resources",
            "unpriced"} <= set(data)
    res = {r["address"]: r for r in data["resources"]}
    app = res["aws_instance.app[0]"]["components"]
    # rates.csv line 3: m5.xlarge in Paris at 0.1792 (catalog 0.224); line 5: gp3 0.0928 (the rate card wins)
    assert app[0] == {"item": "Instance usage (Linux, on-demand, m5.xlarge)", "kind": "priced", "sku": "ec2:m5.xlarge",
                      "quantity": 730, "unit": "hour", "unit_price": 0.1792, "monthly": 130.82,
                      "source": "rate card rates.csv:3", "attribute": "instance_type"}
    assert app[1]["source"] == "rate card rates.csv:5" and app[1]["monthly"] == 4.64  # 50 x 0.0928
    db = res["aws_db_instance.billing"]
    fee = next(c for c in db["components"] if c["kind"] == "provider-fee")
    assert fee == {"item": "Provider fee (aws_db_instance)", "kind": "provider-fee", "sku": "cost.provider_fees.aws_db_instance",
                   "quantity": 1, "unit": "month", "unit_price": 150, "monthly": 150.0,
                   "source": "policy cost.provider_fees.aws_db_instance"}
    assert db["monthly"] == 579.24  # 730 x 0.588 (aws_rds.csv) + 150
    eks = res["aws_eks_cluster.main"]["components"]
    # rates.csv line 7: region '*' EKS 0.10/h; fee given for AWS::EKS::Cluster covers aws_eks_cluster
    assert [(c["item"], c["monthly"], c["source"]) for c in eks] == [
        ("EKS control plane (standard support)", 73.0, "rate card rates.csv:7"),
        ("Provider fee: managed Kubernetes", 400.0, "policy cost.provider_fees.AWS::EKS::Cluster")]
    # 2 x (130.816 + 4.64) + 579.24 + 473.00 = 1323.152
    assert data["total_monthly"] == 1323.15 and data["by_environment"] == {"prod": 1323.15}
    assert data["budgets"] == {"prod": {"budget": 2000, "monthly": 1323.15, "over": False}}
    assert data["catalog"]["rate_card"] == "rates.csv"
    assert data["unpriced"] == [{"address": "aws_db_instance.billing",
                                 "item": "Database storage (General Purpose SSD gp2, Multi-AZ)",
                                 "reason": "allocated storage is not set (a read replica or a restored snapshot inherits it)",
                                 "environment": "prod", "file": "rate_card/main.tf", "line": 18}]


def test_text_output_per_environment_with_totals_and_unpriced_list(cli):
    result = cli("cost", COST_FIXTURES / "terraform", "--usage-file", COST_FIXTURES / "iacgov-usage.yaml",
                 "--root", COST_FIXTURES, "--top", "3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "prod — $1,156.03 a month" in out and "staging — $757.61 a month" in out and "dr — $101.55 a month" in out
    assert "aws_db_instance.billing" in out and "+ 3 more resources: $81.76" not in out
    assert "TOTAL $2,015.19 a month" in out
    assert "Unpriced — never counted as zero" in out
    assert "aws_instance.mystery: Instance usage — instance type is not known" in out
    assert "\x1b[" not in out


def test_csv_one_row_per_line_of_the_bill(cli):
    result = cli("cost", RATE_CARD, "--format", "csv", "--root", COST_FIXTURES)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    fee = [r for r in rows if r["kind"] == "provider-fee"]
    assert {r["address"] for r in fee} == {"aws_db_instance.billing", "aws_eks_cluster.main"}
    priced = [r for r in rows if r["kind"] == "priced"]
    assert all(r["source"] and r["currency"] == "USD" for r in priced)
    assert sum(float(r["monthly"]) for r in rows if r["monthly"]) == pytest.approx(1323.16, abs=0.02)


def test_output_file_and_determinism(cli, tmp_path):
    out = tmp_path / "cost.json"
    first = cli("cost", RATE_CARD, "--format", "json", "--output", out, "--root", COST_FIXTURES)
    assert first.exit_code == 0 and first.stdout == ""
    second = cli("cost", RATE_CARD, "--format", "json", "--root", COST_FIXTURES)
    assert out.read_text() == second.stdout


@pytest.mark.parametrize(
    "files, message",
    [
        ({"iacgov.yaml": "version: 1\ncost:\n  rate_card: rates.csv\n",
          "rates.csv": "cloud,region,sku,unit,price,currency\naws,eu-west-3,ec2:m5.large,hour,0.1,EUR\n"},
         "rates.csv:2: currency 'EUR' is not the catalog currency USD"),
        ({"iacgov.yaml": "version: 1\ncost:\n  rate_card: nope.csv\n"}, "nope.csv: rate card not found"),
        ({"iacgov.yaml": "version: 1\ncost:\n  budget: {prod: 1}\n"}, "iacgov.yaml:3: cost.budget: unknown key; did you mean 'budgets'?"),
        ({"iacgov.yaml": "version: 1\ncost:\n  usage_file: u.yaml\n", "u.yaml": "resource_usage:\n  a.b:\n    storage_gb: lots\n"},
         "u.yaml: resource_usage.a.b.storage_gb must be a number"),
    ],
)
def test_configuration_errors_exit_2_with_one_line(cli, tmp_path, files, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "eu-west-3"\n}\n'
                                      'resource "aws_instance" "a" {\n  instance_type = "m5.large"\n  ami = "x"\n}\n')
    result = cli("cost", tmp_path, "--root", tmp_path)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_usage_errors(cli, tmp_path):
    result = cli("cost", tmp_path, "--usage-file", tmp_path / "missing.yaml")
    assert result.exit_code == 2 and "--usage-file" in result.output
    result = cli("cost", tmp_path, "--format", "yaml")
    assert result.exit_code == 2


def test_unreadable_file_exits_1_and_is_named(cli, tmp_path):
    (tmp_path / "broken.tf").write_text('resource "aws_instance" "a" {\n  instance_type = \n')
    result = cli("cost", tmp_path, "--root", tmp_path)
    assert result.exit_code == 1
    assert "broken.tf" in result.stderr and "not in the estimate" in result.stderr
