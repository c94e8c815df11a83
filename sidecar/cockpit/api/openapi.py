"""The OpenAPI 3.1 document, built from the app's routes and the pydantic models each one
declares (`views.operation`): a route, a parameter or a field cannot be added without the
document saying so. Built once per app, on the first request for it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Rule

from sidecar import __version__
from sidecar.cockpit.api.models import Problem

REF = "#/components/schemas/{model}"
EXTENSION = "cockpit_api_openapi"
DESCRIPTION = (
    "Read-only access to the training data the ojt-sidecar keeps beside Odoo: programs, "
    "batches, trainees with their figures, progress per course, attendance, scores and "
    "certificates. Every address but this document needs a bearer token made with "
    "`ojt-sidecar api-token create`. Lists come in pages: pass `next_cursor` back as `cursor`."
)
ERRORS = {
    "400": "A query parameter is unknown, repeated or not valid, or a filter names nothing.",
    "401": "No bearer token, or one that is unknown or revoked.",
    "403": "The token does not have this address's scope.",
    "404": "Nothing at this address.",
    "429": "The token made too many requests this minute; see Retry-After.",
}


@dataclass(frozen=True)
class Operation:
    """A GET address of the API, as `views.operation` declares it."""

    summary: str
    description: str
    scope: str
    args: type[BaseModel]
    response: type[BaseModel]


def document_text(app: Flask, operations: dict[str, Operation]) -> str:
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = json.dumps(document(app, operations), sort_keys=True)
    found: str = app.extensions[EXTENSION]
    return found


def document(app: Flask, operations: dict[str, Operation]) -> dict[str, Any]:
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint in operations), key=lambda r: r.rule
    )
    answers, defs = models_json_schema(
        [(operations[r.endpoint].response, "serialization") for r in rules]
        + [(Problem, "serialization")],
        ref_template=REF,
    )
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    paths: dict[str, Any] = {}
    for rule in rules:
        op = operations[rule.endpoint]
        answer = answers[(op.response, "serialization")]
        parameters = _parameters(rule, op.args, schemas)
        paths[_path(rule)] = {"get": _operation(rule, op, parameters, answer)}
    paths["/api/v1/openapi.json"] = {"get": _itself()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "ojt-sidecar API", "version": __version__, "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `ojt-sidecar api-token create` (ojt_...).",
                }
            },
        },
        "security": [{"bearer": []}],
    }


def _path(rule: Rule) -> str:
    """Flask's `/trainees/<int:partner_id>` as OpenAPI's `/trainees/{partner_id}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def _parameters(
    rule: Rule, model: type[BaseModel], schemas: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each field of the model as a path or query parameter; the enums it names join the
    document's schemas."""
    schema = model.model_json_schema(ref_template=REF)
    schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    found = []
    for name, field in schema["properties"].items():
        where = "path" if name in rule.arguments else "query"
        field.pop("title", None)
        description = field.pop("description", None)
        parameter = {
            "name": name,
            "in": where,
            "required": where == "path" or name in required,
            "schema": _without_null(field),
        }
        if description:
            parameter["description"] = description
        found.append(parameter)
    return found


def _without_null(field: dict[str, Any]) -> dict[str, Any]:
    """An optional parameter's schema without its `null` branch: a query string leaves a
    parameter out, it never sends null."""
    choices = [c for c in field.get("anyOf", []) if c != {"type": "null"}]
    if "anyOf" not in field or len(choices) != 1:
        return field
    rest = {k: v for k, v in field.items() if k != "anyOf" and not (k == "default" and v is None)}
    return {**choices[0], **rest}


def _operation(
    rule: Rule, op: Operation, parameters: list[dict[str, Any]], answer: dict[str, Any]
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": "OK",
            "headers": {"ETag": {"schema": {"type": "string"}, "description": "Of the body."}},
            "content": {"application/json": {"schema": answer}},
        },
        "304": {"description": "Not modified: the If-None-Match ETag is still current."},
    }
    for status, text in ERRORS.items():
        responses[status] = {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": REF.format(model="Problem")}}},
        }
    responses["429"]["headers"] = {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
    }
    return {
        "operationId": rule.endpoint.removeprefix("api."),
        "summary": op.summary,
        "description": f"{op.description}\n\nScope: `{op.scope}` (or `all`).",
        "parameters": parameters,
        "security": [{"bearer": [op.scope]}],
        "responses": responses,
    }


def _itself() -> dict[str, Any]:
    return {
        "operationId": "openapi",
        "summary": "This document",
        "security": [],
        "responses": {
            "200": {
                "description": "The OpenAPI 3.1 document.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "304": {"description": "Not modified: the If-None-Match ETag is still current."},
        },
    }
