"""Sending a course's questionnaire and answering it, and anonymous session feedback.

A person is sent a single-use link (256 random bits, only its SHA-256 stored, expiring at the
end of the due date) by email through the outbox. Their answers are saved with a pairing key,
an HMAC of account and course under the encryption key kept outside the database, and nothing
else about them: the report pairs before with after by that key, and a copy of the database
cannot tie answers to names. Session feedback carries no key at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal
from uuid import UUID

from peerwork.core import accounts, audit, crypto
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, DomainError, InvalidInput, NotFound, is_unique_violation
from peerwork.core.mail.outbox import enqueue_many
from peerwork.core.settings import current_settings
from peerwork.core.tables import Account, Membership
from peerwork.core.time import LONDON, london_today, now
from peerwork.evaluation.questionnaires import course_questionnaire, course_row, loaded_items, version_row
from peerwork.evaluation.schemas import AnswerIn, FeedbackIn, FeedbackOut, SendOut
from peerwork.evaluation.tables import Answer, AnswerInvitation, Questionnaire, QuestionnaireVersion, Response

PAIRING_PURPOSE = "evaluation.pairing"
MOMENTS = ("before", "after")


class AnswerLinkNotUsable(DomainError):
    """A questionnaire link that is unknown, used or expired."""

    status_code = 410
    code = "link-not-usable"
    title = "This link cannot be used"


@dataclass(frozen=True)
class Invitation:
    """What the person opening the link sees (no more)."""

    course_title: str
    organisation_name: str
    moment: str
    items: list[dict[str, Any]]
    expires_at: datetime


def pairing_keys(account_id: UUID, course_id: UUID) -> list[str]:
    """The person's pairing key for a course under each configured key (current first)."""
    return crypto.keyed_digests(f"{account_id}:{course_id}", purpose=PAIRING_PURPOSE)


def _aware(value: datetime | str) -> datetime:
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite gives naive UTC


def answer_link(token: str) -> str:
    return f"{current_settings().site_url}/evaluation/answer/{token}"


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), LONDON)


async def _answered(course_id: UUID, keys: list[str], moment: str) -> bool:
    return await Response.exists().where(
        (Response.course == course_id) & Response.slot.is_in([f"{k}:{moment}" for k in keys]))


def _email(name: str, course: str, organisation: str, moment: str, link: str, due_by: date) -> tuple[str, str]:
    when = "before you start" if moment == "before" else "now you have finished"
    subject = f"A few questions {moment} {course}"
    body = (f"Hello {name},\n\n{organisation} asks a few questions {when} {course}: how you see your work "
            f"today, so we can learn whether the training helps.\n\n"
            "Your answers are never shown with your name: the training lead sees only figures for the whole "
            "group (never for fewer than 5 people) and comments without names.\n\n"
            f"Answer here by {due_by:%-d %B %Y} (the link works once):\n{link}\n\n"
            "Answering is up to you; you can ignore this email.\n")
    return subject, body


async def people_to_send_to(principal: Principal) -> list[dict[str, Any]]:
    """The organisation's active people by name (account and display_name), to choose whom to
    send a questionnaire to (send_questionnaire checks the choice again)."""
    principal.require("training:lead")
    rows = await Membership.select(Membership.account, Membership.account.display_name).where(
        (Membership.organisation == principal.organisation_id)
        & (Membership.account.is_active == True)).order_by(Membership.account.display_name)  # noqa: E712
    return list({row["account"]: row for row in rows}.values())  # one line a person, whatever their roles


async def send_questionnaire(course_id: UUID, moment: Literal["before", "after"], account_ids: list[UUID],
                             due_by: date, *, principal: Principal) -> SendOut:
    """Invite these people (accounts in the principal's organisation) to answer the course's
    questionnaire ``before`` or ``after`` it, by ``due_by``: one email each through the outbox.
    People who have already answered for this moment are skipped; a person sent a new link
    loses their earlier unused one. All or nothing."""
    principal.require("training:lead")
    if moment not in MOMENTS:
        raise InvalidInput("moment: one of before, after.")
    course = await course_row(principal.organisation_id, course_id)
    questionnaire = await course_questionnaire(principal.organisation_id, course_id)
    if questionnaire is None:
        raise Conflict("This course has no questionnaire yet: choose one first.")
    if due_by < london_today():
        raise InvalidInput("due_by: the date has passed.")
    wanted = list(dict.fromkeys(account_ids))
    people = await Account.select(Account.id, Account.email, Account.display_name).where(
        Account.id.is_in(wanted) & Account.is_active.eq(True)
        & Account.id.is_in(Membership.select(Membership.account).where(
            Membership.organisation == principal.organisation_id)))
    if len(people) != len(wanted):
        raise InvalidInput(f"account_ids: {len(wanted) - len(people)} are not active people in your organisation.")
    version = await version_row(questionnaire["id"], questionnaire["current_version"])
    expires, skipped = end_of(due_by), 0
    invitations, messages = [], []
    for person in people:
        if await _answered(course_id, pairing_keys(person["id"], course_id), moment):
            skipped += 1
            continue
        token, invitation_id = accounts.new_secret(), uuid.uuid4()
        invitations.append(AnswerInvitation(
            id=invitation_id, organisation=principal.organisation_id, course=course_id, version=version["id"],
            moment=moment, account=person["id"], token_hash=accounts.digest(token), expires_at=expires))
        subject, body = _email(person["display_name"] or person["email"].split("@")[0], course["title"],
                               principal.organisation_name, moment, answer_link(token), due_by)
        messages.append(dict(to_address=person["email"], to_name=person["display_name"], subject=subject,
                             body_text=body, organisation_id=principal.organisation_id,
                             dedupe_key=f"evaluation:{invitation_id}"))
    async with transaction():
        ids = [i.account for i in invitations]
        if ids:  # a new link replaces the person's earlier unused one for this course and moment
            await AnswerInvitation.update({AnswerInvitation.expires_at: now()}).where(
                (AnswerInvitation.course == course_id) & (AnswerInvitation.moment == moment)
                & AnswerInvitation.account.is_in(ids) & AnswerInvitation.used_at.is_null()
                & (AnswerInvitation.expires_at > now()))
            await AnswerInvitation.insert(*invitations)
            await enqueue_many(messages)
        await audit.record(principal, "send", "answer_invitation", None, course=str(course_id), moment=moment,
                           invited=len(invitations), version=version["number"])
    return SendOut(invited=len(invitations), already_answered=skipped, version=version["number"])


async def _usable(token: str) -> dict[str, Any]:
    row = await AnswerInvitation.select(
        AnswerInvitation.id, AnswerInvitation.organisation, AnswerInvitation.course, AnswerInvitation.moment,
        AnswerInvitation.account, AnswerInvitation.expires_at, AnswerInvitation.used_at,
        AnswerInvitation.version.id.as_alias("version_id"), AnswerInvitation.version.items.as_alias("items"),
        AnswerInvitation.course.title.as_alias("course_title"),
        AnswerInvitation.organisation.name.as_alias("organisation_name"),
    ).where(AnswerInvitation.token_hash == accounts.digest(token)).first()
    if row is None:
        raise AnswerLinkNotUsable("This link is not valid. Check you used the whole link from the email.")
    if row["used_at"] is not None:
        raise AnswerLinkNotUsable("These questions have already been answered with this link. Thank you.")
    if _aware(row["expires_at"]) <= now():
        raise AnswerLinkNotUsable("This link has expired or was replaced by a newer one.")
    return row


async def invitation(token: str) -> Invitation:
    row = await _usable(token)
    return Invitation(course_title=row["course_title"], organisation_name=row["organisation_name"],
                      moment=row["moment"], items=loaded_items(row["items"]), expires_at=row["expires_at"])


def checked_answers(items: list[dict[str, Any]], answers: list[AnswerIn]) -> list[dict[str, Any]]:
    """The answers as row values (item, score, text): each names one of the version's items, once; a
    Likert item takes a score 1-5, a free-text item text. Blank answers are left out."""
    kinds = {item["key"]: item["kind"] for item in items}
    rows, seen = [], set()
    for answer in answers:
        kind = kinds.get(answer.item)
        if kind is None:
            raise InvalidInput(f"answers: {answer.item!r} is not an item of this questionnaire.")
        if answer.item in seen:
            raise InvalidInput(f"answers: {answer.item!r} is answered twice.")
        seen.add(answer.item)
        if kind == "likert":
            if answer.text is not None:
                raise InvalidInput(f"answers: {answer.item!r} takes a score from 1 to 5, not text.")
            if answer.score is not None:
                rows.append({"item": answer.item, "score": answer.score, "text": None})
        else:
            if answer.score is not None:
                raise InvalidInput(f"answers: {answer.item!r} takes text, not a score.")
            text = (answer.text or "").strip()
            if text:
                rows.append({"item": answer.item, "score": None, "text": text})
    if not rows:
        raise InvalidInput("answers: answer at least one question.")
    return rows


async def submit(token: str, answers: list[AnswerIn]) -> None:
    """Save the answers and use up the link, in one transaction."""
    row = await _usable(token)
    rows = checked_answers(loaded_items(row["items"]), answers)
    keys = pairing_keys(row["account"], row["course"])
    # The key the person's earlier answers for this course were saved under (a rotated-out
    # key still configured), so before and after pair; the current key otherwise.
    earlier = await Response.select(Response.pairing_key).where(
        (Response.course == row["course"]) & Response.pairing_key.is_in(keys)).first()
    key = earlier["pairing_key"] if earlier else keys[0]
    async with transaction():
        used = await AnswerInvitation.update({AnswerInvitation.used_at: now()}).where(
            (AnswerInvitation.id == row["id"]) & AnswerInvitation.used_at.is_null()).returning(AnswerInvitation.id)
        if not used:  # a double submit: the other request got there first
            raise AnswerLinkNotUsable("These questions have already been answered with this link. Thank you.")
        if await _answered(row["course"], keys, row["moment"]):
            raise AnswerLinkNotUsable("You have already answered these questions for this course. Thank you.")
        response = Response(organisation=row["organisation"], version=row["version_id"], course=row["course"],
                            moment=row["moment"], pairing_key=key, slot=f"{key}:{row['moment']}")
        try:
            await response.save()
        except Exception as exc:
            # Two links for the same person and moment answered at the same instant: the slot is
            # unique, so the second is refused like any answer after the first.
            if is_unique_violation(exc):
                raise AnswerLinkNotUsable("You have already answered these questions for this course. Thank you.") from None
            raise
        other = await _scores(row["course"], key, "after" if row["moment"] == "before" else "before")
        before = other if row["moment"] == "after" else {}
        await Answer.insert(*(Answer(response=response.id, before_score=before.get(values["item"]), **values)
                              for values in rows))
        if row["moment"] == "before" and other:  # answered after first: complete those answers' pairs
            for values in rows:
                if values["score"] is not None and values["item"] in other:
                    await Answer.update({Answer.before_score: values["score"]}).where(
                        Answer.response.is_in(Response.select(Response.id).where(
                            (Response.course == row["course"]) & (Response.pairing_key == key)
                            & (Response.moment == "after"))) & (Answer.item == values["item"]))
        # The link is used (not by whom, nor which answers): nothing ties the answers to a name.
        await audit.record(None, "answer", "answer_invitation", row["id"], organisation_id=row["organisation"],
                           via="evaluation")


async def _scores(course_id: UUID, key: str, moment: str) -> dict[str, int]:
    """The person's Likert scores for the course at the other moment, by item."""
    rows = await Answer.select(Answer.item, Answer.score).where(
        Answer.response.is_in(Response.select(Response.id).where(
            (Response.course == course_id) & (Response.pairing_key == key) & (Response.moment == moment)))
        & Answer.score.is_not_null())
    return {r["item"]: r["score"] for r in rows}


async def record_feedback(principal: Principal, data: FeedbackIn) -> FeedbackOut:
    """Anonymous feedback after a co-reflection or supervision session: saved against the
    questionnaire's current version and the context, with nothing about who gave it (and not
    audited, as an audit entry would name them)."""
    principal.require("evaluation:feedback")
    questionnaire = await Questionnaire.select(Questionnaire.id, Questionnaire.purpose,
                                               Questionnaire.current_version).where(
        (Questionnaire.id == data.questionnaire_id) & (Questionnaire.organisation == principal.organisation_id)).first()
    if questionnaire is None:
        raise NotFound("No such questionnaire in your organisation.")
    if questionnaire["purpose"] != "session":
        raise InvalidInput("questionnaire_id: this questionnaire evaluates courses; it is not for session feedback.")
    version = await QuestionnaireVersion.select(QuestionnaireVersion.id, QuestionnaireVersion.items).where(
        QuestionnaireVersion.version_key == f"{questionnaire['id']}:{questionnaire['current_version']}").first()
    rows = checked_answers(loaded_items(version["items"]), data.answers)
    async with transaction():
        response = Response(organisation=principal.organisation_id, version=version["id"], moment="session",
                            context=data.context)
        await response.save()
        await Answer.insert(*(Answer(response=response.id, **values) for values in rows))
    return FeedbackOut(recorded=True)
