"""Stable finding fingerprints (SARIF ``partialFingerprints``, baselines).

A fingerprint must survive unrelated edits: it hashes what the finding is
about — rule, file, resource address (with its instance key), attribute —
never the line number.

It also names the stack the finding was found in (``Finding.stack``: the
Terraform root module, CloudFormation template or plan file) when the file
alone does not: a file of a child module (``modules/db/main.tf``) can be read
by several roots (``envs/dev`` and ``envs/prod`` both calling ``module "db"``),
which give findings of equal file, address and attribute. A file the stack
owns — a root module's own ``*.tf``, the template, the plan — names the stack
already, and its findings keep the fingerprint of iacgov's first baselines
(:func:`legacy_fingerprint`), so their GitHub code scanning alerts stay open
as they are. Only findings in child-module files changed fingerprint (once).

Whether the stack is hashed depends on the finding alone, never on the other
findings of the run: an alert keeps its fingerprint when a sibling root is
fixed or removed.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Iterable

from iacgov.digests import sha256  # hashlib's digest, without importing OpenSSL
from iacgov.model import Finding, Resource

FINGERPRINT_KEY = "iacgovFindingHash/v1"  # the SARIF key: renaming it would close every alert


def stack_of(resource: Resource) -> str:
    """The stack a resource belongs to: the Terraform root module directory
    (``meta["root_module"]``, else the directory of its file), otherwise the
    file (a CloudFormation template, a plan)."""
    if resource.source_format == "terraform":
        root = resource.meta.get("root_module")
        return root if isinstance(root, str) and root else PurePosixPath(resource.location.path).parent.as_posix()
    return resource.location.path


def owns_file(stack: str, path: str) -> bool:
    """True when ``path`` is the stack itself or one of its own files (a root
    module's ``*.tf`` are directly in its directory; modules read no subfolder)."""
    return not stack or path == stack or _parent(path) == stack


@lru_cache(maxsize=8192)
def _parent(path: str) -> str:
    # once per file, not per finding: PurePosixPath costs ~20 us and a large estate has 10^5 findings
    return PurePosixPath(path).parent.as_posix()


def fingerprint(finding: Finding) -> str:
    parts = [finding.code, finding.location.path, finding.address, finding.attribute or ""]
    if not owns_file(finding.stack, finding.location.path):
        parts.append(finding.stack)
    return _hash(parts)


def legacy_fingerprint(finding: Finding) -> str:
    """The fingerprint of baselines version 1 (no stack): equal for the
    findings of every root calling one module."""
    return _hash([finding.code, finding.location.path, finding.address, finding.attribute or ""])


def _hash(parts: list[str]) -> str:
    # surrogatepass: a lone surrogate (an undecodable byte of a file name) hashes instead of raising;
    # every other string hashes as before.
    return sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def named_caller(finding: Finding) -> Finding:
    """A finding in a child module's file says which root module's instance it is
    about: the file, line and address are the same for every root calling the
    module, so without it two callers' findings read alike."""
    # the address first: most findings are not in a module instance and need no path work
    if not finding.address.startswith("module.") or not finding.stack or owns_file(finding.stack, finding.location.path):
        return finding
    root = "the root module" if finding.stack == "." else f"root module {finding.stack}"
    if finding.message.startswith(finding.address + " "):
        rest = finding.message[len(finding.address):]
        return replace(finding, message=f"{finding.address} (called by {root}){rest}")
    return replace(finding, message=f"{finding.message} (in the instance {root} calls)")


def with_stacks(findings: Iterable[Finding], resources: Iterable[Resource]) -> list[Finding]:
    """The findings, each with its stack: as the rule set it (``ResourceRule.finding``
    does), else the one stack holding resources of its address, else, when several
    do, the one whose own file the finding is in (``envs/prod/main.tf``: envs/prod).
    In a file several of them read (a child module's), findings alike but for the
    stack, one for each of those stacks, are one each (every root has it); else they
    stay without one: nothing says which it is."""
    findings = list(findings)
    # Only the addresses of findings without a stack are looked up (rules set it on almost every finding):
    # the other resources of a large estate are not worked on.
    wanted = {f.address for f in findings if not f.stack}
    stacks: dict[str, set[str]] = {}
    if wanted:
        for r in resources:
            if r.address in wanted:
                stacks.setdefault(r.address, set()).add(stack_of(r))
    out = []
    for f in findings:
        found = stacks.get(f.address, ()) if not f.stack else ()
        if len(found) > 1:
            found = [s for s in found if owns_file(s, f.location.path)]
        out.append(replace(f, stack=next(iter(found))) if len(found) == 1 else f)
    alike: dict[tuple, list[int]] = {}
    for i, f in enumerate(out):
        if not f.stack and len(stacks.get(f.address, ())) > 1:
            alike.setdefault((f.location.path, f.location.line, f.code, f.address, f.attribute, f.message), []).append(i)
    for key, places in alike.items():
        roots = sorted(stacks[key[3]])
        # as many as roots: without stacks they would be merged into one of one fingerprint, and prod's instance
        # newly flagged beside dev's would be taken for the finding dev's alone had
        if len(places) == len(roots):
            for i, root in zip(places, roots):
                out[i] = replace(out[i], stack=root)
    return out
