"""The plugin host: built-in plugins first, then the ``iacgov`` entry-point group.

Like pytest's ``default_plugins``, iacgov's own parsers and reporters are
registered by name through the same hooks third parties use; the built-in rule
pack is not even listed here: it arrives through the entry-point group, exactly
as a third-party pack would (sqlfluff does the same).

Fail closed: a plugin that cannot be imported or registered is reported and
makes the run fail, instead of silently scanning with fewer rules.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
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
        _register(host, name, lambda module_name=module_name: importlib.import_module(module_name))

    seen: set[str] = set()
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
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


def _register(host: PluginHost, name: str, load: Any, origin: str = "") -> None:
    where = f" ({origin})" if origin else ""
    try:
        plugin = load()
        host.manager.register(plugin, name=name)
    except Exception as exc:  # noqa: BLE001 - any failure of third-party code is reported
        host.errors.append(f"plugin {name!r}{where} failed to load: {type(exc).__name__}: {exc}")
        return
    host.names.append(name)
