"""Parsers: values, lines, unknowns and edges for CloudFormation and Terraform."""

from __future__ import annotations

import textwrap

import pytest

from fisc_iac_lint.model import Edge, Ref, Unknown
from fisc_iac_lint.parsers import cloudformation, hcl, terraform
from fisc_iac_lint.parsers.yamljson import LoadError, load


def cfn(text: str, path: str = "t.yaml"):
    doc = cloudformation.load_document(textwrap.dedent(text), path)
    assert cloudformation.looks_like_template(doc)
    return cloudformation.build(doc, path)


def tf(files: dict[str, str]):
    bodies = {name: hcl.parse(textwrap.dedent(text)) for name, text in files.items()}
    return terraform.build("mod", bodies)


# -- YAML / JSON loader ---------------------------------------------------------------
def test_every_key_and_item_has_its_line() -> None:
    doc = load("a:\n  b: 1\n  c:\n    - x\n    - y: 2\n")
    assert doc.key_lines == {"a": 1}
    assert doc["a"].key_lines == {"b": 2, "c": 3}
    assert doc["a"]["c"].item_lines == [4, 5]
    assert doc["a"]["c"][1].line == 5


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: !Ref X", {"a": {"Ref": "X"}}),
        ("a: !GetAtt X.Arn", {"a": {"Fn::GetAtt": ["X", "Arn"]}}),
        ("a: !GetAtt DB.Endpoint.Address", {"a": {"Fn::GetAtt": ["DB", "Endpoint.Address"]}}),
        ("a: !GetAtt [X, Arn]", {"a": {"Fn::GetAtt": ["X", "Arn"]}}),
        ("a: !Sub '${X}-y'", {"a": {"Fn::Sub": "${X}-y"}}),
        ("a: !If [C, 1, 2]", {"a": {"Fn::If": ["C", 1, 2]}}),
        ("a: 2010-09-09\nb: yes\nc: '1'\nd: 0x10\ne: ~", {"a": "2010-09-09", "b": True, "c": "1", "d": 16, "e": None}),
    ],
)
def test_yaml_values_and_short_forms(text: str, expected: dict) -> None:
    assert load(text) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("a: !Ref {x: 1}", "line 1: !Ref takes a scalar, not a mapping"),
        ("a: !GetAtt [a, b, c]", "line 1: !GetAtt takes Resource.Attribute or a list of two items"),
        ("a: !GetAtt nodot", "line 1: !GetAtt 'nodot' is not of the form Resource.Attribute"),
        ("a: !Unknown x", "line 1: unknown tag !Unknown"),
        ("a: 1\nb: 2\na: 3", "line 3: duplicate key 'a'"),
        ("a: [1, 2", "line 2: did not find expected ',' or ']'"),
        ("a: *nowhere", "line 1: unknown alias *nowhere"),
    ],
)
def test_yaml_errors_are_one_line_reasons(text: str, reason: str) -> None:
    with pytest.raises(LoadError) as info:
        load(text)
    assert str(info.value) == reason


def test_alias_bomb_is_rejected_without_expanding() -> None:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        rows.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    with pytest.raises(LoadError, match="alias bomb"):
        load("\n".join(rows))


def test_aliases_within_the_limit_are_shared() -> None:
    doc = load("a: &x {k: 1}\nb: *x")
    assert doc["a"] is doc["b"]


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(LoadError, match="nesting deeper than 256 levels"):
        load("[" * 10000 + "]" * 10000)
    with pytest.raises(LoadError, match="nesting deeper than"):
        load("[" * 10000 + "]" * 10000, json_mode=True)


def test_json_uses_json_rules() -> None:
    assert load('{"a": 1e3, "b": "yes", "c": [true, null]}', json_mode=True) == {
        "a": 1000.0,
        "b": "yes",
        "c": [True, None],
    }
    with pytest.raises(LoadError, match="invalid JSON"):
        load('{"a": 1,}', json_mode=True)
    doc = load('{\n\t"a": {\n\t\t"b": 1\n\t}\n}', json_mode=True)
    assert doc["a"].key_lines == {"b": 3}


# -- CloudFormation -------------------------------------------------------------------
def test_cfn_edges_for_every_kind_of_reference() -> None:
    template = cfn(
        """
        Parameters:
          Env: {Type: String, Default: prod}
          NoDefault: {Type: String}
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Sub "${Env}-data"
              Tags:
                - {Key: owner, Value: !Ref NoDefault}
          Policy:
            Type: AWS::S3::BucketPolicy
            DependsOn: [Bucket]
            Properties:
              Bucket: !Ref Bucket
              PolicyDocument:
                Statement:
                  - Resource: !Sub "${Bucket.Arn}/*"
                  - Resource: {"Fn::GetAtt": ["Bucket", "Arn"]}
                  - Resource: !Join ["", [!GetAtt Bucket.Arn, "/x"]]
        """
    )
    bucket, policy = template.resources
    assert bucket.properties["BucketName"] == "prod-data"
    assert bucket.properties["Tags"][0]["Value"] == Unknown("!Ref NoDefault")
    assert bucket.line == 6 and bucket.properties.line_of("BucketName") == 9
    assert policy.properties["Bucket"] == Unknown("!Ref Bucket", (Ref("Bucket"),))
    assert sorted((e.path, e.kind, e.attribute) for e in template.edges) == sorted(
        [
            (("Bucket",), "ref", None),
            (("PolicyDocument", "Statement", 0, "Resource"), "sub", "Arn"),
            (("PolicyDocument", "Statement", 1, "Resource"), "getatt", "Arn"),
            (("PolicyDocument", "Statement", 2, "Resource", 1, 0), "getatt", "Arn"),
            (("DependsOn",), "depends_on", None),
        ]
    )
    assert all(e.source == "Policy" and e.target == "Bucket" for e in template.edges)


def test_cfn_no_value_removes_the_property() -> None:
    template = cfn(
        """
        Resources:
          B:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Ref AWS::NoValue
              Other: x
        """
    )
    assert dict(template.resources[0].properties) == {"Other": "x"}


def test_not_a_template() -> None:
    assert not cloudformation.looks_like_template(load("name: ci\non: [push]\njobs: {}"))
    assert not cloudformation.looks_like_template(load('{"name": "pkg", "version": "1.0.0"}', json_mode=True))
    assert cloudformation.looks_like_template(load("Resources:\n  X:\n    Type: AWS::SNS::Topic"))


# -- Terraform ------------------------------------------------------------------------
def test_tf_values_lines_and_edges_across_files() -> None:
    template = tf(
        {
            "main.tf": """
            variable "enabled" {
              default = "true"
            }
            variable "name" {}
            locals {
              prefix = "acme"
              full   = "${local.prefix}-logs"
            }
            resource "aws_s3_bucket" "b" {
              bucket = local.full
              tags   = { Owner = var.name, Tier = var.name == "x" ? "a" : null }
            }
            """,
            "other.tf": """
            data "aws_iam_policy_document" "p" {}
            resource "aws_s3_bucket_versioning" "v" {
              bucket = aws_s3_bucket.b.id
              versioning_configuration {
                status = var.enabled ? "Enabled" : "Suspended"
              }
              policy = data.aws_iam_policy_document.p.json
              enabled = var.enabled
            }
            """,
        }
    )
    by_name = {r.name: r for r in template.resources}
    bucket = by_name["aws_s3_bucket.b"]
    assert bucket.line == 10 and bucket.file == "main.tf"
    assert bucket.properties["bucket"] == "acme-logs"
    assert bucket.properties["tags"]["Owner"] == Unknown("var.name")
    assert bucket.properties["tags"]["Tier"] == Unknown('var.name == "x" ? "a" : null', (), maybe_absent=True)
    versioning = by_name["aws_s3_bucket_versioning.v"]
    assert versioning.properties["versioning_configuration"][0]["status"] == "Enabled"  # "true" converts
    assert versioning.properties["enabled"] == "true"
    assert versioning.properties["versioning_configuration"].line == 5
    assert by_name["data.aws_iam_policy_document.p"].kind == "data"
    assert set(template.edges) == {
        Edge("aws_s3_bucket_versioning.v", "aws_s3_bucket.b", ("bucket",), "id", "expression"),
        Edge("aws_s3_bucket_versioning.v", "data.aws_iam_policy_document.p", ("policy",), "json", "expression"),
    }


def test_tf_jsonencode_heredoc_and_functions() -> None:
    template = tf(
        {
            "main.tf": """
            resource "aws_s3_bucket_policy" "p" {
              bucket = "x"
              policy = jsonencode({
                Statement = [{ Effect = "Allow", Principal = "*" }]
              })
              doc = <<-EOT
                {"a": "b"}
                EOT
              merged = merge({ a = 1 }, { b = 2 })
              flag   = tobool("false")
              joined = join(",", ["a", "b"])
              bad    = lookup({}, "x")
            }
            """
        }
    )
    props = template.resources[0].properties
    assert props["policy"] == {"Statement": [{"Effect": "Allow", "Principal": "*"}]}
    assert props["policy"]["Statement"][0].line == 5
    assert props["doc"] == '{"a": "b"}\n'
    assert props["merged"] == {"a": 1, "b": 2}
    assert props["flag"] is False
    assert props["joined"] == "a,b"
    assert isinstance(props["bad"], Unknown)


def test_tf_cyclic_locals_are_a_problem_not_a_hang() -> None:
    template = tf({"main.tf": 'locals {\n  a = local.b\n  b = local.a\n}\nresource "x_y" "z" {\n  v = local.a\n}\n'})
    assert [p.message for p in template.problems] == ["line 2: local.a refers to itself"]
    assert isinstance(template.resources[0].properties["v"], Unknown)


def test_tf_dynamic_blocks_are_unknown_items() -> None:
    template = tf(
        {
            "main.tf": 'resource "aws_security_group" "s" {\n  dynamic "ingress" {\n    for_each = var.rules\n    content {}\n  }\n}\n'
        }
    )
    assert template.resources[0].properties["ingress"] == [Unknown('dynamic "ingress" block')]


@pytest.mark.parametrize(
    "text, reason",
    [
        ('resource "a" "b" {\n  x = \n}\n', "line 2:"),
        ('resource "a" "b" {\n', "unexpected"),
    ],
)
def test_tf_syntax_errors_name_the_line(text: str, reason: str) -> None:
    with pytest.raises(hcl.HclError) as info:
        hcl.parse(text)
    assert reason in str(info.value)
    assert "\n" not in str(info.value)


def test_preprocessor_tags_are_unknown_values_and_foreach_is_listed() -> None:
    template = cfn(
        """
        Transform: AWS::LanguageExtensions
        Resources:
          Fn::ForEach::Buckets:
            - Name
            - [a, b]
            - Bucket${Name}:
                Type: AWS::S3::Bucket
          Site:
            Type: AWS::S3::Bucket
            Properties:
              WebsiteConfiguration: !Rain::Embed site.json
        """
    )
    assert [r.name for r in template.resources] == ["Site"]
    assert template.skipped == [("t.yaml:4", "Fn::ForEach::Buckets is not expanded yet")]
    value = template.resources[0].properties["WebsiteConfiguration"]
    assert isinstance(value, Unknown) and "Rain::Embed" in value.expr
    with pytest.raises(LoadError, match="unknown tag !ValueOff"):
        load("a: !ValueOff x")
    # the Rules section's functions have short forms too (AWS's own templates use them)
    assert load("a: !ValueOf [P, Tag]\nb: !RefAll AWS::EC2::VPC::Id") == {
        "a": {"Fn::ValueOf": ["P", "Tag"]},
        "b": {"Fn::RefAll": "AWS::EC2::VPC::Id"},
    }


def test_cfn_conditions_mappings_select_split_and_given_parameters() -> None:
    text = """
        Parameters:
          Env: {Type: String, Default: dev}
          Subnets: {Type: CommaDelimitedList, Default: "subnet-a, subnet-b"}
          Unset: {Type: String}
        Mappings:
          ByEnv:
            prod: {Encrypt: true}
            dev: {Encrypt: false}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
          NotProd: !Not [!Condition IsProd]
          Maybe: !Equals [!Ref Unset, x]
        Resources:
          Db:
            Type: AWS::RDS::DBInstance
            Properties:
              StorageEncrypted: !FindInMap [ByEnv, !Ref Env, Encrypt]
              MultiAZ: !If [IsProd, true, !Ref AWS::NoValue]
              Subnet: !Select [1, !Ref Subnets]
              Parts: !Split [",", "a,b"]
              Either: !If [Maybe, x, y]
          OnlyInProd:
            Type: AWS::SNS::Topic
            Condition: IsProd
        """
    dev = cfn(text)
    db = dev.resources[0].properties
    assert db["StorageEncrypted"] is False and "MultiAZ" not in db
    assert db["Subnet"] == "subnet-b" and db["Parts"] == ["a", "b"]
    assert isinstance(db["Either"], Unknown) and db["Either"].maybe_absent
    assert [r.name for r in dev.resources] == ["Db"]
    assert dev.skipped[0][1] == "OnlyInProd: condition IsProd is false"
    doc = cloudformation.load_document(textwrap.dedent(text), "t.yaml")
    prod = cloudformation.build(doc, "t.yaml", {"Env": "prod"})
    assert prod.resources[0].properties["StorageEncrypted"] is True
    assert prod.resources[0].properties["MultiAZ"] is True
    assert [r.name for r in prod.resources] == ["Db", "OnlyInProd"]


def test_cfn_pseudo_parameters_base64_cidr_and_getazs() -> None:
    text = """
        Resources:
          A:
            Type: AWS::EC2::Instance
            Properties:
              Region: !Ref AWS::Region
              Partition: !Ref AWS::Partition
              Suffix: !Ref AWS::URLSuffix
              Arn: !Sub arn:${AWS::Partition}:s3:::${AWS::StackName}-${AWS::AccountId}
              Topics: !Ref AWS::NotificationARNs
              UserData: !Base64 {"Fn::Sub": "echo ${AWS::Region}"}
              Subnets: !Cidr [10.0.0.0/16, 3, 8]
              Six: !Cidr ["2001:db8::/56", 2, 64]
              TooMany: !Cidr [10.0.0.0/30, 8, 1]
              Zone: !Select [0, !GetAZs ""]
        """
    doc = cloudformation.load_document(textwrap.dedent(text), "t.yaml")
    unknown = cloudformation.build(doc, "t.yaml").resources[0].properties
    assert [unknown[k].expr for k in ("Region", "Partition", "Topics")] == [
        "!Ref AWS::Region",
        "!Ref AWS::Partition",
        "!Ref AWS::NotificationARNs",
    ]
    assert isinstance(unknown["Arn"], Unknown) and isinstance(unknown["UserData"], Unknown)
    assert unknown["Subnets"] == ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]
    assert unknown["Six"] == ["2001:db8::/64", "2001:db8:0:1::/64"]
    assert isinstance(unknown["TooMany"], Unknown) and isinstance(unknown["Zone"], Unknown)
    given = {"AWS::Region": "cn-north-1", "AWS::AccountId": "111122223333", "AWS::StackName": "app"}
    given["AWS::NotificationARNs"] = "arn:a, arn:b"
    template = cloudformation.build(doc, "t.yaml", given)
    china = template.resources[0].properties
    assert (china["Region"], china["Partition"], china["Suffix"]) == ("cn-north-1", "aws-cn", "amazonaws.com.cn")
    assert china["Arn"] == "arn:aws-cn:s3:::app-111122223333"
    assert china["Topics"] == ["arn:a", "arn:b"] and china["UserData"] == "ZWNobyBjbi1ub3J0aC0x"
    assert isinstance(china["Zone"], Unknown)
    assert template.account_id == "111122223333"
    gov = cloudformation.build(doc, "t.yaml", {"AWS::Region": "us-gov-west-1", "AWS::Partition": "aws"})
    assert gov.resources[0].properties["Partition"] == "aws"  # a value given wins over the derived one
    assert gov.account_id is None
