"""Price rules for the common Azure, Google Cloud and AWS kinds the first table (:mod:`.pricers`) lacks.

Same conventions as :mod:`iacgov.cost.pricers` (730 hours a month; a value, SKU or region that is not
known makes the component *unpriced* with its reason; a usage-driven line is *usage-based* unless the
usage file gives the quantity). Prices come from ``cloud_prices.csv`` (built by
``scripts/build_cloud_prices.py``) and the instance tables, so a region the sources do not cover stays
unpriced, never estimated from another region.

A figure the code does not state but a documented default or a public image fixes (a boot disk that
inherits Google's public Debian image, 10 GB) is taken from :data:`DEFAULTS`: the usage file may set it,
and the component says it came from a default (``Component.reason`` starts with ``default:``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from iacgov.plugins import resources  # importlib.resources.files, without importing it

from iacgov.cost.catalog import HOURS_PER_MONTH
from iacgov.cost.model import PRICED, Component
from iacgov.cost.spec import PriceContext, Spec, as_flag, as_number, as_text, blocks, why
from iacgov.model import Unknown, is_unknown

PriceFn = Callable[[Spec, PriceContext], Iterable[Component]]


@dataclass(frozen=True)
class CloudKind:
    """A price rule with its field table (what :class:`~iacgov.cost.pricers.Kind` offers)."""

    name: str
    terraform: tuple[str, ...]
    cloudformation: tuple[str, ...]
    price: PriceFn
    fields: Mapping[str, tuple[str | None, str | None]]
    usage_keys: tuple[str, ...] = ()
    size_field: str | None = None


@dataclass(frozen=True)
class Default:
    value: Decimal
    why: str


# usage key -> the figure used when neither the code nor the usage file gives it
DEFAULTS: Mapping[str, Default] = {
    "boot_disk_gb": Default(Decimal(10), "a boot disk without size inherits its image's; Google's public "
                                         "debian-cloud and ubuntu-os-cloud images are 10 GB"),
}
PUBLIC_10GB_IMAGES = re.compile(r"^(projects/)?(debian-cloud|ubuntu-os-cloud)/|^(debian|ubuntu)-")


def from_default(ctx: PriceContext, key: str) -> tuple[Decimal, str | None]:
    """The usage file's ``key``, else its default and the note saying so."""
    ctx.used_usage_keys.add(key)
    if key in ctx.usage:
        return ctx.usage[key], None
    default = DEFAULTS[key]
    return default.value, f"default: {key} = {default.value} ({default.why}); set {key} in the usage file"


def noted(component: Component, note: str | None, key: str = "") -> Component:
    """A component priced with a default says so in its item (shown everywhere) and its reason."""
    if not note or component.kind != PRICED:
        return component
    return replace(component, item=f"{component.item}, {component.quantity:g} GB from the default {key}", reason=note)


def _count(value: object, what: str) -> Decimal | Unknown | None:
    number = as_number(value)
    if isinstance(number, Decimal) and number != number.to_integral_value():
        return Unknown(f"{what} {number} is not a whole number")
    return number


def _scaled(ctx: PriceContext, times: Decimal) -> PriceContext:
    return PriceContext(ctx.catalog, ctx.cloud, ctx.region, int(times) * ctx.count, ctx.usage, ctx.used_usage_keys)


# --------------------------------------------------------------------------- Google Cloud


GCS_LOCATIONS = {"us": "us", "eu": "eu", "asia": "asia"}


def _gcs_bucket(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    klass = spec.text("storage_class")
    klass = "STANDARD" if klass is None else klass
    if is_unknown(klass):
        yield ctx.unpriced("Cloud Storage", f"storage class is not known: {why(klass)}", spec.path("storage_class"))
        return
    klass = {"MULTI_REGIONAL": "STANDARD", "REGIONAL": "STANDARD", "DURABLE_REDUCED_AVAILABILITY": "STANDARD"}.get(
        klass.upper(), klass.upper())
    yield ctx.usage_charge(f"gcs:{klass}", f"Cloud Storage {klass.title()} storage", "storage_gb", "GB-month")


GCP_DISK_TYPES = ("pd-standard", "pd-balanced", "pd-ssd", "pd-extreme")


def _disk(ctx: PriceContext, label: str, dtype: object, size: object, at: str | None,
          no_size: str, regional: bool = False) -> Iterator[Component]:
    dtype = as_text(dtype)
    dtype = "pd-standard" if dtype is None else dtype  # the provider's default for both disks and boot disks
    if is_unknown(dtype):
        yield ctx.unpriced(label, f"disk type is not known: {why(dtype)}", at)
        return
    if dtype not in GCP_DISK_TYPES:
        yield ctx.unpriced(f"{label} ({dtype})", f"{dtype} prices are not in the catalog", at)
        return
    number = as_number(size)
    sku = f"pd:{dtype}{'-regional' if regional else ''}"
    item = f"{label} ({dtype}{', regional' if regional else ''})"
    if number is None:
        yield ctx.unpriced(item, no_size, at)
    elif is_unknown(number):
        yield ctx.unpriced(item, f"size is not known: {why(number)}", at)
    else:
        yield ctx.charge(sku, item, number * ctx.count, "GB-month", at)


def _gcp_disk(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    source = "its image" if spec.raw("image") is not None else "its snapshot" if spec.raw("snapshot") is not None else None
    yield from _disk(ctx, "Persistent disk", spec.raw("type"), spec.raw("size"), spec.path("size"),
                     f"size is not set (it comes from {source}, which iacgov does not read)" if source
                     else "size is not set", regional=spec.type == "google_compute_region_disk")


def gcp_boot_disk(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """The boot disk of a Compute Engine instance (``boot_disk.initialize_params``)."""
    params = spec.raw("boot_disk_params")
    if isinstance(params, list) and len(params) == 1:
        params = params[0]  # an HCL block
    params = params if isinstance(params, Mapping) else {}
    size = params.get("size")
    note = None
    image = as_text(params.get("image"))
    if size is None and isinstance(image, str) and PUBLIC_10GB_IMAGES.search(image):
        size, note = from_default(ctx, "boot_disk_gb")
    for component in _disk(ctx, "Boot disk", params.get("type"), size, "boot_disk",
                           "size is not set (it is its image's, which iacgov does not read)"):
        yield noted(component, note, "boot_disk_gb")


def _gcp_instance(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    from iacgov.cost.pricers import _gcp_instance as instance

    for component in instance(spec, ctx):
        if component.item != "Boot disk":  # the first table leaves the boot disk unpriced
            yield component
    yield from gcp_boot_disk(spec, ctx)


CLOUD_SQL_TIER = re.compile(r"^db-custom-(?P<cpu>\d+)-(?P<mb>\d+)$")


def _cloud_sql(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    tier = spec.text("tier")
    version = spec.text("database_version")
    availability = spec.text("availability_type")
    availability = "ZONAL" if availability is None else availability
    edition = spec.text("edition")
    at = spec.path("tier")
    if tier is None or is_unknown(tier):
        yield ctx.unpriced("Cloud SQL instance", "tier is not set" if tier is None else f"tier is not known: {why(tier)}", at)
        return
    if is_unknown(availability) or availability.upper() not in ("ZONAL", "REGIONAL"):
        yield ctx.unpriced(f"Cloud SQL instance ({tier})", "availability type is not known", spec.path("availability_type"))
        return
    if isinstance(version, str) and version.upper().startswith("SQLSERVER"):
        yield ctx.unpriced(f"Cloud SQL instance ({tier})", "SQL Server licence prices are not in the catalog", at)
        return
    if isinstance(edition, str) and edition.upper() == "ENTERPRISE_PLUS":
        yield ctx.unpriced(f"Cloud SQL instance ({tier})", "Enterprise Plus prices are not in the catalog", at)
        return
    mode = availability.lower()
    found = CLOUD_SQL_TIER.match(tier)
    if found is None:
        yield ctx.unpriced(f"Cloud SQL instance ({tier})", "only db-custom-CPU-MEMORY tiers are priced (shared-core "
                           "and db-n1 tiers have their own SKUs, not in the catalog)", at)
    else:
        cpus, memory_gb = Decimal(found["cpu"]), Decimal(found["mb"]) / Decimal(1024)
        yield ctx.charge(f"cloudsql:vcpu:{mode}", f"Cloud SQL vCPUs ({cpus}, {mode})",
                         cpus * HOURS_PER_MONTH * ctx.count, "hour", at)
        yield ctx.charge(f"cloudsql:memory:{mode}", f"Cloud SQL memory ({memory_gb.normalize()} GB, {mode})",
                         memory_gb * ctx.count, "GB-month", at)
    dtype = spec.text("disk_type")
    dtype = "PD_SSD" if dtype is None else dtype  # the provider's default
    size = spec.number("disk_size")
    size = Decimal(10) if size is None else size  # the provider's default: 10 GB
    if is_unknown(dtype) or is_unknown(size) or dtype.upper() != "PD_SSD":
        yield ctx.unpriced("Cloud SQL storage", "disk type or size is not known (only PD_SSD is priced)",
                           spec.path("disk_size"))
    else:
        yield ctx.charge(f"cloudsql:ssd:{mode}", f"Cloud SQL storage (SSD, {mode})", size * ctx.count, "GB-month",
                         spec.path("disk_size"))
    yield ctx.usage_charge("cloudsql:backup", "Cloud SQL backups", "backup_storage_gb", "GB-month")


def _node_zones(spec: Spec) -> Decimal | Unknown:
    """Zones a GKE node pool runs in: its node_locations, else 1 for a zonal location, 3 for a regional one."""
    locations = spec.raw("node_locations")
    if is_unknown(locations):
        return locations
    if locations:
        return Decimal(len(blocks(locations)))
    location = as_text(spec.raw("location"))
    if location is None or is_unknown(location):
        return Unknown("the cluster's location is not known")
    return Decimal(1) if re.search(r"-[a-z]$", location) else Decimal(3)


def _gke_cluster(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.hourly("gke_cluster_management", "GKE cluster management fee")
    if as_flag(spec.raw("enable_autopilot")) is True:
        yield ctx.usage_based("gke_autopilot_pod", "Autopilot pod resources", "hour",
                              "depends on the pods scheduled: Autopilot prices are not in the catalog")
        return
    removed = as_flag(spec.raw("remove_default_node_pool"))
    if removed is True or spec.raw("node_pool") is not None:
        return  # the nodes are priced with their google_container_node_pool / node_pool blocks
    yield ctx.unpriced("Default node pool", "the default node pool is priced only as google_container_node_pool "
                       "(set remove_default_node_pool and declare the pool)")


# Neither node_count, initial_node_count nor autoscaling: the provider sends InitialNodeCount 0, an empty pool.
ZERO_NODES = ("0 nodes: neither node_count, initial_node_count nor autoscaling is set, and the google provider then "
              "creates the pool with initialNodeCount 0 (hashicorp/terraform-provider-google@e03b762 "
              "google/services/container/resource_container_node_pool.go:1231-1249 'nodeCount := 0' ... "
              "'InitialNodeCount: int64(nodeCount)')")


def _gke_node_pool(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    machine = spec.text("machine_type")
    machine = "e2-medium" if machine is None else machine  # GKE's default machine type
    nodes = _count(spec.raw("node_count"), "node_count")
    if nodes is None:
        nodes = _count(spec.raw("min_node_count"), "min_node_count")
    if nodes is None:
        nodes = _count(spec.raw("initial_node_count"), "initial_node_count")
    empty = nodes is None and spec.raw("autoscaling") is None
    nodes = Decimal(0) if empty else nodes  # ZERO_NODES says why
    zones = _node_zones(spec)
    at = spec.path("machine_type")
    if nodes is None or is_unknown(nodes) or is_unknown(zones) or is_unknown(machine):
        reason = ("node count is not set" if nodes is None else f"node count is not known: {why(nodes)}"
                  if is_unknown(nodes) else f"zones are not known: {why(zones)}" if is_unknown(zones)
                  else f"machine type is not known: {why(machine)}")
        yield ctx.unpriced("Nodes", reason, at)
        return
    if as_flag(spec.raw("spot")) is True or as_flag(spec.raw("preemptible")) is True:
        yield ctx.unpriced(f"Nodes ({machine}, spot)", "spot and preemptible prices are not in the catalog", at)
        return
    fleet = _scaled(ctx, nodes * zones)
    pool = fleet.hourly(f"compute:{machine}", f"Nodes ({machine}, {nodes} x {zones} zone(s), on-demand)", at)
    if empty and pool.kind == PRICED:  # said in the item (shown everywhere) and the reason
        pool = replace(pool, item=f"{pool.item[:-1]}, no count set: the provider's initialNodeCount 0)", reason=ZERO_NODES)
    yield pool
    size = spec.number("disk_size_gb")
    size = Decimal(100) if size is None else size  # GKE's default node disk: 100 GB pd-balanced
    dtype = spec.text("disk_type")
    yield from _disk(fleet, "Node boot disks", "pd-balanced" if dtype is None else dtype, size,
                     spec.path("disk_size_gb"), "size is not set")


MEMORYSTORE_TIERS = ((Decimal(4), "m1"), (Decimal(10), "m2"), (Decimal(35), "m3"), (Decimal(100), "m4"))


def _memorystore(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    size = spec.number("memory_size_gb")
    tier = spec.text("tier")
    tier = "BASIC" if tier is None else tier
    if size is None or is_unknown(size) or is_unknown(tier):
        yield ctx.unpriced("Memorystore for Redis", "memory size or tier is not known", spec.path("memory_size_gb"))
        return
    band = next((name for limit, name in MEMORYSTORE_TIERS if size <= limit), "m5")
    short = "standard" if tier.upper() == "STANDARD_HA" else "basic"
    yield ctx.charge(f"memorystore_redis:{short}:{band}", f"Memorystore for Redis ({short}, {band.upper()}, {size} GB)",
                     size * ctx.count, "GB-month", spec.path("memory_size_gb"))


def _cloud_nat(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.usage_based("cloud_nat_gateway", "Cloud NAT gateway (per VM-hour, capped per gateway)", "hour",
                          "depends on the VMs using it: the catalog's figure is the cap reached at 32 VMs")
    yield ctx.usage_charge("cloud_nat_data_processed", "Cloud NAT data processed", "monthly_data_processed_gb", "GB")


def _gcp_address(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    kind = spec.text("address_type")
    if isinstance(kind, str) and kind.upper() == "INTERNAL":
        return  # internal addresses are free
    yield ctx.usage_based("external_ip_unused", "Static external IP address", "hour",
                          "the hourly price depends on whether a VM uses it (external_ip_vm) or not (external_ip_unused)")


def _kms_crypto_key(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.monthly_fixed("kms_key_version", "Cloud KMS active key version")
    yield ctx.usage_charge("kms_operations", "Cloud KMS operations", "monthly_requests", "10k requests",
                           per=Decimal(10_000))


def _usage_only(sku: str, item: str, key: str, unit: str, per: int = 1) -> PriceFn:
    def price(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
        yield ctx.usage_charge(sku, item, key, unit, per=Decimal(per))
    return price


# --------------------------------------------------------------------------- Azure

# azurerm_storage_account: kinds_azure.py (blob capacity by account kind and access tier)


def _aks(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    tier = spec.text("sku_tier")
    tier = "Free" if tier is None else tier
    if is_unknown(tier):
        yield ctx.unpriced("AKS control plane", f"SKU tier is not known: {why(tier)}", spec.path("sku_tier"))
    elif tier.lower() in ("standard", "paid"):
        yield ctx.hourly("aks_uptime_sla", "AKS Standard tier (uptime SLA)", spec.path("sku_tier"))
    size = spec.text("node_vm_size")
    nodes = _count(spec.raw("node_count"), "node_count")
    if nodes is None:
        nodes = _count(spec.raw("min_count"), "min_count")
    nodes = Decimal(1) if nodes is None else nodes  # the provider's default node_count
    if size is None or is_unknown(size) or is_unknown(nodes):
        yield ctx.unpriced("Default node pool", "VM size or node count is not known", spec.path("node_vm_size"))
    else:
        yield _scaled(ctx, nodes).hourly(f"vm:{size}", f"Default node pool ({nodes} x {size}, Linux, pay-as-you-go)",
                                         spec.path("node_vm_size"))
    yield ctx.unpriced("Node OS disks", "the OS disk tier depends on the VM size (managed Premium or Standard); "
                       "its price is not derived")


DISK_SIZES = (4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767)
DISK_TIERS = ("1", "2", "3", "4", "6", "10", "15", "20", "30", "40", "50", "60", "70", "80")
DISK_LETTER = {"standard_lrs": "s", "premium_lrs": "p", "standardssd_lrs": "e"}


def _managed_disk(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    account = spec.text("storage_account_type")
    size = spec.number("disk_size_gb")
    if account is None or size is None or is_unknown(account) or is_unknown(size):
        yield ctx.unpriced("Managed disk", "storage account type or size is not known", spec.path("disk_size_gb"))
        return
    letter = DISK_LETTER.get(account.lower())
    if letter is None or size > DISK_SIZES[-1]:
        yield ctx.unpriced(f"Managed disk ({account})", f"{account} disk prices are not in the catalog",
                           spec.path("storage_account_type"))
        return
    tier = next(t for limit, t in zip(DISK_SIZES, DISK_TIERS) if size <= limit)
    tier = "4" if letter == "s" and size <= 32 else tier  # Standard HDD starts at S4 (infracost diskSizeMap)
    name = f"{letter.upper()}{tier}"
    yield ctx.monthly_fixed(f"disk:{name.lower()}:lrs", f"Managed disk ({name}, {size} GB, LRS)", spec.path("disk_size_gb"))


def _app_service_plan(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    size = spec.text("size")
    capacity = _count(spec.raw("capacity"), "capacity")
    capacity = Decimal(1) if capacity is None else capacity
    if size is None or is_unknown(size) or is_unknown(capacity):
        yield ctx.unpriced("App Service plan", "SKU size or capacity is not known", spec.path("size"))
        return
    name = size.lower().removesuffix("v1")
    yield _scaled(ctx, capacity).hourly(f"app_service_plan:{name}", f"App Service plan ({capacity} x {size})",
                                        spec.path("size"))


SINGLE_SERVER = re.compile(r"^(B|GP|MO)_Gen5_\d+$")


def _single_server(engine: str) -> PriceFn:
    def price(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
        sku = spec.text("sku_name")
        if sku is None or is_unknown(sku) or not SINGLE_SERVER.match(sku):
            yield ctx.unpriced("Compute", "SKU is not known" if not isinstance(sku, str) else f"SKU {sku} is not priced",
                               spec.path("sku_name"))
        else:
            yield ctx.hourly(f"{engine}_single:{sku.lower()}", f"Compute ({sku})", spec.path("sku_name"))
        storage = spec.number("storage_mb")
        if storage is None or is_unknown(storage):
            yield ctx.unpriced("Storage", "storage_mb is not known", spec.path("storage_mb"))
        else:
            basic = ":basic" if isinstance(sku, str) and sku.startswith("B_") else ""  # Basic storage has its own rate
            yield ctx.charge(f"{engine}_single:storage{basic}", "Storage", storage / Decimal(1024) * ctx.count, "GB-month",
                             spec.path("storage_mb"))
    return price


def _public_ip(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    sku = spec.text("sku")
    method = spec.text("allocation_method")
    if not isinstance(sku, str) or not isinstance(method, str):
        yield ctx.unpriced("Public IP address", "SKU or allocation method is not known", spec.path("sku"))
        return
    yield ctx.hourly(f"public_ip:{sku.lower()}:{method.lower()}", f"Public IP address ({sku}, {method})", spec.path("sku"))


def dns_billing_zone(region: object) -> str | Unknown:
    """Azure DNS bills a zone per billing zone, not per region: infracost's private_dns_zone.go maps a location
    starting "germany" to DE Zone 1 and every other public-cloud location to Zone 1 (US Gov and China are
    their own zones, not in the catalog)."""
    if is_unknown(region):
        return Unknown(f"the billing zone follows the location, which is not known: {why(region)}")
    if not isinstance(region, str) or region.lower() == "global":
        return Unknown("the billing zone follows the resource group's location, which is not known")
    name = region.lower().replace(" ", "")
    if name.startswith(("usgov", "usdod", "china")):
        return Unknown(f"{region} is in a sovereign cloud's billing zone, not in the catalog")
    return "dezone1" if name.startswith("germany") else "zone1"


def _dns_zone(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    zone = dns_billing_zone(ctx.region)
    if is_unknown(zone):
        yield ctx.unpriced("Hosted DNS zone", zone.reason)
        return
    label = "DE Zone 1" if zone == "dezone1" else "Zone 1"
    yield replace_region(ctx, zone).monthly_fixed("dns_hosted_zone", f"Hosted DNS zone (billing {label})")


def replace_region(ctx: PriceContext, region: str) -> PriceContext:
    return PriceContext(ctx.catalog, ctx.cloud, region, ctx.count, ctx.usage, ctx.used_usage_keys, ctx.resolve)


# --------------------------------------------------------------------------- AWS


def _eks_node_group(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    types = spec.raw("instance_types")
    capacity = spec.text("capacity_type")
    nodes = _count(spec.raw("desired_size"), "desired_size")
    listed = blocks(types)
    itype = "t3.medium" if types is None else listed[0] if listed else None  # EKS's default instance type
    at = spec.path("instance_types")
    if nodes is None or is_unknown(nodes):
        yield ctx.unpriced("Nodes", "desired size is not known" if nodes is not None else "desired size is not set",
                           spec.path("desired_size"))
        return
    if not isinstance(itype, str):
        yield ctx.unpriced("Nodes", "instance type is not known (set in instance_types or the launch template)", at)
        return
    if isinstance(capacity, str) and capacity.upper() == "SPOT":
        yield ctx.unpriced(f"Nodes ({itype}, spot)", "spot prices are not in the catalog", spec.path("capacity_type"))
        return
    fleet = _scaled(ctx, nodes)
    yield fleet.hourly(f"ec2:{itype}", f"Nodes ({nodes} x {itype}, Linux, on-demand)", at)
    if spec.raw("launch_template") is not None:
        yield ctx.unpriced("Node volumes", "set by the launch template, which this rule does not read")
    else:
        size = spec.number("disk_size")
        size = Decimal(20) if size is None else size  # EKS's default node volume: 20 GiB gp2
        if is_unknown(size):
            yield ctx.unpriced("Node volumes", f"disk size is not known: {why(size)}", spec.path("disk_size"))
        else:
            yield fleet.charge("ebs_gp2_storage", "Node volumes (gp2)", size * fleet.count, "GB-month",
                               spec.path("disk_size"))


# --------------------------------------------------------------------------- the table


def _f(**fields: str | tuple[str | None, str | None]) -> dict[str, tuple[str | None, str | None]]:
    return {k: (v, None) if isinstance(v, str) else v for k, v in fields.items()}


CLOUD_KINDS: tuple[CloudKind, ...] = (
    CloudKind("google_compute_instance", ("google_compute_instance",), (), _gcp_instance,
              _f(machine_type="machine_type", boot_disk_params="boot_disk.initialize_params"), ("boot_disk_gb",),
              size_field="machine_type"),
    CloudKind("google_container_node_pool", ("google_container_node_pool",), (), _gke_node_pool,
              _f(machine_type="node_config.machine_type", node_count="node_count",
                 min_node_count="autoscaling.min_node_count", initial_node_count="initial_node_count",
                 node_locations="node_locations", location="location", disk_size_gb="node_config.disk_size_gb",
                 autoscaling="autoscaling",
                 disk_type="node_config.disk_type", spot="node_config.spot", preemptible="node_config.preemptible"),
              size_field="machine_type"),
    CloudKind("google_redis_instance", ("google_redis_instance",), (), _memorystore,
              _f(memory_size_gb="memory_size_gb", tier="tier")),
    CloudKind("google_compute_router_nat", ("google_compute_router_nat",), (), _cloud_nat, {},
              ("monthly_data_processed_gb",)),
    CloudKind("google_compute_address", ("google_compute_address",), (), _gcp_address,
              _f(address_type="address_type")),
    CloudKind("azurerm_kubernetes_cluster", ("azurerm_kubernetes_cluster",), (), _aks,
              _f(sku_tier="sku_tier", node_vm_size="default_node_pool.vm_size", node_count="default_node_pool.node_count",
                 min_count="default_node_pool.min_count"), size_field="node_vm_size"),
    CloudKind("azurerm_managed_disk", ("azurerm_managed_disk",), (), _managed_disk,
              _f(storage_account_type="storage_account_type", disk_size_gb="disk_size_gb")),
    CloudKind("azurerm_app_service_plan", ("azurerm_app_service_plan",), (), _app_service_plan,
              _f(size="sku.size", capacity="sku.capacity"), size_field="size"),
    CloudKind("azurerm_postgresql_server", ("azurerm_postgresql_server",), (), _single_server("postgresql"),
              _f(sku_name="sku_name", storage_mb="storage_mb"), size_field="sku_name"),
    CloudKind("azurerm_mysql_server", ("azurerm_mysql_server",), (), _single_server("mysql"),
              _f(sku_name="sku_name", storage_mb="storage_mb"), size_field="sku_name"),
    CloudKind("azurerm_public_ip", ("azurerm_public_ip",), (), _public_ip,
              _f(sku="sku", allocation_method="allocation_method")),
    CloudKind("azurerm_key_vault", ("azurerm_key_vault",), (),
              _usage_only("key_vault_operations:standard", "Key Vault operations", "monthly_requests", "10k requests",
                          10_000),
              {}, ("monthly_requests",)),
    CloudKind("azurerm_log_analytics_workspace", ("azurerm_log_analytics_workspace",), (),
              _usage_only("log_analytics_ingestion", "Log Analytics data ingestion", "monthly_ingested_gb", "GB"),
              {}, ("monthly_ingested_gb",)),
    CloudKind("azurerm_private_dns_zone", ("azurerm_private_dns_zone", "azurerm_dns_zone"), (), _dns_zone, {}),
    CloudKind("aws_eks_node_group", ("aws_eks_node_group",), ("AWS::EKS::Nodegroup",), _eks_node_group,
              {"instance_types": ("instance_types", "InstanceTypes"), "capacity_type": ("capacity_type", "CapacityType"),
               "desired_size": ("scaling_config.desired_size", "ScalingConfig.DesiredSize"),
               "launch_template": ("launch_template", "LaunchTemplate"), "disk_size": ("disk_size", "DiskSize")},
              size_field="instance_types"),
    CloudKind("aws_sqs_queue", ("aws_sqs_queue",), ("AWS::SQS::Queue",),
              _usage_only("sqs_standard_requests", "SQS requests", "monthly_requests", "1M requests", 1_000_000), {},
              ("monthly_requests",)),
)

BY_TYPE: dict[str, CloudKind] = {t: k for k in CLOUD_KINDS for t in (*k.terraform, *k.cloudformation)}


# --------------------------------------------------------------------------- free kinds


@lru_cache(maxsize=1)
def _free_list() -> Mapping[str, str]:
    text = resources.files("iacgov").joinpath("data", "prices", "free_kinds.csv").read_text(encoding="utf-8")
    return _free_rows(text)


def _free_rows(text: str) -> Mapping[str, str]:
    """kind -> source of a free_kinds.csv text, as ``csv.DictReader`` reads it (a later column of a repeated name
    wins, a short row's missing fields are None, empty rows are skipped) without a dict per row (~4 ms a run)."""
    reader = _csv_rows(text) if "\r" not in text and "\0" not in text else csv.reader(io.StringIO(text))
    header = next(reader, [])
    kind, source = (len(header) - 1 - header[::-1].index(name) for name in ("kind", "source"))
    return {(row[kind] if kind < len(row) else None): (row[source] if source < len(row) else None)  # type: ignore[misc]
            for row in reader if row}


def _csv_rows(text: str) -> Iterator[list[str]]:
    """The rows ``csv.reader`` reads from ``text`` (whose lines end with "\n" alone), a line without a quote
    split at its commas as csv splits it, a record from a line with a quote read by csv (it may go on over the
    next lines): csv reading the 900 rows of free_kinds.csv, one of them quoted, cost ~1.7 ms, splitting 0.4 ms."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # text ends with a newline: no row after it
    last = len(lines) - 1
    i = 0
    while i <= last:
        if '"' not in lines[i]:
            yield lines[i].split(",") if lines[i] else []
            i += 1
            continue
        rest = (line if at == last and not text.endswith("\n") else line + "\n"
                for at, line in enumerate(islice(lines, i, None), start=i))
        reader = csv.reader(rest)
        yield next(reader)
        i += reader.line_num


def free_source(resource_type: str) -> str | None:
    """Why a kind costs nothing by itself (its citation), or None when it is not known to be free."""
    from iacgov import platform
    from iacgov.cost.pricers import is_free

    entry = platform.entry(resource_type)
    kind = entry["kind"] if entry is not None else resource_type
    cited = _free_list().get(kind) or _free_list().get(resource_type)
    if entry is not None and entry.get("free"):
        where = f"platform catalog ({entry['cloud']}/{entry['service']}.yaml: free)"
        cited = entry.get("free_source") or cited  # the catalog's own citation, moved there from free_kinds.csv
        return where + (f"; {cited}" if cited else "")
    if cited:
        return cited
    if is_free(resource_type):
        return "iacgov's list of kinds without charges of their own (cost/pricers.py FREE_PATTERNS)"
    return None
