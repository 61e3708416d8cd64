"""nanoGPT's console lines: `iter N: loss L, time Tms, mfu M%`, `step N: train loss ...,
val loss ...`, tokens per iteration and parameter count; with fast paths for runs of plain
step lines (a regular expression over the whole span, or bytes split by C code).

Print statements: karpathy/nanoGPT@3adf61e1 train.py L263-327; shared/reference/
log-formats.md section 1 for each line's meaning.
"""

from __future__ import annotations

import operator
import re
from array import array
from itertools import islice, repeat

from advisor.read.logs.fields import integer, num
from advisor.read.logs.runs import EvalLine, LogReport
from advisor.read.logs.steps import MAX_STEP_S, MIN_STEP_S, Sample, usable_step_time

_NANO_ITER = re.compile(
    r"^iter (\d{1,12}): loss ([^,\s]{1,40}), time ([^,\s]{1,40}?)\s?ms(?:, mfu ([^,\s%]{1,40})%)?")
_NANO_EVAL = re.compile(r"^step (\d{1,12}): train loss ([^,\s]{1,40}), val loss (\S{1,40})")
_NANO_TOKENS = re.compile(r"^tokens per iteration will be: ([\d,]{1,20})")
_NANO_PARAMS = re.compile(r"^number of parameters: ([\d.]{1,12})M")


def nanogpt(line: str, n: int, ts, rep: LogReport) -> bool:
    if line.startswith("iter "):
        m = _NANO_ITER.match(line)
        if not m:
            return False
        dt_ms = num(m.group(3))
        if dt_ms is None or not usable_step_time(dt_ms / 1000.0):
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
        _nanogpt_run(rep, n).record("tokens_per_step", integer(m.group(1)), n)
        return True
    m = _NANO_PARAMS.match(line)
    if m:
        v = num(m.group(1))
        _nanogpt_run(rep, n).record("params", round(v * 1e6) if v is not None else None, n)
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
    if min(dts) < MIN_STEP_S or max(dts) > MAX_STEP_S or any(map(operator.eq, iters, islice(iters, 1, None))):
        return False
    return _nanogpt_columns(rep, n0, iters, dts, loss, mfu)


# every byte but the digits, '.' and '-' becomes a space: 'iter 12: loss 4.1000, time
# 400.12ms, mfu 11.00%' -> four numbers, split and converted by C code
_KEEP_NUMBERS = bytes(c if chr(c) in "0123456789.-" else 32 for c in range(256))


# what a plain step line is once its digits, '.' and '-' are deleted; a damaged line
# ('loss 3.08 time', 'iter 27X:') differs and the run goes to the line path
_SKELETON = b"iter : loss , time ms, mfu %\n"


def nanogpt_bytes(run_bytes: bytes, n0: int, rep: LogReport) -> bool:
    """Lines that all start with 'iter ' (and end with a newline), read column-wise when
    each is exactly 'iter N: loss X, time Y ms, mfu Z%'. False: let the line path read
    them (a missing mfu, a nan, a zero time, a repeated step...)."""
    k = run_bytes.count(b"\n")
    if not k or run_bytes.translate(None, b"0123456789.-") != _SKELETON * k or b"iter -" in run_bytes:
        return False
    toks = run_bytes.translate(_KEEP_NUMBERS).split()
    if len(toks) != 4 * k or max(map(len, toks)) > 40:   # the line path's bound on a value
        return False
    try:
        values = array("d", map(float, toks))
        iters = array("q", map(int, values[0::4]))
    except (ValueError, OverflowError):           # not numbers, or a step of inf or 1e30
        return False
    if any(map(float.__ne__, values[0::4], map(float, iters))):
        return False                              # a step number with decimals
    loss, mfu = values[1::4], values[3::4]
    dts = array("d", map(float.__truediv__, values[2::4], repeat(1000.0)))
    if min(dts) < MIN_STEP_S or max(dts) > MAX_STEP_S or any(map(operator.eq, iters, islice(iters, 1, None))):
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
        run.variant = "train_py" if with_mfu else "train_py_no_mfu"
    run.mfu_peak = "a100_bf16"
    run.eval_in_step_time = True
    return run


FORMATS = [nanogpt]
