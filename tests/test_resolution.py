"""Templates read as they will deploy: SAM, nested stacks and CDK output, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from fisc_iac_lint.api import Options, lint

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "fisc_iac_lint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


SAM_FUNCTION = """
    Transform: [AWS::Serverless-2016-10-31]
    Resources:
      Worker:
        Type: AWS::Serverless::Function
        Properties: {CodeUri: ./src, Handler: app.handler, Runtime: python3.12}
    """


def test_sam_transform_as_a_list_is_expanded(tmp_path: Path) -> None:
    template = write(tmp_path / "sam.yaml", SAM_FUNCTION)
    report = lint([str(template)], Options(select=frozenset({"lambda-function-outside-vpc"}), jobs=1))
    assert report.errors == []
    assert [(f.resource_name, f.resource_type, f.line) for f in report.findings] == [
        ("Worker", "AWS::Lambda::Function", 4)
    ]


def test_a_sam_application_from_the_repository_needs_no_network(tmp_path: Path) -> None:
    template = write(
        tmp_path / "app.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Rotator:
            Type: AWS::Serverless::Application
            Properties:
              Location: {ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/x, SemanticVersion: 1.0.0}
          Local:
            Type: AWS::Serverless::Application
            Properties: {Location: child.yaml}
        """,
    )
    write(tmp_path / "child.yaml", "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AWS_EC2_METADATA_DISABLED": "true",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    env.pop("AWS_REGION", None)
    probe = (
        "import json, sys; from fisc_iac_lint.api import lint, Options\n"
        f"r = lint([{str(template)!r}], Options(select=frozenset({{'sns-topic-unencrypted'}}), jobs=1))\n"
        "print(json.dumps([[e.message for e in r.errors], [f.resource_name for f in r.findings]]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    # the repository's application is a remote template (not linted); the local one is a nested stack
    assert json.loads(out.stdout) == [[], ["Local/Topic"]], out.stderr
    assert out.stderr == ""  # the translator's log stays out of the output


def test_a_sam_error_is_one_line_and_the_scan_goes_on(tmp_path: Path) -> None:
    write(
        tmp_path / "bad.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Worker:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: ./src
              Handler: app.handler
              Runtime: python3.12
              Events:
                Tick: {Type: NoSuchEvent}
        """,
    )
    write(tmp_path / "good.yaml", SAM_FUNCTION)
    result = run(str(tmp_path), "--select", "lambda-function-outside-vpc")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"fisc-iac-lint: error: {tmp_path / 'bad.yaml'}: SAM transform failed:"
    )
    assert "Traceback" not in result.stderr and "Worker" in lines[0]
    assert "good.yaml" in result.stdout


def test_a_template_without_the_transform_does_not_import_the_translator() -> None:
    probe = (
        "import sys; from fisc_iac_lint.api import lint, Options\n"
        "lint(['fixtures/resolution/cloudformation/pseudo-parameters'], Options(jobs=1))\n"
        "print('samtranslator' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


def test_a_nested_stack_is_linted_with_the_parameters_its_parent_passes(tmp_path: Path) -> None:
    write(
        tmp_path / "parent.yaml",
        """
        Parameters:
          KeyArn: {Type: String}
        Resources:
          Topics:
            Type: AWS::CloudFormation::Stack
            Properties:
              TemplateURL: ./nested/topics.yaml
              Parameters: {Key: !Ref KeyArn, Other: alias/aws/sns}
          Loop:
            Type: AWS::CloudFormation::Stack
            Properties: {TemplateURL: parent.yaml}
          Missing:
            Type: AWS::CloudFormation::Stack
            Properties: {TemplateURL: gone.yaml}
        """,
    )
    write(
        tmp_path / "nested" / "topics.yaml",
        """
        Parameters:
          Key: {Type: String, Default: ""}
          Other: {Type: String, Default: ""}
        Resources:
          Unknown:
            Type: AWS::SNS::Topic
            Properties: {KmsMasterKeyId: !Ref Key}
          Known:
            Type: AWS::SNS::Topic
            Properties: {KmsMasterKeyId: !Ref Other}
        """,
    )
    report = lint([str(tmp_path / "parent.yaml")], Options(select=frozenset({"sns-topic-unencrypted"}), jobs=1))
    # the parent's parameter without a value is unknown in the child, not the child's Default
    assert [(u.resource_name, u.file) for u in report.unknowns] == [
        ("Topics/Unknown", str(tmp_path / "nested" / "topics.yaml"))
    ]
    assert report.findings == []
    assert [e.message for e in report.errors] == [
        "line 12: nested stack Loop (" + str(tmp_path / "parent.yaml") + ") includes itself: not linted again",
        "line 15: nested stack Missing (" + str(tmp_path / "gone.yaml") + "): cannot read: No such file or directory",
    ]
    # linted on its own, the child takes its Defaults
    alone = lint([str(tmp_path / "nested")], Options(select=frozenset({"sns-topic-unencrypted"}), jobs=1))
    assert [f.resource_name for f in alone.findings] == ["Unknown", "Known"]


def test_cdk_findings_name_the_construct_and_the_source_line_of_the_trace() -> None:
    report = lint(["tests/inputs/cdk-source/cdk.out"], Options(select=frozenset({"FIL0002", "FIL0409"}), jobs=1))
    assert report.errors == []
    assert [(f.resource_name, f.construct, f.source) for f in report.findings] == [
        ("Uploads5A1B2C3D", "AppStack/Uploads/Resource", "/home/dev/app/lib/app-stack.ts:14"),
        ("AuditTopic9F8E7D6C", "AppStack/Audit/Topic/Resource", None),
        ("LegacyTopic", None, None),
    ]


def test_a_suppression_on_a_sam_resource_covers_what_it_generates(tmp_path: Path) -> None:
    template = write(
        tmp_path / "sam.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Worker:
            Type: AWS::Serverless::Function
            Metadata:
              fisc-iac-lint:
                suppress:
                  - id: iam-permissions-boundary-missing
                    reason: The pipeline's role creates no users
                  - id: lambda-function-outside-vpc
                    reason: Calls only public AWS endpoints
                  - id: sns-topic-unencrypted
                    reason: Nothing to suppress here
            Properties: {CodeUri: ./src, Handler: app.handler, Runtime: python3.12}
        """,
    )
    chosen = {"iam-permissions-boundary-missing", "lambda-function-outside-vpc", "sns-topic-unencrypted"}
    report = lint([str(template)], Options(select=frozenset(chosen), jobs=1))
    assert sorted((f.resource_name, f.line, f.suppressed is not None) for f in report.findings) == [
        ("Worker", 4, True),
        ("WorkerRole", 4, True),
    ]
    # written once, reported once
    assert [w.message for w in report.warnings] == [
        "line 13: suppression of sns-topic-unencrypted on Worker matches no finding: remove it"
    ]


def test_sam_with_language_extensions_keeps_what_it_cannot_expand_aside(tmp_path: Path) -> None:
    template = write(
        tmp_path / "sam.yaml",
        """
        Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
        Resources:
          Fn::ForEach::Topics:
            - Name
            - [a, b]
            - Topic${Name}:
                Type: AWS::SNS::Topic
          Worker:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: ./src, Handler: app.handler, Runtime: python3.12}
          Plain:
            Type: AWS::SNS::Topic
        """,
    )
    chosen = frozenset({"sns-topic-unencrypted", "lambda-function-outside-vpc"})
    report = lint([str(template)], Options(select=chosen, jobs=1))
    assert report.errors == []
    assert sorted((f.resource_name, f.line) for f in report.findings) == [("Plain", 12), ("Worker", 9)]
    assert [reason for _, reason in report.skipped] == ["Fn::ForEach::Topics is not expanded yet"]
