"""The suite keeps its caches (policies, the compiled grammar, parsed inputs) in a temporary
directory, never in the user's ~/.cache: FISC_IAC_LINT_CACHE_DIR, set before collection (some
test modules load policies on import) and inherited by the subprocesses the tests start."""

from __future__ import annotations

import os
import shutil
import tempfile

_SAVED: dict[str, str | None] = {}


def pytest_configure(config) -> None:
    for name in ("FISC_IAC_LINT_CACHE_DIR", "FISC_IAC_LINT_NO_CACHE"):
        _SAVED[name] = os.environ.pop(name, None)
    os.environ["FISC_IAC_LINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="fisc-iac-lint-cache-")


def pytest_unconfigure(config) -> None:
    shutil.rmtree(os.environ["FISC_IAC_LINT_CACHE_DIR"], ignore_errors=True)
    for name, value in _SAVED.items():
        os.environ.pop(name, None)
        if value is not None:
            os.environ[name] = value
