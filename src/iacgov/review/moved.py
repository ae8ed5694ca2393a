"""Terraform ``moved`` blocks of a tree: which base address became which head address.

The Terraform front end ignores ``moved`` blocks (they change no resource);
review needs them so that a rename is not read as a deletion plus a creation.
They are read here, once, with the same loader the front end uses.

A ``moved`` block is believed only where Terraform would apply it
(:func:`check_moves`): written in a file Terraform reads (not a dotfile,
``#x.tf`` or ``x.tf~``), between objects of the same kind and resource
type, not ambiguous (two blocks from, or to, one address), not in a cycle;
chains (a -> b, b -> c) are followed as Terraform does. A move onto an
address the base already has is not applied either (Terraform keeps the
object there and destroys the ``from`` object). A refused move leaves the
``from`` object deleted, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from iacgov.parsers.terraform.json_syntax import load_json_file
from iacgov.parsers.terraform.loader import load_file
from iacgov.parsers.terraform.syntax import traversal_text


@dataclass(frozen=True)
class Move:
    directory: str  # module directory the block is written in (POSIX, "." for the root)
    source: str  # "from", relative to that module
    target: str  # "to"
    file: str
    line: int
    refused: str = ""  # why Terraform would not apply it ("" when it would)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def ignored_by_terraform(relpath: str) -> str | None:
    """Why Terraform does not read the configuration file ``relpath`` (None: it does)."""
    name = PurePosixPath(relpath).name
    if name.startswith("."):
        return "a dotfile, which Terraform ignores"
    if name.startswith("#") or name.endswith("~"):
        return "an editor backup file, which Terraform ignores"
    return None


def read_moves(root: Path, relpaths: Iterable[str]) -> list[Move]:
    """Every ``moved`` block of the ``.tf`` and ``.tf.json`` files among
    ``relpaths`` (files that do not parse are skipped: the scan reports them)."""
    moves: list[Move] = []
    for relpath in sorted(relpaths):
        if relpath.endswith(".tf"):
            if not _may_move(root / relpath):
                continue
            body = load_file(root / relpath, relpath).body  # bounded as the scan reads it (iacgov.limits)
        elif relpath.endswith(".tf.json"):
            body = load_json_file(root / relpath, relpath).body
        else:
            continue
        if body is None:
            continue
        ignored = ignored_by_terraform(relpath)
        directory = str(PurePosixPath(relpath).parent)
        for block in body.blocks:
            if block.type != "moved":
                continue
            source = block.body.attributes.get("from")
            target = block.body.attributes.get("to")
            src = traversal_text(source.expr) if source else None
            dst = traversal_text(target.expr) if target else None
            if src and dst:
                moves.append(Move(directory, src, dst, relpath, block.line,
                                  f"written in {relpath}, {ignored}" if ignored else ""))
    return check_moves(moves)


def _may_move(path: Path) -> bool:
    """Whether a ``.tf`` file is worth parsing for ``moved`` blocks: a block type is an identifier,
    written as is (no escape), and the file must be UTF-8 to parse at all, so one whose bytes do not
    contain ``moved`` has none (a review on a large repository parsed every file a second time)."""
    from iacgov.limits import Limits, read_bounded

    try:
        return b"moved" in read_bounded(path, Limits())
    except Exception:  # noqa: BLE001 - unreadable or out of bounds: load_file says so, as before
        return True


def _object(address: str) -> tuple[str, ...]:
    """What an address designates, for comparing the two ends of a move:
    ("module",) or ("resource", type), with the module path and instance keys dropped."""
    words = [w for w in _split(address)]
    kind: tuple[str, ...] = ()
    i = 0
    while i < len(words):
        if words[i] == "module" and i + 1 < len(words):
            kind, i = ("module",), i + 2
        elif words[i] == "data" and i + 2 < len(words):
            kind, i = ("data", words[i + 1]), i + 3
        else:
            kind, i = ("resource", words[i]), i + 2
    return kind


def _split(address: str) -> list[str]:
    """``module.a["x.y"].aws_s3_bucket.b[0]`` -> ["module", "a", "aws_s3_bucket", "b"]."""
    words, depth, word = [], 0, ""
    for ch in address:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0 and ch == ".":
            words.append(word)
            word = ""
        elif depth == 0:
            word += ch
    words.append(word)
    return words


def check_moves(moves: list[Move]) -> list[Move]:
    """The moves, each with ``refused`` set where Terraform would not apply it
    (:func:`ignored_by_terraform`, kind or type mismatch, ambiguous, cyclic);
    chains are left to :func:`final_target`."""
    live = [m for m in moves if not m.refused]
    sources: dict[tuple[str, str], int] = {}
    targets: dict[tuple[str, str], int] = {}
    for m in live:
        sources[(m.directory, m.source)] = sources.get((m.directory, m.source), 0) + 1
        targets[(m.directory, m.target)] = targets.get((m.directory, m.target), 0) + 1
    out = []
    for m in moves:
        why = m.refused
        if not why and _object(m.source) != _object(m.target):
            a, b = _object(m.source), _object(m.target)
            why = (f"moves a {' '.join(a) or 'value'} to a {' '.join(b) or 'value'}: Terraform refuses moves "
                   "between different kinds or resource types")
        elif not why and sources[(m.directory, m.source)] > 1:
            why = f"another moved block also moves {m.source}: Terraform refuses ambiguous moves"
        elif not why and targets[(m.directory, m.target)] > 1:
            why = f"another moved block also moves an object to {m.target}: Terraform refuses ambiguous moves"
        elif not why and _in_cycle(m, live):
            why = "the moved blocks form a cycle: Terraform refuses them"
        out.append(Move(m.directory, m.source, m.target, m.file, m.line, why))
    return out


MAX_CHAIN = 64


def _in_cycle(move: Move, moves: list[Move]) -> bool:
    by_source = {(m.directory, m.source): m for m in moves}
    current = move
    for _ in range(MAX_CHAIN):
        nxt = by_source.get((current.directory, current.target))
        if nxt is None:
            return False
        if nxt is move:
            return True
        current = nxt
    return True


def final_target(address: str, directory: str, moves: list[Move]) -> tuple[str | None, Move | None]:
    """Where ``address`` ends up after the chain of applied moves of
    ``directory`` (None: no move applies), and the first refused move that
    names it (to say why it was not moved)."""
    current, moved, refused = address, False, None
    for _ in range(MAX_CHAIN):
        for m in moves:
            if m.directory != directory:
                continue
            target = moved_address(current, m.source, m.target)
            if target is None:
                continue
            if m.refused:
                refused = refused or m
                continue
            current, moved = target, True
            break
        else:
            break
    return (current if moved else None), refused


def moved_address(address: str, source: str, target: str) -> str | None:
    """``address`` after the move ``source -> target`` (a resource, one
    instance, or a whole module call), or None when the move does not apply."""
    if address == source:
        return target
    if address.startswith(source) and address[len(source):len(source) + 1] in (".", "["):
        if "[" in source.rsplit(".", 1)[-1] and address[len(source)] == "[":
            return None  # aws_x.a[0] does not cover aws_x.a[0][...] (no such address)
        return target + address[len(source):]
    return None
