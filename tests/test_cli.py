"""End to end through the console entry point: exit codes, the JSON contract, determinism."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INPUTS = Path("tests/inputs")
SNAPSHOTS = ROOT / "tests" / "snapshots"
VERSIONING = "fixtures/policies/s3-bucket-versioning-disabled"
# Exact-output tests select the policies they are about, so that the library growing does not change them.
ONLY = ("--select", "FIL0001,FIL0002")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "fisc_iac_lint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_exit_0_when_clean() -> None:
    result = run(f"{VERSIONING}/cfn/pass.yaml", *ONLY)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "0 findings in 1 file"


def test_exit_1_with_findings_and_text_grouped_by_file() -> None:
    result = run(f"{VERSIONING}/cfn/fail.yaml", *ONLY)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{VERSIONING}/cfn/fail.yaml"
    assert lines[1].split() == [
        "4",
        "medium",
        "FIL0002",
        "s3-bucket-versioning-disabled",
        "NoVersioning",
        "(AWS::S3::Bucket)",
    ]
    assert lines[-1] == "2 findings (2 medium) in 1 file"
    assert "\033[" not in result.stdout


def test_fail_on_threshold() -> None:
    assert run(f"{VERSIONING}/cfn/fail.yaml", *ONLY, "--fail-on", "high").returncode == 0
    assert run(f"{VERSIONING}/cfn/fail.yaml", *ONLY, "--fail-on", "medium").returncode == 1


def test_malformed_and_valid_template_side_by_side() -> None:
    result = run(str(INPUTS / "mixed"), "--format", "json", *ONLY)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "fisc-iac-lint: error: tests/inputs/mixed/broken.yaml: line 6: did not find expected ',' or ']'"
    ]
    report = json.loads(result.stdout)
    assert [(f["rule_id"], f["file"], f["line"]) for f in report["findings"]] == [
        ("FIL0002", "tests/inputs/mixed/bucket.yaml", 3)
    ]
    assert report["errors"] == [
        {"file": "tests/inputs/mixed/broken.yaml", "message": "line 6: did not find expected ',' or ']'"}
    ]


def test_every_bad_input_is_one_line_and_the_scan_goes_on() -> None:
    result = run(str(INPUTS / "bad"), str(INPUTS / "mixed" / "bucket.yaml"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = result.stderr.splitlines()
    assert [e.split(": ")[2] for e in errors] == [
        "tests/inputs/bad/blank.yaml",
        "tests/inputs/bad/duplicate.yaml",
        "tests/inputs/bad/empty.template",
        "tests/inputs/bad/image.json",
        "tests/inputs/bad/latin1.yaml",
        "tests/inputs/bad/tf/main.tf",
        "tests/inputs/bad/trailing-comma.json",
    ]
    assert "FIL0002" in result.stdout  # the valid file was still linted
    assert "package.json" not in result.stderr  # not a template: skipped quietly
    verbose = run(str(INPUTS / "bad"), "-v")
    assert "skipped: tests/inputs/bad/package.json: not a CloudFormation template" in verbose.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "yaml", VERSIONING],
        ["--fail-on", "severe", VERSIONING],
        ["--param", "nodot", VERSIONING],
        ["--no-such-flag", VERSIONING],
        [],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_missing_path_is_an_error() -> None:
    result = run("does/not/exist.yaml")
    assert result.returncode == 2
    assert result.stderr.strip() == "fisc-iac-lint: error: does/not/exist.yaml: no such file or directory"


def test_json_contract() -> None:
    report = json.loads(run(VERSIONING, "--format", "json", *ONLY).stdout)
    assert set(report) == {"version", "findings", "unknowns", "errors", "warnings", "fixed", "summary"}
    finding = report["findings"][0]
    assert {"rule_id", "config_rule", "severity", "resource", "file", "line", "controls", "message"} <= set(finding)
    assert set(finding["resource"]) == {"type", "name", "construct", "source"}
    assert isinstance(finding["line"], int)
    assert finding["controls"] == {
        "fisc": ["FISCSEC3-BP01 (実 6、実 65)", "FISCSEC9-BP02 (実 22、実 32)"],
        "k-isms": ["2.9.3", "2.12"],
    }
    assert report["summary"]["findings"] == len(report["findings"])


def test_json_snapshot_and_determinism() -> None:
    first = run(VERSIONING, "--format", "json", *ONLY).stdout
    assert run(VERSIONING, "--format", "json", *ONLY).stdout == first
    # the library grows: the number of loaded policies is not part of the snapshot
    stable = re.sub(r'"policies": \d+', '"policies": N', first)
    snapshot = SNAPSHOTS / "versioning.json"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.write_text(stable, encoding="utf-8")
    assert stable == snapshot.read_text(encoding="utf-8")


def test_output_file_and_a_foreign_working_directory(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run(str(ROOT / VERSIONING / "tf"), "--format", "json", "--output", str(out), *ONLY, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {Path(f["file"]).name for f in report["findings"]} == {"main.tf"}


def test_a_tf_file_argument_lints_its_whole_module() -> None:
    result = run(f"{VERSIONING}/tf/fail-split-suspended/storage.tf", "--format", "json", *ONLY)
    report = json.loads(result.stdout)
    assert [(f["file"], f["line"]) for f in report["findings"]] == [
        (f"{VERSIONING}/tf/fail-split-suspended/main.tf", 1)
    ]


def test_cdk_output_is_found_by_content_with_json_lines() -> None:
    report = json.loads(run("tests/inputs/cdk/cdk.out", "--format", "json", *ONLY).stdout)
    assert [(f["rule_id"], f["resource"]["name"], f["file"], f["line"]) for f in report["findings"]] == [
        ("FIL0002", "RawBucket1A2B3C4D", "tests/inputs/cdk/cdk.out/DataStack.template.json", 3)
    ]
    assert report["errors"] == []


def test_a_file_argument_is_linted_whatever_its_extension() -> None:
    report = json.loads(run("tests/inputs/cdk/template.txt", "--format", "json", *ONLY).stdout)
    assert sorted({f["rule_id"] for f in report["findings"]}) == ["FIL0001", "FIL0002"]
    walked = json.loads(run("tests/inputs/cdk", "--format", "json").stdout)
    assert all(not f["file"].endswith(".txt") for f in walked["findings"])  # not walked into


def test_the_github_action_runs_the_command_it_documents(tmp_path: Path) -> None:
    import shlex

    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    script = action["runs"]["steps"][-1]["run"].strip().splitlines()[-1]
    sarif = tmp_path / "out.sarif"
    values = {
        "$PATHS": f"{VERSIONING}/cfn/fail.yaml",
        '"$FAIL_ON"': "low",
        '"$SARIF"': str(sarif),
        "$ARGS": "--select FIL0002",
    }
    for key, value in values.items():
        script = script.replace(key, value)
    argv = shlex.split(script)
    assert argv[0] == "fisc-iac-lint"
    result = run(*argv[1:])
    assert result.returncode == 1
    assert result.stdout.startswith("::warning file=")
    assert json.loads(sarif.read_text())["runs"][0]["results"]


def test_cloudformation_parameters_from_the_command_line_and_files(tmp_path: Path) -> None:
    template = tmp_path / "db.yaml"
    template.write_text(
        "Parameters:\n  Encrypt: {Type: String, Default: 'false'}\n"
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
        "      Engine: postgres\n      StorageEncrypted: !Ref Encrypt\n",
        encoding="utf-8",
    )
    select = ("--select", "rds-storage-unencrypted", "--format", "json")

    def rules(*args: str) -> list[str]:
        return [f["rule_id"] for f in json.loads(run(str(template), *select, *args).stdout)["findings"]]

    assert rules() == ["FIL0004"]  # the default, false
    assert rules("--parameter", "Encrypt=true") == []
    cli_list = tmp_path / "params.json"
    cli_list.write_text(json.dumps([{"ParameterKey": "Encrypt", "ParameterValue": "true"}]), encoding="utf-8")
    assert rules("--parameters-file", str(cli_list)) == []
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"Parameters": {"Encrypt": "true"}}), encoding="utf-8")
    assert rules("--parameters-file", str(wrapped), "--parameter", "Encrypt=false") == ["FIL0004"]
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2]", encoding="utf-8")
    assert run(str(template), *select, "--parameters-file", str(broken)).returncode == 2
