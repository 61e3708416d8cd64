"""Peak GPU memory of a nanoGPT-style training step (pure), with its breakdown.

Formulas: shared/reference/memory-compute.md section 5 (derived from nanoGPT's train.py and
model.py, autocast and SDPA semantics). Coefficients marked "calibrate" are estimates until
benchmarks/memory_calibration.py measures them (issue 6); they are parameters, not magic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import NamedTuple

from advisor.compute.sizing import Shape, params

GIB = 1024 ** 3
K_EAGER = 36          # bytes per (B*T*C) saved per layer, eager autocast (calibrate: one OOM says ~22)
K_COMPILE = 24        # same under torch.compile (calibrate: 20-28)
K_FP32 = 64           # same without autocast
K_CE_EAGER = 14       # bytes per (B*T*V) at the start of backward: bf16 logits, fp32 log-softmax, 2 grads
K_CE_COMPILE = 4      # compiled cross-entropy keeps bf16 logits and their grad
K_CE_FP32 = 16
WORKSPACE = 64 * 1024 ** 2
FRAGMENTATION = 0.05  # reserved / allocated - 1 for fixed-shape loops (nanoGPT#61: 14.28 vs 14.32 GiB)
CUDA_CONTEXT = 0.5 * GIB
FIT_MARGIN = 0.90     # "fits" below 90 % of usable memory, "tight" up to 100 %
USABLE_FRACTION = 0.97  # what torch reports as the card's memory is a little below the marketed size


@dataclass(frozen=True)
class Setup:
    shape: Shape
    batch_size: int
    gradient_accumulation_steps: int = 1
    dtype: str = "bfloat16"          # bfloat16 | float16 | float32
    compile: bool = True
    flash: bool = True               # PyTorch SDPA flash / memory-efficient attention (sm80+)
    dropout: float = 0.0
    first_iteration: bool = False    # AdamW states are allocated at the first step


@dataclass(frozen=True)
class Peak:
    weights: float          # fp32 parameters
    grads: float            # fp32 gradients alive during the forward pass (GA > 1)
    adamw: float            # exp_avg + exp_avg_sq
    casts: float            # bf16/fp16 weight copies saved for backward (eager autocast)
    activations: float      # all layers
    head: float             # ln_f and lm_head inputs
    logits: float           # logits and cross-entropy buffers
    workspace: float
    step: float             # the optimizer step's own peak
    allocated: float        # max(forward+backward, step)
    reserved: float         # + allocator fragmentation
    process: float          # + CUDA context: what nvidia-smi shows

    @property
    def state(self) -> float:
        """Weights, gradients and optimizer state."""
        return self.weights + self.grads + self.adamw

    @property
    def other(self) -> float:
        """Head activations, workspaces, fragmentation and the CUDA context."""
        return self.head + self.workspace + (self.reserved - self.allocated) + (self.process - self.reserved)


def peak(s: Setup) -> Peak:
    sh = s.shape
    p = params(sh)
    P = p.total
    p_mm = sh.n_layer * 12 * sh.n_embd ** 2 + sh.vocab_size * sh.n_embd
    B, T, C, L, H, V = s.batch_size, sh.block_size, sh.n_embd, sh.n_layer, sh.n_head, sh.vocab_size
    btc, btv = B * T * C, B * T * V
    fp32 = s.dtype == "float32"
    weights, adamw = 4.0 * P, 0.0 if s.first_iteration else 8.0 * P
    grads = 4.0 * P if s.gradient_accumulation_steps > 1 else 0.0
    casts = 0.0 if fp32 or s.compile else 2.0 * p_mm
    k = K_FP32 if fp32 else (K_COMPILE if s.compile else K_EAGER)
    layer = k * btc + 16 * B * T + 4 * B * H * T
    if s.dropout > 0:
        layer += 2 * btc
    if not s.flash:
        layer += (6 + (5 if s.dropout > 0 else 0)) * B * H * T * T
    activations = L * layer + (btc if s.dropout > 0 else 0)
    head = (8 if fp32 else 6) * btc
    k_ce = K_CE_FP32 if fp32 else (K_CE_COMPILE if s.compile else K_CE_EAGER)
    logits = k_ce * btv
    fwdbwd = weights + grads + adamw + casts + activations + head + logits + WORKSPACE
    step = 16.0 * P
    allocated = max(fwdbwd, step)
    reserved = allocated * (1 + FRAGMENTATION)
    return Peak(weights, grads, adamw, casts, activations, head, logits, WORKSPACE, step,
                allocated, reserved, reserved + CUDA_CONTEXT)


def verdict(process_bytes: float, usable_gib: float) -> str:
    usable = usable_gib * GIB
    if process_bytes <= FIT_MARGIN * usable:
        return "fits"
    if process_bytes <= usable:
        return "tight"
    return "will_not_fit"


def largest_batch(s: Setup, usable_gib: float, limit: int = 4096) -> int:
    """The largest micro-batch whose peak fits (with the margin); 0 if none does."""
    def ok(b: int) -> bool:
        return verdict(peak(replace(s, batch_size=b)).process, usable_gib) == "fits"
    if not ok(1):
        return 0
    lo, hi = 1, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid - 1)
    return lo


def accumulation_for(tokens_per_iter: int, batch_size: int, block_size: int) -> int:
    """gradient_accumulation_steps that keeps the tokens per iteration with a new micro-batch."""
    return max(1, math.ceil(tokens_per_iter / (batch_size * block_size)))


def usable_gib(memory_gib: float) -> float:
    return memory_gib * USABLE_FRACTION


class Fit(NamedTuple):
    """Will a setup fit on a card: the peak, at the first iteration too, the verdict, the
    largest micro-batch that fits and the accumulation that keeps the tokens per iteration."""
    peak: Peak
    first: Peak
    usable_gib: float
    verdict: str
    largest_batch: int
    accumulation: int | None


def fit(setup: Setup, memory_gib: float) -> Fit:
    usable = usable_gib(memory_gib)
    pk = peak(setup)
    best = largest_batch(setup, usable)
    tokens = setup.batch_size * setup.shape.block_size * setup.gradient_accumulation_steps
    return Fit(pk, peak(replace(setup, first_iteration=True)), usable, verdict(pk.process, usable),
               best, accumulation_for(tokens, best, setup.shape.block_size) if best else None)
