"""Terraform's built-in functions that are pure, on :mod:`.values`.

As in Terraform, a function given an unknown argument returns an unknown
result (except those registered with ``unknown_ok``, like ``coalesce``);
unknown parts deeper inside a collection only matter to functions that look
at them (:func:`known`). Functions whose result depends on the machine or the
moment (``timestamp``, ``uuid``, ``file``...) give Unknown: iacgov never reads
a file a configuration names. ``try`` and ``can`` need their arguments
unevaluated and live in :mod:`.evaluate`.
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import json
import math
import posixpath
import re
import urllib.parse
import uuid
from typing import Any, Callable

from iacgov.limits import LimitExceeded, Limits, ValueTooLarge, check_json, check_yaml, reserve, string_items, value_items
from iacgov.model import Unknown
from iacgov.parsers.terraform.values import (
    EvalError,
    SetValue,
    equal,
    number,
    origin,
    to_bool,
    to_json,
    to_number,
    to_string,
    type_name,
    unknown_from,
)
from iacgov.placeholders import PATTERN, UnknownTemplate, has_placeholder, placeholder, restore

FUNCTIONS: dict[str, Callable[..., Any]] = {}
_UNKNOWN_OK: set[str] = set()
MAX_ITEMS = 100_000  # a generated list longer than this is an error, not a memory blow-up


class _NeedsKnown(Exception):
    """Raised by a function that met an unknown part it cannot work around;
    carries that part, so the result's reason names where it comes from."""

    def __init__(self, part: Unknown) -> None:
        super().__init__(part.reason)
        self.part = part


def function(*names: str, unknown_ok: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in names:
            FUNCTIONS[name] = fn
            if unknown_ok:
                _UNKNOWN_OK.add(name)
        return fn

    return register


def call(name: str, args: list[Any]) -> Any:
    """Call a built-in; raises EvalError where Terraform would report an error."""
    fn = FUNCTIONS.get(name)
    if fn is None:
        return Unknown(f"{name}() is not evaluated by iacgov")
    if name not in _UNKNOWN_OK:
        for arg in args:
            if isinstance(arg, Unknown):
                return unknown_from(arg, f"{name}()")
    try:
        return fn(*args)
    except _NeedsKnown as exc:
        return Unknown(f"{name}() of a value with unknown parts ({origin(exc.part.reason)})")
    except EvalError as exc:
        raise EvalError(f"{name}(): {exc}") from None
    except ValueTooLarge as exc:
        raise EvalError(f"{name}(): {exc.reason}") from None
    except (TypeError, ValueError, KeyError, IndexError, ArithmeticError, re.error, UnicodeError) as exc:
        raise EvalError(f"{name}(): {exc}") from None


def known(value: Any) -> Any:
    """``value``, for a function that must see all of it."""
    part = first_unknown(value)
    if part is not None:
        raise _NeedsKnown(part)
    return value


def first_unknown(value: Any) -> Unknown | None:
    """The first unknown part of ``value`` (depth first), or None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        items = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        found = first_unknown(item)
        if found is not None:
            return found
    return None


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise EvalError(f"a list is required, not a {type_name(value)}")
    return value


def _map(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise EvalError(f"a map is required, not a {type_name(value)}")
    return value


def _int(value: Any) -> int:
    n = to_number(value)
    if isinstance(n, float):
        if not n.is_integer():
            raise EvalError(f"{n} is not a whole number")
        n = int(n)
    return n


def _str(value: Any) -> str:
    if isinstance(value, (list, dict)) or value is None:
        raise EvalError(f"a string is required, not a {type_name(value)}")
    return to_string(value)


def _distinct(items: list[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for item in known(items):
        key = json.dumps(item, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _as_set(items: list[Any]) -> SetValue:
    """Terraform orders a set of strings (or of numbers) by value."""
    out = _distinct(items)
    if all(isinstance(x, str) for x in out):
        return SetValue(sorted(out))
    if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in out):
        return SetValue(sorted(out))
    return SetValue(out)


def _impure(reason: str, *names: str) -> None:
    for name in names:
        FUNCTIONS[name] = lambda *args, _n=name: Unknown(f"{_n}() {reason}")


_impure("is known only when applied", "timestamp", "uuid", "bcrypt")
_impure("is the time Terraform plans: not known to a scan of the configuration", "plantimestamp")
# Go's compress/flate, which Terraform's base64gzip uses, compresses differently
# from zlib: the same gzip header but other bytes, so iacgov cannot give Terraform's value.
_impure("is not evaluated: Terraform compresses with Go's compress/flate, whose bytes zlib does not "
        "reproduce", "base64gzip")
_impure("is not evaluated: iacgov never reads files named by the configuration", "file", "fileexists",
        "fileset", "filebase64", "filemd5", "filesha1", "filesha256", "filesha512", "filebase64sha256",
        "filebase64sha512", "templatefile", "abspath", "pathexpand")


# --- strings ----------------------------------------------------------------

@function("lower")
def _lower(s: Any) -> str:
    return _str(s).lower()


@function("upper")
def _upper(s: Any) -> str:
    return _str(s).upper()


@function("title")
def _title(s: Any) -> str:
    return re.sub(r"(^|[^\w'])(\w)", lambda m: m.group(1) + m.group(2).upper(), _str(s))


@function("strrev")
def _strrev(s: Any) -> str:
    return _str(s)[::-1]


@function("trimspace")
def _trimspace(s: Any) -> str:
    return _str(s).strip()


@function("trim")
def _trim(s: Any, chars: Any) -> str:
    return _str(s).strip(_str(chars))


@function("trimprefix")
def _trimprefix(s: Any, prefix: Any) -> str:
    return _str(s).removeprefix(_str(prefix))


@function("trimsuffix")
def _trimsuffix(s: Any, suffix: Any) -> str:
    return _str(s).removesuffix(_str(suffix))


@function("chomp")
def _chomp(s: Any) -> str:
    return _str(s).rstrip("\r\n")  # not re.sub(r"(\r?\n)+$"): quadratic on a long run of newlines mid-text


@function("indent")
def _indent(n: Any, s: Any) -> str:
    text, width = _str(s), min(max(_int(n), 0), 1000)
    reserve(string_items(len(text) + text.count("\n") * width), "indent()")
    return text.replace("\n", "\n" + " " * width)


@function("startswith")
def _startswith(s: Any, prefix: Any) -> bool:
    return _str(s).startswith(_str(prefix))


@function("endswith")
def _endswith(s: Any, suffix: Any) -> bool:
    return _str(s).endswith(_str(suffix))


@function("strcontains")
def _strcontains(s: Any, sub: Any) -> bool:
    return _str(sub) in _str(s)


@function("substr")
def _substr(s: Any, offset: Any, length: Any) -> str:
    text, start, size = _str(s), _int(offset), _int(length)
    if start < 0:
        start = max(len(text) + start, 0)
    return text[start:] if size < 0 else text[start : start + size]


@function("split")
def _split(sep: Any, s: Any) -> list[str]:
    text = _str(s)
    return [] if text == "" else text.split(_str(sep))


@function("join")
def _join(sep: Any, *lists: Any) -> Any:
    items = [x for lst in lists for x in _list(lst)]
    separator = _str(sep)
    reserve(string_items(len(separator) * max(len(items) - 1, 0)
                         + sum(len(x) if isinstance(x, str) else 24 for x in items)), "the joined string")
    part = next((x for x in items if isinstance(x, Unknown)), None)
    if part is not None:
        text = _str(sep).join(placeholder(x) if isinstance(x, Unknown) else _str(x) for x in items)
        return UnknownTemplate(f"join() of a list with unknown elements ({origin(part.reason)})", text=text)
    return _str(sep).join(_str(x) for x in items)


# Terraform matches with RE2, in linear time; Python's engines backtrack. The
# ``regex`` module (already a dependency of python-hcl2 and cfn-lint) avoids
# most catastrophic cases and takes a timeout for the rest: a pattern a
# provider wrote to stall the scan costs one unknown value, not the module.
REGEX_SECONDS = 1.0


MAX_REPEAT = 1000  # RE2's (and so Terraform's) largest repetition count
MAX_PATTERN_SIZE = 100_000  # atoms once counted repetitions are unrolled: RE2 refuses far smaller programs


def check_pattern(pattern: str) -> None:
    """Refuse, before compiling, a pattern whose counted repetitions would make
    a huge program (``regex`` unrolls ``a{1000000000}``: 7.5 GB). A bounded
    scan, linear in the pattern: a count above 1000 is invalid in RE2 as in
    Terraform, and nested counts are multiplied."""
    sizes = [0]  # atoms of each open group
    last = 0  # atoms of the item a quantifier would apply to
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            last = 1
        elif c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            last = 1
        elif c == "(":
            sizes.append(0)
            i += 1
            last = 0
            continue
        elif c == ")":
            last = sizes.pop() if len(sizes) > 1 else 0
            i += 1
        elif c == "{":
            m = _COUNT.match(pattern, i)
            if m is None:
                i += 1
                last = 1
            else:
                digits = [g for g in m.groups() if g]
                if max(len(d) for d in digits) > 6 or max(int(d) for d in digits) > MAX_REPEAT:
                    raise EvalError(f"invalid regular expression: a repetition count {max(digits, key=len)} "
                                    f"is more than {MAX_REPEAT:,} (RE2's limit, which Terraform uses)")
                counts = [int(d) for d in digits]
                extra = last * (max(counts) - 1)
                sizes[-1] += extra
                last += extra
                i = m.end()
                if sizes[-1] > MAX_PATTERN_SIZE:
                    break
                continue
        elif c in "*+?|":
            i += 1
            continue
        else:
            i += 1
            last = 1
        sizes[-1] += last if c != ")" else last
        if sizes[-1] > MAX_PATTERN_SIZE:
            break
    if sum(sizes) > MAX_PATTERN_SIZE:
        raise EvalError(f"invalid regular expression: its repetitions expand to more than {MAX_PATTERN_SIZE:,} "
                        "atoms (RE2, which Terraform uses, refuses patterns this large)")


_COUNT = re.compile(r"\{(\d+)(?:,(\d*))?\}")


class _Regex:
    """A compiled RE2-syntax pattern whose every use is bounded in time, and
    whose compilation is bounded in size (:func:`check_pattern`)."""

    def __init__(self, pattern: str) -> None:
        import regex  # imported on first use: 20 ms a scan without regex functions does not pay

        check_pattern(pattern)
        self._error = regex.error
        try:  # regex reads RE2's (?P<name>) and (?<name>) alike; \z is its \Z
            self.compiled = regex.compile(pattern.replace(r"\z", r"\Z"))
        except regex.error as exc:
            raise EvalError(f"invalid regular expression: {exc}") from None

    def _bounded(self, run: Callable[[], Any]) -> Any:
        try:
            return run()
        except (self._error, IndexError) as exc:  # a replacement naming a group the pattern does not have
            raise EvalError(f"invalid replacement: {exc.args[0] if exc.args else exc}") from None
        except TimeoutError:
            raise EvalError(f"the regular expression takes longer than {REGEX_SECONDS:g} s on this text "
                            "(RE2, which Terraform uses, would not): not evaluated") from None

    def search(self, text: str) -> Any:
        return self._bounded(lambda: self.compiled.search(text, timeout=REGEX_SECONDS))

    def findall(self, text: str) -> list[Any]:
        def run() -> list[Any]:
            matches = []
            for m in self.compiled.finditer(text, timeout=REGEX_SECONDS):
                matches.append(m)
                if len(matches) % 1024 == 0:  # each match becomes a value with its groups
                    reserve(len(matches) * (1 + self.compiled.groups), "regexall()'s result", charge=False)
            reserve(len(matches) * (1 + self.compiled.groups), "regexall()'s result")
            return matches

        return self._bounded(run)

    def sub(self, replacement: str, text: str) -> str:
        """``text`` with each match replaced, its length accounted as it grows."""
        added = 0

        def expand(m: Any) -> str:
            nonlocal added
            piece = m.expand(replacement)
            added += len(piece)
            if added > len(text):
                reserve(string_items(len(text) + added), "replace()'s result", charge=False)
            return piece

        result = self._bounded(lambda: self.compiled.sub(expand, text, timeout=REGEX_SECONDS))
        reserve(string_items(len(result)), "replace()'s result")
        return result


def _go_regex(pattern: str) -> _Regex:
    return _Regex(pattern)


@function("replace")
def _replace(s: Any, search: Any, repl: Any) -> str:
    text, pattern, replacement = _str(s), _str(search), _str(repl)
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        py_repl = re.sub(r"\$(\d+)|\$\{(\w+)\}", lambda m: rf"\g<{m.group(1) or m.group(2)}>",
                         replacement.replace("\\", "\\\\"))
        return _go_regex(pattern[1:-1]).sub(py_repl, text)
    if len(replacement) > len(pattern):
        reserve(string_items(len(text) + text.count(pattern) * (len(replacement) - len(pattern))), "replace()'s result")
    return text.replace(pattern, replacement)


def _match_value(m: Any) -> Any:
    if m.re.groupindex:
        return {name: m.group(name) or "" for name in m.re.groupindex}
    if m.re.groups:
        return [g or "" for g in m.groups()]
    return m.group(0)


@function("regex")
def _regex(pattern: Any, s: Any) -> Any:
    m = _go_regex(_str(pattern)).search(_str(s))
    if m is None:
        raise EvalError("pattern did not match")
    return _match_value(m)


@function("regexall")
def _regexall(pattern: Any, s: Any) -> list[Any]:
    return [_match_value(m) for m in _go_regex(_str(pattern)).findall(_str(s))]


_VERB = re.compile(r"%(?:\[(\d+)\])?([-+ #0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


@function("format")
def _format(fmt: Any, *args: Any) -> str:
    """Go-style verbs: %s %v %q %d %f %e %g %t %x %X %o %b, flags, width, precision, [n]."""
    position = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal position
        explicit, flags, width, precision, verb = m.groups()
        if verb == "%":
            return "%"
        if width and int(width) > 1000:
            raise EvalError("format width too large")
        if precision and verb not in "sv":  # %.999999999f: a billion digits, sized before they are made
            reserve(string_items(int(precision) + 330), "the formatted number")
        if explicit:
            position = int(explicit) - 1
        if position >= len(args):
            raise EvalError("not enough arguments for the format string")
        value = known(args[position])
        position += 1
        if verb in "sv":
            if isinstance(value, (list, dict)):
                reserve(value_items(value), "the formatted value")
            text = to_json(value) if isinstance(value, (list, dict)) else ("null" if value is None else _str(value))
            if precision:
                text = text[: int(precision)]
            spec = f"{'<' if '-' in flags else '>'}{width or ''}"
            return format(text, spec)
        if verb == "q":
            return json.dumps(_str(value), ensure_ascii=False)
        if verb == "t":
            return "true" if to_bool(value) else "false"
        align = "<" if "-" in flags else ""
        sign = "+" if "+" in flags else (" " if " " in flags else "")
        zero = "0" if "0" in flags and not align else ""
        alt = "#" if "#" in flags and verb in "xXob" else ""
        prec = f".{precision}" if precision is not None else ""
        n = to_number(value)
        if verb in "dxXob":
            spec = f"{align}{sign}{alt}{zero}{width or ''}{'d' if verb == 'd' else verb}"
            return format(_int(n), spec)
        if verb in "feEgG":
            default_prec = ".6" if verb in "feE" else ""
            return format(float(n), f"{align}{sign}{zero}{width or ''}{prec or default_prec}{verb}")
        raise EvalError(f"unsupported format verb %{verb}")

    text = _str(fmt)
    pieces = []
    cursor = size = 0
    for m in _VERB.finditer(text):  # the result's length accounted as it grows, not once it is made
        piece = repl(m)
        pieces += [text[cursor:m.start()], piece]
        cursor = m.end()
        size += len(piece)
        if size > len(text):
            reserve(string_items(size + len(text)), "format()'s result", charge=False)
    pieces.append(text[cursor:])
    result = "".join(pieces)
    reserve(string_items(len(result)), "format()'s result")
    return result


@function("formatlist")
def _formatlist(fmt: Any, *args: Any) -> list[str]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvalError("all list arguments must have the same length")
    count = lengths.pop() if lengths else 1
    reserve(count * string_items(len(_str(fmt))), "formatlist()'s result")
    return [_format(fmt, *[a[i] if isinstance(a, list) else a for a in args]) for i in range(count)]


_UUID_NAMESPACES = {"dns": uuid.NAMESPACE_DNS, "url": uuid.NAMESPACE_URL, "oid": uuid.NAMESPACE_OID,
                    "x500": uuid.NAMESPACE_X500}


@function("uuidv5")
def _uuidv5(namespace: Any, name: Any) -> str:
    """A name-based UUID: the same for the same namespace and name, so known at plan time
    (https://developer.hashicorp.com/terraform/language/functions/uuidv5)."""
    ns = _str(namespace)
    space = _UUID_NAMESPACES.get(ns)
    if space is None:
        try:
            space = uuid.UUID(ns)
        except ValueError:
            raise EvalError(f"namespace {ns!r} is neither dns, url, oid, x500 nor a UUID") from None
    return str(uuid.uuid5(space, _str(name)))


@function("basename")
def _basename(path: Any) -> str:
    text = _str(path).rstrip("/")
    return posixpath.basename(text) or ("/" if _str(path).startswith("/") else ".")


@function("dirname")
def _dirname(path: Any) -> str:
    text = _str(path)
    return posixpath.dirname(text.rstrip("/") or text) or "."


@function("urlencode")
def _urlencode(s: Any) -> str:
    reserve(string_items(len(_str(s)) * 3), "urlencode()'s result")
    return urllib.parse.quote_plus(_str(s), safe="")


@function("base64encode")
def _base64encode(s: Any) -> str:
    reserve(string_items(len(_str(s)) * 2), "base64encode()'s result")  # 4/3 of its UTF-8 bytes
    return base64.b64encode(_str(s).encode()).decode()


@function("base64decode")
def _base64decode(s: Any) -> str:
    return base64.b64decode(_str(s), validate=True).decode("utf-8")


def _hash(name: str, b64: bool) -> Callable[[Any], str]:
    def digest(s: Any) -> str:
        import hashlib  # here: OpenSSL's binding is loaded only by a configuration that hashes

        h = hashlib.new(name, _str(s).encode())
        return base64.b64encode(h.digest()).decode() if b64 else h.hexdigest()

    return digest


for _algorithm in ("md5", "sha1", "sha256", "sha512"):
    function(_algorithm)(_hash(_algorithm, b64=False))
    if _algorithm in ("sha256", "sha512"):
        function(f"base64{_algorithm}")(_hash(_algorithm, b64=True))


# --- encoding ---------------------------------------------------------------

@function("jsonencode")
def _jsonencode(value: Any) -> str:
    """Unknown parts become placeholders (:mod:`iacgov.placeholders`)."""
    reserve(value_items(value), "jsonencode()'s result")  # shared parts are written out each time
    return to_json(value)


@function("jsondecode")
def _jsondecode(s: Any) -> Any:
    text = _str(s)
    _bounded_document(check_json, text)
    reserve(string_items(len(text)) * 2, "jsondecode()'s result")
    return restore(json.loads(text, parse_float=lambda t: number(float(t))))


@function("yamldecode")
def _yamldecode(s: Any) -> Any:
    import yaml

    text = _str(s)
    _bounded_document(check_yaml, text)  # nesting, and aliases counted before anything is built
    reserve(string_items(len(text)) * 2, "yamldecode()'s result")
    try:
        documents = list(yaml.load_all(text, Loader=_yaml_loader()))
    except yaml.YAMLError as exc:
        raise EvalError(f"invalid YAML: {_first_line(exc)}") from None
    if len(documents) > 1:
        raise EvalError("the string holds more than one YAML document")
    return restore(_yaml_value(documents[0] if documents else None))


@function("csvdecode")
def _csvdecode(s: Any) -> list[dict[str, str]]:
    """Rows as objects keyed by the header line, every value a string, as
    go-cty's csvdecode reads them with Go's encoding/csv (RFC 4180): blank
    lines are skipped, every record has the header's number of fields, a
    column name may not repeat, a quote inside an unquoted field is an error
    (https://developer.hashicorp.com/terraform/language/functions/csvdecode)."""
    text = _str(s)
    reserve(string_items(len(text)) * 2, "csvdecode()'s result")
    records = _go_csv(text)
    if not records:
        raise EvalError("missing header line")
    header = records[0][1]
    if len(set(header)) != len(header):
        name = next(n for i, n in enumerate(header) if n in header[:i])
        raise EvalError(f"duplicate column name {json.dumps(name)}")
    reserve(len(records) * (1 + len(header)), "csvdecode()'s result")
    rows = []
    for line, row in records[1:]:
        if len(row) != len(header):
            raise EvalError(f"CSV parse error on line {line}: wrong number of fields")
        rows.append(dict(zip(header, row)))
    return rows


def _go_csv(text: str) -> list[tuple[int, list[str]]]:
    """Records (with the line each starts on) as Go's encoding/csv Reader
    reads them with its defaults (reader.go's readRecord): a "\r\n" ending a
    line is "\n", a line holding only its newline is skipped, a field starting
    with a quote runs to the closing quote ("" escaping one). Positions, not
    slices, so that a long line costs linear time."""
    lines = _go_lines(text)
    if lines and lines[-1].endswith("\r"):  # Go drops a "\r" before the end of the text
        lines[-1] = lines[-1][:-1]
    records: list[tuple[int, list[str]]] = []
    n = 0
    while n < len(lines):
        line, start = lines[n], n + 1
        n += 1
        if line in ("\n", ""):
            continue
        fields: list[str] = []
        pos, done = 0, False
        while not done:
            if not line.startswith('"', pos):
                comma = line.find(",", pos)
                field = line[pos:comma] if comma >= 0 else line[pos:].rstrip("\n")
                if '"' in field:
                    raise EvalError(f'CSV parse error on line {n}: bare " in non-quoted-field')
                fields.append(field)
                pos, done = comma + 1, comma < 0
                continue
            pos += 1
            parts: list[str] = []
            while True:
                quote = line.find('"', pos)
                if quote < 0:
                    if n >= len(lines):
                        raise EvalError(f'CSV parse error on line {n}: extraneous or missing " in quoted-field')
                    parts.append(line[pos:])  # the quoted field goes on to the next line
                    line, pos = lines[n], 0
                    n += 1
                    continue
                parts.append(line[pos:quote])
                pos = quote + 1
                if line.startswith('"', pos):
                    parts.append('"')
                    pos += 1
                elif line.startswith(",", pos):
                    pos += 1
                    break
                elif line[pos:] in ("\n", ""):
                    done = True
                    break
                else:
                    raise EvalError(f'CSV parse error on line {n}: extraneous or missing " in quoted-field')
            fields.append("".join(parts))
        records.append((start, fields))
    return records


def _go_lines(text: str) -> list[str]:
    """Lines ending at "\n" only: Go does not end a line at a lone "\r"."""
    out = [line + "\n" for line in text.split("\n")]
    out[-1] = out[-1][:-1]
    if out[-1] == "":
        out.pop()
    return [line[:-2] + "\n" if line.endswith("\r\n") else line for line in out]


@function("yamlencode")
def _yamlencode(value: Any) -> str:
    """YAML as Terraform writes it (go-cty-yaml's marshal, a libyaml emitter;
    https://developer.hashicorp.com/terraform/language/functions/yamlencode):
    block style, keys sorted, strings double-quoted (a literal block when they
    hold a newline), numbers and bools plain; PyYAML's emitter is the same
    libyaml algorithm, so the events are handed to it."""
    import yaml

    reserve(value_items(value), "yamlencode()'s result")
    events: list[Any] = [yaml.StreamStartEvent(), yaml.DocumentStartEvent(explicit=False)]
    _yaml_events(known(value), events)
    events += [yaml.DocumentEndEvent(explicit=False), yaml.StreamEndEvent()]
    return yaml.emit(events, Dumper=_go_yaml_dumper(), allow_unicode=True)


_GO_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r",
               "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\u2028": "L", "\u2029": "P"}


def _go_printable(ch: str) -> bool:
    return ch == "\n" or "\x20" <= ch <= "\x7e" or "\xa0" <= ch <= "\ud7ff" or ("\ue000" <= ch <= "\ufffd"
                                                                          and ch != "\ufeff")


def _write_double_quoted(self: Any, text: str, split: bool = True) -> None:
    """libyaml's yaml_emitter_write_double_quoted_scalar as go-cty-yaml has it
    (emitterc.go): a long string is folded at the first space past the width,
    the space becoming the line break, where PyYAML's port ends the line with
    a backslash and escapes the space."""
    self.write_indicator('"', True)
    pending: list[str] = []
    column = self.column
    spaces = False
    for i, ch in enumerate(text):
        if not _go_printable(ch) or ch in '"\\\n\r\x85\u2028\u2029\ufeff':
            code = _GO_ESCAPES.get(ch)
            if code is None:
                n = ord(ch)
                code = f"x{n:02X}" if n <= 0xFF else f"u{n:04X}" if n <= 0xFFFF else f"U{n:08X}"
            pending.append("\\" + code)
            column += 1 + len(code)
            spaces = False
        elif ch == " " and split and not spaces and column > self.best_width and 0 < i < len(text) - 1:
            self.stream.write("".join(pending))
            pending.clear()
            self.column = column
            self.write_indent()
            column = self.column
            if text[i + 1] == " ":
                pending.append("\\")
                column += 1
            spaces = True
        else:
            pending.append(ch)
            column += 1
            spaces = ch == " "
    self.stream.write("".join(pending))
    self.column = column
    self.write_indicator('"', False)


_GO_DUMPER: list[Any] = []


def _go_yaml_dumper() -> Any:
    if not _GO_DUMPER:
        import yaml

        _GO_DUMPER.append(type("GoYamlDumper", (yaml.Dumper,), {"write_double_quoted": _write_double_quoted}))
    return _GO_DUMPER[0]


def _yaml_events(value: Any, out: list[Any]) -> None:
    import yaml

    if isinstance(value, dict):
        out.append(yaml.MappingStartEvent(None, None, True, flow_style=False))
        for key in sorted(value):
            out.append(yaml.ScalarEvent(None, None, (True, True), key, style='"'))
            _yaml_events(value[key], out)
        out.append(yaml.MappingEndEvent())
    elif isinstance(value, list):
        out.append(yaml.SequenceStartEvent(None, None, True, flow_style=False))
        for item in value:
            _yaml_events(item, out)
        out.append(yaml.SequenceEndEvent())
    elif isinstance(value, str):
        out.append(yaml.ScalarEvent(None, None, (True, True), value, style="|" if "\n" in value else '"'))
    else:
        text = "null" if value is None else _decimal_text(value) if not isinstance(value, bool) else to_string(value)
        out.append(yaml.ScalarEvent(None, None, (True, True), text, style=None))


def _decimal_text(n: Any) -> str:
    """A number as Go's big.Float Text('f', -1): positional, never an exponent."""
    import decimal

    if isinstance(n, int):
        return str(n)
    text = format(decimal.Decimal(repr(n)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# Encodings whose byte order mark or byte order Python chooses otherwise than Go's IANA index.
_AMBIGUOUS_ENCODINGS = frozenset({"utf_16", "utf_32"})


def _text_codec(name: Any) -> str:
    import codecs

    label = _str(name)
    try:
        info = codecs.lookup(label)
    except LookupError:
        info = None
    if (info is None or not getattr(info, "_is_text_encoding", True)
            or info.name.replace("-", "_") in _AMBIGUOUS_ENCODINGS):
        raise _NotEvaluated(f"the encoding {label!r} is not one iacgov can reproduce")
    return info.name


class _NotEvaluated(Exception):
    """A value iacgov cannot compute as Terraform would, though Terraform may: an unknown, not an error."""


@function("textencodebase64")
def _textencodebase64(s: Any, encoding: Any) -> Any:
    """https://developer.hashicorp.com/terraform/language/functions/textencodebase64"""
    text = _str(s)
    try:
        codec = _text_codec(encoding)
    except _NotEvaluated as exc:
        return Unknown(f"textencodebase64(): {exc}")
    reserve(string_items(len(text) * 6), "textencodebase64()'s result")
    try:
        data = text.encode(codec)
    except UnicodeError:
        raise EvalError("the given string contains characters that cannot be represented in "
                        f"{_str(encoding)}") from None
    return base64.b64encode(data).decode()


@function("textdecodebase64")
def _textdecodebase64(s: Any, encoding: Any) -> Any:
    """https://developer.hashicorp.com/terraform/language/functions/textdecodebase64"""
    try:
        codec = _text_codec(encoding)
    except _NotEvaluated as exc:
        return Unknown(f"textdecodebase64(): {exc}")
    try:
        data = base64.b64decode(_str(s), validate=True)
    except ValueError:
        raise EvalError("the given value is has an invalid base64 symbol") from None
    try:
        return data.decode(codec)
    except UnicodeError:
        raise EvalError(f"the given string contains symbols that are not defined for {_str(encoding)}") from None


def _bounded_document(check: Callable[[str, Limits], None], text: str) -> None:
    try:
        check(text, Limits())
    except LimitExceeded as exc:
        raise EvalError(exc.reason.removesuffix(": not read")) from None


_YAML_LOADER: list[Any] = []


def _yaml_loader() -> Any:
    """A safe loader that reads timestamps as the strings they are (Terraform's
    yamldecode has no date type); made once."""
    if not _YAML_LOADER:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        loader = type("TerraformYamlLoader", (base,), {})
        loader.yaml_implicit_resolvers = {
            first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in base.yaml_implicit_resolvers.items()
        }
        _YAML_LOADER.append(loader)
    return _YAML_LOADER[0]


def _yaml_value(value: Any) -> Any:
    """YAML's values as Terraform's: keys are strings, binary and other scalars their text."""
    if isinstance(value, dict):
        return {_yaml_key(k): _yaml_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_yaml_value(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return number(value)
    return str(value)


def _yaml_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return to_string(key) if key is not None else "null"
    raise EvalError(f"a YAML mapping key must be a scalar, not {type(key).__name__}")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- dates: pure given a literal timestamp (only timestamp() reads the clock) -----

_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})")
_NS = 1_000_000_000


class _Time:
    """An RFC 3339 timestamp: its instant in nanoseconds and its UTC offset in seconds."""

    __slots__ = ("ns", "offset")

    def __init__(self, ns: int, offset: int) -> None:
        self.ns, self.offset = ns, offset

    def local(self) -> Any:
        import datetime

        return datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=(self.ns // _NS) + self.offset)


def _parse_time(value: Any) -> _Time:
    """Go's time.Parse(time.RFC3339, ...), which Terraform's time functions use."""
    import calendar
    import datetime

    text = _str(value)
    m = _RFC3339.fullmatch(text)
    if m is None:
        raise EvalError(f"not a valid RFC3339 timestamp: {text!r}")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        datetime.datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise EvalError(f"not a valid RFC3339 timestamp: {exc}") from None
    zone = m.group(8)
    offset = 0 if zone == "Z" else (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    if zone != "Z" and (int(zone[1:3]) > 23 or int(zone[4:6]) > 59):
        raise EvalError(f"not a valid RFC3339 timestamp: UTC offset {zone} out of range")
    fraction = int((m.group(7) or "").ljust(9, "0"))
    seconds = calendar.timegm((year, month, day, hour, minute, second)) - offset
    return _Time(seconds * _NS + fraction, offset)


_DURATION_UNITS = {"ns": 1, "us": 1000, "\u00b5s": 1000, "\u03bcs": 1000, "ms": 10**6, "s": _NS,
                   "m": 60 * _NS, "h": 3600 * _NS}
_DURATION_PART = re.compile(r"(\d*)(?:\.(\d*))?([^\d.]*)")


def _parse_duration(value: Any) -> int:
    """Go's time.ParseDuration ("1h30m", "-2.5s", "300ms"), in nanoseconds."""
    from fractions import Fraction

    text = original = _str(value)
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-") if text[:1] in "+-" else text
    if text == "0":
        return 0
    if not text:
        raise EvalError(f'time: invalid duration "{original}"')
    total = Fraction(0)
    pos = 0
    while pos < len(text):
        m = _DURATION_PART.match(text, pos)
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        if not whole and not frac:
            raise EvalError(f'time: invalid duration "{original}"')
        if not unit:
            raise EvalError(f'time: missing unit in duration "{original}"')
        if unit not in _DURATION_UNITS:
            raise EvalError(f'time: unknown unit "{unit}" in duration "{original}"')
        number = Fraction(int(whole or "0")) + (Fraction(int(frac), 10 ** len(frac)) if frac else 0)
        total += int(number * _DURATION_UNITS[unit])  # Go truncates each part to whole nanoseconds
        pos = m.end()
    if total >= 2**63:
        raise EvalError(f'time: invalid duration "{original}"')
    return sign * int(total)


def _rfc3339(t: _Time) -> str:
    """Go's Format(time.RFC3339): whole seconds, "Z" for UTC, else the offset."""
    text = t.local().strftime("%Y-%m-%dT%H:%M:%S")
    if t.offset == 0:
        return text + "Z"
    sign, minutes = ("+" if t.offset > 0 else "-"), abs(t.offset) // 60
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@function("timeadd")
def _timeadd(timestamp: Any, duration: Any) -> str:
    """https://developer.hashicorp.com/terraform/language/functions/timeadd"""
    t = _parse_time(timestamp)
    return _rfc3339(_Time(t.ns + _parse_duration(duration), t.offset))


@function("timecmp")
def _timecmp(a: Any, b: Any) -> int:
    """https://developer.hashicorp.com/terraform/language/functions/timecmp: the instants compared."""
    x, y = _parse_time(a).ns, _parse_time(b).ns
    return (x > y) - (x < y)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@function("formatdate")
def _formatdate(spec: Any, timestamp: Any) -> str:
    """The letters of https://developer.hashicorp.com/terraform/language/functions/formatdate
    (go-cty's FormatDateFunc): YYYY YY MMMM MMM MM M DD D EEEE EEE hh h HH H AA aa mm m ss s
    ZZZZZ ZZZZ ZZZ Z; 'quoted' letters are literal, '' a quote; other letters are an error."""
    fmt, t = _str(spec), _parse_time(timestamp)
    local = t.local()
    reserve(string_items(len(fmt) * 6), "formatdate()'s result")  # "Z" may become "+05:30"
    out = []
    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c == "'":
            if fmt.startswith("''", i):
                out.append("'")
                i += 2
                continue
            j, literal = i + 1, []
            while j < n and not (fmt[j] == "'" and not fmt.startswith("''", j)):
                literal.append(fmt[j])
                j += 2 if fmt.startswith("''", j) else 1
            if j >= n:
                raise EvalError("unterminated literal '")
            out.append("".join(literal))
            i = j + 1
        elif c.isascii() and c.isalpha():
            j = i
            while j < n and fmt[j] == c:
                j += 1
            out.append(_date_verb(fmt[i:j], local, t.offset))
            i = j
        else:
            j = i
            while j < n and fmt[j] != "'" and not (fmt[j].isascii() and fmt[j].isalpha()):
                j += 1
            out.append(fmt[i:j])
            i = j
    return "".join(out)


_VERB_FORMS = {"Y": 'year must either be "YY" or "YYYY"', "M": 'month must be "M", "MM", "MMM", or "MMMM"',
               "D": 'day of month must either be "D" or "DD"', "E": 'day of week must either be "EEE" or "EEEE"',
               "h": '24-hour must either be "h" or "hh"', "H": '12-hour must either be "H" or "HH"',
               "A": 'must be "AA"', "a": 'must be "aa"', "m": 'minute must either be "m" or "mm"',
               "s": 'second must either be "s" or "ss"', "Z": "timezone must be Z, ZZZZ, or ZZZZZ"}


def _date_verb(tok: str, t: Any, offset: int) -> str:
    c, n = tok[0], len(tok)
    hour12 = t.hour % 12 or 12
    numeric = {"M": t.month, "D": t.day, "h": t.hour, "H": hour12, "m": t.minute, "s": t.second}
    if c == "Y" and n in (2, 4):
        return f"{t.year % 100:02d}" if n == 2 else f"{t.year:04d}"
    if c in numeric and n in (1, 2):
        return f"{numeric[c]:0{n}d}"
    if c == "M" and n in (3, 4):
        return _MONTHS[t.month - 1][: 3 if n == 3 else None]
    if c == "E" and n in (3, 4):
        return _WEEKDAYS[t.weekday()][: 3 if n == 3 else None]
    if c in "Aa" and n == 2:
        marker = "AM" if t.hour < 12 else "PM"
        return marker if c == "A" else marker.lower()
    if c == "Z" and n in (1, 3, 4, 5):
        sign, minutes = ("-" if offset < 0 else "+"), abs(offset) // 60
        hh, mm = minutes // 60, minutes % 60
        if n == 1:
            return "Z" if offset == 0 else f"{sign}{hh:02d}:{mm:02d}"
        if n == 3:
            return "UTC" if offset == 0 else f"{sign}{hh:02d}{mm:02d}"
        return f"{sign}{hh:02d}{mm:02d}" if n == 4 else f"{sign}{hh:02d}:{mm:02d}"
    form = _VERB_FORMS.get(c)
    raise EvalError(f"invalid date format verb {json.dumps(tok)}" + (f": {form}" if form else ""))


# --- collections --------------------------------------------------------------

@function("length")
def _length(value: Any) -> int:
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise EvalError(f"a {type_name(value)} has no length")


@function("concat")
def _concat(*lists: Any) -> list[Any]:
    reserve(sum(len(_list(lst)) for lst in lists), "concat()'s result")
    return [x for lst in lists for x in _list(lst)]


@function("merge")
def _merge(*maps: Any) -> dict[str, Any]:
    reserve(sum(len(_map(m)) for m in maps if m is not None), "merge()'s result")
    out: dict[str, Any] = {}
    for m in maps:
        if m is not None:
            out.update(_map(m))
    return out


@function("lookup")
def _lookup(m: Any, key: Any, *default: Any) -> Any:
    mapping, k = _map(m), _str(key)
    if k in mapping:
        return mapping[k]
    if default:
        return default[0]
    raise EvalError(f"no key {k!r} and no default")


@function("element")
def _element(lst: Any, index: Any) -> Any:
    items = _list(lst)
    if not items:
        raise EvalError("element() of an empty list")
    return items[_int(index) % len(items)]


@function("index")
def _index(lst: Any, value: Any) -> int:
    for i, item in enumerate(_list(lst)):
        if not isinstance(item, Unknown) and equal(item, known(value)):
            return i
    known(lst)
    raise EvalError("value not found")


@function("keys")
def _keys(m: Any) -> list[str]:
    return sorted(_map(m))


@function("values")
def _values(m: Any) -> list[Any]:
    mapping = _map(m)
    return [mapping[k] for k in sorted(mapping)]


@function("zipmap")
def _zipmap(keys: Any, values: Any) -> dict[str, Any]:
    ks, vs = known(_list(keys)), _list(values)
    if len(ks) != len(vs):
        raise EvalError("keys and values differ in length")
    return {_str(k): v for k, v in zip(ks, vs)}


@function("flatten")
def _flatten(lst: Any) -> list[Any]:
    reserve(value_items(_list(lst)), "flatten()'s result")  # a list of shared lists: their leaves, each time
    return _flatten_known(lst)


def _flatten_known(lst: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list(lst):
        # Terraform needs only the lists inside known; an unknown string template is no list
        if isinstance(item, Unknown) and not isinstance(item, UnknownTemplate):
            raise _NeedsKnown(item)
        out.extend(_flatten_known(item) if isinstance(item, list) else [item])
    return out


@function("distinct")
def _distinct_fn(lst: Any) -> list[Any]:
    items = _list(lst)
    if first_unknown(items) is None:
        return _distinct(items)
    return _distinct_partly_known(items)


MAX_DISTINCT_COMPARED = 500  # elements of a distinct() with unknown parts compared pair by pair


def _distinct_partly_known(items: list[Any]) -> list[Any]:
    """``distinct()`` of a list with unknown parts (a subscription ID inside
    each element's resource ID), when what it keeps does not depend on them.

    Rule of soundness: an unknown part stands for a value Terraform knows when
    it plans (a variable, a data source), and the result must be the same
    whatever that value is. An element is dropped only when it is wholly known
    and equal to an earlier one; it is kept only when it *differs* from every
    element kept before it whatever the unknown parts turn out to be
    (:func:`definitely_different`: a known leaf of one type with another known
    value at the same place, known text around the placeholders that cannot
    match). Any other pair (an element wholly unknown, two strings that only
    differ inside unknown parts, objects with different attributes that
    conversion could reconcile, lists with unknown parts) could merge or not:
    then the list's length is not known and the result stays unknown. So does
    a list longer than :data:`MAX_DISTINCT_COMPARED` (each pair is compared)."""
    if len(items) > MAX_DISTINCT_COMPARED:
        raise _NeedsKnown(first_unknown(items) or Unknown("an unknown value"))
    out: list[Any] = []
    known_kept: list[Any] = []  # the wholly known elements of out
    for item in items:
        known = _wholly_known(item)
        if known and any(equal(kept, item) for kept in known_kept):
            continue
        if not all(definitely_different(kept, item) for kept in out):
            raise _NeedsKnown(first_unknown(items) or Unknown("an unknown value"))  # the list's first unknown part
        out.append(item)
        if known:
            known_kept.append(item)
    return out


def definitely_different(a: Any, b: Any) -> bool:
    """Whether ``a == b`` is false whatever values the unknown parts of ``a``
    and ``b`` take. False when it cannot be told (never a guess)."""
    if a is None or b is None:  # null equals only null, and conversion keeps it null
        other = b if a is None else a
        return other is not None and (isinstance(other, UnknownTemplate) or not isinstance(other, Unknown))
    if _partly_unknown_text(a) or _partly_unknown_text(b):
        return _texts_differ(a, b)  # a template is a string, never null
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return False
    if isinstance(a, list) and isinstance(b, list):
        # a set(...) value with unknown elements is held as the list it was converted from (values.as_set):
        # its length and order are not the set's, so only wholly known lists are compared
        return _wholly_known(a) and _wholly_known(b) and not equal(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and any(definitely_different(a[k], b[k]) for k in a)
    if type(a) is type(b) or (_is_number(a) and _is_number(b)):  # "1" and 1 convert to one type: not compared
        return not equal(a, b)
    return False


def _partly_unknown_text(value: Any) -> bool:
    """A template with unknown parts, or a string with placeholders in it
    (``jsonencode()`` of a value with unknown parts)."""
    return isinstance(value, UnknownTemplate) or (isinstance(value, str) and has_placeholder(value))


def _wholly_known(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_wholly_known(v) for v in value.values())
    if isinstance(value, list):
        return all(_wholly_known(v) for v in value)
    return not isinstance(value, Unknown) and not _partly_unknown_text(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _texts_differ(a: Any, b: Any) -> bool:
    """Two strings, one at least with unknown parts, that cannot be equal: the
    known text before the first placeholder, or after the last, disagrees.
    (Known text that itself looks like a placeholder only shortens what is
    compared, so the answer stays sound.)"""
    ends = []
    for value in (a, b):
        if isinstance(value, UnknownTemplate):
            ends.append(_known_ends(value.text))
        elif isinstance(value, str):
            ends.append(_known_ends(value))
        else:
            return False  # a wholly unknown value, a number...: it could convert to the other
    (pa, sa), (pb, sb) = ends
    prefix_clash = not (pa.startswith(pb) or pb.startswith(pa))
    suffix_clash = not (sa.endswith(sb) or sb.endswith(sa))
    return prefix_clash or suffix_clash


@functools.lru_cache(maxsize=4096)  # each element's text is compared with every other's
def _known_ends(text: str) -> tuple[str, str]:
    """The known text before the first placeholder and after the last one."""
    matches = list(PATTERN.finditer(text))
    if not matches:
        return text, text
    return text[: matches[0].start()], text[matches[-1].end() :]


@function("contains")
def _contains(lst: Any, value: Any) -> bool:
    items = _list(lst)
    if any(not isinstance(x, Unknown) and equal(x, known(value)) for x in items):
        return True
    known(items)
    return False


@function("coalesce", unknown_ok=True)
def _coalesce(*args: Any) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            return unknown_from(arg, "coalesce()")
        if arg is not None and arg != "":
            return arg
    raise EvalError("all arguments are null or empty")


@function("coalescelist", unknown_ok=True)
def _coalescelist(*args: Any) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            return unknown_from(arg, "coalescelist()")
        if _list(arg):
            return arg
    raise EvalError("all arguments are empty")


@function("compact")
def _compact(lst: Any) -> list[Any]:
    return [x for x in known(_list(lst)) if x is not None and x != ""]


@function("one")
def _one(lst: Any) -> Any:
    items = _list(lst)
    if len(items) > 1:
        raise EvalError("more than one element")
    return items[0] if items else None


@function("tolist")
def _tolist(value: Any) -> Any:
    return None if value is None else list(_list(value))  # a set becomes a list


@function("toset")
def _toset(value: Any) -> Any:
    return None if value is None else _as_set(_list(value))


@function("tomap")
def _tomap(value: Any) -> Any:
    return None if value is None else _map(value)


@function("tostring")
def _tostring(value: Any) -> Any:
    return None if value is None else _str(value)


@function("tonumber")
def _tonumber(value: Any) -> Any:
    return None if value is None else to_number(value)


@function("tobool")
def _tobool(value: Any) -> Any:
    return None if value is None else to_bool(value)


@function("nonsensitive", "sensitive")
def _identity(value: Any) -> Any:
    return value


@function("reverse")
def _reverse(lst: Any) -> list[Any]:
    return _list(lst)[::-1]


@function("sort")
def _sort(lst: Any) -> list[str]:
    return sorted(_str(x) for x in known(_list(lst)))


@function("slice")
def _slice(lst: Any, start: Any, end: Any) -> list[Any]:
    items, a, b = _list(lst), _int(start), _int(end)
    if not 0 <= a <= b <= len(items):
        raise EvalError("indices out of range")
    return items[a:b]


@function("chunklist")
def _chunklist(lst: Any, size: Any) -> list[list[Any]]:
    items, n = _list(lst), _int(size)
    if n <= 0:
        return [items]
    return [items[i : i + n] for i in range(0, len(items), n)]


@function("range")
def _range(*args: Any) -> list[Any]:
    nums = [to_number(a) for a in args]
    start, stop, step = (0, nums[0], 1) if len(nums) == 1 else (nums[0], nums[1], nums[2] if len(nums) > 2 else 1)
    if step == 0 or (stop - start) / step > MAX_ITEMS:
        raise EvalError("range too long")
    reserve(max(math.ceil((stop - start) / step), 0), "range()'s result")
    out = []
    value = start
    while (value < stop) if step > 0 else (value > stop):
        out.append(number(value))
        value += step
    return out


@function("setunion")
def _setunion(*sets: Any) -> list[Any]:
    return _as_set([x for s in sets for x in _list(s)])


@function("setintersection")
def _setintersection(first: Any, *others: Any) -> list[Any]:
    rest = [known(_list(o)) for o in others]
    return _as_set([x for x in _list(first) if all(any(equal(x, y) for y in o) for o in rest)])


@function("setsubtract")
def _setsubtract(a: Any, b: Any) -> list[Any]:
    remove = known(_list(b))
    return _as_set([x for x in _list(a) if not any(equal(x, y) for y in remove)])


@function("setproduct")
def _setproduct(*sets: Any) -> list[list[Any]]:
    lengths = [len(_list(s)) for s in sets]
    size = math.prod(lengths)  # sized before it is built: 100,000 x 300 would be 2.6 GB
    if size > MAX_ITEMS:
        raise EvalError(f"product too large ({size:,} combinations, more than {MAX_ITEMS:,})")
    reserve(size * (1 + len(sets)), "setproduct()'s result")
    out: list[list[Any]] = [[]]
    for s in sets:
        out = [prefix + [x] for prefix in out for x in _list(s)]
        if len(out) > MAX_ITEMS:
            raise EvalError("product too large")
    # a set when every argument is one, otherwise a list (functions/setproduct)
    return SetValue(out) if sets and all(isinstance(s, SetValue) for s in sets) else out


@function("transpose")
def _transpose(m: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, items in sorted(known(_map(m)).items()):
        for item in _list(items):
            out.setdefault(_str(item), []).append(key)
    return out


@function("matchkeys")
def _matchkeys(values: Any, keys: Any, searchset: Any) -> list[Any]:
    vs, ks, search = _list(values), known(_list(keys)), known(_list(searchset))
    if len(vs) != len(ks):
        raise EvalError("values and keys differ in length")
    return [v for v, k in zip(vs, ks) if any(equal(k, s) for s in search)]


@function("alltrue")
def _alltrue(lst: Any) -> bool:
    return all(to_bool(x) for x in known(_list(lst)))


@function("anytrue")
def _anytrue(lst: Any) -> bool:
    return any(to_bool(x) for x in known(_list(lst)))


# --- numbers ------------------------------------------------------------------

@function("min")
def _min(*nums: Any) -> Any:
    return min(to_number(n) for n in nums)


@function("max")
def _max(*nums: Any) -> Any:
    return max(to_number(n) for n in nums)


@function("sum")
def _sum(lst: Any) -> Any:
    return number(sum(to_number(x) for x in known(_list(lst))))


@function("abs")
def _abs(n: Any) -> Any:
    return abs(to_number(n))


@function("ceil")
def _ceil(n: Any) -> int:
    return math.ceil(to_number(n))


@function("floor")
def _floor(n: Any) -> int:
    return math.floor(to_number(n))


@function("signum")
def _signum(n: Any) -> int:
    value = to_number(n)
    return (value > 0) - (value < 0)


@function("pow")
def _pow(base: Any, exponent: Any) -> Any:
    return number(float(to_number(base)) ** to_number(exponent))


@function("log")
def _log(n: Any, base: Any) -> Any:
    return number(math.log(to_number(n), to_number(base)))


@function("parseint")
def _parseint(s: Any, base: Any) -> int:
    return int(_str(s), _int(base))


# --- networks -----------------------------------------------------------------

def _network(prefix: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(_str(prefix), strict=False)


@function("cidrsubnet")
def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    net = _network(prefix)
    new_prefix = net.prefixlen + _int(newbits)
    num = _int(netnum)
    if new_prefix > net.max_prefixlen or not 0 <= num < 2 ** _int(newbits):
        raise EvalError("not enough address space")
    base = int(net.network_address) + (num << (net.max_prefixlen - new_prefix))
    return str(ipaddress.ip_network((base, new_prefix)))


@function("cidrsubnets")
def _cidrsubnets(prefix: Any, *newbits: Any) -> list[str]:
    net = _network(prefix)
    out, cursor = [], int(net.network_address)
    end = int(net.broadcast_address)
    for bits in newbits:
        length = net.prefixlen + _int(bits)
        size = 1 << (net.max_prefixlen - length)
        cursor = -(-cursor // size) * size  # align to the subnet size
        if length > net.max_prefixlen or cursor + size - 1 > end:
            raise EvalError("not enough address space")
        out.append(str(ipaddress.ip_network((cursor, length))))
        cursor += size
    return out


@function("cidrhost")
def _cidrhost(prefix: Any, hostnum: Any) -> str:
    net = _network(prefix)
    num = _int(hostnum)
    if not -net.num_addresses <= num < net.num_addresses:
        raise EvalError("host number out of range")
    base = net.network_address if num >= 0 else net.broadcast_address + 1
    return str(base + num)


@function("cidrnetmask")
def _cidrnetmask(prefix: Any) -> str:
    net = _network(prefix)
    if net.version != 4:
        raise EvalError("only IPv4 prefixes have a netmask")
    return str(net.netmask)
