"""FISC operations: applications (WAF), logs (log buckets), keys (duties, dedicated keys, lifecycle), Inspector.

* :func:`receives_logs`: an S3 bucket that another resource delivers logs into.
* :func:`web_acl_blocks_by_rate`: a WAFv2 web ACL with a rate-based rule that blocks.
* :func:`key_policy_separates_duties`: no non-root principal both administers and uses a key.
* :func:`key_dedicated_to_critical_store`: a key used by a critical data store is used by no other store.
* :func:`key_lifecycle_follows_data`: a key is kept exactly as long as the data it encrypts.
* :func:`inspector_scans`: Amazon Inspector scans the required resource types.

Details are returned as {"en", "ja"} dicts.
"""

from __future__ import annotations

import re
from typing import Any

from .. import engine  # the engine imports the predicates: use its functions at call time only
from ..model import Resource, Unknown, as_bool, as_number
from . import Context, Verdict, predicate
from .documents import _statements
from .iam import Statement, statement_grants
from .tags import tag_in


def _t(en: str, ja: str) -> dict[str, str]:
    return {"en": en, "ja": ja}


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _block(value: Any) -> Any:
    """A Terraform block is a list of one mapping: the mapping (a CloudFormation mapping as it is)."""
    if isinstance(value, list):
        return value[0] if len(value) == 1 else (value[0] if value else None)
    return value


def _found(node: Any, path: str) -> list[tuple[Any, int | None]]:
    return engine.lookup(node, engine.split_path(path))


def _mentions(value: Any, target: Resource) -> bool:
    return any(ref.target == target.name for ref in _refs(value))


def _refs(value: Any) -> list[Any]:
    out: list[Any] = []
    for item in _items(value):
        if isinstance(item, Unknown):
            out.extend(item.refs)
        elif isinstance(item, dict):
            for sub in item.values():
                out.extend(_refs(sub))
    return out


# --------------------------------------------------------------------------
# log buckets (FISCSEC7-BP03)

# (producer type, path to the destination, how the destination names the bucket)
_LOG_PRODUCERS: dict[str, list[tuple[str, str, str]]] = {
    "cloudformation": [
        ("AWS::S3::Bucket", "LoggingConfiguration.DestinationBucketName", "name"),
        ("AWS::CloudTrail::Trail", "S3BucketName", "name"),
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancerAttributes", "elbv2"),
        ("AWS::ElasticLoadBalancing::LoadBalancer", "AccessLoggingPolicy.S3BucketName", "name"),
        ("AWS::EC2::FlowLog", "LogDestination", "arn"),
        ("AWS::Config::DeliveryChannel", "S3BucketName", "name"),
        ("AWS::WAFv2::LoggingConfiguration", "LogDestinationConfigs", "arn"),
        ("AWS::CloudFront::Distribution", "DistributionConfig.Logging.Bucket", "domain"),
    ],
    "terraform": [
        ("aws_s3_bucket_logging", "target_bucket", "name"),
        ("aws_s3_bucket", "logging.target_bucket", "name"),
        ("aws_cloudtrail", "s3_bucket_name", "name"),
        ("aws_lb", "access_logs", "tf_lb"),
        ("aws_alb", "access_logs", "tf_lb"),
        ("aws_elb", "access_logs.bucket", "name"),
        ("aws_flow_log", "log_destination", "arn"),
        ("aws_config_delivery_channel", "s3_bucket_name", "name"),
        ("aws_wafv2_web_acl_logging_configuration", "log_destination_configs", "arn"),
        ("aws_cloudfront_distribution", "logging_config.bucket", "domain"),
    ],
}
_BUCKET_NAME = {"cloudformation": "BucketName", "terraform": "bucket"}
_S3_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::([^/]+)")
_S3_DOMAIN = re.compile(r"^([^/]+?)\.s3[.-]")


def _literal_bucket(value: str, kind: str) -> str | None:
    if kind == "arn":
        match = _S3_ARN.match(value)
        return match.group(1) if match else None
    if kind == "domain":
        match = _S3_DOMAIN.match(value)
        return match.group(1) if match else value
    return value


def _destinations(producer: Resource, path: str, kind: str) -> list[tuple[Any, str]]:
    """(destination value, how it names a bucket) of a producer; only destinations that are on."""
    props = producer.properties
    if kind == "elbv2":
        attributes = props.get("LoadBalancerAttributes")
        if isinstance(attributes, Unknown):
            return [(attributes, "name")]
        pairs = {}
        for item in attributes if isinstance(attributes, list) else []:
            if isinstance(item, Unknown):
                return [(item, "name")]
            if isinstance(item, dict) and isinstance(item.get("Key"), str):
                pairs[item["Key"]] = item.get("Value")
        if "access_logs.s3.bucket" not in pairs:
            return []
        enabled = pairs.get("access_logs.s3.enabled", False)
        if not isinstance(enabled, Unknown) and as_bool(enabled) is not True:
            return []
        return [(pairs["access_logs.s3.bucket"], "name")]
    if kind == "tf_lb":
        out = []
        for block in _items(props.get("access_logs") or []):
            if isinstance(block, Unknown):
                out.append((block, "name"))
            elif isinstance(block, dict) and "bucket" in block:
                enabled = block.get("enabled", False)  # the provider's default: off, even with a bucket
                if isinstance(enabled, Unknown) or as_bool(enabled) is True:
                    out.append((block["bucket"], "name"))
        return out
    values = []
    for value, _ in _found(props, path):
        values.extend((item, kind) for item in _items(value))
    return values


@predicate
def receives_logs(ctx: Context, props: Any, args: dict) -> Verdict:
    """Does another resource deliver logs into this bucket?

    Producers: S3 server access logging, CloudTrail trails, ELB access logs, VPC flow
    logs, AWS Config delivery channels, WAF logging and CloudFront standard logs, whose
    destination refers to the bucket or names it literally (a name, an S3 ARN or a
    bucket domain name). Unknown when a destination is unresolved and may be this
    bucket, or this bucket's own name is unresolved and a destination is a literal.
    """
    bucket, graph = ctx.resource, ctx.graph
    names: set[str] = set()
    name_unknown = False
    for name, _ in _found(bucket.properties, _BUCKET_NAME[bucket.format]):
        if isinstance(name, str):
            names.add(name)
        elif isinstance(name, Unknown):
            name_unknown = True
    maybe: str | None = None
    for rtype, path, kind in _LOG_PRODUCERS.get(bucket.format, []):
        for producer in graph.of_type([rtype]):
            if producer.kind != "resource":  # a bucket that logs into itself is a log bucket too
                continue
            for value, how in _destinations(producer, path, kind):
                if isinstance(value, Unknown):
                    if _mentions(value, bucket):
                        return True, _t(
                            f"{producer.name} ({rtype}) delivers logs to it",
                            f"{producer.name} ({rtype}) がログを配信しています",
                        )
                    if not value.refs and maybe is None:
                        maybe = producer.name
                elif isinstance(value, str):
                    literal = _literal_bucket(value, how)
                    if literal is not None and literal in names:
                        return True, _t(
                            f"{producer.name} ({rtype}) delivers logs to it",
                            f"{producer.name} ({rtype}) がログを配信しています",
                        )
                    if literal and name_unknown and maybe is None:
                        maybe = producer.name
    if maybe:
        return None, _t(
            f"{maybe} may deliver logs to it (a name is unknown)",
            f"{maybe} がログを配信している可能性があります (名前が不明)",
        )
    return False, _t("no resource delivers logs to it", "ログを配信するリソースがありません")


# --------------------------------------------------------------------------
# WAF rate-based rules (FISCSEC7-BP02)

_BLOCKING = ("block", "captcha", "challenge")


def _key(mapping: Any, name: str) -> Any:
    """A key of a CloudFormation (PascalCase) or Terraform (snake_case) mapping."""
    if not isinstance(mapping, dict):
        return None
    for key in mapping:
        if isinstance(key, str) and key.replace("_", "").lower() == name.replace("_", "").lower():
            return mapping[key]
    return None


def _action_kind(action: Any) -> str | None | Unknown:
    """The action a rule's Action / action block takes: block, captcha, challenge, count, allow."""
    action = _block(action)
    if isinstance(action, Unknown):
        return action
    if not isinstance(action, dict):
        return None
    for kind in (*_BLOCKING, "count", "allow"):
        if _key(action, kind) is not None:
            return kind
    return None


def _rate_rule(rule: Any, override: Any, max_limit: Any) -> tuple[bool | None, dict[str, str]]:
    """Whether one rule is a rate-based rule that blocks, with its limit at most ``max_limit``."""
    if isinstance(rule, Unknown):
        return None, _t(f"a rule is unknown: {rule.expr}", f"ルールが不明です: {rule.expr}")
    statement = _block(_key(rule, "statement"))
    if isinstance(statement, Unknown):
        return None, _t(f"a statement is unknown: {statement.expr}", f"ステートメントが不明です: {statement.expr}")
    rate = _block(_key(statement, "rate_based_statement"))
    if rate is None:
        return False, {}
    name = _key(rule, "name")
    label = f"rule {name!r}" if isinstance(name, str) else "a rate-based rule"
    label_ja = f"ルール {name!r}" if isinstance(name, str) else "レートベースのルール"
    action = override if override is not None else _action_kind(_key(rule, "action"))
    if isinstance(action, Unknown):
        return None, _t(f"the action of {label} is unknown", f"{label_ja} のアクションが不明です")
    if action == "count":
        how = "is overridden to Count" if override is not None else "only counts"
        how_ja = "Count に上書きされています" if override is not None else "Count のみです"
        return False, _t(f"{label} {how}", f"{label_ja} は {how_ja}")
    if action not in _BLOCKING:
        return False, _t(f"{label} does not block", f"{label_ja} はブロックしません")
    raw = _key(rate, "limit")
    if isinstance(raw, Unknown):
        return None, _t(f"the limit of {label} is unknown", f"{label_ja} の制限値が不明です")
    limit, ceiling = as_number(raw), as_number(max_limit)
    if ceiling is not None and (limit is None or limit > ceiling):
        shown = f"{limit:g}" if limit is not None else "no limit"
        return False, _t(
            f"{label} allows {shown} requests, above {ceiling:g}",
            f"{label_ja} の制限値 {shown} が上限 {ceiling:g} を超えています",
        )
    shown = f" above {limit:g} requests" if limit is not None else ""
    return True, _t(
        f"{label} {action}s{shown}",
        f"{label_ja} は {limit:g} リクエストを超えると {action} します"
        if limit is not None
        else f"{label_ja} は {action} します",
    )


def _rule_group_overrides(rule: Any) -> tuple[Any, dict[str, Any]]:
    """(override of every rule or None, per-rule overrides) of a rule group reference."""
    override = _block(_key(rule, "override_action"))
    every = None
    if isinstance(override, Unknown):
        every = override
    elif isinstance(override, dict) and _key(override, "count") is not None:
        every = "count"
    per_rule: dict[str, Any] = {}
    statement = _block(_key(rule, "statement"))
    reference = _block(_key(statement, "rule_group_reference_statement"))
    for item in _items(_key(reference, "rule_action_overrides") or _key(reference, "rule_action_override") or []):
        if isinstance(item, dict) and isinstance(_key(item, "name"), str):
            per_rule[_key(item, "name")] = _action_kind(_key(item, "action_to_use"))
    return every, per_rule


@predicate
def web_acl_blocks_by_rate(ctx: Context, props: Any, args: dict) -> Verdict:
    """Does the web ACL have a rate-based rule whose action blocks (Block, CAPTCHA or Challenge)?

    Directly, or in a rule group of the template or module that a rule references without
    overriding it to Count. With ``args['max_limit']`` the rule's limit must not exceed it.
    Unknown when rules, actions or a referenced rule group cannot be read.
    """
    graph = ctx.graph
    rules = _key(props, "rules") if ctx.resource.format == "cloudformation" else _key(props, "rule")
    if isinstance(rules, Unknown):
        return None, _t(f"the rules are unknown: {rules.expr}", f"ルールが不明です: {rules.expr}")
    max_limit = args.get("max_limit")
    unknown: dict[str, str] | None = None
    failed: tuple[dict[str, str], int | None] | None = None
    rule_list = rules if isinstance(rules, list) else []
    for index, rule in enumerate(rule_list):
        line = rule_list.line_of(index) if hasattr(rule_list, "line_of") else None
        answer, why = _rate_rule(rule, None, max_limit)
        if answer is True:
            return True, why, line
        if answer is None:
            unknown = unknown or why
        elif why and failed is None:
            failed = (why, line)
        statement = _block(_key(rule, "statement")) if isinstance(rule, dict) else None
        reference = _block(_key(statement, "rule_group_reference_statement"))
        if reference is None:
            continue
        arn = _key(reference, "arn")
        groups = [
            graph.by_name[r.target]
            for r in _refs(arn)
            if r.target in graph.by_name
            and graph.by_name[r.target].type in ("AWS::WAFv2::RuleGroup", "aws_wafv2_rule_group")
        ]
        if not groups:
            shown = arn.expr if isinstance(arn, Unknown) else repr(arn)
            unknown = unknown or _t(
                f"rule group {shown} is not defined here", f"ルールグループ {shown} はここで定義されていません"
            )
            continue
        every, per_rule = _rule_group_overrides(rule)
        group = groups[0]
        group_rules = (
            _key(group.properties, "rules") if group.format == "cloudformation" else _key(group.properties, "rule")
        )
        if isinstance(group_rules, Unknown):
            unknown = unknown or _t(f"the rules of {group.name} are unknown", f"{group.name} のルールが不明です")
            continue
        for group_rule in group_rules if isinstance(group_rules, list) else []:
            name = _key(group_rule, "name")
            override = every if every is not None else per_rule.get(name) if isinstance(name, str) else None
            if isinstance(override, Unknown):
                unknown = unknown or _t(
                    f"the override action of {group.name} is unknown", f"{group.name} の上書きアクションが不明です"
                )
                continue
            answer, why = _rate_rule(group_rule, override, max_limit)
            if why:
                why = _t(f"{group.name}: {why['en']}", f"{group.name}: {why['ja']}")
            if answer is True:
                return True, why, line
            if answer is None:
                unknown = unknown or why
            elif why and failed is None:
                failed = (why, line)
    if unknown:
        return None, unknown
    if failed:
        return (
            False,
            _t(
                f"no rate-based rule blocks: {failed[0]['en']}",
                f"ブロックするレートベースのルールがありません: {failed[0]['ja']}",
            ),
            failed[1],
        )
    return False, _t("no rate-based rule", "レートベースのルールがありません")


# --------------------------------------------------------------------------
# key policies: administration apart from use (FISCSEC8-BP03)

_ROOT = re.compile(r"^(arn:aws[a-z-]*:iam::(\d{12})?:root|\d{12})$")
_ROOT_EXPR = re.compile(r"(:iam::.*:root\b|AWS::AccountId\W*$|\.account_id\W*$)")


def _is_root(principal: Any) -> bool:
    if isinstance(principal, str):
        return _ROOT.match(principal.strip()) is not None
    if isinstance(principal, Unknown):
        return _ROOT_EXPR.search(principal.expr) is not None
    return False


def _principals(stmt: Statement) -> list[Any]:
    """The AWS principals of a statement (``*`` included); service principals are not people."""
    principal = stmt.principal
    if principal == "*" or isinstance(principal, Unknown):
        return [principal]
    if not isinstance(principal, dict):
        return []
    out: list[Any] = []
    for kind, ids in principal.items():
        if isinstance(kind, str) and kind.upper() == "AWS":
            out.extend(ids)
    return out


def _grants_any(stmt: Statement, actions: list[str]) -> tuple[bool | None, list[str]]:
    granted = []
    answer: bool | None = False
    for action in actions:
        result = statement_grants(stmt, action)
        if result is True:
            granted.append(action)
            answer = True
        elif result is None and answer is False:
            answer = None
    return answer, granted


def _shown(principal: Any) -> str:
    return principal.expr if isinstance(principal, Unknown) else str(principal)


@predicate
def key_policy_separates_duties(ctx: Context, document: Any, args: dict) -> Verdict:
    """Does no principal but the account root get both key administration and cryptographic use?

    Reads every Allow statement of the key policy, groups them by AWS principal
    (a literal ARN, or how an unresolved one is written), and fails when one principal
    is granted one of ``args['admin_actions']`` and one of ``args['use_actions']``.
    The account (``arn:aws:iam::<account>:root`` or the account id) delegates to IAM and
    is skipped. No policy (the default key policy) has only the root statement: true.
    """
    if document is None:
        return True, _t(
            "no key policy: the default policy names only the account",
            "キーポリシーがありません (既定のポリシーはアカウントのみを指定します)",
        )
    statements, why = _statements(ctx, document)
    if statements is None:
        return None, _t(why, f"キーポリシーが不明です: {why}")
    admin_actions, use_actions = list(args["admin_actions"]), list(args["use_actions"])
    seen: dict[str, dict[str, Any]] = {}
    unknown: dict[str, str] | None = None
    for stmt in statements:
        if isinstance(stmt.effect, Unknown):
            unknown = unknown or _t(
                f"the effect of statement {stmt.index + 1} is unknown",
                f"{stmt.index + 1} 番目のステートメントの Effect が不明です",
            )
            continue
        if stmt.effect != "Allow":
            continue
        admin, admin_granted = _grants_any(stmt, admin_actions)
        use, use_granted = _grants_any(stmt, use_actions)
        for principal in _principals(stmt):
            if _is_root(principal):
                continue
            key = _shown(principal)
            entry = seen.setdefault(key, {"admin": False, "use": False, "what": [], "line": None, "done": False})
            for part, answer, granted in (("admin", admin, admin_granted), ("use", use, use_granted)):
                if answer is True:
                    if entry[part] is not True:
                        entry["what"].extend(granted[:2])
                    entry[part] = True
                elif answer is None and entry[part] is False:
                    entry[part] = None
            if entry["admin"] is True and entry["use"] is True and not entry.get("done"):
                entry["done"] = True
                entry["line"] = stmt.line or None
    for key, entry in seen.items():
        if entry.get("done"):
            listed = ", ".join(dict.fromkeys(entry["what"]))
            return (
                False,
                _t(
                    f"{key} may both administer and use the key ({listed})",
                    f"{key} がキーの管理と使用の両方を行えます ({listed})",
                ),
                entry["line"],
            )
        if entry["admin"] is not False and entry["use"] is not False:
            unknown = unknown or _t(
                f"{key} may both administer and use the key (an action is unknown)",
                f"{key} がキーの管理と使用の両方を行える可能性があります (アクションが不明)",
            )
    if unknown:
        return None, unknown
    return True, _t(
        "no principal but the account both administers and uses the key",
        "アカウント以外にキーの管理と使用の両方を行えるプリンシパルはありません",
    )


# --------------------------------------------------------------------------
# one key per critical data store (FISCSEC8-BP04)

# (store type, paths to its key); S3 buckets in Terraform are found through their SSE configuration
_STORES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "cloudformation": [
        (
            "AWS::S3::Bucket",
            ("BucketEncryption.ServerSideEncryptionConfiguration.ServerSideEncryptionByDefault.KMSMasterKeyID",),
        ),
        ("AWS::RDS::DBInstance", ("KmsKeyId",)),
        ("AWS::RDS::DBCluster", ("KmsKeyId",)),
        ("AWS::DynamoDB::Table", ("SSESpecification.KMSMasterKeyId",)),
        ("AWS::EC2::Volume", ("KmsKeyId",)),
        ("AWS::EFS::FileSystem", ("KmsKeyId",)),
        ("AWS::Redshift::Cluster", ("KmsKeyId",)),
        ("AWS::OpenSearchService::Domain", ("EncryptionAtRestOptions.KmsKeyId",)),
        ("AWS::ElastiCache::ReplicationGroup", ("KmsKeyId",)),
        ("AWS::Backup::BackupVault", ("EncryptionKeyArn",)),
    ],
    "terraform": [
        ("aws_db_instance", ("kms_key_id",)),
        ("aws_rds_cluster", ("kms_key_id",)),
        ("aws_dynamodb_table", ("server_side_encryption.kms_key_arn",)),
        ("aws_ebs_volume", ("kms_key_id",)),
        ("aws_efs_file_system", ("kms_key_id",)),
        ("aws_redshift_cluster", ("kms_key_id",)),
        ("aws_opensearch_domain", ("encrypt_at_rest.kms_key_id",)),
        ("aws_elasticache_replication_group", ("kms_key_id",)),
        ("aws_backup_vault", ("kms_key_arn",)),
    ],
}
_TF_BUCKET_SSE = (
    "aws_s3_bucket_server_side_encryption_configuration",
    "rule.apply_server_side_encryption_by_default.kms_master_key_id",
)
_ALIASES = {"AWS::KMS::Alias": "TargetKeyId", "aws_kms_alias": "target_key_id"}


def _names_key(ctx: Context, value: Any, key: Resource, aliases: list[Resource]) -> bool:
    return _mentions(value, key) or any(_mentions(value, alias) for alias in aliases)


def _stores_using(ctx: Context, key: Resource) -> list[Resource]:
    graph = ctx.graph
    aliases = [
        alias
        for alias in graph.of_type(list(_ALIASES))
        if any(_mentions(v, key) for v, _ in _found(alias.properties, _ALIASES[alias.type]))
    ]
    stores: dict[str, Resource] = {}
    for rtype, paths in _STORES.get(key.format, []):
        for store in graph.of_type([rtype]):
            if store.kind != "resource":
                continue
            if rtype == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in store.properties:
                continue  # an Aurora instance: the data lives in the cluster
            if any(_names_key(ctx, v, key, aliases) for path in paths for v, _ in _found(store.properties, path)):
                stores.setdefault(store.name, store)
    if key.format == "terraform":
        sse_type, path = _TF_BUCKET_SSE
        buckets = graph.of_type(["aws_s3_bucket"])
        for sse in graph.of_type([sse_type]):
            if not any(_names_key(ctx, v, key, aliases) for v, _ in _found(sse.properties, path)):
                continue
            target = sse.properties.get("bucket")
            for bucket in buckets:
                if _mentions(target, bucket) or (isinstance(target, str) and bucket.properties.get("bucket") == target):
                    stores.setdefault(bucket.name, bucket)
    return list(stores.values())


@predicate
def key_dedicated_to_critical_store(ctx: Context, props: Any, args: dict) -> Verdict:
    """Is a key that encrypts a critical data store used by no other data store?

    Data stores name the key by reference, directly or through an alias of the key
    (S3 default encryption, RDS instances and Aurora clusters, DynamoDB, EBS, EFS,
    Redshift, OpenSearch, ElastiCache, Backup vaults). A store is critical when tag
    ``args['key']`` is one of ``args['values']`` (provider default_tags included).
    Unknown when a store's tag is unknown and it decides the answer.
    """
    stores = _stores_using(ctx, ctx.resource)
    if len(stores) < 2:
        return True, _t("no other data store uses the key", "ほかのデータストアはこのキーを使用していません")
    critical, unknown = [], []
    for store in stores:
        answer = tag_in(Context(store, ctx.graph), store.properties, {"key": args["key"], "values": args["values"]})[0]
        if answer is True:
            critical.append(store.name)
        elif answer is None:
            unknown.append(store.name)
    listed = ", ".join(s.name for s in stores)
    if critical:
        return (
            False,
            _t(
                f"the key is used by {len(stores)} data stores ({listed}), critical: {', '.join(critical)}",
                f"キーが {len(stores)} 個のデータストア ({listed}) で使用されています (重要: {', '.join(critical)})",
            ),
        )
    if unknown:
        return None, _t(
            f"the classification of {', '.join(unknown)} is unknown; the key is used by {listed}",
            f"{', '.join(unknown)} の分類が不明です (このキーを使用するデータストア: {listed})",
        )
    return True, _t(f"no critical data store among {listed}", f"{listed} に重要なデータストアはありません")


# --------------------------------------------------------------------------
# the key's lifecycle follows the data it encrypts (FISCSEC8-BP04)

_KEEPS = ("Retain", "RetainExceptOnCreate")  # DeletionPolicy values that leave the resource in place
# CloudFormation's default DeletionPolicy is Delete, except Snapshot for these (a DB instance
# only outside an Aurora cluster, and such instances are not counted as stores)
_SNAPSHOT_BY_DEFAULT = ("AWS::RDS::DBCluster", "AWS::RDS::DBInstance")
# Terraform stores that leave a final snapshot when destroyed: (attribute, value meaning "kept", absent means)
_TF_FINAL_SNAPSHOT = {
    "aws_db_instance": ("skip_final_snapshot", False, False),
    "aws_rds_cluster": ("skip_final_snapshot", False, False),
    "aws_redshift_cluster": ("skip_final_snapshot", False, False),
    "aws_ebs_volume": ("final_snapshot", True, False),
}


def _cfn_kept(resource: Resource, store: bool) -> tuple[bool | None, str, int | None]:
    """Does deleting the stack (or removing the resource) leave the resource's data or key in place?"""
    attributes = resource.attributes or {}
    value = attributes.get("DeletionPolicy")
    line = attributes.line_of("DeletionPolicy") if "DeletionPolicy" in attributes else None
    if value is None:
        value = "Snapshot" if store and resource.type in _SNAPSHOT_BY_DEFAULT else "Delete"
        shown = f"DeletionPolicy {value} by default"
    else:
        shown = f"DeletionPolicy {value}" if isinstance(value, str) else f"DeletionPolicy {value.expr}"
    if isinstance(value, Unknown):
        return None, shown, line
    kept = value in _KEEPS or (store and value == "Snapshot")
    return kept, shown, line


def _tf_kept(resource: Resource, store: bool) -> tuple[bool | None, str, int | None]:
    """Is the resource protected from destruction (prevent_destroy), or does it leave a final snapshot?"""
    lifecycle = _block(resource.properties.get("lifecycle"))
    prevent = lifecycle.get("prevent_destroy") if isinstance(lifecycle, dict) else None
    line = lifecycle.line_of("prevent_destroy") if isinstance(lifecycle, dict) and prevent is not None else None
    protected = False if prevent is None else as_bool(prevent)
    if protected is None:
        return None, f"prevent_destroy {getattr(prevent, 'expr', prevent)}", line
    if protected:
        return True, "prevent_destroy = true", line
    if store and resource.type in _TF_FINAL_SNAPSHOT:
        name, keeps, default = _TF_FINAL_SNAPSHOT[resource.type]
        raw = resource.properties.get(name)
        value = default if raw is None else as_bool(raw)
        if value is None:
            return None, f"{name} {getattr(raw, 'expr', raw)}", line
        if value == keeps:
            return True, f"a final snapshot, {name} = {str(value).lower()}", line
    if store and resource.type == "aws_elasticache_replication_group":
        raw = resource.properties.get("final_snapshot_identifier")
        if isinstance(raw, Unknown):
            return None, f"final_snapshot_identifier {raw.expr}", line
        if raw:
            return True, "a final snapshot, final_snapshot_identifier", line
    return False, "no prevent_destroy" if prevent is None else "prevent_destroy = false", line


@predicate
def key_lifecycle_follows_data(ctx: Context, props: Any, args: dict) -> Verdict:
    """Is a key kept exactly as long as the data stores it encrypts keep their data?

    The stores are found as for :func:`key_dedicated_to_critical_store`. CloudFormation: a
    resource is kept by DeletionPolicy Retain or RetainExceptOnCreate, a store also by
    Snapshot (the default of RDS DB clusters and DB instances). Terraform: by
    lifecycle.prevent_destroy, a store also by the final snapshot it leaves (RDS, Aurora and
    Redshift unless skip_final_snapshot, EBS with final_snapshot, ElastiCache with
    final_snapshot_identifier). False when data is kept and the key is not (the kept data
    can no longer be decrypted once the key's deletion completes), or when the key is kept
    and no data is (the key outlives the data, so its deletion cannot stand for disposal).
    """
    key = ctx.resource
    stores = _stores_using(ctx, key)
    if not stores:
        return True, _t(
            "no data store of the scan uses the key", "スキャン対象にこのキーを使用するデータストアはありません"
        )
    kept_by = _cfn_kept if key.format == "cloudformation" else _tf_kept
    key_kept, key_shown, key_line = kept_by(key, store=False)
    verdicts = [(store, *kept_by(store, store=True)) for store in stores]
    kept = [f"{s.name} ({shown})" for s, answer, shown, _ in verdicts if answer is True]
    gone = [f"{s.name} ({shown})" for s, answer, shown, _ in verdicts if answer is False]
    unknown = [f"{s.name} ({shown})" for s, answer, shown, _ in verdicts if answer is None]
    if key_kept is None:
        return None, _t(f"the key's {key_shown} is unknown", f"キーの {key_shown} が不明です")
    if kept and not key_kept:
        return (
            False,
            _t(
                f"data encrypted with the key is kept by {', '.join(kept)}, but the key is deleted ({key_shown})",
                f"キーで暗号化されたデータは {', '.join(kept)} により残りますが、キーは削除されます ({key_shown})",
            ),
            key_line,
        )
    if unknown:
        return None, _t(
            f"whether {', '.join(unknown)} keeps its data is unknown",
            f"{', '.join(unknown)} がデータを残すかどうかが不明です",
        )
    if key_kept and not kept:
        return (
            False,
            _t(
                f"the key is kept ({key_shown}) while every data store using it is deleted: {', '.join(gone)}",
                f"キーは残りますが ({key_shown})、キーを使用するデータストアはすべて削除されます: {', '.join(gone)}",
            ),
            key_line,
        )
    return True, _t(
        f"the key ({key_shown}) follows its data stores: {', '.join(kept + gone)}",
        f"キー ({key_shown}) はデータストアと同じく扱われます: {', '.join(kept + gone)}",
    )


# --------------------------------------------------------------------------
# vulnerability scanning with Amazon Inspector (FISCSEC9-BP01)


@predicate
def inspector_scans(ctx: Context, props: Any, args: dict) -> Verdict:
    """Does Amazon Inspector scan every resource type of ``args['types']`` (EC2, ECR, LAMBDA, LAMBDA_CODE)?

    aws_inspector2_enabler: its ``resource_types`` include each. aws_inspector2_organization_configuration:
    its ``auto_enable`` block turns each on (``ec2``, ``ecr``, ``lambda``, ``lambda_code``; absent is false).
    """
    wanted = [str(t).upper() for t in args["types"]]
    if ctx.resource.type == "aws_inspector2_organization_configuration":
        auto = _block(props.get("auto_enable"))
        if not isinstance(auto, dict):
            return None if isinstance(auto, Unknown) else False, _t(
                "auto_enable is not set", "auto_enable が設定されていません"
            )
        off, unknown = [], []
        for kind in wanted:
            value = auto.get(kind.lower())
            answer = False if value is None else as_bool(value)
            if answer is None:
                unknown.append(kind)
            elif not answer:
                off.append(kind)
        line = next((auto.line_of(k.lower()) for k in off if k.lower() in auto), None)
        where = "auto_enable"
    else:
        types = props.get("resource_types")
        if isinstance(types, Unknown):
            return None, _t(f"resource_types is unknown ({types.expr})", f"resource_types が不明です ({types.expr})")
        listed = _items(types) if types is not None else []
        known = {str(t).upper() for t in listed if not isinstance(t, Unknown)}
        off = [k for k in wanted if k not in known]
        unknown = off if any(isinstance(t, Unknown) for t in listed) else []
        off = [k for k in off if k not in unknown]
        line = props.line_of("resource_types") if "resource_types" in props else None
        where = "resource_types"
    if off:
        return (
            False,
            _t(
                f"{where} does not enable scanning of {', '.join(off)}",
                f"{where} で {', '.join(off)} のスキャンが有効になっていません",
            ),
            line,
        )
    if unknown:
        return None, _t(
            f"whether {where} enables {', '.join(unknown)} is unknown",
            f"{where} で {', '.join(unknown)} が有効かどうか不明です",
        )
    return True, _t(f"Inspector scans {', '.join(wanted)}", f"Inspector は {', '.join(wanted)} をスキャンします")
