"""Helpers for the Terraform front-end tests: build SourceFiles from a
directory, parse them, find where a text is written in a fixture.

A uniquely named module rather than a conftest, so that importing it never
picks up another directory's conftest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from iacgov.model import Notification, ParseOptions, ParseResult, Resource, SourceFile
from iacgov.parsers.terraform import TerraformParser

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "terraform"


def source_files(directory: Path, root: Path) -> list[SourceFile]:
    """What discovery would hand the parser: every claimed file under ``directory``."""
    parser = TerraformParser()
    files = [SourceFile(p, p.relative_to(root).as_posix()) for p in sorted(directory.rglob("*")) if p.is_file()]
    return [f for f in files if parser.claims(f, b"")]


@dataclass
class Parsed:
    results: list[ParseResult]

    @property
    def resources(self) -> dict[str, Resource]:
        found: dict[str, Resource] = {}
        for result in self.results:
            for resource in result.resources:
                assert resource.address not in found, f"{resource.address} reported twice"
                found[resource.address] = resource
        return found

    @property
    def notifications(self) -> list[Notification]:
        return [n for r in self.results for n in r.notifications]

    @property
    def files(self) -> set[str]:
        return {f for r in self.results for f in r.files}


def parse_files(files: list[SourceFile], root: Path, **options) -> Parsed:
    return Parsed(list(TerraformParser().parse(files, ParseOptions(**options), root)))


def parse_dir(directory: Path, root: Path | None = None, **options) -> Parsed:
    """Parse every claimed file under ``directory``; ``options`` are ParseOptions fields."""
    root = root or directory
    return parse_files(source_files(directory, root), root, **options)


def line_of(path: Path, text: str) -> int:
    """The line where ``text`` is written in ``path``; it must be written once."""
    lines = [i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    assert len(lines) == 1, f"{text!r} is on lines {lines} of {path}"
    return lines[0]
