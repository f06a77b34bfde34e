"""The seven-supports page for 2,000 PSWs against an aggregate SQL floor.

One organisation on a throw-away PostgreSQL database, with staff records as HR imports them:
2,000 PSWs in post with accounts linked to their staff records, 200 more in post with no account
yet, 200 who left (assignments ended, accounts deactivated), 100 supervisors (in posts that are
not lived-experience roles) of whom 30 are peer leads, a year of 1:1 and group supervision
(about 20,000 sessions, 40,000 attendance rows), 10,000 CPD records, line managers both set in
peerwork and imported (by assignment number) and role-description acknowledgements, all seeded.
"Ours" is ``GET /supports`` for a signed-in peer lead through the whole app in this process
(session cookie, the figures, who is missing what, the template). The floor is the same two
answers from raw asyncpg: one aggregate over the people in post LEFT JOINed (through their
accounts) to the per-support sets, and the per-person rows; no ORM, no HTTP, no HTML. Both are
checked to agree. Best of seven interleaved runs each.

    python bench/supports.py        # BENCH_PSWS (2000)
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from _common import Result, Row, fresh_database

PSWS = int(os.environ.get("BENCH_PSWS", "2000"))
TARGET = 3.0
RUNS = 7

FLOOR_SQL = """
WITH staff AS (
  SELECT DISTINCT person FROM assignment WHERE organisation = $1 AND lived_experience_role
  AND start_date <= $4 AND (end_date IS NULL OR end_date >= $4)
),
who AS (
  SELECT s.person AS subject, s.person, acc.id AS account,
         COALESCE(NULLIF(acc.display_name, ''), NULLIF(TRIM(COALESCE(p.given_name, '') || ' '
         || COALESCE(p.family_name, '')), ''), 'Employee ' || p.employee_number) AS name
  FROM staff s JOIN person p ON p.id = s.person LEFT JOIN account acc ON acc.person = s.person
  UNION ALL
  SELECT a.id, NULL, a.id, a.display_name FROM account a JOIN membership m ON m.account = a.id
  WHERE m.organisation = $1 AND m.role = 'psw' AND a.is_active
    AND NOT EXISTS (SELECT 1 FROM person p WHERE p.id = a.person AND p.organisation = $1)
),
core AS (SELECT DISTINCT r.account FROM cpd_record r JOIN course c ON c.id = r.course
         WHERE r.organisation = $1 AND r.status = 'done' AND c.kind = 'core' AND r.done_on >= $2),
grp AS (SELECT DISTINCT g.account FROM group_attendance g JOIN supervision_session s ON s.id = g.session
        WHERE g.attended AND s.organisation = $1 AND s.start >= $3),
one AS (SELECT DISTINCT supervisee AS account FROM supervision_session
        WHERE organisation = $1 AND status = 'held' AND start >= $3 AND supervisee IS NOT NULL),
lead AS (SELECT DISTINCT COALESCE(s.supervisee, g.account) AS account FROM supervision_session s
         JOIN membership l ON l.account = s.supervisor AND l.organisation = s.organisation AND l.role = 'peer_lead'
         LEFT JOIN group_attendance g ON g.session = s.id AND g.attended
         WHERE s.organisation = $1 AND s.status = 'held' AND s.start >= $3),
mgr AS (SELECT DISTINCT lm.account FROM line_manager lm JOIN cpd_record r ON r.account = lm.manager
        JOIN course c ON c.id = r.course WHERE lm.organisation = $1 AND r.status = 'done' AND c.kind = 'manager'),
imported AS (SELECT DISTINCT a.person FROM assignment a
        JOIN assignment ma ON ma.organisation = a.organisation AND ma.assignment_number = a.line_manager_assignment_number
        JOIN account macc ON macc.person = ma.person JOIN cpd_record r ON r.account = macc.id
        JOIN course c ON c.id = r.course
        WHERE a.organisation = $1 AND a.lived_experience_role AND a.start_date <= $4
          AND (a.end_date IS NULL OR a.end_date >= $4) AND r.status = 'done' AND c.kind = 'manager'),
ack AS (SELECT DISTINCT account FROM role_acknowledgement WHERE organisation = $1),
cpd AS (SELECT DISTINCT account FROM cpd_record WHERE organisation = $1 AND status = 'done' AND done_on >= $2),
flags AS (
  SELECT who.subject, MIN(who.name) AS name, COUNT(who.account) AS accounts,
    MAX((core.account IS NOT NULL)::int) AS role_training, MAX((grp.account IS NOT NULL)::int) AS group_supervision,
    MAX((one.account IS NOT NULL)::int) AS one_to_one_supervision, MAX((lead.account IS NOT NULL)::int) AS peer_leadership,
    MAX((mgr.account IS NOT NULL OR imported.person IS NOT NULL)::int) AS manager_support,
    MAX((ack.account IS NOT NULL)::int) AS role_resources, MAX((cpd.account IS NOT NULL)::int) AS ongoing_cpd
  FROM who LEFT JOIN core ON core.account = who.account LEFT JOIN grp ON grp.account = who.account
  LEFT JOIN one ON one.account = who.account LEFT JOIN lead ON lead.account = who.account
  LEFT JOIN mgr ON mgr.account = who.account LEFT JOIN imported ON imported.person = who.person
  LEFT JOIN ack ON ack.account = who.account LEFT JOIN cpd ON cpd.account = who.account
  GROUP BY who.subject
)
SELECT * FROM flags ORDER BY name, subject
"""
KEYS = ["role_training", "group_supervision", "one_to_one_supervision", "peer_leadership", "manager_support",
        "role_resources", "ongoing_cpd"]


async def build(org_id) -> None:
    from decimal import Decimal

    from peerwork.supervision.tables import (
        GroupAttendance,
        SupervisionAgreement,
        SupervisionGroup,
        SupervisionSession,
    )
    from peerwork.cpd.tables import Course, CpdRecord, LineManager, RoleAcknowledgement
    from peerwork.core.tables import Account, Membership, Person
    from peerwork.workforce.tables import Assignment

    rng = random.Random(2000)
    today = date.today()
    people, posts, accounts, members = [], [], [], []

    def staff(number: str, lived: bool, ended: bool = False, manager: str | None = None,
              given: str | None = None) -> uuid.UUID:
        record = Person(organisation=org_id, employee_number=number, given_name=given)
        started = today - timedelta(days=rng.randint(30, 2000))
        people.append(record)
        posts.append(Assignment(organisation=org_id, person=record.id, assignment_number=f"{number}-1",
                                position_title="Peer Support Worker" if lived else "Team Manager",
                                lived_experience_role=lived, start_date=started,
                                end_date=today - timedelta(days=rng.randint(1, 25)) if ended else None,
                                line_manager_assignment_number=manager))
        return record.id

    def person(name: str, role: str, active: bool = True, linked: uuid.UUID | None = None) -> uuid.UUID:
        account = Account(email=f"{name}@bench.example", display_name=name, is_active=active, person=linked)
        accounts.append(account)
        members.append(Membership(account=account.id, organisation=org_id, role=role))
        return account.id

    supervisors = [person(f"sup{i:03d}", "supervisor", linked=staff(f"S{i:03d}", lived=False)) for i in range(100)]
    manager_posts = [f"S{i:03d}-1" for i in range(100)]

    def managed() -> str | None:
        return rng.choice(manager_posts) if rng.random() < 0.6 else None

    psws = [person(f"psw{i:05d}", "psw", linked=staff(f"P{i:05d}", lived=True, manager=managed()))
            for i in range(PSWS)]
    [person(f"left{i:04d}", "psw", active=False, linked=staff(f"L{i:04d}", lived=True, ended=True, manager=managed()))
     for i in range(PSWS // 10)]
    [staff(f"N{i:04d}", lived=True, manager=managed(), given=f"new{i:04d}") for i in range(PSWS // 10)]
    for s in supervisors[:30]:
        members.append(Membership(account=s, organisation=org_id, role="peer_lead"))
    courses = [Course(organisation=org_id, title=t, hours=Decimal(6), kind=k, mandatory_roles="psw")
               for t, k in (("Core", "core"), ("Managers", "manager"), ("Induction", "induction"), ("Other", "other"))]
    rows: list = [*courses]
    for p in psws:
        for _ in range(rng.choice((0, 1, 2, 3, 4, 5, 10))):
            rows.append(CpdRecord(organisation=org_id, account=p, course=rng.choice(courses).id, activity="x",
                                  done_on=today - timedelta(days=rng.randint(1, 700)), hours=Decimal(2)))
        if rng.random() < 0.7:
            rows.append(LineManager(organisation=org_id, account=p, manager=rng.choice(supervisors)))
        if rng.random() < 0.6:
            rows.append(RoleAcknowledgement(organisation=org_id, account=p))
    for s in supervisors:
        if rng.random() < 0.5:
            rows.append(CpdRecord(organisation=org_id, account=s, course=courses[1].id, activity="x",
                                  done_on=today - timedelta(days=rng.randint(1, 900)), hours=Decimal(6)))
    start_of = lambda days: datetime.combine(today - timedelta(days=days), clock(10), tzinfo=UTC)
    for p in psws:
        if rng.random() < 0.85:
            sup = rng.choice(supervisors)
            agreement = SupervisionAgreement(organisation=org_id, kind="one_to_one", supervisor=sup, supervisee=p,
                                             every_days=28, window_start=clock(10), window_end=clock(16),
                                             start_date=today - timedelta(days=500))
            rows.append(agreement)
            for k in range(rng.randint(0, 12)):
                st = start_of(rng.randint(1, 500))
                rows.append(SupervisionSession(organisation=org_id, agreement=agreement.id, supervisor=sup, supervisee=p,
                                               start=st, end=st + timedelta(hours=1),
                                               status=rng.choice(("held", "held", "held", "cancelled"))))
    for g in range(100):
        group = SupervisionGroup(organisation=org_id, name=f"group {g}")
        facilitator = supervisors[g]
        agreement = SupervisionAgreement(organisation=org_id, kind="group", supervisor=facilitator, peer_group=group.id,
                                         every_days=28, window_start=clock(10), window_end=clock(16),
                                         start_date=today - timedelta(days=500))
        rows += [group, agreement]
        members_of = rng.sample(psws, 20)
        for k in range(20):
            st = start_of(rng.randint(1, 500))
            session = SupervisionSession(organisation=org_id, agreement=agreement.id, supervisor=facilitator,
                                         start=st, end=st + timedelta(hours=1), status="held")
            rows.append(session)
            for m in members_of:
                rows.append(GroupAttendance(session=session.id, account=m, attended=rng.random() < 0.6))
    for table_rows in (people, posts, accounts, members):
        for i in range(0, len(table_rows), 1000):
            await type(table_rows[0]).insert(*table_rows[i:i + 1000])
    by_table: dict = {}
    for r in rows:
        by_table.setdefault(type(r), []).append(r)
    order = [Course, CpdRecord, LineManager, RoleAcknowledgement, SupervisionGroup, SupervisionAgreement,
             SupervisionSession, GroupAttendance]
    for table in order:
        items = by_table.get(table, [])
        for i in range(0, len(items), 1000):
            await table.insert(*items[i:i + 1000])
    # Statistics, as autovacuum would gather them on a live database: without them the planner
    # guesses empty tables and both queries take seconds.
    await Account.raw("ANALYZE")
    print(f"built: {PSWS} PSWs with accounts and {PSWS // 10} without, {len(posts)} assignments, "
          f"{sum(len(v) for v in by_table.values())} rows of history")


async def main() -> None:
    import asyncpg
    import httpx

    from peerwork.app import create_app
    from peerwork.core.security import SESSION_COOKIE
    from peerwork.core.settings import load_settings
    from peerwork.core import accounts
    from peerwork.workforce.organisations import create_organisation
    from peerwork.supports.service import figures, who_is_missing

    result = Result("supports")
    async with fresh_database("supports") as url:
        org = await create_organisation("bench-supports", "Bench Trust")
        await build(org.id)
        await accounts.create_account(org.id, "lead@bench.example", ["peer_lead"], display_name="Lead",
                                      password="bench-password-123")
        settings = load_settings()
        signed = await accounts.sign_in("lead@bench.example", "bench-password-123", session_hours=1,
                                        max_failures=5, window_minutes=15)
        secret, principal = signed.secret, await accounts.authenticate_session(signed.secret)
        assert principal is not None
        app = create_app(settings)
        today = date.today()
        since = today - timedelta(days=365)
        since_at = datetime.combine(since, clock(), tzinfo=UTC)
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2)

        # Both must give the same answer.
        floor_rows = await pool.fetch(FLOOR_SQL, org.id, since, since_at, today)
        found = await figures(principal)
        ours = {f.key: f.received for f in found} | {"people": found[0].psws, "without_account": found[0].without_account}
        floor = {k: sum(r[k] for r in floor_rows) for k in KEYS} | {
            "people": len(floor_rows), "without_account": sum(r["accounts"] == 0 for r in floor_rows)}
        missing = await who_is_missing(principal)
        agree = ours == floor and [(p.name, p.missing) for p in missing] == [
            (r["name"], [k for k in KEYS if not r[k]]) for r in floor_rows]
        print(f"ours {ours}\nfloor {floor}\nper person {'agree' if agree else 'DISAGREE'}")

        page_times, floor_times = [], []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench.local",
                                     cookies={SESSION_COOKIE: secret}) as client:
            for _ in range(RUNS):
                started = time.perf_counter()
                response = await client.get("/supports")
                page_times.append(time.perf_counter() - started)
                assert response.status_code == 200 and "Who is missing what" in response.text, response.status_code
                started = time.perf_counter()
                await pool.fetch(FLOOR_SQL, org.id, since, since_at, today)
                floor_times.append(time.perf_counter() - started)
        await pool.close()
        best, best_floor = min(page_times), min(floor_times)
        ratio = best / best_floor
        print(f"GET /supports for {PSWS + PSWS // 10} PSWs in post: {best * 1000:.0f} ms best of {RUNS}; aggregate SQL floor "
              f"{best_floor * 1000:.0f} ms; ratio {ratio:.2f}x (target within {TARGET:.0f}x); page {len(response.text) // 1024} KiB")
        result.rows += [
            Row(f"seven supports page, {PSWS + PSWS // 10} PSWs in post", f"{best * 1000:.0f} ms", f"{best_floor * 1000:.0f} ms (asyncpg aggregate)",
                f"{ratio:.2f}x", f"<= {TARGET:.0f}x", ratio <= TARGET),
            Row("seven supports: same figures as the floor", "agree" if agree else "disagree", "", "", "agree", agree),
        ]
    result.emit()


if __name__ == "__main__":
    asyncio.run(main())
