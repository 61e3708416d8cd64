"""Text -> what a nanoGPT log and a pasted config say. Pure: no I/O, no locale.

Recognized (karpathy/nanoGPT@3adf61e1 train.py, configurator.py):
  iter N: loss X, time Y ms[, mfu Z%]        one iteration's wall time (eval + ckpt included)
  step N: train loss X, val loss Y           the evaluation at the start of iteration N
  saving checkpoint to DIR                   a checkpoint after that evaluation
  Overriding config with FILE: + assignments, Overriding: key = value
  tokens per iteration will be: N
Anything else is counted as ignored; nothing is fatal.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field

from advisor.values import split_assignment

# Escape sequences (CSI, OSC, two-byte ESC) and the remaining C0/C1 controls except TAB.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_TIMESTAMP = re.compile(
    r"^\[?(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?\]?"
    r"(?:\s*[-|:]\s*|\s+)"
)
_ITER = re.compile(
    r"^iter (\d{1,12}): loss ([^,\s]{1,40}), time ([^,\s]{1,40}?)\s?ms(?:, mfu ([^,\s%]{1,40})%)?"
)
_STEP = re.compile(r"^step (\d{1,12}): train loss ([^,\s]{1,40}), val loss (\S{1,40})")
_CKPT = re.compile(r"^saving checkpoint to ")
_TOKENS = re.compile(r"^tokens per iteration will be: ([\d,]{1,20})")
_OVERRIDE_FILE = re.compile(r"^Overriding config with (\S+):")
_OVERRIDE_KEY = re.compile(r"^Overriding: (.*)$")


def clean_line(raw: str) -> str:
    """The text a terminal would show for one physical line: the last carriage-return
    segment, with escape sequences, control and bidi-override characters removed."""
    if "\r" in raw:
        parts = [p for p in raw.split("\r") if p.strip()]
        raw = parts[-1] if parts else ""
    if "\x1b" in raw:
        raw = _ANSI.sub("", raw)
    raw = _CONTROL.sub("", raw)
    return raw.strip()


def _unquote(line: str) -> str:
    while line.startswith(">"):
        line = line[1:].lstrip()
    return line


@dataclass(frozen=True)
class IterLine:
    iter: int
    dt_s: float
    loss: float | None
    mfu: float | None        # percent as printed; -100 means "not yet computed"
    lineno: int
    ts: _dt.datetime | None = None


@dataclass(frozen=True)
class EvalLine:
    step: int
    train_loss: float | None
    val_loss: float | None
    lineno: int


@dataclass(frozen=True)
class Assignment:
    name: str
    value: str
    lineno: int


@dataclass
class Parsed:
    iters: list[IterLine] = field(default_factory=list)
    evals: list[EvalLine] = field(default_factory=list)
    checkpoint_steps: list[int] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    bad_time_lines: list[int] = field(default_factory=list)
    tokens_per_iter: int | None = None
    config_file: str | None = None
    last_ts: _dt.datetime | None = None
    n_lines: int = 0
    n_ignored: int = 0

    @property
    def recognized(self) -> bool:
        return bool(self.iters or self.evals or self.assignments or self.bad_time_lines
                    or self.tokens_per_iter)


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _timestamp(line: str):
    m = _TIMESTAMP.match(line)
    if not m:
        return None, line
    date, time, frac, tz = m.groups()
    text = f"{date}T{time}" + (f".{frac.ljust(6, '0')}" if frac else "")
    if tz:
        text += "+00:00" if tz == "Z" else (tz if ":" in tz else tz[:3] + ":" + tz[3:])
    try:
        return _dt.datetime.fromisoformat(text), line[m.end():]
    except ValueError:
        return None, line


def parse_text(text: str) -> Parsed:
    out = Parsed()
    last_eval_step = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        out.n_lines += 1
        line = _unquote(clean_line(raw))
        if not line or line.startswith("```"):
            continue
        ts, line = _timestamp(line)
        if ts is not None:
            out.last_ts = ts
        head = line[:5]
        if head == "iter ":
            m = _ITER.match(line)
            if m:
                dt_ms = _float(m.group(3))
                if dt_ms is None or not math.isfinite(dt_ms) or dt_ms <= 0:
                    out.bad_time_lines.append(lineno)
                    continue
                mfu = _float(m.group(4)) if m.group(4) else None
                out.iters.append(IterLine(int(m.group(1)), dt_ms / 1000.0, _float(m.group(2)),
                                          mfu, lineno, ts))
                continue
        elif head == "step ":
            m = _STEP.match(line)
            if m:
                last_eval_step = int(m.group(1))
                out.evals.append(EvalLine(last_eval_step, _float(m.group(2)),
                                          _float(m.group(3)), lineno))
                continue
        if _CKPT.match(line):
            if last_eval_step is not None:
                out.checkpoint_steps.append(last_eval_step)
            continue
        m = _TOKENS.match(line)
        if m:
            out.tokens_per_iter = int(m.group(1).replace(",", "") or 0) or None
            continue
        m = _OVERRIDE_FILE.match(line)
        if m:
            out.config_file = m.group(1)
            continue
        m = _OVERRIDE_KEY.match(line)
        if m:
            line = m.group(1)
        pair = split_assignment(line)
        if pair is not None:
            out.assignments.append(Assignment(pair[0], pair[1], lineno))
            continue
        out.n_ignored += 1
    return out
