"""Every output format: a snapshot on one template with several findings, and format-specific checks.

Snapshots run with `--select` so that the library growing does not change them;
UPDATE_SNAPSHOTS=1 rewrites them (read the diff).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "tests" / "snapshots"
TEMPLATE = "tests/inputs/formats/app.yaml"
SELECT = ["--select", "FIL0002,FIL0003,ssh-open-to-internet"]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "fisc_iac_lint", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "fmt, suffix",
    [("text", "txt"), ("json", "json"), ("sarif", "sarif"), ("junit", "xml"), ("github", "txt"), ("markdown", "md")],
)
def test_snapshot(fmt: str, suffix: str) -> None:
    result = run(TEMPLATE, *SELECT, "--format", fmt)
    assert result.returncode == 1, result.stderr
    out = result.stdout.replace(f'"version": "{_version()}"', '"version": "X"')
    snapshot = SNAPSHOTS / f"formats.{fmt}.{suffix}"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.write_text(out, encoding="utf-8")
    assert out == snapshot.read_text(encoding="utf-8")


CDK = "tests/inputs/cdk-source/cdk.out"


@pytest.mark.parametrize(
    "fmt, suffix",
    [("text", "txt"), ("json", "json"), ("sarif", "sarif"), ("junit", "xml"), ("github", "txt"), ("markdown", "md")],
)
def test_cdk_snapshot(fmt: str, suffix: str) -> None:
    """CDK output: each finding names its construct path, and the source line where the trace gives it."""
    result = run(CDK, "--select", "FIL0002,sns-topic-unencrypted", "--format", fmt)
    assert result.returncode == 1, result.stderr
    out = result.stdout.replace(f'"version": "{_version()}"', '"version": "X"')
    snapshot = SNAPSHOTS / f"cdk.{fmt}.{suffix}"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.write_text(out, encoding="utf-8")
    assert "AppStack/Uploads/Resource" in out and "AppStack/Audit/Topic/Resource" in out
    assert "/home/dev/app/lib/app-stack.ts" in out and "bucket.js" not in out
    assert out == snapshot.read_text(encoding="utf-8")
    if fmt == "sarif":
        schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
        jsonschema.Draft4Validator(schema).validate(json.loads(out))


def _version() -> str:
    from fisc_iac_lint import __version__

    return __version__


def test_sarif_is_valid_and_ranked() -> None:
    sarif = json.loads(run(TEMPLATE, *SELECT, "--format", "sarif").stdout)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    run_ = sarif["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert rules["FIL0003"]["properties"]["security-severity"] == "9.5"
    assert {t["name"] for t in run_["taxonomies"]} == {"FISC", "K-ISMS"}
    assert {"target": {"id": "FISCSEC1-BP01", "toolComponent": {"name": "FISC"}}, "kinds": ["relevant"]} in rules[
        "FIL0003"
    ]["relationships"]
    assert len(run_["taxonomies"][0]["taxa"]) == 25
    fingerprints = [r["partialFingerprints"]["fiscIacLintFinding/v1"] for r in run_["results"]]
    assert len(set(fingerprints)) == len(fingerprints) == 4
    suppressed = [r for r in run_["results"] if r.get("suppressions")]
    assert [s["suppressions"][0]["justification"] for s in suppressed] == [
        "Write-once archive: Object Lock keeps every version"
    ]


def test_sarif_fingerprints_survive_a_line_move(tmp_path: Path) -> None:  # noqa: C901
    text = (ROOT / TEMPLATE).read_text(encoding="utf-8")
    moved = tmp_path / "app.yaml"
    moved.write_text(text.replace("Resources:\n", "Resources:\n" + "  # moved\n" * 10, 1), encoding="utf-8")
    original = tmp_path / "orig" / "app.yaml"
    original.parent.mkdir()
    original.write_text(text, encoding="utf-8")

    def prints(path: Path) -> list[tuple[str, int]]:
        sarif = json.loads(run(str(path), *SELECT, "--format", "sarif").stdout)
        return sorted(
            (
                r["partialFingerprints"]["fiscIacLintFinding/v1"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in sarif["runs"][0]["results"]
        )

    # the same file name in two places: compare the fingerprints of a template before and after the move
    before = prints(original)
    original.write_text(moved.read_text(encoding="utf-8"), encoding="utf-8")
    after = prints(original)
    assert [f for f, _ in before] == [f for f, _ in after]
    assert [line + 10 for _, line in before] == [line for _, line in after]


def test_junit_reads_with_a_junit_library(tmp_path: Path) -> None:
    from junitparser import Failure, JUnitXml

    out = tmp_path / "report.xml"
    result = run(TEMPLATE, *SELECT, "--format", "junit", "--output", str(out))
    assert result.returncode == 1 and result.stdout == ""
    xml = JUnitXml.fromfile(str(out))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 4
    assert sorted(type(case.result[0]).__name__ for case in cases) == ["Failure", "Failure", "Failure", "Skipped"]
    assert {case.classname for case in cases if isinstance(case.result[0], Failure)} == {
        "FIL0002",
        "FIL0003",
        "FIL0005",
    }


def test_github_annotations_escape_properties() -> None:
    lines = run(TEMPLATE, *SELECT, "--format", "github").stdout.splitlines()
    assert any(
        line.startswith(
            "::error file=tests/inputs/formats/app.yaml,line=7,title=FIL0003 s3-bucket-public-read (critical)::"
        )
        for line in lines
    )
    assert any(line.startswith("::warning file=tests/inputs/formats/app.yaml,line=4,title=FIL0002") for line in lines)


def test_several_formats_in_one_run(tmp_path: Path) -> None:
    sarif, md = tmp_path / "r.sarif", tmp_path / "r.md"
    result = run(TEMPLATE, *SELECT, "-f", "sarif", "-o", str(sarif), "-f", "markdown", "-o", str(md), "-f", "text")
    assert result.returncode == 1
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert md.read_text().startswith("## fisc-iac-lint")
    assert result.stdout.endswith("3 findings (1 critical, 1 high, 1 medium), 1 suppressed in 1 file\n")
    assert run(TEMPLATE, "-f", "sarif", "-f", "json").returncode == 2  # two formats for standard output
