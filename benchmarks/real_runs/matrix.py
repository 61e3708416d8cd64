"""The recorded runs: which trainer, which settings, where contention is injected, and
which half each run belongs to (calibration or evaluation: split by run, never by cut,
alternating within each trainer so both halves hold steady and contended runs).

Contention is one busy Python loop on this 2-core machine. With torch's two threads it
slows a step 2-20x (the threads wait on each other at every barrier; how much depends on
what else the machine runs), so the windows are short: 30-100 steps for HF and Lightning,
200-1,000 for nanoGPT, keeping each run within minutes. Runs 04 and 05, and parts of 01
and 03, also shared the machine with the project's own test runs (unscheduled contention,
kept as recorded)."""

from __future__ import annotations

import os

HERE = os.path.dirname(os.path.abspath(__file__))
NANOGPT_DIR = os.environ.get("NANOGPT_DIR", "/work/nanogpt")   # karpathy/nanoGPT, fetched

# nanoGPT's shakespeare_char config shrunk for 2 CPU cores, on the local byte-level text
NANO_BASE = dict(dataset="local_bytes", device="cpu", compile=False, block_size=64, batch_size=12,
                 n_layer=4, n_head=4, n_embd=128, dropout=0.0, warmup_iters=20,
                 always_save_checkpoint=False, log_interval=10, eval_iters=20, eval_interval=250)

NANOGPT = [
    dict(max_iters=4200, eval_interval=250, eval_iters=40),
    dict(max_iters=2800, eval_interval=200, eval_iters=100),
    dict(max_iters=2000, log_interval=1, eval_interval=250, eval_iters=50),
    dict(max_iters=1200, gradient_accumulation_steps=4, eval_interval=100),
    dict(max_iters=2800, eval_interval=100, always_save_checkpoint=True),
    dict(max_iters=1000, batch_size=32, block_size=128, log_interval=1, eval_interval=100),
    dict(max_iters=4200, eval_interval=250, busy=(1000, 2000, 1)),
    dict(max_iters=2000, log_interval=1, eval_interval=250, eval_iters=50, busy=(300, 800, 1)),
    dict(max_iters=1200, gradient_accumulation_steps=4, eval_interval=100, busy=(200, 400, 2)),
    dict(max_iters=4200, eval_interval=500, eval_iters=200),
    dict(max_iters=1400, log_interval=1, gradient_accumulation_steps=2, eval_interval=200),
    dict(max_iters=2800, eval_interval=200, eval_iters=100, busy=(500, 1000, 1)),
]

HF = [
    dict(max_steps=1800, eval_steps=200, save_steps=500, logging_steps=10, eval_blocks=800),
    dict(max_steps=1500, eval_steps=300, save_steps=300, logging_steps=50, eval_blocks=1600),
    dict(max_steps=600, eval_steps=100, save_steps=200, logging_steps=10, grad_accum=4, eval_blocks=800),
    dict(max_steps=2000, eval_steps=250, save_steps=1000, logging_steps=25, eval_blocks=400),
    dict(max_steps=1800, eval_steps=200, save_steps=500, logging_steps=10, eval_blocks=800, busy=(400, 500, 1)),
    dict(max_steps=800, eval_steps=100, save_steps=400, logging_steps=20, grad_accum=2, eval_blocks=1200),
    dict(max_steps=1500, eval_steps=300, save_steps=300, logging_steps=50, eval_blocks=1600, busy=(700, 800, 1)),
    dict(max_steps=600, eval_steps=100, save_steps=200, logging_steps=10, grad_accum=4, eval_blocks=800, busy=(100, 130, 1)),
]

LIGHTNING = [
    dict(max_steps=2500, val_check=500, val_batches=200),
    dict(max_steps=2500, val_check=500, val_batches=200, busy=(800, 900, 1)),
    dict(max_steps=2000, val_check=250, val_batches=100),
    dict(max_steps=2000, val_check=250, val_batches=100, busy=(1000, 1100, 1)),
]


def runs() -> list[dict]:
    out = []
    for trainer, table in (("nanogpt", NANOGPT), ("hf", HF), ("lightning", LIGHTNING)):
        for i, spec in enumerate(table):
            spec = dict(spec)
            busy = spec.pop("busy", None)
            out.append(dict(name=f"{trainer}-{i + 1:02d}", trainer=trainer, settings=spec, busy=busy,
                            split="calibration" if i % 2 == 0 else "evaluation"))
    return out


def command(run: dict, python: str, out_dir: str) -> tuple[list[str], str, str]:
    """(argv, working directory, the pattern of a training step's number)."""
    s = run["settings"]
    if run["trainer"] == "nanogpt":
        cfg = {**NANO_BASE, **s, "lr_decay_iters": s["max_iters"], "out_dir": out_dir}
        argv = [python, "train.py", "config/train_shakespeare_char.py"]
        argv += [f"--{k}={v}" for k, v in cfg.items()]
        return argv, NANOGPT_DIR, r"^iter (\d+):"
    script = os.path.join(HERE, f"{'hf' if run['trainer'] == 'hf' else 'lightning'}_train.py")
    argv = [python, script, "--out", out_dir] + [f"--{k.replace('_', '-')}={v}" for k, v in s.items()]
    if run["trainer"] == "hf":
        return argv, HERE, rf"(\d+)/{s['max_steps']} \["
    return argv, HERE, r"Epoch \d+:\s+\d+%\|[^|]*\| (\d+)/"
