"""Step samples of a run, stored column by column and bounded: the newest MAX_STEPS steps
are kept, the older ones counted; and a list that keeps its newest items (Newest)."""

from __future__ import annotations

import datetime as _dt
import sys
from array import array
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


# A step time outside this range is no step time: a misprint, a unit read wrong, a clock
# that jumped. It is left out (and the line reported) rather than measured.
MIN_STEP_S, MAX_STEP_S = 1e-6, 1e6


def usable_step_time(seconds) -> bool:
    return seconds is not None and MIN_STEP_S <= seconds <= MAX_STEP_S      # False for nan too


# "Not printed" is stored as this value (a NaN loss is a fact worth keeping, so NaN
# cannot mean "missing"); no trainer prints -1.8e308.
MISSING = -sys.float_info.max
_OPTIONAL = ("loss", "mfu", "tok_s", "lr", "grad_norm")


def _f(v) -> float:
    return MISSING if v is None else v


def _opt(v: float):
    return None if v == MISSING else v


# What one answer keeps of a log, whatever its size: every answer reads the newest steps
# (the ETA the newest 20,000), so older ones are counted and set aside.
MAX_STEPS = 200_000
MAX_EVENTS = 100_000          # evaluation lines, checkpoints, lines with a bad time
MAX_SETTINGS = 10_000         # `key = value` lines, the last of each name kept first
MAX_RESUMES = 1_000
MAX_ITER = 10 ** 15            # a larger step number is a misread line, not a step


class Newest(list):
    """A list that keeps its newest `cap` items (it drops a fifth at a time, so appending
    stays cheap); `dropped` counts what it set aside."""

    def __init__(self, items=(), cap: int = MAX_EVENTS):
        super().__init__(items)
        self.cap, self.dropped = cap, 0
        self._trim()

    def append(self, item) -> None:
        super().append(item)
        if len(self) > self.cap + self.cap // 5:
            self._trim()

    def extend(self, items) -> None:
        super().extend(items)
        self.dropped += getattr(items, "dropped", 0)
        self._trim()

    def _trim(self) -> None:
        if len(self) > self.cap:
            k = len(self) - self.cap
            del self[:k]
            self.dropped += k

    def copy(self) -> "Newest":
        new = Newest(self, self.cap)
        new.dropped = self.dropped
        return new


class StepTable:
    """Step samples stored column by column (8 bytes a value; optional columns exist only
    once a trainer prints them), the newest MAX_STEPS of them, so any log fits in bounded
    memory. Reads like a list of Sample; `dropped` counts the older steps set aside,
    `early_resumes` the resumes found among them."""

    def __init__(self, cap: int = MAX_STEPS):
        self.cap = cap
        self.dropped = 0
        self.min_iter: int | None = None         # the smallest step seen, set aside or not
        self.early_resumes: list[int] = []
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
        if self.min_iter is None or s.iter < self.min_iter:
            self.min_iter = s.iter
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
        if n + 1 > self.cap + self.cap // 5:
            self._drop_oldest(n + 1 - self.cap)

    def _drop_oldest(self, k: int) -> None:
        it = self.iters
        room = MAX_RESUMES - len(self.early_resumes)
        if room > 0:
            self.early_resumes += [it[i] for i in range(1, k + 1) if it[i] < it[i - 1]][:room]
        for col in (self.iters, self.dts, self.linenos, *self.cols.values()):
            del col[:k]
        if self._has_ts:
            del self.ts[:k]
        self.dropped += k

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
        if k:
            low = min(iters)
            self.min_iter = low if self.min_iter is None else min(self.min_iter, low)
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
        if n + k > self.cap + self.cap // 5:
            self._drop_oldest(n + k - self.cap)

    def copy(self) -> "StepTable":
        new = StepTable(self.cap)
        new.dropped, new.min_iter, new.early_resumes = self.dropped, self.min_iter, list(self.early_resumes)
        new.iters, new.dts, new.linenos = array("q", self.iters), array("d", self.dts), array("q", self.linenos)
        new.cols = {k: array("d", v) for k, v in self.cols.items()}
        new.ts, new.tz, new._has_ts = array("d", self.ts), self.tz, self._has_ts
        return new

    def set_dt(self, i: int, value: float | None) -> None:
        self.dts[i] = _f(value)

    def extend(self, other: "StepTable") -> None:
        self.dropped += other.dropped
        self.early_resumes = (self.early_resumes + other.early_resumes)[:MAX_RESUMES]
        for s in other:
            self.append(s)


def _epoch(tz) -> _dt.datetime:
    return _dt.datetime(1970, 1, 1, tzinfo=tz)
