"""Progress of a long scan: on a terminal only, rewritten in place, erased
before the report; never in pipes, files or CI logs."""

from __future__ import annotations

import io
import re

from conftest import DEMO

from iacgov.engine import ScanRequest, scan
from iacgov.model import ParseOptions
from iacgov.plugins import load_plugins
from iacgov.progress import Counter, listening, on_terminal, say


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _scan_demo(tmp_path):
    request = ScanRequest(paths=(DEMO,), root=DEMO, options=ParseOptions(jobs=1, cache_dir=None))
    return scan(request, load_plugins(disabled=["checkov", "cfn-lint", "acme"]))


def test_a_terminal_sees_each_phase_on_one_line_erased_at_the_end(tmp_path):
    terminal = Terminal()
    with on_terminal(terminal, delay=0):
        result = _scan_demo(tmp_path)
    text = terminal.getvalue()
    assert "\n" not in text  # one line, rewritten
    shown = [m for m in text.split("\r\x1b[K") if m]
    assert shown[0] == "iacgov: looking for files"
    terraform_files = len([f for f in result.files if f.endswith(".tf")])
    assert f"iacgov: parsing Terraform files: {terraform_files} of {terraform_files}" in shown
    assert any(re.fullmatch(r"iacgov: analysing Terraform root modules: \d+ of \d+", m) for m in shown)
    assert any(m.startswith("iacgov: reading CloudFormation templates: ") for m in shown)
    assert re.fullmatch(r"iacgov: running rules on \d+ resources: (\d+) of \1", shown[-1])
    assert text.endswith("\r\x1b[K")  # erased: the report starts on a clean line


def test_nothing_is_written_when_the_stream_is_not_a_terminal_or_the_scan_is_quick(tmp_path):
    pipe = io.StringIO()
    with on_terminal(pipe, delay=0):
        _scan_demo(tmp_path)
    assert pipe.getvalue() == ""
    terminal = Terminal()
    with on_terminal(terminal, delay=3600):  # a scan quicker than the delay: silent
        _scan_demo(tmp_path)
    assert terminal.getvalue() == ""
    quiet = Terminal()
    with on_terminal(quiet, enabled=False, delay=0):  # --quiet
        say("looking for files")
    assert quiet.getvalue() == ""


def test_counter_is_throttled_but_always_says_the_last_item():
    said: list[str] = []
    with listening(said.append):
        counter = Counter("parsing", 1000, every=3600)
        for _ in range(1000):
            counter.advance()
    # Nothing in between: the interval starts when the counter is made, whatever
    # the machine's uptime (time.monotonic() counts from boot).
    assert said == ["parsing: 0 of 1,000", "parsing: 1,000 of 1,000"]


def test_counter_says_every_item_when_not_throttled():
    said: list[str] = []
    with listening(said.append):
        counter = Counter("rules", 3, every=0)
        for _ in range(3):
            counter.advance()
    assert said == ["rules: 0 of 3", "rules: 1 of 3", "rules: 2 of 3", "rules: 3 of 3"]


def test_the_command_line_writes_no_progress_to_a_pipe(cli):
    result = cli("-p", "no:checkov", "-p", "no:cfn-lint", "-p", "no:acme", "scan", DEMO, "--format", "json")
    assert result.exit_code == 1
    assert "\x1b[K" not in result.stderr and "\r" not in result.stderr
