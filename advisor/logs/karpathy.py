"""nanoGPT, llm.c (CUDA console, CPU, -o logfile), nanochat, modded-nanogpt, autoresearch.

Print statements: karpathy/nanoGPT@3adf61e1 train.py L263-327; llm.c train_gpt2.cu/.c;
nanochat scripts/base_train.py (2025 and 2026 formats); modded-nanogpt train_gpt*.py;
shared/reference/log-formats.md section 1 for each line's meaning.
"""

from __future__ import annotations

import math
import operator
import re
from array import array
from itertools import islice, repeat

from advisor.logs.fields import integer, ms_or_s, num, segments
from advisor.logs.model import DT_DERIVED, DT_SINGLE, EvalLine, LogReport, Sample

_NANO_ITER = re.compile(
    r"^iter (\d{1,12}): loss ([^,\s]{1,40}), time ([^,\s]{1,40}?)\s?ms(?:, mfu ([^,\s%]{1,40})%)?")
_NANO_EVAL = re.compile(r"^step (\d{1,12}): train loss ([^,\s]{1,40}), val loss (\S{1,40})")
_NANO_TOKENS = re.compile(r"^tokens per iteration will be: ([\d,]{1,20})")
_NANO_PARAMS = re.compile(r"^number of parameters: ([\d.]{1,12})M")
_LLMC_CUDA = re.compile(r"^step\s{0,8}(\d{1,12})/(\d{1,12}) \| loss ")
_LLMC_CPU = re.compile(r"^step (\d{1,12}): train loss ([^\s(]{1,40}) \(took ([\d.]{1,20}) ms\)")
_LLMC_FILE = re.compile(r"^s:(\d{1,12}) (trl|tel):(\S{1,40})(?: lr:(\S{1,40}))?(?: norm:(\S{1,40}))?")
_LLMC_VAL = re.compile(r"^val loss (\S{1,40})$")
_LLMC_HELLA = re.compile(r"^HellaSwag: (\d{1,9})/(\d{1,9}) = ([\d.]{1,12})")
_LLMC_HEADER = re.compile(r"^\|?\s*(num_parameters|max_seq_len(?: T)?|vocab_size|num_layers|num_heads|"
                          r"channels|total_batch_size|total batch size|device)\s*[:|=]\s*([^|]{1,120}?)\s*\|?$")
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


def nanogpt(line: str, n: int, ts, rep: LogReport) -> bool:
    if line.startswith("iter "):
        m = _NANO_ITER.match(line)
        if not m:
            return False
        dt_ms = num(m.group(3))
        if dt_ms is None or not math.isfinite(dt_ms) or dt_ms <= 0:
            rep.bad_time_lines.append(n)
            return True
        run = _nanogpt_run(rep, n, with_mfu=m.group(4) is not None)
        run.add(Sample(int(m.group(1)), dt_ms / 1000.0, num(m.group(2)),
                                  num(m.group(4)) if m.group(4) else None, n, ts))
        return True
    if line.startswith("step "):
        m = _NANO_EVAL.match(line)
        if not m:
            return False
        run = _nanogpt_run(rep, n)
        run.evals.append(EvalLine(int(m.group(1)), num(m.group(2)), num(m.group(3)), n))
        return True
    if line.startswith("saving checkpoint to "):
        run = rep.runs.get("nanoGPT")
        if run is not None and run.evals:
            run.checkpoint_steps.append(run.evals[-1].step)
        return True
    m = _NANO_TOKENS.match(line)
    if m:
        _nanogpt_run(rep, n).fact("tokens_per_step", integer(m.group(1)), n)
        return True
    m = _NANO_PARAMS.match(line)
    if m:
        v = num(m.group(1))
        _nanogpt_run(rep, n).fact("params", round(v * 1e6) if v is not None else None, n)
        return True
    return False


_NANO_LINE = (r"iter (\d{1,12}): loss ([^,\s]{1,40}), time (\d{1,12}\.?\d{0,12})ms, "
              r"mfu (-?\d{1,6}\.?\d{0,6})%[ \t]{0,8}\r?\n")
# a run of consecutive plain nanoGPT step lines (each line bounded: no catastrophic backtracking)
NANO_RUN = re.compile(r"(?:^" + _NANO_LINE.replace("(", "(?:").replace("(?:?:", "(?:") + ")+", re.M)
_NANO_ROW = re.compile(_NANO_LINE)


def nanogpt_span(text: str, n0: int, rep: LogReport) -> bool:
    """Read a run of plain 'iter N: loss X, time Y ms, mfu Z%' lines column-wise (the bulk
    of a long log, converted in C). False leaves them to the line path: a zero time, a
    repeated step, or a number Python cannot read."""
    found = _NANO_ROW.findall(text)
    its, losses, times, mfus = zip(*found)
    try:   # map() over C functions: no Python-level loop per line
        iters = array("q", map(int, its))
        dts = array("d", map(float.__truediv__, map(float, times), repeat(1000.0)))
        loss = array("d", map(float, losses))
        mfu = array("d", map(float, mfus))
    except ValueError:
        return False
    if min(dts) <= 0 or any(map(operator.eq, iters, islice(iters, 1, None))):
        return False
    return _nanogpt_columns(rep, n0, iters, dts, loss, mfu)


# every byte but the digits, '.' and '-' becomes a space: 'iter 12: loss 4.1000, time
# 400.12ms, mfu 11.00%' -> four numbers, split and converted by C code
_KEEP_NUMBERS = bytes(c if chr(c) in "0123456789.-" else 32 for c in range(256))


def nanogpt_bytes(run_bytes: bytes, n0: int, rep: LogReport) -> bool:
    """Lines that all start with 'iter ' (and end with a newline), read column-wise when
    each is exactly 'iter N: loss X, time Y ms, mfu Z%'. False: let the line path read
    them (a missing mfu, a nan, a zero time, a repeated step...)."""
    k = run_bytes.count(b"\n")
    if not k or run_bytes.count(b": loss ") != k or run_bytes.count(b"ms, mfu ") != k \
            or run_bytes.count(b"%") != k:
        return False
    toks = run_bytes.translate(_KEEP_NUMBERS).split()
    if len(toks) != 4 * k:
        return False
    try:
        values = array("d", map(float, toks))
    except ValueError:
        return False
    iters = array("q", map(int, values[0::4]))
    if any(map(float.__ne__, values[0::4], map(float, iters))):
        return False                              # a step number with decimals
    loss, mfu = values[1::4], values[3::4]
    dts = array("d", map(float.__truediv__, values[2::4], repeat(1000.0)))
    if min(dts) <= 0 or any(map(operator.eq, iters, islice(iters, 1, None))):
        return False
    return _nanogpt_columns(rep, n0, iters, dts, loss, mfu)


def _nanogpt_columns(rep: LogReport, n0: int, iters, dts, loss, mfu) -> bool:
    run = _nanogpt_run(rep, n0 + 1, with_mfu=True)
    t = run.samples
    if t and t.iters[-1] == iters[0]:
        return False
    k = len(iters)
    run.touch(n0 + k)
    run.lines += k - 1
    t.extend_columns(iters, dts, array("q", range(n0 + 1, n0 + k + 1)), {"loss": loss, "mfu": mfu})
    return True


def _nanogpt_run(rep: LogReport, n: int, with_mfu: bool | None = None):
    run = rep.run("nanoGPT", n)
    if with_mfu is not None and not run.variant:
        run.variant = "train.py" if with_mfu else "train.py, no mfu"
    run.mfu_peak = "a100_bf16"
    run.eval_in_step_time = True
    return run


def llmc(line: str, n: int, ts, rep: LogReport) -> bool:
    if line.startswith("step"):
        m = _LLMC_CUDA.match(line)
        if m:
            run = rep.run("llm.c", n)
            run.variant, run.step_base = "train_gpt2cu", 1
            run.fact("total_steps", int(m.group(2)), n)
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
        m = _LLMC_CPU.match(line)
        if m:
            run = rep.run("llm.c", n)
            run.variant = "train_gpt2, CPU"
            dt = num(m.group(3))
            run.add(Sample(int(m.group(1)), dt / 1000 if dt else None,
                                      num(m.group(2)), None, n, ts))
            return True
        return False
    if line.startswith("s:"):
        m = _LLMC_FILE.match(line)
        if not m:
            return False
        run = rep.run("llm.c", n)
        run.variant = "-o logfile"
        step = int(m.group(1))
        if m.group(2) == "tel":
            run.evals.append(EvalLine(step, None, num(m.group(3)), n))
        else:
            run.add(Sample(step, None, num(m.group(3)), None, n, ts, None,
                                      num(m.group(4)), num(m.group(5))))
        return True
    m = _LLMC_VAL.match(line)
    if m and "llm.c" in rep.runs:
        run = rep.run("llm.c", n)
        last = run.samples[-1].iter if run.samples else 0
        run.evals.append(EvalLine(last, None, num(m.group(1)), n))
        return True
    m = _LLMC_HELLA.match(line)
    if m:
        rep.run("llm.c", n).fact("hellaswag", num(m.group(3)), n)
        return True
    m = _LLMC_HEADER.match(line)
    if m:
        key, value = m.group(1).replace(" T", "").replace(" ", "_"), m.group(2).strip()
        run = rep.run("llm.c", n)
        names = {"num_parameters": "params", "max_seq_len": "seq_len", "num_layers": "n_layer",
                 "num_heads": "n_head", "channels": "n_embd", "total_batch_size": "tokens_per_step"}
        if key == "device":
            rep.system["gpu"] = (value, n)
        else:
            run.fact(names.get(key, key), integer(value.split("=")[-1]), n)
        return True
    return False


def nanochat(line: str, n: int, ts, rep: LogReport) -> bool:
    if line.startswith("step "):
        m = _CHAT_STEP.match(line)
        if not m:
            return False
        seg = segments(m.group(4))
        run = rep.run("nanochat", n)
        if "bf16_mfu" in seg:
            run.variant, run.mfu_peak, mfu = "2026, bf16_mfu", "gpu_bf16", seg["bf16_mfu"]
        else:
            run.variant, run.mfu_peak, mfu = "2025, mfu", "h100_bf16", seg.get("mfu")
        run.fact("total_steps", int(m.group(2)), n)
        if "eta" in seg:
            v = num(seg["eta"].rstrip("m"))
            run.fact("printed_eta_s", v * 60 if v is not None else None, n)
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
    run.fact("tokens_per_step", integer(m.group(1)), n)
    run.fact("gradient_accumulation_steps", int(m.group(2)), n)


def _chat_gpu(rep, m, n):
    rep.system["gpu"] = (m.group(1).strip(), n)
    rep.system["gpu_peak_flops"] = (num(m.group(2)), n)


_CHAT_FACTS = [
    (_CHAT_BATCH, _chat_batch),
    (_CHAT_GPU, _chat_gpu),
    (_CHAT_ITERS, lambda rep, m, n: rep.run("nanochat", n).fact("total_steps", integer(m.group(1)), n)),
    (_CHAT_PEAK, lambda rep, m, n: rep.run("nanochat", n).fact("peak_memory_mib", num(m.group(1)), n)),
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
            run.variant = "2024, train_loss" if "train_loss" in fields else "train_time, step_avg"
        run.fact("total_steps", int(m.group(2)), n)
        step = int(m.group(1))
        train_ms = num(fields.get("train_time", "").rstrip("ms"))
        if "val_loss" in fields:
            run.evals.append(EvalLine(step, None, num(fields["val_loss"]), n))
            return True
        prev = run.facts.get("_train_ms")
        if prev is not None and train_ms is not None and train_ms < prev[0]:
            # the clock restarted: everything before was untimed warm-up (compile)
            for i in range(len(run.samples)):
                run.samples.set_dt(i, None)
            run.fact("warmup_steps", prev[1], n)
        dt = None
        if prev is not None and train_ms is not None and step == prev[1] + 1 and train_ms >= prev[0]:
            dt = (train_ms - prev[0]) / 1000.0     # the clock restarts after step 10: no dt there
        run.facts["_train_ms"] = (train_ms, step)
        run.add(Sample(step, dt, num(fields.get("train_loss")), None, n, ts))
        return True
    m = _MODDED_MEM.match(line)
    if m:
        run = rep.run("modded-nanogpt", n)
        run.fact("peak_memory_mib", int(m.group(1)), n)
        run.fact("reserved_memory_mib", int(m.group(2)), n)
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
    run.fact("printed_remaining_s", num(rem.rstrip("s")), n)
    run.add(Sample(int(m.group(1)), ms_or_s(seg.get("dt", "")), num(seg.get("loss")),
                              num(seg.get("mfu", "").rstrip("%")) if "mfu" in seg else None,
                              n, ts, num(seg.get("tok/sec"))))
    return True


FORMATS = [nanogpt, autoresearch, nanochat, llmc, modded_nanogpt]
