"""Responsibility domains: every built-in rule family belongs to one of the article's five domains."""

from __future__ import annotations

from iacgov.engine import collect_rules
from iacgov.plugins import load_plugins
from iacgov.report.domains import DOMAINS, FAMILIES, OTHER, domain_of_change, domain_of_family


def test_the_five_domains_of_the_raci_matrix():
    assert [d.key for d in DOMAINS] == ["architecture", "security", "access", "cost", "continuity"]


def test_every_builtin_family_has_a_domain():
    families = {r.meta.family for r in collect_rules(load_plugins()) if type(r).__module__.startswith("iacgov_rules.")}
    assert families == set(FAMILIES)
    assert all(domain_of_family(f) is not OTHER for f in families)


def test_families_and_changes_land_where_the_article_puts_them():
    assert domain_of_family("LOC").key == domain_of_family("ENC").key == domain_of_family("LOG").key == "security"
    assert domain_of_family("ADM").key == "access"
    assert domain_of_family("BCK").key == "continuity"
    assert domain_of_family("COST").key == domain_of_family("TAG").key == "cost"
    assert domain_of_family("XACME") is OTHER
    assert domain_of_change("new_region").key == "architecture"
    assert domain_of_change("admin_access_change").key == "access"
    assert domain_of_change("stateful_delete").key == "continuity"
    classes = [c for d in DOMAINS for c in d.change_classes]
    assert len(classes) == len(set(classes)), "a change class belongs to one domain"


def test_every_change_class_of_the_review_has_a_domain():
    from iacgov.review.model import CHANGE_CLASSES

    assert {c for d in DOMAINS for c in d.change_classes} == set(CHANGE_CLASSES)
