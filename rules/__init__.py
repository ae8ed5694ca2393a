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
from dataclasses import replace

from iacgov.api import hookimpl

_RULE_MODULE = re.compile(r"^[a-z]+\d{3}_\w+$")
# Each rule's page (docs/rules/, scripts/generate_rule_docs.py), its SARIF helpUri.
# One constant: a fork or a mirror changes this line.
RULE_DOCS_URI = "https://github.com/iacgov/iacgov/blob/main/docs/rules/{code}.md"


def rule_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if _RULE_MODULE.match(m.name))


@hookimpl
def iacgov_rules():
    rules = [importlib.import_module(f"{__name__}.{name}").RULE for name in rule_modules()]
    for rule in rules:
        if rule.meta.help_uri is None:
            rule.meta = replace(rule.meta, help_uri=RULE_DOCS_URI.format(code=rule.meta.code))
    return rules
