"""Domain errors, and their one mapping to RFC 9457 problem details.

Services raise these; they never raise HTTP or Piccolo exceptions. Each carries a stable
``code`` (the problem ``type``), the HTTP status it maps to, and a ``detail`` written for the
person reading it.
"""

from __future__ import annotations

import errno
import logging
import socket
import sqlite3
import traceback
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Litestar is imported when a problem is built, so the CLI need not load it
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


class DatabaseUnavailable(DomainError):
    """The database cannot be reached (down, restarting, refusing connections, pool exhausted):
    a temporary state, so 503 with Retry-After, never a 500 with a stack."""

    status_code = 503
    code = "database-unavailable"
    title = "Service temporarily unavailable"
    retry_after = 30  # seconds

    def __init__(self, detail: str = "The database is unreachable at the moment. Please try again shortly.") -> None:
        super().__init__(detail)


try:  # the PostgreSQL driver's connection-level failures (never its query errors)
    from asyncpg import exceptions as _pg

    _PG_CONNECTION_ERRORS: tuple[type[Exception], ...] = (
        _pg.PostgresConnectionError,  # class 08, incl. ConnectionDoesNotExistError
        _pg.CannotConnectNowError,  # 57P03: starting up or shutting down
        _pg.TooManyConnectionsError,  # 53300
        _pg.InvalidCatalogNameError,  # 3D000: the database is gone (raised on connect)
        _pg.AdminShutdownError,  # 57P01: terminated by a restart
        _pg.CrashShutdownError,  # 57P02
    )
    _PG_CLOSED: tuple[type[Exception], ...] = (_pg.InterfaceError,)
except ImportError:  # pragma: no cover - asyncpg is a dependency
    _PG_CONNECTION_ERRORS, _PG_CLOSED = (), ()

_CONNECTION_ERRNOS = {
    errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH,
    errno.ENETUNREACH, errno.ETIMEDOUT, errno.EPIPE, errno.EADDRNOTAVAIL,
}

# The exception types that *may* be a lost database; database_unavailable() decides.
CONNECTION_EXCEPTION_TYPES: tuple[type[Exception], ...] = (
    *_PG_CONNECTION_ERRORS, *_PG_CLOSED, OSError, sqlite3.OperationalError,
)


def is_unique_violation(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing a row because a unique key already holds it
    (two requests racing to create the same thing): the loser gets a clear answer, not a 500."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE constraint failed" in str(exc)
    try:
        from asyncpg.exceptions import UniqueViolationError
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(exc, UniqueViolationError)


def database_unavailable(exc: BaseException) -> DatabaseUnavailable | None:
    """``exc`` as :class:`DatabaseUnavailable` if it means the database cannot be reached
    (connection refused or lost, server restarting, pool acquire timed out, SQLite file
    unopenable); None for anything else, query errors included."""
    if isinstance(exc, DatabaseUnavailable):
        return exc
    if isinstance(exc, _PG_CONNECTION_ERRORS):
        return DatabaseUnavailable()
    if isinstance(exc, _PG_CLOSED) and ("connection is closed" in str(exc) or "connection was closed" in str(exc)):
        return DatabaseUnavailable()
    if isinstance(exc, (TimeoutError, ConnectionError, socket.gaierror)):  # incl. pool acquire timeout
        return DatabaseUnavailable()
    if isinstance(exc, OSError) and (
        exc.errno in _CONNECTION_ERRNOS or str(exc).startswith("Multiple exceptions")  # asyncpg, several addresses
    ):
        return DatabaseUnavailable()
    if isinstance(exc, sqlite3.OperationalError) and str(exc).startswith("unable to open database"):
        return DatabaseUnavailable()
    return None


def problem(
    status: int, title: str, detail: str, *, code: str, instance: str | None = None,
    retry_after: int | None = None, **extra: Any
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
    if retry_after:
        headers = {"Retry-After": str(retry_after)}
    from litestar import Response

    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_error_to_problem(request: Request, exc: DomainError) -> Response[dict[str, Any]]:
    return problem(
        exc.status_code, exc.title, exc.detail, code=exc.code, instance=request.url.path,
        retry_after=getattr(exc, "retry_after", None), errors=exc.errors,
    )


def _validation_errors(exc: ValidationException) -> list[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    return [
        {"field": item.get("key") or item.get("source") or "body", "problem": item.get("message", "")}
        for item in extra
        if isinstance(item, dict)
    ]


def http_error_to_problem(request: Request, exc: HTTPException) -> Response[dict[str, Any]]:
    from litestar.exceptions import ValidationException

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


def connection_error_to_problem(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    unavailable = database_unavailable(exc)
    if unavailable is None:  # e.g. a file error or a query error: not an outage
        return unexpected_error_to_problem(request, exc)
    logger.warning("database unavailable (%s) on %s %s", type(exc).__name__, request.method, request.url.path)
    return domain_error_to_problem(request, unavailable)


def __getattr__(name: str) -> Any:
    # EXCEPTION_HANDLERS is built on first use: its HTTPException key would otherwise load
    # Litestar for every importer of a domain error, the command line included.
    if name == "EXCEPTION_HANDLERS":
        from litestar.exceptions import HTTPException

        return {
            DomainError: domain_error_to_problem,
            **{kind: connection_error_to_problem for kind in CONNECTION_EXCEPTION_TYPES},
            HTTPException: http_error_to_problem,
            Exception: unexpected_error_to_problem,
        }
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Conflict",
    "DatabaseUnavailable",
    "DomainError",
    "InvalidInput",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "TooManyAttempts",
]
