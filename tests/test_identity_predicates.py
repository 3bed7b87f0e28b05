"""Tests for fisc_iac_lint.predicates.identity and the identity-policy predicates of documents.

Documents are read from real templates and modules, through the parsers, so that the
shapes the predicates meet (heredocs, jsonencode, data sources in other files) are
the ones Terraform and CloudFormation produce.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from verdicts import english as _english

from fisc_iac_lint.api import Options, lint, parse_cloudformation, parse_terraform
from fisc_iac_lint.graph import Graph
from fisc_iac_lint.model import Mapping, Text, Unknown
from fisc_iac_lint.predicates import PREDICATES, Context
from fisc_iac_lint.predicates import identity as _identity

password_policy_meets = _english(_identity.password_policy_meets)

ADMIN = "iam-managed-policy-grants-admin-access"
INLINE_KMS = "iam-inline-policy-allows-blocked-kms-actions"


def module(tmp_path: Path, **files: str) -> Graph:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    template, errors = parse_terraform(str(tmp_path))
    assert errors == [] and template is not None
    return Graph(template)


def template(tmp_path: Path, text: str) -> Graph:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    parsed = parse_cloudformation(str(path))
    assert parsed is not None and not hasattr(parsed, "message")
    return Graph(parsed)


def findings(path: Path, name: str) -> list[tuple[str, int]]:
    report = lint([str(path)], Options())
    assert report.errors == []
    return sorted((Path(f.file).name, f.line) for f in report.findings if f.rule_name == name)


def verdict(graph: Graph, resource: str, name: str, path: str | None, args: dict | None = None):
    target = graph.by_name[resource]
    value = target.properties
    for key in (path or "").split(".") if path else ():
        value = value[int(key)] if key.isdigit() else value[key]
    return PREDICATES[name](Context(target, graph), value, args or {})


# --------------------------------------------------------------------------
# documents: where a statement is written


HEREDOC = """\
resource "aws_iam_policy" "heredoc" {
  name   = "heredoc"
  policy = <<EOT
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}
EOT
}
"""


def test_a_heredoc_statement_is_reported_at_its_own_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(HEREDOC, encoding="utf-8")
    assert findings(tmp_path, ADMIN) == [("main.tf", 8)]


def test_a_heredoc_with_an_unresolved_interpolation_is_unknown(tmp_path: Path) -> None:
    text = HEREDOC.replace('"Resource": "*"\n', '"Resource": "${aws_s3_bucket.b.arn}"\n').replace(
        'resource "aws_iam_policy"', 'resource "aws_s3_bucket" "b" {}\n\nresource "aws_iam_policy"'
    )
    graph = module(tmp_path, **{"main.tf": text})
    ok, detail, *_ = verdict(graph, "aws_iam_policy.heredoc", "document_grants_admin_access", "policy")
    assert ok is None and "unknown" in detail


DATA_SOURCE = """\
data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
"""

POLICY_FROM_DATA = """\
resource "aws_iam_policy" "from_data" {
  name   = "from-data"
  policy = data.aws_iam_policy_document.admin.json
}
"""


def test_a_data_source_statement_in_the_same_file_is_reported_at_the_statement(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(DATA_SOURCE + "\n" + POLICY_FROM_DATA, encoding="utf-8")
    assert findings(tmp_path, ADMIN) == [("main.tf", 2)]


def test_a_data_source_in_another_file_is_reported_at_the_policy_attribute(tmp_path: Path) -> None:
    (tmp_path / "data.tf").write_text(DATA_SOURCE, encoding="utf-8")
    (tmp_path / "main.tf").write_text(POLICY_FROM_DATA, encoding="utf-8")
    assert findings(tmp_path, ADMIN) == [("main.tf", 3)]


def test_a_data_source_behind_a_conditional_is_unknown(tmp_path: Path) -> None:
    text = (
        DATA_SOURCE
        + 'variable "on" {}\n'
        + POLICY_FROM_DATA.replace(
            "data.aws_iam_policy_document.admin.json", 'var.on ? data.aws_iam_policy_document.admin.json : "{}"'
        )
    )
    graph = module(tmp_path, **{"main.tf": text})
    ok, *_ = verdict(graph, "aws_iam_policy.from_data", "document_grants_admin_access", "policy")
    assert ok is None


def test_a_data_source_statement_from_a_dynamic_block_is_unknown(tmp_path: Path) -> None:
    text = """\
variable "statements" {}

data "aws_iam_policy_document" "dynamic" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = statement.value.actions
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "dynamic" {
  role   = "app"
  policy = data.aws_iam_policy_document.dynamic.json
}
"""
    graph = module(tmp_path, **{"main.tf": text})
    ok, *_ = verdict(
        graph,
        "aws_iam_role_policy.dynamic",
        "document_allows_blocked_kms_actions",
        "policy",
        {"actions": ["kms:Decrypt"]},
    )
    assert ok is None


def test_a_cloudformation_json_string_document_keeps_its_lines(tmp_path: Path) -> None:
    text = """\
Resources:
  Policy:
    Type: AWS::IAM::RolePolicy
    Properties:
      PolicyName: p
      RoleName: app
      PolicyDocument: |
        {"Version": "2012-10-17",
         "Statement": [
           {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}
"""
    (tmp_path / "template.yaml").write_text(text, encoding="utf-8")
    found = findings(tmp_path, INLINE_KMS)
    assert found == [("template.yaml", 10)]  # the statement, within the string


def test_no_document_and_an_unknown_document(tmp_path: Path) -> None:
    graph = template(tmp_path, "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties: {}\n")
    context = Context(graph.by_name["P"], graph)
    for name in ("document_grants_admin_access", "document_grants_full_service_access"):
        assert PREDICATES[name](context, None, {})[0] is False
        assert PREDICATES[name](context, Unknown("!Ref Doc"), {})[0] is None
    assert PREDICATES["document_allows_blocked_kms_actions"](context, None, {"actions": []})[0] is False


# --------------------------------------------------------------------------
# named_by


MEMBERSHIPS = """\
variable "group_name" {}

resource "aws_iam_group" "referenced" {
  name = "referenced"
}

resource "aws_iam_group" "literal" {
  name = "literal"
}

resource "aws_iam_group" "alone" {
  name = "alone"
}

resource "aws_iam_group" "empty" {
  name = "empty"
}

resource "aws_iam_user_group_membership" "u" {
  user   = "u"
  groups = [aws_iam_group.referenced.name, "literal"]
}

resource "aws_iam_group_membership" "empty" {
  name  = "empty"
  group = aws_iam_group.empty.name
  users = []
}
"""

USER_GROUPS = {"types": ["aws_iam_user_group_membership"], "via": "groups", "name_field": "name"}
GROUP_MEMBERS = {"types": ["aws_iam_group_membership"], "via": "group", "name_field": "name", "nonempty": "users"}


@pytest.mark.parametrize(
    "group, args, expected",
    [
        ("aws_iam_group.referenced", USER_GROUPS, True),
        ("aws_iam_group.literal", USER_GROUPS, True),
        ("aws_iam_group.alone", USER_GROUPS, False),
        ("aws_iam_group.empty", GROUP_MEMBERS, False),
        ("aws_iam_group.alone", GROUP_MEMBERS, False),
    ],
)
def test_named_by(tmp_path: Path, group: str, args: dict, expected: bool) -> None:
    graph = module(tmp_path, **{"main.tf": MEMBERSHIPS})
    assert verdict(graph, group, "named_by", None, args)[0] is expected


def test_named_by_an_unresolved_name_is_unknown(tmp_path: Path) -> None:
    text = (
        MEMBERSHIPS
        + """
resource "aws_iam_group_membership" "maybe" {
  name  = "maybe"
  group = var.group_name
  users = ["u"]
}
"""
    )
    graph = module(tmp_path, **{"main.tf": text})
    assert verdict(graph, "aws_iam_group.alone", "named_by", None, GROUP_MEMBERS)[0] is None
    # an unresolved users list may be empty: unknown, even for the referenced group
    text = MEMBERSHIPS.replace("users = []", "users = var.members") + 'variable "members" {}\n'
    graph = module(tmp_path, **{"main.tf": text})
    assert verdict(graph, "aws_iam_group.empty", "named_by", None, GROUP_MEMBERS)[0] is None


def test_named_by_in_cloudformation_lists(tmp_path: Path) -> None:
    text = """\
Parameters:
  Who:
    Type: String
Resources:
  Named:
    Type: AWS::IAM::User
    Properties:
      UserName: alice
  Referenced:
    Type: AWS::IAM::User
  Other:
    Type: AWS::IAM::User
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Users: [alice, !Ref Referenced]
      PolicyDocument: {Version: "2012-10-17", Statement: []}
"""
    args = {"types": ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"], "via": "Users", "name_field": "UserName"}
    graph = template(tmp_path, text)
    assert [verdict(graph, n, "named_by", None, args)[0] for n in ("Named", "Referenced", "Other")] == [
        True,
        True,
        False,
    ]
    graph = template(tmp_path, text.replace("[alice, !Ref Referenced]", "[!Ref Who]"))
    assert verdict(graph, "Other", "named_by", None, args)[0] is None


# --------------------------------------------------------------------------
# password_policy_meets

PACK = {
    "require_uppercase_characters": True,
    "require_lowercase_characters": True,
    "require_symbols": True,
    "require_numbers": True,
    "minimum_password_length": 12,
    "password_reuse_prevention": 5,
    "max_password_age": 90,
    "uppercase_field": "require_uppercase_characters",
    "lowercase_field": "require_lowercase_characters",
    "symbols_field": "require_symbols",
    "numbers_field": "require_numbers",
    "length_field": "minimum_password_length",
    "length_default": 6,
    "reuse_field": "password_reuse_prevention",
    "age_field": "max_password_age",
}

STRONG = {
    "require_uppercase_characters": True,
    "require_lowercase_characters": "true",
    "require_symbols": True,
    "require_numbers": True,
    "minimum_password_length": 14,
    "password_reuse_prevention": "24",
    "max_password_age": 90,
}


def policy(**changes) -> Mapping:
    props = Mapping({k: v for k, v in {**STRONG, **changes}.items() if v is not None}, line=1)
    props.key_lines = {k: 2 + i for i, k in enumerate(props)}
    return props


def test_a_strong_policy_meets_the_pack() -> None:
    assert password_policy_meets(None, policy(), PACK)[0] is True


@pytest.mark.parametrize(
    "changes, detail",
    [
        ({"require_symbols": False}, "require_symbols is False; expected true"),
        ({"require_numbers": None}, "require_numbers is not set (default False); expected true"),
        ({"minimum_password_length": 8}, "minimum_password_length is 8; expected at least 12"),
        ({"minimum_password_length": None}, "minimum_password_length is not set (default 6); expected at least 12"),
        ({"password_reuse_prevention": None}, "password_reuse_prevention is not set (default 0); expected at least 5"),
        ({"max_password_age": 0}, "max_password_age is 0; expected between 1 and 90 (passwords must expire)"),
        ({"max_password_age": 180}, "max_password_age is 180; expected between 1 and 90 (passwords must expire)"),
        ({"max_password_age": None}, "max_password_age is not set (default 0); expected between 1 and 90"),
    ],
)
def test_weak_settings_fail_at_their_line(changes: dict, detail: str) -> None:
    props = policy(**changes)
    ok, message, line = password_policy_meets(None, props, PACK)
    assert ok is False and message.startswith(detail)
    (name,) = changes
    assert line == (props.line_of(name) if name in props else None)


def test_parameters_relax_or_skip_requirements() -> None:
    assert password_policy_meets(None, policy(require_symbols=False), {**PACK, "require_symbols": "false"})[0] is True
    assert password_policy_meets(None, policy(max_password_age=None), {**PACK, "max_password_age": None})[0] is True
    assert password_policy_meets(None, policy(minimum_password_length=8), {**PACK, "minimum_password_length": "8"})[0]


def test_unknown_settings_are_unknown_unless_another_fails() -> None:
    unknown = Unknown("var.length")
    assert password_policy_meets(None, policy(minimum_password_length=unknown), PACK)[0] is None
    assert password_policy_meets(None, policy(minimum_password_length=unknown, require_symbols=False), PACK)[0] is False


def test_named_by_a_literal_when_this_name_is_unresolved_is_unknown(tmp_path: Path) -> None:
    text = """\
variable "group_name" {}

resource "aws_iam_group" "unnamed" {
  name = var.group_name
}

resource "aws_iam_user_group_membership" "u" {
  user   = "u"
  groups = ["operators"]
}
"""
    graph = module(tmp_path, **{"main.tf": text})
    assert verdict(graph, "aws_iam_group.unnamed", "named_by", None, USER_GROUPS)[0] is None


def test_a_source_document_in_another_file_is_reported_at_the_policy_attribute(tmp_path: Path) -> None:
    (tmp_path / "base.tf").write_text(DATA_SOURCE, encoding="utf-8")
    outer = """\
data "aws_iam_policy_document" "outer" {
  source_policy_documents = [data.aws_iam_policy_document.admin.json]
}

resource "aws_iam_policy" "outer" {
  name   = "outer"
  policy = data.aws_iam_policy_document.outer.json
}
"""
    (tmp_path / "main.tf").write_text(outer, encoding="utf-8")
    assert findings(tmp_path, ADMIN) == [("main.tf", 7)]


# --------------------------------------------------------------------------
# Japanese details


def test_japanese_details_of_the_password_policy() -> None:
    def japanese(props, args=PACK) -> str:
        return Text.of(_identity.password_policy_meets(None, props, args)[1]).ja

    assert japanese(policy()) == "パスワードポリシーは要件を満たしています"
    assert japanese(policy(require_symbols=False)) == "require_symbols は False です。true である必要があります"
    assert japanese(policy(minimum_password_length=None)) == (
        "minimum_password_length が設定されていません (デフォルト 6)。12 以上である必要があります"
    )
    assert japanese(policy(max_password_age=180)) == (
        "max_password_age は 180 です。1 以上 90 以下である必要があります (パスワードには有効期限が必要です)"
    )
    assert japanese(policy(minimum_password_length=Unknown("var.length"))) == (
        "minimum_password_length が不明です: var.length"
    )


def test_japanese_details_of_named_by(tmp_path: Path) -> None:
    graph = module(tmp_path, **{"main.tf": MEMBERSHIPS})

    def japanese(group: str, args: dict) -> str:
        return Text.of(verdict(graph, group, "named_by", None, args)[1]).ja

    assert japanese("aws_iam_group.referenced", USER_GROUPS) == (
        "aws_iam_user_group_membership.u (aws_iam_user_group_membership) がこのリソースを指定しています"
    )
    assert japanese("aws_iam_group.alone", USER_GROUPS) == (
        "このリソースを指定している aws_iam_user_group_membership はありません"
    )
    assert verdict(graph, "aws_iam_group.alone", "named_by", None, USER_GROUPS)[1]["en"] == (
        "no aws_iam_user_group_membership names it"
    )
