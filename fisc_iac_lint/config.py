"""Configuration: `.fisc-iac-lint.yaml`, or `[tool.fisc-iac-lint]` in `pyproject.toml`, found by
walking up from the first scanned path. Validated against data/config.schema.json; command-line
flags override it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
NAMES = (".fisc-iac-lint.yaml", ".fisc-iac-lint.yml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration that cannot be used; ``str()`` names the file, the key and what is allowed."""


def find(start: Path) -> Path | None:
    """The nearest configuration at or above ``start`` (a pyproject.toml counts only with the table)."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        for name in NAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or "[tool.fisc-iac-lint]" in _text(candidate)):
                return candidate
    return None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def load(path: Path) -> dict[str, Any]:
    try:
        if path.name == "pyproject.toml":
            try:
                import tomllib
            except ImportError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef]
            data = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("fisc-iac-lint", {})
        else:
            import yaml

            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            data = {} if data is None else data
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - YAML and TOML syntax errors alike
        raise ConfigError(
            f"{path}: not valid {'TOML' if path.suffix == '.toml' else 'YAML'}: {str(exc).splitlines()[0]}"
        ) from None
    _validate(path, data)
    return data


def _validate(path: Path, data: Any) -> None:
    import jsonschema

    schema = json.loads((DATA / "config.schema.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of keys to values")
    allowed = sorted(schema["properties"])
    for key in data:
        if key not in schema["properties"]:
            raise ConfigError(f"{path}: unknown key {key!r} (allowed: {', '.join(allowed)})")
    error = next(
        iter(sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))), None
    )
    if error is not None:
        key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ConfigError(f"{path}: {key}: {error.message}")
