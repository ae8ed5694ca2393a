"""References between the resources of one scan, and the index that answers them.

One reading of a reference for the whole program (rules, review): a Terraform
reference (``aws_kms_key.k.arn``, ``module.db.aws_db_instance.main[0].id``,
``data.aws_iam_policy_document.p.json``) is parsed by :func:`parse_reference`
alone; a CloudFormation one (``Ref: Key`` -> ``Key``, ``Fn::GetAtt: [Key, Arn]``
-> ``Key.Arn``) names a logical ID of its own template.

A reference designates a resource of its own root module only: ``envs/prod``
and ``envs/staging`` may both declare ``aws_s3_bucket.replica`` (see
:func:`same_root`). A plan's references name the unknown attribute itself,
not what it comes from: they designate nothing.

:class:`ReferenceIndex` is built once per scan by the engine and offered to
rules as ``RuleContext.index``: resources by address, by kind and by
position, and the look-ups that follow a value to the resource it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol, Sequence

from iacgov.model import Resource, is_unknown
from iacgov.platform.arn import refs_of

# A Terraform identifier starts with a letter or an underscore, then letters,
# digits, underscores and hyphens. Module calls and instances may carry keys
# (``module.a["x"]``, ``aws_s3_bucket.b[0]``).
_TF_REF = re.compile(
    r"^(?P<module>(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*)"
    r"(?P<local>(?:data\.)?[^\W\d][\w-]*\.[\w-]+)(?P<index>\[[^\]]*\])?(?:\.(?P<attribute>.*))?$"
)
_INSTANCE_KEY = re.compile(r"\[[^\]]*\]")
_MODULE_CALL = re.compile(r"module\.[^.\[]+(?:\[[^\]]*\])?")


@dataclass(frozen=True)
class Reference:
    """A parsed Terraform reference: ``module`` is the module path with its
    trailing dot (``module.a["x"].``, ``""`` for a relative reference),
    ``local`` the resource (``aws_s3_bucket.b``, ``data.x.y``), ``index`` its
    instance key (``[0]``, ``""``), ``attribute`` what is read (``""``: the
    resource as a whole)."""

    module: str
    local: str
    index: str
    attribute: str

    @property
    def instance(self) -> str:
        """The resource instance, relative to ``module``: ``aws_s3_bucket.b[0]``."""
        return self.local + self.index


def parse_reference(ref: str) -> Reference | None:
    """A Terraform reference's parts; None when ``ref`` is not a resource reference."""
    m = _TF_REF.match(ref)
    if not m:
        return None
    return Reference(m.group("module"), m.group("local"), m.group("index") or "", m.group("attribute") or "")


def same_root(a: Resource, b: Resource) -> bool:
    """Whether two Terraform resources belong to one root module (``envs/prod`` and
    ``envs/staging`` may both declare ``aws_s3_bucket.data``); always, for other formats."""
    return a.meta.get("root_module") == b.meta.get("root_module")


def root_of(resource: Resource) -> Any:
    """What :func:`same_root` compares: the root module (None for other formats)."""
    return resource.meta.get("root_module")


def base_address(address: str) -> str:
    """``module.a["x"].aws_s3_bucket.b[0]`` -> ``module.a.aws_s3_bucket.b``."""
    # Only up to the last "]": past it no "[" can close, and trying each of
    # them to the end is quadratic on a repository string of many "[".
    end = address.rfind("]")
    if end < 0:
        return address
    return _INSTANCE_KEY.sub("", address[:end + 1]) + address[end + 1:]


def is_cloudformation(resource: Resource) -> bool:
    return resource.source_format == "cloudformation"


def ref_target(ref: str, target: Resource, origin: Resource) -> str | None:
    """The attribute ``ref``, written in ``origin``, reads on ``target`` (""
    for the resource as a whole), or None when it does not designate it.

    Terraform references are relative to the module of ``origin`` (an
    absolute ``module.x.type.name`` is accepted too) within its root module;
    CloudFormation ones (``Replica.Arn`` from ``Fn::GetAtt``, ``Replica`` from
    ``Ref``) to its template. Plan JSON references designate nothing."""
    if target is origin or target.source_format != origin.source_format or not same_root(target, origin):
        return None
    if origin.source_format == "cloudformation":
        if target.location.path != origin.location.path:
            return None
        name, _, attribute = ref.partition(".")
        return attribute if name == target.address else None
    if origin.source_format != "terraform":
        return None
    parsed = parse_reference(ref)
    if parsed is None:
        return None
    return parsed.attribute if target.address == _absolute(parsed, origin.module) else None


def _absolute(ref: Reference, module: str) -> str:
    """The address ``ref`` names when written in ``module`` (an absolute module path wins)."""
    if ref.module:
        return ref.module + ref.instance
    return f"{module}.{ref.instance}" if module else ref.instance


def _caller_scopes(module: str) -> list[str]:
    """``module.a.module.b`` -> ["module.a", ""]: the modules that may have
    passed a reference in as an input, innermost first."""
    parts = _MODULE_CALL.findall(module)
    return [".".join(parts[:i]) for i in range(len(parts) - 1, -1, -1)]


def ref_addresses(ref: str, origin: Resource) -> list[str]:
    """The addresses a reference written in ``origin`` can designate (what
    :func:`ref_target` compares ``target.address`` with)."""
    if origin.source_format == "cloudformation":
        return [ref.partition(".")[0]]
    if origin.source_format != "terraform":
        return []
    parsed = parse_reference(ref)
    return [_absolute(parsed, origin.module)] if parsed is not None else []


def _from_caller(target: Resource, origin: Resource, scope: str, ref: Reference) -> bool:
    """Whether ``target``, in the calling module ``scope``, is what a relative
    reference handed to ``origin``'s module as an input names."""
    return (target.source_format == "terraform" and target.module == scope and target is not origin
            and same_root(target, origin) and not ref.module and target.address == _absolute(ref, scope))


class Readable(Protocol):
    """A setting named in each format (the catalog's ``Setting``)."""

    def read(self, resource: Resource) -> tuple[Any, str | None]: ...


class ReferenceIndex:
    """Every resource of a scan, indexed once for look-ups by address, by kind
    and by reference. The engine builds one per scan (``RuleContext.index``);
    rules keep their own per-scan indexes in it with :meth:`memo`."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources = tuple(resources)
        self.by_address: dict[str, list[Resource]] = {}  # base address (no instance keys)
        self.by_kind: dict[str, list[Resource]] = {}
        self._instances: dict[str, list[tuple[int, Resource]]] = {}  # exact address, with position
        self._memo: dict[Any, Any] = {}
        self._positions: dict[int, int] | None = None
        self._splits: dict[tuple[str, Any], dict[Any, list]] = {}
        self._by_root: dict[Any, list[Resource]] | None = None
        # An estate repeats the same addresses and types in each of its roots: each is worked out once.
        bases: dict[str, str] = {}
        kinds: dict[str, str] = {}
        by_address, by_kind, instances = self.by_address, self.by_kind, self._instances
        for i, r in enumerate(self.resources):
            address, type_ = r.address, r.type
            base = bases.get(address)
            if base is None:
                base = bases[address] = base_address(address)
            kind = kinds.get(type_)
            if kind is None:
                kind = kinds[type_] = r.kind
            by_address.setdefault(base, []).append(r)
            by_kind.setdefault(kind, []).append(r)
            instances.setdefault(address, []).append((i, r))

    def _split(self, table: str, key: str, where: Any) -> Sequence[Any]:
        """The entries of ``table`` (``address``: :attr:`by_address`, ``kind``:
        :attr:`by_kind`, ``instance``: exact addresses with positions) under
        ``key`` that are in the root module ``where`` (see :func:`root_of`), or,
        for table ``file``, the entries of ``by_address`` in the file ``where``;
        in the scan's order. A reference designates a resource of its own root
        module only, and an estate repeats the same addresses in each of
        hundreds of roots: filtering an estate-wide list with :func:`same_root`
        one candidate at a time made every look-up grow with the estate. Each
        list is split once per scan, on first use."""
        split = self._splits.get((table, key))
        if split is None:
            split = {}
            if table == "instance":
                for entry in self._instances.get(key, ()):
                    split.setdefault(root_of(entry[1]), []).append(entry)
            else:
                source = self.by_kind if table == "kind" else self.by_address
                by_file = table == "file"
                for r in source.get(key, ()):
                    split.setdefault(r.location.path if by_file else root_of(r), []).append(r)
            self._splits[(table, key)] = split
        return split.get(where, ())

    def __len__(self) -> int:
        return len(self.resources)

    def __iter__(self):
        return iter(self.resources)

    def of_kind(self, *kinds: str) -> list[Resource]:
        return [r for k in kinds for r in self.by_kind.get(k, ())]

    def by_root(self, resource: Resource) -> list[Resource]:
        """The resources of ``resource``'s root module (its template, its plan)."""
        if self._by_root is None:
            self._by_root = {}
            for r in self.resources:
                self._by_root.setdefault(root_of(r), []).append(r)
        return self._by_root.get(root_of(resource), [])

    def memo(self, name: Any, compute: Callable[["ReferenceIndex"], Any]) -> Any:
        """What ``compute(self)`` gives, computed once per scan (rules' own indexes)."""
        if name not in self._memo:
            self._memo[name] = compute(self)
        return self._memo[name]

    def position(self, resource: Resource) -> int:
        """Where ``resource`` is in the scan (answers keep the scan's order)."""
        if self._positions is None:
            self._positions = {id(r): i for i, r in enumerate(self.resources)}
        return self._positions[id(resource)]

    # -- a value to the resource it names ----------------------------------

    def target(self, value: Any, referrer: Resource) -> Resource | None:
        """The resource an unknown value refers to (``aws_kms_key.k.arn``,
        CloudFormation ``Ref: Key`` / ``Fn::GetAtt: [Key, Arn]``), if it is in
        the scan. A relative reference written in a module may also name the
        root module's resource of that address."""
        ref = getattr(value, "ref", None) if is_unknown(value) else None
        if not isinstance(ref, str) or not ref:
            return None
        if is_cloudformation(referrer):
            return self._in_file(ref.split(".", 1)[0], referrer)
        parsed = parse_reference(ref)
        if parsed is None:
            return None
        instance = ref[: len(parsed.module) + len(parsed.instance)]
        candidates = [instance]
        if referrer.module and not parsed.module:
            candidates.insert(0, f"{referrer.module}.{instance}")
        root = root_of(referrer)
        for address in candidates:
            # the instance itself (aws_rds_cluster.c["a"]), else the resource block
            for r in self._split("address", base_address(address), root):
                if r.address == address and r.source_format == referrer.source_format and r is not referrer:
                    return r
            found = self._in_file(base_address(address), referrer, same_file=False)
            if found is not None and found is not referrer:
                return found
        return None

    def _in_file(self, address: str, referrer: Resource, same_file: bool = True) -> Resource | None:
        if same_file:  # CloudFormation logical IDs are unique within one template only
            matches = self._split("file", address, referrer.location.path)
        else:  # Terraform addresses are unique within one root module (or plan)
            matches = self._split("address", address, root_of(referrer))
        for r in matches:
            if same_file or r.source_format == referrer.source_format:
                return r
        return None

    def refers_to(self, value: Any, referrer: Resource, target: Resource, names: Sequence[str] = ()) -> bool | None:
        """Whether ``value`` (written on ``referrer``) designates ``target``:
        by reference, or by one of the names ``target`` writes (``bucket``).
        ``None`` when it cannot be known."""
        if is_unknown(value):
            found = self.target(value, referrer)
            if found is not None:
                return found is target or (found.address == target.address and same_root(found, target))
            return None
        if isinstance(value, str):
            for name in names:
                own = target.get(name)
                if isinstance(own, str) and own and (value == own or value.endswith((":" + own, "/" + own))):
                    return True
            return False
        return None

    def referred(self, value: Any, referrer: Resource, kind: str, names: Sequence[str] = ()) -> list[Resource]:
        """The resources of ``kind`` that ``value`` (written on ``referrer``)
        designates, in the scan's order: those :meth:`refers_to` says True for,
        found through indexes instead of trying each (linear, not quadratic)."""
        if is_unknown(value):
            found = self.target(value, referrer)
            if found is None:
                return []
            return [r for r in self._split("address", base_address(found.address), root_of(found))
                    if r.kind == kind and (r is found or r.address == found.address)]
        if not isinstance(value, str):
            return []
        owners = self._owners(kind, tuple(names))
        # value == own, or value ends with ":" + own or "/" + own
        keys = {value, *(value[i + 1:] for i, c in enumerate(value) if c in ":/")}
        hits = {id(r): r for key in keys for r in owners.get(key, ())}
        return sorted(hits.values(), key=self.position)

    def _owners(self, kind: str, names: tuple[str, ...]) -> dict[str, list[Resource]]:
        """Resources of ``kind`` by the non-empty string each of ``names`` holds."""

        def build(index: ReferenceIndex) -> dict[str, list[Resource]]:
            owners: dict[str, list[Resource]] = {}
            for r in index.by_kind.get(kind, ()):
                for name in names:
                    own = r.get(name)
                    if isinstance(own, str) and own:
                        owners.setdefault(own, []).append(r)
            return owners

        return self.memo(("owners", kind, names), build)

    def referring(self, target: Resource, kinds: Sequence[str], setting: Readable,
                  names: Sequence[str] = ()) -> tuple[list[tuple[Resource, str | None]], bool]:
        """The resources of ``kinds`` whose ``setting`` designates ``target``,
        and whether some of them could not be matched (so more may exist)."""
        found: list[tuple[Resource, str | None]] = []
        undecided = False
        root = root_of(target)
        for r in [r for k in kinds for r in self._split("kind", k, root)]:
            if r.mode != "managed" or r.source_format != target.source_format:
                continue
            if is_cloudformation(r) and r.location.path != target.location.path:
                continue  # a logical ID means something only inside its template
            value, path = setting.read(r)
            verdict = self.refers_to(value, r, target, names)
            if verdict:
                found.append((r, path))
            elif verdict is None and value is not None:
                undecided = True
        return found, undecided

    def referenced(self, origin: Resource, value: Any) -> list[tuple[Resource, str]]:
        """:func:`referenced` through the index: the same pairs in the same order
        (by position of the target in the scan, then by reference)."""
        refs = refs_of(value)
        hits: dict[tuple[int, int], tuple[Resource, str]] = {}
        root = root_of(origin)
        for j, ref in enumerate(refs):
            for address in ref_addresses(ref, origin):
                for i, target in self._split("instance", address, root):
                    attribute = ref_target(ref, target, origin)
                    if attribute is not None:
                        hits[(i, j)] = (target, attribute)
        if hits or origin.source_format != "terraform" or not origin.module:
            return [hits[k] for k in sorted(hits)]
        for scope in _caller_scopes(origin.module):
            for j, ref in enumerate(refs):
                parsed = parse_reference(ref)
                if parsed is None or parsed.module:
                    continue
                for i, target in self._split("instance", _absolute(parsed, scope), root):
                    if _from_caller(target, origin, scope, parsed):
                        hits[(i, j)] = (target, parsed.attribute)
            if hits:
                return [hits[k] for k in sorted(hits)]
        return []


def referenced(origin: Resource, value: Any, resources: Iterable[Resource] | ReferenceIndex) -> list[tuple[Resource, str]]:
    """The resources (and the attribute read on each) that ``value``, written
    in ``origin``, refers to (see :func:`ref_target`), in the order of
    ``resources``. Pass the scan's :class:`ReferenceIndex` (``ctx.index``) to
    look them up by address; any other collection is searched one by one.

    A value handed to a module as an input keeps the reference written in
    the calling module (``source_db = aws_db_instance.billing.arn``): when
    nothing in ``origin``'s module matches, the callers' modules are tried,
    innermost first."""
    if isinstance(resources, ReferenceIndex):
        return resources.referenced(origin, value)
    refs = refs_of(value)
    if not refs:
        return []
    resources = list(resources)
    out = []
    for target in resources:
        for ref in refs:
            attribute = ref_target(ref, target, origin)
            if attribute is not None:
                out.append((target, attribute))
    if out or origin.source_format != "terraform" or not origin.module:
        return out
    for scope in _caller_scopes(origin.module):
        for target in resources:
            for ref in refs:
                parsed = parse_reference(ref)
                if parsed is not None and _from_caller(target, origin, scope, parsed):
                    out.append((target, parsed.attribute))
        if out:
            return out
    return out
