"""The log's signals: last step, losses, evaluations, stalls, warm-up, the share of wall time
in evaluations and what a longer eval_interval would save (pure). The step time and its
exclusions come from the ETA's own measurement (compute.eta_inputs), never from an answer."""

from __future__ import annotations

import math
import statistics

from advisor.advise.signals.names import Signals, log_fact
from advisor.compute.context import Context
from advisor.compute.eta_inputs import ETA_TAIL, measure_to_last_step
from advisor.compute.eta_stats import evals_between
from advisor.errors import AdvisorError
from advisor.read.facts import Fact
from advisor.read.logs import Run

EVAL_TARGET_SHARE = 0.05     # evaluations and checkpoints: 5 % of wall time is the target
STALL_PERIODIC_SPREAD = 0.2  # stall spacings within 20 % of their median: periodic
LOSS_WINDOWS = 20            # windows of median loss compared for divergence
PRINTED_MFU_TAIL = 50        # the printed MFU: median of the newest so many lines


def log_signals(ctx: Context, run: Run, out: Signals) -> None:
    tail = run.samples[-ETA_TAIL:]
    if not tail:
        return
    last = tail[-1]
    seen = log_fact("steps", last.iter, last.lineno)
    out.put("last_step", last.iter, seen)
    _losses(run, tail, out, seen)
    _evals(run, out)
    printed = [s.mfu for s in tail[-PRINTED_MFU_TAIL:] if s.mfu is not None and s.mfu > 0]
    if printed:
        out.put("mfu_printed", statistics.median(printed) / 100, seen)
        out.put("mfu_printed_a100", run.mfu_peak == "a100_bf16", seen)
    try:
        measured, has_total = measure_to_last_step(ctx)
    except AdvisorError:
        return
    r = measured.result
    basis = [seen, *measured.shaped_by]
    out.put("sec_per_step", r.sec_per_step, *basis)
    dts = {s.iter: s.dt_s for s in tail if s.dt_s is not None}
    excluded = {e.reason: e.iters for e in r.excluded}
    warm = excluded.get("warmup", ())
    out.put("warmup_steps", len(warm), *basis)
    if warm:
        out.put("warmup_first_s", dts.get(warm[0]), *basis)
        if warm[0] in dts and r.sec_per_step > 0:
            out.put("warmup_ratio", dts[warm[0]] / r.sec_per_step, *basis)
        out.put("warmup_extra_s", sum(max(0.0, dts[i] - r.sec_per_step) for i in warm if i in dts), *basis)
    if has_total:
        out.put("steps_remaining", r.steps_remaining, *basis)
        out.put("remaining_s", r.remaining_s, *basis)
    _stalls(r, excluded, dts, out, basis, has_total)
    if r.eval_cost_source == "observed" and run.eval_in_step_time:
        _eval_share(ctx, r, out, basis, has_total)


def _losses(run, tail, out: Signals, seen: Fact) -> None:
    losses = [(s.iter, s.loss) for s in tail if s.loss is not None]
    if not losses:
        return
    bad = [i for i, v in losses if not math.isfinite(v)]
    out.put("loss_nonfinite", len(bad), seen)
    if bad:
        out.put("loss_nonfinite_first", bad[0], seen)
    good = [(i, v) for i, v in losses if math.isfinite(v)]
    if len(good) < 2 * LOSS_WINDOWS:
        return
    size = len(good) // LOSS_WINDOWS
    meds = [(good[k + size - 1][0], statistics.median(v for _, v in good[k:k + size]))
            for k in range(0, size * LOSS_WINDOWS, size)]
    best_step, best = min(meds, key=lambda m: m[1])
    recent = meds[-1][1]
    out.put("loss_best", best, seen)
    out.put("loss_best_step", best_step, seen)
    out.put("loss_recent", recent, seen)
    if best > 0:
        out.put("loss_rise", recent / best, seen)


def _evals(run, out: Signals) -> None:
    both = [e for e in run.evals if e.val_loss is not None and math.isfinite(e.val_loss)]
    if not both:
        return
    e = both[-1]
    src = log_fact("eval", e.step, e.lineno)
    out.put("val_loss", e.val_loss, src)
    out.put("eval_last_step", e.step, src)
    if e.train_loss is not None and math.isfinite(e.train_loss):
        out.put("train_loss", e.train_loss, src)
        out.put("overfit_gap", e.val_loss - e.train_loss, src)


def _stalls(r, excluded, dts, out: Signals, basis, has_total) -> None:
    stalls = excluded.get("stall", ())
    regular = [i for i in dts if i not in set(excluded.get("warmup", ())) | set(excluded.get("eval", ()))]
    if not regular:
        return
    out.put("stall_count", len(stalls), *basis)
    out.put("stall_checked", len(regular), *basis)
    if not stalls:
        out.put("stall_share", 0.0, *basis)
        return
    extra = statistics.fmean(dts[i] - r.sec_per_step for i in stalls)
    p = len(stalls) / len(regular)
    out.put("stall_extra_s", extra, *basis)
    out.put("stall_share", p * extra / (r.sec_per_step + p * extra), *basis)
    gaps = [b - a for a, b in zip(stalls, stalls[1:])]
    if len(gaps) >= 2:
        m = statistics.median(gaps)
        if m > 0 and all(abs(g - m) <= STALL_PERIODIC_SPREAD * m for g in gaps):
            out.put("stall_period", m, *basis)
    if has_total:
        out.put("stall_saved_s", r.stall_s, *basis)


def _eval_share(ctx: Context, r, out: Signals, basis, has_total) -> None:
    interval = next((f.value for f in basis if f.key == "eval_interval"), None)
    if not interval:
        return
    sps, e, t = r.sec_per_step, r.eval_s, EVAL_TARGET_SHARE
    out.put("evals_observed", r.evals_observed, *basis)
    out.put("eval_s", e, *basis)
    out.put("eval_s_low", r.eval_lo_s, *basis)
    out.put("eval_s_high", r.eval_hi_s, *basis)
    out.put("eval_target_share", t)
    if e <= 0 or sps <= 0:
        out.put("eval_share", 0.0, *basis)
        return
    out.put("eval_interval", interval, *[f for f in basis if f.key == "eval_interval"])
    share = e / (interval * sps + e)
    out.put("eval_share", share, *basis)
    out.put("eval_share_excess", max(0.0, share - t), *basis)
    target = nice_ceil(e * (1 - t) / (t * sps))
    out.put("eval_interval_target", max(target, interval), *basis)
    eval_iters = ctx.resolve("eval_iters")
    if eval_iters is not None and eval_iters.value:
        fewer = math.floor(eval_iters.value * t * interval * sps / ((1 - t) * e))
        out.put("eval_iters_target", max(1, min(fewer, eval_iters.value)), eval_iters, *basis)
    if has_total and r.evals_remaining:
        now_n = r.evals_remaining
        new_n = evals_between(r.last_step, r.total_steps, max(target, interval))
        out.put("evals_remaining", now_n, *basis)
        out.put("evals_remaining_target", new_n, *basis)
        out.put("eval_saved_s", (now_n - new_n) * e, *basis)
        out.put("eval_saved_low_s", (now_n - new_n) * r.eval_lo_s, *basis)
        out.put("eval_saved_high_s", (now_n - new_n) * r.eval_hi_s, *basis)


def nice_ceil(x: float) -> int:
    """Round up to two significant digits: 2345 -> 2400, 87.1 -> 88."""
    if x <= 0:
        return 1
    n = math.ceil(x)
    digits = len(str(n))
    if digits <= 2:
        return n
    unit = 10 ** (digits - 2)
    return -(-n // unit) * unit
