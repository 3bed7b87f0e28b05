"""Controls as data: the FISC framework file matches the lens, mappings name things that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fisc_iac_lint.controls import DATA, FISC, KISMS, catalogue
from fisc_iac_lint.policies import load_policies

SHARED = Path(__file__).resolve().parents[2] / "shared"
LENS = SHARED / "docs" / "fisc-security-lens.ja.md"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not beside this checkout")


def _lens_practices() -> list[tuple[str, str, tuple[str, ...]]]:
    lines = LENS.read_text(encoding="utf-8").splitlines()
    out = []
    for index, line in enumerate(lines):
        match = re.match(r"^## (FISCSEC\d+-BP\d+) (.*)$", line)
        if match:
            after = next(l for l in lines[index + 1 :] if l.startswith("実"))
            out.append((match.group(1), match.group(2), tuple(s.strip() for s in after.split("、"))))
    return out


@needs_shared
def test_fisc_ids_titles_and_practice_numbers_match_the_lens_character_for_character() -> None:
    ours = [(bp.id, bp.title, bp.practice_standards) for bp in catalogue().fisc]
    assert ours == _lens_practices()
    assert len(ours) == 25


@needs_shared
def test_packaged_kisms_mapping_is_the_shared_one() -> None:
    assert (DATA / "k-isms-mapping.csv").read_bytes() == (SHARED / "data" / "k-isms-mapping.csv").read_bytes()


def test_kisms_mapping_shape() -> None:
    cat = catalogue()
    assert len(cat.kisms_rows) == 168
    assert len(cat.kisms_by_rule) == 113
    assert len({control for control, _ in cat.kisms_rows}) == 25


def test_every_policy_id_in_the_fisc_file_exists() -> None:
    ids = {p.id for p in load_policies().policies}
    named = {pid for bp in catalogue().fisc for pid, _ in bp.policies}
    assert sorted(named - ids) == []
    assert all(rel in ("direct", "supporting") for bp in catalogue().fisc for _, rel in bp.policies)


def _pack_rules() -> set[str]:
    text = (SHARED / "data" / "Operational-Best-Practices-for-KISMS.yaml").read_text(encoding="utf-8")
    return set(re.findall(r"ConfigRuleName: (\S+)", text))


@needs_shared
def test_every_config_rule_a_policy_names_is_in_the_mapping_or_the_pack() -> None:
    known = set(catalogue().kisms_by_rule) | _pack_rules()
    unknown = sorted(p.config_rule for p in load_policies().policies if p.config_rule and p.config_rule not in known)
    assert unknown == []


def test_controls_for_a_policy_combine_both_frameworks() -> None:
    controls = catalogue().controls_for("FIL0003", "s3-bucket-public-read-prohibited")
    assert controls == {FISC: ["FISCSEC1-BP01 (実 5)", "FISCSEC1-BP02 (実 61)"], KISMS: ["2.6", "2.6.6"]}
    assert catalogue().controls_for("FIL9999", None) == {}
