"""The scan's reference index and the IAM index answer per root module.

An estate repeats the same addresses in each of its root modules
(``envs/*/main.tf`` all calling one module). A reference designates a
resource of its own root only, so the answers below must be those of the
referrer's root — and finding them must not examine the other roots'
resources one by one, which made ENC002, LOG002 and the administrator
register quadratic in the number of roots (issue 22).
"""

from __future__ import annotations

import pytest

from iacgov.model import Location, Resource, Unknown
from iacgov.platform import iam as I
from iacgov.platform import references as R
from iacgov.platform.references import ReferenceIndex, referenced
from iacgov.platform.values import Setting


def _res(address: str, type_: str, root: str | None, fmt: str = "terraform", path: str | None = None,
         module: str = "", **attributes) -> Resource:
    return Resource(address, type_, "aws", fmt, Location(path or f"{root}/main.tf"), attributes, module=module,
                    meta={"root_module": root} if root is not None else {})


def _ref(ref: str) -> Unknown:
    return Unknown("not known before apply", ref=ref)


def _estate(roots: int) -> list[Resource]:
    """Each root: a bucket, its encryption configuration (by reference), a
    lifecycle configuration, a replication configuration reading the bucket's
    ARN, all under the same addresses in every root."""
    out = []
    for n in range(roots):
        root = f"envs/r{n}"
        out += [
            _res("aws_s3_bucket.logs", "aws_s3_bucket", root, bucket=f"logs-{n}"),
            _res("aws_s3_bucket_server_side_encryption_configuration.logs",
                 "aws_s3_bucket_server_side_encryption_configuration", root,
                 bucket=_ref("aws_s3_bucket.logs.id")),
            _res("aws_s3_bucket_lifecycle_configuration.logs", "aws_s3_bucket_lifecycle_configuration", root,
                 bucket=_ref("aws_s3_bucket.logs.id")),
            _res("module.m.aws_s3_bucket_replication_configuration.r", "aws_s3_bucket_replication_configuration",
                 root, module="module.m", bucket=_ref("aws_s3_bucket.logs.arn")),
        ]
    return out


def test_look_ups_answer_within_the_referrers_root():
    estate = _estate(4)
    index = ReferenceIndex(estate)
    bucket = [r for r in estate if r.address == "aws_s3_bucket.logs"][2]
    sse, lifecycle, replication = estate[9], estate[10], estate[11]
    assert sse.meta["root_module"] == bucket.meta["root_module"] == "envs/r2"

    assert index.target(sse.get("bucket"), sse) is bucket
    assert index.referred(lifecycle.get("bucket"), lifecycle, "aws_s3_bucket") == [bucket]
    # a name is global: a literal bucket name finds the bucket of any root
    assert index.referred("logs-0", lifecycle, "aws_s3_bucket", names=("bucket",)) == [estate[0]]
    found, undecided = index.referring(bucket, ["aws_s3_bucket_server_side_encryption_configuration"],
                                       Setting("bucket"), names=("bucket",))
    assert (found, undecided) == ([(sse, "bucket")], False)
    # a relative reference written in a module names the caller's resource (its root's only)
    assert index.referenced(replication, replication.get("bucket")) == [(bucket, "arn")]
    assert index.by_root(bucket) == estate[8:12]


def test_cloudformation_logical_ids_stay_within_their_template():
    a = _res("Bucket", "AWS::S3::Bucket", None, "cloudformation", "a.yaml")
    b = _res("Bucket", "AWS::S3::Bucket", None, "cloudformation", "b.yaml")
    policy = _res("Policy", "AWS::S3::BucketPolicy", None, "cloudformation", "b.yaml", Bucket=_ref("Bucket"))
    index = ReferenceIndex([a, b, policy])
    assert index.target(policy.get("Bucket"), policy) is b
    assert index.referenced(policy, policy.get("Bucket")) == [(b, "")]


@pytest.mark.parametrize("roots", [1, 3, 7])
def test_the_index_gives_what_trying_every_resource_gives(roots):
    """referenced() through the index equals the one-by-one search of every resource."""
    estate = _estate(roots) + [_res("aws_s3_bucket.logs", "aws_s3_bucket", "envs/r0", "terraform-plan")]
    index = ReferenceIndex(estate)
    for origin in estate:
        for value in origin.attributes.values():
            assert index.referenced(origin, value) == referenced(origin, value, estate)


@pytest.mark.parametrize("method", ["target", "referred", "referring", "referenced"])
def test_a_look_up_does_not_try_the_other_roots(monkeypatch, method):
    """The work of one look-up is the same in an estate of 2 roots and of 40
    (the per-root lists it reads are split once per scan, by the first)."""
    work = []
    for roots in (2, 40):
        estate = _estate(roots)
        index = ReferenceIndex(estate)
        bucket, sse, lifecycle, replication = estate[-4:]  # the last root: a search in order tries all

        def look_up():
            if method == "target":
                assert index.target(sse.get("bucket"), sse) is bucket
            elif method == "referred":
                assert index.referred(lifecycle.get("bucket"), lifecycle, "aws_s3_bucket") == [bucket]
            elif method == "referring":
                assert index.referring(bucket, ["aws_s3_bucket_server_side_encryption_configuration"],
                                       Setting("bucket"))[0] == [(sse, "bucket")]
            else:
                assert index.referenced(replication, replication.get("bucket")) == [(bucket, "arn")]

        look_up()
        calls = [0]
        monkeypatch.setattr(R, "same_root", _counted(R.same_root, calls))
        monkeypatch.setattr(R, "ref_target", _counted(R.ref_target, calls))
        monkeypatch.setattr(R, "root_of", _counted(getattr(R, "root_of", None), calls), raising=False)
        look_up()
        work.append(calls[0])
        monkeypatch.undo()
    assert work[0] == work[1]


def _counted(function, calls):
    def wrapper(*args, **kwargs):
        calls[0] += 1
        return function(*args, **kwargs)
    return wrapper


# -- IAM: which attachments and policies give a role its permissions -------

_ADMIN = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
_READ = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'


def _iam_estate(roots: int) -> list[Resource]:
    out = []
    for n in range(roots):
        root = f"envs/r{n}"
        out += [
            _res("aws_iam_role.app", "aws_iam_role", root, name=f"app-{n}"),
            _res("aws_iam_policy.p", "aws_iam_policy", root, name=f"p-{n}", policy=_ADMIN if n == 1 else _READ),
            _res("aws_iam_role_policy_attachment.a", "aws_iam_role_policy_attachment", root,
                 role=_ref("aws_iam_role.app.name"), policy_arn=_ref("aws_iam_policy.p.arn")),
        ]
    return out


def test_role_grants_come_from_its_own_root_or_a_literal_name():
    estate = _iam_estate(3) + [
        # another root naming r0's role by name and by ARN, with an AWS managed policy and a policy's ARN
        _res("aws_iam_role_policy_attachment.by_name", "aws_iam_role_policy_attachment", "envs/other",
             role="app-0", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess"),
        _res("aws_iam_policy_attachment.by_arn", "aws_iam_policy_attachment", "envs/other",
             roles=["arn:aws:iam::123456789012:role/app-0"], policy_arn="arn:aws:iam::123456789012:policy/p-1"),
        # an ARN of something that is not a role names no role
        _res("aws_iam_role_policy_attachment.user", "aws_iam_role_policy_attachment", "envs/other",
             role="arn:aws:iam::123456789012:user/app-0", policy_arn="arn:aws:iam::aws:policy/AdministratorAccess"),
    ]
    index = I.iam_index(estate)
    role0, role1 = index.roles[0], index.roles[1]
    grants, exclusive = index.grants(role0)
    assert [(g.policy, g.via) for g in grants] == [
        ("aws_iam_policy.p", "aws_iam_role_policy_attachment.a"),
        ("ReadOnlyAccess", "aws_iam_role_policy_attachment.by_name"),
        ("aws_iam_policy.p", "aws_iam_policy_attachment.by_arn"),  # p-1: root r1's administrator policy
    ]
    assert grants[0].document["Statement"][0]["Action"] == "s3:GetObject"  # r0's policy, not r1's
    assert [g.admin for g in grants[1:]] == [False, True]
    assert exclusive is False
    assert index.is_admin(role0) is True
    assert [(g.policy, g.admin) for g in index.grants(role1)[0]] == [("aws_iam_policy.p", True)]
    assert index.is_admin(index.roles[2]) is not True


def test_role_grants_follow_attachments_added_after_the_first_question():
    estate = _iam_estate(2)
    index = I.iam_index(estate)
    assert index.is_admin(index.roles[0]) is not True
    index.attachments.append(_res("aws_iam_role_policy.inline", "aws_iam_role_policy", "envs/r0",
                                  role=_ref("aws_iam_role.app.id"), policy=_ADMIN))
    assert index.is_admin(index.roles[0]) is True


def test_a_roles_grants_do_not_try_the_other_roots(monkeypatch):
    work = []
    for roots in (2, 40):
        index = I.iam_index(_iam_estate(roots))
        index.is_admin(index.roles[-1])  # the look-ups are built once per index
        calls = [0]
        monkeypatch.setattr(I, "ref_target", _counted(I.ref_target, calls))
        monkeypatch.setattr(I.IamIndex, "names_role", _counted(I.IamIndex.names_role, calls))
        assert index.is_admin(index.roles[1]) is True
        work.append(calls[0])
        monkeypatch.undo()
    assert work[0] == work[1]
