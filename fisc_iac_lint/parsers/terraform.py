"""A directory of ``.tf`` files (one Terraform module) -> resources with evaluated values and edges.

References resolve across the module's files. Expressions are evaluated where
their inputs are known: literals, templates, variables with defaults, locals
(including locals built from locals), conditionals, operators and a few common
functions. Everything else stays :class:`Unknown`, carrying the resources it
mentions; every mention of a resource, data source or module is an edge.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable

from ..model import TERRAFORM, Edge, Mapping, ParseError, Ref, Resource, Sequence, Template, Unknown, as_bool, refs_in
from ..suppressions import comment_lines, for_block
from . import hcl

MAX_LOCAL_DEPTH = 100  # locals built from locals: a limit that protects the runner
_NOT_RESOURCES = {"var", "local", "each", "count", "path", "self", "terraform", "data", "module"}
_SKIPPED_BLOCKS = {"provisioner", "connection"}


def module_files(directory: str) -> list[str]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [
        os.path.join(directory, n) for n in names if n.endswith(".tf") and os.path.isfile(os.path.join(directory, n))
    ]


def build(directory: str, bodies: dict[str, hcl.Body]) -> Template:
    """Evaluate one module from its parsed files (``{path: Body}``)."""
    module = _Module(directory, bodies)
    return module.template()


class _Module:
    def __init__(self, directory: str, bodies: dict[str, hcl.Body]) -> None:
        self.directory = directory
        self.bodies = bodies
        self.problems: list[ParseError] = []
        self.variables: dict[str, Any] = {}
        self.local_exprs: dict[str, tuple[hcl.Expr, str]] = {}
        self.local_values: dict[str, Any] = {}
        self.evaluating: set[str] = set()
        self.addresses: set[str] = set()
        self.blocks: list[tuple[str, hcl.Block]] = []
        for path, body in bodies.items():
            for block in body.blocks:
                self._declare(path, block)
        # the edges of the value being evaluated
        self.source = ""
        self.edges: list[Edge] = []

    def _declare(self, path: str, block: hcl.Block) -> None:
        kind, labels = block.type, block.labels
        if kind == "variable" and len(labels) == 1:
            default = block.body.attributes.get("default")
            self.variables[labels[0]] = self.eval(default.expr, ()) if default else Unknown(f"var.{labels[0]}")
        elif kind == "locals":
            for name, attr in block.body.attributes.items():
                self.local_exprs[name] = (attr.expr, path)
        elif kind == "resource" and len(labels) == 2:
            self.addresses.add(f"{labels[0]}.{labels[1]}")
            self.blocks.append((path, block))
        elif kind == "data" and len(labels) == 2:
            self.addresses.add(f"data.{labels[0]}.{labels[1]}")
            self.blocks.append((path, block))
        elif kind == "module" and len(labels) == 1:
            self.addresses.add(f"module.{labels[0]}")
            self.blocks.append((path, block))
        elif kind == "provider" and len(labels) == 1:
            self.blocks.append((path, block))  # a node policies can read (default_tags), never checked itself

    def template(self) -> Template:
        template = Template(format=TERRAFORM, path=self.directory, files=tuple(self.bodies))
        sources = {path: (body.source.splitlines(), comment_lines(body.source)) for path, body in self.bodies.items()}
        for path, block in self.blocks:
            if block.type == "resource":
                rtype, name, kind = block.labels[0], f"{block.labels[0]}.{block.labels[1]}", "resource"
            elif block.type == "data":
                rtype, name, kind = block.labels[0], f"data.{block.labels[0]}.{block.labels[1]}", "data"
            elif block.type == "provider":
                alias = block.body.attributes.get("alias")
                suffix = f".{alias.expr.value}" if alias and isinstance(alias.expr, hcl.Lit) else ""
                rtype, name, kind = f"provider.{block.labels[0]}", f"provider.{block.labels[0]}{suffix}", "provider"
            else:
                rtype, name, kind = "module", f"module.{block.labels[0]}", "module"
            self.source, self.edges = name, []
            props = self.body_value(block.body, (), block.line, block.end_line)
            depends = block.body.attributes.get("depends_on")
            if depends is not None and isinstance(depends.expr, hcl.TupleExpr):
                for item in depends.expr.items:
                    target = self._address(item) if isinstance(item, hcl.Traversal) else None
                    if target:
                        self.edges.append(Edge(name, target[0], ("depends_on",), None, "depends_on"))
            lines, comments = sources[path]
            suppressions = tuple(for_block(comments, lines, block.line, block.end_line)) if comments else ()
            template.resources.append(
                Resource(
                    TERRAFORM, rtype, name, props, path, block.line, block.end_line, kind, suppressions=suppressions
                )
            )
            template.edges.extend(self.edges)
        template.problems = self.problems
        return template

    # -- bodies ------------------------------------------------------------------
    def body_value(self, body: hcl.Body, path: tuple[Any, ...], line: int, end_line: int) -> Mapping:
        out = Mapping(line=line, end_line=end_line)
        for name, attr in body.attributes.items():
            if name == "depends_on":
                continue
            value = self.eval(attr.expr, (*path, name))
            if value is None:  # Terraform: an argument set to null is an argument not set
                continue
            out[name] = value
            out.key_lines[name] = attr.line
        for block in body.blocks:
            if block.type in _SKIPPED_BLOCKS:
                continue
            if block.type == "dynamic" and block.labels:
                key: str = block.labels[0]
                value: Any = Unknown(f'dynamic "{key}" block')
            else:
                key = block.type
                items = out.get(key)
                index = len(items) if isinstance(items, list) else 0
                value = self.body_value(block.body, (*path, key, index), block.line, block.end_line)
            items = out.get(key)
            if not isinstance(items, Sequence):
                items = Sequence(line=block.line)
                out[key] = items
                out.key_lines[key] = block.line
            items.append(value)
            items.item_lines.append(block.line)
        return out

    # -- expressions ---------------------------------------------------------------
    def eval(self, expr: hcl.Expr, path: tuple[Any, ...]) -> Any:
        if isinstance(expr, hcl.Lit):
            return expr.value
        if isinstance(expr, hcl.Template):
            parts = [p if isinstance(p, str) else self.eval(p, path) for p in expr.parts]
            if all(_is_scalar(p) for p in parts):
                return "".join(_to_string(p) for p in parts)
            return self._unknown(expr, parts)
        if isinstance(expr, hcl.Traversal):
            return self._traverse(expr, path)
        if isinstance(expr, hcl.Index):
            return self._apply_ops(self.eval(expr.target, path), expr.ops, expr, path)
        if isinstance(expr, hcl.TupleExpr):
            seq = Sequence(line=expr.line)
            for item in expr.items:
                seq.append(self.eval(item, (*path, len(seq))))
                seq.item_lines.append(item.line)
            return seq
        if isinstance(expr, hcl.ObjectExpr):
            mapping = Mapping(line=expr.line)
            for key_expr, value_expr, line in expr.items:
                key = self.eval(key_expr, path)
                if not isinstance(key, (str, int, float)) or isinstance(key, bool):
                    return self._unknown(expr, [key])
                key = _to_string(key)
                mapping[key] = self.eval(value_expr, (*path, key))
                mapping.key_lines[key] = line
            return mapping
        if isinstance(expr, hcl.Conditional):
            cond = self.eval(expr.cond, path)
            if isinstance(cond, str):  # Terraform converts "true"/"false" to bool here
                cond = as_bool(cond) if as_bool(cond) is not None else cond
            if isinstance(cond, bool):
                return self.eval(expr.then if cond else expr.other, path)
            unknown = self._unknown(expr, [cond, self.eval(expr.then, path), self.eval(expr.other, path)])
            return Unknown(unknown.expr, unknown.refs, maybe_absent=True)  # a branch may be null
        if isinstance(expr, hcl.Operation):
            values = [self.eval(o, path) for o in expr.operands]
            return _operate(expr.op, values, lambda: self._unknown(expr, values))
        if isinstance(expr, hcl.Call):
            args = [self.eval(a, path) for a in expr.args]
            function = _FUNCTIONS.get(expr.name)
            if function is not None:
                try:
                    result = function(*args)
                except (TypeError, ValueError, KeyError, IndexError, AttributeError):
                    result = _UNKNOWN
                if result is not _UNKNOWN:
                    return result
            return self._unknown(expr, args)
        return self._unknown(expr, [])

    def _unknown(self, expr: hcl.Expr, parts: list[Any]) -> Unknown:
        refs: list[Ref] = []
        for part in parts:
            refs.extend(refs_in(part))
        return Unknown(" ".join(expr.text.split())[:120], tuple(dict.fromkeys(refs)))

    def _traverse(self, expr: hcl.Traversal, path: tuple[Any, ...]) -> Any:
        root, ops = expr.root, expr.ops
        if root == "var" and ops and ops[0][0] == "attr":
            value = self.variables.get(ops[0][1], Unknown(f"var.{ops[0][1]}"))
            return self._apply_ops(value, ops[1:], expr, path)
        if root == "local" and ops and ops[0][0] == "attr":
            value = self._apply_ops(self._local(ops[0][1], expr), ops[1:], expr, path)
            for ref in dict.fromkeys(refs_in(value)):  # a local that mentions resources links them here
                self.edges.append(Edge(self.source, ref.target, path, ref.attribute, "expression"))
            return value
        target = self._address(expr)
        if target is not None:
            address, attribute = target
            self.edges.append(Edge(self.source, address, path, attribute, "expression"))
            return Unknown(" ".join(expr.text.split())[:120], (Ref(address, attribute),))
        return Unknown(" ".join(expr.text.split())[:120])

    def _address(self, expr: hcl.Traversal) -> tuple[str, str | None] | None:
        names = [v for kind, v in expr.ops if kind == "attr"]
        if expr.root == "data" and len(names) >= 2:
            address, rest = f"data.{names[0]}.{names[1]}", names[2:]
        elif expr.root == "module" and names:
            address, rest = f"module.{names[0]}", names[1:]
        elif expr.root not in _NOT_RESOURCES and names:
            address, rest = f"{expr.root}.{names[0]}", names[1:]
        else:
            return None
        if address not in self.addresses:
            return None
        return address, (rest[0] if rest else None)

    def _local(self, name: str, expr: hcl.Expr) -> Any:
        if name in self.local_values:
            return self.local_values[name]
        if name not in self.local_exprs:
            return Unknown(f"local.{name}")
        if len(self.evaluating) >= MAX_LOCAL_DEPTH:
            local_expr, file = self.local_exprs[name]
            self.problems.append(
                ParseError(
                    file,
                    f"line {local_expr.line}: local.{name}: locals refer to locals more than {MAX_LOCAL_DEPTH} deep",
                )
            )
            value = Unknown(f"local.{name} (too deep)")
            self.local_values[name] = value
            return value
        if name in self.evaluating:
            local_expr, file = self.local_exprs[name]
            self.problems.append(ParseError(file, f"line {local_expr.line}: local.{name} refers to itself"))
            value: Any = Unknown(f"local.{name} (cyclic)")
            self.local_values[name] = value
            return value
        self.evaluating.add(name)
        saved = self.source, self.edges
        self.edges = []  # a local's own edges belong to whoever uses it, below
        value = self.eval(self.local_exprs[name][0], ())
        self.source, self.edges = saved
        self.evaluating.discard(name)
        self.local_values.setdefault(name, value)
        return self.local_values[name]

    def _apply_ops(self, value: Any, ops: tuple[tuple[str, Any], ...], expr: hcl.Expr, path: tuple) -> Any:
        for kind, arg in ops:
            if isinstance(value, Unknown):
                return value
            if kind == "attr" and isinstance(value, dict) and arg in value:
                value = value[arg]
            elif kind == "index":
                key = self.eval(arg, path)
                if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                    value = value[key]
                elif isinstance(value, dict) and isinstance(key, str) and key in value:
                    value = value[key]
                else:
                    return Unknown(" ".join(expr.text.split())[:120], tuple(refs_in(value)))
            else:
                return Unknown(" ".join(expr.text.split())[:120], tuple(refs_in(value)))
        return value


# -- values ----------------------------------------------------------------------
_UNKNOWN = object()


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _operate(op: str, values: list[Any], unknown: Callable[[], Unknown]) -> Any:
    if any(isinstance(v, Unknown) for v in values):
        if op == "&&" and any(v is False for v in values):
            return False
        if op == "||" and any(v is True for v in values):
            return True
        return unknown()
    try:
        if op == "u!":
            return not values[0]
        if op == "u-":
            return -values[0]
        left, right = values
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        if op == "&&":
            return bool(left) and bool(right)
        if op == "||":
            return bool(left) or bool(right)
        numeric = {
            "+": lambda a, b: a + b,
            "-": lambda a, b: a - b,
            "*": lambda a, b: a * b,
            "/": lambda a, b: a / b,
            "%": lambda a, b: a % b,
            "<": lambda a, b: a < b,
            ">": lambda a, b: a > b,
            "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b,
        }
        if op in numeric and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return numeric[op](left, right)
    except (TypeError, ValueError, ZeroDivisionError):
        pass
    return unknown()


def _known(*values: Any) -> bool:
    return not any(isinstance(v, Unknown) or refs_in(v) for v in values)


def _jsondecode(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) else _UNKNOWN


def _tobool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    return _UNKNOWN


def _tonumber(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        return float(value) if "." in value else int(value)
    return _UNKNOWN


def _merge(*maps: Any) -> Any:
    if not all(isinstance(m, dict) for m in maps):
        return _UNKNOWN
    out = Mapping(line=getattr(maps[0], "line", 0) if maps else 0)
    for m in maps:
        out.update(m)
        out.key_lines.update(getattr(m, "key_lines", {}))
    return out


def _concat(*lists: Any) -> Any:
    if not all(isinstance(item, list) for item in lists):
        return _UNKNOWN
    out = Sequence(line=getattr(lists[0], "line", 0) if lists else 0)
    for item in lists:
        out.extend(item)
        out.item_lines.extend(getattr(item, "item_lines", [out.line] * len(item)))
    return out


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if isinstance(mapping, dict) and isinstance(key, str):
        if key in mapping:
            return mapping[key]
        if default:
            return default[0]
    return _UNKNOWN


def _coalesce(*values: Any) -> Any:
    for value in values:
        if isinstance(value, Unknown):
            return _UNKNOWN
        if value is not None and value != "":
            return value
    return _UNKNOWN


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    # jsonencode(x) evaluates to x itself: policies read documents as structures
    "jsonencode": lambda value: value,
    "jsondecode": _jsondecode,
    "tostring": lambda v: _to_string(v) if _is_scalar(v) else _UNKNOWN,
    "tobool": _tobool,
    "tonumber": _tonumber,
    "tolist": lambda v: v if isinstance(v, list) else _UNKNOWN,
    "toset": lambda v: v if isinstance(v, list) else _UNKNOWN,
    "lower": lambda v: v.lower() if isinstance(v, str) else _UNKNOWN,
    "upper": lambda v: v.upper() if isinstance(v, str) else _UNKNOWN,
    "merge": _merge,
    "concat": _concat,
    "lookup": _lookup,
    "coalesce": _coalesce,
    "join": lambda sep, items: (
        sep.join(_to_string(i) for i in items)
        if isinstance(sep, str) and isinstance(items, list) and all(_is_scalar(i) for i in items)
        else _UNKNOWN
    ),
    "length": lambda v: len(v) if isinstance(v, (list, dict, str)) and _known(v) else _UNKNOWN,
}
