"""Inviting everyone in a lived-experience role at once: the rows it writes are the rows Piccolo
would write, every link in the emails works, a batch that fails leaves nothing of itself, and
two bulk invites at the same time never invite a person twice."""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from datetime import date, timedelta

import pytest

from peerwork.accounts import invitations
from peerwork.accounts.tables import Invitation
from peerwork.core import accounts
from peerwork.core.db import insert_rows, transaction
from peerwork.core.errors import InvalidInput
from peerwork.core.settings import current_settings
from peerwork.core.tables import Account, AuditLog, Membership, OutboxMessage, Person
from peerwork.core.time import now
from peerwork.workforce.importer import import_assignments
from tests.factories import csv_text, make_org, make_user

TODAY = date.today()
START = TODAY - timedelta(days=400)


async def in_post(org, count: int) -> list[str]:
    """``count`` people in post as peer support workers, each with an email address."""
    report = await import_assignments(org.id, csv_text(
        *(f"A{i},E{i},Peer Support Worker,Y,4,Ward 1,{START},,,1" for i in range(count))).encode())
    assert report.ok, report.errors
    for i in range(count):
        await Person.update({Person.email: f"e{i}@north.example", Person.given_name: f"Given{i}",
                             Person.family_name: f"Family{i}"}).where(Person.employee_number == f"E{i}")
    return [f"e{i}@north.example" for i in range(count)]


async def stored(table, key: str, value) -> list[tuple]:
    """The row as the database holds it (on SQLite the text itself: JSON, timestamps, UUIDs)."""
    return [tuple(sorted(r.items())) for r in await table.raw(f"SELECT * FROM {table._meta.tablename} "
                                                                f"WHERE {key} = {{}}", value)]


async def invited_rows() -> tuple[int, int, int, int, int]:
    return (await Account.count().where(Account.person.is_not_null()), await Membership.count().where(
        Membership.role == "psw"), await Invitation.count(), await OutboxMessage.count(),
        await AuditLog.count().where((AuditLog.action == "invite") & AuditLog.record_id.is_not_null()))


async def test_insert_rows_stores_exactly_what_piccolo_insert_stores_for_every_bulk_invite_table():
    org = await make_org()
    await in_post(org, 2)
    people = await Person.select(Person.id, Person.email).order_by(Person.employee_number)
    at = now()

    def rows(tag: str) -> dict:
        account_id, invitation_id = uuid.uuid4(), uuid.uuid4()
        return {
            Account: dict(id=account_id, email=f"{tag}@north.example", display_name=f"Name {tag}",
                          person=people[0 if tag == "a" else 1]["id"]),
            Membership: dict(id=uuid.uuid4(), account=account_id, organisation=org.id, role="psw", created_at=at),
            Invitation: dict(id=invitation_id, organisation=org.id, account=account_id, person=None,
                             email=f"{tag}@north.example", role="psw", token_hash=accounts.digest(tag),
                             invited_by=None, created_at=at, expires_at=at + timedelta(days=7)),
            OutboxMessage: dict(id=uuid.uuid4(), organisation=org.id, to_address=f"{tag}@north.example",
                                to_name="Ann Ó Briain", subject="Hello", body_text="Line one\nline two",
                                dedupe_key=f"k:{tag}", next_attempt_at=at, created_at=at),
            AuditLog: dict(id=uuid.uuid4(), at=at, organisation=org.id, action="invite", table_name="invitation",
                           record_id=str(invitation_id), detail={"role": "psw", "person": None, "n": 1}),
        }

    by_piccolo, by_bulk = rows("a"), rows("b")
    async with transaction():
        for table, values in by_piccolo.items():
            await table.insert(table(**values))
        for table, values in by_bulk.items():
            assert await insert_rows(table, [values]) == 1
    for table in by_piccolo:
        # Every column the same, apart from the values the two rows were given differently.
        differ = {"id", "email", "display_name", "person", "account", "token_hash", "to_address", "dedupe_key",
                  "record_id"}
        if table is Account:
            differ.add("created_at")  # each took its own "now" as its default
        [ours] = await stored(table, "id", by_bulk[table]["id"])
        [theirs] = await stored(table, "id", by_piccolo[table]["id"])
        assert [c for c in ours if c[0] not in differ] == [c for c in theirs if c[0] not in differ], table
        # ... and the differing ones held the same way (the same type back from the database).
        assert [type(c[1]) for c in ours] == [type(c[1]) for c in theirs], table
        # Defaults (created_at, is_active, status, attempts, ...) were filled in, not left empty.
        assert {c[0] for c in ours} == {c._meta.db_column_name for c in table._meta.columns}


async def test_insert_rows_refuses_an_unknown_column_and_skips_only_the_conflicts_it_is_told_to():
    with pytest.raises(ValueError, match="no column"):
        await insert_rows(OutboxMessage, [dict(to_adress="a@north.example")])
    message = dict(to_address="a@north.example", subject="s", body_text="b", dedupe_key="once")
    async with transaction():
        assert await insert_rows(OutboxMessage, [message, {**message, "dedupe_key": "twice"}],
                                 skip_conflicts_on="dedupe_key") == 2
        assert await insert_rows(OutboxMessage, [{**message, "dedupe_key": "twice"}, {**message, "dedupe_key": "new"}],
                                 skip_conflicts_on="dedupe_key") == 1
    assert sorted(await OutboxMessage.select(OutboxMessage.dedupe_key).output(as_list=True)) == ["new", "once", "twice"]


async def test_every_bulk_invitation_is_whole_and_its_emailed_link_opens_it(monkeypatch):
    org = await make_org()
    hr = await make_user(org, "hr")
    addresses = await in_post(org, 5)
    monkeypatch.setattr(invitations, "BATCH", 2)  # three batches, so batch edges are covered
    seen: list[tuple[int, int]] = []
    done = await invitations.invite_everyone_in_lived_experience_roles(
        hr.principal, progress=lambda n, total: seen.append((n, total)))
    assert (done.eligible, done.invited) == (5, 5) and seen == [(2, 5), (4, 5), (5, 5)]
    days = current_settings().invitation_days
    for i, address in enumerate(addresses):
        person = await Person.select(Person.id).where(Person.employee_number == f"E{i}").first()
        account = await Account.objects().where(Account.email == address).first()
        assert (account.person, account.display_name, account.password_hash, account.is_active) == (
            person["id"], f"Given{i} Family{i}", None, True)
        assert account.created_at is not None
        [membership] = await Membership.select().where(Membership.account == account.id)
        assert (membership["organisation"], membership["role"]) == (org.id, "psw")
        [invitation] = await Invitation.select().where(Invitation.account == account.id)
        assert (invitation["organisation"], invitation["person"], invitation["email"], invitation["role"],
                invitation["invited_by"], invitation["accepted_at"], invitation["revoked_at"]) == (
            org.id, person["id"], address, "psw", hr.principal.account_id, None, None)
        assert invitation["expires_at"] - invitation["created_at"] == timedelta(days=days)
        [mail] = await OutboxMessage.select().where(OutboxMessage.to_address == address)
        assert (mail["organisation"], mail["to_name"], mail["status"], mail["attempts"], mail["dedupe_key"]) == (
            org.id, f"Given{i} Family{i}", "pending", 0, f"invitation:{invitation['id']}")
        assert mail["subject"] == "You are invited to peerwork at North Trust"
        token = re.search(r"/invitations/([A-Za-z0-9_\-]+)", mail["body_text"]).group(1)
        assert invitation["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
        assert (await invitations.details(token)).email == address
        [entry] = await AuditLog.select().where(AuditLog.record_id == str(invitation["id"])).output(load_json=True)
        assert (entry["organisation"], entry["account"], entry["action"], entry["table_name"]) == (
            org.id, hr.principal.account_id, "invite", "invitation")
        assert entry["detail"] == {"role": "psw", "account": str(account.id), "person": str(person["id"]),
                                   "via": hr.principal.via}


async def test_a_batch_that_fails_part_way_leaves_nothing_of_itself_and_keeps_the_batches_before(monkeypatch):
    org = await make_org()
    hr = await make_user(org, "hr")
    await in_post(org, 4)
    # A name no email header can carry: the batch fails at its emails, after its accounts,
    # memberships and invitations were written in the same transaction.
    await Person.update({Person.given_name: "Given\r\nBcc: x@y.example"}).where(Person.employee_number == "E3")
    monkeypatch.setattr(invitations, "BATCH", 2)
    with pytest.raises(InvalidInput):
        await invitations.invite_everyone_in_lived_experience_roles(hr.principal)
    # People are taken in name order: E3 ("Family3") is in the second batch with E2.
    assert await invited_rows() == (2, 2, 2, 2, 2)
    assert set(await Account.select(Account.email).where(Account.person.is_not_null()).output(as_list=True)) == {
        "e0@north.example", "e1@north.example"}


async def test_two_bulk_invites_at_once_never_invite_a_person_twice(monkeypatch):
    org = await make_org()
    hr = await make_user(org, "hr")
    admin = await make_user(org, "admin")
    await in_post(org, 30)
    # Each waits, once it knows whom to invite, until the other knows too: both then write the
    # same 30 people, the worst overlap two clicks can have.
    found, both_found = [], asyncio.Event()
    real = invitations.uninvited_people

    async def then_wait(*args):
        people = await real(*args)
        found.append(len(people))
        if len(found) == 2:
            both_found.set()
        await both_found.wait()
        return people

    monkeypatch.setattr(invitations, "uninvited_people", then_wait)
    outcomes = await asyncio.gather(invitations.invite_everyone_in_lived_experience_roles(hr.principal),
                                    invitations.invite_everyone_in_lived_experience_roles(admin.principal),
                                    return_exceptions=True)
    # Both found the same 30 people; whichever wrote second is refused by the unique email.
    assert found == [30, 30] and sum(isinstance(o, Exception) for o in outcomes) == 1, outcomes
    assert sum(getattr(o, "invited", 0) for o in outcomes) == 30, outcomes
    assert await invited_rows() == (30, 30, 30, 30, 30)
    again = await invitations.invite_everyone_in_lived_experience_roles(hr.principal)
    assert (again.eligible, again.invited) == (0, 0)
