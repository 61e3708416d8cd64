"""Two runs side by side, in numbers: what differs in their settings, the ratios of what
each measured, the validation losses at equal tokens and equal time, and the time each took
to reach the loss both reached (pure). The sentences are the compare answer's.

Time along a run is modelled from its own step lines: elapsed(step) = warm-up extra + step x
seconds per step + evaluations so far x seconds per evaluation, because nanoGPT logs each
iteration's time, not a clock."""

from __future__ import annotations

import math
from dataclasses import dataclass

SAME = 0.05            # within 5 %: "about the same"
DIFF_KEYS = ("n_layer", "n_head", "n_embd", "block_size", "vocab_size", "bias", "dropout",
             "batch_size", "gradient_accumulation_steps", "learning_rate", "min_lr", "warmup_iters",
             "max_iters", "weight_decay", "grad_clip", "dtype", "compile", "eval_interval", "eval_iters",
             "num_gpus", "gpu", "init_from", "dataset")


@dataclass(frozen=True)
class Curve:
    """Validation losses of one run: (step, tokens seen, seconds elapsed, val loss)."""
    points: tuple[tuple[int, float, float, float], ...]

    def best(self) -> float:
        return min(p[3] for p in self.points)

    def time_to(self, loss: float) -> tuple[float, bool] | None:
        """Seconds until the val loss first reached `loss` (linear between evaluations);
        True when it was read at an evaluation, False when interpolated."""
        prev = None
        for p in self.points:
            if p[3] <= loss:
                if prev is None or p[3] == loss:
                    return p[2], True
                f = (prev[3] - loss) / (prev[3] - p[3])
                return prev[2] + f * (p[2] - prev[2]), False
            prev = p
        return None

    def at_time(self, seconds: float):
        """The last evaluation logged by then (a fact, not an interpolation)."""
        done = [p for p in self.points if p[2] <= seconds]
        return done[-1] if done else None


def elapsed(run, v, step: int) -> float:
    sps = v["sec_per_step"]
    t = v.get("warmup_extra_s", 0.0) + step * sps
    interval = v.get("eval_interval")
    if run.eval_in_step_time and interval and v.get("eval_s") is not None:
        t += (step // interval + 1) * v["eval_s"]       # nanoGPT evaluates at step 0 too
    return t


def curve(run, v, tokens) -> Curve | None:
    pts = []
    for e in run.evals:
        if e.val_loss is None or not math.isfinite(e.val_loss):
            continue
        pts.append((e.step, e.step * tokens if tokens else float("nan"), elapsed(run, v, e.step), e.val_loss))
    pts.sort()
    return Curve(tuple(pts)) if pts else None


def _ratio(a, b):
    return a / b if a and b else None


def compare(a: dict, b: dict) -> dict:
    """The table and the verdict's facts. Ratios are B / A."""
    diff = [(k, a["settings"][k], b["settings"][k]) for k in DIFF_KEYS
            if a["settings"][k][0] != b["settings"][k][0]]
    out = {"a": a, "b": b, "diff": diff,
           "tokens_ratio": _ratio(b["tokens_per_s"], a["tokens_per_s"]),
           "step_ratio": _ratio(b["sec_per_step"], a["sec_per_step"]),
           "flops_ratio": _ratio(b["flops_per_token"], a["flops_per_token"])}
    out["time_per_token_ratio"] = 1 / out["tokens_ratio"] if out["tokens_ratio"] else None
    # MFU against the right peak: our own when the GPU is known, else both as printed
    if a["mfu"] is not None and b["mfu"] is not None:
        out["mfu_kind"], ma, mb = "gpu", a["mfu"], b["mfu"]
    elif a["mfu_printed"] is not None and b["mfu_printed"] is not None \
            and a["mfu_printed_a100"] and b["mfu_printed_a100"]:
        out["mfu_kind"], ma, mb = "printed_a100", a["mfu_printed"], b["mfu_printed"]
    else:
        out["mfu_kind"], ma, mb = None, None, None
    out["mfu_a"], out["mfu_b"], out["mfu_ratio"] = ma, mb, _ratio(mb, ma)
    if out["tokens_ratio"] and out["flops_ratio"]:
        # MFU_b / MFU_a = (FLOPs per token ratio) x (tokens/s ratio)
        out["mfu_ratio_explained"] = out["flops_ratio"] * out["tokens_ratio"]
    out.update(_losses(a, b))
    return out


def _losses(a, b) -> dict:
    ca, cb = a["curve"], b["curve"]
    out = {"equal_tokens": None, "equal_time": None, "to_loss": None}
    if ca is None or cb is None:
        return out
    # equal tokens: the largest token count where both logged an evaluation
    tb = {p[1]: p for p in cb.points if p[0] > 0}
    common = [p for p in ca.points if p[0] > 0 and p[1] in tb]
    if common:
        pa = common[-1]
        out["equal_tokens"] = {"tokens": pa[1], "a": pa, "b": tb[pa[1]], "delta": tb[pa[1]][3] - pa[3]}
    # equal wall time: what each had logged by the time the shorter record ends
    horizon = min(ca.points[-1][2], cb.points[-1][2])
    pa, pb = ca.at_time(horizon), cb.at_time(horizon)
    if pa and pb:
        out["equal_time"] = {"seconds": horizon, "a": pa, "b": pb}
    # loss per hour: time each took to reach the loss both reached
    target = max(ca.best(), cb.best())
    ta, tb_ = ca.time_to(target), cb.time_to(target)
    if ta and tb_ and ta[0] > 0 and tb_[0] > 0:
        out["to_loss"] = {"loss": target, "a_s": ta[0], "a_exact": ta[1], "b_s": tb_[0], "b_exact": tb_[1],
                          "ratio": tb_[0] / ta[0], "inv": ta[0] / tb_[0]}
    return out
