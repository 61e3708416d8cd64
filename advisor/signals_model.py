"""The model and GPU half of the advice signals: parameters, FLOPs, tokens, learning rate,
peaks, MFU and peak memory (pure). See advisor/signals.py for the registry and provenance."""

from __future__ import annotations

import math
from dataclasses import replace as _dc_replace

from advisor import memory, plan
from advisor.errors import AdvisorError
from advisor.facts import Fact, Source
from advisor.gpus import find
from advisor.signals import SHAPE_KEYS, _fact, _log_fact, _Signals

def _shape(session):
    """The model's shape when the user or the log gave at least part of it (a preset counts);
    the rest from nanoGPT's defaults, marked as assumed."""
    preset = None
    chosen = session.store.get("model")
    if chosen is not None:
        preset = session.knowledge.models.get(str(chosen.value).lower())
    given = preset is not None or any(
        session.store.get(k) is not None for k in ("n_layer", "n_embd", "n_head"))
    if not given:
        return None, []
    facts = []
    for key in SHAPE_KEYS:
        fact = session.store.get(key)
        if fact is None and preset is not None and key in preset["config"]:
            fact = Fact(key, preset["config"][key], Source.DEFAULT, "preset")
        fact = fact or _fact(session, key)
        facts.append(fact)
    try:
        shape = plan.Shape(*(f.value for f in facts))
        shape.check()
    except (AdvisorError, TypeError):
        return None, []
    return shape, facts


def model_signals(session, run, out: _Signals) -> None:
    shape, facts = _shape(session)
    params_line = run.facts.get("params") if run is not None else None
    if shape is None:
        out.put("model_known", False)
        if params_line:
            out.put("params", params_line[0], _log_fact("params", *params_line))
            _lr(session, out)
        return
    out.put("model_known", True, *facts)
    p = plan.params(shape)
    batch, gas = out.get("batch_size"), out.get("gradient_accumulation_steps")
    comp = plan.compute(shape, batch.value, gas.value, 0)
    out.put("params", p.reported, *facts)
    out.put("flops_per_token", comp.flops_per_token, *facts)
    out.put("tokens_settings", comp.tokens_per_iter, *facts, "batch_size", "gradient_accumulation_steps")
    logged = run.facts.get("tokens_per_step") if run is not None else None
    if logged:      # what the run printed wins over settings that may be defaults
        out.put("tokens_logged", logged[0], _log_fact("tokens_per_step", *logged))
        out.put("tokens_per_iter", logged[0], "tokens_logged")
    else:
        out.put("tokens_per_iter", comp.tokens_per_iter, "tokens_settings")
    out.put("micro_tokens", batch.value * shape.block_size, *facts, "batch_size")
    _lr(session, out)
    tokens = _dataset_tokens(session)
    if tokens is not None:
        out.put("dataset_tokens", tokens[0], tokens[1])
        if "max_iters" in out:
            out.put("epochs", out["max_iters"].value * out["tokens_per_iter"].value / tokens[0],
                    tokens[1], "tokens_per_iter", "max_iters")
        if "last_step" in out:
            out.put("epochs_seen", out["last_step"].value * out["tokens_per_iter"].value / tokens[0],
                    tokens[1], "tokens_per_iter", "last_step")


def _dataset_tokens(session):
    given = session.store.get("dataset_tokens")
    if given is not None:
        return given.value, given
    name = session.store.get("dataset")
    row = session.knowledge.datasets.get(str(name.value).lower()) if name is not None else None
    return (row["train_tokens"], name) if row else None


def _lr(session, out: _Signals) -> None:
    if "params" not in out or "learning_rate" not in out:
        return
    ref = lr_reference(out["params"].value, session.knowledge.advice_tables["lr_reference"])
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


def gpu_signals(session, run, out: _Signals) -> None:
    fact = session.store.get("gpu")
    if fact is None and session.log.system.get("gpu"):
        value, line = session.log.system["gpu"]
        fact = _log_fact("gpu", value, line)
    if fact is None:
        return
    out.put("gpu", str(fact.value), fact)
    gpu = find(str(fact.value), session.knowledge.gpus)
    if gpu is None:
        from advisor.planner import _custom_gpu
        gpu = _custom_gpu(session, str(fact.value), [])
    if gpu is None:
        return
    out.put("gpu_name", gpu.display_name, fact)
    out.put("gpu_bf16_native", gpu.bf16_native, fact)
    out.put("gpu_tf32", bool(gpu.tf32_tflops) or gpu.bf16_native, fact)
    out.put("gpu_is_a100", gpu.name.startswith("a100"), fact)
    out.put("gpu_flash", gpu.bf16_native, fact)
    out.put("gpu_fp16_tflops", gpu.fp16_tflops, fact)
    out.put("gpu_fp32_tflops", gpu.fp32_tflops, fact)
    out.put("gpu_tf32_tflops", gpu.tf32_tflops, fact)
    if gpu.fp16_tflops and gpu.fp32_tflops:
        out.put("bf16_fix_speedup_max", gpu.fp16_tflops / gpu.fp32_tflops, fact)
    if gpu.tf32_tflops and gpu.fp32_tflops:
        out.put("tf32_speedup_max", gpu.tf32_tflops / gpu.fp32_tflops, fact)
    dtype = out["dtype"].value
    peak, kind = plan.peak_tflops(gpu, str(dtype))
    if peak is None and str(dtype) in ("float32", "fp32"):
        tf32 = out.get("tf32")
        peak = gpu.tf32_tflops if tf32 is not None and tf32.value and gpu.tf32_tflops else gpu.fp32_tflops
    out.put("peak_tflops", peak, fact, "dtype", "tf32")
    hw = plan.Hardware(peak or 0.0, out["num_gpus"].value, gpu.tdp_w)
    if peak and "mfu_printed" in out and out["mfu_printed_a100"].value:
        out.put("mfu_printed_converted", plan.mfu_from_nanogpt(out["mfu_printed"].value * 100, hw),
                "mfu_printed", "peak_tflops", "num_gpus")
    shape, facts = _shape(session)
    if shape is None:
        return
    if peak and "sec_per_step" in out and "flops_per_token" in out:
        flops_iter = out["flops_per_token"].value * out["tokens_per_iter"].value
        _mfu(session, out, flops_iter, hw)
    if out.get("tokens_logged", out["tokens_settings"]).value == out["tokens_settings"].value:
        _memory(out, shape, facts, gpu)     # else the batch settings are not the run's


def _mfu(session, out: _Signals, flops_iter: float, hw) -> None:
    sps = out["sec_per_step"].value
    m = plan.mfu(flops_iter, sps, hw)
    basis = ("sec_per_step", "flops_per_token", "tokens_per_iter", "peak_tflops", "num_gpus")
    out.put("mfu_raw", m, *basis)
    if m > 1:       # faster than the GPU can go: the model settings are not the run's
        return
    out.put("mfu", m, *basis)
    params = out["params"].value
    for row in session.knowledge.advice_tables["mfu_typical"]:
        if params <= float(row["max_params"]):
            out.put("mfu_typical_low", float(row["low"]), "params")
            out.put("mfu_typical_high", float(row["high"]), "params")
            break
    if "mfu_typical_low" in out and m > 0:
        out.put("step_at_typical_low_s", sps * m / out["mfu_typical_low"].value, *basis)
        out.put("step_at_typical_high_s", sps * m / out["mfu_typical_high"].value, *basis)


def _memory(out: _Signals, shape, facts, gpu) -> None:
    batch, gas = out["batch_size"].value, out["gradient_accumulation_steps"].value
    dtype, compiled = str(out["dtype"].value), bool(out["compile"].value)
    dropout = out["dropout"].value
    setup = memory.Setup(shape, batch, gas, dtype, compiled, gpu.bf16_native, dropout)
    basis = (*facts, "batch_size", "gradient_accumulation_steps", "dtype", "compile", "dropout", "gpu_name")
    pk = memory.peak(setup).process
    usable = gpu.memory_gib * 0.97
    out.put("mem_peak_gib", pk / memory.GIB, *basis)
    out.put("mem_usable_gib", usable, "gpu_name")
    out.put("mem_verdict", memory.verdict(pk, usable), *basis)
    out.put("mem_headroom_gib", usable - pk / memory.GIB, *basis)
    largest = memory.largest_batch(setup, usable)
    out.put("mem_largest_batch", largest, *basis)
    # a larger micro-batch that keeps the tokens per iteration: batch x k, GA / k
    k = max((d for d in range(1, gas + 1) if gas % d == 0 and batch * d <= largest), default=1)
    out.put("batch_suggested", batch * k, *basis)
    if k > 1:
        out.put("accum_suggested", gas // k, *basis)
        new = memory.peak(_replace(setup, batch_size=batch * k, gradient_accumulation_steps=gas // k)).process
        out.put("mem_suggested_gib", new / memory.GIB, *basis)
        out.put("mem_suggested_more_gib", (new - pk) / memory.GIB, *basis)
    knobs = []
    if not compiled and dtype != "float32":
        knobs.append(("compile", True, _replace(setup, compile=True)))
    if dtype == "float32":
        knobs.append(("dtype", "bfloat16" if gpu.bf16_native else "float16",
                      _replace(setup, dtype="bfloat16" if gpu.bf16_native else "float16")))
    if largest and largest < batch:
        new_gas = memory.accumulation_for(batch * shape.block_size * gas, largest, shape.block_size)
        knobs.append(("batch_size", largest, _replace(setup, batch_size=largest,
                                                      gradient_accumulation_steps=new_gas)))
    elif batch > 1:
        knobs.append(("batch_size", batch // 2, _replace(setup, batch_size=batch // 2,
                                                         gradient_accumulation_steps=gas * 2)))
    rows = []
    for key, value, alt in knobs:
        new = memory.peak(alt).process
        rows.append({"key": key, "value": value, "gas": alt.gradient_accumulation_steps,
                     "freed_gib": (pk - new) / memory.GIB, "peak_gib": new / memory.GIB,
                     "verdict": memory.verdict(new, usable)})
    rows.sort(key=lambda r: -r["freed_gib"])
    out.put("mem_knobs", rows, *basis)


def _replace(setup, **changes):
    return _dc_replace(setup, **changes)
