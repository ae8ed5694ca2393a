"""Bounded work per file (iacgov.limits): sizes, nesting, aliases, values, time;
and that each parser turns a broken bound into a notification naming the file."""

from __future__ import annotations

import inspect
import json
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacgov.cli import main
from iacgov.limits import (
    MAX_NESTING_DEPTH,
    LimitExceeded,
    Limits,
    TimeBudgetExceeded,
    check_json,
    check_tree_depth,
    check_yaml,
    checkpoint,
    read_bounded,
    time_budget,
    value_too_large,
)
from iacgov.model import ParseOptions, SourceFile, Unknown
from iacgov.policy import PolicyError, parse_policy

# -- size ----------------------------------------------------------------------------


def test_size_is_checked_on_the_open_file_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.tf"
    with open(big, "wb") as fh:
        fh.truncate(3 * 1024 * 1024 * 1024)  # 3 GiB, sparse: reading it would take seconds and memory

    def no_read(*args):
        raise AssertionError("read before the size check")

    monkeypatch.setattr("iacgov.limits.os.read", no_read)
    with pytest.raises(LimitExceeded) as caught:
        read_bounded(big, Limits())
    assert caught.value.reason == ("file is 3072.0 MiB, larger than the 10.0 MiB limit "
                                   "(limits.max_file_bytes in the policy, or --max-file-bytes): not read")


def test_a_file_at_the_limit_is_read_whole(tmp_path):
    path = tmp_path / "x.tf"
    path.write_bytes(b"a" * 4096)
    assert read_bounded(path, Limits(max_file_bytes=4096)) == b"a" * 4096
    with pytest.raises(LimitExceeded):
        read_bounded(path, Limits(max_file_bytes=4095))


def test_a_fifo_is_never_blocked_on(tmp_path):
    os.mkfifo(tmp_path / "pipe.tf")  # opening it for reading would wait for a writer
    with pytest.raises(LimitExceeded, match="not a regular file"):
        read_bounded(tmp_path / "pipe.tf", Limits())


def test_size_limit_in_every_parser_with_policy_and_cli(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "' + "x" * 3000 + '"\n}\n')
    (tmp_path / "t.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q:\n'
                                     "    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: " + "x" * 3000 + "\n")
    (tmp_path / "plan.json").write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {}},
                                                    "resource_changes": [], "pad": "x" * 3000}))
    (tmp_path / "small.tf").write_text('resource "aws_sqs_queue" "small" {\n  name = "s"\n}\n')
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--max-file-bytes", "2048", "-f", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    limited = {n["file"] for n in report["notifications"] if "larger than the 2.0 KiB limit" in n["message"]}
    assert limited == {"main.tf", "t.yaml", "plan.json"}
    assert report["summary"]["resources"] == 1  # small.tf, in the same module, is still read

    (tmp_path / "iacgov.yaml").write_text("version: 1\nlimits:\n  max_file_bytes: 2048\n")
    report = json.loads(CliRunner().invoke(main, ["scan", str(tmp_path), "-f", "json"]).stdout)
    assert {n["file"] for n in report["notifications"] if "2.0 KiB limit" in n["message"]} == limited
    # the command line wins over the policy
    report = json.loads(CliRunner().invoke(main, ["scan", str(tmp_path), "-f", "json", "--max-file-bytes",
                                                  "100000"]).stdout)
    assert report["notifications"] == [] and report["summary"]["resources"] == 3


def test_policy_limits_are_validated(tmp_path):
    for bad in ("max_nesting_depth: 1000", "max_file_bytes: 10", "file_timeout_seconds: 0", "nope: 1"):
        with pytest.raises(PolicyError, match="limits"):
            parse_policy(f"version: 1\nlimits:\n  {bad}\n", "iacgov.yaml")
    policy = parse_policy("version: 1\nlimits:\n  max_nesting_depth: 20\n  file_timeout_seconds: 2.5\n", "p")
    limits = Limits.from_policy(policy, {"file_timeout_seconds": None, "max_file_bytes": 5000})
    assert (limits.max_nesting_depth, limits.file_timeout_seconds, limits.max_file_bytes) == (20, 2.5, 5000)
    assert Limits.from_policy(None) == Limits()


# -- nesting and aliases --------------------------------------------------------------


def test_json_depth_counts_brackets_outside_strings():
    limits = Limits(max_nesting_depth=10)
    check_json("[" * 10 + "]" * 10, limits)
    check_json('{"a": "[[[[[[[[[[[[[[[[[[[[[[", "b": "\\"[[[[[[[[[[[[[["}', limits)
    with pytest.raises(LimitExceeded) as caught:
        check_json('{\n"a":\n' + "[" * 10 + "]" * 10 + "}", limits)
    assert caught.value.line == 3
    assert caught.value.reason == "nested more than 10 levels deep (limits.max_nesting_depth): not read"


@pytest.mark.parametrize("text, line", [
    ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 12)) + "  " * 12 + "x\n", 11),  # block mappings
    ("- " * 11 + "x\n", 1),  # compact block sequences: 2 bytes a level
    ("a: " + "[" * 11 + "]" * 11 + "\n", 1),  # flow
])
def test_yaml_depth_in_every_style(text, line):
    with pytest.raises(LimitExceeded) as caught:
        check_yaml(text, Limits(max_nesting_depth=10))
    assert caught.value.line == line


def billion_laughs(levels: int, width: int = 10) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_yaml_alias_expansion_is_counted_without_building_anything():
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="YAML aliases expand to more than 100,000 nodes") as caught:
        check_yaml(billion_laughs(9), Limits())  # 10^9 nodes once resolved
    assert time.monotonic() - started < 2
    assert caught.value.line == 5  # l4: the first level whose aliases pass 100,000 nodes
    check_yaml(billion_laughs(4), Limits())  # ~11,000 nodes: fine
    check_yaml("a: &a {x: 1}\nb: *a\nc: *undefined\nd: [\n", Limits())  # syntax errors are the parser's to report


def test_a_wide_yaml_mapping_is_refused_before_the_quadratic_decoder():
    text = "".join(f"k{i}: v\n" for i in range(21))
    check_yaml(text, Limits(max_mapping_keys=21))
    with pytest.raises(LimitExceeded, match="a mapping has more than 20 keys"):
        check_yaml(text, Limits(max_mapping_keys=20))
    check_yaml("- x\n" * 50, Limits(max_mapping_keys=20))  # sequences are not mappings


def test_policy_file_is_bounded_too():
    with pytest.raises(PolicyError, match=r"^iacgov.yaml:6: YAML aliases expand"):
        parse_policy("version: 1\n" + billion_laughs(9), "iacgov.yaml")


def test_tree_depth():
    class Node:
        def __init__(self, *children):
            self.children = list(children)

    tree = Node()
    for _ in range(10_000):
        tree = Node(tree, "leaf")
    with pytest.raises(LimitExceeded):
        check_tree_depth(tree, 500)
    check_tree_depth(tree, 10_001)


def test_value_size_counts_shared_parts_each_time_in_linear_time():
    limits = Limits(max_value_size=1000)
    level = [["lol"] * 10] * 10  # 1 + 10 * (1 + 10) = 111 items
    assert not value_too_large(level, limits)
    level = [level] * 10  # 1 + 10 * 111 = 1,111
    assert value_too_large(level, limits)
    for _ in range(100):  # 10^103 items once expanded; checked in microseconds
        level = [level] * 10
    started = time.monotonic()
    assert value_too_large(level, limits)
    assert time.monotonic() - started < 0.5
    loop: list = []
    loop.append(loop)
    assert not value_too_large(loop, limits)
    assert value_too_large("x" * 64_000, limits) and not value_too_large("x" * 63_000, limits)
    assert not value_too_large({"k": [1, 2, 3]}, limits)


def test_exponential_terraform_locals_become_unknown_with_a_warning(tmp_path):
    from iacgov.parsers.terraform import TerraformParser  # noqa: PLC0415

    text = ["locals {", '  l0 = ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    text += [f"  l{i} = [" + ", ".join([f"local.l{i - 1}"] * 10) + "]" for i in range(1, 11)]
    text += ["}", 'resource "aws_sqs_queue" "q" {', "  name = jsonencode(local.l10)", "  policy = local.l5",
             "  tags = { n = length(local.l4) }", "}"]
    (tmp_path / "main.tf").write_text("\n".join(text) + "\n")
    started = time.monotonic()
    (parsed,) = TerraformParser().parse([SourceFile(tmp_path / "main.tf", "main.tf")], ParseOptions(), tmp_path)
    assert time.monotonic() - started < 10
    (queue,) = parsed.resources
    assert queue.get("tags.n") == 10  # smaller values are still evaluated
    assert queue.get("policy") == Unknown("local.l5 is too large to analyse (more than 250,000 items; "
                                          "limits.max_value_size)")
    assert "<unknown" in queue.get("name")[:100]  # jsonencode writes the unknown parts as placeholders
    [warning] = parsed.notifications
    assert warning.message == ("local.l5 is too large to analyse (more than 250,000 items; limits.max_value_size): "
                               "its value is unknown")
    assert (warning.location.path, warning.location.line) == ("main.tf", 7)


# -- recursion: the deepest input the limits accept stays far from Python's limit ------------

HCL_NESTINGS = {
    "list": lambda n: "[" * n + "1" + "]" * n,
    "call": lambda n: "upper(" * n + '"x"' + ")" * n,
    "object": lambda n: "{a = " * n + "1" + "}" * n,
    "interpolation": lambda n: '"${' * n + "1" + '}"' * n,
    "parentheses": lambda n: "(" * n + "1" + ")" * n,
    "operators": lambda n: " + ".join(["1"] * n),
    "conditionals": lambda n: "true ? 1 : " * n + "2",
    "index": lambda n: "[1]" + "[0]" * n,
    "for": lambda n: "[for x in " * n + "[1]" + " : x]" * n,
}


@contextmanager
def frames_allowed(n: int):
    """Python's recursion limit set to ``n`` frames above the current stack."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + n)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


@pytest.mark.parametrize("kind", sorted(HCL_NESTINGS))
def test_hcl_at_the_depth_limit_parses_and_evaluates_within_650_frames(kind):
    from iacgov.parsers.terraform.evaluate import LITERAL_SCOPE, value_of  # noqa: PLC0415
    from iacgov.parsers.terraform.loader import LoadError, parse_text  # noqa: PLC0415

    make, limits = HCL_NESTINGS[kind], Limits()
    lo, hi = 1, 1000  # the deepest accepted
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            parse_text(f"v = {make(mid)}\n", "t.tf", limits)
            lo = mid
        except LoadError as exc:
            assert "nested more than about 100 levels deep" in exc.reason
            hi = mid - 1
    assert lo >= 45, "real files must not be refused"
    with frames_allowed(650):
        body = parse_text(f"v = {make(lo)}\n", "t.tf", limits)
        value = value_of(body.attributes["v"].expr, LITERAL_SCOPE)
    assert "nested too deeply" not in repr(value)


@pytest.mark.parametrize("name, value", [
    ("list.yaml", "[" * 96 + "]" * 96),  # with the template's own 4 levels: 100
    ("if.yaml", '{"Fn::If": [C, ' * 48 + "x" + ", y]}" * 48),
    ("join.yaml", '{"Fn::Join": ["", [' * 32 + '"x"' + "]]}" * 32),
])
def test_cloudformation_at_the_depth_limit_parses_within_650_frames(tmp_path, name, value):
    from iacgov.parsers.cloudformation import CloudFormationParser  # noqa: PLC0415

    def parse(tags: str):
        path = tmp_path / name
        path.write_text('AWSTemplateFormatVersion: "2010-09-09"\nConditions:\n  C: !Equals [a, a]\nResources:\n'
                        "  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: " + tags + "\n")
        (result,) = CloudFormationParser().parse([SourceFile(path, name)], ParseOptions(limits=Limits()), tmp_path)
        return result

    with frames_allowed(650):
        result = parse(value)
    assert result.notifications == () and len(result.resources) == 1
    assert "nested more than 100 levels deep" in parse(f"[{value}]").notifications[0].message  # one more level


def test_nesting_depth_cannot_be_raised_past_the_safe_maximum():
    assert Limits.from_policy(None, {"max_nesting_depth": 10_000}).max_nesting_depth == MAX_NESTING_DEPTH


# -- time ----------------------------------------------------------------------------------


def _busy_library_call() -> None:
    """Stands for third-party code that loops and swallows every Exception."""
    while True:
        try:
            sum(range(1000))
        except Exception:  # noqa: BLE001, S112 - the point: a budget is not an Exception
            continue


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="POSIX interval timers")
def test_time_budget_interrupts_code_that_never_checks_and_swallows_exceptions():
    started = time.monotonic()
    with pytest.raises(TimeBudgetExceeded):
        with time_budget(0.2):
            _busy_library_call()
    assert time.monotonic() - started < 2
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL
    time.sleep(0.3)  # no late alarm


def test_time_budget_outside_the_main_thread_is_cooperative():
    outcome = []

    def work():
        try:
            with time_budget(0.1):
                while True:
                    checkpoint()
        except TimeBudgetExceeded:
            outcome.append("stopped")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(5)
    assert outcome == ["stopped"]


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="POSIX interval timers")
def test_a_timer_someone_else_armed_is_left_alone():
    def theirs(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, theirs)
    try:
        signal.setitimer(signal.ITIMER_REAL, 100)
        with time_budget(0.05):
            time.sleep(0.1)  # not interrupted: only checkpoints enforce this budget
            with pytest.raises(TimeBudgetExceeded):
                checkpoint()
        assert signal.getsignal(signal.SIGALRM) is theirs and signal.getitimer(signal.ITIMER_REAL)[0] > 90
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_an_inner_budget_is_the_outer_one():
    with pytest.raises(TimeBudgetExceeded):
        with time_budget(0.1):
            with time_budget(100):
                time.sleep(0.3)
                checkpoint()


@pytest.mark.parametrize("stall", ["cloudformation", "terraform", "plan"])
def test_a_file_over_its_time_budget_is_a_notification_and_the_scan_goes_on(tmp_path, monkeypatch, stall):
    (tmp_path / "slow").mkdir()
    (tmp_path / "fast").mkdir()
    for folder in ("slow", "fast"):
        (tmp_path / folder / "main.tf").write_text(f'resource "aws_sqs_queue" "{folder}" {{\n  name = "x"\n}}\n')
        (tmp_path / folder / "t.yaml").write_text(
            f'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  {folder.title()}:\n    Type: AWS::SQS::Queue\n')
        (tmp_path / folder / "plan.json").write_text(json.dumps({
            "format_version": "1.2", "planned_values": {"root_module": {"resources": [
                {"address": f"aws_sqs_queue.plan_{folder}", "mode": "managed", "type": "aws_sqs_queue",
                 "name": f"plan_{folder}", "values": {"name": "x"}}]}}}))

    def stalling(real):
        def call(*args, **kwargs):
            if "slow" in str(args[0]) or "slow" in str(getattr(args[0], "path", "")):
                _busy_library_call()
            return real(*args, **kwargs)
        return call

    import iacgov.parsers.cloudformation.template as template  # noqa: PLC0415
    import iacgov.parsers.terraform.loader as loader  # noqa: PLC0415
    import iacgov.parsers.terraform_plan as plan  # noqa: PLC0415

    target = {"cloudformation": (template, "_read_text"), "terraform": (loader, "read_bounded"),
              "plan": (plan, "read_bounded")}[stall]
    monkeypatch.setattr(*target, stalling(getattr(*target)))
    started = time.monotonic()
    # --no-cache: the three cases scan the same texts, and an analysis cached by
    # an earlier case would be replayed without reading the stalled file.
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "-f", "json", "--file-timeout", "0.5", "--jobs", "1",
                                       "--no-cache"])
    assert time.monotonic() - started < 20
    report = json.loads(result.stdout)
    [note] = [n for n in report["notifications"] if "budget" in n["message"]]
    assert note["file"].startswith("slow/") and note["level"] == "error"
    assert "took longer than the 0.5 s budget per file (limits.file_timeout_seconds" in note["message"]
    found = {f["address"] for f in report["findings"]}
    assert {"aws_sqs_queue.fast", "Fast", "aws_sqs_queue.plan_fast"} <= found
    assert len(found & {"aws_sqs_queue.slow", "Slow", "aws_sqs_queue.plan_slow"}) == 2


# -- unreadable files (tests run as root: chmod 000 would not stop them) -----------------------


def test_unreadable_files_are_notifications_naming_them(tmp_path, monkeypatch):
    for name in ("secret.tf", "open.tf"):
        (tmp_path / name).write_text(f'resource "aws_sqs_queue" "{name[:-3]}" {{\n  name = "x"\n}}\n')
    (tmp_path / "secret.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q:\n'
                                          "    Type: AWS::SQS::Queue\n")
    real_open = os.open

    def guarded(path, *args, **kwargs):
        if os.fspath(path).endswith(("secret.tf", "secret.yaml")):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "-f", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert {(n["file"], n["message"]) for n in report["notifications"]} == {
        ("secret.tf", "secret.tf: cannot be read (permission denied)"),
        ("secret.yaml", "secret.yaml: cannot be read (permission denied)"),
    }
    assert {f["address"] for f in report["findings"]} == {"aws_sqs_queue.open"}


def test_unreadable_module_file_read_by_the_terraform_loader(tmp_path, monkeypatch):
    """A called module's files are read by the loader itself, not handed over by discovery."""
    (tmp_path / "main.tf").write_text('module "child" {\n  source = "./child"\n}\n')
    (tmp_path / "child").mkdir()
    (tmp_path / "child" / "main.tf").write_text('resource "aws_sqs_queue" "child" {\n  name = "x"\n}\n')
    (tmp_path / "child" / "locked.tf").write_text('resource "aws_sqs_queue" "locked" {\n  name = "x"\n}\n')
    os.mkfifo(tmp_path / "child" / "pipe.tf")
    (tmp_path / "child" / "dir.tf").mkdir()
    real_open = os.open

    def guarded(path, *args, **kwargs):
        if os.fspath(path).endswith("locked.tf"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "main.tf"), "-f", "json", "--verbose"])
    report = json.loads(result.stdout)
    assert {(n["file"], n["level"], n["message"]) for n in report["notifications"]} == {
        ("child/locked.tf", "error", "cannot parse child/locked.tf: read error (Permission denied)"),
        ("child/pipe.tf", "note", "skipped child/pipe.tf: not a regular file (a FIFO)"),
        ("child/dir.tf", "note", "skipped child/dir.tf: a directory, not a file"),
    }
    assert "module.child.aws_sqs_queue.child" in {f["address"] for f in report["findings"]}


@pytest.mark.parametrize("command, key", [
    ("scan", "suppressions:\n  baseline: {path}"),
    ("cost", "cost:\n  rate_card: {path}"),
    ("cost", "cost:\n  usage_file: {path}"),
])
@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_files_named_by_a_policy_in_the_scanned_tree_are_bounded_too(tmp_path, command, key, special):
    """A pull request can edit the iacgov.yaml that `iacgov scan` finds: the files
    it names (baseline, rate card, usage) must not stall or exhaust the run."""
    path = special
    if special == "fifo":
        os.mkfifo(tmp_path / "fifo")
        path = str(tmp_path / "fifo")
    (tmp_path / "iacgov.yaml").write_text("version: 1\n" + key.format(path=path) + "\n")
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    started = time.monotonic()
    result = CliRunner().invoke(main, [command, str(tmp_path)])
    assert time.monotonic() - started < 20
    assert result.exit_code == 2, result.output
    assert "not a regular file" in result.output and "Traceback" not in result.output


def test_module_fan_out_is_bounded(tmp_path):
    """Three small files that would expand to a million resources: the root
    module is reported, with the reason, and the other root modules still count."""
    from iacgov.parsers.terraform import TerraformParser  # noqa: PLC0415

    (tmp_path / "fan" / "a").mkdir(parents=True)
    (tmp_path / "fan" / "b").mkdir()
    (tmp_path / "fan" / "main.tf").write_text('module "a" {\n  source = "./a"\n  count  = 10\n}\n')
    (tmp_path / "fan" / "a" / "main.tf").write_text('module "b" {\n  source = "../b"\n  count  = 10\n}\n')
    (tmp_path / "fan" / "b" / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  count = 10\n  name  = "q"\n}\n')
    (tmp_path / "calm").mkdir()
    (tmp_path / "calm" / "main.tf").write_text('resource "aws_sqs_queue" "calm" {\n  name = "c"\n}\n')
    files = [SourceFile(tmp_path / p, p) for p in ("calm/main.tf", "fan/main.tf", "fan/a/main.tf", "fan/b/main.tf")]

    def parse(limit: int):
        results = list(TerraformParser().parse(files, ParseOptions(limits=Limits(max_resources=limit)), tmp_path))
        return [r.address for res in results for r in res.resources], [n for res in results for n in res.notifications]

    addresses, notes = parse(1000)
    assert len(addresses) == 1001 and notes == []
    addresses, notes = parse(999)
    assert addresses == ["aws_sqs_queue.calm"]
    [note] = notes
    assert (note.location.path, note.level.value) == ("fan/main.tf", "error")
    assert note.message == ("module fan: expands to more than 999 resource instances (modules called with count or "
                            "for_each multiply): not analysed")


def test_the_plain_count_of_small_values_is_the_memoised_count():
    """value_too_large counts most values plainly (limits._plain_count) and past limits._SMALL with the memo
    (value_items' count): both count the same items, and the boundary is exact either way."""
    from iacgov.limits import _SMALL, _plain_count, value_items
    from iacgov.parsers.terraform.values import BlockValue, SetValue

    class Name(str):
        pass

    shared = ("p" * 130, 7)
    values = [
        {"a": 1, "b": None, "c": True, "d": 2.5, "e": "x" * 63, "f": "y" * 64, "g": Name("z" * 200)},
        ("bucket", [("tags.env", 12), ("tags.app", 13), shared, shared]),
        BlockValue(ingress=[BlockValue(port=80), BlockValue(port=443)], name="web"),
        SetValue(["a", "b" * 700, ["c"]]),
        [[[[]]]], (), {}, [shared] * 50, {"k": [shared] * 20, "l": list(range(100))},
    ]
    for value in values:
        assert _plain_count(value) == value_items(value), value
    big = [shared] * 2000  # 1 + 2,000 * (1 + (1 + 2) + 1) = 10,001 items
    assert value_items(big) == 10_001 and _plain_count(big) > _SMALL
    limits = Limits(max_value_size=_SMALL)  # counted plainly up to the cap, with the memo past it
    exact = ["x"] * (_SMALL - 1)  # 1 + 4,095
    assert not value_too_large(exact, limits) and value_too_large([*exact, "x"], limits)
    assert not value_too_large([("a" * 64 * 10,)] * 200, Limits())  # 1 + 200 * (1 + 11) = 2,401
    assert value_too_large([("a" * 64 * 10,)] * 400, limits)  # 4,801 items, over a cap of 4,096
