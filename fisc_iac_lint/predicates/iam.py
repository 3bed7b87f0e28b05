"""Read IAM policy documents and answer questions about them.

:func:`read_document` turns a policy document (a dict, a JSON string, or an
:class:`~fisc_iac_lint.model.Unknown`) into :class:`Statement` values with
every element normalised to tuples. The other functions answer questions about
those statements with three values: ``True``, ``False``, and ``None`` when an
``Unknown`` decides the answer.

Reading rules:

* Malformed parts (a number where a string is expected, a string
  where an object is expected, and so on) are reported as *problems* and read
  as an ``Unknown`` whose ``expr`` starts with ``malformed``. The reader never
  guesses and never raises.
* A statement that is itself ``Unknown`` (``Statement = [..., var.extra]``) is
  read as a statement in which everything is unknown. The predicates then
  answer ``None`` for it instead of dropping it.
* Effect is compared case-sensitively, the way IAM compares it. Action names
  and condition keys are compared case-insensitively.

Besides public access (resource policies), the module answers what the IAM
Config rules ask of identity policies, one statement at a time:
:func:`grants_admin_access` (``"Action": "*"`` on ``"Resource": "*"``),
:func:`full_access_actions` (``"<service>:*"``), and
:func:`blocked_actions_on_all_keys` (blocked KMS action patterns on all keys,
with wildcards on both sides, see :func:`patterns_overlap`).
:func:`document_from_data_source` renders a Terraform
``data "aws_iam_policy_document"`` into a document with the lines of its blocks.
"""

from __future__ import annotations

import ipaddress
import json
import json.decoder
import json.scanner
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from fisc_iac_lint.model import Mapping, Sequence, Unknown
from fisc_iac_lint.tristate import all3, any3

__all__ = [
    "PINNING_CONDITION_KEYS",
    "Statement",
    "action_matches",
    "allows",
    "blocked_actions_on_all_keys",
    "condition_pins_caller",
    "covers_all_keys",
    "document_from_data_source",
    "full_access_actions",
    "grants_admin_access",
    "grants_pattern",
    "is_all_actions",
    "is_allow",
    "is_service_wide",
    "on_all_kms_keys",
    "patterns_overlap",
    "principal_is_public",
    "public_statements",
    "public_statements_unknown",
    "read_document",
    "split_patterns",
    "statement_grants",
]

Strings = tuple[str | Unknown, ...]  # what Action, Resource and principal ids become


@dataclass(frozen=True)
class Statement:
    """One statement of a policy document, with every element normalised.

    ``actions`` is ``None`` when the statement uses ``NotAction`` and
    ``not_actions`` is ``None`` when it uses ``Action``. The same holds for the
    resource pair. Resources are both ``None`` when the statement has neither,
    as in a trust policy. ``principal`` is ``None`` (absent), ``"*"``, a dict
    ``{"AWS": ("*",), ...}`` or an ``Unknown``.

    ``condition`` is ``{operator: {key: values}}``. When an operator block or
    the whole Condition is ``Unknown``, the unknown operator or key is written
    as ``""`` and the ``Unknown`` is placed in the values, for example
    ``{"": {"": (Unknown(var.c),)}}``. Every ``Unknown`` in a condition is
    therefore inside a values tuple.
    """

    index: int
    line: int
    effect: str | Unknown
    actions: tuple[str | Unknown, ...] | None
    not_actions: tuple[str | Unknown, ...] | None
    resources: tuple[str | Unknown, ...] | None
    not_resources: tuple[str | Unknown, ...] | None
    principal: Any
    not_principal: Any
    condition: dict[str, dict[str, tuple[Any, ...]]]
    sid: str | None

    def __hash__(self) -> int:  # the dict fields would otherwise make hashing fail
        return hash((self.index, self.line, self.sid))


# --------------------------------------------------------------------------
# reading


_STATEMENT_KEYS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
_DOCUMENT_KEYS = frozenset({"Version", "Id", "Statement"})
_VERSIONS = ("2012-10-17", "2008-10-17")


def read_document(doc: Any, base_line: int = 0) -> tuple[list[Statement], list[str]]:
    """Read a policy document into statements, plus a list of problems.

    ``doc`` can be a dict, a JSON string, or an ``Unknown``. For a JSON string,
    the line of a statement is ``base_line`` plus the 1-based line of the text
    on which the statement object starts. So ``base_line`` is the line just
    before the text (for a heredoc, the ``<<EOF`` line). For a dict without
    line information, ``base_line`` is used as the fallback line.
    """
    if isinstance(doc, Unknown):
        return [], [f"policy document is unknown: {doc.expr}"]
    if isinstance(doc, str):
        try:
            doc = _parse_json(doc, base_line)
        except (ValueError, RecursionError) as exc:
            return [], [f"policy document is not valid JSON: {exc}"]
    if not isinstance(doc, dict):
        return [], [f"policy document must be an object, got {_describe(doc)}"]

    problems: list[str] = []
    fallback = _line(doc) or base_line
    for key in doc:
        if key not in _DOCUMENT_KEYS:
            problems.append(f"policy document has an unknown element {_describe(key)}")
    version = doc.get("Version")
    if version is not None and not isinstance(version, Unknown) and version not in _VERSIONS:
        problems.append(f"policy document has an invalid Version {_describe(version)}")
    if "Statement" not in doc:
        problems.append("policy document has no Statement")
        return [], problems

    raw = doc["Statement"]
    stmt_line = doc.line_of("Statement") if isinstance(doc, Mapping) else 0
    if isinstance(raw, (dict, Unknown)):
        items = [(raw, _line(raw) or stmt_line or fallback)]
    elif isinstance(raw, (list, tuple)):
        items = [
            (item, _line(item) or (raw.line_of(i) if isinstance(raw, Sequence) else 0) or stmt_line or fallback)
            for i, item in enumerate(raw)
        ]
    else:
        problems.append(f"Statement must be an object or a list, got {_describe(raw)}")
        return [], problems

    statements = []
    for index, (item, line) in enumerate(items):
        stmt = _read_statement(item, index, line, problems)
        if stmt is not None:
            statements.append(stmt)
    return statements, problems


def _read_statement(raw: Any, index: int, line: int, problems: list[str]) -> Statement | None:
    """Read one statement; ``None`` (with a problem) if it is not an object."""
    where = f"statement {index}" + (f" (line {line})" if line else "")
    if isinstance(raw, Unknown):
        problems.append(f"{where} is unknown: {raw.expr}")
        return Statement(index, line, raw, (raw,), None, (raw,), None, raw, None, {"": {"": (raw,)}}, None)
    if not isinstance(raw, dict):
        problems.append(f"{where} must be an object, got {_describe(raw)}")
        return None

    def report(message: str) -> None:
        problems.append(f"{where}: {message}")

    for key in raw:
        if key not in _STATEMENT_KEYS:
            report(f"unknown element {_describe(key)}")

    effect = raw.get("Effect")
    if effect is None:
        report("has no Effect")
        effect = ""
    elif isinstance(effect, str):
        if effect not in ("Allow", "Deny"):
            report(f'Effect must be exactly "Allow" or "Deny", got {effect!r}')
    elif not isinstance(effect, Unknown):
        report(f"Effect must be a string, got {_describe(effect)}")
        effect = _malformed("Effect", effect)

    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, (str, Unknown)):
        report(f"Sid must be a string, got {_describe(sid)}")
    sid = sid if isinstance(sid, str) else None

    actions, not_actions = _pair(raw, "Action", "NotAction", report)
    if actions is None and not_actions is None:
        report("has neither Action nor NotAction")
        actions = ()
    resources, not_resources = _pair(raw, "Resource", "NotResource", report)
    principal = _principal(raw, "Principal", report)
    not_principal = _principal(raw, "NotPrincipal", report)
    if principal is not None and not_principal is not None:
        report("has both Principal and NotPrincipal")
    condition = _condition(raw.get("Condition"), report)
    return Statement(
        index, line, effect, actions, not_actions, resources, not_resources, principal, not_principal, condition, sid
    )


def _pair(raw: dict, name: str, not_name: str, report: Any) -> tuple[Strings | None, Strings | None]:
    """Read an element and its Not- twin (Action/NotAction, Resource/NotResource)."""
    value = _strings(raw[name], name, report) if name in raw else None
    not_value = _strings(raw[not_name], not_name, report) if not_name in raw else None
    if value is not None and not_value is not None:
        report(f"has both {name} and {not_name}")
    return value, not_value


def _strings(value: Any, what: str, report: Any) -> Strings:
    """A string or a list of strings as a tuple; malformed items become Unknown."""
    if isinstance(value, (str, Unknown)):
        return (value,)
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if isinstance(item, (str, Unknown)):
                out.append(item)
            else:
                report(f"{what} items must be strings, got {_describe(item)}")
                out.append(_malformed(what, item))
        return tuple(out)
    report(f"{what} must be a string or a list of strings, got {_describe(value)}")
    return (_malformed(what, value),)


def _principal(raw: dict, what: str, report: Any) -> Any:
    """Normalise Principal/NotPrincipal: None, "*", {type: (ids...)} or Unknown."""
    if what not in raw:
        return None
    value = raw[what]
    if isinstance(value, Unknown) or value == "*":
        return value
    if isinstance(value, dict):
        out: dict[str, Strings] = {}
        for kind, ids in value.items():
            if isinstance(kind, str):
                out[kind] = _strings(ids, f"{what}.{kind}", report)
            else:
                report(f"{what} keys must be strings, got {_describe(kind)}")
        return out
    report(f'{what} must be "*" or an object, got {_describe(value)}')
    return _malformed(what, value)


def _condition(value: Any, report: Any) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Normalise Condition to {operator: {key: values}} (see :class:`Statement`)."""
    if value is None:
        return {}
    if isinstance(value, Unknown):
        return {"": {"": (value,)}}
    if not isinstance(value, dict):
        report(f"Condition must be an object, got {_describe(value)}")
        return {"": {"": (_malformed("Condition", value),)}}
    out: dict[str, dict[str, tuple[Any, ...]]] = {}
    for op, block in value.items():
        op = op if isinstance(op, str) else str(op)
        if isinstance(block, Unknown):
            out[op] = {"": (block,)}
        elif isinstance(block, dict):
            out[op] = {
                (key if isinstance(key, str) else str(key)): _condition_values(values, f"Condition.{op}", report)
                for key, values in block.items()
            }
        else:
            report(f"Condition operator {op!r} must map keys to values, got {_describe(block)}")
            out[op] = {"": (_malformed(f"Condition.{op}", block),)}
    return out


def _condition_values(value: Any, what: str, report: Any) -> tuple[Any, ...]:
    """Condition values as a tuple of scalars (str, int, float, bool) or Unknown."""
    scalar = (str, int, float, Unknown)  # bool is an int
    if isinstance(value, scalar):
        return (value,)
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if isinstance(item, scalar):
                out.append(item)
            else:
                report(f"{what} values must be scalars, got {_describe(item)}")
                out.append(_malformed(what, item))
        return tuple(out)
    report(f"{what} values must be a scalar or a list, got {_describe(value)}")
    return (_malformed(what, value),)


def _malformed(what: str, value: Any) -> Unknown:
    return Unknown(f"malformed {what}: {_describe(value)}")


def _describe(value: Any) -> str:
    """A short description of a value for messages. It never builds a large repr."""
    if isinstance(value, Unknown):
        return f"Unknown({value.expr})"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return type(value).__name__


def _line(value: Any) -> int:
    return value.line if isinstance(value, (Mapping, Sequence)) else 0


def _parse_json(text: str, base_line: int) -> Any:
    """Parse JSON text into Mapping objects whose ``line`` is base_line + text line."""
    newlines = []
    pos = text.find("\n")
    while pos != -1:
        newlines.append(pos)
        pos = text.find("\n", pos + 1)

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Mapping, int]:
        obj, end = json.decoder.JSONObject(s_and_end, *args)
        brace = s_and_end[1] - 1  # index of the "{"
        return Mapping(obj, line=base_line + 1 + bisect_left(newlines, brace)), end

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object  # the pure-Python scanner calls this hook
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder.decode(text)


# --------------------------------------------------------------------------
# actions


@lru_cache(maxsize=4096)
def _action_regex(pattern: str) -> re.Pattern[str]:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive; ``*`` is any run, ``?`` one character."""
    if not isinstance(pattern, str) or not isinstance(action, str):
        return False
    if pattern == "*":
        return True
    return _action_regex(pattern).fullmatch(action) is not None


def statement_grants(stmt: Statement, action: str) -> bool | None:
    """Whether the statement's action set covers ``action``. Effect is ignored.

    With Action: True if a pattern matches. With NotAction: True if no pattern
    matches. ``None`` when an Unknown pattern could change the answer.
    """
    if stmt.actions is not None:
        patterns, wanted = stmt.actions, True
    elif stmt.not_actions is not None:
        patterns, wanted = stmt.not_actions, False
    else:
        return False
    if any(action_matches(p, action) for p in patterns if isinstance(p, str)):
        return wanted
    if any(isinstance(p, Unknown) for p in patterns):
        return None
    return not wanted


def allows(statements: Iterable[Statement], action: str) -> bool | None:
    """Whether the statements allow ``action``. Principals and resources are ignored.

    The action is allowed when some ``Allow`` statement grants it and no
    *unconditional, everywhere* ``Deny`` grants it. That Deny has no
    Condition, no NotResource, and either Resource containing the literal
    ``"*"`` or no Resource at all (a trust policy). Conditional or
    resource-scoped Denies do not cancel. A linter therefore errs towards
    reporting. An Unknown Resource in a Deny counts as scoped. A statement
    whose Effect is Unknown may be either an Allow or a Deny.
    """
    statements = list(statements)
    allowed: bool | None = False
    for stmt in statements:
        if stmt.effect == "Allow" or isinstance(stmt.effect, Unknown):
            allowed = any3([allowed, _maybe(stmt, statement_grants(stmt, action))])
    if allowed is False:
        return False
    denied: bool | None = False
    for stmt in statements:
        if (stmt.effect == "Deny" or isinstance(stmt.effect, Unknown)) and _denies_everywhere(stmt):
            denied = any3([denied, _maybe(stmt, statement_grants(stmt, action))])
    if denied is True:
        return False
    return None if denied is None else allowed


def _denies_everywhere(stmt: Statement) -> bool:
    return not stmt.condition and stmt.not_resources is None and (stmt.resources is None or "*" in stmt.resources)


def _maybe(stmt: Statement, answer: bool | None) -> bool | None:
    """An answer for a statement whose Effect may be Unknown: True becomes None."""
    return None if answer and isinstance(stmt.effect, Unknown) else answer


# --------------------------------------------------------------------------
# principals and conditions


def principal_is_public(stmt: Statement) -> bool | None:
    """Whether the statement applies to anyone: ``Principal`` is ``"*"`` or ``{"AWS": "*"}``.

    ``"*"`` may also be one item of an ``AWS`` list. A statement that uses
    ``NotPrincipal`` applies to everyone except the listed principals, so it
    is public, whatever its Effect. The exception is a NotPrincipal that
    excludes ``"*"`` itself. Other principal types (Service, Federated,
    CanonicalUser) never make a statement public. ``None`` when an Unknown
    could change the answer.
    """
    public = _aws_star(stmt.principal)
    if stmt.not_principal is not None:
        excludes_all = _aws_star(stmt.not_principal)
        public = any3([public, None if excludes_all is None else not excludes_all])
    return public


def _aws_star(principal: Any) -> bool | None:
    """Whether a normalised principal contains ``"*"`` or ``{"AWS": "*"}``."""
    if principal is None:
        return False
    if isinstance(principal, Unknown):
        return None
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return None
    answer: bool | None = False
    for kind, ids in principal.items():
        if isinstance(kind, str) and kind.upper() == "AWS":
            for value in ids:
                answer = any3([answer, None if isinstance(value, Unknown) else value == "*"])
    return answer


# Condition keys that pin a "*" principal to known callers, in lower case.
# The list follows the Amazon S3 User Guide, "Blocking public access to your
# Amazon S3 storage" > "The meaning of public". A policy is non-public when it
# grants access only to fixed values of these keys. The organisation keys are
# the ones IAM Access Analyzer also treats as non-public. Deliberately left
# out: aws:username (user names are not unique across accounts),
# aws:ResourceAccount (it names the resource's own account, not the caller),
# aws:CalledVia and aws:PrincipalServiceName (they name a service, not a
# caller).
PINNING_CONDITION_KEYS: frozenset[str] = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:userid",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    }
)

# Operators under which a pinning key pins (lower case, without ForAnyValue:).
# ...IfExists variants do not pin because a missing key passes. ForAllValues:
# does not pin because an empty set passes. Negated operators do not pin.
_EXACT_OPERATORS = frozenset({"stringequals", "stringequalsignorecase"})
_LIKE_OPERATORS = frozenset({"stringlike", "arnequals", "arnlike"})
_IP_OPERATOR = "ipaddress"
_MIN_PREFIX = {4: 8, 6: 32}  # shorter (wider) prefixes are not pinning


def condition_pins_caller(stmt: Statement) -> bool | None:
    """Whether the statement's Condition pins a public principal to known callers.

    True when some pinning key (see :data:`PINNING_CONDITION_KEYS`) is tested
    under a positive operator and all of its values are fixed. The positive
    operators are StringEquals, StringEqualsIgnoreCase, StringLike,
    ArnEquals, ArnLike and IpAddress, optionally with ``ForAnyValue:``.
    Conditions are ANDed, so one pinning key is enough. ``None`` when only an
    Unknown could make it pin. ``None`` is falsy, so ``if
    condition_pins_caller(s)`` treats unknown as not pinned.
    """
    answer: bool | None = False
    for op, block in stmt.condition.items():
        for key, values in block.items():
            answer = any3([answer, _pins(op, key, values)])
            if answer is True:
                return True
    return answer


def _pins(op: str, key: str, values: tuple[Any, ...]) -> bool | None:
    """Whether one ``op: {key: values}`` test pins the caller."""
    op_l, key_l = op.lower(), key.lower()
    if op_l.startswith("foranyvalue:"):
        op_l = op_l[len("foranyvalue:") :]
    if key_l and key_l not in PINNING_CONDITION_KEYS:
        return False
    if op_l and op_l not in _EXACT_OPERATORS | _LIKE_OPERATORS | {_IP_OPERATOR}:
        return False
    if not op_l or not key_l:  # an Unknown operator block or Condition
        return None
    if (op_l == _IP_OPERATOR) != (key_l == "aws:sourceip") or not values:
        return False
    answer: bool | None = True
    for value in values:
        answer = all3([answer, None if isinstance(value, Unknown) else _fixed(op_l, key_l, value)])
    return answer


def _fixed(op: str, key: str, value: Any) -> bool:
    """Whether a condition value names a fixed set of callers (S3's "fixed values").

    A fixed value has no wildcard and no policy variable. Some wildcarded values
    still pin because the caller's identity is fixed:

    * an ARN whose account field is a fixed account,
    * ``aws:PrincipalOrgPaths`` / ``aws:SourceOrgPaths`` whose organisation ID
      (the first path segment) is fixed,
    * ``aws:userid`` whose unique ID (the part before ``:``) is fixed.

    Under StringEquals a ``*`` is a literal character, not a wildcard.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    value = str(value).strip()
    if not value or "${" in value:
        return False
    if op == _IP_OPERATOR:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return False
        return network.prefixlen >= _MIN_PREFIX[network.version]
    if op in _EXACT_OPERATORS or not _has_wildcard(value):
        return True
    if key in ("aws:principalorgpaths", "aws:sourceorgpaths"):
        return _is_fixed_id(value.split("/", 1)[0])
    if key == "aws:userid":
        return ":" in value and _is_fixed_id(value.split(":", 1)[0])
    if value.lower().startswith("arn:"):
        parts = value.split(":", 5)
        return len(parts) == 6 and _is_fixed_id(parts[4])
    return False


def _has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


def _is_fixed_id(value: str) -> bool:
    return bool(value) and not _has_wildcard(value)


# --------------------------------------------------------------------------
# public access


def _public_grant(stmt: Statement, actions: tuple[str, ...]) -> bool | None:
    """Whether ``stmt`` is a public, unpinned Allow granting one of ``actions``."""
    if isinstance(stmt.effect, Unknown):
        is_allow: bool | None = None
    else:
        is_allow = stmt.effect == "Allow"
    if is_allow is False:
        return False
    pinned = condition_pins_caller(stmt)
    grants: bool | None = False
    for action in actions:
        grants = any3([grants, statement_grants(stmt, action)])
    return all3([is_allow, principal_is_public(stmt), None if pinned is None else not pinned, grants])


def _actions_tuple(actions: Iterable[str]) -> tuple[str, ...]:
    return (actions,) if isinstance(actions, str) else tuple(actions)


def public_statements(statements: Iterable[Statement], actions: Iterable[str]) -> list[Statement]:
    """Allow statements that certainly grant one of ``actions`` to the public.

    A statement counts when its principal is public, no condition pins the
    caller, and its Action/NotAction covers one of ``actions``. Wildcards in the
    statement count, so ``s3:*`` grants ``s3:GetObject``. Statements where an
    Unknown decides the answer are left out. See
    :func:`public_statements_unknown`.
    """
    wanted = _actions_tuple(actions)
    return [s for s in statements if _public_grant(s, wanted) is True]


def public_statements_unknown(statements: Iterable[Statement], actions: Iterable[str]) -> list[Statement]:
    """Statements that :func:`public_statements` cannot decide because of an Unknown."""
    wanted = _actions_tuple(actions)
    return [s for s in statements if _public_grant(s, wanted) is None]


# --------------------------------------------------------------------------
# permissions granted by identity policies (the IAM Config rules)


def is_allow(stmt: Statement) -> bool | None:
    """Whether the statement is an Allow; ``None`` when its Effect is Unknown."""
    if isinstance(stmt.effect, Unknown):
        return None
    return stmt.effect == "Allow"


_ALL_ACTIONS = re.compile(r"\*+(:\*+)?")
_SERVICE_WIDE = re.compile(r"[A-Za-z0-9_-]+:\*+")


def is_all_actions(pattern: Any) -> bool:
    """``*`` (or ``*:*``): every action of every service."""
    return isinstance(pattern, str) and _ALL_ACTIONS.fullmatch(pattern.strip()) is not None


def is_service_wide(pattern: Any) -> bool:
    """``<service>:*``: every action of one service (``s3:*``), not ``s3:Get*``."""
    return isinstance(pattern, str) and _SERVICE_WIDE.fullmatch(pattern.strip()) is not None


def _any3(items: Iterable[Any], test: Any) -> bool | None:
    """True if ``test`` holds for a known item; None if only an Unknown item could make it hold."""
    answer: bool | None = False
    for item in items:
        if isinstance(item, Unknown):
            answer = None
        elif test(item):
            return True
    return answer


def grants_admin_access(stmt: Statement) -> bool | None:
    """An Allow of ``"Action": "*"`` on ``"Resource": "*"`` (IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS).

    Only the Action element counts (a NotAction is not ``"Action": "*"``), and only
    the literal resource ``*`` (a NotResource does not count). Conditions are not read.
    """
    if stmt.actions is None or stmt.resources is None:
        return False
    return all3(
        [
            is_allow(stmt),
            _any3(stmt.actions, is_all_actions),
            _any3(stmt.resources, lambda r: r.strip() == "*"),
        ]
    )


def full_access_actions(stmt: Statement) -> tuple[bool | None, str]:
    """Whether an Allow grants every action of some service (IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS).

    ``"Action": "<service>:*"`` or ``"*"``, on any resource; or ``NotAction`` in an
    Allow, which grants every action of every service it does not name. Returns the
    answer and the element that decided it.
    """
    allow = is_allow(stmt)
    if allow is False:
        return False, ""
    if stmt.not_actions is not None:
        return all3([allow, True]), "NotAction"
    if stmt.actions is None:
        return False, ""
    hit = next((a for a in stmt.actions if is_service_wide(a) or is_all_actions(a)), None)
    if hit is not None:
        return all3([allow, True]), hit
    return all3([allow, _any3(stmt.actions, lambda a: False)]), ""


def patterns_overlap(a: str, b: str) -> bool:
    """Whether some action name matches both IAM patterns (``*`` and ``?``, case-insensitive)."""
    a, b = a.lower(), b.lower()
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            todo.append((i + 1, j))
        if j < len(b) and b[j] == "*":
            todo.append((i, j + 1))
        if i < len(a) and j < len(b):
            ca, cb = a[i], b[j]
            if ca in "*?" or cb in "*?" or ca == cb:
                todo.append((i if ca == "*" else i + 1, j if cb == "*" else j + 1))
    return False


def grants_pattern(stmt: Statement, pattern: str) -> bool | None:
    """Whether the statement's Action/NotAction covers some action of ``pattern`` (Effect ignored).

    With Action: some item overlaps the pattern. With NotAction: the pattern is not
    wholly excluded (no NotAction item matches all of it).
    """
    if stmt.actions is not None:
        return _any3(stmt.actions, lambda p: patterns_overlap(p, pattern))
    if stmt.not_actions is not None:
        excluded = _any3(stmt.not_actions, lambda p: action_matches(p, pattern))
        return None if excluded is None else not excluded
    return False


# Key ARNs of different regions, accounts and ids: a resource pattern matching all of
# them covers every KMS key.
_KEY_ARNS = (
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms:ap-northeast-2:444455556666:key/mrk-0f1e2d3c4b5a69788796a5b4c3d2e1f0",
)


def covers_all_keys(pattern: str) -> bool:
    """Whether a Resource pattern names every KMS key: ``*`` or e.g. ``arn:aws:kms:*:*:key/*``."""
    return all(action_matches(pattern.strip(), arn) for arn in _KEY_ARNS)


def on_all_kms_keys(stmt: Statement) -> bool | None:
    """Whether the statement applies to all KMS keys.

    Resource: some item covers every key. NotResource: unless an item covers every
    key, the statement applies to all keys but a few, counted as all. No Resource at
    all (not valid in an identity policy) counts as all.
    """
    if stmt.resources is not None:
        return _any3(stmt.resources, covers_all_keys)
    if stmt.not_resources is not None:
        excluded = _any3(stmt.not_resources, covers_all_keys)
        return None if excluded is None else not excluded
    return True


def split_patterns(patterns: Any) -> tuple[str, ...]:
    """A parameter given as a list or as the pack's comma-separated string."""
    if isinstance(patterns, str):
        patterns = patterns.split(",")
    return tuple(p.strip() for p in patterns or () if isinstance(p, str) and p.strip())


def blocked_actions_on_all_keys(stmt: Statement, patterns: Iterable[str]) -> tuple[bool | None, list[str]]:
    """An Allow of a blocked KMS action pattern on all KMS keys; conditions are not read.

    Mirrors IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS / IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS
    (Security Hub KMS.1 / KMS.2). Returns the answer and the blocked patterns granted.
    """
    allow = is_allow(stmt)
    if allow is False:
        return False, []
    granted: list[str] = []
    grants: bool | None = False
    for pattern in split_patterns(patterns):
        answer = grants_pattern(stmt, pattern)
        if answer is True:
            granted.append(pattern)
        grants = any3([grants, answer])
    return all3([allow, grants, on_all_kms_keys(stmt)]), granted


# --------------------------------------------------------------------------
# Terraform data "aws_iam_policy_document"


def document_from_data_source(props: Any, resolve: Any = None) -> Any:
    """Build the policy document a ``data "aws_iam_policy_document"`` renders.

    ``props`` are the data source's evaluated arguments. ``resolve(value)`` turns an
    item of ``source_policy_documents`` / ``override_policy_documents`` into a
    document (dict, JSON string or Unknown); without it such items are Unknown.
    Statements keep the lines of their blocks. Statements with a Sid replace those
    with the same Sid from source documents; override documents replace by Sid
    last, as the provider merges them.
    """
    if not isinstance(props, dict):
        return Unknown("aws_iam_policy_document: unreadable arguments")
    resolve = resolve or (lambda value: value)

    def statements_of(items: Any) -> list[Any] | Unknown:
        if isinstance(items, Unknown):
            return items
        out: list[Any] = []
        for item in items if isinstance(items, list) else [items]:
            document = resolve(item)
            if isinstance(document, str):
                try:
                    document = json.loads(document)
                except ValueError:
                    return Unknown("a source document is not valid JSON")
            if isinstance(document, Unknown):
                return document
            if not isinstance(document, dict):
                return Unknown("a source document is not an object")
            raw = document.get("Statement", [])
            out.extend(raw if isinstance(raw, list) else [raw])
        return out

    def merge(base: list[Any], extra: list[Any]) -> list[Any]:
        merged = list(base)
        for stmt in extra:
            sid = stmt.get("Sid") if isinstance(stmt, dict) else None
            index = next((i for i, s in enumerate(merged) if sid and isinstance(s, dict) and s.get("Sid") == sid), None)
            if index is None:
                merged.append(stmt)
            else:
                merged[index] = stmt
        return merged

    def merge_documents(statements: list[Any], keys: tuple[str, str]) -> list[Any]:
        for key in keys:
            if key in props:
                found = statements_of(props[key])
                statements = statements + [found] if isinstance(found, Unknown) else merge(statements, found)
        return statements

    statements = merge_documents([], ("source_policy_documents", "source_json"))
    own: list[Any] = []
    blocks = props.get("statement", [])
    for block in blocks if isinstance(blocks, list) else [blocks]:
        own.append(block if isinstance(block, Unknown) else _statement_from_block(block))
    statements = merge_documents(merge(statements, own), ("override_policy_documents", "override_json"))
    line = props.line if isinstance(props, Mapping) else 0
    seq = Sequence(statements, line=line)
    seq.item_lines = [_line(s) or line for s in statements]
    document = Mapping({"Version": props.get("version", "2012-10-17"), "Statement": seq}, line=line)
    document.key_lines = {"Statement": line}
    return document


_BLOCK_KEYS = {
    "sid": "Sid",
    "effect": "Effect",
    "actions": "Action",
    "not_actions": "NotAction",
    "resources": "Resource",
    "not_resources": "NotResource",
}


def _statement_from_block(block: Any) -> Any:
    if not isinstance(block, dict):
        return Unknown("malformed statement block")
    line = _line(block)
    out = Mapping({"Effect": "Allow"}, line=line)
    out.key_lines["Effect"] = line
    for key, name in _BLOCK_KEYS.items():
        if key in block:
            out[name] = block[key]
            out.key_lines[name] = block.line_of(key) if isinstance(block, Mapping) else line
    for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if key in block:
            out[name] = _principals(block[key])
            out.key_lines[name] = block.line_of(key) if isinstance(block, Mapping) else line
    if "condition" in block:
        out["Condition"] = _conditions(block["condition"])
        out.key_lines["Condition"] = block.line_of("condition") if isinstance(block, Mapping) else line
    return out


def _principals(blocks: Any) -> Any:
    if isinstance(blocks, Unknown):
        return blocks
    out: dict[str, Any] = {}
    for block in blocks if isinstance(blocks, list) else [blocks]:
        if isinstance(block, Unknown) or not isinstance(block, dict):
            return block if isinstance(block, Unknown) else Unknown("malformed principals block")
        kind, ids = block.get("type"), block.get("identifiers", [])
        if isinstance(kind, Unknown):
            return kind
        if kind == "*":
            return "*"
        ids = list(ids) if isinstance(ids, list) else [ids]
        out.setdefault(str(kind), []).extend(ids)
    return out


def _conditions(blocks: Any) -> Any:
    if isinstance(blocks, Unknown):
        return blocks
    out: dict[str, dict[str, Any]] = {}
    for block in blocks if isinstance(blocks, list) else [blocks]:
        if isinstance(block, Unknown) or not isinstance(block, dict):
            return block if isinstance(block, Unknown) else Unknown("malformed condition block")
        test, variable = block.get("test"), block.get("variable")
        if isinstance(test, Unknown) or isinstance(variable, Unknown):
            return test if isinstance(test, Unknown) else variable
        values = block.get("values", [])
        out.setdefault(str(test), {}).setdefault(str(variable), [])
        out[str(test)][str(variable)].extend(values if isinstance(values, list) else [values])
    return out
