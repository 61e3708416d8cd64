"""Locale-aware formatting of numbers, durations and clock times, all through Babel."""

from __future__ import annotations

import datetime as _dt
import math

from babel.dates import format_skeleton, format_time, get_datetime_format
from babel.lists import format_list
from babel import Locale
from babel.numbers import format_compact_decimal, format_decimal, format_percent, format_scientific
from babel.units import format_unit


# Every formatter takes any number it can be handed: nan and infinities come out as the
# locale's symbols, and magnitudes past HUGE in scientific notation (Babel's fixed-point
# rounding fails past about 1e27).
HUGE = 1e15


def _pattern(places: int) -> str:
    return "#,##0" + ("." + "#" * places if places > 0 else "")


def _odd(value, locale: str) -> str | None:
    """The text of a value fixed-point formatting cannot take, else None."""
    if isinstance(value, float) and not math.isfinite(value):
        return format_decimal(value, locale=locale)          # NaN, ∞, -∞
    if abs(value) >= HUGE:
        return scientific(value, locale)
    return None


def integer(value, locale: str) -> str:
    return _odd(value, locale) or format_decimal(round(value), format="#,##0", locale=locale)


def decimal(value, locale: str, places: int = 2) -> str:
    return _odd(value, locale) or format_decimal(value, format=_pattern(places), locale=locale)


def significant(value, locale: str, digits: int = 3) -> str:
    """0.009951 -> '0.00995', 9.59 -> '9.59', 1234.5 -> '1,235' (digits significant)."""
    odd = _odd(value, locale)
    if odd is not None:
        return odd
    if abs(value) >= 10 ** digits:
        return format_decimal(round(value), format="#,##0", locale=locale)
    return format_decimal(value, format="@" * digits, locale=locale)


def scientific(value, locale: str, digits: int = 3) -> str:
    """2.552e18 -> '2.55E18' (digits significant)."""
    if isinstance(value, float) and not math.isfinite(value):
        return format_decimal(value, locale=locale)
    return format_scientific(value, format="#." + "#" * (digits - 1) + "E0", locale=locale)


def compact(value, locale: str) -> str:
    """40,560,000 -> '40.56M' / '40,56 M' (two decimals at most)."""
    odd = _odd(value, locale)
    if odd is not None:
        return odd
    return format_compact_decimal(value, format_type="short", fraction_digits=2, locale=locale)


def percent(fraction, locale: str, places: int = 0) -> str:
    """0.2 -> '20%' / '20 %' (the locale's own pattern and spacing, whole percent unless
    `places` decimals are asked for: 0.129 -> '12.9%')."""
    odd = _odd(fraction * 100, locale)
    if odd is not None:
        return odd + "\u00a0%"
    if places:
        pattern = Locale.parse(locale).percent_formats[None].pattern
        pattern = pattern.replace("0", "0." + "0" * places, 1) if "." not in pattern else pattern
        return format_percent(fraction, format=pattern, locale=locale)
    return format_percent(fraction, locale=locale)


def seconds(value, locale: str, places: int = 1) -> str:
    """23571.149 -> '23,571.1 s' (short unit, locale separators)."""
    odd = _odd(value, locale)
    if odd is not None:
        return _with_unit(odd, "duration-second", locale)
    return format_unit(value, "duration-second", length="short", format=_pattern(places), locale=locale)


def _with_unit(number: str, unit: str, locale: str) -> str:
    """A number that is already text, with the locale's short unit around it."""
    return format_unit(5, unit, length="short", format="0", locale=locale).replace("5", number, 1)


def seconds_sig(value, locale: str, digits: int = 4) -> str:
    """A per-step time with `digits` significant digits: 0.4001104 -> '0.4001 s',
    3.99511 -> '3.995 s' (so that steps x this visibly gives the product shown)."""
    odd = _odd(value, locale)
    if odd is not None:
        return _with_unit(odd, "duration-second", locale)
    fmt = "@" * digits if abs(value) < 10 ** digits else "#,##0"
    return format_unit(value, "duration-second", length="short", format=fmt, locale=locale)


DAYS_FROM_S = 48 * 3600    # from two days on a duration is said in days and hours
MAX_DURATION_S = HUGE      # beyond, the days in scientific notation


def duration(total_seconds: float, locale: str, precision: str = "second",
             width: str = "long") -> str:
    """23571 s -> '6 hours, 32 minutes, and 51 seconds' in the locale's words;
    width='short' -> '6h, 32m, 51s' (CLDR's narrow units).

    One policy in every locale: under 48 hours, hours, minutes and seconds (precision
    'minute' rounds to whole minutes from an hour up); from 48 hours on, days and hours,
    rounded to the hour ('4 days and 4 hours', never '99 hours').
    """
    if not math.isfinite(total_seconds):
        return _with_unit(format_decimal(total_seconds, locale=locale), "duration-second", locale)
    if abs(total_seconds) >= MAX_DURATION_S:
        return _with_unit(scientific(total_seconds / 86400, locale), "duration-day", locale)
    if total_seconds < 0:
        return Locale.parse(locale).number_symbols["latn"]["minusSign"] + duration(
            -total_seconds, locale, precision, width)
    total = int(round(total_seconds))
    if total >= DAYS_FROM_S:
        hours_total = int(round(total / 3600.0))
        days, hours = divmod(hours_total, 24)
        units = (("day", days), ("hour", hours))
    else:
        if precision == "minute" and total >= 3600:
            total = int(round(total / 60.0)) * 60
        hours, rem = divmod(total, 3600)
        minutes, secs = divmod(rem, 60)
        units = (("hour", hours), ("minute", minutes), ("second", secs))
    parts = [_unit(v, u, width, locale) for u, v in units if v]
    if not parts:
        return _unit(0, "second", width, locale)
    # the "unit" list styles fail for es (no 'start' pattern) and repeat items for ar
    return _join(parts, "standard" if width == "long" else "standard-narrow", locale)


def _join(parts: list[str], style: str, locale: str) -> str:
    """format_list, falling back to the "standard" style where CLDR's data for a style is
    partial (fr "standard-narrow" has no 'start' pattern for 3+ items)."""
    try:
        return format_list(parts, style=style, locale=locale)
    except KeyError:
        return format_list(parts, style="standard", locale=locale)


def _unit(value: int, unit: str, width: str, locale: str) -> str:
    """One duration unit: CLDR's long form, or for width='short' its narrow form ('5h',
    '14min'), the compact one people write in a range."""
    length = "long" if width == "long" else "narrow"
    return format_unit(value, f"duration-{unit}", length=length, locale=locale)


def items(texts: list[str], locale: str) -> str:
    """['3', '6', '9'] -> '3, 6, and 9' / '3, 6 y 9' / '3 و6 و9'."""
    return format_list(texts, style="standard", locale=locale) if texts else ""


def clock(moment: _dt.datetime, locale: str, seconds: bool = False) -> str:
    """The time of day alone: '5:34 PM', '17:34', or with seconds."""
    return format_time(moment, "medium" if seconds else "short", tzinfo=moment.tzinfo,
                       locale=locale)


def when(moment: _dt.datetime, locale: str, seconds: bool = False) -> str:
    """A clock time with its date, in the locale's own order: 'Mon, Nov 23, 2026, 5:34 PM'."""
    tz = moment.tzinfo
    date = format_skeleton("yMMMEd", moment, tzinfo=tz, locale=locale)
    time = clock(moment, locale, seconds)
    return get_datetime_format("medium", locale=locale).replace("{1}", date).replace("{0}", time)
