"""CSV exports and the small-cell rule.

Exports meant for outside (the label's yearly report, the ESF breakdown) show every count
from 1 to ``threshold - 1`` as "<threshold" (``report_small_cell_threshold``, default 5), so
that nobody can be picked out of a small group; a zero stays 0, since it describes nobody.
Free text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``) is written with a leading apostrophe.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

from vr_booking.services.reports.dashboard import Dashboard, flat_figures
from vr_booking.services.reports.tables import ReportTable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def small_cell(value: Any, threshold: int) -> Any:
    """``value``, or "<threshold" when it is a count too small to show outside."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < threshold:
        return f"<{threshold}"
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    """A CSV document (comma-separated, one header row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def table_csv(table: ReportTable, threshold: int | None = None) -> str:
    """A dashboard table as CSV; with ``threshold``, small counts are hidden."""
    rows = table.rows if threshold is None else [
        [small_cell(value, threshold) for value in row] for row in table.rows]
    return csv_text([column.key for column in table.columns], rows)


def figures_csv(dashboard: Dashboard) -> str:
    """Every named figure of every centre (and of the network, as ``all``): one row each,
    ``centre,figure,value``: the CSV twin of the JSON API."""
    rows = [[f.centre.slug, name, value] for f in dashboard.centres
            for name, value in flat_figures(f)]
    if dashboard.scope.centre is None:
        rows += [["all", name, value] for name, value in flat_figures(dashboard.total)]
    return csv_text(["centre", "figure", "value"], rows)
