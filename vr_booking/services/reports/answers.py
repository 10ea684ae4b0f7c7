"""Survey figures: answers, the share of yes to each question, the average rating, the jobs
that interested people and the latest comments. Answers count in the period when they were
given (a poster answer has no session), at the centre they were given for."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, cast
from sqlmodel import Session, col, func, select

from vr_booking.models import Feedback, FeedbackJob, Job
from vr_booking.services.reports.activity import pct
from vr_booking.services.reports.scope import Period, Scope, within

LATEST_COMMENTS = 20


@dataclass
class Answers:
    answers: int = 0
    learned: int = 0
    go_further: int = 0
    discomfort: int = 0
    ratings: int = 0
    rating_sum: int = 0

    @property
    def learned_pct(self) -> float | None:
        return pct(self.learned, self.answers)

    @property
    def go_further_pct(self) -> float | None:
        return pct(self.go_further, self.answers)

    @property
    def discomfort_pct(self) -> float | None:
        return pct(self.discomfort, self.answers)

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / self.ratings, 1) if self.ratings else None

    def add(self, other: "Answers") -> None:
        self.answers += other.answers
        self.learned += other.learned
        self.go_further += other.go_further
        self.discomfort += other.discomfort
        self.ratings += other.ratings
        self.rating_sum += other.rating_sum


@dataclass
class Comment:
    centre_id: int
    given_at: datetime
    text: str


@dataclass
class Survey:
    by_centre: dict[int, Answers] = field(default_factory=dict)
    interests: list[tuple[str, str, int]] = field(default_factory=list)  # title, code, answers
    comments: list[Comment] = field(default_factory=list)  # newest first


def _yes(column) -> object:
    return func.sum(cast(column, Integer))


def survey_figures(session: Session, scope: Scope, period: Period) -> Survey:
    """Survey figures per centre, the jobs that interested people, the latest comments."""
    in_period = within(Feedback.created_at, Feedback.centre_id, scope, period)
    rows = session.exec(
        select(Feedback.centre_id, func.count(), _yes(Feedback.learned),
               _yes(Feedback.go_further), _yes(Feedback.discomfort), func.count(Feedback.rating),
               func.sum(Feedback.rating))
        .where(in_period).group_by(Feedback.centre_id)
    ).all()
    survey = Survey(by_centre={
        row[0]: Answers(*(int(value or 0) for value in row[1:])) for row in rows})
    survey.interests = [tuple(row) for row in session.exec(
        select(Job.title, Job.rome_code, func.count())
        .join(FeedbackJob, col(FeedbackJob.job_id) == Job.id)
        .join(Feedback, col(Feedback.id) == FeedbackJob.feedback_id)
        .where(in_period).group_by(Job.id, Job.title, Job.rome_code)
        .order_by(func.count().desc(), Job.title))]
    survey.comments = [Comment(*row) for row in session.exec(
        select(Feedback.centre_id, Feedback.created_at, Feedback.comment)
        .where(in_period, Feedback.comment != "")
        .order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
        .limit(LATEST_COMMENTS))]
    return survey
