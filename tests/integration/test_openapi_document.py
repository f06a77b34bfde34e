"""The OpenAPI document describes what is served: problem+json errors, real media types for
files and feeds, and times of day as served ("10:00:00")."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


@pytest.fixture
async def schema(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield method, path, operation


async def test_every_error_answer_is_documented_as_problem_json(schema):
    assert "Problem" in schema["components"]["schemas"]
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response.get("content", {})) == [PROBLEM], (method, path, status)
        if path.startswith("/api/"):
            assert {"400", "401", "403", "404"} <= set(operation["responses"]), (method, path)


async def test_the_file_and_feed_problems_are_documented(schema):
    """What schemathesis found served but undocumented: a refused evidence file's 413/415, and
    a calendar feed that does not exist (404)."""
    evidence = schema["paths"]["/api/v1/cpd/records/{record_id}/evidence"]["post"]["responses"]
    assert {"413", "415"} <= set(evidence) and list(evidence["415"]["content"]) == [PROBLEM]
    assert "404" in schema["paths"]["/calendar/{name}"]["get"]["responses"]
    assert "415" not in schema["paths"]["/api/v1/teams"]["post"]["responses"]  # JSON bodies take no file


@pytest.mark.parametrize("method, path, media_types", [
    ("get", "/api/v1/cpd/compliance.csv", {"text/csv"}),
    ("get", "/api/v1/bookings/{booking_id}/invite.ics", {"text/calendar"}),
    ("get", "/calendar/{name}", {"text/calendar"}),
    ("get", "/api/v1/retention/chart.svg", {"image/svg+xml"}),
    ("get", "/api/v1/retention/chart.png", {"image/png"}),
    ("get", "/api/v1/cpd/records/{record_id}/evidence", {"application/pdf", "image/png", "image/jpeg"}),
])
async def test_files_and_feeds_are_documented_with_their_real_media_types(schema, method, path, media_types):
    content = schema["paths"][path][method]["responses"]["200"]["content"]
    assert media_types <= set(content) and "application/json" not in content


async def test_times_of_day_are_documented_as_served(schema):
    """Served as "10:00:00": not a duration, and not ``format: time`` either (RFC 3339's
    full-time needs an offset, so a validating client refused every window_start)."""
    import jsonschema_rs

    text = str(schema).replace("'", '"')
    assert '"duration"' not in text and '"format": "time"' not in text
    supervision = [s for name, s in schema["components"]["schemas"].items() if "window_start" in s.get("properties", {})]
    assert supervision
    for component in supervision:
        for field in ("window_start", "window_end"):
            documented = jsonschema_rs.validator_for(component["properties"][field], validate_formats=True)
            assert documented.is_valid("10:00:00") and documented.is_valid("16:30:00.5")
            assert not documented.is_valid("10:00") and not documented.is_valid("24:00:00")
