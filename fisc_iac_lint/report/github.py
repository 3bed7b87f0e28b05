"""``--format github``: GitHub Actions workflow commands, one annotation per finding and error."""

from __future__ import annotations

from ..model import Finding, Report
from . import RenderOptions

_COMMAND = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, options: RenderOptions) -> str:
    lines = []
    for f in report.findings:
        if not f.counts:
            continue
        where = f"file={_property(f.file)}" + (f",line={f.line}" if f.line > 0 else "")
        title = _property(f"{f.rule_id} {f.rule_name} ({f.severity})")
        lines.append(
            f"::{_COMMAND[f.severity]} {where},title={title}::{_data(f.text(options.lang)['message'] + ' [' + _resource(f, options.lang) + ']')}"
        )
    for e in report.errors:
        lines.append(f"::error file={_property(e.file)},title=fisc-iac-lint input error::{_data(e.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _resource(f: Finding, lang: str) -> str:
    return f"{f.resource_name}; {f.origin(lang)}" if f.construct else f.resource_name
