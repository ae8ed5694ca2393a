"""One CloudFormation template file -> resources, with lines.

Imports cfn-lint's decoder (:mod:`.decoder`), so it is imported only when a
template is parsed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from iacgov.limits import LimitExceeded, Limits, check_json, check_yaml, checkpoint, read_bounded
from iacgov.model import Location, Notification, ParseOptions, ParseResult, Resource, Severity, SourceFile, is_unknown
from iacgov.normalise import cloud_of_type, cloudformation_region, cloudformation_tags
from iacgov.parsers.cloudformation.decoder import DictNode, Uncacheable, convert, decode_str
from iacgov.parsers.cloudformation.intrinsics import FOR_EACH, NO_VALUE, Evaluator, plain

if TYPE_CHECKING:  # pragma: no cover
    from iacgov.cache import ParseCache

SOURCE = "cloudformation"
_TEMPLATE_TYPE = re.compile(r"^(AWS|Alexa|Custom)::")
_EVALUATED_META = ("Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy")


def read_template(file: SourceFile, options: ParseOptions, cache: ParseCache | None = None) -> ParseResult:
    """Never raises for bad input: unreadable or undecodable files become
    notifications. What the file's text decodes to comes from the parse
    ``cache`` when it holds it (:mod:`.decoder`)."""
    limits = options.limits or Limits()
    text = _read_text(file, limits)
    if isinstance(text, Notification):
        return _result(file, notifications=[text])
    key = outcome = None
    if cache is not None:
        key, outcome = cache.get(text.encode("utf-8", "surrogatepass"))
    if not _valid(outcome):
        outcome = _decode(text, limits)
        if key is not None and outcome[0] != "raw":
            cache.put(key, outcome)
    kind = outcome[0]
    if kind == "limit":
        return _result(file, notifications=[_note(file, outcome[1], outcome[2], scope="file")])
    if kind == "errors":
        return _result(file, notifications=[
            _note(file, f"cannot parse CloudFormation template: {message}", line, scope="file")
            for message, line in outcome[1]
        ])
    if kind == "other":
        return _result(file, notifications=[_note(file, "skipped: not a CloudFormation template", level=Severity.NOTE)])
    template = outcome[1]
    return _TemplateReader(file, template, *_deployment_region(file, options, limits)).read()


def _deployment_region(file: SourceFile, options: ParseOptions,
                       limits: Limits) -> tuple[ParseOptions, str | None, Notification | None]:
    """``--region`` when given, else the SAM CLI configuration file's beside the template (:mod:`.samconfig`):
    the options to evaluate the template with, the file's line it came from (None for --region), a warning
    about the file."""
    if options.region:
        return options, None, None
    from iacgov.parsers.cloudformation.samconfig import deployment_region

    found = deployment_region(file.path, file.relpath, limits)
    if found.region is None:
        return options, None, found.warning
    return replace(options, region=found.region), found.source, found.warning


def _decode(text: str, limits: Limits) -> tuple:
    """What the text decodes to: ``("limit", reason, line)``, ``("errors",
    ((message, line), ...))``, ``("other",)`` (not a template), ``("template",
    nodes)``, or ``("raw", template)`` for a template the cache cannot hold."""
    try:
        check_json(text, limits)  # brackets first: cheap, and catches deep JSON before any parser
        check_yaml(text, limits)  # block-style nesting, alias expansion, mapping width (JSON is read as YAML first)
    except LimitExceeded as exc:
        return ("limit", exc.reason, exc.line)
    template, matches = decode_str(text)
    if matches:
        return ("errors", tuple((str(m.message), m.linenumber) for m in matches))
    if not is_template(template):
        return ("other",)
    try:
        # Always iacgov's nodes, so a run with the cache and one without read the same objects.
        return ("template", convert(template))
    except Uncacheable:
        return ("raw", template)


def _valid(outcome: Any) -> bool:
    """Whether a cache entry has the shape :func:`_decode` gives."""
    if not isinstance(outcome, tuple) or not outcome:
        return False
    kind = outcome[0]
    return ((kind == "limit" and len(outcome) == 3 and isinstance(outcome[1], str))
            or (kind == "errors" and len(outcome) == 2 and isinstance(outcome[1], tuple))
            or (kind == "other" and len(outcome) == 1)
            or (kind == "template" and len(outcome) == 2 and isinstance(outcome[1], DictNode)))


def is_template(template: Any) -> bool:
    """A mapping with ``Resources`` of which at least one has an AWS / Alexa /
    custom ``Type``, possibly inside a ``Fn::ForEach``."""
    resources = template.get("Resources") if isinstance(template, dict) else None
    return isinstance(resources, dict) and _declares_resources(resources)


def _declares_resources(entries: Mapping[Any, Any]) -> bool:
    for key, decl in entries.items():
        if str(key).startswith(FOR_EACH):
            if isinstance(decl, list) and len(decl) == 3 and isinstance(decl[2], dict) and _declares_resources(decl[2]):
                return True
        elif isinstance(decl, dict) and isinstance(decl.get("Type"), str) and _TEMPLATE_TYPE.match(decl["Type"]):
            return True
    return False


class _TemplateReader:
    def __init__(self, file: SourceFile, template: Mapping[str, Any], options: ParseOptions,
                 region_source: str | None = None, warning: Notification | None = None) -> None:
        self.file = file
        self.template = template
        self.options = options
        self.region_source = region_source  # the SAM CLI configuration line the deployment region came from
        self.evaluator = Evaluator(template, options.cfn_parameters, options.region)
        self.notifications: list[Notification] = [warning] if warning is not None else []

    def read(self) -> ParseResult:
        resources = []
        for logical_id, decl in self.evaluator.entries(self.template["Resources"]):
            checkpoint()  # the time budget, where no signal can enforce it
            known = len(self.evaluator.undeclared)
            resource = self._resource(logical_id, decl)
            if resource is not None:
                resources.append(resource)
            for name in list(self.evaluator.undeclared)[known:]:
                self._warn(f"{logical_id} refers to {name}, which the template does not declare "
                           "(CloudFormation would reject it): the value is unknown", _line(logical_id))
        return _result(self.file, resources, self.notifications)

    def _resource(self, logical_id: Any, decl: Any) -> Resource | None:
        line = _line(logical_id)
        if is_unknown(decl):  # a Fn::ForEach that cannot be expanded
            self._warn(f"{decl.reason}: the resources it generates are not checked", line, str(logical_id))
            return None
        if not isinstance(decl, dict) or not isinstance(decl.get("Type"), str):
            kind = plain(decl.get("Type")) if isinstance(decl, dict) else None
            self._warn(f"resource {logical_id} has no resource type name (Type: {kind!r}): it is not checked", line,
                       str(logical_id))
            return None
        exists = self.evaluator.condition(decl["Condition"]) if "Condition" in decl else True
        if exists is False:
            return None
        meta: dict[str, Any] = {key: self.evaluator.resolve(decl[key]) for key in _EVALUATED_META if key in decl}
        if "Metadata" in decl:
            meta["Metadata"] = plain(decl["Metadata"])
        if is_unknown(exists):
            meta["condition"] = str(decl["Condition"])
        lines: dict[str, int] = {}
        origins: dict[str, str] = {}
        attributes = self.evaluator.resolve(decl.get("Properties", {}), lines, origins)
        if origins:
            meta["parameter_defaults"] = origins  # attribute path -> the parameter whose Default it is
        if attributes is NO_VALUE:
            attributes = {}
        elif not isinstance(attributes, dict):
            reason = attributes.reason if is_unknown(attributes) else f"{attributes!r} is not a mapping"
            self._warn(f"the Properties of {logical_id} cannot be evaluated ({reason}): they are not checked", line,
                       str(logical_id))
            attributes = {}
        resource_type = str(decl["Type"])
        region = cloudformation_region(resource_type, self.options.region)
        if isinstance(region, str) and self.region_source is not None:
            meta["region_source"] = self.region_source
        return Resource(
            address=str(logical_id),
            type=resource_type,
            cloud=cloud_of_type(resource_type),
            source_format=SOURCE,
            location=Location(self.file.relpath, line),
            attributes=attributes,
            attribute_locations={path: Location(self.file.relpath, n) for path, n in lines.items()},
            region=region,
            tags=cloudformation_tags(attributes),
            meta=meta,
        )

    def _warn(self, message: str, line: int, not_checked: str | None = None) -> None:
        """A warning; ``not_checked`` names the resource it leaves out of the analysis (coverage)."""
        self.notifications.append(_note(self.file, message, line, Severity.WARNING,
                                        scope="resource" if not_checked is not None else None,
                                        subject=not_checked or ""))


def _read_text(file: SourceFile, limits: Limits) -> str | Notification:
    try:
        data = read_bounded(file.path, limits)
    except LimitExceeded as exc:
        return _note(file, exc.reason, scope="file")
    except OSError as exc:
        return _note(file, f"cannot be read ({exc.strerror or exc})", scope="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return _note(file, f"cannot be decoded: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", line,
                     scope="file")


def _line(node: Any) -> int:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else 1


def _note(file: SourceFile, message: str, line: int | None = 1, level: Severity = Severity.ERROR, *,
          scope: str | None = None, subject: str = "") -> Notification:
    """``scope`` / ``subject``: what the notification leaves out of the analysis
    (the whole file, or one resource by logical ID), for coverage."""
    return Notification(f"{file.relpath}: {message}", Location(file.relpath, max(line or 1, 1)), level, SOURCE,
                        scope=scope, subject=subject)


def _result(
    file: SourceFile, resources: Sequence[Resource] = (), notifications: Sequence[Notification] = ()
) -> ParseResult:
    return ParseResult(tuple(resources), tuple(notifications), (file.relpath,))
