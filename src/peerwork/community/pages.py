"""Reflective spaces pages: browse and book, my calendar, and the peer lead's tools."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Redirect, Template
from msgspec import UNSET, Struct, field

from peerwork.community import bookings, preferences, series
from peerwork.calendar import feeds
from peerwork.core.time import LONDON, london
from peerwork.community.schemas import (
    KIND_LABELS, AttendanceIn, CancelIn, OccurrenceMove, PreferencesIn, SeriesIn,
)
from peerwork.core.errors import DomainError, InvalidInput
from peerwork.web.shell import FORM, form_to, render, signed_in_principal

WEEKDAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday"}
ORDINALS = {"1": "First", "2": "Second", "3": "Third", "4": "Fourth", "-1": "Last"}


def pattern_to_rrule(form: dict[str, str]) -> str:
    """The form's plain-language repeat choice as an RRULE."""
    pattern, day = form.get("pattern", ""), form.get("weekday", "TU")
    if day not in WEEKDAYS:
        raise InvalidInput("weekday: choose a weekday")
    if pattern == "monthly":
        ordinal = form.get("ordinal", "1")
        if ordinal not in ORDINALS:
            raise InvalidInput("ordinal: choose first, second, third, fourth or last")
        return f"FREQ=MONTHLY;BYDAY={ordinal}{day}"
    if pattern == "weekly":
        return f"FREQ=WEEKLY;BYDAY={day}"
    if pattern == "weekdays":
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if pattern == "once":
        return "FREQ=DAILY;COUNT=1"
    raise InvalidInput("pattern: choose how often it repeats")


def local(value: datetime) -> datetime:
    return value.astimezone(LONDON)


def _context() -> dict[str, Any]:
    return {"kind_labels": KIND_LABELS, "local": local, "weekdays": WEEKDAYS, "ordinals": ORDINALS}


@get("/community", include_in_schema=False)
async def community_page(request: Request, kind: str | None = None) -> Template:
    principal = signed_in_principal(request)
    if kind not in KIND_LABELS:
        kind = None
    rows = await bookings.upcoming(principal, days=62, kind=kind)
    return render(request, "community.html", title="Reflective spaces", occurrences=rows, kind=kind,
                  newsletter=await preferences.wants_newsletter(principal.account_id), **_context())


@get("/community/occurrences/{occurrence_id:uuid}", include_in_schema=False)
async def occurrence_page(request: Request, occurrence_id: UUID) -> Template:
    principal = signed_in_principal(request)
    occurrence = await bookings.get_occurrence(principal, occurrence_id)
    attendees = None
    try:
        attendees = await bookings.attendees(principal, occurrence_id)
    except DomainError:
        attendees = None  # not a facilitator or peer lead: no attendee list
    return render(request, "occurrence.html", title=occurrence.title, occurrence=occurrence, attendees=attendees,
                  can_manage=principal.can("community:manage"), started=occurrence.start <= datetime.now(LONDON),
                  **_context())


@post("/community/occurrences/{occurrence_id:uuid}/book", include_in_schema=False, status_code=303)
async def book_page(request: Request, occurrence_id: UUID) -> Redirect:
    principal = signed_in_principal(request)
    await bookings.book(principal, occurrence_id)
    return Redirect(f"/community/occurrences/{occurrence_id}", status_code=303)


@post("/community/bookings/{booking_id:uuid}/cancel", include_in_schema=False, status_code=303)
async def cancel_booking_page(request: Request, booking_id: UUID) -> Redirect:
    principal = signed_in_principal(request)
    booking = await bookings.cancel(principal, booking_id)
    return Redirect(f"/community/occurrences/{booking.occurrence_id}", status_code=303)


@post("/community/bookings/{booking_id:uuid}/attendance", include_in_schema=False, status_code=303)
async def attendance_page(request: Request, booking_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    await bookings.mark_attendance(principal, booking_id, form_to(AttendanceIn, data).attended)
    return Redirect(request.headers.get("referer") or "/community", status_code=303)


@post("/community/occurrences/{occurrence_id:uuid}/cancel", include_in_schema=False, status_code=303)
async def cancel_occurrence_page(request: Request, occurrence_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    await series.cancel_occurrence(principal, occurrence_id, form_to(CancelIn, data).reason)
    return Redirect(f"/community/occurrences/{occurrence_id}", status_code=303)


class MoveForm(Struct):
    """The move form asks for a UK date and times; the API (``OccurrenceMove``) for two instants."""

    day: date = field(name="date")
    start_time: time
    end_time: time


@post("/community/occurrences/{occurrence_id:uuid}/move", include_in_schema=False, status_code=303)
async def move_occurrence_page(request: Request, occurrence_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    when = form_to(MoveForm, data)
    move = form_to(OccurrenceMove, data, start=london(datetime.combine(when.day, when.start_time)),
                   end=london(datetime.combine(when.day, when.end_time)))  # an empty place keeps the series' place
    await series.move_occurrence(principal, occurrence_id, move.start, move.end,
                                 None if move.location is UNSET else move.location)
    return Redirect(f"/community/occurrences/{occurrence_id}", status_code=303)


@get("/community/preferences", include_in_schema=False)
async def preferences_form(request: Request, saved: int | None = None) -> Template:
    principal = signed_in_principal(request)
    return render(request, "community_preferences.html", title="Calendar and newsletter",
                  prefs=await preferences.get_preferences(principal), saved=saved)


@post("/community/preferences", include_in_schema=False, status_code=303)
async def preferences_page(request: Request, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    # An unticked box sends nothing: that is a "no". The reflective spaces page's form has
    # only the newsletter box; the preferences page also has the calendar choice.
    wanted = form_to(PreferencesIn, data, newsletter=data.get("newsletter", False))
    result = await preferences.update_preferences(principal, wanted)
    if "calendar_delivery" in data:
        return Redirect(f"/community/preferences?saved={result.bookings_moved}", status_code=303)
    return Redirect("/community", status_code=303)


@get("/community/series/new", include_in_schema=False)
async def new_series_form(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("community:manage")
    return render(request, "series_new.html", title="Set up a reflective space", error=None, form={}, **_context())


@post("/community/series", include_in_schema=False, status_code=303)
async def create_series_page(request: Request, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("community:manage")
    try:
        # An empty title takes the kind's name; the repeat choice becomes an RRULE.
        title = data.get("title", "").strip() or KIND_LABELS.get(data.get("kind", ""), "")
        created = await series.create_series(principal, form_to(SeriesIn, data, title=title,
                                                                rrule=pattern_to_rrule(data)))
    except DomainError as exc:
        return render(request, "series_new.html", status_code=exc.status_code, title="Set up a reflective space",
                      error=exc.detail, form=data, **_context())
    return Redirect(f"/community?created={created.id}", status_code=303)


@get("/my-calendar", include_in_schema=False)
async def my_calendar(request: Request) -> Template:
    principal = signed_in_principal(request)
    return render(request, "my_calendar.html", title="My calendar", bookings=await bookings.my_bookings(principal),
                  feed_created=await feeds.feed_created_at(principal), feed_url=None, **_context())


@post("/my-calendar/link", include_in_schema=False, status_code=201)
async def new_calendar_link(request: Request) -> Template:
    principal = signed_in_principal(request)
    url, created = await feeds.issue_feed(principal)
    return render(request, "my_calendar.html", status_code=201, title="My calendar",
                  bookings=await bookings.my_bookings(principal), feed_created=created, feed_url=url, **_context())


@post("/my-calendar/link/revoke", include_in_schema=False, status_code=303)
async def revoke_calendar_link(request: Request) -> Redirect:
    principal = signed_in_principal(request)
    await feeds.revoke_feed(principal)
    return Redirect("/my-calendar", status_code=303)


PAGES = [
    community_page, occurrence_page, book_page, cancel_booking_page, attendance_page, cancel_occurrence_page,
    move_occurrence_page, preferences_form, preferences_page, new_series_form, create_series_page, my_calendar, new_calendar_link,
    revoke_calendar_link,
]
