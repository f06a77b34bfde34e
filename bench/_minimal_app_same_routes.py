"""A second floor for cold start: a minimal Litestar app with as many routes as peerwork's.

The same paths and methods as peerwork serves (read from ``BENCH_ROUTES``, a JSON list of
``[path, [methods]]`` that bench/cold_start.py writes from peerwork's route table), each one a
trivial handler with no parameters, no dependencies, no middleware. The API's routes sit in one
``/api/v1`` router and the pages at the top, as in peerwork. What this app costs over the
one-route app is what Litestar itself spends registering that many routes; what peerwork costs
over this app is ours.
"""

import json
import os

from litestar import Litestar, Router, route

API = "/api/v1"


def _handler(path: str, methods: list[str], number: int):
    async def handler() -> None:
        return None

    handler.__name__ = handler.__qualname__ = f"handler_{number}"
    return route(path, http_method=methods, status_code=200)(handler)


def _handlers() -> tuple[list, list]:
    api, top = [], []
    with open(os.environ["BENCH_ROUTES"], encoding="utf-8") as file:
        table = json.load(file)
    for number, (path, methods) in enumerate(table):
        if path.startswith(API):
            api.append(_handler(path.removeprefix(API) or "/", methods, number))
        else:
            top.append(_handler(path, methods, number))
    return api, top


_api, _top = _handlers()
app = Litestar([Router(API, route_handlers=_api), *_top])
