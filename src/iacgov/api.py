"""The public API for plugins: protocols, base classes and the model.

Third-party packs import from here (and only from here), like the built-in
rule pack does.
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping  # not typing.Mapping: isinstance() on it is several times slower
from typing import Any, Iterable, Protocol, Sequence, runtime_checkable

import pluggy

from iacgov.fingerprint import stack_of
from iacgov.kinds import attr, kind_of
# The platform catalog (what iacgov knows about each kind of resource) and its readers.
from iacgov import platform
# Platform knowledge the core owns and rule packs read (never the other way):
# ``iam.statements(...)``, ``arn.parse_arn(...)``, ``grants.azure_grants(...)``.
from iacgov.platform import arn, grants, iam
# Continuity facts (achievable RPO / RTO) and the policy's applications (BCK004, BCK005).
from iacgov.platform import continuity
from iacgov.applications import Application, application_for, applications
from iacgov.platform.references import ReferenceIndex, base_address, ref_target, referenced, same_root
from iacgov.placeholders import UnknownTemplate
from iacgov.environments import UNASSIGNED, environment_of

from iacgov.model import (
    COVERAGE_SCOPES,
    Coverage,
    Finding,
    Location,
    Notification,
    ParseOptions,
    ParseResult,
    Resource,
    RuleMeta,
    ScanResult,
    Severity,
    SourceFile,
    Suppression,
    Unknown,
    contains_unknown,
    family_of,
    is_unknown,
)

hookimpl = pluggy.HookimplMarker("iacgov")

__all__ = [
    "Application", "COVERAGE_SCOPES", "UNASSIGNED", "CheckResult", "application_for", "applications", "continuity",
    "Coverage", "FileCheck",
    "Finding", "Location", "attr", "kind_of", "Notification", "ParseOptions", "ParseResult", "Parser",
    "Policy", "ReferenceIndex", "Reporter", "Resource", "ResourceRule", "Rule", "RuleContext", "RuleMeta",
    "ScanResult", "Severity", "SourceFile", "Suppression", "Unknown", "UnknownTemplate", "arn", "base_address",
    "contains_unknown", "environment_of", "family_of", "grants", "hookimpl", "iam", "is_unknown", "platform",
    "ref_target", "referenced", "rule_finding", "rule_meta_from_docstring", "same_root",
    "stack_of",
]


@runtime_checkable
class Parser(Protocol):
    name: str

    def claims(self, file: SourceFile, head: bytes) -> bool:
        """Whether this parser reads ``file``; ``head`` is its first 64 KiB."""

    def parse(self, files: Sequence[SourceFile], options: ParseOptions, root: Any) -> Iterable[ParseResult]:
        """Parse the claimed files. Never raises for bad input: a file that
        cannot be read becomes a :class:`Notification` naming it."""


@runtime_checkable
class Reporter(Protocol):
    name: str  # the --format value

    def render(self, result: ScanResult, *, color: bool = False) -> str:
        """The whole report as text; ``color`` only when writing to a terminal."""


class Policy:
    """The validated policy, read-only, with dotted look-ups."""

    def __init__(self, data: Mapping[str, Any], source: str) -> None:
        self.data = data
        self.source = source

    def get(self, path: str, default: Any = None) -> Any:
        value: Any = self.data
        for part in path.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return default
            value = value[part]
        return value


@dataclass(frozen=True)
class RuleContext:
    policy: Policy
    resources: Sequence[Resource] = ()  # every resource of the scan, for cross-resource rules
    options: Mapping[str, Any] = field(default_factory=dict)
    # What a file check (a bridge to another tool) needs to read the files itself:
    # the scan root every Location.path is relative to, the files discovery
    # found keyed by the parser that claimed them ("terraform", "terraform-plan",
    # "cloudformation"), and the user's --var / --cfn-param / --region.
    root: Path | None = None
    files: Mapping[str, Sequence[SourceFile]] = field(default_factory=dict)
    parse_options: ParseOptions = field(default_factory=ParseOptions)
    # What the parsers left out (notifications with a ``scope``: files, module
    # calls, resources not analysed), for rules that report coverage as findings.
    not_analysed: Sequence[Notification] = ()
    # ``resources`` indexed once per scan: by address and kind, references
    # between resources of one root module, and rules' own per-scan indexes
    # (``index.memo``). The engine builds it; a context made without one gets
    # its own, so a rule never keeps a cache of its own between scans.
    index: ReferenceIndex = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not isinstance(self.resources, tuple):
            object.__setattr__(self, "resources", tuple(self.resources))
        if self.index is None or self.index.resources is not self.resources:  # an index of other resources
            object.__setattr__(self, "index", ReferenceIndex(self.resources))


@dataclass(frozen=True)
class CheckResult:
    """What a :class:`FileCheck` reports for one scan.

    ``rules`` holds the metadata of every code in ``findings`` (suppressed
    ones included): it becomes the SARIF rule descriptor, once per code.
    ``errors`` are one-line messages for what stopped the check (its tool
    missing, crashing or timing out): the run fails with exit code 2.
    """

    findings: Sequence[Finding] = ()
    notifications: Sequence[Notification] = ()
    rules: Mapping[str, RuleMeta] = field(default_factory=dict)
    errors: Sequence[str] = ()


@runtime_checkable
class FileCheck(Protocol):
    """A bridge to another tool: reads the scanned files itself (``ctx.files``)
    and reports findings under many codes, with their metadata.

    ``name`` names it in messages and in ``iacgov rules``; ``codes`` says what
    its codes look like there (``CKV_*``); ``summary`` is one line.
    """

    name: str
    codes: str
    summary: str

    def run(self, ctx: RuleContext) -> CheckResult: ...

    def describe(self, code: str) -> RuleMeta | None:
        """Metadata of one of its codes, for ``iacgov rule CODE``; None if not its code."""


@runtime_checkable
class Rule(Protocol):
    meta: RuleMeta

    def evaluate(self, resources: Sequence[Resource], ctx: RuleContext) -> Iterable[Finding]: ...


# A ``## Section`` heading: ``^##\s+(.+?)\s*$`` (MULTILINE), written to start with the literal ``##`` (then
# "at a line's start" as a look-behind) so that re searches for ``##`` instead of trying every position: the
# same matches, a quarter of the time over the rule pack's docstrings (parsed as each rule module is imported).
_SECTION = re.compile(r"##(?<![^\n]##)\s+(.+?)\s*$", re.MULTILINE)
_UNINDENTED_LINE = re.compile(r"\n\S")
REQUIRED_SECTIONS = ("What it flags", "Why it matters", "How to fix", "Options")


def cleandoc(doc: str) -> str:
    """:func:`inspect.cleandoc`, without its loop over the lines when a line after the first starts with
    text (a module's docstring): then no margin is common to them, and what is left to do is to strip the
    first line's leading whitespace and the empty lines at both ends."""
    text = doc.expandtabs()
    if _UNINDENTED_LINE.search(text) is None:
        return inspect.cleandoc(doc)
    first, newline, rest = text.partition("\n")
    return (first.lstrip() + newline + rest).rstrip("\n").lstrip("\n")


def docstring_sections(doc: str) -> tuple[str, dict[str, str]]:
    """Split a rule docstring into its title line and ``## Section`` bodies."""
    doc = cleandoc(doc or "")
    title, _, rest = doc.partition("\n")
    parts = _SECTION.split(rest)
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    return title.strip(), sections


def rule_meta_from_docstring(
    doc: str,
    *,
    code: str,
    name: str,
    severity: Severity,
    security_severity: float,
    precision: str = "high",
    tags: Sequence[str] = (),
    help_uri: str | None = None,
) -> RuleMeta:
    """Rule metadata from a rule module's docstring (its documentation).

    The docstring starts with ``CODE — summary.`` and has the sections of
    :data:`REQUIRED_SECTIONS`; their text becomes the SARIF help.

    ``__doc__`` in a class body is the *class's* docstring when the class has
    one, else the module's: giving the rule class a docstring would silently
    replace its documentation. That is refused (TypeError): the docs live in
    the module docstring (what ``docs/rules/`` is generated from).
    """
    caller = sys._getframe(1)
    if (doc is not None and caller.f_locals is not caller.f_globals and "__qualname__" in caller.f_locals
            and caller.f_locals.get("__doc__") is doc and doc is not caller.f_globals.get("__doc__")):
        raise TypeError(
            f"{code}: rule_meta_from_docstring got the docstring of class {caller.f_locals['__qualname__']} "
            f"({caller.f_globals.get('__name__')}); a rule's documentation is its module's docstring: "
            "move the text there (or pass the module's docstring explicitly)")
    title, sections = docstring_sections(doc)
    summary = title.split("—", 1)[-1].strip() if "—" in title else title
    description = sections.get("What it flags", summary)
    help_markdown = "\n\n".join(f"## {k}\n\n{v}" for k, v in sections.items())
    return RuleMeta(
        code=code,
        name=name,
        summary=summary,
        description=" ".join(description.split("\n\n", 1)[0].split()),
        severity=severity,
        help_markdown=help_markdown,
        security_severity=security_severity,
        precision=precision,
        tags=tuple(tags),
        help_uri=help_uri,
    )


class ResourceRule:
    """Base class for rules that look at one resource at a time.

    Subclasses set ``meta`` and implement :meth:`check`.
    """

    meta: RuleMeta
    # True when a finding on a resource depends only on that resource, the
    # other resources of its own Terraform root module (references looked up
    # with ``same_root``) and the policy: the evaluation cache
    # (:mod:`iacgov.evalcache`) may then replay the rule's findings for a root
    # module whose inputs did not change. Declared by the rule's author; the
    # default (False) runs the rule on every scan.
    root_local: bool = False

    def applies_to(self, resource: Resource) -> bool:
        return resource.mode == "managed"

    def check(self, resource: Resource, ctx: RuleContext) -> Iterable[Finding]:
        raise NotImplementedError

    def evaluate(self, resources: Sequence[Resource], ctx: RuleContext) -> Iterable[Finding]:
        for resource in resources:
            if self.applies_to(resource):
                yield from self.check(resource, ctx)

    def finding(
        self,
        resource: Resource,
        message: str,
        *,
        attribute: str | None = None,
        severity: Severity | None = None,
        **properties: Any,
    ) -> Finding:
        return rule_finding(self.meta, resource, message, attribute, severity, **properties)


def rule_finding(
    meta: RuleMeta,
    resource: Resource,
    message: str,
    attribute: str | None = None,
    severity: Severity | None = None,
    **properties: Any,
) -> Finding:
    """A finding of the rule ``meta`` describes on ``resource``: placed where
    ``attribute`` is written (else the closest written parent, else the block),
    at the rule's severity unless told, in the resource's stack. For rules that
    are not :class:`ResourceRule` (they see every resource at once)."""
    return Finding(
        code=meta.code,
        message=message,
        severity=severity or meta.severity,
        address=resource.address,
        location=resource.location_of(attribute),
        attribute=attribute,
        properties=properties,
        stack=stack_of(resource),  # two roots calling one module stay apart (fingerprints)
    )


# The cost model, for the COST rules: loaded on first use, so that a scan whose
# policy sets no budget never imports it (start-up time, tests/test_startup.py).
_LAZY = {
    "scan_estimate": ("iacgov.cost.estimate", "scan_estimate"),
    "counted": ("iacgov.cost.estimate", "counted"),
    "size_of": ("iacgov.cost.pricers", "size_of"),
    "per_environment": ("iacgov.cost.environments", "per_environment"),
    "cost_environment_of": ("iacgov.cost.environments", "environment_of"),  # with the reason (tag, path)
    "show_money": ("iacgov.cost.report", "show_money"),
    "cost_budgets": ("iacgov.cost.grouping", "budgets"),  # environment, application and category budgets
    # the lines counting against one budget, each with its own resource's application and tags
    "cost_budget_members": ("iacgov.cost.grouping", "budget_members"),
    "warn_at": ("iacgov.cost.grouping", "warn_at"),
    "cost_line_stacks": ("iacgov.cost.grouping", "line_stacks"),  # each line's own root module (findings' stack)
}
__all__ += sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value
