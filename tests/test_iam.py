"""Tests for fisc_iac_lint.predicates.iam, the IAM policy-document reader."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fisc_iac_lint.model import Mapping, Sequence, Unknown
from fisc_iac_lint.predicates.iam import (
    PINNING_CONDITION_KEYS,
    Statement,
    action_matches,
    allows,
    blocked_actions_on_all_keys,
    condition_pins_caller,
    covers_all_keys,
    document_from_data_source,
    full_access_actions,
    grants_admin_access,
    grants_pattern,
    is_all_actions,
    is_service_wide,
    on_all_kms_keys,
    patterns_overlap,
    principal_is_public,
    public_statements,
    public_statements_unknown,
    read_document,
    split_patterns,
    statement_grants,
)

U = Unknown("aws_s3_bucket.b.arn")


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def one(statement: dict) -> Statement:
    """Read a document of a single statement and expect no problems."""
    stmts, problems = read_document({"Version": "2012-10-17", "Statement": statement})
    assert problems == []
    assert len(stmts) == 1
    return stmts[0]


def allow(**extra):
    return {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", **extra}


PUBLIC = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


# --------------------------------------------------------------------------
# read_document: shapes


def test_single_statement_object():
    s = one({"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})
    assert s == Statement(
        index=0,
        line=0,
        effect="Allow",
        actions=("s3:GetObject",),
        not_actions=None,
        resources=("arn:aws:s3:::b/*",),
        not_resources=None,
        principal=None,
        not_principal=None,
        condition={},
        sid="A",
    )


def test_statement_list_keeps_order_and_index():
    stmts, problems = read_document(
        doc(
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["a", "b"]},
            {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "c"},
        )
    )
    assert problems == []
    assert [s.index for s in stmts] == [0, 1]
    assert stmts[0].actions == ("s3:GetObject", "s3:PutObject")
    assert stmts[0].not_actions is None
    assert stmts[0].resources == ("a", "b")
    assert stmts[1].effect == "Deny"
    assert stmts[1].actions is None
    assert stmts[1].not_actions == ("iam:*",)
    assert stmts[1].resources is None
    assert stmts[1].not_resources == ("c",)


def test_trust_policy_without_resource_is_not_a_problem():
    s = one({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    assert s.resources is None and s.not_resources is None
    assert s.principal == {"Service": ("ec2.amazonaws.com",)}


def test_principal_forms_are_normalised():
    assert one(allow(Principal="*")).principal == "*"
    assert one(allow(Principal={"AWS": "*"})).principal == {"AWS": ("*",)}
    assert one(allow(Principal={"AWS": ["arn:aws:iam::111122223333:root", "*"]})).principal == {
        "AWS": ("arn:aws:iam::111122223333:root", "*")
    }
    assert one(allow(Principal={"CanonicalUser": "abc"})).principal == {"CanonicalUser": ("abc",)}
    assert one(allow(Principal=U)).principal is U
    assert one(allow(Principal={"AWS": [U]})).principal == {"AWS": (U,)}
    assert one(allow(NotPrincipal={"AWS": "arn:aws:iam::1:root"})).not_principal == {"AWS": ("arn:aws:iam::1:root",)}


def test_condition_is_normalised():
    s = one(
        allow(
            Condition={
                "StringEquals": {"aws:SourceVpce": "vpce-1", "aws:SourceAccount": ["1", "2"]},
                "Bool": {"aws:SecureTransport": False},
                "NumericLessThan": {"s3:max-keys": 10},
            }
        )
    )
    assert s.condition == {
        "StringEquals": {"aws:SourceVpce": ("vpce-1",), "aws:SourceAccount": ("1", "2")},
        "Bool": {"aws:SecureTransport": (False,)},
        "NumericLessThan": {"s3:max-keys": (10,)},
    }


def test_unknown_condition_parts_land_in_values():
    assert one(allow(Condition=U)).condition == {"": {"": (U,)}}
    assert one(allow(Condition={"StringEquals": U})).condition == {"StringEquals": {"": (U,)}}
    assert one(allow(Condition={"StringEquals": {"aws:SourceVpce": U}})).condition == {
        "StringEquals": {"aws:SourceVpce": (U,)}
    }


def test_unknown_values_are_kept():
    s = one({"Effect": U, "Action": [U, "s3:GetObject"], "Resource": U})
    assert s.effect is U
    assert s.actions == (U, "s3:GetObject")
    assert s.resources == (U,)


# --------------------------------------------------------------------------
# read_document: lines


def test_json_string_statement_lines():
    text = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "First",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    },
    {"Sid": "Second", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}
  ]
}"""
    stmts, problems = read_document(text, base_line=20)
    assert problems == []
    assert [(s.sid, s.line) for s in stmts] == [("First", 24), ("Second", 30)]
    # without a base line, the line within the text (1-based)
    assert [s.line for s in read_document(text)[0]] == [4, 10]


def test_json_string_single_statement_and_braces_inside_strings():
    text = '{"Statement":\n\n {"Sid": "{\\n{", "Effect": "Allow", "Action": "*", "Resource": "}"}}'
    stmts, problems = read_document(text, base_line=5)
    assert problems == []
    assert stmts[0].line == 8
    assert stmts[0].sid == "{\n{"


def test_json_string_on_one_line():
    text = json.dumps(doc(allow(), allow(Sid="x")))
    assert [s.line for s in read_document(text, base_line=7)[0]] == [8, 8]


def test_mapping_statement_lines():
    s0 = Mapping({"Effect": "Allow", "Action": "*", "Resource": "*"}, line=12)
    s1 = {"Effect": "Deny", "Action": "*", "Resource": "*"}  # a plain dict: falls back to the item line
    seq = Sequence([s0, s1], line=11)
    seq.item_lines = [12, 17]
    d = Mapping({"Version": "2012-10-17", "Statement": seq}, line=9)
    d.key_lines = {"Version": 10, "Statement": 11}
    stmts, problems = read_document(d)
    assert problems == []
    assert [s.line for s in stmts] == [12, 17]


def test_mapping_single_statement_falls_back_to_key_line_then_document_line():
    d = Mapping({"Statement": {"Effect": "Allow", "Action": "*"}}, line=3)
    d.key_lines = {"Statement": 4}
    assert read_document(d)[0][0].line == 4
    d2 = Mapping({"Statement": {"Effect": "Allow", "Action": "*"}}, line=3)
    assert read_document(d2)[0][0].line == 3


def test_plain_dict_lines_are_zero_or_base_line():
    assert [s.line for s in read_document(doc(allow(), allow()))[0]] == [0, 0]
    assert [s.line for s in read_document(doc(allow()), base_line=40)[0]] == [40]


# --------------------------------------------------------------------------
# read_document: unknown and malformed input


def test_unknown_document():
    assert read_document(Unknown("var.policy")) == ([], ["policy document is unknown: var.policy"])


def test_unknown_statement_becomes_an_all_unknown_statement():
    stmts, problems = read_document({"Statement": [PUBLIC, Unknown("var.extra")]})
    assert problems == ["statement 1 is unknown: var.extra"]
    extra = stmts[1]
    assert extra.index == 1
    assert extra.effect == Unknown("var.extra")
    assert statement_grants(extra, "s3:GetObject") is None
    assert principal_is_public(extra) is None
    assert public_statements(stmts, ["s3:GetObject"]) == [stmts[0]]
    assert public_statements_unknown(stmts, ["s3:GetObject"]) == [extra]


def test_whole_statement_unknown():
    stmts, problems = read_document({"Statement": Unknown("local.stmts")})
    assert len(stmts) == 1 and stmts[0].effect == Unknown("local.stmts")
    assert problems == ["statement 0 is unknown: local.stmts"]


@pytest.mark.parametrize(
    "bad, problem",
    [
        ("not json", "policy document is not valid JSON"),
        ("[1, 2]", "policy document must be an object, got a list"),
        (42, "policy document must be an object, got 42"),
        (None, "policy document must be an object, got None"),
        ({"Version": "2012-10-17"}, "policy document has no Statement"),
        ({"Statement": "Allow everything"}, "Statement must be an object or a list, got 'Allow everything'"),
        ({"Statement": 3}, "Statement must be an object or a list, got 3"),
    ],
)
def test_malformed_documents(bad, problem):
    stmts, problems = read_document(bad)
    assert stmts == []
    assert any(p.startswith(problem) for p in problems), problems


def test_malformed_statement_items_are_skipped_with_a_problem():
    seq = Sequence(["oops", 5, PUBLIC], line=1)
    seq.item_lines = [2, 3, 4]
    stmts, problems = read_document({"Statement": seq})
    assert [s.index for s in stmts] == [2]
    assert stmts[0].line == 4
    assert problems == [
        "statement 0 (line 2) must be an object, got 'oops'",
        "statement 1 (line 3) must be an object, got 5",
    ]


def test_numbers_where_strings_are_expected_become_malformed_unknowns():
    stmts, problems = read_document(
        doc({"Effect": 1, "Action": [7, "s3:GetObject"], "Resource": {"a": 1}, "Principal": ["*"], "Sid": 3})
    )
    s = stmts[0]
    assert s.effect == Unknown("malformed Effect: 1")
    assert s.actions == (Unknown("malformed Action: 7"), "s3:GetObject")
    assert s.resources == (Unknown("malformed Resource: an object"),)
    assert s.principal == Unknown("malformed Principal: a list")
    assert s.sid is None
    assert problems == [
        "statement 0: Effect must be a string, got 1",
        "statement 0: Sid must be a string, got 3",
        "statement 0: Action items must be strings, got 7",
        "statement 0: Resource must be a string or a list of strings, got an object",
        'statement 0: Principal must be "*" or an object, got a list',
    ]


def test_structural_problems_are_reported():
    _, problems = read_document(
        {
            "Version": "2020-01-01",
            "Extra": 1,
            "Statement": [
                {"Effect": "allow", "Action": "*", "NotAction": "s3:*", "Resource": "*", "NotResource": "x"},
                {"Action": "*", "Principal": "*", "NotPrincipal": "*", "action": "x"},
                {"Effect": "Deny"},
                {"Effect": "Allow", "Action": "*", "Condition": "yes"},
            ],
        }
    )
    assert problems == [
        "policy document has an unknown element 'Extra'",
        "policy document has an invalid Version '2020-01-01'",
        'statement 0: Effect must be exactly "Allow" or "Deny", got \'allow\'',
        "statement 0: has both Action and NotAction",
        "statement 0: has both Resource and NotResource",
        "statement 1: unknown element 'action'",
        "statement 1: has no Effect",
        "statement 1: has both Principal and NotPrincipal",
        "statement 2: has neither Action nor NotAction",
        "statement 3: Condition must be an object, got 'yes'",
    ]


def test_statement_without_action_grants_nothing():
    stmts, _ = read_document(doc({"Effect": "Allow", "Resource": "*"}))
    assert stmts[0].actions == ()
    assert statement_grants(stmts[0], "s3:GetObject") is False


def test_lower_case_effect_is_neither_allow_nor_deny():
    stmts, _ = read_document(doc({"Effect": "allow", "Principal": "*", "Action": "*", "Resource": "*"}))
    assert allows(stmts, "s3:GetObject") is False
    assert public_statements(stmts, ["s3:GetObject"]) == []
    assert public_statements_unknown(stmts, ["s3:GetObject"]) == []


def test_statements_are_hashable():
    s = one(allow(Condition={"Bool": {"aws:SecureTransport": "false"}}))
    assert {s} == {s}


# --------------------------------------------------------------------------
# action matching


@pytest.mark.parametrize(
    "pattern, action, expected",
    [
        ("*", "kms:Decrypt", True),
        ("*", "", True),
        ("kms:*", "kms:Decrypt", True),
        ("kms:*", "kmsx:Decrypt", False),
        ("kms:*", "s3:GetObject", False),
        ("kms:De*", "kms:Decrypt", True),
        ("kms:De*", "kms:DescribeKey", True),
        ("kms:De*", "kms:Encrypt", False),
        ("s3:Get*Object", "s3:GetObject", True),
        ("s3:Get*Object", "s3:GetBucketObject", True),
        ("s3:Get*Object", "s3:GetObjectAcl", False),
        ("s3:GetObjec?", "s3:GetObject", True),
        ("s3:GetObjec?", "s3:GetObjec", False),
        ("s3:?etObject", "s3:GetObject", True),
        ("S3:GETOBJECT", "s3:getobject", True),
        ("KMS:de*", "kms:Decrypt", True),
        ("s3:GetObject", "s3:GetObjectAcl", False),
        ("s3.GetObject", "s3:GetObject", False),  # "." is not a wildcard
        ("s3:Get[Object]", "s3:GetO", False),  # nor are regex classes
        ("iam:PassRole", "iam:PassRole", True),
    ],
)
def test_action_matches(pattern, action, expected):
    assert action_matches(pattern, action) is expected


def test_action_matches_rejects_non_strings():
    assert action_matches(U, "s3:GetObject") is False  # type: ignore[arg-type]
    assert action_matches(3, "s3:GetObject") is False  # type: ignore[arg-type]


def test_statement_grants_action_and_not_action():
    assert statement_grants(one(allow(Action=["kms:De*", "s3:Get*"])), "kms:Decrypt") is True
    assert statement_grants(one(allow(Action=["kms:De*"])), "kms:Encrypt") is False
    assert statement_grants(one({"Effect": "Allow", "NotAction": "iam:*"}), "s3:GetObject") is True
    assert statement_grants(one({"Effect": "Allow", "NotAction": "iam:*"}), "IAM:PassRole") is False
    # Effect is not considered
    assert statement_grants(one({"Effect": "Deny", "Action": "*"}), "s3:GetObject") is True


def test_statement_grants_with_unknowns():
    assert statement_grants(one(allow(Action=[U])), "s3:GetObject") is None
    assert statement_grants(one(allow(Action=[U, "s3:*"])), "s3:GetObject") is True  # known match decides
    assert statement_grants(one(allow(Action=U)), "s3:GetObject") is None
    assert statement_grants(one({"Effect": "Allow", "NotAction": [U]}), "s3:GetObject") is None
    # a known NotAction match excludes it whatever the Unknown is
    assert statement_grants(one({"Effect": "Allow", "NotAction": [U, "s3:*"]}), "s3:GetObject") is False


# --------------------------------------------------------------------------
# allows


def test_allows_simple():
    stmts, _ = read_document(doc(allow(Action="kms:*")))
    assert allows(stmts, "kms:Decrypt") is True
    assert allows(stmts, "s3:GetObject") is False
    assert allows([], "s3:GetObject") is False


def test_unconditional_deny_on_star_cancels():
    stmts, _ = read_document(doc(allow(Action="*"), {"Effect": "Deny", "Action": "kms:*", "Resource": "*"}))
    assert allows(stmts, "kms:Decrypt") is False
    assert allows(stmts, "s3:GetObject") is True


def test_deny_without_resource_cancels_in_trust_policies():
    stmts, _ = read_document(
        doc({"Effect": "Allow", "Action": "sts:AssumeRole"}, {"Effect": "Deny", "Action": "sts:*"})
    )
    assert allows(stmts, "sts:AssumeRole") is False


@pytest.mark.parametrize(
    "deny",
    [
        {"Effect": "Deny", "Action": "kms:*", "Resource": "arn:aws:kms:eu-west-1:1:key/k"},
        {
            "Effect": "Deny",
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        },
        {"Effect": "Deny", "Action": "kms:*", "NotResource": "arn:aws:kms:eu-west-1:1:key/k"},
        {"Effect": "Deny", "Action": "kms:*", "Resource": [U]},
        {"Effect": "Deny", "NotAction": "kms:*", "Resource": "*"},
    ],
)
def test_scoped_or_conditional_deny_does_not_cancel(deny):
    stmts, _ = read_document(doc(allow(Action="kms:*"), deny))
    assert allows(stmts, "kms:Decrypt") is True


def test_allows_unknown():
    unknown_allow, _ = read_document(doc(allow(Action=U)))
    assert allows(unknown_allow, "kms:Decrypt") is None
    unknown_deny, _ = read_document(doc(allow(Action="*"), {"Effect": "Deny", "Action": U, "Resource": "*"}))
    assert allows(unknown_deny, "kms:Decrypt") is None
    unknown_effect, _ = read_document(doc({"Effect": U, "Action": "*", "Resource": "*"}))
    assert allows(unknown_effect, "kms:Decrypt") is None
    # an Unknown-effect statement that may be an unconditional Deny makes a known Allow unknown
    both, _ = read_document(doc(allow(Action="*"), {"Effect": U, "Action": "*", "Resource": "*"}))
    assert allows(both, "kms:Decrypt") is None
    # a certain Deny wins over an unknown Allow
    denied, _ = read_document(doc(allow(Action=U), {"Effect": "Deny", "Action": "*", "Resource": "*"}))
    assert allows(denied, "kms:Decrypt") is False


# --------------------------------------------------------------------------
# principals


@pytest.mark.parametrize(
    "principal, expected",
    [
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": ["arn:aws:iam::111122223333:root", "*"]}, True),
        ({"aws": "*"}, True),
        ({"AWS": "arn:aws:iam::111122223333:root"}, False),
        ({"AWS": ["111122223333"]}, False),
        ({"Service": "cloudtrail.amazonaws.com"}, False),
        ({"Service": ["*"]}, False),
        ({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, False),
        ({"Federated": "cognito-identity.amazonaws.com"}, False),
        (U, None),
        ({"AWS": [U]}, None),
        ({"AWS": [U, "*"]}, True),
        ({"Service": [U]}, False),
    ],
)
def test_principal_is_public(principal, expected):
    assert principal_is_public(one(allow(Principal=principal))) is expected


def test_no_principal_is_not_public():
    assert principal_is_public(one(allow())) is False


@pytest.mark.parametrize(
    "not_principal, expected",
    [
        ({"AWS": "arn:aws:iam::111122223333:root"}, True),
        ({"AWS": "*"}, False),  # everyone except everyone
        ("*", False),
        ({"AWS": [U]}, None),
        (U, None),
    ],
)
def test_not_principal(not_principal, expected):
    assert principal_is_public(one(allow(NotPrincipal=not_principal))) is expected


# --------------------------------------------------------------------------
# conditions that pin the caller


def pins(condition) -> bool | None:
    return condition_pins_caller(one(allow(Principal="*", Condition=condition)))


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"StringEquals": {"AWS:SOURCEVPCE": "vpce-1a2b3c4d"}},
        {"stringequals": {"aws:SourceVpc": "vpc-1"}},
        {"StringEqualsIgnoreCase": {"aws:SourceAccount": "111122223333"}},
        {"StringEquals": {"aws:SourceAccount": 111122223333}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}},
        {"StringLike": {"aws:PrincipalOrgPaths": "o-abc/r-1/ou-2/*"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}},
        {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/r"}},
        {"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}},
        {"ForAnyValue:StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}},
        {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/8"]}},
        {"IpAddress": {"aws:SourceIp": "203.0.113.7"}},
        {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}},
        {"StringEquals": {"aws:SourceVpce": "*"}},  # StringEquals has no wildcards: a literal "*"
        # conditions are ANDed: one pinning test is enough
        {"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:SourceAccount": "1"}},
        {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}, "StringEquals": {"aws:SourceVpc": "vpc-1"}},
    ],
)
def test_conditions_that_pin(condition):
    assert pins(condition) is True


@pytest.mark.parametrize(
    "condition",
    [
        {},
        {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}},
        {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}},
        {"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}},
        {"ForAllValues:StringEquals": {"aws:SourceVpce": "vpce-1"}},
        {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
        {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "0.0.0.0/0"]}},
        {"IpAddress": {"aws:SourceIp": "::/0"}},
        {"IpAddress": {"aws:SourceIp": "64.0.0.0/2"}},
        {"IpAddress": {"aws:SourceIp": "2001::/16"}},
        {"IpAddress": {"aws:SourceIp": "not an ip"}},
        {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"StringEquals": {"aws:SourceIp": "10.0.0.0/8"}},  # wrong operator for an IP key
        {"IpAddress": {"aws:SourceVpce": "10.0.0.0/8"}},
        {"StringLike": {"aws:SourceVpce": "*"}},
        {"StringLike": {"aws:SourceVpce": "vpce-*"}},
        {"StringLike": {"aws:SourceAccount": "*"}},
        {"StringLike": {"aws:PrincipalOrgPaths": "*/r-1/*"}},
        {"StringLike": {"aws:userid": "*:alice"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket*"}},  # anyone can create such a bucket
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}},
        {"ArnLike": {"aws:SourceArn": "*"}},
        {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}},
        {"StringEquals": {"aws:SourceAccount": ""}},
        {"StringEquals": {"aws:SourceAccount": []}},
        {"StringEquals": {"aws:username": "alice"}},
        {"StringEquals": {"aws:ResourceAccount": "111122223333"}},
        {"StringEquals": {"aws:CalledVia": "cloudformation.amazonaws.com"}},
        {"Bool": {"aws:SecureTransport": "true"}},
        {"Null": {"aws:SourceVpce": "false"}},
    ],
)
def test_conditions_that_do_not_pin(condition):
    assert pins(condition) is False


def test_conditions_with_unknowns():
    assert pins({"StringEquals": {"aws:SourceVpce": U}}) is None
    assert pins({"StringEquals": {"aws:SourceVpce": [U, "vpce-1"]}}) is None
    assert pins({"StringLike": {"aws:SourceVpce": [U, "*"]}}) is False  # a known wildcard already opens it
    assert pins({"StringEquals": U}) is None
    assert pins(U) is None
    assert pins({"StringNotEquals": U}) is False
    assert pins({"StringEquals": {"aws:SourceVpce": U}, "StringLike": {"aws:SourceAccount": "1"}}) is True
    assert pins({"StringEquals": {"aws:SecureTransport": U}}) is False


def test_pinning_keys_are_lower_case():
    assert "aws:sourcevpce" in PINNING_CONDITION_KEYS
    assert "aws:sourceip" in PINNING_CONDITION_KEYS
    assert "aws:principalorgid" in PINNING_CONDITION_KEYS
    assert "aws:username" not in PINNING_CONDITION_KEYS
    assert all(k == k.lower() for k in PINNING_CONDITION_KEYS)


# --------------------------------------------------------------------------
# public_statements


READ = ["s3:GetObject"]


def test_public_statements_picks_public_unpinned_allows():
    stmts, problems = read_document(
        doc(
            PUBLIC,  # 0: public
            {**PUBLIC, "Principal": {"AWS": "arn:aws:iam::1:root"}},  # 1: not public
            {**PUBLIC, "Effect": "Deny"},  # 2: deny
            {**PUBLIC, "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}},  # 3: pinned
            {**PUBLIC, "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}},  # 4: not pinned
            {**PUBLIC, "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}},  # 5: not pinned
            {**PUBLIC, "Action": "s3:PutObject"},  # 6: other action
            {**PUBLIC, "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}, "Action": "s3:*"},  # 7: public
            {**PUBLIC, "Principal": {"AWS": "*"}, "Action": "*"},  # 8: public
            {
                "Effect": "Allow",
                "NotPrincipal": {"AWS": "arn:aws:iam::1:root"},
                "Action": "s3:Get*",
                "Resource": "*",
            },  # 9
            {"Effect": "Allow", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "*"},  # 10: excluded
            {"Effect": "Allow", "Principal": "*", "NotAction": "iam:*", "Resource": "*"},  # 11: public
            {**PUBLIC, "Condition": {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}},  # 12: not pinned
        )
    )
    assert problems == []
    assert [s.index for s in public_statements(stmts, READ)] == [0, 4, 5, 7, 8, 9, 11, 12]
    assert public_statements_unknown(stmts, READ) == []


def test_public_statements_any_of_several_actions():
    stmts, _ = read_document(doc({**PUBLIC, "Action": "s3:ListBucket"}))
    assert public_statements(stmts, ["s3:GetObject", "s3:ListBucket"]) == stmts
    assert public_statements(stmts, ["s3:GetObject"]) == []
    assert public_statements(stmts, []) == []
    assert public_statements(stmts, "s3:ListBucket") == stmts  # a single string is one action
    assert public_statements(stmts, (a for a in ["s3:ListBucket"])) == stmts


@pytest.mark.parametrize(
    "statement",
    [
        {**PUBLIC, "Principal": U},
        {**PUBLIC, "Principal": {"AWS": [U]}},
        {**PUBLIC, "Action": U},
        {**PUBLIC, "Effect": U},
        {**PUBLIC, "Condition": {"StringEquals": {"aws:SourceVpce": U}}},
        {**PUBLIC, "Condition": U},
    ],
)
def test_public_statements_unknown_is_distinct_from_no(statement):
    stmts, _ = read_document(doc(statement))
    assert public_statements(stmts, READ) == []
    assert public_statements_unknown(stmts, READ) == stmts


@pytest.mark.parametrize(
    "statement",
    [
        {**PUBLIC, "Principal": {"AWS": [U]}, "Effect": "Deny"},
        {**PUBLIC, "Action": [U], "Principal": {"Service": "s3.amazonaws.com"}},
        {**PUBLIC, "Condition": {"StringEquals": {"aws:SourceVpce": U}, "StringLike": {"aws:SourceAccount": "1"}}},
        {**PUBLIC, "Action": [U, "s3:PutObject"], "Principal": {"AWS": "arn:aws:iam::1:root"}},
    ],
)
def test_unknown_that_does_not_decide_is_no(statement):
    stmts, _ = read_document(doc(statement))
    assert public_statements(stmts, READ) == []
    assert public_statements_unknown(stmts, READ) == []


def test_public_statements_from_json_string_keep_lines():
    text = """{"Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*"},
  {
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject"
  }
]}"""
    stmts, problems = read_document(text, base_line=100)
    assert problems == []
    assert [(s.index, s.line) for s in public_statements(stmts, READ)] == [(1, 103)]


# --------------------------------------------------------------------------
# never raise


def _values():
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=8),
        st.sampled_from(["*", "Allow", "Deny", "s3:*", "s3:GetObject", "0.0.0.0/0", "vpce-1", "aws:SourceVpce"]),
        st.builds(Unknown, st.text(max_size=5)),
    )
    keys = st.one_of(
        st.sampled_from(
            [
                "Statement",
                "Effect",
                "Action",
                "NotAction",
                "Resource",
                "NotResource",
                "Principal",
                "NotPrincipal",
                "Condition",
                "Sid",
                "AWS",
                "Service",
                "StringEquals",
                "StringLike",
                "IpAddress",
                "ForAnyValue:StringEquals",
                "aws:SourceVpce",
                "aws:SourceIp",
                "aws:userid",
                "aws:PrincipalOrgPaths",
                "ArnLike",
                "aws:SourceArn",
            ]
        ),
        st.text(max_size=5),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
        max_leaves=30,
    )


def _check_never_raises(document):
    stmts, problems = read_document(document, base_line=3)
    assert all(isinstance(p, str) for p in problems)
    assert all(isinstance(s, Statement) for s in stmts)
    for action in ("s3:GetObject", "kms:Decrypt"):
        public_statements(stmts, [action])
        public_statements_unknown(stmts, [action])
        allows(stmts, action)
    for s in stmts:
        principal_is_public(s)
        condition_pins_caller(s)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(_values())
def test_fuzz_any_document_never_raises(document):
    _check_never_raises(document)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                ["Effect", "Action", "NotAction", "Resource", "Principal", "NotPrincipal", "Condition", "Sid"]
            ),
            _values(),
            max_size=6,
        ),
        max_size=3,
    )
)
def test_fuzz_statement_lists_never_raise(statements):
    _check_never_raises({"Statement": statements})
    _check_never_raises({"Statement": statements[0] if statements else {}})


@settings(max_examples=200)
@given(_values())
def test_fuzz_json_strings_never_raise(document):
    try:
        text = json.dumps({"Statement": document}, default=str)
    except (ValueError, TypeError):
        return
    _check_never_raises(text)
    _check_never_raises(text[: len(text) // 2])  # truncated JSON


ACTION_CHARS = st.text(alphabet="abcXYZ:*?.[]", max_size=10)


@settings(max_examples=300)
@given(ACTION_CHARS, st.text(alphabet="abcXYZ:.[]", max_size=10))
def test_fuzz_action_matches_agrees_with_fnmatch(pattern, action):
    import fnmatch

    # without "[" IAM patterns are shell globs; fnmatch is an independent oracle
    glob = pattern.replace("[", "").replace("]", "")
    expected = fnmatch.fnmatchcase(action.lower(), glob.lower())
    assert action_matches(glob, action) is expected


# --------------------------------------------------------------------------
# identity-policy permissions (the IAM Config rules)

BLOCKED = ("kms:Decrypt", "kms:ReEncryptFrom")


@pytest.mark.parametrize(
    "statement, expected",
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, True),
        ({"Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": ["arn:aws:s3:::b", "*"]}, True),
        ({"Effect": "Allow", "Action": "*:*", "Resource": "*"}, True),
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, False),
        ({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}, False),
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, False),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, False),
        ({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::b"}, False),
        ({"Effect": "Allow", "Action": U, "Resource": "*"}, None),
        ({"Effect": "Allow", "Action": "*", "Resource": U}, None),
        ({"Effect": U, "Action": "*", "Resource": "*"}, None),
        ({"Effect": U, "Action": "s3:GetObject", "Resource": "*"}, False),
    ],
)
def test_grants_admin_access(statement, expected):
    stmts, _ = read_document(doc(statement))
    assert grants_admin_access(stmts[0]) is expected


@pytest.mark.parametrize(
    "pattern, all_actions, service_wide",
    [
        ("*", True, False),
        ("*:*", True, False),
        ("s3:*", False, True),
        ("S3:**", False, True),
        ("s3:Get*", False, False),
        ("s3:GetObject", False, False),
        ("*:GetObject", False, False),
    ],
)
def test_action_pattern_kinds(pattern, all_actions, service_wide):
    assert is_all_actions(pattern) is all_actions
    assert is_service_wide(pattern) is service_wide


@pytest.mark.parametrize(
    "statement, expected, what",
    [
        ({"Effect": "Allow", "Action": ["s3:GetObject", "dynamodb:*"], "Resource": "arn:x"}, True, "dynamodb:*"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, True, "*"),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, True, "NotAction"),
        ({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}, False, ""),
        ({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}, False, ""),
        ({"Effect": "Allow", "Action": [U, "s3:GetObject"], "Resource": "*"}, None, ""),
        ({"Effect": U, "Action": "s3:*", "Resource": "*"}, None, "s3:*"),
    ],
)
def test_full_access_actions(statement, expected, what):
    stmts, _ = read_document(doc(statement))
    assert full_access_actions(stmts[0]) == (expected, what)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("kms:Decrypt", "kms:Decrypt", True),
        ("KMS:decrypt", "kms:Decrypt", True),
        ("kms:De*", "kms:Decrypt", True),
        ("kms:*", "kms:ReEncrypt*", True),
        ("kms:ReEncryptFrom", "kms:ReEncrypt*", True),
        ("kms:ReEncryptTo", "kms:ReEncryptFrom", False),
        ("kms:Encrypt", "kms:De*", False),
        ("s3:*", "kms:Decrypt", False),
        ("*", "kms:Decrypt", True),
        ("kms:?ecrypt", "kms:Decrypt", True),
        ("kms:*From", "kms:ReEncrypt*", True),
        ("kms:*To", "kms:*From", False),
        ("", "", True),
        ("", "*", True),
        ("a", "", False),
    ],
)
def test_patterns_overlap(a, b, expected):
    assert patterns_overlap(a, b) is expected
    assert patterns_overlap(b, a) is expected


@settings(max_examples=300)
@given(st.text(alphabet="ab:", max_size=6), st.text(alphabet="ab:*?", max_size=6))
def test_fuzz_patterns_overlap_agrees_with_action_matches_for_literals(action, pattern):
    # a pattern without wildcards is one action: overlap is matching
    assert patterns_overlap(action, pattern) is action_matches(pattern, action)


def test_grants_pattern_with_not_action():
    stmts, _ = read_document(
        doc(
            {"Effect": "Allow", "NotAction": ["s3:*", "iam:*"], "Resource": "*"},
            {"Effect": "Allow", "NotAction": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "NotAction": "kms:ReEncryptFrom", "Resource": "*"},
            {"Effect": "Allow", "NotAction": U, "Resource": "*"},
        )
    )
    assert [grants_pattern(s, "kms:Decrypt") for s in stmts] == [True, False, True, None]
    assert [grants_pattern(s, "kms:ReEncrypt*") for s in stmts] == [True, False, True, None]


@pytest.mark.parametrize(
    "resource, expected",
    [
        ("*", True),
        ("arn:aws:kms:*:*:key/*", True),
        ("arn:aws:kms:*", True),
        ("arn:aws:kms:*:111122223333:key/*", False),
        ("arn:aws:kms:ap-northeast-1:111122223333:key/1234", False),
        ("arn:aws:s3:::*", False),
    ],
)
def test_covers_all_keys(resource, expected):
    assert covers_all_keys(resource) is expected


def test_on_all_kms_keys():
    stmts, _ = read_document(
        doc(
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": ["arn:aws:kms:us-east-1:1:key/a", "*"]},
            {"Effect": "Allow", "Action": "kms:Decrypt", "NotResource": "arn:aws:kms:us-east-1:1:key/a"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "NotResource": "*"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": U},
            {"Effect": "Allow", "Action": "kms:Decrypt"},
        )
    )
    assert [on_all_kms_keys(s) for s in stmts] == [True, True, False, None, True]


@pytest.mark.parametrize(
    "statement, expected, granted",
    [
        ({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}, True, ["kms:Decrypt"]),
        ({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}, True, list(BLOCKED)),
        (
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ViaService": "s3.ap-northeast-1.amazonaws.com"}},
            },
            True,
            ["kms:Decrypt"],
        ),
        (
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:1:key/a"},
            False,
            ["kms:Decrypt"],
        ),
        ({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}, False, []),
        ({"Effect": "Deny", "Action": "kms:*", "Resource": "*"}, False, []),
        ({"Effect": "Allow", "Action": U, "Resource": "*"}, None, []),
        ({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": U}, None, ["kms:Decrypt"]),
    ],
)
def test_blocked_actions_on_all_keys(statement, expected, granted):
    stmts, _ = read_document(doc(statement))
    assert blocked_actions_on_all_keys(stmts[0], BLOCKED) == (expected, granted)


def test_blocked_patterns_may_be_wildcards_or_the_packs_string():
    assert split_patterns("kms:Decrypt, kms:ReEncryptFrom,") == BLOCKED
    assert split_patterns(["kms:ReEncrypt*"]) == ("kms:ReEncrypt*",)
    assert split_patterns(None) == ()
    stmts, _ = read_document(doc({"Effect": "Allow", "Action": "kms:ReEncryptTo", "Resource": "*"}))
    assert blocked_actions_on_all_keys(stmts[0], "kms:ReEncrypt*") == (True, ["kms:ReEncrypt*"])
    assert blocked_actions_on_all_keys(stmts[0], "kms:Decrypt,kms:ReEncryptFrom")[0] is False


# --------------------------------------------------------------------------
# data "aws_iam_policy_document"


def _block(line: int, **values) -> Mapping:
    block = Mapping(values, line=line)
    block.key_lines = {k: line + 1 + i for i, k in enumerate(values)}
    return block


def test_data_source_statements_become_a_document():
    props = Mapping(
        {
            "statement": Sequence(
                [
                    _block(
                        3,
                        sid="Read",
                        actions=["s3:GetObject"],
                        resources=["*"],
                        principals=[{"type": "AWS", "identifiers": ["arn:aws:iam::1:root"]}],
                        condition=[{"test": "StringEquals", "variable": "aws:SourceVpce", "values": ["vpce-1"]}],
                    ),
                    _block(12, effect="Deny", not_actions=["kms:*"], not_resources=["arn:x"]),
                    _block(20, principals=[{"type": "*", "identifiers": ["*"]}], actions=["s3:*"]),
                ],
                line=3,
            )
        },
        line=1,
    )
    stmts, problems = read_document(document_from_data_source(props))
    assert problems == []
    assert [s.line for s in stmts] == [3, 12, 20]
    assert stmts[0].effect == "Allow" and stmts[0].sid == "Read"
    assert stmts[0].principal == {"AWS": ("arn:aws:iam::1:root",)}
    assert stmts[0].condition == {"StringEquals": {"aws:SourceVpce": ("vpce-1",)}}
    assert stmts[1].effect == "Deny" and stmts[1].not_actions == ("kms:*",) and stmts[1].not_resources == ("arn:x",)
    assert stmts[2].principal == "*"


def test_data_source_merges_source_and_override_documents_by_sid():
    source = {
        "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
            {"Sid": "B", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        ]
    }
    override = json.dumps({"Statement": {"Sid": "B", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}})
    props = Mapping(
        {
            "source_policy_documents": [source],
            "override_policy_documents": [override],
            "statement": [_block(5, sid="A", actions=["kms:Encrypt"], resources=["*"]), _block(9, actions=["sqs:*"])],
        },
        line=1,
    )
    stmts, _ = read_document(document_from_data_source(props))
    assert [(s.sid, s.effect, s.actions) for s in stmts] == [
        ("A", "Allow", ("kms:Encrypt",)),
        ("B", "Deny", ("s3:*",)),
        (None, "Allow", ("sqs:*",)),
    ]


def test_data_source_unknown_parts_stay_unknown():
    unknown_source = Mapping({"source_policy_documents": [U], "statement": [_block(2, actions=["s3:*"])]}, line=1)
    stmts, problems = read_document(document_from_data_source(unknown_source))
    assert stmts[0].effect == U and problems == [f"statement 0 (line 1) is unknown: {U.expr}"]
    dynamic = Mapping({"statement": [Unknown('dynamic "statement" block')]}, line=1)
    stmts, _ = read_document(document_from_data_source(dynamic))
    assert grants_admin_access(stmts[0]) is None
    resolved = document_from_data_source(unknown_source, lambda value: {"Statement": []})
    assert [s.actions for s in read_document(resolved)[0]] == [("s3:*",)]
    assert isinstance(document_from_data_source("nonsense"), Unknown)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["statement", "source_policy_documents", "override_policy_documents", "version", "policy_id"]),
        _values(),
        max_size=4,
    )
)
def test_fuzz_data_sources_never_raise(props):
    document = document_from_data_source(props)
    stmts, _problems = read_document(document, base_line=3)
    for s in stmts:
        grants_admin_access(s)
        full_access_actions(s)
        blocked_actions_on_all_keys(s, BLOCKED)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["Effect", "Action", "NotAction", "Resource", "NotResource"]), _values(), max_size=5
        ),
        max_size=3,
    )
)
def test_fuzz_identity_questions_never_raise(statements):
    stmts, _ = read_document({"Statement": statements})
    for s in stmts:
        assert grants_admin_access(s) in (True, False, None)
        assert full_access_actions(s)[0] in (True, False, None)
        assert blocked_actions_on_all_keys(s, BLOCKED)[0] in (True, False, None)
