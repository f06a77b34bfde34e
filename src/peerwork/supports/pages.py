"""The seven supports page."""

from __future__ import annotations

from peerwork.supports import service as supports

from litestar import Request, get
from litestar.response import Template
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


PAGES = [supports_page]
