"""The demo report opened in real headless Chromium (Debian's ``chromium``,
which ``.ci/run`` installs): the rendered DOM shows the figures the JSON
outputs give, and repository strings stay text."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from conftest import DEMO, REPO
from htmlkit import money, read_page, screenshot_script

SCRIPT = screenshot_script()
HOSTILE_KEY = "<script>alert(1)</script>"
HOSTILE_ENV = "<img src=x onerror=alert(2)>"

if SCRIPT.find_chromium() is None:
    # CI installs it (.ci/run): there a missing browser is a failure, not a skip.
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run should have installed it", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def demo_dom(tmp_path_factory):
    html = tmp_path_factory.mktemp("report") / "report.html"
    assert SCRIPT.write_demo_report(html) == 1  # the demo has blocking findings
    return read_page(SCRIPT.dump_dom(html))


def _json(cli, *args):
    result = cli(*args, cwd=REPO)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_rendered_page_shows_the_cost_json_totals_per_environment(demo_dom, cli):
    cost = _json(cli, "cost", "fixtures/demo", "--format", "json")
    rows = demo_dom.rows_by("cost-by-environment", "data-environment")
    assert cost["by_environment"], "the demo has priced environments"
    for env, monthly in cost["by_environment"].items():
        assert rows[env][1] == money(monthly), env
    for env, budget in cost["budgets"].items():
        assert rows[env][1] == money(budget["monthly"]) and rows[env][2] == money(budget["budget"]), env
        assert ("Over budget" in rows[env][4]) is budget["over"]
    assert set(rows) == set(cost["by_environment"]) | set(cost["budgets"])
    total = demo_dom.table("cost-by-environment")["Total"]
    assert total[1] == money(cost["total_monthly"])
    assert f"Cost: {money(cost['total_monthly'])} a month" in demo_dom.text
    apps = demo_dom.table("cost-by-application")
    assert {name: row[1] for name, row in apps.items() if name != "Application"} == \
        {name: money(v) for name, v in cost["by_application"].items()}
    unpriced = demo_dom.tables["cost-unpriced"][1:]  # after the header row
    assert [r.cells[0] for r in unpriced] == [u["address"] for u in cost["unpriced"]]
    catalog = demo_dom.table("price-catalog")
    for name, meta in cost["catalog"]["files"].items():
        assert catalog[name.removesuffix(".csv")][1] == meta["prices_dated"]


def test_rendered_page_shows_the_scan_json_counts_per_family(demo_dom, cli):
    scan = _json(cli, "scan", "fixtures/demo", "--format", "json")
    summary = scan["summary"]
    rows = demo_dom.rows_by("findings-by-family", "data-family")
    assert {family: int(cells[5]) for family, cells in rows.items()} == summary["by_family"]
    by_severity = {"error": 2, "warning": 3, "note": 4}
    for severity, column in by_severity.items():
        assert sum(int(cells[column]) for cells in rows.values()) == summary["by_severity"].get(severity, 0)
    total = demo_dom.table("findings-by-family")["Total"]
    assert int(total[5]) == summary["findings"] and int(total[6]) == summary["suppressed"]
    assert "Action required" in demo_dom.text and f"{summary['blocking']} blocking findings" in demo_dom.text
    # every finding is listed once, under its responsibility domain
    for finding in scan["findings"]:
        assert finding["message"] in demo_dom.text
    assert demo_dom.text.count("blocking") >= summary["blocking"]


def test_page_is_static_charts_have_text_alternatives(demo_dom):
    assert demo_dom.tags["script"] == 0
    assert demo_dom.tags["link"] == 0 and demo_dom.tags["iframe"] == 0 and demo_dom.tags["img"] == 0
    assert demo_dom.tags["svg"] == 2
    assert {"chart-findings", "chart-budgets", "chart-findings-title", "chart-budgets-desc"} <= demo_dom.ids
    # the table beside each chart holds its figures
    assert {"findings-by-family", "cost-by-environment"} <= set(demo_dom.tables)


def _hostile_project(tmp_path):
    project = tmp_path / "estate"
    shutil.copytree(DEMO, project)
    (project / "terraform" / "hostile.tf").write_text(
        'resource "aws_s3_bucket" "hostile" {\n'
        '  provider = aws.dr\n'
        f'  for_each = toset(["{HOSTILE_KEY}"])\n'
        '  bucket   = "hostile-${each.key}"\n'
        f'  tags     = {{ env = "{HOSTILE_ENV}", app = "{HOSTILE_KEY}" }}\n'
        '}\n', encoding="utf-8")
    return project


def test_hostile_names_render_as_text_in_the_browser(tmp_path, cli):
    project = _hostile_project(tmp_path)
    html = tmp_path / "report.html"
    result = cli("report", project / "terraform", "--output", html, "--root", project, cwd=tmp_path)
    assert result.exit_code == 1, result.output
    raw = html.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    page = read_page(SCRIPT.dump_dom(html))
    assert page.tags["script"] == 0 and page.tags["img"] == 0, "a repository string became an element"
    address = f'aws_s3_bucket.hostile["{HOSTILE_KEY}"]'
    assert address in page.text  # the finding's resource (LOC001: the bucket is in us-east-1)
    # the tag values: an application and an environment (table and chart label)
    assert page.table("cost-by-application")[HOSTILE_KEY][1] == "$0.00"
    assert page.rows_by("cost-by-environment", "data-environment")[HOSTILE_ENV][0] == HOSTILE_ENV
    assert page.text.count(HOSTILE_ENV) >= 2


# --------------------------------------------------------------------------- responsive layout (issue 19)

WIDTHS = (400, 1366)  # a phone, a laptop


@pytest.fixture(scope="module")
def demo_html(tmp_path_factory):
    html = tmp_path_factory.mktemp("responsive") / "report.html"
    SCRIPT.write_demo_report(html)
    return html


@pytest.fixture(scope="module")
def layouts(demo_html):
    return {width: SCRIPT.measure_layout(demo_html, width) for width in WIDTHS}


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_overflows_horizontally(layouts, width):
    layout = layouts[width]
    assert layout["innerWidth"] == width  # the viewport really is that wide (a frame below Chromium's 500 px)
    assert layout["scrollWidth"] <= layout["innerWidth"], layout
    assert layout["offenders"] == []


def test_on_a_phone_tables_are_cards_not_one_character_per_line(layouts):
    # Before: 63,000 px tall at 400 px, findings wrapping one character a line (9x the desktop page).
    assert layouts[400]["scrollHeight"] < 3 * layouts[1366]["scrollHeight"], layouts


def test_the_pull_request_page_fits_a_phone(tmp_path, cli, monkeypatch):
    from test_report_pull_request import DEMO as REVIEW_DEMO, GIT_ENV, _commit, _git

    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    repo = tmp_path / "infra"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "commit.gpgsign", "false")
    _commit(repo, REVIEW_DEMO / "base", "base")
    _git(repo, "checkout", "-q", "-b", "provider")
    _commit(repo, REVIEW_DEMO / "head", "head")
    html = tmp_path / "pr.html"
    result = cli("report", repo, "--base", "main", "--head", "provider", "--output", html)
    assert result.exit_code == 1, result.output  # blocked: approvals missing
    layout = SCRIPT.measure_layout(html, 400)
    assert layout["scrollWidth"] <= 400 and layout["offenders"] == [], layout


def test_long_identifiers_wrap_at_their_separators_and_never_overflow(tmp_path, cli):
    name = "a_very_long_bucket_name_written_by_a_provider_that_likes_descriptive_identifiers_" * 2 + "x" * 90
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n}\n'
        f'resource "aws_s3_bucket" "{name}" {{\n  tags = {{ env = "prod", app = "{name}" }}\n}}\n', encoding="utf-8")
    html = tmp_path / "report.html"
    assert cli("report", tmp_path, "--output", html, cwd=tmp_path).exit_code == 1
    raw = html.read_text(encoding="utf-8")
    assert "aws_<wbr>s3_<wbr>bucket.<wbr>a_<wbr>very_<wbr>long_<wbr>bucket_" in raw
    for width in WIDTHS:
        layout = SCRIPT.measure_layout(html, width)
        assert layout["scrollWidth"] <= layout["innerWidth"] and layout["offenders"] == [], (width, layout)
    page = read_page(SCRIPT.dump_dom(html))
    assert f"aws_s3_bucket.{name}" in page.text  # <wbr> adds no character: copied text is the address


def test_the_screenshots_in_docs_are_at_both_widths():
    import struct

    for width in WIDTHS:
        png = REPO / "docs" / f"report-{width}.png"
        head = png.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">I", head[16:20])[0] == width, png
