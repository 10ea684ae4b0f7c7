"""Staff sign-in, CSRF and role scoping. (Bearer tokens: ``api/test_bearer_tokens.py``.)"""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import PASSWORD, csrf_from, login
from vr_booking.models import StaffUser


def test_login_then_staff_area_then_logout(client: TestClient, make_centre, make_staff):
    make_centre("gap")
    make_staff("lea@example.org", centres=("gap",))
    response = login(client, "LEA@example.org ", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff"
    page = client.get("/staff")
    assert page.status_code == 200
    assert "Lea" in page.text
    assert "/staff/centres/gap" in page.text

    out = client.post("/staff/logout", data={"csrftoken": client.cookies["csrftoken"]},
                      follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_wrong_password_is_refused_with_a_message(client: TestClient, make_centre, make_staff):
    make_centre("gap")
    make_staff("lea@example.org", centres=("gap",))
    response = login(client, "lea@example.org", "wrong password")
    assert response.status_code == 401
    assert 'role="alert"' in response.text
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_unknown_email_gets_the_same_answer(client: TestClient):
    response = login(client, "nobody@example.org", "whatever password")
    assert response.status_code == 401


def test_inactive_account_cannot_sign_in(client, db: Session, make_centre, make_staff):
    make_centre("gap")
    user = make_staff("lea@example.org", centres=("gap",))
    user.is_active = False
    db.add(user)
    db.commit()
    assert login(client, "lea@example.org").status_code == 401


def test_staff_page_redirects_to_login_and_back(client: TestClient, make_centre, make_staff):
    make_centre("gap")
    make_staff("lea@example.org", centres=("gap",))
    response = client.get("/staff/centres/gap", follow_redirects=False)
    assert response.status_code == 303
    assert "/staff/login?next=%2Fstaff%2Fcentres%2Fgap" in response.headers["location"]
    token = csrf_from(client)
    done = client.post("/staff/login", data={"email": "lea@example.org", "password": PASSWORD,
                                             "next": "/staff/centres/gap", "csrftoken": token},
                       follow_redirects=False)
    assert done.headers["location"] == "/staff/centres/gap"


def test_login_never_redirects_off_site(client: TestClient, make_centre, make_staff):
    make_centre("gap")
    make_staff("lea@example.org", centres=("gap",))
    token = csrf_from(client)
    done = client.post("/staff/login", data={"email": "lea@example.org", "password": PASSWORD,
                                             "next": "//evil.example", "csrftoken": token},
                       follow_redirects=False)
    assert done.headers["location"] == "/staff"


def test_post_without_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, db: Session, make_centre, make_staff
):
    make_centre("gap")
    make_staff("lea@example.org", centres=("gap",))
    csrf_from(client)
    response = client.post("/staff/login", data={"email": "lea@example.org",
                                                 "password": PASSWORD})
    assert response.status_code == 403
    assert "<h1>" in response.text
    assert db.exec(select(StaffUser.last_login_at)).one() is None
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_post_with_a_forged_csrf_token_is_refused(client: TestClient, make_centre, make_staff):
    make_centre("gap")
    make_staff("lea@example.org", centres=("gap",))
    csrf_from(client)
    response = client.post("/staff/login", data={"email": "lea@example.org",
                                                 "password": PASSWORD, "csrftoken": "forged"})
    assert response.status_code == 403


def test_cookieless_cross_site_post_is_refused(app):
    with TestClient(app) as fresh:
        response = fresh.post("/staff/login", data={"email": "a@b.c", "password": "x"})
    assert response.status_code == 403


def test_logout_needs_csrf_too(client: TestClient, make_centre, make_staff):
    make_centre("gap")
    make_staff("lea@example.org", centres=("gap",))
    login(client, "lea@example.org")
    assert client.post("/staff/logout").status_code == 403
    assert client.get("/staff").status_code == 200


def test_facilitator_of_gap_cannot_see_istres(client: TestClient, make_centre, make_staff):
    make_centre("gap")
    make_centre("istres", name="Centre d'Istres", address="Secret street 12")
    make_staff("lea@example.org", centres=("gap",))
    make_staff("tom@example.org", centres=("istres",))
    login(client, "lea@example.org")
    assert client.get("/staff/centres/gap").status_code == 200
    response = client.get("/staff/centres/istres")
    assert response.status_code == 403
    assert "Secret street" not in response.text
    assert "Tom" not in response.text
    assert "Istres" not in client.get("/staff").text


def test_unknown_centre_is_404_for_staff(client: TestClient, make_centre, make_staff):
    make_centre("gap")
    make_staff("lea@example.org", centres=("gap",))
    login(client, "lea@example.org")
    assert client.get("/staff/centres/nowhere").status_code == 404


def test_admin_sees_every_centre(client: TestClient, make_centre, make_staff):
    make_centre("gap")
    make_centre("istres")
    make_staff("root@example.org", role="admin")
    login(client, "root@example.org")
    assert client.get("/staff/centres/gap").status_code == 200
    assert client.get("/staff/centres/istres").status_code == 200


def test_bumping_session_version_signs_out_everywhere(client, db: Session, make_centre,
                                                        make_staff):
    make_centre("gap")
    user = make_staff("lea@example.org", centres=("gap",))
    login(client, "lea@example.org")
    assert client.get("/staff").status_code == 200
    user.session_version += 1
    db.add(user)
    db.commit()
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_passwords_are_argon2_hashes(make_centre, make_staff):
    make_centre("gap")
    user = make_staff("lea@example.org", centres=("gap",))
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_an_oversized_form_is_refused_without_reading_it_all(client: TestClient):
    csrf_from(client)
    response = client.post("/staff/login", content=b"x" * (11 * 1024 * 1024),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_htmx_header_token_is_accepted(client: TestClient, make_centre, make_staff):
    make_centre("gap")
    make_staff("lea@example.org", centres=("gap",))
    login(client, "lea@example.org")
    out = client.post("/staff/logout", headers={"X-CSRFToken": client.cookies["csrftoken"]},
                      follow_redirects=False)
    assert out.status_code == 303
