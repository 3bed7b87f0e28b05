"""CIDR and port arithmetic that declarative conditions cannot express."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..model import Mapping, Unknown, as_bool, as_number
from ..tristate import any3 as _any
from . import Context, Verdict, predicate

_ALL_PROTOCOLS = {"-1", "all"}
_TCP = {"tcp", "6"}


def any_address(cidr: Any) -> bool | None:
    """True for a range that covers every address (0.0.0.0/0, ::/0 in any spelling)."""
    if isinstance(cidr, Unknown):
        return None
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def _values(rule: dict, fields: list[str]) -> list[Any]:
    out: list[Any] = []
    for name in fields:
        value = rule.get(name)
        if isinstance(value, list):
            out.extend(value)
        elif value is not None:
            out.append(value)
    return out


def _covers(rule: dict, port: int, args: dict) -> bool | None:
    protocol = rule.get(args["protocol_field"])
    if isinstance(protocol, Unknown):
        return None
    protocol = str(protocol).lower() if protocol is not None else ""
    if protocol in _ALL_PROTOCOLS:
        return True
    if protocol not in _TCP:
        return False
    low, high = rule.get(args["from_field"]), rule.get(args["to_field"])
    if isinstance(low, Unknown) or isinstance(high, Unknown):
        return None
    low_n, high_n = as_number(low), as_number(high)
    if low_n is None or high_n is None or low_n < 0 or high_n < 0:
        return True  # no port range (or -1) on TCP means every port
    return low_n <= port <= high_n


def _ports(value: Any) -> list[int]:
    """The ``ports`` argument as ints: a list, or one port (``--param x.ports=22`` gives 22)."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [int(p) for p in items if p is not None and p != ""]


def _all_ports(args: dict) -> list[int]:
    """``ports`` and every ``ports_<n>`` argument (one policy parameter each), in order."""
    ports = _ports(args.get("ports"))
    extra = sorted((k for k in args if k.startswith("ports_") and k[6:].isdigit()), key=lambda k: int(k[6:]))
    for key in extra:
        ports.extend(p for p in _ports(args[key]) if p not in ports)
    return ports


@predicate
def ingress_open_to_world(ctx: Context, rule: Any, args: dict) -> Verdict:
    """Does this ingress rule admit the whole internet to one of ``args['ports']`` over TCP?

    ``args``: ``ports`` (list of ints, or one int; ``ports_1``, ``ports_2`` ... add more,
    so that each port can be its own policy parameter; empty ones are skipped),
    ``cidr_fields`` (fields holding a CIDR or a list of CIDRs), ``from_field``,
    ``to_field``, ``protocol_field``. With no port at all (``[]``), any port counts.

    Open = (some source covers every address) AND (the protocol and port range cover
    a port), with Kleene's logic: a rule whose ports are certainly not covered is not
    open even if its source is unknown, and the other way round.
    """
    if isinstance(rule, Unknown):
        return None, {"en": f"rule is unknown: {rule.expr}", "ja": f"ルールが不明です: {rule.expr}"}
    if not isinstance(rule, dict):
        return False, ""
    source = _any([any_address(c) for c in _values(rule, args["cidr_fields"])])
    if source is False:
        return False, ""
    ports = _all_ports(args)
    covered = [_covers(rule, p, args) for p in ports] if ports else [True]
    port = _any(covered)
    if port is False:
        return False, ""
    if source is None:
        return None, {"en": "source range is unknown", "ja": "送信元の範囲が不明です"}
    if port is None:
        return None, {"en": "protocol or port range is unknown", "ja": "プロトコルまたはポート範囲が不明です"}
    hit = ports[covered.index(True)] if ports else None
    field, cidr = next((f, c) for f in args["cidr_fields"] for c in _values(rule, [f]) if any_address(c))
    line = rule.line_of(field) if isinstance(rule, Mapping) else None
    where = f" on port {hit}" if hit is not None else ""
    where_ja = f"ポート {hit} を" if hit is not None else ""
    detail = {
        "en": f"{field} {cidr} opens it to the internet{where}",
        "ja": f"{field} {cidr} が{where_ja}インターネットに開放しています",
    }
    return True, detail, line


# -- authorized ports ------------------------------------------------------------------

_UDP = {"udp", "17"}
_EVERY_PORT = (0, 65535)


def _port_ranges(value: Any) -> list[tuple[int, int]]:
    """Authorized ports as ranges: ints, "443", "1020-1025", or a comma-separated string of them."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    out: list[tuple[int, int]] = []
    for item in items:
        if isinstance(item, str) and "," in item:
            out.extend(_port_ranges([p for p in item.split(",")]))
            continue
        text = str(item).strip()
        if not text:
            continue
        low, dash, high = text.partition("-")
        out.append((int(low), int(high)) if dash else (int(text), int(text)))
    return out


def _within(low: int, high: int, allowed: list[tuple[int, int]]) -> bool:
    """Is every port of low..high inside the union of ``allowed``?"""
    port = low
    for start, end in sorted(allowed):
        if start > port:
            break
        if end >= port:
            port = end + 1
        if port > high:
            return True
    return port > high


def _range_of(rule: dict, args: dict) -> tuple[int, int] | None | Unknown:
    low, high = rule.get(args["from_field"]), rule.get(args["to_field"])
    if isinstance(low, Unknown):
        return low
    if isinstance(high, Unknown):
        return high
    low_n, high_n = as_number(low), as_number(high)
    if low_n is None or high_n is None or low_n < 0 or high_n < 0:
        return _EVERY_PORT  # no port range (or -1) means every port
    return int(low_n), int(high_n)


def _unauthorized(rule: dict, args: dict) -> tuple[bool | None, str]:
    """Does the rule's protocol and port range reach beyond the authorized ports?"""
    protocol = rule.get(args["protocol_field"])
    if isinstance(protocol, Unknown):
        return None, ""
    name = str(protocol).strip().lower() if protocol is not None else ""
    if name in _ALL_PROTOCOLS:
        return True, "all protocols and ports"
    if name in _TCP:
        label, allowed = "TCP", _port_ranges(args.get("authorized_tcp_ports"))
    elif name in _UDP:
        label, allowed = "UDP", _port_ranges(args.get("authorized_udp_ports"))
    else:
        return False, ""  # ICMP and other protocols carry no ports: not evaluated
    ports = _range_of(rule, args)
    if isinstance(ports, Unknown):
        return None, ""
    low, high = ports
    if low > high:
        return False, ""  # an empty (reversed) range admits nothing
    shown = f"{label} {low}" if low == high else f"{label} {low}-{high}"
    return (not _within(low, high, allowed)), shown


@predicate
def ingress_open_to_world_on_unauthorized_port(ctx: Context, rule: Any, args: dict) -> Verdict:
    """Does this ingress rule admit the whole internet to a port that is not authorized?

    ``args``: ``authorized_tcp_ports`` / ``authorized_udp_ports`` (ints, "a-b" ranges or
    a comma-separated string; empty = none authorized), ``cidr_fields``, ``from_field``,
    ``to_field``, ``protocol_field``. A TCP or UDP rule is unauthorized unless its whole
    port range lies inside the authorized ports of its protocol; all protocols (-1) is
    always unauthorized; other protocols (ICMP ...) are not evaluated.
    """
    if isinstance(rule, Unknown):
        return None, {"en": f"rule is unknown: {rule.expr}", "ja": f"ルールが不明です: {rule.expr}"}
    if not isinstance(rule, dict):
        return False, ""
    source = _any([any_address(c) for c in _values(rule, args["cidr_fields"])])
    if source is False:
        return False, ""
    port, shown = _unauthorized(rule, args)
    if port is False:
        return False, ""
    if source is None:
        return None, {"en": "source range is unknown", "ja": "送信元の範囲が不明です"}
    if port is None:
        return None, {"en": "protocol or port range is unknown", "ja": "プロトコルまたはポート範囲が不明です"}
    field, cidr = next((f, c) for f in args["cidr_fields"] for c in _values(rule, [f]) if any_address(c))
    line = rule.line_of(field) if isinstance(rule, Mapping) else None
    shown_ja = "すべてのプロトコルとポート" if shown == "all protocols and ports" else shown
    detail = {
        "en": f"{field} {cidr} opens {shown} to the internet, which is not an authorized port",
        "ja": f"{field} {cidr} が許可されていない {shown_ja} をインターネットに開放しています",
    }
    return True, detail, line


# -- routes and references -------------------------------------------------------------


@predicate
def cidr_is_any_address(ctx: Context, value: Any, args: dict) -> Verdict:
    """Is the value a CIDR that covers every address (0.0.0.0/0, ::/0 in any spelling)?"""
    if value is None:
        return False, ""
    ok = any_address(value)
    if ok is None:
        return None, {"en": f"destination is unknown: {value.expr}", "ja": f"送信先が不明です: {value.expr}"}
    if not ok:
        return ok, ""
    return ok, {
        "en": f"destination {value} is every address",
        "ja": f"送信先 {value} はすべてのアドレスを対象としています",
    }


_IGW_TYPES = {"AWS::EC2::InternetGateway", "aws_internet_gateway"}


@predicate
def is_internet_gateway(ctx: Context, value: Any, args: dict) -> Verdict:
    """Is the route target an internet gateway (igw-..., or a declared internet gateway)?

    An egress-only internet gateway (eigw-) and virtual private gateways are not. A
    reference to another resource of the scan is decided by its type; a value that
    refers to nothing declared (a parameter or variable without a default) is unknown.
    """
    if value is None:
        return False, ""
    if isinstance(value, Unknown):
        types = [ctx.graph.by_name[r.target].type for r in value.refs if r.target in ctx.graph.by_name]
        if any(t in _IGW_TYPES for t in types):
            return True, {
                "en": f"the target {value.expr} is an internet gateway",
                "ja": f"ターゲット {value.expr} はインターネットゲートウェイです",
            }
        if types:
            return False, ""
        return None, {
            "en": f"the route target is unknown: {value.expr}",
            "ja": f"ルートのターゲットが不明です: {value.expr}",
        }
    if isinstance(value, str):
        ok = value.strip().lower().startswith("igw-")
        if not ok:
            return ok, ""
        return ok, {
            "en": f"the target {value} is an internet gateway",
            "ja": f"ターゲット {value} はインターネットゲートウェイです",
        }
    return False, ""


@predicate
def refers_outside(ctx: Context, value: Any, args: dict) -> Verdict:
    """Unknown when the value names something not declared in the scan, else False.

    ``args``: ``id_fields`` (optional): read these fields of the value (a mapping, or a
    list of them) instead of the value itself. Put it last in an ``any_of`` whose other
    alternatives follow a connection: a launch template, subnet or group given by a
    literal id, a parameter or a variable cannot be read, so the result is unknown
    rather than a failure. A reference to a declared resource is left to the others.
    """
    fields = args.get("id_fields") or []
    leaves: list[Any] = []
    for item in value if isinstance(value, list) else [value]:
        if fields and isinstance(item, dict):
            leaves.extend(item.get(f) for f in fields)
        elif not fields:
            leaves.append(item)
    for leaf in leaves:
        if isinstance(leaf, Unknown):
            if any(r.target in ctx.graph.by_name for r in leaf.refs):
                continue
            return None, {
                "en": f"{leaf.expr} is not declared here",
                "ja": f"{leaf.expr} はスキャン対象内で宣言されていません",
            }
        if isinstance(leaf, str) and leaf.strip():
            return None, {"en": f"{leaf} is not declared here", "ja": f"{leaf} はスキャン対象内で宣言されていません"}
    return False, ""


# -- EC2 instances: public IPv4 addresses ----------------------------------------------

_EIP_SOURCES = {
    ("AWS::EC2::EIP", "InstanceId"),
    ("AWS::EC2::EIPAssociation", "InstanceId"),
    ("aws_eip", "instance"),
    ("aws_eip_association", "instance_id"),
}
_SUBNET_MAP = {"AWS::EC2::Subnet": "MapPublicIpOnLaunch", "aws_subnet": "map_public_ip_on_launch"}
_LAUNCH_TEMPLATES = {"AWS::EC2::LaunchTemplate", "aws_launch_template"}


_LAUNCH_TEMPLATE_UNDECLARED = {
    "en": "the launch template is not declared here",
    "ja": "起動テンプレートはスキャン対象内で宣言されていません",
}


def _unknown_text(subject_en: str, subject_ja: str, value: Unknown) -> dict:
    """'<subject> unknown: <expr>' in both languages (``subject_ja`` ends in が)."""
    return {"en": f"{subject_en} unknown: {value.expr}", "ja": f"{subject_ja}不明です: {value.expr}"}


def _prefixed(name: str, detail: dict) -> dict:
    """``detail`` (both languages) after ``name: ``."""
    return {"en": f"{name}: {detail['en']}", "ja": f"{name}: {detail['ja']}"}


def _key_line(node: Any, key: str) -> int | None:
    return node.line_of(key) if isinstance(node, Mapping) and key in node else None


def _declared(ctx: Context, value: Any, types: set[str]) -> list[Any]:
    """The declared resources of ``types`` that ``value`` refers to."""
    if not isinstance(value, Unknown):
        return []
    out = []
    for ref in value.refs:
        other = ctx.graph.by_name.get(ref.target)
        if other is not None and other.type in types and other not in out:
            out.append(other)
    return out


def _primary(interfaces: list) -> Any:
    """The interface with device index 0, else the first."""
    for item in interfaces:
        if isinstance(item, dict) and as_number(item.get("DeviceIndex", item.get("device_index"))) == 0:
            return item
    return interfaces[0] if interfaces else None


def _subnet_assigns(ctx: Context, subnet: Any) -> tuple[bool | None, dict | str]:
    """Does launching into ``subnet`` assign a public IPv4 address (its auto-assign setting)?"""
    if subnet is None:
        return (
            True,
            {
                "en": "no subnet is given: the instance is launched into a default subnet,"
                " which assigns public IPv4 addresses",
                "ja": "サブネットが指定されていません。インスタンスはデフォルトサブネットで起動され、"
                "パブリック IPv4 アドレスが割り当てられます",
            },
        )
    declared = _declared(ctx, subnet, set(_SUBNET_MAP) | {"aws_default_subnet"})
    if not declared:
        shown = subnet.expr if isinstance(subnet, Unknown) else subnet
        return None, {
            "en": f"the subnet {shown} is not declared here",
            "ja": f"サブネット {shown} はスキャン対象内で宣言されていません",
        }
    other = declared[0]
    if other.type == "aws_default_subnet" and "map_public_ip_on_launch" not in other.properties:
        return None, {
            "en": f"{other.name} keeps the default subnet's own auto-assign setting",
            "ja": f"{other.name} ではデフォルトサブネット自体の自動割り当て設定がそのまま使われます",
        }
    key = _SUBNET_MAP.get(other.type, "map_public_ip_on_launch")
    value = other.properties.get(key, False)
    if isinstance(value, Unknown):
        return None, {
            "en": f"{other.name} {key} is unknown: {value.expr}",
            "ja": f"{other.name} の {key} が不明です: {value.expr}",
        }
    if as_bool(value):
        return True, {
            "en": f"the subnet {other.name} has {key} true",
            "ja": f"サブネット {other.name} の {key} が true です",
        }
    return False, ""


def _interfaces_decide(ctx: Context, interfaces: Any, subnet_key: str, assoc_key: str, eni_key: str):
    """(verdict, detail, line, subnet) from a list of network interfaces; verdict None = go on."""
    if isinstance(interfaces, Unknown):
        return (
            "unknown",
            _unknown_text("network interfaces are", "ネットワークインターフェイスが", interfaces),
            None,
            None,
        )
    items = [i for i in interfaces if isinstance(i, (dict, Unknown))] if isinstance(interfaces, list) else []
    if not items:
        return None, "", None, None
    for item in items:
        if isinstance(item, Unknown):
            return (
                "unknown",
                _unknown_text("a network interface is", "ネットワークインターフェイスの 1 つが", item),
                None,
                None,
            )
        value = item.get(assoc_key)
        if as_bool(value) is True:
            return (
                True,
                {"en": f"{assoc_key} is true", "ja": f"{assoc_key} が true です"},
                _key_line(item, assoc_key),
                None,
            )
    primary = _primary(items)
    value = primary.get(assoc_key)
    if isinstance(value, Unknown):
        return (
            "unknown",
            _unknown_text(f"{assoc_key} is", f"{assoc_key} が", value),
            _key_line(primary, assoc_key),
            None,
        )
    if as_bool(value) is False:
        return False, "", None, None
    if primary.get(eni_key) is not None:
        return False, "", None, None  # an existing interface gets no automatic public address
    return "subnet", "", None, primary.get(subnet_key)


@predicate
def instance_has_public_ip(ctx: Context, props: Any, args: dict) -> Verdict:
    """Will this EC2 instance (AWS::EC2::Instance or aws_instance) have a public IPv4 address?

    Decided, in order, by: an Elastic IP associated with it (AWS::EC2::EIP,
    AWS::EC2::EIPAssociation, aws_eip, aws_eip_association); an explicit association
    setting on the instance or its network interfaces; an existing network interface
    (no automatic address); the network interfaces of its launch template, when declared;
    else the auto-assign setting of the subnet it is launched into (MapPublicIpOnLaunch /
    map_public_ip_on_launch, false unless set), where no subnet at all means a default
    subnet, which assigns public addresses. A subnet or launch template that is not
    declared in the scan leaves it unknown.
    """
    resource = ctx.resource
    for edge in ctx.graph.incoming(resource):
        source = ctx.graph.by_name[edge.source]
        if edge.path and (source.type, edge.path[0]) in _EIP_SOURCES:
            return True, {
                "en": f"the Elastic IP {source.name} is associated with it",
                "ja": f"Elastic IP {source.name} が関連付けられています",
            }
    if not isinstance(props, dict):
        return None, {"en": "the instance's properties are unknown", "ja": "インスタンスのプロパティが不明です"}
    cfn = resource.format == "cloudformation"
    if cfn:
        nis, template_spec = props.get("NetworkInterfaces"), props.get("LaunchTemplate")
        keys = ("SubnetId", "AssociatePublicIpAddress", "NetworkInterfaceId")
        subnet = props.get("SubnetId")
    else:
        value = props.get("associate_public_ip_address")
        if isinstance(value, Unknown):
            return None, _unknown_text("associate_public_ip_address is", "associate_public_ip_address が", value)
        if as_bool(value) is not None:
            ok = as_bool(value)
            return (
                ok,
                {"en": "associate_public_ip_address is true", "ja": "associate_public_ip_address が true です"}
                if ok
                else "",
                _key_line(props, "associate_public_ip_address"),
            )
        if props.get("network_interface") is not None:
            return False, ""  # attached existing interfaces: no automatic public address
        nis, template_spec = None, props.get("launch_template")
        keys = ("subnet_id", "associate_public_ip_address", "network_interface_id")
        subnet = props.get("subnet_id")
    if nis is not None:
        verdict, detail, line, ni_subnet = _interfaces_decide(ctx, nis, *keys)
        if verdict == "unknown":
            return None, detail
        if verdict is not None and verdict != "subnet":
            return verdict, detail, line
        if verdict == "subnet":
            return _subnet_assigns(ctx, ni_subnet if ni_subnet is not None else subnet)
    if template_spec is not None:
        templates = [
            ctx.graph.by_name[e.target]
            for e in ctx.graph.outgoing(resource)
            if e.path
            and e.path[0] in ("LaunchTemplate", "launch_template")
            and ctx.graph.by_name[e.target].type in _LAUNCH_TEMPLATES
        ]
        if not templates:
            return None, _LAUNCH_TEMPLATE_UNDECLARED
        data = templates[0].properties
        if cfn:
            data = data.get("LaunchTemplateData")
            lt_nis = data.get("NetworkInterfaces") if isinstance(data, dict) else None
        else:
            lt_nis = data.get("network_interfaces")
        if lt_nis is not None:
            verdict, detail, _line, lt_subnet = _interfaces_decide(ctx, lt_nis, *keys)
            if verdict == "unknown":
                return None, _prefixed(templates[0].name, detail)
            if verdict is not None and verdict != "subnet":
                return verdict, _prefixed(templates[0].name, detail) if detail else ""
            if verdict == "subnet":
                return _subnet_assigns(ctx, subnet if subnet is not None else lt_subnet)
    return _subnet_assigns(ctx, subnet)


@predicate
def is_rule(ctx: Context, value: Any, args: dict) -> Verdict:
    """Is this item a security group rule (an ingress or egress block)? Unknown for a dynamic block."""
    if isinstance(value, Unknown):
        return None, {"en": f"rule is unknown: {value.expr}", "ja": f"ルールが不明です: {value.expr}"}
    if value is None:
        return False, ""
    kind = args.get("kind", "rule")
    return True, {
        "en": f"an {kind} rule remains in the default security group",
        "ja": f"デフォルトセキュリティグループに {kind} ルールが残っています",
    }


_LAUNCH_CONFIGURATIONS = {"AWS::AutoScaling::LaunchConfiguration", "aws_launch_configuration"}


def _targets(ctx: Context, roots: tuple[str, ...], types: set[str]) -> list[Any]:
    out: list[Any] = []
    for edge in ctx.graph.outgoing(ctx.resource):
        other = ctx.graph.by_name[edge.target]
        if edge.path and edge.path[0] in roots and other.type in types and other not in out:
            out.append(other)
    return out


@predicate
def group_instances_have_public_ip(ctx: Context, props: Any, args: dict) -> Verdict:
    """Will the instances of this Auto Scaling group get public IPv4 addresses?

    Decided by AssociatePublicIpAddress of its launch configuration, or of the network
    interfaces of its launch template (also through a mixed instances policy), when
    declared in the scan; else by the subnets of the group (VPCZoneIdentifier /
    vpc_zone_identifier): public when one of them auto-assigns public addresses, and
    when there are none (availability zones only: the default subnets).
    """
    if not isinstance(props, dict):
        return None, {"en": "the group's properties are unknown", "ja": "グループのプロパティが不明です"}
    cfn = ctx.resource.format == "cloudformation"
    if cfn:
        lc_key, lt_roots, subnets_key = (
            "LaunchConfigurationName",
            ("LaunchTemplate", "MixedInstancesPolicy"),
            "VPCZoneIdentifier",
        )
        assoc, nis_of = (
            "AssociatePublicIpAddress",
            lambda lt: (lt.properties.get("LaunchTemplateData") or {}).get("NetworkInterfaces"),
        )
    else:
        lc_key, lt_roots, subnets_key = (
            "launch_configuration",
            ("launch_template", "mixed_instances_policy"),
            "vpc_zone_identifier",
        )
        assoc, nis_of = "associate_public_ip_address", lambda lt: lt.properties.get("network_interfaces")
    setting: Any = None
    source = ""
    if props.get(lc_key) is not None:
        configurations = _targets(ctx, (lc_key,), _LAUNCH_CONFIGURATIONS)
        if not configurations:
            return None, {
                "en": "the launch configuration is not declared here",
                "ja": "起動設定はスキャン対象内で宣言されていません",
            }
        setting, source = configurations[0].properties.get(assoc), configurations[0].name
    elif any(props.get(k) is not None for k in lt_roots):
        templates = _targets(ctx, lt_roots, _LAUNCH_TEMPLATES)
        if not templates:
            return None, _LAUNCH_TEMPLATE_UNDECLARED
        source = templates[0].name
        nis = nis_of(templates[0])
        if isinstance(nis, Unknown) or (isinstance(nis, list) and any(isinstance(i, Unknown) for i in nis)):
            return None, {
                "en": f"{source}: network interfaces are unknown",
                "ja": f"{source}: ネットワークインターフェイスが不明です",
            }
        items = [i for i in nis if isinstance(i, dict)] if isinstance(nis, list) else []
        if any(as_bool(i.get(assoc)) is True for i in items):
            return True, {"en": f"{source}: {assoc} is true", "ja": f"{source}: {assoc} が true です"}
        primary = _primary(items)
        setting = primary.get(assoc) if primary is not None else None
    if isinstance(setting, Unknown):
        return None, _prefixed(source, _unknown_text(f"{assoc} is", f"{assoc} が", setting))
    if as_bool(setting) is not None:
        ok = as_bool(setting)
        return ok, {"en": f"{source}: {assoc} is true", "ja": f"{source}: {assoc} が true です"} if ok else ""
    subnets = props.get(subnets_key)
    if subnets is None:
        return _subnet_assigns(ctx, None)
    if isinstance(subnets, Unknown):
        return None, {"en": f"the subnets are unknown: {subnets.expr}", "ja": f"サブネットが不明です: {subnets.expr}"}
    verdicts = [_subnet_assigns(ctx, s) for s in (subnets if isinstance(subnets, list) else [subnets])]
    for verdict in verdicts:
        if verdict[0] is True:
            return verdict
    for verdict in verdicts:
        if verdict[0] is None:
            return verdict
    return False, ""
