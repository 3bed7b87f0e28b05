"""Evaluate policies over a resource graph.

The engine knows conditions, not AWS: paths into properties, comparisons,
quantifiers over lists, connections through graph edges, and named predicates.
Every condition answers True, False or None (unknown) with Kleene's logic, so
an unresolved value never turns into a silent pass or an invented failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from .graph import Graph, strip_indices
from .model import Mapping, Resource, Sequence, Text, Unknown, as_bool, as_number
from .policies import Check, Policy
from .predicates import PREDICATES, Context
from .tristate import any3

_MISSING = object()


@dataclass(frozen=True)
class Outcome:
    ok: bool | None
    line: int | None = None  # the line that decided it, when more precise than the resource
    detail: Text = Text()


@dataclass(frozen=True)
class Result:
    """One policy on one resource that did not pass: a violation (ok False) or unknown (ok None)."""

    policy: Policy
    resource: Resource
    ok: bool | None
    line: int
    detail: Text


def split_path(path: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


def lookup(value: Any, path: Iterable[Any]) -> list[tuple[Any, int | None]]:
    """Every value at ``path``; lists are projected over unless indexed. [] when absent."""
    found: list[tuple[Any, int | None]] = [(value, getattr(value, "line", None))]
    for key in path:
        nxt: list[tuple[Any, int | None]] = []
        for node, line in found:
            if isinstance(node, Unknown):  # what lies below an unknown value may not exist at all
                nxt.append((Unknown(node.expr, node.refs, True), line))
            elif isinstance(node, dict):
                if key in node:
                    nxt.append((node[key], node.line_of(key) if isinstance(node, Mapping) else line))
            elif isinstance(node, list):
                if isinstance(key, int):
                    if 0 <= key < len(node):
                        nxt.append((node[key], _item_line(node, key, line)))
                else:
                    for index, item in enumerate(node):
                        if isinstance(item, Unknown):
                            nxt.append((item, _item_line(node, index, line)))
                        elif isinstance(item, dict) and key in item:
                            item_line = item.line_of(key) if isinstance(item, Mapping) else line
                            nxt.append((item[key], item_line))
        found = nxt
    return found


def _item_line(node: list, index: int, default: int | None) -> int | None:
    return node.line_of(index) if isinstance(node, Sequence) else default


def _and(outcomes: Iterable[Outcome]) -> Outcome:
    unknown: Outcome | None = None
    held: list[Outcome] = []
    for outcome in outcomes:
        if outcome.ok is False:
            return outcome
        if outcome.ok is None and unknown is None:
            unknown = outcome
        if outcome.ok is True:
            held.append(outcome)
    if unknown:
        return unknown
    if not held:
        return Outcome(True)
    # what held, for a `not` or `none` above that turns it into a violation
    line = next((o.line for o in held if o.line), None)
    detail = Text()
    for text in dict.fromkeys(o.detail for o in held if o.detail):
        detail = detail.join(text)
    return Outcome(True, line, detail)


def _or(outcomes: Iterable[Outcome]) -> Outcome:
    unknown: Outcome | None = None
    first_false: Outcome | None = None
    for outcome in outcomes:
        if outcome.ok is True:
            return outcome
        if outcome.ok is None and unknown is None:
            unknown = outcome
        if outcome.ok is False and first_false is None:
            first_false = outcome
    if unknown:
        return unknown
    # Policies list the alternative that names the culprit first (e.g. the public
    # ACL before the settings that would neutralise it): its line and detail speak.
    return first_false or Outcome(False, None)


def _not(outcome: Outcome, detail: Text) -> Outcome:
    if outcome.ok is None:
        return outcome
    return Outcome(not outcome.ok, outcome.line, detail)


def over_variants(variants: Iterable[Resource], outcomes: list[Outcome]) -> Outcome:
    """One outcome from those of a resource's variants (``Resource.assumptions``).

    A failure anywhere is a failure; else an unknown anywhere is unknown; else it holds.
    When only some variants fail (or are unknown), the detail says under which conditions.
    """
    variants = list(variants)
    for wanted in (False, None):
        hits = [i for i, outcome in enumerate(outcomes) if outcome.ok is wanted]
        if hits:
            first = outcomes[hits[0]]
            if len(hits) == len(outcomes):
                return first
            when = _when([variants[i].assumptions for i in hits], [v.assumptions for v in variants])
            detail = Text(
                f"{first.detail.en} ({when.en})" if first.detail.en else when.en,
                f"{first.detail.ja} ({when.ja})" if first.detail.ja else when.ja,
            )
            return Outcome(wanted, first.line, detail)
    return outcomes[0] if outcomes else Outcome(True)


def _when(chosen: list[tuple[tuple[str, bool], ...]], every: list[tuple[tuple[str, bool], ...]]) -> Text:
    """ "when condition A is false", or several such clauses: the assignments ``chosen`` among ``every``."""
    shared = set.intersection(*(set(a) for a in every))
    common = [x for x in chosen[0] if x not in shared and all(x in a for a in chosen)]
    # the common values describe the chosen exactly when every variant that has them is chosen
    if common and all(a in chosen for a in every if set(common) <= set(a)):
        clauses = [common]
    else:
        clauses = [[x for x in a if x not in shared] for a in chosen]

    def value(flag: bool) -> str:
        return "true" if flag else "false"

    en = ", or ".join("when " + " and ".join(f"condition {n} is {value(b)}" for n, b in c) for c in clauses)
    ja = "、または ".join(" かつ ".join(f"条件 {n} が {value(b)}" for n, b in c) + " の場合" for c in clauses)
    return Text(en, ja)


def _show(value: Any) -> str:
    if isinstance(value, Unknown):
        return value.expr
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _same(actual: Any, expected: Any, ignore_case: bool = False) -> bool | None:
    """Compare as the policy's expected value is typed: "true" equals true, "22" equals 22."""
    if isinstance(actual, Unknown):
        return None
    if isinstance(expected, bool):
        return as_bool(actual) is expected
    if isinstance(expected, (int, float)):
        number = as_number(actual)
        return number is not None and number == expected
    if isinstance(expected, str) and isinstance(actual, str):
        return actual.lower() == expected.lower() if ignore_case else actual == expected
    if isinstance(actual, (int, float)) and not isinstance(actual, bool) and isinstance(expected, str):
        return str(actual) == expected
    return actual == expected


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


class Evaluator:
    """Evaluates one policy's conditions on resources of one graph."""

    def __init__(self, graph: Graph, policy: Policy, params: dict[str, Any]) -> None:
        self.graph = graph
        self.policy = policy
        self.params = params

    def _value(self, spec: Any) -> Any:
        if isinstance(spec, dict) and set(spec) == {"param"}:
            return self.params[spec["param"]]
        return spec

    def _args(self, args: dict[str, Any]) -> dict[str, Any]:
        return {k: self._value(v) for k, v in args.items()}

    # -- scalar conditions over a path -------------------------------------------------
    def _scalar(self, node: Any, spec: dict, test: Any, describe: Any) -> Outcome:
        path = spec["path"]
        found = []
        for value, line in lookup(node, split_path(path)):
            if isinstance(value, list):  # a list of scalars at the end of the path: each item must hold
                found.extend((item, _item_line(value, i, line)) for i, item in enumerate(value))
            else:
                found.append((value, line))
        if not found:
            default = spec.get("default", _MISSING)
            if default is _MISSING:
                return Outcome(False, None, Text(f"{path} is not set", f"{path} が設定されていません"))
            ok = test(default)
            shown = Text(
                f"{path} is not set (default {_show(default)})",
                f"{path} が設定されていません (既定値 {_show(default)})",
            )
            return Outcome(ok, None, shown if ok else shown.join(describe()))
        outcomes = []
        for value, line in found:
            ok = test(value)
            if ok is None:
                outcomes.append(
                    Outcome(
                        None, line, Text(f"{path} is unknown: {_show(value)}", f"{path} の値が不明です: {_show(value)}")
                    )
                )
            else:
                shown = Text(f"{path} is {_show(value)}", f"{path} は {_show(value)} です")
                outcomes.append(Outcome(ok, line, shown if ok else shown.join(describe())))
        return _and(outcomes)

    def check(self, resource: Resource, node: Any, cond: dict[str, Any]) -> Outcome:
        ((op, spec),) = cond.items()
        if op == "all_of":
            return _and(self.check(resource, node, c) for c in spec)
        if op == "any_of":
            return _or([self.check(resource, node, c) for c in spec])
        if op == "not":
            inner = self.check(resource, node, spec)
            return _not(
                inner,
                inner.detail
                or Text("a condition that must not hold holds", "成り立ってはならない条件が成り立っています"),
            )
        if op == "exists" or op == "absent":
            found = lookup(node, split_path(spec))
            # an unresolved value is still a value: only one that may vanish is undecided
            certain = [v for v, _ in found if not (isinstance(v, Unknown) and v.maybe_absent)]
            if found and not certain:
                shown = _show(found[0][0])
                return Outcome(
                    None,
                    found[0][1],
                    Text(f"{spec} may or may not be set ({shown})", f"{spec} が設定されるかどうかは不明です ({shown})"),
                )
            present = bool(found)
            ok = present if op == "exists" else not present
            line = found[0][1] if found else None
            return Outcome(
                ok,
                line,
                Text(f"{spec} is set", f"{spec} が設定されています")
                if present
                else Text(f"{spec} is not set", f"{spec} が設定されていません"),
            )
        if op == "equals":
            expected = self._value(spec["value"])
            return self._scalar(
                node,
                spec,
                lambda v: _same(v, expected, spec.get("ignore_case", False)),
                lambda: Text(f"expected {_show(expected)}", f"期待値は {_show(expected)}"),
            )
        if op == "one_of":
            values = self._value(spec["values"])

            def test(v: Any) -> bool | None:
                return any3([_same(v, e, spec.get("ignore_case", False)) for e in values])

            choices = ", ".join(_show(v) for v in values)
            return self._scalar(
                node, spec, test, lambda: Text(f"expected one of {choices}", f"期待値は {choices} のいずれか")
            )
        if op == "compare":
            limit = as_number(self._value(spec["value"]))
            operator = spec["op"]

            def compare(v: Any) -> bool | None:
                if isinstance(v, Unknown):
                    return None
                number = as_number(v)
                if number is None or limit is None:
                    return False
                return {"<": number < limit, "<=": number <= limit, ">": number > limit, ">=": number >= limit}[
                    operator
                ]

            return self._scalar(
                node,
                spec,
                compare,
                lambda: Text(f"expected {operator} {_show(limit)}", f"期待値は {operator} {_show(limit)}"),
            )
        if op == "matches":
            pattern = _regex(spec["pattern"])

            def match(v: Any) -> bool | None:
                if isinstance(v, Unknown):
                    return None
                return isinstance(v, (str, int, float)) and pattern.search(str(v)) is not None

            return self._scalar(
                node,
                spec,
                match,
                lambda: Text(f"expected to match {spec['pattern']}", f"{spec['pattern']} に一致する必要があります"),
            )
        if op in ("every", "some", "none"):
            return self._quantified(resource, node, op, spec)
        if op == "connected":
            return self._connected(resource, spec)
        if op == "predicate":
            return self._predicate(resource, node, spec)
        if op == "parameter":
            ok = _same(self.params[spec["name"]], spec["equals"])
            value = _show(self.params[spec["name"]])
            return Outcome(
                ok, None, Text(f"parameter {spec['name']} is {value}", f"パラメータ {spec['name']} は {value} です")
            )
        raise ValueError(f"unknown condition {op}")  # the schema makes this unreachable

    def _quantified(self, resource: Resource, node: Any, op: str, spec: dict) -> Outcome:
        items: list[tuple[Any, int | None]] = []
        for value, line in lookup(node, split_path(spec["path"])):
            if isinstance(value, list):
                items.extend((item, _item_line(value, i, line)) for i, item in enumerate(value))
            else:
                items.append((value, line))
        outcomes = []
        for item, line in items:
            if isinstance(item, Unknown):
                outcome = Outcome(
                    None,
                    line,
                    Text(
                        f"{spec['path']} holds an unknown item: {item.expr}",
                        f"{spec['path']} に不明な項目があります: {item.expr}",
                    ),
                )
            else:
                outcome = self.check(resource, item, spec["require"])
            outcomes.append(Outcome(outcome.ok, outcome.line or line, outcome.detail))
        if op == "every":
            return _and(outcomes)
        if op == "some":
            empty = Text(f"no item of {spec['path']} qualifies", f"{spec['path']} に条件を満たす項目がありません")
            return _or(outcomes) if outcomes else Outcome(False, None, empty)
        # none: no item may satisfy the requirement
        matched = Text(f"an item of {spec['path']} matches", f"{spec['path']} の項目が該当します")
        return _and(_not(o, o.detail or matched) for o in outcomes)

    def _candidates(self, resource: Resource, spec: dict) -> list[tuple[Resource, bool]]:
        """Connected resources, each with whether the connection is certain."""
        via = strip_indices(split_path(spec["via"]))
        if spec.get("direction", "in") == "out":
            return [(r, True) for r in self.graph.targets(resource, via, spec["types"])]
        name_path = spec.get("name_attribute")
        names = []
        if name_path:
            names = [v for v, _ in lookup(resource.properties, split_path(name_path)) if isinstance(v, str)]
        out: list[tuple[Resource, bool]] = []
        for other in self.graph.of_type(spec["types"]):
            if other.name == resource.name:  # itself, or one of its variants
                continue
            if self.graph.refers(other, resource, via):
                out.append((other, True))
                continue
            values = [v for v, _ in lookup(other.properties, via)]
            if any(isinstance(v, str) and v in names for v in values):
                out.append((other, True))
            elif any(isinstance(v, Unknown) and not v.refs for v in values):
                out.append((other, False))  # e.g. bucket = var.name: may or may not be this one
        return out

    def _connected(self, resource: Resource, spec: dict) -> Outcome:
        quantifier = spec.get("quantifier", "some")
        require = spec.get("require")
        outcomes = []
        for other, certain in self._candidates(resource, spec):
            outcome = self._on(resource, other, require) if require else Outcome(True)
            name = Text(other.name, other.name)
            detail = (
                Text(
                    f"{other.name}: {outcome.detail.en}",
                    f"{other.name}: {outcome.detail.ja}" if outcome.detail.ja else other.name,
                )
                if outcome.detail
                else name
            )
            if not certain:
                if quantifier == "some" and outcome.ok is False:
                    continue  # cannot help
                outcomes.append(
                    Outcome(
                        None,
                        None,
                        Text(
                            f"{other.name} may refer to this resource ({spec['via']} is unknown)",
                            f"{other.name} がこのリソースを参照している可能性があります ({spec['via']} が不明)",
                        ),
                    )
                )
            else:
                outcomes.append(Outcome(outcome.ok, None, detail))
        types = " or ".join(spec["types"])
        if quantifier == "some":
            if not outcomes:
                return Outcome(False, None, Text(f"no connected {types}", f"接続された {types} がありません"))
            result = _or(outcomes)
            if result.ok is False:
                inner = result.detail
                ja = (
                    f"条件を満たす接続された {types} がありません ({inner.ja})"
                    if inner.ja
                    else f"条件を満たす接続された {types} がありません"
                )
                return Outcome(False, None, Text(f"no connected {types} qualifies ({inner.en})", ja))
            return result
        if quantifier == "every":
            return _and(outcomes)
        return _and(
            _not(o, Text(f"connected {o.detail.en}", f"接続先 {o.detail.ja}" if o.detail.ja else "")) for o in outcomes
        )

    def _predicate(self, resource: Resource, node: Any, spec: dict) -> Outcome:
        function = PREDICATES[spec["name"]]
        args = self._args(spec.get("args", {}))
        if "path" in spec:
            found = lookup(node, split_path(spec["path"]))
            targets = found or [(None, None)]
        else:  # the whole node: a resource's properties speak for the resource's own line
            targets = [(node, resource.line if node is resource.properties else getattr(node, "line", None))]
        outcomes = []
        ctx = Context(resource, self.graph)
        for value, line in targets:
            verdict = function(ctx, value, args)
            ok, detail = verdict[0], verdict[1]
            where = verdict[2] if len(verdict) > 2 and verdict[2] else line
            outcomes.append(Outcome(ok, where, Text.of(detail)))
        # a predicate reports a property (True = it holds); several values: it holds if any does
        return _or(outcomes)

    def _on(self, viewer: Resource, other: Resource, spec: dict) -> Outcome:
        """``spec`` on another resource, across those of its variants that ``viewer``'s assumptions allow."""
        if not other.variants:
            return self.check(other, other.properties, spec)
        mine = dict(viewer.assumptions)
        variants = [v for v in other.variants if all(mine.get(n, b) == b for n, b in v.assumptions)]
        variants = variants or list(other.variants)
        return over_variants(variants, [self.check(v, v.properties, spec) for v in variants])

    # -- one check on one resource ---------------------------------------------------------
    def run(self, check: Check, resource: Resource, keep_passes: bool = False) -> Result | None:
        """The result of one check on one resource: None when it passes (or does not apply).

        A resource with variants is checked as each variant and the verdicts merged.
        """
        if not resource.variants:
            return self._run(check, resource, keep_passes)
        results = [self._run(check, variant, True) for variant in resource.variants]
        outcome = over_variants(
            resource.variants, [Outcome(r.ok, r.line, r.detail) if r else Outcome(True) for r in results]
        )
        if outcome.ok is True and not keep_passes:
            return None
        return Result(self.policy, resource, outcome.ok, outcome.line or resource.line, outcome.detail)

    def _run(self, check: Check, resource: Resource, keep_passes: bool) -> Result | None:
        if check.when is not None:
            applies = self.check(resource, resource.properties, check.when)
            if applies.ok is False:
                return None
            if applies.ok is None:
                return Result(self.policy, resource, None, applies.line or resource.line, applies.detail)
        outcome = self.check(resource, resource.properties, check.require)
        if outcome.ok is True and not keep_passes:
            return None
        return Result(self.policy, resource, outcome.ok, outcome.line or resource.line, outcome.detail)


def evaluate(
    graph: Graph, policies: list[Policy], params: dict[str, dict[str, Any]], keep_passes: bool = False
) -> list[Result]:
    """Every violation and unknown of ``policies`` on the graph (and passes, if asked: account rules)."""
    results: list[Result] = []
    fmt = graph.template.format
    for policy in policies:
        checks = policy.checks.get(fmt)
        if not checks:
            continue
        evaluator = Evaluator(graph, policy, params.get(policy.id, policy.parameters))
        for check in checks:
            for resource in graph.of_type(check.resource_types):
                if resource.kind != "resource":  # data sources, modules and providers are read, not checked
                    continue
                result = evaluator.run(check, resource, keep_passes)
                if result is not None:
                    results.append(result)
    return results
