"""Named predicates: what declarative conditions cannot say (policy documents, CIDR arithmetic).

A policy names a predicate (``predicate: {name: ..., path: ..., args: ...}``);
the engine calls it with the value at ``path`` (the resource's properties when
no path is given) and the arguments with parameters already substituted. A
predicate answers True, False or None (unknown), a short English detail and,
optionally, the line that decided it.
Predicates know AWS semantics; the engine does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from ..graph import Graph
    from ..model import Resource

Verdict = tuple  # (bool | None, detail) or (bool | None, detail, line)


@dataclass(frozen=True)
class Context:
    resource: "Resource"
    graph: "Graph"


Predicate = Callable[[Context, Any, dict], Verdict]


PREDICATES: dict[str, Predicate] = {}


def predicate(function: Predicate) -> Predicate:
    """Register a function as a predicate policies can name (by its function name, unique)."""
    name = function.__name__
    if name in PREDICATES and PREDICATES[name] is not function:
        raise RuntimeError(
            f"predicate {name!r} is defined twice: {PREDICATES[name].__module__} and {function.__module__}"
        )
    PREDICATES[name] = function
    return function


def _load_all() -> None:
    """Import every module of this package, so each registers its predicates itself."""
    import importlib
    import pkgutil

    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        importlib.import_module(f"{__name__}.{module}")


_load_all()
