"""Review: the copies of the Terraform files a change leaves alone are deleted beside the rest of the review
(iacgov.review.sweep), never one the review still reads, and the review says what it said before."""

from __future__ import annotations

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


def test_few_files_start_no_child(tmp_path):
    (tmp_path / "a.tf").write_text("x")
    sweeper = Sweeper()
    sweeper.sweep(tmp_path, ["a.tf"])
    assert sweeper._children == [] and (tmp_path / "a.tf").exists()  # the folder's removal deletes it


@pytest.fixture
def swept(monkeypatch):
    """(folder name, sorted paths) of every sweep, each child waited for at once; the files' state after it."""
    monkeypatch.setattr(sweep, "MIN_FILES", 0)
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
