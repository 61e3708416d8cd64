"""torchtitan, LitGPT (pretrain and finetune generations), and nvidia-smi tables."""

from __future__ import annotations

import re

from advisor.read.logs.fields import hms, ms_or_s, num
from advisor.read.logs.runs import DT_MICRO, EvalLine, LogReport
from advisor.read.logs.steps import Sample

_TITAN = re.compile(r"^step:\s{0,8}(\d{1,12})\s{1,8}loss:\s{0,8}(\S{1,40})(.{0,400})$")
_TITAN_KV = re.compile(r"(\w{1,20}):\s{0,4}([\d.,]{1,20})")
_TITAN_START = re.compile(r"Training starts at step (\d{1,12}).{0,200}?total steps (\d{1,12})")
_TITAN_VAL = re.compile(r"^validate step:\s{0,8}(\d{1,12})\s{1,8}loss:\s{0,8}(\S{1,40})")
# four generations: `iter N step M:`, `iter N | step M:`, `Ep E | iter N | step M:`,
# `Epoch E | iter N step M |`; values may read `n/a` or `None`
_LITGPT = re.compile(r"^(?:Ep(?:och)? (\d{1,9}) \| )?iter (\d{1,12})(?: \|)? step (\d{1,12})(?::| \|) loss "
                     r"(?:train: )?([^,|\s]{1,40})(.{0,300})$")
_LITGPT_TIME = re.compile(r"iter time: ?([\d.]{1,20}) ?ms")
_LITGPT_VAL = re.compile(r"^iter (\d{1,12}): val loss (\S{1,40}), val time: ([\d.]{1,20}) ?ms")
_SMI_ROW = re.compile(r"^\|\s{1,6}(\d{1,3})\s{1,4}(NVIDIA [^|]{1,60}?|Tesla [^|]{1,60}?)\s{2,40}(?:On|Off)\s{1,4}\|")


def torchtitan(line: str, n: int, ts, rep: LogReport) -> bool:
    if line.startswith("step:"):
        m = _TITAN.match(line)
        if not m or ("tps" not in m.group(3) and "wps" not in m.group(3)):   # wps: before 2025
            return False
        kv = dict(_TITAN_KV.findall(m.group(3)))
        run = rep.run("torchtitan", n)
        run.step_base, run.mfu_peak = 1, "trainer_table"
        mem = re.search(r"memory:\s{0,4}([\d.]{1,12})GiB", m.group(3))
        if mem:
            run.record("peak_memory_gib", num(mem.group(1)), n)
        mfu = re.search(r"mfu:\s{0,4}([\d.]{1,12})%", m.group(3))
        run.add(Sample(int(m.group(1)), None, num(m.group(2)), num(mfu.group(1)) if mfu else None,
                                  n, ts, num(kv.get("tps") or kv.get("wps")), None, num(kv.get("grad_norm"))))
        return True
    m = _TITAN_START.search(line)
    if m:
        rep.run("torchtitan", n).record("total_steps", int(m.group(2)), n)
        return True
    m = _TITAN_VAL.match(line)
    if m:
        rep.run("torchtitan", n).evals.append(EvalLine(int(m.group(1)), None, num(m.group(2)), n))
        return True
    return False


def litgpt(line: str, n: int, ts, rep: LogReport) -> bool:
    if "iter " not in line[:30]:
        return False
    m = _LITGPT.match(line)
    if m:
        run = rep.run("LitGPT", n)
        run.dt_kind = DT_MICRO
        it, step = int(m.group(2)), int(m.group(3))
        run.variant = "pretrain" if "remaining time" in line else "finetune"
        t = _LITGPT_TIME.search(m.group(5))
        if step:
            run.record("micro_batches_per_step", round(it / step) if it >= step else None, n)
        # the optimizer-step number is the step; iter time is one micro-batch's time
        run.add(Sample(step, ms_or_s(t.group(1) + "ms") if t else None,
                                  num(m.group(4)), None, n, ts))
        rem = re.search(r"remaining time: ([\d:]{1,12})", line)
        if rem:
            run.record("printed_remaining_s", hms(rem.group(1)), n)
        return True
    m = _LITGPT_VAL.match(line)
    if m:
        rep.run("LitGPT", n).evals.append(EvalLine(int(m.group(1)), None, num(m.group(2)), n))
        return True
    return False


def nvidia_smi(line: str, n: int, ts, rep: LogReport) -> bool:
    if not line.startswith("|"):
        return False
    m = _SMI_ROW.match(line)
    if not m:
        return False
    rep.system["gpu"] = (m.group(2).strip(), n)
    count = int(m.group(1)) + 1
    prev = rep.system.get("gpu_count")
    if prev is None or count > prev[0]:
        rep.system["gpu_count"] = (count, n)
    return True


FORMATS = [torchtitan, litgpt, nvidia_smi]
