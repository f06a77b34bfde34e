"""Community API and the calendar feed route."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post

from peerwork.community import bookings, preferences, series
from peerwork.community.schemas import (
    AttendanceIn,
    AttendeeOut,
    BookingOut,
    CancelIn,
    OccurrenceMove,
    OccurrenceOut,
    PreferencesIn,
    PreferencesOut,
    SeriesChange,
    SeriesIn,
    SeriesOut,
)
from msgspec import UNSET

from peerwork.core.errors import InvalidInput
from peerwork.core.access import Principal


class SeriesController(Controller):
    path = "/community/series"
    tags = ["community"]

    @get("/", opt={"right": "community:read"})
    async def list_series(self, principal: Principal) -> list[SeriesOut]:
        return await series.list_series(principal)

    @post("/", opt={"right": "community:manage"})
    async def create_series(self, principal: Principal, data: SeriesIn) -> SeriesOut:
        return await series.create_series(principal, data)

    @get("/{series_id:uuid}", opt={"right": "community:read"})
    async def get_series(self, principal: Principal, series_id: UUID) -> SeriesOut:
        return await series.get_series(principal, series_id)

    @patch("/{series_id:uuid}", opt={"right": "community:manage"})
    async def change_series(self, principal: Principal, series_id: UUID, data: SeriesChange) -> SeriesOut:
        """Change from ``from_date`` onwards; a new time or rule starts a new series there."""
        return await series.change_series(principal, series_id, data)

    @post("/{series_id:uuid}/close", status_code=204, opt={"right": "community:manage"})
    async def close_series(self, principal: Principal, series_id: UUID) -> None:
        await series.close_series(principal, series_id)


class OccurrenceController(Controller):
    path = "/community/occurrences"
    tags = ["community"]

    @get("/", opt={"right": "community:read"})
    async def upcoming(self, principal: Principal, days: int = 90, kind: str | None = None) -> list[OccurrenceOut]:
        if not 1 <= days <= 366:
            raise InvalidInput("days: between 1 and 366")
        return await bookings.upcoming(principal, days=days, kind=kind)

    @get("/{occurrence_id:uuid}", opt={"right": "community:read"})
    async def get_occurrence(self, principal: Principal, occurrence_id: UUID) -> OccurrenceOut:
        return await bookings.get_occurrence(principal, occurrence_id)

    @post("/{occurrence_id:uuid}/cancel", status_code=204, opt={"right": "community:manage"})
    async def cancel_occurrence(self, principal: Principal, occurrence_id: UUID, data: CancelIn) -> None:
        await series.cancel_occurrence(principal, occurrence_id, data.reason)

    @post("/{occurrence_id:uuid}/move", status_code=204, opt={"right": "community:manage"})
    async def move_occurrence(self, principal: Principal, occurrence_id: UUID, data: OccurrenceMove) -> None:
        # UNSET keeps the place; null or "" goes back to the series' place.
        location = None if data.location is UNSET else (data.location or "")
        await series.move_occurrence(principal, occurrence_id, data.start, data.end, location)

    @post("/{occurrence_id:uuid}/bookings", opt={"right": "community:book"})
    async def book(self, principal: Principal, occurrence_id: UUID) -> BookingOut:
        return await bookings.book(principal, occurrence_id)

    @get("/{occurrence_id:uuid}/attendees", opt={"right": "community:read"})
    async def attendees(self, principal: Principal, occurrence_id: UUID) -> list[AttendeeOut]:
        return await bookings.attendees(principal, occurrence_id)


class BookingController(Controller):
    path = "/bookings"
    tags = ["community"]

    @delete("/{booking_id:uuid}", status_code=200, opt={"right": "community:book"})
    async def cancel(self, principal: Principal, booking_id: UUID) -> BookingOut:
        return await bookings.cancel(principal, booking_id)

    @patch("/{booking_id:uuid}/attendance", opt={"right": "community:read"})
    async def attendance(self, principal: Principal, booking_id: UUID, data: AttendanceIn) -> AttendeeOut:
        return await bookings.mark_attendance(principal, booking_id, data.attended)

    @get("/{booking_id:uuid}/invite.ics", media_type="text/calendar", opt={"right": "community:book"})
    async def invite(self, principal: Principal, booking_id: UUID) -> Response[bytes]:
        method, body = await preferences.current_invite(principal, booking_id)
        return Response(body, media_type=f"text/calendar; method={method}",
                        headers={"Content-Disposition": f'attachment; filename="booking-{booking_id}.ics"'})


class PreferenceController(Controller):
    path = "/community/preferences"
    tags = ["community"]

    @get("/", opt={"right": "self"})
    async def get_preferences(self, principal: Principal) -> PreferencesOut:
        return await preferences.get_preferences(principal)

    @patch("/", opt={"right": "self"})
    async def set_preferences(self, request: Request, principal: Principal, data: PreferencesIn) -> PreferencesOut:
        """``calendar_delivery``: ``auto``, ``invites``, ``feed`` or ``both``. A change moves your
        booked places and supervision sessions at once (``bookings_moved``), each with an email."""
        return await preferences.update_preferences(principal, data, request.app.state.calendar_providers)


ROUTES = [SeriesController, OccurrenceController, BookingController, PreferenceController]


