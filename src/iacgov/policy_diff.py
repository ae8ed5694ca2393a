"""What a change to the policy does, key by key: ``iacgov policy diff OLD NEW``.

A policy change is a strategic decision (the review's ``policy_change``);
this says what it decides in plain words. Both policies are flattened to
their leaf keys (``data_location.allowed_regions.aws``,
``cost.budgets.prod``); each key that differs is *loosened* (the company
controls less: a region added to an allowed list, a family unlocked, a
budget raised, a rule disabled), *tightened*, or only *changed* when it has
no direction (a tag name, a rate card path). Lists are compared as sets
(``+ us-east-1``, ``− LOC``), numbers as ``3,000 → 5,000``.

The *effect* is the findings that would disappear or appear on a tree if
the new policy replaced the old one: the engine run twice on the same files,
once under each policy (see :func:`effect`).

Exit codes of the command: 0 (the comparison was made), 1 with
``--fail-on-loosened`` when a key is loosened, 2 for an unreadable or
invalid policy.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import click

LOOSENED, TIGHTENED, CHANGED = "loosened", "tightened", "changed"
_AUTHORITY_RANK = {"provider": 0, "cto": 1, "strategic": 2}
_SEVERITY_RANK = {"note": 0, "info": 0, "warning": 1, "error": 2}
_UNKNOWN_RANK = {"warn": 0, "deny": 1}


@dataclass(frozen=True)
class KeyChange:
    key: str  # dotted leaf key
    before: Any  # None: not set
    after: Any
    direction: str  # loosened | tightened | changed
    words: str  # "+ us-east-1", "3,000 → 5,000"

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "before": self.before, "after": self.after, "words": self.words}


# --------------------------------------------------------------------------- directions

# What "more" means for a key (first matching glob wins): for lists, more items; for numbers, a larger
# value; for booleans, true. "looser" / "tighter" / a rank table / None (no direction).
_MORE: tuple[tuple[str, Any], ...] = (
    ("version", None),
    ("data_location.allowed_regions.*", "looser"),
    ("data_location.additional_regions.*", "looser"),
    ("data_location.data_classes.*", "looser"),
    ("data_location.unknown", _UNKNOWN_RANK),
    ("encryption.min_tls_version", "tighter"),
    ("encryption.customer_managed_keys.required_for", "tighter"),
    ("encryption.require_infrastructure_encryption", "tighter"),
    ("encryption.ebs_encryption_by_default", "looser"),  # ENC001 then trusts the account setting
    ("encryption.key_rotation.required", "tighter"),
    ("encryption.key_rotation.max_period_days", "looser"),
    ("logging.min_retention_days*", "tighter"),
    ("logging.cloudtrail.*", "tighter"),
    ("continuity.min_backup_retention_days*", "tighter"),
    ("continuity.protected_environments", "tighter"),
    ("continuity.redundant_environments", "tighter"),
    ("continuity.require_prevent_destroy", "tighter"),
    ("tags.required", "tighter"),
    ("tags.cloudformation_stack_tags", "looser"),
    ("cost.budgets.*", "looser"),
    ("cost.change_envelope*", "looser"),
    ("cost.max_resource_monthly*", "looser"),
    ("cost.allowed_instance_types.*", "looser"),
    ("admin_access.provider_accounts.*", "tighter"),  # more of the provider's principals recognised
    ("decisions.*", _AUTHORITY_RANK),
    ("review.advisory", "looser"),
    ("approvals.require_head_commit", "tighter"),
    ("approvers.provider", "tighter"),  # more logins that never count as the company's approval
    ("approvers.*", "looser"),  # more people who may approve alone
    ("suppressions.inline", "looser"),
    ("suppressions.locked", "tighter"),
    ("suppressions.max_days", "looser"),
    ("exclude", "looser"),
    ("rules.*.enabled", "tighter"),
    ("rules.*.severity", _SEVERITY_RANK),
)
# Keys whose absence means "no limit" (removing them loosens; adding them tightens).
_UNSET_IS_LOOSEST = ("data_location.allowed_regions.*", "data_location.data_classes.*", "cost.budgets.*",
                     "cost.change_envelope*", "cost.max_resource_monthly*", "cost.allowed_instance_types.*",
                     "encryption.key_rotation.max_period_days", "suppressions.max_days", "tags.required",
                     "continuity.protected_environments", "continuity.redundant_environments",
                     "suppressions.locked", "logging.min_retention_days*", "continuity.min_backup_retention_days*",
                     "encryption.customer_managed_keys.required_for")
# Defaults the schema documents, for keys whose absence is a setting.
_DEFAULTS = {"suppressions.inline": True, "encryption.key_rotation.required": True, "review.advisory": False,
             "approvals.require_head_commit": False, "data_location.unknown": "warn",
             "logging.cloudtrail.multi_region": True, "logging.cloudtrail.log_file_validation": True,
             "encryption.min_tls_version": "1.2"}


def _rule(key: str) -> Any:
    for pattern, rule in _MORE:
        if fnmatch.fnmatchcase(key, pattern):
            return rule
    return None


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, Mapping) and data:
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: data} if prefix else {}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return None
    return None


def _show(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    number = _number(value) if not isinstance(value, str) else None
    if number is not None:
        return f"{int(number):,}" if number == number.to_integral_value() else f"{number:,}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _items(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [json.dumps(v, sort_keys=True) if isinstance(v, (Mapping, list)) else str(v) for v in value]
    return [] if value is None else [str(value)]


def _direction(key: str, before: Any, after: Any) -> str:
    rule = _rule(key)
    if rule is None:
        return CHANGED
    unset_loosest = any(fnmatch.fnmatchcase(key, p) for p in _UNSET_IS_LOOSEST)
    more_is_looser = rule == "looser"
    if before is None or after is None:
        if unset_loosest:
            return LOOSENED if after is None else TIGHTENED
        before = _DEFAULTS.get(key, before)
        after = _DEFAULTS.get(key, after)
        if before is None or after is None:
            if isinstance(before if after is None else after, list):  # a list appears or goes: compare with []
                before, after = before or [], after or []
            else:
                return CHANGED
    if isinstance(rule, Mapping):
        a, b = rule.get(str(before).lower()), rule.get(str(after).lower())
        if a is None or b is None or a == b:
            return CHANGED
        return TIGHTENED if b > a else LOOSENED
    if key == "encryption.customer_managed_keys.required_for" and "all" in (before, after):
        return TIGHTENED if after == "all" else LOOSENED
    if isinstance(before, list) or isinstance(after, list):
        old, new = set(_items(before)), set(_items(after))
        if old == new:
            return CHANGED
        grew, shrank = bool(new - old), bool(old - new)
        if grew and shrank:
            return CHANGED
        return (LOOSENED if more_is_looser else TIGHTENED) if grew else (TIGHTENED if more_is_looser else LOOSENED)
    if isinstance(before, bool) and isinstance(after, bool):
        return (LOOSENED if more_is_looser else TIGHTENED) if after else (TIGHTENED if more_is_looser else LOOSENED)
    old_n, new_n = _version(key, before), _version(key, after)
    if old_n is None or new_n is None or old_n == new_n:
        return CHANGED
    return (LOOSENED if more_is_looser else TIGHTENED) if new_n > old_n else (TIGHTENED if more_is_looser
                                                                              else LOOSENED)


def _version(key: str, value: Any) -> Any:
    if key == "encryption.min_tls_version" and isinstance(value, str):
        try:
            return tuple(int(p) for p in value.split("."))
        except ValueError:
            return None
    return _number(value)


def _words(before: Any, after: Any) -> str:
    if isinstance(before, list) or isinstance(after, list):
        if isinstance(before, (list, type(None))) and isinstance(after, (list, type(None))):
            old, new = _items(before), _items(after)
            added = [x for x in new if x not in old]
            removed = [x for x in old if x not in new]
            parts = []
            if added:
                parts.append("+ " + ", ".join(added))
            if removed:
                parts.append("− " + ", ".join(removed))
            if after is None:
                parts.append("(no longer set)")
            return "; ".join(parts) or "reordered"
    return f"{_show(before)} → {_show(after)}"


def _normalised(data: Mapping[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    """Forms that say the same thing written the same way: ``decisions.X: cto`` and a map by
    environment (each environment either side names, with the class default filled in); a number
    as ``cost.change_envelope`` and a map of ``{per_change, per_month}`` by environment."""
    from iacgov.review.model import CHANGE_CLASSES, authority_of

    out = dict(data)
    decisions, others = data.get("decisions") or {}, other.get("decisions") or {}
    if isinstance(decisions, Mapping) and isinstance(others, Mapping):
        flat: dict[str, Any] = {}
        policy = _Lookup(data)
        for cls in sorted(set(decisions) | set(others)):
            if cls not in CHANGE_CLASSES:
                flat[cls] = decisions.get(cls)
                continue
            envs = {e for v in (decisions.get(cls), others.get(cls)) if isinstance(v, Mapping) for e in v}
            if not envs:
                flat[cls] = authority_of(cls, policy)
            else:
                flat[cls] = {e: authority_of(cls, policy, e) for e in envs | {"default"}}
        out["decisions"] = flat
    envelope, other_envelope = _envelope_map(data), _envelope_map(other)
    if (envelope or other_envelope) and isinstance(data.get("cost"), Mapping):
        envs = set(envelope) | set(other_envelope)
        filled = {e: envelope.get(e, envelope.get("default")) for e in envs}
        out["cost"] = {**data["cost"], "change_envelope": {e: v for e, v in filled.items() if v is not None}}
    return out


class _Lookup:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    def get(self, path: str, default: Any = None) -> Any:
        value: Any = self.data
        for part in path.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return default
            value = value[part]
        return value


def _envelope_map(data: Mapping[str, Any]) -> dict[str, Any]:
    cost = data.get("cost")
    value = cost.get("change_envelope") if isinstance(cost, Mapping) else None
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        return {"default": {"per_change": value}}
    return {env: (v if isinstance(v, Mapping) else {"per_change": v}) for env, v in value.items()}


def diff_policies(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[KeyChange]:
    """Every leaf key that differs, in key order."""
    a, b = _flatten(_normalised(old, new)), _flatten(_normalised(new, old))
    out = []
    for key in sorted(set(a) | set(b)):
        before, after = a.get(key), b.get(key)
        if before == after:
            continue
        out.append(KeyChange(key, before, after, _direction(key, before, after), _words(before, after)))
    return out


# --------------------------------------------------------------------------- effect on findings


@dataclass(frozen=True)
class Effect:
    disappear: tuple[Any, ...]  # findings active under the old policy, not under the new
    appear: tuple[Any, ...]

    def as_dict(self) -> dict[str, Any]:
        def short(f: Any) -> dict[str, Any]:
            return {"code": f.code, "address": f.address, "file": f.location.path, "line": f.location.line,
                    "message": f.message}

        return {"disappear": [short(f) for f in self.disappear], "appear": [short(f) for f in self.appear]}


def _active(findings: Iterable[Any]) -> dict[tuple, Any]:
    # with the stack: two roots calling one module give findings of equal code, address, file and attribute
    return {(f.code, f.address, f.location.path, f.attribute or "", f.stack): f
            for f in findings if f.suppression is None}


def effect(old_findings: Sequence[Any], new_findings: Sequence[Any]) -> Effect:
    """Findings of one tree scanned under the old and under the new policy."""
    old, new = _active(old_findings), _active(new_findings)
    order = lambda f: (f.location.path, f.location.line, f.code, f.address)  # noqa: E731
    return Effect(tuple(sorted((f for k, f in old.items() if k not in new), key=order)),
                  tuple(sorted((f for k, f in new.items() if k not in old), key=order)))


@dataclass(frozen=True)
class PolicyDiff:
    changes: tuple[KeyChange, ...]
    effect: Effect | None = None
    error: str = ""  # the new policy could not be read: nothing else is known

    @property
    def loosened(self) -> tuple[KeyChange, ...]:
        return tuple(c for c in self.changes if c.direction == LOOSENED)

    @property
    def tightened(self) -> tuple[KeyChange, ...]:
        return tuple(c for c in self.changes if c.direction == TIGHTENED)

    @property
    def changed(self) -> tuple[KeyChange, ...]:
        return tuple(c for c in self.changes if c.direction == CHANGED)

    def as_dict(self) -> dict[str, Any]:
        return {"loosened": [c.as_dict() for c in self.loosened], "tightened": [c.as_dict() for c in self.tightened],
                "changed": [c.as_dict() for c in self.changed],
                "effect": self.effect.as_dict() if self.effect is not None else None,
                "error": self.error or None}

    def lines(self, printable: Callable[[str], str] = str) -> list[str]:
        """Plain-text lines (the review's text and Markdown build on these)."""
        if self.error:
            return [f"the new policy cannot be read: {printable(self.error)}"]
        out = []
        for title, items in (("loosened", self.loosened), ("tightened", self.tightened), ("changed", self.changed)):
            for c in items:
                out.append(f"{title:<9} {printable(c.key)}: {printable(c.words)}")
        if not self.changes:
            out.append("no key changes (formatting or comments only)")
        if self.effect is not None:
            for verb, findings in (("would disappear", self.effect.disappear), ("would appear", self.effect.appear)):
                for f in findings:
                    out.append(f"{verb}: {f.code} {printable(f.address)} {printable(f.location.path)}:"
                               f"{f.location.line}")
        return out


# --------------------------------------------------------------------------- command


@click.group("policy")
def policy() -> None:
    """Work with governance policies."""


@policy.command("diff")
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--scan", "scan_paths", multiple=True, type=click.Path(path_type=Path),
              help="Also scan these paths under both policies and list the findings that would disappear or "
                   "appear (repeatable).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on-loosened", is_flag=True, help="Exit 1 when a key is loosened.")
@click.pass_context
def diff_command(ctx: click.Context, old: Path, new: Path, scan_paths: tuple[Path, ...], fmt: str,
                 fail_on_loosened: bool) -> None:
    """Say what changes from policy OLD to policy NEW, key by key: loosened,
    tightened or changed, and (with --scan) the findings it would silence or raise."""
    from iacgov.commands.common import UserError, plugin_host
    from iacgov.engine import ScanRequest, _policy_schemas, scan
    from iacgov.model import ParseOptions
    from iacgov.policy import PolicyError, load_policy
    from iacgov.reporters.json_report import dumps
    from iacgov.reporters.text import printable

    host = plugin_host(ctx)
    try:
        policies = [load_policy(p, _policy_schemas(host)) for p in (old, new)]
    except PolicyError as exc:
        raise UserError(str(exc)) from None
    result = PolicyDiff(tuple(diff_policies(policies[0].data, policies[1].data)))
    if scan_paths:
        missing = [str(p) for p in scan_paths if not p.exists()]
        if missing:
            raise UserError(f"--scan {', '.join(missing)}: no such file or directory")
        from iacgov.discovery import find_root

        root = find_root([p.absolute() for p in scan_paths])
        try:
            runs = [scan(ScanRequest(tuple(p.absolute() for p in scan_paths), ParseOptions(), path.absolute(), root),
                         host) for path in (old, new)]
        except PolicyError as exc:
            raise UserError(str(exc)) from None
        result = PolicyDiff(result.changes, effect(runs[0].findings, runs[1].findings))
    if fmt == "json":
        click.echo(dumps({"old": str(old), "new": str(new), **result.as_dict()}), nl=False)
    else:
        click.echo(f"policy diff {printable(str(old))} -> {printable(str(new))}: {len(result.loosened)} loosened, "
                   f"{len(result.tightened)} tightened, {len(result.changed)} changed")
        for line in result.lines(printable):
            click.echo(f"  {line}")
    ctx.exit(1 if fail_on_loosened and result.loosened else 0)
