"""The estate-wide part of a scan does the work its findings need, not a pass over every resource
per finding: the suppression filter, the stacks of findings, the kind of a resource, the EBS
default the encryption rules share. Each test fails when the shortcut changes an answer or when it
is taken out (the work is counted, never timed)."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import date

import pytest

import iacgov.suppressions as suppressions
from iacgov.api import Policy, ReferenceIndex
from iacgov.fingerprint import with_stacks
from iacgov.model import Finding, Location, Resource, Severity
from iacgov.suppressions import filter_findings

from iacgov_rules._platform import ebs_encrypted_by_default

TODAY = date(2025, 3, 1)
PLAIN = 'resource "aws_db_instance" "a" {\n  storage_encrypted = false\n}\n'
IGNORED = ('resource "aws_db_instance" "b" {\n'
           '  # iacgov:ignore ENC001 reason="restored from a snapshot"\n'
           '  storage_encrypted = false\n}\n')


def _db(name: str, path: str, root: str = "envs/dev") -> Resource:
    return Resource(f"aws_db_instance.{name}", "aws_db_instance", "aws", "terraform", Location(path, 1),
                    attribute_locations={"storage_encrypted": Location(path, 3 if name == "b" else 2)},
                    meta={"root_module": root})


def _finding(resource: Resource, stack: str = "") -> Finding:
    return Finding("ENC001", f"{resource.address} is not encrypted", Severity.ERROR, resource.address,
                   resource.attribute_locations["storage_encrypted"], attribute="storage_encrypted", stack=stack)


@pytest.fixture
def indexes(monkeypatch):
    """How many times the filter indexes every resource."""
    made = []

    class Counting(suppressions._ResourceIndex):
        def __init__(self, resources):
            made.append(1)
            super().__init__(resources)

    monkeypatch.setattr(suppressions, "_ResourceIndex", Counting)
    return made


def test_the_filter_indexes_no_resource_when_no_file_with_findings_has_a_directive(indexes):
    resources = [_db("a", "envs/dev/a.tf"), _db("a", "envs/prod/a.tf", "envs/prod")]
    findings = [_finding(r) for r in resources]
    texts = {"envs/dev/a.tf": PLAIN, "envs/prod/a.tf": PLAIN}
    out = filter_findings(findings, resources, Policy({}, "p"), texts.get, today=TODAY)
    assert out.findings == tuple(findings) and not out.notifications
    assert indexes == []


def test_a_directive_in_one_file_still_suppresses_there_and_only_there(indexes):
    resources = [_db("a", "envs/dev/a.tf"), _db("b", "envs/dev/b.tf")]
    findings = [_finding(r) for r in resources]
    texts = {"envs/dev/a.tf": PLAIN, "envs/dev/b.tf": IGNORED}
    out = filter_findings(findings, resources, Policy({}, "p"), texts.get, today=TODAY)
    plain, ignored = out.findings
    assert plain == findings[0]
    assert ignored.suppression is not None and ignored.suppression.reason == "restored from a snapshot"
    assert (ignored.suppression.location.path, ignored.suppression.location.line) == ("envs/dev/b.tf", 2)
    assert indexes == [1]


def test_cloudformation_metadata_suppresses_a_finding_in_a_file_without_comments():
    template = "Resources:\n  Ledger:\n    Type: AWS::RDS::DBInstance\n"
    ledger = Resource("Ledger", "AWS::RDS::DBInstance", "aws", "cloudformation", Location("stack.yaml", 2),
                      meta={"Metadata": {"iacgov": {"ignore": [{"code": "ENC", "reason": "kept as is"}]}}})
    finding = Finding("ENC001", "Ledger is not encrypted", Severity.ERROR, "Ledger", Location("stack.yaml", 2))
    out = filter_findings([finding], [ledger], Policy({}, "p"), {"stack.yaml": template}.get, today=TODAY)
    assert out.findings[0].suppression.kind == "metadata"


def test_a_finding_without_stack_takes_the_only_stack_of_its_address():
    one = _db("solo", "envs/dev/a.tf")
    shared = [_db("a", "modules/db/main.tf", "envs/dev"), _db("a", "modules/db/main.tf", "envs/prod")]
    already = _finding(shared[1], stack="envs/prod")
    out = with_stacks([_finding(one), _finding(shared[0]), already], [one, *shared])
    assert [f.stack for f in out] == ["envs/dev", "", "envs/prod"]
    assert out[2] is already


def test_a_resource_kind_is_its_types_and_follows_a_new_type():
    bucket = Resource("Logs", "AWS::S3::Bucket", "aws", "cloudformation", Location("t.yaml", 3))
    assert bucket.kind == "aws_s3_bucket"
    assert pickle.loads(pickle.dumps(bucket)).kind == "aws_s3_bucket"
    assert replace(bucket, type="AWS::DynamoDB::Table").kind == "aws_dynamodb_table"
    assert _db("a", "a.tf").kind == "aws_db_instance"


def test_ebs_encryption_by_default_is_answered_per_policy_root_module_and_region():
    """The policy key covers every account; the setting in the code covers its own root module and region only
    (a setting in envs/dev must not clear envs/prod's volume; one in eu-west-3 not a volume in eu-west-1)."""
    def volume(root: str, region: str | None) -> Resource:
        return Resource("aws_ebs_volume.v", "aws_ebs_volume", "aws", "terraform", Location(f"{root}/a.tf", 1),
                        region=region, meta={"root_module": root})

    default = Resource("aws_ebs_encryption_by_default.on", "aws_ebs_encryption_by_default", "aws", "terraform",
                       Location("envs/dev/main.tf", 1), region="eu-west-3", meta={"root_module": "envs/dev"})
    dev, prod, ireland, unknown = (volume("envs/dev", "eu-west-3"), volume("envs/prod", "eu-west-3"),
                                   volume("envs/dev", "eu-west-1"), volume("envs/dev", None))
    index = ReferenceIndex([default, dev, prod, ireland, unknown])
    off, on = Policy({}, "p"), Policy({"encryption": {"ebs_encryption_by_default": True}}, "p")
    assert [ebs_encrypted_by_default(off, index, v) for v in (dev, prod, ireland, unknown)] == [True, False, False,
                                                                                             False]
    assert all(ebs_encrypted_by_default(on, index, v) for v in (dev, prod, ireland, unknown))
    assert ebs_encrypted_by_default(off, ReferenceIndex([dev]), dev) is False


def test_a_directive_in_any_case_is_read_and_the_disk_reader_is_bounded(tmp_path, monkeypatch):
    (tmp_path / "envs").mkdir()
    (tmp_path / "envs" / "b.tf").write_text(IGNORED.replace("iacgov:ignore", "IaCGov:Ignore"))
    (tmp_path / "envs" / "big.tf").write_text("#" * 40)
    read = suppressions.disk_reader(tmp_path)
    assert read("envs") is None and read("missing.tf") is None  # a folder, a missing file: no text
    found = suppressions._comment_directives("envs/b.tf", read("envs/b.tf"))
    assert [(d.codes, d.reason, d.location.line) for d in found] == [(("ENC001",), "restored from a snapshot", 2)]
    monkeypatch.setattr(suppressions, "MAX_SOURCE_CHARS", 25)
    assert read("envs/big.tf") == "#" * 26  # read up to one past the limit: the filter says it is too large


def test_cost001_names_the_environments_top_resources_as_the_estimate_ranks_them(monkeypatch):
    """COST001 groups the estate's resources once for every environment over budget: the resource
    named, the contributors and the unpriced list are the estimate's own ranking (most expensive
    first, then by address; nothing free among the contributors)."""
    from decimal import Decimal
    from types import SimpleNamespace

    import iacgov.api
    from iacgov.cost.model import Estimate

    from iacgov_rules.cost001_environment_over_budget import RULE

    def cost(address, env, monthly):
        return SimpleNamespace(address=address, environment=env, monthly=Decimal(monthly), file=f"{env}/main.tf",
                               line=len(address), unpriced=())

    resources = (cost("b.x", "prod", 50), cost("a.x", "prod", 50), cost("c.x", "prod", 0), cost("d.x", "prod", 70),
                 cost("e.x", "prod", 10), cost("f.x", "dev", 500), cost("g.x", "qa", 1))
    unpriced = (SimpleNamespace(address="z.x", environment="prod"), SimpleNamespace(address="y.x", environment="prod"),
                SimpleNamespace(address="w.x", environment="dev"), SimpleNamespace(address="y.x", environment="prod"))
    estimate = SimpleNamespace(resources=resources, unpriced=unpriced, currency="EUR",
                               budgets={"prod": Decimal(100), "dev": Decimal(1000), "qa": Decimal(0)},
                               by_environment={"prod": Decimal(180), "dev": Decimal(500), "qa": Decimal(1)})
    monkeypatch.setattr(iacgov.api, "scan_estimate", lambda resources, policy: estimate, raising=False)
    ctx = SimpleNamespace(resources=(), policy=Policy({"cost": {"budgets": {"prod": 100}}}, "p"))
    found = {f.properties["environment"]: f for f in RULE.evaluate((), ctx)}
    assert sorted(found) == ["prod", "qa"]
    prod = found["prod"]
    ranked = Estimate.environment(estimate, "prod")  # the estimate's own order
    assert prod.address == ranked[0].address == "d.x"
    assert [c["address"] for c in prod.properties["top_contributors"]] == ["d.x", "a.x", "b.x"]
    assert prod.properties["unpriced_resources"] == ["y.x", "z.x"]
    assert (prod.location.path, prod.location.line) == ("prod/main.tf", 3)
    assert found["qa"].address == "g.x" and found["qa"].properties["unpriced_resources"] == []


def test_a_findings_properties_in_the_json_report_plain_or_not():
    from iacgov.model import Unknown
    from iacgov.reporters.json_report import finding_dict

    def props(properties):
        return finding_dict(Finding("ENC001", "m", Severity.WARNING, "a.b", Location("a.tf", 2),
                                    properties=properties))

    plain = {"setting": "kms_key_id", "days": 7, "ratio": 0.5, "on": True, "none": None}
    out = props(plain)
    assert out["properties"] == plain and out["properties"] is not plain and out["severity"] == "warning"
    assert props({1: Unknown("var.k has no value"), "others": ["x", Unknown("y")], "s": Severity.ERROR})[
        "properties"] == {"1": {"unknown": "var.k has no value"}, "others": ["x", {"unknown": "y"}], "s": "error"}


def test_the_region_lists_are_each_policys_own_when_policies_alternate():
    from iacgov_rules._location import region_policy

    bucket = Resource("aws_s3_bucket.b", "aws_s3_bucket", "aws", "terraform", Location("a.tf", 1), region="eu-west-3")
    paris = Policy({"data_location": {"allowed_regions": {"aws": ["eu-west-3"]}}}, "p")
    frankfurt = Policy({"data_location": {"allowed_regions": {"aws": ["eu-central-1"]}}}, "p")
    plain = {"data_location": {"allowed_regions": {"aws": ["us-east-1"]}}}
    assert [region_policy(bucket, p).general for p in (paris, frankfurt, paris, plain, frankfurt)] == [
        ("eu-west-3",), ("eu-central-1",), ("eu-west-3",), None, ("eu-central-1",)]
