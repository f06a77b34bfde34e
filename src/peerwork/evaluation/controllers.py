"""Evaluation API: questionnaires and their versions, sending a course's questionnaire,
anonymous session feedback, and the reports (aggregates only: no route returns anyone's answers)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post, put

from peerwork.core.access import Principal
from peerwork.evaluation import answering, questionnaires, report
from peerwork.evaluation.schemas import (
    AttachIn,
    EvaluationReport,
    FeedbackIn,
    FeedbackOut,
    FeedbackReport,
    QuestionnaireEdit,
    QuestionnaireIn,
    QuestionnaireOut,
    SendIn,
    SendOut,
    SessionContext,
)


class QuestionnaireController(Controller):
    path = "/evaluation/questionnaires"
    tags = ["evaluation"]

    @get("/", opt={"right": "evaluation:feedback"})
    async def list_questionnaires(self, principal: Principal) -> list[QuestionnaireOut]:
        return await questionnaires.list_questionnaires(principal)

    @post("/", opt={"right": "training:lead"})
    async def create_questionnaire(self, principal: Principal, data: QuestionnaireIn) -> QuestionnaireOut:
        return await questionnaires.create_questionnaire(principal, data)

    @get("/{questionnaire_id:uuid}", opt={"right": "evaluation:feedback"})
    async def get_questionnaire(self, principal: Principal, questionnaire_id: UUID) -> QuestionnaireOut:
        return await questionnaires.get_questionnaire(principal, questionnaire_id)

    @put("/{questionnaire_id:uuid}", opt={"right": "training:lead"})
    async def edit_questionnaire(self, principal: Principal, questionnaire_id: UUID,
                                 data: QuestionnaireEdit) -> QuestionnaireOut:
        """Save a new wording as the next version; earlier answers keep the wording they answered."""
        return await questionnaires.edit_questionnaire(principal, questionnaire_id, data)

    @get("/{questionnaire_id:uuid}/feedback", opt={"right": "training:lead"})
    async def feedback_report(self, principal: Principal, questionnaire_id: UUID,
                              context: SessionContext | None = None) -> FeedbackReport:
        return await report.feedback_report(principal, questionnaire_id, context)


class CourseEvaluationController(Controller):
    path = "/evaluation/courses"
    tags = ["evaluation"]

    @put("/{course_id:uuid}/questionnaire", opt={"right": "training:lead"})
    async def attach(self, principal: Principal, course_id: UUID, data: AttachIn) -> QuestionnaireOut:
        return await questionnaires.attach(principal, course_id, data.questionnaire_id)

    @post("/{course_id:uuid}/send", opt={"right": "training:lead"})
    async def send(self, principal: Principal, course_id: UUID, data: SendIn) -> SendOut:
        return await answering.send_questionnaire(course_id, data.moment, data.account_ids, data.due_by,
                                                  principal=principal)

    @get("/{course_id:uuid}/report", opt={"right": "training:lead"})
    async def course_report(self, principal: Principal, course_id: UUID) -> EvaluationReport:
        return await report.course_report(principal, course_id)

    @get("/{course_id:uuid}/report.csv", media_type="text/csv", opt={"right": "training:lead"})
    async def course_report_csv(self, principal: Principal, course_id: UUID) -> Response[str]:
        body = await report.course_report_csv(principal, course_id)
        return Response(body, media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="course-evaluation.csv"'})


@post("/evaluation/feedback", opt={"right": "evaluation:feedback"}, tags=["evaluation"])
async def record_feedback(principal: Principal, data: FeedbackIn) -> FeedbackOut:
    """Anonymous feedback after a co-reflection or supervision session."""
    return await answering.record_feedback(principal, data)


ROUTES = [QuestionnaireController, CourseEvaluationController, record_feedback]
