"""The suppression register: every accepted risk, its reason, who added it and when, its state.

Listed: every ``iacgov:ignore`` comment and CloudFormation ``Metadata``
suppression written in the scanned files (one entry per code), and every
entry of the baseline the policy names (or ``--baseline``). Each has a
state, as of ``today`` (``--today``, else the real date):

- ``expired``: its last day (``expires``) is before today;
- ``refused``: the policy refuses it (no reason, a locked code, past
  ``max_days``, ``inline: false``) — the finding it aims at stays;
- ``unused``: it matches no finding any more (the resource was fixed or
  removed): stale, it should be deleted before it silences a future finding;
- ``expiring``: used, and its last day is within ``--expiring-within`` days;
- ``active``: used, not expiring soon.

Who added it and when: ``git blame`` of its line (the comment, the
``Metadata`` entry, the baseline entry's fingerprint) in the repository the
files are in, read with the review's git plumbing (no textconv, no
repository configuration of the system); failing that, the ledger
(:meth:`iacgov.history.ledger.Ledger.first_seen`: the first replayed commit
that has it). A line not committed yet is "not committed".
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

STATES = ("expired", "refused", "unused", "expiring", "active")


@dataclass(frozen=True)
class Entry:
    code: str
    kind: str  # inline | metadata | baseline
    file: str
    line: int
    address: str
    reason: str
    expires: str | None
    state: str
    detail: str = ""  # why refused, how many findings it hides
    added_by: str | None = None
    added_on: str | None = None  # YYYY-MM-DD
    commit: str | None = None


def _used_by(findings: Sequence[Any]) -> tuple[dict[tuple[str, int], list[Any]], dict[tuple[str, int], list[str]]]:
    """Findings hidden by the suppression written at (file, line); refusals named at (file, line)."""
    from iacgov.suppressions import REFUSED_PROPERTY

    used: dict[tuple[str, int], list[Any]] = {}
    refused: dict[tuple[str, int], list[str]] = {}
    for f in findings:
        s = f.suppression
        if s is not None and s.location is not None:
            used.setdefault((s.location.path, s.location.line), []).append(f)
        for text in f.properties.get(REFUSED_PROPERTY, ()) or ():
            where, _, why = str(text).partition(": ")
            path, _, line = where.rpartition(":")
            if line.isdigit():
                refused.setdefault((path, int(line)), []).append(why)
    return used, refused


def _covers(code: str, finding: Any) -> bool:
    return finding.code.upper() == code.upper() or finding.family.upper() == code.upper()


def entries(result: Any, texts: Mapping[str, str], policy: Any, today: date, within: int,
            baseline_file: tuple[str, str] | None = None) -> list[Entry]:
    """The register of a scan (``result``: its ScanResult; ``texts``: relpath -> source of the files read)."""
    from iacgov.fingerprint import fingerprint
    from iacgov.suppressions import collect_suppressions

    used, refused = _used_by(result.findings)
    horizon = (today + timedelta(days=within)).isoformat()
    out = []
    for s in collect_suppressions(texts, result.resources):
        if s.source != "iacgov":
            continue
        hidden = [f for f in used.get((s.file, s.line), []) if _covers(s.code, f)]
        why = refused.get((s.file, s.line), [])
        if s.expires is not None and s.expires < today.isoformat():
            state, detail = "expired", f"last day {s.expires}"
        elif s.problem or why:
            state, detail = "refused", s.problem or "; ".join(dict.fromkeys(why))
        elif not hidden:
            state, detail = "unused", "matches no finding any more"
        elif s.expires is not None and s.expires <= horizon:
            state, detail = "expiring", f"hides {len(hidden)} finding(s); last day {s.expires}"
        else:
            state, detail = "active", f"hides {len(hidden)} finding(s)"
        out.append(Entry(s.code, s.kind, s.file, s.line, s.address or s.target, s.reason or "", s.expires, state,
                         detail))
    if baseline_file is not None:
        shown, text = baseline_file
        prints = {fingerprint(f) for f in result.findings if f.suppression is not None and
                  f.suppression.kind == "baseline"}
        out.extend(_baseline_entries(shown, text, prints))
    return sorted(out, key=lambda e: (STATES.index(e.state), e.file, e.line, e.code))


def _baseline_entries(shown: str, text: str, used: set[str]) -> list[Entry]:
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    lines = {m.group(1): text.count("\n", 0, m.start()) + 1 for m in re.finditer(r'"([0-9a-f]{32})"', text)}
    out = []
    for item in doc.get("findings", []) if isinstance(doc, dict) else []:
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            continue
        fp = item["fingerprint"]
        state = "active" if fp in used else "unused"
        detail = "known finding" if fp in used else "matches no finding any more"
        out.append(Entry(str(item.get("code", "")), "baseline", shown, lines.get(fp, 1),
                         f"{item.get('address', '')} ({item.get('file', '')})", f"in baseline {shown}", None, state,
                         detail))
    return out


# --------------------------------------------------------------------------- who and when


def blame(repo: Any, path: str, line: int) -> tuple[str, str, str] | None:
    """(author, YYYY-MM-DD, commit) of ``path``'s ``line`` in the work tree (None: not committed, or no git)."""
    from iacgov.review.gitrepo import _env

    command = repo.command("blame", "--porcelain", "-L", f"{line},{line}", "--", path)
    try:
        done = subprocess.run(command, capture_output=True, env=_env(), timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    text = done.stdout.decode("utf-8", "replace").splitlines()
    if not text:
        return None
    sha = text[0].split()[0]
    if set(sha) == {"0"}:
        return None  # not committed yet
    fields = dict(row.split(" ", 1) for row in text[1:] if " " in row and not row.startswith("\t"))
    when = datetime.fromtimestamp(int(fields.get("author-time", "0")), tz=timezone.utc).date().isoformat()
    return fields.get("author", "?"), when, sha


def with_authors(found: Sequence[Entry], repo: Any, root: Path, first_seen: Mapping[Any, Any] | None) -> list[Entry]:
    """Each entry with who added it and when (git blame, else the ledger)."""
    from dataclasses import replace

    prefix = ""
    if repo is not None:
        try:
            top = Path(repo.directory).resolve()
            prefix = root.resolve().relative_to(top).as_posix()
        except ValueError:
            repo = None
    out = []
    for e in found:
        who = blame(repo, f"{prefix}/{e.file}" if prefix and prefix != "." else e.file, e.line) \
            if repo is not None else None
        if who is None and first_seen:
            seen = first_seen.get((e.file, e.address, e.code, e.kind))
            if seen is not None:
                sha, when, author = seen
                who = (author, datetime.fromtimestamp(when, tz=timezone.utc).date().isoformat(), sha)
        out.append(replace(e, added_by=who[0], added_on=who[1], commit=who[2]) if who else e)
    return out


# --------------------------------------------------------------------------- rendering


def to_json_data(found: Sequence[Entry], today: date, within: int) -> dict[str, Any]:
    """``{"version": 1, "today", "expiring_within", "counts": {state: n},
    "suppressions": [{"code", "kind", "file", "line", "address", "reason", "expires", "state", "detail",
    "added_by", "added_on", "commit"}]}``"""
    counts = {s: sum(1 for e in found if e.state == s) for s in STATES}
    return {"version": 1, "today": today.isoformat(), "expiring_within": within, "counts": counts,
            "suppressions": [{"code": e.code, "kind": e.kind, "file": e.file, "line": e.line, "address": e.address,
                              "reason": e.reason, "expires": e.expires, "state": e.state, "detail": e.detail,
                              "added_by": e.added_by, "added_on": e.added_on, "commit": e.commit} for e in found]}


def render_text(found: Sequence[Entry], today: date, within: int) -> str:
    from iacgov.reporters.text import printable

    counts = to_json_data(found, today, within)["counts"]
    lines = [f"Suppression register as of {today.isoformat()} (expiring: within {within} days) — "
             + ", ".join(f"{n} {s}" for s, n in counts.items()), ""]
    for e in found:
        who = f"added by {e.added_by} on {e.added_on} ({e.commit[:12]})" if e.added_by and e.commit else \
            "added: not committed"
        expiry = f"expires {e.expires}" if e.expires else "no expiry"
        lines.append(f"{e.state.upper():9} {e.code} {printable(e.address)} — {printable(e.file)}:{e.line} ({e.kind})")
        lines.append(f"          reason: {printable(e.reason) or '(none)'}; {expiry}; {who}")
        lines.append(f"          {printable(e.detail)}")
    if not found:
        lines.append("No suppression is written in these files.")
    return "\n".join(lines) + "\n"
