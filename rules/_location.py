"""Where a location string points to, per cloud: shared by the LOC rules."""

from __future__ import annotations

import fnmatch
import re
import weakref
from dataclasses import dataclass
from collections.abc import Mapping  # not typing.Mapping: isinstance() on it is several times slower
from typing import Any, Iterable, Iterator, Sequence

from iacgov.api import ReferenceIndex, Resource, Unknown, is_unknown

from iacgov.api import iam as _iam
from iacgov.api import platform

# GCP multi-regions and predefined dual-regions, as the regions they span.
# Multi-regions have no published list of regions, so only an allow-list that
# names them explicitly accepts them.
# (catalog clouds.yaml: gcp dual_regions, multi_regions)
GCP_DUAL_REGIONS = platform.gcp_dual_regions()
GCP_MULTI_REGIONS = platform.gcp_multi_regions()
_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")

# Which attribute a resource's own location is written in, per cloud.
LOCATION_ATTRIBUTES = platform.location_attributes()  # catalog clouds.yaml: location_attributes


def canonical(cloud: str, location: str) -> str:
    """Case- and spelling-insensitive form: Azure accepts ``France Central``."""
    location = location.strip().lower()
    if cloud == "azure":
        location = re.sub(r"\s+", "", location)
    if cloud == "gcp":
        m = _GCP_ZONE.match(location)
        if m:
            location = m.group(1)
    return location


def spanned_regions(cloud: str, location: str) -> tuple[str, ...]:
    """The regions a location stands for (a GCP dual-region spans two)."""
    location = canonical(cloud, location)
    if cloud == "gcp" and location in GCP_DUAL_REGIONS:
        return GCP_DUAL_REGIONS[location]
    return (location,)


def is_allowed(cloud: str, location: str, allowed: Iterable[str]) -> bool:
    """Allowed if the location is listed, or every region it spans is.

    Entries may be glob patterns (``eu-*``).
    """
    patterns = [canonical(cloud, a) for a in allowed]
    location = canonical(cloud, location)

    def listed(name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) for p in patterns)

    if listed(location):
        return True
    if cloud == "gcp" and location in GCP_MULTI_REGIONS:
        return False
    return all(listed(r) for r in spanned_regions(cloud, location))


def describe(cloud: str, location: str) -> str:
    """A location for messages: a GCP multi- or dual-region says so and what it spans."""
    name = canonical(cloud, location)
    if cloud == "gcp" and name in GCP_MULTI_REGIONS:
        return f"the {name.upper()} multi-region"
    if cloud == "gcp" and name in GCP_DUAL_REGIONS:
        return f"the {name.upper()} dual-region ({' + '.join(GCP_DUAL_REGIONS[name])})"
    if cloud == "gcp" and name == "global":
        return "the global location (its data may be stored in any region)"
    return location


def is_global_location(cloud: str, location: object) -> bool:
    """A location value that names no region (Azure's ``global``: Front Door,
    DNS zones, diagnostic settings): the catalog's clouds.yaml global_locations."""
    return isinstance(location, str) and canonical(cloud, location) in platform.global_locations(cloud)


def data_regions(resource: Resource) -> tuple[str, tuple[str, ...]] | None:
    """For a kind whose data may be restricted to a list of regions (the
    catalog's ``data_regions``: a Pub/Sub topic's message storage policy),
    the setting's name and the regions written in it; None when not written
    (or not a list of known regions)."""
    found = platform.entry(resource.kind)
    spec = found.get("data_regions") if found is not None else None
    if spec is None or resource.source_format == "cloudformation":
        return None
    path = spec["terraform"]
    if "*" in path:  # one region per block (Secret Manager replicas)
        value = [v for _p, v in platform.walk(resource.attributes, path.split("."), skip_null=True)]
    else:
        value = resource.get(path)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    return re.sub(r"\.(?:\d+|\*)(?=\.|$)", "", path), tuple(v.strip().lower() for v in value)


def location_attribute(resource: Resource) -> str | None:
    """The attribute the resource's location is written in, if it writes one with a
    value (``region = var.region`` left null takes the provider's: not its own)."""
    for name in LOCATION_ATTRIBUTES.get(resource.cloud, ()):
        if resource.source_format != "cloudformation" and resource.attributes.get(name) is not None:
            return name
    return None


def region_origin(resource: Resource) -> str:
    """Where a resource's region comes from, for messages."""
    attribute = location_attribute(resource)
    if attribute:
        return f"its {attribute}"
    found = platform.entry(resource.kind) if resource.region == "global" else None
    if found is not None and "data_regions" in found:  # global unless restricted: say what restricts it
        setting = re.sub(r'[.](?:[0-9]+|[*])(?=[.]|$)', '', found['data_regions']['terraform'])
        return f"its kind: no location of its own, and {setting} is not set"
    if resource.source_format == "cloudformation":
        source = resource.meta.get("region_source")  # the SAM CLI configuration file's line it was read from
        return "the template's deployment region" + (f", {source}" if source else "")
    return f"provider {resource.provider or resource.cloud}"


# --------------------------------------------------------------------------
# What the policy allows for one resource: the cloud's list, narrowed by the
# resource's data class.
# --------------------------------------------------------------------------

DEFAULT_DATA_CLASS_TAG = "data_class"
CLOUD_NAMES = platform.CLOUD_NAMES


@dataclass(frozen=True)
class RegionPolicy:
    """The allow-lists that apply to one resource. A location is allowed when
    every list allows it: ``data_location.allowed_regions.<cloud>`` and, for a
    resource tagged with a data class that has its own list, that list.

    ``unknown_class`` is set when the resource's data class cannot be read
    (tags built dynamically) while some data class would narrow the list: it
    holds those classes, and ``class_reason`` why the tag is not known."""

    cloud: str
    general: tuple[str, ...] | None
    data_class: str | None = None
    class_regions: tuple[str, ...] | None = None
    tag: str = DEFAULT_DATA_CLASS_TAG
    unknown_class: tuple[str, ...] = ()
    class_reason: str | None = None

    @property
    def restricted(self) -> bool:
        return self.general is not None or self.class_regions is not None

    def rejection(self, location: str) -> str | None:
        """Why ``location`` is not allowed (the list it is outside of), or None."""
        if self.general is not None and not is_allowed(self.cloud, location, self.general):
            return f"outside the allowed {CLOUD_NAMES.get(self.cloud, self.cloud)} regions: {', '.join(self.general) or 'none'}"
        if self.class_regions is not None and not is_allowed(self.cloud, location, self.class_regions):
            return (f"outside the regions allowed for data class {self.data_class} "
                    f"(tag {self.tag}): {', '.join(self.class_regions) or 'none'}")
        return None

    def allowed_text(self) -> str:
        parts = []
        if self.general is not None:
            parts.append(", ".join(self.general) or "none")
        if self.class_regions is not None:
            parts.append(f"for data class {self.data_class}: {', '.join(self.class_regions) or 'none'}")
        return "; ".join(parts)


def _data_classes(policy: Any) -> dict[str, Any]:
    classes = policy.get("data_location.data_classes") or {}
    return {str(k).strip().lower(): v for k, v in classes.items()} if isinstance(classes, Mapping) else {}


def _cloud_lists(policy: Any, cloud: str) -> tuple[tuple[str, ...] | None, str, dict[str, Any]]:
    """What the policy allows in ``cloud``: its general list, the data class tag, the list of each data class."""
    general = policy.get(f"data_location.allowed_regions.{cloud}")
    general = tuple(general) if general is not None else None
    tag = policy.get("data_location.data_class_tag") or DEFAULT_DATA_CLASS_TAG
    classes = {name: spec.get(cloud) for name, spec in _data_classes(policy).items()
               if isinstance(spec, Mapping) and spec.get(cloud) is not None}
    return general, tag, classes


# _cloud_lists per policy object (read-only) and cloud: LOC001, LOC002 and LOC003
# each ask region_policy about every resource, and reading the policy was most of it.
_LISTS: "weakref.WeakKeyDictionary[Any, dict[str, tuple]]" = weakref.WeakKeyDictionary()
_LAST: list[Any] = [None, None]  # the last policy looked up in _LISTS, and its entry


def _lists_of(policy: Any, cloud: str) -> tuple[tuple[str, ...] | None, str, dict[str, Any], RegionPolicy | None]:
    """:func:`_cloud_lists`, and the one RegionPolicy of every resource of ``cloud`` when no data class has
    a list of its own there (frozen: shared, not made again for each of 100,000 resources)."""
    if _LAST[0] is policy:  # the policy every resource of a scan asks about, without a WeakKeyDictionary call
        per_cloud = _LAST[1]
    else:
        try:
            per_cloud = _LISTS.setdefault(policy, {})
        except TypeError:  # a policy that cannot be weakly referenced (a plain mapping): read each time
            per_cloud = {}
        else:
            _LAST[:] = [policy, per_cloud]
    found = per_cloud.get(cloud)
    if found is None:
        general, tag, classes = _cloud_lists(policy, cloud)
        found = per_cloud[cloud] = (general, tag, classes, None if classes else RegionPolicy(cloud, general, tag=tag))
    return found


def region_policy(resource: Resource, policy: Any, inherit_from: Resource | None = None) -> RegionPolicy:
    """The lists that apply to ``resource`` (``inherit_from``: the resource
    whose data it copies, whose data class applies when it has none of its own)."""
    cloud = resource.cloud
    general, tag, classes, every = _lists_of(policy, cloud)
    if every is not None:
        return every
    value, reason = _class_tag(resource, tag)
    if value is None and reason is None and inherit_from is not None:
        value, reason = _class_tag(inherit_from, tag)
    if reason is not None:
        return RegionPolicy(cloud, general, tag=tag, unknown_class=tuple(sorted(classes)), class_reason=reason)
    if value is None:
        return RegionPolicy(cloud, general, tag=tag)
    regions = classes.get(value.strip().lower())
    return RegionPolicy(cloud, general, data_class=value, tag=tag,
                        class_regions=tuple(regions) if regions is not None else None)


def _class_tag(resource: Resource, tag: str) -> tuple[str | None, str | None]:
    """The data class tag's value, or why it cannot be known."""
    tags = resource.tags
    if is_unknown(tags):
        return None, f"its tags are not known ({tags.reason})"
    if not isinstance(tags, Mapping):
        return None, None
    value = tags.get(tag)
    if is_unknown(value):
        return None, f"tag {tag} is not known ({value.reason})"
    return (value, None) if isinstance(value, str) and value.strip() else (None, None)


# --------------------------------------------------------------------------
# Copies of data to other regions: shared by LOC002 (known destinations),
# LOC003 (destinations that cannot be determined) and LOC001 (which leaves
# resources that are themselves copies to LOC002).
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Copy:
    """A copy of the resource's data: ``what`` it is, the ``attribute`` that
    sets it, the destination ``region`` (lower-case, or Unknown) and, when the
    destination is another resource or an ARN, ``target`` for messages."""

    what: str
    attribute: str
    region: str | Unknown
    target: str | None = None


# Resources that *are* a copy of another resource's data, living in their
# own region: type -> (attribute naming the source, what they are).
COPY_RESOURCES = platform.copy_resources()  # the catalog's copy_of entries


def copy_source(resource: Resource) -> tuple[str, Any, str] | None:
    """For a resource that is a copy: (attribute, source value, what it is)."""
    spec = COPY_RESOURCES.get(resource.type)
    if spec is None:
        return None
    attribute, what = spec
    value = resource.attributes.get(attribute)
    if value is None or value == "":
        return None
    return attribute, value, what


def _items(value: Any) -> list:
    return value if isinstance(value, list) else []


def _region_value(resource: Resource, value: Any) -> str | Unknown:
    """A region written as a value: a string, or a reference to the
    resource's own region (``data.aws_region.current.name``, ``AWS::Region``)."""
    if isinstance(value, str) and value.strip() and not _iam.is_partly_unknown(value):
        return value.strip().lower()
    if is_unknown(value) and _iam.is_self_region_ref(value.ref):
        return resource.region if resource.region is not None else Unknown("the resource has no region")
    if is_unknown(value):
        return value
    return Unknown(f"the region is not a string ({value!r})")


def _bucket_named(name: str, scan: ReferenceIndex) -> Resource | None:
    """The one bucket of the scan named ``name``. A name with unknown parts
    (``replica-<unknown:random_pet.this.id>``) matches a bucket whose name is
    built from the same template."""
    found = _buckets_by_name(scan).get(name, ())
    return found[0] if len(found) == 1 else None


def _buckets_by_name(scan: ReferenceIndex) -> dict[str, list[Resource]]:
    """The managed S3 buckets of the scan by name text, built once per scan."""

    def build(index: ReferenceIndex) -> dict[str, list[Resource]]:
        by_name: dict[str, list[Resource]] = {}
        for other in index.of_kind("aws_s3_bucket"):
            if other.mode == "managed":
                own = other.attributes.get("BucketName" if other.source_format == "cloudformation" else "bucket")
                text = _iam.text_of(own)
                if text is not None:
                    by_name.setdefault(text, []).append(other)
        return by_name

    return scan.memo("location.buckets_by_name", build)


def _arn_region(resource: Resource, value: Any, scan: ReferenceIndex) -> tuple[str | Unknown, str | None]:
    """The region of the resource an ARN designates, and how to name it: the
    ARN's own region when written, else the resource of the scan it refers
    to (``aws_s3_bucket.replica.arn``, ``Replica.Arn``), else, for an S3
    bucket ARN (which has no region), the bucket of the scan with that name."""
    arn = _iam.parse_arn(value)
    text = _iam.display(value)
    if arn is not None and arn.region == _iam.SELF:
        region = resource.region if resource.region is not None else Unknown("the resource has no region")
        return region, text
    if arn is not None and arn.region:
        return arn.region.lower(), text
    for target, _attribute in _iam.referenced(resource, value, scan):
        if target.mode == "managed" and target.region is not None:
            return target.region, target.address
    if arn is None:
        if is_unknown(value):
            return Unknown(f"the destination is not known ({value.reason})"), None
        return Unknown(f"the destination {text!r} is not an ARN"), text
    if arn.service == "s3" and arn.resource:
        name = arn.resource.split("/")[0]
        bucket = _bucket_named(name, scan)
        if bucket is not None and bucket.region is not None:
            return bucket.region, bucket.address
        if not _iam.is_partly_unknown(name):
            return Unknown(f"bucket {name} is not in the scanned code"), text
    return Unknown(f"the region of {text} is not known"), text


def copies(resource: Resource, scan: ReferenceIndex) -> list[Copy]:
    """The copies of ``resource``'s data that its own settings create, one per
    destination (several replication rules to one bucket are one copy, named
    by the first rule's setting)."""
    out: list[Copy] = []
    seen: set = set()
    for copy in _copies(resource, scan):
        key = (copy.what, copy.region if isinstance(copy.region, str) else copy.region.reason, copy.target)
        if key not in seen:
            seen.add(key)
            out.append(copy)
    return out


# Where each kind of resource names the destination of a copy of its data:
# type -> (what the copy is, dotted path with ``*`` for each list level,
# whether the value is a region or an ARN / bucket to resolve).
COPY_DESTINATIONS = platform.copy_destinations()  # the catalog's copies_to entries


def _copies(resource: Resource, scan: ReferenceIndex) -> list[Copy]:
    spec = COPY_DESTINATIONS.get(resource.type)
    if spec is None:
        return []
    what, pattern, kind = spec
    out: list[Copy] = []
    for attribute, value in platform.walk(resource.attributes, pattern.split("."), skip_null=True):
        if kind == "region":
            out.append(Copy(what, attribute, _region_value(resource, value)))
        else:
            region, target = _arn_region(resource, value, scan)
            out.append(Copy(what, attribute, region, target))
    return out


def replicated_bucket(resource: Resource, scan: ReferenceIndex) -> tuple[str, Resource | None] | None:
    """For an ``aws_s3_bucket_replication_configuration``: how to name the
    bucket whose data it copies, and that bucket when it is in the scan."""
    if resource.type != "aws_s3_bucket_replication_configuration":
        return None
    value = resource.attributes.get("bucket")
    for target, _attribute in _iam.referenced(resource, value, scan):
        if target.kind == "aws_s3_bucket":
            return target.address, target
    if isinstance(value, str):
        bucket = _bucket_named(value, scan)
        return (bucket.address, bucket) if bucket is not None else (value, None)
    return _iam.display(value), None


def copy_source_resource(resource: Resource, scan: ReferenceIndex) -> tuple[str, str, Resource | None] | None:
    """For a resource that is a copy: (attribute, how to name its source, the
    source resource when it is in the scan)."""
    found = copy_source(resource)
    if found is None:
        return None
    attribute, value, _what = found
    targets = _iam.referenced(resource, value, scan)
    if targets:
        return attribute, targets[0][0].address, targets[0][0]
    return attribute, _iam.display(value), None
