"""The seven-supports page for 2,000 PSWs against an aggregate SQL floor.

One organisation on a throw-away PostgreSQL database: 2,000 current PSWs (and 200 who left),
100 supervisors of whom 30 are peer leads, a year of 1:1 and group supervision (about 20,000
sessions, 40,000 attendance rows), 10,000 CPD records, line managers and role-description
acknowledgements, all seeded. "Ours" is ``GET /supports`` for a signed-in peer lead through the
whole app in this process (session cookie, the figures, who is missing what, the template).
The floor is the same two answers from raw asyncpg: one GROUP BY-free aggregate over LEFT JOINed
per-support sets and the per-person rows, no ORM, no HTTP, no HTML. Both are checked to agree.
Best of seven interleaved runs each.

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
WITH psw AS (
  SELECT a.id, a.display_name FROM account a JOIN membership m ON m.account = a.id
  WHERE m.organisation = $1 AND m.role = 'psw' AND a.is_active
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
ack AS (SELECT DISTINCT account FROM role_acknowledgement WHERE organisation = $1),
cpd AS (SELECT DISTINCT account FROM cpd_record WHERE organisation = $1 AND status = 'done' AND done_on >= $2)
SELECT psw.id, psw.display_name,
  (core.account IS NOT NULL)::int AS role_training, (grp.account IS NOT NULL)::int AS group_supervision,
  (one.account IS NOT NULL)::int AS one_to_one_supervision, (lead.account IS NOT NULL)::int AS peer_leadership,
  (mgr.account IS NOT NULL)::int AS manager_support, (ack.account IS NOT NULL)::int AS role_resources,
  (cpd.account IS NOT NULL)::int AS ongoing_cpd
FROM psw LEFT JOIN core ON core.account = psw.id LEFT JOIN grp ON grp.account = psw.id
LEFT JOIN one ON one.account = psw.id LEFT JOIN lead ON lead.account = psw.id LEFT JOIN mgr ON mgr.account = psw.id
LEFT JOIN ack ON ack.account = psw.id LEFT JOIN cpd ON cpd.account = psw.id
ORDER BY psw.display_name, psw.id
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
    from peerwork.core.tables import Account, Membership

    rng = random.Random(2000)
    today = date.today()
    accounts, members = [], []

    def person(name: str, role: str, active: bool = True) -> uuid.UUID:
        account = Account(email=f"{name}@bench.example", display_name=name, is_active=active)
        accounts.append(account)
        members.append(Membership(account=account.id, organisation=org_id, role=role))
        return account.id

    psws = [person(f"psw{i:05d}", "psw") for i in range(PSWS)]
    [person(f"left{i:04d}", "psw", active=False) for i in range(PSWS // 10)]
    supervisors = [person(f"sup{i:03d}", "supervisor") for i in range(100)]
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
    for table_rows in (accounts, members):
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
    print(f"built: {PSWS} PSWs, {sum(len(v) for v in by_table.values())} rows of history")


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
        secret, principal = await accounts.sign_in("lead@bench.example", "bench-password-123", session_hours=1,
                                                   max_failures=5, window_minutes=15)
        app = create_app(settings)
        since = date.today() - timedelta(days=365)
        since_at = datetime.combine(since, clock(), tzinfo=UTC)
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2)

        # Both must give the same answer.
        floor_rows = await pool.fetch(FLOOR_SQL, org.id, since, since_at)
        ours = {f.key: f.received for f in await figures(principal)}
        floor = {k: sum(r[k] for r in floor_rows) for k in KEYS}
        missing = await who_is_missing(principal)
        agree = ours == floor and [p.missing for p in missing] == [[k for k in KEYS if not r[k]] for r in floor_rows]
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
                await pool.fetch(FLOOR_SQL, org.id, since, since_at)
                floor_times.append(time.perf_counter() - started)
        await pool.close()
        best, best_floor = min(page_times), min(floor_times)
        ratio = best / best_floor
        print(f"GET /supports for {PSWS} PSWs: {best * 1000:.0f} ms best of {RUNS}; aggregate SQL floor "
              f"{best_floor * 1000:.0f} ms; ratio {ratio:.2f}x (target within {TARGET:.0f}x); page {len(response.text) // 1024} KiB")
        result.rows += [
            Row(f"seven supports page, {PSWS} PSWs", f"{best * 1000:.0f} ms", f"{best_floor * 1000:.0f} ms (asyncpg aggregate)",
                f"{ratio:.2f}x", f"<= {TARGET:.0f}x", ratio <= TARGET),
            Row("seven supports: same figures as the floor", "agree" if agree else "disagree", "", "", "agree", agree),
        ]
    result.emit()


if __name__ == "__main__":
    asyncio.run(main())
