"""Predicates for logging, monitoring and keys: trails, alarms, key references.

CloudTrail event selectors are read in both formats: CloudFormation
(``EventSelectors``, ``AdvancedEventSelectors``) and Terraform (``event_selector``,
``advanced_event_selector`` blocks); the format of the resource picks the keys.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import CLOUDFORMATION, Mapping, Unknown, as_bool
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
