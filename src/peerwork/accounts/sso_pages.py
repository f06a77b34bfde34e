"""Single sign-on pages: the round trip to the organisation's provider, and the admin page
that sets the provider up. Handlers stay thin; ``accounts.sso`` decides."""

from __future__ import annotations

import re
from typing import Annotated

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from peerwork.accounts import sso
from peerwork.accounts.cookies import secure, session_cookie
from peerwork.accounts.schemas import SsoProviderIn
from peerwork.core import accounts
from peerwork.core.access import ROLE_LABELS
from peerwork.core.errors import DomainError
from peerwork.core.security import SESSION_COOKIE
from peerwork.web.shell import FORM, form_to, render, signed_in_principal

JIT_ROLES = ("psw", "supervisor", "peer_lead")  # what SsoProviderIn.default_role accepts


def _state_cookie(request: Request, state: str) -> Cookie:
    """The attempt's state, kept in this browser too: only the browser that started can finish."""
    return Cookie(key=sso.STATE_COOKIE, value=state, httponly=True, samesite="lax", secure=secure(request),
                  max_age=sso.STATE_MINUTES * 60, path="/login/sso")


def _problem_page(request: Request, exc: DomainError) -> Template:
    """A page that says what went wrong and what to do next (never a traceback)."""
    response = render(request, "error.html", status_code=exc.status_code, title=exc.title, message=exc.detail)
    response.delete_cookie(sso.STATE_COOKIE, path="/login/sso")
    return response


@get("/login/sso/callback", include_in_schema=False)
async def sso_callback(
    request: Request, code: str | None = None, error: str | None = None, iss: str | None = None,
) -> Template | Redirect:
    settings = request.app.state.settings
    try:
        signed = await sso.finish(
            state=request.query_params.get("state"),  # "state" is a name Litestar reserves
            browser_state=request.cookies.get(sso.STATE_COOKIE), code=code, error=error, iss=iss,
            session_hours=settings.session_hours, user_agent=request.headers.get("user-agent", ""),
        )
    except DomainError as exc:
        return _problem_page(request, exc)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        await accounts.sign_out(previous)  # the session this browser had before is over
    response = Redirect(
        signed.next_path, status_code=303,
        cookies=[session_cookie(request, signed.secret)],
    )
    response.delete_cookie(sso.STATE_COOKIE, path="/login/sso")
    return response


@get("/login/sso/{org_slug:str}", include_in_schema=False)
async def sso_start(request: Request, org_slug: str, next: str | None = None) -> Template | Redirect:
    try:
        started = await sso.start(org_slug, next_path=sso.local_path(next))
    except DomainError as exc:
        return _problem_page(request, exc)
    return Redirect(started.url, status_code=303,
                    cookies=[_state_cookie(request, started.state)])


# --- the admin page ------------------------------------------------------------------------


def _form_values(provider: sso.ProviderView | None, submitted: dict[str, str] | None = None) -> dict[str, object]:
    """What the form shows: the submitted values after a problem, else the stored ones (never
    the client secret)."""
    if submitted is not None:
        return {
            "issuer": submitted.get("issuer", ""), "client_id": submitted.get("client_id", ""),
            "email_domains": submitted.get("email_domains", ""),
            "create_accounts": submitted.get("create_accounts", "") in ("on", "true", "yes", "1"),
            "default_role": submitted.get("default_role", "psw"), "label": submitted.get("label", ""),
        }
    if provider is None:
        return {"issuer": "", "client_id": "", "email_domains": "", "create_accounts": False,
                "default_role": "psw", "label": "Sign in with your work account"}
    return {"issuer": provider.issuer, "client_id": provider.client_id,
            "email_domains": ", ".join(provider.email_domains), "create_accounts": provider.create_accounts,
            "default_role": provider.default_role, "label": provider.label}


async def _admin_page(request: Request, *, status_code: int = 200, notice: str | None = None,
                      error: str | None = None, submitted: dict[str, str] | None = None) -> Template:
    principal = signed_in_principal(request)
    principal.require("accounts:write")
    provider = await sso.get_provider(principal)
    return render(
        request, "sso_admin.html", status_code=status_code, title="Single sign-on", provider=provider,
        form=_form_values(provider, submitted), roles=[(r, ROLE_LABELS[r]) for r in JIT_ROLES],
        redirect_uri=sso.redirect_uri(), notice=notice, error=error,
    )


@get("/admin/sso", include_in_schema=False)
async def sso_admin(request: Request, saved: str | None = None) -> Template:
    notices = {"1": "Single sign-on is saved.", "removed": "Single sign-on is turned off."}
    return await _admin_page(request, notice=notices.get(saved or ""))


@post("/admin/sso", include_in_schema=False, status_code=303)
async def sso_admin_save(request: Request, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    domains = [d for d in re.split(r"[\s,;]+", data.get("email_domains", "")) if d]
    try:
        wanted = form_to(SsoProviderIn, data, email_domains=domains,
                         create_accounts=data.get("create_accounts", "off") or "off")
        await sso.set_provider(principal, wanted)
    except DomainError as exc:
        if exc.status_code in (401, 403):
            raise
        return await _admin_page(request, status_code=exc.status_code, error=exc.detail, submitted=data)
    return Redirect("/admin/sso?saved=1", status_code=303)


@post("/admin/sso/remove", include_in_schema=False, status_code=303)
async def sso_admin_remove(request: Request) -> Redirect:
    await sso.remove_provider(signed_in_principal(request))
    return Redirect("/admin/sso?saved=removed", status_code=303)


PAGES = [sso_callback, sso_start, sso_admin, sso_admin_save, sso_admin_remove]
