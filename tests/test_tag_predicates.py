"""Tags in both formats, including Terraform provider default_tags."""

from __future__ import annotations

import textwrap

from fisc_iac_lint.graph import Graph
from fisc_iac_lint.model import Text
from fisc_iac_lint.parsers import cloudformation, hcl, terraform
from fisc_iac_lint.predicates import Context
from fisc_iac_lint.predicates.tags import tag_in

ARGS = {"key": "DataClassification", "values": ["INTERNAL", "CRITICAL"]}


def verdicts_tf(text: str) -> dict[str, tuple]:
    graph = Graph(terraform.build("m", {"main.tf": hcl.parse(textwrap.dedent(text))}))
    return {
        r.name: _english(tag_in(Context(r, graph), r.properties, ARGS))[:2]
        for r in graph.resources
        if r.kind == "resource"
    }


def _english(verdict: tuple) -> tuple:
    return (verdict[0], Text.of(verdict[1]).en, *verdict[2:])


def test_terraform_tags_and_provider_default_tags() -> None:
    out = verdicts_tf(
        """
        provider "aws" {
          default_tags {
            tags = { DataClassification = "INTERNAL" }
          }
        }
        provider "aws" {
          alias = "tokyo"
        }
        variable "class" {}
        resource "aws_s3_bucket" "inherits" {}
        resource "aws_s3_bucket" "own" {
          tags = { DataClassification = "CRITICAL" }
        }
        resource "aws_s3_bucket" "wrong" {
          tags = { DataClassification = "secret" }
        }
        resource "aws_s3_bucket" "aliased" {
          provider = aws.tokyo
        }
        resource "aws_s3_bucket" "unknown" {
          provider = aws.tokyo
          tags     = { DataClassification = var.class }
        }
        """
    )
    assert out["aws_s3_bucket.inherits"] == (True, "DataClassification is 'INTERNAL'")
    assert out["aws_s3_bucket.own"] == (True, "DataClassification is 'CRITICAL'")
    assert out["aws_s3_bucket.wrong"] == (False, "DataClassification is 'secret', not one of INTERNAL, CRITICAL")
    assert out["aws_s3_bucket.aliased"] == (False, "no DataClassification tag")
    assert out["aws_s3_bucket.unknown"][0] is None


def test_cloudformation_tag_lists_and_maps() -> None:
    doc = cloudformation.load_document(
        textwrap.dedent(
            """
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  Tags: [{Key: DataClassification, Value: CRITICAL}]
              Files:
                Type: AWS::EFS::FileSystem
                Properties:
                  FileSystemTags: [{Key: Owner, Value: x}]
              Vault:
                Type: AWS::Backup::BackupVault
                Properties:
                  BackupVaultName: v
                  BackupVaultTags: {DataClassification: INTERNAL}
            """
        ),
        "t.yaml",
    )
    graph = Graph(cloudformation.build(doc, "t.yaml"))
    out = {r.name: _english(tag_in(Context(r, graph), r.properties, ARGS)) for r in graph.resources}
    assert out["Bucket"] == (True, "DataClassification is 'CRITICAL'", 6)
    assert out["Files"] == (False, "no DataClassification tag", None)
    assert out["Vault"] == (True, "DataClassification is 'INTERNAL'", 15)


def test_customer_managed_key() -> None:
    from fisc_iac_lint.predicates.encryption import names_customer_managed_key as customer_managed_key

    doc = cloudformation.load_document(
        "Resources:\n  Key:\n    Type: AWS::KMS::Key\n  T:\n    Type: AWS::SNS::Topic\n"
        "    Properties:\n      A: !GetAtt Key.Arn\n      B: alias/aws/sns\n      C: alias/payments\n      D: !Ref Unset\n",
        "t.yaml",
    )
    graph = Graph(cloudformation.build(doc, "t.yaml"))
    topic = graph.by_name["T"]
    ctx = Context(topic, graph)
    answers = {k: customer_managed_key(ctx, topic.properties[k], {})[0] for k in "ABCD"}
    assert answers == {"A": True, "B": False, "C": True, "D": None}
    assert customer_managed_key(ctx, None, {})[0] is False


def test_a_predicate_name_cannot_be_registered_twice() -> None:
    import pytest

    from fisc_iac_lint.predicates import predicate

    def tag_in(ctx, value, args):  # the same name as the tags module's predicate
        return True, ""

    with pytest.raises(RuntimeError, match="predicate 'tag_in' is defined twice"):
        predicate(tag_in)
