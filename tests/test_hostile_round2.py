"""Hostile input, round two: no hang in discovery, values sized before they are
built, one memory budget (limits.max_memory_mb) enforced, evaluation errors
instead of internal errors. The slow and large cases are in
``benchmarks/bench_hostile.py --round-two`` (scripts/make_hostile_fixtures.py)."""

from __future__ import annotations

import json
import threading
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacgov.cli import main
from iacgov.discovery import assign, document_start, read_head
from iacgov.limits import (
    LimitExceeded,
    Limits,
    MemoryBudgetExceeded,
    OverMemoryBudget,
    TimeBudgetExceeded,
    checkpoint,
    reserve,
    time_budget,
)
from iacgov.model import SourceFile, Unknown
from iacgov.parsers.cloudformation.intrinsics import Evaluator
from iacgov.parsers.terraform.functions import call
from iacgov.parsers.terraform.loader import LoadError, parse_text
from iacgov.parsers.terraform.values import EvalError

MIB = 1024 * 1024


def _file(tmp_path: Path, name: str, data: bytes) -> SourceFile:
    (tmp_path / name).write_bytes(data)
    return SourceFile(path=tmp_path / name, relpath=name)


class _Claims:
    name = "fake"

    def __init__(self, claims):
        self.claims = claims


# -- discovery ---------------------------------------------------------------------


@pytest.mark.parametrize("blank", [b"\n", b"\r\n", b" \n", b"\t\r\n"])
def test_an_unclaimed_file_of_blank_lines_is_sniffed_in_linear_time(tmp_path, blank):
    # 40 blank lines and a character hung every scan (about 4.5x per extra pair
    # of lines); 30,000 of them, and a 64 KiB head of newlines after a brace,
    # must pass well inside a 5 s budget, which would report them otherwise.
    files = [_file(tmp_path, "NOTES", blank * 40 + b"x"), _file(tmp_path, "LONG", blank * 30_000 + b"x"),
             _file(tmp_path, "BRACE", b"{" + blank * 30_000), _file(tmp_path, "COMMAS", b"{" + b",\t" * 30_000)]
    notes: list = []
    claimed = assign(files, [_Claims(lambda f, head: False)], notes, limits=Limits(file_timeout_seconds=5))
    assert claimed == {"fake": []}
    assert notes == []


def test_a_template_under_an_odd_name_is_still_recognised(tmp_path):
    for head in (b'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n',
                 b'\xef\xbb\xbf# c\n---\n\n{"AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {}}'):
        assert document_start(head)
        notes: list = []
        assign([_file(tmp_path, "queue.cfn", head)], [_Claims(lambda f, h: False)], notes)
        assert [n.message for n in notes] == [
            "skipped queue.cfn: it looks like a CloudFormation template, but no parser reads files named like this "
            "(*.yaml, *.yml, *.json, *.template): not scanned"]
    assert not document_start(b"Some prose\nAWSTemplateFormatVersion: x\nResources:\n")


def test_recognising_a_file_runs_within_the_per_file_time_budget(tmp_path):
    def stuck(file, head):
        if file.relpath == "stuck.tf":
            while True:  # a claims() that never returns: third-party code on untrusted bytes
                pass
        return True

    files = [_file(tmp_path, "stuck.tf", b"x"), _file(tmp_path, "fine.tf", b"y")]
    notes: list = []
    claimed = assign(files, [_Claims(stuck)], notes, limits=Limits(file_timeout_seconds=0.3))
    assert [f.relpath for f in claimed["fake"]] == ["fine.tf"]
    [note] = notes
    assert note.message.startswith("stuck.tf: recognising its format took longer than the 0.3 s budget per file")
    assert (note.scope, note.subject, note.location.path) == ("file", "stuck.tf", "stuck.tf")


def test_an_unreadable_file_is_not_analysed_with_scope_file(tmp_path, monkeypatch):
    file = _file(tmp_path, "main.tf", b"x")
    monkeypatch.setattr("iacgov.discovery.os.open", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "Permission denied")))
    note = read_head(file)
    assert (note.message, note.scope, note.subject) == ("main.tf: cannot be read (permission denied)", "file", "main.tf")


# -- Terraform functions: sized before they are built --------------------------------------


def _error(name: str, *args) -> str:
    with pytest.raises(EvalError) as caught:
        call(name, list(args))
    return str(caught.value)


def _peak_mib(run) -> float:
    tracemalloc.start()
    try:
        run()
    except (EvalError, LoadError):
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / MIB


@pytest.mark.parametrize("pattern, words", [
    ("a{1000000000}", "a repetition count 1000000000 is more than 1,000"),  # 7.5 GB to compile
    ("a{10000000}", "a repetition count 10000000 is more than 1,000"),
    ("x{2,99999999999999999999999}", "is more than 1,000"),
    ("(a{1000}){1000}", "its repetitions expand to more than 100,000 atoms"),
    ("(a{1000}b{1000}){60}", "its repetitions expand to more than 100,000 atoms"),
])
def test_regex_repetition_counts_are_refused_before_compiling(pattern, words):
    assert _peak_mib(lambda: call("regex", [pattern, "aaa"])) < 5
    assert words in _error("regex", pattern, "aaa")
    assert words in _error("regexall", pattern, "aaa")
    assert words in _error("replace", "aaa", f"/{pattern}/", "b")


def test_regexes_within_re2s_bounds_still_work():
    assert call("regex", ["a{2,3}", "aaaa"]) == "aaa"
    assert call("regex", ["(a{10}){10}", "a" * 100]) == ["a" * 10]
    assert call("regex", [r"x\{5000\}", "x{5000}"]) == "x{5000}"  # escaped braces are not a count
    assert call("regex", ["[{]5000}", "{5000}"]) == "{5000}"  # nor is a brace in a class
    assert call("replace", ["abc", "/(b)/", "[$1]"]) == "a[b]c"


@pytest.mark.parametrize("name, args, words", [
    ("setproduct", None, "product too large (30,000,000 combinations, more than 100,000)"),
    ("format", ["%.999999999f", 1], "the formatted number would hold about 15,625,006 items"),
    ("format", ["%-1000.999999999e", 1], "more than the 250,000 allowed (limits.max_value_size)"),
    ("join", ["", ["x" * 1000] * 100_000], "the joined string would hold about 1,562,501 items"),
    ("replace", ["a" * 100_000, "a", "b" * 1000], "replace()'s result would hold about 1,562,501 items"),
    ("replace", ["a" * 100_000, "/a/", "b" * 1000], "replace()'s result would hold about 250,001 items"),
    ("indent", [1000, "\n" * 100_000], "indent() would hold about 1,564,063 items"),
    ("concat", [["x"] * 100_000, ["y"] * 100_000, ["z"] * 100_000], "concat()'s result would hold about 300,000"),
])
def test_big_results_are_refused_before_they_are_built(name, args, words):
    if args is None:
        args = [call("range", [100_000]), call("range", [300])]  # 2.6 GB once built
    assert words in _error(name, *args)
    assert _peak_mib(lambda: call(name, args)) < 40  # what the arguments cost, not the result


def _bomb(levels: int = 8) -> list:
    value: list = ["xxxxxxxxxx"] * 10
    for _ in range(levels):
        value = [value] * 10  # 10^9 strings once written out, a few kilobytes as built
    return value


@pytest.mark.parametrize("name", ["flatten", "jsonencode"])
def test_shared_parts_are_counted_each_time_before_a_walk_writes_them_out(name):
    assert "would hold about 1,111,111,111 items" in _error(name, _bomb())
    assert _peak_mib(lambda: call(name, [_bomb()])) < 5
    assert call("flatten", [[[1, [2]], 3]]) == [1, 2, 3]
    assert call("jsonencode", [_bomb(1)]).count("xxxxxxxxxx") == 100


def test_yamldecode_counts_aliases_and_reports_bad_yaml_as_evaluation_errors():
    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
    assert _peak_mib(lambda: call("yamldecode", [laughs])) < 20
    assert "YAML aliases expand to more than 100,000 nodes" in _error("yamldecode", laughs)
    assert _error("yamldecode", "a: [1, 2").startswith("yamldecode(): invalid YAML: while parsing a flow sequence")
    assert "more than one YAML document" in _error("yamldecode", "a: 1\n---\nb: 2\n")
    assert _error("yamldecode", "? {a: 1}\n: x\n").startswith("yamldecode(): invalid YAML")
    assert "nested more than 100 levels deep" in _error("jsondecode", "[" * 5000 + "]" * 5000)
    # Terraform's yamldecode has no date type: timestamps stay the strings they are
    assert call("yamldecode", ["when: 2024-01-02\nat: 2001-12-14t21:59:43.10-05:00\n1: x\n"]) == {
        "when": "2024-01-02", "at": "2001-12-14t21:59:43.10-05:00", "1": "x"}
    assert call("yamldecode", [""]) is None


def test_a_replacement_naming_a_missing_group_is_an_evaluation_error():
    assert _error("replace", "abc", "/(b)/", "$2").startswith("replace(): invalid replacement: invalid group reference")
    assert _error("replace", "abc", "/b/", "${name}") == "replace(): invalid replacement: unknown group"


# -- the memory budget ---------------------------------------------------------------


def test_values_built_while_analysing_one_module_are_charged_against_the_budget():
    limits = Limits(max_memory_mb=64)
    with pytest.raises(OverMemoryBudget) as caught:
        with time_budget(None, limits):
            for _ in range(1000):
                reserve(10_000, "a value")  # 10^7 items at 64 bytes: 610 MiB, never built
    assert caught.value.reason == ("over the memory budget of 64 MiB (limits.max_memory_mb in the policy): "
                                   "not analysed")
    assert isinstance(caught.value, LimitExceeded)
    with time_budget(None, limits):  # a new file or module starts a new account
        reserve(10_000, "a value")
    with pytest.raises(LimitExceeded, match="would hold about 250,001 items"):
        reserve(250_001, "one value")  # the per-value bound holds outside any budget too


def test_the_watchdog_interrupts_work_that_never_checks_past_the_budget():
    # no reserve(), no checkpoint(): plain allocation, as in a third-party parser
    hoard: list[bytes] = []
    with pytest.raises(OverMemoryBudget):
        with time_budget(30, Limits(max_memory_mb=64)):
            while True:
                hoard.append(b"x" * MIB)
                if len(hoard) > 512:  # the watchdog did not stop it 64 MiB past what the process held
                    pytest.fail("not interrupted")
    assert 1 < len(hoard) < 512
    hoard.clear()


def test_outside_the_main_thread_checkpoint_watches_memory():
    outcome: list[BaseException] = []

    def work() -> None:
        hoard = []
        try:
            with time_budget(30, Limits(max_memory_mb=64)):
                for _ in range(512):
                    hoard.append(b"x" * MIB)
                    checkpoint()
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            outcome.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert [type(e) for e in outcome] == [OverMemoryBudget]


def test_memory_budget_exceeded_is_not_an_exception_a_guard_would_swallow():
    assert not issubclass(MemoryBudgetExceeded, Exception)
    assert not issubclass(TimeBudgetExceeded, Exception)


def test_a_module_over_the_memory_budget_is_reported_and_the_others_are_scanned(tmp_path):
    # 120 locals of 1 MiB: about 48,000 items charged each (the range, the list, the string), 5.8 million in all,
    # past what a 64 MiB budget leaves (at least 256 MiB, 4.2 million items, whatever the process holds)
    locals_ = "".join(f'  s{i} = join("", [for i in range(16000) : "{i:03d}{"x" * 61}"])\n' for i in range(120))
    used = ", ".join(f"local.s{i}" for i in range(120))
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "main.tf").write_text(
        f"locals {{\n{locals_}}}\n\nresource \"aws_sqs_queue\" \"big\" {{\n"
        f"  name = \"q${{length(join(\"\", [{used}]))}}\"\n}}\n")
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "main.tf").write_text('resource "aws_sqs_queue" "small" {\n  name = "small"\n}\n')
    (tmp_path / "iacgov.yaml").write_text("version: 1\nlimits:\n  max_memory_mb: 64\n")
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--jobs", "1", "--no-cache", "-f", "json"])
    report = json.loads(result.stdout)
    over = [n for n in report["notifications"] if "over the memory budget of 64 MiB" in n["message"]]
    assert [n["file"] for n in over] == ["big/main.tf"]
    assert over[0]["level"] == "error" and result.exit_code == 1
    assert report["summary"]["resources"] == 1  # aws_sqs_queue.small; big's module was not analysed
    assert report["coverage"]["complete"] is False


# -- heredocs ------------------------------------------------------------------------


def test_an_unterminated_heredoc_is_a_syntax_error_before_the_parser_runs():
    text = 'locals {\n  h = <<EOT\n' + "a line that never ends the heredoc\n" * 150_000 + "}\n"  # 5 MB
    assert _peak_mib(lambda: parse_text(text, "main.tf")) < 15  # python-hcl2 took 1.2 GB
    with pytest.raises(LoadError) as caught:
        parse_text(text, "main.tf")
    assert (caught.value.reason, caught.value.line) == (
        "syntax error at line 2: the heredoc <<EOT is never closed (no line 'EOT' after it)", 2)


def test_heredoc_markers_in_comments_and_strings_are_not_heredocs():
    text = ('# an example: <<EOT\n// and <<EOF\n/* <<END\n*/\nlocals {\n  a = "<<NOPE"\n'
            '  b = <<-EOT\n    body with <<INNER\n    EOT\n}\n')
    body = parse_text(text, "main.tf")
    assert set(body.blocks[0].body.attributes) == {"a", "b"}


def test_a_file_whose_parse_would_pass_the_budget_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr("iacgov.limits._resident", lambda: 0)  # the budget is the process's: here, all of it
    text = "# padding\n" * (3 * MIB // 10) + 'resource "aws_sqs_queue" "q" {\n}\n'
    with pytest.raises(LoadError, match=r"3\.0 MiB of HCL: parsing it would take about 510\.0 MiB, more than the "
                                        r"memory budget \(256 MiB"):
        parse_text(text, "main.tf", Limits(max_memory_mb=256))
    heredoc = 'locals {\n  h = <<EOT\n' + "x" * (3 * MIB) + "\nEOT\n}\n"  # python-hcl2: 256 bytes a character
    with pytest.raises(LoadError, match=r"the heredoc <<EOT at line 2 holds 3\.0 MiB: parsing it would take more"):
        parse_text(heredoc, "main.tf", Limits(max_memory_mb=700))


# -- CloudFormation intrinsics -------------------------------------------------------


@pytest.mark.parametrize("count, bits, words", [
    (10**24, 8, "the count 1000000000000000000000000 is not between 1 and 256"),
    (float("inf"), 8, "inf is not an integer"),
    (-3, 8, "the count -3 is not between 1 and 256"),
    (2, 10**20, "100000000000000000000 subnet bits do not fit in 10.0.0.0/16"),
    (2, 0, "0 subnet bits do not fit in 10.0.0.0/16"),
    ("9" * 5000, 8, "is not an integer"),
])
def test_fn_cidr_out_of_bounds_is_an_unknown_value_not_an_internal_error(count, bits, words):
    value = Evaluator({}, {}, "eu-west-3").resolve({"Fn::Cidr": ["10.0.0.0/16", count, bits]})
    assert isinstance(value, Unknown) and words in value.reason
    assert Evaluator({}, {}, None).resolve({"Fn::Cidr": ["10.0.0.0/16", 3, 8]}) == [
        "10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]


def test_fn_join_of_a_big_parameter_repeated_is_refused_before_it_is_built():
    evaluator = Evaluator({"Parameters": {"Big": {"Type": "String", "Default": "x" * 100_000}}}, {}, None)
    joined = evaluator.resolve({"Fn::Join": ["", [{"Ref": "Big"}] * 10_000]})  # 1 GB
    assert isinstance(joined, Unknown)
    assert "the string would hold about 15,625,001 items" in joined.reason
    subbed = evaluator.resolve({"Fn::Sub": "${Big}" * 10_000})
    assert isinstance(subbed, Unknown) and "limits.max_value_size" in subbed.reason


def test_a_template_with_bad_cidrs_is_scanned_without_internal_errors(tmp_path):
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from make_hostile_fixtures import CIDR_TEMPLATE

    (tmp_path / "cidr.yaml").write_text(CIDR_TEMPLATE)
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--no-cache", "-f", "json"])
    report = json.loads(result.stdout)
    assert report["errors"] == []
    assert not [n for n in report["notifications"] if "internal error" in n["message"]]
    assert report["summary"]["resources"] == 1


# -- patterns that rescanned the text -------------------------------------------------


def test_fn_sub_variables_and_chomp_run_in_linear_time():
    evaluator = Evaluator({"Parameters": {"P": {"Default": "v"}}}, {}, None)
    assert evaluator.resolve({"Fn::Sub": "a-${P}-${!Lit}-${ P }"}) == "a-v-${Lit}-v"
    assert evaluator.resolve({"Fn::Sub": ["${a}/${b}", {"a": "1", "b": {"Ref": "P"}}]}) == "1/v"
    assert call("chomp", ["a\r\n\n"]) == "a" and call("chomp", ["a\nb\n"]) == "a\nb"
    with time_budget(5):  # both searched patterns rescanned the rest of the text from each start: hours
        assert evaluator.resolve({"Fn::Sub": "${" * 1_000_000}) == "${" * 1_000_000
        assert call("chomp", ["\n" * 1_000_000 + "x"]) == "\n" * 1_000_000 + "x"


def test_iam_wildcards_match_without_backtracking():
    from iacgov.platform.iam import glob_match

    assert glob_match("s3:Get*", "s3:GetObject") and glob_match("s3:*Object", "S3:putobject")
    assert glob_match("arn:aws:s3:::b?cket/*", "arn:aws:s3:::bucket/a/b") is True
    assert glob_match("a*b*c", "abc") is True and glob_match("a*b*c", "acb") is False
    with time_budget(5):  # '.*a.*a.*a...' as one pattern backtracked polynomially: hours
        assert glob_match("*a" * 30 + "*b", "a" * 100_000) is False


def test_fn_foreach_copies_are_accounted():
    body = {"Q${X}": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "k", "Value": "v" * 64}] * 300_000}}}
    template = {"Resources": {"Fn::ForEach::Many": ["X", [str(i) for i in range(3)], body]}}
    evaluator = Evaluator(template, {}, None)  # each copy of the body would hold 600,000 items
    [(key, value)] = list(evaluator.entries(template["Resources"]))
    assert key == "Fn::ForEach::Many" and isinstance(value, Unknown)
    assert "a Fn::ForEach copy would hold about" in value.reason
    small = {"Resources": {"Fn::ForEach::Few": ["X", ["A", "B"], {"Q${X}": {"Type": "AWS::SQS::Queue"}}]}}
    assert [k for k, _ in Evaluator(small, {}, None).entries(small["Resources"])] == ["QA", "QB"]


def test_the_policys_per_file_budget_reaches_format_recognition(tmp_path, monkeypatch):
    """The scan gives discovery the policy's limits.file_timeout_seconds, not the default 30 s."""
    from iacgov.engine import ScanRequest, parse_inventory
    from iacgov.plugins import load_plugins

    (tmp_path / "iacgov.yaml").write_text("version: 1\nlimits:\n  file_timeout_seconds: 0.3\n")
    (tmp_path / "stuck.tf").write_text('resource "aws_sqs_queue" "q" {}\n')
    host = load_plugins()
    terraform = next(p for p in host.collect("iacgov_parsers") if p.name == "terraform")

    def stuck(file, head):
        while True:  # a claims() that never returns
            pass

    monkeypatch.setattr(type(terraform), "claims", lambda self, file, head: stuck(file, head))
    inventory = parse_inventory(ScanRequest(paths=(tmp_path,), root=tmp_path), host)
    [note] = [n for n in inventory.notifications if n.subject == "stuck.tf"]
    assert "0.3 s budget per file" in note.message and note.scope == "file"
