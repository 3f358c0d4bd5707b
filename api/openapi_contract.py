"""The OpenAPI document made to say exactly what this deployment accepts.

FastAPI's document is derived from the routes' type hints, which are looser than the API:
a provider field is any string (the API takes only the providers this deployment can run),
a multipart field may be ``null`` (a form has no null), ``stages`` is free text, and nothing
links a created job or batch to the operations on it. Generated clients and fuzzers trust
the document, so it is refined here, once, from the same settings the routes check against.
Each refinement names the check in the routes that it mirrors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from copy import deepcopy
from typing import Any

from fastapi import FastAPI

from shared.audio import UPLOAD_MEDIA_TYPES
from shared.models import STAGE_ORDER, Stage
from shared.provider_catalog import provider_names
from shared.settings import Settings

Schema = dict[str, Any]
_NULL: Schema = {"type": "null"}
_EMPTY: Schema = {"type": "string", "maxLength": 0}
# shared.fetch_address_policy.AddressPolicy._parse: http(s), a host, no user name or password.
_CALLBACK_PATTERN = "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@]+([/?#].*)?$"

# api.options._stages accepts these (and their case and spacing variants): each stage needs
# the one before it.
STAGE_CHOICES = [",".join(s.value for s in STAGE_ORDER[:n]) for n in range(1, len(STAGE_ORDER) + 1)]

_PROVIDER_FIELDS = {f"{stage.value}_provider": stage for stage in Stage}
# api.options reads these as "not given" when empty, in JSON as in a form.
_EMPTY_IS_DEFAULT = {"stages", "callback_url", "redact", *_PROVIDER_FIELDS}
# Booleans with a default: in JSON, true or false (null is not false).
_BOOLEANS = {"stage_events", "redact_send_original"}

# The API ignores a file part's declared type (the content is what is checked); the types are
# declared so that a generator knows to send recordings rather than arbitrary bytes.
_AUDIO_ENCODING = {"file": {"contentType": ", ".join(UPLOAD_MEDIA_TYPES)}}


def usable_providers(settings: Settings, stage: Stage) -> list[str]:
    """The providers a job may name for ``stage`` (api.options._provider refuses the rest)."""
    return [
        name
        for name in provider_names(stage)
        if settings.missing_configuration(stage.value, name) is None
    ]


def install_exact_schema(app: FastAPI, settings: Settings) -> None:
    """``app.openapi()`` answers the refined document, built on first use and kept."""
    derived: Callable[[], Schema] = app.openapi

    def openapi() -> Schema:
        if getattr(app.state, "exact_openapi", None) is None:
            app.state.exact_openapi = refined(derived(), settings)
        document: Schema = app.state.exact_openapi
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def refined(document: Schema, settings: Settings) -> Schema:
    doc = deepcopy(document)
    paths = doc["paths"]
    _job_form(paths["/v1/jobs"]["post"], settings)
    _transcription_form(paths["/v1/audio/transcriptions"]["post"])
    _batch_body(doc, paths["/v1/batches"]["post"], settings)
    _voices_query(paths["/v1/voices"]["get"])
    _unauthorized_documented(doc)
    _links(paths)
    return doc


def _options(properties: Schema, settings: Settings, *, nullable: bool) -> None:
    """The job options' schemas (the form's and the JSON batch's) narrowed in place."""
    for name, prop in list(properties.items()):
        if name == "file":
            continue
        if name in _PROVIDER_FIELDS:
            prop = {"type": "string", "enum": usable_providers(settings, _PROVIDER_FIELDS[name])}
        elif name == "stages":
            prop = {
                "type": "string",
                "enum": STAGE_CHOICES,
                "description": "The stages to run, each with the ones before it; all by default.",
            }
        elif name == "redact_style":
            # api.options._redaction: the hash style only where its key is set.
            styles = ["label", "hash"] if settings.redaction.hash_key else ["label"]
            prop = {"type": "string", "enum": styles, "description": prop.get("description")}
        elif name == "redact_send_original" and not settings.redaction.keep_original:
            # ...and the original only where originals are kept.
            prop = {**prop, "enum": [False]}
        elif name == "callback_url":
            # api.options._callback: an absolute http(s) URL (its address is checked again
            # at delivery); the tenant must have a webhook signing secret.
            prop = {**_non_null(prop), "format": "uri", "pattern": _CALLBACK_PATTERN}
        else:
            prop = _non_null(prop)
        if nullable and name in _EMPTY_IS_DEFAULT:
            prop = {"anyOf": [prop, _EMPTY, _NULL]}
        elif nullable and name not in _BOOLEANS:
            prop = {"anyOf": [prop, _NULL]}
        elif not nullable:
            # api.job_form: in a form, an empty field is the default, whatever its type.
            prop = {"anyOf": [prop, _EMPTY]}
        properties[name] = prop


def _non_null(prop: Schema) -> Schema:
    # A multipart form has no null: an absent or empty field is the default.
    choices = [c for c in prop.get("anyOf", []) if c != {"type": "null"}]
    if len(choices) != 1:
        return prop
    kept = {k: v for k, v in prop.items() if k != "anyOf"}
    return {**kept, **choices[0]}


def _job_form(operation: Schema, settings: Settings) -> None:
    form = operation["requestBody"]["content"]["multipart/form-data"]
    _options(form["schema"]["properties"], settings, nullable=False)
    form["schema"]["properties"]["file"]["minLength"] = 1
    form["encoding"] = deepcopy(_AUDIO_ENCODING)
    # api.job_form: a recording or a text, not both; an empty `text` is no text.
    form["schema"]["oneOf"] = [
        {"required": ["file"], "not": {"required": ["text"], "properties": {"text": _TEXT}}},
        {
            "required": ["text"],
            # shared.text_input.text_stages: a text job needs the reply stage.
            "properties": {"text": _TEXT, "stages": {"not": {"const": "stt"}}},
            "not": {"required": ["file"]},
        },
    ]


_TEXT = {"type": "string", "minLength": 1, "pattern": r"\S"}


def _transcription_form(operation: Schema) -> None:
    form = operation["requestBody"]["content"]["multipart/form-data"]
    form["schema"]["properties"]["file"]["minLength"] = 1
    form["encoding"] = deepcopy(_AUDIO_ENCODING)


def _batch_body(doc: Schema, operation: Schema, settings: Settings) -> None:
    content = operation["requestBody"]["content"]
    form = content["multipart/form-data"]
    job_form = doc["paths"]["/v1/jobs"]["post"]["requestBody"]["content"]["multipart/form-data"]
    # A batch's parts are recordings: typed input goes in a JSON manifest's items.
    inputs = ("file", "text")
    options = {k: v for k, v in job_form["schema"]["properties"].items() if k not in inputs}
    form["schema"]["properties"] = {
        "file": {
            "type": "array",
            "items": {"type": "string", "contentMediaType": "application/octet-stream"},
            "minItems": 1,
            "maxItems": settings.batches.max_parts,
        },
        **deepcopy(options),
    }
    # No `encoding` here: the parts are only staged by this request (each is validated by an
    # ingest worker and reported per item), and schemathesis sends a value drawn for an
    # encoded array of files as one part without a filename, which is not a file.

    body = content["application/json"]["schema"]
    # The model's nested definitions, moved where its references point.
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    components.update(body.pop("$defs", {}))
    _options(body["properties"], settings, nullable=True)
    items = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/ManifestItem"},
        "minItems": 1,
        "maxItems": settings.batches.max_items,
    }
    body["properties"]["items"] = {"anyOf": [items, {"type": "null"}]}
    body["properties"]["prefix"] = {
        "anyOf": [{"$ref": "#/components/schemas/PrefixSource"}, {"type": "null"}]
    }
    # api.batch_intake._manifest: a manifest or a prefix, never both nor neither (null is
    # the same as absent).
    body["oneOf"] = [
        {"required": ["items"], "properties": {"items": {"type": "array"}, "prefix": _NULL}},
        {"required": ["prefix"], "properties": {"prefix": {"type": "object"}, "items": _NULL}},
    ]
    _manifest_item(components["ManifestItem"])
    _prefix_source(components["PrefixSource"], settings)


def _manifest_item(item: Schema) -> None:
    # shared.batches.BatchItem: exactly one of a URL, an object key and a text (null is
    # absent).
    # Any URL is taken: one an ingest worker cannot fetch (ftp://, a private address) is
    # that item's rejection, recorded in the export, not the whole batch's refusal.
    props = item["properties"]
    props["url"] = {"anyOf": [_non_null(props["url"]), _NULL]}
    props["key"] = {"anyOf": [_non_null(props["key"]), _NULL]}
    props["text"] = {"anyOf": [_non_null(props["text"]), _NULL]}
    sources = ("url", "key", "text")
    item["oneOf"] = [
        {
            "required": [name],
            "properties": {
                name: {"type": "string"},
                **{other: _NULL for other in sources if other != name},
            },
        }
        for name in sources
    ]


def _prefix_source(source: Schema, settings: Settings) -> None:
    # api.batch_intake._check_bucket: only the configured import bucket may be named.
    imports = settings.imports
    props = source["properties"]
    if imports.backend == "s3" and imports.s3_bucket:
        props["bucket"] = {"type": "string", "enum": [imports.s3_bucket]}
    else:
        source["not"] = {"required": ["bucket"]}
        props.pop("bucket", None)


def _voices_query(operation: Schema) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["name"] == "provider":
            parameter["schema"] = {"type": "string", "enum": provider_names(Stage.TTS)}


def _operations(doc: Schema) -> Iterator[Schema]:
    for item in doc["paths"].values():
        for method, operation in item.items():
            if method in {"get", "head", "put", "post", "delete", "patch"}:
                yield operation


def _unauthorized_documented(doc: Schema) -> None:
    # Every operation that takes a key answers 401 without one (when keys are configured),
    # and 400 to the keys of two tenants at once (api.security.authenticate).
    for operation in _operations(doc):
        if operation.get("security"):
            for status, description in (
                ("401", "No valid API key"),
                ("400", "Bad request (the keys of two tenants, among others)"),
            ):
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ErrorBody"}
                            }
                        },
                    },
                )


def _link(operation_id: str, parameter: str) -> Schema:
    return {"operationId": operation_id, "parameters": {parameter: "$response.body#/id"}}


def _links(paths: Schema) -> None:
    # From a created job or batch to every operation on it, so clients (and schemathesis's
    # stateful phase) can follow the resource they were given.
    for created, prefix, parameter in (
        ("/v1/jobs", "/v1/jobs/{job_id}", "job_id"),
        ("/v1/batches", "/v1/batches/{batch_id}", "batch_id"),
    ):
        targets = {
            f"{method.upper()} {path}": operation["operationId"]
            for path, item in paths.items()
            if path.startswith(prefix)
            for method, operation in item.items()
        }
        # Link names follow the rule for component names: the operation ids do.
        links = {op: _link(op, parameter) for _, op in sorted(targets.items())}
        paths[created]["post"]["responses"]["202"]["links"] = links
