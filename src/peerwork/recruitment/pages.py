"""Recruitment pages: the public vacancy and application form, the applicant's private link,
and the recruiter's and panel's pages. Handlers parse forms and call one service each."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, get_args
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Redirect, Template
from msgspec import Meta, Struct

from peerwork.core.time import in_london, london_today
from peerwork.core.errors import DomainError, InvalidInput
from peerwork.recruitment import applications, funnel, guide, hiring, interviews, scoring, lifecycle, vacancies
from peerwork.recruitment import funnel_equality, history_pages
from peerwork.recruitment.applications import ACTIVE, EQUALITY_QUESTIONS, PREFER_NOT, ApplicationForm
from peerwork.recruitment.schemas import (
    Band, ConflictsIn, DayIn, DecisionIn, HireIn, PanelMemberIn, ScoreIn, ScoresIn, StatusIn, VacancyIn,
)
from peerwork.web.feedback import Confirmation, ask, confirmed, notice_for, redirect_with_notice
from peerwork.web.shell import FORM, form_to, render, signed_in_principal
from peerwork.core.access import ROLE_LABELS

BANDS = get_args(Band)  # the API's own list, so the page offers exactly what it accepts
MAX_FORM_BYTES = 96 * 1024  # a generous application; anything bigger is not a person typing
EQUALITY_LABELS = {"age": "Age", "sex": "Sex", "ethnicity": "Ethnic group", "disability": "Do you consider yourself disabled?",
                   "sexual_orientation": "Sexual orientation", "religion": "Religion or belief"}
STATUS_LABELS = {"submitted": "Received", "shortlisted": "Shortlisted: please book an interview",
                 "offered": "Offered", "hired": "Hired", "unsuccessful": "Not taken forward",
                 "withdrawn": "Withdrawn"}

# What each change says once done (see peerwork.web.feedback): fixed texts chosen by key.
APPLICANT_NOTICES = {
    "booked": "Your interview is booked. A calendar invitation is on its way to you and to the panel.",
    "cancelled": "Your interview is cancelled. You and the panel are sent a calendar cancellation.",
    "withdrawn": "Your application is withdrawn. Thank you for your interest.",
}
VACANCY_NOTICES = {
    "created": "Vacancy created as a draft. Next: add the panel.",
    "panel": "Panel member saved.",
    "conflicts": "Your declaration of conflicts is recorded.",
    "day": "Recruitment day added: shortlisted applicants can book these times.",
    "status-open": "The vacancy is open: its public page takes applications.",
    "status-closed": "The vacancy is closed to applications: the panel can now score.",
    "status-shortlisting": "The vacancy is at shortlisting.",
    "status-interviewing": "The vacancy is at interviewing.",
    "status-filled": "The vacancy is marked filled.",
    "status-withdrawn": "The vacancy is withdrawn.",
}
APPLICATION_NOTICES = {
    "scores": "Your scores are saved.",
    "shortlist": "Shortlisted. The applicant is emailed and can book an interview through their private link.",
    "offer": "Offer recorded. The applicant is emailed that the panel would like to offer them the post.",
    "reject": "Recorded as not taken forward. The applicant is emailed.",
}
# Status changes that end something for good or stop applications: asked before they happen.
CONFIRM_STATUSES = {"closed", "filled", "withdrawn"}


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# --- public --------------------------------------------------------------------------------

@get("/jobs/{org_slug:str}", include_in_schema=False)
async def jobs_page(request: Request, org_slug: str) -> Template:
    org, rows = await vacancies.open_public_vacancies(org_slug)
    return render(request, "jobs.html", title=f"Peer roles at {org['name']}", org=org, vacancies=rows)


async def _job(request: Request, org_slug: str, vacancy_id: UUID, *, status_code: int = 200,
               form: dict[str, str] | None = None, errors: list[dict[str, str]] | None = None) -> Template:
    org, vacancy = await vacancies.public_vacancy(org_slug, vacancy_id)
    return render(request, "job.html", status_code=status_code, title=vacancy["title"], org=org, vacancy=vacancy,
                  form=form or {}, errors=errors or [], problems={e["field"]: e["problem"] for e in errors or []},
                  equality=EQUALITY_QUESTIONS, equality_labels=EQUALITY_LABELS, prefer_not=PREFER_NOT)


@get("/jobs/{org_slug:str}/{vacancy_id:uuid}", include_in_schema=False)
async def job_page(request: Request, org_slug: str, vacancy_id: UUID) -> Template:
    return await _job(request, org_slug, vacancy_id)


@post("/jobs/{org_slug:str}/{vacancy_id:uuid}", include_in_schema=False, status_code=201,
      request_max_body_size=MAX_FORM_BYTES)
async def apply(request: Request, org_slug: str, vacancy_id: UUID, data: Annotated[dict[str, str], FORM]) -> Template:
    found = await applications.open_vacancy(org_slug, vacancy_id)  # read once, for the form and the save
    vacancy = found[1]
    form = ApplicationForm(
        name=data.get("name", ""), email=data.get("email", ""), phone=data.get("phone", ""),
        answers={v: data.get(f"answer_{i}", "") for i, v in enumerate(vacancy["peer_values"])},
        statement=data.get("statement", ""), adjustments=data.get("adjustments", ""),
        equality={q: data.get(f"eq_{q}", "") for q in EQUALITY_QUESTIONS},
    )
    try:
        done = await applications.submit(org_slug, vacancy_id, form, client=client_of(request), found=found)
    except InvalidInput as exc:
        return await _job(request, org_slug, vacancy_id, status_code=422, form=data, errors=exc.errors)
    return render(request, "applied.html", status_code=201, title="Application sent", vacancy=vacancy,
                  reference=done.reference, link=applications.status_link(done.token))


async def _applicant(request: Request, token: str, *, status_code: int = 200, error: str | None = None) -> Template:
    row = await applications.by_token(token)
    slots = await interviews.open_slots(row["vacancy"]) if row["status"] == "shortlisted" else []
    return render(request, "applicant.html", status_code=status_code, title="Your application", a=row, token=token,
                  slots=slots, status_label=STATUS_LABELS.get(row["status"], row["status"]), local=in_london, error=error,
                  notice=None if error else notice_for(request, APPLICANT_NOTICES))


def _interview_when(row) -> str:
    start, end = in_london(row["slot_start"]), in_london(row["slot_end"])
    return f"{start:%A %-d %B %Y, %H:%M} to {end:%H:%M}" + (f", {row['slot_location']}" if row["slot_location"] else "")


@get("/application/{token:str}", include_in_schema=False)
async def applicant_page(request: Request, token: str) -> Template:
    return await _applicant(request, token)


@post("/application/{token:str}/book", include_in_schema=False, status_code=303)
async def book_page(request: Request, token: str, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    try:
        await interviews.book(token, UUID(data.get("slot_id", "")))
    except ValueError:
        return await _applicant(request, token, status_code=400, error="Choose an interview time.")
    except DomainError as exc:
        if exc.status_code == 404 and "link" in exc.detail:
            raise
        return await _applicant(request, token, status_code=exc.status_code, error=exc.detail)
    return redirect_with_notice(f"/application/{token}", "booked")


@post("/application/{token:str}/cancel-interview", include_in_schema=False, status_code=303)
async def cancel_interview_page(request: Request, token: str,
                                data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    row = await applications.by_token(token)
    if row["slot"] is None:
        return await _applicant(request, token, status_code=409, error="You have no interview booked.")
    if not confirmed(data):
        return ask(request, Confirmation(
            title=f"Cancel your interview for {row['title']}?", action=f"/application/{token}/cancel-interview",
            back=f"/application/{token}", button="Cancel my interview", fields=data,
            effects=[f"Your interview on {_interview_when(row)} is cancelled and the time is freed for others.",
                     "Your application stays in: you can book another time while times are open."],
            told=["You and each member of the interview panel get a calendar cancellation by email."]))
    await interviews.cancel_booking(token)
    return redirect_with_notice(f"/application/{token}", "cancelled")


@post("/application/{token:str}/withdraw", include_in_schema=False, status_code=303)
async def withdraw_page(request: Request, token: str, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    row = await applications.by_token(token)
    if row["status"] not in ACTIVE:
        return await _applicant(request, token, status_code=409, error="Your application is no longer active.")
    if not confirmed(data):
        effects = [f"Your application for {row['title']} (reference {row['reference']}) is withdrawn: the panel "
                   "stops considering it. This cannot be undone."]
        told = []
        if row["slot"] is not None:
            effects.append(f"Your interview on {_interview_when(row)} is cancelled.")
            told.append("You and each member of the interview panel get a calendar cancellation by email.")
        return ask(request, Confirmation(
            title=f"Withdraw your application for {row['title']}?", action=f"/application/{token}/withdraw",
            back=f"/application/{token}", button="Withdraw my application", fields=data,
            effects=effects + ["The recruitment team sees that you withdrew on the vacancy's page."], told=told))
    await applications.withdraw(token)
    return redirect_with_notice(f"/application/{token}", "withdrawn")


# --- staff ---------------------------------------------------------------------------------

@get("/recruitment", include_in_schema=False)
async def recruitment_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("recruitment:panel")
    return render(request, "recruitment.html", title="Recruitment", vacancies=await vacancies.list_vacancies(principal),
                  can_manage=principal.can("recruitment:manage"), can_funnel=principal.can("recruitment:funnel"))


@get("/recruitment/vacancies/new", include_in_schema=False)
async def new_vacancy_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("recruitment:manage")
    values = await vacancies.organisation_values(principal.organisation_id)
    return render(request, "vacancy_new.html", title="New vacancy", error=None, bands=BANDS,
                  teams=await vacancies.teams_for_select(principal),
                  form={"values": "\n".join(values.values), "posts": "1"})


@post("/recruitment/vacancies", include_in_schema=False, status_code=303)
async def create_vacancy_page(request: Request, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("recruitment:manage")
    try:
        # The values box holds one value a line; the schema decides what is allowed.
        vacancy = form_to(VacancyIn, data, title=data.get("title", "").strip(),
                          values=[v.strip() for v in data.get("values", "").splitlines() if v.strip()])
        made = await vacancies.create_vacancy(principal, vacancy)
    except DomainError as exc:
        return render(request, "vacancy_new.html", status_code=exc.status_code, title="New vacancy", error=exc.detail,
                      bands=BANDS, teams=await vacancies.teams_for_select(principal), form=data)
    return redirect_with_notice(f"/recruitment/vacancies/{made.id}", "created")


async def _vacancy(request: Request, vacancy_id: UUID, *, status_code: int = 200, error: str | None = None) -> Template:
    principal = signed_in_principal(request)
    vacancy = await vacancies.get_vacancy(principal, vacancy_id)
    seat = await vacancies.seat(principal, vacancy_id)
    me = next((p for p in vacancy.panel if p.account_id == principal.account_id), None)
    people = await vacancies.people_for_select(principal) if seat.manager else []
    apps = await applications.list_applications(principal, vacancy_id)
    slots = await interviews.list_slots(principal, vacancy_id)
    steps = guide.vacancy_guide(
        status=vacancy.status, panel_size=len(vacancy.panel),
        lived_experience_on_panel=any(p.lived_experience for p in vacancy.panel),
        undeclared=sum(1 for p in vacancy.panel if not p.declared), statuses=[a.status for a in apps],
        slots=len(slots), booked=sum(s.booked for s in slots), closing_date=vacancy.closing_date,
        today=london_today())
    return render(request, "vacancy.html", status_code=status_code, title=vacancy.title, v=vacancy, seat=seat, me=me,
                  error=error, apps=apps, slots=slots, people=people, guide=steps,
                  next_states=sorted(vacancies.TRANSITIONS[vacancy.status]), local=in_london,
                  can_funnel=principal.can("recruitment:funnel"), role_labels=ROLE_LABELS,
                  notice=None if error else notice_for(request, VACANCY_NOTICES))


@get("/recruitment/vacancies/{vacancy_id:uuid}", include_in_schema=False)
async def vacancy_page(request: Request, vacancy_id: UUID) -> Template:
    return await _vacancy(request, vacancy_id)


async def _on_vacancy(request: Request, vacancy_id: UUID, action, notice: str) -> Template | Redirect:
    try:
        await action(signed_in_principal(request))
    except (InvalidInput, DomainError) as exc:
        if exc.status_code in (401, 403, 404):
            raise
        return await _vacancy(request, vacancy_id, status_code=exc.status_code, error=exc.detail)
    return redirect_with_notice(f"/recruitment/vacancies/{vacancy_id}", notice)


async def _status_confirmation(request: Request, vacancy_id: UUID, status: str,
                               data: dict[str, str]) -> Confirmation | None:
    """What ending or closing this vacancy would do, or None when the change needs no asking."""
    principal = signed_in_principal(request)
    vacancy = await vacancies.get_vacancy(principal, vacancy_id)
    if status not in CONFIRM_STATUSES or status not in vacancies.TRANSITIONS[vacancy.status]:
        return None  # nothing to lose, or refused anyway: let the service say why
    apps = await applications.list_applications(principal, vacancy_id)
    active = sum(1 for a in apps if a.status in ACTIVE)
    if status == "closed":
        effects = [f"The public page for {vacancy.title} stops taking applications.",
                   f"Applications in progress ({active}) go to the panel to score.",
                   "You can reopen the vacancy later if you need more applicants."]
        button, title = "Close to applications", f"Close {vacancy.title} to applications?"
    else:
        ended = "withdrawn" if status == "withdrawn" else "marked filled"
        effects = [f"{vacancy.title} is {ended} for good: it cannot be reopened or changed.",
                   f"Applications still in progress ({active}) end as not taken forward." if active
                   else "No application is still in progress.",
                   "Any interview booked for them is cancelled." if active else ""]
        told = ([f"The {active} applicant{'s' if active != 1 else ''} still in progress, by email: the post has "
                 f"{'been withdrawn' if status == 'withdrawn' else 'been filled'}, with thanks.",
                 "Panel members of any interview booked for them, with a calendar cancellation."] if active else [])
        button = "Withdraw the vacancy" if status == "withdrawn" else "Mark the vacancy filled"
        title = f"{'Withdraw' if status == 'withdrawn' else 'Mark filled'}: {vacancy.title}?"
    return Confirmation(title=title, action=f"/recruitment/vacancies/{vacancy_id}/status",
                        back=f"/recruitment/vacancies/{vacancy_id}", button=button,
                        effects=[e for e in effects if e], told=told if status != "closed" else [], fields=data)


@post("/recruitment/vacancies/{vacancy_id:uuid}/status", include_in_schema=False, status_code=303)
async def status_page(request: Request, vacancy_id: UUID, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    try:
        status = form_to(StatusIn, data).status
    except InvalidInput as exc:
        return await _vacancy(request, vacancy_id, status_code=exc.status_code, error=exc.detail)
    if not confirmed(data):
        confirmation = await _status_confirmation(request, vacancy_id, status, data)
        if confirmation is not None:
            return ask(request, confirmation)
    return await _on_vacancy(request, vacancy_id, lambda p: lifecycle.set_status(p, vacancy_id, status),
                             f"status-{status}")


@post("/recruitment/vacancies/{vacancy_id:uuid}/panel", include_in_schema=False, status_code=303)
async def panel_page(request: Request, vacancy_id: UUID, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    return await _on_vacancy(request, vacancy_id, lambda p: vacancies.add_panel_member(
        p, vacancy_id, form_to(PanelMemberIn, data)), "panel")


@post("/recruitment/vacancies/{vacancy_id:uuid}/conflicts", include_in_schema=False, status_code=303)
async def conflicts_page(request: Request, vacancy_id: UUID, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    return await _on_vacancy(request, vacancy_id, lambda p: vacancies.declare_conflicts(
        p, vacancy_id, form_to(ConflictsIn, data).conflicts), "conflicts")


class DayPlan(Struct):
    """The day form's own fields: back-to-back slots of ``minutes`` from ``start`` until ``end``.
    The day, the place and each slot (with its ``capacity``) are checked by ``DayIn``."""

    start: time
    end: time
    minutes: Annotated[int, Meta(ge=15, le=240)] = 45
    capacity: int = 1


@post("/recruitment/vacancies/{vacancy_id:uuid}/days", include_in_schema=False, status_code=303)
async def day_page(request: Request, vacancy_id: UUID, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    async def add(principal):
        plan = form_to(DayPlan, data)
        slots, at = [], plan.start.hour * 60 + plan.start.minute
        stop = plan.end.hour * 60 + plan.end.minute
        while at + plan.minutes <= stop and len(slots) < 50:
            until = at + plan.minutes
            slots.append({"start": time(at // 60, at % 60), "end": time(until // 60, until % 60),
                          "capacity": plan.capacity})
            at = until
        if not slots:
            raise InvalidInput("No slot fits between those times.")
        await interviews.add_day(principal, vacancy_id, form_to(DayIn, data, slots=slots))
    return await _on_vacancy(request, vacancy_id, add, "day")


async def _application(request: Request, application_id: UUID, *, status_code: int = 200,
                       error: str | None = None, hired=None) -> Template:
    principal = signed_in_principal(request)
    app = await applications.read_application(principal, application_id)
    seat = await vacancies.seat(principal, app.vacancy_id)
    scores = await scoring.read_scores(principal, application_id)
    supervisors = []
    if seat.manager and app.status == "offered":
        rows = await vacancies.people_for_select(principal, ("supervisor", "peer_lead"), active_only=True)
        supervisors = list({s["account"]: s for s in rows}.values())
    return render(request, "application.html", status_code=status_code, title=f"Application {app.reference}",
                  a=app, v=seat.vacancy, seat=seat, scores=scores, error=error, hired=hired,
                  supervisors=supervisors, teams=await vacancies.teams_for_select(principal), today=date.today(),
                  notice=None if error or hired else notice_for(request, APPLICATION_NOTICES))


@get("/recruitment/applications/{application_id:uuid}", include_in_schema=False)
async def application_page(request: Request, application_id: UUID) -> Template:
    return await _application(request, application_id)


async def _on_application(request: Request, application_id: UUID, action, notice: str) -> Template | Redirect:
    try:
        await action(signed_in_principal(request))
    except DomainError as exc:
        if exc.status_code in (401, 403, 404):
            raise
        return await _application(request, application_id, status_code=exc.status_code, error=exc.detail)
    return redirect_with_notice(f"/recruitment/applications/{application_id}", notice)


@post("/recruitment/applications/{application_id:uuid}/scores", include_in_schema=False, status_code=303)
async def scores_page(request: Request, application_id: UUID, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    async def save(principal):
        app = await applications.read_application(principal, application_id)
        seat = await vacancies.seat(principal, app.vacancy_id)
        given = []
        for i, value in enumerate(seat.vacancy["peer_values"]):  # the form numbers its boxes by value
            try:
                given.append(form_to(ScoreIn, {"score": data.get(f"score_{i}", ""),
                                               "comment": data.get(f"comment_{i}", "")}, value=value))
            except InvalidInput as exc:  # name the box as the form labels it
                field, problem = exc.errors[0]["field"], exc.errors[0]["problem"]
                label = "Comment on" if field == "comment" else "Score for"
                raise InvalidInput(f"{label} {value}: {problem}",
                                   errors=[{"field": f"{field}_{i}", "problem": problem}]) from None
        await scoring.submit_scores(principal, application_id, form_to(ScoresIn, {}, scores=given).scores)
    return await _on_application(request, application_id, save, "scores")


async def _reject_confirmation(request: Request, application_id: UUID, data: dict[str, str]) -> Confirmation | None:
    """What "not taking forward" would do, or None when the application is past it (the service says why)."""
    principal = signed_in_principal(request)
    app = await applications.read_application(principal, application_id)
    if app.status not in ACTIVE:
        return None
    row, _ = await applications.application_seat(principal, application_id)
    booked = row["slot"] is not None
    who = f"{app.reference} ({app.name})" if app.name else app.reference
    applicant = f"{app.name} ({app.email})" if app.name else f"The applicant {app.reference}"
    effects = [f"Application {who} ends as not taken forward. This cannot be undone."]
    told = [f"{applicant} gets a short, kind email saying so, without scores or comments."]
    if booked:
        effects.append("Their interview is cancelled and its time freed.")
        told.append("They and each member of the interview panel get a calendar cancellation.")
    return Confirmation(title=f"Not take forward application {who}?",
                        action=f"/recruitment/applications/{application_id}/decision",
                        back=f"/recruitment/applications/{application_id}", button="Not taking forward",
                        effects=effects, told=told, fields=data)


@post("/recruitment/applications/{application_id:uuid}/decision", include_in_schema=False, status_code=303)
async def decision_page(request: Request, application_id: UUID, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    try:
        decision = form_to(DecisionIn, data)
    except InvalidInput as exc:
        return await _application(request, application_id, status_code=exc.status_code, error=exc.detail)
    if decision.decision == "reject" and not confirmed(data):
        confirmation = await _reject_confirmation(request, application_id, data)
        if confirmation is not None:
            return ask(request, confirmation)
    return await _on_application(request, application_id, lambda p: scoring.decide(
        p, application_id, decision.decision, decision.note), decision.decision)


@post("/recruitment/applications/{application_id:uuid}/hire", include_in_schema=False, status_code=200)
async def hire_page(request: Request, application_id: UUID, data: Annotated[dict[str, str], FORM]) -> Template:
    principal = signed_in_principal(request)
    try:
        hire = form_to(HireIn, data, employee_number=data.get("employee_number", "").strip())
        done = await hiring.hire(principal, application_id, hire)
    except DomainError as exc:
        if exc.status_code in (401, 403, 404):
            raise
        return await _application(request, application_id, status_code=exc.status_code, error=exc.detail)
    return await _application(request, application_id, hired=done)


@get("/recruitment/funnel", include_in_schema=False)
async def funnel_page(request: Request, year: int | None = None) -> Template:
    principal = signed_in_principal(request)
    per_vacancy, per_year = await funnel.funnel(principal, year)
    # The split by ethnicity and disability only for those with the equality right (audited read).
    split = await funnel_equality.equality_funnel(principal, year) if principal.can("recruitment:equality") else None
    return render(request, "funnel.html", title="Recruitment funnel", vacancies=per_vacancy, years=per_year, year=year,
                  equality_years=split)


@get("/recruitment/vacancies/{vacancy_id:uuid}/equality", include_in_schema=False)
async def equality_page(request: Request, vacancy_id: UUID) -> Template:
    principal = signed_in_principal(request)
    rows = await funnel.equality(principal, vacancy_id)
    vacancy = await vacancies.load_vacancy(principal.organisation_id, vacancy_id)
    return render(request, "equality.html", title=f"Equality monitoring: {vacancy['title']}", rows=rows,
                  labels=EQUALITY_LABELS, v=vacancy)


PAGES = [
    jobs_page, job_page, apply, applicant_page, book_page, cancel_interview_page, withdraw_page,
    recruitment_page, new_vacancy_page, create_vacancy_page, vacancy_page, status_page, panel_page, conflicts_page,
    day_page, application_page, scores_page, decision_page, hire_page, funnel_page, equality_page,
    *history_pages.PAGES,
]
