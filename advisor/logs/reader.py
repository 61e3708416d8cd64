"""Read a log as a stream of lines, in one pass and bounded memory, whatever trainer wrote it.

Each physical line is split at carriage returns (progress bars redraw in place; every state
is offered and the newest one of a step wins), cleaned, unwrapped from quoting and prefixes,
then offered to each trainer's line formats; what none recognizes may be a config
assignment; everything else is counted and ignored.
"""

from __future__ import annotations

import re
from typing import Iterable

from advisor.logs import hf, karpathy, megatron, other
from advisor.logs.clean import clean_line, unwrap
from advisor.logs.model import DT_TIMESTAMPS, Assignment, LogReport, Run, Sample
from advisor.values import split_assignment

FORMATS = karpathy.FORMATS + megatron.FORMATS + other.FORMATS + hf.FORMATS
_OVERRIDE_FILE = re.compile(r"^Overriding config with (\S{1,300}):")
_OVERRIDE_KEY = re.compile(r"^Overriding: (.{1,2000})$")
_ELISION = re.compile(r"^(?:\.{3,}|…|<snip>|\[\.\.\.\]|\.\.\. \.\.\.|\(\.\.\..{0,60}\)|#### EXCERPT GAP.*)$")
_REMNANTS = (("#015", "\r"), ("#033", "\x1b"), ("^[", "\x1b"), ("^M", "\r"))


def read_lines(lines: Iterable[str]) -> LogReport:
    rep = LogReport()
    pending = ""           # a progress bar cut in two by a notebook or a narrow terminal
    for n, raw in enumerate(lines, start=1):
        rep.n_lines += 1
        if not raw.strip():
            continue
        if "#0" in raw or "^" in raw:
            for old, new in _REMNANTS:
                raw = raw.replace(old, new)
        if pending:
            raw, pending = pending + raw.lstrip(), ""
        parts = raw.split("\r") if "\r" in raw else (raw,)
        last = clean_line(parts[-1])
        if "%|" in last and "[" in last and "]" not in last and len(last) < 500:
            pending = raw
            continue
        hit = False
        for part in parts:
            hit = _line(clean_line(part), n, rep) or hit
        if not hit:
            rep.n_ignored += 1
    for run in rep.runs.values():
        finish_run(run)
    return rep


def _line(text: str, n: int, rep: LogReport) -> bool:
    if not text or text.startswith("```"):
        return False
    text, ts, commented = unwrap(text)
    if "\t" in text:
        text = " ".join(text.replace("\t", " ").split())
    if ts is not None:
        rep.last_ts = ts
    if not text or _ELISION.match(text):
        return False
    for fmt in FORMATS:
        if fmt(text, n, ts, rep):
            return True
    if commented:
        return False
    m = _OVERRIDE_FILE.match(text)
    if m:
        rep.config_file = m.group(1)
        return True
    m = _OVERRIDE_KEY.match(text)
    if m:
        text = m.group(1)
    pair = split_assignment(text.strip().rstrip(","))
    if pair is not None:
        rep.assignments.append(Assignment(pair[0].strip("\"'"), pair[1], n))
        return True
    return False


def finish_run(run: Run) -> None:
    """Derive step times from timestamps where the trainer prints none (DeepSpeed,
    torchtitan), and drop our private bookkeeping."""
    run.facts.pop("_train_ms", None)
    s = run.samples
    if s and all(x.dt_s is None for x in s) and sum(x.ts is not None for x in s) >= 2:
        out = [s[0]]
        for prev, cur in zip(s, s[1:]):
            dt = None
            if prev.ts is not None and cur.ts is not None and cur.iter > prev.iter:
                dt = (cur.ts - prev.ts).total_seconds() / (cur.iter - prev.iter)
            out.append(Sample(cur.iter, dt if dt and dt > 0 else None, cur.loss, cur.mfu,
                              cur.lineno, cur.ts, cur.tok_s, cur.lr, cur.grad_norm))
        run.samples = out
        run.dt_kind = DT_TIMESTAMPS


def steps_summary(run: Run) -> dict:
    """Resumes (the step count goes back), distinct steps, last step, timed steps."""
    resumes = [s.iter for a, s in zip(run.samples, run.samples[1:]) if s.iter < a.iter]
    steps = {s.iter for s in run.samples}
    timed = [s.dt_s for s in run.samples if s.dt_s is not None]
    return {"resumes": resumes, "steps": len(steps),
            "first": min(steps) if steps else None, "last": run.samples[-1].iter if run.samples else None,
            "timed": len(timed)}
