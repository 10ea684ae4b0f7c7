"""Input models shared by the manager forms and the CSV importer, so that both accept
exactly the same data; each field has one message in people's words."""

import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, ValidationError
from sqlmodel import Session, select

from vr_booking.i18n import _
from vr_booking.models import ROME_CODE_RE, Job, Sector, Video
from vr_booking.services.errors import InvalidInput
from vr_booking.services.search import fold

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGES_RE = re.compile(r"^[a-z]{2,3}(?:,[a-z]{2,3})*$")
MAX_DESCRIPTION = 5000
MAX_VIDEO_SECONDS = 24 * 3600
MAX_MIN_AGE = 99

T = TypeVar("T", Sector, Job, Video)
M = TypeVar("M", bound="CatalogueInput")

def clean_text(value: Any) -> Any:
    """Trim, make every line break a plain "\\n" and drop NULs (PostgreSQL refuses them).

    Browsers send textarea line breaks as "\\r\\n": without this an export → import round
    trip would change every multi-line description.
    """
    if not isinstance(value, str):
        return value
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _language_list(value: Any) -> Any:
    """'fr, EN' → 'fr,en'."""
    if not isinstance(value, str):
        return value
    return ",".join(p.lower() for p in re.split(r"[\s,;]+", clean_text(value)) if p)


def _yes_no(value: Any) -> Any:
    """French spreadsheets say oui/non; pydantic knows true/false, yes/no, 1/0, on/off."""
    if not isinstance(value, str):
        return value
    word = clean_text(value).lower()
    return {"oui": True, "non": False}.get(word, word)


def _upper(value: Any) -> Any:
    return clean_text(value).upper() if isinstance(value, str) else value


Clean = BeforeValidator(clean_text)


def _chars(max_length: int, *, required: bool = True, pattern: str | None = None):
    return StringConstraints(min_length=1 if required else 0, max_length=max_length,
                             pattern=pattern)


def _slug_message(max_length: int) -> str:
    return _("Use lower-case letters without accents, digits and hyphens, at most {n} "
             "characters, e.g. “soudeur”.").format(n=max_length)


class CatalogueInput(BaseModel):
    """Base of the input models: each field has one message in people's words."""

    @staticmethod
    def messages() -> dict[str, str]:
        return {}


def _none_if_empty(value: Any) -> Any:
    value = clean_text(value)
    return value or None


def _english(max_length: int) -> Any:
    """An optional English text: left empty, there is none (None)."""
    return Annotated[Annotated[str, StringConstraints(max_length=max_length)] | None,
                     BeforeValidator(_none_if_empty)]


class SectorIn(CatalogueInput):
    slug: Annotated[str, Clean, _chars(80, pattern=SLUG_RE.pattern)]
    name: Annotated[str, Clean, _chars(120)]
    name_en: _english(120) = None
    provider: Annotated[str, Clean, _chars(120, required=False)] = ""

    @staticmethod
    def messages() -> dict[str, str]:
        return {"slug": _slug_message(80),
                "name": _("Give the sector's name (at most 120 characters)."),
                "name_en": _("The English name has at most 120 characters."),
                "provider": _("The provider's name has at most 120 characters.")}


class JobIn(CatalogueInput):
    slug: Annotated[str, Clean, _chars(120, pattern=SLUG_RE.pattern)]
    title: Annotated[str, Clean, _chars(160)]
    title_en: _english(160) = None
    rome_code: Annotated[str, BeforeValidator(_upper), _chars(5, pattern=ROME_CODE_RE.pattern)]
    sector: Annotated[str, Clean, _chars(80, pattern=SLUG_RE.pattern)]
    keywords: Annotated[str, Clean, _chars(500, required=False)] = ""
    description: Annotated[str, Clean, _chars(MAX_DESCRIPTION, required=False)] = ""
    description_en: _english(MAX_DESCRIPTION) = None

    @staticmethod
    def messages() -> dict[str, str]:
        return {"slug": _slug_message(120),
                "title": _("Give the job's title (at most 160 characters)."),
                "title_en": _("The English title has at most 160 characters."),
                "description_en": _("The English description is limited to {n} characters.")
                .format(n=MAX_DESCRIPTION),
                "rome_code": _("A ROME code is a capital letter from A to N and four digits, "
                               "e.g. H2913."),
                "sector": _("Choose the job's sector from the list."),
                "keywords": _("Keywords are limited to 500 characters."),
                "description": _("The description is limited to {n} characters.")
                .format(n=MAX_DESCRIPTION)}


class VideoIn(CatalogueInput):
    slug: Annotated[str, Clean, _chars(120, pattern=SLUG_RE.pattern)]
    title: Annotated[str, Clean, _chars(200)]
    title_en: _english(200) = None
    provider: Annotated[str, Clean, _chars(120, required=False)] = ""
    description: Annotated[str, Clean, _chars(MAX_DESCRIPTION, required=False)] = ""
    description_en: _english(MAX_DESCRIPTION) = None
    duration_seconds: Annotated[int, Clean, Field(gt=0, le=MAX_VIDEO_SECONDS)]
    languages: Annotated[str, BeforeValidator(_language_list),
                         _chars(60, pattern=LANGUAGES_RE.pattern)]
    licence: Annotated[str, Clean, _chars(120, required=False)] = ""
    min_age: Annotated[int, Clean, Field(ge=0, le=MAX_MIN_AGE)]
    is_seated: Annotated[bool, BeforeValidator(_yes_no)]
    jobs: Annotated[list[Annotated[str, Clean]], Field(min_length=1)]

    @staticmethod
    def messages() -> dict[str, str]:
        return {"slug": _slug_message(120),
                "title": _("Give the video's title (at most 200 characters)."),
                "title_en": _("The English title has at most 200 characters."),
                "description_en": _("The English description is limited to {n} characters.")
                .format(n=MAX_DESCRIPTION),
                "provider": _("The provider's name has at most 120 characters."),
                "description": _("The description is limited to {n} characters.")
                .format(n=MAX_DESCRIPTION),
                "duration_seconds": _("Give the length in seconds: a whole number from 1 to "
                                      "86400 (7 minutes = 420)."),
                "languages": _("Give language codes separated by commas, e.g. “fr” or "
                               "“fr,en”."),
                "licence": _("The licence has at most 120 characters."),
                "min_age": _("Give the minimum age as a whole number from 0 to 99."),
                "is_seated": _("Say whether the video is watched seated or standing."),
                "jobs": _("Choose at least one job that the video shows.")}


def validate_fields(model: type[M], data: Mapping[str, Any]) -> tuple[M | None, dict[str, str]]:
    """Check a form or a CSV row; the problems are keyed by field name."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        messages = model.messages()
        return None, {str(e["loc"][0]): messages[str(e["loc"][0])] for e in exc.errors()}


def require_valid(values: M | None, problems: dict[str, str]) -> M:
    if problems or values is None:
        raise InvalidInput("invalid_catalogue_item", _("Please correct the marked fields."),
                           problems)
    return values


def job_search_text(job: Any, sector: Any) -> str:
    """What the job search matches, folded: title, ROME code, keywords, sector, and the
    English title and sector name when given (English readers search in English)."""
    return fold(" ".join(t for t in (job.title, job.rome_code, job.keywords, sector.name,
                                     job.title_en, sector.name_en) if t))


def video_search_text(video: Any) -> str:
    return fold(" ".join(t for t in (video.title, video.description, video.title_en,
                                     video.description_en) if t))



def lookup(session: Session, model: type[T], slug: Any) -> T | None:
    """A sector, job or video by slug (None when there is none, or the slug is malformed)."""
    slug = clean_text(slug) if isinstance(slug, str) else ""
    if not SLUG_RE.match(slug):  # never send odd bytes to the database
        return None
    return session.exec(select(model).where(model.slug == slug)).first()
