"""Training API: trainers' sessions and attendance, trainers' records and the programme figure."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, put
from litestar.params import QueryParameter

from peerwork.community.schemas import AttendanceIn, AttendeeOut
from peerwork.core.access import Principal
from peerwork.training import attendance, trainers_report
from peerwork.training.attendance import MarkOut, TrainerSessionOut
from peerwork.training.trainers_report import ProgrammeFigureOut

From = Annotated[date | None, QueryParameter(
    name="from", description="First day of the period (London), included; by default 1 January this year.")]
To = Annotated[date | None, QueryParameter(
    name="to", description="Last day of the period (London), included; by default today.")]


class TrainingSessionController(Controller):
    """Anyone may be a trainer: the service checks the caller trains the run (or leads training)."""

    path = "/training/sessions"
    tags = ["training"]

    @get("/mine", opt={"right": "training:read"})
    async def my_sessions(self, principal: Principal) -> list[TrainerSessionOut]:
        return await attendance.my_sessions(principal)

    @get("/{occurrence_id:uuid}/attendees", opt={"right": "training:read"})
    async def attendees(self, principal: Principal, occurrence_id: UUID) -> list[AttendeeOut]:
        return await attendance.session_attendees(principal, occurrence_id)

    @put("/attendance/{booking_id:uuid}", opt={"right": "training:read"})
    async def mark(self, principal: Principal, booking_id: UUID, data: AttendanceIn) -> MarkOut:
        """Mark attendance; attending every session of the run records the course, verified, on the
        person's CPD (once). Withdrawing it removes that record unless its owner has used it."""
        return await attendance.mark(principal, booking_id, data.attended)


class ProgrammeController(Controller):
    path = "/training"
    tags = ["training"]

    @get("/programme", opt={"right": "training:lead"})
    async def programme(self, principal: Principal, date_from: From = None, date_to: To = None) -> ProgrammeFigureOut:
        """"N trainers delivered M sessions to P people" in a period, with each trainer's record."""
        return await trainers_report.programme_figure(principal, *trainers_report.year_to_date(date_from, date_to))

    @get("/programme.csv", media_type="text/csv", opt={"right": "training:lead"})
    async def programme_csv(self, principal: Principal, date_from: From = None, date_to: To = None) -> Response[str]:
        body = await trainers_report.programme_csv(principal, *trainers_report.year_to_date(date_from, date_to))
        return Response(body, media_type="text/csv",  # Litestar adds "; charset=utf-8"
                        headers={"Content-Disposition": 'attachment; filename="training-programme.csv"'})


ATTENDANCE_ROUTES = [TrainingSessionController, ProgrammeController]
