"""iacgov's built-in rule pack.

Registered through the ``iacgov`` entry-point group (see pyproject.toml),
exactly as a third-party pack would be. Every module named after a rule code
(``loc001_region_not_allowed``) defines one rule and exposes it as ``RULE``;
its docstring is the rule's documentation.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from iacgov.api import hookimpl

_RULE_MODULE = re.compile(r"^[a-z]+\d{3}_\w+$")


def rule_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if _RULE_MODULE.match(m.name))


@hookimpl
def iacgov_rules():
    return [importlib.import_module(f"{__name__}.{name}").RULE for name in rule_modules()]
