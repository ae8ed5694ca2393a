"""Terraform's JSON syntax (``*.tf.json``) read into the syntax tree the HCL front end builds.

The rest of the Terraform front end (modules, variables, providers,
resources, rules) then works on it unchanged. What Terraform's JSON syntax
specification says, and what iacgov does where it depends on provider
schemas it does not have:

- The root object's properties are block types (``resource``, ``data``,
  ``variable``, ``output``, ``locals``, ``module``, ``provider``); labels are
  nested object properties (``resource.aws_s3_bucket.logs``); a list of
  objects where one body is expected declares several blocks.
- Strings are templates, as Terraform reads them: ``"${var.region}"`` is the
  variable itself, ``"logs-${var.env}"`` a string (parsed by the HCL parser as
  a heredoc template, so quotes and backslashes need no escaping).
  ``variable.default`` is a literal value. The meta-arguments that name
  things are expressions: ``provider = "aws.us"``, ``depends_on``, a module's
  ``providers``, ``lifecycle.ignore_changes``, ``moved.from`` / ``moved.to``.
- Whether an object property is a nested block or a map argument is decided
  by the provider's schema in Terraform. Here: an object, or a list of
  objects, is a nested block, except for argument names that are maps in the
  providers this tool knows (``tags``, ``labels``, ``variables``...:
  :data:`MAP_ARGUMENTS`), and except where only arguments can be (module
  inputs, ``locals``, ``output``, ``variable``).
- ``"//"`` properties are comments.

Lines come from cfn-lint's JSON decoder (iacgov's CloudFormation decoder),
which keeps the position of every key.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacgov.limits import (
    LimitExceeded,
    Limits,
    TimeBudgetExceeded,
    budget_message,
    check_json,
    read_bounded,
    time_budget,
)
from iacgov.parsers.terraform.loader import LoadedFile, LoadError, cache_entry, decode, parse_expression, restore_entry
from iacgov.parsers.terraform.syntax import (
    Attribute, Block, Body, Expr, Invalid, Lit, ObjectExpr, Template, TupleExpr,
)

if TYPE_CHECKING:
    from iacgov.cache import ParseCache

# Object-valued arguments of the AWS, Azure and Google providers that are maps, not nested blocks.
# (Names that are a block in one provider and a map in another, such as ``metadata`` or ``settings``,
# are read as blocks: a map read as a block is a list of one mapping, which the rules still read.)
MAP_ARGUMENTS = frozenset({
    "tags", "tags_all", "labels", "user_labels", "resource_labels", "effective_labels", "terraform_labels",
    "variables", "environment_variables", "app_settings", "parameters", "annotations", "triggers",
    "default_arguments", "stage_variables", "request_parameters", "response_parameters",
})
# Arguments (of any block) whose strings are expressions naming things, not templates.
_NAMING = {"provider", "depends_on", "providers", "ignore_changes", "replace_triggered_by"}
_LABELS = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1, "provider": 1, "locals": 0,
           "terraform": 0, "moved": 0, "import": 0, "removed": 0, "check": 1}
_ONLY_ARGUMENTS = {"variable", "output", "locals"}


def load_json_file(path: Path, relpath: str, limits: Limits | None = None, cache: ParseCache | None = None
                   ) -> LoadedFile:
    """Read one ``.tf.json`` file within the bounds of :mod:`iacgov.limits`
    (size, nesting, time), from the parse ``cache`` when it holds these bytes
    (:func:`~.loader.terraform_cache` with ``syntax="json"``); never raises."""
    limits = limits or Limits()
    key = None
    try:
        with time_budget(limits.file_timeout_seconds):
            data = read_bounded(path, limits)
            if cache is not None:
                key, entry = cache.get(data)
                restored = restore_entry(entry, relpath)
                if restored is not None:
                    return restored
            loaded = LoadedFile(relpath, parse_json_text(decode(data), relpath, limits))
    except TimeBudgetExceeded:
        return LoadedFile(relpath, None, LoadError(budget_message(limits)))
    except LoadError as exc:
        loaded = LoadedFile(relpath, None, exc)
    except LimitExceeded as exc:
        loaded = LoadedFile(relpath, None, LoadError(exc.reason, exc.line))
    except OSError as exc:
        return LoadedFile(relpath, None, LoadError(f"read error ({exc.strerror or exc})"))
    except RecursionError:
        return LoadedFile(relpath, None, LoadError("nested too deeply to analyse"))
    if key is not None:  # what the bytes give (a body, or why not): the same next time
        cache.put(key, cache_entry(loaded))
    return loaded


def parse_json_text(text: str, relpath: str, limits: Limits | None = None) -> Body:
    """The body of a ``.tf.json`` file; raises :class:`~.loader.LoadError`."""
    return _Reader(relpath).root(decode_json_object(text, limits))


def read_json_values(text: str, limits: Limits | None = None) -> dict[str, Any]:
    """A JSON object as plain values (a ``.tfvars.json`` file), with the same
    checks as a ``.tf.json``: a key written twice is an error naming its line."""
    return _plain(decode_json_object(text, limits))


def decode_json_object(text: str, limits: Limits | None = None) -> dict:
    """cfn-lint's JSON decoder (never its YAML one: this is JSON), which marks
    every node with its line; raises :class:`~.loader.LoadError` (also for a
    key given twice, or a number too long for Python to convert)."""
    from iacgov.parsers.cloudformation.decoder import cfnlint_decode

    check_json(text, limits or Limits())
    try:
        data = cfnlint_decode().cfn_json.loads(text)
    except RecursionError:
        raise
    except (ValueError, TypeError) as exc:  # the decoder's JSONDecodeError: bad syntax, a key given twice
        line = getattr(exc, "lineno", None)
        reason = " ".join(str(getattr(exc, "msg", None) or exc).split())[:200]
        raise LoadError(f"invalid JSON: {reason}", line if line else None) from None
    if not isinstance(data, dict):
        raise LoadError("not a JSON object", 1)
    return data


def _line(node: Any, default: int = 1) -> int:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else default


class _Reader:
    def __init__(self, relpath: str) -> None:
        self.relpath = relpath

    def root(self, data: dict) -> Body:
        blocks: list[Block] = []
        for key, value in data.items():
            kind = str(key)  # the decoder's keys are str subclasses carrying marks: plain strings in the tree
            if kind == "//" or kind not in _LABELS:
                continue
            self._labelled(kind, value, _LABELS[kind], (), _line(key), blocks)
        return Body({}, blocks)

    def _labelled(self, kind: str, value: Any, depth: int, labels: tuple[str, ...], line: int,
                  out: list[Block]) -> None:
        if depth == 0:
            for body in value if isinstance(value, list) else [value]:
                if isinstance(body, dict):
                    out.append(Block(kind, labels, self.body(body, kind), line, self.relpath))
            return
        if isinstance(value, dict):
            for label, inner in value.items():
                if label != "//":
                    self._labelled(kind, inner, depth - 1, (*labels, str(label)), _line(label, line), out)

    def body(self, data: dict, kind: str) -> Body:
        """A block's body; ``kind`` says what may be in it."""
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for key, value in data.items():
            name, line = str(key), _line(key)
            if name == "//":
                continue
            if kind == "variable" and name == "default":
                attributes[name] = Attribute(name, Lit(_plain(value)), line)
            elif kind == "variable" and name in ("type", "validation", "description"):
                if name == "type" and isinstance(value, str):
                    attributes[name] = Attribute(name, _expression(value, line), line)
            elif name == "dynamic" and isinstance(value, dict) and kind not in _ONLY_ARGUMENTS:
                blocks.extend(self._dynamic(value, line))
            elif name in _NAMING or (kind in ("moved", "import", "removed") and name in ("from", "to")):
                attributes[name] = Attribute(name, self.naming(value, line), line)
            elif kind not in _ONLY_ARGUMENTS and kind != "module" and self._is_block(name, value):
                for item in value if isinstance(value, list) else [value]:
                    blocks.append(Block(name, (), self.body(item, name), _line(item, line), self.relpath))
            else:
                attributes[name] = Attribute(name, self.expr(value, line), line)
        return Body(attributes, blocks)

    @staticmethod
    def _is_block(name: str, value: Any) -> bool:
        if name in MAP_ARGUMENTS:
            return False
        if isinstance(value, dict):
            return True
        return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)

    def _dynamic(self, value: dict, line: int) -> list[Block]:
        out = []
        for label, spec in value.items():
            if not isinstance(spec, dict):
                continue
            attributes = {str(k): Attribute(str(k), self.naming(v, _line(k, line)) if k == "iterator"
                                            else self.expr(v, _line(k, line)), _line(k, line))
                          for k, v in spec.items() if k in ("for_each", "iterator", "labels")}
            content = spec.get("content")
            blocks = [Block("content", (), self.body(content, str(label)), _line(content, line), self.relpath)] \
                if isinstance(content, dict) else []
            out.append(Block("dynamic", (str(label),), Body(attributes, blocks), _line(label, line), self.relpath))
        return out

    def naming(self, value: Any, line: int) -> Expr:
        """``"aws.us"``, ``["aws_s3_bucket.logs"]``, ``{"aws": "aws.us"}``: expressions, not templates."""
        if isinstance(value, str):
            return _expression(value.removeprefix("${").removesuffix("}") if value.startswith("${") else value,
                               line)
        if isinstance(value, list):
            return TupleExpr(tuple(self.naming(v, _line(v, line)) for v in value),
                             tuple(_line(v, line) for v in value))
        if isinstance(value, dict):
            return ObjectExpr(tuple((Lit(str(k)), self.naming(v, _line(k, line)), _line(k, line))
                                    for k, v in value.items() if k != "//"))
        return Lit(_plain(value))

    def expr(self, value: Any, line: int) -> Expr:
        if isinstance(value, str):
            return _template(str(value), line)
        if isinstance(value, list):
            return TupleExpr(tuple(self.expr(v, _line(v, line)) for v in value), tuple(_line(v, line) for v in value))
        if isinstance(value, dict):
            return ObjectExpr(tuple((Lit(str(k)), self.expr(v, _line(k, line)), _line(k, line))
                                    for k, v in value.items() if k != "//"))
        return Lit(_plain(value))


def _plain(value: Any) -> Any:
    """The decoder's nodes as plain Python values."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _expression(text: str, line: int | None) -> Expr:
    try:
        return parse_expression(text)
    except LoadError as exc:
        raise LoadError(f"not a valid expression {text[:80]!r}: {exc.reason}", line) from None


def _template(text: str, line: int) -> Expr:
    """A JSON string as Terraform reads it: a template (a lone ``${...}`` is its value)."""
    if "${" not in text and "%{" not in text:
        return Lit(text)
    parsed = _parsed_template(text)
    if isinstance(parsed, str):
        raise LoadError(parsed, line)
    return parsed


@lru_cache(maxsize=4096)
def _parsed_template(text: str) -> Expr | str:
    """The template's expression, or why it is not one. Memoised: generated
    files repeat the same strings (``"${var.env}"``) thousands of times, and the
    trees are immutable tuples, safe to share."""
    try:
        return _parse_template(text)
    except LoadError as exc:
        return exc.reason


def _parse_template(text: str) -> Expr:
    marker = "IACGOV_JSON_TEMPLATE"
    while marker in text:
        marker += "_"
    parsed = _expression(f"<<{marker}\n{text}\n{marker}\n", None)
    if isinstance(parsed, Invalid):
        reason = parsed.reason.removeprefix("heredoc template cannot be read (").removesuffix(")")
        raise LoadError(f"invalid template {text[:80]!r}: {reason}")
    if isinstance(parsed, Lit) and isinstance(parsed.value, str):  # only escapes ("$${"): a plain string
        return Lit(parsed.value.removesuffix("\n"))
    if not isinstance(parsed, Template):
        return parsed
    parts = list(parsed.parts)
    if parts and isinstance(parts[-1], str) and parts[-1].endswith("\n"):  # the heredoc's own last newline
        parts[-1] = parts[-1][:-1]
        if not parts[-1]:
            parts.pop()
    if len(parts) == 1 and not isinstance(parts[0], str) and text.startswith("${") and text.endswith("}"):
        return parts[0]  # "${var.x}": the value itself, not its text
    return Template(tuple(parts))
