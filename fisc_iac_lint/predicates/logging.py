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
    """
    if value is None:
        return False, "is not set"
    if isinstance(value, Unknown):
        if value.maybe_absent:
            return None, f"may or may not be set ({value.expr})"
        if value.refs:
            return True, f"is {value.expr}"
        expr = value.expr.strip()
        if expr.startswith(('{"Fn::ImportValue"', "!ImportValue")):
            return True, f"is {expr}"  # another stack's export, taken to name the resource
        if _BARE_PARAMETER.match(expr):
            return None, f"is unresolved ({expr})"
        sub = _CFN_SUB.match(expr)
        literal = sub.group(1) if sub else (expr if expr.startswith('"') else "")
        if _INTERPOLATION.sub("", literal).strip('"[], '):
            return True, f"is {expr}"
        return None, f"is unresolved ({expr})"
    if isinstance(value, str):
        return (True, f"is {value!r}") if value.strip() else (False, "is empty")
    if isinstance(value, (list, dict)):
        return (True, "is set") if value else (False, "is empty")
    return True, f"is {value!r}"


@predicate
def set_not_empty(ctx: Context, value: Any, args: dict) -> Verdict:
    """The value at ``path`` is set and not empty (``args.label`` names it in the detail)."""
    ok, detail = value_is_set(value)
    return ok, f"{args.get('label', 'the value')} {detail}"


def _aws_managed(value: Any, alias: str) -> bool:
    return isinstance(value, str) and (value == alias or value.endswith(f":{alias}"))


@predicate
def customer_managed_key(ctx: Context, value: Any, args: dict) -> Verdict:
    """A KMS key is set and is not the AWS managed key ``args.aws_managed_alias`` (e.g. alias/aws/secretsmanager).

    The AWS managed key is recognised by its alias, written literally or resolved
    through a Terraform ``aws_kms_alias`` / ``aws_kms_key`` data source that names it.
    """
    label = args.get("label", "the KMS key")
    alias = args["aws_managed_alias"]
    ok, detail = value_is_set(value)
    if ok is not True:
        return ok, f"{label} {detail} (the AWS managed key {alias} is used)" if ok is False else f"{label} {detail}"
    if _aws_managed(value, alias):
        return False, f"{label} is the AWS managed key {value!r}"
    if isinstance(value, Unknown):
        for ref in value.refs:
            source = ctx.graph.by_name.get(ref.target)
            if source is None or source.type not in ("aws_kms_alias", "aws_kms_key") or source.kind != "data":
                continue
            name = source.properties.get("name" if source.type == "aws_kms_alias" else "key_id")
            if _aws_managed(name, alias):
                return False, f"{label} is the AWS managed key {name!r} (through {source.name})"
    return True, f"{label} {detail}"


@predicate
def resource_defined(ctx: Context, value: Any, args: dict) -> Verdict:
    """Always true: for account rules satisfied by the mere presence of a resource (Security Hub)."""
    return True, f"{ctx.resource.type} is defined"


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
        return None, f"the event selectors are unknown ({exc})"
    if not basic and not advanced:
        return True, "no event selectors: all management events are recorded"
    for index, selector in enumerate(advanced):
        try:
            fields = _field_selectors(selector, k)
            if "Management" not in fields.get("eventCategory", {}).get("equals", []):
                continue
            line = advanced.line_of(index) if hasattr(advanced, "line_of") else None
            if "eventSource" in fields:
                return False, "an advanced event selector limits the management event sources it records", line
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
                return False, f"{k['exclude']} excludes management events", _line(selector, k["exclude"])
            kind = selector.get(k["read_write"], "All")
            if isinstance(kind, Unknown):
                raise _Undecided(kind.expr)
            read = read or kind in ("All", "ReadOnly")
            write = write or kind in ("All", "WriteOnly")
        except _Undecided as exc:
            unknown = unknown or str(exc)
    ok = (read and write) if need_both else (read or write)
    if ok:
        return True, "management events are recorded"
    if unknown:
        return None, f"an event selector is unknown ({unknown})"
    line = _line(props, k["advanced"] if advanced else k["selectors"])
    if read or write:
        return False, f"only {'read' if read else 'write'} management events are recorded", line
    return False, "no event selector records management events", line


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
        return None, f"the event selectors are unknown ({exc})"
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
        return True, "S3 data events are logged for all buckets"
    missing = [b for b in wanted if b not in covered] if wanted else ["all buckets"]
    if not missing:
        return True, "S3 data events are logged for " + ", ".join(wanted)
    if unknown:
        return None, f"an event selector is unknown ({unknown})"
    line = _line(props, k["advanced"] if advanced else k["selectors"]) if (advanced or basic) else None
    return False, "S3 data events are not logged for " + ", ".join(missing), line


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
            unknown = unknown or (None, f"{field} is unknown ({actions.expr})", _line(props, field))
            continue
        if not actions:
            shown = "is empty" if field in props else "is not set"
            return False, f"{field} {shown}: no action for the {state.upper()} state", _line(props, field)
    return unknown or (True, "every required state has an action")
