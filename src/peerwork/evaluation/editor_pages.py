"""Questionnaire pages for training leads: list questionnaires and their versions, create one,
edit one (saved as the next version by the same service the API uses), choose one for a
catalogue course, and send a course's questionnaire to chosen people now.

Items are typed one a line, so a questionnaire of any length is one plain text box:
``likert: statement`` or ``text: question``, with ``| Peer value`` at the end to tie an item
to one of the organisation's peer values."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.response import Redirect, Template

from peerwork.core.errors import DomainError, InvalidInput
from peerwork.evaluation import answering, questionnaires
from peerwork.evaluation.schemas import QuestionnaireEdit, QuestionnaireIn
from peerwork.web.feedback import notice_for, redirect_with_notice
from peerwork.web.shell import FORM, render, signed_in_principal

HOME = "/evaluation/questionnaires"
KINDS = {"likert": "likert", "text": "text", "free text": "text"}
NOTICES = {"created": "Questionnaire saved as version 1.", "edited": "Saved as a new version; earlier answers keep "
           "the wording they answered.", "attached": "Questionnaire chosen for the course.",
           "sent": "Questionnaire sent: each person gets an email with their own link."}


def items_from_lines(lines: str) -> list[dict[str, str]]:
    """The items typed one a line (``likert: …`` or ``text: …``, optionally ``| value``);
    blank lines are skipped. A line without a known kind is refused with its number."""
    items = []
    for number, line in enumerate(lines.splitlines(), start=1):
        if not line.strip():
            continue
        kind, colon, rest = line.partition(":")
        if not colon or kind.strip().lower() not in KINDS:
            raise InvalidInput(f"items: line {number} must start with \"likert:\" or \"text:\".")
        text, _, value = rest.partition("|")
        if not text.strip():
            raise InvalidInput(f"items: line {number} has no wording after \"{kind.strip()}:\".")
        items.append({"kind": KINDS[kind.strip().lower()], "text": text.strip(), "value": value.strip()})
    if not items:
        raise InvalidInput("items: type at least one item, one a line.")
    return items


def lines_from_items(items: list[Any]) -> str:
    """A version's items as the text box shows them (the inverse of ``items_from_lines``)."""
    return "\n".join(f"{item.kind}: {item.text}" + (f" | {item.value}" if item.value else "") for item in items)


def _struct(schema: type[Any], payload: dict[str, Any]) -> Any:
    try:
        return msgspec.convert(payload, schema)
    except msgspec.ValidationError as exc:  # the API's own limits (lengths, counts)
        raise InvalidInput(f"{exc}".replace("`$.", "`")) from exc


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def _list_page(request: Request, status_code: int = 200, error: str | None = None,
                     form: dict[str, Any] | None = None, errored: str = "") -> Template:
    principal = signed_in_principal(request)
    principal.require("training:lead")
    return render(request, "evaluation_editor.html", status_code=status_code, title="Questionnaires",
                  questionnaires=await questionnaires.list_questionnaires(principal),
                  peer_values=await questionnaires.peer_values(principal.organisation_id),
                  courses=await questionnaires.course_choices(principal),
                  people=await answering.people_to_send_to(principal), error=error, errored=errored,
                  form=form or {}, notice=None if error else notice_for(request, NOTICES))


@get(HOME, include_in_schema=False)
async def questionnaires_page(request: Request) -> Template:
    return await _list_page(request)


@post(HOME, include_in_schema=False, status_code=303)
async def create_page(request: Request, data: Annotated[dict[str, Any], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("training:lead")
    try:
        title = _text(data, "title")
        if not title:
            raise InvalidInput("title: give the questionnaire a title.")
        await questionnaires.create_questionnaire(principal, _struct(QuestionnaireIn, {
            "title": title, "items": items_from_lines(_text(data, "items")),
            "purpose": _text(data, "purpose") or "course"}))
    except DomainError as exc:
        return await _list_page(request, exc.status_code, exc.detail, data, "create")
    return redirect_with_notice(HOME, "created")


async def _edit_page(request: Request, questionnaire_id: UUID, status_code: int = 200, error: str | None = None,
                     form: dict[str, Any] | None = None) -> Template:
    principal = signed_in_principal(request)
    principal.require("training:lead")
    found = await questionnaires.get_questionnaire(principal, questionnaire_id)
    shown = form or {"title": found.title, "items": lines_from_items(found.current.items)}
    return render(request, "evaluation_editor_edit.html", status_code=status_code, title=f"Edit {found.title}",
                  questionnaire=found, error=error, form=shown, notice=None if error else notice_for(request, NOTICES))


@get(f"{HOME}/{{questionnaire_id:uuid}}", include_in_schema=False)
async def edit_form_page(request: Request, questionnaire_id: UUID) -> Template:
    return await _edit_page(request, questionnaire_id)


@post(f"{HOME}/{{questionnaire_id:uuid}}", include_in_schema=False, status_code=303)
async def edit_page(request: Request, questionnaire_id: UUID,
                    data: Annotated[dict[str, Any], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("training:lead")
    try:
        title = _text(data, "title")
        if not title:
            raise InvalidInput("title: give the questionnaire a title.")
        await questionnaires.edit_questionnaire(principal, questionnaire_id, _struct(QuestionnaireEdit, {
            "title": title, "items": items_from_lines(_text(data, "items"))}))
    except InvalidInput as exc:
        return await _edit_page(request, questionnaire_id, exc.status_code, exc.detail, data)
    return redirect_with_notice(f"{HOME}/{questionnaire_id}", "edited")


def _uuid(form: dict[str, Any], name: str, what: str) -> UUID:
    try:
        return UUID(_text(form, name))
    except ValueError:
        raise InvalidInput(f"{name}: choose {what}.") from None


@post(f"{HOME}/attach", include_in_schema=False, status_code=303)
async def attach_page(request: Request, data: Annotated[dict[str, Any], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("training:lead")
    try:
        await questionnaires.attach(principal, _uuid(data, "course_id", "a course"),
                                    _uuid(data, "questionnaire_id", "a questionnaire"))
    except DomainError as exc:
        return await _list_page(request, exc.status_code, exc.detail, data, "attach")
    return redirect_with_notice(HOME, "attached")


@post(f"{HOME}/send", include_in_schema=False, status_code=303)
async def send_page(request: Request) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("training:lead")
    form = await request.form()
    data = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        chosen = [UUID(value) for value in form.getall("account_ids", []) if isinstance(value, str)]
        if not chosen:
            raise InvalidInput("account_ids: tick at least one person.")
        try:
            due_by = date.fromisoformat(_text(data, "due_by"))
        except ValueError:
            raise InvalidInput("due_by: give the date answers are due by (YYYY-MM-DD).") from None
        moment = _text(data, "moment")
        if moment not in ("before", "after"):
            raise InvalidInput("moment: choose before or after the course.")
        await answering.send_questionnaire(_uuid(data, "course_id", "a course"), moment, chosen, due_by,  # type: ignore[arg-type]
                                           principal=principal)
    except ValueError:
        return await _list_page(request, 400, "account_ids: choose people from the list.", data, "send")
    except DomainError as exc:
        return await _list_page(request, exc.status_code, exc.detail, data, "send")
    return redirect_with_notice(HOME, "sent")


PAGES = [questionnaires_page, create_page, edit_form_page, edit_page, attach_page, send_page]
