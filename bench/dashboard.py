"""How long the network dashboard takes on a year of data for 40 hubs.

    python bench/dashboard.py --db sqlite|postgres [--size hubs40] [--url URL] [--repeat 5]

Builds the synthetic network of ``bench/network.py`` (40 hubs and their 320 associated
centres, 2,000 headsets, a million bookings), then adds the last year's activity the reports
read, with INSERT … SELECT statements run by the database: a headset use with two videos
watched for every checked-in visitor, an exit-survey answer for every second one, walk-ins,
two group sessions a month at every centre (attendance, five headsets reserved, videos shown),
monthly loans from each hub and a few incidents. ``--url`` reuses a network already
generated (the year of activity is added once).

It then times, in this process, the admin's network dashboard for the last 365 days (the page
and ``GET /api/v1/reports/activity``), a hub's dashboard and the yearly report, and counts the
SQL statements of each request. It measures; it asserts nothing.
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from network import SIZES, build, fresh_url

from factories import login
from vr_booking.config import Settings
from vr_booking.db import make_engine
from vr_booking.models import (
    Allocation,
    Centre,
    Headset,
    Job,
    Loan,
    LoanHeadset,
    Sector,
    SessionVideo,
    Video,
    VideoJob,
    VRSession,
)
from vr_booking.services.admin.accounts import create_staff
from vr_booking.services.admin.tokens import issue_api_token
from vr_booking.web.app import create_app

PASSWORD = "benchmark password"  # noqa: S105
SECTORS, JOBS = 17, 200
GROUPS_PER_MONTH = 2


def _catalogue(session: Session) -> None:
    sectors = [Sector(slug=f"sector-{n}", name=f"Sector {n}") for n in range(SECTORS)]
    session.add_all(sectors)
    session.flush()
    for n in range(JOBS):
        job = Job(slug=f"job-{n}", title=f"Job {n}", sector_id=sectors[n % SECTORS].id,
                  rome_code=f"{'ABCDEFGHIJKLMN'[n % 14]}{1000 + n:04d}")
        video = Video(slug=f"video-{n}", title=f"Video {n}", duration_seconds=300)
        session.add_all([job, video])
        session.flush()
        session.add(VideoJob(video_id=video.id, job_id=job.id))
        if n % 3 == 0:  # some videos show two jobs
            session.add(VideoJob(video_id=video.id, job_id=job.id - 1 if n else job.id + 1))
    session.flush()


def _hub_headsets(session: Session) -> dict[int, list[int]]:
    """Centre id → the headsets of its hub (associated centres use their hub's)."""
    centres = session.exec(select(Centre.id, Centre.hub_id)).all()
    headsets: dict[int, list[int]] = {}
    for headset_id, home in session.exec(select(Headset.id, Headset.home_centre_id)
                                         .order_by(Headset.id)):
        headsets.setdefault(home, []).append(headset_id)
    return {centre: headsets[hub or centre] for centre, hub in centres}


def _group_headsets(session: Session, headsets: dict[int, list[int]]) -> dict[int, list[int]]:
    """Five of its hub's headsets for each centre's groups, a different five at each centre
    of a hub (a hub and its 8 centres: 45 of its 50), so that no two allocations clash."""
    ranked: dict[int, int] = {}  # hub id → centres given a block so far
    blocks = {}
    for centre_id, hub_id in session.exec(select(Centre.id, Centre.hub_id).order_by(Centre.id)):
        rank = ranked.get(hub_id or centre_id, 0)
        ranked[hub_id or centre_id] = rank + 1
        blocks[centre_id] = headsets[centre_id][5 * rank:5 * rank + 5]
    return blocks


def _uses_and_answers(engine: Engine, first_headset: dict[int, int], since: datetime) -> None:
    """A use (the whole slot) and two videos for each checked-in booking of the year, an
    answer for every second one, a walk-in in every fourth slot, an incident now and then."""
    mapping = " UNION ALL ".join(f"SELECT {c} AS centre_id, {h} AS first_headset"
                                 for c, h in first_headset.items())
    with engine.begin() as conn:
        videos = conn.execute(text("SELECT min(id), count(*) FROM video")).one()
        params = {"since": since, "first_video": videos[0], "videos": videos[1]}
        conn.execute(text(f"""
            INSERT INTO headset_use (headset_id, session_id, booking_id, is_first_immersion,
                                     started_at, returned_at)
            SELECT m.first_headset + (b.id % 50), s.id, b.id, true, s.starts_at, s.ends_at
            FROM booking b JOIN vr_session s ON s.id = b.session_id
            JOIN ({mapping}) m ON m.centre_id = s.centre_id
            WHERE b.status = 'checked_in' AND s.starts_at >= :since"""), params)  # noqa: S608
        for offset in (0, 1):
            conn.execute(text("""
                INSERT INTO watched_video (use_id, video_id)
                SELECT u.id, :first_video + ((u.id + :offset) % :videos) FROM headset_use u
                WHERE u.started_at >= :since"""), {**params, "offset": offset})
        conn.execute(text("""
            INSERT INTO feedback (centre_id, booking_id, learned, go_further, discomfort,
                                  rating, comment, created_at)
            SELECT s.centre_id, b.id, b.id % 5 <> 0, b.id % 3 = 0, b.id % 11 = 0,
                   CASE WHEN b.id % 4 = 0 THEN NULL ELSE b.id % 11 END, '', s.ends_at
            FROM booking b JOIN vr_session s ON s.id = b.session_id
            WHERE b.status = 'checked_in' AND b.id % 2 = 0 AND s.starts_at >= :since"""),
            params)
        conn.execute(text("""
            INSERT INTO feedback_job (feedback_id, job_id)
            SELECT f.id, (SELECT min(id) FROM job) + (f.id % 200) FROM feedback f
            WHERE f.id % 3 = 0"""))
        conn.execute(text("""
            INSERT INTO participant (session_id, display_name, age_band, gender,
                                     labour_status, isced_level, is_walk_in, checked_in_at)
            SELECT s.id, '', '', '', '', '', true, s.starts_at FROM vr_session s
            WHERE s.kind = 'open_access' AND s.starts_at >= :since AND s.id % 4 = 0"""),
            params)
        conn.execute(text("""
            INSERT INTO incident (kind, session_id, headset_id, booking_id, note, occurred_at)
            SELECT 'felt_unwell', u.session_id, u.headset_id, u.booking_id, '', u.started_at
            FROM headset_use u WHERE u.started_at >= :since AND u.id % 500 = 0"""), params)


def _groups_and_loans(session: Session, headsets: dict[int, list[int]], now: datetime) -> None:
    """Two group sessions a month at every centre, and a monthly loan from each hub."""
    blocks = _group_headsets(session, headsets)
    video_ids = session.exec(select(Video.id)).all()
    centres = session.exec(select(Centre)).all()
    for month in range(12):
        for centre in centres:
            for n in range(GROUPS_PER_MONTH):
                start = (now - timedelta(days=30 * month + 7 + 10 * n)).replace(
                    hour=8, minute=0, second=0, microsecond=0)
                group = VRSession(centre_id=centre.id, kind=("workshop", "group_visit")[n],
                                  starts_at=start, ends_at=start + timedelta(hours=2),
                                  status="closed", attendance=12 + (centre.id + month) % 15,
                                  group_size=20, headsets_reserved=5)
                session.add(group)
                session.flush()
                session.add_all(Allocation(headset_id=h, session_id=group.id, starts_at=start,
                                           ends_at=group.ends_at) for h in blocks[centre.id])
                session.add_all(SessionVideo(session_id=group.id, video_id=v, watched=True)
                                for v in (video_ids[centre.id % len(video_ids)],
                                          video_ids[(centre.id + month + 1) % len(video_ids)]))
            if centre.kind == "hub":
                day = (now - timedelta(days=30 * month + 3)).date()
                borrower = next(c for c in centres if c.hub_id == centre.id)
                loan = Loan(from_centre_id=centre.id, to_centre_id=borrower.id,
                            start_date=day, end_date=day + timedelta(days=4),
                            status="returned", returned_at=now - timedelta(days=30 * month))
                session.add(loan)
                session.flush()
                session.add_all(LoanHeadset.of(loan, h) for h in headsets[centre.id][45:47])
        session.flush()


def add_year(url: str) -> None:
    """The year of activity the reports read (once: skipped when answers exist)."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        if session.exec(text("SELECT count(*) FROM feedback")).one()[0]:
            return
        _catalogue(session)
        headsets = _hub_headsets(session)
        _groups_and_loans(session, headsets, now)
        session.commit()
    _uses_and_answers(engine, {c: h[0] for c, h in headsets.items()},
                      now - timedelta(days=365))
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    engine.dispose()


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608
                 for t in ("centre", "headset", "vr_session", "booking", "headset_use",
                           "watched_video", "feedback", "participant", "allocation", "loan")}
    engine.dispose()
    return found


def _staff(engine: Engine, hub: str) -> str:
    with Session(engine) as session:
        if session.exec(text("SELECT id FROM staff_user WHERE email = 'admin@bench.org'")).first():
            return issue_and_commit(session)
        for email, role, centres in (("admin@bench.org", "admin", []),
                                     ("hub@bench.org", "manager", [hub])):
            create_staff(session, email=email, name=role, role=role, centre_slugs=centres,
                         password=PASSWORD)
        return issue_and_commit(session)


def issue_and_commit(session: Session) -> str:
    token = issue_api_token(session, "admin@bench.org")
    session.commit()
    return token


def measure(client: TestClient, engine: Engine, path: str, repeat: int,
            headers: dict) -> tuple[list[float], list[float], int, int]:
    """Wall-clock and this process's CPU time of each request, statements, status. On a
    shared machine the wall clock includes waiting for a core; the CPU time does not (on
    SQLite it includes the database's work, which runs in this process)."""
    counted = {"n": 0}

    def count(*_args) -> None:
        counted["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        status = client.get(path, headers=headers).status_code  # warm-up
        counted["n"] = 0
        times, cpu = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            status = client.get(path, headers=headers).status_code
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        return times, cpu, counted["n"] // repeat, status
    finally:
        event.remove(engine, "before_cursor_execute", count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--size", choices=list(SIZES), default="hubs40")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", help="an already generated network (skips generation)")
    args = parser.parse_args()
    url = args.url
    started = time.perf_counter()
    if url is None:
        url = fresh_url(args.db, args.size)
        build(url, args.size)
    add_year(url)
    print(f"data ready in {time.perf_counter() - started:.0f} s: {counts(url)}")
    engine = make_engine(url)
    token = _staff(engine, "hub-001")
    today = datetime.now(UTC).date()
    year = f"from={today - timedelta(days=364)}&to={today}"
    settings = Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()),
                        secret_key=secrets.token_urlsafe(32), base_url="http://bench")
    routes = {
        "network dashboard, 365 days (admin)": ("admin", f"/staff/reports?{year}"),
        "GET /api/v1/reports/activity (network)": ("api", f"/api/v1/reports/activity?{year}"),
        "network figures.csv": ("admin", f"/staff/reports/figures.csv?{year}"),
        "hub dashboard, 365 days": ("hub", f"/staff/reports?centre=hub-001&{year}"),
        "yearly report of a hub": ("hub", f"/staff/reports/year?centre=hub-001&year="
                                          f"{today.year}"),
    }
    with (TestClient(create_app(settings, engine)) as admin,
          TestClient(create_app(settings, engine)) as hub):
        login(admin, "admin@bench.org", PASSWORD)
        login(hub, "hub@bench.org", PASSWORD)
        clients = {"admin": admin, "hub": hub, "api": admin}
        print(f"size={args.size} db={args.db} repeat={args.repeat}")
        print(f"{'request':40} {'median ms':>9} {'max ms':>7} {'cpu ms':>7} "
              f"{'statements':>10} {'status':>6}")
        for name, (who, path) in routes.items():
            headers = {"Authorization": f"Bearer {token}"} if who == "api" else {}
            times, cpu, statements, status = measure(clients[who], engine, path,
                                                     args.repeat, headers)
            print(f"{name:40} {statistics.median(times) * 1000:9.0f} "
                  f"{max(times) * 1000:7.0f} {statistics.median(cpu) * 1000:7.0f} "
                  f"{statements:10d} {status:6d}")
        print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
              f"on {os.cpu_count()} cores")
    engine.dispose()


if __name__ == "__main__":
    main()
