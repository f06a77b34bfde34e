"""Onboarding a new hire: hooks other capabilities plug into.

Hiring calls every hook in order with a :class:`NewStarter`. Induction training and pairing
are owned by other domains; until they register a hook (``register("induction", fn)``) the
placeholder records a clear "pending" step, so the recruiter sees what still needs doing by
hand. The first supervision agreement is made here, through the supervision service, when a
supervisor was chosen at hire.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, time
from uuid import UUID

from peerwork.errors import DomainError
from peerwork.recruitment.schemas import OnboardingStep
from peerwork.supervision.agreements import create_agreement
from peerwork.supervision.schemas import AgreementIn
from peerwork.workforce.access import Principal


@dataclass(frozen=True)
class NewStarter:
    principal: Principal  # the recruiter who hired
    person_id: UUID
    account_id: UUID | None
    assignment_id: UUID
    start_date: date
    team_id: UUID | None
    supervisor_id: UUID | None


Hook = Callable[[NewStarter], Awaitable[OnboardingStep]]


async def book_induction(starter: NewStarter) -> OnboardingStep:
    """Placeholder until training records register an ``induction`` hook (training from day one)."""
    return OnboardingStep(step="induction", status="pending",
                          detail=f"Book induction training starting {starter.start_date:%-d %B %Y}: "
                                 "no training capability is connected yet, so book it by hand.")


async def suggest_pairing(starter: NewStarter) -> OnboardingStep:
    """Placeholder until pairing registers a ``pairing`` hook (a buddy for the new starter)."""
    return OnboardingStep(step="pairing", status="pending",
                          detail="Suggest an experienced peer as a buddy: pairing suggestions are not connected yet.")


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


HOOKS: dict[str, Hook] = {"induction": book_induction, "pairing": suggest_pairing, "supervision": first_supervision}


def register(step: str, hook: Hook) -> None:
    """Replace a placeholder (or add a step): called by the capability that owns it."""
    HOOKS[step] = hook


async def start(starter: NewStarter) -> list[OnboardingStep]:
    steps = []
    for step, hook in list(HOOKS.items()):
        try:
            steps.append(await hook(starter))
        except DomainError as exc:  # one step failing must not undo the hire
            steps.append(OnboardingStep(step=step, status="pending", detail=exc.detail))
    return steps
