"""``--format junit``: JUnit XML that CI servers read: one test suite per file, one failing
test case per finding (skipped when suppressed or in the baseline), and an error test case
per input that could not be read."""

from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree as ET

from ..model import Report
from . import RenderOptions


def render(report: Report, options: RenderOptions) -> str:
    root = ET.Element(
        "testsuites",
        name="fisc-iac-lint",
        tests=str(len(report.findings) + len(report.errors)),
        failures=str(sum(1 for f in report.findings if f.counts)),
        skipped=str(sum(1 for f in report.findings if not f.counts)),
        errors=str(len(report.errors)),
    )
    for file, findings in groupby(report.findings, key=lambda f: f.file):
        items = list(findings)
        failing = sum(1 for f in items if f.counts)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=file,
            tests=str(len(items)),
            failures=str(failing),
            skipped=str(len(items) - failing),
            errors="0",
        )
        for f in items:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{f.rule_id} {f.rule_name} {f.resource_name}",
                classname=f.rule_id,
                file=f.file,
                line=str(f.line),
            )
            if not f.counts:
                why = f"suppressed: {f.suppressed['reason']}" if f.suppressed else "in the baseline"
                ET.SubElement(case, "skipped", message=why)
                continue
            text = f.text(options.lang)
            failure = ET.SubElement(case, "failure", message=text["message"], type=f.severity)
            origin = f" ({f.origin(options.lang)})" if f.construct else ""
            controls = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(f.controls.items()))
            failure.text = f"{f.file}:{f.line}: {text['message']}\nresource: {f.resource_type} {f.resource_name}{origin}\ncontrols: {controls}\nfix: {text['remediation']}"
    if report.errors:
        suite = ET.SubElement(
            root,
            "testsuite",
            name="inputs",
            tests=str(len(report.errors)),
            failures="0",
            errors=str(len(report.errors)),
        )
        for e in report.errors:
            case = ET.SubElement(suite, "testcase", name=e.file, classname="input", file=e.file)
            ET.SubElement(case, "error", message=e.message, type="input-error").text = f"{e.file}: {e.message}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
