"""Every CloudFormation property path in every policy exists in the resource schemas cfn-lint ships.

A typo such as ``VersioningConfiguraton.Status`` would otherwise never match and
the policy would silently pass everything. Paths are followed through the
condition tree: quantifiers (``every``/``some``/``none``) descend into list
items, ``connected`` switches to the connected resource types, and predicate
arguments named ``*_field`` / ``*_fields`` name properties of the current node.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import cfnlint.data.schemas
import pytest

from fisc_iac_lint.engine import split_path
from fisc_iac_lint.policies import load_policies

SCHEMAS = Path(cfnlint.data.schemas.__file__).parent
Node = tuple[dict, dict]  # (schema node, the resource schema it belongs to, for $ref)


@lru_cache(maxsize=1)
def _provider() -> dict[str, str]:
    return json.loads((SCHEMAS / "providers" / "us-east-1.json").read_text())


def resource_schema(rtype: str) -> dict:
    return json.loads((SCHEMAS / "resources" / f"{_provider()[rtype]}.json").read_text())


def _deref(node: dict, root: dict) -> dict:
    seen = 0
    while "$ref" in node and seen < 20:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        node, seen = target, seen + 1
    return node


def _variants(node: dict, root: dict) -> list[dict]:
    node = _deref(node, root)
    out = [node]
    for key in ("oneOf", "anyOf", "allOf"):
        for sub in node.get(key, []):
            out.extend(_variants(sub, root))
    if "items" in node:  # lists are projected over, as the engine does
        out.extend(_variants(node["items"], root))
    return out


def descend(nodes: list[Node], path: str) -> list[Node]:
    """The schema nodes at ``path`` below ``nodes``; [] if the path does not exist."""
    current = nodes
    for segment in split_path(path):
        nxt: list[Node] = []
        for node, root in current:
            for variant in _variants(node, root):
                if isinstance(segment, int) and "items" in variant:
                    nxt.append((variant["items"], root))
                props = variant.get("properties", {})
                if segment in props:
                    nxt.append((props[segment], root))
                for pattern, sub in variant.get("patternProperties", {}).items():
                    nxt.append((sub, root))
                types = variant.get("type")
                is_object = types == "object" or (isinstance(types, list) and "object" in types)
                free_form = is_object and not props and not variant.get("patternProperties")
                if free_form and variant.get("additionalProperties", True) is not False:
                    nxt.append(({}, root))  # a free-form map (e.g. a parameter group's Parameters): any key
        if not nxt:
            return []
        current = nxt
    return current


def _items(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    for node, root in nodes:
        for variant in _variants(node, root):
            if "items" in variant:
                out.append((variant["items"], root))
            else:
                out.append((variant, root))
    return out


def check_condition(cond: dict, nodes: list[Node], types: tuple[str, ...], problems: list[str]) -> None:
    ((op, spec),) = cond.items()

    def need(path: str, where: list[Node]) -> list[Node]:
        found = descend(where, path)
        if not found:
            problems.append(f"{'/'.join(types)}: {path!r} is not a property in the CloudFormation schema")
        return found

    if op in ("all_of", "any_of"):
        for sub in spec:
            check_condition(sub, nodes, types, problems)
    elif op == "not":
        check_condition(spec, nodes, types, problems)
    elif op in ("exists", "absent"):
        need(spec, nodes)
    elif op in ("equals", "one_of", "compare", "matches"):
        need(spec["path"], nodes)
    elif op in ("every", "some", "none"):
        found = need(spec["path"], nodes)
        if found:
            check_condition(spec["require"], _items(found), types, problems)
    elif op == "connected":
        other_types = tuple(spec["types"])
        others = [(resource_schema(t), resource_schema(t)) for t in other_types]
        if spec.get("direction", "in") == "in":
            need_other = descend(others, spec["via"])
            if not need_other:
                problems.append(f"{'/'.join(other_types)}: via {spec['via']!r} is not a property")
            if "name_attribute" in spec:
                need(spec["name_attribute"], nodes)
        else:
            need(spec["via"], nodes)
        if "require" in spec:
            check_condition(spec["require"], others, other_types, problems)
    elif op == "parameter":
        pass  # a policy parameter, not a property
    elif op == "predicate":
        where = need(spec["path"], nodes) if "path" in spec else nodes
        for name, value in spec.get("args", {}).items():
            if name.endswith("_field"):
                need(value, _items(where))
            elif name.endswith("_fields"):
                for field in value:
                    need(field, _items(where))


POLICIES = [p for p in load_policies().policies if "cloudformation" in p.checks]


@pytest.mark.parametrize("policy", POLICIES, ids=[p.name for p in POLICIES])
def test_cloudformation_paths_exist(policy) -> None:
    problems: list[str] = []
    for check in policy.checks["cloudformation"]:
        for rtype in check.resource_types:
            assert rtype in _provider(), f"{rtype} is not a CloudFormation resource type"
        roots = [(resource_schema(t), resource_schema(t)) for t in check.resource_types]
        for cond in (check.when, check.require):
            if cond:
                check_condition(cond, roots, check.resource_types, problems)
    assert problems == []


def test_the_path_check_catches_a_typo() -> None:
    problems: list[str] = []
    roots = [(resource_schema("AWS::S3::Bucket"), resource_schema("AWS::S3::Bucket"))]
    check_condition(
        {"equals": {"path": "VersioningConfiguraton.Status", "value": "Enabled"}}, roots, ("AWS::S3::Bucket",), problems
    )
    check_condition(
        {
            "some": {
                "path": "BucketEncryption.ServerSideEncryptionConfiguration",
                "require": {"exists": "ServerSideEncryptionByDefault.SSEAlgorithmm"},
            }
        },
        roots,
        ("AWS::S3::Bucket",),
        problems,
    )
    assert len(problems) == 2
    problems.clear()
    check_condition(
        {
            "some": {
                "path": "BucketEncryption.ServerSideEncryptionConfiguration",
                "require": {"exists": "ServerSideEncryptionByDefault.SSEAlgorithm"},
            }
        },
        roots,
        ("AWS::S3::Bucket",),
        problems,
    )
    assert problems == []
