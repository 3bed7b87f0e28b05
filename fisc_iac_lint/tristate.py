"""Three-valued logic (Kleene): True, False, or None for unknown.

An unknown never turns into a pass or a failure: OR is True as soon as one value is
True, AND is False as soon as one is False, and otherwise an unknown makes the result
unknown. The engine combines its outcomes this way; predicates use these functions.
"""

from __future__ import annotations

from typing import Iterable


def any3(values: Iterable[bool | None]) -> bool | None:
    """Kleene OR (False for no values)."""
    seen_unknown = False
    for value in values:
        if value is True:
            return True
        if value is None:
            seen_unknown = True
    return None if seen_unknown else False


def all3(values: Iterable[bool | None]) -> bool | None:
    """Kleene AND (True for no values)."""
    seen_unknown = False
    for value in values:
        if value is False:
            return False
        if value is None:
            seen_unknown = True
    return None if seen_unknown else True


def not3(value: bool | None) -> bool | None:
    return None if value is None else not value
