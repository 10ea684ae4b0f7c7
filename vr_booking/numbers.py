"""Numbers in the request's language, as Babel writes them, for the cells and charts of
reports (thousands of numbers a page)."""

import math
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel.numbers import (
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
)

from vr_booking.i18n import current_language

TENTH = Decimal("0.1")


@lru_cache(maxsize=16)
def _number_symbols(language: str) -> tuple[str, str, str]:
    return (get_group_symbol(language), get_decimal_symbol(language),
            get_minus_sign_symbol(language))


def local_number(value: float | None) -> str:
    """A count or a figure with one decimal, in the page's language (12,5 in French).

    What Babel writes with the pattern "#,##0.#" (half-even rounding), without Babel reading
    its locale and pattern again for each of the thousands of cells of a report table."""
    if value is None:
        return "—"
    if not math.isfinite(value):
        return format_decimal(value, format="#,##0.#", locale=current_language.get())
    group, point, minus = _number_symbols(current_language.get())
    if type(value) is int:
        whole, tenth, negative = abs(value), 0, value < 0
    else:
        whole, tenth, negative = _tenths(value)
    text = f"{whole:,}".replace(",", group) + (f"{point}{tenth}" if tenth else "")
    return minus + text if negative else text


def _tenths(value: float) -> tuple[int, int, bool]:
    """(whole part, tenth, sign) of ``value`` rounded half-even to one decimal, as Babel
    rounds. Most report figures are floats already rounded to one decimal: those are read
    from their shortest text without going through Decimal (a network's page has thousands)."""
    text = repr(value) if type(value) is float else ""
    whole, point, decimals = text.partition(".")
    if point and len(decimals) == 1:  # "12.5", "-0.0"; not "1e+16" nor "1.5e+16"
        return int(whole.lstrip("-")), int(decimals), whole.startswith("-")
    rounded = Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_EVEN)
    whole_part, tenth = divmod(int(abs(rounded) * 10), 10)
    return whole_part, tenth, rounded.is_signed()  # as Babel: -0.04 is "-0"
