"""Every page (``SITE_PAGES`` in factories.py, built from the demo data after a busy desk
day) in the system Chromium: axe-core finds no serious or critical violation, in French and
in English; nothing scrolls sideways at 360 and 320 CSS px (a phone; 400 % zoom on a laptop),
and data tables are read without scrolling inside their own box."""

import pytest
from playwright.sync_api import Browser, Page

from factories import SITE_PAGES, SITE_STAFF, Site, serious_violations, sign_in

pytestmark = pytest.mark.browser
ROLES = ("", *SITE_STAFF)
WIDTHS = (360, 320)

# Anything wider than the viewport: the page itself, or a box that scrolls inside it.
OVERFLOW = """width => {
  const wide = [];
  if (document.documentElement.scrollWidth > width) {
    wide.push(`page ${document.documentElement.scrollWidth}px`);
  }
  for (const el of document.querySelectorAll("main *, header *")) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
    const hidden = el.closest(".visually-hidden, .skip-link");
    if (box.width && (box.right > width + 1 || box.left < -1) && !hidden) {
      wide.push(`${name} ${Math.round(box.left)}–${Math.round(box.right)}px`);
    }
    if (el.scrollWidth > el.clientWidth + 1 && ["auto", "scroll"].includes(style.overflowX)) {
      wide.push(`${name} scrolls inside`);
    }
  }
  return wide.slice(0, 5);
}"""


def _walk(browser: Browser, site: Site, role: str, language: str, visit) -> dict:
    """Open every page of ``role`` in a fresh context signed in as that role, in
    ``language``; ``visit(page, address)`` returns the problems found there."""
    context = browser.new_context(locale="fr-FR" if language == "fr" else "en-GB")
    page = context.new_page()
    if role:
        sign_in(page, site.url, SITE_STAFF[role][0])
    page.goto(f"{site.url}/lang/{language}?next=/")
    found = {}
    for entry in site.pages(role):
        address = site.address(entry)
        status = page.goto(address).status
        problems = visit(page, address)
        if status != entry.status:  # an error page would pass the other checks
            problems = [f"answered {status}", *problems]
        if problems:
            found[f"{role or 'visitor'} {entry.path}"] = problems
    context.close()
    return found


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_has_no_serious_accessibility_violation(browser: Browser, site: Site,
                                                           language: str):
    found = {}
    for role in ROLES:
        found |= _walk(browser, site, role, language,
                       lambda page, _address: serious_violations(page))
    assert found == {}


def test_every_page_reflows_at_360_and_320_px(browser: Browser, site: Site):
    def visit(page: Page, _address: str) -> list[str]:
        problems = []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 700})
            wide = page.evaluate(OVERFLOW, width)
            problems += [f"{width}px: {w}" for w in wide]
        page.set_viewport_size({"width": 1280, "height": 800})
        return problems

    found = {}
    for role in ROLES:
        found |= _walk(browser, site, role, "fr", visit)
    assert found == {}


def test_no_page_is_left_out_of_the_walks():
    """Each page's role is walked (a page for a role missing from SITE_STAFF would not be)."""
    assert {p.role for p in SITE_PAGES} <= set(ROLES)


def test_the_checkers_do_catch_a_bad_page(page: Page):
    """Control: the same checks fail on a page with known faults."""
    page.set_content('<html><body><main><img src="x.png"><input type="text"><button></button>'
                     '<p style="width: 900px">wide</p></main></body></html>')
    assert len(serious_violations(page)) >= 2
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate(OVERFLOW, 320)
