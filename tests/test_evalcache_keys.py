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
