"""The packages peerwork is made of, and what each gives the app.

A capability package exposes, where it has them: ``controllers.ROUTES`` (JSON API handlers,
mounted under ``/api/v1`` behind the access guard), ``pages.PAGES`` (HTML pages and other
top-level routes), ``jobs.JOBS`` (scheduled jobs), ``calendar.PROVIDER`` (its events on
people's calendars, with its part of the feed's cache key), and in ``todo.py`` ``TODO`` (its
items on the home page's to-do list) and ``PERSON`` (its section of a person's page); see
``core/todo.py``. ``create_app`` and the scheduler
loop over this list; nothing else names the packages. Modules are imported on first use, so a
CLI command that needs no web app does not load one.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

# Lower packages first: the order pages and jobs are registered in.
PACKAGES = (
    "core.mail",
    "web",
    "calendar",
    "workforce",
    "accounts",
    "retention",
    "cpd",
    "pairing",
    "supervision",
    "community",
    "recruitment",
    "supports",
    "networks",
    "training",
    "evaluation",
    "wellbeing",
    "coproduction",
    "debrief",
)

_EXPORTS = {"ROUTES": "controllers", "PAGES": "pages", "JOBS": "jobs", "PROVIDER": "calendar",
            "TODO": "todo", "PERSON": "todo"}
# A todo.py may give home-page items without a section on people's pages, or the other way round.
_OPTIONAL = frozenset({"TODO", "PERSON"})


def _modules(export: str) -> list[Any]:
    found = []
    for package in PACKAGES:
        name = f"peerwork.{package}.{_EXPORTS[export]}"
        if find_spec(name) is not None:
            found.append(import_module(name))
    return found


def collect(export: str) -> list[Any]:
    """Every package's ``ROUTES``, ``PAGES`` or ``JOBS`` (concatenated), or its ``PROVIDER``,
    ``TODO`` or ``PERSON`` (one each), in the order of ``PACKAGES``."""
    items: list[Any] = []
    for module in _modules(export):
        if export in _OPTIONAL and not hasattr(module, export):
            continue
        value = getattr(module, export)
        items.extend(value if isinstance(value, list) else [value])
    return items


def routes() -> list[Any]:
    return collect("ROUTES")


def pages() -> list[Any]:
    return collect("PAGES")


def jobs() -> list[Any]:
    return collect("JOBS")


def calendar_providers() -> list[Any]:
    return collect("PROVIDER")


def todo_providers() -> list[Any]:
    return collect("TODO")


def person_providers() -> list[Any]:
    return collect("PERSON")
