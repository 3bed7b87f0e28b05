"""``--format markdown``: a pull-request comment: totals by severity and framework, then findings."""

from __future__ import annotations

from typing import Iterator

from ..controls import FISC, KISMS
from ..model import Finding, Report
from . import SEVERITY_ORDER, RenderOptions

_NAMES = {FISC: "FISC", KISMS: "K-ISMS"}


def _order(control: str) -> tuple:
    """FISCSEC10 after FISCSEC9, K-ISMS 2.12 after 2.6: numbers compare as numbers."""
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", control))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_WORDS = {
    "en": {
        "summary": "**{n} findings** in {files} file{s}",
        "unreadable": ", **{n} files could not be read**",
        "undecided": ", {n} checks undecided",
        "quiet": ", {n} suppressed or in the baseline",
        "severity": "| severity | findings |",
        "framework": "| framework | controls with findings |",
        "table": "| status | policy | resource | location | message |",
        "suppressed": "suppressed: {}",
        "baseline": "in the baseline",
        "errors": "### Inputs that could not be read",
    },
    "ja": {
        "summary": "**検出 {n} 件** (ファイル {files} 件)",
        "unreadable": "、**読み込めなかったファイル {n} 件**",
        "undecided": "、未判定 {n} 件",
        "quiet": "、抑制またはベースライン {n} 件",
        "severity": "| 重大度 | 件数 |",
        "framework": "| フレームワーク | 検出のあった統制 |",
        "table": "| 状態 | ポリシー | リソース | 場所 | メッセージ |",
        "suppressed": "抑制: {}",
        "baseline": "ベースライン",
        "errors": "### 読み込めなかった入力",
    },
}
_SEVERITY = {
    "en": {s: s for s in SEVERITY_ORDER},
    "ja": {"critical": "重大", "high": "高", "medium": "中", "low": "低"},
}


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """The totals, then the table a row at a time."""
    lang = options.lang if options.lang in _WORDS else "en"
    words, severity_name = _WORDS[lang], _SEVERITY[lang]
    lines = ["## fisc-iac-lint", ""]
    counting = [f for f in report.findings if f.counts]
    counts = {s: sum(1 for f in counting if f.severity == s) for s in SEVERITY_ORDER}
    quiet = len(report.findings) - len(counting)
    lines.append(
        words["summary"].format(n=len(counting), files=len(report.scanned), s="" if len(report.scanned) == 1 else "s")
        + (words["unreadable"].format(n=len(report.errors)) if report.errors else "")
        + (words["undecided"].format(n=len(report.unknowns)) if report.unknowns else "")
        + (words["quiet"].format(n=quiet) if quiet else "")
    )
    lines += ["", words["severity"], "| --- | --- |"]
    lines += [f"| {severity_name[s]} | {n} |" for s, n in counts.items()]
    lines += ["", words["framework"], "| --- | --- |"]
    for framework in (FISC, KISMS):
        controls = sorted({c for f in counting for c in f.controls.get(framework, [])}, key=_order)
        listed = ": " + ", ".join(_cell(c) for c in controls) if controls else ""
        lines.append(f"| {_NAMES[framework]} | {len(controls)}{listed} |")
    if report.findings:
        lines += ["", words["table"], "| --- | --- | --- | --- | --- |"]
        yield "\n".join(lines) + "\n"
        lines = []
        for f in report.findings:
            if f.suppressed:
                status = words["suppressed"].format(_cell(f.suppressed["reason"]))
            elif f.baselined:
                status = words["baseline"]
            else:
                status = severity_name[f.severity]
            yield (
                f"| {status} | {f.rule_id} `{f.rule_name}` | `{_cell(f.resource_name)}`{_origin(f, lang)} | "
                f"`{_cell(f.file)}:{f.line}` | {_cell(f.text(lang)['message'])} |\n"
            )
    if report.errors:
        lines += ["", words["errors"], ""]
        lines += [f"- `{_cell(e.file)}`: {_cell(e.message)}" for e in report.errors]
    if lines:
        yield "\n".join(lines) + "\n"


def _origin(f: Finding, lang: str) -> str:
    return f"<br>{_cell(f.origin(lang))}" if f.construct else ""
