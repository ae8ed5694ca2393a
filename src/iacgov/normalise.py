"""Normalise a resource's cloud, location and tags from what its format gives.

Platform knowledge only (which Terraform types are global, where each cloud
writes its location and tags), no policy. Shared by the Terraform HCL and
plan JSON parsers so both give the same answer for the same resource.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from iacgov.model import Unknown, is_unknown
from iacgov.platform import catalog
from iacgov.platform.knowledge import global_types, tag_attributes

# Terraform type prefix -> cloud, and the types with no region of their own
# (AWS global services, Google project-level types): the catalog's clouds.yaml.
CLOUD_PREFIXES = {prefix: cloud for cloud, spec in catalog().clouds.items() for prefix in spec["terraform_prefixes"]}
_AWS_GLOBAL = global_types("aws")
_GCP_GLOBAL = global_types("gcp")
_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")


def cloud_of_type(resource_type: str) -> str:
    """``aws_s3_bucket`` -> ``aws``; ``AWS::S3::Bucket`` -> ``aws``; ``random_id`` -> ``random``."""
    if "::" in resource_type:
        return resource_type.split("::", 1)[0].lower()
    prefix = resource_type.split("_", 1)[0]
    return CLOUD_PREFIXES.get(prefix, prefix)


def _lower(value: Any, cloud: str = "") -> str | Unknown | None:
    """Canonical location: lower case; Azure's display names (``France Central``)
    written as its API names (``francecentral``)."""
    if value is None:
        return None
    if is_unknown(value):
        return value
    if isinstance(value, str):
        value = value.strip().lower()
        if cloud == "azure":
            value = re.sub(r"\s+", "", value)
        return value or None
    return Unknown(f"location is not a string ({value!r})")


def zone_to_region(zone: str) -> str:
    """``europe-west9-a`` -> ``europe-west9``; anything else unchanged."""
    m = _ZONE.match(zone)
    return m.group(1) if m else zone


def terraform_region(
    resource_type: str,
    attributes: Mapping[str, Any],
    provider: Mapping[str, Any] | None,
    provider_name: str,
) -> str | Unknown | None:
    """Where a Terraform resource lives, from its own arguments or its provider's.

    ``provider`` is the resolved configuration of the provider block the
    resource uses (None when there is no such block); ``provider_name`` names
    it for messages (``aws.us``).
    """
    cloud = cloud_of_type(resource_type)
    if cloud == "aws":
        if _AWS_GLOBAL.match(resource_type):
            return None
        own = attributes.get("region")  # AWS provider v6: per-resource region
        if own is not None:
            return _lower(own)
        if provider is None:
            return Unknown(f"no provider \"{provider_name}\" block sets a region")
        region = provider.get("region")
        if region is None:
            return Unknown(f"provider {provider_name} sets no region")
        return _lower(region)
    if cloud == "azure":
        return _lower(attributes.get("location"), "azure")
    if cloud == "gcp":
        entry = catalog().kinds.get(resource_type) or {}
        for key in ("region", "location"):
            value = attributes.get(key)
            if value is not None:
                value = _lower(value)
                if value == "global" and not _gcp_global_is_a_location(entry):
                    return None  # "global" names no region (GKE Hub, Network Connectivity): nothing to place
                # GKE and others accept a zone as their location.
                return zone_to_region(value) if isinstance(value, str) else value
        zone = attributes.get("zone")
        if isinstance(zone, str):
            return zone_to_region(zone.lower())
        if zone is not None:
            return _lower(zone)
        scope = entry.get("location")
        if scope == "global" and entry.get("global_location_checked"):
            return "global"  # a Pub/Sub topic: its data may be anywhere, unless restricted (data_regions)
        if scope in ("global", "inherited") or _GCP_GLOBAL.match(resource_type):
            return None
        if provider is None:
            return Unknown(f"no provider \"{provider_name}\" block sets a region")
        region = provider.get("region")
        if region is None and isinstance(provider.get("zone"), str):
            return zone_to_region(provider["zone"].lower())
        if region is None:
            return Unknown(f"provider {provider_name} sets no region")
        return _lower(region)
    if cloud in _PROVIDER_REGION_ONLY:
        # Alibaba Cloud and Oracle Cloud resources are created in their provider's region (no argument of
        # their own); their identities (RAM, OCI IAM: clouds.yaml global_terraform) have none.
        pattern = _PROVIDER_REGION_ONLY[cloud]
        if pattern is not None and pattern.match(resource_type):
            return None
        if provider is None:
            return Unknown(f"no provider \"{provider_name}\" block sets a region")
        region = provider.get("region")
        if region is None:
            return Unknown(f"provider {provider_name} sets no region")
        return _lower(region)
    return None


_PROVIDER_REGION_ONLY = {cloud: global_types(cloud) for cloud in ("alicloud", "oci")}


def _gcp_global_is_a_location(entry: Mapping[str, Any]) -> bool:
    """Whether ``global`` puts the kind's data (or key material) in any region,
    to be checked like a region, rather than naming no region at all."""
    return bool(entry.get("holds_data") or entry.get("global_location_checked"))


# Where a resource's own tags / labels are written, when not in ``tags`` (AWS,
# Azure) or ``labels`` (Google): dotted paths into its attributes.
_OWN_TAGS = {kind: tf for kind, (tf, _cfn) in tag_attributes().items() if tf not in (None, "tags", "labels")}


def terraform_tags(
    resource_type: str, attributes: Mapping[str, Any], provider: Mapping[str, Any] | None
) -> Mapping[str, Any] | Unknown:
    """The tags / labels a resource ends up with: the provider's defaults
    (AWS ``default_tags``, Google ``default_labels``) overridden by its own."""
    cloud = cloud_of_type(resource_type)
    path = _OWN_TAGS.get(resource_type, "labels" if cloud == "gcp" else "tags")
    own: Any = attributes
    for part in path.split("."):
        if isinstance(own, Mapping):
            own = own.get(part)
        elif isinstance(own, list) and part.isdigit() and int(part) < len(own):
            own = own[int(part)]
        else:
            own = None
    if is_unknown(own):
        return own
    merged: dict[str, Any] = {}
    defaults = _provider_default_tags(cloud, provider)
    if cloud == "aws":
        defaults = _overridden_default_tags(attributes, defaults)
    if is_unknown(defaults):
        return defaults
    merged.update(defaults)
    if isinstance(own, Mapping):
        merged.update(own)
    return merged


def _provider_default_tags(cloud: str, provider: Mapping[str, Any] | None) -> Mapping[str, Any] | Unknown:
    if not provider:
        return {}
    if cloud == "aws":
        block = provider.get("default_tags")
        if isinstance(block, list):  # a block: a list of one mapping
            block = block[0] if block else None
        defaults = block.get("tags") if isinstance(block, Mapping) else None
    elif cloud == "gcp":
        defaults = provider.get("default_labels")
    else:
        return {}
    if is_unknown(defaults):
        return defaults
    return defaults if isinstance(defaults, Mapping) else {}


def _first_block(value: Any) -> Any:
    return (value[0] if value else None) if isinstance(value, list) else value


def _overridden_default_tags(attributes: Mapping[str, Any], defaults: Any) -> Any:
    """A resource's ``override_provider { default_tags { tags = ... } }`` replaces the
    provider's default tags for it (``tags = {}`` or no ``tags``: none), as the AWS
    provider documents for the resources that take the block (``aws_s3_object``)."""
    override = _first_block(attributes.get("override_provider"))
    if is_unknown(override) or not isinstance(override, Mapping) or "default_tags" not in override:
        return override if is_unknown(override) else defaults
    block = _first_block(override.get("default_tags"))
    if is_unknown(block):
        return block
    tags = block.get("tags") if isinstance(block, Mapping) else None
    if is_unknown(tags):
        return tags
    return tags if isinstance(tags, Mapping) else {}


_CFN_GLOBAL = global_types("aws", "cloudformation")


def cloudformation_region(resource_type: str, deploy_region: str | None) -> str | Unknown | None:
    """A CloudFormation stack's resources live in the region it is deployed to."""
    if not resource_type.startswith("AWS::") or _CFN_GLOBAL.match(resource_type):
        return None
    if deploy_region:
        return deploy_region.strip().lower()
    return Unknown("the deployment region of the template is not known (pass --region, or set region in a "
                   "samconfig.toml beside it)", ref="AWS::Region")


def cloudformation_tags(properties: Mapping[str, Any]) -> Mapping[str, Any] | Unknown:
    """CloudFormation writes tags as ``[{Key, Value}]`` on most types and as a
    mapping on a few (SSM, Glue...)."""
    tags = properties.get("Tags")
    if tags is None:
        return {}
    if is_unknown(tags):
        return tags
    if isinstance(tags, Mapping):
        return dict(tags)
    out: dict[str, Any] = {}
    if isinstance(tags, list):
        for item in tags:
            if isinstance(item, Mapping) and isinstance(item.get("Key"), str):
                out[item["Key"]] = item.get("Value")
            else:
                return Unknown("tags are built dynamically")
    return out
