"""The responsibility domains of the governance committee, and which rule
families and change classes belong to each.

The five domains and their roles are the RACI matrix of the article this
product comes from (``seed/infogerance-cloud-cto.txt``, "Définir des
responsabilités partagées avec le prestataire"): in every domain the company,
through its CTO, is the one who approves; the provider is responsible for
the work; the cloud provider supplies the platform. The mapping of families
and change classes to domains is kept here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    code: str
    title: str
    domain: str  # a Domain.key


@dataclass(frozen=True)
class Domain:
    key: str
    title: str
    company: str  # the company's / CTO's role (the accountable one)
    provider: str  # the managed-services provider's role
    cloud: str  # the cloud provider's role
    # change classes of the provider pull-request review that belong here
    change_classes: tuple[str, ...] = ()


FAMILIES: dict[str, Family] = {f.code: f for f in (
    Family("LOC", "Data location", "security"),
    Family("ENC", "Encryption", "security"),
    Family("LOG", "Traceability", "security"),
    Family("COV", "Analysis coverage", "security"),
    Family("ADM", "Admin-access retention", "access"),
    Family("COST", "Cost thresholds", "cost"),
    Family("TAG", "Cost-allocation tags", "cost"),
    Family("BCK", "Continuity", "continuity"),
)}

DOMAINS: tuple[Domain, ...] = (
    Domain("architecture", "Cloud infrastructure architecture",
           company="Approves", provider="Responsible for the detailed design",
           cloud="Consulted (good practice, technical limits)",
           change_classes=("new_cloud_provider", "new_region", "new_service", "storage_class_change")),
    Domain("security", "Data security and regulatory compliance",
           company="Responsible and approves", provider="Responsible for implementing the security measures",
           cloud="Responsible for the platform's controls",
           # unanalysed_change: what iacgov could not read is a blind spot of the controls themselves
           change_classes=("security_downgrade", "policy_change", "suppression_added", "pipeline_change",
                           "unanalysed_change")),
    Domain("access", "Access and identity management",
           company="Approves the policies", provider="Responsible for implementation and support",
           cloud="Supplies the building blocks",
           change_classes=("admin_access_change",)),
    Domain("cost", "Cost management and optimisation",
           company="Responsible for budget arbitration", provider="Responsible for optimisation recommendations",
           cloud="Supplies the tracking tools",
           change_classes=("cost_over_envelope", "resize_within_envelope")),
    Domain("continuity", "Business continuity and disaster recovery",
           company="Approves the objectives (RPO, RTO)", provider="Responsible for operational implementation",
           cloud="Responsible for the platform's resilience",
           change_classes=("stateful_delete",)),
)

# Findings of families no domain claims (a third-party pack's X<ORG> codes).
OTHER = Domain("other", "Other rules (plugins)", company="Approves", provider="Responsible", cloud="—")

AUTHORITY_TITLES = {"provider": "Provider alone", "cto": "CTO", "strategic": "Strategic committee"}


def family_title(code: str) -> str:
    family = FAMILIES.get(code)
    return family.title if family else code


def domain_of_family(code: str) -> Domain:
    family = FAMILIES.get(code)
    if family is None:
        return OTHER
    return next(d for d in DOMAINS if d.key == family.domain)


def domain_of_change(change_class: str) -> Domain:
    return next((d for d in DOMAINS if change_class in d.change_classes), OTHER)
