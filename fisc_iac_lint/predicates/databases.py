"""Database services (RDS, Aurora, Redshift): what depends on engines, defaults and the graph."""

from __future__ import annotations

from typing import Any

from ..graph import strip_indices
from ..model import Mapping, Unknown, as_bool, as_number
from . import Context, Verdict, predicate


def _via(path: str) -> tuple[str, ...]:
    return strip_indices(tuple(path.split(".")))


def _targets(ctx: Context, resource: Any, field: str, types: list[str]) -> list:
    return ctx.graph.targets(resource, _via(field), types)


def _line(props: Any, field: str) -> int | None:
    return props.line_of(field) if isinstance(props, Mapping) and field in props else None


@predicate
def refers_to_declared(ctx: Context, value: Any, args: dict) -> Verdict:
    """Does the resource refer, at ``args['via']``, to a resource of ``args['types']`` declared here?

    True when it does; unknown otherwise (a literal name, a parameter, or nothing at
    all): what is not declared in the template or module cannot be decided here. Used
    next to a ``connected`` condition with ``quantifier: every``, which alone would
    hold when nothing is connected.
    """
    found = _targets(ctx, ctx.resource, args["via"], args["types"])
    if found:
        return True, {
            "en": f"{args['via']} refers to {found[0].name}",
            "ja": f"{args['via']} は {found[0].name} を参照しています",
        }
    return None, {
        "en": f"the {' or '.join(args['types'])} named by {args['via']} is not declared here",
        "ja": f"{args['via']} が指す {' または '.join(args['types'])} はスキャン対象内で宣言されていません",
    }


# -- RDS: public access when PubliclyAccessible is not set (CloudFormation) ---------------------


@predicate
def rds_instance_private(ctx: Context, props: Any, args: dict) -> Verdict:
    """Is this CloudFormation DB instance private (PubliclyAccessible false, or so by default)?

    An explicit PubliclyAccessible decides. Without it RDS decides from the VPC: with
    no DB subnet group (on the instance, or on the DB cluster of an Aurora instance)
    the instance lands in the default VPC, which has an internet gateway: public (a
    read replica without a subnet group has its source's).
    With a subnet group declared here, the instance is public when the VPC of its
    subnets has an internet gateway attached in the template, private when it has
    none. A link that leaves the template (a literal name, a parameter) is unknown.
    """
    if not isinstance(props, dict):
        return None, {"en": "the DB instance's properties are unknown", "ja": "DB インスタンスのプロパティが不明です"}
    value = props.get("PubliclyAccessible")
    if value is not None:
        line = _line(props, "PubliclyAccessible")
        if isinstance(value, Unknown):
            return (
                None,
                {
                    "en": f"PubliclyAccessible is unknown: {value.expr}",
                    "ja": f"PubliclyAccessible が不明です: {value.expr}",
                },
                line,
            )
        flag = as_bool(value)
        if flag is None:
            return (
                None,
                {
                    "en": f"PubliclyAccessible is not a boolean: {value!r}",
                    "ja": f"PubliclyAccessible がブール値ではありません: {value!r}",
                },
                line,
            )
        shown = "true" if flag else "false"
        return (not flag), {"en": f"PubliclyAccessible is {shown}", "ja": f"PubliclyAccessible は {shown} です"}, line
    holder, holder_props = ctx.resource, props
    if "DBSubnetGroupName" not in props and "DBClusterIdentifier" in props:
        clusters = _targets(ctx, ctx.resource, "DBClusterIdentifier", ["AWS::RDS::DBCluster"])
        if not clusters:
            return (
                None,
                {
                    "en": "PubliclyAccessible is not set and the DB cluster, whose subnet group decides, is not declared here",
                    "ja": "PubliclyAccessible が設定されておらず、サブネットグループを決める DB クラスターがスキャン対象内で宣言されていません",
                },
            )
        holder, holder_props = clusters[0], clusters[0].properties
    elif "DBSubnetGroupName" not in props and "SourceDBInstanceIdentifier" in props:
        # a read replica in the same Region is created in its source's subnet group
        sources = _targets(ctx, ctx.resource, "SourceDBInstanceIdentifier", ["AWS::RDS::DBInstance"])
        if not sources or not isinstance(sources[0].properties, dict):
            return (
                None,
                {
                    "en": "PubliclyAccessible is not set and the replica's source, whose network decides, is not declared here",
                    "ja": "PubliclyAccessible が設定されておらず、ネットワークを決めるレプリカのソースがスキャン対象内で宣言されていません",
                },
            )
        holder, holder_props = sources[0], sources[0].properties
    if "DBSubnetGroupName" not in holder_props:
        return (
            False,
            {
                "en": (
                    "PubliclyAccessible is not set and no DBSubnetGroupName: the instance is created in the default VPC, "
                    "which has an internet gateway, so RDS makes it publicly accessible"
                ),
                "ja": (
                    "PubliclyAccessible と DBSubnetGroupName が設定されていません。インスタンスはインターネットゲートウェイを持つ"
                    "デフォルト VPC に作成されるため、RDS によってパブリックアクセス可能になります"
                ),
            },
        )
    groups = _targets(ctx, holder, "DBSubnetGroupName", ["AWS::RDS::DBSubnetGroup"])
    if not groups:
        return None, {
            "en": "PubliclyAccessible is not set and the DB subnet group is not declared here",
            "ja": "PubliclyAccessible が設定されておらず、DB サブネットグループがスキャン対象内で宣言されていません",
        }
    vpcs = []
    for group in groups:
        subnets = _targets(ctx, group, "SubnetIds", ["AWS::EC2::Subnet"])
        if not subnets:
            return None, {
                "en": f"PubliclyAccessible is not set and the subnets of {group.name} are not declared here",
                "ja": f"PubliclyAccessible が設定されておらず、{group.name} のサブネットがスキャン対象内で宣言されていません",
            }
        for subnet in subnets:
            found = _targets(ctx, subnet, "VpcId", ["AWS::EC2::VPC"])
            if not found:
                return None, {
                    "en": f"PubliclyAccessible is not set and the VPC of {subnet.name} is not declared here",
                    "ja": f"PubliclyAccessible が設定されておらず、{subnet.name} の VPC がスキャン対象内で宣言されていません",
                }
            vpcs.extend(v for v in found if v not in vpcs)
    for vpc in vpcs:
        for attachment in ctx.graph.of_type(["AWS::EC2::VPCGatewayAttachment"]):
            gateway = (
                attachment.properties.get("InternetGatewayId") if isinstance(attachment.properties, dict) else None
            )
            if gateway is not None and ctx.graph.refers(attachment, vpc, ("VpcId",)):
                return (
                    False,
                    {
                        "en": (
                            f"PubliclyAccessible is not set and the VPC {vpc.name} has an internet gateway "
                            f"({attachment.name}): RDS makes the instance publicly accessible"
                        ),
                        "ja": (
                            f"PubliclyAccessible が設定されておらず、VPC {vpc.name} にインターネットゲートウェイ "
                            f"({attachment.name}) がアタッチされています。RDS によってインスタンスはパブリックアクセス可能になります"
                        ),
                    },
                )
    return True, {
        "en": "PubliclyAccessible is not set and the VPC of the DB subnet group has no internet gateway",
        "ja": "PubliclyAccessible が設定されておらず、DB サブネットグループの VPC にインターネットゲートウェイがありません",
    }


# -- RDS: Multi-AZ of DB clusters ---------------------------------------------------------------


def _instance_count(props: Any) -> int | None:
    """How many instances a Terraform ``count`` / ``for_each`` makes (1 without them); None if unknown."""
    if not isinstance(props, dict):
        return None
    if "count" in props:
        number = as_number(props["count"])
        return None if number is None else int(number)
    if "for_each" in props:
        items = props["for_each"]
        return len(items) if isinstance(items, (dict, list)) else None
    return 1


def _for_each_values(props: Any, zone: Any) -> set[str] | None:
    """The zones of a ``for_each`` instance whose zone is ``each.value`` / ``each.key`` of a known map."""
    items = props.get("for_each") if isinstance(props, dict) else None
    if not isinstance(zone, Unknown) or not isinstance(items, dict):
        return None
    picked = {"each.value": list(items.values()), "each.key": list(items.keys())}.get(zone.expr.strip())
    if picked is None or not all(isinstance(v, str) for v in picked):
        return None
    return set(picked)


@predicate
def cluster_instances_span_azs(ctx: Context, props: Any, args: dict) -> Verdict:
    """Do the DB instances declared for this DB cluster make it Multi-AZ?

    ``args``: ``instance_types``, ``via`` (the instance field naming the cluster),
    ``instance_az``. Multi-AZ: at least two instances (Terraform ``count``/``for_each``
    counted), not all pinned to the same Availability Zone. No instance declared
    here: unknown (the instances may live in another template or module).
    """
    instances = [
        r
        for r in ctx.graph.of_type(args["instance_types"])
        if r.kind != "data" and ctx.graph.refers(r, ctx.resource, _via(args["via"]))
    ]
    if not instances:
        return None, {
            "en": "no DB instance of this cluster is declared here",
            "ja": "このクラスターの DB インスタンスはスキャン対象内で宣言されていません",
        }
    total = 0
    zones: set[str] = set()
    unpinned = False
    unknown = False
    for instance in instances:
        count = _instance_count(instance.properties)
        if count is None:
            unknown = True
            continue
        total += count
        zone = instance.properties.get(args["instance_az"]) if count else None
        spread = _for_each_values(instance.properties, zone)
        if count and zone is None:
            unpinned = True
        elif spread is not None:
            zones.update(spread)
        elif isinstance(zone, Unknown):
            unknown = True
        elif count:
            zones.add(str(zone))
    if unknown and total < 2:
        return None, {
            "en": "the number or placement of the cluster's DB instances is unknown",
            "ja": "クラスターの DB インスタンスの数または配置が不明です",
        }
    if total < 2:
        return (
            False,
            {
                "en": f"the cluster has {total} DB instance{'s' if total != 1 else ''}: no replica in another Availability Zone",
                "ja": f"クラスターの DB インスタンスは {total} 個で、別のアベイラビリティーゾーンにレプリカがありません",
            },
        )
    if not unpinned and len(zones) == 1 and not unknown:
        place = next(iter(zones))
        return False, {
            "en": f"all {total} DB instances of the cluster are in {place}",
            "ja": f"クラスターの {total} 個の DB インスタンスはすべて {place} にあります",
        }
    if not unpinned and len(zones) < 2 and unknown:
        return None, {
            "en": "the Availability Zones of the cluster's DB instances are unknown",
            "ja": "クラスターの DB インスタンスのアベイラビリティーゾーンが不明です",
        }
    return True, {
        "en": f"the cluster has {total} DB instances",
        "ja": f"クラスターには {total} 個の DB インスタンスがあります",
    }


# -- RDS: log exports by engine -----------------------------------------------------------------


def _engine(ctx: Context, args: dict) -> Any:
    props = ctx.resource.properties
    engine = props.get(args["engine_field"]) if isinstance(props, dict) else None
    if engine is None and args.get("source_field"):
        for source in _targets(ctx, ctx.resource, args["source_field"], [ctx.resource.type]):
            engine = source.properties.get(args["engine_field"])
            if engine is not None:
                break
    return engine


def _required_logs(engine: str, table: dict) -> tuple[str, list[str]] | None:
    """The table entry for ``engine``: an exact key, else the longest key followed by '-'."""
    engine = engine.lower()
    if engine in table:
        return engine, list(table[engine])
    keys = sorted((k for k in table if engine.startswith(f"{k.lower()}-")), key=len, reverse=True)
    return (keys[0], list(table[keys[0]])) if keys else None


@predicate
def exports_engine_logs(ctx: Context, props: Any, args: dict) -> Verdict:
    """Does the DB instance or cluster export every log type its engine requires?

    ``props`` are the resource's properties. ``args``: ``exports_field`` (the list of
    exported log types), ``engine_field``, ``source_field`` (optional: where a read
    replica names its source, whose engine it has), ``log_types`` (engine -> required
    log types; an engine matches its key exactly or as a prefix followed by '-', so
    ``oracle`` covers ``oracle-ee``). An engine not in the table has nothing required.
    A string of exports (a CloudFormation CommaDelimitedList) is split at commas.
    """
    engine = _engine(ctx, args)
    if engine is None:
        return None, {
            "en": f"{args['engine_field']} is not set (inherited from a snapshot or source not declared here)",
            "ja": (
                f"{args['engine_field']} が設定されていません "
                "(スキャン対象内で宣言されていないスナップショットまたはソースから継承されます)"
            ),
        }
    if isinstance(engine, Unknown):
        return None, {
            "en": f"{args['engine_field']} is unknown: {engine.expr}",
            "ja": f"{args['engine_field']} が不明です: {engine.expr}",
        }
    entry = _required_logs(str(engine), args["log_types"] or {})
    if entry is None or not entry[1]:
        return True, {
            "en": f"no log type is required for engine {engine}",
            "ja": f"エンジン {engine} に必須のログタイプはありません",
        }
    required = entry[1]
    field = args["exports_field"]
    exports = props.get(field) if isinstance(props, dict) else None
    line = _line(props, field)
    if isinstance(exports, Unknown):
        return (
            None,
            {
                "en": f"the exported log types are unknown: {exports.expr}",
                "ja": f"エクスポートされるログタイプが不明です: {exports.expr}",
            },
            line,
        )
    if isinstance(exports, str):
        exports = [e.strip() for e in exports.split(",") if e.strip()]
    items = exports if isinstance(exports, list) else ([] if exports is None else [exports])
    if any(isinstance(i, Unknown) for i in items):
        known = {str(i).lower() for i in items if not isinstance(i, Unknown)}
        if all(r.lower() in known for r in required):
            return (
                True,
                {"en": "every required log type is exported", "ja": "必須のログタイプはすべてエクスポートされています"},
                line,
            )
        return (
            None,
            {"en": "some exported log types are unknown", "ja": "エクスポートされるログタイプの一部が不明です"},
            line,
        )
    exported = {str(i).lower() for i in items}
    missing = [r for r in required if r.lower() not in exported]
    if missing:
        detail = {
            "en": f"engine {engine} does not export {', '.join(missing)} (required: {', '.join(required)})",
            "ja": f"エンジン {engine} は {', '.join(missing)} をエクスポートしていません (必須: {', '.join(required)})",
        }
        return False, detail, line
    return (
        True,
        {
            "en": f"engine {engine} exports {', '.join(required)}",
            "ja": f"エンジン {engine} は {', '.join(required)} をエクスポートしています",
        },
        line,
    )


# -- optional settings (a parameter left empty checks nothing) ----------------------------------


@predicate
def equals_when_required(ctx: Context, value: Any, args: dict) -> Verdict:
    """Does ``value`` equal ``args['expected']``, case-insensitively? Always true when the expected value is empty.

    For optional Config parameters such as preferredMaintenanceWindow: left empty,
    nothing is required. ``args['default']`` is what an absent value means (None:
    absent fails when something is expected).
    """
    expected = args.get("expected")
    if expected is None or expected == "" or expected == []:
        return True, {"en": "nothing required", "ja": "要件は指定されていません"}
    if value is None:
        value = args.get("default")
        if value is None:
            return False, {"en": f"not set; expected {expected}", "ja": f"設定されていません。期待値は {expected} です"}
    if isinstance(value, Unknown):
        return None, {"en": f"unknown: {value.expr}", "ja": f"不明です: {value.expr}"}
    if str(value).strip().lower() == str(expected).strip().lower():
        return True, {"en": f"is {value}", "ja": f"{value} です"}
    return False, {"en": f"is {value}; expected {expected}", "ja": f"{value} です。期待値は {expected} です"}


# -- Redshift: require_ssl in the cluster parameter group ---------------------------------------


def _group_requires_ssl(group: Any, args: dict) -> Verdict:
    props = group.properties if isinstance(group.properties, dict) else {}
    params = props.get(args["group_parameters"])
    if isinstance(params, Unknown):
        return None, {"en": f"the parameters of {group.name} are unknown", "ja": f"{group.name} のパラメータが不明です"}
    for item in params if isinstance(params, list) else []:
        if isinstance(item, Unknown):
            return None, {
                "en": f"a parameter of {group.name} is unknown",
                "ja": f"{group.name} のパラメータの 1 つが不明です",
            }
        if not isinstance(item, dict):
            continue
        name = item.get(args["parameter_name"])
        if isinstance(name, Unknown):
            return None, {
                "en": f"a parameter name of {group.name} is unknown",
                "ja": f"{group.name} のパラメータ名の 1 つが不明です",
            }
        if str(name).lower() != "require_ssl":
            continue
        value = item.get(args["parameter_value"])
        if isinstance(value, Unknown):
            return None, {
                "en": f"require_ssl of {group.name} is unknown: {value.expr}",
                "ja": f"{group.name} の require_ssl が不明です: {value.expr}",
            }
        if as_bool(value) is True:
            return True, {
                "en": f"{group.name} sets require_ssl to true",
                "ja": f"{group.name} は require_ssl を true に設定しています",
            }
        return False, {
            "en": f"{group.name} sets require_ssl to {value}",
            "ja": f"{group.name} は require_ssl を {value} に設定しています",
        }
    return False, {
        "en": f"{group.name} does not set require_ssl (a custom parameter group defaults to false)",
        "ja": f"{group.name} は require_ssl を設定していません (カスタムパラメータグループのデフォルトは false です)",
    }


@predicate
def redshift_requires_ssl(ctx: Context, name: Any, args: dict) -> Verdict:
    """Does the cluster parameter group named by the cluster set require_ssl to true?

    ``name`` is the cluster's parameter group name (None when absent). ``args``:
    ``via`` (the cluster field), ``group_types``, ``group_name``,
    ``group_parameters``, ``parameter_name``, ``parameter_value``. Absent: the default group,
    which for clusters created since January 2025 is default.redshift-2.0 with
    require_ssl true. default.redshift-1.0 has require_ssl false. A group declared
    here decides by its parameters; any other group is unknown.
    """
    groups = _targets(ctx, ctx.resource, args["via"], args["group_types"])
    if not groups and isinstance(name, str):
        groups = [
            g
            for g in ctx.graph.of_type(args["group_types"])
            if isinstance(g.properties, dict) and g.properties.get(args["group_name"]) == name
        ]
    if groups:
        verdicts = [_group_requires_ssl(g, args) for g in groups]
        for wanted in (False, None):
            for verdict in verdicts:
                if verdict[0] is wanted:
                    return verdict
        return verdicts[0]
    if name is None:
        return True, {
            "en": "no parameter group: the default group (default.redshift-2.0) requires SSL",
            "ja": "パラメータグループが指定されていません。デフォルトグループ (default.redshift-2.0) は SSL を必須としています",
        }
    if isinstance(name, Unknown):
        return None, {
            "en": f"the parameter group is not declared here: {name.expr}",
            "ja": f"パラメータグループはスキャン対象内で宣言されていません: {name.expr}",
        }
    text = str(name).strip().lower()
    if text == "default.redshift-1.0":
        return False, {
            "en": "default.redshift-1.0 does not require SSL (require_ssl false)",
            "ja": "default.redshift-1.0 は SSL を必須としていません (require_ssl は false です)",
        }
    if text == "default.redshift-2.0":
        return True, {"en": "default.redshift-2.0 requires SSL", "ja": "default.redshift-2.0 は SSL を必須としています"}
    return None, {
        "en": f"the parameter group {name} is not declared here",
        "ja": f"パラメータグループ {name} はスキャン対象内で宣言されていません",
    }


@predicate
def list_contains(ctx: Context, items: Any, args: dict) -> Verdict:
    """Does the list (or single value) contain one of ``args['values']``? E.g. "all" in shared_accounts.

    Compared without regard to case. Absent: False. An unknown item makes the answer
    unknown unless another item matches.
    """
    wanted = {str(v).lower() for v in args["values"]}
    if items is None:
        return False, {"en": "not set", "ja": "設定されていません"}
    if isinstance(items, Unknown):
        return None, {"en": f"unknown: {items.expr}", "ja": f"不明です: {items.expr}"}
    values = items if isinstance(items, list) else [items]
    unknown = None
    for index, item in enumerate(values):
        if isinstance(item, Unknown):
            unknown = unknown or item
            continue
        if str(item).lower() in wanted:
            line = items.line_of(index) if hasattr(items, "line_of") else None
            resource = ctx.resource
            if line is not None and not (resource.line <= line <= resource.end_line):
                line = None  # a list from a variable default: report where the resource uses it
            return True, {"en": f"contains {item!r}", "ja": f"{item!r} が含まれています"}, line
    if unknown is not None:
        return None, {"en": f"an item is unknown: {unknown.expr}", "ja": f"項目の 1 つが不明です: {unknown.expr}"}
    listed = ", ".join(sorted(wanted))
    return False, {"en": f"contains none of {listed}", "ja": f"{listed} のいずれも含まれていません"}
