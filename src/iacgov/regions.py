"""The regions of each cloud iacgov knows, for checking the policy's region lists.

The catalogs are data files (``src/iacgov/data/regions/<cloud>.json``, with
their sources and how to update them in ``SOURCES.md``). A policy names a
region the way the cloud writes it; :func:`region_problem` says why another
spelling is refused and what was probably meant. The forms accepted are the
ones the LOC rules understand (``rules/_location.py``): globs, Azure display
names, Google Cloud multi- and dual-regions.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from iacgov.plugins import resources  # importlib.resources.files, without importing it
from typing import Iterable

# The clouds iacgov tells apart (Resource.cloud); other providers' resources
# keep their provider name and have no region policy.
CLOUDS = ("aws", "azure", "gcp")
# Names people write for a cloud, for the did-you-mean of a per-cloud key
# (Terraform provider names, iacgov.normalise.CLOUD_PREFIXES, and common words).
CLOUD_ALIASES = {
    "amazon": "aws", "aws-us-gov": "aws", "aws-cn": "aws", "azurerm": "azure", "azuread": "azure", "azapi": "azure",
    "microsoft": "azure", "google": "gcp", "google-beta": "gcp", "googlecloud": "gcp", "gce": "gcp", "gcloud": "gcp",
}
_GLOB = re.compile(r"[*?\[]")
_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")


@dataclass(frozen=True)
class RegionCatalog:
    """One cloud's accepted spellings and, for suggestions, the names to offer."""

    cloud: str
    compiled: str
    regions: frozenset[str]  # what a glob is matched against: region names as the cloud writes them
    accepted: frozenset[str]  # every exact spelling accepted (names, display names, multi/dual-regions)
    preferred: tuple[str, ...]  # offered by the did-you-mean


@lru_cache(maxsize=None)
def catalog(cloud: str) -> RegionCatalog:
    text = resources.files("iacgov").joinpath("data", "regions", f"{cloud}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    names = [r["name"] for r in data["regions"]]
    accepted = set(names)
    if cloud == "azure":
        accepted.update(r["display_name"] for r in data["regions"])
    special = [*data.get("multi_regions", ()), *data.get("dual_regions", ())]
    accepted.update(special)
    accepted.update(s.lower() for s in special)
    return RegionCatalog(cloud, data["compiled"], frozenset(names), frozenset(accepted), tuple(names + special))


def suggest(word: str, choices: Iterable[str], n: int = 1, cutoff: float = 0.75) -> list[str]:
    """Close matches, compared without case or blanks (so ``EU-WEST-3`` finds ``eu-west-3``)."""
    choices = list(choices)
    folded: dict[str, str] = {}
    for choice in choices:
        folded.setdefault(_fold(choice), choice)
    key = _fold(word)
    if key in folded:
        return [folded[key]]
    # difflib finds the candidates; a swap of two letters (LCO for LOC) is the
    # likeliest typo, so the closest by edit distance comes first.
    close = difflib.get_close_matches(key, list(folded), n=max(n, 5), cutoff=cutoff)
    close.sort(key=lambda m: _distance(key, m))  # stable: difflib's order breaks ties
    # A third of the letters wrong is another word (XACME001 is not ADM001).
    return [folded[m] for m in close if _distance(key, m) <= max(1, len(key) // 3)][:n]


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap of neighbours) from ``a`` to ``b``."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            row.append(cost)
        prev2, prev = prev, row
    return prev[-1]


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def cloud_suggestion(key: str) -> str | None:
    """The cloud a mistyped per-cloud key probably means (``google`` -> ``gcp``)."""
    alias = CLOUD_ALIASES.get(key.strip().lower())
    if alias:
        return alias
    found = suggest(key, CLOUDS)
    return found[0] if found else None


def region_problem(cloud: str, value: str, additional: Iterable[str] = ()) -> str | None:
    """Why ``value`` is not a region name of ``cloud`` (None: it is one).

    ``additional`` are names the policy adds to the catalog
    (``data_location.additional_regions``), taken as written."""
    if cloud not in CLOUDS:
        return None  # the cloud key itself is reported
    known = catalog(cloud)
    additional = [a for a in additional if isinstance(a, str)]
    if value in known.accepted or value in additional:
        return None
    where = f"iacgov's catalog of {cloud} regions (compiled {known.compiled})"
    if _GLOB.search(value):
        if value != value.strip():
            return f"{value!r} has leading or trailing blanks"
        if any(fnmatch.fnmatchcase(r, value) for r in [*known.regions, *additional]):
            return None
        return f"the pattern {value!r} matches no region of {where}"
    if value != value.strip():
        return _with_hint(f"{value!r} has leading or trailing blanks", [value.strip()]
                          if value.strip() in known.accepted else suggest(value, known.preferred))
    if cloud == "gcp":
        zone = _GCP_ZONE.match(value.lower())
        if zone and zone.group(1) in known.regions:
            return f"{value!r} is a zone, not a region; did you mean {zone.group(1)!r}?"
    hint = suggest(value, [*known.preferred, *additional])
    if hint and _fold(hint[0]) == _fold(value):
        return f"{value!r} is not written as {cloud} writes it; did you mean {hint[0]!r}?"
    reason = f"{value!r} is not a region in {where}"
    if not hint:
        reason += f"; a newer region can be listed in data_location.additional_regions.{cloud}"
    return _with_hint(reason, hint)


def _with_hint(reason: str, hint: list[str]) -> str:
    return f"{reason}; did you mean {hint[0]!r}?" if hint else reason
