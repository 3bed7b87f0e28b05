"""Predicates of fisc_iac_lint.predicates.edge: WAF associations of API Gateway stages, Kerberos of EMR clusters."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from verdicts import english as _english

from fisc_iac_lint.api import parse_terraform
from fisc_iac_lint.graph import Graph
from fisc_iac_lint.model import Text
from fisc_iac_lint.parsers.cloudformation import build, load_document
from fisc_iac_lint.predicates import PREDICATES, Context
from fisc_iac_lint.predicates import edge as _edge

emr_security_configuration_has_kerberos = _english(_edge.emr_security_configuration_has_kerberos)
stage_associated_with_web_acl = _english(_edge.stage_associated_with_web_acl)

CFN_WAF = {
    "types": ["AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation"],
    "association_arn": "ResourceArn",
    "stage_types": ["AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"],
    "name_field": "StageName",
    "api_field": "RestApiId",
}
TF_WAF = {
    "types": ["aws_wafv2_web_acl_association"],
    "association_arn": "resource_arn",
    "stage_types": ["aws_api_gateway_stage"],
    "name_field": "stage_name",
    "api_field": "rest_api_id",
}
CFN_EMR = {
    "via": "SecurityConfiguration",
    "types": ["AWS::EMR::SecurityConfiguration"],
    "config_name": "Name",
    "config_document": "SecurityConfiguration",
}
TF_EMR = {
    "via": "security_configuration",
    "types": ["aws_emr_security_configuration"],
    "config_name": "name",
    "config_document": "configuration",
}

STAGES = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Arn:
    Type: String
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: orders}
  Other:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: other}
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, DeploymentId: d-1, StageName: prod}
  Literal:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: abc123, DeploymentId: d-1, StageName: live}
"""


def cfn_graph(text: str) -> Graph:
    return Graph(build(load_document(textwrap.dedent(text), "t.yaml"), "t.yaml"))


def tf_graph(tmp_path: Path, text: str) -> Graph:
    (tmp_path / "main.tf").write_text(textwrap.dedent(text), encoding="utf-8")
    template, errors = parse_terraform(str(tmp_path))
    assert errors == [] and template is not None
    return Graph(template)


def waf(graph: Graph, stage: str, args: dict = CFN_WAF):
    resource = graph.by_name[stage]
    return stage_associated_with_web_acl(Context(resource, graph), resource.properties, args)[0]


def association(arn: str, name: str = "Association") -> str:
    return f"""
  {name}:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: {arn}
      WebACLArn: arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/api/1
"""


def test_predicates_are_registered() -> None:
    assert PREDICATES["stage_associated_with_web_acl"] is _edge.stage_associated_with_web_acl
    assert PREDICATES["emr_security_configuration_has_kerberos"] is _edge.emr_security_configuration_has_kerberos


@pytest.mark.parametrize(
    "arn, prod, literal",
    [
        # a reference to the stage resource in a Sub
        ('!Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Prod}"', True, False),
        # the same API resource and the stage's literal name
        ('!Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod"', True, False),
        # another API resource, same name: not this stage; another name for the stage of a literal API
        ('!Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Other}/stages/prod"', False, False),
        ('!Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Other}/stages/live"', False, None),
        # a literal ARN naming the literal API and name
        ("arn:aws:apigateway:ap-northeast-1::/restapis/abc123/stages/live", False, True),
        ("arn:aws:apigateway:ap-northeast-1::/restapis/zzz999/stages/live", False, False),
        # a literal ARN of something else
        ("arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/web/1", False, False),
        # an unresolved parameter: may be any stage
        ("!Ref Arn", None, None),
        # a Sub whose stage name is a parameter: unknown
        ('!Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Arn}"', None, None),
    ],
)
def test_cloudformation_associations(arn: str, prod, literal) -> None:
    graph = cfn_graph(STAGES + association(arn))
    assert waf(graph, "Prod") is prod
    assert waf(graph, "Literal") is literal


def test_no_association_is_a_failure_and_another_stage_does_not_count() -> None:
    assert waf(cfn_graph(STAGES), "Prod") is False
    graph = cfn_graph(
        STAGES + association('!Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Literal}"')
    )
    assert waf(graph, "Prod") is False
    assert waf(graph, "Literal") is True


def test_a_stage_created_by_a_deployment() -> None:
    text = (
        STAGES
        + """
  Implicit:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api, StageName: implicit}
"""
    )
    graph = cfn_graph(text + association('!Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/implicit"'))
    assert waf(graph, "Implicit") is True
    assert waf(graph, "Prod") is False


def test_terraform_associations(tmp_path: Path) -> None:
    graph = tf_graph(
        tmp_path,
        """
        variable "arn" { type = string }
        resource "aws_api_gateway_rest_api" "api" { name = "api" }
        resource "aws_api_gateway_stage" "prod" {
          rest_api_id   = aws_api_gateway_rest_api.api.id
          deployment_id = "d-1"
          stage_name    = "prod"
        }
        resource "aws_api_gateway_stage" "test" {
          rest_api_id   = aws_api_gateway_rest_api.api.id
          deployment_id = "d-1"
          stage_name    = "test"
        }
        resource "aws_api_gateway_stage" "beta" {
          rest_api_id   = aws_api_gateway_rest_api.api.id
          deployment_id = "d-1"
          stage_name    = "beta"
        }
        resource "aws_wafv2_web_acl_association" "prod" {
          resource_arn = aws_api_gateway_stage.prod.arn
          web_acl_arn  = "arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/api/1"
        }
        resource "aws_wafv2_web_acl_association" "test" {
          resource_arn = "arn:aws:apigateway:ap-northeast-1::/restapis/${aws_api_gateway_rest_api.api.id}/stages/test"
          web_acl_arn  = "arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/api/1"
        }
        """,
    )
    assert waf(graph, "aws_api_gateway_stage.prod", TF_WAF) is True
    assert waf(graph, "aws_api_gateway_stage.test", TF_WAF) is True
    assert waf(graph, "aws_api_gateway_stage.beta", TF_WAF) is False


def test_terraform_association_from_a_variable_is_unknown(tmp_path: Path) -> None:
    graph = tf_graph(
        tmp_path,
        """
        variable "arn" { type = string }
        resource "aws_api_gateway_stage" "prod" {
          rest_api_id   = "abc123"
          deployment_id = "d-1"
          stage_name    = "prod"
        }
        resource "aws_wafv2_web_acl_association" "any" {
          resource_arn = var.arn
          web_acl_arn  = "arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/api/1"
        }
        """,
    )
    assert waf(graph, "aws_api_gateway_stage.prod", TF_WAF) is None


# -- EMR ------------------------------------------------------------------------------------
EMR = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Config:
    Type: String
Resources:
  Kerberos:
    Type: AWS::EMR::SecurityConfiguration
    Properties:
      Name: kerberos
      SecurityConfiguration:
        AuthenticationConfiguration:
          KerberosConfiguration: {Provider: ClusterDedicatedKdc}
  KerberosJson:
    Type: AWS::EMR::SecurityConfiguration
    Properties:
      Name: kerberos-json
      SecurityConfiguration: '{"AuthenticationConfiguration": {"KerberosConfiguration": {"Provider": "ClusterDedicatedKdc"}}}'
  Encryption:
    Type: AWS::EMR::SecurityConfiguration
    Properties:
      Name: encryption
      SecurityConfiguration:
        EncryptionConfiguration: {EnableAtRestEncryption: true, EnableInTransitEncryption: false}
  Broken:
    Type: AWS::EMR::SecurityConfiguration
    Properties:
      Name: broken
      SecurityConfiguration: '{not json'
  FromParameter:
    Type: AWS::EMR::SecurityConfiguration
    Properties:
      Name: from-parameter
      SecurityConfiguration: !Ref Config
"""


def emr(graph: Graph, security_configuration, args: dict = CFN_EMR):
    cluster_text = "" if security_configuration is None else f"SecurityConfiguration: {security_configuration}"
    text = (
        EMR
        + f"""
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: c
      JobFlowRole: r
      ServiceRole: r
      Instances: {{}}
      {cluster_text}
"""
    )
    graph = cfn_graph(text)
    cluster = graph.by_name["Cluster"]
    value = cluster.properties.get("SecurityConfiguration")
    return emr_security_configuration_has_kerberos(Context(cluster, graph), value, args)[0]


@pytest.mark.parametrize(
    "security_configuration, expected",
    [
        (None, False),  # nothing attached
        ("!Ref Kerberos", True),
        ("!Ref KerberosJson", True),  # a JSON string
        ("kerberos", True),  # by literal name
        ("kerberos-json", True),
        ("!Ref Encryption", False),
        ("encryption", False),
        ("!Ref Broken", None),  # malformed JSON: not decided
        ("!Ref FromParameter", None),  # the document is unknown
        ("declared-elsewhere", None),  # not in this template
        ("!Ref Config", None),  # the name is unknown
    ],
)
def test_emr_security_configurations(security_configuration, expected) -> None:
    assert emr(None, security_configuration) is expected


def test_emr_terraform_jsonencode_and_heredoc(tmp_path: Path) -> None:
    graph = tf_graph(
        tmp_path,
        """
        resource "aws_emr_security_configuration" "kerberos" {
          name = "kerberos"
          configuration = jsonencode({
            AuthenticationConfiguration = { KerberosConfiguration = { Provider = "ClusterDedicatedKdc" } }
          })
        }
        resource "aws_emr_security_configuration" "plain" {
          name          = "plain"
          configuration = <<EOF
        {"EncryptionConfiguration": {"EnableAtRestEncryption": false, "EnableInTransitEncryption": false}}
        EOF
        }
        resource "aws_emr_cluster" "a" {
          name                   = "a"
          release_label          = "emr-7.1.0"
          service_role           = "r"
          security_configuration = aws_emr_security_configuration.kerberos.name
        }
        resource "aws_emr_cluster" "b" {
          name                   = "b"
          release_label          = "emr-7.1.0"
          service_role           = "r"
          security_configuration = "plain"
        }
        resource "aws_emr_cluster" "c" {
          name          = "c"
          release_label = "emr-7.1.0"
          service_role  = "r"
        }
        """,
    )

    def verdict(name: str):
        cluster = graph.by_name[name]
        value = cluster.properties.get("security_configuration")
        return emr_security_configuration_has_kerberos(Context(cluster, graph), value, TF_EMR)[0]

    assert verdict("aws_emr_cluster.a") is True
    assert verdict("aws_emr_cluster.b") is False
    assert verdict("aws_emr_cluster.c") is False


# -- Japanese details ------------------------------------------------------------------


def test_details_in_english_and_japanese() -> None:
    def details(graph: Graph, stage: str) -> Text:
        resource = graph.by_name[stage]
        return Text.of(_edge.stage_associated_with_web_acl(Context(resource, graph), resource.properties, CFN_WAF)[1])

    assert details(cfn_graph(STAGES), "Prod") == Text(
        "no web ACL association names this stage", "このステージを指定しているウェブ ACL の関連付けがありません"
    )
    graph = cfn_graph(STAGES + association('!Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Prod}"'))
    assert details(graph, "Prod").ja == "Association によりウェブ ACL に関連付けられています"
    graph = cfn_graph(STAGES + association("!Ref Arn"))
    assert details(graph, "Prod") == Text(
        "Association may associate a web ACL with this stage (its resource ARN is unknown)",
        "Association がこのステージをウェブ ACL に関連付けている可能性があります (リソース ARN が不明です)",
    )

    def kerberos(security_configuration) -> Text:
        graph = cfn_graph(EMR + "  Cluster:\n    Type: AWS::EMR::Cluster\n    Properties: {Name: c}\n")
        cluster = graph.by_name["Cluster"]
        verdict = _edge.emr_security_configuration_has_kerberos(
            Context(cluster, graph), security_configuration, CFN_EMR
        )
        return Text.of(verdict[1])

    assert kerberos(None) == Text("no security configuration is attached", "セキュリティ設定がアタッチされていません")
    assert kerberos("kerberos").ja == "Kerberos は Kerberos を有効にしています"
    assert kerberos("encryption").ja == "Encryption に Kerberos 認証の設定がありません"
    assert (
        kerberos("declared-elsewhere").ja == "セキュリティ設定 declared-elsewhere はスキャン対象内で宣言されていません"
    )
