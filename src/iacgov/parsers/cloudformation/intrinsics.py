"""Static evaluation of CloudFormation intrinsic functions and conditions.

A template is evaluated as CloudFormation would evaluate it for one
deployment, with what we know offline: parameter defaults overridden by
``--cfn-param``, the ``--region``, the Mappings and the Conditions. What only
the deployment knows becomes an :class:`~iacgov.model.Unknown`, never a raw
``{"Ref": ...}`` mistaken for a value.

Conventions rules rely on:

* ``Unknown.ref`` of a ``Ref`` is its target (``AWS::AccountId``, a parameter
  name, a logical ID); of a ``Fn::GetAtt`` it is ``Resource.Attribute``.
* A string built by ``Fn::Sub`` or ``Fn::Join`` from parts of which some are
  unknown is an :class:`~iacgov.placeholders.UnknownTemplate` whose ``text``
  keeps the known parts and writes each unknown part as its placeholder
  (``<unknown:REF>``, ``<unknown>`` when it has no reference; a nested
  template inlined as its own ``text``), the form the Terraform front end
  uses. So the principal ``arn:${AWS::Partition}:iam::${AWS::AccountId}:root``
  (or its ``Fn::Join`` spelling) gives
  ``arn:aws:iam::<unknown:AWS::AccountId>:root`` whatever the form used in the
  template. A literal ``${!x}`` of ``Fn::Sub`` is the text ``${x}``.
* Any other unknown value has ``ref=None`` and a ``reason``.
* Conditions evaluate to ``True``, ``False`` or an Unknown; ``Fn::If`` on an
  unknown condition is Unknown unless both branches give the same value.
* ``AWS::NoValue`` removes the enclosing key or list item.
* ``Fn::ForEach`` loops (``AWS::LanguageExtensions``) are expanded, in
  ``Resources`` and in properties; a loop that cannot be (its collection is
  unknown) stays as one entry, its key, with an Unknown value.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import itertools
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from iacgov.limits import ValueTooLarge, reserve, string_items, value_items
from iacgov.model import Unknown, contains_unknown, is_unknown
from iacgov.parsers.cloudformation.decoder import DictNode, ListNode, StrNode
from iacgov.placeholders import UnknownTemplate, placeholder

FOR_EACH = "Fn::ForEach::"
NO_VALUE: Any = type("NoValue", (), {"__repr__": lambda self: "AWS::NoValue"})()

_DEPLOY_TIME = {
    "AWS::AccountId": "the account ID is known at deployment",
    "AWS::StackName": "the stack name is chosen at deployment",
    "AWS::StackId": "the stack ID is known at deployment",
    "AWS::NotificationARNs": "the notification ARNs are chosen at deployment",
}
_MAX_CIDR_COUNT = 256  # CloudFormation's own limit; also bounds the work
_MAX_FOR_EACH = 500  # entries one Fn::ForEach may generate (a stack holds 500 resources)


class _Invalid(Exception):
    """An intrinsic function used in a way CloudFormation would reject."""


@dataclass(frozen=True)
class _Branch:
    """The ``Fn::If`` branch to evaluate in place of the ``Fn::If``, so that
    the locations inside it are recorded under the attribute's own path."""

    node: Any


class Evaluator:
    """Evaluates the nodes of one decoded template (:mod:`.decoder`'s node
    classes, whose ``start_mark.line`` is 0-based)."""

    def __init__(self, template: Mapping[str, Any], parameters: Mapping[str, str], region: str | None) -> None:
        self.region = region.strip().lower() if region else None
        self.mappings = _mapping(template.get("Mappings"))
        self.condition_nodes = _mapping(template.get("Conditions"))
        self.parameters = {
            str(name): _parameter_value(str(name), decl, parameters)
            for name, decl in _mapping(template.get("Parameters")).items()
        }
        # parameters whose value is their Default (none passed): a finding on a value taken
        # from one says so, since the deployment may well pass another
        self.defaulted = {str(name) for name, decl in _mapping(template.get("Parameters")).items()
                          if str(name) not in parameters and isinstance(decl, Mapping) and "Default" in decl}
        self._origins: dict[str, str] | None = None
        self._conditions: dict[str, bool | Unknown | None] = {}  # None: being evaluated
        # Ref / Fn::GetAtt targets the template does not declare, in the order met
        # (CloudFormation rejects such a template; the reader reports them).
        self.undeclared: dict[str, None] = {}
        # Fn::ForEach collections are evaluated while the names are listed: until
        # then no resource is known (a Ref to one is unknown, as it would be).
        self.resources: set[str] = set()
        self.resources = {str(key) for key, _ in self.entries(_mapping(template.get("Resources")))}

    # -- public entry points -------------------------------------------------

    def resolve(self, node: Any, lines: dict[str, int] | None = None, origins: dict[str, str] | None = None) -> Any:
        """The value of ``node``; fills ``lines`` with the 1-based line of every
        dotted path of the result that is written in the template, and ``origins``
        with the paths whose value is a ``Ref`` to a parameter left at its Default.

        Every value is accounted before it is built (:func:`iacgov.limits.reserve`):
        one too large is an Unknown; past the memory budget of the file,
        :class:`~iacgov.limits.MemoryBudgetExceeded` ends the template's reading."""
        self._origins = origins
        try:
            return self._value(node, "" if lines is not None else None, lines)
        except ValueTooLarge as exc:
            return Unknown(exc.reason)
        finally:
            self._origins = None

    def entries(self, mapping: Mapping[Any, Any]) -> Iterator[tuple[Any, Any]]:
        """The mapping's ``(key, node)`` pairs, ``Fn::ForEach`` loops expanded."""
        for key, node in mapping.items():
            if not str(key).startswith(FOR_EACH):
                yield key, node
                continue
            try:
                expanded = list(itertools.islice(self._for_each(node), _MAX_FOR_EACH + 1))
            except _Invalid as exc:
                yield key, Unknown(f"{key} cannot be expanded: {exc}")
                continue
            except ValueTooLarge as exc:
                yield key, Unknown(f"{key} cannot be expanded: {exc.reason}")
                continue
            if len(expanded) > _MAX_FOR_EACH:
                yield key, Unknown(f"{key} generates more than {_MAX_FOR_EACH} entries")
                continue
            yield from expanded

    def _for_each(self, node: Any) -> Iterator[tuple[Any, Any]]:
        identifier, collection, body = self._args(node, 3)
        items = self._arg(collection)
        if is_unknown(items):
            raise _Invalid(f"its collection is not known: {items.reason}")
        if not isinstance(identifier, str) or not isinstance(items, list) or not isinstance(body, dict):
            raise _Invalid("expects an identifier, a collection and a mapping")
        size = value_items(body)  # each item copies the body
        for item in items:
            reserve(size, "a Fn::ForEach copy")
            value = _text(item)
            if is_unknown(value):
                raise _Invalid(f"its collection is not known: {value.reason}")
            yield from self.entries(_replace(body, str(identifier), value))

    def condition(self, name: Any) -> bool | Unknown:
        """The value of a named condition, evaluated once."""
        if not isinstance(name, str):
            return Unknown(f"condition name {name!r} is not a string")
        if name in self._conditions:
            value = self._conditions[name]
            return Unknown(f"condition {name} refers to itself") if value is None else value
        if name not in self.condition_nodes:
            return Unknown(f"condition {name} is not declared")
        self._conditions[name] = None
        try:
            value = self._truth(self.condition_nodes[name])
        except _Invalid as exc:
            value = Unknown(f"condition {name} cannot be evaluated: {exc}")
        self._conditions[name] = value
        return value

    # -- the walk ------------------------------------------------------------

    def _value(self, node: Any, path: str | None = None, lines: dict[str, int] | None = None) -> Any:
        if isinstance(node, dict):
            call = _call_of(node)
            if call:
                if call[0] == "Ref" and self._origins is not None and path and isinstance(call[1], str) \
                        and call[1] in self.defaulted:
                    self._origins[path] = str(call[1])
                result = self._call(*call)
                return self._value(result.node, path, lines) if isinstance(result, _Branch) else result
            out: dict[str, Any] = {}
            for key, child in self.entries(node):
                child_path = _join(path, key)
                _record(lines, child_path, key)
                value = self._value(child, child_path, lines)
                if value is NO_VALUE:
                    _forget(lines, child_path)
                else:
                    out[str(key)] = value
            reserve(len(out), "a mapping")  # a Fn::FindInMap copies its entry each time it is used
            return out
        if isinstance(node, list):
            items: list[Any] = []
            for child in node:
                child_path = _join(path, len(items))
                _record(lines, child_path, child)
                value = self._value(child, child_path, lines)
                if value is NO_VALUE:
                    _forget(lines, child_path)
                else:
                    items.append(value)
            reserve(len(items), "a list")
            return items
        return plain(node)

    def _call(self, name: str, arg: Any) -> Any:
        function = FUNCTIONS.get(name)
        if function is None:
            return Unknown(f"{name} is not evaluated")
        try:
            return function(self, arg)
        except _Invalid as exc:
            return Unknown(f"{name} cannot be evaluated: {exc}")
        except ValueTooLarge as exc:
            return Unknown(f"{name} cannot be evaluated: {exc.reason}")

    def _arg(self, node: Any) -> Any:
        value = self._value(node)
        if value is NO_VALUE:
            raise _Invalid("AWS::NoValue used as an argument")
        return value

    def _args(self, arg: Any, *counts: int) -> list[Any]:
        if not isinstance(arg, list) or len(arg) not in counts:
            raise _Invalid(f"expects a list of {' or '.join(map(str, counts))} arguments, got {plain(arg)!r}")
        return arg

    def _truth(self, node: Any) -> bool | Unknown:
        """A condition expression: ``{"Condition": name}`` or a condition function."""
        if isinstance(node, dict) and len(node) == 1 and "Condition" in node:
            return self.condition(node["Condition"])
        value = self._arg(node)
        if isinstance(value, bool) or is_unknown(value):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise _Invalid(f"{value!r} is not a condition")

    # -- references ----------------------------------------------------------

    def ref(self, arg: Any) -> Any:
        name = self._arg(arg)
        if is_unknown(name):
            return Unknown(f"Ref to a computed name: {name.reason}")
        if not isinstance(name, str):
            raise _Invalid(f"Ref to {name!r}")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name == "AWS::Region":
            return self.region or Unknown(
                "the deployment region of the template is not known (pass --region, or set region in a samconfig.toml "
                "beside it)", ref=name
            )
        if name in ("AWS::Partition", "AWS::URLSuffix"):
            return _partition(self.region)[name == "AWS::URLSuffix"]
        if name in _DEPLOY_TIME:
            return Unknown(_DEPLOY_TIME[name], ref=name)
        if name in self.parameters:
            return self.parameters[name]
        if name in self.resources:
            return Unknown(f"Ref to resource {name} is known after deployment", ref=name)
        self.undeclared[name] = None
        return Unknown(f"Ref to {name}, which the template does not declare", ref=name)

    def get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        resource, attribute = (self._arg(part) for part in self._args(arg, 2))
        if contains_unknown([resource, attribute]) or not isinstance(resource, str):
            return Unknown(f"Fn::GetAtt of a computed name on {resource!r}")
        if resource not in self.resources:
            self.undeclared[resource] = None
            return Unknown(f"Fn::GetAtt on {resource}, which the template does not declare",
                           ref=f"{resource}.{attribute}")
        return Unknown(f"attribute {attribute} of {resource} is known after deployment", ref=f"{resource}.{attribute}")

    def _variable(self, name: str) -> Any:
        """A ``${name}`` of ``Fn::Sub`` without a value in its own map."""
        return self.get_att(name) if "." in name else self.ref(name)

    # -- strings -------------------------------------------------------------

    def sub(self, arg: Any) -> Any:
        if isinstance(arg, list):
            text, variables = self._args(arg, 2)
        else:
            text, variables = arg, {}
        text = self._arg(text)
        if not isinstance(text, str) or not isinstance(variables, dict):
            raise _Invalid("expects a string and a map of variables")
        parts: list[Any] = []
        position = 0
        for start, end in _sub_variables(text):
            parts.append(text[position:start])
            position = end
            name = text[start + 2:end - 1].strip()
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
                continue
            value = self._arg(variables[name]) if name in variables else self._variable(name)
            parts.append(_text(value))
        parts.append(text[position:])
        return _concat(parts)

    def join(self, arg: Any) -> Any:
        delimiter, items = (self._arg(part) for part in self._args(arg, 2))
        if is_unknown(delimiter) or is_unknown(items):
            return Unknown(f"Fn::Join of unknown values: {_reason(delimiter, items)}")
        if not isinstance(delimiter, str) or not isinstance(items, list):
            raise _Invalid("expects a delimiter and a list")
        parts: list[Any] = []
        for i, item in enumerate(items):
            parts.extend([delimiter, _text(item)] if i else [_text(item)])
        return _concat(parts)

    def split(self, arg: Any) -> Any:
        delimiter, source = (self._arg(part) for part in self._args(arg, 2))
        if is_unknown(delimiter) or is_unknown(source):
            return Unknown(f"Fn::Split of unknown values: {_reason(delimiter, source)}")
        if not isinstance(delimiter, str) or not delimiter or not isinstance(source, str):
            raise _Invalid("expects a delimiter and a string")
        reserve(source.count(delimiter) + 1, "Fn::Split's list")
        return source.split(delimiter)

    def select(self, arg: Any) -> Any:
        index, items = (self._arg(part) for part in self._args(arg, 2))
        if is_unknown(index) or is_unknown(items):
            return Unknown(f"Fn::Select of unknown values: {_reason(index, items)}")
        position = _integer(index)
        if not isinstance(items, list) or not 0 <= position < len(items):
            raise _Invalid(f"index {position} out of range")
        return items[position]

    def base64(self, arg: Any) -> Any:
        value = _text(self._arg(arg))
        if is_unknown(value):
            return Unknown(f"Fn::Base64 of an unknown value: {value.reason}")
        reserve(string_items(len(value) * 2), "Fn::Base64's result")
        return base64.b64encode(value.encode()).decode("ascii")

    def cidr(self, arg: Any) -> Any:
        block, count, bits = (self._arg(part) for part in self._args(arg, 3))
        if contains_unknown([block, count, bits]):
            return Unknown(f"Fn::Cidr of unknown values: {_reason(block, count, bits)}")
        wanted, size = _integer(count), _integer(bits)
        if not 1 <= wanted <= _MAX_CIDR_COUNT:  # CloudFormation's own bounds
            raise _Invalid(f"the count {wanted} is not between 1 and {_MAX_CIDR_COUNT}")
        if not isinstance(block, str):
            raise _Invalid(f"{block!r} is not a CIDR block")
        try:
            network = ipaddress.ip_network(block, strict=False)
            if not 0 < size <= network.max_prefixlen - network.prefixlen:
                raise ValueError(f"{size} subnet bits do not fit in {network}")
            subnets = network.subnets(new_prefix=network.max_prefixlen - size)
            return [str(s) for s in itertools.islice(subnets, wanted)]
        except ValueError as exc:
            raise _Invalid(str(exc)) from None

    def length(self, arg: Any) -> Any:
        items = self._arg(arg)
        if is_unknown(items):
            return Unknown(f"Fn::Length of an unknown list: {items.reason}")
        if not isinstance(items, list):
            raise _Invalid("expects a list")
        return len(items)

    def to_json_string(self, arg: Any) -> Any:
        value = self._arg(arg)
        if contains_unknown(value):
            return Unknown(f"Fn::ToJsonString of unknown values: {_reason(value)}")
        reserve(value_items(value), "Fn::ToJsonString's result")
        return json.dumps(value, separators=(",", ":"))

    # -- look-ups and conditions ---------------------------------------------

    def find_in_map(self, arg: Any) -> Any:
        args = self._args(arg, 3, 4)
        keys = [self._arg(part) for part in args[:3]]
        default = args[3].get("DefaultValue", NO_VALUE) if len(args) == 4 and isinstance(args[3], dict) else NO_VALUE
        if contains_unknown(keys):
            return Unknown(f"Fn::FindInMap with unknown keys: {_reason(*keys)}")
        node: Any = self.mappings
        for key in keys:
            if not isinstance(node, dict) or _text(key) not in node:
                if default is NO_VALUE:
                    raise _Invalid(f"no entry {'.'.join(map(str, keys))} in Mappings")
                return self._value(default)
            node = node[_text(key)]
        return self._value(node)

    def if_(self, arg: Any) -> Any:
        name, when_true, when_false = self._args(arg, 3)
        truth = self.condition(name)
        if not is_unknown(truth):
            return _Branch(when_true if truth else when_false)
        first, second = self._value(when_true), self._value(when_false)
        if first == second and not contains_unknown(first):
            return first
        return Unknown(f"depends on condition {name}, which is not known: {truth.reason}")

    def equals(self, arg: Any) -> Any:
        left, right = (self._arg(part) for part in self._args(arg, 2))
        if contains_unknown([left, right]):
            return Unknown(_reason(left, right))
        return _comparable(left) == _comparable(right)

    def and_(self, arg: Any) -> Any:
        return _combine([self._truth(part) for part in self._args(arg, *range(2, 11))], all)

    def or_(self, arg: Any) -> Any:
        return _combine([self._truth(part) for part in self._args(arg, *range(2, 11))], any)

    def not_(self, arg: Any) -> Any:
        (value,) = (self._truth(part) for part in self._args(arg, 1))
        return value if is_unknown(value) else not value

    def import_value(self, arg: Any) -> Any:
        name = self._arg(arg)
        what = name
        if isinstance(name, UnknownTemplate):
            what = name.text
        elif is_unknown(name):
            what = name.ref or name.reason
        return Unknown(f"imported from the export {what} of another stack")

    def get_azs(self, arg: Any) -> Any:
        return Unknown("the availability zones are listed at deployment")


FUNCTIONS: dict[str, Callable[[Evaluator, Any], Any]] = {
    "Ref": Evaluator.ref,
    "Fn::GetAtt": Evaluator.get_att,
    "Fn::Sub": Evaluator.sub,
    "Fn::Join": Evaluator.join,
    "Fn::Split": Evaluator.split,
    "Fn::Select": Evaluator.select,
    "Fn::Base64": Evaluator.base64,
    "Fn::Cidr": Evaluator.cidr,
    "Fn::Length": Evaluator.length,
    "Fn::ToJsonString": Evaluator.to_json_string,
    "Fn::FindInMap": Evaluator.find_in_map,
    "Fn::If": Evaluator.if_,
    "Fn::Equals": Evaluator.equals,
    "Fn::And": Evaluator.and_,
    "Fn::Or": Evaluator.or_,
    "Fn::Not": Evaluator.not_,
    "Fn::ImportValue": Evaluator.import_value,
    "Fn::GetAZs": Evaluator.get_azs,
}


def _sub_variables(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each ``${...}`` of a ``Fn::Sub`` string, as the
    pattern ``\\$\\{[^}]*\\}`` finds them, but in linear time: that pattern,
    searched, rescans the rest of the text from every ``${`` (quadratic on a
    template of ``${${${...``)."""
    position = 0
    while (start := text.find("${", position)) >= 0:
        end = text.find("}", start + 2)
        if end < 0:
            return  # no closing brace after this one: none after the later ones either
        yield start, end + 1
        position = end + 1


def _call_of(node: dict) -> tuple[str, Any] | None:
    """``(name, argument)`` when the mapping is an intrinsic function call."""
    if len(node) != 1:
        return None
    ((key, arg),) = node.items()
    return (str(key), arg) if key == "Ref" or str(key).startswith("Fn::") else None


def _replace(node: Any, identifier: str, value: str) -> Any:
    """One iteration of a ``Fn::ForEach`` body: ``Ref`` to the identifier,
    ``${identifier}`` and ``&{identifier}`` (alphanumerics only) replaced;
    source positions kept."""
    if isinstance(node, dict):
        if _call_of(node) == ("Ref", identifier):
            return _like(node, value)
        return _like(node, {_replace(k, identifier, value): _replace(v, identifier, value) for k, v in node.items()})
    if isinstance(node, list):
        return _like(node, [_replace(v, identifier, value) for v in node])
    if isinstance(node, str):
        alphanumeric = "".join(c for c in value if c.isalnum())
        text = node.replace("${" + identifier + "}", value).replace("&{" + identifier + "}", alphanumeric)
        return _like(node, text)
    return node


def _like(node: Any, value: Any) -> Any:
    """``value`` with the source position of ``node`` (:mod:`.decoder`'s node classes)."""
    start, end = getattr(node, "start_mark", None), getattr(node, "end_mark", None)
    if start is None:
        return value
    node_class = DictNode if isinstance(value, dict) else ListNode if isinstance(value, list) else StrNode
    return node_class(value, start, end)


def plain(node: Any) -> Any:
    """The template node as plain Python values (no cfn-lint node classes,
    dates as ISO strings like CloudFormation reads them), functions unevaluated."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, (datetime.date, datetime.datetime)):
        return node.isoformat()
    if node is None or isinstance(node, (bool, int, float)):
        return node
    return str(node)


def _mapping(node: Any) -> dict:
    return node if isinstance(node, dict) else {}


def _join(path: str | None, key: Any) -> str | None:
    if path is None:
        return None
    return f"{path}.{key}" if path else str(key)


def _record(lines: dict[str, int] | None, path: str | None, node: Any) -> None:
    mark = getattr(node, "start_mark", None)
    if lines is not None and path is not None and mark is not None:
        lines[path] = mark.line + 1


def _forget(lines: dict[str, int] | None, path: str | None) -> None:
    if lines is not None:
        lines.pop(path, None)


def _parameter_value(name: str, decl: Any, overrides: Mapping[str, str]) -> Any:
    """A parameter's value as ``Ref`` returns it: a string, or a list of
    strings for list types (numbers too are strings)."""
    try:
        return _parameter(name, _mapping(decl), overrides)
    except _Invalid as exc:
        return Unknown(f"parameter {name} has an invalid value: {exc}", ref=name)


def _parameter(name: str, decl: Mapping[str, Any], overrides: Mapping[str, str]) -> Any:
    kind = str(decl.get("Type", "String"))
    if name in overrides:
        raw = overrides[name]
    elif "Default" in decl:
        raw = plain(decl["Default"])
    else:
        return Unknown(f"parameter {name} has no value (pass --cfn-param {name}=...)", ref=name)
    if kind.startswith("AWS::SSM::Parameter::Value<"):
        return Unknown(f"parameter {name} is read from the SSM parameter {raw} at deployment", ref=name)
    if kind == "CommaDelimitedList" or kind.startswith("List<"):
        items = raw if isinstance(raw, list) else (str(_text(raw)).split(",") if raw != "" else [])
        return [str(_text(item)).strip() for item in items]
    if isinstance(raw, (dict, list)):
        raise _Invalid(f"{raw!r} is not a scalar")
    return _text(raw)


def _partition(region: str | None) -> tuple[str, str]:
    """``(AWS::Partition, AWS::URLSuffix)`` of a region."""
    if region and region.startswith("cn-"):
        return "aws-cn", "amazonaws.com.cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov", "amazonaws.com"
    return "aws", "amazonaws.com"


def _text(value: Any) -> Any:
    """A scalar as CloudFormation turns it into a string; Unknown stays."""
    if isinstance(value, str) or is_unknown(value):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise _Invalid(f"{value!r} is not a string")


def _integer(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, str) and len(value) > 20):
        raise _Invalid(f"{str(value)[:40]!r} is not an integer")
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: .inf in YAML
        raise _Invalid(f"{value!r} is not an integer") from None


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    return _text(value) if value is not None else None


def _concat(parts: list[Any]) -> Any:
    """Concatenate strings; with unknown parts, an UnknownTemplate (see the
    module docstring)."""
    reserve(string_items(sum(len(p) if isinstance(p, str) else 16 for p in parts)), "the string")
    unknown = [p for p in parts if is_unknown(p)]
    if not unknown:
        return "".join(parts)
    text = "".join(placeholder(p) if is_unknown(p) else p for p in parts)
    return UnknownTemplate("; ".join(dict.fromkeys(u.reason for u in unknown)), text=text)


def _reason(*values: Any) -> str:
    """Why some of ``values`` (or what they contain) are unknown."""
    reasons: dict[str, None] = {}

    def visit(value: Any) -> None:
        if is_unknown(value):
            reasons[value.reason] = None
        elif isinstance(value, dict):
            for v in value.values():
                visit(v)
        elif isinstance(value, list):
            for v in value:
                visit(v)

    for value in values:
        visit(value)
    return "; ".join(reasons)


def _combine(values: list[bool | Unknown], quantifier: Callable[[Any], bool]) -> bool | Unknown:
    """``Fn::And`` (``all``) / ``Fn::Or`` (``any``): a known deciding value wins
    over unknown ones."""
    known = [v for v in values if not is_unknown(v)]
    decided = quantifier(known)
    if len(known) == len(values) or decided != quantifier([]):
        return decided
    return next(v for v in values if is_unknown(v))

