"""Lived-experience interview panel members recorded as involvement, by itself.

Why a job and not a call from recruitment: recruitment has no moment at which an interview "is
held" (a slot simply passes), and a call from there would make recruitment depend on
co-production. So an hourly job reads recruitment's named read-only service
(``recruitment.sittings``) and records each sitting once: the activity and each line carry a
unique source key ("panel:<vacancy>:<day>", "panel:<panel member>:<day>"), so a re-run, a
caught-up run or two instances at once never duplicate a line.

Someone employed by the organisation on the day (any post) sits on panels as part of their
paid job: recorded with their hours, but at a rate of 0 unless the policy pays employees for
panels. Everyone else is paid the policy's interview-panel rate, by their preference.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from peerwork.core import audit
from peerwork.core.db import transaction
from peerwork.core.errors import is_unique_violation
from peerwork.coproduction import participants
from peerwork.coproduction.activities import new_line
from peerwork.coproduction.policy import policy_row, rate_for
from peerwork.coproduction.tables import Activity, InvolvementLine
from peerwork.recruitment.sittings import Sitting, lived_experience_sittings
from peerwork.workforce.tables import Assignment

KIND = "interview_panel"


async def _employed(organisation_id: UUID, person_id: UUID | None, sitting: Sitting) -> bool:
    if person_id is None:
        return False
    day = sitting.day
    return await Assignment.exists().where(
        (Assignment.organisation == organisation_id) & (Assignment.person == person_id)
        & (Assignment.start_date <= day) & (Assignment.end_date.is_null() | (Assignment.end_date >= day)))


async def _activity_id(sitting: Sitting) -> UUID:
    key = f"panel:{sitting.vacancy_id}:{sitting.day.isoformat()}"
    found = await Activity.select(Activity.id).where(Activity.source_key == key).first()
    if found:
        return found["id"]
    activity = Activity(organisation=sitting.organisation_id, title=f"Interview panel: {sitting.vacancy_title}",
                        kind=KIND, held_on=sitting.day, source_key=key,
                        description="Recorded from recruitment: a lived-experience panel member's interview day.")
    await activity.save()
    return activity.id


def line_key(sitting: Sitting) -> str:
    return f"panel:{sitting.panel_member_id}:{sitting.day.isoformat()}"


async def record_sitting(sitting: Sitting) -> bool:
    """Record one sitting; False if it was already recorded."""
    key = line_key(sitting)
    org = sitting.organisation_id
    try:
        async with transaction():
            payee = await participants.for_panel_member(org, account_id=sitting.account_id, person_id=sitting.person_id,
                                                        name=sitting.display_name, email=sitting.email)
            policy = await policy_row(org)
            employed = await _employed(org, sitting.person_id, sitting)
            rate = 0 if employed and not policy["pay_employees_for_panels"] else rate_for(policy, KIND)
            line = new_line(policy, KIND, payee, sitting.minutes, 0, activity=await _activity_id(sitting),
                            organisation=org, rate_pence=rate, source_key=key,
                            note="Employee: panels are part of the paid job" if employed and rate == 0 else "")
            await line.save()
            await audit.record(None, "create", "coproduction_line", line.id, organisation_id=org, via="system",
                               source="recruitment panel")
    except Exception as exc:
        if is_unique_violation(exc):  # another instance recorded it meanwhile
            return False
        raise
    return True


async def record_panel_sittings(due: datetime) -> int:
    """Every lived-experience panel sitting over by ``due`` not yet recorded; returns how many."""
    recorded = 0
    done = set(await InvolvementLine.select(InvolvementLine.source_key).where(
        InvolvementLine.source_key.like("panel:%")).output(as_list=True))
    for sitting in await lived_experience_sittings(due):
        if line_key(sitting) not in done:
            recorded += await record_sitting(sitting)
    return recorded
