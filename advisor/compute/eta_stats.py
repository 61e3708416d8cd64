"""Robust statistics of step times (pure): the newest process's steps, evaluation counts,
robust level and spread, level shifts, a damped Theil-Sen trend, the range's half-width and
its calibration bucket. Thresholds: shared/reference/eta-method.md, sections 5.2-5.7."""

from __future__ import annotations

import math
import statistics
from typing import Sequence

from advisor.read.logs.steps import Sample

SHIFT_RATIO = 1.2            # blocks of step times this far apart: the level changed
TREND_MIN = 0.02             # a trend must move the step time by 2 % over the window


def newest_segment(samples: Sequence[Sample]) -> tuple[list[Sample], bool]:
    """Samples of the newest process: a resume restarts (or jumps back in) the iteration
    count. Duplicates of an iteration keep the last one seen."""
    start = 0
    for i in range(1, len(samples)):
        if samples[i].iter < samples[i - 1].iter:
            start = i
    seg: dict[int, Sample] = {}
    for s in samples[start:]:
        seg[s.iter] = s
    return [seg[k] for k in sorted(seg)], start > 0


def evals_between(after: int, upto: int, interval: int) -> int:
    """Multiples of `interval` in (after, upto]."""
    if upto <= after:
        return 0
    return upto // interval - after // interval


def median_abs_dev(xs: Sequence[float], m: float) -> float:
    return statistics.median(abs(x - m) for x in xs)


def robust_scale(xs: Sequence[float]) -> tuple[float, float]:
    m = statistics.median(xs)
    return m, max(1.4826 * median_abs_dev(xs, m), 0.01 * m)


def rel_band(window: Sequence[float], mean: float) -> float:
    """Relative half-width of the range on the regular-step time.

    A mean over few steps says little about the rest of a run; over many it is limited by
    drift. Floors: 20 % under 5 samples, 8 % under 30, else 3 %; never below two standard
    errors or the drift between the two halves of the window.
    """
    n = len(window)
    if n < 5:
        return 0.20
    floor = 0.08 if n < 30 else 0.03
    sd = statistics.pstdev(window)
    se = 2 * sd / math.sqrt(n) / mean
    half = n // 2
    drift = abs(statistics.mean(window[half:]) - statistics.mean(window[:half])) / mean
    return max(floor, se, drift)


def last_level_shift(values: Sequence[float]) -> tuple[int, float] | None:
    """(index where the newest level starts, new/old ratio) when the regular step times
    jumped by more than SHIFT_RATIO between two consecutive tenths of the series."""
    n = len(values)
    if n < 20:
        return None
    size = max(5, n // 10)
    meds = [(a, statistics.median(values[a:a + size])) for a in range(0, n - size + 1, size)]
    found = None
    for (_, m0), (a1, m1) in zip(meds, meds[1:]):
        ratio = m1 / m0
        if ratio > SHIFT_RATIO or ratio < 1 / SHIFT_RATIO:
            found = (min(a1 + size // 2, n - 5), ratio)
    return found


def theil_sen(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    slopes = [(ys[j] - ys[i]) / (xs[j] - xs[i])
              for i in range(len(xs)) for j in range(i + 1, len(xs)) if xs[j] != xs[i]]
    return statistics.median(slopes) if slopes else None


def damped_trend(iters: Sequence[int], dts: Sequence[float], n_rem: int):
    """(seconds for the remaining steps, relative change over the observed span, relative
    change if it went on to the end) when the step time drifts: a Theil-Sen slope, agreed
    on by both halves, that moves the step time by more than TREND_MIN over the span. The
    trend runs for as long again as it was observed, then holds (eta-method 5.4). None
    when there is no such trend."""
    n = len(dts)
    if n < 20 or n_rem <= 0:
        return None
    beta = theil_sen(iters, dts)
    half = n // 2
    b1, b2 = theil_sen(iters[:half], dts[:half]), theil_sen(iters[half:], dts[half:])
    if not beta or not b1 or not b2 or not (beta > 0) == (b1 > 0) == (b2 > 0):
        return None
    span = iters[-1] - iters[0]
    level = statistics.median(d - beta * (x - iters[-1]) for x, d in zip(iters, dts))
    slope_rel = beta * span / level
    if abs(slope_rel) < TREND_MIN or level + beta * span < 0.2 * level:
        return None
    h = min(n_rem, span)
    total = n_rem * level + beta * (h * (h + 1) / 2 + (n_rem - h) * h)
    # how much more the step time would move if the drift went on past the damping horizon
    beyond = abs(beta) * max(0, n_rem - h) / level
    return total, slope_rel, beyond


STAGES = ((0.2, "0-20"), (0.4, "20-40"), (0.6, "40-60"), (1.01, "60-100"))


def calibration_bucket(done: float, history: str) -> str:
    """Which residual quantiles apply: how far the run is (the fraction of its steps done)
    and what its history is: 'steady' or 'variable' step times, or 'clock' (a progress
    bar's elapsed clock, one number with no spread)."""
    stage = next(name for upto, name in STAGES if min(max(done, 0.0), 1.0) < upto)
    return f"{stage}/{history}"
