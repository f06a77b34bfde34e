"""Guards on what a request may carry before any handler, decoder or database sees it.

One hook for the whole app (``before_request`` in ``app.py``): PostgreSQL refuses U+0000 in
text, and msgspec gives up with a RecursionError on JSON nested too deeply. Both would
otherwise surface as a 500; here they are a 400 problem ("field: contains a NUL character")
for the API and a 400 error page for the HTML side. Path parameters (a slug, a private
link's token), query parameters, JSON bodies, form fields and uploaded file names are all
checked, and a route taking an uploaded file is
refused a multipart body that carries only text.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import SerializationException, ValidationException
from litestar.params import Parameter

NUL = "\x00"
MAX_DEPTH = 64
# Bounds for every offset, limit and page number: a 64-bit database integer overflows first.
MAX_ROW = 2**31 - 1

Offset = Annotated[int, Parameter(ge=0, le=MAX_ROW, description="Rows to skip")]
Limit = Annotated[int, Parameter(ge=1, le=1000, description="Page size")]
PageNumber = Annotated[int, Parameter(ge=1, le=MAX_ROW // 50, description="Page number, from 1")]


def _refuse(field: str, problem: str) -> ValidationException:
    return ValidationException(f"{field}: {problem}", extra=[{"key": field, "message": problem}])


def _nul_field(value: Any, path: str) -> str | None:
    """The path of the first string (or mapping key) holding U+0000, walking without recursion."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _refuse(where or "body", "nested too deeply")
        if isinstance(item, str):
            if NUL in item:
                return where or "body"
        elif isinstance(item, dict):
            for key, inner in item.items():
                name = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and NUL in key:
                    return where or "body"
                stack.append((inner, name, depth + 1))
        elif isinstance(item, (list, tuple)):
            stack.extend((inner, f"{where}[{i}]", depth + 1) for i, inner in enumerate(item))
    return None


_BODILESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


def _has_content_type(scope: Any) -> bool:
    # The raw ASGI headers (names arrive lower-case): no Headers object for the common case.
    return any(name == b"content-type" and value for name, value in scope.get("headers", ()))


async def refuse_hostile_input(request: Request) -> None:
    """``before_request`` hook: refuse NUL characters and over-deep JSON with a 400."""
    scope = request.scope
    # The path arrives percent-decoded: "/jobs/a%00" is "/jobs/a\x00" here, and its text
    # parameters would be looked up in the database as they are.
    if NUL in scope.get("path", ""):
        name = next((key for key, value in request.path_params.items() if isinstance(value, str) and NUL in value),
                    "path")
        raise _refuse(name, "contains a NUL character")
    query = scope.get("query_string", b"")
    # A NUL can only come from a raw 0x00 byte or "%00": parse the query only when one is there.
    if b"%00" in query or b"\x00" in query:
        for name, value in request.query_params.multi_items():
            if NUL in name or NUL in value:
                raise _refuse(name.replace(NUL, "") or "query", "contains a NUL character")
    if scope["method"] in _BODILESS and not _has_content_type(scope):
        return
    content_type, _ = request.content_type
    if content_type == "application/json" or content_type.endswith("+json"):
        if not await request.body():
            return
        try:
            body = await request.json()
        except RecursionError:
            raise _refuse("body", "nested too deeply") from None
        except SerializationException:
            raise _refuse("body", "is not valid JSON") from None
    elif content_type in {RequestEncodingType.MULTI_PART, RequestEncodingType.URL_ENCODED}:
        form = await request.form()
        for key, value in form.multi_items():
            text = value.filename if isinstance(value, UploadFile) else value
            if NUL in key or (isinstance(text, str) and NUL in text):
                raise _refuse(key.replace(NUL, "") or "form", "contains a NUL character")
        # A handler taking one UploadFile would otherwise fail inside Litestar's extractor (a 500).
        wanted = request.route_handler.parsed_fn_signature.parameters.get("data")
        if wanted is not None and wanted.annotation is UploadFile \
                and not any(isinstance(value, UploadFile) for _, value in form.multi_items()):
            raise _refuse("data", "send a file (a multipart file part with a filename), not text")
        return
    else:
        return
    if (field := _nul_field(body, "")) is not None:
        raise _refuse(field, "contains a NUL character")


__all__ = ["Limit", "MAX_ROW", "Offset", "PageNumber", "refuse_hostile_input"]
