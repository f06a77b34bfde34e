"""Retention by the supports people received: does having a pair, 1:1 supervision held on time,
or group supervision go with staying? Aggregates only; association, not cause.

The population and definitions are the retention report's (lived-experience spells,
retention.query.fetch_spells, as known on ``as_of``). Comparing those who received a support with
those who did not invites immortal-time bias: someone who stays longer has more time to be
given a pair or to attend a group, so "received it ever" would make any support look good. So
this is a *landmark* analysis (the pure part is in :mod:`peerwork.supports.landmark`):

- each spell's support is judged on its first LANDMARK_DAYS (182, six months) only;
- only spells still going at the landmark (duration >= 182 days) are compared, so everyone in
  it was in post for the whole window in which the support was judged, and the curves are
  retention from the spell's start *given* being in post at six months;
- spells that started before the organisation's first record of any of the three supports
  are left out (before peerwork held those records nobody could be seen to receive them).

What this does not correct, and the page and docs say so: confounding (teams, managers or
people who give and take up supports may differ in other ways that go with staying); supports
received after the landmark; supports received by a person with no account (nothing can be
recorded against them, so they count as not received); and early leavers (before six months),
who are outside the comparison altogether.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID


from piccolo.querystring import QueryString

from peerwork.core.access import Principal
from peerwork.core.db import current_engine
from peerwork.core.time import LONDON
from peerwork.retention.query import fetch_spells
from peerwork.retention.service import check_as_of
from peerwork.retention.split import Observations, Split, split
from peerwork.supports.landmark import (
    LANDMARK_DAYS,
    SUPPORTS_COMPARED,
    HeldSession,
    PairPeriod,
    PersonRecords,
    received,
)
from peerwork.core.lazy import deferred

np = deferred("numpy")  # loaded by the first figure, not at start-up

RECEIVED, NOT_RECEIVED = "received", "not_received"
CAVEAT = ("These figures show association, not cause: people who received a support may differ in other ways "
          "that go with staying (their team, their manager, their own circumstances), and a difference here does "
          "not show that giving the support would keep anyone in post.")


@dataclass(frozen=True)
class SupportRetention:
    as_of: date
    landmark_days: int
    records_begin: date | None  # the first support on record; None: none recorded yet
    compared: int  # spells compared (in post at the landmark, started since records began)
    left_before_landmark: int  # spells that ended within the first six months (not compared)
    before_records: int  # spells that started before records began (not compared)
    splits: tuple[Split, ...]


# Each query gives (person, day or period, ...) for the organisation's records, through the
# accounts linked to the organisation's staff records.
_PERSON_OF = ("JOIN account acc ON acc.id = {account} "
              "JOIN person pe ON pe.id = acc.person AND pe.organisation = {org}")
_PAIRS = ("SELECT acc.person AS person, p.start_date AS start_date, p.end_date AS end_date FROM pair p "
          + _PERSON_OF.format(account="p.new_peer", org="{}") + " WHERE p.organisation = {} "
          "UNION ALL SELECT acc.person, p.start_date, p.end_date FROM pair p "
          + _PERSON_OF.format(account="p.experienced_peer", org="{}") + " WHERE p.organisation = {}")
_ONE_TO_ONE = ("SELECT acc.person AS person, s.start AS start, ag.every_days AS every_days, "
               "ag.grace_days AS grace_days FROM supervision_session s "
               "JOIN supervision_agreement ag ON ag.id = s.agreement "
               + _PERSON_OF.format(account="s.supervisee", org="{}")
               + " WHERE s.organisation = {} AND s.status = 'held' AND ag.kind = 'one_to_one'")
_GROUP = ("SELECT acc.person AS person, s.start AS start FROM group_attendance g "
          "JOIN supervision_session s ON s.id = g.session " + _PERSON_OF.format(account="g.account", org="{}")
          + " WHERE s.organisation = {} AND g.attended = {}")


def _day(value: object) -> date:
    """A session's start as its London date (SQLite may hand back ISO text)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(LONDON).date() if moment.tzinfo else moment.date()


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value  # type: ignore[return-value]
    return date.fromisoformat(str(value)[:10])


async def _records(organisation_id: UUID) -> dict[str, PersonRecords]:
    """Each person's pairs, held 1:1 sessions and attended group sessions, keyed by str(person).
    Read as the engine's own rows (no dict per row), in one pass each."""
    engine = current_engine()
    records: dict[str, PersonRecords] = {}

    def of(person: object) -> PersonRecords:
        key = str(person)
        found = records.get(key)
        if found is None:
            found = records[key] = PersonRecords()
        return found

    async def rows(sql: str, *values: object) -> list:
        found = await engine.run_querystring(QueryString(sql, *values))
        # asyncpg's records unpack by position; SQLite's rows are dicts in the SELECT's order.
        return [tuple(r.values()) for r in found] if found and isinstance(found[0], dict) else found

    org = organisation_id
    for person, start, end in await rows(_PAIRS, org, org, org, org):
        of(person).pairs.append(PairPeriod(_as_date(start), _as_date(end)))
    for person, start, every, grace in await rows(_ONE_TO_ONE, org, org):
        of(person).one_to_one.append(HeldSession(_day(start), int(every), int(grace)))
    for person, start in await rows(_GROUP, org, org, True):
        of(person).group.append(_day(start))
    return records


async def retention_by_support(principal: Principal, as_of: date | None = None) -> SupportRetention:
    """Retention of spells that received each support in their first six months against those
    that did not (own organisation; aggregates only, small numbers suppressed)."""
    principal.require("retention:read")
    as_of = check_as_of(as_of)
    spells = await fetch_spells(principal.organisation_id, as_of)
    records = await _records(principal.organisation_id)
    # Records dated after as_of cannot fall in any compared spell's window (each ends by as_of).
    begin = min((d for r in records.values() for d in r.first_days() if d <= as_of), default=None)
    left_early = sum(1 for s in spells if s.duration_days < LANDMARK_DAYS)
    before = sum(1 for s in spells if s.duration_days >= LANDMARK_DAYS and (begin is None or s.start < begin))
    compared = [s for s in spells if s.duration_days >= LANDMARK_DAYS and begin is not None and s.start >= begin]
    observations = Observations(
        duration=np.fromiter((s.duration_days for s in compared), dtype=np.int64, count=len(compared)),
        left=np.fromiter((s.left for s in compared), dtype=bool, count=len(compared)),
        start=np.fromiter((s.start.toordinal() for s in compared), dtype=np.int64, count=len(compared)),
        person=[s.person for s in compared],
    )
    empty = PersonRecords()
    splits = []
    for key, (label, yes, no) in SUPPORTS_COMPARED.items():
        group_of = [RECEIVED if received(key, records.get(s.person, empty), s.start) else NOT_RECEIVED
                    for s in compared]
        splits.append(split(observations, group_of, ((RECEIVED, yes), (NOT_RECEIVED, no)), as_of,
                            key=key, label=label, test=True, cohort=False))
    return SupportRetention(as_of, LANDMARK_DAYS, begin, len(compared), left_early, before, tuple(splits))
