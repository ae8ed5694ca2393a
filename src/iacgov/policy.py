"""Load and validate the governance policy (``iacgov.yaml``).

The policy is YAML read with PyYAML's safe loader, validated against the JSON
Schema shipped in the package (plus the keys plugins declare). An invalid
policy is a :class:`PolicyError` naming the file, line and key: the CLI turns
it into exit code 2 and a one-line message.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from iacgov.api import Policy
from iacgov.limits import Limits, LimitExceeded, check_yaml

POLICY_NAMES = ("iacgov.yaml", ".iacgov.yaml")
EMBEDDED = "<embedded default policy>"
MAX_POLICY_BYTES = 1024 * 1024


class PolicyError(Exception):
    """The policy file is missing, unreadable or invalid."""


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


def find_policy(scan_paths: Sequence[Path], root: Path) -> Path | None:
    """``iacgov.yaml`` / ``.iacgov.yaml`` in the scanned directory, then in its
    parents up to the repository root."""
    first = scan_paths[0].absolute() if scan_paths else Path.cwd()
    start = first if first.is_dir() else first.parent
    root = root.absolute()
    for folder in (start, *start.parents):
        for name in POLICY_NAMES:
            if (folder / name).is_file():
                return folder / name
        if folder == root or root not in folder.parents:
            break
    return None


def load_policy(path: Path | None, plugin_properties: Iterable[Mapping[str, Any]] = (),
                cache_dir: Path | None = None) -> Policy:
    """The policy at ``path`` (None: the embedded default). With a parse
    ``cache_dir``, a policy already validated against the same schema is read
    back from the cache (no YAML or JSON Schema work: the pre-commit path)."""
    if path is None:
        return parse_policy(default_policy_text(), EMBEDDED, plugin_properties, cache_dir)
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
    return parse_policy(text, str(path), plugin_properties, cache_dir)


def parse_policy(text: str, source: str, plugin_properties: Iterable[Mapping[str, Any]] = (),
                 cache_dir: Path | None = None) -> Policy:
    plugin_properties = list(plugin_properties)
    cache = _validated_cache(cache_dir, plugin_properties)
    key = None
    if cache is not None:
        key, data = cache.get(text.encode("utf-8", "surrogatepass"))
        if isinstance(data, dict):
            return Policy(data, source)
    policy = _parse_policy(text, source, plugin_properties)
    if key is not None:
        cache.put(key, policy.data)
    return policy


def _validated_cache(cache_dir: Path | None, plugin_properties: list[Mapping[str, Any]]) -> Any:
    """Policies that validated, by text, schema (with the keys plugins add) and this module's code."""
    if cache_dir is None:
        return None
    from iacgov.cache import ParseCache, package_hash, source_hash

    try:
        plugins = json.dumps(plugin_properties, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return None
    namespace = (source_hash(__name__, "iacgov.limits"), _data_text("policy.schema.json"), plugins,
                 package_hash("yaml", "__init__.py"), package_hash("jsonschema", "__init__.py", "validators.py"))
    classes = ("datetime:date", "datetime:datetime", "datetime:timezone", "datetime:timedelta")
    return ParseCache(cache_dir, "policy", namespace, classes)


def _parse_policy(text: str, source: str, plugin_properties: Iterable[Mapping[str, Any]] = ()) -> Policy:
    import yaml

    try:
        # A policy found in the scanned tree is as untrusted as the rest of it.
        check_yaml(text, Limits())
    except LimitExceeded as exc:
        raise PolicyError(f"{source}:{exc.line or 1}: {exc.reason}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(f"{source}{where}: invalid YAML: {problem}") from None
    if data is None:
        raise PolicyError(f"{source}: policy file is empty (start with 'version: 1')")
    if not isinstance(data, dict):
        raise PolicyError(f"{source}:1: a policy is a mapping of keys, not a {type(data).__name__}")

    import jsonschema  # imported here: only needed when a policy is loaded

    validator = jsonschema.Draft202012Validator(policy_schema(plugin_properties))
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        error = errors[0]
        path = list(error.absolute_path)
        key = ".".join(str(p) for p in path) or "(top level)"
        line = _line_of(node, path)
        more = f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        raise PolicyError(f"{source}:{line}: {key}: {_describe(error)}{more}")
    return Policy(data, source)


def _describe(error: Any) -> str:
    if error.validator == "additionalProperties":
        return f"unknown key — {error.message}"
    return error.message


def _line_of(node: Any, path: list[Any]) -> int:
    """1-based line of the YAML node at ``path`` (the deepest one that exists)."""
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
