"""Terraform plan JSON (``terraform show -json PLAN``) -> resources.

The plan knows what the configuration alone does not: instance addresses
(``aws_instance.web[0]``, ``module.a["x"].aws_s3_bucket.b``), resolved
values, and what each change does. Each instance is one resource:

* ``attributes``: the planned values; for a resource being deleted (no
  planned value), the values before the change. Values known only after apply
  (``change.after_unknown``) are ``Unknown("known after apply",
  ref="<address>.<dotted.path>")``.
* ``change_actions``: ``change.actions`` (``("delete", "create")`` for a replace);
  ``()`` for a data source read during planning. ``meta`` keeps
  ``action_reason``, ``replace_paths`` and ``previous_address`` when present.
* ``provider``: the provider configuration (``aws.us``), found through the
  resource's ``provider_config_key`` in ``configuration``; the region comes
  from :func:`iacgov.normalise.terraform_region`, as for HCL.
* ``tags``: ``tags_all`` (AWS) / ``terraform_labels`` (Google) when planned,
  which already include the provider's default tags.
* A plan has no line numbers: ``location`` is line 1 of the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from iacgov.api import hookimpl
from iacgov.limits import LimitExceeded, Limits, TimeBudgetExceeded, budget_message, check_json, read_bounded, time_budget
from iacgov.model import Location, Notification, ParseOptions, ParseResult, Resource, Severity, SourceFile, Unknown
from iacgov.normalise import cloud_of_type, terraform_region, terraform_tags

SOURCE = "terraform-plan"
_FORMAT_VERSION = re.compile(rb'"format_version"\s*:')
_PLAN_KEYS = re.compile(rb'"(?:planned_values|resource_changes)"\s*:')
_MODULE_CALL = re.compile(r'module\.([^.\[]+)(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?')
_REGION_SHAPED = re.compile(r"^[a-z]+(-[a-z]+)*-[a-z]+-?\d+$")
_PLANNED_TAGS = {"aws": "tags_all", "gcp": "terraform_labels"}
_META_KEYS = ("action_reason", "replace_paths", "previous_address")


def is_plan_head(head: bytes) -> bool:
    """Whether a file's first bytes look like a plan in JSON."""
    return bool(_FORMAT_VERSION.search(head) and _PLAN_KEYS.search(head))


class TerraformPlanParser:
    name = SOURCE

    def claims(self, file: SourceFile, head: bytes) -> bool:
        return file.path.suffix.lower() == ".json" and is_plan_head(head)

    def parse(self, files: Sequence[SourceFile], options: ParseOptions, root: Path) -> Iterable[ParseResult]:
        limits = options.limits or Limits()
        for file in files:
            try:
                with time_budget(limits.file_timeout_seconds):
                    result = read_plan(file, limits)
                yield result
            except TimeBudgetExceeded:
                yield _result(file, notes=[_note(file, budget_message(limits), scope="file")])
            except Exception as exc:  # noqa: BLE001 - a bug on one file must not hide the others
                message = f"{file.relpath}: internal error while reading the plan: {type(exc).__name__}: {exc}"
                note = Notification(message, Location(file.relpath), source=SOURCE, scope="file")
                yield ParseResult(notifications=(note,), files=(file.relpath,))


@hookimpl
def iacgov_parsers() -> list[TerraformPlanParser]:
    return [TerraformPlanParser()]


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key written twice: a plan crafted with two
    ``resource_changes`` could show one set of changes to iacgov and another
    to a tool that keeps the first."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def read_plan(file: SourceFile, limits: Limits | None = None) -> ParseResult:
    """Never raises for bad input: unreadable, undecodable or oversized files
    (:mod:`iacgov.limits`) become notifications."""
    limits = limits or Limits()
    try:
        text = read_bounded(file.path, limits).decode("utf-8-sig")
        check_json(text, limits)
        plan = json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        return _result(file, notes=[_note(file, f"cannot parse plan JSON: the key {exc.key!r} is written twice in "
                                                "one object (Terraform never writes that; which one counts is "
                                                "ambiguous): not read", scope="file")])
    except LimitExceeded as exc:
        return _result(file, notes=[_note(file, exc.reason, exc.line or 1, scope="file")])
    except OSError as exc:
        return _result(file, notes=[_note(file, f"cannot be read ({exc.strerror or exc})", scope="file")])
    except UnicodeDecodeError as exc:
        return _result(file, notes=[_note(file, f"cannot be decoded: not UTF-8 text (offset {exc.start})",
                                          scope="file")])
    except json.JSONDecodeError as exc:
        return _result(file, notes=[_note(file, f"cannot parse plan JSON: {exc.msg}", exc.lineno, scope="file")])
    if not isinstance(plan, dict) or "format_version" not in plan:
        return _result(file, notes=[_note(file, "skipped: not a Terraform plan", level=Severity.NOTE)])
    notes = []
    if not str(plan["format_version"]).startswith("1."):
        notes.append(_note(file, f"plan format_version {plan['format_version']} is not supported: read as 1.x",
                           level=Severity.WARNING))
    if plan.get("errored"):
        notes.append(_note(file, "Terraform reported errors while planning: the plan may be incomplete",
                           level=Severity.WARNING))
    return _result(file, list(_PlanReader(file, plan).resources()), notes)


class _PlanReader:
    def __init__(self, file: SourceFile, plan: Mapping[str, Any]) -> None:
        self.file = file
        self.variables = _mapping(plan.get("variables"))
        configuration = _mapping(plan.get("configuration"))
        self.provider_configs = _mapping(configuration.get("provider_config"))
        self.config_keys = dict(_config_resources(_mapping(configuration.get("root_module")), ()))
        self.planned = {r["address"]: (r, module) for r, module in _planned(_planned_root(plan))}
        # Deposed objects share their address with the current one; the current one stands for both.
        self.changes = {
            rc["address"]: rc for rc in _list(plan.get("resource_changes"))
            if isinstance(rc, dict) and isinstance(rc.get("address"), str) and not rc.get("deposed")
        }

    def resources(self) -> Iterator[Resource]:
        for address in [*self.changes, *(a for a in self.planned if a not in self.changes)]:
            yield self._resource(address)

    def _resource(self, address: str) -> Resource:
        planned, module = self.planned.get(address, (None, ""))
        rc = self.changes.get(address, {})
        change = _mapping(rc.get("change"))
        actions = tuple(str(a) for a in _list(change.get("actions")))
        source = planned or rc
        if planned is not None:
            values, unknown = planned.get("values"), change.get("after_unknown")
        elif "create" in actions or "update" in actions:
            values, unknown = change.get("after"), change.get("after_unknown")
        else:  # delete, forget: nothing is planned, the values are the ones before
            values, unknown = change.get("before"), None
        values = _mapping(_unknown_after_apply(_mapping(values), unknown, address))
        module = str(rc.get("module_address") or module)
        resource_type = str(source.get("type", ""))
        mode = str(source.get("mode", "managed"))
        key = self._config_key(module, mode, resource_type, str(source.get("name", "")))
        provider_name = key.rpartition(":")[2] if key else str(source.get("provider_name", "")).rpartition("/")[2]
        provider = self._provider_values(key) if key else None
        region = terraform_region(resource_type, _without_unknown_region(values), provider, provider_name)
        if key is None and isinstance(region, Unknown):
            region = Unknown(f"{address} is not in the configuration: its provider configuration is not known")
        return Resource(
            address=address,
            type=resource_type,
            cloud=cloud_of_type(resource_type),
            source_format=SOURCE,
            location=Location(self.file.relpath, 1),
            attributes=values,
            region=region,
            tags=_tags(resource_type, values, provider) if mode == "managed" else {},
            mode=mode,
            provider=provider_name or None,
            module=module,
            change_actions=actions,
            meta={k: rc[k] for k in _META_KEYS if rc.get(k) is not None},
        )

    def _config_key(self, module: str, mode: str, resource_type: str, name: str) -> str | None:
        calls = tuple(_MODULE_CALL.findall(module))
        local = f"{'data.' if mode == 'data' else ''}{resource_type}.{name}"
        return self.config_keys.get((calls, local))

    def _provider_values(self, key: str) -> dict[str, Any] | None:
        """The configuration a provider key stands for. A module without a
        provider block of its own (or listing the provider only in
        ``required_providers``, which has no expressions) inherits its
        parent's: walk up until a block with expressions is found."""
        exists = False
        while True:
            config = self.provider_configs.get(key)
            if isinstance(config, dict):
                if "expressions" in config:
                    return self._expressions(_mapping(config["expressions"]), key)
                exists = True
            module, _, local = key.rpartition(":")
            if not module:
                return {} if exists else None
            parent = ".".join(module.split(".")[:-2])
            key = f"{parent}:{local}" if parent else local

    def _expressions(self, expressions: Mapping[str, Any], key: str) -> dict[str, Any]:
        return {name: self._expression(expr, name, key) for name, expr in expressions.items()}

    def _expression(self, expr: Any, name: str, key: str) -> Any:
        """A configuration expression: constant, reference or nested blocks."""
        if isinstance(expr, list):
            return [self._expression(block, name, key) for block in expr]
        if not isinstance(expr, dict):
            return expr
        if "constant_value" in expr:
            return expr["constant_value"]
        if "references" in expr:
            return self._reference(_list(expr["references"]), name, key)
        return {k: self._expression(v, k, key) for k, v in expr.items()}

    def _reference(self, references: list[Any], name: str, key: str) -> Any:
        """``region = var.region`` in the root module is the common case, and
        the plan carries the variable's value. The plan lists references but
        not the expression, so the value is taken only for a root ``region``
        referring to one variable, and only when it looks like a region."""
        if name == "region" and ":" not in key and len(references) == 1 and str(references[0]).startswith("var."):
            value = _mapping(self.variables.get(references[0][4:])).get("value")
            if isinstance(value, str) and _REGION_SHAPED.match(value):
                return value
        refs = ", ".join(map(str, references))
        return Unknown(f"provider {key} sets {name} from {refs}", ref=str(references[0]) if references else None)


def _planned_root(plan: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(_mapping(plan.get("planned_values")).get("root_module"))


def _planned(module: Mapping[str, Any]) -> Iterator[tuple[dict, str]]:
    """``(resource, module address)`` for every planned instance, depth first."""
    for resource in _list(module.get("resources")):
        if isinstance(resource, dict) and isinstance(resource.get("address"), str):
            yield resource, str(module.get("address", ""))
    for child in _list(module.get("child_modules")):
        if isinstance(child, dict):
            yield from _planned(child)


def _config_resources(module: Mapping[str, Any], calls: tuple[str, ...]) -> Iterator[tuple[tuple, str]]:
    """``((module call names, local address), provider_config_key)`` for every configured resource."""
    for resource in _list(module.get("resources")):
        if isinstance(resource, dict) and "address" in resource and "provider_config_key" in resource:
            yield (calls, str(resource["address"])), str(resource["provider_config_key"])
    for name, call in _mapping(module.get("module_calls")).items():
        yield from _config_resources(_mapping(_mapping(call).get("module")), (*calls, str(name)))


def _unknown_after_apply(value: Any, mask: Any, ref: str) -> Any:
    """``value`` with an Unknown wherever ``after_unknown`` says ``true``."""
    if mask is True:
        return Unknown("known after apply", ref=ref)
    if isinstance(mask, dict) and (value is None or isinstance(value, dict)):
        out = dict(value or {})
        for key, sub in mask.items():
            if sub is not False:
                out[key] = _unknown_after_apply(out.get(key), sub, f"{ref}.{key}")
        return out
    if isinstance(mask, list) and (value is None or isinstance(value, list)):
        out = list(value or [])
        out.extend([None] * (len(mask) - len(out)))  # unknown list items are planned as null
        for i, sub in enumerate(mask):
            if sub is not False:
                out[i] = _unknown_after_apply(out[i], sub, f"{ref}.{i}")
        return out
    return value


def _without_unknown_region(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """AWS provider v5 computes ``region`` on a few types (S3 buckets): unknown
    at creation, where the provider's region is the answer."""
    if isinstance(values.get("region"), Unknown):
        return {k: v for k, v in values.items() if k != "region"}
    return values


def _tags(resource_type: str, values: Mapping[str, Any], provider: Mapping[str, Any] | None) -> Any:
    key = _PLANNED_TAGS.get(cloud_of_type(resource_type))
    planned = values.get(key) if key else None
    if isinstance(planned, (dict, Unknown)):
        return planned
    return terraform_tags(resource_type, values, provider)


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _note(file: SourceFile, message: str, line: int = 1, level: Severity = Severity.ERROR, *,
          scope: str | None = None) -> Notification:
    """``scope="file"``: the plan was not read at all (coverage)."""
    return Notification(f"{file.relpath}: {message}", Location(file.relpath, max(line, 1)), level, SOURCE,
                        scope=scope)


def _result(file: SourceFile, resources: Sequence[Resource] = (), notes: Sequence[Notification] = ()) -> ParseResult:
    return ParseResult(tuple(resources), tuple(notes), (file.relpath,))
