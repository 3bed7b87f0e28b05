"""Tests for fisc_iac_lint.predicates.databases: RDS, Aurora and Redshift semantics over the graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from verdicts import english as _english
from verdicts import japanese as _japanese

from fisc_iac_lint.api import parse_cloudformation, parse_terraform
from fisc_iac_lint.graph import Graph
from fisc_iac_lint.model import Sequence, Unknown
from fisc_iac_lint.predicates import Context
from fisc_iac_lint.predicates import databases as _databases

cluster_instances_span_azs = _english(_databases.cluster_instances_span_azs)
equals_when_required = _english(_databases.equals_when_required)
exports_engine_logs = _english(_databases.exports_engine_logs)
list_contains = _english(_databases.list_contains)
rds_instance_private = _english(_databases.rds_instance_private)
redshift_requires_ssl = _english(_databases.redshift_requires_ssl)
refers_to_declared = _english(_databases.refers_to_declared)

LOG_TYPES = {
    "mysql": ["audit", "error", "general", "slowquery"],
    "postgres": ["postgresql", "upgrade"],
    "oracle": ["alert", "audit", "trace", "listener"],
    "sqlserver": ["error", "agent"],
    "sqlserver-ex": ["error"],
    "aurora": ["audit", "error", "general", "slowquery"],
    "aurora-postgresql": ["postgresql"],
}


def cfn_graph(tmp_path: Path, resources: str, parameters: str = "") -> Graph:
    text = 'AWSTemplateFormatVersion: "2010-09-09"\n'
    if parameters:
        text += "Parameters:\n" + parameters
    text += "Resources:\n" + resources
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    template = parse_cloudformation(str(path))
    assert template is not None and not isinstance(template, Exception) and not getattr(template, "message", None)
    return Graph(template)


def tf_graph(tmp_path: Path, text: str) -> Graph:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    template, errors = parse_terraform(str(tmp_path))
    assert template is not None and errors == []
    return Graph(template)


def ctx(graph: Graph, name: str) -> Context:
    return Context(graph.by_name[name], graph)


def instance(name: str, extra: str = "", engine: str = "postgres") -> str:
    return (
        f"  {name}:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: {engine}\n"
        f"      DBInstanceClass: db.m7g.large\n{extra}"
    )


# -- rds_instance_private --------------------------------------------------------------------------

NETWORK = """  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
  Group:
    Type: AWS::RDS::DBSubnetGroup
    Properties: {DBSubnetGroupDescription: db, SubnetIds: [!Ref Subnet]}
"""
GATEWAY = """  Gateway:
    Type: AWS::EC2::InternetGateway
  Attachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}
"""


def private(graph: Graph, name: str):
    resource = graph.by_name[name]
    return rds_instance_private(Context(resource, graph), resource.properties, {})


@pytest.mark.parametrize(
    "extra, expected",
    [
        ("      PubliclyAccessible: true\n", False),
        ("      PubliclyAccessible: 'false'\n", True),
        ("", False),  # the default VPC has an internet gateway
        ("      DBSubnetGroupName: shared\n", None),  # not declared here
        ("      DBSubnetGroupName: !Ref Group\n", True),  # a VPC without internet gateway
    ],
)
def test_rds_instance_private_explicit_and_by_default(tmp_path: Path, extra: str, expected) -> None:
    graph = cfn_graph(tmp_path, NETWORK + instance("Db", extra))
    assert private(graph, "Db")[0] is expected


def test_rds_instance_private_reads_the_internet_gateway_of_the_vpc(tmp_path: Path) -> None:
    graph = cfn_graph(tmp_path, NETWORK + GATEWAY + instance("Db", "      DBSubnetGroupName: !Ref Group\n"))
    ok, detail = private(graph, "Db")[:2]
    assert ok is False and "Attachment" in detail


def test_rds_instance_private_an_unknown_value_stays_unknown(tmp_path: Path) -> None:
    graph = cfn_graph(tmp_path, instance("Db", "      PubliclyAccessible: !Ref Public\n"), "  Public: {Type: String}\n")
    assert private(graph, "Db")[0] is None


def test_rds_instance_private_an_aurora_instance_takes_the_subnet_group_of_its_cluster(tmp_path: Path) -> None:
    cluster = (
        "  Cluster:\n    Type: AWS::RDS::DBCluster\n    Properties:\n      Engine: aurora-mysql\n"
        "      DBSubnetGroupName: !Ref Group\n"
    )
    member = instance("Db", "      DBClusterIdentifier: !Ref Cluster\n", engine="aurora-mysql")
    assert private(cfn_graph(tmp_path, NETWORK + cluster + member), "Db")[0] is True
    assert private(cfn_graph(tmp_path, NETWORK + GATEWAY + cluster + member), "Db")[0] is False
    external = instance("Db", "      DBClusterIdentifier: orders\n", engine="aurora-mysql")
    assert private(cfn_graph(tmp_path, external), "Db")[0] is None


# -- refers_to_declared ------------------------------------------------------------------------------


def test_refers_to_declared(tmp_path: Path) -> None:
    cluster = "  Cluster:\n    Type: AWS::RDS::DBCluster\n    Properties: {Engine: aurora-mysql}\n"
    graph = cfn_graph(
        tmp_path,
        cluster
        + instance("In", "      DBClusterIdentifier: !Ref Cluster\n", "aurora-mysql")
        + instance("Out", "      DBClusterIdentifier: orders\n", "aurora-mysql"),
    )
    args = {"via": "DBClusterIdentifier", "types": ["AWS::RDS::DBCluster"]}
    assert refers_to_declared(ctx(graph, "In"), None, args)[0] is True
    assert refers_to_declared(ctx(graph, "Out"), None, args)[0] is None


# -- cluster_instances_span_azs ---------------------------------------------------------------------

TF_ARGS = {
    "instance_types": ["aws_rds_cluster_instance"],
    "via": "cluster_identifier",
    "instance_az": "availability_zone",
}


def spans(tmp_path: Path, members: str):
    graph = tf_graph(tmp_path, 'resource "aws_rds_cluster" "c" {\n  engine = "aurora-mysql"\n}\n' + members)
    resource = graph.by_name["aws_rds_cluster.c"]
    return cluster_instances_span_azs(Context(resource, graph), resource.properties, TF_ARGS)[0]


def member(name: str, body: str = "") -> str:
    return f'resource "aws_rds_cluster_instance" "{name}" {{\n  cluster_identifier = aws_rds_cluster.c.id\n{body}}}\n'


@pytest.mark.parametrize(
    "members, expected",
    [
        ("", None),  # no instance declared here
        (member("a"), False),
        (member("a") + member("b"), True),
        (member("a", "  count = 2\n"), True),
        (member("a", "  count = 1\n"), False),
        (member("a", "  count = var.n\n"), None),
        (member("a", '  availability_zone = "z1"\n') + member("b", '  availability_zone = "z1"\n'), False),
        (member("a", '  availability_zone = "z1"\n') + member("b", '  availability_zone = "z2"\n'), True),
        (member("a", '  count = 2\n  availability_zone = "z1"\n'), False),
        (member("a", "  count = 2\n  availability_zone = var.zone\n"), None),
        (member("a", '  for_each = toset(["a", "b"])\n'), True),
        (member("a", "  for_each = var.zones\n"), None),
        (member("a", '  for_each = { a = "z1", b = "z2" }\n  availability_zone = each.value\n'), True),
        (member("a", '  for_each = { a = "z1", b = "z1" }\n  availability_zone = each.value\n'), False),
    ],
)
def test_cluster_instances_span_azs(tmp_path: Path, members: str, expected) -> None:
    variables = 'variable "n" {}\nvariable "zone" {}\nvariable "zones" {}\n'
    assert spans(tmp_path, variables + members) is expected


# -- exports_engine_logs -----------------------------------------------------------------------------

CFN_LOG_ARGS = {"exports_field": "EnableCloudwatchLogsExports", "engine_field": "Engine", "log_types": LOG_TYPES}


def exports(tmp_path: Path, engine: str, exports_yaml: str | None, name: str = "Db", extra: str = ""):
    body = f"      EnableCloudwatchLogsExports: {exports_yaml}\n" if exports_yaml is not None else ""
    graph = cfn_graph(tmp_path, instance(name, body, engine) + extra)
    resource = graph.by_name[name]
    return exports_engine_logs(Context(resource, graph), resource.properties, CFN_LOG_ARGS)


@pytest.mark.parametrize(
    "engine, listed, expected",
    [
        ("postgres", "[postgresql, upgrade]", True),
        ("postgres", "[postgresql]", False),
        ("postgres", None, False),
        ("mysql", "[AUDIT, error, general, slowquery]", True),
        ("oracle-ee-cdb", "[alert, audit, trace, listener]", True),  # prefix "oracle-"
        ("oracle-se2", "[alert]", False),
        ("sqlserver-ex", "[error]", True),  # exact key before the prefix "sqlserver-"
        ("sqlserver-se", "[error]", False),
        ("aurora-postgresql", "[postgresql]", True),
        ("db2-se", None, True),  # an engine not in the table requires nothing
        ("postgres", '"postgresql,upgrade"', True),  # a CommaDelimitedList resolved to a string
    ],
)
def test_exports_engine_logs(tmp_path: Path, engine: str, listed, expected) -> None:
    assert exports(tmp_path, engine, listed)[0] is expected


def test_exports_engine_logs_names_what_is_missing(tmp_path: Path) -> None:
    ok, detail, line = exports(tmp_path, "mysql", "[error]")
    assert ok is False and "audit, general, slowquery" in detail and line == 8


def test_exports_engine_logs_unknowns(tmp_path: Path) -> None:
    graph = cfn_graph(
        tmp_path,
        "  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: !Ref Engine\n"
        "      EnableCloudwatchLogsExports: [error]\n",
        "  Engine: {Type: String}\n",
    )
    resource = graph.by_name["Db"]
    assert exports_engine_logs(Context(resource, graph), resource.properties, CFN_LOG_ARGS)[0] is None
    # a restored instance without Engine: unknown
    graph = cfn_graph(
        tmp_path, "  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      DBSnapshotIdentifier: s\n"
    )
    resource = graph.by_name["Db"]
    assert exports_engine_logs(Context(resource, graph), resource.properties, CFN_LOG_ARGS)[0] is None


def test_exports_engine_logs_a_replica_has_the_engine_of_its_source(tmp_path: Path) -> None:
    graph = cfn_graph(
        tmp_path,
        instance("Source", "      EnableCloudwatchLogsExports: [postgresql, upgrade]\n")
        + "  Replica:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
        "      SourceDBInstanceIdentifier: !Ref Source\n      EnableCloudwatchLogsExports: [postgresql]\n",
    )
    resource = graph.by_name["Replica"]
    args = dict(CFN_LOG_ARGS, source_field="SourceDBInstanceIdentifier")
    ok, detail = exports_engine_logs(Context(resource, graph), resource.properties, args)[:2]
    assert ok is False and "upgrade" in detail


# -- redshift_requires_ssl ----------------------------------------------------------------------------

TF_SSL_ARGS = {
    "via": "cluster_parameter_group_name",
    "group_types": ["aws_redshift_parameter_group"],
    "group_name": "name",
    "group_parameters": "parameter",
    "parameter_name": "name",
    "parameter_value": "value",
}


def ssl(tmp_path: Path, group_ref: str | None, value: str | None = None):
    group = 'resource "aws_redshift_parameter_group" "g" {\n  name   = "analytics"\n  family = "redshift-1.0"\n'
    if value is not None:
        group += f'  parameter {{\n    name  = "require_ssl"\n    value = {value}\n  }}\n'
    group += "}\n"
    cluster = 'resource "aws_redshift_cluster" "c" {\n  cluster_identifier = "c"\n'
    if group_ref is not None:
        cluster += f"  cluster_parameter_group_name = {group_ref}\n"
    cluster += "}\n"
    graph = tf_graph(tmp_path, 'variable "group" {}\nvariable "ssl" {}\n' + group + cluster)
    resource = graph.by_name["aws_redshift_cluster.c"]
    name = resource.properties.get("cluster_parameter_group_name")
    return redshift_requires_ssl(Context(resource, graph), name, TF_SSL_ARGS)[0]


@pytest.mark.parametrize(
    "group_ref, value, expected",
    [
        (None, None, True),  # the default group, default.redshift-2.0
        ('"default.redshift-1.0"', None, False),
        ('"default.redshift-2.0"', None, True),
        ('"elsewhere"', None, None),
        ("var.group", None, None),
        ("aws_redshift_parameter_group.g.name", '"true"', True),
        ("aws_redshift_parameter_group.g.id", '"false"', False),
        ("aws_redshift_parameter_group.g.name", None, False),  # a custom group defaults to false
        ("aws_redshift_parameter_group.g.name", "var.ssl", None),
        ('"analytics"', '"true"', True),  # the declared group, by its literal name
    ],
)
def test_redshift_requires_ssl(tmp_path: Path, group_ref, value, expected) -> None:
    assert ssl(tmp_path, group_ref, value) is expected


# -- list_contains, equals_when_required ----------------------------------------------------------------


def test_list_contains(tmp_path: Path) -> None:
    graph = tf_graph(tmp_path, 'resource "aws_db_snapshot" "s" {\n  shared_accounts = ["1", "ALL"]\n}\n')
    c = ctx(graph, "aws_db_snapshot.s")
    items = c.resource.properties["shared_accounts"]
    assert list_contains(c, items, {"values": ["all"]})[0] is True
    assert list_contains(c, None, {"values": ["all"]})[0] is False
    assert list_contains(c, ["1"], {"values": ["all"]})[0] is False
    assert list_contains(c, [Unknown("var.x")], {"values": ["all"]})[0] is None
    assert list_contains(c, [Unknown("var.x"), "all"], {"values": ["all"]})[0] is True
    assert list_contains(c, Unknown("var.x"), {"values": ["all"]})[0] is None


def test_list_contains_reports_no_line_outside_the_resource(tmp_path: Path) -> None:
    graph = tf_graph(tmp_path, 'resource "aws_db_snapshot" "s" {\n  shared_accounts = ["all"]\n}\n')
    c = ctx(graph, "aws_db_snapshot.s")
    far = Sequence(["all"], line=500)
    far.item_lines = [500]
    verdict = list_contains(c, far, {"values": ["all"]})
    assert verdict[0] is True and verdict[2] is None


@pytest.mark.parametrize(
    "value, expected, default, result",
    [
        ("Sat:16:00-Sat:16:30", "sat:16:00-sat:16:30", None, True),
        ("mon:01:00-mon:01:30", "sat:16:00-sat:16:30", None, False),
        (None, "sat:16:00-sat:16:30", None, False),
        (None, "", None, True),
        ("anything", "", None, True),
        (Unknown("var.w"), "sat:16:00-sat:16:30", None, None),
        (None, "x", "x", True),
    ],
)
def test_equals_when_required(value, expected, default, result) -> None:
    args = {"expected": expected}
    if default is not None:
        args["default"] = default
    assert equals_when_required(None, value, args)[0] is result


def test_rds_instance_private_a_read_replica_has_the_network_of_its_source(tmp_path: Path) -> None:
    replica = "  Replica:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      SourceDBInstanceIdentifier: !Ref Db\n"
    source = instance("Db", "      DBSubnetGroupName: !Ref Group\n      PubliclyAccessible: false\n")
    assert private(cfn_graph(tmp_path, NETWORK + source + replica), "Replica")[0] is True
    assert private(cfn_graph(tmp_path, NETWORK + GATEWAY + source + replica), "Replica")[0] is False
    external = "  Replica:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      SourceDBInstanceIdentifier: orders\n"
    assert private(cfn_graph(tmp_path, external), "Replica")[0] is None


# -- Japanese details --------------------------------------------------------------------------------


def test_rds_instance_private_speaks_japanese(tmp_path: Path) -> None:
    graph = cfn_graph(tmp_path, NETWORK + GATEWAY + instance("Db", "      DBSubnetGroupName: !Ref Group\n"))
    resource = graph.by_name["Db"]
    ok, detail = _japanese(_databases.rds_instance_private)(Context(resource, graph), resource.properties, {})[:2]
    assert ok is False
    assert detail == (
        "PubliclyAccessible が設定されておらず、VPC Vpc にインターネットゲートウェイ (Attachment) がアタッチされています。"
        "RDS によってインスタンスはパブリックアクセス可能になります"
    )
    graph = cfn_graph(tmp_path, instance("Db", "      PubliclyAccessible: true\n"))
    resource = graph.by_name["Db"]
    verdict = _japanese(_databases.rds_instance_private)(Context(resource, graph), resource.properties, {})
    assert verdict[:2] == (False, "PubliclyAccessible は true です")
    graph = cfn_graph(tmp_path, instance("Db"))
    resource = graph.by_name["Db"]
    detail = _japanese(_databases.rds_instance_private)(Context(resource, graph), resource.properties, {})[1]
    assert detail.startswith("PubliclyAccessible と DBSubnetGroupName が設定されていません。")
    assert "デフォルト VPC" in detail


def test_exports_engine_logs_speaks_japanese(tmp_path: Path) -> None:
    graph = cfn_graph(tmp_path, instance("Db", "      EnableCloudwatchLogsExports: [error]\n", "mysql"))
    resource = graph.by_name["Db"]
    verdict = _japanese(_databases.exports_engine_logs)(Context(resource, graph), resource.properties, CFN_LOG_ARGS)
    assert verdict == (
        False,
        "エンジン mysql は audit, general, slowquery をエクスポートしていません (必須: audit, error, general, slowquery)",
        8,
    )


def test_cluster_and_redshift_details_speak_japanese(tmp_path: Path) -> None:
    graph = tf_graph(tmp_path, 'resource "aws_rds_cluster" "c" {\n  engine = "aurora-mysql"\n}\n' + member("a"))
    resource = graph.by_name["aws_rds_cluster.c"]
    verdict = _japanese(_databases.cluster_instances_span_azs)(Context(resource, graph), resource.properties, TF_ARGS)
    assert verdict == (
        False,
        "クラスターの DB インスタンスは 1 個で、別のアベイラビリティーゾーンにレプリカがありません",
    )
    redshift = _japanese(_databases.redshift_requires_ssl)
    assert redshift(Context(resource, graph), "default.redshift-1.0", TF_SSL_ARGS) == (
        False,
        "default.redshift-1.0 は SSL を必須としていません (require_ssl は false です)",
    )
    group = 'resource "aws_redshift_parameter_group" "g" {\n  name   = "analytics"\n  family = "redshift-1.0"\n}\n'
    cluster = 'resource "aws_redshift_cluster" "c" {\n  cluster_parameter_group_name = aws_redshift_parameter_group.g.name\n}\n'
    graph = tf_graph(tmp_path, group + cluster)
    resource = graph.by_name["aws_redshift_cluster.c"]
    name = resource.properties.get("cluster_parameter_group_name")
    assert redshift(Context(resource, graph), name, TF_SSL_ARGS) == (
        False,
        "aws_redshift_parameter_group.g は require_ssl を設定していません (カスタムパラメータグループのデフォルトは false です)",
    )


def test_list_contains_and_equals_when_required_speak_japanese(tmp_path: Path) -> None:
    graph = tf_graph(tmp_path, 'resource "aws_db_snapshot" "s" {\n  shared_accounts = ["1", "all"]\n}\n')
    c = ctx(graph, "aws_db_snapshot.s")
    items = c.resource.properties["shared_accounts"]
    assert _japanese(_databases.list_contains)(c, items, {"values": ["all"]})[:2] == (True, "'all' が含まれています")
    assert _japanese(_databases.list_contains)(c, ["1"], {"values": ["all"]}) == (
        False,
        "all のいずれも含まれていません",
    )
    equals = _japanese(_databases.equals_when_required)
    assert equals(None, "mon:01:00-mon:01:30", {"expected": "sat:16:00-sat:16:30"}) == (
        False,
        "mon:01:00-mon:01:30 です。期待値は sat:16:00-sat:16:30 です",
    )


def test_every_detail_has_both_languages(tmp_path: Path) -> None:
    """Every non-empty detail is a {"en", "ja"} dict whose Japanese is not empty."""
    graph = cfn_graph(tmp_path, NETWORK + GATEWAY + instance("Db", "      DBSubnetGroupName: !Ref Group\n"))
    resource = graph.by_name["Db"]
    c = Context(resource, graph)
    verdicts = [
        _databases.rds_instance_private(c, resource.properties, {}),
        _databases.rds_instance_private(c, None, {}),
        _databases.refers_to_declared(c, None, {"via": "DBSubnetGroupName", "types": ["AWS::RDS::DBSubnetGroup"]}),
        _databases.refers_to_declared(c, None, {"via": "DBClusterIdentifier", "types": ["AWS::RDS::DBCluster"]}),
        _databases.exports_engine_logs(c, resource.properties, CFN_LOG_ARGS),
        _databases.equals_when_required(None, None, {"expected": "x"}),
        _databases.equals_when_required(None, Unknown("var.w"), {"expected": "x"}),
        _databases.list_contains(c, None, {"values": ["all"]}),
        _databases.list_contains(c, [Unknown("var.x")], {"values": ["all"]}),
        _databases.redshift_requires_ssl(c, None, TF_SSL_ARGS),
        _databases.redshift_requires_ssl(c, "elsewhere", TF_SSL_ARGS),
    ]
    for verdict in verdicts:
        detail = verdict[1]
        assert isinstance(detail, dict) and detail["en"] and detail["ja"], verdict
        assert detail["ja"] != detail["en"], verdict
