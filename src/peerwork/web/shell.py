"""HTML pages: sign-in, home, people, import, profile. Handlers stay thin; services decide."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body
from litestar.response import Redirect, Template

from peerwork.core.errors import DomainError, NotAuthenticated, log_unexpected
from peerwork.core.access import ROLE_LABELS, Principal

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
MULTIPART = Body(media_type=RequestEncodingType.MULTI_PART)

NAV = [  # (path, label, right needed or None for everyone signed in)
    ("/", "Home", None),
    ("/community", "Reflective spaces", "community:read"),
    ("/my-calendar", "My calendar", None),
    ("/supervision", "Supervision", None),
    ("/supervision/compliance", "Supervision compliance", "supervision:manage"),
    ("/people", "People", "people:read"),
    ("/retention", "Retention", "retention:read"),
    ("/cpd", "My CPD", "cpd:record"),
    ("/cpd/compliance", "CPD compliance", "cpd:report"),
    ("/pairing", "Pairing", "pairing:manage"),
    ("/supports", "Seven supports", "supports:read"),
    ("/recruitment", "Recruitment", "recruitment:panel"),
    ("/import", "Import staff records", "assignments:import"),
    ("/profile", "My profile", None),
]


def nav_for(principal: Principal | None) -> list[tuple[str, str]]:
    if principal is None:
        return []
    return [(path, label) for path, label, right in NAV if right is None or principal.can(right)]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Template:
    principal = request.scope.get("user")
    return Template(
        template_name=template,
        context={
            "principal": principal, "nav": nav_for(principal), "path": request.url.path,
            "role_labels": ROLE_LABELS, "zip": zip, **context,
        },
        status_code=status_code,
    )


def signed_in_principal(request: Request) -> Principal:
    principal = request.scope.get("user")
    if principal is None:
        raise NotAuthenticated("Please sign in.")
    return principal


def error_page(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    if status == 401:
        return Redirect(f"/login?next={quote(request.url.path)}")
    if isinstance(exc, DomainError):
        message = exc.detail
    elif isinstance(exc, HTTPException) and status < 500:
        message = exc.detail
    else:
        log_unexpected(request, exc)
        status, message = 500, "Something went wrong on our side. Please try again."
    titles = {403: "You do not have access to this page", 404: "Page not found", 429: "Too many attempts"}
    template = render(request, "error.html", status_code=status, title=titles.get(status, "There is a problem"), message=message)
    return template  # type: ignore[return-value]


