"""Review reminders: the owner is emailed once for each review date that falls due, however many
runs or instances try, without any of their words; a new review date brings the next one. While
it is due, the owner's home page lists it too, and nobody else's does."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from peerwork import capabilities
from peerwork.core.jobs import run_once
from peerwork.core.tables import OutboxMessage
from peerwork.core.time import london_today, now
from peerwork.core.todo import todo_for
from peerwork.wellbeing import documents, reminders, sharing
from peerwork.wellbeing.jobs import JOBS
from peerwork.wellbeing.schemas import PassportIn, PlanIn, ShareIn
from tests.factories import make_org, make_user

WORDS = "Heron-biscuit-8810"


async def test_one_reminder_per_due_review_even_when_two_instances_run_at_once():
    org = await make_org()
    psw = await make_user(org, "psw")
    other = await make_user(org, "psw", email="later@north.example")
    yesterday = date.today() - timedelta(days=1)
    await documents.save(psw.principal, "plan", PlanIn(what_helps=WORDS, review_date=yesterday))
    await documents.save(other.principal, "plan", PlanIn(what_helps=WORDS,
                                                         review_date=date.today() + timedelta(days=30)))

    sent = await asyncio.gather(reminders.send_review_reminders(now()), reminders.send_review_reminders(now()))
    assert sorted(sent) == [0, 1]
    assert await reminders.send_review_reminders(now()) == 0
    rows = await OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.body_text)
    assert [r["to_address"] for r in rows] == [psw.email]  # not the one due next month
    assert rows[0]["subject"] == "Your wellness plan is due for review"
    assert WORDS not in repr(rows) and "/wellbeing" in rows[0]["body_text"]

    # The job claims its run: a second instance firing for the same due time does nothing.
    job = JOBS[0]
    due = now()
    assert await run_once(job, due) is True
    assert await run_once(job, due) is False

    # A new review date, once due, is reminded again (once).
    await documents.save(psw.principal, "plan", PlanIn(what_helps=WORDS, review_date=date.today()))
    assert await reminders.send_review_reminders(now()) == 1
    assert await reminders.send_review_reminders(now()) == 0
    assert await OutboxMessage.count() == 2


async def _review_items(user) -> list:
    return [i for i in await todo_for(user.principal, capabilities.todo_providers()) if i.kind.startswith("wellbeing.")]


async def test_a_record_due_for_review_is_on_its_owners_home_page_until_the_date_moves_on():
    org = await make_org()
    psw = await make_user(org, "psw")
    supervisor = await make_user(org, "supervisor", email="sam@north.example")
    hr = await make_user(org, "hr", email="hr@north.example")
    today = london_today()
    plan = await documents.save(psw.principal, "plan", PlanIn(what_helps=WORDS, review_date=today))
    await documents.save(psw.principal, "passport", PassportIn(adjustments=WORDS,
                                                               review_date=today - timedelta(days=10)))
    await sharing.share(psw.principal, plan.id, ShareIn(account_id=supervisor.principal.account_id))

    items = await _review_items(psw)
    assert [(i.kind, i.title, i.href, i.due) for i in items] == [  # the longest overdue first
        ("wellbeing.review_due", "Your workplace adjustments passport is due for review", "/wellbeing#passport",
         today - timedelta(days=10)),
        ("wellbeing.review_due", "Your wellness plan is due for review", "/wellbeing#plan", today)]
    assert WORDS not in repr(items)
    # Only the owner: not someone they shared it with, not HR.
    assert await _review_items(supervisor) == [] and await _review_items(hr) == []

    # A review date still to come is not due yet; moving it on takes the item away.
    await documents.save(psw.principal, "plan", PlanIn(what_helps=WORDS, review_date=today + timedelta(days=1)))
    await documents.save(psw.principal, "passport", PassportIn(adjustments=WORDS, review_date=None))
    assert await _review_items(psw) == []
