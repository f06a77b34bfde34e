"""Training pages: my training sessions and their attendance registers; trainers' records."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from peerwork.core.errors import InvalidInput
from peerwork.core.time import in_london
from peerwork.web.feedback import notice_for, redirect_with_notice
from peerwork.web.shell import FORM, render, signed_in_principal
from peerwork.training import attendance, trainers_report

NOTICES = {"marked": "Attendance saved.",
           "completed": "Attendance saved. They have now attended every session: the course is on their CPD record.",
           "withdrawn": "Attendance saved. The course is no longer recorded as completed."}


@get("/training/sessions", include_in_schema=False)
async def sessions_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("community:read")
    return render(request, "training_attendance.html", title="My training sessions",
                  sessions=await attendance.my_sessions(principal), local=in_london)


@get("/training/sessions/{occurrence_id:uuid}", include_in_schema=False)
async def register_page(request: Request, occurrence_id: UUID) -> Template:
    principal = signed_in_principal(request)
    attendees = await attendance.session_attendees(principal, occurrence_id)
    session = next((s for s in await attendance.my_sessions(principal) if s.occurrence_id == occurrence_id), None)
    return render(request, "training_attendance_register.html", title="Attendance register",
                  occurrence_id=occurrence_id, session=session, attendees=attendees,
                  notice=notice_for(request, NOTICES), local=in_london)


@post("/training/sessions/{occurrence_id:uuid}/attendance/{booking_id:uuid}", include_in_schema=False,
      status_code=303)
async def mark_page(request: Request, occurrence_id: UUID, booking_id: UUID,
                    data: Annotated[dict[str, str], FORM]) -> Redirect:
    if data.get("attended") not in ("yes", "no"):
        raise InvalidInput("attended: yes or no.")
    marked = await attendance.mark(signed_in_principal(request), booking_id, data["attended"] == "yes")
    notice = "completed" if marked.completed and data["attended"] == "yes" else (
        "withdrawn" if data["attended"] == "no" and not marked.completed else "marked")
    return redirect_with_notice(f"/training/sessions/{occurrence_id}", notice)


def _period(date_from: str, date_to: str) -> tuple[date, date]:
    """The period asked for; by default the current year to date."""
    try:
        return trainers_report.year_to_date(date.fromisoformat(date_from) if date_from else None,
                                            date.fromisoformat(date_to) if date_to else None)
    except ValueError as exc:
        raise InvalidInput("from, to: dates as YYYY-MM-DD.") from exc


@get("/training/delivery", include_in_schema=False)
async def delivery_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    start, end = _period(request.query_params.get("from", ""), request.query_params.get("to", ""))
    found = await trainers_report.programme_figure(principal, start, end)
    return render(request, "training_trainers_delivery.html", title="Trainers and delivery", found=found)


@get("/training/delivery.csv", include_in_schema=False)
async def delivery_csv_page(request: Request) -> Response[str]:
    start, end = _period(request.query_params.get("from", ""), request.query_params.get("to", ""))
    body = await trainers_report.programme_csv(signed_in_principal(request), start, end)
    return Response(body, media_type="text/csv",  # Litestar adds "; charset=utf-8"
                    headers={"Content-Disposition": 'attachment; filename="training-programme.csv"'})


ATTENDANCE_PAGES = [sessions_page, register_page, mark_page, delivery_page, delivery_csv_page]
