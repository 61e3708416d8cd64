"""Megatron-LM, Megatron-DeepSpeed, GPT-NeoX, DeepSpeed's engine timer lines.

Megatron's `elapsed time per iteration (ms)` is an average over the log interval with the
timer stopped during evaluation and checkpointing (log-formats.md section 2).
"""

from __future__ import annotations

import re

from advisor.read.logs.fields import integer, num, segments
from advisor.read.logs.runs import DT_AVERAGE, EvalLine, LogReport
from advisor.read.logs.steps import Sample

_ITER = re.compile(r"(?:^|\| )iteration\s{0,12}(\d{1,12})/\s{0,12}(\d{1,12}) \|")
_VAL = re.compile(r"^validation loss at (?:iteration|the end of training for val data) ?(\d{0,12})"
                  r" \| (?:lm loss value|lm_loss): (\S{1,40})")
_MEM = re.compile(r"(?:\[Rank \d{1,6}\] )?\(after \d{1,12} iterations\) memory \(MB\) \| (.{1,300})$")
_SAVE = re.compile(r"^saving checkpoint at iteration\s{0,12}(\d{1,12})")
_DS_TIMER = re.compile(r"^epoch=(\d{1,9})/micro_step=(\d{1,12})/global_step=(\d{1,12}), "
                       r"RunningAvgSamplesPerSec=([\d.]{1,20}), CurrSamplesPerSec=([\d.]{1,20})"
                       r"(?:, MemAllocated=([\d.]{1,20})GB, MaxMemAllocated=([\d.]{1,20})GB)?")

# the engine's progress line (`[Rank 0] step=10, skipped=0, lr=[...], mom=[...]`) and the
# throughput timer of DeepSpeed before 0.4 (`0/10, SamplesPerSec=12.5`: epoch / step)
_DS_PROGRESS = re.compile(r"^step=(\d{1,12}), skipped=(\d{1,12}), lr=\[?([\d.e+-]{1,30})")
_DS_OLD_TIMER = re.compile(r"^(\d{1,9})/(\d{1,12}), SamplesPerSec=([\d.]{1,20})")


def megatron(line: str, n: int, ts, rep: LogReport) -> bool:
    if "iteration" not in line:
        return False
    m = _ITER.search(line)
    if m:
        seg = segments(line)
        if "consumed tokens" in seg or "tflops" in seg:
            name = "Megatron-DeepSpeed"
        elif "approx flops per gpu" in seg or "samples/sec" in seg or "lm_loss" in seg:
            name = "GPT-NeoX"
        else:
            name = "Megatron-LM"
        run = rep.run(name, n)
        run.step_base, run.dt_kind = 1, DT_AVERAGE
        run.record("total_steps", int(m.group(2)), n)
        dt = num(seg.get("elapsed time per iteration (ms)"))
        run.record("global_batch_size", integer(seg.get("global batch size")), n)
        if "consumed tokens" in seg:
            run.record("consumed_tokens", integer(seg["consumed tokens"]), n)
        tflops = seg.get("throughput per gpu (tflop/s/gpu)") or seg.get("tflops") or \
            seg.get("approx flops per gpu", "").replace("TFLOPS", "")
        run.record("tflops_per_gpu", num(tflops), n)
        loss = seg.get("lm loss") or seg.get("lm_loss")
        run.add(Sample(int(m.group(1)), dt / 1000 if dt else None, num(loss), None, n, ts,
                                  None, num(seg.get("learning rate")), num(seg.get("grad norm"))))
        skipped = integer(seg.get("number of skipped iterations"))
        if skipped:
            run.record("skipped_iterations", skipped, n)
        return True
    m = _VAL.match(line)
    if m:
        run = rep.run(_megatron_name(rep), n)
        step = integer(m.group(1)) if m.group(1) else (run.samples[-1].iter if run.samples else 0)
        run.evals.append(EvalLine(step or 0, None, num(m.group(2)), n))
        return True
    m = _MEM.search(line)
    if m:
        seg = segments(m.group(1))
        rep.run(_megatron_name(rep), n).record("peak_memory_mib", num(seg.get("max allocated")), n)
        return True
    m = _SAVE.match(line)
    if m:
        rep.run(_megatron_name(rep), n).checkpoint_steps.append(int(m.group(1)))
        return True
    return False


def _megatron_name(rep: LogReport) -> str:
    for name in ("Megatron-DeepSpeed", "GPT-NeoX", "Megatron-LM"):
        if name in rep.runs:
            return name
    return "Megatron-LM"


def deepspeed(line: str, n: int, ts, rep: LogReport) -> bool:
    if line.startswith("step="):
        m = _DS_PROGRESS.match(line)
        if not m:
            return False
        run = rep.run("DeepSpeed", n)
        run.step_base = 1
        run.add(Sample(int(m.group(1)), None, None, None, n, ts, None, num(m.group(3))))
        run.record("skipped_steps", int(m.group(2)), n)
        return True
    m = _DS_OLD_TIMER.match(line)
    if m:
        run = rep.run("DeepSpeed", n)
        run.step_base = 1
        run.add(Sample(int(m.group(2)), None, None, None, n, ts))
        run.record("samples_per_second", num(m.group(3)), n)
        return True
    if not line.startswith("epoch="):
        return False
    m = _DS_TIMER.match(line)
    if not m:
        return False
    run = rep.run("DeepSpeed", n)
    run.step_base = 1
    run.add(Sample(int(m.group(3)), None, None, None, n, ts))
    run.record("samples_per_second", num(m.group(4)), n)
    if m.group(7):
        run.record("max_memory_gb", num(m.group(7)), n)
    return True


FORMATS = [megatron, deepspeed]
