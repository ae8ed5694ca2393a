"""What a review decides: change classes, their default authorities, decisions.

A *change class* names a kind of decision the company keeps for itself
(DESIGN §4). Each maps to an authority — ``provider`` (the provider decides
alone), ``cto`` or ``strategic`` (the committee) — by default as below, or as
the base policy's ``decisions`` says. Each class is also a SARIF rule
(``CHG001``...), so a decision shows in code scanning on the head line it is
about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

PROVIDER, CTO, STRATEGIC = "provider", "cto", "strategic"
AUTHORITIES = (PROVIDER, CTO, STRATEGIC)


@dataclass(frozen=True)
class ChangeClass:
    name: str
    code: str  # SARIF rule id
    authority: str  # default
    title: str
    description: str


CHANGE_CLASSES: dict[str, ChangeClass] = {c.name: c for c in (
    ChangeClass("new_cloud_provider", "CHG001", STRATEGIC, "New cloud provider",
                "The change deploys to a cloud provider (AWS, Azure, Google Cloud or another hosting provider) that "
                "the base branch does not use: a new supplier, new contracts, new skills, new lock-in."),
    ChangeClass("new_region", "CHG002", CTO, "New region",
                "The change places a resource in a region that no resource of the base branch uses: data may live "
                "somewhere new (data residency, latency, cost)."),
    ChangeClass("new_service", "CHG003", CTO, "New cloud service",
                "The change uses a service (RDS, S3, Cloud SQL, Cosmos DB...) that no resource of the base branch "
                "uses: new costs, new operational knowledge, new lock-in."),
    ChangeClass("storage_class_change", "CHG004", CTO, "Storage class changed",
                "The change moves data to another storage class or tier (S3 transitions, EBS / RDS storage type, "
                "Cloud Storage class, Azure replication): durability, retrieval delays and cost change."),
    ChangeClass("stateful_delete", "CHG005", CTO, "Stateful resource deleted or replaced",
                "The change deletes or replaces a database, bucket, volume, file system, key or another store whose "
                "destruction loses data."),
    ChangeClass("security_downgrade", "CHG006", CTO, "Security downgrade",
                "The change weakens an existing resource: encryption off, an older TLS version, shorter backup or "
                "log retention, Multi-AZ or deletion protection off, logging off, public exposure added, or a new "
                "ENC / LOG / BCK / LOC finding on a resource that already existed."),
    ChangeClass("admin_access_change", "CHG007", STRATEGIC, "Administrator access changed",
                "The change touches who administers the company's cloud: administrator policies and roles, key "
                "policies, break-glass principals, authoritative IAM."),
    ChangeClass("cost_over_envelope", "CHG008", CTO, "Monthly cost increase above the envelope",
                "The estimated monthly cost of an environment rises by more than the policy's cost.change_envelope "
                "(the review's COST003)."),
    ChangeClass("resize_within_envelope", "CHG009", PROVIDER, "Resize within the cost envelope",
                "The change resizes resources (instance types, storage, node counts) and the environment's monthly "
                "increase stays within cost.change_envelope: the provider may decide alone."),
    ChangeClass("policy_change", "CHG010", STRATEGIC, "Governance policy changed",
                "The change edits the policy (iacgov.yaml), the suppressions or the baseline, or a file the policy "
                "reads (rate card, usage file). The review still applies the base branch's policy: a pull request "
                "cannot loosen the rules it is judged by."),
    ChangeClass("suppression_added", "CHG011", CTO, "Suppression added",
                "The change adds an inline suppression (iacgov:ignore) that hides a finding, or another scanner's "
                "skip (a checkov:skip, tfsec / Trivy / tflint / KICS / Terrascan comment, checkov, cfn-lint, "
                "cfn_nag or cfn-guard Metadata) that hides one of its checks, or pushes back (or removes) the expiry "
                "of an existing suppression."),
    ChangeClass("pipeline_change", "CHG012", STRATEGIC, "Pipeline running iacgov changed",
                "The change edits CI or pre-commit configuration that runs iacgov (GitHub workflows, GitLab CI, "
                ".pre-commit-config.yaml...), CODEOWNERS, the pin of the iacgov Action, or a CI script that runs "
                "iacgov: the control itself could be switched off."),
    ChangeClass("unanalysed_change", "CHG013", CTO, "Change iacgov could not analyse",
                "The change touches something iacgov could not read, so no other decision can be trusted for it: "
                "a file it cannot read or a link it cannot follow inside the commit, a submodule, a remote or "
                "missing module, a root module outside discovery (vendor/, a dot-directory), a file over the size "
                "limits. \"Ready\" means everything that changed was read."),
)}


def authority_of(change_class: str, policy: Any, environment: str | None = None) -> str:
    """The policy's ``decisions.<class>``, else the class's default.

    ``decisions.<class>`` is an authority, or a map by environment with an
    optional ``default`` (``{dev: provider, default: cto}``): the entry of
    ``environment``, else ``default``, else the class's default."""
    value = policy.get(f"decisions.{change_class}") if policy is not None else None
    if isinstance(value, Mapping):
        value = value.get(environment) if environment is not None and environment in value else value.get("default")
    return value if value in AUTHORITIES else CHANGE_CLASSES[change_class].authority


@dataclass(frozen=True)
class Decision:
    """One decision the change contains, routed to an authority."""

    change_class: str
    authority: str
    address: str  # the resource (or the file, the environment) it is about
    file: str  # in head; in base for what the change removes
    line: int
    detail: str  # what changed, before -> after
    side: str = "head"  # "base" when the file and line are the base's (a deleted resource)
    properties: Mapping[str, Any] = field(default_factory=dict)
    # The root module of the resource it is about (iacgov.fingerprint.stack_of): an address is unique only within
    # one root. "" when not known (a file, a finding whose root is ambiguous): routed by file and address then.
    stack: str = ""

    @property
    def code(self) -> str:
        return CHANGE_CLASSES[self.change_class].code

    def order(self) -> tuple:
        return (list(CHANGE_CLASSES).index(self.change_class), self.file, self.line, self.address, self.detail)


@dataclass(frozen=True)
class EnvironmentCost:
    environment: str
    base: Decimal
    head: Decimal
    new_unpriced: int = 0  # resources / parts of head without a price: the delta may be larger
    # Resources priced in base that head cannot price (an unknown class, a size from file(), a negative size):
    # "address: reason". The delta is then unknown, and an unknown delta is over the envelope.
    unknown: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return not self.unknown

    @property
    def delta(self) -> Decimal:
        return self.head - self.base


@dataclass(frozen=True)
class ApprovalState:
    """Per authority that must approve: who may, and who did."""

    authority: str
    approvers: tuple[str, ...]  # from the base policy
    approved_by: tuple[str, ...]  # those of them whose approval counts

    @property
    def satisfied(self) -> bool:
        return bool(self.approved_by)
