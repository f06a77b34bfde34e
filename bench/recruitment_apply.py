"""Public apply endpoint: a burst of 1,000 applications, none lost or duplicated, against a floor.

The real app (``create_app``) serves ``POST /jobs/<org>/<vacancy>`` in this process through
httpx's ASGI transport (no sockets, so the figure is the app and the database, not the
network): each submission carries a CSRF token, passes the per-client rate limit (a
conditional insert under a per-client lock), is validated, and saves the application, its equality answers,
an audit entry and the applicant's email in the outbox. The burst comes from 1,000 different
client addresses, ``BENCH_CONCURRENCY`` at a time. The floor is the same number of bare
``INSERT INTO application`` statements on a raw asyncpg pool of the same size, at the same
concurrency. Then the rate limit: one client sends limit + 10 submissions and exactly the
limit get through, while a second client is still served.

    python bench/recruitment_apply.py      # BENCH_SUBMISSIONS (1000), BENCH_CONCURRENCY (32)
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import time
import uuid

from _common import Result, Row, busy_note, fresh_database, others_busy

SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "1000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
TARGET_RATIO = 0.15  # issue 14; a submission is a vacancy read, then lock + one merged insert in a transaction


def client_for(app, ip: str):
    import httpx

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 50000)),
                             base_url="http://bench.local")


def form(i: int, token: str) -> dict[str, str]:
    return {"name": f"Applicant {i:05d}", "email": f"applicant{i}@bench.example", "phone": "07700 900000",
            "answer_0": "Mutual support, both ways. " * 20, "answer_1": "Recovery is possible. " * 20,
            "statement": "What helped me. " * 30, "adjustments": "", "eq_disability": "Yes", "_csrf_token": token}


async def burst(app, url: str, token: str, cookies) -> tuple[float, list[int]]:
    statuses: list[int] = []
    queue = list(range(SUBMISSIONS))

    async def worker() -> None:
        async with client_for(app, "10.0.0.0") as c:
            c.cookies.update(cookies)
            while queue:
                i = queue.pop()
                # Each submission from its own address: a burst of applicants, not one client.
                c._transport.client = (f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}", 50000)
                response = await c.post(url, data=form(i, token))
                statuses.append(response.status_code)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return time.perf_counter() - started, statuses


async def floor(database_url: str, org_id, vacancy_id) -> float:
    import asyncpg

    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=10)
    queue = list(range(SUBMISSIONS))

    async def worker() -> None:
        while queue:
            i = queue.pop()
            await pool.execute(
                "INSERT INTO application (id, organisation, vacancy, reference, name, email, phone, answers, "
                "adjustments, status, interview_sequence, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, '', "
                "'{}', '', 'submitted', 0, now())",
                uuid.uuid4(), org_id, vacancy_id, f"F-{i:06d}", f"Floor {i}", f"floor{i}@bench.example")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return elapsed


async def run() -> Result:
    from datetime import date, timedelta

    async with fresh_database("recruitment_apply") as database_url:
        from peerwork.app import create_app
        from peerwork.recruitment import lifecycle, vacancies
        from peerwork.recruitment.schemas import PanelMemberIn, VacancyIn
        from peerwork.recruitment.tables import Application
        from peerwork.core.settings import load_settings
        from peerwork.core import accounts
        from peerwork.workforce.organisations import create_organisation

        settings = load_settings().with_overrides(database_url=database_url, scheduler_enabled=False)
        app = create_app(settings)
        org = await create_organisation("bench", "Bench Trust")
        lead = await accounts.create_account(org.id, "lead@bench.example", ["peer_lead"])
        principal = await accounts.authenticate_token((await accounts.issue_api_token(lead.id, org.id)).token)
        made = await vacancies.create_vacancy(principal, VacancyIn(
            title="PSW", closing_date=date.today() + timedelta(days=7), values=["Mutuality", "Hope"]))
        floor_vacancy = await vacancies.create_vacancy(principal, VacancyIn(
            title="Floor", closing_date=date.today() + timedelta(days=7), values=["Hope"]))
        await vacancies.add_panel_member(principal, made.id, PanelMemberIn(account_id=lead.id, lived_experience=True))
        await lifecycle.set_status(principal, made.id, "open")
        url = f"/jobs/bench/{made.id}"
        async with client_for(app, "192.0.2.1") as first:
            page = await first.get(url)
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
            cookies = dict(first.cookies)

        before = others_busy()
        floor_seconds = await floor(database_url, org.id, floor_vacancy.id)
        ours_seconds, statuses = await burst(app, url, token, cookies)
        after = others_busy(0.5)

        rows = await Application.select(Application.name).where(Application.vacancy == made.id)
        names = [r["name"] for r in rows]
        lost = SUBMISSIONS - len(set(names))
        duplicated = len(names) - len(set(names))
        accepted = statuses.count(201)

        limit = settings.apply_limit_per_hour
        async with client_for(app, "198.51.100.7") as busy, client_for(app, "198.51.100.8") as other:
            busy.cookies.update(cookies)
            other.cookies.update(cookies)
            limited = [(await busy.post(url, data=form(100_000 + i, token))).status_code for i in range(limit + 10)]
            second = (await other.post(url, data=form(200_000, token))).status_code

        ours_rate, floor_rate = SUBMISSIONS / ours_seconds, SUBMISSIONS / floor_seconds
        ratio = ours_rate / floor_rate
        print(f"burst: {accepted} accepted of {SUBMISSIONS} in {ours_seconds:.2f} s ({ours_rate:.0f}/s); "
              f"floor {floor_seconds:.2f} s ({floor_rate:.0f}/s); statuses {sorted(set(statuses))}")
        print(f"rate limit {limit}/h: one client got {limited.count(201)} through and {limited.count(429)} x 429; "
              f"another client {second}")
        result = Result(bench="recruitment_apply", rows=[
            Row(f"apply burst {SUBMISSIONS:,} x {CONCURRENCY} concurrent", f"{ours_rate:.0f} /s", f"{floor_rate:.0f} /s",
                f"{ratio:.3f}", f">= {TARGET_RATIO}", ratio >= TARGET_RATIO),
            Row("apply burst: lost / duplicated", f"{lost} / {duplicated}", "0 / 0", "-", "0 / 0",
                lost == 0 and duplicated == 0 and accepted == SUBMISSIONS),
            Row("apply rate limit per client", f"{limited.count(201)} of {limit + 10}, other client {second}",
                f"{limit}", "-", f"= {limit}, other 201", limited.count(201) == limit and second == 201),
        ])
        note = busy_note("recruitment_apply", before, after)
        if note:
            result.notes.append(note)
        return result


def main() -> Result:
    os.environ.setdefault("PEERWORK_SECRET_KEY", "bench-" + secrets.token_hex(16))
    os.environ["PEERWORK_SCHEDULER"] = "false"
    os.environ["PEERWORK_LOG_LEVEL"] = "WARNING"
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    return asyncio.run(run())


if __name__ == "__main__":
    main().emit()
