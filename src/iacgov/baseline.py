"""Baselines: findings that already exist are reported, not blocking.

``iacgov scan --write-baseline FILE`` records the fingerprints
(:mod:`iacgov.fingerprint`: rule, file, resource address, attribute, and the
root module / template when the file is a shared module's — never the line)
of every finding that is not suppressed inline; ``--baseline FILE`` marks
findings whose fingerprint is in it as existing (a
:class:`~iacgov.model.Suppression` of kind ``"baseline"``). A new finding
still blocks, and a fixed one drops out of the next baseline. Fingerprints
hold paths relative to the scan root: write and read a baseline from the same
root (the git work tree by default). The policy may name the baseline
(``suppressions.baseline``): ``iacgov scan`` then applies it without
``--baseline``, and review reads it from the base commit.

The file::

    {
      "version": 2,
      "tool": {"name": "iacgov", "version": "0.1.0"},
      "findings": [{"code": "ENC001", "address": "module.db.aws_db_instance.db",
                    "file": "modules/db/main.tf", "stack": "envs/prod",
                    "fingerprint": "3f2a..."}]
    }

Entries are sorted and unique by fingerprint, so the same findings always
give the same bytes (a baseline diffs cleanly in review).

Version 1 (iacgov before fingerprints named the root module) is still read,
with a warning: its fingerprints are equal for the findings of every root
calling one module, so an entry matches a finding only when it matches no
other finding of the scan — ``envs/dev``'s known finding does not hide a new
one in ``envs/prod``; both block until ``--write-baseline`` rewrites the file
as version 2.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from iacgov import __version__
from iacgov.fingerprint import fingerprint, legacy_fingerprint
from iacgov.limits import LimitExceeded, Limits, read_bounded
from iacgov.model import Finding, Location, Notification, Severity, Suppression
from iacgov.policy import EMBEDDED, PolicyError

VERSION = 2
LEGACY_VERSION = 1  # fingerprints without the stack: matched conservatively
MAX_BASELINE_BYTES = 64 * 1024 * 1024
_FINGERPRINT = re.compile(r"[0-9a-f]{32}")


class BaselineError(PolicyError):
    """The baseline file is missing, unreadable or not a baseline (one line).
    A configuration error, like an invalid policy: exit code 2."""


@dataclass(frozen=True)
class Baseline:
    fingerprints: frozenset[str]
    source: str  # how to name the file in messages and reasons
    version: int = VERSION

    @property
    def legacy(self) -> bool:
        return self.version == LEGACY_VERSION

    def apply(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Notification]]:
        """The findings, those the baseline knows marked as existing, and what
        to tell the user about the baseline itself (a version 1 file)."""
        findings = list(findings)
        if not self.legacy:
            return [self._mark(f, fingerprint(f)) for f in findings], []
        # A version 1 fingerprint is shared by the findings of every root calling
        # one module: an entry that several findings match marks none of them.
        prints = [legacy_fingerprint(f) if f.suppression is None else "" for f in findings]
        seen: dict[str, int] = {}
        for fp in prints:
            seen[fp] = seen.get(fp, 0) + 1
        ambiguous = sorted(fp for fp, n in seen.items() if n > 1 and fp in self.fingerprints)
        marked = [f if seen.get(fp, 0) > 1 else self._mark(f, fp) for f, fp in zip(findings, prints)]
        return marked, [self._legacy_warning(len(ambiguous))]

    def mark(self, finding: Finding) -> Finding:
        """One finding, marked as existing when the baseline knows it (a
        version 1 baseline needs the whole scan: use :meth:`apply`)."""
        return self.apply([finding])[0][0]

    def _mark(self, finding: Finding, fp: str) -> Finding:
        if finding.suppression is not None or fp not in self.fingerprints:
            return finding
        return replace(finding, suppression=Suppression(kind="baseline", reason=f"in baseline {self.source}"))

    def _legacy_warning(self, ambiguous: int) -> Notification:
        unmatched = ""
        if ambiguous:
            verbs = "entry matches findings of several root modules and marks" if ambiguous == 1 else \
                "entries match findings of several root modules and mark"
            unmatched = f"; {ambiguous} {verbs} none of them"
        return Notification(
            f"{self.source}: baseline version {LEGACY_VERSION} (fingerprints without the root module) read "
            f"conservatively{unmatched}; rewrite it with --write-baseline",
            Location(self.source), Severity.WARNING, "baseline")


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
    except (RecursionError, ValueError) as exc:  # nesting or a number longer than Python reads
        why = "nested too deeply" if isinstance(exc, RecursionError) else "a number has too many digits"
        raise BaselineError(f"{source}: baseline file cannot be read: {why}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{source}: not an iacgov baseline (expected an object with a 'findings' list)")
    version = doc.get("version")
    if version not in (VERSION, LEGACY_VERSION) or isinstance(version, bool):
        raise BaselineError(f"{source}: unsupported baseline version {version!r} "
                            f"(expected {VERSION}, or {LEGACY_VERSION} from an earlier iacgov)")
    prints: set[str] = set()
    for number, entry in enumerate(doc["findings"], 1):
        value = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(value, str) or not _FINGERPRINT.fullmatch(value):
            raise BaselineError(f"{source}: findings entry {number} has no valid 'fingerprint' (32 hex digits)")
        prints.add(value)
    return Baseline(frozenset(prints), source, version)


def baseline_entries(findings: Iterable[Finding]) -> list[dict[str, str]]:
    """What a baseline records: every finding not suppressed inline (active
    ones, and those an earlier baseline already marked), one per fingerprint."""
    entries: dict[str, dict[str, str]] = {}
    for f in findings:
        if f.suppression is None or f.suppression.kind == "baseline":
            fp = fingerprint(f)
            entries.setdefault(fp, {"code": f.code, "address": f.address, "file": f.location.path,
                                    "stack": f.stack, "fingerprint": fp})
    return sorted(entries.values(), key=lambda e: (e["file"], e["code"], e["address"], e["stack"], e["fingerprint"]))


def baseline_text(findings: Iterable[Finding]) -> str:
    doc: dict[str, Any] = {
        "version": VERSION,
        "tool": {"name": "iacgov", "version": __version__},
        "findings": baseline_entries(findings),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
