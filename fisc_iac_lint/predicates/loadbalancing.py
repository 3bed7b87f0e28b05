"""Load balancers: where a listener's certificate comes from, which SSL policy a listener uses."""

from __future__ import annotations

import re
from typing import Any, Iterator

from ..model import CLOUDFORMATION, Mapping, Resource, Text, Unknown, as_bool, as_number
from . import Context, Verdict, predicate

# Resources whose ARN is an ACM certificate's, and those whose ARN is not.
ACM_TYPES = {
    "AWS::CertificateManager::Certificate",
    "aws_acm_certificate",  # a resource, or the data source (issued or imported in ACM)
    "aws_acm_certificate_validation",  # certificate_arn of the validated ACM certificate
}
NOT_ACM_TYPES = {
    "AWS::IAM::ServerCertificate",
    "aws_iam_server_certificate",  # resource or data source
    "aws_acmpca_certificate",  # issued by a private CA, never imported into ACM
}
_ACM_ARN = re.compile(r"^arn:[a-z-]+:acm:", re.IGNORECASE)
_ACM_IN_TEXT = re.compile(r"arn:(?:[a-z-]+|\$\{[^}]*\}):acm:", re.IGNORECASE)
_IAM_IN_TEXT = re.compile(r":server-certificate/", re.IGNORECASE)

SSL_NEGOTIATION = "SSLNegotiationPolicyType"
REFERENCE = "Reference-Security-Policy"
PREDEFINED = re.compile(r"^ELBSecurityPolicy-")


@predicate
def certificate_from_acm(ctx: Context, value: Any, args: dict) -> Verdict:
    """Is ``value`` (a certificate ARN) the ARN of a certificate issued by or imported into ACM?

    A literal ARN decides by its service (``acm`` yes; ``iam`` server certificates or
    anything else no). A reference decides by the type of the resource or data source
    it names; a ``Fn::Sub`` / template string by the ARN written in it. Anything else
    (a parameter or variable without a default) is unknown.
    """
    if value is None:
        return False, {"en": "no certificate is set", "ja": "証明書が設定されていません"}
    if isinstance(value, Unknown):
        graph = ctx.graph if ctx is not None else None
        types = {graph.by_name[r.target].type for r in value.refs if graph is not None and r.target in graph.by_name}
        if types & NOT_ACM_TYPES:
            return False, {
                "en": f"the certificate {value.expr} is not an ACM certificate",
                "ja": f"証明書 {value.expr} は ACM 証明書ではありません",
            }
        if types & ACM_TYPES:
            return True, {
                "en": f"the certificate {value.expr} is an ACM certificate",
                "ja": f"証明書 {value.expr} は ACM 証明書です",
            }
        if _IAM_IN_TEXT.search(value.expr):
            return False, {
                "en": f"the certificate {value.expr} is an IAM server certificate",
                "ja": f"証明書 {value.expr} は IAM サーバー証明書です",
            }
        if _ACM_IN_TEXT.search(value.expr):
            return True, {
                "en": f"the certificate {value.expr} is an ACM certificate",
                "ja": f"証明書 {value.expr} は ACM 証明書です",
            }
        return None, {"en": f"the certificate is unknown: {value.expr}", "ja": f"証明書が不明です: {value.expr}"}
    if isinstance(value, str) and _ACM_ARN.search(value.strip()):
        return True, {"en": f"the certificate {value} is an ACM certificate", "ja": f"証明書 {value} は ACM 証明書です"}
    if isinstance(value, str) and _IAM_IN_TEXT.search(value):
        return False, {
            "en": f"the certificate {value} is an IAM server certificate, not an ACM certificate",
            "ja": f"証明書 {value} は IAM サーバー証明書で、ACM 証明書ではありません",
        }
    return False, {
        "en": f"the certificate {value!r} is not an ACM certificate ARN",
        "ja": f"証明書 {value!r} は ACM 証明書の ARN ではありません",
    }


# -- the SSL negotiation policy of a Classic Load Balancer listener ------------------------


def _same_port(a: Any, b: Any) -> bool | None:
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    na, nb = as_number(a), as_number(b)
    return na is not None and na == nb


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _reference(attributes: Any, name_key: str, value_key: str) -> tuple[Any, int | None]:
    """The Reference-Security-Policy of a policy's attributes: (value | Unknown | None, line)."""
    if isinstance(attributes, Unknown):
        return attributes, None
    for attribute in _as_list(attributes):
        if isinstance(attribute, Unknown):
            return attribute, None
        if not isinstance(attribute, dict):
            continue
        name = attribute.get(name_key)
        if isinstance(name, Unknown):
            return name, None
        if name == REFERENCE:
            line = attribute.line_of(value_key) if isinstance(attribute, Mapping) else None
            return attribute.get(value_key), line
    return None, None


_DEFAULT_HOW = Text(
    "no SSL negotiation policy (the default)", "デフォルトのポリシー (SSL ネゴシエーションポリシーの設定なし)"
)


class _Undecided(Exception):
    """Why the policy of a listener cannot be decided, in English and Japanese."""

    def __init__(self, en: str, ja: str) -> None:
        super().__init__(en)
        self.text = Text(en, ja)


def _cfn_policy(ctx: Context, listener: dict) -> tuple[Text, Any, int | None]:
    """(how, reference policy or None for a custom policy, line) of a CloudFormation CLB listener."""
    port = listener.get("LoadBalancerPort")
    names = _as_list(listener.get("PolicyNames"))
    if isinstance(listener.get("PolicyNames"), Unknown) or any(isinstance(n, Unknown) for n in names):
        raise _Undecided("the listener's PolicyNames are unknown", "リスナーの PolicyNames が不明です")
    policies = ctx.resource.properties.get("Policies")
    if isinstance(policies, Unknown):
        raise _Undecided(f"Policies are unknown: {policies.expr}", f"Policies が不明です: {policies.expr}")
    defined: set[str] = set()
    for policy in _as_list(policies):
        if not isinstance(policy, dict):
            raise _Undecided("a policy is unknown", "ポリシーが不明です")
        name = policy.get("PolicyName")
        if isinstance(name, str):
            defined.add(name)
        kind = policy.get("PolicyType")
        if isinstance(kind, Unknown) or isinstance(name, Unknown):
            raise _Undecided("a policy's name or type is unknown", "ポリシーの名前またはタイプが不明です")
        if kind != SSL_NEGOTIATION:
            continue
        ports = _as_list(policy.get("LoadBalancerPorts"))
        on_port = [_same_port(p, port) for p in ports]
        if name in names or True in on_port:
            value, line = _reference(policy.get("Attributes"), "Name", "Value")
            return Text(f"SSL negotiation policy {name!r}", f"SSL ネゴシエーションポリシー {name!r}"), value, line
        if None in on_port:
            raise _Undecided(
                "a policy's LoadBalancerPorts or the listener's port is unknown",
                "ポリシーの LoadBalancerPorts またはリスナーのポートが不明です",
            )
    for name in names:
        if isinstance(name, str) and name not in defined and PREDEFINED.search(name):
            line = listener.line_of("PolicyNames") if isinstance(listener, Mapping) else None
            return (
                Text("the predefined policy named in PolicyNames", "PolicyNames で指定された定義済みポリシー"),
                name,
                line,
            )
    return _DEFAULT_HOW, "", None


def _connected(ctx: Context, types: list[str], via: str) -> list[tuple[Any, bool]]:
    """Resources of ``types`` whose ``via`` names this load balancer: (resource, certain)."""
    names = [ctx.resource.properties.get("name")]
    out = []
    for other in ctx.graph.of_type(types):
        if other.kind == "data":
            continue
        value = other.properties.get(via)
        if ctx.graph.refers(other, ctx.resource, (via,)) or isinstance(value, str) and value in names:
            out.append((other, True))
        elif isinstance(value, Unknown) and not value.refs:
            out.append((other, False))
    return out


def _tf_policy(ctx: Context, listener: dict) -> tuple[Text, Any, int | None]:
    """(how, reference policy or None for a custom policy, line) of a Terraform aws_elb listener."""
    port = listener.get("lb_port")
    undecided: list[Text] = []  # why it may not be decided; the last one is reported
    # aws_lb_ssl_negotiation_policy: a custom policy set on one listener port.
    for other in _on_port(ctx, "aws_lb_ssl_negotiation_policy", "load_balancer", "lb_port", port, undecided):
        value, _ = _reference(other.properties.get("attribute"), "name", "value")
        return Text(other.name, other.name), value, None
    # aws_load_balancer_listener_policy: policies of aws_load_balancer_policy set on a port.
    listener_policies = _on_port(
        ctx, "aws_load_balancer_listener_policy", "load_balancer_name", "load_balancer_port", port, undecided
    )
    for other in listener_policies:
        names = other.properties.get("policy_names")
        if isinstance(names, Unknown):
            undecided.append(
                Text(f"the policy_names of {other.name} are unknown", f"{other.name} の policy_names が不明です")
            )
            continue
        for item in _as_list(names):
            policies = []
            if isinstance(item, Unknown):
                policies = [
                    ctx.graph.by_name[r.target]
                    for r in item.refs
                    if r.target in ctx.graph.by_name and ctx.graph.by_name[r.target].type == "aws_load_balancer_policy"
                ]
                if not policies:
                    undecided.append(
                        Text(
                            f"a policy name of {other.name} is unknown: {item.expr}",
                            f"{other.name} のポリシー名が不明です: {item.expr}",
                        )
                    )
                    continue
            elif isinstance(item, str):
                policies = [
                    p
                    for p in ctx.graph.of_type(["aws_load_balancer_policy"])
                    if p.properties.get("policy_name") == item
                ]
                if not policies:
                    if PREDEFINED.search(item):
                        return Text(f"{other.name} (predefined policy)", f"{other.name} (定義済みポリシー)"), item, None
                    continue
            for policy in policies:
                kind = policy.properties.get("policy_type_name")
                if isinstance(kind, Unknown):
                    undecided.append(Text(f"the type of {policy.name} is unknown", f"{policy.name} のタイプが不明です"))
                    continue
                if kind != SSL_NEGOTIATION:
                    continue
                value, _ = _reference(policy.properties.get("policy_attribute"), "name", "value")
                return Text(policy.name, policy.name), value, None
    if undecided:
        raise _Undecided(undecided[-1].en, undecided[-1].ja)
    return _DEFAULT_HOW, "", None


def _on_port(ctx: Context, rtype: str, via: str, port_key: str, port: Any, undecided: list[Text]) -> Iterator[Resource]:
    """The ``rtype`` resources connected through ``via`` that are set on this listener's port;
    one that may be is noted in ``undecided``."""
    for other, certain in _connected(ctx, [rtype], via):
        same = _same_port(other.properties.get(port_key), port)
        if same is False:
            continue
        if same is None or not certain:
            undecided.append(
                Text(
                    f"{other.name} may apply to this listener",
                    f"{other.name} がこのリスナーに適用される可能性があります",
                )
            )
            continue
        yield other


@predicate
def clb_listener_security_policy_is(ctx: Context, listener: Any, args: dict) -> Verdict:
    """Does this Classic Load Balancer listener negotiate SSL with the predefined policy ``args['policy']``?

    CloudFormation: the SSLNegotiationPolicyType policy among the load balancer's
    ``Policies`` that the listener names in ``PolicyNames`` or whose
    ``LoadBalancerPorts`` hold its port, or a predefined ``ELBSecurityPolicy-*`` named
    directly. Terraform: an ``aws_lb_ssl_negotiation_policy`` on the listener's port, or
    an ``aws_load_balancer_listener_policy`` on its port naming an
    ``aws_load_balancer_policy`` of type SSLNegotiationPolicyType. The predefined policy
    is the policy's ``Reference-Security-Policy`` attribute: a policy without it is a
    custom one. A listener without a policy uses ``args['default']`` (AWS:
    ELBSecurityPolicy-2016-08).
    """
    if isinstance(listener, Unknown):
        return None, {"en": f"the listener is unknown: {listener.expr}", "ja": f"リスナーが不明です: {listener.expr}"}
    if not isinstance(listener, dict):
        return None, {"en": "the listener is unknown", "ja": "リスナーが不明です"}
    wanted = args["policy"]
    try:
        if ctx.resource.format == CLOUDFORMATION:
            how, value, line = _cfn_policy(ctx, listener)
        else:
            how, value, line = _tf_policy(ctx, listener)
    except _Undecided as undecided:
        return None, {"en": undecided.text.en, "ja": undecided.text.ja}
    if value == "":
        value = args.get("default", "ELBSecurityPolicy-2016-08")
    if isinstance(value, Unknown):
        return None, {
            "en": f"the Reference-Security-Policy of {how.en} is unknown: {value.expr}",
            "ja": f"{how.ja} の Reference-Security-Policy が不明です: {value.expr}",
        }
    if value is None:
        detail = {
            "en": f"{how.en} is a custom policy (no {REFERENCE}), not {wanted}",
            "ja": f"{how.ja} はカスタムポリシー ({REFERENCE} なし) で、{wanted} ではありません",
        }
        return False, detail, line
    if value == wanted:
        return True, {"en": f"{how.en} references {value}", "ja": f"{how.ja} は {value} を参照しています"}, line
    detail = {
        "en": f"{how.en} references {value}, not {wanted}",
        "ja": f"{how.ja} は {value} を参照しており、{wanted} ではありません",
    }
    return False, detail, line


# -- ELBv2 load balancer attributes (a list of Key/Value pairs) -------------------------------


def _matches(value: Any, expected: Any) -> bool:
    if isinstance(expected, bool):
        return as_bool(value) is expected
    return str(value).strip().lower() == str(expected).strip().lower()


@predicate
def lb_attribute_is(ctx: Context, properties: Any, args: dict) -> Verdict:
    """Does the load balancer attribute ``args['key']`` have the value ``args['value']``?

    ``args``: ``attributes_field`` (the Key/Value list, LoadBalancerAttributes), ``key``,
    ``value`` (a bool compares however written: "true" is true), ``default`` (what an
    absent attribute means: AWS's default). The line is the Value's when it is set.
    """
    key, expected = args["key"], args["value"]
    if isinstance(properties, Unknown):
        return None, {
            "en": f"the load balancer is unknown: {properties.expr}",
            "ja": f"ロードバランサーが不明です: {properties.expr}",
        }
    attributes = properties.get(args["attributes_field"]) if isinstance(properties, dict) else None
    if isinstance(attributes, Unknown):
        field = args["attributes_field"]
        return None, {"en": f"{field} is unknown: {attributes.expr}", "ja": f"{field} が不明です: {attributes.expr}"}
    undecided: dict | None = None
    for item in _as_list(attributes):
        if isinstance(item, Unknown) or not isinstance(item, dict):
            field = args["attributes_field"]
            undecided = {"en": f"an item of {field} is unknown", "ja": f"{field} の項目が不明です"}
            continue
        name = item.get("Key")
        if isinstance(name, Unknown):
            undecided = {"en": f"an attribute key is unknown: {name.expr}", "ja": f"属性のキーが不明です: {name.expr}"}
            continue
        if name != key:
            continue
        if "Value" not in item:
            continue
        value = item["Value"]
        line = item.line_of("Value") if isinstance(item, Mapping) else None
        if isinstance(value, Unknown):
            return None, {"en": f"{key} is unknown: {value.expr}", "ja": f"{key} が不明です: {value.expr}"}, line
        shown = f"{key} is {value!r}"
        if _matches(value, expected):
            return True, {"en": shown, "ja": f"{key} は {value!r} です"}, line
        detail = {
            "en": f"{shown}; expected {str(expected).lower()}",
            "ja": f"{key} は {value!r} ですが、{str(expected).lower()} である必要があります",
        }
        return False, detail, line
    if undecided:
        return None, undecided
    default = args.get("default")
    shown = f"{key} is not set (default {str(default).lower()})"
    if default is not None and _matches(default, expected):
        return True, {"en": shown, "ja": f"{key} が設定されていません (デフォルト {str(default).lower()})"}
    return False, {
        "en": f"{shown}; expected {str(expected).lower()}",
        "ja": f"{key} が設定されておらず (デフォルト {str(default).lower()})、{str(expected).lower()} である必要があります",
    }


# -- the load balancer a listener belongs to ----------------------------------------------------


@predicate
def listener_load_balancer_type_is(ctx: Context, value: Any, args: dict) -> Verdict:
    """Is the load balancer this listener refers to (at ``args['via']``) of type ``args['type']``?

    ``args``: ``via`` (the listener's reference, load_balancer_arn), ``load_balancer_types``
    (resource types of load balancers), ``type_field`` and ``default`` (the load
    balancer's type and what its absence means). Unknown when the load balancer is not
    in the template or module, or its type is unresolved.
    """
    wanted = args["type"]
    targets = ctx.graph.targets(ctx.resource, (args["via"],), args["load_balancer_types"])
    if not targets:
        return None, {
            "en": f"the load balancer of {ctx.resource.name} is not in this module",
            "ja": f"{ctx.resource.name} のロードバランサーはこのモジュールにありません",
        }
    undecided: dict | None = None
    for lb in targets:
        kind = lb.properties.get(args["type_field"], args.get("default"))
        if isinstance(kind, Unknown):
            undecided = {
                "en": f"the type of {lb.name} is unknown: {kind.expr}",
                "ja": f"{lb.name} のタイプが不明です: {kind.expr}",
            }
            continue
        if str(kind).lower() == str(wanted).lower():
            return True, {"en": f"{lb.name} is of type {kind}", "ja": f"{lb.name} のタイプは {kind} です"}
    if undecided:
        return None, undecided
    return False, {
        "en": f"{targets[0].name} is not of type {wanted}",
        "ja": f"{targets[0].name} のタイプは {wanted} ではありません",
    }
