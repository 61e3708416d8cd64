"""Remaining time of a nanoGPT-style run, following its real loop (pure).

nanoGPT (train.py@3adf61e1) runs iterations 0..max_iters inclusive. The `time` it prints is
one iteration's wall time; at multiples of eval_interval that time includes the evaluation
pass and any checkpoint save, and the first iterations of a process include torch.compile
warm-up. So:  remaining = regular steps x seconds per regular step
                        + remaining evaluations x seconds per evaluation (+ stall allowance).
Method and thresholds: shared/reference/eta-method.md, sections 5.2-5.5. `estimate` runs the
phases in order: classify the steps, find a change of level, find stalls, measure the level
and its trend, cost the evaluations, then the range.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import math
import statistics
from typing import NamedTuple, Sequence

from advisor.compute.eta_result import EtaConfig, EtaResult, Excluded
from advisor.compute.eta_stats import (calibration_bucket, damped_trend, evals_between,
                                       last_level_shift, newest_segment, rel_band, robust_scale)
from advisor.errors import AdvisorError
from advisor.knowledge.model import EtaCalibration
from advisor.read.logs.steps import Sample

WARMUP_LOCAL_ITERS = 50      # warm-up can only stretch this far past a process start
WARMUP_FACTOR = 1.5          # ... and only while a step is this much slower than the level
STALL_MADS = 5.0             # stall: dt > m + 5 s  and  dt > 1.2 m
STALL_FACTOR = 1.2
WINDOW_MIN, WINDOW_MAX, WINDOW_FRAC = 30, 300, 0.3
EVAL_PRIOR_BAND = (0.5, 1.5)  # kappa band of the eval-cost prior (eta-method 5.5)
SHIFT_BAND = 0.10            # after a level shift the range allows at least this much
LEVEL_METHOD = "mean_window"   # or "median_level": see level_of
NEAR_EVAL = 5                # an evaluation's overhead: against this many regular steps each side


class Steps(NamedTuple):
    """1. The newest process's steps, split into warm-up, evaluation and regular ones
    (indices into `seg`)."""
    seg: list[Sample]
    resumed: bool
    warm: frozenset[int]
    regular: list[int]
    evals: list[int]

    @property
    def last(self) -> int:
        return self.seg[-1].iter


class Level(NamedTuple):
    """2-4. The regular step time of the current level, its spread and trend."""
    regular: list[int]            # regular steps of the current level
    stalls: list[int]
    window: list[int]             # the steps the mean is taken over
    sec_per_step: float           # measured (or the what-if's), trend included
    rel: float                    # relative half-width of the range on the steps' part
    scale: float                  # what-if step time / measured step time
    steps_s: float
    shift_at: int | None
    shift_ratio: float | None
    trend_rel: float | None


class EvalCost(NamedTuple):
    """5. Evaluations left on the schedule and what each one adds."""
    remaining: int
    each_s: float
    low_s: float
    high_s: float
    source: str                   # observed | prior | none
    observed: int


def classify(samples: Sequence[Sample], cfg: EtaConfig, first_step: int) -> Steps:
    seg, resumed = newest_segment(samples)
    last = seg[-1].iter
    if cfg.max_iters < last:
        raise AdvisorError("max_iters_below_last", max_iters=cfg.max_iters, last=last)
    is_eval = [s.iter % cfg.eval_interval == 0 for s in seg]
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
    regular = [i for i in range(len(seg)) if i not in warm and not is_eval[i]]
    evals = [i for i in range(len(seg)) if i not in warm and is_eval[i]]
    if not regular:
        if evals or warm:
            raise AdvisorError("only_warmup", last=last, count=len(seg))
        raise AdvisorError("no_iterations")
    return Steps(seg, resumed, frozenset(warm), regular, evals)


def level(steps: Steps, n_rem: int, sec_per_step: float | None) -> Level:
    seg = steps.seg
    # a change of level (a batch-size or sequence-length schedule): block medians are robust
    # to stalls, so look for it first and measure only the newest level
    regular = steps.regular
    shift = last_level_shift([seg[i].dt_s for i in regular])
    shift_at = shift_ratio = None
    if shift is not None:
        start, shift_ratio = shift
        shift_at = seg[regular[start]].iter
        regular = regular[start:]
    stalls = find_stalls(seg, regular)
    stall_set = set(stalls)
    inliers = [i for i in regular if i not in stall_set]
    window, mu = level_of(seg, inliers, regular)
    values = [seg[i].dt_s for i in window]
    rel = rel_band(values, mu)
    if shift is not None:
        rel = max(rel, SHIFT_BAND)
    scale = 1.0
    if sec_per_step is not None:          # what-if: another step time, same relative spread
        scale, mu = sec_per_step / mu, sec_per_step
    steps_s, trend_rel = n_rem * mu, None
    # trend over the whole current level (at most WINDOW_MAX points, evenly spread)
    pick = inliers[::max(1, len(inliers) // WINDOW_MAX)]
    trend = None if sec_per_step is not None else damped_trend(
        [seg[i].iter for i in pick], [seg[i].dt_s for i in pick], n_rem)
    if trend is not None:
        steps_s, trend_rel, beyond = trend
        rel = max(rel, min(0.5, abs(trend_rel) / 2 + beyond / 2))   # the drift may go on
        mu = steps_s / n_rem
    return Level(regular, stalls, window, mu, rel, scale, steps_s, shift_at, shift_ratio, trend_rel)


def level_of(seg: list[Sample], inliers: list[int], regular: list[int]) -> tuple[list[int], float]:
    """(the steps measured, seconds per regular step) by LEVEL_METHOD, the method that
    scored best on the calibration half of the recorded real runs (eta_backtest --real
    --choose-level): 'mean_window', the mean of the newest 30 % (30..300) of the steps
    without stalls; 'median_level', the median of every regular step of the current level."""
    if LEVEL_METHOD == "median_level":
        return regular, statistics.median(seg[i].dt_s for i in regular)
    w = min(WINDOW_MAX, max(WINDOW_MIN, math.ceil(WINDOW_FRAC * len(inliers))))
    window = inliers[-w:]
    return window, statistics.fmean(seg[i].dt_s for i in window)


def find_stalls(seg: list[Sample], regular: list[int]) -> list[int]:
    """Regular steps far slower than their level: dt > m + 5 robust sd and dt > 1.2 m."""
    m, sd = robust_scale([seg[i].dt_s for i in regular])
    return [i for i in regular if seg[i].dt_s > m + STALL_MADS * sd and seg[i].dt_s > STALL_FACTOR * m]


def stall_allowance(steps: Steps, lv: Level, n_rem: int) -> float:
    """Per-iteration stall probability x mean excess x remaining steps (eta-method 5.4)."""
    if not lv.stalls:
        return 0.0
    excess = statistics.fmean(steps.seg[i].dt_s * lv.scale - lv.sec_per_step for i in lv.stalls)
    return len(lv.stalls) / len(lv.regular) * excess * n_rem


def eval_cost(steps: Steps, lv: Level, cfg: EtaConfig, eval_steps: Sequence[int]) -> EvalCost:
    """Evaluations left on the schedule, each costed as an evaluation iteration minus the
    median of the regular steps around it; with none in the log, the prior of eta-method 5.5."""
    seg = steps.seg
    done = max([steps.last] + [e for e in eval_steps if e >= steps.last])
    remaining = 0 if cfg.eval_only else evals_between(done, cfg.max_iters, cfg.eval_interval)
    costs = []
    for i in steps.evals:
        k = bisect.bisect_left(steps.regular, i)
        near = steps.regular[max(0, k - NEAR_EVAL):k + NEAR_EVAL]
        costs.append((seg[i].dt_s - statistics.median(seg[j].dt_s for j in near)) * lv.scale)
    if costs:
        recent = costs[-5:]
        each = max(0.0, statistics.median(recent))
        lo, hi = max(0.0, min(recent)), max(recent)
        if len(recent) == 1:
            lo, hi = 0.85 * each, 1.15 * each
        return EvalCost(remaining, each, lo, hi, "observed", len(costs))
    gas_rank = max(1.0, cfg.gradient_accumulation_steps / max(1, cfg.num_gpus))
    each = 2 * cfg.eval_iters / (3 * gas_rank) * lv.sec_per_step
    return EvalCost(remaining, each, EVAL_PRIOR_BAND[0] * each, EVAL_PRIOR_BAND[1] * each,
                    "prior" if remaining else "none", 0)


def estimate(samples: Sequence[Sample], cfg: EtaConfig, eval_steps: Sequence[int] = (),
             anchor: _dt.datetime | None = None, first_step: int = 0,
             sec_per_step: float | None = None,
             calibration: EtaCalibration | None = None) -> EtaResult:
    """ETA from logged iterations. `anchor` is the clock time of the last line (or now);
    `first_step` is the number the trainer prints for its first step (0 or 1);
    `sec_per_step` replaces the measured step time (a what-if; evaluations scale with it)."""
    if not samples:
        raise AdvisorError("no_iterations")
    steps = classify(samples, cfg, first_step)
    n_rem = cfg.max_iters - steps.last
    lv = level(steps, n_rem, sec_per_step)
    stall_s = stall_allowance(steps, lv, n_rem)
    ev = eval_cost(steps, lv, cfg, eval_steps)
    evals_s = ev.remaining * ev.each_s
    remaining = lv.steps_s + evals_s + stall_s
    low = lv.steps_s * (1 - lv.rel) + ev.remaining * ev.low_s + stall_s * 0.5
    high = lv.steps_s * (1 + lv.rel) + ev.remaining * ev.high_s + stall_s * 2.0
    flags = _flags(steps, lv, ev)
    if calibration is not None and remaining > 0 and sec_per_step is None and len(lv.window) >= 5:
        history = "variable" if lv.rel > calibration.spread_split else "steady"
        bucket = calibration_bucket(steps.last / max(1, cfg.max_iters), history)
        if bucket in calibration.buckets:
            # the 80 % range of real runs at this stage (eta_backtest --calibrate-real)
            q_lo, q_hi = calibration.buckets[bucket]
            low, high = remaining * math.exp(q_lo), remaining * math.exp(q_hi)
            flags.append("calibrated")

    def at(seconds):
        if anchor is None:
            return None
        try:
            return anchor + _dt.timedelta(seconds=seconds)
        except (OverflowError, ValueError):   # past year 9999: no clock time to give
            return None

    seg = steps.seg
    return EtaResult(
        last_step=steps.last, total_steps=cfg.max_iters, steps_remaining=n_rem,
        sec_per_step=lv.sec_per_step, steps_s=lv.steps_s, evals_remaining=ev.remaining,
        eval_s=ev.each_s, eval_steps_equiv=ev.each_s / lv.sec_per_step,
        evals_s=evals_s, eval_cost_source=ev.source, evals_observed=ev.observed, stall_s=stall_s,
        remaining_s=remaining, low_s=low, high_s=high, samples_used=len(lv.window),
        window_first=seg[lv.window[0]].iter, window_last=seg[lv.window[-1]].iter,
        rel_band=lv.rel, excluded=_excluded(steps, lv), flags=tuple(flags),
        shift_at=lv.shift_at, shift_ratio=lv.shift_ratio, trend_rel=lv.trend_rel,
        eval_lo_s=ev.low_s, eval_hi_s=ev.high_s,
        finish_at=at(remaining), low_at=at(low), high_at=at(high),
    )


def _flags(steps: Steps, lv: Level, ev: EvalCost) -> list[str]:
    flags = ["resumed"] if steps.resumed else []
    if lv.shift_at is not None:
        flags.append("level_shift")
    if lv.trend_rel is not None:
        flags.append("slower" if lv.trend_rel > 0 else "faster")
    if ev.source == "prior":
        flags.append("eval_prior")
    if len(lv.window) < 5:
        flags.append("few_samples")
    return flags


def _excluded(steps: Steps, lv: Level) -> tuple[Excluded, ...]:
    seg, out = steps.seg, []
    if steps.warm:
        out.append(Excluded("warmup", tuple(seg[i].iter for i in sorted(steps.warm))))
    if steps.evals:
        out.append(Excluded("eval", tuple(seg[i].iter for i in steps.evals)))
    if lv.stalls:
        out.append(Excluded("stall", tuple(seg[i].iter for i in lv.stalls)))
    return tuple(out)
