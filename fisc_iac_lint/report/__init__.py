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
    if name == "json":
        from .json_report import render
    elif name == "text":
        from .text import render
    else:  # the CLI validates names first
        raise ValueError(f"unknown format {name}")
    return render
