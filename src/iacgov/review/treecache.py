"""A review's scans of a commit kept by the commit's tree (issue 22: a review that costs what the diff costs).

A review scans both commits whole. The base of a pull request is usually a
commit that was reviewed before (main, reviewed with every pull request of
the day): its tree object ID, which git gives for free, names its files
exactly, so its scan can be read back without copying a single blob out of
git. What a side's scan reads, and so the key (:func:`side_key`):

- the tree's files: its **tree ID** (the policy, its baseline, rate card and
  usage file are files of the base tree); the head is scanned under the
  base's policy and baseline, so the head's key holds the base tree ID too;
- which policy (``--policy``'s repository path, or the embedded default);
- the options: ``--var`` values, ``--var-file`` contents, ``--cfn-param``,
  ``--region``, the limits given, the HCL front end, ``--skip-path``;
- the date suppressions expire against;
- iacgov's code and the plugins (:func:`iacgov.evalcache.code_digest`,
  :func:`iacgov.evalcache.plugins_digest`).

A policy that names a file by an absolute path, one starting with ``~`` or one
climbing out with ``..`` reads something the tree ID does not cover: nothing
is cached then (:func:`cacheable`). A scan that reported an internal error is
not kept, nor one whose result names the temporary folder it was copied to.

An entry holds what the review reads from a side: its scan, its estimate as
the review compares it (:func:`compared_only`), its access register, and for
a head its moved blocks; when a side is kept, its
Terraform files are not copied out of git (only the policy and the files it
names, and the files the change touches). A commit of the month's history
(the monthly envelope) keeps its totals per environment.

An entry is compact (issue 22: a 10,000-file side is kept, about 3.5 MB): the
scan's resources are not pickled again but named by reference to the
evaluation cache's analyses of its root modules (:func:`iacgov.scancache.stored`,
read back digest-checked by :func:`iacgov.scancache.restored`; an analysis
pruned since is a miss), and the rest (findings, notifications, the
estimate) is compressed. A scan that the scan cache would not keep either
(an unkeyed root module, a budget or read failure:
:func:`iacgov.scancache.cacheable`) is not kept.

A review of a pair is kept too (:class:`KeptReview`, keyed by :func:`pair_key`: both sides' keys): what
the review judged of the two trees — the changes, decisions, findings, cost rows, the head's scan by
reference. Only when both sides were kept (each key covers what its scan read), the review reported no
error, no plan was given, the base policy sets no monthly envelope (the month's history is read from the
repository) and the head leaves the policy alone (the head's own policy is read then; it may name files
anywhere). What the head controls cannot loosen the gate through it: the policy is the base tree's, in
the key; who approved, the branches and the refs are read again each time and the verdict, exit code
and approvals are made from them again.

Storage is the parse cache's (:class:`iacgov.cache.ParseCache`): iacgov's
private, size-bounded folder (never inside the scanned tree), digest-checked
entries (a corrupt or truncated one is a miss), atomic writes, a restricted
unpickler; ``--no-cache`` neither reads nor writes it; ``iacgov cache clear``
empties it.
"""

from __future__ import annotations

from iacgov import digests as hashlib  # not hashlib itself: it loads OpenSSL's _hashlib for nothing used here
import json
import zlib
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from iacgov.model import ParseOptions, ScanResult

FORMAT = "review-tree-3"  # 3: CostLine has file and line
_CLASSES = (
    "iacgov.model:Resource", "iacgov.model:Notification", "iacgov.model:Location", "iacgov.model:Severity",
    "iacgov.model:Unknown", "iacgov.model:Finding", "iacgov.model:Suppression", "iacgov.model:ScanResult",
    "iacgov.model:RuleMeta", "iacgov.parsers.terraform.values:BlockValue", "iacgov.placeholders:UnknownTemplate",
    "iacgov.parsers.terraform.values:SetValue",
    "decimal:Decimal", "pathlib:PosixPath", "pathlib:WindowsPath", "iacgov.review.treecache:TreeScan",
    "iacgov.cost.model:Estimate", "iacgov.cost.model:ResourceCost", "iacgov.cost.model:Component",
    "iacgov.cost.model:Unpriced", "iacgov.scancache:Stored", "iacgov.access:Holder",
    "iacgov.review.moved:Move", "iacgov.review.treecache:KeptReview", "iacgov.review.model:Decision",
    "iacgov.review.model:EnvironmentCost", "iacgov.review.diff:ResourceChange", "iacgov.review.diff:AttributeChange",
    "iacgov.policy_diff:PolicyDiff", "iacgov.policy_diff:KeyChange", "iacgov.policy_diff:Effect",
    "iacgov.access:RegisterChange", "iacgov.review.treecache:CostLine",
)


@dataclass(frozen=True)
class TreeScan:
    """One side's scan, and the evaluation key of each Terraform root module
    (stack -> key, :mod:`iacgov.evalcache`): equal keys, equal resources."""

    scan: ScanResult
    stacks: tuple[tuple[str, str], ...]
    estimate: Any = None  # iacgov.cost.model.Estimate of its resources under the base policy (run._costs)
    access: Any = None  # its access register under the base policy (iacgov.access.register), a tuple of Holder
    moves: Any = None  # the head's moved blocks (iacgov.review.moved.read_moves), a tuple of Move

    @property
    def stack_keys(self) -> dict[str, str]:
        return dict(self.stacks)


@dataclass(frozen=True)
class KeptReview:
    """What a review of one base and head judged from the two trees alone (:func:`iacgov.review.run.run_review`),
    kept by :func:`pair_key`: reviewing the same pair again (a CI job re-run, a comment refreshed) reads it
    back instead of reading both sides and comparing them. Not kept: who approved, the branches, the month's
    history (a policy with a monthly envelope keeps nothing), a plan (a plan review keeps nothing) — read
    again each time; the head's estimate (the review command does not show it: ``ReviewRequest.reuse``)."""

    decisions: tuple[Any, ...]  # routed and sorted, before approvals
    changes: tuple[Any, ...]
    costs: tuple[Any, ...]
    currency: str
    envelope: Any
    new_findings: tuple[Any, ...]
    resolved_findings: tuple[Any, ...]
    suppressions_added: tuple[Any, ...]
    suppressions_refused: tuple[Any, ...]
    notifications: tuple[Any, ...]
    rules: Mapping[str, Any]
    policy_diff: Any
    access: Any
    # the head's scan as its side entry holds it (iacgov.scancache.Stored: resources by reference), without its
    # findings (:func:`without_findings`)
    head: Any = None


@dataclass(frozen=True)
class CostLine:
    """A base resource's cost as the review compares it (run._costs: the environment totals, each address's
    monthly amount, what it could not price), without its priced line items: a side's estimate is only ever
    compared by the review command (a head's is shown by iacgov report, which makes it again), and its items
    were most of its entry (2,000 files: 7 of 8 MB pickled, 0.75 s of the base's 0.8 s read back; a head's
    written 0.39 s of its 0.59 s)."""

    address: str
    environment: str
    monthly: Decimal
    status: str
    unpriced: tuple[Any, ...]  # iacgov.cost.model.Component, the unpriced parts only
    file: str  # with line: the resource it prices (iacgov.cost.grouping.costed), so its root module
    line: int


def compared_only(estimate: Any) -> Any:
    """A side's estimate as kept: each resource a :class:`CostLine`."""
    if estimate is None:
        return None
    return replace(estimate, resources=tuple(CostLine(c.address, c.environment, c.monthly, c.status,
                                                      tuple(c.unpriced), c.file, c.line)
                                             for c in estimate.resources))


def without_findings(scan: Any) -> Any:
    """A head's scan as a kept review holds it (a :class:`~iacgov.scancache.Stored` or a result): without
    its findings, which the review command never shows (only its own new and resolved ones) and which were
    most of a kept review's bytes, pickled a second time beside the head's side entry."""
    from iacgov.scancache import Stored

    if isinstance(scan, Stored):
        return replace(scan, result=replace(scan.result, findings=()))
    return replace(scan, findings=()) if isinstance(scan, ScanResult) else scan


def pair_key(base_key: bytes, head_key: bytes) -> bytes:
    """A review's key: both sides' (:func:`side_key`: each tree, the policy's path, the options, the date,
    the plugins; the head's holds the base's tree too); iacgov's code is the store's namespace."""
    digest = hashlib.blake2b(b"review\0" + base_key + b"\0" + head_key, digest_size=32)
    return digest.hexdigest().encode()


def stacks_of(inventory: Any) -> tuple[tuple[str, str], ...]:
    """Root module (``meta["root_module"]``) -> its evaluation key, from a scan's inventory units."""
    out: dict[str, str] = {}
    for start, end, unit in inventory.units:
        if unit and end > start:
            root = inventory.resources[start].meta.get("root_module")
            if isinstance(root, str):
                out[root] = unit
    return tuple(sorted(out.items()))


def _paths_in(value: Any) -> bool:
    """Whether a policy value names something outside the tree (absolute, home or climbing out)."""
    if isinstance(value, str):
        text = value.strip()
        return text.startswith(("/", "~", "\\")) or ".." in text.replace("\\", "/").split("/") or (
            len(text) > 1 and text[1] == ":")  # C:\ on Windows
    if isinstance(value, Mapping):
        return any(_paths_in(k) or _paths_in(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_paths_in(v) for v in value)
    return False


def cacheable(policy_data: Any) -> bool:
    """Whether the tree ID (with the key's other parts) covers everything a scan reads."""
    return not _paths_in(policy_data)


def side_key(side: str, tree: str, base_tree: str, policy_rel: str | None, options: ParseOptions,
             skip_paths: tuple[str, ...], today: date | None, host: Any) -> bytes:
    """The key of one side's scan (see the module docstring); ``side`` is "base", "head" or "month" (a commit
    of the month's history, priced under the base's policy: keyed by the base's tree as the head is)."""
    from iacgov.evalcache import options_material, plugins_digest
    from iacgov.parsers.terraform.treesitter import frontend

    parts = [side.encode(), tree.encode(), (base_tree if side != "base" else "").encode(),
             json.dumps(policy_rel).encode(), *options_material(options, options.limits, frontend()),
             json.dumps(sorted(options.cfn_parameters.items())).encode(), json.dumps(options.region).encode(),
             json.dumps(list(skip_paths)).encode(), (today or date.today()).isoformat().encode(),
             plugins_digest(host).encode()]
    digest = hashlib.blake2b(digest_size=32)
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest().encode()


_TMP = "\0review-tmp\0"  # the temporary folder in a kept policy_source (the embedded policy is written there)


class TreeCache:
    """Side scans by :func:`side_key`; ``None`` results are misses."""

    def __init__(self, cache_dir: Path) -> None:
        from iacgov.evalcache import code_digest

        self.cache_dir = cache_dir
        self.store = _store(cache_dir, (code_digest(),))
        # Root modules' resources decoded in this review, by the digest of their evaluation cache entry's
        # payload: a root module whose key is equal on both sides names the same entry, decoded once.
        self.decoded: dict[bytes, tuple[Any, ...]] = {}
        # Side entries read or written in this review, as kept (the scan with its resources by reference):
        # a side is here only when its key covers what its scan read (a review of the pair may then be kept).
        self.kept: dict[bytes, Any] = {}

    def get(self, key: bytes, root: Path, tmp: str) -> TreeScan | None:
        from iacgov.scancache import restored

        value = self.store.get(key)[1]
        if not isinstance(value, TreeScan):
            return None
        scan = restored(value.scan, self.cache_dir, Path("."))  # None: an analysis it names was pruned
        if scan is None:
            return None
        self.kept[key] = value.scan
        scan = replace(scan, resources=_shared(scan.resources, self.decoded))
        return replace(value, scan=replace(scan, root=root, policy_source=scan.policy_source.replace(_TMP, tmp)),
                       estimate=_mappings(value.estimate, MappingProxyType))

    def put(self, key: bytes, value: TreeScan, tmp: str, inventory: Any = None) -> None:
        """Kept unless the scan failed somewhere, read what its key cannot see (the scan cache's
        :func:`~iacgov.scancache.cacheable`, given the ``inventory`` it was made from) or names the
        temporary folder it scanned. With the inventory, its resources are kept by reference."""
        import pickle

        from iacgov.scancache import cacheable as scan_cacheable, stored

        if value.scan.errors or inventory is None or not scan_cacheable(inventory, value.scan):
            return
        scan = replace(value.scan, root=Path("."), policy_source=value.scan.policy_source.replace(tmp, _TMP))
        kept = replace(value, scan=stored(scan, inventory), estimate=_mappings(value.estimate, dict))
        from iacgov.cache import ParseCache

        try:
            raw = ParseCache.dumps(self.store, kept)  # not yet compressed: searched for the folder's name
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        if tmp.encode() in raw:
            return
        payload = zlib.compress(raw, 1)
        if len(payload) > max_kept_bytes():
            return
        self.store.put(self.store.key(key), _Pickled(payload))  # pickled once
        self.kept[key] = kept.scan

    def get_review(self, key: bytes, root: Path, tmp: str) -> tuple[KeptReview, ScanResult] | None:
        """A kept review of a pair, and the head's scan it was made from (resources read lazily)."""
        from iacgov.scancache import restored

        value = self.store.get(b"review\0" + key)[1]
        if not isinstance(value, KeptReview):
            return None
        scan = restored(value.head, self.cache_dir, Path("."))  # None: an analysis it names was pruned
        if scan is None:
            return None
        return value, replace(scan, root=root, policy_source=scan.policy_source.replace(_TMP, tmp))

    def put_review(self, key: bytes, value: KeptReview, tmp: str) -> None:
        """Kept like a side (nothing naming the temporary folder, within the size bound)."""
        import pickle

        from iacgov.cache import ParseCache

        try:
            raw = ParseCache.dumps(self.store, value)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        if tmp.encode() in raw:
            return
        payload = zlib.compress(raw, 1)
        if len(payload) <= max_kept_bytes():
            self.store.put(self.store.key(b"review\0" + key), _Pickled(payload))


    def share(self, inventory: Any) -> None:
        """Offer a side just scanned: each root module's resources, as the evaluation cache entry it was
        read from (or put in) holds them, for a kept side naming the same entry (equal bytes, equal
        resources: what the scan cache's :func:`~iacgov.scancache.stored` relies on too)."""
        from iacgov.evalcache import AnalysisCache
        from iacgov.scancache import _payload

        store = AnalysisCache(self.cache_dir, Path(".")).store
        for start, end, unit in inventory.units:
            if unit and end > start:
                payload = _payload(store, store.key(unit.encode()))
                if payload is not None:
                    self.decoded.setdefault(_digest(payload), tuple(inventory.resources[start:end]))

    def get_totals(self, key: bytes) -> Mapping[str, Any] | None:
        """A commit's estimate per environment (a month's history, :func:`iacgov.review.run._months`)."""
        value = self.store.get(b"totals\0" + key)[1]
        if not isinstance(value, dict) or not all(isinstance(v, Decimal) for v in value.values()):
            return None
        return MappingProxyType(value)

    def put_totals(self, key: bytes, totals: Mapping[str, Any], inventory: Any, scan: ScanResult) -> None:
        """Kept on the terms of a side's scan: no error, nothing read that the key cannot see."""
        from iacgov.scancache import cacheable as scan_cacheable

        if not scan.errors and scan_cacheable(inventory, scan):
            self.store.put(self.store.key(b"totals\0" + key), dict(totals))


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=32).digest()


def _shared(resources: Any, decoded: dict[bytes, tuple[Any, ...]]) -> Any:
    """A kept side's lazily decoded resources (:class:`iacgov.scancache.StoredResources`), each root
    module's entry decoded through ``decoded``: once per review for both sides."""
    from iacgov.scancache import StoredResources

    if type(resources) is not StoredResources:
        return resources
    shared = _shared_class()(resources._count, resources._parts, resources._store)
    shared._decoded = decoded
    return shared


@lru_cache(maxsize=1)
def _shared_class() -> Any:
    from iacgov.scancache import StoredResources

    class Shared(StoredResources):
        """Decodes an entry's payload once per review: equal bytes (digest-checked when read), equal resources."""

        __slots__ = ("_decoded",)

        def _decode(self, payload: bytes) -> tuple[Any, ...]:
            key = _digest(payload)
            got = self._decoded.get(key)
            if got is None:
                got = self._decoded[key] = super()._decode(payload)
            return got

    return Shared


def max_kept_bytes() -> int:
    """A kept side scan at most a sixteenth of the cache's cap (32 MiB by default), so that a few of them
    never evict the parse and evaluation entries every run needs (a 10,000-file side is about 4 MB)."""
    from iacgov.cache import max_bytes

    return max_bytes() // 16


_MAPPINGS = ("by_environment", "by_application", "by_resource_type", "budgets", "catalog")


def _mappings(estimate: Any, kind: Any) -> Any:
    """An estimate's read-only mappings as dicts (what pickle can write) and back, as the estimate makes them."""
    if estimate is None:
        return None
    return replace(estimate, **{name: kind(dict(getattr(estimate, name))) for name in _MAPPINGS})


@dataclass(frozen=True)
class _Pickled:
    payload: bytes


def _store(cache_dir: Path, namespace: tuple[str, ...]) -> Any:
    from iacgov.cache import ParseCache

    class Store(ParseCache):
        """Payloads compressed: findings and cost items repeat the same strings (7x smaller, 0.1 s at
        2,000 files); the digest is over the compressed bytes, a corrupt entry fails it or decompression."""

        def dumps(self, value: Any) -> bytes:
            return value.payload if isinstance(value, _Pickled) else zlib.compress(super().dumps(value), 1)

        def loads(self, payload: bytes) -> Any:
            # The collector off while an entry's tens of thousands of findings and cost items are built
            # (evalcache.unwatched_loads): 2,000 files, the estimate 1.5 s -> 0.75 s, the findings 0.58 -> 0.15 s.
            from iacgov.evalcache import unwatched_loads

            return unwatched_loads(super().loads, zlib.decompress(payload))

    return Store(cache_dir, FORMAT, namespace, _CLASSES)


def open_cache(options: ParseOptions) -> TreeCache | None:
    """The cache of the review's side scans, unless ``--no-cache`` or the folder is not usable."""
    from iacgov.cache import check_dir

    if options.cache_dir is None or check_dir(options.cache_dir, None) is not None:
        return None
    return TreeCache(options.cache_dir)
