"""Where a location string points to, per cloud: shared by the LOC rules."""

from __future__ import annotations

import fnmatch
import re
from typing import Iterable

from iacgov.api import Resource

# GCP multi-regions and predefined dual-regions, as the regions they span.
# Multi-regions have no published list of regions, so only an allow-list that
# names them explicitly accepts them.
GCP_DUAL_REGIONS = {
    "asia1": ("asia-northeast1", "asia-northeast2"),
    "eur4": ("europe-north1", "europe-west4"),
    "eur5": ("europe-west1", "europe-west2"),
    "eur7": ("europe-west2", "europe-west3"),
    "eur8": ("europe-west3", "europe-west6"),
    "nam4": ("us-central1", "us-east1"),
}
GCP_MULTI_REGIONS = frozenset({"us", "eu", "asia"})
_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")

# Which attribute a resource's own location is written in, per cloud.
LOCATION_ATTRIBUTES = {"aws": ("region",), "azure": ("location",), "gcp": ("region", "location", "zone")}


def canonical(cloud: str, location: str) -> str:
    """Case- and spelling-insensitive form: Azure accepts ``France Central``."""
    location = location.strip().lower()
    if cloud == "azure":
        location = re.sub(r"\s+", "", location)
    if cloud == "gcp":
        m = _GCP_ZONE.match(location)
        if m:
            location = m.group(1)
    return location


def spanned_regions(cloud: str, location: str) -> tuple[str, ...]:
    """The regions a location stands for (a GCP dual-region spans two)."""
    location = canonical(cloud, location)
    if cloud == "gcp" and location in GCP_DUAL_REGIONS:
        return GCP_DUAL_REGIONS[location]
    return (location,)


def is_allowed(cloud: str, location: str, allowed: Iterable[str]) -> bool:
    """Allowed if the location is listed, or every region it spans is.

    Entries may be glob patterns (``eu-*``).
    """
    patterns = [canonical(cloud, a) for a in allowed]
    location = canonical(cloud, location)

    def listed(name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) for p in patterns)

    if listed(location):
        return True
    if cloud == "gcp" and location in GCP_MULTI_REGIONS:
        return False
    return all(listed(r) for r in spanned_regions(cloud, location))


def location_attribute(resource: Resource) -> str | None:
    """The attribute the resource's location is written in, if it writes one."""
    for name in LOCATION_ATTRIBUTES.get(resource.cloud, ()):
        if resource.source_format != "cloudformation" and name in resource.attributes:
            return name
    return None
