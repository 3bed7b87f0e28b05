"""Predicates for the FISC identity policies: permissions boundaries, SCPs that deny IAM
administration, and role trust policies that restrict human access paths (MFA, source IP).

Every detail is returned as ``{"en": ..., "ja": ...}``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from ..model import Resource, Unknown, as_bool, as_number
from ..tristate import all3, any3
from . import Context, Verdict, predicate
from .documents import document_of
from .iam import Statement, action_matches, read_document, split_patterns, statement_grants

# --------------------------------------------------------------------------
# helpers


def _text(en: str, ja: str) -> dict[str, str]:
    return {"en": en, "ja": ja}


def _statements(ctx: Context, value: Any) -> tuple[list[Statement] | None, str]:
    document, base, _same_file = document_of(ctx, value)
    if isinstance(document, Unknown):
        return None, document.expr
    statements, _problems = read_document(document, base)
    return statements, ""


def _name(stmt: Statement) -> tuple[str, str]:
    if stmt.sid:
        return f"statement {stmt.sid!r}", f"ステートメント {stmt.sid!r}"
    return f"statement {stmt.index + 1}", f"{stmt.index + 1} 番目のステートメント"


# --------------------------------------------------------------------------
# permissions boundaries

_POLICY_TYPES = {"AWS::IAM::ManagedPolicy": ("ManagedPolicyName", "Path"), "aws_iam_policy": ("name", "path")}
_INTERPOLATION = re.compile(r"\$\{[^}]*\}")


def _arn_fields(arn: str) -> list[str] | None:
    parts = arn.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def _arn_matches(candidate: str, approved: str, ignore_account: bool) -> bool:
    """Does ``candidate`` name the approved boundary? ``*`` / ``?`` in ``approved`` are wildcards.

    With ``ignore_account`` (the candidate's account is the deploying account, computed), the
    account fields are not compared; nor is the partition.
    """
    if not ignore_account:
        return action_matches(approved, candidate)
    ours, theirs = _arn_fields(candidate), _arn_fields(approved)
    if ours is None or theirs is None:
        return False
    return action_matches(theirs[2], ours[2]) and action_matches(theirs[5], ours[5])


def _computed_arn(value: Unknown) -> str | None:
    """An interpolated ARN whose only computed part is its account (or partition) field, with ``*`` there."""
    text: Any = None
    expr = value.expr.strip()
    if expr.startswith('{"Fn::Sub"'):
        try:
            text = json.loads(expr)["Fn::Sub"]
        except (ValueError, KeyError, TypeError):
            return None
    elif expr.startswith('"') and expr.endswith('"'):
        text = expr[1:-1]
    if not isinstance(text, str):
        return None
    arn = _INTERPOLATION.sub("*", text)
    fields = _arn_fields(arn)
    if fields is None or any("*" in f for i, f in enumerate(fields) if i not in (1, 4)):
        return None
    return arn


def _declared_policy(ctx: Context, value: Unknown) -> tuple[Any, str | None, str]:
    """(policy resource, its ARN with ``*`` for the account, why not) for a reference to a policy declared here."""
    for ref in value.refs:
        target = ctx.graph.by_name.get(ref.target)
        if target is None or target.type not in _POLICY_TYPES:
            continue
        name_key, path_key = _POLICY_TYPES[target.type]
        name = target.properties.get(name_key)
        path = target.properties.get(path_key, "/")
        if isinstance(name, Unknown) or isinstance(path, Unknown):
            return target, None, "unknown"
        if not isinstance(name, str) or not isinstance(path, str):
            return target, None, "generated"
        return target, f"arn:aws:iam::*:policy{path}{name}", ""
    return None, None, ""


@predicate
def permissions_boundary_approved(ctx: Context, value: Any, args: dict) -> Verdict:
    """Is a permissions boundary set and, when ``args['arns']`` lists any, one of them?

    ``value`` is the PermissionsBoundary / permissions_boundary. With no approved ARNs any
    boundary holds (also an unresolved one). Otherwise a literal ARN must match one of
    them (``*`` and ``?`` are wildcards in the approved ARNs); a reference to an
    AWS::IAM::ManagedPolicy / aws_iam_policy declared here is matched by its path and
    name; an ARN whose account is computed (``${AWS::AccountId}``,
    ``data.aws_caller_identity``) is matched without its account. Anything else
    unresolved is unknown.
    """
    if value is None or value == "":
        return False, _text("no permissions boundary is set", "アクセス許可境界が設定されていません")
    approved = list(split_patterns(args.get("arns")))
    if isinstance(value, Unknown) and value.maybe_absent:
        return None, _text(
            f"the permissions boundary may be unset: {value.expr}",
            f"アクセス許可境界が設定されない可能性があります: {value.expr}",
        )
    if not approved:
        shown = value.expr if isinstance(value, Unknown) else value
        return True, _text(f"the permissions boundary is {shown}", f"アクセス許可境界は {shown} です")
    listed = ", ".join(approved)
    if isinstance(value, str):
        if any(_arn_matches(value, a, False) for a in approved):
            return True, _text(
                f"the permissions boundary {value} is approved", f"アクセス許可境界 {value} は承認済みです"
            )
        return False, _text(
            f"the permissions boundary {value} is not one of {listed}",
            f"アクセス許可境界 {value} は {listed} のいずれでもありません",
        )
    if not isinstance(value, Unknown):
        return False, _text(
            f"the permissions boundary {value!r} is not an ARN", f"アクセス許可境界 {value!r} は ARN ではありません"
        )
    target, arn, why = _declared_policy(ctx, value)
    if target is not None:
        if why == "unknown":
            return None, _text(f"the name of {target.name} is unknown", f"{target.name} の名前が不明です")
        if why == "generated":
            return False, _text(
                f"the boundary {target.name} has a generated name, not one of {listed}",
                f"境界 {target.name} の名前は自動生成され、{listed} のいずれでもありません",
            )
        if any(_arn_matches(arn, a, True) for a in approved):
            return True, _text(f"the boundary {target.name} is approved", f"境界 {target.name} は承認済みです")
        return False, _text(
            f"the boundary {target.name} ({arn}) is not one of {listed}",
            f"境界 {target.name} ({arn}) は {listed} のいずれでもありません",
        )
    arn = _computed_arn(value)
    if arn is not None:
        if any(_arn_matches(arn, a, True) for a in approved):
            return True, _text(f"the permissions boundary {arn} is approved", f"アクセス許可境界 {arn} は承認済みです")
        return False, _text(
            f"the permissions boundary {arn} is not one of {listed}",
            f"アクセス許可境界 {arn} は {listed} のいずれでもありません",
        )
    return None, _text(
        f"the permissions boundary is unknown: {value.expr}", f"アクセス許可境界が不明です: {value.expr}"
    )


# --------------------------------------------------------------------------
# service control policies that deny IAM administration

# Condition keys that name the calling principal: a negated test on one of them exempts
# administrators from a Deny without narrowing it otherwise (lower case; a trailing "/"
# is a prefix, e.g. aws:PrincipalTag/Team).
_EXCEPTION_KEYS = ("aws:principalarn", "aws:principaltag/", "aws:userid", "aws:username", "aws:principaltype")


def _is_exception(op: str, key: str, values: tuple[Any, ...], keys: tuple[str, ...]) -> bool | None:
    """Is ``op: {key: values}`` an exception for designated principals (a negated test on their identity)?"""
    if not op or not key:
        return None
    op_l, key_l = op.lower(), key.lower()
    op_l = op_l.removesuffix("ifexists")
    if op_l not in ("stringnotequals", "stringnotlike", "arnnotequals", "arnnotlike", "stringnotequalsignorecase"):
        return False
    if not any(key_l == k or (k.endswith("/") and key_l.startswith(k)) for k in keys):
        return False
    return None if any(isinstance(v, Unknown) for v in values) else True


def _denies_everywhere(stmt: Statement, keys: tuple[str, ...]) -> bool | None:
    """A Deny on every resource whose condition, if any, only exempts designated principals."""
    if isinstance(stmt.effect, Unknown):
        effect: bool | None = None
    else:
        effect = stmt.effect == "Deny"
    if stmt.not_resources is not None:
        return False
    everywhere: bool | None = True
    if stmt.resources is not None:
        everywhere = False
        for item in stmt.resources:
            if isinstance(item, Unknown):
                everywhere = any3([everywhere, None])
            elif item.strip() == "*":
                everywhere = True
    condition: bool | None = True
    for op, block in stmt.condition.items():
        for key, values in block.items():
            condition = all3([condition, _is_exception(op, key, values, keys)])
    return all3([effect, everywhere, condition])


@predicate
def scp_denies_actions(ctx: Context, document: Any, args: dict) -> Verdict:
    """Does the service control policy deny every action of ``args['actions']`` to every principal but exempted ones?

    An action counts as denied when a Deny statement covers it (Action, or a NotAction
    that does not exclude it) on ``"Resource": "*"``, with no condition or only negated
    tests on the caller's identity (``ArnNotLike aws:PrincipalArn``, ``StringNotEquals
    aws:PrincipalTag/...``, ``args['exception_keys']``), which exempt the administrators.
    Any other condition narrows the Deny, so the statement does not count.
    """
    if document is None:
        return False, _text("the policy has no content", "ポリシーに内容がありません")
    statements, why = _statements(ctx, document)
    if statements is None:
        return None, _text(f"the policy document is unknown: {why}", f"ポリシードキュメントが不明です: {why}")
    keys = tuple(k.lower() for k in split_patterns(args.get("exception_keys"))) or _EXCEPTION_KEYS
    missing: list[str] = []
    unknown: list[str] = []
    for action in split_patterns(args.get("actions")):
        denied: bool | None = False
        for stmt in statements:
            denied = any3([denied, all3([statement_grants(stmt, action), _denies_everywhere(stmt, keys)])])
            if denied is True:
                break
        if denied is False:
            missing.append(action)
        elif denied is None:
            unknown.append(action)
    if missing:
        listed = ", ".join(missing)
        return False, _text(f"it does not deny {listed}", f"{listed} を拒否していません")
    if unknown:
        listed = ", ".join(unknown)
        return None, _text(f"whether it denies {listed} is unknown", f"{listed} を拒否しているかどうかが不明です")
    return True, _text("it denies the IAM administrative actions", "IAM の管理アクションを拒否しています")


# --------------------------------------------------------------------------
# role trust policies: human access paths restricted by MFA or source IP

_MIN_PREFIX = {4: 8, 6: 32}
_ASSUME = "sts:AssumeRole"


def _networks(values: Any) -> list[Any]:
    out = []
    for item in split_patterns(values):
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return out


def _approved_ip(value: Any, approved: list[Any]) -> bool | None:
    """Is the CIDR inside an approved range (any range of at least /8 (IPv4) or /32 (IPv6) without a list)?"""
    if isinstance(value, Unknown):
        return None
    if not isinstance(value, str):
        return False
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return False
    if not approved:
        return network.prefixlen >= _MIN_PREFIX[network.version]
    return any(network.version == a.version and network.subnet_of(a) for a in approved)


def _all_known(values: tuple[Any, ...], test: Any) -> bool | None:
    if not values:
        return False
    answer: bool | None = True
    for value in values:
        answer = all3([answer, None if isinstance(value, Unknown) else test(value)])
    return answer


def _restricting_test(op: str, key: str, values: tuple[Any, ...], approved: list[Any]) -> tuple[bool | None, str]:
    """Does one positive condition test of an Allow require MFA or an approved source IP?"""
    if not op or not key:
        return None, ""
    op_l, key_l = op.lower(), key.lower()
    if key_l == "aws:multifactorauthpresent" and op_l == "bool":
        return _all_known(values, lambda v: as_bool(v) is True), "MFA"
    if key_l == "aws:multifactorauthage" and op_l in ("numericlessthan", "numericlessthanequals"):
        return _all_known(values, lambda v: as_number(v) is not None), "MFA"
    if key_l == "aws:sourceip" and op_l == "ipaddress":
        return _all_known(values, lambda v: _approved_ip(v, approved)), "IP"
    return False, ""


def _deny_test(op: str, key: str, values: tuple[Any, ...], approved: list[Any]) -> bool | None:
    """Does one condition test of a Deny reject callers without MFA or from an unapproved IP?"""
    if not op or not key:
        return None
    op_l, key_l = op.lower(), key.lower()
    if key_l == "aws:multifactorauthpresent" and op_l == "boolifexists":
        return _all_known(values, lambda v: as_bool(v) is False)
    if key_l == "aws:sourceip" and op_l in ("notipaddress", "notipaddressifexists"):
        return _all_known(values, lambda v: _approved_ip(v, approved))
    return False


def _condition_restricts(stmt: Statement, approved: list[Any]) -> bool | None:
    answer: bool | None = False
    for op, block in stmt.condition.items():
        for key, values in block.items():
            answer = any3([answer, _restricting_test(op, key, values, approved)[0]])
    return answer


def _global_deny(stmt: Statement, approved: list[Any]) -> bool | None:
    """A Deny of sts:AssumeRole to every AWS principal whose only conditions reject callers without MFA / from other IPs."""
    if isinstance(stmt.effect, Unknown):
        return None
    if stmt.effect != "Deny" or not stmt.condition:
        return False
    everyone = stmt.principal == "*" or (
        isinstance(stmt.principal, dict)
        and any(k.upper() == "AWS" and "*" in ids for k, ids in stmt.principal.items() if isinstance(k, str))
    )
    if not everyone:
        return False
    answer: bool | None = statement_grants(stmt, _ASSUME)
    for op, block in stmt.condition.items():
        for key, values in block.items():
            answer = all3([answer, _deny_test(op, key, values, approved)])
    return answer


_ROLE_TYPES = ("AWS::IAM::Role", "aws_iam_role")
_TRUST_PATHS = {"AWS::IAM::Role": "AssumeRolePolicyDocument", "aws_iam_role": "assume_role_policy"}


def _workload_role(ctx: Context, value: Unknown) -> bool:
    """Is ``value`` a reference to a role declared here that only services (or federated identities) assume?

    Such a role is a workload's, not a person's: a role it assumes in turn is not a human path.
    """
    targets = [ctx.graph.by_name.get(ref.target) for ref in value.refs]
    roles = [t for t in targets if t is not None and t.type in _ROLE_TYPES]
    if len(roles) != 1:
        return False
    role = roles[0]
    statements, _why = _statements(Context(role, ctx.graph), role.properties.get(_TRUST_PATHS[role.type]))
    if not statements:
        return False
    for stmt in statements:
        if stmt.effect != "Allow":
            continue
        if not isinstance(stmt.principal, dict) or stmt.not_principal is not None:
            return False
        if any(not isinstance(k, str) or k.upper() == "AWS" for k in stmt.principal):
            return False
    return True


def _human_principals(stmt: Statement, exempt: tuple[str, ...], ctx: Context | None = None) -> tuple[bool | None, str]:
    """Does an Allow name AWS principals (accounts, users, roles) that are not public and not exempt?"""
    principal = stmt.principal
    if stmt.not_principal is not None or principal == "*":
        return False, ""  # public trust: the external / anonymous trust policy reports it
    if isinstance(principal, Unknown):
        return None, ""
    if not isinstance(principal, dict):
        return False, ""
    answer: bool | None = False
    for kind, ids in principal.items():
        if not isinstance(kind, str) or kind.upper() != "AWS":
            continue
        for item in ids:
            if isinstance(item, Unknown):
                if ctx is not None and _workload_role(ctx, item):
                    continue
                if exempt:
                    answer = any3([answer, None])
                else:
                    return True, item.expr
            elif item.strip() == "*":
                continue
            elif not any(action_matches(p, item.strip()) for p in exempt):
                return True, item
    return answer, ""


@predicate
def trust_allows_unrestricted_human_access(ctx: Context, document: Any, args: dict) -> Verdict:
    """Does the trust policy let an AWS principal assume the role without MFA or an approved source IP?

    A statement counts when it allows sts:AssumeRole to an AWS principal (an account, user
    or role; not a Service or Federated principal, not ``*``, not one of
    ``args['exempt_principals']``), unless its condition requires MFA (``Bool
    aws:MultiFactorAuthPresent true`` or ``NumericLessThan aws:MultiFactorAuthAge``) or a
    source IP inside ``args['approved_source_cidrs']`` (``IpAddress aws:SourceIp``; with no
    list, any range of at least /8), or a Deny of sts:AssumeRole to everyone rejects callers
    without MFA (``BoolIfExists aws:MultiFactorAuthPresent false``) or from other
    addresses (``NotIpAddress aws:SourceIp``). True at the first such statement.
    """
    if document is None:
        return False, ""
    statements, why = _statements(ctx, document)
    if statements is None:
        return None, _text(f"the trust policy is unknown: {why}", f"信頼ポリシーが不明です: {why}")
    approved = _networks(args.get("approved_source_cidrs"))
    exempt = split_patterns(args.get("exempt_principals"))
    guarded: bool | None = False
    for stmt in statements:
        guarded = any3([guarded, _global_deny(stmt, approved)])
    if guarded is True:
        return False, ""
    unknown: dict[str, str] | None = None
    for stmt in statements:
        allow = None if isinstance(stmt.effect, Unknown) else stmt.effect == "Allow"
        human, who = _human_principals(stmt, exempt, ctx)
        restricted = _condition_restricts(stmt, approved)
        answer = all3([allow, statement_grants(stmt, _ASSUME), human, None if restricted is None else not restricted])
        if answer is True and guarded is False:
            en, ja = _name(stmt)
            return (
                True,
                _text(
                    f"{en} lets {who} assume the role without requiring MFA or an approved source IP",
                    f"{ja}が MFA や承認された送信元 IP を条件とせずに {who} にロールの引き受けを許可しています",
                ),
                stmt.line or None,
            )
        if answer is not False and unknown is None:
            en, ja = _name(stmt)
            unknown = _text(
                f"{en}: its principal, action or condition is unknown",
                f"{ja}のプリンシパル、アクション、または条件が不明です",
            )
    if unknown:
        return None, unknown
    return False, ""


# --------------------------------------------------------------------------
# delegated IAM administration constrained by a permissions boundary

_BOUNDARY_KEY = "iam:permissionsboundary"
_BOUNDARY_OPERATORS = ("stringequals", "stringlike", "arnequals", "arnlike")


def _boundary_value_approved(value: Any, approved: list[str]) -> bool | None:
    if isinstance(value, Unknown):
        if not approved:
            return True  # some boundary is required, whichever
        computed_arn = _computed_arn(value)
        if computed_arn is None:
            return None
        return any(_arn_matches(computed_arn, a, True) for a in approved)
    if not isinstance(value, str) or not value.strip():
        return False
    if not approved:
        return True
    arn = _INTERPOLATION.sub("*", value.strip())
    fields = _arn_fields(arn)
    computed = fields is not None and "*" in fields[4]
    return any(_arn_matches(arn, a, computed) for a in approved)


def _requires_boundary(stmt: Statement, approved: list[str]) -> bool | None:
    """Does the statement's condition require an (approved) permissions boundary?"""
    answer: bool | None = False
    for op, block in stmt.condition.items():
        for key, values in block.items():
            if not op or not key:
                answer = any3([answer, None])
                continue
            if key.lower() != _BOUNDARY_KEY or op.lower() not in _BOUNDARY_OPERATORS:
                continue
            held: bool | None = bool(values)
            for value in values:
                held = all3([held, _boundary_value_approved(value, approved)])
            answer = any3([answer, held])
    return answer


@predicate
def document_delegates_without_boundary(ctx: Context, document: Any, args: dict) -> Verdict:
    """Does an Allow let its holder create or change IAM roles / users without requiring the boundary?

    True at the first Allow statement that grants one of ``args['actions']`` (creating users
    and roles, attaching or writing their policies, setting their boundary) without a
    condition ``StringEquals`` / ``ArnLike`` ``iam:PermissionsBoundary`` naming an approved
    boundary (``args['boundary_arns']``; empty: any fixed value), or that grants one of
    ``args['removal_actions']`` (deleting a boundary). A statement of every action
    (``"*"``) is an administrator's and left to the admin-access policies.
    """
    if document is None:
        return False, ""
    statements, why = _statements(ctx, document)
    if statements is None:
        return None, _text(f"the policy document is unknown: {why}", f"ポリシードキュメントが不明です: {why}")
    actions = split_patterns(args.get("actions"))
    removals = split_patterns(args.get("removal_actions"))
    approved = list(split_patterns(args.get("boundary_arns")))
    unknown: dict[str, str] | None = None
    for stmt in statements:
        allow = None if isinstance(stmt.effect, Unknown) else stmt.effect == "Allow"
        if allow is False or (stmt.actions is not None and any(a == "*" for a in stmt.actions if isinstance(a, str))):
            continue
        en, ja = _name(stmt)
        for action in removals:
            answer = all3([allow, statement_grants(stmt, action)])
            if answer is True:
                return (
                    True,
                    _text(
                        f"{en} allows {action}, which removes permissions boundaries",
                        f"{ja}がアクセス許可境界を削除する {action} を許可しています",
                    ),
                    stmt.line or None,
                )
            if answer is None and unknown is None:
                unknown = _text(f"{en}: its effect or action is unknown", f"{ja}の効果またはアクションが不明です")
        granted = [a for a in actions if statement_grants(stmt, a) is True]
        maybe = any(statement_grants(stmt, a) is None for a in actions)
        if not granted and not maybe:
            continue
        required = _requires_boundary(stmt, approved)
        answer = all3([allow, True if granted else None, None if required is None else not required])
        if answer is True:
            listed = ", ".join(granted)
            return (
                True,
                _text(
                    f"{en} allows {listed} without requiring an approved permissions boundary (iam:PermissionsBoundary)",
                    f"{ja}が承認されたアクセス許可境界 (iam:PermissionsBoundary) を条件とせずに {listed} を許可しています",
                ),
                stmt.line or None,
            )
        if answer is None and unknown is None:
            unknown = _text(
                f"{en}: its effect, action or condition is unknown", f"{ja}の効果、アクション、または条件が不明です"
            )
    if unknown:
        return None, unknown
    return False, ""


# --------------------------------------------------------------------------
# password policies of customer identities (Cognito)


@predicate
def password_character_types(ctx: Context, policy: Any, args: dict) -> Verdict:
    """The password policy requires at least ``args.minimum`` of the character types in
    ``args.type_fields`` (each a boolean requirement; absent means not required)."""
    fields = list(args.get("type_fields") or [])
    minimum = as_number(args.get("minimum"))
    if not isinstance(policy, dict) or minimum is None:
        return None, _text("the password policy is unknown", "パスワードポリシーが不明です")
    required, unknown = [], []
    for field in fields:
        value = policy.get(field, False)
        if isinstance(value, Unknown):
            unknown.append(field)
        elif as_bool(value) is True:
            required.append(field)
    if len(required) >= minimum:
        return True, _text(
            f"{len(required)} character types are required ({', '.join(required)})",
            f"{len(required)} 種類の文字タイプが必須です ({', '.join(required)})",
        )
    if len(required) + len(unknown) >= minimum:
        return None, _text(
            f"whether {', '.join(unknown)} are required is unknown",
            f"{', '.join(unknown)} が必須かどうかが不明です",
        )
    shown = ", ".join(required) or "none"
    shown_ja = ", ".join(required) or "なし"
    return False, _text(
        f"only {len(required)} character types are required ({shown}); expected at least {minimum:g}",
        f"必須の文字タイプは {len(required)} 種類のみです ({shown_ja})。{minimum:g} 種類以上である必要があります",
    )


# --------------------------------------------------------------------------
# MFA required of IAM users with console access (FISCSEC5-BP05)

# what attaches a policy to users or groups: type -> (document or ARN path, users path, groups path)
_USER_POLICIES = {
    "cloudformation": {
        "AWS::IAM::ManagedPolicy": ("PolicyDocument", "Users", "Groups"),
        "AWS::IAM::Policy": ("PolicyDocument", "Users", "Groups"),
    },
    "terraform": {
        "aws_iam_user_policy": ("policy", "user", None),
        "aws_iam_group_policy": ("policy", None, "group"),
        "aws_iam_user_policy_attachment": ("policy_arn", "user", None),
        "aws_iam_group_policy_attachment": ("policy_arn", None, "group"),
        "aws_iam_policy_attachment": ("policy_arn", "users", "groups"),
    },
}
# group membership: type -> (users path, groups path)
_MEMBERSHIPS = {
    "cloudformation": {"AWS::IAM::UserToGroupAddition": ("Users", "GroupName")},
    "terraform": {"aws_iam_user_group_membership": ("user", "groups"), "aws_iam_group_membership": ("users", "group")},
}
_NAMES = {
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "aws_iam_user": "name",
    "aws_iam_group": "name",
}
_MANAGED = ("AWS::IAM::ManagedPolicy", "aws_iam_policy")
_MFA_KEY = "aws:multifactorauthpresent"


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [] if value is None else [value]


def _names(ctx: Context, value: Any, target: Resource) -> bool | None:
    """Does ``value`` (one item or a list) name ``target``, by reference or by its literal name?"""
    literal = target.properties.get(_NAMES.get(target.type, ""))
    answer: bool | None = False
    for item in _values(value):
        if isinstance(item, Unknown):
            if any(ref.target == target.name for ref in item.refs):
                return True
            if not item.refs:
                answer = None
        elif isinstance(item, str) and isinstance(literal, str) and item == literal:
            return True
    return answer


def _policy_documents(ctx: Context, user: Resource) -> tuple[list[tuple[Resource, Any]], list[str]]:
    """The policy documents that apply to ``user`` (inline, attached, through groups, its
    permissions boundary), each with the resource it is read from; and what could not be seen."""
    graph, fmt = ctx.graph, user.format
    unseen: list[str] = []
    groups = [
        g for g in graph.of_type(["AWS::IAM::Group", "aws_iam_group"]) if _names(ctx, user.properties.get("Groups"), g)
    ]
    for rtype, (users_path, groups_path) in _MEMBERSHIPS[fmt].items():
        for membership in graph.of_type([rtype]):
            if _names(ctx, membership.properties.get(users_path), user):
                for group in graph.of_type(["AWS::IAM::Group", "aws_iam_group"]):
                    if _names(ctx, membership.properties.get(groups_path), group) and group not in groups:
                        groups.append(group)
    for name in _values(user.properties.get("Groups")):
        if isinstance(name, str) and not any(g.properties.get("GroupName") == name for g in groups):
            unseen.append(f"group {name}")
    documents: list[tuple[Resource, Any]] = []
    arns: list[tuple[Resource, Any]] = []
    for holder in [user, *groups]:
        for inline in _values(holder.properties.get("Policies")):
            if isinstance(inline, dict):
                documents.append((holder, inline.get("PolicyDocument")))
        arns += [(holder, arn) for arn in _values(holder.properties.get("ManagedPolicyArns"))]
    boundary = user.properties.get("PermissionsBoundary", user.properties.get("permissions_boundary"))
    if boundary is not None:
        arns.append((user, boundary))
    for rtype, (doc_path, users_path, groups_path) in _USER_POLICIES[fmt].items():
        for attached in graph.of_type([rtype]):
            applies = bool(users_path and _names(ctx, attached.properties.get(users_path), user)) or any(
                groups_path and _names(ctx, attached.properties.get(groups_path), g) for g in groups
            )
            if applies and doc_path.endswith("_arn"):
                arns.append((attached, attached.properties.get(doc_path)))
            elif applies:
                documents.append((attached, attached.properties.get(doc_path)))
    managed = graph.of_type(_MANAGED)
    for holder, arn in arns:
        found = [m for m in managed if isinstance(arn, Unknown) and any(r.target == m.name for r in arn.refs)]
        if found:
            documents += [(m, m.properties.get("PolicyDocument", m.properties.get("policy"))) for m in found]
        elif isinstance(arn, str) and ":aws:policy/" in arn:
            continue  # an AWS managed policy: none denies access without MFA
        else:
            unseen.append(f"policy {getattr(arn, 'expr', arn)}")
    return documents, unseen


def _denies_without_mfa(stmt: Statement) -> bool:
    """A Deny of (nearly) everything while aws:MultiFactorAuthPresent is false or missing."""
    if stmt.effect != "Deny":
        return False
    broad = stmt.actions is not None and "*" in stmt.actions
    broad = broad or (
        stmt.not_actions is not None
        and all(isinstance(a, str) and a.split(":")[0].lower() in ("iam", "sts") for a in stmt.not_actions)
    )
    if not broad:
        return False
    for op, keys in stmt.condition.items():
        for key, values in keys.items():
            if key.lower() != _MFA_KEY:
                continue
            shown = {str(v).lower() for v in values}
            if op.lower() in ("bool", "boolifexists") and shown == {"false"}:
                return True
            if op.lower() == "null" and shown == {"true"}:
                return True
    return False


@predicate
def user_mfa_enforced(ctx: Context, props: Any, args: dict) -> Verdict:
    """A policy that applies to the IAM user (``args.user_field`` names it on a Terraform
    login profile) denies everything but MFA self-service while MFA is absent."""
    user: Resource | None = ctx.resource
    field = args.get("user_field")
    if field:
        users = [u for u in ctx.graph.of_type(["aws_iam_user"]) if _names(ctx, props.get(field), u)]
        if not users:
            return None, _text(
                f"the user {field} names is not defined here", f"{field} が指すユーザーはここで定義されていません"
            )
        user = users[0]
    documents, unseen = _policy_documents(ctx, user)
    for holder, document in documents:
        statements, why = _statements(Context(holder, ctx.graph), document)
        if statements is None:
            unseen.append(why)
            continue
        for stmt in statements:
            if _denies_without_mfa(stmt):
                return True, _text(
                    f"{holder.name} denies access without MFA",
                    f"{holder.name} が MFA のないアクセスを拒否しています",
                )
    if unseen:
        return None, _text(
            f"no policy seen here requires MFA; not seen: {', '.join(unseen)}",
            f"ここで見える範囲には MFA を必須とするポリシーがありません。見えないもの: {', '.join(unseen)}",
        )
    return False, _text(
        "no policy of the user or its groups denies access without MFA",
        "ユーザーまたはそのグループのポリシーに、MFA のないアクセスを拒否するものがありません",
    )
