"""The seven supports page, and retention by the supports people received."""

from __future__ import annotations

from datetime import date

from peerwork.supports import service as supports

from litestar import Request, Response, get
from litestar.response import Template
from peerwork.core.errors import InvalidInput, NotFound
from peerwork.core.privacy import SMALL_NUMBER
from peerwork.web.shell import render, signed_in_principal


@get("/supports", include_in_schema=False)
async def supports_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    if principal.can("supports:people"):
        figures, missing = await supports.overview(principal)
    else:
        figures, missing = await supports.figures(principal), None
    return render(request, "supports.html", title="The seven supports", figures=figures, missing=missing,
                  labels=supports.SUPPORTS)


def _as_of(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("as_of: use a date like 2025-03-31") from None


@get("/supports/retention", include_in_schema=False)
async def supports_retention_page(request: Request, as_of: str | None = None) -> Template:
    from peerwork.supports.retention import CAVEAT, retention_by_support

    result = await retention_by_support(signed_in_principal(request), _as_of(as_of))
    return render(request, "supports_retention.html", title="Retention by supports received", result=result,
                  caveat=CAVEAT, small_number=SMALL_NUMBER)


@get("/supports/retention/chart.svg", include_in_schema=False)
async def supports_retention_chart(request: Request, support: str = "pairing", as_of: str | None = None
                                   ) -> Response[bytes]:
    """One support's curves (``support``: pairing, one_to_one_on_time or group_supervision)."""
    from peerwork.retention.split_chart import render_split_chart
    from peerwork.supports.retention import retention_by_support

    principal = signed_in_principal(request)
    result = await retention_by_support(principal, _as_of(as_of))
    chosen = next((s for s in result.splits if s.key == support), None)
    if chosen is None:
        raise NotFound("No such support.")
    body = render_split_chart(chosen, title=f"{chosen.label}: retention of those in post at six months, "
                                            f"as of {result.as_of:%-d %B %Y}")
    # The page's <img> ignores the header; the download link gets a named file.
    name = f"retention-by-{chosen.key}-{principal.organisation_slug}-{result.as_of.isoformat()}.svg"
    return Response(body, media_type="image/svg+xml", headers={"Content-Disposition": f'attachment; filename="{name}"'})


PAGES = [supports_page, supports_retention_page, supports_retention_chart]
