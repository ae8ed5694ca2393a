"""What a database's code achieves for recovery: its recovery point (RPO)
from the backup mechanisms written, and its recovery time class (RTO) from
the redundancy written — read with the facts of
``iacgov/data/platform/continuity.yaml`` and the catalog's ``database``
settings (:func:`iacgov.platform.knowledge.database_table`).

Both answers carry their reasoning (which mechanism, which setting, which
source) so that a rule or a report can show it. A value that cannot be known
makes the answer Unknown: never a violation, never compliance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from iacgov.plugins import resources  # importlib.resources.files, without importing it
from typing import Any

from iacgov.model import Resource, Unknown, is_unknown
from iacgov.platform.knowledge import Database, database_table, per_replica_types
from iacgov.platform.values import Setting, flag, number, text, written

FACTS = "continuity.yaml"


@lru_cache(maxsize=1)
def facts() -> Mapping[str, Any]:
    """The continuity facts, validated against their schema once."""
    # Imported here: a scan whose policy names no application never reads the
    # facts, and must not pay for YAML or JSON Schema at start-up (tests/test_startup.py).
    import jsonschema
    import yaml

    folder = resources.files("iacgov") / "data" / "platform"
    data = yaml.safe_load((folder / FACTS).read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((folder / "continuity.schema.json").read_text(encoding="utf-8")))
    return data


@dataclass(frozen=True)
class Mechanism:
    """One way the data can be recovered, with the recovery point it gives."""

    name: str
    rpo_hours: float
    detail: str  # what the code writes that gives it
    basis: str
    source: str
    planning: bool = False  # the hours are iacgov's planning value, not the provider's figure
    other_region: bool = False  # the copy is in another region than the database


@dataclass(frozen=True)
class RecoveryPoint:
    """The best recovery point the mechanisms give (``hours`` None: no backup at all)."""

    hours: float | None
    mechanisms: tuple[Mechanism, ...]
    missing: str = ""  # why there is no backup, when there is none

    @property
    def best(self) -> Mechanism | None:
        return min(self.mechanisms, key=lambda m: m.rpo_hours) if self.mechanisms else None

    @property
    def other_region(self) -> bool:
        return any(m.other_region for m in self.mechanisms)


@dataclass(frozen=True)
class RecoveryTime:
    """The recovery time class: ``failover``, ``replica_promotion``, ``restore`` or ``none``."""

    klass: str
    hours: float | None  # None: nothing to recover from
    label: str
    reason: str
    source: str = ""
    planning: bool = False


def hours_text(hours: float) -> str:
    """``0.0833`` -> ``5 minutes``, ``8`` -> ``8 hours``."""
    minutes = round(hours * 60)
    if minutes < 1:
        return "seconds"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    value = hours if hours != int(hours) else int(hours)
    return f"{value:g} hour{'s' if value != 1 else ''}"


def judged(resource: Resource) -> bool:
    """Whether the resource's own recovery is judged: a managed database of a
    known kind, not a read replica or cluster member (its source's recovery)."""
    spec = facts()["kinds"].get(resource.kind)
    db = database_table().get(resource.kind)
    if resource.mode != "managed" or spec is None or db is None or resource.type in per_replica_types():
        return False
    return not any(s.read(resource)[0] is not None for s in db.replica_of) and not _is_replica(resource, spec)


def _is_replica(resource: Resource, spec: Mapping[str, Any]) -> bool:
    replicas = spec.get("replicas")
    if replicas is None or resource.kind not in replicas["kinds"]:
        return False
    return Setting.of(replicas["link"]).read(resource)[0] is not None


def _fact(spec: Mapping[str, Any], detail: str, other_region: bool = False) -> Mechanism:
    return Mechanism(spec["mechanism"], float(spec["rpo_hours"]), detail, spec["basis"], spec["source"],
                     bool(spec.get("planning")), other_region)


def _regions_differ(a: Any, b: Any) -> bool | None:
    if isinstance(a, str) and isinstance(b, str):
        return a != b
    return None


def recovery_point(resource: Resource, index: Any) -> RecoveryPoint | Unknown:
    """The recovery point ``resource``'s code achieves (call :func:`judged` first)."""
    spec = facts()["kinds"][resource.kind]
    db = database_table()[resource.kind]
    found: list[Mechanism] = []
    own = _own_backups(resource, db, spec)
    if is_unknown(own):
        return own
    missing = ""
    if isinstance(own, Mechanism):
        found.append(own)
    else:
        missing = own
    if "continuous" in spec and found:
        for setting in (Setting.of(s) for s in spec["continuous"]["settings"]):
            state = flag(setting.read(resource)[0])
            if is_unknown(state):
                return state
            if state is True:
                found.append(_fact(spec["continuous"], f"{setting.name(resource)} = true"))
    geo = spec.get("geo_backups")
    if geo is not None:
        setting = Setting.of(geo["setting"])
        state = flag(setting.read(resource)[0])
        if is_unknown(state):
            return state
        if state is True:
            found.append(_fact(geo, f"{setting.name(resource)} = true", other_region=True))
    regional = spec.get("region_replicas")
    if regional is not None:
        value, path = Setting.of(regional["setting"]).read(resource)
        if is_unknown(value):
            return value
        region_setting = Setting.of(regional["region"])
        for item in value if isinstance(value, list) else ():
            region = item.get(region_setting.path(resource) or "") if isinstance(item, Mapping) else None
            if isinstance(region, str) and region != resource.region:
                found.append(_fact(regional, f"{path} in {region}", other_region=True))
    replication = spec.get("backup_replication")
    if replication is not None:
        copies, _ = index.referring(resource, [replication["kind"]], Setting.of(replication["link"]),
                                    names=tuple(replication.get("names", ())))
        for copy, _path in copies:
            region = copy.region if isinstance(copy.region, str) else "another region"
            found.append(_fact(replication, f"{copy.address} copies them to {region}", other_region=True))
    for replica, region in _replicas(resource, spec, index):
        differ = _regions_differ(region, resource.region)
        if differ:
            found.append(Mechanism("cross-region read replica", 0.0833, f"{replica.address} in {region}",
                                   "a read replica receives changes asynchronously, usually within seconds to "
                                   "minutes; iacgov counts 5 minutes", spec["replicas"]["source"], True, True))
    if not found:
        return RecoveryPoint(None, (), missing or "no backup mechanism is written")
    return RecoveryPoint(min(m.rpo_hours for m in found), tuple(found))


def _own_backups(resource: Resource, db: Database, spec: Mapping[str, Any]) -> Mechanism | str | Unknown:
    """The database's automated backups, or why there are none (a string)."""
    backups = spec["backups"]
    switched = ""
    if db.backup_switch is not None:
        value, _ = db.backup_switch.read(resource)
        state = flag(value)
        if is_unknown(state):
            return state
        name = db.backup_switch.name(resource)
        if state is not True:
            return f"{name} = false" if state is False else f"{name} is not set (default false)"
        if db.backup is None or resource.kind == "aws_dynamodb_table":
            return _fact(backups, f"{name} = true")
        switched = f"{name} = true, "
    if db.backup is None:
        return _fact(backups, "always on")
    value, _ = db.backup.read(resource)
    kept = number(value)
    if is_unknown(kept):
        return kept
    name = db.backup.name(resource)
    if kept is None:
        kept, detail = db.backup_default, f"{name} not set (default {db.backup_default})"
    else:
        detail = f"{name} = {kept:g}"
    if not kept:
        return f"automated backups are off ({detail})"
    return _fact(backups, switched + detail)


def _replicas(resource: Resource, spec: Mapping[str, Any], index: Any) -> list[tuple[Resource, Any]]:
    replicas = spec.get("replicas")
    if replicas is None:
        return []
    found, _ = index.referring(resource, replicas["kinds"], Setting.of(replicas["link"]),
                               names=tuple(replicas.get("names", ())))
    return [(r, r.region) for r, _path in found]


def _member_count(resource: Resource, db: Database, index: Any) -> int | Unknown | None:
    if db.member_link is None:
        return None
    members, undecided = index.referring(resource, db.members, db.member_link,
                                         names=("cluster_identifier", "DBClusterIdentifier"))
    total = 0
    for member, _ in members:
        if is_unknown(member.count):
            return member.count
        total += int(member.count)
    if undecided and total < 2:
        return Unknown("instances may be declared elsewhere")
    return total if members else None


def _rto(klass: str, reason: str) -> RecoveryTime:
    spec = facts()["rto_classes"][klass]
    return RecoveryTime(klass, float(spec["hours"]), spec["label"], reason, spec["source"], bool(spec.get("planning")))


def recovery_time(resource: Resource, index: Any, point: RecoveryPoint | None = None) -> RecoveryTime | Unknown:
    """The recovery time class ``resource``'s code achieves against the loss of
    its primary (instance or zone): the best path available."""
    spec = facts()["kinds"][resource.kind]
    db = database_table()[resource.kind]
    redundant = _redundancy(resource, db, spec, index)
    if is_unknown(redundant):
        return redundant
    if isinstance(redundant, str):
        return _rto("failover", redundant)
    replicas = _replicas(resource, spec, index)
    if replicas:
        names = ", ".join(r.address for r, _ in replicas)
        return _rto("replica_promotion", f"not redundant across zones ({redundant[1]}), but has read replica {names}")
    if point is None:
        point = recovery_point(resource, index)
    if is_unknown(point):
        return point
    if point.hours is None:
        return RecoveryTime("none", None, "nothing to recover from",
                            f"not redundant ({redundant[1]}) and no backup ({point.missing}): the data cannot be "
                            "recovered")
    return _rto("restore", f"not redundant across zones ({redundant[1]}) and no replica: a restore from "
                           f"{point.best.name}")


def _redundancy(resource: Resource, db: Database, spec: Mapping[str, Any], index: Any) -> str | tuple[bool, str] | Unknown:
    """A string saying why it survives a zone loss, or ``(False, why not)``."""
    by_design = spec.get("redundant_by_design")
    if by_design is not None:
        return by_design["label"]
    if db.members:
        mode = text(Setting("engine_mode", "EngineMode").read(resource)[0])
        if is_unknown(mode):
            return mode
        if isinstance(mode, str) and mode.lower() == "serverless":
            return "Aurora Serverless v1 spreads over zones by design"
        if Setting("db_cluster_instance_class", "DBClusterInstanceClass").read(resource)[0] is not None:
            return "a Multi-AZ DB cluster keeps standbys in other zones"
        count = _member_count(resource, db, index)
        if is_unknown(count):
            return count
        if count is not None and count >= 2:
            return f"{count} cluster instances: a replica takes over"
        return False, f"{count or 'no'} instance{'s' if count != 1 else ''} in the scan"
    setting = Setting.of(spec["redundancy"]["setting"]) if "redundancy" in spec else db.redundancy
    if setting is None or not setting.applies(resource):
        return False, "no redundancy setting"
    value, _ = setting.read(resource)
    name = setting.name(resource)
    if setting is db.redundancy and not isinstance(db.redundancy_default, bool):
        current = text(value)
        if is_unknown(current):
            return current
        if current in db.redundant_values:
            return f"{name} = \"{current}\""
        if current is not None:
            return False, f"{name} = \"{current}\""
        default = str(db.redundancy_default)
        return False, default if default.startswith("no ") else f"{name} is not set (default {default})"
    state = flag(value)
    if is_unknown(state):
        return state
    if state is True:
        return f"{name} = true"
    return False, f"{name} = false" if state is False else f"{name} is not set (default false)"


__all__ = ["Mechanism", "RecoveryPoint", "RecoveryTime", "facts", "hours_text", "judged", "recovery_point",
           "recovery_time", "written"]
