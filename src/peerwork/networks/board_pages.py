"""The board pack's page (what the caller can produce, with a data date) and its downloads."""

from __future__ import annotations

from datetime import date

from litestar import Request, Response, get
from litestar.response import Template

from peerwork.core.errors import InvalidInput
from peerwork.networks.board_pack import MEDIA_TYPES, export_network_pack_for, export_organisation_pack
from peerwork.networks.service import my_networks
from peerwork.retention.service import attachment
from peerwork.web.shell import render, signed_in_principal


def _as_of(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("as_of: use a date like 2026-03-31") from None


@get("/board-pack", include_in_schema=False)
async def board_pack_page(request: Request) -> Template:
    """The packs the caller can make: their organisation's (HR, admins), and each network's they
    may see (its leads, its members' admins)."""
    principal = signed_in_principal(request)
    own = principal.can("board_pack:read")
    networks = await my_networks(principal) if principal.can("network:read") else []
    if not own and not principal.can("network:read"):
        principal.require("board_pack:read")  # neither: refused, saying which right
    return render(request, "board_pack_page.html", title="Board pack", today=date.today().isoformat(), own=own,
                  networks=networks)


async def _download(request: Request, fmt: str, as_of: str | None) -> Response[bytes]:
    body, name = await export_organisation_pack(signed_in_principal(request), _as_of(as_of), fmt)
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=attachment(name))


@get("/board-pack.pdf", include_in_schema=False)
async def board_pack_pdf(request: Request, as_of: str | None = None) -> Response[bytes]:
    return await _download(request, "pdf", as_of)


@get("/board-pack.html", include_in_schema=False)
async def board_pack_html(request: Request, as_of: str | None = None) -> Response[bytes]:
    return await _download(request, "html", as_of)


async def _network_download(request: Request, network_slug: str, fmt: str, as_of: str | None) -> Response[bytes]:
    body, name = await export_network_pack_for(signed_in_principal(request), network_slug, _as_of(as_of), fmt)
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=attachment(name))


@get("/networks/{network_slug:str}/board-pack.pdf", include_in_schema=False)
async def network_board_pack_pdf(request: Request, network_slug: str, as_of: str | None = None) -> Response[bytes]:
    return await _network_download(request, network_slug, "pdf", as_of)


@get("/networks/{network_slug:str}/board-pack.html", include_in_schema=False)
async def network_board_pack_html(request: Request, network_slug: str, as_of: str | None = None) -> Response[bytes]:
    return await _network_download(request, network_slug, "html", as_of)


PAGES = [board_pack_page, board_pack_pdf, board_pack_html, network_board_pack_pdf, network_board_pack_html]
