"""HTML pages: sign-in, home, people, import, profile. Handlers stay thin; services decide."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlsplit
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie, UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body
from litestar.response import Redirect, Template

from peerwork.errors import DomainError, InvalidInput, NotAuthenticated, log_unexpected
from peerwork.security import SESSION_COOKIE
from peerwork.workforce import accounts, importer, people
from peerwork.workforce.access import ROLE_LABELS, Principal
from peerwork.workforce.tables import Assignment, Person, Team

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
MULTIPART = Body(media_type=RequestEncodingType.MULTI_PART)
MAX_UPLOAD_BYTES = 64 * 1024 * 1024

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


def _safe_next(target: str | None) -> str:
    """Only redirect within this site after sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.settings.secure_cookies


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


@get("/login", include_in_schema=False)
async def login_form(request: Request, next: str | None = None) -> Template | Redirect:
    if request.scope.get("user") is not None:
        return Redirect(_safe_next(next))
    return render(request, "login.html", title="Sign in", next=_safe_next(next), email="", error=None)


@post("/login", include_in_schema=False, status_code=303)
async def login(request: Request, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    settings = request.app.state.settings
    email, password, target = data.get("email", "").strip(), data.get("password", ""), _safe_next(data.get("next"))
    if not email or not password:
        return render(request, "login.html", status_code=400, title="Sign in", next=target, email=email,
                      error="Enter your email address and password.")
    try:
        secret, _ = await accounts.sign_in(
            email, password, session_hours=settings.session_hours,
            max_failures=settings.login_max_failures, window_minutes=settings.login_window_minutes,
        )
    except DomainError as exc:
        return render(request, "login.html", status_code=exc.status_code, title="Sign in", next=target,
                      email=email, error=exc.detail)
    return Redirect(
        target, status_code=303,
        cookies=[Cookie(key=SESSION_COOKIE, value=secret, httponly=True, samesite="lax", secure=_secure(request),
                        max_age=settings.session_hours * 3600, path="/")],
    )


@post("/logout", include_in_schema=False, status_code=303)
async def logout(request: Request) -> Redirect:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        await accounts.sign_out(secret)
    response = Redirect("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@get("/", include_in_schema=False)
async def home(request: Request) -> Template:
    principal = signed_in_principal(request)
    counts = {}
    if principal.can("people:read"):
        counts["People"] = await Person.count().where(Person.organisation == principal.organisation_id)
        counts["Teams"] = await Team.count().where(Team.organisation == principal.organisation_id)
    if principal.can("assignments:read"):
        counts["People in lived-experience roles now"] = len(set(await Assignment.select(Assignment.person).where(
            (Assignment.organisation == principal.organisation_id)
            & (Assignment.lived_experience_role == True)  # noqa: E712
            & Assignment.end_date.is_null()
        ).output(as_list=True)))
    return render(request, "home.html", title="Home", counts=counts)


@get("/people", include_in_schema=False)
async def people_page(request: Request, page: int = 1) -> Template:
    principal = signed_in_principal(request)
    page = max(page, 1)
    rows = await people.list_people(principal, limit=51, offset=(page - 1) * 50)
    return render(request, "people.html", title="People", people=rows[:50], page=page, has_more=len(rows) > 50)


@get("/import", include_in_schema=False)
async def import_form(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("assignments:import")
    return render(request, "import.html", title="Import staff records", report=None, error=None)


@post("/import", include_in_schema=False, status_code=200, request_max_body_size=MAX_UPLOAD_BYTES)
async def import_upload(request: Request, data: Annotated[dict[str, Any], MULTIPART]) -> Template:
    principal = signed_in_principal(request)
    principal.require("assignments:import")
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, "import.html", status_code=400, title="Import staff records", report=None,
                      error="Choose a CSV file to upload.")
    content = await upload.read()
    report = await importer.import_assignments(
        principal.organisation_id, content, actor=principal,
        dry_run=data.get("dry_run") == "yes", all_or_nothing=data.get("all_or_nothing") == "yes",
    )
    return render(request, "import.html", status_code=200 if report.ok else 422, title="Import staff records",
                  report=report, filename=upload.filename, error=None)


@get("/profile", include_in_schema=False)
async def profile(request: Request) -> Template:
    principal = signed_in_principal(request)
    tokens = await accounts.list_api_tokens(principal)
    return render(request, "profile.html", title="My profile", tokens=tokens, new_token=None)


@post("/profile/tokens", include_in_schema=False, status_code=201)
async def new_token(request: Request, data: Annotated[dict[str, str], FORM]) -> Template:
    principal = signed_in_principal(request)
    label = data.get("label", "").strip()
    if len(label) > 100:
        raise InvalidInput("A token label can be at most 100 characters.")
    issued = await accounts.issue_api_token(principal.account_id, principal.organisation_id, label)
    tokens = await accounts.list_api_tokens(principal)
    return render(request, "profile.html", status_code=201, title="My profile", tokens=tokens, new_token=issued)


@post("/profile/tokens/{token_id:uuid}/revoke", include_in_schema=False, status_code=303)
async def revoke_token(request: Request, token_id: UUID) -> Redirect:
    principal = signed_in_principal(request)
    await accounts.revoke_api_token(principal, token_id)
    return Redirect("/profile", status_code=303)


PAGE_HANDLERS = [login_form, login, logout, home, people_page, import_form, import_upload, profile, new_token, revoke_token]
