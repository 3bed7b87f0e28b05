"""Terraform modules -> resources with evaluated values and edges.

A root module (a directory of ``.tf`` files) is evaluated with the values its
variables are given (defaults, then the values :mod:`.tfvars` gathers). Every
module it calls from a local source (``./modules/x``, ``../shared``), or that
``terraform init`` installed under ``.terraform/modules``, is expanded with the
arguments the caller passes, to any depth; its resources join the root's graph
under their full address (``module.storage.module.bucket.aws_s3_bucket.this``)
at their own file and line, with the chain of call sites.

``count`` and ``for_each`` with a known value give one resource per instance
(``aws_s3_bucket.logs[0]``, ``aws_s3_bucket.b["raw"]``); ``dynamic`` blocks
expand where their input is known. Expressions are evaluated where their inputs
are known: literals, templates, variables, locals (including locals built from
locals), module outputs, conditionals, operators, ``for`` expressions and the
common functions of :mod:`.tf_functions`. Everything else stays :class:`Unknown`,
carrying the resources it mentions; every mention of a resource, data source or
module is an edge.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..model import (
    TERRAFORM,
    CallSite,
    Edge,
    Mapping,
    ParseError,
    Ref,
    Resource,
    Sequence,
    Template,
    Unknown,
    as_bool,
    as_number,
    refs_in,
)
from ..suppressions import comment_lines, for_block
from . import hcl
from .tf_functions import FUNCTIONS, UNKNOWN, is_scalar, operate, to_string

MAX_LOCAL_DEPTH = 100  # locals built from locals: a limit that protects the runner
MAX_MODULE_DEPTH = 32  # modules calling modules
MAX_INSTANCES = 1000  # count / for_each beyond this: one resource, checked with unknown keys
MAX_MODULE_INSTANCES = 2000  # module instances under one root: calls that fan out stop here
_META_ARGUMENTS = {"depends_on"}
_MODULE_ARGUMENTS = {"source", "version", "count", "for_each", "providers", "depends_on"}
_SKIPPED_BLOCKS = {"provisioner", "connection"}
_PRIMITIVE_TYPES = {"string", "number", "bool", "any"}

Key = int | str | None  # an instance key: None for a resource without count or for_each
Loader = Callable[[str], "dict[str, hcl.Body] | None"]


def module_files(directory: str) -> list[str]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [
        os.path.join(directory, n) for n in names if n.endswith(".tf") and os.path.isfile(os.path.join(directory, n))
    ]


def build(
    directory: str,
    bodies: dict[str, hcl.Body],
    *,
    variables: dict[str, Any] | None = None,
    load: Loader | None = None,
) -> Template:
    """Evaluate a root module from its parsed files (``{path: Body}``).

    ``variables`` are the values given from outside (tfvars, environment, command
    line); a string for a variable of a complex type is read as an HCL expression,
    as Terraform reads ``-var`` and ``TF_VAR_`` values. ``load`` parses a called
    module's directory (None: module calls are not expanded).
    """
    template = Template(format=TERRAFORM, path=directory, files=tuple(bodies))
    tree = _Tree(directory, load, template)
    root = _Module(tree, directory, bodies, inputs=variables or {})
    root.collect()
    template.files = tuple(dict.fromkeys(tree.files))
    template.problems = tree.problems
    return template


def constant(expr: hcl.Expr) -> Any:
    """The value of an expression that refers to nothing (a ``.tfvars`` entry)."""
    return _Module(None, "", {}).eval(expr, ())


def declared_variables(bodies: dict[str, hcl.Body]) -> set[str]:
    return {b.labels[0] for body in bodies.values() for b in body.blocks if b.type == "variable" and len(b.labels) == 1}


_LOCAL_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}(?:/[^"]*)?)"', re.MULTILINE)


def called_modules(directories: list[str]) -> dict[str, str]:
    """Among module directories, those that another one calls from a local source, each with a
    caller: they are checked through their callers, with the inputs those pass.

    A directory is left out (checked on its own) when no caller reaches it from a module
    that nobody calls, so that modules calling each other in a loop are still read.
    """
    known = {os.path.normpath(d): d for d in directories}
    calls: dict[str, list[str]] = {}
    for directory in directories:
        targets = []
        for path in module_files(directory):
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read(4 * 1024 * 1024)
            except OSError:
                continue
            if "source" not in text:
                continue
            for source in _LOCAL_SOURCE.findall(text):
                target = os.path.normpath(os.path.join(directory, source))
                if target in known and target != os.path.normpath(directory):
                    targets.append(known[target])
        calls[directory] = sorted(set(targets))
    called = {t for targets in calls.values() for t in targets}
    covered: dict[str, str] = {}
    stack = [d for d in directories if d not in called]
    while stack:
        caller = stack.pop()
        for target in calls.get(caller, ()):
            if target not in covered:
                covered[target] = caller
                stack.append(target)
    for root in directories:  # a root reached from another root's tree is still a root
        if root not in called:
            covered.pop(root, None)
    return covered


class _Tree:
    """What the modules of one root share: the loader, the template they fill, problems."""

    def __init__(self, root: str, load: Loader | None, template: Template) -> None:
        self.root = root
        self.load = load
        self.template = template
        self.problems: list[ParseError] = []
        self.files: list[str] = list(template.files)
        self.expanded = 0  # module instances so far
        self._installed: dict[str, str] | None = None

    def installed(self, key: str) -> str | None:
        """The directory ``terraform init`` installed module ``key`` (``a.b``) in, if any."""
        if self._installed is None:
            self._installed = {}
            manifest = os.path.join(self.root, ".terraform", "modules", "modules.json")
            try:
                with open(manifest, encoding="utf-8") as handle:
                    entries = json.load(handle).get("Modules", [])
                for entry in entries:
                    if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and entry.get("Dir"):
                        self._installed[entry["Key"]] = os.path.join(self.root, str(entry["Dir"]))
            except (OSError, ValueError, AttributeError):
                pass
        return self._installed.get(key)


def _key_suffix(key: Key) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f'["{key}"]'


class _Module:
    def __init__(
        self,
        tree: _Tree | None,
        directory: str,
        bodies: dict[str, hcl.Body],
        *,
        prefix: str = "",
        inputs: dict[str, Any] | None = None,
        chain: tuple[str, ...] = (),
        via: tuple[CallSite, ...] = (),
        key_path: tuple[str, ...] = (),
    ) -> None:
        self.tree = tree
        self.directory = directory
        self.bodies = bodies
        self.prefix = prefix  # "" for the root, "module.a." / 'module.a["x"].' below it
        self.chain = (*chain, os.path.normpath(directory))
        self.via = via
        self.key_path = key_path  # module names from the root, for modules.json
        self.local_exprs: dict[str, tuple[hcl.Expr, str]] = {}
        self.local_values: dict[str, Any] = {}
        self.evaluating: set[str] = set()
        self.declared: dict[str, tuple[str, hcl.Block]] = {}  # local address -> (file, block)
        self.blocks: list[tuple[str, hcl.Block]] = []
        self.calls: dict[str, tuple[str, hcl.Block]] = {}
        self.outputs: dict[str, hcl.Expr] = {}
        self.output_values: dict[str, Any] = {}
        self.variable_blocks: dict[str, hcl.Block] = {}
        self.scope: dict[str, Any] = {}  # count / each / dynamic iterators / for variables
        self._instances: dict[str, list[Key] | None] = {}
        self._children: dict[tuple[str, Key], "_Module | None"] = {}
        self._each_values: dict[str, dict[Any, Any]] = {}  # for_each collections, for each.value
        self._busy: set[Any] = set()
        for path, body in bodies.items():
            for block in body.blocks:
                self._declare(path, block)
        # the edges of the value being evaluated
        self.source = ""
        self.edges: list[Edge] = []
        self.variables = {name: self._variable(name, b, inputs or {}) for name, b in self.variable_blocks.items()}

    def _declare(self, path: str, block: hcl.Block) -> None:
        kind, labels = block.type, block.labels
        if kind == "variable" and len(labels) == 1:
            self.variable_blocks[labels[0]] = block
        elif kind == "locals":
            for name, attr in block.body.attributes.items():
                self.local_exprs[name] = (attr.expr, path)
        elif kind == "output" and len(labels) == 1 and "value" in block.body.attributes:
            self.outputs[labels[0]] = block.body.attributes["value"].expr
        elif kind == "resource" and len(labels) == 2:
            self.declared[f"{labels[0]}.{labels[1]}"] = (path, block)
            self.blocks.append((path, block))
        elif kind == "data" and len(labels) == 2:
            self.declared[f"data.{labels[0]}.{labels[1]}"] = (path, block)
            self.blocks.append((path, block))
        elif kind == "module" and len(labels) == 1:
            self.calls[labels[0]] = (path, block)
            self.blocks.append((path, block))
        elif kind == "provider" and len(labels) == 1:
            self.blocks.append((path, block))  # a node policies can read (default_tags), never checked itself

    # -- variables -----------------------------------------------------------------
    def _variable(self, name: str, block: hcl.Block, inputs: dict[str, Any]) -> Any:
        type_attr = block.body.attributes.get("type")
        type_text = "".join(type_attr.expr.text.split()) if type_attr else None
        if name in inputs:
            value = inputs[name]
            if isinstance(value, VarText):
                text = str(value)
                value = _parse_value(text, f"var.{name}") if type_text and type_text not in _PRIMITIVE_TYPES else text
        else:
            default = block.body.attributes.get("default")
            if default is None:
                return Unknown(f"var.{name}")
            value = self.eval(default.expr, ())
        return _convert(value, type_text)

    # -- the resources of this module and of the modules it calls -------------------
    def collect(self) -> None:
        assert self.tree is not None
        template = self.tree.template
        sources = {path: (body.source.splitlines(), comment_lines(body.source)) for path, body in self.bodies.items()}
        for path, block in self.blocks:
            if block.type == "resource":
                rtype, local, kind = block.labels[0], f"{block.labels[0]}.{block.labels[1]}", "resource"
            elif block.type == "data":
                rtype, local, kind = block.labels[0], f"data.{block.labels[0]}.{block.labels[1]}", "data"
            elif block.type == "provider":
                alias = block.body.attributes.get("alias")
                suffix = f".{alias.expr.value}" if alias and isinstance(alias.expr, hcl.Lit) else ""
                rtype, local, kind = f"provider.{block.labels[0]}", f"provider.{block.labels[0]}{suffix}", "provider"
            else:
                rtype, local, kind = "module", f"module.{block.labels[0]}", "module"
            keys: list[Key] | None = [None]
            if kind in ("resource", "data"):
                keys = self.instances(local)
                if keys == []:
                    template.skipped.append(
                        (f"{path}:{block.line}", f"{self.prefix}{local}: count or for_each makes no instance")
                    )
                    continue
            lines, comments = sources[path]
            suppressions = tuple(for_block(comments, lines, block.line, block.end_line)) if comments else ()
            for key in keys if keys is not None else [None]:
                name = f"{self.prefix}{local}{_key_suffix(key)}"
                self.scope = self._bindings(local, key, keys is None)
                self.source, self.edges = name, []
                props = self.body_value(block.body, (), block.line, block.end_line)
                depends = block.body.attributes.get("depends_on")
                if depends is not None and isinstance(depends.expr, hcl.TupleExpr):
                    for item in depends.expr.items:
                        if isinstance(item, hcl.Traversal):
                            for ref in self._refs(item):
                                self.edges.append(Edge(name, ref.target, ("depends_on",), None, "depends_on"))
                template.resources.append(
                    Resource(
                        TERRAFORM,
                        rtype,
                        name,
                        props,
                        path,
                        block.line,
                        block.end_line,
                        kind,
                        suppressions=suppressions,
                        via=self.via,
                    )
                )
                template.edges.extend(self.edges)
        self.scope = {}
        for call, (path, block) in self.calls.items():
            keys = self.instances(f"module.{call}")
            if keys == []:
                template.skipped.append(
                    (f"{path}:{block.line}", f"{self.prefix}module.{call}: count or for_each makes no instance")
                )
            for key in keys if keys is not None else [None]:
                child = self.child(call, key)
                if child is not None:
                    child.collect()

    def _block_of(self, local: str) -> tuple[str, hcl.Block] | None:
        return self.calls.get(local[len("module.") :]) if local.startswith("module.") else self.declared.get(local)

    def _bindings(self, local: str, key: Key, unknown: bool) -> dict[str, Any]:
        found = self._block_of(local)
        if found is None:
            return {}
        block = found[1]
        if "count" in block.body.attributes:
            return {"count": Mapping(index=Unknown("count.index") if unknown else key)}
        if "for_each" in block.body.attributes:
            if unknown:
                return {"each": Mapping(key=Unknown("each.key"), value=Unknown("each.value"))}
            collection = self._each_values.get(local, {})
            return {"each": Mapping(key=key, value=collection.get(key, key))}
        return {}

    def instances(self, local: str) -> list[Key] | None:
        """The instance keys of a resource, data source or module call; None when unknown."""
        if local in self._instances:
            return self._instances[local]
        found = self._block_of(local)
        if found is None:
            return [None]
        path, block = found
        if ("instances", local) in self._busy:
            return None  # a count that depends on itself: Terraform rejects it; stay unknown
        self._busy.add(("instances", local))
        try:
            with self._apart():
                keys = self._keys(local, block)
        finally:
            self._busy.discard(("instances", local))
        if keys is not None and len(keys) > MAX_INSTANCES and self.tree is not None:
            self.tree.template.skipped.append(
                (
                    f"{path}:{block.line}",
                    f"{self.prefix}{local}: more than {MAX_INSTANCES} instances, checked once with unknown keys",
                )
            )
            keys = None
        self._instances[local] = keys
        return keys

    def _keys(self, local: str, block: hcl.Block) -> list[Key] | None:
        count = block.body.attributes.get("count")
        for_each = block.body.attributes.get("for_each")
        if count is not None:
            value = self.eval(count.expr, ())
            number = as_number(value) if not isinstance(value, Unknown) else None
            if number is None or number < 0 or int(number) != number:
                return None
            return list(range(min(int(number), MAX_INSTANCES + 1)))  # past the limit: see instances()
        if for_each is not None:
            value = self.eval(for_each.expr, ())
            if isinstance(value, dict) and not any(isinstance(k, Unknown) for k in value):
                self._each_values[local] = dict(value)
                return sorted(value)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                self._each_values[local] = {v: v for v in value}
                return sorted(set(value))
            return None
        return [None]

    # -- module calls --------------------------------------------------------------
    def child(self, call: str, key: Key) -> "_Module | None":
        """The module a call expands to (one per instance), or None when it cannot be expanded."""
        if (call, key) in self._children:
            return self._children[(call, key)]
        self._children[(call, key)] = None  # while it is being built: a call that needs itself stays unknown
        tree = self.tree
        path, block = self.calls[call]
        if tree is None or tree.load is None:
            return None
        directory = self._source_directory(call, path, block)
        if directory is None:
            return None
        normal = os.path.normpath(directory)
        if normal in self.chain or len(self.chain) >= MAX_MODULE_DEPTH:
            if normal in self.chain:
                shown = " -> ".join(d.replace(os.sep, "/") for d in self.chain[self.chain.index(normal) :] + (normal,))
                why = f"makes a module cycle ({shown}), which Terraform rejects"
            else:
                why = f"nests modules more than {MAX_MODULE_DEPTH} deep"
            tree.problems.append(ParseError(path, f"line {block.line}: module.{call} {why}"))
            return None
        if tree.expanded >= MAX_MODULE_INSTANCES:
            if tree.expanded == MAX_MODULE_INSTANCES:
                tree.problems.append(
                    ParseError(
                        path,
                        f"line {block.line}: module.{call}: more than {MAX_MODULE_INSTANCES} module instances "
                        "under one root module; the rest are not expanded",
                    )
                )
                tree.expanded += 1
            return None
        bodies = tree.load(directory)
        if not bodies:
            return None
        tree.expanded += 1
        tree.files.extend(bodies)
        keys = self.instances(f"module.{call}")
        inputs = {}
        bindings = self._bindings(f"module.{call}", key, keys is None)
        with self._apart(bindings, source=f"{self.prefix}module.{call}") as edges:
            for name, attr in block.body.attributes.items():
                if name not in _MODULE_ARGUMENTS:
                    value = self.eval(attr.expr, (name,))
                    if value is not None:  # null: the module's default applies
                        inputs[name] = value
        tree.template.edges.extend(edges)
        child = _Module(
            tree,
            directory,
            bodies,
            prefix=f"{self.prefix}module.{call}{_key_suffix(key)}.",
            inputs=inputs,
            chain=self.chain,
            via=(*self.via, CallSite(path, block.line, f"{self.prefix}module.{call}{_key_suffix(key)}")),
            key_path=(*self.key_path, call),
        )
        self._children[(call, key)] = child
        return child

    def _source_directory(self, call: str, path: str, block: hcl.Block) -> str | None:
        assert self.tree is not None
        source_attr = block.body.attributes.get("source")
        source = source_attr.expr.value if source_attr and isinstance(source_attr.expr, hcl.Lit) else None
        if not isinstance(source, str):
            return None
        if source.startswith(("./", "../")) or source in (".", ".."):
            return os.path.join(self.directory, source)
        installed = self.tree.installed(".".join((*self.key_path, call)))
        if installed and os.path.isdir(installed):
            return installed
        self.tree.template.warnings.append(
            ParseError(
                path,
                f"line {block.line}: {self.prefix}module.{call}: source {source!r} is not downloaded "
                "(run terraform init to check its resources)",
            )
        )
        return None

    def output(self, name: str) -> Any:
        if name in self.output_values:
            return self.output_values[name]
        expr = self.outputs.get(name)
        if expr is None or ("output", name) in self._busy:
            return Unknown(f"{self.prefix}output.{name}")
        self._busy.add(("output", name))
        with self._apart():  # its edges belong to whoever uses it
            value = self.eval(expr, ())
        self._busy.discard(("output", name))
        self.output_values[name] = value
        return value

    # -- bodies ------------------------------------------------------------------
    def body_value(self, body: hcl.Body, path: tuple[Any, ...], line: int, end_line: int) -> Mapping:
        out = Mapping(line=line, end_line=end_line)
        for name, attr in body.attributes.items():
            if name in _META_ARGUMENTS:
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
                self._dynamic(out, block, path)
                continue
            items = out.get(block.type)
            index = len(items) if isinstance(items, list) else 0
            value = self.body_value(block.body, (*path, block.type, index), block.line, block.end_line)
            _append_block(out, block.type, value, block.line)
        return out

    def _dynamic(self, out: Mapping, block: hcl.Block, path: tuple[Any, ...]) -> None:
        label = block.labels[0]
        for_each = block.body.attributes.get("for_each")
        iterator = block.body.attributes.get("iterator")
        name = iterator.expr.root if iterator and isinstance(iterator.expr, hcl.Traversal) else label
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        collection = self.eval(for_each.expr, path) if for_each else None
        items = _iterate(collection)
        if content is None or items is None:
            _append_block(out, label, Unknown(f'dynamic "{label}" block'), block.line)
            return
        with self._bound(name):
            for key, value in items:
                self.scope[name] = Mapping(key=key, value=value)
                existing = out.get(label)
                index = len(existing) if isinstance(existing, list) else 0
                content_value = self.body_value(content.body, (*path, label, index), block.line, block.end_line)
                _append_block(out, label, content_value, block.line)

    # -- evaluation contexts -------------------------------------------------------
    @contextmanager
    def _apart(self, scope: dict[str, Any] | None = None, source: str | None = None) -> Iterator[list[Edge]]:
        """Evaluate with a scope and edges of its own (a local, an output, a count, a module's
        inputs); yields the edges, and restores what was being evaluated after."""
        saved = self.scope, self.source, self.edges
        self.scope, self.edges = scope if scope is not None else {}, []
        if source is not None:
            self.source = source
        try:
            yield self.edges
        finally:
            self.scope, self.source, self.edges = saved

    @contextmanager
    def _bound(self, *names: str) -> Iterator[None]:
        """Scope names (a dynamic block's iterator, a for expression's variables) restored after."""
        saved = {n: self.scope.get(n, _MISSING) for n in names}
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is _MISSING:
                    self.scope.pop(name, None)
                else:
                    self.scope[name] = value

    # -- expressions ---------------------------------------------------------------
    def eval(self, expr: hcl.Expr, path: tuple[Any, ...]) -> Any:
        if isinstance(expr, hcl.Lit):
            return expr.value
        if isinstance(expr, hcl.Template):
            parts = [p if isinstance(p, str) else self.eval(p, path) for p in expr.parts]
            if all(is_scalar(p) for p in parts):
                return "".join(to_string(p) for p in parts)
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
                key = to_string(key)
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
            return operate(expr.op, values, lambda: self._unknown(expr, values))
        if isinstance(expr, hcl.ForExpr):
            return self._for(expr, path)
        if isinstance(expr, hcl.Call):
            return self._call(expr, path)
        return self._unknown(expr, [])

    def _call(self, expr: hcl.Call, path: tuple[Any, ...]) -> Any:
        if expr.name in ("try", "can") and expr.args:
            # the first argument that is not an error on known values; an unknown one stays unknown
            values = [self.eval(a, path) for a in expr.args]
            valid = [v for v in values if not isinstance(v, _Invalid)]
            if expr.name == "can":
                if valid and isinstance(valid[0], Unknown):
                    return self._unknown(expr, values)
                return bool(valid)
            return valid[0] if valid else self._unknown(expr, values)
        args = [self.eval(a, path) for a in expr.args]
        function = FUNCTIONS.get(expr.name)
        if function is not None:
            try:
                result = function(*args)
            except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError):
                result = UNKNOWN
            if result is not UNKNOWN:
                return result
        return self._unknown(expr, args)

    def _for(self, expr: hcl.ForExpr, path: tuple[Any, ...]) -> Any:
        collection = self.eval(expr.collection, path)
        items = _iterate(collection)
        if items is None:
            return self._unknown(expr, [collection])
        out_list, out_map = Sequence(line=expr.line), Mapping(line=expr.line)
        with self._bound(*filter(None, (expr.key_var, expr.value_var))):
            for key, value in items:
                if expr.key_var:
                    self.scope[expr.key_var] = key
                self.scope[expr.value_var] = value
                if expr.cond is not None:
                    keep = self.eval(expr.cond, path)
                    if not isinstance(keep, bool):
                        return self._unknown(expr, [keep])
                    if not keep:
                        continue
                result = self.eval(expr.value, path)
                if expr.key is None:
                    out_list.append(result)
                    out_list.item_lines.append(expr.line)
                    continue
                new_key = self.eval(expr.key, path)
                if not is_scalar(new_key):
                    return self._unknown(expr, [new_key])
                new_key = to_string(new_key)
                if expr.grouping:
                    out_map.setdefault(new_key, Sequence(line=expr.line)).append(result)
                elif new_key in out_map:
                    return self._unknown(expr, [])  # Terraform: duplicate key, an error
                else:
                    out_map[new_key] = result
        return out_list if expr.key is None else out_map

    def _unknown(self, expr: hcl.Expr, parts: list[Any]) -> Unknown:
        refs: list[Ref] = []
        for part in parts:
            refs.extend(refs_in(part))
        return Unknown(" ".join(expr.text.split())[:120], tuple(dict.fromkeys(refs)))

    def _traverse(self, expr: hcl.Traversal, path: tuple[Any, ...]) -> Any:
        root, ops = expr.root, expr.ops
        if root in self.scope:
            return self._apply_ops(self.scope[root], ops, expr, path)
        if root in ("var", "local") and ops and ops[0][0] == "attr":
            name = ops[0][1]
            if root == "var":
                value = self.variables.get(name, Unknown(f"var.{name}"))
            else:
                value = self._local(name, expr)
            value = self._apply_ops(value, ops[1:], expr, path)
            self._link(value, path)
            return value
        if root == "path" and ops and ops[0][0] == "attr" and ops[0][1] in ("module", "root", "cwd"):
            which = {"module": self.directory, "root": self.tree.root if self.tree else self.directory, "cwd": "."}
            return which[ops[0][1]].replace(os.sep, "/")
        if root == "module" and ops and ops[0][0] == "attr" and ops[0][1] in self.calls:
            return self._module_value(expr, path)
        refs = self._refs(expr)
        if refs:
            for ref in refs:
                self.edges.append(Edge(self.source, ref.target, path, ref.attribute, "expression"))
            return Unknown(" ".join(expr.text.split())[:120], tuple(refs))
        return Unknown(" ".join(expr.text.split())[:120])

    def _link(self, value: Any, path: tuple[Any, ...]) -> None:
        """A variable, local or output that mentions resources links them to whoever uses it."""
        for ref in dict.fromkeys(refs_in(value)):
            self.edges.append(Edge(self.source, ref.target, path, ref.attribute, "expression"))

    def _module_value(self, expr: hcl.Traversal, path: tuple[Any, ...]) -> Any:
        call, ops = expr.ops[0][1], list(expr.ops[1:])
        node = f"{self.prefix}module.{call}"
        self.edges.append(Edge(self.source, node, path, None, "expression"))
        keys = self.instances(f"module.{call}")
        key: Key = None
        if ops and ops[0][0] == "index" and keys is not None and keys != [None]:
            wanted = self.eval(ops[0][1], path)
            key = wanted if wanted in keys else _MISSING
            ops = ops[1:]
        elif keys != [None]:
            key = _MISSING  # every instance, or an unknown one
        if key is _MISSING or not ops or ops[0][0] != "attr":
            return Unknown(" ".join(expr.text.split())[:120], (Ref(node),))
        child = self.child(call, key)
        if child is None:
            return Unknown(" ".join(expr.text.split())[:120], (Ref(node, ops[0][1]),))
        value = self._apply_ops(child.output(ops[0][1]), tuple(ops[1:]), expr, path)
        self._link(value, path)
        return value

    def _refs(self, expr: hcl.Traversal) -> list[Ref]:
        """The instances a traversal names (``aws_s3_bucket.b``, ``aws_s3_bucket.b[0].arn``, ``data.x.y``)."""
        ops = list(expr.ops)
        if expr.root == "data":
            if len(ops) < 2 or ops[0][0] != "attr" or ops[1][0] != "attr":
                return []
            local, ops = f"data.{ops[0][1]}.{ops[1][1]}", ops[2:]
        elif expr.root == "module":
            if not ops or ops[0][0] != "attr":
                return []
            local, ops = f"module.{ops[0][1]}", ops[1:]
        elif ops and ops[0][0] == "attr":
            local, ops = f"{expr.root}.{ops[0][1]}", ops[1:]
        else:
            return []
        if local not in self.declared and not (local.startswith("module.") and local[7:] in self.calls):
            return []
        keys = self.instances(local) if not local.startswith("module.") else [None]
        if keys != [None] and ops and ops[0][0] == "index":
            wanted = self.eval(ops[0][1], ())
            ops = ops[1:]
            chosen = [wanted] if keys is not None and wanted in keys else (keys or [None])
        elif keys != [None] and ops and ops[0][0] == "splat":
            ops = ops[1:]
            chosen = keys or [None]
        else:
            chosen = keys or [None]
        attribute = ops[0][1] if ops and ops[0][0] == "attr" else None
        return [Ref(f"{self.prefix}{local}{_key_suffix(k)}", attribute) for k in chosen]

    def _local(self, name: str, expr: hcl.Expr) -> Any:
        if name in self.local_values:
            return self.local_values[name]
        if name not in self.local_exprs:
            return Unknown(f"local.{name}")
        problems = self.tree.problems if self.tree else []
        if len(self.evaluating) >= MAX_LOCAL_DEPTH:
            local_expr, file = self.local_exprs[name]
            problems.append(
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
            problems.append(ParseError(file, f"line {local_expr.line}: local.{name} refers to itself"))
            value: Any = Unknown(f"local.{name} (cyclic)")
            self.local_values[name] = value
            return value
        self.evaluating.add(name)
        with self._apart():  # a local's own edges belong to whoever uses it
            value = self.eval(self.local_exprs[name][0], ())
        self.evaluating.discard(name)
        self.local_values.setdefault(name, value)
        return self.local_values[name]

    def _apply_ops(self, value: Any, ops: tuple[tuple[str, Any], ...], expr: hcl.Expr, path: tuple) -> Any:
        for position, (kind, arg) in enumerate(ops):
            if isinstance(value, Unknown):
                return value
            if kind == "attr" and isinstance(value, dict) and arg in value:
                value = value[arg]
            elif kind == "index":
                key = self.eval(arg, path)
                if isinstance(key, Unknown):
                    return Unknown(" ".join(expr.text.split())[:120], tuple(refs_in(value)) + key.refs)
                if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                    value = value[key]
                elif isinstance(value, dict) and is_scalar(key) and to_string(key) in value:
                    value = value[to_string(key)]
                else:
                    return _Invalid(" ".join(expr.text.split())[:120], tuple(refs_in(value)))
            elif kind == "splat" and isinstance(value, list):
                rest = ops[position + 1 :]
                return Sequence(self._apply_ops(item, rest, expr, path) for item in value)
            elif kind == "attr" and isinstance(value, dict):
                return _Invalid(" ".join(expr.text.split())[:120], tuple(refs_in(value)))
            else:
                return Unknown(" ".join(expr.text.split())[:120], tuple(refs_in(value)))
        return value


class VarText(str):
    """A variable's value given as text (``--var``, ``TF_VAR_``): read by the variable's type."""


class _Invalid(Unknown):
    """An expression that is an error on known values (a missing key): ``try`` skips it."""


_MISSING: Any = object()


def _append_block(out: Mapping, key: str, value: Any, line: int) -> None:
    items = out.get(key)
    if not isinstance(items, Sequence):
        items = Sequence(line=line)
        out[key] = items
        out.key_lines[key] = line
    items.append(value)
    items.item_lines.append(line)


def _iterate(collection: Any) -> list[tuple[Any, Any]] | None:
    """(key, value) pairs of a known map (in key order) or list (index, item); None if unknown."""
    if isinstance(collection, dict):
        return [(k, collection[k]) for k in sorted(collection)]
    if isinstance(collection, list):
        return list(enumerate(collection))
    return None


def _convert(value: Any, type_text: str | None) -> Any:
    """A value converted to its variable's primitive type, as Terraform converts it."""
    if type_text == "bool" and isinstance(value, str) and as_bool(value) is not None:
        return as_bool(value)
    if type_text == "number" and isinstance(value, str) and as_number(value) is not None:
        return as_number(value)
    if type_text == "string" and isinstance(value, (bool, int, float)):
        return to_string(value)
    return value


def _parse_value(text: str, name: str) -> Any:
    """A ``-var`` or ``TF_VAR_`` value for a variable of a complex type: an HCL expression."""
    try:
        body = hcl.parse(f"v = {text}\n")
    except hcl.HclError:
        return Unknown(f"{name} (not a valid HCL value)")
    attr = body.attributes.get("v")
    return constant(attr.expr) if attr else Unknown(name)
