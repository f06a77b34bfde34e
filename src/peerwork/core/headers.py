"""Security headers on every response, and cookies that are Secure over https.

One ``before_send`` hook (registered in ``app.create_app``) sees every response the app sends,
pages, the API, static files, redirects and 404s alike, and:

- sets the Content-Security-Policy: nothing but this site's own scripts, styles, images
  (``data:`` for inline SVG) and forms, no framing, no ``<base>``; the OpenAPI viewer under
  ``/schema`` also loads its script and styles from its CDN;
- sets ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and
  ``Referrer-Policy: no-referrer`` (an applicant's page carries its secret in the URL);
- marks every cookie ``Secure`` when the request came over https (the CSRF cookie's config is
  static, so it cannot decide this per request itself).
"""

from __future__ import annotations

from typing import Any

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# The interactive API reference (Litestar's Scalar page) is a script and stylesheet from a CDN
# with an inline style block; only its own pages get this wider policy.
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = "; ".join([
    "default-src 'self'",
    f"script-src 'self' {DOCS_CDN}",
    f"style-src 'self' 'unsafe-inline' {DOCS_CDN} https://fonts.googleapis.com",
    "img-src 'self' data: https:",
    f"font-src 'self' data: {DOCS_CDN} https://fonts.gstatic.com https://fonts.scalar.com",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

FIXED = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
_OURS = {b"content-security-policy"} | {name for name, _ in FIXED}


_CSP_HEADER = (b"content-security-policy", CSP.encode())
_DOCS_CSP_HEADER = (b"content-security-policy", DOCS_CSP.encode())


def policy_for(path: str) -> str:
    docs = path == "/schema" or (path.startswith("/schema/") and not path.startswith("/schema/openapi."))
    return DOCS_CSP if docs else CSP


def _secure(cookie: bytes) -> bytes:
    attributes = [part.strip().lower() for part in cookie.split(b";")[1:]]
    return cookie if b"secure" in attributes else cookie + b"; Secure"


async def security_headers(message: Any, scope: Any) -> None:
    """Litestar ``before_send`` hook: add the headers to each HTTP response's start message."""
    if message.get("type") != "http.response.start":
        return
    https = scope.get("scheme") == "https"
    headers = []
    for name, value in message.get("headers") or ():
        if not isinstance(name, bytes):
            name = name.encode("latin-1")
        name = name.lower()
        if name in _OURS:
            continue
        if not isinstance(value, bytes):
            value = value.encode("latin-1")
        if https and name == b"set-cookie":
            value = _secure(value)
        headers.append((name, value))
    path = scope.get("path", "")
    headers.append(_DOCS_CSP_HEADER if path.startswith("/schema") and policy_for(path) is DOCS_CSP else _CSP_HEADER)
    headers.extend(FIXED)
    message["headers"] = headers
