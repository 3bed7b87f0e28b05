"""Predicates over IAM policy documents (bucket policies, key policies, identity policies).

A document is read where it is written: a CloudFormation mapping or JSON string,
a Terraform ``jsonencode(...)`` (which evaluates to the structure itself), a
heredoc or other JSON string, or a ``data "aws_iam_policy_document"`` that the
attribute refers to (followed through the graph and evaluated from its blocks).
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from ..model import Unknown, walk
from . import Context, Verdict, predicate
from .iam import (
    Statement,
    blocked_actions_on_all_keys,
    document_from_data_source,
    full_access_actions,
    grants_admin_access,
    is_all_actions,
    public_statements,
    public_statements_unknown,
    read_document,
    split_patterns,
    statement_grants,
)

_POLICY_DOCUMENT = "aws_iam_policy_document"
_DOCUMENT_ATTRIBUTES = ("json", "minified_json")


def _line_of_value(resource: Any, value: Any) -> int:
    """The line of the property that holds ``value`` (the object itself) in ``resource``; 0 if none."""
    for path, node in walk(resource.properties):
        if node is value and path:
            return resource.line_of(path)
    return 0


def _data_source(ctx: Context, value: Unknown) -> Any:
    """The data "aws_iam_policy_document" that ``value`` is exactly the rendered JSON of, or None."""
    if len(value.refs) != 1:
        return None
    ref = value.refs[0]
    if ref.attribute not in _DOCUMENT_ATTRIBUTES or "".join(value.expr.split()) != f"{ref.target}.{ref.attribute}":
        return None
    target = ctx.graph.by_name.get(ref.target)
    if target is None or target.kind != "data" or target.type != _POLICY_DOCUMENT:
        return None
    return target


def document_of(ctx: Context, value: Any, depth: int = 0) -> tuple[Any, int, bool]:
    """The document ``value`` stands for, the base line of a JSON string, and whether its lines are in the resource's file.

    An Unknown that is exactly ``data.aws_iam_policy_document.<name>.json`` becomes the
    document its blocks render (source and override documents followed likewise).
    """
    if isinstance(value, Unknown) and depth < 8:
        source = _data_source(ctx, value)
        if source is not None:
            same_file = source.file == ctx.resource.file

            def resolve(item: Any) -> Any:
                nonlocal same_file
                document, _base, nested_same_file = document_of(ctx, item, depth + 1)
                same_file = same_file and nested_same_file
                return document

            document = document_from_data_source(source.properties, resolve)
            return document, 0, same_file
    if isinstance(value, str):
        return value, _line_of_value(ctx.resource, value), True
    return value, getattr(value, "line", 0), True


def _statements(ctx: Context, value: Any) -> tuple[list[Statement] | None, str]:
    """Statements of the document at ``value``: (None, why) when the document is unknown."""
    document, base, same_file = document_of(ctx, value)
    if isinstance(document, Unknown):
        return None, f"policy document is unknown: {document.expr}"
    statements, _problems = read_document(document, base)
    if not same_file:  # a statement lies in another file: point at the attribute instead
        line = _line_of_value(ctx.resource, value)
        statements = [replace(s, line=line) for s in statements]
    return statements, ""


def _name(stmt: Statement) -> str:
    return f"statement {stmt.sid!r}" if stmt.sid else f"statement {stmt.index + 1}"


def _name_ja(stmt: Statement) -> str:
    """The statement as the subject of a Japanese sentence, ready for its particle."""
    return f"ステートメント {stmt.sid!r} " if stmt.sid else f"{stmt.index + 1} 番目のステートメント"


def _reading_statements(function: Any) -> Any:
    """Turn a function of the statements into a predicate of the document.

    No document: False. A document that cannot be read (unknown, malformed): unknown,
    with the reason. Otherwise the function decides, from the statements.
    """

    @functools.wraps(function)
    def predicate_of_document(ctx: Context, document: Any, args: dict) -> Verdict:
        if document is None:
            return False, ""
        statements, why = _statements(ctx, document)
        if statements is None:
            return None, why
        return function(ctx, statements, args)

    return predicate_of_document


def _first(statements: list[Statement], test: Any) -> Verdict:
    """True at the first statement where ``test`` holds; None if only an unknown could make one hold."""
    unknown: str | None = None
    for stmt in statements:
        answer, detail = test(stmt)
        if answer is True:
            en, ja = detail if isinstance(detail, tuple) else (detail, "")
            text = {"en": f"{_name(stmt)} {en}", "ja": f"{_name_ja(stmt)}が{ja}" if ja else ""}
            return True, text, stmt.line or None
        if answer is None and unknown is None:
            unknown = f"{_name(stmt)}: its effect, action or resource is unknown"
    if unknown:
        return None, unknown
    return False, ""


@predicate
@_reading_statements
def document_allows_public(ctx: Context, statements: list[Statement], args: dict) -> Verdict:
    """Does the document allow anyone (``*``, no pinning condition) one of ``args['actions']``?"""
    actions = args["actions"]
    public = public_statements(statements, actions)
    if public:
        first = public[0]
        granted = [a for a in actions if statement_grants(first, a)] or list(actions)
        listed = ", ".join(granted)
        text = {
            "en": f"{_name(first)} allows {listed} to any principal",
            "ja": f"{_name_ja(first)}が任意のプリンシパルに {listed} を許可しています",
        }
        return True, text, first.line or None
    if public_statements_unknown(statements, actions):
        return None, "a statement's principal, action or condition is unknown"
    return False, ""


@predicate
@_reading_statements
def document_grants_admin_access(ctx: Context, statements: list[Statement], args: dict) -> Verdict:
    """Does some statement allow ``"Action": "*"`` on ``"Resource": "*"``?"""
    admin = ('allows "Action": "*" on "Resource": "*"', '"Resource": "*" に対して "Action": "*" を許可しています')
    return _first(statements, lambda s: (grants_admin_access(s), admin))


@predicate
@_reading_statements
def document_grants_full_service_access(ctx: Context, statements: list[Statement], args: dict) -> Verdict:
    """Does some statement allow every action of a service (``"<service>:*"``, ``"*"``, or an Allow with NotAction)?"""

    def test(stmt: Statement) -> tuple[bool | None, str]:
        answer, what = full_access_actions(stmt)
        if what == "NotAction":
            return answer, (
                "allows every action outside its NotAction",
                "NotAction 以外のすべてのアクションを許可しています",
            )
        if what and not is_all_actions(what):
            return answer, (
                f"allows {what!r}, every action of a service",
                f"{what!r} (サービスのすべてのアクション) を許可しています",
            )
        return answer, (
            f"allows {what!r}, every action of every service",
            f"{what!r} (すべてのサービスのすべてのアクション) を許可しています",
        )

    return _first(statements, test)


@predicate
@_reading_statements
def document_allows_blocked_kms_actions(ctx: Context, statements: list[Statement], args: dict) -> Verdict:
    """Does some statement allow a blocked KMS action (``args['actions']``) on all KMS keys?"""
    patterns = split_patterns(args.get("actions"))

    def test(stmt: Statement) -> tuple[bool | None, str]:
        answer, granted = blocked_actions_on_all_keys(stmt, patterns)
        listed = ", ".join(granted) or ", ".join(patterns)
        return answer, (f"allows {listed} on all KMS keys", f"すべての KMS キーに対して {listed} を許可しています")

    return _first(statements, test)
