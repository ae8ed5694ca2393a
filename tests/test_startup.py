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
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported(*args: str, cache: Path, cwd: Path) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args, "-q"], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "IACGOV_CACHE_DIR": str(cache)}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return set(out["modules"])


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
    warm_up = imported(".", cache=cache, cwd=one_file)  # the first run validates the policy
    assert "jsonschema" in warm_up
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
    digest = cachemod.hashlib.blake2b(key.encode() + payload, digest_size=cachemod.DIGEST_SIZE).digest()
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
