"""The evaluation cache: a Terraform root module's analysis, root-local findings and cost items, kept across runs.

A warm scan parses nothing (the parse cache, :mod:`iacgov.cache`), but it still
evaluates every root module (variables, locals, module calls, ``for_each``,
every attribute) and runs every rule. This cache keeps, per root module:

1. **its analysis** (resources, notifications, files read), under a key made of
   everything the analysis reads (:func:`root_key`): the bytes of every file of
   every directory in its module closure (the root and the local modules it
   reaches, ``Project._closure``), with the directory listings (a new or a
   removed ``.tf`` file changes the key), the root's ``terraform.tfvars`` and
   ``*.auto.tfvars``, the ``--var-file`` contents and ``--var`` values, the
   limits, the HCL front end, and iacgov's code (:func:`code_digest`: every
   source and data file of iacgov and of its rule pack, by size and
   modification time). A root
   whose analysis reads something this key cannot see is never cached: one
   with a symbolic link among its files or tfvars, or one where ``terraform
   init`` wrote ``.terraform/modules/modules.json`` (remote modules are
   resolved through it).
2. **the findings of the root-local rules** on its resources, under the
   analysis key, the policy's content, the enabled root-local rules, the
   plugins (names and distribution versions) and iacgov's code.

Why only some rules: rules are cross-resource. A rule is *root-local* when a
finding it makes on a resource depends only on that resource, the other
resources of the same root module and the policy; then its findings on one
root cannot change when another root changes, and replaying them is exact.
a rule declares it (``ResourceRule.root_local``; the built-in pack's were audited) — each is a
``ResourceRule`` that keeps ``evaluate`` as is (one ``check`` per resource,
in order) and reads the scan only through ``ctx.policy`` and index look-ups
that stay in one root (``ReferenceIndex.referring``, filtered by
``same_root``); ``tests/test_evalcache.py`` checks both facts. The others read
across root modules and run on every scan, on all resources: ENC002 (it
overrides ``evaluate``; EBS encryption by default and the default EBS key count
in the resource's own root and region, as for ENC001), LOC002/LOC003 and
LOG002 (buckets named by a literal, in any root), LOG001 (every trail), ADM002,
ADM003, ADM005 (grants across the estate), BCK004/BCK005, COV001 (coverage
notes), and COST001-003 (the estimate sums environments over every root: it is
recomputed from all resources each time). A rule that does not declare it is never cached.

The findings are replayed in the order the rule would give them: a
``ResourceRule`` yields resource by resource, the resources of a root module
are consecutive, so the findings over all resources are the concatenation of
the per-root lists in resource order (:func:`local_findings`). With the
analysis equal (same key, same bytes) and the findings equal, the report is
byte for byte the one an uncached run writes (tested, JSON and SARIF).

A root's analysis no longer depends on the roots analysed before it in the
same run (it used to skip a shared module's messages another root had already
reported; the engine deduplicates them anyway), so a cached root and a fresh
one give the same result.

3. **its cost items** (:class:`CostItemsCache`): the :class:`~iacgov.cost.model.ResourceCost` of its
   counted resources in resource order and the warnings pricing them raised, under the analysis key and
   :func:`iacgov.cost.estimate.items_context` (the policy's content and the rate card, usage values and
   provider fees as resolved; the shipped catalog is iacgov's code). Exact because a resource's price
   reads only itself, the policy, those settings and the resources of its own root module (references
   resolve within it, :func:`iacgov.cost.estimate.root_items`). The estimate sums them.

Where a root module is analysed — a worker process, when the scan has a pool — its root-local findings
and cost items are made too (:class:`RootWork`), so that the scanning process only replays and sums.
Without the cache (``--no-cache``) the worker sends them back with the analysis instead (:class:`Made`,
held in memory for the very resource objects received, :func:`held_work`): a cold scan's serial tail
(rules and estimate in the scanning process, workers idle) loses that work.

**The per-root records, for other commands** (the review builds on them); each lookup is None on a miss:

- ``Inventory.units``: ``(start, end, key)`` — ``resources[start:end]`` is the root module whose
  analysis key is ``key`` (only roots the cache can key; the resources of a root are consecutive);
- ``AnalysisCache(cache_dir, scan_root).get(key)`` -> :class:`Analysis` (``result``: the root's
  :class:`~iacgov.model.ParseResult`; ``reported``: module directories whose messages it reported);
- ``FindingsCache(cache_dir, scan_root, policy, host, codes).get(key)`` -> ``{code: (Finding, ...)}``
  of the root-local rules ``codes`` (before severity overrides, suppressions and the baseline);
- ``CostItemsCache(cache_dir, scan_root).get(key, items_context(policy, settings))`` ->
  ``((ResourceCost, ...), (warning, ...))``; :func:`iacgov.cost.estimate.estimate` with ``units`` and
  ``store`` reads and writes them.

Storage is :class:`iacgov.cache.ParseCache`'s: the same folder, content keys,
digest-checked entries, atomic writes, a restricted unpickler that builds only
the classes listed here, the same size cap and pruning, ``iacgov cache clear``,
and ``--no-cache`` neither reads nor writes it. An entry that mentions the
scanned folder's absolute path is not written (entries are shared between
folders holding the same files: a review's base and head).
"""

from __future__ import annotations

from iacgov import digests as hashlib  # not hashlib itself: it loads OpenSSL's _hashlib for nothing used here
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from iacgov.model import Finding, ParseResult, Resource

if TYPE_CHECKING:
    from iacgov.api import Rule, RuleContext
    from iacgov.cache import ParseCache
    from iacgov.plugins import PluginHost


_CLASSES = (
    "iacgov.model:Resource", "iacgov.model:Notification", "iacgov.model:Location", "iacgov.model:Severity",
    "iacgov.model:Unknown", "iacgov.model:Finding", "iacgov.model:Suppression",
    "iacgov.parsers.terraform.values:BlockValue", "iacgov.parsers.terraform.values:SetValue",
    "iacgov.placeholders:UnknownTemplate", "decimal:Decimal",
    "iacgov.model:ParseResult", "iacgov.evalcache:Analysis",
    "iacgov.cost.model:ResourceCost", "iacgov.cost.model:Component",
)


@dataclass(frozen=True)
class RootResult(ParseResult):
    """A root module's analysis, with the key of its inputs ('' when it cannot be cached)."""

    unit: str = ""


@dataclass(frozen=True)
class Analysis:
    """What a cache entry of an analysis holds besides the result: the module
    directories whose messages it reported (so that none is reported again
    as reached by no root)."""

    result: ParseResult
    reported: tuple[str, ...]


@lru_cache(maxsize=None)
def code_digest() -> str:
    """Every source and data file of iacgov and of its rule pack, by name, size and modification
    time (to the nanosecond): an upgrade or an edited checkout never reads an entry older code
    wrote. Not by content: reading 3 MB of sources costs a pre-commit run about 80 ms."""
    import importlib.util

    import iacgov

    from iacgov.plugins import group_entry_points  # not importlib.metadata: 20 ms of a pre-commit run

    digest = hashlib.blake2b(digest_size=16)
    folders = [Path(iacgov.__file__).parent]
    # and every plugin package installed under iacgov's entry-point group (the
    # built-in rule pack is one): an edited editable install changes no version
    for name in sorted({ep.module.split(".")[0] for ep in group_entry_points("iacgov")}):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin and spec.submodule_search_locations:
            folders.append(Path(spec.origin).parent)
    for folder in folders:
        stack = [folder]
        while stack:
            try:
                with os.scandir(stack.pop()) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        stack.append(Path(entry.path))
                elif entry.name.endswith((".py", ".json", ".csv", ".yaml", ".yml", ".txt")):
                    try:
                        st = entry.stat()
                        digest.update(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
                    except OSError:
                        digest.update(f"{entry.path}\0unreadable\0".encode())
    return f"{iacgov.__version__}:{digest.hexdigest()}"


def _store(cache_dir: Path, name: str) -> "ParseCache":
    from iacgov.cache import ParseCache

    class Store(ParseCache):
        """A ParseCache that can be handed a value already pickled (checked for the scanned folder's path)."""

        def dumps(self, value: Any) -> bytes:
            return value.payload if isinstance(value, Pickled) else super().dumps(value)

        def loads(self, payload: bytes) -> Any:
            return unwatched_loads(super().loads, payload)

    return Store(cache_dir, name, (code_digest(),), _CLASSES)


def unwatched_loads(loads: Any, payload: bytes) -> Any:
    """``loads(payload)`` with Python's cyclic garbage collector off, then what it built moved out of the
    collector's sight (``gc.freeze``, as :mod:`iacgov.parsers.terraform.loader` does for the parse cache).

    A root module's analysis is thousands of small objects (resources, locations, dicts), none in a
    reference cycle, kept for the whole scan; with the collector on, its full passes walk everything
    alive while they are built, again and again: unpickling the 128 analyses of a 2,000-file estate
    takes 1.1-2.0 s with it on, 0.4-0.5 s with it off. Reference counting still frees as usual; freezing
    is constant-time. Nothing changes when the collector is already off (a worker, a paused loader)."""
    import gc

    if not gc.isenabled():
        return loads(payload)
    gc.disable()
    try:
        return loads(payload)
    finally:
        gc.enable()
        gc.freeze()


@dataclass(frozen=True)
class Pickled:
    payload: bytes


# -- 1. analyses -------------------------------------------------------------------


class AnalysisCache:
    """Analyses of root modules by :func:`root_key`. ``None`` results are misses."""

    def __init__(self, cache_dir: Path, scan_root: Path) -> None:
        self.store = _store(cache_dir, "terraform-analysis")
        self.scan_root = str(scan_root).encode()

    def get(self, key: str) -> Analysis | None:
        value = self.store.get(key.encode())[1]
        return value if isinstance(value, Analysis) else None

    def put(self, key: str, analysis: Analysis) -> bytes | None:
        """Store; the pickled analysis (None: it does not pickle), which a worker sends as is."""
        return _put_unless_rooted(self.store, key.encode(), analysis, self.scan_root)


def _put_unless_rooted(store: "ParseCache", data: bytes, value: Any, scan_root: bytes) -> bytes | None:
    """Store, unless the value names the scanned folder (it would be wrong for another folder); the
    value pickled, or None if it does not pickle."""
    import pickle

    try:
        payload = store.dumps(value)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None
    if not (scan_root and scan_root in payload):
        store.put(store.key(data), Pickled(payload))  # pickled once
    return payload


@dataclass
class KeyMaterial:
    """What a root module's analysis reads, as bytes to hash; ``why_not`` set
    when it reads something the key cannot cover."""

    parts: list[bytes]
    why_not: str = ""

    def add(self, *items: str | bytes) -> None:
        for item in items:
            self.parts.append(item if isinstance(item, bytes) else item.encode("utf-8", "surrogateescape"))

    def key(self) -> str:
        digest = hashlib.blake2b(digest_size=32)
        for part in self.parts:
            digest.update(len(part).to_bytes(8, "big") + part)
        return digest.hexdigest()


class FileDigests:
    """BLAKE2b of files' bytes, once per file per run (shared modules are in many closures). What is not
    a regular file (a FIFO named ``main.tf``) is never opened, and a file over the size limit is not read:
    the parser refuses both whatever their content, and the limit is part of the key."""

    def __init__(self, max_bytes: int) -> None:
        self._known: dict[str, bytes] = {}
        self.max_bytes = max_bytes

    def __call__(self, path: "Path | str") -> bytes:
        name = os.fspath(path)  # by string: Paths built elsewhere for the same file hash alike, cheaply
        known = self._known.get(name)
        if known is None:
            known = self._known[name] = self._digest(name)
        return known

    def note(self, path: "Path | str", data: bytes) -> None:
        """A file's bytes, read whole by the parser (:func:`iacgov.limits.read_bounded`: a regular file within
        the limit): its digest is these bytes', not read a second time (10,000 files: 10,000 opens)."""
        name = os.fspath(path)
        if name not in self._known:
            self._known[name] = hashlib.blake2b(data, digest_size=20).digest()

    def _digest(self, path: str) -> bytes:
        import stat

        try:
            st = os.stat(path)  # before opening: a FIFO or a device is never opened
            if not stat.S_ISREG(st.st_mode):
                return f"not a regular file {stat.S_IFMT(st.st_mode)}".encode()
            if st.st_size > self.max_bytes:
                return f"over the limit {st.st_size}".encode()
            digest = hashlib.blake2b(digest_size=20)
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))  # no buffered file object: 10,000 a run
            try:
                while chunk := os.read(fd, 1 << 20):
                    digest.update(chunk)
            finally:
                os.close(fd)
            return digest.digest()
        except OSError as exc:
            return f"unreadable {type(exc).__name__}".encode()


def options_material(options: Any, limits: Any, frontend: str) -> list[bytes]:
    """The options that change an analysis: --var values, --var-file contents (by the path given), limits, front end."""
    parts = [repr(limits).encode(), frontend.encode(), json.dumps(sorted(options.variables.items())).encode()]
    for given in options.var_files:
        path = Path(given)
        try:
            data = path.read_bytes()
        except OSError as exc:
            data = f"unreadable {type(exc).__name__}".encode()
        parts.append(str(given).encode() + b"\0" + hashlib.blake2b(data, digest_size=20).digest())
    return parts


# -- 2. root-local findings ----------------------------------------------------------


def policy_digest(policy: Any) -> str:
    """The policy's content (not where it is: a review reads it from a temporary folder)."""
    text = json.dumps(getattr(policy, "data", policy), sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def plugins_digest(host: "PluginHost") -> str:
    names = sorted(getattr(host, "names", []) or [])
    try:
        dists = sorted(f"{d.project_name} {d.version}" for _, d in host.manager.list_plugin_distinfo())
    except Exception:  # noqa: BLE001 - a plugin manager without dist info: names alone
        dists = []
    return json.dumps([names, dists])


def root_local(rule: "Rule") -> bool:
    """Whether a rule's findings on one root module may be replayed: declared
    root-local by its author, a ResourceRule that keeps ``evaluate`` as is."""
    from iacgov.api import ResourceRule

    return (getattr(rule, "root_local", False) is True and isinstance(rule, ResourceRule)
            and type(rule).evaluate is ResourceRule.evaluate)


class FindingsCache:
    """Root-local findings of one root module, by its analysis key and what else they depend on."""

    def __init__(self, cache_dir: Path, scan_root: Path, policy: Any, host: "PluginHost", codes: Sequence[str]) -> None:
        self.store = _store(cache_dir, "root-findings")
        self.scan_root = str(scan_root).encode()
        self.context = "\0".join((policy_digest(policy), plugins_digest(host), ",".join(codes))).encode()

    def _data(self, unit: str) -> bytes:
        return unit.encode() + b"\0" + self.context

    def get(self, unit: str) -> dict[str, tuple[Finding, ...]] | None:
        value = self.store.get(self._data(unit))[1]
        return value if isinstance(value, dict) else None

    def put(self, unit: str, findings: dict[str, tuple[Finding, ...]]) -> None:
        _put_unless_rooted(self.store, self._data(unit), findings, self.scan_root)


Segment = tuple[int, int, str]  # resources[start:end], the unit key ('' : not a cached root module)


def segments(resources: Sequence[Resource], units: Sequence[Segment]) -> list[Segment]:
    """The whole of ``resources`` cut into the units' ranges and the gaps between them, in order."""
    out: list[Segment] = []
    at = 0
    for start, end, unit in sorted(units):
        if start > at:
            out.append((at, start, ""))
        out.append((start, end, unit))
        at = end
    if at < len(resources):
        out.append((at, len(resources), ""))
    return out


@dataclass
class LocalRun:
    """The root-local rules' findings over all resources, per rule, in the order
    a full evaluation gives them; ``crashes`` by rule code; ``evaluated`` the
    units evaluated (not replayed), for tests and benchmarks."""

    findings: dict[str, list[Finding]]
    crashes: dict[str, BaseException]
    evaluated: list[str]


def local_findings(rules: Sequence["Rule"], ctx: "RuleContext", units: Sequence[Segment],
                   cache: FindingsCache | None) -> LocalRun:
    resources = ctx.resources
    run = LocalRun({r.meta.code: [] for r in rules}, {}, [])
    for start, end, unit in segments(resources, units):
        cached = cache.get(unit) if cache is not None and unit else None
        if cached is not None and set(cached) == set(run.findings):
            for code, found in cached.items():
                if code not in run.crashes:
                    run.findings[code].extend(found)
            continue
        part = resources[start:end]
        fresh: dict[str, tuple[Finding, ...]] = {}
        for rule in rules:
            code = rule.meta.code
            if code in run.crashes:  # a full evaluation stops a rule at its first crash
                continue
            got: list[Finding] = []
            try:
                for finding in rule.evaluate(part, ctx):
                    got.append(finding)
            except Exception as exc:  # noqa: BLE001 - reported by the engine as the rule's crash
                run.crashes[code] = exc
            run.findings[code].extend(got)
            fresh[code] = tuple(got)
        if unit:
            run.evaluated.append(unit)
            if cache is not None and len(fresh) == len(rules) and not run.crashes:
                cache.put(unit, fresh)
    return run


# -- 3. cost estimate items -----------------------------------------------------------


class CostItemsCache:
    """A root module's cost items (:func:`iacgov.cost.estimate.root_items`: its counted resources'
    :class:`~iacgov.cost.model.ResourceCost` in resource order, and the warnings pricing raised), by its
    analysis key and ``context`` (:func:`iacgov.cost.estimate.items_context`: the policy's content, the
    rate card, usage values and fees as resolved); the shipped catalog is iacgov's code (the namespace).
    Exact because a resource's price reads only itself, the policy, the settings, the catalog and the
    resources of its own root module (references resolve within it)."""

    def __init__(self, cache_dir: Path, scan_root: Path) -> None:
        self.store = _store(cache_dir, "root-costs")
        self.scan_root = str(scan_root).encode()

    def get(self, unit: str, context: str) -> Any:
        value = self.store.get(unit.encode() + b"\0" + context.encode())[1]
        return value if isinstance(value, tuple) and len(value) == 2 else None

    def put(self, unit: str, context: str, items: Any) -> None:
        _put_unless_rooted(self.store, unit.encode() + b"\0" + context.encode(), items, self.scan_root)


# What the engine offers the scan's estimate (iacgov.cost.estimate.scan_estimate): this very resources
# tuple, its units and the store. Held like scan_estimate's own last result, one scan at a time.
_OFFERED: tuple[Sequence[Resource], tuple[Segment, ...], CostItemsCache] | None = None


def offer_units(resources: Sequence[Resource], units: Sequence[Segment], store: CostItemsCache | None) -> None:
    global _OFFERED
    _OFFERED = (resources, tuple(units), store) if store is not None and units else None


def offered_units(resources: Sequence[Resource]) -> tuple[tuple[Segment, ...], CostItemsCache | None]:
    """The units and store offered for this very ``resources`` object, else none."""
    if _OFFERED is not None and _OFFERED[0] is resources:
        return _OFFERED[1], _OFFERED[2]
    return (), None


# -- 4. per-root work where the root is analysed -------------------------------------------


class RootWork:
    """What follows a root module's analysis where it is analysed (a worker process, when there is a
    pool): its root-local rules' findings (:class:`FindingsCache`) and its cost items
    (:class:`CostItemsCache`), put in the evaluation cache under the keys the scanning process reads them
    by (:func:`local_findings`, :func:`iacgov.cost.estimate.scan_estimate`), so that it only replays and
    sums. An optimisation only: what is not there is computed by the scanning process as before.

    The engine offers one per scan (:func:`offer_root_work`, nothing computed); :meth:`prepare` runs in
    the scanning process before the workers fork (rules, digests, the cost settings resolved as the
    estimate resolves them), :meth:`run` on a worker after each root module it analysed and kept.
    A root-local rule reads its root module only (``root_local``), so a context of that root's resources
    gives the findings the whole scan's context gives (tests/test_perroot_work.py compares)."""

    def __init__(self, policy: Any, host: "PluginHost", cache_dir: Path | None, scan_root: Path, options: Any) -> None:
        self.policy, self.host, self.cache_dir, self.scan_root, self.options = policy, host, cache_dir, scan_root, options
        self.rules: list[Rule] = []
        self.findings: FindingsCache | None = None
        self.costs: tuple[Any, Any, Any, str] | None = None  # catalog, settings, store (None: sent), context
        self.prepared = False

    def prepare(self) -> "RootWork":
        from iacgov.engine import collect_rules

        policy = self.policy
        try:
            rules = [r for r in collect_rules(self.host) if policy.get(f"rules.{r.meta.code}.enabled", True) is not False]
        except Exception:  # noqa: BLE001 - the engine reports it when it collects them itself
            rules = []
        self.prepared = True
        self.rules = [r for r in rules if root_local(r)]
        if self.rules and self.cache_dir is not None:
            self.findings = FindingsCache(self.cache_dir, self.scan_root, policy, self.host,
                                          [r.meta.code for r in self.rules])
        codes = {r.meta.code for r in rules}
        if codes & {"COST001", "COST002", "COST003"} and any(policy.get(k) for k in _ESTIMATED_WHEN):
            from iacgov.cost.catalog import Catalog, CostConfigError
            from iacgov.cost.estimate import items_context, resolve_settings

            try:
                settings = resolve_settings(policy)  # as scan_estimate resolves them
            except (CostConfigError, OSError, ValueError):
                return self
            store = CostItemsCache(self.cache_dir, self.scan_root) if self.cache_dir is not None else None
            self.costs = (Catalog(settings.rate_card), settings, store, items_context(policy, settings))
        return self

    def run(self, unit: str, resources: Sequence[Resource]) -> None:
        """On a worker: root ``unit``'s findings and items into the cache; never raises (the scanning
        process computes what is missing)."""
        try:
            if self.findings is not None and self.rules:
                self.findings.put(unit, self._findings(resources))
            if self.costs is not None and self.costs[2] is not None:
                catalog, settings, store, context = self.costs
                store.put(unit, context, self._items(resources))
        except Exception:  # noqa: BLE001 - an optimisation: the scanning process does it itself
            pass

    def made(self, resources: Sequence[Resource]) -> "Made | None":
        """On a worker of a scan without the cache: a root module's findings and items, sent back with its
        analysis (:func:`hold`); None when there is nothing to make, or it failed (never raises: the
        scanning process then computes them itself)."""
        if not resources or not (self.rules or self.costs is not None):
            return None
        try:
            findings = self._findings(resources) if self.rules else None
            items = self._items(resources) if self.costs is not None else None
        except Exception:  # noqa: BLE001 - an optimisation: the scanning process does it itself
            return None
        return Made(findings, items, self.costs[3] if self.costs is not None else "")

    def _findings(self, resources: Sequence[Resource]) -> dict[str, tuple[Finding, ...]]:
        from iacgov.api import RuleContext

        ctx = RuleContext(policy=self.policy, resources=tuple(resources), root=self.scan_root,
                          parse_options=self.options)
        fresh: dict[str, tuple[Finding, ...]] = {}
        for rule in self.rules:
            fresh[rule.meta.code] = tuple(rule.evaluate(ctx.resources, ctx))  # a crash: nothing kept
        return fresh

    def _items(self, resources: Sequence[Resource]) -> Any:
        from iacgov.cost.estimate import _Memo, root_items

        assert self.costs is not None
        catalog, settings, _, _ = self.costs
        return root_items(resources, _Memo(self.policy), catalog, settings)


# What the COST rules read the estimate for (a policy without any of them computes none).
_ESTIMATED_WHEN = ("cost.budgets", "cost.max_resource_monthly", "cost.category_budgets")

_ROOT_WORK: RootWork | None = None


def offer_root_work(work: RootWork | None) -> None:
    global _ROOT_WORK
    _ROOT_WORK = work


def root_work(scan_root: Path, options: Any) -> RootWork | None:
    """The offered work for a scan of ``scan_root`` with ``options`` (its cache folder, or none: then what
    a worker makes is sent back, :meth:`RootWork.made`), prepared."""
    work = _ROOT_WORK
    if work is None or work.scan_root != scan_root or work.cache_dir != options.cache_dir:
        return None
    if not work.prepared:
        work.prepare()
    return work if (work.rules or work.costs is not None) else None


# -- 5. per-root work sent back by the workers of a scan without the cache -------------------------


@dataclass(frozen=True)
class Made:
    """A root module's root-local findings (by rule code; None: no such rule) and cost items with the
    :func:`~iacgov.cost.estimate.items_context` they were priced under (None: no estimate), made on the
    worker that analysed it."""

    findings: dict[str, tuple[Finding, ...]] | None
    items: Any
    context: str


# What this process's workers made, by the first of the root module's resources (held, so ids stay unique):
# id -> (the root's resources as received, what was made). Filled while a scan's roots are received
# (:func:`hold`), read by its engine (:func:`held_work`), emptied when the next scan's parse starts.
_HELD: dict[int, tuple[Sequence[Resource], Made]] = {}


def forget_held() -> None:
    _HELD.clear()


def hold(resources: Sequence[Resource], made: Made | None) -> None:
    """What a worker made for the root module whose analysis gave ``resources`` (the very objects the
    scan's inventory will list)."""
    if made is not None and resources:
        _HELD[id(resources[0])] = (resources, made)


class HeldFindings:
    """:class:`FindingsCache`'s lookup over the root-local findings this process's workers made (in memory:
    a scan without the cache writes nothing). A unit is a root module's place in the scan's resources."""

    def __init__(self, made: dict[str, Made]) -> None:
        self._made = made

    def get(self, unit: str) -> dict[str, tuple[Finding, ...]] | None:
        made = self._made.get(unit)
        return made.findings if made is not None else None

    def put(self, unit: str, findings: dict[str, tuple[Finding, ...]]) -> None:
        pass


class HeldItems:
    """:class:`CostItemsCache`'s lookup over the cost items this process's workers made, under the context
    they were priced in (in memory, as :class:`HeldFindings`)."""

    class _NoFolder:
        directory = None  # no price rows kept on disk either (cost.estimate.scan_estimate reads this)

    store = _NoFolder()

    def __init__(self, made: dict[str, Made]) -> None:
        self._made = made

    def get(self, unit: str, context: str) -> Any:
        made = self._made.get(unit)
        return made.items if made is not None and made.items is not None and made.context == context else None

    def put(self, unit: str, context: str, items: Any) -> None:
        pass


def held_work(resources: Sequence[Resource]) -> tuple[tuple[Segment, ...], HeldFindings, HeldItems]:
    """The units of ``resources`` (the scan's inventory) whose root-local findings and cost items this
    process's workers made, and the stores to read them from (no units when there are none). A unit is the same objects, in the same order, as the root module's resources received."""
    if not _HELD:
        return (), HeldFindings({}), HeldItems({})
    units: list[Segment] = []
    made: dict[str, Made] = {}
    at, n = 0, len(resources)
    while at < n:
        entry = _HELD.get(id(resources[at]))
        if entry is not None:
            part, what = entry
            end = at + len(part)
            if end <= n and all(a is b for a, b in zip(part, resources[at:end])):
                unit = f"held:{at}"
                units.append((at, end, unit))
                made[unit] = what
                at = end
                continue
        at += 1
    return tuple(units), HeldFindings(made), HeldItems(made)


def units_of(results: Iterable[tuple[int, int, str]]) -> tuple[Segment, ...]:
    return tuple((s, e, u) for s, e, u in results if u and e > s)
