"""The report's view model: frozen dataclasses holding display-ready text and
numbers, built from :class:`~iacgov.report.collect.ReportData`.

Everything the templates show is decided here (what counts as blocking,
which region is allowed, which domain a finding belongs to); the templates
only lay it out. Strings stay plain text: escaping is the template engine's
job (autoescaping is on), so nothing here builds markup.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping

from iacgov import __version__
from iacgov.cost.model import Estimate, format_money, money
from iacgov.environments import UNASSIGNED
from iacgov.fingerprint import stack_of
from iacgov.model import Finding, Notification, Resource, RuleMeta, ScanResult, Severity, is_unknown
from iacgov.platform import cloud_name
from iacgov.report.charts import BarChart, Part, RowSpec, bar_chart
from iacgov.report.collect import ReportData
from iacgov.reporters import coverage
from iacgov.report.domains import (AUTHORITY_TITLES, DOMAINS, OTHER, Domain, domain_of_change, domain_of_family,
                                   family_title)

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.NOTE)
TOP_TYPES = 10


# --------------------------------------------------------------------------- view model


@dataclass(frozen=True)
class Verdict:
    status: str  # "pass" | "attention" | "fail" | "incomplete"
    label: str  # "Action required", "Compliant", "Ready to merge"...
    headline: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    note: str
    status: str  # "ok" | "warn" | "bad" | "neutral"


@dataclass(frozen=True)
class FamilyRow:
    code: str
    title: str
    domain: str
    error: int
    warning: int
    note: int
    suppressed: int

    @property
    def total(self) -> int:
        return self.error + self.warning + self.note


@dataclass(frozen=True)
class FindingsSummary:
    rows: tuple[FamilyRow, ...]
    total: FamilyRow
    chart: BarChart | None
    blocking: int
    blocking_families: tuple[str, ...]  # "LOC 4", per family
    threshold: str  # what is blocking, in words


@dataclass(frozen=True)
class FindingRow:
    severity: str
    blocking: bool
    code: str
    address: str
    message: str
    where: str
    suppression: str | None = None  # kind, reason and expiry of a suppressed finding


@dataclass(frozen=True)
class EnvironmentRow:
    name: str
    monthly: str
    budget: str | None
    used: str | None  # share of the budget
    status: str  # "over" | "within" | "none"
    status_text: str


@dataclass(frozen=True)
class AmountRow:
    name: str
    monthly: str
    share: str  # of the total
    percent: float  # 0..100, for the inline bar


@dataclass(frozen=True)
class UnpricedRow:
    address: str
    item: str
    reason: str
    environment: str
    where: str


@dataclass(frozen=True)
class CatalogFile:
    name: str
    dated: str
    origin: str


@dataclass(frozen=True)
class CostSection:
    currency: str
    hours_per_month: int
    total: str
    environments: tuple[EnvironmentRow, ...]
    chart: BarChart | None
    applications: tuple[AmountRow, ...]
    types: tuple[AmountRow, ...]
    types_more: str | None  # "+ 4 more types: $12.00"
    unpriced: tuple[UnpricedRow, ...]
    usage_based: int  # items priced by usage that no usage file gave
    catalog: tuple[CatalogFile, ...]
    rate_card: str | None
    usage_file: str | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class RegionRow:
    region: str
    resources: int
    outside: int
    status: str  # "allowed" | "not-allowed" | "partly" | "accepted" | "unrestricted" | "unchecked" | "unknown"
    status_text: str


@dataclass(frozen=True)
class CloudRegions:
    cloud: str
    title: str
    allowed: str  # the policy's list, in words
    rows: tuple[RegionRow, ...]


@dataclass(frozen=True)
class LocationSection:
    clouds: tuple[CloudRegions, ...]
    copies: tuple[FindingRow, ...]  # data copied out of the allowed regions (rules tagged COPY_CHECK)
    undetermined: tuple[FindingRow, ...]  # locations that cannot be determined (rules tagged UNKNOWN_LOCATION)
    regionless: int  # resources without a region (IAM, DNS...)
    checked: bool  # a region rule and a copy rule ran
    outside_regions: tuple[str, ...]  # "us-east-1 (AWS)", for the verdict
    copy_codes: str = ""  # "LOC002": the rules that look for copies, as the tables' captions name them
    unknown_codes: str = ""


@dataclass(frozen=True)
class DecisionRoute:
    change_class: str
    authority: str
    approvers: str
    source: str  # "policy decisions.new_region" or "default"


@dataclass(frozen=True)
class DomainSection:
    key: str
    title: str
    company: str
    provider: str
    cloud: str
    accountable: str
    approvers: str
    families: tuple[str, ...]  # "LOC Data location", ...
    routes: tuple[DecisionRoute, ...]
    findings: tuple[FindingRow, ...]
    suppressed: tuple[FindingRow, ...]
    footprint: tuple[str, ...] = ()  # architecture: what the estate is made of
    counts: str = ""  # "3 errors, 1 warning"


@dataclass(frozen=True)
class ScopeNote:
    level: str
    message: str
    where: str


@dataclass(frozen=True)
class CoverageRow:
    """One file, module call or resource left out of the analysis."""

    scope: str  # "file", "module call", "resource"
    subject: str
    reason: str
    where: str


@dataclass(frozen=True)
class Scope:
    root: str
    paths: tuple[str, ...]
    files: int
    resources: int
    policy: str
    clouds: str
    notes: tuple[ScopeNote, ...]
    errors: tuple[str, ...]
    coverage: str = ""  # "Analysed 9 files, 16 resources; nothing left out."
    complete: bool = True
    not_analysed: tuple[CoverageRow, ...] = ()


@dataclass(frozen=True)
class DecisionRow:
    code: str  # CHG001...
    title: str  # "New region"
    domain: str
    authority: str
    approvers: str
    address: str
    detail: str  # what changed, before -> after
    where: str


@dataclass(frozen=True)
class ApprovalRow:
    authority: str
    decisions: int
    may_approve: str
    approved_by: str
    satisfied: bool


@dataclass(frozen=True)
class CostDeltaRow:
    environment: str
    base: str
    head: str
    delta: str  # signed
    direction: str  # "up" | "down" | "same"
    over_envelope: bool
    note: str  # new unpriced items
    envelope: str = ""  # this environment's envelope when the policy sets one per environment


@dataclass(frozen=True)
class PullRequestSection:
    base: str  # "origin/main 1a2b3c4d5e6f"
    head: str
    policy: str
    decisions: tuple[DecisionRow, ...]
    approvals: tuple[ApprovalRow, ...]
    approval_notes: tuple[str, ...]
    costs: tuple[CostDeltaRow, ...]
    envelope: str | None
    cost_total_delta: str
    new_findings: tuple[FindingRow, ...]
    resolved_findings: tuple[FindingRow, ...]
    suppressions_added: tuple[FindingRow, ...]
    suppressions_refused: tuple[FindingRow, ...]
    unreadable: tuple[ScopeNote, ...]  # head files that could not be read
    provider_only: bool  # every decision is the provider's alone


@dataclass(frozen=True)
class Report:
    title: str
    generated: str  # ISO date
    version: str
    verdict: Verdict
    kpis: tuple[Kpi, ...]
    findings: FindingsSummary
    cost: CostSection
    location: LocationSection
    domains: tuple[DomainSection, ...]
    scope: Scope
    pull_request: PullRequestSection | None = None


# --------------------------------------------------------------------------- building


def build(data: ReportData, *, title: str, generated: str, fail_on: str = "error") -> Report:
    """The view model of a report. ``generated`` is the date shown (the
    command takes it from ``SOURCE_DATE_EPOCH`` when set, for reproducible
    files)."""
    result = data.result
    threshold = None if fail_on == "never" else Severity(fail_on).rank
    findings = findings_summary(result, threshold, fail_on)
    cost = cost_section(data.estimate)
    location = location_section(result, data.policy)
    pull_request = None
    if data.review is not None:
        pull_request = pull_request_section(data.review, data.policy)
        verdict = review_verdict(data.review, findings, pull_request)
        kpis = review_kpis(data.review, pull_request, cost, location)
    else:
        verdict = verdict_of(result, findings, cost, location, data.estimate)
        kpis = kpis_of(findings, cost, location, data.estimate)
    return Report(
        title=title,
        generated=generated,
        version=__version__,
        verdict=verdict,
        kpis=kpis,
        findings=findings,
        cost=cost,
        location=location,
        domains=domain_sections(result, data.policy, threshold),
        scope=scope_of(data),
        pull_request=pull_request,
    )


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _where(finding: Finding) -> str:
    return f"{finding.location.path}:{finding.location.line}"


def finding_row(finding: Finding, threshold: int | None) -> FindingRow:
    suppression = None
    if finding.suppression is not None:
        s = finding.suppression
        where = f" at {s.location.path}:{s.location.line}" if s.location is not None else ""
        suppression = f"{s.kind}{where}: {s.reason}" + (f" (until {s.expires})" if s.expires else "")
    blocking = finding.suppression is None and threshold is not None and finding.severity.rank >= threshold
    return FindingRow(finding.severity.value, blocking, finding.code, finding.address, finding.message,
                      _where(finding), suppression)


def _severity_order(finding: Finding) -> tuple:
    return (-finding.severity.rank, finding.code, finding.location.path, finding.location.line, finding.address)


def findings_summary(result: ScanResult, threshold: int | None, fail_on: str) -> FindingsSummary:
    counts: dict[str, Counter] = defaultdict(Counter)
    for f in result.findings:
        counts[f.family]["suppressed" if f.suppression else f.severity.value] += 1
    rows = tuple(
        FamilyRow(code, family_title(code), domain_of_family(code).title, c["error"], c["warning"], c["note"],
                  c["suppressed"])
        for code, c in sorted(counts.items())
    )
    total = FamilyRow("", "Total", "", *(sum(getattr(r, k) for r in rows)
                                         for k in ("error", "warning", "note", "suppressed")))
    chart = None
    shown = [r for r in rows if r.total]
    if shown:
        chart = bar_chart(
            "chart-findings", "Findings by family",
            "Horizontal bars, one per rule family, split by severity; the table below gives the same counts.",
            [RowSpec(f"{r.code} {r.title}",
                     tuple(Part(getattr(r, s.value), f"sev-{s.value}", f"{getattr(r, s.value)} {s.value}")
                           for s in SEVERITIES),
                     str(r.total)) for r in shown],
            tick_label=lambda v: f"{v:g}", min_step=1,
        )
    blocking = [f for f in result.active_findings() if threshold is not None and f.severity.rank >= threshold]
    words = {"error": "errors are blocking", "warning": "errors and warnings are blocking",
             "note": "every finding is blocking", "never": "nothing is blocking (--fail-on never)"}
    per_family = Counter(f.family for f in blocking)
    return FindingsSummary(rows, total, chart, len(blocking),
                           tuple(f"{family} {n}" for family, n in sorted(per_family.items())), words[fail_on])


# --------------------------------------------------------------------------- cost


def _share(value: Decimal, total: Decimal) -> tuple[str, float]:
    if total <= 0:
        return "—", 0.0
    ratio = value / total
    return f"{ratio:.0%}", float(round(ratio * 100, 1))


def _amount_rows(mapping: Mapping[str, Decimal], total: Decimal, currency: str) -> list[AmountRow]:
    ordered = sorted(mapping.items(), key=lambda kv: (-kv[1], kv[0]))
    return [AmountRow(name, format_money(value, currency), *_share(value, total)) for name, value in ordered]


def money_tick(value: float, currency: str) -> str:
    """A chart axis tick: the money format, without cents on a whole amount (``$1,000``, ``$0.25``)."""
    amount = Decimal(str(value))
    text = format_money(amount, currency)
    return text.replace(".00", "", 1) if amount == amount.to_integral_value() else text


def _env_order(name: str) -> tuple:
    return (name == UNASSIGNED, name)


def cost_section(estimate: Estimate) -> CostSection:
    def show_money(value: Decimal) -> str:
        return format_money(value, estimate.currency)

    names = sorted(set(estimate.by_environment) | set(estimate.budgets), key=_env_order)
    rows: list[EnvironmentRow] = []
    specs: list[RowSpec] = []
    for name in names:
        monthly = estimate.by_environment.get(name, Decimal(0))
        budget = estimate.budgets.get(name)
        if budget is None:
            rows.append(EnvironmentRow(name, show_money(monthly), None, None, "none", "No budget in the policy"))
            value = f"{show_money(monthly)} · no budget"
            css = "bar-neutral"
        else:
            used = f"{monthly / budget:.0%}" if budget else "—"
            if monthly > budget:
                status, text, css = "over", f"Over budget by {show_money(monthly - budget)}", "bar-over"
            else:
                status, text, css = "within", f"Within budget ({show_money(budget - monthly)} left)", "bar-ok"
            rows.append(EnvironmentRow(name, show_money(monthly), show_money(budget), used, status, text))
            value = f"{show_money(monthly)} of {show_money(budget)}"
        markers = ((budget, "marker-budget", f"Budget of {name}: {show_money(budget)}"),) if budget is not None else ()
        specs.append(RowSpec(name, (Part(monthly, css, f"{name}: {show_money(monthly)} a month"),), value, markers))
    chart = bar_chart(
        "chart-budgets", "Monthly estimate per environment against its budget",
        "Horizontal bars, one per environment, with a vertical line at the environment's monthly budget; "
        "the table beside gives the same figures.",
        specs, tick_label=lambda v: money_tick(v, estimate.currency), value_column=True,
    ) if specs else None

    types = _amount_rows({k: v for k, v in estimate.by_resource_type.items() if v > 0}, estimate.total_monthly,
                         estimate.currency)
    rest = types[TOP_TYPES:]
    more = None
    if rest:
        rest_total = sum((estimate.by_resource_type[r.name] for r in rest), Decimal(0))
        more = f"+ {_plural(len(rest), 'more type')}: {show_money(rest_total)}"
    unpriced = tuple(UnpricedRow(u.address, u.item or "the whole resource", u.reason, u.environment,
                                 f"{u.file}:{u.line}") for u in estimate.unpriced)
    files = estimate.catalog.get("files", {})
    catalog = tuple(CatalogFile(name.removesuffix(".csv"), str(meta.get("prices_dated", "?")),
                                str(meta.get("origin", "")))
                    for name, meta in sorted(files.items())) if isinstance(files, Mapping) else ()
    return CostSection(
        currency=estimate.currency,
        hours_per_month=estimate.hours_per_month,
        total=show_money(estimate.total_monthly),
        environments=tuple(rows),
        chart=chart,
        applications=tuple(_amount_rows(estimate.by_application, estimate.total_monthly, estimate.currency)),
        types=tuple(types[:TOP_TYPES]),
        types_more=more,
        unpriced=unpriced,
        usage_based=sum(len(r.usage_based) for r in estimate.resources),
        catalog=catalog,
        rate_card=str(estimate.catalog["rate_card"]) if estimate.catalog.get("rate_card") else None,
        usage_file=estimate.usage_file,
        warnings=tuple(estimate.warnings),
    )


# --------------------------------------------------------------------------- data location


# The location section asks the rule catalog, never a rule code: a rule tagged LOCATION is about where
# data lives, and each of its findings with a ``region`` property puts that region outside the allowed ones
# (with ``copy``, saying what copies the data there). Tagged COPY_CHECK too, it looks at where data is copied
# (replicas, replication, backups); UNKNOWN_LOCATION, it reports locations that cannot be determined; else it
# judges each resource's own region (REGION_CHECK). A third-party rule tagged so is shown as the LOC rules are.
LOCATION, COPY_CHECK, UNKNOWN_LOCATION = "data-location", "replication", "location-unknown"
REGION_CHECK = ""  # neither of the two: the resource's own region


def _role(meta: RuleMeta | None) -> str | None:
    """A rule's part in the location section (None: not a location rule)."""
    if meta is None or LOCATION not in meta.tags:
        return None
    return next((t for t in (UNKNOWN_LOCATION, COPY_CHECK) if t in meta.tags), REGION_CHECK)


def _location_rules(result: ScanResult, role: str) -> list[RuleMeta]:
    return [m for _, m in sorted(result.rules.items()) if _role(m) == role]


def _location_findings(result: ScanResult, role: str | None = None) -> list[Finding]:
    """The findings of the location rules (of one ``role``)."""
    return [f for f in result.findings
            if (found := _role(result.rules.get(f.code))) is not None and (role is None or found == role)]


def _outside_addresses(result: ScanResult) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """(stack, address, region) a location finding puts outside the allowed
    regions: active, and suppressed (accepted exceptions). With the stack:
    roots (envs/dev, envs/prod) declare the same addresses."""
    active: set[tuple[str, str, str]] = set()
    accepted: set[tuple[str, str, str]] = set()
    for f in _location_findings(result):
        region = f.properties.get("region")
        if isinstance(region, str):
            (accepted if f.suppression else active).add((f.stack, f.address, region))
    return active, accepted


def location_section(result: ScanResult, policy: Any) -> LocationSection:
    region_rules = _location_rules(result, REGION_CHECK)
    copy_rules = _location_rules(result, COPY_CHECK)
    unknown_codes = ", ".join(m.code for m in _location_rules(result, UNKNOWN_LOCATION))
    checked = bool(region_rules)
    allowed_lists = policy.get("data_location.allowed_regions") or {}
    active, accepted = _outside_addresses(result)
    by_cloud: dict[str, dict[str, list[Resource]]] = defaultdict(lambda: defaultdict(list))
    unknown: Counter = Counter()
    regionless = 0
    for r in result.resources:
        if r.mode != "managed":
            continue
        if is_unknown(r.region):
            unknown[r.cloud] += 1
        elif isinstance(r.region, str):
            by_cloud[r.cloud][r.region].append(r)
        else:
            regionless += 1
    clouds = []
    outside_regions = []
    for cloud in sorted(set(by_cloud) | set(unknown)):
        restricted = cloud in allowed_lists
        rows = []
        for region, members in sorted(by_cloud[cloud].items()):
            n = len(members)
            keys = [(stack_of(m), m.address, region) for m in members]
            out = sum(1 for k in keys if k in active)
            ok = sum(1 for k in keys if k in accepted)
            if out == n:
                status, text = "not-allowed", "Not allowed"
            elif out:
                why = f"; {_plural(ok, 'exception')} accepted (suppressed)" if ok else " (data class)"
                status, text = "partly", f"Not allowed for {out} of {n}{why}"
            elif ok:
                status, text = "accepted", f"Not allowed; {_plural(ok, 'exception')} accepted (suppressed)"
            elif not restricted:
                status, text = "unrestricted", "No restriction in the policy"
            elif not checked:
                status, text = "unchecked", "Not checked (no region rule is enabled)"
            else:
                status, text = "allowed", "Allowed"
            if out:
                outside_regions.append(f"{region} ({cloud_name(cloud)})")
            rows.append(RegionRow(region, n, out, status, text))
        if unknown[cloud]:
            rows.append(RegionRow("not determined", unknown[cloud], 0, "unknown",
                                  f"Cannot be determined (see {unknown_codes} below)" if unknown_codes else
                                  "Cannot be determined"))
        allowed = allowed_lists.get(cloud)
        allowed_text = ", ".join(str(a) for a in allowed) if allowed else (
            "none" if restricted else "not restricted by the policy")
        clouds.append(CloudRegions(cloud, cloud_name(cloud), allowed_text, tuple(rows)))
    copies = tuple(finding_row(f, None) for f in _location_findings(result, COPY_CHECK))
    undetermined = tuple(finding_row(f, None) for f in _location_findings(result, UNKNOWN_LOCATION))
    return LocationSection(tuple(clouds), copies, undetermined, regionless, checked and bool(copy_rules),
                           tuple(outside_regions), ", ".join(m.code for m in copy_rules), unknown_codes)


# --------------------------------------------------------------------------- domains


def _approvers(policy: Any, authority: str) -> str:
    if authority == "provider":
        return "no approval needed"
    logins = policy.get(f"approvers.{authority}") or []
    return ", ".join(str(x) for x in logins) if logins else f"nobody named (approvers.{authority} is not set)"


def routes_of(domain: Domain, policy: Any) -> tuple[DecisionRoute, ...]:
    """The authority each change class of the domain is routed to in a
    provider pull request: the policy's ``decisions``, else the review's default."""
    from iacgov.review.model import CHANGE_CLASSES, authority_of

    decisions = policy.get("decisions") or {}
    routes = []
    for change_class in domain.change_classes:
        if change_class not in CHANGE_CLASSES:
            continue
        authority = authority_of(change_class, policy)
        source = f"policy decisions.{change_class}" if change_class in decisions else "default"
        routes.append(DecisionRoute(change_class, AUTHORITY_TITLES.get(authority, authority),
                                    _approvers(policy, authority), source))
    return tuple(routes)


def _counts(rows: Iterable[FindingRow]) -> str:
    c = Counter(r.severity for r in rows)
    parts = [_plural(c[s.value], s.value) for s in SEVERITIES if c[s.value]]
    return ", ".join(parts) if parts else "no finding"


def _footprint(result: ScanResult) -> tuple[str, ...]:
    managed = [r for r in result.resources if r.mode == "managed"]
    per_cloud = Counter(r.cloud for r in managed)
    clouds = ", ".join(f"{cloud_name(c)} {n}" for c, n in sorted(per_cloud.items()))
    types = len({r.kind for r in managed})
    lines = [f"{_plural(len(managed), 'resource')} in {_plural(len(per_cloud), 'cloud')}"
             + (f" ({clouds})" if clouds else ""),
             f"{_plural(types, 'resource type')} in {_plural(len(result.files), 'file')}"]
    regions = {(r.cloud, r.region) for r in managed if isinstance(r.region, str)}
    if regions:
        lines.append(f"{_plural(len(regions), 'region')} in use (see Data location)")
    return tuple(lines)


def domain_sections(result: ScanResult, policy: Any, threshold: int | None) -> tuple[DomainSection, ...]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        grouped[domain_of_family(f.family).key].append(f)
    families: dict[str, set[str]] = defaultdict(set)
    for code in {m.family for m in result.rules.values()}:
        families[domain_of_family(code).key].add(code)
    sections = []
    domains = list(DOMAINS) + ([OTHER] if grouped.get(OTHER.key) or families.get(OTHER.key) else [])
    for domain in domains:
        members = sorted(grouped.get(domain.key, []), key=_severity_order)
        active = tuple(finding_row(f, threshold) for f in members if f.suppression is None)
        suppressed = tuple(finding_row(f, threshold) for f in members if f.suppression is not None)
        sections.append(DomainSection(
            key=domain.key,
            title=domain.title,
            company=domain.company,
            provider=domain.provider,
            cloud=domain.cloud,
            accountable="CTO",
            approvers=_approvers(policy, "cto"),
            families=tuple(f"{code} {family_title(code)}" for code in sorted(families.get(domain.key, ()))),
            routes=routes_of(domain, policy),
            findings=active,
            suppressed=suppressed,
            footprint=_footprint(result) if domain.key == "architecture" else (),
            counts=_counts(active),
        ))
    return tuple(sections)


# --------------------------------------------------------------------------- scope, verdict, KPIs


def scope_of(data: ReportData) -> Scope:
    result = data.result
    cov = result.coverage
    notes = tuple(
        ScopeNote(n.level.value, n.message, f"{n.location.path}:{n.location.line}")
        for n in sorted(result.notifications, key=_note_order) if n.level is not Severity.NOTE
    )
    clouds = sorted({r.cloud for r in result.resources if r.mode == "managed"})
    return Scope(
        root=data.root,
        paths=data.paths,
        files=len(result.files),
        resources=len(result.resources),
        policy=data.policy_source,
        clouds=", ".join(cloud_name(c) for c in clouds) or "none",
        notes=notes,
        errors=tuple(data.review.errors if data.review is not None else result.errors),
        coverage=coverage.sentence(cov),
        complete=cov.complete,
        not_analysed=tuple(
            CoverageRow(coverage.SCOPE_NAMES[scope][0], n.subject, n.message, f"{n.location.path}:{n.location.line}")
            for scope, n in coverage.entries(cov)),
    )


def _note_order(n: Notification) -> tuple:
    return (-n.level.rank, n.location.path, n.location.line, n.message)


def verdict_of(result: ScanResult, findings: FindingsSummary, cost: CostSection, location: LocationSection,
               estimate: Estimate) -> Verdict:
    unread = [n for n in result.notifications if n.level is Severity.ERROR]
    warnings = sum(1 for f in result.active_findings() if f.severity is Severity.WARNING)
    details: list[str] = []
    if findings.blocking:
        details.append(f"Blocking by family: {', '.join(findings.blocking_families)} ({findings.threshold}).")
    if location.outside_regions:
        details.append(f"Resources outside the allowed regions: {', '.join(location.outside_regions)}.")
    if location.copies:
        details.append(f"{_plural(len(location.copies), 'copy', 'copies')} of data sent out of the allowed regions.")
    over = [e for e in cost.environments if e.status == "over"]
    for env in over:
        details.append(f"Environment {env.name} is over budget: {env.monthly} a month against {env.budget}.")
    line = f"Estimated {cost.total} a month"
    if estimate.unpriced:
        line += f"; {_plural(len(estimate.unpriced), 'unpriced item')} not included, so the real cost is higher"
    details.append(line + ".")
    if unread:
        details.append(f"{_plural(len({n.location.path for n in unread}), 'file')} could not be read: "
                       "their resources are not checked.")
    if not result.coverage.complete:
        details.append(f"{coverage.sentence(result.coverage)} What was left out is listed under Scope and method.")

    if result.errors:
        return Verdict("incomplete", "Incomplete", "iacgov could not finish the analysis",
                       (f"{_plural(len(result.errors), 'internal error')}: the figures below miss what failed.",
                        *details))
    if findings.blocking:
        return Verdict("fail", "Action required", _plural(findings.blocking, "blocking finding"), tuple(details))
    if unread:
        return Verdict("fail", "Action required", "Part of the code could not be read", tuple(details))
    if not result.files:
        return Verdict("attention", "To review", "No infrastructure file found",
                       ("Nothing was checked: no Terraform or CloudFormation file under the scanned paths.",))
    if warnings or over:
        return Verdict("attention", "To review", f"No blocking finding; {_plural(warnings, 'warning')} to review",
                       tuple(details))
    return Verdict("pass", "Compliant", "No finding against the policy", tuple(details))


def kpis_of(findings: FindingsSummary, cost: CostSection, location: LocationSection,
            estimate: Estimate) -> tuple[Kpi, ...]:
    over = [e for e in cost.environments if e.status == "over"]
    budgeted = [e for e in cost.environments if e.status != "none"]
    unpriced = sum(1 for c in estimate.resources if c.unpriced)  # not by address: it repeats across roots
    warnings = findings.total.warning
    return (
        Kpi("Blocking findings", str(findings.blocking), findings.threshold,
            "bad" if findings.blocking else "ok"),
        Kpi("Warnings", str(warnings), "to review", "warn" if warnings else "ok"),
        Kpi("Monthly estimate", cost.total,
            f"{_plural(unpriced, 'resource')} partly or not priced" if unpriced else "every resource priced",
            "neutral"),
        Kpi("Budgets exceeded", f"{len(over)} of {len(budgeted)}",
            ", ".join(e.name for e in over) if over else "every budgeted environment within budget",
            "bad" if over else "ok"),
        Kpi("Regions outside policy", str(len(location.outside_regions)),
            ", ".join(location.outside_regions) if location.outside_regions else
            ("every region allowed" if location.checked else "not checked"),
            "bad" if location.outside_regions else "ok"),
    )



# --------------------------------------------------------------------------- pull request (--base)


def signed_money(value: Decimal, currency: str = "USD") -> str:
    """``+$12.30``, ``-$4.00``, ``$0.00`` (rounded as the totals are: no sign when it rounds to zero)."""
    return format_money(value, currency, signed=money(value) != 0)


def _environment_envelope(policy: Any, cost: Any, month: Any, currency: str) -> str:
    """``change_envelope: {prod: {per_change: 100, per_month: 400}}`` as this environment's
    envelope, with what the month holds: "$100.00 per change; $400.00 a month, $320.00 used
    by 2 changes since 2026-01-01". Empty without one."""
    from iacgov.review.envelope import envelope_for

    limits = envelope_for(policy, cost.environment, cost.base)  # a percentage per change is of the base
    parts = []
    if limits.per_change is not None:
        parts.append(f"{format_money(limits.per_change, currency)} per change")
    if month is not None:
        parts.append(f"{format_money(month.per_month, currency)} a month, {format_money(month.used, currency)} used "
                     f"by {_plural(month.changes, 'change')} since {month.since.isoformat()}"
                     + ("" if month.complete else " (history incomplete)"))
    elif limits.per_month is not None:
        parts.append(f"{format_money(limits.per_month, currency)} a month")
    return "; ".join(parts)


def pull_request_section(review: Any, policy: Any) -> PullRequestSection:
    from iacgov.review.model import CHANGE_CLASSES

    decisions = tuple(
        DecisionRow(d.code, CHANGE_CLASSES[d.change_class].title, domain_of_change(d.change_class).title,
                    AUTHORITY_TITLES.get(d.authority, d.authority), _approvers(policy, d.authority), d.address,
                    d.detail, (f"{d.file}:{d.line}" + (" (base)" if d.side == "base" else "")) if d.file else "—")
        for d in review.decisions
    )
    counts = Counter(d.authority for d in review.decisions)
    approvals = tuple(
        ApprovalRow(AUTHORITY_TITLES.get(a.authority, a.authority), counts[a.authority],
                    ", ".join(a.approvers) or f"nobody (approvers.{a.authority} is not set)",
                    ", ".join(a.approved_by) or "—", a.satisfied)
        for a in review.approvals
    )
    envelope = review.envelope  # one number for every environment; else per environment (or none)
    # Over its envelope, per change or per month, as the review decided it (a cost_over_envelope decision).
    over = {d.properties.get("environment") for d in review.decisions if d.change_class == "cost_over_envelope"}
    months = {m.environment: m for m in getattr(review, "months", ())}
    costs = []
    for c in review.costs:
        delta = c.delta
        costs.append(CostDeltaRow(
            c.environment, format_money(c.base, review.currency), format_money(c.head, review.currency),
            signed_money(delta, review.currency),
            "up" if money(delta) > 0 else "down" if money(delta) < 0 else "same",
            c.environment in over or (envelope is not None and delta > envelope),
            f"+ {_plural(c.new_unpriced, 'new unpriced item')}: the increase may be larger" if c.new_unpriced else "",
            "" if envelope is not None else _environment_envelope(policy, c, months.get(c.environment),
                                                                  review.currency),
        ))
    total = sum((c.delta for c in review.costs), Decimal(0))
    return PullRequestSection(
        base=f"{review.base_ref} {review.base_sha[:12]}",
        head=f"{review.head_ref} {review.head_sha[:12]}",
        policy=review.policy_source,
        decisions=decisions,
        approvals=approvals,
        approval_notes=tuple(review.approval_notes),
        costs=tuple(costs),
        envelope=format_money(envelope, review.currency) if envelope is not None else None,
        cost_total_delta=signed_money(total, review.currency),
        new_findings=tuple(finding_row(f, Severity.ERROR.rank)  # the review blocks on new errors
                           for f in sorted(review.new_findings, key=_severity_order)),
        resolved_findings=tuple(finding_row(f, None) for f in sorted(review.resolved_findings, key=_severity_order)),
        suppressions_added=tuple(finding_row(f, None) for f in review.suppressions_added),
        suppressions_refused=tuple(finding_row(f, None) for f in review.suppressions_refused),
        unreadable=tuple(ScopeNote(n.level.value, n.message, f"{n.location.path}:{n.location.line}")
                         for n in review.notifications),
        provider_only=bool(review.decisions) and not review.approvals,
    )


def review_verdict(review: Any, findings: FindingsSummary, pr: PullRequestSection) -> Verdict:
    """The pull request's verdict is the review's (its exit code and wording);
    the details add what the committee reads next."""
    details: list[str] = []
    missing = [a for a in pr.approvals if not a.satisfied]
    for a in missing:
        details.append(f"Approval missing: {a.authority} ({_plural(a.decisions, 'decision')}; may approve: "
                       f"{a.may_approve}).")
    for a in pr.approvals:
        if a.satisfied:
            details.append(f"Approved by the {a.authority}: {a.approved_by}.")
    if not review.decisions:
        details.append("No decision in this change needs the company's approval.")
    elif pr.provider_only:
        details.append("Every decision in this change is the provider's to take alone.")
    blocking = len(review.blocking_findings)
    details.append(f"{_plural(len(pr.new_findings), 'new finding')} ({blocking} blocking), "
                   f"{len(pr.resolved_findings)} resolved.")
    moved = [c for c in pr.costs if c.direction != "same"]
    if moved:
        details.append("Monthly cost: " + ", ".join(
            f"{c.environment} {c.delta}" + ((f" (over the {pr.envelope} envelope)" if pr.envelope else
                                             " (over its envelope)") if c.over_envelope else "")
            for c in moved) + ".")
    else:
        details.append("The monthly cost estimate does not change.")
    if findings.blocking:
        details.append(f"The head has {_plural(findings.blocking, 'blocking finding')} in all "
                       "(those already in the base included): see below.")
    from iacgov.review.run import authority_name

    code = review.exit_code
    if code == 2:
        return Verdict("incomplete", "Incomplete", "The review could not finish: internal error", tuple(details))
    if code == 0:
        return Verdict("pass", "Ready to merge", "Nothing left to approve, no new blocking finding", tuple(details))
    parts = []
    waiting = [a.authority for a in review.approvals if not a.satisfied]
    if waiting:
        parts.append("Needs approval from " + " and ".join(authority_name(a) for a in waiting))
    if blocking:
        parts.append(_plural(blocking, "new blocking finding"))
    if review.notifications:
        parts.append(f"{_plural(len(review.notifications), 'file')} of the head could not be read")
    headline = "; ".join(parts)
    return Verdict("fail", "Not ready to merge", headline[:1].upper() + headline[1:], tuple(details))


def review_kpis(review: Any, pr: PullRequestSection, cost: CostSection, location: LocationSection) -> tuple[Kpi, ...]:
    missing = [a.authority for a in pr.approvals if not a.satisfied]
    blocking = len(review.blocking_findings)
    over = [c.environment for c in pr.costs if c.over_envelope]
    budgets = [e for e in cost.environments if e.status == "over"]
    return (
        Kpi("Approvals missing", f"{len(missing)} of {len(pr.approvals)}",
            ", ".join(missing) if missing else ("all given" if pr.approvals else "none needed"),
            "bad" if missing else "ok"),
        Kpi("Decisions", str(len(pr.decisions)),
            ", ".join(f"{n} {a}" for a, n in sorted(Counter(d.authority for d in pr.decisions).items()))
            or "no decision", "warn" if pr.decisions else "ok"),
        Kpi("New findings", str(len(pr.new_findings)), f"{blocking} blocking · {len(pr.resolved_findings)} resolved",
            "bad" if blocking else "warn" if pr.new_findings else "ok"),
        Kpi("Monthly cost change", pr.cost_total_delta,
            f"over the envelope in {', '.join(over)}" if over else
            (f"within the {pr.envelope} envelope" if pr.envelope else
             "within each environment's envelope" if any(c.envelope for c in pr.costs) else
             "no envelope in the policy"),
            "bad" if over else "neutral"),
        Kpi("Budgets exceeded", f"{len(budgets)} of {sum(1 for e in cost.environments if e.status != 'none')}",
            ", ".join(e.name for e in budgets) if budgets else "after this change, every budget holds",
            "bad" if budgets else "ok"),
    )
