"""The names advice rules may read, and the store that holds their values with the facts
each rests on (a leaf: the rules file is validated against NAMES without computing
anything). A signal that cannot be computed is absent, and a rule that reads it is "not
checked"; NEEDS says what a user can give so that it can be."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.read.facts import Fact, Source

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


class Signals(dict):
    def put(self, name: str, value, *inputs) -> None:
        """inputs: Facts, or names of signals whose inputs carry over."""
        if value is None:
            return
        if name not in NAMES:
            raise KeyError(f"signal {name!r} is not in NAMES")
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


def log_fact(key: str, value, line: int) -> Fact:
    """A fact read from the log at `line`."""
    return Fact(key, value, Source.LOG, "log", line)


# What a user can give so that a missing signal can be computed: signal-name prefixes ->
# the keys (or "log": more log lines) that unlock them.
NEEDS = (
    (("mem_", "batch_suggested", "accum_suggested"),
     ("gpu", "n_layer", "n_embd", "batch_size", "gradient_accumulation_steps")),
    (("mfu_printed",), ("log",)),
    (("mfu", "step_at_typical"), ("gpu", "n_layer", "n_embd", "log")),
    (("gpu", "peak_tflops", "bf16_fix", "tf32_speedup"), ("gpu",)),
    (("params", "flops_per_token", "tokens_per_iter", "micro_tokens", "lr_"), ("n_layer", "n_embd")),
    (("epochs", "dataset_tokens"), ("dataset_tokens",)),
    (("steps_remaining", "remaining_s", "evals_remaining", "eval_saved", "stall_saved"), ("max_iters", "log")),
)


def needs(name: str) -> tuple[str, ...]:
    for prefixes, keys in NEEDS:
        if name.startswith(prefixes):
            return keys
    return ("log",)
