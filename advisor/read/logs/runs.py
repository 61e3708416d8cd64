"""What a log says, normalized across trainers.

A Run holds one trainer's output: per-step samples and what the trainer printed about the
run (each value with the line it came from). A LogReport holds the runs found in one text,
plus config assignments.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace

from advisor.read.logs.steps import MAX_ITER, MAX_SETTINGS, Newest, Sample, StepTable, usable_step_time


@dataclass(frozen=True, slots=True)
class EvalLine:
    step: int
    train_loss: float | None
    val_loss: float | None
    lineno: int
    runtime_s: float | None = None    # the trainer's own timer of this evaluation (eval_runtime)
    epoch: float | None = None        # where it fell, in epochs (HF prints no step with it)


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
    evals: Newest = field(default_factory=Newest)                 # of EvalLine
    checkpoint_steps: Newest = field(default_factory=Newest)      # of step numbers
    printed: dict[str, tuple[object, int]] = field(default_factory=dict)  # what the trainer printed
                                                                          # about the run: key -> (value, line)
    first_line: int = 0
    last_line: int = 0
    lines: int = 0
    duplicates: int = 0
    bad_times: int = 0                 # step times outside the usable range, left out

    def add(self, sample: Sample) -> None:
        """Append a step line; the same step printed again right away (one line per rank,
        a bar redrawn, or a summary line after a progress bar) is counted, not added twice,
        and its newest step time is the one kept."""
        if sample.dt_s is not None and not usable_step_time(sample.dt_s):
            sample = sample._replace(dt_s=None)
            self.bad_times += 1
        if not -MAX_ITER <= sample.iter <= MAX_ITER:
            return
        t = self.samples
        if t.iters and t.iters[-1] == sample.iter:
            self.duplicates += 1
            if sample.dt_s is not None:
                t.set_dt(len(t) - 1, sample.dt_s)
            return
        t.append(sample)

    def copy(self) -> "Run":
        """A copy that can grow without changing this one."""
        return replace(self, samples=self.samples.copy(), evals=self.evals.copy(),
                       checkpoint_steps=self.checkpoint_steps.copy(), printed=dict(self.printed))

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
    bad_time_lines: Newest = field(default_factory=Newest)        # line numbers
    system: dict[str, tuple[object, int]] = field(default_factory=dict)  # gpu, gpu_count, ...
    config_file: str | None = None
    last_ts: _dt.datetime | None = None
    n_lines: int = 0
    n_content: int = 0          # lines that are not blank
    n_ignored: int = 0
    n_truncated: int = 0        # lines longer than the reader's cap, read by their end
    n_settings_dropped: int = 0 # `key = value` lines past MAX_SETTINGS: earlier values of a name
    n_bytes: int = 0            # bytes read from a stream
    read_limit: int | None = None   # the stream was longer: read up to so many bytes
    evidence: dict[str, int] = field(default_factory=dict)   # trainer -> lines with its own strings

    def assign(self, a: Assignment) -> None:
        """A `key = value` line; past MAX_SETTINGS of them only the last of each name is
        kept (later wins anyway), then only the newest names."""
        self.assignments.append(a)
        if len(self.assignments) > 2 * MAX_SETTINGS:
            self._compact_assignments()

    def _compact_assignments(self) -> None:
        last = {a.name: i for i, a in enumerate(self.assignments)}
        kept = [a for i, a in enumerate(self.assignments) if last[a.name] == i][-MAX_SETTINGS:]
        self.n_settings_dropped += len(self.assignments) - len(kept)
        self.assignments = kept

    def rename(self, old: str, new: str) -> None:
        """A run named after better evidence (a trainer's own strings seen later)."""
        run = self.runs.pop(old)
        run.trainer = new
        self.runs[new] = run

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
    if len(into.assignments) > 2 * MAX_SETTINGS:
        into._compact_assignments()
    into.n_settings_dropped += new.n_settings_dropped
    into.bad_time_lines.extend(new.bad_time_lines)
    into.system.update(new.system)
    into.config_file = new.config_file or into.config_file
    into.last_ts = new.last_ts or into.last_ts
    into.n_lines += new.n_lines
    into.n_content += new.n_content
    into.n_ignored += new.n_ignored
    into.n_truncated += new.n_truncated
    into.read_limit = new.read_limit or into.read_limit
