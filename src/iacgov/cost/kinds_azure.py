"""Price rules for Azure kinds added after :mod:`iacgov.cost.cloud_pricers` (same conventions).

Each rule reads its prices from the shipped catalog (``iacgov.cost.catalog.shipped_price``), so a region
its sources do not state stays unpriced, never estimated from another region. The rows come from
``scripts/build_azure_prices.py`` (``azure_vm_retail.csv``: karpenter-provider-azure's copy of the Azure
Retail Prices API; ``azure_infracost.csv``: infracost's Azure test goldens; ``azure_storage.csv``: blob
capacity from azure-pricing-radar's Retail Prices API copy and the goldens). A rule that yields nothing
says the resource has no charge of its own, and the comment at that point cites why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from iacgov.cost.catalog import HOURS_PER_MONTH
from iacgov.cost.cloud_pricers import CloudKind, PriceFn, _count, _f, _scaled, replace_region
from iacgov.cost.model import UNPRICED, Component
from iacgov.cost.spec import PriceContext, Spec, as_flag, as_number, blocks, why
from iacgov.model import Resource, is_unknown
from iacgov.regions import catalog as region_catalog
from iacgov.regions import suggest

# --------------------------------------------------------------------------- where a global resource is


# the last estimate's resource groups ((module, group) -> location) and virtual networks ((module, group, name) ->
# the network), built when a resource without a location is priced
_GROUPS: list[tuple[Mapping[str, Resource], dict[tuple[str, str], str], dict[tuple[str, str, str], Resource]]] = []


def _module(resource: Resource) -> str:
    at = resource.address.rfind(f"{resource.type}.")
    return resource.address[:at] if at >= 0 else ""


def resource_group_location(resource: Resource, index: Mapping[str, Resource] | None) -> str | None:
    """The location of the resource group an Azure resource without one names (``resource_group_name``), when an
    ``azurerm_resource_group`` of that name is in the same module of the estimate. A private DNS zone is global:
    Azure DNS bills it in the billing zone of its resource group's location (infracost private_dns_zone.go)."""
    name = resource.attributes.get("resource_group_name")
    if not index or resource.cloud != "azure" or not isinstance(name, str):
        return None
    if not _GROUPS or _GROUPS[0][0] is not index:
        groups: dict[tuple[str, str], str] = {}
        networks: dict[tuple[str, str, str], Resource] = {}
        for r in index.values():
            group, where = r.attributes.get("name"), r.attributes.get("location")
            if r.type == "azurerm_resource_group" and isinstance(group, str) and isinstance(where, str):
                groups[_module(r), group.lower()] = "".join(where.lower().split())
            in_group = r.attributes.get("resource_group_name")
            if r.type == "azurerm_virtual_network" and isinstance(group, str) and isinstance(in_group, str):
                networks[_module(r), in_group.lower(), group.lower()] = r
        _GROUPS[:] = [(index, groups, networks)]
    return _GROUPS[0][1].get((_module(resource), name.lower()))


ARM_NETWORK_ID = re.compile(r"/resourceGroups/(?P<group>[^/]+)/providers/Microsoft\.Network/virtualNetworks/"
                            r"(?P<name>[^/]+)$", re.IGNORECASE)


def remote_network(spec: Spec, ctx: PriceContext) -> Resource | None:
    """The ``azurerm_virtual_network`` a peering's ``remote_virtual_network_id`` names, when it is in the same module
    of the estimate: by reference (``azurerm_virtual_network.hub.id``), or by the resource group and name of an ARM ID
    (a string, or a template with unknown parts such as the subscription). None when it cannot be told."""
    raw = spec.raw("remote_virtual_network_id")
    if is_unknown(raw) and raw.ref:
        parts = raw.ref.split(".")
        target = ctx.resolve(".".join(parts[:-1])) if ctx.resolve is not None and len(parts) > 2 else None
        return target if target is not None and target.type == "azurerm_virtual_network" else None
    text = raw if isinstance(raw, str) else getattr(raw, "text", None)
    found = ARM_NETWORK_ID.search(text) if isinstance(text, str) else None
    if found is None or not _GROUPS or ctx.resolve is None:
        return None
    key = (_module(spec.resource), found["group"].lower(), found["name"].lower())
    target = _GROUPS[0][2].get(key)
    # the table is the last estimate's: the network counts only if this estimate's index holds that very resource
    if target is None or ctx.resolve(target.address[len(_module(target)):]) is not target:
        return None
    return target


# --------------------------------------------------------------------------- virtual machines


def _windows_vm(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """Windows VMs and scale sets: the Retail Prices API's Windows meter includes the licence (infracost's
    windows_virtual_machine_test prices Standard_F2 at $0.192/hour against $0.10 for Linux)."""
    scale_set = spec.type == "azurerm_windows_virtual_machine_scale_set"
    size = spec.text("sku" if scale_set else "size")  # a scale set names its size in ``sku``
    at = spec.path("sku" if scale_set else "size")
    if scale_set:
        instances = _count(spec.raw("instances"), "instances")
        if instances is None or is_unknown(instances):
            reason = "instances is not set" if instances is None else f"instances is not known: {why(instances)}"
            yield ctx.unpriced("Scale set instances", reason, spec.path("instances"))
            return
        ctx = _scaled(ctx, instances)
    licence = spec.text("license_type")
    if size is None or is_unknown(size):
        yield ctx.unpriced("Virtual machine (Windows)", "size is not set" if size is None
                           else f"size is not known: {why(size)}", at)
    elif licence is not None and not (isinstance(licence, str) and licence.lower() == "none"):
        yield ctx.unpriced(f"Virtual machine (Windows, {size})", "Azure Hybrid Benefit (license_type) prices "
                           "are not in the catalog", spec.path("license_type"))
    else:
        yield ctx.hourly(f"vm_windows:{size}", f"Virtual machine (Windows, pay-as-you-go, {size})", at)
    yield ctx.unpriced("Managed OS disk", "Azure managed disk prices are not in the catalog", "os_disk")


def _aks_node_pool(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    size = spec.text("vm_size")
    at = spec.path("vm_size")
    nodes = _count(spec.raw("node_count"), "node_count")
    if nodes is None:
        nodes = _count(spec.raw("min_count"), "min_count")
    nodes = Decimal(1) if nodes is None else nodes  # the provider's default node_count
    os_type = spec.text("os_type")
    os_type = "Linux" if os_type is None else os_type
    if size is None or is_unknown(size) or is_unknown(nodes) or is_unknown(os_type):
        yield ctx.unpriced("Node pool", "VM size, node count or OS type is not known", at)
    elif isinstance(spec.text("priority"), str) and spec.text("priority").lower() == "spot":
        yield ctx.unpriced(f"Node pool ({size}, spot)", "spot prices are not in the catalog", spec.path("priority"))
    else:
        windows = os_type.lower() == "windows"
        sku = f"vm_windows:{size}" if windows else f"vm:{size}"
        yield _scaled(ctx, nodes).hourly(sku, f"Node pool ({nodes} x {size}, {os_type}, pay-as-you-go)", at)
    yield ctx.unpriced("Node OS disks", "the OS disk tier depends on the VM size (managed Premium or Standard); "
                       "its price is not derived")


# --------------------------------------------------------------------------- storage accounts

BLOB_FIRST_TIER_GB = Decimal(51_200)  # Hot blob capacity is tiered: first 50 TB (tierMinimumUnits 0 .. 51200 GB)
BLOB_ACCOUNT_KINDS = ("storagev2", "blobstorage", "blockblobstorage")


def _blob_item(kind: str, tier: str, access: str, repl: str, hns: bool) -> tuple[str, str]:
    """(catalog item, label) of an account's blob capacity; an item the catalog lacks stays without a price.
    Premium block blobs have one price whatever the access tier (infracost storage_account.go: "Premium tier
    doesn't differentiate between Hot or Cool storage"); only Standard Hot is tiered by volume."""
    what = f"{tier}, {access}, {repl}"
    if kind == "filestorage":
        return f"files:{tier}:{access}:{repl}".lower(), f"File storage ({what})"
    if hns:  # Data Lake Storage Gen2 has meters of its own
        return f"adls:{tier}:{access}:{repl}".lower(), f"Data Lake Storage ({what})"
    if kind == "storage":
        return f"blob:v1:{tier}:{repl}".lower(), f"Blob storage (general-purpose v1, {tier}, {repl})"
    if kind not in BLOB_ACCOUNT_KINDS:
        return f"blob:{kind}:{tier}:{access}:{repl}".lower(), f"Blob storage ({kind}, {what})"
    if tier.lower() == "premium":
        return f"blob:premium:{repl}".lower(), f"Blob storage (Premium, {repl})"
    if access.lower() == "hot":
        return f"blob:standard:hot:{repl}:first_50tb".lower(), f"Blob storage ({what}), first 50 TB"
    return f"blob:{tier}:{access}:{repl}".lower(), f"Blob storage ({what})"


def _storage_account(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    tier = spec.text("account_tier")
    repl = spec.text("account_replication_type")
    access = spec.text("access_tier")
    access = "Hot" if access is None else access  # the provider's default
    kind = spec.text("account_kind")
    kind = "StorageV2" if kind is None else kind  # the provider's default
    hns = as_flag(spec.raw("is_hns_enabled"))
    if any(is_unknown(v) or v is None for v in (tier, repl, access, kind)) or is_unknown(hns):
        yield ctx.unpriced("Blob storage", "account kind, tier, replication, access tier or hierarchical namespace "
                           "is not known", spec.path("account_replication_type"))
        return
    sku, item = _blob_item(kind.lower(), tier, access, repl, hns is True)
    stored = ctx.usage.get("storage_gb")
    if not sku.endswith(":first_50tb") or stored is None or stored <= BLOB_FIRST_TIER_GB:
        yield ctx.usage_charge(sku, item, "storage_gb", "GB-month")
        return
    # past the first 50 TB of an account the Hot price falls (next 450 TB, over 500 TB): tiers not in the catalog
    yield ctx.charge(sku, item, BLOB_FIRST_TIER_GB * ctx.count, "GB-month")
    yield ctx.unpriced(f"Blob storage past the first 50 TB ({stored - BLOB_FIRST_TIER_GB:,} GB an account)",
                       "the next Hot tiers (next 450 TB, over 500 TB) are not in the catalog")


# --------------------------------------------------------------------------- network


def _load_balancer(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    sku = spec.text("sku")
    sku = "Basic" if sku is None else sku  # the provider's default
    if is_unknown(sku):
        yield ctx.unpriced("Load balancer", f"SKU is not known: {why(sku)}", spec.path("sku"))
    elif sku.lower() == "standard":
        # its rules are billed per load balancer and region (first 5, then each), not in the catalog
        yield ctx.usage_charge("lb:standard:data_processed", "Load balancer data processed (Standard)",
                               "monthly_data_processed_gb", "GB")
    elif sku.lower() != "basic":
        yield ctx.unpriced(f"Load balancer ({sku})", f"{sku} load balancer prices are not in the catalog",
                           spec.path("sku"))
    # a Basic load balancer has no charge: infracost lb.go returns it with NoPrice (Basic has no meter)


def _nat_gateway(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.hourly("nat_gateway", "NAT gateway")
    yield ctx.usage_charge("nat_gateway:data_processed", "NAT gateway data processed", "monthly_data_processed_gb", "GB")


# Azure networking prices of azure_network_retail.csv (scripts/build_azure_network_prices.py): a Retail Prices API
# copy with 7 of iacgov's regions; a region it lacks is said so, never priced from another region.
NETWORK_REGIONS = ("westeurope", "northeurope", "swedencentral", "uksouth", "eastus2", "westus2", "centralus")
ADB_GAP = ("the Retail Prices API copy read for Azure networking (azure-architecture-diagram-builder@31f894a) "
           f"has {', '.join(NETWORK_REGIONS)} only")
VWAN_GAP = ("Virtual WAN prices are in no machine-readable copy reached but infracost's westeurope goldens (the "
            "Retail Prices API copy read for networking has no Virtual WAN service)")


def _explained(part: Component, gap: str) -> Component:
    """A line the catalog has no price for, with why the catalog lacks it (not only that it does)."""
    if part.kind == UNPRICED and part.reason and part.reason.startswith("no price for "):
        return replace(part, reason=f"{part.reason}: {gap}")
    return part


def not_an_azure_region(spec: Spec, ctx: PriceContext) -> str | None:
    """Why the resource's location is no Azure region (None: it is one, or it is not known). A made-up location
    (terragoat writes "example --West-US") must say so, not that the catalog lacks a price there."""
    if not isinstance(ctx.region, str) or ctx.region == "global":
        return None
    known = region_catalog("azure")
    if ctx.region in known.regions:
        return None
    written = spec.resource.attributes.get("location")
    shown = written if isinstance(written, str) else ctx.region
    close = suggest(ctx.region, known.regions)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    where = f"iacgov's catalog of Azure regions, compiled {known.compiled}"
    return f"location {shown!r} is not an Azure region ({where}){hint}"


def _in_region(rule: PriceFn, gap: str | None = None) -> PriceFn:
    """``rule``, unless the resource's location is no Azure region: then one unpriced line saying so. ``gap`` says
    why the catalog lacks a price the rule asks for."""
    def price(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
        problem = not_an_azure_region(spec, ctx)
        if problem is not None:
            yield ctx.unpriced(spec.type, problem, "location")
            return
        for part in rule(spec, ctx):
            yield part if gap is None else _explained(part, gap)
    price.__doc__ = rule.__doc__
    return price


def _firewall(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """Deployment hours by tier, in a virtual network or a secured virtual hub (their meters differ), and data
    processed. (Moved from cloud_pricers.py to price the Basic tier.) The capacity-unit meters the API lists since
    2025-11 are for prescaled capacity (minimum and maximum capacity units), which this rule does not read."""
    tier = spec.text("sku_tier")
    tier = "Standard" if tier is None else tier  # the provider's default
    sku_name = spec.text("sku_name")
    if is_unknown(tier) or is_unknown(sku_name):
        yield ctx.unpriced("Firewall deployment", "SKU tier or name is not known", spec.path("sku_tier"))
        return
    hub = (isinstance(sku_name, str) and sku_name.upper() == "AZFW_HUB") or bool(blocks(spec.raw("virtual_hub")))
    short = tier.lower()
    if short not in ("basic", "standard", "premium"):
        yield ctx.unpriced(f"Firewall deployment ({tier})", f"{tier} is not an Azure Firewall tier (Basic, Standard "
                           "or Premium)", spec.path("sku_tier"))
        return
    where, key = (", secured virtual hub", f"firewall:{short}:hub") if hub else ("", f"firewall:{short}")
    yield ctx.hourly(key, f"Firewall deployment ({tier}{where})", spec.path("sku_tier"))
    yield ctx.usage_charge(f"{key}:data", "Firewall data processed", "monthly_data_processed_gb", "GB")


# The ExpressRoute virtual network gateway SKUs with one hourly price each (Retail Prices API "ExpressRoute Gateway"
# meters); ErGwScale is billed per scale unit in use between a minimum and a maximum.
ER_GATEWAY_SKUS = ("standard", "highperformance", "ultraperformance", "ergw1az", "ergw2az", "ergw3az")


def _vnet_gateway(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """A VPN or ExpressRoute virtual network gateway: its SKU's hourly price. (Moved from cloud_pricers.py to price
    ExpressRoute gateways.) Site-to-site and point-to-site connections are billed on their own resources."""
    kind = spec.text("type")
    sku = spec.text("sku")
    if not isinstance(kind, str) or not isinstance(sku, str):
        yield ctx.unpriced("Gateway", "gateway type or SKU is not known", spec.path("sku"))
    elif kind.lower() == "vpn":
        yield ctx.hourly(f"vpn_gateway:{sku.lower()}", f"VPN gateway ({sku})", spec.path("sku"))
    elif kind.lower() != "expressroute":
        yield ctx.unpriced(f"Gateway ({kind}, {sku})", f"{kind} is not a gateway type (Vpn or ExpressRoute)",
                           spec.path("type"))
    elif sku.lower() in ER_GATEWAY_SKUS:
        yield ctx.hourly(f"er_gateway:{sku.lower()}", f"ExpressRoute gateway ({sku})", spec.path("sku"))
    else:
        yield ctx.unpriced(f"ExpressRoute gateway ({sku})", f"{sku} is billed per scale unit in use (ErGwScale Unit), "
                           "a count the configuration does not fix" if sku.lower() == "ergwscale"
                           else f"{sku} is not an ExpressRoute gateway SKU", spec.path("sku"))


# v1 data processed (Retail Prices API "<size> Data Processed"): the first tier is priced 0 for Medium (10,240 GB)
# and Large (40,960 GB); the row in azure_network_retail.csv is the tier past it (scripts/build_azure_network_prices.py)
V1_FREE_GB = {"small": Decimal(0), "medium": Decimal(10_240), "large": Decimal(40_960)}
V2_TIERS = {"standard_v2": "standard_v2", "waf_v2": "waf_v2", "basic": "basic_v2"}


def _app_gateway_v1(spec: Spec, ctx: PriceContext, tier: str, size: str) -> Iterator[Component]:
    # infracost application_gateway.go: a v1 gateway is billed per instance-hour (sku.capacity instances)
    capacity = _count(spec.raw("capacity"), "capacity")
    at = spec.path("capacity")
    if capacity is None or is_unknown(capacity):
        yield ctx.unpriced(f"Application gateway ({tier}, {size})", "sku.capacity (the instance count) is not set"
                           if capacity is None else f"sku.capacity is not known: {why(capacity)}", at)
        return
    family = "waf" if tier.lower() == "waf" else "standard"
    label = f"Application gateway ({tier}, {size}, {capacity} instance(s))"
    yield _scaled(ctx, capacity).hourly(f"application_gateway:{family}:{size}", label, spec.path("name"))
    item = f"application_gateway:v1:{size}:data"
    free = V1_FREE_GB[size]
    label = f"Data processed ({size}{f', past the first {free:,} GB' if free else ''})"
    ctx.used_usage_keys.add("monthly_data_processed_gb")
    processed = ctx.usage.get("monthly_data_processed_gb")
    if processed is None:
        yield ctx.usage_based(item, label, "GB", "depends on usage: set monthly_data_processed_gb in the usage file")
    else:
        yield ctx.charge(item, label, max(processed - free, Decimal(0)) * ctx.count, "GB")


def _application_gateway(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """v1 (Standard and WAF sizes): instance hours and data processed; v2 (Basic, Standard_v2, WAF_v2): the fixed
    hourly price and capacity units (from the usage file)."""
    tier = spec.text("tier")
    name = spec.text("name")
    at = spec.path("tier")
    if tier is None or is_unknown(tier) or is_unknown(name):
        yield ctx.unpriced("Application gateway", "SKU tier is not set" if tier is None
                           else f"SKU tier or name is not known: {why(tier if is_unknown(tier) else name)}", at)
        return
    if tier.lower() in ("standard", "waf"):
        size = name.rsplit("_", 1)[-1].lower() if isinstance(name, str) else ""
        if name is None:
            yield ctx.unpriced(f"Application gateway ({tier})", "sku.name (the v1 size) is not set", spec.path("name"))
            return
        if size not in V1_FREE_GB or (tier.lower() == "waf" and size == "small"):
            yield ctx.unpriced(f"Application gateway ({tier})", f"SKU name {name!r} is not a {tier} v1 size",
                               spec.path("name"))
            return
        yield from _app_gateway_v1(spec, ctx, tier, size)
        return
    short = V2_TIERS.get(tier.lower())
    if short is None:
        yield ctx.unpriced(f"Application gateway ({tier})", f"{tier} is not an Application Gateway tier", at)
        return
    yield ctx.hourly(f"application_gateway:{short}", f"Application gateway ({tier}, fixed)", at)
    yield from _v2_capacity_units(spec, ctx, f"application_gateway:{short}:capacity_unit")


# understanding-pricing.md (MicrosoftDocs/azure-docs@08de399, articles/application-gateway): "The manually set scale
# for instance count and the minimum instance count in autoscale config will reserve 10 capacity units/instance.
# These reserved CUs will be billed as long as the Application Gateway is active regardless of the actual resource
# consumption."
RESERVED_CU_PER_INSTANCE = Decimal(10)


def _v2_capacity_units(spec: Spec, ctx: PriceContext, item: str) -> Iterator[Component]:
    """Capacity units: the usage file's CU-hours (never fewer than the reserved ones), else the reserved ones of a
    manual instance count (``sku.capacity``) or an autoscale minimum, else listed as usage-based."""
    manual = _count(spec.raw("capacity"), "capacity")
    floor = _count(spec.raw("min_capacity"), "min_capacity") if manual is None else manual
    ctx.used_usage_keys.add("monthly_capacity_unit_hours")
    used = ctx.usage.get("monthly_capacity_unit_hours")
    if is_unknown(floor):
        yield ctx.unpriced("Application gateway capacity units", f"the instance count is not known: {why(floor)}",
                           spec.path("capacity"))
        return
    reserved = (floor or Decimal(0)) * RESERVED_CU_PER_INSTANCE * HOURS_PER_MONTH
    if used is not None:
        yield ctx.charge(item, "Application gateway capacity units", max(used, reserved) * ctx.count, "CU-hour")
    elif reserved > 0:
        what = "instance count" if manual is not None else "autoscale minimum"
        yield ctx.charge(item, f"Application gateway capacity units reserved ({floor} instance(s) x 10 CU, the {what}; "
                         "more as traffic needs: monthly_capacity_unit_hours)", reserved * ctx.count, "CU-hour",
                         spec.path("capacity"))
    else:
        yield ctx.usage_based(item, "Application gateway capacity units", "CU-hour",
                              "depends on usage: set monthly_capacity_unit_hours in the usage file")


def _peering(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """Both ends pay: the data into and out of this peering's network, per GB. Intra-region peering has one price
    in every region (the price list's "Global" meters); a peering to a network in another region is global VNet
    peering, billed at the rates of the network's own region."""
    if not isinstance(ctx.region, str):
        where = why(ctx.region) if is_unknown(ctx.region) else "its resource group's location is not in the estimate"
        yield ctx.unpriced("VNet peering data", f"the peering's own region is not known ({where})")
        return
    remote = remote_network(spec, ctx)
    there = remote.region if remote is not None else None
    if not isinstance(there, str):
        yield ctx.unpriced("VNet peering data", "the remote network's region is not known (remote_virtual_network_id "
                           "names no virtual network of the estimate whose location is known): intra-region and "
                           "global peering have different rates", spec.path("remote_virtual_network_id"))
        return
    intra = there == ctx.region
    priced_in = replace_region(ctx, "global") if intra else ctx
    scope = "intra_region" if intra else "inter_region"
    what = "intra-region" if intra else f"global peering, {ctx.region} to {there}"
    for way in ("inbound", "outbound"):
        yield priced_in.usage_charge(f"vnet_peering:{scope}:{way}", f"VNet peering {way} data ({what})",
                                     f"monthly_{way}_data_gb", "GB")


# Virtual WAN pricing (learn.microsoft.com/azure/virtual-wan/pricing-concepts): "5 ER scale units would imply
# ... $0.42*5/hr. ER increments $0.25/hr from the 6th to 10th scale unit" - the catalog has the first rate only.
ER_FIRST_RATE_UNITS = Decimal(5)


def _express_route_gateway(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    units = _count(spec.raw("scale_units"), "scale_units")
    at = spec.path("scale_units")
    if units is None or is_unknown(units):
        yield ctx.unpriced("ExpressRoute gateway scale units", "scale_units is not set" if units is None
                           else f"scale_units is not known: {why(units)}", at)
        return
    first = min(units, ER_FIRST_RATE_UNITS)
    yield _explained(ctx.charge("express_route_gateway:scale_unit", f"ExpressRoute gateway scale units ({first} x 2 "
                                "Gbps)", first * ctx.count, "scale unit-month", at), VWAN_GAP)
    if units > ER_FIRST_RATE_UNITS:
        yield ctx.unpriced(f"ExpressRoute gateway scale units 6 to {units}", "scale units beyond the 5th have "
                           "their own rate, not in the catalog", at)


def _vpn_gateway(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    units = _count(spec.raw("scale_unit"), "scale_unit")
    units = Decimal(1) if units is None else units  # the provider's default
    at = spec.path("scale_unit")
    if is_unknown(units):
        yield ctx.unpriced("VPN gateway scale units", f"scale_unit is not known: {why(units)}", at)
        return
    yield _explained(ctx.charge("vwan_vpn_gateway:scale_unit", f"Site-to-site VPN gateway scale units ({units} x 500 "
                                "Mbps)", units * ctx.count, "scale unit-month", at), VWAN_GAP)


def _virtual_hub(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """(Moved from cloud_pricers.py to say why a region has no price.)"""
    sku = spec.text("sku")
    sku = "Basic" if sku is None else sku  # infracost virtual_hub.go and its test: no sku is the free Basic hub
    if is_unknown(sku):
        yield ctx.unpriced("Virtual hub", f"SKU is not known: {why(sku)}", spec.path("sku"))
    elif sku.lower() == "standard":
        yield _explained(ctx.hourly("virtual_hub", "Virtual hub deployment (Standard)", spec.path("sku")), VWAN_GAP)
    # a Basic hub has no charge of its own (virtual_hub_test free_virtual_hub_by_default / _by_specification)


def _routing_intent(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    # Virtual WAN pricing (learn.microsoft.com/azure/virtual-wan/pricing-concepts) prices hubs, scale units,
    # connection units and data; no page or price list reached says whether routing intent has a charge of its own
    yield ctx.unpriced("Routing intent", "no pricing page or price list reached offline says whether Virtual WAN "
                       "routing intent has a charge of its own (not guessed); the hub and its firewall are priced "
                       "on their own resources")


FIREWALL_POLICY_PRICING = (
    "Firewall Manager bills a policy by its firewall associations (\"Pricing: Billed based on firewall association\", "
    "learn.microsoft.com/azure/firewall-manager/policy-overview): \"A firewall policy associated with a single "
    "firewall has no charge\" (MicrosoftDocs/azure-docs articles/firewall/premium-features.md, Premium preview "
    "text of 2021); one used by several firewalls is billed per policy and region at the Firewall Manager pricing "
    "page's rate, not reached offline. iacgov does not count the firewalls that use a policy (some may be outside "
    "the estimate), so the charge is not known")


def _firewall_policy(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    # the charge depends on how many firewalls use the policy, which the policy itself does not say
    yield ctx.unpriced("Firewall policy (billed by firewall association)", FIREWALL_POLICY_PRICING)


def _network_watcher(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.usage_charge("network_watcher:diagnostic_checks", "Network diagnostic checks (over 1,000 a month)",
                           "monthly_diagnostic_checks", "check")


def _flow_log(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.usage_charge("network_watcher:flow_logs_collected", "Network flow logs collected (over 5 GB a month)",
                           "monthly_logs_collected_gb", "GB")
    analytics = blocks(spec.raw("traffic_analytics"))
    settings = analytics[0] if len(analytics) == 1 and isinstance(analytics[0], Mapping) else None
    if settings is None or as_flag(settings.get("enabled")) is False:
        return
    interval = as_number(settings.get("interval_in_minutes"))
    interval = Decimal(60) if interval is None else interval  # the provider's default
    if is_unknown(interval) or interval not in (10, 60):
        yield ctx.unpriced("Traffic Analytics data processed", "interval_in_minutes is not 10 or 60",
                           "traffic_analytics.interval_in_minutes")
        return
    yield ctx.usage_charge(f"network_watcher:traffic_analytics:{interval}",
                           f"Traffic Analytics data processed ({interval} min interval)",
                           "monthly_traffic_analytics_gb", "GB")


# --------------------------------------------------------------------------- databases


def _postgresql_flexible(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    sku = spec.text("sku_name")
    at = spec.path("sku_name")
    if sku is None or is_unknown(sku):
        yield ctx.unpriced("Compute", "SKU is not set" if sku is None else f"SKU is not known: {why(sku)}", at)
    else:
        yield ctx.hourly(f"postgresql_flexible:{sku}", f"Compute ({sku})", at)
        if blocks(spec.raw("high_availability")):
            yield ctx.unpriced(f"Standby compute ({sku})", "the high-availability standby is not priced",
                               spec.path("high_availability"))
    storage = spec.number("storage_mb")
    storage = Decimal(32768) if storage is None else storage  # the provider's default
    if is_unknown(storage):
        yield ctx.unpriced("Storage", f"storage_mb is not known: {why(storage)}", spec.path("storage_mb"))
    else:
        yield ctx.charge("postgresql_flexible:storage", f"Storage ({storage / 1024:g} GB)",
                         storage / Decimal(1024) * ctx.count, "GB-month", spec.path("storage_mb"))
    yield ctx.usage_charge("postgresql_flexible:backup", "Additional backup storage", "backup_storage_gb", "GB-month")


# --------------------------------------------------------------------------- caches, queues and streams


def _redis_cache(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    tier, family, capacity = spec.text("sku_name"), spec.text("family"), _count(spec.raw("capacity"), "capacity")
    at = spec.path("sku_name")
    if any(v is None or is_unknown(v) for v in (tier, family, capacity)):
        yield ctx.unpriced("Cache", "SKU, family or capacity is not known", at)
        return
    if tier.lower() == "premium":
        shards = _count(spec.raw("shard_count"), "shard_count")
        replicas = _count(spec.raw("replicas_per_primary"), "replicas_per_primary")
        if replicas is None:
            replicas = _count(spec.raw("replicas_per_master"), "replicas_per_master")
        if is_unknown(shards) or is_unknown(replicas):
            yield ctx.unpriced("Cache", "shard count or replicas are not known", spec.path("shard_count"))
            return
        # each shard is a primary and its replicas (one unless set); no shards is one (infracost's redis_cache_test)
        nodes = max(shards or Decimal(1), Decimal(1)) * (1 + (Decimal(1) if replicas is None else replicas))
    else:
        nodes = Decimal(2) if tier.lower() == "standard" else Decimal(1)  # Standard is a primary and a replica
    name = f"{tier}_{family}{capacity}"
    yield ctx.charge(f"redis:{name}", f"Cache ({name}, {nodes} nodes)", nodes * ctx.count, "node-month", at)


def _servicebus(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    tier = spec.text("sku")
    at = spec.path("sku")
    if tier is None or is_unknown(tier):
        yield ctx.unpriced("Service Bus namespace", "SKU is not known", at)
    elif tier.lower() == "basic":
        yield ctx.usage_charge("servicebus:basic_operations", "Messaging operations", "monthly_messaging_operations",
                               "1M requests", per=Decimal(1_000_000))
    elif tier.lower() == "standard":
        yield ctx.hourly("servicebus:standard_base", "Service Bus Standard base charge", at)
        yield ctx.usage_based("servicebus:standard_operations", "Messaging operations (over 13M, tiered)",
                              "1M requests", "depends on usage: tiered prices are not in the catalog")
    else:
        units = _count(spec.raw("capacity"), "capacity")
        units = Decimal(1) if units is None or units == 0 else units
        if is_unknown(units):
            yield ctx.unpriced("Messaging units", f"capacity is not known: {why(units)}", spec.path("capacity"))
            return
        yield ctx.charge("servicebus:premium_messaging_unit", f"Messaging units ({units})", units * ctx.count,
                         "unit-month", spec.path("capacity"))


EVENTHUB_UNITS = {"basic": ("eventhub:basic_throughput_unit", "throughput units"),
                  "standard": ("eventhub:standard_throughput_unit", "throughput units"),
                  "premium": ("eventhub:premium_processing_unit", "processing units")}


def _eventhub(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    tier = spec.text("sku")
    units = _count(spec.raw("capacity"), "capacity")
    units = Decimal(1) if units is None else units  # the provider's default capacity
    at = spec.path("sku")
    if tier is None or is_unknown(tier) or is_unknown(units) or tier.lower() not in EVENTHUB_UNITS:
        yield ctx.unpriced("Event Hubs capacity", "SKU or capacity is not known", at)
        return
    if spec.raw("dedicated_cluster_id") is not None:
        return  # a namespace in a dedicated cluster is billed on the cluster (azurerm_eventhub_cluster)
    item, what = EVENTHUB_UNITS[tier.lower()]
    yield ctx.charge(item, f"Event Hubs {tier} capacity ({units} {what})", units * ctx.count, "unit-month",
                     spec.path("capacity"))
    if tier.lower() != "premium":
        yield ctx.usage_charge(f"eventhub:{tier.lower()}_ingress", "Ingress events", "monthly_ingress_events",
                               "1M requests", per=Decimal(1_000_000))


# --------------------------------------------------------------------------- management and security


def _automation_account(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    # the figure is the billable minutes: "500 minutes of process automation and 744 hours of watchers are free
    # each month" (github.com/OfficeDev/microsoft-teams-apps-requestateam/wiki/Cost-Estimates, quoting the
    # Azure Automation pricing page); infracost's golden charges from the first minute ($0.002 each)
    yield ctx.usage_charge("automation:job_minutes", "Runbook job run time (beyond the 500 free minutes)",
                           "monthly_job_run_minutes", "minute")


# resource_type -> (catalog item, label, unit of the protected resource)
DEFENDER_PLANS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "appservices": (("app_services", "Defender for App Service (per node)"),),
    "storageaccounts": (("storage_accounts", "Defender for Storage (per storage account)"),),
    "arm": (("arm", "Defender for Resource Manager (per subscription)"),),
    "keyvaults": (("key_vaults", "Defender for Key Vault (per key vault)"),),
    "containers": (("containers", "Defender for Containers (per vCore)"),),
    "sqlservervirtualmachines": (("sql_server_vms", "Defender for SQL on machines (per instance)"),),
    "sqlservers": (("sql_servers", "Defender for SQL (per vCore)"),),
    "opensourcerelationaldatabases": (("oss_databases", "Defender for open-source databases (per instance)"),),
    "containerregistry": (("container_registry", "Defender for container registries (per image)"),),
    "kubernetesservice": (("kubernetes_service", "Defender for Kubernetes (per core)"),),
    "cosmosdbs": (("cosmosdbs", "Defender for Cosmos DB (per 100 RU/s)"),),
    "dns": (("dns", "Defender for DNS (per 1M queries)"),),
}


def _defender(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    tier = spec.text("tier")
    at = spec.path("tier")
    if tier is None or is_unknown(tier):
        yield ctx.unpriced("Defender plan", "tier is not set" if tier is None else f"tier is not known: {why(tier)}", at)
        return
    if tier.lower() == "free":
        return  # the Free tier (foundational CSPM) has no charge: infracost's rule prices Standard only
    plan = spec.text("resource_type")
    plan = "VirtualMachines" if plan is None else plan  # the provider's default
    if is_unknown(plan):
        yield ctx.unpriced("Defender plan", f"resource_type is not known: {why(plan)}", spec.path("resource_type"))
        return
    global_ctx = replace_region(ctx, "global")  # Defender plans have one price list (infracost's "Global")
    if plan.lower() == "virtualmachines":
        sub = spec.text("subplan")
        sub = "P2" if sub is None else sub  # Defender for Servers defaults to plan 2
        if is_unknown(sub) or sub.upper() not in ("P1", "P2"):
            yield ctx.unpriced("Defender for Servers", "subplan is not known", spec.path("subplan"))
            return
        items: tuple[tuple[str, str], ...] = ((f"servers_{sub.lower()}", f"Defender for Servers plan {sub[-1]} (per server)"),)
    elif plan.lower() in DEFENDER_PLANS:
        items = DEFENDER_PLANS[plan.lower()]
    else:
        yield ctx.unpriced(f"Defender for {plan}", f"the {plan} plan's price is not in the catalog",
                           spec.path("resource_type"))
        return
    for item, label in items:
        yield global_ctx.usage_charge(f"defender:{item}", label, "protected_units", "month")


def referenced_region(spec: Spec, ctx: PriceContext, name: str, kind: str | None) -> str | None:
    """The region of the resource that ``name`` refers to (``azurerm_key_vault.this.id``; of type ``kind`` unless
    None), when the estimate holds it in the same module and its region is known; else None."""
    raw = spec.raw(name)
    ref = raw.ref if is_unknown(raw) else None
    if not ref or ctx.resolve is None:
        return None
    parts = ref.split(".")
    base = ".".join(parts[:-1]) if len(parts) > 2 else ref  # drop the attribute read (".id")
    target = ctx.resolve(base)
    if target is None or (kind is not None and target.type != kind) or not isinstance(target.region, str):
        return None
    return target.region


# --------------------------------------------------------------------------- Azure Monitor (azurerm)

# A diagnostic setting is charged "Platform logs processed" only when it sends to a storage account, an event hub or
# a partner solution (infracost internal/resources/azure/monitor_diagnostic_setting.go BuildResource); logs sent to a
# Log Analytics workspace are that workspace's ingestion ("Several features in Azure Monitor don't have a direct cost
# but add to the workspace data that's collected", learn.microsoft.com/azure/azure-monitor/logs/cost-logs).
PLATFORM_LOG_SINKS = ("storage_account_id", "eventhub_authorization_rule_id", "partner_solution_id")


def _diagnostic_setting(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    sinks = [spec.raw(name) for name in PLATFORM_LOG_SINKS]
    if all(value is None or value == "" for value in sinks):
        return  # a workspace only (or no destination): no charge of its own
    if ctx.region is None:  # a setting has no location: its logs are processed where the monitored resource is
        where = referenced_region(spec, ctx, "target_resource_id", None)
        ctx = ctx if where is None else replace_region(ctx, where)
    yield ctx.usage_charge("monitor:platform_logs_processed", "Platform logs processed (to a storage account, event "
                           "hub or partner solution)", "monthly_platform_logs_gb", "GB")


def _data_collection_rule(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    # metrics ingestion is billed for samples sent to Azure Monitor Metrics (the azure_monitor_metrics destination);
    # what the rule sends to a workspace is the workspace's ingestion (cost-logs, as above)
    destinations = blocks(spec.raw("destinations"))
    known = bool(destinations) and all(isinstance(d, Mapping) for d in destinations)
    if known and not any(d.get("azure_monitor_metrics") not in (None, []) for d in destinations):
        return
    yield ctx.usage_charge("monitor:metrics_ingestion", "Metrics ingestion (Azure Monitor Metrics destination)",
                           "monthly_metrics_samples_10m", "10M samples")


def _key_vault_key(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    if ctx.region is None:  # a key has no location: it is billed where its key vault is
        vault = referenced_region(spec, ctx, "key_vault_id", "azurerm_key_vault")
        ctx = ctx if vault is None else replace_region(ctx, vault)
    key_type = spec.text("key_type")
    size = spec.number("key_size")
    at = spec.path("key_type")
    if key_type is None or is_unknown(key_type) or is_unknown(size):
        yield ctx.unpriced("Key Vault key", "key type or size is not known", at)
        return
    hsm = key_type.upper().endswith("-HSM")
    rsa2048 = key_type.upper().startswith("RSA") and size == 2048
    if hsm and rsa2048:
        yield ctx.monthly_fixed("key_vault:hsm_key:rsa2048", "HSM-protected key (RSA 2048)", at)
    elif hsm:
        yield ctx.unpriced(f"HSM-protected key ({key_type})", "prices of HSM keys other than RSA 2048 are tiered by "
                           "key count and not in the catalog", at)
    operations = "rsa2048" if rsa2048 else "advanced"
    yield ctx.usage_charge(f"key_vault:software_key_operations:{operations}",
                           f"Key operations ({'RSA 2048' if rsa2048 else 'RSA 3072+/EC'})", "monthly_key_operations",
                           "10k requests", per=Decimal(10_000))
    if blocks(spec.raw("rotation_policy")):
        yield ctx.usage_charge("key_vault:key_rotation", "Automated key rotations", "monthly_key_rotations", "renewal")


def _log_analytics_solution(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    product = spec.text("product")
    if product is None or is_unknown(product):
        yield ctx.unpriced("Log Analytics solution", "plan product is not known", spec.path("product"))
    elif product.lower().endswith("/securityinsights"):
        yield ctx.usage_charge("sentinel_ingestion", "Microsoft Sentinel data analysis", "monthly_ingested_gb", "GB")
    # Any other solution has no meter of its own: "Several features in Azure Monitor don't have a direct cost but
    # add to the workspace data that's collected" and the ingestion depends on "the set of management solutions
    # enabled" (learn.microsoft.com/azure/azure-monitor/logs/cost-logs): it is billed on the workspace.


def _template_deployment(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    content = spec.raw("template_content")
    at = spec.path("template_content")
    if content is None or is_unknown(content) or not isinstance(content, str):
        yield ctx.unpriced("ARM template deployment", "template content is not known (what it deploys is not priced)", at)
        return
    try:
        template = json.loads(content)
    except ValueError as exc:
        yield ctx.unpriced("ARM template deployment", f"template content is not JSON ({exc.msg}, line {exc.lineno})", at)
        return
    resources = template.get("resources") if isinstance(template, dict) else None
    if resources == []:
        return  # an empty template creates nothing; the deployment record itself is not metered
    count = len(resources) if isinstance(resources, (list, dict)) else "its"
    yield ctx.unpriced("ARM template deployment", f"the {count} resources the template deploys are not priced", at)


# --------------------------------------------------------------------------- azapi_resource


@dataclass(frozen=True)
class ArmType:
    """What iacgov knows of an ARM resource type deployed through ``azapi_resource``."""

    kind: str  # the azurerm kind of the same resource (its free status and citation apply)
    usage: tuple[str, str, str, str] | None = None  # (catalog item, label, usage key, unit) when it has a meter
    # paths in ``body`` of the settings that bring the meter; when the body is known and sets none of them the
    # resource has no charge of its own (its data is billed where it goes). Empty: the meter always applies.
    metered_by: tuple[str, ...] = ()


# lower-cased ARM type (without @api-version) -> the azurerm kind; the usage line is the azurerm rule's
ARM_TYPES: Mapping[str, ArmType] = {
    # Metrics ingestion is billed for metric samples sent to Azure Monitor Metrics (infracost
    # monitor_data_collection_rule.go: meter "Metrics ingestion Metric samples"), i.e. a rule with an
    # azureMonitorMetrics destination; what a rule sends to a Log Analytics workspace is that workspace's ingestion
    # ("Several features in Azure Monitor don't have a direct cost but add to the workspace data that's collected",
    # learn.microsoft.com/azure/azure-monitor/logs/cost-logs)
    "microsoft.insights/datacollectionrules": ArmType("azurerm_monitor_data_collection_rule",
                                                      ("monitor:metrics_ingestion", "Metrics ingestion",
                                                       "monthly_metrics_samples_10m", "10M samples"),
                                                      ("properties.destinations.azureMonitorMetrics",)),
    # Platform logs processed is billed only for a setting that sends to an event hub, a partner solution or a
    # storage account (infracost internal/resources/azure/monitor_diagnostic_setting.go BuildResource); logs sent
    # to a Log Analytics workspace are billed as its ingestion (cost-logs, as above)
    "microsoft.insights/diagnosticsettings": ArmType("azurerm_monitor_diagnostic_setting",
                                                     ("monitor:platform_logs_processed", "Platform logs processed",
                                                      "monthly_platform_logs_gb", "GB"),
                                                     ("properties.storageAccountId",
                                                      "properties.eventHubAuthorizationRuleId",
                                                      "properties.marketplacePartnerId")),
    "microsoft.authorization/roleassignments": ArmType("azurerm_role_assignment"),
    "microsoft.authorization/roledefinitions": ArmType("azurerm_role_definition"),
    "microsoft.authorization/policyassignments": ArmType("azurerm_management_group_policy_assignment"),
    "microsoft.authorization/policydefinitions": ArmType("azurerm_policy_definition"),
    "microsoft.authorization/policysetdefinitions": ArmType("azurerm_policy_set_definition"),
    "microsoft.resources/resourcegroups": ArmType("azurerm_resource_group"),
    "microsoft.managedidentity/userassignedidentities": ArmType("azurerm_user_assigned_identity"),
    "microsoft.network/virtualnetworks": ArmType("azurerm_virtual_network"),
    "microsoft.network/networksecuritygroups": ArmType("azurerm_network_security_group"),
    "microsoft.network/routetables": ArmType("azurerm_route_table"),
}
ARM_TYPE = re.compile(r"^(?P<type>[A-Za-z0-9.]+/[A-Za-z0-9./]+)@[\w.-]+$")


def _sets_none(body: object, paths: tuple[str, ...]) -> bool:
    """True when ``body`` (a mapping, or its JSON text) is known and sets none of ``paths``; False when it sets one
    or when it, or a value on the way, is not known (the meter may then apply)."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return False
    if not isinstance(body, Mapping):
        return False
    for path in paths:
        value: object = body
        for step in path.split("."):
            if is_unknown(value):
                return False
            value = value.get(step) if isinstance(value, Mapping) else None
        if is_unknown(value) or value not in (None, "", [], {}):
            return False
    return True


def _azapi_resource(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    from iacgov.cost.cloud_pricers import free_source

    written = spec.text("type")
    at = spec.path("type")
    if written is None or is_unknown(written):
        yield ctx.unpriced("azapi_resource", "ARM type is not known" if written is None
                           else f"ARM type is not known: {why(written)}", at)
        return
    found = ARM_TYPE.match(written)
    arm = ARM_TYPES.get(found["type"].lower()) if found else None
    if found is None or arm is None:
        yield ctx.unpriced(f"azapi_resource ({written})", f"ARM type {written} is not in iacgov's table of ARM types", at)
        return
    if arm.usage is not None:
        if arm.metered_by and _sets_none(spec.raw("body"), arm.metered_by):
            return  # no charge of its own: its data is billed where it is sent (the table's citation)
        item, label, key, unit = arm.usage
        yield ctx.usage_charge(item, f"{label} ({found['type']})", key, unit)
    elif free_source(arm.kind) is None:  # the table names a kind the catalog does not hold free: a data error
        yield ctx.unpriced(f"azapi_resource ({written})", f"{arm.kind} is not known to be free", at)
    # else: free, as its azurerm kind is (platform catalog citation)


# --------------------------------------------------------------------------- the table

KINDS: tuple[CloudKind, ...] = (
    CloudKind("azurerm_windows_virtual_machine",
              ("azurerm_windows_virtual_machine", "azurerm_windows_virtual_machine_scale_set"), (), _windows_vm,
              _f(size="size", sku="sku", instances="instances", license_type="license_type"), size_field="size"),
    CloudKind("azurerm_kubernetes_cluster_node_pool", ("azurerm_kubernetes_cluster_node_pool",), (), _aks_node_pool,
              _f(vm_size="vm_size", node_count="node_count", min_count="min_count", os_type="os_type",
                 priority="priority"), size_field="vm_size"),
    CloudKind("azurerm_storage_account", ("azurerm_storage_account",), (), _storage_account,
              _f(account_tier="account_tier", account_replication_type="account_replication_type",
                 access_tier="access_tier", account_kind="account_kind", is_hns_enabled="is_hns_enabled"),
              ("storage_gb",)),
    CloudKind("azurerm_lb", ("azurerm_lb",), (), _load_balancer, _f(sku="sku"), ("monthly_data_processed_gb",)),
    CloudKind("azurerm_nat_gateway", ("azurerm_nat_gateway",), (), _nat_gateway, {}, ("monthly_data_processed_gb",)),
    CloudKind("azurerm_postgresql_flexible_server", ("azurerm_postgresql_flexible_server",), (), _postgresql_flexible,
              _f(sku_name="sku_name", storage_mb="storage_mb", high_availability="high_availability"),
              ("backup_storage_gb",), size_field="sku_name"),
    CloudKind("azurerm_redis_cache", ("azurerm_redis_cache",), (), _redis_cache,
              _f(sku_name="sku_name", family="family", capacity="capacity", shard_count="shard_count",
                 replicas_per_primary="replicas_per_primary", replicas_per_master="replicas_per_master"),
              size_field="sku_name"),
    CloudKind("azurerm_servicebus_namespace", ("azurerm_servicebus_namespace",), (), _servicebus,
              _f(sku="sku", capacity="capacity"), ("monthly_messaging_operations",), size_field="sku"),
    CloudKind("azurerm_eventhub_namespace", ("azurerm_eventhub_namespace",), (), _eventhub,
              _f(sku="sku", capacity="capacity", dedicated_cluster_id="dedicated_cluster_id"),
              ("monthly_ingress_events",), size_field="sku"),
    CloudKind("azurerm_application_gateway", ("azurerm_application_gateway",), (),
              _in_region(_application_gateway, ADB_GAP),
              _f(tier="sku.tier", name="sku.name", capacity="sku.capacity",
                 min_capacity="autoscale_configuration.min_capacity"),
              ("monthly_capacity_unit_hours", "monthly_data_processed_gb"), size_field="tier"),
    CloudKind("azurerm_firewall", ("azurerm_firewall",), (), _in_region(_firewall, ADB_GAP),
              _f(sku_tier="sku_tier", sku_name="sku_name", virtual_hub="virtual_hub"), ("monthly_data_processed_gb",),
              size_field="sku_tier"),
    CloudKind("azurerm_virtual_network_gateway", ("azurerm_virtual_network_gateway",), (),
              _in_region(_vnet_gateway, ADB_GAP), _f(type="type", sku="sku"), size_field="sku"),
    CloudKind("azurerm_virtual_hub", ("azurerm_virtual_hub",), (), _in_region(_virtual_hub), _f(sku="sku")),
    CloudKind("azurerm_virtual_hub_routing_intent", ("azurerm_virtual_hub_routing_intent",), (), _routing_intent, {}),
    CloudKind("azurerm_virtual_network_peering", ("azurerm_virtual_network_peering",), (), _peering,
              _f(remote_virtual_network_id="remote_virtual_network_id"),
              ("monthly_inbound_data_gb", "monthly_outbound_data_gb")),
    CloudKind("azurerm_express_route_gateway", ("azurerm_express_route_gateway",), (),
              _in_region(_express_route_gateway), _f(scale_units="scale_units")),
    CloudKind("azurerm_vpn_gateway", ("azurerm_vpn_gateway",), (), _in_region(_vpn_gateway), _f(scale_unit="scale_unit")),
    CloudKind("azurerm_firewall_policy", ("azurerm_firewall_policy",), (), _firewall_policy, {}),
    CloudKind("azurerm_network_watcher", ("azurerm_network_watcher",), (), _network_watcher, {},
              ("monthly_diagnostic_checks",)),
    CloudKind("azurerm_network_watcher_flow_log", ("azurerm_network_watcher_flow_log",), (), _flow_log,
              _f(traffic_analytics="traffic_analytics"), ("monthly_logs_collected_gb", "monthly_traffic_analytics_gb")),
    CloudKind("azurerm_automation_account", ("azurerm_automation_account",), (), _automation_account, {},
              ("monthly_job_run_minutes",)),
    CloudKind("azurerm_security_center_subscription_pricing", ("azurerm_security_center_subscription_pricing",), (),
              _defender, _f(tier="tier", resource_type="resource_type", subplan="subplan"), ("protected_units",)),
    CloudKind("azurerm_key_vault_key", ("azurerm_key_vault_key",), (), _key_vault_key,
              _f(key_type="key_type", key_size="key_size", rotation_policy="rotation_policy",
                 key_vault_id="key_vault_id"),
              ("monthly_key_operations", "monthly_key_rotations")),
    CloudKind("azurerm_log_analytics_solution", ("azurerm_log_analytics_solution",), (), _log_analytics_solution,
              _f(product="plan.product"), ("monthly_ingested_gb",)),
    CloudKind("azurerm_subscription_template_deployment",
              ("azurerm_subscription_template_deployment", "azurerm_resource_group_template_deployment",
               "azurerm_management_group_template_deployment", "azurerm_tenant_template_deployment"), (),
              _template_deployment, _f(template_content="template_content")),
    CloudKind("azurerm_monitor_diagnostic_setting", ("azurerm_monitor_diagnostic_setting",), (), _diagnostic_setting,
              _f(**{name: name for name in PLATFORM_LOG_SINKS}, target_resource_id="target_resource_id"),
              ("monthly_platform_logs_gb",)),
    CloudKind("azurerm_monitor_data_collection_rule", ("azurerm_monitor_data_collection_rule",), (),
              _data_collection_rule, _f(destinations="destinations"), ("monthly_metrics_samples_10m",)),
    CloudKind("azapi_resource", ("azapi_resource",), (), _azapi_resource, _f(type="type", body="body"),
              ("monthly_metrics_samples_10m", "monthly_platform_logs_gb")),
)
