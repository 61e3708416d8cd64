"""The model's signals: parameters, FLOPs per token, tokens per iteration, epochs, the usual
learning rate for the size (pure)."""

from __future__ import annotations

import math

from advisor.advise.signals.names import SHAPE_KEYS, Signals, log_fact
from advisor.compute import sizing
from advisor.compute.context import Context
from advisor.errors import AdvisorError
from advisor.read.facts import Fact
from advisor.read.logs import Run


def shape_of(ctx: Context) -> tuple[sizing.Shape | None, list[Fact]]:
    """The model's shape when the user or the log gave at least part of it (a preset counts);
    the rest from nanoGPT's defaults, marked as assumed."""
    given = ctx.preset() is not None or any(ctx.given(k) is not None for k in ("n_layer", "n_embd", "n_head"))
    if not given:
        return None, []
    facts = [ctx.resolve(key) for key in SHAPE_KEYS]
    try:
        shape = sizing.Shape(*(f.value for f in facts))
        shape.check()
    except (AdvisorError, TypeError):
        return None, []
    return shape, facts


def size_signals(ctx: Context, run: Run | None, out: Signals) -> None:
    shape, facts = shape_of(ctx)
    params_line = run.printed.get("params") if run is not None else None
    if shape is None:
        out.put("model_known", False)
        if params_line:
            out.put("params", params_line[0], log_fact("params", *params_line))
            _lr(ctx, out)
        return
    out.put("model_known", True, *facts)
    p = sizing.params(shape)
    batch, gas = out.get("batch_size"), out.get("gradient_accumulation_steps")
    comp = sizing.compute(shape, batch.value, gas.value, 0)
    out.put("params", p.reported, *facts)
    out.put("flops_per_token", comp.flops_per_token, *facts)
    out.put("tokens_settings", comp.tokens_per_iter, *facts, "batch_size", "gradient_accumulation_steps")
    logged = run.printed.get("tokens_per_step") if run is not None else None
    if logged:      # what the run printed wins over settings that may be defaults
        out.put("tokens_logged", logged[0], log_fact("tokens_per_step", *logged))
        out.put("tokens_per_iter", logged[0], "tokens_logged")
    else:
        out.put("tokens_per_iter", comp.tokens_per_iter, "tokens_settings")
    out.put("micro_tokens", batch.value * shape.block_size, *facts, "batch_size")
    _lr(ctx, out)
    _epochs(ctx, out)


def _epochs(ctx: Context, out: Signals) -> None:
    used: list[Fact] = []
    tokens, _row = ctx.dataset_tokens(used)
    if tokens is None:
        return
    source = used[-1]
    out.put("dataset_tokens", tokens, source)
    if "max_iters" in out:
        out.put("epochs", out["max_iters"].value * out["tokens_per_iter"].value / tokens,
                source, "tokens_per_iter", "max_iters")
    if "last_step" in out:
        out.put("epochs_seen", out["last_step"].value * out["tokens_per_iter"].value / tokens,
                source, "tokens_per_iter", "last_step")


def _lr(ctx: Context, out: Signals) -> None:
    if "params" not in out or "learning_rate" not in out:
        return
    ref = lr_reference(out["params"].value, ctx.knowledge.advice_tables["lr_reference"])
    out.put("lr_reference", ref, "params")
    out.put("lr_ratio", out["learning_rate"].value / ref, "learning_rate", "params")


def lr_reference(params: float, table) -> float:
    """The usual peak learning rate for a model of this size: log-log interpolation in the
    table (rows sorted by params), held flat beyond its ends."""
    rows = sorted((float(r["params"]), float(r["lr"])) for r in table)
    if params <= rows[0][0]:
        return rows[0][1]
    for (p0, l0), (p1, l1) in zip(rows, rows[1:]):
        if params <= p1:
            f = math.log(params / p0) / math.log(p1 / p0)
            return math.exp(math.log(l0) + f * math.log(l1 / l0))
    return rows[-1][1]
