"""Builders for co-production tests: a policy, a staff person and someone outside the workforce."""

from __future__ import annotations

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
