"""API shapes for evaluation: questionnaires and their versions, sending, answering, reports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

ItemKind = Literal["likert", "text"]
Purpose = Literal["course", "session"]
Moment = Literal["before", "after"]
SessionContext = Literal["co_reflection", "supervision"]
Label = Annotated[str, Meta(min_length=1, max_length=60)]
DEFAULT_LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]


class ItemIn(Struct, forbid_unknown_fields=True):
    kind: ItemKind
    text: Annotated[str, Meta(min_length=1, max_length=500)]
    labels: Annotated[list[Label], Meta(min_length=5, max_length=5)] | None = None  # likert: 1..5
    value: Annotated[str, Meta(max_length=100)] = ""  # the peer value the item asks about, if any


class QuestionnaireIn(Struct, forbid_unknown_fields=True):
    title: Annotated[str, Meta(min_length=1, max_length=200)]
    items: Annotated[list[ItemIn], Meta(min_length=1, max_length=40)]
    purpose: Purpose = "course"


class QuestionnaireEdit(Struct, forbid_unknown_fields=True):
    """A new wording: saved as the next version; earlier answers keep theirs."""

    items: Annotated[list[ItemIn], Meta(min_length=1, max_length=40)]
    title: Annotated[str, Meta(min_length=1, max_length=200)] | None = None


class Item(Struct):
    key: str
    kind: str
    text: str
    labels: list[str]
    value: str


class VersionOut(Struct):
    id: UUID
    number: int
    items: list[Item]


class QuestionnaireOut(Struct):
    id: UUID
    title: str
    purpose: str
    current: VersionOut
    versions: list[int]
    peer_values: list[str]


class AttachIn(Struct, forbid_unknown_fields=True):
    questionnaire_id: UUID


class SendIn(Struct, forbid_unknown_fields=True):
    moment: Moment
    account_ids: Annotated[list[UUID], Meta(min_length=1, max_length=5000)]
    due_by: date


class SendOut(Struct):
    invited: int
    already_answered: int
    version: int


class AnswerIn(Struct, forbid_unknown_fields=True):
    item: Annotated[str, Meta(min_length=1, max_length=16)]
    score: Annotated[int, Meta(ge=1, le=5)] | None = None
    text: Annotated[str, Meta(max_length=4000)] | None = None


class FeedbackIn(Struct, forbid_unknown_fields=True):
    questionnaire_id: UUID
    context: SessionContext
    answers: Annotated[list[AnswerIn], Meta(min_length=1, max_length=40)]


class FeedbackOut(Struct):
    recorded: bool


class ItemChange(Struct):
    """One Likert item's paired change; figures are None (withheld) when fewer than 5 paired."""

    key: str
    text: str
    value: str
    paired: int | str
    median_before: float | None
    median_after: float | None
    median_change: float | None
    pseudo_median: float | None
    ci_low: float | None
    ci_high: float | None
    wilcoxon_statistic: float | None
    p_value: float | None


class Rate(Struct):
    invited: int | str
    answered: int | str
    rate: float | None


class Comments(Struct):
    key: str
    text: str
    moment: str
    count: int | str
    comments: list[str]  # in random order, without names; empty when fewer than 5


class EvaluationReport(Struct):
    course_id: UUID
    course_title: str
    questionnaire_title: str | None
    before: Rate
    after: Rate
    paired_people: int | str
    items: list[ItemChange]
    comments: list[Comments]
    method: str


class ItemSummary(Struct):
    key: str
    text: str
    value: str
    answered: int | str
    median: float | None
    distribution: list[int | str] | None  # how many chose 1..5 ("<5" under 5); None when fewer than 5 answered


class FeedbackReport(Struct):
    questionnaire_id: UUID
    title: str
    context: str | None
    responses: int | str
    items: list[ItemSummary]
    comments: list[Comments]
