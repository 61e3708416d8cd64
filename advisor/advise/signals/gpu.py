"""The GPU's signals: its peaks, the MFU of the measured step against its own peak, the
printed MFU converted, and the peak memory with what frees it (pure)."""

from __future__ import annotations

import math
from dataclasses import replace

from advisor.advise.signals.names import Signals
from advisor.advise.signals.size import shape_of
from advisor.compute import memory, sizing
from advisor.compute.context import Context
from advisor.compute.hardware import flash_attention, resolve_gpu
from advisor.read.facts import Fact
from advisor.read.logs import Run


def gpu_signals(ctx: Context, run: Run | None, out: Signals) -> None:
    used: list[Fact] = []
    fact, gpu = resolve_gpu(ctx, used)
    if fact is None:
        return
    out.put("gpu", str(fact.value), fact)
    if gpu is None:
        return
    out.put("gpu_name", gpu.display_name, fact)
    out.put("gpu_bf16_native", gpu.bf16_native, fact)
    out.put("gpu_tf32", bool(gpu.tf32_tflops) or gpu.bf16_native, fact)
    out.put("gpu_is_a100", gpu.name.startswith("a100"), fact)
    out.put("gpu_flash", flash_attention(gpu), fact)
    out.put("gpu_fp16_tflops", gpu.fp16_tflops, fact)
    out.put("gpu_fp32_tflops", gpu.fp32_tflops, fact)
    out.put("gpu_tf32_tflops", gpu.tf32_tflops, fact)
    if gpu.fp16_tflops and gpu.fp32_tflops:
        out.put("bf16_fix_speedup_max", gpu.fp16_tflops / gpu.fp32_tflops, fact)
    if gpu.tf32_tflops and gpu.fp32_tflops:
        out.put("tf32_speedup_max", gpu.tf32_tflops / gpu.fp32_tflops, fact)
    dtype = out["dtype"].value
    peak, kind = sizing.peak_tflops(gpu, str(dtype))
    if peak is None and str(dtype) in ("float32", "fp32"):
        tf32 = out.get("tf32")
        peak = gpu.tf32_tflops if tf32 is not None and tf32.value and gpu.tf32_tflops else gpu.fp32_tflops
    out.put("peak_tflops", peak, fact, "dtype", "tf32")
    hw = sizing.Hardware(peak or 0.0, out["num_gpus"].value, gpu.tdp_w)
    if peak and "mfu_printed" in out and out["mfu_printed_a100"].value:
        out.put("mfu_printed_converted", sizing.mfu_from_nanogpt(out["mfu_printed"].value * 100, hw),
                "mfu_printed", "peak_tflops", "num_gpus")
    shape, facts = shape_of(ctx)
    if shape is None:
        return
    if peak and "sec_per_step" in out and "flops_per_token" in out:
        flops_iter = out["flops_per_token"].value * out["tokens_per_iter"].value
        _mfu(ctx, out, flops_iter, hw)
    if out.get("tokens_logged", out["tokens_settings"]).value == out["tokens_settings"].value:
        _memory(out, shape, facts, gpu)     # else the batch settings are not the run's


def _mfu(ctx: Context, out: Signals, flops_iter: float, hw) -> None:
    sps = out["sec_per_step"].value
    m = sizing.mfu(flops_iter, sps, hw)
    basis = ("sec_per_step", "flops_per_token", "tokens_per_iter", "peak_tflops", "num_gpus")
    out.put("mfu_raw", m, *basis)
    if m > 1:       # faster than the GPU can go: the model settings are not the run's
        return
    out.put("mfu", m, *basis)
    params = out["params"].value
    for row in ctx.knowledge.advice_tables["mfu_typical"]:
        if params <= float(row["max_params"]):
            out.put("mfu_typical_low", float(row["low"]), "params")
            out.put("mfu_typical_high", float(row["high"]), "params")
            break
    if "mfu_typical_low" in out and m > 0:
        out.put("step_at_typical_low_s", sps * m / out["mfu_typical_low"].value, *basis)
        out.put("step_at_typical_high_s", sps * m / out["mfu_typical_high"].value, *basis)


def _memory(out: Signals, shape, facts, gpu) -> None:
    batch, gas = out["batch_size"].value, out["gradient_accumulation_steps"].value
    dtype, compiled = str(out["dtype"].value), bool(out["compile"].value)
    dropout = out["dropout"].value
    setup = memory.Setup(shape, batch, gas, dtype, compiled, flash_attention(gpu), dropout)
    basis = (*facts, "batch_size", "gradient_accumulation_steps", "dtype", "compile", "dropout", "gpu_name")
    fit = memory.fit(setup, gpu.memory_gib)
    pk, usable, largest = fit.peak.process, fit.usable_gib, fit.largest_batch
    out.put("mem_peak_gib", pk / memory.GIB, *basis)
    out.put("mem_usable_gib", usable, "gpu_name")
    out.put("mem_verdict", fit.verdict, *basis)
    out.put("mem_headroom_gib", usable - pk / memory.GIB, *basis)
    out.put("mem_largest_batch", largest, *basis)
    # a larger micro-batch that keeps the tokens per iteration: batch x k, GA / k
    k = max((d for d in divisors(gas) if batch * d <= largest), default=1)
    out.put("batch_suggested", batch * k, *basis)
    if k > 1:
        out.put("accum_suggested", gas // k, *basis)
        new = memory.peak(replace(setup, batch_size=batch * k, gradient_accumulation_steps=gas // k)).process
        out.put("mem_suggested_gib", new / memory.GIB, *basis)
        out.put("mem_suggested_more_gib", (new - pk) / memory.GIB, *basis)
    knobs = []
    if not compiled and dtype != "float32":
        knobs.append(("compile", True, replace(setup, compile=True)))
    if dtype == "float32":
        knobs.append(("dtype", "bfloat16" if gpu.bf16_native else "float16",
                      replace(setup, dtype="bfloat16" if gpu.bf16_native else "float16")))
    if largest and largest < batch:
        new_gas = memory.accumulation_for(batch * shape.block_size * gas, largest, shape.block_size)
        knobs.append(("batch_size", largest, replace(setup, batch_size=largest,
                                                      gradient_accumulation_steps=new_gas)))
    elif batch > 1:
        knobs.append(("batch_size", batch // 2, replace(setup, batch_size=batch // 2,
                                                         gradient_accumulation_steps=gas * 2)))
    rows = []
    for key, value, alt in knobs:
        new = memory.peak(alt).process
        rows.append({"key": key, "value": value, "gas": alt.gradient_accumulation_steps,
                     "freed_gib": (pk - new) / memory.GIB, "peak_gib": new / memory.GIB,
                     "verdict": memory.verdict(new, usable)})
    rows.sort(key=lambda r: -r["freed_gib"])
    out.put("mem_knobs", rows, *basis)


def divisors(n: int) -> list[int]:
    """The divisors of n, in O(sqrt n) (never a loop over a count the user gave)."""
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))
