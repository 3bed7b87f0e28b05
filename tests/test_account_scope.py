"""Account-scope policies: opt-in, and compliant when one conforming resource exists anywhere in the scan."""

from __future__ import annotations

from pathlib import Path

from fisc_iac_lint.api import ACCOUNT_BASELINE, Options, lint

POLICY = """\
id: FIL9001
name: test-trail-missing
config_rule: cloudtrail-enabled
severity: high
scope: account
title: {en: No trail, ja: 証跡がありません}
description: {en: d, ja: 説明}
rationale: {en: r, ja: 理由}
remediation: {en: m, ja: 対処}
checks:
  cloudformation:
    - resource_types: [AWS::CloudTrail::Trail]
      require: {equals: {path: IsLogging, value: true}}
  terraform:
    - resource_types: [aws_cloudtrail]
      require: {equals: {path: enable_logging, value: true, default: true}}
"""


def _setup(tmp_path: Path, cfn: str | None, tf: str | None) -> tuple[Path, Options]:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "test-trail-missing.yaml").write_text(POLICY, encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "tf").mkdir(parents=True)
    if cfn is not None:
        (repo / "app.yaml").write_text(cfn, encoding="utf-8")
    if tf is not None:
        (repo / "tf" / "main.tf").write_text(tf, encoding="utf-8")
    return repo, Options(policy_dirs=[policies], profiles=frozenset({ACCOUNT_BASELINE}))


TOPIC = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
TRAIL_OFF = "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: false\n"


def _mine(report) -> list[tuple[str, str, int]]:
    return [(f.resource_name, Path(f.file).name, f.line) for f in report.findings if f.rule_id == "FIL9001"]


def test_not_run_without_the_profile(tmp_path: Path) -> None:
    repo, options = _setup(tmp_path, TOPIC, None)
    report = lint([str(repo)], Options(policy_dirs=options.policy_dirs))
    assert _mine(report) == []


def test_nothing_defined_is_one_finding_for_the_scan(tmp_path: Path) -> None:
    repo, options = _setup(tmp_path, TOPIC, None)
    assert _mine(lint([str(repo)], options)) == [("account", "repo", 0)]


def test_one_conforming_resource_in_another_format_satisfies_the_account(tmp_path: Path) -> None:
    repo, options = _setup(tmp_path, TRAIL_OFF, 'resource "aws_cloudtrail" "t" {\n  name = "x"\n}\n')
    assert _mine(lint([str(repo)], options)) == []


def test_defined_but_none_conforming_reports_each(tmp_path: Path) -> None:
    repo, options = _setup(tmp_path, TRAIL_OFF, None)
    assert _mine(lint([str(repo)], options)) == [("Trail", "app.yaml", 5)]


# a policy with only a Terraform check, as for a resource CloudFormation cannot define
TF_ONLY = POLICY.split("checks:")[0].replace("FIL9001", "FIL9002").replace("test-trail-missing", "test-tf-only") + (
    "checks:\n  terraform:\n    - resource_types: [aws_iam_account_password_policy]\n"
    "      require: {exists: minimum_password_length}\n"
)


def test_a_scan_without_the_only_format_that_can_define_it_is_unknown(tmp_path: Path) -> None:
    repo, options = _setup(tmp_path, TOPIC, None)
    (tmp_path / "policies" / "test-tf-only.yaml").write_text(TF_ONLY, encoding="utf-8")
    report = lint([str(repo)], options)
    assert [f for f in report.findings if f.rule_id == "FIL9002"] == []
    assert [(u.resource_name, u.line) for u in report.unknowns if u.rule_id == "FIL9002"] == [("account", 0)]
    # with any Terraform in the scan, nothing defined is a finding again
    (repo / "tf" / "main.tf").write_text('resource "aws_sns_topic" "t" {\n  name = "x"\n}\n', encoding="utf-8")
    report = lint([str(repo)], options)
    assert [(f.resource_name, f.line) for f in report.findings if f.rule_id == "FIL9002"] == [("account", 0)]
