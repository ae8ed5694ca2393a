"""Terraform HCL front end: ``*.tf`` files to :class:`~iacgov.model.Resource` objects.

Importing this package costs nothing: python-hcl2, Lark and the evaluator
are imported when :meth:`TerraformParser.parse` first runs, so that a
pre-commit run on files that are not Terraform stays instant.

Layout: :mod:`.loader` (files -> syntax trees), :mod:`.syntax` (the tree),
:mod:`.evaluate` / :mod:`.values` / :mod:`.functions` (expressions),
:mod:`.attributes` (block bodies), :mod:`.datasources` (data sources computed
offline), :mod:`.module` (modules, providers, resources), :mod:`.project`
(directories to root modules).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from iacgov.api import ParseOptions, ParseResult, SourceFile, hookimpl


class TerraformParser:
    name = "terraform"

    def claims(self, file: SourceFile, head: bytes) -> bool:
        # *.tf.json (Terraform's JSON syntax) is not implemented, so not claimed.
        return file.relpath.endswith(".tf")

    def parse(self, files: Sequence[SourceFile], options: ParseOptions, root: Path) -> Iterable[ParseResult]:
        from iacgov.parsers.terraform.project import parse

        return parse(files, options, Path(root))


@hookimpl
def iacgov_parsers() -> list[TerraformParser]:
    return [TerraformParser()]
