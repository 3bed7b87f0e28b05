"""Predicate verdicts in one language, for tests written against a language's text.

Predicates return their detail in English and Japanese; most unit tests compare the
English. ``english(predicate)`` is the predicate with its detail replaced by the
English text (``japanese`` likewise), everything else of the verdict unchanged.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from fisc_iac_lint.model import Text


def in_language(function: Callable[..., Any], lang: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        verdict = function(*args, **kwargs)
        if not isinstance(verdict, tuple) or len(verdict) < 2:
            return verdict
        return (verdict[0], Text.of(verdict[1]).get(lang), *verdict[2:])

    return wrapped


def english(function: Callable[..., Any]) -> Callable[..., Any]:
    return in_language(function, "en")


def japanese(function: Callable[..., Any]) -> Callable[..., Any]:
    return in_language(function, "ja")
