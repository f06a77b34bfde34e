"""Public applications: the form, its rate limit, the applicant's private link, and who sees what.

The panel sees answers under a reference, never a name, contact details or equality data; the
lived-experience statement is shown only to the vacancy's panel and its recruiter, and every
read of it is audited. The equality form is stored apart and only ever counted.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from peerwork.core.db import current_engine, is_postgres, named, transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound, TooManyAttempts
from peerwork.core.mail.outbox import PENDING
from peerwork.recruitment import invites
from peerwork.recruitment.schemas import ApplicationOut, ApplicationSummary
from peerwork.recruitment.tables import Application, ApplyAttempt, Score
from peerwork.recruitment.vacancies import seat
from peerwork.core.settings import current_settings
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.time import london_today, now

LINK_DAYS = 365  # the private link works for a year (the retention period's default)
MAX_NAME, MAX_EMAIL, MAX_PHONE = 200, 254, 40
MAX_ANSWER, MAX_STATEMENT, MAX_ADJUSTMENTS = 5000, 5000, 2000
EMAIL = re.compile(r"^[^@\s<>\"',;:]+@[^@\s<>\"',;:]+\.[^@\s<>\"',;:]+$")
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

EQUALITY_QUESTIONS: dict[str, list[str]] = {
    "age": ["16-24", "25-34", "35-44", "45-54", "55-64", "65 or over"],
    "sex": ["Female", "Male", "Intersex", "In another way"],
    "ethnicity": ["Asian or Asian British", "Black, Black British, Caribbean or African", "Mixed or multiple",
                  "White", "Another ethnic group"],
    "disability": ["Yes", "No"],
    "sexual_orientation": ["Bisexual", "Gay or lesbian", "Heterosexual", "Another orientation"],
    "religion": ["No religion", "Buddhist", "Christian", "Hindu", "Jewish", "Muslim", "Sikh", "Another religion"],
}
PREFER_NOT = "Prefer not to say"
ACTIVE = ("submitted", "shortlisted", "offered")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_key(client: str) -> str:
    # Keyed with the secret so the table is no list of IP addresses.
    return hashlib.sha256(f"{current_settings().secret_key}:{client}".encode()).hexdigest()


@dataclass
class ApplicationForm:
    name: str
    email: str
    answers: dict[str, str]
    phone: str = ""
    statement: str = ""
    adjustments: str = ""
    equality: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Submitted:
    application_id: UUID
    reference: str
    token: str  # shown once and emailed; only its digest is stored


def check_form(form: ApplicationForm, values: list[str]) -> list[dict[str, str]]:
    """Every problem with the form, field by field (empty when it may be saved)."""
    problems = []

    def bad(name: str, problem: str) -> None:
        problems.append({"field": name, "problem": problem})

    if not form.name.strip():
        bad("name", "Enter your name.")
    elif "\r" in form.name or "\n" in form.name:
        bad("name", "Enter your name on one line.")
    elif len(form.name) > MAX_NAME:
        bad("name", f"Your name can be at most {MAX_NAME} characters.")
    if not EMAIL.match(form.email.strip()) or len(form.email) > MAX_EMAIL:
        bad("email", "Enter an email address like name@example.com.")
    if len(form.phone) > MAX_PHONE or not re.fullmatch(r"[0-9+()\- ]*", form.phone):
        bad("phone", "Enter a phone number using digits, spaces and + ( ) - only.")
    for index, value in enumerate(values):
        answer = form.answers.get(value, "").strip()
        if not answer:
            bad(f"answer_{index}", f"Tell us about {value.lower()}.")
        elif len(answer) > MAX_ANSWER:
            bad(f"answer_{index}", f"Your answer about {value.lower()} can be at most {MAX_ANSWER} characters.")
    if len(form.statement) > MAX_STATEMENT:
        bad("statement", f"Your statement can be at most {MAX_STATEMENT} characters.")
    if len(form.adjustments) > MAX_ADJUSTMENTS:
        bad("adjustments", f"Adjustments can be at most {MAX_ADJUSTMENTS} characters.")
    for question, answer in form.equality.items():
        if question not in EQUALITY_QUESTIONS or (answer and answer != PREFER_NOT
                                                  and answer not in EQUALITY_QUESTIONS[question]):
            bad(f"eq_{question}", "Choose one of the answers offered.")
    return problems


TOO_MANY = ("Too many applications have been sent from here in the last hour. "
            "Please try again later, or contact the recruitment team.")

# The rate limit as one statement: this client's attempt is saved only while fewer than the
# limit were saved in the last hour, so counting and saving cannot be split by another request.
_ATTEMPT = ("INSERT INTO apply_attempt (id, client_hash, at) SELECT {attempt}, {key}, {at} "
            "WHERE (SELECT count(*) FROM apply_attempt WHERE client_hash = {key} AND at > {since}) < {limit} "
            "RETURNING id")


async def _run(sql: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    template, bound = named(sql, **values)
    return await Application.raw(template, *bound)


async def _take_turn(key: str) -> None:
    if is_postgres(current_engine()):
        # READ COMMITTED would let two concurrent submissions both count 19 and both insert:
        # one client's submissions take turns, on every instance (SQLite's IMMEDIATE transaction
        # already does). The lock is its own statement so the count that follows sees every
        # attempt committed before it was granted.
        await ApplyAttempt.raw("SELECT pg_advisory_xact_lock(hashtext({}))", key)


def _attempt_values(client: str) -> dict[str, Any]:
    at = now()
    return {"attempt": uuid4(), "key": client_key(client), "at": at, "since": at - timedelta(hours=1),
            "limit": current_settings().apply_limit_per_hour}


async def note_attempt(client: str) -> None:
    """Count this submission against the client; TooManyAttempts past the hourly limit.

    Runs in its own transaction, so invalid bursts are limited too.
    """
    values = _attempt_values(client)
    async with transaction():
        await _take_turn(values["key"])
        if not await _run(_ATTEMPT, values):
            raise TooManyAttempts(TOO_MANY)


def new_reference() -> str:
    return "C-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _insert(table: str, values: dict[str, str], source: str | None) -> str:
    """``INSERT INTO table (columns) SELECT values [FROM source]``: ``values`` maps each column
    to its SQL (a ``{name}`` placeholder or a column of ``source``)."""
    sql = f"INSERT INTO {table} ({', '.join(values)}) SELECT {', '.join(values.values())}"
    return sql + (f" FROM {source}" if source else "")


_APPLICATION = {
    "id": "{application}", "organisation": "{org}", "vacancy": "{vacancy}", "reference": "{reference}",
    "name": "{name}", "email": "{email}", "phone": "{phone}", "answers": "{answers}", "statement": "{statement}",
    "adjustments": "{adjustments}", "status": "'submitted'", "token_hash": "{token_hash}",
    "token_expires_at": "{expires}", "interview_sequence": "0", "submitted_at": "{at}",
}
_EQUALITY = {"id": "{equality_id}", "organisation": "{org}", "vacancy": "{vacancy}", "application": "{application}",
             "answers": "{equality}", "shortlisted": "false"}
# The applicant's email, queued as core.mail.outbox.enqueue queues one (its checks are met by
# check_form: an address without spaces or <>, a one-line name and subject within the limits).
_MAIL = {"id": "{mail}", "organisation": "{org}", "to_address": "{email}", "to_name": "{name}",
         "subject": "{subject}", "body_text": "{body}", "dedupe_key": "{dedupe_key}", "status": "{pending}",
         "attempts": "0", "next_attempt_at": "{at}", "created_at": "{at}"}
_AUDIT = {"id": "{audit}", "at": "{at}", "organisation": "{org}", "action": "'create'",
          "table_name": "'application'", "record_id": "{record_id}", "detail": "{detail}"}


async def _save(values: dict[str, Any], with_equality: bool) -> bool:
    """Count the attempt and save the application, its equality answers (apart), its audit entry
    and the applicant's email; False, saving nothing, when the client is over its limit. On
    PostgreSQL that is one statement (each insert feeds on the attempt's): few round trips."""
    parts = [("attempt", _ATTEMPT), ("saved", _insert("application", _APPLICATION, "attempt") + " RETURNING id")]
    if with_equality:
        parts.append(("equality", _insert("equality_response", _EQUALITY, "saved")))
    parts.append(("audit", _insert("audit_log", _AUDIT, "saved")))
    parts.append(("mail", _insert("outbox_message", _MAIL, "saved")))
    if is_postgres(current_engine()):
        sql = "WITH " + ", ".join(f"{name} AS ({part})" for name, part in parts) + " SELECT id FROM saved"
        return bool(await _run(sql, values))
    if not await _run(_ATTEMPT, values):
        return False
    for _, part in parts[1:]:
        await _run(part.replace(" FROM attempt", "").replace(" FROM saved", ""), values)
    return True


# The public form's read of its vacancy: the same rule as vacancies.public_vacancy (open, and not
# past its closing date in London), as one plain statement, since every submission makes it.
_OPEN_VACANCY = ("SELECT v.id, v.title, v.peer_values, o.id AS org_id, o.name AS org_name, o.slug AS org_slug "
                 "FROM vacancy v JOIN organisation o ON o.id = v.organisation "
                 "WHERE v.id = {vacancy} AND o.slug = {slug} AND v.status = 'open' AND v.closing_date >= {today}")


async def open_vacancy(organisation_slug: str, vacancy_id: UUID) -> tuple[dict[str, Any], dict[str, Any]]:
    """(organisation, vacancy) for the form: the vacancy's id, title and peer values; NotFound
    for anything not open for applications."""
    rows = await _run(_OPEN_VACANCY, {"vacancy": vacancy_id, "slug": organisation_slug, "today": london_today()})
    if not rows:
        raise NotFound("This vacancy is not open for applications.")
    row = rows[0]
    values = row["peer_values"]
    vacancy = {"id": row["id"], "title": row["title"],
               "peer_values": json.loads(values) if isinstance(values, str) else values}
    return {"id": row["org_id"], "name": row["org_name"], "slug": row["org_slug"]}, vacancy


async def submit(organisation_slug: str, vacancy_id: UUID, form: ApplicationForm, *, client: str,
                 found: tuple[dict[str, Any], dict[str, Any]] | None = None) -> Submitted:
    """Save one application (and, apart, its equality answers); email the applicant their link.

    ``found`` is the open vacancy the caller has just read (:func:`open_vacancy`), not read again.
    """
    org, vacancy = found or await open_vacancy(organisation_slug, vacancy_id)
    values = vacancy["peer_values"]
    problems = check_form(form, values)
    if problems:
        await note_attempt(client)  # the limit first: a client over it is told so, not what to fix
        raise InvalidInput("; ".join(p["problem"] for p in problems), errors=problems)
    token = secrets.token_urlsafe(32)
    application_id, reference = uuid4(), new_reference()
    name, email = form.name.strip(), form.email.strip()
    equality = {q: a for q, a in form.equality.items() if a}
    saved = _attempt_values(client) | {
        "application": application_id, "record_id": str(application_id), "org": org["id"],
        "vacancy": vacancy_id, "reference": reference, "name": name, "email": email, "phone": form.phone.strip(),
        "answers": json.dumps({v: form.answers[v].strip() for v in values}),
        "statement": form.statement.strip() or None, "adjustments": form.adjustments.strip(),
        "token_hash": digest(token), "expires": now() + timedelta(days=LINK_DAYS),
        "equality_id": uuid4(), "equality": json.dumps(equality),
        "audit": uuid4(), "detail": json.dumps({"via": "public"}),
        "mail": uuid4(), "pending": PENDING, "dedupe_key": f"application:{application_id}:received",
        "subject": " ".join(f"Your application: {vacancy['title']}".split())[:300],
        "body": f"Hello {name},\n\nThank you for applying to be {vacancy['title']} with {org['name']}. Your "
                f"reference is {reference}.\n\nYour private link, to see how your application is going, book an "
                f"interview or withdraw:\n{status_link(token)}\n\nKeep it to yourself: anyone with the link can see "
                f"your application's progress.\n",
    }
    async with transaction():
        await _take_turn(saved["key"])
        if not await _save(saved, bool(equality)):
            raise TooManyAttempts(TOO_MANY)
    return Submitted(application_id, reference, token)


def status_link(token: str) -> str:
    return f"{current_settings().site_url}/application/{token}"


async def by_token(token: str) -> dict[str, Any]:
    """The application for a private link; NotFound for an unknown, expired or anonymised one."""
    if not token or len(token) > 100:
        raise NotFound("This link is not valid.")
    row = await Application.select(
        Application.all_columns(), Application.vacancy.title.as_alias("title"),
        Application.vacancy.status.as_alias("vacancy_status"),
        Application.organisation.name.as_alias("organisation_name"),
        Application.slot.start.as_alias("slot_start"), Application.slot.end.as_alias("slot_end"),
        Application.slot.location.as_alias("slot_location"),
    ).where(Application.token_hash == digest(token)).output(load_json=True).first()
    if row is None or row["token_expires_at"] is None or row["token_expires_at"] < now():
        raise NotFound("This link is not valid or has expired. Contact the recruitment team if you need help.")
    return row


async def withdraw(token: str) -> dict[str, Any]:
    row = await by_token(token)
    if row["status"] not in ACTIVE:
        raise Conflict(f"Your application is already {row['status']}.")
    async with transaction():
        if row["slot"] is not None:
            await invites.release_slot(row)
        await Application.update({Application.status: "withdrawn", Application.closed_at: now()}).where(
            Application.id == row["id"])
        await audit.record(None, "update", "application", row["id"], organisation_id=row["organisation"],
                           fields=["status"], via="applicant")
    return await by_token(token)


async def _scorer_counts(application_ids: list[UUID]) -> dict[UUID, set[UUID]]:
    rows = await Score.select(Score.application, Score.scorer).where(
        Score.application.is_in(application_ids)) if application_ids else []
    found: dict[UUID, set[UUID]] = {}
    for r in rows:
        found.setdefault(r["application"], set()).add(r["scorer"])
    return found


def sees_identity(found, status: str) -> bool:
    """Recruiters see who applied; a recruiter who also scores sees it only after the shortlist,
    so their own scoring stays anonymised."""
    return found.manager and not (found.panel and status == "submitted")


async def list_applications(principal: Principal, vacancy_id: UUID) -> list[ApplicationSummary]:
    """Recruiters see names; the panel sees references only."""
    found = await seat(principal, vacancy_id)
    rows = await Application.select(Application.id, Application.reference, Application.status, Application.name
                                    ).where(Application.vacancy == vacancy_id).order_by(Application.submitted_at)
    scorers = await _scorer_counts([r["id"] for r in rows])
    return [ApplicationSummary(
        id=r["id"], reference=r["reference"], status=r["status"], scorers=len(scorers.get(r["id"], ())),
        my_scores_submitted=principal.account_id in scorers.get(r["id"], ()),
        name=r["name"] if sees_identity(found, r["status"]) else None,
    ) for r in rows]


async def application_seat(principal: Principal, application_id: UUID):
    row = await Application.select(Application.all_columns()).where(
        (Application.id == application_id) & (Application.organisation == principal.organisation_id)
    ).output(load_json=True).first()
    if row is None:
        raise NotFound("No such application.")
    return row, await seat(principal, row["vacancy"])


async def read_application(principal: Principal, application_id: UUID) -> ApplicationOut:
    """The panel's anonymised view, or the recruiter's; the statement's reads are audited."""
    row, found = await application_seat(principal, application_id)
    statement = None
    if found.may_read_statement and row["statement"]:
        statement = row["statement"]
        await audit.record(principal, "read", "application", application_id, fields=["statement"])
    identity = sees_identity(found, row["status"])
    if identity:
        await audit.record(principal, "read", "application", application_id, fields=["name", "email", "phone"])
    return ApplicationOut(
        id=row["id"], vacancy_id=row["vacancy"], reference=row["reference"], status=row["status"],
        answers=row["answers"], statement=statement,
        adjustments=row["adjustments"] if identity else None,
        name=row["name"] if identity else None, email=row["email"] if identity else None,
        phone=row["phone"] if identity else None,
    )
