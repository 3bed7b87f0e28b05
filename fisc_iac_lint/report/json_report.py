"""``--format json``: the machine contract (see README). Byte-identical for the same input."""

from __future__ import annotations

from typing import Any, Iterator

from ..model import Finding, Report
from . import SEVERITY_ORDER, Items, RenderOptions, json_chunks, materialize

SCHEMA_VERSION = 1


def as_dict(report: Report, lang: str = "en") -> dict[str, Any]:
    return materialize(_document(report, lang))


def _finding(f: Finding, lang: str) -> dict[str, Any]:
    return {
        "id": f.id,
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "config_rule": f.config_rule,
        "severity": f.severity,
        "title": f.title,
        "resource": {"type": f.resource_type, "name": f.resource_name, "construct": f.construct, "source": f.source},
        "file": f.file,
        "line": f.line,
        "via": [{"file": s.file, "line": s.line, "module": s.module} for s in f.via],
        "controls": f.controls,
        "message": f.text(lang)["message"],
        "remediation": f.remediation,
        "suppressed": f.suppressed,
        "baselined": f.baselined,
    }


def _document(report: Report, lang: str) -> dict[str, Any]:
    """The report with its findings and unknowns as :class:`Items`, made while written."""
    by_severity = {s: 0 for s in SEVERITY_ORDER}
    for finding in report.findings:
        if finding.counts:
            by_severity[finding.severity] += 1
    return {
        "version": SCHEMA_VERSION,
        "findings": Items(lambda: (_finding(f, lang) for f in report.findings)),
        "unknowns": Items(
            lambda: (
                {
                    "rule_id": u.rule_id,
                    "resource": u.resource_name,
                    "file": u.file,
                    "line": u.line,
                    "reason": (u.reason_ja or u.reason) if lang == "ja" else u.reason,
                }
                for u in report.unknowns
            )
        ),
        "errors": [{"file": e.file, "message": e.message} for e in report.errors],
        "warnings": [{"file": w.file, "message": w.message} for w in report.warnings],
        "fixed": report.fixed,
        "summary": {
            "files_scanned": len(report.scanned),
            "policies": report.policies,
            "findings": sum(1 for f in report.findings if f.counts),
            "suppressed": sum(1 for f in report.findings if f.suppressed),
            "baselined": sum(1 for f in report.findings if f.baselined and not f.suppressed),
            "fixed": len(report.fixed),
            "by_severity": by_severity,
            "unknowns": len(report.unknowns),
            "errors": len(report.errors),
            "warnings": len(report.warnings),
        },
    }


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    yield from json_chunks(_document(report, options.lang))
    yield "\n"


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))
