"""--lang ja: every finding's title, message and remediation, and the report itself, in Japanese."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from fisc_iac_lint.api import lint
from fisc_iac_lint.report import RenderOptions, renderer

ROOT = Path(__file__).resolve().parent.parent
# English that would betray an untranslated message; identifiers, values and names are not English prose
ENGLISH = re.compile(r"\b(is|are|the|not|no|expected|allows|unknown|found|missing|with|without|and|of|to)\b")
CODE = re.compile(r"'[^']*'|\"[^\"]*\"|\S*[._:/*${}=<>()\[\]0-9-]\S*|[A-Z][A-Za-z]+")


def _prose(text: str) -> str:
    return CODE.sub(" ", text)


def test_no_english_is_left_in_japanese_messages() -> None:
    report = lint([str(ROOT / "fixtures" / "policies")])
    assert len(report.findings) > 500
    leaks = []
    for finding in report.findings:
        text = finding.text("ja")
        for field in ("title", "message", "remediation"):
            if ENGLISH.search(_prose(text[field])):
                leaks.append(f"{finding.rule_name} {field}: {text[field]}")
    assert leaks == []


def test_the_text_report_speaks_japanese() -> None:
    report = lint([str(ROOT / "tests" / "inputs" / "formats")])
    out = renderer("text")(report, RenderOptions(lang="ja", verbose=True))
    assert "修正: " in out and "fix:" not in out
    assert out.rstrip().splitlines()[-1].startswith("検出 ")
    markdown = renderer("markdown")(report, RenderOptions(lang="ja"))
    assert "| 重大度 | 件数 |" in markdown


def test_language_from_flag_configuration_and_locale(tmp_path: Path) -> None:
    template = ROOT / "tests" / "inputs" / "mixed" / "bucket.yaml"
    base = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "LC_ALL": "", "LC_MESSAGES": ""}

    def message(*args: str, env: dict) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "fisc_iac_lint", str(template), "--select", "FIL0002", "--format", "json", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout)["findings"][0]["message"]

    english = "S3 bucket versioning is not enabled: VersioningConfiguration.Status is not set"
    japanese = "S3 バケットのバージョニングが有効になっていません: VersioningConfiguration.Status が設定されていません"
    assert message(env={**base, "LANG": "C.UTF-8"}) == english
    assert message(env={**base, "LANG": "ja_JP.UTF-8"}) == japanese
    assert message("--lang", "en", env={**base, "LANG": "ja_JP.UTF-8"}) == english
    (tmp_path / ".fisc-iac-lint.yaml").write_text("lang: ja\n", encoding="utf-8")
    config = ["--config", str(tmp_path / ".fisc-iac-lint.yaml")]
    assert message(*config, env={**base, "LANG": "C.UTF-8"}) == japanese
