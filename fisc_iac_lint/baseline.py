"""Baselines: record today's findings, then fail only on new ones.

An entry matches a finding by its id, which is derived from the policy, the file and
the resource (never the line), so edits elsewhere in a file do not break it. Entries
that no longer match are reported as fixed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from .model import ParseError, Report

VERSION = 1


def write(report: Report, path: Path) -> None:
    entries = sorted(
        (
            {"id": f.id, "rule_id": f.rule_id, "file": f.file, "resource": f.resource_name, "message": f.message}
            for f in report.findings
            if f.suppressed is None
        ),
        key=lambda e: (e["file"], e["rule_id"], e["resource"], e["id"]),
    )
    path.write_text(
        json.dumps({"version": VERSION, "findings": entries}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def apply(report: Report, path: Path) -> None:
    """Mark the findings the baseline knows; list its entries that no longer match as fixed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = {e["id"]: e for e in data["findings"]}
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {VERSION}")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        report.errors.append(ParseError(str(path), f"not a usable baseline: {exc}"))
        return
    report.baseline_used = True
    seen = set()
    for index, finding in enumerate(report.findings):
        if finding.id in entries:
            seen.add(finding.id)
            report.findings[index] = replace(finding, baselined=True)
    report.fixed = [entries[i] for i in sorted(entries, key=lambda i: (entries[i].get("file", ""), i)) if i not in seen]
