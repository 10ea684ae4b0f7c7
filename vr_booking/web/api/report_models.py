"""The answers of the reports API: the dashboard's figures under their public names
(``people.booked``, ``survey.learned_pct``…) and the ESF breakdown."""

from collections import Counter
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

Percent = float | None  # one decimal; null when there is nothing to divide by


class SessionsFigures(BaseModel):
    open_access: int
    workshop: int
    group_visit: int
    discovery_event: int
    external_forum: int
    total: int


class PeopleFigures(BaseModel):
    booked: int = Field(description="open-access bookings holding a seat (confirmed, "
                                    "checked in or no-show)")
    checked_in: int
    no_show: int
    walk_ins: int
    group_participants: int = Field(description="present at other sessions: attendance "
                                                "recorded at close, else roster check-ins")
    served: int = Field(description="checked_in + walk_ins + group_participants")
    no_show_pct: Percent = Field(description="no_show / (checked_in + no_show), in %")


class UsageFigures(BaseModel):
    hours_used: float
    hours_available: float = Field(description="open-access hours held where the headset "
                                               "was, plus hours reserved for groups")
    pct: Percent


class SurveyFigures(BaseModel):
    answers: int
    learned_pct: Percent
    go_further_pct: Percent
    discomfort_pct: Percent
    average_rating: float | None
    ratings: int = Field(description="answers that gave a rating")


class IncidentFigures(BaseModel):
    felt_unwell: int
    damage: int
    loss: int
    other: int
    total: int


class Figures(BaseModel):
    sessions: SessionsFigures = Field(description="sessions held (not cancelled, begun)")
    people: PeopleFigures
    utilisation: UsageFigures
    survey: SurveyFigures
    incidents: IncidentFigures


class CentreFigures(Figures):
    centre: str
    name: str


class WatchedRow(BaseModel):
    name: str = Field(description="sector name, or ROME domain letter")
    views: int
    group_screenings: int


class JobWatched(BaseModel):
    title: str
    rome_code: str
    views: int
    group_screenings: int


class WatchedFigures(BaseModel):
    views: int = Field(description="one person, one video")
    group_screenings: int = Field(description="a video shown to a group session")
    by_sector: list[WatchedRow]
    by_domain: list[WatchedRow]
    by_job: list[JobWatched]


class InterestFigures(BaseModel):
    title: str
    rome_code: str
    answers: int


class HeadsetFigures(BaseModel):
    asset_tag: str
    hours_used: float
    hours_available: float
    pct: Percent


class Period(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    centre: str | None = Field(description="the centre, or null for every centre you manage")
    from_: date = Field(alias="from")
    to: date


class ActivityReport(Period, Figures):
    watched: WatchedFigures
    interests: list[InterestFigures] = Field(description="jobs that interested people "
                                                         "(survey)")
    headsets: list[HeadsetFigures]
    centres: list[CentreFigures]


class EsfAnswer(BaseModel):
    answer: str = Field(description="the stored answer; `prefer_not`: prefers not to say")
    total: int
    by_gender: dict[str, int] = Field(description="female, male, non_binary, prefer_not, "
                                                  "and \"\" for gender not given")


class EsfReport(Period):
    participants: int = Field(description="checked in at ESF-flagged sessions")
    age_boundaries: list[int] = Field(description="ages where the report's bands start")
    questions: dict[str, list[EsfAnswer]] = Field(
        description="gender, age, labour, isced: only the participants who answered")


def esf_answers(answers: dict[str, Counter[str]]) -> list[EsfAnswer]:
    return [EsfAnswer(answer=answer, total=sum(genders.values()), by_gender=dict(genders))
            for answer, genders in answers.items()]
