"""llm.c (CUDA console, CPU, -o logfile), nanochat, modded-nanogpt, autoresearch.

Print statements: llm.c train_gpt2.cu/.c; nanochat scripts/base_train.py (2025 and 2026
formats); modded-nanogpt train_gpt*.py; shared/reference/log-formats.md section 1 for each
line's meaning. nanoGPT itself is nanogpt.py.
"""

from __future__ import annotations

import re

from advisor.read.logs.fields import integer, ms_or_s, num, segments
from advisor.read.logs.runs import DT_DERIVED, DT_SINGLE, EvalLine, LogReport
from advisor.read.logs.steps import Sample

_LLMC_CUDA = re.compile(r"^step\s{0,8}(\d{1,12})/(\d{1,12}) \| loss ")
_LLMC_CPU = re.compile(r"^step (\d{1,12}): train loss ([^\s(]{1,40}) \(took ([\d.]{1,20}) ms\)")
_LLMC_FILE = re.compile(r"^s:(\d{1,12}) (trl|tel):(\S{1,40})(?: lr:(\S{1,40}))?(?: norm:(\S{1,40}))?")
_LLMC_VAL = re.compile(r"^val loss (\S{1,40})$")
_LLMC_HELLA = re.compile(r"^HellaSwag: (\d{1,9})/(\d{1,9}) = ([\d.]{1,12})")
_LLMC_HEADER = re.compile(r"^\|?\s*(num_parameters|max_seq_len(?: T)?|vocab_size|num_layers|num_heads|"
                          r"channels|total_batch_size|total batch size|device)\s*[:|]\s*([^|'\"]{1,120}?)\s*\|?$")
_CHAT_STEP = re.compile(r"^step (\d{5,8})/(\d{5,8}) \(([\d.]{1,8})%\) \| (.{1,1000})$")
_CHAT_EVAL = re.compile(r"^Step (\d{5,8}) \| Validation bpb: (\S{1,40})")
_CHAT_BATCH = re.compile(r"^Total batch size ([\d,]{1,20}) => gradient accumulation steps: (\d{1,6})")
_CHAT_GPU = re.compile(r"^GPU: (.{1,80}?) \| Peak FLOPS \(BF16\): (\S{1,20})")
_CHAT_ITERS = re.compile(r"^Calculated number of iterations from .{1,60}: ([\d,]{1,20})")
_CHAT_PEAK = re.compile(r"^Peak memory usage: ([\d.]{1,20}) ?MiB")
_WORLD = re.compile(r"^Distributed world size: (\d{1,6})")
_MODDED = re.compile(r"^step:(\d{1,12})/(\d{1,12}) (.{1,400})$")
_MODDED_MEM = re.compile(r"^peak memory allocated: (\d{1,12}) MiB reserved: (\d{1,12}) MiB")
_AUTORESEARCH = re.compile(r"^step (\d{5,8}) \(([\d.]{1,8})%\) \| (.{1,1000})$")


_LLMC_HEADER_NAMES = {"num_parameters": "params", "max_seq_len": "seq_len", "num_layers": "n_layer",
                      "num_heads": "n_head", "channels": "n_embd", "total_batch_size": "tokens_per_step"}


def llmc(line: str, n: int, ts, rep: LogReport) -> bool:
    if line.startswith("step"):
        return _llmc_cuda(line, n, ts, rep) or _llmc_cpu(line, n, ts, rep)
    if line.startswith("s:"):
        return _llmc_logfile(line, n, ts, rep)
    m = _LLMC_VAL.match(line)
    if m and "llm.c" in rep.runs:
        run = rep.run("llm.c", n)
        last = run.samples[-1].iter if run.samples else 0
        run.evals.append(EvalLine(last, None, num(m.group(1)), n))
        return True
    m = _LLMC_HELLA.match(line)
    if m:
        rep.run("llm.c", n).record("hellaswag", num(m.group(3)), n)
        return True
    return _llmc_header(line, n, rep)


def _llmc_cuda(line: str, n: int, ts, rep: LogReport) -> bool:
    """`step    2/18865 | loss 10.93 | norm 15.7 | lr 1.7e-06 | 302.19 ms | 42.1% bf16 MFU | ...`"""
    m = _LLMC_CUDA.match(line)
    if not m:
        return False
    run = rep.run("llm.c", n)
    run.variant, run.step_base = "train_gpt2cu", 1
    run.record("total_steps", int(m.group(2)), n)
    loss = dt = mfu = tok_s = lr = norm = None
    for part in line.split("|")[1:]:
        p = part.strip()
        words = p.split()
        if p.startswith("loss ") and len(words) > 1:
            loss = num(words[1])
        elif p.startswith("norm ") and len(words) > 1:
            norm = num(words[1])
        elif p.startswith("lr ") and len(words) > 1:
            lr = num(words[1])
        elif p.endswith(" ms"):
            dt = ms_or_s(p.replace(" ", ""))
        elif p.endswith("MFU") and "%" in p:
            mfu = num(p.split("%")[0])
            run.mfu_peak = "trainer_table"
        elif p.endswith("tok/s"):
            tok_s = num(p[:-5])
    run.add(Sample(int(m.group(1)), dt, loss, mfu, n, ts, tok_s, lr, norm))
    return True


def _llmc_cpu(line: str, n: int, ts, rep: LogReport) -> bool:
    """`step 3: train loss 4.37 (took 1330.1 ms)`"""
    m = _LLMC_CPU.match(line)
    if not m:
        return False
    run = rep.run("llm.c", n)
    run.variant = "train_gpt2_cpu"
    dt = num(m.group(3))
    run.add(Sample(int(m.group(1)), dt / 1000 if dt else None, num(m.group(2)), None, n, ts))
    return True


def _llmc_logfile(line: str, n: int, ts, rep: LogReport) -> bool:
    """`-o` logfile lines: `s:12 trl:4.01 lr:0.0006 norm:1.2`, `s:12 tel:4.1`."""
    m = _LLMC_FILE.match(line)
    if not m:
        return False
    run = rep.run("llm.c", n)
    run.variant = "logfile"
    step = int(m.group(1))
    if m.group(2) == "tel":
        run.evals.append(EvalLine(step, None, num(m.group(3)), n))
    else:
        run.add(Sample(step, None, num(m.group(3)), None, n, ts, None, num(m.group(4)), num(m.group(5))))
    return True


def _llmc_header(line: str, n: int, rep: LogReport) -> bool:
    """The `| num_parameters | 124439808 |` table llm.c prints at start."""
    m = _LLMC_HEADER.match(line)
    if not m:
        return False
    key, value = m.group(1).replace(" T", "").replace(" ", "_"), m.group(2).strip()
    run = rep.run("llm.c", n)
    if key == "device":
        rep.system["gpu"] = (value, n)
    else:
        run.record(_LLMC_HEADER_NAMES.get(key, key), integer(value.split("=")[-1]), n)
    return True


def nanochat(line: str, n: int, ts, rep: LogReport) -> bool:
    if line.startswith("step "):
        m = _CHAT_STEP.match(line)
        if not m:
            return False
        seg = segments(m.group(4))
        run = rep.run("nanochat", n)
        if "bf16_mfu" in seg:
            run.variant, run.mfu_peak, mfu = "2026_bf16_mfu", "gpu_bf16", seg["bf16_mfu"]
        else:
            run.variant, run.mfu_peak, mfu = "2025_mfu", "h100_bf16", seg.get("mfu")
        run.record("total_steps", int(m.group(2)), n)
        if "eta" in seg:
            v = num(seg["eta"].rstrip("m"))
            run.record("printed_remaining_s", v * 60 if v is not None else None, n)
        run.add(Sample(int(m.group(1)), ms_or_s(seg.get("dt", "")), num(seg.get("loss")),
                                  num(mfu), n, ts, num(seg.get("tok/sec"))))
        return True
    m = _CHAT_EVAL.match(line)
    if m:
        rep.run("nanochat", n).evals.append(EvalLine(int(m.group(1)), None, num(m.group(2)), n))
        return True
    for rx, handler in _CHAT_FACTS:
        m = rx.match(line)
        if m:
            handler(rep, m, n)
            return True
    return False


def _chat_batch(rep, m, n):
    run = rep.run("nanochat", n)
    run.record("tokens_per_step", integer(m.group(1)), n)
    run.record("gradient_accumulation_steps", int(m.group(2)), n)


def _chat_gpu(rep, m, n):
    rep.system["gpu"] = (m.group(1).strip(), n)
    rep.system["gpu_peak_flops"] = (num(m.group(2)), n)


_CHAT_FACTS = [
    (_CHAT_BATCH, _chat_batch),
    (_CHAT_GPU, _chat_gpu),
    (_CHAT_ITERS, lambda rep, m, n: rep.run("nanochat", n).record("total_steps", integer(m.group(1)), n)),
    (_CHAT_PEAK, lambda rep, m, n: rep.run("nanochat", n).record("peak_memory_mib", num(m.group(1)), n)),
    (_WORLD, lambda rep, m, n: rep.system.__setitem__("world_size", (int(m.group(1)), n))),
]


def modded_nanogpt(line: str, n: int, ts, rep: LogReport) -> bool:
    if line.startswith("step:"):
        m = _MODDED.match(line)
        if not m:
            return False
        fields = dict(p.split(":", 1) for p in m.group(3).split() if ":" in p)
        run = rep.run("modded-nanogpt", n)
        run.step_base, run.dt_kind = 1, DT_DERIVED
        if "train_loss" in fields or not run.variant:
            run.variant = "2024_train_loss" if "train_loss" in fields else "train_time_step_avg"
        run.record("total_steps", int(m.group(2)), n)
        step = int(m.group(1))
        train_ms = num(fields.get("train_time", "").rstrip("ms"))
        if "val_loss" in fields:
            run.evals.append(EvalLine(step, None, num(fields["val_loss"]), n))
            return True
        prev = run.printed.get("_train_ms")          # (train_ms, step, steps untimed so far)
        untimed = prev[2] if prev is not None else 0
        if prev is not None and train_ms is not None and prev[0] is not None and train_ms < prev[0]:
            # the clock restarted: everything before was untimed warm-up (compile)
            for i in range(untimed, len(run.samples)):
                run.samples.set_dt(i, None)
            untimed = len(run.samples)
            run.record("warmup_steps", prev[1], n)
        dt = None
        if prev is not None and train_ms is not None and prev[0] is not None and step == prev[1] + 1 \
                and train_ms >= prev[0]:
            dt = (train_ms - prev[0]) / 1000.0     # the clock restarts after step 10: no dt there
        run.printed["_train_ms"] = (train_ms, step, untimed)
        run.add(Sample(step, dt, num(fields.get("train_loss")), None, n, ts))
        return True
    m = _MODDED_MEM.match(line)
    if m:
        run = rep.run("modded-nanogpt", n)
        run.record("peak_memory_mib", int(m.group(1)), n)
        run.record("reserved_memory_mib", int(m.group(2)), n)
        return True
    return False


def autoresearch(line: str, n: int, ts, rep: LogReport) -> bool:
    m = _AUTORESEARCH.match(line) if line.startswith("step ") else None
    if not m or "remaining:" not in line:
        return False
    seg = segments(m.group(3))
    run = rep.run("autoresearch", n)
    run.dt_kind = DT_SINGLE
    rem = seg.get("remaining", "")
    run.record("printed_remaining_s", num(rem.rstrip("s")), n)
    run.add(Sample(int(m.group(1)), ms_or_s(seg.get("dt", "")), num(seg.get("loss")),
                              num(seg.get("mfu", "").rstrip("%")) if "mfu" in seg else None,
                              n, ts, num(seg.get("tok/sec"))))
    return True


FORMATS = [autoresearch, nanochat, llmc, modded_nanogpt]
