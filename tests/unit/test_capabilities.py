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
