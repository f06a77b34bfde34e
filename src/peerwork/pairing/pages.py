"""Pairing pages: suggestions to confirm, current pairs, and each PSW's pairing profile."""

from __future__ import annotations

from peerwork.web.shell import FORM
from peerwork.pairing.schemas import PairIn, ProfileIn

from typing import Annotated
from uuid import UUID
from litestar import Request, get, post
from litestar.response import Redirect, Template
from peerwork.web.feedback import Confirmation, ask, confirmed, notice_for, redirect_with_notice
from peerwork.web.shell import form_to, render, signed_in_principal
from peerwork.pairing import service as pairing_service


PART_LABELS = {"base": "Can pair", "same_team": "Same team", "same_organisation": "Same organisation",
               "shared_interests": "Shared interests", "matching_preferences": "Matching preferences"}
NOTICES = {"confirmed": "Pair confirmed.", "ended": "Pair ended.", "saved": "Your pairing profile is saved."}


@get("/pairing", include_in_schema=False)
async def pairing_page(request: Request, suggest: str | None = None) -> Template:
    principal = signed_in_principal(request)
    principal.require("pairing:manage")
    found = await pairing_service.suggestions(principal, suggest) if suggest in ("new_starters", "unpaired") else None
    pairs = await pairing_service.list_pairs(principal)
    return render(request, "pairing.html", title="Pairing peers", found=found, pairs=pairs, scope=suggest,
                  part_labels=PART_LABELS, notice=notice_for(request, NOTICES))


@post("/pairing/pairs", include_in_schema=False, status_code=303)
async def confirm_pair_page(request: Request, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    await pairing_service.confirm_pair(principal, form_to(PairIn, data))
    scope = data.get("scope") if data.get("scope") in ("new_starters", "unpaired") else "new_starters"
    return redirect_with_notice(f"/pairing?suggest={scope}", "confirmed")


@post("/pairing/pairs/{pair_id:uuid}/end", include_in_schema=False, status_code=303)
async def end_pair_page(request: Request, pair_id: UUID, data: Annotated[dict[str, str], FORM]) -> Template | Redirect:
    principal = signed_in_principal(request)
    if not confirmed(data):
        pair = await pairing_service.get_pair(principal, pair_id)
        return ask(request, Confirmation(
            title=f"End the pair of {pair.new_peer} and {pair.experienced_peer}?",
            action=f"/pairing/pairs/{pair_id}/end", back="/pairing", button="End the pair", fields=data,
            effects=[f"The pair ends today: {pair.new_peer} and {pair.experienced_peer} are no longer recorded as "
                     "paired. The pair stays in the history."]))
    await pairing_service.end_pair(principal, pair_id)
    return redirect_with_notice("/pairing", "ended")


def _tags(text: str) -> list[str]:
    """Tags are typed as one comma-separated line."""
    return [t.strip() for t in text.split(",") if t.strip()]


@get("/pairing/profile", include_in_schema=False)
async def profile_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    return render(request, "pairing_profile.html", title="My pairing profile",
                  profile=await pairing_service.my_profile(principal), notice=notice_for(request, NOTICES))


@post("/pairing/profile", include_in_schema=False, status_code=303)
async def save_profile_page(request: Request, data: Annotated[dict[str, str], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    current = await pairing_service.my_profile(principal)
    await pairing_service.save_profile(principal, form_to(
        ProfileIn, data, interests=_tags(data.get("interests", "")), preferences=_tags(data.get("preferences", "")),
        exclusions=current.exclusions))  # exclusions are not on this form: keep them
    return redirect_with_notice("/pairing/profile", "saved")


PAGES = [pairing_page, confirm_pair_page, end_pair_page, profile_page, save_profile_page]
