"""Root module keys: a shared module's part of the key is listed once a run and read by every caller
(Project.root_keys). Each caller still sees a change to it, and a link among its files."""

from __future__ import annotations

from pathlib import Path

from test_evalcache import counted, estate, scan  # noqa: F401 - counted is a fixture

CALLERS = ["envs/r0", "envs/r1", "envs/r2", "envs/r3", "envs/r4"]


def test_a_link_in_a_shared_module_leaves_every_caller_unkeyed(tmp_path: Path, counted):  # noqa: F811
    tree = estate(tmp_path / "tree")
    (tree / "modules/db/extra.tf").symlink_to(tree / "envs/account/main.tf")
    cache = tmp_path / "cache"
    first = scan(tree, tmp_path / "o1", cache)
    counted()
    second = scan(tree, tmp_path / "o2", cache)
    assert counted()["analysed"] == CALLERS  # every caller, not only the first to list the module
    assert second == first == scan(tree, tmp_path / "o3", None)


def test_a_change_to_a_shared_module_rekeys_every_caller(tmp_path: Path, counted):  # noqa: F811
    tree = estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    scan(tree, tmp_path / "o1", cache)
    counted()
    main = tree / "modules/db/main.tf"
    main.write_text(main.read_text(encoding="utf-8").replace("backup_retention_period = 1",
                                                             "backup_retention_period = 30"), encoding="utf-8")
    warm = scan(tree, tmp_path / "o2", cache)
    assert counted()["analysed"] == CALLERS  # the account root, which does not call it, is read back
    assert warm == scan(tree, tmp_path / "o3", None)


def test_the_digests_of_files_read_to_parse_are_those_read_for_the_keys(tmp_path: Path):
    """Project.root_keys takes each file's digest from the bytes the parser read (FileDigests.note) instead
    of reading it again: the keys are those made from the files on disk."""
    from iacgov.evalcache import FileDigests
    from iacgov.model import ParseOptions, SourceFile
    from iacgov.parsers.terraform.project import Project

    tree = estate(tmp_path / "tree")
    files = sorted(tree.rglob("*.tf"))
    noted, read = FileDigests(1 << 20), FileDigests(1 << 20)
    for path in files:
        noted.note(path, path.read_bytes())
    assert [noted(p) for p in files] == [read(p) for p in files]

    def keys(cache: Path | None) -> tuple[dict[str, str], int]:
        project = Project(tree, ParseOptions(cache_dir=cache))
        claimed = project.claim([SourceFile(p, p.relative_to(tree).as_posix()) for p in files])
        given = len(project.digests._known) if project.digests is not None else 0  # noted while claiming
        return {project.relpath(d): k for d, k in project.root_keys(project.root_dirs(claimed)).items()}, given

    cache = tmp_path / "cache"
    (first, noted_first), (again, noted_again) = keys(cache), keys(cache)  # parse cache empty, then full
    fresh, noted_none = keys(None)  # without a parse cache nothing is read to be looked up: read for the keys
    assert noted_first == noted_again == len(files) and noted_none == 0
    assert first == again == fresh and all(first.values())
