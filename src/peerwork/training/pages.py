"""Training pages: the course runs with places left, a run's page (book, book someone, cancel,
decline, approve), the training lead's schedule form and the trainer pool."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Redirect, Template

from peerwork.core.errors import DomainError, InvalidInput
from peerwork.core.time import in_london
from peerwork.training import places, runs
from peerwork.training.schemas import RunIn, TrainerIn
from peerwork.web.shell import FORM, form_to, render, signed_in_principal
from peerwork.training.attendance_pages import ATTENDANCE_PAGES

DELIVERY_LABELS = {"in_person": "In person", "online": "Online"}
NOTICES = {
    "booked": "Done: your place (or your request) is recorded.", "cancelled": "Your place is given up.",
    "booked-for": "Done: they have been told and can decline.", "declined": "You declined the place.",
    "approved": "Approved: the place is booked and they have been told.", "refused": "Refused: they have been told.",
    "scheduled": "The course is scheduled.", "run-cancelled": "The course run is cancelled; everyone booked was told.",
    "trainer": "The trainer pool is updated.",
}


def _context(**extra: Any) -> dict[str, Any]:
    return {"local": in_london, "delivery_labels": DELIVERY_LABELS, **extra}


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(f"{field}: choose someone from the list") from None


@get("/training", include_in_schema=False)
async def training_page(request: Request, done: str = "") -> Template:
    principal = signed_in_principal(request)
    principal.require("training:read")
    return render(request, "training.html", title="Training", runs=await runs.list_runs(principal),
                  mine=await places.my_requests(principal), awaiting=await places.awaiting_me(principal),
                  notice=NOTICES.get(done), **_context())


@get("/training/runs/{run_id:uuid}", include_in_schema=False)
async def run_page(request: Request, run_id: UUID, done: str = "") -> Template:
    principal = signed_in_principal(request)
    run = await runs.get_run(principal, run_id)
    return render(request, "training_run.html", title=run.title, run=run, people=await places.bookable_people(principal),
                  can_lead=principal.can("training:lead"), notice=NOTICES.get(done), **_context())


def _back(run_id: UUID, done: str) -> Redirect:
    return Redirect(f"/training/runs/{run_id}?done={done}", status_code=303)


@post("/training/runs/{run_id:uuid}/book", include_in_schema=False, status_code=303)
async def book_page(request: Request, run_id: UUID) -> Redirect:
    await places.book_self(signed_in_principal(request), run_id)
    return _back(run_id, "booked")


@post("/training/runs/{run_id:uuid}/cancel-place", include_in_schema=False, status_code=303)
async def cancel_place_page(request: Request, run_id: UUID) -> Redirect:
    await places.cancel_mine(signed_in_principal(request), run_id)
    return _back(run_id, "cancelled")


@post("/training/runs/{run_id:uuid}/book-for", include_in_schema=False, status_code=303)
async def book_for_page(request: Request, run_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    await places.book_other(signed_in_principal(request), run_id, _uuid(data.get("account_id", ""), "Person"))
    return _back(run_id, "booked-for")


@post("/training/runs/{run_id:uuid}/cancel-run", include_in_schema=False, status_code=303)
async def cancel_run_page(request: Request, run_id: UUID) -> Redirect:
    await runs.cancel_run(signed_in_principal(request), run_id)
    return _back(run_id, "run-cancelled")


@post("/training/requests/{request_id:uuid}/{answer:str}", include_in_schema=False, status_code=303)
async def request_page(request: Request, request_id: UUID, answer: str) -> Redirect:
    principal = signed_in_principal(request)
    if answer == "decline":
        await places.decline(principal, request_id)
        return Redirect("/training?done=declined", status_code=303)
    if answer not in ("approve", "refuse"):
        raise InvalidInput("answer: approve, refuse or decline")
    await places.decide(principal, request_id, approve=answer == "approve")
    return Redirect(f"/training?done={answer}d", status_code=303)


async def _schedule_form(request: Request, principal, *, error: str | None = None, form: dict | None = None,
                         status_code: int = 200) -> Template:
    courses = await runs.course_choices(principal)
    return render(request, "training_new.html", status_code=status_code, title="Schedule a course",
                  courses=courses, trainers=[t for t in await runs.list_trainers(principal) if t.active],
                  error=error, form=form or {}, **_context())


@get("/training/new", include_in_schema=False)
async def new_run_form(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("training:lead")
    return await _schedule_form(request, principal)


@post("/training/runs", include_in_schema=False, status_code=303)
async def schedule_page(request: Request) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("training:lead")
    submitted = await request.form()
    form = {k: v for k, v in submitted.items() if isinstance(v, str)}
    try:
        # One checkbox per trainer in the pool: the ticked ones make the list.
        made = await runs.schedule_run(principal, form_to(
            RunIn, form, trainer_ids=[_uuid(t, "trainer_ids") for t in submitted.getall("trainer_ids", [])],
            requires_approval=form.get("requires_approval") == "yes"))
    except DomainError as exc:
        return await _schedule_form(request, principal, error=exc.detail, form=form, status_code=exc.status_code)
    return Redirect(f"/training/runs/{made.id}?done=scheduled", status_code=303)


@get("/training/trainers", include_in_schema=False)
async def trainers_page(request: Request, done: str = "") -> Template:
    principal = signed_in_principal(request)
    return render(request, "training_trainers.html", title="Trainer pool", trainers=await runs.list_trainers(principal),
                  people=await places.bookable_people(principal), notice=NOTICES.get(done), error=None, **_context())


@post("/training/trainers", include_in_schema=False, status_code=303)
async def add_trainer_page(request: Request, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    await runs.add_trainer(principal, form_to(TrainerIn, data, active=data.get("active", "yes") == "yes"))
    return Redirect("/training/trainers?done=trainer", status_code=303)


PAGES = [training_page, run_page, book_page, cancel_place_page, book_for_page, cancel_run_page, request_page,
         new_run_form, schedule_page, trainers_page, add_trainer_page]
# My training sessions and their registers; trainers' records and the programme figure.
PAGES += ATTENDANCE_PAGES
