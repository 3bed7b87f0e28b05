"""Reports are written piece by piece: a large scan's output is never held whole in memory.

Each format's ``chunks`` must give exactly the bytes of the whole-document rendering
(``json.dumps`` of ``as_dict`` for JSON and SARIF, ElementTree's indented tree for JUnit).
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from fisc_iac_lint import cli
from fisc_iac_lint.api import Options, lint
from fisc_iac_lint.report import FORMATS, RenderOptions, chunks, renderer

ROOT = Path(__file__).resolve().parent.parent
INPUTS = [
    "tests/inputs/formats",
    "tests/inputs/suppress",
    "tests/inputs/bad",
    "fixtures/resolution/terraform/modules",
]


def _reports(tmp_path: Path) -> list:
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        full = lint(INPUTS, Options(jobs=1))
        (tmp_path / "empty").mkdir()
        empty = lint([str(tmp_path / "empty")], Options(jobs=1))
    finally:
        os.chdir(cwd)
    assert (
        full.findings and full.errors and any(f.via for f in full.findings) and any(f.suppressed for f in full.findings)
    )
    baselined = replace(full, baseline_used=True, fixed=[{"file": "a.yaml", "rule_id": "FIL0001", "resource": "B"}])
    baselined.findings = [replace(f, baselined=True) if i % 2 else f for i, f in enumerate(full.findings)]
    return [full, empty, baselined]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list:
    return _reports(tmp_path_factory.mktemp("reports"))


@pytest.mark.parametrize("fmt", ["json", "sarif"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_json_formats_stream_the_bytes_of_json_dumps(reports: list, fmt: str, lang: str) -> None:
    import importlib

    module = importlib.import_module(f"fisc_iac_lint.report.{FORMATS[fmt]}")
    for report in reports:
        whole = json.dumps(module.as_dict(report, lang), ensure_ascii=False, indent=2) + "\n"
        pieces = list(chunks(fmt)(report, RenderOptions(lang=lang)))
        assert "".join(pieces) == whole
        if report.findings:
            assert len(pieces) > len(report.findings)  # a piece per finding at least, not one document


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_junit_streams_the_indented_tree(reports: list, lang: str) -> None:
    header = '<?xml version="1.0" encoding="UTF-8"?>\n'
    for report in reports:
        out = "".join(chunks("junit")(report, RenderOptions(lang=lang)))
        assert out.startswith(header) and out.endswith("\n")
        root = ET.fromstring(out[len(header) :])
        ET.indent(root)
        assert out == header + ET.tostring(root, encoding="unicode") + "\n"
        assert len(root) == len({f.file for f in report.findings}) + (1 if report.errors else 0)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_render_is_the_joined_chunks(reports: list, fmt: str) -> None:
    for report in reports:
        options = RenderOptions(lang="ja", verbose=True)
        assert renderer(fmt)(report, options) == "".join(chunks(fmt)(report, options))


class _Recorder(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, text: str) -> int:
        self.sizes.append(len(text))
        return super().write(text)

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_cli_writes_a_large_report_in_pieces(monkeypatch: pytest.MonkeyPatch, fmt: str, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    out = _Recorder()
    monkeypatch.setattr("sys.stdout", out)
    code = cli.main(["fixtures/policies", "--format", fmt, "--jobs", "1"])
    assert code == 1
    total = sum(out.sizes)
    assert total == len(out.getvalue()) > 100_000
    assert max(out.sizes) < total / 10, "the whole report was built before writing"
    target = tmp_path / f"report.{fmt}"
    assert cli.main(["fixtures/policies", "--format", fmt, "--jobs", "1", "--output", str(target)]) == 1
    assert target.read_text(encoding="utf-8") == out.getvalue()
