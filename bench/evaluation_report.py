"""A course's evaluation report with 5,000 people answering before and after, against one
aggregate SQL over the answers.

One organisation on a throw-away PostgreSQL database; a catalogue course evaluated with a
questionnaire of six Likert items (1-5) and one free-text item; 5,000 people invited before and
after, every one answering both (10,000 responses, about 63,000 answers: every Likert item, and
the free text for about 3 in 10), their answers paired by the HMAC pairing key, and each answer
after carrying the same person's score before, as the app saves them. "Ours" is ``GET /api/v1/evaluation/courses/{id}/report`` for a training lead through the
whole app in this process (token, access check, the paired counts, SciPy's Wilcoxon test, the
Hodges-Lehmann intervals, response rates, a random sample of comments, the audit entry, JSON).
The floor is one aggregate SQL from raw asyncpg: count and mean score per item and moment over
the course's answers; no ORM, no HTTP, no pairing, no statistics. Rounds interleave the two;
the ratio is the median of ours over the median of the floor, with the range of the per-round
ratios.

    python bench/evaluation_report.py      # BENCH_PEOPLE (5000), BENCH_ROUNDS (9)
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

from _common import Result, Row, fresh_database

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "5000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))
TARGET = 3.0
LIKERT_ITEMS = 6

FLOOR_SQL = (
    "SELECT a.item, r.moment, COUNT(*) AS answers, AVG(a.score) AS mean_score "
    "FROM evaluation_answer a JOIN evaluation_response r ON r.id = a.response "
    "WHERE r.course = $1 AND r.organisation = $2 GROUP BY a.item, r.moment"
)


async def build(url: str, org_id, course_id, account_ids, version_id, items) -> None:
    """The invitations (used), responses and answers, written with COPY as a busy course would
    have accumulated them."""
    import asyncpg

    from peerwork.core import accounts
    from peerwork.evaluation.answering import pairing_keys

    rng = random.Random(16)
    invitations, responses, answers = [], [], []
    expires = date.today() + timedelta(days=30)
    likert = [i["key"] for i in items if i["kind"] == "likert"]
    text_key = next(i["key"] for i in items if i["kind"] == "text")
    for account_id in account_ids:
        key = pairing_keys(account_id, course_id)[0]
        before = [rng.randint(1, 4) for _ in likert]
        after = [min(5, s + rng.choice((-1, 0, 1, 1, 2))) for s in before]
        for moment, scores in (("before", before), ("after", after)):
            invitations.append((uuid.uuid4(), org_id, course_id, version_id, moment, account_id,
                                accounts.digest(accounts.new_secret()), expires, expires))
            response_id = uuid.uuid4()
            responses.append((response_id, org_id, version_id, course_id, moment, key, f"{key}:{moment}", ""))
            paired_with = before if moment == "after" else [None] * len(before)
            answers += [(uuid.uuid4(), response_id, item, score, None, earlier)
                        for item, score, earlier in zip(likert, scores, paired_with)]
            if rng.random() < 0.3:
                answers.append((uuid.uuid4(), response_id, text_key, None, f"A thought {rng.randint(1, 10**6)}", None))
    connection = await asyncpg.connect(url)
    try:
        from datetime import UTC, datetime

        at = datetime.now(UTC)
        await connection.copy_records_to_table(
            "answer_invitation", columns=["id", "organisation", "course", "version", "moment", "account", "token_hash",
                                          "expires_at", "used_at"],
            records=[(*r[:7], at + timedelta(days=30), at) for r in invitations])
        await connection.copy_records_to_table(
            "evaluation_response", columns=["id", "organisation", "version", "course", "moment", "pairing_key", "slot",
                                            "context"], records=responses)
        await connection.copy_records_to_table(
            "evaluation_answer", columns=["id", "response", "item", "score", "text", "before_score"], records=answers)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    print(f"built: {len(account_ids)} people, {len(responses)} responses, {len(answers)} answers")


async def main() -> None:
    import asyncpg
    import httpx

    from peerwork.app import create_app
    from peerwork.core import accounts
    from peerwork.core.access import system_principal
    from peerwork.core.settings import load_settings
    from peerwork.core.tables import Account, Membership
    from peerwork.cpd import records as cpd
    from peerwork.cpd.schemas import CourseIn
    from peerwork.evaluation import questionnaires
    from peerwork.evaluation.schemas import ItemIn, QuestionnaireIn
    from peerwork.workforce.organisations import create_organisation

    result = Result("evaluation_report")
    async with fresh_database("evaluation") as url:
        org = await create_organisation("bench-evaluation", "Bench Trust")
        system = system_principal(org.id, org.slug, org.name)
        course = await cpd.create_course(system, CourseIn(title="Peer support foundations", hours=Decimal(12)))
        made = await questionnaires.create_questionnaire(system, QuestionnaireIn(title="Foundations", items=[
            *[ItemIn(kind="likert", text=f"Statement {n}") for n in range(1, LIKERT_ITEMS + 1)],
            ItemIn(kind="text", text="Anything else?")]))
        await questionnaires.attach(system, course.id, made.id)
        ids = [uuid.uuid4() for _ in range(PEOPLE)]
        for start in range(0, PEOPLE, 1000):  # within PostgreSQL's limit on a statement's parameters
            batch = list(enumerate(ids))[start:start + 1000]
            await Account.insert(*(Account(id=i, email=f"p{n}@bench.example", display_name=f"P{n}") for n, i in batch))
            await Membership.insert(*(Membership(account=i, organisation=org.id, role="psw") for _, i in batch))
        items = [{"key": i.key, "kind": i.kind} for i in made.current.items]
        await build(url, org.id, course.id, ids, made.current.id, items)
        lead = await accounts.create_account(org.id, "lead@bench.example", ["peer_lead"], display_name="Lead")
        token = (await accounts.issue_api_token(lead.id, org.id)).token
        app = create_app(load_settings())
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
        path = f"/api/v1/evaluation/courses/{course.id}/report"
        ours_times, floor_times = [], []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench.local",
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            warm = await client.get(path)  # loads SciPy once, as the first report after start-up does
            assert warm.status_code == 200, warm.text
            body = warm.json()
            floor_rows = await pool.fetch(FLOOR_SQL, course.id, org.id)
            answered = {(r["item"], r["moment"]): r["answers"] for r in floor_rows}
            agree = (body["paired_people"] == PEOPLE and all(i["paired"] == PEOPLE for i in body["items"])
                     and all(answered[(i["key"], m)] == PEOPLE for i in body["items"] for m in ("before", "after")))
            for _ in range(ROUNDS):
                started = time.perf_counter()
                response = await client.get(path)
                ours_times.append(time.perf_counter() - started)
                assert response.status_code == 200
                started = time.perf_counter()
                await pool.fetch(FLOOR_SQL, course.id, org.id)
                floor_times.append(time.perf_counter() - started)
        await pool.close()
    ours, floor = statistics.median(ours_times), statistics.median(floor_times)
    ratios = [o / f for o, f in zip(ours_times, floor_times)]
    ratio = ours / floor
    print(f"GET {path.replace(str(course.id), '{id}')} with {PEOPLE} people before and after: median "
          f"{ours * 1000:.0f} ms (range {min(ours_times) * 1000:.0f}-{max(ours_times) * 1000:.0f}) over {ROUNDS} "
          f"rounds; one aggregate SQL {floor * 1000:.0f} ms (range {min(floor_times) * 1000:.0f}-"
          f"{max(floor_times) * 1000:.0f}); ratio {ratio:.2f}x (per round {min(ratios):.2f}-{max(ratios):.2f}x), "
          f"target <= {TARGET:.0f}x; counts agree with the floor: {agree}")
    result.rows += [
        Row(f"course evaluation report, {PEOPLE} people before and after", f"{ours * 1000:.0f} ms median",
            f"{floor * 1000:.0f} ms (asyncpg aggregate)", f"{ratio:.2f}x ({min(ratios):.2f}-{max(ratios):.2f})",
            f"<= {TARGET:.0f}x", ratio <= TARGET),
        Row("course evaluation: counts agree with the floor", "agree" if agree else "disagree", "", "", "agree", agree),
    ]
    result.emit()


if __name__ == "__main__":
    asyncio.run(main())
