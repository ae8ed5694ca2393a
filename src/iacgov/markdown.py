"""Markdown that repository strings cannot break.

Everything a report takes from a scanned repository — resource names, tag
values, file paths, messages that quote them, approver logins — goes through
one of these functions before it is written into Markdown (pull-request
comments, rule help). They make a string inert: it cannot end a table cell
(``|``, new lines), inject HTML (``<img src=x>``), open or close a code span
or fence (backticks), start a link or an image, or mention people and teams
(``@org/team``: a zero-width space after ``@`` keeps GitHub from linking it).
"""

from __future__ import annotations

import re

from iacgov.reporters.escape import encodable

ZWSP = "\u200b"
# Controls, line separators and bidi overrides / isolates (which reorder what a reader sees).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\r\n]+")
# Characters with a meaning in CommonMark / GFM inline syntax (text never
# starts a line here: new lines are flattened, so list and heading markers
# need no escape).
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp)://|\bwww\.")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def _flat(text: object) -> str:
    """One line, no control characters."""
    return _CONTROL.sub("", _one_line(encodable(str(text))))  # lone surrogates as \xNN / \uNNNN


def _one_line(text: str) -> str:
    """Each line break with the blanks around it becomes one space.

    What ``re.sub(r"\\s*[\\r\\n]+\\s*", " ", text)`` does, in linear time:
    that pattern retries its leading ``\\s*`` from every blank of a long run
    without a line break (quadratic on repository text)."""
    if "\n" not in text and "\r" not in text:
        return text
    first, *middle, last = _LINE_BREAKS.split(text)
    out = [first.rstrip()]
    for piece in middle:
        piece = piece.strip()
        if piece:  # a line of blanks only belongs to the break around it
            out.append(piece)
    out.append(last.lstrip())
    return " ".join(out)


def _defuse_mentions(text: str) -> str:
    # @user, @org/team and #123 references become plain text; so do the URLs
    # GitHub would turn into links.
    text = re.sub(r"([@#])(?=\S)", lambda m: m.group(1) + ZWSP, text)
    return _AUTOLINK.sub(lambda m: m.group(0)[:-1] + ZWSP + m.group(0)[-1] if m.group(0).endswith(".")
                         else m.group(0)[:-2] + ZWSP + "//", text)


def text(value: object) -> str:
    """Plain text in a paragraph or a table cell: every Markdown and HTML
    special character escaped, on one line."""
    flat = _flat(value)
    flat = "".join(_HTML.get(c, c) for c in flat)
    flat = _SPECIAL.sub(lambda m: "\\" + m.group(1), flat)
    return _defuse_mentions(flat)


def code(value: object) -> str:
    """An inline code span (addresses, paths, values): a fence longer than
    any run of backticks inside, ``|`` escaped for tables (GFM reads it as a
    cell separator even in code), one line."""
    flat = _flat(value).replace("|", "\\|")
    if not flat.strip():
        return "` `" if flat else ""
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or flat.startswith(" ") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"  # GitHub neither mentions nor links inside code


def html_text(value: object) -> str:
    """Text inside an HTML element (``<summary>``): HTML-escaped, one line, no mentions."""
    return _defuse_mentions("".join(_HTML.get(c, c) for c in _flat(value)))
