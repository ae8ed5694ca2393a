"""Stable finding fingerprints (SARIF ``partialFingerprints``, baselines).

A fingerprint must survive unrelated edits: it hashes what the finding is
about — rule, file, resource address, attribute — never the line number.
"""

from __future__ import annotations

import hashlib

from iacgov.model import Finding

FINGERPRINT_KEY = "iacgovFindingHash/v1"


def fingerprint(finding: Finding) -> str:
    parts = (finding.code, finding.location.path, finding.address, finding.attribute or "")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
