"""Renderers: one module per output format, each ``render(report, options) -> str``."""

from __future__ import annotations

from dataclasses import dataclass

SEVERITY_ORDER = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    verbose: bool = False
    lang: str = "en"


def renderer(name: str):
    """The ``render`` function of a format, imported only when asked for."""
    import importlib

    module = FORMATS.get(name)
    if module is None:  # the CLI validates names first
        raise ValueError(f"unknown format {name}")
    return importlib.import_module(f"{__name__}.{module}").render


FORMATS = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
}
