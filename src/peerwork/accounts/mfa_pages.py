"""Two-step sign-in pages: the code step after a password, setting up an app (during sign-in
when a role or the organisation needs one, or by choice from /profile/security), recovery
codes, turning it off, and the organisation's "ask every role" setting.

The sign-in pages work only with a session cookie that is waiting for its second factor; such
a session identifies nobody anywhere else. Handlers stay thin: ``accounts.mfa`` decides.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Redirect, Template

from peerwork.accounts import mfa
from peerwork.accounts.schemas import CodeIn, MfaPolicyIn
from peerwork.core.security import local_path
from peerwork.core.errors import DomainError, NotAuthenticated
from peerwork.core.security import SESSION_COOKIE
from peerwork.core.time import LONDON
from peerwork.web.shell import FORM, form_to, render, signed_in_principal

CODE_PAGE = "/login/code"
SETUP_PAGE = "/login/setup-code"
SECURITY_PAGE = "/profile/security"



def _with_next(path: str, target: str) -> str:
    return f"{path}?next={quote(target)}" if target != "/" else path


async def second_step(account_id: UUID, target: str) -> str:
    """Where a sign-in that still needs its second factor goes next: the code, or setting up an
    app first when the account has none yet."""
    return _with_next(CODE_PAGE if await mfa.has_authenticator(account_id) else SETUP_PAGE, local_path(target))


def _no_store(template: Template) -> Template:
    """Keys and recovery codes must not stay in a browser's or proxy's cache."""
    template.headers["Cache-Control"] = "no-store"
    return template


def _qr_svg(uri: str) -> str:
    """The otpauth:// link as an inline SVG QR code (no text from the person in it)."""
    import segno  # on the first set-up of an authenticator app, not at start-up

    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1)


def _expired(request: Request, target: str) -> Template:
    """Back to signing in, saying why, and forget the dead cookie."""
    response = render(request, "login.html", status_code=401, title="Sign in", next=target, email="",
                      error="Your sign-in timed out before it was finished. Please sign in again.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _code_page(request: Request, target: str, *, error: str | None = None, status_code: int = 200) -> Template:
    return _no_store(render(request, "mfa_code.html", status_code=status_code, title="Enter your code",
                            next=target, error=error))


def _setup_page(request: Request, enrolment: mfa.Enrolment, *, action: str, target: str, signing_in: bool,
                error: str | None = None, status_code: int = 200) -> Template:
    return _no_store(render(
        request, "mfa_setup.html", status_code=status_code, title="Set up two-step sign-in",
        enrolment=enrolment, qr_svg=_qr_svg(enrolment.uri), action=action, next=target,
        signing_in=signing_in, error=error,
    ))


def _codes_page(request: Request, codes: list[str], *, continue_action: str, **continue_fields: str) -> Template:
    """The recovery codes, once, and an "I have saved these" button that goes on (a GET form:
    ``continue_fields`` are its hidden inputs)."""
    return _no_store(render(request, "mfa_recovery_codes.html", title="Save your recovery codes", codes=codes,
                            continue_action=continue_action, continue_fields=continue_fields))


# --- during sign-in ---------------------------------------------------------------------


@get(CODE_PAGE, include_in_schema=False)
async def code_form(request: Request, next: str | None = None) -> Template | Redirect:
    target = local_path(next)
    if request.scope.get("user") is not None:
        return Redirect(target)
    cookie = request.cookies.get(SESSION_COOKIE)
    pending = await mfa.pending_sign_in(cookie) if cookie else None
    if pending is None:
        return _expired(request, target)
    if not pending.has_authenticator:
        return Redirect(_with_next(SETUP_PAGE, target))
    return _code_page(request, target)


@post(CODE_PAGE, include_in_schema=False, status_code=303)
async def code_given(request: Request, data: Annotated[dict[str, Any], FORM]) -> Template | Redirect:
    target = local_path(data.get("next"))
    if request.scope.get("user") is not None:  # already done (say, the form sent twice)
        return Redirect(target, status_code=303)
    cookie = request.cookies.get(SESSION_COOKIE)
    pending = await mfa.pending_sign_in(cookie) if cookie else None
    if pending is None:
        return _expired(request, target)
    if not pending.has_authenticator:
        return Redirect(_with_next(SETUP_PAGE, target), status_code=303)
    try:
        given = form_to(CodeIn, data)
        await mfa.complete_sign_in(cookie, given.code)
    except NotAuthenticated:
        return _expired(request, target)
    except DomainError as exc:
        return _code_page(request, target, error=exc.detail, status_code=exc.status_code)
    return Redirect(target, status_code=303)


@get(SETUP_PAGE, include_in_schema=False)
async def setup_form(request: Request, next: str | None = None) -> Template | Redirect:
    target = local_path(next)
    if request.scope.get("user") is not None:
        return Redirect(target)
    cookie = request.cookies.get(SESSION_COOKIE)
    pending = await mfa.pending_sign_in(cookie) if cookie else None
    if pending is None:
        return _expired(request, target)
    if pending.has_authenticator:
        return Redirect(_with_next(CODE_PAGE, target))
    enrolment = await mfa.begin_sign_in_enrolment(cookie)
    return _setup_page(request, enrolment, action=SETUP_PAGE, target=target, signing_in=True)


@post(SETUP_PAGE, include_in_schema=False, status_code=200)
async def setup_confirm(request: Request, data: Annotated[dict[str, Any], FORM]) -> Template | Redirect:
    target = local_path(data.get("next"))
    if request.scope.get("user") is not None:  # already done (say, the form sent twice)
        return Redirect(target, status_code=303)
    cookie = request.cookies.get(SESSION_COOKIE)
    pending = await mfa.pending_sign_in(cookie) if cookie else None
    if pending is None:
        return _expired(request, target)
    if pending.has_authenticator:
        return Redirect(_with_next(CODE_PAGE, target), status_code=303)
    try:
        given = form_to(CodeIn, data)
        codes = await mfa.finish_sign_in_enrolment(cookie, given.code)
    except NotAuthenticated:
        return _expired(request, target)
    except DomainError as exc:
        enrolment = await mfa.sign_in_enrolment(cookie) or await mfa.begin_sign_in_enrolment(cookie)
        return _setup_page(request, enrolment, action=SETUP_PAGE, target=target, signing_in=True,
                           error=exc.detail, status_code=exc.status_code)
    return _codes_page(request, codes, continue_action="/login/continue", next=target)


@get("/login/continue", include_in_schema=False)
async def continue_after_codes(request: Request, next: str | None = None) -> Redirect:
    """The "I have saved these" button after the recovery codes: on to where the person was going."""
    return Redirect(local_path(next))


# --- a signed-in person's own security page --------------------------------------------


async def _security_page(request: Request, *, status_code: int = 200, error: str | None = None,
                         error_for: str | None = None, notice: str | None = None) -> Template:
    principal = signed_in_principal(request)
    current = await mfa.status(principal.account_id, principal.organisation_id)
    enabled_on = f"{current.enabled_at.astimezone(LONDON):%-d %B %Y}" if current.enabled_at else None
    return render(request, "mfa_security.html", status_code=status_code, title="Two-step sign-in",
                  status=current, enabled_on=enabled_on, error=error, error_for=error_for, notice=notice)


NOTICES = {
    "on": "Two-step sign-in is on.",
    "off": "Two-step sign-in is off.",
    "codes": "Your new recovery codes are ready; the old ones no longer work.",
    "policy": "Your organisation's setting is saved.",
}


@get(SECURITY_PAGE, include_in_schema=False)
async def security(request: Request, done: str | None = None) -> Template:
    return await _security_page(request, notice=NOTICES.get(done or ""))


@post(f"{SECURITY_PAGE}/setup", include_in_schema=False, status_code=200)
async def security_setup(request: Request) -> Template:
    principal = signed_in_principal(request)
    enrolment = await mfa.begin_enrolment(principal.account_id)
    return _setup_page(request, enrolment, action=f"{SECURITY_PAGE}/confirm", target=SECURITY_PAGE, signing_in=False)


@post(f"{SECURITY_PAGE}/confirm", include_in_schema=False, status_code=200)
async def security_confirm(request: Request, data: Annotated[dict[str, Any], FORM]) -> Template:
    principal = signed_in_principal(request)
    try:
        given = form_to(CodeIn, data)
        codes = await mfa.confirm_enrolment(principal.account_id, principal.organisation_id, given.code)
    except DomainError as exc:
        enrolment = await mfa.enrolment_in_progress(principal.account_id)
        if enrolment is None:
            raise
        return _setup_page(request, enrolment, action=f"{SECURITY_PAGE}/confirm", target=SECURITY_PAGE,
                           signing_in=False, error=exc.detail, status_code=exc.status_code)
    return _codes_page(request, codes, continue_action=SECURITY_PAGE, done="on")


@post(f"{SECURITY_PAGE}/recovery-codes", include_in_schema=False, status_code=200)
async def security_recovery_codes(request: Request, data: Annotated[dict[str, Any], FORM]) -> Template:
    principal = signed_in_principal(request)
    try:
        given = form_to(CodeIn, data)
        codes = await mfa.regenerate_recovery_codes(principal, given.code)
    except DomainError as exc:
        return await _security_page(request, status_code=exc.status_code, error=exc.detail, error_for="regenerate")
    return _codes_page(request, codes, continue_action=SECURITY_PAGE, done="codes")


@post(f"{SECURITY_PAGE}/disable", include_in_schema=False, status_code=303)
async def security_disable(request: Request, data: Annotated[dict[str, Any], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    try:
        given = form_to(CodeIn, data)
        await mfa.disable(principal, given.code)
    except DomainError as exc:
        return await _security_page(request, status_code=exc.status_code, error=exc.detail, error_for="disable")
    return Redirect(f"{SECURITY_PAGE}?done=off", status_code=303)


@post(f"{SECURITY_PAGE}/organisation", include_in_schema=False, status_code=303)
async def security_policy(request: Request, data: Annotated[dict[str, Any], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    try:
        await mfa.set_require_for_all(principal, form_to(MfaPolicyIn, data))
    except DomainError as exc:
        return await _security_page(request, status_code=exc.status_code, error=exc.detail, error_for="policy")
    return Redirect(f"{SECURITY_PAGE}?done=policy", status_code=303)


PAGES = [code_form, code_given, setup_form, setup_confirm, continue_after_codes, security, security_setup,
         security_confirm, security_recovery_codes, security_disable, security_policy]
