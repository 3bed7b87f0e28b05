"""The values a root module's variables are given from outside it, in Terraform's order.

Later sources win: ``TF_VAR_`` environment variables, ``terraform.tfvars``,
``terraform.tfvars.json``, ``*.auto.tfvars`` and ``*.auto.tfvars.json`` in lexical
order, then the ``--var-file`` files in the order given, then ``--var`` values.
(Terraform interleaves ``-var`` and ``-var-file`` in command-line order; here the
files come first.) Values from the environment and ``--var`` are text, read by
the variable's declared type (:class:`.terraform.VarText`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Callable

from ..model import Mapping, ParseError, Sequence
from . import hcl
from .terraform import VarText, constant


@dataclass(frozen=True)
class Given:
    """What the command line and the environment give every root module."""

    files: tuple[tuple[str, dict[str, Any]], ...] = ()  # --var-file: (path, values), read once
    values: tuple[tuple[str, str], ...] = ()  # --var name=value, in order
    environ: tuple[tuple[str, str], ...] = ()  # (name, value) of each TF_VAR_name in the environment


def read_file(path: str, text: str) -> dict[str, Any]:
    """The values of one ``.tfvars`` (HCL) or ``.tfvars.json`` file; ValueError with a reason."""
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {exc.lineno}: invalid JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise ValueError("a .tfvars.json file must hold one JSON object")
        return {str(k): _lined(v) for k, v in data.items()}
    try:
        body = hcl.parse(text)
    except hcl.HclError as exc:
        raise ValueError(str(exc)) from None
    return {name: constant(attr.expr) for name, attr in body.attributes.items()}


def module_files(directory: str) -> list[str]:
    """The variable files Terraform loads on its own from a root module's directory, in order."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    auto = [n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
    ordered = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names] + auto
    return [os.path.join(directory, n) for n in ordered if os.path.isfile(os.path.join(directory, n))]


def gather(
    directory: str, given: Given, read: Callable[[str], str], show: Callable[[str], str]
) -> tuple[dict[str, Any], list[ParseError], list[str]]:
    """The variable values of the root module in ``directory``, the problems, and the files read.

    ``read`` returns a file's text or raises ValueError with the reason.
    """
    values: dict[str, Any] = {name: VarText(value) for name, value in given.environ}
    errors: list[ParseError] = []
    files: list[str] = []
    for path in module_files(directory):
        shown = show(path)
        try:
            values.update(read_file(path, read(path)))
            files.append(shown)
        except ValueError as exc:  # the reader's reasons too: binary, too large, not UTF-8
            errors.append(ParseError(shown, str(exc)))
    for _path, file_values in given.files:
        values.update(file_values)
    values.update((name, VarText(value)) for name, value in given.values)
    return values, errors, files


def _lined(value: Any) -> Any:
    """JSON values as the Mapping and Sequence that the rest of the pipeline reads."""
    if isinstance(value, dict):
        return Mapping({str(k): _lined(v) for k, v in value.items()})
    if isinstance(value, list):
        return Sequence(_lined(v) for v in value)
    return value
