"""Supervision pages: my sessions; the peer lead's agreements, proposals and compliance."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Redirect, Template

from peerwork.core.time import in_london
from peerwork.core.errors import DomainError
from peerwork.supervision import agreements, compliance_service, sessions
from peerwork.supervision.schemas import AgreementIn, CancelIn
from peerwork.web.feedback import Confirmation, ask, confirmed, notice_for, redirect_with_notice
from peerwork.web.shell import FORM, form_to, render, signed_in_principal

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
NOTICES = {
    "created": "Agreement made, with session times proposed for the next six months. Accept them to send invitations.",
    "proposed": "New session times proposed.",
    "accepted": "Session times accepted: calendar invitations are on their way to the people in them.",
    "cancelled": "Session cancelled: the people in it are sent a calendar cancellation.",
}


def _context() -> dict:
    return {"local": in_london, "weekdays": WEEKDAYS}


async def _choices(principal) -> dict:
    people = agreements.people_for_select
    return {"supervisors": await people(principal, "supervisor") + await people(principal, "peer_lead"),
            "supervisees": await people(principal, "psw")}


@get("/supervision", include_in_schema=False)
async def my_supervision(request: Request) -> Template:
    principal = signed_in_principal(request)
    mine = await sessions.sessions_for(principal, mine=True)
    return render(request, "supervision.html", title="My supervision", sessions=mine,
                  agreements=await agreements.list_agreements(principal) if principal.can("supervision:manage") else [],
                  notice=notice_for(request, NOTICES), **_context())


@get("/supervision/agreements/new", include_in_schema=False)
async def new_agreement(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("supervision:manage")
    return render(request, "agreement_new.html", title="New supervision agreement", error=None, form={},
                  **await _choices(principal), **_context())


@post("/supervision/agreements", include_in_schema=False, status_code=303)
async def create_agreement_page(request: Request, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("supervision:manage")
    try:
        made = await agreements.create_agreement(principal, form_to(AgreementIn, data))
    except DomainError as exc:
        return render(request, "agreement_new.html", status_code=exc.status_code, title="New supervision agreement",
                      error=exc.detail, form=data, **await _choices(principal), **_context())
    await sessions.propose_sessions(principal, made.id, 6)
    return redirect_with_notice(f"/supervision/agreements/{made.id}", "created")


@get("/supervision/agreements/{agreement_id:uuid}", include_in_schema=False)
async def agreement_page(request: Request, agreement_id: UUID) -> Template:
    principal = signed_in_principal(request)
    agreement = await agreements.get_agreement(principal, agreement_id)
    rows = await sessions.sessions_for(principal, agreement_id=agreement_id)
    return render(request, "agreement.html", title="Supervision agreement", agreement=agreement, sessions=rows,
                  can_manage=principal.can("supervision:manage"), notice=notice_for(request, NOTICES), **_context())


@post("/supervision/agreements/{agreement_id:uuid}/propose", include_in_schema=False, status_code=303)
async def propose_page(request: Request, agreement_id: UUID) -> Redirect:
    principal = signed_in_principal(request)
    await sessions.propose_sessions(principal, agreement_id, 6)
    return redirect_with_notice(f"/supervision/agreements/{agreement_id}", "proposed")


@post("/supervision/agreements/{agreement_id:uuid}/accept", include_in_schema=False, status_code=303)
async def accept_page(request: Request, agreement_id: UUID) -> Redirect:
    principal = signed_in_principal(request)
    await sessions.accept(principal, agreement_id, [])
    return redirect_with_notice(f"/supervision/agreements/{agreement_id}", "accepted")


@post("/supervision/sessions/{session_id:uuid}/cancel", include_in_schema=False, status_code=303)
async def cancel_session_page(request: Request, session_id: UUID,
                              data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    cancel = form_to(CancelIn, data)
    session = await sessions.get_session(principal, session_id)
    back = f"/supervision/agreements/{session.agreement_id}" if principal.can("supervision:manage") else "/supervision"
    if not confirmed(data):
        when = f"{in_london(session.start):%A %-d %B %Y, %H:%M}"
        people = session.supervisor + (f" and {session.supervisee}" if session.supervisee else " and the group's members")
        told = [f"{people} get a calendar cancellation by email."] if session.status == "scheduled" else []
        return ask(request, Confirmation(
            title=f"Cancel the supervision session on {when}?", action=f"/supervision/sessions/{session_id}/cancel",
            back=back, button="Cancel the session", fields=data, told=told,
            effects=[f"The session on {when} ({people}) is cancelled, recorded as cancelled by the "
                     f"{cancel.by.replace('_', ' ')}. This cannot be undone: arrange another time instead."]))
    await sessions.cancel(principal, session_id, cancel.by, cancel.reason)
    return redirect_with_notice(back, "cancelled")


@get("/supervision/compliance", include_in_schema=False)
async def compliance_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    rows = await compliance_service.compliance_table(principal)
    return render(request, "compliance.html", title="Supervision compliance", rows=rows, **_context())


PAGES = [my_supervision, new_agreement, create_agreement_page, agreement_page, propose_page, accept_page,
                     cancel_session_page, compliance_page]
