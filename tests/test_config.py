"""Configuration files: found above the scanned path, validated, overridden by flags."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUCKET = (ROOT / "tests" / "inputs" / "mixed" / "bucket.yaml").read_text(encoding="utf-8")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "fisc_iac_lint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _repo(tmp_path: Path, config_name: str, text: str) -> Path:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "bucket.yaml").write_text(BUCKET, encoding="utf-8")
    (tmp_path / config_name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_misspelt_key_is_one_line_naming_it_and_exit_2(tmp_path: Path) -> None:
    repo = _repo(tmp_path, ".fisc-iac-lint.yaml", "fial_on: high\n")
    result = run("infra", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"fisc-iac-lint: error: {repo / '.fisc-iac-lint.yaml'}: unknown key 'fial_on' "
        "(allowed: baseline, cache, exclude, fail_on, frameworks, ignore, lang, parameters, policy_dirs, profiles, select, strict)"
    ]


def test_a_bad_value_names_the_key_and_what_is_allowed(tmp_path: Path) -> None:
    repo = _repo(tmp_path, ".fisc-iac-lint.yaml", "fail_on: severe\n")
    result = run("infra", cwd=repo)
    assert result.returncode == 2
    assert "fail_on: 'severe' is not one of ['low', 'medium', 'high', 'critical']" in result.stderr


def test_pyproject_table_found_above_the_path_and_flags_override(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.fisc-iac-lint]\nfail_on = "high"\nselect = ["FIL0002"]\nframeworks = ["k-isms"]\n',
    )
    quiet = run("infra/bucket.yaml", "--format", "json", cwd=repo)
    assert quiet.returncode == 0  # a medium finding does not reach fail_on = high
    report = json.loads(quiet.stdout)
    assert [(f["rule_id"], f["controls"]) for f in report["findings"]] == [("FIL0002", {"k-isms": ["2.9.3", "2.12"]})]
    assert run("infra/bucket.yaml", "--fail-on", "medium", cwd=repo).returncode == 1


def test_parameters_from_the_configuration(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        ".fisc-iac-lint.yaml",
        "select: [ssh-open-to-internet]\nparameters:\n  ssh-open-to-internet:\n    ports: [443]\n",
    )
    (repo / "infra" / "sg.yaml").write_text(
        "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n"
        "      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}\n",
        encoding="utf-8",
    )
    result = run("infra/sg.yaml", "--format", "json", cwd=repo)
    assert [f["rule_id"] for f in json.loads(result.stdout)["findings"]] == ["FIL0005"]
