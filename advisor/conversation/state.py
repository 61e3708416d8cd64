"""The conversation's state: the facts given so far, the log lines seen, the runs pasted,
the locale, the last answer, what /undo can restore, the transcript for /export. Data the
shell owns; the core computes from a Context taken of it (context()), never from it."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from advisor.answers.answer import Answer
from advisor.answers.summary import run_summary
from advisor.compute.context import Context
from advisor.errors import AdvisorError
from advisor.knowledge.model import Knowledge
from advisor.read import read_text
from advisor.read.facts import Fact, FactStore, Source, parse_fact, suggest_keys
from advisor.read.logs import LogReport
from advisor.read.logs.runs import merge
from advisor.read.settings import settings_of

UNDO_DEPTH = 50
KEPT_PASTES = 2              # runs kept for /compare
CONFIG_FACTS = 3             # a paste with this many settings is a config /compare can use


def _now() -> _dt.datetime:
    return _dt.datetime.now().astimezone()


class Snapshot(NamedTuple):
    """What /undo restores: the state before a message."""
    store: FactStore
    reports: list
    pastes: list
    last_answer: Answer | None


@dataclass
class State:
    knowledge: Knowledge
    locale: str = "en"
    clock: Callable[[], _dt.datetime] = _now
    store: FactStore = field(default_factory=FactStore)
    log: LogReport = field(default_factory=LogReport)
    last_answer: Answer | None = None
    pastes: list = field(default_factory=list)      # (LogReport, [Fact]) of the last runs pasted
    locale_fixed: bool = False                       # /lang or --lang: questions do not switch it
    reports: list = field(default_factory=list)      # every LogReport taken in, in order (for /undo)
    undo_stack: list[Snapshot] = field(default_factory=list)
    transcript: list = field(default_factory=list)   # (message, [Output], locale) for /export
    commands: dict = field(default_factory=dict)     # name -> Command: the table the shell handed over

    def context(self) -> Context:
        return Context(self.knowledge, self.store, self.log, self.clock,
                       tuple((rep, tuple(facts)) for rep, facts in self.pastes))

    # ---- facts ---------------------------------------------------------------------------
    def set_fact(self, name: str, raw: str, origin: str, line: int | None = None,
                 file: str | None = None, source: Source = Source.USER) -> Fact:
        know = self.knowledge
        try:
            fact = parse_fact(name, raw, know.keys, know.aliases, self.clock, origin, line, file, source)
        except AdvisorError as exc:
            if exc.code == "unknown_key":
                exc.params["suggestions"] = suggest_keys(name, know.keys, know.aliases)
            raise
        self.store.put(fact)
        return fact

    def paste(self, text: str, origin: str = "paste", file: str | None = None) -> Answer:
        return self.add_report(read_text(text, self.knowledge.trainers), origin, file)

    def add_report(self, rep: LogReport, origin: str = "paste", file: str | None = None,
                   keep: bool = True) -> Answer:
        """Take in what was read from a paste or a file (the shell streams big files).
        `keep=False` (a followed log, read poll by poll): merged into the log without being
        kept for /undo and /compare, so that following a log for days holds no more memory."""
        know = self.knowledge
        facts, rejected = settings_of(rep, know.keys, know.aliases, self.clock, origin, file)
        for fact in facts:
            self.store.put(fact)
        if not keep:
            merge(self.log, rep)
            return Answer("ack", {"runs": [], "noted": facts, "rejected": rejected,
                                  "bad_time_lines": rep.bad_time_lines, "ignored": rep.n_ignored,
                                  "has_max_iters": True})
        if rep.runs or rep.config_file or len(facts) >= CONFIG_FACTS:
            self.pastes = (self.pastes + [(rep, facts)])[-KEPT_PASTES:]
        self._merge(rep)
        self.reports.append(rep)
        if not (rep.recognized or facts):
            return Answer("not_understood", {"lines": rep.n_lines}, error=True)
        return Answer("ack", {
            "runs": [run_summary(r) for r in rep.runs.values()],
            "noted": facts,
            "rejected": rejected,
            "bad_time_lines": rep.bad_time_lines,
            "ignored": rep.n_ignored,
            "has_max_iters": self.store.get("max_iters") is not None
                             or any("total_steps" in r.printed for r in rep.runs.values()),
        })

    def _merge(self, rep: LogReport) -> None:
        """Add a report to the log without changing any report kept for /undo and
        /compare: a kept run is copied before a later paste extends it."""
        kept = {id(r) for p in self.reports for r in p.runs.values()}
        for name, run in list(self.log.runs.items()):
            if name in rep.runs and id(run) in kept:
                self.log.runs[name] = run.copy()
        merge(self.log, rep)

    def reset(self) -> None:
        self.store, self.log, self.pastes, self.reports = FactStore(), LogReport(), [], []
        self.last_answer = None

    # ---- undo ----------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        snap = Snapshot(self.store.copy(), list(self.reports), list(self.pastes), self.last_answer)
        self.undo_stack = (self.undo_stack + [snap])[-UNDO_DEPTH:]
        return snap

    def unchanged_since(self, snap: Snapshot) -> bool:
        return snap.store.facts == self.store.facts and len(snap.reports) == len(self.reports) \
            and all(x is y for x, y in zip(snap.reports, self.reports))

    def undo(self) -> Answer:
        """Forget the last message: its facts and its log lines."""
        if not self.undo_stack:
            raise AdvisorError("nothing_to_undo")
        snap = self.undo_stack.pop()
        dropped = len(self.reports) - len(snap.reports)
        facts = len(self.store.facts) - len(snap.store.facts)
        self.store, self.pastes, self.last_answer = snap.store, snap.pastes, snap.last_answer
        self.reports, self.log = [], LogReport()
        for rep in snap.reports:
            self._merge(rep)
            self.reports.append(rep)
        return Answer("undo", {"reports": abs(dropped), "facts": abs(facts)})
