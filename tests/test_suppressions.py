"""Suppressions next to the resource, and baselines that survive edits elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

from fisc_iac_lint.suppressions import for_block, from_comment

ROOT = Path(__file__).resolve().parent.parent
SELECT = ("--select", "FIL0002")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "FISC_IAC_LINT_TODAY": "2026-11-22"}
    return subprocess.run(
        [sys.executable, "-m", "fisc_iac_lint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_suppressions_in_both_formats_are_marked_counted_and_do_not_fail_the_run() -> None:
    result = run("tests/inputs/suppress", *SELECT, "--format", "json")
    report = json.loads(result.stdout)
    state = {(f["resource"]["name"], bool(f["suppressed"])) for f in report["findings"]}
    assert state == {
        ("Logs", True),
        ("Expired", False),
        ("NoReason", False),
        ("aws_s3_bucket.scratch", True),
        ("aws_s3_bucket.kept", True),
        ("aws_s3_bucket.typo", False),
    }
    logs = next(f for f in report["findings"] if f["resource"]["name"] == "Logs")
    assert logs["suppressed"] == {
        "reason": "Access logs are replicated to the archive account, which keeps versions",
        "expires": "2999-12-31",
        "line": 8,
    }
    assert report["summary"]["suppressed"] == 3 and report["summary"]["findings"] == 3
    assert [w["message"] for w in report["warnings"]] == [
        "line 20: suppression of FIL0002 on Expired expired on 2020-01-01: FIL0002 is reported again",
        "line 32: suppression of FIL0002 on NoReason has no reason: it is not applied",
        "line 11: suppression of FIL9999 on aws_s3_bucket.typo names no known policy",
    ]
    assert result.returncode == 1  # the three that are not suppressed
    only_suppressed = run("tests/inputs/suppress/tf/main.tf", *SELECT, "--ignore", "x")
    assert "aws_s3_bucket.typo" in only_suppressed.stdout


def test_sarif_carries_suppressions_with_their_justification() -> None:
    sarif = json.loads(run("tests/inputs/suppress", *SELECT, "--format", "sarif").stdout)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert len(suppressed) == 3
    assert suppressed[0]["suppressions"][0]["kind"] == "inSource"


def test_terraform_comments_inside_or_directly_above_the_block() -> None:
    lines = [
        '# fisc-iac-lint:suppress A reason="x"',
        "",
        '# fisc-iac-lint:suppress B reason="y"',
        "# another comment",
        'resource "t" "n" {',
        '  # fisc-iac-lint:suppress C,D reason="z" expires=2027-01-01',
        "}",
    ]
    comments = {i + 1: line for i, line in enumerate(lines) if "fisc-iac-lint" in line}
    found = for_block(comments, lines, 5, 7)
    assert sorted(tuple(sorted(s.ids)) for s in found) == [("B",), ("C", "D")]  # A is not directly above
    assert from_comment('# fisc-iac-lint:suppress X expires=nope reason="r"', 1).problem.startswith(
        "has an expiry date"
    )


def test_a_baseline_survives_moving_a_resource_ten_lines_down(tmp_path: Path) -> None:
    template = tmp_path / "app.yaml"
    text = (ROOT / "tests" / "inputs" / "mixed" / "bucket.yaml").read_text(encoding="utf-8")
    template.write_text(text, encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    first = run(str(template), *SELECT, "--write-baseline", str(baseline))
    assert first.returncode == 1
    assert [e["rule_id"] for e in json.loads(baseline.read_text())["findings"]] == ["FIL0002"]

    template.write_text(text.replace("Resources:\n", "Resources:\n" + "  # moved down\n" * 10, 1), encoding="utf-8")
    moved = run(str(template), *SELECT, "--baseline", str(baseline), "--format", "json")
    report = json.loads(moved.stdout)
    assert moved.returncode == 0
    assert [(f["line"], f["baselined"]) for f in report["findings"]] == [(13, True)]

    template.write_text(text + "  Another:\n    Type: AWS::S3::Bucket\n", encoding="utf-8")
    new = run(str(template), *SELECT, "--baseline", str(baseline), "--format", "json")
    assert new.returncode == 1
    assert [(f["resource"]["name"], f["baselined"]) for f in json.loads(new.stdout)["findings"]] == [
        ("Logs", True),
        ("Another", False),
    ]

    template.write_text(text.replace("Resources:\n  Logs:", "Resources:\n  Renamed:"), encoding="utf-8")
    fixed = run(str(template), *SELECT, "--baseline", str(baseline))
    assert "fixed: " in fixed.stdout and "FIL0002 Logs (in the baseline, no longer found)" in fixed.stdout


def test_a_broken_baseline_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text("{nope")
    result = run("tests/inputs/mixed/bucket.yaml", *SELECT, "--baseline", str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith(f"fisc-iac-lint: error: {bad}: not a usable baseline:")
