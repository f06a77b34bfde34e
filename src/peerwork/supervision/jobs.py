"""Daily supervision work: tell peer leads who became overdue; remind people the day before."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger

from peerwork.core.time import LONDON, london
from peerwork.core.mail.outbox import enqueue
from peerwork.core.jobs import Job
from peerwork.core.settings import current_settings
from peerwork.supervision.compliance_service import compliance_table
from peerwork.supervision.notify import tell
from peerwork.supervision.tables import SupervisionSession
from peerwork.core.access import system_principal
from peerwork.core.tables import Membership, Organisation


async def tell_peer_leads_who_is_overdue(due: datetime) -> int:
    """One email per peer lead per day listing PSWs who became overdue since yesterday."""
    today = due.astimezone(LONDON).date()
    told = 0
    for org in await Organisation.select(Organisation.id, Organisation.slug, Organisation.name):
        rows = await compliance_table(system_principal(org["id"], org["slug"], org["name"]), today)
        newly = [r for r in rows if r.one_to_one and r.one_to_one.days_overdue == 1]
        newly += [r for r in rows if r.group and r.group.days_overdue == 1]
        if not newly:
            continue
        names = sorted({r.name for r in newly})
        leads = await Membership.select(Membership.account, Membership.account.email, Membership.account.display_name
                                        ).where((Membership.organisation == org["id"]) & (Membership.role == "peer_lead"))
        for lead in leads:
            await enqueue(
                to_address=lead["account.email"], to_name=lead["account.display_name"],
                subject=f"Supervision overdue: {len(names)} peer support worker{'s' if len(names) > 1 else ''}",
                body_text="These peer support workers became overdue for supervision today:\n\n"
                          + "\n".join(f"- {n}" for n in names)
                          + f"\n\nSee the compliance page: {current_settings().site_url}/supervision/compliance\n",
                organisation_id=org["id"], dedupe_key=f"overdue:{org['id']}:{today.isoformat()}:{lead['account']}",
            )
            told += 1
    return told


async def remind_tomorrow(due: datetime) -> int:
    tomorrow = due.astimezone(LONDON).date() + timedelta(days=1)
    start, end = london(datetime.combine(tomorrow, time())), london(datetime.combine(tomorrow + timedelta(days=1), time()))
    ids = await SupervisionSession.select(SupervisionSession.id).where(
        (SupervisionSession.status == "scheduled") & (SupervisionSession.start >= start) & (SupervisionSession.start < end)
    ).output(as_list=True)
    for session_id in ids:
        await tell(session_id, None, "Tomorrow", "A reminder of your supervision session tomorrow.",
                   occasion=f"reminder-{tomorrow.isoformat()}")
    return len(ids)


JOBS = [
    Job("supervision-overdue", CronTrigger(hour=7, minute=30, timezone="Europe/London"), tell_peer_leads_who_is_overdue),
    Job("supervision-reminders", CronTrigger(hour=9, minute=15, timezone="Europe/London"), remind_tomorrow),
]
