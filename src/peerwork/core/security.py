"""Who is calling: bearer tokens for the API, a session cookie for the HTML pages.

The middleware only identifies the caller (``scope["user"]`` is a Principal or None); guards
and services decide what they may do. The API never accepts the cookie, so it needs no CSRF
protection; the pages never accept a bearer token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.connection import ASGIConnection, Request
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractMiddleware
from litestar.types import Receive, Scope, Send

from peerwork.core.errors import NotAuthenticated, PermissionDenied
from peerwork.core import accounts
from peerwork.core.access import Principal

SESSION_COOKIE = "peerwork_session"
API_PREFIX = "/api/"
SELF = "self"  # a route any signed-in caller may use, for their own things
# Set in the ``opt`` of a router (app.py: the API) whose every route needs its declared right.
# IdentifyCaller checks the right itself: a Litestar guard would copy the route handler on
# every request, which cost the hot read path more than the check.
RIGHTS_CHECKED = "peerwork_rights_checked"


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return None


class IdentifyCaller(AbstractMiddleware):
    scopes = {"http"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal: Principal | None = None
        if scope["path"].startswith(API_PREFIX):
            token = _bearer(scope)
            if token:
                principal = await accounts.authenticate_token(token, scope["app"].state.get("auth_cache"))
        else:
            cookie = ASGIConnection(scope).cookies.get(SESSION_COOKIE)
            if cookie:
                principal = await accounts.authenticate_session(cookie)
        scope["user"] = principal
        handler = scope.get("route_handler")
        if handler is not None and handler.opt.get(RIGHTS_CHECKED):
            _require_route_right(principal, handler)
        await self.app(scope, receive, send)


async def has_route_right(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Every API route declares ``opt={"right": ...}`` ("self" = any signed-in caller).
    :class:`IdentifyCaller` checks this for routers marked ``RIGHTS_CHECKED`` (the API); as a
    guard it serves any router that is not.

    A route that forgets to declare one is refused (fail closed); the isolation test also
    checks that every route declares one.
    """
    _require_route_right(connection.scope.get("user"), handler)


def _require_route_right(principal: Principal | None, handler: BaseRouteHandler) -> None:
    if principal is None:
        raise NotAuthenticated("Send a valid API token: Authorization: Bearer <token>.")
    right = handler.opt.get("right")
    if right is None:
        raise PermissionDenied("This route declares no access right.")
    if right != SELF:
        principal.require(right)


def current_principal(request: Request) -> Principal:
    principal = request.scope.get("user")
    if principal is None:
        raise NotAuthenticated("Send a valid API token: Authorization: Bearer <token>.")
    return principal


def local_path(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another site. Browsers
    drop tabs and newlines and read a backslash as a slash, so "/\t/evil.example" and
    "/\\evil.example" would leave the site: anything odd goes home instead."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target) \
            or urlsplit(target).netloc or len(target) > 500:
        return "/"
    return target
