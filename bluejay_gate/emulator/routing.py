"""A tiny router with FastAPI-style validation: path and query parameters, JSON bodies,
and ``422 {"detail": [{"type", "loc", "msg", "input"}]}`` errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from bluejay_gate.emulator.store import Store


@dataclass(slots=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass(slots=True)
class Call:
    """One validated request, as a handler sees it."""

    params: dict[str, Any]
    query: dict[str, Any]
    body: Any


Handler = Callable[[Store, Call], Reply]
_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


@dataclass(slots=True)
class Route:
    method: str
    template: str
    handler: Handler
    regex: re.Pattern[str]
    path_types: dict[str, Any]
    query_types: dict[str, tuple[Any, Any]]  # name -> (type, default)
    body: Callable[[Any], type[BaseModel]] | None  # picks the model for the parsed JSON
    body_required: bool
    auth: bool


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self,
        method: str,
        template: str,
        *,
        path: dict[str, Any] | None = None,
        query: dict[str, tuple[Any, Any]] | None = None,
        body: type[BaseModel] | Callable[[Any], type[BaseModel]] | None = None,
        body_required: bool = True,
        auth: bool = True,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
            chooser: Callable[[Any], type[BaseModel]] | None
            if isinstance(body, type):
                model: type[BaseModel] = body
                chooser = lambda _data: model  # noqa: E731 - a fixed model for every body
            else:
                chooser = body
            self.routes.append(
                Route(
                    method=method,
                    template=template,
                    handler=handler,
                    regex=re.compile(f"^{pattern}$"),
                    path_types=path or {},
                    query_types=query or {},
                    body=chooser,
                    body_required=body_required,
                    auth=auth,
                )
            )
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
        """(route, raw path params, allowed methods if the path exists with other methods)."""
        allowed: list[str] = []
        for route in self.routes:
            m = route.regex.match(path)
            if not m:
                continue
            if route.method == method:
                return route, m.groupdict(), []
            allowed.append(route.method)
        return None, {}, allowed


def _adapter(tp: Any) -> TypeAdapter[Any]:
    if tp not in _ADAPTERS:
        _ADAPTERS[tp] = TypeAdapter(tp)
    return _ADAPTERS[tp]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def error_entries(exc: ValidationError, prefix: tuple[str | int, ...]) -> list[dict[str, Any]]:
    """pydantic errors as FastAPI renders them."""
    out = []
    for err in exc.errors(include_url=False):
        entry: dict[str, Any] = {
            "type": err["type"],
            "loc": [*prefix, *err["loc"]],
            "msg": err["msg"],
            "input": _jsonable(err.get("input")),
        }
        if "ctx" in err:
            entry["ctx"] = _jsonable(err["ctx"])
        out.append(entry)
    return out


def missing(loc: list[str | int]) -> dict[str, Any]:
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": None}


def validate(
    route: Route, raw_params: dict[str, str], query: dict[str, Any], raw_body: bytes
) -> tuple[Call | None, list[dict[str, Any]]]:
    """Convert and validate everything a route takes; collect every error like FastAPI."""
    errors: list[dict[str, Any]] = []
    params: dict[str, Any] = {}
    for name, value in raw_params.items():
        tp = route.path_types.get(name, str)
        try:
            params[name] = _adapter(tp).validate_python(value)
        except ValidationError as exc:
            errors.extend(error_entries(exc, ("path", name)))
    args: dict[str, Any] = {}
    for name, (tp, default) in route.query_types.items():
        if name not in query:
            args[name] = default
            continue
        try:
            args[name] = _adapter(tp).validate_python(query[name])
        except ValidationError as exc:
            errors.extend(error_entries(exc, ("query", name)))
    body: Any = None
    if route.body is not None:
        if not raw_body.strip():
            if route.body_required:
                errors.append(missing(["body"]))
        else:
            try:
                data = json.loads(raw_body)
            except (ValueError, UnicodeDecodeError) as exc:
                pos = getattr(exc, "pos", 0)
                errors.append(
                    {
                        "type": "json_invalid",
                        "loc": ["body", pos],
                        "msg": "JSON decode error",
                        "input": {},
                        "ctx": {"error": getattr(exc, "msg", str(exc))},
                    }
                )
            else:
                try:
                    body = route.body(data).model_validate(data)
                except ValidationError as exc:
                    errors.extend(error_entries(exc, ("body",)))
    if errors:
        return None, errors
    return Call(params=params, query=args, body=body), []
