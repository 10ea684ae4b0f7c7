"""Catalogue pages: browse and search for everyone; edit, import and export for managers."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from babel import Locale
from fastapi import Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from vr_booking.i18n import current_language
from vr_booking.models import Job, Sector, StaffUser, Video, utcnow
from vr_booking.services.catalogue import edits, queries
from vr_booking.services.catalogue.csv_columns import COLUMNS
from vr_booking.services.catalogue.csv_export import export_catalogue
from vr_booking.services.catalogue.csv_import import (
    MAX_FILE_BYTES,
    decode_catalogue_file,
    import_catalogue,
)
from vr_booking.services.catalogue.sessions import sessions_showing
from vr_booking.services.errors import InvalidInput
from vr_booking.web.deps import READS_ONLY, CurrentStaff, OptionalStaff, SessionDep, discard
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
SearchText = Annotated[str, Query(max_length=200)]
PAGE_SIZE = 20  # jobs a page of search results


# --- public pages ----------------------------------------------------------------------------

def _block(request: Request, name: str) -> str | None:
    """The block an htmx request gets; a history restore (after hx-replace-url) needs the page."""
    return None if request.headers.get("HX-History-Restore-Request") else name


@router.get("/catalogue", name="catalogue")
def catalogue_page(request: Request, session: SessionDep, staff: OptionalStaff,
                   q: SearchText = "", sector: SearchText = "", domain: SearchText = "",
                   page: Annotated[int, Query(ge=1, le=10_000)] = 1):
    results = queries.search_jobs(session, q=q, sector=sector, domain=domain,
                                  limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    sectors = queries.list_sectors(session).items
    per_sector, per_domain = queries.public_job_counts(session)
    return render(request, "pages/catalogue.html", {
        "staff": staff, "jobs": results.items, "total": results.total, "sectors": sectors,
        "sectors_by_id": {s.id: s for s in sectors}, "domains": queries.rome_domains(),
        "per_sector": per_sector, "per_domain": per_domain,
        "chosen": {"q": q, "sector": sector, "domain": domain.strip().upper()},
        "searching": bool(q.strip() or sector or domain),
        "page": page, "page_size": PAGE_SIZE,
    }, block_name=_block(request, "results"))


@router.get("/catalogue/jobs/{slug}", name="catalogue_job")
def job_page(request: Request, slug: str, session: SessionDep, staff: OptionalStaff):
    job = queries.get_public_job(session, slug)
    videos = queries.videos_showing(session, job)
    return render(request, "pages/job.html", {
        "staff": staff, "job": job, "sector": queries.sector_of(session, job),
        "domain": queries.domain_name(job.rome_domain), "videos": videos,
        "days": sessions_showing(session, [v.id for v in videos], utcnow()),
    })


@router.get("/catalogue/videos/{slug}", name="catalogue_video")
def video_page(request: Request, slug: str, session: SessionDep, staff: OptionalStaff):
    video = queries.get_public_video(session, slug)
    return render(request, "pages/video.html", {
        "staff": staff, "video": video, "languages": _language_names(video.languages),
        "jobs": queries.jobs_shown(session, [video.id]).get(video.id, []),
        "days": sessions_showing(session, [video.id], utcnow()),
    })


def _language_names(codes: str) -> list[str]:
    """'fr,en' → ['français', 'anglais'] in the page's language (the code when unknown)."""
    names = Locale.parse(current_language.get()).languages
    return [names.get(code, code) for code in codes.split(",") if code]


# --- manager pages: overview, export, import -------------------------------------------------

def _editor(staff: CurrentStaff) -> StaffUser:
    edits.require_editor(staff)
    return staff


Editor = Annotated[StaffUser, Depends(_editor)]


@router.get("/staff/catalogue", name="staff_catalogue")
def staff_catalogue(request: Request, session: SessionDep, staff: Editor, saved: str = ""):
    return render(request, "pages/staff_catalogue.html", {
        "staff": staff, "overview": edits.catalogue_overview(session), "saved": bool(saved),
    })


@router.get("/staff/catalogue/export.csv", name="staff_catalogue_export")
def export_csv(session: SessionDep, _staff: Editor) -> Response:
    # The BOM lets spreadsheets open the accents right; the importer skips it.
    filename = f"catalogue-{date.today().isoformat()}.csv"
    return Response("\ufeff" + export_catalogue(session), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _import_page(request: Request, staff: StaffUser, status_code: int = 200,
                 **context: Any) -> Response:
    return render(request, "pages/staff_catalogue_import.html", {
        "staff": staff, "columns": COLUMNS, "max_mb": MAX_FILE_BYTES // (1024 * 1024),
        **context,
    }, status_code=status_code)


@router.get("/staff/catalogue/import", name="staff_catalogue_import")
def import_form(request: Request, staff: Editor):
    return _import_page(request, staff)


@router.post("/staff/catalogue/import", dependencies=[READS_ONLY])
def preview_import(request: Request, session: SessionDep, staff: Editor,
                   file: Annotated[UploadFile | None, File()] = None):
    """Check the uploaded file with a dry run: every problem, or what would change. It only
    reads, so that a big file never holds the write lock that bookings need."""
    raw, filename = (file.file.read(MAX_FILE_BYTES + 1), file.filename) if file else (b"", "")
    try:
        text = decode_catalogue_file(raw)
    except InvalidInput as error:
        return _import_page(request, staff, error=error.message, status_code=422)
    report = import_catalogue(session, text, dry_run=True)
    return _import_page(request, staff, report=report, text=text, filename=filename,
                        status_code=200 if report.ok else 422)


async def _carried_file(request: Request) -> tuple[str, str]:
    """The previewed file, sent back by the preview page as a hidden field (Starlette caps
    plain fields at 1 MB by default, less than the files we accept)."""
    form = await request.form(max_part_size=2 * MAX_FILE_BYTES)
    return str(form.get("csv_text", "")), str(form.get("filename", ""))


@router.post("/staff/catalogue/import/confirm", name="staff_catalogue_import_confirm")
def confirm_import(request: Request, session: SessionDep, staff: Editor,
                   carried: Annotated[tuple[str, str], Depends(_carried_file)]):
    text, filename = carried
    report = import_catalogue(session, text, actor=staff)
    if not report.ok:
        return _import_page(request, staff, report=report, text=text, filename=filename,
                            status_code=422)
    return _import_page(request, staff, report=report, filename=filename, done=True)


# --- manager pages: create, edit, retire -----------------------------------------------------

@dataclass(frozen=True)
class Kind:
    """How the generic edit routes handle one kind of catalogue item."""

    name: str
    model: type[Sector | Job | Video]
    create: Callable[[Session, Mapping[str, Any], StaffUser], Any]
    update: Callable[[Session, str, Mapping[str, Any], StaffUser], Any]
    choices: Callable[[Session], dict[str, Any]] = lambda _session: {}
    blank: dict[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"pages/staff_catalogue_{self.model.__name__.lower()}.html"


KINDS = {kind.name: kind for kind in (
    Kind("sectors", Sector, edits.create_sector, edits.update_sector),
    Kind("jobs", Job, edits.create_job, edits.update_job,
         lambda session: {"sectors": edits.all_sectors(session)}),
    Kind("videos", Video, edits.create_video, edits.update_video,
         lambda session: {"jobs_by_sector": edits.all_jobs_by_sector(session)},
         {"languages": "fr", "min_age": 13, "is_seated": "true", "jobs": []}),
)}


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise HTTPException(404)
    return KINDS[kind]


async def _form_fields(request: Request) -> dict[str, Any]:
    """The submitted form; the ``jobs`` checkboxes keep all their values."""
    form = await request.form()
    return {key: form.getlist(key) if key == "jobs" else form[key] for key in form}


KindDep = Annotated[Kind, Depends(_kind)]
FormFields = Annotated[dict[str, Any], Depends(_form_fields)]


def _form_page(request: Request, session: Session, staff: StaffUser, kind: Kind,
               values: Mapping[str, Any], errors: Mapping[str, str] | None = None,
               item: Any = None, status_code: int = 200) -> Response:
    return render(request, kind.template, {
        "staff": staff, "kind": kind.name, "item": item, "values": values,
        "errors": errors or {}, **kind.choices(session),
    }, status_code=status_code)


def _saved(request: Request, kind: Kind) -> RedirectResponse:
    target = request.url_for("staff_catalogue").include_query_params(saved=1)
    return RedirectResponse(f"{target}#{kind.name}", status_code=303)


@router.get("/staff/catalogue/{kind}/new", name="staff_catalogue_new")
def new_item(request: Request, kind: KindDep, session: SessionDep, staff: Editor):
    return _form_page(request, session, staff, kind, kind.blank)


@router.post("/staff/catalogue/{kind}/new")
def create_item(request: Request, kind: KindDep, session: SessionDep, staff: Editor,
                data: FormFields):
    try:
        kind.create(session, data, staff)
    except InvalidInput as error:
        discard(session)
        return _form_page(request, session, staff, kind, data, error.fields, status_code=422)
    return _saved(request, kind)


@router.get("/staff/catalogue/{kind}/{slug}/edit", name="staff_catalogue_edit")
def edit_item(request: Request, kind: KindDep, slug: str, session: SessionDep, staff: Editor):
    item = edits.find_item(session, kind.model, slug)
    return _form_page(request, session, staff, kind, edits.form_values(session, item), item=item)


@router.post("/staff/catalogue/{kind}/{slug}/edit")
def update_item(request: Request, kind: KindDep, slug: str, session: SessionDep,
                staff: Editor, data: FormFields):
    try:
        kind.update(session, slug, data, staff)
    except InvalidInput as error:
        discard(session)
        item = edits.find_item(session, kind.model, slug)
        return _form_page(request, session, staff, kind, {**data, "slug": slug}, error.fields,
                          item=item, status_code=422)
    return _saved(request, kind)


@router.post("/staff/catalogue/{kind}/{slug}/retire", name="staff_catalogue_retire")
def retire_item(request: Request, kind: KindDep, slug: str, session: SessionDep,
                staff: Editor):
    edits.set_active(session, kind.model, slug, active=False, actor=staff)
    return _saved(request, kind)


@router.post("/staff/catalogue/{kind}/{slug}/restore", name="staff_catalogue_restore")
def restore_item(request: Request, kind: KindDep, slug: str, session: SessionDep,
                 staff: Editor):
    edits.set_active(session, kind.model, slug, active=True, actor=staff)
    return _saved(request, kind)
