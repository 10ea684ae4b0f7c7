"""A password link is spent once even when the same link is posted by several requests at
the same moment against a running two-worker server (a conditional update claims it)."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import Session, select

from factories import GAP_FACILITATOR, password_link, start_server, stop_server
from vr_booking.models import AuditEvent, LinkPurpose, PasswordLink
from vr_booking.models import utcnow as now
from vr_booking.services.admin.links import send_link

POSTS = 8


@pytest.fixture
def two_workers(db_url, tmp_path):
    server = start_server(db_url, tmp_path / "server", workers=2)
    yield server
    stop_server(server)


def _post(url: str, path: str, password: str) -> int:
    with httpx.Client(base_url=url, timeout=60) as client:
        client.get(path)  # the CSRF cookie
        return client.post(path, data={"password": password, "password_again": password,
                                       "csrftoken": client.cookies["csrftoken"]}).status_code


def test_one_link_sets_one_password(db: Session, network, two_workers):
    send_link(db, network.staff[GAP_FACILITATOR], LinkPurpose.reset, now())
    db.commit()
    path = password_link(db, GAP_FACILITATOR)
    with ThreadPoolExecutor(POSTS) as pool:
        statuses = Counter(pool.map(lambda n: _post(two_workers.url, path, f"racing phrase {n}"),
                                    range(POSTS)))
    assert statuses == {200: 1, 404: POSTS - 1}
    db.commit()
    assert db.exec(select(PasswordLink.used_at)).one() is not None
    assert db.exec(select(AuditEvent.action).where(
        AuditEvent.action == "staff.password_set")).all() == ["staff.password_set"]
