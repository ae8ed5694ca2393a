"""Baselines: findings that already exist are reported, not blocking.

``iacgov scan --write-baseline FILE`` records the fingerprints
(:mod:`iacgov.fingerprint`: rule, file, resource address, attribute — never
the line) of every finding that is not suppressed inline; ``--baseline FILE``
marks findings whose fingerprint is in it as existing (a
:class:`~iacgov.model.Suppression` of kind ``"baseline"``). A new finding
still blocks, and a fixed one drops out of the next baseline. Fingerprints
hold paths relative to the scan root: write and read a baseline from the same
root (the git work tree by default). The policy may name the baseline
(``suppressions.baseline``): ``iacgov scan`` then applies it without
``--baseline``, and review reads it from the base commit.

The file::

    {
      "version": 1,
      "tool": {"name": "iacgov", "version": "0.1.0"},
      "findings": [{"code": "ENC001", "address": "aws_db_instance.db",
                    "file": "main.tf", "fingerprint": "3f2a..."}]
    }

Entries are sorted and unique by fingerprint, so the same findings always
give the same bytes (a baseline diffs cleanly in review).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from iacgov import __version__
from iacgov.fingerprint import fingerprint
from iacgov.limits import LimitExceeded, Limits, read_bounded
from iacgov.model import Finding, Suppression
from iacgov.policy import EMBEDDED, PolicyError

VERSION = 1
MAX_BASELINE_BYTES = 64 * 1024 * 1024
_FINGERPRINT = re.compile(r"[0-9a-f]{32}")


class BaselineError(PolicyError):
    """The baseline file is missing, unreadable or not a baseline (one line).
    A configuration error, like an invalid policy: exit code 2."""


@dataclass(frozen=True)
class Baseline:
    fingerprints: frozenset[str]
    source: str  # how to name the file in messages and reasons

    def mark(self, finding: Finding) -> Finding:
        """The finding, marked as existing when the baseline knows it."""
        if finding.suppression is not None or fingerprint(finding) not in self.fingerprints:
            return finding
        return replace(finding, suppression=Suppression(kind="baseline", reason=f"in baseline {self.source}"))


def policy_baseline(policy: Any) -> Baseline | None:
    """The baseline the policy names (``suppressions.baseline``, relative to
    the policy file), or None. Named in messages as written in the policy, so
    a review of a temporary checkout does not show its temporary path."""
    value = policy.get("suppressions.baseline")
    if not isinstance(value, str) or not value or policy.source == EMBEDDED:
        return None
    try:
        return load_baseline(Path(policy.source).parent / value, display=value)
    except BaselineError as exc:
        raise BaselineError(f"{policy.source}: suppressions.baseline: {exc}") from None


def load_baseline(path: Path, display: str | None = None) -> Baseline:
    name = display or str(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_BASELINE_BYTES:
            raise BaselineError(f"{name}: baseline file is larger than {MAX_BASELINE_BYTES // 2**20} MiB")
        data = read_bounded(path, Limits(max_file_bytes=MAX_BASELINE_BYTES))  # never blocks on a FIFO
    except LimitExceeded as exc:
        raise BaselineError(f"{name}: baseline {exc.reason}") from None
    except FileNotFoundError:
        raise BaselineError(f"{name}: baseline file not found (write one with --write-baseline)") from None
    except IsADirectoryError:
        raise BaselineError(f"{name}: baseline is a directory, not a file") from None
    except OSError as exc:
        raise BaselineError(f"{name}: cannot read baseline file ({exc.strerror or exc})") from None
    return parse_baseline(data, name)


def parse_baseline(data: bytes | str, source: str) -> Baseline:
    """A baseline from its text (review reads it from the base commit)."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        doc = json.loads(text)
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{source}: baseline file is not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{source}:{exc.lineno}: baseline file is not valid JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{source}: not an iacgov baseline (expected an object with a 'findings' list)")
    if doc.get("version") != VERSION:
        raise BaselineError(f"{source}: unsupported baseline version {doc.get('version')!r} (expected {VERSION})")
    prints: set[str] = set()
    for number, entry in enumerate(doc["findings"], 1):
        value = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(value, str) or not _FINGERPRINT.fullmatch(value):
            raise BaselineError(f"{source}: findings entry {number} has no valid 'fingerprint' (32 hex digits)")
        prints.add(value)
    return Baseline(frozenset(prints), source)


def baseline_entries(findings: Iterable[Finding]) -> list[dict[str, str]]:
    """What a baseline records: every finding not suppressed inline (active
    ones, and those an earlier baseline already marked), one per fingerprint."""
    entries: dict[str, dict[str, str]] = {}
    for f in findings:
        if f.suppression is None or f.suppression.kind == "baseline":
            fp = fingerprint(f)
            entries.setdefault(fp, {"code": f.code, "address": f.address, "file": f.location.path, "fingerprint": fp})
    return sorted(entries.values(), key=lambda e: (e["file"], e["code"], e["address"], e["fingerprint"]))


def baseline_text(findings: Iterable[Finding]) -> str:
    doc: dict[str, Any] = {
        "version": VERSION,
        "tool": {"name": "iacgov", "version": __version__},
        "findings": baseline_entries(findings),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
