"""Independent, anonymised scoring; moderation; and decisions that only a fair panel may make.

A shortlisting, offer or hiring decision is refused unless: at least two scorers have scored
the application, at least one of them sits on the panel in a lived-experience role, at least
one panel member holds a lived-experience role, and every panel member has declared conflicts.
"""

from __future__ import annotations

from statistics import mean
from typing import Any
from uuid import UUID

from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, InvalidInput, PermissionDenied
from peerwork.recruitment.applications import application_seat
from peerwork.recruitment import invites
from peerwork.recruitment.schemas import ScoreIn, ScoreOut, ScoresOut, ValueSpread
from peerwork.recruitment.tables import Application, Decision, PanelMember, Score, Vacancy
from peerwork.recruitment.vacancies import DECIDING
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.time import now

MIN_SCORERS = 2


async def compliance_problems(vacancy_id: UUID, application_id: UUID) -> list[str]:
    """Why a decision on this application would be refused now (empty: the panel meets policy)."""
    panel = await PanelMember.select(PanelMember.account, PanelMember.lived_experience, PanelMember.declared_at,
                                     PanelMember.account.display_name.as_alias("name")).where(
        PanelMember.vacancy == vacancy_id)
    lived = {p["account"] for p in panel if p["lived_experience"]}
    scorers = set(await Score.select(Score.scorer).where(Score.application == application_id).output(as_list=True))
    problems = []
    if len(scorers) < MIN_SCORERS:
        problems.append(f"at least {MIN_SCORERS} panel members must score this application "
                        f"({len(scorers)} {'has' if len(scorers) == 1 else 'have'} so far)")
    if not lived:
        problems.append("at least one panel member must hold a lived-experience role")
    elif not scorers & lived:
        problems.append("at least one scorer must hold a lived-experience role")
    undeclared = sorted(p["name"] for p in panel if p["declared_at"] is None)
    if undeclared:
        problems.append("every panel member must declare conflicts of interest (not yet: "
                        + ", ".join(undeclared) + ")")
    return problems


async def submit_scores(principal: Principal, application_id: UUID, scores: list[ScoreIn]) -> ScoresOut:
    """The caller's scores for every value at once; they may revise them until a decision."""
    row, found = await application_seat(principal, application_id)
    if not found.panel:
        raise PermissionDenied("Only members of this vacancy's panel score its applications.")
    if row["status"] != "submitted":
        raise Conflict(f"This application is already {row['status']}: scores can no longer change.")
    values = found.vacancy["peer_values"]
    given = {s.value.strip(): s for s in scores}
    unknown = sorted(set(given) - set(values))
    if unknown:
        raise InvalidInput(f"scores: {', '.join(unknown)} is not one of this vacancy's values.")
    missing = [v for v in values if v not in given]
    if missing:
        raise InvalidInput(f"scores: score every value (missing: {', '.join(missing)}).")
    if len(given) != len(scores):
        raise InvalidInput("scores: each value once.")
    async with transaction():
        await Score.delete().where((Score.application == application_id) & (Score.scorer == principal.account_id))
        for value in values:
            await Score(organisation=principal.organisation_id, application=application_id,
                        scorer=principal.account_id, peer_value=value, score=given[value].score,
                        comment=given[value].comment.strip()).save()
        await audit.record(principal, "update", "score", application_id, fields=["score", "comment"])
    return await read_scores(principal, application_id)


def spread(values: list[str], rows: list[dict[str, Any]]) -> list[ValueSpread]:
    out = []
    for value in values:
        marks = sorted(r["score"] for r in rows if r["peer_value"] == value)
        out.append(ValueSpread(value=value, scores=marks, lowest=marks[0] if marks else None,
                               highest=marks[-1] if marks else None, mean=round(mean(marks), 2) if marks else None,
                               spread=marks[-1] - marks[0] if marks else None))
    return out


async def read_scores(principal: Principal, application_id: UUID) -> ScoresOut:
    """A scorer sees only their own scores until they have submitted them; recruiters who do
    not score see everyone's (they moderate)."""
    row, found = await application_seat(principal, application_id)
    rows = await Score.select(Score.scorer, Score.scorer.display_name.as_alias("name"), Score.peer_value,
                              Score.score, Score.comment).where(Score.application == application_id)
    values = found.vacancy["peer_values"]
    order = {v: i for i, v in enumerate(values)}
    rows.sort(key=lambda r: (r["name"], order.get(r["peer_value"], 99)))
    mine = [r for r in rows if r["scorer"] == principal.account_id]
    visible = bool(mine) or (found.manager and not found.panel)

    def out(r: dict[str, Any]) -> ScoreOut:
        return ScoreOut(scorer=r["name"], value=r["peer_value"], score=r["score"], comment=r["comment"])

    shown = rows if visible else mine
    totals = {}
    for r in shown:
        totals.setdefault(r["scorer"], 0)
        totals[r["scorer"]] += r["score"]
    return ScoresOut(
        mine=[out(r) for r in mine], others_visible=visible,
        others=[out(r) for r in rows if r["scorer"] != principal.account_id] if visible else [],
        spread=spread(values, shown) if visible else [],
        total_mean=round(mean(totals.values()), 2) if visible and totals else None,
        compliance=await compliance_problems(row["vacancy"], application_id),
    )


NEXT_STATUS = {"shortlist": ("submitted", "shortlisted"), "reject": (None, "unsuccessful"),
               "offer": ("shortlisted", "offered"), "hire": ("offered", "hired")}


async def require_compliant(principal: Principal, row: dict[str, Any], kind: str) -> None:
    problems = await compliance_problems(row["vacancy"], row["id"])
    if problems:
        raise Conflict(f"This {kind} decision is refused: " + "; ".join(problems) + ".")


async def decide(principal: Principal, application_id: UUID, kind: str, note: str = "") -> str:
    """Shortlist, reject or offer, recording the decision; returns the new status.

    Raises Conflict (409) with every reason when the panel does not meet policy.
    """
    principal.require("recruitment:manage")
    row, found = await application_seat(principal, application_id)
    before, after = NEXT_STATUS[kind]
    status = found.vacancy["status"]
    if status not in DECIDING:
        raise Conflict(f"The vacancy is {status}: close it to applications before deciding.")
    if before is not None and row["status"] != before:
        raise Conflict(f"Only a {before} application can be given a {kind} decision (this one is {row['status']}).")
    if kind == "reject" and row["status"] not in ("submitted", "shortlisted", "offered"):
        raise Conflict(f"This application is already {row['status']}.")
    await require_compliant(principal, row, kind)
    await record_decision(principal, row, kind, after, note)
    return after


async def record_decision(principal: Principal, row: dict[str, Any], kind: str, after: str, note: str = "",
                          letter: str | None = None) -> None:
    """Record a decision and tell the applicant (``letter``: which of LETTERS, by default the kind's)."""
    current = now()
    changes: dict[Any, Any] = {Application.status: after}
    if after == "shortlisted":
        changes[Application.shortlisted_at] = current
    elif after == "offered":
        changes[Application.offered_at] = current
    elif after == "hired":
        changes[Application.hired_at] = current
    elif after == "unsuccessful":
        changes[Application.closed_at] = current
    async with transaction():
        if after == "unsuccessful" and row["slot"] is not None:
            await invites.release_slot(row)
        await Application.update(changes).where(Application.id == row["id"])
        await Decision(organisation=principal.organisation_id, vacancy=row["vacancy"], application=row["id"],
                       kind=kind, compliant=True, decided_by=principal.account_id, note=note.strip()).save()
        if kind == "shortlist":
            await Vacancy.update({Vacancy.status: "shortlisting"}).where(
                (Vacancy.id == row["vacancy"]) & (Vacancy.status == "closed"))
        await audit.record(principal, "update", "application", row["id"], fields=["status"], decision=kind)
        await tell_applicant(row, letter or kind)


LETTERS = {
    "shortlist": ("You have been shortlisted", "Good news: the panel would like to meet you. Please book an interview "
                  "time using the private link in our first email."),
    "reject": ("Your application", "Thank you for applying and for sharing your experience with us. This time the "
               "panel has decided not to take your application further. We hope you will apply again."),
    "vacancy_filled": ("Your application", "Thank you for applying and for sharing your experience with us. The "
                       "post you applied for has now been filled, so your application will not go further. We hope "
                       "you will apply again."),
    "vacancy_withdrawn": ("Your application", "Thank you for applying and for sharing your experience with us. We "
                          "have withdrawn the post you applied for, so your application will not go further. We are "
                          "sorry for the disappointment and hope you will apply again."),
    "offer": ("An offer", "The panel would like to offer you the post. The recruitment team will be in touch about "
              "next steps."),
}


async def tell_applicant(row: dict[str, Any], letter: str) -> None:
    """A kind, plain email about the decision (never the scores or the panel's comments)."""
    from peerwork.core.mail.outbox import enqueue

    if letter not in LETTERS or not row["email"]:
        return
    subject, text = LETTERS[letter]
    await enqueue(to_address=row["email"], to_name=row["name"], subject=f"{subject} ({row['reference']})",
                  body_text=f"Hello {row['name']},\n\n{text}\n", organisation_id=row["organisation"],
                  dedupe_key=f"application:{row['id']}:{letter}")
