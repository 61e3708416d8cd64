"""The conversation: facts given so far, the log lines seen, the locale, the last answer.

Pure: handle(text) -> [Answer]. The shell (cli, repl) reads input, renders and prints.
Slash commands live in a registry (litecli's special-command style); the same `key = value`
facts come from --set, /set and pastes.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
from dataclasses import dataclass, field
from typing import Callable

from advisor import eta as eta_mod
from advisor.answers import Answer
from advisor.errors import AdvisorError
from advisor.i18n import SUPPORTED
from advisor.facts import Fact, FactStore, Source, canonical_key, coerce
from advisor.knowledge import Knowledge
from advisor.logs import LogReport, Run, steps_summary
from advisor.logs.model import DT_MICRO, merge
from advisor.parse import parse_text
from advisor.values import NotLiteral, loose_value, split_assignment

LOCALES = SUPPORTED
# The ETA reads the newest 20,000 step lines: enough for every rate it estimates, and it
# keeps an answer on a multi-million-line log fast. Older lines are sunk time.
ETA_TAIL = 20_000
WHATIF_KEYS = {"max_iters", "eval_interval", "eval_iters", "gradient_accumulation_steps", "num_gpus"}


@dataclass
class Session:
    knowledge: Knowledge
    locale: str = "en"
    clock: Callable[[], _dt.datetime] = field(default=lambda: _dt.datetime.now().astimezone())
    store: FactStore = field(default_factory=FactStore)
    log: LogReport = field(default_factory=LogReport)
    last_answer: Answer | None = None
    pastes: list = field(default_factory=list)      # (LogReport, [Fact]) of the last runs pasted
    locale_fixed: bool = False                       # /lang or --lang: questions do not switch it
    reports: list = field(default_factory=list)      # every LogReport taken in, in order (for /undo)
    undo_stack: list = field(default_factory=list)   # the state before each message
    transcript: list = field(default_factory=list)   # (message, [Answer], locale) for /export

    # ---- facts -------------------------------------------------------------------------
    def set_fact(self, name: str, raw: str, origin: str, line: int | None = None,
                 file: str | None = None, source: Source = Source.USER) -> Fact:
        key = canonical_key(name, self.knowledge.keys, self.knowledge.aliases)
        if key is None:
            names = list(self.knowledge.keys) + list(self.knowledge.aliases)
            raise AdvisorError("unknown_key", key=name,
                               suggestions=difflib.get_close_matches(name.lower(), names, n=3))
        spec = self.knowledge.keys[key]
        text = raw.strip()
        if spec.type == "datetime" and text.lower() in ("now", "'now'", '"now"'):
            value = self.clock()
        else:
            try:
                value = coerce(spec, loose_value(text), raw=text)
            except NotLiteral:
                raise AdvisorError("bad_value", key=key, value=text, reason="code") from None
        fact = Fact(key, value, source, origin, line, file)
        self.store.put(fact)
        return fact

    def paste(self, text: str, origin: str = "paste", file: str | None = None) -> Answer:
        return self.add_report(parse_text(text), origin, file)

    def add_report(self, rep: LogReport, origin: str = "paste", file: str | None = None) -> Answer:
        """Take in what was read from a paste or a file (the shell streams big files)."""
        in_log = bool(rep.runs or rep.config_file)
        facts, rejected = [], []
        for a in rep.assignments:
            try:
                facts.append(self.set_fact(a.name, a.value, "log" if in_log else origin,
                                           a.lineno, file, Source.LOG if in_log else Source.USER))
            except AdvisorError as exc:
                if exc.code == "bad_value":
                    rejected.append({"line": a.lineno, **exc.params})
                elif exc.code == "unknown_key" and rep.config_file:
                    rejected.append({"line": a.lineno, "key": a.name, "reason": "unknown"})
                # other `word: text` lines are ordinary log chatter
        if rep.runs or rep.config_file or len(facts) >= 3:      # a run or a config: /compare can use it
            self.pastes = (self.pastes + [(rep, facts)])[-2:]
        self._merge(rep)
        self.reports.append(rep)
        if not (rep.recognized or facts):
            return Answer("not_understood", {"lines": rep.n_lines}, error=True)
        return Answer("ack", {
            "runs": [run_summary(r) for r in rep.runs.values()],
            "facts": facts,
            "rejected": rejected,
            "bad_time_lines": rep.bad_time_lines,
            "ignored": rep.n_ignored,
            "has_max_iters": self.store.get("max_iters") is not None
                             or any("total_steps" in r.facts for r in rep.runs.values()),
        })

    def _merge(self, rep: LogReport) -> None:
        """Add a report to the session's log without changing any report kept for /undo
        and /compare: a kept run is copied before a later paste extends it."""
        kept = {id(r) for p in self.reports for r in p.runs.values()}
        for name, run in list(self.log.runs.items()):
            if name in rep.runs and id(run) in kept:
                self.log.runs[name] = run.copy()
        merge(self.log, rep)

    # ---- undo --------------------------------------------------------------------------
    UNDO_DEPTH = 50

    def snapshot(self) -> None:
        self.undo_stack = (self.undo_stack + [(self.store.copy(), list(self.reports), list(self.pastes),
                                               self.last_answer)])[-self.UNDO_DEPTH:]

    def undo(self) -> Answer:
        """Forget the last message: its facts and its log lines."""
        if not self.undo_stack:
            raise AdvisorError("nothing_to_undo")
        store, kept, pastes, last = self.undo_stack.pop()
        dropped = len(self.reports) - len(kept)
        facts = len(self.store.facts) - len(store.facts)
        self.store, self.pastes, self.last_answer = store, pastes, last
        self.reports, self.log = [], LogReport()
        for rep in kept:
            self._merge(rep)
            self.reports.append(rep)
        return Answer("undo", {"reports": abs(dropped), "facts": abs(facts)})

    def fact_value(self, key: str, used: list[Fact]):
        fact = self.store.get(key)
        if fact is None:
            spec = self.knowledge.keys[key]
            fact = Fact(key, spec.default, Source.DEFAULT, "default")
        used.append(fact)
        return fact.value

    def _eval_interval(self, run: Run, used: list[Fact]) -> tuple[int, list[str]]:
        """The given eval_interval, else the one the log's evaluation lines imply."""
        positive = sorted({e.step for e in run.evals if e.step > 0})
        implied = 0
        for s in positive:
            implied = math.gcd(implied, s)
        given = self.store.get("eval_interval")
        notes = []
        if given is not None:
            used.append(given)
            if implied and any(s % given.value for s in positive):
                notes.append("eval_interval_conflict")
            return given.value, notes
        if implied:
            fact = Fact("eval_interval", implied, Source.DERIVED, "eval_lines")
            used.append(fact)
            return implied, notes
        return self.fact_value("eval_interval", used), notes

    # ---- questions -----------------------------------------------------------------------
    def eta(self, sec_per_step: float | None = None) -> Answer:
        trainer = self.store.get("trainer")
        run = self.log.main_run(trainer.value if trainer else None)
        if run is None or not run.samples:
            if self.log.bad_time_lines:
                raise AdvisorError("bad_times", lines=self.log.bad_time_lines[:10],
                                   count=len(self.log.bad_time_lines))
            raise AdvisorError("no_iterations")
        if run.trainer == "nanoGPT":
            return self._eta_nanogpt(run, sec_per_step)
        return self._eta_generic(run, sec_per_step)

    def whatif(self, text: str) -> Answer:
        """The ETA again with one thing changed: another step time, max_iters,
        eval_interval, ... Nothing the user gave is changed."""
        pair = split_assignment(text) if text else None
        if pair is None:
            raise AdvisorError("whatif_syntax", text=text)
        name, raw = pair
        base = self.eta()
        if name.strip().lower() in ("sec_per_step", "s_per_step", "step_time", "dt"):
            seconds = step_seconds(raw)
            if seconds is None:
                raise AdvisorError("bad_value", key="sec_per_step", value=raw, reason="number")
            alt = self.eta(sec_per_step=seconds)
            key, value = "sec_per_step", seconds
        else:
            key = canonical_key(name, self.knowledge.keys, self.knowledge.aliases)
            if key not in WHATIF_KEYS:
                raise AdvisorError("whatif_key", key=name,
                                   allowed=["sec_per_step"] + sorted(WHATIF_KEYS))
            other = Session(self.knowledge, self.locale, self.clock, self.store.copy(), self.log)
            value = other.set_fact(key, raw, "whatif").value
            alt = other.eta()
        b, c = base.data["eta"], alt.data["eta"]
        return Answer("whatif", {"key": key, "value": value, "base": b, "alt": c,
                                 "delta_s": c.remaining_s - b.remaining_s}, question=True)

    def _eta_nanogpt(self, run: Run, sec_per_step: float | None = None) -> Answer:
        used: list[Fact] = []
        if self.store.get("max_iters") is None:
            raise AdvisorError("max_iters_missing", last=run.samples[-1].iter)
        max_iters = self.fact_value("max_iters", used)
        interval, notes = self._eval_interval(run, used)
        cfg = eta_mod.EtaConfig(
            max_iters=max_iters,
            eval_interval=interval,
            eval_iters=self.fact_value("eval_iters", used),
            gradient_accumulation_steps=self.fact_value("gradient_accumulation_steps", used),
            num_gpus=self.fact_value("num_gpus", used),
            eval_only=self.fact_value("eval_only", used),
        )
        result = eta_mod.estimate(run.samples[-ETA_TAIL:], cfg, [e.step for e in run.evals],
                                  self._anchor(run, used), sec_per_step=sec_per_step,
                                  calibration=self.knowledge.eta_calibration)
        return self._eta_answer(run, result, used, notes, cfg.eval_interval, cfg.eval_iters)

    def _eta_generic(self, run: Run, sec_per_step: float | None = None) -> Answer:
        """Trainers whose step timer leaves evaluations out: steps x step time, with the
        trainer's own total; evaluations are named as not counted."""
        used: list[Fact] = []
        scale = 1.0
        if run.dt_kind == DT_MICRO and "micro_batches_per_step" in run.facts:
            scale = float(run.facts["micro_batches_per_step"][0] or 1)
        timed = [s if scale == 1.0 else s._replace(dt_s=s.dt_s * scale)
                 for s in run.samples[-ETA_TAIL:] if s.dt_s is not None and s.dt_s > 0]
        if not timed:
            raise AdvisorError("no_step_times", trainer=run.trainer)
        given = self.store.get("max_iters")
        if given is not None:
            used.append(given)
            total = given.value
        elif "total_steps" in run.facts:
            value, line = run.facts["total_steps"]
            total = value
            used.append(Fact("max_iters", value, Source.LOG, "log", line))
        else:
            raise AdvisorError("max_iters_missing", last=run.samples[-1].iter)
        last_index = total - 1 + run.step_base
        cfg = eta_mod.EtaConfig(max_iters=last_index, eval_interval=last_index + 1, eval_iters=0,
                                gradient_accumulation_steps=1)
        result = eta_mod.estimate(timed, cfg, (), self._anchor(run, used), first_step=run.step_base,
                                  sec_per_step=sec_per_step)
        return self._eta_answer(run, result, used, ["evals_not_counted"], None, None)

    def _anchor(self, run: Run, used: list[Fact]):
        """The clock time the remaining time counts from: the last step line's own
        timestamp, else the `now` the user gave."""
        now = self.store.get("now")
        if now is not None:
            used.append(now)
        return run.samples[-1].ts or (now.value if now else None)

    def _gap(self, run: Run, result) -> "eta_mod.Gap | None":
        """When the last line carries a timestamp: how long ago that was (against the
        `now` given, else the clock), and what it says about the run."""
        last = run.samples[-1].ts
        if last is None:
            return None
        given = self.store.get("now")
        now = given.value if given is not None else self.clock()
        if (now.tzinfo is None) != (last.tzinfo is None):   # a naive time is local time
            now = now.astimezone().replace(tzinfo=None) if last.tzinfo is None else now.astimezone()
        since = (now - last).total_seconds()
        return eta_mod.gap(result, since, eta_mod.line_gap(run.samples[-50:], result))

    def _eta_answer(self, run, result, used, notes, eval_interval, eval_iters) -> Answer:
        # show only what shaped this result: the prior's inputs only when the prior was used
        prior_keys = {"eval_iters", "gradient_accumulation_steps", "num_gpus"}
        used = [f for f in used
                if (f.key not in prior_keys or result.eval_cost_source == "prior")
                and (f.key != "eval_only" or f.source is not Source.DEFAULT)]
        keys = {f.key for f in used}
        return Answer("eta", {
            "eta": result,
            "gap": self._gap(run, result),
            "run": run_summary(run),
            "used": used,
            "overrides": [o for o in self.store.overrides if o.key in keys],
            "notes": notes,
            "bad_time_lines": self.log.bad_time_lines,
            "eval_interval": eval_interval,
            "eval_iters": eval_iters,
        }, question=True)

    def side(self, rep: LogReport, facts: list[Fact]) -> "Session":
        """One pasted run as a session of its own, with the facts given by /set or --set
        (the GPU, say) that hold for every run."""
        store = FactStore()
        for f in facts:
            store.put(f)
        for f in self.store.facts.values():
            if f.source is Source.USER and f.origin in ("cli", "repl"):
                store.put(f)
        return Session(self.knowledge, self.locale, self.clock, store, rep)

    def compare(self) -> Answer:
        from advisor.compare import compare_answer
        if len(self.pastes) < 2:
            raise AdvisorError("compare_needs_two", have=len(self.pastes))
        (ra, fa), (rb, fb) = self.pastes[-2:]
        return compare_answer(self.side(ra, fa), self.side(rb, fb))

    def facts_answer(self) -> Answer:
        return Answer("facts", {
            "facts": list(self.store.facts.values()),
            "runs": [run_summary(r) for r in self.log.runs.values()],
            "system": {k: v[0] for k, v in self.log.system.items()},
            "lines": self.log.n_lines,
            "ignored": self.log.n_ignored,
        }, question=True)

    # ---- dispatch ------------------------------------------------------------------------
    def run_command(self, line: str) -> list[Answer]:
        from advisor.commands import COMMANDS
        name, _, arg = line.strip().partition(" ")
        cmd = COMMANDS.get(name.lower())
        if cmd is None:
            return [Answer.from_error(AdvisorError(
                "unknown_command", command=name,
                suggestions=difflib.get_close_matches(name.lower(), list(COMMANDS), n=2)))]
        try:
            answers = cmd.handler(self, arg.strip())
        except AdvisorError as exc:
            return [Answer.from_error(exc)]
        return answers

    def handle(self, text: str) -> list[Answer]:
        """One message: slash-command lines run in order; questions in plain words are
        answered; other lines are pasted text. Each answer becomes "the last answer" (for
        /regen) as soon as it is given. The state before the message is kept for /undo."""
        if text.strip().lower() != "/undo":
            self.snapshot()
            before = self.undo_stack[-1]
        answers = self._handle(text)
        if text.strip().lower() != "/undo" and self.undo_stack and self.undo_stack[-1] is before \
                and before[0].facts == self.store.facts and len(before[1]) == len(self.reports) \
                and all(x is y for x, y in zip(before[1], self.reports)):
            self.undo_stack.pop()          # nothing changed: /undo goes further back
        self.transcript.append((text, answers, self.locale))
        return answers

    def _handle(self, text: str) -> list[Answer]:
        answers: list[Answer] = []
        chunk: list[str] = []

        def give(new: list[Answer]) -> None:
            for a in new:
                if not a.error and a.kind not in ("lang", "help", "quit", "regen"):
                    self.last_answer = a
            answers.extend(new)

        def flush():
            if any(line.strip() for line in chunk):
                from advisor.questions import split_questions, ask
                before, body, after = split_questions(self, chunk)
                for q in before:
                    give(ask(self, q))
                if any(line.strip() for line in body):
                    give([self.paste("\n".join(body))])
                for q in after:
                    give(ask(self, q))
            chunk.clear()

        from advisor.commands import is_command
        for line in text.splitlines():
            if is_command(line):
                flush()
                give(self.run_command(line))
            else:
                chunk.append(line)
        flush()
        return answers


def step_seconds(text: str) -> float | None:
    """'0.2', '0,2', '0.2s', '200ms', '0.2 s/it', '5 it/s' -> seconds per step (> 0)."""
    t = text.strip().lower().replace(" ", "")
    unit = 1.0
    for suffix, factor in (("s/it", 1.0), ("it/s", -1.0), ("ms", 0.001), ("s", 1.0)):
        if t.endswith(suffix):
            t, unit = t[: -len(suffix)], factor
            break
    if t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    if not (v > 0 and v < 1e9):
        return None
    return 1.0 / v if unit < 0 else v * unit


def run_summary(run: Run) -> dict:
    """What was read of one trainer's run, for answers and JSON (plain data)."""
    summary = steps_summary(run)
    return {
        "trainer": run.trainer, "variant": run.variant, "dt_kind": run.dt_kind,
        "label": f"{run.trainer} ({run.variant})" if run.variant else run.trainer,
        "step_base": run.step_base, "mfu_peak": run.mfu_peak,
        "samples": len(run.samples), "evals": len(run.evals),
        "checkpoints": len(run.checkpoint_steps),
        "first_line": run.first_line, "last_line": run.last_line,
        "facts": {k: v[0] for k, v in run.facts.items()},
        **summary,
    }
