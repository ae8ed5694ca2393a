"""Issue 25 (Azure): blob capacity of azurerm_storage_account, from azure_storage.csv (scripts/build_azure_prices.py).

Every figure is computed by hand from the cited row; the row's source is named beside it. Hot blob capacity is
tiered by volume and only its first tier (the first 50 TB of an account) is in the catalog, so the line says so.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from decimal import Decimal as D
from importlib import resources
from pathlib import Path

import pytest
from costkit import by_address, line, policy, resource

from iacgov.cost.catalog import manifest
from iacgov.cost.estimate import estimate
from iacgov.model import Unknown


def account(name, attributes, region):
    return resource(f"azurerm_storage_account.{name}", "azurerm_storage_account",
                    {"account_tier": "Standard", "account_replication_type": "LRS", **attributes},
                    region=region, cloud="azure")


def priced(resources_, usage_text: str | None = None, tmp_path=None):
    usage = None
    if usage_text is not None:
        usage = tmp_path / "usage.yaml"
        usage.write_text("version: 1\nresource_usage:\n" + usage_text)
    return by_address(estimate(resources_, policy(), usage_path=usage))


def test_hot_capacity_is_priced_at_the_first_50_tb_tier_and_says_so(tmp_path):
    est = priced([account("hot", {}, "westeurope"), account("zrs", {"account_replication_type": "ZRS"}, "westus")],
                 "  azurerm_storage_account.hot:\n    storage_gb: 1000\n"
                 "  azurerm_storage_account.zrs:\n    storage_gb: 250\n", tmp_path)
    hot = line(est["azurerm_storage_account.hot"], "Blob storage")
    # [ICG] storage_table_test.golden standard["LRS"] 'Capacity' $0.0196 per GB (no usage: StartUsageAmount 0)
    assert hot.item == "Blob storage (Standard, Hot, LRS), first 50 TB" and hot.sku == "blob:standard:hot:lrs:first_50tb"
    assert hot.monthly == D("19.60") and hot.unit == "GB-month"
    assert "storage_table_test.golden" in hot.source and "first 50 TB tier" in hot.source
    # [ICG] storage_account_test.golden StorageV2.Standard.ZRS.Hot 'Capacity (first 50TB)' 51,200 GB = $1,331.20
    assert est["azurerm_storage_account.zrs"].monthly == 250 * D("0.026")  # 6.50


def test_hot_capacity_past_50_tb_prices_the_first_tier_and_names_the_rest(tmp_path):
    est = priced([account("big", {}, "westeurope")], "  azurerm_storage_account.big:\n    storage_gb: 60000\n", tmp_path)
    big = est["azurerm_storage_account.big"]
    assert big.status == "partial"
    assert line(big, "Blob storage (Standard, Hot, LRS)").monthly == 51200 * D("0.0196")  # 1,003.52
    rest = line(big, "Blob storage past the first 50 TB")
    assert rest.kind == "unpriced" and "8,800 GB" in rest.item and "not in the catalog" in rest.reason


def test_cool_and_cold_have_one_price_from_the_radar_snapshot(tmp_path):
    est = priced([account("cool", {"account_replication_type": "ZRS", "access_tier": "Cool"}, "francecentral"),
                  account("cold", {"access_tier": "Cold"}, "swedencentral")],
                 "  azurerm_storage_account.cool:\n    storage_gb: 200\n"
                 "  azurerm_storage_account.cold:\n    storage_gb: 1000\n", tmp_path)
    cool = line(est["azurerm_storage_account.cool"], "Blob storage (Standard, Cool, ZRS)")
    # [RAD] storage-francecentral.json General Block Blob v2 'Cool ZRS Data Stored' 0.0131 per 1 GB/Month
    assert cool.monthly == D("2.62") and "storage-francecentral.json" in cool.source
    assert "'Cool ZRS Data Stored'" in cool.source and "single price for any amount" in cool.source
    # [RAD] storage-swedencentral.json 'Cold LRS Data Stored' 0.0036
    assert est["azurerm_storage_account.cold"].monthly == D("3.60")


def test_premium_ignores_the_access_tier_and_v1_accounts_have_their_own_price():
    est = priced([
        account("p_hot", {"account_tier": "Premium", "account_replication_type": "ZRS"}, "westus"),
        account("p_cool", {"account_tier": "Premium", "account_replication_type": "ZRS", "access_tier": "Cool",
                           "account_kind": "BlockBlobStorage"}, "westus"),
        account("v1", {"account_kind": "Storage"}, "westus"),
        account("p_paris", {"account_tier": "Premium", "account_kind": "BlockBlobStorage"}, "francecentral"),
    ])
    # [RAD] storage-francecentral.json Premium Block Blob 'Premium LRS Data Stored' 0.188
    assert line(est["azurerm_storage_account.p_paris"], "Blob storage (Premium, LRS)").unit_price == D("0.188")
    # [ICG] storage_account_test: Premium ZRS 1,000,000 GB = $259,000.00; Storage.Standard.LRS 3,000,000 GB = $72,000
    for name in ("p_hot", "p_cool"):
        blob = line(est[f"azurerm_storage_account.{name}"], "Blob storage (Premium, ZRS)")
        assert blob.kind == "usage-based" and blob.unit_price == D("0.259")
    v1 = line(est["azurerm_storage_account.v1"], "Blob storage (general-purpose v1, Standard, LRS)")
    assert v1.unit_price == D("0.024")


def test_regions_and_kinds_without_a_row_stay_without_a_price():
    est = priced([
        account("milan", {"account_replication_type": "ZRS"}, "italynorth"),  # in no copy reached
        account("us", {}, "eastus"),
        account("lake", {"is_hns_enabled": True, "access_tier": "Cool"}, "westeurope"),
        account("files", {"account_tier": "Premium", "account_kind": "FileStorage"}, "westeurope"),
    ])
    milan = line(est["azurerm_storage_account.milan"], "Blob storage (Standard, Hot, ZRS), first 50 TB")
    assert milan.unit_price is None and est["azurerm_storage_account.milan"].status == "unpriced"
    assert "no price for blob:standard:hot:zrs:first_50tb in italynorth" in milan.reason
    assert "blob:standard:hot:lrs:first_50tb in eastus" in line(est["azurerm_storage_account.us"], "Blob").reason
    assert "adls:standard:cool:lrs in westeurope" in line(est["azurerm_storage_account.lake"], "Data Lake").reason
    assert line(est["azurerm_storage_account.files"], "File storage (Premium, Hot, LRS)").unit_price is None


def test_an_unknown_setting_stays_unknown():
    est = priced([account("u", {"account_replication_type": Unknown("from a variable", ref="var.replication")},
                          "westeurope"),
                  account("h", {"is_hns_enabled": Unknown("from a variable", ref="var.hns")}, "westeurope")])
    for name in ("u", "h"):
        blob = line(est[f"azurerm_storage_account.{name}"], "Blob storage")
        assert blob.kind == "unpriced" and "is not known" in blob.reason and blob.monthly is None


# --------------------------------------------------------------------------- the shipped rows and their builder


def test_the_shipped_rows_cite_their_snapshot_and_no_hot_figure_comes_from_the_radar():
    text = resources.files("iacgov").joinpath("data", "prices", "azure_storage.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == manifest()["files"]["azure_storage.csv"]["rows"]
    assert all(r["unit"] == "GB-month" and D(r["usd"]) > 0 for r in rows)
    hot = [r for r in rows if ":hot:" in r["item"]]
    assert hot and all(r["item"].endswith(":first_50tb") and r["source"].startswith("[ICG]") for r in hot)
    assert all("first 50TB" in r["source"] or "first 50 TB tier" in r["source"] for r in hot)
    assert {r["region"] for r in rows if r["source"].startswith("[RAD]")} == {
        "westeurope", "northeurope", "francecentral", "swedencentral", "belgiumcentral"}


def _builder():
    path = Path(__file__).resolve().parents[2] / "scripts" / "build_azure_prices.py"
    spec = importlib.util.spec_from_file_location("build_azure_prices", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _item(meter, price, key, product="General Block Blob v2"):
    sku = meter.rsplit(" Data Stored", 1)[0]
    return key, {"armRegionName": "westeurope", "meterName": meter, "productName": product,
                 "retailPrice": price, "skuName": sku, "unitOfMeasure": "1 GB/Month", "unitPrice": price}


def test_builder_reads_cool_cold_and_premium_and_leaves_hot_and_ambiguous_meters(tmp_path):
    builder = _builder()
    latest = tmp_path / "data" / "latest"
    latest.mkdir(parents=True)
    (latest / "last-checked.json").write_text(json.dumps({"at": "2026-08-22T20:59:40.123+00:00"}))
    items = dict([_item("Cool LRS Data Stored", 0.01, "A/1|m1|Consumption|"),
                  _item("Hot LRS Data Stored", 0.018032, "A/2|m2|Consumption|"),  # one of three tiers: not read
                  _item("Cold ZRS Data Stored", 0.005, "A/3|m3|Consumption|"),
                  _item("Premium LRS Data Stored", 0.195, "C/1|m5|Consumption|", "Premium Block Blob"),
                  _item("Premium ZRS Data Stored", 0.259, "C/2|m6|Consumption|"),  # not the Premium product
                  _item("Cold ZRS Data Stored", 0.006, "B/3|m4|Consumption|")])  # two figures: neither taken
    for scope in builder.RAD_SCOPES:
        (latest / f"{scope}.json").write_text("{}")
        (latest / f"{scope.replace('vm-', 'storage-')}.json").write_text(
            json.dumps(items if scope == "vm-eu-west" else {}))
    rows = builder.radar_blob_rows(tmp_path)
    assert [r[:5] for r in rows] == [["azure", "westeurope", "blob:premium:lrs", "GB-month", "0.195"],
                                     ["azure", "westeurope", "blob:standard:cool:lrs", "GB-month", "0.01"]]
    assert rows[1][5].startswith("[RAD] andy-diericks/azure-pricing-radar@cf741f2 data/latest/storage-eu-west.json A/1")
    (latest / "last-checked.json").write_text(json.dumps({"at": "2026-09-01T00:00:00+00:00"}))
    with pytest.raises(SystemExit, match="not the azure-pricing-radar snapshot of cf741f2"):
        builder.radar_blob_rows(tmp_path)
