"""Unit tests of fisc_iac_lint.predicates.fisc_mail (SPF records)."""

from __future__ import annotations

import pytest

from fisc_iac_lint.model import Mapping, Sequence, Unknown
from fisc_iac_lint.predicates.fisc_mail import spf_record_restrictive, spf_verdict, txt_text


def _run(value, **args):
    return spf_record_restrictive(None, value, args)


@pytest.mark.parametrize(
    "raw, text",
    [
        ('"v=spf1 -all"', "v=spf1 -all"),
        ('"v=spf1 ip4:192.0.2.0/24" " -all"', "v=spf1 ip4:192.0.2.0/24 -all"),
        ('"v=spf1 include:amazonses.com" "-all"', "v=spf1 include:amazonses.com-all"),
        ("v=spf1 include:amazonses.com ~all", "v=spf1 include:amazonses.com ~all"),
        ('v=spf1 include:amazonses.com ""-all', "v=spf1 include:amazonses.com -all"),
    ],
)
def test_txt_text(raw, text):
    assert txt_text(raw) == text


@pytest.mark.parametrize(
    "text, ok",
    [
        ("v=spf1 include:amazonses.com -all", True),
        ("v=spf1 include:amazonses.com ~all", True),
        ("v=spf1 include:amazonses.com ?all", False),
        ("v=spf1 include:amazonses.com +all", False),
        ("v=spf1 include:amazonses.com all", False),
        ("v=spf1 include:amazonses.com", False),
        ("v=spf1 redirect=_spf.example.jp", True),
        ("V=SPF1 MX -ALL", True),
    ],
)
def test_spf_verdict(text, ok):
    assert spf_verdict(text)[0] is ok


def test_hard_fail_required():
    assert spf_verdict("v=spf1 mx ~all", require_hard_fail=True)[0] is False
    assert spf_verdict("v=spf1 mx -all", require_hard_fail=True)[0] is True


def test_cloudformation_record_set():
    records = Sequence(['"google-site-verification=abc"', '"v=spf1 include:amazonses.com ?all"'], line=10)
    records.item_lines = [11, 12]
    ok, detail, line = _run(Mapping(Type="TXT", ResourceRecords=records))
    assert ok is False and line == 12
    assert "?all" in detail["en"] and "?all" in detail["ja"]


def test_terraform_record_set():
    assert _run({"type": "TXT", "records": ["v=spf1 include:amazonses.com -all"]})[0] is True
    assert _run({"type": "TXT", "records": ["v=spf1 +all"]})[0] is False


def test_two_spf_records_at_one_name():
    records = Sequence(['"v=spf1 mx -all"', '"v=spf1 include:amazonses.com -all"'], line=5)
    records.item_lines = [6, 7]
    ok, detail, line = _run(Mapping(Type="TXT", ResourceRecords=records))
    assert ok is False and line == 7
    assert "2" in detail["en"]


def test_other_records_hold():
    assert _run({"Type": "MX", "ResourceRecords": ["10 feedback-smtp.ap-northeast-1.amazonses.com"]})[0] is True
    assert _run({"Type": "TXT", "ResourceRecords": ['"hello"']})[0] is True
    assert _run({"Type": "TXT"})[0] is True


def test_unknown_values():
    assert _run({"Type": "TXT", "ResourceRecords": [Unknown("!Ref Spf", ())]})[0] is None
    assert _run({"Type": Unknown("!Ref T", ()), "ResourceRecords": ['"v=spf1 +all"']})[0] is None
    # a known SPF record decides even beside an unknown value
    assert _run({"type": "TXT", "records": [Unknown("var.token", ()), "v=spf1 +all"]})[0] is False
    assert _run({"type": "TXT", "records": Unknown("var.records", ())})[0] is None


# -- ECS container logging ---------------------------------------------------------------

from fisc_iac_lint.predicates.fisc_mail import containers_ship_logs  # noqa: E402


def _ecs(value, **args):
    return containers_ship_logs(None, value, args)


def test_containers_structure():
    ok = [{"name": "app", "logConfiguration": {"logDriver": "awslogs"}}]
    assert _ecs(ok)[0] is True
    missing = Sequence([{"name": "app"}], line=3)
    missing.item_lines = [4]
    verdict = _ecs(missing)
    assert verdict[0] is False and verdict[2] == 4 and "app" in verdict[1]["ja"]


def test_containers_cloudformation_casing_and_firelens():
    containers = [
        {"Name": "log_router", "FirelensConfiguration": {"Type": "fluentbit"}},
        {"Name": "app", "LogConfiguration": {"LogDriver": "awsfirelens"}},
    ]
    assert _ecs(containers)[0] is True


def test_containers_json_string_and_driver_list():
    text = '[{"name": "app", "logConfiguration": {"logDriver": "json-file"}}]'
    assert _ecs(text)[0] is False
    assert _ecs(text, log_drivers=["json-file"])[0] is True
    assert _ecs("not json")[0] is None


def test_containers_unknown():
    assert _ecs(Unknown("var.containers", ()))[0] is None
    assert _ecs([{"name": "app", "logConfiguration": Unknown("local.log", ())}])[0] is None


# -- pgaudit ----------------------------------------------------------------------------

from fisc_iac_lint.predicates.fisc_mail import pgaudit_enabled  # noqa: E402


def _pg(props):
    return pgaudit_enabled(None, props, {})


def test_pgaudit_cloudformation():
    assert (
        _pg({"Parameters": {"shared_preload_libraries": "pg_stat_statements,pgaudit", "pgaudit.log": "ddl,role"}})[0]
        is True
    )
    assert _pg({"Parameters": {"shared_preload_libraries": "pg_stat_statements"}})[0] is False
    assert _pg({"Parameters": {"shared_preload_libraries": "pgaudit", "pgaudit.log": "none"}})[0] is False
    assert _pg({"Parameters": {"shared_preload_libraries": "pgaudit"}})[0] is False
    assert _pg({})[0] is False


def test_pgaudit_terraform_and_unknown():
    blocks = [{"name": "shared_preload_libraries", "value": "pgaudit"}, {"name": "pgaudit.log", "value": "all"}]
    assert _pg({"parameter": blocks})[0] is True
    assert _pg({"parameter": [{"name": "pgaudit.log", "value": "all"}]})[0] is False
    assert _pg({"Parameters": {"shared_preload_libraries": Unknown("!Ref Libs", ())}})[0] is None
    assert _pg({"parameter": Unknown("var.parameters", ())})[0] is None


# -- SPF across record sets -----------------------------------------------------------------

from types import SimpleNamespace  # noqa: E402

from fisc_iac_lint.predicates import Context  # noqa: E402


class _Graph:
    def __init__(self, resources):
        self.resources = resources

    def of_type(self, types):
        return [r for r in self.resources if r.type in types]


def _record(name, props):
    return SimpleNamespace(
        name=name, type="AWS::Route53::RecordSet", format="cloudformation", file="t.yaml", properties=props
    )


def test_two_record_sets_publish_spf_at_one_name():
    first = _record(
        "A", {"Name": "example.jp.", "Type": "TXT", "HostedZoneId": "Z1", "ResourceRecords": ['"v=spf1 -all"']}
    )
    second = _record(
        "B", {"Name": "Example.jp", "Type": "TXT", "HostedZoneId": "Z1", "ResourceRecords": ['"v=spf1 mx -all"']}
    )
    other_zone = _record(
        "C", {"Name": "example.jp", "Type": "TXT", "HostedZoneId": "Z2", "ResourceRecords": ['"v=spf1 -all"']}
    )
    graph = _Graph([first, second, other_zone])
    ok, detail, _ = spf_record_restrictive(Context(first, graph), first.properties, {})
    assert ok is False and "B" in detail["en"]
    assert spf_record_restrictive(Context(other_zone, graph), other_zone.properties, {})[0] is True


def test_routing_policy_record_sets_are_alternatives():
    first = _record(
        "A", {"Name": "example.jp", "Type": "TXT", "SetIdentifier": "tokyo", "ResourceRecords": ['"v=spf1 -all"']}
    )
    second = _record(
        "B", {"Name": "example.jp", "Type": "TXT", "SetIdentifier": "osaka", "ResourceRecords": ['"v=spf1 -all"']}
    )
    assert spf_record_restrictive(Context(first, _Graph([first, second])), first.properties, {})[0] is True
