"""The resource graph of one template or module: nodes, edges, and the queries policies need."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from .model import Edge, Resource, Template


def strip_indices(path: Iterable[Any]) -> tuple[Any, ...]:
    """('ingress', 0, 'cidr_blocks', 1) -> ('ingress', 'cidr_blocks'): paths as policies write them."""
    return tuple(p for p in path if not isinstance(p, int))


class Graph:
    def __init__(self, template: Template) -> None:
        self.template = template
        self.resources = template.resources
        self.by_name: dict[str, Resource] = {r.name: r for r in template.resources}
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        for resource in template.resources:
            self._by_type[resource.type].append(resource)
        self._incoming: dict[str, list[Edge]] = defaultdict(list)
        self._outgoing: dict[str, list[Edge]] = defaultdict(list)
        for edge in template.edges:
            if edge.target in self.by_name and edge.source in self.by_name:
                self._incoming[edge.target].append(edge)
                self._outgoing[edge.source].append(edge)

    def of_type(self, types: Iterable[str]) -> list[Resource]:
        out: list[Resource] = []
        for rtype in types:
            out.extend(self._by_type.get(rtype, ()))
        return out

    def incoming(self, resource: Resource) -> list[Edge]:
        return self._incoming.get(resource.name, [])

    def outgoing(self, resource: Resource) -> list[Edge]:
        return self._outgoing.get(resource.name, [])

    def refers(self, source: Resource, target: Resource, via: tuple[str, ...]) -> bool:
        """Does ``source`` mention ``target`` at ``via`` (or below it)?"""
        for edge in self._outgoing.get(source.name, ()):
            if edge.target == target.name and strip_indices(edge.path)[: len(via)] == via:
                return True
        return False

    def targets(self, source: Resource, via: tuple[str, ...], types: Iterable[str]) -> list[Resource]:
        """The resources of ``types`` that ``source`` mentions at ``via``, in template order."""
        wanted = set(types)
        seen: dict[str, Resource] = {}
        for edge in self._outgoing.get(source.name, ()):
            target = self.by_name[edge.target]
            if target.type in wanted and strip_indices(edge.path)[: len(via)] == via:
                seen.setdefault(target.name, target)
        return list(seen.values())


def find_cycle(edges: Iterable[Edge]) -> list[str] | None:
    """A dependency cycle among resources (``[a, b, a]``), or None. Iterative: no recursion."""
    targets: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        if edge.target not in targets[edge.source]:
            targets[edge.source].append(edge.target)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(targets):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(targets[start])]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(targets.get(nxt, ())))
    return None
