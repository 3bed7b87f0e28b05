"""The small typed values that flow between the stages of the pipeline.

discover -> parse -> graph -> evaluate -> report

* Parsers turn files into :class:`Resource` values whose ``properties`` are
  plain Python (dict, list, str, int, float, bool, None) built from
  :class:`Mapping` and :class:`Sequence`, which are a ``dict`` and a ``list``
  that also remember the line of every key and item.
* A value a parser cannot resolve (a reference to another resource, an
  unresolved parameter or variable, a function it does not evaluate) is an
  :class:`Unknown`. *Absent* is simply a missing key; *unknown* is never
  ``None`` and never a guess.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Iterator

CLOUDFORMATION = "cloudformation"
TERRAFORM = "terraform"
FORMATS = (CLOUDFORMATION, TERRAFORM)


class Mapping(dict):
    """A dict that knows the line it starts on and the line of each key."""

    __slots__ = ("line", "end_line", "key_lines")

    def __init__(self, *args: Any, line: int = 0, end_line: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = line
        self.end_line = end_line or line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class Sequence(list):
    """A list that knows the line it starts on and the line of each item."""

    __slots__ = ("line", "end_line", "item_lines")

    def __init__(self, *args: Any, line: int = 0, end_line: int = 0) -> None:
        super().__init__(*args)
        self.line = line
        self.end_line = end_line or line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


@dataclass(frozen=True)
class Ref:
    """A reference from a value to another node of the graph."""

    target: str  # logical id, or Terraform address such as aws_s3_bucket.b / data.x.y / module.m
    attribute: str | None = None  # GetAtt attribute / Terraform attribute (id, arn, ...)


@dataclass(frozen=True)
class Unknown:
    """A value the tool could not resolve statically.

    ``expr`` is how the template wrote it (for --verbose); ``refs`` are the
    graph nodes it mentions, so that a policy can still follow them.
    """

    expr: str
    refs: tuple[Ref, ...] = ()
    maybe_absent: bool = False  # e.g. a condition whose branch may remove the property

    def __repr__(self) -> str:  # keeps snapshots and messages readable
        return f"Unknown({self.expr})"


@dataclass(frozen=True)
class Edge:
    """``source`` mentions ``target`` at ``path`` inside its properties."""

    source: str
    target: str
    path: tuple[Any, ...]
    attribute: str | None = None
    kind: str = "ref"  # ref | getatt | sub | depends_on | expression


@dataclass(frozen=True)
class CallSite:
    """Where a Terraform module is called: the resources it holds are reported with the chain."""

    file: str
    line: int
    module: str  # the full module address, e.g. module.storage.module.bucket


@dataclass
class Resource:
    format: str
    type: str
    name: str  # CloudFormation logical id or Terraform address
    properties: Mapping
    file: str
    line: int
    end_line: int
    kind: str = "resource"  # resource | data | module (Terraform)
    metadata: Mapping | None = None  # CloudFormation Metadata
    # CloudFormation resource attributes that decide what happens to it on deletion and
    # replacement: DeletionPolicy and UpdateReplacePolicy as resolved (a string, or Unknown),
    # each with its line; absent keys were not written. Terraform keeps its lifecycle block
    # in ``properties``.
    attributes: Mapping | None = None
    suppressions: tuple[Any, ...] = ()  # suppressions.Suppression written next to the resource
    via: tuple[CallSite, ...] = ()  # the module calls that lead here, outermost first (Terraform)
    # The same resource as it deploys under each assignment of the unknown conditions its
    # properties depend on (CloudFormation Fn::If); empty when nothing depends on one.
    variants: tuple["Resource", ...] = ()
    assumptions: tuple[tuple[str, bool], ...] = ()  # a variant's condition values, in the order decided
    construct: str | None = None  # the CDK construct path that made it (Metadata aws:cdk:path)
    source: str | None = None  # the app code that made it, "file:line" (a CDK stack trace), when known

    def line_of(self, path: tuple[Any, ...]) -> int:
        """The line of the deepest node of ``path`` that exists."""
        node: Any = self.properties
        line = self.line
        for key in path:
            if isinstance(node, Mapping) and key in node:
                line = node.line_of(key)
                node = node[key]
            elif isinstance(node, Sequence) and isinstance(key, int) and 0 <= key < len(node):
                line = node.line_of(key)
                node = node[key]
            else:
                break
        return line


@dataclass(frozen=True)
class ParseError:
    file: str
    message: str


@dataclass(frozen=True)
class NestedStack:
    """A CloudFormation stack resource whose template is a local file (as ``aws cloudformation package`` reads)."""

    name: str  # the stack resource's logical id
    path: str  # the child template, relative to the parent's directory as the parent's path is
    parameters: dict[str, Any]  # the values the parent passes, resolved in the parent (Unknown where not known)
    line: int


@dataclass
class Template:
    """One parsed input unit: a CloudFormation template or a Terraform module."""

    format: str
    path: str  # the file (CloudFormation) or directory (Terraform module)
    resources: list[Resource] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    files: tuple[str, ...] = ()  # every file the unit was read from
    problems: list[ParseError] = field(default_factory=list)  # read, but something is wrong
    skipped: list[tuple[str, str]] = field(default_factory=list)  # parts not checked, for --verbose
    warnings: list[ParseError] = field(default_factory=list)  # e.g. a module that is not downloaded
    account_id: str | None = None  # the account it deploys to, when given (CloudFormation AWS::AccountId)
    nested: list[NestedStack] = field(default_factory=list)  # CloudFormation stacks from local templates


def walk(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Yield (path, value) for every node below ``value``, depth first."""
    stack = [(path, value)]
    while stack:
        p, v = stack.pop()
        yield p, v
        if isinstance(v, dict):
            stack.extend(((*p, k), v[k]) for k in reversed(list(v)))
        elif isinstance(v, list):
            stack.extend(((*p, i), v[i]) for i in range(len(v) - 1, -1, -1))


def refs_in(value: Any) -> list[Ref]:
    """The references carried by the unknowns anywhere inside ``value``."""
    refs: list[Ref] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            refs.extend(item.refs)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return refs


def as_bool(value: Any) -> bool | None:
    """A bool however the template wrote it (true, "true", "True"), else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low == "true":
            return True
        if low == "false":
            return False
    return None


def as_number(value: Any) -> float | None:
    """A number however the template wrote it (22, "22", 22.0), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                return float(value.strip())
            except ValueError:
                return None
    return None


def _share_texts(value: Any, names: tuple[str, ...]) -> None:
    """Hold each repeated text once (``sys.intern``): a large scan keeps many findings and
    unknowns whose messages, files and names repeat, made anew by each unit and each pickle."""
    for name in names:
        text = getattr(value, name)
        if type(text) is str:
            object.__setattr__(value, name, sys.intern(text))


_RULE_TEXTS: dict[str, list[Any]] = {}  # rule id -> its title, remediation and controls last seen


def _share_rule_texts(finding: "Finding") -> None:
    """One title, remediation and controls mapping per rule, whatever made the finding (a worker's
    pickle brings copies, a --framework filter a new mapping): an equal one already held is used.
    Bounded by the number of rules; read only, as the policies' own texts are."""
    known = _RULE_TEXTS.get(finding.rule_id)
    if known is None:
        _RULE_TEXTS[finding.rule_id] = [finding.title, finding.remediation, finding.controls]
        return
    for index, name in enumerate(("title", "remediation", "controls")):
        value = getattr(finding, name)
        if value is known[index]:
            continue
        if value == known[index]:
            object.__setattr__(finding, name, known[index])
        else:
            known[index] = value


def _rebuilt(cls: type, values: tuple[Any, ...]) -> Any:
    return cls(*values)  # through __init__: texts shared again after a pickle from a worker


@dataclass(frozen=True, slots=True)
class Finding:
    """A policy violated by a resource: what every output format renders."""

    id: str  # deterministic: derived from policy, file and resource, never from lines
    rule_id: str
    rule_name: str
    config_rule: str | None
    severity: str
    title: dict[str, str]  # en / ja
    message: str  # English
    resource_type: str
    resource_name: str
    file: str
    line: int
    controls: dict[str, list[str]]
    remediation: dict[str, str]
    format: str
    message_ja: str = ""
    suppressed: dict[str, Any] | None = None  # {reason, expires, line} when a suppression applies
    baselined: bool = False  # recorded in the --baseline file: not new
    via: tuple[CallSite, ...] = ()  # module call sites, outermost first (Terraform modules)
    construct: str | None = None  # CDK construct path of the resource
    source: str | None = None  # "file:line" of the app code that made the resource (CDK), when known

    def origin(self, lang: str) -> str:
        """Where the resource was made, for a CDK app: "construct App/Bucket/Resource (lib/app.ts:14)"; else ""."""
        if not self.construct:
            return ""
        word = "コンストラクト" if lang == "ja" else "construct"
        return f"{word} {self.construct}" + (f" ({self.source})" if self.source else "")

    _TEXTS = (
        "rule_id",
        "rule_name",
        "config_rule",
        "severity",
        "message",
        "resource_type",
        "resource_name",
        "file",
        "format",
        "message_ja",
    )

    def __post_init__(self) -> None:
        _share_texts(self, Finding._TEXTS)
        _share_rule_texts(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (Finding, tuple(getattr(self, name) for name in self.__slots__))

    def text(self, lang: str) -> dict[str, str]:
        """Title, message and remediation in one language."""
        message = self.message_ja if lang == "ja" else self.message
        return {"title": self.title[lang], "message": message, "remediation": self.remediation[lang]}

    @property
    def counts(self) -> bool:
        """Does it fail the run (neither suppressed nor in the baseline)?"""
        return self.suppressed is None and not self.baselined


@dataclass(frozen=True, slots=True)
class UnknownResult:
    """A policy that could not be decided for a resource: counted, listed with --verbose."""

    rule_id: str
    resource_name: str
    file: str
    line: int
    reason: str
    reason_ja: str = ""

    def __post_init__(self) -> None:
        _share_texts(self, ("rule_id", "resource_name", "file", "reason", "reason_ja"))

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (UnknownResult, tuple(getattr(self, name) for name in self.__slots__))


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    unknowns: list[UnknownResult] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[ParseError] = field(default_factory=list)  # e.g. a suppression without a reason
    fixed: list[dict[str, Any]] = field(default_factory=list)  # baseline entries that no longer match
    skipped: list[tuple[str, str]] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)  # files read as templates or modules
    policies: int = 0
    rules: list[Any] = field(default_factory=list)  # the policies that ran (for SARIF rules and docs)
    baseline_used: bool = False


@dataclass(frozen=True)
class Text:
    """A message in English and Japanese. ``ja`` may be empty where no translation exists."""

    en: str = ""
    ja: str = ""

    def __bool__(self) -> bool:
        return bool(self.en or self.ja)

    @staticmethod
    def of(value: Any) -> "Text":
        """A predicate's detail as Text: a Text, a {"en", "ja"} dict, or English alone."""
        if isinstance(value, Text):
            return value
        if isinstance(value, dict):
            return Text(str(value.get("en", "")), str(value.get("ja", "")))
        return Text(str(value) if value else "", "")

    def join(self, other: "Text", sep: str = "; ", sep_ja: str = "、") -> "Text":
        if not other:
            return self
        if not self:
            return other
        ja = f"{self.ja}{sep_ja}{other.ja}" if self.ja and other.ja else ""
        return Text(f"{self.en}{sep}{other.en}", ja)

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en
