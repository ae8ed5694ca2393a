"""The shared IAM reading of the ADM rules (rules/_iam.py): principals in every
format, wildcards, conditions, NotPrincipal, and never an exception on a
document the parsers can hand over."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iacgov.model import Unknown
from iacgov.placeholders import UnknownTemplate
from iacgov.platform import iam as _iam

COMPANY = _iam.Parties("aws", company=("111111111111",), provider=("222222222222",),
                       break_glass=("arn:aws:iam::111111111111:role/break-glass",))


@pytest.mark.parametrize("value", [
    "arn:aws:iam::<unknown:data.aws_caller_identity.current.account_id>:root",  # Terraform placeholder
    UnknownTemplate("x", text="arn:aws:iam::<unknown:data.aws_caller_identity.me.account_id>:root"),
    UnknownTemplate("x", text="arn:aws:iam::<unknown:AWS::AccountId>:root"),  # CloudFormation !Sub
    Unknown("x", ref="AWS::AccountId"),  # !Ref AWS::AccountId
    "<unknown:module.x.data.aws_caller_identity.current.account_id>",
])
def test_the_deploying_account_root_reads_the_same_in_every_format(value):
    principal = _iam.principal_from_text(_iam.text_of(value))
    assert (principal.account, principal.root) == (_iam.SELF, True)
    assert COMPANY.classify(principal) == _iam.SELF_ACCOUNT


@pytest.mark.parametrize("text, camp", [
    ("111111111111", _iam.COMPANY),
    ("arn:aws:iam::111111111111:root", _iam.COMPANY),
    ("arn:aws:iam::111111111111:role/break-glass", _iam.BREAK_GLASS),
    ("arn:aws:iam::111111111111:role/app", _iam.COMPANY_ACCOUNT),
    ("arn:aws:iam::222222222222:role/msp-*", _iam.PROVIDER),
    ("arn:aws:iam::333333333333:root", _iam.OTHER),
    ("arn:aws:iam::<unknown:var.account>:root", _iam.UNKNOWN),
    ("<unknown>", _iam.UNKNOWN),
])
def test_classify(text, camp):
    assert COMPANY.classify(_iam.principal_from_text(text)) == camp


def test_service_and_anyone():
    service, anyone = _iam.principals_of({"Service": "ec2.amazonaws.com"})[0], _iam.principals_of("*")[0]
    assert COMPANY.classify(service) == _iam.SERVICE and COMPANY.classify(anyone) == _iam.ANY


@pytest.mark.parametrize("pattern, action, expected", [
    ("kms:*", "kms:PutKeyPolicy", True),
    ("KMS:put*", "kms:PutKeyPolicy", True),
    ("kms:Put?eyPolicy", "kms:PutKeyPolicy", True),
    ("kms:Get*", "kms:PutKeyPolicy", False),
    ("<unknown:var.actions>", "kms:PutKeyPolicy", None),
    ("s3:<unknown>", "kms:PutKeyPolicy", False),  # the known part rules it out
    ("kms:[abc]", "kms:[abc]", True),  # only * and ? are wildcards
])
def test_glob(pattern, action, expected):
    assert _iam.glob_match(pattern, action) is expected


def test_not_action_covers_everything_else():
    [statement] = _iam.statements({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]})
    assert statement.covers_action("kms:PutKeyPolicy") is True
    assert statement.covers_action("iam:PutRolePolicy") is False
    assert statement.grants_everything() is False  # NotAction is not "*"


def _deny(**fields):
    return _iam.statements({"Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*", **fields}]})[0]


ROOT = _iam.principal_from_text("arn:aws:iam::111111111111:root")
BREAK_GLASS = _iam.principal_from_text("arn:aws:iam::111111111111:role/break-glass")


def test_not_principal_spares_a_role_only_with_its_account():
    without = _deny(NotPrincipal={"AWS": ["arn:aws:iam::111111111111:role/break-glass"]})
    with_account = _deny(NotPrincipal={"AWS": ["arn:aws:iam::111111111111:role/break-glass", "111111111111"]})
    assert without.applies_to(BREAK_GLASS) is True and without.applies_to(ROOT) is True
    assert with_account.applies_to(BREAK_GLASS) is False and with_account.applies_to(ROOT) is False


def test_principal_conditions_exempt_and_other_conditions_make_it_uncertain():
    exempt = _deny(Principal="*", Condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/break-glass"}})
    assert exempt.applies_to(BREAK_GLASS) is False and exempt.applies_to(ROOT) is True
    by_account = _deny(Principal="*", Condition={"StringNotEquals": {"aws:PrincipalAccount": "111111111111"}})
    assert by_account.applies_to(ROOT) is False
    tls = _deny(Principal="*", Condition={"Bool": {"aws:SecureTransport": "false"}})
    assert tls.applies_to(ROOT) is None


def test_deny_on_an_account_root_applies_to_its_roles():
    assert _deny(Principal={"AWS": "111111111111"}).applies_to(BREAK_GLASS) is True
    assert _deny(Principal={"AWS": "arn:aws:iam::222222222222:root"}).applies_to(BREAK_GLASS) is False


def test_a_role_arn_exemption_does_not_spare_an_account_root_whose_id_is_unknown():
    self_root = _iam.principal_from_text("arn:aws:iam::<unknown:AWS::AccountId>:root")
    deny = _deny(Principal="*", Condition={"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::222222222222:role/x"}})
    assert deny.applies_to(self_root) is True


def test_allow_narrowed_by_a_positive_principal_condition():
    [statement] = _iam.statements({"Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::222222222222:role/msp-*"}}}]})
    assert [str(p) for p in statement.effective_principals()] == ["arn:aws:iam::222222222222:role/msp-*"]


def test_an_unknown_statement_may_say_anything():
    [statement] = _iam.statements({"Statement": ["<unknown:data.aws_iam_policy_document.base.json>"]})
    assert statement.effect is None and statement.covers_action("kms:PutKeyPolicy") is None


@pytest.mark.parametrize(("actions", "admin"), [
    (["s3:*", "ec2:*", "rds:*"], False),  # terragoat's ec2policy: broad, known, not everything
    ("s3:GetObject", False),
    (["s3:*", "iam:*"], True),
    ("*", True),
    (["s3:*", "<unknown:var.action>"], None),  # what the unknown action is decides
])
def test_an_allow_grants_everything_only_with_a_star_or_iam_star(actions, admin):
    document = {"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    [statement] = _iam.statements(document)
    assert statement.grants_everything() is admin
    assert _iam.document_is_admin(document) is admin


@pytest.mark.parametrize(("not_actions", "admin"), [
    ("account:CloseAccount", True),  # everything else, iam:* included: it grants the rest
    (["aws-portal:*", "s3*"], True),  # "s3*" can only match s3… actions
    ("iam:*", False),
    ("IAM:CreateUser", False),  # one IAM action out: not iam:*, as Action ["iam:CreateUser"] is not
    ("i*:*", False),
    ("*Get*", False),  # may match iam:GetRole
    ("?am:PassRole", False),
    ("<unknown:var.excluded>", None),  # what it excludes decides
])
def test_a_not_action_grants_everything_when_it_leaves_every_iam_action_in(not_actions, admin):
    document = {"Statement": [{"Effect": "Allow", "NotAction": not_actions, "Resource": "*"}]}
    [statement] = _iam.statements(document)
    assert statement.grants_everything() is admin
    assert _iam.document_is_admin(document) is admin
    narrow = {"Statement": [{"Effect": "Allow", "NotAction": not_actions, "Resource": "arn:aws:s3:::b"}]}
    assert _iam.document_is_admin(narrow) is False  # not on every resource


def test_arn_with_unknown_parts():
    arn = _iam.parse_arn(UnknownTemplate(
        "x", text="arn:aws:backup:<unknown:AWS::Region>:<unknown:AWS::AccountId>:backup-vault:dr"))
    assert (arn.service, arn.region, arn.account, arn.resource) == ("backup", _iam.SELF, _iam.SELF, "backup-vault:dr")
    arn = _iam.parse_arn("arn:aws:backup:us-east-1:<unknown:var.account>:backup-vault:dr")
    assert (arn.region, arn.account) == ("us-east-1", None)


def test_gcp_and_azure_members():
    who = _iam.Parties("gcp", company=("domain:company.example",), provider=("domain:msp.example",))
    assert who.member_camp("group:admins@company.example") == _iam.COMPANY
    assert who.member_camp("user:ops@MSP.example") == _iam.PROVIDER
    assert who.member_camp("serviceAccount:x@p.iam.gserviceaccount.com") == _iam.OTHER
    assert who.member_camp(Unknown("x", ref="var.member")) == _iam.UNKNOWN


_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from([
    "*", "Allow", "Deny", "kms:*", "kms:PutKeyPolicy", "s3:*", "arn:aws:iam::111111111111:root", "111111111111",
    "arn:aws:iam::<unknown:AWS::AccountId>:root", "<unknown>", "arn:aws:iam::222222222222:role/x",
    "aws:PrincipalArn", "ArnNotLike", "StringNotEquals", "AWS", "Service", "Principal", "NotPrincipal",
]), st.text(max_size=12))
_keys = st.sampled_from(["Version", "Statement", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                         "Resource", "NotResource", "Condition", "AWS", "Service", "Sid", "ArnNotLike",
                         "aws:PrincipalArn", "StringEquals"])
_documents = st.recursive(_leaf, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(_keys, children, max_size=5)), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(_documents)
def test_reading_any_document_never_raises(document):
    for value in (document, json.dumps(document)):
        parsed = _iam.policy_document(value)
        for statement in _iam.statements(parsed):
            for principal in (ROOT, BREAK_GLASS, *statement.effective_principals()):
                statement.applies_to(principal)
                COMPANY.classify(principal)
            statement.covers_action("kms:PutKeyPolicy")
            statement.grants_everything()
            statement.covers_resource("arn:aws:s3:::b")
        _iam.document_is_admin(parsed)


# -- the LOC and ADM rules on every shape a parser might hand over ----------------
#
# Each resource of the LOC and ADM cases, with each of its values (at any depth)
# replaced by each odd shape: the rules must report or stay silent, never raise
# (a crash fails the whole run).

_SHAPES = (None, "", "x", 3, True, [], ["x"], [None], [3], {}, {"x": "y"}, Unknown("u"), [Unknown("u")],
           UnknownTemplate("t", text="a<unknown:r>b"))


def _paths(value, prefix=(), depth=0):
    yield prefix
    if depth >= 5:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,), depth + 1)
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            yield from _paths(child, prefix + (index,), depth + 1)


def _replace(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


def _cases():
    from pathlib import Path

    from conftest import FIXTURES
    from iacgov.engine import ScanRequest, scan
    from iacgov.model import ParseOptions
    from iacgov.plugins import load_plugins

    host = load_plugins()
    for folder in sorted(p for p in (FIXTURES / "rules").iterdir() if p.name[:3] in ("LOC", "ADM")):
        for case in sorted(folder.iterdir()):
            if case.name.startswith(("pass_", "fail_")):
                result = scan(ScanRequest(paths=(case,), root=folder, options=ParseOptions(region="eu-west-3")), host)
                yield case.name, result.resources


def test_loc_and_adm_rules_never_raise_on_odd_shapes():
    import dataclasses
    import importlib

    from iacgov.api import Policy, RuleContext
    from iacgov_rules import rule_modules

    rules = [importlib.import_module(f"iacgov_rules.{n}").RULE for n in rule_modules() if n[:3] in ("loc", "adm")]
    policy = Policy({"version": 1,
                     "data_location": {"allowed_regions": {"aws": ["eu-west-3"], "gcp": ["europe-west9"]},
                                       "data_classes": {"sensitive": {"aws": ["eu-west-3"]}}},
                     "admin_access": {"company_accounts": {"aws": ["111111111111"], "gcp": ["domain:company.example"],
                                                           "azure": ["0c0c0c0c-0000-4000-8000-00000000c0c0"]},
                                      "provider_accounts": {"aws": ["222222222222"], "gcp": ["domain:msp.example"],
                                                            "azure": ["b1b1b1b1-0000-4000-8000-0000000000b1"]},
                                      "break_glass": {"aws": ["arn:aws:iam::111111111111:role/break-glass"]}}},
                    "odd shapes")
    tried = 0
    for name, resources in _cases():
        for i, resource in enumerate(resources):
            for path in list(_paths(dict(resource.attributes)))[1:]:
                for shape in _SHAPES:
                    mutated = dataclasses.replace(resource, attributes=_replace(dict(resource.attributes), path, shape))
                    everything = (*resources[:i], mutated, *resources[i + 1:])
                    ctx = RuleContext(policy=policy, resources=everything)
                    for rule in rules:
                        try:
                            list(rule.evaluate(everything, ctx))
                        except Exception as exc:  # pragma: no cover - the assertion message is the point
                            raise AssertionError(f"{rule.meta.code} raised {exc!r} on {name}: {resource.address} "
                                                 f"with {'.'.join(map(str, path))} = {shape!r}") from exc
                    tried += 1
    assert tried > 1000, "the walk must reach the cases' values"


def test_a_reference_designates_a_resource_of_its_own_root_module_only(tmp_path):
    """envs/prod and envs/staging both declare aws_s3_bucket.replica: prod's
    replication rule copies to prod's bucket, never to staging's."""
    from iacgov.engine import ScanRequest, parse_inventory
    from iacgov.model import ParseOptions
    from iacgov.plugins import load_plugins

    bucket = 'resource "aws_s3_bucket" "replica" {\n  bucket = "acme-%s-replica"\n}\n'
    for env in ("prod", "staging"):
        (tmp_path / "envs" / env).mkdir(parents=True)
        (tmp_path / "envs" / env / "main.tf").write_text(bucket % env)
    (tmp_path / "envs" / "prod" / "copy.tf").write_text(
        'resource "aws_s3_bucket_replication_configuration" "copy" {\n  bucket = "acme-prod-data"\n'
        '  role   = "arn:aws:iam::111111111111:role/replication"\n'
        '  rule {\n    status = "Enabled"\n    destination {\n      bucket = aws_s3_bucket.replica.arn\n    }\n  }\n}\n')
    inventory = parse_inventory(ScanRequest(paths=(tmp_path,), root=tmp_path, options=ParseOptions(jobs=1)),
                                load_plugins(disabled=["checkov", "cfn-lint", "acme"]))
    [copy] = [r for r in inventory.resources if r.type == "aws_s3_bucket_replication_configuration"]
    destination = copy.attributes["rule"][0]["destination"][0]["bucket"]
    found = _iam.referenced(copy, destination, inventory.resources)
    assert [(r.address, r.attributes["bucket"], attribute) for r, attribute in found] == [
        ("aws_s3_bucket.replica", "acme-prod-replica", "arn")]
    [staging] = [r for r in inventory.resources if r.attributes.get("bucket") == "acme-staging-replica"]
    assert _iam.ref_target("aws_s3_bucket.replica.arn", staging, copy) is None


def test_a_bucket_is_not_encrypted_by_another_root_modules_configuration(tmp_path, cli):
    """ENC001's platform reading (rules/_platform.py) keeps to the root module too:
    staging's unencrypted-by-choice bucket is not covered by prod's SSE-KMS configuration."""
    bucket = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-%s-data"\n}\n'
    sse = ('resource "aws_s3_bucket_server_side_encryption_configuration" "data" {\n'
           '  bucket = aws_s3_bucket.data.id\n  rule {\n    apply_server_side_encryption_by_default {\n'
           '      sse_algorithm     = "aws:kms"\n      kms_master_key_id = aws_kms_key.data.arn\n    }\n  }\n}\n'
           'resource "aws_kms_key" "data" {\n  enable_key_rotation = true\n}\n')
    policy = "version: 1\nencryption:\n  customer_managed_keys:\n    required_for: all\n"
    for env in ("prod", "staging"):
        (tmp_path / "envs" / env).mkdir(parents=True)
        (tmp_path / "envs" / env / "main.tf").write_text(
            'provider "aws" {\n  region = "eu-west-3"\n}\n' + bucket % env + (sse if env == "prod" else ""))
    (tmp_path / "iacgov.yaml").write_text(policy)
    result = cli("-p", "no:checkov", "-p", "no:cfn-lint", "-p", "no:acme", "scan", tmp_path, "--format", "json")
    doc = json.loads(result.output)
    assert [(f["address"], f["file"]) for f in doc["findings"] if f["code"] == "ENC002"] == [
        ("aws_s3_bucket.data", "envs/staging/main.tf")]
