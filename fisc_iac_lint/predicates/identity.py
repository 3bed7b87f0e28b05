"""Predicates about IAM identities: who refers to a user or group, and the account password policy."""

from __future__ import annotations

from typing import Any

from .. import engine  # the engine imports the predicates: use its functions at call time only
from ..graph import strip_indices
from ..model import Unknown, as_bool, as_number
from . import Context, Verdict, predicate


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _nonempty(node: Any, path: str | None) -> bool | None:
    """Whether ``path`` holds at least one item (a scalar counts as one); None when unknown."""
    if not path:
        return True
    found = [v for v, _ in engine.lookup(node, engine.split_path(path))]
    if not found:
        return False
    for value in found:
        if isinstance(value, Unknown):
            return None
        if _items(value):
            return True
    return False


@predicate
def named_by(ctx: Context, value: Any, args: dict) -> Verdict:
    """Does a resource of ``args['types']`` name this one at ``args['via']`` (a value or a list)?

    A resource names this one when its ``via`` refers to it (a graph edge) or holds this
    resource's literal name (the value at ``args['name_field']``), also as one item of a
    list, which ``connected`` does not look into. With ``args["nonempty"]`` the
    other resource must also hold at least one item there (e.g. a membership's users).
    Unknown when a ``via`` value is unresolved without a reference (a parameter or
    variable that may name this resource), or when this resource's own name is
    unresolved and another names something literally.
    """
    resource, graph = ctx.resource, ctx.graph
    via = engine.split_path(args["via"])
    names: set[str] = set()
    name_unknown = False  # this resource's own name is unresolved: any literal name may be it
    if args.get("name_field"):
        for name, _ in engine.lookup(resource.properties, engine.split_path(args["name_field"])):
            if isinstance(name, str):
                names.add(name)
            elif isinstance(name, Unknown):
                name_unknown = True
    unknown: dict | None = None
    for other in graph.of_type(args["types"]):
        if other is resource:
            continue
        certain = graph.refers(other, resource, strip_indices(via))
        maybe = False
        if not certain:
            for found, _ in engine.lookup(other.properties, via):
                for item in _items(found):
                    if isinstance(item, str) and item in names:
                        certain = True
                    elif (isinstance(item, Unknown) and not item.refs) or (isinstance(item, str) and name_unknown):
                        maybe = True
        if not certain and not maybe:
            continue
        filled = _nonempty(other.properties, args.get("nonempty"))
        if certain and filled is True:
            return True, {
                "en": f"{other.name} ({other.type}) names it",
                "ja": f"{other.name} ({other.type}) がこのリソースを指定しています",
            }
        if filled is not False and unknown is None:
            unknown = {
                "en": f"{other.name} may name it",
                "ja": f"{other.name} がこのリソースを指定している可能性があります",
            }
    if unknown:
        return None, unknown
    return False, {
        "en": f"no {' or '.join(args['types'])} names it",
        "ja": f"このリソースを指定している {' または '.join(args['types'])} はありません",
    }


# --------------------------------------------------------------------------
# the account password policy (IAM_PASSWORD_POLICY)

_REQUIREMENTS = (
    # (argument, field argument, kind, field default when absent)
    ("require_uppercase_characters", "uppercase_field", "bool", False),
    ("require_lowercase_characters", "lowercase_field", "bool", False),
    ("require_symbols", "symbols_field", "bool", False),
    ("require_numbers", "numbers_field", "bool", False),
    ("minimum_password_length", "length_field", "min", None),
    ("password_reuse_prevention", "reuse_field", "min", 0),
    ("max_password_age", "age_field", "max", 0),
)


@predicate
def password_policy_meets(ctx: Context, props: Any, args: dict) -> Verdict:
    """Does the password policy meet the IAM_PASSWORD_POLICY requirements in ``args``?

    Booleans: a required setting (argument true) must be true; absent means false. Minimums
    (length, reuse prevention): the value must be at least the argument; absent length is
    ``args['length_default']``, absent reuse prevention is 0. Maximum age: the value must be
    set (greater than 0, passwords expire) and at most the argument. An argument left null
    is not checked. Returns the line of the first setting that fails.
    """
    unknown: dict | None = None
    for name, field_arg, kind, default in _REQUIREMENTS:
        wanted = args.get(name)
        field = args.get(field_arg)
        if wanted is None or not field:
            continue
        if default is None:
            default = args.get("length_default", 0)
        found = engine.lookup(props, engine.split_path(field))
        value, line = found[0] if found else (default, None)
        if isinstance(value, Unknown):
            unknown = unknown or {"en": f"{field} is unknown: {value.expr}", "ja": f"{field} が不明です: {value.expr}"}
            continue
        if found:
            shown = {"en": f"{field} is {value!r}", "ja": f"{field} は {value!r} です"}
        else:
            shown = {
                "en": f"{field} is not set (default {default!r})",
                "ja": f"{field} が設定されていません (デフォルト {default!r})",
            }
        if kind == "bool":
            if as_bool(wanted) and as_bool(value) is not True:
                return False, _expected(shown, "true", "true である必要があります"), line
            continue
        limit, number = as_number(wanted), as_number(value)
        if limit is None:
            continue
        if number is None:
            return False, _expected(shown, "a number", "数値である必要があります"), line
        if kind == "min" and number < limit:
            return False, _expected(shown, f"at least {limit:g}", f"{limit:g} 以上である必要があります"), line
        if kind == "max" and not 0 < number <= limit:
            return (
                False,
                _expected(
                    shown,
                    f"between 1 and {limit:g} (passwords must expire)",
                    f"1 以上 {limit:g} 以下である必要があります (パスワードには有効期限が必要です)",
                ),
                line,
            )
    if unknown:
        return None, unknown
    return True, {"en": "the password policy meets the requirements", "ja": "パスワードポリシーは要件を満たしています"}


def _expected(shown: dict, en: str, ja: str) -> dict:
    """'<shown>; expected <en>' in both languages."""
    return {"en": f"{shown['en']}; expected {en}", "ja": f"{shown['ja']}。{ja}"}
