"""Find what to lint: CloudFormation candidates (by extension; confirmed by content when parsed)
and Terraform modules (a directory of ``.tf`` files).
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field

from .model import CLOUDFORMATION, TERRAFORM, ParseError

CFN_EXTENSIONS = (".yaml", ".yml", ".json", ".template")
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".terraform",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".aws-sam",
        ".serverless",
        ".terragrunt-cache",
        "site-packages",
        ".eggs",
    }
)


@dataclass(frozen=True)
class Unit:
    format: str
    path: str  # a template file, or a Terraform module directory
    explicit: bool = False  # named on the command line (a file argument)


@dataclass
class Discovery:
    units: list[Unit] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason), for --verbose
    errors: list[ParseError] = field(default_factory=list)


def display(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")


def _why_not_a_file(path: str) -> str:
    if not os.path.islink(path):
        return "not a regular file (pipe, socket or device)"
    try:
        os.stat(path)
    except OSError as exc:
        return "symbolic link loop" if exc.errno == errno.ELOOP else "broken symbolic link"
    return "symbolic link to something that is not a regular file"


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def discover(paths: list[str], exclude: tuple[str, ...] = ()) -> Discovery:
    found = Discovery()
    cfn: dict[str, Unit] = {}
    modules: dict[str, Unit] = {}

    def add_file(path: str, explicit: bool) -> None:
        name = os.path.basename(path)
        if name.endswith(".tf"):
            directory = display(os.path.dirname(path) or ".")
            modules.setdefault(directory, Unit(TERRAFORM, directory, explicit))
        elif name.endswith((".tfvars", ".tfvars.json")):
            if explicit:  # pre-commit passes a changed variables file: lint the module it feeds
                directory = display(os.path.dirname(path) or ".")
                modules.setdefault(directory, Unit(TERRAFORM, directory, explicit))
            else:
                found.skipped.append((display(path), "Terraform variables: read with the root module beside them"))
        elif name.endswith(".tf.json"):
            found.skipped.append((display(path), "Terraform JSON syntax is not read yet"))
        elif explicit or name.lower().endswith(CFN_EXTENSIONS):
            cfn.setdefault(display(path), Unit(CLOUDFORMATION, display(path), explicit))

    for arg in paths:
        if os.path.isdir(arg):
            _walk(arg, add_file, found, exclude)
        elif os.path.isfile(arg):
            add_file(arg, True)
        elif os.path.lexists(arg):
            found.errors.append(ParseError(display(arg), "not a regular file or directory (broken link?)"))
        else:
            found.errors.append(ParseError(display(arg), "no such file or directory"))
    found.units = sorted(cfn.values(), key=lambda u: u.path) + sorted(modules.values(), key=lambda u: u.path)
    return found


def _excluded(path: str, exclude: tuple[str, ...]) -> bool:
    import fnmatch

    normal = display(path)
    return any(
        fnmatch.fnmatch(normal, pattern) or fnmatch.fnmatch(os.path.basename(normal), pattern) for pattern in exclude
    )


def _walk(root: str, add_file, found: Discovery, exclude: tuple[str, ...]) -> None:
    def on_error(error: OSError) -> None:
        found.errors.append(ParseError(display(error.filename or root), f"cannot read directory: {error.strerror}"))

    for directory, dirs, files in os.walk(root, onerror=on_error, followlinks=False):
        kept = []
        for name in sorted(dirs):
            full = os.path.join(directory, name)
            if name in SKIP_DIRS or _is_virtualenv(full):
                found.skipped.append((display(full), "directory skipped"))
            elif exclude and _excluded(full, exclude):
                found.skipped.append((display(full), "excluded"))
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            full = os.path.join(directory, name)
            if exclude and _excluded(full, exclude):
                found.skipped.append((display(full), "excluded"))
                continue
            if not os.path.isfile(full):  # pipes, sockets, devices, broken links: never opened
                if name.endswith(".tf") or name.lower().endswith(CFN_EXTENSIONS):
                    reason = _why_not_a_file(full)
                    found.errors.append(ParseError(display(full), reason))
                continue
            add_file(full, False)
