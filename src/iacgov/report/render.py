"""Render the view model to one self-contained HTML file (Jinja2).

Autoescaping is on for every template and undefined names are errors:
every resource name, tag value and message comes from the scanned
repository, so none of it may become markup. Control characters and bidi
overrides in those strings are shown as ``\\xNN`` / ``\\uNNNN`` (the text
reporter's :func:`~iacgov.reporters.text.printable`): a reader sees what the
repository holds, not text reordered by it. The page loads nothing (styles
are inline, charts are inline SVG, no script), and its Content-Security-Policy
forbids loading anything even if it tried.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2
from markupsafe import Markup, escape

from iacgov.reporters.text import printable
from iacgov.report.view import Report


def _finalize(value: object) -> object:
    """Every ``{{ value }}`` before it is escaped: strings made printable
    (markup the templates built themselves is left alone)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


# Where a long identifier may wrap: after the separators of addresses, paths and
# names (aws_s3_bucket.invoices_replica, envs/prod/main.tf:12, module.x["k"]),
# so that a narrow column breaks it between words, never inside one.
_SEPARATOR = re.compile(r"(?<=[./_:\[])")


def breakable(value: object) -> Markup:
    """``value`` made printable and escaped, with ``<wbr>`` after each separator."""
    text = printable(str(value))
    return Markup("<wbr>").join(escape(part) for part in _SEPARATOR.split(text))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("iacgov.report", "templates"),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["breakable"] = breakable
    return env


def render_html(report: Report) -> str:
    return environment().get_template("report.html.j2").render(r=report)
