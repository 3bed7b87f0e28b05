"""Tests for fisc_iac_lint.predicates.network: CIDR and port arithmetic of ingress rules."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st
from verdicts import english as _english

from fisc_iac_lint.api import Options, lint
from fisc_iac_lint.model import Mapping, Ref, Sequence, Text, Unknown
from fisc_iac_lint.predicates import PREDICATES
from fisc_iac_lint.predicates import network as _network

_port_ranges = _english(_network._port_ranges)
_within = _english(_network._within)
any_address = _network.any_address
cidr_is_any_address = _network.cidr_is_any_address
ingress_open_to_world = _english(_network.ingress_open_to_world)
ingress_open_to_world_on_unauthorized_port = _english(_network.ingress_open_to_world_on_unauthorized_port)
is_internet_gateway = _english(_network.is_internet_gateway)
is_rule = _english(_network.is_rule)
refers_outside = _english(_network.refers_outside)

U = Unknown("var.admin_cidr")

# The argument sets of the three shapes of ingress rule the policies read.
CFN = {
    "ports": [22],
    "cidr_fields": ["CidrIp", "CidrIpv6"],
    "from_field": "FromPort",
    "to_field": "ToPort",
    "protocol_field": "IpProtocol",
}
TF = {
    "ports": [22],
    "cidr_fields": ["cidr_blocks", "ipv6_cidr_blocks"],
    "from_field": "from_port",
    "to_field": "to_port",
    "protocol_field": "protocol",
}
TF_VPC_RULE = {
    "ports": [22],
    "cidr_fields": ["cidr_ipv4", "cidr_ipv6"],
    "from_field": "from_port",
    "to_field": "to_port",
    "protocol_field": "ip_protocol",
}

OPEN_22 = (True, "open to the internet on port 22")
CLOSED = (False, "")
SOURCE_UNKNOWN = (None, "source range is unknown")
PORTS_UNKNOWN = (None, "protocol or port range is unknown")


def cfn(protocol="tcp", low=22, high=22, **sources):
    rule = {"IpProtocol": protocol, "FromPort": low, "ToPort": high}
    if not sources:
        sources = {"CidrIp": "0.0.0.0/0"}
    rule.update(sources)
    return {k: v for k, v in rule.items() if v is not None}


def check(rule, args=CFN, **overrides):
    """The verdict as (result, detail); an open rule's detail without the field that opened it."""
    ok, detail, *_ = ingress_open_to_world(None, rule, {**args, **overrides})
    if ok:
        detail = "open to the internet" + detail.partition(" opens it to the internet")[2]
    return ok, detail


def test_an_open_rule_names_the_field_and_its_line() -> None:
    rule = Mapping({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv6": "::/0"}, line=10)
    rule.key_lines = {"IpProtocol": 10, "FromPort": 11, "ToPort": 12, "CidrIpv6": 13}
    assert ingress_open_to_world(None, rule, CFN) == (True, "CidrIpv6 ::/0 opens it to the internet on port 22", 13)


# -- any_address ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "cidr",
    [
        "0.0.0.0/0",
        "::/0",
        "::0/0",
        "0::/0",
        "0:0:0:0:0:0:0:0/0",
        "0000:0000::/0",
        " 0.0.0.0/0 ",  # surrounding blanks are trimmed
        "0.0.0.0/0\n",
        "1.2.3.4/0",  # host bits set: still every address
        "2001:db8::/0",
    ],
)
def test_any_address_true_for_every_spelling_of_the_whole_internet(cidr):
    assert any_address(cidr) is True


@pytest.mark.parametrize(
    "cidr",
    [
        "10.0.0.0/8",
        "0.0.0.0/1",  # half the internet is not "any address"
        "128.0.0.0/1",
        "0.0.0.0",  # a bare address is a /32
        "0.0.0.0/32",
        "::",
        "::/1",
        "::/128",
        "fd00::/8",
        "192.168.0.0/16",
    ],
)
def test_any_address_false_for_narrower_ranges(cidr):
    assert any_address(cidr) is False


@pytest.mark.parametrize(
    "cidr",
    [
        "",
        "any",
        "0.0.0.0/33",
        "0.0.0.0/-1",
        "0.0.0.0/0/0",
        "256.0.0.0/0",
        "0.0.0/0",
        ":::/0",
        "::/129",
        "0.0.0.0 /0",
        "/0",
    ],
)
def test_any_address_false_for_malformed_cidrs(cidr):
    assert any_address(cidr) is False


@pytest.mark.parametrize("value", [None, 0, 0.0, True, ["0.0.0.0/0"], {"CidrIp": "0.0.0.0/0"}])
def test_any_address_false_for_values_that_are_not_strings(value):
    assert any_address(value) is False


def test_any_address_unknown_for_unknown():
    assert any_address(U) is None
    assert any_address(Unknown("!Ref AdminCidr")) is None


@given(st.ip_addresses(), st.integers(min_value=0, max_value=128))
def test_any_address_is_prefix_length_zero(address, prefix):
    prefix = min(prefix, address.max_prefixlen)
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    assert any_address(str(network)) is (prefix == 0)


# -- ingress_open_to_world: sources --------------------------------------------------


def test_predicate_is_registered_under_its_policy_name():
    assert PREDICATES["ingress_open_to_world"] is _network.ingress_open_to_world


def test_ssh_open_to_ipv4_world():
    assert check(cfn()) == OPEN_22


def test_ssh_open_to_ipv6_world():
    assert check(cfn(CidrIpv6="::/0")) == OPEN_22
    assert check(cfn(CidrIpv6="::0/0")) == OPEN_22
    assert check(cfn(CidrIpv6="0::/0")) == OPEN_22


def test_either_field_open_is_enough():
    assert check(cfn(CidrIp="10.0.0.0/8", CidrIpv6="::/0")) == OPEN_22
    assert check(cfn(CidrIp="0.0.0.0/0", CidrIpv6="fd00::/8")) == OPEN_22


def test_world_inside_a_list_of_cidrs():
    rule = {
        "protocol": "tcp",
        "from_port": 22,
        "to_port": 22,
        "cidr_blocks": ["10.0.0.0/8", "0.0.0.0/0", "192.168.0.0/16"],
    }
    assert check(rule, TF) == OPEN_22


def test_private_ranges_are_not_open():
    assert check(cfn(CidrIp="10.0.0.0/8")) == CLOSED
    assert check(cfn(CidrIpv6="fd00::/8")) == CLOSED
    rule = {
        "protocol": "tcp",
        "from_port": 22,
        "to_port": 22,
        "cidr_blocks": ["10.0.0.0/8", "172.16.0.0/12"],
        "ipv6_cidr_blocks": [],
    }
    assert check(rule, TF) == CLOSED


def test_malformed_cidr_is_not_open():
    assert check(cfn(CidrIp="0.0.0.0/33")) == CLOSED
    assert check(cfn(CidrIp="everywhere")) == CLOSED


def test_prefix_list_and_security_group_sources_are_not_open():
    assert check(cfn(SourcePrefixListId="pl-0123456789abcdef0")) == CLOSED
    assert check(cfn(SourceSecurityGroupId=Unknown("!GetAtt Web.GroupId"))) == CLOSED
    rule = {"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "prefix_list_id": "pl-0123456789abcdef0"}
    assert check(rule, TF_VPC_RULE) == CLOSED
    rule = {"ip_protocol": "-1", "referenced_security_group_id": Unknown("aws_security_group.web.id")}
    assert check(rule, TF_VPC_RULE) == CLOSED


def test_empty_or_null_cidr_fields_are_not_open():
    rule = {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": [], "ipv6_cidr_blocks": None}
    assert check(rule, TF) == CLOSED


def test_vpc_ingress_rule_fields():
    assert (
        check({"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "0.0.0.0/0"}, TF_VPC_RULE) == OPEN_22
    )
    assert check({"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv6": "::/0"}, TF_VPC_RULE) == OPEN_22
    assert check({"ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0"}, TF_VPC_RULE) == OPEN_22
    assert (
        check({"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "10.0.0.0/8"}, TF_VPC_RULE) == CLOSED
    )


def test_parsed_mapping_and_sequence_values_work_like_plain_ones():
    cidrs = Sequence(["10.0.0.0/8", "0.0.0.0/0"], line=5)
    cidrs.item_lines = [5, 5]
    rule = Mapping({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": cidrs}, line=3)
    # no line of its own: the engine reports the rule (list item or resource) itself
    assert check(rule, TF) == OPEN_22


# -- ingress_open_to_world: unknown values -------------------------------------------


def test_unknown_source_on_port_22_is_unknown():
    assert check(cfn(CidrIp=U)) == SOURCE_UNKNOWN
    assert check({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": U}, TF) == SOURCE_UNKNOWN
    assert (
        check({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8", U]}, TF)
        == SOURCE_UNKNOWN
    )


def test_unknown_item_beside_the_world_is_still_open():
    rule = {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": [U, "0.0.0.0/0"]}
    assert check(rule, TF) == OPEN_22


def test_unknown_source_is_decided_when_the_port_is_not_covered():
    # Whatever the range, HTTPS or UDP is not SSH: decided, not unknown.
    assert check(cfn(low=443, high=443, CidrIp=U)) == CLOSED
    assert check(cfn(protocol="udp", CidrIp=U)) == CLOSED
    rule = {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0", U]}
    assert check(rule, TF) == CLOSED


def test_unknown_protocol_or_ports_on_an_open_source_are_unknown():
    assert check(cfn(protocol=Unknown("!Ref Protocol"))) == PORTS_UNKNOWN
    assert check(cfn(low=Unknown("var.port"))) == PORTS_UNKNOWN
    assert check(cfn(high=Unknown("var.port"))) == PORTS_UNKNOWN


def test_unknown_protocol_or_ports_on_a_private_source_are_decided():
    assert check(cfn(protocol=Unknown("!Ref Protocol"), CidrIp="10.0.0.0/8")) == CLOSED
    assert check(cfn(low=U, high=U, CidrIp="10.0.0.0/8")) == CLOSED


def test_both_unknown_reports_the_source():
    assert check(cfn(low=Unknown("var.port"), CidrIp=U)) == SOURCE_UNKNOWN


def test_whole_rule_unknown():
    assert check(Unknown('dynamic "ingress" block')) == (None, 'rule is unknown: dynamic "ingress" block')


@pytest.mark.parametrize("rule", [None, "0.0.0.0/0", ["0.0.0.0/0"], 22])
def test_a_rule_that_is_not_a_mapping_is_not_open(rule):
    assert check(rule) == CLOSED


# -- ingress_open_to_world: ports ----------------------------------------------------


@pytest.mark.parametrize(
    "low, high, expected",
    [
        (22, 22, OPEN_22),
        (21, 22, OPEN_22),
        (22, 23, OPEN_22),
        (20, 30, OPEN_22),
        (0, 65535, OPEN_22),
        (21, 21, CLOSED),
        (23, 23, CLOSED),
        (23, 65535, CLOSED),
        (0, 21, CLOSED),
        (443, 443, CLOSED),
        (30, 20, CLOSED),  # reversed range: no port (AWS rejects it)
        ("22", "22", OPEN_22),  # YAML/HCL strings
        (" 22 ", "22", OPEN_22),
        ("20", "21", CLOSED),
        (22.0, 22.0, OPEN_22),
    ],
)
def test_port_range_edges(low, high, expected):
    assert check(cfn(low=low, high=high)) == expected


def test_tcp_without_ports_means_every_port():
    assert check({"IpProtocol": "tcp", "CidrIp": "0.0.0.0/0"}) == OPEN_22
    assert check({"IpProtocol": "tcp", "FromPort": 443, "CidrIp": "0.0.0.0/0"}) == OPEN_22
    assert check({"IpProtocol": "tcp", "ToPort": 443, "CidrIp": "0.0.0.0/0"}) == OPEN_22


def test_tcp_with_port_minus_one_means_every_port():
    assert check(cfn(low=-1, high=-1)) == OPEN_22
    assert check(cfn(low="-1", high="-1")) == OPEN_22


def test_non_numeric_ports_mean_every_port():
    assert check(cfn(low="ssh", high="ssh")) == OPEN_22


def test_several_ports_report_the_first_covered():
    assert check(cfn(low=3389, high=3389), ports=[22, 3389]) == (True, "open to the internet on port 3389")
    assert check(cfn(low=0, high=65535), ports=[80, 22]) == (True, "open to the internet on port 80")
    assert check(cfn(low=443, high=443), ports=[22, 3389]) == CLOSED


def test_ports_given_as_strings():
    assert check(cfn(), ports=["22"]) == OPEN_22


def test_a_single_port_not_in_a_list():
    # ``--param ssh-open-to-internet.ports=22`` gives the int 22; "22" must not become ports 2 and 2.
    assert check(cfn(), ports=22) == OPEN_22
    assert check(cfn(), ports="22") == OPEN_22
    assert check(cfn(low=2, high=2), ports="22") == CLOSED


def test_empty_ports_means_any_port():
    assert check(cfn(low=443, high=443), ports=[]) == (True, "open to the internet")
    assert check(cfn(low=443, high=443), ports=None) == (True, "open to the internet")
    assert check(cfn(CidrIp="10.0.0.0/8"), ports=[]) == CLOSED
    assert check(cfn(CidrIp=U), ports=[]) == SOURCE_UNKNOWN


# -- ingress_open_to_world: protocols ------------------------------------------------


@pytest.mark.parametrize("protocol", ["tcp", "TCP", "Tcp", "6", 6])
def test_tcp_spellings(protocol):
    assert check(cfn(protocol=protocol)) == OPEN_22
    assert check(cfn(protocol=protocol, low=443, high=443)) == CLOSED


@pytest.mark.parametrize("protocol", ["-1", -1, "all", "ALL"])
def test_all_protocols_cover_every_port_whatever_the_port_fields(protocol):
    assert check(cfn(protocol=protocol, low=443, high=443)) == OPEN_22
    assert check(cfn(protocol=protocol, low=0, high=0)) == OPEN_22
    assert check({"IpProtocol": protocol, "CidrIp": "0.0.0.0/0"}) == OPEN_22
    assert check(cfn(protocol=protocol, CidrIp="10.0.0.0/8")) == CLOSED


@pytest.mark.parametrize("protocol", ["udp", "17", 17, "icmp", "1", "icmpv6", "58", 58, "", "ssh"])
def test_other_protocols_never_open_tcp_22(protocol):
    assert check(cfn(protocol=protocol)) == CLOSED
    assert check(cfn(protocol=protocol, low=0, high=65535)) == CLOSED


def test_missing_protocol_is_not_tcp():
    assert check({"FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}) == CLOSED


# -- properties ----------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=65535), st.integers(min_value=0, max_value=65535))
def test_open_exactly_when_the_range_includes_22(low, high):
    expected = OPEN_22 if low <= 22 <= high else CLOSED
    assert check(cfn(low=low, high=high)) == expected
    assert check(cfn(low=low, high=high, CidrIp="10.0.0.0/8")) == CLOSED


# -- several port arguments (one policy parameter each) -------------------------------


def test_ports_n_arguments_add_ports_and_skip_empty_ones():
    args = {k: v for k, v in CFN.items() if k != "ports"}
    blocked = {"ports_1": 20, "ports_2": "21", "ports_3": 3389, "ports_4": None, "ports_5": ""}
    assert check(cfn(low=3389, high=3389), {**args, **blocked}) == (True, "open to the internet on port 3389")
    assert check(cfn(low=19, high=21), {**args, **blocked}) == (True, "open to the internet on port 20")
    assert check(cfn(low=22, high=22), {**args, **blocked}) == CLOSED
    assert check(cfn(low=443, high=443), {**args, "ports_10": 443, "ports_2": 21}) == (
        True,
        "open to the internet on port 443",
    )


# -- ingress_open_to_world_on_unauthorized_port ---------------------------------------

AUTH = {k: v for k, v in CFN.items() if k != "ports"}


def unauthorized(rule, **args):
    ok, *_ = ingress_open_to_world_on_unauthorized_port(None, rule, {**AUTH, **args})
    return ok


def test_nothing_authorized_reports_every_world_open_tcp_or_udp_rule():
    assert unauthorized(cfn(low=443, high=443)) is True
    assert unauthorized(cfn(protocol="udp", low=53, high=53, CidrIpv6="::/0")) is True
    assert unauthorized(cfn(protocol="17", low=53, high=53)) is True
    assert unauthorized(cfn(protocol="-1")) is True
    assert unauthorized({"IpProtocol": "tcp", "CidrIp": "0.0.0.0/0"}) is True


def test_authorized_ports_and_ranges():
    assert unauthorized(cfn(low=443, high=443), authorized_tcp_ports=[443]) is False
    assert unauthorized(cfn(low=443, high=443), authorized_tcp_ports="80,443") is False
    assert unauthorized(cfn(low=443, high=443), authorized_tcp_ports=["80", "443"]) is False
    assert unauthorized(cfn(low=1020, high=1025), authorized_tcp_ports=["1020-1025"]) is False
    assert unauthorized(cfn(low=1020, high=1026), authorized_tcp_ports=["1020-1025"]) is True
    assert unauthorized(cfn(low=1020, high=1030), authorized_tcp_ports=["1020-1025", "1026-1030"]) is False
    # TCP ports do not authorize UDP and the other way round
    assert unauthorized(cfn(protocol="udp", low=443, high=443), authorized_tcp_ports=[443]) is True
    assert unauthorized(cfn(low=53, high=53), authorized_udp_ports=[53]) is True
    assert unauthorized(cfn(protocol="udp", low=53, high=53), authorized_udp_ports=[53]) is False
    # all protocols and TCP without ports are never within a list of ports
    assert unauthorized(cfn(protocol="-1"), authorized_tcp_ports=[443]) is True
    assert unauthorized(cfn(low=-1, high=-1), authorized_tcp_ports=[443]) is True
    assert unauthorized(cfn(low=0, high=65535), authorized_tcp_ports=["0-65535"]) is False


def test_unauthorized_ignores_other_protocols_private_sources_and_reversed_ranges():
    assert unauthorized(cfn(protocol="icmp", low=8, high=-1)) is False
    assert unauthorized(cfn(protocol="icmpv6", low=-1, high=-1)) is False
    assert unauthorized(cfn(CidrIp="10.0.0.0/8")) is False
    assert unauthorized(cfn(SourcePrefixListId="pl-0123456789abcdef0")) is False
    assert unauthorized(cfn(low=30, high=20)) is False
    assert unauthorized(None) is False


def test_unauthorized_unknowns():
    assert unauthorized(cfn(CidrIp=U)) is None
    assert unauthorized(cfn(low=Unknown("var.port"))) is None
    assert unauthorized(cfn(protocol=Unknown("!Ref P"))) is None
    assert unauthorized(cfn(low=443, high=443, CidrIp=U), authorized_tcp_ports=[443]) is False
    assert unauthorized(cfn(protocol=Unknown("!Ref P"), CidrIp="10.0.0.0/8")) is False
    assert unauthorized(Unknown('dynamic "ingress" block')) is None


def test_unauthorized_names_the_field_and_line():
    rule = Mapping({"IpProtocol": "tcp", "FromPort": 80, "ToPort": 81, "CidrIp": "0.0.0.0/0"}, line=4)
    rule.key_lines = {"CidrIp": 7}
    assert ingress_open_to_world_on_unauthorized_port(None, rule, AUTH) == (
        True,
        "CidrIp 0.0.0.0/0 opens TCP 80-81 to the internet, which is not an authorized port",
        7,
    )


@given(st.integers(0, 65535), st.integers(0, 65535), st.integers(0, 65535), st.integers(0, 65535))
def test_within_matches_the_set_of_ports(low, high, a, b):
    allowed = [(min(a, b), max(a, b))]
    if low > high:
        low, high = high, low
    expected = min(a, b) <= low and high <= max(a, b)
    assert _within(low, high, allowed) is expected


def test_port_ranges_parse():
    assert _port_ranges(None) == [] and _port_ranges("") == [] and _port_ranges([]) == []
    assert _port_ranges(443) == [(443, 443)]
    assert _port_ranges("443, 1020-1025") == [(443, 443), (1020, 1025)]
    assert _port_ranges(["80", 8080, "9000-9100"]) == [(80, 80), (8080, 8080), (9000, 9100)]


# -- routes and references ------------------------------------------------------------


class _Graph:
    def __init__(self, types):
        self.by_name = {name: type("R", (), {"type": t})() for name, t in types.items()}


class _Ctx:
    def __init__(self, types):
        self.graph = _Graph(types)


def test_cidr_is_any_address():
    assert cidr_is_any_address(None, "0.0.0.0/0", {})[0] is True
    assert cidr_is_any_address(None, "::/0", {})[0] is True
    assert cidr_is_any_address(None, "10.0.0.0/16", {})[0] is False
    assert cidr_is_any_address(None, None, {})[0] is False
    assert cidr_is_any_address(None, U, {})[0] is None


def test_is_internet_gateway():
    ctx = _Ctx(
        {
            "Igw": "AWS::EC2::InternetGateway",
            "Vgw": "AWS::EC2::VPNGateway",
            "aws_internet_gateway.main": "aws_internet_gateway",
        }
    )
    assert is_internet_gateway(ctx, "igw-0123456789abcdef0", {})[0] is True
    assert is_internet_gateway(ctx, "vgw-0123456789abcdef0", {})[0] is False
    assert is_internet_gateway(ctx, "local", {})[0] is False
    assert is_internet_gateway(ctx, None, {})[0] is False
    assert is_internet_gateway(ctx, Unknown("!Ref Igw", (Ref("Igw"),)), {})[0] is True
    assert is_internet_gateway(ctx, Unknown("x", (Ref("aws_internet_gateway.main", "id"),)), {})[0] is True
    assert is_internet_gateway(ctx, Unknown("!Ref Vgw", (Ref("Vgw"),)), {})[0] is False
    assert is_internet_gateway(ctx, Unknown("var.gateway_id"), {})[0] is None


def test_refers_outside():
    ctx = _Ctx({"Template": "AWS::EC2::LaunchTemplate"})
    declared = Unknown("!Ref Template", (Ref("Template"),))
    assert refers_outside(ctx, declared, {})[0] is False
    assert refers_outside(ctx, None, {})[0] is False
    assert refers_outside(ctx, "lt-0123456789abcdef0", {})[0] is None
    assert refers_outside(ctx, Unknown("!Ref TemplateId"), {})[0] is None
    fields = {"id_fields": ["LaunchTemplateId", "LaunchTemplateName"]}
    assert refers_outside(ctx, {"LaunchTemplateId": declared, "Version": "3"}, fields)[0] is False
    assert refers_outside(ctx, {"LaunchTemplateName": "web", "Version": "3"}, fields)[0] is None
    assert refers_outside(ctx, [{"id": "lt-1"}], {"id_fields": ["id", "name"]})[0] is None


def test_is_rule():
    assert is_rule(None, {"protocol": "-1"}, {"kind": "inbound"}) == (
        True,
        "an inbound rule remains in the default security group",
    )
    assert is_rule(None, Unknown('dynamic "ingress" block'), {})[0] is None
    assert is_rule(None, None, {})[0] is False


# -- instances and Auto Scaling groups: public IPv4 addresses (through the pipeline) --


INSTANCE = "  App:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-0123456789abcdef0\n"


def _public_ip(tmp_path, body: str, select: str = "FIL0252"):
    path = tmp_path / "template.yaml"
    path.write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n' + body, encoding="utf-8")
    report = lint([str(path)], Options(select=frozenset({select})))
    assert report.errors == []
    if report.findings:
        return True
    return None if report.unknowns else False


@pytest.mark.parametrize(
    "extra, expected",
    [
        ("", True),  # no subnet: a default subnet
        ("      SubnetId: subnet-0123456789abcdef0\n", None),  # not declared here
        ("      SubnetId: !Ref Private\n", False),
        ("      SubnetId: !Ref Public\n", True),
        (
            "      NetworkInterfaces:\n        - {DeviceIndex: 0, SubnetId: !Ref Public, AssociatePublicIpAddress: false}\n",
            False,
        ),
        (
            "      NetworkInterfaces:\n        - {DeviceIndex: 0, SubnetId: !Ref Private, AssociatePublicIpAddress: true}\n",
            True,
        ),
        (
            "      NetworkInterfaces:\n        - {DeviceIndex: 0, SubnetId: !Ref Private, AssociatePublicIpAddress: !Ref P}\n",
            None,
        ),
        ("      NetworkInterfaces:\n        - {DeviceIndex: 0, SubnetId: !Ref Public}\n", True),
        ("      NetworkInterfaces:\n        - {DeviceIndex: 0, NetworkInterfaceId: eni-0123456789abcdef0}\n", False),
        ("      SubnetId: !Ref Private\n      LaunchTemplate: {LaunchTemplateName: shared}\n", None),
    ],
)
def test_instance_public_ip_cases(tmp_path, extra, expected):
    subnets = (
        "  Private:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24}\n"
        "  Public:\n    Type: AWS::EC2::Subnet\n"
        "    Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24, MapPublicIpOnLaunch: true}\n"
    )
    assert _public_ip(tmp_path, subnets + INSTANCE + extra) is expected


def test_an_elastic_ip_association_decides(tmp_path):
    body = INSTANCE + "      SubnetId: subnet-0123456789abcdef0\n"
    body += (
        "  Eip:\n    Type: AWS::EC2::EIPAssociation\n    Properties: {InstanceId: !Ref App, AllocationId: eipalloc-1}\n"
    )
    assert _public_ip(tmp_path, body) is True


@pytest.mark.parametrize(
    "group, expected",
    [
        ("      AvailabilityZones: [ap-northeast-1a]\n", True),
        ("      VPCZoneIdentifier: [!Ref Private]\n", False),
        ("      VPCZoneIdentifier: [!Ref Private, !Ref Public]\n", True),
        ("      VPCZoneIdentifier: [!Ref Private, subnet-0123456789abcdef0]\n", None),
        ("      VPCZoneIdentifier: !Ref Subnets\n", None),
    ],
)
def test_group_public_ip_cases(tmp_path, group, expected):
    body = (
        "  Private:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24}\n"
        "  Public:\n    Type: AWS::EC2::Subnet\n"
        "    Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24, MapPublicIpOnLaunch: true}\n"
        "  Config:\n    Type: AWS::AutoScaling::LaunchConfiguration\n"
        "    Properties: {ImageId: ami-1, InstanceType: t3.micro}\n"
        "  Group:\n    Type: AWS::AutoScaling::AutoScalingGroup\n    Properties:\n"
        "      MinSize: '1'\n      MaxSize: '2'\n      LaunchConfigurationName: !Ref Config\n" + group
    )
    assert _public_ip(tmp_path, body) is expected


# -- Japanese details ------------------------------------------------------------------


def _japanese(verdict) -> str:
    return Text.of(verdict[1]).ja


def test_japanese_details_of_ingress_rules():
    rule = cfn(low=22, high=22)
    assert _japanese(_network.ingress_open_to_world(None, rule, CFN)) == (
        "CidrIp 0.0.0.0/0 がポート 22 をインターネットに開放しています"
    )
    assert _japanese(_network.ingress_open_to_world(None, cfn(CidrIp=U), CFN)) == "送信元の範囲が不明です"
    assert _japanese(_network.ingress_open_to_world_on_unauthorized_port(None, cfn(low=80, high=81), AUTH)) == (
        "CidrIp 0.0.0.0/0 が許可されていない TCP 80-81 をインターネットに開放しています"
    )


def test_japanese_details_of_routes():
    ctx = _Ctx({"Igw": "AWS::EC2::InternetGateway"})
    assert _japanese(_network.cidr_is_any_address(None, "0.0.0.0/0", {})) == (
        "送信先 0.0.0.0/0 はすべてのアドレスを対象としています"
    )
    assert (
        _japanese(_network.is_internet_gateway(ctx, "igw-1", {})) == "ターゲット igw-1 はインターネットゲートウェイです"
    )
    assert _japanese(_network.is_internet_gateway(ctx, Unknown("var.gateway_id"), {})) == (
        "ルートのターゲットが不明です: var.gateway_id"
    )
    assert _japanese(_network.refers_outside(ctx, "lt-1", {})) == "lt-1 はスキャン対象内で宣言されていません"


def test_japanese_details_of_public_ip_addresses(tmp_path):
    subnets = (
        "  Public:\n    Type: AWS::EC2::Subnet\n"
        "    Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24, MapPublicIpOnLaunch: true}\n"
    )
    path = tmp_path / "template.yaml"
    cases = {
        "      SubnetId: !Ref Public\n": "サブネット Public の MapPublicIpOnLaunch が true です",
        "": "サブネットが指定されていません。インスタンスはデフォルトサブネットで起動され、"
        "パブリック IPv4 アドレスが割り当てられます",
        "      NetworkInterfaces:\n        - {DeviceIndex: 0, AssociatePublicIpAddress: true}\n": (
            "AssociatePublicIpAddress が true です"
        ),
    }
    for extra, japanese in cases.items():
        path.write_text("Resources:\n" + subnets + INSTANCE + extra, encoding="utf-8")
        report = lint([str(path)], Options(select=frozenset({"FIL0252"})))
        (finding,) = report.findings
        assert japanese in finding.text("ja")["message"]
    path.write_text("Resources:\n" + INSTANCE + "      SubnetId: subnet-1\n", encoding="utf-8")
    (unknown,) = lint([str(path)], Options(select=frozenset({"FIL0252"}))).unknowns
    assert "サブネット subnet-1 はスキャン対象内で宣言されていません" in unknown.reason_ja
