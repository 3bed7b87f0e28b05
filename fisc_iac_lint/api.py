"""The pipeline as one function: ``lint(paths, options) -> Report``.

discover -> parse -> graph -> evaluate -> report. Each input unit (a template
or a Terraform module) is parsed, evaluated and dropped before the next, so
only findings are kept; a unit that cannot be read becomes one error and the
scan goes on.
"""

from __future__ import annotations

import codecs
import hashlib
import os
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import cache
from . import discover as discovery
from .controls import catalogue
from .engine import Result, evaluate
from .graph import Graph, find_cycle
from .model import (
    CLOUDFORMATION,
    TERRAFORM,
    Finding,
    Mapping,
    ParseError,
    Report,
    Resource,
    Template,
    Text,
    UnknownResult,
)
from .policies import Policy, load_policies, with_overrides
from .suppressions import today

MAX_FILE_BYTES = 10 * 1024 * 1024
ACCOUNT_BASELINE = "account-baseline"  # the profile that runs account-scope policies
_TEMPLATE_MARKERS = (b"AWSTemplateFormatVersion", b"Resources")


class InputError(Exception):
    """A file that cannot be read as text; ``str()`` is the one-line reason."""


@dataclass
class Options:
    policy_dirs: list[Path] = field(default_factory=list)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)  # policy id or name -> {param: value}
    exclude: tuple[str, ...] = ()
    max_file_bytes: int = MAX_FILE_BYTES
    debug: bool = False  # let internal errors raise, for a bug report
    profiles: frozenset[str] = frozenset()  # e.g. {"account-baseline"}
    select: frozenset[str] = frozenset()  # run only these policies (id, name or AWS Config rule)
    ignore: frozenset[str] = frozenset()  # never run these
    frameworks: frozenset[str] = frozenset()  # report only these frameworks' controls (empty: all)
    jobs: int = 0  # worker processes; 0: one per CPU
    cfn_parameters: dict[str, Any] = field(default_factory=dict)  # CloudFormation parameter values over defaults
    tf_var_files: tuple[str, ...] = ()  # --var-file, for every Terraform root module
    tf_vars: tuple[tuple[str, str], ...] = ()  # --var name=value
    tf_environ: tuple[tuple[str, str], ...] = ()  # TF_VAR_ values (the CLI passes the environment's)
    strict: bool = False  # an undecided check on a setting is a finding
    cache: bool = True  # keep parsed inputs in the user cache directory (--no-cache: neither read nor write)


def read_text(path: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise InputError(f"file is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:.0f} MB limit")
        with open(path, "rb") as handle:
            data = _read_bounded(handle, max_bytes)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    return decode(data)


def _read_bounded(handle: Any, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes, with a buffer sized to the file, not to the limit."""
    try:
        size = os.fstat(handle.fileno()).st_size
    except OSError:
        size = max_bytes
    return handle.read(min(size, max_bytes) + 1)


def decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"invalid UTF-16 at byte {exc.start}") from None
    if b"\x00" in data[:8192]:
        raise InputError("binary file (NUL bytes), not a template")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def parse_cloudformation(
    path: str, max_bytes: int = MAX_FILE_BYTES, parameters: dict[str, Any] | None = None
) -> Template | None | ParseError:
    """A template, None when the file is not a CloudFormation template, or the error."""
    from .parsers import cloudformation
    from .parsers.yamljson import LoadError

    try:
        with open(path, "rb") as handle:
            head = _read_bounded(handle, max_bytes)
    except OSError as exc:
        return ParseError(path, f"cannot read: {exc.strerror or exc}")
    try:
        if len(head) > max_bytes:
            size = os.path.getsize(path)
            raise InputError(f"file is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:.0f} MB limit")
        if not head.strip():
            raise InputError("empty file")
        if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" not in head[:8192]:
            if not any(marker in head for marker in _TEMPLATE_MARKERS):
                return None  # cheap: most YAML/JSON in a repository is not a template
        try:
            text = decode(head)
        except InputError:
            if b"\x00" in head[:8192] or not any(marker in head for marker in _TEMPLATE_MARKERS):
                raise
            raise
        kind = "cfn-json" if path.lower().endswith(".json") else "cfn-yaml"  # the loader's one use of the path
        doc = cache.parsed(kind, text, lambda source: cloudformation.load_document(source, path))
        if not cloudformation.looks_like_template(doc):
            return None
        return cloudformation.build(doc, path, parameters)
    except (InputError, LoadError) as exc:
        return ParseError(path, str(exc))


def parse_terraform(
    directory: str, max_bytes: int = MAX_FILE_BYTES, given: Any = None
) -> tuple[Template | None, list[ParseError]]:
    """A root module with the modules it calls, and the problems met (``given``: a tfvars.Given)."""
    from .parsers import hcl, terraform, tfvars

    errors: list[ParseError] = []
    loaded: dict[str, dict[str, hcl.Body]] = {}

    def load(module_dir: str) -> dict[str, hcl.Body]:
        key = os.path.normpath(module_dir)
        if key not in loaded:
            bodies = {}
            for path in terraform.module_files(module_dir):
                shown = discovery.display(path)
                try:
                    bodies[shown] = _parsed_hcl(path, max_bytes)
                except (InputError, hcl.HclError) as exc:
                    errors.append(ParseError(shown, str(exc)))
            loaded[key] = bodies
        return loaded[key]

    def read(path: str) -> str:
        try:
            return read_text(path, max_bytes)
        except InputError as exc:
            raise ValueError(str(exc)) from None

    bodies = load(directory)
    if not bodies:
        return None, errors
    values, var_errors, var_files = tfvars.gather(directory, given or tfvars.Given(), read, discovery.display)
    template = terraform.build(directory, bodies, variables=values, load=load)
    template.files = (*template.files, *var_files)
    return template, errors + var_errors + template.problems


def parse_plan(path: str, max_bytes: int = MAX_FILE_BYTES) -> Template | None | ParseError:
    """A ``terraform show -json`` plan, None when the file is not one, or the error."""
    try:
        with open(path, "rb") as handle:
            head = _read_bounded(handle, max_bytes)
    except OSError as exc:
        return ParseError(path, f"cannot read: {exc.strerror or exc}")
    if b'"planned_values"' not in head or b'"format_version"' not in head or len(head) > max_bytes:
        return None  # not a plan (or too large: the template path says so)
    from .parsers import terraform, tfplan, tfvars
    from .parsers.yamljson import LoadError, load

    try:
        doc = load(decode(head), json_mode=True)
    except (InputError, LoadError) as exc:
        return ParseError(path, f"Terraform plan: {exc}")
    if not tfplan.looks_like_plan(doc):
        return None
    directory = os.path.dirname(path) or "."
    source = None
    if terraform.module_files(directory):  # the configuration the plan was made from, for lines
        variables = doc.get("variables") if isinstance(doc.get("variables"), dict) else {}
        values = {k: v.get("value") for k, v in variables.items() if isinstance(v, dict) and "value" in v}
        given = tfvars.Given(files=(("plan variables", values),))
        source, _ = parse_terraform(discovery.display(directory), max_bytes, given)
    return tfplan.build(doc, path, source)


_HCL_MEMO: "OrderedDict[tuple[str, int, int], Any]" = OrderedDict()
_HCL_MEMO_SIZE = 256  # files: a shared module called from many root modules is parsed once


def _parsed_hcl(path: str, max_bytes: int) -> Any:
    """A ``.tf`` file's Body, parsed once per process while the file is unchanged."""
    from .parsers import hcl

    try:
        stat = os.stat(path)
        key = (os.path.realpath(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return cache.parsed("hcl", read_text(path, max_bytes), hcl.parse)
    if key in _HCL_MEMO:
        _HCL_MEMO.move_to_end(key)
        return _HCL_MEMO[key]
    body = cache.parsed("hcl", read_text(path, max_bytes), hcl.parse)  # the disk cache across runs
    _HCL_MEMO[key] = body
    if len(_HCL_MEMO) > _HCL_MEMO_SIZE:
        _HCL_MEMO.popitem(last=False)
    return body


def read_var_files(paths: tuple[str, ...]) -> tuple[tuple[tuple[str, dict[str, Any]], ...], list[ParseError]]:
    """The ``--var-file`` files, read once for every root module."""
    from .parsers import tfvars

    out, errors = [], []
    for path in paths:
        shown = discovery.display(path)
        try:
            out.append((shown, tfvars.read_file(path, read_text(path))))
        except (InputError, ValueError) as exc:
            errors.append(ParseError(shown, str(exc)))
    return tuple(out), errors


@lru_cache(maxsize=None)
def _controls(policy_id: str, config_rule: str | None, frameworks: frozenset[str]) -> dict[str, list[str]]:
    """One controls mapping per policy (of the --framework ones, if any), shared by its findings (read only)."""
    controls = catalogue().controls_for(policy_id, config_rule)
    return {k: v for k, v in controls.items() if k in frameworks} if frameworks else controls


def _finding(result: Result, occurrence: int, frameworks: frozenset[str] = frozenset()) -> Finding:
    policy, resource = result.policy, result.resource
    via = "\x1e".join(f"{site.file}:{site.module}" for site in resource.via)  # one module, two callers
    key = "\x1f".join((policy.id, resource.file, resource.name, str(occurrence), *((via,) if via else ())))
    title = policy.text["title"]
    detail = result.detail
    message = f"{title['en']}: {detail.en}" if detail.en else title["en"]
    # without a Japanese detail the Japanese title stands alone: no English in Japanese output
    message_ja = f"{title['ja']}: {detail.ja}" if detail.ja else title["ja"]
    return Finding(
        id=hashlib.sha256(key.encode("utf-8")).hexdigest()[:16],
        rule_id=policy.id,
        rule_name=policy.name,
        config_rule=policy.config_rule,
        severity=policy.severity,
        title=title,  # shared with the policy, not copied: a large scan keeps many findings
        message=message,
        message_ja=message_ja,
        resource_type=resource.type,
        resource_name=resource.name,
        file=resource.file,
        line=result.line,
        controls=_controls(policy.id, policy.config_rule, frameworks),
        remediation=policy.text["remediation"],
        format=resource.format,
        via=resource.via,
        construct=resource.construct,
        source=resource.source,
    )


def _parameters(policies: list[Policy], overrides: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    params = {}
    for policy in policies:
        merged: dict[str, Any] = {}
        for key in (policy.name, policy.id, policy.config_rule or ""):
            merged.update(overrides.get(key, {}))
        params[policy.id] = with_overrides(policy, merged)
    return params


def _names(policy: Policy) -> set[str]:
    return {policy.id, policy.name, policy.config_rule or policy.id}


def lint(paths: list[str], options: Options | None = None) -> Report:
    options = options or Options()
    cache.configure(options.cache)
    _HCL_MEMO.clear()  # files may have changed since a previous lint() in this process
    policy_set = load_policies(options.policy_dirs)
    active = [
        p
        for p in policy_set.policies
        if (p.scope == "resource" or ACCOUNT_BASELINE in options.profiles)
        and (not options.select or _names(p) & options.select)
        and not _names(p) & options.ignore
    ]
    report = Report(policies=len(active), rules=active)
    report.errors.extend(ParseError(e.split(": ", 1)[0], e.split(": ", 1)[-1]) for e in policy_set.errors)
    params = _parameters(active, options.parameters)
    found = discovery.discover(paths, options.exclude)
    report.errors.extend(found.errors)
    report.skipped.extend(found.skipped)
    given = None
    if any(u.format == TERRAFORM for u in found.units):
        found.units, given = _terraform_roots(found.units, options, report)
    scan = _Scan(
        [p for p in active if p.scope == "resource"],
        [p for p in active if p.scope == "account"],
        params,
        options,
        report,
        all_policies=policy_set.policies,
        given=given,
    )
    jobs = options.jobs or os.cpu_count() or 1
    if jobs > 1 and len(found.units) >= PARALLEL_THRESHOLD and _can_fork():
        _lint_in_parallel(scan, found.units, jobs)
    else:
        for unit in found.units:
            _run_unit(scan, unit)
    scan.account_findings(discovery.display(paths[0]) if paths else ".")
    # one finding found twice (a plan and the configuration it was made from, in one scan) is one
    report.findings = list({f.id: f for f in report.findings[::-1]}.values())
    report.findings.sort(key=lambda f: (f.file, f.line, f.rule_id, f.resource_name))
    report.unknowns.sort(key=lambda u: (u.file, u.line, u.rule_id, u.resource_name))
    # a module called from several roots is read with each: its problems are reported once
    report.errors = sorted(set(report.errors), key=lambda e: (e.file, e.message))
    report.warnings = sorted(set(report.warnings), key=lambda e: (e.file, e.message))
    report.skipped.sort()
    return report


def _terraform_roots(units: list[discovery.Unit], options: Options, report: Report) -> tuple[list[discovery.Unit], Any]:
    """Drop the modules that a scanned root module calls (they are checked through it, with its
    inputs), and read the --var-file files once."""
    from .parsers import terraform, tfvars

    directories = [u.path for u in units if u.format == TERRAFORM]
    covered = terraform.called_modules(directories)
    for directory, caller in sorted(covered.items()):
        report.skipped.append((directory, f"checked as a module called from {caller}"))
    files, errors = read_var_files(options.tf_var_files)
    report.errors.extend(errors)
    given = tfvars.Given(files=files, values=options.tf_vars, environ=options.tf_environ)
    return [u for u in units if not (u.format == TERRAFORM and u.path in covered)], given


MAX_NESTING = 10  # nested stacks below nested stacks
# what a parent's --parameter values hand down to its nested stacks (each has its own name and id)
NESTED_PSEUDO_PARAMETERS = ("AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix")
PARALLEL_THRESHOLD = 16  # fewer units than this: starting workers costs more than it saves
_WORKER_SCAN: "_Scan | None" = None  # the scan a forked worker inherits


def _run_unit(scan: "_Scan", unit: discovery.Unit) -> None:
    try:
        scan.unit(unit)
    except Exception as exc:  # noqa: BLE001 - one unit's bug must not lose the others
        if scan.options.debug:
            raise
        scan.report.errors.append(
            ParseError(unit.path, f"internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)")
        )


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _work(unit: discovery.Unit) -> tuple[Report, list[Result], set[str]]:
    """In a worker: one unit against a fresh report (policies and parameters come with the fork)."""
    scan = _WORKER_SCAN
    assert scan is not None
    scan.report, scan.account_evidence, scan.seen, scan.used, scan.formats = Report(), [], {}, set(), set()
    _run_unit(scan, unit)
    return scan.report, scan.account_evidence, scan.formats


MAX_CHUNK = 64  # units per task at most: a worker holds a task's results until it sends them


def _chunk_size(units: int, jobs: int) -> int:
    """Eight tasks per worker at least (for balance), and a bounded number of units per task, so
    that a worker's and the parent's memory for results in flight does not grow with the corpus."""
    return max(1, min(MAX_CHUNK, units // (jobs * 8)))


def _lint_in_parallel(scan: "_Scan", units: list[discovery.Unit], jobs: int) -> None:
    """Units in worker processes, merged in unit order: the output is the same as with one worker."""
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .parsers import sam

    # one import of the SAM translator (a second) for all workers, not one in each
    sam.preload([u.path for u in units if u.format == CLOUDFORMATION], scan.options.max_file_bytes)
    global _WORKER_SCAN
    _WORKER_SCAN = scan
    # the workers inherit policies, modules and caches: frozen, a worker's collections leave
    # them alone and so do not copy the pages it shares with the parent (about 3 MB a worker)
    freeze = gc.get_freeze_count() == 0  # a program that froze its own objects keeps them so
    if freeze:
        gc.freeze()  # without a collection first: it would cost the parent more (4-8 ms) than it frees
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for part, evidence, formats in pool.map(_work, units, chunksize=_chunk_size(len(units), jobs)):
                for name in ("findings", "unknowns", "errors", "warnings", "skipped", "scanned"):
                    getattr(scan.report, name).extend(getattr(part, name))
                scan.account_evidence.extend(evidence)
                scan.formats |= formats
    finally:
        if freeze:
            gc.unfreeze()
        _WORKER_SCAN = None


@dataclass
class _Scan:
    """One scan: units are parsed, evaluated and dropped one by one; only results stay."""

    resource_policies: list[Policy]
    account_policies: list[Policy]
    params: dict[str, dict[str, Any]]
    options: Options
    report: Report
    all_policies: list[Policy] = field(default_factory=list)
    account_evidence: list[Result] = field(default_factory=list)
    seen: dict[tuple[str, str, str], int] = field(default_factory=dict)
    used: set[tuple[str, int]] = field(default_factory=set)  # suppressions that matched a finding
    given: Any = None  # Terraform variable values from outside (tfvars.Given)
    formats: set[str] = field(default_factory=set)  # the formats of the templates evaluated

    def unit(self, unit: discovery.Unit) -> None:
        report = self.report
        self.seen = {}  # occurrences count within a unit, as in a worker: ids do not depend on --jobs
        template: Template | None
        if unit.format == CLOUDFORMATION:
            parsed = parse_cloudformation(unit.path, self.options.max_file_bytes, self.options.cfn_parameters)
            if parsed is None and unit.path.endswith(".json"):  # only then read it again, as a plan
                parsed = parse_plan(unit.path, self.options.max_file_bytes)
            if parsed is None:
                report.skipped.append((unit.path, "not a CloudFormation template"))
                return
            if isinstance(parsed, ParseError):
                report.errors.append(parsed)
                return
            template = parsed
            report.scanned.append(unit.path)
        else:
            template, errors = parse_terraform(unit.path, self.options.max_file_bytes, self.given)
            report.errors.extend(errors)
            if template is None:
                return
            report.scanned.extend(template.files)
        self.evaluate(template)
        self.check_suppressions(template)
        self.nested(template, (os.path.realpath(template.path),))

    def evaluate(self, template: Template, prefix: str = "") -> None:
        """Every policy on one template; ``prefix`` names the nested stack it is linted as."""
        report = self.report
        self.formats.add(template.format)
        report.skipped.extend(template.skipped)
        report.warnings.extend(template.warnings)
        cycle = find_cycle(e for e in template.edges if e.target in {r.name for r in template.resources})
        if cycle:  # CloudFormation and Terraform both reject it; the other resources are still checked
            report.errors.append(
                ParseError(template.path, f"circular dependency between resources: {' -> '.join(cycle)}")
            )
        graph = Graph(template)
        for result in evaluate(graph, self.resource_policies, self.params):
            if prefix:
                result = replace(result, resource=replace(result.resource, name=prefix + result.resource.name))
            self.record(result)
        for result in evaluate(graph, self.account_policies, self.params, keep_passes=True):
            # keep the evidence, not the graph: the resource without its properties
            light = replace(result.resource, properties=Mapping(), metadata=None, variants=())
            self.account_evidence.append(replace(result, resource=light))

    def nested(self, parent: Template, chain: tuple[str, ...], prefix: str = "") -> None:
        """Each local nested stack of ``parent``: its template linted with the parameters the parent passes.

        Its findings name the stack (``Data/Db``); a template already on ``chain`` is a cycle.
        """
        pseudo = {k: v for k, v in self.options.cfn_parameters.items() if k in NESTED_PSEUDO_PARAMETERS}
        for stack in parent.nested:
            where = f"line {stack.line}: nested stack {stack.name} ({stack.path})"
            real = os.path.realpath(stack.path)
            if real in chain or len(chain) > MAX_NESTING:
                self.report.errors.append(ParseError(parent.path, f"{where} includes itself: not linted again"))
                continue
            child = parse_cloudformation(stack.path, self.options.max_file_bytes, {**pseudo, **stack.parameters})
            if not isinstance(child, Template):
                reason = child.message if child else "not a CloudFormation template"
                self.report.errors.append(ParseError(parent.path, f"{where}: {reason}"))
                continue
            if stack.path not in self.report.scanned:
                self.report.scanned.append(stack.path)
            name = f"{prefix}{stack.name}/"
            self.evaluate(child, name)
            self.nested(child, (*chain, real), name)

    def record(self, result: Result) -> None:
        if result.ok is None and self.options.strict:  # every setting must be provable from the repository
            why = result.detail
            result = replace(
                result,
                ok=False,
                detail=Text(
                    f"cannot be resolved from the repository (--strict): {why.en}",
                    f"リポジトリの内容から値を確定できません (--strict): {why.ja}" if why.ja else "",
                ),
            )
        if result.ok is None:
            self.report.unknowns.append(
                UnknownResult(
                    result.policy.id,
                    result.resource.name,
                    result.resource.file,
                    result.line,
                    result.detail.en,
                    result.detail.ja,
                )
            )
            return
        key = (result.policy.id, result.resource.file, result.resource.name)
        self.seen[key] = self.seen.get(key, 0) + 1
        finding = _finding(result, self.seen[key], self.options.frameworks)
        names = _names(result.policy)
        for suppression in result.resource.suppressions:
            if not suppression.matches(names):
                continue
            self.used.add((result.resource.file, suppression.line))
            if suppression.problem:
                break  # reported once per suppression, after the unit
            if suppression.expires and suppression.expires < today():
                self._warn(
                    result.resource,
                    suppression,
                    f"expired on {suppression.expires}: {finding.rule_id} is reported again",
                )
                break
            finding = replace(
                finding,
                suppressed={
                    "reason": suppression.reason,
                    "expires": suppression.expires or None,
                    "line": suppression.line,
                },
            )
            break
        self.report.findings.append(finding)

    def _warn(self, resource: Resource, suppression: Any, text: str) -> None:
        ids = ", ".join(sorted(suppression.ids)) or "?"
        self.report.warnings.append(
            ParseError(resource.file, f"line {suppression.line}: suppression of {ids} on {resource.name} {text}")
        )

    def check_suppressions(self, template: Template) -> None:
        """Say what is wrong with the unit's suppressions: no reason, a bad date, nothing to suppress."""
        known = {n for p in self.all_policies for n in _names(p)}
        active = {n for p in self.resource_policies for n in _names(p)}
        said: set[tuple[str, int]] = set()  # one written suppression may cover several resources (SAM)
        for resource in template.resources:
            for suppression in resource.suppressions:
                if (resource.file, suppression.line) in said:
                    continue
                said.add((resource.file, suppression.line))
                if suppression.problem:
                    self._warn(resource, suppression, f"{suppression.problem}: it is not applied")
                elif not suppression.ids & known:
                    self._warn(resource, suppression, "names no known policy")
                elif (resource.file, suppression.line) not in self.used and suppression.ids & active:
                    self._warn(resource, suppression, "matches no finding: remove it")

    def account_findings(self, root: str) -> None:
        """An account rule holds when at least one resource anywhere in the scan satisfies it."""
        for policy in self.account_policies:
            evidence = [r for r in self.account_evidence if r.policy.id == policy.id]
            if any(r.ok is True for r in evidence):
                continue
            if any(r.ok is None for r in evidence):
                for r in evidence:
                    if r.ok is None:
                        self.record(r)
                continue
            if evidence:  # defined, but none conforms: each one is a finding
                for r in evidence:
                    self.record(r)
                continue
            types = sorted({t for checks in policy.checks.values() for c in checks for t in c.resource_types})
            account = Resource(policy.formats()[0], "AWS account", "account", Mapping(), root, 0, 0)
            listed = " / ".join(types)
            if not self.formats & set(policy.formats()):
                # only formats that cannot express the resource were scanned: the account is not decided
                can = " / ".join(
                    {"cloudformation": "CloudFormation", "terraform": "Terraform"}[f] for f in policy.formats()
                )
                why = Text(
                    f"the scan has no {can}, the only format that can define {listed}",
                    f"{listed} を定義できる形式 ({can}) がスキャン対象にありません",
                )
                self.record(Result(policy, account, None, 0, why))
                continue
            missing = Text(
                f"no {listed} is defined in the scanned files", f"スキャンしたファイルに {listed} が定義されていません"
            )
            self.record(Result(policy, account, False, 0, missing))
