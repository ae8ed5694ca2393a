"""The evaluator reads HCL as Terraform does, in five places where it did not
("no silent green"): a set iterated in a ``for``, the type of a conditional's
result, pure functions left unevaluated (csvdecode, yamlencode, templatestring,
textencodebase64...), the date functions given a literal timestamp, and the
reason an unknown value from a data source gives. Each expected value is an
example of the Terraform documentation cited, or follows from the rule it states."""

from __future__ import annotations

from pathlib import Path

import pytest
from tf_helpers import parse_dir

from iacgov.model import Unknown
from iacgov.parsers.terraform.evaluate import LITERAL_SCOPE, value_of
from iacgov.parsers.terraform.loader import parse_expression

PROVIDER = 'provider "aws" {\n  region = "eu-west-3"\n}\n\n'
PLANNED = " is read from the provider when Terraform plans: scan a plan JSON to know it"


def ev(text: str, **names):
    return value_of(parse_expression(text), LITERAL_SCOPE.bind(names))


def parse(tmp_path: Path, body: str):
    (tmp_path / "main.tf").write_text(PROVIDER + body)
    return parse_dir(tmp_path)


def reason(value) -> str:
    assert isinstance(value, Unknown), value
    return value.reason


# --- 1. a set iterated: key and value are both the element ----------------------------
# https://developer.hashicorp.com/terraform/language/meta-arguments/for_each ("each.key: the
# map key (or set member)"); go-cty's set iterator gives each element as key and value.

def test_a_for_over_a_set_binds_the_element_to_both_symbols():
    assert ev('{for k, v in toset(["b", "a", "b"]) : k => v}') == {"a": "a", "b": "b"}
    assert ev('[for k, v in toset(["b", "a"]) : k]') == ["a", "b"]  # was [0, 1]: list indexes
    assert ev('[for i, v in ["b", "a"] : i]') == [0, 1]  # a list keeps its index
    assert ev('"%{for k, v in toset(["x"])}${k}=${v}%{endfor}"') == "x=x"
    assert ev('[for k, v in setunion(["b"], ["a"]) : k]') == ["a", "b"]
    assert ev('[for k, v in setproduct(toset(["a"]), toset(["b"])) : k]') == [["a", "b"]]
    assert ev('[for k, v in tolist(toset(["a"])) : k]') == [0]  # tolist makes it a list again


def test_a_set_has_no_index():
    # https://developer.hashicorp.com/terraform/language/expressions/type-constraints#set
    assert "a set has no index" in reason(ev('toset(["a"])[0]'))
    assert ev('tolist(toset(["a"]))[0]') == "a"


def test_a_set_variable_and_for_each_over_a_set(tmp_path):
    parsed = parse(tmp_path, '''variable "zones" {
  type    = set(string)
  default = ["b", "a", "b"]
}

resource "aws_ssm_parameter" "zones" {
  name  = "zones"
  type  = "String"
  value = jsonencode({ for k, v in var.zones : k => v })
}

resource "aws_ssm_parameter" "p" {
  for_each = toset(["a", "b"])
  name     = each.key
  type     = "String"
  value    = each.value
}
''')
    assert parsed.resources["aws_ssm_parameter.zones"].get("value") == '{"a":"a","b":"b"}'
    instances = {a: (r.get("name"), r.get("value")) for a, r in parsed.resources.items() if ".p[" in a}
    assert instances == {'aws_ssm_parameter.p["a"]': ("a", "a"), 'aws_ssm_parameter.p["b"]': ("b", "b")}


def test_a_set_survives_the_evaluation_cache(tmp_path):
    # a value the cache's restricted unpickler refused would make every later scan a miss
    from iacgov.evalcache import _store

    store = _store(tmp_path, "parity")
    value = {"zones": ev('toset(["b", "a"])')}
    key, _ = store.get(b"k")
    store.put(key, value)
    _, again = store.get(b"k")
    assert again == {"zones": ["a", "b"]} and type(again["zones"]).__name__ == "SetValue"


# --- 2. a conditional's result has the type both results unify to ----------------------
# https://developer.hashicorp.com/terraform/language/expressions/conditionals#result-types:
# "var.example ? 12 : "hello"" is a string, 12 converted to "12".

@pytest.mark.parametrize("text, expected", [
    ('true ? 12 : "hello"', "12"),
    ('false ? "hello" : 12', "12"),
    ('true ? true : "x"', "true"),
    ('false ? 1 : "a"', "a"),
    ("true ? 1 : null", 1),  # null takes the other's type
    ("true ? null : 1", None),
    ("true ? 1 : 2", 1),
    ('true ? [1, true] : ["a", "b"]', ["1", "true"]),  # tuples of one length: element by element
    ('true ? [1, 2] : ["a"]', ["1", "2"]),  # of different lengths: a list of strings
    ('true ? {a = 1} : {a = "x"}', {"a": "1"}),  # objects with the same attributes
    ('true ? {a = 1} : {b = "x"}', {"a": "1"}),  # otherwise a map of strings
    ('true ? 1 : lookup({}, "x")', 1),  # the other result's error is not reported, its type is unknown
])
def test_a_conditional_converts_its_result_to_the_common_type(text, expected):
    value = ev(text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text, chosen, other", [
    ("true ? 1 : false", "number", "bool"),
    ('true ? {a = 1} : "s"', "object", "string"),
    ("false ? [1] : {a = 1}", "object", "tuple"),
])
def test_results_without_a_common_type_are_an_error(text, chosen, other):
    which, not_which = ("false", "true") if text.startswith("false") else ("true", "false")
    assert reason(ev(text)) == (f"inconsistent conditional result types: the '{which}' value is {chosen}, "
                                f"but the '{not_which}' value is {other}")


# --- 3. pure functions that were left unevaluated --------------------------------------

def test_csvdecode():
    # https://developer.hashicorp.com/terraform/language/functions/csvdecode
    assert ev('csvdecode("a,b,c\\n1,2,3\\n4,5,6")') == [{"a": "1", "b": "2", "c": "3"},
                                                         {"a": "4", "b": "5", "c": "6"}]
    assert ev('csvdecode("name,note\\n\\nx,\\"a, \\"\\"b\\"\\"\\"\\n")') == [{"name": "x", "note": 'a, "b"'}]
    assert ev('csvdecode("a,b\\n")') == []
    assert reason(ev('csvdecode("a,b\\n1,2,3")')) == "csvdecode(): CSV parse error on line 2: wrong number of fields"
    assert reason(ev('csvdecode("")')) == "csvdecode(): missing header line"
    assert reason(ev('csvdecode("a,a\\n1,2")')) == 'csvdecode(): duplicate column name "a"'
    # Go's encoding/csv: "\r\n" is a newline, also inside quotes; a lone "\r" is text; a quote
    # inside an unquoted field, or text after a closing quote, is an error
    assert ev("csvdecode(t)", t='a,b\r\n1,"x\r\ny"\r\n\r\n2,"q""r"') == [{"a": "1", "b": "x\ny"},
                                                                      {"a": "2", "b": 'q"r'}]
    assert ev("csvdecode(t)", t="a\rb\n1") == [{"a\rb": "1"}]
    assert reason(ev("csvdecode(t)", t='a,b\n1,x"y')) == (
        'csvdecode(): CSV parse error on line 2: bare " in non-quoted-field')
    assert reason(ev("csvdecode(t)", t='a\n"x"y')) == (
        'csvdecode(): CSV parse error on line 2: extraneous or missing " in quoted-field')


@pytest.mark.parametrize("text, expected", [
    # the examples of https://developer.hashicorp.com/terraform/language/functions/yamlencode
    ('{"a": "b", "c": "d"}', '"a": "b"\n"c": "d"\n'),
    ('{"foo": [1, 2, 3], "bar": "baz"}', '"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n'),
    ('{"foo": [1, {"a": "b", "c": "d"}, 3], "bar": "baz"}', '"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n'),
    # go-cty-yaml's encoder tests (encode_test.go): a newline makes a literal block, a plain scalar ends the document
    ('"hello\\nworld"', "|-\n  hello\n  world\n"),
    ("true", "true\n...\n"),
    ("null", "null\n...\n"),
    ("{}", "{}\n"),
    ("[]", "[]\n"),
    ('{b = 1.5, a = [true, null, "x"]}', '"a":\n- true\n- null\n- "x"\n"b": 1.5\n'),
])
def test_yamlencode_writes_what_terraform_writes(text, expected):
    assert ev(f"yamlencode({text})") == expected


def test_yamlencode_folds_a_long_string_as_libyaml_does():
    # go-cty-yaml's emitter (emitterc.go, yaml_emitter_write_double_quoted_scalar) breaks a
    # double-quoted string at the first space past column 80, the space becoming the line
    # break; a second space is kept as "\\ ". PyYAML's own emitter would end lines with "\\".
    words = "word " * 30
    assert ev("yamlencode({x = t})", t=words) == (
        '"x": "' + "word " * 15 + "word\n  " + "word " * 14 + '"\n')
    assert ev("yamlencode(t)", t="x  " * 30) == '"' + "x  " * 27 + "x\n  \\ " + "x  " * 2 + '"\n'
    # non-printable characters and those outside the Basic Multilingual Plane are escaped
    assert ev("yamlencode(t)", t="a\tb\u00e9\U0001F600") == '"a\\tb\u00e9\\U0001F600"\n'


def test_yamlencode_of_an_unknown_part_is_unknown_and_a_large_value_is_refused():
    ids = Unknown("data.aws_subnets.all.ids" + PLANNED, ref="data.aws_subnets.all.ids")
    assert reason(ev('yamlencode({a = ids})', ids=ids)).startswith("yamlencode() of a value with unknown parts")
    shared = ["a"] * 1000  # 300 references to one list: 300,000 items written out
    assert "yamlencode()'s result would hold about" in reason(ev("yamlencode([for i in range(300) : x])", x=shared))


def test_templatestring_renders_a_referenced_string_with_its_variables():
    # https://developer.hashicorp.com/terraform/language/functions/templatestring
    tpl = "Hello, ${name}!%{ for z in zones } ${z}%{ endfor }"
    assert ev('templatestring(t, {name = "Jodie", zones = ["a", "b"]})', t=tpl) == "Hello, Jodie! a b"
    assert ev('templatestring(t, {n = 3})', t="${n}") == "3"
    # "You cannot supply the template expression directly as the first argument."
    assert "must be given as a reference" in reason(ev('templatestring("Hello ${name}", {name = "x"})'))
    assert reason(ev('templatestring(t, {})', t="${var.x}")) == (
        "templatestring(): var is not among the template's variables")


def test_textencodebase64_and_textdecodebase64():
    # the examples of https://developer.hashicorp.com/terraform/language/functions/textencodebase64
    # and .../textdecodebase64
    assert ev('textencodebase64("Hello World", "UTF-16LE")') == "SABlAGwAbABvACAAVwBvAHIAbABkAA=="
    assert ev('textdecodebase64("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")') == "Hello World"
    assert ev('textencodebase64("é", "ISO-8859-1")') == "6Q=="
    assert reason(ev('textencodebase64("Ā", "ISO-8859-1")')) == (
        "textencodebase64(): the given string contains characters that cannot be represented in ISO-8859-1")
    # a name iacgov cannot map to Go's encoder (or whose BOM Go writes otherwise) stays unknown, not an error
    assert reason(ev('textencodebase64("a", "UTF-16")')) == (
        "textencodebase64(): the encoding 'UTF-16' is not one iacgov can reproduce")
    assert reason(ev('textencodebase64("a", "rot13")')).endswith("is not one iacgov can reproduce")


def test_base64gzip_stays_unknown_rather_than_give_other_bytes():
    assert reason(ev('base64gzip("hello")')).startswith("base64gzip() is not evaluated: Terraform compresses "
                                                         "with Go's compress/flate")


# --- 4. dates: pure given a literal timestamp ------------------------------------------

@pytest.mark.parametrize("spec, timestamp, expected", [
    # the examples of https://developer.hashicorp.com/terraform/language/functions/formatdate
    ("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z", "02 Jan 2018 23:12 UTC"),
    ("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z", "Tuesday, 02-Jan-18 23:12:01 UTC"),
    ("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00", "Tue, 02 Jan 2018 23:12:01 -0800"),
    ("MMM DD, YYYY", "2018-01-02T23:12:01Z", "Jan 02, 2018"),
    ("HH:mmaa", "2018-01-02T23:12:01Z", "11:12pm"),
    ("h'h'mm", "2018-01-02T23:12:01-08:00", "23h12"),
    # go-cty's tests of the quoting rules
    ("H 'o''clock' AA", "2006-01-02T15:04:05Z", "3 o'clock PM"),
    ("EEE, MMM D ''YY", "2006-01-02T15:04:05Z", "Mon, Jan 2 '06"),
    ("YYYY-MM-DD'T'hh:mm:ssZ", "2006-01-02T15:04:05+05:30", "2006-01-02T15:04:05+05:30"),
    ("ZZZZ ZZZZZ M/D s", "2006-01-02T15:04:05.5Z", "+0000 +00:00 1/2 5"),
])
def test_formatdate(spec, timestamp, expected):
    assert ev(f'formatdate("{spec}", "{timestamp}")') == expected


@pytest.mark.parametrize("text, expected", [
    ('formatdate("Y", "2018-01-02T23:12:01Z")', 'invalid date format verb "Y": year must either be "YY" or "YYYY"'),
    ('formatdate("\'blah", "2018-01-02T23:12:01Z")', "unterminated literal '"),
    ('formatdate("YYYY", "2018-01-02")', "not a valid RFC3339 timestamp: '2018-01-02'"),
    ('timeadd("2017-11-22T00:00:00Z", "10x")', 'time: unknown unit "x" in duration "10x"'),
    ('timeadd("2017-11-22T00:00:00Z", "10")', 'time: missing unit in duration "10"'),
])
def test_date_errors_are_terraforms(text, expected):
    assert reason(ev(text)).split("(): ", 1)[1] == expected


def test_timeadd_and_timecmp():
    # https://developer.hashicorp.com/terraform/language/functions/timeadd
    assert ev('timeadd("2017-11-22T00:00:00Z", "10m")') == "2017-11-22T00:10:00Z"
    assert ev('timeadd("2017-11-22T00:00:00+05:30", "-1.5h")') == "2017-11-21T22:30:00+05:30"  # the offset kept
    assert ev('timeadd("2017-11-22T23:59:59.9Z", "100ms")') == "2017-11-23T00:00:00Z"  # whole seconds written
    assert ev('timeadd("2024-02-28T12:00:00Z", "24h")') == "2024-02-29T12:00:00Z"
    # https://developer.hashicorp.com/terraform/language/functions/timecmp
    assert ev('timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z")') == 0
    assert ev('timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z")') == -1
    assert ev('timecmp("2017-11-22T01:00:00Z", "2017-11-22T00:00:00Z")') == 1
    assert ev('timecmp("2017-11-22T01:00:00Z", "2017-11-22T00:00:00-01:00")') == 0
    assert reason(ev("timestamp()")) == "timestamp() is known only when applied"  # the clock: still unknown


# --- 5. a data source is read when Terraform plans --------------------------------------
# https://developer.hashicorp.com/terraform/language/data-sources#data-resource-behavior

def test_an_unknown_data_source_attribute_says_terraform_reads_it_while_planning(tmp_path):
    parsed = parse(tmp_path, '''data "aws_caller_identity" "me" {}

resource "aws_kms_key" "k" {}

data "aws_kms_key" "by_id" {
  key_id = aws_kms_key.k.id
}

data "aws_region" "after" {
  depends_on = [aws_kms_key.k]
}

resource "aws_ssm_parameter" "p" {
  name  = "p"
  type  = "String"
  value = data.aws_caller_identity.me.account_id
  tags = {
    whole   = jsonencode(data.aws_caller_identity.me)
    managed = aws_kms_key.k.arn
    waits   = data.aws_kms_key.by_id.arn
    after   = data.aws_region.after.description
  }
}
''')
    p = parsed.resources["aws_ssm_parameter.p"]
    assert p.get("value") == Unknown("data.aws_caller_identity.me.account_id" + PLANNED,
                                     ref="data.aws_caller_identity.me.account_id")
    tags = p.get("tags")
    assert reason(tags["whole"]) == f"jsonencode() of an unknown value (data.aws_caller_identity.me{PLANNED})"
    assert reason(tags["managed"]) == "aws_kms_key.k.arn is known only after apply"
    # an argument known only after apply defers the read to apply, as does depends_on
    assert reason(tags["waits"]) == "data.aws_kms_key.by_id.arn is known only after apply"
    assert reason(tags["after"]) == "data.aws_region.after.description is known only after apply"
