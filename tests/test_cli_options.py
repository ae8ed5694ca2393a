"""The options users of checkov, tflint and trivy reach for first (issue 19),
each through the real command line: exit codes, outputs, messages."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO, REPO
from tests.review.gitkit import POLICY, pr, rcli, repo, review_json  # noqa: F401 - fixtures

ALLOWED = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
# LOC001 (error) wherever it is written: the provider's region is not allowed
OUTSIDE = 'provider "aws" {\n  region = "us-east-1"\n}\nresource "aws_sqs_queue" "q" {\n  tags = { env = "prod", app = "x" }\n}\n'
PLAIN_POLICY = "version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\n"


def _estate(tmp_path: Path, policy: str = PLAIN_POLICY) -> Path:
    """prod/ (one LOC001), examples/ and modules/net/test/ (one LOC001 each)."""
    root = tmp_path / "estate"
    for folder in ("prod", "examples/basic", "modules/net/test"):
        (root / folder).mkdir(parents=True)
        (root / folder / "main.tf").write_text(OUTSIDE, encoding="utf-8")
    (root / "examples/basic/README.md").write_text("not infrastructure\n", encoding="utf-8")
    (root / "iacgov.yaml").write_text(policy, encoding="utf-8")
    (root / ".git").mkdir()  # the repository root: paths are relative to it
    return root


def _json(result) -> dict:
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _files(doc: dict) -> set[str]:
    return {f["file"] for f in doc["findings"]}


# --------------------------------------------------------------------------- --skip-path and exclude


def test_skip_path_globs_leave_files_out_and_are_counted_not_a_gap(cli, tmp_path):
    root = _estate(tmp_path)
    full = _json(cli("scan", root, "--format", "json"))
    assert _files(full) == {"prod/main.tf", "examples/basic/main.tf", "modules/net/test/main.tf"}

    result = cli("scan", root, "--skip-path", "examples/", "--skip-path", "**/test/**")
    assert result.exit_code == 1  # prod's finding still blocks
    assert "prod/main.tf" in result.stdout
    assert "examples/basic/main.tf" not in result.stdout and "modules/net/test" not in result.stdout
    last = result.stdout.rstrip("\n").splitlines()[-1]
    # two .tf files (the README is no infrastructure file), and coverage stays complete
    assert last == "Analysed 1 file, 1 resource; nothing left out. 2 files excluded by --skip-path/exclude."

    doc = _json(cli("scan", root, "--skip-path", "examples/", "--skip-path", "**/test/**", "--format", "json"))
    assert _files(doc) == {"prod/main.tf"} and doc["coverage"]["complete"] is True


def test_skip_path_matches_a_folder_name_at_any_depth_and_anchors_paths_with_a_slash(cli, tmp_path):
    root = _estate(tmp_path)
    assert _files(_json(cli("scan", root, "--skip-path", "test", "--format", "json"))) == \
        {"prod/main.tf", "examples/basic/main.tf"}
    # anchored at the repository root: net/test/ is not at the root, nothing is left out
    assert len(_files(_json(cli("scan", root, "--skip-path", "net/test/", "--format", "json")))) == 3
    assert _files(_json(cli("scan", root, "--skip-path", "modules/net/*/main.tf", "--format", "json"))) == \
        {"prod/main.tf", "examples/basic/main.tf"}
    # a file named on the command line is excluded too (pre-commit names the staged files)
    result = cli("scan", root / "examples/basic/main.tf", "--root", root, "--skip-path", "examples/")
    assert result.exit_code == 0, result.output
    assert "1 file excluded by --skip-path/exclude" in result.stdout


def test_policy_exclude_applies_and_adds_to_skip_path(cli, tmp_path):
    root = _estate(tmp_path, PLAIN_POLICY + "exclude:\n  - examples/\n")
    assert _files(_json(cli("scan", root, "--format", "json"))) == {"prod/main.tf", "modules/net/test/main.tf"}
    doc = _json(cli("scan", root, "--skip-path", "**/test/**", "--format", "json"))
    assert _files(doc) == {"prod/main.tf"}


def test_policy_exclude_is_validated(cli, tmp_path):
    root = _estate(tmp_path, PLAIN_POLICY + "exclude: examples/\n")
    result = cli("scan", root)
    assert result.exit_code == 2
    assert "iacgov.yaml:5" in result.output and "exclude" in result.output


def test_review_applies_the_base_policys_exclusions_never_the_heads(pr, review_json):
    finding = ('resource "aws_sqs_queue" "q" {\n  provider = aws.us\n  tags = { env = "prod", app = "x" }\n}\n')
    providers = ALLOWED + 'provider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}\n'
    # The head excludes prod/ in its own policy and adds a finding there: still reported.
    repo, base, _ = pr({"prod/providers.tf": providers},
                       {"prod/queue.tf": finding, "iacgov.yaml": POLICY + "exclude:\n  - prod/\n"})
    code, doc = review_json(repo, base)
    assert code == 1
    assert [(f["code"], f["file"]) for f in doc["new_findings"]] == [("LOC001", "prod/queue.tf")]
    assert "policy_change" in {c["change_class"] for c in doc["changes"]}


def test_review_base_policy_exclusions_apply_to_both_commits(pr, review_json):
    finding = ('resource "aws_sqs_queue" "q" {\n  provider = aws.us\n  tags = { env = "prod", app = "x" }\n}\n')
    providers = ALLOWED + 'provider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}\n'
    repo, base, _ = pr({"iacgov.yaml": POLICY + "exclude:\n  - examples/\n", "examples/providers.tf": providers},
                       {"examples/queue.tf": finding})
    code, doc = review_json(repo, base)
    assert doc["new_findings"] == []
    # what the company chose not to scan is not new findings; a change there is still said
    # (a Terraform file the scan did not read): the gate names it rather than pass it silently
    assert [(c["change_class"], c["address"]) for c in doc["changes"]] == [("unanalysed_change", "examples/queue.tf")]
    assert code == 1


def test_review_skip_path_from_the_command_line_leaves_a_path_out_of_both_commits(pr, review_json):
    """The CI configuration (the company's) may leave paths out of the review: added to the
    base policy's exclude, as if the base policy said it."""
    finding = ('resource "aws_sqs_queue" "q" {\n  provider = aws.us\n  tags = { env = "prod", app = "x" }\n}\n')
    providers = ALLOWED + 'provider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}\n'
    repo, base, _ = pr({"examples/providers.tf": providers}, {"examples/queue.tf": finding})
    code, doc = review_json(repo, base)
    assert [(f["code"], f["file"]) for f in doc["new_findings"]] == [("LOC001", "examples/queue.tf")]
    code, doc = review_json(repo, base, "--skip-path", "examples/")
    assert doc["new_findings"] == []
    assert [(c["change_class"], c["address"]) for c in doc["changes"]] == [("unanalysed_change", "examples/queue.tf")]


PRICED = ('provider "aws" {{\n  region = "eu-west-3"\n}}\nresource "aws_instance" "{name}" {{\n'
          '  ami = "ami-1"\n  instance_type = "m5.large"\n  tags = {{ env = "prod", app = "x" }}\n}}\n')


def test_cost_skip_path_leaves_paths_out_of_the_estimate(cli, tmp_path):
    root = tmp_path / "estate"
    for folder, name in (("prod", "app"), ("examples/basic", "demo")):
        (root / folder).mkdir(parents=True)
        (root / folder / "main.tf").write_text(PRICED.format(name=name), encoding="utf-8")
    (root / ".git").mkdir()
    full = _json(cli("cost", root, "--format", "json"))
    assert sorted(r["address"] for r in full["resources"]) == ["aws_instance.app", "aws_instance.demo"]
    skipped = _json(cli("cost", root, "--format", "json", "--skip-path", "examples/"))
    assert [r["address"] for r in skipped["resources"]] == ["aws_instance.app"]
    assert skipped["total_monthly"] * 2 == full["total_monthly"]


def test_report_skip_path_leaves_paths_out_of_the_page(cli, tmp_path):
    root = _estate(tmp_path)
    page = cli("report", root)
    assert page.exit_code == 1
    assert '<div class="headline" id="verdict-headline">3 blocking findings</div>' in page.stdout
    page = cli("report", root, "--skip-path", "examples/", "--skip-path", "**/test/**")
    assert page.exit_code == 1  # prod's finding still blocks
    assert '<div class="headline" id="verdict-headline">1 blocking finding</div>' in page.stdout
    # left out by the user's choice: not a coverage gap
    assert '<dd id="coverage-summary">Analysed 1 file, 1 resource; nothing left out.</dd>' in page.stdout


# --------------------------------------------------------------------------- --check / --skip-check


def test_check_and_skip_check_by_code_and_family(cli):
    full = _json(cli("scan", DEMO, "--format", "json"))
    codes = {f["code"] for f in full["findings"]}
    assert {"LOC001", "LOC002", "ENC002", "TAG001"} <= codes

    only = _json(cli("scan", DEMO, "--check", "LOC,enc002", "--format", "json"))
    assert {f["code"] for f in only["findings"]} == {c for c in codes if c.startswith("LOC")} | {"ENC002"}
    repeated = _json(cli("scan", DEMO, "--check", "LOC", "--check", "ENC002", "--format", "json"))
    assert repeated["findings"] == only["findings"]

    skipped = _json(cli("scan", DEMO, "--skip-check", "LOC", "--skip-check", "TAG001", "--format", "json"))
    assert {f["code"] for f in skipped["findings"]} == codes - {c for c in codes if c.startswith("LOC")} - {"TAG001"}

    both = _json(cli("scan", DEMO, "--check", "LOC", "--skip-check", "LOC003", "--format", "json"))
    assert {f["code"] for f in both["findings"]} == {c for c in codes if c.startswith("LOC")} - {"LOC003"}


def test_check_changes_the_exit_code_with_the_findings_it_keeps(cli):
    assert cli("scan", DEMO, "-q").exit_code == 1
    assert cli("scan", DEMO, "-q", "--check", "TAG").exit_code == 0  # TAG001 is a warning


def test_check_selection_also_restricts_the_sarif_rules(cli, tmp_path, validate_sarif):
    out = tmp_path / "r.sarif"
    cli("scan", DEMO, "--check", "LOC", "-o", out)
    log = validate_sarif(json.loads(out.read_text()))
    run = log["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {"LOC001", "LOC002", "LOC003"}
    assert {r["ruleId"] for r in run["results"]} <= {"LOC001", "LOC002", "LOC003"}


@pytest.mark.parametrize("option, value, message", [
    ("--check", "LOC01", "--check LOC01: 'LOC01' is not a rule code of the loaded rules and plugins; did you mean 'LOC001'?"),
    ("--skip-check", "ENC,LOX", "--skip-check LOX: 'LOX' is not a rule family of the loaded rules and plugins; did you mean 'LOG'?"),
])
def test_unknown_check_is_a_usage_error_with_a_suggestion(cli, option, value, message):
    result = cli("scan", DEMO, option, value)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"Error: {message}"]


# --------------------------------------------------------------------------- output shape


def test_compact_drops_the_excerpts_only(cli):
    full = cli("scan", DEMO).stdout
    compact = cli("scan", DEMO, "--compact").stdout
    assert "│" in full and "│" not in compact
    assert [line for line in full.splitlines() if "│" not in line] == compact.splitlines()


def test_soft_fail_is_fail_on_never(cli):
    assert cli("scan", DEMO, "-q").exit_code == 1
    assert cli("scan", DEMO, "-q", "--soft-fail").exit_code == 0
    assert cli("scan", DEMO, "-q", "--fail-on", "never").exit_code == 0


def _on_a_terminal(*args: str) -> str:
    """``iacgov ARGS`` with its stdout on a pseudo-terminal, as a user sees it."""
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    proc = subprocess.Popen([sys.executable, "-m", "iacgov", *args], stdout=secondary, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, cwd=REPO, env=env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(primary)
    return b"".join(chunks).decode("utf-8", "replace")


def test_no_color_turns_colour_off_on_a_terminal():
    coloured = _on_a_terminal("scan", "fixtures/demo/azure")
    assert "\x1b[31m" in coloured  # an error, in red
    plain = _on_a_terminal("scan", "fixtures/demo/azure", "--no-color")
    assert "LOC001" in plain and "\x1b[" not in plain


def test_no_color_on_cost_and_review(pr, tmp_path):
    coloured = _on_a_terminal("cost", "fixtures/demo/terraform")
    assert "\x1b[1m" in coloured  # headings in bold
    plain = _on_a_terminal("cost", "fixtures/demo/terraform", "--no-color")
    assert "a month" in plain and "\x1b[" not in plain

    repo, base, _ = pr({"main.tf": ALLOWED}, {"queue.tf": OUTSIDE})
    args = ("-p", "no:checkov", "-p", "no:cfn-lint", "review", "--repo", str(repo.path), "--base", base)
    assert "\x1b[31;1m" in _on_a_terminal(*args)  # blocked, in red
    plain = _on_a_terminal(*args, "--no-color")
    assert "iacgov review: " in plain and "\x1b[" not in plain


def test_hide_existing_leaves_baseline_findings_out_of_text_and_json_not_sarif(cli, tmp_path, validate_sarif):
    root = _estate(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert cli("scan", root / "prod", "--root", root, "--write-baseline", baseline, "-q").exit_code == 0
    text = cli("scan", root, "--baseline", baseline)
    assert "[existing: in baseline" in text.stdout and "prod/main.tf" in text.stdout
    hidden = cli("scan", root, "--baseline", baseline, "--hide-existing")
    assert hidden.exit_code == 1  # examples/ and test/ findings are new
    assert "[existing" not in hidden.stdout and "prod/main.tf" not in hidden.stdout
    doc = _json(cli("scan", root, "--baseline", baseline, "--hide-existing", "--format", "json"))
    assert _files(doc) == {"examples/basic/main.tf", "modules/net/test/main.tf"}
    sarif = tmp_path / "r.sarif"
    cli("scan", root, "--baseline", baseline, "--hide-existing", "-o", sarif)
    results = validate_sarif(json.loads(sarif.read_text()))["runs"][0]["results"]
    kept = [r for r in results if r.get("suppressions")]
    assert [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["suppressions"][0]["kind"])
            for r in kept] == [("prod/main.tf", "external")]


# --------------------------------------------------------------------------- inputs


def test_framework_restricts_the_parsers(cli):
    # the demo's stack is in its samconfig.toml's eu-west-3 (allowed): deployed to us-east-1 it has a finding
    cfn = _json(cli("scan", DEMO, "--framework", "cloudformation", "--region", "us-east-1", "--format", "json"))
    assert _files(cfn) == {"fixtures/demo/cloudformation/ledger.yaml"}
    tf = _json(cli("scan", DEMO, "--framework", "terraform,plan", "--format", "json"))
    assert "fixtures/demo/cloudformation/ledger.yaml" not in _files(tf)
    assert any(f.startswith("fixtures/demo/terraform/") for f in _files(tf))
    both = _json(cli("scan", DEMO, "--framework", "terraform", "--framework", "cloudformation", "--format", "json"))
    assert _files(both) == _files(_json(cli("scan", DEMO, "--format", "json")))
    bad = cli("scan", DEMO, "--framework", "kubernetes")
    assert bad.exit_code == 2 and "unknown framework 'kubernetes'" in bad.output


def test_several_regions_evaluate_each_template_once_per_region(cli):
    one = _json(cli("scan", DEMO / "cloudformation", "--region", "eu-west-3", "--format", "json"))
    assert [f["code"] for f in one["findings"]] == []  # PITR on (prod), eu-west-3 allowed
    two = _json(cli("scan", DEMO / "cloudformation", "--region", "eu-west-3", "--region", "us-east-1",
                    "--format", "json"))
    assert [(f["code"], f["address"], f["message"][-18:]) for f in two["findings"]] == [
        ("LOC001", "Ledger", "[region us-east-1]")]
    assert two["summary"]["blocking"] == 1
    dev = _json(cli("scan", DEMO / "cloudformation", "--region", "eu-west-3", "--region", "eu-west-1",
                    "--cfn-param", "Env=dev", "--format", "json"))
    # a finding that holds in both regions is one finding (one fingerprint), naming both
    assert [f["message"].endswith("[regions eu-west-3, eu-west-1]") for f in dev["findings"]] == \
        [True] * len(dev["findings"]) and dev["findings"]


def test_several_regions_are_for_scan_only(cli):
    result = cli("cost", DEMO, "--region", "eu-west-3", "--region", "us-east-1")
    assert result.exit_code == 2 and "--region: give one region here" in result.output


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Encrypted:
    Type: String
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      StorageEncrypted: !Ref Encrypted
"""


@pytest.mark.parametrize("document", [
    [{"ParameterKey": "Encrypted", "ParameterValue": "false"}, {"ParameterKey": "Old", "UsePreviousValue": True}],
    {"Parameters": {"Encrypted": "false"}, "Tags": {"app": "x"}},
    {"Parameters": {"Encrypted": False}},
])
def test_cfn_params_file_in_the_aws_cli_and_cfn_lint_formats(cli, tmp_path, document):
    (tmp_path / "db.yaml").write_text(TEMPLATE, encoding="utf-8")
    params = tmp_path / "params.json"
    params.write_text(json.dumps(document), encoding="utf-8")
    unset = _json(cli("scan", tmp_path / "db.yaml", "--region", "eu-west-3", "--check", "ENC001", "--format", "json"))
    assert unset["findings"] == []  # unknown: never a violation
    doc = _json(cli("scan", tmp_path / "db.yaml", "--region", "eu-west-3", "--cfn-params", params,
                    "--check", "ENC001", "--format", "json"))
    assert [(f["code"], f["address"]) for f in doc["findings"]] == [("ENC001", "Db")]
    # --cfn-param wins over the file
    doc = _json(cli("scan", tmp_path / "db.yaml", "--region", "eu-west-3", "--cfn-params", params,
                    "--cfn-param", "Encrypted=true", "--check", "ENC001", "--format", "json"))
    assert doc["findings"] == []


@pytest.mark.parametrize("text, message", [
    ('[{"ParameterKey": "A",\n "ParameterValue": }]', "params.json:2: not JSON: Expecting value"),
    ('{"Env": "prod"}', 'params.json: expected a list of {"ParameterKey", "ParameterValue"} (AWS CLI)'),
    ('[{"ParameterValue": "x"}]', 'params.json: entry 1: expected {"ParameterKey": ..., "ParameterValue": ...}'),
    ('{"Parameters": {"A": {"Ref": "B"}}}', "params.json: A: expected a string, number, boolean or list"),
])
def test_bad_cfn_params_file_is_a_usage_error_naming_file_and_line(cli, tmp_path, text, message):
    (tmp_path / "params.json").write_text(text, encoding="utf-8")
    result = cli("scan", DEMO / "cloudformation", "--cfn-params", "params.json", cwd=tmp_path)
    assert result.exit_code == 2
    assert f"Error: --cfn-params {message}" in result.output and "Traceback" not in result.output


# --------------------------------------------------------------------------- output formats


def test_output_format_comes_from_the_extension(cli, tmp_path, validate_sarif):
    out = {ext: tmp_path / f"results{ext}" for ext in (".sarif", ".json", ".xml", ".md", ".txt")}
    result = cli("scan", DEMO, *[arg for path in out.values() for arg in ("-o", path)])
    assert result.exit_code == 1 and result.stdout == ""
    validate_sarif(json.loads(out[".sarif"].read_text()))
    assert json.loads(out[".json"].read_text())["tool"]["name"] == "iacgov"
    assert out[".xml"].read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="iacgov"')
    assert out[".md"].read_text().startswith("<!-- iacgov-scan -->")
    assert "findings (" in out[".txt"].read_text() and "LOC001" in out[".txt"].read_text()


def test_an_explicit_format_wins_over_the_extension(cli, tmp_path):
    out = tmp_path / "results.sarif"
    assert cli("scan", DEMO, "--format", "json", "-o", out).exit_code == 1
    assert "summary" in json.loads(out.read_text())  # iacgov's JSON, not SARIF


def test_html_output_of_scan_is_a_usage_error_naming_the_report_command(cli, tmp_path):
    result = cli("scan", DEMO, "-o", tmp_path / "report.html")
    assert result.exit_code == 2
    assert "iacgov report PATH --output" in result.output
    assert not (tmp_path / "report.html").exists()


# --------------------------------------------------------------------------- rules


def test_rule_by_name_as_well_as_code(cli):
    by_code = cli("rule", "LOC001")
    by_name = cli("rule", "region-not-allowed")
    assert by_name.exit_code == 0 and by_name.stdout == by_code.stdout
    assert by_name.stdout.startswith("# LOC001 — ")
    typo = cli("rule", "region-not-alowed")
    assert typo.exit_code == 2 and "did you mean 'region-not-allowed'?" in typo.output


def test_rules_json_lists_every_rule_with_its_page(cli):
    result = cli("-p", "no:checkov", "-p", "no:cfn-lint", "rules", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    text = cli("-p", "no:checkov", "-p", "no:cfn-lint", "rules").stdout
    assert [r["code"] for r in doc["rules"]] == [line.split()[0] for line in text.splitlines()]
    for rule in doc["rules"]:
        assert rule["help_uri"] == f"https://github.com/iacgov/iacgov/blob/main/docs/rules/{rule['code']}.md"
        assert (REPO / "docs" / "rules" / f"{rule['code']}.md").is_file()
        assert {"name", "family", "severity", "security_severity", "tags", "summary"} <= set(rule)
    loc = next(r for r in doc["rules"] if r["code"] == "LOC001")
    assert loc["name"] == "region-not-allowed" and loc["family"] == "LOC" and loc["security"] is True


# --------------------------------------------------------------------------- environment variables


def test_options_from_iacgov_environment_variables(cli, tmp_path, monkeypatch):
    root = _estate(tmp_path)
    monkeypatch.setenv("IACGOV_SCAN_SKIP_PATH", "examples/ **/test/**")
    monkeypatch.setenv("IACGOV_SCAN_FORMAT", "json")
    doc = _json(cli("scan", root))
    assert _files(doc) == {"prod/main.tf"}
    monkeypatch.setenv("IACGOV_SCAN_SOFT_FAIL", "1")
    assert cli("scan", root).exit_code == 0
    # the command line still wins
    assert cli("scan", root, "--fail-on", "error", "--format", "text").exit_code == 0  # soft-fail from env
    monkeypatch.setenv("IACGOV_SCAN_SOFT_FAIL", "0")
    assert cli("scan", root).exit_code == 1


def test_environment_prefix_leaves_iacgovs_own_variables_alone(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("IACGOV_CACHE_DIR", str(tmp_path / "cache"))
    result = cli("cache", "dir")
    assert result.exit_code == 0 and result.stdout.strip() == str(tmp_path / "cache")


# --------------------------------------------------------------------------- SARIF: helpUri, results limit


def test_every_sarif_rule_has_a_help_uri(cli, tmp_path, validate_sarif):
    out = tmp_path / "r.sarif"
    cli("scan", DEMO, "-o", out)
    rules = validate_sarif(json.loads(out.read_text()))["runs"][0]["tool"]["driver"]["rules"]
    assert rules
    for rule in rules:
        assert rule["helpUri"] == f"https://github.com/iacgov/iacgov/blob/main/docs/rules/{rule['id']}.md"


def test_more_results_than_code_scanning_keeps_is_warned(cli, tmp_path, validate_sarif):
    # 11 templates of 455 queues (CloudFormation allows 500 resources), deployed where the policy forbids
    for n in range(11):
        template = {"AWSTemplateFormatVersion": "2010-09-09",
                    "Resources": {f"Queue{i}": {"Type": "AWS::SQS::Queue"} for i in range(455)}}
        (tmp_path / f"queues{n:02}.json").write_text(json.dumps(template), encoding="utf-8")
    out = tmp_path / "r.sarif"
    result = cli("scan", tmp_path, "--region", "us-east-1", "--check", "LOC001", "-o", out)
    assert result.exit_code == 1
    message = ("5,005 results in one SARIF run: GitHub code scanning keeps only the 5,000 of highest severity; "
               "narrow the scan (--skip-path, --check, --skip-check) or split it into several uploads (categories)")
    assert f"iacgov: warning: {message}" in result.stderr
    run = validate_sarif(json.loads(out.read_text()))["runs"][0]
    assert len(run["results"]) == 5005
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert {"message": {"text": message}, "level": "warning", "descriptor": {"id": "iacgov/results-limit"}} in notes


def test_a_run_within_the_limit_says_nothing(cli, tmp_path):
    out = tmp_path / "r.sarif"
    result = cli("scan", DEMO, "-o", out)
    assert "warning" not in result.stderr
    notes = json.loads(out.read_text())["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert all(n["descriptor"]["id"] != "iacgov/results-limit" for n in notes)


def test_approvals_never_come_from_the_environment(pr, review_json, monkeypatch):
    finding = ('resource "aws_sqs_queue" "q" {\n  provider = aws.us\n  tags = { env = "prod", app = "x" }\n}\n')
    providers = ALLOWED + 'provider "aws" {\n  alias  = "us"\n  region = "us-east-2"\n}\n'
    repo, base, _ = pr({"main.tf": ALLOWED}, {"main.tf": providers, "queue.tf": finding})
    for name in ("IACGOV_REVIEW_APPROVED_BY", "IACGOV_REVIEW_APPROVALS", "IACGOV_REVIEW_TEAMS"):
        monkeypatch.setenv(name, "alice")
    code, doc = review_json(repo, base)
    assert code == 1 and doc["required_approvals"]  # a new region: the CTO must approve
    assert all(not a["approved_by"] for a in doc["required_approvals"]), doc["required_approvals"]
    code, doc = review_json(repo, base, "--approved-by", "alice")  # the command line counts
    assert doc["required_approvals"][0]["approved_by"] == ["alice"]


def test_review_decisions_have_a_help_uri():
    from iacgov.review.render_sarif import CHANGE_RULES

    assert CHANGE_RULES and {m.help_uri for m in CHANGE_RULES.values()} == {
        "https://github.com/iacgov/iacgov/blob/main/README.md#provider-pull-request-review"}
