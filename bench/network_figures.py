"""Network figures for 20 organisations against the single-organisation figures summed over them.

One network of 20 organisations on a throw-away PostgreSQL database, ten years of records:
2,000 peer support workers in post (100 per organisation) and about 1,500 who left over the
ten years, each with accounts linked to their staff records, monthly 1:1 supervision over the
last two years, CPD records over ten years (core, induction and other courses), role
acknowledgements, and two vacancies a year with 20 applications each for ten years.

"Ours" is ``network_figures(network, as_of)``: every member's suppressed figures and the pooled
network's (the spells of all members pooled for Kaplan–Meier, the funnel over every
application). The floor, measured in the same run, is ``organisation_figures(org, as_of)``
for each member, one after the other, summed: what the members would cost reported one by
one. The two are interleaved over several rounds; the median and range of each and the ratio
of medians are printed. Target: network <= 1.5x the floor.

    python bench/network_figures.py        # BENCH_ORGS (20), BENCH_PSWS (2000), BENCH_ROUNDS (7)
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from _common import Result, Row, fresh_database

ORGS = int(os.environ.get("BENCH_ORGS", "20"))
PSWS = int(os.environ.get("BENCH_PSWS", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
YEARS = 10
TARGET = 1.5


async def build_organisation(index: int, network: str, today: date) -> uuid.UUID:
    from peerwork.core.tables import Account, Membership, Person
    from peerwork.cpd.tables import Course, CpdRecord, RoleAcknowledgement
    from peerwork.recruitment.tables import Application, Decision, Vacancy
    from peerwork.supervision.tables import SupervisionAgreement, SupervisionSession
    from peerwork.workforce.organisations import create_organisation
    from peerwork.workforce.tables import Assignment

    rng = random.Random(f"network-bench-{index}")
    org = (await create_organisation(f"member-{index:02d}", f"Member {index:02d}", network=network)).id
    per_org = PSWS // ORGS
    rows: dict[type, list] = {}

    def add(row) -> None:
        rows.setdefault(type(row), []).append(row)

    lead = Account(email=f"lead{index}@bench.example", display_name=f"Lead {index}")
    add(lead)
    add(Membership(account=lead.id, organisation=org, role="peer_lead"))
    courses = [Course(organisation=org, title=t, hours=Decimal(6), kind=k, mandatory_roles="psw" if k != "other" else "",
                      renewal_months=36 if k == "core" else None)
               for t, k in (("Core", "core"), ("Induction", "induction"), ("Other", "other"))]
    for c in courses:
        add(c)
    first_day = today - timedelta(days=365 * YEARS)
    number = 0
    # In post today: started any time in the ten years; leavers: started and ended within them.
    for kind, count in (("in_post", per_org), ("left", per_org * 3 // 4)):
        for _ in range(count):
            number += 1
            person = Person(organisation=org, employee_number=f"E{index:02d}-{number:05d}")
            add(person)
            start = first_day + timedelta(days=rng.randint(0, 365 * YEARS - 30))
            end = None
            if kind == "left":
                end = min(start + timedelta(days=int(rng.expovariate(1 / 700)) + 1), today - timedelta(days=1))
            # One person in three changed post once (a second assignment, straight after the first).
            if rng.random() < 1 / 3 and (end or today) - start > timedelta(days=60):
                middle = start + ((end or today) - start) / 2
                add(Assignment(organisation=org, person=person.id, assignment_number=f"{person.employee_number}-1",
                               position_title="Peer Support Worker", lived_experience_role=True, start_date=start,
                               end_date=middle))
                add(Assignment(organisation=org, person=person.id, assignment_number=f"{person.employee_number}-2",
                               position_title="Senior Peer Support Worker", lived_experience_role=True,
                               start_date=middle + timedelta(days=1), end_date=end, leaving_reason="Other" if end else None))
            else:
                add(Assignment(organisation=org, person=person.id, assignment_number=f"{person.employee_number}-1",
                               position_title="Peer Support Worker", lived_experience_role=True, start_date=start,
                               end_date=end, leaving_reason="Other" if end else None))
            account = Account(email=f"p{index:02d}-{number:05d}@bench.example", display_name=f"P {index}-{number}",
                              person=person.id, is_active=kind == "in_post")
            add(account)
            add(Membership(account=account.id, organisation=org, role="psw"))
            stop = end or today
            day = start
            while day < stop:  # CPD about twice a year while in post
                day += timedelta(days=rng.randint(90, 270))
                if day < stop:
                    add(CpdRecord(organisation=org, account=account.id, course=rng.choice(courses).id, activity="x",
                                  done_on=day, hours=Decimal(3)))
            if rng.random() < 0.6:
                add(RoleAcknowledgement(organisation=org, account=account.id))
            if kind == "in_post" and rng.random() < 0.85:
                agreement = SupervisionAgreement(
                    organisation=org, kind="one_to_one", supervisor=lead.id, supervisee=account.id, every_days=28,
                    window_start=clock(10), window_end=clock(16), start_date=max(start, today - timedelta(days=730)))
                add(agreement)
                held = agreement.start_date
                while held < today - timedelta(days=rng.randint(0, 40)):
                    at = datetime.combine(held, clock(10), tzinfo=UTC)
                    add(SupervisionSession(organisation=org, agreement=agreement.id, supervisor=lead.id,
                                           supervisee=account.id, start=at, end=at + timedelta(hours=1),
                                           status=rng.choice(("held", "held", "held", "cancelled"))))
                    held += timedelta(days=rng.randint(21, 35))
    for year in range(YEARS):
        for _ in range(2):
            opened = datetime.combine(first_day + timedelta(days=365 * year + rng.randint(0, 330)), clock(9), tzinfo=UTC)
            vacancy = Vacancy(organisation=org, recruiter=lead.id, title="Peer Support Worker", posts=rng.randint(1, 4),
                              closing_date=opened.date() + timedelta(days=28), status="filled", opened_at=opened)
            add(vacancy)
            for a in range(20):
                hired = opened + timedelta(days=rng.randint(30, 90)) if a < 2 else None
                application = Application(organisation=org, vacancy=vacancy.id, reference=f"C-{rng.getrandbits(40):010x}",
                                          shortlisted_at=opened + timedelta(days=20) if a < 8 else None,
                                          offered_at=hired, hired_at=hired)
                add(application)
                if a < 8:
                    add(Decision(organisation=org, vacancy=vacancy.id, application=application.id, kind="shortlist",
                                 compliant=rng.random() < 0.8))
    order = [Person, Account, Membership, Assignment, Course, CpdRecord, RoleAcknowledgement, SupervisionAgreement,
             SupervisionSession, Vacancy, Application, Decision]
    for table in order:
        items = rows.get(table, [])
        for i in range(0, len(items), 1000):
            await table.insert(*items[i:i + 1000])
    return org


def summary(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.0f} ms (range {min(times) * 1000:.0f}-{max(times) * 1000:.0f})"


async def main() -> None:
    from peerwork.core.tables import Account, Network
    from peerwork.networks.figures import network_figures, organisation_figures

    result = Result("network_figures")
    async with fresh_database("network_figures"):
        today = date.today()
        started = time.perf_counter()
        members = [await build_organisation(i, "bench-network", today) for i in range(ORGS)]
        await Account.raw("ANALYZE")
        network = (await Network.select(Network.id).where(Network.slug == "bench-network").first())["id"]
        print(f"built {ORGS} organisations, {PSWS} PSWs in post, ten years of records, in "
              f"{time.perf_counter() - started:.0f} s")

        # Warm up both, and check that each member's row in the network is its own figures.
        together = await network_figures(network, today)
        alone = [await organisation_figures(org, today) for org in members]
        agree = sorted(together.members, key=lambda u: u.key) == sorted(alone, key=lambda u: u.key)
        print(f"members' rows equal their own figures: {agree}; pooled headcount {together.pooled.headcount.shown}, "
              f"retention at 1/2/3 years {[r.survival and round(r.survival, 3) for r in together.pooled.retention]}")

        ours, floor = [], []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            for org in members:
                await organisation_figures(org, today)
            floor.append(time.perf_counter() - began)
            began = time.perf_counter()
            await network_figures(network, today)
            ours.append(time.perf_counter() - began)
        ratio = statistics.median(ours) / statistics.median(floor)
        print(f"network figures, {ORGS} members: {summary(ours)}; single-organisation figures summed over the "
              f"members: {summary(floor)}; ratio of medians {ratio:.2f}x (target <= {TARGET}x), {ROUNDS} rounds")
        result.rows += [
            Row(f"network figures, {ORGS} organisations, {PSWS} PSWs, {YEARS} years", summary(ours),
                f"{summary(floor)} (members one by one)", f"{ratio:.2f}x", f"<= {TARGET}x", ratio <= TARGET),
            Row("network: each member's row is its own figures", "agree" if agree else "disagree", "", "", "agree", agree),
        ]
    result.emit()


if __name__ == "__main__":
    asyncio.run(main())
