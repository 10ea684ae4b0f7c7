"""The dashboard's figures against hand-computed expectations on a fixed month of activity
(``factories.report_data``: March 2026 at Marseille, a loan to Gap, sessions at Nouméa and
Tahiti), an empty period, and periods cut in each centre's time zone."""

from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import select

from factories import REPORT_NOW, report_data
from vr_booking.models import Booking, BookingStatus, Loan, LoanHeadset
from vr_booking.services.reports.dashboard import build_dashboard, flat_figures
from vr_booking.services.reports.scope import Period, Scope, report_scope

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def data(db):
    return report_data(db)


def _dashboard(db, centres, period=MARCH, centre=None):
    return build_dashboard(db, Scope(centres, centre), period, REPORT_NOW)


def _marseille(db, data, period=MARCH):
    return _dashboard(db, [data.marseille], period, data.marseille)


def test_sessions_held_count_started_sessions_that_were_not_cancelled(db, data):
    sessions = _marseille(db, data).total.sessions
    # Three open-access slots held (one cancelled, one still to come), the workshop and the
    # group visit; the discovery event was cancelled and the one on 1 February is February's.
    assert dict(sessions) == {"open_access": 3, "workshop": 1, "group_visit": 1}


def test_people_served(db, data):
    people = _marseille(db, data).total.people
    assert (people.booked, people.checked_in, people.no_show) == (6, 3, 2)
    assert (people.walk_ins, people.group_participants) == (3, 11)  # attendance 8 + 3 present
    assert people.served == 17
    assert people.no_show_pct == 40.0  # 2 of the 5 booked visitors whose slot passed


def test_only_seats_held_count_as_booked(db, data):
    """Booked is confirmed, checked in or no-show, whatever other status a booking has."""
    slot = db.exec(select(Booking.session_id).where(Booking.id == data.ana.id)).one()
    for status in BookingStatus:
        db.add(Booking(session_id=slot, token=f"t-{status}", short_code=f"S-{status}"[:12],
                       name="X", status=status))
    db.commit()
    people = _marseille(db, data).total.people
    assert (people.booked, people.checked_in, people.no_show) == (9, 4, 3)


def test_headset_utilisation_follows_loans_and_allocations(db, data):
    dashboard = _marseille(db, data)
    usage = dashboard.total.usage
    # Available: 3 slots × 20 min for MRS-VR-01 and -02, less -02's slot while lent to Gap,
    # plus MRS-VR-01's 3 h reserved for groups: 240 + 40 min. The retired -03 is left out.
    assert usage.available_seconds == pytest.approx(280 * 60, abs=1)
    assert usage.used_seconds == pytest.approx(78 * 60, abs=1)  # the open use is not counted
    assert (usage.hours_used, usage.hours_available, usage.pct) == (1.3, 4.7, 27.9)
    by_tag = {h.asset_tag: h for h in dashboard.headsets}
    assert set(by_tag) == {"MRS-VR-01", "MRS-VR-02"}
    assert (by_tag["MRS-VR-01"].hours_used, by_tag["MRS-VR-01"].hours_available,
            by_tag["MRS-VR-01"].pct) == (1.0, 4.0, 25.0)
    assert by_tag["MRS-VR-02"].pct == 45.0  # 18 of its 40 minutes at home


def test_a_borrowing_centre_counts_the_lent_headset(db, data):
    gap = _dashboard(db, [data.gap], centre=data.gap)
    assert (gap.total.usage.hours_used, gap.total.usage.hours_available) == (0.8, 1.0)
    network = _dashboard(db, [data.marseille, data.gap])
    lent = next(h for h in network.headsets if h.asset_tag == "MRS-VR-02")
    assert lent.pct == 63.0  # (18 + 45) / (40 + 60) minutes


def test_a_cancelled_loan_moves_no_headset(db, data):
    """MRS-VR-01 was to go to Gap for the whole month, but the loan was cancelled: it stayed
    at Marseille, whose figures are those of the other tests."""
    loan = Loan(from_centre_id=data.marseille.id, to_centre_id=data.gap.id,
                start_date=date(2026, 3, 1), end_date=date(2026, 3, 31), status="cancelled")
    db.add(loan)
    db.flush()
    db.add(LoanHeadset.of(loan, data.headsets[0].id))
    db.commit()
    assert _marseille(db, data).total.usage.available_seconds == pytest.approx(280 * 60, abs=1)
    gap = _dashboard(db, [data.gap], centre=data.gap)
    assert (gap.total.usage.hours_used, gap.total.usage.hours_available) == (0.8, 1.0)


def test_a_dashboard_without_headset_rows_counts_them_and_keeps_every_figure(db, data):
    """What a network's page asks for: the same figures, the headsets counted, not listed."""
    centres = [data.marseille, data.gap, data.noumea]
    full = _dashboard(db, centres)
    short = build_dashboard(db, Scope(centres), MARCH, REPORT_NOW, headsets=False)
    assert [flat_figures(f) for f in short.centres] == [flat_figures(f) for f in full.centres]
    assert flat_figures(short.total) == flat_figures(full.total)
    assert (short.headsets, short.headset_count, full.headset_count) == ([], 2, 2)
    assert [h.asset_tag for h in full.headsets] == ["MRS-VR-01", "MRS-VR-02"]


def test_videos_and_jobs_watched_by_sector_and_domain(db, data):
    watched = _marseille(db, data).watched
    assert (watched.views, watched.screenings) == (4, 2)
    # V1 shows two Industrie jobs: a view of it counts once for Industrie and for domain H.
    assert watched.by_sector == [("Industrie", 3, 2), ("Santé", 2, 1)]
    assert watched.by_domain == [("H", 3, 2), ("J", 2, 1)]
    assert watched.by_job == [("Soudeur", "H2913", 3, 2), ("Chaudronnier", "H2902", 2, 1),
                              ("Infirmier", "J1506", 2, 1)]


def test_survey_figures_cut_at_local_midnight(db, data):
    dashboard = _marseille(db, data)
    answers = dashboard.total.answers
    # 28 Feb 23:30 UTC is 1 March in Paris (counted); 31 March 22:30 UTC is 1 April (not).
    assert answers.answers == 5
    assert (answers.learned_pct, answers.go_further_pct, answers.discomfort_pct) == (
        80.0, 40.0, 20.0)
    assert (answers.ratings, answers.average_rating) == (3, 8.0)
    assert dashboard.interests == [("Soudeur", "H2913", 2), ("Infirmier", "J1506", 1)]
    assert [c.text for c in dashboard.comments] == ["Super"]


def test_incidents_at_the_session_or_the_headset_home(db, data):
    assert dict(_marseille(db, data).total.incidents) == {"felt_unwell": 1, "damage": 1}
    gap = _dashboard(db, [data.gap], centre=data.gap)
    assert dict(gap.total.incidents) == {"other": 1}


def test_network_totals_add_up_the_centres(db, data):
    centres = [data.gap, data.marseille, data.noumea, data.tahiti]
    network = _dashboard(db, centres)
    by_slug = {f.centre.slug: f for f in network.centres}
    # 1 March 01:00 in Nouméa is 28 February in UTC; 28 February in Tahiti is 1 March in UTC.
    assert dict(by_slug["noumea"].sessions) == {"workshop": 1}
    assert by_slug["noumea"].people.group_participants == 3
    assert sum(by_slug["tahiti"].sessions.values()) == 0
    assert sum(network.total.sessions.values()) == 7  # Marseille 5, Gap 1, Nouméa 1
    people = network.total.people
    assert (people.booked, people.checked_in, people.served) == (7, 4, 21)


def test_tahiti_february_holds_its_evening_workshop(db, data):
    february = Period(date(2026, 2, 1), date(2026, 2, 28))
    tahiti = _dashboard(db, [data.tahiti], february, data.tahiti)
    assert dict(tahiti.total.sessions) == {"workshop": 1}
    assert tahiti.total.people.group_participants == 7


def test_an_empty_period_has_zeros_and_no_rates(db, data):
    empty = _marseille(db, data, Period(date(2025, 1, 1), date(2025, 1, 31)))
    figures = dict(flat_figures(empty.total))
    assert figures["sessions.total"] == 0
    assert figures["people.booked"] == figures["people.served"] == 0
    assert figures["people.no_show_pct"] is None
    assert figures["utilisation.pct"] is None
    assert figures["survey.answers"] == 0
    assert figures["survey.learned_pct"] is None
    assert empty.headsets == []
    assert empty.watched.by_sector == []


def test_the_statement_count_does_not_grow_with_the_network(db, data, engine):
    counted = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if not statement.startswith(("BEGIN", "SAVEPOINT")):
            counted.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        _dashboard(db, [data.marseille])
        small = len(counted)
        counted.clear()
        _dashboard(db, [data.gap, data.marseille, data.noumea, data.tahiti])
        assert len(counted) == small
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_an_administrators_network_in_one_zone_needs_no_list_of_centres(db, data, make_staff):
    """Every centre in one time zone: the administrator's scope cuts the period without
    naming the centres in SQL, and finds the same figures as the list of them."""
    for centre in (data.noumea, data.tahiti):
        centre.timezone = "Europe/Paris"
        db.add(centre)
    db.commit()
    admin = make_staff("root@example.org", role="admin")
    every = report_scope(db, admin, None)
    assert every.every_centre
    listed = Scope(list(every.centres))
    mine, theirs = (build_dashboard(db, scope, MARCH, REPORT_NOW) for scope in (every, listed))
    assert flat_figures(mine.total) == flat_figures(theirs.total)
    assert [flat_figures(f) for f in mine.centres] == [flat_figures(f) for f in theirs.centres]
    assert sum(mine.total.sessions.values()) > 0
    assert [(h.asset_tag, h.used_seconds, h.available_seconds) for h in mine.headsets] == [
        (h.asset_tag, h.used_seconds, h.available_seconds) for h in theirs.headsets]
    assert (mine.watched, mine.interests) == (theirs.watched, theirs.interests)
