"""Price rules for Google Cloud kinds added after :mod:`iacgov.cost.cloud_pricers` (same conventions).

Each rule reads its prices from the shipped catalog (``iacgov.cost.catalog.shipped_price``), so a region
its sources do not state stays unpriced, never estimated from another region. Some prices are the same in
every location by their pricing page (``gcp_cited.csv``, region ``global``): the GKE cluster management
fee, Cloud KMS software key versions and operations, Pub/Sub throughput; they are priced even where the
resource's region is not known.

Kubernetes objects (``kubernetes_*``) run on a cluster's nodes and are billed through them (the cluster's
node pools, or its Autopilot pod resources): they are free by themselves (platform catalog
``kubernetes/kubernetes.yaml``), except a Service of type LoadBalancer, which makes the cluster's cloud
provision a load balancer: that component is unpriced, with the reason, by :func:`_kubernetes_service`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from decimal import Decimal

from iacgov.cost.cloud_pricers import (CloudKind, Default, PriceFn, _cloud_sql, _count, _disk, _f, _gcs_bucket,
                                       _gke_cluster, _scaled, noted, replace_region)
from iacgov.cost.catalog import canonical_region
from iacgov.cost.model import Component
from iacgov.cost.spec import PriceContext, Spec, as_flag, as_text, why
from iacgov.model import Unknown, is_unknown
from iacgov.regions import catalog as region_catalog, suggest

ANY_LOCATION = "global"  # gcp_cited.csv rows of a price its page states once, for every location


def anywhere(ctx: PriceContext) -> PriceContext:
    """``ctx`` priced from the rows that hold in every location (whatever the resource's region)."""
    return replace_region(ctx, ANY_LOCATION)


# usage key -> the documented figure used when neither the code nor the usage file gives it
DEFAULTS: Mapping[str, Default] = {
    "blank_disk_gb": Default(Decimal(500), "a google_compute_disk without size, image or snapshot is an empty disk, "
                                           "and Compute Engine's disks.insert 'create[s] an empty 500 GB data disk by "
                                           "omitting all properties' (cloud.google.com/compute/docs/reference/rest/v1/"
                                           "disks/insert)"),
}


def from_default(ctx: PriceContext, key: str) -> tuple[Decimal, str | None]:
    """The usage file's ``key``, else its documented default and the note saying so."""
    ctx.used_usage_keys.add(key)
    if key in ctx.usage:
        return ctx.usage[key], None
    default = DEFAULTS[key]
    return default.value, f"default: {key} = {default.value} ({default.why}); set {key} in the usage file"


# --------------------------------------------------------------------------- GKE


FEE = "GKE cluster management fee"


def _gke(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """The flat fee "applies to all GKE clusters" (gcp_cited.csv): priced even when the location is a variable
    without a value; the nodes and Autopilot lines as :func:`cloud_pricers._gke_cluster` gives them."""
    yield anywhere(ctx).hourly("gke_cluster_management", FEE)
    yield from (c for c in _gke_cluster(spec, ctx) if c.item != FEE)


# Fleet features GKE includes "at no extra cost" ("Fleets, Teams, Config Management, Policy Controller, and Fleet
# dashboard", https://cloud.google.com/kubernetes-engine/pricing); team scopes' RBAC is rbacrolebindingactuation.
FREE_FLEET_FEATURES = frozenset({"configmanagement", "policycontroller", "rbacrolebindingactuation"})


def _gke_hub_feature(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    name = as_text(spec.raw("name"))
    if is_unknown(name) or name is None:
        yield ctx.unpriced("Fleet feature", "the feature's name is not known" + (f": {why(name)}" if name else ""),
                           spec.path("name"))
    elif name.lower() not in FREE_FLEET_FEATURES:
        yield ctx.unpriced(f"Fleet feature {name}", f"{name} is not among the fleet features GKE includes at no extra "
                           "cost, and its price is not in the catalog", spec.path("name"))


# --------------------------------------------------------------------------- Cloud KMS


# protection level -> (catalog item, the algorithms that price; None: every algorithm)
KMS_LEVELS: Mapping[str, tuple[str, frozenset[str] | None]] = {
    "SOFTWARE": ("kms_key_version", None),
    "HSM": ("kms_key_version_hsm", frozenset({"GOOGLE_SYMMETRIC_ENCRYPTION", "RSA_SIGN_PSS_2048_SHA256",
                                              "RSA_SIGN_PKCS1_2048_SHA256", "RSA_DECRYPT_OAEP_2048_SHA256",
                                              "RSA_DECRYPT_OAEP_2048_SHA1", "HMAC_SHA256", "HMAC_SHA1",
                                              "HMAC_SHA384", "HMAC_SHA512", "HMAC_SHA224"})),
    "EXTERNAL": ("kms_key_version_external", None),
    "EXTERNAL_VPC": ("kms_key_version_external", None),
}


def _kms_crypto_key(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """One active key version (the one a key is created with), priced from the KMS page's single price table."""
    level = as_text(spec.raw("protection_level"))
    level = "SOFTWARE" if level is None else level  # the provider's default version_template protection level
    algorithm = as_text(spec.raw("algorithm"))
    algorithm = "GOOGLE_SYMMETRIC_ENCRYPTION" if algorithm is None else algorithm  # ENCRYPT_DECRYPT's default
    skipped = as_flag(spec.raw("skip_initial_version_creation"))
    at = spec.path("protection_level")
    known = None if is_unknown(level) else KMS_LEVELS.get(level.upper())
    if is_unknown(level):
        yield ctx.unpriced("Cloud KMS active key version", f"protection level is not known: {why(level)}", at)
    elif known is None:
        yield ctx.unpriced(f"Cloud KMS active key version ({level})", f"{level} is not a protection level the "
                           "catalog prices", at)
    elif is_unknown(algorithm) and known[1] is not None:
        yield ctx.unpriced(f"Cloud KMS active key version ({level})", f"algorithm is not known: {why(algorithm)}", at)
    elif known[1] is not None and algorithm.upper() not in known[1]:
        yield ctx.unpriced(f"Cloud KMS active key version ({level}, {algorithm})", f"{level} {algorithm} key "
                           "versions are priced in tiers (per number of versions) the catalog does not hold", at)
    elif skipped is not True:  # a key created without a version has no active version to bill
        yield anywhere(ctx).monthly_fixed(known[0], f"Cloud KMS active key version ({level.lower()})", at)
    yield anywhere(ctx).usage_charge("kms_operations", "Cloud KMS operations", "monthly_requests", "10k requests",
                                     per=Decimal(10_000))


# --------------------------------------------------------------------------- Pub/Sub


def _pubsub_topic(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """Throughput, "$40 per TiB in all Google Cloud regions"; the usage file gives GiB a month (1024 GiB a TiB)."""
    yield anywhere(ctx).usage_charge("pubsub_throughput", "Pub/Sub message throughput", "monthly_data_gb", "TiB",
                                     per=Decimal(1024))


# --------------------------------------------------------------------------- persistent disks


def _compute_disk(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """A zonal or regional persistent disk; an empty zonal disk without size is the API's 500 GB default."""
    sources = [name for name in ("image", "snapshot", "source_disk") if spec.raw(name) is not None]
    regional = spec.type == "google_compute_region_disk"
    size, note = spec.raw("size"), None
    if size is None and not sources and not regional:
        size, note = from_default(ctx, "blank_disk_gb")
    no_size = (f"size is not set (it comes from its {sources[0].replace('_', ' ')}, which iacgov does not read)"
               if sources else "size is not set")
    for component in _disk(ctx, "Persistent disk", spec.raw("type"), size, spec.path("size"), no_size, regional):
        yield noted(component, note, "blank_disk_gb")


# --------------------------------------------------------------------------- BigQuery


def _bigquery_dataset(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """On-demand queries (per TB scanned) in the dataset's location, US when not set (the provider's default);
    its tables' storage is billed on ``google_bigquery_table``."""
    location = as_text(spec.raw("location"))
    location = "US" if location is None else location
    if is_unknown(location):
        yield ctx.unpriced("Queries (on-demand)", f"location is not known: {why(location)}", spec.path("location"))
        return
    yield replace_region(ctx, location.lower()).usage_charge(
        "bigquery_queries_on_demand", f"Queries (on-demand, {location})", "monthly_queries_tb", "TB")


# --------------------------------------------------------------------------- Cloud Storage


GCS_LOCATIONS_PAGE = "https://cloud.google.com/storage/docs/locations"


def not_a_storage_location(spec: Spec, ctx: PriceContext) -> str | None:
    """Why the bucket's location is no Cloud Storage location (None: it is one, or it is not known).

    A bucket lives in a region, a dual-region or a multi-region (GCS_LOCATIONS_PAGE); iacgov's catalog of Google
    Cloud locations (data/regions/gcp.json, which cites that page) lists them, and a region-shaped location with a
    Cloud Storage price in the catalog is one too. A zone or a typo (terragoat writes "us-central1c") must say so,
    not that the catalog lacks a price there."""
    if not isinstance(ctx.region, str):
        return None
    known = region_catalog("gcp")
    if ctx.region in known.accepted:
        return None
    # the catalog reads a zone as its region; a bucket is never in a zone, so only a region-shaped name may be
    # taken as a location for its price
    if canonical_region("gcp", ctx.region) == ctx.region and ctx.catalog.price("gcp", ctx.region,
                                                                               "gcs:STANDARD") is not None:
        return None
    written = spec.resource.attributes.get("location")
    shown = written if isinstance(written, str) else ctx.region
    close = suggest(ctx.region, known.preferred)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (f"location {shown!r} is not a Cloud Storage location: a bucket is in a region, a dual-region or a "
            f"multi-region ({GCS_LOCATIONS_PAGE}; iacgov's catalog of Google Cloud locations, compiled "
            f"{known.compiled}){hint}")


def _storage_bucket(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """Storage by GB-month in the bucket's location (:func:`cloud_pricers._gcs_bucket`), once the location is one."""
    problem = not_a_storage_location(spec, ctx)
    if problem is not None:
        yield ctx.unpriced("Cloud Storage", problem, "location")
        return
    yield from _gcs_bucket(spec, ctx)


# --------------------------------------------------------------------------- Cloud SQL


# Shared-core tiers are billed per instance-hour, not by vCPU and memory: gcp_cited.csv holds their month (730
# hours) from infracost's sql_database_instance golden, in us-central1 only (scripts/build_gcp_prices.py).
SHARED_CORE = frozenset({"db-f1-micro", "db-g1-small"})
SHARED_CORE_GAP = "the catalog's shared-core prices are infracost's us-central1 goldens only"


def _sql_instance(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """:func:`cloud_pricers._cloud_sql`, with a shared-core tier priced per instance-month where a row states it."""
    tier = spec.text("tier")
    availability = spec.text("availability_type")
    mode = "zonal" if availability is None else availability.lower() if isinstance(availability, str) else None
    for component in _cloud_sql(spec, ctx):
        if (isinstance(tier, str) and tier in SHARED_CORE and mode in ("zonal", "regional")
                and component.item == f"Cloud SQL instance ({tier})"
                and (component.reason or "").startswith("only db-custom")):
            priced = ctx.monthly_fixed(f"cloudsql:shared:{tier}:{mode}", f"Cloud SQL instance ({tier}, shared core, "
                                       f"{mode})", spec.path("tier"))
            if priced.reason and priced.reason.startswith("no price for "):
                priced = replace(priced, reason=f"{priced.reason}: {SHARED_CORE_GAP}")
            yield priced
        else:
            yield component


# --------------------------------------------------------------------------- Kubernetes


def _kubernetes_service(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """Free unless of type LoadBalancer, whose load balancer the cluster's cloud provisions and bills."""
    kind = as_text(spec.raw("type"))
    if is_unknown(kind):
        yield ctx.unpriced("Service", f"service type is not known (a LoadBalancer Service provisions a cloud load "
                           f"balancer): {why(kind)}", spec.path("type"))
    elif kind == "LoadBalancer":
        yield ctx.unpriced("Cloud load balancer (Service type LoadBalancer)",
                           "the cluster's cloud provisions and bills a load balancer for it, in the cluster's cloud "
                           "and region, which the Service does not name", spec.path("type"))
    # ClusterIP / NodePort / ExternalName (ClusterIP is the default): no charge of its own


# --------------------------------------------------------------------------- sole-tenant nodes


NODE_TEMPLATE_REF = re.compile(r"^(?P<address>google_compute_node_template\.[\w-]+(\[[^\]]*\])?)\.(id|self_link|name)$")


def _node_type(spec: Spec, ctx: PriceContext) -> str | Unknown:
    """The node type of the node template the group names, when that template is a resource of this module."""
    template = spec.raw("node_template")
    ref = template.ref if is_unknown(template) else None
    found = NODE_TEMPLATE_REF.match(ref or "")
    target = ctx.resolve(found["address"]) if found and ctx.resolve is not None else None
    if target is None:
        return Unknown("its node template is not a resource of this module (or not known), so its node type is not "
                       "read" if template is not None else "no node template is set")
    if target.attributes.get("node_type_flexibility") is not None:
        return Unknown(f"{found['address']} sets node_type_flexibility, not a node type")
    node_type = as_text(target.attributes.get("node_type"))
    return Unknown(f"{found['address']} sets no node type") if node_type is None else node_type


def _node_group(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """Each node billed for all its vCPUs and memory plus the 10% sole-tenancy premium (``gcp_soletenant.csv``);
    the VMs placed on it "run for no additional cost" (the sole-tenant pricing page)."""
    nodes = _count(spec.raw("initial_size"), "initial_size")
    if nodes is None:
        nodes = _count(spec.raw("min_nodes"), "autoscaling_policy.min_nodes")
    node_type = _node_type(spec, ctx)
    at = spec.path("initial_size")
    if is_unknown(node_type):
        yield ctx.unpriced("Sole-tenant nodes", f"node type is not known: {why(node_type)}", spec.path("node_template"))
    elif nodes is None or is_unknown(nodes):
        yield ctx.unpriced(f"Sole-tenant nodes ({node_type})", "initial_size and autoscaling_policy.min_nodes are not "
                           "set" if nodes is None else f"node count is not known: {why(nodes)}", at)
    else:
        yield _scaled(ctx, nodes).hourly(f"sole_tenant_node:{node_type}", f"Sole-tenant nodes ({node_type}, {nodes} "
                                         "node(s), on-demand with the 10% sole-tenancy premium)", at)


# --------------------------------------------------------------------------- Network Connectivity Center


# linked_* block -> (catalog item, what it is); spoke hours are one price in every location (gcp_network_cited.csv)
NCC_SPOKES: Mapping[str, tuple[str | None, str]] = {
    "linked_vpc_network": ("ncc_spoke:vpc", "VPC spoke"),
    "linked_producer_vpc_network": ("ncc_spoke:vpc", "producer VPC spoke"),
    "linked_router_appliance_instances": ("ncc_spoke:router_appliance", "Router appliance spoke"),
    "linked_vpn_tunnels": (None, "VPN spoke"),
    "linked_interconnect_attachments": (None, "Cloud Interconnect spoke"),
}


def _ncc_spoke(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """Spoke hours by spoke type; VPC spokes also pay Advanced Data Networking on the traffic they send."""
    linked = [name for name in NCC_SPOKES if spec.resource.attributes.get(name) is not None]
    unknown = next((spec.resource.attributes[name] for name in linked if is_unknown(spec.resource.attributes[name])),
                   None)
    if unknown is not None:
        yield ctx.unpriced("Spoke hours", f"the spoke's type is not known: {why(unknown)}")
    elif len(linked) != 1:
        yield ctx.unpriced("Spoke hours", "the spoke's type is not known: no linked_* block" if not linked
                           else f"the spoke names several resource types ({', '.join(linked)})")
    if unknown is not None or len(linked) != 1:
        return
    item, label = NCC_SPOKES[linked[0]]
    if item is None:
        yield ctx.unpriced(f"Spoke hours ({label})", "'Spoke hour charges are waived for up to three VPN spokes and "
                           "three Cloud Interconnect spokes' (Network Connectivity Center pricing): whether this one is "
                           "charged depends on the other spokes, which the resource does not say", linked[0])
        return
    yield anywhere(ctx).hourly(item, f"Spoke hours ({label})", linked[0])
    if item == "ncc_spoke:vpc":
        yield anywhere(ctx).usage_charge("ncc_data_processing", "Advanced Data Networking (traffic sent through the "
                                         "hub)", "monthly_data_processed_gb", "GiB")


# --------------------------------------------------------------------------- named gaps


def _not_in_catalog(item: str, reason: str) -> PriceFn:
    """A kind with a charge (or none) no offline source states: unpriced with why, rather than 'no price rule'."""
    def price(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
        yield ctx.unpriced(item, reason)
    return price


def no_page(page: str) -> str:
    """The reason of a kind whose pricing page (named) no offline copy holds."""
    return (f"no copy of {page} or price list reached offline says whether it has a charge of its own "
            "(not guessed)")


# Searched for (2026-12-07) in the tool library's docs, pages and code corpora and in public repositories: none holds
# these pages' text (third-party summaries disagree, so they are not cited).
BINAUTHZ_PAGE = "Binary Authorization's pricing page (https://cloud.google.com/binary-authorization/pricing)"
TAGS_PAGE = "Resource Manager's pricing page (https://cloud.google.com/resource-manager/pricing)"
GAPS: tuple[tuple[str, str, str], ...] = (
    ("google_compute_network_attachment", "Private Service Connect network attachment", "'Pricing for network "
     "attachments is described on the VPC pricing page' (docs.cloud.google.com/vpc/docs/about-network-attachments), "
     "in its section 'Using a Private Service Connect interface for access to a producer or consumer VPC network' "
     "(https://cloud.google.com/vpc/network-pricing), and no copy of that section or price list was reached offline "
     "(not guessed)"),
    ("google_binary_authorization_attestor", "Binary Authorization attestor", no_page(BINAUTHZ_PAGE)),
    ("google_tags_tag_key", "Resource Manager tag key", no_page(TAGS_PAGE)),
    ("google_tags_tag_value", "Resource Manager tag value", no_page(TAGS_PAGE)),
)


KINDS: tuple[CloudKind, ...] = (
    CloudKind("google_container_cluster", ("google_container_cluster",), (), _gke,
              _f(enable_autopilot="enable_autopilot", remove_default_node_pool="remove_default_node_pool",
                 node_pool="node_pool")),
    CloudKind("google_gke_hub_feature", ("google_gke_hub_feature",), (), _gke_hub_feature, _f(name="name")),
    CloudKind("google_kms_crypto_key", ("google_kms_crypto_key",), (), _kms_crypto_key,
              _f(protection_level="version_template.protection_level", algorithm="version_template.algorithm",
                 skip_initial_version_creation="skip_initial_version_creation"), ("monthly_requests",)),
    CloudKind("google_pubsub_topic", ("google_pubsub_topic",), (), _pubsub_topic, {}, ("monthly_data_gb",)),
    CloudKind("google_sql_database_instance", ("google_sql_database_instance",), (), _sql_instance,
              _f(tier="settings.tier", availability_type="settings.availability_type", edition="settings.edition",
                 disk_type="settings.disk_type", disk_size="settings.disk_size", database_version="database_version"),
              ("backup_storage_gb",), size_field="tier"),
    CloudKind("google_storage_bucket", ("google_storage_bucket",), (), _storage_bucket,
              _f(storage_class="storage_class"), ("storage_gb",)),
    CloudKind("google_compute_disk", ("google_compute_disk", "google_compute_region_disk"), (), _compute_disk,
              _f(type="type", size="size", image="image", snapshot="snapshot", source_disk="source_disk"),
              ("blank_disk_gb",), size_field="type"),
    CloudKind("google_bigquery_dataset", ("google_bigquery_dataset",), (), _bigquery_dataset,
              _f(location="location"), ("monthly_queries_tb",)),
    CloudKind("kubernetes_service", ("kubernetes_service", "kubernetes_service_v1"), (), _kubernetes_service,
              _f(type="spec.type")),
    CloudKind("google_compute_node_group", ("google_compute_node_group",), (), _node_group,
              _f(initial_size="initial_size", min_nodes="autoscaling_policy.min_nodes", node_template="node_template")),
    CloudKind("google_network_connectivity_spoke", ("google_network_connectivity_spoke",), (), _ncc_spoke, {},
              ("monthly_data_processed_gb",)),
    *(CloudKind(kind, (kind,), (), _not_in_catalog(item, reason), {}) for kind, item, reason in GAPS),
)
