"""``iacgov rollup [NAME=]FILE... -o estate.html`` — one view across repositories (:mod:`iacgov.history.rollup`).

Exit codes: ``0`` the estate was written (also when a budget is exceeded on
the sum: the page and JSON say so); ``2`` an input that is not a scan
result or a cost estimate of version 1, a repository given twice, an
invalid ``--policy`` — one line naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("rollup")
@click.argument("inputs", nargs=-1, required=True, metavar="[NAME=]FILE...")
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="The estate's policy: its cost.budgets and cost.category_budgets are checked on the sum.")
@click.option("--format", "-f", "fmt", type=click.Choice(["html", "json", "text"]), default=None,
              help="Default: html with --output FILE.html, else text.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@click.option("--title", default="Cloud estate", show_default=True, help="Title of the HTML page.")
def rollup(inputs: tuple[str, ...], policy_path: Path | None, fmt: str | None, output: Path | None, title: str) -> None:
    """Merge iacgov scan --format json and iacgov cost --format json results of several repositories into one
    estate: cost per environment and provider, findings per family and repository, budgets on the sum."""
    from iacgov.commands.common import UserError, shown, write_output
    from iacgov.history import rollup as R
    from iacgov.history.html import rollup_page
    from iacgov.policy import PolicyError, load_policy
    from iacgov.report.command import report_date

    fmt = fmt or ("html" if output is not None and output.suffix.lower() in (".html", ".htm") else "text")
    try:
        policy = load_policy(policy_path) if policy_path is not None else None
        estate = R.estate(R.load(inputs), policy)
    except (R.RollupError, PolicyError) as exc:
        raise UserError(str(exc)) from None
    if fmt == "json":
        text = json.dumps(R.to_json_data(estate), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "html":
        text = rollup_page(estate, title, report_date())
    else:
        text = R.render_text(estate)
    if output is not None:
        write_output(output, text)
        over = [f"{b.scope} {b.name}" for b in estate.budgets if b.over]
        click.echo(f"wrote {shown(output)}: {len(estate.repositories)} repositories"
                   + (f"; over budget on the sum: {', '.join(over)}" if over else ""))
    else:
        click.echo(text, nl=False)
