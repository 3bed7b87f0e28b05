"""Predicates for storage services (S3, DynamoDB): what declarative conditions cannot say.

* :func:`document_denies_insecure_transport`: a bucket policy that denies every
  request not sent over TLS (s3-bucket-ssl-requests-only).
* :func:`setting_required`: a boolean setting that must be true when a
  parameter requires it (the optional parameters of the Config rules).
* :func:`dynamodb_capacity_autoscaled`: a provisioned DynamoDB table whose read
  and write capacity, and those of its global secondary indexes, are scaled by
  Application Auto Scaling targets (dynamodb-autoscaling-enabled).
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Mapping, Unknown, as_bool
from ..tristate import all3
from . import Context, Verdict, predicate
from .iam import Statement, document_from_data_source, principal_is_public, read_document

# -- Terraform policy documents ------------------------------------------------------

_DATA_DOCUMENT = "data.aws_iam_policy_document."


def resolve_document(ctx: Context, value: Any, depth: int = 0) -> Any:
    """The policy document behind ``value``.

    A Terraform ``data.aws_iam_policy_document.<name>.json`` reference is rendered
    from the data source's arguments (its source and override documents too); any
    other value is returned as it is.
    """
    if not isinstance(value, Unknown) or depth > 5:
        return value
    refs = [r for r in value.refs if r.target.startswith(_DATA_DOCUMENT)]
    if len(value.refs) != 1 or len(refs) != 1 or refs[0].attribute not in ("json", "minified_json"):
        return value
    if not value.expr.strip().startswith(_DATA_DOCUMENT):  # e.g. replace(data...json, ...): not the document
        return value
    source = ctx.graph.by_name.get(refs[0].target)
    if source is None:
        return value
    return document_from_data_source(source.properties, lambda item: resolve_document(ctx, item, depth + 1))


# -- s3-bucket-ssl-requests-only ---------------------------------------------------------

_SECURE_TRANSPORT = "aws:securetransport"
_BOOL_OPERATORS = ("bool", "boolifexists")


def _denies_insecure(stmt: Statement) -> bool | None:
    """Deny, to everyone, every S3 action, whenever aws:SecureTransport is false, and only then."""
    if isinstance(stmt.effect, Unknown):
        effect: bool | None = None
    else:
        effect = stmt.effect == "Deny"
    if effect is False:
        return False
    answers: list[bool | None] = [effect, principal_is_public(stmt) if stmt.not_principal is None else False]
    if stmt.actions is None:  # NotAction leaves some actions allowed over HTTP
        return False
    answers.append(_covers_all_s3_actions(stmt.actions))
    answers.append(_condition_is_insecure_transport(stmt.condition))
    return all3(answers)


_ALL_S3 = re.compile(r"(\*+(:\*+)?|s3:\*+)", re.IGNORECASE)


def _covers_all_s3_actions(actions: tuple[Any, ...]) -> bool | None:
    """Some item is ``*`` or ``s3:*``: a pattern that only happens to match the text "s3:*" does not count."""
    if any(isinstance(a, str) and _ALL_S3.fullmatch(a.strip()) for a in actions):
        return True
    return None if any(isinstance(a, Unknown) for a in actions) else False


def _condition_is_insecure_transport(condition: dict[str, dict[str, tuple[Any, ...]]]) -> bool | None:
    """The condition is exactly Bool (or BoolIfExists) aws:SecureTransport false.

    Any further condition key narrows the Deny (HTTP is then denied only sometimes).
    """
    tests = [(op, key, values) for op, block in condition.items() for key, values in block.items()]
    if any(not op or not key for op, key, _ in tests):
        return None  # an unknown Condition or operator block
    if len(tests) != 1:
        return False
    op, key, values = tests[0]
    if op.lower() not in _BOOL_OPERATORS or key.lower() != _SECURE_TRANSPORT or len(values) != 1:
        return False
    (value,) = values
    if isinstance(value, Unknown):
        return None
    return as_bool(value) is False


@predicate
def document_denies_insecure_transport(ctx: Context, document: Any, args: dict) -> Verdict:
    """Does the bucket policy deny every S3 action to everyone when aws:SecureTransport is false?

    The statement must be a Deny with Principal ``*`` (or ``{"AWS": "*"}``), an
    Action that covers every S3 action (``s3:*`` or ``*``) and a Condition that is
    exactly ``Bool`` / ``BoolIfExists`` ``aws:SecureTransport`` ``false``.
    Resources are not read: a bucket policy can only name its own bucket's resources.
    """
    if document is None:
        return False, {"en": "no bucket policy", "ja": "バケットポリシーがありません"}
    document = resolve_document(ctx, document)
    if isinstance(document, Unknown):
        return None, {
            "en": f"policy document is unknown: {document.expr}",
            "ja": f"ポリシードキュメントが不明です: {document.expr}",
        }
    statements, _problems = read_document(document, getattr(document, "line", 0))
    unknown = None
    for stmt in statements:
        answer = _denies_insecure(stmt)
        if answer is True:
            what = f"statement {stmt.sid!r}" if stmt.sid else f"statement {stmt.index + 1}"
            what_ja = f"ステートメント {stmt.sid!r} " if stmt.sid else f"{stmt.index + 1} 番目のステートメント"
            return (
                True,
                {
                    "en": f"{what} denies requests without TLS",
                    "ja": f"{what_ja}が TLS を使用しないリクエストを拒否しています",
                },
                stmt.line or None,
            )
        if answer is None and unknown is None:
            unknown = stmt
    if unknown is not None:
        return None, {
            "en": "a statement that may deny requests without TLS is not resolved",
            "ja": "TLS を使用しないリクエストを拒否する可能性のあるステートメントが解決できません",
        }
    return False, {
        "en": 'no statement denies s3:* to "*" when aws:SecureTransport is false',
        "ja": 'aws:SecureTransport が false のときに "*" に対して s3:* を拒否するステートメントがありません',
    }


# -- optional rule parameters --------------------------------------------------------------


@predicate
def setting_required(ctx: Context, value: Any, args: dict) -> Verdict:
    """A boolean setting that must be true when ``args['required']`` is true.

    ``args['default']`` is what an absent setting means; ``args['setting']`` names it
    in messages. Mirrors the optional parameters of Config rules such as
    s3-account-level-public-access-blocks-periodic (a parameter set to false does not
    check its setting).
    """
    name = args.get("setting", "the setting")
    name_ja = args.get("setting_ja") or ("設定" if name == "the setting" else name)
    required = as_bool(args.get("required", True))
    if required is None:
        return None, {
            "en": f"parameter for {name} is not a boolean: {args.get('required')!r}",
            "ja": f"{name_ja} のパラメータがブール値ではありません: {args.get('required')!r}",
        }
    shown, shown_ja = ("", "") if value is not None else (" (not set)", " (未設定)")
    if value is None:
        value = args.get("default", False)
    if isinstance(value, Unknown):
        return None, {"en": f"{name} is unknown: {value.expr}", "ja": f"{name_ja} が不明です: {value.expr}"}
    if not required:
        return True, {
            "en": f"{name} is not required by the parameters",
            "ja": f"{name_ja} はパラメータで必須とされていません",
        }
    enabled = as_bool(value)
    if enabled is True:
        return True, {"en": f"{name} is true", "ja": f"{name_ja} は true です"}
    return False, {
        "en": f"{name} is {_shown(value)}{shown}; expected true",
        "ja": f"{name_ja} は {_shown(value)}{shown_ja} です。true である必要があります",
    }


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


# -- dynamodb-autoscaling-enabled ----------------------------------------------------------

_TABLE_FIELDS = {
    # format: (billing mode, table name, GSI list, GSI name)
    "cloudformation": ("BillingMode", "TableName", "GlobalSecondaryIndexes", "IndexName"),
    "terraform": ("billing_mode", "name", "global_secondary_index", "name"),
}
_TARGET_FIELDS = {
    # format: (scalable target types, resource id, scalable dimension, service namespace)
    "cloudformation": (
        ("AWS::ApplicationAutoScaling::ScalableTarget",),
        "ResourceId",
        "ScalableDimension",
        "ServiceNamespace",
    ),
    "terraform": (("aws_appautoscaling_target",), "resource_id", "scalable_dimension", "service_namespace"),
}
_INDEX_IN_TEXT = re.compile(r"/index/([A-Za-z0-9_.-]+)")
_INDEX_WORD = re.compile(r"(?<![A-Za-z0-9_.-])index(?![A-Za-z0-9_.-])")  # "index" as a path segment or a Join item
_CAPACITIES = ("Read", "Write")
_CAPACITY_JA = {"Read": "読み込みキャパシティ", "Write": "書き込みキャパシティ"}


def _target_covers(ctx: Context, target: Any, fields: tuple, table_name: Any, want: tuple) -> bool | None:
    """Whether one scalable target scales ``want`` = (index name or None, "Read"/"Write") of this table."""
    _types, id_field, dimension_field, namespace_field = fields
    props = target.properties
    namespace = props.get(namespace_field)
    dimension = props.get(dimension_field)
    resource_id = props.get(id_field)
    index, capacity = want
    answers: list[bool | None] = []
    answers.append(None if isinstance(namespace, Unknown) else namespace == "dynamodb")
    expected = f"dynamodb:{'index' if index else 'table'}:{capacity}CapacityUnits"
    answers.append(None if isinstance(dimension, Unknown) else dimension == expected)
    if isinstance(resource_id, str):
        wanted = f"table/{table_name}" + (f"/index/{index}" if index else "")
        answers.append(resource_id == wanted if isinstance(table_name, str) else False)
    elif isinstance(resource_id, Unknown):
        if ctx.graph.refers(target, ctx.resource, (id_field,)):
            text = resource_id.expr
            found = _INDEX_IN_TEXT.search(text)
            mentions_index = _INDEX_WORD.search(text) is not None
            if found is None and (mentions_index or text.endswith("...")):
                answers.append(None)  # e.g. Fn::Join items, or a truncated text: the index is not readable
            elif index:
                answers.append(found is not None and found.group(1) == index)
            else:
                answers.append(found is None)
        elif resource_id.refs:
            answers.append(False)  # it names another resource
        else:
            answers.append(None)  # e.g. a variable: may be this table
    else:
        answers.append(False)
    return all3(answers)


@predicate
def dynamodb_capacity_autoscaled(ctx: Context, props: Any, args: dict) -> Verdict:
    """Is a DynamoDB table on-demand, or are its and its GSIs' read and write capacity auto scaled?

    Mirrors DYNAMODB_AUTOSCALING_ENABLED: PAY_PER_REQUEST passes; PROVISIONED (the
    default) needs an Application Auto Scaling scalable target (service namespace
    dynamodb) for dynamodb:table:ReadCapacityUnits and ...WriteCapacityUnits whose
    ResourceId is table/<table>, and for each global secondary index
    dynamodb:index:Read/WriteCapacityUnits with table/<table>/index/<index>. The
    ResourceId may name the table literally or refer to it (Fn::Sub, Fn::Join,
    Terraform interpolation).
    """
    fmt = ctx.resource.format
    if fmt not in _TABLE_FIELDS or not isinstance(props, dict):
        return None, {
            "en": "not a DynamoDB table this predicate knows",
            "ja": "この述語が扱える DynamoDB テーブルではありません",
        }
    billing_field, name_field, gsi_field, gsi_name_field = _TABLE_FIELDS[fmt]
    billing = props.get(billing_field, "PROVISIONED")
    line = props.line_of(billing_field) if isinstance(props, Mapping) and billing_field in props else None
    if isinstance(billing, Unknown):
        return (
            None,
            {"en": f"{billing_field} is unknown: {billing.expr}", "ja": f"{billing_field} が不明です: {billing.expr}"},
            line,
        )
    if billing == "PAY_PER_REQUEST":
        return (
            True,
            {
                "en": f"{billing_field} is PAY_PER_REQUEST (on-demand)",
                "ja": f"{billing_field} は PAY_PER_REQUEST (オンデマンド) です",
            },
            line,
        )
    wanted: list[tuple[Any, str]] = [(None, c) for c in _CAPACITIES]
    gsis = props.get(gsi_field, [])
    if isinstance(gsis, Unknown):
        return None, {"en": f"{gsi_field} is unknown: {gsis.expr}", "ja": f"{gsi_field} が不明です: {gsis.expr}"}, line
    for gsi in gsis if isinstance(gsis, list) else []:
        name = gsi.get(gsi_name_field) if isinstance(gsi, dict) else gsi
        if not isinstance(name, str):
            return (
                None,
                {
                    "en": "the name of a global secondary index is unknown",
                    "ja": "グローバルセカンダリインデックスの名前が不明です",
                },
                line,
            )
        wanted.extend((name, c) for c in _CAPACITIES)
    fields = _TARGET_FIELDS[fmt]
    targets = [t for t in ctx.graph.of_type(fields[0]) if t.kind != "data"]
    table_name = props.get(name_field)
    missing: list[tuple[str, str]] = []
    undecided: list[tuple[str, str]] = []
    for want in wanted:
        answers = [_target_covers(ctx, t, fields, table_name, want) for t in targets]
        what = f"{want[1].lower()} capacity of " + (f"index {want[0]}" if want[0] else "the table")
        what_ja = (f"インデックス {want[0]} の" if want[0] else "テーブルの") + _CAPACITY_JA[want[1]]
        if True in answers:
            continue
        (undecided if None in answers else missing).append((what, what_ja))
    if line:
        shown, shown_ja = f"{billing_field} is {billing}", f"{billing_field} は {billing} です"
    else:
        shown = f"{billing_field} is not set (default PROVISIONED)"
        shown_ja = f"{billing_field} が設定されていません (デフォルトは PROVISIONED)"
    if missing:
        return (
            False,
            {
                "en": f"{shown}; no auto scaling target for the {', '.join(en for en, _ in missing)}",
                "ja": f"{shown_ja}。{'、'.join(ja for _, ja in missing)}の Auto Scaling ターゲットがありません",
            },
            line,
        )
    if undecided:
        return (
            None,
            {
                "en": f"{shown}; a scalable target may or may not scale the {', '.join(en for en, _ in undecided)}",
                "ja": f"{shown_ja}。スケーラブルターゲットが{'、'.join(ja for _, ja in undecided)}を"
                "スケーリングするかどうかは不明です",
            },
            line,
        )
    return (
        True,
        {
            "en": f"{shown}; read and write capacity are auto scaled",
            "ja": f"{shown_ja}。読み込みキャパシティと書き込みキャパシティは Auto Scaling でスケーリングされます",
        },
        line,
    )
