"""The size of a nanoGPT-style run: parameters, tokens, FLOPs, time at an MFU, the MFU of a
measured step, energy (pure). Peak memory is advisor.compute.memory.

Formulas: shared/reference/memory-compute.md sections 5.2 and 6; nanoGPT model.py
(get_num_params subtracts the position embeddings; lm_head is tied to wte) and
transformer_sizing.ipynb, whose check against PyTorch gives 124,337,664 for GPT-2
(V=50257, bias=False).
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.errors import AdvisorError

CHINCHILLA_TOKENS_PER_PARAM = 20     # Hoffmann et al. 2022; TM101 "D = 20P"


@dataclass(frozen=True)
class Shape:
    n_layer: int
    n_head: int
    n_embd: int
    block_size: int
    vocab_size: int
    bias: bool = False

    def check(self) -> None:
        for name in ("n_layer", "n_head", "n_embd", "block_size", "vocab_size"):
            if getattr(self, name) <= 0:
                raise AdvisorError("bad_config", key=name, value=getattr(self, name), reason="positive")
        if self.n_embd % self.n_head:
            raise AdvisorError("bad_config", key="n_embd", value=self.n_embd, reason="heads",
                               n_head=self.n_head)


@dataclass(frozen=True)
class Params:
    wte: int            # token embedding, tied with lm_head (counted once)
    wpe: int            # position embedding
    per_layer: int
    layers: int         # all transformer blocks
    ln_f: int
    total: int          # every parameter tensor
    reported: int       # nanoGPT's "number of parameters": total minus wpe


def params(shape: Shape) -> Params:
    shape.check()
    c, b = shape.n_embd, int(shape.bias)
    ln = c + b * c                                   # weight (+ bias)
    attn = c * 3 * c + b * 3 * c + c * c + b * c     # c_attn + c_proj
    mlp = c * 4 * c + b * 4 * c + 4 * c * c + b * c  # c_fc + c_proj
    per_layer = 2 * ln + attn + mlp
    wte, wpe = shape.vocab_size * c, shape.block_size * c
    layers = shape.n_layer * per_layer
    total = wte + wpe + layers + ln
    return Params(wte, wpe, per_layer, layers, ln, total, total - wpe)


@dataclass(frozen=True)
class Compute:
    tokens_per_iter: int
    tokens: int                   # over max_iters iterations
    flops_6n_per_token: float     # 6 N (N = reported parameters)
    flops_attn_per_token: float   # 12 L C T (attention scores and values)
    flops_per_token: float        # 6 N + 12 L C T, the PaLM / nanoGPT MFU numerator
    flops_6n: float               # totals over the run
    flops: float
    tokens_per_param: float
    chinchilla_ratio: float       # tokens / (20 N)
    epochs: float | None          # tokens / dataset tokens, when the dataset size is known


def compute(shape: Shape, batch_size: int, gradient_accumulation_steps: int, max_iters: int,
            dataset_tokens: float | None = None) -> Compute:
    """nanoGPT's gradient_accumulation_steps is global (it is divided by the world size
    inside train.py), so tokens per iteration do not depend on the GPU count."""
    for name, v in (("batch_size", batch_size), ("gradient_accumulation_steps", gradient_accumulation_steps)):
        if v <= 0:
            raise AdvisorError("bad_config", key=name, value=v, reason="positive")
    if max_iters < 0:
        raise AdvisorError("bad_config", key="max_iters", value=max_iters, reason="positive")
    n = params(shape).reported
    per_iter = batch_size * shape.block_size * gradient_accumulation_steps
    tokens = per_iter * max_iters
    six_n = 6.0 * n
    attn = 12.0 * shape.n_layer * shape.n_embd * shape.block_size
    return Compute(
        tokens_per_iter=per_iter, tokens=tokens,
        flops_6n_per_token=six_n, flops_attn_per_token=attn, flops_per_token=six_n + attn,
        flops_6n=six_n * tokens, flops=(six_n + attn) * tokens,
        tokens_per_param=tokens / n, chinchilla_ratio=tokens / (CHINCHILLA_TOKENS_PER_PARAM * n),
        epochs=tokens / dataset_tokens if dataset_tokens else None,
    )


A100_BF16_TFLOPS = 312.0             # what nanoGPT's estimate_mfu divides by, whatever the GPU
# training draws 70-90 % of the board's TDP (memory-compute.md 6.6); the point estimate 80 %
DRAW_LOW, DRAW_MID, DRAW_HIGH = 0.7, 0.8, 0.9


@dataclass(frozen=True)
class Hardware:
    peak_tflops: float       # dense peak for the run's dtype, per GPU
    num_gpus: int = 1
    tdp_w: float | None = None


def peak_tflops(gpu, dtype: str) -> tuple[float | None, str]:
    """(dense tensor peak per GPU for this dtype, which peak it is). bf16 on a GPU without
    native bf16 is emulated: its fp16 peak is returned with the note 'bf16_emulated'."""
    if dtype in ("bfloat16", "bf16"):
        if gpu.bf16_native and gpu.bf16_tflops:
            return gpu.bf16_tflops, "bf16"
        return gpu.fp16_tflops, "bf16_emulated"
    if dtype in ("float16", "fp16"):
        return gpu.fp16_tflops, "fp16"
    return None, "fp32"


def seconds_per_iter(flops_per_iter: float, mfu: float, hw: Hardware) -> float:
    return flops_per_iter / (mfu * hw.peak_tflops * 1e12 * hw.num_gpus)


def mfu(flops_per_iter: float, sec_per_iter: float, hw: Hardware) -> float:
    """Model FLOPs utilization of a measured iteration against this GPU's own peak."""
    return flops_per_iter / (sec_per_iter * hw.peak_tflops * 1e12 * hw.num_gpus)


def mfu_from_nanogpt(printed_percent: float, hw: Hardware) -> float:
    """nanoGPT prints MFU against an A100's 312 TFLOPS on any GPU: convert it."""
    return printed_percent / 100 * A100_BF16_TFLOPS / hw.peak_tflops


def energy_kwh(seconds: float, hw: Hardware, draw_fraction: float = DRAW_MID) -> float:
    """Board power x time; training usually draws 70-90 % of TDP (memory-compute.md 6.6)."""
    if hw.tdp_w is None:
        raise AdvisorError("gpu_power_unknown")
    return seconds / 3600 * hw.tdp_w * draw_fraction * hw.num_gpus / 1000
