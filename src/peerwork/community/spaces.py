"""What the reflective spaces page lists: the coming dates a person may see, filtered by kind and
by organisation (their own or a network partner's), with filter values checked like any input."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from peerwork.community import bookings
from peerwork.community.schemas import KIND_LABELS, OccurrenceOut
from peerwork.community.tables import EventSeries
from peerwork.core.access import Principal
from peerwork.core.errors import InvalidInput
from peerwork.core.tables import Organisation
from peerwork.core.tenancy import network_partners

DAYS_AHEAD = 62


@dataclass(frozen=True)
class OrganisationChoice:
    id: UUID
    slug: str
    name: str


async def organisation_choices(principal: Principal) -> list[OrganisationChoice]:
    """The caller's organisation first, then its network partners by name."""
    ids = [principal.organisation_id, *await network_partners(principal.organisation_id)]
    rows = await Organisation.select(Organisation.id, Organisation.slug, Organisation.name).where(
        Organisation.id.is_in(ids))
    rows.sort(key=lambda r: (r["id"] != principal.organisation_id, r["name"]))
    return [OrganisationChoice(r["id"], r["slug"], r["name"]) for r in rows]


def check_kind(kind: str) -> str | None:
    """An empty choice is everything; anything else must be a kind we know."""
    if not kind:
        return None
    if kind not in KIND_LABELS:
        raise InvalidInput(f"Show: there is no kind of space called “{kind[:40]}”; choose one from the list.")
    return kind


def check_organisation(slug: str, choices: list[OrganisationChoice]) -> OrganisationChoice | None:
    if not slug:
        return None
    for choice in choices:
        if choice.slug == slug:
            return choice
    raise InvalidInput(f"Organisation: “{slug[:40]}” is not your organisation or one of its network partners; "
                       "choose one from the list.")


async def coming_up(principal: Principal, kind: str | None, organisation: OrganisationChoice | None
                    ) -> list[OccurrenceOut]:
    """The dates in the next two months the caller may see, of this kind and organisation."""
    rows = await bookings.upcoming(principal, days=DAYS_AHEAD, kind=kind)
    if organisation is None:
        return rows
    series_ids = set(await EventSeries.select(EventSeries.id).where(
        EventSeries.organisation == organisation.id).output(as_list=True))
    return [o for o in rows if o.series_id in series_ids]
