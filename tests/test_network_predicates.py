"""Tests for fisc_iac_lint.predicates.network: CIDR and port arithmetic of ingress rules."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fisc_iac_lint.model import Mapping, Sequence, Unknown
from fisc_iac_lint.predicates import PREDICATES
from fisc_iac_lint.predicates.network import any_address, ingress_open_to_world

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
    assert PREDICATES["ingress_open_to_world"] is ingress_open_to_world


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
