"""The coverage listing: `fisc-iac-lint controls --framework k-isms|fisc`."""

from __future__ import annotations

import json

from fisc_iac_lint.cli import main
from fisc_iac_lint.controls import catalogue
from fisc_iac_lint.coverage import fisc_coverage, kisms_coverage, render_text


def test_kisms_lists_every_control_and_rule_with_its_status() -> None:
    data = kisms_coverage()
    assert [c["control"] for c in data["controls"]][:3] == ["1.2.1", "2.1.3", "2.3.3"]
    assert len(data["controls"]) == 25
    listed = {r["rule"] for c in data["controls"] for r in c["rules"]}
    assert listed == set(catalogue().kisms_by_rule)
    assert {r["rule"] for r in data["pack_rules_without_control"]} == {
        "opensearch-encrypted-at-rest",
        "opensearch-node-to-node-encryption-check",
        "rds-cluster-multi-az-enabled",
    }
    ssh = next(
        r for c in data["controls"] if c["control"] == "2.6" for r in c["rules"] if r["rule"] == "restricted-ssh"
    )
    assert ssh["scope"] == "resource"
    assert ssh["formats"] == {"cloudformation": ["FIL0005"], "terraform": ["FIL0005"]}
    assert data["summary"]["rules"] == 116


def test_fisc_lists_all_25_best_practices_with_their_policies() -> None:
    data = fisc_coverage()
    assert len(data["best_practices"]) == 25
    bp = data["best_practices"][0]
    assert (bp["id"], bp["practice_standards"]) == ("FISCSEC1-BP01", ["実 5"])
    assert {
        "policy": "FIL0003",
        "name": "s3-bucket-public-read",
        "relevance": "direct",
        "formats": ["cloudformation", "terraform"],
    } in bp["policies"]
    assert "FISCSEC1-BP01 (実 5)" in render_text(data)


def test_the_command_prints_json_and_text(capsys) -> None:
    assert main(["controls", "--framework", "k-isms", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["framework"] == "k-isms"
    assert main(["controls", "--framework", "fisc"]) == 0
    assert "FISCSEC10-BP02 (実 138)" in capsys.readouterr().out
    assert main(["controls", "--framework", "nist"]) == 2
