"""Terraform's JSON syntax (*.tf.json): the same resources as the same
configuration written in HCL, with the lines of the JSON file."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tf_helpers import FIXTURES, line_of, parse_dir

from iacgov.model import Location, Severity
from iacgov.parsers.terraform.json_syntax import load_json_file

ROOT = FIXTURES / "json_syntax"
FIELDS = ("type", "cloud", "attributes", "region", "tags", "mode", "provider", "module", "count")


def test_json_syntax_gives_the_resources_hcl_gives():
    hcl, js = parse_dir(ROOT / "hcl", ROOT), parse_dir(ROOT / "json", ROOT)
    assert hcl.notifications == [] and js.notifications == []
    assert sorted(js.resources) == sorted(hcl.resources) == [
        "aws_ebs_volume.data[0]", "aws_ebs_volume.data[1]", "aws_kms_key.logs", "aws_s3_bucket.copy",
        "aws_s3_bucket.logs", "aws_s3_bucket_server_side_encryption_configuration.logs", "aws_security_group.web",
        "module.archive.aws_s3_bucket.this"]
    for address, written in hcl.resources.items():
        read = js.resources[address]
        assert {f: getattr(read, f) for f in FIELDS} == {f: getattr(written, f) for f in FIELDS}, address
        strip = lambda meta: {k: v for k, v in meta.items() if k != "root_module"}  # noqa: E731
        assert strip(read.meta) == strip(written.meta), address
    logs = js.resources["aws_s3_bucket.logs"]
    assert logs.tags == {"env": "prod", "owner": "platform", "data_class": "internal", "managed_by": "terraform"}
    assert js.resources["aws_s3_bucket.copy"].region == "us-east-1"
    assert js.resources["module.archive.aws_s3_bucket.this"].get("bucket") == "acme-prod-archive"
    assert [i["from_port"] for i in js.resources["aws_security_group.web"].get("ingress")] == [80, 443]


def test_locations_are_the_json_files_lines():
    js = parse_dir(ROOT / "json", ROOT)
    path = ROOT / "json" / "main.tf.json"
    volume = js.resources["aws_ebs_volume.data[1]"]
    assert volume.location == Location("json/main.tf.json", line_of(path, '"data": {'))
    assert volume.location_of("encrypted") == Location("json/main.tf.json", line_of(path, '"encrypted": false'))
    sse = js.resources["aws_s3_bucket_server_side_encryption_configuration.logs"]
    assert sse.location_of("rule.0.apply_server_side_encryption_by_default.0.sse_algorithm").line == \
        line_of(path, '"sse_algorithm": "aws:kms"')


def test_strings_are_templates_with_quotes_escapes_and_literal_dollar_braces(tmp_path):
    (tmp_path / "main.tf.json").write_text(json.dumps({
        "variable": {"name": {"default": "${not a template in a default}"}},
        "resource": {"aws_sqs_queue": {"q": {
            "name": "q-${var.name}",
            "policy": "{\"Version\": \"2012-10-17\", \"Id\": \"$${literal}\", \"Path\": \"C:\\\\x\"}",
            "tags": {"quoted": "say \"${upper(\"hi\")}\""},
            "versioning": {"enabled": True},
            "//": "a comment"}}}}))
    parsed = parse_dir(tmp_path)
    assert parsed.notifications == []
    queue = parsed.resources["aws_sqs_queue.q"]
    assert queue.get("name") == "q-${not a template in a default}"
    assert queue.get("policy") == '{"Version": "2012-10-17", "Id": "${literal}", "Path": "C:\\\\x"}'
    assert queue.get("tags") == {"quoted": 'say "HI"'}  # a map argument
    assert queue.get("versioning") == [{"enabled": True}]  # any other object: a nested block
    assert "//" not in queue.attributes


def test_bad_json_is_an_error_naming_the_file_and_the_rest_is_read(tmp_path):
    (tmp_path / "broken.tf.json").write_text('{\n  "resource": {\n    "aws_sqs_queue": {\n      "q": {,}\n')
    (tmp_path / "list.tf.json").write_text("[1, 2]\n")
    (tmp_path / "bad_expr.tf.json").write_text(json.dumps({"resource": {"aws_sqs_queue": {"p": {"name": "${(}"}}}}))
    (tmp_path / "twice.tf.json").write_text('{"resource": {"aws_sqs_queue": {"t": {"name": "a", "name": "b"}}}}')
    (tmp_path / "ok.tf").write_text('resource "aws_sqs_queue" "ok" {\n  name = "ok"\n}\n')
    parsed = parse_dir(tmp_path)
    assert set(parsed.resources) == {"aws_sqs_queue.ok"}
    errors = {n.location.path: n for n in parsed.notifications}
    assert set(errors) == {"broken.tf.json", "list.tf.json", "bad_expr.tf.json", "twice.tf.json"}
    assert errors["broken.tf.json"].location.line == 4
    assert errors["twice.tf.json"].message == 'cannot parse twice.tf.json: invalid JSON: Duplicate found "name"'
    assert all(n.level is Severity.ERROR for n in errors.values())
    assert errors["broken.tf.json"].message.startswith("cannot parse broken.tf.json: invalid JSON")
    assert errors["list.tf.json"].message == "cannot parse list.tf.json: not a JSON object"
    assert errors["bad_expr.tf.json"].message.startswith("cannot parse bad_expr.tf.json: invalid template '${(}': ")
    assert errors["bad_expr.tf.json"].location.line == 1


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet="ab${}%\"\\()[]. \n", max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["resource", "variable", "locals", "module", "provider", "output", "data", "aws_s3_bucket",
                         "b", "tags", "dynamic", "count", "provider", "depends_on", "lifecycle", "//", "x"]),
        inner, max_size=4),
    max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=_JSON)
def test_any_json_document_is_read_or_refused_never_raises(tmp_path, document):
    path = tmp_path / "main.tf.json"
    path.write_text(json.dumps(document))
    loaded = load_json_file(path, "main.tf.json")
    assert (loaded.body is None) == (loaded.error is not None)
    parse_dir(tmp_path)  # and the module built from it never raises either


def test_the_tree_is_plain_data_kept_in_the_parse_cache(tmp_path, monkeypatch):
    from iacgov.parsers.terraform import json_syntax
    from iacgov.parsers.terraform.loader import terraform_cache

    cache = terraform_cache(tmp_path / "cache", syntax="json")
    path = ROOT / "json" / "main.tf.json"
    first = load_json_file(path, "json/main.tf.json", cache=cache)
    [entry] = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and "terraform-json" in str(p)]

    def not_parsed(*args, **kwargs):
        raise AssertionError("parsed again: the cache entry was not used")

    with monkeypatch.context() as patch:
        patch.setattr(json_syntax, "parse_json_text", not_parsed)
        assert load_json_file(path, "json/main.tf.json", cache=cache).body == first.body
    entry.write_bytes(b"corrupt")  # a damaged entry is a miss, parsed again
    assert load_json_file(path, "json/main.tf.json", cache=cache).body == first.body
