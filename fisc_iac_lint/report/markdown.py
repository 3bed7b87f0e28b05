"""``--format markdown``: a pull-request comment: totals by severity and framework, then findings."""

from __future__ import annotations

from ..controls import FISC, KISMS
from ..model import Report
from . import SEVERITY_ORDER, RenderOptions

_NAMES = {FISC: "FISC", KISMS: "K-ISMS"}


def _order(control: str) -> tuple:
    """FISCSEC10 after FISCSEC9, K-ISMS 2.12 after 2.6: numbers compare as numbers."""
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", control))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: Report, options: RenderOptions) -> str:
    lines = ["## fisc-iac-lint", ""]
    counting = [f for f in report.findings if f.counts]
    counts = {s: sum(1 for f in counting if f.severity == s) for s in SEVERITY_ORDER}
    plural = "" if len(report.scanned) == 1 else "s"
    lines.append(
        f"**{len(counting)} findings** in {len(report.scanned)} file{plural}"
        + (f", **{len(report.errors)} files could not be read**" if report.errors else "")
        + (f", {len(report.unknowns)} checks undecided" if report.unknowns else "")
        + (
            f", {len(report.findings) - len(counting)} suppressed or in the baseline"
            if len(counting) < len(report.findings)
            else ""
        )
    )
    lines += ["", "| severity | findings |", "| --- | --- |"]
    lines += [f"| {s} | {n} |" for s, n in counts.items()]
    lines += ["", "| framework | controls with findings |", "| --- | --- |"]
    for framework in (FISC, KISMS):
        controls = sorted({c for f in counting for c in f.controls.get(framework, [])}, key=_order)
        lines.append(
            f"| {_NAMES[framework]} | {len(controls)}{': ' + ', '.join(_cell(c) for c in controls) if controls else ''} |"
        )
    if report.findings:
        lines += ["", "| status | policy | resource | location | message |", "| --- | --- | --- | --- | --- |"]
        for f in report.findings:
            if f.suppressed:
                status = f"suppressed: {_cell(f.suppressed['reason'])}"
            elif f.baselined:
                status = "in the baseline"
            else:
                status = f.severity
            lines.append(
                f"| {status} | {f.rule_id} `{f.rule_name}` | `{_cell(f.resource_name)}` | "
                f"`{_cell(f.file)}:{f.line}` | {_cell(f.message)} |"
            )
    if report.errors:
        lines += ["", "### Inputs that could not be read", ""]
        lines += [f"- `{_cell(e.file)}`: {_cell(e.message)}" for e in report.errors]
    return "\n".join(lines) + "\n"
