"""The exit survey's pages: from a ticket (``/b/{token}/survey``, linked from the ticket page
and the e-mail after the session) and from a centre's poster (``/survey/{slug}``, its QR
code printed for walk-ins and groups; rate-limited)."""

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from vr_booking.models import utcnow
from vr_booking.services.catalogue.queries import public_jobs_by_sector
from vr_booking.services.errors import Conflict, DomainError, InvalidInput, NotFound
from vr_booking.services.open_access.tickets import TICKET_PATH
from vr_booking.services.qr import qr_png, qr_svg
from vr_booking.services.reports.survey import (
    POSTER_PATH,
    QUESTIONS,
    SURVEY_SUFFIX,
    Respondent,
    SurveyAnswer,
    has_answered,
    participant_respondent,
    poster_respondent,
    poster_url,
    record_answer,
    suggested_jobs,
    ticket_respondent,
)
from vr_booking.web.deps import SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.params import FormIds, FormNote, FormText, ids_from
from vr_booking.web.ratelimit import limit_survey_posters
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
YesNo = Annotated[str, Form(max_length=3)]
RATINGS = [str(n) for n in range(11)]


def _answer(learned: str, go_further: str, discomfort: str, rating: str, job_ids: list[str],
            comment: str) -> SurveyAnswer:
    """The form's values as an answer (a missing or odd choice stays unanswered)."""
    def yes_no(value: str) -> bool | None:
        return {"yes": True, "no": False}.get(value)

    return SurveyAnswer(learned=yes_no(learned), go_further=yes_no(go_further),
                        discomfort=yes_no(discomfort),
                        rating=int(rating) if rating in RATINGS else None,
                        job_ids=ids_from(job_ids)[:50], comment=comment)


def _page(request: Request, session: SessionDep, respondent: Respondent | None, action: str,
          *, poster: bool = False, values: dict | None = None, errors: dict | None = None,
          message: str = "", state: str = "open", status_code: int = 200,
          back: str = "") -> Response:
    context = {"respondent": respondent, "action": action, "poster": poster, "back": back,
               "values": values or {"job_ids": []}, "errors": errors or {}, "message": message,
               "state": state, "ratings": RATINGS, "questions": QUESTIONS}
    if state == "open":
        context["suggested"] = suggested_jobs(session, respondent, utcnow())
        context["sectors"] = public_jobs_by_sector(session)
    return render(request, "pages/survey.html", context, status_code=status_code)


@router.get(TICKET_PATH + SURVEY_SUFFIX, name="ticket_survey")
def ticket_survey(request: Request, token: str, session: SessionDep, done: str = ""):
    action = str(request.url_for("ticket_survey", token=token))
    try:
        respondent = ticket_respondent(session, token, utcnow())
    except NotFound:
        raise
    except Conflict as error:
        return _page(request, session, None, action, message=error.message, state="closed",
                     back=str(request.url_for("ticket", token=token)))
    state = "open"
    if has_answered(session, respondent):
        state = "thanks" if done else "answered"
    return _page(request, session, respondent, action, state=state,
                 back=str(request.url_for("ticket", token=token)))


@router.post(TICKET_PATH + SURVEY_SUFFIX)
def answer_ticket_survey(
    request: Request, token: str, session: SessionDep,
    learned: YesNo = "", go_further: YesNo = "", discomfort: YesNo = "",
    rating: Annotated[str, Form(max_length=2)] = "", job_ids: FormIds = None,
    comment: FormNote = "",
):
    data = _answer(learned, go_further, discomfort, rating, job_ids or [], comment)
    respondent = ticket_respondent(session, token, utcnow())
    action = str(request.url_for("ticket_survey", token=token))
    return _record(request, session, respondent, data, action,
                   request.url_for("ticket_survey", token=token))


def _record(request: Request, session: SessionDep, respondent: Respondent, data: SurveyAnswer,
            action: str, done_url, poster: bool = False, code: str = "") -> Response:
    values = {**data.model_dump(), "participant_code": code}
    try:
        record_answer(session, respondent, data, utcnow())
    except InvalidInput as error:
        discard(session)
        return _page(request, session, respondent, action, poster=poster, values=values,
                     errors=error.fields, status_code=422)
    except DomainError as error:
        discard(session)
        return _page(request, session, respondent, action, poster=poster, values=values,
                     message=error.message, state="answered" if error.code ==
                     "already_answered" else "closed", status_code=status_of(error))
    return RedirectResponse(done_url.include_query_params(done="1"), status_code=303)


@router.get(POSTER_PATH, name="poster_survey")
def poster_survey(request: Request, slug: str, session: SessionDep, done: str = ""):
    respondent = poster_respondent(session, slug)
    action = str(request.url_for("poster_survey", slug=slug))
    return _page(request, session, respondent, action, poster=True,
                 state="thanks" if done else "open")


@router.post(POSTER_PATH, dependencies=[Depends(limit_survey_posters)])
def answer_poster_survey(
    request: Request, slug: str, session: SessionDep,
    learned: YesNo = "", go_further: YesNo = "", discomfort: YesNo = "",
    rating: Annotated[str, Form(max_length=2)] = "", job_ids: FormIds = None,
    comment: FormNote = "", participant_code: FormText = "",
):
    data = _answer(learned, go_further, discomfort, rating, job_ids or [], comment)
    respondent = poster_respondent(session, slug)
    action = str(request.url_for("poster_survey", slug=slug))
    if participant_code.strip():
        try:
            respondent = participant_respondent(session, participant_code, utcnow())
        except DomainError as error:
            values = {**data.model_dump(), "participant_code": participant_code}
            return _page(request, session, respondent, action, poster=True, values=values,
                         errors={"participant_code": error.message},
                         status_code=status_of(error) if error.kind != "not_found" else 422)
    return _record(request, session, respondent, data, action,
                   request.url_for("poster_survey", slug=slug), poster=True,
                   code=participant_code)


@router.get(POSTER_PATH + "/qr.svg", name="poster_qr_svg")
def poster_qr_svg(slug: str, session: SessionDep) -> Response:
    return Response(qr_svg(poster_url(session, poster_respondent(session, slug).centre)),
                    media_type="image/svg+xml")


@router.get(POSTER_PATH + "/qr.png", name="poster_qr_png")
def poster_qr_png(slug: str, session: SessionDep) -> Response:
    return Response(qr_png(poster_url(session, poster_respondent(session, slug).centre)),
                    media_type="image/png")
