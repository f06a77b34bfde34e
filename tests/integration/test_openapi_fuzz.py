"""Schemathesis over the whole OpenAPI document, as an admin and as a peer support worker:
no operation answers a 5xx, and answers match their documented schemas.

Hypothesis generates the cases (deterministically, a few per operation); they are sent with
the suite's in-loop HTTP client, because the database pool lives in the test event loop."""

from __future__ import annotations

import json
from collections import Counter

import schemathesis
from hypothesis.errors import Unsatisfiable
from hypothesis import HealthCheck, Phase, given, settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.factories import make_org, make_user

EXAMPLES_PER_OPERATION = 4
BASE_URL = "http://testserver.local"
# Schemathesis' requests-style keyword arguments that httpx also takes.
HTTPX_KWARGS = {"method", "url", "headers", "params", "json", "data", "files", "content"}


def examples(strategy) -> list:
    """A few values from ``strategy``, the same on every run."""
    drawn: list = []

    @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
                         suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(strategy)
    def collect(value) -> None:
        drawn.append(value)

    try:
        collect()
    except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
        pass
    return drawn


def httpx_kwargs(kwargs: dict) -> None:
    """Schemathesis serialises for ``requests``; httpx wants raw bodies as ``content`` and
    multipart parts as text or bytes."""
    if kwargs.get("files"):
        kwargs["files"] = [(name, (filename, value if isinstance(value, (str, bytes)) else json.dumps(value), *rest))
                           for name, (filename, value, *rest) in kwargs["files"]]
        if isinstance(kwargs.get("data"), (str, bytes)):
            kwargs.pop("data")
    elif "data" in kwargs and not isinstance(kwargs["data"], dict):
        kwargs["content"] = kwargs.pop("data")
    for key in [k for k in kwargs if k not in HTTPX_KWARGS or kwargs[k] is None]:
        kwargs.pop(key)


def generated_cases(schema) -> list:
    """Valid and invalid requests (wrong types, out-of-range numbers, odd strings) for every operation."""
    return [case for result in schema.get_all_operations() for mode in GenerationMode
            for case in examples(result.ok().as_strategy(generation_mode=mode))]


async def test_no_operation_answers_a_server_error(client):
    org = await make_org()
    callers = {"admin": await make_user(org, "admin"), "psw": await make_user(org, "psw")}
    document = (await client.get("/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    cases = generated_cases(schema)
    assert len({(c.method, c.path) for c in cases}) == sum(1 for _ in schema.get_all_operations())  # all covered
    for role, caller in callers.items():
        for case in cases:
            kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=caller.headers)
            httpx_kwargs(kwargs)
            request = client.build_request(**kwargs)
            await request.aread()  # so the check can show the body it sent
            response = await client.send(request)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            except AssertionError as failure:
                failures.append(f"{role} {case.method} {case.path} -> {response.status_code}: "
                                f"{str(failure).splitlines()[0:3]}\n  {case.as_curl_command(base_url=BASE_URL)}")
    print(sorted(statuses.items()))
    # The callers' tokens were used (negative cases also send broken ones): many answers succeed.
    assert statuses[401] < sum(statuses.values()) / 3 and sum(n for s, n in statuses.items() if s < 300) > 100
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])
