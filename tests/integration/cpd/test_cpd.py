"""CPD: catalogue, records, evidence files (type, size, who may open them), verification,
compliance, training from day one, the HR export and expiry reminders."""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from peerwork.core.settings import current_settings, use_settings
from peerwork.cpd.report import compliance, remind_expiring
from peerwork.cpd.tables import CpdRecord
from peerwork.core.tables import OutboxMessage
from tests.development_helpers import did, make_course, make_employee, one_to_one
from tests.factories import make_org, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 20
DOCX = b"PK\x03\x04" + b"\0" * 20


@pytest.fixture
def files_dir(tmp_path):
    before = current_settings()
    use_settings(before.with_overrides(files_dir=str(tmp_path / "files")))
    yield tmp_path / "files"
    use_settings(before)


@pytest.fixture
async def north(files_dir):
    org = await make_org("north")
    people = {
        "psw": await make_user(org, "psw", email="pat@north.example"),
        "other_psw": await make_user(org, "psw", email="other@north.example"),
        "supervisor": await make_user(org, "supervisor", email="sam@north.example"),
        "other_supervisor": await make_user(org, "supervisor", email="sue@north.example"),
        "peer_lead": await make_user(org, "peer_lead"),
        "hr": await make_user(org, "hr"),
        "admin": await make_user(org, "admin"),
    }
    await one_to_one(org, people["supervisor"], people["psw"])
    return {"org": org, **people}


async def record(client, user, **changes):
    body = {"activity": "Trauma-informed practice", "done_on": "2026-01-10", "hours": "3.5",
            "reflection": "What I will do differently"} | changes
    response = await client.post("/api/v1/cpd/records", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def upload(client, user, record_id, name, content):
    return await client.post(f"/api/v1/cpd/records/{record_id}/evidence", headers=user.headers,
                             files={"data": (name, content, "application/octet-stream")})


@pytest.mark.parametrize(("name", "content", "status"), [
    ("certificate.pdf", PDF, 200), ("photo.PNG", PNG, 200), ("scan.jpg", JPEG, 200), ("scan.jpeg", JPEG, 200),
    ("notes.docx", DOCX, 200),
    ("run.exe", b"MZ\x90\x00", 415), ("notes.txt", b"hello", 415), ("fake.pdf", b"<html>not a pdf</html>", 415),
    ("fake.png", PDF, 415), ("noextension", PDF, 415), ("empty.pdf", b"", 422),
])
async def test_evidence_type_is_checked_by_name_and_content(client, north, name, content, status):
    made = await record(client, north["psw"])
    response = await upload(client, north["psw"], made["id"], name, content)
    assert response.status_code == status, response.text
    if status != 200:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"]


async def test_evidence_over_ten_megabytes_is_refused_with_413(client, north):
    made = await record(client, north["psw"])
    response = await upload(client, north["psw"], made["id"], "big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert response.status_code == 413
    assert "limit is 10 MB" in response.json()["detail"]
    assert (await upload(client, north["psw"], made["id"], "ok.pdf", PDF + b"0" * (10 * 1024 * 1024 - len(PDF)))
            ).status_code == 200


async def test_evidence_is_stored_outside_the_web_root_under_a_random_name(client, north, files_dir):
    made = await record(client, north["psw"])
    assert (await upload(client, north["psw"], made["id"], "../../etc/passwd.pdf", PDF)).status_code == 200
    stored = [p for p in files_dir.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == PDF and "passwd" not in stored[0].name
    web_root = Path(__file__).resolve().parents[3] / "src" / "peerwork" / "web"
    assert web_root not in stored[0].resolve().parents
    row = await CpdRecord.select(CpdRecord.evidence_name).first()
    assert row["evidence_name"] == "passwd.pdf"


@pytest.mark.parametrize(("who", "status"), [
    ("psw", 200), ("supervisor", 200), ("admin", 200),
    ("other_psw", 403), ("other_supervisor", 403), ("peer_lead", 403), ("hr", 403), ("south_admin", 404),
])
async def test_evidence_is_served_only_to_the_owner_their_supervisor_and_admins(client, north, who, status):
    made = await record(client, north["psw"])
    assert (await upload(client, north["psw"], made["id"], "certificate.pdf", PDF)).status_code == 200
    caller = north[who] if who in north else await make_user(await make_org("south"), "admin")
    response = await client.get(f"/api/v1/cpd/records/{made['id']}/evidence", headers=caller.headers)
    assert response.status_code == status, response.text
    if status == 200:
        assert response.content == PDF
        assert response.headers["content-type"].startswith("application/pdf")
        assert "attachment" in response.headers["content-disposition"]
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_only_the_owner_adds_evidence_and_sees_their_reflection(client, north):
    made = await record(client, north["psw"])
    assert (await upload(client, north["admin"], made["id"], "x.pdf", PDF)).status_code == 403
    theirs = await client.get("/api/v1/cpd/records/supervisees", headers=north["supervisor"].headers)
    assert [r["id"] for r in theirs.json()] == [made["id"]]
    assert theirs.json()[0]["reflection"] is None
    mine = await client.get("/api/v1/cpd/records", headers=north["psw"].headers)
    assert mine.json()[0]["reflection"] == "What I will do differently"


async def test_a_supervisor_verifies_their_supervisees_cpd_and_no_one_else_can(client, north):
    made = await record(client, north["psw"])
    url = f"/api/v1/cpd/records/{made['id']}/verify"
    assert (await client.post(url, headers=north["other_supervisor"].headers)).status_code == 403
    own = await record(client, north["supervisor"])
    assert (await client.post(f"/api/v1/cpd/records/{own['id']}/verify", headers=north["supervisor"].headers)
            ).status_code == 403
    response = await client.post(url, headers=north["supervisor"].headers)
    assert response.status_code == 200 and response.json()["verified"] is True
    assert response.json()["verified_by"] == "sam"


async def test_bad_records_are_refused_clearly(client, north):
    for body, needle in [({"hours": "-1"}, "hours"), ({"hours": "NaN"}, "hours"),
                         ({"done_on": (date.today() + timedelta(days=3)).isoformat()}, "booked"),
                         ({"course_id": "00000000-0000-0000-0000-000000000001"}, "course")]:
        response = await client.post("/api/v1/cpd/records", headers=north["psw"].headers, json={
            "activity": "A", "done_on": "2026-01-01", "hours": "1"} | body)
        assert response.status_code in (400, 404, 422), (body, response.text)
        assert needle in response.json()["detail"].lower(), response.text


async def test_catalogue_compliance_and_the_hr_export(client, north):
    admin, psw, hr = north["admin"], north["psw"], north["hr"]
    core = await client.post("/api/v1/cpd/courses", headers=admin.headers, json={
        "title": "Peer support core training", "hours": "18", "provider": "Recovery College", "kind": "core",
        "mandatory_for": ["psw"], "renewal_months": 12})
    assert core.status_code == 201, core.text
    safety = await client.post("/api/v1/cpd/courses", headers=admin.headers, json={
        "title": "=Safeguarding", "hours": "3", "mandatory_for": ["psw"], "renewal_months": 36})
    await client.post("/api/v1/cpd/courses", headers=admin.headers, json={
        "title": "Supervision skills for managers", "hours": "6", "kind": "manager", "mandatory_for": ["supervisor"]})
    assert (await client.post("/api/v1/cpd/courses", headers=psw.headers, json={"title": "x", "hours": "1"})
            ).status_code == 403
    # Core done 11 months and 20 days ago: it expires in about 10 days.
    done = date.today() - timedelta(days=355)
    await record(client, psw, course_id=core.json()["id"], done_on=done.isoformat())
    mine = (await client.get("/api/v1/cpd/compliance/mine", headers=psw.headers)).json()
    statuses = {c["title"]: c["status"] for c in mine["courses"]}
    assert statuses == {"Peer support core training": "expiring", "=Safeguarding": "due"}
    assert safety.status_code == 201
    assert (await client.get("/api/v1/cpd/compliance.csv", headers=psw.headers)).status_code == 403
    response = await client.get("/api/v1/cpd/compliance.csv", headers=hr.headers)
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    pat = [r for r in rows if r["name"] == "pat"]
    assert {(r["course"], r["status"]) for r in pat} == {("Peer support core training", "expiring"),
                                                         ("'=Safeguarding", "due")}
    assert [r for r in rows if r["name"] == "sam"][0]["course"] == "Supervision skills for managers"
    assert {r["name"] for r in rows} >= {"pat", "other", "sam", "sue", "peer_lead", "hr", "admin"}


async def test_training_from_day_one_flags_a_new_starter_until_induction_is_booked(north):
    org = north["org"]
    induction = await make_course(org, "Induction", kind="induction", roles="psw")
    new = await make_employee(org, "Nia", started=date.today() - timedelta(days=3))
    old = await make_employee(org, "Olu", started=date.today() - timedelta(days=800))
    flagged = {p.name: p.induction_late for p in await compliance(org.id, date.today())}
    assert flagged["Nia"] is True and flagged["Olu"] is False
    await did(org, new, date.today() + timedelta(days=5), induction, status="booked")
    flagged = {p.name: p.induction_late for p in await compliance(org.id, date.today())}
    assert flagged["Nia"] is False
    mine = [p for p in await compliance(org.id, date.today(), new.principal.account_id)][0]
    assert [c.status for c in mine.courses] == ["booked"]
    assert old.principal.account_id != new.principal.account_id


async def test_reminders_go_before_expiry_once(north):
    org = north["org"]
    core = await make_course(org, "Core", kind="core", roles="psw", renewal_months=12)
    today = date(2026, 6, 1)
    # Expires 30 days after today: done 12 months before that.
    await did(org, north["psw"], date(2025, 7, 1), core)
    assert await remind_expiring(org.id, today) == 1
    assert await remind_expiring(org.id, today) == 0
    message = await OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.subject).first()
    assert message["to_address"] == "pat@north.example" and "1 July 2026" in message["subject"]
    assert await remind_expiring(org.id, today + timedelta(days=1)) == 0
    assert await remind_expiring(org.id, date(2026, 6, 24)) == 1  # a week before
