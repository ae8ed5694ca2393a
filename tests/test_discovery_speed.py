"""Discovery's short paths (a walked regular file is not resolved one by one;
recognising formats arms the time budget's timer once per scan) give what the
long paths give: the same files, relative paths, skips and notes."""

from __future__ import annotations

import os
import signal
import time

import pytest

from iacgov.discovery import assign, discover
from iacgov.limits import Limits, TimeBudgetExceeded, budget_per_item, time_budget
from iacgov.model import SourceFile


def _estate(base):
    """A repository holding every kind of entry the walk meets, scanned through a link to it."""
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.tf").write_text("")
    root = base / "repo"
    (root / "envs" / "dev").mkdir(parents=True)
    (root / "modules" / "db").mkdir(parents=True)
    for rel in ("main.tf", "envs/dev/main.tf", "envs/dev/vars.tfvars", "modules/db/main.tf", "README.md",
                "odd name\nwith newline.tf", "ünïcode.tf", ".hidden.tf", ".iacgov.yaml", "examples.tf"):
        (root / rel).write_text("")
    os.symlink(root / "main.tf", root / "envs" / "alias.tf")       # inside: the same file, scanned once
    os.symlink(outside / "secret.tf", root / "envs" / "out.tf")    # outside: a warning
    os.symlink(root / "modules", root / "envs" / "mods")           # a folder link: not walked
    os.symlink(root / "gone.tf", root / "envs" / "broken.tf")      # broken: cannot be read
    os.mkfifo(root / "envs" / "pipe.tf")
    os.symlink(root, base / "via")
    return root


def _outcome(found):
    return ([(f.relpath, str(f.path)) for f in found.files],
            [(n.message, n.location.path, n.level, n.scope) for n in found.notifications],
            sorted(found.excluded))


@pytest.mark.parametrize("exclude", [(), ("envs/dev/*.tfvars", "examples.tf")])
def test_walked_files_are_what_naming_each_file_gives(tmp_path, exclude):
    root = _estate(tmp_path)
    found = discover([root], root, exclude)
    kept = ["main.tf", "envs/dev/main.tf", "modules/db/main.tf", "README.md", "odd name\nwith newline.tf",
            "ünïcode.tf", ".iacgov.yaml"]
    left_out = ["envs/dev/vars.tfvars", "examples.tf"]
    assert [f.relpath for f in found.files] == sorted(kept + ([] if exclude else left_out))
    assert found.files[0].path == root / found.files[0].relpath
    assert found.excluded == (left_out if exclude else [])
    # Named one by one, each file goes the long way (resolved, stat'ed): the same relative paths and paths.
    named = discover([root / f.relpath for f in found.files], root, exclude)
    assert [(f.relpath, f.path) for f in named.files] == [(f.relpath, f.path) for f in found.files]
    messages = {n.location.path: n.message for n in found.notifications}
    assert "links outside the scanned root" in messages["envs/out.tf"]
    assert "cannot be read" in messages["envs/broken.tf"]
    assert "not a regular file (a FIFO)" in messages["envs/pipe.tf"]
    assert "envs/mods" not in messages and "envs/alias.tf" not in messages  # a link inside: said nothing


def test_a_scan_through_a_link_to_the_root_keeps_the_long_paths_answer(tmp_path):
    # The walk's folders are spelled through the link, the root is resolved: the relative path of each file
    # is then its absolute spelling (as the long path computes it), and the real path still dedupes the alias.
    root = _estate(tmp_path)
    found = discover([tmp_path / "via"], root)
    assert [f.relpath for f in found.files][:2] == [str(tmp_path / "via" / ".iacgov.yaml"),
                                                  str(tmp_path / "via" / "README.md")]
    named = discover([tmp_path / "via" / "main.tf", tmp_path / "via" / "envs" / "alias.tf"], root)
    assert [f.relpath for f in named.files] == [str(tmp_path / "via" / "main.tf")]
    assert str(tmp_path / "via" / "envs" / "alias.tf") not in [f.relpath for f in found.files]
    assert len(found.files) == 9


def test_a_folder_whose_real_path_is_outside_the_root_goes_the_long_way(tmp_path):
    # Scanning a folder outside the given root: each file is said to link outside, none is scanned.
    root = tmp_path / "repo"
    root.mkdir()
    other = tmp_path / "other"
    other.mkdir()
    (other / "main.tf").write_text("")
    found = discover([other], root)
    assert found.files == []
    assert ["links outside the scanned root" in n.message for n in found.notifications] == [True]


def _file(tmp_path, name):
    (tmp_path / name).write_text("x")
    return SourceFile(path=tmp_path / name, relpath=name)


class _Claims:
    name = "fake"

    def __init__(self, claims):
        self.claims = claims


def test_each_file_gets_a_whole_budget_of_its_own(tmp_path):
    # Three files each taking 0.4 s of a 1 s budget (1.2 s together): none is over its budget; a stuck one is.
    def slow(file, head):
        if file.relpath == "stuck.tf":
            while True:
                pass
        end = time.monotonic() + 0.4
        while time.monotonic() < end:
            pass
        return True

    files = [_file(tmp_path, n) for n in ("a.tf", "b.tf", "stuck.tf", "c.tf")]
    notes: list = []
    claimed = assign(files, [_Claims(slow)], notes, limits=Limits(file_timeout_seconds=1))
    assert [f.relpath for f in claimed["fake"]] == ["a.tf", "b.tf", "c.tf"]
    assert [n.subject for n in notes] == ["stuck.tf"]


def test_the_timer_and_handler_are_put_back_after_the_loop():
    before = signal.getsignal(signal.SIGALRM)
    interrupted = 0
    with budget_per_item(0.1) as budget:
        assert signal.getitimer(signal.ITIMER_REAL) != (0.0, 0.0)
        for _ in range(2):  # each item is stopped by its own deadline
            try:
                with budget:
                    while True:
                        pass
            except TimeBudgetExceeded:
                interrupted += 1
    assert interrupted == 2
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == before


def test_inside_another_budget_the_outer_one_governs():
    with time_budget(5):
        timer = signal.getitimer(signal.ITIMER_REAL)
        with budget_per_item(0.01) as budget:
            with budget:
                end = time.monotonic() + 0.1
                while time.monotonic() < end:  # past the inner 0.01 s, within the outer 5 s
                    pass
        assert signal.getitimer(signal.ITIMER_REAL)[1] == timer[1]  # the outer timer's interval untouched


def test_a_named_folder_that_is_a_link_is_walked_by_its_real_path(tmp_path):
    # Named on the command line, a link to a folder is walked; its files are where the link points:
    # inside the root, the same files as the target's (scanned once, under the first name met);
    # outside, each one a warning.
    root = tmp_path / "repo"
    (root / "other").mkdir(parents=True)
    (root / "other" / "main.tf").write_text("")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.tf").write_text("")
    os.symlink(root / "other", root / "alias")
    os.symlink(tmp_path / "outside", root / "away")
    found = discover([root / "alias", root / "other", root / "away"], root)
    assert [f.relpath for f in found.files] == ["alias/main.tf"]
    assert [(n.location.path, "links outside the scanned root" in n.message) for n in found.notifications] == [
        ("away/secret.tf", True)]


@pytest.mark.skipif(not os.path.exists("/proc/self/statm") or not hasattr(os, "fork"), reason="Linux only")
def test_the_resident_size_is_the_calling_process_s_after_a_fork():
    # /proc/self/statm stays open between looks; a forked worker must not read its parent's figures through it.
    from iacgov.limits import _resident

    parent = _resident()
    assert parent is not None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own growth is seen
        try:
            before = _resident()
            block = bytearray(b"\1" * (64 * 1024 * 1024))
            grown = _resident() - before
            os.write(write, str(grown // (1024 * 1024)).encode() + (b"" if block else b""))
        finally:
            os._exit(0)
    os.close(write)
    grown_mib = int(os.read(read, 64) or b"-1")
    os.close(read)
    os.waitpid(pid, 0)
    assert grown_mib >= 60
    block = bytearray(b"\1" * (32 * 1024 * 1024))  # and the parent's own, after its child's
    assert _resident() - parent >= 30 * 1024 * 1024 and block


def _excluded_by_every_folder(patterns, rel):
    """The matcher's meaning, written out: the path or any folder above it (every prefix before a '/')."""
    from iacgov.discovery import _glob_regex

    compiled = [_glob_regex(p) for p in patterns if p.strip()]
    parts = rel.split("/")
    folders = ["/".join(parts[:i]) for i in range(1, len(parts))]
    return any(r.fullmatch(f) for r, _ in compiled for f in folders) or any(
        r.fullmatch(rel) for r, dirs_only in compiled if not dirs_only)


def test_folder_verdicts_said_once_per_folder_agree_with_every_folder_tested():
    from itertools import product

    from iacgov.discovery import exclusion_matcher

    names = ["envs", "dev", "test", "examples", "a.tf", "x.auto.tfvars", ""]
    rels = sorted({"/".join(p).strip("/") for n in (1, 2, 3, 4) for p in product(names, repeat=n)} - {""})
    rels += ["/abs/outside/main.tf", "/examples/main.tf"]  # a file outside the root keeps its absolute spelling
    for patterns in (["examples/"], ["**/test/**", "*.auto.tfvars"], ["/envs/dev"], ["envs/*/"], ["*/"],
                     ["test", "envs/dev/*.tf"], ["**/a.tf"]):
        matcher = exclusion_matcher(patterns)  # one matcher for every path: its memo is exercised
        wrong = [rel for rel in rels if matcher(rel) != _excluded_by_every_folder(patterns, rel)]
        assert wrong == [], (patterns, wrong[:5])
        assert any(matcher(rel) for rel in rels) and not all(matcher(rel) for rel in rels)
