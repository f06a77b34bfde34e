"""Questionnaires (versioned), invitations to answer one, and the answers.

Answers never name anyone: a ``Response`` carries no account and no time, only the version it
answered, the course and moment, and for course questionnaires a pairing key (an HMAC of
account and course under a key kept outside the database), which is what pairs a person's
answers before a course with theirs after it. The invitation knows the account (the email
went to someone) but nothing links it to the response it produced.
"""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Organisation
from peerwork.cpd.tables import Course


class Questionnaire(Table):
    """A questionnaire an organisation uses: for courses (before and after) or for feedback
    after a co-reflection or supervision session. Its wording lives in its versions."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    title = Varchar(length=200)
    purpose = Varchar(length=16, default="course")  # course | session
    current_version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class QuestionnaireVersion(Table):
    """One wording of a questionnaire, never changed once made. ``items`` is a list of
    {key, kind: likert|text, text, labels (5, for likert), value (a peer value or "")};
    an item's key follows from its wording, so only unchanged items pair across versions."""

    id = UUID(primary_key=True)
    questionnaire = ForeignKey(references=Questionnaire, null=False, index=True)
    number = Integer()
    version_key = Varchar(length=60, unique=True)  # "<questionnaire id>:<number>": one row per number
    items = JSONB(default=[])
    created_at = Timestamptz(default=TimestamptzNow())


class CourseQuestionnaire(Table):
    """The questionnaire a catalogue course is evaluated with (one per course)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    course = ForeignKey(references=Course, null=False, unique=True)
    questionnaire = ForeignKey(references=Questionnaire, null=False, index=True)


class AnswerInvitation(Table):
    """A single-use link to answer a course's questionnaire before or after it. Only the
    token's SHA-256 is stored; ``used_at`` is set when the answers are saved."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    course = ForeignKey(references=Course, null=False, index=True)
    version = ForeignKey(references=QuestionnaireVersion, null=False)
    moment = Varchar(length=8)  # before | after
    account = ForeignKey(references=Account, null=False, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class Response(Table, tablename="evaluation_response"):
    """One set of answers, with no account and no time on it. ``slot`` ("<pairing key>:<moment>")
    is unique, so one person answers a course's questionnaire once before and once after;
    session feedback has neither pairing key nor slot, only a context label."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    version = ForeignKey(references=QuestionnaireVersion, null=False, index=True)
    course = ForeignKey(references=Course, null=True, default=None, index=True)
    moment = Varchar(length=8)  # before | after | session
    pairing_key = Varchar(length=64, null=True, default=None, index=True)
    slot = Varchar(length=80, null=True, default=None, unique=True)
    context = Varchar(length=32, default="")  # session feedback: co_reflection | supervision


class Answer(Table, tablename="evaluation_answer"):
    """One item's answer: a score 1-5 for a Likert item, or text. On an answer after a course,
    ``before_score`` is the same person's score for the same item before it (already tied by
    the pairing key), kept here so the report counts the paired change in one pass."""

    id = UUID(primary_key=True)
    response = ForeignKey(references=Response, null=False, index=True)
    item = Varchar(length=16)
    score = Integer(null=True, default=None)
    text = Text(null=True, default=None)
    before_score = Integer(null=True, default=None)
