"""Fingerprints tell apart the findings of two root modules calling one module
(issue 15), and stay what they were for every other finding (GitHub alerts)."""

from __future__ import annotations

from iacgov.engine import ScanRequest, scan
from iacgov.fingerprint import FINGERPRINT_KEY, fingerprint, legacy_fingerprint, stack_of, with_stacks
from iacgov.model import Finding, Location, Resource, Severity
from iacgov.plugins import load_plugins
from iacgov.reporters.sarif import build_sarif

MODULE = (
    'variable "encrypted" {\n  type = bool\n}\n\n'
    'resource "aws_db_instance" "main" {\n'
    '  engine            = "postgres"\n'
    '  instance_class    = "db.t3.micro"\n'
    "  storage_encrypted = var.encrypted\n"
    "}\n"
)


def root(encrypted: str) -> str:
    return ('provider "aws" {\n  region = "eu-west-3"\n}\n\n'
            f'module "db" {{\n  source    = "../../modules/db"\n  encrypted = {encrypted}\n}}\n')


def two_roots(tmp_path, dev: str = "false", prod: str = "false"):
    (tmp_path / "modules" / "db").mkdir(parents=True)
    (tmp_path / "modules" / "db" / "main.tf").write_text(MODULE)
    for env, value in (("dev", dev), ("prod", prod)):
        (tmp_path / "envs" / env).mkdir(parents=True)
        (tmp_path / "envs" / env / "main.tf").write_text(root(value))
    return tmp_path


def _finding(path: str, address: str, stack: str = "", attribute: str | None = "storage_encrypted") -> Finding:
    return Finding("ENC001", "m", Severity.ERROR, address, Location(path, 4), attribute=attribute, stack=stack)


def test_findings_of_two_roots_in_one_module_file_are_two_findings_with_two_fingerprints(tmp_path, validate_sarif):
    result = scan(ScanRequest(paths=(two_roots(tmp_path),)), load_plugins())
    enc = [f for f in result.findings if f.code == "ENC001"]
    assert [(f.address, f.location.path, f.location.line, f.stack) for f in enc] == [
        ("module.db.aws_db_instance.main", "modules/db/main.tf", 8, "envs/dev"),
        ("module.db.aws_db_instance.main", "modules/db/main.tf", 8, "envs/prod"),
    ]  # before: one finding (equal file, line, address and message were merged)
    assert fingerprint(enc[0]) != fingerprint(enc[1])
    log = validate_sarif(build_sarif(result))
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in log["runs"][0]["results"] if r["ruleId"] == "ENC001"]
    assert sorted(prints) == sorted(fingerprint(f) for f in enc) and len(set(prints)) == 2


def test_fingerprints_of_findings_in_a_roots_own_files_are_unchanged():
    # Pinned from iacgov before the stack was hashed: the SARIF alert of a
    # finding in a root module's own file, a template or a plan keeps its identity.
    own = _finding("envs/prod/main.tf", "aws_db_instance.db", stack="envs/prod")
    assert fingerprint(own) == legacy_fingerprint(own) == "11d45a24083522773d30e2f065f0aef4"
    at_root = _finding("main.tf", "aws_db_instance.db", stack=".")
    assert fingerprint(at_root) == legacy_fingerprint(at_root)
    template = _finding("templates/db.yaml", "Db", stack="templates/db.yaml")
    assert fingerprint(template) == legacy_fingerprint(template)
    unknown_stack = _finding("modules/db/main.tf", "module.db.aws_db_instance.main")
    assert fingerprint(unknown_stack) == legacy_fingerprint(unknown_stack) == "ca8fbc2aa5a8916b7359253a67accb60"


def test_a_shared_module_file_hashes_the_root_module():
    dev = _finding("modules/db/main.tf", "module.db.aws_db_instance.main", stack="envs/dev")
    prod = _finding("modules/db/main.tf", "module.db.aws_db_instance.main", stack="envs/prod")
    assert legacy_fingerprint(dev) == legacy_fingerprint(prod) == "ca8fbc2aa5a8916b7359253a67accb60"
    assert len({fingerprint(dev), fingerprint(prod), legacy_fingerprint(dev)}) == 3
    # a module in a subfolder of its root is not the root's own file either
    nested = _finding("envs/prod/modules/x/main.tf", "module.x.aws_db_instance.main", stack="envs/prod")
    assert fingerprint(nested) != legacy_fingerprint(nested)
    # still never the line
    moved = Finding("ENC001", "m", Severity.ERROR, prod.address, Location(prod.location.path, 90),
                    attribute=prod.attribute, stack="envs/prod")
    assert fingerprint(moved) == fingerprint(prod)


def test_instance_keys_are_part_of_the_fingerprint():
    a = _finding("modules/db/main.tf", 'module.db["a"].aws_db_instance.main', stack="envs/prod")
    b = _finding("modules/db/main.tf", 'module.db["b"].aws_db_instance.main', stack="envs/prod")
    assert fingerprint(a) != fingerprint(b)


def test_stack_of_each_format():
    def res(fmt: str, path: str, **meta) -> Resource:
        return Resource("x.y", "x", "aws", fmt, Location(path), meta=meta)

    assert stack_of(res("terraform", "modules/db/main.tf", root_module="envs/prod")) == "envs/prod"
    assert stack_of(res("terraform", "main.tf")) == "."  # no root_module: the file's directory
    assert stack_of(res("cloudformation", "templates/db.yaml")) == "templates/db.yaml"
    assert stack_of(res("terraform-plan", "plans/prod.json")) == "plans/prod.json"


def test_with_stacks_fills_only_what_one_stack_explains():
    resources = [
        Resource("aws_s3_bucket.a", "aws_s3_bucket", "aws", "terraform", Location("envs/prod/main.tf"),
                 meta={"root_module": "envs/prod"}),
        *(Resource("module.db.aws_db_instance.main", "aws_db_instance", "aws", "terraform",
                   Location("modules/db/main.tf"), meta={"root_module": r}) for r in ("envs/dev", "envs/prod")),
    ]
    unique = _finding("envs/prod/main.tf", "aws_s3_bucket.a")
    shared = _finding("modules/db/main.tf", "module.db.aws_db_instance.main")
    set_by_rule = _finding("modules/db/main.tf", "module.db.aws_db_instance.main", stack="envs/dev")
    out = with_stacks([unique, shared, set_by_rule], resources)
    assert [f.stack for f in out] == ["envs/prod", "", "envs/dev"]


def test_json_names_each_roots_finding_by_its_own_fingerprint(tmp_path):
    from iacgov.reporters.json_report import build_json

    result = scan(ScanRequest(paths=(two_roots(tmp_path),)), load_plugins())
    prints = [f["fingerprint"] for f in build_json(result)["findings"] if f["code"] == "ENC001"]
    assert len(set(prints)) == 2


def test_with_stacks_takes_the_root_whose_own_file_holds_the_finding():
    """Two roots each declare aws_s3_bucket.data: a finding made without a stack (another plugin's) in
    envs/prod/main.tf is prod's; one in a module file both roots read stays without one."""
    resources = [
        *(Resource("aws_s3_bucket.data", "aws_s3_bucket", "aws", "terraform", Location(f"{r}/main.tf"),
                   meta={"root_module": r}) for r in ("envs/dev", "envs/prod")),
        *(Resource("module.db.aws_db_instance.main", "aws_db_instance", "aws", "terraform",
                   Location("modules/db/main.tf"), meta={"root_module": r}) for r in ("envs/dev", "envs/prod")),
    ]
    prod = _finding("envs/prod/main.tf", "aws_s3_bucket.data")
    shared = _finding("modules/db/main.tf", "module.db.aws_db_instance.main")
    assert [f.stack for f in with_stacks([prod, shared], resources)] == ["envs/prod", ""]


def test_with_stacks_gives_alike_findings_one_root_each_when_every_root_has_one():
    """Another plugin's findings without a stack in a module file two roots call: two alike ones are one
    per root (each gets its own fingerprint: prod's new one is not taken for dev's); one alone stays without."""
    resources = [Resource("module.db.aws_db_instance.main", "aws_db_instance", "aws", "terraform",
                          Location("modules/db/main.tf"), meta={"root_module": r}) for r in ("envs/prod", "envs/dev")]
    shared = _finding("modules/db/main.tf", "module.db.aws_db_instance.main")
    both = with_stacks([shared, shared], resources)
    assert [f.stack for f in both] == ["envs/dev", "envs/prod"]
    assert fingerprint(both[0]) != fingerprint(both[1])
    assert [f.stack for f in with_stacks([shared], resources)] == [""]


def test_a_plugins_finding_new_in_prod_is_not_taken_for_devs_baseline_one(tmp_path):
    """A plugin's rule that makes its findings without a stack (not ``ResourceRule.finding``): in the base
    only dev's instance of the shared module is flagged, then prod's too; prod's is new to the baseline."""
    import types

    from iacgov.api import hookimpl, rule_meta_from_docstring
    from iacgov.baseline import baseline_text, parse_baseline

    class Rule:
        meta = rule_meta_from_docstring("XACME201 — unencrypted.\n\n## What it flags\n\nx.\n\n## Why it matters\n\n"
                                        "x.\n\n## How to fix\n\nx.\n", code="XACME201", name="acme-unencrypted",
                                        severity=Severity.ERROR, security_severity=5.0)

        def evaluate(self, resources, ctx):
            for r in resources:
                if r.type == "aws_db_instance" and r.attributes.get("storage_encrypted") is False:
                    yield Finding("XACME201", f"{r.address} is not encrypted", Severity.ERROR, r.address,
                                  r.location_of("storage_encrypted"), attribute="storage_encrypted")

    plugin = types.ModuleType("acme_stackless")
    plugin.iacgov_rules = hookimpl(lambda: [Rule()])
    host = load_plugins(disabled=["builtin_rules", "checkov", "cfn-lint"], extra=[plugin])

    def findings(prod: str):
        return scan(ScanRequest(paths=(two_roots(tmp_path / prod, dev="false", prod=prod),)), host).findings

    baseline = parse_baseline(baseline_text(findings("true")), "baseline.json")
    marked, _ = baseline.apply(findings("false"))
    assert sorted((f.stack, f.suppression is None) for f in marked) == [("envs/dev", True), ("envs/prod", True)]
