"""The ETA of the run a context is about: its settings resolved (given, read, preset or
default), its step lines handed to the estimator, the age of its last line (pure).

Used by the ETA and what-if answers and by the advice signals alike."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from typing import NamedTuple

from advisor.compute import eta as eta_mod
from advisor.compute import eta_clock
from advisor.compute.context import Context
from advisor.compute.eta_result import EtaConfig, EtaResult, Gap, gap, line_gap
from advisor.errors import AdvisorError
from advisor.read.facts import Fact, Source
from advisor.read.logs import Run
from advisor.read.logs.runs import DT_MICRO

# The ETA reads the newest 20,000 step lines: enough for every rate it estimates, and it
# keeps an answer on a multi-million-line log fast. Older lines are sunk time.
ETA_TAIL = 20_000
LINE_GAP_TAIL = 50       # the usual time between lines, from the newest so many
# what an ETA of a trainer whose step timer leaves evaluations out says of them
EVALS_NOT_COUNTED = "evals_not_counted"
# ... and of one whose time per step comes from a progress bar's elapsed clock
EVALS_IN_CLOCK = "evals_in_clock"
UNSEEN_EVALS_PRIOR = 0.25
_PRIOR_KEYS = frozenset({"eval_iters", "gradient_accumulation_steps", "num_gpus"})


class Measured(NamedTuple):
    run: Run
    result: EtaResult
    used: tuple[Fact, ...]        # every fact the estimate rests on
    notes: tuple[str, ...]        # eval_interval_conflict, evals_not_counted
    eval_interval: int | None     # None for trainers whose evaluations are not counted
    eval_iters: int | None

    @property
    def shaped_by(self) -> tuple[Fact, ...]:
        """The facts that shaped this result: the eval-cost prior's inputs only when the
        prior was used, eval_only only when it was given."""
        prior = self.result.eval_cost_source == "prior"
        return tuple(f for f in self.used
                     if (f.key not in _PRIOR_KEYS or prior)
                     and (f.key != "eval_only" or f.source is not Source.DEFAULT))


def measure(ctx: Context, sec_per_step: float | None = None) -> Measured:
    """The ETA of ctx.main_run(); `sec_per_step` replaces the measured step time."""
    run = ctx.main_run()
    if run is None or not run.samples:
        if ctx.log.bad_time_lines:
            raise AdvisorError("bad_times", lines=ctx.log.bad_time_lines[:10],
                               count=len(ctx.log.bad_time_lines))
        raise AdvisorError("no_iterations")
    if run.trainer == "nanoGPT":
        return _nanogpt(ctx, run, sec_per_step)
    return _step_timer_only(ctx, run, sec_per_step)


def measure_to_last_step(ctx: Context) -> tuple[Measured, bool]:
    """(the measurement, whether max_iters is known): without max_iters the run is measured
    as if it ended at its last step, which still gives its step time, evaluations, stalls."""
    try:
        return measure(ctx), True
    except AdvisorError as exc:
        if exc.code != "max_iters_missing":
            raise
    run = ctx.main_run()
    probe = ctx.with_facts(Fact("max_iters", run.samples[-1].iter, Source.DERIVED, "last_step"))
    m = measure(probe)
    return Measured(m.run, m.result, tuple(f for f in m.used if f.key != "max_iters"), m.notes,
                    m.eval_interval, m.eval_iters), False


def _nanogpt(ctx: Context, run: Run, sec_per_step: float | None) -> Measured:
    used: list[Fact] = []
    max_iters = ctx.given("max_iters")
    if max_iters is None:
        raise AdvisorError("max_iters_missing", last=run.samples[-1].iter)
    used.append(max_iters)
    interval, notes = _eval_interval(ctx, run, used)
    cfg = EtaConfig(
        max_iters=max_iters.value,
        eval_interval=interval,
        eval_iters=ctx.resolve("eval_iters", used).value,
        gradient_accumulation_steps=ctx.resolve("gradient_accumulation_steps", used).value,
        num_gpus=ctx.resolve("num_gpus", used).value,
        eval_only=ctx.resolve("eval_only", used).value,
    )
    result = eta_mod.estimate(run.samples[-ETA_TAIL:], cfg, [e.step for e in run.evals],
                              _anchor(ctx, run, used), sec_per_step=sec_per_step,
                              calibration=ctx.knowledge.eta_calibration)
    return Measured(run, result, tuple(used), tuple(notes), cfg.eval_interval, cfg.eval_iters)


def _step_timer_only(ctx: Context, run: Run, sec_per_step: float | None) -> Measured:
    """Trainers whose step timer leaves evaluations out: the progress bar's elapsed clock
    when the log shows one (it runs through the evaluations), else steps x step time, with
    the trainer's own total; evaluations are then named as not counted."""
    used: list[Fact] = []
    clock = run.printed.get("bar_clock")
    if clock and sec_per_step is None and clock[0][0] == run.samples[-1].iter:
        total = _total_steps(ctx, run, used)
        step, elapsed, rate_s = clock[0]
        bar = eta_clock.BarClock(step - run.step_base + 1, elapsed, step, total - 1 + run.step_base, rate_s)
        evals = _timed_evals(ctx, run, used)
        result = eta_clock.from_clock(bar, _anchor(ctx, run, used), ctx.knowledge.eta_calibration, evals)
        if result.eval_cost_source == "eval_runtime":
            return Measured(run, result, tuple(used), (), round(evals.interval), None)
        return Measured(run, result, tuple(used), (EVALS_IN_CLOCK,), None, None)
    scale = 1.0
    if run.dt_kind == DT_MICRO and "micro_batches_per_step" in run.printed:
        scale = float(run.printed["micro_batches_per_step"][0] or 1)
    timed = [s if scale == 1.0 else s._replace(dt_s=s.dt_s * scale)
             for s in run.samples[-ETA_TAIL:] if s.dt_s is not None and s.dt_s > 0]
    if not timed:
        raise AdvisorError("no_step_times", trainer=run.trainer)
    last_index = _total_steps(ctx, run, used) - 1 + run.step_base
    cfg = EtaConfig(max_iters=last_index, eval_interval=last_index + 1, eval_iters=0,
                    gradient_accumulation_steps=1)
    result = eta_mod.estimate(timed, cfg, (), _anchor(ctx, run, used), first_step=run.step_base,
                              sec_per_step=sec_per_step)
    return Measured(run, unseen_evals_widen(result), tuple(used), (EVALS_NOT_COUNTED,), None, None)


def _timed_evals(ctx: Context, run: Run, used: list[Fact]) -> eta_clock.TimedEvals | None:
    """The evaluations the trainer timed itself (HF's eval_runtime), on the given
    eval_interval, else the one their epochs imply, else their steps; None when it timed
    none. eval_runtime is HF Trainer's, which (5.x) evaluates once more at max_steps."""
    timed = [e for e in run.evals if e.runtime_s and e.runtime_s > 0]
    if not timed:
        return None
    runtimes = [e.runtime_s for e in timed]
    given = ctx.given("eval_interval")
    by_epoch = _epoch_schedule(run, timed)
    if given is not None:
        used.append(given)
        last_seen = by_epoch[1] if by_epoch else max(e.step for e in timed)
        return eta_clock.TimedEvals(runtimes, float(given.value), last_seen, at_end=True)
    if by_epoch:
        interval, last_seen = by_epoch
        used.append(Fact("eval_interval", round(interval), Source.DERIVED, "eval_lines"))
        return eta_clock.TimedEvals(runtimes, interval, last_seen, at_end=True)
    if not any(e.step > 0 for e in timed):
        return None
    interval, _ = _eval_interval(ctx, run, used)
    return eta_clock.TimedEvals(runtimes, float(interval), max(e.step for e in timed), at_end=True)


def _epoch_schedule(run: Run, timed) -> tuple[float, float] | None:
    """(steps between evaluations, step of the newest one) from the epochs HF prints with
    each evaluation and log line: a screen loses and reorders lines, never epochs."""
    per_epoch = run.printed.get("steps_per_epoch")
    epochs = sorted({e.epoch for e in timed if e.epoch and e.epoch > 0})
    if not per_epoch or not epochs or per_epoch[0] <= 0:
        return None
    steps_per_epoch = per_epoch[0]
    gaps = [b - a for a, b in zip(epochs, epochs[1:]) if b - a > 1e-4]
    spacing = min([epochs[0]] + gaps)
    return spacing * steps_per_epoch, epochs[-1] * steps_per_epoch


def unseen_evals_widen(result: EtaResult) -> EtaResult:
    """Evaluations the log cannot show still take time: the high end grows by
    UNSEEN_EVALS_PRIOR of the estimate (the HF runs of benchmarks/real_runs spent 5-25 %
    of their loop evaluating)."""
    high = result.high_s + UNSEEN_EVALS_PRIOR * result.remaining_s
    return dataclasses.replace(result, high_s=high, high_at=_later(result, high),
                               flags=result.flags + ("evals_unseen",))


def _later(result: EtaResult, high: float):
    if result.finish_at is None:
        return None
    try:
        return result.finish_at + _dt.timedelta(seconds=high - result.remaining_s)
    except (OverflowError, ValueError):
        return None


def _total_steps(ctx: Context, run: Run, used: list[Fact]) -> int:
    """The number of steps of the run: given, else printed by the trainer."""
    given = ctx.given("max_iters")
    if given is not None:
        used.append(given)
        return given.value
    if "total_steps" in run.printed:
        total, line = run.printed["total_steps"]
        used.append(Fact("max_iters", total, Source.LOG, "log", line))
        return total
    raise AdvisorError("max_iters_missing", last=run.samples[-1].iter)


def _eval_interval(ctx: Context, run: Run, used: list[Fact]) -> tuple[int, list[str]]:
    """The given eval_interval, else the one the log's evaluation lines imply, else the
    preset's or nanoGPT's default."""
    positive = sorted({e.step for e in run.evals if e.step > 0})
    implied = 0
    for s in positive:
        implied = math.gcd(implied, s)
    given = ctx.given("eval_interval")
    notes = []
    if given is not None:
        used.append(given)
        if implied and any(s % given.value for s in positive):
            notes.append("eval_interval_conflict")
        return given.value, notes
    if implied:
        used.append(Fact("eval_interval", implied, Source.DERIVED, "eval_lines"))
        return implied, notes
    return ctx.resolve("eval_interval", used).value, notes


def _anchor(ctx: Context, run: Run, used: list[Fact]):
    """The clock time the remaining time counts from: the last step line's own
    timestamp, else the `now` the user gave."""
    now = ctx.given("now")
    if now is not None:
        used.append(now)
    return run.samples[-1].ts or (now.value if now else None)


def last_line_gap(ctx: Context, run: Run, result: EtaResult) -> Gap | None:
    """When the last line carries a timestamp: how long ago that was (against the `now`
    given, else the clock), and what it says about the run."""
    last = run.samples[-1].ts
    if last is None:
        return None
    given = ctx.given("now")
    now = given.value if given is not None else ctx.clock()
    if (now.tzinfo is None) != (last.tzinfo is None):   # a naive time is local time
        now = now.astimezone().replace(tzinfo=None) if last.tzinfo is None else now.astimezone()
    since = (now - last).total_seconds()
    return gap(result, since, line_gap(run.samples[-LINE_GAP_TAIL:], result))
