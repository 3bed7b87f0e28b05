"""The cache of parsed inputs: same output as without it, damaged entries rebuilt, --no-cache, a bounded size.

Every test here points the cache at its own temporary directory
(FISC_IAC_LINT_CACHE_DIR); conftest.py does the same for the whole suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fisc_iac_lint import cache
from fisc_iac_lint.api import Options, lint
from fisc_iac_lint.parsers import cloudformation, hcl
from fisc_iac_lint.report import RenderOptions, renderer

ROOT = Path(__file__).resolve().parent.parent
# both formats, a Terraform module of several files, a parse error
INPUTS = [
    str(ROOT / "fixtures" / "policies" / "s3-bucket-versioning-disabled"),
    str(ROOT / "fixtures" / "policies" / "s3-bucket-public-read-prohibited"),
    str(ROOT / "tests" / "inputs" / "bad"),
]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("FISC_IAC_LINT_CACHE_DIR", str(folder))
    monkeypatch.delenv("FISC_IAC_LINT_NO_CACHE", raising=False)
    return folder


def _json(use_cache: bool = True) -> str:
    report = lint(INPUTS, Options(jobs=1, cache=use_cache))
    assert report.findings and report.errors  # the inputs do exercise findings and errors
    return renderer("json")(report, RenderOptions())


def _entries(folder: Path) -> list[Path]:
    return sorted((folder / "parsed").glob("*.pickle")) if (folder / "parsed").is_dir() else []


def test_a_cache_hit_gives_the_same_output_as_no_cache(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uncached = _json(use_cache=False)
    assert _entries(cache_dir) == []
    assert _json() == uncached  # cold: parses and fills the cache
    assert len(_entries(cache_dir)) >= 4
    parsed_again = []

    def counting(parse):
        def wrapper(*args):
            result = parse(*args)  # inputs that do not parse are not cached: they raise here again
            parsed_again.append(args[0][:40])
            return result

        return wrapper

    monkeypatch.setattr(hcl, "parse", counting(hcl.parse))
    monkeypatch.setattr(cloudformation, "load_document", counting(cloudformation.load_document))
    assert _json() == uncached  # warm
    assert parsed_again == []  # nothing that parsed was parsed again


def test_a_damaged_entry_is_rebuilt_silently(cache_dir: Path) -> None:
    expected = _json()
    entries = _entries(cache_dir)
    for number, entry in enumerate(entries):
        damage = [b"", b"garbage", entry.read_bytes()[:-7], b"\x80\x05N."][number % 4]
        entry.write_bytes(damage)
    assert _json() == expected
    assert _entries(cache_dir) == entries
    assert all(cache.Store(cache_dir / "parsed").get(e.stem) is not cache.MISSING for e in entries)


def test_a_cache_directory_that_cannot_be_written_is_no_error(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("FISC_IAC_LINT_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.delenv("FISC_IAC_LINT_NO_CACHE", raising=False)
    report = lint(INPUTS, Options(jobs=1))
    assert not [e for e in report.errors if "cache" in e.message]


def test_no_cache_flag_and_config_key_write_no_entry(cache_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "fisc_iac_lint"]
    result = subprocess.run([*command, *INPUTS, "--no-cache"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert _entries(cache_dir) == []
    project = tmp_path / "project"
    project.mkdir()
    (project / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    (project / ".fisc-iac-lint.yaml").write_text("cache: false\n")
    result = subprocess.run([*command, "main.tf"], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert _entries(cache_dir) == []
    (project / ".fisc-iac-lint.yaml").write_text("cache: true\n")
    result = subprocess.run([*command, "main.tf"], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert len(_entries(cache_dir)) == 1


def test_concurrent_runs_agree_and_leave_whole_entries(cache_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "fisc_iac_lint", *INPUTS, "--format", "json", "--jobs", "1"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outputs = {run.communicate(timeout=120)[0] for run in runs}
    assert len(outputs) == 1
    entries = _entries(cache_dir)
    assert entries and not list((cache_dir / "parsed").glob("*.tmp"))
    assert all(cache.Store(cache_dir / "parsed").get(e.stem) is not cache.MISSING for e in entries)


def test_the_key_changes_with_the_tool_version_and_the_content(monkeypatch: pytest.MonkeyPatch) -> None:
    import fisc_iac_lint

    first = cache.key("hcl", "a = 1\n")
    assert cache.key("hcl", "a = 1\n") == first
    assert cache.key("hcl", "a = 2\n") != first
    assert cache.key("cfn-yaml", "a = 1\n") != first
    cache._salt.cache_clear()
    monkeypatch.setattr(fisc_iac_lint, "__version__", "0.0.0-test")
    try:
        assert cache.key("hcl", "a = 1\n") != first
    finally:
        cache._salt.cache_clear()


def test_the_size_is_bounded_and_the_least_recently_used_go_first(tmp_path: Path) -> None:
    store = cache.Store(tmp_path, limit=40_000)
    payload = "x" * 3_000
    (tmp_path / "left-by-a-killed-run.pickle.1.tmp").write_bytes(b"x")
    os.utime(tmp_path / "left-by-a-killed-run.pickle.1.tmp", (1_000_000, 1_000_000))
    (tmp_path / "being-written.pickle.2.tmp").write_bytes(b"x")
    for number in range(40):
        store.put(f"k{number:02d}", payload)
        os.utime(tmp_path / f"k{number:02d}.pickle", (1_000_000 + number, 1_000_000 + number))
        if number == 5:
            assert store.get("k00") == payload  # a hit counts as a use
            os.utime(tmp_path / "k00.pickle", (2_000_000, 2_000_000))
    total = sum(p.stat().st_size for p in tmp_path.glob("*.pickle"))
    assert total <= 40_000
    assert store.get("k39") == payload and store.get("k00") == payload
    assert store.get("k01") is cache.MISSING
    assert [p.name for p in tmp_path.glob("*.tmp")] == ["being-written.pickle.2.tmp"]
