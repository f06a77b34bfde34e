"""Staff records on the home page (when they were last imported) and a person's assignments."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from peerwork.core.access import Principal
from peerwork.core.tables import AuditLog
from peerwork.core.time import now
from peerwork.core.todo import PersonFact, PersonSection, TodoItem
from peerwork.workforce.people import list_assignments

SECTION = "Staff records"
STALE_AFTER_DAYS = 35  # ESR extracts are monthly: older than a month and a bit is a missed one


async def _last_import(organisation_id: UUID) -> dict | None:
    return await AuditLog.select(AuditLog.at, AuditLog.detail).where(
        (AuditLog.organisation == organisation_id) & (AuditLog.action == "import")
        & (AuditLog.table_name == "assignment")
    ).order_by(AuditLog.at, ascending=False).output(load_json=True).first()


async def todo(principal: Principal) -> list[TodoItem]:
    if not principal.can("assignments:import"):
        return []
    last = await _last_import(principal.organisation_id)
    if last is None:
        return [TodoItem(kind="workforce.no_import", section=SECTION, priority="urgent", href="/import",
                         title="No staff records imported yet: import your ESR extract",
                         detail="Every figure counts the people in post from these records.")]
    days = (now() - last["at"]).days
    detail = last["detail"] or {}
    rejected = int(detail.get("rejected") or 0)
    title = (f"Staff records last imported {days} {'day' if days == 1 else 'days'} ago: "
             f"{detail.get('created', 0)} created, {detail.get('updated', 0)} updated")
    if rejected:
        title += f", {rejected} {'row' if rejected == 1 else 'rows'} rejected"
    stale = days > STALE_AFTER_DAYS
    return [TodoItem(kind="workforce.import", section=SECTION, href="/import", due=last["at"].date(),
                     priority="soon" if stale or rejected else "info", title=title,
                     detail="Import this month's extract." if stale else
                     "Fix the rejected rows and import again." if rejected else None)]


def _spell(a) -> str:
    until = f"to {a.end_date}" if a.end_date else "to now"
    return f"{a.team or 'no team'}, from {a.start_date} {until}" + (" (lived-experience role)"
                                                                      if a.lived_experience_role else "")


async def person(principal: Principal, person_id: UUID) -> PersonSection | None:
    """Employment assignments, for those who may read them (reading them is audited)."""
    if not principal.can("assignments:read"):
        return None
    today = date.today()
    rows = await list_assignments(principal, person_id=person_id, limit=1000)
    facts = [PersonFact(label=a.position_title + (" (current)" if a.start_date <= today and
                                                  (a.end_date is None or a.end_date >= today) else ""),
                        value=_spell(a)) for a in sorted(rows, key=lambda a: a.start_date, reverse=True)]
    return PersonSection(kind="assignments", title="Assignments", facts=facts, empty="No assignments on record.")


TODO = todo
PERSON = person
