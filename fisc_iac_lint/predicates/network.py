"""CIDR and port arithmetic that declarative conditions cannot express."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..model import Mapping, Unknown, as_number
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
    return [int(p) for p in items]


def _any(values: list[bool | None]) -> bool | None:
    """Kleene OR of ``values`` (False when empty)."""
    return True if True in values else (None if None in values else False)


@predicate
def ingress_open_to_world(ctx: Context, rule: Any, args: dict) -> Verdict:
    """Does this ingress rule admit the whole internet to one of ``args['ports']`` over TCP?

    ``args``: ``ports`` (list of ints, or one int), ``cidr_fields`` (fields holding a
    CIDR or a list of CIDRs), ``from_field``, ``to_field``, ``protocol_field``. With
    ``ports`` empty (``[]``), any port counts.

    Open = (some source covers every address) AND (the protocol and port range cover
    a port), with Kleene's logic: a rule whose ports are certainly not covered is not
    open even if its source is unknown, and the other way round.
    """
    if isinstance(rule, Unknown):
        return None, f"rule is unknown: {rule.expr}"
    if not isinstance(rule, dict):
        return False, ""
    source = _any([any_address(c) for c in _values(rule, args["cidr_fields"])])
    if source is False:
        return False, ""
    ports = _ports(args.get("ports"))
    covered = [_covers(rule, p, args) for p in ports] if ports else [True]
    port = _any(covered)
    if port is False:
        return False, ""
    if source is None:
        return None, "source range is unknown"
    if port is None:
        return None, "protocol or port range is unknown"
    hit = ports[covered.index(True)] if ports else None
    field, cidr = next((f, c) for f in args["cidr_fields"] for c in _values(rule, [f]) if any_address(c))
    line = rule.line_of(field) if isinstance(rule, Mapping) else None
    where = f" on port {hit}" if hit is not None else ""
    return True, f"{field} {cidr} opens it to the internet{where}", line
