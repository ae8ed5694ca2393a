"""Dataclasses (and regular expressions) made without compiling them again at every start.

``@dataclass`` writes the source text of each method it adds (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, a frozen class's ``__setattr__`` and
``__delattr__``) and compiles it with ``exec``: about 3.5 M instructions a
class (valgrind), for some 90 classes in a one-file scan — a fifth of a
pre-commit run. The text depends only on the class's fields and options, so
``iacgov/_dataclass_methods_311.py`` (for Python 3.11; one module per version) holds
the texts of iacgov's classes written out as ordinary Python, and the
interpreter's bytecode cache (``.pyc``) keeps them compiled like any module. To write it again (a class
changed: its methods are compiled as before until then)::

    python -c 'from iacgov import fastdc; fastdc.main()'

:func:`install` (run by ``iacgov/__init__.py``, before any class is made)
replaces CPython's private ``dataclasses._create_fn`` with one that builds the
same text and, when the table holds exactly that text, makes the function from
the stored code object — equal to the one ``exec`` compiles from the text
(bytecode, names, constants, line table, file name ``<string>``: tested) —
else calls the original. A class the table does not know (a plugin's, or one
edited since the table was written) is made as before; on another Python
version nothing is replaced.

Regular expressions likewise (see "regular expressions" below): ``iacgov/_regex_codes_311.py`` holds the code
``re`` assembles for the patterns a scan compiles; ``python scripts/build_regex_table.py`` writes it again.
"""

import dataclasses
import sys
import types

# _create_fn's signature on the Python versions whose text this module rebuilds (3.10 to 3.12).
_SIGNATURE = ("name", "args", "body", "globals", "locals", "return_type")
_original = getattr(dataclasses, "_create_fn", None)
TABLE = f"iacgov._dataclass_methods_{sys.version_info[0]}{sys.version_info[1]}"  # this Python's (if written)
_table: dict[str, types.CodeType] | None = None
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
    names = dict(locals) if locals else {}
    code = _table.get(_text(name, args, body, names, return_type))
    if code is None:
        missed.append(globals.get("__name__", "?"))
        return _original(name, args, body, globals=globals, locals=locals, return_type=return_type)
    global hits
    hits += 1
    return types.FunctionType(_as_exec_compiles(code, code.co_firstlineno - 1), globals)(**names)


def _as_exec_compiles(code: types.CodeType, shift: int) -> types.CodeType:
    """``code`` (and the functions it defines) as compiled from the text alone: lines counted from the
    text's first line, file ``<string>`` (the line table is relative to ``co_firstlineno``)."""
    consts = tuple(_as_exec_compiles(c, shift) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename="<string>", co_firstlineno=code.co_firstlineno - shift, co_consts=consts)


def bytecode_ready(origin: str | None, cached: str | None) -> bool:
    """Whether importing the table (``origin``, its bytecode at ``cached``) reads the ``.pyc`` rather
    than compiling 750 KB of source, which costs far more than the table saves (650 M instructions):
    the ``.pyc`` is there and not older than the source (else Python compiles the source again), or
    it is not there and Python can write it (once). ``PYTHONDONTWRITEBYTECODE``, a read-only
    install without ``.pyc`` files or a zip: dataclasses as usual."""
    import os

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


def table() -> dict[str, types.CodeType]:
    """Each text the generated module holds, with the code of its ``__create_fn__`` (where the module has it),
    or nothing when importing it would compile it (:func:`bytecode_ready`)."""
    import importlib
    import importlib.util

    spec = importlib.util.find_spec(TABLE)  # None on a Python no table was written for
    if spec is None or not bytecode_ready(spec.origin, spec.cached):
        return {}
    generated = importlib.import_module(TABLE)
    return dict(zip(generated.TEXTS, generated.CODES))


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
    try:
        _table = table()
    except ImportError:  # the generated module is missing: dataclasses as usual
        return
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


def _recorded_texts(packages: tuple[str, ...]) -> list[str]:
    """Every text ``_create_fn`` compiles while each module of ``packages`` is imported (run in a fresh
    interpreter: the classes must be made here, not found already made)."""
    import importlib
    import pkgutil

    texts: set[str] = set()

    def record(name, args, body, *, globals=None, locals=None, return_type=dataclasses.MISSING):  # noqa: A002
        if globals is not None:
            texts.add(_text(name, args, body, dict(locals or {}), return_type))
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
    return sorted(texts)


def render(texts: list[str]) -> str:
    """The generated module: the texts, then each as code (no ``from __future__`` import: the annotations
    in the texts must be evaluated, as ``exec`` from the dataclasses module evaluates them)."""
    out = ['"""Generated by ``iacgov.fastdc.main()``: the methods @dataclass writes for iacgov\'s classes',
           '(iacgov.fastdc). Do not edit; a class changed since is made as before, by exec."""',
           "# ruff: noqa", "# fmt: off", "",
           f"PYTHON = {sys.version_info[:2]!r}", "CODES = []", "TEXTS = ("]
    out.extend(f"    {text!r}," for text in texts)
    out.append(")")
    for text in texts:
        out.extend(["", text, "CODES.append(__create_fn__.__code__)"])
    out.append("del __create_fn__")
    return "\n".join(out) + "\n"


def main() -> None:
    """Write this Python's table, :data:`TABLE` (run in a fresh interpreter)."""
    from pathlib import Path

    texts = _recorded_texts(("iacgov", "iacgov_rules"))
    target = Path(__file__).with_name(f"{TABLE.rpartition('.')[2]}.py")
    target.write_text(render(texts), encoding="utf-8")
    import py_compile

    py_compile.compile(str(target), doraise=True)  # its .pyc now, even under PYTHONDONTWRITEBYTECODE (bytecode_ready)
    print(f"{target}: {len(texts)} texts (Python {sys.version_info[0]}.{sys.version_info[1]})")

