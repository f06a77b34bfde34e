"""Supervision pages: my sessions; the peer lead's agreements, proposals and compliance."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Redirect, Template

from peerwork.core.time import LONDON
from peerwork.core.errors import DomainError, InvalidInput
from peerwork.supervision import agreements, compliance_service, sessions
from peerwork.supervision.schemas import AgreementIn
from peerwork.web.shell import FORM, render, signed_in_principal
from peerwork.core.tables import Membership

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def local(value):
    return value.astimezone(LONDON)


def _context() -> dict:
    return {"local": local, "weekdays": WEEKDAYS}


async def _people(principal, role: str) -> list[dict]:
    return await Membership.select(Membership.account, Membership.account.display_name).where(
        (Membership.organisation == principal.organisation_id) & (Membership.role == role)
        & (Membership.account.is_active == True)  # noqa: E712
    ).order_by(Membership.account.display_name)


@get("/supervision", include_in_schema=False)
async def my_supervision(request: Request) -> Template:
    principal = signed_in_principal(request)
    mine = await sessions.sessions_for(principal, mine=True)
    return render(request, "supervision.html", title="My supervision", sessions=mine,
                  agreements=await agreements.list_agreements(principal) if principal.can("supervision:manage") else [],
                  **_context())


@get("/supervision/agreements/new", include_in_schema=False)
async def new_agreement(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("supervision:manage")
    return render(request, "agreement_new.html", title="New supervision agreement", error=None, form={},
                  supervisors=await _people(principal, "supervisor") + await _people(principal, "peer_lead"),
                  supervisees=await _people(principal, "psw"), **_context())


@post("/supervision/agreements", include_in_schema=False, status_code=303)
async def create_agreement_page(request: Request, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("supervision:manage")
    try:
        try:
            supervisor, supervisee = UUID(data.get("supervisor_id", "")), UUID(data.get("supervisee_id", ""))
            start = date.fromisoformat(data.get("start_date", ""))
            window_start, window_end = time.fromisoformat(data.get("window_start", "")), time.fromisoformat(data.get("window_end", ""))
            every, length = int(data.get("every_days", "")), int(data.get("length_minutes", ""))
        except ValueError:
            raise InvalidInput("Choose both people, a start date, times (HH:MM), how often (days) and a length (minutes).") from None
        weekday = data.get("preferred_weekday", "")
        if not 1 <= every <= 366 or not 15 <= length <= 480:
            raise InvalidInput("How often: 1 to 366 days; length: 15 to 480 minutes.")
        made = await agreements.create_agreement(principal, AgreementIn(
            supervisor_id=supervisor, supervisee_id=supervisee, start_date=start, every_days=every,
            length_minutes=length, preferred_weekday=int(weekday) if weekday.isdigit() else None,
            window_start=window_start, window_end=window_end,
        ))
    except DomainError as exc:
        return render(request, "agreement_new.html", status_code=exc.status_code, title="New supervision agreement",
                      error=exc.detail, form=data,
                      supervisors=await _people(principal, "supervisor") + await _people(principal, "peer_lead"),
                      supervisees=await _people(principal, "psw"), **_context())
    await sessions.propose_sessions(principal, made.id, 6)
    return Redirect(f"/supervision/agreements/{made.id}", status_code=303)


@get("/supervision/agreements/{agreement_id:uuid}", include_in_schema=False)
async def agreement_page(request: Request, agreement_id: UUID) -> Template:
    principal = signed_in_principal(request)
    agreement = await agreements.get_agreement(principal, agreement_id)
    rows = await sessions.sessions_for(principal, agreement_id=agreement_id)
    return render(request, "agreement.html", title="Supervision agreement", agreement=agreement, sessions=rows,
                  can_manage=principal.can("supervision:manage"), **_context())


@post("/supervision/agreements/{agreement_id:uuid}/propose", include_in_schema=False, status_code=303)
async def propose_page(request: Request, agreement_id: UUID) -> Redirect:
    principal = signed_in_principal(request)
    await sessions.propose_sessions(principal, agreement_id, 6)
    return Redirect(f"/supervision/agreements/{agreement_id}", status_code=303)


@post("/supervision/agreements/{agreement_id:uuid}/accept", include_in_schema=False, status_code=303)
async def accept_page(request: Request, agreement_id: UUID) -> Redirect:
    principal = signed_in_principal(request)
    await sessions.accept(principal, agreement_id, [])
    return Redirect(f"/supervision/agreements/{agreement_id}", status_code=303)


@post("/supervision/sessions/{session_id:uuid}/cancel", include_in_schema=False, status_code=303)
async def cancel_session_page(request: Request, session_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    by = data.get("by") if data.get("by") in ("supervisor", "supervisee", "peer_lead") else "peer_lead"
    await sessions.cancel(principal, session_id, by, data.get("reason", "")[:500])
    return Redirect(request.headers.get("referer") or "/supervision", status_code=303)


@get("/supervision/compliance", include_in_schema=False)
async def compliance_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    rows = await compliance_service.compliance_table(principal)
    return render(request, "compliance.html", title="Supervision compliance", rows=rows, **_context())


PAGES = [my_supervision, new_agreement, create_agreement_page, agreement_page, propose_page, accept_page,
                     cancel_session_page, compliance_page]
