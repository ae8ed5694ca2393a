"""Scanning untrusted files: no network, no process started, no code loaded
from the scanned tree, nothing written inside it but the outputs asked for."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacgov.cli import main

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from make_hostile_fixtures import make_hostile_tree  # noqa: E402

# Modules a scanned tree could plant, hoping iacgov imports them (from the
# working directory, as a plugin, as a test or site hook).
DECOYS = ("yaml.py", "click.py", "hcl2.py", "sitecustomize.py", "usercustomize.py", "conftest.py",
          "iacgov_rules/__init__.py", "iacgov/__init__.py", "plugins.pth")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """The demo and the hostile tree side by side, with decoy modules everywhere."""
    base = tmp_path_factory.mktemp("isolation")
    root = make_hostile_tree(base, huge=False)
    shutil.copytree(REPO / "fixtures" / "demo", root / "demo")
    marker = base / "DECOY-RAN"
    for folder in (root, root / "demo", root / "good"):
        for name in DECOYS:
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"open({str(marker)!r}, 'a').write({str(path)!r} + '\\n')\n")
    (root / ".git").mkdir()  # the scan root, as in a repository
    return root


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root (links not followed): kind, size, mtime, mode."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            out[str(path.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to resolve, connect or start a process fails the test."""
    attempts: list[str] = []

    def refuse(what):
        def call(*args, **kwargs):
            attempts.append(what)
            raise OSError(f"iacgov tried {what}")
        return call

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    monkeypatch.setattr(subprocess, "Popen", refuse("subprocess.Popen"))
    monkeypatch.setattr(os, "system", refuse("os.system"))
    return attempts


@pytest.mark.parametrize("target", ["demo", "."])
def test_a_full_scan_uses_no_network_and_starts_no_process(tree, tmp_path, no_network, target):
    before = snapshot(tree)
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(main, [
        "scan", str(tree / target), "--verbose", "--output", f"sarif:{out / 'r.sarif'}",
        "--output", f"json:{out / 'r.json'}", "--output", f"junit:{out / 'r.xml'}", "--output", "text"])
    assert result.exit_code == 1, result.output
    assert no_network == []
    assert json.loads((out / "r.json").read_text())["errors"] == []
    assert snapshot(tree) == before
    assert not (tree.parent / "DECOY-RAN").exists()


def test_outputs_asked_for_inside_the_tree_are_the_only_writes(tree, tmp_path):
    work = tmp_path / "repo"
    shutil.copytree(tree / "demo", work)
    before = snapshot(work)
    result = CliRunner().invoke(main, ["scan", str(work), "--output", f"sarif:{work / 'iacgov.sarif'}"])
    assert result.exit_code == 1
    after = snapshot(work)
    assert set(after) - set(before) == {"iacgov.sarif"}  # no temporary file left beside it
    assert {k: v for k, v in after.items() if k != "iacgov.sarif"} == before


HOOK = textwrap.dedent("""
    import os, sys
    TREE = os.path.realpath(sys.argv.pop(1))
    LOG = sys.argv.pop(1)
    WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def inside(path):
        try:
            path = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return path == TREE or path.startswith(TREE + os.sep)

    def hook(event, args):
        bad = None
        if event.startswith(("socket.", "subprocess.", "os.exec", "os.posix_spawn", "os.spawn")) or event in (
                "os.system", "os.startfile", "urllib.Request", "http.client.connect"):
            if event not in ("socket.__new__", "socket.socketpair"):  # multiprocessing's own pipes
                bad = event
        elif event == "ctypes.dlopen" and args[0] and inside(args[0]):  # system libraries are fine
            bad = f"dlopen {args[0]}"
        elif event == "open" and args[0] is not None and not isinstance(args[0], int):
            mode, flags = args[1], args[2]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (flags or 0) & WRITE
            if writes and inside(args[0]):
                bad = f"write {args[0]}"
        elif event == "import" and args[1] and inside(args[1]):
            bad = f"import {args[1]}"
        if bad:
            with open(LOG, "a") as fh:
                fh.write(bad + "\\n")

    sys.addaudithook(hook)
    sys.argv[0] = "iacgov"
    from iacgov.cli import main
    main()
""")


def test_audit_hook_sees_no_network_process_import_or_write_inside_the_tree(tree, tmp_path):
    """The whole CLI in a fresh interpreter, run from inside the tree as CI
    would (``cd repo && iacgov scan``), every Python audit event watched —
    including in the worker processes that parse in parallel (fork keeps the hook)."""
    log = tmp_path / "audit.log"
    out = tmp_path / "r.sarif"
    before = snapshot(tree)
    proc = subprocess.run(
        [sys.executable, "-P", "-c", HOOK, str(tree), str(log), "scan", ".", "--jobs", "2",
         "--output", f"sarif:{out}", "--output", "github"],
        cwd=tree, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONSAFEPATH": "1"},
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not log.exists(), log.read_text()
    assert json.loads(out.read_text())["runs"][0]["results"]
    assert snapshot(tree) == before
    assert not (tree.parent / "DECOY-RAN").exists()


def test_the_audit_hook_would_see_them(tmp_path):
    """The watcher itself works: a write inside the tree and a connection attempt are logged."""
    log = tmp_path / "audit.log"
    watched = tmp_path / "tree"
    watched.mkdir()
    code = HOOK.replace("from iacgov.cli import main\nmain()", "")
    assert code != HOOK
    code += textwrap.dedent(f"""
        open({str(watched / 'x.txt')!r}, 'w').close()
        import socket
        try:
            socket.create_connection(("127.0.0.1", 9), timeout=0.1)
        except OSError:
            pass
    """)
    subprocess.run([sys.executable, "-P", "-c", code, str(watched), str(log)], check=True, timeout=60)
    logged = log.read_text()
    assert "write " in logged and "socket.connect" in logged


def test_a_failed_write_leaves_the_previous_output_whole(tmp_path, monkeypatch):
    """Outputs are written to a temporary file beside the target, then renamed:
    a run that fails while writing leaves the previous SARIF (or baseline) as it was."""
    from iacgov import cli

    target = tmp_path / "iacgov.sarif"
    target.write_text('{"previous": "run"}\n')

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli.os, "replace", disk_full)
    result = CliRunner().invoke(main, ["scan", str(REPO / "fixtures" / "demo"), "--output", f"sarif:{target}"])
    assert result.exit_code == 2
    assert result.output.strip().endswith("No space left on device")
    assert "Traceback" not in result.output
    assert target.read_text() == '{"previous": "run"}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["iacgov.sarif"]  # the temporary file is gone
