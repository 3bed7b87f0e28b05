"""Templates read as they will deploy: findings that exist, or vanish, only because values resolve.

Layout: ``fixtures/resolution/cloudformation/<topic>/<case>`` where a case is one template file or a
directory (a parent stack with its children, a ``cdk.out``). Header comments of the case
(of every file of a directory case) say how to lint it:

    # policies: sns-topic-unencrypted, rds-storage-unencrypted   (only these run: the case stays focused)
    # parameters: UseCMK=false AWS::Region=cn-north-1            (as --parameter)

and, as in the policy fixtures, ``# expect: <policy>[, <policy>...]`` sits on the line of
each finding, optionally followed by ``| text`` that every finding of the line must contain
in its English message. The test asserts the exact set of (policy, file, line) findings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fisc_iac_lint.api import Options, lint
from fisc_iac_lint.discover import display

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "resolution" / "cloudformation"  # Terraform: test_terraform_resolution.py
EXPECT = re.compile(r"#\s*expect:\s*([a-z0-9, -]+?)\s*(?:\|\s*(.+?))?\s*$")
HEADER = re.compile(r"^#\s*(policies|parameters):\s*(.+?)\s*$")


def _cases() -> list[Path]:
    return sorted(case for topic in sorted(FIXTURES.iterdir()) if topic.is_dir() for case in topic.iterdir())


def _files(case: Path) -> list[Path]:
    return [case] if case.is_file() else sorted(p for p in case.rglob("*") if p.is_file())


def _options(case: Path) -> Options:
    policies: set[str] = set()
    parameters: dict[str, str] = {}
    for path in _files(case):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = HEADER.match(line)
            if match and match.group(1) == "policies":
                policies.update(n.strip() for n in match.group(2).split(","))
            elif match:
                parameters.update(pair.split("=", 1) for pair in match.group(2).split())
    assert policies, f"{case}: no '# policies:' header"
    return Options(select=frozenset(policies), cfn_parameters=parameters, jobs=1)


def _expected(case: Path) -> tuple[set[tuple[str, str, int]], dict[tuple[str, str, int], str]]:
    expected, texts = set(), {}
    for path in _files(case):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                for name in match.group(1).split(","):
                    key = (name.strip(), display(str(path)), number)
                    expected.add(key)
                    if match.group(2):
                        texts[key] = match.group(2)
    return expected, texts


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_resolution_case(case: Path) -> None:
    report = lint([str(case)], _options(case))
    assert report.errors == [], report.errors
    actual = {(f.rule_name, f.file, f.line) for f in report.findings}
    expected, texts = _expected(case)
    assert actual == expected, "\n".join(f"{f.file}:{f.line}: {f.rule_name}: {f.message}" for f in report.findings)
    for finding in report.findings:
        text = texts.get((finding.rule_name, finding.file, finding.line))
        assert text is None or text in finding.message, finding.message
