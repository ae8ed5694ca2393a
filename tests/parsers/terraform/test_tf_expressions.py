"""Expressions and built-in functions, evaluated on their own."""

from __future__ import annotations

import json

import pytest

from iacgov.model import Unknown
from iacgov.parsers.terraform.evaluate import LITERAL_SCOPE, value_of
from iacgov.parsers.terraform.loader import parse_expression, parse_text
from iacgov.placeholders import UnknownTemplate, refs_in, restore

ACCOUNT = Unknown("data.aws_caller_identity.current.account_id is read from the provider when Terraform plans: "
                  "scan a plan JSON to know it",
                  ref="data.aws_caller_identity.current.account_id")


def ev(text: str, **names):
    return value_of(parse_expression(text), LITERAL_SCOPE.bind(names))


@pytest.mark.parametrize("text, expected", [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("7 / 2", 3.5),
    ("8 / 2", 4),
    ("-7 % 3", -1),
    ("-x", -5),
    ("1 < 2 && 2 <= 2 || false", True),
    ("!true", False),
    ('1 == "1"', False),
    ("[1, 2] == [1, 2]", True),
    ('{a = 1} != {a = 2}', True),
    ('x > 3 ? "big" : "small"', "big"),
    ("null", None),
    ("1.5e3", 1500),
])
def test_operators(text, expected):
    assert ev(text, x=5) == expected


@pytest.mark.parametrize("text, expected", [
    ('"a-${x}-${true}-${1.5}"', "a-5-true-1.5"),
    ('"$${literal} %%{literal}"', "${literal} %{literal}"),
    ('"tab\\there \\"quoted\\" \\u00e9"', 'tab\there "quoted" \u00e9'),
    ('"%{ if x > 3 }big%{ else }small%{ endif }"', "big"),
    ('"%{ for i, v in l ~}${i}=${v} %{ endfor ~}."', "0=a 1=b ."),
    ('"${l}"', ["a", "b"]),  # a lone interpolation is the value itself
])
def test_templates(text, expected):
    assert ev(text, x=5, l=["a", "b"]) == expected


def test_heredocs_keep_backslashes_and_trim_indentation():
    body = parse_text('a = <<EOT\nC:\\path "q" ${x}\nEOT\nb = <<-EOT\n    one\n      two ${x}\n    EOT\n', "t.tf")
    scope = LITERAL_SCOPE.bind({"x": 1})
    assert value_of(body.attributes["a"].expr, scope) == 'C:\\path "q" 1\n'
    assert value_of(body.attributes["b"].expr, scope) == "one\n  two 1\n"


def test_heredoc_directives_and_escapes():
    text = 'a = <<EOT\n%{ for n in l ~}\n- ${n}\n%{ endfor ~}\n$${kept} %%{kept} "${x > 0 ? "pos" : "neg"}"\nEOT\n'
    value = value_of(parse_text(text, "t.tf").attributes["a"].expr, LITERAL_SCOPE.bind({"l": ["a", "b"], "x": 1}))
    assert value == '- a\n- b\n${kept} %{kept} "pos"\n'


def test_for_expressions_splats_and_access():
    items = [{"name": "a", "on": True}, {"name": "b", "on": False}]
    assert ev("[for i in items : upper(i.name) if i.on]", items=items) == ["A"]
    assert ev("{for i in items : i.name => i.on}", items=items) == {"a": True, "b": False}
    assert ev('{for k, v in m : v => k...}', m={"x": "1", "y": "1"}) == {"1": ["x", "y"]}
    assert ev("items[*].name", items=items) == ["a", "b"]
    assert ev("items.*.name[1]", items=items) == "b"
    assert ev('m["x"]', m={"x": 1}) == 1
    assert ev("l.1", l=[10, 20]) == 20
    assert ev("s[*]", s=None) == []


def test_unknown_values_propagate_and_never_become_text():
    assert ev("u + 1", u=ACCOUNT) == Unknown(f"+ of an unknown value ({ACCOUNT.reason})")
    arn = ev('"arn:aws:iam::${u}:root"', u=ACCOUNT)
    assert isinstance(arn, UnknownTemplate)
    assert arn.text == "arn:aws:iam::<unknown:data.aws_caller_identity.current.account_id>:root"
    assert ev("u.arn", u=Unknown("r", ref="aws_kms_key.k")) == Unknown("r", ref="aws_kms_key.k.arn")
    assert ev("u ? 1 : 1", u=ACCOUNT) == 1  # both branches agree
    assert isinstance(ev("u ? 1 : 2", u=ACCOUNT), Unknown)
    assert ev("false && u", u=ACCOUNT) is False
    assert ev("lower(u)", u=ACCOUNT).reason.startswith("lower() of an unknown value")
    assert ev("length([u, 1])", u=ACCOUNT) == 2  # the list is known, one element is not


def test_jsonencode_writes_unknown_leaves_as_placeholders():
    text = ev('jsonencode({b = [1, true, null], a = "arn:${u}", c = u})', u=ACCOUNT)
    assert json.loads(text) == {
        "a": "arn:<unknown:data.aws_caller_identity.current.account_id>",
        "b": [1, True, None],
        "c": "<unknown:data.aws_caller_identity.current.account_id>",
    }
    assert text.startswith('{"a":')  # keys sorted, compact, as Terraform writes it
    assert refs_in(text) == ["data.aws_caller_identity.current.account_id"] * 2
    decoded = ev("jsondecode(t)", t=text)
    assert decoded["c"] == Unknown("decoded from a document with an unknown value", ref=ACCOUNT.ref)
    assert restore({"x": ["<unknown>"]}) == {"x": [Unknown("decoded from a document with an unknown value")]}


@pytest.mark.parametrize("text, expected", [
    ('merge({a = 1, b = 2}, {b = 3}, null)', {"a": 1, "b": 3}),
    ('concat([1], [2, 3])', [1, 2, 3]),
    ('lookup({a = 1}, "b", 0)', 0),
    ('title("hello world")', "Hello World"),
    ('format("%s-%03d-%.2f-%t-%q-%v", "a", 7, 3.14159, true, "x", [1])', 'a-007-3.14-true-"x"-[1]'),
    ('formatlist("%s=%s", ["a", "b"], "v")', ["a=v", "b=v"]),
    ('join(",", ["a", "b"], ["c"])', "a,b,c"),
    ('split(",", "a,b")', ["a", "b"]),
    ('replace("a-b-c", "-", "_")', "a_b_c"),
    ('replace("v1.2.3", "/v(\\\\d+)\\\\..*/", "major $1")', "major 1"),
    ('substr("hello", 1, 3)', "ell"),
    ('substr("hello", -3, -1)', "llo"),
    ('trimspace("  x ")', "x"),
    ('trimprefix("prefix-x", "prefix-")', "x"),
    ('trimsuffix("x.tf", ".tf")', "x"),
    ('trim("?!x!?", "!?")', "x"),
    ('length("abc") + length([1]) + length({a = 1})', 5),
    ('element(["a", "b"], 3)', "b"),
    ('index(["a", "b"], "b")', 1),
    ('keys({b = 1, a = 2})', ["a", "b"]),
    ('values({b = 1, a = 2})', [2, 1]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('flatten([[1, [2]], 3])', [1, 2, 3]),
    ('distinct([1, 2, 1])', [1, 2]),
    ('contains(["a"], "a")', True),
    ('coalesce(null, "", "x")', "x"),
    ('coalescelist([], [1])', [1]),
    ('compact(["a", "", null])', ["a"]),
    ('toset(["b", "a", "b"])', ["a", "b"]),
    ('tostring(1)', "1"),
    ('tonumber("42")', 42),
    ('tobool("true")', True),
    ('min(3, 1, 2) + max([4, 5]...)', 6),
    ('abs(-2) + ceil(1.2) + floor(1.8)', 5),
    ('range(3)', [0, 1, 2]),
    ('range(1, 10, 4)', [1, 5, 9]),
    ('slice([1, 2, 3], 1, 3)', [2, 3]),
    ('reverse([1, 2])', [2, 1]),
    ('sort(["b", "a"])', ["a", "b"]),
    ('startswith("abc", "ab") && endswith("abc", "bc") && strcontains("abc", "b")', True),
    ('regex("^(\\\\d+)-(\\\\w+)$", "12-ab")', ["12", "ab"]),
    ('regex("(?P<n>\\\\d+)", "x12")', {"n": "12"}),
    ('regexall("\\\\d", "a1b2")', ["1", "2"]),
    ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
    ('cidrhost("10.0.1.0/24", 5)', "10.0.1.5"),
    ('cidrsubnets("10.0.0.0/16", 4, 4, 8)', ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/24"]),
    ('base64decode(base64encode("é"))', "é"),
    ('md5("a")', "0cc175b9c0f1b6a831c399e269772661"),
    ('sha256("")', "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ('try(local_missing.x, "fallback")', "fallback"),
    ('try({a = 1}.b, {a = 1}.a)', 1),
    ('can({a = 1}.b)', False),
    ('one([])', None),
    ('setunion(["b"], ["a", "b"])', ["a", "b"]),
    ('basename("a/b/c.tf")', "c.tf"),
])
def test_functions(text, expected):
    assert ev(text) == expected


@pytest.mark.parametrize("text, reason", [
    ('timestamp()', "timestamp() is known only when applied"),
    ('uuid()', "uuid() is known only when applied"),
    ('file("secrets.txt")', "file() is not evaluated: iacgov never reads files named by the configuration"),
    ('templatefile("t.tpl", {})', "templatefile() is not evaluated: iacgov never reads files"),
    ('nosuchfunction(1)', "nosuchfunction() is not evaluated by iacgov"),
    ('provider::aws::arn_parse("x")', "provider::aws::arn_parse() is not evaluated by iacgov"),
    ('1 / 0', "division by zero"),
    ('{a = 1}.b', "object has no attribute 'b'"),
    ('[1][5]', "index 5 out of range"),
    ('lookup({}, "k")', "lookup(): no key 'k'"),
])
def test_what_cannot_be_evaluated_is_unknown_with_a_reason(text, reason):
    value = ev(text)
    assert isinstance(value, Unknown)
    assert value.reason.startswith(reason) or reason in value.reason
