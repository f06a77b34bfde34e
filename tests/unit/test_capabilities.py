"""The app is composed from every capability package: none can be left out by hand."""

from __future__ import annotations

from pathlib import Path

import peerwork
from peerwork import capabilities
from peerwork.calendar.providers import CalendarProvider
from peerwork.core.jobs import Job

SRC = Path(peerwork.__file__).parent
PARTS = ("controllers.py", "pages.py", "jobs.py", "calendar.py")


def packages_with_parts() -> set[str]:
    found = set()
    for part in PARTS:
        for path in SRC.rglob(part):
            if path.parent not in (SRC, SRC / "core"):  # core/jobs.py is the job runner itself
                found.add(".".join(path.parent.relative_to(SRC).parts))
    return found


def test_every_package_with_routes_pages_jobs_or_calendar_events_is_composed():
    assert packages_with_parts() <= set(capabilities.PACKAGES)


def test_every_calendar_module_gives_a_provider_with_a_fingerprint():
    providers = capabilities.calendar_providers()
    assert {p.name for p in providers} == {"community", "supervision", "recruitment", "debrief"}
    for provider in providers:
        assert isinstance(provider, CalendarProvider)
        assert provider.fingerprint or provider.organisation_fingerprint


def test_jobs_are_collected_from_every_package_once():
    ids = [job.id for job in capabilities.jobs()]
    assert all(isinstance(job, Job) for job in capabilities.jobs())
    assert len(ids) == len(set(ids))
    assert {"mail-outbox", "community-horizon", "supervision-overdue", "recruitment-anonymise",
            "cpd-expiry-reminders"} <= set(ids)


def test_a_provider_without_a_fingerprint_cannot_be_built():
    async def events(account_id, since):
        return []

    try:
        CalendarProvider(name="training", events=events)
    except ValueError as exc:
        assert "without a fingerprint" in str(exc)
    else:
        raise AssertionError("a provider without its part of the cache key was accepted")


def test_every_page_and_handler_module_is_held_to_calling_services_not_tables():
    """The import contract that keeps queries out of pages and API handlers names each
    ``*_pages`` and ``*_controllers`` module (import-linter's wildcards cover only whole
    names): a new one left off the list would escape the rule unseen."""
    import tomllib

    config = tomllib.loads((SRC.parent.parent / "pyproject.toml").read_text())
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"]
                  if c["name"] == "Pages and API handlers call services, not tables"]
    listed = set(contract["source_modules"])
    assert {"peerwork.*.pages", "peerwork.*.controllers"} <= listed
    found = {"peerwork." + ".".join(path.relative_to(SRC).with_suffix("").parts)
             for pattern in ("*_pages.py", "*_controllers.py") for path in SRC.rglob(pattern)}
    assert found <= listed, f"add to the contract in pyproject.toml: {sorted(found - listed)}"
