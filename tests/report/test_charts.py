"""Chart geometry: one linear scale from zero, budget markers where the budget is, readable ticks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from iacgov.report.charts import WIDTH, Part, RowSpec, bar_chart, nice_step, shorten


@pytest.mark.parametrize("span, step", [(5, 1), (13, 5), (3000, 1000), (1200, 250), (869.77, 200), (0.4, 0.1),
                                        (0, 1.0)])
def test_ticks_step_1_2_5(span, step):
    assert nice_step(span) == pytest.approx(step)


def test_bars_and_budget_marker_share_one_scale():
    chart = bar_chart("c", "t", "d", [
        RowSpec("prod", (Part(Decimal("756.28"), "bar-ok", "prod"),), "$756.28 of $3,000.00",
                ((Decimal(3000), "marker-budget", "budget"),)),
        RowSpec("staging", (), "$0.00 of $500.00", ((Decimal(500), "marker-budget", "budget"),)),
    ], value_column=True)
    prod, staging = chart.rows
    plot_x = chart.label_width
    full = prod.markers[0].x - plot_x  # the 3,000 budget is the top of the scale
    assert [t.label for t in chart.ticks] == ["0", "1000", "2000", "3000"]
    assert prod.segments[0].x == plot_x
    assert prod.segments[0].width == pytest.approx(full * 756.28 / 3000, abs=0.02)
    assert staging.segments == ()  # nothing to draw for $0
    assert staging.markers[0].x - plot_x == pytest.approx(full / 6, abs=0.02)
    assert prod.value_x == staging.value_x == WIDTH - 4 and chart.value_anchor == "end"
    assert staging.y - prod.y == 34 and chart.height > staging.y


def test_stacked_segments_follow_each_other():
    chart = bar_chart("c", "t", "d", [RowSpec("LOC", (Part(4, "sev-error", "4 error"), Part(1, "sev-warning", "1")),
                                              "5")])
    error, warning = chart.rows[0].segments
    assert warning.x == pytest.approx(error.x + error.width, abs=0.02)
    assert warning.width == pytest.approx(error.width / 4, abs=0.02)
    assert chart.rows[0].value_x > warning.x + warning.width  # the total is written after the bar


def test_long_labels_are_shortened_in_the_chart_only():
    label = "module.archive.aws_dynamodb_table.index_of_everything"
    chart = bar_chart("c", "t", "d", [RowSpec(label, (Part(1, "bar-ok", ""),), "1")])
    assert chart.rows[0].label == shorten(label) and len(chart.rows[0].label) == 30
    assert chart.rows[0].label.endswith("…") and chart.rows[0].full_label == label


def test_counts_keep_whole_number_ticks():
    chart = bar_chart("c", "t", "d", [RowSpec("LOC", (Part(1, "sev-error", ""),), "1")], min_step=1)
    assert [t.label for t in chart.ticks] == ["0", "1"]
