"""Every policy fixture, run through the whole pipeline with every bundled policy.

Layout: ``fixtures/policies/<policy-name>/<cfn|tf>/<case>`` where a CloudFormation
case is one template file and a Terraform case is one module directory. A case
whose name starts with ``fail`` must yield at least one finding of its own policy,
one starting with ``pass`` none of it. Expectations sit next to what they are
about: a comment ``# expect: <policy-name>[, <policy-name>...]`` on the line where
the finding must be reported.

The test asserts the exact set of (policy, file, line) findings of *every* policy:
a false positive of another policy fails here too. Findings of other policies on a
fixture are true findings about it (a bucket written for the versioning policy has
no access logging either); they are annotated like the others. Adding a policy
therefore changes other fixtures' annotations: run with ``FIXTURES_BLESS=1`` to
rewrite them, then read the diff. Blessing never touches the annotations of a
fixture's own policy: those are written by hand, before the policy.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from fisc_iac_lint.api import ACCOUNT_BASELINE, Options, lint
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
                # "(account)": an account rule with nothing to point at reports the scanned path, line 0
                where = (display(str(case)), 0) if match.group(2) == "account" else (display(str(path)), number)
                for name in match.group(1).split(","):
                    out.add((name.strip(), *where))
    return out


CASES = _cases()
POLICIES = load_policies().policies


def _bless(case: Path, own: str, actual: set[tuple[str, str, int]]) -> None:
    """Rewrite the annotations of other policies to what they report; keep the own policy's."""
    files = [case] if case.is_file() else sorted(p for p in case.rglob("*") if p.is_file())
    for path in files:
        lines = path.read_text(encoding="utf-8").split("\n")
        for index, line in enumerate(lines):
            number = index + 1
            match = EXPECT.search(line)
            mine = [n.strip() for n in match.group(1).split(",") if n.strip() == own] if match else []
            others = sorted(n for n, f, l in actual if f == display(str(path)) and l == number and n != own)
            names = mine + others
            code = line[: match.start()].rstrip() if match else line.rstrip()
            if match and match.group(2):  # "(account)" annotations are written by hand
                continue
            if names:
                lines[index] = f"{code}  # expect: {', '.join(names)}"
            elif match:
                lines[index] = code
        path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_fixture(case: Path) -> None:
    own = case.relative_to(FIXTURES).parts[0]
    # Account rules run only in the account-baseline profile, so only on their own fixtures,
    # where the other account rules are left out (they would only say "not defined here").
    account = {p.name for p in POLICIES if p.scope == "account"}
    report = lint([str(case)], Options(profiles=frozenset({ACCOUNT_BASELINE}) if own in account else frozenset()))
    assert report.errors == [], report.errors
    actual = {
        (f.rule_name, f.file, f.line) for f in report.findings if f.rule_name == own or f.rule_name not in account
    }
    if os.environ.get("FIXTURES_BLESS"):
        _bless(case, own, actual)
    expected = _expected(case)
    assert actual == expected, "\n".join(f"{f.line}: {f.rule_name}: {f.message}" for f in report.findings)
    own_expected = {e for e in expected if e[0] == own}
    if case.name.startswith("fail"):
        assert own_expected, f"{case} is a failing fixture without an '# expect: {own}' annotation"
    elif case.name.startswith("pass"):
        assert not own_expected, f"{case} is a passing fixture with findings of {own} expected"
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
