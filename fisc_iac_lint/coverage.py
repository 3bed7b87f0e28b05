"""Control coverage, for auditors: which controls the policy library decides, and how.

K-ISMS: every control of the mapping, its AWS Config rules, and for each rule its
scope, the policies that implement it per format, and what stays outside static
analysis. FISC: every best practice of the lens with its 実 numbers and the policies
that serve it, direct or supporting.
"""

from __future__ import annotations

from typing import Any

from .controls import FISC, KISMS, PACK_RULES_OUTSIDE_MAPPING, _control_key, catalogue, kisms_registry
from .model import CLOUDFORMATION, FORMATS, TERRAFORM
from .policies import Policy, load_policies

RUNTIME_NOTE = "checked at runtime by AWS Config"


def _rule_status(rule: str, policies: list[Policy], registry: dict) -> dict[str, Any]:
    entry = registry.get(rule)
    mine = [p for p in policies if p.config_rule == rule]
    formats = {fmt: sorted(p.id for p in mine if fmt in p.checks) for fmt in FORMATS}
    status: dict[str, Any] = {
        "rule": rule,
        "scope": entry.scope if entry else "not analysed",
        "policies": sorted(p.id for p in mine),
        "formats": formats,
    }
    if entry and entry.scope == "account":
        status["profile"] = "account-baseline"
    if entry and entry.scope == "runtime":
        status["runtime"] = f"{RUNTIME_NOTE}: {entry.reason}"
    if entry and entry.formats:
        status["format_notes"] = dict(sorted(entry.formats.items()))
    return status


def kisms_coverage() -> dict[str, Any]:
    cat = catalogue()
    policies = load_policies().policies
    registry = kisms_registry()
    controls: dict[str, list[str]] = {}
    for control, rule in cat.kisms_rows:
        controls.setdefault(control, [])
        if rule not in controls[control]:
            controls[control].append(rule)
    listing = [
        {"control": control, "rules": [_rule_status(r, policies, registry) for r in sorted(rules)]}
        for control, rules in sorted(controls.items(), key=lambda kv: _control_key(kv[0]))
    ]
    rules = {r for rs in controls.values() for r in rs} | set(registry) | set(PACK_RULES_OUTSIDE_MAPPING)
    statuses = [_rule_status(r, policies, registry) for r in sorted(rules)]
    extra = [s for s in statuses if s["rule"] not in cat.kisms_by_rule]
    return {
        "framework": KISMS,
        "controls": listing,
        "pack_rules_without_control": extra,
        "summary": _summary(statuses, len(controls)),
    }


def _summary(statuses: list[dict[str, Any]], controls: int) -> dict[str, Any]:
    by_scope: dict[str, int] = {}
    for status in statuses:
        by_scope[status["scope"]] = by_scope.get(status["scope"], 0) + 1
    decidable = [s for s in statuses if s["scope"] in ("resource", "account")]
    both = [s for s in decidable if all(s["formats"][f] or f in s.get("format_notes", {}) for f in FORMATS)]
    return {
        "controls": controls,
        "rules": len(statuses),
        "by_scope": dict(sorted(by_scope.items())),
        "decidable_rules_fully_covered": len(both),
        "decidable_rules": len(decidable),
    }


def fisc_coverage() -> dict[str, Any]:
    policies = {p.id: p for p in load_policies().policies}
    practices = []
    for bp in catalogue().fisc:
        served = []
        for policy_id, relevance in bp.policies:
            policy = policies.get(policy_id)
            served.append(
                {
                    "policy": policy_id,
                    "name": policy.name if policy else None,
                    "relevance": relevance,
                    "formats": list(policy.formats()) if policy else [],
                }
            )
        practices.append(
            {
                "id": bp.id,
                "title": bp.title,
                "practice_standards": list(bp.practice_standards),
                "policies": served,
                "outside_static_analysis": list(bp.outside_static_analysis),
            }
        )
    direct = [p for p in practices if any(s["relevance"] == "direct" for s in p["policies"])]
    return {
        "framework": FISC,
        "best_practices": practices,
        "summary": {
            "best_practices": len(practices),
            "with_direct_policy": len(direct),
            "outside_static_analysis": sum(1 for p in practices if p["outside_static_analysis"]),
        },
    }


_SHORT = {CLOUDFORMATION: "cfn", TERRAFORM: "tf"}


def render_text(data: dict[str, Any]) -> str:
    lines: list[str] = []
    if data["framework"] == KISMS:
        for control in data["controls"]:
            lines.append(f"K-ISMS {control['control']}")
            lines.extend(_rule_lines(control["rules"]))
        if data["pack_rules_without_control"]:
            lines.append("Conformance-pack rules outside the mapping")
            lines.extend(_rule_lines(data["pack_rules_without_control"]))
        s = data["summary"]
        scopes = ", ".join(f"{n} {scope}" for scope, n in s["by_scope"].items())
        lines.append(
            f"{s['controls']} controls, {s['rules']} rules ({scopes}); "
            f"{s['decidable_rules_fully_covered']} of {s['decidable_rules']} resource and account rules covered in every format that can express them"
        )
    else:
        for bp in data["best_practices"]:
            lines.append(f"{bp['id']} ({'、'.join(bp['practice_standards'])}) {bp['title']}")
            for served in bp["policies"]:
                formats = " ".join(_SHORT[f] for f in served["formats"])
                lines.append(f"    {served['relevance']:<10} {served['policy']} {served['name']} [{formats}]")
            for item in bp["outside_static_analysis"]:
                lines.append(f"    outside static analysis: {item}")
            if not bp["policies"] and not bp["outside_static_analysis"]:
                lines.append("    no policy yet")
        s = data["summary"]
        lines.append(
            f"{s['best_practices']} best practices; {s['with_direct_policy']} with a direct policy; "
            f"{s['outside_static_analysis']} recorded as outside static analysis"
        )
    return "\n".join(lines) + "\n"


def _rule_lines(rules: list[dict[str, Any]]) -> list[str]:
    out = []
    for rule in rules:
        if rule["scope"] == "runtime":
            detail = rule["runtime"]
        else:
            parts = []
            for fmt in FORMATS:
                if rule["formats"][fmt]:
                    parts.append(f"{_SHORT[fmt]} {','.join(rule['formats'][fmt])}")
                elif fmt in rule.get("format_notes", {}):
                    parts.append(f"{_SHORT[fmt]} n/a ({rule['format_notes'][fmt]})")
                else:
                    parts.append(f"{_SHORT[fmt]} -")
            detail = "; ".join(parts)
            if rule.get("profile"):
                detail += f" (profile {rule['profile']})"
        out.append(f"    {rule['rule']:<58} {rule['scope']:<9} {detail}")
    return out
