"""``iacgov report [PATH]... --output report.html [--base REF [--head REF]]`` — the governance report.

One self-contained HTML page for the CTO and the governance committee: the
verdict, findings by family and by responsibility domain, cost per
environment against budget, data location; with ``--base``, first the
provider pull request: decisions and who must approve them, approvals
given, cost delta per environment, new and resolved findings (the
``iacgov review`` engine), then the head commit as that review judged it.

Exit codes are ``iacgov scan``'s: ``0`` nothing blocking; ``1`` blocking
findings (``--fail-on``) or a file that could not be read; ``2`` usage,
policy or configuration error, a plugin that failed to load, a parser or
rule that crashed. With ``--base`` they are ``iacgov review``'s (``1`` while
an approval is missing or the change adds blocking findings). The page is
written whenever the analysis ran, also when it ends with 1 or 2.
"""

from __future__ import annotations

import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import click

from iacgov.commands.common import value_options
from iacgov.model import ParseOptions
from iacgov.progress import on_terminal

from iacgov.engine import FAIL_ON

DEFAULT_TITLE = "Cloud governance report"


def report_date() -> str:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` (reproducible builds): the
    only input of the page that is not in the scanned files."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date().isoformat()
        except (ValueError, OverflowError, OSError):
            from iacgov.commands.common import UserError

            raise UserError(f"SOURCE_DATE_EPOCH: expected a number of seconds, got {epoch!r}") from None
    return date.today().isoformat()


@click.command("report")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the HTML page to FILE (default: standard output).")
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Policy file (default: iacgov.yaml or .iacgov.yaml at the scanned root, else the embedded default); "
                   "with --base, its path in the repository, read from the base commit.")
@click.option("--base", "base_ref", metavar="REF",
              help="Report on a provider pull request: its base commit (e.g. origin/main); PATH is then the git "
                   "repository (default: .).")
@click.option("--head", "head_ref", metavar="REF", help="With --base: the provider's commit (default: HEAD).")
@click.option("--approvals", "approvals_file", type=click.Path(path_type=Path, dir_okay=False),
              help="With --base: JSON of GitHub's 'list reviews for a pull request' API.")
@click.option("--approved-by", "approved_by", multiple=True, metavar="LOGIN",
              help="With --base: a login that approved (repeatable), for forges other than GitHub.")
@click.option("--title", default=DEFAULT_TITLE, show_default=True, help="Title of the page.")
@click.option("--since", metavar="DATE", help="The last committee's date: what changed since, the trend and the "
              "suppression register, from the history ledger (iacgov history).")
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False),
              help="The history ledger (default: the repository's in the cache directory).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Lowest severity that is blocking (verdict and exit code 1); with --base, the review decides: "
                   "new errors and missing approvals block.")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Findings known by fingerprint are reported as existing, not blocking (as for iacgov scan; "
                   "default: the policy's suppressions.baseline, if set).")
@click.option("--usage-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Usage quantities for the cost estimate (as for iacgov cost).")
@click.option("--skip-path", "skip_paths", multiple=True, metavar="GLOB",
              help="Leave these paths out (repeatable; added to the policy's exclude), as for iacgov scan; with "
                   "--base, added to the base policy's exclude on both commits.")
@value_options
@click.option("--root", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Directory file paths are relative to (default: the git work tree, else the scanned directory).")
@click.pass_context
def report(ctx: click.Context, paths: tuple[Path, ...], output: Path | None, policy_path: Path | None,
           base_ref: str | None, head_ref: str | None, approvals_file: Path | None, approved_by: tuple[str, ...],
           title: str, fail_on: str, baseline_path: Path | None, usage_file: Path | None,
           parse_options: ParseOptions, root: Path | None, since: str | None = None, db: Path | None = None,
           skip_paths: tuple[str, ...] = ()) -> None:
    """Write the governance report: one self-contained HTML page (default PATH: .)."""
    from iacgov.commands.common import UserError, read_baseline, confined, plugin_host, check_paths, shown, write_output
    from iacgov.cost.catalog import CostConfigError
    from iacgov.engine import ScanRequest, exit_code
    from iacgov.plugins import PluginError
    from iacgov.policy import PolicyError
    from iacgov.report.collect import collect
    from iacgov.report.render import render_html
    from iacgov.report.view import build
    if usage_file is not None and not usage_file.is_file():
        raise UserError(f"--usage-file {usage_file}: no such file")
    generated = report_date()
    check_paths(paths or (Path("."),))
    if output is not None:
        confined(output)  # a link out of the working directory: refused before the analysis
    host = plugin_host(ctx)
    if base_ref is None:
        for name, given in (("--head", head_ref), ("--approvals", approvals_file), ("--approved-by", approved_by)):
            if given:
                raise UserError(f"{name} needs --base (the pull request's base commit)")
        request = ScanRequest(paths=paths or (Path("."),), options=parse_options, policy_path=policy_path, root=root,
                              baseline=read_baseline(baseline_path), skip_paths=tuple(skip_paths))
        try:
            with on_terminal(sys.stderr):
                data = collect(request, host, usage_path=usage_file.absolute() if usage_file else None)
        except (PolicyError, PluginError, CostConfigError) as exc:
            raise UserError(str(exc)) from None
        code = exit_code(data.result, fail_on)
    else:
        with on_terminal(sys.stderr):
            data = _collect_review(host, paths, base_ref, head_ref, policy_path, approvals_file, approved_by,
                                   parse_options, root=root, baseline_path=baseline_path, usage_file=usage_file,
                                   skip_paths=tuple(skip_paths))
        code = data.review.exit_code

    view = build(data, title=title, generated=generated, fail_on=fail_on)
    page = render_html(view)
    page = _history(page, data, since, db, generated)
    if output is None:
        click.echo(page, nl=False)
    else:
        write_output(output, page)
        click.echo(f"wrote {shown(output)}: {view.verdict.label}: {view.verdict.headline}")
    errors = data.review.errors if data.review is not None else data.result.errors
    for error in errors:
        click.echo(f"iacgov: error: {shown(error)}", err=True)
    ctx.exit(code)


def _collect_review(host, paths, base_ref, head_ref, policy_path, approvals_file, approved_by, options, *,
                    root, baseline_path, usage_file, skip_paths=()):
    """The pull-request form: the review engine reads both commits from git
    objects and applies the base commit's policy, baseline and usage file, so
    the options that name them on disk do not apply."""
    from iacgov.commands.common import UserError
    from iacgov.plugins import PluginError
    from iacgov.report.collect import collect_review
    from iacgov.review.approvals import ApprovalsError, load_reviews
    from iacgov.review.gitrepo import GitError
    from iacgov.review.run import ReviewError, ReviewRequest

    for name, given in (("--root", root), ("--baseline", baseline_path), ("--usage-file", usage_file)):
        if given is not None:
            raise UserError(f"{name} does not apply with --base: the base commit's policy names them")
    if len(paths) > 1:
        raise UserError("with --base, PATH is the git repository: give one at most")
    try:
        reviews = tuple(load_reviews(approvals_file)) if approvals_file is not None else ()
        request = ReviewRequest(repo=paths[0] if paths else Path("."), base=base_ref, head=head_ref or "HEAD",
                                policy=policy_path.as_posix() if policy_path is not None else None,
                                options=options, reviews=reviews, approved_by=approved_by, skip_paths=skip_paths)
        return collect_review(request, host)
    except (GitError, ReviewError, ApprovalsError, PluginError) as exc:
        raise UserError(str(exc)) from None


def _history(page: str, data, since: str | None, db: Path | None, generated: str) -> str:
    """The ledger's sections (iacgov.history.report_hook), with --since or --db."""
    from iacgov.commands.common import UserError
    from iacgov.history.command import parse_day
    from iacgov.history.ledger import LedgerError
    from iacgov.history.report_hook import with_history

    try:
        return with_history(page, data, since=parse_day(since, "--since"), db=db, today=generated)
    except LedgerError as exc:
        raise UserError(str(exc)) from None
