"""Sign-in throttling (issue 9, item 14): a few failures for one account or from one address,
then 429 with a clear message for a while; an unknown account is answered the same way.
(Across two workers of a real server: ``concurrency/test_limits_across_workers.py``.)"""

from datetime import timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient

from factories import PASSWORD, login
from vr_booking.models import utcnow


@pytest.fixture
def strict(settings):
    settings.login_failures_per_account = 3
    settings.login_failures_per_address = 8
    settings.login_lockout_minutes = 15
    return settings


def _statuses(client: TestClient, email: str, password: str, times: int) -> list[int]:
    return [login(client, email, password).status_code for _ in range(times)]


def test_an_account_is_locked_for_a_while_after_a_few_failures(client, strict, make_staff):
    make_staff("lea@example.org", role="admin")
    assert _statuses(client, "lea@example.org", "wrong password", 4) == [401, 401, 401, 429]
    refused = login(client, "lea@example.org", PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    client.cookies.set("lang", "en")
    assert "please wait 15 minutes" in login(client, "lea@example.org", PASSWORD).text
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert login(client, "lea@example.org", PASSWORD).status_code == 303


def test_an_unknown_account_gets_the_same_answers(client, strict, make_staff):
    make_staff("lea@example.org", role="admin")
    client.cookies.set("lang", "en")
    known = [login(client, "lea@example.org", "wrong password") for _ in range(4)]
    unknown = [login(client, "nobody@example.org", "wrong password") for _ in range(4)]
    assert [a.status_code for a in known] == [a.status_code for a in unknown]
    for mine, theirs in zip(known, unknown, strict=True):
        assert (mine.text.replace("lea@example.org", "EMAIL")
                == theirs.text.replace("nobody@example.org", "EMAIL"))


def test_one_address_is_stopped_whatever_the_accounts(client, strict, make_staff):
    answers = [login(client, f"guess{n}@example.org", "wrong password").status_code
               for n in range(9)]
    assert answers == [401] * 8 + [429]


def test_a_success_takes_its_attempts_back(client, strict, make_staff):
    make_staff("lea@example.org", role="admin")
    assert _statuses(client, "lea@example.org", "wrong password", 2) == [401, 401]
    assert login(client, "lea@example.org", PASSWORD).status_code == 303
    client.post("/staff/logout", data={"csrftoken": client.cookies["csrftoken"]})
    assert _statuses(client, "lea@example.org", "wrong password", 3) == [401, 401, 401]
