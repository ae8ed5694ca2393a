"""The review pipeline: two commits -> scans -> resource diff -> decisions -> approvals.

Both trees are copied out of git objects (:mod:`iacgov.review.gitrepo`) and
scanned by the normal engine with the **base** commit's policy: a pull
request cannot loosen the rules it is judged by. The head's own policy,
suppression or baseline edits are reported as ``policy_change`` decisions.
"""

from __future__ import annotations

import errno
import json
import signal
import tempfile
from contextlib import contextmanager
from datetime import date, datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Collection, Iterable, Iterator, Mapping, Sequence

from iacgov.engine import ScanRequest, parse_inventory, scan, scan_inventory
from iacgov.fingerprint import stack_of as resource_stack
from iacgov.limits import Limits
from iacgov.model import Finding, Notification, ParseOptions, Resource, RuleMeta, ScanResult, Severity
from iacgov.plugins import PluginHost
from iacgov.policy import EMBEDDED, POLICY_NAMES, default_policy_text
from iacgov.review import classify as C
from iacgov.review.approvals import ReviewRecord, approval_states, cli_approvals, ignored_approvals, latest_approvals
from iacgov.review.diff import ResourceChange, diff, key_of, plan_diff, stack_of
from iacgov.review.gitrepo import MAX_BLOB_BYTES, Commit, GitError, Materialised, Repository
from iacgov.review.model import ApprovalState, Decision, EnvironmentCost, authority_of
from iacgov.review.moved import read_moves
from iacgov.review.sweep import Sweeper
from iacgov.review.treecache import (KeptReview, TreeScan, cacheable, compared_only, open_cache, pair_key, side_key,
                                     stacks_of, without_findings)
from iacgov.suppressions import REFUSED_PROPERTY

BASELINE_NAMES = (".iacgov-baseline.json", "iacgov-baseline.json")
USAGE_NAME = "iacgov-usage.yaml"


class ReviewError(Exception):
    """A usage or configuration problem: one line, exit 2."""


@dataclass(frozen=True)
class ReviewRequest:
    repo: Path
    base: str
    head: str = "HEAD"
    plan: Path | None = None
    policy: str | None = None  # repository path of the policy, read from the base commit
    options: ParseOptions = field(default_factory=ParseOptions)
    today: date | None = None  # what suppressions expire against (tests); default: the real date
    reviews: tuple[ReviewRecord, ...] = ()  # GitHub pull-request reviews (--approvals)
    approved_by: tuple[str, ...] = ()  # --approved-by
    teams: Mapping[str, frozenset[str]] = field(default_factory=dict)  # --teams: "org/team" -> logins
    as_of: datetime | None = None  # --as-of: "now" for the monthly envelope (default: the base commit's date)
    # --skip-path: the command line's (the company's CI), added to the base policy's exclude on every commit
    # scanned; the head's policy never excludes anything.
    skip_paths: tuple[str, ...] = ()
    # A review of the same two trees is kept in the cache and read back (treecache.KeptReview) instead of
    # made again; its head_estimate is then None (or as compared: treecache.compared_only) and its head_scan
    # has no findings. The review command's (it never shows the head's estimate nor the head scan's findings:
    # its own new and resolved findings are shown).
    reuse: bool = False


@dataclass(frozen=True)
class Review:
    """Everything the review renderers see. Lists are sorted: output is deterministic."""

    base_ref: str
    base_sha: str
    head_ref: str
    head_sha: str
    policy_source: str  # repository path in the base commit, or the embedded default
    decisions: tuple[Decision, ...]
    changes: tuple[ResourceChange, ...]
    costs: tuple[EnvironmentCost, ...]
    currency: str
    envelope: Decimal | None
    new_findings: tuple[Finding, ...]
    resolved_findings: tuple[Finding, ...]
    suppressions_added: tuple[Finding, ...]
    suppressions_refused: tuple[Finding, ...]  # written in head, refused by the base policy: the finding stays
    approvals: tuple[ApprovalState, ...]
    approval_notes: tuple[str, ...]
    notifications: tuple[Notification, ...]  # new error-level problems reading head
    rules: Mapping[str, RuleMeta]
    skipped: tuple[str, ...] = ()  # tree entries not materialised
    plan: str | None = None
    errors: tuple[str, ...] = ()
    # The head as the review judged it — scanned and estimated under the base
    # policy — for the governance report of a pull request (iacgov report --base).
    head_scan: ScanResult | None = None
    head_estimate: Any = None  # iacgov.cost.model.Estimate
    policy: Any = None  # the base policy applied

    @property
    def required_authorities(self) -> tuple[str, ...]:
        return tuple(a.authority for a in self.approvals)

    @property
    def approvals_satisfied(self) -> bool:
        return all(a.satisfied for a in self.approvals)

    @property
    def blocking_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.new_findings if f.severity is Severity.ERROR)

    advisory: bool = False  # the BASE policy's review.advisory: a blocked review exits 0
    months: tuple[Any, ...] = ()  # iacgov.review.envelope.MonthUse per environment with a per_month envelope
    policy_diff: Any = None  # iacgov.policy_diff.PolicyDiff when the change edits the policy
    drift: tuple[Decision, ...] = ()  # --plan's resource_drift, classified (also among decisions)
    base_branches: tuple[str, ...] = ()  # branch names at the base and head commits, for people
    head_branches: tuple[str, ...] = ()
    history_notes: tuple[str, ...] = ()  # a shallow clone, a history cut short
    access: Any = None  # iacgov.access.RegisterChange: who gains or loses administrator rights

    @property
    def blocked(self) -> bool:
        return not self.approvals_satisfied or bool(self.blocking_findings) or bool(self.notifications)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.blocked and not self.advisory else 0

    @property
    def verdict(self) -> str:
        missing = [a.authority for a in self.approvals if not a.satisfied]
        parts = []
        if self.errors:
            return "review failed: internal error"
        if missing:
            parts.append("needs approval from " + " and ".join(_AUTHORITY_NAMES[a] for a in missing))
        if self.blocking_findings:
            n = len(self.blocking_findings)
            parts.append(f"{n} new blocking finding{'s' if n != 1 else ''}")
        if self.notifications:
            parts.append(f"{len(self.notifications)} file(s) of head could not be read")
        if not parts:
            return "ready: nothing left to approve"
        return "blocked: " + "; ".join(parts) + (" (advisory: the base policy's review.advisory)" if self.advisory
                                                  else "")


_AUTHORITY_NAMES = {"cto": "the CTO", "strategic": "the strategic committee", "provider": "the provider"}


def authority_name(authority: str) -> str:
    return _AUTHORITY_NAMES.get(authority, authority)


# --------------------------------------------------------------------------- pipeline


def run_review(request: ReviewRequest, host: PluginHost) -> Review:
    """Raises :class:`ReviewError` (exit 2) for bad refs, policies, rate cards."""
    try:
        repo = Repository(request.repo)
    except GitError as exc:
        raise ReviewError(str(exc)) from None
    try:
        base = repo.commit(request.base, "--base")
        head = repo.commit(request.head, "--head")
    except GitError as exc:
        raise ReviewError(str(exc) + _shallow_hint(repo)) from None
    policy_rel = _policy_path(base, request.policy)
    tree_cache = open_cache(request.options)
    scratch = scratch_parent(base, head)
    if scratch is not None:
        try:
            return _review(request, host, repo, base, head, policy_rel, tree_cache, scratch)
        except _ScratchFull:
            pass  # the memory-backed folder filled up meanwhile (its copies are removed): again on disk
    return _review(request, host, repo, base, head, policy_rel, tree_cache, None)


class _ScratchFull(Exception):
    """The memory-backed folder (``/dev/shm``, shared with every other process) filled up mid-review."""


_FULL = (errno.ENOSPC, errno.EDQUOT)


def _copy_error(exc: Exception, scratch: str | None) -> Exception:
    """What a failed copy out of git raises: a review made again on disk when the memory-backed folder is
    full, else the review's error."""
    if scratch is not None and isinstance(exc, OSError) and exc.errno in _FULL:
        return _ScratchFull()
    return ReviewError(f"cannot read the commits: {exc}")


def _review(request: ReviewRequest, host: PluginHost, repo: Repository, base: Commit, head: Commit,
            policy_rel: str | None, tree_cache: Any, scratch: str | None) -> Review:
    """The review, the commits copied under ``scratch`` (None: the usual temporary folder)."""
    from iacgov.cost.catalog import CostConfigError
    from iacgov.policy import PolicyError

    with (_terminated_as_exit(), tempfile.TemporaryDirectory(prefix="iacgov-review-", dir=scratch) as tmp,
          Sweeper(enabled=scratch is None) as sweeper):  # unlinks in memory cost next to nothing
        base_dir, head_dir, policy_dir = Path(tmp, "base"), Path(tmp, "head"), Path(tmp, "policy")
        for d in (base_dir, head_dir, policy_dir):
            d.mkdir()
        # With the cache, the base's Terraform files are copied only when its scan is not kept (treecache);
        # what else the review reads there (the policy and what it names, the changed files) always is.
        needed = _read_besides_scan(base, head) if tree_cache is not None else None
        try:
            base_tree = repo.materialise(base, base_dir, only=needed)
        except (GitError, OSError) as exc:
            raise _copy_error(exc, scratch) from None
        if policy_rel is not None:
            policy_path = base_dir / policy_rel
        else:
            policy_path = policy_dir / "iacgov.yaml"
            try:
                policy_path.write_text(default_policy_text(), encoding="utf-8")
            except OSError as exc:
                raise _copy_error(exc, scratch) from None
        # The head is read within the base policy's per-file limit (limits.max_file_bytes), as its scan would.
        from iacgov.policy import PolicyError

        try:
            base_policy = _policy_of(policy_path, host)
            limits = request.options.limits or Limits.from_policy(base_policy)
        except PolicyError:
            base_policy = None
            limits = Limits()  # the base scan reports the policy's error, as for any scan
        try:  # the head likewise: its Terraform files only once its scan or its moved blocks are not kept
            head_files = repo.materialise(head, head_dir, limits.max_file_bytes, only=needed)
        except (GitError, OSError) as exc:
            raise _copy_error(exc, scratch) from None
        head_whole = [needed is None]

        def rest_of_head() -> None:
            if not head_whole[0]:
                head_whole[0] = True
                try:
                    repo.materialise(head, head_dir, limits.max_file_bytes, only=lambda path: not needed(path))
                except (GitError, OSError) as exc:
                    raise _copy_error(exc, scratch) from None
        skipped = [str(s) for s in base_tree.skipped]
        skipped += [str(s) for s in head_files.skipped if str(s) not in skipped]
        keys: tuple[bytes, bytes] | None = None
        month_key: Callable[[str], bytes | None] = lambda sha: None  # noqa: E731 - nothing kept
        if tree_cache is not None and base_policy is not None and cacheable(base_policy.data):
            try:
                base_id, head_id = repo.tree_id(base.sha), repo.tree_id(head.sha)
            except GitError:
                base_id = head_id = ""
            if base_id and head_id:
                keys = tuple(side_key(side, tree, base_id, policy_rel, request.options, request.skip_paths,
                                      request.today, host)
                             for side, tree in (("base", base_id), ("head", head_id)))  # type: ignore[assignment]

                def month_key(sha: str) -> bytes | None:
                    """A commit of the month's history, priced as the head is (under the base's policy,
                    rate card and usage file): keyed as a head side, by its tree and the base's."""
                    try:
                        return side_key("month", repo.tree_id(sha), base_id, policy_rel, request.options,
                                        request.skip_paths, request.today, host)
                    except GitError:
                        return None

        # A review of the same pair kept: only what is not a function of the two trees is made again.
        from iacgov.review.envelope import has_monthly

        pair = (pair_key(*keys) if keys is not None and tree_cache is not None and request.plan is None
                and base_policy is not None and not has_monthly(base_policy)
                and not _policy_edited(base, head, policy_rel) else None)  # the head's policy may read anything
        if pair is not None and request.reuse:
            hit = tree_cache.get_review(pair, head_dir.resolve(), tmp)
            if hit is not None:
                return _assemble(request, repo, base, head, base_policy, policy_rel, hit[0], hit[1], None,
                                 skipped=skipped)

        base_whole = [needed is None]

        def rest_of_base() -> None:
            base_whole[0] = True
            if needed is not None:
                try:
                    repo.materialise(base, base_dir, only=lambda path: not needed(path))
                except (GitError, OSError) as exc:
                    raise _copy_error(exc, scratch) from None

        try:
            # Both commits under the base policy: its suppressions rules, its baseline (suppressions.baseline,
            # read beside the base policy), inline suppressions as each commit writes them.
            def scan_tree(path: Path, root: Path) -> ScanResult:
                return scan(ScanRequest((path,), request.options, policy_path, root, today=request.today,
                                        skip_paths=request.skip_paths), host)

            def scan_side(directory: Path, key: bytes | None, before: Callable[[], None]) -> tuple[TreeScan, Any]:
                """The side's scan, and the inventory it was made from now (None: read back; to be kept
                once its estimate is made)."""
                hit = tree_cache.get(key, directory.resolve(), tmp) if tree_cache is not None and key else None
                if hit is not None:
                    return hit, None
                before()
                if tree_cache is None:  # --no-cache: no evaluation keys either
                    return TreeScan(scan_tree(directory, directory), ()), None
                scan_request = ScanRequest((directory,), request.options, policy_path, directory,
                                           today=request.today, skip_paths=request.skip_paths)
                inventory = parse_inventory(scan_request, host)
                return (TreeScan(scan_inventory(inventory, scan_request, host), stacks_of(inventory)),
                        inventory if key else None)

            base_side, base_fresh = scan_side(base_dir, keys[0] if keys else None, rest_of_base)
            head_side, head_fresh = scan_side(head_dir, keys[1] if keys else None, rest_of_head)
            if tree_cache is not None and (base_fresh is None) != (head_fresh is None):
                # one side kept, not decoded yet: its root modules equal on both sides are the other's
                tree_cache.share(base_fresh if base_fresh is not None else head_fresh)
            base_scan, head_tree = base_side.scan, head_side.scan
            if request.plan is not None:
                rest_of_head()  # the plan's resources are pointed at their blocks in the head's files
                plan = request.plan.absolute()
                head_scan = scan_tree(plan, plan.parent)
            else:
                head_scan = head_tree
        except PolicyError as exc:
            raise ReviewError(f"base policy: {_strip_tmp(str(exc), tmp)}") from None
        policy = base_policy if base_policy is not None else _policy_of(policy_path, host)  # read once

        moves: tuple[Any, ...] | None = None
        if request.plan is not None:
            before = plan_before_values(request.plan)
            head_resources = _relocate_resources(head_scan.resources, head_tree.resources)
            head_findings = _relocate_findings(head_scan.findings, head_scan.resources, head_tree.resources)
            changes = plan_diff(base_scan.resources, head_resources, before)
        else:
            head_resources = head_scan.resources
            head_findings = head_scan.findings
            # Root modules whose evaluation key is equal on both sides have equal resources: not compared.
            base_keys = base_side.stack_keys
            same = frozenset(s for s, k in head_side.stack_keys.items() if base_keys.get(s) == k)
            moves = head_side.moves  # the head's moved blocks, kept with its scan (a function of its files)
            if moves is None:
                rest_of_head()
                moves = tuple(read_moves(head_dir, head_files.written))
            changes = diff(base_scan.resources, head_resources, moves, same)
            if not _policy_edited(base, head, policy_rel):  # else the head is scanned again under its policy
                # Both scans made and the moved blocks read: the copies of the Terraform files the change leaves
                # alone are read nowhere else; deleted beside the rest of the review, not after it.
                spare = _read_besides_scan(base, head)
                for whole, folder, copy in ((base_whole[0], base_dir, base_tree), (head_whole[0], head_dir, head_files)):
                    if whole:
                        sweeper.sweep(folder, (path for path in copy.written if not spare(path)))

        rename = {(c.before and key_of(c.before)): c.address for c in changes
                  if c.previous_address and c.before is not None}
        plan_mode = request.plan is not None
        findings = _compare_findings(base_scan, head_findings, head_resources, rename, plan_mode, placed_codes(host))

        try:
            # A side's estimate (under the base policy, rate card and usage file) is kept with its scan, as
            # compared (treecache.compared_only: no priced items). The head's: kept, for the review command only
            # (it never shows the head's estimate; iacgov report does: made again), or the one its scan made
            # for the COST rules when the inputs are equal.
            kept_estimate = head_side.estimate if request.reuse else None
            head_made = ((kept_estimate or _scan_estimate(head_resources, policy, base_dir))
                         if request.plan is None else None)
            costs, contributions, head_env, head_estimate, base_estimate = _costs(
                base_scan.resources, head_resources, policy, base_dir, rename, {c.address for c in changes},
                base_side.estimate, head_made)
            base_estimate_totals = {c.environment: c.base for c in costs}
        except CostConfigError as exc:
            raise ReviewError(f"base policy: {_strip_tmp(str(exc), tmp)}") from None
        # Who holds administrator rights on each side, under the base policy: kept with the side's scan
        # (the head's only when the head is its tree, not a plan).
        base_register = _register(base_scan.resources, policy, base_side.access)
        head_register = _register(head_resources, policy, head_side.access if request.plan is None else None)
        if tree_cache is not None and keys:
            if base_fresh is not None:
                tree_cache.put(keys[0], replace(base_side, estimate=compared_only(base_estimate), access=base_register),
                               tmp, base_fresh)
            if head_fresh is not None:
                tree_cache.put(keys[1], replace(head_side, estimate=compared_only(head_estimate)
                                                if request.plan is None else None,
                                                access=head_register if request.plan is None else None,
                                                moves=moves),
                               tmp, head_fresh)

        governance = _governance_files(policy, policy_rel, base, head, base_dir, head_dir)
        changed_files = _changed_files(repo, base, head, governance)

        decisions: list[Decision] = []
        decisions += C.classify_clouds(base_scan.resources, head_resources, policy)
        decisions += C.classify_regions(base_scan.resources, head_resources, policy)
        decisions += C.classify_services(base_scan.resources, head_resources, policy)
        C.forget_sorted()  # the sides' sorted lists, shared by the three above, not kept past them
        from iacgov.review.companions import classify_companions

        companion_decisions, judged = classify_companions(changes, base_scan.resources, head_resources,
                                                          lambda cls, pol, r: authority_of(cls, pol), policy)
        decisions += [d for d in C.classify_storage_class(changes, policy) if (d.stack, d.address) not in judged]
        decisions += companion_decisions
        decisions += C.classify_stateful(changes, policy)
        decisions += C.classify_security(changes, findings.new_on_existing, policy)
        decisions += C.classify_admin(changes, base_scan.resources, head_resources,
                                      [f for f, _ in findings.new_on_existing if f.family == "ADM"], policy)
        months, history_notes = _months(repo, base, request, policy, policy_path, host, costs,
                                        base_estimate_totals, tmp, tree_cache, month_key, scratch)
        decisions += C.classify_cost(costs, contributions, changes, head_env, policy, months)
        decisions += C.classify_files(changed_files, governance, policy)
        decisions += C.classify_suppressions(findings.suppressions_added, policy)
        decisions += _other_scanners_skips(base, head, base_dir, head_dir, base_scan, head_tree, changes,
                                           findings.suppressions_added, policy)
        decisions += _unanalysed(base, head, base_tree, head_files, base_scan, head_tree, policy)
        drift: list[Decision] = []
        if request.plan is not None:
            drift = _drift(request.plan, policy, head_tree.resources)
            decisions += drift
        from iacgov.review.grid import route, strictest_each

        decisions = strictest_each(route(decisions, base_scan.resources, head_resources, policy))
        if (policy_rel or POLICY_NAMES[0]) in changed_files:
            rest_of_head()  # the head is scanned again under its own policy
        policy_diff = _policy_diff(policy, policy_rel, changed_files, head_dir, head_tree, request, host, tmp)

        base_errors = {(n.location.path, n.message) for n in base_scan.notifications if n.level is Severity.ERROR}
        new_notes = tuple(n for n in head_scan.notifications
                          if n.level is Severity.ERROR and (n.location.path, n.message) not in base_errors)
        from iacgov.review.envelope import uniform_envelope

        judged = KeptReview(
            decisions=tuple(decisions), changes=tuple(changes), costs=tuple(costs), currency=head_estimate.currency,
            envelope=uniform_envelope(policy), new_findings=findings.new, resolved_findings=findings.resolved,
            suppressions_added=findings.suppressions_added, suppressions_refused=findings.suppressions_refused,
            notifications=new_notes, rules={**base_scan.rules, **head_scan.rules}, policy_diff=policy_diff,
            access=_access(base_register, head_register))
        errors = tuple(dict.fromkeys(_strip_tmp(e, tmp) for e in (*base_scan.errors, *head_scan.errors)))
        head_kept = tree_cache.kept.get(keys[1]) if pair is not None else None
        if request.reuse and pair is not None and head_kept is not None and keys[0] in tree_cache.kept and not errors:
            # Both sides kept (their keys cover what each scan read): so is what the review made of them (for the
            # review command only: a history replay or a report would write entries nothing reads back).
            tree_cache.put_review(pair, replace(judged, head=without_findings(head_kept)), tmp)
        return _assemble(request, repo, base, head, policy, policy_rel, judged,
                         replace(head_scan, resources=head_resources, findings=tuple(head_findings)), head_estimate,
                         skipped=skipped, errors=errors, months=months, history_notes=history_notes)


def _assemble(request: ReviewRequest, repo: Repository, base: Commit, head: Commit, policy: Any,
              policy_rel: str | None, judged: KeptReview, head_scan: ScanResult, head_estimate: Any, *,
              skipped: Sequence[str], errors: tuple[str, ...] = (), months: Sequence[Any] = (),
              history_notes: Sequence[str] = ()) -> Review:
    """The review: what was judged of the two trees (made now or kept), with what is read again each time —
    the approvals given, the branches."""
    given = latest_approvals(request.reviews, head.sha, policy.get("approvals.require_head_commit") is True)
    given.update(cli_approvals(request.approved_by))
    approvals = approval_states({d.authority for d in judged.decisions}, policy, given, request.teams)
    return Review(
        base_ref=request.base, base_sha=base.sha, head_ref=request.head, head_sha=head.sha,
        policy_source=policy_rel or EMBEDDED,
        decisions=judged.decisions, changes=judged.changes, costs=judged.costs, currency=judged.currency,
        envelope=judged.envelope,
        new_findings=judged.new_findings, resolved_findings=judged.resolved_findings,
        suppressions_added=judged.suppressions_added, suppressions_refused=judged.suppressions_refused,
        approvals=tuple(approvals), approval_notes=tuple(ignored_approvals(policy, given, request.teams)),
        notifications=judged.notifications, rules=judged.rules,
        skipped=tuple(skipped), plan=request.plan.name if request.plan is not None else None,
        errors=errors, head_scan=head_scan, head_estimate=head_estimate, policy=policy,
        advisory=policy.get("review.advisory") is True, months=tuple(months), policy_diff=judged.policy_diff,
        drift=tuple(d for d in judged.decisions if d.properties.get("drift")),
        base_branches=_branches(repo, base.sha), head_branches=_branches(repo, head.sha),
        history_notes=tuple(history_notes), access=judged.access,
    )


def _register(resources: Sequence[Resource], policy: Any, kept: Any) -> tuple[Any, ...]:
    """A side's access register (iacgov access): the one kept with its scan, else read from its resources."""
    from iacgov.access import register

    return tuple(kept) if kept is not None else tuple(register(resources, policy))


def _access(base: Sequence[Any], head: Sequence[Any]) -> Any:
    """How the access register changes: the same IAM reading on both sides."""
    from iacgov.access import compare

    return compare(base, head)


def _shallow_hint(repo: Repository) -> str:
    """A shallow clone (actions/checkout's default) lacks the base commit: say how to fetch it."""
    try:
        shallow = repo.is_shallow()
    except GitError:
        return ""
    return ("; this clone is shallow: fetch the whole history (actions/checkout with fetch-depth: 0) so that "
            "the base commit is there") if shallow else ""


def _branches(repo: Repository, sha: str) -> tuple[str, ...]:
    try:
        return repo.branches_at(sha)
    except GitError:
        return ()


def _months(repo: Repository, base: Commit, request: ReviewRequest, policy: Any, policy_path: Path,
            host: PluginHost, costs: Sequence[EnvironmentCost], base_totals: Mapping[str, Decimal], tmp: str,
            tree_cache: Any = None, month_key: Callable[[str], bytes | None] = lambda sha: None,
            scratch: str | None = None) -> tuple[list[Any], list[str]]:
    """The monthly envelopes (when the policy sets one): the base branch's merged changes of the month, priced.
    Each commit's totals are kept by its tree (:meth:`TreeCache.get_totals`): the next review of the month
    prices the same history again without copying or scanning it."""
    from iacgov.cost.estimate import estimate
    from iacgov.review import envelope as E

    if not E.has_monthly(policy):
        return [], []
    def totals(commit: Commit, folder: Path) -> Mapping[str, Decimal]:
        # Each commit under the base policy, with the base tree's rate card and usage file, as the review prices.
        key = month_key(commit.sha) if tree_cache is not None else None
        kept = tree_cache.get_totals(key) if key else None
        if kept is not None:
            return kept
        repo.materialise(commit, folder)
        scan_request = ScanRequest((folder,), request.options, policy_path, folder, today=request.today,
                                   skip_paths=request.skip_paths)
        if key is None:
            return estimate(scan(scan_request, host).resources, policy, root=Path(tmp, "base")).by_environment
        inventory = parse_inventory(scan_request, host)
        result = scan_inventory(inventory, scan_request, host)
        made = estimate(result.resources, policy, root=Path(tmp, "base")).by_environment
        tree_cache.put_totals(key, made, inventory, result)
        return made

    notes = []
    try:
        history = E.merged_this_month(repo, base.sha, request.as_of, totals, base_totals, repo.is_shallow())
    except (GitError, OSError) as exc:
        if isinstance(_copy_error(exc, scratch), _ScratchFull):
            raise _ScratchFull() from None
        return [], [*notes, f"the base branch's history could not be read: {exc}"]
    if history.note:
        notes.append(history.note)
    deltas = {c.environment: c.delta for c in costs if c.known}
    return E.month_uses(policy, deltas, history), notes


def _drift(plan: Path, policy: Any, tree: Sequence[Resource]) -> list[Decision]:
    from iacgov.review.drift import DriftError, classify_drift, drift_changes, read_plan

    try:
        data, text = read_plan(plan)
    except DriftError as exc:
        raise ReviewError(f"--plan {exc}") from None
    by_address: dict[str, list[Resource]] = {}
    for r in tree:
        if r.source_format == "terraform":
            by_address.setdefault(r.address, []).append(r)
    # An address several roots declare: the plan's own location (its root cannot be told), as _tree_twin does.
    twins = {address: rs[0] for address, rs in by_address.items() if len(rs) == 1}
    return classify_drift(drift_changes(data, text, plan.name), policy, twins)


def _policy_diff(policy: Any, policy_rel: str | None, changed: Mapping[str, tuple[bytes | None, bytes | None]],
                 head_dir: Path, head_tree: ScanResult, request: ReviewRequest, host: PluginHost, tmp: str) -> Any:
    """What the head's edit of the policy changes, key by key, and its effect on the head's findings."""
    from iacgov.policy import PolicyError
    from iacgov.policy_diff import PolicyDiff, diff_policies, effect

    path = policy_rel or POLICY_NAMES[0]
    if path not in changed:
        return None
    head_policy = head_dir / path
    try:
        new = _policy_of(head_policy, host) if head_policy.is_file() else _policy_of(_embedded(tmp), host)
    except PolicyError as exc:
        return PolicyDiff((), None, _strip_tmp(str(exc), tmp))
    changes = tuple(diff_policies(policy.data, new.data))
    try:
        under_new = scan(ScanRequest((head_dir,), request.options, head_policy if head_policy.is_file() else
                                     _embedded(tmp), head_dir, today=request.today,
                                     skip_paths=request.skip_paths), host)
    except PolicyError as exc:
        return PolicyDiff(changes, None, _strip_tmp(str(exc), tmp))
    return PolicyDiff(changes, effect(head_tree.findings, under_new.findings))


def _embedded(tmp: str) -> Path:
    path = Path(tmp, "policy", "embedded.yaml")
    if not path.is_file():
        path.write_text(default_policy_text(), encoding="utf-8")
    return path


def _other_scanners_skips(base: Commit, head: Commit, base_dir: Path, head_dir: Path, base_scan: ScanResult,
                          head_tree: ScanResult, changes: Sequence[Any], reported: Sequence[Finding],
                          policy: Any) -> list[Decision]:
    """checkov / tfsec / cfn_nag... skips the head adds to the IaC files it changes, and
    iacgov suppressions whose expiry it pushes back."""
    from iacgov.review import skips

    def oid(commit: Commit, path: str) -> str | None:
        entry = commit.entries.get(path)
        return entry.oid if entry is not None else None

    texts = skips.read_changed({*base_scan.files, *head_tree.files}, base_dir, head_dir,
                               lambda p: oid(base, p) != oid(head, p))
    renamed = {key_of(c.before): c.address for c in changes if c.previous_address and c.before is not None}
    return [*skips.classify_skips(texts, base_scan.resources, head_tree.resources, renamed, reported, policy),
            *skips.classify_extensions(texts, base_scan.resources, head_tree.resources, renamed, reported, policy)]


def _unanalysed(base: Commit, head: Commit, base_tree: Materialised, head_tree_files: Materialised,
                base_scan: ScanResult, head_scan: ScanResult, policy: Any) -> list[Decision]:
    """What the change touches that neither scan could analyse (:mod:`iacgov.review.coverage`)."""
    from iacgov.review import coverage as V

    changed = V.changed_paths(base.entries, head.entries, base_tree.written, head_tree_files.written)
    head_items = [*V.from_skipped(head_tree_files.skipped), *V.scoped(head_scan.notifications),
                  *V.outside_discovery(changed, head_tree_files.written, head_scan.files,
                                       [s.path for s in head_tree_files.skipped])]
    base_items = [*V.from_skipped(base_tree.skipped), *V.scoped(base_scan.notifications),
                  *V.outside_discovery(changed, base_tree.written, base_scan.files,
                                       [s.path for s in base_tree.skipped])]
    return V.classify_unanalysed(head_items, base_items, changed, policy)


# Files only a scan reads: with the cache, the base's are copied out of git only when its scan is not kept.
SCAN_ONLY = (".tf", ".tf.json", ".tfvars", ".tfvars.json")


def _read_besides_scan(base: Commit, head: Commit) -> Callable[[str], bool]:
    """The base paths the review reads besides its scan: every file that is not only scanned (the policy,
    its baseline, rate card, usage file...) and every file the change touches (other scanners' skips)."""
    def needed(path: str) -> bool:
        if not path.endswith(SCAN_ONLY):
            return True
        b, h = base.entries.get(path), head.entries.get(path)
        return b is None or h is None or (b.oid, b.mode) != (h.oid, h.mode) or b.mode == "120000"

    return needed


MOUNTS = Path("/proc/self/mounts")
SHM = "/dev/shm"
SHM_SPARE = 256 << 20  # left free in the memory-backed folder besides the copies


def scratch_parent(base: Commit, head: Commit, mounts: Path = MOUNTS, shm: str = SHM) -> str | None:
    """Where the review copies the commits: Linux's memory-backed ``/dev/shm`` when it is a writable tmpfs
    with room for both commits twice over (and 256 MiB), else None (the usual temporary folder). Creating a
    file there costs about a thirtieth of an ext4 disk's (measured: 2,132 files of a 2,000-file estate,
    2.4 s against 0.08 s), and a review copies thousands. ``TMPDIR``, when set, is where the user wants
    them: obeyed. The copies are removed at the end as anywhere (bounded: each commit's bytes are within
    :data:`~iacgov.review.gitrepo.MAX_TREE_BYTES`)."""
    import os

    if os.environ.get("TMPDIR") or os.name != "posix":
        return None
    try:
        tmpfs = any(len(f) > 2 and f[1] == shm and f[2] == "tmpfs"
                    for f in (line.split() for line in mounts.read_text(encoding="utf-8", errors="replace")
                              .splitlines()))
        if not tmpfs or not os.access(shm, os.W_OK | os.X_OK):
            return None
        room = os.statvfs(shm)
    except OSError:
        return None
    need = sum(e.size or MAX_BLOB_BYTES for c in (base, head) for e in c.entries.values() if e.is_file)
    return shm if room.f_bavail * room.f_frsize > 2 * need + SHM_SPARE else None


def _policy_edited(base: Commit, head: Commit, policy_rel: str | None) -> bool:
    """Whether the head's entry at the policy's path differs from the base's (then the head is scanned
    again under its own policy: :func:`_policy_diff`)."""
    b, h = base.entries.get(policy_rel or POLICY_NAMES[0]), head.entries.get(policy_rel or POLICY_NAMES[0])
    return (b is None) != (h is None) or (b is not None and h is not None and (b.oid, b.mode) != (h.oid, h.mode))


@contextmanager
def _terminated_as_exit() -> Iterator[None]:
    """SIGTERM (a cancelled CI job) raises SystemExit, so that the temporary
    directory's ``finally`` removes the copies of both commits."""
    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: the caller owns signals
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _strip_tmp(text: str, tmp: str) -> str:
    for side in ("base", "head", "policy"):
        text = text.replace(str(Path(tmp, side)) + "/", "").replace(str(Path(tmp, side)), ".")
    return text


def _policy_path(base: Commit, given: str | None) -> str | None:
    """The policy's repository path in the base commit (None: the embedded default)."""
    if given is not None:
        rel = PurePosixPath(given.strip().lstrip("./") if given.startswith("./") else given.strip()).as_posix()
        entry = base.entries.get(rel)
        if entry is None or not entry.is_file:
            raise ReviewError(f"--policy {given}: no such file in the base commit {base.short}")
        return rel
    for name in POLICY_NAMES:
        entry = base.entries.get(name)
        if entry is not None and entry.is_file:
            return name
    return None


def _policy_of(path: Path, host: PluginHost) -> Any:
    """The base policy as the scans read it (with the keys plugins declare)."""
    from iacgov.engine import _policy_schemas
    from iacgov.policy import load_policy

    return load_policy(path, _policy_schemas(host))


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class _Findings:
    new: tuple[Finding, ...]
    resolved: tuple[Finding, ...]
    suppressions_added: tuple[Finding, ...]
    new_on_existing: tuple[tuple[Finding, Resource], ...]
    suppressions_refused: tuple[Finding, ...] = ()


class _Index(dict):
    """Resources by address, in scan order; ``by_stack`` the same lists cut by root module (an estate of
    many roots calling the same modules repeats each address in every root: looking a finding's root up
    in the list was linear in the number of roots, for every finding)."""

    by_stack: dict[tuple[str, str], list[Resource]]


def _resource_index(resources: Iterable[Resource], addresses: frozenset[str] | None = None,
                    index: _Index | None = None) -> _Index:
    """``addresses``: only resources at these (what the look-ups will ask for), in the same order; ``index``:
    added to this one (none of its addresses among them)."""
    if index is None:
        index = _Index()
        index.by_stack = {}
    for r in resources:
        if addresses is not None and r.address not in addresses:
            continue
        index.setdefault(r.address, []).append(r)
        index.by_stack.setdefault((r.address, resource_stack(r)), []).append(r)
    return index


def _owner(finding: Finding, index: _Index) -> Resource | None:
    candidates = index.get(finding.address, [])
    if finding.stack and len(candidates) > 1:  # two roots calling one module: the finding's own root
        candidates = index.by_stack.get((finding.address, finding.stack)) or candidates
    if len(candidates) == 1:
        return candidates[0]
    for r in candidates:
        if r.location.path == finding.location.path or r.location_of(finding.attribute).path == finding.location.path:
            return r
    return candidates[0] if candidates else None


def _finding_stack(finding: Finding, owner: Resource | None) -> str:
    return stack_of(owner) if owner is not None else str(PurePosixPath(finding.location.path).parent)


def _finding_key(finding: Finding, index: _Index, plan_mode: bool,
                 rename: Mapping[Any, str] | None = None) -> tuple:
    owner = _owner(finding, index)
    stack = _finding_stack(finding, owner)
    address = finding.address
    if rename and owner is not None and key_of(owner) in rename:
        address = rename[key_of(owner)]
    if plan_mode:
        return (finding.code, address, finding.attribute or "")
    return (finding.code, stack, address, finding.attribute or "")


def placed_codes(host: PluginHost) -> frozenset[str]:
    """The rules whose every finding is made on a resource of the scan by ``ResourceRule.finding`` (its address
    and its stack, :func:`iacgov.api.rule_finding`): the root-local rules of iacgov's own pack (each ``check``
    yields ``self.finding(resource, ...)`` only; tests/review/test_review_fast.py checks it). A plugin's rule may
    make its findings otherwise: its findings' owners are looked up."""
    from iacgov.engine import collect_rules
    from iacgov.evalcache import root_local

    return frozenset(r.meta.code for r in collect_rules(host)
                     if root_local(r) and type(r).__module__.startswith("iacgov_rules."))


def _compare_findings(base: ScanResult, head_findings: Sequence[Finding], head_resources: Sequence[Resource],
                      rename: Mapping[Any, str], plan_mode: bool, placed: frozenset[str] = frozenset()) -> _Findings:
    # A finding of a ``placed`` rule (placed_codes) has its owner at its address in its stack: the resource it
    # was made on, which the index holds under (address, stack) — found there whether one or several resources
    # share the address — so its key is (code, its stack, its address or the one a moved block gives the owner,
    # attribute) without a look-up (most findings of an estate: 2,000 files, 95%). Only the addresses of the
    # other findings are indexed, then those of new findings (their owners are asked for below).
    if plan_mode:
        placed = frozenset()  # keyed without their stack, owners in the plan
    placed_base = [bool(f.stack) and f.code in placed for f in base.findings]
    placed_head = [bool(f.stack) and f.code in placed for f in head_findings]
    named = frozenset(f.address for fs, at in ((base.findings, placed_base), (head_findings, placed_head))
                      for f, known in zip(fs, at) if not known)
    base_index, head_index = _resource_index(base.resources, named), _resource_index(head_resources, named)
    base_findings = base.findings
    if plan_mode:  # a plan is one root module's: only that root's base findings are its old ones (none if unsure)
        root = _plan_root(head_resources, base.resources)
        base_findings = [f for f in base.findings if _finding_stack(f, _owner(f, base_index)) == root]
        placed_base = [False] * len(base_findings)  # none placed in plan mode
    base_all = {((f.code, f.stack, rename.get((f.stack, f.address), f.address), f.attribute or "") if known
                 else _finding_key(f, base_index, plan_mode, rename)): f
                for f, known in zip(base_findings, placed_base)}
    base_suppressed = {k for k, f in base_all.items() if f.suppression is not None}
    head_keys = {}
    for f, known in zip(head_findings, placed_head):
        head_keys[(f.code, f.stack, f.address, f.attribute or "") if known
                  else _finding_key(f, head_index, plan_mode)] = f
    new = tuple(f for k, f in head_keys.items() if f.suppression is None and k not in base_all)
    resolved = tuple(f for k, f in base_all.items() if f.suppression is None and k not in head_keys)
    added = tuple(f for k, f in head_keys.items()
                  if f.suppression is not None and f.suppression.kind != "baseline" and k not in base_suppressed)
    more = frozenset(f.address for f in new) - named
    if more:
        _resource_index(base.resources, more, base_index)
        _resource_index(head_resources, more, head_index)
    # Asked only for owners of new findings, which are at a finding's address: the indexed base resources.
    base_keys = {key_of(r) for rs in base_index.values() for r in rs if r.mode == "managed"}
    base_addresses = {r.address for rs in base_index.values() for r in rs if r.mode == "managed"}
    moved_to = set(rename.values())
    on_existing = []
    for f in new:
        owner = _owner(f, head_index)
        if owner is None:
            continue
        exists = (f.address in base_addresses) if plan_mode else (key_of(owner) in base_keys)
        if exists or owner.address in moved_to:
            if plan_mode and "create" in owner.change_actions and "delete" not in owner.change_actions:
                continue
            on_existing.append((f, owner))
    # Suppressions the head writes that the base policy refuses (locked rules, no reason, too long):
    # the finding stays active, and the refusal is reported when the base did not already have it.
    base_refused = {k for k, f in base_all.items() if f.properties.get(REFUSED_PROPERTY)}
    refused = tuple(f for k, f in head_keys.items() if f.properties.get(REFUSED_PROPERTY) and k not in base_refused)
    order = lambda f: (f.location.path, f.location.line, f.code, f.address)  # noqa: E731
    return _Findings(tuple(sorted(new, key=order)), tuple(sorted(resolved, key=order)),
                     tuple(sorted(added, key=order)), tuple(on_existing), tuple(sorted(refused, key=order)))


# --------------------------------------------------------------------------- plan mode


def plan_before_values(path: Path) -> dict[str, dict[str, Any]]:
    """``change.before`` of each resource change of a plan JSON, by address."""
    try:
        plan = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise ReviewError(f"--plan {path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReviewError(f"--plan {path}: not a readable plan JSON ({exc})") from None
    if not isinstance(plan, dict) or "format_version" not in plan:
        raise ReviewError(f"--plan {path}: not a Terraform plan JSON (terraform show -json PLAN)")
    out = {}
    for rc in plan.get("resource_changes") or ():
        if isinstance(rc, dict) and isinstance(rc.get("address"), str) and not rc.get("deposed"):
            before = (rc.get("change") or {}).get("before")
            if isinstance(before, dict):
                out[rc["address"]] = before
    return out


def _tree_twins(resource: Resource, tree: Mapping[str, list[Resource]]) -> list[Resource]:
    """The tree's blocks at the plan resource's address (else at it without its last index)."""
    import re

    for address in (resource.address, re.sub(r"\[[^\]]*\]$", "", resource.address)):
        found = [r for r in tree.get(address, []) if r.source_format == "terraform"]
        if found:
            return found
    return []


def _tree_twin(resource: Resource, tree: Mapping[str, list[Resource]]) -> Resource | None:
    found = _tree_twins(resource, tree)
    return found[0] if len(found) == 1 else None


def _plan_root(plan: Sequence[Resource], tree: Sequence[Resource]) -> str | None:
    """The root module of ``tree`` a plan is of: the one root holding a twin of each of its resources that
    has twins (addresses repeat across roots); None when no root or several fit."""
    index = _resource_index(tree)
    roots: set[str] | None = None
    for r in plan:
        found = {stack_of(t) for t in _tree_twins(r, index) if t.mode == "managed"} if r.mode == "managed" else set()
        if found:
            roots = found if roots is None else roots & found
    return next(iter(roots)) if roots is not None and len(roots) == 1 else None


def _relocate_resources(plan: Sequence[Resource], tree: Sequence[Resource]) -> tuple[Resource, ...]:
    """Plan resources pointed at their block in the head tree (plans have no lines)."""
    index = _resource_index(tree)
    out = []
    for r in plan:
        twin = _tree_twin(r, index)
        out.append(replace(r, location=twin.location, attribute_locations=twin.attribute_locations) if twin else r)
    return tuple(out)


def _relocate_findings(findings: Sequence[Finding], plan: Sequence[Resource], tree: Sequence[Resource]
                       ) -> tuple[Finding, ...]:
    index = _resource_index(tree)
    out = []
    for f in findings:
        twin = _tree_twin(replace(plan[0], address=f.address), index) if plan else None
        out.append(replace(f, location=twin.location_of(f.attribute)) if twin else f)
    return tuple(out)


# --------------------------------------------------------------------------- cost


def _costs(base: Sequence[Resource], head: Sequence[Resource], policy: Any, base_dir: Path,
           rename: Mapping[Any, str], changed: Collection[str], base_estimate: Any = None,
           head_estimate: Any = None) -> tuple[list[EnvironmentCost], Mapping, dict[tuple[str, str], str], Any, Any]:
    """Both estimates under the base policy, with the base tree's usage file and rate card (those given:
    kept with a side's scan, made from the same resources under the same policy and files); the head
    environment of each resource at a ``changed`` address."""
    from iacgov.cost.estimate import compare, estimate

    if base_estimate is None:
        base_estimate = estimate(base, policy, root=base_dir)
    if head_estimate is None:
        head_estimate = estimate(head, policy, root=base_dir)
    unknown = _unknown_prices(base_estimate, head_estimate, base, head, rename or {})
    rows = [EnvironmentCost(c.environment, c.base, c.head, len(c.new_unpriced), tuple(unknown.get(c.environment, ())))
            for c in compare(base_estimate, head_estimate)]
    # Read only for an environment over its envelope (its largest deltas): made then, from every line of both.
    contributions = _Later(lambda: C.group_contributions(_lines_by_root(base_estimate.resources, base),
                                                         _lines_by_root(head_estimate.resources, head), rename or {}))
    # By (root, address): addresses repeat across roots. Only the changed ones are asked for (a resize, the
    # change an unknown delta points at); pairing every line with its resource is ~20 us a line.
    head_env = {key: c.environment
                for key, c in _lines_by_root([c for c in head_estimate.resources if c.address in changed], head)}
    return rows, contributions, head_env, head_estimate, base_estimate


class _Later(Mapping):
    """A mapping made on first use (``make``), or never."""

    def __init__(self, make: Callable[[], Mapping[Any, Any]]) -> None:
        self._make: Callable[[], Mapping[Any, Any]] | None = make
        self._made: Mapping[Any, Any] = {}

    def _value(self) -> Mapping[Any, Any]:
        if self._make is not None:
            self._made, self._make = self._make(), None
        return self._made

    def __getitem__(self, key: Any) -> Any:
        return self._value()[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._value())

    def __len__(self) -> int:
        return len(self._value())


def _scan_estimate(resources: Sequence[Resource], policy: Any, base_dir: Path) -> Any:
    """The estimate the scan of ``resources`` made for its COST rules, when it is the one the review would
    make (the same resources object, the same policy, the same rate card and usage file): else None."""
    from iacgov.cost.catalog import CostConfigError
    from iacgov.cost.estimate import last_scan_estimate, resolve_settings

    last = last_scan_estimate(resources)
    if last is None:
        return None
    scanned, made = last
    if getattr(scanned, "data", None) != policy.data or getattr(scanned, "source", None) != policy.source:
        return None
    try:
        if resolve_settings(scanned) != resolve_settings(policy, root=base_dir):
            return None
    except CostConfigError:
        return None
    return made


def _unknown_prices(base_estimate: Any, head_estimate: Any, base: Sequence[Resource], head: Sequence[Resource],
                    rename: Mapping[Any, str]) -> dict[str, list[str]]:
    """Per environment, "address: reason" for each resource priced in base
    whose head has a part the catalog cannot price (the delta is unknown).
    A line is compared with its own root's: addresses repeat across roots, and
    another root's same gap does not make this one's known. A plan's line (its
    root not told) is compared with every root's: a gap is known only if each has it."""
    # every line of an address with a gap is paired (costed pairs a line with the next resource of its address,
    # file and line: two roots calling one module share them, so a subset of those lines would take the wrong root)
    gapped_at = {c.address for c in head_estimate.resources if c.unpriced}  # most: none
    if not gapped_at:
        return {}
    gapped = [(key, c) for key, c in _lines_by_root([c for c in head_estimate.resources if c.address in gapped_at],
                                                    head, plans=True) if c.unpriced]
    previous = {(stack, new): (stack, old) for (stack, old), new in rename.items()}
    moved = {new: old for (_, old), new in rename.items()}
    wanted = [(key, previous.get(key, key) if key[0] is not None else (None, moved.get(key[1], key[1])), c)
              for key, c in gapped]
    addresses = {address for _, (_, address), _ in wanted}  # only their base lines are looked up
    by_root: dict[str, dict[str, list[Any]]] = {}
    for (stack, address), c in _lines_by_root([c for c in base_estimate.resources if c.address in addresses], base):
        by_root.setdefault(address, {}).setdefault(stack, []).append(c)
    out: dict[str, list[str]] = {}
    for key, (stack, address), c in wanted:
        roots = by_root.get(address, {})
        groups = [g for g in (roots.values() if stack is None else [roots.get(stack, [])])
                  if g and not all(o.status == "unpriced" for o in g)]
        if not groups:
            continue
        known_gaps = set.intersection(*({(u.item, u.reason) for o in g for u in o.unpriced} for g in groups))
        new = [u for u in c.unpriced if (u.item, u.reason) not in known_gaps]
        if new:
            out.setdefault(c.environment, []).append(f"{c.address}: {new[0].reason}")
    return out


def _lines_by_root(lines: Sequence[Any], resources: Sequence[Resource], plans: bool = False
                   ) -> list[tuple[tuple[Any, str], Any]]:
    """Each estimate line (of ``lines``, in estimate order: every line of each address they hold) with the (root
    module, address) of the resource it prices (:func:`iacgov.cost.grouping.costed`: exact where roots share a
    module's file and line; unpaired: its file). ``plans``: a plan's resource has root None (a plan file is no root module of the tree)."""
    from types import SimpleNamespace

    from iacgov.cost.grouping import costed
    from iacgov.parsers.terraform_plan import SOURCE as PLAN

    addresses = {c.address for c in lines}
    mine = [r for r in resources if r.address in addresses] if lines else []
    return [((None, c.address) if plans and r is not None and r.source_format == PLAN
             else key_of(r) if r is not None else (c.file, c.address), c)
            for c, r in costed(SimpleNamespace(resources=lines), mine)]


# --------------------------------------------------------------------------- files


def _governance_files(policy: Any, policy_rel: str | None, base: Commit, head: Commit, base_dir: Path,
                      head_dir: Path) -> dict[str, str]:
    """Repository paths whose change is a policy change, and what each is."""
    out: dict[str, str] = {}
    for commit in (base, head):
        for path in commit.entries:
            name = PurePosixPath(path).name
            if name in POLICY_NAMES:
                out[path] = "policy file"
            elif name in BASELINE_NAMES:
                out[path] = "baseline"
            elif name == USAGE_NAME:
                out[path] = "cost usage file"
    folder = PurePosixPath(policy_rel).parent if policy_rel else PurePosixPath(".")
    for key, label in (("cost.rate_card", "rate card"), ("cost.usage_file", "cost usage file"),
                       ("suppressions.baseline", "baseline"), ("baseline", "baseline")):
        value = policy.get(key)
        if isinstance(value, str) and not value.startswith("/"):
            out[str(PurePosixPath(folder, value)).removeprefix("./")] = label
    return out


def _changed_files(repo: Repository, base: Commit, head: Commit, governance: Mapping[str, str]
                   ) -> dict[str, tuple[bytes | None, bytes | None]]:
    """Changed governance and pipeline files: path -> (base bytes, head bytes)."""
    paths = sorted(p for p in set(base.entries) | set(head.entries)
                   if (p in governance or C.PIPELINE_FILES.match(p) or p in C.CODEOWNERS_FILES)
                   and (base.entries.get(p) is None or head.entries.get(p) is None
                        or (base.entries[p].oid, base.entries[p].mode) != (head.entries[p].oid, head.entries[p].mode)))
    # Bounded: a file over the per-file limit is not read here (the review counts it not analysed).
    oids = [e.oid for p in paths for e in (base.entries.get(p), head.entries.get(p))
            if e is not None and e.is_file and (e.size or 0) <= MAX_BLOB_BYTES]
    blobs = repo.read_blobs(oids)
    out = {}
    for p in paths:
        b, h = base.entries.get(p), head.entries.get(p)
        out[p] = (blobs.get(b.oid, b"") if b is not None else None, blobs.get(h.oid, b"") if h is not None else None)
    return out
