"""Predicates for edge and compute services: API Gateway stages and their WAF associations, EMR security configurations."""

from __future__ import annotations

import json
import re
from typing import Any

from ..graph import strip_indices
from ..model import Resource, Unknown
from . import Context, Verdict, predicate

# .../restapis/<api id>/stages/<stage name> in a stage ARN, literal or as written in a Sub / template string
_PART = r"((?:\$\{[^}]*\}|[^/\s\"'\]\}$])+)"
_STAGE_ARN = re.compile(rf"/restapis/{_PART}/stages/{_PART}")
_INTERPOLATION = re.compile(r"\$\{")


def _field(resource: Resource, name: str) -> Any:
    return resource.properties.get(name) if isinstance(resource.properties, dict) else None


def _mentions(ctx: Context, source: Resource, field: str) -> list[Resource]:
    """The resources ``source`` mentions at ``field`` (or below it)."""
    out = []
    for edge in ctx.graph.outgoing(source):
        path = strip_indices(edge.path)
        if path[:1] == (field,) and edge.target in ctx.graph.by_name:
            out.append(ctx.graph.by_name[edge.target])
    return out


def _stage_arn_matches(ctx: Context, stage: Resource, association: Resource, args: dict) -> bool | None:
    """Does the association's resource ARN name this stage? None when it cannot be told."""
    arn_field = args["association_arn"]
    stage_types = set(args.get("stage_types", [stage.type]))
    if association.properties.get(arn_field) is None:
        return False
    mentioned = _mentions(ctx, association, arn_field)
    if any(r is stage for r in mentioned):
        return True  # e.g. aws_api_gateway_stage.prod.arn, or ${Stage} in a Sub
    if any(r.type in stage_types for r in mentioned):
        return False  # it names another stage
    arn = association.properties[arn_field]
    text = arn if isinstance(arn, str) else arn.expr if isinstance(arn, Unknown) else None
    match = _STAGE_ARN.search(text) if text else None
    if match is None:
        if isinstance(arn, str):
            return False  # a literal ARN of something else (a load balancer, a user pool ...)
        return None
    api, name = match.group(1), match.group(2)
    stage_name = _field(stage, args["name_field"])
    if _INTERPOLATION.search(name) or not isinstance(stage_name, str):
        return None
    if name != stage_name:
        return False
    if not _INTERPOLATION.search(api):
        stage_api = _field(stage, args["api_field"])
        if isinstance(stage_api, str):
            return api == stage_api
        return None
    # the API is interpolated: the same RestApi resource on both sides, else unknown
    stage_apis = _mentions(ctx, stage, args["api_field"])
    if {r.name for r in stage_apis} & {r.name for r in mentioned}:
        return True
    if any(r.type in {a.type for a in stage_apis} for r in mentioned):
        return False  # it names another API of the template
    return None


@predicate
def stage_associated_with_web_acl(ctx: Context, value: Any, args: dict) -> Verdict:
    """Is this API Gateway stage the resource of a web ACL association (args: association ``types``, ``association_arn``)?

    An association names the stage through its resource ARN: by a reference to the stage
    resource (Terraform ``aws_api_gateway_stage.x.arn``, ``${Stage}`` in a Sub), or by an
    ARN ``.../restapis/<api>/stages/<name>`` whose stage name is this stage's literal name
    and whose API is this stage's API (the same literal id, or the same RestApi resource).
    ``name_field`` and ``api_field`` name the stage's name and API properties.
    """
    stage = ctx.resource
    unknown: list[str] = []
    for association in ctx.graph.of_type(args["types"]):
        verdict = _stage_arn_matches(ctx, stage, association, args)
        if verdict is True:
            return True, {
                "en": f"associated with a web ACL by {association.name}",
                "ja": f"{association.name} によりウェブ ACL に関連付けられています",
            }
        if verdict is None:
            unknown.append(association.name)
    if unknown:
        return None, {
            "en": f"{', '.join(unknown)} may associate a web ACL with this stage (its resource ARN is unknown)",
            "ja": f"{', '.join(unknown)} がこのステージをウェブ ACL に関連付けている可能性があります"
            " (リソース ARN が不明です)",
        }
    return False, {
        "en": "no web ACL association names this stage",
        "ja": "このステージを指定しているウェブ ACL の関連付けがありません",
    }


def _read_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return Unknown("malformed JSON")
    return value


def _has_kerberos(configuration: Any) -> bool | None:
    configuration = _read_json(configuration)
    if isinstance(configuration, Unknown):
        return None
    if not isinstance(configuration, dict):
        return False
    authentication = configuration.get("AuthenticationConfiguration")
    if isinstance(authentication, Unknown):
        return None
    if not isinstance(authentication, dict):
        return False
    kerberos = authentication.get("KerberosConfiguration")
    if isinstance(kerberos, Unknown):
        return None
    return isinstance(kerberos, dict) and bool(kerberos)


@predicate
def emr_security_configuration_has_kerberos(ctx: Context, value: Any, args: dict) -> Verdict:
    """Does the security configuration attached to this EMR cluster enable Kerberos authentication?

    ``value`` is the cluster's security configuration name (``path``, also given as ``via``). The configuration is
    found through a reference, or by its literal name (``config_name``) among ``types``; its
    document (``config_document``, an object or a JSON string) must hold
    ``AuthenticationConfiguration.KerberosConfiguration``. No configuration attached: False.
    A configuration that is not declared in the scan, or whose document is unknown: None.
    """
    if value is None:
        return False, {"en": "no security configuration is attached", "ja": "セキュリティ設定がアタッチされていません"}
    field = args["via"]
    candidates = [r for r in _mentions(ctx, ctx.resource, field) if r.type in args["types"]]
    if not candidates and isinstance(value, str):
        candidates = [r for r in ctx.graph.of_type(args["types"]) if _field(r, args["config_name"]) == value]
    if not candidates:
        shown = value if isinstance(value, str) else value.expr if isinstance(value, Unknown) else repr(value)
        return None, {
            "en": f"security configuration {shown} is not declared here",
            "ja": f"セキュリティ設定 {shown} はスキャン対象内で宣言されていません",
        }
    unknown = False
    for configuration in candidates:
        has = _has_kerberos(_field(configuration, args["config_document"]))
        if has is True:
            return True, {
                "en": f"{configuration.name} enables Kerberos",
                "ja": f"{configuration.name} は Kerberos を有効にしています",
            }
        unknown = unknown or has is None
    names = ", ".join(c.name for c in candidates)
    if unknown:
        return None, {"en": f"the document of {names} is unknown", "ja": f"{names} のドキュメントが不明です"}
    return False, {
        "en": f"{names} has no Kerberos authentication configuration",
        "ja": f"{names} に Kerberos 認証の設定がありません",
    }
