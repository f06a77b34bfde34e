"""The co-production pages: HR sets the policy, adds people and records an activity on the
forms; finance downloads what is due and marks it paid; a person sees their own record; every
page checks the right and the organisation."""

from __future__ import annotations

import csv
import io

import pytest

from peerwork.core.access import ORGANISATION_ROLES, RIGHTS
from peerwork.coproduction.tables import Activity, InvolvementLine, Participant
from tests.factories import make_org, make_user
from tests.integration.coproduction.helpers import an_activity, set_up
from tests.integration.web.test_forms import post_form, signed_in

# Each page, the right it needs (None: every role may look at their own).
PAGES = [("/coproduction", "coproduction:manage"), ("/coproduction/new", "coproduction:manage"),
         ("/coproduction/policy", "coproduction:manage"), ("/coproduction/finance", "coproduction:finance"),
         ("/coproduction/finance/due.csv", "coproduction:finance"), ("/coproduction/mine", "coproduction:mine")]


async def test_hr_sets_the_policy_adds_people_and_records_an_activity_on_the_forms(client):
    hr = await signed_in(client, "hr")
    saved = await post_form(client, "/coproduction/policy", "/coproduction/policy", {
        "rate_co_design": "20.00", "rate_interview_panel": "£15", "reimburse_expenses": "yes"})
    assert saved.status_code == 303, saved.text
    policy = (await client.get("/api/v1/coproduction/policy", headers=hr.headers)).json()
    assert policy["rates"]["co_design"] == 2000 and policy["rates"]["interview_panel"] == 1500
    assert policy["reimburse_expenses"] is True and policy["pay_employees_for_panels"] is False
    added = await post_form(client, "/coproduction/policy", "/coproduction/participants", {
        "name": "Ali External", "email": "ali@experts.example", "preference": "voucher"})
    assert added.status_code == 303, added.text
    ali = await Participant.select(Participant.id).first()
    form = {"title": "Crisis pathway workshop", "kind": "co_design", "held_on": "2026-03-04",
            "participant_0": str(ali["id"]), "hours_0": "0.33", "expenses_0": "6.40"}
    refused = await post_form(client, "/coproduction/new", "/coproduction/activities", form)
    assert refused.status_code == 422 and "Row 1 hours" in refused.text and "whole minutes" in refused.text
    assert 'value="Crisis pathway workshop"' in refused.text and await Activity.count() == 0
    made = await post_form(client, "/coproduction/new", "/coproduction/activities", {**form, "hours_0": "2.5"})
    assert made.status_code == 303, made.text
    page = await client.get(made.headers["location"])
    assert page.status_code == 200 and "Ali External" in page.text and "50.00" in page.text and "6.40" in page.text
    line = await InvolvementLine.select().first()
    assert (line["minutes"], line["amount_pence"], line["expenses_pence"], line["preference"]) == (150, 5000, 640, "voucher")
    edited = await post_form(client, made.headers["location"], f"/coproduction/lines/{line['id']}",
                             {"hours": "2", "expenses": "6.40"})
    assert edited.status_code == 303
    assert (await InvolvementLine.select(InvolvementLine.amount_pence).first())["amount_pence"] == 4000
    listing = await client.get("/coproduction")
    assert listing.status_code == 200 and "Crisis pathway workshop" in listing.text


async def test_finance_downloads_what_is_due_and_marks_it_paid_and_the_person_sees_it(client):
    hr = await signed_in(client, "hr")
    org = type("Org", (), {"id": hr.principal.organisation_id, "slug": hr.principal.organisation_slug})
    people = await set_up(org, hr)
    activity = await an_activity(hr, people, held_on="2026-03-04")
    page = await client.get("/coproduction/finance?start=2026-03-01&end=2026-03-31")
    assert page.status_code == 200 and "Sam Staff" in page.text and "Ali External" in page.text
    download = await client.get("/coproduction/finance/due.csv?start=2026-03-01&end=2026-03-31")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(download.text)))) == 2
    staff_line = next(line for line in activity.lines if line.name == "Sam Staff")
    paid = await post_form(client, "/coproduction/finance?start=2026-03-01&end=2026-03-31", "/coproduction/finance/paid",
                           {"line_ids": [str(staff_line.id)], "paid_on": "2026-03-31"})
    assert paid.status_code == 303, paid.text
    assert (await InvolvementLine.select(InvolvementLine.status).where(
        InvolvementLine.id == staff_line.id).first())["status"] == "paid"
    client.cookies.clear()
    await signed_in(client, "psw", org=org)  # psw@north.example: nobody's involvement
    assert "Nothing recorded for you yet" in (await client.get("/coproduction/mine")).text
    client.cookies.clear()
    ali = await make_user(org, "psw", email="ali@experts.example", password="correct horse battery")
    from tests.integration.workforce.test_auth import sign_in

    await sign_in(client, ali.email, "correct horse battery")
    mine = await client.get("/coproduction/mine")
    assert mine.status_code == 200 and "Redesigning the crisis pathway" in mine.text and "Sam Staff" not in mine.text


@pytest.mark.parametrize(("path", "right"), PAGES)
async def test_every_page_is_for_its_right_only(client, path, right):
    org = await make_org("north")
    for role in ORGANISATION_ROLES:
        client.cookies.clear()
        await signed_in(client, role, org=org)
        response = await client.get(path)
        expected = 200 if role in RIGHTS[right] else 403
        assert response.status_code == expected, (role, response.status_code)


async def test_another_organisations_activity_page_is_not_found(client):
    north = await make_org("north")
    north_hr = await make_user(north, "hr", email="hr@north.example")
    people = await set_up(north, north_hr)
    activity = await an_activity(north_hr, people)
    await signed_in(client, "admin", "hr", org=await make_org("south"))
    assert (await client.get(f"/coproduction/activities/{activity.id}")).status_code == 404
    line = activity.lines[0]
    changed = await post_form(client, "/coproduction", f"/coproduction/lines/{line.id}", {"hours": "9"})
    assert changed.status_code == 404
    assert (await InvolvementLine.select(InvolvementLine.minutes).where(
        InvolvementLine.id == line.id).first())["minutes"] == line.minutes
