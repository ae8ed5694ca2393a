"""The tree-sitter HCL front end reads every file exactly as python-hcl2's (the reference) does.

Results are compared as their ``repr``: every syntax node, value with its
type (``1`` is not ``1.0`` nor ``True``), attribute order and line, or the
error with its reason and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iacgov.limits import Limits
from iacgov.parsers.terraform import loader, treesitter
from tests.parsers.terraform.test_tf_errors import EXPRESSIONS, HCL_PIECES

REPO = Path(__file__).resolve().parents[3]
FIXTURES = sorted(
    p for top in ("fixtures", "plugins") for p in (REPO / top).rglob("*")
    if p.suffix in (".tf", ".tfvars") and p.is_file() and ".venv" not in p.parts
)


def read(text: str, frontend: str, monkeypatch: pytest.MonkeyPatch, limits: Limits | None = None) -> str:
    monkeypatch.setenv(treesitter.FRONTEND_VARIABLE, frontend)
    try:
        return repr(loader.parse_text(text, "main.tf", limits))
    except loader.LoadError as exc:
        return f"LoadError({exc.reason!r}, {exc.line!r})"
    except Exception as exc:  # noqa: BLE001 - python-hcl2's own failures (load_file reports them) must be kept too
        return f"{type(exc).__name__}({exc})"


def compiled_by_tree_sitter(text: str, limits: Limits | None = None) -> bool:
    try:
        treesitter.parse_text(text, "main.tf", limits or Limits())
    except treesitter.Fallback:
        return False
    except loader.LoadError:
        pass
    return True


def assert_same(text: str, monkeypatch: pytest.MonkeyPatch, limits: Limits | None = None) -> str:
    reference = read(text, "lark", monkeypatch, limits)
    assert read(text, "tree-sitter", monkeypatch, limits) == reference
    return reference


def test_the_fixtures_are_found():
    assert len(FIXTURES) > 200


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_fixture_reads_the_same(path, monkeypatch):
    try:
        text = loader.decode(path.read_bytes())
    except loader.LoadError:
        pytest.skip("not UTF-8 text: refused before either parser")
    reference = assert_same(text, monkeypatch)
    if not reference.startswith("LoadError"):  # a valid file is compiled by tree-sitter, not handed back
        assert compiled_by_tree_sitter(text), path


CASES = {
    "numbers": "a = 1\nb = 1.5\nc = -2\nd = - 2\ne = 1.0e3\nf = 1.5E-3\ng = -0.0\nh = 007\n",
    "huge_int": "a = " + "9" * 4400 + "\nb = -" + "9" * 4400 + "\nc = - " + "9" * 4400 + "\n",
    "float_range": "a = 1.0e999\nb = -1.0e999\nc = - 1.0e999\n",
    # python-hcl2 lexes ``-`` + two digits or more (or a float) as one number:
    # ``-10[0]`` is ``(-10)[0]``, ``-1[0]`` and ``-0[0]`` are ``-(1[0])``.
    # a duplicate argument before a character python-hcl2 refuses: its syntax error is the one named
    "duplicate_then_unicode_name": "a = a\na = é\n",
    "negative_index": "a = -0[0]\nb = -1[0]\nc = -10[0]\nd = -0.5[0]\ne = -00[0]\n",
    "exponent_without_fraction": "a = 1e3\n",
    "escapes": 'a = "q\\"\\\\\\n\\t\\r\\u00e9\\U0001F600"\nb = "$${x} %%{y} $ % $$ %%"\nc = "é ü 日本"\n',
    # python-hcl2 lexes "$$${x}" as "$" and the escape "$${x}" (text only), where tree-sitter sees "$$" and ${x}
    "dollars": 'a = {"k/$$${b.c}" = 1, "$${d}" = 2}\nb = "$$$$${e}"\nc = "$$${"q"}"\nd = "\\\\$$${f}"\n',
    "dollars_then_interpolation": 'a = "$$${b}${c}"\n',  # text, then an interpolation: handed over
    "escape_past_the_quote": 'a = ["$${", "}"]\n',  # python-hcl2's "$${" escape runs to the "}" of the next string
    "unknown_escape": 'a = "\\x"\n',
    "label_escapes": 'resource "a\\"b" "$${x}" {\n}\n',
    "templates": 'a = "${x}"\nb = "x${y}z"\nc = "%{if a}b%{else}c%{endif}"\nd = "%{ for k, v in m }${k}=${v},%{ endfor }"\n',
    "strip_markers": 'a = "x  %{~ if a ~}  y  %{~ else ~}  z  %{~ endif ~}  w"\nb = "  %{ for v in l ~}\n  ${v}  %{~ endfor }  "\n',
    "heredoc": "a = <<EOT\n  one\n    two ${x}\nEOT\nb = <<-EOT\n    one\n      %{ if x }two%{ endif }\n    EOT\nc = <<EOT\nEOT\n",
    "heredoc_escapes": 'a = <<-EOT\n  "q" \\n $${x} ${"y"}\n  EOT\n',
    "heredoc_blank_lines": "a = <<-EOT\n\n    x\n\n  EOT\n",
    "heredoc_in_call": "a = jsonencode(<<EOT\n{}\nEOT\n)\n",
    "operators": "a = 1 + 2 * 3 - 4 / 5 % 6\nb = !a && b || c == d != e < f <= g > h >= i\nc = -a.b\nd = a - -1\n",
    "conditionals": "a = x ? y : z ? 1 : 2\nb = (x ? y : z) ? 1 : 2\nc = x ? y ? 1 : 2 : 3\n",
    "traversals": "a = x.y[0].z.1[\"k\"]\nb = x.*.y[0]\nc = x[*].y.z\nd = x.*.y.*.z\ne = x[*]\n",
    "collections": 'a = [1, 2,]\nb = {k = 1, "q" : 2, (v) = 3, k2 = 4\n  in = 5\n  a.b = 6}\nc = []\nd = {}\n',
    "for": "a = [for v in l : v if v]\nb = {for k, v in m : k => v... if v}\nc = [\n  for v in l :\n  v\n  if v\n]\n",
    "calls": "a = f()\nb = f(1, 2,)\nc = f(l...)\nd = provider::aws::arn_parse(x)\ne = f(\n  1,\n  2\n)\n",
    "keyword_names": "in {}\ntrue = 1\nx = in\ny = a.true\n",
    "newlines_allowed": "a = (\n  1\n  +\n  2\n)\nb = x\n  ? y\n  : z\nc = [\n  1,\n  2\n]\n",
    "comments": "# c\na = 1 # c\n/* c */ b = 2\nc = [ /* c */ 1, // c\n 2]\nd = 1 /* c */\n",
    "one_line_blocks": 'r "a" { x = 1 }\nr "b" {}\nr "c" "d" {\n}\n',
    "duplicate_argument": "a = 1\na = 2\n",
    "empty": "",
    "only_comment": "# nothing\n",
    "unicode_identifier": "é = 1\n",
    "hex_number": "a = 0x1F\n",
    "newline_before_minus": "a = (1\n- 2)\n",
    "comment_after_equals": "a = /* c */ 1\n",
    "strip_in_interpolation": 'a = "${~ x ~}"\n',
    "double_unary": "a = !-x\nb = --1\n",
    "odd_float": "a = -1-2.5\n",
    "double_colon_reference": "a = x::y\n",
    "heredoc_marker_space": "a = <<EOT \nx\nEOT\n",
    "unterminated": 'a = "x\n',
    "unbalanced_directive": 'a = "%{ endif }"\n',
    "directive_quotes": 'a = "%{ if x == \\"a\\" }y%{ endif }"\n',
    "missing_brace": 'r "a" {\n  x = 1\n',
    "nbsp": "a =\u00a01\n",
}
VALID = {"numbers", "huge_int", "float_range", "escapes", "dollars", "label_escapes", "templates", "strip_markers", "heredoc",
         "heredoc_escapes", "negative_index", "duplicate_then_unicode_name", "heredoc_blank_lines", "heredoc_in_call", "operators", "conditionals", "traversals",
         "collections", "for", "calls", "keyword_names", "newlines_allowed", "one_line_blocks", "empty",
         "only_comment", "duplicate_argument", "comments"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_literals_templates_and_syntax_read_the_same(name, monkeypatch):
    """Each case gives python-hcl2's result; the valid ones are compiled by
    tree-sitter itself, the others (python-hcl2 refuses or reads them
    otherwise) are handed to the reference, whose error is kept."""
    text = CASES[name]
    reference = assert_same(text, monkeypatch)
    assert compiled_by_tree_sitter(text) == (name in VALID), reference


def test_values_are_those_of_the_reference(monkeypatch):
    """A few values spelled out, so that the comparison above cannot hide a
    change made to both front ends at once."""
    monkeypatch.setenv(treesitter.FRONTEND_VARIABLE, "tree-sitter")
    body = treesitter.parse_text("\n" + CASES["numbers"], "main.tf", Limits())
    values = {name: attribute.expr for name, attribute in body.attributes.items()}
    assert values["c"] == loader.Lit(-2) and type(values["b"].value) is float and values["h"].value == 7
    assert body.attributes["h"].line == 9
    assert repr(values["g"]) == "Lit(value=-0.0)"
    assert treesitter.parse_text("a = -10[0]\n", "main.tf", Limits()).attributes["a"].expr == loader.Index(
        loader.Lit(-10), loader.Lit(0))  # python-hcl2 reads -10 as one number
    assert loader.parse_text(CASES["escapes"], "x.tf").attributes["a"].expr.value == 'q"\\\n\t\ré\U0001F600'
    assert loader.parse_text(CASES["escapes"], "x.tf").attributes["b"].expr.value == "${x} %{y} $ % $$ %%"
    dollars = treesitter.parse_text(CASES["dollars"], "main.tf", Limits()).attributes
    assert dollars["a"].expr.items[0][0] == loader.Lit("k/$${b.c}")  # terragoat's eks.tf writes such tag keys
    assert dollars["b"].expr == loader.Lit("$$$${e}") and dollars["c"].expr == loader.Lit('$${"q"}')
    assert dollars["d"].expr == loader.Lit("\\$${f}")
    heredoc = loader.parse_text(CASES["heredoc"], "x.tf").attributes
    assert heredoc["b"].expr.parts[0] == "one\n  " and heredoc["c"].expr == loader.Lit("")
    big = loader.parse_text(CASES["huge_int"], "x.tf").attributes
    assert big["a"].expr.reason.startswith("a number of 4,400 digits")
    assert big["b"].expr.reason.startswith("a number of 4,401 digits")  # one token with its sign, as python-hcl2
    assert isinstance(big["c"].expr, loader.UnaryOp)


def test_a_syntax_error_is_named_by_the_reference(monkeypatch):
    monkeypatch.setenv(treesitter.FRONTEND_VARIABLE, "tree-sitter")
    with pytest.raises(loader.LoadError) as caught:
        loader.parse_text('resource "a" "b" {\n  x = 1\n  y = = 2\n}\n', "main.tf")
    assert caught.value.reason == "syntax error at line 3, column 7: unexpected '= 2'" and caught.value.line == 3


@pytest.mark.parametrize("shape", [
    "[{}]", "{{a = {}}}", "({})", "f({})", "-({})", "x[{}]", "[for v in {} : v]", '"${{{}}}"', "{} ? 1 : 2", "a + {}",
    "!({})", "{}.a.b",
])
def test_nesting_near_the_limit_reads_the_same(shape, monkeypatch):
    """Around python-hcl2's depth limit the reference decides: tree-sitter
    never compiles a tree python-hcl2 would refuse as too deep."""
    limits = Limits(max_nesting_depth=20)
    for depth in range(1, 60, 3):
        expr = "1"
        for _ in range(depth):
            expr = shape.format(expr)
        assert_same(f"a = {expr}\n", monkeypatch, limits)


def test_nested_blocks_near_the_limit_read_the_same(monkeypatch):
    limits = Limits(max_nesting_depth=20)
    for depth in range(1, 60, 3):
        assert_same("b {\n" * depth + "x = 1\n" + "}\n" * depth, monkeypatch, limits)


def test_the_environment_switch_forces_the_reference(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("tree-sitter was used")

    monkeypatch.setattr(treesitter, "parse_text", refuse)
    monkeypatch.setenv(treesitter.FRONTEND_VARIABLE, "lark")
    assert treesitter.frontend() == "lark"
    assert loader.parse_text("a = 1\n", "main.tf").attributes["a"].expr == loader.Lit(1)
    monkeypatch.setenv(treesitter.FRONTEND_VARIABLE, "tree-sitter")
    with pytest.raises(AssertionError, match="tree-sitter was used"):
        loader.parse_text("a = 1\n", "main.tf")


def test_parse_cache_entries_of_one_front_end_are_not_read_by_the_other(tmp_path, monkeypatch):
    monkeypatch.setenv(treesitter.FRONTEND_VARIABLE, "lark")
    lark = loader.terraform_cache(tmp_path)
    monkeypatch.setenv(treesitter.FRONTEND_VARIABLE, "tree-sitter")
    tree_sitter = loader.terraform_cache(tmp_path)
    assert lark.namespace != tree_sitter.namespace
    data = b"a = 1\n"
    key, _ = lark.get(data)
    lark.put(key, loader.cache_entry(loader.LoadedFile("main.tf", loader.parse_text("a = 1\n", "main.tf"))))
    assert lark.get(data)[1] is not None
    assert tree_sitter.get(data)[1] is None
    json_lark = loader.terraform_cache(tmp_path, syntax="json")
    monkeypatch.setenv(treesitter.FRONTEND_VARIABLE, "lark")
    assert loader.terraform_cache(tmp_path, syntax="json").namespace == json_lark.namespace  # JSON: no HCL parser


# -- generated HCL ------------------------------------------------------------------------------

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_SETTINGS
@given(st.lists(EXPRESSIONS, min_size=3, max_size=3))
def test_generated_expressions_read_the_same(monkeypatch, exprs):
    text = (f'variable "x" {{\n  default = {exprs[0]}\n}}\nlocals {{\n  l = {exprs[1]}\n}}\n'
            f'resource "r" "n" {{\n  tags = {{ t = {exprs[2]} }}\n  list = [\n    {exprs[0]},\n    {exprs[1]}\n  ]\n}}\n')
    assert_same(text, monkeypatch)


@_SETTINGS
@given(st.lists(HCL_PIECES, max_size=30))
def test_generated_fragments_read_the_same(monkeypatch, pieces):
    assert_same("".join(pieces), monkeypatch)


# Tokens where the two grammars differ most: newlines, comments, signs, strings, heredocs, directives.
_TOKENS = st.sampled_from([
    "a", "b.c", "x[0]", "f(", ")", "(", "[", "]", "{", "}", ",", " = ", " : ", " ? ", "=>", "...", "-", "!", "+",
    " - ", "*", "==", "&&", "1", "-1", "1.5e3", "-1e999", "0x1", '"s"', '"${a}"', '"$${a}"', '"%{ if a ~}x%{~ endif }"',
    '"\\n\\u00e9"', '"é"', "\n", "\n\n", " ", "\t", "# c\n", "// c\n", "/* c */", "/* \n */", "<<EOT\nx ${a}\nEOT\n",
    "<<-EOT\n  y\n  EOT\n", "for", "in", "if", "true", "null", ".*", "[*]", ".0", "~", "%{", "${", "::", "é",
])
_LINES = st.lists(_TOKENS, min_size=1, max_size=12).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "r", "in"]), _LINES, st.booleans()), min_size=1, max_size=4))
def test_generated_token_soup_reads_the_same(monkeypatch, lines):
    """Mostly invalid HCL: whatever one front end accepts, the other reads alike."""
    text = "".join(f'{name} "l" {{\n  v = {value}\n}}\n' if block else f"{name} = {value}\n"
                   for name, value, block in lines)
    assert_same(text, monkeypatch)
