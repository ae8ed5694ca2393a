"""Which declared application a resource belongs to (policy ``applications``)."""

from __future__ import annotations

from iacgov.api import Application, Policy, application_for, applications
from iacgov.model import Location, Resource, Unknown, is_unknown


def _resource(tags, path="envs/prod/main.tf"):
    return Resource("aws_db_instance.db", "aws_db_instance", "aws", "terraform", Location(path), tags=tags)


POLICY = Policy({"applications": {
    "billing": {"tier": "critical", "rpo_hours": 1, "match": {"tag": ["app=billing", "team=finance"]}},
    "intranet": {"match": {"paths": ["envs/*/intranet/**"]}},
    "web": {},
}, "cost": {"application_tag": "service"}}, "test")


def test_tag_conditions_any_of_them():
    assert application_for(_resource({"app": "billing"}), POLICY).name == "billing"
    assert application_for(_resource({"team": "finance"}), POLICY).name == "billing"
    assert application_for(_resource({"app": "other"}), POLICY) is None


def test_path_globs_and_the_default_match_on_the_application_tag():
    assert application_for(_resource({}, "envs/prod/intranet/db/main.tf"), POLICY).name == "intranet"
    assert application_for(_resource({"service": "web"}), POLICY).name == "web"


def test_unknown_tags_give_an_unknown_application_never_a_guess():
    assert is_unknown(application_for(_resource(Unknown("dynamic tags")), POLICY))
    assert is_unknown(application_for(_resource({"app": Unknown("var.app has no value")}), POLICY))


def test_declared_fields_and_order():
    apps = applications(POLICY)
    assert [a.name for a in apps] == ["billing", "intranet", "web"]
    assert apps[0] == Application("billing", tier="critical", rpo_hours=1,
                                  tags=(("app", "billing"), ("team", "finance")))
    assert applications(Policy({}, "x")) == ()
