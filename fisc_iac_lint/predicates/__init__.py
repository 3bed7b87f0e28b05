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


# Imported after Context and Verdict exist: the predicate modules use them.
from . import documents, network  # noqa: E402

PREDICATES: dict[str, Predicate] = {
    "ingress_open_to_world": network.ingress_open_to_world,
    "document_allows_public": documents.document_allows_public,
}
