"""Entries of the evaluation cache are unpickled with Python's cyclic collector paused
(iacgov.evalcache.unwatched_loads): the value read is the value stored, a damaged entry is still a
miss, and the collector is left as it was found."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from iacgov.evalcache import Analysis, AnalysisCache
from iacgov.model import Location, ParseResult, Resource


def _analysis() -> Analysis:
    resources = tuple(
        Resource(address=f"aws_s3_bucket.b{i}", type="aws_s3_bucket", cloud="aws", source_format="terraform",
                 location=Location("envs/a/main.tf", 10 * i + 1), attributes={"bucket": f"b{i}"},
                 attribute_locations={"bucket": Location("envs/a/main.tf", 10 * i + 2)}, tags={"env": "prod"},
                 meta={"root_module": "envs/a"})
        for i in range(50))
    return Analysis(ParseResult(resources, (), ("envs/a/main.tf",)), ("envs/a",))


@pytest.fixture
def collector_restored():
    enabled = gc.isenabled()
    yield
    gc.enable() if enabled else gc.disable()


@pytest.mark.parametrize("collecting", [True, False])
def test_a_hit_is_the_stored_analysis_and_the_collector_is_left_as_found(tmp_path: Path, collector_restored,
                                                                        collecting: bool):
    cache = AnalysisCache(tmp_path / "cache", tmp_path / "scan")
    stored = _analysis()
    assert cache.put("k1", stored) is not None
    gc.enable() if collecting else gc.disable()
    frozen = gc.get_freeze_count()
    read = AnalysisCache(tmp_path / "cache", tmp_path / "scan").get("k1")
    assert read is not None and repr(read) == repr(stored)  # resources compare by identity: by value here
    assert gc.isenabled() is collecting
    # what a scan keeps to its end is out of the collector's sight (only when it was on: a worker's is off)
    assert (gc.get_freeze_count() > frozen) is collecting


def test_a_damaged_entry_is_still_a_miss_and_the_collector_stays_on(tmp_path: Path, collector_restored):
    cache = AnalysisCache(tmp_path / "cache", tmp_path / "scan")
    cache.put("k1", _analysis())
    (entry,) = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and "terraform-analysis" in p.parts]
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2])
    gc.enable()
    assert cache.get("k1") is None
    assert gc.isenabled()
