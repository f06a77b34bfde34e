"""Builders for co-production tests: a policy, a staff person and someone outside the workforce."""

from __future__ import annotations

from datetime import date

from peerwork.core.tables import Person
from peerwork.coproduction import activities, participants, policy
from peerwork.coproduction.schemas import ActivityIn, LineIn, ParticipantIn, PolicyIn
from peerwork.workforce.importer import import_assignments
from tests.factories import csv_text

API = "/api/v1/coproduction"
RATES = {"co_design": 2000, "interview_panel": 1500, "training_delivery": 2500}


async def set_up(org, manager) -> dict:
    """North's policy, a staff person (EN1, Sam Staff) and an expert by experience (Ali External)."""
    await policy.set_policy(manager.principal, PolicyIn(rates=RATES))
    await import_assignments(org.id, csv_text("N1,EN1,Peer Support Worker,Y,4,Willow Ward,2022-01-01,,,").encode())
    person = await Person.select(Person.id).where(Person.organisation == org.id).first()
    await Person.update({Person.given_name: "Sam", Person.family_name: "Staff",
                         Person.email: "sam.staff@north.example"}).where(Person.id == person["id"])
    staff = await participants.add_participant(manager.principal, ParticipantIn(person_id=person["id"]))
    external = await participants.add_participant(manager.principal, ParticipantIn(
        name="Ali External", email="ali@experts.example", preference="voucher"))
    return {"person_id": person["id"], "staff": staff, "external": external}


async def an_activity(manager, people: dict, **overrides):
    data = {"title": "Redesigning the crisis pathway", "kind": "co_design", "held_on": "2026-03-04",
            "lines": [LineIn(participant_id=people["staff"].id, minutes=90),
                      LineIn(participant_id=people["external"].id, minutes=150, expenses_pence=640)], **overrides}
    import msgspec

    return await activities.create_activity(manager.principal, msgspec.convert(data, ActivityIn))


# For tests/integration/test_isolation.py: a request each co-production writing route accepts.
SAMPLE_BODIES: dict[tuple[str, str], dict] = {
    ("PUT", f"{API}/policy"): {"json": {"rates": {"co_design": 2000}}},
    ("POST", f"{API}/participants"): {"json": {"name": "Expert Person", "email": "expert@example.org"}},
    ("PATCH", f"{API}/participants/{{participant_id:uuid}}"): {"json": {"preference": "voucher"}},
    ("POST", f"{API}/activities"): {"json": {"title": "Workshop", "kind": "co_design", "held_on": "2026-01-01"}},
    ("POST", f"{API}/activities/{{activity_id:uuid}}/lines"): {"json": {
        "participant_id": "00000000-0000-0000-0000-000000000001", "minutes": 60}},
    ("PATCH", f"{API}/lines/{{line_id:uuid}}"): {"json": {"minutes": 30}},
    ("POST", f"{API}/lines/{{line_id:uuid}}/correction"): {"json": {"minutes": 30, "expenses_pence": 0,
                                                                    "note": "Left early"}},
    ("POST", f"{API}/payments"): {"json": {"line_ids": ["00000000-0000-0000-0000-000000000001"],
                                           "paid_on": "2026-01-01"}},
}


async def world_ids(org, admin) -> dict:
    """North's activity, one of its lines (paid, so a correction is possible) and a participant."""
    from peerwork.coproduction import payments
    from peerwork.coproduction.schemas import PaidIn

    people = await participants.add_participant(admin.principal, ParticipantIn(
        name="North Expert", email="north.expert@experts.example"))
    activity = await activities.create_activity(admin.principal, ActivityIn(
        title="North workshop", kind="co_design", held_on=date(2026, 1, 5),
        lines=[LineIn(participant_id=people.id, minutes=60)]))
    await payments.mark_paid(admin.principal, PaidIn(line_ids=[activity.lines[0].id], paid_on=date(2026, 1, 31)))
    return {"activity_id": activity.id, "line_id": activity.lines[0].id, "participant_id": people.id}
