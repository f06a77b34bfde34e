"""Inviting everyone after an import: 2,000 people in lived-experience roles, no accounts yet.

"Ours" is the whole service call HR's button (or ``peerwork users invite --all-lived-experience``)
makes: find who is in post without an account, then for each an account (no password), a
membership, a hashed single-use invitation, the invitation email in the outbox and an audit
entry, in batched transactions. The floor is the same rows (same tables, same indexes and
foreign keys, same values) written by raw asyncpg ``executemany`` in one transaction, outside
peerwork: what the database itself needs. Runs alternate, each from the same starting state.

    python bench/bulk_invite.py        # BENCH_PEOPLE (2000), BENCH_RUNS (5)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from _common import Result, Row, busy_note, fresh_database, others_busy

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "2000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
TARGET = 3.0


async def seed(organisation_id: uuid.UUID) -> None:
    from peerwork.core.tables import Person
    from peerwork.workforce.tables import Assignment

    start = date.today() - timedelta(days=400)
    people = [Person(id=uuid.uuid4(), organisation=organisation_id, employee_number=f"E{i:05d}",
                     given_name=f"Given{i}", family_name=f"Family{i}", email=f"person{i}@trust.example")
              for i in range(PEOPLE)]
    await Person.insert(*people)
    await Assignment.insert(*[
        Assignment(organisation=organisation_id, person=p.id, assignment_number=f"A{i:05d}",
                   position_title="Peer Support Worker", lived_experience_role=True, afc_band="4", start_date=start)
        for i, p in enumerate(people)])


async def reset(connection) -> None:
    """Back to "imported, nobody invited" (TRUNCATE: the audit log refuses row deletes)."""
    await connection.execute("TRUNCATE invitation, outbox_message, audit_log")
    await connection.execute("DELETE FROM membership WHERE account IN (SELECT id FROM account WHERE person IS NOT NULL)")
    await connection.execute("DELETE FROM account WHERE person IS NOT NULL")


async def floor(connection, organisation_id: uuid.UUID) -> float:
    """The same rows by bare INSERTs: who to invite, then five executemany in one transaction."""
    started = time.perf_counter()
    today = date.today()
    people = await connection.fetch(
        "SELECT p.id, p.email, p.given_name, p.family_name FROM person p WHERE p.organisation = $1 AND EXISTS "
        "(SELECT 1 FROM assignment a WHERE a.person = p.id AND a.lived_experience_role AND a.start_date <= $2 "
        "AND (a.end_date IS NULL OR a.end_date >= $2)) AND NOT EXISTS (SELECT 1 FROM account c WHERE c.person = p.id)",
        organisation_id, today)
    now = datetime.now(UTC)
    accounts, memberships, invitations, mails, audits = [], [], [], [], []
    for p in people:
        account, invitation, token = uuid.uuid4(), uuid.uuid4(), secrets.token_urlsafe(32)
        name = f"{p['given_name']} {p['family_name']}"
        accounts.append((account, p["email"], name, p["id"], True, now))
        memberships.append((uuid.uuid4(), account, organisation_id, "psw", now))
        invitations.append((invitation, organisation_id, account, p["id"], p["email"], "psw",
                            hashlib.sha256(token.encode()).hexdigest(), now, now + timedelta(days=7)))
        mails.append((uuid.uuid4(), organisation_id, p["email"], name, "You are invited to peerwork",
                      f"Hello {name}, choose your password: https://peerwork.example/invitations/{token}",
                      f"invitation:{invitation}", "pending", 0, now, now))
        audits.append((uuid.uuid4(), now, organisation_id, "invite", "invitation", str(invitation),
                       json.dumps({"role": "psw", "account": str(account), "person": str(p["id"]), "via": "system"})))
    async with connection.transaction():
        await connection.executemany(
            "INSERT INTO account (id, email, display_name, person, is_active, created_at) VALUES ($1,$2,$3,$4,$5,$6)",
            accounts)
        await connection.executemany(
            "INSERT INTO membership (id, account, organisation, role, created_at) VALUES ($1,$2,$3,$4,$5)", memberships)
        await connection.executemany(
            "INSERT INTO invitation (id, organisation, account, person, email, role, token_hash, created_at, expires_at) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", invitations)
        await connection.executemany(
            "INSERT INTO outbox_message (id, organisation, to_address, to_name, subject, body_text, dedupe_key, status, "
            "attempts, next_attempt_at, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)", mails)
        await connection.executemany(
            "INSERT INTO audit_log (id, at, organisation, action, table_name, record_id, detail) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb)", audits)
    return time.perf_counter() - started


async def ours(principal) -> float:
    from peerwork.accounts.invitations import invite_everyone_in_lived_experience_roles

    started = time.perf_counter()
    done = await invite_everyone_in_lived_experience_roles(principal)
    elapsed = time.perf_counter() - started
    assert done.invited == PEOPLE, done
    return elapsed


async def main() -> None:
    import asyncpg

    busy_before = others_busy()
    async with fresh_database("bulk_invite") as url:
        from peerwork.core.access import system_principal
        from peerwork.workforce.organisations import create_organisation

        org = await create_organisation("bench", "Bench NHS Trust")
        principal = system_principal(org.id, org.slug, org.name)
        await seed(org.id)
        connection = await asyncpg.connect(url)
        try:
            ours_times, floor_times = [], []
            for _ in range(RUNS):
                await reset(connection)
                ours_times.append(await ours(principal))
                invited = await connection.fetchval("SELECT COUNT(*) FROM invitation")
                mails = await connection.fetchval("SELECT COUNT(*) FROM outbox_message")
                assert invited == mails == PEOPLE, (invited, mails)
                await reset(connection)
                floor_times.append(await floor(connection, org.id))
                assert await connection.fetchval("SELECT COUNT(*) FROM invitation") == PEOPLE
        finally:
            await connection.close()
    ratios = [o / f for o, f in zip(ours_times, floor_times)]
    median = statistics.median(ratios)
    result = Result("bulk_invite")
    result.rows.append(Row(
        name=f"invite {PEOPLE:,} people after an import",
        ours=f"{statistics.median(ours_times):.2f} s ({PEOPLE / statistics.median(ours_times):,.0f}/s)",
        floor=f"{statistics.median(floor_times):.2f} s bare INSERTs",
        ratio=f"{median:.2f}x (range {min(ratios):.2f}-{max(ratios):.2f})",
        target=f"<= {TARGET:.1f}x", passed=median <= TARGET))
    if note := busy_note("bulk_invite", busy_before, others_busy()):
        result.notes.append(note)
    print(f"ours {['%.2f' % t for t in ours_times]} floor {['%.2f' % t for t in floor_times]}")
    result.emit()


if __name__ == "__main__":
    asyncio.run(main())
