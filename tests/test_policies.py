"""The policy library as data: valid, uniquely identified, named after its files, bilingual."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fisc_iac_lint.policies import PolicyError, bundled_policy_dir, load_policies, load_policy, policy_files

ROOT = Path(__file__).resolve().parent.parent
JAPANESE = "\u3040-\u309f\u30a0-\u30ff\u4e00-\u9fff"
POLICIES = load_policies().policies


def test_the_library_loads_without_errors() -> None:
    result = load_policies()
    assert result.errors == []
    assert len(result.policies) == len(policy_files(bundled_policy_dir()))


def test_ids_and_names_are_unique_and_never_retired_ids() -> None:
    ids = [p.id for p in POLICIES]
    names = [p.name for p in POLICIES]
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    retired = {
        line.split()[0]
        for line in (ROOT / "policies" / "RETIRED.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert sorted(set(ids) & retired) == []


@pytest.mark.parametrize("policy", POLICIES, ids=[p.name for p in POLICIES])
def test_japanese_texts_have_no_folding_spaces(policy) -> None:
    """YAML's folded style puts a space at each line break, which Japanese does not use."""
    for field, text in policy.text.items():
        assert re.search(f"[{JAPANESE}] [{JAPANESE}]", text["ja"]) is None, (field, text["ja"])
        assert re.search(f"[{JAPANESE}]", text["ja"]), f"{field}: the Japanese text has no Japanese"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = (ROOT / "policies" / "s3" / "s3-bucket-versioning-disabled.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name, text, reason",
    [
        ("x", "id: [unclosed", "not valid YAML"),
        (
            "s3-bucket-versioning-disabled",
            GOOD.replace("severity: medium", "severity: urgent"),
            "$.severity: 'urgent' is not one of",
        ),
        ("s3-bucket-versioning-disabled", GOOD.replace("equals:", "equal:"), "$.checks.cloudformation[0].require"),
        ("renamed", GOOD, "the file must be named after the policy: s3-bucket-versioning-disabled.yaml"),
        (
            "s3-bucket-versioning-disabled",
            GOOD.replace("value: Enabled}\n  terraform", "value: {param: nope}}\n  terraform"),
            "parameter 'nope' is used but not declared",
        ),
        (
            "s3-bucket-versioning-disabled",
            GOOD.replace(
                "equals: {path: VersioningConfiguration.Status, value: Enabled}", "predicate: {name: run_my_code}"
            ),
            "unknown predicate 'run_my_code'",
        ),
    ],
)
def test_a_bad_policy_file_names_the_file_and_what_to_fix(tmp_path: Path, name: str, text: str, reason: str) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert reason in message
    assert "\n" not in message


def test_a_bad_user_policy_is_an_error_and_the_rest_still_load(tmp_path: Path) -> None:
    _write(tmp_path, "broken", "id: [unclosed")
    result = load_policies([tmp_path])
    assert len(result.errors) == 1 and "broken.yaml: not valid YAML" in result.errors[0]
    assert len(result.policies) == len(POLICIES)
