"""Tags, however a resource carries them: CloudFormation key/value lists or maps, Terraform
maps, and the Terraform AWS provider's default_tags that every resource inherits."""

from __future__ import annotations

from typing import Any

from ..model import Mapping, Unknown
from . import Context, Verdict, predicate

# CloudFormation resources whose tags are not under `Tags`
_CFN_TAG_PATHS = {"AWS::EFS::FileSystem": "FileSystemTags", "AWS::Backup::BackupVault": "BackupVaultTags"}


def _tag(tags: Any, key: str) -> tuple[Any, int | None, bool]:
    """(value, line, found) of ``key`` in a tag list [{Key, Value}] or a tag map {key: value}."""
    if isinstance(tags, Unknown):
        return tags, None, True
    if isinstance(tags, dict):
        if key in tags:
            return tags[key], tags.line_of(key) if isinstance(tags, Mapping) else None, True
        return None, None, False
    if isinstance(tags, list):
        for index, item in enumerate(tags):
            if isinstance(item, Unknown):
                return item, None, True
            if isinstance(item, dict) and item.get("Key") == key:
                line = tags.line_of(index) if hasattr(tags, "line_of") else None
                return item.get("Value"), line, True
    return None, None, False


def _provider_default(ctx: Context, key: str) -> tuple[Any, bool]:
    """The value an AWS provider's default_tags give ``key`` (Terraform), for this resource's provider."""
    chosen = ctx.resource.properties.get("provider")
    alias = chosen.expr.split(".", 1)[1] if isinstance(chosen, Unknown) and "." in chosen.expr else ""
    name = f"provider.aws.{alias}" if alias else "provider.aws"
    provider = ctx.graph.by_name.get(name)
    if provider is None:
        return None, False
    for block in provider.properties.get("default_tags") or []:
        if isinstance(block, Unknown):
            return block, True
        value, _, found = _tag(block.get("tags") if isinstance(block, dict) else None, key)
        if found:
            return value, True
    return None, False


@predicate
def tag_in(ctx: Context, properties: Any, args: dict) -> Verdict:
    """Is tag ``args['key']`` set, on the resource or by default_tags, to one of ``args['values']``?"""
    key, allowed = args["key"], list(args["values"])
    resource = ctx.resource
    tags = properties.get(_CFN_TAG_PATHS.get(resource.type, "Tags" if resource.format == "cloudformation" else "tags"))
    value, line, found = _tag(tags, key)
    if not found and resource.format == "terraform":
        value, found = _provider_default(ctx, key)
    if not found:
        return False, {"en": f"no {key} tag", "ja": f"{key} タグがありません"}, None
    if isinstance(value, Unknown):
        return None, {"en": f"the {key} tag is unknown: {value.expr}", "ja": f"{key} タグの値が不明です: {value.expr}"}
    if value in allowed:
        return True, {"en": f"{key} is {value!r}", "ja": f"{key} は {value!r} です"}, line
    listed = ", ".join(allowed)
    return (
        False,
        {
            "en": f"{key} is {value!r}, not one of {listed}",
            "ja": f"{key} は {value!r} で、{listed} のいずれでもありません",
        },
        line,
    )
