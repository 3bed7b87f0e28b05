"""Every policy fixture, run through the whole pipeline with every bundled policy.

Layout: ``fixtures/policies/<policy-name>/<cfn|tf>/<case>`` where a CloudFormation
case is one template file and a Terraform case is one module directory. A case
whose name starts with ``fail`` must yield at least one finding, one starting
with ``pass`` none. Expectations sit next to what they are about: a comment
``# expect: <policy-name>[, <policy-name>...]`` on the line where the finding
must be reported. The test asserts the exact set of (policy, file, line, resource)
findings: every policy runs on every fixture, so a false positive of another
policy fails here too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fisc_iac_lint.api import lint
from fisc_iac_lint.discover import display
from fisc_iac_lint.policies import load_policies

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "policies"
EXPECT = re.compile(r"#\s*expect:\s*([a-z0-9, -]+?)\s*(?:\(([^)]*)\))?\s*$")
FORMAT_DIRS = {"cloudformation": "cfn", "terraform": "tf"}


def _cases() -> list[Path]:
    cases = []
    for policy_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for fmt in ("cfn", "tf"):
            base = policy_dir / fmt
            if base.is_dir():
                cases.extend(sorted(base.iterdir()))
    return cases


def _expected(case: Path) -> set[tuple[str, str, int]]:
    files = [case] if case.is_file() else sorted(case.rglob("*"))
    out = set()
    for path in files:
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                for name in match.group(1).split(","):
                    out.add((name.strip(), display(str(path)), number))
    return out


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_fixture(case: Path) -> None:
    report = lint([str(case)])
    assert report.errors == [], report.errors
    actual = {(f.rule_name, f.file, f.line) for f in report.findings}
    expected = _expected(case)
    assert actual == expected, "\n".join(f.message for f in report.findings)
    if case.name.startswith("fail"):
        assert expected, f"{case} is a failing fixture without an '# expect:' annotation"
    elif case.name.startswith("pass"):
        assert not expected, f"{case} is a passing fixture with findings expected"
    else:
        pytest.fail(f"{case}: a case name starts with 'fail' or 'pass'")


def test_every_policy_has_failing_and_passing_fixtures_for_each_format() -> None:
    policy_set = load_policies()
    assert policy_set.errors == []
    missing = []
    for policy in policy_set.policies:
        for fmt in policy.formats():
            base = FIXTURES / policy.name / FORMAT_DIRS[fmt]
            names = [p.name for p in base.iterdir()] if base.is_dir() else []
            for kind in ("fail", "pass"):
                if not any(n.startswith(kind) for n in names):
                    missing.append(f"{policy.name}: no {kind} fixture for {fmt} in {base}")
    assert missing == []


def test_fixture_directories_name_existing_policies() -> None:
    names = {p.name for p in load_policies().policies}
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in names) == []
