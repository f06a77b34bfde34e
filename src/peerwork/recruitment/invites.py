"""Interview invites: one UID per application's interview, SEQUENCE rising on each change,
CANCEL when it is called off. The panel's invite names the candidate by reference only.

The applicant has no account and no feed, so they always get the invite. Each panel member is
staff and may subscribe to their feed: whether their email carries the invite follows their
choice of invites, feed or both (``calendar.delivery``, read through
``community.calendar_choice``), and where their copy then sits is kept per person
(``InterviewInvite``), so their feed shows the interview exactly when no invite put it in their
mail calendar (or when they chose both)."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from uuid import UUID

from peerwork.calendar import delivery, ical
from peerwork.calendar.feeds import forget_fingerprints
from peerwork.community.calendar_choice import has_live_feed, next_copy
from peerwork.core.mail.outbox import enqueue
from peerwork.core.settings import current_settings
from peerwork.core.tables import Account
from peerwork.core.time import LONDON, now, when
from peerwork.recruitment.tables import Application, InterviewInvite, InterviewSlot, PanelMember
from peerwork.recruitment.vacancies import panel_of


def interview_uid(application_id: UUID) -> str:
    return f"interview-{application_id}@peerwork"


async def release_slot(row: dict[str, Any]) -> bool:
    """Free the application's slot and send everyone the cancellation (call inside a transaction);
    True when freed. A slot whose interview has already ended is kept, with nothing sent: the
    interview was held, so there is nothing to call off, and the booking is the record that it
    was held (co-production pays the lived-experience panel from it, through ``sittings``)."""
    slot = await InterviewSlot.select(InterviewSlot.end).where(InterviewSlot.id == row["slot"]).first()
    if slot is not None and slot["end"] <= now():
        return False
    await Application.update({Application.interview_sequence: row["interview_sequence"] + 1}).where(
        Application.id == row["id"])
    await tell(row["id"], "CANCEL", "Interview cancelled")
    await Application.update({Application.slot: None}).where(Application.id == row["id"])
    return True


def interview_contexts():
    """A query for applications with what an interview invite or feed entry needs."""
    return Application.select(
        Application.id, Application.organisation, Application.vacancy, Application.reference, Application.name,
        Application.email, Application.interview_sequence, Application.slot, Application.booked_at,
        Application.vacancy.title.as_alias("title"), Application.organisation.name.as_alias("organisation_name"),
        Application.slot.start.as_alias("start"), Application.slot.end.as_alias("end"),
        Application.slot.location.as_alias("location"),
    )


async def _context(application_id: UUID) -> dict[str, Any]:
    return await interview_contexts().where(Application.id == application_id).first()


def panel_summary(a: dict[str, Any]) -> str:
    return f"Interview: {a['title']} (candidate {a['reference']})"


def calendar_event(a: dict[str, Any], summary: str, *, stamp, cancelled: bool = False) -> ical.CalEvent:
    return ical.CalEvent(
        uid=interview_uid(a["id"]), summary=summary, start=a["start"], end=a["end"], stamp=stamp,
        sequence=a["interview_sequence"], status="CANCELLED" if cancelled else "CONFIRMED",
        location=a["location"] or None, private=True,
    )


async def invite_states(account_id: UUID, application_ids: list[UUID]) -> dict[UUID, str | None]:
    """Where each of these interviews' copies sits in the panel member's mail calendar (missing: never invited)."""
    if not application_ids:
        return {}
    rows = await InterviewInvite.select(InterviewInvite.application, InterviewInvite.invite_state).where(
        (InterviewInvite.account == account_id) & InterviewInvite.application.is_in(application_ids))
    return {r["application"]: r["invite_state"] for r in rows}


async def _set_state(application_id: UUID, account_id: UUID, before: str | None, after: str | None,
                     known: bool) -> None:
    if known and before == after:
        return
    if known:
        await InterviewInvite.update({InterviewInvite.invite_state: after}).where(
            (InterviewInvite.application == application_id) & (InterviewInvite.account == account_id))
    else:
        await InterviewInvite(application=application_id, account=account_id, invite_state=after).save()


async def _mail(a: dict[str, Any], email: str, name: str, sent: str | None, subject: str, summary: str,
                line: str, more: str, dedupe: str) -> None:
    """One email about an interview, with the invite ``sent`` (REQUEST or CANCEL) when not None."""
    calendar = None
    if sent is not None:
        organizer = ical.Person(email=parseaddr(current_settings().mail_from)[1], name=a["organisation_name"])
        attendee = ical.Person(email=email, name=name)
        event = calendar_event(a, summary, stamp=now(), cancelled=sent == "CANCEL")
        calendar = (sent, ical.invite(sent, event, organizer=organizer, attendee=attendee,
                                      partstat="DECLINED" if sent == "CANCEL" else "ACCEPTED"))
    start = a["start"].astimezone(LONDON)
    await enqueue(
        to_address=email, to_name=name, subject=f"{subject}: {summary}, {start:%a %-d %b %H:%M}",
        body_text=f"Hello {name},\n\n{subject}.{' ' + line if line else ''}\n\n{summary}\n"
                  f"{when(a['start'], a['end'])}\n{a['location'] or ''}\n{more}",
        calendar=calendar, organisation_id=a["organisation"], dedupe_key=dedupe,
    )


def _addressable(email: str, name: str) -> bool:
    try:
        ical.Person(email=email, name=name)
    except ValueError:
        return False
    return True


async def tell(application_id: UUID, method: str, subject: str) -> None:
    """Tell the applicant (always with the invite: REQUEST or CANCEL) and each panel member
    (with the invite only where their choice of invites or feed says so)."""
    forget_fingerprints()  # panel members' feeds show this interview
    a = await _context(application_id)
    if a["start"] is None:
        return
    sequence = a["interview_sequence"]
    if a["email"] and _addressable(a["email"], a["name"]):
        await _mail(a, a["email"], a["name"], method, subject, f"Interview: {a['title']}", "",
                    "\nSee or change it here (your private link was in our first email).\n",
                    f"interview:{application_id}:{sequence}:{a['email']}:{method}")
    summary = panel_summary(a)
    for p in await panel_of(a["vacancy"]):
        if not _addressable(p["email"], p["name"]):
            continue
        states = await invite_states(p["account"], [application_id])
        state = states.get(application_id)
        sent, new_state, line = await next_copy(p["account"], method, state)
        await _set_state(application_id, p["account"], state, new_state, application_id in states)
        await _mail(a, p["email"], p["name"], sent, subject, summary, line, "",
                    f"interview:{application_id}:{sequence}:{p['email']}:{method}")


async def choice_changed(account_id: UUID, mode: str) -> int:
    """The panel member chose another way for calendar items to reach them: move each coming
    interview on their panels there at once, each with an email (a CANCEL for an invite whose
    interview now lives in the feed, a fresh REQUEST for one that now comes as an invite), so
    none is left in both places or in neither. Returns how many moved with an email."""
    vacancy_ids = await PanelMember.select(PanelMember.vacancy).where(PanelMember.account == account_id).output(
        as_list=True)
    if not vacancy_ids:
        return 0
    ids = await Application.select(Application.id).where(
        Application.vacancy.is_in(vacancy_ids) & Application.slot.is_not_null() & (Application.slot.end > now())
    ).output(as_list=True)
    account = await Account.select(Account.email, Account.display_name).where(Account.id == account_id).first()
    if not ids or not _addressable(account["email"], account["display_name"]):
        return 0
    live = await has_live_feed(account_id)
    states = await invite_states(account_id, ids)
    moved = 0
    for application_id in ids:
        state = states.get(application_id)
        sent, new_state = delivery.on_choice_changed(mode, has_live_feed=live, state=state)
        if sent is not None:
            # A new invite outranks the last one (the applicant's next one too, which is harmless);
            # the feed's fingerprint moves with the sum of sequences.
            await Application.update({Application.interview_sequence: Application.interview_sequence + 1}).where(
                Application.id == application_id)
            a = await _context(application_id)
            if sent == "REQUEST":
                subject, line = ("Now a calendar invite",
                                 "You asked for your calendar items as invites. The calendar invite is attached.")
            else:
                subject, line = ("Now in your calendar feed",
                                 "You asked for your calendar items in your peerwork calendar feed, which shows "
                                 "this one now. The calendar invite attached removes the copy the earlier invite made.")
            await _mail(a, account["email"], account["display_name"], sent, subject, panel_summary(a), line, "",
                        f"interview:{application_id}:{a['interview_sequence']}:{account['email']}:{sent}:choice")
            moved += 1
        await _set_state(application_id, account_id, state, new_state, application_id in states)
    forget_fingerprints()
    return moved
