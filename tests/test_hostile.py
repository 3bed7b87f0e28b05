"""Hostile inputs: every one gives one line naming the file and the reason, the rest of the
scan goes on, exit code 2, in bounded time and memory; never a traceback.

Small inputs are committed under tests/inputs/hostile (and tests/inputs/bad); large or
generated ones (a 50 MB template, 10,000-deep nesting, an alias bomb, a pipe with a
template's name) are made in a temporary directory by the test itself.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "inputs" / "mixed" / "bucket.yaml"
TIME_LIMIT = 60  # seconds for a whole scan; each case takes well under one


def scan(*paths: str | Path) -> tuple[int, list[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(
        [sys.executable, "-m", "fisc_iac_lint", *map(str, paths)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
    )
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert max(peak_kib, before) < 400 * 1024, f"peak memory {peak_kib // 1024} MB"
    assert "Traceback" not in result.stderr
    return result.returncode, result.stderr.splitlines(), result.stdout


def errors_by_file(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        assert line.startswith("fisc-iac-lint: error: "), line
        file, _, reason = line[len("fisc-iac-lint: error: ") :].partition(": ")
        assert file not in out, f"{file} reported twice"
        out[file] = reason
    return out


COMMITTED = {
    "tests/inputs/hostile/cycle.yaml": "circular dependency between resources: A -> B -> A",
    "tests/inputs/hostile/duplicate.json": "line 1: duplicate key 'A'",
    "tests/inputs/hostile/getatt-three.yaml": "line 5: !GetAtt takes Resource.Attribute or a list of two items",
    "tests/inputs/hostile/ref-mapping.yaml": "line 5: !Ref takes a scalar, not a mapping",
    "tests/inputs/hostile/loop-a.yaml": "symbolic link loop",
    "tests/inputs/hostile/loop-b.yaml": "symbolic link loop",
    "tests/inputs/hostile/tf-cycle": "circular dependency between resources: aws_sns_topic.a -> aws_sqs_queue.b -> aws_sns_topic.a",
    "tests/inputs/hostile/self-module/main.tf": "line 2: module.again makes a module cycle (tests/inputs/hostile/self-module -> tests/inputs/hostile/self-module), which Terraform rejects",
    "tests/inputs/bad/blank.yaml": "empty file",
    "tests/inputs/bad/empty.template": "empty file",
    "tests/inputs/bad/duplicate.yaml": "line 4: duplicate key 'A'",
    "tests/inputs/bad/image.json": "binary file (NUL bytes), not a template",
    "tests/inputs/bad/latin1.yaml": "not UTF-8 text (byte 0xe9 at offset 74)",
    "tests/inputs/bad/tf/main.tf": "line 2: unexpected STRING_CHARS '\\n}\\n\\n'",
    "tests/inputs/bad/trailing-comma.json": "invalid JSON: Expecting property name enclosed in double quotes: line 1 column 90 (char 89)",
}


def test_committed_hostile_inputs_mixed_with_a_valid_template() -> None:
    code, stderr, stdout = scan("tests/inputs/hostile", "tests/inputs/bad", VALID)
    assert code == 2
    assert errors_by_file(stderr) == COMMITTED
    assert "FIL0002 s3-bucket-versioning-disabled  Logs" in stdout  # the valid template's finding
    # readable oddities are read: UTF-16 with a BOM, CRLF (YAML and HCL), spaces and non-ASCII in paths
    for name in ("utf16.yaml", "crlf.yaml", "テンプレート.yaml", "crlf-tf/main.tf"):
        assert not any(name in line for line in stderr)


def test_generated_hostile_inputs(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_text(
        "Resources:\n" + "".join(f"  T{i}:\n    Type: AWS::SNS::Topic\n" for i in range(1_700_000)), encoding="utf-8"
    )
    assert (tmp_path / "big.yaml").stat().st_size > 50 * 1024 * 1024
    (tmp_path / "deep.yaml").write_text("Resources: " + "[" * 10_000 + "]" * 10_000, encoding="utf-8")
    (tmp_path / "deep.json").write_text('{"Resources": ' + "[" * 10_000 + "]" * 10_000 + "}", encoding="utf-8")
    rows = ["Resources: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        rows.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    (tmp_path / "bomb.yaml").write_text("\n".join(rows), encoding="utf-8")
    (tmp_path / "deeptf").mkdir()
    (tmp_path / "deeptf" / "main.tf").write_text("locals {\n  x = " + "[" * 10_000 + "]" * 10_000 + "\n}\n")
    (tmp_path / "chain").mkdir()
    chain = ["locals {"] + [f"  a{i} = local.a{i + 1}" for i in range(1000)] + ["  a1000 = 1", "}"]
    (tmp_path / "chain" / "main.tf").write_text(
        "\n".join(chain) + '\nresource "aws_sns_topic" "t" {\n  name = local.a0\n}\n'
    )
    os.mkfifo(tmp_path / "pipe.yaml")
    code, stderr, _ = scan(tmp_path, VALID)
    assert code == 2
    found = {Path(f).relative_to(tmp_path).as_posix(): r for f, r in errors_by_file(stderr).items()}
    assert re.fullmatch(r"file is \d+\.\d MB, over the 10 MB limit", found["big.yaml"])
    assert found["deep.yaml"] == "line 1: nesting deeper than 256 levels"
    assert found["deep.json"] == "nesting deeper than 256 levels"
    assert found["bomb.yaml"].startswith("aliases expand to more than")
    assert found["deeptf/main.tf"] == "nesting too deep (a few hundred levels at most)"
    assert found["chain/main.tf"] == "line 102: local.a100: locals refer to locals more than 100 deep"
    assert found["pipe.yaml"] == "not a regular file (pipe, socket or device)"
    assert len(found) == 7


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("Resources: {}\n")
    path.chmod(0)
    code, stderr, _ = scan(tmp_path)
    assert code == 2 and stderr == [f"fisc-iac-lint: error: {path}: cannot read: Permission denied"]


def test_no_network_connection_is_ever_opened(tmp_path: Path) -> None:
    """A scan with sockets blocked: any connection attempt fails the run."""
    guard = tmp_path / "sitecustomize.py"
    guard.write_text(
        "import socket\n"
        "def _blocked(*a, **k):\n    raise SystemExit('network use attempted')\n"
        "socket.socket.connect = _blocked\nsocket.create_connection = _blocked\nsocket.getaddrinfo = _blocked\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "fisc_iac_lint", "fixtures/policies", "tests/inputs/cdk", "--format", "json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
    )
    assert "network use attempted" not in result.stderr
    assert result.returncode == 1


def test_a_module_that_calls_itself_does_not_recurse() -> None:
    code, stderr, stdout = scan("tests/inputs/hostile/self-module", "--select", "FIL0002")
    assert code == 2
    assert stderr == [
        "fisc-iac-lint: error: tests/inputs/hostile/self-module/main.tf: line 2: module.again makes a module "
        "cycle (tests/inputs/hostile/self-module -> tests/inputs/hostile/self-module), which Terraform rejects"
    ]
    assert stdout.strip() == "0 findings in 1 file; 1 file could not be read"


def test_output_does_not_depend_on_the_order_files_were_created(tmp_path: Path) -> None:
    import shutil

    sources = sorted((ROOT / "fixtures" / "policies").glob("*/cfn/fail*.yaml"))[:12]
    outputs = []
    for order in (sources, list(reversed(sources))):
        target = tmp_path / "repo"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        for source in order:  # directory entries come back in creation order on many file systems
            (target / f"{source.parts[-3]}-{source.name}").write_text(
                source.read_text(encoding="utf-8"), encoding="utf-8"
            )
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-m", "fisc_iac_lint", str(target), "--format", "json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
        )
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] and outputs[0]


def test_output_is_identical_across_worker_counts() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outputs = [
        subprocess.run(
            [sys.executable, "-m", "fisc_iac_lint", "fixtures/policies", "--format", "json", "--jobs", jobs],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
        ).stdout
        for jobs in ("1", "2", "3")
    ]
    assert outputs[0] and outputs[0] == outputs[1] == outputs[2]


def test_hostile_terraform_modules(tmp_path: Path) -> None:
    """Modules nested past the limit, modules that fan out exponentially, a huge count: bounded."""
    for i in range(40):  # m0 -> m1 -> ... -> m39
        (tmp_path / "deep" / f"m{i}").mkdir(parents=True)
        call = f'module "next" {{\n  source = "../m{i + 1}"\n}}\n' if i < 39 else ""
        (tmp_path / "deep" / f"m{i}" / "main.tf").write_text(call + 'resource "aws_sns_topic" "t" {}\n')
    for i in range(24):  # f0 calls f1 twice, f1 calls f2 twice, ...: 2**24 instances if unbounded
        (tmp_path / "fan" / f"f{i}").mkdir(parents=True)
        calls = "".join(f'module "c{k}" {{\n  source = "../f{i + 1}"\n}}\n' for k in range(2)) if i < 23 else ""
        (tmp_path / "fan" / f"f{i}" / "main.tf").write_text(calls + 'resource "aws_sns_topic" "t" {}\n')
    (tmp_path / "count").mkdir()
    (tmp_path / "count" / "main.tf").write_text('resource "aws_sns_topic" "t" {\n  count = 100000000\n}\n')
    code, stderr, stdout = scan(tmp_path, "--select", "FIL0002", "-v")
    assert code == 2
    found = {Path(f).relative_to(tmp_path).as_posix(): r for f, r in errors_by_file(stderr).items()}
    assert found.pop("deep/m31/main.tf") == "line 1: module.next nests modules more than 32 deep"
    [(fan, reason)] = found.items()
    assert fan.startswith("fan/f") and reason.endswith(
        "more than 2000 module instances under one root module; the rest are not expanded"
    )
    assert "aws_sns_topic.t: more than 1000 instances, checked once with unknown keys" in stdout
