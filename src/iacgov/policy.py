"""Load and validate the governance policy (``iacgov.yaml``).

The policy is YAML read with PyYAML's safe loader, validated against the JSON
Schema shipped in the package (plus the keys plugins declare), then checked
for what a schema cannot know: the regions of each cloud (``iacgov.regions``)
and the rule codes of the plugins actually loaded (:class:`RuleVocabulary`).
A typo must never weaken the policy silently, so every problem is reported at
once, one line each, ``file:line: key: reason`` with the line of the offending
key itself and a did-you-mean where one fits: :class:`PolicyError`, which the
CLI turns into exit code 2.

Environment names (``cost.budgets.prod``) cannot be checked before the scan:
:func:`environment_warnings` reports, as warnings, those no scanned resource
carries.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import sys
import weakref
from dataclasses import dataclass
from functools import lru_cache
from iacgov.plugins import resources  # importlib.resources.files, without importing it
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from iacgov.api import Policy
from iacgov.limits import Limits, LimitExceeded, check_yaml
from iacgov.model import Location, Notification, Resource, Severity, family_of
from iacgov.regions import CLOUDS, cloud_suggestion, region_problem, suggest

POLICY_NAMES = ("iacgov.yaml", ".iacgov.yaml")
EMBEDDED = "<embedded default policy>"
MAX_POLICY_BYTES = 1024 * 1024


class PolicyError(Exception):
    """The policy file is missing, unreadable or invalid (one line per problem)."""


@lru_cache(maxsize=None)
def _data_text(name: str) -> str:
    return resources.files("iacgov").joinpath("data", name).read_text(encoding="utf-8")


def default_policy_text() -> str:
    return _data_text("default_policy.yaml")


def base_schema() -> dict[str, Any]:
    return json.loads(_data_text("policy.schema.json"))


def policy_schema(plugin_properties: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The core schema with the top-level keys plugins declare merged in."""
    schema = copy.deepcopy(base_schema())
    for props in plugin_properties:
        for key, sub in props.items():
            schema["properties"][key] = sub
    return schema


# --------------------------------------------------------------------------- rule codes


@dataclass(frozen=True)
class RuleVocabulary:
    """The rule codes and families a policy may name: the loaded rules', and
    the codes a loaded bridge (file check) claims — by its ``codes`` pattern
    (``CKV_*``) or its ``describe(code)`` (checkov's ``CKV2_AWS_6``)."""

    codes: frozenset[str]
    families: frozenset[str]
    bridges: tuple[Any, ...] = ()

    def knows_code(self, code: str) -> bool:
        return code in self.codes or any(_bridge_claims(bridge, code) for bridge in self.bridges)

    def knows_family(self, family: str) -> bool:
        return family in self.families

    def cache_key(self) -> str:
        patterns = sorted(str(getattr(b, "codes", "")) for b in self.bridges)
        return json.dumps([sorted(self.codes), sorted(self.families), patterns])


def _bridge_claims(bridge: Any, code: str) -> bool:
    pattern = getattr(bridge, "codes", None)
    if isinstance(pattern, str) and pattern and fnmatch.fnmatchcase(code, pattern):
        return True
    describe = getattr(bridge, "describe", None)
    try:
        return callable(describe) and describe(code) is not None
    except Exception:  # noqa: BLE001 - a bridge that cannot answer does not claim the code
        return False


def _pattern_families(pattern: str) -> set[str]:
    """The family a bridge's codes carry besides iacgov's (hookspecs: X<TOOL>):
    ``XCFN_*`` -> XCFN; ``CKV_*`` -> XCKV (checkov's findings are never family CKV)."""
    match = re.match(r"[A-Z][A-Z0-9]*?(?=\d*[_*?\[]|$)", pattern)
    if not match:
        return set()
    base = match.group(0)
    return {base if base.startswith("X") else "X" + base}


def rule_vocabulary(host: Any) -> RuleVocabulary:
    """What the plugins of ``host`` provide (raises PluginError as the engine does)."""
    from iacgov.engine import collect_file_checks, collect_rules

    metas = [rule.meta for rule in collect_rules(host)]
    checks = collect_file_checks(host)
    families = {m.family for m in metas} | {family_of(m.code) for m in metas}
    for check in checks:
        families |= _pattern_families(str(getattr(check, "codes", "")))
    return RuleVocabulary(frozenset(m.code for m in metas), frozenset(families), tuple(checks))


# --------------------------------------------------------------------------- loading


def find_policy(scan_paths: Sequence[Path], root: Path) -> Path | None:
    """``iacgov.yaml`` / ``.iacgov.yaml`` in the scanned directory, then in its
    parents up to the repository root."""
    first = scan_paths[0].absolute() if scan_paths else Path.cwd()
    start = first if first.is_dir() else first.parent
    root = root.absolute()
    for folder in (start, *start.parents):
        for name in POLICY_NAMES:
            if (folder / name).is_file():
                if root.resolve() not in (folder / name).resolve().parents:  # a link out of the tree: not read
                    raise PolicyError(f"{folder / name}: a symbolic link to a file outside the scanned repository; "
                                      "not read (give a policy with --policy)")
                return folder / name
        if folder == root or root not in folder.parents:
            break
    return None


def load_policy(path: Path | None, plugin_properties: Iterable[Mapping[str, Any]] = (),
                cache_dir: Path | None = None, vocabulary: RuleVocabulary | None = None) -> Policy:
    """The policy at ``path`` (None: the embedded default). With a parse
    ``cache_dir``, a policy already validated against the same schema and
    vocabulary is read back from the cache (no YAML or JSON Schema work: the
    pre-commit path). Without ``vocabulary``, rule codes are not checked."""
    if path is None:
        return parse_policy(default_policy_text(), EMBEDDED, plugin_properties, cache_dir, vocabulary)
    try:
        if path.stat().st_size > MAX_POLICY_BYTES:
            raise PolicyError(f"{path}: policy file is larger than {MAX_POLICY_BYTES // 1024} KiB")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise PolicyError(f"{path}: policy file not found") from None
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: policy file is not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy file ({exc.strerror or exc})") from None
    return parse_policy(text, str(path), plugin_properties, cache_dir, vocabulary)


def parse_policy(text: str, source: str, plugin_properties: Iterable[Mapping[str, Any]] = (),
                 cache_dir: Path | None = None, vocabulary: RuleVocabulary | None = None) -> Policy:
    plugin_properties = list(plugin_properties)
    known = _shipped_default_reading(text, plugin_properties, vocabulary)
    if known is not None:  # no YAML read (~100 M instructions for PyYAML's import) for the shipped default
        policy = Policy(known["data"], source)
        _SETTING_LINES[policy] = known["lines"]
        return policy
    cache = _validated_cache(cache_dir, plugin_properties, vocabulary)
    key = None
    if cache is not None:
        key, entry = cache.get(text.encode("utf-8", "surrogatepass"))
        if isinstance(entry, dict) and isinstance(entry.get("data"), dict) and isinstance(entry.get("lines"), dict):
            policy = Policy(entry["data"], source)
            _SETTING_LINES[policy] = entry["lines"]
            return policy
    policy, node = _parse_policy(text, source, plugin_properties, vocabulary)
    lines = _setting_lines(policy, node)
    _SETTING_LINES[policy] = lines
    if key is not None:
        cache.put(key, {"data": policy.data, "lines": lines})
    return policy


def _validated_cache(cache_dir: Path | None, plugin_properties: list[Mapping[str, Any]],
                     vocabulary: RuleVocabulary | None) -> Any:
    """Policies that validated, by text, schema (with the keys plugins add), the
    rule vocabulary, the region catalogs and this module's code."""
    if cache_dir is None:
        return None
    from iacgov.cache import ParseCache, package_hash, source_hash

    try:
        plugins = json.dumps(plugin_properties, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return None
    regions = "".join(_data_text(f"regions/{cloud}.json") for cloud in CLOUDS)
    namespace = (source_hash(__name__, "iacgov.limits", "iacgov.regions"), _data_text("policy.schema.json"), plugins,
                 vocabulary.cache_key() if vocabulary is not None else "-", regions,
                 package_hash("yaml", "__init__.py"), package_hash("jsonschema", "__init__.py", "validators.py"))
    classes = ("datetime:date", "datetime:datetime", "datetime:timezone", "datetime:timedelta")
    return ParseCache(cache_dir, "policy", namespace, classes)


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the policy, at the line of the offending key or item."""

    line: int
    key: str
    reason: str


def _raise(source: str, problems: Iterable[Problem]) -> None:
    unique = sorted(set(problems), key=lambda p: (p.line, p.key, p.reason))
    if unique:
        raise PolicyError("\n".join(f"{source}:{p.line}: {p.key}: {p.reason}" for p in unique))


def _parse_policy(text: str, source: str, plugin_properties: Iterable[Mapping[str, Any]] = (),
                  vocabulary: RuleVocabulary | None = None) -> tuple[Policy, Any]:
    """The valid policy and its composed YAML (raises PolicyError)."""
    try:
        # A policy found in the scanned tree is as untrusted as the rest of it.
        check_yaml(text, Limits())
    except LimitExceeded as exc:
        raise PolicyError(f"{source}:{exc.line or 1}: {exc.reason}") from None
    node, data, problems = _read_yaml(text, source)
    if data is None:
        raise PolicyError(f"{source}: policy file is empty (start with 'version: 1')")
    if not isinstance(data, dict):
        raise PolicyError(f"{source}:1: a policy is a mapping of keys, not a {type(data).__name__}")

    plugin_properties = list(plugin_properties)
    if not _shipped_default(text, data, plugin_properties):
        schema = policy_schema(plugin_properties)
        if schema_verdict(schema, data) is not True:
            import jsonschema  # ~60 ms with referencing, attrs...: only to word what is wrong (or to decide)

            validator = jsonschema.Draft202012Validator(schema)
            problems += _schema_problems(validator.iter_errors(data), node, vocabulary)
    problems += _meaning_problems(data, node, vocabulary)
    _raise(source, problems)
    return Policy(data, source), node


class _Undecided(Exception):
    """What :func:`schema_verdict` does not decide exactly as jsonschema does."""


def schema_verdict(schema: Any, instance: Any) -> bool | None:
    """Whether jsonschema's ``Draft202012Validator(schema)`` finds ``instance``
    valid (True) or not (False), decided without importing it (~60 ms with
    referencing and attrs, most of a run whose policy is valid): the keywords
    the policy schema uses, each read as jsonschema 4 reads it
    (``jsonschema._keywords``, ``_types``, ``_utils.equal`` / ``uniq``). None
    for anything else (another keyword, a reference out of the schema, a
    comparison jsonschema would fail on): then jsonschema decides. Only True
    skips jsonschema; a policy with problems is worded by it as always."""
    try:
        return _valid(schema, instance, schema)
    except (_Undecided, RecursionError, TypeError, ValueError, re.error):
        return None


# Keywords that only annotate (``format`` too: the validator is made without a format checker).
_ANNOTATIONS = frozenset({"$schema", "$defs", "$comment", "title", "description", "default", "examples",
                          "deprecated", "readOnly", "writeOnly", "format", "then", "else"})


def _valid(schema: Any, instance: Any, root: Any) -> bool:
    if schema is True or schema is False:
        return schema
    if not isinstance(schema, dict) or ("$id" in schema and schema is not root):
        raise _Undecided  # another base URI would change what "$ref" names
    valid = True
    for keyword, value in schema.items():  # every keyword, as jsonschema's iter_errors does (no early return)
        if keyword in _ANNOTATIONS or (keyword == "$id" and schema is root):
            continue
        check = _KEYWORDS.get(keyword)
        if check is None:
            raise _Undecided
        valid = check(value, instance, schema, root) and valid
    return valid


def _is_type(instance: Any, name: str) -> bool:
    """jsonschema's draft 2020-12 type checker."""
    import numbers

    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if name == "integer":
        return not isinstance(instance, bool) and (
            isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer()))
    if name == "number":
        return not isinstance(instance, bool) and isinstance(instance, numbers.Number)
    raise _Undecided  # jsonschema: UnknownType


def _equal(one: Any, two: Any) -> bool:
    """jsonschema._utils.equal: 1 and True differ, 1 and 1.0 do not, containers compared item by item."""
    from collections.abc import Mapping as AnyMapping, Sequence

    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, AnyMapping) and isinstance(two, AnyMapping):
        return len(one) == len(two) and all(key in two and _equal(value, two[key]) for key, value in one.items())
    return _unbool(one) == _unbool(two)


_TRUE, _FALSE = object(), object()


def _unbool(value: Any) -> Any:
    return _TRUE if value is True else _FALSE if value is False else value


def _unique(items: list[Any]) -> bool:
    """jsonschema._utils.uniq, step for step (sorted neighbours, else every pair)."""
    try:
        ordered = sorted(_unbool(i) for i in items)
        return not any(_equal(a, b) for a, b in zip(ordered, ordered[1:]))
    except (NotImplementedError, TypeError):
        seen: list[Any] = []
        for item in map(_unbool, items):
            if any(_equal(earlier, item) for earlier in seen):
                return False
            seen.append(item)
        return True


def _number(instance: Any) -> bool:
    return _is_type(instance, "number")


def _ref(ref: Any, instance: Any, schema: Any, root: Any) -> bool:
    """A reference within the schema itself (``#/$defs/name``), as a JSON pointer."""
    if not isinstance(ref, str) or not ref.startswith("#/") or "%" in ref:
        raise _Undecided
    target = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            raise _Undecided
    return _valid(target, instance, root)


def _additional(value: Any, instance: Any, schema: Any, root: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    properties = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    extras = [k for k in instance if k not in properties and not (patterns and re.search(patterns, k))]
    if isinstance(value, dict):
        return all([_valid(value, instance[k], root) for k in extras])
    return bool(value) or not extras


def _if(value: Any, instance: Any, schema: Any, root: Any) -> bool:
    if _valid(value, instance, root):
        return _valid(schema["then"], instance, root) if "then" in schema else True
    return _valid(schema["else"], instance, root) if "else" in schema else True


def _items(value: Any, instance: Any, schema: Any, root: Any) -> bool:
    if not isinstance(instance, list) or not instance:
        return True
    return value is not False and all([_valid(value, item, root) for item in instance])


_KEYWORDS: dict[str, Any] = {
    "$ref": _ref,
    "type": lambda v, i, s, r: any(_is_type(i, t) for t in ([v] if isinstance(v, str) else v)),
    "enum": lambda v, i, s, r: any(_equal(each, i) for each in v),
    "const": lambda v, i, s, r: _equal(i, v),
    "pattern": lambda v, i, s, r: not isinstance(i, str) or re.search(v, i) is not None,
    "minLength": lambda v, i, s, r: not isinstance(i, str) or len(i) >= v,
    "maxLength": lambda v, i, s, r: not isinstance(i, str) or len(i) <= v,
    "minimum": lambda v, i, s, r: not _number(i) or not i < v,
    "maximum": lambda v, i, s, r: not _number(i) or not i > v,
    "exclusiveMinimum": lambda v, i, s, r: not _number(i) or not i <= v,
    "exclusiveMaximum": lambda v, i, s, r: not _number(i) or not i >= v,
    "minItems": lambda v, i, s, r: not isinstance(i, list) or len(i) >= v,
    "maxItems": lambda v, i, s, r: not isinstance(i, list) or len(i) <= v,
    "uniqueItems": lambda v, i, s, r: not v or not isinstance(i, list) or _unique(i),
    "minProperties": lambda v, i, s, r: not isinstance(i, dict) or len(i) >= v,
    "maxProperties": lambda v, i, s, r: not isinstance(i, dict) or len(i) <= v,
    "required": lambda v, i, s, r: not isinstance(i, dict) or all([p in i for p in v]),
    "properties": lambda v, i, s, r: not isinstance(i, dict) or all([_valid(sub, i[p], r) for p, sub in v.items()
                                                                     if p in i]),
    "patternProperties": lambda v, i, s, r: not isinstance(i, dict) or all([
        _valid(sub, value, r) for pattern, sub in v.items() for k, value in i.items() if re.search(pattern, k)]),
    "additionalProperties": _additional,
    "propertyNames": lambda v, i, s, r: not isinstance(i, dict) or all([_valid(v, k, r) for k in i]),
    "items": _items,
    "allOf": lambda v, i, s, r: all([_valid(sub, i, r) for sub in v]),
    "anyOf": lambda v, i, s, r: any([_valid(sub, i, r) for sub in v]),
    "oneOf": lambda v, i, s, r: [_valid(sub, i, r) for sub in v].count(True) == 1,
    "not": lambda v, i, s, r: not _valid(v, i, r),
    "if": _if,
}


def _shipped_default(text: str, data: Mapping[str, Any], plugin_properties: list[Mapping[str, Any]]) -> bool:
    """Whether ``text`` is the shipped default policy, which validates against
    the core schema (tests/test_policy.py proves it), under a schema no plugin
    changed for a key it writes: plugins' keys it does not write only widen
    what the schema allows, so it is valid without running the validator."""
    return text == default_policy_text() and not any(key in data for props in plugin_properties for key in props)


DEFAULT_READING = "default_policy.json"  # the shipped default as parse_policy reads it: default_reading()


def default_reading() -> dict[str, Any]:
    """The shipped default policy's data and environment-setting lines, read
    from its YAML (what ``data/default_policy.json`` holds; a test compares)."""
    policy, node = _parse_policy(default_policy_text(), EMBEDDED)
    return {"data": policy.data, "lines": _setting_lines(policy, node)}


def _shipped_default_reading(text: str, plugin_properties: list[Mapping[str, Any]],
                             vocabulary: RuleVocabulary | None) -> dict[str, Any] | None:
    """The shipped default's reading kept beside it, when ``text`` is its
    bytes, it needs no schema validation (:func:`_shipped_default`) and the
    rules loaded know every code it names; None otherwise (the full reading,
    with its messages and lines, decides)."""
    if text != default_policy_text():
        return None
    try:
        known = json.loads(_data_text(DEFAULT_READING))
    except (OSError, ValueError):
        return None
    if not (isinstance(known, dict) and isinstance(known.get("data"), dict) and isinstance(known.get("lines"), dict)):
        return None
    data = known["data"]
    if not _shipped_default(text, data, plugin_properties) or _meaning_problems(data, None, vocabulary):
        return None
    return known


def read_yaml_document(text: str, source: str) -> Any:
    """One YAML document read as strictly as the policy (the cost usage file
    too): a duplicate key, an integer Python cannot read or nesting the parser
    refuses is a :class:`PolicyError` naming the line, never a traceback or a
    silently dropped value. Call :func:`iacgov.limits.check_yaml` first."""
    _, data, problems = _read_yaml(text, source)
    _raise(source, problems)
    return data


def _read_yaml(text: str, source: str) -> tuple[Any, Any, list[Problem]]:
    import yaml

    # libyaml refuses flow nesting past 1,000 levels with a located error
    # (PyYAML's own composer would recurse until RecursionError).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        problems = list(_node_problems(node)) if node is not None else []
        if any(p.reason.startswith("an integer of") for p in problems):
            _raise(source, problems)  # PyYAML cannot build the value: report before trying
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(f"{source}{where}: invalid YAML: {problem}") from None
    except RecursionError:
        raise PolicyError(f"{source}: invalid YAML: nested too deeply to read") from None
    finally:
        loader.dispose()
    return node, data, problems


def _key(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _node_problems(root: Any) -> Iterator[Problem]:
    """Duplicate keys (YAML keeps the last silently) and integers too long
    for Python to read, walking the composed nodes iteratively."""
    import yaml

    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    stack: list[tuple[Any, list[Any]]] = [(root, [])]
    seen_nodes: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen_nodes:
            continue  # an alias: walked once
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                line = key_node.start_mark.line + 1
                if name in first and name != "<<":
                    yield Problem(line, _key([*path, name]),
                                  f"duplicate key (first at line {first[name]}, again at line {line}): "
                                  "YAML would keep only the last one")
                first.setdefault(name, line)
                stack.append((value_node, [*path, name]))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, [*path, i]) for i, item in enumerate(node.value))
        elif node.tag == "tag:yaml.org,2002:int" and limit:
            digits = sum(ch.isdigit() for ch in node.value)
            if digits > limit:
                yield Problem(node.start_mark.line + 1, _key(path),
                              f"an integer of {digits:,} digits: more than the {limit:,} Python reads")


def _schema_problems(errors: Iterable[Any], node: Any, vocabulary: RuleVocabulary | None) -> list[Problem]:
    problems: list[Problem] = []
    for error in errors:
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
            allowed = list(error.schema.get("properties", {}))
            patterns = list(error.schema.get("patternProperties", {}))
            for name in error.instance:
                if name in allowed or any(re.search(p, str(name)) for p in patterns):
                    continue
                hint = suggest(str(name), allowed, cutoff=0.6)
                reason = f"unknown key; did you mean {hint[0]!r}?" if hint else \
                    f"unknown key (expected one of: {', '.join(allowed)})"
                problems.append(Problem(_line_of(node, [*path, name]), _key([*path, name]), reason))
        elif "propertyNames" in error.absolute_schema_path:
            name = str(error.instance)
            problems.append(Problem(_line_of(node, [*path, name]), _key([*path, name]),
                                    _name_reason(name, error, vocabulary)))
        else:
            problems.append(Problem(_line_of(node, path), _key(path), _describe(error)))
    return problems


def _name_reason(name: str, error: Any, vocabulary: RuleVocabulary | None) -> str:
    """Why a map key is refused (a cloud, a rule code, a decision class...)."""
    if error.validator == "enum" and set(error.validator_value) == set(CLOUDS):
        hint = cloud_suggestion(name)
        reason = f"{name!r} is not a cloud iacgov knows ({', '.join(CLOUDS)})"
        return f"{reason}; did you mean {hint!r}?" if hint else reason
    if error.validator == "enum":
        hint = suggest(name, [str(v) for v in error.validator_value], cutoff=0.6)
        reason = f"{name!r} is not one of: {', '.join(map(str, error.validator_value))}"
        return f"{reason}; did you mean {hint[0]!r}?" if hint else reason
    if error.validator == "pattern" and vocabulary is not None:
        hint = suggest(name, sorted(vocabulary.codes), cutoff=0.6)
        if hint:
            return f"{error.message}; did you mean {hint[0]!r}?"
    return error.message


def _describe(error: Any) -> str:
    if error.validator == "enum" and isinstance(error.instance, str):
        hint = suggest(error.instance, [str(v) for v in error.validator_value], cutoff=0.6)
        if hint:
            return f"{error.message}; did you mean {hint[0]!r}?"
    return error.message


# What the schema cannot know: the regions of each cloud, the rule codes loaded.



def _meaning_problems(data: Mapping[str, Any], node: Any, vocabulary: RuleVocabulary | None) -> list[Problem]:
    problems: list[Problem] = []
    location = data.get("data_location")
    if isinstance(location, Mapping):
        additional = location.get("additional_regions")
        additional = additional if isinstance(additional, Mapping) else {}
        per_cloud = [(["data_location", "allowed_regions"], location.get("allowed_regions"))]
        classes = location.get("data_classes")
        if isinstance(classes, Mapping):
            per_cloud += [(["data_location", "data_classes", name], lists) for name, lists in classes.items()]
        for path, lists in per_cloud:
            for cloud, values in (lists.items() if isinstance(lists, Mapping) else ()):
                for i, value in enumerate(values if isinstance(values, list) else ()):
                    extra = additional.get(cloud)
                    reason = region_problem(cloud, value, extra if isinstance(extra, list) else ()) \
                        if isinstance(value, str) else None
                    if reason:
                        problems.append(Problem(_line_of(node, [*path, cloud, i]), _key([*path, cloud, i]), reason))
    if vocabulary is None:
        return problems
    rules = data.get("rules")
    for code in (rules if isinstance(rules, Mapping) else ()):
        if isinstance(code, str) and re.fullmatch(r"[A-Z][A-Z0-9_]*[0-9]", code) and not vocabulary.knows_code(code):
            problems.append(Problem(_line_of(node, ["rules", code]), _key(["rules", code]),
                                    _unknown_code(code, vocabulary)))
    suppressions = data.get("suppressions")
    locked = suppressions.get("locked") if isinstance(suppressions, Mapping) else None
    for i, entry in enumerate(locked if isinstance(locked, list) else ()):
        if not isinstance(entry, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", entry):
            continue  # the schema reports it
        known = vocabulary.knows_code(entry) if entry[-1].isdigit() else vocabulary.knows_family(entry)
        if not known:
            problems.append(Problem(_line_of(node, ["suppressions", "locked", i]), _key(["suppressions", "locked", i]),
                                    _unknown_code(entry, vocabulary)))
    return problems


def _unknown_code(code: str, vocabulary: RuleVocabulary) -> str:
    if code[-1].isdigit():
        what, choices = "rule code", sorted(vocabulary.codes)
    else:
        what, choices = "rule family", sorted(vocabulary.families)
    hint = suggest(code, choices, cutoff=0.6)
    reason = f"{code!r} is not a {what} of the loaded rules and plugins"
    return f"{reason}; did you mean {hint[0]!r}?" if hint else f"{reason} (iacgov rules lists them)"


def _line_of(node: Any, path: list[Any]) -> int:
    """1-based line of the YAML node at ``path`` (the deepest one that exists):
    of the key itself for a mapping entry, of the item for a list entry."""
    import yaml

    line = node.start_mark.line + 1 if node is not None else 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    node = value_node
                    line = key_node.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


# --------------------------------------------------------------------------- environments


# Policy settings keyed by environment (maps: their keys; lists: their items).
# "default" in a map applies to the environments not listed: not a name.
ENVIRONMENT_SETTINGS = (
    "cost.budgets", "cost.max_resource_monthly", "cost.allowed_instance_types",
    "logging.min_retention_days", "continuity.min_backup_retention_days",
    "continuity.protected_environments", "continuity.redundant_environments",
)


def environment_warnings(policy: Policy, resources: Sequence[Resource], root: Path) -> list[Notification]:
    """A warning, at the policy line naming it, for each environment the
    policy sets something for that no scanned resource is in: a typo
    (``prdo``) would otherwise leave that setting without effect. Nothing
    when the scan found no resource."""
    from iacgov.environments import environments_found

    if not resources:
        return []
    found, undetermined = environments_found(resources, policy)
    missing: list[tuple[list[str], str]] = []
    for setting in ENVIRONMENT_SETTINGS:
        value = policy.get(setting)
        names = list(value) if isinstance(value, (Mapping, list)) else []
        for i, name in enumerate(names):
            if isinstance(name, str) and name != "default" and name not in found:
                missing.append(([*setting.split("."), i if isinstance(value, list) else name], name))
    if not missing:
        return []
    lines = _SETTING_LINES.get(policy)
    node = _policy_node(policy) if lines is None else None
    path = _display(policy.source, root)
    seen = ", ".join(sorted(found)) or "none"
    notes = []
    for key_path, name in missing:
        hint = suggest(name, sorted(found), cutoff=0.6)
        message = (f"{_key(key_path)}: no scanned resource is in environment {name!r} (environments found: {seen}), "
                   "so this setting applies to nothing")
        if hint and hint[0] != name:
            message += f"; did you mean {hint[0]!r}?"
        if undetermined:
            message += f" ({undetermined} resource{'s' if undetermined > 1 else ''} with an environment tag not known statically)"
        if lines is not None and _setting_key(key_path) in lines:
            line = lines[_setting_key(key_path)]
        else:
            line = _line_of(node, key_path) if node is not None else 1
        notes.append(Notification(message, Location(path, line), Severity.WARNING))
    return notes


# The line of each name in ENVIRONMENT_SETTINGS, by policy: found when the policy
# is validated and kept with it in the cache, so that a run whose policy comes
# from the cache (pre-commit) does not import and run PyYAML again to place a warning.
_SETTING_LINES: weakref.WeakKeyDictionary[Policy, dict[str, int]] = weakref.WeakKeyDictionary()


def _setting_key(key_path: Sequence[Any]) -> str:
    return json.dumps(list(key_path), default=repr)


def _setting_lines(policy: Policy, node: Any) -> dict[str, int]:
    lines = {}
    for setting in ENVIRONMENT_SETTINGS:
        value = policy.get(setting)
        names = list(value) if isinstance(value, (Mapping, list)) else []
        for i, name in enumerate(names):
            key_path = [*setting.split("."), i if isinstance(value, list) else name]
            lines[_setting_key(key_path)] = _line_of(node, key_path) if node is not None else 1
    return lines


def _policy_node(policy: Policy) -> Any:
    """The composed YAML of the policy's file (None if it cannot be read again)."""
    import yaml

    try:
        text = default_policy_text() if policy.source == EMBEDDED else Path(policy.source).read_text("utf-8-sig")
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None


def _display(source: str, root: Path) -> str:
    if source == EMBEDDED:
        return source
    try:
        return Path(source).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return source
