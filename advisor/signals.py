"""What the advice rules can see: named facts computed from the session (pure).

Each signal has a value and the facts it rests on, so an answer can say which of them were
assumed (nanoGPT's defaults) rather than given or read. A signal that cannot be computed is
absent, and a rule that reads it is "not checked". NAMES lists every name a rule may use;
knowledge/rules.yaml is validated against it.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from advisor.errors import AdvisorError
from advisor.eta import evals_between
from advisor.facts import Fact, Source

EVAL_TARGET_SHARE = 0.05     # evaluations and checkpoints: 5 % of wall time is the target
STALL_PERIODIC_SPREAD = 0.2  # stall spacings within 20 % of their median: periodic
LOSS_WINDOWS = 20            # windows of median loss compared for divergence

CONFIG_KEYS = ("batch_size", "gradient_accumulation_steps", "block_size", "compile", "dtype",
               "learning_rate", "log_interval", "init_from", "eval_interval", "eval_iters", "max_iters", "tf32",
               "num_workers", "pin_memory", "num_gpus", "dropout", "always_save_checkpoint",
               "grad_clip", "warmup_iters")
SHAPE_KEYS = ("n_layer", "n_head", "n_embd", "block_size", "vocab_size", "bias")

NAMES = {
    # settings, given or nanoGPT's defaults
    **{k: "setting" for k in CONFIG_KEYS},
    "eval_interval": "setting, given or implied by the evaluation lines",
    "gpu": "GPU name", "trainer": "trainer that wrote the log",
    "batch_given": "batch_size and gradient_accumulation_steps given or read, not assumed",
    # measured in the log
    "last_step": "last logged step", "sec_per_step": "seconds per regular step",
    "steps_remaining": "steps left (max_iters known)", "remaining_s": "time left, seconds",
    "warmup_steps": "warm-up iterations left out of the ETA", "warmup_first_s": "first iteration, seconds",
    "warmup_extra_s": "warm-up seconds beyond regular steps",
    "warmup_ratio": "first iteration / regular step",
    "evals_observed": "evaluations measured", "eval_s": "seconds one evaluation adds",
    "eval_s_low": "cheapest recent evaluation", "eval_s_high": "dearest recent evaluation",
    "eval_share": "share of wall time in evaluations and checkpoints",
    "eval_target_share": "target share", "eval_share_excess": "share above the target", "eval_interval_target": "eval_interval for the target share",
    "eval_iters_target": "eval_iters for the target share", "evals_remaining": "evaluations left",
    "evals_remaining_target": "evaluations left at the target interval",
    "eval_saved_s": "seconds saved at the target interval", "eval_saved_low_s": "low end",
    "eval_saved_high_s": "high end",
    "stall_count": "stalled iterations", "stall_checked": "iterations checked for stalls",
    "stall_period": "iterations between stalls when periodic", "stall_extra_s": "mean extra seconds of a stall",
    "stall_share": "share of wall time lost to stalls", "stall_saved_s": "stall time ahead",
    "loss_nonfinite": "NaN or inf losses", "loss_nonfinite_first": "first step with one",
    "loss_best": "lowest windowed median loss", "loss_best_step": "its step", "loss_recent": "newest windowed median",
    "loss_rise": "newest / lowest median loss", "val_loss": "last validation loss",
    "train_loss": "train loss at the same evaluation", "overfit_gap": "val minus train loss",
    "eval_last_step": "step of that evaluation",
    "mfu_printed": "MFU the trainer printed (fraction)", "mfu_printed_a100": "printed against an A100 peak",
    "oom_seen": "the log shows an out-of-memory error", "oom_line": "its line",
    # the model
    "model_known": "shape given or read", "params": "parameters (nanoGPT count)",
    "flops_per_token": "6N + 12LCT", "tokens_per_iter": "tokens per iteration",
    "micro_tokens": "tokens per micro-batch", "epochs": "passes over the dataset (whole run)",
    "epochs_seen": "passes so far", "dataset_tokens": "dataset size in tokens",
    "lr_reference": "usual learning rate for this size", "lr_ratio": "learning_rate / reference",
    # the GPU
    "gpu_name": "GPU found in the table", "gpu_bf16_native": "native bf16", "gpu_tf32": "TF32 tensor cores",
    "gpu_is_a100": "an A100", "gpu_flash": "SDPA flash attention", "peak_tflops": "dense peak for the dtype",
    "gpu_fp16_tflops": "fp16 tensor peak", "gpu_fp32_tflops": "fp32 CUDA-core peak",
    "gpu_tf32_tflops": "TF32 tensor peak", "bf16_fix_speedup_max": "fp16 tensor / fp32 peak",
    "tf32_speedup_max": "TF32 / fp32 peak",
    "mfu": "measured MFU against this GPU's peak", "mfu_raw": "measured MFU, even when above 100 %",
    "tokens_logged": "tokens per iteration the log printed", "tokens_settings": "batch_size x block_size x GA", "mfu_typical_low": "typical MFU, low end",
    "mfu_typical_high": "typical MFU, high end", "mfu_printed_converted": "printed MFU against this GPU",
    "step_at_typical_low_s": "step time at the typical low MFU",
    "step_at_typical_high_s": "step time at the typical high MFU",
    "mem_peak_gib": "predicted peak", "mem_usable_gib": "usable memory", "mem_verdict": "fits | tight | will_not_fit",
    "mem_headroom_gib": "usable minus peak", "mem_largest_batch": "largest micro-batch that fits",
    "batch_suggested": "micro-batch at equal tokens per iteration", "accum_suggested": "its accumulation",
    "mem_suggested_gib": "peak with that micro-batch", "mem_suggested_more_gib": "its extra memory", "mem_knobs": "settings that free memory",
}


@dataclass(frozen=True)
class Signal:
    value: object
    inputs: tuple[Fact, ...] = ()

    @property
    def assumed(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.inputs if f.source is Source.DEFAULT)


class _Signals(dict):
    def put(self, name: str, value, *inputs) -> None:
        """inputs: Facts, or names of signals whose inputs carry over."""
        if value is None:
            return
        assert name in NAMES, name
        facts: list[Fact] = []
        for i in inputs:
            if isinstance(i, Fact):
                facts.append(i)
            elif i in self:
                facts.extend(self[i].inputs)
        seen, uniq = set(), []
        for f in facts:
            if (f.key, f.origin, f.line) not in seen:
                seen.add((f.key, f.origin, f.line))
                uniq.append(f)
        self[name] = Signal(value, tuple(uniq))


def gather(session) -> dict[str, Signal]:
    out = _Signals()
    oom = session.log.system.get("oom")       # anything pasted so far, log or not
    out.put("oom_seen", oom is not None)
    for key in CONFIG_KEYS:
        fact = _fact(session, key)
        if key == "num_gpus" and (fact is None or fact.source is Source.DEFAULT):
            seen = session.log.system.get("world_size") or session.log.system.get("gpu_count")
            if seen:                        # the log says how many processes ran
                fact = _log_fact("num_gpus", seen[0], seen[1])
        if fact is not None:
            out.put(key, fact.value, fact)
    given = [session.store.get(k) for k in ("batch_size", "gradient_accumulation_steps")]
    out.put("batch_given", all(f is not None for f in given), *[f for f in given if f])
    trainer = session.store.get("trainer")
    run = session.log.main_run(trainer.value if trainer else None)
    if run is not None:
        out.put("trainer", run.trainer, _log_fact("trainer", run.trainer, run.first_line))
        _log(session, run, out)
    from advisor.signals_model import gpu_signals, model_signals
    model_signals(session, run, out)
    gpu_signals(session, run, out)
    return dict(out)


def _fact(session, key: str) -> Fact | None:
    fact = session.store.get(key)
    if fact is None:
        spec = session.knowledge.keys[key]
        if spec.has_default:
            fact = Fact(key, spec.default, Source.DEFAULT, "default")
    return fact


def _log_fact(key, value, line) -> Fact:
    return Fact(key, value, Source.LOG, "log", line)


# ---- the log ------------------------------------------------------------------------------
def _measure(session, run):
    """The ETA machinery's view of the steps: warm-up, evaluations, stalls, step time. When
    max_iters is not known the run is measured as if it ended at its last step."""
    from advisor.session import Session
    try:
        answer = session.eta()
        return answer.data["eta"], answer.data["used"], True
    except AdvisorError as exc:
        if exc.code != "max_iters_missing":
            return None, [], False
    scratch = Session(session.knowledge, session.locale, session.clock, session.store.copy(), session.log)
    scratch.store.put(Fact("max_iters", run.samples[-1].iter, Source.DERIVED, "last_step"))
    try:
        answer = scratch.eta()
    except AdvisorError:
        return None, [], False
    used = [f for f in answer.data["used"] if f.key != "max_iters"]
    return answer.data["eta"], used, False


def _log(session, run, out: _Signals) -> None:
    tail = run.samples[-20_000:]
    if not tail:
        return
    last = tail[-1]
    seen = _log_fact("steps", last.iter, last.lineno)
    out.put("last_step", last.iter, seen)
    _losses(run, tail, out, seen)
    _evals(run, out)
    printed = [s.mfu for s in tail[-50:] if s.mfu is not None and s.mfu > 0]
    if printed:
        out.put("mfu_printed", statistics.median(printed) / 100, seen)
        out.put("mfu_printed_a100", run.mfu_peak == "a100_bf16", seen)
    oom = session.log.system.get("oom")
    if oom is not None:
        out.put("oom_line", oom[1], _log_fact("oom", oom[0], oom[1]))
    r, used, has_total = _measure(session, run)
    if r is None:
        return
    basis = [seen, *used]
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
        _eval_share(session, r, out, basis, has_total)


def _losses(run, tail, out: _Signals, seen: Fact) -> None:
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


def _evals(run, out: _Signals) -> None:
    both = [e for e in run.evals if e.val_loss is not None and math.isfinite(e.val_loss)]
    if not both:
        return
    e = both[-1]
    src = _log_fact("eval", e.step, e.lineno)
    out.put("val_loss", e.val_loss, src)
    out.put("eval_last_step", e.step, src)
    if e.train_loss is not None and math.isfinite(e.train_loss):
        out.put("train_loss", e.train_loss, src)
        out.put("overfit_gap", e.val_loss - e.train_loss, src)


def _stalls(r, excluded, dts, out: _Signals, basis, has_total) -> None:
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


def _eval_share(session, r, out: _Signals, basis, has_total) -> None:
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
    eval_iters = _fact(session, "eval_iters")
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
