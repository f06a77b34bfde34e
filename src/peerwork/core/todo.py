"""What a capability says on the home page and on a person's page, without the page knowing it.

Each capability that has something to say exports, in its ``todo.py``:

- ``TODO``: ``async (principal) -> list[TodoItem]``, the things the signed-in person should do
  or know next (their next sessions, training due, overdue supervision in their organisation),
  each linking to where it is done;
- ``PERSON``: ``async (principal, person_id) -> PersonSection | None``, its part of a person's
  page, or ``None`` when the viewer has no right to it (so the section is absent, not empty).

Providers use only their own services, respect the principal's rights and read only the
principal's organisation. ``capabilities.py`` collects them; the app hands them to the pages
and the API, so the home page never imports a capability.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Literal
from uuid import UUID

from msgspec import Struct

from peerwork.core.access import Principal
from peerwork.core.tables import Account

Priority = Literal["urgent", "soon", "info"]
_ORDER = {"urgent": 0, "soon": 1, "info": 2}


class TodoItem(Struct, frozen=True):
    """One thing to do or know, with the page where it is done."""

    kind: str  # stable name, e.g. "supervision.overdue"; tests and the page key on it
    section: str  # the heading it is shown under, e.g. "Supervision"
    title: str  # what to do, in a sentence a person can act on
    href: str  # where it is done (a page path)
    priority: Priority = "info"
    detail: str | None = None
    due: date | None = None
    count: int | None = None  # how many people or places an aggregate item stands for


class TodoList(Struct):
    items: list[TodoItem]


class PersonFact(Struct, frozen=True):
    """One line of a person's page: a label, its value and, where there is one, a link."""

    label: str
    value: str
    href: str | None = None


class PersonSection(Struct, frozen=True):
    """A capability's part of a person's page."""

    kind: str  # e.g. "supervision"
    title: str
    facts: list[PersonFact]
    empty: str = "Nothing recorded yet."  # said instead of an empty list


TodoProvider = Callable[[Principal], Awaitable[list[TodoItem]]]
PersonProvider = Callable[[Principal, UUID], Awaitable[PersonSection | None]]


def ordered(items: Iterable[TodoItem]) -> list[TodoItem]:
    """Most pressing first; then by due date (undated last), keeping each provider's order."""
    indexed = list(enumerate(items))
    indexed.sort(key=lambda pair: (_ORDER[pair[1].priority], pair[1].due or date.max, pair[0]))
    return [item for _, item in indexed]


async def todo_for(principal: Principal, providers: Iterable[TodoProvider]) -> list[TodoItem]:
    """Every provider's items for ``principal``, most pressing first."""
    found: list[TodoItem] = []
    for provide in providers:
        found.extend(await provide(principal))
    return ordered(found)


async def person_sections(principal: Principal, person_id: UUID,
                          providers: Iterable[PersonProvider]) -> list[PersonSection]:
    """The sections of a person's page the viewer may see, in the providers' order."""
    sections = []
    for provide in providers:
        section = await provide(principal, person_id)
        if section is not None:
            sections.append(section)
    return sections


async def person_accounts(organisation_id: UUID, person_id: UUID) -> list[UUID]:
    """The accounts linked to a staff record of ``organisation_id`` (none for another's)."""
    return await Account.select(Account.id).where(
        (Account.person == person_id) & (Account.person.organisation == organisation_id)
    ).output(as_list=True)
