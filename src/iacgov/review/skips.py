"""Suppressions a pull request adds that no finding shows (``suppression_added``):
other scanners' skips, and iacgov suppressions whose expiry it pushes back.

A provider who cannot silence iacgov can still silence the company's other
scanners: a ``#checkov:skip=CKV_AWS_19`` comment, a ``#tfsec:ignore:...``,
a ``Metadata: cfn_nag: rules_to_suppress`` entry. iacgov's policy does not
govern those directives (the scanner they belong to applies them), but each
one hides a check the company runs, so a review treats each one the head
adds as it treats a new ``iacgov:ignore``: a CTO decision (CHG011).

Read as the suppressions filter reads iacgov's own directives (comments only,
never strings or heredocs; attached to the code below or around them, see
:mod:`iacgov.suppressions`), in the IaC files the change touches. A skip is
*added* when the head has it and the base has none with the same scanner,
check and resource (followed through ``moved`` blocks), so moving a file or a
resource with its skips is not a decision. When the checkov bridge runs in
the review and already reports the checkov finding a comment suppresses,
that comment is not reported twice.

An ``iacgov:ignore`` (comment or ``Metadata``) that the base already has
hides the same finding in both commits, so the findings diff sees nothing
when the head moves its ``expires=`` later or removes it: that is reported
too, as an extension.

The forms read (each scanner's documented syntax):

- checkov: ``checkov:skip=CKV_ID[:reason]`` (and ``bridgecrew:skip=``);
  CloudFormation ``Metadata.checkov.skip[].id`` / ``comment``;
- tfsec: ``tfsec:ignore:ID`` (``:exp:DATE`` kept in the detail); Trivy:
  ``trivy:ignore:ID``;
- tflint: ``tflint-ignore: rule[, rule]`` and ``tflint-ignore-file:``;
- KICS: ``kics-scan ignore-line``, ``ignore-block``, ``ignore`` (the file),
  ``disable=ID[,ID]``;
- Terrascan: ``ts:skip=RULE [reason]``;
- cfn-lint: ``Metadata.cfn-lint.config.ignore_checks``; cfn_nag:
  ``Metadata.cfn_nag.rules_to_suppress[].id`` / ``reason``; cfn-guard:
  ``Metadata.guard.SuppressedRules``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from iacgov.fingerprint import stack_of
from iacgov.model import Finding, Resource
from iacgov.review.model import Decision, authority_of
from iacgov.suppressions import InlineSuppression, Written, collect_suppressions

_ID = r"[A-Za-z0-9_.\-*]+"
# Each scanner's comment forms: (scanner, pattern); group "codes" holds the check(s), "reason" any reason.
_COMMENT_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("checkov", re.compile(r"(?:checkov|bridgecrew):skip=\s*(?P<codes>[A-Za-z0-9_]+)(?::(?P<reason>[^\n]*))?")),
    ("tfsec", re.compile(rf"tfsec:ignore:(?P<codes>{_ID}?)(?::exp:(?P<reason>\d{{4}}-\d{{2}}-\d{{2}}))?(?=\s|$|:)")),
    ("trivy", re.compile(rf"trivy:ignore:(?P<codes>{_ID})")),
    ("tflint", re.compile(r"tflint-ignore(?:-file)?:\s*(?P<codes>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)")),
    ("kics", re.compile(r"kics-scan\s+(?P<codes>ignore-line|ignore-block|ignore\b|disable\s*=\s*[0-9A-Za-z\-]+"
                        r"(?:\s*,\s*[0-9A-Za-z\-]+)*)")),
    ("terrascan", re.compile(r"ts:skip=\s*(?P<codes>[A-Za-z0-9_.\-]+)(?:[ \t]+(?P<reason>[^\n]*))?")),
)
MARKER = re.compile(r"checkov:|bridgecrew:|tfsec:|trivy:|tflint-ignore|kics-scan|ts:skip", re.IGNORECASE)


def read_comment(body: str) -> list[Written]:
    """The skips one comment body writes (several scanners may share a comment)."""
    out = []
    for scanner, pattern in _COMMENT_FORMS:
        for match in pattern.finditer(body):
            codes = tuple(c.strip() for c in re.split(r"\s*,\s*", match.group("codes")) if c.strip())
            if not codes:
                continue
            reason = (match.groupdict().get("reason") or "").strip() or None
            if scanner == "tfsec" and reason:
                reason = f"until {reason}"
            out.append(Written(codes, reason, source=scanner))
    return out


def read_metadata(metadata: Mapping[str, Any]) -> list[Written]:
    """The skips a CloudFormation resource's ``Metadata`` writes."""
    out = []
    checkov = metadata.get("checkov")
    if isinstance(checkov, Mapping):
        for entry in _entries(checkov.get("skip")):
            out.append(Written((str(entry["id"]),), _text(entry.get("comment")), source="checkov"))
    lists = (("cfn-lint", ("cfn-lint", "config", "ignore_checks")), ("cfn-guard", ("guard", "SuppressedRules")))
    for scanner, path in lists:
        codes = _names_at(metadata, path)
        if codes:
            out.append(Written(codes, source=scanner))
    cfn_nag = metadata.get("cfn_nag")
    if isinstance(cfn_nag, Mapping):
        for entry in _entries(cfn_nag.get("rules_to_suppress")):
            out.append(Written((str(entry["id"]),), _text(entry.get("reason")), source="cfn_nag"))
    return out


def _names_at(metadata: Mapping[str, Any], path: tuple[str, ...]) -> tuple[str, ...]:
    """The strings of the list at ``path`` (``cfn-lint.config.ignore_checks``), or ()."""
    value: Any = metadata
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _entries(value: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(value, list):
        for entry in value:
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), (str, int)):
                yield entry


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def collect(texts: Mapping[str, str], resources: Sequence[Resource]) -> list[InlineSuppression]:
    """Every other scanner's skip written in ``texts`` and in the ``Metadata`` of ``resources``."""
    return collect_suppressions(texts, resources, comments=read_comment, marker=MARKER, metadata=read_metadata)


def classify_skips(changed: Mapping[str, tuple[str | None, str | None]],
                   base_resources: Sequence[Resource], head_resources: Sequence[Resource],
                   renamed: Mapping[tuple[str, str], str], reported: Iterable[Finding], policy: Any
                   ) -> list[Decision]:
    """``changed``: IaC path -> (base text, head text), None where absent.
    ``renamed``: (root module, base address) -> head address (moves). ``reported``: the
    findings whose added suppression review already reports (a bridge's)."""
    base, head = _both_sides(collect, changed, base_resources, head_resources)
    base_stacks, head_stacks = _stacks(base_resources, changed), _stacks(head_resources, changed)
    before = {o for s in base for o in _owners(s, base_stacks, renamed)}
    already = _reported_at(reported)
    out = []
    for s in head:
        if _owners(s, head_stacks, {}) <= before or (s.file, s.line) in already:
            continue
        form = "Metadata" if s.kind == "metadata" else "comment"
        reason = f": {s.reason}" if s.reason else ", no reason given"
        out.append(Decision("suppression_added", authority_of("suppression_added", policy), s.address or s.file,
                            s.file, s.line, f"{s.source} skip of {s.code} added ({form}){reason}", "head",
                            {"scanner": s.source, "check": s.code}))
    return out


def classify_extensions(changed: Mapping[str, tuple[str | None, str | None]],
                        base_resources: Sequence[Resource], head_resources: Sequence[Resource],
                        renamed: Mapping[tuple[str, str], str], reported: Iterable[Finding], policy: Any
                        ) -> list[Decision]:
    """iacgov suppressions of the base whose expiry the head pushes back (or removes)."""
    base, head = _both_sides(collect_suppressions, changed, base_resources, head_resources)
    base_stacks, head_stacks = _stacks(base_resources, changed), _stacks(head_resources, changed)
    before = {o: s for s in base if s.problem is None for o in _owners(s, base_stacks, renamed)}
    already = _reported_at(reported)
    out = []
    for s in head:
        # the earliest expiry among the resources it was on (a module file's: one per root calling it)
        olds = sorted((o for o in map(before.get, _owners(s, head_stacks, {})) if o is not None),
                      key=lambda o: (o.expires is None, o.expires or ""))
        old = olds[0] if olds else None
        if s.problem is not None or old is None or (s.file, s.line) in already:
            continue
        if old.expires is not None and (s.expires is None or s.expires > old.expires):
            out.append(Decision("suppression_added", authority_of("suppression_added", policy), s.address or s.file,
                                s.file, s.line, f"{s.code} suppression extended: expires {old.expires} → "
                                f"{s.expires or 'never'} ({s.kind}): {s.reason}", "head", {"finding": s.code}))
    return out


def _both_sides(read: Callable[..., list[InlineSuppression]], changed: Mapping[str, tuple[str | None, str | None]],
                base_resources: Sequence[Resource], head_resources: Sequence[Resource]
                ) -> tuple[list[InlineSuppression], list[InlineSuppression]]:
    """What ``read`` finds in the changed files of the base, then of the head."""
    paths = set(changed)
    return tuple(  # type: ignore[return-value]
        read({p: texts[side] for p, texts in changed.items() if texts[side] is not None},
             [r for r in resources if r.location.path in paths])
        for side, resources in ((0, base_resources), (1, head_resources)))


def _stacks(resources: Iterable[Resource], paths: Mapping[str, Any]) -> dict[tuple[str, str], set[str]]:
    """The root modules of the resources at each (file, address) of ``paths``: several for a module that several
    roots call."""
    out: dict[tuple[str, str], set[str]] = {}
    for r in resources:
        if r.location.path in paths:
            out.setdefault((r.location.path, r.address), set()).add(stack_of(r))
    return out


def _owners(s: InlineSuppression, stacks: Mapping[tuple[str, str], set[str]],
            rename: Mapping[tuple[str, str], str]) -> frozenset[tuple[str, ...]]:
    """What a suppression is about, across commits: its tool, its code, and each resource it is on — (root
    module, address), as addresses repeat across roots (``envs/dev`` and ``envs/prod``) — else its line of code.
    ``rename``: (root module, base address) -> head address."""
    if not s.address:
        return frozenset({(s.source, s.code, f"{s.file}:{s.target}")})
    return frozenset((s.source, s.code, stack, rename.get((stack, s.address), s.address))
                     for stack in stacks.get((s.file, s.address)) or (s.file,))


def _reported_at(findings: Iterable[Finding]) -> set[tuple[str, int]]:
    """Where the suppressions of ``findings`` are written."""
    return {(f.suppression.location.path, f.suppression.location.line) for f in findings
            if f.suppression is not None and f.suppression.location is not None}


def read_changed(paths: Iterable[str], base_dir: Path, head_dir: Path, differs: Callable[[str], bool]
                 ) -> dict[str, tuple[str | None, str | None]]:
    """Base and head texts of the ``paths`` for which ``differs(path)`` is true."""
    out = {}
    for path in sorted(set(paths)):
        if differs(path):
            out[path] = (_read(base_dir / path), _read(head_dir / path))
    return out


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
