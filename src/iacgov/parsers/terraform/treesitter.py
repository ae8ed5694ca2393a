"""The compiled HCL front end: tree-sitter-hcl's tree to :mod:`.syntax`.

python-hcl2's Lark parser (:mod:`.loader`) is the reference; this front end
gives the same :class:`~.syntax.Body` for every file it accepts, about
thirty times faster, and hands every other file to the reference
(:class:`Fallback`), which decides and names the error as before.
``IACGOV_HCL_FRONTEND=lark`` forces the reference for every file.

What differs between the two grammars, and what is done about it:

* tree-sitter recovers from syntax errors; a tree with an error node is
  never compiled: python-hcl2 reads the file and names the error.
* tree-sitter-hcl ignores newlines; python-hcl2's grammar allows a newline
  (or any comment, which its lexer reads as a newline) only at given places
  (after ``(`` ``[`` ``{`` ``,`` ``?`` an operator, before ``)`` ``]``
  ``}`` ``:`` ``?`` an operator other than ``-``...). Every newline or
  comment between two tokens is checked against those places
  (:func:`_gap_allowed`); one elsewhere (``x = /* c */ 1``, ``a\\n- b``)
  sends the file to the reference, which refuses it.
* tree-sitter accepts what python-hcl2 refuses: Unicode and ``a::b``
  identifiers, hexadecimal numbers, ``!-x``, strip markers in ``${~ x ~}``,
  a heredoc marker followed by spaces, Unicode spaces. Each is seen while
  compiling and sent to the reference. tree-sitter-hcl 1.2 refuses a few
  things python-hcl2 reads (``1e3``, an exponent without a fraction; ``\"``
  strings inside a directive; ``{ for = 1 }``): those files go to the
  reference too, read as before but without the speed.
* python-hcl2's lexer reads ``-1`` (no space) as one number token and ``- 1``
  as negation: the same value, but not the same for a number out of range
  (``-1e999``) or too long (the digit count includes the sign); both are
  reproduced. Its float token also matches ``-1-2.5``, which Python cannot
  convert: such a file goes to the reference, whose error is kept.
* Heredocs: python-hcl2 reads a heredoc as one token whose ``${...}`` and
  ``%{...}`` the loader re-parses as a quoted string (so lines inside are
  line 1 of that string). This front end takes the same text, quotes it the
  same way and parses that with tree-sitter; where that fails, the
  reference's own reading of the heredoc is used.
* Quoted literals are sliced from the source between tree-sitter's nodes
  (its literal nodes leave out surrounding blanks) and split into
  python-hcl2's tokens (``$${``, ``%%{`` escapes; a per-token ``~`` strip),
  so escapes and strip markers give the same strings.
* Depth: python-hcl2's tree is checked against ``limits.hcl_tree_depth``; a
  tree-sitter tree deeper than :func:`_depth_cap` (a bound under which
  python-hcl2's tree is always within the limit, measured per construct) is
  sent to the reference, which reports the nesting as before.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any, Iterator

from iacgov.limits import Limits
from iacgov.parsers.terraform.loader import LoadError, _parts, _quote_template, unescape
from iacgov.parsers.terraform.loader import _Compiler as _LarkCompiler
from iacgov.parsers.terraform.syntax import (
    SPLAT_ITEM,
    Attribute,
    BinaryOp,
    Block,
    Body,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Invalid,
    Lit,
    ObjectExpr,
    Ref,
    Splat,
    Template,
    TemplateFor,
    TemplateIf,
    TupleExpr,
    UnaryOp,
)

FRONTEND_VARIABLE = "IACGOV_HCL_FRONTEND"


class Fallback(Exception):
    """tree-sitter's reading of this text is not certain to be python-hcl2's:
    the reference reads it."""


def frontend() -> str:
    """``"tree-sitter"`` (the default) or ``"lark"`` (``IACGOV_HCL_FRONTEND=lark``,
    or tree-sitter not installed)."""
    if os.environ.get(FRONTEND_VARIABLE, "").strip().lower() in ("lark", "python-hcl2", "hcl2"):
        return "lark"
    return "tree-sitter" if _installed() else "lark"


def _installed() -> bool:
    """Whether tree-sitter and its HCL grammar can be imported — without
    importing them: a run whose files all come from the parse cache parses nothing."""
    from importlib.util import find_spec

    return find_spec("tree_sitter") is not None and find_spec("tree_sitter_hcl") is not None


def versions() -> str:
    """What a parse cache entry of this front end depends on."""
    from iacgov.plugins import distribution_version  # not importlib.metadata: 20 ms of a pre-commit run

    found = []
    for name in ("tree-sitter", "tree-sitter-hcl"):
        found.append(f"{name} {distribution_version(name) or '-'}")
    return ", ".join(found)


_PARSERS: list[Any] = []


def _parser() -> Any:
    """tree-sitter's parser for HCL, once per process; None if not installed."""
    if not _PARSERS:
        try:
            import tree_sitter
            import tree_sitter_hcl
        except ImportError:
            _PARSERS.append(None)
        else:
            _PARSERS.append(tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language())))
    return _PARSERS[0]


# python-hcl2's lexer, where tree-sitter's differs
_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]*")
_HEREDOC_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9._-]*")
_INT = re.compile(r"[0-9]+")
_FLOAT = re.compile(r"[0-9]+(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)")
_LITERAL_TOKENS = re.compile(
    r"(?P<esc>\$\$\{[^}]*\}|%%\{[^}]*\})"
    r"|(?P<chars>(?:(?!\$\$\{)(?!\$\{)(?!%%\{)(?!%\{)[^\"\\]|\\.|(?:\$(?!\$?\{))|(?:%(?!%?\{)))+)", re.S)
# Bytes after which a string's text is not one literal token as it is.
_NOT_PLAIN = re.compile(rb'[$%\\"]')
# A float token python-hcl2 lexes but cannot convert (``-1-2.5``), and blanks it does not ignore.
_ODD_TEXT = re.compile(r"-[0-9](?:-[0-9])+(?:\.[0-9]|[eE])|[\f\v\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029"
                       r"\u202f\u205f\u3000\ufeff]")
_BINARY = frozenset(("==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%"))
# _ODD_TEXT in two parts for ASCII text, where no other blank can occur: the number with a literal prefix
# (searched fast), the blanks one by one (an alternation with a class scanned every character: ~5 % of the compile).
_ODD_NUMBER = re.compile(r"-[0-9](?:-[0-9])+(?:\.[0-9]|[eE])")
_ODD_ASCII_BLANKS = ("\f", "\v", "\x1c", "\x1d", "\x1e", "\x1f")


def _odd_text(text: str) -> bool:
    """Whether ``_ODD_TEXT`` occurs in ``text``."""
    if not text.isascii():
        return _ODD_TEXT.search(text) is not None
    return any(blank in text for blank in _ODD_ASCII_BLANKS) or _ODD_NUMBER.search(text) is not None


def parse_text(text: str, relpath: str, limits: Limits) -> Body:
    """The :class:`Body` python-hcl2's path would give for ``text``; raises
    :class:`Fallback` when that is not certain, and the loader's
    ``LoadError`` for what its compiler refuses too (an argument written twice)."""
    return _Compiler(relpath, limits).file(text)


def parse_tree(data: bytes, limits: Limits) -> Any:
    """tree-sitter's tree of ``data``, checked: no error, python-hcl2's
    newlines, within the depth python-hcl2's tree is allowed."""
    parser = _parser()
    if parser is None:
        raise Fallback("tree-sitter is not installed")
    tree = parser.parse(data)
    root = tree.root_node
    if root.has_error:
        raise Fallback("syntax error")
    _check_tokens(root, data, _depth_cap(limits))
    return tree


def _depth_cap(limits: Limits) -> int:
    """tree-sitter depth under which python-hcl2's tree is within
    ``hcl_tree_depth``: per nesting level tree-sitter adds at least as many
    nodes as Lark (tuples 4 against 2, binary operators 2 against 1, blocks
    3 against 2...), measured in tests/parsers/terraform/test_tf_frontends.py."""
    return limits.hcl_tree_depth


_STEPS = frozenset(("get_attr", "index", "splat"))
_WITH_STEPS = frozenset(("expression", "unary_operation", "binary_operation"))


def _check_tokens(root: Any, data: bytes, cap: int) -> None:
    """One walk over the tree: its depth, and every newline or comment
    between two tokens outside string literals at a place python-hcl2 allows.

    tree-sitter-hcl lists a term's steps (``a.b[0].c``) side by side where
    python-hcl2 nests them two levels each: they count so here.

    Most subtrees (an argument on one line) are not walked: one whose bytes
    hold no newline and no comment has no gap to check inside, and one with
    ``n`` nodes is at most ``3 * (n - 1)`` deeper than its root (each level
    adds one, plus two per step child: both counted among its nodes), so
    only the gap before its first token is checked, as the full walk would.
    A gap before the first token of an argument, block or object element is
    allowed (:func:`_gap_allowed`): the walk knows which nodes start one
    (``first``: an ancestor through first children is one), so the usual
    gap, a newline between two arguments, costs no look-up; so does one
    before the ``}`` or ``]`` that closes a block, object or tuple."""
    cursor = root.walk()
    depth = 1
    added: list[int] = []
    prev: Any = None  # the last token so far, or a subtree whose last token it is
    prev_end = 0
    line_like = False
    first = False  # whether the node's ancestors through first children include an item of a body or object
    may_gap = _MAY_GAP.search
    while True:
        node = cursor.node
        start, end = node.byte_range
        if may_gap(data, start, end) is None and depth + 3 * (node.descendant_count - 1) <= cap:
            if prev is not None and (line_like or data.find(b"\n", prev_end, start) >= 0):
                kind = node.type
                if not first and kind not in _ITEMS and not (
                        kind in _CLOSERS and node.child_count == 1 and node.child(0).type in ("}", "]")):
                    token = _first_token(node)
                    if not _gap_allowed(prev, token):
                        raise Fallback(f"a newline python-hcl2 does not allow at line {token.start_point[0] + 1}")
            prev, prev_end, line_like = node, end, False
        else:
            kind = node.type
            if node.child_count == 0:
                if kind == "comment":
                    line_like = True
                else:
                    if prev is not None and (line_like or data.find(b"\n", prev_end, start) >= 0):
                        if not first and kind not in _ITEMS and not _gap_allowed(prev, node):
                            raise Fallback(f"a newline python-hcl2 does not allow at line {node.start_point[0] + 1}")
                    prev, prev_end, line_like = node, end, False
            if depth > cap:
                raise Fallback("nested deeper than python-hcl2's limit")
            if cursor.goto_first_child():
                step = 1
                if kind in _WITH_STEPS:
                    step += 2 * sum(1 for c in node.children if c.type in _STEPS)
                added.append(step)
                depth += step
                first = first or kind in _ITEMS
                continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return
            depth -= added.pop()
        first = False


# What a newline or comment may precede: python-hcl2's new_line_or_comment ends the item before.
_ITEMS = ("attribute", "block", "object_elem")
# ...and what closes a block, object or tuple (its ``}`` or ``]``).
_CLOSERS = ("block_end", "object_end", "tuple_end")
# Bytes that may start a comment or hold a newline: a subtree without them is one line of tokens.
_MAY_GAP = re.compile(rb"[\n#]|/[/*]")


def _first_token(node: Any) -> Any:
    while node.child_count:
        node = node.child(0)
    return node


def _last_token(node: Any) -> Any:
    while True:
        count = node.child_count
        if not count:
            return node
        node = node.child(count - 1)


# Tokens between which a gap is text of a string or heredoc, not a newline of the syntax.
_TEMPLATE_BEFORE = frozenset(("quoted_template_start", "template_literal", "template_interpolation_end",
                              "template_directive_end", "heredoc_identifier"))
_TEMPLATE_AFTER = frozenset(("template_literal", "template_interpolation_start", "template_directive_start",
                             "quoted_template_end", "heredoc_identifier"))


def _gap_allowed(prev: Any, nxt: Any) -> bool:
    """A newline or comment between ``prev`` (a token, or a subtree ending
    with it) and the token ``nxt`` where python-hcl2's grammar takes one."""
    if _starts(nxt, _ITEMS):
        return True  # a new argument or block of a body, a new element of an object: the usual case
    prev = _last_token(prev)
    p, n = prev.type, nxt.type
    if p in _TEMPLATE_BEFORE and n in _TEMPLATE_AFTER:
        return True  # inside a string: literal text
    pp, np = prev.parent.type, nxt.parent.type
    if p in ("{", "[") and pp in ("block_start", "object_start", "tuple_start", "new_index"):
        return True
    if p == "(" or (n == ")" and np != "function_call") or (n == ")" and np == "function_call"):
        return True
    if p == "," and pp in ("tuple", "object", "function_arguments"):
        return True
    if p in ("?", "=>") or (p == ":" and pp in ("conditional", "for_intro")):
        return True
    if p in _BINARY and pp == "binary_operation":
        return True
    if (p in ("for", "in") and pp == "for_intro") or (p == "if" and pp == "for_cond"):
        return True
    if p == "ellipsis" and pp in ("for_object_expr", "function_arguments"):
        return True
    if p == "identifier" and pp == "for_intro" and n == "in":
        return True
    if n in ("}", "]") and np in ("block_end", "object_end", "tuple_end", "new_index"):
        return True
    if n == "," and (np in ("tuple", "object") or (np == "function_arguments" and nxt.next_sibling is not None)):
        return True
    if n == "{" and np == "block_start":
        return True
    if n in ("?", ":") and np == "conditional":
        return True
    if (n == ":" or n == "in") and np == "for_intro":
        return True
    if n in _BINARY and n != "-" and np == "binary_operation":
        return True
    if (n == "if" and np == "for_cond") or (n == "ellipsis" and np == "for_object_expr"):
        return True
    return False


def _starts(node: Any, kinds: tuple[str, ...]) -> bool:
    """Whether ``node`` is the first token of one of ``kinds``."""
    while node is not None:
        if node.type in kinds:
            return True
        if node.prev_sibling is not None:
            return False
        node = node.parent
    return False


class _Compiler:
    def __init__(self, relpath: str, limits: Limits) -> None:
        self.relpath = relpath
        self.limits = limits
        self.data = b""

    def file(self, text: str) -> Body:
        if _odd_text(text):
            raise Fallback("text python-hcl2 lexes otherwise")
        self.data = text.encode("utf-8")
        root = parse_tree(self.data, self.limits).root_node
        for child in root.named_children:
            if child.type == "body":
                return self.body(child)
            if child.type != "comment":
                raise Fallback(f"{child.type} as the whole file")  # a JSON-like object
        return Body()

    def after(self, position: int) -> str:
        return self.data[position:position + 4].decode("utf-8", "ignore")

    def text(self, node: Any) -> str:
        start, end = node.byte_range
        return self.data[start:end].decode("utf-8")

    def plain(self, start: int, end: int) -> str | None:
        """The text between a string's quotes when it is one plain literal
        token (no ``$``, ``%``, ``\\`` or ``"``, the closing quote at ``end``):
        what :func:`_literal_tokens` and :func:`unescape` would leave as it is."""
        data = self.data
        if _NOT_PLAIN.search(data, start, end) is None and data[end:end + 1] == b'"':
            return data[start:end].decode("utf-8")
        return None

    def literal_string(self, start: int, end: int) -> str | None:
        """The value python-hcl2 gives a quoted string that its lexer reads as
        literal tokens only (``STRING_CHARS``, ``$${...}``, ``%%{...}``) from
        ``start`` to the closing quote at ``end``, where tree-sitter's string
        ends too (so the rest of the file is read alike); None otherwise. The
        look-aheads see the text after ``end``; an escape that would run past
        ``end`` is another reading (None either way)."""
        raw = self.data[start:end].decode("utf-8")
        text, limit = raw + self.after(end), len(raw)
        parts = []
        position = 0
        while position < limit:
            m = _LITERAL_TOKENS.match(text, position)
            if m is None:
                return None
            parts.append(unescape(m.group()[1:] if m.lastgroup == "esc" else m.group()))
            position = m.end()
        return "".join(parts) if position == limit and text[limit:limit + 1] == '"' else None

    # structure

    def body(self, node: Any) -> Body:
        body = Body()
        for child in node.named_children:
            kind = child.type
            if kind == "attribute":
                parts = child.named_children
                name = self.name(parts[0])
                line = child.start_point[0] + 1
                first = body.attributes.get(name)
                if first is not None:  # as the reference's compiler, with its words
                    raise LoadError(f"argument {name!r} is written twice in one block (first at line "
                                    f"{first.line}); Terraform refuses such a file", line)
                value = parts[-1]
                if value.type != "expression":  # a comment after it: the last expression
                    value = [c for c in parts if c.type == "expression"][-1]
                body.attributes[name] = Attribute(name, self.expr(value), line)
            elif kind == "block":
                body.blocks.append(self.block(child))
            elif kind != "comment":
                raise Fallback(f"unexpected {kind} in a body")
        return body

    def block(self, node: Any) -> Block:
        names: list[str] = []
        inner = Body()
        for child in node.named_children:
            kind = child.type
            if kind == "identifier":
                names.append(self.name(child))
            elif kind == "string_lit":
                names.append(self.label(child))
            elif kind == "body":
                inner = self.body(child)
            elif kind not in ("block_start", "block_end", "comment"):
                raise Fallback(f"unexpected {kind} in a block")
        return Block(names[0], tuple(names[1:]), inner, node.start_point[0] + 1, self.relpath)

    def name(self, node: Any) -> str:
        start, end = node.byte_range
        return _name(self.data[start:end], "identifier")

    def label(self, node: Any) -> str:
        """A quoted label: its literal tokens unescaped as they are (python-hcl2 keeps ``$${``)."""
        children = node.children
        start, end = children[0].end_byte, children[-1].start_byte
        plain = self.plain(start, end)
        if plain is not None:
            return plain
        raw = self.data[start:end].decode("utf-8")
        return "".join(unescape(m.group()) for m in _literal_tokens(raw, self.after(end)))

    # expressions

    def expr(self, node: Any) -> Expr:
        """An ``expression`` node: a conditional, a parenthesised expression
        or a term with its steps (``a.b[0].*``), flattened by the grammar."""
        children = node.children
        if len(children) == 1:  # most expressions: one primary, no steps
            only = children[0]
            kind = only.type
            if kind == "conditional":
                return self.conditional(only)
            if kind not in ("(", "comment"):
                return self.primary(only, kind)
        return self.term(children)

    def conditional(self, node: Any) -> Expr:
        """tree-sitter-hcl nests ``a ? b : c ? d : e`` to the left; python-hcl2
        (as Terraform) to the right: ``a ? b : (c ? d : e)``."""
        operands: list[Any] = []
        while True:
            cond, then, otherwise = (c for c in node.named_children if c.type != "comment")
            operands[:0] = [then, otherwise]
            inner = [c for c in cond.children if c.type != "comment"]
            if len(inner) != 1 or inner[0].type != "conditional":
                operands.insert(0, cond)
                break
            node = inner[0]
        result = self.expr(operands[-1])
        for i in range(len(operands) - 3, -1, -2):
            result = Conditional(self.expr(operands[i]), self.expr(operands[i + 1]), result)
        return result

    def term(self, children: list[Any]) -> Expr:
        children = [c for c in children if c.type != "comment"]
        first = children[0]
        if first.type == "(":
            close = _closing_paren(children)
            result = self.expr(children[1])
            rest = children[close + 1:]
        else:
            result = self.primary(first)
            rest = children[1:]
        for step in rest:
            result = self.step(result, step)
        return result

    def primary(self, node: Any, kind: str | None = None) -> Expr:
        kind = kind or node.type
        if kind == "variable_expr":
            return Ref(self.name(node.children[0]))
        if kind == "literal_value":
            inner = node.children[0]
            if inner.type == "string_lit":  # the usual literal: straight to its template
                return self.template(inner)
            return self.literal(inner)
        if kind == "template_expr":
            inner = node.children[0]
            if inner.type == "quoted_template":
                return self.template(inner)
            return self.heredoc(inner)
        if kind == "collection_value":
            inner = node.children[0]
            return self.tuple(inner) if inner.type == "tuple" else self.object(inner)
        if kind == "function_call":
            return self.call(node)
        if kind == "for_expr":
            return self.for_expr(node.children[0])
        if kind == "operation":
            inner = node.children[0]
            return self.unary(inner) if inner.type == "unary_operation" else self.binary(inner)
        if kind == "expression":
            return self.expr(node)
        raise Fallback(f"unexpected {kind}")

    def literal(self, node: Any) -> Expr:
        kind = node.type
        if kind == "numeric_lit":
            return self.number(self.text(node))
        if kind == "bool_lit":
            return Lit(self.text(node) == "true")
        if kind == "null_lit":
            return Lit(None)
        if kind == "string_lit":
            return self.template(node)
        raise Fallback(f"unexpected {kind}")

    def number(self, text: str) -> Expr:
        """One number token as python-hcl2's compiler reads it (``text`` may carry its ``-``)."""
        digits = text.lstrip("-")
        if _INT.fullmatch(digits):
            try:
                return Lit(int(text))
            except ValueError:  # Python converts at most 4,300 digits; Terraform has arbitrary precision
                return Invalid(f"a number of {len(text):,} digits: too long to analyse")
        if _FLOAT.fullmatch(digits):
            value = float(text)
            return Lit(value) if math.isfinite(value) else Invalid(f"{text}: number out of range")
        raise Fallback(f"number {text!r}")  # 0x1F: python-hcl2 refuses it

    def step(self, obj: Expr, node: Any) -> Expr:
        kind = node.type
        if kind == "get_attr":
            start, end = node.named_children[0].byte_range
            return GetAttr(obj, _name(self.data[start:end], "attribute"))
        if kind == "index":
            inner = node.children[0]
            if inner.type == "legacy_index":
                digits = self.text(inner)[1:].strip()
                if not _INT.fullmatch(digits):
                    raise Fallback(f"index {digits!r}")
                return Index(obj, Lit(int(digits)))
            return Index(obj, self.expr(inner.named_children[0]))
        if kind == "splat":
            return self.splat(obj, node.children[0])
        raise Fallback(f"unexpected {kind} after an expression")

    def splat(self, obj: Expr, node: Any) -> Expr:
        steps = [c for c in node.named_children if c.type != "comment"]
        each: Expr = Ref(SPLAT_ITEM)
        if node.type == "full_splat":
            for step in steps:
                each = self.step(each, step)
            return Splat(obj, each)
        # ``a.*.b[0]`` is ``(a[*].b)[0]``: the legacy splat takes attributes only
        while steps and steps[0].type == "get_attr":
            each = self.step(each, steps.pop(0))
        result: Expr = Splat(obj, each)
        for step in steps:
            result = self.step(result, step)
        return result

    def tuple(self, node: Any) -> Expr:
        items = [c for c in node.named_children if c.type == "expression"]
        return TupleExpr(tuple(self.expr(i) for i in items), tuple(i.start_point[0] + 1 for i in items))

    def object(self, node: Any) -> Expr:
        items = []
        for elem in node.named_children:
            if elem.type != "object_elem":
                continue
            key, value = [c for c in elem.named_children if c.type == "expression"]
            items.append((self.object_key(key), self.expr(value), elem.start_point[0] + 1))
        return ObjectExpr(tuple(items))

    def object_key(self, node: Any) -> Expr:
        children = node.children
        if len(children) != 1:  # comments beside the key
            children = [c for c in children if c.type != "comment"]
        if len(children) == 1 and children[0].type == "variable_expr":
            return Lit(self.name(children[0].children[0]))  # a bare key is a literal name, not a reference
        return self.expr(node)

    def call(self, node: Any) -> Expr:
        name = self.text(node.children[0])
        parts = name.split("::")
        if len(parts) not in (1, 3) or not all(_NAME.fullmatch(p) for p in parts):
            raise Fallback(f"function name {name!r}")
        args: tuple[Expr, ...] = ()
        expand = False
        for child in node.named_children:
            if child.type == "function_arguments":
                args = tuple(self.expr(a) for a in child.named_children if a.type == "expression")
                expand = any(a.type == "ellipsis" for a in child.children)
        return Call("::".join(parts), args, expand)

    def for_intro(self, node: Any) -> tuple[str | None, str, Expr]:
        names = [self.name(c) for c in node.named_children if c.type == "identifier"]
        collection = self.expr(next(c for c in node.named_children if c.type == "expression"))
        return (None, names[0], collection) if len(names) == 1 else (names[0], names[1], collection)

    def for_expr(self, node: Any) -> Expr:
        parts = [c for c in node.named_children if c.type not in ("comment", "tuple_start", "tuple_end",
                                                                   "object_start", "object_end")]
        key_var, value_var, collection = self.for_intro(parts[0])
        exprs = [p for p in parts[1:] if p.type == "expression"]
        conds = [p for p in parts if p.type == "for_cond"]
        cond = self.expr([c for c in conds[0].named_children if c.type == "expression"][0]) if conds else None
        if node.type == "for_tuple_expr":
            return ForExpr(key_var, value_var, collection, None, self.expr(exprs[0]), cond, False)
        group = any(p.type == "ellipsis" for p in parts)
        return ForExpr(key_var, value_var, collection, self.expr(exprs[0]), self.expr(exprs[1]), cond, group)

    def unary(self, node: Any) -> Expr:
        op_token, *operand = [c for c in node.children if c.type != "comment"]
        op = op_token.type
        first = operand[0]
        if first.type == "operation":  # ``!-x``, ``--1``: python-hcl2 refuses them
            raise Fallback("an operator after a unary operator")
        if (op == "-" and first.type == "literal_value" and first.children[0].type == "numeric_lit"
                and first.start_byte == op_token.end_byte and _one_negative_token(self.text(first))):
            # ``-10``, ``-0.5``: one number token in python-hcl2's lexer, whose
            # INT_LITERAL is ``NEGATIVE_DECIMAL? DECIMAL+`` — a ``-`` with at least
            # two digits; ``-1`` is the operator ``-`` applied to ``1`` there.
            result = self.number("-" + self.text(first))
            for step in operand[1:]:  # ``-10[0]`` is ``(-10)[0]`` there, ``-1[0]`` is ``-(1[0])``
                result = self.step(result, step)
            return result
        value = self.term(operand)
        if op == "-" and isinstance(value, Lit) and type(value.value) in (int, float):
            return Lit(-value.value)
        return UnaryOp(op, value)

    def binary(self, node: Any) -> Expr:
        children = [c for c in node.children if c.type != "comment"]
        depth = 0
        for i, child in enumerate(children):
            kind = child.type
            if kind == "(":
                depth += 1
            elif kind == ")":
                depth -= 1
            elif depth == 0 and not child.is_named and kind in _BINARY:
                return BinaryOp(kind, self.term(children[:i]), self.term(children[i + 1:]))
        raise Fallback("a binary operation without its operator")

    # templates

    def template(self, node: Any) -> Expr:
        """A quoted string as python-hcl2's compiler builds it: its parts made
        flat (literal tokens, interpolations, directives), then nested again."""
        children = node.children
        start, end = children[0].end_byte, children[-1].start_byte
        count = len(children)
        if count == 2 or (count == 3 and children[1].type == "template_literal"):
            plain = self.plain(start, end)
            if plain is not None:
                return Lit(plain)  # what the assembly of its one literal token gives
        try:
            items = list(self.template_items(node, start, end))
        except Fallback:
            literal = self.literal_string(start, end)
            if literal is None:
                raise
            return Lit(literal)  # "$$${x}": tree-sitter sees an interpolation, python-hcl2 only text
        return _assemble(items)

    def template_items(self, node: Any, start: int, end: int) -> Iterator[tuple]:
        """``("lit", text) | ("expr", Expr) | (directive, strip_before, strip_after, payload)``
        for the parts of ``node`` between bytes ``start`` and ``end``."""
        position = start
        for child in node.children:
            if child.start_byte < start or child.end_byte > end:
                continue
            kind = child.type
            if kind in ("template_literal", "comment"):
                continue  # sliced from the source below, blanks included
            if kind == "template_interpolation":
                yield from self.literal_items(position, child.start_byte)
                yield self.interpolation(child)
                position = child.end_byte
            elif kind == "template_directive":
                yield from self.literal_items(position, child.start_byte)
                yield from self.directive_items(child.children[0])
                position = child.end_byte
            else:
                raise Fallback(f"unexpected {kind} in a string")
        yield from self.literal_items(position, end)

    def interpolation(self, node: Any) -> tuple:
        if any(c.type == "strip_marker" for c in node.children):
            raise Fallback("a strip marker in an interpolation")  # python-hcl2 refuses it
        return ("expr", self.expr(next(c for c in node.children if c.type == "expression")))

    def directive_items(self, node: Any) -> Iterator[tuple]:
        position = node.start_byte
        for child in node.children:
            kind = child.type
            if kind in ("template_if_intro", "template_else_intro", "template_if_end", "template_for_start",
                        "template_for_intro", "template_for_end"):
                yield from self.literal_items(position, child.start_byte)
                yield self.directive_tag(child)
                position = child.end_byte
            elif kind == "template_literal":
                continue
            elif kind in ("template_interpolation", "template_directive"):
                yield from self.literal_items(position, child.start_byte)
                if kind == "template_interpolation":
                    yield self.interpolation(child)
                else:
                    yield from self.directive_items(child.children[0])
                position = child.end_byte
            elif kind != "comment":
                raise Fallback(f"unexpected {kind} in a directive")
        yield from self.literal_items(position, node.end_byte)

    def directive_tag(self, node: Any) -> tuple:
        kids = [c for c in node.children if c.type != "comment"]
        strip_before = kids[1].type == "strip_marker"
        strip_after = kids[-2].type == "strip_marker"
        kind = node.type
        if kind == "template_if_intro":
            payload: Any = self.expr(next(c for c in kids if c.type == "expression"))
            return ("if", strip_before, strip_after, payload)
        if kind in ("template_for_start", "template_for_intro"):
            names = [self.name(c) for c in kids if c.type == "identifier"]
            collection = self.expr(next(c for c in kids if c.type == "expression"))
            intro = (None, names[0], collection) if len(names) == 1 else (names[0], names[1], collection)
            return ("for", strip_before, strip_after, intro)
        tag = {"template_else_intro": "else", "template_if_end": "endif", "template_for_end": "endfor"}[kind]
        return (tag, strip_before, strip_after, None)

    def literal_items(self, start: int, end: int) -> Iterator[tuple]:
        if end <= start:
            return
        raw = self.data[start:end].decode("utf-8")
        for m in _literal_tokens(raw, self.after(end)):
            text = m.group()
            yield ("lit", unescape(text[1:] if m.lastgroup == "esc" else text))

    def heredoc(self, node: Any) -> Expr:
        """The text python-hcl2's heredoc token gives, read as the loader reads it."""
        kids = node.children
        opening, closing = kids[1], kids[-1]
        if (opening.type != "heredoc_identifier" or closing.type != "heredoc_identifier" or opening == closing
                or opening.start_byte != kids[0].end_byte):
            raise Fallback("a heredoc without its markers")
        marker = self.text(opening)
        data = self.data
        if (not _HEREDOC_NAME.fullmatch(marker) or self.text(closing) != marker
                or data[opening.end_byte:opening.end_byte + 1] != b"\n"
                or data[closing.end_byte:closing.end_byte + 1] not in (b"\n", b"")):
            raise Fallback("a heredoc marker python-hcl2 reads otherwise")
        raw = data[opening.end_byte + 1:closing.start_byte].decode("utf-8")
        lines = raw.split("\n")
        if lines[-1].strip() or any(line.strip() == marker for line in lines[:-1]):
            raise Fallback("a heredoc python-hcl2 closes elsewhere")
        lines = lines[:-1]
        trim = kids[0].text == b"<<-"
        if trim:
            indents = [len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()]
            cut = min(indents, default=0)
            lines = [x[cut:] for x in lines]
        text = "".join(x + "\n" for x in lines)
        if "${" not in text and "%{" not in text:
            return Lit(text)
        return _heredoc_template(text, trim, marker, self.relpath, self.limits)


# Names seen, as bytes -> their text once checked against python-hcl2's identifier: the same few names
# ("tags", "name", "var") make most of a file's identifiers. Bounded: a name not kept is checked each time.
_NAMES: dict[bytes, str] = {}
_NAMES_KEPT = 4096


def _name(raw: bytes, what: str) -> str:
    """``raw`` as text when python-hcl2 lexes it as one identifier, else :class:`Fallback`."""
    text = _NAMES.get(raw)
    if text is None:
        text = raw.decode("utf-8")
        if not _NAME.fullmatch(text):
            raise Fallback(f"{what} {text!r}")
        if len(_NAMES) < _NAMES_KEPT:
            _NAMES[raw] = text
    return text


def _closing_paren(children: list[Any]) -> int:
    depth = 0
    for i, child in enumerate(children):
        if child.type == "(":
            depth += 1
        elif child.type == ")":
            depth -= 1
            if depth == 0:
                return i
    raise Fallback("unbalanced parentheses")


def _literal_tokens(raw: str, after: str) -> list[re.Match[str]]:
    """python-hcl2's tokens of a literal part of a string (``after``: the
    text that follows, which its look-aheads see: ``$`` before ``${``);
    Fallback if it would not read that part so."""
    tokens = []
    position = 0
    end = len(raw)
    for m in _LITERAL_TOKENS.finditer(raw + after):
        if m.start() != position or position >= end:
            break
        tokens.append(m)
        position = m.end()
    if position != end:
        raise Fallback("a string python-hcl2 lexes otherwise")
    return tokens


def _assemble(items: list[tuple]) -> Expr:
    """python-hcl2's compiler's template assembly (``loader._Compiler._template``), on flat items."""
    root: list[Any] = []
    current = root
    stack: list[tuple[list[Any], list[Any]]] = []
    strip_next = False
    for item in items:
        kind = item[0]
        if kind == "lit":
            text = item[1]
            if strip_next:
                text = text.lstrip()
            if current and isinstance(current[-1], str):
                current[-1] += text
            else:
                current.append(text)
            strip_next = False
            continue
        if kind == "expr":
            current.append(item[1])
            strip_next = False
            continue
        _, strip_before, strip_after, payload = item
        if strip_before and current and isinstance(current[-1], str):
            current[-1] = current[-1].rstrip()
        strip_next = strip_after
        if kind == "if":
            frame: list[Any] = ["if", payload, [], None]
            stack.append((frame, current))
            current = frame[2]
        elif kind == "for":
            frame = ["for", payload, []]
            stack.append((frame, current))
            current = frame[2]
        elif kind == "else" and stack and stack[-1][0][0] == "if" and stack[-1][0][3] is None:
            stack[-1][0][3] = current = []
        elif kind == "endif" and stack and stack[-1][0][0] == "if":
            frame, current = stack.pop()
            current.append(TemplateIf(frame[1], _parts(frame[2]), _parts(frame[3] or [])))
        elif kind == "endfor" and stack and stack[-1][0][0] == "for":
            frame, current = stack.pop()
            key_var, value_var, collection = frame[1]
            current.append(TemplateFor(key_var, value_var, collection, _parts(frame[2])))
        else:
            raise Fallback(f"unbalanced template directive ({kind})")
    if stack:
        raise Fallback("template directive without its end")
    parts = _parts(root)
    if not parts:
        return Lit("")
    if len(parts) == 1 and isinstance(parts[0], str):
        return Lit(parts[0])
    if len(parts) == 1 and not isinstance(parts[0], (TemplateIf, TemplateFor)):
        return parts[0]  # "${x}" is x itself, not its string form
    return Template(parts)


def _heredoc_template(text: str, trim: bool, marker: str, relpath: str, limits: Limits) -> Expr:
    """A heredoc's template as the loader reads it: quoted, then parsed (here
    with tree-sitter); where that is not certain, the loader's own reading."""
    try:
        source = f"v = {_quote_template(text)}"
        compiler = _Compiler(relpath, limits)
        if _odd_text(source):
            raise Fallback("text python-hcl2 lexes otherwise")
        compiler.data = source.encode("utf-8")
        root = parse_tree(compiler.data, limits).root_node
        attribute = root.named_children[0].named_children[0]
        return compiler.expr([c for c in attribute.named_children if c.type == "expression"][-1])
    except (Fallback, LoadError):
        token = f"<<{'-' if trim else ''}{marker}\n{text}{marker}\n"
        return _LarkCompiler(relpath, limits)._heredoc(token, trim)


def _one_negative_token(digits: str) -> bool:
    """Whether python-hcl2's lexer reads ``-`` + ``digits`` as one number
    token: a float (``-0.5``, ``-1e3``), or an integer of two digits or more."""
    return len(digits) > 1 or not digits.isdigit()
