"""What a computation may read: the knowledge, the facts given so far, the log read so far,
the clock, and the runs pasted (for a comparison). Frozen: a computation never changes the
conversation; a what-if is a new Context with one fact more (with_facts).

The one provenance rule lives here (resolve): a fact is the value given (by the user, or a
config dump in a log), else what the log itself says (its GPU, its process count), else the
chosen preset's, else nanoGPT's default; each answer lists the facts it used, with where
each came from."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Callable

from advisor.errors import AdvisorError
from advisor.knowledge.model import Knowledge
from advisor.read.facts import Fact, FactStore, Source, coerce
from advisor.read.logs import LogReport, Run

# keys the log itself can say, and the system facts that say them (first found wins)
_FROM_LOG = {"gpu": ("gpu",), "num_gpus": ("world_size", "gpu_count")}
# facts that hold for every run of a comparison: the ones typed with /set or --set
_SHARED_ORIGINS = ("cli", "repl")


def _now() -> _dt.datetime:
    return _dt.datetime.now().astimezone()


@dataclass(frozen=True)
class Context:
    knowledge: Knowledge
    facts: FactStore = field(default_factory=FactStore)
    log: LogReport = field(default_factory=LogReport)
    clock: Callable[[], _dt.datetime] = _now
    pastes: tuple[tuple[LogReport, tuple[Fact, ...]], ...] = ()   # the last runs pasted, oldest first

    # ---- facts ---------------------------------------------------------------------------
    def given(self, key: str) -> Fact | None:
        return self.facts.get(key)

    def from_log(self, key: str) -> Fact | None:
        """What the log says of `key`, checked as a value given would be: a value out of the
        key's range (a world size of 0) is not a fact."""
        for name in _FROM_LOG.get(key, ()):
            seen = self.log.system.get(name)
            if seen and seen[0] is not None:
                try:
                    value = coerce(self.knowledge.keys[key], seen[0])
                except AdvisorError:
                    continue
                return Fact(key, value, Source.LOG, "log", seen[1])
        return None

    def preset(self) -> dict | None:
        """The chosen model preset (`model=gpt2`), None when none is chosen or known."""
        chosen = self.given("model")
        return self.knowledge.models.get(str(chosen.value).lower()) if chosen is not None else None

    def check_preset(self) -> None:
        chosen = self.given("model")
        if chosen is not None and self.preset() is None:
            raise AdvisorError("unknown_model", model=chosen.value,
                               known=sorted({r["name"] for r in self.knowledge.models.values()}))

    def resolve(self, key: str, used: list[Fact] | None = None) -> Fact | None:
        """Given, else read from the log, else the preset's, else nanoGPT's default (None
        when the key has none). The fact is appended to `used`."""
        fact = self.given(key) or self.from_log(key)
        if fact is None:
            preset = self.preset()
            if preset is not None and key in preset["config"]:
                fact = Fact(key, preset["config"][key], Source.DEFAULT, "preset")
        if fact is None:
            spec = self.knowledge.keys[key]
            if spec.has_default:
                fact = Fact(key, spec.default, Source.DEFAULT, "default")
        if fact is not None and used is not None:
            used.append(fact)
        return fact

    def require(self, key: str, used: list[Fact]):
        """The value of `key`; AdvisorError('plan_missing') when nothing gives one."""
        fact = self.resolve(key, used)
        if fact is None:
            raise AdvisorError("plan_missing", key=key)
        return fact.value

    def dataset_tokens(self, used: list[Fact]) -> tuple[float | None, dict | None]:
        """(training tokens of the dataset, its row) when the user named one or gave its
        size; the `dataset` default is never assumed for epochs."""
        size = self.given("dataset_tokens")
        if size is not None:
            used.append(size)
            return size.value, None
        name = self.given("dataset")
        if name is None:
            return None, None
        used.append(name)
        row = self.knowledge.datasets.get(str(name.value).lower())
        return (row["train_tokens"], row) if row else (None, None)

    # ---- the log -------------------------------------------------------------------------
    def main_run(self) -> Run | None:
        """The run the answer is about: the one the `trainer` fact names, else the one with
        the most step lines."""
        trainer = self.given("trainer")
        return self.log.main_run(str(trainer.value) if trainer is not None else None)

    # ---- other contexts ------------------------------------------------------------------
    def with_facts(self, *facts: Fact) -> "Context":
        """The same context with these facts given too (a what-if; nothing is changed here)."""
        store = self.facts.copy()
        for f in facts:
            store.put(f)
        return Context(self.knowledge, store, self.log, self.clock, self.pastes)

    def side(self, report: LogReport, facts: tuple[Fact, ...]) -> "Context":
        """One pasted run as a context of its own, with the facts given by /set or --set
        (the GPU, say), which hold for every run."""
        store = FactStore()
        for f in facts:
            store.put(f)
        for f in self.facts.facts.values():
            if f.source is Source.USER and f.origin in _SHARED_ORIGINS:
                store.put(f)
        return Context(self.knowledge, store, report, self.clock)

    def sides(self) -> tuple["Context", "Context"]:
        """The last two runs (or configs) pasted, for a comparison."""
        if len(self.pastes) < 2:
            raise AdvisorError("compare_needs_two", have=len(self.pastes))
        (ra, fa), (rb, fb) = self.pastes[-2:]
        return self.side(ra, fa), self.side(rb, fb)
