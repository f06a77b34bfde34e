"""A vacancy's status changes, and what ending one does to the applications still in progress.

Filling or withdrawing a vacancy ends every application not yet decided as a panel decision
would: a booked interview is released (the applicant and the panel get the cancellation), the
applicant gets a kind letter saying the post has gone, and the ending is recorded and audited.
Nobody is left waiting on a post that no longer exists.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import Conflict
from peerwork.core.time import now
from peerwork.recruitment.schemas import VacancyOut
from peerwork.recruitment.scoring import record_decision
from peerwork.recruitment.tables import Application, PanelMember, Vacancy
from peerwork.recruitment.vacancies import TRANSITIONS, get_vacancy, seat

IN_PROGRESS = ["submitted", "shortlisted", "offered"]
ENDINGS = ("filled", "withdrawn")


async def set_status(principal: Principal, vacancy_id: UUID, status: str) -> VacancyOut:
    principal.require("recruitment:manage")
    found = await seat(principal, vacancy_id)
    current = found.vacancy["status"]
    if status == current:
        return await get_vacancy(principal, vacancy_id)
    if status not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing"
        raise Conflict(f"A {current} vacancy cannot become {status} (it can become: {allowed}).")
    if status == "open" and not await PanelMember.exists().where(PanelMember.vacancy == vacancy_id):
        raise Conflict("Add a panel before opening the vacancy.")
    if status == "filled":
        hired = await Application.count().where((Application.vacancy == vacancy_id) & (Application.status == "hired"))
        if hired == 0:
            raise Conflict("Nobody has been hired yet: withdraw the vacancy instead.")
    changes: dict[Any, Any] = {Vacancy.status: status}
    if status == "open" and found.vacancy["opened_at"] is None:
        changes[Vacancy.opened_at] = now()
    async with transaction():
        if status in ENDINGS:
            changes[Vacancy.finished_at] = now()
            await end_applications_in_progress(principal, vacancy_id, status)
        await Vacancy.update(changes).where(Vacancy.id == vacancy_id)
        await audit.record(principal, "update", "vacancy", vacancy_id, fields=["status"])
    return await get_vacancy(principal, vacancy_id)


async def applications_in_progress(vacancy_id: UUID) -> int:
    return await Application.count().where(
        (Application.vacancy == vacancy_id) & Application.status.is_in(IN_PROGRESS))


async def end_applications_in_progress(principal: Principal, vacancy_id: UUID, ending: str) -> int:
    """Every application not yet decided becomes unsuccessful (starting its retention clock),
    each told why; call inside the transaction that ends the vacancy. Returns how many."""
    rows = await Application.select(Application.all_columns()).where(
        (Application.vacancy == vacancy_id) & Application.status.is_in(IN_PROGRESS)
    ).output(load_json=True)
    for row in rows:
        await record_decision(principal, row, "reject", "unsuccessful", note=f"The vacancy was {ending}.",
                              letter=f"vacancy_{ending}")
    return len(rows)
