"""Issue 25, Google Cloud part: the rules of cost/kinds_gcp.py and the rows of gcp_cloudsql.csv, gcp_regions.csv,
gcp_cited.csv (scripts/build_gcp_prices.py); Kubernetes, Helm and kind kinds free in the platform catalog.

Every figure is computed by hand from the cited row; 730 hours a month. The fixture (fixtures/cost/gcp_kinds) is
parsed from Terraform, so the field paths the rules read are the provider's.
"""

from __future__ import annotations

import importlib.util
from decimal import Decimal as D

import pytest
from costkit import by_address, inventory, line, policy, resource

from conftest import REPO
from iacgov.cost.cloud_pricers import free_source
from iacgov.cost.estimate import estimate
from iacgov.model import Unknown

HOURS = D(730)


@pytest.fixture(scope="module")
def est():
    inv = inventory("gcp_kinds")
    assert not inv.errors
    return by_address(estimate(inv.resources, inv.policy))


def test_cloud_sql_in_paris_prices_memory_and_storage_and_leaves_vcpus_unpriced(est):
    paris = est["google_sql_database_instance.paris"]
    # gcp_cloudsql.csv [MNA] europe-west9 'Zonal - RAM in Paris' 0.0081/GB-h x 730 = 5.913; 'Zonal - Standard storage' 0.1972
    assert line(paris, "Cloud SQL memory").monthly == D("7.5") * D("5.913")  # 44.3475
    assert line(paris, "Cloud SQL storage").monthly == 10 * D("0.1972")  # the provider's default 10 GB PD_SSD
    assert "gcp_cloudsql.csv" in line(paris, "Cloud SQL memory").source
    assert line(paris, "Cloud SQL vCPUs").reason == "no price for cloudsql:vcpu:zonal in europe-west9 in the catalog"
    assert paris.status == "partial"
    madrid = est["google_sql_database_instance.madrid"]
    # 'Zonal - vCPU in Madrid' 0.0496/h (MySQL and PostgreSQL share one price table); memory and SSD not in the dump
    assert line(madrid, "Cloud SQL vCPUs").monthly == 4 * HOURS * D("0.0496")  # 144.832
    assert "no price for cloudsql:memory:zonal in europe-southwest1" in line(madrid, "Cloud SQL memory").reason


def test_machine_type_in_zurich_from_the_regions_file(est):
    vm = est["google_compute_instance.zurich"]
    # gcp_regions.csv [CYC] compute.instance.e2-standard-4.cost.europe-west6.hour 0.17556532; pd-balanced 0.13/GB-month
    assert line(vm, "VM instance").monthly == HOURS * D("0.17556532")
    assert "gcp_regions.csv" in line(vm, "VM instance").source
    assert vm.status == "priced" and line(vm, "Boot disk").monthly == 20 * D("0.13")


def test_gke_fee_priced_wherever_the_cluster_is(est):
    cluster = est["google_container_cluster.lib"]
    assert cluster.region is None  # var.location has no value
    fee = line(cluster, "GKE cluster management fee")
    assert fee.monthly == HOURS * D("0.10") and "[WEB-GKE]" in fee.source and "applies to all GKE clusters" in fee.source
    assert line(cluster, "Autopilot pod resources").kind == "unpriced"  # no single unit price for a pod


def test_kms_key_versions_are_one_price_everywhere_by_protection_level(est):
    soft = est["google_kms_crypto_key.soft"]
    assert soft.region is None  # its location is its key ring's
    assert line(soft, "Cloud KMS active key version (software)").monthly == D("0.06")
    assert "[WEB-KMS]" in soft.components[0].source
    assert line(soft, "Cloud KMS operations").kind == "usage-based" and line(soft, "Cloud KMS operations").unit_price == D("0.03")
    # HSM, GOOGLE_SYMMETRIC_ENCRYPTION: '$1.00 per month' (gcp_cited.csv kms_key_version_hsm)
    assert line(est["google_kms_crypto_key.hsm"], "Cloud KMS active key version (hsm)").monthly == D("1.00")
    ec = by_address(estimate([resource("google_kms_crypto_key.ec", "google_kms_crypto_key", {"version_template": [
        {"protection_level": "HSM", "algorithm": "EC_SIGN_P256_SHA256"}]}, region=None, cloud="gcp")], policy()))
    tiered = line(ec["google_kms_crypto_key.ec"], "Cloud KMS active key version (HSM, EC_SIGN_P256_SHA256)")
    assert tiered.kind == "unpriced" and "priced in tiers" in tiered.reason
    skipped = by_address(estimate([resource("google_kms_crypto_key.k", "google_kms_crypto_key",
                                            {"skip_initial_version_creation": True}, region=None, cloud="gcp")],
                                  policy()))["google_kms_crypto_key.k"]
    assert [c.item for c in skipped.components] == ["Cloud KMS operations"]  # no version, nothing to bill


def test_blank_disk_takes_the_documented_500_gb_and_says_so(est):
    blank = line(est["google_compute_disk.blank"], "Persistent disk")
    assert blank.monthly == 500 * D("0.0464")  # [CYC] compute.storage.hdd europe-west9 (pd-standard, the default type)
    assert blank.reason.startswith("default: blank_disk_gb = 500") and "disks/insert" in blank.reason
    assert "500 GB from the default blank_disk_gb" in blank.item
    image = line(est["google_compute_disk.from_image"], "Persistent disk")
    assert image.kind == "unpriced" and image.reason == "size is not set (it comes from its image, which iacgov does not read)"


def test_blank_disk_size_from_the_usage_file(tmp_path):
    usage = tmp_path / "usage.yaml"
    usage.write_text("version: 1\nresource_usage:\n  google_compute_disk.d:\n    blank_disk_gb: 50\n", encoding="utf-8")
    d = by_address(estimate([resource("google_compute_disk.d", "google_compute_disk", {}, region="europe-west9",
                                      cloud="gcp")], policy(), usage_path=usage))["google_compute_disk.d"]
    assert d.monthly == 50 * D("0.0464") and d.components[0].reason is None


def test_bigquery_queries_are_usage_based_in_the_dataset_location(est, tmp_path):
    queries = line(est["google_bigquery_dataset.us"], "Queries (on-demand, US)")
    assert queries.kind == "usage-based" and queries.unit_price == D("6.25") and queries.unit == "TB"
    usage = tmp_path / "usage.yaml"
    usage.write_text("version: 1\nresource_usage:\n  google_bigquery_dataset.d:\n    monthly_queries_tb: 2\n",
                     encoding="utf-8")
    eu = by_address(estimate([resource("google_bigquery_dataset.d", "google_bigquery_dataset", {"location": "EU"},
                                       region="europe-west1", cloud="gcp")], policy(), usage_path=usage))
    assert line(eu["google_bigquery_dataset.d"], "Queries").reason == "no price for bigquery_queries_on_demand in eu in the catalog"


def test_fleet_features_included_in_gke_are_free_others_unpriced(est):
    assert est["google_gke_hub_feature.acm"].status == "free"
    mesh = line(est["google_gke_hub_feature.mesh"], "Fleet feature servicemesh")
    assert mesh.kind == "unpriced" and "not among the fleet features GKE includes" in mesh.reason
    assert est["google_gke_hub_membership.member"].status == "free"
    assert "Fleets, Teams, Config Management" in free_source("google_gke_hub_membership")


def test_kubernetes_objects_are_free_but_a_load_balancer_service_is_not(est):
    lb = line(est["kubernetes_service.lb"], "Cloud load balancer (Service type LoadBalancer)")
    assert lb.kind == "unpriced" and "provisions and bills a load balancer" in lb.reason
    for address in ("kubernetes_service_v1.internal", "kubernetes_pod.nginx", "helm_release.chart", "kind_cluster.local"):
        assert est[address].status == "free" and est[address].components == (), address
    assert free_source("kubernetes_pod").startswith("platform catalog (kubernetes/kubernetes.yaml: free)")
    assert "You are billed for each of those instances" in free_source("kubernetes_pod")
    assert "local Kubernetes clusters" in free_source("kind_cluster")
    assert free_source("kubernetes_service") is None  # priced by its rule, never free by the catalog alone


def test_unknown_values_stay_unknown():
    gcp = dict(region="europe-west9", cloud="gcp")
    est = by_address(estimate([
        resource("kubernetes_service.s", "kubernetes_service", {"spec": [{"type": Unknown("var.type has no value")}]},
                 region=None, cloud="kubernetes"),
        resource("google_bigquery_dataset.d", "google_bigquery_dataset", {"location": Unknown("var.loc has no value")}, **gcp),
        resource("google_kms_crypto_key.k", "google_kms_crypto_key",
                 {"version_template": [{"protection_level": Unknown("var.level has no value")}]}, **gcp),
        resource("google_compute_disk.d", "google_compute_disk", {"size": Unknown("var.size has no value")}, **gcp),
        resource("google_gke_hub_feature.f", "google_gke_hub_feature", {"name": Unknown("var.f has no value")}, **gcp),
    ], policy()))
    assert "service type is not known" in line(est["kubernetes_service.s"], "Service").reason
    assert line(est["google_bigquery_dataset.d"], "Queries").reason == "location is not known: var.loc has no value"
    assert "protection level is not known" in line(est["google_kms_crypto_key.k"], "Cloud KMS active key version").reason
    assert line(est["google_compute_disk.d"], "Persistent disk").reason == "size is not known: var.size has no value"
    assert "name is not known" in line(est["google_gke_hub_feature.f"], "Fleet feature").reason
    assert all(r.status == "unpriced" for a, r in est.items() if a != "google_kms_crypto_key.k")


def _builder():
    spec = importlib.util.spec_from_file_location("build_gcp_prices", REPO / "scripts" / "build_gcp_prices.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_builder_reads_the_cloud_sql_dump_as_data_and_refuses_conflicts(tmp_path):
    dump = tmp_path / "dump.py"
    dump.write_text("cuds_pricing = {'europe-west9': {'MySQL': {'Zonal - RAM in Paris': '0.008100000', "
                    "'Zonal - 4 vCPU + 26GB RAM in Paris': '0.4084', 'Regional - vCPU in Paris': '0.1'}, "
                    "'PostgreSQL': {'Regional - vCPU in Paris': '0.2', 'Zonal - Standard storage in Paris': '0.1972'}}}\n",
                    encoding="utf-8")
    rows = {(r[1], r[2]): (r[3], r[4]) for r in _builder().cloudsql_rows(dump)}
    assert rows == {("europe-west9", "cloudsql:memory:zonal"): ("GB-month", "5.913"),  # 0.0081 per GB-hour x 730
                    ("europe-west9", "cloudsql:ssd:zonal"): ("GB-month", "0.1972")}  # the engines disagree on vCPU: left out
    dump.write_text("import os\ncuds_pricing = {}\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="not the cloudSQL_cuds_infra_response.py"):
        _builder().cloudsql_rows(dump)  # parsed, never executed


def test_pubsub_throughput_is_one_price_in_every_region(tmp_path):
    usage = tmp_path / "usage.yaml"
    usage.write_text("version: 1\nresource_usage:\n  google_pubsub_topic.t:\n    monthly_data_gb: 2048\n", encoding="utf-8")
    topics = [resource(f"google_pubsub_topic.{name}", "google_pubsub_topic", {}, region=region, cloud="gcp")
              for name, region in (("t", "europe-west9"), ("u", None))]
    est = by_address(estimate(topics, policy(), usage_path=usage))
    # gcp_cited.csv [WEB-PUBSUB] '$40 per TiB in all Google Cloud regions'; 2048 GiB = 2 TiB
    assert line(est["google_pubsub_topic.t"], "Pub/Sub message throughput").monthly == 2 * D(40)
    listed = line(est["google_pubsub_topic.u"], "Pub/Sub message throughput")
    assert listed.kind == "usage-based" and listed.unit_price == D(40) and listed.unit == "TiB"


def test_kinds_without_a_source_are_unpriced_with_the_reason_not_a_missing_rule():
    est = by_address(estimate([
        resource("google_compute_network_attachment.a", "google_compute_network_attachment", {},
                 region="europe-west4", cloud="gcp"),
        resource("google_tags_tag_key.k", "google_tags_tag_key", {}, region=None, cloud="gcp"),
    ], policy()))
    attachment = line(est["google_compute_network_attachment.a"], "Private Service Connect network attachment")
    assert attachment.kind == "unpriced" and "(not guessed)" in attachment.reason
    assert "in its section 'Using a Private Service Connect interface for access" in attachment.reason
    tag = line(est["google_tags_tag_key.k"], "Resource Manager tag key").reason
    assert tag == ("no copy of Resource Manager's pricing page (https://cloud.google.com/resource-manager/pricing) or "
                   "price list reached offline says whether it has a charge of its own (not guessed)")


def test_a_bucket_location_that_is_no_cloud_storage_location_says_so(est):
    typo = est["google_storage_bucket.typo"]
    assert typo.region == "us-central1c" and typo.status == "unpriced"
    storage = line(typo, "Cloud Storage")
    assert storage.reason.startswith("location 'us-central1c' is not a Cloud Storage location: a bucket is in a "
                                     "region, a dual-region or a multi-region (https://cloud.google.com/storage/docs/"
                                     "locations; iacgov's catalog of Google Cloud locations, compiled 2026-12-07)")
    assert storage.reason.endswith("did you mean 'us-central1'?") and storage.attribute == "location"
    zone = by_address(estimate([resource("google_storage_bucket.z", "google_storage_bucket", {"location": "europe-west9-b"},
                                         region="europe-west9-b", cloud="gcp")], policy()))["google_storage_bucket.z"]
    zone_reason = line(zone, "Cloud Storage").reason  # the catalog would read the zone as its region: not here
    assert "'europe-west9-b' is not a Cloud Storage location" in zone_reason and zone_reason.endswith("'europe-west9'?")


def test_buckets_in_real_locations_keep_their_storage_price(est, tmp_path):
    eu = line(est["google_storage_bucket.eu"], "Cloud Storage Standard storage")
    # cloud_prices.csv [CYC] storage.bucket.standard-multi.cost.europe-multi.month 0.026 per GB-month
    assert est["google_storage_bucket.eu"].region == "eu" and eu.kind == "usage-based" and eu.unit_price == D("0.026")
    usage = tmp_path / "usage.yaml"
    usage.write_text("version: 1\nresource_usage:\n  google_storage_bucket.jakarta:\n    storage_gb: 500\n",
                     encoding="utf-8")
    # asia-southeast3 is in no region list iacgov ships, but the price list has it: a Cloud Storage location
    # ([CYC] storage.bucket.coldline.cost.asia-southeast3.month 0.0055)
    jakarta = by_address(estimate([resource("google_storage_bucket.jakarta", "google_storage_bucket",
                                            {"storage_class": "COLDLINE"}, region="asia-southeast3", cloud="gcp")],
                                  policy(), usage_path=usage))["google_storage_bucket.jakarta"]
    assert jakarta.status == "priced" and jakarta.monthly == 500 * D("0.0055")  # 2.75
    unknown = by_address(estimate([resource("google_storage_bucket.u", "google_storage_bucket", {},
                                            region=Unknown("var.location has no value"), cloud="gcp")],
                                  policy()))["google_storage_bucket.u"]
    assert "region is not known: var.location has no value" in line(unknown, "Cloud Storage").reason


def _sql(name: str, tier, region="us-central1", **settings):
    return resource(f"google_sql_database_instance.{name}", "google_sql_database_instance",
                    {"database_version": "POSTGRES_11", "settings": [{"tier": tier, **settings}]}, region=region,
                    cloud="gcp")


def test_shared_core_cloud_sql_tiers_are_priced_per_instance_month_where_a_row_states_it():
    est = by_address(estimate([_sql("micro", "db-f1-micro"), _sql("small", "db-g1-small", availability_type="REGIONAL"),
                               _sql("paris", "db-f1-micro", region="europe-west9"), _sql("n1", "db-n1-standard-1")],
                              policy()))
    micro = est["google_sql_database_instance.micro"]
    # gcp_cited.csv [ICG] sql_database_instance_test.golden 'SQL instance (db-f1-micro, zonal) 730 hours $7.67'
    instance = line(micro, "Cloud SQL instance (db-f1-micro, shared core, zonal)")
    assert instance.monthly == D("7.67") and "db-f1-micro.MYSQL_8_0|POSTGRES_15.ZONAL" in instance.source
    # + the provider's default 10 GB PD_SSD at cloud_prices.csv [ICG] 0.17 per GB-month
    assert micro.status == "priced" and micro.monthly == D("7.67") + 10 * D("0.17")  # 9.37
    # 'SQL instance (db-g1-small, regional) 730 hours $51.10'
    assert line(est["google_sql_database_instance.small"], "Cloud SQL instance").monthly == D("51.10")
    paris = line(est["google_sql_database_instance.paris"], "Cloud SQL instance")
    assert paris.kind == "unpriced" and paris.reason == (
        "no price for cloudsql:shared:db-f1-micro:zonal in europe-west9 in the catalog: the catalog's shared-core "
        "prices are infracost's us-central1 goldens only")
    n1 = line(est["google_sql_database_instance.n1"], "Cloud SQL instance")
    assert n1.kind == "unpriced" and n1.reason.startswith("only db-custom-CPU-MEMORY tiers are priced")
    unknown = by_address(estimate([_sql("u", "db-f1-micro", availability_type=Unknown("var.ha has no value"))],
                                  policy()))["google_sql_database_instance.u"]
    assert line(unknown, "Cloud SQL instance").reason == "availability type is not known"


def test_builder_reads_shared_core_months_only_where_mysql_and_postgres_agree(tmp_path):
    golden = tmp_path / "internal/providers/terraform/google/testdata/sql_database_instance_test"
    golden.mkdir(parents=True)
    block = (' google_sql_database_instance.db_instance["{tier}.{engine}.{mode}"]\n'
             ' ├─ SQL instance ({tier}, {low})   730  hours   ${usd}\n')
    text = "".join(block.format(tier=t, engine=e, mode=m.upper(), low=m, usd=u) for t, e, m, u in (
        ("db-f1-micro", "MYSQL_8_0", "zonal", "7.67"), ("db-f1-micro", "POSTGRES_15", "zonal", "7.67"),
        ("db-g1-small", "MYSQL_8_0", "zonal", "25.55"), ("db-g1-small", "POSTGRES_15", "zonal", "25.56"),
        ("db-n1-standard-1", "MYSQL_8_0", "zonal", "49.35"), ("db-n1-standard-1", "POSTGRES_15", "zonal", "49.35")))
    (golden / "sql_database_instance_test.golden").write_text(text, encoding="utf-8")
    rows = _builder().sql_shared_core_rows(tmp_path)
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [("us-central1", "cloudsql:shared:db-f1-micro:zonal", "month",
                                                         "7.67")]  # g1-small: the engines disagree; n1: not shared core
    (golden / "sql_database_instance_test.golden").write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no shared-core"):
        _builder().sql_shared_core_rows(tmp_path)


# --------------------------------------------------------------------------- sole tenancy, empty pools, zones data


@pytest.fixture(scope="module")
def sole():
    inv = inventory("gcp_soletenant")
    assert not inv.errors
    return by_address(estimate(inv.resources, inv.policy))


# gcp_soletenant.csv: [CYC] compute.instance.c2-standard-60.cost.europe-west4.hour 3.44808 (60 vCPU, 240 GB) x 1.1
C2_NODE_AMSTERDAM = D("3.44808") * D("1.1")


def test_sole_tenant_nodes_are_the_node_vcpus_and_memory_plus_the_premium(sole):
    group = sole["google_compute_node_group.amsterdam"]
    nodes = line(group, "Sole-tenant nodes")
    assert C2_NODE_AMSTERDAM == D("3.792888") and nodes.unit_price == C2_NODE_AMSTERDAM
    assert nodes.monthly == 2 * HOURS * C2_NODE_AMSTERDAM  # initial_size 2: 5,537.61648
    assert group.status == "priced" and "gcp_soletenant.csv" in nodes.source and "10% of the cost" in nodes.source
    # an autoscaled group without initial_size: its minimum, 1 node
    assert line(sole["google_compute_node_group.autoscaled"], "Sole-tenant nodes").monthly == HOURS * C2_NODE_AMSTERDAM
    # the template is free: its cost is the nodes' (platform catalog, cited from the sole-tenant pricing page)
    template = sole["google_compute_node_template.c2"]
    assert template.status == "free" and "sole-tenant-pricing" in free_source("google_compute_node_template")


def test_sole_tenant_nodes_without_a_row_or_a_known_node_type_stay_unpriced(sole):
    taiwan = sole["google_compute_node_group.taiwan"]
    assert taiwan.status == "unpriced"
    assert line(taiwan, "Sole-tenant nodes").reason == "no price for sole_tenant_node:c2-node-60-240 in asia-east1 in the catalog"
    assert line(sole["google_compute_node_group.variable"], "Sole-tenant nodes").reason == (
        "node type is not known: var.node_type has no value (var.node_type)")
    assert "node_type_flexibility" in line(sole["google_compute_node_group.flexible"], "Sole-tenant nodes").reason


def test_node_pool_without_any_count_is_an_empty_pool(sole):
    empty = sole["google_container_node_pool.empty"]
    nodes = line(empty, "Nodes (e2-standard-4, 0 x 3 zone(s)")
    assert empty.status == "priced" and empty.monthly == 0 and nodes.quantity == 0
    assert "initialNodeCount 0" in nodes.item and "resource_container_node_pool.go:1231-1249" in nodes.reason
    # autoscaling with only total limits: the count is not read, so the pool stays unpriced (never 0)
    total = sole["google_container_node_pool.total_autoscaled"]
    assert total.status == "unpriced" and line(total, "Nodes").reason == "node count is not set"


def test_a_zone_from_the_zones_data_source_gives_its_region(sole):
    # data.google_compute_zones.here has no region: the provider's region (europe-west4), not its zone's (us-east1)
    first = sole["google_compute_instance.first_zone"]
    assert first.region == "europe-west4" and first.status == "priced"
    assert line(first, "VM instance").monthly == HOURS * D("0.052292")  # gcp_compute.csv europe-west4 n1-standard-1
    paris = sole["google_compute_instance.paris"]  # the data source's own region argument
    assert paris.region == "europe-west9" and line(paris, "VM instance").monthly == HOURS * D("0.05509971")
    for name in ("element", "counted"):  # element() and a counted data source: not recognised, still unknown
        vm = sole[f"google_compute_instance.{name}"]
        assert vm.region is None and vm.status == "unpriced"
        assert "region is not known" in line(vm, "VM instance").reason


def _soletenant_builder():
    spec = importlib.util.spec_from_file_location("build_gcp_soletenant", REPO / "scripts" / "build_gcp_soletenant.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_soletenant_builder_adds_the_premium_and_refuses_another_shape(tmp_path):
    builder = _soletenant_builder()
    snapshot = tmp_path / "pricing.yml"
    machines = {m: f"    {m}:\n      cpu: {c}\n      ram: {r}\n      cost:\n        europe-west9:\n          hour: 2\n"
                for m, c, r in (("c2-standard-60", 60, 240), ("c2d-highmem-112", 112, 896), ("n1-highmem-96", 96, 624),
                                ("n2-highmem-80", 80, 640), ("n2d-standard-224", 224, 896))}
    head = "about:\n  generated: Thu Jul 30 06:13:17 2026\ncompute:\n  instance:\n"
    snapshot.write_text(head + "".join(machines.values()), encoding="utf-8")
    rows = {(r[1], r[2]): r[4] for r in builder.rows(snapshot)}
    assert rows[("europe-west9", "sole_tenant_node:c2-node-60-240")] == "2.2"  # 2 x 1.1, only where the snapshot prices
    assert len(rows) == 5
    machines["c2-standard-60"] = machines["c2-standard-60"].replace("ram: 240", "ram: 256")
    snapshot.write_text(head + "".join(machines.values()), encoding="utf-8")
    with pytest.raises(SystemExit, match="not the shape of c2-node-60-240"):
        builder.rows(snapshot)
    snapshot.write_text(head.replace("Jul 30", "Aug 01") + "".join(machines.values()), encoding="utf-8")
    with pytest.raises(SystemExit, match="not the pricing.yml of fd66b26"):
        builder.rows(snapshot)


# --------------------------------------------------------------------------- Network Connectivity Center


@pytest.fixture(scope="module")
def ncc():
    inv = inventory("gcp_network")
    assert not inv.errors
    return by_address(estimate(inv.resources, inv.policy))


def test_ncc_spoke_hours_by_spoke_type_one_price_everywhere(ncc):
    # gcp_network_cited.csv [WEB-NCC] 'Spoke hours (VPC and producer VPC spokes) $0.10 per hour'
    vpc = ncc["google_network_connectivity_spoke.vpc"]
    hours = line(vpc, "Spoke hours (VPC spoke)")
    assert vpc.region is None and hours.monthly == HOURS * D("0.10") and "[WEB-NCC]" in hours.source  # 73.00
    adn = line(vpc, "Advanced Data Networking")
    assert adn.kind == "usage-based" and adn.unit_price == D("0.02") and adn.unit == "GiB"
    # '... Cloud Router appliance spokes) $0.075 per hour'
    assert line(ncc["google_network_connectivity_spoke.appliance"], "Spoke hours").monthly == HOURS * D("0.075")
    assert ncc["google_network_connectivity_hub.hub"].status == "free"  # 'Hub No charge'


def test_ncc_spokes_whose_charge_is_not_known_stay_unpriced(ncc):
    assert "waived for up to three VPN spokes" in line(ncc["google_network_connectivity_spoke.vpn"],
                                                        "Spoke hours (VPN spoke)").reason
    assert line(ncc["google_network_connectivity_spoke.untyped"], "Spoke hours").reason == (
        "the spoke's type is not known: no linked_* block")
    dynamic = line(ncc["google_network_connectivity_spoke.dynamic"], "Spoke hours")
    assert dynamic.kind == "unpriced" and "var.networks has no value" in dynamic.reason


def test_ncc_data_processing_from_the_usage_file(tmp_path):
    usage = tmp_path / "usage.yaml"
    usage.write_text("version: 1\nresource_usage:\n  google_network_connectivity_spoke.vpc:\n"
                     "    monthly_data_processed_gb: 1024\n", encoding="utf-8")
    inv = inventory("gcp_network")
    vpc = by_address(estimate(inv.resources, inv.policy, usage_path=usage))["google_network_connectivity_spoke.vpc"]
    assert line(vpc, "Advanced Data Networking").monthly == 1024 * D("0.02")  # 20.48, as the page's example


def test_ncc_builder_writes_the_shipped_rows():
    spec = importlib.util.spec_from_file_location("build_gcp_network_cited",
                                                  REPO / "scripts" / "build_gcp_network_cited.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = (REPO / "src" / "iacgov" / "data" / "prices" / "gcp_network_cited.csv").read_text(encoding="utf-8")
    assert module.render(module.rows()) == shipped


def test_soletenant_csv_rows_are_the_cyclenerd_hour_times_the_premium():
    shipped = (REPO / "src" / "iacgov" / "data" / "prices" / "gcp_soletenant.csv").read_text(encoding="utf-8")
    rows = {(r.split(",")[1], r.split(",")[2]): r.split(",")[4] for r in shipped.splitlines()[1:]}
    assert rows[("europe-west4", "sole_tenant_node:c2-node-60-240")] == "3.792888"  # 3.44808 x 1.1
    assert len(rows) == 81 and all(region.startswith(("europe-", "us-")) for region, _ in rows)
