"""The seven supports: which of them an organisation's current PSWs received in the last 12 months.

The supports are those the national peer support worker survey names. Each is a yes/no per
PSW, worked out in one SQL statement: each support is a set of accounts (one DISTINCT pass over
its table), and every PSW is LEFT JOINed to the seven sets. The figures are SUMs over that, so
the cost grows with the data, never with a query per person (per-person EXISTS subqueries took
minutes for 2,000 PSWs on PostgreSQL; see bench/supports.py).

- role_training: a core-training course done in the window
- group_supervision: attended a group peer supervision session in the window
- one_to_one_supervision: a 1:1 peer supervision session held in the window
- peer_leadership: a held session (1:1, or a group they attended) led by someone in a peer lead role
- manager_support: their line manager has done a manager course (ever)
- role_resources: they acknowledged a written role description (ever)
- ongoing_cpd: any CPD done in the window
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.tables import Account

SUPPORTS = {
    "role_training": "Role training (core training done)",
    "group_supervision": "Group peer supervision (attended)",
    "one_to_one_supervision": "1:1 peer supervision (held)",
    "peer_leadership": "Specialist peer leadership (supervised by a peer lead)",
    "manager_support": "Support for their managers (manager trained)",
    "role_resources": "Written role resources (role description acknowledged)",
    "ongoing_cpd": "Ongoing CPD (any CPD recorded)",
}
WINDOW_DAYS = 365

# Each support is the set of accounts that received it (DISTINCT, one pass over its table);
# every PSW is LEFT JOINed to the seven sets. {name}s are filled in order by _flags_sql.
_SETS = {
    "role_training": "SELECT DISTINCT r.account FROM cpd_record r JOIN course c ON c.id = r.course "
                     "WHERE r.organisation = {org} AND r.status = 'done' AND c.kind = 'core' AND r.done_on >= {since}",
    "group_supervision": "SELECT DISTINCT g.account FROM group_attendance g JOIN supervision_session s "
                         "ON s.id = g.session WHERE g.attended = {true} AND s.organisation = {org} "
                         "AND s.start >= {since_at}",
    "one_to_one_supervision": "SELECT DISTINCT s.supervisee AS account FROM supervision_session s "
                              "WHERE s.organisation = {org} AND s.status = 'held' AND s.start >= {since_at} "
                              "AND s.supervisee IS NOT NULL",
    "peer_leadership": "SELECT DISTINCT COALESCE(s.supervisee, g.account) AS account FROM supervision_session s "
                       "JOIN membership l ON l.account = s.supervisor AND l.organisation = s.organisation "
                       "AND l.role = 'peer_lead' "
                       "LEFT JOIN group_attendance g ON g.session = s.id AND g.attended = {true} "
                       "WHERE s.organisation = {org} AND s.status = 'held' AND s.start >= {since_at}",
    "manager_support": "SELECT DISTINCT lm.account FROM line_manager lm JOIN cpd_record r ON r.account = lm.manager "
                       "JOIN course c ON c.id = r.course WHERE lm.organisation = {org} AND r.status = 'done' "
                       "AND c.kind = 'manager'",
    "role_resources": "SELECT DISTINCT ra.account FROM role_acknowledgement ra WHERE ra.organisation = {org}",
    "ongoing_cpd": "SELECT DISTINCT r.account FROM cpd_record r WHERE r.organisation = {org} "
                   "AND r.status = 'done' AND r.done_on >= {since}",
}


def _flags_sql(organisation_id: UUID, since: date, since_at: datetime) -> tuple[str, list]:
    """The per-PSW yes/no query (columns account, name and one 0/1 per support) and its
    parameters, in order."""
    params: list = []
    values = {"org": organisation_id, "since": since, "since_at": since_at, "true": True}

    def fill(template: str) -> str:
        for name in re.findall(r"\{(\w+)\}", template):
            params.append(values[name])
        return re.sub(r"\{\w+\}", "{}", template)

    ctes = [fill("psw AS (SELECT a.id, a.display_name FROM account a JOIN membership m ON m.account = a.id "
                 "WHERE m.organisation = {org} AND m.role = 'psw' AND a.is_active = {true})")]
    ctes += [f"{name} AS ({fill(sql)})" for name, sql in _SETS.items()]
    flags = ", ".join(f"CASE WHEN {name}.account IS NULL THEN 0 ELSE 1 END AS {name}" for name in _SETS)
    joins = " ".join(f"LEFT JOIN {name} ON {name}.account = psw.id" for name in _SETS)
    sql = (f"WITH {', '.join(ctes)} SELECT psw.id AS account, psw.display_name AS name, {flags} "
           f"FROM psw {joins}")
    return sql, params


def _window(today: date) -> tuple[date, datetime]:
    since = today - timedelta(days=WINDOW_DAYS)
    return since, datetime.combine(since, time(), tzinfo=UTC)


@dataclass(frozen=True)
class SupportFigure:
    key: str
    label: str
    received: int
    psws: int

    @property
    def share(self) -> float | None:
        return self.received / self.psws if self.psws else None


@dataclass(frozen=True)
class PersonSupports:
    account_id: UUID
    name: str
    missing: list[str]


def _as_uuid(value) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


async def figures(principal: Principal, today: date | None = None) -> list[SupportFigure]:
    """Per support, how many of the organisation's current PSWs received it (one aggregate query)."""
    principal.require("supports:read")
    sql, params = _flags_sql(principal.organisation_id, *_window(today or date.today()))
    sums = ", ".join(f"COALESCE(SUM({k}), 0) AS {k}" for k in SUPPORTS)
    row = (await Account.raw(f"SELECT COUNT(*) AS psws, {sums} FROM ({sql}) f", *params))[0]
    return [SupportFigure(k, label, int(row[k]), int(row["psws"])) for k, label in SUPPORTS.items()]


async def who_is_missing(principal: Principal, today: date | None = None) -> list[PersonSupports]:
    """Each current PSW and the supports they did not receive (own organisation; peer leads and
    admins only: it names people)."""
    return (await overview(principal, today))[1]


async def overview(principal: Principal, today: date | None = None) -> tuple[list[SupportFigure], list[PersonSupports]]:
    """The figures and who is missing what, from one statement (totals as window SUMs)."""
    principal.require("supports:people")
    sql, params = _flags_sql(principal.organisation_id, *_window(today or date.today()))
    totals = ", ".join(f"SUM({k}) OVER () AS total_{k}" for k in SUPPORTS)
    rows = await Account.raw(f"SELECT f.*, COUNT(*) OVER () AS psws, {totals} FROM ({sql}) f "
                             f"ORDER BY f.name, f.account", *params)
    await audit.record(principal, "read", "supports", None, fields=list(SUPPORTS))
    first = rows[0] if rows else {}
    found = [SupportFigure(k, label, int(first.get(f"total_{k}") or 0), int(first.get("psws") or 0))
             for k, label in SUPPORTS.items()]
    return found, [PersonSupports(_as_uuid(r["account"]), r["name"], [k for k in SUPPORTS if not r[k]]) for r in rows]
