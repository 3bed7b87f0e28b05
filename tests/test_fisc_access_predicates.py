"""Predicates of fisc_iac_lint.predicates.fisc_access (FISCSEC1-BP01 / BP02)."""

from __future__ import annotations

import json
import textwrap

import pytest

from fisc_iac_lint.graph import Graph
from fisc_iac_lint.model import Mapping, Text, Unknown
from fisc_iac_lint.parsers import cloudformation, hcl, terraform
from fisc_iac_lint.predicates import Context
from fisc_iac_lint.predicates.fisc_access import (
    document_allows_public_unpinned,
    document_allows_untrusted_account,
    document_denies_access_outside_vpc,
    nacl_entry_opens_ports_to_world,
    names_untrusted_accounts,
    trust_policy_allows_untrusted_principal,
)

CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
  Thing:
    Type: AWS::SQS::QueuePolicy
"""


def _ctx() -> Context:
    doc = cloudformation.load_document(textwrap.dedent(CFN), "t.yaml")
    graph = Graph(cloudformation.build(doc, "t.yaml"))
    return Context(graph.by_name["Thing"], graph)


def _doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(principal, action="sqs:SendMessage", condition=None, effect="Allow") -> dict:
    stmt = {"Effect": effect, "Principal": principal, "Action": action, "Resource": "*"}
    if condition is not None:
        stmt["Condition"] = condition
    return stmt


def _answer(verdict: tuple) -> bool | None:
    return verdict[0]


def _en(verdict: tuple) -> str:
    return Text.of(verdict[1]).en


# -- public ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement, expected",
    [
        (_allow("*"), True),
        (_allow({"AWS": "*"}), True),
        (_allow({"AWS": ["arn:aws:iam::111122223333:root", "*"]}), True),
        (_allow({"Service": "sns.amazonaws.com"}), False),
        (_allow({"AWS": "arn:aws:iam::111122223333:root"}), False),
        (_allow("*", effect="Deny"), False),
        (_allow("*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}), False),
        (_allow("*", condition={"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}}), True),
        (_allow("*", condition={"StringEquals": {"kms:CallerAccount": "111122223333"}}), False),
        (_allow("*", condition={"StringLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}), True),
        (_allow("*", condition={"StringEquals": {"aws:PrincipalOrgID": Unknown("var.org")}}), None),
        (_allow(Unknown("var.principal")), None),
        ({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sqs:*"}, True),
    ],
)
def test_public_unpinned(statement: dict, expected: bool | None) -> None:
    assert _answer(document_allows_public_unpinned(_ctx(), _doc(statement), {})) is expected


def test_public_unpinned_excluded_actions_are_left_to_other_rules() -> None:
    args = {"exclude_actions": ["s3:GetObject", "s3:PutObject"]}
    ctx = _ctx()
    assert _answer(document_allows_public_unpinned(ctx, _doc(_allow("*", "s3:GetObject")), args)) is False
    assert (
        _answer(document_allows_public_unpinned(ctx, _doc(_allow("*", ["s3:getobject", "s3:PutObject"])), args))
        is False
    )
    assert _answer(document_allows_public_unpinned(ctx, _doc(_allow("*", "s3:*")), args)) is True
    assert _answer(document_allows_public_unpinned(ctx, _doc(_allow("*", "s3:Get*")), args)) is True
    assert _answer(document_allows_public_unpinned(ctx, _doc(_allow("*", "s3:PutBucketTagging")), args)) is True


def test_public_unpinned_absent_and_unknown_documents() -> None:
    ctx = _ctx()
    assert _answer(document_allows_public_unpinned(ctx, None, {})) is False
    assert _answer(document_allows_public_unpinned(ctx, Unknown("var.policy"), {})) is None


def test_one_line_json_string_reports_the_property_line() -> None:
    text = json.dumps(_doc(_allow("*")))
    verdict = document_allows_public_unpinned(_ctx(), text, {})
    assert verdict[0] is True and verdict[2] is None
    assert "sqs:SendMessage" in _en(verdict)
    assert Text.of(verdict[1]).ja


# -- foreign accounts ------------------------------------------------------------------

TRUST = {"trusted_account_ids": ["222233334444"], "trusted_organization_ids": []}


@pytest.mark.parametrize(
    "statement, expected",
    [
        (_allow({"AWS": "999988887777"}), True),
        (_allow({"AWS": "arn:aws:iam::999988887777:role/Partner"}), True),
        (_allow({"AWS": "arn:aws:sts::999988887777:assumed-role/R/s"}), True),
        (_allow({"AWS": "222233334444"}), False),
        (_allow({"AWS": "arn:aws:iam::999988887777:root"}, effect="Deny"), False),
        (_allow({"AWS": "999988887777"}, condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}), False),
        (_allow({"AWS": "999988887777"}, condition={"StringEquals": {"sts:ExternalId": "x"}}), True),
        (
            _allow({"Service": "s3.amazonaws.com"}, condition={"StringEquals": {"aws:SourceAccount": "999988887777"}}),
            True,
        ),
        (_allow("*", condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::999988887777:role/*"}}), True),
        (_allow({"Service": "s3.amazonaws.com"}), False),
        (_allow({"AWS": Unknown("!Ref AWS::AccountId")}), False),
        (_allow({"AWS": Unknown('{"Fn::Sub":"arn:aws:iam::${AWS::AccountId}:root"}')}), False),
        (_allow({"AWS": Unknown("arn:aws:iam::${data.aws_caller_identity.current.account_id}:root")}), False),
        (_allow({"AWS": Unknown("var.partner")}), None),
    ],
)
def test_untrusted_account(statement: dict, expected: bool | None) -> None:
    assert _answer(document_allows_untrusted_account(_ctx(), _doc(statement), TRUST)) is expected


def test_untrusted_account_reference_to_a_resource_defined_here_is_own() -> None:
    from fisc_iac_lint.model import Ref

    role_arn = Unknown("!GetAtt Role.Arn", (Ref("Role", "Arn"),))
    elsewhere = Unknown("!GetAtt Other.Arn", (Ref("Other", "Arn"),))
    ctx = _ctx()
    assert _answer(document_allows_untrusted_account(ctx, _doc(_allow({"AWS": role_arn})), TRUST)) is False
    assert _answer(document_allows_untrusted_account(ctx, _doc(_allow({"AWS": elsewhere})), TRUST)) is None


def test_untrusted_account_trusted_organizations() -> None:
    stmt = _allow({"AWS": "999988887777"}, condition={"StringEquals": {"aws:PrincipalOrgID": "o-other"}})
    args = {"trusted_account_ids": [], "trusted_organization_ids": ["o-mine"]}
    verdict = document_allows_untrusted_account(_ctx(), _doc(stmt), args)
    assert verdict[0] is True and "999988887777" in _en(verdict)


# -- trust policies --------------------------------------------------------------------

KEYS = {
    "trusted_account_ids": [],
    "condition_keys": ["sts:ExternalId", "aws:PrincipalOrgID", "aws:SourceIp", "aws:MultiFactorAuthPresent"],
}


def _trust(principal, condition=None) -> dict:
    stmt = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition is not None:
        stmt["Condition"] = condition
    return _doc(stmt)


@pytest.mark.parametrize(
    "document, expected",
    [
        (_trust({"Service": "ec2.amazonaws.com"}), False),
        (_trust({"Federated": "arn:aws:iam::999988887777:saml-provider/idp"}), False),
        (_trust({"AWS": "*"}), True),
        (_trust({"AWS": "*"}, {"StringEquals": {"sts:ExternalId": "abc"}}), True),
        (_trust({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}), False),
        (_trust({"AWS": "999988887777"}), True),
        (_trust({"AWS": "999988887777"}, {"StringEquals": {"sts:ExternalId": "abc"}}), False),
        (_trust({"AWS": "999988887777"}, {"StringEquals": {"sts:ExternalId": "*"}}), True),
        (_trust({"AWS": "999988887777"}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}), False),
        (_trust({"AWS": "999988887777"}, {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}), True),
        (_trust({"AWS": "999988887777"}, {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), False),
        (_trust({"AWS": "999988887777"}, {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}), True),
        (_trust({"AWS": "999988887777"}, {"StringEquals": {"sts:ExternalId": Unknown("var.id")}}), None),
        (_trust({"AWS": Unknown("!Ref AWS::AccountId")}), False),
    ],
)
def test_trust_policy(document: dict, expected: bool | None) -> None:
    assert _answer(trust_policy_allows_untrusted_principal(_ctx(), document, KEYS)) is expected


def test_trust_policy_trusted_account_and_message() -> None:
    args = dict(KEYS, trusted_account_ids=["999988887777"])
    ctx = _ctx()
    assert _answer(trust_policy_allows_untrusted_principal(ctx, _trust({"AWS": "999988887777"}), args)) is False
    verdict = trust_policy_allows_untrusted_principal(ctx, _trust({"AWS": "111122223333"}), args)
    assert verdict[0] is True and "111122223333" in _en(verdict) and "111122223333" in Text.of(verdict[1]).ja


# -- buckets only through VPC endpoints ------------------------------------------------

VPC_ARGS = {"actions": ["s3:GetObject", "s3:PutObject"], "exception_keys": ["aws:PrincipalArn"]}


def _deny(action="s3:*", condition=None, principal="*") -> dict:
    stmt = {"Effect": "Deny", "Principal": principal, "Action": action, "Resource": "*"}
    if condition is not None:
        stmt["Condition"] = condition
    return _doc(stmt)


@pytest.mark.parametrize(
    "document, expected",
    [
        (_deny(condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}), True),
        (_deny(condition={"StringNotEqualsIfExists": {"aws:SourceVpc": ["vpc-1", "vpc-2"]}}), True),
        (_deny(condition={"StringNotLike": {"aws:SourceVpce": "vpce-*"}}), False),
        (_deny(condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}), False),
        (_deny("s3:PutObject", {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}), False),
        (_deny(["s3:GetObject", "s3:PutObject"], {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}), True),
        (_deny(condition=None), False),
        (
            _deny(
                principal={"AWS": "arn:aws:iam::111122223333:root"},
                condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}},
            ),
            False,
        ),
        (
            _deny(
                condition={
                    "StringNotEquals": {"aws:SourceVpce": "vpce-1"},
                    "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/BreakGlass"},
                }
            ),
            True,
        ),
        (
            _deny(
                condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}, "Bool": {"aws:SecureTransport": "false"}}
            ),
            False,
        ),
        (_deny(condition={"StringNotEquals": {"aws:SourceVpce": Unknown("var.vpce")}}), None),
        (Unknown("var.policy"), None),
    ],
)
def test_denies_outside_vpc(document, expected: bool | None) -> None:
    assert _answer(document_denies_access_outside_vpc(_ctx(), document, VPC_ARGS)) is expected


def test_denies_outside_vpc_without_policy() -> None:
    verdict = document_denies_access_outside_vpc(_ctx(), None, VPC_ARGS)
    assert verdict[0] is False and "no bucket policy" in _en(verdict)


# -- network ACL entries ---------------------------------------------------------------

CFN_ARGS = {
    "ports": [22, 3389],
    "cidr_fields": ["CidrBlock", "Ipv6CidrBlock"],
    "protocol_field": "Protocol",
    "from_field": "PortRange.From",
    "to_field": "PortRange.To",
}


@pytest.mark.parametrize(
    "rule, expected",
    [
        ({"CidrBlock": "0.0.0.0/0", "Protocol": 6, "PortRange": {"From": 22, "To": 22}}, True),
        ({"CidrBlock": "0.0.0.0/0", "Protocol": "6", "PortRange": {"From": 1000, "To": 4000}}, True),
        ({"CidrBlock": "0.0.0.0/0", "Protocol": 6, "PortRange": {"From": 443, "To": 443}}, False),
        ({"CidrBlock": "10.0.0.0/8", "Protocol": -1}, False),
        ({"Ipv6CidrBlock": "::/0", "Protocol": -1}, True),
        ({"CidrBlock": "0.0.0.0/0", "Protocol": 17, "PortRange": {"From": 22, "To": 22}}, False),
        ({"CidrBlock": "0.0.0.0/0", "Protocol": 6}, True),
        ({"CidrBlock": Unknown("!Ref Cidr"), "Protocol": 6, "PortRange": {"From": 22, "To": 22}}, None),
        ({"CidrBlock": "0.0.0.0/0", "Protocol": Unknown("!Ref P")}, None),
        ({"CidrBlock": "0.0.0.0/0", "Protocol": 6, "PortRange": {"From": Unknown("!Ref F"), "To": 22}}, None),
        (Unknown("var.rule"), None),
    ],
)
def test_nacl_entry(rule, expected: bool | None) -> None:
    assert _answer(nacl_entry_opens_ports_to_world(_ctx(), rule, CFN_ARGS)) is expected


def test_nacl_entry_terraform_rule_and_line() -> None:
    text = textwrap.dedent(
        """
        resource "aws_network_acl_rule" "r" {
          network_acl_id = "acl-1"
          rule_number    = 100
          protocol       = "tcp"
          rule_action    = "allow"
          cidr_block     = "0.0.0.0/0"
          from_port      = 3389
          to_port        = 3389
        }
        """
    )
    graph = Graph(terraform.build("m", {"main.tf": hcl.parse(text)}))
    rule = graph.by_name["aws_network_acl_rule.r"]
    args = {
        "ports": [22, 3389],
        "cidr_fields": ["cidr_block", "ipv6_cidr_block"],
        "protocol_field": "protocol",
        "from_field": "from_port",
        "to_field": "to_port",
    }
    verdict = nacl_entry_opens_ports_to_world(Context(rule, graph), rule.properties, args)
    assert verdict[0] is True and verdict[2] == 7
    assert "3389" in _en(verdict) and "3389" in Text.of(verdict[1]).ja
    assert isinstance(rule.properties, Mapping)


def test_own_account_condition_values_pin() -> None:
    own = Unknown("data.aws_caller_identity.current.account_id")
    ctx = _ctx()
    public = _doc(_allow("*", condition={"StringEquals": {"aws:SourceAccount": own}}))
    assert _answer(document_allows_public_unpinned(ctx, public, {})) is False
    kms = _doc(
        _allow({"AWS": "*"}, "kms:Decrypt", {"StringEquals": {"kms:CallerAccount": Unknown("!Ref AWS::AccountId")}})
    )
    assert _answer(document_allows_public_unpinned(ctx, kms, {})) is False
    trust = _trust({"AWS": "*"}, {"StringEquals": {"aws:PrincipalAccount": own}})
    assert _answer(trust_policy_allows_untrusted_principal(ctx, trust, KEYS)) is False
    other = _doc(_allow("*", condition={"StringEquals": {"aws:SourceAccount": Unknown("var.account")}}))
    assert _answer(document_allows_public_unpinned(ctx, other, {})) is None


def test_names_untrusted_accounts() -> None:
    ctx = _ctx()
    args = {"trusted_account_ids": ["222233334444"]}
    org = "arn:aws:organizations::111122223333:ou/o-abc123def4/ou-ab12-11111111"
    assert names_untrusted_accounts(ctx, [org, "222233334444"], args)[0] is False
    verdict = names_untrusted_accounts(ctx, [org, "999988887777"], args)
    assert verdict[0] is True and "999988887777" in _en(verdict)
    assert names_untrusted_accounts(ctx, "arn:aws:iam::999988887777:root", args)[0] is True
    assert names_untrusted_accounts(ctx, Unknown("var.principal"), args)[0] is None
    assert names_untrusted_accounts(ctx, Unknown("data.aws_caller_identity.me.account_id"), args)[0] is False
    assert names_untrusted_accounts(ctx, None, args)[0] is False


def test_denies_outside_vpc_approved_endpoints() -> None:
    args = dict(VPC_ARGS, approved_endpoint_ids=["vpce-1", "vpc-1"])
    ctx = _ctx()
    good = _deny(condition={"StringNotEquals": {"aws:SourceVpce": ["vpce-1"]}})
    other = _deny(condition={"StringNotEquals": {"aws:SourceVpce": ["vpce-1", "vpce-9"]}})
    assert document_denies_access_outside_vpc(ctx, good, args)[0] is True
    assert document_denies_access_outside_vpc(ctx, other, args)[0] is False
