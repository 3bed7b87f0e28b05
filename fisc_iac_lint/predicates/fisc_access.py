"""FISC access control (FISCSEC1-BP01 / BP02): resource and trust policies open to the
public or to foreign accounts, buckets reachable only through VPC endpoints, and network
ACL entries that open administration ports to the internet.

Documents are read with :mod:`.documents` / :mod:`.iam` (CloudFormation mappings and
JSON strings, Terraform ``jsonencode``, heredocs and ``data "aws_iam_policy_document"``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace
from typing import Any

from .. import engine  # the engine imports the predicates: use its functions at call time only
from ..model import Mapping, Unknown, as_number
from . import Context, Verdict, predicate
from .documents import _name, _name_ja, _statements
from .iam import Statement, action_matches, condition_pins_caller, principal_is_public
from .network import any_address

_ACCOUNT = re.compile(r"^\d{12}$")
_ARN_ACCOUNT = re.compile(r"^arn:[^:]*:(?:iam|sts):[^:]*:(\d{12}):", re.IGNORECASE)
_OWN_ACCOUNT = re.compile(r"AWS::AccountId|aws_caller_identity\.[A-Za-z0-9_-]+(\[[^\]]*\])?\.account_id")

_EXACT = {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}
_NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike"}


def _where(document: Any, stmt: Statement) -> int | None:
    """The statement's line; None (the property's line) for a one-line JSON string, whose
    statement lines the reader would place on the line after the property."""
    if isinstance(document, str) and "\n" not in document.strip():
        return None
    return stmt.line or None


def _allow(stmt: Statement) -> bool | None:
    if isinstance(stmt.effect, Unknown):
        return None
    return stmt.effect == "Allow"


def _ops(stmt: Statement) -> list[tuple[str, str, tuple[Any, ...]]]:
    """(operator lower case without ForAnyValue:, key lower case, values) of every condition test."""
    out = []
    for op, block in stmt.condition.items():
        name = op.lower()
        name = name.removeprefix("foranyvalue:")
        for key, values in block.items():
            out.append((name, key.lower(), values))
    return out


def _condition_unknown(stmt: Statement) -> bool:
    return any(not op or not key or any(isinstance(v, Unknown) for v in values) for op, key, values in _ops(stmt))


def _fixed(value: Any) -> bool:
    return (
        isinstance(value, (str, int))
        and not isinstance(value, bool)
        and str(value).strip() != ""
        and not any(c in str(value) for c in "*?$")
    )


def _pinned_by(stmt: Statement, keys: set[str], trusted: dict[str, list[str]] | None = None) -> bool | None:
    """Does a positive test of one of ``keys`` (lower case) hold only fixed values?

    ``aws:sourceip`` needs IpAddress with a prefix of at least /8 (/32 for IPv6);
    ``aws:multifactorauthpresent`` needs Bool true. With ``trusted`` (key -> allowed
    values), a key listed there must use only those values (when the list is non-empty).
    """
    answer: bool | None = False
    for op, key, values in _ops(stmt):
        if key not in keys or not values:
            continue
        if any(isinstance(v, Unknown) for v in values):
            answer = None if answer is False else answer
            continue
        if key == "aws:sourceip":
            ok = op == "ipaddress" and all(_narrow(v) for v in values)
        elif key == "aws:multifactorauthpresent":
            ok = op == "bool" and all(str(v).lower() == "true" for v in values)
        else:
            ok = op in _EXACT and all(_fixed(v) for v in values)
            allowed = (trusted or {}).get(key)
            if ok and allowed:
                ok = all(str(v) in allowed for v in values)
        if ok:
            return True
    return answer


def _narrow(value: Any) -> bool:
    try:
        network = ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        return False
    return network.prefixlen >= (8 if network.version == 4 else 32)


_KMS_PINNING = {"kms:calleraccount"}


_OWN_ID = "000000000000"  # stands for this account's id, which a template cannot know


def _own_values(ctx: Context, stmt: Statement) -> Statement:
    """The statement with condition values that are this account's id (AWS::AccountId,
    aws_caller_identity) replaced by a fixed placeholder, so that they pin."""
    condition = {
        op: {
            key: tuple(_OWN_ID if isinstance(v, Unknown) and _OWN_ACCOUNT.search(v.expr) else v for v in values)
            for key, values in block.items()
        }
        for op, block in stmt.condition.items()
    }
    return replace(stmt, condition=condition)


def _pins_caller(stmt: Statement) -> bool | None:
    """The S3/Access Analyzer pinning keys, plus kms:CallerAccount (key policies)."""
    answer = condition_pins_caller(stmt)
    if answer is True:
        return True
    extra = _pinned_by(stmt, _KMS_PINNING)
    return True if extra is True else (None if None in (answer, extra) else False)


def _public(ctx: Context, stmt: Statement) -> bool | None:
    """:func:`.iam.principal_is_public`, except that an unresolved principal id that is
    this account (AWS::AccountId, aws_caller_identity, a resource defined here) is not "*"."""
    answer = principal_is_public(stmt)
    if answer is not None:
        return answer

    def known(principal: Any) -> Any:
        if isinstance(principal, dict):
            return {
                kind: tuple(i for i in ids if not (isinstance(i, Unknown) and _own(ctx, i)))
                for kind, ids in principal.items()
            }
        return principal

    return principal_is_public(replace(stmt, principal=known(stmt.principal), not_principal=known(stmt.not_principal)))


def _literal_actions_within(stmt: Statement, excluded: list[str]) -> bool:
    """Is every action the statement grants one of ``excluded`` (literal actions only)?"""
    if stmt.actions is None or not excluded:
        return False
    for pattern in stmt.actions:
        if not isinstance(pattern, str) or "*" in pattern or "?" in pattern:
            return False
        if not any(action_matches(e, pattern) for e in excluded):
            return False
    return True


def _shown_actions(stmt: Statement) -> str:
    if stmt.actions is None:
        return "every action outside its NotAction"
    return ", ".join(a if isinstance(a, str) else a.expr for a in stmt.actions) or "no action"


@predicate
def document_allows_public_unpinned(ctx: Context, document: Any, args: dict) -> Verdict:
    """Does some Allow statement grant an action to anyone ("*", {"AWS": "*"} or NotPrincipal)
    without a condition pinning the caller?

    Pinning: :func:`.iam.condition_pins_caller` (aws:SourceVpce, aws:PrincipalOrgID,
    aws:SourceAccount, aws:SourceArn ... with fixed values) or a fixed kms:CallerAccount.
    ``args['exclude_actions']``: a statement granting only these literal actions is left to
    another policy (the S3 public read/write rules).
    """
    if document is None:
        return False, ""
    statements, why = _statements(ctx, document)
    if statements is None:
        return None, {"en": why, "ja": f"ポリシードキュメントが不明です: {why}"}
    excluded = list(args.get("exclude_actions") or [])
    unknown = None
    for stmt in statements:
        public = _public(ctx, stmt)
        allow = _allow(stmt)
        pinned = _pins_caller(_own_values(ctx, stmt))
        if public is False or allow is False or pinned is True:
            continue
        if _literal_actions_within(stmt, excluded):
            continue
        if public is None or allow is None or pinned is None:
            unknown = unknown or stmt
            continue
        actions = _shown_actions(stmt)
        return (
            True,
            {
                "en": f"{_name(stmt)} allows {actions} to any principal without a condition pinning the caller",
                "ja": f"{_name_ja(stmt)}が呼び出し元を限定する条件なしに任意のプリンシパルに {actions} を許可しています",
            },
            _where(document, stmt),
        )
    if unknown is not None:
        return None, {
            "en": f"{_name(unknown)}: its effect, principal or condition is unknown",
            "ja": f"{_name_ja(unknown)}の Effect、プリンシパルまたは条件が不明です",
        }
    return False, ""


# --------------------------------------------------------------------------
# foreign accounts


def _trusted(ctx: Context, args: dict) -> set[str]:
    """The accounts of ``args['trusted_account_ids']``, and this account's id when it is given."""
    trusted = {str(a).strip() for a in args.get("trusted_account_ids") or []}
    own = ctx.graph.template.account_id
    return trusted | {own} if own else trusted


def _own(ctx: Context, value: Unknown) -> bool:
    """An unresolved principal that is this account: AWS::AccountId, aws_caller_identity, or
    a reference to a resource defined here (a role's ARN)."""
    if _OWN_ACCOUNT.search(value.expr):
        return True
    if value.refs:
        targets = [ctx.graph.by_name.get(r.target) for r in value.refs]
        return all(t is not None and t.kind == "resource" for t in targets)
    return False


def _account_of(ctx: Context, value: Any) -> tuple[str | None, bool | None]:
    """(account id, foreign?) of one principal id: None for "*" and non-account values; foreign None when unknown."""
    if isinstance(value, Unknown):
        return (None, False) if _own(ctx, value) else (value.expr, None)
    if not isinstance(value, str):
        return None, False
    text = value.strip()
    if _ACCOUNT.match(text):
        return text, True
    match = _ARN_ACCOUNT.match(text)
    if match:
        return match.group(1), True
    return None, False


def _arn_account(value: str) -> str | None:
    parts = value.split(":", 5)
    if len(parts) == 6 and value.lower().startswith("arn:") and _ACCOUNT.match(parts[4]):
        return parts[4]
    return None


_CONDITION_ACCOUNT_KEYS = {"aws:principalaccount", "aws:sourceaccount", "aws:sourceowner", "kms:calleraccount"}
_CONDITION_ARN_KEYS = {"aws:principalarn", "aws:sourcearn"}
_ORG_KEYS = {"aws:principalorgid", "aws:principalorgpaths"}


def _foreign_accounts(ctx: Context, stmt: Statement, trusted: set[str]) -> tuple[list[str], list[str]]:
    """(foreign account ids, unresolved principal expressions) that the statement grants."""
    found: list[str] = []
    unknown: list[str] = []

    def add(account: str | None, foreign: bool | None) -> None:
        if foreign is None and account:
            unknown.append(account)
        elif foreign and account and account not in trusted and account not in found:
            found.append(account)

    principal = stmt.principal
    if isinstance(principal, Unknown):
        if not _own(ctx, principal):
            unknown.append(principal.expr)
    elif isinstance(principal, dict):
        for kind, ids in principal.items():
            if isinstance(kind, str) and kind.upper() == "AWS":
                for value in ids:
                    add(*_account_of(ctx, value))
    # a "*" or service principal narrowed to an account by a condition names that account
    for op, key, values in _ops(stmt):
        if op not in _EXACT:
            continue
        for value in values:
            if isinstance(value, Unknown):
                continue
            text = str(value).strip()
            if key in _CONDITION_ACCOUNT_KEYS and _ACCOUNT.match(text):
                add(text, True)
            elif key in _CONDITION_ARN_KEYS:
                account = _arn_account(text)
                if account:
                    add(account, True)
    return found, unknown


def _org_pinned(stmt: Statement, args: dict) -> bool | None:
    orgs = [str(o) for o in args.get("trusted_organization_ids") or []]
    return _pinned_by(stmt, _ORG_KEYS, {"aws:principalorgid": orgs} if orgs else None)


@predicate
def document_allows_untrusted_account(ctx: Context, document: Any, args: dict) -> Verdict:
    """Does some Allow statement grant access to an AWS account that is neither this one nor
    in ``args['trusted_account_ids']``, without an aws:PrincipalOrgID / aws:PrincipalOrgPaths
    condition (limited to ``args['trusted_organization_ids']`` when given)?

    Accounts are read from Principal.AWS (account ids, IAM and STS ARNs) and from fixed
    values of aws:PrincipalAccount, aws:SourceAccount, aws:SourceOwner, kms:CallerAccount,
    aws:PrincipalArn and aws:SourceArn. This account is AWS::AccountId,
    data.aws_caller_identity, or a resource defined in the template.
    """
    if document is None:
        return False, ""
    statements, why = _statements(ctx, document)
    if statements is None:
        return None, {"en": why, "ja": f"ポリシードキュメントが不明です: {why}"}
    trusted = _trusted(ctx, args)
    unknown = None
    for stmt in statements:
        allow = _allow(stmt)
        if allow is False:
            continue
        foreign, unresolved = _foreign_accounts(ctx, stmt, trusted)
        if not foreign and not unresolved:
            continue
        org = _org_pinned(stmt, args)
        if org is True:
            continue
        if foreign and allow and org is False:
            listed = ", ".join(foreign)
            return (
                True,
                {
                    "en": f"{_name(stmt)} grants access to the untrusted account(s) {listed}",
                    "ja": f"{_name_ja(stmt)}が信頼されていないアカウント {listed} にアクセスを許可しています",
                },
                _where(document, stmt),
            )
        unknown = unknown or (stmt, (unresolved or foreign)[0])
    if unknown is not None:
        stmt, what = unknown
        return None, {
            "en": f"{_name(stmt)}: principal or condition is unknown ({what})",
            "ja": f"{_name_ja(stmt)}のプリンシパルまたは条件が不明です ({what})",
        }
    return False, ""


@predicate
def trust_policy_allows_untrusted_principal(ctx: Context, document: Any, args: dict) -> Verdict:
    """Does a role trust policy let anyone, or a foreign account, assume the role unpinned?

    An Allow whose principal is public ("*", {"AWS": "*"}, NotPrincipal) needs a condition
    that pins the caller (:func:`.iam.condition_pins_caller`). An Allow naming an AWS
    account other than this one and ``args['trusted_account_ids']`` needs a positive test
    with fixed values of one of ``args['condition_keys']`` (sts:ExternalId,
    aws:PrincipalOrgID, aws:SourceIp ...; aws:SourceIp needs IpAddress, and
    aws:MultiFactorAuthPresent needs Bool true). Service and federated principals are not
    evaluated.
    """
    if document is None:
        return False, ""
    statements, why = _statements(ctx, document)
    if statements is None:
        return None, {"en": why, "ja": f"ポリシードキュメントが不明です: {why}"}
    trusted = _trusted(ctx, args)
    keys = {str(k).lower() for k in args.get("condition_keys") or []}
    unknown = None
    for stmt in statements:
        allow = _allow(stmt)
        if allow is False:
            continue
        public = _public(ctx, stmt)
        if public is not False:
            pinned = condition_pins_caller(_own_values(ctx, stmt))
            if pinned is True:
                continue
            if public is True and allow and pinned is False:
                return (
                    True,
                    {
                        "en": f"{_name(stmt)} lets any AWS principal assume the role without a condition pinning the caller",
                        "ja": f"{_name_ja(stmt)}が呼び出し元を限定する条件なしに任意の AWS プリンシパルにロールの引き受けを許可しています",
                    },
                    _where(document, stmt),
                )
            unknown = unknown or stmt
            continue
        foreign, unresolved = _foreign_accounts(ctx, stmt, trusted)
        if not foreign and not unresolved:
            continue
        pinned = _pinned_by(stmt, keys)
        if pinned is True:
            continue
        if foreign and allow and pinned is False:
            listed = ", ".join(foreign)
            shown = ", ".join(sorted(args.get("condition_keys") or []))
            return (
                True,
                {
                    "en": f"{_name(stmt)} trusts the external account(s) {listed} without a condition on {shown}",
                    "ja": f"{_name_ja(stmt)}が {shown} の条件なしに外部アカウント {listed} を信頼しています",
                },
                _where(document, stmt),
            )
        unknown = unknown or stmt
    if unknown is not None:
        return None, {
            "en": f"{_name(unknown)}: its effect, principal or condition is unknown",
            "ja": f"{_name_ja(unknown)}の Effect、プリンシパルまたは条件が不明です",
        }
    return False, ""


# --------------------------------------------------------------------------
# buckets reachable only through VPC endpoints

_VPC_KEYS = {"aws:sourcevpce", "aws:sourcevpc"}


def _denies_outside_vpc(
    stmt: Statement, required: list[str], exceptions: set[str], approved: set[str] = frozenset()
) -> bool | None:
    if isinstance(stmt.effect, Unknown):
        return None
    if stmt.effect != "Deny":
        return False
    public = principal_is_public(stmt)
    if public is not True:
        return public
    for action in required:
        if stmt.actions is not None:
            granted = any(action_matches(a, action) for a in stmt.actions if isinstance(a, str))
            if not granted:
                return None if any(isinstance(a, Unknown) for a in stmt.actions) else False
        elif stmt.not_actions is not None and any(
            action_matches(a, action) for a in stmt.not_actions if isinstance(a, str)
        ):
            return False
    vpc = False
    for op, key, values in _ops(stmt):
        if not op or not key:
            return None
        base = op.removesuffix("ifexists")
        if key in _VPC_KEYS and base in _NEGATED:
            if any(isinstance(v, Unknown) for v in values):
                return None
            if values and all(_fixed(v) and (not approved or str(v) in approved) for v in values):
                vpc = True
                continue
            return False
        if key in exceptions:
            continue
        return False  # another condition narrows the deny to some requests only
    return vpc


@predicate
def document_denies_access_outside_vpc(ctx: Context, document: Any, args: dict) -> Verdict:
    """Does the bucket policy deny every principal ``args['actions']`` unless the request
    arrives through given VPC endpoints or VPCs?

    A Deny statement with Principal "*", Action covering each of ``args['actions']``, and a
    StringNotEquals / StringNotLike (optionally IfExists) test of aws:SourceVpce or
    aws:SourceVpc with fixed values; its other conditions may only test the keys of
    ``args['exception_keys']`` (break-glass roles: aws:PrincipalArn ...). With
    ``args['approved_endpoint_ids']`` (vpce-... and vpc-... ids), every value must be one
    of them.
    """
    if document is None:
        return False, {"en": "the bucket has no bucket policy", "ja": "バケットにバケットポリシーがありません"}
    statements, why = _statements(ctx, document)
    if statements is None:
        return None, {"en": why, "ja": f"ポリシードキュメントが不明です: {why}"}
    required = list(args.get("actions") or ["s3:GetObject"])
    exceptions = {str(k).lower() for k in args.get("exception_keys") or []}
    approved = {str(i) for i in args.get("approved_endpoint_ids") or []}
    unknown = False
    for stmt in statements:
        answer = _denies_outside_vpc(stmt, required, exceptions, approved)
        if answer is True:
            return (
                True,
                {
                    "en": f"{_name(stmt)} denies access from outside the VPC endpoints",
                    "ja": f"{_name_ja(stmt)}が VPC エンドポイント外からのアクセスを拒否しています",
                },
                _where(document, stmt),
            )
        unknown = unknown or answer is None
    if unknown:
        return None, {
            "en": "a statement's effect, action or condition is unknown",
            "ja": "ステートメントの Effect、アクションまたは条件が不明です",
        }
    listed = ", ".join(required)
    return False, {
        "en": f"no statement denies {listed} to requests that do not come through aws:SourceVpce / aws:SourceVpc",
        "ja": f"aws:SourceVpce / aws:SourceVpc を経由しないリクエストに {listed} を拒否するステートメントがありません",
    }


# --------------------------------------------------------------------------
# network ACL entries

_ALL = {"-1", "all"}
_TCP = {"6", "tcp"}


def _get(rule: Any, field: str) -> tuple[Any, int | None]:
    found = engine.lookup(rule, engine.split_path(field))
    return found[0] if found else (None, None)


@predicate
def nacl_entry_opens_ports_to_world(ctx: Context, rule: Any, args: dict) -> Verdict:
    """Does this network ACL entry admit the whole internet to one of ``args['ports']``?

    ``args``: ``ports``, ``cidr_fields``, ``protocol_field``, ``from_field``, ``to_field``
    (dotted paths into the entry). Protocol -1 / all covers every port; TCP (6) covers the
    ports of its range (no range: every port); other protocols are not evaluated. Whether
    the entry is an inbound allow is left to the policy.
    """
    if isinstance(rule, Unknown):
        return None, {"en": f"rule is unknown: {rule.expr}", "ja": f"ルールが不明です: {rule.expr}"}
    if not isinstance(rule, dict):
        return False, ""
    cidrs = [_get(rule, f) + (f,) for f in args["cidr_fields"]]
    cidrs = [c for c in cidrs if c[0] is not None]
    source = [any_address(c) for c, _, _ in cidrs]
    if True not in source:
        if None in source:
            return None, {"en": "source range is unknown", "ja": "送信元の範囲が不明です"}
        return False, ""
    cidr, line, field = next(c for c, s in zip(cidrs, source) if s)
    protocol, _ = _get(rule, args["protocol_field"])
    if isinstance(protocol, Unknown):
        return None, {"en": "protocol is unknown", "ja": "プロトコルが不明です"}
    name = str(protocol).strip().lower() if protocol is not None else ""
    ports = [int(p) for p in (args.get("ports") or [])]
    if name in _ALL:
        hit = "all ports"
        hit_ja = "すべてのポート"
    elif name in _TCP:
        low, _ = _get(rule, args["from_field"])
        high, _ = _get(rule, args["to_field"])
        if isinstance(low, Unknown) or isinstance(high, Unknown):
            return None, {"en": "port range is unknown", "ja": "ポート範囲が不明です"}
        low_n, high_n = as_number(low), as_number(high)
        if low_n is None or high_n is None:
            low_n, high_n = 0, 65535
        covered = [p for p in ports if low_n <= p <= high_n]
        if not covered:
            return False, ""
        hit = f"TCP port {covered[0]}"
        hit_ja = f"TCP ポート {covered[0]}"
    else:
        return False, ""
    return (
        True,
        {
            "en": f"{field.split('.')[-1]} {cidr} opens {hit} to the internet",
            "ja": f"{field.split('.')[-1]} {cidr} が{hit_ja}をインターネットに開放しています",
        },
        line or (rule.line if isinstance(rule, Mapping) else None),
    )


# --------------------------------------------------------------------------
# AWS RAM resource shares


@predicate
def names_untrusted_accounts(ctx: Context, value: Any, args: dict) -> Verdict:
    """Does the value (a principal or a list of them: account ids, OU / organization ARNs,
    IAM ARNs) name an AWS account outside ``args['trusted_account_ids']``?

    Organization and OU ARNs are not accounts. This account (AWS::AccountId,
    data.aws_caller_identity) is trusted; another unresolved value is unknown.
    """
    if value is None:
        return False, ""
    trusted = _trusted(ctx, args)
    items = value if isinstance(value, list) else [value]
    unknown = None
    for index, item in enumerate(items):
        account, foreign = _account_of(ctx, item)
        if foreign is None:
            unknown = unknown or account
        elif foreign and account not in trusted:
            line = value.line_of(index) if hasattr(value, "line_of") and isinstance(value, list) else None
            return (
                True,
                {
                    "en": f"the untrusted account {account} is a principal",
                    "ja": f"信頼されていないアカウント {account} がプリンシパルに指定されています",
                },
                line,
            )
    if unknown:
        return None, {"en": f"a principal is unknown: {unknown}", "ja": f"プリンシパルが不明です: {unknown}"}
    return False, ""
