"""FISC predicates: SPF records published in DNS (FISCSEC10-BP01); ECS container logging (FISCSEC7-BP01).

An SPF policy is a TXT record at a domain whose text starts with ``v=spf1``
(RFC 7208). Route 53 stores a TXT value as one or more quoted character strings
(``"v=spf1 ip4:192.0.2.0/24" " -all"``); a receiver concatenates them without
adding spaces. CloudFormation writes the quotes (``'"v=spf1 ... -all"'``);
Terraform writes the value without them and splits long values with ``\\"\\"``.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Unknown
from . import Context, Verdict, predicate

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SPF = re.compile(r"(?i)^v=spf1(\s|$)")
_ALL = re.compile(r"(?i)^([+\-~?]?)all$")
_REDIRECT = re.compile(r"(?i)^redirect=")


def txt_text(value: str) -> str:
    """The text a receiver reads from one Route 53 TXT value (its character strings joined)."""
    stripped = value.strip()
    if stripped.startswith('"'):
        parts = _QUOTED.findall(stripped)
        if parts:
            return "".join(p.replace('\\"', '"').replace("\\\\", "\\") for p in parts)
    return stripped.replace('""', "")


def spf_verdict(text: str, require_hard_fail: bool = False) -> tuple[bool, dict]:
    """Whether one SPF record rejects (-all) or soft-fails (~all) senders it does not list."""
    terms = text.split()[1:]
    for term in terms:
        match = _ALL.match(term)
        if not match:
            continue
        qualifier = match.group(1) or "+"
        if qualifier == "-":
            return True, {"en": "the SPF record ends in -all", "ja": "SPF レコードは -all で終わっています"}
        if qualifier == "~":
            if require_hard_fail:
                return False, {
                    "en": "the SPF record ends in ~all (soft fail); -all is required",
                    "ja": "SPF レコードは ~all (ソフトフェイル) で終わっています。-all が必要です",
                }
            return True, {"en": "the SPF record ends in ~all", "ja": "SPF レコードは ~all で終わっています"}
        shown = term
        if qualifier == "+":
            return False, {
                "en": f"the SPF record ends in {shown}: any server may send mail as this domain",
                "ja": f"SPF レコードが {shown} で終わっています。どのサーバーでもこのドメインとしてメールを送信できます",
            }
        return False, {
            "en": f"the SPF record ends in {shown} (neutral): receivers get no verdict for unlisted senders",
            "ja": f"SPF レコードが {shown} (中立) で終わっています。記載のない送信元について受信側は判定できません",
        }
    if any(_REDIRECT.match(term) for term in terms):
        return True, {
            "en": "the SPF record delegates with redirect=",
            "ja": "SPF レコードは redirect= で別のレコードに委ねています",
        }
    return False, {
        "en": "the SPF record has no all mechanism: unlisted senders get a neutral result",
        "ja": "SPF レコードに all メカニズムがありません。記載のない送信元は中立と判定されます",
    }


def _line(container: Any, index: int) -> int | None:
    line_of = getattr(container, "line_of", None)
    return line_of(index) if line_of else getattr(container, "line", None)


def _record_key(props: Any) -> tuple[str, str] | None:
    """(name, zone) of a record set with a literal name and no routing policy; None otherwise."""
    if not isinstance(props, dict):
        return None
    if props.get("SetIdentifier") is not None or props.get("set_identifier") is not None:
        return None  # one record set of a routing policy answers each query
    name = props.get("Name", props.get("name"))
    if not isinstance(name, str):
        return None
    zone = props.get("HostedZoneId", props.get("HostedZoneName", props.get("zone_id")))
    zone_key = (
        zone
        if isinstance(zone, str)
        else (",".join(sorted(r.target for r in zone.refs)) if isinstance(zone, Unknown) else "")
    )
    return name.lower().rstrip("."), zone_key


def _publishes_spf(props: Any) -> bool:
    record_type = props.get("Type", props.get("type"))
    if not isinstance(record_type, str) or record_type.upper() not in ("TXT", "SPF"):
        return False
    records = props.get("ResourceRecords", props.get("records"))
    items = records if isinstance(records, list) else []
    return any(isinstance(item, str) and _SPF.match(txt_text(item)) for item in items)


def _other_spf_record_set(ctx: Context, props: Any) -> str | None:
    """Another record set of the scan that publishes SPF at the same name (and zone), if any."""
    key = _record_key(props)
    if key is None:
        return None
    for other in ctx.graph.of_type([ctx.resource.type]):
        if other.name == ctx.resource.name or other.file != ctx.resource.file and other.format == "cloudformation":
            continue
        if _record_key(other.properties) == key and _publishes_spf(other.properties):
            return other.name
    return None


@predicate
def spf_record_restrictive(ctx: Context, value: Any, args: dict) -> Verdict:
    """True when a Route 53 record set publishes at most one SPF record and it ends in -all or ~all.

    ``value`` is a record set: CloudFormation (Type, ResourceRecords) or Terraform
    (type, records). Record sets of other types, and TXT sets without SPF, hold.
    ``args.require_hard_fail``: only -all is accepted.
    """
    if isinstance(value, Unknown) or not isinstance(value, dict):
        return None, {"en": "the record set is unknown", "ja": "レコードセットが不明です"}
    record_type = value.get("Type", value.get("type"))
    if isinstance(record_type, Unknown):
        return None, {
            "en": f"the record type is unknown: {record_type.expr}",
            "ja": f"レコードタイプが不明です: {record_type.expr}",
        }
    if not isinstance(record_type, str) or record_type.upper() not in ("TXT", "SPF"):
        return True, {"en": "not a TXT record", "ja": "TXT レコードではありません"}
    records = value.get("ResourceRecords", value.get("records"))
    if records is None:
        return True, {"en": "no records", "ja": "レコードがありません"}
    if isinstance(records, Unknown):
        return None, {"en": f"the records are unknown: {records.expr}", "ja": f"レコードが不明です: {records.expr}"}
    items = records if isinstance(records, list) else [records]
    unknown: list[str] = []
    spf: list[tuple[str, int | None]] = []
    for index, item in enumerate(items):
        if isinstance(item, Unknown):
            unknown.append(item.expr)
            continue
        if not isinstance(item, str):
            continue
        text = txt_text(item)
        if _SPF.match(text):
            spf.append((text, _line(records, index) if isinstance(records, list) else None))
    if len(spf) > 1:
        return (
            False,
            {
                "en": f"{len(spf)} SPF records (v=spf1) at one name: receivers return a permanent error",
                "ja": f"1 つの名前に SPF レコード (v=spf1) が {len(spf)} 件あります。受信側は恒久的エラーと判定します",
            },
            spf[1][1],
        )
    if spf and ctx is not None and value is ctx.resource.properties:
        other = _other_spf_record_set(ctx, value)
        if other:
            return (
                False,
                {
                    "en": f"{other} also publishes an SPF record (v=spf1) at this name: receivers return a permanent error",
                    "ja": f"{other} もこの名前で SPF レコード (v=spf1) を公開しています。受信側は恒久的エラーと判定します",
                },
                spf[0][1],
            )
    if spf:
        text, line = spf[0]
        # an unknown value beside a known SPF record is taken as another TXT value
        # (a verification token), not as a second SPF record
        ok, detail = spf_verdict(text, bool(args.get("require_hard_fail", False)))
        return ok, detail, line
    if unknown:
        return None, {
            "en": f"a TXT value is unknown: {unknown[0]}",
            "ja": f"TXT の値が不明です: {unknown[0]}",
        }
    return True, {"en": "no SPF record", "ja": "SPF レコードはありません"}


# -- ECS container logging (FISCSEC7-BP01) ----------------------------------------------


def _container_list(value: Any) -> Any:
    """Container definitions as a list: a structure (jsonencode) or a JSON string (heredoc)."""
    if isinstance(value, str):
        import json

        try:
            return json.loads(value)
        except ValueError:
            return Unknown(value[:40], ())
    return value


def _get(mapping: Any, *keys: str) -> Any:
    """The first key present, any casing the formats use (logConfiguration / LogConfiguration)."""
    if not isinstance(mapping, dict):
        return None
    for key in keys:
        if key in mapping:
            return mapping[key]
    return None


@predicate
def containers_ship_logs(ctx: Context, value: Any, args: dict) -> Verdict:
    """True when every ECS container definition has a log driver among ``args.log_drivers``.

    ``value`` is the container definitions: a CloudFormation list (LogConfiguration.LogDriver),
    or Terraform's container_definitions, a jsonencode structure or a JSON string
    (logConfiguration.logDriver). The FireLens log router itself (firelensConfiguration) holds.
    """
    drivers = [str(d) for d in args.get("log_drivers", ["awslogs", "awsfirelens"])]
    containers = _container_list(value)
    if isinstance(containers, Unknown):
        return None, {
            "en": f"the container definitions are unknown: {containers.expr}",
            "ja": f"コンテナ定義が不明です: {containers.expr}",
        }
    if not isinstance(containers, list):
        return None, {"en": "the container definitions are not a list", "ja": "コンテナ定義がリストではありません"}
    unknown = None
    for index, container in enumerate(containers):
        line = _line(containers, index) if hasattr(containers, "line_of") else None
        if isinstance(container, Unknown):
            unknown = unknown or (container.expr, line)
            continue
        if not isinstance(container, dict):
            continue
        name = _get(container, "name", "Name")
        name = name if isinstance(name, str) else f"#{index + 1}"
        if _get(container, "firelensConfiguration", "FirelensConfiguration") is not None:
            continue
        config = _get(container, "logConfiguration", "LogConfiguration")
        driver = _get(config, "logDriver", "LogDriver")
        if isinstance(config, Unknown) or isinstance(driver, Unknown):
            unknown = unknown or (f"{name}: log configuration", line)
            continue
        if driver is None:
            return (
                False,
                {"en": f"container {name} has no log configuration", "ja": f"コンテナ {name} にログ設定がありません"},
                line,
            )
        if str(driver) not in drivers:
            key = "logDriver" if "logDriver" in config else "LogDriver"
            if hasattr(config, "line_of"):
                line = config.line_of(key) or line
            return (
                False,
                {
                    "en": f"container {name} logs with {driver}, not one of {', '.join(drivers)}",
                    "ja": f"コンテナ {name} のログドライバーは {driver} で、{', '.join(drivers)} のいずれでもありません",
                },
                line,
            )
    if unknown:
        return (
            None,
            {"en": f"a container definition is unknown: {unknown[0]}", "ja": f"コンテナ定義が不明です: {unknown[0]}"},
            unknown[1],
        )
    return True, {"en": "every container ships its logs", "ja": "すべてのコンテナがログを送信しています"}


# -- PostgreSQL pgaudit (FISCSEC7-BP01) --------------------------------------------------


def _group_parameters(props: Any) -> tuple[dict[str, Any], dict[str, int | None]] | None:
    """A parameter group's parameters by name, with their lines: CloudFormation Parameters or Terraform parameter blocks."""
    if not isinstance(props, dict):
        return None
    values: dict[str, Any] = {}
    lines: dict[str, int | None] = {}
    cfn = props.get("Parameters")
    if isinstance(cfn, Unknown):
        return None
    if isinstance(cfn, dict):
        for key, val in cfn.items():
            values[str(key)] = val
            lines[str(key)] = cfn.line_of(key) if hasattr(cfn, "line_of") else None
    blocks = props.get("parameter")
    if isinstance(blocks, Unknown):
        return None
    if isinstance(blocks, list):
        for index, block in enumerate(blocks):
            if isinstance(block, Unknown):
                return None
            if isinstance(block, dict) and isinstance(block.get("name"), str):
                values[block["name"]] = block.get("value")
                lines[block["name"]] = block.line_of("value") if hasattr(block, "line_of") else _line(blocks, index)
    return values, lines


@predicate
def pgaudit_enabled(ctx: Context, value: Any, args: dict) -> Verdict:
    """True when a PostgreSQL (cluster) parameter group loads pgaudit and logs some session classes.

    ``value`` is the parameter group's properties. pgaudit must be in
    shared_preload_libraries and pgaudit.log must name a class other than none.
    """
    found = _group_parameters(value)
    if found is None:
        return None, {"en": "the parameters are unknown", "ja": "パラメータが不明です"}
    params, lines = found
    libraries = params.get("shared_preload_libraries")
    if isinstance(libraries, Unknown):
        return None, {
            "en": f"shared_preload_libraries is unknown: {libraries.expr}",
            "ja": f"shared_preload_libraries が不明です: {libraries.expr}",
        }
    loaded = [part.strip().lower() for part in str(libraries or "").split(",")]
    if "pgaudit" not in loaded:
        return (
            False,
            {
                "en": "pgaudit is not in shared_preload_libraries",
                "ja": "shared_preload_libraries に pgaudit が含まれていません",
            },
            lines.get("shared_preload_libraries"),
        )
    classes = params.get("pgaudit.log")
    if isinstance(classes, Unknown):
        return None, {"en": f"pgaudit.log is unknown: {classes.expr}", "ja": f"pgaudit.log が不明です: {classes.expr}"}
    names = [part.strip().lower() for part in str(classes or "").split(",") if part.strip()]
    if not names or names == ["none"]:
        return (
            False,
            {
                "en": "pgaudit.log is not set: pgaudit logs no session class",
                "ja": "pgaudit.log が設定されていないため、pgaudit はセッションのクラスを記録しません",
            },
            lines.get("pgaudit.log") or lines.get("shared_preload_libraries"),
        )
    return True, {"en": f"pgaudit logs {classes}", "ja": f"pgaudit は {classes} を記録します"}
