"""Predicates for logging, monitoring and keys: trails, alarms, key references.

CloudTrail event selectors are read in both formats: CloudFormation
(``EventSelectors``, ``AdvancedEventSelectors``) and Terraform (``event_selector``,
``advanced_event_selector`` blocks); the format of the resource picks the keys.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import CLOUDFORMATION, Mapping, Unknown, as_bool
from ..tristate import all3, any3
from . import Context, Verdict, predicate

# -- is a value (a key, a log group ARN) set? ------------------------------------------------

_BARE_PARAMETER = re.compile(r'^(!Ref\s+\S+|\{"Ref":\s*"[^"]+"\}|(var|local)\.[\w.\-\[\]"]+)$')
_CFN_SUB = re.compile(r'^\{"Fn::Sub":\s*(.*)\}$', re.DOTALL)
_INTERPOLATION = re.compile(r"\$\{[^}]*\}")


def _line(node: Any, key: Any) -> int | None:
    """The line of ``key`` in ``node``; None when absent (the engine then uses the resource's line)."""
    return node.line_of(key) if isinstance(node, Mapping) and key in node else None


def value_is_set(value: Any) -> tuple[bool | None, str]:
    """Whether a scalar property holds a non-empty value: True, False or None (unknown).

    A reference to a resource (``!Ref Key``, ``aws_kms_key.k.arn``) is set. A bare
    parameter, variable or local left unresolved may be the empty string that templates
    use for "none", so it is unknown; so is a value a condition may remove. A string
    built around literal text (``!Sub "arn:...:${AWS::AccountId}:..."``) and another
    stack's export (``!ImportValue``, as ``exists`` would count it) are set; other
    functions (``!FindInMap``, ``!Select``) are unknown.

    The detail is English, to follow a label (``"KmsKeyId " + detail``);
    :func:`value_is_set_text` gives it in both languages.
    """
    ok, en, _ja = _value_state(value)
    return ok, en


def value_is_set_text(value: Any) -> tuple[bool | None, dict[str, str]]:
    """:func:`value_is_set` with a bilingual detail {"en", "ja"}, each to follow a label.

    The Japanese starts with its particle (``"が設定されていません"``, ``"は 'x' です"``):
    ``f"{label} {ja}"`` reads "KmsKeyId が設定されていません".
    """
    ok, en, ja = _value_state(value)
    return ok, {"en": en, "ja": ja}


def _value_state(value: Any) -> tuple[bool | None, str, str]:
    """(verdict, English detail, Japanese detail) of :func:`value_is_set`."""
    if value is None:
        return False, "is not set", "が設定されていません"
    if isinstance(value, Unknown):
        if value.maybe_absent:
            return None, f"may or may not be set ({value.expr})", f"が設定されているかどうかは不明です ({value.expr})"
        if value.refs:
            return True, f"is {value.expr}", f"は {value.expr} です"
        expr = value.expr.strip()
        if expr.startswith(('{"Fn::ImportValue"', "!ImportValue")):
            return True, f"is {expr}", f"は {expr} です"  # another stack's export, taken to name the resource
        if _BARE_PARAMETER.match(expr):
            return None, f"is unresolved ({expr})", f"は未解決です ({expr})"
        sub = _CFN_SUB.match(expr)
        literal = sub.group(1) if sub else (expr if expr.startswith('"') else "")
        if _INTERPOLATION.sub("", literal).strip('"[], '):
            return True, f"is {expr}", f"は {expr} です"
        return None, f"is unresolved ({expr})", f"は未解決です ({expr})"
    if isinstance(value, str):
        if value.strip():
            return True, f"is {value!r}", f"は {value!r} です"
        return False, "is empty", "が空です"
    if isinstance(value, (list, dict)):
        return (True, "is set", "が設定されています") if value else (False, "is empty", "が空です")
    return True, f"is {value!r}", f"は {value!r} です"


_LABELS_JA = {"the value": "値", "the KMS key": "KMS キー", "the setting": "設定"}
_THE_REPLICAS = "the replica's "


def label_ja(label: str, args: dict | None = None) -> str:
    """The Japanese for a label of a detail: ``args.label_ja`` when given, else translated.

    Labels are property names (kept as they are), a few English defaults, and
    "the replica's <property>" (レプリカの <property>).
    """
    if args and args.get("label_ja"):
        return str(args["label_ja"])
    if label in _LABELS_JA:
        return _LABELS_JA[label]
    if label.startswith(_THE_REPLICAS):
        return f"レプリカの {label[len(_THE_REPLICAS) :]}"
    if label.startswith("the "):
        return label[4:]
    return label


def with_label_ja(label: str, detail: str) -> str:
    """A Japanese detail of :func:`value_is_set_text` after its label: a space after Latin text only."""
    return f"{label} {detail}" if label[-1:].isascii() else f"{label}{detail}"


@predicate
def set_not_empty(ctx: Context, value: Any, args: dict) -> Verdict:
    """The value at ``path`` is set and not empty (``args.label`` names it in the detail)."""
    label = args.get("label", "the value")
    ok, detail = value_is_set_text(value)
    return ok, {"en": f"{label} {detail['en']}", "ja": with_label_ja(label_ja(label, args), detail["ja"])}


def _aws_managed(value: Any, alias: str) -> bool:
    return isinstance(value, str) and (value == alias or value.endswith(f":{alias}"))


@predicate
def customer_managed_key(ctx: Context, value: Any, args: dict) -> Verdict:
    """A KMS key is set and is not the AWS managed key ``args.aws_managed_alias`` (e.g. alias/aws/secretsmanager).

    The AWS managed key is recognised by its alias, written literally or resolved
    through a Terraform ``aws_kms_alias`` / ``aws_kms_key`` data source that names it.
    """
    label = args.get("label", "the KMS key")
    ja_label = label_ja(label, args)
    alias = args["aws_managed_alias"]
    ok, detail = value_is_set_text(value)
    en, ja = f"{label} {detail['en']}", with_label_ja(ja_label, detail["ja"])
    if ok is False:
        return ok, {
            "en": f"{en} (the AWS managed key {alias} is used)",
            "ja": f"{ja} (AWS マネージドキー {alias} が使用されます)",
        }
    if ok is None:
        return ok, {"en": en, "ja": ja}
    if _aws_managed(value, alias):
        return False, {
            "en": f"{label} is the AWS managed key {value!r}",
            "ja": f"{with_label_ja(ja_label, 'は')} AWS マネージドキー {value!r} です",
        }
    if isinstance(value, Unknown):
        for ref in value.refs:
            source = ctx.graph.by_name.get(ref.target)
            if source is None or source.type not in ("aws_kms_alias", "aws_kms_key") or source.kind != "data":
                continue
            name = source.properties.get("name" if source.type == "aws_kms_alias" else "key_id")
            if _aws_managed(name, alias):
                return False, {
                    "en": f"{label} is the AWS managed key {name!r} (through {source.name})",
                    "ja": f"{with_label_ja(ja_label, 'は')} AWS マネージドキー {name!r} です ({source.name} 経由)",
                }
    return True, {"en": en, "ja": ja}


@predicate
def resource_defined(ctx: Context, value: Any, args: dict) -> Verdict:
    """Always true: for account rules satisfied by the mere presence of a resource (Security Hub)."""
    return True, {"en": f"{ctx.resource.type} is defined", "ja": f"{ctx.resource.type} が定義されています"}


# -- CloudTrail event selectors ----------------------------------------------------------------

_KEYS = {
    CLOUDFORMATION: {
        "selectors": "EventSelectors",
        "advanced": "AdvancedEventSelectors",
        "include": "IncludeManagementEvents",
        "read_write": "ReadWriteType",
        "exclude": "ExcludeManagementEventSources",
        "data": "DataResources",
        "data_type": "Type",
        "data_values": "Values",
        "fields": "FieldSelectors",
        "field": "Field",
        "equals": "Equals",
        "not_equals": "NotEquals",
        "starts_with": "StartsWith",
        "not_starts_with": "NotStartsWith",
        "ends_with": "EndsWith",
        "not_ends_with": "NotEndsWith",
    },
    "terraform": {
        "selectors": "event_selector",
        "advanced": "advanced_event_selector",
        "include": "include_management_events",
        "read_write": "read_write_type",
        "exclude": "exclude_management_event_sources",
        "data": "data_resource",
        "data_type": "type",
        "data_values": "values",
        "fields": "field_selector",
        "field": "field",
        "equals": "equals",
        "not_equals": "not_equals",
        "starts_with": "starts_with",
        "not_starts_with": "not_starts_with",
        "ends_with": "ends_with",
        "not_ends_with": "not_ends_with",
    },
}
_OPERATORS = ("equals", "not_equals", "starts_with", "not_starts_with", "ends_with", "not_ends_with")


class _Undecided(Exception):
    """A selector, or a part of it, is unknown."""


def _items(value: Any) -> list:
    """A list property as a list of items ([] when absent); unknown raises."""
    if value is None:
        return []
    if isinstance(value, Unknown):
        raise _Undecided(value.expr)
    return value if isinstance(value, list) else [value]


def _strings(value: Any) -> list[str]:
    out = []
    for item in _items(value):
        if isinstance(item, Unknown):
            raise _Undecided(item.expr)
        out.append(str(item).lower() if isinstance(item, bool) else str(item))
    return out


def _field_selectors(selector: Any, k: dict) -> dict[str, dict[str, list[str]]]:
    """An advanced event selector as {field: {operator: values}}."""
    if isinstance(selector, Unknown):
        raise _Undecided(selector.expr)
    fields: dict[str, dict[str, list[str]]] = {}
    if not isinstance(selector, dict):
        return fields  # not a selector at all (an invalid template): it selects nothing
    for item in _items(selector.get(k["fields"])):
        if isinstance(item, Unknown) or (isinstance(item, dict) and isinstance(item.get(k["field"]), Unknown)):
            raise _Undecided(getattr(item, "expr", "field selector"))
        if not isinstance(item, dict):
            continue
        ops = fields.setdefault(str(item.get(k["field"])), {})
        for op in _OPERATORS:
            if k[op] in item:
                ops.setdefault(op, []).extend(_strings(item[k[op]]))
    return fields


@predicate
def trail_records_management_events(ctx: Context, value: Any, args: dict) -> Verdict:
    """The trail records management events without excluded event sources.

    ``args.read_write_all``: both read and write management events must be recorded
    (by one selector with ReadWriteType All, or by selectors that together cover both).
    A trail without event selectors records all management events (CloudTrail's default).
    """
    k = _KEYS[ctx.resource.format]
    props = value
    need_both = bool(as_bool(args.get("read_write_all", False)))
    read = write = False
    unknown = ""
    try:
        basic = _items(props.get(k["selectors"]))
        advanced = _items(props.get(k["advanced"]))
    except _Undecided as exc:
        return None, {"en": f"the event selectors are unknown ({exc})", "ja": f"イベントセレクターが不明です ({exc})"}
    if not basic and not advanced:
        return True, {
            "en": "no event selectors: all management events are recorded",
            "ja": "イベントセレクターがありません: すべての管理イベントが記録されます",
        }
    for index, selector in enumerate(advanced):
        try:
            fields = _field_selectors(selector, k)
            if "Management" not in fields.get("eventCategory", {}).get("equals", []):
                continue
            line = advanced.line_of(index) if hasattr(advanced, "line_of") else None
            if "eventSource" in fields:
                return (
                    False,
                    {
                        "en": "an advanced event selector limits the management event sources it records",
                        "ja": "高度なイベントセレクターが、記録する管理イベントのイベントソースを限定しています",
                    },
                    line,
                )
            read_only = fields.get("readOnly", {}).get("equals", [])
            read = read or "false" not in read_only
            write = write or "true" not in read_only
        except _Undecided as exc:
            unknown = unknown or str(exc)
    for index, selector in enumerate(basic):
        try:
            if isinstance(selector, Unknown):
                raise _Undecided(selector.expr)
            if not isinstance(selector, dict):
                continue
            include = selector.get(k["include"], True)
            if isinstance(include, Unknown):
                raise _Undecided(include.expr)
            if as_bool(include) is False:
                continue
            excluded = _items(selector.get(k["exclude"]))
            if excluded:
                return (
                    False,
                    {
                        "en": f"{k['exclude']} excludes management events",
                        "ja": f"{k['exclude']} により管理イベントが除外されています",
                    },
                    _line(selector, k["exclude"]),
                )
            kind = selector.get(k["read_write"], "All")
            if isinstance(kind, Unknown):
                raise _Undecided(kind.expr)
            read = read or kind in ("All", "ReadOnly")
            write = write or kind in ("All", "WriteOnly")
        except _Undecided as exc:
            unknown = unknown or str(exc)
    ok = (read and write) if need_both else (read or write)
    if ok:
        return True, {"en": "management events are recorded", "ja": "管理イベントが記録されます"}
    if unknown:
        return None, {
            "en": f"an event selector is unknown ({unknown})",
            "ja": f"イベントセレクターが不明です ({unknown})",
        }
    line = _line(props, k["advanced"] if advanced else k["selectors"])
    if read or write:
        return (
            False,
            {
                "en": f"only {'read' if read else 'write'} management events are recorded",
                "ja": f"管理イベントのうち{'読み取り' if read else '書き込み'}イベントのみが記録されます",
            },
            line,
        )
    return (
        False,
        {
            "en": "no event selector records management events",
            "ja": "管理イベントを記録するイベントセレクターがありません",
        },
        line,
    )


_ALL_BUCKETS = re.compile(r"^arn:[a-z-]+:s3(:::)?$")
_BUCKET = re.compile(r"^arn:[a-z-]+:s3:::([^/]+)")


@predicate
def trail_logs_s3_data_events(ctx: Context, value: Any, args: dict) -> Verdict:
    """The trail logs S3 object data events for all buckets (or for every bucket of ``args.bucket_names``)."""
    k = _KEYS[ctx.resource.format]
    props = value
    names = args.get("bucket_names") or []
    wanted = [names] if isinstance(names, str) else [str(b) for b in names]
    every_bucket = False
    covered: set[str] = set()
    unknown = ""
    try:
        basic = _items(props.get(k["selectors"]))
        advanced = _items(props.get(k["advanced"]))
    except _Undecided as exc:
        return None, {"en": f"the event selectors are unknown ({exc})", "ja": f"イベントセレクターが不明です ({exc})"}
    for selector in basic:
        try:
            if isinstance(selector, Unknown):
                raise _Undecided(selector.expr)
            if not isinstance(selector, dict):
                continue
            for resource in _items(selector.get(k["data"])):
                if isinstance(resource, Unknown):
                    raise _Undecided(resource.expr)
                if not isinstance(resource, dict):
                    continue
                kind = resource.get(k["data_type"])
                if isinstance(kind, Unknown):
                    raise _Undecided(kind.expr)
                if kind != "AWS::S3::Object":
                    continue
                for arn in _strings(resource.get(k["data_values"])):
                    if _ALL_BUCKETS.match(arn):
                        every_bucket = True
                    elif match := _BUCKET.match(arn):
                        covered.add(match.group(1))
        except _Undecided as exc:
            unknown = unknown or str(exc)
    for selector in advanced:
        try:
            fields = _field_selectors(selector, k)
            if "Data" not in fields.get("eventCategory", {}).get("equals", []):
                continue
            if "AWS::S3::Object" not in fields.get("resources.type", {}).get("equals", []):
                continue
            arns = fields.get("resources.ARN")
            if not arns:
                every_bucket = True
                continue
            if set(arns) - {"starts_with", "equals"}:
                continue  # exclusions: not every bucket, and which are left is not worked out
            for arn in arns.get("starts_with", []):
                if _ALL_BUCKETS.match(arn):
                    every_bucket = True
                elif match := _BUCKET.match(arn):
                    covered.add(match.group(1))
        except _Undecided as exc:
            unknown = unknown or str(exc)
    if every_bucket:
        return True, {
            "en": "S3 data events are logged for all buckets",
            "ja": "すべてのバケットの S3 データイベントがログに記録されます",
        }
    missing = [b for b in wanted if b not in covered] if wanted else ["all buckets"]
    if not missing:
        return True, {
            "en": "S3 data events are logged for " + ", ".join(wanted),
            "ja": f"バケット {', '.join(wanted)} の S3 データイベントがログに記録されます",
        }
    if unknown:
        return None, {
            "en": f"an event selector is unknown ({unknown})",
            "ja": f"イベントセレクターが不明です ({unknown})",
        }
    line = _line(props, k["advanced"] if advanced else k["selectors"]) if (advanced or basic) else None
    missing_ja = f"バケット {', '.join(missing)} の" if wanted else "すべてのバケットの"
    return (
        False,
        {
            "en": "S3 data events are not logged for " + ", ".join(missing),
            "ja": f"{missing_ja} S3 データイベントがログに記録されていません",
        },
        line,
    )


# -- CloudWatch alarms -------------------------------------------------------------------------


@predicate
def alarm_actions_configured(ctx: Context, value: Any, args: dict) -> Verdict:
    """The alarm has an action for each state whose action is required.

    Args: ``alarm`` / ``insufficient_data`` / ``ok`` (required or not, the managed
    rule's parameters) and ``alarm_field`` / ``insufficient_data_field`` / ``ok_field``
    (the property names of the format).
    """
    props = value
    unknown = None
    for state in ("alarm", "insufficient_data", "ok"):
        if as_bool(args.get(state)) is not True:
            continue
        field = args[f"{state}_field"]
        actions = props.get(field)
        if isinstance(actions, Unknown):
            unknown = unknown or (
                None,
                {"en": f"{field} is unknown ({actions.expr})", "ja": f"{field} が不明です ({actions.expr})"},
                _line(props, field),
            )
            continue
        if not actions:
            shown, shown_ja = ("is empty", "が空です") if field in props else ("is not set", "が設定されていません")
            return (
                False,
                {
                    "en": f"{field} {shown}: no action for the {state.upper()} state",
                    "ja": f"{field} {shown_ja}: {state.upper()} 状態のアクションがありません",
                },
                _line(props, field),
            )
    return unknown or (
        True,
        {"en": "every required state has an action", "ja": "必要なすべての状態にアクションが設定されています"},
    )


# -- metric filters and alarms on the trail's log group (FISCSEC2-BP01, FISCSEC7-BP03) ---------

# The security events of the CIS AWS Foundations Benchmark's monitoring section (Security Hub
# CloudWatch.1-14), each with the words its filter pattern must mention: the event names, or the
# fields and values that identify it. ClassicLink calls (retired in 2022) are not required.
SECURITY_EVENTS: dict[str, tuple[str, ...]] = {
    "root-account-usage": ("userIdentity.type", "Root"),
    "unauthorized-api-calls": ("errorCode", "UnauthorizedOperation", "AccessDenied"),
    "console-signin-without-mfa": ("ConsoleLogin", "MFAUsed"),
    "iam-policy-changes": tuple(
        "DeleteGroupPolicy DeleteRolePolicy DeleteUserPolicy PutGroupPolicy PutRolePolicy PutUserPolicy"
        " CreatePolicy DeletePolicy CreatePolicyVersion DeletePolicyVersion AttachRolePolicy DetachRolePolicy"
        " AttachUserPolicy DetachUserPolicy AttachGroupPolicy DetachGroupPolicy".split()
    ),
    "cloudtrail-changes": ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
    "console-authentication-failures": ("ConsoleLogin", "Failed authentication"),
    "kms-key-disabled-or-deleted": ("DisableKey", "ScheduleKeyDeletion"),
    "s3-bucket-policy-changes": tuple(
        "PutBucketAcl PutBucketPolicy PutBucketCors PutBucketLifecycle PutBucketReplication DeleteBucketPolicy"
        " DeleteBucketCors DeleteBucketLifecycle DeleteBucketReplication".split()
    ),
    "config-changes": tuple(
        "StopConfigurationRecorder DeleteDeliveryChannel PutDeliveryChannel PutConfigurationRecorder".split()
    ),
    "security-group-changes": tuple(
        "AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress RevokeSecurityGroupIngress"
        " RevokeSecurityGroupEgress CreateSecurityGroup DeleteSecurityGroup".split()
    ),
    "nacl-changes": tuple(
        "CreateNetworkAcl CreateNetworkAclEntry DeleteNetworkAcl DeleteNetworkAclEntry ReplaceNetworkAclEntry"
        " ReplaceNetworkAclAssociation".split()
    ),
    "network-gateway-changes": tuple(
        "CreateCustomerGateway DeleteCustomerGateway AttachInternetGateway CreateInternetGateway"
        " DeleteInternetGateway DetachInternetGateway".split()
    ),
    "route-table-changes": tuple(
        "CreateRoute CreateRouteTable ReplaceRoute ReplaceRouteTableAssociation DeleteRouteTable DeleteRoute"
        " DisassociateRouteTable".split()
    ),
    "vpc-changes": tuple(
        "CreateVpc DeleteVpc ModifyVpcAttribute AcceptVpcPeeringConnection CreateVpcPeeringConnection"
        " DeleteVpcPeeringConnection RejectVpcPeeringConnection".split()
    ),
}

# per format: the trail's log group ARN; the log group and its name; the metric filter (type, log
# group, pattern, transformations, metric name, namespace); the alarm (type, metric name, namespace,
# actions, actions enabled, metric queries, the metric inside a query)
_CW = {
    "cloudformation": {
        "trail_group": "CloudWatchLogsLogGroupArn",
        "group": ("AWS::Logs::LogGroup", "LogGroupName"),
        "filter": ("AWS::Logs::MetricFilter", "LogGroupName", "FilterPattern", "MetricTransformations", "MetricName", "MetricNamespace"),
        "alarm": ("AWS::CloudWatch::Alarm", "MetricName", "Namespace", "AlarmActions", "ActionsEnabled", "Metrics", "MetricStat.Metric"),
    },
    "terraform": {
        "trail_group": "cloud_watch_logs_group_arn",
        "group": ("aws_cloudwatch_log_group", "name"),
        "filter": ("aws_cloudwatch_log_metric_filter", "log_group_name", "pattern", "metric_transformation", "name", "namespace"),
        "alarm": ("aws_cloudwatch_metric_alarm", "metric_name", "namespace", "alarm_actions", "actions_enabled", "metric_query", "metric"),
    },
}  # fmt: skip
_LOG_GROUP_ARN = re.compile(r"^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)(:\*)?$")


def _group_keys(ctx: Context, value: Any, fmt: str) -> set[str] | None:
    """What identifies the log group ``value`` names (by reference, ARN or name); None when unknown."""
    group_type, name_field = _CW[fmt]["group"]
    keys = set()
    if isinstance(value, Unknown):
        for ref in value.refs:
            group = ctx.graph.by_name.get(ref.target)
            if group is not None and group.type == group_type:
                keys.add(f"resource:{group.name}")
                name = group.properties.get(name_field)
                if isinstance(name, str):
                    keys.add(f"name:{name}")
        return keys or None
    if isinstance(value, str) and value:
        match = _LOG_GROUP_ARN.match(value)
        return {f"name:{match.group(1) if match else value}"}
    return None


def _mentions_all(pattern: str, words: tuple[str, ...]) -> bool:
    return all(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", pattern) for word in words)


def _listed(value: Any) -> list:
    """A list property as a list ([] when absent or unknown: the caller decides what unknown means)."""
    if value is None or isinstance(value, Unknown):
        return []
    return value if isinstance(value, list) else [value]


def _alarm_metrics(alarm: Any, spec: tuple[str, ...]) -> list[tuple[Any, Any]]:
    """The (metric name, namespace) pairs an alarm watches, directly or in its metric queries."""
    _, name_field, ns_field, _, _, queries_field, metric_path = spec
    props = alarm.properties
    out = [(props.get(name_field), props.get(ns_field))] if name_field in props else []
    for query in _listed(props.get(queries_field)):
        metric: Any = query
        for key in metric_path.split("."):
            metric = metric.get(key) if isinstance(metric, dict) else None
            metric = metric[0] if isinstance(metric, list) and len(metric) == 1 else metric
        if isinstance(metric, dict):
            out.append((metric.get(name_field), metric.get(ns_field)))
    return out


def _same(a: Any, b: Any) -> bool | None:
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    return a is not None and a == b


def _alarmed(ctx: Context, metric: tuple[Any, Any], fmt: str) -> bool | None:
    """Is there an alarm with actions on this metric (name, namespace)?"""
    spec = _CW[fmt]["alarm"]
    unknown = False
    for alarm in ctx.graph.of_type([spec[0]]):
        for watched in _alarm_metrics(alarm, spec):
            same = [_same(metric[0], watched[0]), _same(metric[1], watched[1])]
            if False in same:
                continue
            enabled = alarm.properties.get(spec[4], True)
            actions = alarm.properties.get(spec[3])
            if isinstance(enabled, Unknown) or isinstance(actions, Unknown) or None in same:
                unknown = True
            elif as_bool(enabled) is not False and actions:
                return True
    return None if unknown else False


@predicate
def trail_security_events_alarmed(ctx: Context, value: Any, args: dict) -> Verdict:
    """Does the trail's CloudWatch Logs group have, for each event of ``args['events']``, a metric
    filter whose pattern mentions the words identifying the event and whose metric an alarm with
    actions watches?

    Filters and alarms are those of the trail's template or module; the log group is matched by
    reference, by name, or by the name in a literal ARN. A pattern, metric or alarm setting that is
    unknown makes the event unknown when nothing else covers it.
    """
    fmt = ctx.resource.format
    spec = _CW[fmt]
    events = list(args.get("events") or [])
    strange = [e for e in events if e not in SECURITY_EVENTS]
    if strange:
        known = ", ".join(SECURITY_EVENTS)
        return None, {
            "en": f"unknown event names {', '.join(strange)} in the parameter (known: {known})",
            "ja": f"パラメーターのイベント名 {', '.join(strange)} が不明です (使用できる名前: {known})",
        }
    arn = ctx.resource.properties.get(spec["trail_group"])
    line = _line(ctx.resource.properties, spec["trail_group"])
    if arn is None or arn == "":
        return False, {
            "en": f"the trail sends no events to CloudWatch Logs ({spec['trail_group']} is not set)",
            "ja": f"証跡はイベントを CloudWatch Logs に送信していません ({spec['trail_group']} が設定されていません)",
        }
    trail_group = _group_keys(ctx, arn, fmt)
    if trail_group is None:
        return (
            None,
            {
                "en": f"the trail's log group is unknown ({getattr(arn, 'expr', arn)})",
                "ja": f"証跡のロググループが不明です ({getattr(arn, 'expr', arn)})",
            },
            line,
        )
    filter_type, group_field, pattern_field, transforms_field, name_field, ns_field = spec["filter"]
    covered: dict[str, bool | None] = {event: False for event in events}
    for metric_filter in ctx.graph.of_type([filter_type]):
        props = metric_filter.properties
        group = _group_keys(ctx, props.get(group_field), fmt)
        on_group = None if group is None else bool(group & trail_group)
        if on_group is False:
            continue
        pattern = props.get(pattern_field)
        transforms = props.get(transforms_field)
        if isinstance(transforms, Unknown):
            alarmed = None
        else:
            metrics = [(t.get(name_field), t.get(ns_field)) for t in _listed(transforms) if isinstance(t, dict)]
            alarmed = any3(_alarmed(ctx, metric, fmt) for metric in metrics)
        for event in events:
            mentioned = _mentions_all(pattern, SECURITY_EVENTS[event]) if isinstance(pattern, str) else None
            covered[event] = any3([covered[event], all3([on_group, mentioned, alarmed])])
    missing = [e for e in events if covered[e] is False]
    unknown = [e for e in events if covered[e] is None]
    if missing:
        return (
            False,
            {
                "en": f"no metric filter with an alarm with actions on the trail's log group for: {', '.join(missing)}",
                "ja": f"証跡のロググループに、アクション付きのアラームを持つメトリクスフィルターがないイベント: {', '.join(missing)}",
            },
            line,
        )
    if unknown:
        return (
            None,
            {
                "en": f"whether these events have a metric filter with an alarm is unknown: {', '.join(unknown)}",
                "ja": f"次のイベントにアラーム付きのメトリクスフィルターがあるかどうか不明です: {', '.join(unknown)}",
            },
            line,
        )
    return True, {
        "en": f"every required event has a metric filter with an alarm ({len(events)})",
        "ja": f"必要なすべてのイベントにアラーム付きのメトリクスフィルターがあります ({len(events)})",
    }
