"""Dataclasses (and regular expressions) made without compiling them again at every start.

``@dataclass`` writes the source text of each method it adds (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, a frozen class's ``__setattr__`` and
``__delattr__``) and compiles it with ``exec``: about 3.5 M instructions a
class (valgrind), for some 90 classes in a one-file scan — a fifth of a
pre-commit run. The text depends only on the class's fields and options, so
``iacgov/data/dataclass_methods_311.marshal`` (for Python 3.11; one file per version) holds,
for each module of iacgov and its rule pack, the texts of its classes' methods
with the code ``exec`` compiles from each (``marshal``, the format of ``.pyc``
files, written under this interpreter's bytecode magic number). A run reads the
file once and decodes a module's part when that module makes its first class:
a one-file scan decodes about half of it. To write it again (a class changed:
its methods are compiled as before until then)::

    python -c 'from iacgov import fastdc; fastdc.main()'

:func:`install` (run by ``iacgov/__init__.py``, before any class is made)
replaces CPython's private ``dataclasses._create_fn`` with one that builds the
same text and, when the module's part holds exactly that text, makes the function from
the stored code object — equal to the one ``exec`` compiles from the text
(bytecode, names, constants, line table, file name ``<string>``: tested) —
else calls the original. A class the table does not know (a plugin's, or one
edited since the table was written) is made as before; on another Python
version, or another bytecode (magic number), nothing is replaced.

Regular expressions likewise (see "regular expressions" below): ``iacgov/_regex_codes_311.py`` holds the code
``re`` assembles for the patterns a scan compiles; ``python scripts/build_regex_table.py`` writes it again.
"""

import dataclasses
import marshal
import os
import sys
import types
from importlib.util import MAGIC_NUMBER  # the bytecode format: a table written under another is not read

# _create_fn's signature on the Python versions whose text this module rebuilds (3.10 to 3.12).
_SIGNATURE = ("name", "args", "body", "globals", "locals", "return_type")
_original = getattr(dataclasses, "_create_fn", None)
# This Python's table (if written): {module: marshal.dumps((texts, codes))}, with the magic number and version.
TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                     f"dataclass_methods_{sys.version_info[0]}{sys.version_info[1]}.marshal")
_table: dict[str, bytes] | None = None  # each module's part, still marshalled
_parts: dict[str, dict[str, types.CodeType]] = {}  # the parts decoded in this process
hits = 0  # functions made from the table in this process (tests read them)
missed: list[str] = []  # the modules of the classes whose methods the table did not hold


def _text(name: str, args: list[str], body: list[str], locals: dict, return_type: object) -> str:
    """The source ``dataclasses._create_fn`` (3.10-3.12) compiles; adds ``_return_type`` to ``locals`` as it does."""
    return_annotation = ""
    if return_type is not dataclasses.MISSING:
        locals["_return_type"] = return_type
        return_annotation = "->_return_type"
    body_text = "\n".join(f"  {b}" for b in body)
    txt = f" def {name}({','.join(args)}){return_annotation}:\n{body_text}"
    return f"def __create_fn__({', '.join(locals.keys())}):\n{txt}\n return {name}"


def _create_fn(name, args, body, *, globals=None, locals=None, return_type=dataclasses.MISSING):  # noqa: A002
    if globals is None or _table is None or "__builtins__" not in globals:  # exec would add them: as before
        return _original(name, args, body, globals=globals, locals=locals, return_type=return_type)
    module = globals.get("__name__", "?")
    part = _parts.get(module)
    if part is None:
        part = _parts[module] = _part(module)
    names = dict(locals) if locals else {}
    code = part.get(_text(name, args, body, names, return_type))
    if code is None:
        missed.append(module)
        return _original(name, args, body, globals=globals, locals=locals, return_type=return_type)
    global hits
    hits += 1
    return types.FunctionType(code, globals)(**names)


def _part(module: str) -> dict[str, types.CodeType]:
    """A module's texts with their code (empty: the table holds none of its classes, or its part is unreadable)."""
    blob = _table.get(module) if _table else None
    if blob is None:
        return {}
    try:
        texts, codes = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return {}
    return dict(zip(texts, codes)) if len(texts) == len(codes) else {}


def bytecode_ready(origin: str | None, cached: str | None) -> bool:
    """Whether importing a generated table module (``origin``, its bytecode at ``cached``: the regex table)
    reads the ``.pyc`` rather than compiling its source, which costs far more than the table saves:
    the ``.pyc`` is there and not older than the source (else Python compiles the source again), or
    it is not there and Python can write it (once). ``PYTHONDONTWRITEBYTECODE``, a read-only
    install without ``.pyc`` files or a zip: patterns compiled as usual."""
    if not origin or not cached:
        return False
    try:
        return os.stat(cached).st_mtime >= os.stat(origin).st_mtime
    except OSError:
        pass
    folder = os.path.dirname(cached)
    while folder and not os.path.isdir(folder):  # __pycache__ (or a PYTHONPYCACHEPREFIX tree) made when written
        folder = os.path.dirname(folder)
    return not sys.dont_write_bytecode and bool(folder) and os.access(folder, os.W_OK)


def table(path: str = TABLE) -> dict[str, bytes]:
    """Each module's marshalled part of the table at ``path``, or nothing when there is none for this
    Python or it was written under another bytecode format (magic number)."""
    try:
        with open(path, "rb") as fh:
            return table_of(fh.read())
    except OSError:
        return {}


def table_of(data: bytes) -> dict[str, bytes]:
    """:func:`table` of a table file's bytes."""
    try:
        magic, python, parts = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return {}
    if magic != MAGIC_NUMBER or python != sys.version_info[:2] or not isinstance(parts, dict):
        return {}
    return parts


def install() -> None:
    """Serve dataclass methods from the table (once; nothing on an unknown Python or stdlib), and regular
    expressions from theirs (:func:`install_regexes`)."""
    global _table
    install_regexes()
    if _table is not None or _original is None or dataclasses._create_fn is not _original:
        return
    code = _original.__code__
    if code.co_varnames[:code.co_argcount + code.co_kwonlyargcount] != _SIGNATURE:
        return
    _table = table()
    if _table:
        dataclasses._create_fn = _create_fn


# ----------------------------------------------------------------------------- regular expressions
#
# ``re.compile`` parses a pattern and assembles its code in pure Python (``re._parser``, ``re._compiler``)
# before handing the code to the C engine (``_sre.compile``): about 0.2 ms a pattern, 96 patterns in a
# one-file pre-commit run (20 ms), 146 in a scan of terragoat. The code depends only on the pattern, its
# flags and the engine (``_sre.MAGIC``), so ``iacgov/_regex_codes_311.py`` (written by
# ``scripts/build_regex_table.py``) keeps what ``_compiler.compile`` hands ``_sre.compile`` for the patterns
# a scan compiles, and :func:`_compile_regex` hands it the same for those; any other pattern (a user's glob,
# one that warns when parsed, one added since) is compiled as before. The Pattern made is equal to
# re's own (tests/test_startup.py compares every entry).

REGEX_TABLE = f"iacgov._regex_codes_{sys.version_info[0]}{sys.version_info[1]}"
_regexes: dict | None = None
regex_hits = 0  # patterns made from the table in this process (tests read them)
regex_missed: list = []  # the first patterns compiled as usual


def install_regexes() -> None:
    """Serve the table's patterns (once; nothing on another Python or engine, or without its bytecode)."""
    global _regexes
    import re._compiler as compiler

    if _regexes is not None or getattr(compiler.compile, "__module__", None) != "re._compiler":
        return  # installed, or another hook (scripts/build_regex_table.py's recorder) is in place
    import importlib.util

    import _sre

    spec = importlib.util.find_spec(REGEX_TABLE)
    if spec is None or not bytecode_ready(spec.origin, spec.cached):
        return
    import importlib

    generated = importlib.import_module(REGEX_TABLE)
    if (getattr(generated, "MAGIC", None), getattr(generated, "PYTHON", None)) != (_sre.MAGIC, sys.version_info[:2]) \
            or _sre.CODESIZE != 4 or memoryview(b"\0\0\0\0").cast("I").itemsize != 4:
        return
    _regexes = generated.PATTERNS
    global _original_regex
    _original_regex = compiler.compile
    compiler.compile = _compile_regex


_original_regex = None


def _compile_regex(p, flags=0):  # noqa: ANN001, ANN201 - re._compiler.compile's signature
    entry = _regexes.get((p, flags)) if isinstance(p, (str, bytes)) and _regexes is not None else None
    if entry is None or type(flags) is not int or flags & 128:  # re.DEBUG prints the code: re does it
        if len(regex_missed) < 100:  # the first few, for tests (a long run compiles users' globs without end)
            regex_missed.append(p)
        return _original_regex(p, flags)
    import _sre

    global regex_hits
    regex_hits += 1
    final, code, groups, groupindex, indexgroup = entry
    return _sre.compile(p, final, memoryview(code).cast("I").tolist(), groups, dict(groupindex), indexgroup)


def render_regexes(entries: dict) -> str:
    """The generated regex module, its entries in a fixed order."""
    import _sre

    out = ['"""Generated by scripts/build_regex_table.py: what re._compiler.compile hands _sre.compile for',
           'the patterns a scan compiles (iacgov.fastdc). Do not edit; a pattern not here is compiled as usual."""',
           "# ruff: noqa", "# fmt: off", "", f"PYTHON = {sys.version_info[:2]!r}", f"MAGIC = {_sre.MAGIC!r}",
           "PATTERNS = {"]
    for key in sorted(entries, key=lambda k: (type(k[0]).__name__, k[0], k[1])):
        out.append(f"    {key!r}: {entries[key]!r},")
    out.append("}")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- writing the table


def _recorded_texts(packages: tuple[str, ...]) -> dict[str, list[str]]:
    """Every text ``_create_fn`` compiles while each module of ``packages`` is imported, by the module
    making the class (run in a fresh interpreter: the classes must be made here, not found already made)."""
    import importlib
    import pkgutil

    texts: dict[str, set[str]] = {}

    def record(name, args, body, *, globals=None, locals=None, return_type=dataclasses.MISSING):  # noqa: A002
        if globals is not None:
            texts.setdefault(globals.get("__name__", "?"), set()).add(
                _text(name, args, body, dict(locals or {}), return_type))
        return _original(name, args, body, globals=globals, locals=locals, return_type=return_type)

    dataclasses._create_fn = record
    for package in packages:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if info.name.endswith("__main__"):
                continue
            try:
                importlib.import_module(info.name)
            except Exception:  # noqa: BLE001 - an optional dependency missing: its classes are made as before
                continue
    return {module: sorted(found) for module, found in sorted(texts.items())}


def compiled(text: str) -> types.CodeType:
    """The code of ``__create_fn__`` as dataclasses' ``exec`` of ``text`` compiles it."""
    module = compile(text, "<string>", "exec", dont_inherit=True)
    return next(c for c in module.co_consts if isinstance(c, types.CodeType))


def render(texts: dict[str, list[str]]) -> bytes:
    """The table file: this interpreter's magic number and version, then each module's texts and their code."""
    parts = {module: marshal.dumps((tuple(found), tuple(map(compiled, found)))) for module, found in texts.items()}
    return marshal.dumps((MAGIC_NUMBER, sys.version_info[:2], parts))


def main() -> None:
    """Write this Python's table, :data:`TABLE` (run in a fresh interpreter)."""
    texts = _recorded_texts(("iacgov", "iacgov_rules"))
    with open(TABLE, "wb") as fh:
        fh.write(render(texts))
    print(f"{TABLE}: {sum(map(len, texts.values()))} texts of {len(texts)} modules "
          f"(Python {sys.version_info[0]}.{sys.version_info[1]})")
