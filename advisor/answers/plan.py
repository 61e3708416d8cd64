"""The plan question: what a run needs, from its settings (given, read from a log, a preset,
or nanoGPT's defaults): parameters, tokens, FLOPs, time at typical MFUs and as measured,
peak memory and its verdict, energy and cost; and "will it fit?", its memory part (pure)."""

from __future__ import annotations

import statistics

from advisor.answers.answer import Answer
from advisor.compute import memory, sizing
from advisor.compute.context import Context
from advisor.compute.hardware import flash_attention, resolve_gpu
from advisor.errors import AdvisorError
from advisor.read.facts import Fact, Source

MFU_TABLE = (0.15, 0.25, 0.35, 0.50)     # typical range for small GPTs (memory-compute.md 6.4)
SHAPE_KEYS = ("n_layer", "n_head", "n_embd", "block_size", "vocab_size", "bias")
MEASURED_TAIL = 2000                     # the measured step time: median of the newest so many
PRINTED_MFU_TAIL = 50


def plan_answer(ctx: Context, arg: str = "") -> Answer:
    used: list[Fact] = []
    data = _size(ctx, used)
    fact, gpu = resolve_gpu(ctx, used)
    if fact is None:
        return Answer("plan", data, question=True)
    if gpu is None:
        raise AdvisorError("unknown_gpu", gpu=fact.value)
    data.update(_timing(ctx, data, gpu))
    data["memory"] = _memory(data, gpu)
    data["energy"] = _energy(ctx, data, gpu, used)
    return Answer("plan", data, question=True)


def fit_answer(ctx: Context, arg: str = "") -> Answer:
    """Will it fit: the plan's memory part; max_iters does not matter for it."""
    if ctx.resolve("gpu") is None:
        raise AdvisorError("plan_missing", key="gpu")
    probe = ctx
    if ctx.given("max_iters") is None:
        probe = ctx.with_facts(Fact("max_iters", 1, Source.DERIVED, "fit"))
    data = plan_answer(probe).data
    data["used"] = [f for f in data["used"] if f.origin != "fit"]
    return Answer("fit", data, question=True)


def _size(ctx: Context, used: list[Fact]) -> dict:
    """Shape, parameters, tokens and FLOPs: what needs no GPU."""
    ctx.check_preset()
    preset = ctx.preset()
    if preset is not None:
        used.append(ctx.given("model"))
    shape = sizing.Shape(*(ctx.require(k, used) for k in SHAPE_KEYS))
    if preset is not None and preset.get("pretrained") and shape.block_size > preset["config"]["block_size"]:
        # a pretrained model has position embeddings for so many tokens and no more
        raise AdvisorError("bad_config", key="block_size", value=shape.block_size, reason="block_limit",
                           limit=preset["config"]["block_size"], model=preset["name"])
    batch, gas = ctx.require("batch_size", used), ctx.require("gradient_accumulation_steps", used)
    max_iters = ctx.require("max_iters", used)
    dtype, compiled, dropout = (ctx.require(k, used) for k in ("dtype", "compile", "dropout"))
    num_gpus = ctx.require("num_gpus", used)
    dataset_tokens, dataset = ctx.dataset_tokens(used)
    comp = sizing.compute(shape, batch, gas, max_iters, dataset_tokens)
    return {"shape": shape, "params": sizing.params(shape), "compute": comp, "dataset": dataset,
            "batch_size": batch, "gradient_accumulation_steps": gas, "dataset_tokens": dataset_tokens,
            "max_iters": max_iters, "num_gpus": num_gpus, "dtype": str(dtype), "compile": bool(compiled),
            "dropout": dropout, "used": used,
            "gpu": None, "times": [], "measured": None, "memory": None, "energy": None}


def _flops_per_iter(data: dict) -> float:
    return data["compute"].flops_per_token * data["compute"].tokens_per_iter


def _hardware(data: dict, gpu) -> tuple[sizing.Hardware, float | None, str]:
    peak, kind = sizing.peak_tflops(gpu, data["dtype"])
    return sizing.Hardware(peak or 0.0, data["num_gpus"], gpu.tdp_w), peak, kind


def _timing(ctx: Context, data: dict, gpu) -> dict:
    """Time per iteration at typical MFUs, and as measured when a log was pasted."""
    hw, peak, kind = _hardware(data, gpu)
    out = {"gpu": gpu, "peak_tflops": peak, "peak_kind": kind}
    if peak:
        flops, max_iters = _flops_per_iter(data), data["max_iters"]
        per_iter = [(m, sizing.seconds_per_iter(flops, m, hw)) for m in MFU_TABLE]
        out["times"] = [(m, s, s * max_iters) for m, s in per_iter]
        out["measured"] = _measured(ctx, flops, hw, max_iters)
    return out


def _measured(ctx: Context, flops_iter: float, hw: sizing.Hardware, max_iters: int) -> dict | None:
    run = ctx.main_run()
    if run is None:
        return None
    times = [s.dt_s for s in run.samples[-MEASURED_TAIL:] if s.dt_s]
    if len(times) < 3:
        return None
    sec = statistics.median(times[1:])
    out = {"sec_per_iter": sec, "mfu": sizing.mfu(flops_iter, sec, hw), "total_s": sec * max_iters}
    printed = [s.mfu for s in run.samples[-PRINTED_MFU_TAIL:] if s.mfu is not None and s.mfu > 0]
    if printed and run.trainer == "nanoGPT":
        out["printed_mfu"] = printed[-1] / 100
        out["printed_converted"] = sizing.mfu_from_nanogpt(printed[-1], hw)
    return out


def _memory(data: dict, gpu) -> dict:
    setup = memory.Setup(data["shape"], data["batch_size"], data["gradient_accumulation_steps"],
                         data["dtype"], data["compile"], flash_attention(gpu), data["dropout"])
    fit = memory.fit(setup, gpu.memory_gib)
    return {"peak": fit.peak, "first": fit.first, "usable_gib": fit.usable_gib,
            "verdict": fit.verdict, "largest_batch": fit.largest_batch,
            "accumulation": fit.accumulation}


def _energy(ctx: Context, data: dict, gpu, used: list[Fact]) -> dict | None:
    """Energy and cost over the run: at the measured pace, else at the second typical MFU."""
    seconds = (data["measured"] or {}).get("total_s") or (data["times"][1][2] if data["times"] else None)
    if not seconds or not gpu.tdp_w:
        return None
    hw = _hardware(data, gpu)[0]
    kwh = sizing.energy_kwh(seconds, hw)
    price = ctx.given("price_kwh")
    if price is not None:
        used.append(price)
    return {"seconds": seconds, "kwh": kwh, "low": sizing.energy_kwh(seconds, hw, sizing.DRAW_LOW),
            "high": sizing.energy_kwh(seconds, hw, sizing.DRAW_HIGH),
            "cost": kwh * price.value if price is not None else None,
            "measured": bool(data["measured"])}
