"""Suppressions written next to the resource, with a reason and an optional expiry date.

CloudFormation, in the resource's Metadata::

    Metadata:
      fisc-iac-lint:
        suppress:
          - id: FIL0002              # policy id, policy name or AWS Config rule
            reason: Replicated to the archive account, which keeps versions
            expires: 2027-03-31      # optional: after this day it no longer applies

Terraform, in a comment inside the block or directly above it::

    # fisc-iac-lint:suppress FIL0002 reason="Replicated to the archive account" expires=2027-03-31

A suppression without a reason is not applied, and says so; an expired one stops
applying and says so. Suppressed findings stay in every output, marked and counted;
they do not fail the run.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

KEY = "fisc-iac-lint"
COMMENT = re.compile(r"(?:#|//)\s*fisc-iac-lint:suppress\s+(?P<ids>[\w.,-]+)(?P<rest>.*)$")
_FIELD = re.compile(r'(?P<key>reason|expires)\s*=\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>\S+))')


@dataclass(frozen=True)
class Suppression:
    ids: frozenset[str]
    reason: str
    expires: str  # YYYY-MM-DD or ""
    line: int
    problem: str = ""  # why it cannot be applied (no reason, bad date)

    def matches(self, names: set[str]) -> bool:
        return bool(self.ids & names)


def today() -> str:
    """The date expiries are compared with (FISC_IAC_LINT_TODAY=YYYY-MM-DD fixes it, for tests)."""
    return os.environ.get("FISC_IAC_LINT_TODAY") or date.today().isoformat()


def _checked(ids: set[str], reason: Any, expires: Any, line: int) -> Suppression:
    problem = ""
    expires_text = str(expires) if expires not in (None, "") else ""
    if not isinstance(reason, str) or not reason.strip():
        problem = "has no reason"
    elif expires_text:
        try:
            date.fromisoformat(expires_text)
        except ValueError:
            problem = f"has an expiry date that is not YYYY-MM-DD: {expires_text!r}"
    return Suppression(frozenset(ids), reason.strip() if isinstance(reason, str) else "", expires_text, line, problem)


def from_metadata(metadata: Any) -> list[Suppression]:
    """CloudFormation: Metadata.fisc-iac-lint.suppress."""
    if not isinstance(metadata, dict):
        return []
    block = metadata.get(KEY)
    entries = block.get("suppress") if isinstance(block, dict) else None
    if not isinstance(entries, list):
        return []
    out = []
    for index, entry in enumerate(entries):
        line = entries.line_of(index) if hasattr(entries, "line_of") else 0
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), (str, list)):
            out.append(Suppression(frozenset(), "", "", line, "names no policy (id)"))
            continue
        ids = {entry["id"]} if isinstance(entry["id"], str) else {str(i) for i in entry["id"]}
        out.append(_checked(ids, entry.get("reason"), entry.get("expires"), line))
    return out


def from_comment(text: str, line: int) -> Suppression | None:
    """Terraform: one ``# fisc-iac-lint:suppress IDS reason="..." expires=...`` comment."""
    match = COMMENT.search(text)
    if not match:
        return None
    fields = {
        m.group("key"): m.group("quoted") if m.group("quoted") is not None else m.group("bare")
        for m in _FIELD.finditer(match.group("rest"))
    }
    ids = {i for i in match.group("ids").split(",") if i}
    return _checked(ids, fields.get("reason"), fields.get("expires"), line)


def comment_lines(text: str) -> dict[int, str]:
    """Line number -> the text of every line that carries a suppression comment."""
    return {n: line for n, line in enumerate(text.splitlines(), start=1) if "fisc-iac-lint:suppress" in line}


def for_block(comments: dict[int, str], lines: list[str], first: int, last: int) -> list[Suppression]:
    """The suppressions inside lines first..last, or in the comment lines directly above first."""
    found = []
    for number in range(first, last + 1):
        if number in comments:
            suppression = from_comment(comments[number], number)
            if suppression:
                found.append(suppression)
    number = first - 1
    while number >= 1 and lines[number - 1].lstrip().startswith(("#", "//")):
        if number in comments:
            suppression = from_comment(comments[number], number)
            if suppression:
                found.append(suppression)
        number -= 1
    return found
