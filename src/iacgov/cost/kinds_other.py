"""Price rules for Alibaba Cloud (``alicloud_*``) and Oracle Cloud (``oci_*``) kinds (same conventions as
:mod:`iacgov.cost.pricers`).

Oracle publishes one price list for every region ("All the OCI region have same pricing",
docs.oracle.com/en/cloud/paas/ociov/oci_governance.html; its price list API has no region dimension):
``oci_pricelist.csv`` (``scripts/build_oci_prices.py``) holds its rows once, in region ``global``, and an
OCI resource is priced from them whatever its region. Object Storage is usage-based: storage by GB-month
and requests by 10,000, from the usage file (``storage_gb``, ``monthly_requests``). The tenancy's free
allowances (the first 10 GB and 50,000 requests a month) are not subtracted, as for the other clouds.

Alibaba Cloud states its OSS and ApsaraDB RDS prices per region on its pricing pages and in its BSS
OpenAPI (an account is needed); no machine-readable copy was reached offline, so an OSS bucket's storage
and an RDS instance are unpriced, each with that reason (in their provider's region, which
:func:`iacgov.normalise.terraform_region` now gives them). RAM identities, ActionTrail trails and OCI compartments and policies are free by
their platform catalog entries (``alicloud/*.yaml``, ``oci/identity.yaml``), with the citation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

from iacgov.cost.cloud_pricers import CloudKind, _f, replace_region
from iacgov.cost.model import Component
from iacgov.cost.spec import PriceContext, Spec, as_text, why
from iacgov.model import is_unknown

OCI_ANY_REGION = "global"  # oci_pricelist.csv: one price for every region

# storage_tier (the provider's values) -> (catalog item, label). Infrequent Access is reached only through
# auto-tiering or object-level storage classes, which the bucket does not size.
OCI_TIERS: Mapping[str, tuple[str, str]] = {
    "standard": ("oci_object_storage_standard", "Standard"),
    "archive": ("oci_archive_storage", "Archive"),
}


def _oci_bucket(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    tier = as_text(spec.raw("storage_tier"))
    tier = "Standard" if tier is None else tier  # the provider's default storage_tier
    at = spec.path("storage_tier")
    if is_unknown(tier):
        yield ctx.unpriced("Object Storage storage", f"storage tier is not known: {why(tier)}", at)
        return
    known = OCI_TIERS.get(tier.lower())
    anywhere = replace_region(ctx, OCI_ANY_REGION)
    if known is None:
        yield ctx.unpriced(f"Object Storage storage ({tier})", f"{tier!r} is not an Object Storage tier the "
                           "catalog prices (Standard, Archive)", at)
    else:
        yield anywhere.usage_charge(known[0], f"Object Storage {known[1]} storage", "storage_gb", "GB-month",
                                    attribute=at)
    yield anywhere.usage_charge("oci_object_storage_requests", "Object Storage requests", "monthly_requests",
                                "10k requests", per=Decimal(10_000))


OSS_NO_PRICE = ("Alibaba Cloud states OSS storage prices per region and storage class on its pricing page only "
                "(alibabacloud.com/product/oss/pricing); no machine-readable copy was reached offline, and its "
                "storage-fees help page gives 'USD 0.0173 per GB-month' for Standard LRS only as an example, naming "
                "no region, so the catalog has no price for it (not guessed)")
# storage_class (the provider's values; Standard by default) -> label
OSS_CLASSES: Mapping[str, str] = {"standard": "Standard", "ia": "Infrequent Access", "archive": "Archive",
                                  "coldarchive": "Cold Archive", "deepcoldarchive": "Deep Cold Archive"}


def _oss_bucket(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    klass = as_text(spec.raw("storage_class"))
    klass = "Standard" if klass is None else klass
    at = spec.path("storage_class")
    if is_unknown(klass):
        yield ctx.unpriced("OSS storage", f"storage class is not known: {why(klass)}", at)
        return
    item = f"OSS {OSS_CLASSES.get(klass.lower(), klass)} storage"
    ctx.used_usage_keys.add("storage_gb")
    if "storage_gb" in ctx.usage:
        yield ctx.unpriced(item, f"storage_gb is set, but {OSS_NO_PRICE}", at)
    else:
        yield ctx.usage_based(f"alicloud_oss_{klass.lower()}_storage", item, "GB-month",
                              f"depends on usage: set storage_gb in the usage file; {OSS_NO_PRICE}", at)


RDS_NO_PRICE = ("ApsaraDB RDS prices (per engine, instance type, storage type and region) are published in Alibaba "
                "Cloud's price calculator and its BSS OpenAPI (GetPayAsYouGoPrice, which needs an account); no "
                "machine-readable copy was reached offline (not guessed)")


def _alicloud_db_instance(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    itype = as_text(spec.raw("instance_type"))
    shown = f" ({itype})" if isinstance(itype, str) else ""
    yield ctx.unpriced(f"ApsaraDB RDS instance{shown}", RDS_NO_PRICE, spec.path("instance_type"))


KINDS: tuple[CloudKind, ...] = (
    CloudKind("oci_objectstorage_bucket", ("oci_objectstorage_bucket",), (), _oci_bucket,
              _f(storage_tier="storage_tier"), ("storage_gb", "monthly_requests")),
    CloudKind("alicloud_oss_bucket", ("alicloud_oss_bucket",), (), _oss_bucket, _f(storage_class="storage_class"),
              ("storage_gb",)),
    CloudKind("alicloud_db_instance", ("alicloud_db_instance",), (), _alicloud_db_instance,
              _f(instance_type="instance_type")),
)
