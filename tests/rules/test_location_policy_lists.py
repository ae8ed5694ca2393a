"""region_policy reads each policy's lists once per policy and cloud (LOC001-3
ask it about every resource): the answers stay those of the policy and the
cloud asked about."""

from __future__ import annotations

from iacgov.api import Policy
from iacgov.model import Location, Resource
from iacgov_rules._location import region_policy


def _resource(cloud: str, **tags) -> Resource:
    return Resource(f"{cloud}_thing.x", f"{cloud}_thing", cloud, "terraform", Location("main.tf"), tags=tags)


def test_each_policy_and_cloud_has_its_own_lists():
    a = Policy({"data_location": {"allowed_regions": {"aws": ["eu-west-3"], "gcp": ["europe-west9"]},
                                  "data_classes": {"Secret": {"aws": ["eu-west-1"]}}}}, "a.yaml")
    b = Policy({"data_location": {"allowed_regions": {"aws": ["us-east-1"]}, "data_class_tag": "tier"}}, "b.yaml")
    aws, gcp = _resource("aws", data_class="secret"), _resource("gcp", data_class="secret")
    for _ in range(2):  # the second time from what the first read
        assert region_policy(aws, a).general == ("eu-west-3",)
        assert (region_policy(aws, a).data_class, region_policy(aws, a).class_regions) == ("secret", ("eu-west-1",))
        assert region_policy(gcp, a).general == ("europe-west9",)
        assert region_policy(gcp, a).class_regions is None  # no list of the class for gcp
        assert (region_policy(aws, b).general, region_policy(aws, b).tag) == (("us-east-1",), "tier")
        assert region_policy(gcp, b).general is None
        assert region_policy(aws, b).class_regions is None
