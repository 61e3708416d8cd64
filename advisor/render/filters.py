"""The template filters: numbers, durations, times, units and identifiers formatted by
Babel for one locale; in a right-to-left locale every left-to-right value (numbers, units,
identifiers) is isolated in LRI...PDI (shared/reference/i18n-repl-style.md, section 2.7)."""

from __future__ import annotations

import datetime as _dt
import re

from babel import Locale

from advisor.read.logs.clean import BIDI, BIDI_OVERRIDES, CONTROL
from advisor.render import fmt

LRI, PDI, RLM = "\u2066", "\u2069", "\u200f"


def printable(value):
    """Every interpolated value (Jinja's finalize): no terminal control character and no
    bidi override or embedding reaches the terminal (pasted text is data). The isolates the
    filters put around left-to-right values stay."""
    if isinstance(value, str):
        return BIDI_OVERRIDES.sub("", CONTROL.sub("\ufffd", value))
    return value


def plain_value(text: str) -> str:
    """A value about to be isolated: no control character and no bidi character at all."""
    return BIDI.sub("", CONTROL.sub("\ufffd", text))


def filters(locale: str) -> dict:
    rtl = Locale.parse(locale).text_direction == "rtl"

    def ltr(text) -> str:
        text = plain_value(str(text))
        return f"{LRI}{text}{PDI}" if rtl else text

    def value(v) -> str:
        if isinstance(v, bool):
            return ltr(str(v))
        if isinstance(v, int):
            return ltr(fmt.integer(v, locale))
        if isinstance(v, float):
            return ltr(fmt.decimal(v, locale, 6 if abs(v) < 0.01 else 3))
        if isinstance(v, _dt.datetime):
            return fmt.when(v, locale)
        return ltr(v)

    def listing(items, limit: int = 6) -> str:
        """Numbers or identifiers joined the locale's way; in RTL each one isolated on its
        own, so the conjunction stays in the paragraph's direction."""
        items = list(items)
        shown = [fmt.integer(i, locale) if isinstance(i, int) else str(i) for i in items[:limit]]
        if len(items) > limit:
            return ltr(", ".join(shown) + ", …")
        if rtl:
            return fmt.items([ltr(x) for x in shown], locale)
        return fmt.items(shown, locale)

    def compact(v) -> str:
        text = fmt.compact(v, locale)
        m = re.match(r"^([-+]?[\d.,\u066b\u066c\u00a0]+)(.*)$", text)
        if rtl and m and m.group(2).strip():      # "123.59 مليون": only the number is LTR
            return ltr(m.group(1).strip()) + " " + m.group(2).strip()
        return ltr(text)

    def when_near(v, ref, span_s: float) -> str:
        """A range bound next to `ref`: the time alone when on the same day (with seconds
        when the whole range is under an hour), else date and time."""
        if v.date() == ref.date():
            return fmt.clock(v, locale, seconds=span_s < 3600)
        return fmt.when(v, locale)

    def sci(v, digits: int = 3) -> str:
        """2.552e18 -> '2.55E18' in the locale's decimal sign (scientific notation)."""
        return ltr(fmt.scientific(v, locale, digits))

    return {
        "sci": sci,
        "sig": lambda v, digits=3: ltr(fmt.significant(v, locale, digits)),
        "gib": lambda v: ltr(fmt.decimal(v / 1024 ** 3, locale, 2) + " GiB"),
        "gibs": lambda v: ltr(fmt.decimal(v, locale, 2) + " GiB"),
        "size": lambda v: ltr(fmt.decimal(v / 1024 ** 3, locale, 2) + " GiB" if v >= 1024 ** 3
                              else fmt.decimal(v / 1024 ** 2, locale, 1) + " MiB"),
        "compact": compact,
        "int": lambda v: ltr(fmt.integer(v, locale)),
        "dec": lambda v, places=2: ltr(fmt.decimal(v, locale, places)),
        "pct": lambda v: ltr(fmt.percent(v, locale)),
        "sec": lambda v, places=1: ltr(fmt.seconds(v, locale, places)),
        "dur": lambda v, precision="second": fmt.duration(v, locale, precision),
        "dur_short": lambda v: fmt.duration(v, locale, "minute", "short"),
        "when": lambda v, span_s=None: fmt.when(v, locale, span_s is not None and span_s < 3600),
        "when_near": when_near,
        "per_step": lambda v: ltr(fmt.seconds_sig(v, locale)),
        "code": ltr,
        "value": value,
        "listing": listing,
        "items": lambda xs: fmt.items([str(x) for x in xs], locale),
        "times": lambda v: ltr(fmt.significant(v, locale, 3) + "×"),
        "pct1": lambda v: ltr(fmt.percent(v, locale, 1)),
    }
