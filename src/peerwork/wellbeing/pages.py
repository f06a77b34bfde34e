"""Wellbeing pages: /wellbeing (my plan, my passport, who can read them, sharing and
withdrawing, a private check-in) and, for a person something was shared with, a read-only page.

Forms become the API's own schemas (``form_to``), so a page refuses exactly what the API does.
Every page here is sent ``Cache-Control: no-store``: a browser keeps no copy to show after a
withdrawal.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.response import Redirect, Template

from peerwork.core.access import Principal
from peerwork.core.errors import InvalidInput
from peerwork.wellbeing import checkins, documents, sharing
from peerwork.wellbeing.controllers import NO_STORE
from peerwork.wellbeing.schemas import (
    FIELDS, KIND_LABELS, NEED_LABELS, CheckInIn, PassportIn, PlanIn, ShareIn,
)
from peerwork.web.shell import FORM, form_to, render, signed_in_principal

NOTICES = {
    "plan": "Your wellness plan is saved.", "passport": "Your adjustments passport is saved.",
    "shared": "Shared: they can read it from now on.", "withdrawn": "Withdrawn: they can no longer read it.",
}
SCHEMAS = {"plan": PlanIn, "passport": PassportIn}


def _context(**extra: Any) -> dict[str, Any]:
    return {"fields": FIELDS, "kind_labels": KIND_LABELS, "need_labels": NEED_LABELS, **extra}


async def _my_page(request: Request, principal: Principal, *, status_code: int = 200, error: str | None = None,
                   form: dict[str, Any] | None = None, notice: str | None = None, result=None) -> Template:
    mine = {kind: await documents.mine(principal, kind) for kind in ("plan", "passport")}
    shares = await sharing.shares(principal)
    return render(request, "wellbeing.html", status_code=status_code, title="My wellbeing", mine=mine,
                  shares=shares, people=await sharing.candidates(principal), check_ins=await checkins.mine(principal),
                  error=error, form=form or {}, notice=notice, result=result, **_context())


@get("/wellbeing", include_in_schema=False, cache_control=NO_STORE)
async def wellbeing_page(request: Request, done: str = "") -> Template:
    principal = signed_in_principal(request)
    principal.require("wellbeing:own")
    return await _my_page(request, principal, notice=NOTICES.get(done))


def _form(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if isinstance(v, str) and k != "_csrf_token"}


async def _save(request: Request, kind: str, data: dict[str, Any]) -> Redirect | Template:
    principal = signed_in_principal(request)
    try:
        await documents.save(principal, kind, form_to(SCHEMAS[kind], data))
    except InvalidInput as exc:
        return await _my_page(request, principal, status_code=422, error=exc.detail, form={kind: _form(data)})
    return Redirect(f"/wellbeing?done={kind}#{kind}", status_code=303)


@post("/wellbeing/plan", include_in_schema=False, cache_control=NO_STORE, status_code=303)
async def save_plan_page(request: Request, data: Annotated[dict[str, Any], FORM]) -> Redirect | Template:
    return await _save(request, "plan", data)


@post("/wellbeing/passport", include_in_schema=False, cache_control=NO_STORE, status_code=303)
async def save_passport_page(request: Request, data: Annotated[dict[str, Any], FORM]) -> Redirect | Template:
    return await _save(request, "passport", data)


@post("/wellbeing/documents/{document_id:uuid}/share", include_in_schema=False, cache_control=NO_STORE,
      status_code=303)
async def share_page(request: Request, document_id: UUID, data: Annotated[dict[str, Any], FORM]) -> Redirect | Template:
    principal = signed_in_principal(request)
    await documents.owned(principal, document_id)  # a person it was shared with: 403 before anything else
    try:
        await sharing.share(principal, document_id, form_to(ShareIn, data))
    except InvalidInput as exc:
        return await _my_page(request, principal, status_code=422, error=exc.detail)
    return Redirect("/wellbeing?done=shared#who", status_code=303)


@post("/wellbeing/documents/{document_id:uuid}/withdraw", include_in_schema=False, cache_control=NO_STORE,
      status_code=303)
async def withdraw_page(request: Request, document_id: UUID, data: Annotated[dict[str, Any], FORM]) -> Redirect:
    principal = signed_in_principal(request)
    try:
        account_id = UUID(str(data.get("account_id", "")))
    except ValueError:
        raise InvalidInput("account_id: choose someone from the list") from None
    await sharing.withdraw(principal, document_id, account_id)
    return Redirect("/wellbeing?done=withdrawn#who", status_code=303)


@post("/wellbeing/check-in", include_in_schema=False, cache_control=NO_STORE, status_code=200)
async def check_in_page(request: Request, data: Annotated[dict[str, Any], FORM]) -> Template:
    """The check-in's suggestion is shown at once on the page (it is not kept in a link)."""
    principal = signed_in_principal(request)
    try:
        result = await checkins.check_in(principal, form_to(CheckInIn, data))
    except InvalidInput as exc:
        return await _my_page(request, principal, status_code=422, error=exc.detail, form={"check_in": _form(data)})
    return await _my_page(request, principal, result=result)


@get("/wellbeing/shared", include_in_schema=False, cache_control=NO_STORE)
async def shared_list_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    found = await sharing.shared_with_me(principal)
    return render(request, "wellbeing_shared.html", title="Shared with me", shared=found, **_context())


@get("/wellbeing/shared/{document_id:uuid}", include_in_schema=False, cache_control=NO_STORE)
async def shared_page(request: Request, document_id: UUID) -> Template:
    principal = signed_in_principal(request)
    document = await documents.read(principal, document_id)
    title = f"{KIND_LABELS[document.kind]}: {document.owner_name}"
    return render(request, "wellbeing_document.html", title=title, document=document, **_context())


PAGES = [wellbeing_page, shared_list_page, shared_page, check_in_page, share_page, withdraw_page,
         save_plan_page, save_passport_page]
