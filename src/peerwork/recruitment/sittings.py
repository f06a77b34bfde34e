"""Who sat on which interview day as a lived-experience panel member: read-only, for
co-production, which records their involvement (and what is due) once the day is over.

A day counts once every slot on it has ended; its time is the length of the slots on it that
have an applicant booked (an empty slot was not an interview). A slot stays booked once its
interview has ended, whatever is decided after (``invites.release_slot`` keeps it), so a day
reads the same however late it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from peerwork.recruitment.tables import Application, InterviewSlot, PanelMember


@dataclass(frozen=True)
class Sitting:
    organisation_id: UUID
    vacancy_id: UUID
    vacancy_title: str
    day: date
    panel_member_id: UUID
    account_id: UUID
    display_name: str
    email: str
    person_id: UUID | None
    minutes: int  # interviewing time on the day


async def lived_experience_sittings(until: datetime) -> list[Sitting]:
    """Every lived-experience panel member's sitting on an interview day over by ``until``."""
    booked = set(await Application.select(Application.slot).where(
        Application.slot.is_not_null()).output(as_list=True))
    if not booked:
        return []
    slots = await InterviewSlot.select(
        InterviewSlot.id, InterviewSlot.organisation, InterviewSlot.vacancy, InterviewSlot.day,
        InterviewSlot.start, InterviewSlot.end, InterviewSlot.vacancy.title.as_alias("title"))
    days: dict[tuple[UUID, date], dict] = {}
    for s in slots:
        day = days.setdefault((s["vacancy"], s["day"]), {"organisation": s["organisation"], "title": s["title"],
                                                         "last_end": s["end"], "minutes": 0})
        day["last_end"] = max(day["last_end"], s["end"])
        if s["id"] in booked:
            day["minutes"] += int((s["end"] - s["start"]).total_seconds() // 60)
    held = {key: d for key, d in days.items() if d["last_end"] <= until and d["minutes"] > 0}
    if not held:
        return []
    members = await PanelMember.select(
        PanelMember.id, PanelMember.vacancy, PanelMember.account, PanelMember.account.display_name.as_alias("name"),
        PanelMember.account.email.as_alias("email"), PanelMember.account.person.as_alias("person")).where(
        (PanelMember.lived_experience == True) & PanelMember.vacancy.is_in(list({v for v, _ in held})))  # noqa: E712
    return [Sitting(organisation_id=d["organisation"], vacancy_id=vacancy, vacancy_title=d["title"], day=day,
                    panel_member_id=m["id"], account_id=m["account"], display_name=m["name"], email=m["email"],
                    person_id=m["person"], minutes=d["minutes"])
            for (vacancy, day), d in sorted(held.items(), key=lambda kv: (kv[0][1], str(kv[0][0])))
            for m in members if m["vacancy"] == vacancy]
