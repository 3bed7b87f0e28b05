"""Property-based tests and a bounded fuzz run: parsers and evaluator never raise, output is deterministic.

The fuzz run mutates the real fixtures (bytes deleted, duplicated, replaced, lines
shuffled) for a fixed time budget: FUZZ_SECONDS (default 8) with a fixed seed
(FUZZ_SEED, default 0), so CI is bounded and reproducible; raise the budget locally
to search longer.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fisc_iac_lint.api import decode, lint
from fisc_iac_lint.engine import evaluate
from fisc_iac_lint.graph import Graph
from fisc_iac_lint.parsers import cloudformation, hcl, terraform
from fisc_iac_lint.parsers.yamljson import LoadError, load
from fisc_iac_lint.policies import load_policies

ROOT = Path(__file__).resolve().parent.parent
POLICIES = load_policies().policies
PARAMS = {p.id: p.parameters for p in POLICIES}
FIXTURE_FILES = sorted(p for p in (ROOT / "fixtures" / "policies").rglob("*") if p.suffix in (".yaml", ".tf"))
PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.sampled_from(["true", "0.0.0.0/0", "*", "Enabled", "22"]),
)
intrinsics = st.one_of(
    st.builds(lambda x: {"Ref": x}, st.sampled_from(["A", "B", "P", "AWS::NoValue", "AWS::Region"])),
    st.builds(lambda x: {"Fn::GetAtt": [x, "Arn"]}, st.sampled_from(["A", "B", "Missing"])),
    st.builds(lambda x: {"Fn::Sub": x}, st.sampled_from(["${A}", "${A.Arn}/x", "${P}-y", "plain"])),
    st.builds(lambda c: {"Fn::If": [c, "a", {"Ref": "AWS::NoValue"}]}, st.text(max_size=3)),
    st.builds(lambda items: {"Fn::Join": ["", items]}, st.lists(scalars, max_size=3)),
)
values = st.recursive(
    st.one_of(scalars, intrinsics),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)
resource_types = st.sampled_from(
    sorted({t for p in POLICIES for c in p.checks.get("cloudformation", ()) for t in c.resource_types})
)


def _template(resources: dict) -> dict:
    return {"Parameters": {"P": {"Type": "String", "Default": "x"}}, "Resources": resources}


@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(["A", "B", "C"]),
        st.tuples(resource_types, st.dictionaries(st.text(min_size=1, max_size=20), values, max_size=6)),
        min_size=1,
    )
)
def test_random_templates_evaluate_without_raising_and_deterministically(resources) -> None:
    doc = _template({name: {"Type": rtype, "Properties": props} for name, (rtype, props) in resources.items()})
    try:
        template = cloudformation.build(doc, "t.yaml")
    except LoadError:
        return
    first = evaluate(Graph(template), POLICIES, PARAMS)
    second = evaluate(Graph(cloudformation.build(doc, "t.yaml")), POLICIES, PARAMS)
    assert [(r.policy.id, r.resource.name, r.ok, r.line, r.detail) for r in first] == [
        (r.policy.id, r.resource.name, r.ok, r.line, r.detail) for r in second
    ]


@PROPERTY
@given(st.text(max_size=300))
def test_yaml_and_json_loading_raise_only_load_errors(text: str) -> None:
    for json_mode in (False, True):
        try:
            load(text, json_mode=json_mode)
        except LoadError:
            pass


@PROPERTY
@given(
    st.text(
        alphabet=st.sampled_from(list('resource"aws_s3_bucket{}[]()=.,:?!$%~#\n 0123456789abcxyz<-EOT')), max_size=200
    )
)
def test_hcl_raises_only_hcl_errors_and_modules_always_build(text: str) -> None:
    try:
        body = hcl.parse(text)
    except hcl.HclError:
        return
    template = terraform.build("m", {"main.tf": body})
    evaluate(Graph(template), POLICIES, PARAMS)


@PROPERTY
@given(st.binary(max_size=200))
def test_any_bytes_decode_or_fail_cleanly(data: bytes) -> None:
    from fisc_iac_lint.api import InputError

    try:
        decode(data)
    except InputError:
        pass


def _mutate(rng: random.Random, text: str) -> str:
    if not text:
        return text
    choice = rng.randrange(5)
    i, j = sorted(rng.randrange(len(text) + 1) for _ in range(2))
    if choice == 0:
        return text[:i] + text[j:]
    if choice == 1:
        return text[:i] + text[i:j] * 2 + text[j:]
    if choice == 2:
        return (
            text[:i]
            + rng.choice(["{", "}", "[", "]", ":", "!Ref", "\t", "&a", "*a", '"', "${", "\x00", "\n  - "])
            + text[i:]
        )
    if choice == 3:
        lines = text.split("\n")
        rng.shuffle(lines)
        return "\n".join(lines)
    return text.replace(
        rng.choice(["true", "Enabled", "22", "0.0.0.0/0", "aws:kms"]), rng.choice(["false", "", "!Ref X", "null"])
    )


def test_bounded_fuzz_run_over_mutated_fixtures(tmp_path: Path) -> None:
    budget = float(os.environ.get("FUZZ_SECONDS", "8"))
    rng = random.Random(int(os.environ.get("FUZZ_SEED", "0")))
    deadline = time.monotonic() + budget
    runs = 0
    while time.monotonic() < deadline:
        source = rng.choice(FIXTURE_FILES)
        target = tmp_path / f"case{runs}" / ("main.tf" if source.suffix == ".tf" else "t.yaml")
        target.parent.mkdir()
        target.write_text(_mutate(rng, source.read_text(encoding="utf-8")), encoding="utf-8")
        first = lint([str(target.parent)])
        second = lint([str(target.parent)])
        assert [e for e in first.errors if "internal error" in e.message] == [], target.read_text()
        assert first == second
        runs += 1
    assert runs > 0
