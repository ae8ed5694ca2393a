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
    from iacgov.api import FileCheck, Parser, Reporter, Rule

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
def iacgov_file_checks() -> Sequence["FileCheck"]:
    """Return file checks (:class:`iacgov.api.FileCheck`): bridges to other
    tools (checkov, cfn-lint) that read the scanned files themselves.

    After the rules, the engine calls each check's ``run(ctx)`` once, with
    ``ctx.root``, ``ctx.files`` (the discovered files by the parser that
    claimed them) and ``ctx.parse_options``. Its findings then go through the
    same filter as the rules' (``rules.CODE`` settings, suppressions,
    baseline), and the :class:`~iacgov.api.RuleMeta` it returns for its codes
    become their SARIF rule descriptors. A code already provided by a rule or
    another check is an error.

    Codes of bridged tools are the tool's own IDs when they name the tool
    (checkov's ``CKV_AWS_16``), else ``X<TOOL>_<ID>`` (cfn-lint's ``E3012`` is
    ``XCFN_E3012``); their family (``Finding.family``) is an iacgov family when
    the tool's category maps onto one, else ``X<TOOL>``. A tool's own skip
    comments (``checkov:skip=CKV_AWS_20:reason``) are reported as findings
    carrying a :class:`~iacgov.api.Suppression` with ``source`` set to the tool:
    the policy's ``suppressions`` settings (locked, max_days, inline) govern
    them like ``iacgov:ignore`` comments.

    A check must cost nothing when there is nothing for it: import the tool,
    or start it, only when ``ctx.files`` holds files it reads.
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
