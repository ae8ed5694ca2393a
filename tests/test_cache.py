"""The parse cache (iacgov.cache): same output with and without it, keyed by
content, corrupt entries rebuilt, concurrent writers, --no-cache, never inside
the scanned tree, entries that cannot run code, pruning."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacgov import cache as cachemod
from iacgov.cli import main
from iacgov.parsers.cloudformation import template as cfn_template
from iacgov.parsers.terraform import loader

REPO = Path(__file__).resolve().parents[1]
RUN = [sys.executable, "-c", "from iacgov.cli import main; main()"]


@pytest.fixture
def tree(tmp_path):
    """The demo (Terraform in three clouds, CloudFormation, a policy with budgets)
    and the small hostile files (syntax errors, limits, cycles)."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "fixtures" / "demo", root)
    shutil.copytree(REPO / "fixtures" / "hostile", root / "hostile")
    (root / ".git").mkdir()
    return root


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(folder))
    return folder


def scan(root: Path, *extra: str) -> tuple[int, str, str]:
    from iacgov.parsers.terraform import install

    install.check_hcl2_install.cache_clear()  # as in a new process: the install check reads its cache entry
    out = root.parent / "out"
    out.mkdir(exist_ok=True)
    result = CliRunner().invoke(main, ["scan", str(root), "-q", "--jobs", "1", "--output", f"json:{out / 'r.json'}",
                                       "--output", f"sarif:{out / 'r.sarif'}", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, (out / "r.json").read_text(), (out / "r.sarif").read_text()


def entries(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "last-pruned"}


def no_parsing(monkeypatch):
    """Make any real parse fail the test: what follows must come from the cache."""
    def refuse(*args, **kwargs):
        raise AssertionError("parsed although the cache holds the file")

    monkeypatch.setattr(loader, "parse_text", refuse)
    monkeypatch.setattr(cfn_template, "decode_str", refuse)


def test_a_cached_run_gives_the_same_bytes_as_an_uncached_one(tree, cache_dir, monkeypatch):
    uncached = scan(tree, "--no-cache")
    assert not cache_dir.exists()
    first = scan(tree)  # fills the cache
    stored = entries(cache_dir)
    assert any("/terraform/" in k for k in stored) and any("/cloudformation/" in k for k in stored)
    with monkeypatch.context() as patch:
        no_parsing(patch)
        warm = scan(tree)  # reads it, parses nothing
    assert uncached[0] == first[0] == warm[0] == 1
    assert json.loads(uncached[1])["findings"]  # a scan with findings, notifications and unknowns
    assert uncached == first == warm
    assert entries(cache_dir) == stored  # a warm run writes nothing


def test_equal_files_share_an_entry_and_keep_their_own_paths(tmp_path, cache_dir):
    root = tmp_path / "repo"
    for env in ("prod", "staging"):
        (root / env).mkdir(parents=True)
        (root / env / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    (root / ".git").mkdir()
    _, report, _ = scan(root)
    assert len([k for k in entries(cache_dir) if "/terraform/" in k]) == 1
    files = {f["file"] for f in json.loads(report)["findings"]}
    assert files == {"prod/main.tf", "staging/main.tf"}
    assert scan(root)[1] == report


def test_a_changed_file_is_parsed_again(tree, cache_dir, monkeypatch):
    scan(tree)
    before = entries(cache_dir)
    variables_tf = tree / "terraform" / "variables.tf"
    text = variables_tf.read_text()
    assert '"eu-west-3"' in text
    variables_tf.write_text(text.replace('"eu-west-3"', '"ap-south-1"'))
    parsed: list[str] = []
    real = loader.parse_text

    def counting(text, relpath, *args, **kwargs):
        parsed.append(relpath)
        return real(text, relpath, *args, **kwargs)

    monkeypatch.setattr(loader, "parse_text", counting)
    _, report, _ = scan(tree)
    assert parsed == ["terraform/variables.tf"]  # that file only
    parse_entries = lambda found: [k for k in found if "terraform-analysis" not in k and "root-findings" not in k
                                   and "root-costs" not in k and "terraform-calls" not in k  # (module calls alone)
                                   and "price-region-rows" not in k]  # (the new region's price rows)
    assert len(parse_entries(entries(cache_dir))) == len(parse_entries(before)) + 1  # (evaluation: iacgov.evalcache)
    assert "ap-south-1" in report
    monkeypatch.undo()
    assert report == scan(tree, "--no-cache")[1]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "empty", "swapped", "other format"])
def test_a_corrupt_entry_is_ignored_and_rebuilt(tree, cache_dir, damage):
    expected = scan(tree, "--no-cache")
    scan(tree)
    good = entries(cache_dir)
    paths = [cache_dir / k for k in good]
    for i, path in enumerate(paths):
        blob = path.read_bytes()
        path.write_bytes({
            "truncated": blob[: len(blob) // 2],
            "flipped": blob[:-1] + bytes([blob[-1] ^ 1]),
            "garbage": os.urandom(len(blob)),
            "empty": b"",
            "swapped": good[str(paths[(i + 1) % len(paths)].relative_to(cache_dir))],
            "other format": blob.replace(cachemod.MAGIC, b"IACGOVXX", 1),
        }[damage])
    assert scan(tree) == expected
    assert entries(cache_dir) == good  # rewritten whole


def test_an_entry_that_names_another_global_is_refused_and_runs_nothing(tmp_path, cache_dir):
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".git").mkdir()
    text = b'resource "aws_sqs_queue" "q" {\n  name = "x"\n}\n'
    (root / "main.tf").write_bytes(text)
    marker = tmp_path / "RAN"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    tf_cache = loader.terraform_cache(cache_dir)
    key = tf_cache.key(text)
    payload = pickle.dumps(("body", "main.tf", Evil()), protocol=5)
    digest = cachemod.blake2b(key.encode() + payload, digest_size=cachemod.DIGEST_SIZE).digest()
    tf_cache.path(key).parent.mkdir(parents=True)
    tf_cache.path(key).write_bytes(cachemod.MAGIC + digest + payload)  # a valid digest: only the unpickler stands
    _, report, _ = scan(root)
    assert not marker.exists()
    assert [f["address"] for f in json.loads(report)["findings"]] == ["aws_sqs_queue.q"] * len(
        json.loads(report)["findings"])
    assert tf_cache.get(text)[1] is not None  # rebuilt with the real parse


def test_no_cache_neither_reads_nor_writes(tmp_path, cache_dir):
    """A valid entry for main.tf's bytes that says something else: read by a
    cached run (so reading is proven), never by --no-cache."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".git").mkdir()
    text = b'resource "aws_sqs_queue" "real" {\n  name = "x"\n}\n'
    (root / "main.tf").write_bytes(text)
    other = tmp_path / "other.tf"
    other.write_bytes(b'resource "aws_sqs_queue" "from_the_cache" {\n  name = "x"\n}\n')
    tf_cache = loader.terraform_cache(cache_dir)
    planted = loader.load_file(other, "main.tf")
    tf_cache.put(tf_cache.key(text), loader.cache_entry(planted))

    def addresses(*extra):
        return {f["address"] for f in json.loads(scan(root, *extra)[1])["findings"]}

    assert addresses() == {"aws_sqs_queue.from_the_cache"}
    before = entries(cache_dir)
    assert addresses("--no-cache") == {"aws_sqs_queue.real"}
    assert entries(cache_dir) == before
    shutil.rmtree(cache_dir)
    addresses("--no-cache")
    assert not cache_dir.exists()


def test_the_cache_is_never_written_inside_the_scanned_tree(tree, monkeypatch):
    inside = tree / ".cache" / "iacgov"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(inside))
    result = CliRunner().invoke(main, ["scan", str(tree), "-f", "json", "--verbose"])
    assert not inside.exists() and not (tree / ".cache").exists()
    notes = [n["message"] for n in json.loads(result.stdout)["notifications"]]
    assert f"parse cache not used: {inside.resolve()} is inside the scanned directory {tree.resolve()}" in notes


def test_a_cache_folder_others_can_write_is_not_used(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert "can be written by other users" in cachemod.check_dir(shared, tmp_path / "repo")
    private = tmp_path / "new" / "iacgov"
    assert cachemod.check_dir(private, tmp_path / "repo") is None
    assert private.stat().st_mode & 0o777 == 0o700


def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("IACGOV_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cachemod.default_dir() == tmp_path / "xdg" / "iacgov"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cachemod.default_dir() == tmp_path / "home" / ".cache" / "iacgov"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "explicit"))
    assert cachemod.default_dir() == tmp_path / "explicit"


WRITER = """
import sys, time
from pathlib import Path
from iacgov.cache import ParseCache
cache = ParseCache(Path(sys.argv[1]), "test", ["ns"], [])
value = {"payload": "x" * 200_000, "n": list(range(5000))}
deadline = time.monotonic() + 2
while time.monotonic() < deadline:
    for i in range(20):
        key = cache.key(str(i).encode())
        cache.put(key, value)
        got = cache.get(str(i).encode())[1]
        if got is not None and got != value:
            sys.exit("read a partial or mixed entry")
"""


def test_concurrent_writers_never_leave_or_read_a_partial_entry(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "c")]) for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    cache = cachemod.ParseCache(tmp_path / "c", "test", ["ns"], [])
    for i in range(20):
        assert cache.get(str(i).encode())[1]["n"][-1] == 4999
    assert not [p for p in (tmp_path / "c").rglob(".tmp-*")]


def test_two_scans_at_once_on_an_empty_cache(tree, tmp_path):
    expected = scan(tree, "--no-cache")[1]
    env = {**os.environ, "IACGOV_CACHE_DIR": str(tmp_path / "shared-cache")}
    outs = [tmp_path / f"r{i}.json" for i in range(2)]
    procs = [subprocess.Popen([*RUN, "scan", str(tree), "-q", "--jobs", "2", "--output", f"json:{out}"], env=env)
             for out in outs]
    assert [p.wait(timeout=300) for p in procs] == [1, 1]
    assert [out.read_text() for out in outs] == [expected, expected]
    cache = loader.terraform_cache(tmp_path / "shared-cache")
    main_tf = (tree / "terraform" / "main.tf").read_bytes()
    assert cache.get(main_tf)[1] is not None


def test_pruning_deletes_the_least_recently_used_entries(tmp_path):
    cache = cachemod.ParseCache(tmp_path, "test", [], [])
    now = time.time()
    for i in range(10):
        key = cache.key(bytes([i]))
        cache.put(key, "x" * 1000)
        os.utime(cache.path(key), (now - 1000 * (10 - i), now - 1000 * (10 - i)))  # entry 0 is the oldest
    stray = cache.folder / "00" / ".tmp-left-behind"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"partial")
    os.utime(stray, (now - 7200, now - 7200))
    size = cache.path(cache.key(b"\0")).stat().st_size
    cachemod.prune(tmp_path, limit=5 * size, now=now)
    kept = [i for i in range(10) if cache.path(cache.key(bytes([i]))).exists()]
    assert kept == [6, 7, 8, 9]  # under 80 % of the limit, the newest kept
    assert not stray.exists()


def test_cache_commands(tmp_path, monkeypatch):
    folder = tmp_path / "c"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(folder))
    cache = cachemod.ParseCache(folder, "terraform", [], [])
    for i in range(3):
        cache.put(cache.key(bytes([i])), i)
    (folder / "mine.txt").write_text("not the cache's")
    runner = CliRunner()
    assert runner.invoke(main, ["cache", "dir"]).output == f"{folder}\n"
    assert "entries: 3" in runner.invoke(main, ["cache", "info"]).output
    result = runner.invoke(main, ["cache", "clear"])
    assert result.exit_code == 0 and result.output == f"removed 3 files from {folder}\n"
    assert [p.name for p in folder.rglob("*")] == ["mine.txt"]  # nothing else is touched


def test_an_entry_is_written_private_and_a_taken_temporary_name_is_skipped(tmp_path, monkeypatch):
    cache = cachemod.ParseCache(tmp_path / "c", "test", [], [])
    key = cache.key(b"x")
    folder = cache.path(key).parent
    folder.mkdir(parents=True)
    taken = folder / (".tmp-" + bytes(8).hex())
    taken.write_bytes(b"someone else's")
    draws = iter([bytes(8), bytes([1]) * 8])
    monkeypatch.setattr(cachemod.os, "urandom", lambda n: next(draws))
    cache.put(key, {"v": 1})
    assert cache.get(b"x")[1] == {"v": 1}
    assert cache.path(key).stat().st_mode & 0o777 == 0o600
    assert taken.read_bytes() == b"someone else's"  # never opened, never replaced
    assert sorted(p.name for p in folder.iterdir()) == sorted([cache.path(key).name, taken.name])
