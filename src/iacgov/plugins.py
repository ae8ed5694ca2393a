"""The plugin host: built-in plugins first, then the ``iacgov`` entry-point group.

Like pytest's ``default_plugins``, iacgov's own parsers and reporters are
registered by name through the same hooks third parties use; the built-in rule
pack is not even listed here: it arrives through the entry-point group, exactly
as a third-party pack would (sqlfluff does the same).

Fail closed: a plugin that cannot be imported or registered is reported and
makes the run fail, instead of silently scanning with fewer rules.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pluggy

from iacgov import hookspecs

# name -> module, loaded in this order.
DEFAULT_PLUGINS: dict[str, str] = {
    "terraform": "iacgov.parsers.terraform",
    "terraform-plan": "iacgov.parsers.terraform_plan",
    "cloudformation": "iacgov.parsers.cloudformation",
    "text": "iacgov.reporters.text",
    "json": "iacgov.reporters.json_report",
    "sarif": "iacgov.reporters.sarif",
    "github": "iacgov.reporters.github",
    "gitlab": "iacgov.reporters.gitlab",
    "junit": "iacgov.reporters.junit",
    "markdown": "iacgov.reporters.markdown_report",
}
ENTRY_POINT_GROUP = "iacgov"


class PluginError(Exception):
    """A plugin failed to load, register or run: the run must fail (exit 2)."""


@dataclass
class PluginHost:
    manager: pluggy.PluginManager
    errors: list[str] = field(default_factory=list)  # load failures, reported by the CLI
    names: list[str] = field(default_factory=list)  # what was loaded, for --version / debugging

    @property
    def hook(self) -> Any:
        return self.manager.hook

    def collect(self, hook_name: str) -> list[Any]:
        """Call a list-returning hook and flatten the answers, in registration order.

        pluggy calls the most recently registered plugin first; reversing gives
        built-ins first, so output order does not depend on what is installed.
        """
        items: list[Any] = []
        for answer in reversed(getattr(self.manager.hook, hook_name)()):
            if answer:
                items.extend(answer)
        return items


def load_plugins(disabled: Iterable[str] = (), extra: Iterable[Any] = ()) -> PluginHost:
    """Build the plugin host. ``disabled`` are names from ``-p no:NAME``;
    ``extra`` are plugin objects registered last (tests use it)."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    host = PluginHost(manager)
    blocked = set(disabled)
    for name in blocked:
        manager.set_blocked(name)

    for name, module_name in DEFAULT_PLUGINS.items():
        if name in blocked:
            continue
        _register(host, name, lambda module_name=module_name: hooks_only(importlib.import_module(module_name)))

    seen: set[str] = set()
    for ep in sorted(group_entry_points(), key=lambda ep: ep.name):
        # The same distribution can be visible twice (an editable install next
        # to a regular one); load each name once.
        if ep.name in blocked or ep.name in seen:
            continue
        seen.add(ep.name)
        _register(host, ep.name, ep.load, origin=f"entry point {ep.value!r}")

    for i, plugin in enumerate(extra):
        _register(host, getattr(plugin, "__name__", f"extra-{i}"), lambda plugin=plugin: plugin)
    _check_pending(host)
    return host


def _check_pending(host: PluginHost) -> None:
    """A hook implementation no spec knows (``iacgov_rule`` for ``iacgov_rules``)
    would never be called: its rules would silently not run. Fail closed, naming it."""
    try:
        host.manager.check_pending()
    except pluggy.PluginValidationError:
        import difflib

        known = [name for name in dir(hookspecs) if name.startswith(f"{hookspecs.PROJECT}_")]
        for name, caller in sorted(vars(host.manager.hook).items()):
            if caller.spec is not None:
                continue
            for impl in caller.get_hookimpls():
                if impl.optionalhook:
                    continue
                close = difflib.get_close_matches(name, known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f" (hooks: {', '.join(known)})"
                host.errors.append(f"plugin {impl.plugin_name!r} implements unknown hook {name!r}{hint}")


def hooks_only(module: Any) -> Any:
    """A built-in plugin module's hook implementations alone, in a module of its name: pluggy
    looks at every name a plugin holds (``inspect.getattr_static`` on about 300 imported names
    over the ten built-in modules, 2 % of a one-file scan), and finds the same hooks here."""
    import types

    marker = f"{hookspecs.PROJECT}_impl"
    slim = types.ModuleType(module.__name__, module.__doc__)
    for attribute, value in vars(module).items():
        if isinstance(value, types.FunctionType) and hasattr(value, marker):
            setattr(slim, attribute, value)
    return slim


def _register(host: PluginHost, name: str, load: Any, origin: str = "") -> None:
    where = f" ({origin})" if origin else ""
    try:
        plugin = load()
        host.manager.register(plugin, name=name)
    except Exception as exc:  # noqa: BLE001 - any failure of third-party code is reported
        host.errors.append(f"plugin {name!r}{where} failed to load: {type(exc).__name__}: {exc}")
        return
    host.names.append(name)


# --------------------------------------------------------------------------- entry points

@dataclass(frozen=True)
class EntryPoint:
    """One ``name = module[:attr]`` line of an installed distribution's
    ``entry_points.txt`` (what :class:`importlib.metadata.EntryPoint` holds)."""

    name: str
    value: str
    group: str

    @property
    def module(self) -> str:
        return self._reference().group("module")

    @property
    def attr(self) -> str | None:
        return self._reference().group("attr")

    def load(self) -> Any:
        obj = importlib.import_module(self.module)
        for part in filter(None, (self.attr or "").split(".")):
            obj = getattr(obj, part)
        return obj

    def _reference(self) -> re.Match[str]:
        match = _REFERENCE.match(self.value)
        if match is None:
            raise ValueError(f"{self.value!r} is not a module[:attribute] reference")
        return match


# importlib.metadata.EntryPoint.pattern
_REFERENCE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


def group_entry_points(group: str = ENTRY_POINT_GROUP) -> tuple[Any, ...]:
    """``importlib.metadata.entry_points(group=group)``, in its order, without
    importing importlib.metadata (with the email package it pulls in, a
    tenth of a pre-commit run) nor reading every distribution's metadata:
    the ``*.dist-info`` / ``*.egg-info`` folders of each ``sys.path``
    directory, the first of each normalised name, their ``entry_points.txt``.
    Where that reading could differ (an import hook that finds distributions,
    a zip or ``.egg`` on the path, an unusual folder name or line, a file that
    is not UTF-8), importlib.metadata itself answers. Kept while ``sys.path``
    and its folders' modification times stay the same (as importlib.metadata
    keeps its listings)."""
    state = (group, *_path_state())
    if _MEMO.get("state") != state:
        found = _scan_entry_points(group)
        if found is None:
            from importlib.metadata import entry_points

            found = tuple(entry_points(group=group))
        _MEMO.update(state=state, found=found)
    return _MEMO["found"]


_MEMO: dict[str, Any] = {}


def _path_state() -> tuple[tuple[Any, int | None], ...]:
    """sys.path and its folders' modification times: a distribution installed or removed changes it."""
    return tuple((entry, _mtime(entry)) for entry in sys.path)


def _mtime(entry: Any) -> int | None:
    try:
        return os.stat(entry or ".").st_mtime_ns
    except (OSError, TypeError, ValueError):
        return None


def _scan_entry_points(group: str) -> tuple[EntryPoint, ...] | None:
    """None when importlib.metadata must answer (see :func:`group_entry_points`)."""
    folders = _distribution_folders()
    if folders is None:
        return None
    found: list[EntryPoint] = []
    for _, folder in folders:
        try:
            with open(os.path.join(folder, "entry_points.txt"), "rb") as fh:
                text = fh.read().decode("utf-8")
        except OSError:
            continue
        except UnicodeDecodeError:
            return None
        lines = _group_lines(text, group)
        if lines is None:
            return None
        found.extend(lines)
    return tuple(found)


def distribution_version(name: str) -> str | None:
    """``importlib.metadata.version(name)`` (None: not installed) read the same
    way, from the ``Version`` header of the first distribution of that name."""
    folders = _distribution_folders()
    if folders is not None:
        wanted = _normalise(name)
        for normalised, folder in folders:
            if normalised != wanted:
                continue
            for metadata in ("METADATA", "PKG-INFO"):
                try:
                    with open(os.path.join(folder, metadata), "rb") as fh:
                        head = fh.read(65536).decode("utf-8").partition("\n\n")[0]
                except (OSError, UnicodeDecodeError):
                    continue
                version = _VERSION.search(head)
                if version:
                    return version.group(1)
            break  # unreadable: importlib.metadata decides
        else:
            return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


_VERSION = re.compile(r"^Version:[ \t]*(.*?)\s*$", re.MULTILINE | re.IGNORECASE)  # a METADATA header


def recorded_files_intact(distribution: str, top: str, package: Path, seen: list[str] | None = None) -> bool:
    """Whether the first ``distribution`` on ``sys.path`` records sha256 hashes
    for files of its ``top`` package that lie in ``package``, and every one of
    them has its recorded hash: the RECORD file read as importlib.metadata
    reads ``Distribution.files`` (csv rows, ``mode=value`` hashes, paths from
    the dist-info's parent). False is no verdict: importlib.metadata decides.
    ``seen`` (a list) receives ``(path, os.stat_result)`` of the RECORD file, then of each file hashed,
    each stat taken on the open file before it is read (a file changed since differs from it)."""
    import base64
    import csv
    from pathlib import PurePosixPath

    from iacgov.digests import sha256

    folder = recorded_distribution(distribution)
    if folder is None:
        return False
    try:
        with open(os.path.join(folder, "RECORD"), "rb") as fh:
            if seen is not None:
                seen.append((fh.name, os.fstat(fh.fileno())))
            rows = list(csv.reader(fh.read().decode("utf-8").splitlines()))
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    checked = 0
    base = os.path.realpath(os.path.dirname(folder))
    real_dirs: dict[str, str] = {}  # each folder of the package resolved once (a Path.resolve() a file: 6 ms)
    for row in rows:
        parts = PurePosixPath(row[0]).parts
        if len(row) < 2 or not row[1] or parts[:1] != (top,):
            continue
        mode, _, value = row[1].partition("=")
        if mode != "sha256":
            continue
        if "." in parts or ".." in parts:
            path = (Path(folder).parent / row[0]).resolve()
        else:  # what resolve() gives: the resolved folder, then the file's own link if it is one
            where = "/".join(parts[:-1])
            if where not in real_dirs:
                real_dirs[where] = os.path.realpath(os.path.join(base, where))
            full = os.path.join(real_dirs[where], parts[-1])
            path = Path(os.path.realpath(full) if os.path.islink(full) else full)
        if path.parent != package and package not in path.parents:
            continue
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                digest = sha256(fh.read()).digest()
        except OSError:
            return False
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != value:
            return False
        if seen is not None:
            seen.append((str(path), st))
        checked += 1
    return checked > 0


def recorded_distribution(distribution: str) -> str | None:
    """The folder (``*.dist-info``) of the first ``distribution`` on ``sys.path``, None when there is
    none or when importlib.metadata could see another (see :func:`group_entry_points`)."""
    return next((f for n, f in _distribution_folders() or () if n == _normalise(distribution)), None)


class _Resources:
    """``importlib.resources`` as iacgov reads its own data (``resources.files("iacgov") / "data"``),
    without importing it where the answer is known: it imports tempfile, shutil, random, bz2, lzma and
    (through ``importlib.readers``) zipfile, 7 to 8 % of the import time of a pre-commit run."""

    @staticmethod
    def files(package: str) -> Any:
        """``importlib.resources.files(package)``: for a package loaded from a folder by the standard
        loaders, the folder as the ``pathlib.Path`` their resource reader (``importlib.readers.FileReader``)
        gives; anything else (a zip, another loader) is importlib.resources's answer."""
        from importlib.machinery import SourceFileLoader, SourcelessFileLoader

        module = sys.modules.get(package) or importlib.import_module(package)
        spec = getattr(module, "__spec__", None)
        loader = getattr(spec, "loader", None)
        if type(loader) in (SourceFileLoader, SourcelessFileLoader) and spec.submodule_search_locations is not None:
            return Path(loader.path).parent
        from importlib import resources as stdlib

        return stdlib.files(package)


resources = _Resources()  # ``from iacgov.plugins import resources``; ``resources.files("iacgov")``


def _distribution_folders() -> list[tuple[str, str]] | None:
    """(normalised name, folder) of every distribution importlib.metadata's
    ``distributions()`` would return, in its order, the first of each name;
    None where it could see another (see :func:`group_entry_points`). Listed
    once while :func:`_path_state` stays the same."""
    state = _path_state()
    if _FOLDERS.get("state") != state:
        _FOLDERS.update(state=state, found=_list_distribution_folders())
    return _FOLDERS["found"]


_FOLDERS: dict[str, Any] = {}


def _list_distribution_folders() -> list[tuple[str, str]] | None:
    from importlib.machinery import PathFinder

    if any(getattr(finder, "find_distributions", None) is not None and finder is not PathFinder
           for finder in sys.meta_path):
        return None
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    for entry in sys.path:
        if not isinstance(entry, str) or os.path.basename(entry).lower().endswith(".egg"):
            return None
        try:
            children = os.listdir(entry or ".")
        except FileNotFoundError:
            continue
        except OSError:
            return None  # a zip archive, or unreadable: importlib.metadata's own rules
        # importlib.metadata.Lookup: grouped by normalised name, in order of first appearance
        infos: dict[str, list[str]] = {}
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                if not child.endswith((".dist-info", ".egg-info")):
                    return None  # its name would come from its METADATA
                infos.setdefault(_normalise(low.rpartition(".")[0].partition("-")[0]), []).append(child)
        for name, children_of_name in infos.items():
            if name not in seen:
                seen.add(name)
                found.append((name, os.path.join(entry, children_of_name[0])))
    return found


def _normalise(name: str) -> str:
    """importlib.metadata.Prepared.normalize: PEP 503, dashes as underscores."""
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _group_lines(text: str, group: str) -> list[EntryPoint] | None:
    """importlib.metadata.Sectioned: ``[group]`` headers, ``name = value``
    lines, ``#`` comments; None for a line of ``group`` without ``=``."""
    section, found = None, []
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
        elif section == group:
            if "=" not in line:
                return None
            name, _, value = line.partition("=")
            found.append(EntryPoint(name.strip(), value.strip(), group))
    return found
