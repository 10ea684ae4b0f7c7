"""Dates and times spelled out in the page's language: the same value in two languages, in
turn, and an instant read in its centre's zone (the spellings are kept once made)."""

from datetime import UTC, date, datetime, time

from vr_booking.i18n import current_language
from vr_booking.services.timeutil import spoken_date, spoken_time


def spelled(language: str, spell, *args) -> str:
    token = current_language.set(language)
    try:
        return spell(*args)
    finally:
        current_language.reset(token)


def test_a_time_is_spelled_in_each_language_in_turn():
    at = time(14, 20)
    assert [spelled(lang, spoken_time, at) for lang in ("fr", "en", "fr", "en")] == [
        "14:20", "2:20\u202fPM", "14:20", "2:20\u202fPM"]


def test_an_instant_is_spelled_at_its_centres_wall_clock():
    instant = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)  # 14:05 in Paris, 08:05 in Montreal
    assert spelled("fr", spoken_time, instant, "Europe/Paris") == "14:05"
    assert spelled("fr", spoken_time, instant, "America/Montreal") == "08:05"
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # already 2 July in Paris
    assert spelled("fr", spoken_date, late, "Europe/Paris") == "Jeudi 2 juillet 2026"
    assert spelled("en", spoken_date, late, "America/Montreal") == "Wednesday, July 1, 2026"


def test_a_date_is_spelled_in_each_format_and_language():
    day = date(2026, 12, 9)
    assert spelled("fr", spoken_date, day) == "Mercredi 9 décembre 2026"
    assert spelled("en", spoken_date, day) == "Wednesday, December 9, 2026"
    assert spelled("fr", spoken_date, day, None, "short") == "09/12/2026"
    assert spelled("fr", spoken_date, datetime(2026, 12, 9, 10, 0)) == "Mercredi 9 décembre 2026"
