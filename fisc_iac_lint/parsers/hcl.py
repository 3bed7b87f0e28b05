"""HCL2 text -> a body of blocks and attributes whose expressions keep their lines.

python-hcl2's Lark grammar is the reference HCL2 grammar in Python, but its
dict output has no line numbers (``with_meta`` adds none in 8.x) and turns every
expression into a ``"${...}"`` string. So this module reads the Lark parse tree
directly into a small expression AST; :mod:`.terraform` evaluates it.

The parser is built here from python-hcl2's grammar and post-lexer, with the
options python-hcl2 uses except one: no Lark position propagation, which costs
more than half of the parse (docs/performance.md). A node's line and source
span come from its first and last token instead, which is what Lark computes.
The compiled grammar is cached in the user cache directory.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

_INTERP = re.compile(r"(?<!\$)\$\{")


class HclError(Exception):
    """HCL that cannot be parsed; ``str()`` is the one-line reason."""


# -- the AST -------------------------------------------------------------------
@dataclass(frozen=True)
class Expr:
    line: int
    text: str  # source text, for messages about unknowns


@dataclass(frozen=True)
class Lit(Expr):
    value: Any


@dataclass(frozen=True)
class Template(Expr):
    parts: tuple[Any, ...]  # str or Expr


@dataclass(frozen=True)
class Traversal(Expr):
    root: str
    ops: tuple[tuple[str, Any], ...]  # ("attr", name) | ("index", Expr) | ("splat", None)


@dataclass(frozen=True)
class Index(Expr):
    target: Expr
    ops: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class TupleExpr(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class ObjectExpr(Expr):
    items: tuple[tuple[Expr, Expr, int], ...]  # key, value, line


@dataclass(frozen=True)
class Conditional(Expr):
    cond: Expr
    then: Expr
    other: Expr


@dataclass(frozen=True)
class Operation(Expr):
    op: str
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class ForExpr(Expr):
    """``[for k, v in coll : value if cond]`` or ``{for k, v in coll : key => value... if cond}``."""

    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None  # None: a tuple (list) result
    value: Expr
    cond: Expr | None
    grouping: bool = False  # the "..." of an object for expression


@dataclass(frozen=True)
class Opaque(Expr):
    """An expression the evaluator does not model (for expressions, directives)."""

    children: tuple[Expr, ...] = ()


@dataclass
class Attribute:
    name: str
    expr: Expr
    line: int


@dataclass
class Block:
    type: str
    labels: tuple[str, ...]
    body: "Body"
    line: int
    end_line: int


@dataclass
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    source: str = ""  # the file's text, on the top-level body (for suppression comments)


# -- parsing -------------------------------------------------------------------
def parse(text: str) -> Body:
    """Parse HCL2 text; raise HclError with a one-line reason."""
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = _parser().parse(text + "\n")  # python-hcl2's workaround: the grammar needs a final newline
    except UnexpectedInput as exc:
        line = getattr(exc, "line", None)
        expected = sorted(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or [])
        detail = f"unexpected {_token_text(exc)}"
        if expected and len(expected) <= 6:
            detail += f", expected one of {', '.join(expected)}"
        raise HclError(f"line {line}: {detail}" if line and line > 0 else detail) from None
    except LarkError as exc:
        raise HclError(str(exc).splitlines()[0]) from None
    except RecursionError:
        raise HclError("nesting too deep to parse") from None
    try:
        body = _Reader(text).body(tree.children[0])
        body.source = text
        return body
    except RecursionError:  # the reader recurses once per nesting level
        raise HclError("nesting too deep (a few hundred levels at most)") from None


@lru_cache(maxsize=1)
def _parser() -> Any:
    """python-hcl2's LALR parser without position propagation; heavy modules load on first use."""
    import hcl2
    import lark
    from hcl2.postlexer import PostLexer

    from ..cache import directory

    grammar = (Path(hcl2.__file__).parent / "hcl2.lark").read_text(encoding="utf-8")
    options: dict[str, Any] = {"parser": "lalr", "propagate_positions": False, "postlex": PostLexer()}
    folder = directory()
    if folder is None:
        return lark.Lark(grammar, **options)
    key = hashlib.sha256(f"{grammar}\0{lark.__version__}\0{sorted(options)}".encode()).hexdigest()[:20]
    cached = folder / f"hcl2-grammar-{key}.lark"
    if cached.is_file():  # Lark checks the file's own hash and rebuilds a damaged one
        return lark.Lark(grammar, cache=str(cached), **options)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # no cache directory to be had: still correct, only slower
        return lark.Lark(grammar, **options)
    # compile once (about 1.5 s), into a temporary file that replaces the entry atomically
    temp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
    parser = lark.Lark(grammar, cache=str(temp), **options)  # Lark carries on if it cannot write it
    try:
        os.replace(temp, cached)
    except OSError:
        pass
    return parser


def _token_text(exc: Any) -> str:
    token = getattr(exc, "token", None)
    if token is not None:
        return f"{getattr(token, 'type', 'token')} {str(token)[:30]!r}"
    char = getattr(exc, "char", None)
    return f"character {char!r}" if char else "input"


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text

    # Positions: a tree spans from its first token to its last, as Lark's propagate_positions has it.
    def _src(self, node: Any) -> str:
        first, last = _edge_token(node, 0), _edge_token(node, -1)
        if first is None or last is None:
            return str(node)
        return self.text[first.start_pos : last.end_pos]

    @staticmethod
    def _line(node: Any) -> int:
        first = _edge_token(node, 0)
        return (first.line or 0) if first is not None else 0

    @staticmethod
    def _end_line(node: Any) -> int:
        last = _edge_token(node, -1)
        return (last.end_line or 0) if last is not None else 0

    def body(self, node: Any) -> Body:
        body = Body()
        for child in node.children:
            data = getattr(child, "data", None)
            if data == "attribute":
                name = self._name(child.children[0])
                expr = self.expr(child.children[2])
                body.attributes[name] = Attribute(name, expr, self._line(child))
            elif data == "block":
                body.blocks.append(self.block(child))
        return body

    def block(self, node: Any) -> Block:
        parts = [c for c in node.children if getattr(c, "data", None) not in (None, "new_line_or_comment")]
        inner = parts[-1]
        names = parts[:-1]
        block_type = self._name(names[0])
        labels = tuple(self._label(n) for n in names[1:])
        return Block(block_type, labels, self.body(inner), self._line(node), self._end_line(node))

    def _label(self, node: Any) -> str:
        if node.data == "string":
            return "".join(str(p.children[0]) for p in node.children[1:-1] if hasattr(p, "children"))
        return self._name(node)

    @staticmethod
    def _name(node: Any) -> str:
        if hasattr(node, "children"):
            if node.data == "string":
                return "".join(str(p.children[0]) for p in node.children[1:-1] if hasattr(p, "children"))
            return str(node.children[0])
        return str(node)

    # -- expressions -----------------------------------------------------------
    def expr(self, node: Any) -> Expr:
        data = getattr(node, "data", None)
        line, text = self._line(node), self._src(node)
        kids = [c for c in getattr(node, "children", []) if getattr(c, "data", None) != "new_line_or_comment"]
        if data == "expr_term":
            if len(kids) == 3 and str(kids[0]) == "(":  # parenthesised
                return self.expr(kids[1])
            return self.expr(kids[0])
        if data == "literal_value":
            word = str(kids[0])
            return Lit(line, text, {"true": True, "false": False, "null": None}[word])
        if data == "int_lit":
            return Lit(line, text, int(str(kids[0])))
        if data == "float_lit":
            return Lit(line, text, float(str(kids[0])))
        if data == "string":
            return self._string(node, line, text)
        if data in ("heredoc_template", "heredoc_template_trim"):
            return self._heredoc(str(kids[0]), data.endswith("trim"), line, text)
        if data == "template_string":
            return Lit(line, text, str(kids[0])[2:-2])
        if data == "identifier":
            return Traversal(line, text, str(kids[0]), ())
        if data == "tuple":
            items = [k for k in kids if getattr(k, "data", None) is not None]
            return TupleExpr(line, text, tuple(self.expr(i) for i in items))
        if data == "object":
            items = []
            for elem in kids:
                if getattr(elem, "data", None) != "object_elem":
                    continue
                key_node, value_node = elem.children[0], elem.children[-1]
                key_inner = key_node.children[0]
                if getattr(key_inner, "data", None) == "keyword":
                    key: Expr = Lit(self._line(elem), str(key_inner.children[0]), str(key_inner.children[0]))
                else:
                    key = self.expr(key_inner)
                    if isinstance(key, Traversal) and not key.ops:  # bare word key
                        key = Lit(key.line, key.text, key.root)
                items.append((key, self.expr(value_node), self._line(elem)))
            return ObjectExpr(line, text, tuple(items))
        if data == "function_call":
            names = [c for c in kids if getattr(c, "data", None) == "identifier"]
            name = "::".join(str(n.children[0]) for n in names)
            args_node = next((c for c in kids if getattr(c, "data", None) == "arguments"), None)
            args = ()
            if args_node is not None:
                args = tuple(
                    self.expr(a)
                    for a in args_node.children
                    if getattr(a, "data", None) not in (None, "new_line_or_comment")
                )
            return Call(line, text, name, args)
        if data in ("get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"):
            return self._traversal(node, line, text)
        if data == "conditional":
            cond, then, other = (self.expr(k) for k in kids if getattr(k, "data", None) is not None)
            return Conditional(line, text, cond, then, other)
        if data == "binary_op":
            left = self.expr(kids[0])
            term = kids[1]
            op = str(term.children[0].children[0])
            right_node = [c for c in term.children[1:] if getattr(c, "data", None) != "new_line_or_comment"][0]
            return Operation(line, text, op, (left, self.expr(right_node)))
        if data == "unary_op":
            return Operation(line, text, "u" + str(kids[0]), (self.expr(kids[1]),))
        if data in ("for_tuple_expr", "for_object_expr"):
            return self._for(kids, data == "for_object_expr", line, text)
        if data == "interpolation":
            return self.expr(kids[1])
        raise HclError(f"line {line}: unsupported expression {data}")

    def _for(self, kids: list[Any], is_object: bool, line: int, text: str) -> Expr:
        trees = [k for k in kids if getattr(k, "data", None) is not None]
        intro, rest = trees[0], trees[1:]
        intro_kids = [k for k in intro.children if getattr(k, "data", None) not in (None, "new_line_or_comment")]
        names = [str(k.children[0]) for k in intro_kids if k.data == "identifier"]
        collection = [k for k in intro_kids if k.data != "identifier"][0]
        cond = None
        if rest and rest[-1].data == "for_cond":
            cond_kids = [k for k in rest[-1].children if getattr(k, "data", None) not in (None, "new_line_or_comment")]
            cond = self.expr(cond_kids[0])
            rest = rest[:-1]
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        key = self.expr(rest[0]) if is_object else None
        value = self.expr(rest[-1])
        grouping = is_object and any(str(k) == "..." for k in kids if getattr(k, "data", None) is None)
        return ForExpr(line, text, key_var, value_var, self.expr(collection), key, value, cond, grouping)

    def _string(self, node: Any, line: int, text: str) -> Expr:
        from hcl2.utils import process_escape_sequences

        parts: list[Any] = []
        opaque = False
        for part in node.children[1:-1]:
            inner = part.children[0]
            kind = getattr(inner, "data", None)
            if kind is None:
                token = str(inner)
                if inner.type == "ESCAPED_INTERPOLATION":
                    parts.append(token[1:])
                elif inner.type == "ESCAPED_DIRECTIVE":
                    parts.append(token[1:])
                else:
                    parts.append(process_escape_sequences(token))
            elif kind == "interpolation":
                parts.append(self.expr(inner.children[1]))
            else:  # %{if}/%{for} template directives
                opaque = True
        if opaque:
            return Opaque(line, text)
        if all(isinstance(p, str) for p in parts):
            return Lit(line, text, "".join(parts))
        return Template(line, text, tuple(parts))

    def _heredoc(self, token: str, trim: bool, line: int, text: str) -> Expr:
        first_nl = token.index("\n")
        body = token[first_nl + 1 :]
        body = body[: body.rstrip().rfind("\n") + 1] if "\n" in body.rstrip() else ""
        body = body.replace("\r\n", "\n")
        if trim:
            lines = body.split("\n")
            indents = [len(x) - len(x.lstrip()) for x in lines if x.strip()]
            cut = min(indents) if indents else 0
            body = "\n".join(x[cut:] for x in lines)
        if not _INTERP.search(body) and "%{" not in body:
            return Lit(line, text, body.replace("$${", "${"))
        return self._interpolated(body, line + 1, text)

    def _interpolated(self, body: str, line: int, text: str) -> Expr:
        """A heredoc with ``${...}``: parse each interpolation on its own."""
        if "%{" in body:
            return Opaque(line, text)
        parts: list[Any] = []
        pos = 0
        for match in _INTERP.finditer(body):
            if match.start() < pos:
                continue
            depth, end = 1, match.end()
            while end < len(body) and depth:
                depth += {"{": 1, "}": -1}.get(body[end], 0)
                end += 1
            if depth:
                return Opaque(line, text)
            parts.append(body[pos : match.start()].replace("$${", "${"))
            source = body[match.end() : end - 1]
            here = line + body.count("\n", 0, match.start())
            try:
                tree = _parser().parse(f"x = {source}\n")
                attr = tree.children[0].children[0]
                sub = _Reader(f"x = {source}").expr(attr.children[2])
                parts.append(_relined(sub, here))
            except Exception:  # noqa: BLE001 - any failure leaves the heredoc opaque
                return Opaque(line, text)
            pos = end
        parts.append(body[pos:].replace("$${", "${"))
        return Template(line, text, tuple(parts))

    def _traversal_ops(self, node: Any, ops: list[tuple[str, Any]]) -> None:
        data = getattr(node, "data", None)
        if data == "get_attr":
            name = node.children[-1]
            ops.append(("attr", str(name.children[0]) if hasattr(name, "children") else str(name)))
        elif data == "braces_index":
            inner = [c for c in node.children if getattr(c, "data", None) not in (None, "new_line_or_comment")]
            ops.append(("index", self.expr(inner[0])))
        elif data == "short_index":
            ops.append(("index", Lit(0, str(node.children[-1]), int(str(node.children[-1])))))
        elif data in ("attr_splat", "full_splat"):
            ops.append(("splat", None))
            for child in node.children[1:]:
                self._traversal_ops(child, ops)

    def _traversal(self: _Reader, node: Any, line: int, text: str) -> Expr:
        ops: list[tuple[str, Any]] = []
        current = node
        chain = []
        while getattr(current, "data", None) in (
            "get_attr_expr_term",
            "index_expr_term",
            "attr_splat_expr_term",
            "full_splat_expr_term",
        ):
            chain.append(current.children[1])
            current = current.children[0]
            while getattr(current, "data", None) == "expr_term" and len(current.children) == 1:
                current = current.children[0]
        for op_node in reversed(chain):
            self._traversal_ops(op_node, ops)
        if getattr(current, "data", None) == "identifier":
            return Traversal(line, text, str(current.children[0]), tuple(ops))
        return Index(line, text, self.expr(current), tuple(ops))


def _edge_token(node: Any, end: int) -> Any:
    """The first (end=0) or last (end=-1) token under ``node``, or None for a tree without tokens."""
    children = getattr(node, "children", None)
    if children is None:
        return node  # a token
    ordered = children if end == 0 else reversed(children)
    for child in ordered:
        if child is None:
            continue
        token = _edge_token(child, end)
        if token is not None:
            return token
    return None


def _relined(expr: Expr, line: int) -> Expr:
    """Expressions parsed out of a heredoc carry the heredoc's line."""
    try:
        object.__setattr__(expr, "line", line)
    except AttributeError:  # pragma: no cover
        pass
    return expr
