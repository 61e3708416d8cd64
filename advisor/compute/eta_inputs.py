"""The ETA of the run a context is about: its settings resolved (given, read, preset or
default), its step lines handed to the estimator, the age of its last line (pure).

Used by the ETA and what-if answers and by the advice signals alike."""

from __future__ import annotations

import math
from typing import NamedTuple

from advisor.compute import eta as eta_mod
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
    """Trainers whose step timer leaves evaluations out: steps x step time, with the
    trainer's own total; evaluations are named as not counted."""
    used: list[Fact] = []
    scale = 1.0
    if run.dt_kind == DT_MICRO and "micro_batches_per_step" in run.printed:
        scale = float(run.printed["micro_batches_per_step"][0] or 1)
    timed = [s if scale == 1.0 else s._replace(dt_s=s.dt_s * scale)
             for s in run.samples[-ETA_TAIL:] if s.dt_s is not None and s.dt_s > 0]
    if not timed:
        raise AdvisorError("no_step_times", trainer=run.trainer)
    given = ctx.given("max_iters")
    if given is not None:
        used.append(given)
        total = given.value
    elif "total_steps" in run.printed:
        total, line = run.printed["total_steps"]
        used.append(Fact("max_iters", total, Source.LOG, "log", line))
    else:
        raise AdvisorError("max_iters_missing", last=run.samples[-1].iter)
    last_index = total - 1 + run.step_base
    cfg = EtaConfig(max_iters=last_index, eval_interval=last_index + 1, eval_iters=0,
                    gradient_accumulation_steps=1)
    result = eta_mod.estimate(timed, cfg, (), _anchor(ctx, run, used), first_step=run.step_base,
                              sec_per_step=sec_per_step)
    return Measured(run, result, tuple(used), (EVALS_NOT_COUNTED,), None, None)


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
