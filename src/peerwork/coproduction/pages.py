"""Co-production pages: activities and recording one, the policy and who is paid under it,
finance's export and payments, and each person's own record. Forms are turned into the API's
schemas (``form_to``), so a page refuses exactly what the API refuses."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from peerwork.core.errors import DomainError, InvalidInput
from peerwork.coproduction import activities, participants, payments, policy
from peerwork.coproduction.money import hours, minutes_from_hours, pence_from_pounds, pounds
from peerwork.coproduction.schemas import (
    KIND_LABELS, KINDS, PREFERENCE_LABELS, ActivityIn, CorrectionIn, LineEdit, LineIn, PaidIn, ParticipantIn,
    PolicyIn, PreferenceIn,
)
from peerwork.web.shell import FORM, form_to, render, signed_in_principal

ROWS = 8  # people on the record-an-activity form; more are added on the activity's page
NOTICES = {"policy": "The involvement policy is saved. It applies to lines recorded from now on.",
           "participant": "Saved.", "line": "The line is saved.", "correction": "The correction is recorded as due.",
           "paid": "Marked paid."}


def _context(**extra: Any) -> dict[str, Any]:
    return {"kinds": KINDS, "kind_labels": KIND_LABELS, "preference_labels": PREFERENCE_LABELS, "pounds": pounds,
            "hours": hours, **extra}


def _number(convert, text: str, field: str) -> int:
    try:
        return convert(text)
    except ValueError as exc:
        raise InvalidInput(f"{field}: {exc}") from None


def lines_from_form(form: dict[str, str]) -> list[dict[str, Any]]:
    """The form's rows of person, hours and expenses (a row without a person is left out)."""
    lines = []
    for i in range(ROWS):
        chosen = form.get(f"participant_{i}", "")
        if not chosen:
            continue
        lines.append(msgspec.to_builtins(form_to(LineIn, {}, participant_id=chosen,
                             minutes=str(_number(minutes_from_hours, form.get(f"hours_{i}", ""), f"Row {i + 1} hours")),
                             expenses_pence=str(_number(pence_from_pounds, form.get(f"expenses_{i}", ""),
                                                        f"Row {i + 1} expenses")))))
    return lines


@get("/coproduction", include_in_schema=False)
async def activities_page(request: Request, start: date | None = None, end: date | None = None) -> Template:
    principal = signed_in_principal(request)
    listed = await activities.list_activities(principal, start, end)
    return render(request, "coproduction.html", title="Co-production", activities=listed, start=start, end=end,
                  can_finance=principal.can("coproduction:finance"), **_context())


async def _new_form(request: Request, principal, *, error: str | None = None, form: dict | None = None,
                    status_code: int = 200) -> Template:
    return render(request, "coproduction_new.html", status_code=status_code, title="Record an activity",
                  people=await participants.list_participants(principal), rows=range(ROWS), error=error,
                  form=form or {}, **_context())


@get("/coproduction/new", include_in_schema=False)
async def new_activity_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("coproduction:manage")
    return await _new_form(request, principal)


@post("/coproduction/activities", include_in_schema=False, status_code=303)
async def record_activity_page(request: Request, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("coproduction:manage")
    try:
        made = await activities.create_activity(principal, form_to(ActivityIn, data, lines=lines_from_form(data)))
    except DomainError as exc:
        return await _new_form(request, principal, error=exc.detail, form=data, status_code=exc.status_code)
    return Redirect(f"/coproduction/activities/{made.id}", status_code=303)


@get("/coproduction/activities/{activity_id:uuid}", include_in_schema=False)
async def activity_page(request: Request, activity_id: UUID, done: str = "") -> Template:
    principal = signed_in_principal(request)
    found = await activities.get_activity(principal, activity_id)
    return render(request, "coproduction_activity.html", title=found.title, activity=found,
                  people=await participants.list_participants(principal), notice=NOTICES.get(done), **_context())


def _time_and_expenses(data: dict[str, str]) -> dict[str, str]:
    """A line form's hours and pounds as the API's minutes and pence (each refused by name)."""
    return {"minutes": str(_number(minutes_from_hours, data.get("hours", ""), "hours")),
            "expenses_pence": str(_number(pence_from_pounds, data.get("expenses", ""), "expenses"))}


@post("/coproduction/activities/{activity_id:uuid}/lines", include_in_schema=False, status_code=303)
async def add_line_page(request: Request, activity_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    await activities.add_line(principal, activity_id, form_to(
        LineIn, data, **_time_and_expenses(data)))
    return Redirect(f"/coproduction/activities/{activity_id}?done=line", status_code=303)


@post("/coproduction/lines/{line_id:uuid}", include_in_schema=False, status_code=303)
async def edit_line_page(request: Request, line_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    line = await activities.edit_line(principal, line_id, form_to(
        LineEdit, {}, **_time_and_expenses(data)))
    return Redirect(f"/coproduction/activities/{line.activity_id}?done=line", status_code=303)


@post("/coproduction/lines/{line_id:uuid}/correction", include_in_schema=False, status_code=303)
async def correct_line_page(request: Request, line_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    line = await activities.correct_line(principal, line_id, form_to(
        CorrectionIn, data, **_time_and_expenses(data)))
    return Redirect(f"/coproduction/activities/{line.activity_id}?done=correction", status_code=303)


@get("/coproduction/policy", include_in_schema=False)
async def policy_page(request: Request, done: str = "") -> Template:
    principal = signed_in_principal(request)
    return render(request, "coproduction_policy.html", title="Involvement policy",
                  policy=await policy.get_policy(principal), people=await participants.list_participants(principal),
                  staff=await participants.staff_choices(principal), notice=NOTICES.get(done), **_context())


@post("/coproduction/policy", include_in_schema=False, status_code=303)
async def save_policy_page(request: Request, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    rates = {kind: str(_number(pence_from_pounds, data.get(f"rate_{kind}", ""), f"{KIND_LABELS[kind]} rate"))
             for kind in KINDS}
    await policy.set_policy(principal, form_to(
        PolicyIn, {}, rates=rates, reimburse_expenses=data.get("reimburse_expenses", "no"),
        pay_employees_for_panels=data.get("pay_employees_for_panels", "no")))
    return Redirect("/coproduction/policy?done=policy", status_code=303)


@post("/coproduction/participants", include_in_schema=False, status_code=303)
async def add_participant_page(request: Request, data: Annotated[dict[str, str], FORM]) -> Redirect:
    await participants.add_participant(signed_in_principal(request), form_to(ParticipantIn, data))
    return Redirect("/coproduction/policy?done=participant", status_code=303)


@post("/coproduction/participants/{participant_id:uuid}", include_in_schema=False, status_code=303)
async def preference_page(request: Request, participant_id: UUID, data: Annotated[dict[str, str], FORM]) -> Redirect:
    await participants.set_preference(signed_in_principal(request), participant_id,
                                      form_to(PreferenceIn, data).preference)
    return Redirect("/coproduction/policy?done=participant", status_code=303)


@get("/coproduction/mine", include_in_schema=False)
async def mine_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    return render(request, "coproduction_mine.html", title="My involvement",
                  record=await payments.my_record(principal), **_context())


@get("/coproduction/finance", include_in_schema=False)
async def finance_page(request: Request, start: date | None = None, end: date | None = None, done: str = "") -> Template:
    principal = signed_in_principal(request)
    principal.require("coproduction:finance")
    start, end = payments.date_range(start, end)
    return render(request, "coproduction_finance.html", title="Involvement payments due", start=start, end=end,
                  due=await payments.due_rows(principal, start, end), notice=NOTICES.get(done), **_context())


@get("/coproduction/finance/due.csv", include_in_schema=False)
async def finance_csv_page(request: Request, start: date | None = None, end: date | None = None) -> Response[str]:
    body = await payments.due_csv(signed_in_principal(request), start, end)
    return Response(body, media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="involvement-due.csv"'})


@post("/coproduction/finance/paid", include_in_schema=False, status_code=303)
async def mark_paid_page(request: Request) -> Redirect:
    principal = signed_in_principal(request)
    submitted = await request.form()
    form = {k: v for k, v in submitted.items() if isinstance(v, str)}
    await payments.mark_paid(principal, form_to(PaidIn, form, line_ids=list(submitted.getall("line_ids", []))))
    return Redirect("/coproduction/finance?done=paid", status_code=303)


PAGES = [activities_page, new_activity_page, record_activity_page, activity_page, add_line_page, edit_line_page,
         correct_line_page, policy_page, save_policy_page, add_participant_page, preference_page, mine_page,
         finance_page, finance_csv_page, mark_paid_page]
