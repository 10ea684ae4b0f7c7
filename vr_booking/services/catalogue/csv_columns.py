"""The columns of the catalogue's CSV file, shared by the importer and the exporter.

One row per (video, job) pair; a video showing three jobs has three rows with the same video
columns. A row whose video columns are empty lists a job no video shows yet, and one whose job
and video columns are empty a sector without jobs, so that an export holds the whole public
catalogue.
"""

COLUMNS = (
    "sector_slug", "sector_name", "job_slug", "job_title", "rome_code", "job_keywords",
    "job_description", "video_slug", "video_title", "video_description", "duration_seconds",
    "languages", "min_age", "seated", "licence", "provider",
    "sector_name_en", "job_title_en", "job_description_en", "video_title_en",
    "video_description_en",
)
OPTIONAL_COLUMNS = frozenset(c for c in COLUMNS if c.endswith("_en"))
# input model field -> CSV column
SECTOR_FIELDS = {"slug": "sector_slug", "name": "sector_name", "name_en": "sector_name_en"}
JOB_FIELDS = {"slug": "job_slug", "title": "job_title", "rome_code": "rome_code",
              "sector": "sector_slug", "keywords": "job_keywords",
              "description": "job_description", "title_en": "job_title_en",
              "description_en": "job_description_en"}
VIDEO_FIELDS = {"slug": "video_slug", "title": "video_title",
                "description": "video_description", "duration_seconds": "duration_seconds",
                "languages": "languages", "min_age": "min_age", "is_seated": "seated",
                "licence": "licence", "provider": "provider", "title_en": "video_title_en",
                "description_en": "video_description_en", "jobs": "job_slug"}
JOB_PART = ("job_slug", "job_title", "rome_code", "job_keywords", "job_description",
            "job_title_en", "job_description_en")
VIDEO_PART = tuple(c for c in VIDEO_FIELDS.values() if c != "job_slug")

# A cell starting with one of these is a formula to a spreadsheet (=HYPERLINK(…) could lead
# a manager to a hostile site): the exporter writes it after a quote, which spreadsheets show
# as text, and the importer takes the quote off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PROTECT = "'"


def protect_cell(value: str) -> str:
    """The cell as exported: a leading quote before a formula start (or before a quote, so
    that reading it back is exact)."""
    return PROTECT + value if value.startswith((*FORMULA_STARTS, PROTECT)) else value


def unprotect_cell(value: str) -> str:
    """Undo :func:`protect_cell`; other cells are read as they are."""
    if value.startswith(PROTECT) and value[1:].startswith((*FORMULA_STARTS, PROTECT)):
        return value[1:]
    return value
