"""Governed suppressions: the *filter* stage (evaluate -> **filter** -> report).

A finding is suppressed by an ``iacgov:ignore`` comment (Terraform ``#`` and
``//``, YAML ``#``) or by CloudFormation ``Metadata``::

    # iacgov:ignore ENC001,LOG reason="archive read by the legacy ERP" expires=2025-06-30
    resource "aws_s3_bucket" "archive" {

    Archive:
      Type: AWS::S3::Bucket
      Metadata:
        iacgov:
          ignore:
            - {code: ENC001, reason: "archive read by the legacy ERP", expires: 2025-06-30}

Where a comment applies (read line by line from the source text of the files
that have findings, never by re-parsing them; strings, heredocs, block
comments and YAML block scalars are not comments):

- on the offending line itself (a trailing comment), or on that line's
  resource block header;
- in the comment lines *directly* above the offending line, above an
  attribute that contains it, or above the resource block (a blank line
  breaks the association);
- in the comment lines that open the resource block (directly below its
  header), like checkov's skip comments: the whole resource.

Codes are rule codes (``ENC001``) or families (``LOC``), comma-separated,
case ignored; ``*`` / ``all`` is refused, a suppression names what it
silences. CloudFormation ``Metadata`` covers the whole resource; JSON
templates have no comments, so there ``Metadata`` is the only form.
Terraform plan JSON has neither: use a baseline.

Governance (``suppressions`` in the policy; in review, the *base* policy):

- a ``reason`` is required: without one nothing is suppressed and a
  notification says why (so does any malformed directive);
- ``expires=YYYY-MM-DD`` is the last day a suppression applies; from the day
  after, the finding is reported again and says the suppression expired;
- ``max_days``: an expiry more than that many days from today, or none at
  all, is *refused* (not capped: a cap relative to today would slide forward
  every day and never expire);
- ``locked``: codes or families that cannot be suppressed inline;
- ``inline: false``: no comment or ``Metadata`` suppression applies.

A refused suppression leaves the finding active, with the reason appended to
its message and listed in its ``suppression_refused`` property. Locking
does not apply to the baseline (:mod:`iacgov.baseline`), which is its own
governed file. "Today" comes from the caller (tests inject it), by default
the real local date.

For review and plugins: :func:`filter_findings` applies a given policy (the
base commit's) to findings, reading sources through any ``read_text`` (disk,
git objects); :func:`collect_suppressions` lists the suppressions written in
a tree, each with a ``key`` stable across commits, to diff base and head;
:func:`scan_comments` is the comment reader a bridge uses for its tool's own
skip comments, which it reports as ``Suppression(kind="inline",
source="checkov", ...)``.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Mapping, Sequence

from iacgov.api import Policy
from iacgov.model import Finding, Location, Notification, Resource, Severity, Suppression

SOURCE = "suppressions"
DIRECTIVE = "iacgov:ignore"
MAX_SOURCE_CHARS = 8 * 1024 * 1024  # files larger than this are not read for comments
MAX_DIRECTIVE_CHARS = 2000  # a longer comment body is refused, not parsed
REFUSED_PROPERTY = "suppression_refused"

_CODE = re.compile(r"[A-Z][A-Z0-9_]*")  # ENC001, a family (ENC), a bridged code (CKV_AWS_20)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TOKEN = re.compile(r"""\s*(?:(?P<key>[A-Za-z_]\w*)=(?P<value>"[^"]*"|'[^']*'|\S*)|(?P<word>\S+))""")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*$")
_BLOCK_SCALAR = re.compile(r"(?:^|\s)[|>][-+0-9]*$")
_LIST_DASHES = re.compile(r"(?:-[ \t]+)+")
_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

ReadText = Callable[[str], "str | None"]


# -- comments ------------------------------------------------------------------


@dataclass(frozen=True)
class Comment:
    """One comment in a source file: its 1-based ``line``, its ``text`` after
    the ``#`` / ``//`` marker, and whether code precedes it on the line."""

    line: int
    text: str
    trailing: bool


@dataclass(frozen=True)
class _Line:
    code: bool  # holds code (or string / heredoc content): not blank, not only a comment
    opens: bool  # its code ends by opening a block ("{" in HCL, ":" in YAML)
    comment: Comment | None
    remark: bool = False  # a comment-only line (block comments included)


def syntax_of(path: str, text: str) -> str | None:
    """``"hcl"``, ``"yaml"`` or None (JSON and other files have no comments)."""
    suffix = _suffix(path)
    if suffix in (".tf", ".hcl", ".tfvars"):
        return "hcl"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".template":
        return None if text.lstrip("\ufeff \t\r\n").startswith(("{", "[")) else "yaml"
    return None


@lru_cache(maxsize=16384)
def _suffix(path: str) -> str:
    # once per file: PurePosixPath costs ~20 us and the filter asks for every file with findings on every scan
    return PurePosixPath(path).suffix.lower()


def scan_comments(text: str, syntax: str | None) -> list[Comment]:
    """The comments of a Terraform (``hcl``) or YAML file, line by line.

    Linear in the text and never raises: a construct it does not understand
    costs at most that line's comment. Plugins use it to read their own skip
    comments (``checkov:skip=...``) with the same rules.
    """
    return [line.comment for line in _lines(text, syntax) if line.comment is not None]


def split_lines(text: str, syntax: str | None) -> list[str]:
    """Lines numbered as the parsers number them: HCL (Lark) breaks at ``\n``
    only; YAML (PyYAML) also at ``\r``, NEL and the Unicode line and
    paragraph separators. ``str.splitlines`` breaks at more (form feed...),
    which would shift every line after one."""
    if syntax == "yaml":
        return _YAML_BREAK.split(text)
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _lines(text: str, syntax: str | None) -> list[_Line]:
    lines = split_lines(text, syntax)
    if syntax == "hcl":
        return _hcl_lines(lines)
    if syntax == "yaml":
        return _yaml_lines(lines)
    return [_Line(bool(line.strip()), False, None) for line in lines]


def _hcl_lines(lines: Sequence[str]) -> list[_Line]:
    out: list[_Line] = []
    heredoc: str | None = None
    in_block_comment = False
    for number, line in enumerate(lines, 1):
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            out.append(_Line(True, False, None))
            continue
        was_in_comment = in_block_comment
        code_end, comment_at, marker_len, in_block_comment, heredoc, had_code = _hcl_scan(line, in_block_comment)
        code = line[:code_end].rstrip()
        comment = None
        if comment_at is not None:
            comment = Comment(number, line[comment_at + marker_len:], had_code)
        remark = not had_code and (comment is not None or was_in_comment or in_block_comment or "/*" in line)
        out.append(_Line(had_code, code.endswith("{"), comment, remark))
    return out


def _hcl_scan(line: str, in_block_comment: bool) -> tuple[int, int | None, int, bool, str | None, bool]:
    """One HCL line: (end of code, comment start, marker length, inside a
    block comment at the end, heredoc marker opened, whether it holds code)."""
    n = len(line)
    if not in_block_comment and not any(mark in line for mark in ("#", "//", "/*", "<<")):
        return n, None, 0, False, None, bool(line.strip())  # the common case: no comment can start here
    stack: list[list[Any]] = []  # ["str"] or ["interp", brace depth]
    had_code = False
    i = 0
    while i < n:
        c = line[i]
        if in_block_comment:
            end = line.find("*/", i)
            if end < 0:
                return n, None, 0, True, None, had_code
            in_block_comment, i = False, end + 2
            continue
        top = stack[-1] if stack else None
        if top is not None and top[0] == "str":
            if c == "\\":
                i += 2
                continue
            if c in "$%" and line.startswith(c * 2 + "{", i):  # $${ and %%{ are literal
                i += 3
                continue
            if c in "$%" and line.startswith("{", i + 1):
                stack.append(["interp", 0])
                i += 2
                continue
            if c == '"':
                stack.pop()
            i += 1
            continue
        if c == '"':
            stack.append(["str"])
            had_code = True
        elif top is None and (c == "#" or line.startswith("//", i)):
            return i, i, 1 if c == "#" else 2, False, None, had_code
        elif top is None and line.startswith("/*", i):
            in_block_comment = True
            i += 2
            continue
        elif top is not None:  # inside an interpolation
            if c == "{":
                top[1] += 1
            elif c == "}":
                if top[1] == 0:
                    stack.pop()
                else:
                    top[1] -= 1
        elif c == "<" and line.startswith("<<", i):
            match = _HEREDOC.match(line, i)
            if match:
                return n, None, 0, False, match.group(1), True
        if not c.isspace():
            had_code = True
        i += 1
    return n, None, 0, in_block_comment, None, had_code


def _yaml_lines(lines: Sequence[str]) -> list[_Line]:
    out: list[_Line] = []
    block_indent: int | None = None  # inside a block scalar more indented than this
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                out.append(_Line(True, False, None))
                continue
            block_indent = None
        comment_at = _yaml_comment_start(line)
        code = (line if comment_at is None else line[:comment_at]).rstrip()
        comment = None
        if comment_at is not None:
            comment = Comment(number, line[comment_at + 1:], bool(code.strip()))
        out.append(_Line(bool(code.strip()), code.endswith(":"), comment, comment is not None and not code.strip()))
        if _BLOCK_SCALAR.search(code):
            dashes = _LIST_DASHES.match(stripped)
            after = stripped[dashes.end():] if dashes else stripped
            # "key: |" -> content deeper than the key; "- |" -> deeper than the dash
            key_indent = indent + (dashes.end() if dashes else 0)
            block_indent = indent if _BLOCK_SCALAR.fullmatch(" " + after.rstrip()) else key_indent
    return out


def _yaml_comment_start(line: str) -> int | None:
    """Where a YAML comment starts: ``#`` at the start or after a blank,
    outside a quoted scalar that starts a token."""
    if "#" not in line:
        return None
    quote = ""
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if quote == '"':
            if c == "\\":
                i += 2
                continue
            if c == '"':
                quote = ""
        elif quote == "'":
            if c == "'":
                if line.startswith("''", i):
                    i += 2
                    continue
                quote = ""
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
        elif c in "\"'":
            before = line[:i].rstrip(" \t")
            if not before or before[-1] in ":-[{,?" or _tagged(before):
                quote = c
        i += 1
    return None


def _tagged(before: str) -> bool:
    """``key: !Tag 'value'`` — a quoted scalar after a short-form tag."""
    return before.rsplit(None, 1)[-1].startswith(("!", "&"))


# -- directives ----------------------------------------------------------------


@dataclass(frozen=True)
class _Directive:
    """One suppression as written: in a comment or in ``Metadata``."""

    kind: str  # "inline" | "metadata"
    location: Location
    codes: tuple[str, ...]
    reason: str | None
    expires: date | None
    problem: str | None  # why it can never suppress (malformed)
    lines: frozenset[int] = frozenset()  # lines of code it is attached to
    opens: frozenset[int] = frozenset()  # block headers it opens (applies to the whole block)
    target: str = ""  # the code it is attached to, stripped (for diffing trees)
    source: str = "iacgov"

    def covers(self, finding: Finding) -> bool:
        return finding.code in self.codes or finding.family in self.codes


@dataclass(frozen=True)
class Written:
    """What one comment or ``Metadata`` entry says, before it is attached to
    code: iacgov's own directive, or (for review) another scanner's skip."""

    codes: tuple[str, ...]
    reason: str | None = None
    expires: date | None = None
    problem: str | None = None
    source: str = "iacgov"


CommentReader = Callable[[str], "list[Written]"]  # a comment's body -> what it says (nothing: [])
MetadataReader = Callable[[Mapping[str, Any]], "list[Written]"]  # a resource's Metadata -> what it says


def parse_directive(body: str) -> tuple[tuple[str, ...], str | None, date | None, str | None] | None:
    """``(codes, reason, expires, problem)`` for a comment body that starts with
    ``iacgov:``, None for any other comment. Never raises."""
    text = body.strip()
    if not text.lower().startswith("iacgov:"):
        return None
    if len(text) > MAX_DIRECTIVE_CHARS:
        return (), None, None, f"the {DIRECTIVE} comment is longer than {MAX_DIRECTIVE_CHARS} characters"
    name = text.split(None, 1)[0]
    if name.lower() != DIRECTIVE:
        return (), None, None, f"unknown directive {name!r} (expected {DIRECTIVE} CODE reason=\"...\")"
    rest = text[len(name):]
    words: list[str] = []
    values: dict[str, str] = {}
    pos = 0
    while pos < len(rest):
        match = _TOKEN.match(rest, pos)
        if match is None or match.end() == pos:
            break
        pos = match.end()
        if match.group("word") is not None:
            if values:
                return (), None, None, f"unexpected {match.group('word')!r} after the key=value pairs"
            words.append(match.group("word"))
            continue
        key, value = match.group("key").lower(), match.group("value")
        if key not in ("reason", "expires"):
            return (), None, None, f"unknown key {key!r} (expected reason=\"...\" and expires=YYYY-MM-DD)"
        if key in values:
            return (), None, None, f"{key}= given twice"
        if value[:1] in "\"'":
            if len(value) < 2 or value[-1] != value[0]:
                return (), None, None, f"{key}= has an unterminated quote"
            value = value[1:-1]
        values[key] = value
    codes, problem = _codes(",".join(words))
    reason = values.get("reason", "").strip() or None
    expires, date_problem = _date(values.get("expires"))
    if problem is None and reason is None:
        problem = 'no reason given (write reason="...")'
    return codes, reason, expires, problem or date_problem


def _codes(text: str) -> tuple[tuple[str, ...], str | None]:
    codes: list[str] = []
    for item in text.split(","):
        code = item.strip().upper()
        if not code:
            continue
        if code in ("*", "ALL"):
            return (), f"{item.strip()!r} is not accepted: name the rule codes or families to ignore"
        if not _CODE.fullmatch(code):
            return (), f"{item.strip()!r} is not a rule code (ENC001) or family (ENC)"
        if code not in codes:
            codes.append(code)
    if not codes:
        return (), "no rule code given (write the codes after iacgov:ignore)"
    return tuple(codes), None


def _date(value: Any) -> tuple[date | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, date):
        return value, None
    text = str(value).strip()
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text), None
        except ValueError:
            pass
    return None, f"expires={text!r} is not a date (YYYY-MM-DD)"


_ANY_DIRECTIVE = re.compile("iacgov:", re.IGNORECASE)  # matches wherever parse_directive could


def _own_comment(body: str) -> list[Written]:
    parsed = parse_directive(body)
    return [] if parsed is None else [Written(*parsed)]


def _comment_directives(path: str, text: str, read: CommentReader = _own_comment,
                        marker: re.Pattern[str] = _ANY_DIRECTIVE) -> list[_Directive]:
    """The directives ``read`` finds in the comments of ``text``, each attached
    to the code it applies to. ``marker`` matches wherever ``read`` could find one."""
    if marker is _ANY_DIRECTIVE:
        # Most files: no directive, no line to analyse. A directive's comment lower-cased starts with
        # "iacgov:" (parse_directive), so its file lower-cased holds it: a plain search, several times
        # faster than the case-insensitive expression.
        if "iacgov:" not in text.lower():
            return []
    elif not marker.search(text):
        return []
    syntax = syntax_of(path, text)
    lines = _lines(text, syntax)
    source_lines = split_lines(text, syntax)
    # run_start[i] / run_end[i]: the first / last line of the run of
    # comment-only lines that line i + 1 belongs to (one pass each way).
    run_start = list(range(1, len(lines) + 1))
    run_end = list(range(1, len(lines) + 1))
    for i in range(1, len(lines)):
        if lines[i].remark and lines[i - 1].remark:
            run_start[i] = run_start[i - 1]
    for i in range(len(lines) - 2, -1, -1):
        if lines[i].remark and lines[i + 1].remark:
            run_end[i] = run_end[i + 1]

    def is_code(number: int) -> bool:
        return 1 <= number <= len(lines) and lines[number - 1].code

    out: list[_Directive] = []
    for index, info in enumerate(lines):
        if info.comment is None:
            continue
        written = read(info.comment.text)
        if not written:
            continue
        number = index + 1
        if info.comment.trailing:
            attached, opens = {number}, set()
        else:
            first, last = run_start[index], run_end[index]
            attached = {last + 1} if is_code(last + 1) else set()
            opens = {first - 1} if is_code(first - 1) and lines[first - 2].opens else set()
        target = min(attached or opens or {0})
        out.extend(_Directive(
            kind="inline", location=Location(path, number), codes=w.codes, reason=w.reason, expires=w.expires,
            problem=w.problem, lines=frozenset(attached), opens=frozenset(opens),
            target=source_lines[target - 1].strip()[:200] if target else "", source=w.source,
        ) for w in written)
    return out


def _metadata_directives(resource: Resource, read: MetadataReader | None = None) -> list[_Directive]:
    """What a CloudFormation resource's ``Metadata`` says (``read``, by default
    iacgov's own ``Metadata.iacgov.ignore``): it covers the whole resource."""
    metadata = resource.meta.get("Metadata") if isinstance(resource.meta, Mapping) else None
    if not isinstance(metadata, Mapping):
        return []
    return [_Directive(
        kind="metadata", location=resource.location, codes=w.codes, reason=w.reason, expires=w.expires,
        problem=w.problem, lines=frozenset({resource.location.line}), target=resource.address, source=w.source,
    ) for w in (read or _own_metadata)(metadata)]


def _own_metadata(metadata: Mapping[str, Any]) -> list[Written]:
    """``Metadata: {iacgov: {ignore: [{code, reason, expires}]}}``."""
    if "iacgov" not in metadata:
        return []
    block = metadata["iacgov"]
    if not isinstance(block, Mapping) or set(block) - {"ignore"} or not isinstance(block.get("ignore"), list):
        return [Written((), None, None, "Metadata.iacgov must be {ignore: [{code, reason, expires}]}")]
    out = []
    for entry in block["ignore"]:
        if not isinstance(entry, Mapping):
            out.append(Written((), None, None, "each Metadata.iacgov.ignore entry is a mapping {code, reason, expires}"))
            continue
        unknown = sorted(set(map(str, entry)) - {"code", "reason", "expires"})
        raw = entry.get("code")
        if isinstance(raw, list) and all(isinstance(c, str) for c in raw):
            raw = ",".join(raw)
        codes, problem = _codes(raw) if isinstance(raw, str) else ((), "no rule code given (code: ENC001)")
        reason = entry.get("reason")
        reason = reason.strip() or None if isinstance(reason, str) else None
        expires, date_problem = _date(entry.get("expires"))
        if problem is None and unknown:
            problem = f"unknown key {unknown[0]!r} (expected code, reason, expires)"
        if problem is None and reason is None:
            problem = "no reason given (reason: ...)"
        out.append(Written(codes, reason, expires, problem or date_problem))
    return out


# -- what review needs: the suppressions written in a tree ---------------------


@dataclass(frozen=True)
class InlineSuppression:
    """One code suppressed in a tree, as written (valid or not).

    ``problem`` is set when it can never suppress (no reason, bad date...).
    ``key`` identifies it across commits (file, what it is attached to, code),
    so review can tell which suppressions a change adds.
    """

    code: str
    reason: str | None
    expires: str | None
    file: str
    line: int
    address: str | None  # the resource it is attached to, when known
    kind: str  # "inline" | "metadata"
    target: str  # the line of code it is attached to (stripped), or the logical ID
    problem: str | None = None
    source: str = "iacgov"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.address or self.target, self.code)


def collect_suppressions(texts: Mapping[str, str], resources: Sequence[Resource] = (), *,
                         comments: CommentReader = _own_comment, marker: re.Pattern[str] = _ANY_DIRECTIVE,
                         metadata: MetadataReader = _own_metadata) -> list[InlineSuppression]:
    """Every ``iacgov:ignore`` comment in ``texts`` (relpath -> source text)
    and every ``Metadata`` suppression on ``resources``, one entry per code,
    sorted. Resources also name the resource a comment is attached to.
    ``comments`` / ``marker`` / ``metadata`` read other directives instead
    (review reads other scanners' skips with them: :mod:`iacgov.review.skips`)."""
    index = _ResourceIndex(resources)
    directives: list[_Directive] = []
    for path in sorted(texts):
        text = texts[path]
        if isinstance(text, str) and len(text) <= MAX_SOURCE_CHARS:
            directives.extend(_comment_directives(path, text, comments, marker))
    for resource in resources:
        directives.extend(_metadata_directives(resource, metadata))
    out = {
        (d.location.path, d.location.line, code, d.kind, d.target, d.source): InlineSuppression(
            code=code, reason=d.reason, expires=d.expires.isoformat() if d.expires else None,
            file=d.location.path, line=d.location.line, address=index.address_of(d), kind=d.kind,
            target=d.target, problem=d.problem, source=d.source,
        )
        for d in directives for code in (d.codes or ("",))
    }
    return [out[k] for k in sorted(out)]


class _ResourceIndex:
    """Resources by file, block header line and attribute line."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources = tuple(resources)
        self.by_address: dict[tuple[str, str], Resource] = {}
        self.by_name: dict[str, list[Resource]] = defaultdict(list)
        for r in self.resources:
            self.by_address.setdefault((r.location.path, r.address), r)
            self.by_name[r.address].append(r)
        self._lines: tuple[dict[tuple[str, int], list[Resource]], dict[tuple[str, int], list[Resource]]] | None = None

    def lines(self) -> tuple[dict[tuple[str, int], list[Resource]], dict[tuple[str, int], list[Resource]]]:
        """Resources by (file, block header line) and by (file, attribute line), made on first use: the
        filter looks findings up by address only, and every attribute of 100,000 resources is a second."""
        if self._lines is None:
            headers: dict[tuple[str, int], list[Resource]] = defaultdict(list)
            attributes: dict[tuple[str, int], list[Resource]] = defaultdict(list)
            for r in self.resources:
                headers[(r.location.path, r.location.line)].append(r)
                for loc in r.attribute_locations.values():
                    attributes[(loc.path, loc.line)].append(r)
            self._lines = headers, attributes
        return self._lines

    def resource_of(self, finding: Finding) -> Resource | None:
        found = self.by_address.get((finding.location.path, finding.address))
        if found is None and len(self.by_name.get(finding.address, ())) == 1:
            found = self.by_name[finding.address][0]
        return found

    def address_of(self, d: _Directive) -> str | None:
        path = d.location.path
        if d.kind == "metadata":
            return d.target
        headers, attributes = self.lines()
        for line in sorted(d.lines) + sorted(d.opens):
            found = headers.get((path, line)) or (attributes.get((path, line)) if line in d.lines else None)
            if found:
                return sorted(_block_address(r) for r in found)[0]
        return None


def _block_address(resource: Resource) -> str:
    """``aws_instance.app[0]`` -> ``aws_instance.app``: the block, not the instance."""
    if "index" in resource.meta and resource.address.endswith("]"):
        return resource.address[: resource.address.rfind("[")]
    return resource.address


# -- the filter ----------------------------------------------------------------


@dataclass(frozen=True)
class SuppressionPolicy:
    """The ``suppressions`` section of the policy."""

    inline: bool = True
    locked: frozenset[str] = frozenset()
    max_days: int | None = None

    @classmethod
    def from_policy(cls, policy: Policy | None) -> "SuppressionPolicy":
        if policy is None:
            return cls()
        return cls(
            inline=policy.get("suppressions.inline", True) is not False,
            locked=frozenset(str(c).upper() for c in policy.get("suppressions.locked", None) or ()),
            max_days=policy.get("suppressions.max_days"),
        )

    def refusal(self, d: _Directive, finding: Finding, today: date) -> str | None:
        """Why ``d`` may not suppress ``finding`` today, or None."""
        if d.problem:
            return d.problem
        if not self.inline:
            return "inline suppressions are disabled by the policy (suppressions.inline: false)"
        locked = next((c for c in (finding.code, finding.family) if c in self.locked), None)
        if locked:
            return f"{locked} is locked against suppression by the policy (suppressions.locked)"
        if d.expires is not None and d.expires < today:
            return f"expired on {d.expires.isoformat()}"
        if self.max_days is not None:
            latest = today + timedelta(days=self.max_days)
            if d.expires is None:
                return (f"it has no expiry; the policy requires one at most {self.max_days} days away "
                        f"(expires={latest.isoformat()} or sooner, suppressions.max_days)")
            if d.expires > latest:
                return (f"it expires {d.expires.isoformat()}, more than {self.max_days} days away "
                        f"(at most {latest.isoformat()}, suppressions.max_days)")
        return None


@dataclass(frozen=True)
class Filtered:
    findings: tuple[Finding, ...]
    notifications: tuple[Notification, ...]


def disk_reader(root: Path) -> ReadText:
    """Read scanned files from disk, relative to the scan root, bounded."""

    base = os.fspath(root)

    def read(relpath: str) -> str | None:
        # os.open / os.read, not Path.open: the filter reads every file with findings (5,800 at 10,000 files)
        try:
            fd = os.open(os.path.join(base, relpath), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
        try:
            chunks: list[bytes] = []
            left = MAX_SOURCE_CHARS + 1
            while left > 0 and (chunk := os.read(fd, left)):
                chunks.append(chunk)
                left -= len(chunk)
        except OSError:
            return None
        finally:
            os.close(fd)
        return b"".join(chunks).decode("utf-8-sig", errors="replace")

    return read


def filter_findings(
    findings: Iterable[Finding],
    resources: Sequence[Resource],
    policy: Policy | None,
    read_text: ReadText,
    *,
    today: date | None = None,
    baseline: Any = None,
) -> Filtered:
    """Apply inline and ``Metadata`` suppressions, then the baseline.

    ``read_text(relpath)`` gives a scanned file's text (from disk, or from a
    git commit in review); only files that have findings are read. ``policy``
    is the one that governs (review passes the base commit's). ``baseline``
    is an :class:`iacgov.baseline.Baseline`; it only marks findings that are
    still active.
    """
    findings = list(findings)
    today = today or date.today()
    rules = SuppressionPolicy.from_policy(policy)
    notifications: list[Notification] = []

    by_file: dict[str, list[_Directive]] = {}
    for path in sorted({f.location.path for f in findings}):
        text = read_text(path)
        if text is None or syntax_of(path, text) is None:
            by_file[path] = []
        elif len(text) > MAX_SOURCE_CHARS:
            by_file[path] = []
            notifications.append(Notification(
                f"{path}: suppression comments not read: the file is larger than {MAX_SOURCE_CHARS // 2**20} MiB",
                Location(path), Severity.WARNING, SOURCE))
        else:
            by_file[path] = _comment_directives(path, text)
    metadata: dict[str, list[_Directive]] = {}
    for resource in resources:
        if "Metadata" in resource.meta and resource.location.path in by_file:
            found = _metadata_directives(resource)
            if found:
                metadata.setdefault(resource.address, []).extend(found)
                by_file[resource.location.path].extend(found)
    for directives in by_file.values():
        for d in directives:
            if d.problem:
                label = DIRECTIVE if d.kind == "inline" else f"Metadata.iacgov of {d.target}"
                notifications.append(Notification(
                    f"{d.location.path}:{d.location.line}: {label} not applied: {d.problem}",
                    d.location, Severity.WARNING, SOURCE))

    # Only a file with an inline directive, or a resource with Metadata ones, can suppress a finding: the
    # others (almost all of an estate's) need no look-up, and the index of every resource is made only
    # when some finding needs it.
    inline_in = {path for path, directives in by_file.items() if any(d.kind == "inline" for d in directives)}
    index: _ResourceIndex | None = None
    out: list[Finding] = []
    for finding in findings:
        if finding.suppression is None:
            if finding.location.path in inline_in or finding.address in metadata:
                if index is None:
                    index = _ResourceIndex(resources)
                finding = _apply(finding, _matching(finding, index, by_file, metadata), rules, today)
        elif finding.suppression.kind != "baseline":
            finding = _govern(finding, rules, today)
        out.append(finding)
    if baseline is not None:
        out, told = baseline.apply(out)  # marks only active findings; a version 1 file is matched conservatively
        notifications.extend(told)
    return Filtered(tuple(out), tuple(sorted(set(notifications), key=lambda n: (n.location, n.message))))


def _matching(
    finding: Finding, index: _ResourceIndex, by_file: Mapping[str, list[_Directive]],
    metadata: Mapping[str, list[_Directive]],
) -> list[_Directive]:
    """The directives attached to this finding's line, attribute or resource."""
    path = finding.location.path
    resource = index.resource_of(finding)
    lines = {finding.location.line}
    header: int | None = None
    if resource is not None:
        if resource.location.path == path:
            header = resource.location.line
        if finding.attribute:
            parts = finding.attribute.split(".")
            while parts:
                loc = resource.attribute_locations.get(".".join(parts))
                if loc is not None and loc.path == path:
                    lines.add(loc.line)
                parts.pop()
    found = []
    for d in by_file.get(path, ()):
        if d.kind != "inline" or not d.covers(finding):
            continue
        if d.lines & lines or (header is not None and (header in d.lines or header in d.opens)):
            found.append(d)
    if resource is not None:
        found.extend(d for d in metadata.get(resource.address, ())
                     if d.location.path == resource.location.path and d.covers(finding))
    return sorted(found, key=lambda d: (d.location, d.kind))


def _govern(finding: Finding, rules: SuppressionPolicy, today: date) -> Finding:
    """A suppression a plugin read in its tool's own syntax (``checkov:skip``)
    obeys the policy like an ``iacgov:ignore`` comment: reason, lock, expiry."""
    s = finding.suppression
    assert s is not None
    reason = s.reason.strip() or None
    expires, problem = _date(s.expires)
    d = _Directive(
        kind=s.kind, location=s.location or finding.location, codes=(finding.code,), reason=reason,
        expires=expires, problem=problem or (None if reason else f"no reason given ({s.source} syntax)"),
        source=s.source,
    )
    return _apply(replace(finding, suppression=None), [d], rules, today)


def _apply(finding: Finding, directives: Sequence[_Directive], rules: SuppressionPolicy, today: date) -> Finding:
    refused: list[str] = []
    for d in directives:
        why = rules.refusal(d, finding, today)
        if why is None:
            return replace(finding, suppression=Suppression(
                kind=d.kind, reason=d.reason or "", expires=d.expires.isoformat() if d.expires else None,
                source=d.source, location=d.location))
        where = f"{d.location.path}:{d.location.line}"
        refused.append(f"{where}: {why}")
    if not refused:
        return finding
    properties = dict(finding.properties)
    properties[REFUSED_PROPERTY] = refused
    note = "; ".join(refused)
    return replace(finding, message=f"{finding.message} (suppression not applied — {note})", properties=properties)
