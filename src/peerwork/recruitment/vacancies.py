"""Vacancies, their peer values, panels and conflict declarations; who may see a vacancy."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from peerwork.recruitment.schemas import (
    PanelMemberIn,
    PanelMemberOut,
    VacancyIn,
    VacancyOut,
    VacancyPatch,
    ValuesIn,
    ValuesOut,
)
from peerwork.recruitment.tables import Application, PanelMember, Vacancy, ValuesList
from peerwork.core.settings import current_settings
from peerwork.supervision.agreements import require_members
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.tables import Membership, Organisation
from peerwork.workforce.tables import Team
from peerwork.core.time import london_today, now

DEFAULT_VALUES = ["Mutuality", "Reciprocity", "Hope and recovery focus", "Strengths focus", "Authenticity",
                  "Inclusivity", "Safety"]

# Where a vacancy may go next. Shortlisting and interviewing also follow from decisions.
TRANSITIONS: dict[str, set[str]] = {
    "draft": {"open", "withdrawn"},
    "open": {"closed", "withdrawn"},
    "closed": {"open", "shortlisting", "withdrawn"},
    "shortlisting": {"interviewing", "withdrawn"},
    "interviewing": {"filled", "withdrawn"},
    "filled": set(),
    "withdrawn": set(),
}
DECIDING = {"closed", "shortlisting", "interviewing"}


def _clean_values(values: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if not cleaned:
        raise InvalidInput("values: name at least one peer value to score.")
    return cleaned


async def organisation_values(organisation_id: UUID) -> ValuesOut:
    row = await ValuesList.select(ValuesList.peer_values).where(ValuesList.organisation == organisation_id).output(
        load_json=True).first()
    return ValuesOut(values=row["peer_values"], is_default=False) if row else ValuesOut(values=DEFAULT_VALUES,
                                                                                       is_default=True)


async def set_organisation_values(principal: Principal, data: ValuesIn) -> ValuesOut:
    principal.require("recruitment:manage")
    values = _clean_values(data.values)
    async with transaction():
        await ValuesList.delete().where(ValuesList.organisation == principal.organisation_id)
        await ValuesList(organisation=principal.organisation_id, peer_values=values).save()
        await audit.record(principal, "update", "values_list", None, fields=["peer_values"])
    return ValuesOut(values=values, is_default=False)


@dataclass(frozen=True)
class Seat:
    """The caller's relation to one vacancy."""

    vacancy: dict[str, Any]
    manager: bool  # holds recruitment:manage
    recruiter: bool  # opened this vacancy
    panel: bool  # sits on its panel

    @property
    def may_read_statement(self) -> bool:
        return self.recruiter or self.panel


async def load_vacancy(organisation_id: UUID, vacancy_id: UUID) -> dict[str, Any]:
    row = await Vacancy.select(Vacancy.all_columns(), Vacancy.team.name.as_alias("team_name")).where(
        (Vacancy.id == vacancy_id) & (Vacancy.organisation == organisation_id)).output(load_json=True).first()
    if row is None:
        raise NotFound("No such vacancy.")
    return row


async def seat(principal: Principal, vacancy_id: UUID) -> Seat:
    """Raises NotFound for another organisation's vacancy, PermissionDenied for a non-member."""
    vacancy = await load_vacancy(principal.organisation_id, vacancy_id)
    panel = await PanelMember.exists().where(
        (PanelMember.vacancy == vacancy_id) & (PanelMember.account == principal.account_id))
    found = Seat(vacancy=vacancy, manager=principal.can("recruitment:manage"),
                 recruiter=vacancy["recruiter"] == principal.account_id, panel=panel)
    if not (found.manager or found.panel):
        raise PermissionDenied("Only this vacancy's panel and recruiters may see it.")
    return found


def public_url(organisation_slug: str, vacancy_id: UUID) -> str:
    return f"{current_settings().site_url}/jobs/{organisation_slug}/{vacancy_id}"


async def panel_of(vacancy_id: UUID) -> list[dict[str, Any]]:
    return await PanelMember.select(
        PanelMember.account, PanelMember.account.display_name.as_alias("name"),
        PanelMember.account.email.as_alias("email"), PanelMember.lived_experience, PanelMember.declared_at,
    ).where(PanelMember.vacancy == vacancy_id).order_by(PanelMember.account.display_name)


async def vacancy_out(row: dict[str, Any], organisation_slug: str) -> VacancyOut:
    panel = await panel_of(row["id"])
    return VacancyOut(
        id=row["id"], title=row["title"], team_id=row["team"], team=row.get("team_name"), afc_band=row["afc_band"],
        posts=row["posts"], remit=row["remit"], criteria=row["criteria"], values=row["peer_values"],
        closing_date=row["closing_date"], status=row["status"],
        panel=[PanelMemberOut(account_id=p["account"], name=p["name"], lived_experience=p["lived_experience"],
                              declared=p["declared_at"] is not None) for p in panel],
        public_url=public_url(organisation_slug, row["id"]),
    )


async def get_vacancy(principal: Principal, vacancy_id: UUID) -> VacancyOut:
    found = await seat(principal, vacancy_id)
    return await vacancy_out(found.vacancy, principal.organisation_slug)


async def list_vacancies(principal: Principal) -> list[VacancyOut]:
    """Recruiters see every vacancy; anyone else the ones whose panel they sit on."""
    condition = Vacancy.organisation == principal.organisation_id
    if not principal.can("recruitment:manage"):
        mine = await PanelMember.select(PanelMember.vacancy).where(
            (PanelMember.account == principal.account_id) & (PanelMember.organisation == principal.organisation_id)
        ).output(as_list=True)
        if not mine:
            return []
        condition &= Vacancy.id.is_in(mine)
    rows = await Vacancy.select(Vacancy.all_columns(), Vacancy.team.name.as_alias("team_name")).where(
        condition).order_by(Vacancy.created_at, ascending=False).output(load_json=True)
    return [await vacancy_out(r, principal.organisation_slug) for r in rows]


async def _check_team(principal: Principal, team_id: UUID | None) -> None:
    if team_id is not None and not await Team.exists().where(
            (Team.id == team_id) & (Team.organisation == principal.organisation_id)):
        raise InvalidInput("team_id: no such team in your organisation.")


async def teams_for_select(principal: Principal) -> list[dict[str, Any]]:
    """The organisation's teams by name (``id``, ``name``), for a vacancy's or a new hire's team."""
    return await Team.select(Team.id, Team.name).where(
        Team.organisation == principal.organisation_id).order_by(Team.name)


async def people_for_select(principal: Principal, roles: Collection[str] | None = None, *,
                            active_only: bool = True) -> list[dict[str, Any]]:
    """Members of the caller's organisation by name, one row per role held (``account``,
    ``account.display_name``, ``role``), for a form's list; only ``roles`` if given."""
    where = Membership.organisation == principal.organisation_id
    if roles is not None:
        where &= Membership.role.is_in(list(roles))
    if active_only:
        where &= Membership.account.is_active == True  # noqa: E712
    return await Membership.select(Membership.account, Membership.account.display_name, Membership.role).where(
        where).order_by(Membership.account.display_name)


async def create_vacancy(principal: Principal, data: VacancyIn) -> VacancyOut:
    principal.require("recruitment:manage")
    await _check_team(principal, data.team_id)
    values = _clean_values(data.values) if data.values is not None else (
        await organisation_values(principal.organisation_id)).values
    async with transaction():
        row = Vacancy(organisation=principal.organisation_id, recruiter=principal.account_id, title=data.title.strip(),
                      team=data.team_id, afc_band=data.afc_band, posts=data.posts, remit=data.remit.strip(),
                      criteria=data.criteria.strip(), peer_values=values, closing_date=data.closing_date)
        await row.save()
        await audit.record(principal, "create", "vacancy", row.id)
    return await get_vacancy(principal, row.id)


async def update_vacancy(principal: Principal, vacancy_id: UUID, patch: VacancyPatch) -> VacancyOut:
    principal.require("recruitment:manage")
    found = await seat(principal, vacancy_id)
    changes: dict[Any, Any] = {}
    for field, column in (("title", Vacancy.title), ("closing_date", Vacancy.closing_date), ("posts", Vacancy.posts),
                          ("afc_band", Vacancy.afc_band), ("remit", Vacancy.remit), ("criteria", Vacancy.criteria)):
        value = getattr(patch, field)
        if value is not None:
            changes[column] = value.strip() if isinstance(value, str) and field != "afc_band" else value
    if patch.values is not None:
        if found.vacancy["status"] != "draft" and await Application.exists().where(Application.vacancy == vacancy_id):
            raise Conflict("values: applicants have already answered these values; they can no longer change.")
        changes[Vacancy.peer_values] = _clean_values(patch.values)
    if found.vacancy["status"] in ("filled", "withdrawn"):
        raise Conflict(f"This vacancy is {found.vacancy['status']}; it can no longer change.")
    if changes:
        async with transaction():
            await Vacancy.update(changes).where(Vacancy.id == vacancy_id)
            await audit.record(principal, "update", "vacancy", vacancy_id, fields=sorted(c._meta.name for c in changes))
    return await get_vacancy(principal, vacancy_id)


async def add_panel_member(principal: Principal, vacancy_id: UUID, data: PanelMemberIn) -> VacancyOut:
    principal.require("recruitment:manage")
    found = await seat(principal, vacancy_id)
    if found.vacancy["status"] in ("filled", "withdrawn"):
        raise Conflict(f"This vacancy is {found.vacancy['status']}.")
    await require_members(principal, account_id=data.account_id)
    async with transaction():
        existing = await PanelMember.select(PanelMember.id).where(
            (PanelMember.vacancy == vacancy_id) & (PanelMember.account == data.account_id)).first()
        if existing:
            await PanelMember.update({PanelMember.lived_experience: data.lived_experience}).where(
                PanelMember.id == existing["id"])
        else:
            await PanelMember(organisation=principal.organisation_id, vacancy=vacancy_id, account=data.account_id,
                              lived_experience=data.lived_experience).save()
        await audit.record(principal, "update" if existing else "create", "panel_member", vacancy_id,
                           account=str(data.account_id))
    return await get_vacancy(principal, vacancy_id)


async def remove_panel_member(principal: Principal, vacancy_id: UUID, account_id: UUID) -> VacancyOut:
    principal.require("recruitment:manage")
    await seat(principal, vacancy_id)
    async with transaction():
        await PanelMember.delete().where((PanelMember.vacancy == vacancy_id) & (PanelMember.account == account_id))
        await audit.record(principal, "delete", "panel_member", vacancy_id, account=str(account_id))
    return await get_vacancy(principal, vacancy_id)


async def declare_conflicts(principal: Principal, vacancy_id: UUID, conflicts: str) -> VacancyOut:
    """A panel member declares their conflicts of interest ("" = none); only their own."""
    found = await seat(principal, vacancy_id)
    if not found.panel:
        raise PermissionDenied("Only members of this vacancy's panel declare conflicts for it.")
    async with transaction():
        await PanelMember.update({PanelMember.conflicts: conflicts.strip(), PanelMember.declared_at: now()}).where(
            (PanelMember.vacancy == vacancy_id) & (PanelMember.account == principal.account_id))
        await audit.record(principal, "update", "panel_member", vacancy_id, fields=["conflicts"])
    return await get_vacancy(principal, vacancy_id)


async def open_public_vacancies(organisation_slug: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    org = await Organisation.select(Organisation.id, Organisation.name, Organisation.slug).where(
        Organisation.slug == organisation_slug).first()
    if org is None:
        raise NotFound("No such organisation.")
    rows = await Vacancy.select(Vacancy.id, Vacancy.title, Vacancy.closing_date, Vacancy.afc_band, Vacancy.posts,
                                Vacancy.team.name.as_alias("team_name")).where(
        (Vacancy.organisation == org["id"]) & (Vacancy.status == "open")
        & (Vacancy.closing_date >= london_today())).order_by(Vacancy.closing_date)
    return org, rows


async def public_vacancy(organisation_slug: str, vacancy_id: UUID) -> tuple[dict[str, Any], dict[str, Any]]:
    """An open vacancy as the public sees it; NotFound for anything not open for applications."""
    row = await Vacancy.select(
        Vacancy.all_columns(), Vacancy.team.name.as_alias("team_name"),
        Vacancy.organisation.name.as_alias("organisation_name"), Vacancy.organisation.slug.as_alias("slug"),
    ).where((Vacancy.id == vacancy_id) & (Vacancy.organisation.slug == organisation_slug)
            & (Vacancy.status == "open") & (Vacancy.closing_date >= london_today())).output(load_json=True).first()
    if row is None:
        raise NotFound("This vacancy is not open for applications.")
    return {"id": row["organisation"], "name": row["organisation_name"], "slug": row["slug"]}, row
