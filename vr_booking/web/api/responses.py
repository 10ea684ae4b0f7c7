"""The API's error answers: one shape for every error, and their place in the OpenAPI document.

Every error answers ``ErrorBody`` (``detail`` for people, a stable ``code`` for programs).
Every 422 answers ``ValidationErrorBody``, whether FastAPI refused the request's form (a
missing field, a wrong type) or a service refused its content (``InvalidInput``): ``fields``
maps each field to one message, ``errors`` lists them with their location in the request.
"""

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    detail: str = Field(description="what went wrong, for people (in the request's language)")
    code: str = Field(description="stable, for programs: e.g. `slot_full`, `unknown_booking`")
    fields: dict[str, str] = Field(default_factory=dict,
                                   description="field → message, for invalid input (always "
                                               "there on a 422, else only when not empty)")


class FieldError(BaseModel):
    loc: list[str | int] = Field(description='where: e.g. `["body", "slot_id"]`')
    msg: str
    type: str


class ValidationErrorBody(ErrorBody):
    """The one shape of every 422."""

    errors: list[FieldError] = Field(default_factory=list)


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


UNAUTHORIZED = {401: _error("Missing or invalid bearer token (`code`: `unauthorized`)")}
NOT_FOUND = {404: _error("Unknown or retired slug (`code`: `unknown_item`)")}
UNKNOWN_BOOKING = {404: _error("No booking has this token (`code`: `unknown_booking`)")}
RATE_LIMITED = {429: _error("Too many attempts from this client address in a minute "
                            "(`code`: `rate_limited`); `Retry-After` says when to try again")}
BAD_JSON = {"description": "The body is not valid JSON (`code`: `invalid_json`)",
            "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
_FASTAPI_SCHEMAS = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Serve an OpenAPI document whose errors are ours (see :func:`finish_openapi`);
    ``routers`` are the API's, whose staff operations get their 401 documented."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            document_bearer_routes(schema, [r for router in routers for r in router.routes])
            app.openapi_schema = finish_openapi(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_bearer_routes(schema: dict[str, Any], routes: list[Any]) -> None:
    """401 on every operation that asks for a staff bearer token, found from its
    dependencies, so that no staff router can forget to say so."""
    from vr_booking.web.deps import api_staff  # the dependency that answers 401

    for route in routes:
        if not isinstance(route, APIRoute) or not _depends_on(route.dependant, api_staff):
            continue
        for method in route.methods:
            operation = schema.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is not None:
                operation.setdefault("responses", {}).setdefault(
                    "401", {"description": UNAUTHORIZED[401]["description"]})


def _depends_on(dependant: Dependant, call: Any) -> bool:
    return any(sub.call is call or _depends_on(sub, call) for sub in dependant.dependencies)


def finish_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Every 422 documented as ``ValidationErrorBody`` and every other error as
    ``ErrorBody``, 400 on the operations with a JSON body, bearer authentication on those that
    answer 401, and FastAPI's own validation schemas (which we never answer) dropped."""
    schema.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer",
                   "description": "a staff token: `vr-booking api-token --email E`"}}
    components = schema["components"].setdefault("schemas", {})
    for name in _FASTAPI_SCHEMAS:
        components.pop(name, None)
    for model in (ErrorBody, FieldError, ValidationErrorBody):
        components[model.__name__] = model.model_json_schema(
            ref_template="#/components/schemas/{model}")
    components["ValidationErrorBody"].pop("$defs", None)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"]["content"] = {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ValidationErrorBody"}}}
                responses["422"].setdefault("description", "Invalid input")
            if "requestBody" in operation:
                responses.setdefault("400", BAD_JSON)
            for status, response in responses.items():
                if status[0] in "45" and "content" not in response:
                    response["content"] = {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ErrorBody"}}}
            if "401" in responses:
                operation["security"] = [{"bearer": []}]
    return schema
