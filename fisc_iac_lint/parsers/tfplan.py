"""``terraform show -json PLAN`` output -> the resources the plan will create, as a Template.

Recognised by content (``format_version`` and ``planned_values``). Resources come
from ``planned_values`` across all child modules, with their full addresses;
values that are known only after apply (``after_unknown`` in ``resource_changes``)
are :class:`Unknown`, carrying the references the ``configuration`` section
records for them, and every such reference is an edge. When the ``.tf`` source
sits beside the plan, a resource points at its own block there (file, line and
the lines of its arguments, and the suppressions written next to it); otherwise
at the plan file's line.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import TERRAFORM, Edge, Mapping, Ref, Resource, Sequence, Template, Unknown

_REFERENCE = re.compile(r'^(data\.[\w-]+\.[\w-]+|[\w-]+\.[\w-]+)(\[(?:\d+|"[^"]*")\])?(?:\.([\w-]+))?')
_NOT_RESOURCES = ("var.", "local.", "count.", "each.", "path.", "module.", "self.", "terraform.")


_UNSEEN: Any = object()  # no configuration for this part of the plan


def looks_like_plan(doc: Any) -> bool:
    return isinstance(doc, dict) and "format_version" in doc and isinstance(doc.get("planned_values"), dict)


def build(doc: Mapping, path: str, source: Template | None) -> Template:
    """The plan's resources; ``source``: the configuration beside the plan, evaluated, or None."""
    template = Template(format=TERRAFORM, path=path, files=(path,))
    by_name = {r.name: r for r in source.resources} if source is not None else {}
    unknown = {
        change.get("address"): (change.get("change") or {}).get("after_unknown") or {}
        for change in doc.get("resource_changes") or []
        if isinstance(change, dict)
    }
    planned = [r for r in _planned(doc["planned_values"].get("root_module")) if isinstance(r.get("address"), str)]
    names = {r["address"] for r in planned}
    config = _configuration(doc.get("configuration"))
    for item in planned:
        address = item["address"]
        module, local = _split(address)
        values = item.get("values") if isinstance(item.get("values"), dict) else Mapping(line=item.line)
        expressions = config.get((module, _base(local)), _UNSEEN)
        props = _value(values, unknown.get(address), expressions, (), address, names)
        kind = "data" if item.get("mode") == "data" else "resource"
        original = by_name.get(address)
        if original is not None:
            props = _relined(props, original.properties)
            resource = Resource(
                TERRAFORM,
                str(item.get("type")),
                address,
                props,
                original.file,
                original.line,
                original.end_line,
                kind,
                suppressions=original.suppressions,
                via=original.via,
            )
        else:
            resource = Resource(TERRAFORM, str(item.get("type")), address, props, path, item.line, item.end_line, kind)
        template.resources.append(resource)
        for ref_path, ref in _references(props):
            template.edges.append(Edge(address, ref.target, ref_path, ref.attribute, "expression"))
    if source is not None:
        template.files = (path, *source.files)
    return template


def _planned(module: Any) -> list[Any]:
    """Every resource of a planned module and its child modules, depth first, iteratively."""
    out: list[Any] = []
    stack = [module]
    while stack:
        current = stack.pop()
        if not isinstance(current, dict):
            continue
        out.extend(r for r in current.get("resources") or [] if isinstance(r, dict))
        stack.extend(reversed([c for c in current.get("child_modules") or [] if isinstance(c, dict)]))
    return out


def _configuration(config: Any) -> dict[tuple[str, str], Any]:
    """(module path without instance keys, resource address) -> the expressions of its arguments."""
    out: dict[tuple[str, str], Any] = {}
    root = config.get("root_module") if isinstance(config, dict) else None
    stack: list[tuple[str, Any]] = [("", root)]
    while stack:
        prefix, module = stack.pop()
        if not isinstance(module, dict):
            continue
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                out[(prefix, resource["address"])] = resource.get("expressions") or {}
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict):
                stack.append((f"{prefix}module.{name}.", call.get("module")))
    return out


def _split(address: str) -> tuple[str, str]:
    """'module.a["x"].module.b.aws_s3_bucket.c[0]' -> ('module.a.module.b.', 'aws_s3_bucket.c[0]')."""
    module = ""
    rest = address
    while rest.startswith("module."):
        match = re.match(r'module\.([\w-]+)(\[(?:\d+|"[^"]*")\])?\.', rest)
        if not match:
            break
        module += f"module.{match.group(1)}."
        rest = rest[match.end() :]
    return module, rest


def _base(local: str) -> str:
    return local.split("[", 1)[0]


def _module_prefix(address: str) -> str:
    """The module part of an address with its instance keys: 'module.a["x"].'."""
    local = _split(address)[1]
    return address[: len(address) - len(local)]


def _value(value: Any, unknown: Any, expressions: Any, path: tuple[Any, ...], address: str, names: set[str]) -> Any:
    """A planned value with its unknown parts, Terraform's null and empty blocks dropped."""
    if unknown is True:
        if expressions is None:
            return None  # computed by the provider, not set by the configuration: as if absent
        if expressions is _UNSEEN:  # the plan lacks the configuration: nothing says it is unset
            expressions = None
        refs = _refs_of(expressions, address, names)
        return Unknown(f"{'.'.join(map(str, path)) or address} (known after apply)", refs)
    if isinstance(value, dict):
        out = Mapping(line=getattr(value, "line", 0), end_line=getattr(value, "end_line", 0))
        keys = list(value) + [k for k in (unknown or {}) if isinstance(unknown, dict) and k not in value]
        for key in keys:
            sub_unknown = unknown.get(key) if isinstance(unknown, dict) else None
            sub_expr = expressions.get(key) if isinstance(expressions, dict) else _inner(expressions)
            item = _value(value.get(key), sub_unknown, sub_expr, (*path, key), address, names)
            if item is None or (isinstance(item, list) and not item):
                continue  # null is not set; an empty list of blocks or values is none at all
            out[key] = item
            if hasattr(value, "key_lines"):
                out.key_lines[key] = value.line_of(key)
        return out
    if isinstance(value, list):
        seq = Sequence(line=getattr(value, "line", 0))
        for index, item in enumerate(value):
            sub_unknown = unknown[index] if isinstance(unknown, list) and index < len(unknown) else None
            in_list = isinstance(expressions, list) and index < len(expressions)
            sub_expr = expressions[index] if in_list else _inner(expressions)
            seq.append(_value(item, sub_unknown, sub_expr, (*path, index), address, names))
            seq.item_lines.append(value.line_of(index) if hasattr(value, "line_of") else seq.line)
        return seq
    return value


def _inner(expressions: Any) -> Any:
    """What the configuration says about a part of an argument it does not spell out."""
    return _UNSEEN if expressions is _UNSEEN else None


def _refs_of(expression: Any, address: str, names: set[str]) -> tuple[Ref, ...]:
    """The resources an argument's configuration refers to, as instances of this plan."""
    references = expression.get("references") if isinstance(expression, dict) else None
    if not isinstance(references, list):
        return ()
    prefix = _module_prefix(address)
    own_key = address[len(_base(address)) :]  # '[0]' of the resource that refers
    found: dict[str, str | None] = {}
    matches = [
        m for m in (_REFERENCE.match(t) for t in references if isinstance(t, str) and not t.startswith(_NOT_RESOURCES))
    ]
    indexed = {m.group(1) for m in matches if m and m.group(2)}
    for match in matches:
        if not match or (not match.group(2) and match.group(1) in indexed):
            continue  # "aws_x.y" beside "aws_x.y[0]": the indexed form is the precise one
        base, index, attribute = f"{prefix}{match.group(1)}", match.group(2), match.group(3)
        if index:
            targets = [f"{base}{index}"]
        elif base in names:
            targets = [base]
        elif f"{base}{own_key}" in names:  # aws_x.y[count.index] from an instance with the same key
            targets = [f"{base}{own_key}"]
        else:
            targets = sorted(n for n in names if n.startswith(f"{base}["))
        for target in targets:
            if target in names and (target not in found or attribute):
                found[target] = attribute or found.get(target)
    return tuple(Ref(target, attribute) for target, attribute in found.items())


def _references(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Ref]]:
    out: list[tuple[tuple[Any, ...], Ref]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, Unknown):
            out.extend((where, ref) for ref in item.refs)
        elif isinstance(item, dict):
            stack.extend(((*where, k), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend(((*where, i), v) for i, v in enumerate(item))
    return out


def _relined(value: Any, original: Any, fallback: int = 0) -> Any:
    """The plan's value with the lines of the same arguments in the ``.tf`` source (``fallback``:
    the line of the nearest enclosing node the source has)."""
    line = getattr(original, "line", 0) or fallback
    if isinstance(value, dict):
        out = Mapping(line=line, end_line=getattr(original, "end_line", 0) or line)
        for key, item in value.items():
            source = original.get(key) if isinstance(original, dict) else None
            out[key] = _relined(item, source, line)
            out.key_lines[key] = original.line_of(key) if isinstance(original, Mapping) else line
        return out
    if isinstance(value, list):
        seq = Sequence(line=line)
        for index, item in enumerate(value):
            source = original[index] if isinstance(original, list) and index < len(original) else None
            seq.append(_relined(item, source, line))
            seq.item_lines.append(original.line_of(index) if isinstance(original, Sequence) else line)
        return seq
    return value
