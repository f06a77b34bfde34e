"""The session cookie, set the same way by every way of signing in (password, invitation,
password reset, single sign-on), and the rule for when a cookie is marked Secure."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import Cookie

from peerwork.core.security import SESSION_COOKIE


def secure(request: Request) -> bool:
    """Secure over HTTPS, or always where the deployment says so (TLS ended at a proxy)."""
    return request.url.scheme == "https" or request.app.state.settings.secure_cookies


def session_cookie(request: Request, secret: str) -> Cookie:
    """The browser's session: script cannot read it, other sites' forms do not send it, and it
    lasts as long as the session does in the database."""
    hours = request.app.state.settings.session_hours
    return Cookie(key=SESSION_COOKIE, value=secret, httponly=True, samesite="lax", secure=secure(request),
                  max_age=hours * 3600, path="/")
