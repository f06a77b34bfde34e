"""The seven supports: which of them an organisation's lived-experience staff in post received
in the last 12 months.

Who is counted comes from the staff records, not from accounts: every person with an
assignment in the organisation in a lived-experience role on the day (started, not ended),
whether or not they have an account, plus any active account holding the ``psw`` role that is
not linked to a staff record in the organisation (an organisation that has not imported its
staff yet). A person whose staff record says they left, or who holds no lived-experience post,
is not counted, even if their account still holds the ``psw`` role.

Supports are recorded against accounts, so a person with no account yet has received none of
them, except support for their manager, which is about the manager: an imported person's line
manager is the person holding the assignment numbered in their current lived-experience
assignment's ``line_manager_assignment_number`` (same organisation). Line managers set in
peerwork (``line_manager``, between accounts) count too: either source will do.

The supports are those the national peer support worker survey names. Each is a yes/no per
person, worked out in one SQL statement: each support is a set of accounts (one DISTINCT pass
over its table); every person is LEFT JOINed to the seven sets through their accounts and the
flags are folded per person (GROUP BY, so a person with two accounts counts once). The figures
are SUMs over that, so the cost grows with the data, never with a query per person
(per-person EXISTS subqueries took minutes for 2,000 PSWs on PostgreSQL; see bench/supports.py).

- role_training: a core-training course done in the window
- group_supervision: attended a group peer supervision session in the window
- one_to_one_supervision: a 1:1 peer supervision session held in the window
- peer_leadership: a held session (1:1, or a group they attended) led by someone in a peer lead role
- manager_support: their line manager has done a manager course (ever)
- role_resources: they acknowledged a written role description (ever)
- ongoing_cpd: any CPD done in the window
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.workforce.staff import in_post_sql
from peerwork.core.db import named
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


# Who is counted: one row per (subject, account); a subject is a person (staff record) or, for
# a PSW account with no staff record here, the account itself.
_WHO = (
    "staff AS (SELECT DISTINCT a.person FROM assignment a WHERE " + in_post_sql("a") + "), "
    "who AS ("
    "SELECT s.person AS subject, s.person AS person, acc.id AS account, "
    "COALESCE(NULLIF(acc.display_name, ''), NULLIF(TRIM(COALESCE(p.given_name, '') || ' ' "
    "|| COALESCE(p.family_name, '')), ''), 'Employee ' || p.employee_number) AS name "
    "FROM staff s JOIN person p ON p.id = s.person LEFT JOIN account acc ON acc.person = s.person "
    "UNION ALL "
    "SELECT a.id, NULL, a.id, a.display_name FROM account a JOIN membership m ON m.account = a.id "
    "WHERE m.organisation = {org} AND m.role = 'psw' AND a.is_active = {true} "
    "AND NOT EXISTS (SELECT 1 FROM person p WHERE p.id = a.person AND p.organisation = {org}))"
)

# Each support is the set of accounts that received it (DISTINCT, one pass over its table).
# {name}s are filled in order by _flags_sql.
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
# The people whose imported line manager (by assignment number) has done a manager course.
_IMPORTED_MANAGER = (
    "SELECT DISTINCT a.person FROM assignment a "
    "JOIN assignment ma ON ma.organisation = a.organisation AND ma.assignment_number = a.line_manager_assignment_number "
    "JOIN account macc ON macc.person = ma.person JOIN cpd_record r ON r.account = macc.id "
    "JOIN course c ON c.id = r.course "
    "WHERE " + in_post_sql("a") + " AND a.line_manager_assignment_number IS NOT NULL "
    "AND r.status = 'done' AND c.kind = 'manager'"
)


def _flags_sql(organisation_id: UUID, today: date, since: date, since_at: datetime) -> tuple[str, list]:
    """The per-person yes/no query (columns subject, person, account, name, accounts and one
    0/1 per support) and its parameters, in order."""
    params: list = []
    values = {"org": organisation_id, "today": today, "since": since, "since_at": since_at, "true": True}

    def fill(template: str) -> str:
        sql, bound = named(template, **values)
        params.extend(bound)
        return sql

    ctes = [fill(_WHO)]
    ctes += [f"{name} AS ({fill(sql)})" for name, sql in _SETS.items()]
    ctes.append(f"imported_manager AS ({fill(_IMPORTED_MANAGER)})")

    def flag(name: str) -> str:
        received = f"{name}.account IS NOT NULL"
        if name == "manager_support":
            received += " OR imported_manager.person IS NOT NULL"
        return f"MAX(CASE WHEN {received} THEN 1 ELSE 0 END) AS {name}"

    joins = " ".join(f"LEFT JOIN {name} ON {name}.account = who.account" for name in _SETS)
    sql = (f"WITH {', '.join(ctes)} SELECT who.subject, who.person, MIN(CAST(who.account AS TEXT)) AS account, "
           f"MIN(who.name) AS name, COUNT(who.account) AS accounts, {', '.join(flag(k) for k in _SETS)} "
           f"FROM who {joins} LEFT JOIN imported_manager ON imported_manager.person = who.person "
           f"GROUP BY who.subject, who.person")
    return sql, params


def _window(today: date) -> tuple[date, datetime]:
    since = today - timedelta(days=WINDOW_DAYS)
    return since, datetime.combine(since, time(), tzinfo=UTC)


@dataclass(frozen=True)
class SupportFigure:
    key: str
    label: str
    received: int
    psws: int  # lived-experience staff in post (with or without an account)
    without_account: int = 0  # of them, how many have no account yet

    @property
    def share(self) -> float | None:
        return self.received / self.psws if self.psws else None


@dataclass(frozen=True)
class PersonSupports:
    name: str
    missing: list[str]
    has_account: bool  # False: no account yet, so no support can be recorded for them
    # As the database gave them; read through account_id and person_id (a page listing two
    # thousand people never needs them, so they are not parsed up front).
    raw_account: object = field(default=None, repr=False)
    raw_person: object = field(default=None, repr=False)

    @property
    def account_id(self) -> UUID | None:
        """One of their accounts (None: no account yet)."""
        return _as_uuid(self.raw_account)

    @property
    def person_id(self) -> UUID | None:
        """Their staff record (None: an account with no staff record in the organisation)."""
        return _as_uuid(self.raw_person)


def _as_uuid(value) -> UUID | None:
    if value is None:
        return None
    return value if isinstance(value, UUID) else UUID(str(value))


async def figures(principal: Principal, today: date | None = None) -> list[SupportFigure]:
    """Per support, how many of the organisation's lived-experience staff in post received it
    (one aggregate query)."""
    principal.require("supports:read")
    return await organisation_figures(principal.organisation_id, today or date.today())


async def organisation_figures(organisation_id: UUID, today: date) -> list[SupportFigure]:
    """:func:`figures` for an organisation by id, checking no rights (for reports built over
    several organisations, such as a network's, whose callers check theirs)."""
    sql, params = _flags_sql(organisation_id, today, *_window(today))
    sums = ", ".join(f"COALESCE(SUM({k}), 0) AS {k}" for k in SUPPORTS)
    row = (await Account.raw(f"SELECT COUNT(*) AS psws, COALESCE(SUM(CASE WHEN accounts = 0 THEN 1 ELSE 0 END), 0) "
                             f"AS without_account, {sums} FROM ({sql}) f", *params))[0]
    return [SupportFigure(k, label, int(row[k]), int(row["psws"]), int(row["without_account"]))
            for k, label in SUPPORTS.items()]


async def who_is_missing(principal: Principal, today: date | None = None) -> list[PersonSupports]:
    """Each person counted and the supports they did not receive (own organisation; peer leads
    and admins only: it names people). People with no account yet are included, marked."""
    return (await overview(principal, today))[1]


async def overview(principal: Principal, today: date | None = None) -> tuple[list[SupportFigure], list[PersonSupports]]:
    """The figures and who is missing what, from one statement (totals as window SUMs)."""
    principal.require("supports:people")
    today = today or date.today()
    sql, params = _flags_sql(principal.organisation_id, today, *_window(today))
    totals = ", ".join(f"SUM({k}) OVER () AS total_{k}" for k in SUPPORTS)
    rows = await Account.raw(f"SELECT f.*, COUNT(*) OVER () AS psws, "
                             f"SUM(CASE WHEN f.accounts = 0 THEN 1 ELSE 0 END) OVER () AS without_account, {totals} "
                             f"FROM ({sql}) f ORDER BY f.name, f.subject", *params)
    await audit.record(principal, "read", "supports", None, fields=list(SUPPORTS))
    first = rows[0] if rows else {}
    found = [SupportFigure(k, label, int(first.get(f"total_{k}") or 0), int(first.get("psws") or 0),
                           int(first.get("without_account") or 0))
             for k, label in SUPPORTS.items()]
    return found, [PersonSupports(r["name"], [k for k in SUPPORTS if not r[k]], r["accounts"] > 0, r["account"],
                                  r["person"]) for r in rows]
