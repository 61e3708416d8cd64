"""What a log says, normalized across trainers.

A Run holds one trainer's output: per-step samples and what the trainer printed about the
run (each value with the line it came from). A LogReport holds the runs found in one text,
plus config assignments.
"""

from __future__ import annotations

import datetime as _dt
import sys
from array import array
from dataclasses import dataclass, field, replace
from typing import NamedTuple


class Sample(NamedTuple):
    """One logged step, in the trainer's own numbering (`iter`) and units converted to SI."""

    iter: int
    dt_s: float | None          # seconds for this step (see Run.dt_kind); None if not printed
    loss: float | None = None
    mfu: float | None = None    # percent as printed; -100 means "not computed yet"
    lineno: int = 0
    ts: _dt.datetime | None = None
    tok_s: float | None = None
    lr: float | None = None
    grad_norm: float | None = None


# "Not printed" is stored as this value (a NaN loss is a fact worth keeping, so NaN
# cannot mean "missing"); no trainer prints -1.8e308.
MISSING = -sys.float_info.max
_OPTIONAL = ("loss", "mfu", "tok_s", "lr", "grad_norm")


def _f(v) -> float:
    return MISSING if v is None else v


def _opt(v: float):
    return None if v == MISSING else v


class StepTable:
    """Step samples stored column by column (8 bytes a value; optional columns exist only
    once a trainer prints them), so a 100 MB log fits in bounded memory. Reads like a list
    of Sample."""

    def __init__(self):
        self.iters = array("q")
        self.dts = array("d")
        self.linenos = array("q")
        self.cols: dict[str, array] = {}
        self.ts = array("d")
        self.tz = None
        self._has_ts = False

    def __len__(self) -> int:
        return len(self.iters)

    def __bool__(self) -> bool:
        return len(self.iters) > 0

    def append(self, s: Sample) -> None:
        n = len(self.iters)
        self.iters.append(s.iter)
        self.dts.append(_f(s.dt_s))
        self.linenos.append(s.lineno)
        for name in _OPTIONAL:
            v = getattr(s, name)
            col = self.cols.get(name)
            if col is None:
                if v is None:
                    continue
                col = self.cols[name] = array("d", [MISSING]) * n
            col.append(_f(v))
        if s.ts is not None and not self._has_ts:
            self._has_ts = True
            self.ts = array("d", [MISSING]) * n
        if self._has_ts:
            if s.ts is None:
                self.ts.append(MISSING)
            else:
                self.tz = s.ts.tzinfo
                self.ts.append((s.ts - _epoch(s.ts.tzinfo)).total_seconds())

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self.iters)
        cols = self.cols
        ts = None
        if self._has_ts and self.ts[i] != MISSING:
            ts = _epoch(self.tz) + _dt.timedelta(seconds=self.ts[i])
        return Sample(self.iters[i], _opt(self.dts[i]),
                      _opt(cols["loss"][i]) if "loss" in cols else None,
                      _opt(cols["mfu"][i]) if "mfu" in cols else None,
                      self.linenos[i], ts,
                      _opt(cols["tok_s"][i]) if "tok_s" in cols else None,
                      _opt(cols["lr"][i]) if "lr" in cols else None,
                      _opt(cols["grad_norm"][i]) if "grad_norm" in cols else None)

    def __iter__(self):
        for i in range(len(self.iters)):
            yield self[i]

    def extend_columns(self, iters: array, dts: array, linenos: array,
                       cols: dict[str, array]) -> None:
        """Append many samples given column-wise; columns not given are MISSING."""
        n, k = len(self.iters), len(iters)
        self.iters.extend(iters)
        self.dts.extend(dts)
        self.linenos.extend(linenos)
        for name in cols:
            if name not in self.cols:
                self.cols[name] = array("d", [MISSING]) * n
        for name, col in self.cols.items():
            col.extend(cols[name] if name in cols else array("d", [MISSING]) * k)
        if self._has_ts:
            self.ts.extend(array("d", [MISSING]) * k)

    def copy(self) -> "StepTable":
        new = StepTable()
        new.iters, new.dts, new.linenos = array("q", self.iters), array("d", self.dts), array("q", self.linenos)
        new.cols = {k: array("d", v) for k, v in self.cols.items()}
        new.ts, new.tz, new._has_ts = array("d", self.ts), self.tz, self._has_ts
        return new

    def set_dt(self, i: int, value: float | None) -> None:
        self.dts[i] = _f(value)

    def extend(self, other: "StepTable") -> None:
        for s in other:
            self.append(s)


def _epoch(tz) -> _dt.datetime:
    return _dt.datetime(1970, 1, 1, tzinfo=tz)


@dataclass(frozen=True, slots=True)
class EvalLine:
    step: int
    train_loss: float | None
    val_loss: float | None
    lineno: int


@dataclass(frozen=True, slots=True)
class Assignment:
    name: str
    value: str
    lineno: int


# How a trainer's per-step time should be read (log-formats.md section 2).
DT_SINGLE = "single"        # wall time of that one step (nanoGPT, llm.c, nanochat)
DT_AVERAGE = "average"      # averaged over the log interval (Megatron, NeoX)
DT_DERIVED = "derived"      # computed by us from a cumulative clock (modded-nanogpt train_time)
DT_RATE = "rate"            # from a progress bar's smoothed rate (tqdm: it/s or s/it)
DT_MICRO = "micro-batch"    # one micro-batch, not an optimizer step (LitGPT iter time)
DT_TIMESTAMPS = "timestamps"  # from the gaps between timestamped lines (DeepSpeed, torchtitan)


@dataclass
class Run:
    trainer: str
    variant: str = ""                  # which of the trainer's formats, as a code (templates name it)
    step_base: int = 0                 # 0: first step printed as 0; 1: first printed as 1
    dt_kind: str = DT_SINGLE
    mfu_peak: str = ""                 # what the printed MFU is measured against
    eval_in_step_time: bool = False    # nanoGPT: an eval iteration's time includes the eval
    samples: StepTable = field(default_factory=StepTable)
    evals: list[EvalLine] = field(default_factory=list)
    checkpoint_steps: list[int] = field(default_factory=list)
    printed: dict[str, tuple[object, int]] = field(default_factory=dict)  # what the trainer printed
                                                                          # about the run: key -> (value, line)
    first_line: int = 0
    last_line: int = 0
    lines: int = 0
    duplicates: int = 0

    def add(self, sample: Sample) -> None:
        """Append a step line; the same step printed again right away (one line per rank,
        or a summary line after a progress bar) is counted, not added twice."""
        t = self.samples
        if t.iters and t.iters[-1] == sample.iter:
            self.duplicates += 1
            if t.dts[-1] == MISSING and sample.dt_s is not None:
                t.set_dt(len(t) - 1, sample.dt_s)
            return
        t.append(sample)

    def copy(self) -> "Run":
        """A copy that can grow without changing this one."""
        return replace(self, samples=self.samples.copy(), evals=list(self.evals),
                       checkpoint_steps=list(self.checkpoint_steps), printed=dict(self.printed))

    def record(self, key: str, value, lineno: int) -> None:
        if value is not None:
            self.printed[key] = (value, lineno)

    def touch(self, lineno: int) -> None:
        if not self.first_line:
            self.first_line = lineno
        self.last_line = lineno
        self.lines += 1


@dataclass
class LogReport:
    runs: dict[str, Run] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    bad_time_lines: list[int] = field(default_factory=list)
    system: dict[str, tuple[object, int]] = field(default_factory=dict)  # gpu, gpu_count, ...
    config_file: str | None = None
    last_ts: _dt.datetime | None = None
    n_lines: int = 0
    n_content: int = 0          # lines that are not blank
    n_ignored: int = 0

    def run(self, trainer: str, lineno: int) -> Run:
        r = self.runs.get(trainer)
        if r is None:
            r = self.runs[trainer] = Run(trainer)
        r.touch(lineno)
        return r

    def main_run(self, trainer: str | None = None) -> Run | None:
        """The run the answer is about: the trainer asked for, else the one with the most
        step lines (ties: the latest)."""
        if not self.runs:
            return None
        if trainer:
            want = trainer.lower()
            for name, run in self.runs.items():
                if name.lower().startswith(want) or want in name.lower():
                    return run
        return max(self.runs.values(), key=lambda r: (len(r.samples), r.last_line))

    @property
    def recognized(self) -> bool:
        return bool(self.runs or self.assignments or self.bad_time_lines)


def merge(into: LogReport, new: LogReport) -> None:
    """Add a later paste to what was read before (same trainer: one run, steps appended)."""
    for name, run in new.runs.items():
        old = into.runs.get(name)
        if old is None:
            into.runs[name] = run
            continue
        old.samples.extend(run.samples)
        old.evals.extend(run.evals)
        old.checkpoint_steps.extend(run.checkpoint_steps)
        old.printed.update(run.printed)
        old.variant = run.variant or old.variant
        old.dt_kind, old.step_base = run.dt_kind, run.step_base
        old.mfu_peak = run.mfu_peak or old.mfu_peak
        old.eval_in_step_time = old.eval_in_step_time or run.eval_in_step_time
        old.lines += run.lines
        old.duplicates += run.duplicates
        old.last_line = run.last_line
    into.assignments.extend(new.assignments)
    into.bad_time_lines.extend(new.bad_time_lines)
    into.system.update(new.system)
    into.config_file = new.config_file or into.config_file
    into.last_ts = new.last_ts or into.last_ts
    into.n_lines += new.n_lines
    into.n_content += new.n_content
    into.n_ignored += new.n_ignored
