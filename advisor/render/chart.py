"""A small chart of step times for the terminal, evaluations and stalls marked (pure)."""

from __future__ import annotations

import statistics

BARS = "▁▂▃▄▅▆▇█"
MIN_WIDTH = 60       # narrower terminals get no chart
STEPS_PER_COLUMN = 25
CLIP_MEDIANS = 3     # a column is clipped at this many times the median step
MARKS = {"eval": "e", "stall": "!", "warmup": "w"}


def bars(values: list[float]) -> str:
    """Values as block characters, lowest to highest."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    return "".join(BARS[min(len(BARS) - 1, int((v - lo) / span * (len(BARS) - 1) + 0.5))] for v in values)


def sparkline(values: list[float], width: int = 40) -> str:
    """The newest `width` values (None left out) as block characters."""
    return bars([v for v in values if v is not None][-width:])


def step_chart(run, result, width: int) -> dict | None:
    """Up to `width` columns over the newest steps: each column the slowest step in it,
    clipped at three times the median so that evaluations and stalls do not flatten the
    rest; below, `e` marks an evaluation, `!` a stall, `w` a warm-up iteration."""
    if run is None or result is None or width < MIN_WIDTH:
        return None
    cols = width - 4
    samples = [s for s in run.samples[-cols * STEPS_PER_COLUMN:] if s.dt_s is not None and s.dt_s > 0]
    if len(samples) < 10:
        return None
    marks_at = {}
    for ex in result.excluded:
        tag = MARKS.get(ex.reason)
        for it in ex.iters:
            marks_at[it] = tag
    per = max(1, -(-len(samples) // cols))
    buckets = [samples[i:i + per] for i in range(0, len(samples), per)]
    med = statistics.median(s.dt_s for s in samples)
    cap = CLIP_MEDIANS * med
    tops = [min(cap, max(s.dt_s for s in b)) for b in buckets]
    marks = "".join(next((marks_at[s.iter] for s in b if s.iter in marks_at), " ") for b in buckets)
    return {"bars": bars(tops), "marks": marks.rstrip(), "first": samples[0].iter, "last": samples[-1].iter,
            "median_s": med, "max_s": max(s.dt_s for s in samples)}
