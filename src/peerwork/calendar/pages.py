"""The private calendar feed route: a document for calendar apps, reached by its secret URL."""

from __future__ import annotations

import hashlib
from email.utils import format_datetime

from litestar import HttpMethod, Request, Response, route

from peerwork.calendar import feeds
from peerwork.core.errors import NotFound


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or etag in candidates


@route("/calendar/{name:str}", http_method=[HttpMethod.GET, HttpMethod.HEAD], include_in_schema=True,
       media_type="text/calendar", tags=["calendar"], exclude_from_csrf=True)
async def calendar_feed(request: Request, name: str) -> Response[bytes]:
    """A private calendar feed (no sign-in: the secret URL is the key). Conditional GET:
    a matching ``If-None-Match`` gets 304 with no body."""
    providers = request.app.state.calendar_providers  # every capability's, given by the app
    if not name.endswith(".ics"):
        raise NotFound("No such calendar.")
    key, fingerprint, last_modified = await feeds.fingerprint_for_token(name.removesuffix(".ics"), providers)
    etag = '"' + hashlib.sha256(fingerprint.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Last-Modified": format_datetime(last_modified, usegmt=True),
               "Cache-Control": "private, no-cache"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=headers)  # answered without building the feed
    feed = await feeds.render(key, fingerprint, providers)
    body = b"" if request.method == "HEAD" else feed.body
    headers["Content-Length"] = str(len(feed.body))
    return Response(body, media_type="text/calendar", headers=headers)


PAGES = [calendar_feed]
