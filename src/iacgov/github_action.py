"""The GitHub Action's run step: ``python -m iacgov.github_action``.

``action.yml`` passes its inputs as ``INPUT_*`` environment variables (never
pasted into a shell line, so an input cannot inject commands). This module
runs ``iacgov scan`` or ``iacgov review`` in-process, writes the step outputs
to ``$GITHUB_OUTPUT`` and a summary to ``$GITHUB_STEP_SUMMARY``, prints
annotations for the pull request's diff, and exits with iacgov's exit code.

``fail-on`` applies to scan mode only. On ``pull_request`` the workflow file
comes from the pull request itself, so anything the workflow says is under
the provider's control: in review mode nothing the head commit writes may
turn a blocked verdict green. Only the base commit's policy can make a
review advisory (``review: {advisory: true}``), and iacgov review then exits
0 by itself.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Mapping, Sequence

MODES = ("scan", "review")
FAIL_ON = ("error", "warning", "note", "never")


class ActionError(Exception):
    """A misconfigured input: reported as a workflow error, exit 2."""


def _input(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(f"INPUT_{name.upper().replace('-', '_')}", "").strip() or default


def _event(env: Mapping[str, str]) -> dict:
    path = env.get("GITHUB_EVENT_PATH")
    if not path or not Path(path).is_file():
        return {}
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ActionError(f"cannot read the event payload {path}: {exc}") from None


def build_command(env: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """The iacgov arguments for the inputs, and the step outputs to set."""
    mode = _input(env, "mode", "scan")
    if mode not in MODES:
        raise ActionError(f"input mode: expected one of {', '.join(MODES)}, got {mode!r}")
    fail_on = _input(env, "fail-on", "error")
    if fail_on not in FAIL_ON:
        raise ActionError(f"input fail-on: expected one of {', '.join(FAIL_ON)}, got {fail_on!r}")
    sarif = _input(env, "sarif-file", "iacgov.sarif")
    policy = _input(env, "policy")
    fmt = _input(env, "format", "github")
    outputs = {"sarif-file": sarif}

    if mode == "scan":
        summary = str(Path(env.get("RUNNER_TEMP") or tempfile.gettempdir()) / f"iacgov-summary-{uuid.uuid4().hex}.md")
        outputs["summary-file"] = summary
        args = ["scan", *(_input(env, "path", ".").split()), "--output", f"sarif:{sarif}",
                "--output", f"markdown:{summary}", "--output", fmt, "--fail-on", fail_on]
        if policy:
            args += ["--policy", policy]
        return args, outputs

    event = _event(env)
    pull = event.get("pull_request") or {}
    base = _input(env, "base-ref") or (pull.get("base") or {}).get("sha", "")
    if not base:
        raise ActionError("input base-ref is required in review mode outside a pull_request event")
    head = (pull.get("head") or {}).get("sha") or "HEAD"
    comment = _input(env, "comment-file", "iacgov-review.md")
    outputs["comment-file"] = outputs["summary-file"] = comment
    args = ["review", "--base", base, "--head", head, "--output", f"sarif:{sarif}",
            "--output", f"markdown:{comment}", "--output", "text"]
    approvals = _input(env, "approvals-file")
    if approvals:
        args += ["--approvals", approvals]
    if policy:
        args += ["--policy", policy]
    return args, outputs


def run_iacgov(args: Sequence[str]) -> int:
    from iacgov.cli import main

    from click import ClickException

    try:
        # Not standalone: click returns ctx.exit()'s code instead of exiting.
        code = main.main(args=list(args), prog_name="iacgov", standalone_mode=False)
    except ClickException as exc:  # usage errors: the same one line as on the command line
        exc.show()
        return exc.exit_code
    return code if isinstance(code, int) else 0


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)


def _set_outputs(path: str | None, outputs: Mapping[str, str]) -> None:
    lines = []
    for key, value in outputs.items():
        delimiter = f"iacgov_{uuid.uuid4().hex}"  # GitHub's multi-line syntax: value cannot end it
        lines.append(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
    _append(path, "".join(lines))


def _summary(outputs: dict[str, str], code: int) -> str:
    """The Markdown report iacgov wrote, for the job summary."""
    path = Path(outputs.pop("summary-file"))
    if not path.is_file():
        return f"## iacgov\n\niacgov failed (exit code {code}); see the job log.\n"
    return path.read_text(encoding="utf-8") + "\n"


def main(env: Mapping[str, str] | None = None) -> int:
    env = dict(os.environ if env is None else env)
    try:
        args, outputs = build_command(env)
    except ActionError as exc:
        print(f"::error title=iacgov::{exc}")
        return 2
    code = run_iacgov(args)
    _append(env.get("GITHUB_STEP_SUMMARY"), _summary(outputs, code))
    outputs["exit-code"] = str(code)
    _set_outputs(env.get("GITHUB_OUTPUT"), outputs)
    mode = _input(env, "mode", "scan")
    if mode == "review" and _input(env, "fail-on", "error") != "error":
        print("::warning title=iacgov::fail-on applies to scan mode only: a blocked review fails the check "
              "(the base branch's policy may set review.advisory)")
    if mode == "scan" and code == 1 and _input(env, "fail-on", "error") == "never":
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
