"""Jinja2 environment with Babel i18n, date filters in the centre's zone, and htmx fragments."""

from datetime import date, datetime
from decimal import Decimal
from numbers import Number
from typing import Any

from babel.dates import format_date
from babel.numbers import format_percent
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup, escape
from sqlmodel import Session
from starlette.datastructures import URL, URLPath
from starlette.requests import Request
from starlette.routing import Router

from vr_booking import __version__
from vr_booking.db import reading
from vr_booking.i18n import LANGUAGES, current_language, gettext, ngettext
from vr_booking.labels import label
from vr_booking.models import utcnow
from vr_booking.numbers import local_number
from vr_booking.paths import TEMPLATES_DIR
from vr_booking.services.catalogue.texts import shown_language, shown_text
from vr_booking.services.mail import MailWarning
from vr_booking.services.mail import mail_warning as find_mail_warning
from vr_booking.services.open_access.tickets import format_code
from vr_booking.services.timeutil import spoken_date, spoken_time


def local_time(instant: datetime, zone: str) -> str:
    return spoken_time(instant, zone)


def local_date(instant: datetime, zone: str, fmt: str = "full") -> str:
    """The instant's local date in the page's language ("Mercredi 2 décembre 2026")."""
    return spoken_date(instant, zone, fmt)


PLAIN_NUMBERS = (int, float)


def report_rows(rows: list[list[Any]], columns: list[Any]) -> Markup:
    """A report table's rows: each one's label as its row header, then a cell a column, each
    saying its column's title on narrow screens (``table.stack``), numbers in the page's
    language. Written here rather than in a macro: the network dashboard has thousands of
    cells, and a macro call (or ``Markup.format``) a cell was most of its time."""
    num = ' class="num"'
    openers = [f'<td data-label="{escape(c.title)}"{num if c.numeric else ""}>'
               for c in columns[1:]]
    numeric = [c.numeric for c in columns[1:]]
    numbers: dict[int | str, str] = {}  # figures repeat (0, 20.0…): each written once
    lines = []
    for header, *values in rows:
        cells = [f'<tr><th scope="row">{escape(header)}</th>']
        for opener, is_numeric, value in zip(openers, numeric, values, strict=True):
            if is_numeric and (type(value) in PLAIN_NUMBERS  # the usual case, without ABCs
                               or (isinstance(value, Number) and not isinstance(value, bool))):
                text = _number_text(value, numbers)
            else:
                text = "—" if value is None else escape(value)
            cells.append(f"{opener}{text}</td>")
        lines.append("".join(cells) + "</tr>")
    return Markup("\n    ".join(lines))  # noqa: S704 (every value above is escaped)


def _number_text(value: Any, known: dict[int | str, str]) -> str:
    """:func:`local_number` of ``value``, kept in ``known`` by the int or the float's repr
    (not by the value: -0.0 == 0.0, and Babel writes them apart)."""
    key = value if type(value) is int else repr(value)
    text = known.get(key)
    if text is None:
        text = known[key] = local_number(value)
    return text


def local_percent(value: float | None) -> str:
    """A percentage (0–100) in the page's language: 12.5% in English, 12,5 % in French."""
    if value is None:
        return "—"
    return format_percent(Decimal(str(value)) / 100, locale=current_language.get(),
                          decimal_quantization=False)


def format_day(day: date, fmt: str = "full") -> str:
    """A calendar date (no time, no zone) in the request's language: "full", "long",
    "medium", "short" or a Babel pattern ("LLLL y" for a month, "EEE" for a weekday)."""
    return format_date(day, fmt, locale=current_language.get())


def first_capital(text: str) -> str:
    """The first letter in capitals, the rest untouched ("lundi 7 décembre" → "Lundi 7
    décembre", "Monday, December 7" unchanged): Jinja's ``capitalize`` lowers the rest, which
    made English months lower-case."""
    return text[:1].upper() + text[1:]


def csrf_token(request: Request) -> str:
    """The CSRF token for forms (:class:`vr_booking.web.csrf.CSRFMiddleware` puts a getter in
    the scope)."""
    getter = request.scope.get("csrftoken")
    return getter() if getter else ""


def lang_attr(item: Any, field: str = "title") -> Markup:
    """` lang="fr"` where a catalogue text is shown in French on a page in another language."""
    language = shown_language(item, field)
    return Markup(' lang="{}"').format(language) if language != current_language.get() else Markup()


def mail_warning(request: Request) -> MailWarning | None:
    """For the staff layout: whether e-mails are stuck (read in a session of its own, only
    when a staff page is drawn, so that fragments and public pages pay nothing)."""
    engine = reading(request.app.state.engine)
    with Session(engine) as session:
        return find_mail_warning(session, request.app.state.settings, utcnow())


def is_fragment(request: Request) -> bool:
    """Whether htmx asked for a fragment (a history restore, after hx-push-url, needs the
    whole page)."""
    return bool(request.headers.get("HX-Request")
                and not request.headers.get("HX-History-Restore-Request"))


@pass_context
def url_for(context: dict, name: str, /, **path_params: Any) -> URL:
    """``request.url_for``, with each (route, parameters) path looked up once per router.

    Starlette finds a route's path by trying every route in turn (about a millisecond a link
    on this app): a page listing hundreds of links would spend most of its time there. The
    paths are kept on the router itself: FastAPI's routers cannot be hashed, so they cannot
    be a cache key (an ``lru_cache`` keyed by the router missed every time).
    """
    request: Request = context["request"]
    router = request.scope.get("router") or request.scope["app"]
    key = (name, tuple(sorted(path_params.items())))
    paths = known_paths(router)
    try:
        path = paths.get(key)
    except TypeError:  # a parameter that cannot be a key
        return router.url_path_for(name, **path_params).make_absolute_url(request.base_url)
    if path is None:
        if len(paths) >= MAX_PATHS:
            paths.clear()
        path = paths[key] = router.url_path_for(name, **path_params)
    return path.make_absolute_url(base_url=request.base_url)


MAX_PATHS = 8192


def known_paths(router: Router) -> dict[tuple, URLPath]:
    """The paths ``url_for`` has found on this router: (name, parameters) → path."""
    paths = getattr(router, "_vr_known_paths", None)
    if paths is None:
        paths = {}
        router._vr_known_paths = paths  # type: ignore[attr-defined]
    return paths


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["local_time"] = local_time
    env.filters["local_date"] = local_date
    env.filters["format_day"] = format_day
    env.filters["first_capital"] = first_capital
    env.filters["label"] = label
    env.filters["ticket_code"] = format_code
    env.filters["number"] = local_number
    env.filters["percent"] = local_percent
    env.filters["report_rows"] = report_rows
    env.filters.update(spoken_date=spoken_date, spoken_time=spoken_time, shown=shown_text,
                       lang_attr=lang_attr)
    env.globals.update(csrf_token=csrf_token, languages=LANGUAGES, version=__version__,
                       current_language=current_language.get, mail_warning=mail_warning,
                       is_fragment=is_fragment, url_for=url_for)
    return env


templates = Jinja2Blocks(env=build_environment())


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200, block_name: str | None = None) -> Any:
    """Render a page, or only one block of it for an htmx request (``block_name``)."""
    response = templates.TemplateResponse(
        request, name, context or {}, status_code=status_code,
        block_name=block_name if is_fragment(request) else None,
    )
    response.headers["Vary"] = "HX-Request"
    return response
