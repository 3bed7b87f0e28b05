"""Tests for fisc_iac_lint.predicates.fisc_identity: permissions boundaries, SCPs that deny
IAM administration, and trust policies restricting human access (MFA, source IP).

Documents are read from templates and modules through the parsers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fisc_iac_lint.api import parse_cloudformation, parse_terraform
from fisc_iac_lint.graph import Graph
from fisc_iac_lint.predicates import PREDICATES, Context


def module(tmp_path: Path, text: str) -> Graph:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    template, errors = parse_terraform(str(tmp_path))
    assert errors == [] and template is not None
    return Graph(template)


def template(tmp_path: Path, text: str) -> Graph:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    parsed = parse_cloudformation(str(path))
    assert parsed is not None and not hasattr(parsed, "message")
    return Graph(parsed)


def verdict(graph: Graph, resource: str, name: str, path: str, args: dict):
    target = graph.by_name[resource]
    value = target.properties.get(path)
    return PREDICATES[name](Context(target, graph), value, args)


# --------------------------------------------------------------------------
# permissions boundaries

BOUNDARY_CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Free:
    Type: String
Resources:
  Named:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: WorkloadBoundary
      Path: /org/
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
  Generated:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
  Literal:
    Type: AWS::IAM::User
    Properties:
      PermissionsBoundary: arn:aws:iam::111122223333:policy/org/WorkloadBoundary
  Foreign:
    Type: AWS::IAM::User
    Properties:
      PermissionsBoundary: arn:aws:iam::999999999999:policy/org/WorkloadBoundary
  Declared:
    Type: AWS::IAM::User
    Properties:
      PermissionsBoundary: !Ref Named
  DeclaredGenerated:
    Type: AWS::IAM::User
    Properties:
      PermissionsBoundary: !Ref Generated
  Computed:
    Type: AWS::IAM::User
    Properties:
      PermissionsBoundary: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/org/WorkloadBoundary"
  ComputedOther:
    Type: AWS::IAM::User
    Properties:
      PermissionsBoundary: !Sub "arn:aws:iam::${AWS::AccountId}:policy/Other"
  FromParameter:
    Type: AWS::IAM::User
    Properties:
      PermissionsBoundary: !Ref Free
  None:
    Type: AWS::IAM::User
    Properties: {}
"""


@pytest.mark.parametrize(
    "resource, arns, expected",
    [
        ("Literal", [], True),
        ("None", [], False),
        ("FromParameter", [], True),  # any boundary passes when none is approved
        ("Literal", ["arn:aws:iam::111122223333:policy/org/WorkloadBoundary"], True),
        ("Literal", ["arn:aws:iam::*:policy/org/WorkloadBoundary"], True),
        ("Foreign", ["arn:aws:iam::111122223333:policy/org/WorkloadBoundary"], False),
        ("Declared", ["arn:aws:iam::111122223333:policy/org/WorkloadBoundary"], True),
        ("Declared", ["arn:aws:iam::111122223333:policy/WorkloadBoundary"], False),  # another path
        ("DeclaredGenerated", ["arn:aws:iam::111122223333:policy/org/WorkloadBoundary"], False),
        ("Computed", ["arn:aws:iam::111122223333:policy/org/WorkloadBoundary"], True),
        ("ComputedOther", ["arn:aws:iam::111122223333:policy/org/WorkloadBoundary"], False),
        ("FromParameter", ["arn:aws:iam::111122223333:policy/org/WorkloadBoundary"], None),
        ("None", ["arn:aws:iam::111122223333:policy/org/WorkloadBoundary"], False),
    ],
)
def test_permissions_boundary_cloudformation(tmp_path: Path, resource: str, arns: list, expected) -> None:
    graph = template(tmp_path, BOUNDARY_CFN)
    result = verdict(graph, resource, "permissions_boundary_approved", "PermissionsBoundary", {"arns": arns})
    assert result[0] is expected, result
    assert set(result[1]) == {"en", "ja"}


BOUNDARY_TF = """\
variable "free" { type = string }
data "aws_caller_identity" "current" {}
resource "aws_iam_policy" "named" {
  name   = "WorkloadBoundary"
  policy = "{}"
}
resource "aws_iam_policy" "prefixed" {
  name_prefix = "boundary"
  policy      = "{}"
}
resource "aws_iam_role" "declared" {
  name                 = "declared"
  assume_role_policy   = "{}"
  permissions_boundary = aws_iam_policy.named.arn
}
resource "aws_iam_role" "prefixed" {
  name                 = "prefixed"
  assume_role_policy   = "{}"
  permissions_boundary = aws_iam_policy.prefixed.arn
}
resource "aws_iam_role" "computed" {
  name                 = "computed"
  assume_role_policy   = "{}"
  permissions_boundary = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:policy/WorkloadBoundary"
}
resource "aws_iam_role" "free" {
  name                 = "free"
  assume_role_policy   = "{}"
  permissions_boundary = var.free
}
"""


@pytest.mark.parametrize(
    "resource, expected",
    [
        ("aws_iam_role.declared", True),
        ("aws_iam_role.prefixed", False),
        ("aws_iam_role.computed", True),
        ("aws_iam_role.free", None),
    ],
)
def test_permissions_boundary_terraform(tmp_path: Path, resource: str, expected) -> None:
    graph = module(tmp_path, BOUNDARY_TF)
    args = {"arns": ["arn:aws:iam::111122223333:policy/WorkloadBoundary"]}
    result = verdict(graph, resource, "permissions_boundary_approved", "permissions_boundary", args)
    assert result[0] is expected, result


# --------------------------------------------------------------------------
# service control policies

ACTIONS = ["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachRolePolicy", "iam:PutRolePolicy"]


def scp(tmp_path: Path, statements: str) -> tuple[bool | None, dict]:
    graph = template(
        tmp_path,
        "Resources:\n  P:\n    Type: AWS::Organizations::Policy\n    Properties:\n"
        "      Name: p\n      Type: SERVICE_CONTROL_POLICY\n      TargetIds: [ou-1]\n"
        '      Content:\n        Version: "2012-10-17"\n        Statement:\n' + statements,
    )
    result = verdict(graph, "P", "scp_denies_actions", "Content", {"actions": ACTIONS})
    return result[0], result[1]


@pytest.mark.parametrize(
    "statements, expected",
    [
        # every action, wildcards
        ('          - {Effect: Deny, Action: ["iam:Create*", "iam:Attach*", "iam:Put*"], Resource: "*"}\n', True),
        # split over two statements
        (
            (
                '          - {Effect: Deny, Action: ["iam:CreateUser", "iam:CreateAccessKey"], Resource: "*"}\n'
                '          - {Effect: Deny, Action: ["iam:AttachRolePolicy", "iam:PutRolePolicy"], Resource: "*"}\n'
            ),
            True,
        ),
        # administrators exempted
        (
            (
                '          - Effect: Deny\n            Action: "iam:*"\n            Resource: "*"\n'
                "            Condition:\n              ArnNotLike: {aws:PrincipalArn: 'arn:aws:iam::*:role/IamAdmin'}\n"
                "              StringNotEqualsIfExists: {aws:PrincipalTag/Team: iam-admins}\n"
            ),
            True,
        ),
        # NotAction Deny that leaves IAM in
        ('          - {Effect: Deny, NotAction: ["s3:*"], Resource: "*"}\n', True),
        # NotAction Deny that leaves IAM out
        ('          - {Effect: Deny, NotAction: ["iam:*"], Resource: "*"}\n', False),
        # one action missing
        ('          - {Effect: Deny, Action: ["iam:Create*", "iam:Attach*"], Resource: "*"}\n', False),
        # an Allow is not a denial
        ('          - {Effect: Allow, Action: "iam:*", Resource: "*"}\n', False),
        # a narrowing condition
        (
            (
                '          - Effect: Deny\n            Action: "iam:*"\n            Resource: "*"\n'
                "            Condition:\n              Bool: {aws:MultiFactorAuthPresent: 'false'}\n"
            ),
            False,
        ),
        # a positive principal test targets some principals, it exempts none
        (
            (
                '          - Effect: Deny\n            Action: "iam:*"\n            Resource: "*"\n'
                "            Condition:\n              ArnLike: {aws:PrincipalArn: 'arn:aws:iam::*:role/Dev*'}\n"
            ),
            False,
        ),
        # on some resources only
        ('          - {Effect: Deny, Action: "iam:*", Resource: "arn:aws:iam::*:role/app-*"}\n', False),
        # an unresolved action
        ('          - {Effect: Deny, Action: !ImportValue actions, Resource: "*"}\n', None),
    ],
)
def test_scp_denies_actions(tmp_path: Path, statements: str, expected) -> None:
    ok, detail = scp(tmp_path, statements)
    assert ok is expected, detail
    assert set(detail) == {"en", "ja"}


def test_scp_from_a_json_string_in_terraform(tmp_path: Path) -> None:
    graph = module(
        tmp_path,
        'resource "aws_organizations_policy" "p" {\n  name = "p"\n'
        '  content = "{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Effect\\":\\"Deny\\",'
        '\\"Action\\":\\"iam:*\\",\\"Resource\\":\\"*\\"}]}"\n}\n',
    )
    result = verdict(graph, "aws_organizations_policy.p", "scp_denies_actions", "content", {"actions": ACTIONS})
    assert result[0] is True


# --------------------------------------------------------------------------
# trust policies


def trust(tmp_path: Path, statements: str, **args) -> tuple:
    graph = template(
        tmp_path,
        "Parameters:\n  Who:\n    Type: String\n"
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
        '      AssumeRolePolicyDocument:\n        Version: "2012-10-17"\n        Statement:\n' + statements,
    )
    full = {"approved_source_cidrs": [], "exempt_principals": []} | args
    return verdict(graph, "R", "trust_allows_unrestricted_human_access", "AssumeRolePolicyDocument", full)


ROOT = "          - Effect: Allow\n            Principal: {AWS: 'arn:aws:iam::111122223333:root'}\n            Action: sts:AssumeRole\n"


@pytest.mark.parametrize(
    "statements, args, expected",
    [
        (ROOT, {}, True),
        (ROOT + "            Condition: {Bool: {aws:MultiFactorAuthPresent: 'true'}}\n", {}, False),
        (ROOT + "            Condition: {Bool: {aws:MultiFactorAuthPresent: 'false'}}\n", {}, True),
        (ROOT + "            Condition: {BoolIfExists: {aws:MultiFactorAuthPresent: 'true'}}\n", {}, True),
        (ROOT + "            Condition: {NumericLessThan: {aws:MultiFactorAuthAge: '3600'}}\n", {}, False),
        (ROOT + "            Condition: {IpAddress: {aws:SourceIp: 203.0.113.0/24}}\n", {}, False),
        (ROOT + "            Condition: {IpAddress: {aws:SourceIp: 0.0.0.0/0}}\n", {}, True),
        (
            ROOT + "            Condition: {IpAddress: {aws:SourceIp: 203.0.113.0/24}}\n",
            {"approved_source_cidrs": ["203.0.112.0/23"]},
            False,
        ),
        (
            ROOT + "            Condition: {IpAddress: {aws:SourceIp: 198.51.100.0/24}}\n",
            {"approved_source_cidrs": ["203.0.112.0/23"]},
            True,
        ),
        (ROOT + "            Condition: {IpAddress: {aws:SourceIp: !Ref Who}}\n", {}, None),
        # exempt automation principal
        (ROOT, {"exempt_principals": ["arn:aws:iam::111122223333:*"]}, False),
        # services, federated identities and the public are not this policy's
        ("          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}\n", {}, False),
        (
            "          - {Effect: Allow, Principal: {Federated: 'arn:aws:iam::1:saml-provider/x'}, Action: sts:AssumeRoleWithSAML}\n",
            {},
            False,
        ),
        ("          - {Effect: Allow, Principal: '*', Action: sts:AssumeRole}\n", {}, False),
        ("          - {Effect: Allow, Principal: {AWS: '*'}, Action: sts:AssumeRole}\n", {}, False),
        # another action than AssumeRole
        ("          - {Effect: Allow, Principal: {AWS: 'arn:aws:iam::1:root'}, Action: sts:TagSession}\n", {}, False),
        # a principal from a parameter: still an AWS principal
        ("          - {Effect: Allow, Principal: {AWS: !Ref Who}, Action: sts:AssumeRole}\n", {}, True),
        (
            "          - {Effect: Allow, Principal: {AWS: !Ref Who}, Action: sts:AssumeRole}\n",
            {"exempt_principals": ["arn:aws:iam::*:role/ci"]},
            None,
        ),
        # a guarding Deny
        (
            ROOT + "          - Effect: Deny\n            Principal: {AWS: '*'}\n            Action: sts:AssumeRole\n"
            "            Condition: {NotIpAddress: {aws:SourceIp: [203.0.113.0/24]}}\n",
            {},
            False,
        ),
        (
            ROOT + "          - Effect: Deny\n            Principal: {AWS: '*'}\n            Action: sts:AssumeRole\n"
            "            Condition: {Bool: {aws:MultiFactorAuthPresent: 'false'}}\n",
            {},
            True,  # Bool without IfExists lets callers without the key through
        ),
    ],
)
def test_trust_allows_unrestricted_human_access(tmp_path: Path, statements: str, args: dict, expected) -> None:
    result = trust(tmp_path, statements, **args)
    assert result[0] is expected, result
    if expected is not False:
        assert set(result[1]) == {"en", "ja"}


def test_trust_reports_the_statement_line(tmp_path: Path) -> None:
    result = trust(tmp_path, ROOT)
    assert result[2] == 11


def test_trust_from_a_data_source(tmp_path: Path) -> None:
    graph = module(
        tmp_path,
        'data "aws_iam_policy_document" "t" {\n'
        "  statement {\n"
        '    actions = ["sts:AssumeRole"]\n'
        '    principals {\n      type        = "AWS"\n      identifiers = ["arn:aws:iam::1:user/a"]\n    }\n'
        '    condition {\n      test     = "Bool"\n      variable = "aws:MultiFactorAuthPresent"\n      values   = ["true"]\n    }\n'
        "  }\n}\n"
        'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = data.aws_iam_policy_document.t.json\n}\n',
    )
    args = {"approved_source_cidrs": [], "exempt_principals": []}
    result = verdict(graph, "aws_iam_role.r", "trust_allows_unrestricted_human_access", "assume_role_policy", args)
    assert result[0] is False, result


# --------------------------------------------------------------------------
# delegated IAM administration

DELEGATED = ["iam:CreateRole", "iam:CreateUser", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"]
REMOVALS = ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"]
CREATE = (
    "          - Effect: Allow\n            Action: [iam:CreateRole, iam:AttachRolePolicy]\n            Resource: '*'\n"
)


def delegation(tmp_path: Path, statements: str, boundary_arns: list | None = None) -> tuple:
    graph = template(
        tmp_path,
        "Parameters:\n  Who:\n    Type: String\n"
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        '      PolicyDocument:\n        Version: "2012-10-17"\n        Statement:\n' + statements,
    )
    args = {"actions": DELEGATED, "removal_actions": REMOVALS, "boundary_arns": boundary_arns or []}
    return verdict(graph, "P", "document_delegates_without_boundary", "PolicyDocument", args)


APPROVED = ["arn:aws:iam::111122223333:policy/WorkloadBoundary"]


@pytest.mark.parametrize(
    "statements, boundary_arns, expected",
    [
        (CREATE, None, True),
        (
            CREATE
            + "            Condition: {StringEquals: {iam:PermissionsBoundary: 'arn:aws:iam::111122223333:policy/WorkloadBoundary'}}\n",
            None,
            False,
        ),
        (
            CREATE
            + "            Condition: {StringEquals: {iam:PermissionsBoundary: 'arn:aws:iam::111122223333:policy/WorkloadBoundary'}}\n",
            APPROVED,
            False,
        ),
        (
            CREATE
            + "            Condition: {StringEquals: {iam:PermissionsBoundary: 'arn:aws:iam::111122223333:policy/Other'}}\n",
            APPROVED,
            True,
        ),
        (
            CREATE
            + "            Condition: {StringEquals: {iam:PermissionsBoundary: !Sub 'arn:aws:iam::${AWS::AccountId}:policy/WorkloadBoundary'}}\n",
            APPROVED,
            False,
        ),
        (CREATE + "            Condition: {StringEquals: {iam:PermissionsBoundary: !Ref Who}}\n", APPROVED, None),
        (CREATE + "            Condition: {StringEquals: {iam:PermissionsBoundary: !Ref Who}}\n", None, False),
        # a negated test does not require the boundary
        (
            CREATE + "            Condition: {StringNotEquals: {iam:PermissionsBoundary: 'arn:aws:iam::1:policy/B'}}\n",
            None,
            True,
        ),
        # boundary removal, however conditioned
        ("          - {Effect: Allow, Action: 'iam:Delete*', Resource: '*'}\n", None, True),
        # a wildcard IAM grant
        ("          - {Effect: Allow, Action: 'iam:*', Resource: '*'}\n", None, True),
        # every action: an administrator policy, left to the admin-access policies
        ("          - {Effect: Allow, Action: '*', Resource: '*'}\n", None, False),
        # reading, denying
        ("          - {Effect: Allow, Action: ['iam:Get*', 'iam:List*'], Resource: '*'}\n", None, False),
        ("          - {Effect: Deny, Action: 'iam:*', Resource: '*'}\n", None, False),
        # an unresolved action
        ("          - {Effect: Allow, Action: !Ref Who, Resource: '*'}\n", None, None),
    ],
)
def test_document_delegates_without_boundary(tmp_path: Path, statements: str, boundary_arns, expected) -> None:
    result = delegation(tmp_path, statements, boundary_arns)
    assert result[0] is expected, result
    if expected is not False:
        assert set(result[1]) == {"en", "ja"}


CHAIN = """\
Resources:
  Worker:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
  Person:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::1:root"}, Action: sts:AssumeRole}]
  Target:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {AWS: !GetAtt Worker.Arn}, Action: sts:AssumeRole}]
  FromPerson:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {AWS: !GetAtt Person.Arn}, Action: sts:AssumeRole}]
"""


@pytest.mark.parametrize("resource, expected", [("Target", False), ("FromPerson", True)])
def test_trust_from_a_workload_role_declared_here_is_not_human(tmp_path: Path, resource: str, expected) -> None:
    graph = template(tmp_path, CHAIN)
    args = {"approved_source_cidrs": [], "exempt_principals": []}
    result = verdict(graph, resource, "trust_allows_unrestricted_human_access", "AssumeRolePolicyDocument", args)
    assert result[0] is expected, result


# --------------------------------------------------------------------------
# password character types (Cognito)

_TYPES = ["RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"]


def _pool(tmp_path: Path, policy: str) -> Graph:
    return template(
        tmp_path,
        "Parameters:\n  Symbols:\n    Type: String\nResources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n"
        "    Properties:\n      Policies:\n        PasswordPolicy:\n" + policy,
    )


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            "          RequireLowercase: true\n          RequireUppercase: true\n          RequireNumbers: 'true'\n",
            True,
        ),
        (
            "          RequireLowercase: true\n          RequireUppercase: false\n          RequireNumbers: true\n",
            False,
        ),
        (
            "          RequireUppercase: false\n          RequireNumbers: true\n          RequireSymbols: true\n          RequireLowercase: true\n",
            True,
        ),
        ("          RequireLowercase: true\n          RequireNumbers: true\n", False),
        ("          MinimumLength: 12\n", False),
        (
            "          RequireLowercase: true\n          RequireNumbers: true\n          RequireSymbols: !Ref Symbols\n",
            None,
        ),
        ("          RequireSymbols: !Ref Symbols\n", False),
    ],
)
def test_password_character_types(tmp_path: Path, policy: str, expected: bool | None) -> None:
    graph = _pool(tmp_path, policy)
    pool = graph.by_name["Pool"]
    result = PREDICATES["password_character_types"](
        Context(pool, graph), pool.properties["Policies"]["PasswordPolicy"], {"minimum": 3, "type_fields": _TYPES}
    )
    assert result[0] is expected


# --------------------------------------------------------------------------
# MFA required of console users

_MFA_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "policies" / "iam-user-mfa-not-enforced"


@pytest.mark.parametrize(
    ("user", "expected"),
    [("Alice", True), ("Bob", True), ("Carol", True), ("Dave", None)],
)
def test_user_mfa_enforced_follows_groups_memberships_and_inline_policies(user: str, expected: bool | None) -> None:
    graph = Graph(parse_cloudformation(str(_MFA_FIXTURES / "cfn" / "pass.yaml")))
    target = graph.by_name[user]
    assert PREDICATES["user_mfa_enforced"](Context(target, graph), target.properties, {})[0] is expected


def test_user_mfa_enforced_needs_a_broad_deny(tmp_path: Path) -> None:
    graph = Graph(parse_cloudformation(str(_MFA_FIXTURES / "cfn" / "fail.yaml")))
    for user in ("Alice", "Bob"):
        target = graph.by_name[user]
        assert PREDICATES["user_mfa_enforced"](Context(target, graph), target.properties, {})[0] is False


def test_user_mfa_enforced_on_a_terraform_login_profile(tmp_path: Path) -> None:
    for case, expected in (("pass", True), ("fail", False)):
        parsed, errors = parse_terraform(str(_MFA_FIXTURES / "tf" / case))
        graph = Graph(parsed)
        profile = graph.by_name["aws_iam_user_login_profile.alice"]
        verdict = PREDICATES["user_mfa_enforced"](Context(profile, graph), profile.properties, {"user_field": "user"})
        assert verdict[0] is expected
    graph = module(tmp_path, 'resource "aws_iam_user_login_profile" "x" {\n  user = "someone"\n}\n')
    profile = graph.by_name["aws_iam_user_login_profile.x"]
    assert (
        PREDICATES["user_mfa_enforced"](Context(profile, graph), profile.properties, {"user_field": "user"})[0] is None
    )
