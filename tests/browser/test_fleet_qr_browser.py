"""A QR asset label as a browser draws it: the SVG, rendered by Debian's Chromium, still
decodes (with the real zbarimg) to the headset's public address."""

import pytest
from playwright.sync_api import Page
from sqlmodel import Session

from factories import FACILITATOR, World, decode_qr, login, make_world, needs_zbarimg

pytestmark = [pytest.mark.browser, needs_zbarimg]
EXPECTED_URL = "http://testserver/h/MRS-VR-01"  # the test settings' base_url


@pytest.fixture
def world(db: Session, make_centre, make_staff) -> World:
    return make_world(db, make_centre, make_staff)


def test_svg_label_rendered_by_chromium_decodes_too(client, world, page: Page, tmp_path):
    login(client, FACILITATOR)
    svg = client.get("/staff/headsets/MRS-VR-01/qr.svg").text
    svg = svg[svg.index("<svg"):]  # drop the XML declaration to inline it in HTML
    page.set_content("<html><body style='margin:20px;background:#fff'>"
                     "<style>svg{width:400px;height:400px}</style>" + svg + "</body></html>")
    image = tmp_path / "svg-label.png"
    page.locator("body").screenshot(path=str(image))
    assert decode_qr(image) == EXPECTED_URL
