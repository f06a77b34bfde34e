"""Recruitment API: vacancies, panels, anonymised scoring, decisions, interviews, hire, funnel.

Applicants never use the API: they apply and follow their application through the public
pages (``/jobs/...`` and their private ``/application/<token>`` link).
"""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post, put

from peerwork.recruitment import applications, funnel, hiring, interviews, scoring, lifecycle, vacancies
from peerwork.recruitment.schemas import (
    ApplicationOut,
    ApplicationSummary,
    ConflictsIn,
    DayIn,
    DecisionIn,
    DecisionOut,
    EqualityCount,
    FunnelRow,
    HireIn,
    HireOut,
    PanelMemberIn,
    ScoresIn,
    ScoresOut,
    SlotOut,
    StatusIn,
    VacancyIn,
    VacancyOut,
    VacancyPatch,
    ValuesIn,
    ValuesOut,
)
from peerwork.core.access import Principal
from peerwork.recruitment import history_controllers


class VacancyController(Controller):
    path = "/recruitment"
    tags = ["recruitment"]

    @get("/values", opt={"right": "recruitment:manage"})
    async def get_values(self, principal: Principal) -> ValuesOut:
        """The peer values new vacancies score by default (the organisation's, else the default list)."""
        return await vacancies.organisation_values(principal.organisation_id)

    @put("/values", opt={"right": "recruitment:manage"})
    async def set_values(self, principal: Principal, data: ValuesIn) -> ValuesOut:
        return await vacancies.set_organisation_values(principal, data)

    @get("/vacancies", opt={"right": "recruitment:panel"})
    async def list_vacancies(self, principal: Principal) -> list[VacancyOut]:
        """Recruiters see every vacancy; anyone else those whose panel they sit on."""
        return await vacancies.list_vacancies(principal)

    @post("/vacancies", opt={"right": "recruitment:manage"})
    async def create_vacancy(self, principal: Principal, data: VacancyIn) -> VacancyOut:
        return await vacancies.create_vacancy(principal, data)

    @get("/vacancies/{vacancy_id:uuid}", opt={"right": "recruitment:panel"})
    async def get_vacancy(self, principal: Principal, vacancy_id: UUID) -> VacancyOut:
        return await vacancies.get_vacancy(principal, vacancy_id)

    @patch("/vacancies/{vacancy_id:uuid}", opt={"right": "recruitment:manage"})
    async def update_vacancy(self, principal: Principal, vacancy_id: UUID, data: VacancyPatch) -> VacancyOut:
        return await vacancies.update_vacancy(principal, vacancy_id, data)

    @post("/vacancies/{vacancy_id:uuid}/status", status_code=200, opt={"right": "recruitment:manage"})
    async def set_status(self, principal: Principal, vacancy_id: UUID, data: StatusIn) -> VacancyOut:
        """draft → open → closed → shortlisting → interviewing → filled; withdrawn from any but filled."""
        return await lifecycle.set_status(principal, vacancy_id, data.status)

    @post("/vacancies/{vacancy_id:uuid}/panel", status_code=200, opt={"right": "recruitment:manage"})
    async def add_panel_member(self, principal: Principal, vacancy_id: UUID, data: PanelMemberIn) -> VacancyOut:
        return await vacancies.add_panel_member(principal, vacancy_id, data)

    @delete("/vacancies/{vacancy_id:uuid}/panel/{account_id:uuid}", status_code=200,
            opt={"right": "recruitment:manage"})
    async def remove_panel_member(self, principal: Principal, vacancy_id: UUID, account_id: UUID) -> VacancyOut:
        return await vacancies.remove_panel_member(principal, vacancy_id, account_id)

    @post("/vacancies/{vacancy_id:uuid}/conflicts", status_code=200, opt={"right": "recruitment:panel"})
    async def declare_conflicts(self, principal: Principal, vacancy_id: UUID, data: ConflictsIn) -> VacancyOut:
        """The caller's own declaration as a panel member ("" = no conflicts)."""
        return await vacancies.declare_conflicts(principal, vacancy_id, data.conflicts)

    @get("/vacancies/{vacancy_id:uuid}/applications", opt={"right": "recruitment:panel"})
    async def list_applications(self, principal: Principal, vacancy_id: UUID) -> list[ApplicationSummary]:
        return await applications.list_applications(principal, vacancy_id)

    @post("/vacancies/{vacancy_id:uuid}/days", opt={"right": "recruitment:manage"})
    async def add_day(self, principal: Principal, vacancy_id: UUID, data: DayIn) -> list[SlotOut]:
        """A recruitment day: interview slots (UK time) with a capacity each."""
        return await interviews.add_day(principal, vacancy_id, data)

    @get("/vacancies/{vacancy_id:uuid}/slots", opt={"right": "recruitment:panel"})
    async def list_slots(self, principal: Principal, vacancy_id: UUID) -> list[SlotOut]:
        return await interviews.list_slots(principal, vacancy_id)

    @get("/vacancies/{vacancy_id:uuid}/funnel", opt={"right": "recruitment:funnel"})
    async def vacancy_funnel(self, principal: Principal, vacancy_id: UUID) -> FunnelRow:
        return await funnel.vacancy_funnel(principal, vacancy_id)

    @get("/vacancies/{vacancy_id:uuid}/equality", opt={"right": "recruitment:equality"})
    async def equality(self, principal: Principal, vacancy_id: UUID) -> list[EqualityCount]:
        """Equality monitoring in aggregate only; counts under 5 read "<5" and hide their rate."""
        return await funnel.equality(principal, vacancy_id)

    @get("/funnel", opt={"right": "recruitment:funnel"})
    async def organisation_funnel(self, principal: Principal, year: int | None = None) -> dict[str, list[FunnelRow]]:
        per_vacancy, per_year = await funnel.funnel(principal, year)
        return {"vacancies": per_vacancy, "years": per_year}


class ApplicationController(Controller):
    path = "/recruitment/applications"
    tags = ["recruitment"]

    @get("/{application_id:uuid}", opt={"right": "recruitment:panel"})
    async def read_application(self, principal: Principal, application_id: UUID) -> ApplicationOut:
        """Anonymised for the panel; the lived-experience statement only for panel and recruiter (audited)."""
        return await applications.read_application(principal, application_id)

    @get("/{application_id:uuid}/scores", opt={"right": "recruitment:panel"})
    async def read_scores(self, principal: Principal, application_id: UUID) -> ScoresOut:
        return await scoring.read_scores(principal, application_id)

    @put("/{application_id:uuid}/scores", opt={"right": "recruitment:panel"})
    async def submit_scores(self, principal: Principal, application_id: UUID, data: ScoresIn) -> ScoresOut:
        return await scoring.submit_scores(principal, application_id, data.scores)

    @post("/{application_id:uuid}/decision", status_code=200, opt={"right": "recruitment:manage"})
    async def decide(self, principal: Principal, application_id: UUID, data: DecisionIn) -> DecisionOut:
        """shortlist | reject | offer: 409 with every reason unless the panel meets policy."""
        status = await scoring.decide(principal, application_id, data.decision, data.note)
        return DecisionOut(application_id=application_id, decision=data.decision, status=status)

    @post("/{application_id:uuid}/hire", opt={"right": "recruitment:manage"})
    async def hire(self, principal: Principal, application_id: UUID, data: HireIn) -> HireOut:
        """Creates the Person and a lived-experience Assignment, and starts onboarding."""
        return await hiring.hire(principal, application_id, data)


ROUTES = [VacancyController, ApplicationController, *history_controllers.ROUTES]
