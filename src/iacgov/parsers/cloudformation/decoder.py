"""cfn-lint's template decoder, imported alone, and decoded templates in the parse cache.

``import cfnlint.decode`` runs cfn-lint's package ``__init__``, which imports
its whole rule engine (sympy, networkx, jsonschema: 0.5 to 0.9 s) although
the decoder needs none of it: cfn_yaml/cfn_json name a ``ParseError`` rule
only to report a syntax error. :func:`cfnlint_decode` loads the decoder's
own modules (cfn-lint's files, unchanged) with the ``cfnlint`` package left
uninitialised and ``cfnlint.rules`` standing in for the moment of the import
(its ``Match`` is cfn-lint's; its ``ParseError`` imports the real rule when
an error is reported), then removes them all from ``sys.modules``: a
private copy, and cfn-lint imports as usual for anyone else (the cfn-lint
bridge). Any surprise (another cfn-lint layout) falls back to the plain
import: slower, same result.

A decoded template is turned into iacgov's own node classes (:class:`DictNode`,
:class:`ListNode`, :class:`StrNode`: the built-in types with cfn-lint's start
and end marks, which is all iacgov reads of cfn-lint's nodes), with or without
the cache, so both runs evaluate the same objects. They are plain,
module-level classes: the parse cache (:mod:`iacgov.cache`) stores a template
as their pickle and reads it back without importing cfn-lint at all.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any, NamedTuple

_DECODER: list[types.ModuleType] = []  # the decoder module in use, once found


def cfnlint_decode() -> types.ModuleType:
    """The ``cfnlint.decode`` module, imported as cheaply as possible."""
    if _DECODER:
        return _DECODER[0]
    module = sys.modules.get("cfnlint.decode")
    if module is None and not any(n == "cfnlint" or n.startswith("cfnlint.") for n in sys.modules):
        try:
            module = _import_decoder_alone()
        except Exception:  # noqa: BLE001 - an unexpected cfn-lint layout: the plain import below
            module = None
    if module is None:
        module = importlib.import_module("cfnlint.decode")
    _DECODER.append(module)
    return module


class _ParseError:
    """Stands for ``cfnlint.rules.errors.ParseError`` in the decoder's own
    copy; builds the real rule (importing the rest of cfn-lint) when a
    template does not decode."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from cfnlint.rules.errors import ParseError

        return ParseError(*args, **kwargs)


def _import_decoder_alone() -> types.ModuleType:
    """cfn-lint's decoder modules, imported under a ``cfnlint`` package whose
    ``__init__`` does not run, then taken out of ``sys.modules`` again with
    that package: the decoder is iacgov's private copy, and whoever imports
    cfn-lint afterwards gets all of it, initialised in its own order (cfn-lint
    meets a circular import of its own in any other)."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        raise ImportError("cfn-lint is not installed")
    package = importlib.util.module_from_spec(spec)  # created, not executed
    rules = types.ModuleType("cfnlint.rules")
    errors = types.ModuleType("cfnlint.rules.errors")
    errors.ParseError = _ParseError  # type: ignore[attr-defined]
    sys.modules["cfnlint"] = package
    try:
        rules.Match = importlib.import_module("cfnlint.match").Match  # type: ignore[attr-defined]
        sys.modules.update({"cfnlint.rules": rules, "cfnlint.rules.errors": errors})
        return importlib.import_module("cfnlint.decode")
    finally:
        for name in [n for n in sys.modules if n == "cfnlint" or n.startswith("cfnlint.")]:
            del sys.modules[name]


def decode_str(text: str) -> tuple[Any, list[Any]]:
    """cfn-lint's ``decode_str``: ``(template, matches)``."""
    return cfnlint_decode().decode_str(text)


# -- nodes and the parse cache ----------------------------------------------------------


class Mark(NamedTuple):
    """Where a node starts or ends: 0-based line and column, as cfn-lint's marks."""

    line: int = 0
    column: int = 0


_NOWHERE = Mark()


class DictNode(dict):
    """A mapping of the template with its source marks (cfn-lint's ``dict_node``:
    ``get`` with a mapping default gives a node at the mapping's marks)."""

    start_mark = end_mark = _NOWHERE

    def __init__(self, value: Any = (), start_mark: Mark | None = None, end_mark: Mark | None = None) -> None:
        super().__init__(value)
        if start_mark is not None:
            self.start_mark = start_mark
        if end_mark is not None:
            self.end_mark = end_mark

    def get(self, key: Any, default: Any = None) -> Any:
        if isinstance(default, dict):
            default = DictNode(default, self.start_mark, self.end_mark)
        return super().get(key, default)


class ListNode(list):
    """A sequence of the template with its source marks (cfn-lint's ``list_node``)."""

    start_mark = end_mark = _NOWHERE

    def __init__(self, value: Any = (), start_mark: Mark | None = None, end_mark: Mark | None = None) -> None:
        super().__init__(value)
        if start_mark is not None:
            self.start_mark = start_mark
        if end_mark is not None:
            self.end_mark = end_mark


class StrNode(str):
    """A string of the template with its source marks (cfn-lint's ``str_node``)."""

    start_mark = end_mark = _NOWHERE

    def __new__(cls, value: str = "", start_mark: Mark | None = None, end_mark: Mark | None = None) -> StrNode:
        node = super().__new__(cls, value)
        if start_mark is not None:
            node.start_mark = start_mark
        if end_mark is not None:
            node.end_mark = end_mark
        return node


class Uncacheable(Exception):
    """A decoded value of a kind the nodes do not hold (the template is then used as decoded, not cached)."""


_SCALARS = (bool, int, float, type(None))


def convert(node: Any) -> Any:
    """cfn-lint's decoded template as iacgov's nodes (marks interned: one
    object per position). Recursive: a template is decoded only once its
    nesting is known to be within limits.max_nesting_depth."""
    return _Converter().node(node)


class _Converter:
    def __init__(self) -> None:
        self.marks: dict[tuple[int, int], Mark] = {}

    def mark(self, mark: Any) -> Mark:
        key = (mark.line, mark.column) if mark is not None else (0, 0)
        found = self.marks.get(key)
        if found is None:
            found = self.marks[key] = Mark(*key)
        return found

    def node(self, node: Any) -> Any:
        start, end = self.mark(getattr(node, "start_mark", None)), self.mark(getattr(node, "end_mark", None))
        if isinstance(node, str):
            return StrNode(node, start, end)
        if isinstance(node, dict):
            return DictNode({self.node(k): self.node(v) for k, v in node.items()}, start, end)
        if isinstance(node, list):
            return ListNode([self.node(v) for v in node], start, end)
        if type(node) in _SCALARS or type(node) in (datetime.date, datetime.datetime):
            return node
        raise Uncacheable(type(node).__name__)


_CLASSES = (f"{__name__}:Mark", f"{__name__}:DictNode", f"{__name__}:ListNode", f"{__name__}:StrNode",
            "datetime:date", "datetime:datetime", "datetime:timezone", "datetime:timedelta")


def cloudformation_cache(cache_dir: Path | None, limits: Any) -> Any:
    """The CloudFormation parser's cache in ``cache_dir`` (None: no cache)."""
    if cache_dir is None:
        return None
    from iacgov.cache import ParseCache, package_hash, source_hash

    namespace = (
        source_hash(__name__, "iacgov.parsers.cloudformation.template", "iacgov.limits"),
        package_hash("cfnlint", "version.py"), package_hash("yaml", "__init__.py"),
        f"limits {limits.max_nesting_depth} {limits.max_alias_expansion} {limits.max_mapping_keys}",
    )
    return ParseCache(cache_dir, "cloudformation", namespace, _CLASSES)
