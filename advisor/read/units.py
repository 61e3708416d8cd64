"""Numbers and step times as people write them: '0,2 s/it', '200ms', '5 it/s', '6.000' in
Spanish and French, '6,000' in English (pure). The one home of these rules."""

from __future__ import annotations

import re

# a step-time unit as typed after a number, and what it multiplies the number by
# (-1: the number is a rate, steps per second)
_STEP_UNITS = (("s/it", 1.0), ("it/s", -1.0), ("ms", 0.001), ("s", 1.0))
MAX_STEP_S = 1e9


def step_seconds(text: str) -> float | None:
    """'0.2', '0,2', '0.2s', '200ms', '0.2 s/it', '5 it/s' -> seconds per step (> 0)."""
    t = text.strip().lower().replace(" ", "")
    unit = 1.0
    for suffix, factor in _STEP_UNITS:
        if t.endswith(suffix):
            t, unit = t[: -len(suffix)], factor
            break
    if t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    if not (0 < v < MAX_STEP_S):
        return None
    return 1.0 / v if unit < 0 else v * unit


def parse_number(token: str, locale: str) -> float | None:
    """'0,2' and '0.2' -> 0.2; '6.000' (es/fr) and '6,000' (en) -> 6000; '6 000' -> 6000."""
    t = token.replace("\u00a0", " ").replace("\u202f", " ")
    if " " in t:                                        # 6 000 or 1 000,5 (fr)
        if not re.fullmatch(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?", t):
            return None
        m = re.fullmatch(r"([\d ]+)(?:[.,](\d+))?", t)
        return float(m.group(1).replace(" ", "") + ("." + m.group(2) if m.group(2) else ""))
    group, dec = (",", ".") if locale in ("en", "ar") else (".", ",")
    m = re.fullmatch(r"(\d{1,3}(?:" + re.escape(group) + r"\d{3})+)" + re.escape(dec) + r"(\d+)", t)
    if m:                                               # 1,000.5 (en) or 1.000,5 (es, fr)
        return float(m.group(1).replace(group, "") + "." + m.group(2))
    if re.fullmatch(r"\d{1,3}(?:" + re.escape(group) + r"\d{3})+", t):
        return float(t.replace(group, ""))
    if t.count(dec) == 1 and t.count(group) == 0:
        return float(t.replace(dec, "."))
    if t.count(group) == 1 and t.count(dec) == 0:       # 0.2 in fr, 0,2 in en: read as decimal
        return float(t.replace(group, "."))
    if t.isdigit():
        return float(t)
    return None
