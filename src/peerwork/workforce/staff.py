"""Who is in post in a lived-experience role on a day: the one rule every figure counts by.

An assignment puts its holder in post in a lived-experience role on ``day`` when it belongs to
the organisation, is a lived-experience role, has started (``start_date <= day``) and has not
ended (no ``end_date``, or ``end_date >= day``: a person is still in post on their last day).
The seven supports, supervision and CPD compliance, pairing, newsletters and invitations all
count people by this rule, whether or not those people have an account.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from piccolo.custom_types import Combinable

from peerwork.workforce.tables import Assignment


def in_post(organisation_id: UUID, day: date) -> Combinable:
    """The rule as a condition on Assignment, for queries built with the ORM."""
    return ((Assignment.organisation == organisation_id) & (Assignment.lived_experience_role == True)  # noqa: E712
            & (Assignment.start_date <= day) & (Assignment.end_date.is_null() | (Assignment.end_date >= day)))


def in_post_sql(alias: str = "a") -> str:
    """The rule for raw SQL over ``assignment {alias}``, with named placeholders ``{org}``,
    ``{true}`` and ``{today}`` (bind them with :func:`peerwork.core.db.named`)."""
    a = alias
    return (f"{a}.organisation = {{org}} AND {a}.lived_experience_role = {{true}} AND {a}.start_date <= {{today}} "
            f"AND ({a}.end_date IS NULL OR {a}.end_date >= {{today}})")


async def people_in_post(organisation_id: UUID, day: date) -> set[UUID]:
    """Ids of the people (staff records) in post in a lived-experience role on ``day``."""
    return set(await Assignment.select(Assignment.person).where(in_post(organisation_id, day)).output(as_list=True))
