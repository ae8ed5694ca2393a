"""A review that costs what the diff costs (issue 22): every shortcut says exactly what ``--no-cache`` says.

The shortcuts (iacgov.review.treecache, iacgov.review.run, iacgov.review.diff): a side's scan and estimate
kept by its tree's object ID, the base's Terraform files not copied out of git when its scan is kept, root
modules whose evaluation key is equal on both sides not compared attribute by attribute, and the head's
estimate taken from its scan when the inputs are equal."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

import iacgov.review.diff as diffmod
import iacgov.review.run as run
from iacgov.limits import Limits
from iacgov.model import ParseOptions
from iacgov.plugins import load_plugins
from iacgov.review.treecache import FORMAT, cacheable, side_key
from tests.review.gitkit import POLICY, pr, rcli, repo, review_json  # noqa: F401 - fixtures

MODULE = ('variable "name" {\n  type = string\n}\n\nresource "aws_db_instance" "main" {\n  identifier = var.name\n'
          '  engine            = "postgres"\n  instance_class    = "db.t3.micro"\n  storage_encrypted = true\n}\n')


def root(i: int, extra: str = "") -> str:
    return (f'provider "aws" {{\n  region = "eu-west-3"\n}}\n\n'
            + (f'module "db" {{\n  source = "../../modules/db"\n  name   = "db{i}"\n}}\n\n' if i < 2 else "")
            + f'resource "aws_ebs_volume" "v" {{\n  availability_zone = "eu-west-3a"\n  size = {20 + i}\n'
            f'  encrypted = true\n  tags = {{ env = "{("prod", "dev")[i % 2]}" }}\n}}\n' + extra)


QUEUE = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
# r0 and r1 call modules/db; r2 and r3 do not.
BASE = {"modules/db/main.tf": MODULE, **{f"envs/r{i}/main.tf": root(i) for i in range(4)},
        "envs/r3/extra.tf": QUEUE}
# One pull request doing everything at once: the shared module changed (both callers change), a resource of r2
# renamed by a moved block, a file of r3 deleted, and the policy edited.
HEAD = {"modules/db/main.tf": MODULE.replace("db.t3.micro", "db.m5.large"),
        "envs/r2/main.tf": root(2).replace('"v"', '"data"')
        + 'moved {\n  from = aws_ebs_volume.v\n  to   = aws_ebs_volume.data\n}\n',
        "envs/r3/extra.tf": None,
        "iacgov.yaml": POLICY.replace("change_envelope: 100", "change_envelope: 200")}


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(folder))
    return folder


def entries(cache: Path) -> list[Path]:
    return sorted(p for p in (cache / "v1" / FORMAT).rglob("*") if p.is_file())


def review_text(rcli, repo, base: str, fmt: str, *args: str, head: str = "HEAD") -> tuple[int, str]:
    result = rcli("--repo", repo.path, "--base", base, "--head", head, "--format", fmt, *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_kept_scans_give_the_no_cache_review_byte_for_byte(pr, rcli, cache, fmt):
    repo, base, _ = pr(BASE, HEAD)
    first = review_text(rcli, repo, base, fmt)  # empty cache: both sides scanned, then kept
    assert len(entries(cache)) == 2
    again = review_text(rcli, repo, base, fmt)  # both sides read back
    without = review_text(rcli, repo, base, fmt, "--no-cache")
    shutil.rmtree(cache)  # the cache cleared: scanned again
    cleared = review_text(rcli, repo, base, fmt)
    assert first == again == without == cleared
    if fmt == "json":
        doc = json.loads(first[1])
        actions = [(r["action"], r["address"], r.get("previous_address")) for r in doc["resources"]]
        # the shared module's change shows in both of its callers; the moved block; the deleted file
        assert sum(1 for a in actions if a[1] == "module.db.aws_db_instance.main" and a[0] == "changed") == 2
        assert ("moved", "aws_ebs_volume.data", "aws_ebs_volume.v") in actions
        assert ("removed", "aws_sqs_queue.q", None) in actions
        assert any(c["change_class"] == "policy_change" for c in doc["changes"])


def test_a_new_change_on_a_kept_base_scans_only_the_head(pr, rcli, cache, monkeypatch, repo):
    repo_, base, first_head = pr(BASE, {"envs/r2/main.tf": root(2, QUEUE)})
    review_text(rcli, repo_, base, "json", head=first_head)  # the base is kept
    repo_.git("checkout", "-q", "-b", "second", base)
    repo_.write({"modules/db/main.tf": MODULE.replace("postgres", "mysql")})
    second = repo_.commit("second change")
    scanned: list[str] = []
    written: list[str] = []
    real_parse, real_materialise = run.parse_inventory, run.Repository.materialise

    def parse(request, host):
        scanned.append(request.paths[0].name)
        return real_parse(request, host)

    def materialise(self, commit, target, *args, **kwargs):
        done = real_materialise(self, commit, target, *args, **kwargs)
        written.extend(f"{target.name}/{p.relative_to(target)}" for p in target.rglob("*.tf"))
        return done

    monkeypatch.setattr(run, "parse_inventory", parse)
    monkeypatch.setattr(run.Repository, "materialise", materialise)
    fast = review_text(rcli, repo_, base, "json", head=second)
    assert scanned == ["head"]  # the base's scan was read back
    # of its Terraform files, only the one the change touches was copied (other scanners' skips read it)
    assert [w for w in written if w.startswith("base/")] == ["base/modules/db/main.tf"]
    assert fast == review_text(rcli, repo_, base, "json", "--no-cache", head=second)


def test_root_modules_with_equal_keys_are_not_compared_and_both_callers_of_a_changed_module_are(
        pr, review_json, cache, monkeypatch):
    compared: list[str] = []
    real = diffmod._classify_pair

    def spy(before, after, previous):
        compared.append(after.meta["root_module"])
        return real(before, after, previous)

    monkeypatch.setattr(diffmod, "_classify_pair", spy)
    repo, base, _ = pr(BASE, {"modules/db/main.tf": MODULE.replace("db.t3.micro", "db.m5.large")})
    code, doc = review_json(repo, base)
    assert sorted(set(compared)) == ["envs/r0", "envs/r1"]  # r2 and r3 are not compared: their keys are equal
    changed = sorted((r["stack"], r["address"]) for r in doc["resources"])
    assert changed == [("envs/r0", "module.db.aws_db_instance.main"), ("envs/r1", "module.db.aws_db_instance.main")]
    compared.clear()
    assert (code, doc) == review_json(repo, base, "--no-cache")
    assert sorted(set(compared)) == ["envs/r0", "envs/r1", "envs/r2", "envs/r3"]  # without keys: every pair


def test_a_corrupt_kept_scan_is_a_miss(pr, rcli, cache):
    repo, base, _ = pr(BASE, HEAD)
    first = review_text(rcli, repo, base, "json")
    for entry in entries(cache):
        entry.write_bytes(entry.read_bytes()[:1000])  # truncated
    assert review_text(rcli, repo, base, "json") == first


@pytest.mark.parametrize("reuse", [False, True])  # True: the kept review of the pair is read back too
def test_the_date_suppressions_expire_against_is_part_of_the_key(pr, cache, reuse):
    """A suppression valid when the base was kept has expired on a later day: the later review sees the finding."""
    ignored = root(3).replace("  encrypted = true\n", "  # iacgov:ignore ENC001 reason=\"scratch\" "
                              "expires=2026-03-01\n  encrypted = false\n")
    repo, base, head = pr({**BASE, "envs/r3/main.tf": ignored}, {"envs/r2/main.tf": root(2, QUEUE)})
    host = load_plugins()

    def review(day: date, cache_dir: Path | None):
        request = run.ReviewRequest(repo=repo.path, base=base, head=head, today=day,
                                    options=ParseOptions(cache_dir=cache_dir), reuse=reuse)
        got = run.run_review(request, host)
        return [(f.code, f.address, f.suppression is not None) for f in got.resolved_findings + got.new_findings], \
            [(f.code, f.location.path) for f in got.head_scan.findings if f.suppression is None]

    before = review(date(2026, 2, 1), cache)  # made now (the day is in the keys)
    later = review(date(2026, 4, 1), cache)
    assert later == review(date(2026, 4, 1), None)
    # Read back: with reuse, the kept review, whose head scan has no findings (the review command shows only
    # the review's new and resolved ones); else the kept sides.
    again, again_before = review(date(2026, 4, 1), cache), review(date(2026, 2, 1), cache)
    assert (again, again_before) == (((later[0], []), (before[0], [])) if reuse else (later, before))
    from iacgov.review.treecache import KeptReview, TreeCache

    store = TreeCache(cache).store
    kept = [p for p in entries(cache) if isinstance(store._decode(p.parent.name + p.name, p.read_bytes()), KeptReview)]
    assert len(kept) == (2 if reuse else 0)  # one per day; none for a caller that does not read them back
    assert ("ENC001", "envs/r3/main.tf") in later[1] and ("ENC001", "envs/r3/main.tf") not in before[1]


def test_a_kept_head_keeps_its_estimate_as_compared_and_a_report_makes_it_again(pr, cache):
    """Both sides' estimates are kept without their priced items (what the review compares): the review
    command reads the head's back as it is; a caller showing the head's estimate (iacgov report --base, no
    ``reuse``) gets it made again, whole, as without the cache."""
    from iacgov.review.treecache import CostLine, TreeCache, TreeScan

    repo, base, head = pr(BASE, {"envs/r2/main.tf": root(2, QUEUE)})
    host = load_plugins()

    def review(cache_dir: Path | None, reuse: bool):
        return run.run_review(run.ReviewRequest(repo=repo.path, base=base, head=head, reuse=reuse,
                                                options=ParseOptions(cache_dir=cache_dir)), host)

    made = review(cache, True)  # both sides scanned, then kept
    store = TreeCache(cache).store
    sides = [v for v in (store._decode(p.parent.name + p.name, p.read_bytes()) for p in entries(cache))
             if isinstance(v, TreeScan)]
    assert len(sides) == 2 and all(s.estimate.resources for s in sides)
    assert all(type(c) is CostLine for s in sides for c in s.estimate.resources)
    report = review(cache, False).head_estimate  # the head side read back, its estimate made again
    assert report == review(None, False).head_estimate == made.head_estimate
    assert report.resources and not any(type(c) is CostLine for c in report.resources)


def test_placed_findings_are_keyed_as_looking_their_owner_up_would(pr, monkeypatch):
    """run.placed_codes: every finding of those rules is on a resource of the scan at its address and in its
    stack (so the comparison keys it without looking its owner up); the review is the same either way, with a
    shared module changed, a moved block, findings new and resolved in several root modules."""
    from iacgov.engine import ScanRequest, scan
    from iacgov.fingerprint import stack_of

    host = load_plugins()
    placed = run.placed_codes(host)
    assert {"LOC001", "TAG001", "BCK001"} <= placed and not placed & {"LOG002", "COST001", "COV001"}
    demo = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
    result = scan(ScanRequest((demo,), ParseOptions(cache_dir=None), demo / "iacgov.yaml", demo), host)
    owners = {(r.address, stack_of(r)) for r in result.resources}
    mine = [f for f in result.findings if f.code in placed]
    assert mine and all(f.stack and (f.address, f.stack) in owners for f in mine)

    far = ('provider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}\n\n'
           'resource "aws_sqs_queue" "far" {\n  provider = aws.us\n  name     = "far"\n}\n')
    renamed = far.replace('"far" {', '"far2" {') + 'moved {\n  from = aws_sqs_queue.far\n  to   = aws_sqs_queue.far2\n}\n'
    # LOC001 on aws_sqs_queue.far: kept in r3, resolved in r2, new in r0, carried over by a moved block in r1
    repo, base, head = pr({**BASE, **{f"envs/r{i}/far.tf": far for i in (1, 2, 3)}},
                          {**HEAD, "envs/r2/far.tf": None, "envs/r0/far.tf": far, "envs/r1/far.tf": renamed})

    def review() -> tuple:
        got = run.run_review(run.ReviewRequest(repo=repo.path, base=base, head=head,
                                               options=ParseOptions(cache_dir=None)), host)
        return got.new_findings, got.resolved_findings, got.suppressions_added, got.decisions

    made = review()
    assert [(f.code, f.stack) for f in made[0] + made[1] if f.code in placed] == [("LOC001", "envs/r0"),
                                                                                 ("LOC001", "envs/r2")]
    monkeypatch.setattr(run, "placed_codes", lambda host: frozenset())
    assert review() == made


def test_every_input_of_a_side_scan_changes_its_key():
    host = load_plugins()
    plain = ParseOptions()
    args = dict(side="base", tree="t1", base_tree="t1", policy_rel="iacgov.yaml", options=plain, skip_paths=(),
                today=date(2026, 1, 5), host=host)
    key = side_key(**args)
    assert side_key(**args) == key
    changed = [
        dict(tree="t2"), dict(side="head"), dict(policy_rel="policies/iacgov.yaml"), dict(policy_rel=None),
        dict(options=replace(plain, variables={"x": "1"})), dict(options=replace(plain, cfn_parameters={"P": "1"})),
        dict(options=replace(plain, region="eu-west-1")), dict(options=replace(plain, limits=Limits(max_nesting_depth=3))),
        dict(skip_paths=("legacy/**",)), dict(today=date(2026, 1, 6)),
    ]
    for change in changed:
        assert side_key(**{**args, **change}) != key, change
    # the head is scanned under the base's policy and baseline: the base tree is part of its key
    head = {**args, "side": "head"}
    assert side_key(**head) != side_key(**{**head, "base_tree": "t9"})


def test_a_var_file_is_keyed_by_its_content(tmp_path):
    host = load_plugins()
    var_file = tmp_path / "prod.tfvars"
    var_file.write_text('size = 1\n')
    options = ParseOptions(var_files=(var_file,))
    key = side_key("base", "t1", "t1", None, options, (), date(2026, 1, 5), host)
    var_file.write_text('size = 2\n')
    assert side_key("base", "t1", "t1", None, options, (), date(2026, 1, 5), host) != key


def test_a_policy_naming_a_file_outside_the_tree_is_never_kept():
    assert cacheable({"cost": {"rate_card": "rates/card.csv"}, "exclude": ["legacy/**"]})
    for outside in ("/etc/rates.csv", "~/rates.csv", "../shared/rates.csv", "rates/../../x.csv"):
        assert not cacheable({"cost": {"rate_card": outside}}), outside


def test_a_side_scan_larger_than_a_sixteenth_of_the_cache_cap_is_not_kept(pr, rcli, cache, monkeypatch):
    """A kept 10,000-file scan is about 120 MB: kept scans must not evict the parse and evaluation entries."""
    import iacgov.review.treecache as treecache

    repo_, base, head = pr(BASE, {"envs/r2/main.tf": root(2, QUEUE)})
    monkeypatch.setattr(treecache, "max_kept_bytes", lambda: 1000)  # smaller than any side scan here
    small = review_text(rcli, repo_, base, "json", head=head)
    assert entries(cache) == []  # neither side kept
    monkeypatch.undo()
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(cache))
    kept = review_text(rcli, repo_, base, "json", head=head)
    assert len(entries(cache)) == 3  # both sides kept under the real bound, and the review made of them
    assert small == kept == review_text(rcli, repo_, base, "json", "--no-cache", head=head)
