"""Where fisc-iac-lint keeps what it can rebuild: validated policy sets and the compiled HCL grammar.

``$FISC_IAC_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/fisc-iac-lint``, else
``~/.cache/fisc-iac-lint``; ``$FISC_IAC_LINT_NO_CACHE`` (any value) turns every cache off.
"""

from __future__ import annotations

import os
from pathlib import Path


def directory() -> Path | None:
    """The cache directory; None when caching is turned off."""
    if os.environ.get("FISC_IAC_LINT_NO_CACHE"):
        return None
    base = os.environ.get("FISC_IAC_LINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "fisc-iac-lint"
    )
    return Path(base)
