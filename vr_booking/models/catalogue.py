"""The job-video catalogue: provider sectors, jobs (with ROME codes) and 360° videos.

Names, titles and descriptions are French; each may have an English version (``*_en``,
None when there is none), which English pages show instead (``services/catalogue/texts``).
"""

import re
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, utcnow

ROME_CODE_RE = re.compile(r"^[A-N][0-9]{4}$")

ROME_DOMAINS: dict[str, tuple[str, str]] = {
    "A": ("Agriculture et pêche, espaces naturels et espaces verts, soins aux animaux",
          "Agriculture, fishing, natural and green spaces, animal care"),
    "B": ("Arts et façonnage d'ouvrages d'art", "Arts and crafts"),
    "C": ("Banque, assurance, immobilier", "Banking, insurance, real estate"),
    "D": ("Commerce, vente et grande distribution", "Commerce, sales and retail"),
    "E": ("Communication, média et multimédia", "Communication, media and multimedia"),
    "F": ("Construction, bâtiment et travaux publics", "Construction and public works"),
    "G": ("Hôtellerie-restauration, tourisme, loisirs et animation",
          "Hospitality, catering, tourism and leisure"),
    "H": ("Industrie", "Industry"),
    "I": ("Installation et maintenance", "Installation and maintenance"),
    "J": ("Santé", "Health"),
    "K": ("Services à la personne et à la collectivité", "Personal and community services"),
    "L": ("Spectacle", "Performing arts"),
    "M": ("Support à l'entreprise", "Business support"),
    "N": ("Transport et logistique", "Transport and logistics"),
}


class Sector(SQLModel, table=True):
    """A provider's own grouping of jobs (kept apart from the ROME domains)."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=120)
    name_en: str | None = Field(default=None, max_length=120)
    provider: str = Field(default="", max_length=120)
    is_active: bool = True


class Job(SQLModel, table=True):
    __table_args__ = (CheckConstraint("length(rome_code) = 5", name="rome_code_length"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    title: str = Field(max_length=160)
    title_en: str | None = Field(default=None, max_length=160)
    rome_code: str = Field(max_length=5, index=True)
    sector_id: int = Field(foreign_key="sector.id", index=True)
    description: str = Field(default="")
    description_en: str | None = None
    keywords: str = Field(default="", max_length=500)
    search_text: str = Field(default="", description="lower-case, accents removed")
    is_active: bool = True

    @property
    def rome_domain(self) -> str:
        """The ROME domain (A–N) is the code's first letter, never typed separately."""
        return self.rome_code[0]


class Video(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("duration_seconds > 0", name="duration_positive"),
        CheckConstraint("min_age >= 0", name="min_age_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    title: str = Field(max_length=200)
    title_en: str | None = Field(default=None, max_length=200)
    provider: str = Field(default="", max_length=120)
    description: str = Field(default="")
    description_en: str | None = None
    duration_seconds: int
    languages: str = Field(default="fr", max_length=60, description="comma-separated codes")
    licence: str = Field(default="", max_length=120)
    min_age: int = 13
    is_seated: bool = True
    search_text: str = Field(default="", description="lower-case, accents removed")
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VideoJob(SQLModel, table=True):
    __tablename__ = "video_job"

    video_id: int = Field(foreign_key="video.id", primary_key=True, ondelete="CASCADE")
    job_id: int = Field(foreign_key="job.id", primary_key=True, ondelete="CASCADE")
