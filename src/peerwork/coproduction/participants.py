"""The people paid for involvement and how each prefers to be paid (paid, voucher, or no
payment: some people on benefits choose not to be paid; the choice is recorded, the reason is
never asked). A staff record, an account or, for people outside the workforce, a name and email."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound, is_unique_violation
from peerwork.core.tables import Person
from peerwork.core.tenancy import one_in_organisation
from peerwork.coproduction.schemas import ParticipantIn, ParticipantOut
from peerwork.coproduction.tables import Participant

COLUMNS = (Participant.id, Participant.name, Participant.email, Participant.person, Participant.preference)
_PERSON = (Person.id, Person.given_name, Person.family_name, Person.email, Person.employee_number)


def identity_key(organisation_id: UUID, *, person_id: UUID | None = None, account_id: UUID | None = None,
                 email: str = "") -> str:
    if person_id is not None:
        return f"{organisation_id}:person:{person_id}"
    if account_id is not None:
        return f"{organisation_id}:account:{account_id}"
    return f"{organisation_id}:email:{email.strip().lower()}"


def out(row: dict[str, Any]) -> ParticipantOut:
    return ParticipantOut(id=row["id"], name=row["name"], email=row["email"], staff=row["person"] is not None,
                          preference=row["preference"])


async def list_participants(principal: Principal) -> list[ParticipantOut]:
    principal.require("coproduction:manage")
    rows = await Participant.select(*COLUMNS).where(
        Participant.organisation == principal.organisation_id).order_by(Participant.name)
    return [out(r) for r in rows]


def _valid_email(email: str) -> bool:
    local, at, domain = email.partition("@")
    return bool(at and local and "." in domain and not any(c.isspace() for c in email))


async def _staff_fields(principal: Principal, person_id: UUID) -> dict[str, Any]:
    person = await one_in_organisation(Person, principal.organisation_id, person_id, _PERSON, "No such person.")
    name = " ".join(p for p in (person["given_name"], person["family_name"]) if p) or person["employee_number"]
    return {"person": person_id, "name": name, "email": person["email"] or "",
            "identity_key": identity_key(principal.organisation_id, person_id=person_id)}


async def add_participant(principal: Principal, data: ParticipantIn) -> ParticipantOut:
    principal.require("coproduction:manage")
    if data.person_id is not None:
        fields = await _staff_fields(principal, data.person_id)
    else:
        name, email = data.name.strip(), data.email.strip()
        if not name:
            raise InvalidInput("name: required for someone without a staff record")
        if not _valid_email(email):
            raise InvalidInput("email: must be an email address")
        fields = {"person": None, "name": name, "email": email,
                  "identity_key": identity_key(principal.organisation_id, email=email)}
    row = Participant(organisation=principal.organisation_id, preference=data.preference, **fields)
    try:
        async with transaction():
            await row.save()
            await audit.record(principal, "create", "coproduction_participant", row.id, fields=["preference"])
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict("This person is already on the list.") from None
        raise
    return out({"id": row.id, "person": fields["person"], "name": row.name, "email": row.email,
                "preference": row.preference})


async def set_preference(principal: Principal, participant_id: UUID, preference: str) -> ParticipantOut:
    """A new preference applies to lines recorded from now on; recorded lines keep theirs."""
    principal.require("coproduction:manage")
    row = await one_in_organisation(Participant, principal.organisation_id, participant_id, COLUMNS,
                                    "No such participant.")
    async with transaction():
        await Participant.update({Participant.preference: preference}).where(Participant.id == participant_id)
        await audit.record(principal, "update", "coproduction_participant", participant_id, fields=["preference"])
    return out({**row, "preference": preference})


async def staff_choices(principal: Principal) -> list[dict[str, Any]]:
    """The organisation's staff records, by name, for choosing who took part."""
    return await Person.select(Person.id, Person.given_name, Person.family_name, Person.employee_number).where(
        Person.organisation == principal.organisation_id).order_by(Person.family_name).order_by(Person.given_name)


async def participant(organisation_id: UUID, participant_id: UUID) -> dict[str, Any]:
    return await one_in_organisation(Participant, organisation_id, participant_id, COLUMNS, "No such participant.")


async def for_panel_member(organisation_id: UUID, *, account_id: UUID, person_id: UUID | None, name: str,
                           email: str) -> dict[str, Any]:
    """The participant a panel member is paid as: their staff record's, else one already known by
    their email (added by hand before), else a new one for their account (preference: paid)."""
    key = identity_key(organisation_id, person_id=person_id, account_id=account_id)
    found = await Participant.select(*COLUMNS).where(Participant.identity_key == key).first()
    if found is None and person_id is None:
        found = await Participant.select(*COLUMNS).where(
            (Participant.organisation == organisation_id)
            & (Participant.identity_key == identity_key(organisation_id, email=email))).first()
    if found is not None:
        return found
    row = Participant(organisation=organisation_id, identity_key=key, person=person_id, account=account_id,
                      name=name or email, email=email, preference="paid")
    await row.save()
    return {"id": row.id, "name": row.name, "email": row.email, "person": person_id, "preference": "paid"}


def require_known(participant_ids: set[UUID], found: set[UUID]) -> None:
    """NotFound when any id is not one of the organisation's participants (never "forbidden")."""
    if participant_ids - found:
        raise NotFound("No such participant.")
