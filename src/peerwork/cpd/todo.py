"""CPD on the home page (your training due; late inductions; compliance warnings) and on a
person's page."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.todo import PersonFact, PersonSection, TodoItem, person_accounts
from peerwork.cpd.records import supervisees_of
from peerwork.cpd.report import compliance, my_compliance
from peerwork.cpd.schemas import PersonCompliance

SECTION = "Training (CPD)"
NEW_STARTERS_SHOWN = 5
_MY_PRIORITY = {"expired": "urgent", "due": "soon", "expiring": "info"}
_MY_TITLE = {"expired": "has expired: book it again", "due": "is due: book it",
             "expiring": "expires soon: book a refresher"}
STATUS_WORDS = {"due": "not done yet", "booked": "booked", "done": "done", "expiring": "expiring soon",
                "expired": "expired"}


async def _my_training(principal: Principal) -> list[TodoItem]:
    mine = await my_compliance(principal)
    if mine is None:
        return []
    items = []
    if mine.induction_late:
        items.append(TodoItem(kind="cpd.my_induction", section=SECTION, priority="urgent", href="/cpd",
                              title="Your induction is late: book it or record it if you have done it"))
    for course in mine.courses:
        if course.status in _MY_TITLE:
            items.append(TodoItem(kind=f"cpd.{course.status}", section=SECTION, priority=_MY_PRIORITY[course.status],
                                  title=f"{course.title} {_MY_TITLE[course.status]}", href="/cpd",
                                  due=course.expires_on))
    return items


def _late_inductions(rows: list[PersonCompliance], *, linked: bool) -> list[TodoItem]:
    late = [r for r in rows if r.induction_late]
    if not late:
        return []
    if not linked:  # HR and admins: one line, to the compliance page where the names are
        return [TodoItem(kind="cpd.induction_late", section=SECTION, priority="urgent", count=len(late),
                         title=f"{len(late)} new {'starter has' if len(late) == 1 else 'starters have'} "
                               "no induction in time", href="/cpd/compliance")]
    return [TodoItem(kind="cpd.induction_late", section=SECTION, priority="urgent", due=r.started_on,
                     title=f"{r.name} started on {r.started_on} and has had no induction yet",
                     href=f"/people/{r.person_id}" if r.person_id else "/people")
            for r in late[:NEW_STARTERS_SHOWN]]


def _warnings(rows: list[PersonCompliance]) -> list[TodoItem]:
    lapsed = [r for r in rows if any(c.status in ("expired", "due") for c in r.courses)]
    expiring = [r for r in rows if any(c.status == "expiring" for c in r.courses)]
    items = []
    if lapsed:
        items.append(TodoItem(kind="cpd.lapsed", section=SECTION, priority="urgent", count=len(lapsed),
                              title=f"{len(lapsed)} {'person has' if len(lapsed) == 1 else 'people have'} "
                                    "mandatory training expired or not done", href="/cpd/compliance"))
    if expiring:
        items.append(TodoItem(kind="cpd.expiring", section=SECTION, priority="soon", count=len(expiring),
                              title=f"{len(expiring)} {'person has' if len(expiring) == 1 else 'people have'} "
                                    "mandatory training expiring soon", href="/cpd/compliance"))
    return items


async def todo(principal: Principal) -> list[TodoItem]:
    items = await _my_training(principal) if principal.can("cpd:record") else []
    report, leads = principal.can("cpd:report"), principal.can("pairing:manage")
    if report or leads:
        # Peer leads look after new starters, so they see who has had no induction by name
        # (nothing else of anyone's CPD); HR and admins see the organisation's warnings.
        rows = await compliance(principal.organisation_id, date.today())
        items += _late_inductions(rows, linked=not report)
        if report:
            items += _warnings(rows)
    return items


async def person(principal: Principal, person_id: UUID) -> PersonSection | None:
    """Mandatory training and hours, for HR and admins, the person themselves and their
    supervisor; absent for anyone else. Reading it is audited."""
    accounts = await person_accounts(principal.organisation_id, person_id)
    mine = principal.account_id in accounts
    if not (principal.can("cpd:report") or mine or set(accounts) & await supervisees_of(principal)):
        return None
    today = date.today()
    if accounts:  # one account's record at a time, not the whole organisation's
        rows = [r for a in accounts for r in await compliance(principal.organisation_id, today, a)]
    else:  # in post with no account yet: listed (with nothing recorded) only in the organisation's list
        rows = [r for r in await compliance(principal.organisation_id, today) if r.person_id == person_id]
    facts = []
    for r in rows:
        if r.induction_late:
            facts.append(PersonFact(label="Induction", value="late: none recorded in time"))
        facts += [PersonFact(label=c.title, value=STATUS_WORDS.get(c.status, c.status)
                             + (f" (expires {c.expires_on})" if c.expires_on else "")) for c in r.courses]
        facts.append(PersonFact(label="CPD hours in the last 12 months", value=str(r.hours_12_months)))
    await audit.record(principal, "read", "cpd_record", person_id, fields=["status", "done_on"])
    return PersonSection(kind="cpd", title=SECTION, facts=facts,
                         empty="Not listed for CPD: not in post in a lived-experience role and no account here.")


TODO = todo
PERSON = person
