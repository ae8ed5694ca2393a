"""What iacgov knows about the platforms, below the engine and the rules.

The rules (through :mod:`iacgov.api`) and the review read it; it never reads
either. The catalog: one entry per resource kind, as data
(``catalog/<cloud>/<service>.yaml``, validated by ``catalog.schema.json``,
compiled into ``catalog.json``; docs/platform.md), read with
:mod:`~iacgov.platform.values` (one value reader, one path walker) and
:mod:`~iacgov.platform.knowledge` (encryption at rest, database continuity,
tags, TLS policies, replacement, copies, location). ``arn`` and ``iam``: ARNs
and IAM policy documents; ``grants``: administrator grants on Azure and Google
Cloud; ``references``: references between resources and the per-scan
:class:`~iacgov.platform.references.ReferenceIndex`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

# Only the catalog here: iacgov.model imports kind_of, and the readers
# (iacgov.platform.values, .knowledge) import the model.
from iacgov.platform.loader import CATEGORIES, Catalog, CatalogError, catalog

__all__ = [
    "CATEGORIES", "CLOUD_NAMES", "Catalog", "CatalogError", "catalog", "cfn_to_terraform", "cloud_name", "entry",
    "kind_of", "kinds_with", "setting_of", "table",
]


def kind_of(resource_type: str) -> str:
    """``AWS::RDS::DBInstance`` -> ``aws_db_instance``; Terraform types (and
    CloudFormation types the catalog maps to no Terraform type) unchanged."""
    return catalog().types.get(resource_type, resource_type)


def cfn_to_terraform() -> Mapping[str, str]:
    """CloudFormation type -> the Terraform type of the same resource."""
    return catalog().types


def entry(kind: str) -> Mapping[str, Any] | None:
    """The catalog entry of a kind (a Terraform type or a CloudFormation type), or None."""
    cat = catalog()
    return cat.kinds.get(kind) or cat.kinds.get(cat.types.get(kind, ""))


@lru_cache(maxsize=None)
def kinds_with(fact: str) -> frozenset[str]:
    """The kinds whose entry states ``fact`` (``holds_data``, ``taggable``, ``customer_key``...)."""
    return frozenset(catalog().with_fact(fact))


def setting_of(kind: str, fact: str) -> tuple[str | None, str | None] | None:
    """``(Terraform, CloudFormation)`` names of the setting the entry of
    ``kind`` states under ``fact`` (``min_tls``, ``tags``, ``resource_policy``); None if none."""
    found = entry(kind)
    spec = found.get(fact) if found is not None else None
    return None if spec is None else (spec.get("terraform"), spec.get("cloudformation"))


def table(name: str) -> Mapping[str, Any]:
    """A service's value table (``elasticloadbalancingv2.tls_policies``): its ``values``."""
    return catalog().tables[name]["values"]


CLOUD_NAMES: Mapping[str, str] = {cloud: spec["name"] for cloud, spec in catalog().clouds.items()}


def cloud_name(cloud: str) -> str:
    """``gcp`` -> ``Google Cloud``; an unknown cloud as written."""
    return CLOUD_NAMES.get(cloud, cloud)


# The readers (:mod:`iacgov.platform.values`, :mod:`iacgov.platform.knowledge`)
# are offered here too, imported on first use (see the import note above).
_LAZY = {
    **dict.fromkeys(("Setting", "attr", "flag", "get_path", "number", "text", "walk", "written"), "values"),
    **dict.fromkeys(("AtRest", "Database", "SSL3", "TLSVersion", "apigateway_policy_version", "at_rest_table",
                     "cloudfront_policy_version", "copy_destinations", "copy_resources", "database_table",
                     "elb_policy_version", "forces_new", "gcp_dual_regions", "global_locations", "Transit", "transit_table", "gcp_multi_regions", "global_types",
                     "location_attributes", "min_tls_settings", "per_replica_types", "resource_policies", "service_keys",
                     "show_tls", "tag_attributes", "tls_table",
                     "tls_version", "written_tls_version"), "knowledge"),
}
__all__ += sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
