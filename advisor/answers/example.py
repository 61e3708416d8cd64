"""/example: a built-in nanoGPT log through the same code as the user's own (pure)."""

from __future__ import annotations

from advisor.answers.answer import Answer
from advisor.answers.eta import eta_answer
from advisor.compute.context import Context
from advisor.read import read_text
from advisor.read.facts import FactStore
from advisor.read.settings import settings_of

EXAMPLE_HEAD = 3             # lines of the example log shown at each end


def example_answer(ctx: Context, arg: str = "") -> Answer:
    know = ctx.knowledge
    ex = next(iter(know.examples.values()))
    report = read_text(ex.paste, know.trainers)
    store = FactStore()
    for fact in settings_of(report, know.keys, know.aliases, ctx.clock)[0]:
        store.put(fact)
    answer = eta_answer(Context(know, store, report, ctx.clock))
    lines = [line for line in ex.paste.splitlines() if line.strip()]
    return Answer("example", {"paste_head": lines[:EXAMPLE_HEAD] + ["..."] + lines[-EXAMPLE_HEAD:],
                              "lines": len(lines), "answer": answer}, question=True)
