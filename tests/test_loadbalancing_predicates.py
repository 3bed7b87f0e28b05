"""Tests for fisc_iac_lint.predicates.loadbalancing: certificates, CLB SSL policies, ELBv2 attributes."""

from __future__ import annotations

import textwrap

import pytest
from verdicts import english as _english

from fisc_iac_lint.graph import Graph
from fisc_iac_lint.model import Mapping, Ref, Text, Unknown
from fisc_iac_lint.parsers import cloudformation, hcl, terraform
from fisc_iac_lint.predicates import PREDICATES, Context
from fisc_iac_lint.predicates import loadbalancing as _loadbalancing

certificate_from_acm = _english(_loadbalancing.certificate_from_acm)
clb_listener_security_policy_is = _english(_loadbalancing.clb_listener_security_policy_is)
lb_attribute_is = _english(_loadbalancing.lb_attribute_is)

WANTED = {"policy": "ELBSecurityPolicy-TLS-1-2-2017-01"}


def _cfn(text: str) -> Graph:
    doc = cloudformation.load_document(textwrap.dedent(text), "t.yaml")
    return Graph(cloudformation.build(doc, "t.yaml"))


def _tf(text: str) -> Graph:
    return Graph(terraform.build("m", {"main.tf": hcl.parse(textwrap.dedent(text))}))


def test_the_predicates_are_registered() -> None:
    for name in ("certificate_from_acm", "clb_listener_security_policy_is", "lb_attribute_is"):
        assert name in PREDICATES


# -- certificate_from_acm ----------------------------------------------------------------


@pytest.mark.parametrize(
    "arn, expected",
    [
        ("arn:aws:acm:ap-northeast-1:123456789012:certificate/0f0e", True),
        ("arn:aws-cn:acm:cn-north-1:123456789012:certificate/0f0e", True),
        ("arn:aws-us-gov:ACM:us-gov-west-1:123456789012:certificate/0f0e", True),
        ("arn:aws:iam::123456789012:server-certificate/legacy", False),
        ("arn:aws:acm-pca:ap-northeast-1:123456789012:certificate-authority/x/certificate/y", False),
        ("legacy", False),
        (None, False),
    ],
)
def test_literal_certificate_arns(arn, expected) -> None:
    assert certificate_from_acm(None, arn, {})[0] is expected


def test_an_unresolved_value_is_unknown_unless_its_text_names_the_service() -> None:
    assert certificate_from_acm(None, Unknown("var.certificate_arn"), {})[0] is None
    sub = Unknown('{"Fn::Sub":"arn:${AWS::Partition}:acm:${AWS::Region}:${AWS::AccountId}:certificate/0f0e"}')
    assert certificate_from_acm(None, sub, {})[0] is True
    iam = Unknown('"arn:aws:iam::${var.account}:server-certificate/legacy"')
    assert certificate_from_acm(None, iam, {})[0] is False


def test_references_decide_by_the_type_of_what_they_name() -> None:
    graph = _cfn(
        """
        Resources:
          Acm:
            Type: AWS::CertificateManager::Certificate
            Properties: {DomainName: www.example.com}
          Iam:
            Type: AWS::IAM::ServerCertificate
            Properties: {ServerCertificateName: legacy}
          Bucket:
            Type: AWS::S3::Bucket
        """
    )
    ctx = Context(graph.by_name["Acm"], graph)
    assert certificate_from_acm(ctx, Unknown("!Ref Acm", (Ref("Acm"),)), {})[0] is True
    assert certificate_from_acm(ctx, Unknown("!GetAtt Iam.Arn", (Ref("Iam", "Arn"),)), {})[0] is False
    assert certificate_from_acm(ctx, Unknown("!GetAtt Bucket.Arn", (Ref("Bucket", "Arn"),)), {})[0] is None


def test_terraform_data_sources_and_validations_are_acm() -> None:
    graph = _tf(
        """
        data "aws_acm_certificate" "api" {
          domain = "api.example.com"
        }
        resource "aws_acm_certificate" "www" {
          domain_name = "www.example.com"
        }
        resource "aws_acm_certificate_validation" "www" {
          certificate_arn = aws_acm_certificate.www.arn
        }
        data "aws_iam_server_certificate" "legacy" {
          name = "legacy"
        }
        resource "aws_lb_listener" "a" {
          certificate_arn = data.aws_acm_certificate.api.arn
        }
        resource "aws_lb_listener" "b" {
          certificate_arn = aws_acm_certificate_validation.www.certificate_arn
        }
        resource "aws_lb_listener" "c" {
          certificate_arn = data.aws_iam_server_certificate.legacy.arn
        }
        """
    )
    results = {}
    for name in ("a", "b", "c"):
        listener = graph.by_name[f"aws_lb_listener.{name}"]
        results[name] = certificate_from_acm(Context(listener, graph), listener.properties["certificate_arn"], {})[0]
    assert results == {"a": True, "b": True, "c": False}


# -- clb_listener_security_policy_is: CloudFormation ---------------------------------------

CFN_CLB = """
Parameters:
  Unset: {Type: String}
Resources:
  Lb:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      Policies:
        - PolicyName: proxy
          PolicyType: ProxyProtocolPolicyType
          Attributes: [{Name: ProxyProtocol, Value: "true"}]
          InstancePorts: ["80"]
        - PolicyName: tls12
          PolicyType: SSLNegotiationPolicyType
          Attributes: [{Name: Reference-Security-Policy, Value: ELBSecurityPolicy-TLS-1-2-2017-01}]
        - PolicyName: old
          PolicyType: SSLNegotiationPolicyType
          LoadBalancerPorts: ["8443"]
          Attributes:
            - Name: Reference-Security-Policy
              Value: ELBSecurityPolicy-2016-08
        - PolicyName: custom
          PolicyType: SSLNegotiationPolicyType
          Attributes: [{Name: Protocol-TLSv1.2, Value: "true"}]
        - PolicyName: unset
          PolicyType: SSLNegotiationPolicyType
          Attributes: [{Name: Reference-Security-Policy, Value: !Ref Unset}]
      Listeners:
        - {LoadBalancerPort: "443", Protocol: HTTPS, PolicyNames: [tls12]}
        - {LoadBalancerPort: "8443", Protocol: HTTPS}
        - {LoadBalancerPort: "9443", Protocol: SSL, PolicyNames: [custom]}
        - {LoadBalancerPort: "9444", Protocol: SSL}
        - {LoadBalancerPort: "9445", Protocol: SSL, PolicyNames: [ELBSecurityPolicy-TLS-1-2-2017-01]}
        - {LoadBalancerPort: "9446", Protocol: SSL, PolicyNames: [unset]}
        - {LoadBalancerPort: "9447", Protocol: SSL, PolicyNames: [!Ref Unset]}
"""


def _cfn_listeners() -> list:
    graph = _cfn(CFN_CLB)
    lb = graph.by_name["Lb"]
    ctx = Context(lb, graph)
    return [clb_listener_security_policy_is(ctx, listener, WANTED) for listener in lb.properties["Listeners"]]


def test_cloudformation_listener_policies() -> None:
    verdicts = _cfn_listeners()
    assert [v[0] for v in verdicts] == [True, False, False, False, True, None, None]
    assert "ELBSecurityPolicy-2016-08" in verdicts[1][1]
    assert verdicts[1][2] == 21  # the line of the Value that decided it
    assert "custom policy" in verdicts[2][1]
    assert "the default" in verdicts[3][1]


def test_the_default_policy_passes_when_it_is_the_one_asked_for() -> None:
    graph = _cfn(CFN_CLB)
    lb = graph.by_name["Lb"]
    listener = lb.properties["Listeners"][3]
    assert clb_listener_security_policy_is(Context(lb, graph), listener, {"policy": "ELBSecurityPolicy-2016-08"})[0]


# -- clb_listener_security_policy_is: Terraform ---------------------------------------------

TF_CLB = """
variable "lb" {
  type = string
}

variable "port" {
  type = number
}

resource "aws_elb" "web" {
  name = "web"
  listener {
    lb_port     = 443
    lb_protocol = "https"
  }
  listener {
    lb_port     = 8443
    lb_protocol = "ssl"
  }
  listener {
    lb_port     = 9443
    lb_protocol = "ssl"
  }
  listener {
    lb_port     = 9444
    lb_protocol = "ssl"
  }
}

resource "aws_load_balancer_policy" "tls12" {
  load_balancer_name = aws_elb.web.name
  policy_name        = "tls12"
  policy_type_name   = "SSLNegotiationPolicyType"
  policy_attribute {
    name  = "Reference-Security-Policy"
    value = "ELBSecurityPolicy-TLS-1-2-2017-01"
  }
}

resource "aws_load_balancer_policy" "backend" {
  load_balancer_name = aws_elb.web.name
  policy_name        = "proxy"
  policy_type_name   = "ProxyProtocolPolicyType"
  policy_attribute {
    name  = "ProxyProtocol"
    value = "true"
  }
}

resource "aws_load_balancer_listener_policy" "https" {
  load_balancer_name = aws_elb.web.name
  load_balancer_port = 443
  policy_names       = [aws_load_balancer_policy.backend.policy_name, aws_load_balancer_policy.tls12.policy_name]
}

resource "aws_lb_ssl_negotiation_policy" "custom" {
  name          = "custom"
  load_balancer = "web"
  lb_port       = 8443
  attribute {
    name  = "Protocol-TLSv1.2"
    value = "true"
  }
}

resource "aws_load_balancer_listener_policy" "maybe" {
  load_balancer_name = aws_elb.web.name
  load_balancer_port = var.port
  policy_names       = ["ELBSecurityPolicy-TLS-1-2-2017-01"]
}

resource "aws_elb" "other" {
  name = "other"
  listener {
    lb_port     = 443
    lb_protocol = "https"
  }
}

resource "aws_load_balancer_listener_policy" "somewhere" {
  load_balancer_name = var.lb
  load_balancer_port = 443
  policy_names       = ["ELBSecurityPolicy-TLS-1-2-2017-01"]
}
"""


def test_terraform_listener_policies() -> None:
    graph = _tf(TF_CLB)
    web = graph.by_name["aws_elb.web"]
    ctx = Context(web, graph)
    verdicts = [clb_listener_security_policy_is(ctx, listener, WANTED) for listener in web.properties["listener"]]
    # 443: tls12 through the listener policy (the proxy policy is not an SSL one); 8443: custom;
    # 9443 and 9444: a listener policy whose port is unknown may apply
    assert [v[0] for v in verdicts] == [True, False, None, None]
    other = graph.by_name["aws_elb.other"]
    verdict = clb_listener_security_policy_is(Context(other, graph), other.properties["listener"][0], WANTED)
    assert verdict[0] is None and "may apply" in verdict[1]


def test_terraform_listener_without_policy_uses_the_default() -> None:
    graph = _tf(
        """
        resource "aws_elb" "web" {
          name = "web"
          listener {
            lb_port     = 443
            lb_protocol = "https"
          }
        }
        """
    )
    web = graph.by_name["aws_elb.web"]
    verdict = clb_listener_security_policy_is(Context(web, graph), web.properties["listener"][0], WANTED)
    assert verdict[0] is False and "ELBSecurityPolicy-2016-08" in verdict[1]


# -- lb_attribute_is ------------------------------------------------------------------------


def _attributes(*items) -> Mapping:
    props = Mapping(line=1)
    props["LoadBalancerAttributes"] = list(items)
    return props


ARGS = {
    "attributes_field": "LoadBalancerAttributes",
    "key": "deletion_protection.enabled",
    "value": True,
    "default": False,
}


@pytest.mark.parametrize(
    "props, expected",
    [
        (_attributes({"Key": "deletion_protection.enabled", "Value": "true"}), True),
        (_attributes({"Key": "deletion_protection.enabled", "Value": True}), True),
        (_attributes({"Key": "deletion_protection.enabled", "Value": "TRUE"}), True),
        (_attributes({"Key": "deletion_protection.enabled", "Value": "false"}), False),
        (_attributes({"Key": "access_logs.s3.enabled", "Value": "true"}), False),
        (_attributes(), False),
        (Mapping(line=1), False),
        (_attributes({"Key": "deletion_protection.enabled", "Value": Unknown("!Ref P")}), None),
        (_attributes(Unknown("!If [c, x, y]")), None),
        (_attributes({"Key": Unknown("!Ref K"), "Value": "true"}), None),
        (_attributes(Unknown("!If [c, x, y]"), {"Key": "deletion_protection.enabled", "Value": "false"}), False),
    ],
)
def test_attribute_values_defaults_and_unknowns(props, expected) -> None:
    assert lb_attribute_is(None, props, ARGS)[0] is expected


def test_an_absent_attribute_takes_the_default() -> None:
    assert lb_attribute_is(None, _attributes(), {**ARGS, "default": True})[0] is True


def test_the_line_is_the_value_s() -> None:
    graph = _cfn(
        """
        Resources:
          Lb:
            Type: AWS::ElasticLoadBalancingV2::LoadBalancer
            Properties:
              LoadBalancerAttributes:
                - Key: deletion_protection.enabled
                  Value: "false"
        """
    )
    lb = graph.by_name["Lb"]
    assert lb_attribute_is(Context(lb, graph), lb.properties, ARGS)[:3:2] == (False, 8)


# -- listener_load_balancer_type_is ----------------------------------------------------------

LB_TYPE = {
    "via": "load_balancer_arn",
    "load_balancer_types": ["aws_lb", "aws_alb"],
    "type_field": "load_balancer_type",
    "default": "application",
    "type": "application",
}


def test_the_type_of_the_listener_s_load_balancer() -> None:
    graph = _tf(
        """
        variable "arn" {
          type = string
        }
        variable "kind" {
          type = string
        }
        resource "aws_alb" "web" {
          name = "web"
        }
        resource "aws_lb" "gwlb" {
          load_balancer_type = "gateway"
        }
        resource "aws_lb" "maybe" {
          load_balancer_type = var.kind
        }
        resource "aws_lb_listener" "web" {
          load_balancer_arn = aws_alb.web.arn
        }
        resource "aws_lb_listener" "gwlb" {
          load_balancer_arn = aws_lb.gwlb.arn
        }
        resource "aws_lb_listener" "maybe" {
          load_balancer_arn = aws_lb.maybe.arn
        }
        resource "aws_lb_listener" "elsewhere" {
          load_balancer_arn = var.arn
        }
        """
    )
    verdicts = {}
    for name in ("web", "gwlb", "maybe", "elsewhere"):
        listener = graph.by_name[f"aws_lb_listener.{name}"]
        verdicts[name] = PREDICATES["listener_load_balancer_type_is"](
            Context(listener, graph), listener.properties, LB_TYPE
        )[0]
    assert verdicts == {"web": True, "gwlb": False, "maybe": None, "elsewhere": None}


# -- Japanese details -------------------------------------------------------------------------


def _ja(verdict: tuple) -> str:
    return Text.of(verdict[1]).ja


def test_certificate_details_in_japanese() -> None:
    iam = "arn:aws:iam::123456789012:server-certificate/legacy"
    assert _ja(_loadbalancing.certificate_from_acm(None, iam, {})) == (
        f"証明書 {iam} は IAM サーバー証明書で、ACM 証明書ではありません"
    )
    assert _ja(_loadbalancing.certificate_from_acm(None, None, {})) == "証明書が設定されていません"
    assert _ja(_loadbalancing.certificate_from_acm(None, Unknown("var.cert"), {})) == "証明書が不明です: var.cert"


def test_clb_listener_details_in_japanese() -> None:
    graph = _cfn(CFN_CLB)
    lb = graph.by_name["Lb"]
    ctx = Context(lb, graph)
    listeners = lb.properties["Listeners"]
    ja = [_ja(_loadbalancing.clb_listener_security_policy_is(ctx, listener, WANTED)) for listener in listeners]
    assert ja[0] == "SSL ネゴシエーションポリシー 'tls12' は ELBSecurityPolicy-TLS-1-2-2017-01 を参照しています"
    assert ja[1] == (
        "SSL ネゴシエーションポリシー 'old' は ELBSecurityPolicy-2016-08 を参照しており、"
        "ELBSecurityPolicy-TLS-1-2-2017-01 ではありません"
    )
    assert ja[2] == (
        "SSL ネゴシエーションポリシー 'custom' はカスタムポリシー (Reference-Security-Policy なし) で、"
        "ELBSecurityPolicy-TLS-1-2-2017-01 ではありません"
    )
    assert ja[3].startswith(
        "デフォルトのポリシー (SSL ネゴシエーションポリシーの設定なし) は ELBSecurityPolicy-2016-08"
    )
    assert ja[6] == "リスナーの PolicyNames が不明です"


def test_lb_attribute_details_in_japanese() -> None:
    wrong = _attributes({"Key": "deletion_protection.enabled", "Value": "false"})
    assert _ja(_loadbalancing.lb_attribute_is(None, wrong, ARGS)) == (
        "deletion_protection.enabled は 'false' ですが、true である必要があります"
    )
    assert _ja(_loadbalancing.lb_attribute_is(None, _attributes(), ARGS)) == (
        "deletion_protection.enabled が設定されておらず (デフォルト false)、true である必要があります"
    )
