"""Remaining time from a progress bar's elapsed clock (pure): `350/700 [01:49<01:36, 3.62it/s]`.

The elapsed clock runs through everything the loop does between two bar updates, the
evaluations and checkpoint saves included, so elapsed / steps done is the time per step
with them. The bar's rate is an exponential average of the newest updates that leaves
them out (HF Trainer and Lightning pause nothing while evaluating, but the rate smooths
over a few updates only), and its printed remaining time is steps left / that rate. On the
recorded real runs (benchmarks/eta_backtest.py --real) elapsed / steps was the better of
the two; a resumed or restarted bar starts its clock again, so only its own steps count.

When the trainer prints each evaluation's own timer (HF's `eval_runtime`), the evaluations
are taken out of the clock and counted on their schedule instead: the steps before the
first evaluation then no longer predict a run without any, and the evaluation HF Trainer
always runs at max_steps is counted.
"""

from __future__ import annotations

import datetime as _dt
import math
import statistics
from typing import NamedTuple, Sequence

from advisor.compute.eta_result import EtaResult
from advisor.compute.eta_stats import calibration_bucket
from advisor.errors import AdvisorError
from advisor.knowledge.model import EtaCalibration

CLOCK_PRIOR = (-0.25, 0.25)   # log-range used when no calibration applies (wide on purpose)


class BarClock(NamedTuple):
    done: int                 # steps the bar has counted since its clock started
    elapsed_s: float
    last_step: int            # in the trainer's numbering
    total_steps: int          # the last step's number
    rate_s: float | None      # the bar's own smoothed seconds per step


class TimedEvals(NamedTuple):
    """Evaluations the log timed (seconds each), one every `interval` steps (inferred, so
    not always whole), the step of the newest one seen, and whether one more runs at the
    last step when that is off the schedule."""
    runtimes_s: Sequence[float]
    interval: float
    last_seen_step: float | None
    at_end: bool


ON_SCHEDULE = 0.1    # a step within this share of an interval of a multiple is on the schedule


def from_clock(bar: BarClock, anchor: _dt.datetime | None, calibration: EtaCalibration | None,
               evals: TimedEvals | None = None) -> EtaResult:
    if bar.total_steps < bar.last_step:
        raise AdvisorError("max_iters_below_last", max_iters=bar.total_steps, last=bar.last_step)
    n_rem = max(0, bar.total_steps - bar.last_step)
    if evals is not None and evals.runtimes_s and evals.interval >= 1:
        each_s = statistics.fmean(evals.runtimes_s)
        evals_left, evals_done = remaining_evals(bar, evals)
        if evals_done * each_s >= bar.elapsed_s:
            evals = None
    else:
        evals = None
    if evals is None:
        per_step, evals_left, each_s = bar.elapsed_s / bar.done, 0, 0.0
    else:   # the clock less the evaluations that ran (lines a screen lost included)
        per_step = (bar.elapsed_s - evals_done * each_s) / bar.done
    remaining = n_rem * per_step + evals_left * each_s
    q_lo, q_hi = CLOCK_PRIOR
    flags = ["clock"]
    bucket = calibration_bucket(bar.last_step / max(1, bar.total_steps), "clock")
    if calibration is not None and bucket in calibration.buckets and remaining > 0:
        q_lo, q_hi = calibration.buckets[bucket]
        flags.append("calibrated")
    low, high = remaining * math.exp(q_lo), remaining * math.exp(q_hi)

    def at(seconds):
        if anchor is None:
            return None
        try:
            return anchor + _dt.timedelta(seconds=seconds)
        except (OverflowError, ValueError):
            return None

    return EtaResult(
        last_step=bar.last_step, total_steps=bar.total_steps, steps_remaining=n_rem,
        sec_per_step=per_step, steps_s=n_rem * per_step, evals_remaining=evals_left, eval_s=each_s,
        eval_steps_equiv=each_s / per_step if per_step else 0.0, evals_s=evals_left * each_s,
        eval_cost_source="eval_runtime" if evals else "clock",
        evals_observed=len(evals.runtimes_s) if evals else 0, stall_s=0.0, remaining_s=remaining,
        low_s=low, high_s=high, samples_used=bar.done,
        window_first=bar.last_step - bar.done + 1, window_last=bar.last_step,
        rel_band=max(-q_lo, q_hi), flags=tuple(flags),
        eval_lo_s=min(evals.runtimes_s) if evals else 0.0,
        eval_hi_s=max(evals.runtimes_s) if evals else 0.0,
        finish_at=at(remaining), low_at=at(low), high_at=at(high),
        clock_s=bar.elapsed_s, bar_rate_s=bar.rate_s)


def remaining_evals(bar: BarClock, evals: TimedEvals) -> tuple[int, int]:
    """(evaluations still to run, evaluations run so far): the scheduled ones after the
    last step, the one at the last step itself when its line has not come yet, and the
    final one at max_steps."""
    def multiples(step: float) -> int:
        return math.floor(step / evals.interval + ON_SCHEDULE)

    def on_schedule(step: float) -> bool:
        return abs(step / evals.interval - round(step / evals.interval)) < ON_SCHEDULE

    if bar.last_step >= bar.total_steps:
        return 0, multiples(bar.last_step)
    pending = on_schedule(bar.last_step) and multiples(bar.last_step) >= 1 and (
        evals.last_seen_step is None or evals.last_seen_step < bar.last_step - ON_SCHEDULE * evals.interval)
    done = multiples(bar.last_step) - pending
    left = multiples(bar.total_steps) - done
    if evals.at_end and not on_schedule(bar.total_steps):
        left += 1
    return left, done
