"""The public application form: CSRF, validation, size and rate limits, escaping, the private link."""

from __future__ import annotations

import re

import httpx
import pytest

from peerwork.recruitment.tables import Application, ApplyAttempt, EqualityResponse
from peerwork.core.settings import current_settings
from peerwork.core import accounts
from peerwork.core.tables import OutboxMessage
from tests.factories import PASSWORD
from tests.integration.recruitment.helpers import VALUES, make_round
from tests.integration.workforce.test_auth import sign_in


def client_from(app, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local")


async def csrf(client: httpx.AsyncClient, url: str) -> str:
    page = await client.get(url)
    assert page.status_code == 200, page.text
    return re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)


def form(name="Sam Seeker", **extra) -> dict:
    data = {"name": name, "email": "sam@applicant.example", "phone": "+44 7700 900000",
            "answer_0": "We learn from each other.", "answer_1": "Recovery is possible.", "statement": "My story.",
            "adjustments": "", "eq_disability": "Yes"}
    data.update(extra)
    return data


async def test_an_applicant_applies_without_an_account_and_gets_a_private_link(app):
    r = await make_round()
    url = f"/jobs/north/{r.vacancy_id}"
    async with client_from(app, "192.0.2.10") as c:
        listing = await c.get("/jobs/north")
        assert "Peer Support Worker" in listing.text
        token = await csrf(c, url)
        without = await c.post(url, data=form())
        assert without.status_code == 403
        done = await c.post(url, data={**form(), "_csrf_token": token})
        assert done.status_code == 201, done.text
        link = re.search(r'href="(http[^"]+/application/([^"]+))"', done.text)
        assert link and len(link.group(2)) >= 43
        status = await c.get(f"/application/{link.group(2)}")
        assert status.status_code == 200 and "Received" in status.text
        assert (await c.get("/application/not-a-real-token")).status_code == 404
    row = await Application.select().where(Application.vacancy == r.vacancy_id).output(load_json=True).first()
    assert row["token_hash"] != link.group(2) and row["answers"] == {VALUES[0]: "We learn from each other.",
                                                                      VALUES[1]: "Recovery is possible."}
    assert await EqualityResponse.count() == 1
    mail = await OutboxMessage.select(OutboxMessage.body_text).where(OutboxMessage.to_address == "sam@applicant.example").first()
    assert link.group(1) in mail["body_text"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "Enter your name."),
    ("email", "not-an-email", "Enter an email address"),
    ("phone", "<call me>", "Enter a phone number"),
    ("answer_1", "", "Tell us about hope."),
    ("answer_0", "x" * 5001, "at most 5000 characters"),
    ("statement", "x" * 5001, "Your statement can be at most 5000"),
    ("eq_religion", "Made up", "Choose one of the answers offered."),
])
async def test_a_bad_field_is_refused_with_its_message_and_nothing_is_saved(app, field, value, message):
    r = await make_round()
    url = f"/jobs/north/{r.vacancy_id}"
    async with client_from(app, "192.0.2.11") as c:
        token = await csrf(c, url)
        response = await c.post(url, data={**form(), field: value, "_csrf_token": token})
    assert response.status_code == 422
    assert message in response.text and f'href="#{field}"' in response.text
    assert await Application.count() == 0


async def test_an_oversized_submission_is_refused(app):
    r = await make_round()
    url = f"/jobs/north/{r.vacancy_id}"
    async with client_from(app, "192.0.2.12") as c:
        token = await csrf(c, url)
        response = await c.post(url, data={**form(), "answer_0": "x" * 200_000, "_csrf_token": token})
    assert response.status_code == 413
    assert await Application.count() == 0


async def test_the_rate_limit_holds_per_client(app):
    r = await make_round()
    url = f"/jobs/north/{r.vacancy_id}"
    limit = current_settings().apply_limit_per_hour
    async with client_from(app, "198.51.100.1") as busy, client_from(app, "198.51.100.2") as other:
        token = await csrf(busy, url)
        for i in range(limit):
            ok = await busy.post(url, data={**form(name=f"Person {i}"), "_csrf_token": token})
            assert ok.status_code == 201
        refused = await busy.post(url, data={**form(name="One more"), "_csrf_token": token})
        assert refused.status_code == 429 and "Too many applications" in refused.text
        other_token = await csrf(other, url)
        assert (await other.post(url, data={**form(), "_csrf_token": other_token})).status_code == 201
    assert await Application.count() == limit + 1
    assert "198.51.100.1" not in str(await ApplyAttempt.select(ApplyAttempt.client_hash))


async def test_applicant_text_is_never_rendered_unescaped(app, client):
    r = await make_round()
    url = f"/jobs/north/{r.vacancy_id}"
    attack = '<script>alert("x")</script>'
    async with client_from(app, "192.0.2.13") as c:
        token = await csrf(c, url)
        await c.post(url, data={**form(name=attack), "answer_0": attack, "statement": attack, "_csrf_token": token})
        # The form echoed back after a validation error is escaped too.
        echoed = await c.post(url, data={**form(), "email": "bad", "answer_1": attack, "_csrf_token": token})
        assert attack not in echoed.text and "&lt;script&gt;" in echoed.text
    application = await Application.select(Application.id).first()
    await accounts.set_password(r.recruiter.principal.account_id, PASSWORD)
    signed = await sign_in(client, r.recruiter.email, PASSWORD)
    assert signed.status_code == 303
    page = await client.get(f"/recruitment/applications/{application['id']}")
    assert page.status_code == 200 and "Alex" not in page.text
    assert attack not in page.text and page.text.count("&lt;script&gt;") >= 3


async def test_the_rate_limit_holds_when_one_clients_submissions_arrive_at_once():
    import asyncio

    from peerwork.core.errors import TooManyAttempts
    from peerwork.recruitment.applications import note_attempt

    limit = current_settings().apply_limit_per_hour
    outcomes = await asyncio.gather(*(note_attempt("203.0.113.77") for _ in range(limit + 10)),
                                    return_exceptions=True)
    assert sum(o is None for o in outcomes) == limit
    assert all(isinstance(o, TooManyAttempts) for o in outcomes if o is not None)


async def test_a_burst_of_whole_submissions_from_one_client_saves_exactly_the_limit_and_nothing_half():
    import asyncio

    from peerwork.core.errors import TooManyAttempts
    from peerwork.core.tables import AuditLog
    from tests.integration.recruitment.helpers import apply

    r = await make_round()
    limit = current_settings().apply_limit_per_hour
    outcomes = await asyncio.gather(
        *(apply(r, f"Burst {i:02d}", client="203.0.113.90", equality={"age": "25-34"}) for i in range(limit + 5)),
        return_exceptions=True)
    saved = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(saved) == limit
    assert all(isinstance(o, TooManyAttempts) for o in outcomes if isinstance(o, BaseException))
    ids = {s.application_id for s in saved}
    rows = await Application.select(Application.id, Application.reference, Application.token_hash)
    assert {row["id"] for row in rows} == ids and len(rows) == limit
    # Each saved application has its equality answers (apart), one audit entry and one email with its link.
    assert {row["application"] for row in await EqualityResponse.select(EqualityResponse.application)} == ids
    audited = await AuditLog.select(AuditLog.record_id, AuditLog.detail).where(
        AuditLog.table_name == "application").output(load_json=True)
    assert sorted(a["record_id"] for a in audited) == sorted(str(i) for i in ids)
    assert all(a["detail"] == {"via": "public"} for a in audited)
    mail = await OutboxMessage.select(OutboxMessage.body_text)
    assert len(mail) == limit
    assert all(any(s.token in m["body_text"] and s.reference in m["body_text"] for m in mail) for s in saved)
    assert await ApplyAttempt.count() == limit


async def test_a_name_with_a_line_break_is_asked_again_and_nothing_is_saved_or_emailed(app):
    r = await make_round()
    url = f"/jobs/north/{r.vacancy_id}"
    async with client_from(app, "192.0.2.31") as c:
        token = await csrf(c, url)
        refused = await c.post(url, data={**form(name="Sam\r\nBcc: everyone@example.org"), "_csrf_token": token})
    assert refused.status_code == 422 and "Enter your name on one line." in refused.text
    assert await Application.count() == 0 and await OutboxMessage.count() == 0
    assert await ApplyAttempt.count() == 1  # an invalid submission still counts against the limit
