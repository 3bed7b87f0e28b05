"""CDK output (``cdk.out``): where in the application each resource of a synthesized template was made.

Every resource of a template that ``cdk synth`` writes carries its construct path in
``Metadata["aws:cdk:path"]`` (unless path metadata is switched off). The cloud assembly's
``manifest.json`` (or the stack's ``additionalMetadataFile``) maps construct paths to
logical ids, and, only when the app was synthesized with stack traces (``cdk synth
--debug``; a plain synth of CDK v2 usually leaves them out), each entry has the trace of
the code that made it: its first frame outside ``node_modules`` and Node's own
modules is the source line.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from typing import Any

_FRAME = re.compile(r"\(?(?P<file>[^\s()]+?):(?P<line>\d+)(?::\d+)?\)?$")
MAX_MANIFEST_BYTES = 20 * 1024 * 1024


def sources(template_path: str) -> dict[str, str]:
    """Logical id -> ``file:line`` of the app code that made it, from the trace in the manifest; {} if none."""
    directory = os.path.dirname(os.path.abspath(template_path))
    manifest = os.path.join(directory, "manifest.json")
    try:
        stamp = os.stat(manifest).st_mtime_ns
    except OSError:
        return {}
    return _sources(manifest, stamp).get(os.path.basename(template_path), {})


@lru_cache(maxsize=8)
def _sources(manifest: str, _stamp: int) -> dict[str, dict[str, str]]:
    """Template file name -> {logical id: source}, for every stack of one manifest."""
    document = _read_json(manifest)
    artifacts = document.get("artifacts") if isinstance(document, dict) else None
    out: dict[str, dict[str, str]] = {}
    for artifact in artifacts.values() if isinstance(artifacts, dict) else ():
        if not isinstance(artifact, dict) or artifact.get("type") != "aws:cloudformation:stack":
            continue
        properties = artifact.get("properties") or {}
        template = properties.get("templateFile") if isinstance(properties, dict) else None
        if not isinstance(template, str):
            continue
        metadata = artifact.get("metadata")
        extra = artifact.get("additionalMetadataFile")
        if not isinstance(metadata, dict) and isinstance(extra, str):
            metadata = _read_json(os.path.join(os.path.dirname(manifest), extra))
        found = out.setdefault(template, {})
        for entries in metadata.values() if isinstance(metadata, dict) else ():
            for entry in entries if isinstance(entries, list) else ():
                if isinstance(entry, dict) and entry.get("type") == "aws:cdk:logicalId":
                    where = _first_own_frame(entry.get("trace"))
                    if where and isinstance(entry.get("data"), str):
                        found[entry["data"]] = where
    return out


def _read_json(path: str) -> Any:
    try:
        if os.path.getsize(path) > MAX_MANIFEST_BYTES:
            return None
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None  # the manifest only adds source lines: without it the findings stand as they are


def _first_own_frame(trace: Any) -> str | None:
    for frame in trace if isinstance(trace, list) else ():
        match = _FRAME.search(frame) if isinstance(frame, str) else None
        if not match:
            continue
        path = match.group("file")
        if "node_modules" in path or path.startswith(("node:", "internal/")):
            continue
        return f"{_shown(path)}:{match.group('line')}"
    return None


def _shown(path: str) -> str:
    """Relative to the working directory when the app lies below it, as the scanned files are shown."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if not relative.startswith(".."):
            return relative
    return path
