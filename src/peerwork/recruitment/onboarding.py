"""Onboarding a new hire: an invitation to sign in (their first-day email), induction from day
one, a buddy to confirm, first supervision.

Each step calls the capability that owns it (accounts, cpd, pairing, supervision) through its service,
so a hire onboards the same way from the API, a page, the CLI, a job or a test. A step that
cannot be done records a clear "pending" with what to do by hand; it never undoes the hire.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, time
from uuid import UUID

from peerwork.accounts.invitations import invite_new_starter
from peerwork.core.access import Principal
from peerwork.core.errors import DomainError
from peerwork.cpd.records import book_induction as book_induction_course
from peerwork.pairing.service import suggested_buddy
from peerwork.recruitment.schemas import OnboardingStep
from peerwork.supervision.agreements import create_agreement
from peerwork.supervision.schemas import AgreementIn


@dataclass(frozen=True)
class NewStarter:
    principal: Principal  # the recruiter who hired
    person_id: UUID
    account_id: UUID | None
    assignment_id: UUID
    start_date: date
    team_id: UUID | None
    supervisor_id: UUID | None


async def book_induction(starter: NewStarter) -> OnboardingStep:
    if starter.account_id is None:
        return OnboardingStep(step="induction", status="pending", detail="No account yet: book induction by hand.")
    title = await book_induction_course(starter.principal, starter.account_id, starter.start_date)
    if title is None:
        return OnboardingStep(step="induction", status="pending",
                              detail="There is no induction course in the catalogue: add one, then book it.")
    return OnboardingStep(step="induction", status="done",
                          detail=f"Booked on {title} from their first day, {starter.start_date:%-d %B %Y}.")


async def suggest_buddy(starter: NewStarter) -> OnboardingStep:
    if starter.account_id is None:
        return OnboardingStep(step="pairing", status="pending", detail="No account yet: suggest a buddy later.")
    best = await suggested_buddy(starter.principal, starter.account_id, starter.start_date)
    if best is None:
        return OnboardingStep(step="pairing", status="pending",
                              detail="No experienced peer with capacity fits yet: see Pairing to find a buddy.")
    return OnboardingStep(step="pairing", status="pending",
                          detail=f"Suggested buddy: {best.experienced_peer} (score {best.score}). Confirm it on the "
                                 "Pairing page: peerwork never pairs people without a person deciding.")


async def first_supervision(starter: NewStarter) -> OnboardingStep:
    if starter.supervisor_id is None or starter.account_id is None:
        return OnboardingStep(step="supervision", status="pending",
                              detail="No supervisor chosen at hire: set up a 1:1 supervision agreement.")
    try:
        agreement = await create_agreement(starter.principal, AgreementIn(
            supervisor_id=starter.supervisor_id, supervisee_id=starter.account_id, start_date=starter.start_date,
            window_start=time(10), window_end=time(16)))
    except DomainError as exc:
        return OnboardingStep(step="supervision", status="pending", detail=f"Could not set up supervision: {exc.detail}")
    return OnboardingStep(step="supervision", status="done",
                          detail=f"1:1 supervision with {agreement.supervisor} every {agreement.every_days} days.")


async def invite_to_sign_in(starter: NewStarter) -> OnboardingStep:
    if starter.account_id is None:
        return OnboardingStep(step="sign-in", status="pending",
                              detail="No email address: invite them to sign in from the people page once you have it.")
    invited = await invite_new_starter(starter.principal, starter.person_id, starter.start_date)
    return OnboardingStep(step="sign-in", status="done",
                          detail=f"Invited to sign in: a welcome email with a link to set a password went to "
                                 f"{invited.email}.")


STEPS: tuple[tuple[str, Callable[[NewStarter], Awaitable[OnboardingStep]]], ...] = (
    ("sign-in", invite_to_sign_in), ("induction", book_induction), ("pairing", suggest_buddy),
    ("supervision", first_supervision),
)


async def start(starter: NewStarter) -> list[OnboardingStep]:
    steps = []
    for step, run in STEPS:
        try:
            steps.append(await run(starter))
        except DomainError as exc:  # one step failing must not undo the hire
            steps.append(OnboardingStep(step=step, status="pending", detail=exc.detail))
    return steps
