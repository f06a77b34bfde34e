"""Debrief pages: ask for one (two clicks from the link in every page's header), your
requests and those waiting for you, a request's page (take it, cancel it), the rota and the
figures."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Redirect, Template

from peerwork.core.time import in_london, now
from peerwork.debrief import asking, figures, rota, taking, views
from peerwork.debrief.notify import OTHER_SUPPORT
from peerwork.debrief.schemas import REASONS, AcceptIn, RequestIn, RotaIn
from peerwork.web.shell import FORM, form_to, render, signed_in_principal

NOTICES = {
    "asked": "Your request is sent to today's on-call peer debriefers. You will get an email when one takes it.",
    "asked-none": "Your request is recorded, but nobody is on the debrief rota today.",
    "accepted": "You have taken this debrief. The private slot is in both calendars.",
    "cancelled": "Your debrief request is cancelled.",
    "added": "Added to the rota.", "removed": "Removed from the rota.",
}
STATUS_LABELS = {"open": "Waiting for a debriefer", "accepted": "Taken", "cancelled": "Cancelled",
                 "expired": "Closed: nobody was free"}


def _context(**extra: Any) -> dict[str, Any]:
    return {"local": in_london, "reasons": REASONS, "status_labels": STATUS_LABELS, "other_support": OTHER_SUPPORT,
            **extra}


@get("/debrief/ask", include_in_schema=False)
async def ask_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("debrief:ask")
    return render(request, "debrief_ask.html", title="Ask for a debrief", **_context())


@post("/debrief/ask", include_in_schema=False, status_code=303)
async def ask_submit(request: Request, data: Annotated[dict[str, str], FORM]) -> Redirect:
    made = await asking.ask(signed_in_principal(request), form_to(RequestIn, data))
    done = "asked" if made.debriefers_told or made.status != "open" else "asked-none"
    return Redirect(f"/debrief/requests/{made.id}?done={done}", status_code=303)


@get("/debrief", include_in_schema=False)
async def debrief_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    can_ask = principal.can("debrief:ask")
    if not (can_ask or principal.can("debrief:rota") or principal.can("debrief:figures")):
        principal.require("debrief:ask")
    return render(request, "debrief.html", title="Debrief", can_ask=can_ask,
                  mine=await asking.mine(principal) if can_ask else [],
                  waiting=await taking.offers(principal) if principal.can("debrief:give") else [],
                  on_call=can_ask and await rota.is_on_call(principal, rota.today()),
                  can_rota=principal.can("debrief:rota"), can_figures=principal.can("debrief:figures"), **_context())


@get("/debrief/requests/{debrief_id:uuid}", include_in_schema=False)
async def request_page(request: Request, debrief_id: UUID, done: str = "") -> Template:
    principal = signed_in_principal(request)
    shown = await views.get(principal, debrief_id)
    start = in_london(taking.next_quarter(now()))
    return render(request, "debrief_request.html", title="Debrief request", r=shown, notice=NOTICES.get(done),
                  start=start, **_context())


@post("/debrief/requests/{debrief_id:uuid}/accept", include_in_schema=False, status_code=303)
async def accept_submit(request: Request, debrief_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    await taking.accept(signed_in_principal(request), debrief_id, form_to(AcceptIn, data))
    return Redirect(f"/debrief/requests/{debrief_id}?done=accepted", status_code=303)


@post("/debrief/requests/{debrief_id:uuid}/cancel", include_in_schema=False, status_code=303)
async def cancel_submit(request: Request, debrief_id: UUID) -> Redirect:
    await asking.cancel(signed_in_principal(request), debrief_id)
    return Redirect(f"/debrief/requests/{debrief_id}?done=cancelled", status_code=303)


@get("/debrief/rota", include_in_schema=False)
async def rota_page(request: Request, week: date | None = None, done: str = "") -> Template:
    principal = signed_in_principal(request)
    shown = await rota.week(principal, week)
    today = rota.today()
    return render(request, "debrief_rota.html", title="Debrief rota", week=shown, today=today,
                  previous=shown.start - timedelta(days=7), following=shown.start + timedelta(days=7),
                  open_days=[d.day for d in shown.days if d.day >= today], notice=NOTICES.get(done), **_context())


@post("/debrief/rota", include_in_schema=False, status_code=303)
async def rota_add(request: Request, data: Annotated[dict[str, str], FORM]) -> Redirect:
    added = form_to(RotaIn, data)
    await rota.add(signed_in_principal(request), added)
    return Redirect(f"/debrief/rota?week={added.day.isoformat()}&done=added", status_code=303)


@post("/debrief/rota/{rota_id:uuid}/remove", include_in_schema=False, status_code=303)
async def rota_remove(request: Request, rota_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    await rota.remove(signed_in_principal(request), rota_id)
    week = data.get("week", "")
    back = f"week={week}&" if len(week) == 10 and week.replace("-", "").isdigit() else ""
    return Redirect(f"/debrief/rota?{back}done=removed", status_code=303)


@get("/debrief/figures", include_in_schema=False)
async def figures_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    return render(request, "debrief_figures.html", title="Debrief figures",
                  figures=await figures.figures(principal, 12), **_context())


PAGES = [ask_page, ask_submit, debrief_page, request_page, accept_submit, cancel_submit, rota_page, rota_add,
         rota_remove, figures_page]
