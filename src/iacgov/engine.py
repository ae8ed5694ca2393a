"""The scan pipeline: discover -> parse -> evaluate -> filter -> report.

The engine knows no policy and no rule: it runs whatever the plugins provide
and keeps going when one of them fails, recording the failure so the run
fails closed (exit 2) with every other rule still reported.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Mapping

from iacgov.api import FileCheck, Policy, ReferenceIndex, Rule, RuleContext
from iacgov.baseline import Baseline, policy_baseline
from iacgov.discovery import assign, discover, find_root
from iacgov.fingerprint import named_caller, with_stacks
from iacgov.limits import Limits
from iacgov.model import (
    Finding,
    Location,
    Notification,
    ParseOptions,
    Resource,
    RuleMeta,
    ScanResult,
    Severity,
    SourceFile,
)
from iacgov.plugins import PluginError, PluginHost
from iacgov.policy import EMBEDDED, environment_warnings, find_policy, load_policy, rule_vocabulary
from iacgov.progress import Counter, say
from iacgov.suppressions import ReadText, disk_reader, filter_findings


@dataclass(frozen=True)
class ScanRequest:
    paths: tuple[Path, ...] = (Path("."),)
    options: ParseOptions = field(default_factory=ParseOptions)
    policy_path: Path | None = None  # --policy; None: look for iacgov.yaml, else the embedded default
    root: Path | None = None  # what file URIs are relative to; default: the git work tree
    # Command-line overrides of the policy's ``limits:`` (iacgov.limits.Limits field names).
    limit_overrides: Mapping[str, Any] = field(default_factory=dict)
    baseline: Baseline | None = None  # --baseline: known findings are reported, not blocking
    policy_baseline: bool = True  # without ``baseline``, apply the one the policy names (suppressions.baseline)
    today: date | None = None  # when suppressions expire against; default: the real date
    skip_paths: tuple[str, ...] = ()  # --skip-path globs, added to the policy's ``exclude``




def collect_rules(host: PluginHost) -> list[Rule]:
    """Every rule the plugins provide, by code; two rules with one code is an error."""
    rules: dict[str, Rule] = {}
    for rule in host.collect("iacgov_rules"):
        meta = getattr(rule, "meta", None)
        if not isinstance(meta, RuleMeta):
            raise PluginError(f"{rule!r} is not a rule: it has no RuleMeta 'meta' attribute")
        if meta.code in rules:
            raise PluginError(f"two plugins provide rule {meta.code}")
        rules[meta.code] = rule
    return [rules[code] for code in sorted(rules)]


def collect_file_checks(host: PluginHost) -> list[FileCheck]:
    """Every file check (bridge) the plugins provide, in registration order."""
    checks = host.collect("iacgov_file_checks")
    for check in checks:
        if not callable(getattr(check, "run", None)) or not isinstance(getattr(check, "name", None), str):
            raise PluginError(f"{check!r} is not a file check: it needs a 'name' and a 'run(ctx)' method")
    return checks


@dataclass(frozen=True)
class Inventory:
    """What discovery and the parsers found: the first half of a scan, shared
    with ``iacgov cost``. ``notifications`` and ``errors`` are in the order
    they were raised (not yet sorted)."""

    root: Path
    policy: Policy
    resources: tuple[Resource, ...]
    notifications: tuple[Notification, ...]
    files: frozenset[str]
    errors: tuple[str, ...]  # plugin load failures and parser crashes
    # The discovered files by the parser that claimed them (RuleContext.files).
    claimed: Mapping[str, tuple[SourceFile, ...]] = field(default_factory=dict)
    options: ParseOptions = field(default_factory=ParseOptions)
    excluded: tuple[str, ...] = ()  # relpaths left out by --skip-path / exclude (discovery.exclusion_matcher)
    # resources[start:end] of each Terraform root module the evaluation cache can key, with its key
    # (iacgov.evalcache): the root-local rules' findings on it are replayed when the cache holds them.
    units: tuple[tuple[int, int, str], ...] = ()
    # Directories the Terraform analysis listed or probed beyond the claimed files, and whether every
    # root module could be keyed: what the scan cache (iacgov.scancache) re-checks.
    reads: tuple[str, ...] = ()
    keyed: bool = True


@dataclass(frozen=True)
class Claimed:
    """The first step of :func:`parse_inventory`: the policy read, the files discovered and
    handed to the parsers that claim them, nothing parsed (what the scan cache keys)."""

    root: Path
    policy: Policy
    options: ParseOptions
    parsers: tuple[Any, ...]
    claimed: Mapping[str, list[SourceFile]]
    notifications: tuple[Notification, ...]
    errors: tuple[str, ...]
    explicit: frozenset[str]
    excluded: tuple[str, ...]


def claim_files(request: ScanRequest, host: PluginHost) -> Claimed:
    """Load the policy, discover the files and assign them to parsers (raises
    :class:`~iacgov.policy.PolicyError` for an invalid policy)."""
    root = (request.root or find_root(request.paths)).resolve()
    options = request.options
    cache_notes: list[Notification] = []
    if options.cache_dir is not None:
        options = _usable_cache(options, root, cache_notes)
    policy = load_policy(request.policy_path or find_policy(request.paths, root), _policy_schemas(host),
                         cache_dir=options.cache_dir, vocabulary=rule_vocabulary(host))
    errors: list[str] = list(host.errors)

    say("looking for files")
    found = discover(request.paths, root, (*request.skip_paths, *policy.get("exclude", ())))
    notifications: list[Notification] = [*found.notifications, *cache_notes]
    parsers = host.collect("iacgov_parsers")
    if options.limits is None:
        options = replace(options, limits=Limits.from_policy(policy, request.limit_overrides))
    # Recognising a file's format runs within the policy's per-file budget too.
    claimed = assign(found.files, parsers, notifications, found.explicit, options.limits)
    from iacgov.evalcache import RootWork, offer_root_work

    # root-local findings and cost items made where roots are analysed (kept in the cache, or sent back)
    offer_root_work(RootWork(policy, host, options.cache_dir, root, options))
    return Claimed(root, policy, options, tuple(parsers), claimed, tuple(notifications), tuple(errors),
                   frozenset(found.explicit), tuple(found.excluded))


def parse_inventory(request: ScanRequest, host: PluginHost) -> Inventory:
    """Load the policy, discover the files and parse them (raises
    :class:`~iacgov.policy.PolicyError` for an invalid policy)."""
    return parse_claimed(claim_files(request, host))


def parse_claimed(step: Claimed) -> Inventory:
    """Run the parsers on the files they claimed."""
    root, options, claimed = step.root, step.options, step.claimed
    notifications, errors = list(step.notifications), list(step.errors)
    resources: list[Resource] = []
    files: set[str] = set()
    units: list[tuple[int, int, str]] = []
    reads: list[str] = []
    keyed = True
    for parser in step.parsers:
        batch = claimed[parser.name]
        if not batch:
            continue
        try:
            for result in parser.parse(batch, options, root):
                if getattr(result, "unit", ""):  # a Terraform root module with its evaluation cache key
                    units.append((len(resources), len(resources) + len(result.resources), result.unit))
                if hasattr(result, "dirs"):  # what the analysis listed and read (iacgov.scancache.Reads)
                    reads.extend(result.dirs)
                    keyed = keyed and result.keyed
                resources.extend(result.resources)
                notifications.extend(result.notifications)
                files.update(result.files)
        except PluginError:
            raise  # the parser cannot work in this environment (a broken install): exit 2, its message
        except Exception as exc:  # noqa: BLE001 - a crashing parser must not hide the others
            errors.append(_crash(f"parser {parser.name!r}", exc))
            # What the crash stopped is not analysed: coverage must not count it as checked.
            notifications.extend(
                Notification(f"{f.relpath} not analysed: the {parser.name} parser crashed", Location(f.relpath),
                             Severity.ERROR, "iacgov", scope="file")
                for f in batch if f.relpath not in files)
    # dict.fromkeys: root modules sharing a module each report its messages (the evaluation cache needs
    # each root's result whole); said once here, in the order first raised.
    return Inventory(root, step.policy, tuple(resources), tuple(dict.fromkeys(notifications)), frozenset(files),
                     tuple(errors), claimed={name: tuple(batch) for name, batch in claimed.items() if batch},
                     options=options, excluded=step.excluded, units=tuple(units),
                     reads=tuple(dict.fromkeys(reads)), keyed=keyed)


def scan(request: ScanRequest, host: PluginHost) -> ScanResult:
    """Raises :class:`~iacgov.policy.PolicyError` for an invalid policy or
    baseline (:class:`~iacgov.baseline.BaselineError` is one). With the cache on, a scan
    whose inputs are all unchanged is read back (:mod:`iacgov.scancache`)."""
    if request.options.cache_dir is None:
        return scan_inventory(parse_inventory(request, host), request, host)
    from iacgov.scancache import cached_scan

    return cached_scan(request, host)


def scan_inventory(inventory: Inventory, request: ScanRequest, host: PluginHost) -> ScanResult:
    """What :func:`scan` does once the files are parsed (``iacgov report``
    parses once for both the rules and the cost estimate)."""
    baseline = request.baseline
    if baseline is None and request.policy_baseline:
        baseline = policy_baseline(inventory.policy)
    return evaluate(inventory, host, baseline=baseline, today=request.today)


def evaluate(
    inventory: Inventory,
    host: PluginHost,
    *,
    baseline: Baseline | None = None,
    today: date | None = None,
    read_text: ReadText | None = None,
) -> ScanResult:
    """Run the rules on parsed resources (the second half of a scan, for
    commands that also need the inventory, such as ``iacgov report``), then
    filter: suppressions written in the files (read from disk unless
    ``read_text`` reads them elsewhere, e.g. from a git commit) and the baseline."""
    root, policy, resources = inventory.root, inventory.policy, inventory.resources
    notifications: list[Notification] = list(inventory.notifications)
    errors: list[str] = list(inventory.errors)
    files = set(inventory.files)

    rules = collect_rules(host)
    rules = [r for r in rules if policy.get(f"rules.{r.meta.code}.enabled", True) is not False]
    scanned = tuple(resources)
    ctx = RuleContext(policy=policy, resources=scanned, root=root, files=inventory.claimed,
                      parse_options=inventory.options,
                      not_analysed=tuple(n for n in notifications if n.scope is not None),
                      index=ReferenceIndex(scanned))  # once per scan, shared by every rule
    findings: list[Finding] = []
    replayed = _root_local_findings(inventory, host, rules, ctx)
    _offer_cost_units(inventory, scanned)
    progress = Counter(f"running rules on {len(resources):,} resources", len(rules))
    for rule in rules:
        progress.advance()
        override = policy.get(f"rules.{rule.meta.code}.severity")
        if rule.meta.code in replayed.findings:  # root-local: per root module, cached (iacgov.evalcache)
            findings.extend(replace(f, severity=Severity(override)) if override else f
                            for f in replayed.findings[rule.meta.code])
            if rule.meta.code in replayed.crashes:
                errors.append(_crash(f"rule {rule.meta.code}", replayed.crashes[rule.meta.code]))
            continue
        try:
            for finding in rule.evaluate(ctx.resources, ctx):
                findings.append(replace(finding, severity=Severity(override)) if override else finding)
        except Exception as exc:  # noqa: BLE001 - reported, run fails, other rules still report
            errors.append(_crash(f"rule {rule.meta.code}", exc))

    metas = {r.meta.code: r.meta for r in rules}
    for check in collect_file_checks(host):
        say(f"running {check.name}")
        try:
            report = check.run(ctx)
        except Exception as exc:  # noqa: BLE001 - as for rules: reported, the run fails
            errors.append(_crash(f"file check {check.name!r}", exc))
            continue
        errors.extend(report.errors)
        notifications.extend(report.notifications)
        for code, meta in sorted(report.rules.items()):
            if code in metas and metas[code] != meta:
                raise PluginError(f"two plugins provide rule {code}")
            metas[code] = meta
        for finding in report.findings:
            if policy.get(f"rules.{finding.code}.enabled", True) is False:
                continue
            override = policy.get(f"rules.{finding.code}.severity")
            findings.append(replace(finding, severity=Severity(override)) if override else finding)

    findings = with_stacks(findings, resources)  # the root module / template each finding is in
    findings = [named_caller(f) for f in findings]  # two roots calling one module are told apart in words too
    # filter: inline suppressions (governed by the policy's suppressions section), then the baseline
    filtered = filter_findings(findings, resources, policy, read_text or disk_reader(root), today=today,
                               baseline=baseline)
    findings = list(filtered.findings)
    notifications.extend(filtered.notifications)
    notifications.extend(environment_warnings(policy, resources, root))  # a budget for 'prdo' applies to nothing

    return ScanResult(
        root=root,
        findings=tuple(sorted({_finding_order(f): f for f in findings}.values(), key=_finding_order)),
        notifications=tuple(sorted(set(notifications), key=lambda n: (n.location, n.message))),
        rules=metas,
        resources=tuple(resources),
        files=tuple(sorted(files)),
        policy_source=policy.source if policy.source == EMBEDDED else _display(Path(policy.source), root),
        errors=tuple(errors),
        excluded=inventory.excluded,
    )


def _root_local_findings(inventory: Inventory, host: PluginHost, rules: list[Rule], ctx: RuleContext) -> Any:
    """The root-local rules' findings, root module by root module, replayed from the evaluation
    cache where it holds them, or from what this scan's workers sent back (--no-cache); else none."""
    from iacgov.evalcache import FindingsCache, LocalRun, local_findings, root_local

    if not inventory.options.cache_dir:  # what this scan's workers made and sent back, if any
        from iacgov.evalcache import held_work

        units, held, _ = held_work(ctx.resources)
        local = [r for r in rules if root_local(r)] if units else []
        return local_findings(local, ctx, units, held) if local else LocalRun({}, {}, [])
    local = [r for r in rules if root_local(r)] if inventory.units else []
    if not local:
        return LocalRun({}, {}, [])
    cache = FindingsCache(inventory.options.cache_dir, inventory.root, inventory.policy, host,
                          [r.meta.code for r in local])
    return local_findings(local, ctx, inventory.units, cache)


def _offer_cost_units(inventory: Inventory, resources: tuple[Resource, ...]) -> None:
    """The scan's estimate (COST rules, :func:`iacgov.cost.estimate.scan_estimate`) reads each cached root
    module's cost items from the evaluation cache, when there is one."""
    if inventory.units and inventory.options.cache_dir:
        from iacgov.evalcache import CostItemsCache, offer_units

        offer_units(resources, inventory.units, CostItemsCache(inventory.options.cache_dir, inventory.root))
    elif not inventory.options.cache_dir:  # what this scan's workers made and sent back, if any
        from iacgov.evalcache import held_work, offer_units

        units, _, items = held_work(resources)
        offer_units(resources, units, items)


def _usable_cache(options: ParseOptions, root: Path, notifications: list[Notification]) -> ParseOptions:
    """The parse cache, unless it is inside the scanned tree or not private (a note says why)."""
    from iacgov.cache import check_dir, maybe_prune

    problem = check_dir(options.cache_dir, root)
    if problem is None:
        maybe_prune(options.cache_dir)
        return options
    notifications.append(Notification(f"parse cache not used: {problem}", Location("."), Severity.NOTE))
    return replace(options, cache_dir=None)


def _policy_schemas(host: PluginHost) -> list[Any]:
    return [s for s in reversed(host.hook.iacgov_policy_schema()) if s]


def _finding_order(f: Finding) -> tuple:
    return (f.location.path, f.location.line, f.code, f.address, f.attribute or "", f.message, f.stack)


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _crash(what: str, exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    return f"{what} crashed: {type(exc).__name__}: {exc}{where}"


FAIL_ON = ("error", "warning", "note", "never")


def exit_code(result: ScanResult, fail_on: str = "error") -> int:
    """0 nothing blocking; 1 findings at or above ``fail_on`` or unreadable
    input; 2 internal failure. ``fail_on="never"`` is a soft fail: only
    internal failures change the exit code."""
    if result.errors:
        return 2
    if fail_on == "never":
        return 0
    threshold = Severity(fail_on).rank
    if any(f.severity.rank >= threshold for f in result.active_findings()):
        return 1
    if any(n.level is Severity.ERROR for n in result.notifications):
        return 1
    return 0
