"""AWS Backup predicates: selections that protect a resource, schedule frequencies, delete on termination."""

from __future__ import annotations

from pathlib import Path

import pytest
from verdicts import english as _english

from fisc_iac_lint.graph import Graph
from fisc_iac_lint.model import Ref, Text, Unknown
from fisc_iac_lint.parsers.cloudformation import build, load_document
from fisc_iac_lint.predicates import Context
from fisc_iac_lint.predicates import backup as _backup
from fisc_iac_lint.predicates.backup import (
    ArnModel,
    Tags,
    match_arn,
    read_selection,
    read_tags,
    schedule_period_minutes,
    selection_covers,
)

backup_schedule_within = _english(_backup.backup_schedule_within)
delete_on_termination_satisfied = _english(_backup.delete_on_termination_satisfied)
protected_by_backup_selection = _english(_backup.protected_by_backup_selection)

DB = ArnModel("rds", "db:", None)
NAMED_DB = ArnModel("rds", "db:", "orders")


# -- ARN patterns --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern, model, expected",
    [
        ("*", DB, True),
        ("arn:aws:rds:*:*:db:*", DB, True),
        ("arn:aws-cn:rds:*:*:db:*", DB, True),  # any partition
        ("arn:aws:rds:*:*:*", DB, True),
        ("arn:aws:rds:*:*:cluster:*", DB, False),
        ("arn:aws:ec2:*:*:volume/*", DB, False),
        ("arn:aws:*:*:*:*", DB, True),
        ("arn:aws:rds:ap-northeast-1:*:db:*", DB, None),  # a literal region: the target is not known
        ("arn:aws:rds:*:123456789012:db:*", DB, None),
        ("arn:aws:rds:*:*:db:orders", DB, None),  # a generated identifier may or may not be it
        ("arn:aws:rds:*:*:db:orders", NAMED_DB, True),
        ("arn:aws:rds:*:*:db:ord*", NAMED_DB, True),
        ("arn:aws:rds:*:*:db:ledger", NAMED_DB, False),
        ("arn:\x00:rds:\x00:\x00:db:*", DB, True),  # computed partition, region, account
        ("arn:aws:rds:*:*:db:\x00", NAMED_DB, None),
        ("arn:aws:rds:*:*:cluster:\x00", NAMED_DB, False),
        ("not an arn", DB, False),
    ],
)
def test_match_arn(pattern: str, model: ArnModel, expected: bool | None) -> None:
    assert match_arn(pattern, model) is expected


# -- tags and selections ------------------------------------------------------------------------
def test_read_tags_in_both_formats() -> None:
    cfn = read_tags([{"Key": "backup", "Value": "daily"}])
    tf = read_tags({"backup": "daily"})
    assert cfn.values == tf.values == {"backup": "daily"}
    assert cfn.complete and tf.complete
    assert read_tags(None).values == {} and read_tags(None).complete
    assert not read_tags(Unknown("var.tags")).complete
    partial = read_tags([{"Key": "a", "Value": "1"}, Unknown("!If ...")])
    assert partial.values == {"a": "1"} and not partial.complete


def _cfn(body: dict) -> dict:
    return {"BackupPlanId": "plan", "BackupSelection": {"SelectionName": "s", **body}}


def _covers(properties: dict, cfn: bool, tags: Tags, model: ArnModel = DB, name: str = "Db") -> bool | None:
    return selection_covers(read_selection(properties, cfn), name, model, tags)


DAILY = Tags({"backup": "daily"}, True)
NONE = Tags({}, True)
UNSEEN = Tags({}, False)


@pytest.mark.parametrize(
    "body, tags, expected",
    [
        ({"Resources": ["*"]}, NONE, True),
        ({"Resources": ["*"], "NotResources": ["arn:aws:rds:*:*:db:*"]}, NONE, False),
        ({"Resources": ["arn:aws:dynamodb:*:*:table/*"]}, DAILY, False),
        (
            {"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}]},
            DAILY,
            True,
        ),
        (
            {
                "ListOfTags": [
                    {
                        "ConditionType": "STRINGEQUALS",
                        "ConditionKey": "aws:ResourceTag/backup",
                        "ConditionValue": "daily",
                    }
                ]
            },
            DAILY,
            True,
        ),
        (
            {"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "weekly"}]},
            DAILY,
            False,
        ),
        (
            {"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}]},
            UNSEEN,
            None,
        ),
        # ListOfTags are ORed with each other and with Resources
        (
            {
                "Resources": ["arn:aws:dynamodb:*:*:table/*"],
                "ListOfTags": [
                    {"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "weekly"},
                    {"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"},
                ],
            },
            DAILY,
            True,
        ),
        # Conditions are ANDed and refine the resource list
        (
            {
                "Resources": ["*"],
                "Conditions": {
                    "StringEquals": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "daily"}],
                    "StringNotEquals": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "dev"}],
                },
            },
            DAILY,
            True,
        ),
        (
            {
                "Resources": ["*"],
                "Conditions": {"StringLike": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "dai*"}]},
            },
            DAILY,
            True,
        ),
        (
            {
                "Resources": ["*"],
                "Conditions": {"StringNotLike": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "dai*"}]},
            },
            DAILY,
            False,
        ),
        (
            {
                "Resources": ["*"],
                "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "daily"}]},
            },
            NONE,
            False,
        ),
        # no resource list and no tag conditions: nothing is selected
        (
            {"Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "daily"}]}},
            DAILY,
            False,
        ),
        ({"Resources": [Unknown("!Ref Arns")]}, DAILY, None),
        ({"Resources": [Unknown("!GetAtt Other.Arn", (Ref("Other", "Arn"),))]}, DAILY, False),
        ({"Resources": [Unknown("!GetAtt Db.Arn", (Ref("Db", "Arn"),))]}, NONE, True),
        (
            {"Resources": [Unknown('{"Fn::Sub":"arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:*"}')]},
            NONE,
            True,
        ),
        (
            {
                "Resources": [
                    Unknown('{"Fn::Sub":"arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:cluster:*"}')
                ]
            },
            NONE,
            False,
        ),
        (
            {
                "Resources": [
                    Unknown('{"Fn::Sub":"arn:aws:rds:${AWS::Region}:${AWS::AccountId}:db:${Other}"}', (Ref("Other"),))
                ]
            },
            NONE,
            False,
        ),
        ({"Resources": ["*"], "NotResources": [Unknown("!GetAtt Db.Arn", (Ref("Db", "Arn"),))]}, NONE, False),
    ],
)
def test_cloudformation_selection(body: dict, tags: Tags, expected: bool | None) -> None:
    assert _covers(_cfn(body), True, tags) is expected


@pytest.mark.parametrize(
    "properties, tags, expected",
    [
        ({"resources": ["arn:aws:rds:*:*:db:*"]}, NONE, True),
        ({"resources": [Unknown("aws_db_instance.orders.arn", (Ref("aws_db_instance.orders", "arn"),))]}, NONE, True),
        ({"resources": [Unknown("aws_db_instance.other.arn", (Ref("aws_db_instance.other", "arn"),))]}, NONE, False),
        ({"resources": [Unknown('"arn:aws:rds:${var.region}:${local.account}:db:*"')]}, NONE, True),
        ({"resources": [Unknown("var.arns")]}, NONE, None),
        ({"selection_tag": [{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]}, DAILY, True),
        ({"selection_tag": [{"type": "STRINGEQUALS", "key": "backup", "value": Unknown("var.tier")}]}, DAILY, None),
        (
            {
                "resources": ["*"],
                "condition": [{"string_equals": [{"key": "aws:ResourceTag/backup", "value": "daily"}]}],
            },
            DAILY,
            True,
        ),
        (
            {
                "resources": ["*"],
                "condition": [{"string_not_equals": [{"key": "aws:ResourceTag/backup", "value": "daily"}]}],
            },
            DAILY,
            False,
        ),
        ({"resources": ["*"], "not_resources": ["arn:aws:rds:*:*:db:*"]}, NONE, False),
    ],
)
def test_terraform_selection(properties: dict, tags: Tags, expected: bool | None) -> None:
    assert _covers(properties, False, tags, name="aws_db_instance.orders") is expected


# -- the predicate on parsed templates ------------------------------------------------------------
ARGS = {
    "arn_service": "rds",
    "arn_resource": "db:",
    "name_field": "DBInstanceIdentifier",
    "lowercase_name": True,
    "tags_field": "Tags",
}

TEMPLATE = """\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: Orders
      Tags: [{Key: backup, Value: daily}]
  Plan:
    Type: AWS::Backup::BackupPlan
    Properties:
      BackupPlan: {BackupPlanName: p, BackupPlanRule: [{RuleName: r, TargetBackupVault: Default}]}
"""


def _graph(tmp_path: Path, text: str) -> Graph:
    path = str(tmp_path / "t.yaml")
    return Graph(build(load_document(text, path), path))


def _verdict(tmp_path: Path, text: str) -> tuple:
    graph = _graph(tmp_path, text)
    db = graph.by_name["Db"]
    return protected_by_backup_selection(Context(db, graph), db.properties, ARGS)


def test_no_selection_in_the_template(tmp_path: Path) -> None:
    ok, detail = _verdict(tmp_path, TEMPLATE)[:2]
    assert ok is False and "no AWS Backup selection" in detail


@pytest.mark.parametrize(
    "selection, expected",
    [
        ("Resources: [!GetAtt Db.DBInstanceArn]", True),
        ("Resources: [!Sub 'arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:${Db}']", True),
        ("Resources: ['arn:aws:rds:*:*:db:orders']", True),  # identifiers are lower case in ARNs
        ("Resources: ['arn:aws:rds:*:*:db:ledger']", False),
        ("ListOfTags: [{ConditionType: STRINGEQUALS, ConditionKey: backup, ConditionValue: daily}]", True),
        ("Resources: [!Ref AllArns]", None),
    ],
)
def test_selections_of_a_template(tmp_path: Path, selection: str, expected: bool | None) -> None:
    text = TEMPLATE.replace("Resources:\n", "Parameters:\n  AllArns: {Type: String}\nResources:\n", 1) + (
        "  Selection:\n"
        "    Type: AWS::Backup::BackupSelection\n"
        "    Properties:\n"
        "      BackupPlanId: !Ref Plan\n"
        "      BackupSelection:\n"
        "        SelectionName: s\n"
        "        IamRoleArn: arn:aws:iam::123456789012:role/backup\n"
        f"        {selection}\n"
    )
    assert _verdict(tmp_path, text)[0] is expected


# -- schedules ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "expression, minutes",
    [
        ("cron(0 5 ? * * *)", 1440),
        ("cron(0 5 * * ? *)", 1440),
        ("cron(0 */12 * * ? *)", 720),
        ("cron(0 0,12 * * ? *)", 720),
        ("cron(30 1,2 * * ? *)", 1380),
        ("cron(0 3 ? * MON *)", 7 * 1440),
        ("cron(0 3 ? * 2 *)", 7 * 1440),
        ("cron(0 3 ? * MON-FRI *)", 3 * 1440),
        ("cron(0 5 1 * ? *)", 31 * 1440),
        ("cron(0 5 L * ? *)", 31 * 1440),
        ("cron(0 5 1 1 ? *)", 366 * 1440),
        ("rate(1 day)", 1440),
        ("rate(12 hours)", 720),
        ("rate(90 minutes)", 90),
        ("cron(0 5 ? * 2#1 *)", None),
        ("cron(0 5 * * ? 2030)", None),
        ("cron(0 5 * *)", None),
        ("at(2025-01-01T00:00:00)", None),
    ],
)
def test_schedule_period(expression: str, minutes: int | None) -> None:
    assert schedule_period_minutes(expression) == minutes


CTX = Context(None, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value, args, expected",
    [
        (None, {"frequency_value": 1, "frequency_unit": "days"}, True),  # AWS Backup's default: daily
        ("cron(0 5 ? * * *)", {"frequency_value": "1", "frequency_unit": "days"}, True),
        ("cron(0 5 ? * SUN *)", {"frequency_value": 1, "frequency_unit": "days"}, False),
        ("cron(0 5 ? * SUN *)", {"frequency_value": 7, "frequency_unit": "days"}, True),
        ("cron(0 5 ? * * *)", {"frequency_value": 12, "frequency_unit": "hours"}, False),
        ("rate(12 hours)", {"frequency_value": 12, "frequency_unit": "hours"}, True),
        (Unknown("!Ref Schedule"), {"frequency_value": 1, "frequency_unit": "days"}, None),
        ("cron(0 5 ? * 2#1 *)", {"frequency_value": 1, "frequency_unit": "days"}, None),
        ("cron(0 5 ? * * *)", {"frequency_value": 1, "frequency_unit": "weeks"}, None),
    ],
)
def test_backup_schedule_within(value, args: dict, expected: bool | None) -> None:
    assert backup_schedule_within(CTX, value, args)[0] is expected


# -- delete on termination ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, args, expected",
    [
        (None, {"required": True}, True),
        (True, {"required": "true"}, True),
        ("false", {"required": True}, False),
        (False, {"required": False}, True),
        (Unknown("var.x"), {"required": True}, None),
        (None, {"required": True, "attached_later": True}, False),
        (None, {"required": "false", "attached_later": True}, True),
        (None, {"required": "maybe"}, None),
    ],
)
def test_delete_on_termination(value, args: dict, expected: bool | None) -> None:
    assert delete_on_termination_satisfied(CTX, value, args)[0] is expected


def test_tag_values_compare_as_aws_stores_them() -> None:
    flagged = Tags({"backup": True, "copies": 2.0}, True)
    selection = {"selection_tag": [{"type": "STRINGEQUALS", "key": "backup", "value": "true"}]}
    assert _covers(selection, False, flagged) is True
    selection = {
        "resources": ["*"],
        "condition": [{"string_equals": [{"key": "aws:ResourceTag/copies", "value": "2"}]}],
    }
    assert _covers(selection, False, flagged) is True


def test_only_stringequals_tag_conditions_select() -> None:
    body = {"ListOfTags": [{"ConditionType": "STRINGLIKE", "ConditionKey": "backup", "ConditionValue": "*"}]}
    assert _covers(_cfn(body), True, DAILY) is False


def test_unknown_selection_body_is_unknown() -> None:
    properties = {"BackupPlanId": "plan", "BackupSelection": Unknown("!If [Prod, ...]")}
    assert _covers(properties, True, DAILY) is None


@pytest.mark.parametrize(
    "item, expected",
    [
        (Unknown('{"Fn::Join":[":",["arn",{"Ref":"AWS::Partition"},"dynamodb","*","*","table/*"]]}'), True),
        (Unknown('{"Fn::Join":[":",["arn",{"Ref":"AWS::Partition"},"rds","*","*","db:*"]]}'), False),
        (Unknown('"arn:${data.aws_partition.current.partition}:dynamodb:*:*:table/${var.name}"'), None),
        (Unknown('{"Fn::Sub":"arn:aws:dynamodb:*:*:table/ord'), None),  # truncated: not readable
    ],
)
def test_computed_arns(item: Unknown, expected: bool | None) -> None:
    table = ArnModel("dynamodb", "table/", None)
    assert _covers({"resources": [item]}, False, NONE, table, "aws_dynamodb_table.orders") is expected


# -- Japanese details -------------------------------------------------------------------------
def _ja(verdict: tuple) -> str:
    return Text.of(verdict[1]).ja


def test_selection_details_in_japanese(tmp_path: Path) -> None:
    graph = _graph(tmp_path, TEMPLATE)
    db = graph.by_name["Db"]
    assert _ja(_backup.protected_by_backup_selection(Context(db, graph), db.properties, ARGS)) == (
        "このテンプレートまたはモジュールに、このリソースを対象とする AWS Backup のバックアップ選択がありません"
    )


def test_schedule_details_in_japanese() -> None:
    daily = {"frequency_value": 1, "frequency_unit": "days"}
    hourly = {"frequency_value": 12, "frequency_unit": "hours"}
    assert _ja(_backup.backup_schedule_within(CTX, None, daily)) == (
        "スケジュール cron(0 5 ? * * *) は少なくとも 1 日ごとに実行されます"
    )
    assert _ja(_backup.backup_schedule_within(CTX, "rate(2 days)", hourly)) == (
        "スケジュール rate(2 days) ではバックアップの間隔が最大 2 日になります (必要な頻度: 12 時間ごと)"
    )


def test_delete_on_termination_details_in_japanese() -> None:
    verdict = _backup.delete_on_termination_satisfied(CTX, False, {"required": True})
    assert _ja(verdict) == "DeleteOnTermination は false です: ボリュームはインスタンスの終了後も残ります"
    later = _backup.delete_on_termination_satisfied(CTX, None, {"required": True, "attached_later": True})
    assert _ja(later) == "起動後にアタッチされたボリュームは、インスタンスの終了時に削除されません"
