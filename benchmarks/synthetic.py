"""Synthetic nanoGPT runs with exact truth, calibrated on shared/reference/eta-method.md
(sections 4.1-4.2 and 6): step time mu with 1-5 % noise, iteration 0 at 10-300x mu
(compile), evaluations worth 10-150 steps every eval_interval, checkpoint saves, linear
drift, rare stalls, optional level shifts (batch-size schedules), log_interval 1 or 10.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass
class SynthRun:
    """A run as a timeline: position p is the p-th iteration executed (after a resume the
    same iteration numbers come again), with its exact wall time."""

    name: str
    lines: list[str]              # the log as nanoGPT prints it
    line_pos: list[int]           # the timeline position each line belongs to
    dt: list[float]               # exact wall time of each executed iteration, in order
    iters: list[int]              # the iteration number at each timeline position
    max_iters: int
    eval_interval: int
    log_interval: int
    scenario: str                 # stationary | drift | stalls | shift
    gas: int = 1                  # gradient_accumulation_steps (shapes the eval cost)
    eval_iters: int = 200
    shift_at: int | None = None   # iteration where the step time changes level (scenario shift)

    def truth_after(self, p: int) -> float:
        return sum(self.dt[p + 1:])

    def elapsed_until(self, p: int) -> float:
        return sum(self.dt[:p + 1])

    def lines_until(self, p: int) -> list[str]:
        """The log as it stood right after timeline position `p` was printed."""
        out = []
        for line, q in zip(self.lines, self.line_pos):
            if q > p:
                break
            out.append(line)
        return out


def make_run(seed: int, scenario: str = "stationary") -> SynthRun:
    rng = random.Random(seed)
    mu = rng.choice([0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 3.0])
    cv = rng.uniform(0.01, 0.05)
    max_iters = rng.choice([2000, 5000, 10000, 20000])
    eval_interval = rng.choice([50, 250, 500, 1000])
    while eval_interval * 4 > max_iters:
        eval_interval //= 2
    log_interval = rng.choice([1, 10])
    gas, eval_iters = rng.choice([1, 4, 5, 40]), rng.choice([20, 100, 200])
    # nanoGPT's eval: 2 x eval_iters forward passes of one micro-batch, about a third of a
    # training micro-step each; kappa observed 0.87 on one real log (eta-method 4.1)
    eval_cost = rng.uniform(0.7, 1.3) * 2 * eval_iters / (3 * gas) * mu
    ckpt_cost, ckpt_p = rng.uniform(0, 20) * mu, rng.uniform(0.3, 1.0)
    warm = rng.uniform(10, 300) * mu
    drift = rng.uniform(-0.2, 0.2) if scenario == "drift" else 0.0
    stall_p = rng.uniform(0.0005, 0.003) if scenario == "stalls" else 0.0
    shift_at = max_iters // 3 if scenario == "shift" else None
    shift = rng.uniform(1.5, 2.6)
    crash_at = int(max_iters * rng.uniform(0.3, 0.5)) if scenario == "resume" else None
    dt, iters, lines, line_pos = [], [], [], []
    k, started = 0, 0                  # iteration, first iteration of this process
    while k <= max_iters:
        level = mu * (1 + drift * k / max_iters)
        if shift_at is not None and k >= shift_at:
            level *= shift
        t = max(0.2 * level, rng.gauss(level, cv * level))
        if k == started:
            t += warm                  # compile at the start of every process
        if rng.random() < stall_p:
            t += rng.uniform(5, 50) * level
        p = len(dt)
        if k % eval_interval == 0:
            t += eval_cost * rng.uniform(0.95, 1.05)
            lines.append(f"step {k}: train loss 3.0000, val loss 3.1000")
            line_pos.append(p)
            if k > 0 and rng.random() < ckpt_p:
                t += ckpt_cost
                lines.append("saving checkpoint to out")
                line_pos.append(p)
        dt.append(t)
        iters.append(k)
        if k % log_interval == 0:
            mfu = "-100.00" if k - started < 5 * log_interval else "10.00"
            lines.append(f"iter {k}: loss 3.0000, time {t * 1000:.2f}ms, mfu {mfu}%")
            line_pos.append(p)
        if crash_at is not None and k == crash_at:
            crash_at = None            # the process dies; it resumes at the last evaluation
            k = started = k // eval_interval * eval_interval
            continue
        k += 1
    return SynthRun(f"{scenario}-{seed}", lines, line_pos, dt, iters, max_iters, eval_interval,
                    log_interval, scenario, gas, eval_iters,
                    max_iters // 3 if scenario == "shift" else None)
