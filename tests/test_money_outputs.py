"""One money formatter (cost.model.format_money) in every output: the sign first
(``-$5.00``, never ``$-5.00``), ``$`` for USD, thousands separated, cents always.
Each test reads what a user reads: rendered text, HTML cells, chart ticks."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from iacgov.cost.model import format_money
from iacgov.history.html import since_html, trend_html
from iacgov.history.ledger import CommitRecord
from iacgov.history.series import periods, render_text
from iacgov.report.view import money_tick, signed_money

SRC = Path(__file__).resolve().parents[1] / "src" / "iacgov"


def record(sha: str, day: str, prod: str, dev: str) -> CommitRecord:
    when = int(datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp())
    costs = {("environment", "prod"): Decimal(prod), ("environment", "dev"): Decimal(dev)}
    return CommitRecord(sha=sha * 40, parents=(), committed_at=when, author="a", subject="s", policy="iacgov.yaml",
                        currency="USD", total=Decimal(prod) + Decimal(dev), files=1, resources=1, unpriced=0,
                        complete=True, costs=costs)


RECORDS = [record("a", "2026-08-10", "1234.5", "20.004"), record("b", "2026-09-10", "1229.495", "0")]


def test_history_text_and_html_write_amounts_as_every_output_does():
    text = render_text(periods(RECORDS, "month"), branch="main", by="month", ledger={})
    assert re.search(r"2026-08 .* \$20\.00 +\$1,234\.50 +\$1,254\.50 ", text), text
    assert re.search(r"2026-09 .* \$0\.00 +\$1,229\.50 +\$1,229\.50 ", text), text  # half up, as the totals
    page = since_html(RECORDS, date(2026, 9, 1), ())
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", page)
    # before, now, change: a decrease is "-$20.00" (it was "$-20.00"), an increase "+$..."
    assert cells[:8] == ["dev", "$20.00", "$0.00", "-$20.00", "prod", "$1,234.50", "$1,229.50", "-$5.01"], cells
    assert "$1,234.50" in trend_html(RECORDS)


def test_report_signs_and_ticks_use_the_formatter():
    assert [signed_money(Decimal(v)) for v in ("12.3", "-4", "0.004", "-0.004", "-1234.5")] == [
        "+$12.30", "-$4.00", "$0.00", "$0.00", "-$1,234.50"]
    assert [money_tick(v, "USD") for v in (0, 0.25, 1000.0, 2500)] == ["$0", "$0.25", "$1,000", "$2,500"]
    assert signed_money(Decimal("7"), "EUR") == format_money(Decimal("7"), "EUR", signed=True) == "+7.00 EUR"


def test_no_output_module_formats_money_itself():
    """``$`` before a thousands-separated number, or a thousands-separated two-decimal format,
    is cost.model.format_money's job alone (history/html.py's trend ticks were the last)."""
    own = re.compile(r"\$\{[^}]*:,|:,\.2f|\$\{_amount")  # unit prices ($0.0928 per GB) are not amounts
    offenders = [f"{path.relative_to(SRC)}:{n}" for path in sorted(SRC.rglob("*.py")) if path.name != "model.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if own.search(line)]
    assert offenders == []
