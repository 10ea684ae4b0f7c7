"""QR asset labels: the codes decode (with the real zbarimg) to the headset's public address,
the A4 label sheet, and what ``/h/{asset_tag}`` shows to staff and to anyone else.

The SVG label as Chromium draws it is checked in ``browser/test_fleet_qr_browser.py``."""

import xml.etree.ElementTree as ET

import pytest
from sqlmodel import Session

from factories import (
    FACILITATOR,
    GAP_FACILITATOR,
    MANAGER,
    World,
    add_headsets,
    decode_qr,
    login,
    make_world,
    needs_zbarimg,
)

EXPECTED_URL = "http://testserver/h/MRS-VR-01"  # the test settings' base_url


@pytest.fixture
def world(db: Session, make_centre, make_staff) -> World:
    return make_world(db, make_centre, make_staff)


@needs_zbarimg
def test_png_label_decodes_to_the_public_headset_address(client, world, tmp_path):
    login(client, FACILITATOR)
    response = client.get("/staff/headsets/MRS-VR-01/qr.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    image = tmp_path / "label.png"
    image.write_bytes(response.content)
    assert decode_qr(image) == EXPECTED_URL


def test_svg_label_is_well_formed_svg(client, world):
    login(client, FACILITATOR)
    response = client.get("/staff/headsets/MRS-VR-01/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)  # noqa: S314  (our own output)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox")


def test_qr_routes_need_staff_who_may_see_the_headset(client, world):
    assert client.get("/staff/headsets/MRS-VR-01/qr.png",
                      follow_redirects=False).status_code == 303  # to sign-in
    login(client, GAP_FACILITATOR)
    assert client.get("/staff/headsets/MRS-VR-01/qr.svg").status_code == 403


def test_label_sheet_is_a4_with_3_by_8_labels_and_skips_retired_headsets(client, db: Session,
                                                                         world):
    add_headsets(db, world.marseille, 23, prefix="MRS-XR-")  # 3 + 23 = 26: two sheets
    add_headsets(db, world.marseille, 1, prefix="OLD-VR-", service_state="retired")
    login(client, FACILITATOR)
    page = client.get("/staff/centres/marseille/labels")
    assert page.status_code == 200
    css = client.get("/static/css/app.css").text  # no inline style (the CSP)
    assert "/static/css/app.css" in page.text
    assert "size: A4" in css
    assert "repeat(3, 70mm)" in css
    assert "grid-auto-rows: 37mm" in css
    assert page.text.count('class="label-sheet"') == 2
    assert page.text.count('class="label"') == 26
    assert '<span class="tag">MRS-VR-01</span>' in page.text
    assert "/staff/headsets/MRS-VR-01/qr.svg" in page.text
    assert "OLD-VR-01" not in page.text


def test_public_address_sends_staff_to_the_headset_page(client, world):
    login(client, MANAGER)
    response = client.get("/h/MRS-VR-01", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/headsets/MRS-VR-01"


def test_public_address_shows_only_the_owner_to_anyone_else(client, world):
    page = client.get("/h/MRS-VR-01?lang=en")
    assert page.status_code == 200
    assert "This headset belongs to Cité des métiers de Marseille" in page.text
    assert "cdm@example.org" in page.text
    assert "04 00 00 00 00" in page.text
    assert "SN-MRS-VR-1" not in page.text  # no inventory data
    assert "Meta Quest" not in page.text

    login(client, GAP_FACILITATOR)  # staff of another centre: the same neutral page
    other = client.get("/h/MRS-VR-01", follow_redirects=False)
    assert other.status_code == 200
    assert "SN-MRS-VR-1" not in other.text


def test_unknown_asset_tag_is_a_404_page(client, world):
    response = client.get("/h/XYZ-VR-99")
    assert response.status_code == 404
    assert "<h1>" in response.text
