"""python-hcl2's Lark parser, kept ready in the parse cache folder.

python-hcl2 builds its LALR parser from its grammar (``hcl2.lark``) the first
time it runs (about 1.8 s) and keeps Lark's cache of it, ``.lark_cache.bin``,
beside its own package; loading that cache still costs about 0.1 s in every
process, and when site-packages is read-only (a system or container install)
the file cannot be written and every run pays the 1.8 s (Lark logs the
failure and goes on).

With a parse cache folder (:mod:`iacgov.cache`), iacgov builds the same
parser itself, with python-hcl2's grammar, post-lexer and options (copied
from ``hcl2.parser.parser``; a test compares them), and keeps the built
object in that folder as a pickle: loaded in about half the time, and
written where the user can write. The entry is keyed by the versions of Lark
and python-hcl2 and the bytes of the grammar and of ``hcl2/parser.py``;
it is read by an unpickler that knows only the Lark and python-hcl2 classes
a parser is made of (:data:`CLASSES`), Lark's ``Shift``/``Reduce``
markers as the module globals they are, and modules by reference. Without a cache folder
(``--no-cache``), python-hcl2's own parser is used.
"""

from __future__ import annotations

import io
import pickle
import sys
import types
from functools import lru_cache
from pathlib import Path
from typing import Any

from iacgov.cache import ParseCache, RestrictedUnpickler, package_hash

# Every class a built parser is made of (what the pickle of one names).
CLASSES = (
    "functools:partial", "hcl2.postlexer:PostLexer", "lark.common:LexerConf", "lark.common:ParserConf",
    "lark.grammar:NonTerminal", "lark.grammar:Rule", "lark.grammar:RuleOptions", "lark.grammar:Terminal",
    "lark.lark:Lark", "lark.lark:LarkOptions", "lark.lexer:BasicLexer", "lark.lexer:ContextualLexer",
    "lark.lexer:PatternRE", "lark.lexer:PatternStr", "lark.lexer:TerminalDef", "lark.lexer:Token", "lark.tree:Meta",
    "lark.parse_tree_builder:ChildFilterLALR_NoPlaceholders", "lark.parse_tree_builder:ExpandSingleChild",
    "lark.parse_tree_builder:ParseTreeBuilder", "lark.parse_tree_builder:PropagatePositions",
    "lark.parser_frontends:ParsingFrontend", "lark.parser_frontends:PostLexConnector",
    "lark.parsers.lalr_analysis:IntParseTable", "lark.parsers.lalr_analysis:Shift",
    "lark.parsers.lalr_analysis:Reduce", "lark.parsers.lalr_parser:LALR_Parser",
    "lark.parsers.lalr_parser:_Parser", "lark.tree:Tree",
)
# Modules a parser refers to (Lark keeps its ``re`` module), passed by name.
MODULES = frozenset({"re", "regex"})
_KEY = b"python-hcl2 parser"


def build() -> Any:
    """The parser exactly as ``hcl2.parser.parser`` builds it, without Lark's cache file."""
    import hcl2.parser
    from hcl2.postlexer import PostLexer
    from lark import Lark

    return Lark.open("hcl2.lark", parser="lalr", rel_to=hcl2.parser.__file__, propagate_positions=True,
                     postlex=PostLexer())


@lru_cache(maxsize=None)
def hcl_parser(cache_dir: str | None) -> Any:
    """The Lark parser for HCL: from the cache folder (built and stored there
    the first time), or python-hcl2's own without one."""
    if cache_dir is None:
        import hcl2.parser

        return hcl2.parser.parser()
    _import_lark()
    cache = GrammarCache(Path(cache_dir))
    key, parser = cache.get(_KEY)
    if parser is None or type(parser).__name__ != "Lark":
        parser = build()
        cache.put(key, _parsing_part(parser))
    return parser


def _import_lark() -> None:
    """Lark, imported without its optional ``regex`` support (importing ``regex``
    costs ~20 ms; Lark uses it only for ``Lark(regex=True)``, and this parser
    uses ``re``). Terraform's regex functions import ``regex`` as usual."""
    if "lark" in sys.modules or "regex" in sys.modules:
        return
    sys.modules["regex"] = None  # type: ignore[assignment] - makes ``import regex`` fail, for Lark's try/except
    try:
        import lark.lark  # noqa: F401
    except ImportError:
        pass
    finally:
        if sys.modules.get("regex", 0) is None:
            del sys.modules["regex"]


def _parsing_part(parser: Any) -> Any:
    """The parser without what only building it needs (the grammar it was built
    from): the shape Lark itself restores from its cache file."""
    part = type(parser).__new__(type(parser))
    part.__dict__.update({k: v for k, v in vars(parser).items() if k not in ("grammar", "ignore_tokens")})
    return part


class GrammarCache(ParseCache):
    def __init__(self, directory: Path) -> None:
        folder = _hcl2_folder()
        namespace = [package_hash("lark", "__init__.py"), package_hash("hcl2", "version.py")]
        for path in (folder / "hcl2.lark", folder / "parser.py"):
            try:
                namespace.append(path.read_text(encoding="utf-8"))
            except OSError:
                namespace.append(f"{path}: unreadable")
        super().__init__(directory, "grammar", namespace, CLASSES)

    def dumps(self, value: Any) -> bytes:
        out = io.BytesIO()
        _Pickler(out).dump(value)
        return out.getvalue()

    def loads(self, payload: bytes) -> Any:
        return _Unpickler(payload, self.classes).load()


def _actions() -> dict[str, Any]:
    from lark.parsers import lalr_analysis

    return {"Shift": lalr_analysis.Shift, "Reduce": lalr_analysis.Reduce}


class _Pickler(pickle.Pickler):
    """Modules by reference; Lark's action markers, which its parser compares by
    identity, as the module globals they are (one memoised reference each)."""

    def __init__(self, out: io.BytesIO) -> None:
        super().__init__(out, protocol=5)
        self._actions = {id(v): k for k, v in _actions().items()}

    def reducer_override(self, obj: Any) -> Any:
        name = self._actions.get(id(obj))
        return name if name else NotImplemented  # a string: pickled as lark.parsers.lalr_analysis.<name>

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, types.ModuleType):
            if obj.__name__ not in MODULES:
                raise pickle.PicklingError(f"module {obj.__name__} in the parser")
            return ("module", obj.__name__)
        return None


def _hcl2_folder() -> Path:
    """python-hcl2's package folder, found without importing it."""
    import importlib.util

    package = importlib.util.find_spec("hcl2")
    if package is None or not package.origin:
        raise ImportError("python-hcl2 is not installed")
    return Path(package.origin).parent


def _postlexer() -> types.ModuleType:
    """``hcl2.postlexer``, without running the ``hcl2`` package's ``__init__``
    (which imports python-hcl2's whole API, about 25 ms, for a class that
    needs only Lark's Token); python-hcl2's own file, not registered in
    ``sys.modules``: ``import hcl2`` elsewhere is unaffected."""
    module = sys.modules.get("hcl2.postlexer")
    if module is not None:
        return module
    import importlib.util

    spec = importlib.util.spec_from_file_location("hcl2.postlexer", _hcl2_folder() / "postlexer.py")
    if spec is None or spec.loader is None:
        raise pickle.UnpicklingError("python-hcl2's postlexer.py cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Unpickler(RestrictedUnpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("hcl2.postlexer", "PostLexer"):
            return _postlexer().PostLexer
        return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> Any:
        kind, name = pid
        if kind == "module" and name in MODULES:
            __import__(name)
            return sys.modules[name]
        raise pickle.UnpicklingError(f"unknown reference {pid!r}")
