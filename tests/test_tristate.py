"""Kleene three-valued logic shared by the engine, the CloudFormation condition evaluator and predicates."""

import pytest

from fisc_iac_lint.tristate import all3, any3, not3


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], False), ([False], False), ([None], None), ([True, None], True), ([None, False], None), ([False, True], True)],
)
def test_any3(values, expected):
    assert any3(values) is expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], True), ([True], True), ([None], None), ([None, False], False), ([True, None], None), ([True, True], True)],
)
def test_all3(values, expected):
    assert all3(values) is expected


def test_not3():
    assert (not3(True), not3(False), not3(None)) == (False, True, None)
