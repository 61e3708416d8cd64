"""The compare question: two runs (or configs) side by side, each measured from its own
context, and a verdict whose every sentence is computed from the table (pure)."""

from __future__ import annotations

from advisor.advise.signals.gather import gather
from advisor.answers.answer import Answer
from advisor.compute.compare import DIFF_KEYS, compare, curve, elapsed
from advisor.compute.context import Context
from advisor.errors import AdvisorError


def compare_answer(ctx: Context, arg: str = "") -> Answer:
    """The last two runs pasted; facts given with /set or --set hold for both."""
    a, b = ctx.sides()
    return compare_runs(a, b)


def compare_runs(a: Context, b: Context, labels: tuple[str, str] = ("A", "B")) -> Answer:
    sa, sb = side(a, labels[0]), side(b, labels[1])
    if sa["sec_per_step"] is None and sa["tokens_per_iter"] is None \
            or sb["sec_per_step"] is None and sb["tokens_per_iter"] is None:
        raise AdvisorError("compare_empty", a=labels[0], b=labels[1])
    return Answer("compare", compare(sa, sb), question=True)


def setting(ctx: Context, key: str) -> tuple[object, str]:
    """(value, where it came from: user, log, default, or unknown)."""
    fact = ctx.resolve(key)
    return (fact.value, fact.source.value) if fact is not None else (None, "unknown")


def side(ctx: Context, label: str) -> dict:
    """One side of the table: what the signals measured of its run, in the units compared."""
    v = {k: s.value for k, s in gather(ctx).items()}
    run = ctx.main_run()
    out = {"label": label, "s": v, "trainer": run.trainer if run else None,
           "settings": {k: setting(ctx, k) for k in DIFF_KEYS}}
    sps, tokens = v.get("sec_per_step"), v.get("tokens_per_iter")
    if tokens is None and run is not None and "tokens_per_step" in run.printed:
        tokens = run.printed["tokens_per_step"][0]
    if tokens is None and all(ctx.given(k) for k in ("batch_size", "gradient_accumulation_steps")):
        tokens = v["batch_size"] * v["gradient_accumulation_steps"] * v["block_size"]
    out["tokens_per_iter"] = tokens
    out["sec_per_step"] = sps
    out["tokens_per_s"] = tokens / sps if tokens and sps else None
    out["micro_s"] = _micro_batch_s(ctx, run, v, sps)
    for key in ("mfu", "mfu_printed", "mfu_printed_a100", "params", "flops_per_token"):
        out[key] = v.get(key)
    out["curve"] = curve(run, v, tokens) if run is not None and sps else None
    max_iters = v.get("max_iters")
    out["total_s"] = elapsed(run, v, max_iters) if run is not None and sps and max_iters else None
    return out


def _micro_batch_s(ctx: Context, run, v: dict, sps: float | None) -> float | None:
    """Time per micro-batch, only from an accumulation the user gave or the log showed."""
    given = ctx.given("gradient_accumulation_steps")
    logged = run.printed.get("gradient_accumulation_steps") if run is not None else None
    gas = given.value if given is not None else (logged[0] if logged else None)
    return sps / max(1, gas // max(1, v.get("num_gpus", 1))) if sps and gas else None
