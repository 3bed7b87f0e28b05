"""``--format text``: for people. Grouped by file, sorted by line; colour on a terminal only."""

from __future__ import annotations

from itertools import groupby

from ..controls import FISC, KISMS
from ..model import Report
from . import SEVERITY_ORDER, RenderOptions

_COLORS = {"critical": "\033[1;35m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
_FRAMEWORK_NAMES = {FISC: "FISC", KISMS: "K-ISMS"}


def render(report: Report, options: RenderOptions) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if options.color else text

    lines: list[str] = []
    for file, findings in groupby(report.findings, key=lambda f: f.file):
        lines.append(paint(_BOLD, file))
        for f in findings:
            severity = paint(_COLORS[f.severity], f"{f.severity:<8}")
            mark = " [suppressed]" if f.suppressed else " [baseline]" if f.baselined else ""
            lines.append(
                f"  {f.line:>5}  {severity} {f.rule_id} {f.rule_name}  {f.resource_name} ({f.resource_type}){mark}"
            )
            if f.suppressed:
                expiry = f" until {f.suppressed['expires']}" if f.suppressed["expires"] else ""
                lines.append(paint(_DIM, f"         suppressed{expiry}: {f.suppressed['reason']}"))
            lines.append(f"         {f.message}")
            refs = []
            if f.config_rule:
                refs.append(f"AWS Config: {f.config_rule}")
            for framework in (FISC, KISMS):
                if f.controls.get(framework):
                    refs.append(f"{_FRAMEWORK_NAMES[framework]}: {', '.join(f.controls[framework])}")
            if refs:
                lines.append(paint(_DIM, f"         {' | '.join(refs)}"))
            lines.append(paint(_DIM, f"         fix: {f.remediation['en']}"))
        lines.append("")
    if options.verbose:
        for u in report.unknowns:
            lines.append(f"unknown: {u.file}:{u.line}: {u.rule_id} {u.resource_name}: {u.reason}")
        for path, reason in report.skipped:
            lines.append(f"skipped: {path}: {reason}")
    for entry in report.fixed:
        lines.append(
            f"fixed: {entry['file']}: {entry['rule_id']} {entry['resource']} (in the baseline, no longer found)"
        )
    counting = [f for f in report.findings if f.counts]
    counts = {s: sum(1 for f in counting if f.severity == s) for s in SEVERITY_ORDER}
    detail = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    summary = f"{len(counting)} finding{'s' if len(counting) != 1 else ''}"
    if detail:
        summary += f" ({detail})"
    suppressed = sum(1 for f in report.findings if f.suppressed)
    baselined = sum(1 for f in report.findings if f.baselined and not f.suppressed)
    if suppressed:
        summary += f", {suppressed} suppressed"
    if baselined:
        summary += f", {baselined} in the baseline"
    if report.fixed:
        summary += f", {len(report.fixed)} baseline entr{'y' if len(report.fixed) == 1 else 'ies'} fixed"
    summary += f" in {len(report.scanned)} file{'s' if len(report.scanned) != 1 else ''}"
    if report.unknowns:
        summary += (
            f"; {len(report.unknowns)} undecided (unresolved values{'' if options.verbose else ', see --verbose'})"
        )
    if report.errors:
        summary += f"; {len(report.errors)} file{'s' if len(report.errors) != 1 else ''} could not be read"
    lines.append(summary)
    return "\n".join(lines) + "\n"
