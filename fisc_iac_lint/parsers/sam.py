"""AWS SAM templates (``Transform: AWS::Serverless-2016-10-31``), expanded as CloudFormation will.

The expansion is aws-sam-translator's, the library CloudFormation's own transform is
built from; it is imported only when a template names the transform. It needs no
network here: a placeholder region and account stand in for those not given, local
code paths stand in as S3 locations (as ``sam package`` would make them), and managed
policy names map to nothing (the translator then keeps them as written).

Each generated resource keeps the line of the SAM resource it comes from: the SAM
resource whose logical id is the longest prefix of its own (``WorkerRole`` from
``Worker``), the function whose events create an implicit API (``ServerlessRestApi``),
or else the ``Transform`` line.
"""

from __future__ import annotations

import copy
import types
from typing import Any

from ..model import Mapping
from ..suppressions import KEY as SUPPRESSIONS_KEY
from .yamljson import LoadError

TRANSFORM = "AWS::Serverless-2016-10-31"
SERVERLESS = "AWS::Serverless::"
PLACEHOLDER_REGION = "us-east-1"
PLACEHOLDER_ACCOUNT = "123456789012"
_PLACEHOLDER_S3 = "s3://fisc-iac-lint-placeholder/local-artifact"
# SAM type -> properties that may name a local path, which the translator wants as S3
_LOCAL_PATHS = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
}
# implicit APIs: generated id prefix -> (event type, property naming an explicit API)
_IMPLICIT_APIS = {"ServerlessRestApi": ("Api", "RestApiId"), "ServerlessHttpApi": ("HttpApi", "ApiId")}


def uses_transform(doc: Any) -> bool:
    transform = doc.get("Transform") if isinstance(doc, dict) else None
    return transform == TRANSFORM or isinstance(transform, list) and TRANSFORM in transform


def preload(paths: list[str], max_bytes: int) -> None:
    """Import the translator now when one of ``paths`` names the transform: before forking workers."""
    marker = TRANSFORM.encode()
    for path in paths:
        try:
            with open(path, "rb") as handle:
                if marker in handle.read(max_bytes):
                    import samtranslator.translator.translator  # noqa: F401

                    return
        except OSError:
            continue  # the worker reports it


def expand(doc: Mapping, given: dict[str, Any]) -> Mapping:
    """The template with its SAM resources replaced by CloudFormation; LoadError if SAM rejects it."""
    try:
        from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics
        from samtranslator.model.exceptions import InvalidDocumentException
        from samtranslator.parser.parser import Parser
        from samtranslator.plugins.application.serverless_app_plugin import ServerlessAppPlugin
        from samtranslator.translator.translator import Translator
    except ImportError:
        raise LoadError("the SAM transform needs the aws-sam-translator package") from None
    _quiet_and_once()
    region = str(given.get("AWS::Region") or PLACEHOLDER_REGION)
    values = {k: v for k, v in given.items() if not isinstance(v, (dict, list))}
    values.setdefault("AWS::AccountId", PLACEHOLDER_ACCOUNT)
    source = _with_s3_placeholders(copy.deepcopy(doc))
    # what SAM cannot read (Fn::ForEach, a pre-processor's Type directive) waits outside, listed later
    resources = source.get("Resources") if isinstance(source.get("Resources"), dict) else {}
    aside = {k: v for k, v in resources.items() if not (isinstance(v, dict) and isinstance(v.get("Type"), str))}
    for logical_id in aside:
        del resources[logical_id]
    metrics = Metrics(metrics_publisher=DummyMetricsPublisher())  # offline: recorded, never sent
    session = types.SimpleNamespace(region_name=region)
    # an application from the Serverless Application Repository stays a remote template
    repository = ServerlessAppPlugin(sar_client=_OfflineRepository(), parameters=values)
    translator = Translator({}, Parser(), plugins=[repository], boto_session=session, metrics=metrics)
    try:
        out = translator.translate(source, values, get_managed_policy_map=lambda: {})
    except InvalidDocumentException as exc:
        reasons = " ".join(cause.message for cause in exc.causes)
        raise LoadError(_one_line(f"SAM transform failed: {reasons or exc.message}")) from None
    except Exception as exc:  # noqa: BLE001 - the translator's own bug is still one line for this file
        raise LoadError(_one_line(f"SAM transform failed: {type(exc).__name__}: {exc}")) from None
    finally:
        metrics.publish()  # else it warns about unpublished metrics when collected
    out.setdefault("Resources", {}).update(aside)
    return _with_lines(doc, out)


class _OfflineRepository:
    """Stands in for the Serverless Application Repository's client: nothing leaves the machine."""

    def create_cloud_formation_template(self, ApplicationId: str, SemanticVersion: str, **_: Any) -> dict:  # noqa: N803
        url = f"https://serverlessrepo.invalid/{ApplicationId}/{SemanticVersion}"
        return {"TemplateUrl": url, "Status": "ACTIVE", "ApplicationId": ApplicationId, "TemplateId": "offline"}


_PREPARED = False


def _quiet_and_once() -> None:
    """Once per process: the translator's log stays out of our output (its errors come back as
    exceptions), and its bundled policy templates are checked against their schema once, not on
    every translation (50 ms each): they are the same every time."""
    global _PREPARED
    if _PREPARED:
        return
    import logging

    from samtranslator.translator import translator

    logging.getLogger("samtranslator").addHandler(logging.NullHandler())
    logging.getLogger("samtranslator").propagate = False
    plugin = translator.make_policy_template_for_function_plugin()
    translator.make_policy_template_for_function_plugin = lambda: plugin
    _PREPARED = True


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _with_s3_placeholders(doc: Any) -> Any:
    resources = doc.get("Resources") if isinstance(doc.get("Resources"), dict) else {}
    bodies = list(resources.values())
    globals_ = doc.get("Globals")
    if isinstance(globals_, dict):
        bodies += [{"Type": f"{SERVERLESS}{kind}", "Properties": body} for kind, body in globals_.items()]
    for body in bodies:
        props = body.get("Properties") if isinstance(body, dict) else None
        if not isinstance(props, dict):
            continue
        for key in _LOCAL_PATHS.get(body.get("Type"), ()):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = _PLACEHOLDER_S3
    return doc


def _with_lines(doc: Mapping, out: dict) -> Mapping:
    """``out`` as a Mapping whose resources sit at the line of the resource they come from."""
    original = doc.get("Resources")
    line_of = original.line_of if isinstance(original, Mapping) else (lambda key: 0)
    fallback = doc.line_of("Transform")
    sam_ids = sorted(
        (k for k, v in original.items() if isinstance(v, dict) and str(v.get("Type", "")).startswith(SERVERLESS)),
        key=len,
        reverse=True,
    )
    result = Mapping(out, line=doc.line, end_line=doc.end_line)
    result.key_lines = dict(doc.key_lines)
    resources = Mapping(out.get("Resources", {}), line=getattr(original, "line", 0))
    for logical_id in resources:
        if logical_id in original and logical_id not in sam_ids:
            origin = logical_id
        else:
            origin = next((s for s in sam_ids if str(logical_id).startswith(s)), None)
            origin = origin or _implicit_api_origin(str(logical_id), original)
        resources.key_lines[logical_id] = line_of(origin) if origin else fallback
        if origin and origin != logical_id:
            _inherit_suppressions(resources[logical_id], original[origin])
    result["Resources"] = resources
    return result


def _inherit_suppressions(generated: Any, sam_resource: Any) -> None:
    """The suppressions written on a SAM resource hold for what it generates (its role, its permissions)."""
    metadata = sam_resource.get("Metadata") if isinstance(sam_resource, dict) else None
    ours = metadata.get(SUPPRESSIONS_KEY) if isinstance(metadata, dict) else None
    if not isinstance(ours, dict) or not isinstance(generated, dict):
        return
    own = generated.get("Metadata")
    if not isinstance(own, dict):
        generated["Metadata"] = Mapping({SUPPRESSIONS_KEY: ours}, line=getattr(metadata, "line", 0))
    elif SUPPRESSIONS_KEY not in own:
        own[SUPPRESSIONS_KEY] = ours


def _implicit_api_origin(logical_id: str, original: dict) -> str | None:
    """The first function whose events make the implicit API ``logical_id`` belongs to."""
    for prefix, (event_type, explicit) in _IMPLICIT_APIS.items():
        if not logical_id.startswith(prefix):
            continue
        for name, body in original.items():
            props = body.get("Properties") if isinstance(body, dict) else None
            events = props.get("Events") if isinstance(props, dict) else None
            for event in events.values() if isinstance(events, dict) else ():
                event_props = event.get("Properties") if isinstance(event, dict) else None
                if event.get("Type") == event_type and not (isinstance(event_props, dict) and explicit in event_props):
                    return name
    return None
