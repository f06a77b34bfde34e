"""The floor for cold start: the smallest Litestar app, one route, served by uvicorn as peerwork is."""

from litestar import Litestar, get


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar([health])
