"""Signing in and out, and the profile page where a person manages their API tokens."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID
from litestar import Request, get, post
from litestar.response import Redirect, Template
from peerwork.core import accounts
from peerwork.core.errors import DomainError
from peerwork.core.security import SESSION_COOKIE, local_path
from peerwork.accounts import access_pages, mfa_pages, sso, sso_pages
from peerwork.accounts.cookies import session_cookie
from peerwork.accounts.schemas import TokenIn

from peerwork.web.feedback import notice_for, redirect_with_notice
from peerwork.web.shell import FORM, form_to, render, signed_in_principal


def _safe_next(target: str | None) -> str:
    """Only redirect within this site after sign-in (no open redirects)."""
    return local_path(target)


@get("/login", include_in_schema=False)
async def login_form(request: Request, next: str | None = None, org: str | None = None) -> Template | Redirect:
    if request.scope.get("user") is not None:
        return Redirect(_safe_next(next))
    return render(request, "login.html", title="Sign in", next=_safe_next(next), email="", error=None,
                  org=org, sso_options=await sso.sign_in_options(org))


@post("/login", include_in_schema=False, status_code=303)
async def login(request: Request, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    settings = request.app.state.settings
    email, password, target = data.get("email", "").strip(), data.get("password", ""), _safe_next(data.get("next"))
    if not email or not password:
        return render(request, "login.html", status_code=400, title="Sign in", next=target, email=email,
                      error="Enter your email address and password.", org=data.get("org"),
                      sso_options=await sso.sign_in_options(data.get("org")))
    try:
        signed = await accounts.sign_in(
            email, password, session_hours=settings.session_hours,
            max_failures=settings.login_max_failures, window_minutes=settings.login_window_minutes,
        )
    except DomainError as exc:
        return render(request, "login.html", status_code=exc.status_code, title="Sign in", next=target,
                      email=email, error=exc.detail, org=data.get("org"),
                      sso_options=await sso.sign_in_options(data.get("org")))
    if signed.second_factor_due:  # the cookie identifies nobody until the code step is done
        target = await mfa_pages.second_step(signed.account_id, target)
    return Redirect(
        target, status_code=303,
        cookies=[session_cookie(request, signed.secret)],
    )


@post("/logout", include_in_schema=False, status_code=303)
async def logout(request: Request) -> Redirect:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        await accounts.sign_out(secret)
    response = Redirect("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@get("/profile", include_in_schema=False)
async def profile(request: Request) -> Template:
    return await access_pages.profile_page(request, notice=notice_for(request, access_pages.PROFILE_NOTICES))


@post("/profile/tokens", include_in_schema=False, status_code=201)
async def new_token(request: Request, data: Annotated[dict[str, str], FORM]) -> Template:
    principal = signed_in_principal(request)
    wanted = form_to(TokenIn, data, label=data.get("label", "").strip())
    issued = await accounts.issue_api_token(principal.account_id, principal.organisation_id, wanted.label)
    return await access_pages.profile_page(request, status_code=201, new_token=issued)


@post("/profile/tokens/{token_id:uuid}/revoke", include_in_schema=False, status_code=303)
async def revoke_token(request: Request, token_id: UUID) -> Redirect:
    principal = signed_in_principal(request)
    await accounts.revoke_api_token(principal, token_id)
    return redirect_with_notice("/profile", "token-revoked")


PAGES = [login_form, login, logout, profile, new_token, revoke_token, *access_pages.PAGES, *sso_pages.PAGES,
         *mfa_pages.PAGES]
