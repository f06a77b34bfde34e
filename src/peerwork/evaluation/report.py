"""A course's evaluation and the session feedback, only ever in aggregate.

The database does the counting (how many people moved from each score before to each score
after, per item; how many were invited and answered; a random sample of comments), so a report
reads a few dozen rows whatever the size of the course; ``stats`` turns the counts into the
paired change. Counts under 5 read "<5" and their figures are withheld; comments are shown
without names, in random order, and only where 5 or more people left one.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import named
from peerwork.core.errors import NotFound
from peerwork.core.export import write_csv
from peerwork.core.privacy import SMALL_NUMBER, disclosed_count, disclosed_rate
from peerwork.evaluation import stats
from peerwork.evaluation.questionnaires import course_questionnaire, course_row, loaded_items
from peerwork.evaluation.schemas import (
    Comments,
    EvaluationReport,
    FeedbackReport,
    ItemChange,
    ItemSummary,
    Rate,
)
from peerwork.evaluation.tables import Questionnaire, Response

# Comments shown per item and moment: a random sample, so a course of thousands stays readable.
COMMENTS_SHOWN = 50
METHOD = ("Paired change after minus before, for people who answered the item both times: median change; "
          "Hodges-Lehmann pseudo-median with its 95% confidence interval from the Wilcoxon signed-rank "
          "distribution (normal approximation); Wilcoxon signed-rank test (SciPy, zero differences dropped). "
          "Counts under 5 are shown as <5 and their figures withheld.")

# How many moved from each score before to each score after, per item: one pass over the
# answers after the course, each carrying the same person's score before (see tables.Answer).
_PAIRED_SQL = (
    "SELECT x.item AS item, x.before_score AS before_score, x.score AS after_score, COUNT(*) AS people "
    "FROM evaluation_answer x JOIN evaluation_response r ON r.id = x.response "
    "WHERE r.course = {course} AND r.organisation = {org} AND r.moment = 'after' "
    "AND x.score IS NOT NULL AND x.before_score IS NOT NULL GROUP BY x.item, x.before_score, x.score"
)
# Who answered before, after and both (a person is their pairing key), and how many people
# were invited before and after: one row, one pass over the course's responses.
_COUNTS_SQL = (
    "SELECT SUM(CASE WHEN n_before > 0 THEN 1 ELSE 0 END) AS answered_before, "
    "SUM(CASE WHEN n_after > 0 THEN 1 ELSE 0 END) AS answered_after, "
    "SUM(CASE WHEN n_before > 0 AND n_after > 0 THEN 1 ELSE 0 END) AS paired, "
    "(SELECT COUNT(DISTINCT account) FROM answer_invitation WHERE course = {course} AND organisation = {org} "
    "AND moment = 'before') AS invited_before, "
    "(SELECT COUNT(DISTINCT account) FROM answer_invitation WHERE course = {course} AND organisation = {org} "
    "AND moment = 'after') AS invited_after "
    "FROM (SELECT SUM(CASE WHEN moment = 'before' THEN 1 ELSE 0 END) AS n_before, "
    "SUM(CASE WHEN moment = 'after' THEN 1 ELSE 0 END) AS n_after FROM evaluation_response "
    "WHERE course = {course} AND organisation = {org} GROUP BY pairing_key) p"
)
# Each item's and moment's comments in random order, with how many there are in all.
_COMMENTS_SQL = (
    "SELECT moment, item, text, total FROM (SELECT r.moment AS moment, x.item AS item, x.text AS text, "
    "ROW_NUMBER() OVER (PARTITION BY r.moment, x.item ORDER BY random()) AS shown, "
    "COUNT(*) OVER (PARTITION BY r.moment, x.item) AS total "
    "FROM evaluation_answer x JOIN evaluation_response r ON r.id = x.response "
    "WHERE {where} AND x.text IS NOT NULL) c WHERE shown <= {limit} ORDER BY moment, item, shown"
)
_VERSIONS_SQL = (
    "SELECT v.number, v.items FROM questionnaire_version v WHERE v.id IN "
    "(SELECT DISTINCT r.version FROM evaluation_response r WHERE {where}) ORDER BY v.number"
)
_SESSION_SQL = (
    "SELECT x.item AS item, x.score AS score, COUNT(*) AS people "
    "FROM evaluation_answer x JOIN evaluation_response r ON r.id = x.response "
    "WHERE {where} AND x.score IS NOT NULL GROUP BY x.item, x.score"
)
_RESPONSES_SQL = "SELECT COUNT(*) AS people FROM evaluation_response r WHERE {where}"


async def _raw(sql: str, **values: Any) -> list[dict[str, Any]]:
    query, params = named(sql, **values)
    return await Response.raw(query, *params)


async def _items(where: str, **values: Any) -> dict[str, dict[str, Any]]:
    """Every item answered, by key, worded as in the latest version that asks it."""
    items: dict[str, dict[str, Any]] = {}
    for row in await _raw(_VERSIONS_SQL.replace("{where}", where), **values):
        for item in loaded_items(row["items"]):
            items[item["key"]] = item
    return items


async def _raw_comments(where: str, **values: Any) -> list[dict[str, Any]]:
    return await _raw(_COMMENTS_SQL.replace("{where}", where), limit=COMMENTS_SHOWN, **values)


def _comments(rows: list[dict[str, Any]], items: dict[str, dict[str, Any]]) -> list[Comments]:
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        found = grouped.setdefault((row["moment"], row["item"]), {"total": int(row["total"]), "texts": []})
        found["texts"].append(row["text"])
    out = []
    for (moment, key), found in sorted(grouped.items()):
        small = found["total"] < SMALL_NUMBER
        out.append(Comments(key=key, text=items.get(key, {}).get("text", ""), moment=moment,
                            count=disclosed_count(found["total"]), comments=[] if small else found["texts"]))
    return out


def _rate(invited: int, answered: int) -> Rate:
    shown = disclosed_rate(answered, invited)
    return Rate(invited=shown.denominator, answered=shown.numerator, rate=shown.rate)


def item_change(item: dict[str, Any], moves: dict[tuple[int, int], int]) -> ItemChange:
    """One item's paired change from how many moved from each score to each score."""
    paired = sum(moves.values())
    withheld = ItemChange(key=item["key"], text=item["text"], value=item.get("value", ""),
                          paired=disclosed_count(paired), median_before=None, median_after=None, median_change=None,
                          pseudo_median=None, ci_low=None, ci_high=None, wilcoxon_statistic=None, p_value=None)
    if paired < SMALL_NUMBER:
        return withheld
    differences: dict[float, int] = defaultdict(int)
    before: dict[float, int] = defaultdict(int)
    after: dict[float, int] = defaultdict(int)
    for (b, a), people in moves.items():
        differences[a - b] += people
        before[b] += people
        after[a] += people
    change = stats.paired_change(differences)
    return ItemChange(
        key=item["key"], text=item["text"], value=item.get("value", ""), paired=paired,
        median_before=stats.median_of_counts(sorted(before.items())),
        median_after=stats.median_of_counts(sorted(after.items())), median_change=change.median_change,
        pseudo_median=change.pseudo_median, ci_low=change.ci_low, ci_high=change.ci_high,
        wilcoxon_statistic=change.statistic, p_value=change.p_value)


async def course_report(principal: Principal, course_id: UUID) -> EvaluationReport:
    """The course's evaluation (training leads only; every read audited)."""
    principal.require("training:lead")
    org = principal.organisation_id
    course = await course_row(org, course_id)
    questionnaire = await course_questionnaire(org, course_id)
    where = "r.course = {course} AND r.organisation = {org}"
    # Independent reads, run side by side on the pool (each on its own connection).
    items, paired, [counts], comments = await asyncio.gather(
        _items(where, course=course_id, org=org), _raw(_PAIRED_SQL, course=course_id, org=org),
        _raw(_COUNTS_SQL, course=course_id, org=org), _raw_comments(where, course=course_id, org=org))
    moves: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    for row in paired:
        moves[row["item"]][(int(row["before_score"]), int(row["after_score"]))] = int(row["people"])
    counts = {k: int(v or 0) for k, v in counts.items()}
    changes = [item_change(item, moves.get(key, {})) for key, item in items.items() if item["kind"] == "likert"]
    await audit.record(principal, "read", "evaluation_report", course_id)
    return EvaluationReport(
        course_id=course_id, course_title=course["title"],
        questionnaire_title=questionnaire["title"] if questionnaire else None,
        before=_rate(counts["invited_before"], counts["answered_before"]),
        after=_rate(counts["invited_after"], counts["answered_after"]),
        paired_people=disclosed_count(counts["paired"]), items=changes, comments=_comments(comments, items),
        method=METHOD)


CSV_COLUMNS = ("section", "item", "peer_value", "moment", "people", "median_before", "median_after",
               "median_change", "hodges_lehmann", "ci95_low", "ci95_high", "wilcoxon_w", "p_value", "rate")


def report_rows(report: EvaluationReport) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for moment, rate in (("before", report.before), ("after", report.after)):
        rows.append(["invited", "", "", moment, rate.invited, *[None] * 8, None])
        rows.append(["answered", "", "", moment, rate.answered, *[None] * 8, rate.rate])
    for i in report.items:
        rows.append(["paired change", i.text, i.value, "before/after", i.paired, i.median_before, i.median_after,
                     i.median_change, i.pseudo_median, i.ci_low, i.ci_high, i.wilcoxon_statistic, i.p_value, None])
    for c in report.comments:
        rows.extend(["comment", f"{c.text}: {text}", "", c.moment, None, *[None] * 8, None] for text in c.comments)
    return rows


async def course_report_csv(principal: Principal, course_id: UUID) -> str:
    return write_csv(CSV_COLUMNS, report_rows(await course_report(principal, course_id)))


async def feedback_report(principal: Principal, questionnaire_id: UUID, context: str | None = None) -> FeedbackReport:
    """Session feedback on one questionnaire, all versions, optionally for one context."""
    principal.require("training:lead")
    org = principal.organisation_id
    questionnaire = await Questionnaire.select(Questionnaire.id, Questionnaire.title).where(
        (Questionnaire.id == questionnaire_id) & (Questionnaire.organisation == org)).first()
    if questionnaire is None:
        raise NotFound("No such questionnaire in your organisation.")
    where = ("r.organisation = {org} AND r.moment = 'session' AND r.version IN "
             "(SELECT id FROM questionnaire_version WHERE questionnaire = {questionnaire})"
             + (" AND r.context = {context}" if context else ""))
    values: dict[str, Any] = {"org": org, "questionnaire": questionnaire_id, **({"context": context} if context else {})}
    items = await _items(where, **values)
    scores: dict[str, dict[int, int]] = defaultdict(dict)
    for row in await _raw(_SESSION_SQL.replace("{where}", where), **values):
        scores[row["item"]][int(row["score"])] = int(row["people"])
    responses = int((await _raw(_RESPONSES_SQL.replace("{where}", where), **values))[0]["people"])
    summaries = []
    for key, item in items.items():
        if item["kind"] != "likert":
            continue
        counts = scores.get(key, {})
        answered = sum(counts.values())
        small = answered < SMALL_NUMBER
        summaries.append(ItemSummary(
            key=key, text=item["text"], value=item.get("value", ""), answered=disclosed_count(answered),
            median=None if small else stats.median_of_counts(sorted((float(s), c) for s, c in counts.items())),
            distribution=None if small else [disclosed_count(counts.get(s, 0)) for s in range(1, 6)]))
    comments = _comments(await _raw_comments(where, **values), items)
    await audit.record(principal, "read", "feedback_report", questionnaire_id, context=context)
    return FeedbackReport(questionnaire_id=questionnaire_id, title=questionnaire["title"], context=context,
                          responses=disclosed_count(responses), items=summaries, comments=comments)

