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


def _unsafe_by_pathlib(path: str) -> str | None:
    """unsafe_path's definition in pathlib's terms (what it was before it used string operations)."""
    from pathlib import PurePosixPath

    if not path or "\0" in path or "\\" in path:
        return "invalid path"
    pure = PurePosixPath(path)
    if pure.is_absolute():
        return "absolute path"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "path leaves the tree"
    if any(part.lower() == ".git" for part in pure.parts):
        return "path inside .git"
    return None


def test_unsafe_paths_are_those_pathlib_refuses():
    from iacgov.review.gitrepo import unsafe_path

    paths = ["main.tf", "envs/prod/main.tf", "", "/etc/passwd", "//x", "a//b", "a/./b", "./a", "a/..", "../a",
             "a\\b", "a\0b", ".git/config", "x/.GIT/hooks/pre-commit", "x/.gitignore", ".github/workflows/ci.yml",
             "a/", ".git", "dir/.git", "ok/.git.tf", "é/ü.tf", "a b/c d.tf"]
    assert [unsafe_path(p) for p in paths] == [_unsafe_by_pathlib(p) for p in paths]
    assert unsafe_path("x/.GIT/hooks/pre-commit") == "path inside .git"
    assert unsafe_path("a/./b") == "path leaves the tree"


def test_no_file_is_written_through_a_linked_folder(tmp_path):
    """A folder of the copy that is a link (planted by an earlier path) is never written through."""
    import os

    from iacgov.review.gitrepo import write_inside

    root, outside = tmp_path / "copy", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    os.symlink(outside, root / "envs")
    with pytest.raises(GitError, match="a parent is a link"):
        write_inside(root, "envs/prod/main.tf", b"x")
    assert list(outside.iterdir()) == []
    write_inside(root, "a/b/c.tf", b"data")
    assert (root / "a" / "b" / "c.tf").read_bytes() == b"data"
    with pytest.raises(FileExistsError):  # created exclusively
        write_inside(root, "a/b/c.tf", b"again")
    (root / "file").write_bytes(b"")
    with pytest.raises(OSError):  # a file where a folder is needed
        write_inside(root, "file/x.tf", b"x")
