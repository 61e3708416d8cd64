"""The advise question: a context's facts -> signals -> rules -> a ranked Answer (pure).

Every item carries the numbers its template shows (the signals) and the facts it assumed;
rules that could not be checked say which facts would let them run."""

from __future__ import annotations

from advisor.advise import rules as rules_mod
from advisor.advise.signals.gather import Signal, gather
from advisor.advise.signals.names import needs
from advisor.answers.answer import Answer
from advisor.compute.context import Context
from advisor.errors import AdvisorError


def advise_answer(ctx: Context, arg: str = "") -> Answer:
    if ctx.main_run() is None and not ctx.facts.facts and not ctx.log.system:
        raise AdvisorError("advise_empty")
    sig = gather(ctx)
    values = {k: s.value for k, s in sig.items()}
    run = ctx.main_run()
    has_steps = run is not None and len(run.samples) > 0
    items, quiet, unchecked = [], [], []
    for o in rules_mod.run(ctx.knowledge.rules, values):
        if o.state == "fired":
            items.append(_item(o, sig))
        elif o.state == "silent":
            quiet.append(o.rule.id)
        else:
            unchecked.append({"id": o.rule.id, "needs": _needed(ctx, o, has_steps)})
    return Answer("advise", {"advice": items, "quiet": quiet, "unchecked": unchecked, "s": values,
                             "used": [f for sg in sig.values() for f in sg.inputs]}, question=True)


def _item(o: rules_mod.Outcome, sig: dict[str, Signal]) -> dict:
    """A fired rule, with the facts it assumed (nanoGPT's defaults) behind what it read."""
    assumed = {}
    for name in o.rule.names | o.rule.shows:
        for f in sig[name].assumed if name in sig else ():
            assumed.setdefault(f.key, f)
    return {"id": o.rule.id, "advice": o.rule.advice, "severity": o.rule.severity,
            "source": o.rule.source, "gain": o.gain,
            "checks": {c.id: c.state for c in o.checks},
            "assumed": sorted(assumed.values(), key=lambda f: f.key)}


def _needed(ctx: Context, o: rules_mod.Outcome, has_steps: bool) -> list[str]:
    """What would let a rule run: the keys not given yet (else all it needs); "log" becomes
    "more_lines" when a log is there but says too little for it."""
    wanted = {k for n in o.missing for k in needs(n)}
    keys = sorted(k for k in wanted if k == "log" or ctx.given(k) is None) or sorted(wanted)
    if "log" in keys and has_steps:
        keys = [k if k != "log" else "more_lines" for k in keys]
    return keys
