"""``--format sarif``: SARIF 2.1.0 for code scanning (GitHub and others).

- one rule per policy that ran, with help text and remediation in Markdown, and
  ``security-severity`` so code scanning ranks results;
- ``partialFingerprints`` from the finding id (policy, file, resource: no line), so a
  result survives unrelated edits that move it;
- FISC and K-ISMS as ``taxonomies``; every rule related to the controls it serves.
"""

from __future__ import annotations

from typing import Any, Iterator

from .. import __version__
from ..controls import FISC, KISMS, catalogue
from ..model import Finding, Report
from . import Items, RenderOptions, json_chunks, materialize

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
TAXONOMY_NAMES = {FISC: "FISC", KISMS: "K-ISMS"}
INFORMATION_URI = "https://github.com/fisc-iac-lint/fisc-iac-lint"


def _taxonomies() -> list[dict[str, Any]]:
    cat = catalogue()
    fisc = [
        {
            "id": bp.id,
            "name": bp.id,
            "shortDescription": {"text": f"{bp.title} ({'、'.join(bp.practice_standards)})"},
        }
        for bp in cat.fisc
    ]
    controls = sorted({c for c, _ in cat.kisms_rows}, key=lambda c: tuple(int(p) for p in c.split(".")))
    kisms = [{"id": c, "name": f"K-ISMS {c}"} for c in controls]
    return [
        {
            "name": "FISC",
            "organization": "FISC",
            "shortDescription": {"text": "FISC security standards (AWS Well-Architected FISC lens, security pillar)"},
            "taxa": fisc,
        },
        {
            "name": "K-ISMS",
            "organization": "KISA",
            "shortDescription": {"text": "K-ISMS controls mapped to AWS Config managed rules"},
            "taxa": kisms,
        },
    ]


def _rule(policy: Any) -> dict[str, Any]:
    text = policy.text
    controls = catalogue().controls_for(policy.id, policy.config_rule)
    relationships = []
    for framework, labels in sorted(controls.items()):
        for label in labels:
            relationships.append(
                {
                    "target": {"id": label.split(" ")[0], "toolComponent": {"name": TAXONOMY_NAMES[framework]}},
                    "kinds": ["relevant"],
                }
            )
    help_md = (
        f"**{text['title']['en']}**\n\n{text['description']['en']}\n\n"
        f"**Why it matters.** {text['rationale']['en']}\n\n**How to fix it.** {text['remediation']['en']}\n\n"
        f"---\n\n**{text['title']['ja']}**\n\n{text['description']['ja']}\n\n"
        f"**重要な理由** {text['rationale']['ja']}\n\n**修正方法** {text['remediation']['ja']}"
    )
    tags = [
        "security",
        *(f"{TAXONOMY_NAMES[f]}:{label.split(' ')[0]}" for f, labels in sorted(controls.items()) for label in labels),
    ]
    if policy.config_rule:
        tags.append(f"aws-config:{policy.config_rule}")
    rule: dict[str, Any] = {
        "id": policy.id,
        "name": policy.name,
        "shortDescription": {"text": text["title"]["en"]},
        "fullDescription": {"text": text["description"]["en"]},
        "help": {"text": f"{text['remediation']['en']}\n\n{text['remediation']['ja']}", "markdown": help_md},
        "defaultConfiguration": {"level": LEVEL[policy.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[policy.severity],
            "problem.severity": "error" if policy.severity in ("critical", "high") else "warning",
            "tags": tags,
            "title-ja": text["title"]["ja"],
            "config-rule": policy.config_rule,
        },
    }
    if relationships:
        rule["relationships"] = relationships
    return rule


def as_dict(report: Report, lang: str = "en") -> dict[str, Any]:
    return materialize(_document(report, lang))


def _result(f: Finding, lang: str, index: dict[str, int], baseline_used: bool) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": f.file}}}
    if f.line > 0:
        location["physicalLocation"]["region"] = {"startLine": f.line}
    resource: dict[str, Any] = {"type": f.resource_type, "name": f.resource_name}
    origin = ""
    if f.construct:
        resource.update(construct=f.construct, source=f.source)
        origin = f"; {f.origin(lang)}"
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "level": LEVEL[f.severity],
        "message": {"text": f"{f.text(lang)['message']} [{f.resource_type} {f.resource_name}{origin}]"},
        "locations": [location],
        "partialFingerprints": {"fiscIacLintFinding/v1": f.id},
        "properties": {"resource": resource, "controls": f.controls},
    }
    related = [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": site.file},
                "region": {"startLine": max(site.line, 1)},
            },
            "message": {"text": f"{site.module} is called here"},
        }
        for site in f.via  # the module calls that lead to the resource, outermost first
    ]
    if f.source:  # the app code that made the resource (CDK)
        uri, _, line = f.source.rpartition(":")
        where = {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": int(line)}}}
        related.append({**where, "message": {"text": f.origin(lang)}})
    if related:
        result["relatedLocations"] = [{"id": number, **item} for number, item in enumerate(related, start=1)]
    if f.rule_id in index:
        result["ruleIndex"] = index[f.rule_id]
    if f.suppressed:
        result["suppressions"] = [{"kind": "inSource", "status": "accepted", "justification": f.suppressed["reason"]}]
    if baseline_used:
        result["baselineState"] = "unchanged" if f.baselined else "new"
    return result


def _document(report: Report, lang: str) -> dict[str, Any]:
    """The SARIF log with its results as :class:`Items`, made while written."""
    rules = sorted(report.rules, key=lambda p: p.id)
    index = {p.id: i for i, p in enumerate(rules)}
    results = Items(lambda: (_result(f, lang, index, report.baseline_used) for f in report.findings))
    notifications = [
        {
            "level": "error",
            "message": {"text": e.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": e.file}}}],
        }
        for e in report.errors
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "fisc-iac-lint",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": Items(lambda: (_rule(p) for p in rules)),
                "supportedTaxonomies": [{"name": "FISC"}, {"name": "K-ISMS"}],
            }
        },
        "taxonomies": _taxonomies(),
        "results": results,
        "invocations": [{"executionSuccessful": not report.errors, "toolExecutionNotifications": notifications}],
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    yield from json_chunks(_document(report, options.lang))
    yield "\n"


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))
