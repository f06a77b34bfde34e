"""Past recruitment rounds: loading them from a CSV, listing them, and their part in the funnel.

A round from before peerwork is stored as figures only (no applicant), keyed by organisation
and the organisation's own reference, so loading the same file again changes nothing and a
corrected file updates its rounds. A file with any problem loads nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import current_engine, is_postgres, transaction
from peerwork.recruitment.history_csv import RoundRow, parse_rounds
from peerwork.recruitment.schemas import PastRoundOut, RoundProblemOut, RoundsImportOut
from peerwork.recruitment.tables import PastRound
from peerwork.workforce.csv_rows import RowProblem, RowProblemError, decode

# What a load compares and writes, in one order.
FIELDS = ("title", "year", "opened_on", "closed_on", "posts", "applications", "shortlisted", "interviewed",
          "offered", "hired", "hire_dates", "days_to_hire_mean", "days_to_hire_hires")
STAGES = ("shortlisted", "interviewed", "offered", "hired")


@dataclass
class RoundsReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: bool = False
    dry_run: bool = False
    errors: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def out(self) -> RoundsImportOut:
        return RoundsImportOut(rows=self.rows, created=self.created, updated=self.updated, unchanged=self.unchanged,
                               applied=self.applied, dry_run=self.dry_run,
                               errors=[RoundProblemOut(p.line, p.column, p.problem) for p in self.errors])


def _values(row: RoundRow) -> dict[str, Any]:
    return {
        "title": row.title, "year": row.year, "opened_on": row.opened_on, "closed_on": row.closed_on,
        "posts": row.posts, "applications": row.applications, "shortlisted": row.shortlisted,
        "interviewed": row.interviewed, "offered": row.offered, "hired": row.hired,
        "hire_dates": [d.isoformat() for d in row.hire_dates], "days_to_hire_mean": row.days_to_hire_mean,
        "days_to_hire_hires": row.days_to_hire_hires,
    }


async def import_rounds(organisation_id: UUID, data: bytes | str, *, actor: Principal | None = None,
                        dry_run: bool = False) -> RoundsReport:
    """Load past rounds into one organisation. Guarantees: every problem is reported as line,
    column and problem, and then nothing is written; otherwise every round is written in one
    transaction; loading the same file again changes nothing (a round is its reference)."""
    if actor is not None:
        actor.require("recruitment:manage")
    report = RoundsReport(dry_run=dry_run)
    try:
        text = decode(data) if isinstance(data, bytes) else data
    except RowProblemError as exc:
        report.errors = [exc.problem]
        return report
    parsed = parse_rounds(text)
    report.rows, report.errors = parsed.data_lines, parsed.problems
    if parsed.problems:
        return report
    async with transaction():
        if is_postgres(current_engine()):
            # Loads for one organisation take turns, so two never compare against the same state
            # and then both insert a new reference (the unique index would refuse the second).
            await PastRound.raw("SELECT pg_advisory_xact_lock(hashtext({}))", f"past-rounds:{organisation_id}")
        current = {r["reference"]: r for r in await PastRound.select(PastRound.id, PastRound.reference, *(
            getattr(PastRound, f) for f in FIELDS)).where(PastRound.organisation == organisation_id).output(load_json=True)}
        inserts, updates = [], []
        for row in parsed.rows:
            values = _values(row)
            existing = current.get(row.reference)
            if existing is None:
                inserts.append(PastRound(organisation=organisation_id, reference=row.reference, **values))
            elif any(existing[f] != values[f] for f in FIELDS):
                updates.append((existing["id"], values))
            else:
                report.unchanged += 1
        report.created, report.updated = len(inserts), len(updates)
        if dry_run:
            return report
        if inserts:
            await PastRound.insert(*inserts)
        for round_id, values in updates:
            await PastRound.update({getattr(PastRound, f): v for f, v in values.items()}).where(PastRound.id == round_id)
        if inserts or updates:
            await audit.record(actor, "import", "past_round", organisation_id=organisation_id,
                               created=report.created, updated=report.updated,
                               **({} if actor is not None else {"via": "cli"}))
    report.applied = True
    return report


def _out(r: dict[str, Any]) -> PastRoundOut:
    return PastRoundOut(
        reference=r["reference"], title=r["title"], year=r["year"], opened_on=r["opened_on"],
        closed_on=r["closed_on"], posts=r["posts"], applications=r["applications"],
        shortlisted=r["shortlisted"], interviewed=r["interviewed"], offered=r["offered"], hired=r["hired"],
        hire_dates=[date.fromisoformat(d) for d in r["hire_dates"]],
        days_to_hire_mean=None if r["days_to_hire_mean"] is None else round(r["days_to_hire_mean"], 1),
    )


async def _rounds(organisation_id: UUID) -> list[dict[str, Any]]:
    return await PastRound.select(PastRound.reference, *(getattr(PastRound, f) for f in FIELDS)).where(
        PastRound.organisation == organisation_id).order_by(PastRound.year).order_by(
        PastRound.reference).output(load_json=True)


async def list_rounds(principal: Principal) -> list[PastRoundOut]:
    """The organisation's loaded past rounds, oldest year first."""
    principal.require("recruitment:funnel")
    return [_out(r) for r in await _rounds(principal.organisation_id)]


async def rounds_by_year(organisation_id: UUID, year: int | None = None) -> dict[int, list[dict[str, Any]]]:
    """Past rounds grouped by the year they opened (only ``year``'s, when given)."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for r in await _rounds(organisation_id):
        if year is None or r["year"] == year:
            grouped.setdefault(r["year"], []).append(r)
    return grouped


def in_period(r: dict[str, Any], start: date, end: date) -> bool:
    """Pure: a round counts in a period by the day it opened; one known only by its year counts
    in a period that covers that whole year (it is never spread over quarters)."""
    if r["opened_on"] is not None:
        return start <= r["opened_on"] <= end
    return start <= date(r["year"], 1, 1) and date(r["year"], 12, 31) <= end


async def rounds_between(organisation_id: UUID, start: date, end: date) -> list[dict[str, Any]]:
    return [r for r in await _rounds(organisation_id) if in_period(r, start, end)]


# --- the funnel's arithmetic with rounds (pure) ------------------------------------------


def known_total(live: int, rounds: Iterable[dict[str, Any]], stage: str) -> int | None:
    """Live count plus the rounds' counts; unknown (None) if any round did not record the stage,
    so an unknown stage is never read as zero."""
    values = [r[stage] for r in rounds]
    return None if any(v is None for v in values) else live + sum(values)


def round_days(rounds: Iterable[dict[str, Any]]) -> tuple[float, int]:
    """(total days to hire, hires they cover) over the rounds that recorded days to hire."""
    total, count = 0.0, 0
    for r in rounds:
        if r["days_to_hire_mean"] is not None and r["days_to_hire_hires"]:
            total += r["days_to_hire_mean"] * r["days_to_hire_hires"]
            count += r["days_to_hire_hires"]
    return total, count
