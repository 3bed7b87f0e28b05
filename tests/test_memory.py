"""What a large scan keeps: findings compact, and their repeated texts held once.

(The memory itself is measured by bench/memory.py, not here.)
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from fisc_iac_lint.api import Options, lint

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "tests" / "inputs" / "formats" / "app.yaml"


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("copies")
    for n in range(20):  # more units than the parallel threshold
        (root / f"c{n:02}").mkdir()
        shutil.copy(TEMPLATE, root / f"c{n:02}" / "app.yaml")
    return root


def _distinct(values: list[object]) -> int:
    return len({id(v) for v in values})


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("frameworks", [frozenset(), frozenset({"fisc"})])
def test_findings_share_their_repeated_texts(copies: Path, jobs: int, frameworks: frozenset) -> None:
    findings = lint([str(copies)], Options(jobs=jobs, frameworks=frameworks)).findings
    by_rule: dict[str, list] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id + f.resource_name, []).append(f)
    assert len(by_rule) > 3 and all(len(same) == 20 for same in by_rule.values())
    for same in by_rule.values():
        names = ("message", "message_ja", "rule_name", "resource_type", "resource_name", "severity", "format")
        for name in (*names, "title", "remediation", "controls"):
            assert _distinct([getattr(f, name) for f in same]) == 1, name
        assert _distinct([f.id for f in same]) == 20
    assert _distinct([f.file for f in findings]) == 20


def test_a_finding_has_no_instance_dict_and_survives_pickling(copies: Path) -> None:
    findings = lint([str(copies)], Options(jobs=1)).findings
    assert not hasattr(findings[0], "__dict__")
    again = pickle.loads(pickle.dumps(findings[:1])) + pickle.loads(pickle.dumps(findings[1:]))
    assert again == findings
    assert (
        _distinct(
            [
                f.message
                for f in again
                if f.rule_id == findings[0].rule_id and f.resource_name == findings[0].resource_name
            ]
        )
        == 1
    )


def test_workers_send_their_results_in_bounded_chunks() -> None:
    from fisc_iac_lint.api import MAX_CHUNK, _chunk_size

    assert _chunk_size(20, 2) == 1
    assert _chunk_size(1000, 2) == 1000 // 16  # eight chunks per worker at least, for balance
    assert _chunk_size(100_000, 2) == _chunk_size(10_000_000, 2) == MAX_CHUNK  # not a sixteenth of the corpus


def _report_freeze_count(unit):  # runs in a worker, in place of api._work
    import gc

    from fisc_iac_lint.model import ParseError, Report

    report = Report()
    report.errors.append(ParseError(unit.path, str(gc.get_freeze_count())))
    return report, [], set()


def test_workers_start_with_the_parents_objects_frozen(copies: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """gc.freeze() before forking: a worker's collections do not write to (and so copy) the pages
    it shares with the parent; the parent unfreezes afterwards."""
    import gc

    from fisc_iac_lint import api

    monkeypatch.setattr(api, "_work", _report_freeze_count)
    report = lint([str(copies)], Options(jobs=2))
    counts = [int(e.message) for e in report.errors]
    assert len(counts) == 20 and min(counts) > 1000
    assert gc.get_freeze_count() == 0
