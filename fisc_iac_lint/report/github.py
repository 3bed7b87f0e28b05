"""``--format github``: GitHub Actions workflow commands, one annotation per finding and error."""

from __future__ import annotations

from typing import Iterator

from ..model import Finding, Report
from . import RenderOptions

_COMMAND = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """One annotation per line."""
    for f in report.findings:
        if not f.counts:
            continue
        where = f"file={_property(f.file)}" + (f",line={f.line}" if f.line > 0 else "")
        title = _property(f"{f.rule_id} {f.rule_name} ({f.severity})")
        message = _data(f.text(options.lang)["message"] + " [" + _resource(f, options.lang) + "]")
        yield f"::{_COMMAND[f.severity]} {where},title={title}::{message}\n"
    for e in report.errors:
        yield f"::error file={_property(e.file)},title=fisc-iac-lint input error::{_data(e.message)}\n"


def _resource(f: Finding, lang: str) -> str:
    return f"{f.resource_name}; {f.origin(lang)}" if f.construct else f.resource_name
