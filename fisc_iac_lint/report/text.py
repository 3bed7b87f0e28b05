"""``--format text``: for people. Grouped by file, sorted by line; colour on a terminal only.
English or Japanese (``--lang ja``), the report's own words included."""

from __future__ import annotations

from itertools import groupby
from typing import Iterator

from ..controls import FISC, KISMS
from ..model import Report
from . import SEVERITY_ORDER, RenderOptions

_COLORS = {"critical": "\033[1;35m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
_FRAMEWORK_NAMES = {FISC: "FISC", KISMS: "K-ISMS"}
_SEVERITY_JA = {"critical": "重大", "high": "高", "medium": "中", "low": "低"}


def _words(lang: str) -> dict[str, str]:
    if lang == "ja":
        return {
            "suppressed": " [抑制]",
            "baseline": " [ベースライン]",
            "until": "{} まで",
            "suppressed_by": "抑制{}: {}",
            "fix": "修正",
            "via": "呼び出し元",
            "unknown": "未判定",
            "skipped": "スキップ",
            "fixed": "解消: {file}: {rule} {resource} (ベースラインにあり、検出されなくなりました)",
        }
    return {
        "suppressed": " [suppressed]",
        "baseline": " [baseline]",
        "until": " until {}",
        "suppressed_by": "suppressed{}: {}",
        "fix": "fix",
        "via": "via",
        "unknown": "unknown",
        "skipped": "skipped",
        "fixed": "fixed: {file}: {rule} {resource} (in the baseline, no longer found)",
    }


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """The report a file at a time (every line ends with a newline)."""

    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if options.color else text

    lang = options.lang
    words = _words(lang)
    for file, findings in groupby(report.findings, key=lambda f: f.file):
        lines = [paint(_BOLD, file)]
        for f in findings:
            text = f.text(lang)
            severity = paint(_COLORS[f.severity], f"{f.severity:<8}")
            mark = words["suppressed"] if f.suppressed else words["baseline"] if f.baselined else ""
            lines.append(
                f"  {f.line:>5}  {severity} {f.rule_id} {f.rule_name}  {f.resource_name} ({f.resource_type}){mark}"
            )
            if f.suppressed:
                expiry = words["until"].format(f.suppressed["expires"]) if f.suppressed["expires"] else ""
                lines.append(paint(_DIM, "         " + words["suppressed_by"].format(expiry, f.suppressed["reason"])))
            if f.construct:
                lines.append(f"         {f.origin(lang)}")
            lines.append(f"         {text['message']}")
            if f.via:
                chain = " > ".join(f"{site.file}:{site.line} ({site.module})" for site in f.via)
                lines.append(paint(_DIM, f"         {words['via']}: {chain}"))
            refs = []
            if f.config_rule:
                refs.append(f"AWS Config: {f.config_rule}")
            for framework in (FISC, KISMS):
                if f.controls.get(framework):
                    refs.append(f"{_FRAMEWORK_NAMES[framework]}: {', '.join(f.controls[framework])}")
            if refs:
                lines.append(paint(_DIM, f"         {' | '.join(refs)}"))
            lines.append(paint(_DIM, f"         {words['fix']}: {text['remediation']}"))
        lines.append("")
        yield "\n".join(lines) + "\n"
    lines = []
    if options.verbose:
        for u in report.unknowns:
            reason = (u.reason_ja or u.reason) if lang == "ja" else u.reason
            lines.append(f"{words['unknown']}: {u.file}:{u.line}: {u.rule_id} {u.resource_name}: {reason}")
        for path, reason in report.skipped:
            lines.append(f"{words['skipped']}: {path}: {reason}")
    for entry in report.fixed:
        lines.append(words["fixed"].format(file=entry["file"], rule=entry["rule_id"], resource=entry["resource"]))
    lines.append(_summary(report, options))
    yield "\n".join(lines) + "\n"


def _summary(report: Report, options: RenderOptions) -> str:
    counting = [f for f in report.findings if f.counts]
    counts = {s: sum(1 for f in counting if f.severity == s) for s in SEVERITY_ORDER}
    suppressed = sum(1 for f in report.findings if f.suppressed)
    baselined = sum(1 for f in report.findings if f.baselined and not f.suppressed)
    files, unknowns, errors = len(report.scanned), len(report.unknowns), len(report.errors)
    if options.lang == "ja":
        detail = "、".join(f"{_SEVERITY_JA[s]} {n}" for s, n in counts.items() if n)
        summary = f"検出 {len(counting)} 件" + (f" ({detail})" if detail else "")
        summary += f"、抑制 {suppressed} 件" if suppressed else ""
        summary += f"、ベースライン {baselined} 件" if baselined else ""
        summary += f"、解消 {len(report.fixed)} 件" if report.fixed else ""
        summary += f" (ファイル {files} 件)"
        if unknowns:
            summary += f"。未判定 {unknowns} 件 (値を解決できません{'' if options.verbose else '。--verbose で表示'})"
        if errors:
            summary += f"。読み込めなかったファイル {errors} 件"
        return summary
    detail = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    summary = f"{len(counting)} finding{'s' if len(counting) != 1 else ''}"
    if detail:
        summary += f" ({detail})"
    if suppressed:
        summary += f", {suppressed} suppressed"
    if baselined:
        summary += f", {baselined} in the baseline"
    if report.fixed:
        summary += f", {len(report.fixed)} baseline entr{'y' if len(report.fixed) == 1 else 'ies'} fixed"
    summary += f" in {files} file{'s' if files != 1 else ''}"
    if unknowns:
        summary += f"; {unknowns} undecided (unresolved values{'' if options.verbose else ', see --verbose'})"
    if errors:
        summary += f"; {errors} file{'s' if errors != 1 else ''} could not be read"
    return summary
