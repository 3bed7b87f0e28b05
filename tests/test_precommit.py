"""The pre-commit hook, installed from this checkout by the real pre-commit (try-repo), in a
temporary git repository: a commit that adds a violation fails, a clean one passes, whether
it touches CloudFormation, Terraform or both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")

# Clean: a queue, which no policy of the library has anything to say about.
CLEAN_CFN = "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n"
BAD_CFN = (
    "Resources:\n  Admin:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n"
    "      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n"
)
CLEAN_TF = 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'
BAD_TF = (
    'resource "aws_security_group_rule" "ssh" {\n  type              = "ingress"\n  security_group_id = "sg-1"\n'
    '  protocol          = "tcp"\n  from_port         = 22\n  to_port           = 22\n  cidr_blocks       = ["0.0.0.0/0"]\n}\n'
)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PRE_COMMIT_HOME for the module: the hook environment is built once."""
    if not Path(PRE_COMMIT).exists():
        pytest.fail("pre-commit is not installed: pip install -e '.[test]'")
    return tmp_path_factory.mktemp("pre-commit-home")


def attempt(home: Path, tmp_path: Path, files: dict[str, str]) -> subprocess.CompletedProcess:
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q")
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    # try-repo installs the hook from this checkout, committing uncommitted changes to a temporary copy
    return subprocess.run(
        [PRE_COMMIT, "try-repo", str(ROOT), "fisc-iac-lint"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


@pytest.mark.parametrize(
    "files, passes",
    [
        ({"infra/app.yaml": BAD_CFN}, False),
        ({"tf/main.tf": BAD_TF}, False),
        ({"infra/app.yaml": CLEAN_CFN, "tf/main.tf": CLEAN_TF, ".github/workflows/ci.yml": "on: push\n"}, True),
        ({"infra/app.yaml": CLEAN_CFN, "tf/main.tf": BAD_TF}, False),
    ],
    ids=["cloudformation-violation", "terraform-violation", "both-clean", "both-one-violation"],
)
def test_the_hook_fails_a_violation_and_passes_a_clean_commit(home: Path, tmp_path: Path, files, passes) -> None:
    result = attempt(home, tmp_path, files)
    assert (result.returncode == 0) is passes, result.stdout + result.stderr
    if not passes:
        assert "ssh-open-to-internet" in result.stdout
