"""Checking a request the client sends against Bluejay's OpenAPI document (openapi-core):
its path, parameters and body must validate, and its body may hold only the request
schema's properties, none of them null. For MockTransport handlers of contract tests."""

from __future__ import annotations

import json
from typing import Any

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from tests.helpers.shared import openapi_document
from tests.helpers.typed import as_object


class DocumentRequest:
    """An httpx request in the shape openapi-core validates."""

    def __init__(self, request: httpx.Request) -> None:
        self.host_url = "https://api.getbluejay.ai"
        self.path = request.url.path
        self.full_url_pattern = self.host_url + self.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(request.url.params.multi_items()),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )
        self.content_type = request.headers.get("content-type", "application/json")
        self.body = request.content or None


class DocumentCheck:
    """``check(request)``: fails the test unless the request fits the document; returns
    the path template it matched and the decoded body."""

    def __init__(self) -> None:
        document = openapi_document()
        self.schemas: dict[str, Any] = document["components"]["schemas"]
        self.paths: dict[str, Any] = document["paths"]
        self.api = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))

    def check(self, request: httpx.Request) -> tuple[str, Any]:
        result = self.api.unmarshal_request(DocumentRequest(request))
        where = f"{request.method} {request.url.path}"
        assert not result.errors, f"{where}: {result.errors}"
        body = json.loads(request.content) if request.content else None
        template = self.template(request.url.path, request.method)
        schema = self.body_schema(request.method, template)
        if schema is not None:
            body = as_object(body, f"{where} body")
            assert set(body) <= set(schema["properties"]), f"{where}: undocumented fields"
            assert all(value is not None for value in body.values()), f"{where}: null fields"
        return template, body

    def template(self, path: str, method: str) -> str:
        for template, operations in self.paths.items():
            parts, want = path.split("/"), template.split("/")
            if (
                method.lower() in operations
                and len(parts) == len(want)
                and all(w.startswith("{") or w == p for p, w in zip(parts, want, strict=True))
            ):
                return template
        raise AssertionError(f"{method} {path} is not an operation of the document")

    def body_schema(self, method: str, template: str) -> dict[str, Any] | None:
        body = self.paths[template][method.lower()].get("requestBody")
        if body is None:
            return None
        ref = body["content"]["application/json"]["schema"]["$ref"]
        schema: dict[str, Any] = self.schemas[ref.rsplit("/", 1)[1]]
        return schema
