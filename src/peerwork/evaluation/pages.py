"""Evaluation pages: answering a questionnaire from the emailed link (no sign-in needed: the
link is the key), and the training lead's course evaluations, in aggregate only."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Template

from peerwork.core.errors import DomainError, InvalidInput
from peerwork.evaluation import answering, editor_pages, questionnaires, report
from peerwork.evaluation.schemas import AnswerIn
from peerwork.web.shell import FORM, render, signed_in_principal

MAX_FORM_BYTES = 256 * 1024


def answers_from_form(items: list[dict[str, Any]], form: dict[str, Any]) -> list[AnswerIn]:
    """The form's answers, item by item (a blank item is simply not answered)."""
    answers = []
    for item in items:
        raw = form.get(item["key"])
        if not isinstance(raw, str) or not raw.strip():
            continue
        if item["kind"] == "likert":
            if raw not in {"1", "2", "3", "4", "5"}:
                raise InvalidInput(f"{item['text']}: choose one of the five answers.")
            answers.append(AnswerIn(item=item["key"], score=int(raw)))
        else:
            answers.append(AnswerIn(item=item["key"], text=raw[:4000]))
    return answers


def _problem(request: Request, exc: DomainError) -> Template:
    return render(request, "link_problem.html", status_code=exc.status_code, title="Questionnaire",
                  message=exc.detail, again=None)


@get("/evaluation/answer/{token:str}", include_in_schema=False)
async def answer_page(request: Request, token: str) -> Template:
    try:
        found = await answering.invitation(token)
    except DomainError as exc:
        return _problem(request, exc)
    return render(request, "evaluation_answer.html", title="A few questions", found=found, error=None, form={})


@post("/evaluation/answer/{token:str}", include_in_schema=False, request_max_body_size=MAX_FORM_BYTES)
async def submit_answers(request: Request, token: str, data: Annotated[dict[str, Any], FORM]) -> Template:
    try:
        found = await answering.invitation(token)
    except DomainError as exc:
        return _problem(request, exc)
    try:
        await answering.submit(token, answers_from_form(found.items, data))
    except answering.AnswerLinkNotUsable as exc:
        return _problem(request, exc)
    except DomainError as exc:
        return render(request, "evaluation_answer.html", status_code=exc.status_code, title="A few questions",
                      found=found, error=exc.detail, form={k: v for k, v in data.items() if isinstance(v, str)})
    return render(request, "evaluation_thanks.html", title="Thank you")


@get("/evaluation", include_in_schema=False)
async def evaluation_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("training:lead")
    return render(request, "evaluation.html", title="Course evaluation",
                  courses=await questionnaires.course_choices(principal),
                  chosen=await questionnaires.chosen_for_courses(principal))


@get("/evaluation/courses/{course_id:uuid}", include_in_schema=False)
async def course_report_page(request: Request, course_id: UUID) -> Template:
    principal = signed_in_principal(request)
    found = await report.course_report(principal, course_id)
    return render(request, "evaluation_report.html", title=f"Evaluation: {found.course_title}", report=found)


PAGES = [answer_page, submit_answers, evaluation_page, course_report_page, *editor_pages.PAGES]
