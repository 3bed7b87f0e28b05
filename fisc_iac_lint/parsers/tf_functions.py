"""Terraform's operators and built-in functions over evaluated values.

A function returns :data:`UNKNOWN` when it cannot decide (an argument is unknown,
or of a type it does not model); the evaluator then keeps the call as an
:class:`~fisc_iac_lint.model.Unknown` that carries the references of its arguments.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable

from ..model import Mapping, Sequence, Unknown, refs_in

# -- values ----------------------------------------------------------------------
UNKNOWN = object()


def is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def operate(op: str, values: list[Any], unknown: Callable[[], Unknown]) -> Any:
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


def known(*values: Any) -> bool:
    return not any(isinstance(v, Unknown) or refs_in(v) for v in values)


def _jsondecode(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) else UNKNOWN


def _tobool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    return UNKNOWN


def _tonumber(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        return float(value) if "." in value else int(value)
    return UNKNOWN


def _merge(*maps: Any) -> Any:
    if not all(isinstance(m, dict) for m in maps):
        return UNKNOWN
    out = Mapping(line=getattr(maps[0], "line", 0) if maps else 0)
    for m in maps:
        out.update(m)
        out.key_lines.update(getattr(m, "key_lines", {}))
    return out


def _concat(*lists: Any) -> Any:
    if not all(isinstance(item, list) for item in lists):
        return UNKNOWN
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
    return UNKNOWN


def _coalesce(*values: Any) -> Any:
    for value in values:
        if isinstance(value, Unknown):
            return UNKNOWN
        if value is not None and value != "":
            return value
    return UNKNOWN


def _format(spec: Any, *args: Any) -> Any:
    """format("%s-%d", ...): the verbs real configurations use (%s %d %v %q %%)."""
    if not isinstance(spec, str) or not all(is_scalar(a) for a in args):
        return UNKNOWN
    out, index, pos = [], 0, 0
    while pos < len(spec):
        char = spec[pos]
        if char != "%":
            out.append(char)
            pos += 1
            continue
        verb = spec[pos + 1 : pos + 2]
        pos += 2
        if verb == "%":
            out.append("%")
        elif verb in ("s", "d", "v", "q") and index < len(args):
            value = args[index]
            index += 1
            if verb == "d" and not isinstance(value, int):
                return UNKNOWN
            out.append(f'"{to_string(value)}"' if verb == "q" else to_string(value))
        else:
            return UNKNOWN  # widths, precisions and other verbs: not modelled
    return "".join(out)


def _strings(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(i, str) for i in items)


def _flatten(items: Any) -> Any:
    if not isinstance(items, list):
        return UNKNOWN
    out = Sequence(line=getattr(items, "line", 0))
    stack = [iter(items)]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
        elif isinstance(item, Unknown):
            return UNKNOWN  # it may be a list whose items belong here
        elif isinstance(item, list):
            stack.append(iter(item))
        else:
            out.append(item)
    return out


def _toset(items: Any) -> Any:
    if not isinstance(items, list) or not known(items):
        return UNKNOWN
    unique = list(dict.fromkeys(to_string(i) if is_scalar(i) else i for i in items))
    return Sequence(sorted(unique)) if all(isinstance(i, str) for i in unique) else Sequence(unique)


def _element(items: Any, index: Any) -> Any:
    if isinstance(items, list) and items and isinstance(index, int) and not isinstance(index, bool):
        return items[index % len(items)]
    return UNKNOWN


def _one(items: Any) -> Any:
    if isinstance(items, list) and len(items) <= 1:
        return items[0] if items else None
    return UNKNOWN


def _replace(text: Any, old: Any, new: Any) -> Any:
    if not all(isinstance(v, str) for v in (text, old, new)):
        return UNKNOWN
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        return UNKNOWN  # a regular expression in RE2 syntax: not modelled
    return text.replace(old, new)


def _zipmap(keys: Any, values: Any) -> Any:
    if _strings(keys) and isinstance(values, list) and len(keys) == len(values):
        return Mapping(zip(keys, values))
    return UNKNOWN


_END = object()
MAX_FILE_FUNCTION_BYTES = 1024 * 1024


def _file(path: Any) -> Any:
    """file("${path.module}/policy.json"): a regular file's UTF-8 text, at most 1 MB."""
    if not isinstance(path, str) or not os.path.isfile(path):  # never a pipe or a device
        return UNKNOWN
    try:
        if os.path.getsize(path) > MAX_FILE_FUNCTION_BYTES:
            return UNKNOWN
        with open(path, encoding="utf-8") as handle:
            return handle.read(MAX_FILE_FUNCTION_BYTES)
    except (OSError, UnicodeDecodeError):
        return UNKNOWN


FUNCTIONS: dict[str, Callable[..., Any]] = {
    # jsonencode(x) evaluates to x itself: policies read documents as structures
    "jsonencode": lambda value: value,
    "jsondecode": _jsondecode,
    "tostring": lambda v: to_string(v) if is_scalar(v) else UNKNOWN,
    "tobool": _tobool,
    "tonumber": _tonumber,
    "tolist": lambda v: v if isinstance(v, list) else UNKNOWN,
    "toset": _toset,
    "tomap": lambda v: v if isinstance(v, dict) else UNKNOWN,
    "lower": lambda v: v.lower() if isinstance(v, str) else UNKNOWN,
    "upper": lambda v: v.upper() if isinstance(v, str) else UNKNOWN,
    "merge": _merge,
    "concat": _concat,
    "lookup": _lookup,
    "coalesce": _coalesce,
    "join": lambda sep, items: (
        sep.join(to_string(i) for i in items)
        if isinstance(sep, str) and isinstance(items, list) and all(is_scalar(i) for i in items)
        else UNKNOWN
    ),
    "length": lambda v: len(v) if isinstance(v, (list, dict, str)) and known(v) else UNKNOWN,
    "format": _format,
    "file": _file,
    "fileexists": lambda path: os.path.isfile(path) if isinstance(path, str) else UNKNOWN,
    "contains": lambda items, value: value in items if isinstance(items, list) and known(items, value) else UNKNOWN,
    "keys": lambda m: Sequence(sorted(m)) if isinstance(m, dict) else UNKNOWN,
    "values": lambda m: Sequence(m[k] for k in sorted(m)) if isinstance(m, dict) else UNKNOWN,
    "element": _element,
    "flatten": _flatten,
    "distinct": lambda items: Sequence(dict.fromkeys(items)) if _strings(items) else UNKNOWN,
    "compact": lambda items: Sequence(i for i in items if i) if _strings(items) else UNKNOWN,
    "one": _one,
    "zipmap": _zipmap,
    "replace": _replace,
    "split": lambda sep, text: (
        Sequence(text.split(sep)) if isinstance(sep, str) and sep and isinstance(text, str) else UNKNOWN
    ),
    "trimspace": lambda v: v.strip() if isinstance(v, str) else UNKNOWN,
    "startswith": lambda v, p: v.startswith(p) if isinstance(v, str) and isinstance(p, str) else UNKNOWN,
    "endswith": lambda v, p: v.endswith(p) if isinstance(v, str) and isinstance(p, str) else UNKNOWN,
    "min": lambda *n: (
        min(n) if n and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in n) else UNKNOWN
    ),
    "max": lambda *n: (
        max(n) if n and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in n) else UNKNOWN
    ),
    "coalescelist": lambda *lists: (
        next((l for l in lists if isinstance(l, list) and l), UNKNOWN)
        if all(isinstance(l, list) for l in lists)
        else UNKNOWN
    ),
}
