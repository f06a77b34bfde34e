"""Questionnaires and their versions: editing one saves the next version, so answers always
keep the wording they answered. Items asking about a peer value use the organisation's own
list of peer values, the one recruitment scores candidates by."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import InvalidInput, NotFound
from peerwork.cpd.tables import Course
from peerwork.evaluation.schemas import (
    DEFAULT_LABELS,
    Item,
    ItemIn,
    QuestionnaireEdit,
    QuestionnaireIn,
    QuestionnaireOut,
    VersionOut,
)
from peerwork.evaluation.tables import CourseQuestionnaire, Questionnaire, QuestionnaireVersion
from peerwork.recruitment.vacancies import organisation_values


def item_key(kind: str, text: str, labels: list[str]) -> str:
    """An item's key follows from its wording: an unchanged item keeps its key in a new
    version (and pairs before with after), a reworded one gets a new key (and never does)."""
    return hashlib.sha256(json.dumps([kind, text, labels]).encode()).hexdigest()[:12]


async def peer_values(organisation_id: UUID) -> list[str]:
    return list((await organisation_values(organisation_id)).values)


def _items(data: list[ItemIn], values: list[str]) -> list[dict[str, Any]]:
    items, keys = [], set()
    for number, item in enumerate(data, start=1):
        text = " ".join(item.text.split())
        if item.kind == "text" and item.labels:
            raise InvalidInput(f"items[{number}]: a free-text item has no labels.")
        labels = [label.strip() for label in (item.labels or DEFAULT_LABELS)] if item.kind == "likert" else []
        if item.value and item.value not in values:
            raise InvalidInput(f"items[{number}]: {item.value!r} is not one of your organisation's peer values "
                               f"({', '.join(values)}).")
        key = item_key(item.kind, text, labels)
        if key in keys:
            raise InvalidInput(f"items[{number}]: the same item is asked twice.")
        keys.add(key)
        items.append({"key": key, "kind": item.kind, "text": text, "labels": labels, "value": item.value})
    return items


def loaded_items(items: Any) -> list[dict[str, Any]]:
    return json.loads(items) if isinstance(items, str) else items


def version_out(row: dict[str, Any]) -> VersionOut:
    return VersionOut(id=row["id"], number=row["number"],
                      items=[Item(**item) for item in loaded_items(row["items"])])


async def _questionnaire(organisation_id: UUID, questionnaire_id: UUID) -> dict[str, Any]:
    row = await Questionnaire.select().where(
        (Questionnaire.id == questionnaire_id) & (Questionnaire.organisation == organisation_id)).first()
    if row is None:
        raise NotFound("No such questionnaire in your organisation.")
    return row


async def version_row(questionnaire_id: UUID, number: int) -> dict[str, Any]:
    return await QuestionnaireVersion.select().where(
        QuestionnaireVersion.version_key == f"{questionnaire_id}:{number}").first()


async def _out(row: dict[str, Any]) -> QuestionnaireOut:
    numbers = await QuestionnaireVersion.select(QuestionnaireVersion.number).where(
        QuestionnaireVersion.questionnaire == row["id"]).order_by(QuestionnaireVersion.number).output(as_list=True)
    current = await version_row(row["id"], row["current_version"])
    return QuestionnaireOut(id=row["id"], title=row["title"], purpose=row["purpose"], current=version_out(current),
                            versions=numbers, peer_values=await peer_values(row["organisation"]))


async def create_questionnaire(principal: Principal, data: QuestionnaireIn) -> QuestionnaireOut:
    principal.require("training:lead")
    items = _items(data.items, await peer_values(principal.organisation_id))
    async with transaction():
        row = Questionnaire(organisation=principal.organisation_id, title=data.title.strip(), purpose=data.purpose)
        await row.save()
        await QuestionnaireVersion(questionnaire=row.id, number=1, version_key=f"{row.id}:1", items=items).save()
        await audit.record(principal, "create", "questionnaire", row.id)
    return await get_questionnaire(principal, row.id)


async def edit_questionnaire(principal: Principal, questionnaire_id: UUID, data: QuestionnaireEdit) -> QuestionnaireOut:
    """Save a new wording as the next version (the earlier ones stay as they were)."""
    principal.require("training:lead")
    row = await _questionnaire(principal.organisation_id, questionnaire_id)
    items = _items(data.items, await peer_values(principal.organisation_id))
    async with transaction():
        number = row["current_version"] + 1
        # version_key is unique: of two edits at once, one saves and the other fails cleanly.
        await QuestionnaireVersion(questionnaire=questionnaire_id, number=number,
                                   version_key=f"{questionnaire_id}:{number}", items=items).save()
        changes: dict[Any, Any] = {Questionnaire.current_version: number}
        if data.title is not None:
            changes[Questionnaire.title] = data.title.strip()
        await Questionnaire.update(changes).where(Questionnaire.id == questionnaire_id)
        await audit.record(principal, "update", "questionnaire", questionnaire_id, version=number)
    return await get_questionnaire(principal, questionnaire_id)


async def get_questionnaire(principal: Principal, questionnaire_id: UUID) -> QuestionnaireOut:
    principal.require("evaluation:feedback")
    return await _out(await _questionnaire(principal.organisation_id, questionnaire_id))


async def list_questionnaires(principal: Principal) -> list[QuestionnaireOut]:
    principal.require("evaluation:feedback")
    rows = await Questionnaire.select().where(
        Questionnaire.organisation == principal.organisation_id).order_by(Questionnaire.title)
    return [await _out(row) for row in rows]


async def course_choices(principal: Principal) -> list[dict[str, Any]]:
    """The organisation's catalogue courses (id and title, by title), to choose a questionnaire for."""
    principal.require("training:lead")
    return await Course.select(Course.id, Course.title).where(
        Course.organisation == principal.organisation_id).order_by(Course.title)


async def chosen_for_courses(principal: Principal) -> dict[UUID, str]:
    """course id -> the title of the questionnaire chosen for it, in the caller's organisation."""
    principal.require("training:lead")
    rows = await CourseQuestionnaire.select(
        CourseQuestionnaire.course, CourseQuestionnaire.questionnaire.title.as_alias("title")).where(
        CourseQuestionnaire.organisation == principal.organisation_id)
    return {row["course"]: row["title"] for row in rows}


async def course_row(organisation_id: UUID, course_id: UUID) -> dict[str, Any]:
    row = await Course.select(Course.id, Course.title).where(
        (Course.id == course_id) & (Course.organisation == organisation_id)).first()
    if row is None:
        raise NotFound("No such course in your organisation.")
    return row


async def attach(principal: Principal, course_id: UUID, questionnaire_id: UUID) -> QuestionnaireOut:
    """Evaluate the course with this questionnaire (replacing any earlier choice)."""
    principal.require("training:lead")
    await course_row(principal.organisation_id, course_id)
    questionnaire = await _questionnaire(principal.organisation_id, questionnaire_id)
    if questionnaire["purpose"] != "course":
        raise InvalidInput("questionnaire_id: this questionnaire is for session feedback, not courses.")
    async with transaction():
        await CourseQuestionnaire.delete().where(CourseQuestionnaire.course == course_id)
        await CourseQuestionnaire(organisation=principal.organisation_id, course=course_id,
                                  questionnaire=questionnaire_id).save()
        await audit.record(principal, "update", "course_questionnaire", course_id,
                           questionnaire=str(questionnaire_id))
    return await _out(questionnaire)


async def course_questionnaire(organisation_id: UUID, course_id: UUID) -> dict[str, Any] | None:
    return await CourseQuestionnaire.select(
        CourseQuestionnaire.questionnaire.id.as_alias("id"),
        CourseQuestionnaire.questionnaire.title.as_alias("title"),
        CourseQuestionnaire.questionnaire.current_version.as_alias("current_version"),
    ).where((CourseQuestionnaire.course == course_id)
            & (CourseQuestionnaire.organisation == organisation_id)).first()
