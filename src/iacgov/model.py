"""The small typed core model every stage of the pipeline speaks.

Data flows one way: discover -> parse -> normalise -> evaluate -> filter -> report.
Parsers turn files into :class:`Resource` objects, rules turn resources into
:class:`Finding` objects, reporters turn a :class:`ScanResult` into text.
Everything here is a frozen dataclass so stages cannot mutate each other's output.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping  # not typing.Mapping: isinstance() on it is several times slower
from typing import Any, Iterator

from iacgov.kinds import kind_of
from iacgov.limits import Limits


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known statically (a variable without value, a
    computed attribute, a function we do not evaluate...).

    Rules must treat it as *unknown*: never as compliant, never as a violation.
    ``reason`` says why, for messages (``var.region has no value``).
    """

    reason: str = "not known before apply"
    # What the value would come from, when it is a reference: a Terraform
    # address with attribute (``aws_kms_key.main.arn``,
    # ``data.aws_caller_identity.current.account_id``) or a CloudFormation
    # ``Ref`` / ``GetAtt`` target (``AWS::AccountId``, ``Key.Arn``). Rules use it
    # to recognise, for example, the account root in a key policy.
    ref: str | None = None

    def __repr__(self) -> str:  # short in test failure output
        return f"Unknown({self.reason!r}, ref={self.ref!r})" if self.ref else f"Unknown({self.reason!r})"

    # Deliberately truthy: ``if not value`` on an Unknown stays quiet rather
    # than reporting a violation. Rules still test :func:`is_unknown` first
    # when they want to say "cannot be determined".


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def contains_unknown(value: Any) -> bool:
    """True if the value or anything nested in it is :class:`Unknown`."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


class Severity(str, enum.Enum):
    """Finding levels, named as SARIF names them."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a scanned file. ``path`` is POSIX, relative to the scan root."""

    path: str
    line: int = 1
    column: int | None = None
    end_line: int | None = None

    def __post_init__(self) -> None:
        if self.line < 1:
            raise ValueError(f"line numbers start at 1, got {self.line} for {self.path}")


class _KindOf:
    """``Resource.kind``: the Terraform type name for every format (see :mod:`iacgov.kinds`). Worked out on
    first use and kept in the instance (a non-data descriptor: the instance's value is then read directly):
    every rule asks each of an estate's 100,000 resources several times, and the type never changes."""

    def __get__(self, resource: Any, owner: Any = None) -> Any:
        if resource is None:
            return self
        kind = resource.__dict__["kind"] = kind_of(resource.type)
        return kind


@dataclass(frozen=True, eq=False)
class Resource:
    """One infrastructure resource, whatever format it was written in.

    ``attributes`` holds resolved values (str, int, float, bool, None, lists,
    dicts) with :class:`Unknown` wherever a value cannot be known statically.
    ``attribute_locations`` maps dotted attribute paths (``tags.env``,
    ``replica.0.region_name``) to where they are written.
    """

    address: str
    type: str
    cloud: str  # "aws", "azure", "gcp", or the provider name for others
    source_format: str  # "terraform", "terraform-plan", "cloudformation"
    location: Location
    attributes: Mapping[str, Any] = field(default_factory=dict)
    attribute_locations: Mapping[str, Location] = field(default_factory=dict)
    # Normalised location of the resource: a lower-case region / location /
    # zone / multi-region name, Unknown when it cannot be determined, None
    # when the resource type is not regional (IAM, DNS...).
    region: str | Unknown | None = None
    tags: Mapping[str, Any] | Unknown = field(default_factory=dict)  # Unknown if built dynamically
    mode: str = "managed"  # "managed" or "data"
    provider: str | None = None  # Terraform provider configuration, e.g. "aws.us"
    module: str = ""  # "module.archive" (Terraform module path), "" for the root
    # Number of instances: 1 for a plain block, the static count / for_each
    # size, or Unknown.
    count: int | Unknown = 1
    change_actions: tuple[str, ...] = ()  # Terraform plan actions ("create", ...)
    meta: Mapping[str, Any] = field(default_factory=dict)  # lifecycle, depends_on...

    @property
    def name(self) -> str:
        return self.address.rsplit(".", 1)[-1]

    kind = _KindOf()  # not annotated: not a dataclass field (str, the Terraform type name)

    def get(self, path: str, default: Any = None) -> Any:
        """Attribute at a dotted path (``replica.0.region_name``)."""
        value: Any = self.attributes
        for part in path.split("."):
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            elif isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return default
        return value

    def location_of(self, path: str | None = None) -> Location:
        """Where an attribute is written; the closest written parent, else the block."""
        if path:
            parts = path.split(".")
            while parts:
                loc = self.attribute_locations.get(".".join(parts))
                if loc is not None:
                    return loc
                parts.pop()
        return self.location


#: What a notification can say was left out of the analysis (``Notification.scope``).
COVERAGE_SCOPES = ("file", "module", "resource")


@dataclass(frozen=True)
class Notification:
    """Something the tool itself has to say about the input (a file it could
    not parse, a module it did not analyse). ``level`` is a :class:`Severity`:
    an error means part of the input was not checked, and fails the run.

    ``scope`` says what the notification leaves out of the analysis — a whole
    ``"file"``, a ``"module"`` call (its resources were never seen) or one
    ``"resource"`` (seen, but no rule could judge it) — and ``subject`` names
    it (the file's relpath, ``module.bucket``, ``aws_s3_bucket.logs``). A
    notification with a scope is counted in :class:`Coverage`, shown in every
    output, and in review a change that touches it is a decision. ``None``
    for notes that leave nothing out (the cache folder, a suppression note).
    """

    message: str
    location: Location
    level: Severity = Severity.ERROR
    source: str = "iacgov"  # the parser or plugin that raised it
    scope: str | None = None  # one of COVERAGE_SCOPES, or None
    subject: str = ""  # what was not analysed; default: location.path

    def __post_init__(self) -> None:
        if self.scope is not None and self.scope not in COVERAGE_SCOPES:
            raise ValueError(f"notification scope must be one of {COVERAGE_SCOPES}, got {self.scope!r}")
        if self.scope is not None and not self.subject:
            object.__setattr__(self, "subject", self.location.path)


@dataclass(frozen=True)
class Coverage:
    """What a scan analysed and what it did not, with the reasons.

    ``not_analysed`` holds the notifications that leave something out
    (``Notification.scope``), one entry per subject and reason.
    """

    files_analysed: int
    resources_analysed: int
    not_analysed: tuple[Notification, ...] = ()

    def count(self, scope: str) -> int:
        """How many distinct subjects of ``scope`` were not analysed. A subject
        is told apart by where it is written too: ``module.vpc`` called by
        eight root modules is eight module calls not analysed."""
        return len({(n.subject, n.location.path) for n in self.not_analysed if n.scope == scope})

    @property
    def complete(self) -> bool:
        return not self.not_analysed

    def as_dict(self) -> dict[str, Any]:
        """The counts, as JSON and SARIF ``run.properties`` carry them."""
        return {
            "complete": self.complete,
            "files_analysed": self.files_analysed,
            "resources_analysed": self.resources_analysed,
            "files_not_analysed": self.count("file"),
            "modules_not_analysed": self.count("module"),
            "resources_not_analysed": self.count("resource"),
            "not_analysed": [
                {"scope": n.scope, "subject": n.subject, "reason": n.message,
                 "path": n.location.path, "line": n.location.line}
                for n in self.not_analysed
            ],
        }


def coverage_of(files: Any, resources: Any, notifications: Any) -> Coverage:
    """The coverage of a scan: ``files`` analysed, ``resources`` read, and
    the notifications that leave something out (deduplicated, sorted)."""
    left_out = sorted({n for n in notifications if n.scope is not None},
                      key=lambda n: (n.scope, n.subject, n.location, n.message))
    # A file the parser claimed but could not read is not "analysed".
    unread = {n.subject for n in left_out if n.scope == "file"}
    return Coverage(
        files_analysed=sum(1 for f in files if f not in unread),
        resources_analysed=len(resources),  # data sources too, as the summary line counts them
        not_analysed=tuple(left_out),
    )


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on one resource."""

    code: str
    message: str
    severity: Severity
    address: str
    location: Location
    attribute: str | None = None  # dotted attribute path the finding is about
    properties: Mapping[str, Any] = field(default_factory=dict)
    suppression: Suppression | None = None
    # The rule family (LOC, ENC...): by default the code's letters. A bridge
    # sets it when the code does not say it (checkov's CKV_AWS_16 is ENC).
    family: str = ""
    # Where it was found: the Terraform root module directory (``envs/prod``),
    # the CloudFormation template or the plan file; "" when not known. Two
    # roots calling one module give findings of equal file and address that
    # only this tells apart (fingerprints, baselines).
    stack: str = ""

    def __post_init__(self) -> None:
        if not self.family:
            object.__setattr__(self, "family", family_of(self.code))


@dataclass(frozen=True)
class Suppression:
    """Why a finding is not counted: a governed, inline or baseline suppression.

    ``kind`` is the mechanism — ``"inline"`` (a comment), ``"metadata"``
    (CloudFormation ``Metadata``) or ``"baseline"`` (a known finding) — and
    ``source`` whose syntax it is: ``"iacgov"`` for ``iacgov:ignore``, or the
    tool a plugin reads skip comments of (``"checkov"`` for
    ``checkov:skip=CKV_AWS_20:reason``). ``location`` is where it is written
    (None for a baseline entry).
    """

    kind: str
    reason: str
    expires: str | None = None  # ISO date, the last day it applies
    source: str = "iacgov"
    location: Location | None = None


def family_of(code: str) -> str:
    """``LOC001`` -> ``LOC``; ``XACME002`` -> ``XACME``."""
    return code.rstrip("0123456789") or code


@dataclass(frozen=True)
class SourceFile:
    """A file discovery handed to the parsers."""

    path: Path  # absolute
    relpath: str  # POSIX, relative to the scan root

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class ParseResult:
    resources: tuple[Resource, ...] = ()
    notifications: tuple[Notification, ...] = ()
    files: tuple[str, ...] = ()  # relpaths this result covers


@dataclass(frozen=True)
class ParseOptions:
    """What the user told us about values that are not in the files."""

    var_files: tuple[Path, ...] = ()
    variables: Mapping[str, str] = field(default_factory=dict)  # --var k=v
    cfn_parameters: Mapping[str, str] = field(default_factory=dict)  # --cfn-param K=V
    region: str | None = None  # CloudFormation deployment region (--region)
    # Bounds on the work per file (iacgov.limits); None: the defaults. The
    # engine sets them from the policy's ``limits:`` and the CLI.
    limits: Limits | None = None
    jobs: int | None = None  # worker processes for parsing (--jobs); None: one per core, 1: serial
    # The parse cache's folder (iacgov.cache); None: no cache (--no-cache, and library callers by default).
    cache_dir: Path | None = None


@dataclass(frozen=True)
class RuleMeta:
    """What a reporter needs to know about a rule (SARIF ``reportingDescriptor``)."""

    code: str
    name: str  # kebab-case, e.g. "region-not-allowed"
    summary: str  # one line
    description: str  # a paragraph
    severity: Severity
    help_markdown: str
    security_severity: float = 5.0  # GitHub's 0.0-10.0 scale
    precision: str = "high"  # very-high | high | medium | low
    tags: tuple[str, ...] = ()
    help_uri: str | None = None
    family: str = ""  # default: the code's letters (family_of); bridges set it, as on Finding

    def __post_init__(self) -> None:
        if not self.family:
            object.__setattr__(self, "family", family_of(self.code))


@dataclass(frozen=True)
class ScanResult:
    """Everything the reporters see. Lists are sorted, so output is deterministic."""

    root: Path
    findings: tuple[Finding, ...]
    notifications: tuple[Notification, ...]
    rules: Mapping[str, RuleMeta]
    resources: tuple[Resource, ...]
    files: tuple[str, ...]
    policy_source: str  # path of the policy file, or "<embedded default policy>"
    # Internal failures (a parser or rule that crashed): the run fails with exit 2.
    errors: tuple[str, ...] = ()
    # Files left out by --skip-path / the policy's ``exclude``: the user's choice, not a coverage gap.
    excluded: tuple[str, ...] = ()

    def active_findings(self) -> Iterator[Finding]:
        return (f for f in self.findings if f.suppression is None)

    @property
    def coverage(self) -> Coverage:
        """What was analysed and what was not (see :class:`Coverage`)."""
        return coverage_of(self.files, self.resources, self.notifications)
