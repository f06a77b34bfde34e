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

import logging
import traceback
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Literal
from uuid import UUID

from msgspec import Struct

from peerwork.core.access import Principal
from peerwork.core.errors import database_unavailable
from peerwork.core.tables import Account

logger = logging.getLogger("peerwork.todo")

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
    failed = False
    for provide in providers:
        try:
            found.extend(await provide(principal))
        except Exception as exc:
            # One capability's fault must not take the whole home page with it: the rest of the
            # list is still worth having. A lost database is different: the page answers 503.
            if database_unavailable(exc) is not None:
                raise
            _log_failed(provide, exc)
            failed = True
    if failed:
        found.append(PART_UNAVAILABLE)
    return ordered(found)


PART_UNAVAILABLE = TodoItem(
    kind="todo.unavailable", section="Not shown just now", href="/",
    title="Part of your to-do list could not be loaded. Reload the page to try again.",
)


def _log_failed(provide: TodoProvider, exc: Exception) -> None:
    # The provider and the stack, never the message: it can echo a row's data.
    stack = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("to-do provider %s failed with %s\n%s", getattr(provide, "__module__", provide),
                 type(exc).__name__, stack)


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
