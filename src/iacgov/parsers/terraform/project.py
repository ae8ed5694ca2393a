"""A scan's Terraform: claimed files grouped into root modules and analysed.

A directory is a module. A directory called as a local module (``./x``,
``../x``) by another scanned directory is analysed through that call only,
not again as a root (one finding per resource, under its module address).
A root module is made of the files discovery handed over (``iacgov scan
a.tf`` reads ``a.tf``, not its neighbours; ``--whole-modules`` asks for the
whole directory). Called directories are read whole from disk even when
discovery did not hand them over (pre-commit passes only changed files), but
never outside the scan root.

A module's files are those Terraform reads: ``*.tf`` and ``*.tf.json``
without the names it ignores (:func:`is_ignored_file`); a symbolic link is
read under its own name when its target is inside the scan root, and is a
file not analysed otherwise (so is a ``terraform.tfvars`` / ``*.auto.tfvars``
link). Remote module calls are read where ``terraform init`` put them, as the
root module's ``.terraform/modules/modules.json`` records (``Key`` ``a.b`` for
``module.a.module.b``, ``Dir`` relative to the root module), never outside
the scan root and never downloaded. A call that cannot be read is a
notification of scope ``module`` whose subject is the call's address (rule
COV001 turns it into a finding).
"""

from __future__ import annotations

import json
import os
import re
import stat
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Iterator, Sequence

from iacgov.discovery import special_note
from iacgov.limits import LimitExceeded, Limits, TimeBudgetExceeded, budget_message, check_json, read_bounded, time_budget
from iacgov.model import Location, Notification, ParseOptions, ParseResult, Severity, SourceFile
from iacgov.parsers.terraform.constraints import COLLECTIONS, kind
from iacgov.parsers.terraform.evaluate import LITERAL_SCOPE, Scope, value_of
from iacgov.parsers.terraform.json_syntax import load_json_file, read_json_values
from iacgov.parsers.terraform.loader import (
    PARALLEL_FROM,
    LoadedFile,
    LoadError,
    decode,
    load_file,
    load_files,
    parse_expression,
    restore_entry,
    terraform_cache,
)
from iacgov.parsers.terraform.module import MAX_DEPTH, SOURCE, ModuleDef, ModuleInstance, error_notification
from iacgov.parsers.terraform.syntax import Block, Expr, Lit
from iacgov.progress import Counter

_INSTANCE_KEY = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]')

Inputs = dict[str, tuple[Expr, Scope]]


def parse(files: Sequence[SourceFile], options: ParseOptions, root: Path) -> Iterator[ParseResult]:
    """One :class:`ParseResult` per root module (a :class:`~iacgov.evalcache.RootResult`
    with the key of its inputs), then one for problems found in directories no
    root module reached. Root modules the evaluation cache holds are read back;
    the others are analysed, on ``options.jobs`` processes when there are several."""
    from iacgov.evalcache import AnalysisCache, RootResult, forget_held
    from iacgov.scancache import Reads

    forget_held()  # what the workers of a previous scan in this process made
    project = Project(Path(root), options)
    with worker_pool(project, files) as project.pool:  # started now, while this process is small
        claimed = project.claim(files)
        roots = project.root_dirs(claimed)
        cache = AnalysisCache(options.cache_dir, project.root) if options.cache_dir is not None else None
        keys = project.root_keys(roots) if cache is not None else {}
        results: dict[Path, ParseResult] = {}
        for directory in roots:
            hit = cache.get(keys[directory]) if cache is not None and keys[directory] else None
            if hit is not None:
                project.mark_reported(hit.reported)
                results[directory] = RootResult(hit.result.resources, hit.result.notifications, hit.result.files,
                                                unit=keys[directory])
        todo = [d for d in roots if d not in results]
        progress = Counter("analysing Terraform root modules", len(roots))
        for _ in results:
            progress.advance()
        for directory, (result, reported, ok) in zip(todo, _analyse_all(project, todo, cache, keys)):
            progress.advance()
            project.mark_reported(reported)
            key = keys.get(directory, "") if ok else ""
            results[directory] = RootResult(result.resources, result.notifications, result.files, unit=key)
    project.pool = None
    for directory in roots:
        yield results[directory]
    project.read_released([d for d, definition in project.modules.items() if not definition.reported])
    project.payloads = {}
    leftovers = [*project.unattached, *(n for d in project.modules.values() if not d.reported for n in d.notifications)]
    if leftovers:
        yield ParseResult(notifications=tuple(leftovers))
    if cache is not None:  # what the scan cache re-checks on a warm run (iacgov.scancache)
        yield Reads(dirs=_directories_read(project), keyed=all(results[d].unit for d in roots))


def _directories_read(project: Project) -> tuple[str, ...]:
    """Every module directory read, and every local module source probed (one that does not exist
    yet changes the result when it is created)."""
    dirs = dict.fromkeys(str(d) for d in project.modules)
    for definition in list(project.modules.values()):
        for block in definition.calls.values():
            source = _source(block)
            if isinstance(source, str) and _is_local(source) and "\0" not in source:
                dirs.setdefault(os.path.normpath(definition.dir / source))
    return tuple(dirs)


def _keep(cache: Any, key: str, outcome: Outcome) -> bytes | None:
    """An analysed root module into the evaluation cache (where it was analysed: a worker pickles it);
    the pickled :class:`~iacgov.evalcache.Analysis` when it was made."""
    from iacgov.evalcache import Analysis

    result, reported, ok = outcome
    if cache is not None and key and ok:
        return cache.put(key, Analysis(ParseResult(result.resources, result.notifications, result.files), reported))
    return None


def _received(sent: Outcome | bytes) -> Outcome:
    """What a worker returned: an outcome, or the pickled analysis it put in the evaluation cache (an
    outcome analysed whole, not pickled a second time to be sent), or any other outcome pickled
    (:func:`_pickled`). Unpickled with Python's cyclic collector paused, then frozen out of its sight
    (:func:`~iacgov.evalcache.unwatched_loads`): unpickled by the pool's own thread, a cold 2,000-file
    scan's parent spent 2.9 s in the collector's full passes over every resource received so far."""
    if not isinstance(sent, bytes):
        return sent
    import pickle

    from iacgov.evalcache import Analysis, unwatched_loads

    analysis = unwatched_loads(pickle.loads, sent)  # made by this scan's own worker
    if isinstance(analysis, Analysis):
        return analysis.result, analysis.reported, True
    outcome, made = analysis
    if made is not None:  # its root-local findings and cost items, for this scan's engine
        from iacgov.evalcache import hold

        hold(outcome[0].resources, made)
    return outcome


def _pickled(outcome: Outcome, made: Any = None) -> Outcome | bytes:
    """An outcome a worker sends, pickled with what it made besides (:meth:`iacgov.evalcache.RootWork.made`);
    the outcome itself if they do not pickle (the pool then says why)."""
    import pickle

    try:
        return pickle.dumps((outcome, made), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return outcome


Outcome = tuple[ParseResult, tuple[str, ...], bool]  # the result, the module directories it reported, analysed whole
PARALLEL_ROOTS = 4  # root modules; below this, starting worker processes costs more than it saves
# Files; without --jobs, no pool below this. With the tree-sitter front end a pool costs 0.1-0.8 s of CPU
# (forking, pipes) and saved no wall time on any public repository of RESULTS.md (terragoat 47 files to
# gke 536, measured quiet); it paid from about 200 files of generate.py's estate. --jobs N still asks for one.
AUTO_POOL_FROM = 200
# Module directories an analysis worker keeps between root modules (shared modules are read once per worker);
# beyond this, the least recently used are dropped (read again from what the parent sends when needed).
WORKER_KEEPS = 64


@contextmanager
def worker_pool(project: Project, files: Sequence[SourceFile]) -> Iterator[Any]:
    """Worker processes for the whole Terraform scan, forked before it reads anything (None: not worth it,
    ``--jobs 1``, or no ``fork``). They parse the files (:func:`~.loader.load_files`), then analyse root
    modules from the parsed files the parent hands them (:func:`_analyse_task`), never touching the parent's
    modules: workers forked from a parent holding every module copied the pages of each module they read
    (Python's reference counts), 1,380 MiB at 10,000 files against 817 MiB in one process (RESULTS.md)."""
    jobs = project.options.jobs
    workers = min(jobs or os.cpu_count() or 1, 8 if jobs is None else jobs)
    dirs = len({f.path.parent for f in files})
    small = len(files) < AUTO_POOL_FROM if jobs is None else dirs < PARALLEL_ROOTS and len(files) < PARALLEL_FROM
    if workers < 2 or small or not _can_fork():
        yield None
        return
    import multiprocessing

    from iacgov.parsers.terraform import loader
    from iacgov.parsers.terraform.loader import _prepare_parser, _watch_parent

    _prepare_parser(project.options.cache_dir)  # inherited, not loaded by each worker
    project.workers = workers
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = project.root, project.options, _root_work(project)
    try:
        pool = loader.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                          initializer=_watch_parent, initargs=(os.getpid(),))
        pool.submit(int)  # forks every worker now (fork context: all at the first submission)
    except OSError:
        yield None
        return
    finally:
        _WORKER_CONTEXT = None
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _analyse_all(project: Project, roots: list[Path], cache: Any = None, keys: dict[Path, str] | None = None
                 ) -> Iterator[Outcome]:
    """:func:`_analyse_one` for each root, in order: on the project's worker
    processes when there are several roots, else here. The outcome is the same."""
    keys = keys or {}
    done = 0
    if project.pool is not None and PARALLEL_ROOTS <= len(roots):
        from collections import Counter as Users, deque
        from concurrent.futures.process import BrokenProcessPool
        from pickle import PicklingError

        closures = {directory: project.closure(directory) for directory in roots}
        users = Users(member for closure in closures.values() for member in closure)
        pending: deque[Any] = deque()

        def submit(directory: Path) -> None:
            pending.append(project.pool.submit(_analyse_task, directory, project.task(closures[directory]),
                                               keys.get(directory, "")))
            for member in closures[directory]:
                users[member] -= 1
                if not users[member]:  # handed over for the last time: its files and syntax trees let go
                    project.release(member)

        queued = iter(roots)
        try:
            for directory in roots[:2 * project.workers]:  # a few ahead, not all: each task holds its files
                next(queued)
                submit(directory)
            while pending:
                outcome = _received(pending.popleft().result())
                done += 1
                yield outcome
                directory = next(queued, None)
                if directory is not None:
                    submit(directory)
            return
        except (OSError, BrokenProcessPool, PicklingError):  # the pool broke: the rest, here
            for future in pending:
                future.cancel()
    if done < len(roots):  # what is analysed here, read whole (what was read from its module calls only)
        project.read_released(set().union(*(project.closure(d) for d in roots[done:])))
    for directory in roots[done:]:
        outcome = _analyse_one(project, directory)
        _keep(cache, keys.get(directory, ""), outcome)
        yield outcome


def _root_work(project: Project) -> Any:
    """The per-root work the engine offered for this scan (:class:`iacgov.evalcache.RootWork`), prepared
    before the workers fork; None for another scan."""
    from iacgov.evalcache import root_work

    return root_work(project.root, project.options)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


# What a worker starts from: the scan root and options (inherited when it is forked), then its own Project.
_WORKER_CONTEXT: Any = None
_WORKER_STATE: Any = None

Member = tuple[Path, str, "frozenset[str] | None", dict[str, bytes]]  # directory, relpath, names if partial, payloads


def _analyse_task(directory: Path, closure: tuple[Member, ...], key: str) -> Outcome | bytes:
    """A root module analysed on a worker, from its module closure as the parent read it: each directory's
    relpath, the names read if only some files were handed over, and the files the workers parsed (pickled
    cache entries; the others are read from the parse cache or parsed here, as the parent did). The worker's
    own Project keeps the directories it was handed (at most :data:`WORKER_KEEPS` beyond this closure) and
    reuses one only when the parent hands it over unchanged; the analysis is :func:`_analyse_one`'s."""
    global _WORKER_STATE
    if _WORKER_STATE is None:
        from collections import OrderedDict

        from iacgov.evalcache import AnalysisCache

        root, options, work = _WORKER_CONTEXT
        cache = AnalysisCache(options.cache_dir, root) if options.cache_dir is not None else None
        _WORKER_STATE = Project(root, replace(options, jobs=1)), cache, OrderedDict(), work
    project, cache, given, work = _WORKER_STATE
    for member, relpath, only, payloads in closure:
        if member not in project.modules or given.get(member) != (only, payloads):
            project.read_as_sent(member, relpath, only, payloads)
        given[member] = only, payloads
        given.move_to_end(member)
    outcome = _analyse_one(project, directory)
    kept = _keep(cache, key, outcome)
    if kept is not None and work is not None:  # its root-local findings and cost items, here too
        work.run(key, outcome[0].resources)
    if kept is None:  # pickled here, so that the parent unpickles it with the collector paused (_received)
        made = work.made(outcome[0].resources) if work is not None and cache is None and outcome[2] else None
        kept = _pickled(outcome, made)
    for member, _, only, _ in closure:
        if only is not None:  # a partial directory the analysis may have read whole since: not reused
            given.pop(member, None)
    while len(given) > WORKER_KEEPS + len(closure):
        given.popitem(last=False)
    for member in [d for d in project.modules if d not in given]:  # and what the analysis read besides
        del project.modules[member]
    return outcome if kept is None else kept


def _analyse_one(project: Project, directory: Path) -> Outcome:
    """A root module analysed within its time and memory budget, or said not analysed (never cached)."""
    try:
        with time_budget(project.limits.file_timeout_seconds, project.limits):  # and its memory budget
            result = project.analyse(directory)
        return result, project.reported_here(), True
    except TimeBudgetExceeded:
        why = f"analysis {budget_message(project.limits)}"
    except LimitExceeded as exc:
        why = exc.reason
    except Exception as exc:  # a bug in iacgov (or a value it cannot handle) must not hide the other modules
        why = f"internal error while analysing it ({exc!r:.200}); not analysed"
    result = _not_analysed(project, directory, why)
    return result, project.reported_here(), False


def _not_analysed(project: Project, directory: Path, why: str) -> ParseResult:
    """A root module that could not be analysed: said once, with what its files said."""
    relpath = project.relpath(directory)
    note = replace(error_notification(f"module {relpath}: {why}", _first_file(project, directory), 1),
                   scope="module", subject=relpath)
    definition = project.modules.get(directory)
    said = tuple(definition.notifications) if definition is not None else ()
    if definition is not None:
        definition.reported = True
        project.reported_now.add(directory)
    return ParseResult(notifications=(*said, note))


def _first_file(project: Project, directory: Path) -> str:
    """A file of the module, for a notification about the whole module."""
    definition = project.modules.get(directory)
    return min(definition.files) if definition is not None and definition.files else project.relpath(directory)


class Project:
    """The module directories read so far, and what was said about them."""

    def __init__(self, root: Path, options: ParseOptions) -> None:
        self.root = root.resolve()
        self._root_text = str(self.root)  # inside(): the root, and what a path below it starts with
        self._root_prefix = self._root_text if self._root_text.endswith("/") else self._root_text + "/"
        self.options = options
        self.limits = options.limits or Limits()
        self.cache = terraform_cache(options.cache_dir, self.limits)
        self._json_cache: Any = False  # not made yet
        self.modules: dict[Path, ModuleDef] = {}
        self._relpaths: dict[Path, str] = {}
        self._var_files: dict[Path, Inputs] = {}
        self._notifications: list[Notification] = []
        self._seen: set[tuple[str, Location]] = set()
        self._files: list[str] = []
        # Directories read with only the files discovery handed over.
        self._partial: set[Path] = set()
        self.unattached: list[Notification] = []  # notes about no module in particular (ignored files)
        self._manifests: dict[Path, dict[str, str] | str] = {}  # root module dir -> modules.json keys -> Dir
        # The module directories whose messages the current root module's result reports: each root
        # reports those of every module it instantiates, whatever other roots said, so that a root's
        # result depends on its own inputs only (the evaluation cache keeps it; the engine deduplicates).
        self.reported_now: set[Path] = set()
        # Each directory's local module calls resolved (_closure runs once per root module for its key).
        self._targets: dict[Path, tuple[ModuleDef, list[Path]]] = {}
        self._by_relpath: dict[str, Path] = {}  # the directories of self.modules by relpath (mark_reported)
        # Worker processes started before anything was read (worker_pool), and what they parsed: each
        # directory's files as the pickled cache entries they sent (handed to the analysis workers).
        self.pool: Any = None
        self.payloads: dict[Path, dict[str, bytes]] = {}
        self._only: dict[Path, frozenset[str]] = {}  # the names read of each directory read partially
        self._released: set[Path] = set()  # directories whose declarations were dropped (release)
        # Each file's digest for the evaluation cache's keys (root_keys), from the bytes read to parse it.
        self.digests: Any = None
        self.workers = 1

    # bookkeeping

    def notify(self, notification: Notification) -> None:
        key = (notification.message, notification.location)
        if key not in self._seen:
            self._seen.add(key)
            self._notifications.append(notification)

    def instantiated(self, definition: ModuleDef) -> None:
        """Called for every module instance: its files belong to the current result,
        its parse errors are reported once."""
        self._files.extend(definition.files)
        if definition.dir not in self.reported_now:
            definition.reported = True
            self.reported_now.add(definition.dir)
            for n in definition.notifications:
                self.notify(n)

    def reported_here(self) -> tuple[str, ...]:
        return tuple(sorted(self.relpath(d) for d in self.reported_now))

    def mark_reported(self, relpaths: Sequence[str]) -> None:
        """Directories a root module's result (cached, or analysed by a worker) reported."""
        if len(self._by_relpath) != len(self.modules):  # modules read since: index them again (once per root at most)
            self._by_relpath = {self.relpath(d): d for d in self.modules}
        for relpath in relpaths:
            definition = self.modules.get(self._by_relpath.get(relpath))  # type: ignore[arg-type]
            if definition is not None:
                definition.reported = True

    def relpath(self, path: Path) -> str:
        known = self._relpaths.get(path)
        if known is not None:
            return known
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return path.as_posix()

    def inside(self, path: Path) -> bool:
        """Whether ``path`` is the scan root or below it, lexically (``self.root in path.parents``). On POSIX
        by its text: the root's components a prefix of the path's, without a Path made per parent (called
        twice per file read; 60 us -> under 1 us a call)."""
        if os.sep == "/" and isinstance(path, Path):
            text = str(path)
            return text == self._root_text or text.startswith(self._root_prefix)
        return path == self.root or self.root in path.parents

    # reading

    def claim(self, files: Sequence[SourceFile]) -> list[Path]:
        """The directories of the claimed files, read (all at once, to parse in parallel)."""
        dirs: dict[Path, str] = {}
        names: dict[Path, set[str]] = {}
        resolved: dict[Path, Path] = {}  # each folder resolved once, not once per file
        for f in files:
            if is_ignored_file(f.path.name):  # Terraform never reads it: neither does iacgov
                self.unattached.append(Notification(
                    f"skipped {f.relpath}: Terraform ignores files whose names start with '.' (or are editor "
                    "backups); not part of the module", Location(f.relpath), Severity.NOTE, "terraform"))
                continue
            parent = f.path.parent
            directory = resolved.get(parent) or resolved.setdefault(parent, parent.resolve())
            dirs.setdefault(directory, str(PurePosixPath(f.relpath).parent))
            names.setdefault(directory, set()).add(f.path.name)
        self._relpaths.update(dirs)
        claimed = sorted(dirs, key=lambda d: dirs[d])
        for directory in claimed:
            names[directory] |= _links_left_out(directory, names[directory])
        self._load_all(claimed, names)
        self._partial = {d for d in claimed if names[d] != {p.name for p in _module_files(d)}}
        self._only = {d: frozenset(names[d]) for d in self._partial}
        return claimed

    def load(self, directory: Path) -> ModuleDef:
        """A called module: all its files, even if only some were handed over."""
        if directory not in self.modules or directory in self._partial:
            self._partial.discard(directory)
            self._load_all([directory])
        return self.modules[directory]

    def _load_all(self, directories: list[Path], only: dict[Path, set[str]] | None = None,
                  given: dict[str, bytes] | None = None) -> None:
        """The ``*.tf`` files of each directory: all of them, or the names in ``only``; ``given``: files of a
        single directory already parsed, by name (pickled cache entries a worker sent: see worker_pool)."""
        import pickle

        plan: dict[Path, list[LoadedFile | tuple[Path, str]]] = {}
        for directory in directories:
            relpath = self.relpath(directory)
            entries = plan[directory] = []
            canonical = os.path.realpath(directory) == str(directory)  # then a file that is no link is its own target
            for path in _module_files(directory):
                if only is not None and path.name not in only[directory]:
                    continue
                file_relpath = path.name if relpath == "." else f"{relpath}/{path.name}"
                try:
                    st = os.lstat(path)
                    target = path
                    if not canonical or stat.S_ISLNK(st.st_mode):
                        target = path.resolve(strict=True)
                        st = target.stat()
                except (OSError, RuntimeError):
                    entries.append(LoadedFile(file_relpath, None, note=special_note(path, file_relpath)))
                    continue
                if self.inside(directory) and not self.inside(target):
                    entries.append(LoadedFile(file_relpath, None, note=_link_out(file_relpath)))
                elif not stat.S_ISREG(st.st_mode):  # a directory named main.tf, a FIFO: never opened
                    entries.append(LoadedFile(file_relpath, None, note=special_note(path, file_relpath, st)))
                elif given and path.name in given:
                    entries.append(restore_entry(pickle.loads(given[path.name]), file_relpath) or (path, file_relpath))
                else:
                    entries.append((path, file_relpath))
        items = [e for entries in plan.values() for e in entries if isinstance(e, tuple) and not _is_json(e[1])]
        # With a pool: what the workers parsed (pickled entries by path), and None for a file whose module
        # calls alone were read from the parse cache (loader.calls_cache).
        sent: dict[Path, bytes | None] | None = {} if self.pool is not None else None
        loaded = iter(load_files(items, self.limits, self.options.jobs, self.cache, self.pool, sent,
                                 self._digests() if self.options.cache_dir is not None else None))
        for directory, entries in plan.items():
            if sent is not None:
                mine = {e[0].name: sent[e[0]] for e in entries if isinstance(e, tuple) and e[0] in sent}
                self.payloads[directory] = {**(given or {}), **{n: b for n, b in mine.items() if b is not None}}
                if mine:  # only its module calls were read here
                    self._released.add(directory)
            files = [e if isinstance(e, LoadedFile) else self._load_json(*e) if _is_json(e[1])
                     else next(loaded) for e in entries]
            try:
                self.modules[directory] = ModuleDef.from_files(directory, self.relpath(directory), files)
            except Exception as exc:  # a bug in iacgov must not hide the other modules
                definition = self.modules[directory] = ModuleDef(directory, self.relpath(directory))
                definition.notifications.append(replace(error_notification(
                    f"module {self.relpath(directory)}: internal error while reading it ({exc!r:.200}); not analysed",
                    min((f.relpath for f in files), default=self.relpath(directory)), 1),
                    scope="module", subject=self.relpath(directory)))

    def closure(self, directory: Path) -> list[Path]:
        """The module directories a root module's analysis reads through local calls, by relpath."""
        return sorted(self._closure([directory]), key=self.relpath)

    def task(self, closure: list[Path]) -> tuple[Member, ...]:
        """What an analysis worker is handed for a root module (:func:`_analyse_task`): every directory
        of its module closure as read here."""
        return tuple((member, self.relpath(member), self._only.get(member) if member in self._partial else None,
                      self.payloads.get(member, {})) for member in closure)

    def release(self, directory: Path) -> None:
        """A directory no analysis here needs any more (every root reaching it went to a worker): its
        parsed files and the syntax trees of its declarations are dropped. What the scan still reads of
        it stays: its files, messages, module calls and whether it was reported."""
        self.payloads.pop(directory, None)
        definition = self.modules.get(directory)
        if definition is not None and definition.dir == directory:
            definition.variables, definition.locals, definition.local_paths = {}, {}, {}
            definition.outputs, definition.providers, definition.resources = {}, [], {}
            definition.managed_types, definition.settings = set(), []
            self._released.add(directory)

    def read_released(self, directories: Iterable[Path] | None = None) -> None:
        """Directories read here from the module calls alone, or released, read whole again, as they were
        (from what the workers sent while it is kept): before a root module is analysed here, or a
        directory's messages reported on their own. ``directories``: only those (default: all)."""
        pool, self.pool = self.pool, None  # read here, whole
        try:
            for directory in sorted(self._released if directories is None else set(directories) & self._released,
                                    key=self.relpath):
                reported = self.modules[directory].reported
                only = {directory: set(self._only[directory])} if directory in self._partial else None
                self._load_all([directory], only, self.payloads.get(directory) or None)
                self._released.discard(directory)
                self.modules[directory].reported = reported
        finally:
            self.pool = pool


    def read_as_sent(self, directory: Path, relpath: str, only: frozenset[str] | None,
                     payloads: dict[str, bytes]) -> None:
        """A directory read on a worker as the parent read it (see :meth:`task`)."""
        self._relpaths[directory] = relpath
        if only is None:
            self._partial.discard(directory)
        else:
            self._partial.add(directory)
        self._load_all([directory], None if only is None else {directory: set(only)}, payloads)

    def _load_json(self, path: Path, relpath: str) -> LoadedFile:
        if self._json_cache is False:  # its own cache entries, made when a .tf.json is first met
            self._json_cache = terraform_cache(self.options.cache_dir, self.limits, syntax="json")
        return load_json_file(path, relpath, self.limits, self._json_cache)

    # module calls

    def local_target(self, definition: ModuleDef, source: str) -> Path | str:
        """The directory a local source names, or why it cannot be analysed."""
        if "\0" in source:
            return "its source holds a NUL character"
        try:
            target = (definition.dir / source).resolve()
            if not self.inside(target):
                return "it is outside the scanned directory (or reached through a symbolic link pointing outside)"
            if not target.is_dir():
                return "the directory does not exist"
        except (OSError, ValueError, RuntimeError) as exc:
            return f"its directory cannot be read ({type(exc).__name__})"
        if not _module_files(target):
            return "the directory holds no Terraform files (an uninitialised git submodule?)"
        return target

    def local_targets(self, definition: ModuleDef) -> list[Path]:
        out = []
        for block in definition.calls.values():
            source = _source(block)
            if isinstance(source, str) and _is_local(source):
                target = self.local_target(definition, source)
                if isinstance(target, Path):
                    out.append(target)
        return out

    def module_for_call(self, caller: ModuleInstance, block: Block, address: str) -> ModuleDef | None:
        """The module a ``module`` block calls, or None (with a notification
        saying why: scope "module", subject the call's address without keys)."""
        name = _INSTANCE_KEY.sub("", address)
        source = _source(block)

        def problem(why: str, level: Severity = Severity.WARNING) -> None:
            self.notify(replace(error_notification(f"{name} {why}", block.path, block.line, level),
                                scope="module", subject=name))

        if not isinstance(source, str):
            problem("not analysed: its source is not a literal string")
            return None
        shown = _shown(source)
        if _is_local(source):
            target = self.local_target(caller.definition, source)
        else:
            target = self.remote_target(caller, name)
        if isinstance(target, str):
            problem(f'(source "{shown}") not analysed: {target}')
            return None
        if target in caller.ancestors:
            chain = " -> ".join(self.relpath(d) for d in (*caller.ancestors, target))
            problem(f'(source "{shown}") not analysed: the module calls itself ({chain})', Severity.ERROR)
            return None
        if len(caller.ancestors) >= MAX_DEPTH:
            problem(f'(source "{shown}") not analysed: modules nested more than {MAX_DEPTH} deep', Severity.ERROR)
            return None
        return self.load(target)

    def remote_target(self, caller: ModuleInstance, name: str) -> Path | str:
        """Where ``terraform init`` put a remote module, from the root module's
        ``.terraform/modules/modules.json`` (never downloaded here), or why not."""
        root_dir = caller.ancestors[0]
        manifest = self._manifests.get(root_dir)
        if manifest is None:
            manifest = self._manifests[root_dir] = self._read_manifest(root_dir)
        if isinstance(manifest, str):
            return f"remote modules are never downloaded by iacgov, and {manifest}"
        key = ".".join(part for part in name.split(".")[1::2])  # module.a.module.b -> a.b
        recorded = manifest.get(key)
        if recorded is None:
            return ("remote modules are never downloaded by iacgov, and .terraform/modules/modules.json does not "
                    "list this one (run terraform init again)")
        try:
            target = (root_dir / recorded).resolve()
            inside = self.inside(target)
            exists = target.is_dir()
        except (OSError, ValueError, RuntimeError):
            inside = exists = False
        if not inside:
            return ("the directory .terraform/modules/modules.json records for it is outside the scanned directory "
                    "(or reached through a symbolic link pointing outside); not read")
        if not exists or not _module_files(target):
            return "the directory .terraform/modules/modules.json records for it is missing or empty (run terraform init)"
        return target

    def _read_manifest(self, root_dir: Path) -> dict[str, str] | str:
        """``Key`` -> ``Dir`` of ``.terraform/modules/modules.json``, or why it cannot be used."""
        path = root_dir / ".terraform" / "modules" / "modules.json"
        where = f"{self.relpath(root_dir)}/.terraform/modules/modules.json".removeprefix("./")
        try:
            if not path.is_file():
                return "terraform init has not downloaded this one (no .terraform/modules/modules.json)"
            if not self.inside(path.resolve()):
                return f"{where} is a symbolic link outside the scanned directory (not read)"
            text = decode(read_bounded(path, self.limits))
            check_json(text, self.limits)
            data = json.loads(text)
        except (OSError, ValueError, RuntimeError, LoadError, LimitExceeded) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            self.notify(Notification(f"cannot read {where}: {reason}", Location(where), Severity.WARNING, SOURCE))
            return f"{where} cannot be read"
        entries = data.get("Modules") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            self.notify(Notification(f"cannot read {where}: no \"Modules\" list", Location(where), Severity.WARNING,
                                     SOURCE))
            return f"{where} cannot be read"
        return {e["Key"]: e["Dir"] for e in entries
                if isinstance(e, dict) and isinstance(e.get("Key"), str) and isinstance(e.get("Dir"), str)
                and "\0" not in e["Dir"]}

    def root_dirs(self, claimed: list[Path]) -> list[Path]:
        """Claimed directories no other scanned directory calls; a cycle of
        directories calling each other is entered at its first member."""
        called: set[Path] = set()
        for directory in self._closure(claimed):
            known = self._targets.get(directory)  # resolved by _closure just now (each source resolved once)
            definition = self.modules[directory]
            called.update(known[1] if known is not None and known[0] is definition else self.local_targets(definition))
        roots = [d for d in claimed if d not in called]
        covered = self._closure(roots)
        for directory in claimed:
            if directory not in covered:
                roots.append(directory)
                covered |= self._closure([directory])
        return roots

    def _closure(self, start: list[Path]) -> set[Path]:
        seen: set[Path] = set()
        stack = list(start)
        while stack:
            directory = stack.pop()
            if directory not in seen:
                seen.add(directory)
                known = self.modules.get(directory)
                definition = known if known is not None else self.load(directory)
                targets = self._targets.get(directory)
                if targets is None or targets[0] is not definition:  # (a partial directory read whole since)
                    targets = self._targets[directory] = (definition, self.local_targets(definition))
                stack.extend(targets[1])
        return seen

    # the evaluation cache's keys (iacgov.evalcache)

    def root_keys(self, roots: list[Path]) -> dict[Path, str]:
        """Each root module's key: everything its analysis reads ('' : something the key cannot cover)."""
        from iacgov.evalcache import KeyMaterial, options_material
        from iacgov.parsers.terraform.treesitter import frontend

        common = options_material(self.options, self.limits, frontend())
        digests = self._digests()
        members: dict[Path, tuple[tuple[bytes, ...], str]] = {}  # a shared module is in many closures
        keys = {}
        for directory in roots:
            material = KeyMaterial(list(common))
            try:
                self._key_material(directory, material, digests, members)
            except (OSError, ValueError, RuntimeError) as exc:
                material.why_not = f"cannot list its files ({type(exc).__name__})"
            keys[directory] = "" if material.why_not else material.key()
        return keys

    def _digests(self) -> Any:
        """The run's :class:`~iacgov.evalcache.FileDigests` (each file's digest made once: when it is read
        to be parsed, else when a key needs it)."""
        if self.digests is None:
            from iacgov.evalcache import FileDigests

            self.digests = FileDigests(self.limits.max_file_bytes)
        return self.digests

    def _key_material(self, directory: Path, material: Any, digest: Any,
                      members: dict[Path, tuple[tuple[bytes, ...], str]] | None = None) -> None:
        """What :meth:`analyse` reads for ``directory``: its files as handed over, the files of every
        directory of its module closure, its variables files; remote modules (modules.json) and links
        are not covered (``why_not``). ``members``: each closure directory's part, listed once a run."""
        manifest = directory / ".terraform" / "modules" / "modules.json"
        if manifest.exists() or manifest.is_symlink():
            material.why_not = "terraform init's modules.json resolves its remote modules"
            return
        definition = self.modules.get(directory)
        material.add("root", self.relpath(directory), *sorted(definition.files if definition is not None else ()))
        members = {} if members is None else members
        for member in sorted(self._closure([directory]), key=self.relpath):
            if member not in members:
                members[member] = self._member_material(member, digest)
            parts, why_not = members[member]
            if why_not:
                material.why_not = why_not
                return
            material.parts.extend(parts)
        for path in sorted(directory.glob("*.tfvars*")):
            if path.is_symlink():
                material.why_not = f"{path.name} is a symbolic link"
                return
            if path.name.endswith((".tfvars", ".tfvars.json")):
                material.add("vars", path.name, digest(path) if path.is_file() else b"not a file")

    def _member_material(self, member: Path, digest: Any) -> tuple[tuple[bytes, ...], str]:
        """A closure directory's part of a key: its name, then each file's name and digest; or why a key
        cannot cover it (a symbolic link among its files)."""
        from iacgov.evalcache import KeyMaterial

        part = KeyMaterial([])
        part.add("module", self.relpath(member))
        for path in _module_files(member):
            if path.is_symlink():
                return (), f"{path.name} is a symbolic link"
            part.add(path.name, digest(path))
        return tuple(part.parts), ""

    # analysis

    def analyse(self, directory: Path) -> ParseResult:
        self._files, self._notifications = [], []
        self._seen, self.reported_now = set(), set()  # a root's result is its own (see reported_now)
        definition = self.modules.get(directory)
        if definition is None:
            definition = self.load(directory)
        root = ModuleInstance(self, definition, "", self.root_inputs(definition), {})
        # meta["root_module"]: the root module directory, so that equal addresses
        # of two root modules (envs/prod, envs/staging) stay apart (provider review).
        where = self.relpath(directory)
        resources = []
        for r in root.resources():
            resources.append(replace(r, meta={**r.meta, "root_module": where}))
            if len(resources) > self.limits.max_resources:
                raise LimitExceeded(f"expands to more than {self.limits.max_resources:,} resource instances "
                                    "(modules called with count or for_each multiply): not analysed")
        resources = tuple(resources)
        return ParseResult(resources, tuple(self._notifications), tuple(dict.fromkeys(self._files)))

    def root_inputs(self, definition: ModuleDef) -> Inputs:
        """Variable values for a root module, in Terraform's precedence order."""
        directory = definition.dir
        automatic = sorted(p for p in directory.glob("*.auto.tfvars*")
                           if p.name.endswith((".auto.tfvars", ".auto.tfvars.json")) and not is_ignored_file(p.name))
        paths = [p for p in (directory / "terraform.tfvars", directory / "terraform.tfvars.json") if p.is_file()]
        inputs: Inputs = {}
        for path in [*paths, *automatic]:
            if self.inside(directory) and not self.inside(path.resolve()):  # found in the tree, pointing out of it
                relpath = self.relpath(directory / path.name)
                self.notify(_link_out(relpath))
                continue
            inputs.update(self._var_file(path, directory / path.name))
        for given in self.options.var_files:  # named by the user: read wherever they are
            inputs.update(self._var_file(Path(given)))
        for name, text in self.options.variables.items():
            value = self._cli_value(definition, name, text)
            if value is not None:
                inputs[name] = value
        return inputs

    def _var_file(self, path: Path, shown: Path | None = None) -> Inputs:
        """The values of a variables file; ``shown``: the path it is found under (a link's own)."""
        resolved = path.resolve()
        relpath = self.relpath(shown.parent.resolve() / shown.name if shown is not None else resolved)
        self._files.append(relpath)
        if resolved not in self._var_files:
            self._var_files[resolved] = self._read_var_file(resolved, relpath)
        return self._var_files[resolved]

    def _read_var_file(self, path: Path, relpath: str) -> Inputs:
        if not path.name.endswith(".json"):
            loaded = load_file(path, relpath, self.limits, self.cache)
            if loaded.error is not None:
                self._var_error(relpath, loaded.error)
                return {}
            return {name: (a.expr, LITERAL_SCOPE) for name, a in loaded.body.attributes.items()} if loaded.body else {}
        try:
            data = read_json_values(decode(read_bounded(path, self.limits)), self.limits)
            return {k: (Lit(v), LITERAL_SCOPE) for k, v in data.items()}
        except RecursionError:
            self._var_error(relpath, LoadError("nested too deeply to analyse"))
        except LoadError as exc:
            self._var_error(relpath, exc)
        except LimitExceeded as exc:
            self._var_error(relpath, LoadError(exc.reason, exc.line))
        except OSError as exc:
            self._var_error(relpath, LoadError(f"read error ({exc.strerror or exc})"))
        return {}

    def _var_error(self, relpath: str, error: LoadError) -> None:
        self.notify(replace(error_notification(f"cannot read variables from {relpath}: {error.reason}", relpath,
                                               error.line), scope="file", subject=relpath))

    def _cli_value(self, definition: ModuleDef, name: str, text: str) -> tuple[Expr, Scope] | None:
        """``--var NAME=TEXT``: a string, or an HCL expression for a collection type."""
        block = definition.variables.get(name)
        if block is None:
            return None
        type_attr = block.body.attributes.get("type")
        if type_attr is None or kind(type_attr.expr) not in COLLECTIONS:
            return Lit(text), LITERAL_SCOPE
        try:
            return parse_expression(text), LITERAL_SCOPE
        except LoadError as exc:
            self.notify(error_notification(f"--var {name}: not a valid value for its type ({exc.reason})",
                                           block.path, block.line))
            return None


def _module_files(directory: Path) -> list[Path]:
    """The files of a module as Terraform lists them: ``*.tf`` and ``*.tf.json``
    (its JSON syntax), by name, without the names it ignores (:func:`is_ignored_file`)."""
    try:
        names = [e.name for e in os.scandir(directory)]
    except (OSError, ValueError):
        return []
    return [directory / n for n in sorted(names) if n.endswith((".tf", ".tf.json")) and not is_ignored_file(n)]


def is_ignored_file(name: str) -> bool:
    """Terraform's ``IsIgnoredFile`` (internal/configs/parser_config_dir.go):
    hidden files, editor backups (``x.tf~``) and Emacs lock files (``#x.tf#``)
    are not part of a module."""
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


def _is_json(relpath: str) -> bool:
    return relpath.endswith(".tf.json")


def _source(block: Block) -> Any:
    attr = block.body.attributes.get("source")
    return value_of(attr.expr, LITERAL_SCOPE) if attr else None


def _shown(source: str) -> str:
    """A source as messages show it: control characters escaped, at most 200 characters."""
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in source)
    return text if len(text) <= 200 else text[:199] + "…"


def _link_out(relpath: str) -> Notification:
    # The target's path is not said: it is outside what the user asked to scan.
    return Notification(f"{relpath} is a symbolic link to a file outside the scanned directory: not read",
                        Location(relpath), Severity.ERROR, SOURCE, scope="file", subject=relpath)


def _links_left_out(directory: Path, names: set[str]) -> set[str]:
    """Module files that are symbolic links, when discovery handed over every
    other file of the directory: discovery leaves out links whose target it
    reads elsewhere (or that leave the root); Terraform reads them as files
    of this module, so iacgov reads them (or says why not)."""
    files = _module_files(directory)
    if not {p.name for p in files if not p.is_symlink()} <= names:
        return set()  # only some files were asked for (iacgov scan a.tf, pre-commit)
    return {p.name for p in files if p.is_symlink()}


def _is_local(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")
