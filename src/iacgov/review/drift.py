"""Drift: changes made outside the code, read from a plan's ``resource_drift``.

``terraform plan`` refreshes the state first and lists in ``resource_drift``
every object whose real settings no longer match the last apply — someone
changed it in a console or with another tool. Each drifted object is
classified with the review's change classes (its ``change.before`` is what
the code last applied, its ``change.after`` what exists now) and reported as
a decision nobody approved: "backup retention shortened ... on
aws_db_instance.billing, changed outside the code: security_downgrade, no
approval on record". ``iacgov review --plan`` adds them to the review's
decisions (the authority must still approve); ``iacgov drift PLAN`` lists
them alone.

Exit codes of ``iacgov drift``: 0 no drift that needs an approval, 1 drift
that a CTO or the strategic committee must look at, 2 unreadable plan or
policy.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import click

from iacgov.fingerprint import stack_of
from iacgov.model import Location, Resource
from iacgov.normalise import cloud_of_type, terraform_tags
from iacgov.review.diff import CHANGED, REMOVED, ResourceChange, attribute_changes
from iacgov.review.model import Decision

MAX_PLAN_BYTES = 256 * 1024 * 1024


class DriftError(Exception):
    """The plan cannot be read: one line, exit 2."""


def read_plan(path: Path) -> tuple[dict[str, Any], str]:
    """The plan JSON and its text (for line numbers)."""
    try:
        if path.stat().st_size > MAX_PLAN_BYTES:
            raise DriftError(f"{path}: larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB")
        text = path.read_bytes().decode("utf-8-sig")
        plan = json.loads(text)
    except FileNotFoundError:
        raise DriftError(f"{path}: no such file") from None
    except OSError as exc:
        raise DriftError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise DriftError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise DriftError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(plan, dict) or "format_version" not in plan:
        raise DriftError(f"{path}: not a Terraform plan JSON (terraform show -json PLAN)")
    drift = plan.get("resource_drift")
    if drift is not None and not isinstance(drift, list):
        raise DriftError(f"{path}: resource_drift is not a list")
    return plan, text


def _line(text: str, address: str, start: int) -> int:
    """The line of ``"address": "<address>"`` in the drift section (plans are pretty-printed or not)."""
    needle = json.dumps(address)
    at = text.find(needle, start)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def drift_changes(plan: Mapping[str, Any], text: str, shown_path: str) -> list[ResourceChange]:
    """Each managed drifted object as a change: updated (CHANGED) or deleted outside the code (REMOVED)."""
    start = max(text.find('"resource_drift"'), 0)
    out = []
    for item in plan.get("resource_drift") or ():
        if not isinstance(item, Mapping) or item.get("mode", "managed") != "managed":
            continue
        address, rtype = item.get("address"), item.get("type")
        change = item.get("change") if isinstance(item.get("change"), Mapping) else {}
        actions = tuple(str(a) for a in change.get("actions") or ())
        before, after = change.get("before"), change.get("after")
        if not isinstance(address, str) or not isinstance(rtype, str) or not isinstance(before, Mapping):
            continue
        where = Location(shown_path, _line(text, address, start))

        def resource(values: Mapping[str, Any]) -> Resource:
            return Resource(address=address, type=rtype, cloud=cloud_of_type(rtype), source_format="terraform-plan",
                            location=where, attributes=dict(values), tags=terraform_tags(rtype, values, None),
                            module=str(item.get("module_address") or ""))

        old = resource(before)
        if "delete" in actions or after is None:
            out.append(ResourceChange(REMOVED, "plan", address, old, None))
        elif isinstance(after, Mapping):
            new = resource(after)
            attributes = attribute_changes(old, new)
            if attributes:
                out.append(ResourceChange(CHANGED, "plan", address, old, new, attributes))
    return out


def classify_drift(changes: Sequence[ResourceChange], policy: Any,
                   relocate: Mapping[str, Resource] | None = None) -> list[Decision]:
    """The review's classes on changes nobody made in code; ``relocate``: address -> the head
    tree's resource, to point a decision at its block."""
    from iacgov.review import classify as C

    decisions: list[Decision] = []
    decisions += C.classify_storage_class(changes, policy)
    decisions += C.classify_stateful(changes, policy)
    decisions += C.classify_security(changes, (), policy)
    decisions += C.classify_admin(changes, [c.before for c in changes if c.before is not None],
                                  [c.after for c in changes if c.after is not None], (), policy)
    out = []
    for d in decisions:
        twin = (relocate or {}).get(d.address)
        file, line = (twin.location.path, twin.location.line) if twin is not None else (d.file, d.line)
        what = "deleted outside the code" if d.side == "base" else "changed outside the code"
        # Without its block the root is not known: routed by the address in every root (the strictest).
        out.append(replace(d, file=file, line=line, side="head", stack=stack_of(twin) if twin is not None else "",
                           detail=f"{d.detail} on {d.address}, {what}: {d.change_class}, no approval on record",
                           properties={**d.properties, "drift": True}))
    return sorted({d.order(): d for d in out}.values(), key=Decision.order)


@click.command("drift")
@click.argument("plan", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="The policy routing each class to an authority (default: iacgov.yaml here, else the embedded "
                   "default).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def drift(ctx: click.Context, plan: Path, policy_path: Path | None, fmt: str) -> None:
    """Classify the changes made outside the code that a plan's resource_drift lists."""
    from iacgov.commands.common import UserError, plugin_host
    from iacgov.engine import _policy_schemas
    from iacgov.policy import POLICY_NAMES, PolicyError, load_policy
    from iacgov.reporters.json_report import dumps
    from iacgov.reporters.text import printable

    if policy_path is None:
        policy_path = next((Path(n) for n in POLICY_NAMES if Path(n).is_file()), None)
    try:
        policy = load_policy(policy_path, _policy_schemas(plugin_host(ctx)))
        data, text = read_plan(plan)
    except (PolicyError, DriftError) as exc:
        raise UserError(str(exc)) from None
    decisions = classify_drift(drift_changes(data, text, str(plan)), policy)
    needs = sorted({d.authority for d in decisions} - {"provider"})
    if fmt == "json":
        click.echo(dumps({"plan": str(plan), "drift": [
            {"address": d.address, "change_class": d.change_class, "code": d.code, "authority": d.authority,
             "file": d.file, "line": d.line, "detail": d.detail} for d in decisions],
            "needs_approval_from": needs}), nl=False)
    else:
        click.echo(f"iacgov drift: {len(decisions)} change(s) made outside the code"
                   + (f", needs {' and '.join(needs)}" if needs else ""))
        for d in decisions:
            click.echo(f"  {d.code}  {d.authority:<9} {printable(d.address)}  {printable(d.file)}:{d.line}")
            click.echo(f"         {printable(d.detail)}")
    ctx.exit(1 if needs else 0)
