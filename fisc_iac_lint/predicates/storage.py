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
    if any(a is False for a in answers):
        return False
    return None if any(a is None for a in answers) else True


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
        return False, "no bucket policy"
    document = resolve_document(ctx, document)
    if isinstance(document, Unknown):
        return None, f"policy document is unknown: {document.expr}"
    statements, _problems = read_document(document, getattr(document, "line", 0))
    unknown = None
    for stmt in statements:
        answer = _denies_insecure(stmt)
        if answer is True:
            what = f"statement {stmt.sid!r}" if stmt.sid else f"statement {stmt.index + 1}"
            return True, f"{what} denies requests without TLS", stmt.line or None
        if answer is None and unknown is None:
            unknown = stmt
    if unknown is not None:
        return None, "a statement that may deny requests without TLS is not resolved"
    return False, 'no statement denies s3:* to "*" when aws:SecureTransport is false'


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
    required = as_bool(args.get("required", True))
    if required is None:
        return None, f"parameter for {name} is not a boolean: {args.get('required')!r}"
    shown = "" if value is not None else " (not set)"
    if value is None:
        value = args.get("default", False)
    if isinstance(value, Unknown):
        return None, f"{name} is unknown: {value.expr}"
    if not required:
        return True, f"{name} is not required by the parameters"
    enabled = as_bool(value)
    if enabled is True:
        return True, f"{name} is true"
    return False, f"{name} is {_shown(value)}{shown}; expected true"


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
    if any(a is False for a in answers):
        return False
    return None if any(a is None for a in answers) else True


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
        return None, "not a DynamoDB table this predicate knows"
    billing_field, name_field, gsi_field, gsi_name_field = _TABLE_FIELDS[fmt]
    billing = props.get(billing_field, "PROVISIONED")
    line = props.line_of(billing_field) if isinstance(props, Mapping) and billing_field in props else None
    if isinstance(billing, Unknown):
        return None, f"{billing_field} is unknown: {billing.expr}", line
    if billing == "PAY_PER_REQUEST":
        return True, f"{billing_field} is PAY_PER_REQUEST (on-demand)", line
    wanted: list[tuple[Any, str]] = [(None, c) for c in _CAPACITIES]
    gsis = props.get(gsi_field, [])
    if isinstance(gsis, Unknown):
        return None, f"{gsi_field} is unknown: {gsis.expr}", line
    for gsi in gsis if isinstance(gsis, list) else []:
        name = gsi.get(gsi_name_field) if isinstance(gsi, dict) else gsi
        if not isinstance(name, str):
            return None, "the name of a global secondary index is unknown", line
        wanted.extend((name, c) for c in _CAPACITIES)
    fields = _TARGET_FIELDS[fmt]
    targets = [t for t in ctx.graph.of_type(fields[0]) if t.kind != "data"]
    table_name = props.get(name_field)
    missing: list[str] = []
    undecided: list[str] = []
    for want in wanted:
        answers = [_target_covers(ctx, t, fields, table_name, want) for t in targets]
        what = f"{want[1].lower()} capacity of " + (f"index {want[0]}" if want[0] else "the table")
        if True in answers:
            continue
        (undecided if None in answers else missing).append(what)
    shown = f"{billing_field} is {billing}" if line else f"{billing_field} is not set (default PROVISIONED)"
    if missing:
        return False, f"{shown}; no auto scaling target for the {', '.join(missing)}", line
    if undecided:
        return None, f"{shown}; a scalable target may or may not scale the {', '.join(undecided)}", line
    return True, f"{shown}; read and write capacity are auto scaled", line
