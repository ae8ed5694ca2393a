"""The Terraform state's location: ``terraform { backend "..." { ... } }`` blocks.

The Terraform parser keeps ``terraform`` blocks out of the resources, so the
files it claimed are read again here (through the parse cache when there is
one) and each root module's backend block is taken as written. Terraform
forbids variables and references in a backend block, so its literal values are
exactly what Terraform uses; settings given at ``terraform init`` time
(``-backend-config``) are not in the code and are reported missing. A
``cloud`` block (HCP Terraform) is read too. Override files replace the
backend of the module, as Terraform merges them. ``.tf.json`` files are not
read here (their backend is reported as not read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Mapping

from iacgov.limits import Limits
from iacgov.parsers.terraform.loader import load_file
from iacgov.parsers.terraform.override import is_override_file
from iacgov.parsers.terraform.syntax import Body, Lit, Template, TupleExpr


@dataclass(frozen=True)
class Backend:
    """One root module's state backend."""

    stack: str  # the root module's directory, as Finding.stack names it
    type: str  # "s3", "azurerm", "gcs", "remote", "cloud", "local"... ; "" when none is declared
    settings: Mapping[str, Any] = field(default_factory=dict)  # literal settings; a non-literal one is None
    file: str = ""
    line: int = 0
    unread: tuple[str, ...] = ()  # .tf.json files or files that did not parse


def _literal(expr: Any) -> Any:
    if isinstance(expr, Lit):
        return expr.value
    if isinstance(expr, Template) and all(isinstance(p, str) for p in expr.parts):
        return "".join(expr.parts)
    if isinstance(expr, TupleExpr):
        items = [_literal(i) for i in expr.items]
        return items if all(i is not None for i in items) else None
    return None


def _settings(body: Body) -> dict[str, Any]:
    out: dict[str, Any] = {name: _literal(attr.expr) for name, attr in body.attributes.items()}
    for block in body.blocks:  # assume_role { role_arn = ... }, workspaces { name = ... }
        for name, value in _settings(block.body).items():
            out[f"{block.type}.{name}"] = value
    return out


def read_backends(files: Iterable[Any], root: Path, stacks: Iterable[str], limits: Limits | None = None,
                  cache: Any = None) -> dict[str, Backend]:
    """The backend of each stack (root module directory) among ``files`` (the
    SourceFiles the Terraform parser claimed)."""
    wanted = set(stacks)
    by_dir: dict[str, list[Any]] = {}
    for f in files:
        folder = PurePosixPath(f.relpath).parent.as_posix()
        if folder in wanted:
            by_dir.setdefault(folder, []).append(f)
    out: dict[str, Backend] = {}
    for stack in sorted(wanted):
        found: Backend | None = None
        unread: list[str] = []
        ordered = sorted(by_dir.get(stack, ()), key=lambda f: (is_override_file(f.relpath), f.relpath))
        for f in ordered:
            if not f.relpath.endswith(".tf"):
                unread.append(f.relpath) if f.relpath.endswith(".tf.json") else None
                continue
            loaded = load_file(root / f.relpath, f.relpath, limits, cache)
            if loaded.body is None:
                unread.append(f.relpath)
                continue
            for block in loaded.body.blocks:
                if block.type != "terraform":
                    continue
                for inner in block.body.blocks:
                    if inner.type == "backend" and inner.labels:
                        found = Backend(stack, inner.labels[0], _settings(inner.body), f.relpath, inner.line)
                    elif inner.type == "cloud":
                        found = Backend(stack, "cloud", _settings(inner.body), f.relpath, inner.line)
        base = found or Backend(stack, "")
        out[stack] = Backend(base.stack, base.type, base.settings, base.file, base.line, tuple(unread))
    return out
