"""What the change touches that iacgov could not analyse: ``unanalysed_change`` decisions.

"Ready" must mean that everything the change touched was read. Three
sources say what was not:

- the tree entries review could not materialise (a link pointing outside
  the commit or in a cycle, a submodule, a blob over the size limits),
  :class:`iacgov.review.gitrepo.Skipped`;
- the scans' notifications with a coverage ``scope`` (a file that cannot be
  read, a remote or missing module...), see :class:`iacgov.model.Coverage`;
- changed Terraform files neither scan read: a root module outside discovery
  (``vendor/``, a dot-directory) that no read module calls, a ``.tfvars``
  file no root module loads.

A not-analysed item is a decision when the change touches it: its file
changed between the commits (deleted files included: what they held is
destroyed unseen), or head has it and base did not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Iterable, Mapping, Sequence

from iacgov.model import Notification
from iacgov.review.gitrepo import Skipped
from iacgov.review.model import Decision, authority_of
from iacgov.review.moved import ignored_by_terraform

CLASS = "unanalysed_change"
TERRAFORM_FILES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
# Until every parser tags its notifications with a scope: "module.x ... not analysed: ..." is a module left out.
_MODULE_NOT_ANALYSED = re.compile(r"^(module\.[A-Za-z0-9_-]+)\b.* not analysed\b")


@dataclass(frozen=True)
class NotRead:
    scope: str  # "file" | "module" | "resource"
    subject: str
    path: str  # the file the decision points at
    line: int
    reason: str
    side: str  # "head" | "base"


def scoped(notifications: Iterable[Notification]) -> list[NotRead]:
    """The notifications that leave something out, as :class:`NotRead` (head side)."""
    out = []
    for n in notifications:
        scope, subject = n.scope, n.subject
        if scope is None:
            m = _MODULE_NOT_ANALYSED.match(n.message)
            if m is None:
                continue
            scope, subject = "module", m.group(1)
        out.append(NotRead(scope, subject, n.location.path, n.location.line, n.message, "head"))
    return out


def from_skipped(skipped: Iterable[Skipped]) -> list[NotRead]:
    return [NotRead("file", s.path, s.path, 1, f"{s.path}: {s.reason}", "head") for s in skipped]


def outside_discovery(changed: Iterable[str], head_paths: Iterable[str], read: Iterable[str],
                      skipped: Iterable[str]) -> list[NotRead]:
    """Changed Terraform files of head that the scan did not read."""
    present, seen, left = set(head_paths), set(read), set(skipped)
    out = []
    for path in sorted(set(changed) & present - seen - left):
        if not path.endswith(TERRAFORM_FILES) or ignored_by_terraform(path):
            continue
        parts = PurePosixPath(path).parts[:-1]
        if path.endswith((".tfvars", ".tfvars.json")):
            why = "a variables file no root module loads (only terraform.tfvars and *.auto.tfvars are read)"
        elif any(p.startswith(".") or p in ("vendor", "node_modules") for p in parts):
            why = "in a folder iacgov does not scan (vendor/, node_modules/ or a dot-directory) and called by no module it read"
        else:
            why = "not read by the scan"
        out.append(NotRead("file", path, path, 1, f"{path}: {why}", "head"))
    return out


def classify_unanalysed(head: Sequence[NotRead], base: Sequence[NotRead], changed: set[str],
                        policy: Any) -> list[Decision]:
    """Decisions for what the change touches among the items not analysed."""
    before = {(n.scope, n.subject, n.reason) for n in base}
    out: dict[tuple[str, str], Decision] = {}
    for n in head:
        if n.path in changed or n.subject in changed or (n.scope, n.subject, n.reason) not in before:
            out.setdefault((n.scope, n.subject), _decision(n, policy))
    for n in base:
        gone = n.path in changed or n.subject in changed
        if gone and (n.scope, n.subject) not in out:
            out[(n.scope, n.subject)] = _decision(NotRead(n.scope, n.subject, n.path, n.line, n.reason, "base"),
                                                  policy)
    return sorted(out.values(), key=Decision.order)


def _decision(n: NotRead, policy: Any) -> Decision:
    what = {"file": "file", "module": "module", "resource": "resource"}[n.scope]
    detail = f"{what} not analysed, touched by the change: {n.reason}"
    return Decision(CLASS, authority_of(CLASS, policy), n.subject, n.path, max(n.line, 1), detail, n.side,
                    {"scope": n.scope})


def changed_paths(base_entries: Mapping[str, Any], head_entries: Mapping[str, Any],
                  base_written: Mapping[str, str], head_written: Mapping[str, str]) -> set[str]:
    """Paths whose tree entry or materialised content (a link's target) differs."""
    out = set()
    for path in set(base_entries) | set(head_entries):
        a, b = base_entries.get(path), head_entries.get(path)
        if a is None or b is None or (a.oid, a.mode) != (b.oid, b.mode):
            out.add(path)
    for path in set(base_written) | set(head_written):
        if base_written.get(path) != head_written.get(path):
            out.add(path)
    return out
