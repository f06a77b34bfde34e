"""Access control, as a table over every API route (new routes are covered when added).

- no credentials, a made-up token, a revoked token: 401 everywhere;
- a role without the route's declared right: 403;
- another organisation's record, even with every role: 404 (its existence is never revealed).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from litestar.routes import HTTPRoute

from peerwork.app import create_app
from peerwork.community import bookings, series
from peerwork.community.schemas import SeriesIn
from peerwork.training import places
from peerwork.supervision import agreements, sessions
from peerwork.pairing.tables import Pair
from peerwork.cpd import records as cpd
from peerwork.cpd.schemas import CourseIn, RecordIn
from peerwork.supervision.schemas import AgreementIn, GroupIn
from peerwork.core.settings import load_settings
from peerwork.core import accounts
from peerwork.core.access import RIGHTS, ROLES
from peerwork.workforce.importer import import_assignments
from peerwork.workforce.tables import Assignment, Team
from peerwork.core.tables import Person
from peerwork.accounts import invitations
from peerwork.evaluation import questionnaires
from peerwork.evaluation.schemas import ItemIn, QuestionnaireIn
from peerwork.wellbeing import documents as wellbeing_documents
from peerwork.wellbeing.schemas import PlanIn
from tests.factories import csv_text, make_all_roles_user, make_org, make_user
from tests.integration.training.helpers import make_course, make_run
from tests.integration.coproduction.helpers import SAMPLE_BODIES as COPRODUCTION_SAMPLES, world_ids as coproduction_ids


def api_routes() -> list[tuple[str, str, dict]]:
    routes = []
    for route in create_app(load_settings()).routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                routes.append((method, route.path, handler.opt))
    return routes


ROUTES = api_routes()
ROUTE_IDS = [f"{m} {p}" for m, p, _ in ROUTES]

# A request that would succeed for a caller with the right; keyed by method and route path.
SAMPLE_BODIES: dict[tuple[str, str], dict] = {
    ("POST", "/api/v1/teams"): {"json": {"name": "Crisis Café"}},
    ("PATCH", "/api/v1/teams/{team_id:uuid}"): {"json": {"name": "Renamed"}},
    ("POST", "/api/v1/people"): {"json": {"employee_number": "NEW1"}},
    ("PATCH", "/api/v1/people/{person_id:uuid}"): {"json": {"given_name": "Sam"}},
    ("POST", "/api/v1/assignments"): {"json": "ASSIGNMENT"},
    ("PATCH", "/api/v1/assignments/{assignment_id:uuid}"): {"json": {"fte": "0.5"}},
    ("POST", "/api/v1/imports/assignments"): {"files": {"data": ("a.csv", csv_text("Z1,Z9,PSW,Y,4,,2024-01-01,,,").encode(), "text/csv")}},
    ("POST", "/api/v1/accounts"): {"json": {"email": "new.person@example.org", "roles": ["psw"]}},
    ("PATCH", "/api/v1/accounts/{account_id:uuid}"): {"json": {"display_name": "Renamed"}},
    ("POST", "/api/v1/tokens"): {"json": {"label": "script"}},
    ("POST", "/api/v1/invitations"): {"json": {"email": "invited.person@example.org", "role": "psw"}},
    ("POST", "/api/v1/invitations/lived-experience"): {},
    ("POST", "/api/v1/accounts/{account_id:uuid}/second-factor/reset"): {},
    ("PUT", "/api/v1/sso"): {"json": {"issuer": "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
                                      "client_id": "peerwork", "client_secret": "s"}},
    ("POST", "/api/v1/invitations/{invitation_id:uuid}/revoke"): {},
    ("POST", "/api/v1/community/series"): {"json": {
        "kind": "co_reflection", "title": "Co-reflection", "rrule": "FREQ=MONTHLY;BYDAY=1TU",
        "start_date": "2030-01-01", "start_time": "13:00", "end_time": "14:30", "capacity": 12}},
    ("PATCH", "/api/v1/community/series/{series_id:uuid}"): {"json": {"from_date": "2030-01-01", "title": "New"}},
    ("POST", "/api/v1/community/series/{series_id:uuid}/close"): {},
    ("POST", "/api/v1/community/occurrences/{occurrence_id:uuid}/cancel"): {"json": {"reason": "snow"}},
    ("POST", "/api/v1/community/occurrences/{occurrence_id:uuid}/move"): {"json": {
        "start": "2030-02-05T14:00:00+00:00", "end": "2030-02-05T15:00:00+00:00"}},
    ("POST", "/api/v1/community/occurrences/{occurrence_id:uuid}/bookings"): {},
    ("PATCH", "/api/v1/bookings/{booking_id:uuid}/attendance"): {"json": {"attended": True}},
    ("PUT", "/api/v1/training/sessions/attendance/{booking_id:uuid}"): {"json": {"attended": True}},
    ("POST", "/api/v1/calendars/mine"): {},
    ("POST", "/api/v1/calendars/organisation"): {},
    ("PATCH", "/api/v1/community/preferences"): {"json": {"newsletter": False}},
    ("POST", "/api/v1/supervision/agreements"): {"json": "AGREEMENT"},
    ("POST", "/api/v1/supervision/agreements/{agreement_id:uuid}/end"): {},
    ("POST", "/api/v1/supervision/agreements/{agreement_id:uuid}/proposals"): {"json": {"months": 2}},
    ("POST", "/api/v1/supervision/agreements/{agreement_id:uuid}/accept"): {"json": {}},
    ("POST", "/api/v1/supervision/groups"): {"json": "GROUP"},
    ("POST", "/api/v1/supervision/sessions/{session_id:uuid}/move"): {"json": {
        "start": "2030-02-05T14:00:00+00:00", "end": "2030-02-05T15:00:00+00:00"}},
    ("POST", "/api/v1/supervision/sessions/{session_id:uuid}/cancel"): {"json": {"by": "peer_lead"}},
    ("POST", "/api/v1/supervision/sessions/{session_id:uuid}/outcome"): {"json": {"status": "held"}},
    ("PUT", "/api/v1/supervision/sessions/{session_id:uuid}/notes"): {"json": {"notes": "n"}},
    ("POST", "/api/v1/supervision/sessions/{session_id:uuid}/notes/comment"): {"json": {"comment": "c"}},
    ("POST", "/api/v1/supervision/cover"): {"json": "COVER"},
    ("PUT", "/api/v1/supervision/policy"): {"json": {"role": "psw", "kind": "one_to_one", "every_days": 21}},
    ("POST", "/api/v1/cpd/courses"): {"json": {"title": "Induction", "hours": "6", "kind": "induction",
                                               "mandatory_for": ["psw"], "renewal_months": 12}},
    ("PATCH", "/api/v1/cpd/courses/{course_id:uuid}"): {"json": {"title": "Renamed"}},
    ("POST", "/api/v1/cpd/records"): {"json": {"activity": "Reading", "done_on": "2024-01-01", "hours": "1.5"}},
    ("POST", "/api/v1/cpd/records/{record_id:uuid}/verify"): {},
    ("POST", "/api/v1/cpd/records/{record_id:uuid}/evidence"): {"files": {"data": ("e.pdf", b"%PDF-1.4 x", "application/pdf")}},
    ("PUT", "/api/v1/cpd/policy"): {"json": {"induction_within_days": 14}},
    ("PUT", "/api/v1/cpd/line-managers"): {"json": "LINE_MANAGER"},
    ("POST", "/api/v1/cpd/acknowledgements"): {"json": {}},
    ("POST", "/api/v1/pairing/pairs"): {"json": "PAIR"},
    ("POST", "/api/v1/pairing/pairs/{pair_id:uuid}/end"): {},
    ("PUT", "/api/v1/pairing/profile"): {"json": {"interests": ["art"]}},
    ("PUT", "/api/v1/recruitment/values"): {"json": {"values": ["Hope", "Safety"]}},
    ("POST", "/api/v1/recruitment/vacancies"): {"json": {"title": "Peer Support Worker", "closing_date": "2030-01-01"}},
    ("PATCH", "/api/v1/recruitment/vacancies/{vacancy_id:uuid}"): {"json": {"title": "Renamed"}},
    ("POST", "/api/v1/recruitment/vacancies/{vacancy_id:uuid}/status"): {"json": {"status": "closed"}},
    ("POST", "/api/v1/recruitment/vacancies/{vacancy_id:uuid}/panel"): {"json": "PANEL"},
    ("POST", "/api/v1/recruitment/vacancies/{vacancy_id:uuid}/conflicts"): {"json": {"conflicts": ""}},
    ("POST", "/api/v1/recruitment/vacancies/{vacancy_id:uuid}/days"): {"json": {
        "day": "2030-01-01", "slots": [{"start": "10:00:00", "end": "11:00:00"}]}},
    ("PUT", "/api/v1/recruitment/applications/{application_id:uuid}/scores"): {"json": {
        "scores": [{"value": "Hope", "score": 3}]}},
    ("POST", "/api/v1/recruitment/applications/{application_id:uuid}/decision"): {"json": {"decision": "shortlist"}},
    ("POST", "/api/v1/recruitment/applications/{application_id:uuid}/hire"): {"json": {"start_date": "2030-01-01"}},
    ("POST", "/api/v1/recruitment/rounds/import"): {"files": {"data": ("rounds.csv", (
        b"reference,title,year,posts,applications\nR2018,Peer Support Worker,2018,6,217\n"), "text/csv")}},
    ("POST", "/api/v1/networks"): {"json": {"slug": "a-new-network", "name": "A new network"}},
    ("POST", "/api/v1/networks/{network_slug:str}/invitations"): {"json": {"organisation": "south"}},
    ("POST", "/api/v1/networks/{network_slug:str}/invitations/{network_invitation_id:uuid}/accept"): {},
    ("POST", "/api/v1/networks/{network_slug:str}/invitations/{network_invitation_id:uuid}/decline"): {},
    ("POST", "/api/v1/networks/{network_slug:str}/invitations/{network_invitation_id:uuid}/withdraw"): {},
    ("POST", "/api/v1/networks/{network_slug:str}/members/{organisation_slug:str}/remove"): {},
    ("POST", "/api/v1/networks/{network_slug:str}/leave"): {},
    ("POST", "/api/v1/networks/{network_slug:str}/leads"): {"json": {"email": "psw@south.example",
                                                                     "organisation": "south"}},
    ("POST", "/api/v1/networks/{network_slug:str}/leads/{lead_id:uuid}/revoke"): {},
    ("PUT", "/api/v1/networks/{network_slug:str}/references/{reference_key:str}"): {"json": {
        "value": 0.5, "source": "A survey"}},
    ("POST", "/api/v1/training/trainers"): {"json": "TRAINER"},
    ("POST", "/api/v1/training/runs"): {"json": "RUN"},
    ("POST", "/api/v1/training/runs/{run_id:uuid}/cancel"): {},
    ("POST", "/api/v1/training/runs/{run_id:uuid}/places"): {},
    ("POST", "/api/v1/training/runs/{run_id:uuid}/places/cancel"): {},
    ("POST", "/api/v1/training/runs/{run_id:uuid}/places/for"): {"json": "PLACE_FOR"},
    ("POST", "/api/v1/training/requests/{request_id:uuid}/decline"): {},
    ("POST", "/api/v1/training/requests/{request_id:uuid}/approve"): {},
    ("POST", "/api/v1/training/requests/{request_id:uuid}/refuse"): {},
    ("POST", "/api/v1/evaluation/questionnaires"): {"json": {"title": "Before and after", "items": [
        {"kind": "likert", "text": "I feel confident", "value": "Mutuality"}]}},
    ("PUT", "/api/v1/evaluation/questionnaires/{questionnaire_id:uuid}"): {"json": {"items": [
        {"kind": "text", "text": "Anything else?"}]}},
    ("PUT", "/api/v1/evaluation/courses/{course_id:uuid}/questionnaire"): {"json": "EVALUATION"},
    ("POST", "/api/v1/evaluation/courses/{course_id:uuid}/send"): {"json": {
        "moment": "before", "account_ids": ["00000000-0000-0000-0000-000000000001"], "due_by": "2030-01-01"}},
    ("POST", "/api/v1/evaluation/feedback"): {"json": "FEEDBACK"},
    ("PUT", "/api/v1/wellbeing/plan"): {"json": {"what_helps": "A walk"}},
    ("PUT", "/api/v1/wellbeing/passport"): {"json": {"adjustments": "A later start"}},
    ("POST", "/api/v1/wellbeing/documents/{document_id:uuid}/shares"): {"json": {"email": "psw@north.example"}},
    ("POST", "/api/v1/wellbeing/check-ins"): {"json": {"need": "rest"}},
    **COPRODUCTION_SAMPLES,
    ("POST", "/api/v1/debrief/requests"): {"json": {"reason": "difficult_shift"}},
    ("POST", "/api/v1/debrief/requests/{debrief_id:uuid}/accept"): {"json": {}},
    ("POST", "/api/v1/debrief/requests/{debrief_id:uuid}/cancel"): {},
    ("POST", "/api/v1/debrief/rota"): {"json": "ROTA"},
}


def test_every_api_route_declares_a_known_right():
    undeclared = [f"{m} {p}" for m, p, opt in ROUTES if opt.get("right") not in {*RIGHTS, "self"}]
    assert undeclared == [], "declare opt={'right': ...} on these routes"
    assert len(ROUTES) >= 20


def test_every_writing_route_has_a_sample_request_here():
    missing = [f"{m} {p}" for m, p, _ in ROUTES if m in {"POST", "PATCH", "PUT"} and (m, p) not in SAMPLE_BODIES]
    assert missing == [], "add a SAMPLE_BODIES entry for these routes"


async def _pair(organisation_id, new, experienced):
    pair = Pair(organisation=organisation_id, new_peer=new.principal.account_id,
                experienced_peer=experienced.principal.account_id, start_date=date.today())
    await pair.save()
    return pair.id


async def _recruitment(north, lead, panel_member) -> dict:
    """An open vacancy with a panel and one application (made through the public service)."""
    from peerwork.recruitment import applications, lifecycle, vacancies
    from peerwork.recruitment.schemas import PanelMemberIn, VacancyIn

    vacancy = await vacancies.create_vacancy(lead.principal, VacancyIn(
        title="North PSW", closing_date=date.today() + timedelta(days=7), values=["Hope"]))
    await vacancies.add_panel_member(lead.principal, vacancy.id, PanelMemberIn(
        account_id=panel_member.principal.account_id, lived_experience=True))
    await lifecycle.set_status(lead.principal, vacancy.id, "open")
    sent = await applications.submit(north.slug, vacancy.id, applications.ApplicationForm(
        name="North Applicant", email="applicant@north.example", answers={"Hope": "yes"}), client="203.0.113.9")
    from peerwork.recruitment.history import import_rounds

    await import_rounds(north.id, b"reference,title,year,posts,applications\nNORTH-1,North PSW,2018,6,217\n")
    return {"vacancy_id": vacancy.id, "application_id": sent.application_id}


async def _network(north_admin, psw) -> dict:
    """A network north hosts, with a lead and a pending invitation to a third organisation."""
    from peerwork.networks import service as networks
    from peerwork.networks.tables import NetworkInvitation, NetworkLead

    admin = north_admin.principal
    await networks.create_network(admin, "riverside", "Riverside network")
    await networks.invite(admin, "riverside", (await make_org("west")).slug)
    await networks.grant_lead(admin, "riverside", psw.email, "north")
    return {"network_slug": "riverside", "organisation_slug": "west", "reference_key": "survey:role_training",
            "network_invitation_id": (await NetworkInvitation.select(NetworkInvitation.id).first())["id"],
            "lead_id": (await NetworkLead.select(NetworkLead.id).first())["id"]}


async def _training(north, lead, psw) -> dict:
    run = await make_run(lead, await make_course(north, "Trainers' course"))
    request = await places.book_other(lead.principal, run.id, psw.principal.account_id)
    return {"run_id": run.id, "request_id": request.id}


async def _debrief(lead, psw) -> dict:
    from peerwork.debrief import asking, rota
    from peerwork.debrief.schemas import RequestIn, RotaIn

    entry = await rota.add(lead.principal, RotaIn(day=rota.today(), account_id=lead.principal.account_id))
    asked = await asking.ask(psw.principal, RequestIn(reason="incident", note="North only"))
    return {"debrief_id": asked.id, "rota_id": entry.id}


@pytest.fixture
async def world():
    """North owns one of everything; south is the caller from another organisation."""
    north, south = await make_org("north"), await make_org("south")
    north_admin = await make_user(north, "admin")
    await import_assignments(north.id, csv_text("N1,EN1,Peer Support Worker,Y,4,Willow Ward,2022-01-01,,,").encode())
    person = await Person.select(Person.id).where(Person.organisation == north.id).first()
    team = await Team.select(Team.id).where(Team.organisation == north.id).first()
    assignment = await Assignment.select(Assignment.id).where(Assignment.organisation == north.id).first()
    token = await accounts.issue_api_token(north_admin.principal.account_id, north.id, "north's")
    lead, psw = await make_user(north, "peer_lead"), await make_user(north, "psw")
    created = await series.create_series(lead.principal, SeriesIn(
        kind="co_reflection", title="North only", rrule="FREQ=MONTHLY;BYDAY=1TU", start_date=date.today() + timedelta(days=30),
        start_time=time(13), end_time=time(14), capacity=5))
    occurrence_id = (await bookings.upcoming(psw.principal, days=3650))[0].id
    booking = await bookings.book(psw.principal, occurrence_id)
    supervisor = await make_user(north, "supervisor")
    agreement = await agreements.create_agreement(lead.principal, AgreementIn(
        supervisor_id=supervisor.principal.account_id, supervisee_id=psw.principal.account_id,
        start_date=date.today() + timedelta(days=1)))
    proposed = await sessions.propose_sessions(lead.principal, agreement.id, 2)
    group = await agreements.create_group(lead.principal, GroupIn(name="North group",
                                                                  facilitator_ids=[supervisor.principal.account_id]))
    ids = {
        "team_id": team["id"], "person_id": person["id"], "assignment_id": assignment["id"],
        "account_id": north_admin.principal.account_id, "token_id": token.id, "series_id": created.id,
        "occurrence_id": occurrence_id, "booking_id": booking.id, "agreement_id": agreement.id,
        "session_id": proposed[0].id, "group_id": group.id,
        "course_id": (await cpd.create_course(north_admin.principal, CourseIn(title="Induction", hours=Decimal(6)))).id,
        "record_id": (await cpd.record_cpd(psw.principal, RecordIn(activity="Reading", done_on=date(2024, 1, 1),
                                                                   hours=Decimal(1)))).id,
        "pair_id": await _pair(north.id, psw, lead),
        "invitation_id": (await invitations.invite(north_admin.principal, email="north.invited@example.org",
                                                   role="psw")).id,
        **await _recruitment(north, lead, supervisor),
        **await _network(north_admin, psw),
        **await _training(north, lead, psw),
        **await coproduction_ids(north, north_admin),
        **await _debrief(lead, psw),
        "questionnaire_id": (await questionnaires.create_questionnaire(lead.principal, QuestionnaireIn(
            title="North only", items=[ItemIn(kind="likert", text="I feel confident")]))).id,
        "document_id": (await wellbeing_documents.save(psw.principal, "plan", PlanIn(what_helps="North only"))).id,
    }
    return {"north": north, "ids": ids, "south_all": await make_all_roles_user(south), "north_person": person["id"]}


def fill(path: str, ids: dict) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        assert name in ids, f"no test record for path parameter {name!r}: add one to the world fixture"
        return str(ids[name])

    return re.sub(r"\{(\w+):\w+\}", value, path)


def request_kwargs(method: str, path: str, person_id, account_id=None, questionnaire_id=None) -> dict:
    """A valid body for the route; ids in it point at ``person_id``/``account_id`` records."""
    sample = SAMPLE_BODIES.get((method, path), {})
    account = str(account_id or uuid.uuid4())
    bodies = {
        "ASSIGNMENT": {"person_id": str(person_id), "assignment_number": "X1", "position_title": "PSW",
                       "lived_experience_role": True, "start_date": "2024-01-01"},
        "AGREEMENT": {"supervisor_id": account, "supervisee_id": str(uuid.uuid4()), "start_date": "2030-01-01"},
        "GROUP": {"name": "Tuesday group", "facilitator_ids": [account]},
        "COVER": {"away_id": account, "cover_id": str(uuid.uuid4()), "start_date": "2030-01-01", "end_date": "2030-01-31"},
        "LINE_MANAGER": {"account_id": account, "manager_id": str(uuid.uuid4())},
        "PAIR": {"new_peer_id": account, "experienced_peer_id": str(uuid.uuid4())},
        "PANEL": {"account_id": account},
        "TRAINER": {"account_id": account, "accredited_on": "2024-01-01"},
        "RUN": {"course_id": account, "start_date": "2030-01-01", "start_time": "10:00:00", "end_time": "12:00:00",
                "capacity": 10, "location": "Room 1"},
        "PLACE_FOR": {"account_id": account},
        "EVALUATION": {"questionnaire_id": str(questionnaire_id or uuid.uuid4())},
        "FEEDBACK": {"questionnaire_id": str(questionnaire_id or uuid.uuid4()), "context": "supervision",
                     "answers": [{"item": "x", "score": 3}]},
        "ROTA": {"day": date.today().isoformat(), "account_id": account},
    }
    if isinstance(sample.get("json"), str):
        return {"json": bodies[sample["json"]]}
    return dict(sample)


# Ids that exist nowhere: 401 and 403 are decided before any record is looked up.
ANY_IDS = {name: uuid.uuid4() for name in (
    "team_id", "person_id", "assignment_id", "account_id", "token_id", "series_id", "occurrence_id", "booking_id",
    "agreement_id", "session_id", "group_id", "course_id", "record_id", "pair_id", "vacancy_id", "application_id", "invitation_id",
    "network_slug", "network_invitation_id", "organisation_slug", "lead_id", "reference_key",
    "run_id", "request_id", "activity_id", "line_id", "participant_id",
    "network_slug", "network_invitation_id", "organisation_slug", "lead_id", "reference_key", "questionnaire_id",
    "document_id",
    "debrief_id", "rota_id",
)}


@pytest.fixture
async def callers():
    """One user per role in the caller's organisation."""
    south = await make_org("south")
    return {role: await make_user(south, role) for role in ROLES}


@pytest.mark.parametrize(("method", "path", "opt"), ROUTES, ids=ROUTE_IDS)
async def test_without_valid_credentials_every_route_is_401(client, method, path, opt):
    url = fill(path, ANY_IDS)
    revoked = await make_user(await make_org("north"), "admin", email="revoked@north.example")
    await accounts.revoke_api_token(revoked.principal, (await accounts.list_api_tokens(revoked.principal))[0]["id"])
    for headers in ({}, {"Authorization": "Bearer pw_madeup"}, {"Authorization": "Basic abc"}, revoked.headers):
        response = await client.request(method, url, headers=headers, **request_kwargs(method, path, uuid.uuid4()))
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(("method", "path", "opt"), ROUTES, ids=ROUTE_IDS)
async def test_a_role_without_the_right_gets_403_and_with_it_does_not(client, callers, method, path, opt):
    right = opt["right"]
    for role, user in callers.items():
        response = await client.request(method, fill(path, ANY_IDS), headers=user.headers,
                                         **request_kwargs(method, path, uuid.uuid4()))
        allowed = right == "self" or role in RIGHTS[right]
        if allowed:
            assert response.status_code not in (401, 403, 500), (role, response.status_code, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert response.json()["detail"].startswith("Your role does not allow this")


@pytest.mark.parametrize(
    ("method", "path", "opt"), [r for r in ROUTES if "{" in r[1]], ids=[i for i in ROUTE_IDS if "{" in i]
)
async def test_another_organisations_records_are_404_even_with_every_role(client, world, method, path, opt):
    response = await client.request(method, fill(path, world["ids"]), headers=world["south_all"].headers,
                                    **request_kwargs(method, path, world["north_person"],
                                                     questionnaire_id=world["ids"]["questionnaire_id"]))
    assert response.status_code == 404, response.text
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not found"
    assert "north" not in response.text.lower() and "EN1" not in response.text


async def test_lists_only_ever_show_the_callers_organisation(client, world):
    south_all = world["south_all"]
    for path in ("/api/v1/people", "/api/v1/teams", "/api/v1/assignments", "/api/v1/accounts", "/api/v1/tokens", "/api/v1/audit",
                 "/api/v1/recruitment/vacancies", "/api/v1/recruitment/funnel", "/api/v1/recruitment/rounds",
                 "/api/v1/recruitment/funnel/equality", "/api/v1/evaluation/questionnaires"):
        response = await client.get(path, headers=south_all.headers)
        assert response.status_code == 200, path
        text = response.text
        assert "EN1" not in text and "Willow" not in text and "north" not in text.lower(), path


async def test_an_import_cannot_touch_another_organisations_records(client, world):
    # The same assignment number in south's file creates south's own record, never north's.
    files = {"data": ("a.csv", csv_text("N1,EN1,Hijack,Y,4,,2022-01-01,,,").encode(), "text/csv")}
    response = await client.post("/api/v1/imports/assignments", files=files, headers=world["south_all"].headers)
    assert response.status_code == 200 and response.json()["created"] == 1
    north_row = await Assignment.select(Assignment.position_title).where(
        Assignment.organisation == world["north"].id
    ).first()
    assert north_row["position_title"] == "Peer Support Worker"
