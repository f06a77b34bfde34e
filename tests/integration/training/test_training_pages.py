"""The training pages: a training lead schedules a two-session course on the form, a PSW books
it on its page and sees it listed with the places left; bad input comes back on the form."""

from __future__ import annotations

import re
from datetime import date, timedelta

from peerwork.community.tables import Booking
from peerwork.training.tables import CourseRun
from tests.factories import make_user
from tests.integration.training.helpers import make_course, make_trainer
from tests.integration.web.test_forms import post_form, signed_in


async def test_a_lead_schedules_on_the_form_and_a_psw_books_on_the_page(client):
    lead = await signed_in(client, "peer_lead")
    org_id = lead.principal.organisation_id

    class Org:
        id = org_id
        slug = lead.principal.organisation_slug

    course = await make_course(Org)
    trainer_user = await make_user(Org, "psw", email="trainer@north.example")
    trainer = await make_trainer(lead, trainer_user)
    form = {"course_id": str(course.id), "start_date": (date.today() + timedelta(days=9)).isoformat(),
            "start_time": "10:00", "end_time": "13:00", "sessions": "2", "every": "week", "delivery": "online",
            "online_link": "javascript:alert(1)", "capacity": "1", "booking_cutoff_hours": "24",
            "trainer_ids": [str(trainer.id)]}
    refused = await post_form(client, "/training/new", "/training/runs", form)
    assert refused.status_code == 422 and "There is a problem" in refused.text and "online_link" in refused.text
    assert await CourseRun.count() == 0
    made = await post_form(client, "/training/new", "/training/runs", {**form, "online_link": "https://meet.example.org/r"})
    assert made.status_code == 303, made.text
    run_path = made.headers["location"].split("?")[0]
    page = await client.get(run_path)
    assert page.status_code == 200 and "Peer support foundations" in page.text and "trainer" in page.text
    assert len(re.findall(r"<time datetime=", page.text)) == 2

    await client.post("/logout", data={})
    client.cookies.clear()
    psw = await signed_in(client, "psw", org=Org)
    booked = await post_form(client, run_path, f"{run_path}/book", {})
    assert booked.status_code == 303
    assert await Booking.count().where((Booking.account == psw.principal.account_id) & (Booking.status == "confirmed")) == 2
    listing = await client.get("/training")
    assert listing.status_code == 200 and "0 of 1" in listing.text and "confirmed" in listing.text
    assert (await client.get("/community")).text.count("Peer support foundations") == 0
