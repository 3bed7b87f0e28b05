"""AWS Backup: which backup selections protect a resource, how often a plan's rules run,
and the EBS volume settings that depend on a policy parameter.

A resource is protected by an AWS Backup selection (CloudFormation
``AWS::Backup::BackupSelection``, Terraform ``aws_backup_selection``) of the same
template or module when, as AWS Backup assigns resources:

    (it is in the resource list OR it matches one of the tag conditions of ListOfTags /
    selection_tag, which are ORed)
    AND it matches every condition of Conditions / condition (ANDed)
    AND it is not in NotResources / not_resources.

The resource list matches by reference (an ARN built with GetAtt, Sub, Join, Ref or a
Terraform reference to the resource), by ``"*"``, or by an ARN pattern of the resource's
type (``arn:aws:rds:*:*:db:*``). A selection with neither a resource list nor tag
conditions selects nothing.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from ..model import Unknown, as_bool, as_number
from ..tristate import all3 as _all
from ..tristate import any3 as _any
from ..tristate import not3 as _not
from . import Context, Verdict, predicate

SELECTION_TYPES = ("AWS::Backup::BackupSelection", "aws_backup_selection")
_TAG_PREFIX = "aws:ResourceTag/"
_HOLE = "\x00"  # a part of an ARN the template computes (a pseudo parameter, an interpolation)


# -- the resource as an ARN -------------------------------------------------------------
@dataclass(frozen=True)
class ArnModel:
    """What is known of a resource's ARN: ``arn:<p>:<service>:<r>:<a>:<prefix><name>``."""

    service: str
    prefix: str  # e.g. "db:", "table/", "volume/"
    name: str | None  # the literal identifier, None when AWS generates it or it is unknown


def _glob(pattern: str, text: str) -> bool | None:
    """Glob ``*``/``?`` match; a hole in the pattern makes a possible match unknown."""
    if _HOLE not in pattern:
        return fnmatchcase(text, pattern.replace("[", "[[]"))
    if not fnmatchcase(text, pattern.replace("[", "[[]").replace(_HOLE, "*")):
        return False
    return None


def _match_resource_part(pattern: str, model: ArnModel) -> bool | None:
    if model.name is not None:
        return _glob(pattern, model.prefix + model.name)
    # The name is not known: only a pattern that takes any name of the type certainly matches.
    cut = min([i for i in (pattern.find("*"), pattern.find("?"), pattern.find(_HOLE)) if i >= 0], default=len(pattern))
    head = pattern[:cut]
    if not (model.prefix.startswith(head) or head.startswith(model.prefix)):
        return False
    if len(head) <= len(model.prefix) and pattern[cut:] == "*":
        return True
    return None


def match_arn(pattern: str, model: ArnModel) -> bool | None:
    """Does an ARN (pattern) of a backup selection name this resource?

    Any partition matches (a template targets one). A region and an account that are
    wildcards or computed (``${AWS::Region}``) match; a literal region or account is
    unknown (the deployment target is not in the template). Service and resource type
    must match; a literal name must equal the resource's literal identifier.
    """
    pattern = pattern.strip()
    if pattern == "*":
        return True
    parts = pattern.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    _, _partition, service, region, account, resource = parts
    service_ok = _glob(service, model.service)
    if service_ok is False:
        return False
    where = _match_resource_part(resource, model)
    if where is False:
        return False
    scope = [
        True if (value in ("", "*") or _HOLE in value or set(value) <= {"*", "?"}) else None
        for value in (region, account)
    ]
    return _all([service_ok, where, *scope])


def _pattern_of(unknown: Unknown) -> str | None:
    """The text of an ARN the template computes, with its computed parts as holes."""
    expr = unknown.expr.strip()
    if expr.startswith("{"):  # CloudFormation: the intrinsic function as JSON
        try:
            data = json.loads(expr)
        except ValueError:
            return None
        if not isinstance(data, dict) or len(data) != 1:
            return None
        ((key, arg),) = data.items()
        if key == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) and arg and isinstance(arg[0], str) else arg
            if not isinstance(text, str):
                return None
            return re.sub(r"\$\{(?!!)[^}]*\}", _HOLE, text)
        if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            delimiter = arg[0] if isinstance(arg[0], str) else ""
            return delimiter.join(i if isinstance(i, str) else _HOLE for i in arg[1])
        return None
    if len(expr) >= 2 and expr[0] == '"' and expr[-1] == '"':  # Terraform: a template string
        return re.sub(r"\$\{[^}]*\}", _HOLE, expr[1:-1])
    return None


def _item_names(item: Any, resource_name: str, model: ArnModel) -> bool | None:
    """Does one item of a resource list (or NotResources) name the resource?"""
    if isinstance(item, str):
        return match_arn(item, model)
    if isinstance(item, Unknown):
        targets = {ref.target for ref in item.refs}
        if resource_name in targets:
            return True
        others = {t for t in targets if not t.startswith(("data.", "module."))}
        pattern = _pattern_of(item)
        if pattern is not None:
            verdict = match_arn(pattern, model)
            if verdict is None and others:
                return False  # the computed part names another resource of the template
            return verdict
        return False if others and others == targets else None
    return False


def _list_names(items: Any, resource_name: str, model: ArnModel) -> bool | None:
    if items is None:
        return False
    if isinstance(items, Unknown):
        if resource_name in {ref.target for ref in items.refs}:
            return True
        return None
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list):
        return False
    return _any([_item_names(i, resource_name, model) for i in items])


# -- tags ------------------------------------------------------------------------------
@dataclass
class Tags:
    values: dict[str, Any]
    complete: bool  # False when some tags are unknown (a key may exist that is not seen)

    def get(self, key: Any) -> tuple[bool | None, Any]:
        """(present?, value): present None when unknown."""
        if isinstance(key, Unknown):
            return None, None
        key = str(key)
        key = key.removeprefix(_TAG_PREFIX)
        if key in self.values:
            return True, self.values[key]
        return (False if self.complete else None), None


def read_tags(value: Any) -> Tags:
    """Tags as CloudFormation (a list of Key/Value) or Terraform (a map) write them."""
    if value is None:
        return Tags({}, True)
    if isinstance(value, Unknown):
        return Tags({}, False)
    if isinstance(value, dict):
        return Tags({str(k): v for k, v in value.items()}, True)
    tags = Tags({}, True)
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and isinstance(item.get("Key"), str):
                tags.values[item["Key"]] = item.get("Value", "")
            else:
                tags.complete = False
    return tags


def _text(value: Any) -> str:
    """A tag value as AWS stores it: a string (Terraform writes true as "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _equals(tags: Tags, key: Any, expected: Any, like: bool) -> bool | None:
    present, actual = tags.get(key)
    if present is None:
        return None
    if not present:
        return False
    if isinstance(actual, Unknown) or isinstance(expected, Unknown):
        return None
    if like:
        return fnmatchcase(_text(actual), _text(expected).replace("[", "[[]"))
    return _text(actual) == _text(expected)


def _condition(tags: Tags, operator: str, key: Any, expected: Any) -> bool | None:
    op = operator.replace("_", "").lower()
    if op == "stringequals":
        return _equals(tags, key, expected, False)
    if op == "stringlike":
        return _equals(tags, key, expected, True)
    if op == "stringnotequals":
        present, _ = tags.get(key)
        return True if present is False else _not(_equals(tags, key, expected, False))
    if op == "stringnotlike":
        present, _ = tags.get(key)
        return True if present is False else _not(_equals(tags, key, expected, True))
    return None


# -- selections ----------------------------------------------------------------------------
@dataclass
class Selection:
    resources: Any
    not_resources: Any
    list_of_tags: list[Any]  # items: (key, value) or Unknown
    conditions: list[Any]  # items: (operator, key, value) or Unknown
    unknown: str = ""  # why the selection cannot be read


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def read_selection(properties: Any, fmt_is_cfn: bool) -> Selection:
    if fmt_is_cfn:
        body = properties.get("BackupSelection") if isinstance(properties, dict) else None
        if isinstance(body, Unknown):
            return Selection(None, None, [], [], f"BackupSelection is unknown: {body.expr}")
        body = body if isinstance(body, dict) else {}
        tags: list[Any] = []
        for item in _as_list(body.get("ListOfTags")):
            if isinstance(item, dict):
                kind = item.get("ConditionType", "STRINGEQUALS")
                if isinstance(kind, str) and kind.upper() != "STRINGEQUALS":
                    continue
                tags.append((item.get("ConditionKey"), item.get("ConditionValue")))
            else:
                tags.append(Unknown(getattr(item, "expr", repr(item))))
        conditions: list[Any] = []
        raw = body.get("Conditions")
        if isinstance(raw, Unknown):
            conditions.append(raw)
        elif isinstance(raw, dict):
            for operator, entries in raw.items():
                if isinstance(entries, Unknown):
                    conditions.append(entries)
                    continue
                for entry in _as_list(entries):
                    if isinstance(entry, dict):
                        conditions.append((operator, entry.get("ConditionKey"), entry.get("ConditionValue")))
                    else:
                        conditions.append(Unknown(getattr(entry, "expr", repr(entry))))
        return Selection(body.get("Resources"), body.get("NotResources"), tags, conditions)
    props = properties if isinstance(properties, dict) else {}
    tags = []
    for item in _as_list(props.get("selection_tag")):
        if isinstance(item, dict):
            kind = item.get("type", "STRINGEQUALS")
            if isinstance(kind, str) and kind.upper() != "STRINGEQUALS":
                continue
            tags.append((item.get("key"), item.get("value")))
        else:
            tags.append(Unknown(getattr(item, "expr", repr(item))))
    conditions = []
    for block in _as_list(props.get("condition")):
        if not isinstance(block, dict):
            conditions.append(Unknown(getattr(block, "expr", repr(block))))
            continue
        for operator, entries in block.items():
            if operator not in ("string_equals", "string_not_equals", "string_like", "string_not_like"):
                continue
            for entry in _as_list(entries):
                if isinstance(entry, dict):
                    conditions.append((operator, entry.get("key"), entry.get("value")))
                else:
                    conditions.append(Unknown(getattr(entry, "expr", repr(entry))))
    return Selection(props.get("resources"), props.get("not_resources"), tags, conditions)


def selection_covers(selection: Selection, resource_name: str, model: ArnModel, tags: Tags) -> bool | None:
    """Kleene: does this selection assign the resource to its backup plan?"""
    if selection.unknown:
        return None
    listed = _list_names(selection.resources, resource_name, model)
    tagged = [None if isinstance(t, Unknown) else _equals(tags, t[0], t[1], False) for t in selection.list_of_tags]
    base = _any([listed, *tagged])
    if base is False:
        return False
    conditions = _all([None if isinstance(c, Unknown) else _condition(tags, *c) for c in selection.conditions])
    excluded = _list_names(selection.not_resources, resource_name, model)
    return _all([base, conditions, _not(excluded)])


def _literal_name(properties: Any, field: str | None, lowercase: bool) -> str | None:
    if not field or not isinstance(properties, dict):
        return None
    value = properties.get(field)
    if isinstance(value, str):
        return value.lower() if lowercase else value
    return None


@predicate
def protected_by_backup_selection(ctx: Context, value: Any, args: dict) -> Verdict:
    """Is the resource assigned to a backup plan by an AWS Backup selection of the template?

    ``args``: ``arn_service`` and ``arn_resource`` (the ARN's service and the resource
    part before the identifier, e.g. ``rds`` and ``db:``), ``tags_field`` (where the
    resource's tags are), optional ``name_field`` (the property holding the identifier
    used in the ARN, when the template may name it) and ``lowercase_name`` (RDS keeps
    identifiers in lower case).
    """
    resource = ctx.resource
    properties = resource.properties
    model = ArnModel(
        args["arn_service"],
        args["arn_resource"],
        _literal_name(properties, args.get("name_field"), bool(args.get("lowercase_name"))),
    )
    tags = read_tags(properties.get(args["tags_field"]) if isinstance(properties, dict) else None)
    selections = ctx.graph.of_type(SELECTION_TYPES)
    if not selections:
        return False, {
            "en": "no AWS Backup selection in this template or module covers it",
            "ja": "このテンプレートまたはモジュールに、このリソースを対象とする AWS Backup のバックアップ選択がありません",
        }
    verdicts = []
    for other in selections:
        selection = read_selection(other.properties, other.type.startswith("AWS::"))
        verdicts.append((selection_covers(selection, resource.name, model, tags), other))
    for ok, other in verdicts:
        if ok is True:
            return True, {
                "en": f"the backup selection {other.name} covers it",
                "ja": f"バックアップ選択 {other.name} がこのリソースを対象としています",
            }
    unknown = [other.name for ok, other in verdicts if ok is None]
    if unknown:
        return None, {
            "en": f"whether the backup selection {unknown[0]} covers it is unknown",
            "ja": f"バックアップ選択 {unknown[0]} がこのリソースを対象とするかどうかは不明です",
        }
    names = ", ".join(o.name for _, o in verdicts)
    return False, {
        "en": f"no AWS Backup selection covers it (selections: {names})",
        "ja": f"このリソースを対象とする AWS Backup のバックアップ選択がありません (バックアップ選択: {names})",
    }


# -- backup plan rules: schedule frequency -------------------------------------------------
DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"  # AWS Backup's schedule when a rule has none
_MONTHS = {
    m: i + 1 for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])
}
_DAYS = {d: i + 1 for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$", re.IGNORECASE)
_CRON = re.compile(r"^cron\((.*)\)$", re.IGNORECASE)
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}


class Unsupported(ValueError):
    """A cron feature this parser does not evaluate (W, #, nL ...)."""


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    out: set[int] = set()
    for part in text.split(","):
        part = part.strip().upper()
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise Unsupported(text)
            step = int(step_text)
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise Unsupported(text)
        if start <= end:
            out.update(range(start, end + 1, step))
        else:  # a range that wraps (FRI-MON)
            out.update(v for i, v in enumerate([*range(start, high + 1), *range(low, end + 1)]) if i % step == 0)
    return out


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text in names:
        return names[text]
    if not text.isdigit():
        raise Unsupported(text)
    return int(text)


def schedule_period_minutes(expression: str) -> int | None:
    """The longest time between two runs of a schedule expression, in minutes.

    ``rate(N unit)``, or ``cron(min hour day-of-month month day-of-week year)`` as AWS
    writes it (day of week 1-7 = SUN-SAT, ``?``, lists, ranges, steps, names, ``L`` as the
    day of month). None when the expression cannot be evaluated (other cron features,
    a restricted year, a schedule that never runs).
    """
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        amount = int(rate.group(1))
        return amount * _UNIT_MINUTES[rate.group(2).lower().rstrip("s")] if amount > 0 else None
    cron = _CRON.match(text)
    if not cron:
        return None
    fields = cron.group(1).split()
    if len(fields) != 6:
        return None
    minute, hour, dom, month, dow, year = fields
    try:
        if year.strip() != "*":
            raise Unsupported(year)
        minutes = _field(minute, 0, 59)
        hours = _field(hour, 0, 23)
        months = _field(month, 1, 12, _MONTHS)
        last_day = dom.strip().upper() == "L"
        days_of_month = set() if last_day else _field(dom, 1, 31)
        days_of_week = _field(dow, 1, 7, _DAYS)
    except Unsupported:
        return None
    dom_any = dom.strip() in ("*", "?")
    dow_any = dow.strip() in ("*", "?")
    times = sorted(h * 60 + m for h in hours for m in minutes)
    day = datetime.date(2025, 1, 1)
    fire_days: list[int] = []
    for offset in range(5 * 365 + 1):  # five years: a leap year and the year after it
        current = day + datetime.timedelta(days=offset)
        if current.month not in months:
            continue
        if last_day:
            by_dom = (current + datetime.timedelta(days=1)).month != current.month
        else:
            by_dom = current.day in days_of_month
        by_dow = (current.isoweekday() % 7) + 1 in days_of_week
        if dom_any and not dow_any:
            fires = by_dow
        elif dow_any and not dom_any:
            fires = by_dom
        elif dom_any and dow_any:
            fires = True
        else:
            fires = by_dom and by_dow
        if fires:
            fire_days.append(offset)
    if not fire_days or not times:
        return None
    gaps = [b - a for a, b in itertools.pairwise(times)]
    within = max(gaps) if gaps else 0
    between = max([(b - a) * 1440 + times[0] - times[-1] for a, b in itertools.pairwise(fire_days)], default=None)
    if between is None:
        return None
    return max(within, between)


def _describe(minutes: int) -> tuple[str, str]:
    """A length of time in words: (English, Japanese)."""
    if minutes % 1440 == 0:
        return f"{minutes // 1440} day(s)", f"{minutes // 1440} 日"
    if minutes % 60 == 0:
        return f"{minutes // 60} hour(s)", f"{minutes // 60} 時間"
    return f"{minutes} minute(s)", f"{minutes} 分"


@predicate
def backup_schedule_within(ctx: Context, value: Any, args: dict) -> Verdict:
    """Does a backup rule's schedule run at least every ``frequency_value`` ``frequency_unit``?

    ``value`` is the ScheduleExpression (``schedule``); absent means AWS Backup's default,
    daily at 05:00 UTC. ``frequency_unit``: ``hours`` or ``days``.
    """
    if value is None:
        value = DEFAULT_SCHEDULE
    if isinstance(value, Unknown):
        return None, {"en": f"the schedule is unknown: {value.expr}", "ja": f"スケジュールが不明です: {value.expr}"}
    amount = as_number(args["frequency_value"])
    unit = str(args["frequency_unit"]).strip().lower().rstrip("s")
    if amount is None or unit not in ("hour", "day"):
        wanted = f"{args['frequency_value']} {args['frequency_unit']}"
        return None, {
            "en": f"the required frequency {wanted} is not understood",
            "ja": f"必要な頻度 {wanted} を解釈できません",
        }
    limit = amount * _UNIT_MINUTES[unit]
    if not isinstance(value, str):
        return False, {
            "en": f"the schedule {value!r} is not a schedule expression",
            "ja": f"スケジュール {value!r} はスケジュール式ではありません",
        }
    period = schedule_period_minutes(value)
    if period is None:
        return None, {"en": f"the schedule {value} cannot be evaluated", "ja": f"スケジュール {value} を評価できません"}
    period_en, period_ja = _describe(period)
    if period <= limit:
        return True, {
            "en": f"the schedule {value} runs at least every {period_en}",
            "ja": f"スケジュール {value} は少なくとも {period_ja}ごとに実行されます",
        }
    limit_en, limit_ja = _describe(int(limit))
    return (
        False,
        {
            "en": f"the schedule {value} leaves up to {period_en} between backups (required: every {limit_en})",
            "ja": f"スケジュール {value} ではバックアップの間隔が最大 {period_ja}になります (必要な頻度: {limit_ja}ごと)",
        },
    )


# -- EBS volumes: delete on termination ------------------------------------------------------
@predicate
def delete_on_termination_satisfied(ctx: Context, value: Any, args: dict) -> Verdict:
    """Is a volume's DeleteOnTermination acceptable when ``args['required']`` may demand true?

    ``value``: the DeleteOnTermination setting of a block device mapping (absent means true,
    EC2's default for volumes created at launch), or, with ``attached_later: true``, ignored:
    a volume attached after launch is never deleted on termination.
    """
    required = as_bool(args["required"]) if not isinstance(args["required"], bool) else args["required"]
    if required is None:
        return None, {
            "en": f"the deleteOnTermination parameter {args['required']!r} is not a boolean",
            "ja": f"deleteOnTermination パラメータ {args['required']!r} はブール値ではありません",
        }
    if not required:
        return True, {"en": "deletion on termination is not required", "ja": "終了時の削除は必須ではありません"}
    if args.get("attached_later"):
        return False, {
            "en": "a volume attached after launch is not deleted when the instance terminates",
            "ja": "起動後にアタッチされたボリュームは、インスタンスの終了時に削除されません",
        }
    if value is None:
        return True, {
            "en": "DeleteOnTermination is not set (default true)",
            "ja": "DeleteOnTermination が設定されていません (デフォルト true)",
        }
    if isinstance(value, Unknown):
        return None, {
            "en": f"DeleteOnTermination is unknown: {value.expr}",
            "ja": f"DeleteOnTermination が不明です: {value.expr}",
        }
    flag = as_bool(value)
    if flag is True:
        return True, {"en": "DeleteOnTermination is true", "ja": "DeleteOnTermination は true です"}
    line = getattr(value, "line", None)
    shown = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    detail = {
        "en": f"DeleteOnTermination is {shown}: the volume outlives its instance",
        "ja": f"DeleteOnTermination は {shown} です: ボリュームはインスタンスの終了後も残ります",
    }
    return False, detail, line


__all__ = [
    "ArnModel",
    "match_arn",
    "read_selection",
    "read_tags",
    "schedule_period_minutes",
    "selection_covers",
]
