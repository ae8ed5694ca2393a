"""The composite GitHub Action, run step by step the way a runner would.

The harness reads action.yml, evaluates the ``${{ }}`` expressions it uses
(inputs, github.action_path, steps.*.outputs), runs each ``run:`` step with
bash in a workspace, with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and
GITHUB_EVENT_PATH as the runner sets them. ``uses:`` steps (setup-python) are
the runner's business and are skipped; the install step really installs the
action's checkout, into a throwaway virtual environment.
"""

from __future__ import annotations

import json
import os
import re
import site
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def _read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT in both syntaxes: ``k=v`` and ``k<<DELIM ... DELIM``."""
    out, lines = {}, path.read_text().splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line:
            key, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            out[key] = "\n".join(lines[i + 1:j])
            i = j + 1
        else:
            key, _, value = line.partition("=")
            out[key] = value
            i += 1
    return out


@pytest.fixture(scope="module")
def runner_python(tmp_path_factory):
    """A fresh interpreter environment like the one setup-python gives, which
    sees this environment's dependencies so the install step needs no download of them."""
    venv = tmp_path_factory.mktemp("runner") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    ours = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(purelib, "runner_deps.pth").write_text("\n".join(ours) + "\n")
    return venv / "bin"


def run_action(workspace: Path, inputs: dict[str, str], event: dict, runner_bin: Path, tmp: Path):
    action = yaml.safe_load((REPO / "action.yml").read_text())
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"inputs not declared by action.yml: {unknown}"
    values.update(inputs)
    event_path, output, summary = tmp / "event.json", tmp / "output", tmp / "summary.md"
    event_path.write_text(json.dumps(event))
    steps: dict[str, dict[str, str]] = {}

    def evaluate(text: str) -> str:
        def one(m: re.Match) -> str:
            expr = m.group(1)
            if expr.startswith("inputs."):
                return str(values[expr[len("inputs."):]])
            if expr == "github.action_path":
                return str(REPO)
            parts = expr.split(".")
            if parts[0] == "steps" and parts[2] == "outputs":
                return steps.get(parts[1], {}).get(parts[3], "")
            raise AssertionError(f"expression the harness does not know: {expr}")

        return EXPR.sub(one, text)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "VIRTUAL_ENV"))}
    env.update(PATH=f"{runner_bin}{os.pathsep}{env['PATH']}", GITHUB_EVENT_PATH=str(event_path),
               GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary), GITHUB_WORKSPACE=str(workspace),
               GITHUB_ACTIONS="true", RUNNER_TEMP=str(tmp), CI="true")
    codes = []
    for step in action["runs"]["steps"]:
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@")
            continue
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], "inputs reach the shell through env:, never pasted into the script"
        step_env = {**env, **{k: evaluate(str(v)) for k, v in step.get("env", {}).items()}}
        output.write_text("")
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace, env=step_env,
                              capture_output=True, text=True, timeout=600)
        codes.append(proc.returncode)
        if "id" in step:
            steps[step["id"]] = _read_outputs(output)
        if proc.returncode != 0:
            break
    outputs = {name: evaluate(spec["value"]) for name, spec in action["outputs"].items()}
    return codes, proc, outputs, summary.read_text() if summary.exists() else ""


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    _git(ws, "init", "-q", "-b", "main")
    _git(ws, "config", "user.email", "ci@example.invalid")
    _git(ws, "config", "user.name", "ci")
    (ws / "iacgov.yaml").write_text(
        "version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\n"
        "approvers:\n  cto: [alice]\n  strategic: [alice, bob]\n"
    )
    (ws / "main.tf").write_text('provider "aws" {\n  region = "eu-west-3"\n}\n\nresource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n')
    _git(ws, "add", ".")
    _git(ws, "commit", "-q", "-m", "base")
    return ws


def test_scan_mode_writes_sarif_outputs_annotations_and_summary(tmp_path, runner_python, validate_sarif):
    ws = _workspace(tmp_path)
    (ws / "dr.tf").write_text('provider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}\n\n'
                              'resource "aws_sqs_queue" "copy" {\n  provider = aws.us\n  name = "copy"\n}\n')
    codes, proc, outputs, summary = run_action(ws, {"mode": "scan"}, {}, runner_python, tmp_path)
    assert codes == [0, 1], proc.stderr  # installed, then failed on the blocking finding
    assert outputs["exit-code"] == "1"
    assert outputs["sarif-file"] == "iacgov.sarif"
    log = validate_sarif(json.loads((ws / "iacgov.sarif").read_text()))
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["LOC001"]
    assert "::error file=dr.tf,line=6," in proc.stdout  # annotation on the diff
    assert "<!-- iacgov-scan -->" in summary and "aws_sqs_queue.copy" in summary


def test_scan_mode_soft_fail(tmp_path, runner_python):
    ws = _workspace(tmp_path)
    (ws / "main.tf").write_text((ws / "main.tf").read_text().replace("eu-west-3", "us-east-1"))
    codes, proc, outputs, _ = run_action(ws, {"mode": "scan", "fail-on": "never"}, {}, runner_python, tmp_path)
    assert codes == [0, 0], proc.stderr
    assert outputs["exit-code"] == "0"


def test_review_mode_on_a_pull_request_event(tmp_path, runner_python):
    ws = _workspace(tmp_path)
    base = _git(ws, "rev-parse", "HEAD")
    _git(ws, "checkout", "-q", "-b", "provider/new-region")
    (ws / "dr.tf").write_text('provider "aws" {\n  alias  = "ie"\n  region = "eu-west-1"\n}\n\n'
                              'resource "aws_sqs_queue" "copy" {\n  provider = aws.ie\n  name = "copy"\n}\n')
    _git(ws, "add", ".")
    _git(ws, "commit", "-q", "-m", "provider: queue copy in Ireland")
    head = _git(ws, "rev-parse", "HEAD")
    event = {"action": "synchronize", "number": 7,
             "pull_request": {"number": 7, "base": {"ref": "main", "sha": base},
                              "head": {"ref": "provider/new-region", "sha": head}}}
    # The base policy allows eu-west-3 only: LOC001 blocks, and a new region needs the CTO.
    codes, proc, outputs, summary = run_action(ws, {"mode": "review"}, event, runner_python, tmp_path)
    assert codes == [0, 1], proc.stdout + proc.stderr
    assert outputs["exit-code"] == "1"
    comment = (ws / outputs["comment-file"]).read_text()
    assert comment.startswith("<!-- iacgov-review -->")
    assert "new_region" in comment or "new region" in comment.lower()
    assert summary.strip() == comment.strip()

    approvals = tmp_path / "reviews.json"
    approvals.write_text(json.dumps([{"user": {"login": "alice"}, "state": "APPROVED", "commit_id": head,
                                      "submitted_at": "2026-11-26T10:00:00Z"}]))
    codes, proc, outputs, _ = run_action(ws, {"mode": "review", "approvals-file": str(approvals)},
                                         event, runner_python, tmp_path)
    assert outputs["exit-code"] == "1"  # approved, but LOC001 (a blocking finding) remains


def test_a_bad_input_is_a_workflow_error(tmp_path, runner_python):
    ws = _workspace(tmp_path)
    codes, proc, outputs, _ = run_action(ws, {"mode": "audit"}, {}, runner_python, tmp_path)
    assert codes == [0, 2]
    assert "::error title=iacgov::input mode" in proc.stdout
