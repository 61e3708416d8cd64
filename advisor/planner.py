"""The plan question: gather the facts (given, read from a log, a preset, or nanoGPT's
defaults) and compute what the run needs. Pure: returns an Answer for templates/plan.j2."""

from __future__ import annotations

import statistics

from advisor import memory, plan
from advisor.answers import Answer
from advisor.errors import AdvisorError
from advisor.facts import Fact, Source
from advisor.gpus import Gpu, find

MFU_TABLE = (0.15, 0.25, 0.35, 0.50)     # typical range for small GPTs (memory-compute.md 6.4)
SHAPE_KEYS = ("n_layer", "n_head", "n_embd", "block_size", "vocab_size", "bias")


def plan_answer(session) -> Answer:
    know = session.knowledge
    used: list[Fact] = []
    preset = None
    chosen = session.store.get("model")
    if chosen is not None:
        preset = know.models.get(str(chosen.value).lower())
        if preset is None:
            raise AdvisorError("unknown_model", model=chosen.value, known=sorted({r["name"] for r in know.models.values()}))
        used.append(chosen)

    def value(key):
        fact = session.store.get(key)
        if fact is None and preset is not None and key in preset["config"]:
            fact = Fact(key, preset["config"][key], Source.DEFAULT, "preset")
        if fact is None:
            spec = know.keys[key]
            if not spec.has_default:
                raise AdvisorError("plan_missing", key=key)
            fact = Fact(key, spec.default, Source.DEFAULT, "default")
        used.append(fact)
        return fact.value

    shape = plan.Shape(*(value(k) for k in SHAPE_KEYS))
    if preset is not None and preset.get("pretrained") and shape.block_size > preset["config"]["block_size"]:
        # a pretrained model has position embeddings for so many tokens and no more
        raise AdvisorError("bad_config", key="block_size", value=shape.block_size, reason="block_limit",
                           limit=preset["config"]["block_size"], model=preset["name"])
    batch, gas = value("batch_size"), value("gradient_accumulation_steps")
    max_iters = session.store.get("max_iters")
    if max_iters is None and preset is not None and "max_iters" in preset["config"]:
        max_iters = Fact("max_iters", preset["config"]["max_iters"], Source.DEFAULT, "preset")
    if max_iters is None:
        raise AdvisorError("plan_missing", key="max_iters")
    used.append(max_iters)
    dtype, compiled, dropout = value("dtype"), value("compile"), value("dropout")
    num_gpus = value("num_gpus")
    dataset_tokens, dataset = _dataset(session, used)
    params = plan.params(shape)
    comp = plan.compute(shape, batch, gas, max_iters.value, dataset_tokens)
    flops_iter = comp.flops_per_token * comp.tokens_per_iter

    data = {"shape": shape, "params": params, "compute": comp, "dataset": dataset,
            "batch_size": batch, "gradient_accumulation_steps": gas, "dataset_tokens": dataset_tokens,
            "max_iters": max_iters.value, "num_gpus": num_gpus, "used": used,
            "gpu": None, "times": [], "measured": None, "memory": None, "energy": None}
    gpu_fact = session.store.get("gpu")
    if gpu_fact is None:
        return Answer("plan", data, question=True)
    used.append(gpu_fact)
    gpu = find(str(gpu_fact.value), know.gpus) or _custom_gpu(session, str(gpu_fact.value), used)
    if gpu is None:
        raise AdvisorError("unknown_gpu", gpu=gpu_fact.value)
    peak, kind = plan.peak_tflops(gpu, str(dtype))
    hw = plan.Hardware(peak or 0.0, num_gpus, gpu.tdp_w)
    data.update(gpu=gpu, peak_tflops=peak, peak_kind=kind)
    if peak:
        data["times"] = [(m, plan.seconds_per_iter(flops_iter, m, hw),
                          plan.seconds_per_iter(flops_iter, m, hw) * max_iters.value) for m in MFU_TABLE]
        data["measured"] = _measured(session, flops_iter, hw, max_iters.value)
    setup = memory.Setup(shape, batch, gas, str(dtype), bool(compiled), gpu_flash(gpu), dropout)
    pk = memory.peak(setup)
    first = memory.peak(memory.Setup(shape, batch, gas, str(dtype), bool(compiled), gpu_flash(gpu),
                                     dropout, first_iteration=True))
    usable = gpu.memory_gib * 0.97      # what torch reports is a little below the marketed size
    best = memory.largest_batch(setup, usable)
    data["memory"] = {"peak": pk, "first": first, "usable_gib": usable,
                      "verdict": memory.verdict(pk.process, usable), "largest_batch": best,
                      "accumulation": memory.accumulation_for(comp.tokens_per_iter, best, shape.block_size)
                      if best else None}
    seconds = (data["measured"] or {}).get("total_s") or (data["times"][1][2] if data["times"] else None)
    if seconds and gpu.tdp_w:
        kwh = plan.energy_kwh(seconds, hw)
        price = session.store.get("price_kwh")
        if price is not None:
            used.append(price)
        data["energy"] = {"seconds": seconds, "kwh": kwh, "low": plan.energy_kwh(seconds, hw, 0.7),
                          "high": plan.energy_kwh(seconds, hw, 0.9),
                          "cost": kwh * price.value if price is not None else None,
                          "measured": bool(data["measured"])}
    return Answer("plan", data, question=True)


def fit_answer(session) -> Answer:
    """Will it fit: the plan's memory part; max_iters does not matter for it."""
    if session.store.get("gpu") is None:
        raise AdvisorError("plan_missing", key="gpu")
    probe = session
    if session.store.get("max_iters") is None:
        from advisor.session import Session
        probe = Session(session.knowledge, session.locale, session.clock, session.store.copy(), session.log)
        probe.store.put(Fact("max_iters", 1, Source.DERIVED, "fit"))
    data = plan_answer(probe).data
    data["used"] = [f for f in data["used"] if f.origin != "fit"]
    return Answer("fit", data, question=True)


def _custom_gpu(session, name: str, used: list):
    """A GPU that is not in the table, described by the user: peak and memory (power optional)."""
    tflops, mem = session.store.get("gpu_tflops"), session.store.get("gpu_memory_gib")
    if tflops is None or mem is None:
        return None
    watts = session.store.get("gpu_watts")
    used.extend(f for f in (tflops, mem, watts) if f is not None)
    return Gpu("custom", name, mem.value, tflops.value, tflops.value,
               watts.value if watts is not None else None, True, "given by the user")


def gpu_flash(gpu) -> bool:
    return gpu.bf16_native          # SDPA flash attention needs sm80+, as native bf16 does


def _dataset(session, used):
    given = session.store.get("dataset_tokens")
    if given is not None:
        used.append(given)
        return given.value, None
    name = session.store.get("dataset")
    if name is None:
        return None, None
    row = session.knowledge.datasets.get(str(name.value).lower())
    used.append(name)
    return (row["train_tokens"], row) if row else (None, None)


def _measured(session, flops_iter, hw, max_iters):
    run = session.log.main_run()
    if run is None:
        return None
    times = [s.dt_s for s in run.samples[-2000:] if s.dt_s]
    if len(times) < 3:
        return None
    sec = statistics.median(times[1:])
    out = {"sec_per_iter": sec, "mfu": plan.mfu(flops_iter, sec, hw), "total_s": sec * max_iters}
    printed = [s.mfu for s in run.samples[-50:] if s.mfu is not None and s.mfu > 0]
    if printed and run.trainer == "nanoGPT":
        out["printed_mfu"] = printed[-1] / 100
        out["printed_converted"] = plan.mfu_from_nanogpt(printed[-1], hw)
    return out
