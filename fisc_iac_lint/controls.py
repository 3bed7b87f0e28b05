"""Controls as data: K-ISMS from its Config-rule mapping, FISC from its framework file.

A policy that names its AWS Config rule gets the K-ISMS controls mapped to that
rule; a policy listed under a FISC best practice gets that best practice.
Neither is restated in the policy.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"
KISMS = "k-isms"
FISC = "fisc"
FRAMEWORKS = (FISC, KISMS)
# Rules the current K-ISMS conformance pack adds to those the mapping names.
PACK_RULES_OUTSIDE_MAPPING = (
    "opensearch-encrypted-at-rest",
    "opensearch-node-to-node-encryption-check",
    "rds-cluster-multi-az-enabled",
)


@dataclass(frozen=True)
class BestPractice:
    id: str
    question: str
    question_title: str
    title: str
    practice_standards: tuple[str, ...]
    policies: tuple[tuple[str, str], ...]  # (policy id, direct|supporting)
    outside_static_analysis: tuple[str, ...] = ()  # guidance no template can decide: "guidance: reason"

    def label(self) -> str:
        """How findings show it: ``FISCSEC4-BP01 (実 69)``."""
        return f"{self.id} ({'、'.join(self.practice_standards)})"


@dataclass(frozen=True)
class RuleEntry:
    """How one AWS Config rule of the K-ISMS mapping is decided (data/kisms-rules/)."""

    rule: str
    scope: str  # resource | account | runtime
    formats: dict[str, str]  # format -> why it cannot express the resource
    reason: str  # runtime: the live state that decides it
    notes: str
    source: str


def kisms_registry() -> dict[str, RuleEntry]:
    """Every registered rule; raises ValueError naming the file for a bad or duplicate entry."""
    entries: dict[str, RuleEntry] = {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted((DATA / "kisms-rules").glob("*.yaml")):
        for item in yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []:
            rule = item.get("rule")
            if rule in entries:
                raise ValueError(f"{path}: {rule} is already registered in {entries[rule].source}")
            scope = item.get("scope")
            if scope not in ("resource", "account", "runtime"):
                raise ValueError(f"{path}: {rule}: scope must be resource, account or runtime")
            if scope == "runtime" and not item.get("reason"):
                raise ValueError(f"{path}: {rule}: a runtime rule needs a reason")
            entries[rule] = RuleEntry(
                rule, scope, dict(item.get("formats") or {}), item.get("reason", ""), item.get("notes", ""), path.name
            )
    return entries


@dataclass(frozen=True)
class Catalogue:
    kisms_rows: tuple[tuple[str, str], ...]  # (control, config rule), in the mapping's order
    fisc: tuple[BestPractice, ...]
    kisms_by_rule: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fisc_by_policy: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def controls_for(self, policy_id: str, config_rule: str | None) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        fisc = self.fisc_by_policy.get(policy_id)
        if fisc:
            out[FISC] = list(fisc)
        kisms = self.kisms_by_rule.get(config_rule or "")
        if kisms:
            out[KISMS] = list(kisms)
        return out


def _control_key(control: str) -> tuple[int, ...]:
    return tuple(int(p) for p in control.split(".") if p.isdigit())


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    with (DATA / "k-isms-mapping.csv").open(encoding="utf-8", newline="") as handle:
        rows = tuple((r["kisms_control"], r["aws_config_rule"]) for r in csv.DictReader(handle))
    by_rule: dict[str, list[str]] = {}
    for control, rule in rows:
        by_rule.setdefault(rule, [])
        if control not in by_rule[rule]:
            by_rule[rule].append(control)
    data = yaml.load(
        (DATA / "fisc.yaml").read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )
    practices = tuple(
        BestPractice(
            id=bp["id"],
            question=bp["question"],
            question_title=bp["question_title"],
            title=bp["title"],
            practice_standards=tuple(bp["practice_standards"]),
            policies=tuple((p["policy"], p["relevance"]) for p in bp.get("policies") or ()),
            outside_static_analysis=tuple(bp.get("outside_static_analysis") or ()),
        )
        for bp in data["best_practices"]
    )
    by_policy: dict[str, list[str]] = {}
    for bp in practices:
        for policy_id, _relevance in bp.policies:
            by_policy.setdefault(policy_id, []).append(bp.label())
    return Catalogue(
        kisms_rows=rows,
        fisc=practices,
        kisms_by_rule={k: tuple(sorted(v, key=_control_key)) for k, v in by_rule.items()},
        fisc_by_policy={k: tuple(v) for k, v in by_policy.items()},
    )
