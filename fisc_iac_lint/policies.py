"""Load policies (one YAML file each), validate them, and resolve their parameters.

Policies are data: a user's ``--policy-dir`` is read with a safe YAML loader and
validated against ``data/policy.schema.json``; nothing in it can run code. The
only code a policy can reach is a predicate that the package itself ships.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .cache import directory as cache_dir
from .model import FORMATS

PACKAGE_DIR = Path(__file__).resolve().parent
SEVERITIES = ("low", "medium", "high", "critical")


class PolicyError(Exception):
    """A policy file that cannot be used; ``str()`` names the file and what to fix."""


@dataclass(frozen=True)
class Check:
    resource_types: tuple[str, ...]
    require: dict[str, Any]
    when: dict[str, Any] | None = None


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    config_rule: str | None
    severity: str
    scope: str
    text: dict[str, dict[str, str]]  # title/description/rationale/remediation -> {en, ja}
    parameters: dict[str, Any]  # name -> default
    checks: dict[str, tuple[Check, ...]]  # format -> checks
    source: str
    notes: str = ""
    parameter_docs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def formats(self) -> tuple[str, ...]:
        return tuple(f for f in FORMATS if f in self.checks)


def bundled_policy_dir() -> Path:
    """Inside an installed wheel policies sit in the package; in a checkout, at the top."""
    installed = PACKAGE_DIR / "_policies"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "policies"


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema  # only when policies are actually validated

    schema = json.loads((PACKAGE_DIR / "data" / "policy.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def policy_files(directory: Path) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(directory):
        dirs.sort()
        files.extend(Path(root) / n for n in sorted(names) if n.endswith((".yaml", ".yml")))
    return files


def load_policy(path: Path) -> Policy:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = min(errors, key=lambda e: len(list(e.absolute_path)))
        where = error.json_path if error.absolute_path else "top level"
        raise PolicyError(f"{path}: {where}: {_short(error.message)}")
    if path.stem != data["name"]:
        raise PolicyError(f"{path}: the file must be named after the policy: {data['name']}.yaml")
    parameters = {name: spec["default"] for name, spec in (data.get("parameters") or {}).items()}
    _check_references(path, data, parameters)
    return Policy(
        id=data["id"],
        name=data["name"],
        config_rule=data["config_rule"],
        severity=data["severity"],
        scope=data["scope"],
        text={k: data[k] for k in ("title", "description", "rationale", "remediation")},
        parameters=parameters,
        checks={
            fmt: tuple(Check(tuple(c["resource_types"]), c["require"], c.get("when")) for c in data["checks"][fmt])
            for fmt in FORMATS
            if fmt in data["checks"]
        },
        source=str(path),
        notes=data.get("notes", ""),
        parameter_docs=data.get("parameters") or {},
    )


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:197] + "..."


def _check_references(path: Path, data: dict[str, Any], parameters: dict[str, Any]) -> None:
    """Predicates must exist and {param: x} must name a declared parameter."""
    from .predicates import PREDICATES

    stack: list[Any] = [data["checks"]]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            parameter = node.get("parameter")
            if isinstance(parameter, dict) and parameter.get("name") not in parameters:
                raise PolicyError(
                    f"{path}: parameter {parameter.get('name')!r} is used but not declared under parameters"
                )
            if set(node) == {"param"} and node["param"] not in parameters:
                raise PolicyError(f"{path}: parameter {node['param']!r} is used but not declared under parameters")
            predicate = node.get("predicate")
            if isinstance(predicate, dict) and predicate.get("name") not in PREDICATES:
                known = ", ".join(sorted(PREDICATES))
                raise PolicyError(f"{path}: unknown predicate {predicate.get('name')!r} (known: {known})")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


@dataclass
class PolicySet:
    policies: list[Policy]
    errors: list[str]


def _load_directory(directory: Path) -> tuple[list[Policy], list[str]]:
    """Load one directory, through a cache keyed by the tool version and every file's bytes.

    Validation (YAML parsing and the JSON Schema) runs once per content; later runs
    read one JSON file instead, which keeps start-up lean.
    """
    from . import __version__

    files = policy_files(directory)
    from .predicates import PREDICATES

    digest = hashlib.sha256(__version__.encode())
    digest.update((PACKAGE_DIR / "data" / "policy.schema.json").read_bytes())
    # a policy is valid only with the predicates it names: their names are part of the key
    digest.update(",".join(sorted(PREDICATES)).encode())
    contents: dict[Path, bytes] = {}
    for path in files:
        try:
            contents[path] = path.read_bytes()
        except OSError:
            contents[path] = b""
        digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0" + contents[path] + b"\0")
    folder = cache_dir()
    cached = folder / f"policies-{digest.hexdigest()[:32]}.json" if folder else None
    if cached is not None and cached.is_file():
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            return [_from_json(p) for p in data["policies"]], list(data["errors"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged cache entry is rebuilt below
    policies, errors = [], []
    for path in files:
        try:
            policies.append(load_policy(path))
        except PolicyError as exc:
            errors.append(str(exc))
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            temp = cached.with_suffix(f".{os.getpid()}.tmp")
            temp.write_text(
                json.dumps({"policies": [_to_json(p) for p in policies], "errors": errors}), encoding="utf-8"
            )
            os.replace(temp, cached)  # atomic: concurrent runs see the old file or the new one
        except OSError:
            pass  # no cache on a read-only home: still correct, only slower
    return policies, errors


def _to_json(policy: Policy) -> dict[str, Any]:
    data = asdict(policy)
    data["checks"] = {fmt: [asdict(c) for c in checks] for fmt, checks in policy.checks.items()}
    return data


def _from_json(data: dict[str, Any]) -> Policy:
    checks = {
        fmt: tuple(Check(tuple(c["resource_types"]), c["require"], c["when"]) for c in items)
        for fmt, items in data.pop("checks").items()
    }
    return Policy(**data, checks=checks)


def load_policies(directories: list[Path] | None = None) -> PolicySet:
    """Every policy of the bundled library plus ``directories``; bad files become errors."""
    policies: list[Policy] = []
    errors: list[str] = []
    seen_ids: dict[str, str] = {}
    for directory in [bundled_policy_dir(), *(directories or [])]:
        if not directory.is_dir():
            errors.append(f"{directory}: policy directory not found")
            continue
        loaded, problems = _load_directory(directory)
        errors.extend(problems)
        for policy in loaded:
            if policy.id in seen_ids:
                errors.append(f"{policy.source}: id {policy.id} is already used by {seen_ids[policy.id]}")
                continue
            seen_ids[policy.id] = policy.source
            policies.append(policy)
    policies.sort(key=lambda p: p.id)
    return PolicySet(policies, errors)


def with_overrides(policy: Policy, overrides: dict[str, Any]) -> dict[str, Any]:
    """The policy's parameters with the user's overrides (by parameter name) applied."""
    params = dict(policy.parameters)
    for name, value in overrides.items():
        if name in params:
            params[name] = value
    return params
