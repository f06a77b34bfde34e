"""Reflective spaces pages: browse and book, my calendar, and the peer lead's tools."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Redirect, Template

from peerwork.calendar import agenda, feeds
from peerwork.community import bookings, preferences, series, spaces
from peerwork.community.change_pages import CHANGE_PAGES, NOTICES
from peerwork.community.notify import occurrence_uid
from peerwork.community.schemas import KIND_LABELS, AttendanceIn, PreferencesIn, SeriesIn
from peerwork.community.weeks import by_week, week_heading
from peerwork.core.errors import DomainError, InvalidInput, NotFound
from peerwork.core.time import in_london, london_today, now
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


def _context() -> dict[str, Any]:
    return {"kind_labels": KIND_LABELS, "local": in_london, "weekdays": WEEKDAYS, "ordinals": ORDINALS}


@get("/community", include_in_schema=False)
async def community_page(request: Request, kind: str = "", org: str = "", created: str = "",
                         done: str = "") -> Template:
    """The coming dates by week, filtered by kind and organisation; a bad filter value is
    named on the page (400) and left out, the rest of the page still works."""
    principal = signed_in_principal(request)
    choices = await spaces.organisation_choices(principal)
    problems = []
    try:
        chosen_kind = spaces.check_kind(kind)
    except InvalidInput as exc:
        problems.append(exc.detail)
        chosen_kind = None
    try:
        chosen_org = spaces.check_organisation(org, choices)
    except InvalidInput as exc:
        problems.append(exc.detail)
        chosen_org = None
    rows = await spaces.coming_up(principal, chosen_kind, chosen_org)
    return render(request, "community.html", status_code=400 if problems else 200, title="Reflective spaces",
                  weeks=by_week(rows), week_heading=week_heading, today=london_today(),
                  kind=chosen_kind, org=chosen_org.slug if chosen_org else "", organisations=choices,
                  problems=problems, notice=await _created_notice(principal, created) or NOTICES.get(done),
                  newsletter=await preferences.wants_newsletter(principal.account_id), **_context())


async def _created_notice(principal, created: str) -> str | None:
    """After setting up a space: its name and first date, read back from the series itself."""
    try:
        made = await series.get_series(principal, UUID(created))
    except (ValueError, NotFound):
        return None
    return f"{made.title} is set up. The first date is {in_london(made.first_start):%A %-d %B at %H:%M}."


@get("/community/occurrences/{occurrence_id:uuid}", include_in_schema=False)
async def occurrence_page(request: Request, occurrence_id: UUID, done: str = "") -> Template:
    principal = signed_in_principal(request)
    occurrence = await bookings.get_occurrence(principal, occurrence_id)
    attendees = None
    try:
        attendees = await bookings.attendees(principal, occurrence_id)
    except DomainError:
        attendees = None  # not a facilitator or peer lead: no attendee list
    own_series = None
    if principal.can("community:manage"):
        try:
            own_series = await series.get_series(principal, occurrence.series_id)
        except NotFound:
            own_series = None  # a partner's space: theirs to change
    return render(request, "occurrence.html", title=occurrence.title, occurrence=occurrence, attendees=attendees,
                  can_manage=own_series is not None, series=own_series, notice=NOTICES.get(done),
                  series_end=own_series.first_start + timedelta(minutes=own_series.duration_minutes)
                  if own_series else None,
                  started=occurrence.start <= now(), **_context())


@post("/community/occurrences/{occurrence_id:uuid}/book", include_in_schema=False, status_code=303)
async def book_page(request: Request, occurrence_id: UUID) -> Redirect:
    # The occurrence page's own booking box ("You are booked ...") is the success message.
    principal = signed_in_principal(request)
    await bookings.book(principal, occurrence_id)
    return Redirect(f"/community/occurrences/{occurrence_id}", status_code=303)


@post("/community/bookings/{booking_id:uuid}/cancel", include_in_schema=False, status_code=303)
async def cancel_booking_page(request: Request, booking_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    booking = await bookings.cancel(principal, booking_id)
    done = "left-waitlist" if data.get("was") == "waitlisted" else "place-cancelled"
    return Redirect(f"/community/occurrences/{booking.occurrence_id}?done={done}", status_code=303)


@post("/community/bookings/{booking_id:uuid}/attendance", include_in_schema=False, status_code=303)
async def attendance_page(request: Request, booking_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    await bookings.mark_attendance(principal, booking_id, form_to(AttendanceIn, data).attended)
    try:
        back = f"/community/occurrences/{UUID(data.get('occurrence', ''))}"
    except ValueError:
        back = "/community"
    return Redirect(f"{back}?done=attendance", status_code=303)


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
    result = await preferences.update_preferences(principal, wanted, request.app.state.calendar_providers)
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


async def _my_calendar(request: Request, status_code: int = 200, feed_url: str | None = None,
                       feed_created: datetime | None = None, notice: str | None = None) -> Template:
    """Listed from every capability's calendar provider, as the private feed is; waiting-list
    positions come from the bookings themselves."""
    principal = signed_in_principal(request)
    providers = request.app.state.calendar_providers
    positions = {occurrence_uid(o.id): b.waitlist_position
                 for o, b in await bookings.my_bookings(principal) if b.status == "waitlisted"}
    return render(request, "my_calendar.html", status_code=status_code, title="My calendar",
                  events=await agenda.coming_up(principal.account_id, providers), positions=positions,
                  feed_created=feed_created or await feeds.feed_created_at(principal), feed_url=feed_url,
                  notice=notice, **_context())


@get("/my-calendar", include_in_schema=False)
async def my_calendar(request: Request, done: str = "") -> Template:
    return await _my_calendar(request, notice=NOTICES.get(done))


@post("/my-calendar/link", include_in_schema=False, status_code=201)
async def new_calendar_link(request: Request) -> Template:
    principal = signed_in_principal(request)
    url, created = await feeds.issue_feed(principal)
    return await _my_calendar(request, status_code=201, feed_url=url, feed_created=created)


@post("/my-calendar/link/revoke", include_in_schema=False, status_code=303)
async def revoke_calendar_link(request: Request) -> Redirect:
    principal = signed_in_principal(request)
    await feeds.revoke_feed(principal)
    return Redirect("/my-calendar?done=link-off", status_code=303)


PAGES = [
    community_page, occurrence_page, book_page, cancel_booking_page, attendance_page, preferences_form,
    preferences_page, new_series_form, create_series_page, my_calendar, new_calendar_link, revoke_calendar_link,
    *CHANGE_PAGES,
]
