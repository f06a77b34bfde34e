"""What CPD and pairing do for a new hire (plugged into recruitment's onboarding hooks).

Training from day one: the new starter gets a booked place on the organisation's induction
course dated their first day. Pairing: the optimiser's suggested buddy is shown to the
recruiter to confirm — never paired automatically (special-category data; a person decides).
"""

from __future__ import annotations

from decimal import Decimal

from peerwork.community.pairing_service import suggestions
from peerwork.recruitment import onboarding
from peerwork.recruitment.onboarding import NewStarter
from peerwork.recruitment.schemas import OnboardingStep
from peerwork.workforce import audit
from peerwork.workforce.cpd_tables import Course, CpdRecord


async def book_induction(starter: NewStarter) -> OnboardingStep:
    if starter.account_id is None:
        return OnboardingStep(step="induction", status="pending", detail="No account yet: book induction by hand.")
    course = await Course.select(Course.id, Course.title, Course.hours).where(
        (Course.organisation == starter.principal.organisation_id) & (Course.kind == "induction")
    ).first()
    if course is None:
        return OnboardingStep(step="induction", status="pending",
                              detail="There is no induction course in the catalogue: add one, then book it.")
    record = CpdRecord(organisation=starter.principal.organisation_id, account=starter.account_id,
                       course=course["id"], activity=course["title"], done_on=starter.start_date,
                       hours=Decimal(str(course["hours"] or 0)), status="booked")
    await record.save()
    await audit.record(starter.principal, "create", "cpd_record", record.id, kind="induction")
    return OnboardingStep(step="induction", status="done",
                          detail=f"Booked on {course['title']} from their first day, {starter.start_date:%-d %B %Y}.")


async def suggest_buddy(starter: NewStarter) -> OnboardingStep:
    if starter.account_id is None:
        return OnboardingStep(step="pairing", status="pending", detail="No account yet: suggest a buddy later.")
    found = await suggestions(starter.principal, "new_starters", starter.start_date)
    mine = [s for s in found.suggestions if s.new_peer_id == starter.account_id]
    if not mine:
        return OnboardingStep(step="pairing", status="pending",
                              detail="No experienced peer with capacity fits yet: see Pairing to find a buddy.")
    best = mine[0]
    return OnboardingStep(step="pairing", status="pending",
                          detail=f"Suggested buddy: {best.experienced_peer} (score {best.score}). Confirm it on the "
                                 "Pairing page: peerwork never pairs people without a person deciding.")


def register() -> None:
    onboarding.register("induction", book_induction)
    onboarding.register("pairing", suggest_buddy)
