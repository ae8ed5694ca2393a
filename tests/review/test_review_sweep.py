"""Review: the copies of the Terraform files a change leaves alone are deleted beside the rest of the review
(iacgov.review.sweep), never one the review still reads, and the review says what it said before."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

import iacgov.review.run as run
import iacgov.review.sweep as sweep
from iacgov.review.sweep import Sweeper
from tests.review.gitkit import POLICY, pr, rcli, repo, review_json  # noqa: F401 - fixtures
from tests.review.test_review_incremental import ESTATE, _estate_root


def test_a_sweeper_deletes_exactly_the_paths_given_under_its_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep, "MIN_FILES", 0)
    folder = tmp_path / "head"
    for rel in ("a/main.tf", "a/keep.tf", "b/c/x.tf", "iacgov.yaml"):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text("x")
    outside = tmp_path / "outside.tf"
    outside.write_text("x")
    with Sweeper() as sweeper:
        sweeper.sweep(folder, ["a/main.tf", "b/c/x.tf", "../outside.tf", str(outside), "missing.tf"])
    left = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert left == ["a/keep.tf", "iacgov.yaml"]
    assert outside.exists()  # '..' and absolute paths are refused


def test_few_files_or_copies_in_memory_start_no_child(tmp_path, monkeypatch):
    (tmp_path / "a.tf").write_text("x")
    sweeper = Sweeper()
    sweeper.sweep(tmp_path, ["a.tf"])
    assert sweeper._children == [] and (tmp_path / "a.tf").exists()  # the folder's removal deletes it
    monkeypatch.setattr(sweep, "MIN_FILES", 0)
    off = Sweeper(enabled=False)
    off.sweep(tmp_path, ["a.tf"])
    assert off._children == [] and (tmp_path / "a.tf").exists()


@pytest.fixture
def swept(monkeypatch):
    """(folder name, sorted paths) of every sweep, each child waited for at once; the files' state after it."""
    monkeypatch.setattr(sweep, "MIN_FILES", 0)
    monkeypatch.setenv("TMPDIR", tempfile.gettempdir())  # copies on disk (in memory, nothing is swept)
    seen: list[tuple[str, list[str], list[str]]] = []

    class Recording(Sweeper):
        def sweep(self, folder: Path, paths) -> None:
            paths = list(paths)
            super().sweep(folder, paths)
            self.wait()
            seen.append((folder.name, sorted(paths),
                         sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())))

    monkeypatch.setattr(run, "Sweeper", Recording)
    return seen


def test_unchanged_terraform_copies_are_swept_and_the_review_is_unchanged(pr, review_json, swept, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    repo, base, _ = pr(ESTATE, {"envs/r2/main.tf": _estate_root(2).replace("size = 22", "size = 900")})
    unchanged = sorted(p for p in ESTATE if p != "envs/r2/main.tf")
    first = review_json(repo, base)  # empty cache: both commits copied whole, then swept
    assert [(name, paths) for name, paths, _ in swept] == [("base", unchanged), ("head", unchanged)]
    assert all(left == ["envs/r2/main.tf", "iacgov.yaml"] for _, _, left in swept)  # what the review reads
    swept.clear()
    assert review_json(repo, base) == first  # both kept: nothing copied, nothing swept
    assert swept == []
    assert review_json(repo, base, "--no-cache") == first
    assert [name for name, _, _ in swept] == ["base", "head"]
    assert any(c["address"] == "aws_ebs_volume.v" for c in first[1]["resources"])


def test_nothing_is_swept_when_the_head_edits_the_policy(pr, review_json, swept, tmp_path, monkeypatch):
    """The head is scanned again under its own policy (the policy change's effect): its copy stays whole."""
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    repo, base, _ = pr(ESTATE, {"iacgov.yaml": POLICY.replace("change_envelope: 100", "change_envelope: 200")})
    cached = review_json(repo, base)
    assert swept == []
    assert cached == review_json(repo, base, "--no-cache")
    assert cached[1]["policy_diff"] is not None


# --------------------------------------------------------------------------- where the copies are made

from iacgov.review.gitrepo import Commit, TreeEntry  # noqa: E402
from iacgov.review.run import scratch_parent  # noqa: E402


def _commit(*sizes: int) -> Commit:
    return Commit("x", "0" * 40, {f"f{i}.tf": TreeEntry(f"f{i}.tf", "100644", "1" * 40, size)
                                  for i, size in enumerate(sizes)})


def test_copies_go_to_a_memory_backed_folder_only_when_it_is_tmpfs_with_room(tmp_path, monkeypatch):
    monkeypatch.delenv("TMPDIR", raising=False)
    shm = tmp_path / "shm"
    shm.mkdir()
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/vda / ext4 rw 0 0\ntmpfs {shm} tmpfs rw,nosuid,nodev 0 0\n")
    small = _commit(1000, 2000)
    assert scratch_parent(small, small, mounts, str(shm)) == str(shm)
    mounts.write_text(f"/dev/vda {shm} ext4 rw 0 0\n")  # a disk: the usual temporary folder
    assert scratch_parent(small, small, mounts, str(shm)) is None
    mounts.write_text(f"tmpfs {shm} tmpfs rw 0 0\n")
    import os

    free = os.statvfs(shm).f_bavail * os.statvfs(shm).f_frsize
    huge = _commit(free)  # both commits twice over do not fit
    assert scratch_parent(huge, small, mounts, str(shm)) is None
    assert scratch_parent(small, small, tmp_path / "no-mounts", str(shm)) is None  # cannot tell: not used
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the user's choice wins
    mounts.write_text(f"tmpfs {shm} tmpfs rw 0 0\n")
    assert scratch_parent(small, small, mounts, str(shm)) is None


def test_the_review_is_the_same_wherever_the_copies_are(pr, review_json, tmp_path, monkeypatch):
    import iacgov.review.run as run_module

    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    repo, base, _ = pr(ESTATE, {"envs/r2/main.tf": _estate_root(2).replace("size = 22", "size = 900")})
    chosen: list[str | None] = []
    real = run_module.scratch_parent

    def recording(*args):
        chosen.append(real(*args))
        return chosen[-1]

    monkeypatch.setattr(run_module, "scratch_parent", recording)
    monkeypatch.delenv("TMPDIR", raising=False)
    default = review_json(repo, base, "--no-cache")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert review_json(repo, base, "--no-cache") == default
    assert chosen[1] is None


@pytest.mark.parametrize("cache", [True, False])
def test_a_memory_backed_folder_filling_up_mid_review_falls_back_to_the_disk(pr, review_json, rcli, tmp_path,
                                                                             monkeypatch, cache):
    """/dev/shm is shared with every process of the machine: when it fills up while the review copies a
    commit there (ENOSPC), the review is made again in the usual temporary folder and says the same; on
    that disk, a full folder is the review's error (exit 2), named."""
    import errno

    import iacgov.review.run as run_module
    from iacgov.review.gitrepo import Repository

    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    repo, base, _ = pr(ESTATE, {"envs/r2/main.tf": _estate_root(2).replace("size = 22", "size = 900")})
    flags = () if cache else ("--no-cache",)
    disk = tmp_path / "disk"
    disk.mkdir()
    monkeypatch.setenv("TMPDIR", str(disk))
    expected = review_json(repo, base, *flags)
    monkeypatch.delenv("TMPDIR")
    shm = tmp_path / "shm"
    shm.mkdir()
    monkeypatch.setattr(run_module, "scratch_parent", lambda *args: str(shm))
    copies: list[tuple[str, bool]] = []  # (side, in the memory-backed folder)
    real = Repository.materialise

    def filling(self, commit, target, *args, **kwargs):
        in_shm = shm in target.parents
        copies.append((target.name, in_shm))
        if in_shm and target.name == "head":  # the base copied, then the folder is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, commit, target, *args, **kwargs)

    monkeypatch.setattr(Repository, "materialise", filling)
    assert review_json(repo, base, *flags) == expected
    assert copies[:2] == [("base", True), ("head", True)] and ("head", False) in copies[2:]
    assert list(shm.iterdir()) == []  # the copies made there are removed
    monkeypatch.setattr(run_module, "scratch_parent", lambda *args: None)  # on the disk: no other place to go
    monkeypatch.setattr(Repository, "materialise", lambda self, commit, target, *a, **k: (_ for _ in ()).throw(
        OSError(errno.ENOSPC, "No space left on device")))
    failed = rcli("--repo", repo.path, "--base", base, "--head", "HEAD", "--format", "json", *flags)
    assert failed.exit_code == 2 and "cannot read the commits" in failed.output and "No space left" in failed.output
    assert "Traceback" not in failed.output
