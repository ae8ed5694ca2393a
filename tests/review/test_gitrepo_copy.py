"""Copying a commit out of git: every blob asked for at once (git cat-file answers them in order while they
are written), the same files as one round trip per blob, and a failure mid-way is an error, not a hang."""

from __future__ import annotations

from dataclasses import replace

import pytest

from iacgov.review.gitrepo import GitError, Repository
from tests.review.gitkit import repo  # noqa: F401 - fixture


def test_a_whole_commit_is_copied_byte_for_byte(repo, tmp_path):
    # 300 files over 3 levels, some larger than a pipe's buffer (git answers while more is asked)
    files = {f"envs/e{i % 7}/m{i % 3}/f{i}.tf": (f"# {i}\n" + "x" * (100_000 if i % 60 == 0 else i)) for i in range(300)}
    files["README.md"] = "readme\n"
    repo.write(files)
    sha = repo.commit("estate")
    git = Repository(repo.path)
    commit = git.commit(sha, "--head")
    out = tmp_path / "copy"
    out.mkdir()
    done = git.materialise(commit, out, only=lambda p: p.endswith(".tf"))
    assert sorted(done.written) == sorted(files)  # described whole
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(
        p for p in files if p.endswith(".tf"))
    assert all((out / p).read_text() == text for p, text in files.items() if p.endswith(".tf"))
    git.materialise(commit, out, only=lambda p: not p.endswith(".tf"))  # the rest, into the same folder
    assert (out / "README.md").read_text() == "readme\n"


def test_a_blob_missing_mid_way_is_an_error(repo, tmp_path):
    repo.write({f"m/f{i}.tf": f"# {i}\n" for i in range(50)})
    sha = repo.commit("estate")
    git = Repository(repo.path)
    commit = git.commit(sha, "--head")
    entries = dict(commit.entries)
    entries["m/f25.tf"] = replace(entries["m/f25.tf"], oid="0" * 40)  # not in the repository
    out = tmp_path / "copy"
    out.mkdir()
    with pytest.raises(GitError, match="missing"):
        git.materialise(replace(commit, entries=entries), out)
