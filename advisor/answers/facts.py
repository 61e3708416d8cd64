"""Answers about what is known: the facts answer (every fact with where it came from, every
run read), and a term explained with the user's own numbers (pure)."""

from __future__ import annotations

from advisor.advise.signals.gather import gather
from advisor.answers.answer import Answer
from advisor.answers.summary import read_summary, run_summary
from advisor.compute.context import Context


def facts_answer(ctx: Context, arg: str = "") -> Answer:
    return Answer("facts", {
        "facts": list(ctx.facts.facts.values()),
        "runs": [run_summary(r) for r in ctx.log.runs.values()],
        "system": {k: v[0] for k, v in ctx.log.system.items()},
        "lines": ctx.log.n_lines,
        "ignored": ctx.log.n_ignored,
        "read": read_summary(ctx.log, ctx.main_run()),
    }, question=True)


def term_answer(ctx: Context, term: str) -> Answer:
    """A term explained, with the user's own numbers where they are known."""
    values = {k: s.value for k, s in gather(ctx).items()}
    return Answer("term", {"term": term, "s": values}, question=True)
