"""Tests for fisc_iac_lint.predicates.storage: S3 bucket policies, rule parameters, DynamoDB auto scaling."""

from __future__ import annotations

import textwrap

import pytest
from verdicts import english as _english
from verdicts import japanese as _japanese

from fisc_iac_lint.graph import Graph
from fisc_iac_lint.model import Unknown
from fisc_iac_lint.parsers import cloudformation, hcl, terraform
from fisc_iac_lint.predicates import PREDICATES, Context
from fisc_iac_lint.predicates import storage as _storage
from fisc_iac_lint.predicates.storage import resolve_document

document_denies_insecure_transport = _english(_storage.document_denies_insecure_transport)
dynamodb_capacity_autoscaled = _english(_storage.dynamodb_capacity_autoscaled)
setting_required = _english(_storage.setting_required)


def cfn_graph(text: str) -> Graph:
    doc = cloudformation.load_document(textwrap.dedent(text), "t.yaml")
    return Graph(cloudformation.build(doc, "t.yaml"))


def tf_graph(text: str) -> Graph:
    return Graph(terraform.build("mod", {"main.tf": hcl.parse(textwrap.dedent(text))}))


def test_the_predicates_are_registered() -> None:
    for name in ("document_denies_insecure_transport", "setting_required", "dynamodb_capacity_autoscaled"):
        assert name in PREDICATES


# -- s3-bucket-ssl-requests-only ---------------------------------------------------------

DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def ssl(*statements, ctx=None):
    return document_denies_insecure_transport(ctx, {"Version": "2012-10-17", "Statement": list(statements)}, {})[0]


@pytest.mark.parametrize(
    "change, expected",
    [
        ({}, True),
        ({"Principal": {"AWS": "*"}}, True),
        ({"Principal": {"AWS": ["arn:aws:iam::123456789012:root", "*"]}}, True),
        ({"Action": "*"}, True),
        ({"Action": ["s3:GetObject", "s3:*"]}, True),
        ({"Condition": {"Bool": {"aws:SecureTransport": False}}}, True),
        ({"Condition": {"BoolIfExists": {"AWS:SecureTransport": ["false"]}}}, True),
        ({"Effect": "Allow"}, False),
        ({"Principal": {"AWS": "arn:aws:iam::123456789012:role/app"}}, False),
        ({"Principal": {"Service": "cloudfront.amazonaws.com"}}, False),
        ({"Action": "s3:GetObject"}, False),
        ({"Action": "s3:Get*"}, False),
        ({"Action": "s3:?"}, False),
        ({"Action": "S3:*"}, True),
        ({"Condition": {"Bool": {"aws:SecureTransport": "true"}}}, False),
        ({"Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}, False),
        ({"Condition": {"StringEquals": {"aws:SecureTransport": "false"}}}, False),
        (
            {"Condition": {"Bool": {"aws:SecureTransport": "false"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
            False,
        ),
        ({"Condition": {"Bool": {"aws:SecureTransport": ["false", "true"]}}}, False),
        ({"Effect": Unknown("var.effect")}, None),
        ({"Principal": Unknown("var.principal")}, None),
        ({"Action": Unknown("var.actions")}, None),
        ({"Condition": {"Bool": {"aws:SecureTransport": Unknown("var.v")}}}, None),
        ({"Condition": Unknown("var.condition")}, None),
    ],
)
def test_a_deny_of_everything_without_tls_to_everyone(change: dict, expected: bool | None) -> None:
    assert ssl({**DENY, **change}) is expected


def test_no_condition_or_not_action_or_not_principal_is_not_the_required_deny() -> None:
    without_condition = {k: v for k, v in DENY.items() if k != "Condition"}
    assert ssl(without_condition) is False
    not_action = {**{k: v for k, v in DENY.items() if k != "Action"}, "NotAction": "s3:GetObject"}
    assert ssl(not_action) is False
    not_principal = {
        **{k: v for k, v in DENY.items() if k != "Principal"},
        "NotPrincipal": {"AWS": "arn:aws:iam::1:root"},
    }
    assert ssl(not_principal) is False


def test_one_qualifying_statement_decides_even_beside_unknown_ones() -> None:
    assert ssl({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}, DENY) is True
    assert ssl(Unknown("var.statement"), DENY) is True
    assert ssl(Unknown("var.statement")) is None


def test_the_verdict_points_at_the_statement() -> None:
    graph = cfn_graph(
        """\
        Resources:
          B:
            Type: AWS::S3::Bucket
          P:
            Type: AWS::S3::BucketPolicy
            Properties:
              Bucket: !Ref B
              PolicyDocument:
                Statement:
                  - Sid: TLS
                    Effect: Deny
                    Principal: "*"
                    Action: s3:*
                    Resource: !Sub "${B.Arn}/*"
                    Condition: {Bool: {aws:SecureTransport: false}}
        """
    )
    policy = graph.by_name["P"]
    ok, detail, line = document_denies_insecure_transport(
        Context(policy, graph), policy.properties["PolicyDocument"], {}
    )
    assert (ok, line) == (True, 10)
    assert "'TLS'" in detail


def test_missing_unknown_and_json_documents() -> None:
    assert document_denies_insecure_transport(None, None, {})[0] is False
    assert document_denies_insecure_transport(None, Unknown("var.policy"), {})[0] is None
    text = (
        '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",\n'
        ' "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}'
    )
    assert document_denies_insecure_transport(None, text, {})[0] is True


TF_DOCUMENT = """\
resource "aws_s3_bucket" "b" {
  bucket = "example"
}

data "aws_iam_policy_document" "base" {
  statement {
    sid     = "TLS"
    effect  = "Deny"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = ["${aws_s3_bucket.b.arn}/*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

data "aws_iam_policy_document" "combined" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid     = "Read"
    actions = ["s3:GetObject"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:role/reader"]
    }
    resources = ["${aws_s3_bucket.b.arn}/*"]
  }
}

resource "aws_s3_bucket_policy" "direct" {
  bucket = aws_s3_bucket.b.id
  policy = data.aws_iam_policy_document.base.json
}

resource "aws_s3_bucket_policy" "combined" {
  bucket = aws_s3_bucket.b.id
  policy = data.aws_iam_policy_document.combined.json
}

resource "aws_s3_bucket_policy" "rewritten" {
  bucket = aws_s3_bucket.b.id
  policy = replace(data.aws_iam_policy_document.base.json, "Deny", "Allow")
}
"""


@pytest.mark.parametrize("name, expected", [("direct", True), ("combined", True), ("rewritten", None)])
def test_terraform_policy_documents_are_read_from_data_sources(name: str, expected: bool | None) -> None:
    graph = tf_graph(TF_DOCUMENT)
    policy = graph.by_name[f"aws_s3_bucket_policy.{name}"]
    ctx = Context(policy, graph)
    assert document_denies_insecure_transport(ctx, policy.properties["policy"], {})[0] is expected


def test_resolve_document_leaves_other_values_alone() -> None:
    graph = tf_graph(TF_DOCUMENT)
    ctx = Context(graph.by_name["aws_s3_bucket_policy.direct"], graph)
    unknown = Unknown("var.policy")
    assert resolve_document(ctx, unknown) is unknown
    assert resolve_document(ctx, {"Statement": []}) == {"Statement": []}
    rendered = resolve_document(ctx, graph.by_name["aws_s3_bucket_policy.direct"].properties["policy"])
    assert rendered["Statement"][0]["Effect"] == "Deny"


# -- optional parameters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, required, expected",
    [
        (True, True, True),
        ("true", True, True),
        (False, True, False),
        (None, True, False),  # absent: the default, false
        (False, False, True),  # not required by the parameters
        (None, "false", True),
        (Unknown("var.x"), True, None),
        ("yes", True, False),
    ],
)
def test_setting_required(value, required, expected) -> None:
    assert setting_required(None, value, {"required": required, "default": False, "setting": "s"})[0] is expected


def test_setting_required_names_the_setting_and_an_absent_value() -> None:
    ok, detail = setting_required(None, None, {"required": True, "default": False, "setting": "block_public_acls"})
    assert (ok, detail) == (False, "block_public_acls is false (not set); expected true")
    assert setting_required(None, True, {"required": "maybe"})[0] is None


# -- dynamodb-autoscaling-enabled -----------------------------------------------------------


def autoscaled(graph: Graph, name: str):
    table = graph.by_name[name]
    return dynamodb_capacity_autoscaled(Context(table, graph), table.properties, {})


CFN_TABLES = """\
Parameters:
  Name:
    Type: String
    Default: literal
  Unset:
    Type: String
Resources:
  OnDemand:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
  Referenced:
    Type: AWS::DynamoDB::Table
    Properties:
      GlobalSecondaryIndexes:
        - IndexName: gsi
  RefRead:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: dynamodb
      ResourceId: !Sub table/${Referenced}
      ScalableDimension: dynamodb:table:ReadCapacityUnits
  RefWrite:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: dynamodb
      ResourceId: !Join ["/", [table, !Ref Referenced]]
      ScalableDimension: dynamodb:table:WriteCapacityUnits
  RefIndexRead:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: dynamodb
      ResourceId: !Sub table/${Referenced}/index/gsi
      ScalableDimension: dynamodb:index:ReadCapacityUnits
  RefIndexWriteJoin:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: dynamodb
      ResourceId: !Join ["/", [table, !Ref Referenced, index, gsi]]
      ScalableDimension: dynamodb:index:WriteCapacityUnits
  Literal:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PROVISIONED
      TableName: !Ref Name
  LiteralRead:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: dynamodb
      ResourceId: table/literal
      ScalableDimension: dynamodb:table:ReadCapacityUnits
  MaybeWrite:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: dynamodb
      ResourceId: !Ref Unset
      ScalableDimension: dynamodb:table:WriteCapacityUnits
  Ecs:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: ecs
      ResourceId: table/literal
      ScalableDimension: dynamodb:table:WriteCapacityUnits
  Unknown:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: !Ref Unset
"""


def test_on_demand_passes_and_provisioned_needs_targets() -> None:
    graph = cfn_graph(CFN_TABLES)
    assert autoscaled(graph, "OnDemand")[:2] == (True, "BillingMode is PAY_PER_REQUEST (on-demand)")
    assert autoscaled(graph, "Unknown")[0] is None


def test_targets_found_by_reference_fn_sub_and_fn_join() -> None:
    # the index write target is written with Fn::Join, whose index cannot be read: unknown
    ok, detail, line = autoscaled(cfn_graph(CFN_TABLES), "Referenced")
    assert ok is None
    assert "write capacity of index gsi" in detail
    assert line is None  # BillingMode not set: the table's own line


def test_targets_found_by_literal_name_and_a_target_that_may_be_it() -> None:
    ok, detail, line = autoscaled(cfn_graph(CFN_TABLES), "Literal")
    # read: table/literal; write: only MaybeWrite (ResourceId unresolved) may scale it, Ecs is another service
    assert ok is None and "write capacity of the table" in detail
    assert line == 44  # the BillingMode line


def test_a_missing_dimension_is_a_failure() -> None:
    text = CFN_TABLES.replace("      ResourceId: !Ref Unset\n", "      ResourceId: table/other\n")
    ok, detail, _ = autoscaled(cfn_graph(text), "Literal")
    assert ok is False
    assert detail == "BillingMode is PROVISIONED; no auto scaling target for the write capacity of the table"


TF_TABLES = """\
resource "aws_dynamodb_table" "t" {
  name = "t"
  global_secondary_index {
    name = "by_x"
  }
}

resource "aws_dynamodb_table" "other" {
  name = "other"
}

resource "aws_appautoscaling_target" "read" {
  service_namespace  = "dynamodb"
  resource_id        = "table/${aws_dynamodb_table.t.name}"
  scalable_dimension = "dynamodb:table:ReadCapacityUnits"
}

resource "aws_appautoscaling_target" "write" {
  service_namespace  = "dynamodb"
  resource_id        = "table/${aws_dynamodb_table.t.id}"
  scalable_dimension = "dynamodb:table:WriteCapacityUnits"
}

resource "aws_appautoscaling_target" "index_read" {
  service_namespace  = "dynamodb"
  resource_id        = "table/${aws_dynamodb_table.t.name}/index/by_x"
  scalable_dimension = "dynamodb:index:ReadCapacityUnits"
}

resource "aws_appautoscaling_target" "index_write" {
  service_namespace  = "dynamodb"
  resource_id        = "table/t/index/by_x"
  scalable_dimension = "dynamodb:index:WriteCapacityUnits"
}

resource "aws_appautoscaling_target" "other_index" {
  service_namespace  = "dynamodb"
  resource_id        = "table/${aws_dynamodb_table.other.name}/index/by_x"
  scalable_dimension = "dynamodb:index:ReadCapacityUnits"
}
"""


def test_terraform_tables_and_indexes() -> None:
    graph = tf_graph(TF_TABLES)
    assert autoscaled(graph, "aws_dynamodb_table.t")[0] is True
    ok, detail, _ = autoscaled(graph, "aws_dynamodb_table.other")
    assert ok is False
    assert "read capacity of the table, write capacity of the table" in detail


def test_an_index_target_does_not_scale_the_table() -> None:
    text = TF_TABLES.replace(
        'resource_id        = "table/${aws_dynamodb_table.t.name}"\n',
        'resource_id        = "table/${aws_dynamodb_table.t.name}/index/by_x"\n',
    )
    ok, detail, _ = autoscaled(tf_graph(text), "aws_dynamodb_table.t")
    assert ok is False and "read capacity of the table" in detail


def test_an_unknown_index_name_is_unknown() -> None:
    text = TF_TABLES.replace('name = "by_x"', "name = var.index")
    assert autoscaled(tf_graph(text), "aws_dynamodb_table.t")[0] is None


# -- Japanese details --------------------------------------------------------------------------


def test_bucket_policy_details_in_japanese() -> None:
    deny_ja = _japanese(_storage.document_denies_insecure_transport)
    assert deny_ja(None, None, {}) == (False, "バケットポリシーがありません")
    document = {"Statement": [{**DENY, "Sid": "TLS"}]}
    assert deny_ja(None, document, {})[:2] == (
        True,
        "ステートメント 'TLS' が TLS を使用しないリクエストを拒否しています",
    )
    assert deny_ja(None, {"Statement": [{**DENY, "Effect": "Allow"}]}, {}) == (
        False,
        'aws:SecureTransport が false のときに "*" に対して s3:* を拒否するステートメントがありません',
    )


def test_setting_required_in_japanese() -> None:
    required_ja = _japanese(_storage.setting_required)
    args = {"required": True, "default": False, "setting": "block_public_acls"}
    assert required_ja(None, None, args) == (
        False,
        "block_public_acls は false (未設定) です。true である必要があります",
    )
    assert required_ja(None, True, args) == (True, "block_public_acls は true です")


def test_dynamodb_details_in_japanese() -> None:
    graph = cfn_graph(CFN_TABLES.replace("      ResourceId: !Ref Unset\n", "      ResourceId: table/other\n"))
    table = graph.by_name["Literal"]
    ok, detail, _ = _japanese(_storage.dynamodb_capacity_autoscaled)(Context(table, graph), table.properties, {})
    assert (ok, detail) == (
        False,
        "BillingMode は PROVISIONED です。テーブルの書き込みキャパシティの Auto Scaling ターゲットがありません",
    )
    on_demand = graph.by_name["OnDemand"]
    assert _japanese(_storage.dynamodb_capacity_autoscaled)(Context(on_demand, graph), on_demand.properties, {})[
        :2
    ] == (
        True,
        "BillingMode は PAY_PER_REQUEST (オンデマンド) です",
    )
