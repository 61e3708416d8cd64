"""The ETA's inputs and outputs as plain frozen data: the run's settings (EtaConfig), what
was left out of the step time and why (Excluded), the estimate (EtaResult, with its JSON
form), and what the age of the last line says (Gap)."""

from __future__ import annotations

import datetime as _dt
import statistics
from dataclasses import dataclass
from typing import Sequence

from advisor.read.logs.steps import Sample

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
    clock_s: float | None = None         # a progress bar's elapsed clock the step time came from
    bar_rate_s: float | None = None      # the same bar's own (smoothed) seconds per step

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
            "clock_s": self.clock_s,
            "bar_rate_s": self.bar_rate_s,
        }


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
