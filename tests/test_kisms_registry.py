"""The K-ISMS rule registry: every rule has a recorded scope, and policies match it."""

from __future__ import annotations

import pytest

from fisc_iac_lint.controls import PACK_RULES_OUTSIDE_MAPPING, catalogue, kisms_registry
from fisc_iac_lint.model import FORMATS
from fisc_iac_lint.policies import load_policies

PACK_ONLY = set(PACK_RULES_OUTSIDE_MAPPING)
REGISTRY = kisms_registry()
POLICIES = load_policies().policies


def test_registered_rules_are_rules_of_the_mapping_or_the_pack() -> None:
    known = set(catalogue().kisms_by_rule) | PACK_ONLY
    assert sorted(set(REGISTRY) - known) == []


def test_every_rule_of_the_mapping_and_the_pack_is_registered() -> None:
    known = set(catalogue().kisms_by_rule) | PACK_ONLY
    assert len(known) == 116
    assert sorted(known - set(REGISTRY)) == []


@pytest.mark.parametrize("rule", sorted(REGISTRY))
def test_policies_match_the_recorded_scope(rule: str) -> None:
    entry = REGISTRY[rule]
    mine = [p for p in POLICIES if p.config_rule == rule]
    assert set(entry.formats) <= set(FORMATS), entry.formats
    if entry.scope == "runtime":
        assert mine == [], f"{rule} is decided at runtime: it gets no policy"
        return
    covered = {fmt for p in mine for fmt in p.formats()}
    missing = [fmt for fmt in FORMATS if fmt not in covered and fmt not in entry.formats]
    assert missing == [], f"{rule}: no policy for {missing} and no recorded reason why the format cannot express it"
    assert {p.scope for p in mine} == {entry.scope}, f"{rule}: policies must have scope {entry.scope}"
