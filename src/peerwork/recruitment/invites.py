"""Interview invites: the applicant and every panel member get one (one UID per application's
interview, SEQUENCE rising on each change, CANCEL when it is called off). The panel's invite
names the candidate by reference only."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from uuid import UUID

from peerwork.calendar import ical
from peerwork.calendar.feeds import forget_fingerprints
from peerwork.core.mail.outbox import enqueue
from peerwork.core.settings import current_settings
from peerwork.core.time import LONDON, now, when
from peerwork.recruitment.calendar import interview_uid
from peerwork.recruitment.tables import Application
from peerwork.recruitment.vacancies import panel_of


async def release_slot(row: dict[str, Any]) -> None:
    """Free the application's slot and send everyone the cancellation (call inside a transaction)."""
    await Application.update({Application.interview_sequence: row["interview_sequence"] + 1}).where(
        Application.id == row["id"])
    await tell(row["id"], "CANCEL", "Interview cancelled")
    await Application.update({Application.slot: None}).where(Application.id == row["id"])


async def _context(application_id: UUID) -> dict[str, Any]:
    return await Application.select(
        Application.id, Application.organisation, Application.vacancy, Application.reference, Application.name,
        Application.email, Application.interview_sequence, Application.slot,
        Application.vacancy.title.as_alias("title"), Application.organisation.name.as_alias("organisation_name"),
        Application.slot.start.as_alias("start"), Application.slot.end.as_alias("end"),
        Application.slot.location.as_alias("location"),
    ).where(Application.id == application_id).first()


async def tell(application_id: UUID, method: str, subject: str) -> None:
    """Invite (REQUEST) or cancel (CANCEL) for the applicant and each panel member."""
    forget_fingerprints()  # panel members' feeds show this interview
    a = await _context(application_id)
    if a["start"] is None:
        return
    settings = current_settings()
    organizer = ical.Person(email=parseaddr(settings.mail_from)[1], name=a["organisation_name"])
    start = a["start"].astimezone(LONDON)
    people = [(a["email"], a["name"], True)] if a["email"] else []
    people += [(p["email"], p["name"], False) for p in await panel_of(a["vacancy"])]
    for email, name, applicant in people:
        summary = f"Interview: {a['title']}" + ("" if applicant else f" (candidate {a['reference']})")
        event = ical.CalEvent(
            uid=interview_uid(application_id), summary=summary, start=a["start"], end=a["end"], stamp=now(),
            sequence=a["interview_sequence"], status="CANCELLED" if method == "CANCEL" else "CONFIRMED",
            location=a["location"] or None, private=True,
        )
        try:
            attendee = ical.Person(email=email, name=name)
        except ValueError:
            continue
        invite = ical.invite(method, event, organizer=organizer, attendee=attendee,
                             partstat="DECLINED" if method == "CANCEL" else "ACCEPTED")
        more = "" if not applicant else "\nSee or change it here (your private link was in our first email).\n"
        await enqueue(
            to_address=email, to_name=name, subject=f"{subject}: {summary}, {start:%a %-d %b %H:%M}",
            body_text=f"Hello {name},\n\n{subject}.\n\n{summary}\n{when(a['start'], a['end'])}\n"
                      f"{a['location'] or ''}\n{more}",
            calendar=(method, invite), organisation_id=a["organisation"],
            dedupe_key=f"interview:{application_id}:{a['interview_sequence']}:{email}:{method}",
        )
