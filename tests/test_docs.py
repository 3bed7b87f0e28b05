"""Docs that cannot drift: the policy reference is generated from the policies."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from gen_policy_docs import OUT, render  # noqa: E402


def test_the_committed_policy_reference_is_generated_from_the_policies() -> None:
    assert OUT.read_text(encoding="utf-8") == render(), "run: python tools/gen_policy_docs.py"
