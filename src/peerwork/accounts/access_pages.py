"""Getting in: accepting an invitation, inviting people (one, or everyone after an import),
forgetting and resetting a password, changing it, and ending one's other sessions."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Redirect, Template
from msgspec import Meta, Struct

from peerwork.accounts import invitations, passwords
from peerwork.accounts.cookies import session_cookie
from peerwork.core import accounts
from peerwork.core.access import ORGANISATION_ROLES, ROLE_LABELS
from peerwork.core.errors import DomainError, InvalidInput
from peerwork.core.security import SESSION_COOKIE
from peerwork.core.settings import current_settings
from peerwork.web.feedback import notice_for, redirect_with_notice
from peerwork.web.shell import FORM, form_to, render, signed_in_principal

MAX_FORM_BYTES = 16 * 1024
INVITATION_NOTICES = {"invited": "Invitation sent: it goes out by email within a minute."}
PROFILE_NOTICES = {"session-ended": "That session is signed out.", "token-revoked": "Token revoked: it no longer works."}
Password = Annotated[str, Meta(min_length=1, max_length=passwords.MAX_LENGTH)]


class NewPasswordForm(Struct, forbid_unknown_fields=False):
    password: Password
    confirm: Password


class ChangePasswordForm(Struct, forbid_unknown_fields=False):
    current_password: Password
    password: Password
    confirm: Password


class InviteForm(Struct, forbid_unknown_fields=False):
    role: str = "psw"
    email: Annotated[str, Meta(max_length=254)] = ""


class ForgotForm(Struct, forbid_unknown_fields=False):
    email: Annotated[str, Meta(max_length=254)] = ""


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def signed_in(request: Request, signed: accounts.SignedIn, target: str = "/") -> Redirect:
    """Set the session cookie and go on: to ``target``, or first to the second-factor step."""
    where = f"/login/code?next={quote(target)}" if signed.second_factor_due else target
    return Redirect(where, status_code=303, cookies=[session_cookie(request, signed.secret)])


def _matching(form: NewPasswordForm | ChangePasswordForm) -> None:
    if form.password != form.confirm:
        raise InvalidInput("confirm: the two passwords are not the same.")


# --- accepting an invitation ---------------------------------------------------------------------

@get("/invitations/{token:str}", include_in_schema=False)
async def invitation_page(request: Request, token: str) -> Template:
    try:
        found = await invitations.details(token)
    except DomainError as exc:
        return render(request, "link_problem.html", status_code=exc.status_code, title="Invitation", message=exc.detail,
                      again=None)
    return render(request, "invitation_accept.html", title="Choose your password", found=found, error=None)


@post("/invitations/{token:str}", include_in_schema=False, status_code=303, request_max_body_size=MAX_FORM_BYTES)
async def accept_invitation(request: Request, token: str, data: Annotated[dict[str, Any], FORM]) -> Template | Redirect:
    try:
        found = await invitations.details(token)
    except DomainError as exc:
        return render(request, "link_problem.html", status_code=exc.status_code, title="Invitation", message=exc.detail,
                      again=None)
    try:
        form = form_to(NewPasswordForm, data)
        _matching(form)
        signed = await invitations.accept(token, form.password, session_hours=current_settings().session_hours,
                                          user_agent=request.headers.get("user-agent", ""))
    except DomainError as exc:
        return render(request, "invitation_accept.html", status_code=exc.status_code, title="Choose your password",
                      found=found, error=exc.detail)
    return signed_in(request, signed, "/")


# --- inviting ------------------------------------------------------------------------------------

def _roles_for(principal) -> list[tuple[str, str]]:
    return [(r, ROLE_LABELS[r]) for r in ORGANISATION_ROLES if "admin" in principal.roles or r in invitations.ROLES_HR_MAY_GRANT]


@get("/invitations", include_in_schema=False)
async def invitations_page(request: Request, status: str | None = None) -> Template:
    principal = signed_in_principal(request)
    rows = await invitations.list_invitations(principal, status)
    return render(request, "invitations.html", title="Invitations", invitations=rows, status=status,
                  role_labels=ROLE_LABELS, notice=notice_for(request, INVITATION_NOTICES))


@get("/people/{person_id:uuid}/invite", include_in_schema=False)
async def invite_person_form(request: Request, person_id: UUID) -> Template:
    principal = signed_in_principal(request)
    principal.require("accounts:invite")
    person = await invitations.person_to_invite(principal, person_id)
    return render(request, "invite_person.html", title="Invite to sign in", person=person, roles=_roles_for(principal),
                  form={"role": "psw", "email": person["email"] or ""}, error=None,
                  invitation_days=current_settings().invitation_days)


@post("/people/{person_id:uuid}/invite", include_in_schema=False, status_code=303)
async def invite_person(request: Request, person_id: UUID, data: Annotated[dict[str, Any], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("accounts:invite")
    person = await invitations.person_to_invite(principal, person_id)
    try:
        form = form_to(InviteForm, data)
        await invitations.invite(principal, email=form.email or None, role=form.role, person_id=person_id)
    except DomainError as exc:
        return render(request, "invite_person.html", status_code=exc.status_code, title="Invite to sign in",
                      person=person, roles=_roles_for(principal), form=data, error=exc.detail,
                      invitation_days=current_settings().invitation_days)
    return redirect_with_notice("/invitations?status=pending", "invited")


@get("/people/invite", include_in_schema=False)
async def bulk_invite_form(request: Request) -> Template:
    """The count first: who would be invited, and who cannot be (no email address)."""
    principal = signed_in_principal(request)
    counted = await invitations.invite_everyone_in_lived_experience_roles(principal, dry_run=True)
    return render(request, "invite_bulk.html", title="Invite everyone in a lived-experience role", counted=counted,
                  done=None)


@post("/people/invite", include_in_schema=False, status_code=200)
async def bulk_invite(request: Request) -> Template:
    principal = signed_in_principal(request)
    done = await invitations.invite_everyone_in_lived_experience_roles(principal)
    counted = await invitations.invite_everyone_in_lived_experience_roles(principal, dry_run=True)
    invited = f"{done.invited} invitation{'' if done.invited == 1 else 's'} sent: they go out by email within a minute."
    return render(request, "invite_bulk.html", title="Invite everyone in a lived-experience role", counted=counted,
                  done=done, notice=invited)


# --- passwords -----------------------------------------------------------------------------------

@get("/password/forgot", include_in_schema=False)
async def forgot_form(request: Request) -> Template:
    return render(request, "password_forgot.html", title="Reset your password", sent=False, error=None, email="")


@post("/password/forgot", include_in_schema=False, status_code=200, request_max_body_size=MAX_FORM_BYTES)
async def forgot(request: Request, data: Annotated[dict[str, Any], FORM]) -> Template:
    form = form_to(ForgotForm, data)
    try:
        await passwords.request_reset(form.email, client=_client(request))
    except DomainError as exc:
        return render(request, "password_forgot.html", status_code=exc.status_code, title="Reset your password",
                      sent=False, error=exc.detail, email=form.email)
    # The same answer whether or not the address has an account.
    return render(request, "password_forgot.html", title="Reset your password", sent=True, error=None, email="")


@get("/password/reset/{token:str}", include_in_schema=False)
async def reset_form(request: Request, token: str) -> Template:
    try:
        email = await passwords.reset_email(token)
    except DomainError as exc:
        return render(request, "link_problem.html", status_code=exc.status_code, title="Reset your password",
                      message=exc.detail, again="/password/forgot")
    return render(request, "password_reset.html", title="Choose a new password", email=email, error=None)


@post("/password/reset/{token:str}", include_in_schema=False, status_code=303, request_max_body_size=MAX_FORM_BYTES)
async def reset(request: Request, token: str, data: Annotated[dict[str, Any], FORM]) -> Template | Redirect:
    try:
        email = await passwords.reset_email(token)
    except DomainError as exc:
        return render(request, "link_problem.html", status_code=exc.status_code, title="Reset your password",
                      message=exc.detail, again="/password/forgot")
    try:
        form = form_to(NewPasswordForm, data)
        _matching(form)
        signed = await passwords.reset_password(token, form.password, session_hours=current_settings().session_hours,
                                                user_agent=request.headers.get("user-agent", ""))
    except DomainError as exc:
        return render(request, "password_reset.html", status_code=exc.status_code, title="Choose a new password",
                      email=email, error=exc.detail)
    return signed_in(request, signed, "/")


async def profile_page(request: Request, *, status_code: int = 200, new_token=None, password_error: str | None = None,
                       notice: str | None = None) -> Template:
    """The profile: password, signed-in sessions, API tokens (links to two-step sign-in)."""
    principal = signed_in_principal(request)
    current = accounts.digest(request.cookies.get(SESSION_COOKIE, ""))
    return render(request, "profile.html", status_code=status_code, title="My profile",
                  tokens=await accounts.list_api_tokens(principal), new_token=new_token,
                  sessions=await passwords.active_sessions(principal, current_hash=current),
                  password_error=password_error, notice=notice)


@post("/profile/password", include_in_schema=False, status_code=200, request_max_body_size=MAX_FORM_BYTES)
async def change_password(request: Request, data: Annotated[dict[str, Any], FORM]) -> Template:
    principal = signed_in_principal(request)
    try:
        form = form_to(ChangePasswordForm, data)
        _matching(form)
        ended = await passwords.change_password(principal, form.current_password, form.password,
                                                keep_session=request.cookies.get(SESSION_COOKIE))
    except DomainError as exc:
        return await profile_page(request, status_code=exc.status_code, password_error=exc.detail)
    return await profile_page(request, notice=f"Your password is changed. {ended} other session(s) were signed out.")


@post("/profile/sessions/{session_id:uuid}/end", include_in_schema=False, status_code=303)
async def end_session(request: Request, session_id: UUID) -> Redirect:
    principal = signed_in_principal(request)
    await passwords.end_session(principal, session_id)
    return redirect_with_notice("/profile", "session-ended")


PAGES = [invitation_page, accept_invitation, invitations_page, invite_person_form, invite_person, bulk_invite_form,
         bulk_invite, forgot_form, forgot, reset_form, reset, change_password, end_session]
