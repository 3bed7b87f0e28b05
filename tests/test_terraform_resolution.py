"""Terraform read as it will deploy: variables from every source, count and for_each instances,
dynamic blocks and for expressions, local and installed modules.

Each case under ``fixtures/resolution/terraform`` annotates the findings it must give with
``# expect: <policy> @ <address>[; <policy> @ <address>...]`` on the line they are reported at.
Only the policies named in a case's annotations run (``--select``), and the test asserts the
exact set of (policy, address, file, line): a finding that exists only because of resolution
is annotated; one that disappears because of it is an instance without an annotation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fisc_iac_lint.api import Options, lint
from fisc_iac_lint.discover import display

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "fixtures" / "resolution" / "terraform"
EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*$")


def expected(case: Path) -> set[tuple[str, str, str, int]]:
    out = set()
    for path in sorted(p for p in case.rglob("*") if p.is_file()):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                for item in match.group(1).split(";"):
                    policy, _, address = item.partition("@")
                    out.add((policy.strip(), address.strip(), display(str(path.relative_to(ROOT))), number))
    return out


def findings(case: Path, **options) -> tuple[set[tuple[str, str, str, int]], object]:
    select = frozenset(policy for policy, *_ in expected(case))
    report = lint([display(str(case.relative_to(ROOT)))], Options(select=select, jobs=1, **options))
    return {(f.rule_name, f.resource_name, f.file, f.line) for f in report.findings}, report


@pytest.fixture(autouse=True)
def _from_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_tfvars_files_in_terraform_order() -> None:
    actual, report = findings(CASES / "tfvars")
    assert actual == expected(CASES / "tfvars")
    assert report.errors == []
    undecided = {u.resource_name for u in report.unknowns}
    assert undecided == {"aws_db_instance.cli"}  # no default and nothing given: neither pass nor fail


def test_environment_then_var_file_then_var() -> None:
    case = CASES / "tfvars"
    base = expected(case)
    where = "fixtures/resolution/terraform/tfvars/main.tf"
    # TF_VAR_ gives the variable without a default a value; a terraform.tfvars entry would win over it
    actual, _ = findings(case, tf_environ=(("cli_encrypted", "false"),))
    assert actual == base | {("rds-storage-unencrypted", "aws_db_instance.cli", where, 51)}
    # --var-file over terraform.tfvars and the auto files; --var over --var-file
    actual, _ = findings(
        case,
        tf_environ=(("cli_encrypted", "false"),),
        tf_var_files=("fixtures/resolution/terraform/tfvars/prod.tfvars.example",),
        tf_vars=(("cli_encrypted", "true"), ("audit_encrypted", "true")),
    )
    assert actual == {
        ("rds-storage-unencrypted", "aws_db_instance.ledger", where, 33),
        ("rds-storage-unencrypted", "aws_db_instance.settings", where, 57),
    }


def test_a_var_for_a_complex_type_is_read_as_hcl() -> None:
    actual, report = findings(CASES / "tfvars", tf_vars=(("settings", "{ encrypted = false }"),))
    assert ("rds-storage-unencrypted", "aws_db_instance.settings") in {a[:2] for a in actual}
    actual, report = findings(CASES / "tfvars", tf_vars=(("settings", "{ encrypted = "),))
    assert "aws_db_instance.settings" in {u.resource_name for u in report.unknowns}


def test_an_unreadable_var_file_is_one_error_and_the_scan_goes_on() -> None:
    actual, report = findings(CASES / "tfvars", tf_var_files=("fixtures/resolution/terraform/missing.tfvars",))
    assert [(e.file, e.message) for e in report.errors] == [
        ("fixtures/resolution/terraform/missing.tfvars", "cannot read: No such file or directory")
    ]
    assert actual == expected(CASES / "tfvars")


def test_count_and_for_each_instances() -> None:
    actual, report = findings(CASES / "count-for-each")
    assert actual == expected(CASES / "count-for-each")
    assert any("aws_db_instance.disabled: count or for_each makes no instance" in why for _, why in report.skipped)


def test_dynamic_blocks_and_for_expressions() -> None:
    actual, _ = findings(CASES / "dynamic-for")
    assert actual == expected(CASES / "dynamic-for")


def test_a_local_module_called_twice_reports_exactly_the_bad_instance() -> None:
    case = CASES / "modules"
    actual, report = findings(case)
    assert actual == expected(case)
    scratch = next(f for f in report.findings if f.resource_name == "module.scratch.aws_db_instance.this")
    assert [(s.file, s.line, s.module) for s in scratch.via] == [
        ("fixtures/resolution/terraform/modules/main.tf", 11, "module.scratch")
    ]
    nested = next(f for f in report.findings if f.resource_name.startswith("module.prod."))
    assert [(s.line, s.module) for s in nested.via] == [(17, "module.prod"), (5, "module.prod.module.db")]
    assert [(w.file, w.message) for w in report.warnings] == [
        (
            "fixtures/resolution/terraform/modules/main.tf",
            "line 35: module.vpc: source 'terraform-aws-modules/vpc/aws' is not downloaded "
            "(run terraform init to check its resources)",
        )
    ]
    # the called modules are checked through their callers, not again on their own
    base = "fixtures/resolution/terraform/modules"
    assert {(p, why) for p, why in report.skipped if why.startswith("checked as")} == {
        (f"{base}/modules/db", f"checked as a module called from {base}"),
        (f"{base}/modules/stack", f"checked as a module called from {base}"),
    }
    assert len({f.id for f in report.findings}) == len(report.findings)


def test_a_called_module_scanned_alone_is_checked_with_its_defaults() -> None:
    report = lint(["fixtures/resolution/terraform/modules/modules/db"], Options(select=frozenset({"FIL0004"})))
    assert report.findings == []
    assert {u.resource_name for u in report.unknowns} == {"aws_db_instance.this"}  # var.encrypted has no default


def test_strict_turns_an_undecided_setting_into_a_finding() -> None:
    actual, report = findings(CASES / "tfvars", strict=True)
    where = "fixtures/resolution/terraform/tfvars/main.tf"
    assert actual == expected(CASES / "tfvars") | {("rds-storage-unencrypted", "aws_db_instance.cli", where, 51)}
    strict = next(f for f in report.findings if f.resource_name == "aws_db_instance.cli")
    assert "cannot be resolved from the repository (--strict): storage_encrypted is unknown: var.cli_encrypted" in (
        strict.message
    )
    assert report.unknowns == []


def test_command_line_and_environment(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "TF_VAR_cli_encrypted": "false"}
    args = [sys.executable, "-m", "fisc_iac_lint", "fixtures/resolution/terraform/tfvars", "--select", "FIL0004"]
    run = subprocess.run([*args, "--format", "json"], cwd=ROOT, env=env, capture_output=True, text=True)
    import json

    names = {f["resource"]["name"] for f in json.loads(run.stdout)["findings"]}
    assert names == {"aws_db_instance.ledger", "aws_db_instance.audit", "aws_db_instance.cli"}
    run = subprocess.run(
        [
            *args,
            "--var",
            "cli_encrypted=true",
            "--var-file",
            "fixtures/resolution/terraform/tfvars/prod.tfvars.example",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and "aws_db_instance.settings" in run.stdout and "aws_db_instance.cli" not in run.stdout
    run = subprocess.run([*args, "--var", "novalue"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 2 and "'novalue': expected NAME=VALUE" in run.stderr and "Traceback" not in run.stderr


def test_call_sites_in_sarif_json_and_text() -> None:
    import json

    import jsonschema

    from fisc_iac_lint.report import RenderOptions, renderer

    _, report = findings(CASES / "modules")
    sarif = json.loads(renderer("sarif")(report, RenderOptions(color=False, verbose=False, lang="en")))
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    nested = next(r for r in sarif["runs"][0]["results"] if "module.prod.module.db" in r["message"]["text"])
    assert [
        (loc["physicalLocation"]["region"]["startLine"], loc["message"]["text"]) for loc in nested["relatedLocations"]
    ] == [
        (17, "module.prod is called here"),
        (5, "module.prod.module.db is called here"),
    ]
    data = json.loads(renderer("json")(report, RenderOptions(color=False, verbose=False, lang="en")))
    scratch = next(f for f in data["findings"] if f["resource"]["name"] == "module.scratch.aws_db_instance.this")
    assert scratch["via"] == [
        {"file": "fixtures/resolution/terraform/modules/main.tf", "line": 11, "module": "module.scratch"}
    ]
    text = renderer("text")(report, RenderOptions(color=False, verbose=False, lang="ja"))
    assert "呼び出し元: fixtures/resolution/terraform/modules/main.tf:17 (module.prod) > " in text


def test_a_plan_gives_the_same_findings_as_its_configuration(tmp_path: Path) -> None:
    import shutil

    case = CASES / "plan"
    select = frozenset(policy for policy, *_ in expected(case))
    from_source = lint([display(str(case.relative_to(ROOT)))], Options(select=select, exclude=("*.json",)))
    from_plan = lint([display(str((case / "plan.json").relative_to(ROOT)))], Options(select=select))
    as_set = lambda report: {(f.rule_name, f.resource_name, f.file, f.line) for f in report.findings}  # noqa: E731
    assert as_set(from_plan) == as_set(from_source) == expected(case)
    assert from_plan.errors == from_plan.unknowns == []
    # both in one scan: each finding once
    both = lint([display(str(case.relative_to(ROOT)))], Options(select=select))
    assert as_set(both) == expected(case) and len(both.findings) == len(expected(case))
    # without the configuration beside it, the plan points at its own lines
    shutil.copy(case / "plan.json", tmp_path / "plan.json")
    alone = lint([str(tmp_path / "plan.json")], Options(select=select))
    assert {(f.rule_name, f.resource_name) for f in alone.findings} == {a[:2] for a in expected(case)}
    assert {f.file for f in alone.findings} == {display(str(tmp_path / "plan.json"))}
    assert all(f.line > 1 for f in alone.findings)


def test_a_plan_that_is_not_valid_json_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text('{"format_version": "1.2", "planned_values": {', encoding="utf-8")
    report = lint([str(tmp_path)], Options())
    assert len(report.errors) == 1 and report.errors[0].file.endswith("plan.json")


def test_file_reads_a_document_beside_the_module() -> None:
    actual, report = findings(CASES / "file-function")
    assert actual == expected(CASES / "file-function")
    assert {u.resource_name for u in report.unknowns} == {"aws_s3_bucket.missing"}
