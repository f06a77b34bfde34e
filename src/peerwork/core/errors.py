"""Domain errors, and their one mapping to RFC 9457 problem details.

Services raise these; they never raise HTTP or Piccolo exceptions. Each carries a stable
``code`` (the problem ``type``), the HTTP status it maps to, and a ``detail`` written for the
person reading it.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

logger = logging.getLogger("peerwork")

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    status_code = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not-authenticated"
    title = "Sign in needed"


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission-denied"
    title = "Not allowed"


class NotFound(DomainError):
    """Also used for another organisation's records: their existence is never revealed."""

    status_code = 404
    code = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    title = "Conflict"


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid-input"
    title = "Invalid input"


class TooManyAttempts(DomainError):
    status_code = 429
    code = "too-many-attempts"
    title = "Too many attempts"


def problem(
    status: int, title: str, detail: str, *, code: str, instance: str | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"https://peerwork.org.uk/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v})
    headers = {"WWW-Authenticate": 'Bearer realm="peerwork"'} if status == 401 else None
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_error_to_problem(request: Request, exc: DomainError) -> Response[dict[str, Any]]:
    return problem(
        exc.status_code, exc.title, exc.detail, code=exc.code, instance=request.url.path, errors=exc.errors
    )


def _validation_errors(exc: ValidationException) -> list[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    return [
        {"field": item.get("key") or item.get("source") or "body", "problem": item.get("message", "")}
        for item in extra
        if isinstance(item, dict)
    ]


def http_error_to_problem(request: Request, exc: HTTPException) -> Response[dict[str, Any]]:
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['problem']}" for e in errors) or exc.detail
        return problem(400, "Invalid request", detail, code="invalid-request", instance=request.url.path, errors=errors)
    status = exc.status_code
    titles = {401: "Sign in needed", 403: "Not allowed", 404: "Not found", 405: "Method not allowed"}
    return problem(
        status,
        titles.get(status, "Request failed"),
        exc.detail or titles.get(status, "Request failed"),
        code={401: "not-authenticated", 403: "permission-denied", 404: "not-found"}.get(status, "http-error"),
        instance=request.url.path,
    )


def log_unexpected(request: Request, exc: Exception) -> None:
    # Log the type and the stack, never the message: drivers' messages can echo a row's data.
    stack = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("unhandled %s on %s %s\n%s", type(exc).__name__, request.method, request.url.path, stack)


def unexpected_error_to_problem(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    log_unexpected(request, exc)
    return problem(500, "Something went wrong", "The server could not complete the request.", code="server-error")


EXCEPTION_HANDLERS = {
    DomainError: domain_error_to_problem,
    HTTPException: http_error_to_problem,
    Exception: unexpected_error_to_problem,
}

__all__ = [
    "Conflict",
    "DomainError",
    "EXCEPTION_HANDLERS",
    "InvalidInput",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "TooManyAttempts",
]
