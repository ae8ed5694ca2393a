"""``iacgov review`` — the provider pull-request review (DESIGN §2.4, §4).

Exit codes: 0 nothing left to approve and no new blocking finding; 1 an
authority still lacks its approval, or the change adds blocking findings (or
head files that cannot be read); 2 usage errors — bad refs, not a git
repository, an invalid base policy, an unreadable approvals file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import click

from iacgov.commands.common import UserError, plugin_host, output_targets, emit, value_options
from iacgov.model import ParseOptions
from iacgov.progress import on_terminal


class _Renderer:
    def __init__(self, name: str, render: Callable[..., str]) -> None:
        self.name = name
        self._render = render

    def render(self, review: Any, *, color: bool = False) -> str:
        return self._render(review, color=color)


def renderers() -> dict[str, _Renderer]:
    from iacgov.review import render_json, render_markdown, render_sarif, render_text

    return {"text": _Renderer("text", render_text.render), "markdown": _Renderer("markdown", render_markdown.render),
            "json": _Renderer("json", render_json.render), "sarif": _Renderer("sarif", render_sarif.render)}


@click.command("review")
@click.option("--base", "base_ref", required=True, metavar="REF",
              help="The pull request's base (target) commit, e.g. origin/main.")
@click.option("--head", "head_ref", default="HEAD", show_default=True, metavar="REF", help="The provider's commit.")
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True,
              help="The git repository.")
@click.option("--plan", "plan", type=click.Path(path_type=Path, dir_okay=False),
              help="Terraform plan JSON of head (terraform show -json PLAN): its change actions decide.")
@click.option("--policy", "policy", metavar="PATH",
              help="Repository path of the policy, read from the base commit (default: iacgov.yaml or "
                   ".iacgov.yaml at the repository root, else the embedded default).")
@click.option("--approvals", "approvals_file", type=click.Path(path_type=Path, dir_okay=False),
              help="JSON of GitHub's 'list reviews for a pull request' API.")
@click.option("--approved-by", "approved_by", multiple=True, metavar="LOGIN",
              help="A login that approved (repeatable), for forges other than GitHub.")
@click.option("--teams", "teams_file", type=click.Path(path_type=Path, dir_okay=False),
              help="JSON object, team slug (org/team) -> its members as GitHub's team members API lists them: "
                   "resolves '@org/team' entries of the policy's approvers.")
@click.option("--as-of", "as_of", metavar="DATE",
              help="'Now' for the monthly envelope (YYYY-MM-DD or ISO 8601; default: the base commit's date).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "markdown", "json", "sarif"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", "outputs", multiple=True, metavar="[FORMAT:]FILE|FORMAT",
              help="Where to write: FILE (in --format), FORMAT:FILE, or FORMAT alone for stdout. Repeatable.")
@click.option("--quiet", "-q", is_flag=True, help="Write nothing to stdout (outputs to files are still written).")
@click.option("--skip-path", "skip_paths", multiple=True, metavar="GLOB",
              help="Leave these paths out of both commits (repeatable), added to the base policy's exclude. Given "
                   "by the CI configuration, not by the change: the head's own policy never excludes anything.")
@click.option("--no-color", is_flag=True, help="No colour in the text output, even on a terminal (as NO_COLOR).")
@value_options
@click.pass_context
def review(ctx: click.Context, base_ref: str, head_ref: str, repo: Path, plan: Path | None, policy: str | None,
           approvals_file: Path | None, approved_by: tuple[str, ...], teams_file: Path | None, as_of: str | None,
           fmt: str, outputs: tuple[str, ...], quiet: bool, parse_options: ParseOptions,
           skip_paths: tuple[str, ...] = (), no_color: bool = False) -> None:
    """Review a provider's change: decisions and who must approve them, cost
    delta per environment, new and resolved findings. Reads both commits from
    git objects; the policy, suppressions and baseline come from --base."""
    from iacgov.plugins import PluginError
    from iacgov.review.approvals import ApprovalsError, load_reviews, load_teams
    from iacgov.review.envelope import parse_as_of
    from iacgov.review.gitrepo import GitError
    from iacgov.review.run import ReviewError, ReviewRequest, run_review

    reporters = renderers()
    targets = output_targets(outputs, fmt, reporters)
    if plan is not None and not plan.is_file():
        raise UserError(f"--plan {plan}: no such file")
    try:
        moment = parse_as_of(as_of) if as_of is not None else None
    except ValueError as exc:
        raise UserError(str(exc)) from None
    host = plugin_host(ctx)
    try:
        reviews = tuple(load_reviews(approvals_file)) if approvals_file is not None else ()
        teams = load_teams(teams_file) if teams_file is not None else {}
        with on_terminal(sys.stderr, enabled=not quiet):
            result = run_review(ReviewRequest(repo=repo, base=base_ref, head=head_ref, plan=plan, policy=policy,
                                              options=parse_options, reviews=reviews, approved_by=approved_by,
                                              teams=teams, as_of=moment, skip_paths=tuple(skip_paths), reuse=True), host)
    except (GitError, ReviewError, ApprovalsError, PluginError) as exc:
        raise UserError(str(exc)) from None
    emit(result, targets, reporters, quiet, color=not no_color)
    ctx.exit(result.exit_code)

