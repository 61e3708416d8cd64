"""Every question advisor answers, in one table: the name is the intent a question in plain
words is recognized as, the /command, and (where `cli`) the `advisor NAME` subcommand. An
answer is a function of a Context and the argument text, named here as "module:function"
and imported the first time it is asked for, so that a start-up loads only the answer it
gives (an ETA needs no advice rules, plan or comparison)."""

from __future__ import annotations

import importlib
from typing import Callable, NamedTuple

from advisor.answers.answer import Answer
from advisor.compute.context import Context

TERMS = ("mfu", "tokens_per_iter", "gradient_accumulation", "warmup", "eval_interval")


class Question(NamedTuple):
    name: str
    target: str                     # "advisor.answers.MODULE:FUNCTION"
    command: bool = True            # answered by the /command of the same name
    cli: bool = False               # an `advisor NAME [FILE ...]` subcommand
    settings_suffice: bool = False  # can be answered from settings alone, without a log
    args: tuple[str, ...] = ()      # completions of its argument

    @property
    def answer(self) -> Callable[[Context, str], Answer]:
        module, _, function = self.target.partition(":")
        return getattr(importlib.import_module(module), function)


QUESTIONS: dict[str, Question] = {q.name: q for q in (
    Question("eta", "advisor.answers.eta:eta_answer", cli=True),
    Question("plan", "advisor.answers.plan:plan_answer", cli=True, settings_suffice=True),
    Question("fit", "advisor.answers.plan:fit_answer", command=False),
    Question("advise", "advisor.answers.advise:advise_answer", cli=True, settings_suffice=True),
    Question("compare", "advisor.answers.compare:compare_answer", cli=True),
    Question("whatif", "advisor.answers.eta:whatif_answer"),
    Question("explain", "advisor.answers.explain:explain_answer", args=TERMS),
    Question("facts", "advisor.answers.facts:facts_answer", cli=True),
    Question("example", "advisor.answers.example:example_answer"),
)}
