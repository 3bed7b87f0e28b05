"""CloudFormation templates (YAML or JSON) -> resources with resolved properties and edges.

Intrinsic functions are resolved where their inputs are known; what stays
unresolved becomes an :class:`Unknown` that still carries the resources it
mentions, and every mention of a resource (``Ref``, ``Fn::GetAtt`` in both
forms, ``${X}`` / ``${X.Attr}`` in ``Fn::Sub``, ``DependsOn``) is an edge.
"""

from __future__ import annotations

import base64
import ipaddress
import itertools
import json
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..model import (
    CLOUDFORMATION,
    Edge,
    Mapping,
    NestedStack,
    Ref,
    Resource,
    Sequence,
    Template,
    Unknown,
    as_number,
    refs_in,
)
from ..suppressions import from_metadata
from ..tristate import all3, any3, not3
from .yamljson import LoadError, load

_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")
_NO_VALUE = object()
_UNRESOLVED = object()


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def looks_like_template(doc: Any) -> bool:
    """CloudFormation by content: a format version, or Resources typed AWS::..."""
    if not isinstance(doc, dict):
        return False
    if "AWSTemplateFormatVersion" in doc:
        return True
    resources = doc.get("Resources")
    if not isinstance(resources, dict):
        return False
    return any(
        isinstance(body, dict) and isinstance(body.get("Type"), str) and body["Type"].startswith("AWS::")
        for body in resources.values()
    )


def load_document(text: str, path: str) -> Any:
    return load(text, json_mode=path.lower().endswith(".json"))


PSEUDO_PARAMETERS = (
    "AWS::AccountId",
    "AWS::Region",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::NotificationARNs",
)
# region prefix -> (partition, URL suffix); the first that matches wins
_PARTITIONS = (
    ("cn-", "aws-cn", "amazonaws.com.cn"),
    ("us-gov-", "aws-us-gov", "amazonaws.com"),
    ("us-isob-", "aws-iso-b", "sc2s.sgov.gov"),
    ("us-iso-", "aws-iso", "c2s.ic.gov"),
    ("", "aws", "amazonaws.com"),
)


def _pseudo_values(given: dict[str, Any]) -> dict[str, Any]:
    """The pseudo parameters given (``--parameter AWS::Region=...``); Partition and URLSuffix follow the region."""
    values = {name: given[name] for name in PSEUDO_PARAMETERS if name in given}
    region = values.get("AWS::Region")
    if isinstance(region, str):
        partition, suffix = next((p, s) for prefix, p, s in _PARTITIONS if region.startswith(prefix))
        values.setdefault("AWS::Partition", partition)
        values.setdefault("AWS::URLSuffix", suffix)
    arns = values.get("AWS::NotificationARNs")
    if isinstance(arns, str):
        values["AWS::NotificationARNs"] = [arn.strip() for arn in arns.split(",") if arn.strip()]
    return values


def _parameter_values(doc: Mapping, given: dict[str, Any]) -> dict[str, Any]:
    """Values given (--parameter, a parameters file) over defaults; list types split on commas.

    Pseudo parameters (AWS::Region ...) take the values given; the others stay unknown.
    """
    declared = doc.get("Parameters") if isinstance(doc.get("Parameters"), dict) else {}
    values: dict[str, Any] = _pseudo_values(given)
    for name, body in declared.items():
        if not isinstance(body, dict):
            continue
        if name in given:
            value = given[name]
        elif "Default" in body:
            value = body["Default"]
        else:
            continue
        kind = body.get("Type")
        if (
            isinstance(value, str)
            and isinstance(kind, str)
            and (kind == "CommaDelimitedList" or kind.startswith("List<"))
        ):
            value = [item.strip() for item in value.split(",")]
        values[name] = value
    return values


def build(doc: Mapping, path: str, parameters: dict[str, Any] | None = None) -> Template:
    """Build the template's resources and edges; LoadError if its shape is wrong."""
    if doc.get("Transform"):
        from . import sam  # the translator only for a template that needs it

        if sam.uses_transform(doc):
            doc = sam.expand(doc, parameters or {})
    resources = doc.get("Resources")
    if not isinstance(resources, dict):
        raise LoadError("Resources must be a mapping of logical ids to resources")
    ctx = _Context(
        resource_ids=set(resources),
        parameters=_parameter_values(doc, parameters or {}),
        mappings=doc.get("Mappings") if isinstance(doc.get("Mappings"), dict) else {},
        conditions=doc.get("Conditions") if isinstance(doc.get("Conditions"), dict) else {},
    )
    account = ctx.parameters.get("AWS::AccountId")
    template = Template(format=CLOUDFORMATION, path=path, files=(path,), account_id=str(account) if account else None)
    for logical_id, body in resources.items():
        line = resources.line_of(logical_id) if isinstance(resources, Mapping) else 0
        condition = body.get("Condition") if isinstance(body, dict) else None
        if isinstance(condition, str) and ctx.condition(condition) is False:
            template.skipped.append((f"{path}:{line}", f"{logical_id}: condition {condition} is false"))
            continue
        if isinstance(logical_id, str) and logical_id.startswith("Fn::ForEach::"):
            template.skipped.append((f"{path}:{line}", f"{logical_id} is not expanded yet"))
            continue
        if isinstance(body, dict) and isinstance(body.get("Type"), dict):
            # e.g. Type: !Rain::Module ./vpc.yml: a pre-processor's module, expanded elsewhere
            directive = str(next(iter(body["Type"]), "")).removeprefix("Fn::Tag::")
            template.skipped.append((f"{path}:{line}", f"{logical_id}: Type is a {directive} directive, not expanded"))
            continue
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
            raise LoadError(f"line {line}: resource {logical_id} has no Type")
        raw_props = body.get("Properties", Mapping(line=line))
        if not isinstance(raw_props, dict):
            raise LoadError(f"line {line}: Properties of {logical_id} must be a mapping")
        ctx.source, ctx.edges = str(logical_id), []
        ctx.assume({})
        props = _properties(ctx.resolve(raw_props, ()), line)  # edge paths are relative to Properties
        edges, met = ctx.edges, ctx.met
        attributes = _attributes(ctx, body, line)
        depends = body.get("DependsOn")
        for target in [depends] if isinstance(depends, str) else depends or []:
            if isinstance(target, str):
                edges.append(Edge(str(logical_id), target, ("DependsOn",), None, "depends_on"))
        resource = Resource(
            format=CLOUDFORMATION,
            type=body["Type"],
            name=str(logical_id),
            properties=props,
            file=path,
            line=line,
            end_line=getattr(body, "end_line", line),
            metadata=body.get("Metadata") if isinstance(body.get("Metadata"), Mapping) else None,
            attributes=attributes,
            suppressions=tuple(from_metadata(body.get("Metadata"))),
            construct=_construct_path(body.get("Metadata")),
        )
        if met:
            # the resource exists only where its own Condition holds: its variants assume it
            root = {condition: True} if isinstance(condition, str) and ctx.condition(condition) is None else {}
            resource.variants = tuple(
                replace(resource, properties=_properties(p, line), assumptions=tuple(a.items()))
                for a, p in ctx.variants(raw_props, root)
            )
        template.resources.append(resource)
        template.edges.extend(edges)
        if resource.type == "AWS::CloudFormation::Stack":
            template.nested.extend(_nested_stack(resource))
    if any(r.construct for r in template.resources):
        from . import cdk

        made = cdk.sources(path)
        for resource in template.resources:
            resource.source = made.get(resource.name)
    return template


ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy")


def _attributes(ctx: "_Context", body: Mapping, line: int) -> Mapping:
    """DeletionPolicy and UpdateReplacePolicy as written, resolved (AWS::LanguageExtensions allows
    Ref to a parameter and Fn::If there); what does not resolve to a string is Unknown."""
    out = Mapping(line=line)
    for key in ATTRIBUTES:
        if key not in body:
            continue
        edges, met = len(ctx.edges), len(ctx.met)
        value = ctx.resolve(body[key], ())
        del ctx.edges[edges:], ctx.met[met:]  # an attribute adds no edge and splits no variant
        out[key] = value if isinstance(value, (str, Unknown)) else Unknown(_text(key, body[key]))
        out.key_lines[key] = body.line_of(key) if isinstance(body, Mapping) else line
    return out


def _construct_path(metadata: Any) -> str | None:
    path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
    return path if isinstance(path, str) and path else None


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _nested_stack(stack: Resource) -> list[NestedStack]:
    """The stack's template when TemplateURL is a local path, relative to the parent template."""
    url = stack.properties.get("TemplateURL")
    if not isinstance(url, str) or not url.strip() or _URL.match(url):
        return []
    given = stack.properties.get("Parameters")
    parameters = dict(given) if isinstance(given, dict) else {}
    path = os.path.normpath(os.path.join(os.path.dirname(stack.file), url.strip()))
    return [NestedStack(stack.name, path, parameters, stack.properties.line_of("TemplateURL"))]


MAX_ASSUMED = 3  # unknown conditions split per resource: at most 2**3 = 8 variants


def _properties(value: Any, line: int) -> Mapping:
    return value if isinstance(value, Mapping) else Mapping(line=line)


@dataclass
class _Context:
    resource_ids: set[str]
    parameters: dict[str, Any]
    mappings: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    edges: list[Edge] = field(default_factory=list)
    met: list[str] = field(default_factory=list)  # unknown conditions an Fn::If met, in order
    _decided: dict[str, bool | None] = field(default_factory=dict)

    def assume(self, assumptions: dict[str, bool]) -> None:
        """Take these conditions as given (and what follows from them) until the next call."""
        self._decided, self.met = dict(assumptions), []

    def variants(self, raw: Any, root: dict[str, bool]) -> list[tuple[dict[str, bool], Any]]:
        """``raw`` resolved under each assignment of the unknown conditions it meets.

        A decision tree: the first condition still unknown under an assignment splits it in
        two, so that conditions derived from one another are never assigned inconsistently
        (NotProd follows IsProd). Beyond MAX_ASSUMED splits the rest stay unknown values.
        """
        leaves: list[tuple[dict[str, bool], Any]] = []
        pending = [root]
        edges = self.edges
        while pending:
            assumptions = pending.pop(0)
            self.assume(assumptions)
            self.edges = []  # the unassigned resolution recorded every edge already
            value = self.resolve(raw, ())
            open_ = [name for name in self.met if name not in assumptions]
            if open_ and len(assumptions) - len(root) < MAX_ASSUMED:
                pending += [{**assumptions, open_[0]: True}, {**assumptions, open_[0]: False}]
            else:
                leaves.append((assumptions, value))
        self.edges = edges
        self.assume({})
        return leaves

    def condition(self, name: str) -> bool | None:
        """A named condition's value where its inputs are known; None where they are not."""
        if name in self._decided:
            return self._decided[name]
        self._decided[name] = None  # a condition that refers to itself stays unknown
        self._decided[name] = self._truth(self.conditions.get(name), depth=0)
        return self._decided[name]

    def _truth(self, expr: Any, depth: int) -> bool | None:
        if depth > 50 or not isinstance(expr, dict) or len(expr) != 1:
            return None
        ((key, arg),) = expr.items()
        if key == "Condition" and isinstance(arg, str):
            return self.condition(arg)
        if key == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            left, right = (self.resolve(a, ()) for a in arg)
            if any(isinstance(v, Unknown) or v is _NO_VALUE for v in (left, right)):
                return None
            return str(left) == str(right) if _is_scalar(left) and _is_scalar(right) else left == right
        if key == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            return not3(self._truth(arg[0], depth + 1))
        if key in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            values = [self._truth(a, depth + 1) for a in arg]
            return all3(values) if key == "Fn::And" else any3(values)
        return None

    def resolve(self, value: Any, path: tuple[Any, ...]) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                (key,) = value
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self._intrinsic(key, value[key], path)
            out = Mapping(line=getattr(value, "line", 0), end_line=getattr(value, "end_line", 0))
            lines = getattr(value, "key_lines", {})
            for key, item in value.items():
                resolved = self.resolve(item, (*path, key))
                if resolved is _NO_VALUE:
                    continue
                out[key] = resolved
                if key in lines:
                    out.key_lines[key] = lines[key]
            return out
        if isinstance(value, list):
            out_list = Sequence(line=getattr(value, "line", 0), end_line=getattr(value, "end_line", 0))
            lines = getattr(value, "item_lines", [])
            for index, item in enumerate(value):
                resolved = self.resolve(item, (*path, index))
                if resolved is _NO_VALUE:
                    continue
                out_list.append(resolved)
                out_list.item_lines.append(lines[index] if index < len(lines) else out_list.line)
            return out_list
        return value

    # -- intrinsic functions -------------------------------------------------
    def _intrinsic(self, key: str, arg: Any, path: tuple[Any, ...]) -> Any:
        if key == "Ref":
            return self._ref(arg, path)
        if key == "Fn::GetAtt":
            target, attr = _getatt_parts(arg)
            if target in self.resource_ids:
                self.edges.append(Edge(self.source, target, path, attr, "getatt"))
                return Unknown(f"!GetAtt {target}.{attr}", (Ref(target, attr),))
            return Unknown(_text(key, arg))
        if key == "Fn::Sub":
            return self._sub(arg, path)
        if key == "Fn::Join":
            return self._join(arg, path)
        if key == "Fn::If" and isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
            decided = self.condition(arg[0])
            if decided is not None:
                return self.resolve(arg[1] if decided else arg[2], (*path, 1 if decided else 2))
            if arg[0] not in self.met:
                self.met.append(arg[0])
        if key == "Fn::FindInMap":
            found = self._find_in_map(arg, path)
            if found is not _UNRESOLVED:
                return found
        if key == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
            index, items = self.resolve(arg[0], (*path, 0)), self.resolve(arg[1], (*path, 1))
            number = int(index) if isinstance(index, int) or (isinstance(index, str) and index.isdigit()) else None
            if number is not None and isinstance(items, list) and 0 <= number < len(items):
                return items[number]
        if key == "Fn::Split" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            text = self.resolve(arg[1], (*path, 1))
            if isinstance(text, str) and arg[0]:
                return Sequence(text.split(arg[0]), line=getattr(arg, "line", 0))
        if key == "Fn::Base64":
            text = self.resolve(arg, path)
            if isinstance(text, str):
                return base64.b64encode(text.encode("utf-8")).decode("ascii")
        if key == "Fn::Cidr" and isinstance(arg, list) and len(arg) == 3:
            blocks = _cidr(*(self.resolve(a, (*path, i)) for i, a in enumerate(arg)))
            if blocks is not None:
                return Sequence(blocks, line=getattr(arg, "line", 0))
        # Fn::GetAZs stays unknown even in a known region: the zones differ between accounts.
        # Everything else is resolved by later work; keep its references.
        refs = self._collect_refs(arg, path)
        return Unknown(_text(key, arg), tuple(refs), maybe_absent=key == "Fn::If")

    def _find_in_map(self, arg: Any, path: tuple[Any, ...]) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3):
            return _UNRESOLVED
        keys = [self.resolve(a, (*path, i)) for i, a in enumerate(arg)]
        if not all(isinstance(k, (str, int)) and not isinstance(k, bool) for k in keys):
            return _UNRESOLVED
        node: Any = self.mappings
        for key in keys:
            if not isinstance(node, dict) or str(key) not in node:
                return _UNRESOLVED
            node = node[str(key)]
        return self.resolve(node, path)

    def _ref(self, name: Any, path: tuple[Any, ...]) -> Any:
        if not isinstance(name, str):
            return Unknown(_text("Ref", name))
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.resource_ids:
            self.edges.append(Edge(self.source, name, path, None, "ref"))
            return Unknown(f"!Ref {name}", (Ref(name),))
        if name in self.parameters:
            return self.parameters[name]
        return Unknown(f"!Ref {name}")

    def _sub(self, arg: Any, path: tuple[Any, ...]) -> Any:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            text, variables = arg[0], arg[1] if isinstance(arg[1], dict) else {}
        elif isinstance(arg, str):
            text, variables = arg, {}
        else:
            return Unknown(_text("Fn::Sub", arg), tuple(self._collect_refs(arg, path)))
        local = {k: self.resolve(v, (*path, 1, k)) for k, v in variables.items()}
        refs: list[Ref] = []
        for value in local.values():
            if isinstance(value, Unknown):
                refs.extend(value.refs)

        def value_of(name: str) -> Any:
            if name in local:
                return local[name]
            base, dot, attr = name.partition(".")
            if dot and base in self.resource_ids:
                self.edges.append(Edge(self.source, base, path, attr, "sub"))
                refs.append(Ref(base, attr))
                return None
            if name in self.resource_ids:
                self.edges.append(Edge(self.source, name, path, None, "sub"))
                refs.append(Ref(name))
                return None
            value = self.parameters.get(name)
            return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None

        parts: list[str] = []
        known = True
        for match in _SUB_VAR.finditer(text):
            value = value_of(match.group(1).strip())
            if value is None or isinstance(value, Unknown):
                known = False
            else:
                parts.append(str(value))
        if known:
            return _SUB_VAR.sub(lambda m: str(value_of(m.group(1).strip())), text).replace("${!", "${")
        return Unknown(_text("Fn::Sub", arg), tuple(refs))

    def _join(self, arg: Any, path: tuple[Any, ...]) -> Any:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            items = self.resolve(arg[1], (*path, 1))
            if isinstance(items, list) and all(
                isinstance(i, (str, int, float)) and not isinstance(i, bool) for i in items
            ):
                return arg[0].join(str(i) for i in items)
            return Unknown(_text("Fn::Join", arg), tuple(refs_in(items)))
        return Unknown(_text("Fn::Join", arg))

    def _collect_refs(self, arg: Any, path: tuple[Any, ...]) -> list[Ref]:
        """Resolve ``arg`` only to record the edges and references inside it."""
        return refs_in(self.resolve(arg, path))


def _cidr(block: Any, count: Any, bits: Any) -> list[str] | None:
    """Fn::Cidr: the first ``count`` subnets of ``block`` with ``bits`` host bits each; None if not computable."""
    count, bits = as_number(count), as_number(bits)
    if not isinstance(block, str) or not isinstance(count, int) or not isinstance(bits, int):
        return None
    try:
        network = ipaddress.ip_network(block.strip(), strict=False)
        prefix = network.max_prefixlen - bits
        if not 1 <= count <= 256 or not network.prefixlen <= prefix <= network.max_prefixlen:
            return None
        subnets = itertools.islice(network.subnets(new_prefix=prefix), count)
        blocks = [str(subnet) for subnet in subnets]
    except ValueError:
        return None
    return blocks if len(blocks) == count else None


def _getatt_parts(arg: Any) -> tuple[str, str | None]:
    if isinstance(arg, str):
        base, _, attr = arg.partition(".")
        return base, attr or None
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        attr = arg[1] if len(arg) > 1 and isinstance(arg[1], str) else None
        return arg[0], attr
    return "", None


def _text(key: str, arg: Any) -> str:
    try:
        text = json.dumps({key: arg}, separators=(",", ":"), default=repr, sort_keys=False)
    except (TypeError, ValueError):
        text = f"{key}(...)"
    return text if len(text) <= 120 else text[:117] + "..."
