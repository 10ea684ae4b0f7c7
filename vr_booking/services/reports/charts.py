"""Charts drawn on the server as SVG: no external service, no script, printable.

Each chart is a picture of a table that the page shows beside it, so the SVG is hidden from
assistive technologies (``aria-hidden``) and the table is what screen readers read. Colours
come from the stylesheet (classes), sizes from presentation attributes: no ``style``
attributes (Content Security Policy). Bars carry their label above them, so the drawing stays
legible when a phone scales it down to its width.
"""

from markupsafe import escape

from vr_booking.numbers import local_number
from vr_booking.services.reports.tables import ReportTable

WIDTH = 320
ROW = 36
BAR = 14
VALUE_SPACE = 64
LABEL_CHARACTERS = 46
FONT = 12


def _number(value: float, unit: str) -> str:
    text = local_number(value)  # what Babel writes, without its cost a bar (360 a network)
    return f"{text} %" if unit == "%" else text


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[:LABEL_CHARACTERS - 1] + "…"


def _svg(width: int, height: int, body: list[str]) -> str:
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
            f'{height}" width="{width}" height="{height}" aria-hidden="true" '
            f'focusable="false">{"".join(body)}</svg>')


def bar_chart(bars: list[tuple[str, float | None]], unit: str = "") -> str:
    """Horizontal bars, one a row, longest = largest value (100 for percentages)."""
    values = [value or 0 for _label, value in bars]
    top = 100.0 if unit == "%" else max(values, default=0)
    if not bars or not any(values):
        return ""
    body = []
    for row, ((name, value), amount) in enumerate(zip(bars, values, strict=True)):
        y = row * ROW
        length = round((WIDTH - VALUE_SPACE) * min(amount, top) / top, 1)
        body.append(f'<text class="chart-label" x="0" y="{y + FONT}" font-size="{FONT}">'
                    f'{escape(_short(str(name)))}</text>')
        body.append(f'<rect class="chart-bar" x="0" y="{y + 16}" width="{length}" '
                    f'height="{BAR}" rx="2"/>')
        shown = "—" if value is None else _number(value, unit)
        body.append(f'<text class="chart-value" x="{length + 4}" y="{y + 27}" '
                    f'font-size="{FONT}">{escape(shown)}</text>')
    return _svg(WIDTH, len(bars) * ROW, body)


def table_chart(table: ReportTable) -> str:
    """The chart of a dashboard table (empty when it has none or nothing to draw)."""
    if table.chart is None:
        return ""
    rows = table.rows[:table.chart.rows] if table.chart.rows is not None else table.rows
    return bar_chart([(row[0], row[table.chart.value]) for row in rows], table.chart.unit)


def column_chart(columns: list[tuple[str, float, str, bool]]) -> str:
    """Vertical columns (a year's months): (label, height, text shown above, is it a
    hidden small count — drawn lighter)."""
    if not any(value for _label, value, _text, _hidden in columns):
        return ""
    top, width, height, base = max(c[1] for c in columns), 28, 170, 150
    body = []
    for n, (name, value, text, hidden) in enumerate(columns):
        x = n * width
        size = round(120 * value / top, 1)
        kind = "chart-bar hidden-count" if hidden else "chart-bar"
        body.append(f'<rect class="{kind}" x="{x + 4}" y="{base - size}" '
                    f'width="{width - 8}" height="{size}" rx="2"/>')
        body.append(f'<text class="chart-value" x="{x + width / 2}" y="{base - size - 4}" '
                    f'font-size="10" text-anchor="middle">{escape(text)}</text>')
        body.append(f'<text class="chart-label" x="{x + width / 2}" y="{base + 14}" '
                    f'font-size="10" text-anchor="middle">{escape(name)}</text>')
    return _svg(width * len(columns), height, body)
