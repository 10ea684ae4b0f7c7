"""JSON API for the exit survey (anyone holding a ticket or a participant code) and the
reports (managers, bearer token): the same services as the pages."""

from datetime import date, datetime
from typing import Annotated

from fastapi import Query
from fastapi.responses import Response
from pydantic import BaseModel, Field, model_validator

from vr_booking.config import settings_for
from vr_booking.models import utcnow
from vr_booking.services.reports.dashboard import Dashboard, build_dashboard, named_figures
from vr_booking.services.reports.esf import esf_breakdown, esf_csv, esf_tables
from vr_booking.services.reports.exports import figures_csv
from vr_booking.services.reports.scope import scope_and_period
from vr_booking.services.reports.survey import (
    SurveyAnswer,
    participant_respondent,
    record_answer,
    ticket_respondent,
)
from vr_booking.web.api.report_models import (
    ActivityReport,
    CentreFigures,
    EsfReport,
    HeadsetFigures,
    InterestFigures,
    JobWatched,
    WatchedFigures,
    WatchedRow,
    esf_answers,
)
from vr_booking.web.deps import ApiStaff, SessionDep
from vr_booking.web.params import BodyId
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1", tags=["feedback and reports"])
CentreSlug = Annotated[str, Query(max_length=40, description="centre slug; empty: every "
                                                             "centre you manage")]
From = Annotated[date | None, Query(alias="from", description="first day (the centre's "
                                                              "local date); default: the "
                                                              "first of this month")]
To = Annotated[date | None, Query(description="last day, included; default: the end of "
                                              "this month")]
REPORT_ERRORS = {
    403: {"description": "Not a manager of that centre (`code`: `managers_only`, "
                         "`not_your_centre`)"},
    404: {"description": "Unknown centre (`code`: `unknown_centre`)"},
    422: {"description": "A period out of range, ending before it starts or longer than "
                         "five years (`code`: `invalid_period`)"},
}


class FeedbackCreate(BaseModel):
    token: str | None = Field(default=None, max_length=200, description="the ticket's token")
    participant_code: str | None = Field(default=None, max_length=40,
                                         description="a roster participant's code")
    learned: bool = Field(description="I learned something about the job(s) I watched")
    go_further: bool = Field(description="I want to go further (a professional, an adviser)")
    discomfort: bool = Field(description="I felt discomfort")
    rating: int | None = Field(default=None, ge=0, le=10, description="0–10, optional")
    job_ids: list[BodyId] = Field(default_factory=list, max_length=10,
                                  description="jobs that interested the person")
    comment: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _one_respondent(self) -> "FeedbackCreate":
        if bool(self.token) == bool(self.participant_code):
            raise ValueError("give either token or participant_code")
        return self


class FeedbackPublic(BaseModel):
    centre: str
    learned: bool
    go_further: bool
    discomfort: bool
    rating: int | None
    job_ids: list[int]
    comment: str
    created_at: datetime


@router.post("/feedback", status_code=201, response_model=FeedbackPublic,
             summary="Answer the exit survey (one answer per ticket or participant)",
             responses={
                 404: {"description": "Unknown ticket or participant (`code`: "
                                      "`unknown_booking`, `unknown_participant`)"},
                 409: {"description": "Already answered (`already_answered`), or not open: "
                                      "the session has not begun (`survey_not_open`) or the "
                                      "ticket was not checked in "
                                      "(`survey_not_for_this_ticket`)"},
                 422: {"description": "Field errors (`invalid_survey`, with `fields`)"}})
def post_feedback(session: SessionDep, body: FeedbackCreate) -> FeedbackPublic:
    now = utcnow()
    respondent = (ticket_respondent(session, body.token, now) if body.token
                  else participant_respondent(session, body.participant_code, now))
    answer = SurveyAnswer(**body.model_dump(exclude={"token", "participant_code"}))
    feedback = record_answer(session, respondent, answer, now)
    return FeedbackPublic(centre=respondent.centre.slug, learned=feedback.learned,
                          go_further=feedback.go_further, discomfort=feedback.discomfort,
                          rating=feedback.rating, job_ids=sorted(set(body.job_ids)),
                          comment=feedback.comment, created_at=feedback.created_at)


def _activity(dashboard: Dashboard) -> ActivityReport:
    w = dashboard.watched
    return ActivityReport(
        centre=dashboard.scope.centre.slug if dashboard.scope.centre else None,
        **{"from": dashboard.period.first}, to=dashboard.period.last,
        **named_figures(dashboard.total),
        watched=WatchedFigures(
            views=w.views, group_screenings=w.screenings,
            by_sector=[WatchedRow(name=n, views=v, group_screenings=s) for n, v, s in
                       w.by_sector],
            by_domain=[WatchedRow(name=n, views=v, group_screenings=s) for n, v, s in
                       w.by_domain],
            by_job=[JobWatched(title=t, rome_code=c, views=v, group_screenings=s)
                    for t, c, v, s in w.by_job]),
        interests=[InterestFigures(title=t, rome_code=c, answers=n)
                   for t, c, n in dashboard.interests],
        headsets=[HeadsetFigures(asset_tag=h.asset_tag, hours_used=h.hours_used,
                                 hours_available=h.hours_available, pct=h.pct)
                  for h in dashboard.headsets],
        centres=[CentreFigures(centre=f.centre.slug, name=f.centre.name, **named_figures(f))
                 for f in dashboard.centres])


@router.get("/reports/activity", response_model=ActivityReport, responses=REPORT_ERRORS,
            summary="The dashboard's figures for a centre (or all yours) and a period")
def get_activity(session: SessionDep, staff: ApiStaff, centre: CentreSlug = "",
                 from_: From = None, to: To = None) -> ActivityReport:
    scope, period = scope_and_period(session, staff, centre, from_, to, utcnow())
    return _activity(build_dashboard(session, scope, period, utcnow()))


@router.get("/reports/activity.csv", responses={
    **REPORT_ERRORS, 200: {"content": {"text/csv": {}},
                           "description": "`centre,figure,value`: every figure of "
                                          "`/reports/activity` per centre (`all`: the total)"}},
    summary="The dashboard's figures as CSV", response_class=Response)
def get_activity_csv(session: SessionDep, staff: ApiStaff, centre: CentreSlug = "",
                     from_: From = None, to: To = None) -> Response:
    scope, period = scope_and_period(session, staff, centre, from_, to, utcnow())
    text = figures_csv(build_dashboard(session, scope, period, utcnow(), headsets=False))
    return Response(text, media_type="text/csv; charset=utf-8")


@router.get("/reports/esf", response_model=EsfReport, responses=REPORT_ERRORS,
            summary="ESF breakdown: participants by gender, age band, labour-market status "
                    "and ISCED level (exact counts)")
def get_esf(session: SessionDep, staff: ApiStaff, centre: CentreSlug = "",
            from_: From = None, to: To = None) -> EsfReport:
    scope, period = scope_and_period(session, staff, centre, from_, to, utcnow())
    breakdown = esf_breakdown(session, scope, period, utcnow())
    return EsfReport(centre=scope.centre.slug if scope.centre else None,
                     **{"from": period.first}, to=period.last,
                     participants=breakdown.participants,
                     age_boundaries=list(settings_for(session).esf_age_bounds),
                     questions={q: esf_answers(answers)
                                for q, answers in breakdown.questions.items()})


@router.get("/reports/esf.csv", responses={
    **REPORT_ERRORS, 200: {"content": {"text/csv": {}},
                           "description": "`question,answer,female,male,non_binary,"
                                          "prefer_not,gender_not_given,total`; counts below "
                                          "the small-cell threshold show as `<5`"}},
    summary="ESF breakdown as CSV, for the funder (small counts hidden)",
    response_class=Response)
def get_esf_csv(session: SessionDep, staff: ApiStaff, centre: CentreSlug = "",
                from_: From = None, to: To = None) -> Response:
    scope, period = scope_and_period(session, staff, centre, from_, to, utcnow())
    settings = settings_for(session)
    tables = esf_tables(esf_breakdown(session, scope, period, utcnow()),
                        settings.esf_age_bounds, settings.report_small_cell_threshold)
    return Response(esf_csv(tables), media_type="text/csv; charset=utf-8")
