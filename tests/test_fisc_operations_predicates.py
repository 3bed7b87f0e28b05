"""Unit tests of fisc_iac_lint.predicates.fisc_operations (log buckets, WAF rate rules, KMS duties, dedicated keys)."""

from __future__ import annotations

import textwrap

import pytest

from fisc_iac_lint.api import parse_cloudformation, parse_terraform
from fisc_iac_lint.graph import Graph
from fisc_iac_lint.model import Unknown
from fisc_iac_lint.predicates import Context
from fisc_iac_lint.predicates.fisc_operations import (
    _is_root,
    inspector_scans,
    key_dedicated_to_critical_store,
    key_lifecycle_follows_data,
    key_policy_separates_duties,
    receives_logs,
    web_acl_blocks_by_rate,
)

ADMIN = ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"]
USE = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]


def _cfn(tmp_path, text, head=""):
    path = tmp_path / "template.yaml"
    path.write_text(
        f'AWSTemplateFormatVersion: "2010-09-09"\n{head}Resources:\n' + textwrap.indent(textwrap.dedent(text), "  ")
    )
    template = parse_cloudformation(str(path))
    return Graph(template)


def _tf(tmp_path, text):
    (tmp_path / "main.tf").write_text(textwrap.dedent(text))
    template, problems = parse_terraform(str(tmp_path))
    assert not problems
    return Graph(template)


def _call(function, graph, name, value=None, **args):
    resource = graph.by_name[name]
    return function(Context(resource, graph), resource.properties if value is None else value, args)


# -- receives_logs ------------------------------------------------------------------


def test_bucket_named_by_trail_literally(tmp_path):
    graph = _cfn(
        tmp_path,
        """
        Logs:
          Type: AWS::S3::Bucket
          Properties: {BucketName: trail-logs}
        Other:
          Type: AWS::S3::Bucket
        Trail:
          Type: AWS::CloudTrail::Trail
          Properties: {IsLogging: true, S3BucketName: trail-logs}
        """,
    )
    assert _call(receives_logs, graph, "Logs")[0] is True
    assert _call(receives_logs, graph, "Other")[0] is False


def test_flow_log_arn_and_elb_switched_off(tmp_path):
    graph = _cfn(
        tmp_path,
        """
        Flow:
          Type: AWS::S3::Bucket
          Properties: {BucketName: flow-logs}
        Elb:
          Type: AWS::S3::Bucket
          Properties: {BucketName: elb-logs}
        FlowLog:
          Type: AWS::EC2::FlowLog
          Properties: {ResourceId: vpc-1, ResourceType: VPC, LogDestinationType: s3, LogDestination: "arn:aws:s3:::flow-logs/x/"}
        Lb:
          Type: AWS::ElasticLoadBalancingV2::LoadBalancer
          Properties:
            LoadBalancerAttributes:
              - {Key: access_logs.s3.bucket, Value: elb-logs}
        """,
    )
    assert _call(receives_logs, graph, "Flow")[0] is True
    assert _call(receives_logs, graph, "Elb")[0] is False  # access_logs.s3.enabled defaults to false


def test_cloudfront_domain_waf_arn_and_self_logging(tmp_path):
    graph = _cfn(
        tmp_path,
        """
        Cdn:
          Type: AWS::S3::Bucket
          Properties: {BucketName: cdn-logs}
        Waf:
          Type: AWS::S3::Bucket
          Properties: {BucketName: aws-waf-logs-web}
        Self:
          Type: AWS::S3::Bucket
          Properties:
            BucketName: self-logs
            LoggingConfiguration: {DestinationBucketName: self-logs}
        Distribution:
          Type: AWS::CloudFront::Distribution
          Properties:
            DistributionConfig:
              Logging: {Bucket: cdn-logs.s3.amazonaws.com}
        WafLogging:
          Type: AWS::WAFv2::LoggingConfiguration
          Properties: {ResourceArn: arn, LogDestinationConfigs: ["arn:aws:s3:::aws-waf-logs-web"]}
        """,
    )
    for name in ("Cdn", "Waf", "Self"):
        assert _call(receives_logs, graph, name)[0] is True


def test_unknown_destination_may_be_the_bucket(tmp_path):
    graph = _tf(
        tmp_path,
        """
        variable "target" { type = string }
        resource "aws_s3_bucket" "logs" { bucket = "logs" }
        resource "aws_s3_bucket_logging" "data" {
          bucket        = "data"
          target_bucket = var.target
        }
        """,
    )
    ok, detail = _call(receives_logs, graph, "aws_s3_bucket.logs")[:2]
    assert ok is None and detail["ja"]


def test_terraform_lb_access_logs_need_enabled(tmp_path):
    graph = _tf(
        tmp_path,
        """
        resource "aws_s3_bucket" "on" { bucket = "on" }
        resource "aws_s3_bucket" "off" { bucket = "off" }
        resource "aws_lb" "a" {
          access_logs {
            bucket  = aws_s3_bucket.on.id
            enabled = true
          }
        }
        resource "aws_lb" "b" {
          access_logs { bucket = aws_s3_bucket.off.id }
        }
        """,
    )
    assert _call(receives_logs, graph, "aws_s3_bucket.on")[0] is True
    assert _call(receives_logs, graph, "aws_s3_bucket.off")[0] is False


# -- web_acl_blocks_by_rate ------------------------------------------------------------


def _acl(rules):
    return {"Rules": rules}


def _rate(action, limit=2000, name="r"):
    return {"Name": name, "Action": {action: {}}, "Statement": {"RateBasedStatement": {"Limit": limit}}}


@pytest.mark.parametrize(
    "rules, ok",
    [
        ([_rate("Block")], True),
        ([_rate("Captcha")], True),
        ([_rate("Challenge")], True),
        ([_rate("Count")], False),
        ([_rate("Allow")], False),
        ([], False),
        ([{"Name": "m", "Statement": {"ManagedRuleGroupStatement": {"Name": "x"}}}], False),
        ([_rate("Count"), _rate("Block")], True),
        ([Unknown("var.rules")], None),
    ],
)
def test_rate_rule_actions(tmp_path, rules, ok):
    graph = _cfn(tmp_path, "Acl:\n  Type: AWS::WAFv2::WebACL\n")
    assert _call(web_acl_blocks_by_rate, graph, "Acl", _acl(rules), max_limit=None)[0] is ok


def test_rate_limit_ceiling(tmp_path):
    graph = _cfn(tmp_path, "Acl:\n  Type: AWS::WAFv2::WebACL\n")
    assert _call(web_acl_blocks_by_rate, graph, "Acl", _acl([_rate("Block", 5000)]), max_limit=2000)[0] is False
    assert _call(web_acl_blocks_by_rate, graph, "Acl", _acl([_rate("Block", "1000")]), max_limit=2000)[0] is True
    assert _call(web_acl_blocks_by_rate, graph, "Acl", _acl([_rate("Block", Unknown("x"))]), max_limit=2000)[0] is None


def test_rule_group_overrides(tmp_path):
    graph = _tf(
        tmp_path,
        """
        resource "aws_wafv2_rule_group" "g" {
          rule {
            name = "rate"
            action {
              block {}
            }
            statement {
              rate_based_statement { limit = 100 }
            }
          }
        }
        resource "aws_wafv2_web_acl" "none" {
          rule {
            override_action {
              none {}
            }
            statement {
              rule_group_reference_statement { arn = aws_wafv2_rule_group.g.arn }
            }
          }
        }
        resource "aws_wafv2_web_acl" "count" {
          rule {
            override_action {
              count {}
            }
            statement {
              rule_group_reference_statement { arn = aws_wafv2_rule_group.g.arn }
            }
          }
        }
        resource "aws_wafv2_web_acl" "one_rule_counted" {
          rule {
            override_action {
              none {}
            }
            statement {
              rule_group_reference_statement {
                arn = aws_wafv2_rule_group.g.arn
                rule_action_override {
                  name = "rate"
                  action_to_use {
                    count {}
                  }
                }
              }
            }
          }
        }
        resource "aws_wafv2_web_acl" "elsewhere" {
          rule {
            override_action {
              none {}
            }
            statement {
              rule_group_reference_statement { arn = "arn:aws:wafv2:ap-northeast-1:111122223333:regional/rulegroup/x/1" }
            }
          }
        }
        """,
    )
    assert _call(web_acl_blocks_by_rate, graph, "aws_wafv2_web_acl.none")[0] is True
    ok, detail, _line = _call(web_acl_blocks_by_rate, graph, "aws_wafv2_web_acl.count")
    assert ok is False and "Count" in detail["en"] and "Count" in detail["ja"]
    assert _call(web_acl_blocks_by_rate, graph, "aws_wafv2_web_acl.one_rule_counted")[0] is False
    assert _call(web_acl_blocks_by_rate, graph, "aws_wafv2_web_acl.elsewhere")[0] is None


# -- key_policy_separates_duties -------------------------------------------------------------


@pytest.mark.parametrize(
    "principal, root",
    [
        ("arn:aws:iam::111122223333:root", True),
        ("111122223333", True),
        ("arn:aws-us-gov:iam::111122223333:root", True),
        ("arn:aws:iam::111122223333:role/admin", False),
        (Unknown('{"Fn::Sub":"arn:aws:iam::${AWS::AccountId}:root"}'), True),
        (Unknown("arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"), True),
        (Unknown("data.aws_caller_identity.current.account_id"), True),
        (Unknown("aws_iam_role.admin.arn"), False),
    ],
)
def test_root_principal(principal, root):
    assert _is_root(principal) is root


def _policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(principal, actions):
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions, "Resource": "*"}


@pytest.mark.parametrize(
    "document, ok",
    [
        (None, True),
        (_policy(_allow("arn:aws:iam::111122223333:root", "kms:*")), True),
        (_policy(_allow("arn:aws:iam::111122223333:role/ops", "kms:*")), False),
        (_policy(_allow("*", "kms:*")), False),
        (
            _policy(
                _allow("arn:aws:iam::111122223333:role/admin", ["kms:Put*", "kms:Disable*"]),
                _allow("arn:aws:iam::111122223333:role/app", ["kms:Decrypt", "kms:GenerateDataKey*"]),
            ),
            True,
        ),
        (
            _policy(
                _allow("arn:aws:iam::111122223333:role/admin", ["kms:Put*"]),
                _allow(["arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/admin"], "kms:Decrypt"),
            ),
            False,
        ),
        (_policy({"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "kms:*"}), True),
        (_policy({"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:role/x"}, "Action": "kms:*"}), True),
        (_policy(_allow("arn:aws:iam::111122223333:role/ops", ["kms:Put*", Unknown("var.action")])), None),
        (Unknown("var.policy"), None),
    ],
)
def test_key_policy_duties(tmp_path, document, ok):
    graph = _cfn(tmp_path, "Key:\n  Type: AWS::KMS::Key\n")
    resource = graph.by_name["Key"]
    verdict = key_policy_separates_duties(
        Context(resource, graph), document, {"admin_actions": ADMIN, "use_actions": USE}
    )
    assert verdict[0] is ok
    assert verdict[1]["en"] and verdict[1]["ja"]


def test_key_policy_reports_the_joining_statement(tmp_path):
    graph = _cfn(
        tmp_path,
        """
        Key:
          Type: AWS::KMS::Key
          Properties:
            KeyPolicy:
              Statement:
                - Effect: Allow
                  Principal: {AWS: arn:aws:iam::111122223333:role/ops}
                  Action: kms:PutKeyPolicy
                  Resource: "*"
                - Effect: Allow
                  Principal: {AWS: arn:aws:iam::111122223333:role/ops}
                  Action: kms:Decrypt
                  Resource: "*"
        """,
    )
    resource = graph.by_name["Key"]
    ok, _detail, line = key_policy_separates_duties(
        Context(resource, graph), resource.properties["KeyPolicy"], {"admin_actions": ADMIN, "use_actions": USE}
    )
    assert ok is False and line == 13


# -- key_dedicated_to_critical_store ------------------------------------------------------------

CRITICAL = {"key": "DataClassification", "values": ["CRITICAL"]}


def test_key_shared_by_critical_and_other_store(tmp_path):
    graph = _cfn(
        tmp_path,
        """
        Key:
          Type: AWS::KMS::Key
        Alias:
          Type: AWS::KMS::Alias
          Properties: {AliasName: alias/k, TargetKeyId: !Ref Key}
        Critical:
          Type: AWS::EC2::Volume
          Properties:
            KmsKeyId: !Ref Key
            Tags: [{Key: DataClassification, Value: CRITICAL}]
        Other:
          Type: AWS::EFS::FileSystem
          Properties: {KmsKeyId: !Ref Alias}
        """,
    )
    ok, detail = _call(key_dedicated_to_critical_store, graph, "Key", **CRITICAL)[:2]
    assert ok is False
    assert "Critical" in detail["en"] and "Other" in detail["en"] and detail["ja"]


def test_key_shared_by_stores_that_are_not_critical(tmp_path):
    graph = _cfn(
        tmp_path,
        """
        Key:
          Type: AWS::KMS::Key
        A:
          Type: AWS::EC2::Volume
          Properties: {KmsKeyId: !Ref Key, Tags: [{Key: DataClassification, Value: INTERNAL}]}
        B:
          Type: AWS::EC2::Volume
          Properties: {KmsKeyId: !Ref Key, Tags: [{Key: DataClassification, Value: !Ref Tag}]}
        C:
          Type: AWS::EC2::Volume
          Properties: {KmsKeyId: !Ref Key}
        """,
    )
    assert _call(key_dedicated_to_critical_store, graph, "Key", **CRITICAL)[0] is None  # B's tag is unknown


def test_key_dedicated_and_aurora_instances_not_counted(tmp_path):
    graph = _cfn(
        tmp_path,
        """
        Key:
          Type: AWS::KMS::Key
        Cluster:
          Type: AWS::RDS::DBCluster
          Properties: {KmsKeyId: !Ref Key, Tags: [{Key: DataClassification, Value: CRITICAL}]}
        Instance:
          Type: AWS::RDS::DBInstance
          Properties: {DBClusterIdentifier: !Ref Cluster, KmsKeyId: !Ref Key}
        """,
    )
    assert _call(key_dedicated_to_critical_store, graph, "Key", **CRITICAL)[0] is True


def test_terraform_bucket_found_through_its_encryption_configuration(tmp_path):
    graph = _tf(
        tmp_path,
        """
        resource "aws_kms_key" "k" {}
        resource "aws_s3_bucket" "b" {
          bucket = "b"
          tags   = { DataClassification = "CRITICAL" }
        }
        resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
          bucket = "b"
          rule {
            apply_server_side_encryption_by_default {
              sse_algorithm     = "aws:kms"
              kms_master_key_id = aws_kms_key.k.arn
            }
          }
        }
        resource "aws_dynamodb_table" "t" {
          server_side_encryption {
            enabled     = true
            kms_key_arn = aws_kms_key.k.arn
          }
        }
        """,
    )
    ok, detail = _call(key_dedicated_to_critical_store, graph, "aws_kms_key.k", **CRITICAL)[:2]
    assert ok is False and "aws_s3_bucket.b" in detail["en"] and "aws_dynamodb_table.t" in detail["en"]


# -- key_lifecycle_follows_data ---------------------------------------------------------

CFN_STORE = """
Key:
  Type: AWS::KMS::Key
  {key}
Table:
  Type: AWS::DynamoDB::Table
  {store}
  Properties:
    SSESpecification: {{SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: !Ref Key}}
"""


@pytest.mark.parametrize(
    "key, store, expected",
    [
        ("", "", True),  # both deleted (the default)
        ("DeletionPolicy: Retain", "DeletionPolicy: RetainExceptOnCreate", True),
        ("DeletionPolicy: RetainExceptOnCreate", "DeletionPolicy: Retain", True),
        ("", "DeletionPolicy: Retain", False),  # kept data, deleted key
        ("DeletionPolicy: Retain", "DeletionPolicy: Delete", False),  # the key outlives the data
        ("DeletionPolicy: Snapshot", "DeletionPolicy: Retain", False),  # Snapshot keeps no key
        ("DeletionPolicy: !If [Prod, Retain, Delete]", "DeletionPolicy: Retain", None),
        ("DeletionPolicy: Retain", "DeletionPolicy: !If [Prod, Retain, Delete]", None),
        ("DeletionPolicy: Delete", "DeletionPolicy: !If [Prod, Retain, Delete]", None),
    ],
)
def test_key_lifecycle_cloudformation(tmp_path, key, store, expected):
    head = "Transform: AWS::LanguageExtensions\nParameters:\n  Env: {Type: String}\n"
    graph = _cfn(
        tmp_path, CFN_STORE.format(key=key, store=store), head + "Conditions:\n  Prod: !Equals [!Ref Env, prod]\n"
    )
    assert _call(key_lifecycle_follows_data, graph, "Key")[0] is expected


def test_cloudformation_attributes_are_parsed_with_their_lines(tmp_path):
    graph = _cfn(
        tmp_path,
        """
        Key:
          Type: AWS::KMS::Key
          DeletionPolicy: Retain
          UpdateReplacePolicy: Retain
        Db:
          Type: AWS::RDS::DBInstance
          DeletionPolicy: !Ref Missing
          Properties: {KmsKeyId: !Ref Key}
        """,
    )
    key, db = graph.by_name["Key"], graph.by_name["Db"]
    assert dict(key.attributes) == {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    assert key.attributes.line_of("UpdateReplacePolicy") == 7
    assert isinstance(db.attributes["DeletionPolicy"], Unknown)
    assert all(e.source != "Db" or e.target == "Key" for e in graph.template.edges)


def test_rds_snapshots_by_default_and_aurora_instances_are_not_stores(tmp_path):
    graph = _cfn(
        tmp_path,
        """
        Key:
          Type: AWS::KMS::Key
        Cluster:
          Type: AWS::RDS::DBCluster
          Properties: {Engine: aurora-postgresql, KmsKeyId: !Ref Key}
        OtherKey:
          Type: AWS::KMS::Key
        Member:
          Type: AWS::RDS::DBInstance
          Properties: {DBClusterIdentifier: !Ref Cluster, KmsKeyId: !Ref OtherKey}
        """,
    )
    ok, detail = _call(key_lifecycle_follows_data, graph, "Key")[:2]
    assert ok is False and "Snapshot by default" in detail["en"]
    assert _call(key_lifecycle_follows_data, graph, "OtherKey")[0] is True  # no store: not decided here


def test_shared_key_is_kept_while_one_store_keeps_data(tmp_path):
    graph = _cfn(
        tmp_path,
        """
        Key:
          Type: AWS::KMS::Key
          DeletionPolicy: Retain
        Kept:
          Type: AWS::EC2::Volume
          DeletionPolicy: Snapshot
          Properties: {AvailabilityZone: a, Size: 1, Encrypted: true, KmsKeyId: !Ref Key}
        Gone:
          Type: AWS::EC2::Volume
          Properties: {AvailabilityZone: a, Size: 1, Encrypted: true, KmsKeyId: !Ref Key}
        """,
    )
    assert _call(key_lifecycle_follows_data, graph, "Key")[0] is True


@pytest.mark.parametrize(
    "key, store, expected",
    [
        ("", "skip_final_snapshot = true", True),
        ("", 'final_snapshot_identifier = "x"', False),  # skip_final_snapshot defaults to false
        ("lifecycle {\n    prevent_destroy = true\n  }", 'final_snapshot_identifier = "x"', True),
        ("lifecycle {\n    prevent_destroy = true\n  }", "skip_final_snapshot = true", False),
        (
            "lifecycle {\n    prevent_destroy = true\n  }",
            "skip_final_snapshot = true\n  lifecycle {\n    prevent_destroy = true\n  }",
            True,
        ),
        ("", "skip_final_snapshot = var.skip", None),
    ],
)
def test_key_lifecycle_terraform(tmp_path, key, store, expected):
    graph = _tf(
        tmp_path,
        f"""
variable "skip" {{
  type = bool
}}

resource "aws_kms_key" "k" {{
  {key}
}}

resource "aws_db_instance" "db" {{
  kms_key_id = aws_kms_key.k.arn
  {store}
}}
""",
    )
    assert _call(key_lifecycle_follows_data, graph, "aws_kms_key.k")[0] is expected


# -- inspector_scans ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, expected",
    [
        ('resource "aws_inspector2_enabler" "x" {\n  resource_types = ["EC2", "ECR"]\n}', True),
        ('resource "aws_inspector2_enabler" "x" {\n  resource_types = ["ec2", "ECR", "LAMBDA"]\n}', True),
        ('resource "aws_inspector2_enabler" "x" {\n  resource_types = ["EC2"]\n}', False),
        ('resource "aws_inspector2_enabler" "x" {\n  resource_types = var.types\n}', None),
        ('resource "aws_inspector2_enabler" "x" {\n  resource_types = ["EC2", var.one]\n}', None),
        (
            'resource "aws_inspector2_organization_configuration" "x" {\n  auto_enable {\n    ec2 = true\n    ecr = true\n  }\n}',
            True,
        ),
        ('resource "aws_inspector2_organization_configuration" "x" {\n  auto_enable {\n    ec2 = true\n  }\n}', False),
        (
            'resource "aws_inspector2_organization_configuration" "x" {\n  auto_enable {\n    ec2 = true\n    ecr = var.on\n  }\n}',
            None,
        ),
        ('resource "aws_inspector2_organization_configuration" "x" {\n}', False),
    ],
)
def test_inspector_scans(tmp_path, body, expected):
    variables = 'variable "types" {}\nvariable "one" {}\nvariable "on" {}\n'
    graph = _tf(tmp_path, variables + body + "\n")
    name = next(r.name for r in graph.resources if r.type.startswith("aws_inspector2"))
    assert _call(inspector_scans, graph, name, types=["EC2", "ECR"])[0] is expected
