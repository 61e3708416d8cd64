"""Remaining time of a nanoGPT-style run, following its real loop (pure).

nanoGPT (train.py@3adf61e1) runs iterations 0..max_iters inclusive. The `time` it prints is
one iteration's wall time; at multiples of eval_interval that time includes the evaluation
pass and any checkpoint save, and the first iterations of a process include torch.compile
warm-up. So:  remaining = regular steps x seconds per regular step
                        + remaining evaluations x seconds per evaluation (+ stall allowance).
Method and thresholds: shared/reference/eta-method.md, sections 5.2-5.5.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import math
import statistics
from dataclasses import dataclass
from typing import Mapping, Sequence

from advisor.errors import AdvisorError
from advisor.logs.model import Sample

WARMUP_LOCAL_ITERS = 50      # warm-up can only stretch this far past a process start
WARMUP_FACTOR = 1.5          # ... and only while a step is this much slower than the level
STALL_MADS = 5.0             # stall: dt > m + 5 s  and  dt > 1.2 m
STALL_FACTOR = 1.2
WINDOW_MIN, WINDOW_MAX, WINDOW_FRAC = 30, 300, 0.3
EVAL_PRIOR_BAND = (0.5, 1.5)  # kappa band of the eval-cost prior (eta-method 5.5)
SHIFT_RATIO = 1.2            # blocks of step times this far apart: the level changed
SHIFT_BAND = 0.10            # ... and the range allows at least this much on the step time
TREND_MIN = 0.02             # a trend must move the step time by 2 % over the window


@dataclass(frozen=True)
class EtaConfig:
    max_iters: int
    eval_interval: int
    eval_iters: int
    gradient_accumulation_steps: int
    num_gpus: int = 1
    eval_only: bool = False


@dataclass(frozen=True)
class Excluded:
    reason: str              # warmup | eval | stall
    iters: tuple[int, ...]


@dataclass(frozen=True)
class EtaResult:
    last_step: int
    total_steps: int
    steps_remaining: int
    sec_per_step: float
    steps_s: float
    evals_remaining: int
    eval_s: float            # extra seconds one evaluation adds to its iteration
    evals_s: float
    eval_cost_source: str    # observed | prior | none
    eval_steps_equiv: float  # one evaluation's cost in regular steps
    evals_observed: int
    stall_s: float
    remaining_s: float
    low_s: float
    high_s: float
    samples_used: int
    window_first: int
    window_last: int
    rel_band: float          # relative half-width used on the regular part
    excluded: tuple[Excluded, ...] = ()
    flags: tuple[str, ...] = ()
    shift_at: int | None = None          # iteration where the step time changed level
    shift_ratio: float | None = None     # new level / old level
    trend_rel: float | None = None       # relative change of the step time over the window
    eval_lo_s: float = 0.0   # the cheapest and dearest of the recent evaluations (or the prior's band)
    eval_hi_s: float = 0.0
    finish_at: _dt.datetime | None = None
    low_at: _dt.datetime | None = None
    high_at: _dt.datetime | None = None

    @property
    def low_rel(self) -> float:
        return self.low_s / self.remaining_s - 1 if self.remaining_s else 0.0

    @property
    def high_rel(self) -> float:
        return self.high_s / self.remaining_s - 1 if self.remaining_s else 0.0

    def as_json(self) -> dict:
        def iso(t):
            return t.isoformat() if t is not None else None

        return {
            "last_step": self.last_step,
            "total_steps": self.total_steps,
            "steps_remaining": self.steps_remaining,
            "sec_per_step": self.sec_per_step,
            "steps_s": self.steps_s,
            "evals_remaining": self.evals_remaining,
            "eval_s": self.eval_s,
            "evals_s": self.evals_s,
            "eval_cost_source": self.eval_cost_source,
            "stall_s": self.stall_s,
            "remaining_s": self.remaining_s,
            "low_s": self.low_s,
            "high_s": self.high_s,
            "p10_s": self.low_s,
            "p50_s": self.remaining_s,
            "p90_s": self.high_s,
            "finish_at": iso(self.finish_at),
            "samples_used": self.samples_used,
            "excluded": [e.reason for e in self.excluded],
            "excluded_iters": {e.reason: list(e.iters) for e in self.excluded},
            "flags": list(self.flags),
            "level_shift_at": self.shift_at,
            "level_shift_ratio": self.shift_ratio,
            "trend": self.trend_rel,
        }


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


def _median_abs_dev(xs: Sequence[float], m: float) -> float:
    return statistics.median(abs(x - m) for x in xs)


def _robust_scale(xs: Sequence[float]) -> tuple[float, float]:
    m = statistics.median(xs)
    return m, max(1.4826 * _median_abs_dev(xs, m), 0.01 * m)


def _rel_band(window: Sequence[float], mean: float) -> float:
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


def calibration_bucket(samples_used: int, eval_source: str, trend: bool) -> str:
    """Which residual quantiles apply: how much was measured, how evaluations were
    costed, whether a trend was followed."""
    size = "few" if samples_used < 30 else "many"
    return f"{size}/{eval_source}/{'trend' if trend else 'flat'}"


def estimate(samples: Sequence[Sample], cfg: EtaConfig, eval_steps: Sequence[int] = (),
             anchor: _dt.datetime | None = None, first_step: int = 0,
             sec_per_step: float | None = None,
             calibration: Mapping[str, tuple[float, float]] | None = None) -> EtaResult:
    """ETA from logged iterations. `anchor` is the clock time of the last line (or now);
    `first_step` is the number the trainer prints for its first step (0 or 1);
    `sec_per_step` replaces the measured step time (a what-if; evaluations scale with it)."""
    if not samples:
        raise AdvisorError("no_iterations")
    seg, resumed = newest_segment(samples)
    last = seg[-1].iter
    if cfg.max_iters < last:
        raise AdvisorError("max_iters_below_last", max_iters=cfg.max_iters, last=last)
    flags: list[str] = ["resumed"] if resumed else []
    interval = cfg.eval_interval

    # 1. classify: warm-up (start of a process), eval iterations, regular ones
    is_eval = [s.iter % interval == 0 for s in seg]
    process_start = seg[0].iter <= first_step or (seg[0].mfu is not None and seg[0].mfu <= -100)
    non_eval = [s.dt_s for s, e in zip(seg, is_eval) if not e]
    late = non_eval[len(non_eval) // 2:] or [s.dt_s for s in seg]
    b0 = statistics.median(late)
    warm: set[int] = set()
    if process_start:
        warm.add(0)
        for i in range(1, len(seg)):
            if seg[i].iter - seg[0].iter >= WARMUP_LOCAL_ITERS or seg[i].dt_s <= WARMUP_FACTOR * b0:
                break
            warm.add(i)
    regular_idx = [i for i in range(len(seg)) if i not in warm and not is_eval[i]]
    eval_idx = [i for i in range(len(seg)) if i not in warm and is_eval[i]]

    if not regular_idx:
        if eval_idx or warm:
            raise AdvisorError("only_warmup", last=last,
                               count=len(seg))
        raise AdvisorError("no_iterations")

    # 2. a change of level (a batch-size or sequence-length schedule): block medians are
    #    robust to stalls, so look for it first and measure only the newest level
    regular_all = regular_idx
    shift = last_level_shift([seg[i].dt_s for i in regular_idx])
    shift_iter, shift_ratio = None, None
    if shift is not None:
        start, shift_ratio = shift
        shift_iter = seg[regular_idx[start]].iter
        regular_idx = regular_idx[start:]
        flags.append("level_shift")

    # 3. stalls among regular iterations of the current level
    reg_dt = [seg[i].dt_s for i in regular_idx]
    m, s = _robust_scale(reg_dt)
    stall_idx = [i for i in regular_idx
                 if seg[i].dt_s > m + STALL_MADS * s and seg[i].dt_s > STALL_FACTOR * m]
    stall_set = set(stall_idx)
    inliers_now = [i for i in regular_idx if i not in stall_set]

    # 4. level of a regular step: mean of the newest window of inliers
    w = min(WINDOW_MAX, max(WINDOW_MIN, math.ceil(WINDOW_FRAC * len(inliers_now))))
    window_idx = inliers_now[-w:]
    window = [seg[i].dt_s for i in window_idx]
    mu = statistics.fmean(window)
    rel = _rel_band(window, mu)
    if shift is not None:
        rel = max(rel, SHIFT_BAND)
    scale = 1.0
    if sec_per_step is not None:          # what-if: another step time, same relative spread
        scale, mu = sec_per_step / mu, sec_per_step

    n_rem = cfg.max_iters - last
    steps_s = n_rem * mu
    # trend over the whole current level (at most 300 points, evenly spread)
    pick = inliers_now[::max(1, len(inliers_now) // WINDOW_MAX)]
    trend = None if sec_per_step is not None else damped_trend(
        [seg[i].iter for i in pick], [seg[i].dt_s for i in pick], n_rem)
    slope_rel = None
    if trend is not None:
        steps_s, slope_rel, beyond = trend
        flags.append("slower" if slope_rel > 0 else "faster")
        rel = max(rel, min(0.5, abs(slope_rel) / 2 + beyond / 2))   # the drift may go on
        mu = steps_s / n_rem

    # stall allowance: per-iteration stall probability x mean excess (eta-method 5.4)
    if stall_idx:
        excess = statistics.fmean(seg[i].dt_s * scale - mu for i in stall_idx)
        stall_s = len(stall_idx) / len(regular_idx) * excess * n_rem
    else:
        stall_s = 0.0

    # 5. evaluations: remaining ones on the schedule, each costed from observed ones
    done_eval = max([last] + [e for e in eval_steps if e >= last])
    if cfg.eval_only:
        e_rem = 0
    else:
        e_rem = evals_between(done_eval, cfg.max_iters, interval)
    costs = []
    for i in eval_idx:   # overhead = eval iteration - median of the nearest regular ones
        k = bisect.bisect_left(regular_all, i)       # the level of its own time (median: robust)
        near = regular_all[max(0, k - 5):k + 5]
        costs.append((seg[i].dt_s - statistics.median(seg[j].dt_s for j in near)) * scale)
    if costs:
        recent = costs[-5:]
        e_cost = max(0.0, statistics.median(recent))
        e_lo, e_hi = max(0.0, min(recent)), max(recent)
        if len(recent) == 1:
            e_lo, e_hi = 0.85 * e_cost, 1.15 * e_cost
        source = "observed"
    else:
        gas_rank = max(1.0, cfg.gradient_accumulation_steps / max(1, cfg.num_gpus))
        e_cost = 2 * cfg.eval_iters / (3 * gas_rank) * mu
        e_lo, e_hi = EVAL_PRIOR_BAND[0] * e_cost, EVAL_PRIOR_BAND[1] * e_cost
        source = "prior" if e_rem else "none"
        if e_rem:
            flags.append("eval_prior")
    evals_s = e_rem * e_cost

    remaining = steps_s + evals_s + stall_s
    low = steps_s * (1 - rel) + e_rem * e_lo + stall_s * 0.5
    high = steps_s * (1 + rel) + e_rem * e_hi + stall_s * 2.0
    if len(window) < 5:
        flags.append("few_samples")
    bucket = calibration_bucket(len(window), source if e_rem else "none", slope_rel is not None)
    if calibration and bucket in calibration and remaining > 0 and shift is None \
            and len(window) >= WINDOW_MIN and sec_per_step is None:
        # an 80 % range measured on backtest residuals (eta-method 5.7): log(truth/point)
        q_lo, q_hi = calibration[bucket]
        low, high = remaining * math.exp(q_lo), remaining * math.exp(q_hi)
        flags.append("calibrated")

    excluded = []
    if warm:
        excluded.append(Excluded("warmup", tuple(seg[i].iter for i in sorted(warm))))
    if eval_idx:
        excluded.append(Excluded("eval", tuple(seg[i].iter for i in eval_idx)))
    if stall_idx:
        excluded.append(Excluded("stall", tuple(seg[i].iter for i in stall_idx)))

    def at(seconds):
        return anchor + _dt.timedelta(seconds=seconds) if anchor is not None else None

    return EtaResult(
        last_step=last, total_steps=cfg.max_iters, steps_remaining=n_rem,
        sec_per_step=mu, steps_s=steps_s, evals_remaining=e_rem, eval_s=e_cost,
        eval_steps_equiv=e_cost / mu,
        evals_s=evals_s, eval_cost_source=source, evals_observed=len(costs), stall_s=stall_s,
        remaining_s=remaining, low_s=low, high_s=high, samples_used=len(window),
        window_first=seg[window_idx[0]].iter, window_last=seg[window_idx[-1]].iter,
        rel_band=rel, excluded=tuple(excluded), flags=tuple(flags),
        shift_at=shift_iter, shift_ratio=shift_ratio, trend_rel=slope_rel,
        eval_lo_s=e_lo, eval_hi_s=e_hi,
        finish_at=at(remaining), low_at=at(low), high_at=at(high),
    )


@dataclass(frozen=True)
class Gap:
    """How long ago the last line was written, and what that says about the run."""

    since_last_s: float
    left_s: float            # remaining time counted from now
    left_low_s: float
    left_high_s: float
    line_gap_s: float        # the usual time between two logged lines
    status: str              # running | silent (stalled or crashed?) | overdue (finished or dead?)


SILENT_FACTOR, SILENT_FLOOR_S = 3.0, 300.0


def gap(result: EtaResult, since_last_s: float, line_gap_s: float) -> Gap:
    """`since_last_s`: now minus the last line's time. A run that has been silent longer
    than its whole high estimate is overdue; one silent for several line gaps (and five
    minutes) is silent."""
    since = max(0.0, since_last_s)
    if result.steps_remaining and since > result.high_s:
        status = "overdue"
    elif result.steps_remaining and since > max(SILENT_FACTOR * line_gap_s, SILENT_FLOOR_S):
        status = "silent"
    else:
        status = "running"
    return Gap(since, max(0.0, result.remaining_s - since), max(0.0, result.low_s - since),
               max(0.0, result.high_s - since), line_gap_s, status)


def line_gap(samples: Sequence[Sample], result: EtaResult) -> float:
    """The usual wall time between two logged lines: log interval x step time, plus one
    evaluation's cost when evaluations fall between lines."""
    tail = [s.iter for s in samples[-50:]]
    steps = [b - a for a, b in zip(tail, tail[1:]) if b > a]
    interval = statistics.median(steps) if steps else 1
    return interval * result.sec_per_step + (result.eval_s if result.evals_remaining else 0.0)
