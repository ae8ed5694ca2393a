"""Bounds on the work one scanned file may cause: the single place parsers ask.

Every scanned file is untrusted (docs/security.md). Whatever it holds, a
file must cost a bounded amount of memory and time, must never reach
Python's recursion limit, and breaking a bound must become a notification
naming the file and the reason while the scan goes on. The bounds:

* ``max_file_bytes``: checked on the open file's ``fstat`` before reading,
  and never more than that is read (a file growing meanwhile changes nothing).
* ``max_nesting_depth``: JSON and YAML collections, and HCL syntax, are
  measured by an iterative pre-pass (:func:`check_json`, :func:`check_yaml`,
  :func:`check_tree_depth`) before any recursive code sees them.
* ``max_alias_expansion``: nodes a YAML document gains by resolving its
  aliases ("billion laughs"), counted on the event stream without building
  anything.
* ``max_value_size``: an evaluated value (a Terraform local built from
  copies of copies) larger than this many items is replaced by an unknown
  (:func:`value_too_large`); a string counts one item per 64 characters.
* ``file_timeout_seconds``: wall-clock budget for reading one file or
  analysing one Terraform module (:func:`time_budget`).
* ``max_memory_mb``: the resident memory a process of the run may use.
  Evaluators size a value *before* building it (:func:`reserve`: one value
  past ``max_value_size`` items is refused, and the items built while
  analysing one file or module are charged against the budget at
  :data:`ITEM_BYTES` each); python-hcl2's heredocs are sized before it
  parses them (:func:`check_heredocs`); and, as the last line of defence, a
  watchdog in :func:`time_budget` interrupts a file or module whose reading
  or analysis takes the process past the budget. Each becomes "over the
  memory budget" on that file or module, never the machine's memory.

A policy sets them under ``limits:``; ``iacgov scan --max-file-bytes`` and
``--file-timeout`` override the policy. :class:`Limits` is a small frozen
dataclass so that it travels to worker processes.
"""

from __future__ import annotations

import os
import re
# signal's own C functions and constants: the signal module's enum conversions cost per call (a budget is
# entered per file) and making its enums at import ~1 ms of a pre-commit run
import _signal
import stat
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from typing import Any, Iterator, Mapping

MIB = 1024 * 1024
MAX_NESTING_DEPTH = 100  # the most a policy may allow: recursion stays far from Python's limit


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 10 * MIB
    max_nesting_depth: int = 100
    max_alias_expansion: int = 100_000
    max_value_size: int = 250_000
    file_timeout_seconds: float = 30.0
    max_memory_mb: int = 1024
    # Memory one run may use (policy key limits.max_memory_mb, schema minimum 64).
    max_memory_mb: int = 1024
    # Keys in one YAML mapping. cfn-lint's decoder checks duplicate keys in
    # quadratic time (10,000 keys: seconds; 500,000: hours). CloudFormation
    # allows 500 resources and 200 mappings of 200 keys, so no deployable
    # template comes near it. Not a policy key.
    max_mapping_keys: int = 5_000
    # Resource instances one Terraform root module may expand to. Modules
    # called with count / for_each multiply (100 x 100 x 100 = 10^6 queues from
    # three small files): past this, the module is reported, not analysed.
    # Not a policy key.
    max_resources: int = 100_000

    @classmethod
    def from_policy(cls, policy: Any, overrides: Mapping[str, Any] | None = None) -> Limits:
        """The policy's ``limits:`` section, then ``overrides`` (CLI options; None values ignored)."""
        section = policy.get("limits", {}) if policy is not None else {}
        values = {f.name: section[f.name] for f in fields(cls) if isinstance(section, Mapping) and f.name in section}
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        limits = replace(cls(), **values)
        return replace(limits, max_nesting_depth=min(limits.max_nesting_depth, MAX_NESTING_DEPTH))

    @property
    def hcl_tree_depth(self) -> int:
        """python-hcl2's Lark tree takes 1 to 4 levels per level of HCL nesting
        (2 for a list, 3 for a call, 4 for an interpolation). Twice
        ``max_nesting_depth`` (at most 100) keeps the recursive compiler and
        evaluator under 650 frames, well below Python's limit of 1000
        (tests/test_limits.py measures it); real files stay under 40."""
        return 2 * min(self.max_nesting_depth, MAX_NESTING_DEPTH)


class LimitExceeded(Exception):
    """A file breaks a bound. ``reason`` is the one-line why, ``line`` where (when known)."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason, line)  # both in args, so that it pickles from a worker
        self.reason = reason
        self.line = line


class ValueTooLarge(LimitExceeded):
    """One value would be larger than ``max_value_size`` items: refused before
    it is built. The evaluators turn it into an unknown value saying why."""


class OverMemoryBudget(LimitExceeded):
    """What :class:`MemoryBudgetExceeded` or a ``MemoryError`` becomes when it
    leaves :func:`time_budget`. It depends on the process as much as on the
    file: never a parse-cache entry."""


class MemoryBudgetExceeded(BaseException):
    """The memory budget of the file or module being analysed is spent.

    A BaseException, like :class:`TimeBudgetExceeded`, so that no ``except
    Exception`` on the way (a per-resource "internal error" guard) reports it
    once per remaining value; :func:`time_budget` turns it, and a
    ``MemoryError``, into :class:`LimitExceeded` with :func:`memory_message`."""


class TimeBudgetExceeded(BaseException):
    """Raised inside the work a :func:`time_budget` guards when its time is up.

    A BaseException, like KeyboardInterrupt, so that libraries' ``except
    Exception`` cannot turn it into something else; only the code that set the
    budget catches it (:func:`budget_message` says what to report)."""


def human_bytes(n: int) -> str:
    if n >= MIB:
        return f"{n / MIB:.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n} bytes"


# -- reading ---------------------------------------------------------------------

def read_bounded(path: os.PathLike[str] | str, limits: Limits) -> bytes:
    """The bytes of a regular file no larger than ``limits.max_file_bytes``.

    Opened without blocking (a FIFO swapped in after discovery cannot stall the
    scan) and measured on the open descriptor, so a file replaced between the
    check and the read is still bounded. Raises :class:`LimitExceeded` or
    ``OSError``."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise LimitExceeded("not a regular file (a directory, FIFO, socket or device): not read")
        check_size(st.st_size, limits)
        chunks = []
        remaining = limits.max_file_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        check_size(len(data), limits)
        return data
    finally:
        os.close(fd)


def check_size(size: int, limits: Limits) -> None:
    if size > limits.max_file_bytes:
        raise LimitExceeded(
            f"file is {human_bytes(size)}, larger than the {human_bytes(limits.max_file_bytes)} limit "
            "(limits.max_file_bytes in the policy, or --max-file-bytes): not read")


# -- nesting and aliases -----------------------------------------------------------

_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def check_json(text: str, limits: Limits) -> None:
    """Raise :class:`LimitExceeded` if JSON (or flow-style YAML) text nests its
    arrays and objects deeper than ``max_nesting_depth``; strings are skipped,
    nothing is built."""
    depth = 0
    cap = limits.max_nesting_depth
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > cap:
                raise LimitExceeded(_too_deep(cap), text.count("\n", 0, match.start()) + 1)
        elif token in "]}":
            depth -= 1


def check_yaml(text: str, limits: Limits) -> None:
    """Raise :class:`LimitExceeded` if a YAML stream nests deeper than
    ``max_nesting_depth`` or gains more than ``max_alias_expansion`` nodes by
    resolving aliases, or has a mapping of more than ``max_mapping_keys`` keys.
    Reads PyYAML's event stream (an iterative parser: no recursion, nothing
    composed); syntax errors are left to the real parser."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    cap, budget = limits.max_nesting_depth, limits.max_alias_expansion
    open_nodes: list[list[Any]] = []  # [anchor, size so far, is a mapping, children] per open collection
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for, aliases resolved
    expanded = 0

    def add(n: int) -> None:
        if open_nodes:
            open_nodes[-1][1] += n

    max_children = 2 * limits.max_mapping_keys
    try:
        for event in yaml.parse(text, Loader=loader):
            if open_nodes and isinstance(event, (yaml.NodeEvent, yaml.CollectionStartEvent)):
                parent = open_nodes[-1]
                parent[3] += 1
                if parent[2] and parent[3] > max_children:
                    raise LimitExceeded(
                        f"a mapping has more than {limits.max_mapping_keys:,} keys (CloudFormation allows "
                        "500 resources and 200 mapping keys): not read", event.start_mark.line + 1)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(open_nodes) >= cap:
                    raise LimitExceeded(_too_deep(cap), event.start_mark.line + 1)
                open_nodes.append([event.anchor, 1, isinstance(event, yaml.MappingStartEvent), 0])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor, size, _, _ = open_nodes.pop()
                if anchor is not None:
                    sizes[anchor] = size
                add(size)
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                add(1)
            elif isinstance(event, yaml.AliasEvent):
                size = sizes.get(event.anchor, 1)  # an unknown anchor is the parser's error to report
                expanded += size
                if expanded > budget:
                    raise LimitExceeded(
                        f"YAML aliases expand to more than {budget:,} nodes (limits.max_alias_expansion): "
                        "not read (a 'billion laughs' document?)", event.start_mark.line + 1)
                add(size)
    except yaml.YAMLError:
        return


def check_tree_depth(tree: Any, cap: int, what: str = "syntax") -> None:
    """Raise :class:`LimitExceeded` if a parse tree (anything with
    ``children``) is deeper than ``cap``; iterative."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > cap:
            meta = getattr(node, "meta", None)
            line = getattr(meta, "line", None) if meta is not None and not getattr(meta, "empty", True) else None
            raise LimitExceeded(f"{what} nested too deeply (more than {cap} levels): not analysed", line)
        for child in getattr(node, "children", ()):
            if hasattr(child, "children"):
                stack.append((child, depth + 1))


# -- heredocs ------------------------------------------------------------------------

# python-hcl2's lexer matches a heredoc with a lazy regular expression that
# keeps about 200 bytes per character of the body while it looks for the
# closing marker: a 5 MB body costs more than 1 GB, and without a marker the
# whole rest of the file is tried. Heredocs are found first, linearly, outside
# comments and quoted strings (where Lark never tries them).
HEREDOC_PARSE_BYTES = 256  # measured: about 200 bytes of Lark's parse per character of a heredoc body
_HCL_SKIP = re.compile(r"""#[^\n]*|//[^\n]*|/\*.*?(?:\*/|\Z)|"[^"\\\n]*(?:\\.[^"\\\n]*)*+"?"""
                       r"""|<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n""", re.S)


HCL_PARSE_BYTES = 170  # measured: bytes held while a file is parsed and compiled, per character (both front ends)


def check_heredocs(text: str, limits: Limits, error: type[Exception]) -> None:
    """Raise ``error(reason, line)`` before an HCL file is parsed if parsing it
    would take more than the memory budget (the parse and its compiled tree
    hold about :data:`HCL_PARSE_BYTES` per character; much of it in one C call
    that no watchdog interrupts), for a heredoc without its closing marker (a
    syntax error Terraform reports too), or for one whose body python-hcl2's
    pattern would need more than the budget to match; linear in ``text``."""
    budget = max(limits.max_memory_mb * MIB - (_resident() or 0), _MIN_HEADROOM)  # what the process holds is spent
    if "<<" in text:
        _check_heredoc_bodies(text, limits, budget, error)
    if len(text) * HCL_PARSE_BYTES > budget:
        raise error(f"{human_bytes(len(text))} of HCL: parsing it would take about "
                    f"{human_bytes(len(text) * HCL_PARSE_BYTES)}, more than the memory budget "
                    f"({limits.max_memory_mb:,} MiB, limits.max_memory_mb in the policy): not analysed", None)


def _check_heredoc_bodies(text: str, limits: Limits, budget: int, error: type[Exception]) -> None:
    position = counted = 0
    line = 1
    while True:
        match = _HCL_SKIP.search(text, position)
        if match is None:
            return
        position = match.end()
        name = match.group(1)
        if name is None:
            continue
        line += text.count("\n", counted, match.start())  # counted on from the last heredoc: linear
        counted = match.start()
        close = re.compile(rf"^[^\S\n]*+{re.escape(name)}\r?$", re.M).search(text, position)
        if close is None:
            raise error(f"syntax error at line {line}: the heredoc <<{name} is never closed "
                        f"(no line '{name}' after it)", line)
        if (close.start() - position) * HEREDOC_PARSE_BYTES > budget:
            raise error(f"the heredoc <<{name} at line {line} holds {human_bytes(close.start() - position)}: "
                        f"parsing it would take more than the memory budget "
                        f"({limits.max_memory_mb:,} MiB, limits.max_memory_mb): not analysed", line)
        position = close.end()


def _too_deep(cap: int) -> str:
    return f"nested more than {cap} levels deep (limits.max_nesting_depth): not read"


def value_too_large(value: Any, limits: Limits) -> bool:
    """Whether ``value`` (lists, dicts, strings; a part shared N times counts N
    times, as any consumer walking it would) has more than ``max_value_size``
    items. Linear in the distinct objects, thanks to a memo on identity."""
    cap = limits.max_value_size
    kind = type(value)
    if kind in _SCALARS:  # most values: no walk (this runs for every value evaluated)
        return False
    if kind is str:
        return 1 + len(value) // 64 > cap
    containers = _CONTAINERS
    if not isinstance(value, containers):
        return isinstance(value, str) and 1 + len(value) // 64 > cap
    # most containers are small: counted plainly, the memoised walk only past _SMALL items
    if cap >= _SMALL and _plain_count(value) <= _SMALL:
        return False
    memo: dict[int, int] = {}
    keep: list[Any] = []  # keeps the ids in ``memo`` valid while this runs
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if not children_done:
            if key in memo:
                continue
            keep.append(node)
            if isinstance(node, str):
                memo[key] = 1 + len(node) // 64
            elif isinstance(node, containers):
                memo[key] = 1  # provisional: a cycle back to it counts one
                stack.append((node, True))
                stack.extend((c, False) for c in _children(node) if isinstance(c, (str, *containers)))
            continue
        total = 1
        for child in _children(node):
            total += memo.get(id(child), 1) if isinstance(child, (str, *containers)) else 1
            if total > cap:
                return True
        memo[key] = total
    return memo.get(id(value), 1) > cap


_SMALL = 4096  # items: below this, a value is counted without the memo (and cannot be too large)
# Exact types that are neither strings nor containers (one item each), told apart without isinstance.
_SCALARS = frozenset((int, float, bool, type(None)))
_CONTAINERS = (list, tuple, dict)


def _plain_count(value: Any) -> int:
    """:func:`value_too_large`'s count of a container, walked plainly (a part met twice is counted twice,
    as the memoised walk counts it); it stops once past :data:`_SMALL`, returning a total over it. Each
    container adds its length at once (one item a child) and a string child its extra 64-character runs:
    no call and no ``isinstance`` for the numbers, booleans and nulls most values hold (this runs for
    every value the evaluator memoises: a tenth of a root module's analysis with the per-child loop)."""
    total, pending = 1, [value]
    scalars, containers = _SCALARS, _CONTAINERS
    while pending:
        node = pending.pop()
        children = node.values() if isinstance(node, dict) else node
        total += len(children)
        if total > _SMALL:
            return total
        for child in children:
            kind = type(child)
            if kind in scalars:
                continue
            if kind is str:
                total += len(child) // 64
            elif isinstance(child, containers):
                pending.append(child)
            elif isinstance(child, str):
                total += len(child) // 64
    return total


def _children(node: Any) -> Any:
    return node.values() if isinstance(node, dict) else node


# -- memory ------------------------------------------------------------------------

ITEM_BYTES = 64  # what one item of max_value_size stands for: 64 characters, or a list slot and a small value
_MIN_HEADROOM = 256 * MIB  # the least a file or module may allocate, whatever the process holds already (a big estate)


def memory_message(limits: Limits) -> str:
    return (f"over the memory budget of {limits.max_memory_mb:,} MiB (limits.max_memory_mb in the policy): "
            "not analysed")


class _Account:
    """Items built while one file or module is read or analysed."""

    __slots__ = ("used", "cap", "value_cap")

    def __init__(self, limits: Limits, resident: int | None) -> None:
        # What the process already holds is spent: the file or module gets the rest (at least the minimum headroom).
        resident = resident or 0
        self.used = 0
        self.cap = max(limits.max_memory_mb * MIB - resident, _MIN_HEADROOM) // ITEM_BYTES
        self.value_cap = limits.max_value_size


def reserve(items: int, what: str, *, charge: bool = True) -> None:
    """Account for a value of about ``items`` items (:func:`value_too_large`'s
    unit: a string counts one per 64 characters) *before* building it.

    Raises :class:`ValueTooLarge` if one value would exceed
    ``max_value_size``, and :class:`MemoryBudgetExceeded` if the values built
    while analysing the current file or module would exceed ``max_memory_mb``
    (counted only inside a :func:`time_budget` given the limits; the per-value
    bound always holds, with the default limits outside one). ``charge=False``
    checks the one value without charging it (a value still growing)."""
    account: _Account | None = getattr(_state, "account", None)
    cap = account.value_cap if account is not None else _DEFAULT_VALUE_CAP
    if items > cap:
        raise ValueTooLarge(f"{what} would hold about {items:,} items, more than the {cap:,} allowed "
                            "(limits.max_value_size): not evaluated")
    if account is not None and charge:
        account.used += items
        if account.used > account.cap:
            raise MemoryBudgetExceeded()


def value_items(value: Any) -> int:
    """The items of a built value as :func:`value_too_large` counts them (a
    part shared N times counts N times): what a walk over it builds, e.g.
    ``jsonencode`` or ``flatten``. Linear in the distinct objects (a memo on
    identity), so a value of 10^9 items made of shared parts is counted in
    microseconds."""
    containers = (list, tuple, dict)
    if not isinstance(value, containers):
        return string_items(len(value)) if isinstance(value, str) else 1
    memo: dict[int, int] = {}
    keep: list[Any] = []  # keeps the ids in ``memo`` valid while this runs
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if not children_done:
            if key in memo:
                continue
            keep.append(node)
            if isinstance(node, str):
                memo[key] = string_items(len(node))
            elif isinstance(node, containers):
                memo[key] = 1  # provisional: a cycle back to it counts one
                stack.append((node, True))
                stack.extend((c, False) for c in _children(node) if isinstance(c, (str, *containers)))
            continue
        memo[key] = 1 + sum(memo.get(id(c), 1) if isinstance(c, (str, *containers)) else 1 for c in _children(node))
    return memo[id(value)]


def string_items(length: int) -> int:
    """The items a string of ``length`` characters counts for."""
    return 1 + length // 64


_DEFAULT_VALUE_CAP = Limits.max_value_size
_DEFAULT_LIMITS = Limits()  # frozen: shared by every budget given none


def _address_space() -> tuple[int, int] | None:
    """(virtual size, resident size) of this process in bytes, on Linux."""
    fd = _statm()
    try:
        if fd is None:
            with open("/proc/self/statm", "rb") as fh:
                size, resident = fh.read().split()[:2]
        else:
            size, resident = os.pread(fd, 256, 0).split()[:2]  # read at 0: the kernel writes the figures anew
    except (OSError, ValueError):
        return None
    return int(size) * _PAGE, int(resident) * _PAGE


# /proc/self/statm kept open per process: opening it was most of the cost of entering a time budget
# (about 100 us of 260 under load; one per file read or parsed). A forked child opens its own, since
# the inherited descriptor still shows its parent's figures (left open: its number may be another file's now).
_STATM: tuple[int, int | None] = (-1, None)  # (pid, descriptor)
_STATM_LOCK = threading.Lock()


def _statm() -> int | None:
    global _STATM
    pid = os.getpid()
    if _STATM[0] == pid:
        return _STATM[1]
    if not hasattr(os, "pread"):
        return None
    with _STATM_LOCK:
        if _STATM[0] != pid:
            try:
                fd: int | None = os.open("/proc/self/statm", os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except OSError:
                fd = None
            _STATM = (pid, fd)
    return _STATM[1]


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _resident() -> int | None:
    sizes = _address_space()
    return sizes[1] if sizes is not None else None


# -- time, and the resident-memory watchdog ------------------------------------------
#
# Why a watchdog and not an operating-system limit: under RLIMIT_AS, Python
# raises MemoryError cleanly, but C extensions do not all survive a failed
# malloc: tree-sitter's HCL binding dies with SIGSEGV (measured on a 9 MB
# file), which would end the whole scan without a report. Instead, while a
# file is read or a module analysed, the resident memory of the process is
# looked at every WATCH_SECONDS (by the SIGALRM interval timer that also
# enforces the time, or by checkpoint() where no signal can be used), and
# past the budget the work is interrupted like a time-out. A C call is not
# interrupted mid-way; those that could allocate without bound are sized
# first (check_heredocs: python-hcl2's heredoc pattern is one re.match).

WATCH_SECONDS = 0.05

_state = threading.local()


def _deadline() -> float | None:
    return getattr(_state, "deadline", None)


def _over_memory() -> bool:
    cap = getattr(_state, "resident_cap", None)
    if cap is None:
        return False
    resident = _resident()
    return resident is not None and resident > cap


def checkpoint() -> None:
    """Raise :class:`TimeBudgetExceeded` if the current budget is spent, or
    :class:`MemoryBudgetExceeded` if the process holds more than its memory
    budget (looked at every :data:`WATCH_SECONDS` at most). Called from the
    evaluators' loops: enforces the budgets where signals cannot (outside the
    main thread, on Windows)."""
    deadline = _deadline()
    if deadline is None and getattr(_state, "resident_cap", None) is None:
        return
    now = time.monotonic()
    if deadline is not None and now > deadline:
        raise TimeBudgetExceeded()
    if now >= getattr(_state, "next_look", 0.0):
        _state.next_look = now + WATCH_SECONDS
        if _over_memory():
            raise MemoryBudgetExceeded()


def _on_alarm(signum: int, frame: Any) -> None:
    if not getattr(_state, "active", False):
        return
    deadline = _deadline()
    if deadline is not None and time.monotonic() >= deadline:
        raise TimeBudgetExceeded()
    if _over_memory():
        raise MemoryBudgetExceeded()


@contextmanager
def time_budget(seconds: float | None, limits: Limits | None = None) -> Iterator[None]:
    """Bound the wall-clock time and the memory of the work in the block.

    In the main thread on POSIX, a ``SIGALRM`` interval timer interrupts
    third-party code too (Lark, PyYAML) every :data:`WATCH_SECONDS`: its
    handler raises :class:`TimeBudgetExceeded` once the time is up, and
    :class:`MemoryBudgetExceeded` once the process's resident memory passes
    7/8 of ``limits.max_memory_mb`` (default :class:`Limits`; at least
    :data:`_MIN_HEADROOM` more than it holds on entry); neither is an
    ``Exception`` that a library could swallow. Any other timer already armed
    (pytest-timeout...) is left alone, and then, as in other threads, only
    :func:`checkpoint` enforces the budgets. With ``limits`` given,
    :func:`reserve` also charges the values built against the memory budget.

    A ``MemoryError`` or :class:`MemoryBudgetExceeded` inside becomes
    :class:`OverMemoryBudget` (a :class:`LimitExceeded`) when it leaves the
    block. A budget inside a budget is the outer one. The caller catches
    :class:`TimeBudgetExceeded` and :class:`LimitExceeded` *around* the
    ``with`` statement."""
    if getattr(_state, "active", False):
        yield
        return
    memory = limits or _DEFAULT_LIMITS
    resident = _resident()
    _state.resident_cap = _resident_cap(memory, resident)
    _state.next_look = 0.0
    _state.account = _Account(memory, resident) if limits is not None else None
    _state.deadline = time.monotonic() + seconds if seconds and seconds > 0 else None
    use_signal = _alarm_is_free()
    previous = None
    _state.active = True
    try:
        if use_signal:
            previous = _signal.signal(_signal.SIGALRM, _on_alarm)
            first = min(seconds, WATCH_SECONDS) if _state.deadline is not None else WATCH_SECONDS
            _signal.setitimer(_signal.ITIMER_REAL, first, WATCH_SECONDS)
        yield
    except (MemoryError, MemoryBudgetExceeded):
        raise OverMemoryBudget(memory_message(memory)) from None
    finally:
        _state.active = False  # first: an alarm arriving now is ignored by the handler
        if use_signal:
            _signal.setitimer(_signal.ITIMER_REAL, 0)
            _signal.signal(_signal.SIGALRM, previous if previous is not None else _signal.SIG_DFL)
        _state.deadline = _state.resident_cap = _state.account = None


def _alarm_is_free() -> bool:
    """Whether a budget may arm the interval timer: on the main thread, with no timer armed and no
    SIGALRM handler installed by anyone else (pytest-timeout...)."""
    return (
        hasattr(_signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and _signal.getitimer(_signal.ITIMER_REAL) == (0.0, 0.0)
        and _signal.getsignal(_signal.SIGALRM) in (_signal.SIG_DFL, _signal.SIG_IGN, None)
    )


def _resident_cap(memory: Limits, resident: int | None) -> int | None:
    """The resident size at which the watchdog trips: 7/8 of the budget (the last eighth is for what is
    allocated between two looks), and never below what the process already holds plus some headroom."""
    return max(memory.max_memory_mb * MIB * 7 // 8, resident + _MIN_HEADROOM) if resident is not None else None


def budget_message(limits: Limits) -> str:
    return (f"took longer than the {limits.file_timeout_seconds:g} s budget per file "
            "(limits.file_timeout_seconds in the policy, or --file-timeout): not analysed")


class _ItemBudget:
    """The budget of one item of a :func:`budget_per_item` loop: a fresh
    deadline and memory cap set on entry, cleared on exit (a class, not a
    generator: it is entered once per discovered file)."""

    __slots__ = ("seconds", "memory", "limits", "own", "resident", "cap", "next_cap")

    def __init__(self, seconds: float | None, limits: Limits | None, own: bool) -> None:
        self.seconds = seconds if seconds and seconds > 0 else None
        self.memory = limits or Limits()
        self.limits = limits
        self.own = own  # False inside another budget: the outer one governs, as in time_budget
        self.resident: int | None = None
        self.cap: int | None = None
        self.next_cap = 0.0

    def __enter__(self) -> None:
        if not self.own:
            return
        now = time.monotonic()
        if now >= self.next_cap:
            # What the process holds is looked at again every WATCH_SECONDS, not per item (a read of /proc).
            self.resident = resident = _resident()
            self.cap = _resident_cap(self.memory, resident)
            self.next_cap = now + WATCH_SECONDS
        _state.resident_cap = self.cap
        _state.next_look = 0.0
        _state.account = _Account(self.memory, self.resident) if self.limits is not None else None
        _state.deadline = now + self.seconds if self.seconds is not None else None
        _state.active = True

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        if not self.own:
            return
        _state.active = False  # first: an alarm arriving now is ignored by the handler
        _state.deadline = _state.resident_cap = _state.account = None
        if kind is not None and issubclass(kind, (MemoryError, MemoryBudgetExceeded)):
            raise OverMemoryBudget(memory_message(self.memory)) from None


@contextmanager
def budget_per_item(seconds: float | None, limits: Limits | None = None) -> Iterator[_ItemBudget]:
    """What :func:`time_budget` gives each item of a loop, with the interval
    timer armed and the handler installed once for the whole loop rather than
    per item (those system calls and the read of the resident size were most
    of the cost of recognising 10,000 files). Use: ``with budget_per_item(s)
    as item:`` then ``with item:`` around each item's work, catching
    :class:`TimeBudgetExceeded` and :class:`LimitExceeded` around that inner
    ``with``. Each item gets ``seconds`` from its entry and a memory cap
    measured at most :data:`WATCH_SECONDS` before it; between items the
    handler does nothing."""
    if getattr(_state, "active", False):
        yield _ItemBudget(seconds, limits, own=False)
        return
    use_signal = _alarm_is_free()
    previous = None
    try:
        if use_signal:
            previous = _signal.signal(_signal.SIGALRM, _on_alarm)
            tick = min(seconds, WATCH_SECONDS) if seconds and seconds > 0 else WATCH_SECONDS
            _signal.setitimer(_signal.ITIMER_REAL, tick, tick)
        yield _ItemBudget(seconds, limits, own=True)
    finally:
        _state.active = False
        if use_signal:
            _signal.setitimer(_signal.ITIMER_REAL, 0)
            _signal.signal(_signal.SIGALRM, previous if previous is not None else _signal.SIG_DFL)
        _state.deadline = _state.resident_cap = _state.account = None
