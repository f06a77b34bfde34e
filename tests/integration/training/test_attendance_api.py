"""The training attendance and trainers' figures over HTTP: API, pages and CSV."""

from datetime import date, timedelta

from peerwork.cpd.tables import CpdRecord
from tests.factories import make_org, make_user
from tests.integration.training.attendance_builders import book_all, hold_in_past, make_course, make_run, make_trainer


async def test_a_trainer_marks_attendance_over_the_api_and_the_course_reaches_cpd(client):
    org = await make_org("north")
    admin, lead = await make_user(org, "admin"), await make_user(org, "peer_lead")
    trainer, psw, other = [await make_user(org, "psw", email=f"{n}@north.example") for n in ("t", "p", "o")]
    course = await make_course(admin)
    run = await make_run(lead, course.id, [(await make_trainer(lead, trainer), trainer)])
    booked = await book_all(psw, run)
    await hold_in_past(lead, run, date.today() - timedelta(days=10))

    mine = await client.get("/api/v1/training/sessions/mine", headers=trainer.headers)
    assert mine.status_code == 200 and [s["occurrence_id"] for s in mine.json()] == [str(s) for s in run.sessions]
    listed = await client.get(f"/api/v1/training/sessions/{run.sessions[0]}/attendees", headers=trainer.headers)
    assert listed.status_code == 200 and listed.json()[0]["name"] == "p"
    refused = await client.put(f"/api/v1/training/sessions/attendance/{booked[0]}", json={"attended": True},
                               headers=other.headers)
    assert refused.status_code == 403
    for i, booking_id in enumerate(booked):
        marked = await client.put(f"/api/v1/training/sessions/attendance/{booking_id}", json={"attended": True},
                                  headers=trainer.headers)
        assert marked.status_code == 200, marked.text
        assert marked.json()["completed"] is (i == 1)
    assert await CpdRecord.count().where(CpdRecord.account == psw.principal.account_id) == 1
    bad = await client.put(f"/api/v1/training/sessions/attendance/{booked[0]}", json={"attended": "maybe"},
                           headers=trainer.headers)
    assert bad.status_code == 400

    south_lead = await make_user(await make_org("south"), "peer_lead", email="lead@south.example")
    hidden = await client.get(f"/api/v1/training/sessions/{run.sessions[0]}/attendees", headers=south_lead.headers)
    assert hidden.status_code == 404

    period = {"from": (date.today() - timedelta(days=30)).isoformat(), "to": date.today().isoformat()}
    figure = await client.get("/api/v1/training/programme", params=period, headers=lead.headers)
    assert figure.status_code == 200 and figure.json()["sentence"] == "1 trainer delivered 2 sessions to 1 person"
    assert (await client.get("/api/v1/training/programme", params=period,
                             headers=psw.headers)).status_code == 403
    csv = await client.get("/api/v1/training/programme.csv", params=period, headers=lead.headers)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "All trainers (1 delivered),,,,2,1," in csv.text
    backwards = await client.get("/api/v1/training/programme", headers=lead.headers,
                                 params={"from": period["to"], "to": period["from"]})
    assert backwards.status_code == 422
