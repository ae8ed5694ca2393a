"""Price rules for AWS kinds added after :mod:`iacgov.cost.cloud_pricers` (same conventions).

Each rule reads its prices from the shipped catalog (``iacgov.cost.catalog.shipped_price``), so a region
its sources do not state stays unpriced, never estimated from another region.
"""

from __future__ import annotations

from iacgov.cost.cloud_pricers import CloudKind

KINDS: tuple[CloudKind, ...] = ()
