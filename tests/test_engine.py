"""The engine: three-valued conditions, defaults for absent values, connections, unknowns."""

from __future__ import annotations

import textwrap

from fisc_iac_lint.api import Options, lint
from fisc_iac_lint.engine import Evaluator, lookup, split_path
from fisc_iac_lint.graph import Graph
from fisc_iac_lint.model import Unknown
from fisc_iac_lint.parsers import cloudformation
from fisc_iac_lint.policies import Check, Policy


def _graph(text: str) -> Graph:
    doc = cloudformation.load_document(textwrap.dedent(text), "t.yaml")
    return Graph(cloudformation.build(doc, "t.yaml"))


def _evaluator(graph: Graph, params: dict | None = None) -> Evaluator:
    policy = Policy("FIL9999", "test", None, "low", "resource", {}, params or {}, {}, "test")
    return Evaluator(graph, policy, params or {})


GRAPH = _graph(
    """
    Parameters:
      Unset: {Type: String}
    Resources:
      A:
        Type: AWS::S3::Bucket
        Properties:
          Flag: "true"
          Port: "22"
          Items: [{v: 1}, {v: 2}]
          Maybe: !Ref Unset
      P:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: !Ref A
          Level: 3
    """
)
A = GRAPH.by_name["A"]


def check(cond: dict, params: dict | None = None):
    return _evaluator(GRAPH, params).check(A, A.properties, cond)


def test_values_compare_as_the_policy_types_them() -> None:
    assert check({"equals": {"path": "Flag", "value": True}}).ok is True
    assert check({"compare": {"path": "Port", "op": ">=", "value": 22}}).ok is True
    assert check({"equals": {"path": "Port", "value": 23}}).ok is False


def test_absent_uses_the_default_and_says_so() -> None:
    outcome = check({"equals": {"path": "Missing", "value": True, "default": False}})
    assert (outcome.ok, outcome.detail.en) == (False, "Missing is not set (default false); expected true")
    assert outcome.detail.ja == "Missing が設定されていません (既定値 false)、期待値は true"
    assert check({"equals": {"path": "Missing", "value": True}}).ok is False


def test_unknown_is_neither_pass_nor_fail_and_kleene_logic_applies() -> None:
    assert check({"equals": {"path": "Maybe", "value": "x"}}).ok is None
    assert check({"all_of": [{"equals": {"path": "Maybe", "value": "x"}}, {"exists": "Nope"}]}).ok is False
    assert check({"any_of": [{"equals": {"path": "Maybe", "value": "x"}}, {"exists": "Flag"}]}).ok is True
    assert check({"not": {"equals": {"path": "Maybe", "value": "x"}}}).ok is None


def test_quantifiers_and_item_lines() -> None:
    assert check({"every": {"path": "Items", "require": {"compare": {"path": "v", "op": ">", "value": 0}}}}).ok is True
    some = check({"some": {"path": "Items", "require": {"equals": {"path": "v", "value": 3}}}})
    assert some.ok is False
    none = check({"none": {"path": "Items", "require": {"equals": {"path": "v", "value": 2}}}})
    assert (none.ok, none.line) == (False, 10)  # the flow-style item line
    assert check({"some": {"path": "Empty", "require": {"exists": "x"}}}).ok is False
    assert check({"every": {"path": "Empty", "require": {"exists": "x"}}}).ok is True


def test_connected_follows_edges_with_quantifiers() -> None:
    base = {"types": ["AWS::S3::BucketPolicy"], "via": "Bucket"}
    assert check({"connected": {**base, "require": {"equals": {"path": "Level", "value": 3}}}}).ok is True
    assert (
        check({"connected": {**base, "quantifier": "none", "require": {"equals": {"path": "Level", "value": 3}}}}).ok
        is False
    )
    assert check({"connected": {**base, "via": "Other"}}).ok is False
    assert check({"connected": {**base, "via": "Other", "quantifier": "every", "require": {"exists": "x"}}}).ok is True


def test_parameters_fill_values() -> None:
    assert check({"equals": {"path": "Port", "value": {"param": "port"}}}, {"port": 22}).ok is True


def test_lookup_projects_over_lists() -> None:
    assert [v for v, _ in lookup(A.properties, split_path("Items.v"))] == [1, 2]
    assert [v for v, _ in lookup(A.properties, split_path("Items.1.v"))] == [2]


def test_an_unknown_does_not_hide_the_findings_after_it(tmp_path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        textwrap.dedent(
            """
            Parameters:
              Status: {Type: String}
            Resources:
              First:
                Type: AWS::S3::Bucket
                Properties:
                  BucketEncryption:
                    ServerSideEncryptionConfiguration:
                      - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}
                  VersioningConfiguration: {Status: !Ref Status}
              Second:
                Type: AWS::S3::Bucket
                Properties:
                  BucketEncryption:
                    ServerSideEncryptionConfiguration:
                      - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}
            """
        )
    )
    report = lint([str(template)], Options(select=frozenset({"FIL0002"})))
    assert [(u.rule_id, u.resource_name) for u in report.unknowns] == [("FIL0002", "First")]
    assert [(f.rule_id, f.resource_name) for f in report.findings] == [("FIL0002", "Second")]


def test_exists_is_decided_by_a_reference_but_not_by_a_condition() -> None:
    graph = _graph(
        """
        Resources:
          A:
            Type: AWS::S3::Bucket
            Properties:
              ByRef: !Ref B
              ByIf: !If [C, x, !Ref AWS::NoValue]
              Parent: !Ref Unset
          B:
            Type: AWS::S3::Bucket
        """
    )
    a = graph.by_name["A"]
    evaluator = _evaluator(graph)
    assert evaluator.check(a, a.properties, {"exists": "ByRef"}).ok is True
    assert evaluator.check(a, a.properties, {"exists": "ByIf"}).ok is None
    assert evaluator.check(a, a.properties, {"exists": "Parent.Child"}).ok is None
    assert evaluator.check(a, a.properties, {"absent": "Nope"}).ok is True


def test_terraform_null_means_not_set() -> None:
    from fisc_iac_lint.parsers import hcl, terraform

    template = terraform.build("m", {"main.tf": hcl.parse('resource "a_b" "c" {\n  x = null\n  y = 1\n}\n')})
    assert dict(template.resources[0].properties) == {"y": 1}


def test_variants_of_unknown_conditions_are_each_checked_and_merged() -> None:
    graph = _graph(
        """
        Parameters:
          Flag: {Type: String}
          Other: {Type: String}
        Conditions:
          C: !Equals [!Ref Flag, "on"]
          D: !Equals [!Ref Other, "on"]
        Resources:
          A:
            Type: AWS::S3::Bucket
            Properties:
              Mode: !If [C, good, bad]
              Maybe: !If [D, good, !Ref Other]
          P:
            Type: AWS::S3::BucketPolicy
            Properties:
              Bucket: !Ref A
              Level: !If [C, 1, 2]
        """
    )
    a = graph.by_name["A"]
    assert [v.assumptions for v in a.variants] == [
        (("C", True), ("D", True)),
        (("C", True), ("D", False)),
        (("C", False), ("D", True)),
        (("C", False), ("D", False)),
    ]
    evaluator = _evaluator(graph)

    def run(require: dict):
        return evaluator.run(Check(("AWS::S3::Bucket",), require), a)

    failed = run({"equals": {"path": "Mode", "value": "good"}})
    assert (failed.ok, failed.detail.en) == (False, "Mode is 'bad'; expected 'good' (when condition C is false)")
    assert failed.detail.ja == "Mode は 'bad' です、期待値は 'good' (条件 C が false の場合)"
    # one variant unknown, the others pass: unknown, saying when
    unknown = run({"equals": {"path": "Maybe", "value": "good"}})
    assert (unknown.ok, unknown.detail.en) == (None, "Maybe is unknown: !Ref Other (when condition D is false)")
    # an unknown variant does not hide a failing one
    both = run(
        {"all_of": [{"equals": {"path": "Maybe", "value": "good"}}, {"equals": {"path": "Mode", "value": "good"}}]}
    )
    assert both.ok is False and both.detail.en.endswith("(when condition C is false)")
    assert run({"one_of": {"path": "Mode", "values": ["good", "bad"]}}) is None
    # the policy's Level follows C too: seen from A's variants, only the matching variant of P counts
    connected = {
        "connected": {
            "types": ["AWS::S3::BucketPolicy"],
            "via": "Bucket",
            "require": {"equals": {"path": "Level", "value": 1}},
        }
    }
    assert run(connected).ok is False and run(connected).detail.en.endswith("(when condition C is false)")
    level = connected["connected"]["require"]
    assert [evaluator._on(v, graph.by_name["P"], level).ok for v in a.variants] == [True, True, False, False]
    assert run({"all_of": [connected, {"equals": {"path": "Mode", "value": "good"}}]}).detail.en.endswith(
        "(when condition C is false)"
    )


def test_variants_are_capped_and_the_rest_stays_unknown() -> None:
    conditions = "".join(f"  C{i}: !Equals [!Ref P, '{i}']\n" for i in range(5))
    properties = "".join(f"      V{i}: !If [C{i}, a, b]\n" for i in range(5))
    text = f"Parameters:\n  P: {{Type: String}}\nConditions:\n{conditions}Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n{properties}"
    a = _graph(text).by_name["A"]
    assert len(a.variants) == 8
    assert all(v.properties["V0"] in ("a", "b") and isinstance(v.properties["V4"], Unknown) for v in a.variants)


def test_a_resource_condition_that_is_unknown_is_assumed_by_its_variants() -> None:
    graph = _graph(
        """
        Parameters:
          Env: {Type: String}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources:
          A:
            Type: AWS::S3::Bucket
            Condition: IsProd
            Properties:
              Mode: !If [IsProd, good, bad]
        """
    )
    a = graph.by_name["A"]
    assert [(v.assumptions, v.properties["Mode"]) for v in a.variants] == [((("IsProd", True),), "good")]
