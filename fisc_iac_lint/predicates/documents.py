"""Predicates over IAM policy documents (bucket policies, key policies, trust policies)."""

from __future__ import annotations

from typing import Any

from ..model import Unknown
from . import Context, Verdict, predicate
from .iam import public_statements, public_statements_unknown, read_document, statement_grants


@predicate
def document_allows_public(ctx: Context, document: Any, args: dict) -> Verdict:
    """Does the document allow anyone (``*``, no pinning condition) one of ``args['actions']``?"""
    if document is None:
        return False, ""
    if isinstance(document, Unknown):
        return None, f"policy document is unknown: {document.expr}"
    statements, _problems = read_document(document, getattr(document, "line", 0))
    actions = args["actions"]
    public = public_statements(statements, actions)
    if public:
        first = public[0]
        what = f"statement {first.sid!r}" if first.sid else f"statement {first.index + 1}"
        granted = [a for a in actions if statement_grants(first, a)] or list(actions)
        return True, f"{what} allows {', '.join(granted)} to any principal", first.line or None
    if public_statements_unknown(statements, actions):
        return None, "a statement's principal, action or condition is unknown"
    return False, ""
