"""The command line: parse arguments, call :func:`api.lint`, pick a renderer, set the exit code.

Exit codes: 0 no finding at or above ``--fail-on``; 1 at least one; 2 usage error
or an input (template, module, policy file) that could not be read or parsed;
3 an internal error (a bug: ``--debug`` shows the traceback).
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    markdown = "markdown"


class Language(str, Enum):
    en = "en"
    ja = "ja"


def _locale_language() -> str:
    """ja when the locale says Japanese (LC_ALL, LC_MESSAGES, LANG), else en."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


class ListingFormat(str, Enum):
    text = "text"
    json = "json"


class Severity(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}

lint_app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)


def _parse_params(values: List[str]) -> dict:
    import yaml

    out: dict = {}
    for item in values:
        key, eq, raw = item.partition("=")
        policy, dot, name = key.rpartition(".")
        if not eq or not dot or not policy or not name:
            raise typer.BadParameter(f"{item!r}: expected POLICY.PARAMETER=VALUE (POLICY: id, name or config rule)")
        try:
            value = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            value = raw
        if isinstance(value, str) and "," in value:
            value = [v.strip() for v in value.split(",")]
        out.setdefault(policy, {})[name] = value
    return out


def _settings(config: Optional[Path], paths: List[str]) -> dict:
    """The configuration file's settings (with "_dir", where relative paths start), or {}."""
    from .config import ConfigError, find, load

    path = config if config is not None else (find(Path(paths[0])) if paths else None)
    if path is None:
        return {}
    try:
        settings = load(path)
    except ConfigError as exc:
        typer.echo(f"fisc-iac-lint: error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR)
    return {**settings, "_dir": path.parent}


def _cfn_parameters(path: Optional[Path], pairs: List[str]) -> dict:
    """Values from a parameters file (the CLI's list, or {"Parameters": {...}}), then Key=Value pairs."""
    import json

    values: dict = {}
    if path is not None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise typer.BadParameter(f"{path}: {exc}", param_hint="--parameters-file")
        if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
            values.update({str(k): v for k, v in data["Parameters"].items()})
        elif isinstance(data, list) and all(isinstance(i, dict) and "ParameterKey" in i for i in data):
            values.update({str(i["ParameterKey"]): i.get("ParameterValue") for i in data})
        else:
            raise typer.BadParameter(
                f'{path}: expected [{{"ParameterKey": ..., "ParameterValue": ...}}] or {{"Parameters": {{...}}}}',
                param_hint="--parameters-file",
            )
    values.update(_pair(pair, "Key=Value", "--parameter") for pair in pairs)
    return values


def _pair(text: str, shape: str, hint: str, strip: bool = False) -> tuple[str, str]:
    """KEY=VALUE from the command line, or a usage error naming the option."""
    key, eq, value = text.partition("=")
    key = key.strip() if strip else key
    if not eq or not key:
        raise typer.BadParameter(f"{text!r}: expected {shape}", param_hint=hint)
    return key, value


def _merge_params(configured: dict, given: dict) -> dict:
    merged = {policy: dict(values) for policy, values in configured.items()}
    for policy, values in given.items():
        merged.setdefault(policy, {}).update(values)
    return merged


@lint_app.command()
def lint(
    paths: List[str] = typer.Argument(..., help="Files and directories to lint."),
    output_format: List[Format] = typer.Option(
        [], "--format", "-f", help="Output format; repeat for several: text, json, sarif, junit, github, markdown."
    ),
    output: List[Path] = typer.Option(
        [], "--output", "-o", help="Write the n-th --format to this file (one format may go to standard output)."
    ),
    fail_on: Optional[Severity] = typer.Option(
        None, "--fail-on", help="Lowest severity that fails the run (exit 1); default low (any finding)."
    ),
    config: Optional[Path] = typer.Option(
        None,
        "--config",
        help="Configuration file (default: .fisc-iac-lint.yaml or pyproject.toml found above the path).",
    ),
    policy_dir: List[Path] = typer.Option([], "--policy-dir", help="Extra policy directory (data only)."),
    param: List[str] = typer.Option([], "--param", help="Override a policy parameter: POLICY.NAME=VALUE."),
    parameter: List[str] = typer.Option(
        [], "--parameter", help="CloudFormation parameter value: Key=Value (over the template's Default)."
    ),
    parameters_file: Optional[Path] = typer.Option(
        None, "--parameters-file", help='CloudFormation parameters: a CLI JSON list or {"Parameters": {...}}.'
    ),
    var: List[str] = typer.Option(
        [], "--var", help="Terraform variable value for every root module: NAME=VALUE (over tfvars files)."
    ),
    var_file: List[Path] = typer.Option(
        [], "--var-file", help="Terraform variables file for every root module (over terraform.tfvars)."
    ),
    strict: Optional[bool] = typer.Option(
        None, "--strict/--no-strict", help="Report a check whose setting cannot be resolved as a finding."
    ),
    exclude: List[str] = typer.Option([], "--exclude", help="Glob of paths to skip."),
    select: List[str] = typer.Option(
        [], "--select", help="Run only these policies (id, name or Config rule; comma-separated)."
    ),
    ignore: List[str] = typer.Option([], "--ignore", help="Do not run these policies (id, name or Config rule)."),
    profile: List[str] = typer.Option(
        [], "--profile", help="Opt-in profile: account-baseline (account-level rules: trails, detectors, ...)."
    ),
    baseline: Optional[Path] = typer.Option(
        None, "--baseline", help="Fail only on findings this baseline does not hold."
    ),
    write_baseline: Optional[Path] = typer.Option(None, "--write-baseline", help="Record the current findings here."),
    lang: Optional[Language] = typer.Option(
        None, "--lang", help="Language of messages and the report: en or ja (default: configuration, then the locale)."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List undecided checks and skipped files."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Colour (default: on a terminal)."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Worker processes (default 0: one per CPU)."),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Neither read nor write the cache of parsed files (in the user cache directory)."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    """Lint CloudFormation templates and Terraform modules against FISC and K-ISMS controls."""
    from .api import Options
    from .api import lint as run_lint
    from .report import RenderOptions, chunks

    formats = [f.value for f in output_format] or ["text"]
    if len(output) > len(formats):
        raise typer.BadParameter("more --output files than --format options", param_hint="--output")
    if len(formats) - len(output) > 1:
        raise typer.BadParameter("only one format can go to standard output: give the others an --output each")
    settings = _settings(config, paths)
    fail_on_value = fail_on.value if fail_on is not None else settings.get("fail_on", "low")
    language = lang.value if lang is not None else settings.get("lang") or _locale_language()
    base = settings.get("_dir", Path("."))
    select = select or settings.get("select", [])
    ignore = ignore or settings.get("ignore", [])
    exclude = exclude or settings.get("exclude", [])
    profile = profile or settings.get("profiles", [])
    policy_dir = policy_dir or [base / d for d in settings.get("policy_dirs", [])]
    if baseline is None and settings.get("baseline"):
        baseline = base / settings["baseline"]
    unknown_profiles = sorted(set(profile) - {"account-baseline"})
    if unknown_profiles:
        raise typer.BadParameter(
            f"unknown profile {unknown_profiles[0]!r} (known: account-baseline)", param_hint="--profile"
        )
    options = Options(
        policy_dirs=list(policy_dir),
        parameters=_merge_params(settings.get("parameters", {}), _parse_params(param)),
        frameworks=frozenset(settings.get("frameworks", ())),
        exclude=tuple(exclude),
        debug=debug,
        profiles=frozenset(profile),
        jobs=jobs,
        cache=not no_cache and settings.get("cache", True),
        cfn_parameters=_cfn_parameters(parameters_file, parameter),
        tf_vars=tuple(_pair(pair, "NAME=VALUE", "--var", strip=True) for pair in var),
        tf_var_files=tuple(str(f) for f in var_file),
        tf_environ=tuple(sorted((k[len("TF_VAR_") :], v) for k, v in os.environ.items() if k.startswith("TF_VAR_"))),
        strict=strict if strict is not None else bool(settings.get("strict", False)),
        select=frozenset(n.strip() for item in select for n in item.split(",") if n.strip()),
        ignore=frozenset(n.strip() for item in ignore for n in item.split(",") if n.strip()),
    )
    report = run_lint(paths, options)
    if baseline is not None:
        from .baseline import apply

        apply(report, baseline)
    if write_baseline is not None:
        from .baseline import write

        try:
            write(report, write_baseline)
        except OSError as exc:
            typer.echo(f"fisc-iac-lint: error: {write_baseline}: cannot write: {exc.strerror}", err=True)
            raise typer.Exit(EXIT_ERROR)
    for error in report.errors:
        typer.echo(f"fisc-iac-lint: error: {error.file}: {error.message}", err=True)
    for warning in report.warnings:
        typer.echo(f"fisc-iac-lint: warning: {warning.file}: {warning.message}", err=True)
    targets: List[Optional[Path]] = [*output, *[None] * (len(formats) - len(output))]
    for fmt, target in zip(formats, targets):
        tty = target is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        options_ = RenderOptions(color=bool(tty if color is None else color), verbose=verbose, lang=language)
        pieces = chunks(fmt)(report, options_)  # written as rendered: a large report is never held whole
        if target is None:
            for piece in pieces:
                sys.stdout.write(piece)
            continue
        try:
            with target.open("w", encoding="utf-8") as handle:
                for piece in pieces:
                    handle.write(piece)
        except OSError as exc:
            typer.echo(f"fisc-iac-lint: error: {target}: cannot write: {exc.strerror}", err=True)
            raise typer.Exit(EXIT_ERROR)
    if report.errors:
        raise typer.Exit(EXIT_ERROR)
    threshold = _SEVERITY_RANK[fail_on_value]
    if any(f.counts and _SEVERITY_RANK[f.severity] >= threshold for f in report.findings):
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK)


class Framework(str, Enum):
    kisms = "k-isms"
    fisc = "fisc"


controls_app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)


@controls_app.command()
def controls(
    framework: Framework = typer.Option(..., "--framework", help="k-isms or fisc."),
    output_format: ListingFormat = typer.Option(ListingFormat.text, "--format", "-f", help="text or json."),
) -> None:
    """List every control of a framework, the policies that decide it, and what stays outside static analysis."""
    import json

    from .coverage import fisc_coverage, kisms_coverage, render_text

    data = kisms_coverage() if framework is Framework.kisms else fisc_coverage()
    if output_format is ListingFormat.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(data))


def main(argv: Optional[List[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--version" in args:
        sys.stdout.write(f"fisc-iac-lint {__version__}\n")
        return EXIT_OK
    debug = "--debug" in args
    # `controls` is a subcommand; anything else is a path (use ./controls for a directory of that name)
    app, prog = (controls_app, "fisc-iac-lint controls") if args[:1] == ["controls"] else (lint_app, "fisc-iac-lint")
    if app is controls_app:
        args = args[1:]
    try:
        app(args=args, prog_name=prog, standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_ERROR)
    except KeyboardInterrupt:
        sys.stderr.write("fisc-iac-lint: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        if debug:
            raise
        sys.stderr.write(
            f"fisc-iac-lint: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)\n"
        )
        return EXIT_INTERNAL
    return EXIT_OK
