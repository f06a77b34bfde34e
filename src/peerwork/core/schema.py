"""Helpers for API shapes shared by every capability."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Annotated, Any

from litestar import Litestar, MediaType
from litestar.routes import HTTPRoute
from litestar.openapi.spec import OpenAPI, OpenAPIFormat, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Reference, RequestBody, Schema

from msgspec import UNSET, Meta, Struct


def provided(struct: Struct) -> dict[str, object]:
    """The fields a PATCH body actually set (UNSET ones left out)."""
    return {f: v for f in struct.__struct_fields__ if (v := getattr(struct, f)) is not UNSET}


# A link people will follow: only http(s), so a stored ``javascript:`` or ``data:`` URL can
# never become a live link on a page, in an email or in a calendar (the one URL rule every
# schema field that stores a URL uses).
WEB_LINK_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@]+(?:[/?#]\S*)?$"
WebLink = Annotated[str, Meta(max_length=500, pattern=WEB_LINK_PATTERN,
                              description="An http(s) address", examples=["https://meet.example.org/room"])]


# --- what the OpenAPI document says is served ---------------------------------------------

PROBLEM_JSON = "application/problem+json"
# Documented on every API operation: what core/errors.py and core/security.py can answer.
PROBLEM_STATUSES = {
    "400": "Bad request: the body, a parameter or a file could not be read",
    "401": "Sign in needed: no valid API token",
    "403": "Not allowed: the caller's roles lack the route's right",
    "404": "Not found (also another organisation's record)",
    "409": "Conflict with the record's current state",
    "422": "Invalid input: well-formed but refused by a rule",
}
# Also documented where an operation takes an uploaded file (cpd/evidence.py refuses a file
# too large or of a type it does not keep), and 404 wherever a path names a record or a feed.
FILE_PROBLEM_STATUSES = {
    "413": "The file is too large",
    "415": "The file's type is not accepted",
}
_TEXT = Schema(type=OpenAPIType.STRING)
PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    description="RFC 9457 problem details",
    required=["type", "title", "status", "detail"],
    properties={
        "type": _TEXT, "title": _TEXT, "status": Schema(type=OpenAPIType.INTEGER), "detail": _TEXT,
        "instance": _TEXT,
        "errors": Schema(type=OpenAPIType.ARRAY, items=Schema(
            type=OpenAPIType.OBJECT, properties={"field": _TEXT, "problem": _TEXT})),
    },
)
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def served_media_types(app: Litestar) -> dict[tuple[str, str], tuple[str, ...]]:
    """``(METHOD, path) -> media types`` of handlers that answer something other than JSON:
    the handler's ``media_type``, or ``opt["media_types"]`` where it serves several."""
    served: dict[tuple[str, str], tuple[str, ...]] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            media = tuple(handler.opt.get("media_types", ())) or (
                (str(handler.media_type),) if handler.media_type and handler.media_type != MediaType.JSON else ())
            for method in handler.http_methods if media else ():
                served[(method, route.path_format)] = media
    return served


def describe_served(app: Litestar) -> None:
    """Describe the OpenAPI document (``describe``) when it is first built, on the first
    request for /schema or a first look at ``app.openapi_schema``, not at start-up: building it
    takes a quarter of a second that an instance starting to serve should not wait for.

    Litestar 2 builds the document lazily in its OpenAPI plugin's ``_build_openapi`` and keeps
    it; the plugin has slots, so the one way in is to make it an instance of a subclass that
    describes what it builds (private but stable across 2.x; Litestar is pinned below 3).
    tests/integration/test_openapi_document.py fails if it stops being applied.
    """
    from litestar._openapi.plugin import OpenAPIPlugin

    class DescribedOpenAPIPlugin(OpenAPIPlugin):
        __slots__ = ()

        def _build_openapi(self) -> OpenAPI:
            return describe(super()._build_openapi(), self.app)

    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = DescribedOpenAPIPlugin


def describe(openapi: OpenAPI, app: Litestar) -> OpenAPI:
    """Make the app's OpenAPI document say what is really served (in place):

    - every error answer is ``application/problem+json`` (the one mapping in ``core.errors``),
      and every API operation documents the problems it can answer;
    - a success answer that is not JSON (CSV, iCalendar, PDF, SVG, PNG ...) carries its real
      media types, from ``media_types``: ``(METHOD, path) -> media types``, from the handlers;
    - ``datetime.time`` values, served as "10:00:00", are a UK wall-clock time of day with
      a pattern (Litestar says ``duration``, the format of a timedelta; no API shape here
      holds a timedelta). Not ``format: time``: that is RFC 3339's full-time, which needs an
      offset ("10:00:00Z"), so a validating client would refuse every value served.
    """
    media_types = served_media_types(app)
    components = openapi.components
    components.schemas = {**(components.schemas or {}), "Problem": PROBLEM_SCHEMA}
    problem_ref = Reference(ref="#/components/schemas/Problem")
    for path, item in (openapi.paths or {}).items():
        for method in _METHODS:
            operation = getattr(item, method, None)
            if operation is None or operation.responses is None:
                continue
            responses = operation.responses
            if path.startswith("/api/"):
                for status, description in PROBLEM_STATUSES.items():
                    responses.setdefault(status, OpenAPIResponse(description=description))
            elif "{" in path:
                responses.setdefault("404", OpenAPIResponse(description=PROBLEM_STATUSES["404"]))
            body = operation.request_body
            if isinstance(body, RequestBody) and "multipart/form-data" in (body.content or {}):
                for status, description in FILE_PROBLEM_STATUSES.items():
                    responses.setdefault(status, OpenAPIResponse(description=description))
            served = media_types.get((method.upper(), path))
            for status, response in responses.items():
                if not isinstance(response, OpenAPIResponse):
                    continue
                if status.startswith(("4", "5")):
                    response.content = {PROBLEM_JSON: OpenAPIMediaType(schema=problem_ref)}
                elif served and status.startswith("2") and response.content:
                    response.content = {media: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING,
                                                                              format=OpenAPIFormat.BINARY))
                                        for media in served}
    _time_formats(openapi)
    return openapi


# A time of day as served ("10:00:00", with a fraction if one was stored): no offset, since it
# is the time on the clock in the UK.
TIME_OF_DAY_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$"


def _time_formats(root: Any) -> None:
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Schema) and node.format == OpenAPIFormat.DURATION:
            node.format = None
            node.pattern = TIME_OF_DAY_PATTERN
            node.description = node.description or "Time of day in the UK, HH:MM:SS"
        if is_dataclass(node) and not isinstance(node, type):
            stack.extend(getattr(node, f.name) for f in fields(node))
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
