"""Network pages: the networks a person may see, one network (members, shared spaces, pooled
and per-member figures beside the reference figures; its admins invite, remove, grant leads
and edit references there), and what an organisation shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Redirect, Template

from peerwork.core.access import Principal
from peerwork.core.errors import DomainError, InvalidInput
from peerwork.networks import service
from peerwork.networks.board_pages import PAGES as BOARD_PACK_PAGES
from peerwork.networks.references import DEFAULTS
from peerwork.supports.service import SUPPORTS
from peerwork.web.feedback import Confirmation, ask, confirmed, notice_for, redirect_with_notice
from peerwork.web.shell import render, signed_in_principal

NOTICES = {
    "created": "The network was created; your organisation hosts it.",
    "invited": "The organisation was invited. Its admins accept or decline on their networks page.",
    "accepted": "Your organisation joined the network.",
    "declined": "The invitation was declined.",
    "withdrawn": "The invitation was withdrawn.",
    "removed": "The organisation was removed from the network.",
    "left": "Your organisation left the network.",
    "granted": "They are now a lead of this network.",
    "revoked": "They are no longer a lead of this network.",
    "reference": "The reference figure was saved.",
}
SURVEY_KEY = {key.split(":", 1)[1]: key for key, *_ in DEFAULTS if key.startswith("survey:")}


def _as_of(request: Request) -> date | None:
    raw = request.query_params.get("as_of") or ""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise InvalidInput("As of: give a date as YYYY-MM-DD.") from None


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


@get("/networks", include_in_schema=False)
async def networks_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    return await _list_page(request, principal)


async def _list_page(request: Request, principal: Principal, status_code: int = 200, error: str | None = None,
                     form: dict[str, str] | None = None) -> Template:
    seen = await service.my_networks(principal) if principal.can("network:read") else []
    shared = await service.sharing_networks(principal) if principal.can("network:share") else []
    if not principal.can("network:read") and not principal.can("network:share"):
        principal.require("network:read")
    invitations = await service.my_invitations(principal) if principal.can("network:manage") else []
    return render(request, "networks.html", status_code=status_code, title="Networks", networks=seen, shared=shared,
                  invitations=invitations, error=error, form=form or {}, notice=notice_for(request, NOTICES))


@post("/networks", include_in_schema=False, status_code=303)
async def create_network_page(request: Request) -> Template | Redirect:
    principal = signed_in_principal(request)
    data = await _form(request)
    try:
        view = await service.create_network(principal, data.get("slug", "").strip(), data.get("name", ""))
    except DomainError as exc:
        return await _list_page(request, principal, exc.status_code, exc.detail, data)
    return redirect_with_notice(f"/networks/{view.slug}", "created")


async def _network_page(request: Request, principal: Principal, slug: str, status_code: int = 200,
                        error: str | None = None) -> Template:
    view = await service.visible_network(principal, slug)
    as_of = None if error else _as_of(request)
    figures = await service.figures(principal, slug, as_of)
    references = {r.key: r for r in figures.references}
    return render(
        request, "network.html", status_code=status_code, title=view.name, network=view,
        members=await service.members(view), spaces=await service.shared_spaces(view), figures=figures,
        references=references, survey_key=SURVEY_KEY, supports=SUPPORTS,
        units=[figures.pooled, *figures.members],
        invitations=await service.network_invitations(view) if view.is_admin else [],
        leads=await service.leads(view) if view.is_admin else [],
        can_leave=principal.can("network:manage") and not view.is_admin,
        error=error, notice=notice_for(request, NOTICES))


@get("/networks/{network_slug:str}", include_in_schema=False)
async def network_page(request: Request, network_slug: str) -> Template:
    return await _network_page(request, signed_in_principal(request), network_slug)


@get("/networks/{network_slug:str}/shared", include_in_schema=False)
async def shared_page(request: Request, network_slug: str) -> Template:
    principal = signed_in_principal(request)
    as_of = _as_of(request)
    unit = await service.shared_by_my_organisation(principal, network_slug, as_of)
    return render(request, "network_shared.html", title="What we share", slug=network_slug, unit=unit,
                  as_of=service.check_as_of(as_of), supports=SUPPORTS)


async def _act(request: Request, slug: str, action: Callable[[Principal, dict[str, str]], Awaitable[Any]],
               notice: str, back: str | None = None) -> Template | Redirect:
    """Do a form's action; on a problem show the network page again with it."""
    principal = signed_in_principal(request)
    data = await _form(request)
    try:
        await action(principal, data)
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        return await _network_page(request, principal, slug, exc.status_code, exc.detail)
    return redirect_with_notice(back or f"/networks/{slug}", notice)


@post("/networks/{network_slug:str}/invitations", include_in_schema=False, status_code=303)
async def invite_page(request: Request, network_slug: str) -> Template | Redirect:
    return await _act(request, network_slug, lambda p, d: service.invite(p, network_slug, d.get("organisation", "").strip()),
                      "invited")


@post("/networks/{network_slug:str}/invitations/{invitation_id:uuid}/{answer:str}", include_in_schema=False,
      status_code=303)
async def invitation_page(request: Request, network_slug: str, invitation_id: UUID, answer: str) -> Template | Redirect:
    principal = signed_in_principal(request)
    if answer == "withdraw":
        return await _act(request, network_slug, lambda p, d: service.withdraw(p, network_slug, invitation_id), "withdrawn")
    if answer not in ("accept", "decline"):
        raise InvalidInput("Choose accept or decline.")
    try:
        await service.answer(principal, network_slug, invitation_id, accept=answer == "accept")
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        return await _list_page(request, principal, exc.status_code, exc.detail)
    if answer == "accept":
        return redirect_with_notice(f"/networks/{network_slug}", "accepted")
    return redirect_with_notice("/networks", "declined")


@post("/networks/{network_slug:str}/members/{organisation:str}/remove", include_in_schema=False, status_code=303)
async def remove_member_page(request: Request, network_slug: str, organisation: str) -> Template | Redirect:
    principal = signed_in_principal(request)
    data = await _form(request)
    if not confirmed(data):
        await service.administered_network(principal, network_slug)
        return ask(request, Confirmation(
            title=f"Remove {organisation[:64]} from the network?", action=request.url.path, back=f"/networks/{network_slug}",
            button="Remove the organisation",
            effects=["Its figures leave the network's pooled and per-member figures at once.",
                     "Its network leads lose their view of this network.",
                     "Its shared spaces are no longer listed here (they stay open to its own staff)."],
            fields=data))
    return await _act(request, network_slug, lambda p, d: service.remove_member(p, network_slug, organisation), "removed")


@post("/networks/{network_slug:str}/leave", include_in_schema=False, status_code=303)
async def leave_page(request: Request, network_slug: str) -> Template | Redirect:
    principal = signed_in_principal(request)
    data = await _form(request)
    if not confirmed(data):
        await service.visible_network(principal, network_slug)
        return ask(request, Confirmation(
            title="Leave the network?", action=request.url.path, back=f"/networks/{network_slug}",
            button="Leave the network",
            effects=["Your organisation's figures are no longer shared with the network.",
                     "Your network leads lose their view of this network.",
                     "Rejoining needs a new invitation from the network's admins."], fields=data))
    return await _act(request, network_slug, lambda p, d: service.leave(p, network_slug), "left", back="/networks")


@post("/networks/{network_slug:str}/leads", include_in_schema=False, status_code=303)
async def grant_lead_page(request: Request, network_slug: str) -> Template | Redirect:
    return await _act(request, network_slug, lambda p, d: service.grant_lead(
        p, network_slug, d.get("email", ""), d.get("organisation", "").strip()), "granted")


@post("/networks/{network_slug:str}/leads/{lead_id:uuid}/revoke", include_in_schema=False, status_code=303)
async def revoke_lead_page(request: Request, network_slug: str, lead_id: UUID) -> Template | Redirect:
    return await _act(request, network_slug, lambda p, d: service.revoke_lead(p, network_slug, lead_id), "revoked")


def _share(raw: str) -> float:
    """A percentage from the form ("89" or "89%") as a share (0.89)."""
    try:
        value = float(raw.strip().rstrip("%").strip())
    except ValueError:
        raise InvalidInput("Value: give a percentage from 0 to 100.") from None
    if not 0 <= value <= 100:
        raise InvalidInput("Value: give a percentage from 0 to 100.")
    return value / 100


@post("/networks/{network_slug:str}/references/{key:str}", include_in_schema=False, status_code=303)
async def reference_page(request: Request, network_slug: str, key: str) -> Template | Redirect:
    return await _act(request, network_slug, lambda p, d: service.edit_reference(
        p, network_slug, key, _share(d.get("value", "")), d.get("source", "")[:1000], d.get("label", "")[:200] or None),
        "reference")


PAGES = [networks_page, create_network_page, network_page, shared_page, invite_page, invitation_page,
         remove_member_page, leave_page, grant_lead_page, revoke_lead_page, reference_page, *BOARD_PACK_PAGES]
