"""Terraform ``moved`` blocks of a tree: which base address became which head address.

The Terraform front end ignores ``moved`` blocks (they change no resource);
review needs them so that a rename is not read as a deletion plus a creation.
They are read here, once, with the same loader the front end uses.
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


def read_moves(root: Path, relpaths: Iterable[str]) -> list[Move]:
    """Every ``moved`` block of the ``.tf`` and ``.tf.json`` files among
    ``relpaths`` (files that do not parse are skipped: the scan reports them)."""
    moves: list[Move] = []
    for relpath in sorted(relpaths):
        if relpath.endswith(".tf"):
            body = load_file(root / relpath, relpath).body  # bounded as the scan reads it (iacgov.limits)
        elif relpath.endswith(".tf.json"):
            body = load_json_file(root / relpath, relpath).body
        else:
            continue
        if body is None:
            continue
        directory = str(PurePosixPath(relpath).parent)
        for block in body.blocks:
            if block.type != "moved":
                continue
            source = block.body.attributes.get("from")
            target = block.body.attributes.get("to")
            src = traversal_text(source.expr) if source else None
            dst = traversal_text(target.expr) if target else None
            if src and dst:
                moves.append(Move(directory, src, dst, relpath, block.line))
    return moves


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
