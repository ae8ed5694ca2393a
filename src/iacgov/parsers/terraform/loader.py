"""Files to syntax trees: decoding, python-hcl2's Lark parser, compilation.

The raw Lark tree (``hcl2.parses_to_tree``) keeps every token and comment;
:class:`_Compiler` keeps only what evaluation needs (:mod:`.syntax`).
Heredocs are a single token in that grammar, so their ``${...}`` and ``%{...}``
are re-parsed here as a quoted template. Nothing here evaluates anything.
"""

from __future__ import annotations

import math
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from iacgov.limits import (
    LimitExceeded,
    Limits,
    OverMemoryBudget,
    TimeBudgetExceeded,
    budget_message,
    budget_per_item,
    check_heredocs,
    check_tree_depth,
    read_bounded,
    time_budget,
)
from iacgov.model import Notification
from iacgov.progress import Counter

from iacgov.parsers.terraform.syntax import (
    SPLAT_ITEM,
    Attribute,
    BinaryOp,
    Block,
    Body,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Invalid,
    Lit,
    ObjectExpr,
    Ref,
    Splat,
    Template,
    TemplateFor,
    TemplateIf,
    TupleExpr,
    UnaryOp,
)

if TYPE_CHECKING:  # pragma: no cover
    from iacgov.cache import ParseCache


class LoadError(Exception):
    """A file that cannot be read as HCL; ``line`` when the parser knows it."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason, line)  # both in args, so that it pickles from a worker
        self.reason = reason
        self.line = line


@dataclass(slots=True)
class LoadedFile:
    relpath: str
    body: Body | None  # None when the file could not be parsed
    error: LoadError | None = None
    # Set for an entry that is not a file to read (a directory named main.tf,
    # a FIFO): what to tell the user instead; it is not a scanned file.
    note: Notification | None = None


def load_file(path: Path, relpath: str, limits: Limits | None = None, cache: ParseCache | None = None) -> LoadedFile:
    """Read and compile one HCL file (``.tf`` or ``.tfvars``) within the
    bounds of :mod:`iacgov.limits`, from the parse ``cache`` when it holds
    these bytes; never raises. Reading and parsing share one time budget."""
    limits = limits or Limits()
    started = time.monotonic()
    try:
        with time_budget(limits.file_timeout_seconds):
            data = read_bounded(path, limits)
    except BaseException as exc:  # noqa: BLE001 - _failed re-raises what is not a file's problem
        return _failed(relpath, exc, limits)
    key = None
    if cache is not None:
        key, entry = cache.get(data)
        restored = restore_entry(entry, relpath)
        if restored is not None:
            return restored
    _prepare_parser(cache.directory if cache is not None else None)  # outside any time budget, never half-way
    try:
        remaining = max(limits.file_timeout_seconds - (time.monotonic() - started), 0.001)
        with time_budget(remaining, limits):
            loaded = LoadedFile(relpath, parse_text(decode(data), relpath, limits))
    except BaseException as exc:  # noqa: BLE001 - as above
        loaded = _failed(relpath, exc, limits)
        if not isinstance(exc, (LoadError, LimitExceeded)) or isinstance(exc, OverMemoryBudget):
            return loaded  # a time budget or a read error says nothing about the bytes: not cached
    if key is not None:
        cache.put(key, cache_entry(loaded))
    return loaded


def _failed(relpath: str, exc: BaseException, limits: Limits) -> LoadedFile:
    if isinstance(exc, LoadError):
        return LoadedFile(relpath, None, exc)
    if isinstance(exc, LimitExceeded):
        return LoadedFile(relpath, None, LoadError(exc.reason, exc.line))
    if isinstance(exc, TimeBudgetExceeded):
        return LoadedFile(relpath, None, LoadError(budget_message(limits)))
    if isinstance(exc, OSError):
        return LoadedFile(relpath, None, LoadError(f"read error ({exc.strerror or exc})"))
    if isinstance(exc, RecursionError):  # not expected below the depth bound; kept as the last line of defence
        return LoadedFile(relpath, None, LoadError("expressions are nested too deeply to analyse"))
    if isinstance(exc, Exception):  # the parser broke on these bytes: this file is not analysed, the rest is
        return LoadedFile(relpath, None, LoadError(
            f"the parser failed on this file ({type(exc).__name__}: {' '.join(str(exc).split())[:160]}); not analysed"))
    raise exc


# -- the parse cache ----------------------------------------------------------------
#
# An entry is ("body", relpath, Body) or ("error", reason, line): what the file's
# bytes give, whatever the file is called. A Body read back under another name
# (equal files in two modules share one entry) has its blocks' paths rewritten.

def terraform_cache(cache_dir: Path | None, limits: Limits | None = None, syntax: str = "hcl") -> ParseCache | None:
    """The Terraform parser's cache in ``cache_dir`` (None: no cache), for HCL
    files or (``syntax="json"``) for ``.tf.json`` ones, kept apart."""
    if cache_dir is None:
        return None
    from iacgov.cache import ParseCache, package_hash, source_hash

    limits = limits or Limits()
    import iacgov.parsers.terraform.syntax  # noqa: F401 - hashed below with the loader
    readers = (__name__, "iacgov.parsers.terraform.syntax", "iacgov.limits")
    if syntax == "json":
        import iacgov.parsers.terraform.json_syntax  # noqa: F401 - hashed below

        readers += ("iacgov.parsers.terraform.json_syntax", "iacgov.parsers.cloudformation.decoder")
    front_end: tuple[str, ...] = ()
    if syntax == "hcl":  # entries of one HCL front end are never read as the other's
        from iacgov.parsers.terraform import treesitter

        readers += ("iacgov.parsers.terraform.treesitter",)
        front_end = (f"front end {treesitter.frontend()}", treesitter.versions())
    namespace = (
        source_hash(*readers), *front_end,
        package_hash("hcl2", "version.py", "hcl2.lark", "parser.py", "postlexer.py"), package_hash("lark", "__init__.py"),
        f"depth {limits.hcl_tree_depth} {limits.max_nesting_depth}",
    )
    classes = [f"iacgov.parsers.terraform.syntax:{c.__name__}" for c in _CACHED_CLASSES]
    return ParseCache(cache_dir, "terraform" if syntax == "hcl" else f"terraform-{syntax}", namespace, classes)


_CACHED_CLASSES = (Attribute, BinaryOp, Block, Body, Call, Conditional, ForExpr, GetAttr, Index, Invalid, Lit,
                   ObjectExpr, Ref, Splat, Template, TemplateFor, TemplateIf, TupleExpr, UnaryOp)


def cache_entry(loaded: LoadedFile) -> tuple:
    if loaded.error is not None:
        return ("error", loaded.error.reason, loaded.error.line)
    return ("body", loaded.relpath, loaded.body)


def calls_entry(loaded: LoadedFile) -> tuple:
    """The entry of a file's ``module`` blocks alone: all the scanning process reads of a file whose root
    module is analysed elsewhere (a worker) or read back (the evaluation cache). An error, and an override
    file (it may change a call), are their whole entry."""
    from iacgov.parsers.terraform.override import is_override_file

    if loaded.body is None or is_override_file(loaded.relpath):
        return cache_entry(loaded)
    return ("body", loaded.relpath, Body(blocks=[b for b in loaded.body.blocks if b.type == "module"]))


def calls_cache(cache: ParseCache) -> ParseCache:
    """Beside the parse cache, under the same namespace: each file's :func:`calls_entry` by its bytes (a
    warm scan's parent reads these, a few blocks a file, instead of every syntax tree)."""
    import copy

    calls = copy.copy(cache)
    calls.folder = cache.folder.with_name(cache.folder.name + "-calls")
    calls.namespace = cache.namespace + b"\0module calls only"
    return calls


def restore_entry(entry: Any, relpath: str) -> LoadedFile | None:
    """The :class:`LoadedFile` an entry stands for, or None if it is not one."""
    if not isinstance(entry, tuple) or len(entry) != 3:
        return None
    kind, first, second = entry
    if kind == "error" and isinstance(first, str) and (second is None or isinstance(second, int)):
        return LoadedFile(relpath, None, LoadError(first, second))
    if kind != "body" or not isinstance(second, Body):
        return None
    if first != relpath:
        stack = list(second.blocks)
        while stack:
            block = stack.pop()
            block.path = relpath
            stack.extend(block.body.blocks)
    return LoadedFile(relpath, second)


PARALLEL_FROM = 48  # files; below this (and PARALLEL_BYTES), starting worker processes costs more than it saves
# ...or this much HCL to read, in 4 files or more: about 0.3 s of the tree-sitter front end (parse and compile;
# 48 KiB was python-hcl2's 0.2 s). Below it a pool saves no wall time on 2 cores: terragoat's 95 KiB in 47
# files read in ~0.1 s, and its pool cost 0.12 s of CPU.
PARALLEL_BYTES = 256 * 1024


def load_files(items: list[tuple[Path, str]], limits: Limits | None = None, jobs: int | None = None,
               cache: ParseCache | None = None, pool: Any = None,
               keep: dict[Path, bytes] | None = None, digests: Any = None) -> list[LoadedFile]:
    """:func:`load_file` for many files. What the parse ``cache`` holds is
    read here; the rest is parsed on ``jobs`` worker processes (default:
    every core, at most 8) when there is enough of it (parsing is most of a
    cold scan's time), serially with ``jobs=1`` or if processes are
    unavailable. The result is in the order of ``items`` whatever the number
    of workers. ``pool``: worker processes to parse on instead of starting
    some; each file they parse is then sent back as a pickled cache entry,
    kept in ``keep`` by path (the root module analysis workers are handed
    these bytes instead of parsing again). ``digests``: given the bytes of each file read here
    (:meth:`iacgov.evalcache.FileDigests.note`)."""
    limits = limits or Limits()
    results: list[LoadedFile | None] = [None] * len(items)
    with _collector_paused():
        if cache is not None:
            # With a pool (``keep``), the scanning process needs each file's module calls only: read from
            # the calls cache when it holds them (``keep[path] = None`` says so), else the whole entry.
            calls = calls_cache(cache) if keep is not None else None
            # One timer for the loop, a deadline per file (arming it per file cost a warm scan 0.15 s per 2,000).
            with budget_per_item(limits.file_timeout_seconds) as budget:
                for i, (path, relpath) in enumerate(items):
                    results[i] = _from_cache(path, relpath, limits, cache, calls, keep, budget, digests)
        todo = [i for i, done in enumerate(results) if done is None]
        progress = Counter("parsing Terraform files", len(todo))
        # the parser's generator first, so that it runs to its end (and closes its worker pool)
        for loaded, i in zip(_parse_files([items[i] for i in todo], limits, jobs, cache, pool, keep), todo):
            results[i] = loaded
            progress.advance()
    return results  # type: ignore[return-value]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while files are parsed or read
    from the cache, then what was built moved out of its sight (``gc.freeze``).

    Parsing allocates millions of small objects, none of them in a reference
    cycle (Lark's trees, the syntax tuples), so the collector finds nothing,
    but each of its full passes walks everything alive: on 2,000 files a
    quarter of a cold scan's time, growing with the size of the estate.
    Reference counting still frees everything as usual. Worker processes
    forked meanwhile inherit the pause; they only parse."""
    import gc

    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.freeze()


def _from_cache(path: Path, relpath: str, limits: Limits, cache: ParseCache, calls: ParseCache | None = None,
                keep: dict[Path, bytes | None] | None = None, budget: Any = None,
                digests: Any = None) -> LoadedFile | None:
    """The file as the cache holds it, or None (not there, or not readable: :func:`load_file` says why).
    With ``calls``: its module calls alone when that cache holds them (``keep[path]`` set to None), else
    the whole entry, whose calls are then put there for the next run. ``budget``: the loop's
    :func:`~iacgov.limits.budget_per_item` (else a :func:`~iacgov.limits.time_budget` of its own)."""
    try:
        with budget if budget is not None else time_budget(limits.file_timeout_seconds):
            data = read_bounded(path, limits)
    except (OSError, LimitExceeded, TimeBudgetExceeded):
        return None
    if digests is not None:
        digests.note(path, data)
    if calls is not None and keep is not None:
        restored = restore_entry(calls.get(data)[1], relpath)
        if restored is not None:
            keep[path] = None
            return restored
    restored = restore_entry(cache.get(data)[1], relpath)
    if restored is not None and calls is not None:
        calls.put(calls.key(data), calls_entry(restored))
    return restored


def _parse_files(items: list[tuple[Path, str]], limits: Limits, jobs: int | None,
                 cache: ParseCache | None, pool: Any = None,
                 keep: dict[Path, bytes] | None = None) -> Iterator[LoadedFile]:
    workers = min(jobs or os.cpu_count() or 1, 8 if jobs is None else jobs, max(len(items) // 2, 1))
    if workers > 1 and (len(items) >= PARALLEL_FROM or (len(items) >= 4 and _size(items) >= PARALLEL_BYTES)):
        from concurrent.futures.process import BrokenProcessPool
        from pickle import PicklingError

        # Loaded before the workers start: with fork (Linux) they inherit it instead of each loading it.
        _prepare_parser(cache.directory if cache is not None else None)
        done = 0
        try:
            if pool is not None:  # started by the caller, before its process grew (project.WorkerPool)
                import pickle

                n = len(items)
                payloads = pool.map(_load_payload, *zip(*items), [limits] * n, [cache] * n, [keep is not None] * n,
                                    chunksize=max(1, n // (workers * 8)))
                for (path, relpath), (payload, calls) in zip(items, payloads):
                    loaded = restore_entry(pickle.loads(payload if calls is None else calls), relpath)
                    assert loaded is not None  # _load_payload sends cache entries only
                    if keep is not None:
                        keep[path] = payload
                    done += 1
                    yield loaded
                return
            pool_class = globals().get("ProcessPoolExecutor", __getattr__("ProcessPoolExecutor"))
            with pool_class(workers, initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
                paths, relpaths = zip(*items)
                n = len(items)
                for loaded in pool.map(load_file, paths, relpaths, [limits] * n, [cache] * n,
                                       chunksize=max(1, n // (workers * 8))):
                    done += 1
                    yield loaded
                return
        except (OSError, BrokenProcessPool, PicklingError):
            items = items[done:]  # the pool broke (or never started): the rest, serially
    for path, relpath in items:
        loaded = load_file(path, relpath, limits, cache)
        if keep is not None and cache is not None:  # as _load_payload does on a worker
            _keep_calls(path, limits, cache, calls_entry(loaded))
        yield loaded


def _load_payload(path: Path, relpath: str, limits: Limits, cache: ParseCache | None,
                  calls_only: bool = False) -> tuple[bytes, bytes | None]:
    """:func:`load_file` on a worker started before the scan read anything, as the pickled cache
    entry it stands for (:func:`cache_entry`: the same fields); with ``calls_only``, also the entry
    of the file's ``module`` blocks alone (None: the same entry), which is all the scanning process
    reads of a file whose root module a worker analyses (an override file is sent whole: it may
    change a call). Python's cyclic collector is off while it parses, as in workers forked under
    :func:`_collector_paused`."""
    import gc
    import pickle

    collecting = gc.isenabled()
    gc.disable()
    try:
        loaded = load_file(path, relpath, limits, cache)
    finally:
        if collecting:
            gc.enable()
    payload = pickle.dumps(cache_entry(loaded), protocol=pickle.HIGHEST_PROTOCOL)
    if not calls_only:
        return payload, None
    entry = calls_entry(loaded)
    if cache is not None and (loaded.body is not None or loaded.error is not None):
        _keep_calls(path, limits, cache, entry)
    if entry[0] != "body" or entry[2] is loaded.body:
        return payload, None
    return payload, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)


def _keep_calls(path: Path, limits: Limits, cache: ParseCache, entry: tuple) -> None:
    """A file's calls entry into the calls cache, when its whole entry is in the parse cache (a time budget
    or a read error is not kept there either)."""
    try:
        data = read_bounded(path, limits)
    except (OSError, LimitExceeded):
        return
    key = cache.key(data)
    if cache.path(key).exists():  # load_file kept (or found) these bytes' entry
        calls = calls_cache(cache)
        calls.put(calls.key(data), entry)


def _watch_parent(scanner: int, interval: float = 0.5) -> None:
    """Run in each worker process as it starts: a daemon thread ends the
    worker when the scanning process is gone (killed with SIGKILL, it cannot
    shut its pool down), so that no orphan keeps parsing. The worker's parent
    changing (re-parented to init) or the scanner's pid vanishing both count."""
    import threading

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent or not _alive(scanner):
                os._exit(1)

    threading.Thread(target=watch, name="iacgov-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there: the parent check alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else (cannot be ours, but it is not gone)
        return True
    return True


def _size(items: list[tuple[Path, str]]) -> int:
    total = 0
    for path, _ in items:
        try:
            total += os.stat(path).st_size
        except OSError:
            pass
    return total


def __getattr__(name: str) -> Any:
    """``ProcessPoolExecutor``, imported on first use: a small scan never starts processes."""
    if name == "ProcessPoolExecutor":
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def decode(data: bytes) -> str:
    """UTF-8 text without BOM, with LF line ends, as Terraform reads it."""
    if b"\0" in data:
        raise LoadError("NUL bytes (not a text file)", data[: data.index(b"\0")].count(b"\n") + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"invalid UTF-8 (byte 0x{data[exc.start]:02x})", data[: exc.start].count(b"\n") + 1) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n")


def parse_text(text: str, relpath: str, limits: Limits | None = None) -> Body:
    """Parse HCL source into a :class:`Body`; raises :class:`LoadError`
    (also for syntax nested deeper than the limits allow, checked before the
    recursive compiler runs). tree-sitter's front end (:mod:`.treesitter`)
    reads it unless ``IACGOV_HCL_FRONTEND=lark``; what it is not certain to
    read as python-hcl2 does (a syntax error among others) python-hcl2 reads."""
    limits = limits or Limits()
    check_heredocs(text, limits, LoadError)  # before Lark, whose heredoc pattern costs 200 bytes a character
    from iacgov.parsers.terraform import treesitter

    if treesitter.frontend() == "tree-sitter":
        try:
            return treesitter.parse_text(text, relpath, limits)
        except (treesitter.Fallback, LoadError):
            pass  # python-hcl2 decides, and names the first error in its own order (a syntax error before a duplicate)
    tree = _lark_parse(text)
    _check_depth(tree, limits)
    return _Compiler(relpath, limits).body(tree.children[0])


def _check_depth(tree: Any, limits: Limits) -> None:
    try:
        check_tree_depth(tree, limits.hcl_tree_depth)
    except LimitExceeded as exc:
        raise LoadError(f"expressions or blocks nested more than about {limits.max_nesting_depth} levels deep "
                        "(limits.max_nesting_depth): not analysed", exc.line) from None


def parse_expression(text: str) -> Expr:
    """One HCL expression (a ``--var`` value of a complex type); raises :class:`LoadError`."""
    body = parse_text(f"v = {text}", "<expression>")
    if set(body.attributes) != {"v"} or body.blocks:
        raise LoadError("not a single expression")
    return body.attributes["v"].expr


_PARSER: list[Any] = []  # the Lark parser this process uses, once chosen
_GRAMMAR_DIR: list[Path] = []  # where it is kept, when it is loaded only for a file tree-sitter hands over


def _prepare_parser(cache_dir: Path | None) -> None:
    """The parser of the front end in use, ready before any time budget
    starts: Lark's (about 2 s to build, 0.1 s from the cache folder) only
    with ``IACGOV_HCL_FRONTEND=lark``; with tree-sitter, Lark's is loaded
    from ``cache_dir`` the first time a file needs the reference."""
    from iacgov.parsers.terraform import treesitter

    if treesitter.frontend() == "lark":
        _grammar(cache_dir)
    elif cache_dir is not None and not _GRAMMAR_DIR:
        _GRAMMAR_DIR.append(cache_dir)


def _grammar(cache_dir: Path | None = None) -> Any:
    """The HCL parser (:mod:`.grammar`): kept in the parse cache folder, or
    python-hcl2's own without one. Chosen once per process."""
    if not _PARSER:
        from iacgov.parsers.terraform.grammar import hcl_parser

        if cache_dir is None and _GRAMMAR_DIR:
            cache_dir = _GRAMMAR_DIR[0]
        _PARSER.append(hcl_parser(str(cache_dir) if cache_dir is not None else None))
    return _PARSER[0]


def _lark_parse(text: str) -> Any:
    from lark.exceptions import UnexpectedInput

    try:
        # As hcl2.parses_to_tree: Lark has no end-of-file token; the grammar ends lines with a newline.
        return _grammar().parse(text + "\n")
    except UnexpectedInput as exc:
        raise LoadError(_describe_syntax_error(exc), exc.line if exc.line > 0 else None) from None


def _describe_syntax_error(exc: Any) -> str:
    token = getattr(exc, "token", None)
    if token is not None and token.type == "$END":
        found = "end of file"
    elif token is not None:
        found = repr(str(token).strip().splitlines()[0][:40]) if str(token).strip() else "new line"
    elif getattr(exc, "char", None) is not None:
        found = repr(exc.char)
    else:
        found = "input"
    where = f" at line {exc.line}, column {exc.column}" if exc.line > 0 else ""
    return f"syntax error{where}: unexpected {found}"


# --- compilation -----------------------------------------------------------

_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%")


def unescape(text: str) -> str:
    """Quoted-string escapes (``\\n``, ``\\"``, ``\\u00e9``...)."""
    if "\\" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        code = m.group(1)
        if len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, code)

    return _ESCAPE.sub(repl, text)


def _trees(node: Any) -> list[Any]:
    """Child subtrees, without comments and newlines."""
    return [c for c in node.children if hasattr(c, "data") and c.data != "new_line_or_comment"]


def _has_token(node: Any, kind: str) -> bool:
    return any(getattr(c, "type", None) == kind for c in node.children)


def _name(node: Any) -> str:
    """An identifier, keyword or literal used as a name; a quoted label's text."""
    if node.data == "string":
        return "".join(unescape(str(p.children[0])) for p in _trees(node) if not hasattr(p.children[0], "data"))
    return str(node.children[0])


class _Compiler:
    def __init__(self, relpath: str, limits: Limits) -> None:
        self.relpath = relpath
        self.limits = limits

    def body(self, node: Any) -> Body:
        body = Body()
        for child in _trees(node):
            if child.data == "attribute":
                name = _name(child.children[0])
                first = body.attributes.get(name)
                if first is not None:  # which one counts would be iacgov's guess: Terraform refuses the file
                    raise LoadError(f"argument {name!r} is written twice in one block (first at line "
                                    f"{first.line}); Terraform refuses such a file", child.meta.line)
                body.attributes[name] = Attribute(name, self.expr(_trees(child)[-1]), child.meta.line)
            elif child.data == "block":
                body.blocks.append(self.block(child))
        return body

    def block(self, node: Any) -> Block:
        parts = _trees(node)
        names = [_name(p) for p in parts[:-1]]
        return Block(names[0], tuple(names[1:]), self.body(parts[-1]), node.meta.line, self.relpath)

    def expr(self, node: Any) -> Expr:
        return getattr(self, "_" + node.data)(node)

    # expression nodes, named after the grammar's rules

    def _expr_term(self, node: Any) -> Expr:
        return self.expr(_trees(node)[0])

    def _int_lit(self, node: Any) -> Expr:
        text = str(node.children[0])
        try:
            return Lit(int(text))
        except ValueError:  # Python converts at most 4,300 digits; Terraform has arbitrary precision
            return Invalid(f"a number of {len(text):,} digits: too long to analyse")

    def _float_lit(self, node: Any) -> Expr:
        value = float(node.children[0])
        return Lit(value) if math.isfinite(value) else Invalid(f"{node.children[0]}: number out of range")

    def _literal_value(self, node: Any) -> Expr:
        return Lit({"true": True, "false": False, "null": None}[str(node.children[0])])

    def _identifier(self, node: Any) -> Expr:
        return Ref(str(node.children[0]))

    def _template_string(self, node: Any) -> Expr:  # \"text\" inside a directive
        return Lit(unescape(str(node.children[0])[2:-2]))

    def _tuple(self, node: Any) -> Expr:
        items = _trees(node)
        return TupleExpr(tuple(self.expr(i) for i in items), tuple(i.meta.line for i in items))

    def _object(self, node: Any) -> Expr:
        items = []
        for elem in _trees(node):
            key_node, value_node = _trees(elem)
            items.append((self._object_key(key_node), self.expr(value_node), elem.meta.line))
        return ObjectExpr(tuple(items))

    def _object_key(self, node: Any) -> Expr:
        inner = _trees(node)[0]
        if inner.data == "keyword":
            return Lit(str(inner.children[0]))
        if inner.data == "expr_term" and not _has_token(inner, "LPAR"):
            term = _trees(inner)[0]
            if term.data == "identifier":  # a bare key is a literal name, not a reference
                return Lit(str(term.children[0]))
        return self.expr(inner)

    def _function_call(self, node: Any) -> Expr:
        parts = _trees(node)
        name = "::".join(str(p.children[0]) for p in parts if p.data == "identifier")
        args: tuple[Expr, ...] = ()
        expand = False
        if parts[-1].data == "arguments":
            args = tuple(self.expr(a) for a in _trees(parts[-1]))
            expand = _has_token(parts[-1], "ELLIPSIS")
        return Call(name, args, expand)

    def _get_attr_expr_term(self, node: Any) -> Expr:
        obj, step = _trees(node)
        return self._step(self.expr(obj), step)

    _index_expr_term = _get_attr_expr_term

    def _step(self, obj: Expr, step: Any) -> Expr:
        if step.data == "get_attr":
            return GetAttr(obj, str(_trees(step)[0].children[0]))
        if step.data == "short_index":
            return Index(obj, Lit(int(step.children[-1])))
        return Index(obj, self.expr(_trees(step)[0]))  # braces_index

    def _full_splat_expr_term(self, node: Any) -> Expr:
        obj, splat = _trees(node)
        each: Expr = Ref(SPLAT_ITEM)
        for step in _trees(splat):
            each = self._step(each, step)
        return Splat(self.expr(obj), each)

    def _attr_splat_expr_term(self, node: Any) -> Expr:
        """``a.*.b[0]`` is ``(a[*].b)[0]``: the legacy splat takes attributes only."""
        obj, splat = _trees(node)
        steps = _trees(splat)
        each: Expr = Ref(SPLAT_ITEM)
        while steps and steps[0].data == "get_attr":
            each = self._step(each, steps.pop(0))
        result: Expr = Splat(self.expr(obj), each)
        for step in steps:
            result = self._step(result, step)
        return result

    def _for_intro(self, node: Any) -> tuple[str | None, str, Expr]:
        parts = _trees(node)
        names = [str(p.children[0]) for p in parts[:-1]]
        collection = self.expr(parts[-1])
        return (None, names[0], collection) if len(names) == 1 else (names[0], names[1], collection)

    def _for_tuple_expr(self, node: Any) -> Expr:
        parts = _trees(node)
        key_var, value_var, collection = self._for_intro(parts[0])
        cond = self.expr(_trees(parts[2])[0]) if len(parts) > 2 else None
        return ForExpr(key_var, value_var, collection, None, self.expr(parts[1]), cond, False)

    def _for_object_expr(self, node: Any) -> Expr:
        parts = _trees(node)
        key_var, value_var, collection = self._for_intro(parts[0])
        cond = self.expr(_trees(parts[3])[0]) if len(parts) > 3 else None
        return ForExpr(
            key_var, value_var, collection, self.expr(parts[1]), self.expr(parts[2]), cond,
            _has_token(node, "ELLIPSIS"),
        )

    def _conditional(self, node: Any) -> Expr:
        cond, then, otherwise = (self.expr(p) for p in _trees(node))
        return Conditional(cond, then, otherwise)

    def _binary_op(self, node: Any) -> Expr:
        left, term = _trees(node)
        operator, right = _trees(term)
        text = str(operator.children[0])  # may carry a newline / comment merged by the post-lexer
        op = next(o for o in _OPERATORS if text.endswith(o))
        return BinaryOp(op, self.expr(left), self.expr(right))

    def _unary_op(self, node: Any) -> Expr:
        op = str(node.children[0])
        operand = self.expr(_trees(node)[0])
        if op == "-" and isinstance(operand, Lit) and type(operand.value) in (int, float):
            return Lit(-operand.value)
        return UnaryOp(op, operand)

    def _heredoc_template(self, node: Any) -> Expr:
        return self._heredoc(str(node.children[0]), trim=False)

    def _heredoc_template_trim(self, node: Any) -> Expr:
        return self._heredoc(str(node.children[0]), trim=True)

    def _string(self, node: Any) -> Expr:
        return self._template(node)

    # templates

    def _template(self, node: Any) -> Expr:
        """Quoted string parts to a :class:`Template`; the grammar gives
        directives flat (if / else / endif), the stack nests them."""
        root: list[Any] = []
        current = root
        stack: list[tuple[list[Any], list[Any]]] = []  # (frame, parts it was opened in)
        strip_next = False
        for part in _trees(node):
            item = part.children[0]
            if not hasattr(item, "data"):
                text = str(item)
                text = unescape(text[1:] if item.type.startswith("ESCAPED_") else text)
                if strip_next:
                    text = text.lstrip()
                if current and isinstance(current[-1], str):
                    current[-1] += text
                else:
                    current.append(text)
                strip_next = False
                continue
            if item.data == "interpolation":
                current.append(self.expr(_trees(item)[0]))
                strip_next = False
                continue
            kids = item.children
            if getattr(kids[1], "type", None) == "STRIP_MARKER" and current and isinstance(current[-1], str):
                current[-1] = current[-1].rstrip()
            strip_next = getattr(kids[-2], "type", None) == "STRIP_MARKER"
            kind = item.data
            if kind == "template_if_start":
                frame: list[Any] = ["if", self.expr(_trees(item)[0]), [], None]
                stack.append((frame, current))
                current = frame[2]
            elif kind == "template_for_start":
                key_var, value_var, collection = self._for_intro(item)
                frame = ["for", (key_var, value_var, collection), []]
                stack.append((frame, current))
                current = frame[2]
            elif kind == "template_else" and stack and stack[-1][0][0] == "if" and stack[-1][0][3] is None:
                stack[-1][0][3] = current = []
            elif kind == "template_endif" and stack and stack[-1][0][0] == "if":
                frame, current = stack.pop()
                current.append(TemplateIf(frame[1], _parts(frame[2]), _parts(frame[3] or [])))
            elif kind == "template_endfor" and stack and stack[-1][0][0] == "for":
                frame, current = stack.pop()
                key_var, value_var, collection = frame[1]
                current.append(TemplateFor(key_var, value_var, collection, _parts(frame[2])))
            else:
                raise LoadError(f"unbalanced template directive ({kind})", item.meta.line)
        if stack:
            raise LoadError("template directive without its end", node.meta.line)
        parts = _parts(root)
        if not parts:
            return Lit("")
        if len(parts) == 1 and isinstance(parts[0], str):
            return Lit(parts[0])
        if len(parts) == 1 and not isinstance(parts[0], (TemplateIf, TemplateFor)):
            return parts[0]  # "${x}" is x itself, not its string form
        return Template(parts)

    def _heredoc(self, token: str, trim: bool) -> Expr:
        lines = token.split("\n")[1:-2]  # drop the opening marker, closing marker and final ""
        if trim:
            indents = [len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()]
            cut = min(indents, default=0)
            lines = [x[cut:] for x in lines]
        text = "".join(x + "\n" for x in lines)
        if "${" not in text and "%{" not in text:
            return Lit(text)
        try:
            tree = _lark_parse(f"v = {_quote_template(text)}")
            _check_depth(tree, self.limits)
            string = _trees(_trees(tree.children[0])[0])[-1].children[0]  # body > attribute > expr_term > string
            return self._template(string)
        except (LoadError, IndexError, AttributeError) as exc:
            return Invalid(f"heredoc template cannot be read ({getattr(exc, 'reason', exc)})")


def _parts(parts: list[Any]) -> tuple[Any, ...]:
    return tuple(p for p in parts if p != "")


def _quote_template(text: str) -> str:
    """A heredoc body as an equivalent quoted HCL string: literal text is
    escaped, ``${...}`` / ``%{...}`` sequences are kept as written."""
    out = ['"']
    i = 0
    n = len(text)
    while i < n:
        starts = [p for p in (text.find("${", i), text.find("%{", i)) if p >= 0]
        j = min(starts) if starts else n
        out.append(text[i:j].replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n"))
        if j == n:
            break
        if j > 0 and text[j - 1] == text[j]:
            out.append(text[j : j + 2])  # $${ or %%{: the escape is already in out
            i = j + 2
            continue
        end = _closing_brace(text, j + 2)
        out.append(text[j:end])
        i = end
    out.append('"')
    return "".join(out)


def _closing_brace(text: str, i: int) -> int:
    """Index after the ``}`` closing a ``${`` / ``%{`` opened before ``i``."""
    depth = 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise LoadError("unterminated interpolation")
