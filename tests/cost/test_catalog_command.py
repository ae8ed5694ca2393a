"""Issue 25: ``iacgov catalog`` — what is priced, per cloud and region, and from where."""

from __future__ import annotations

import json

from click.testing import CliRunner

from iacgov.cli import main


def run(*args: str):
    return CliRunner().invoke(main, ["catalog", *args])


def test_text_per_region_with_sources():
    result = run("--region", "europe-west9")
    assert result.exit_code == 0, result.output
    assert "gcp: 129 prices in 1 regions" in result.output
    assert ("europe-west9                 129  (cloud_prices.csv 15, gcp_cloudsql.csv 2, gcp_compute.csv 107, "
            "gcp_soletenant.csv 5)") in result.output
    assert "cloud_prices.csv: scripts/build_cloud_prices.py: [CYC] Cyclenerd" in result.output


def test_json_items_and_free_kinds():
    result = run("--cloud", "azure", "--region", "East US", "--items", "--free", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data["clouds"]) == ["azure"] and list(data["clouds"]["azure"]) == ["eastus"]
    aks = [i for i in data["items"] if i["sku"] == "aks_uptime_sla"]
    assert aks and aks[0]["usd"] == "0.10" and aks[0]["unit"] == "hour" and "kubernetes_cluster_test" in aks[0]["source"]
    free = {f["kind"]: f["source"] for f in data["free_kinds"]}
    assert free["azurerm_role_assignment"].startswith("platform catalog (azure/authorization.yaml: free)")
    assert all(f["cloud"] == "azure" and f["source"] for f in data["free_kinds"])


def test_unknown_cloud_is_a_usage_error():
    result = run("--cloud", "ibm")
    assert result.exit_code == 2 and "'ibm' is not one of" in result.output
