"""The focus outline contrasts at least 3:1 with every background it sits on (WCAG 1.4.11),
computed from the page's own styles: each control is reached with Tab (so that
:focus-visible applies) on pages that cover the surfaces (header, page, slot chips, error
and notice boxes, the desk's rows)."""

import pytest
from playwright.sync_api import Page

from factories import SITE_STAFF, Site, sign_in

pytestmark = pytest.mark.browser
MAX_TABS = 120

# For the focused element: its outline, and the first opaque background behind the outline
# (the outline is drawn outside the element, over its parent's surface).
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  // An outline drawn inside the element (negative offset) sits on the element itself.
  let node = parseFloat(style.outlineOffset) < 0 ? el : el.parentElement;
  let background = "rgb(255, 255, 255)";
  while (node) {
    const color = getComputedStyle(node).backgroundColor;
    if (color && color !== "transparent" && !color.endsWith(", 0)")) { background = color; break; }
    node = node.parentElement;
  }
  const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
               " " + (el.textContent || el.value || "").trim().slice(0, 30);
  return {name, style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          color: style.outlineColor, background};
}"""


def _rgb(css: str) -> tuple[float, float, float]:
    parts = css[css.index("(") + 1:css.index(")")].replace("/", ",").split(",")
    return tuple(float(p) for p in parts[:3])


def _luminance(css: str) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(css))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def weak_outlines(page: Page) -> list[str]:
    """Tab through the page: every focused control whose outline is missing, thin, or under
    3:1 against the surface around it."""
    page.locator("body").focus()
    found, seen = [], set()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if focus is None or focus["name"] in seen:
            break
        seen.add(focus["name"])
        ratio = contrast(focus["color"], focus["background"])
        if focus["style"] == "none" or focus["width"] < 2 or ratio < 3:
            found.append(f"{focus['name']}: {focus['color']} on {focus['background']} "
                         f"= {ratio:.2f}:1, {focus['style']} {focus['width']}px")
    return found


def test_the_focus_outline_contrasts_on_every_surface(page: Page, site: Site):
    found = {}
    pages = ["/", "/book/{slot}", "/b/{ticket}", "/catalogue", "/catalogue/jobs/{job}"]
    for path in pages:
        page.goto(site.url + path.format(**site.addresses))
        found[path] = weak_outlines(page)
    page.goto(site.url + "/book/{slot}".format(**site.addresses))
    page.locator("form button[type=submit]").last.click()  # the error summary's links
    found["booking errors"] = weak_outlines(page)
    sign_in(page, site.url, SITE_STAFF["manager"][0])
    for path in ("/staff/centres/marseille/today", "/staff/headsets/MRS-VR-01",
                 "/staff/centres/marseille/open-access"):
        page.goto(site.url + path)
        found[path] = weak_outlines(page)
    failures = {k: v for k, v in found.items() if v}
    assert failures == {}, "\n".join(f"{k}: {v}" for k, v in failures.items())


def test_the_check_fails_on_the_old_orange_outline(page: Page):
    """Control: the orange outline measured 2.13:1 on white and 1.95:1 on slot chips."""
    assert round(contrast("rgb(240, 162, 2)", "rgb(255, 255, 255)"), 2) == 2.13
    page.set_content('<html><body><p><a href="#">link</a></p><ul><li style="background:'
                     '#f3f5f8"><a href="#">chip</a></li></ul><style>:focus-visible{outline:'
                     '3px solid #f0a202}</style></body></html>')
    assert len(weak_outlines(page)) == 2
