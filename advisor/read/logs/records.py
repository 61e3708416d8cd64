"""What the hand-written formats do not know: one tolerant record grammar, with the field
names of each trainer as data (knowledge/trainers.yaml), and trainers told by evidence
scored over the whole text.

A record is a line of `key value`, `key: value` or `key=value` fields, however separated
(`|`, `,`, spaces): `Iter 180: Train loss 1.559, It/sec 0.013`, `completed step: 7,
seconds: 5.669`, `epoch 001:  600 / 1891 loss=11.0, ups=0.5, num_updates=595`. It is a
step line when one of its keys names the step; its time comes from one rule with a fixed
priority: a printed duration, then a rate, never averaged again. Keras' progress lines
have a grammar of their own here (`644/1249 ━━━━ 1:01 102ms/step - loss: 0.69`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from advisor.read.logs.fields import num
from advisor.read.logs.runs import DT_AVERAGE, DT_RATE, DT_SINGLE, EvalLine, LogReport
from advisor.read.logs.steps import Sample

_KEY = r"[A-Za-z][\w/().%-]{0,30}(?: [A-Za-z][\w/().%-]{0,30}){0,4}"
_VALUE = r"-?\d[\d,]{0,20}(?:\.\d{1,12})?(?:[eE][-+]?\d{1,3})?(?: ?/ ?\d{1,12})?"
_FIELD = re.compile(rf"({_KEY})\s{{0,4}}(?:[:=]\s{{0,8}}|\s{{1,8}})({_VALUE})(us|µs|ms|s|sec)?(?![\w.])")
_KERAS = re.compile(r"^(\d{1,9})/(\d{1,9}) (?:━{1,80}|\[[=>.]{0,80}\])?\s{0,4}(?:- )?(?:ETA: )?([\d:]{1,12}s?)?"
                    r"\s{0,4}(?:- )?(?:(\d{1,9}(?:\.\d{1,6})?)(us|µs|ms|s)/step)?")
_KERAS_V2 = re.compile(r"^(\d{1,9})/(\d{1,9}) - \d{1,9}s - .{0,400}?- (\d{1,9}(?:\.\d{1,6})?)(us|µs|ms|s)/step")
_KERAS_EPOCH = re.compile(r"^Epoch (\d{1,9})/(\d{1,9})$")
_UNIT_S = {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "sec": 1.0}
GENERIC = "generic"          # the run of records no trainer's evidence names yet


@dataclass(frozen=True)
class TrainerSpec:
    """One trainer as knowledge/trainers.yaml describes it."""
    name: str
    evidence: tuple[str, ...]               # strings only this trainer prints
    refines: str | None = None              # a run a format reads, renamed on this evidence
    step: tuple[str, ...] = ()              # keys of its step counter, most telling first
    time: tuple[str, ...] = ()              # keys of one step's duration
    time_unit: str = "s"                    # their unit when the value has none
    rate: tuple[str, ...] = ()              # keys of steps per second
    tokens_per_s: tuple[str, ...] = ()
    loss: tuple[str, ...] = ()
    eval_markers: tuple[str, ...] = ()      # a record with one of these keys is an evaluation
    step_unit: str = "optimizer"
    time_is_average: bool = False


@dataclass
class Specs:
    """The specs compiled for reading: one evidence pattern, merged key tables."""
    trainers: tuple[TrainerSpec, ...]
    evidence: re.Pattern | None = None
    owner: dict[str, str] = field(default_factory=dict)       # evidence string -> trainer
    step_keys: dict[str, int] = field(default_factory=dict)   # key -> priority (lower wins)
    time_keys: dict[str, float] = field(default_factory=dict)  # key -> unit in seconds
    rate_keys: frozenset = frozenset()
    tok_keys: frozenset = frozenset()
    loss_keys: frozenset = frozenset()
    eval_keys: frozenset = frozenset()
    average_keys: frozenset = frozenset()

    @classmethod
    def build(cls, trainers: tuple[TrainerSpec, ...]) -> "Specs":
        specs = cls(trainers)
        words = sorted({e for t in trainers for e in t.evidence}, key=len, reverse=True)
        specs.owner = {e: t.name for t in trainers for e in t.evidence}
        specs.evidence = re.compile("|".join(map(re.escape, words))) if words else None
        order = [k.lower() for t in trainers for k in t.step]
        specs.step_keys = {k: order.index(k) for k in order}
        specs.time_keys = {k.lower(): _UNIT_S[t.time_unit] for t in trainers for k in t.time}
        specs.rate_keys = frozenset(k.lower() for t in trainers for k in t.rate)
        specs.tok_keys = frozenset(k.lower() for t in trainers for k in t.tokens_per_s)
        specs.loss_keys = frozenset(k.lower() for t in trainers for k in t.loss)
        specs.eval_keys = frozenset(k.lower() for t in trainers for k in t.eval_markers)
        specs.average_keys = frozenset(k.lower() for t in trainers if t.time_is_average for k in t.time)
        return specs


def note_evidence(text: str, rep: LogReport, specs: Specs) -> None:
    """Count the trainers whose own strings this line carries (once per line)."""
    if specs.evidence is None:
        return
    for m in specs.evidence.finditer(text):
        name = specs.owner[m.group()]
        rep.evidence[name] = rep.evidence.get(name, 0) + 1
        return


def fields_of(text: str) -> dict[str, tuple[str, str | None]]:
    """key (lower case) -> (value, unit) of every field of a record; the first of a key wins."""
    out: dict[str, tuple[str, str | None]] = {}
    for m in _FIELD.finditer(text):
        key = m.group(1).strip().lower()
        out.setdefault(key, (m.group(2), m.group(3)))
    return out


def record(text: str, n: int, ts, rep: LogReport, specs: Specs) -> bool:
    """A step (or evaluation) record of a trainer the formats do not read."""
    if keras(text, n, ts, rep):
        return True
    f = fields_of(text)
    keys = [k for k in f if k in specs.step_keys]
    if not keys or len(f) < 2:
        return False
    key = min(keys, key=specs.step_keys.__getitem__)
    step_text = f[key][0].replace(" ", "")
    done, _, total = step_text.partition("/")
    step = _int(done)
    if step is None:
        return False
    run = rep.run(GENERIC, n)
    if any(k in specs.eval_keys for k in f):
        loss = next((num(f[k][0]) for k in f if k in specs.eval_keys), None)
        run.evals.append(EvalLine(step, None, loss, n))
        return True
    if total:
        run.record("total_steps", _int(total), n)
    dt, kind = _step_time(f, specs)
    if kind:
        run.dt_kind = kind
    loss = next((num(f[k][0]) for k in f if k in specs.loss_keys), None)
    tok = next((num(f[k][0]) for k in f if k in specs.tok_keys), None)
    run.add(Sample(step, dt, loss, None, n, ts, tok))
    return True


def _step_time(f: dict, specs: Specs) -> tuple[float | None, str | None]:
    """One rule: a printed duration of the step first, then a rate (steps per second)."""
    for key, (value, unit) in f.items():
        if key in specs.time_keys:
            v = num(value)
            if v:
                kind = DT_AVERAGE if key in specs.average_keys else DT_SINGLE
                return v * (_UNIT_S[unit] if unit else specs.time_keys[key]), kind
    for key, (value, _) in f.items():
        if key in specs.rate_keys:
            v = num(value)
            if v:
                return 1.0 / v, DT_RATE
    return None, None


def keras(text: str, n: int, ts, rep: LogReport) -> bool:
    """Keras fit: `Epoch 3/30`, then `644/1249 ━━━━ 1:01 102ms/step - loss: ...` (Keras 3),
    `237/422 [=====>....] - ETA: 7s - loss: ...` (Keras 2), `128/128 - 0s - ... - 3ms/step`."""
    m = _KERAS_EPOCH.match(text)
    if m:
        run = rep.run("Keras", n)
        run.record("epoch", int(m.group(1)), n)
        run.record("epochs", int(m.group(2)), n)
        return True
    if "/" not in text[:20] or "step" not in text and "ETA" not in text and "━" not in text and "[=" not in text:
        return False
    m = _KERAS_V2.match(text) or _KERAS.match(text)
    if not m or (m.re is _KERAS and not (m.group(3) or m.group(4))):
        return False
    run = rep.run("Keras", n)
    run.step_base, run.dt_kind = 1, DT_AVERAGE
    value, unit = (m.group(3), m.group(4)) if m.re is _KERAS_V2 else (m.group(4), m.group(5))
    dt = float(value) * _UNIT_S[unit] if value else None
    run.record("total_steps", int(m.group(2)), n)
    run.add(Sample(int(m.group(1)), dt, None, None, n, ts))
    return True


def name_runs(rep: LogReport, specs: Specs | None) -> None:
    """Name each run by the evidence over the whole text: the generic run after the trainer
    whose strings the text carries most; a run a format read after the trainer that refines
    it (Accelerate for a bare tqdm bar, DeepSpeed-Chat for DeepSpeed's engine lines)."""
    if GENERIC in rep.runs:
        best = _best(rep, specs, None)
        rep.rename(GENERIC, best or "unknown trainer")
    if specs is None:
        return
    for name in list(rep.runs):
        better = _best(rep, specs, name)
        if better and better not in rep.runs:
            rep.rename(name, better)


def _best(rep: LogReport, specs: Specs | None, refines: str | None) -> str | None:
    if specs is None:
        return None
    scored = [(rep.evidence.get(t.name, 0), t.name) for t in specs.trainers
              if (t.refines == refines) and rep.evidence.get(t.name, 0) > 0]
    return max(scored)[1] if scored else None


def _int(text: str) -> int | None:
    try:
        return int(float(text.replace(",", "")))
    except ValueError:
        return None
