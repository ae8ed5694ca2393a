"""The CloudFormation parser: claims, decoding, intrinsic functions, lines, notifications."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iacgov.model import ParseOptions, SourceFile, Severity, Unknown
from iacgov.parsers.cloudformation import CloudFormationParser
from iacgov.placeholders import UnknownTemplate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cloudformation"
PARSER = CloudFormationParser()


def source(path: Path, relpath: str | None = None) -> SourceFile:
    return SourceFile(path=path, relpath=relpath or path.name)


def parse(path: Path, **options):
    (result,) = PARSER.parse([source(path)], ParseOptions(**options), path.parent)
    assert result.files == (path.name,)
    return result


def resources(path: Path, **options):
    result = parse(path, **options)
    assert result.notifications == ()
    return {r.address: r for r in result.resources}


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# -- claims ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["ledger.yaml", "queue.json", "serverless.yml", "malformed.yaml", "latin1.yaml"])
def test_claims_templates_by_their_head(name):
    path = FIXTURES / name
    assert PARSER.claims(source(path), path.read_bytes()[:65536])


TEMPLATE_HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n'


@pytest.mark.parametrize("relpath, text", [
    ("docker-compose.yml", (FIXTURES / "docker-compose.yml").read_text()),
    ("compose.yaml", TEMPLATE_HEAD),
    (".pre-commit-config.yaml", "repos:\n- repo: local\n  hooks: []\n# AWSTemplateFormatVersion: x\n"),
    (".github/workflows/deploy.yml", "on: push\njobs: {}\n# AWSTemplateFormatVersion: 1\n" + TEMPLATE_HEAD),
    ("iacgov.yaml", "version: 1\n" + TEMPLATE_HEAD),
    ("stack.txt", TEMPLATE_HEAD),
    ("main.tf", TEMPLATE_HEAD),
    ("notes.yaml", "Resources are described in the wiki.\nType: AWS::S3::Bucket is one of them\n"),
    ("plan.json", '{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"values": '
                  '{"template_body": "{\\"AWSTemplateFormatVersion\\": \\"2010-09-09\\"}"}}]}}}'),
])
def test_does_not_claim_other_files(tmp_path, relpath, text):
    path = write(tmp_path, relpath, text)
    assert not PARSER.claims(source(path, relpath), path.read_bytes())


@pytest.mark.parametrize("text", [
    '{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}',
    "Resources:\n  B:\n    Type: 'AWS::S3::Bucket'\n",
    "Resources:\n  Skill:\n    Type: Alexa::ASK::Skill\n",
])
def test_claims_templates_without_format_version(tmp_path, text):
    path = write(tmp_path, "stack.template", text)
    assert PARSER.claims(source(path), path.read_bytes())


def test_importing_the_plugin_does_not_import_cfn_lint():
    code = "import sys, iacgov.parsers.cloudformation as m; m.iacgov_parsers(); print('cfnlint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# -- the YAML fixture with its defaults -------------------------------------------

@pytest.fixture(scope="module")
def ledger():
    return resources(FIXTURES / "ledger.yaml")


@pytest.fixture(scope="module")
def ledger_prod():
    return resources(FIXTURES / "ledger.yaml", cfn_parameters={"Env": "prod", "VpcId": "vpc-0abc"}, region="eu-west-3")


def test_resources_in_template_order_without_false_conditions(ledger, ledger_prod):
    assert list(ledger) == ["LedgerKey", "LedgerBucket", "S3Endpoint", "Subnet", "Worker", "ReplicationRole", "Handler"]
    assert "ProdAlarmTopic" in ledger_prod  # IsProd is true once Env=prod


def test_resource_identity(ledger):
    key = ledger["LedgerKey"]
    assert (key.type, key.cloud, key.source_format, key.mode) == ("AWS::KMS::Key", "aws", "cloudformation", "managed")
    assert key.location.path == "ledger.yaml" and key.location.line == 37
    assert ledger["Handler"].type == "AWS::Serverless::Function"


def test_parameters_defaults_and_overrides(ledger, ledger_prod):
    assert ledger["LedgerKey"].attributes["Description"] == "Ledger key for dev"
    assert ledger_prod["LedgerKey"].attributes["Description"] == "Ledger key for prod"
    # A Number parameter is a string, as Ref returns it.
    assert ledger["LedgerBucket"].get("LifecycleConfiguration.Rules.0.ExpirationInDays") == "30"
    # CommaDelimitedList: split and trimmed.
    assert ledger["Handler"].get("Environment.Variables.ADMINS") == "break-glass,ops"
    missing = ledger["S3Endpoint"].attributes["VpcId"]
    assert missing == Unknown("parameter VpcId has no value (pass --cfn-param VpcId=...)", ref="VpcId")
    assert ledger_prod["S3Endpoint"].attributes["VpcId"] == "vpc-0abc"
    ssm = ledger["Worker"].attributes["ImageId"]
    assert isinstance(ssm, Unknown) and ssm.ref == "LatestAmi" and "SSM parameter" in ssm.reason


def test_key_policy_stays_a_document_and_principals_keep_their_text(ledger):
    policy = ledger["LedgerKey"].attributes["KeyPolicy"]
    assert isinstance(policy, dict) and policy["Version"] == "2012-10-17"
    root, break_glass = policy["Statement"]
    assert root["Principal"]["AWS"] == UnknownTemplate("the account ID is known at deployment",
                                                       text="arn:aws:iam::<unknown:AWS::AccountId>:root")
    assert break_glass["Principal"]["AWS"] == "arn:aws:iam::111111111111:role/break-glass"  # !Join + !Select
    assert break_glass["Action"] == ["kms:Decrypt", "kms:DescribeKey"]


def test_references_to_resources_and_deploy_time_values(ledger):
    assert ledger["LedgerBucket"].get("BucketEncryption.ServerSideEncryptionConfiguration.0."
                                      "ServerSideEncryptionByDefault.KMSMasterKeyID").ref == "LedgerKey.Arn"
    assert ledger["Worker"].attributes["SubnetId"].ref == "Subnet"
    assert ledger["Handler"].get("Environment.Variables.BUCKET").ref == "LedgerBucket"
    name = ledger["LedgerBucket"].attributes["BucketName"]
    assert isinstance(name, UnknownTemplate) and name.ref is None and "--region" in name.reason
    assert name.text == "ledger-dev-<unknown:AWS::Region>"
    role_name = ledger["ReplicationRole"].attributes["RoleName"]  # !Join
    assert isinstance(role_name, UnknownTemplate) and role_name.text == "ledger-dev-<unknown:AWS::Region>"
    assert isinstance(ledger["Subnet"].attributes["AvailabilityZone"], Unknown)  # !Select of !GetAZs


def test_functions_with_known_inputs(ledger, ledger_prod):
    worker = ledger["Worker"].attributes
    assert worker["InstanceType"] == "t3.micro"  # !FindInMap with !Ref
    assert ledger_prod["Worker"].attributes["InstanceType"] == "m6i.large"
    assert worker["UserData"] == "IyEvYmluL2Jhc2gKZWNobyByZWFkeQo="  # !Base64
    assert ledger["Subnet"].attributes["CidrBlock"] == "10.0.1.0/24"  # !Select of !Cidr
    assert ledger_prod["LedgerBucket"].attributes["BucketName"] == "ledger-prod-eu-west-3"
    assert ledger_prod["S3Endpoint"].attributes["ServiceName"] == "com.amazonaws.eu-west-3.s3"


def test_conditions(ledger, ledger_prod):
    # Fn::And with one false condition is false even when the other is unknown.
    assert ledger["Worker"].attributes["Monitoring"] is False
    assert ledger["Handler"].get("Environment.Variables.STAGE") == "development"
    assert ledger_prod["Handler"].get("Environment.Variables.STAGE") == "production"
    # A dict branch of Fn::If, and AWS::NoValue removing the key or list item.
    assert "ReplicationConfiguration" not in ledger["LedgerBucket"].attributes
    assert ledger_prod["LedgerBucket"].get("ReplicationConfiguration.Rules.0.Destination.Bucket") == \
        "arn:aws:s3:::ledger-replica-prod"
    assert [t["Key"] for t in ledger["LedgerKey"].attributes["Tags"]] == ["env", "owner"]
    assert [t["Key"] for t in ledger_prod["LedgerKey"].attributes["Tags"]] == ["env", "tier", "owner"]


def test_resource_conditions_in_meta(ledger, ledger_prod):
    # InVpc depends on VpcId, which has no value: kept, flagged.
    assert ledger["S3Endpoint"].meta == {"Condition": "InVpc", "condition": "InVpc"}
    assert ledger_prod["S3Endpoint"].meta == {"Condition": "InVpc"}
    # Fn::Or with one true condition is true even when the other is unknown.
    assert ledger["Subnet"].meta == {"Condition": "DevOrInVpc"}


def test_meta_keeps_policies_and_raw_metadata(ledger):
    key = ledger["LedgerKey"]
    assert key.meta["DeletionPolicy"] == "Retain" and key.meta["UpdateReplacePolicy"] == "Retain"
    assert key.meta["Metadata"] == {"iacgov": {"suppress": [{"rule": "ADM001", "reason": "reviewed with the CTO"}]}}
    assert ledger["LedgerBucket"].meta == {"DependsOn": ["LedgerKey"], "parameter_defaults": {  # values left at a Default
        "LifecycleConfiguration.Rules.0.ExpirationInDays": "RetentionDays", "Tags.0.Value": "Env"}}
    assert type(key.meta["Metadata"]) is dict and type(key.attributes["Description"]) is str  # no cfn-lint nodes


def test_region(ledger, ledger_prod):
    assert ledger["LedgerKey"].region == Unknown("the deployment region of the template is not known (pass --region, "
                                                 "or set region in a samconfig.toml beside it)", ref="AWS::Region")
    assert ledger_prod["LedgerKey"].region == "eu-west-3"
    assert ledger_prod["ReplicationRole"].region is None  # IAM is global


def test_tags(ledger, ledger_prod):
    assert ledger["LedgerKey"].tags == {"env": "dev", "owner": "finance"}
    assert ledger_prod["LedgerKey"].tags == {"env": "prod", "tier": "critical", "owner": "finance"}
    assert ledger["Handler"].tags == {"env": "dev", "app": "ledger"}  # SAM writes a mapping
    assert ledger["Worker"].tags == {}


def test_attribute_lines(ledger, ledger_prod):
    key = ledger["LedgerKey"]
    lines = {path: loc.line for path, loc in key.attribute_locations.items()}
    assert lines["KeyPolicy"] == 49
    assert lines["KeyPolicy.Statement.0.Principal.AWS"] == 55
    assert (lines["Tags"], lines["Tags.0.Value"], lines["Tags.1.Value"]) == (64, 66, 69)
    assert all(loc.path == "ledger.yaml" for loc in key.attribute_locations.values())
    bucket = ledger_prod["LedgerBucket"]
    assert bucket.location_of("BucketName").line == 75
    assert bucket.location_of("ReplicationConfiguration.Rules.0.Destination.Bucket").line == 92
    assert bucket.location_of("ReplicationConfiguration.Role").line == 88
    assert bucket.location_of("Tags.0.Value").line == 96
    # Tags.1 is the !If item, present only in prod.
    assert ledger_prod["LedgerKey"].location_of("Tags.1.Value").line == 67
    assert ledger_prod["LedgerKey"].location_of("Tags.2.Value").line == 69
    # Not written: the closest written parent, else the resource.
    assert bucket.location_of("BucketName.nothing").line == 75
    assert ledger["Worker"].location_of("Nothing").line == 117


def test_deterministic():
    first, second = (parse(FIXTURES / "ledger.yaml", region="eu-west-3") for _ in range(2))
    assert [(r.address, r.attributes, dict(r.attribute_locations), r.meta) for r in first.resources] == \
        [(r.address, r.attributes, dict(r.attribute_locations), r.meta) for r in second.resources]


# -- the JSON fixture ------------------------------------------------------------

def test_json_template():
    found = resources(FIXTURES / "queue.json", region="eu-west-3")
    queue = found["Queue"]
    assert queue.location.line == 16
    assert queue.location_of("MessageRetentionPeriod").line == 20
    assert queue.location_of("Tags.1.Value").line == 26
    attrs = queue.attributes
    assert isinstance(attrs["QueueName"], UnknownTemplate) and attrs["QueueName"].ref is None
    assert attrs["QueueName"].text == "<unknown:AWS::StackName>-ledger"
    assert attrs["MessageRetentionPeriod"] == 345600  # Fn::FindInMap DefaultValue
    assert attrs["KmsMasterKeyId"] == "alias/live"  # unknown condition, equal branches
    assert isinstance(attrs["DelaySeconds"], Unknown) and "condition IsLive" in attrs["DelaySeconds"].reason
    assert attrs["RedrivePolicy"] == \
        '{"maxReceiveCount":3,"deadLetterTargetArn":"arn:aws:sqs:eu-west-3:111111111111:dlq"}'
    assert queue.tags["team"] == "billing"  # Fn::Select of Fn::Split
    assert isinstance(queue.tags["shared-with"], Unknown)  # Fn::ImportValue
    alarm = found["Alarm"]
    assert alarm.meta["condition"] == "IsLive"
    assert isinstance(alarm.attributes["AlarmName"], UnknownTemplate) and alarm.attributes["AlarmName"].ref is None
    assert alarm.attributes["AlarmName"].text == "<unknown:Queue.QueueName>-depth-eu-west-3"


def test_json_template_with_a_condition_known():
    found = resources(FIXTURES / "queue.json", cfn_parameters={"Stage": "test"})
    assert "Alarm" not in found
    assert found["Queue"].attributes["DelaySeconds"] == 5


# -- notifications -----------------------------------------------------------------

def only_notification(result):
    assert result.resources == ()
    (note,) = result.notifications
    assert note.source == "cloudformation"
    return note


def test_malformed_yaml_is_an_error_with_its_line():
    note = only_notification(parse(FIXTURES / "malformed.yaml"))
    assert note.level is Severity.ERROR and note.location.line == 7
    assert note.message.startswith("malformed.yaml: cannot parse CloudFormation template:")


@pytest.mark.parametrize("name", ["serverless.yml", "docker-compose.yml"])
def test_not_a_template_is_a_note(name):
    note = only_notification(parse(FIXTURES / name))
    assert note.level is Severity.NOTE
    assert note.message == f"{name}: skipped: not a CloudFormation template"


def test_non_utf8_is_an_error_with_its_line():
    note = only_notification(parse(FIXTURES / "latin1.yaml"))
    assert note.level is Severity.ERROR and note.location.line == 2
    assert note.message == "latin1.yaml: cannot be decoded: not UTF-8 text (byte 0xe9 at offset 72)"


def test_unreadable_file_is_an_error(tmp_path):
    (result,) = PARSER.parse([source(tmp_path / "gone.yaml")], ParseOptions(), tmp_path)
    note = only_notification(result)
    assert note.level is Severity.ERROR and note.message.startswith("gone.yaml: cannot be read")


def test_duplicate_keys_are_errors(tmp_path):
    path = write(tmp_path, "dup.yaml", TEMPLATE_HEAD + "    Type: AWS::SQS::Queue\n")
    result = parse(path)
    assert result.resources == () and {n.location.line for n in result.notifications} == {4, 5}
    assert all(n.level is Severity.ERROR and "Duplicate" in n.message for n in result.notifications)


def test_entries_that_are_not_resources_are_warned(tmp_path):
    path = write(tmp_path, "t.yaml", TEMPLATE_HEAD + (
        "  NoType:\n    Properties: {}\n"
        "  Module:\n    Type: !Rain::Module ./bucket.yaml\n"
        "  Fn::ForEach::Topics:\n    - Name\n    - !Ref Names\n    - Topic${Name}: {Type: AWS::SNS::Topic}\n"
        "  Included:\n    Type: AWS::SNS::Topic\n    Properties:\n      Fn::Transform: {Name: AWS::Include}\n"
        "Parameters:\n  Names: {Type: CommaDelimitedList}\n"
    ))
    result = parse(path)
    assert [r.address for r in result.resources] == ["B", "Included"]
    assert result.resources[1].attributes == {}
    assert [(n.level, n.location.line) for n in result.notifications] == [(Severity.WARNING, line) for line in (5, 7, 9, 13)]
    assert "Module has no resource type name (Type: {'Fn::Rain::Module': './bucket.yaml'})" in \
        result.notifications[1].message
    assert "Fn::ForEach::Topics cannot be expanded: its collection is not known: parameter Names has no value" in \
        result.notifications[2].message


def test_for_each_is_expanded_with_lines():
    found = resources(FIXTURES / "queue.json", cfn_parameters={"Teams": "billing, ledger-ops", "Stage": "test"})
    assert list(found) == ["Queue", "Topicbilling", "Topicledgerops"]
    topic = found["Topicledgerops"]
    assert topic.attributes == {"TopicName": "ledger-ops-events", "Tags": [{"Key": "team", "Value": "ledger-ops"}]}
    assert topic.location.line == 31 and topic.location_of("Tags.0.Value").line == 33


def test_for_each_in_properties(tmp_path):
    value = evaluate(tmp_path, "{Fn::ForEach::Ports: [P, ['80', '443'], {'Port${P}': {Ref: P}}], Other: 1}")
    assert value == {"Port80": "80", "Port443": "443", "Other": 1}


# -- the evaluator, function by function ---------------------------------------------

def evaluate(tmp_path: Path, value_yaml: str, header: str = "", **options):
    """Evaluate the YAML ``value_yaml`` as the property ``P`` of a bucket."""
    text = header + "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      P: " + value_yaml + "\n"
    (bucket,) = resources(write(tmp_path, "t.yaml", text), **options).values()
    return bucket.attributes.get("P", "<removed>")


PARAMS = (
    "Parameters:\n"
    "  Env: {Type: String, Default: dev}\n"
    "  Account: {Type: String}\n"
    "  Zones: {Type: 'List<AWS::EC2::AvailabilityZone::Name>', Default: 'a,b'}\n"
    "  Size: {Type: Number, Default: 3}\n"
)


@pytest.mark.parametrize("expression, expected", [
    ('!Sub "plain"', "plain"),
    ('!Sub "${!Literal}-${Env}"', "${Literal}-dev"),
    ('!Sub ["${A}/${Env}", {A: !Select [1, !Ref Zones]}]', "b/dev"),
    ('!Sub "${AWS::Partition}/${AWS::URLSuffix}"', "aws/amazonaws.com"),
    ("!Join ['', [a, 1, true]]", "a1true"),
    ("!Join [',', !Ref Zones]", "a,b"),
    ("!Select ['1', [x, y]]", "y"),
    ("!Split ['/', a/b/c]", ["a", "b", "c"]),
    ("!Ref Size", "3"),
    ("!Length [1, 2, !Ref AWS::NoValue]", 2),
    ("!Base64 {Ref: Env}", "ZGV2"),
    ("!Cidr [10.0.0.0/24, 2, 6]", ["10.0.0.0/26", "10.0.0.64/26"]),
    ("!Cidr ['2001:db8::/56', 1, 64]", ["2001:db8::/64"]),
    ("!ToJsonString {a: [1, !Ref Env]}", '{"a":[1,"dev"]}'),
    ("[a, !Ref AWS::NoValue, b]", ["a", "b"]),
    ("!Ref AWS::NoValue", "<removed>"),
    ("{K: !If [IsDev, !Ref AWS::NoValue, v], L: 1}", {"L": 1}),
    ("!If [IsDev, [1, 2], x]", [1, 2]),
    ("!FindInMap [M, !Ref Env, k]", "from-map"),
    ("!FindInMap [M, prod, k, {DefaultValue: [d]}]", ["d"]),
    ("2020-01-01", "2020-01-01"),
    ("{Condition: not-a-function}", {"Condition": "not-a-function"}),
])
def test_functions(tmp_path, expression, expected):
    header = PARAMS + "Mappings:\n  M:\n    dev: {k: from-map}\nConditions:\n  IsDev: !Equals [!Ref Env, dev]\n"
    assert evaluate(tmp_path, expression, header) == expected


def test_a_reference_to_nothing_is_unknown_and_warned(tmp_path):
    text = ("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
            "      P: !Ref Nowhere\n      Q: !GetAtt Missing.Arn\n      R: !Sub '${Nowhere}-${Missing.Arn}'\n")
    result = parse(write(tmp_path, "t.yaml", text))
    (bucket,) = result.resources
    assert bucket.get("P") == Unknown("Ref to Nowhere, which the template does not declare", ref="Nowhere")
    assert bucket.get("Q") == Unknown("Fn::GetAtt on Missing, which the template does not declare", ref="Missing.Arn")
    assert [(n.level, n.location.line, n.message) for n in result.notifications] == [
        (Severity.WARNING, 2, f"t.yaml: B refers to {name}, which the template does not declare "
                              "(CloudFormation would reject it): the value is unknown")
        for name in ("Nowhere", "Missing")
    ]


@pytest.mark.parametrize("expression, ref, reason", [
    ("!Ref AWS::AccountId", "AWS::AccountId", "the account ID is known at deployment"),
    ("!Ref AWS::StackId", "AWS::StackId", "the stack ID is known at deployment"),
    ("!Ref AWS::NotificationARNs", "AWS::NotificationARNs", None),
    ("!Ref Account", "Account", "parameter Account has no value (pass --cfn-param Account=...)"),
    ("!GetAtt B.Arn", "B.Arn", "attribute Arn of B is known after deployment"),
    ("!GetAtt [B, !Ref Env]", "B.dev", None),
    ("!Select [0, !GetAZs '']", None, None),
    ("!Select [5, [a]]", None, "Fn::Select cannot be evaluated: index 5 out of range"),
    ("!Split [',', !Ref Account]", None, None),
    ("!FindInMap [M, nowhere, k]", None, "Fn::FindInMap cannot be evaluated: no entry M.nowhere.k in Mappings"),
    ("!If [Unknowable, a, b]", None, None),
    ("!If [Undeclared, a, b]", None, None),
    ("!If [Loop, a, b]", None, None),
    ("{'Fn::Transform': {Name: AWS::Include}}", None, "Fn::Transform is not evaluated"),
    ("!Join [',', [[nested]]]", None, None),
    ("!Base64 [a]", None, None),
])
def test_unknown_values(tmp_path, expression, ref, reason):
    header = PARAMS + (
        "Mappings:\n  M:\n    dev: {k: from-map}\n"
        "Conditions:\n  Unknowable: !Equals [!Ref Account, x]\n  Loop: !Not [!Condition Loop]\n"
    )
    value = evaluate(tmp_path, expression, header)
    assert isinstance(value, Unknown), value
    assert value.ref == ref
    if reason:
        assert value.reason == reason


@pytest.mark.parametrize("expression, text", [
    ('!Sub "arn:${AWS::Partition}:iam::${Account}:root"', "arn:aws:iam::<unknown:Account>:root"),
    ('!Sub ["${X}-${Y}", {X: !GetAtt B.Arn, Y: !ImportValue shared}]', "<unknown:B.Arn>-<unknown>"),
    ("!Join ['', ['arn:aws:iam::', !Ref AWS::AccountId, ':root']]", "arn:aws:iam::<unknown:AWS::AccountId>:root"),
    ("!Join [':', [!Sub '${AWS::StackName}-x', '${literal}']]", "<unknown:AWS::StackName>-x:${literal}"),
    ("!Sub '${!literal}-${AWS::StackName}'", "${literal}-<unknown:AWS::StackName>"),
])
def test_strings_with_unknown_parts(tmp_path, expression, text):
    value = evaluate(tmp_path, expression, PARAMS)
    assert isinstance(value, UnknownTemplate), value
    assert value.ref is None and value.text == text


@pytest.mark.parametrize("region, partition, suffix", [
    ("cn-north-1", "aws-cn", "amazonaws.com.cn"), ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
    ("EU-West-3", "aws", "amazonaws.com"),
])
def test_partition_follows_the_region(tmp_path, region, partition, suffix):
    assert evaluate(tmp_path, '!Sub "${AWS::Partition} ${AWS::URLSuffix} ${AWS::Region}"', region=region) == \
        f"{partition} {suffix} {region.lower()}"


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_never_raises_on_arbitrary_text(tmp_path, text):
    path = write(tmp_path, "fuzz.yaml", text)
    (result,) = PARSER.parse([source(path)], ParseOptions(), tmp_path)
    assert not any("internal error" in n.message for n in result.notifications)


FUNCTION_NAMES = ["Ref", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::FindInMap", "Fn::If", "Fn::GetAtt",
                  "Fn::Base64", "Fn::Cidr", "Fn::Length", "Fn::ToJsonString", "Fn::Equals", "Fn::And", "Fn::Or",
                  "Fn::Not", "Fn::ImportValue", "Fn::GetAZs", "Condition"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 300), st.sampled_from(
    ["", "a", "B", "B.Arn", "Env", "AWS::Region", "AWS::NoValue", "AWS::AccountId", "IsDev", "10.0.0.0/16",
     "${Env}", "${B.Arn}", "${!x}", "${", ",", "M", "dev", "k"]))
NODES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(FUNCTION_NAMES), inner, min_size=1, max_size=1),
    st.dictionaries(st.sampled_from(["a", "DefaultValue", "Key"]), inner, max_size=2),
), max_leaves=12)


@given(NODES)
@settings(max_examples=300, deadline=None)
def test_evaluator_never_raises(node):
    from iacgov.parsers.cloudformation.intrinsics import Evaluator  # noqa: PLC0415

    template = {
        "Parameters": {"Env": {"Default": "dev"}, "L": {"Type": "CommaDelimitedList", "Default": node}},
        "Mappings": {"M": {"dev": {"k": node}}},
        "Conditions": {"IsDev": node, "Other": {"Fn::Not": [{"Condition": "IsDev"}]}},
        "Resources": {"B": {"Type": "AWS::S3::Bucket"}},
    }
    evaluator = Evaluator(template, {}, None)
    evaluator.resolve({"P": node, "Q": [node, {"Fn::If": ["Other", node, node]}]}, {})
    evaluator.condition("IsDev")


# -- property-based: whole templates, any bytes (docs/security.md) -------------------------------

def _template(draw_nodes: list, keys: list[str]) -> dict:
    """A template whose every section holds generated intrinsic nodes."""
    a, b, c, d, e = draw_nodes
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Env": {"Type": "String", "Default": a}, "L": {"Type": "CommaDelimitedList"}},
        "Mappings": {"M": {"dev": {"k": b}}},
        "Conditions": {"IsDev": c, "Other": {"Fn::Not": [{"Condition": "IsDev"}]}},
        "Resources": {
            **{key: {"Type": "AWS::S3::Bucket", "Condition": "Other", "Properties": {"P": d, "Tags": [e, d]},
                     "DeletionPolicy": a, "Metadata": {"iacgov": {"ignore": [b]}}} for key in keys},
            "Fn::ForEach::Loop": ["X", c, {"Q${X}": {"Type": "AWS::SQS::Queue", "Properties": {"N": e}}}],
            "B": {"Type": "AWS::S3::Bucket"},
        },
        "Outputs": {"O": {"Value": d}},
    }


@given(st.lists(NODES, min_size=5, max_size=5), st.lists(st.sampled_from(["R1", "R2", "B", "Q"]), max_size=3),
       st.sampled_from(["json", "yaml", "yaml-aliases"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_generated_templates_never_raise(tmp_path, nodes, keys, form):
    """Any intrinsic in any section, as JSON, YAML, or YAML with anchors and
    aliases: resources or notifications naming the file, never an internal
    error, in bounded time."""
    import json  # noqa: PLC0415

    import yaml  # noqa: PLC0415

    template = _template(nodes, keys)
    if form == "json":
        text = json.dumps(template)
    else:
        if form == "yaml-aliases":  # the same node object in two places: yaml.dump writes &id001 / *id001
            template["Outputs"]["Shared"] = {"Value": template["Resources"]["B"]}
        text = yaml.safe_dump(template) if form == "yaml" else yaml.dump(template, Dumper=yaml.SafeDumper)
    path = write(tmp_path, f"gen.{'json' if form == 'json' else 'yaml'}", text)
    started = time.monotonic()
    (result,) = PARSER.parse([source(path)], ParseOptions(region="eu-west-3"), tmp_path)
    assert time.monotonic() - started < 10
    assert not [n.message for n in result.notifications if "internal error" in n.message]
    assert all(n.location.path == path.name and n.location.line >= 1 for n in result.notifications)


@given(st.binary(max_size=500))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_never_raises_on_arbitrary_bytes(tmp_path, data):
    path = write(tmp_path, "fuzz.template", b"AWSTemplateFormatVersion: x\n" + data)
    (result,) = PARSER.parse([source(path)], ParseOptions(), tmp_path)
    assert not any("internal error" in n.message for n in result.notifications)


def test_a_for_each_over_a_resource_reference_is_not_an_internal_error(tmp_path):
    """Found by test_generated_templates_never_raise: the collection is evaluated
    while the resource names are still being listed."""
    path = write(tmp_path, "t.yaml", 'Transform: AWS::LanguageExtensions\nResources:\n'
                 "  Fn::ForEach::Queues:\n    - X\n    - !GetAtt B.Names\n"
                 "    - Q${X}:\n        Type: AWS::SQS::Queue\n  B:\n    Type: AWS::S3::Bucket\n")
    result = parse(path)
    assert [r.address for r in result.resources] == ["B"]
    assert not any("internal error" in n.message for n in result.notifications)
    assert any("not checked" in n.message for n in result.notifications)
