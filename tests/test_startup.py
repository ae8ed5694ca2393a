"""What a short run (pre-commit on one file) imports, and the caches that keep
it short: python-hcl2's parser kept in the cache folder, validated policies."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from iacgov import cache as cachemod
from iacgov.parsers.terraform import grammar

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("cfnlint", "sympy", "networkx", "jsonschema", "jinja2", "checkov", "iacgov.cost", "iacgov.report",
         "iacgov.review")

PROBE = """
import json, sys
from iacgov.cli import main
sys.argv = ["iacgov", "scan", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
from iacgov import fastdc
print(json.dumps({"code": code, "modules": sorted(sys.modules), "missed": sorted(set(fastdc.missed)),
                  "table": bool(fastdc._table), "regexes": [fastdc.regex_hits, len(fastdc.regex_missed)]}))
"""


# Python may write the bytecode of what the probes import (the dataclass table is used only when its .pyc is read).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
# Modules whose dataclasses a one-file scan must find compiled in its table (iacgov.fastdc.TABLE, see
# iacgov.fastdc; after changing a class there: python -c 'from iacgov import fastdc; fastdc.main()').
SERVED = ("iacgov.model", "iacgov.api", "iacgov.engine", "iacgov.plugins", "iacgov.cli", "iacgov.commands",
          "iacgov.reporters")


def imported(*args: str, cache: Path, cwd: Path) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args, "-q"], capture_output=True, text=True, cwd=cwd,
                          env={**ENV, "IACGOV_CACHE_DIR": str(cache)}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if out["table"]:  # in use (its .pyc read: iacgov.fastdc.bytecode_ready)
        assert not [m for m in out["missed"] if m.startswith(SERVED)], "the dataclass table is out of date"
        hits, missed = out["regexes"]  # python scripts/build_regex_table.py writes the regex table again
        assert hits >= 10 * missed, f"the regex table is out of date ({hits} patterns from it, {missed} not)"
    return set(out["modules"])


def test_every_kept_regex_is_the_pattern_re_compiles():
    """Each pattern of the regex table (iacgov.fastdc) is made equal to what re makes of it: same
    pattern, flags and code (Pattern.__eq__), groups and group names; re parses it without a warning."""
    import importlib
    import re._compiler
    import warnings

    import _sre

    from iacgov import fastdc

    table = importlib.import_module(fastdc.REGEX_TABLE)
    assert (table.PYTHON, table.MAGIC) == (sys.version_info[:2], _sre.MAGIC)
    original = fastdc._original_regex or re._compiler.compile
    assert len(table.PATTERNS) > 100
    for (pattern, flags), (final, code, groups, groupindex, indexgroup) in table.PATTERNS.items():
        ours = _sre.compile(pattern, final, memoryview(code).cast("I").tolist(), groups, dict(groupindex), indexgroup)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            theirs = original(pattern, flags)
        assert ours == theirs and ours.groupindex == theirs.groupindex and ours.groups == theirs.groups, pattern


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)}


@pytest.fixture
def one_file(tmp_path):
    tmp_path = tmp_path / "repo"  # the cache folder beside it, not inside the scanned tree
    (tmp_path / ".git").mkdir(parents=True)
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    (tmp_path / "queue.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n'
        "    Properties:\n      QueueName: !Sub '${AWS::StackName}-q'\n")
    return tmp_path


def test_a_terraform_file_imports_nothing_heavy_and_nothing_to_parse_when_cached(one_file, tmp_path):
    cache = tmp_path / "cache"
    (one_file / "iacgov.yaml").write_text("version: 1\n")  # the shipped default is known valid: not this one
    warm_up = imported(".", cache=cache, cwd=one_file)  # the first run reads and validates the policy
    assert "yaml" in warm_up and "jsonschema" not in warm_up  # valid: checked without jsonschema (schema_verdict)
    with (one_file / "main.tf").open("a") as fh:
        fh.write("# changed\n")
    first = imported("main.tf", cache=cache, cwd=one_file)  # a changed file: parsed by tree-sitter
    assert heavy(first) == set()
    # the compiled front end; python-hcl2's grammar only for a file tree-sitter hands over
    assert "tree_sitter" in first and not {m for m in first if m.split(".")[0] in ("lark", "hcl2")}
    again = imported("main.tf", cache=cache, cwd=one_file)
    assert heavy(again) == set()
    assert not {m for m in again if m.split(".")[0] in ("lark", "hcl2", "yaml", "regex", "tree_sitter")}


def test_a_template_imports_cfn_lints_decoder_only(one_file, tmp_path):
    cache = tmp_path / "cache"
    imported("main.tf", cache=cache, cwd=one_file)
    first = imported("queue.yaml", cache=cache, cwd=one_file)
    assert heavy(first) == set()  # cfn-lint's decoder is a private copy, its rules and sympy never loaded
    assert heavy(imported("queue.yaml", cache=cache, cwd=one_file)) == set()


def test_the_cached_parser_is_python_hcl2s(tmp_path):
    import hcl2.parser

    theirs = hcl2.parser.parser()
    ours = grammar.hcl_parser(str(tmp_path))  # built and stored
    grammar.hcl_parser.cache_clear()
    reloaded = grammar.hcl_parser(str(tmp_path))  # read back
    assert reloaded is not ours
    for option in ("parser", "lexer", "propagate_positions", "start", "maybe_placeholders", "keep_all_tokens"):
        assert getattr(reloaded.options, option) == getattr(theirs.options, option), option
    assert type(reloaded.options.postlex).__name__ == "PostLexer"
    for path in sorted((REPO / "fixtures").rglob("*.tf")):
        text = path.read_text(encoding="utf-8", errors="replace") + "\n"
        try:
            expected = theirs.parse(text)
        except Exception as exc:  # noqa: BLE001 - the same error, then
            with pytest.raises(type(exc)):
                reloaded.parse(text)
            continue
        assert reloaded.parse(text) == expected, path


def test_a_tampered_parser_entry_is_refused_and_rebuilt(tmp_path):
    marker = tmp_path / "RAN"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    store = grammar.GrammarCache(tmp_path)
    key = store.key(grammar._KEY)
    payload = pickle.dumps(Evil(), protocol=5)
    digest = cachemod.blake2b(key.encode() + payload, digest_size=cachemod.DIGEST_SIZE).digest()
    store.path(key).parent.mkdir(parents=True)
    store.path(key).write_bytes(cachemod.MAGIC + digest + payload)
    grammar.hcl_parser.cache_clear()
    parser = grammar.hcl_parser(str(tmp_path))
    assert not marker.exists()
    assert type(parser).__name__ == "Lark" and parser.parse('a = 1\n')
    assert type(store.get(grammar._KEY)[1]).__name__ == "Lark"


def test_a_validated_policy_is_read_back_and_an_invalid_one_never_stored(tmp_path):
    from iacgov.policy import PolicyError, load_policy

    good = tmp_path / "iacgov.yaml"
    good.write_text("version: 1\ncost:\n  budgets: {prod: 100}\n")
    first = load_policy(good, cache_dir=tmp_path / "c")
    stored = [p for p in (tmp_path / "c").rglob("*") if p.is_file() and "/policy/" in p.as_posix()]
    assert len(stored) == 1
    assert load_policy(good, cache_dir=tmp_path / "c").data == first.data == {"version": 1,
                                                                          "cost": {"budgets": {"prod": 100}}}
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ncost:\n  budgetz: {prod: 100}\n")
    for _ in range(2):
        with pytest.raises(PolicyError, match=r"bad.yaml:3: cost.budgetz: unknown key; did you mean .budgets.\?"):
            load_policy(bad, cache_dir=tmp_path / "c")
    assert len([p for p in (tmp_path / "c").rglob("*") if p.is_file() and "/policy/" in p.as_posix()]) == 1


# --------------------------------------------------------------------------- entry points without importlib.metadata


def _dist(site: Path, folder: str, entry_points: str | None, version: str = "1.0") -> None:
    info = site / folder
    info.mkdir(parents=True)
    name = folder.rpartition(".")[0].partition("-")[0]
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nbody\nVersion: 9\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)


@pytest.fixture
def sites(tmp_path, monkeypatch):
    """Two site folders on a sys.path of their own: names that normalise alike,
    the same distribution twice, comments, extras, other groups, an egg-info."""
    first, second = tmp_path / "first", tmp_path / "second"
    _dist(first, "Acme_Pack-1.0.dist-info", "# comment\n\n[console_scripts]\nacme = acme.cli:main\n"
          "[iacgov]\nacme = acme_pack\n  spaced   =   spaced.mod : plugin.obj [extra]\n", version="1.0")
    _dist(first, "zeta-2.0.egg-info", "[iacgov]\nzeta = zeta_rules:PACK\n")
    _dist(first, "no_entry_points-1.0.dist-info", None)
    _dist(second, "acme.pack-2.0.dist-info", "[iacgov]\nshadowed = never_loaded\n", version="2.0")  # same name
    _dist(second, "beta-0.1.dist-info", "[iacgov]\nbeta = beta_pack\n[other]\nx = y\n", version="0.1")
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "missing"), str(second)])
    return first, second


def _theirs(group: str) -> list[tuple[str, str, str, str | None]]:
    from importlib.metadata import entry_points

    return [(ep.name, ep.value, ep.module, ep.attr) for ep in entry_points(group=group)]


def _ours(group: str) -> list[tuple[str, str, str, str | None]]:
    from iacgov.plugins import group_entry_points

    return [(ep.name, ep.value, ep.module, ep.attr) for ep in group_entry_points(group)]


def test_the_entry_point_group_is_read_as_importlib_metadata_reads_it(sites):
    from iacgov import plugins

    assert plugins._scan_entry_points("iacgov") is not None  # read directly, not handed to importlib.metadata
    assert _ours("iacgov") == _theirs("iacgov") == [
        ("acme", "acme_pack", "acme_pack", None),
        ("spaced", "spaced.mod : plugin.obj [extra]", "spaced.mod", "plugin.obj"),
        ("zeta", "zeta_rules:PACK", "zeta_rules", "PACK"),
        ("beta", "beta_pack", "beta_pack", None),
    ]
    assert _ours("console_scripts") == _theirs("console_scripts")
    assert _ours("other") == _theirs("other") == [("x", "y", "y", None)]


def test_versions_are_read_as_importlib_metadata_reads_them(sites):
    from importlib.metadata import PackageNotFoundError, version

    from iacgov.plugins import distribution_version

    for name in ("acme-pack", "ACME.pack", "zeta", "beta", "no-entry-points", "absent"):
        try:
            expected = version(name)
        except PackageNotFoundError:
            expected = None
        assert distribution_version(name) == expected, name
    assert distribution_version("acme_pack") == "1.0"  # the first on the path


def test_a_new_distribution_on_the_path_is_seen(sites):
    first, _ = sites
    assert "gamma" not in {name for name, *_ in _ours("iacgov")}
    _dist(first, "gamma-1.0.dist-info", "[iacgov]\ngamma = gamma_pack\n")
    assert ("gamma", "gamma_pack", "gamma_pack", None) in _ours("iacgov")
    assert _ours("iacgov") == _theirs("iacgov")


def test_what_the_direct_reading_cannot_tell_importlib_metadata_answers(sites, tmp_path):
    import zipfile

    from iacgov import plugins

    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\nVersion: 1.0\n")
        zf.writestr("zipped-1.0.dist-info/entry_points.txt", "[iacgov]\nzipped = zipped_pack\n")
    sys.path.append(str(archive))
    assert plugins._scan_entry_points("iacgov") is None
    assert ("zipped", "zipped_pack", "zipped_pack", None) in _ours("iacgov")
    assert _ours("iacgov") == _theirs("iacgov")
    sys.path.remove(str(archive))
    (sites[1] / "broken-1.0.dist-info").mkdir()
    (sites[1] / "broken-1.0.dist-info" / "entry_points.txt").write_text("[iacgov]\nno equals sign\n")
    assert plugins._scan_entry_points("iacgov") is None  # importlib.metadata's own error, as before


def test_an_entry_point_loads_its_attribute(tmp_path, monkeypatch):
    from iacgov.plugins import EntryPoint

    (tmp_path / "dotted_pack.py").write_text("class PACK:\n    class inner:\n        value = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert EntryPoint("p", "dotted_pack:PACK.inner", "iacgov").load().value == 42
    assert EntryPoint("p", "dotted_pack", "iacgov").load().__name__ == "dotted_pack"
    with pytest.raises(ValueError, match="'not a reference!' is not a module"):
        EntryPoint("p", "not a reference!", "iacgov").load()


def test_a_scan_reads_no_distribution_metadata_through_importlib(one_file, tmp_path):
    """importlib.metadata (with email, zipfile, csv) is 20 ms of a pre-commit run:
    the plugins, the caches' keys and the hcl2 install check do without it."""
    cache = tmp_path / "cache"
    for args in ((".",), ("main.tf",), ("main.tf",)):
        modules = imported(*args, cache=cache, cwd=one_file)
        assert not {m for m in modules if m == "importlib.metadata" or m.startswith(("importlib.metadata.", "email"))}


def _hcl2_site(site: Path, recorded: bytes, on_disk: bytes) -> Path:
    import base64
    import hashlib

    (site / "hcl2").mkdir(parents=True)
    (site / "hcl2" / "__init__.py").write_bytes(on_disk)
    info = site / "python_hcl2-8.1.4.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: python-hcl2\nVersion: 8.1.4\n")
    digest = base64.urlsafe_b64encode(hashlib.sha256(recorded).digest()).rstrip(b"=").decode()
    (info / "RECORD").write_text(f"hcl2/__init__.py,sha256={digest},{len(recorded)}\n"
                                 "python_hcl2-8.1.4.dist-info/RECORD,,\n")
    return site / "hcl2"


def test_the_hcl2_check_without_importlib_metadata_agrees_with_it(tmp_path, monkeypatch):
    from iacgov.parsers.terraform import install
    from iacgov.plugins import recorded_files_intact

    real = Path(__import__("hcl2").__file__).resolve().parent
    assert recorded_files_intact("python-hcl2", "hcl2", real)
    good = _hcl2_site(tmp_path / "good", b"x = 1\n", b"x = 1\n")
    bad = _hcl2_site(tmp_path / "bad", b"x = 1\n", b"x = 2\n")
    for site, package, intact in ((good, good, True), (bad, bad, False)):
        monkeypatch.setattr(sys, "path", [str(site.parent)])
        assert recorded_files_intact("python-hcl2", "hcl2", package) is intact
        assert recorded_files_intact("python-hcl2", "hcl2", real) is False  # no recorded file lies there
        origin = package / "__init__.py"
        monkeypatch.setattr(install.importlib.util, "find_spec",
                            lambda name, origin=origin: type("Spec", (), {"origin": str(origin)}))
        problem = install.hcl2_install_problem()
        if intact:
            assert problem is None
        else:  # importlib.metadata decides and words it, as before
            assert problem.startswith(f"{origin.resolve()} is not the file python-hcl2 8.1.4 installed")


def test_the_hcl2_check_finds_recorded_files_through_links_as_resolve_does(tmp_path, monkeypatch):
    """Each recorded file is located as Path.resolve() locates it (folders resolved once, then the
    file's own link): a linked package folder is still checked; a file linked out of the package is not."""
    from iacgov.plugins import recorded_files_intact

    site = _hcl2_site(tmp_path / "real", b"x = 1\n", b"x = 1\n").parent
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "hcl2").symlink_to(site / "hcl2", target_is_directory=True)
    (linked / "python_hcl2-8.1.4.dist-info").symlink_to(site / "python_hcl2-8.1.4.dist-info")
    monkeypatch.setattr(sys, "path", [str(linked)])
    assert recorded_files_intact("python-hcl2", "hcl2", (linked / "hcl2").resolve()) is True
    outside = tmp_path / "elsewhere.py"
    outside.write_bytes(b"x = 1\n")
    (site / "hcl2" / "__init__.py").unlink()
    (site / "hcl2" / "__init__.py").symlink_to(outside)  # resolves out of the package: nothing checked
    assert recorded_files_intact("python-hcl2", "hcl2", (linked / "hcl2").resolve()) is False


BUDGETS = "version: 1\ncost:\n  budgets:\n    prod: 100\n    staging: 50\n  max_resource_monthly:\n    qa: 10\n"


def _warnings(report: Path) -> list[tuple[str, int, str]]:
    data = json.loads(report.read_text())
    return [(n["file"], n["line"], n["message"]) for n in data["notifications"] if n["level"] == "warning"]


def test_a_cached_policy_places_its_environment_warnings_without_pyyaml(one_file, tmp_path):
    (one_file / "iacgov.yaml").write_text(BUDGETS)
    (one_file / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  tags = { env = "prod" }\n}\n')
    cache, reports = tmp_path / "cache", []
    for run in range(3):  # validated (PyYAML reads it), then read back from the cache twice
        modules = imported("main.tf", "-o", f"json:{tmp_path / f'{run}.json'}", cache=cache, cwd=one_file)
        reports.append(_warnings(tmp_path / f"{run}.json"))
        assert ("yaml" in modules) is (run == 0)
    assert reports[0] == reports[1] == reports[2] == [
        ("iacgov.yaml", 5, "cost.budgets.staging: no scanned resource is in environment 'staging' "
                           "(environments found: prod), so this setting applies to nothing"),
        ("iacgov.yaml", 7, "cost.max_resource_monthly.qa: no scanned resource is in environment 'qa' "
                           "(environments found: prod), so this setting applies to nothing"),
    ]


def test_the_lines_kept_with_a_policy_are_pyyamls(tmp_path):
    from iacgov.api import Policy
    from iacgov.model import Location, Resource
    from iacgov.policy import environment_warnings, load_policy

    path = tmp_path / "iacgov.yaml"
    path.write_text(BUDGETS + "continuity:\n  protected_environments: [prod, dev]\n")
    resources = [Resource(address="aws_sqs_queue.q", type="aws_sqs_queue", cloud="aws", source_format="terraform",
                          location=Location("main.tf", 1), tags={"env": "prod"})]
    validated = load_policy(path, cache_dir=tmp_path / "c")
    cached = load_policy(path, cache_dir=tmp_path / "c")
    uncached = load_policy(path)
    bare = Policy(dict(validated.data), str(path))  # not from load_policy: PyYAML places the warnings
    lines = [[(n.location.line, n.message.split(":")[0]) for n in environment_warnings(p, resources, tmp_path)]
             for p in (validated, cached, uncached, bare)]
    assert lines[0] == lines[1] == lines[2] == lines[3] == [
        (5, "cost.budgets.staging"), (7, "cost.max_resource_monthly.qa"),
        (9, "continuity.protected_environments[1]")]


# --------------------------------------------------------------------------- dataclass methods compiled once


def _create_fn_code(text: str):
    import types

    module = compile(text, "<string>", "exec", dont_inherit=True)  # as dataclasses' exec compiles it
    return next(c for c in module.co_consts if isinstance(c, types.CodeType))


def _same_code(ours, theirs) -> None:
    import types

    assert ours == theirs  # bytecode, constants, names, first line, line table
    assert (ours.co_filename, ours.co_qualname, list(ours.co_positions())) == (
        theirs.co_filename, theirs.co_qualname, list(theirs.co_positions()))
    for mine, ref in zip(*(sorted((c for c in code.co_consts if isinstance(c, types.CodeType)),
                                  key=lambda c: c.co_name) for code in (ours, theirs)), strict=True):
        _same_code(mine, ref)


def _table_parts() -> dict:
    import marshal

    from iacgov import fastdc

    if not os.path.exists(fastdc.TABLE):
        pytest.skip(f"no dataclass table written for Python {sys.version_info[0]}.{sys.version_info[1]}")
    parts = fastdc.table()
    assert parts, "the table was written under another bytecode format: write it again (fastdc.main())"
    return {module: marshal.loads(blob) for module, blob in parts.items()}


def test_each_stored_dataclass_method_is_the_code_exec_compiles():
    from iacgov import fastdc

    parts = _table_parts()
    assert sum(len(texts) for texts, _ in parts.values()) > 500 and "iacgov.model" in parts
    for module, (texts, codes) in parts.items():
        assert len(texts) == len(codes) and list(texts) == sorted(set(texts))
        for text, code in zip(texts, codes):
            _same_code(code, _create_fn_code(text))
    # the file is what fastdc.main() writes for these texts (not edited by hand)
    assert fastdc.table() == fastdc.table_of(fastdc.render({m: list(texts) for m, (texts, _) in parts.items()}))


def test_a_table_of_another_bytecode_or_python_is_not_used(tmp_path):
    import marshal

    from iacgov import fastdc

    parts = {"m": marshal.dumps((("t",), (compile("1", "<string>", "eval"),)))}
    for header, usable in (((fastdc.MAGIC_NUMBER, sys.version_info[:2]), True), ((b"\0\0\r\n", sys.version_info[:2]), False),
                           ((fastdc.MAGIC_NUMBER, (2, 7)), False)):
        (tmp_path / "t.marshal").write_bytes(marshal.dumps((*header, parts)))
        assert fastdc.table(str(tmp_path / "t.marshal")) == (parts if usable else {})
    (tmp_path / "t.marshal").write_bytes(b"not marshal")
    assert fastdc.table(str(tmp_path / "t.marshal")) == {} and fastdc.table(str(tmp_path / "none")) == {}


CLASSES = """
import dataclasses, sys
from iacgov import fastdc
from iacgov.model import Location, Severity

@dataclasses.dataclass(frozen=True, order=True)
class Unheard_of_{tag}:
    zebra_{tag}: int
    yak: tuple = ()
    xenops: list = dataclasses.field(default_factory=list, compare=False)

a, b = Unheard_of_{tag}(1), Unheard_of_{tag}(1, (2,))
try:
    a.yak = 3
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
try:
    Location()
    init_error = None
except TypeError as exc:
    init_error = str(exc)
print(repr((repr(a), a == Unheard_of_{tag}(1), a < b, hash(a) == hash(Unheard_of_{tag}(1)), frozen,
            repr(Location("main.tf", 3)), Location("a", 1) == Location("a", 1), hash(Location("a", 1)) == hash(Location("a", 1)),
            init_error, Location.__init__.__code__.co_filename, Location.__init__.__qualname__,
            Location.__init__.__annotations__, Location.__repr__.__qualname__,
            fastdc.hits, sorted(set(fastdc.missed)))))
"""


def test_a_class_the_table_does_not_hold_is_made_as_before_and_the_models_are_the_same(tmp_path):
    def run(*flags: str) -> tuple:
        env = {**ENV, "PYTHONHASHSEED": "0"}
        proc = subprocess.run([sys.executable, *flags, "-c", CLASSES.format(tag="q7")], capture_output=True,
                              text=True, env=env, timeout=60, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        return eval(proc.stdout)  # noqa: S307 - our own subprocess's repr of plain values

    served = run()
    *same, hits, missed = served
    import importlib.util

    from iacgov import fastdc

    if fastdc.table():
        assert hits > 50 and missed == ["__main__"]  # the test's class only: compiled by exec, as before
    # without the table (the original dataclasses, patched before iacgov is imported): the same behaviour
    plain = ("import dataclasses, iacgov.fastdc as f; dataclasses._create_fn = f._original; " + CLASSES.format(tag="q7")).replace(
        "\nimport dataclasses, sys\n", "\nimport sys\n")
    proc = subprocess.run([sys.executable, "-c", plain], capture_output=True, text=True, timeout=60,
                          env={**ENV, "PYTHONHASHSEED": "0"}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    *reference, hits, missed = eval(proc.stdout)  # noqa: S307
    assert hits == 0 and same == reference
    assert same[0] == "Unheard_of_q7(zebra_q7=1, yak=(), xenops=[])" and same[1:5] == [True, True, True, True]
    assert same[8] == "Location.__init__() missing 1 required positional argument: 'path'"
    assert same[9:11] == ["<string>", "Location.__init__"]


VERSION_PROBE = """
import json, sys
from iacgov.cli import main
sys.argv = ["iacgov", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("args", [("--version",), ("cache", "dir")])  # --help lists (imports) every command
def test_the_version_imports_neither_the_engine_nor_the_plugins(args, tmp_path):
    proc = subprocess.run([sys.executable, "-c", VERSION_PROBE, *args], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, "IACGOV_CACHE_DIR": str(tmp_path / "c")}, timeout=60)
    *printed, last = proc.stdout.strip().splitlines()
    out = json.loads(last)
    assert out["code"] in (0, None), proc.stderr
    assert printed and (args != ("--version",) or printed == ["iacgov, version 0.1.0"])
    lazy = ("iacgov.engine", "iacgov.model", "iacgov.api", "iacgov.plugins", "iacgov.policy", "iacgov.kinds",
            "iacgov.platform", "iacgov.progress", "pluggy", "iacgov_rules")
    assert not {m for m in out["modules"] if m.startswith(lazy)} | heavy(set(out["modules"]))


def test_the_fail_on_levels_the_command_line_offers_are_the_engines():
    from iacgov import cli, engine

    assert cli.FAIL_ON == engine.FAIL_ON


def test_the_built_in_plugins_register_the_hooks_their_modules_hold():
    import importlib

    import pluggy

    from iacgov import hookspecs
    from iacgov.plugins import DEFAULT_PLUGINS, hooks_only, load_plugins

    def impls(manager: pluggy.PluginManager) -> list[tuple]:
        return sorted((name, impl.plugin_name, impl.function, impl.hookwrapper, impl.wrapper, impl.tryfirst,
                       impl.trylast, impl.optionalhook, impl.opts.get("specname"))
                      for name, caller in vars(manager.hook).items() for impl in caller.get_hookimpls())

    whole, slim = (pluggy.PluginManager(hookspecs.PROJECT) for _ in range(2))
    for manager in (whole, slim):
        manager.add_hookspecs(hookspecs)
    for name, module_name in DEFAULT_PLUGINS.items():
        module = importlib.import_module(module_name)
        whole.register(module, name=name)
        slim.register(hooks_only(module), name=name)
        assert hooks_only(module).__name__ == module_name
    assert impls(whole) == impls(slim) and len(impls(slim)) >= len(DEFAULT_PLUGINS)
    host = load_plugins()
    assert [n for n in host.names if n in DEFAULT_PLUGINS] == list(DEFAULT_PLUGINS) and not host.errors
    assert {r.name for r in host.collect("iacgov_reporters")} >= {"text", "json", "sarif", "junit", "markdown"}


def test_the_table_is_used_only_when_its_bytecode_is_read_not_compiled(tmp_path, monkeypatch):
    """Compiling the table's 750 KB of source costs far more than it saves: without a .pyc that
    Python reads (or may write), dataclasses are made as usual."""
    import time as clock

    from iacgov.fastdc import bytecode_ready

    source, cached = tmp_path / "m.py", tmp_path / "__pycache__" / "m.cpython-311.pyc"
    source.write_text("x = 1\n")
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert bytecode_ready(str(source), str(cached))  # no .pyc yet: Python writes it (once)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert not bytecode_ready(str(source), str(cached))  # PYTHONDONTWRITEBYTECODE: it would compile every run
    cached.parent.mkdir()
    cached.write_bytes(b"")
    assert bytecode_ready(str(source), str(cached))  # read
    os.utime(source, (clock.time() + 60, clock.time() + 60))
    assert not bytecode_ready(str(source), str(cached))  # the source changed since: compiled again
    assert not bytecode_ready(str(source), None) and not bytecode_ready(None, str(cached))  # a zip, no file
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    try:
        if not os.access(readonly, os.W_OK):  # root writes anywhere
            assert not bytecode_ready(str(source), str(readonly / "__pycache__" / "m.pyc"))
    finally:
        readonly.chmod(0o700)


def test_iacgovs_data_folder_is_the_one_importlib_resources_gives(tmp_path, monkeypatch):
    """iacgov.plugins.resources.files answers as importlib.resources.files: the package's folder
    (pathlib.Path) for a package of files, importlib.resources's own answer for one in a zip."""
    import zipfile
    from importlib import resources as stdlib

    from iacgov.plugins import resources

    for package in ("iacgov", "iacgov.parsers", "pluggy"):
        ours, theirs = resources.files(package), stdlib.files(package)
        assert ours == theirs and type(ours) is type(theirs)
    assert (resources.files("iacgov") / "data" / "policy.schema.json").is_file()
    archive = tmp_path / "packed.zip"
    with zipfile.ZipFile(archive, "w") as fh:
        fh.writestr("packed_pkg/__init__.py", "")
        fh.writestr("packed_pkg/data.txt", "zipped")
    monkeypatch.syspath_prepend(str(archive))
    try:
        files = resources.files("packed_pkg")
        assert isinstance(files, zipfile.Path) and files.joinpath("data.txt").read_text() == "zipped"
    finally:
        sys.modules.pop("packed_pkg", None)


def test_a_terraform_scan_imports_neither_importlib_resources_nor_zipfile(one_file, tmp_path):
    """iacgov's data (regions, platform, prices, policy schema) is read without importlib.resources,
    which imports zipfile and the compression modules."""
    for args in (("main.tf",), ("main.tf", "--no-cache")):
        modules = imported(*args, cache=tmp_path / "cache", cwd=one_file)
        assert not {m for m in modules if m.startswith(("importlib.resources", "importlib.readers", "zipfile"))}
