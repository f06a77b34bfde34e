"""Scheduled community work: keep occurrences ahead, remind the day before, monthly newsletter.

Thin wrappers: each takes the due time it runs for, so a re-run for the same due time (or a
second instance) adds nothing, helped by the outbox's dedupe keys.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from uuid import UUID

from apscheduler.triggers.cron import CronTrigger

from peerwork.community import series
from peerwork.community.notify import _booking_context, _send
from peerwork.workforce.staff import people_in_post
from peerwork.core.time import when
from peerwork.community.preferences import wants_newsletter
from peerwork.core.time import LONDON, london
from peerwork.community.schemas import KIND_LABELS
from peerwork.community.tables import Booking, Occurrence
from peerwork.core.mail.outbox import enqueue
from peerwork.core.jobs import Job
from peerwork.core.settings import current_settings
from peerwork.core.tables import Account, Membership, Organisation

NEWSLETTER_KINDS = ("co_reflection", "social_drop_in", "development_day")


async def keep_horizon(due: datetime) -> None:
    await series.keep_horizon()


async def send_reminders(due: datetime) -> int:
    """The day before: everyone with a confirmed place at tomorrow's occurrences."""
    tomorrow = due.astimezone(LONDON).date() + timedelta(days=1)
    start, end = london(datetime.combine(tomorrow, time())), london(datetime.combine(tomorrow + timedelta(days=1), time()))
    ids = await Booking.select(Booking.id).where(
        (Booking.status == "confirmed") & (Booking.occurrence.status == "scheduled")
        & (Booking.occurrence.start >= start) & (Booking.occurrence.start < end)
    ).output(as_list=True)
    for booking_id in ids:
        b = await _booking_context(booking_id)
        b = {**b, "status": f"reminder-{tomorrow.isoformat()}"}  # its own dedupe key
        await _send(b, "Tomorrow", "A reminder that you are booked for tomorrow.", None)
    return len(ids)


def newsletter_month(due: datetime) -> tuple[date, date]:
    """The calendar month after the one the due time falls in."""
    local = due.astimezone(LONDON).date()
    first = (local.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


async def newsletter_readers(organisation_id: UUID, today: date) -> list[dict]:
    """Who gets an organisation's newsletter: the active accounts of everyone in post in a
    lived-experience role on ``today`` (from the staff records), and active ``psw`` accounts
    with no staff record in the organisation. Someone whose staff record says they left gets
    none, even if their account is still active; someone with no account has no address."""
    staff = await people_in_post(organisation_id, today)
    readers = {r["id"]: r for r in await Account.select(Account.id, Account.email, Account.display_name).where(
        Account.person.is_in(list(staff)) & (Account.is_active == True))} if staff else {}  # noqa: E712
    for m in await Membership.select(Membership.account, Membership.account.email, Membership.account.display_name,
                                     Membership.account.person.organisation.as_alias("person_organisation")).where(
        (Membership.organisation == organisation_id) & (Membership.role == "psw")
        & (Membership.account.is_active == True)  # noqa: E712
    ):
        if m["person_organisation"] != organisation_id:  # no staff record here
            readers.setdefault(m["account"], {"id": m["account"], "email": m["account.email"],
                                              "display_name": m["account.display_name"]})
    return sorted((r for r in readers.values() if r["email"]), key=lambda r: str(r["id"]))


async def send_newsletters(due: datetime) -> int:
    """Each organisation's lived-experience staff in post who have an account get next month's
    reflective spaces (unless they opted out)."""
    month_start, month_end = newsletter_month(due)
    sent = 0
    for org in await Organisation.select(Organisation.id, Organisation.name):
        rows = await Occurrence.select(
            Occurrence.id, Occurrence.start, Occurrence.end, Occurrence.series.title, Occurrence.series.kind,
        ).where(
            (Occurrence.organisation == org["id"]) & (Occurrence.status == "scheduled")
            & Occurrence.series.kind.is_in(list(NEWSLETTER_KINDS))
            & (Occurrence.start >= london(datetime.combine(month_start, time())))
            & (Occurrence.start < london(datetime.combine(month_end, time())))
        ).order_by(Occurrence.start)
        if not rows:
            continue
        url = current_settings().site_url
        lines = [f"What is coming up in {month_start:%B %Y} at {org['name']}:", ""]
        for r in rows:
            lines.append(f"- {KIND_LABELS[r['series.kind']]}: {r['series.title']}, {when(r['start'], r['end'])}")
            lines.append(f"  Book: {url}/community/occurrences/{r['id']}")
        lines += ["", f"Stop these emails: {url}/community (newsletter setting)"]
        for reader in await newsletter_readers(org["id"], due.astimezone(LONDON).date()):
            if not await wants_newsletter(reader["id"]):
                continue
            await enqueue(
                to_address=reader["email"], to_name=reader["display_name"],
                subject=f"Peer support newsletter: {month_start:%B %Y}", body_text="\n".join(lines),
                organisation_id=org["id"], dedupe_key=f"newsletter:{org['id']}:{month_start:%Y-%m}:{reader['id']}",
            )
            sent += 1
    return sent


# All away from 01:00-02:00 London time, which happens twice or never on clock-change days.
JOBS = [
    Job("community-horizon", CronTrigger(hour=3, minute=30, timezone="Europe/London"), keep_horizon),
    Job("community-reminders", CronTrigger(hour=9, minute=0, timezone="Europe/London"), send_reminders),
    Job("community-newsletter", CronTrigger(day=25, hour=10, minute=0, timezone="Europe/London"),
        send_newsletters, catch_up_window=timedelta(days=5)),
]


__all__ = ["timezone"]
