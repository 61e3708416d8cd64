"""Predicted vs measured peak memory of a training step, on the CPU.

Builds small nanoGPT-shaped models in PyTorch (our own minimal GPT: token and position
embeddings, pre-LayerNorm blocks with causal SDPA attention and a GELU MLP, a tied head,
cross-entropy), runs forward + backward over the accumulation steps + AdamW, and measures
the peak bytes of live tensors with PyTorch's MemTracker (torch.distributed._tools). Prints
advisor's prediction per component next to it for a grid of configs. Not a test.

    pip install -e '.[calibrate]'      # torch, CPU build
    python benchmarks/memory_calibration.py
"""

from __future__ import annotations

import itertools
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
warnings.filterwarnings("ignore")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.distributed._tools.mem_tracker import MemTracker  # noqa: E402

from advisor.compute.memory import WORKSPACE, Setup, peak  # noqa: E402
from advisor.compute.sizing import Shape  # noqa: E402


class Block(nn.Module):
    def __init__(self, c: int, h: int, dropout: float):
        super().__init__()
        self.h, self.dropout = h, dropout
        self.ln1, self.ln2 = nn.LayerNorm(c, bias=False), nn.LayerNorm(c, bias=False)
        self.qkv, self.proj = nn.Linear(c, 3 * c, bias=False), nn.Linear(c, c, bias=False)
        self.fc, self.out = nn.Linear(c, 4 * c, bias=False), nn.Linear(4 * c, c, bias=False)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.h, c // self.h).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        x = x + self.drop(self.proj(y.transpose(1, 2).contiguous().view(b, t, c)))
        return x + self.drop(self.out(F.gelu(self.fc(self.ln2(x)))))


class GPT(nn.Module):
    def __init__(self, s: Shape, dropout: float):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(s.vocab_size, s.n_embd), nn.Embedding(s.block_size, s.n_embd)
        self.blocks = nn.ModuleList(Block(s.n_embd, s.n_head, dropout) for _ in range(s.n_layer))
        self.ln_f = nn.LayerNorm(s.n_embd, bias=False)
        self.head = nn.Linear(s.n_embd, s.vocab_size, bias=False)
        self.head.weight = self.wte.weight
        self.drop = nn.Dropout(dropout)

    def forward(self, idx, targets):
        t = idx.shape[1]
        x = self.drop(self.wte(idx) + self.wpe(torch.arange(t)))
        for blk in self.blocks:
            x = blk(x)
        logits = self.head(self.ln_f(x))
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def measure(s: Shape, batch: int, ga: int, dtype: str, dropout: float) -> float:
    torch.manual_seed(0)
    model = GPT(s, dropout)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x = torch.randint(0, s.vocab_size, (batch, s.block_size))
    y = torch.randint(0, s.vocab_size, (batch, s.block_size))
    ctx = (torch.autocast("cpu", dtype=torch.bfloat16) if dtype == "bfloat16"
           else torch.autocast("cpu", enabled=False))
    tracker = MemTracker()

    def step(tracked: bool = False):
        for _ in range(ga):
            if tracked:
                tracker.reset_mod_stats()    # one module call per micro-step is all it allows
            with ctx:
                logits, loss = model(x, y)
            (loss / ga).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    step()                                   # AdamW state exists from here on
    tracker.track_external(model, opt)       # after the state exists, so that it is counted
    with tracker:
        step(tracked=True)
    snap = tracker.get_tracker_snapshot("peak")
    dev = max(snap.values(), key=lambda v: v.get("Total", 0))
    parts = {str(k).split(".")[-1].lower(): v for k, v in dev.items() if k != "Total"}
    return dev.get("Total", 0), parts


def main() -> None:
    rows = []
    grid = itertools.product([2, 4], [128, 256], [128, 256], [4, 8], [1, 2], ["bfloat16", "float32"], [0.0, 0.1])
    for i, (layers, width, ctx, batch, ga, dtype, dropout) in enumerate(grid):
        if i % 5:                            # a fifth of the grid, spread over every axis
            continue
        s = Shape(layers, 4, width, ctx, 4096)
        measured, parts = measure(s, batch, ga, dtype, dropout)
        # PyTorch's CPU SDPA has no fused kernel with attention dropout: the math path runs
        flash = dropout == 0
        p = peak(Setup(s, batch, ga, dtype, compile=False, flash=flash, dropout=dropout))
        predicted = p.allocated - WORKSPACE
        rows.append((layers, width, ctx, batch, ga, dtype, dropout, measured, predicted))
        print(f"L={layers} C={width:4d} T={ctx:4d} B={batch} GA={ga} {dtype:9s} drop={dropout:.1f}  "
              f"measured {measured / 2**20:8.2f} MiB  predicted {predicted / 2**20:8.2f} MiB  "
              f"({(predicted / measured - 1) * 100:+6.1f} %)   [state {p.state / 2**20:.1f}, casts {p.casts / 2**20:.1f}, "
              f"act {p.activations / 2**20:.1f}, logits {p.logits / 2**20:.1f} MiB]\n"
              f"{'':52s}measured by category: "
              + ", ".join(f"{k} {v / 2**20:.1f}" for k, v in sorted(parts.items()) if v) + " MiB")
    errs = sorted(abs(r[8] / r[7] - 1) for r in rows)
    print(f"\n{len(rows)} configs: median |error| {100 * errs[len(errs) // 2]:.1f} %, "
          f"max {100 * errs[-1]:.1f} %, within 10 %: {sum(e <= 0.10 for e in errs)}/{len(errs)}")


if __name__ == "__main__":
    main()
