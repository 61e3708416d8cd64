"""The GPU a context is about: a row of knowledge/gpus.yaml, else one the user described
(gpu_tflops, gpu_memory_gib, gpu_watts) (pure)."""

from __future__ import annotations

from advisor.compute.context import Context
from advisor.read.facts import Fact
from advisor.read.gpus import Gpu, find


def resolve_gpu(ctx: Context, used: list[Fact]) -> tuple[Fact | None, Gpu | None]:
    """(the gpu fact, the GPU it names): given, else read from the log; the table's row,
    else the user's description; (None, None) when no GPU is known."""
    fact = ctx.resolve("gpu", used)
    if fact is None:
        return None, None
    return fact, find(str(fact.value), ctx.knowledge.gpus) or described_gpu(ctx, str(fact.value), used)


def described_gpu(ctx: Context, name: str, used: list[Fact]) -> Gpu | None:
    """A GPU that is not in the table, described by the user: peak and memory (power optional)."""
    tflops, mem = ctx.given("gpu_tflops"), ctx.given("gpu_memory_gib")
    if tflops is None or mem is None:
        return None
    watts = ctx.given("gpu_watts")
    used.extend(f for f in (tflops, mem, watts) if f is not None)
    return Gpu("custom", name, mem.value, tflops.value, tflops.value,
               watts.value if watts is not None else None, True, "given by the user")


def flash_attention(gpu: Gpu) -> bool:
    """PyTorch SDPA's flash kernel needs sm80+, as native bf16 does."""
    return gpu.bf16_native
