"""Pages build the API's own input schemas from their forms: a page refuses what the API refuses."""

from __future__ import annotations

from decimal import Decimal

import re
from datetime import date, timedelta

from peerwork.cpd.tables import Course
from peerwork.recruitment.tables import Vacancy
from tests.factories import PASSWORD, make_org, make_user
from tests.integration.accounts.mfa_helpers import finish_second_factor


def csrf_from(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


async def signed_in(client, *roles: str, org=None):
    org = org or await make_org()
    user = await make_user(org, *roles, password=PASSWORD)
    form = await client.get("/login")
    response = await client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/",
                                                 "_csrf_token": csrf_from(form.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    await finish_second_factor(client, response, user.email)  # admin and HR: the code step too
    return user


async def post_form(client, page: str, action: str, data: dict):
    """Post ``data`` as the browser would, with the CSRF token from ``page`` (a list value: repeated boxes)."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    return await client.post(action, data={**data, "_csrf_token": csrf_from(shown.text)}, follow_redirects=False)


async def test_an_unknown_course_kind_is_refused_on_the_page_as_by_the_api(client):
    admin = await signed_in(client, "admin")
    course = {"title": "Peer support foundations", "hours": "6", "provider": "", "renewal_months": "",
              "kind": "masterclass"}
    page = await post_form(client, "/cpd/courses", "/cpd/courses", course)
    assert page.status_code == 422
    assert "There is a problem" in page.text and "kind: must be one of core, induction, manager, other" in page.text
    assert 'value="Peer support foundations"' in page.text  # the form comes back filled in
    api = await client.post("/api/v1/cpd/courses", headers=admin.headers,
                            json={"title": "Peer support foundations", "hours": "6", "kind": "masterclass"})
    assert api.status_code == 400 and "kind" in api.json()["detail"]
    assert await Course.count() == 0


async def test_a_valid_course_form_still_makes_the_course(client):
    await signed_in(client, "admin")
    course = {"title": "  Induction day  ", "hours": " 7.5", "provider": "Recovery College", "kind": "induction",
              "mandatory_for": ["psw", "supervisor"], "renewal_months": ""}
    page = await post_form(client, "/cpd/courses", "/cpd/courses", course)
    assert page.status_code == 303, page.text
    made = await Course.select().first()
    assert (made["title"], Decimal(str(made["hours"])), made["kind"], made["renewal_months"]) == \
        ("Induction day", Decimal("7.5"), "induction", None)
    assert set(made["mandatory_roles"].split(",")) == {"psw", "supervisor"}


async def test_a_vacancy_with_a_pay_band_outside_agenda_for_change_is_refused_by_the_schema_rule(client):
    lead = await signed_in(client, "peer_lead")
    closing = (date.today() + timedelta(days=14)).isoformat()
    vacancy = {"title": "Peer Support Worker", "team_id": "", "posts": "2", "closing_date": closing,
               "remit": "", "criteria": "", "values": "Mutuality\nHope"}
    page = await post_form(client, "/recruitment/vacancies/new", "/recruitment/vacancies",
                           {**vacancy, "afc_band": "10"})
    assert page.status_code == 422
    assert "afc_band: must be one of 2, 3, 4, 5, 6, 7, 8a, 8b, 8c, 8d, 9" in page.text
    api = await client.post("/api/v1/recruitment/vacancies", headers=lead.headers,
                            json={"title": "Peer Support Worker", "closing_date": closing, "afc_band": "10"})
    assert api.status_code == 400 and "afc_band" in api.json()["detail"]
    assert await Vacancy.count() == 0

    made = await post_form(client, "/recruitment/vacancies/new", "/recruitment/vacancies",
                           {**vacancy, "afc_band": "8a"})
    assert made.status_code == 303, made.text
    row = await Vacancy.select(Vacancy.afc_band, Vacancy.posts, Vacancy.peer_values).output(load_json=True).first()
    assert row == {"afc_band": "8a", "posts": 2, "peer_values": ["Mutuality", "Hope"]}


async def test_a_form_time_without_seconds_is_read_as_the_api_reads_hh_mm_ss(client):
    org = await make_org()
    panel = await make_user(org, "psw", email="panel@north.example")
    lead = await signed_in(client, "peer_lead", org=org)
    closing = (date.today() + timedelta(days=14)).isoformat()
    made = await post_form(client, "/recruitment/vacancies/new", "/recruitment/vacancies",
                           {"title": "Peer Support Worker", "closing_date": closing, "values": "Hope"})
    vacancy_url = made.headers["location"].partition("?")[0]  # the page, without its "created" notice
    added = await post_form(client, vacancy_url, f"{vacancy_url}/panel",
                            {"account_id": str(panel.principal.account_id), "lived_experience": "yes"})
    assert added.status_code == 303, added.text
    members = (await client.get(f"/api/v1{vacancy_url}", headers=lead.headers)).json()["panel"]
    assert [m["lived_experience"] for m in members] == [True]
    opened = await post_form(client, vacancy_url, f"{vacancy_url}/status", {"status": "open"})
    assert opened.status_code == 303, opened.text
    day = {"day": (date.today() + timedelta(days=20)).isoformat(), "start": "10:00", "end": "11:30", "minutes": "45",
           "capacity": "1", "location": "Room 2"}
    added = await post_form(client, vacancy_url, f"{vacancy_url}/days", day)
    assert added.status_code == 303, added.text
    slots = (await client.get(f"/api/v1{vacancy_url}/slots", headers=lead.headers)).json()
    assert len(slots) == 2
    too_many = await post_form(client, vacancy_url, f"{vacancy_url}/days", {**day, "capacity": "51"})
    assert too_many.status_code == 422 and "capacity: must be at most 50" in too_many.text
