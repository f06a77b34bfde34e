"""The peer lead's changes to a space from its pages: move one date, cancel one date, end a
series, change a series from a date onwards.

A change that cancels dates or emails people asks first: the first POST shows a confirmation
page naming the space, the dates and who will be emailed; only a second POST carrying
``confirm=yes`` (and the CSRF token, like every form) makes the change. After a change the
page it lands on shows a fixed message chosen by key (``?done=...``), never text from the URL.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated
from uuid import UUID

from litestar import Request, post
from litestar.response import Redirect, Template
from msgspec import UNSET, Struct, field

from peerwork.community import bookings, impact, series
from peerwork.community.schemas import CancelIn, OccurrenceMove, SeriesChange
from peerwork.core.time import in_london, london
from peerwork.web.feedback import Confirmation, ask, confirmed
from peerwork.web.shell import FORM, form_to, signed_in_principal

NOTICES = {
    "place-cancelled": "Your place is cancelled. We have emailed you a calendar update that removes it.",
    "left-waitlist": "You have left the waiting list.",
    "attendance": "Attendance saved.",
    "moved": "The date is moved. Everyone with a place is emailed the new time.",
    "date-cancelled": "The date is cancelled. Everyone who was booked or waiting is emailed.",
    "series-changed": "The series is changed from the date you chose. The people booked are emailed.",
    "series-cancelled": "The series has ended: its coming dates are cancelled and everyone booked is emailed.",
    "link-off": "Your calendar link is turned off. Calendar apps using it stop updating.",
}
DATES_SHOWN = 12  # a daily series has many dates: the first few, then "and N more"


def _confirm_page(request: Request, *, title: str, effects: list[str], found: impact.Impact, told_how: str,
                  action: str, fields: dict[str, str], button: str, back: str) -> Template:
    confirmation = Confirmation(title=title, action=action, back=back, button=button, effects=effects, fields=fields)
    return ask(request, confirmation, "community_confirm.html", impact=found, told_how=told_how, local=in_london,
               dates_shown=DATES_SHOWN)


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
    return Redirect(f"/community/occurrences/{occurrence_id}?done=moved", status_code=303)


@post("/community/occurrences/{occurrence_id:uuid}/cancel", include_in_schema=False)
async def cancel_occurrence_page(request: Request, occurrence_id: UUID,
                                 data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    reason = form_to(CancelIn, data).reason
    if confirmed(data):
        await series.cancel_occurrence(principal, occurrence_id, reason)
        return Redirect(f"/community/occurrences/{occurrence_id}?done=date-cancelled", status_code=303)
    found = await impact.cancel_date(principal, occurrence_id)
    start = in_london(found.dates[0])
    return _confirm_page(
        request, title=f"Cancel {found.title} on {start:%A %-d %B}?",
        effects=[f"{found.title} on {start:%A %-d %B %Y at %H:%M} will be cancelled. Nobody can book it, "
                 "and it shows as cancelled in calendars."],
        found=found, told_how="They get an email saying it is cancelled" + (f" (“{reason}”)" if reason else "")
        + "; those with a place get a calendar update that removes it.",
        action=f"/community/occurrences/{occurrence_id}/cancel", fields=data, button="Yes, cancel this date",
        back=f"/community/occurrences/{occurrence_id}")


@post("/community/series/{series_id:uuid}/cancel", include_in_schema=False)
async def cancel_series_page(request: Request, series_id: UUID,
                             data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    if confirmed(data):
        await series.close_series(principal, series_id)
        return Redirect("/community?done=series-cancelled", status_code=303)
    found = await impact.cancel_series(principal, series_id)
    try:
        back = f"/community/occurrences/{UUID(data.get('occurrence', ''))}"
    except ValueError:
        back = "/community"
    return _confirm_page(
        request, title=f"End {found.title}?",
        effects=[f"{found.title} will end: no new dates are added, and its {len(found.dates)} coming "
                 f"date{'' if len(found.dates) == 1 else 's'} will be cancelled."],
        found=found, told_how="They get an email saying the series has ended; those with a place get a "
        "calendar update that removes each date.",
        action=f"/community/series/{series_id}/cancel", fields=data, button="Yes, end this series", back=back)


@post("/community/occurrences/{occurrence_id:uuid}/change-from", include_in_schema=False)
async def change_from_page(request: Request, occurrence_id: UUID,
                           data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    """Change the series this date belongs to from a chosen date onwards (the dates before it
    keep what they had). Only the fields that differ from the series are changed."""
    principal = signed_in_principal(request)
    occurrence = await bookings.get_occurrence(principal, occurrence_id)
    change, found = await impact.change_from(principal, occurrence.series_id, form_to(SeriesChange, data))
    if confirmed(data):
        await series.change_series(principal, occurrence.series_id, change)
        # New times cancel the later dates (this one too, if it is later): back to the list.
        back = "/community" if found.new_times else f"/community/occurrences/{occurrence_id}"
        return Redirect(f"{back}?done=series-changed", status_code=303)
    effects = [f"{what}: {old} → {new}" for what, old, new in found.changes]
    if found.new_times:
        told_how = ("New times start the series afresh from that date: the dates listed are cancelled and "
                    "replaced, so they get an email asking them to book again.")
    else:
        told_how = "Those with a place get an updated calendar invite with the new details; their booking stays."
    return _confirm_page(
        request, title=f"Change {found.title} from {change.from_date:%A %-d %B}?", effects=effects, found=found,
        told_how=told_how, action=f"/community/occurrences/{occurrence_id}/change-from", fields=data,
        button="Yes, make this change", back=f"/community/occurrences/{occurrence_id}")


CHANGE_PAGES = [move_occurrence_page, cancel_occurrence_page, cancel_series_page, change_from_page]
