"""Review: the head's root modules whose inputs the change leaves alone are not
evaluated again (iacgov.evalcache: the base scan's entries are keyed by content,
not by folder), and the review says exactly what a review without the cache says."""

from __future__ import annotations

import json

import pytest

import iacgov.parsers.terraform.project as project
from iacgov.parsers.terraform.project import Project
from tests.review.gitkit import POLICY, pr, rcli, repo, review_json  # noqa: F401 - fixtures

MODULE = ('variable "name" {\n  type = string\n}\n\nresource "aws_db_instance" "main" {\n  identifier = var.name\n'
          '  engine            = "postgres"\n  instance_class    = "db.t3.micro"\n  storage_encrypted = false\n}\n')


def root(i: int, region: str = "eu-west-3", size: int = 20) -> str:
    return (f'provider "aws" {{\n  region = "{region}"\n}}\n\n'
            f'module "db" {{\n  source = "../../modules/db"\n  name   = "db{i}"\n}}\n\n'
            f'resource "aws_ebs_volume" "v" {{\n  availability_zone = "{region}a"\n  size = {size}\n'
            f'  tags = {{ env = "{("prod", "dev")[i % 2]}" }}\n}}\n')


BASE = {"modules/db/main.tf": MODULE, **{f"envs/r{i}/main.tf": root(i) for i in range(4)}}


@pytest.fixture
def analysed(monkeypatch):
    seen: list[str] = []
    real = Project.analyse

    def counting(self, directory):
        seen.append(self.relpath(directory))
        return real(self, directory)

    monkeypatch.setattr(Project, "analyse", counting)
    monkeypatch.setattr(project, "PARALLEL_ROOTS", 10**6)  # analysed in this process, where they are counted
    return seen


@pytest.mark.parametrize("head", [
    {"envs/r2/main.tf": root(2, "us-east-1", 500)},  # a root module's own file: that root
    {"envs/r3/extra.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'},  # a new file in a root
])
def test_a_one_file_change_re_evaluates_one_root_module(pr, review_json, analysed, tmp_path, monkeypatch, head):
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))  # empty: the base is analysed whole
    repo, base, _ = pr(BASE, head)
    code, doc = review_json(repo, base)
    changed = sorted({name.rsplit("/", 1)[0] for name in head})
    assert sorted(analysed) == sorted([*(f"envs/r{i}" for i in range(4)), *changed])  # base: 4, head: 1
    analysed.clear()
    again = review_json(repo, base)
    assert analysed == []  # both commits' root modules are in the cache now
    without = review_json(repo, base, "--no-cache")
    assert (code, doc) == again == without
    assert doc["changes"]  # the change is seen


def test_a_shared_module_change_re_evaluates_every_root_module_calling_it(pr, review_json, analysed, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    files = {**BASE, "envs/solo/main.tf": 'provider "aws" {\n  region = "eu-west-3"\n}\n\n'
                                          'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'}
    repo, base, _ = pr(files, {"modules/db/main.tf": MODULE.replace("postgres", "mysql")})
    result = review_json(repo, base)
    assert sorted(analysed) == sorted([*(f"envs/r{i}" for i in range(4)), "envs/solo", *(f"envs/r{i}" for i in range(4))])
    assert result == review_json(repo, base, "--no-cache")


def test_only_files_that_can_hold_a_moved_block_are_parsed_again_for_it(pr, review_json, monkeypatch):
    import iacgov.review.moved as moved

    parsed: list[str] = []
    real = moved.load_file

    def counting(path, relpath, *args, **kwargs):
        parsed.append(relpath)
        return real(path, relpath, *args, **kwargs)

    monkeypatch.setattr(moved, "load_file", counting)
    renamed = root(1).replace('"v"', '"volume"') + 'moved {\n  from = aws_ebs_volume.v\n  to   = aws_ebs_volume.volume\n}\n'
    repo, base, _ = pr(BASE, {"envs/r1/main.tf": renamed})
    _, doc = review_json(repo, base)
    assert parsed == ["envs/r1/main.tf"]  # not the four other files of the head
    moves = [(r["previous_address"], r["address"]) for r in doc["resources"] if r["action"] == "moved"]
    assert moves == [("aws_ebs_volume.v", "aws_ebs_volume.volume")]


# --------------------------------------------------------------------------- compact side records (treecache)


from iacgov.model import Location, Resource  # noqa: E402

BASE_RESOURCE = Resource("aws_sqs_queue.q", "aws_sqs_queue", "aws", "terraform", Location("main.tf", 1))


def _side_entries(cache) -> list:
    """Every kept side entry, decoded as the review reads it (digest-checked, decompressed)."""
    from iacgov.review.treecache import TreeScan

    return [v for v in _entries(cache) if isinstance(v, TreeScan)]


def _drop_kept_reviews(cache) -> None:
    """Delete the kept reviews of pairs (treecache.KeptReview), leaving the sides."""
    from iacgov.review.treecache import FORMAT, KeptReview, TreeCache

    store = TreeCache(cache).store
    for p in sorted((cache / "v1" / FORMAT).rglob("*")):
        if p.is_file() and isinstance(store._decode(p.parent.name + p.name, p.read_bytes()), KeptReview):
            p.unlink()


def _entries(cache) -> list:
    """Every entry of the review's store (sides, kept reviews, month totals), decoded."""
    from iacgov.review.treecache import FORMAT, TreeCache

    store = TreeCache(cache).store
    return [store._decode(p.parent.name + p.name, p.read_bytes())
            for p in sorted((cache / "v1" / FORMAT).rglob("*")) if p.is_file()]


def _resources_in(value) -> int:
    """How many Resource objects pickling ``value`` writes."""
    import io
    import pickle

    from iacgov.model import Resource

    seen = []

    class Probe(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Resource):
                seen.append(obj)
            return None

    Probe(io.BytesIO(), protocol=5).dump(value)
    Probe(io.BytesIO(), protocol=5).dump(BASE_RESOURCE)
    assert seen[-1:] == [BASE_RESOURCE]  # the probe sees a resource where there is one
    return len(seen) - 1


def test_a_kept_side_names_its_resources_by_the_evaluation_cache_entries(pr, review_json, tmp_path, monkeypatch):
    """A side entry holds no resource (a 10,000-file side is kept: a few MB, not 120), and reads back to the
    review a review without the cache writes."""
    from iacgov.scancache import Stored

    cache = tmp_path / "cache"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(cache))
    repo, base, _ = pr(BASE, {"envs/r2/main.tf": root(2, "us-east-1", 500)})
    first = review_json(repo, base)
    kept = _side_entries(cache)
    assert len(kept) == 2 and all(isinstance(v.scan, Stored) for v in kept)
    for value in kept:
        assert value.scan.result.resources == () and value.scan.count == 8  # 4 roots x (db, volume)
        assert [u[2] for u in value.scan.units] == [k for _, k in value.stacks]  # each root by its analysis key
    assert _resources_in(kept) == 0
    assert _resources_in([kept[0].scan.result.findings, *kept[0].estimate.resources]) == 0  # nor by a detour
    assert first == review_json(repo, base) == review_json(repo, base, "--no-cache")


def test_a_side_whose_analyses_were_pruned_is_scanned_again(pr, review_json, analysed, tmp_path, monkeypatch):
    import shutil

    cache = tmp_path / "cache"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(cache))
    repo, base, _ = pr(BASE, {"envs/r2/main.tf": root(2, "us-east-1", 500)})
    first = review_json(repo, base)
    shutil.rmtree(next((cache / "v1").glob("terraform-analysis*")))  # what pruning would do to them
    analysed.clear()
    again = review_json(repo, base)
    assert sorted(analysed) == sorted([*(f"envs/r{i}" for i in range(4)), "envs/r2"])  # both sides scanned again
    assert first == again == review_json(repo, base, "--no-cache")


def test_a_side_with_an_unkeyed_root_module_is_not_kept(pr, review_json, tmp_path, monkeypatch):
    """terraform init's module manifest resolves sources the key cannot see (the scan cache's rule)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(cache))
    files = {**BASE, "envs/r1/.terraform/modules/modules.json": '{"Modules": []}\n'}
    repo, base, _ = pr(files, {"envs/r2/main.tf": root(2, "us-east-1", 500)})
    first = review_json(repo, base)
    assert _side_entries(cache) == []
    assert first == review_json(repo, base) == review_json(repo, base, "--no-cache")


def test_each_side_keeps_its_access_register(pr, review_json, tmp_path, monkeypatch):
    """The register of rights is read from the resources once per side; read back, the review says the same."""
    import iacgov.access as access
    from tests.review.test_decision_grid import ADMIN_POLICY, AWS, BREAK_GLASS, PROVIDER_ROOT, ROLE

    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    real = access.register
    monkeypatch.setattr(access, "register", lambda resources, policy: calls.append(1) or real(resources, policy))
    repo, base, _ = pr({"iacgov.yaml": ADMIN_POLICY, "main.tf": AWS + ROLE % BREAK_GLASS},
                       {"main.tf": AWS + ROLE % PROVIDER_ROOT})
    first = review_json(repo, base)
    assert len(calls) == 2
    again = review_json(repo, base)
    assert len(calls) == 2  # both registers read back
    assert first == again == review_json(repo, base, "--no-cache")
    doc = again[1]
    assert [(h["scope"], h["principal"]) for h in doc["access"]["granted"]] == [
        ("provider", "arn:aws:iam::222222222222:root")]
    assert [(h["scope"], h["principal"]) for h in doc["access"]["revoked"]] == [
        ("break-glass", "arn:aws:iam::111111111111:role/break-glass")]


# --------------------------------------------------------------------------- the month's history, kept by tree

from tests.review.test_decision_grid import month  # noqa: E402,F401 - fixture


@pytest.fixture
def copies(monkeypatch):
    """The commits copied out of git for the monthly envelope's history (folders named by their commit)."""
    from iacgov.review.gitrepo import Repository

    seen: list[str] = []
    real = Repository.materialise

    def counting(self, commit, folder, *args, **kwargs):
        if "iacgov-month-" in str(folder):
            seen.append(commit.sha)
        return real(self, commit, folder, *args, **kwargs)

    monkeypatch.setattr(Repository, "materialise", counting)
    return seen


def test_the_months_history_is_priced_once_per_tree_and_base(month, review_json, copies, tmp_path, monkeypatch):
    from tests.review.test_decision_grid import _commit_at

    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    first = review_json(month, "main", head="provider")
    assert len(copies) == 2  # the January merge and its first parent (the base, the squashed one, is priced)
    copies.clear()
    assert review_json(month, "main", head="provider") == first
    assert copies == []  # read back
    assert first == review_json(month, "main", "--no-cache", head="provider")
    assert first[1]["cost"]["months"]["prod"]["used"] == "137.82"
    # A rate card on main: the same history commits are priced again under the new base (a key without
    # the base's tree would reuse their totals and say 137.82).
    month.git("checkout", "-q", "main")
    month.write({"rates.csv": "cloud,region,sku,unit,price,currency\naws,eu-west-3,ec2:t3.large,hour,0.05,USD\n",
                 "iacgov.yaml": month.path.joinpath("iacgov.yaml").read_text().replace(
                     "  environment_tag: env\n", "  environment_tag: env\n  rate_card: rates.csv\n")})
    _commit_at(month, "2026-01-04T09:00:00Z", "rate card")
    month.git("checkout", "-q", "provider")
    cached = review_json(month, "main", head="provider")
    assert cached == review_json(month, "main", "--no-cache", head="provider")
    assert cached[1]["cost"]["months"]["prod"]["used"] != "137.82"


# --------------------------------------------------------------------------- every kind of change, byte for byte

def _estate_root(i: int, extra: str = "") -> str:
    calls = f'module "db" {{\n  source = "../../modules/db"\n  name   = "db{i}"\n}}\n\n' if i < 2 else ""
    return (f'provider "aws" {{\n  region = "eu-west-3"\n}}\n\n{calls}'
            f'resource "aws_ebs_volume" "v" {{\n  availability_zone = "eu-west-3a"\n  size = {20 + i}\n'
            f'  tags = {{ env = "{("prod", "dev")[i % 2]}" }}\n}}\n{extra}')


ESTATE = {"modules/db/main.tf": MODULE, **{f"envs/r{i}/main.tf": _estate_root(i) for i in range(4)},
          "envs/r3/queue.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'}
BIG = 'resource "aws_instance" "big" {\n  ami = "ami-1"\n  instance_type = "m5.4xlarge"\n  tags = { env = "prod" }\n}\n'
CHANGES = {
    "shared module (two callers)": {"modules/db/main.tf": MODULE.replace("db.t3.micro", "db.m5.large")},
    "moved block": {"envs/r2/main.tf": _estate_root(2).replace('"v"', '"data"')
                    + 'moved {\n  from = aws_ebs_volume.v\n  to   = aws_ebs_volume.data\n}\n'},
    "deleted file": {"envs/r3/queue.tf": None},
    "deleted root": {"envs/r3/main.tf": None, "envs/r3/queue.tf": None},
    "one root's own file": {"envs/r1/main.tf": _estate_root(1).replace("size = 21", "size = 300")},
    "unreadable file": {"envs/r1/broken.tf": 'resource "aws_sqs_queue" "b" {\n  name = \n'},
    "new root": {"envs/r9/main.tf": _estate_root(9)},
    "policy": {"iacgov.yaml": POLICY.replace("change_envelope: 100", "change_envelope: 200")},
    "cost over the envelope": {"envs/r0/big.tf": BIG},
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_kept_sides_give_the_full_reviews_json_and_markdown(pr, rcli, tmp_path, monkeypatch, change):
    """Empty cache, both sides kept, and another head reviewed against the kept base: each says what
    ``--no-cache`` says, byte for byte."""
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    repo, base, head = pr(ESTATE, CHANGES[change])
    repo.git("checkout", "-q", "-b", "other", base)
    other = repo.write({"envs/r2/extra.tf": 'resource "aws_sqs_queue" "x" {\n  name = "x"\n}\n'}).commit("other")

    def text(fmt: str, *args: str, at: str = head) -> tuple[int, str]:
        result = rcli("--repo", repo.path, "--base", base, "--head", at, "--format", fmt, *args)
        assert result.exit_code in (0, 1), result.output
        return result.exit_code, result.output

    full = text("json", "--no-cache")
    assert text("json") == full  # both sides scanned, then kept
    assert text("markdown") == text("markdown", "--no-cache")  # both read back
    assert text("json", at=other) == text("json", "--no-cache", at=other)  # a new head against the kept base
    assert text("sarif") == text("sarif", "--no-cache")
    doc = json.loads(full[1])
    if change == "cost over the envelope":
        assert any(c["change_class"] == "cost_over_envelope" for c in doc["changes"])
    if change == "unreadable file":  # still reported, as --no-cache reports it
        assert full[0] == 1 and "envs/r1/broken.tf" in full[1]
    if change == "deleted root":
        assert {(r["action"], r["stack"]) for r in doc["resources"]} == {("removed", "envs/r3")}
    if change == "one root's own file":
        assert [(r["action"], r["stack"], r["address"]) for r in doc["resources"]] == [
            ("changed", "envs/r1", "aws_ebs_volume.v")]
    if change == "moved block":
        assert [(r["action"], r["address"]) for r in doc["resources"]] == [("moved", "aws_ebs_volume.data")]


FORMATS = ("json", "markdown", "sarif")


def _texts(rcli, repo, base: str, head: str, *args: str) -> dict[str, tuple[int, str]]:
    """The review of ``head`` in every format: (exit code, output)."""
    out = {}
    for fmt in FORMATS:
        result = rcli("--repo", repo.path, "--base", base, "--head", head, "--format", fmt, *args)
        assert result.exit_code in (0, 1), result.output
        out[fmt] = (result.exit_code, result.output)
    return out


def _kept_reviews(cache) -> list:
    from iacgov.review.treecache import KeptReview

    return [v for v in _entries(cache) if isinstance(v, KeptReview)]


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_review_of_the_same_pair_is_read_back_byte_for_byte(pr, rcli, tmp_path, monkeypatch, change):
    """Reviewed again, a pair is neither scanned, compared nor judged again: its kept review is read back and
    renders, in JSON, markdown and SARIF, what ``--no-cache`` renders. Not kept when the head edits the
    policy (the head's own policy is read then, and it may name anything)."""
    import iacgov.review.run as run

    cache = tmp_path / "cache"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(cache))
    repo, base, head = pr(ESTATE, CHANGES[change])
    without = _texts(rcli, repo, base, head, "--no-cache")
    made = rcli("--repo", repo.path, "--base", base, "--head", head, "--format", "json")
    assert (made.exit_code, made.output) == without["json"]
    assert len(_kept_reviews(cache)) == (0 if change == "policy" else 1)
    if change != "policy":
        def never(*args, **kwargs):
            raise AssertionError("a kept review is not made again")

        for name in ("scan_inventory", "parse_inventory", "diff", "_compare_findings", "_costs"):
            monkeypatch.setattr(run, name, never)
    assert _texts(rcli, repo, base, head) == without
    if change == "unreadable file":  # the head's unreadable file still blocks, and is still named
        assert without["json"][0] == 1 and "envs/r1/broken.tf" in without["markdown"][1]


def test_approvals_are_read_again_with_a_kept_review(pr, rcli, tmp_path, monkeypatch):
    """Who approved is not part of what is kept: the same pair, approved since, passes."""
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    repo, base, head = pr(ESTATE, CHANGES["cost over the envelope"])
    waiting = _texts(rcli, repo, base, head)
    assert waiting["json"][0] == 1 and json.loads(waiting["json"][1])["approvals_satisfied"] is False
    assert len(_kept_reviews(tmp_path / "cache")) == 1
    approved = _texts(rcli, repo, base, head, "--approved-by", "alice")
    assert approved == _texts(rcli, repo, base, head, "--approved-by", "alice", "--no-cache")
    assert approved["json"][0] == 0 and json.loads(approved["json"][1])["approvals_satisfied"] is True
    assert waiting == _texts(rcli, repo, base, head)


def test_a_kept_review_is_its_pairs_own(pr, rcli, tmp_path, monkeypatch):
    """Two heads on one base, each reviewed and kept: each read back is its own (the key holds the head's)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(cache))
    repo, base, first = pr(ESTATE, CHANGES["one root's own file"])
    repo.git("checkout", "-q", "-b", "other", base)
    second = repo.write(CHANGES["new root"]).commit("other")
    made = {h: _texts(rcli, repo, base, h) for h in (first, second)}
    assert len(_kept_reviews(cache)) == 2
    for h in (first, second):
        assert _texts(rcli, repo, base, h) == made[h] == _texts(rcli, repo, base, h, "--no-cache")
    assert made[first]["json"] != made[second]["json"]


def test_a_plan_review_or_a_monthly_envelope_keeps_no_review(pr, rcli, tmp_path, monkeypatch):
    """A month's history and a plan are not functions of the two trees: nothing of the pair is kept."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(cache))
    monthly = POLICY.replace("  change_envelope: 100\n", "  change_envelope:\n    prod: {per_month: 500}\n")
    repo, base, head = pr({**ESTATE, "iacgov.yaml": monthly}, CHANGES["cost over the envelope"])
    first = _texts(rcli, repo, base, head)
    assert _kept_reviews(cache) == []
    assert first == _texts(rcli, repo, base, head) == _texts(rcli, repo, base, head, "--no-cache")


@pytest.fixture
def head_copies(monkeypatch):
    """For each copy of a head commit: how many of its files were written (all of them when ``only`` is None)."""
    from iacgov.review.gitrepo import Repository

    seen: list[int] = []
    real = Repository.materialise

    def counting(self, commit, folder, *args, only=None, **kwargs):
        if folder.name == "head":
            seen.append(len(commit.entries) if only is None else sum(map(only, commit.entries)))
        return real(self, commit, folder, *args, only=only, **kwargs)

    monkeypatch.setattr(Repository, "materialise", counting)
    return seen


def test_a_kept_head_is_not_copied_out_of_git(pr, review_json, head_copies, tmp_path, monkeypatch):
    """Its scan and its moved blocks are kept: only the files the review reads besides them are written."""
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    repo, base, _ = pr(ESTATE, CHANGES["moved block"])
    first = review_json(repo, base)
    assert sum(head_copies) == len(ESTATE) + 1  # the whole head: its scan is made (the policy, 6 .tf files)
    head_copies.clear()
    again = review_json(repo, base)
    assert head_copies == [2]  # the policy and the changed file, nothing else
    assert first == again == review_json(repo, base, "--no-cache")
    assert [(r["action"], r["previous_address"]) for r in again[1]["resources"]] == [("moved", "aws_ebs_volume.v")]


def test_a_companions_parent_is_looked_for_only_where_parent_of_can_find_it():
    """classify_companions asks parent_of only for companions of the parent's root module or naming it by a
    literal (parent_of read every resource for every companion of the estate, for each touched parent)."""
    from iacgov.review.companions import _may_attach, parent_of

    def made(address: str, rtype: str, stack: str, **attributes) -> Resource:
        return Resource(address, rtype, "aws", "terraform", Location(f"{stack}/main.tf", 1), attributes,
                        meta={"root_module": stack})

    bucket = made("aws_s3_bucket.logs", "aws_s3_bucket", "envs/a", bucket="acme-logs")
    other = made("aws_s3_bucket.logs", "aws_s3_bucket", "envs/c", bucket="acme-other")
    companions = [made("aws_s3_bucket_versioning.v", "aws_s3_bucket_versioning", "envs/a", bucket="acme-logs"),
                  made("aws_s3_bucket_versioning.v", "aws_s3_bucket_versioning", "envs/b", bucket="acme-logs"),
                  made("aws_s3_bucket_versioning.w", "aws_s3_bucket_versioning", "envs/b", bucket="acme-else"),
                  made("aws_s3_bucket_versioning.x", "aws_s3_bucket_versioning", "envs/c", bucket="acme-other")]
    estate = [bucket, other, *companions]
    found = [parent_of(c, estate) is bucket for c in companions]
    assert found == [True, True, False, False]  # the second names it from another root module
    assert [_may_attach(c, bucket) for c in companions] == [True, True, False, False]
    assert all(_may_attach(c, bucket) for c, f in zip(companions, found) if f)  # never skips a real companion


def test_a_root_module_equal_on_both_sides_is_decoded_once(pr, review_json, tmp_path, monkeypatch):
    """A kept side's root modules are decoded from their evaluation cache entries; one whose key is equal
    on both sides names the same entry, so it is decoded once per review, or taken from the head just
    scanned — and the review says what ``--no-cache`` says."""
    from iacgov.scancache import StoredResources

    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    decoded: list[int] = []
    real = StoredResources._decode

    def counting(self, payload):
        got = real(self, payload)
        decoded.append(len(got))
        return got

    monkeypatch.setattr(StoredResources, "_decode", counting)
    repo, base, head = pr(ESTATE, {"envs/r2/main.tf": _estate_root(2).replace("size = 22", "size = 900")})
    repo.git("checkout", "-q", "-b", "other", base)
    other = repo.write({"envs/r1/extra.tf": 'resource "aws_sqs_queue" "x" {\n  name = "x"\n}\n'}).commit("other")
    first = review_json(repo, base, head=head)  # both scanned: nothing read back
    assert decoded == []
    _drop_kept_reviews(tmp_path / "cache")  # else the review itself is read back, decoding nothing
    again = review_json(repo, base, head=head)  # both kept: 4 root modules a side, 3 of them equal
    assert len(decoded) == 4 + 1
    decoded.clear()
    assert review_json(repo, base, head=head) == again and decoded == []  # the kept review: nothing decoded
    new = review_json(repo, base, head=other)  # the base kept, the head scanned: only envs/r1 differs
    assert len(decoded) == 1
    assert first == again == review_json(repo, base, "--no-cache", head=head)
    assert new == review_json(repo, base, "--no-cache", head=other)
    assert [(r["action"], r["address"]) for r in new[1]["resources"]] == [("added", "aws_sqs_queue.x")]


def test_root_modules_equal_on_both_sides_are_neither_indexed_nor_compared():
    """diff's ``same``: stacks whose evaluation key is equal on both sides. Their resources are skipped whole
    (here they differ, which equal keys rule out, to show they are not read); a ``moved`` block in another
    root module still carries its address over, and a root module not in ``same`` is compared."""
    from iacgov.review.diff import diff
    from iacgov.review.moved import Move

    def made(address: str, stack: str, **attributes) -> Resource:
        return Resource(address, address.split(".")[0], "aws", "terraform", Location(f"{stack}/main.tf", 1),
                        attributes, meta={"root_module": stack})

    base = [made("aws_sqs_queue.q", "envs/a", name="a"), made("aws_sqs_queue.gone", "envs/a", name="g"),
            made("aws_sqs_queue.old", "envs/b", name="b"), made("aws_sqs_queue.c", "envs/c", name="c")]
    head = [made("aws_sqs_queue.q", "envs/a", name="changed"), made("aws_sqs_queue.new", "envs/b", name="b"),
            made("aws_sqs_queue.c", "envs/c", name="c2")]
    moves = (Move("envs/b", "aws_sqs_queue.old", "aws_sqs_queue.new", "envs/b/main.tf", 3),)

    def seen(same: frozenset[str]) -> list[tuple[str, str, str, str | None]]:
        return [(c.action, c.stack, c.address, c.previous_address) for c in diff(base, head, moves, same)]

    assert seen(frozenset({"envs/a"})) == [("moved", "envs/b", "aws_sqs_queue.new", "aws_sqs_queue.old"),
                                           ("replaced", "envs/c", "aws_sqs_queue.c", None)]
    assert ("replaced", "envs/a", "aws_sqs_queue.q", None) in seen(frozenset())  # without it, compared


def test_a_kept_base_keeps_what_its_costs_are_compared_by(pr, rcli, tmp_path, monkeypatch):
    """A base side's estimate is kept without its priced line items (each resource's environment, monthly
    amount, status and unpriced parts): a head reviewed against it — a resource priced in base that head
    cannot price, a new priced one — says what ``--no-cache`` says, and the unknown delta is still named."""
    from iacgov.review.treecache import CostLine, TreeScan

    cache = tmp_path / "cache"
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(cache))
    priced = BIG.replace('"big"', '"app"').replace("m5.4xlarge", "m5.large")
    repo, base, first = pr({**ESTATE, "envs/r0/app.tf": priced}, CHANGES["new root"])
    _texts(rcli, repo, base, first)  # the base is kept
    sides = [v for v in _entries(cache) if isinstance(v, TreeScan)]
    kept_base = [v for v in sides if v.moves is None]
    assert len(kept_base) == 1 and kept_base[0].estimate.resources
    assert all(type(c) is CostLine for c in kept_base[0].estimate.resources)
    assert any(c.address == "aws_instance.app" and c.monthly > 0 for c in kept_base[0].estimate.resources)
    repo.git("checkout", "-q", "-b", "other", base)
    unknown = repo.write({"envs/r0/app.tf": priced.replace("m5.large", "m5.nonexistent"),
                          "envs/r1/big.tf": BIG}).commit("other")
    against_kept = _texts(rcli, repo, base, unknown)
    assert against_kept == _texts(rcli, repo, base, unknown, "--no-cache")
    assert "aws_instance.app" in json.dumps(json.loads(against_kept["json"][1])["cost"])
