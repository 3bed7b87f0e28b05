"""Tests for fisc_iac_lint.predicates.logging: set values, AWS managed keys, trail selectors, alarm actions."""

from __future__ import annotations

import pytest
from verdicts import english as _english
from verdicts import japanese as _japanese

from fisc_iac_lint.graph import Graph
from fisc_iac_lint.model import CLOUDFORMATION, TERRAFORM, Mapping, Ref, Resource, Template, Unknown
from fisc_iac_lint.predicates import PREDICATES, Context
from fisc_iac_lint.predicates import logging as _logging
from fisc_iac_lint.predicates.logging import label_ja, value_is_set, value_is_set_text

alarm_actions_configured = _english(_logging.alarm_actions_configured)
customer_managed_key = _english(_logging.customer_managed_key)
trail_logs_s3_data_events = _english(_logging.trail_logs_s3_data_events)
trail_records_management_events = _english(_logging.trail_records_management_events)
set_not_empty = _english(PREDICATES["set_not_empty"])


def ctx(fmt: str = CLOUDFORMATION, *others: Resource) -> Context:
    resource = Resource(fmt, "AWS::CloudTrail::Trail", "Trail", Mapping(), "t.yaml", 1, 1)
    template = Template(fmt, "t", resources=[resource, *others])
    return Context(resource, Graph(template))


def test_the_predicates_are_registered() -> None:
    for name in (
        "set_not_empty",
        "customer_managed_key",
        "resource_defined",
        "trail_records_management_events",
        "trail_logs_s3_data_events",
        "alarm_actions_configured",
    ):
        assert name in PREDICATES


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        ("  ", False),
        ([], False),
        ("alias/cloudtrail", True),
        (["arn:aws:sns:ap-northeast-1:123456789012:alerts"], True),
        (Unknown("!GetAtt Key.Arn", (Ref("Key", "Arn"),)), True),
        (Unknown("aws_kms_key.k.arn", (Ref("aws_kms_key.k", "arn"),)), True),
        (Unknown("!Ref KeyArn"), None),
        (Unknown("var.key_arn"), None),
        (Unknown("local.key_arn"), None),
        (Unknown('{"Fn::If":["C","k",{"Ref":"AWS::NoValue"}]}', maybe_absent=True), None),
        (Unknown('{"Fn::Sub":"arn:aws:kms:${AWS::Region}:${AWS::AccountId}:alias/logs"}'), True),
        (Unknown('{"Fn::Sub":"${KeyArn}"}'), None),
        (Unknown('{"Fn::ImportValue":"security-TrailKeyArn"}'), True),
        (Unknown('{"Fn::FindInMap":["Keys","prod","arn"]}'), None),
        (Unknown('"arn:aws:kms:${var.region}:123456789012:alias/logs"'), True),
    ],
)
def test_value_is_set(value, expected) -> None:
    assert value_is_set(value)[0] is expected


def test_set_not_empty_names_the_property() -> None:
    ok, detail = set_not_empty(ctx(), None, {"label": "KMSKeyId"})
    assert (ok, detail) == (False, "KMSKeyId is not set")


ALIAS = {"aws_managed_alias": "alias/aws/secretsmanager"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        ("alias/aws/secretsmanager", False),
        ("arn:aws:kms:ap-northeast-1:123456789012:alias/aws/secretsmanager", False),
        ("alias/payments", True),
        ("arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", True),
        (Unknown("var.key"), None),
    ],
)
def test_customer_managed_key(value, expected) -> None:
    assert customer_managed_key(ctx(), value, ALIAS)[0] is expected


def test_customer_managed_key_follows_a_terraform_data_source() -> None:
    managed = Resource(
        TERRAFORM,
        "aws_kms_alias",
        "data.aws_kms_alias.sm",
        Mapping(name="alias/aws/secretsmanager"),
        "m.tf",
        1,
        1,
        "data",
    )
    other = Resource(
        TERRAFORM, "aws_kms_alias", "data.aws_kms_alias.app", Mapping(name="alias/app"), "m.tf", 5, 5, "data"
    )
    context = ctx(TERRAFORM, managed, other)
    via_managed = Unknown("data.aws_kms_alias.sm.target_key_arn", (Ref("data.aws_kms_alias.sm", "target_key_arn"),))
    via_other = Unknown("data.aws_kms_alias.app.target_key_arn", (Ref("data.aws_kms_alias.app", "target_key_arn"),))
    assert customer_managed_key(context, via_managed, ALIAS)[0] is False
    assert customer_managed_key(context, via_other, ALIAS)[0] is True


# -- management events -------------------------------------------------------------------------


def mgmt(props: dict, fmt: str = CLOUDFORMATION, both: bool = False):
    return trail_records_management_events(ctx(fmt), Mapping(props), {"read_write_all": both})[0]


def test_no_selectors_record_every_management_event() -> None:
    assert mgmt({}) is True
    assert mgmt({}, both=True) is True


def test_basic_selectors() -> None:
    assert mgmt({"EventSelectors": [{"ReadWriteType": "WriteOnly"}]}) is True
    assert mgmt({"EventSelectors": [{"ReadWriteType": "WriteOnly"}]}, both=True) is False
    assert mgmt({"EventSelectors": [{"ReadWriteType": "ReadOnly"}, {"ReadWriteType": "WriteOnly"}]}, both=True) is True
    assert mgmt({"EventSelectors": [{"IncludeManagementEvents": False}]}) is False
    assert mgmt({"EventSelectors": [{"IncludeManagementEvents": "false"}, {}]}, both=True) is True
    excluded = {"EventSelectors": [{"ExcludeManagementEventSources": ["kms.amazonaws.com"]}]}
    assert mgmt(excluded) is False
    assert mgmt({"EventSelectors": [{"ExcludeManagementEventSources": []}]}) is True


def test_terraform_selectors() -> None:
    assert mgmt({"event_selector": [{"read_write_type": "All"}]}, TERRAFORM, both=True) is True
    excluded = {"event_selector": [{"exclude_management_event_sources": ["rdsdata.amazonaws.com"]}]}
    assert mgmt(excluded, TERRAFORM) is False


def advanced(*fields):
    return {"AdvancedEventSelectors": [{"FieldSelectors": [dict(f) for f in fields]}]}


def test_advanced_selectors() -> None:
    management = {"Field": "eventCategory", "Equals": ["Management"]}
    assert mgmt(advanced(management), both=True) is True
    assert mgmt(advanced(management, {"Field": "readOnly", "Equals": ["true"]}), both=True) is False
    assert mgmt(advanced(management, {"Field": "readOnly", "Equals": ["false"]})) is True
    assert mgmt(advanced(management, {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]})) is False
    assert mgmt(advanced({"Field": "eventCategory", "Equals": ["Data"]})) is False
    tf = {"advanced_event_selector": [{"field_selector": [{"field": "eventCategory", "equals": ["Management"]}]}]}
    assert mgmt(tf, TERRAFORM, both=True) is True


def test_unknown_selectors_are_unknown_unless_another_decides() -> None:
    dynamic = Unknown('dynamic "event_selector" block')
    assert mgmt({"event_selector": dynamic}, TERRAFORM) is None
    assert mgmt({"event_selector": [dynamic]}, TERRAFORM) is None
    assert mgmt({"event_selector": [dynamic, {"read_write_type": "All"}]}, TERRAFORM) is True
    assert mgmt({"EventSelectors": [{"ReadWriteType": Unknown("!Ref Kind")}]}) is None


# -- S3 data events ----------------------------------------------------------------------------


def data(props: dict, fmt: str = CLOUDFORMATION, buckets=()):
    return trail_logs_s3_data_events(ctx(fmt), Mapping(props), {"bucket_names": list(buckets)})[0]


def s3(*values):
    return {"EventSelectors": [{"DataResources": [{"Type": "AWS::S3::Object", "Values": list(values)}]}]}


def test_basic_data_selectors() -> None:
    assert data({}) is False
    assert data(s3("arn:aws:s3")) is True
    assert data(s3("arn:aws:s3:::")) is True
    assert data(s3("arn:aws-cn:s3")) is True
    assert data(s3("arn:aws:s3:::payments/")) is False
    assert data(s3("arn:aws:s3:::payments/"), buckets=["payments"]) is True
    assert data(s3("arn:aws:s3:::payments/"), buckets=["payments", "audit"]) is False
    one = trail_logs_s3_data_events(ctx(), Mapping(s3("arn:aws:s3:::payments/")), {"bucket_names": "payments"})
    assert one[0] is True  # a single name given on the command line is a string
    lambda_only = {
        "EventSelectors": [{"DataResources": [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}]}]
    }
    assert data(lambda_only) is False
    assert data(s3(Unknown("!Ref BucketArn"))) is None


def test_advanced_data_selectors() -> None:
    category = {"Field": "eventCategory", "Equals": ["Data"]}
    s3_type = {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}
    assert data(advanced(category, s3_type)) is True
    assert data(advanced(category, s3_type, {"Field": "readOnly", "Equals": ["false"]})) is True
    assert (
        data(advanced(category, s3_type, {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payments/"]})) is False
    )
    narrowed = advanced(category, s3_type, {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payments/"]})
    assert data(narrowed, buckets=["payments"]) is True
    excluded = advanced(category, s3_type, {"Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::logs/"]})
    assert data(excluded) is False
    assert data(advanced(category, {"Field": "resources.type", "Equals": ["AWS::DynamoDB::Table"]})) is False


def test_terraform_data_selectors() -> None:
    tf = {"event_selector": [{"data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]}
    assert data(tf, TERRAFORM) is True


# -- alarm actions -----------------------------------------------------------------------------

ALARM_ARGS = {
    "alarm": True,
    "insufficient_data": True,
    "ok": False,
    "alarm_field": "AlarmActions",
    "insufficient_data_field": "InsufficientDataActions",
    "ok_field": "OKActions",
}


def alarm(props: dict, **overrides):
    return alarm_actions_configured(ctx(), Mapping(props), {**ALARM_ARGS, **overrides})


def test_alarm_actions() -> None:
    topic = ["arn:aws:sns:ap-northeast-1:123456789012:alerts"]
    assert alarm({"AlarmActions": topic, "InsufficientDataActions": topic})[0] is True
    ok, detail, _ = alarm({"AlarmActions": topic})
    assert ok is False and "INSUFFICIENT_DATA" in detail
    assert alarm({"AlarmActions": [], "InsufficientDataActions": topic})[0] is False
    assert alarm({"AlarmActions": topic}, insufficient_data="false")[0] is True
    assert alarm({"AlarmActions": topic, "InsufficientDataActions": topic}, ok=True)[0] is False
    assert alarm({"AlarmActions": Unknown("!Ref Actions"), "InsufficientDataActions": topic})[0] is None
    # a decided failure wins over an unknown
    assert alarm({"AlarmActions": Unknown("!Ref Actions")})[0] is False


def test_malformed_selectors_do_not_raise() -> None:
    for props in (
        {"EventSelectors": "All"},
        {"EventSelectors": ["All", 3, None]},
        {"EventSelectors": [{"DataResources": ["x", {"Type": "AWS::S3::Object", "Values": "arn:aws:s3"}]}]},
        {"AdvancedEventSelectors": ["x", {"FieldSelectors": ["y", {"Field": "eventCategory"}]}]},
        {"AdvancedEventSelectors": {"FieldSelectors": {"Field": "eventCategory", "Equals": "Management"}}},
    ):
        for both in (False, True):
            assert mgmt(props, both=both) in (True, False, None)
        assert data(props) in (True, False, None)
    assert data({"EventSelectors": [{"DataResources": [{"Type": "AWS::S3::Object", "Values": "arn:aws:s3"}]}]}) is True


# -- Japanese details --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [None, "", "alias/x", [], ["a"], {"a": 1}, 3, Unknown("!Ref KeyArn"), Unknown("k", maybe_absent=True)],
)
def test_value_is_set_text_keeps_the_english_of_value_is_set(value) -> None:
    ok, detail = value_is_set_text(value)
    assert (ok, detail["en"]) == value_is_set(value)
    assert detail["ja"] and "is" not in detail["ja"].split()


def test_set_not_empty_in_japanese() -> None:
    set_ja = _japanese(PREDICATES["set_not_empty"])
    assert set_ja(ctx(), None, {"label": "KMSKeyId"}) == (False, "KMSKeyId が設定されていません")
    assert set_ja(ctx(), "", {"label": "kms_key_id"}) == (False, "kms_key_id が空です")
    assert set_ja(ctx(), "alias/logs", {}) == (True, "値は 'alias/logs' です")
    assert set_ja(ctx(), Unknown("var.key_arn"), {"label": "KmsKeyId"}) == (None, "KmsKeyId は未解決です (var.key_arn)")


def test_customer_managed_key_in_japanese() -> None:
    cmk = _japanese(_logging.customer_managed_key)
    ok, detail = cmk(ctx(), None, {**ALIAS, "label": "the replica's KmsKeyId"})
    assert (ok, detail) == (
        False,
        "レプリカの KmsKeyId が設定されていません (AWS マネージドキー alias/aws/secretsmanager が使用されます)",
    )
    assert cmk(ctx(), "alias/aws/secretsmanager", {**ALIAS, "label": "KmsKeyId"}) == (
        False,
        "KmsKeyId は AWS マネージドキー 'alias/aws/secretsmanager' です",
    )
    assert label_ja("the KMS key") == "KMS キー"
    assert label_ja("KmsKeyId", {"label_ja": "キー"}) == "キー"


def test_trail_and_alarm_details_in_japanese() -> None:
    management = _japanese(_logging.trail_records_management_events)
    write_only = Mapping({"EventSelectors": [{"ReadWriteType": "WriteOnly"}]})
    assert management(ctx(), write_only, {"read_write_all": True})[:2] == (
        False,
        "管理イベントのうち書き込みイベントのみが記録されます",
    )
    s3_events = _japanese(_logging.trail_logs_s3_data_events)
    assert s3_events(ctx(), Mapping({}), {})[:2] == (
        False,
        "すべてのバケットの S3 データイベントがログに記録されていません",
    )
    narrowed = Mapping(s3("arn:aws:s3:::payments/"))
    assert s3_events(ctx(), narrowed, {"bucket_names": ["payments", "audit"]})[:2] == (
        False,
        "バケット audit の S3 データイベントがログに記録されていません",
    )
    topic = ["arn:aws:sns:ap-northeast-1:123456789012:alerts"]
    ok, detail, _ = _japanese(_logging.alarm_actions_configured)(ctx(), Mapping({"AlarmActions": topic}), ALARM_ARGS)
    assert (ok, detail) == (
        False,
        "InsufficientDataActions が設定されていません: INSUFFICIENT_DATA 状態のアクションがありません",
    )


# -- trail_security_events_alarmed ---------------------------------------------------------------

trail_security_events_alarmed = _logging.trail_security_events_alarmed


def _monitoring(tmp_path, trail_arn: str, filters: str, events: list[str]) -> tuple:
    from textwrap import dedent, indent

    from fisc_iac_lint.api import parse_cloudformation

    path = tmp_path / "t.yaml"
    body = f"""
    Group:
      Type: AWS::Logs::LogGroup
      Properties: {{LogGroupName: trail}}
    Trail:
      Type: AWS::CloudTrail::Trail
      Properties: {{IsLogging: true, S3BucketName: b{trail_arn}}}
    """
    path.write_text(
        "Parameters:\n  P: {Type: String}\nResources:\n" + indent(dedent(body) + dedent(filters), "  "),
        encoding="utf-8",
    )
    graph = Graph(parse_cloudformation(str(path)))
    trail = graph.by_name["Trail"]
    return trail_security_events_alarmed(Context(trail, graph), trail.properties, {"events": events})[:2]


def _pair(pattern: str, group: str = "!Ref Group", alarm: str = "AlarmActions: [arn:aws:sns:r:1:t]") -> str:
    return f"""
    F:
      Type: AWS::Logs::MetricFilter
      Properties:
        LogGroupName: {group}
        FilterPattern: '{pattern}'
        MetricTransformations: [{{MetricName: M, MetricNamespace: N, MetricValue: "1"}}]
    A:
      Type: AWS::CloudWatch::Alarm
      Properties: {{MetricName: M, Namespace: N, {alarm}}}
    """


ROOT = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }'
TRAIL_CHANGES = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) }"


@pytest.mark.parametrize(
    ("trail_arn", "filters", "expected"),
    [
        (", CloudWatchLogsLogGroupArn: !GetAtt Group.Arn", _pair(ROOT), True),
        # the log group's name in a literal ARN, the filter naming it literally
        (", CloudWatchLogsLogGroupArn: 'arn:aws:logs:r:1:log-group:trail:*'", _pair(ROOT, group="trail"), True),
        (", CloudWatchLogsLogGroupArn: 'arn:aws:logs:r:1:log-group:other:*'", _pair(ROOT, group="trail"), False),
        ("", _pair(ROOT), False),  # the trail sends nothing to CloudWatch Logs
        (", CloudWatchLogsLogGroupArn: !GetAtt Group.Arn", _pair(ROOT, alarm="AlarmActions: []"), False),
        (
            ", CloudWatchLogsLogGroupArn: !GetAtt Group.Arn",
            _pair(ROOT, alarm="AlarmActions: [arn:aws:sns:r:1:t], ActionsEnabled: false"),
            False,
        ),
        (", CloudWatchLogsLogGroupArn: !GetAtt Group.Arn", _pair('{ $.userIdentity.type = "IAMUser" }'), False),
        (", CloudWatchLogsLogGroupArn: !GetAtt Group.Arn", _pair(ROOT, alarm="AlarmActions: !Ref P"), None),
        (", CloudWatchLogsLogGroupArn: !Ref P", _pair(ROOT), None),
        (", CloudWatchLogsLogGroupArn: !GetAtt Group.Arn", _pair(ROOT, group="!Ref P"), None),
    ],
)
def test_trail_security_events_alarmed(tmp_path, trail_arn, filters, expected) -> None:
    assert _monitoring(tmp_path, trail_arn, filters, ["root-account-usage"])[0] is expected


def test_every_identifying_word_must_be_mentioned(tmp_path) -> None:
    ok, detail = _monitoring(
        tmp_path, ", CloudWatchLogsLogGroupArn: !GetAtt Group.Arn", _pair(TRAIL_CHANGES), ["cloudtrail-changes"]
    )
    assert ok is False and "cloudtrail-changes" in detail["en"]  # StartLogging / StopLogging are missing


def test_names_are_whole_words(tmp_path) -> None:
    # CreatePolicyVersion does not mention CreatePolicy
    assert not _logging._mentions_all("{ $.eventName = CreatePolicyVersion }", ("CreatePolicy",))
    assert _logging._mentions_all('{ $.errorCode = "*UnauthorizedOperation" }', ("errorCode", "UnauthorizedOperation"))


def test_unknown_event_name_in_the_parameter(tmp_path) -> None:
    ok, detail = _monitoring(tmp_path, ", CloudWatchLogsLogGroupArn: !GetAtt Group.Arn", _pair(ROOT), ["root-login"])
    assert ok is None and "root-login" in detail["en"]
