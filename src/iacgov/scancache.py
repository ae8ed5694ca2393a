"""The scan cache: a whole scan's result, read back when nothing it read has changed.

The parse cache (:mod:`iacgov.cache`) and the evaluation cache
(:mod:`iacgov.evalcache`) make a warm scan skip parsing and the analysis of
unchanged root modules, but a warm scan still builds every module, runs the
rules that look across root modules, the cost estimate and the suppressions
over the whole estate. When nothing the scan read has changed, its result is
the same: this cache keeps it.

**Key** (:func:`scan_key`), computed after discovery, before any parse:
every claimed file's relpath and content digest, by parser; what discovery
and the assignment of files to parsers said (skipped files, links...); the
files named on the command line and those excluded; the paths scanned and
``--skip-path``; the policy's content and where it is shown from, with the
content of every file a string of the policy names (baseline, rate card,
usage file; and ``iacgov-usage.yaml`` beside the policy or in the root,
read when present); ``--baseline``; the options (``--var``, ``--var-file``
contents, ``--cfn-param``, ``--region``, the limits with their command-line
overrides, the HCL front end: :func:`iacgov.evalcache.options_material`);
the plugins loaded (``plugins_digest``, so ``-p no:NAME`` is another key);
iacgov's code (``code_digest``); and the date suppressions expire against.

**Dependencies** (make-style): the Terraform analysis reads directories
discovery did not hand over (``source = "../modules/x"``, the module
directories of a root, its ``*.tfvars``, the probe of a module source that
does not exist yet). The parser reports them (:class:`Reads`);
the entry records each one's state (:func:`dir_state`: the names of its
Terraform files with their digests, and whether ``.terraform/modules/modules.json``
exists), and a lookup re-checks every state before it reads the result back:
editing a module outside the scanned path is a miss.

**Never cached**: a run with errors (exit 2); a run in which a file check
(a bridge such as checkov) or a parser that is not iacgov's own took part
(what they read is unknown); a run in which a Terraform root module could
not be keyed (``modules.json``, symbolic links: see :mod:`iacgov.evalcache`)
or was not analysed whole; a run that hit a time or memory budget or a read
error (they say nothing about the bytes).

**Storage**: :class:`iacgov.cache.ParseCache`'s folder, digest-checked
entries, atomic writes and restricted unpickler. Per scanned root folder and
request (paths, policy path, options), one small *index* entry holds the
key and the dependencies, and names one *result* entry: a new result for the
same folder replaces the previous one (deleted), and at most
:data:`MAX_RESULTS` results are kept, the least recently written deleted
first; the cache's size cap and ``iacgov cache clear`` apply as to every
entry.
"""

from __future__ import annotations

from iacgov import digests as hashlib  # not hashlib itself: it loads OpenSSL's _hashlib for nothing used here
import json
import os
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from iacgov.evalcache import (FileDigests, KeyMaterial, _store, code_digest, options_material, plugins_digest,
                              policy_digest)
from iacgov.model import ParseResult, ScanResult

if TYPE_CHECKING:
    from iacgov.engine import Claimed, Inventory, ScanRequest
    from iacgov.plugins import PluginHost

FORMAT = "scan-v1"
MAX_RESULTS = 8  # whole-scan results kept (each up to tens of MB at 10,000 files)
_INDEX, _RESULTS = "scan-index", "scan-results"
_TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
_MANIFEST = os.path.join(".terraform", "modules", "modules.json")
_OWN_PARSERS = "iacgov.parsers"
# iacgov.cost.usage.DEFAULT_NAME, not imported: a scan whose policy prices nothing never loads the cost package
USAGE_FILE = "iacgov-usage.yaml"
# What a ScanResult holds besides Python's plain types.
_CLASSES = (
    "iacgov.model:ScanResult", "iacgov.model:RuleMeta", "iacgov.model:Resource", "iacgov.model:Notification",
    "iacgov.model:Location", "iacgov.model:Severity", "iacgov.model:Unknown", "iacgov.model:Finding",
    "iacgov.model:Suppression", "iacgov.parsers.terraform.values:BlockValue",
    "iacgov.parsers.terraform.values:SetValue",
    "iacgov.placeholders:UnknownTemplate", "decimal:Decimal", "pathlib:PosixPath", "pathlib:WindowsPath",
    "iacgov.scancache:Index", "iacgov.scancache:Stored",
)


@dataclass(frozen=True)
class Reads(ParseResult):
    """The Terraform parser's last result when the cache is on: the directories its analysis listed
    or probed (absolute), and whether every root module was keyed and analysed whole: what a lookup
    re-checks before it reads a whole scan back."""

    dirs: tuple[str, ...] = ()
    keyed: bool = True


@dataclass(frozen=True)
class Stored:
    """A result entry: the scan's result without its resources, which are the root modules' analyses
    the evaluation cache already holds (``units``: resources[start:end] of each, by its key) and, in
    ``others``, the resources of the gaps between them (templates, plans), in order. Writing it costs
    the findings, not every resource again (a quarter of the bytes at 2,000 files)."""

    result: ScanResult
    count: int
    units: tuple[tuple[int, int, str], ...]
    others: tuple[Any, ...]


def stored(result: ScanResult, inventory: "Inventory") -> Stored | ScanResult:
    """The entry for ``result``: by reference to the analyses when its resources are the inventory's."""
    from iacgov.evalcache import segments

    resources = result.resources
    if len(resources) != len(inventory.resources) or any(a is not b for a, b in zip(resources, inventory.resources)):
        return result
    units = tuple(s for s in segments(resources, inventory.units) if s[2])
    others = tuple(r for start, end, unit in segments(resources, inventory.units) if not unit
                   for r in resources[start:end])
    return Stored(replace(result, resources=()), len(resources), units, others)


def restored(entry: Any, cache_dir: Path, root: Path) -> ScanResult | None:
    """The result an entry stands for; None when an analysis it names is no longer in the cache.
    The analyses are read and digest-checked here, decoded only when the resources are first
    used: the reports of a scan count them, and decoding 100,000 resources is seconds."""
    if isinstance(entry, ScanResult):
        return entry
    if not isinstance(entry, Stored):
        return None
    from iacgov.evalcache import AnalysisCache

    store = AnalysisCache(cache_dir, root).store
    parts: list[tuple[int, Any]] = []  # (resources expected, a tuple of resources or a verified payload)
    at = taken = 0  # resources placed, inline resources taken
    for start, end, unit in entry.units:
        if start > at:
            parts.append((start - at, entry.others[taken:taken + start - at]))
            taken += start - at
        payload = _payload(store, store.key(unit.encode()))
        if payload is None:
            return None
        parts.append((end - start, payload))
        at = end
    if entry.count > at:
        parts.append((entry.count - at, entry.others[taken:]))
    if any(isinstance(part, tuple) and len(part) != n for n, part in parts):
        return None
    return replace(entry.result, resources=StoredResources(entry.count, tuple(parts), store))


def _payload(store: Any, key: str) -> bytes | None:
    """An entry's payload if its digest is right (what ``ParseCache.get`` checks before decoding)."""
    from iacgov.cache import DIGEST_SIZE, MAGIC

    try:
        with open(store.path(key), "rb") as fh:
            blob = fh.read()
    except OSError:
        return None
    head = len(MAGIC) + DIGEST_SIZE
    if len(blob) <= head or not blob.startswith(MAGIC):
        return None
    payload = blob[head:]
    if hashlib.blake2b(key.encode() + payload, digest_size=DIGEST_SIZE).digest() != blob[len(MAGIC):head]:
        return None
    return payload


class StoredResources(Sequence):
    """A scan's resources read back from the cache: its length is known, its items are decoded
    from the analyses' verified entries on first use (iteration, indexing, comparison). Equal to
    the tuple of the same resources; pickled as that tuple."""

    __slots__ = ("_count", "_parts", "_store", "_items")

    def __init__(self, count: int, parts: tuple[tuple[int, Any], ...], store: Any) -> None:
        self._count, self._parts, self._store, self._items = count, parts, store, None

    def _all(self) -> tuple[Any, ...]:
        if self._items is None:
            items: list[Any] = []
            for n, part in self._parts:
                got = part if isinstance(part, tuple) else self._decode(part)
                if len(got) != n:
                    raise RuntimeError("the scan cache's analysis entry does not match the result it was read for")
                items.extend(got)
            self._items = tuple(items)
            self._parts = ()
        return self._items

    def _decode(self, payload: bytes) -> tuple[Any, ...]:
        from iacgov.evalcache import Analysis

        value = self._store.loads(payload)
        if not isinstance(value, Analysis):
            raise RuntimeError("the scan cache's analysis entry is not an analysis")
        return tuple(value.result.resources)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())

    def __contains__(self, value: Any) -> bool:
        return value in self._all()

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, StoredResources):
            other = other._all()
        return self._all() == other if isinstance(other, tuple) else NotImplemented

    def __ne__(self, other: Any) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Any) -> tuple[Any, ...]:
        return self._all() + tuple(other)

    def __radd__(self, other: Any) -> tuple[Any, ...]:
        return tuple(other) + self._all()

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple, (self._all(),)

    def __repr__(self) -> str:
        return repr(self._all())


@dataclass(frozen=True)
class Index:
    """A scanned folder's last cacheable scan: its key, what it read beyond the claimed files, its result's entry."""

    key: str
    deps: tuple[tuple[str, bytes], ...]  # (directory relative to the root, dir_state)
    result: str  # the result entry's name


def cached_scan(request: "ScanRequest", host: "PluginHost") -> ScanResult:
    """:func:`iacgov.engine.scan`, reading the result back when nothing it read has changed
    (``request.options.cache_dir`` None: never). Raises what ``scan`` raises."""
    from iacgov.engine import claim_files, parse_claimed, scan_inventory

    step = claim_files(request, host)
    if step.options.cache_dir is None or _foreign(step, host):
        return scan_inventory(parse_claimed(step), request, host)
    digests = FileDigests(step.options.limits.max_file_bytes)
    key = scan_key(request, step, host, digests)
    store = ScanStore(step.options.cache_dir, step.root, request, step)
    hit = store.get(key, digests)
    if hit is not None:
        return hit
    inventory = parse_claimed(step)
    result = scan_inventory(inventory, request, host)
    if cacheable(inventory, result):
        store.put(key, dependencies(inventory, step.root, digests), stored(result, inventory))
    return result


def _foreign(step: "Claimed", host: "PluginHost") -> bool:
    """A file check, or a parser other than iacgov's own, takes part: what they read is not known."""
    from iacgov.engine import collect_file_checks

    try:
        if collect_file_checks(host):
            return True
    except Exception:  # noqa: BLE001 - the scan reports the broken plugin; it is not cached
        return True
    return any(step.claimed.get(p.name) and not type(p).__module__.startswith(_OWN_PARSERS) for p in step.parsers)


def cacheable(inventory: "Inventory", result: ScanResult) -> bool:
    """No errors, every root module keyed, no budget or read failure (they say nothing about the bytes)."""
    if result.errors or not inventory.keyed:
        return False
    from iacgov.limits import budget_message

    limits = inventory.options.limits
    transient = ("over the memory budget", "more than the memory budget", "read error", "cannot be read",
                 budget_message(limits) if limits is not None else "took longer than")
    return not any(t in n.message for n in result.notifications for t in transient)


# -- the key -------------------------------------------------------------------------


def scan_key(request: "ScanRequest", step: "Claimed", host: "PluginHost", digests: FileDigests) -> str:
    """Everything the scan's result depends on that is known before parsing (see the module docstring)."""
    from iacgov.parsers.terraform.treesitter import frontend

    options = step.options
    material = KeyMaterial([])
    material.add(FORMAT, code_digest(), plugins_digest(host), policy_digest(step.policy), step.policy.source)
    material.parts.extend(options_material(options, options.limits, frontend()))
    material.add("cfn", json.dumps(sorted(options.cfn_parameters.items())), str(options.region))
    templates = step.claimed.get("cloudformation", ())
    if templates and not options.region:  # a template's region is then its folder's SAM CLI configuration file's
        from iacgov.parsers.cloudformation.samconfig import config_file  # here: a Terraform scan never reads one

        for folder in sorted({f.path.parent for f in templates}):
            found = config_file(folder)
            if found is not None:
                material.add("samconfig", str(found), b"link" if found.is_symlink() else digests(found))
    material.add("today", (request.today or date.today()).isoformat())
    material.add("baseline", repr(request.baseline), str(request.policy_baseline))
    material.add("paths", *(_shown(p, step.root) for p in request.paths), "skip", *request.skip_paths)
    material.add("notes", *(repr(n) for n in step.notifications), "errors", *step.errors)
    material.add("explicit", *sorted(step.explicit), "excluded", *step.excluded)
    for name, path in _policy_files(step):
        material.add("policy-file", name, digests(path))
    for parser in step.parsers:
        material.add("parser", parser.name)
        for f in step.claimed.get(parser.name, ()):
            material.add(f.relpath, digests(f.path))
    return material.key()


def _shown(path: Path, root: Path) -> str:
    absolute = path.absolute()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def _policy_files(step: "Claimed") -> Iterator[tuple[str, Path]]:
    """Files the policy's strings name (relative to its folder or to the root), and the default
    usage file's places: a new file there, or an edited one, is another key."""
    source = step.policy.source
    folder = Path(source).parent if source and not source.startswith("<") else step.root
    bases = tuple(dict.fromkeys((folder, step.root)))
    for base in bases:
        yield f"{base}/{USAGE_FILE}", base / USAGE_FILE
    for text in sorted(set(_strings(step.policy.data))):
        for base in bases:
            try:
                path = base / text
                if path.is_file():
                    yield f"{base}/{text}", path
            except (OSError, ValueError):
                continue


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    if isinstance(value, str):
        if 0 < len(value) < 1024 and "\n" not in value and "\0" not in value:
            yield value
    elif depth < 32 and isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif depth < 32 and isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item, depth + 1)


# -- dependencies ------------------------------------------------------------------------


def dir_state(directory: str, digests: FileDigests) -> bytes:
    """What the Terraform analysis sees of a directory: whether it exists, the names of its
    Terraform and variables files with their digests (links marked), whether terraform init's
    ``modules.json`` is there."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        with os.scandir(directory) as it:
            entries = sorted((e.name, e.is_symlink()) for e in it if e.name.endswith(_TERRAFORM_SUFFIXES))
    except NotADirectoryError:
        return b"not a directory"
    except FileNotFoundError:
        return b"missing"
    except OSError as exc:
        return f"unreadable {type(exc).__name__}".encode()
    for name, link in entries:
        digest.update(name.encode("utf-8", "surrogateescape") + (b"\0link\0" if link else b"\0\0"))
        digest.update(digests(os.path.join(directory, name)))
    if os.path.lexists(os.path.join(directory, _MANIFEST)):
        digest.update(b"\0modules.json")
    return digest.digest()


def dependencies(inventory: "Inventory", root: Path, digests: FileDigests) -> tuple[tuple[str, bytes], ...]:
    """The state of every directory the analysis read or probed, by path relative to the root."""
    out = []
    prefix = str(root) + os.sep
    for directory in inventory.reads:
        if directory == str(root):
            out.append((".", dir_state(directory, digests)))
        elif directory.startswith(prefix):
            out.append((directory[len(prefix):], dir_state(directory, digests)))
        # outside the root: never read (the parser refuses it whatever it holds)
    return tuple(out)


def _unchanged(deps: tuple[tuple[str, bytes], ...], root: Path, digests: FileDigests) -> bool:
    return all(dir_state(os.path.join(root, relpath), digests) == state for relpath, state in deps)


# -- storage ---------------------------------------------------------------------------


class ScanStore:
    """The index entry of one scanned folder and request, and the result entries."""

    def __init__(self, cache_dir: Path, root: Path, request: "ScanRequest", step: "Claimed") -> None:
        self.index = _store(cache_dir, _INDEX)
        self.results = _store(cache_dir, _RESULTS)
        self.index.classes = self.results.classes = frozenset(tuple(c.split(":", 1)) for c in _CLASSES)
        self.root = root
        self.cache_dir = cache_dir
        shape = [str(root), str(request.policy_path), *(_shown(p, root) for p in request.paths),
                 json.dumps(sorted(request.options.variables.items())), *map(str, request.options.var_files)]
        self.slot = "\0".join(shape).encode("utf-8", "surrogateescape")

    def get(self, key: str, digests: FileDigests) -> ScanResult | None:
        index = self.index.get(self.slot)[1]
        if not isinstance(index, Index) or index.key != key or not _unchanged(index.deps, self.root, digests):
            return None
        value = restored(self._read(self.results.path(index.result), index.result), self.cache_dir, self.root)
        return value if value is not None and value.root == self.root else None

    def _read(self, path: Path, name: str) -> Any:
        try:
            with open(path, "rb") as fh:
                blob = fh.read()
        except OSError:
            return None
        return self.results._decode(name, blob)

    def put(self, key: str, deps: tuple[tuple[str, bytes], ...], result: Stored | ScanResult) -> None:
        name = self.results.key(key.encode() + b"\0" + self.slot)
        previous = self.index.get(self.slot)[1]
        self.results.put(name, result)
        if not self.results.path(name).exists():
            return  # not written (too large to pickle, a full disk): keep no index pointing to it
        self.index.put(self.index.key(self.slot), Index(key, deps, name))
        if isinstance(previous, Index) and previous.result != name:
            _unlink(self.results.path(previous.result))
        prune_results(self.results.folder, MAX_RESULTS)


def prune_results(folder: Path, keep: int) -> int:
    """Delete all but the ``keep`` most recently written result entries; returns how many went."""
    found = []
    for sub in _subfolders(folder):
        try:
            with os.scandir(sub) as it:
                for entry in it:
                    if entry.is_file(follow_symlinks=False) and not entry.name.startswith("."):
                        found.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
        except OSError:
            continue
    removed = 0
    for _, path in sorted(found, reverse=True)[keep:]:
        removed += _unlink(Path(path))
    return removed


def _subfolders(folder: Path) -> list[str]:
    try:
        with os.scandir(folder) as it:
            return [e.path for e in it if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _unlink(path: Path) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0
