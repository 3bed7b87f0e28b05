"""Renderers: one module per output format, each ``chunks(report, options)`` yielding the
output piece by piece (a large scan's report is written as it is rendered, never held
whole), and ``render(report, options) -> str``, the same pieces joined."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

SEVERITY_ORDER = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    verbose: bool = False
    lang: str = "en"


def _module(name: str):
    import importlib

    module = FORMATS.get(name)
    if module is None:  # the CLI validates names first
        raise ValueError(f"unknown format {name}")
    return importlib.import_module(f"{__name__}.{module}")


def renderer(name: str) -> Callable[[Any, RenderOptions], str]:
    """The ``render`` function of a format, imported only when asked for."""
    return _module(name).render


def chunks(name: str) -> Callable[[Any, RenderOptions], Iterator[str]]:
    """The ``chunks`` function of a format: the output in pieces, to write as they come."""
    return _module(name).chunks


FORMATS = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
}


class Items:
    """A JSON array whose items are made one at a time while it is written (see :func:`json_chunks`)."""

    def __init__(self, make: Callable[[], Iterable[Any]]) -> None:
        self.make = make  # called once per rendering: a fresh iterable of plain JSON values

    def materialize(self) -> list[Any]:
        return [materialize(item) for item in self.make()]


def materialize(value: Any) -> Any:
    """``value`` with every :class:`Items` turned into a list: what ``json.dumps`` accepts."""
    if isinstance(value, Items):
        return value.materialize()
    if isinstance(value, dict):
        return {k: materialize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [materialize(v) for v in value]
    return value


def _streams(value: Any) -> bool:
    if isinstance(value, Items):
        return True
    if isinstance(value, dict):
        return any(_streams(v) for v in value.values())
    if isinstance(value, list):
        return any(_streams(v) for v in value)
    return False


def _dumps(value: Any, level: int) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("\n", "\n" + "  " * level) if level else text  # strings never hold a raw newline


def json_chunks(value: Any, level: int = 0) -> Iterator[str]:
    """The text of ``json.dumps(materialize(value), ensure_ascii=False, indent=2)``, in pieces:
    the containers that hold an :class:`Items` are written key by key, the items one by one."""
    if not _streams(value):
        yield _dumps(value, level)
        return
    inner = "\n" + "  " * (level + 1)
    if isinstance(value, dict):
        opened = False
        for key, item in value.items():
            yield ("," if opened else "{") + inner + json.dumps(key, ensure_ascii=False) + ": "
            opened = True
            yield from json_chunks(item, level + 1)
        yield "\n" + "  " * level + "}"
        return
    opened = False
    for item in value.make() if isinstance(value, Items) else value:
        yield ("," if opened else "[") + inner
        opened = True
        yield from json_chunks(item, level + 1) if not isinstance(value, Items) else (_dumps(item, level + 1),)
    yield ("\n" + "  " * level + "]") if opened else "[]"
