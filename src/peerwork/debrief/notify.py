"""Emails and calendar invites about debriefs.

No email, invite or calendar entry carries what was asked (the reason or the note), and none
names the asker: debriefers on call are told "a colleague" asked, with a link to the request;
who it is shows on the page, to the one who takes it. The accepted slot is a private event,
"Debrief", in both people's calendars: by invite, feed or both as each chose
(``community.calendar_choice``), the state of each copy kept on the request."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from uuid import UUID

from peerwork.calendar import delivery, ical
from peerwork.calendar.feeds import forget_fingerprints
from peerwork.community.calendar_choice import has_live_feed, next_copy
from peerwork.core.mail.outbox import enqueue
from peerwork.core.settings import current_settings
from peerwork.core.tables import Account, Organisation
from peerwork.core.time import now, when
from peerwork.debrief.tables import DebriefRequest

SUMMARY = "Debrief"
OTHER_SUPPORT = ("Other support is there today: your supervisor or peer lead, your organisation's staff "
                 "wellbeing service or employee assistance programme, or Samaritans on 116 123 (free, any time).")


def request_url(request_id: UUID) -> str:
    return f"{current_settings().site_url}/debrief/requests/{request_id}"


def event_uid(request_id: UUID) -> str:
    return f"debrief-{request_id}@peerwork"


def calendar_event(r: dict[str, Any], *, cancelled: bool = False) -> ical.CalEvent:
    """The slot as a private event with a neutral summary: nothing of what was asked."""
    return ical.CalEvent(
        uid=event_uid(r["id"]), summary=SUMMARY, start=r["slot_start"], end=r["slot_end"], stamp=r["updated_at"],
        sequence=r["sequence"], status="CANCELLED" if cancelled else "CONFIRMED", private=True,
        url=request_url(r["id"]),
    )


async def _accounts(ids: list[UUID]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return await Account.select(Account.id, Account.email, Account.display_name).where(
        Account.id.is_in(ids) & (Account.is_active == True))  # noqa: E712


async def debrief_asked(r: dict[str, Any], debriefers: list[UUID]) -> int:
    """Tell the day's on-call debriefers a colleague asked; how many were told."""
    told = 0
    for account in await _accounts(debriefers):
        queued = await enqueue(
            to_address=account["email"], to_name=account["display_name"],
            subject="A debrief was requested",
            body_text=(f"Hello {account['display_name']},\n\nA colleague has asked for a debrief today, and you are on "
                       "call as a peer debriefer. If you can take it, accept it here (the first to accept takes it):\n"
                       f"{request_url(r['id'])}\n"),
            organisation_id=r["organisation"], dedupe_key=f"debrief:{r['id']}:asked:{account['id']}")
        told += queued is not None
    return told


async def _organisation_name(organisation_id: UUID) -> str:
    row = await Organisation.select(Organisation.name).where(Organisation.id == organisation_id).first()
    return row["name"] if row else "peerwork"


async def _mail(r: dict[str, Any], account: dict[str, Any], sent: str | None, subject: str, text: str,
                occasion: str) -> None:
    """One email about the slot to one of the two people, with the invite ``sent`` (REQUEST or
    CANCEL) when not None."""
    calendar = None
    if sent is not None:
        organizer = ical.Person(email=parseaddr(current_settings().mail_from)[1],
                                name=await _organisation_name(r["organisation"]))
        attendee = ical.Person(email=account["email"], name=account["display_name"])
        event = calendar_event(r, cancelled=sent == "CANCEL")
        calendar = (sent, ical.invite(sent, event, organizer=organizer, attendee=attendee,
                                      partstat="DECLINED" if sent == "CANCEL" else "ACCEPTED"))
    await enqueue(
        to_address=account["email"], to_name=account["display_name"],
        subject=f"{subject}: {when(r['slot_start'], r['slot_end'])}",
        body_text=(f"Hello {account['display_name']},\n\n{text}\n\n{SUMMARY}\n{when(r['slot_start'], r['slot_end'])}\n\n"
                   f"See it: {request_url(r['id'])}\n"),
        calendar=calendar, organisation_id=r["organisation"],
        dedupe_key=f"debrief:{r['id']}:{r['sequence']}:{occasion}:{account['id']}")


def _copy_column(r: dict[str, Any], account_id: UUID) -> Any:
    return DebriefRequest.requester_invite if r["requester"] == account_id else DebriefRequest.accepter_invite


async def _set_copy(r: dict[str, Any], column: Any, state: str | None) -> None:
    if r[column._meta.name] != state:
        await DebriefRequest.update({column: state}).where(DebriefRequest.id == r["id"])


async def _slot_mail(r: dict[str, Any], account: dict[str, Any], method: str, opening: str) -> None:
    """Tell one of the two people the slot was arranged or called off; the invite goes where
    their choice of invites or feed says, and their copy's new state is kept."""
    column = _copy_column(r, account["id"])
    sent, new_state, line = await next_copy(account["id"], method, r[column._meta.name])
    await _set_copy(r, column, new_state)
    subject = "Debrief cancelled" if method == "CANCEL" else "Debrief arranged"
    await _mail(r, account, sent, subject, f"{opening} {line}" if line else opening, method)


async def slot_changed(r: dict[str, Any], method: str) -> None:
    """The slot was arranged (REQUEST) or called off (CANCEL): tell both people."""
    forget_fingerprints()
    accounts = {a["id"]: a for a in await _accounts([r["requester"], r["accepted_by"]])}
    if method == "REQUEST":
        openings = {r["requester"]: "A peer debriefer has taken your request for a debrief. Your private slot is below.",
                    r["accepted_by"]: "You took a colleague's request for a debrief. The private slot is below."}
    else:
        openings = {r["requester"]: "You cancelled your debrief.",
                    r["accepted_by"]: "The colleague who asked for this debrief cancelled it. Thank you for taking it."}
    for account_id, opening in openings.items():
        if account_id in accounts:
            await _slot_mail(r, accounts[account_id], method, opening)


async def choice_changed(account_id: UUID, mode: str) -> int:
    """The person chose another way for calendar items to reach them: move each coming slot of
    theirs there at once, with an email (a CANCEL for an invite now in the feed, a fresh REQUEST
    for one now sent as an invite), so none is left in both places or in neither."""
    live = await has_live_feed(account_id)
    rows = await DebriefRequest.select().where(
        ((DebriefRequest.requester == account_id) | (DebriefRequest.accepted_by == account_id))
        & (DebriefRequest.status == "accepted") & (DebriefRequest.slot_end > now()))
    accounts = await _accounts([account_id])
    moved = 0
    for r in rows:
        column = _copy_column(r, account_id)
        sent, new_state = delivery.on_choice_changed(mode, has_live_feed=live, state=r[column._meta.name])
        if sent is not None and accounts:
            await DebriefRequest.update({DebriefRequest.sequence: DebriefRequest.sequence + 1,
                                         DebriefRequest.updated_at: now()}).where(DebriefRequest.id == r["id"])
            r = await DebriefRequest.select().where(DebriefRequest.id == r["id"]).first()
            text = ("You asked for your calendar items as invites. The calendar invite is attached." if sent == "REQUEST"
                    else "You asked for your calendar items in your peerwork calendar feed, which shows this one now. "
                         "The calendar invite attached removes the copy the earlier invite made.")
            await _mail(r, accounts[0], sent, "Debrief moved in your calendar", text, f"choice-{sent}")
            moved += 1
        await _set_copy(r, column, new_state)
    if rows:
        forget_fingerprints()
    return moved


async def nobody_free(r: dict[str, Any]) -> None:
    """The request expired at the end of its day: say so kindly and point to other support."""
    for account in await _accounts([r["requester"]]):
        await enqueue(
            to_address=account["email"], to_name=account["display_name"],
            subject="Nobody was free for your debrief",
            body_text=(f"Hello {account['display_name']},\n\nWe are sorry: nobody on the debrief rota was free to take "
                       f"your request on {r['day']:%A %-d %B}, so it has closed. You can ask again at any time: "
                       f"{current_settings().site_url}/debrief/ask\n\n{OTHER_SUPPORT}\n"),
            organisation_id=r["organisation"], dedupe_key=f"debrief:{r['id']}:expired")
