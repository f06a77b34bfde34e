"""The panel-recording job runs hourly, never in the hour the clocks change, and is collected."""

from __future__ import annotations

from datetime import datetime, timedelta

from peerwork import capabilities
from peerwork.core.time import LONDON
from peerwork.coproduction.jobs import JOBS


def test_the_job_runs_every_hour_except_between_one_and_two_uk_time_and_is_registered():
    (job,) = JOBS
    assert job.id in {j.id for j in capabilities.jobs()}
    fire, hours = datetime(2026, 3, 28, 0, 0, tzinfo=LONDON), []
    for _ in range(23 * 3):  # three days, across the spring clock change
        fire = job.trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        hours.append(fire.astimezone(LONDON).hour)
    assert 1 not in hours and {0, 2, 12, 23} <= set(hours)
