"""Load YAML and JSON into Mapping / Sequence values with a line for every node.

One streaming loader serves both formats: libyaml's event stream (through
PyYAML's C parser when available) is read with an explicit stack, so

* every mapping key and sequence item gets its line;
* nesting depth is bounded (no recursion, no C stack overflow);
* aliases are shared, never copied, and the size they would expand to is
  counted as they are met, so a "billion laughs" document is rejected after
  linear work instead of being expanded;
* duplicate keys are reported (CloudFormation rejects them);
* CloudFormation short-form tags (``!Ref``, ``!GetAtt a.b``, ``!Sub`` ...) become
  their long form (``{"Ref": ...}``, ``{"Fn::GetAtt": [a, b]}``).

JSON input is validated by the standard ``json`` module first (YAML accepts
things JSON does not) and its plain scalars are resolved with JSON's rules.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ..model import Mapping, Sequence

try:  # the C parser is an order of magnitude faster; fall back if libyaml is missing
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.resolver import Resolver

MAX_DEPTH = 256
MAX_EXPANDED_NODES = 5_000_000


class LoadError(Exception):
    """A document that cannot be loaded; ``str()`` is the one-line reason."""


# CloudFormation short-form intrinsic tags -> long-form keys.
_SHORT_FORMS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!If": "Fn::If",
    "!Equals": "Fn::Equals",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!Not": "Fn::Not",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!FindInMap": "Fn::FindInMap",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!ImportValue": "Fn::ImportValue",
    "!GetAZs": "Fn::GetAZs",
    "!Transform": "Fn::Transform",
    "!ToJsonString": "Fn::ToJsonString",
    "!Length": "Fn::Length",
    "!ForEach": "Fn::ForEach",
    # the functions of a template's Rules section (parameter assertions)
    "!ValueOf": "Fn::ValueOf",
    "!ValueOfAll": "Fn::ValueOfAll",
    "!RefAll": "Fn::RefAll",
    "!Contains": "Fn::Contains",
    "!EachMemberEquals": "Fn::EachMemberEquals",
    "!EachMemberIn": "Fn::EachMemberIn",
}
_SCALAR_ONLY = {"!Ref", "!Condition"}

_YAML_TAG = "tag:yaml.org,2002:"
_resolver = Resolver()
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?\Z")


def _yaml_scalar(value: str, implicit: tuple[bool, bool], tag: str | None) -> Any:
    if tag in (None, "!") and not implicit[0]:
        return value  # quoted
    if tag in (None, "!"):
        tag = _resolver.resolve(yaml.ScalarNode, value, implicit)
    kind = tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag
    if kind == "str" or kind == "timestamp":  # CloudFormation keeps dates as strings
        return value
    if kind == "null":
        return None
    if kind == "bool":
        return value.lower() in ("yes", "true", "on", "y")
    if kind == "int":
        return _yaml_int(value)
    if kind == "float":
        return _yaml_float(value)
    raise LoadError(f"unsupported YAML tag {tag}")


def _yaml_int(value: str) -> int:
    text = value.replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if text == "0":
        return 0
    if text.startswith("0b"):
        return sign * int(text[2:], 2)
    if text.startswith("0x"):
        return sign * int(text[2:], 16)
    if text.startswith("0") and text.isdigit():
        return sign * int(text, 8)
    if ":" in text:
        total = 0
        for part in text.split(":"):
            total = total * 60 + int(part)
        return sign * total
    return sign * int(text)


def _yaml_float(value: str) -> float:
    text = value.replace("_", "").lower()
    if text in (".inf", "+.inf"):
        return float("inf")
    if text == "-.inf":
        return float("-inf")
    if text == ".nan":
        return float("nan")
    if ":" in text:
        sign = -1.0 if text.startswith("-") else 1.0
        total = 0.0
        for part in text.lstrip("+-").split(":"):
            total = total * 60 + float(part)
        return sign * total
    return float(text)


def _json_scalar(value: str, implicit: tuple[bool, bool], tag: str | None) -> Any:
    if not implicit[0]:
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    if value == "null":
        return None
    match = _JSON_NUMBER.match(value)
    if match:
        return float(value) if (match.group(1) or match.group(2)) else int(value)
    return value


def _short_form(tag: str, value: Any, line: int) -> Mapping:
    key = _SHORT_FORMS.get(tag)
    if key is None and "::" in tag:
        # A pre-processor's directive (Rain's !Rain::Embed, !Rain::Module ...): its
        # result is not known here, so it becomes an unresolved function, not an error.
        key = f"Fn::Tag::{tag[1:]}"
    if key is None:
        raise LoadError(f"line {line}: unknown tag {tag}")
    if tag in _SCALAR_ONLY and not isinstance(value, str):
        raise LoadError(f"line {line}: {tag} takes a scalar, not a {_kind(value)}")
    if tag == "!GetAtt":
        if isinstance(value, str):
            logical, dot, attr = value.partition(".")
            if not dot or not logical or not attr:
                raise LoadError(f"line {line}: !GetAtt {value!r} is not of the form Resource.Attribute")
            item = Sequence([logical, attr], line=line)
            item.item_lines = [line, line]
            value = item
        elif not (isinstance(value, list) and len(value) == 2):
            raise LoadError(f"line {line}: !GetAtt takes Resource.Attribute or a list of two items")
    result = Mapping({key: value}, line=line)
    result.key_lines[key] = line
    return result


def _kind(value: Any) -> str:
    return "mapping" if isinstance(value, dict) else "sequence" if isinstance(value, list) else "scalar"


class _Frame:
    __slots__ = ("container", "tag", "anchor", "key", "key_line", "has_key", "size")

    def __init__(self, container: Mapping | Sequence, tag: str | None, anchor: str | None) -> None:
        self.container = container
        self.tag = tag
        self.anchor = anchor
        self.key: Any = None
        self.key_line = 0
        self.has_key = False
        self.size = 1


def load(text: str, *, json_mode: bool = False, max_depth: int = MAX_DEPTH) -> Any:
    """Load the first document of ``text``; raise LoadError with a one-line reason."""
    if json_mode:
        try:
            json.loads(text)
        except RecursionError:
            raise LoadError(f"nesting deeper than {max_depth} levels") from None
        except ValueError as exc:
            raise LoadError(f"invalid JSON: {exc}") from None
    scalar = _json_scalar if json_mode else _yaml_scalar
    try:
        return _build(_Parser(text), scalar, max_depth)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise LoadError(f"{where}{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise LoadError(str(exc).splitlines()[0]) from None
    except (ValueError, OverflowError) as exc:
        raise LoadError(f"bad scalar: {exc}") from None


def _build(parser: Any, scalar: Any, max_depth: int) -> Any:
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    expanded = 0
    root: Any = None
    have_root = False

    def attach(value: Any, line: int, size: int, new_nodes: int) -> None:
        nonlocal root, have_root, expanded
        expanded += new_nodes
        if expanded > MAX_EXPANDED_NODES:
            raise LoadError(f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (a YAML alias bomb?)")
        if not stack:
            root, have_root = value, True
            return
        frame = stack[-1]
        frame.size += size
        container = frame.container
        if isinstance(container, Sequence):
            container.append(value)
            container.item_lines.append(line)
        elif not frame.has_key:
            if isinstance(value, (dict, list)):
                raise LoadError(f"line {line}: a mapping key must be a scalar")
            frame.key, frame.key_line, frame.has_key = value, line, True
        else:
            key = frame.key
            if key in container:
                raise LoadError(f"line {frame.key_line}: duplicate key {key!r}")
            container[key] = value
            container.key_lines[key] = frame.key_line
            frame.has_key = False

    while True:
        event = parser.get_event()
        if event is None:
            break
        cls = type(event)
        if cls is ScalarEvent:
            line = event.start_mark.line + 1
            tag = event.tag
            if tag and tag.startswith("!") and not tag.startswith("!!") and tag != "!":
                value: Any = _short_form(tag, event.value, line)
            else:
                value = scalar(event.value, event.implicit, tag)
            if event.anchor:
                anchors[event.anchor] = (value, 1)
            attach(value, line, 1, 1)
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            if len(stack) >= max_depth:
                raise LoadError(f"line {event.start_mark.line + 1}: nesting deeper than {max_depth} levels")
            line = event.start_mark.line + 1
            container = Mapping(line=line) if cls is MappingStartEvent else Sequence(line=line)
            stack.append(_Frame(container, event.tag, event.anchor))
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            frame = stack.pop()
            container = frame.container
            container.end_line = event.end_mark.line + 1
            value = container
            tag = frame.tag
            if tag and tag.startswith("!") and not tag.startswith("!!"):
                value = _short_form(tag, container, container.line)
            elif tag and tag not in (_YAML_TAG + "map", _YAML_TAG + "seq"):
                raise LoadError(f"line {container.line}: unsupported YAML tag {tag}")
            if frame.anchor:
                anchors[frame.anchor] = (value, frame.size)
            attach(value, container.line, frame.size, 1)
        elif cls is AliasEvent:
            line = event.start_mark.line + 1
            if event.anchor not in anchors:
                raise LoadError(f"line {line}: unknown alias *{event.anchor}")
            value, size = anchors[event.anchor]
            attach(value, line, size, size)
        # Stream/Document start/end events carry nothing we keep; a second
        # document is ignored like CloudFormation ignores it.
        if have_root and not stack:
            break
    return root
