"""The ``vr-booking`` command: serve, migrate, demo data, staff accounts, API tokens."""

import os
import sys
from datetime import date
from typing import Annotated

import typer

from vr_booking import migrations
from vr_booking.addresses import derive_base_url, loopback_warning
from vr_booking.config import Settings, get_settings
from vr_booking.db import get_engine, session_scope
from vr_booking.i18n import current_language, pick_language
from vr_booking.jobs import build_scheduler, run_all_once
from vr_booking.services.admin.accounts import create_staff as create_staff_account
from vr_booking.services.admin.tokens import issue_api_token
from vr_booking.services.demo import create_demo_staff, is_empty, load_demo_data
from vr_booking.services.errors import DomainError

BASE_URL_VARIABLE = "VR_BOOKING_BASE_URL"
app = typer.Typer(help="vr-booking: VR job-discovery sessions for career-guidance centres.",
                  no_args_is_help=True)


@app.callback()
def _language() -> None:
    """Messages in the terminal's language (LANG=fr_FR… gives French, else English)."""
    current_language.set(pick_language(None, os.environ.get("LANG", ""), "en"))

db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _fail(error: DomainError) -> typer.Exit:
    typer.secho(f"error: {error.message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
    no_demo: Annotated[bool, typer.Option("--no-demo", help="Never load demo data.")] = False,
    no_scheduler: Annotated[bool, typer.Option(
        "--no-scheduler", help="Do not run the periodic jobs here (run `vr-booking worker`)."
    )] = False,
) -> None:
    """Migrate the database, load demo data into an empty one, and start the web server."""
    import uvicorn

    settings = _with_public_address(host, port)
    migrations.upgrade("head")
    if not no_demo:
        _load_demo_if_empty()
    if not no_scheduler:
        # One scheduler, in this supervising process, however many workers uvicorn starts.
        build_scheduler(get_engine(), settings).start()
    database = _safe_url(settings.database_url)
    typer.echo(f"vr-booking on http://{host}:{port}  (database: {database})")
    typer.echo(f"Address in QR codes and e-mails: {settings.base_url}")
    warning = loopback_warning(settings.base_url, host)
    if warning:
        typer.secho(warning, err=True, fg=typer.colors.YELLOW)
    uvicorn.run("vr_booking.web.app:create_default_app", factory=True, host=host, port=port,
                # Forwarded addresses are believed only from VR_BOOKING_TRUSTED_PROXIES, by
                # the app itself (uvicorn's own default would trust 127.0.0.1 blindly).
                workers=workers, proxy_headers=False, log_level="info")


def _with_public_address(host: str, port: int) -> Settings:
    """The settings, with the public address derived from host and port when none is set.

    It goes into the environment too, so that every worker uvicorn starts uses it.
    """
    if not os.environ.get(BASE_URL_VARIABLE, "").strip():
        os.environ[BASE_URL_VARIABLE] = derive_base_url(host, port)
        get_settings.cache_clear()
    return get_settings()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _load_demo_if_empty() -> None:
    with session_scope() as session:
        if not is_empty(session):
            return
        load_demo_data(session, date.today())
        accounts = create_demo_staff(session)
    typer.echo("Demo data loaded. Demo staff accounts (shown only now):")
    for email, password in accounts:
        typer.echo(f"  {email}  password: {password}")


@app.command()
def worker(
    once: Annotated[bool, typer.Option(
        "--once", help="Run every periodic job once and exit (e.g. from cron).")] = False,
) -> None:
    """Run the periodic jobs (e-mail, slots, waiting list, reminders…) in the foreground."""
    migrations.upgrade("head")
    if once:
        for job_id, rows in run_all_once(get_engine(), get_settings()).items():
            typer.echo(f"{job_id}: {rows}")
        return
    typer.echo("vr-booking worker: running the periodic jobs (Ctrl+C to stop)")
    build_scheduler(get_engine(), get_settings(), blocking=True).start()


@app.command("demo-data")
def demo_data() -> None:
    """Load the demo data (what is already there is kept; running it twice changes nothing)."""
    migrations.upgrade("head")
    with session_scope() as session:
        load_demo_data(session, date.today())
    typer.echo("Demo data is loaded.")


@app.command("create-staff")
def create_staff(
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="facilitator, manager or admin")],
    centre: Annotated[list[str], typer.Option(help="centre slug (repeat for several)")] = [],  # noqa: B006
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    can_edit_catalogue: Annotated[bool, typer.Option(
        "--can-edit-catalogue", help="May edit the network-wide catalogue (admins always may)."
    )] = False,
) -> None:
    """Create a staff account (password read from standard input, or asked for)."""
    password = (sys.stdin.readline().rstrip("\n") if password_stdin
                else typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    try:
        with session_scope() as session:
            create_staff_account(session, email=email, name=name, role=role,
                                 centre_slugs=centre, password=password,
                                 can_edit_catalogue=can_edit_catalogue)
    except DomainError as error:
        raise _fail(error) from error
    typer.echo(f"Staff account {email.strip().lower()} created.")


@app.command("api-token")
def api_token(email: Annotated[str, typer.Option()]) -> None:
    """Print a new bearer token for the JSON API (only its hash is stored)."""
    try:
        with session_scope() as session:
            token = issue_api_token(session, email)
    except DomainError as error:
        raise _fail(error) from error
    typer.echo(token)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database up to a revision (default: the newest)."""
    migrations.upgrade(revision)


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to a revision (``base`` empties it)."""
    migrations.downgrade(revision)


@db_app.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    migrations.current()
