"""Every page of ``SITE_PAGES`` (the list the browser walks use) answers its status, for the
role that visits it, on both databases: an error page would pass the browser checks."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from factories import SITE_PAGES, SITE_STAFF, login, site_addresses


def test_every_page_answers(client: TestClient, demo: Session, make_staff):
    staff = {role: make_staff(email, role=role, centres=centres)
             for role, (email, centres) in SITE_STAFF.items()}
    addresses = site_addresses(demo, staff)
    answers = {}
    for role in ("", *SITE_STAFF):
        client.cookies.clear()
        if role:
            login(client, SITE_STAFF[role][0])
        for page in (p for p in SITE_PAGES if p.role == role):
            status = client.get(page.path.format(**addresses)).status_code
            if status != page.status:
                answers[f"{role or 'visitor'} {page.path}"] = status
    assert answers == {}
