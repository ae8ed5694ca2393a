"""The cost estimate per root module (issue 22): references resolve within a resource's own root module, and
each cached root module's cost items are kept in the evaluation cache and read back only when everything
pricing reads is unchanged (the policy, the rate card, the usage file): the estimate equals an uncached one."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import iacgov.cost.estimate as estimate_module
from iacgov.cost.estimate import estimate, last_scan_estimate
from iacgov.engine import ScanRequest, parse_inventory, scan
from iacgov.model import ParseOptions
from iacgov.plugins import load_plugins

ASG = """\
provider "aws" {{
  region = "eu-west-3"
}}

resource "aws_launch_template" "web" {{
  instance_type = "{size}"
}}

resource "aws_autoscaling_group" "web" {{
  desired_capacity = 2
  max_size         = 4
  min_size         = 1
  launch_template {{
    id = aws_launch_template.web.id
  }}
  tags = {{ env = "{env}" }}
}}

resource "aws_s3_bucket" "data" {{
  bucket = "data-{env}"
  tags   = {{ env = "{env}" }}
}}
"""

POLICY = """\
version: 1
cost:
  environment_tag: env
  budgets: {prod: 1, dev: 1, qa: 1}
  usage_file: usage.yaml
  rate_card: rates.csv
"""

USAGE = "resource_type_default_usage:\n  aws_s3_bucket:\n    storage_gb: {gb}\n"
RATES = "cloud,region,sku,unit,price,currency\naws,*,ec2:m5.large,hour,{price},USD\n"


def write_estate(folder: Path) -> Path:
    for name, env, size in (("a", "dev", "m5.large"), ("b", "prod", "m5.4xlarge"), ("c", "qa", "m5.large")):
        (folder / "envs" / name).mkdir(parents=True)
        (folder / "envs" / name / "main.tf").write_text(ASG.format(size=size, env=env), encoding="utf-8")
    (folder / "iacgov.yaml").write_text(POLICY, encoding="utf-8")
    (folder / "usage.yaml").write_text(USAGE.format(gb=100), encoding="utf-8")
    (folder / "rates.csv").write_text(RATES.format(price="0.05"), encoding="utf-8")
    (folder / ".git").mkdir()
    return folder


def instance_line(cost) -> str:
    return next(c.item for c in cost.components if c.item.startswith("Instances ("))


def test_a_reference_resolves_in_its_own_root_module(tmp_path):
    """envs/a and envs/b both declare aws_launch_template.web: each group is priced with its own root's
    template (one index of the whole estate by address priced both as the last one read, m5.4xlarge)."""
    tree = write_estate(tmp_path / "tree")
    host = load_plugins()
    inventory = parse_inventory(ScanRequest(paths=(tree,), root=tree, options=ParseOptions(jobs=1)), host)
    est = estimate(inventory.resources, inventory.policy, base_dir=tree)
    groups = {c.file: c for c in est.resources if c.type == "aws_autoscaling_group"}
    assert "m5.large" in instance_line(groups["envs/a/main.tf"])
    assert "m5.4xlarge" in instance_line(groups["envs/b/main.tf"])
    assert groups["envs/a/main.tf"].monthly == groups["envs/c/main.tf"].monthly == 2 * 730 * Decimal("0.05")  # rate card
    assert groups["envs/b/main.tf"].monthly > groups["envs/a/main.tf"].monthly


@pytest.fixture
def priced(monkeypatch):
    """The root modules priced (not read back from the cache), run by run."""
    seen: list[str] = []
    real = estimate_module.root_items

    def root_items(resources, *args, **kwargs):
        seen.extend(sorted({r.location.path for r in resources}))
        return real(resources, *args, **kwargs)

    monkeypatch.setattr(estimate_module, "root_items", root_items)

    def take() -> list[str]:
        out = sorted(seen)
        seen.clear()
        return out

    return take


def scanned(tree: Path, cache: Path):
    """A scan with the cache on, its estimate, and the estimate of the same resources made without it."""
    host = load_plugins()
    result = scan(ScanRequest(paths=(tree,), root=tree, options=ParseOptions(jobs=1, cache_dir=cache)), host)
    policy, made = last_scan_estimate(result.resources)
    return made, estimate(result.resources, policy, base_dir=tree)


ALL = ["envs/a/main.tf", "envs/b/main.tf", "envs/c/main.tf"]


@pytest.mark.parametrize("change", ["usage", "rate card", "policy", "root file"])
def test_cost_items_are_read_back_only_while_what_prices_them_is_unchanged(tmp_path, priced, change):
    """Each change below must price again what it affects, and the estimate must equal the uncached one:
    with that input left out of the items' key, the cached items of the run before would be summed."""
    tree = write_estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    first, uncached = scanned(tree, cache)
    assert first == uncached
    assert priced() == sorted(ALL + ALL)  # the cached run's roots, then the uncached estimate's

    # the scan cache reads a whole unchanged scan back (no estimate): a note in one root makes it run
    (tree / "envs/c/notes.tf").write_text("# a comment\n", encoding="utf-8")
    warm, uncached = scanned(tree, cache)
    assert warm == uncached and priced() == sorted(["envs/c/main.tf"] + ALL)  # envs/c's key changed; a and b read back

    if change == "usage":
        (tree / "usage.yaml").write_text(USAGE.format(gb=5000), encoding="utf-8")
        expected = ALL
    elif change == "rate card":
        (tree / "rates.csv").write_text(RATES.format(price="0.07"), encoding="utf-8")
        expected = ALL
    elif change == "policy":  # the budget does not change an item, but the items' key holds the whole policy
        (tree / "iacgov.yaml").write_text(POLICY.replace("prod: 1", "prod: 2"), encoding="utf-8")
        expected = ALL
    else:
        (tree / "envs/b/main.tf").write_text(ASG.format(size="m5.xlarge", env="prod"), encoding="utf-8")
        expected = ["envs/b/main.tf"]
    after, uncached = scanned(tree, cache)
    assert priced() == sorted(expected + ALL)
    assert after == uncached
    assert after != warm  # the change shows in the estimate


def test_damaged_cost_items_are_misses(tmp_path, priced):
    """An entry that fails its digest (flipped, truncated) or holds something else is priced again."""
    tree = write_estate(tmp_path / "tree")
    cache = tmp_path / "cache"
    scanned(tree, cache)
    entries = sorted(p for p in (cache / "v1" / "root-costs").rglob("*") if p.is_file())
    assert len(entries) == 3
    data = entries[0].read_bytes()
    entries[0].write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    entries[1].write_bytes(data[: len(data) // 2])
    shutil.rmtree(cache / "v1" / "scan-index")  # a scan, not the whole result read back
    priced()
    warm, uncached = scanned(tree, cache)
    assert warm == uncached
    assert len(priced()) == 2 + 3  # the two damaged; then the uncached estimate's three


def test_a_root_module_without_resources_last_in_the_estate_is_an_empty_unit(tmp_path):
    """envs/z (a variable, no resource) sorts after every resource: its unit starts at the end of the resource
    list. COST001 and COST003 crashed on it with the cache on (IndexError), not with --no-cache."""
    tree = write_estate(tmp_path / "tree")
    (tree / "envs" / "z").mkdir()
    (tree / "envs" / "z" / "main.tf").write_text('variable "unused" {\n  default = 1\n}\n', encoding="utf-8")
    host = load_plugins()
    for cache in (tmp_path / "cache", tmp_path / "cache"):  # filled, then read back
        result = scan(ScanRequest(paths=(tree,), root=tree, options=ParseOptions(jobs=1, cache_dir=cache)), host)
        assert not [e for e in result.errors if "crashed" in e], result.errors
    uncached = scan(ScanRequest(paths=(tree,), root=tree, options=ParseOptions(jobs=1)), host)
    assert [f.code for f in result.findings] == [f.code for f in uncached.findings]
    assert any(f.code == "COST001" for f in result.findings)  # the budgets of 1 are exceeded: the rule ran
