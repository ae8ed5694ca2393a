"""Every hook of iacgov's plugin system, documented (pytest's ``hookspec.py`` style).

A plugin is any module or object with functions decorated by
:data:`iacgov.hookimpl` and named like the specs below. iacgov's own parsers,
reporters and rule pack are plugins on exactly these hooks; third-party plugins
are found through the ``iacgov`` entry-point group::

    [project.entry-points.iacgov]
    acme = "acme_iacgov_pack"

A plugin is disabled with ``-p no:NAME`` (its entry-point or built-in name).
Hooks return lists so that a plugin can contribute several items at once;
the engine flattens them. Heavy imports belong inside the returned objects'
methods, not at module level: a plugin that is installed but unused must cost
nothing at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pluggy

if TYPE_CHECKING:  # pragma: no cover - typing only
    from iacgov.api import Parser, Reporter, Rule

PROJECT = "iacgov"
hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def iacgov_parsers() -> Sequence["Parser"]:
    """Return parsers (:class:`iacgov.api.Parser`) this plugin provides.

    Discovery offers each file to every parser's ``claims``; the files a parser
    claims are handed to its ``parse`` in one call, so that a parser can group
    them (Terraform parses a directory as a module). A file claimed by no
    parser is not scanned.
    """


@hookspec
def iacgov_rules() -> Sequence["Rule"]:
    """Return rules (:class:`iacgov.api.Rule`) this plugin provides.

    Rule codes are global: two plugins providing the same code is an error.
    """


@hookspec
def iacgov_reporters() -> Sequence["Reporter"]:
    """Return reporters (:class:`iacgov.api.Reporter`): one per ``--format`` name."""


@hookspec
def iacgov_policy_schema() -> Mapping[str, Any]:
    """Return JSON Schema ``properties`` for the top-level policy keys this
    plugin reads (for example ``{"data_location": {...}}``).

    They are merged into the policy schema before ``iacgov.yaml`` is
    validated, so a typo in a plugin's key is caught like a typo in a core key.
    """
