"""Which KMS key a setting names: a customer managed key, an AWS managed one, or unknown."""

from __future__ import annotations

import re
from typing import Any

from ..model import Unknown
from . import Context, Verdict, predicate

_AWS_MANAGED = re.compile(r"(^|:)alias/aws/")
_KEY_TYPES = {
    "AWS::KMS::Key",
    "AWS::KMS::ReplicaKey",
    "AWS::KMS::Alias",
    "aws_kms_key",
    "aws_kms_replica_key",
    "aws_kms_alias",
    "aws_kms_external_key",
    "aws_kms_replica_external_key",
}


@predicate
def names_customer_managed_key(ctx: Context, value: Any, args: dict) -> Verdict:
    """Does the value name a customer managed KMS key?

    A reference to a key (or alias) defined in the template or module: yes. A literal
    key id, key ARN or alias other than alias/aws/...: yes. An AWS managed alias, or
    nothing: no. Anything else unresolved: unknown.
    """
    if value is None or value == "":
        return False, {"en": "no KMS key is named", "ja": "KMS キーが指定されていません"}
    if isinstance(value, Unknown):
        for ref in value.refs:
            target = ctx.graph.by_name.get(ref.target)
            if target is not None and target.type in _KEY_TYPES:
                return True, {
                    "en": f"the key is {target.name}, defined here",
                    "ja": f"キーはここで定義された {target.name} です",
                }
        return None, {"en": f"the key is unknown: {value.expr}", "ja": f"キーが不明です: {value.expr}"}
    if isinstance(value, str):
        if _AWS_MANAGED.search(value):
            return False, {"en": f"{value} is an AWS managed key", "ja": f"{value} は AWS マネージドキーです"}
        return True, {"en": f"{value} is a customer managed key", "ja": f"{value} はカスタマーマネージドキーです"}
    return False, {"en": f"{value!r} is not a key", "ja": f"{value!r} はキーではありません"}
